/*
 * fuzz/fuzz_opml.c: libFuzzer target for opml_parse(), the OPML reader
 * behind `glean import` (folders as tags, http(s) xmlUrl only, problems
 * listed by line). Every outline it keeps must have an http(s) URL.
 * Built by fuzz/run.sh and fuzz/replay.sh; it prints nothing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>

#include "glean/parse.h"
#include "glean/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct opml_doc d = { 0 };
	struct err e = { 0 };
	size_t i;

	if (opml_parse((const char *)data, size, &d, &e) == 0) {
		for (i = 0; i < d.n; i++)
			if (!d.v[i].url ||
			    (strncasecmp(d.v[i].url, "http://", 7) &&
			     strncasecmp(d.v[i].url, "https://", 8)))
				abort();
	}
	opml_doc_release(&d);
	return 0;
}
