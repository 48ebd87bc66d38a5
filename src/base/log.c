/*
 * Logging to a file only, off by default (-v, -vv or GLEAN_LOG=path).
 * Never to stdout/stderr: under curses that would corrupt the screen.
 * Callers redact secrets before logging; this module does not inspect text.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "glean/base.h"
#include "glean/banned.h"

static FILE *log_fp;
static enum log_level log_max = LOG_WARN;

void
log_open(const char *path, enum log_level level)
{
	log_close();
	if (!path)
		return;
	log_fp = fopen(path, "a");
	log_max = level;
	if (log_fp)
		setvbuf(log_fp, NULL, _IOLBF, 0);
}

void
log_close(void)
{
	if (log_fp)
		fclose(log_fp);
	log_fp = NULL;
}

void
log_msg(enum log_level lvl, const char *func, const char *fmt, ...)
{
	static const char *names[] = { "error", "warn", "info", "debug" };
	char ts[32];
	va_list ap;
	struct sbuf sb = SBUF_INIT;
	char *clean;

	if (!log_fp || lvl > log_max)
		return;
	time_fmt_iso(time_now(), ts, sizeof(ts));
	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	clean = text_sanitize(sb.buf, sb.len, true);
	fprintf(log_fp, "%s [%ld] %s %s: %s\n", ts, (long)getpid(), names[lvl],
		func, clean);
	free(clean);
	sbuf_release(&sb);
}
