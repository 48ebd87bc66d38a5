/*
 * fuzz/replay_main.c: a main() for a fuzz target without libFuzzer. Runs
 * LLVMFuzzerTestOneInput once per file named on the command line, so the
 * seed corpus can be replayed under plain ASan/UBSan in `make check`.
 * Ends with "NAME: N passed, 0 failed" (a crash aborts before that).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glean/base.h"
#include "glean/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	int i, n = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: replay NAME FILE...\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		struct sbuf sb;
		char buf[65536], *exact;
		size_t r, len;

		if (!f) {
			fprintf(stderr, "replay: cannot read '%s'\n", argv[i]);
			return 1;
		}
		sbuf_init(&sb, 0);
		while ((r = fread(buf, 1, sizeof(buf), f)) > 0)
			sbuf_add(&sb, buf, r);
		fclose(f);
		/* an exact-size copy, as libFuzzer passes it, so ASan sees
		 * any read past the end (the bytes are not NUL-terminated) */
		len = sb.len;
		exact = xmalloc(len ? len : 1);
		memcpy(exact, sb.buf, len);
		sbuf_release(&sb);
		LLVMFuzzerTestOneInput((const uint8_t *)exact, len);
		free(exact);
		n++;
	}
	printf("%s: %d passed, 0 failed\n", argv[1], n);
	return 0;
}
