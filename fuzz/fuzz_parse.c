/*
 * fuzz/fuzz_parse.c: libFuzzer target for parse_feed() (encoding
 * detection, the XML and JSON Feed parsers, markup cleaning, dates, URL
 * resolution) and the parse dump. The low bit of the input length picks
 * the Content-Type, so the same bytes also reach the JSON Feed parser
 * when the header says JSON. Built by fuzz/run.sh (clang, libFuzzer) and
 * by fuzz/replay.sh (ASan, no libFuzzer); it prints nothing.
 */
#include <stddef.h>
#include <stdint.h>

#include "glean/parse.h"
#include "glean/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parse_opts o = { 0 };
	struct feed_doc doc;
	struct err e = { 0 };
	struct sbuf dump;

	o.url = "http://fuzz.example/dir/feed.xml";
	o.content_type = size & 1 ? "application/feed+json" :
				    "application/rss+xml";
	o.max_field = 64 * 1024;
	parse_feed((const char *)data, size, &o, &doc, &e);
	sbuf_init(&dump, 0);
	parse_dump_json(&doc, &dump);
	sbuf_release(&dump);
	feed_doc_release(&doc);
	return 0;
}
