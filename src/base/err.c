/*
 * Error values: a code to branch on and a message to show. Only cmd/ and
 * sense/ print them; everything below fills them in and returns -1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "glean/base.h"
#include "glean/banned.h"

const char *
err_str(int errnum)
{
	if (errnum == ENOSPC || errnum == EDQUOT)
		return "the disk is full";
	return strerror(errnum);
}

int
err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
err_prefix(struct err *e, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	size_t n;
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	sbuf_adds(&sb, ": ");
	sbuf_adds(&sb, e->msg);
	n = sb.len < sizeof(e->msg) - 1 ? sb.len : sizeof(e->msg) - 1;
	memcpy(e->msg, sb.buf, n);
	e->msg[n] = '\0';
	sbuf_release(&sb);
	return -1;
}

void
err_clear(struct err *e)
{
	if (!e)
		return;
	e->code = ERR_OK;
	e->msg[0] = '\0';
}
