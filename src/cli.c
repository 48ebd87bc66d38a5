#include <stdio.h>
#include "glean/cli.h"
#include "glean/banned.h"
int
cli_main(int argc, char **argv)
{
	(void)argc; (void)argv;
	puts("glean " GLEAN_VERSION);
	return 0;
}
