/*
 * date.c: feed dates to UTC epoch seconds. It reads RFC 822/1123 as
 * feeds really write it (two-digit years, full or missing day names,
 * day and month swapped, North American zone names, "GMT+01:00"),
 * W3CDTF/ISO 8601 (with or without separators, fractions, offsets) and
 * C asctime(). It does not guess locales or relative dates; anything
 * else is FEED_NO_DATE.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "glean/banned.h"

struct zone {
	const char *name;
	int hours;
};

/* Sorted by name for bsearch. */
static const struct zone zones[] = {
	{ "a", -1 },   { "adt", -3 }, { "ast", -4 }, { "at", -4 },
	{ "cdt", -5 }, { "cst", -6 }, { "ct", -6 },  { "edt", -4 },
	{ "est", -5 }, { "et", -5 },  { "gmt", 0 },  { "m", -12 },
	{ "mdt", -6 }, { "mst", -7 }, { "mt", -7 },  { "n", 1 },
	{ "pdt", -7 }, { "pst", -8 }, { "pt", -8 },  { "ut", 0 },
	{ "utc", 0 },  { "y", 12 },   { "z", 0 },
};

static const char *const months[] = { "jan", "feb", "mar", "apr",
				      "may", "jun", "jul", "aug",
				      "sep", "oct", "nov", "dec" };
static const char *const days[] = { "mon", "tue", "wed", "thu",
				    "fri", "sat", "sun" };

static int
zone_cmp(const void *k, const void *v)
{
	return strcmp(k, ((const struct zone *)v)->name);
}

static int
month_of(const char *t)
{
	size_t i;

	if (strlen(t) < 3)
		return 0;
	for (i = 0; i < ARRAY_SIZE(months); i++)
		if (strncmp(t, months[i], 3) == 0)
			return (int)i + 1;
	return 0;
}

static bool
is_dayname(const char *t)
{
	size_t i;

	if (strlen(t) < 3)
		return false;
	for (i = 0; i < ARRAY_SIZE(days); i++)
		if (strncmp(t, days[i], 3) == 0)
			return true;
	return false;
}

static int
mdays(int y, int m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30,
				 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : n[m - 1];
}

static int64_t
make_time(int y, int mo, int d, int h, int mi, int s, int off_min)
{
	if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays(y, mo) || h < 0 || h > 24 || mi < 0 || mi > 59 ||
	    s < 0 || s > 60)
		return FEED_NO_DATE;
	if (h == 24 && (mi || s))
		return FEED_NO_DATE;
	return time_from_utc(y, mo, d, h, mi, s) - (int64_t)off_min * 60;
}

/* Read up to max digits; returns the count read, value in *v. */
static int
digits(const char **p, int max, int *v)
{
	int n = 0, x = 0;

	while (n < max && isdigit((unsigned char)**p)) {
		x = x * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	*v = x;
	return n;
}

/* A zone: Z, +hh, +hhmm, +hh:mm, or a name. Returns false on junk. */
static bool
parse_zone(const char *p, int *off_min)
{
	char name[16];
	size_t n = 0;
	const struct zone *z;

	*off_min = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return true;
	if (str_istarts(p, "etc/"))
		p += 4;
	if (str_istarts(p, "gmt") || str_istarts(p, "utc")) {
		if (p[3] == '+' || p[3] == '-')
			p += 3;
	}
	if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, h = 0, m = 0, nd;

		p++;
		nd = digits(&p, 2, &h);
		if (nd == 0)
			return false;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)*p) && digits(&p, 2, &m) != 2)
			return false;
		if (h > 23 || m > 59)
			return false;
		*off_min = sign * (h * 60 + m);
		return true;
	}
	while (*p && n + 1 < sizeof(name) && isalpha((unsigned char)*p))
		name[n++] = (char)tolower((unsigned char)*p++);
	name[n] = '\0';
	z = bsearch(name, zones, ARRAY_SIZE(zones), sizeof(zones[0]),
		    zone_cmp);
	/* unknown names count as UTC, as feedparser does */
	*off_min = z ? z->hours * 60 : 0;
	return n > 0;
}

