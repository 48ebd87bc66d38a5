/* glean version: what was built, and against which libraries. */
#include <stdio.h>

#include "glean/cmd.h"
#include "glean/banned.h"

int
cmd_version(int argc, char **argv, struct ctx *ctx)
{
	(void)ctx;
	if (cmd_wants_help(argc, argv)) {
		puts("usage: glean version\n\nPrint glean's version.");
		return EXIT_OK;
	}
	printf("glean %s\n", GLEAN_VERSION);
	return EXIT_OK;
}
