/*
 * Shared helpers for cmd/: printing errors at the edge ("glean: ...",
 * sanitized, on stderr) and recognising --help. No business logic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glean/cmd.h"
#include "glean/banned.h"

static void
print_clean(const char *msg)
{
	char *clean = text_sanitize(msg, strlen(msg), false);

	fprintf(stderr, "glean: %s\n", clean);
	free(clean);
}

void
cmd_put(FILE *fp, const char *s, bool single_line)
{
	char *c;

	if (!s)
		return;
	c = text_sanitize(s, strlen(s), single_line);
	fputs(c, fp);
	free(c);
}

int
cmd_error(const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	print_clean(sb.buf);
	sbuf_release(&sb);
	return EXIT_FAIL;
}

int
cmd_err(const struct err *e)
{
	print_clean(e->msg[0] ? e->msg : "unknown error");
	return e->code == ERR_USAGE ? EXIT_USAGE : EXIT_FAIL;
}

int
cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	print_clean(sb.buf);
	fprintf(stderr, "usage: see 'glean %s --help'\n", cmd);
	sbuf_release(&sb);
	return EXIT_USAGE;
}

int
cmd_bad_option(const char *cmd, const char *opt,
	       const char *const *takes_value)
{
	const char *const *t;

	for (t = takes_value; t && *t; t++)
		if (!strcmp(*t, opt))
			return cmd_usage_error(cmd, "option '%s' needs a value",
					       opt);
	return cmd_usage_error(cmd, "unknown option '%s'", opt);
}

bool
cmd_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}
