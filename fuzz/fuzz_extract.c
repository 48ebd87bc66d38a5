/*
 * fuzz/fuzz_extract.c: libFuzzer target for article_extract(), the
 * Readability-style article finder behind `glean extract`, with links
 * resolved against a fixed page URL (or none, from the input length).
 * Built by fuzz/run.sh and fuzz/replay.sh; it prints nothing.
 */
#include <stddef.h>
#include <stdint.h>

#include "glean/parse.h"
#include "glean/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct article a;
	struct err e = { 0 };

	article_extract((const char *)data, size,
			size % 2 ? "http://fuzz.example/a/b.html" : NULL, &a,
			&e);
	article_release(&a);
	return 0;
}
