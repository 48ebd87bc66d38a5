/*
 * bench.h: what the bench drivers share: read a file whole, a wall and
 * CPU clock around the measured part, and one result line for bench/run
 * ("name wall=S cpu=S n=N bytes=B"). Bench code only, not part of glean.
 */
#ifndef GLEAN_BENCH_H
#define GLEAN_BENCH_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

struct bench_clock {
	double wall, cpu;
};

static inline double
bench_cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static inline double
bench_wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Start: c holds the start; stop: c holds the elapsed times. */
static inline void
bench_start(struct bench_clock *c)
{
	c->wall = bench_wall_now();
	c->cpu = bench_cpu_now();
}

static inline void
bench_stop(struct bench_clock *c)
{
	c->wall = bench_wall_now() - c->wall;
	c->cpu = bench_cpu_now() - c->cpu;
}

static inline void
bench_report(const char *name, const struct bench_clock *c, long long n,
	     long long bytes)
{
	printf("%s wall=%.4f cpu=%.4f n=%lld bytes=%lld\n", name, c->wall,
	       c->cpu, n, bytes);
	fflush(stdout);
}

/* The whole file in a malloc'd buffer (NUL-terminated); exits on error. */
static inline char *
bench_slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!fp) {
		fprintf(stderr, "bench: cannot open '%s': %s\n", path,
			strerror(errno));
		exit(1);
	}
	for (;;) {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, cap + 1);
			if (!buf) {
				fprintf(stderr, "bench: out of memory\n");
				exit(1);
			}
		}
		r = fread(buf + n, 1, cap - n, fp);
		if (r == 0)
			break;
		n += r;
	}
	if (ferror(fp)) {
		fprintf(stderr, "bench: cannot read '%s'\n", path);
		exit(1);
	}
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

#endif
