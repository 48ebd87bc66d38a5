/*
 * parse_driver: the 100 MB parse case for glean. Reads FILE into memory
 * (not measured), then times parse_feed() over it and reports the entry
 * count. It links build/libglean.a; it prints nothing of the document,
 * so the measure is the parser, not JSON output. Bench code only.
 *
 *   bench/parse_driver FILE
 */
#include "glean/parse.h"
#include "bench.h"
#include "glean/banned.h"

int
main(int argc, char **argv)
{
	struct parse_opts o = { 0 };
	struct feed_doc doc;
	struct err e = { 0 };
	struct bench_clock c;
	size_t len;
	char *buf;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: parse_driver FILE\n");
		return 2;
	}
	buf = bench_slurp(argv[1], &len);
	o.url = "https://big.example.com/feed.xml";
	o.content_type = "application/rss+xml; charset=utf-8";
	bench_start(&c);
	rc = parse_feed(buf, len, &o, &doc, &e);
	bench_stop(&c);
	if (rc < 0) {
		fprintf(stderr, "parse_driver: not a feed: %s\n", e.msg);
		feed_doc_release(&doc);
		free(buf);
		return 1;
	}
	bench_report("glean-parse", &c, (long long)doc.nentries,
		     (long long)len);
	feed_doc_release(&doc);
	free(buf);
	return 0;
}
