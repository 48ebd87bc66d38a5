/*
 * bench/parse_bench.c: time glean's parse_feed() on one file. Reads the
 * file first, then prints the CPU and wall seconds parse_feed() takes
 * (encoding detection, conversion and the XML pass: what seek does per
 * body, on one thread: the HTML cleaning included), the entry count and
 * the peak RSS. Links build/libglean.a; no I/O is timed.
 *   parse_bench FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "glean/parse.h"
#include "glean/banned.h"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : (1u << 20);
			buf = xrealloc(buf, cap);
		}
		r = fread(buf + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	*len = n;
	return buf;
}

static double
clock_now(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}


int
main(int argc, char **argv)
{
	struct parse_opts o = { 0 };
	struct feed_doc doc;
	struct err e = { 0 };
	struct rusage ru;
	size_t len;
	char *buf;
	double t0, t1, t2, w0, w1;
	size_t nentries;
	int rc, bozo;

	if (argc != 2) {
		fprintf(stderr, "usage: parse_bench FILE\n");
		return 2;
	}
	buf = slurp(argv[1], &len);
	if (!buf) {
		fprintf(stderr, "parse_bench: cannot read '%s'\n", argv[1]);
		return 1;
	}
	o.url = "http://bench.example/feed.xml";
	o.content_type = "application/rss+xml";
	w0 = clock_now(CLOCK_MONOTONIC);
	t0 = clock_now(CLOCK_PROCESS_CPUTIME_ID);
	rc = parse_feed(buf, len, &o, &doc, &e);
	t1 = clock_now(CLOCK_PROCESS_CPUTIME_ID);
	w1 = clock_now(CLOCK_MONOTONIC);
	nentries = doc.nentries;
	bozo = doc.bozo;
	feed_doc_release(&doc);
	t2 = clock_now(CLOCK_PROCESS_CPUTIME_ID);
	getrusage(RUSAGE_SELF, &ru);
	printf("glean: %.3f s cpu, %.3f s wall, %zu bytes, %zu entries, rc %d, "
	       "bozo %d, release %.3f s, peak rss %ld KiB\n", t1 - t0,
	       w1 - w0, len, nentries, rc, bozo, t2 - t1, ru.ru_maxrss);
	free(buf);
	return rc < 0;
}
