/*
 * Time helpers that never touch the process time zone: all stored times
 * are UTC epoch seconds, converted with days-from-civil arithmetic.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "glean/base.h"
#include "glean/banned.h"

int64_t
time_now(void)
{
	const char *fake = getenv("GLEAN_NOW");
	int64_t t;

	/* Tests pin "now" so digests and schedules are reproducible. */
	if (fake && str_to_i64(fake, &t) == 0)
		return t;
	return (int64_t)time(NULL);
}

int64_t
time_now_ms(void)
{
	return time_now_ns() / 1000000;
}

int64_t
time_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
time_from_utc(int year, int mon, int day, int h, int m, int s)
{
	/* Howard Hinnant's days_from_civil. */
	int64_t y = year - (mon <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t mp = (mon + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;

	return days * 86400 + (int64_t)h * 3600 + (int64_t)m * 60 + s;
}

char *
time_fmt_iso(int64_t t, char *buf, size_t n)
{
	int64_t days = t / 86400, rem = t % 86400;
	int64_t z, era, doe, yoe, y, doy, mp, d, m;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += (m <= 2);
	snprintf(buf, n, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
		 (long long)y, (long long)m, (long long)d,
		 (long long)(rem / 3600), (long long)(rem / 60 % 60),
		 (long long)(rem % 60));
	return buf;
}

int64_t
time_parse_duration(const char *s)
{
	char *end;
	long long v;
	int64_t mult;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	v = strtoll(s, &end, 10);
	switch (*end) {
	case '\0':
	case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	case 'w': mult = 7 * 86400; break;
	default: return -1;
	}
	if (*end && end[1])
		return -1;
	if (v > INT64_MAX / mult)
		return -1;
	return (int64_t)v * mult;
}
