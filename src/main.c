/* glean: argv → the command table in cli.c, nothing else. */
#include "glean/cli.h"
#include "glean/banned.h"

int
main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