/* hh:mm[:ss[.frac]] or hhmm[ss]; returns the rest or NULL. */
static const char *
parse_clock(const char *p, int *h, int *mi, int *s)
{
	int n;

	*h = *mi = *s = 0;
	n = digits(&p, 2, h);
	if (n == 0)
		return NULL;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, mi) == 0)
			return NULL;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, s) == 0)
				return NULL;
		}
	} else if (n == 2 && isdigit((unsigned char)*p)) {
		if (digits(&p, 2, mi) != 2)
			return NULL;
		if (isdigit((unsigned char)*p) && digits(&p, 2, s) != 2)
			return NULL;
	}
	if (*p == '.' || *p == ',') {
		p++;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return p;
}

static int64_t
parse_w3dtf(const char *s)
{
	const char *p = s;
	int y, mo = 1, d = 1, h = 0, mi = 0, sec = 0, off = 0, n;

	if (digits(&p, 4, &y) != 4)
		return FEED_NO_DATE;
	if (*p == '-') {
		p++;
		if (digits(&p, 2, &mo) == 0)
			return FEED_NO_DATE;
		if (*p == '-') {
			p++;
			if (digits(&p, 2, &d) == 0)
				return FEED_NO_DATE;
		}
	} else if (isdigit((unsigned char)*p)) {
		if (digits(&p, 2, &mo) != 2 || digits(&p, 2, &d) != 2)
			return FEED_NO_DATE;
	}
	if (*p == 'T' || *p == 't' || *p == ' ') {
		const char *q = p + 1;

		while (*q == ' ')
			q++;
		if (isdigit((unsigned char)*q)) {
			p = parse_clock(q, &h, &mi, &sec);
			if (!p)
				return FEED_NO_DATE;
		}
	}
	n = (int)strspn(p, " \t");
	if (!parse_zone(p + n, &off))
		return FEED_NO_DATE;
	return make_time(y, mo, d, h, mi, sec, off);
}

#define MAXTOK 8

static int64_t
parse_rfc822(const char *s)
{
	char buf[128], *tok[MAXTOK];
	int ntok = 0, i = 0, y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
	size_t len = strlen(s), k;
	const char *t;
	char *end;
	long v;

	if (len >= sizeof(buf))
		return FEED_NO_DATE;
	for (k = 0; k <= len; k++)
		buf[k] = (char)(s[k] == ',' ? ' ' : tolower((unsigned char)s[k]));
	for (end = buf; *end && ntok < MAXTOK;) {
		while (*end && isspace((unsigned char)*end))
			*end++ = '\0';
		if (!*end)
			break;
		tok[ntok++] = end;
		while (*end && !isspace((unsigned char)*end))
			end++;
	}
	if (ntok && is_dayname(tok[0]))
		i = 1;
	if (ntok - i < 3)
		return FEED_NO_DATE;
	/* asctime: mon dd hh:mm:ss [zone] yyyy */
	if (month_of(tok[i]) && ntok - i >= 4 && strchr(tok[i + 2], ':')) {
		const char *yy = tok[ntok - 1];

		mo = month_of(tok[i]);
		v = strtol(tok[i + 1], &end, 10);
		if (*end || strlen(yy) != 4)
			return FEED_NO_DATE;
		d = (int)v;
		y = (int)strtol(yy, &end, 10);
		if (*end)
			return FEED_NO_DATE;
		if (!parse_clock(tok[i + 2], &h, &mi, &sec))
			return FEED_NO_DATE;
		if (ntok - i == 5 && !parse_zone(tok[i + 3], &off))
			return FEED_NO_DATE;
		return make_time(y, mo, d, h, mi, sec, off);
	}
	v = strtol(tok[i], &end, 10);
	if (*end == '\0' && end != tok[i]) {
		d = (int)v;
		mo = month_of(tok[i + 1]);
	} else if ((mo = month_of(tok[i])) != 0) {
		v = strtol(tok[i + 1], &end, 10);
		if (*end || end == tok[i + 1])
			return FEED_NO_DATE;
		d = (int)v;
	} else {
		return FEED_NO_DATE;
	}
	if (!mo || d < 1 || d > 31)
		return FEED_NO_DATE;
	t = tok[i + 2];
	v = strtol(t, &end, 10);
	if (*end || end == t || v < 0)
		return FEED_NO_DATE;
	y = (int)v;
	if (strlen(t) <= 2)
		y += y < 90 ? 2000 : 1900;
	else if (strlen(t) == 3)
		y += 1900;
	if (ntok - i > 3) {
		t = parse_clock(tok[i + 3], &h, &mi, &sec);
		if (!t || *t)
			return FEED_NO_DATE;
	}
	if (ntok - i > 4) {
		/* "GMT +0100" and "+0100 (EST)" both occur */
		if (!parse_zone(tok[i + 4], &off))
			return FEED_NO_DATE;
		if (off == 0 && ntok - i > 5 &&
		    (tok[i + 5][0] == '+' || tok[i + 5][0] == '-'))
			parse_zone(tok[i + 5], &off);
	}
	return make_time(y, mo, d, h, mi, sec, off);
}

