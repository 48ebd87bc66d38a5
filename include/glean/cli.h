/* cli: the command table and the checks every command shares. */
#ifndef GLEAN_CLI_H
#define GLEAN_CLI_H

int cli_main(int argc, char **argv);

#endif
