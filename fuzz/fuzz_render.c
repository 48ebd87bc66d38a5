/*
 * fuzz/fuzz_render.c: libFuzzer target for render_html(), the HTML to
 * terminal text renderer the reader and `glean show` share, with links
 * resolved against a fixed base. The wrap width comes from the input
 * length so narrow and unwrapped layouts are both reached. Built by
 * fuzz/run.sh and fuzz/replay.sh; it prints nothing.
 */
#include <stddef.h>
#include <stdint.h>

#include "glean/render.h"
#include "glean/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int widths[] = { 80, 0, 1, 20 };
	struct render_out out;
	struct err e = { 0 };

	render_html((const char *)data, size, "http://fuzz.example/a/b.html",
		    widths[size % 4], &out, &e);
	render_out_release(&out);
	return 0;
}
