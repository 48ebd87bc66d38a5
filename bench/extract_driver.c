/*
 * extract_driver: the article extraction case (issue 19: a 1 MB page in
 * <= 50 ms, the 90 corpus pages in <= 3 s). Reads every FILE into memory
 * (not measured), then times article_extract() over each RUNS times and
 * prints, per file, the median wall time, and the total of the medians.
 * It links build/libglean.a. Bench code only.
 *
 *   bench/extract_driver RUNS FILE...
 */
#include "glean/parse.h"
#include "bench.h"
#include "glean/banned.h"

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct bench_clock c, total = { 0, 0 };
	struct article a;
	struct err e = { 0 };
	double t[64], worst = 0;
	const char *worst_file = "";
	long long bytes = 0, found = 0;
	int runs, i, r;

	if (argc < 3 || (runs = (int)strtol(argv[1], NULL, 10)) < 1 ||
	    runs > 64) {
		fprintf(stderr, "usage: extract_driver RUNS(1-64) FILE...\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		size_t len;
		char *buf = bench_slurp(argv[i], &len);
		double cpu = 0;

		for (r = 0; r < runs; r++) {
			bench_start(&c);
			if (article_extract(buf, len, "http://fakehost/test/page.html",
					    &a, &e) == 0 && r == 0)
				found++;
			article_release(&a);
			bench_stop(&c);
			t[r] = c.wall;
			cpu += c.cpu;
		}
		qsort(t, (size_t)runs, sizeof(t[0]), cmp_double);
		total.wall += t[runs / 2];
		total.cpu += cpu / runs;
		bytes += (long long)len;
		if (t[runs / 2] > worst) {
			worst = t[runs / 2];
			worst_file = argv[i];
		}
		if (argc == 3)
			printf("extract-one %s %.1f ms (%zu bytes)\n", argv[i],
			       t[runs / 2] * 1e3, len);
		free(buf);
	}
	if (argc > 3)
		printf("extract-all %d pages, %lld with an article: %.3f s "
		       "total (slowest %.1f ms, %s)\n", argc - 2, found,
		       total.wall, worst * 1e3, worst_file);
	bench_report("extract", &total, argc - 2, bytes);
	return 0;
}