static int
lower3_in(const char *s, const char *const *list, size_t n)
{
	char t[3];
	size_t i;

	for (i = 0; i < 3; i++)
		t[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' :
							   s[i]);
	for (i = 0; i < n; i++)
		if (memcmp(t, list[i], 3) == 0)
			return (int)i + 1;
	return 0;
}

static bool
dig(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/*
 * "Sun, 06 Nov 1994 08:49:37 GMT" (or UTC, or +hhmm/-hhmm): the RFC 1123
 * form nearly every RSS feed writes, read without tokenizing. false when
 * s (n bytes, trimmed) is not exactly that shape with plausible fields;
 * parse_rfc822() then reads it, and gives the same answer for what this
 * accepts.
 */
static bool
rfc1123_fast(const char *s, size_t n, int64_t *t)
{
	int d, mo, y, h, mi, sec, zh = 0, zm = 0, off = 0;

	if ((n != 29 && n != 31) || s[3] != ',' || s[4] != ' ' ||
	    s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
	    s[22] != ':' || s[25] != ' ')
		return false;
	if (!lower3_in(s, days, ARRAY_SIZE(days)) ||
	    !(mo = lower3_in(s + 8, months, ARRAY_SIZE(months))) ||
	    !dig(s + 5, 2, &d) || !dig(s + 12, 4, &y) ||
	    !dig(s + 17, 2, &h) || !dig(s + 20, 2, &mi) ||
	    !dig(s + 23, 2, &sec) || d < 1 || d > 31)
		return false;
	if (n == 29) {
		if (strncasecmp(s + 26, "gmt", 3) != 0 &&
		    strncasecmp(s + 26, "utc", 3) != 0)
			return false;
	} else {
		if ((s[26] != '+' && s[26] != '-') || !dig(s + 27, 2, &zh) ||
		    !dig(s + 29, 2, &zm) || zh > 23 || zm > 59)
			return false;
		off = (s[26] == '-' ? -1 : 1) * (zh * 60 + zm);
	}
	*t = make_time(y, mo, d, h, mi, sec, off);
	return true;
}

int64_t
parse_date(const char *s)
{
	char buf[128];
	size_t n;
	int64_t t;

	if (!s)
		return FEED_NO_DATE;
	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return FEED_NO_DATE;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (rfc1123_fast(buf, n, &t))
		return t;
	if (n >= 4 && isdigit((unsigned char)buf[0]) &&
	    isdigit((unsigned char)buf[1]) && isdigit((unsigned char)buf[2]) &&
	    isdigit((unsigned char)buf[3])) {
		t = parse_w3dtf(buf);
		if (t != FEED_NO_DATE)
			return t;
	}
	return parse_rfc822(buf);
}
