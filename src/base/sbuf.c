/*
 * sbuf: a growable, always NUL-terminated byte string with an optional
 * cap (git strbuf + curl dynbuf). Every buffer of remote bytes sets a cap,
 * so a hostile peer cannot make us allocate without bound.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "glean/base.h"
#include "glean/banned.h"

char sbuf_empty[1];

void
sbuf_init(struct sbuf *sb, size_t max)
{
	sb->buf = sbuf_empty;
	sb->len = sb->cap = 0;
	sb->max = max;
	sb->over = false;
}

static int
sbuf_grow(struct sbuf *sb, size_t extra)
{
	size_t want;

	if (sb->over)
		return -1;
	if (extra > SIZE_MAX - sb->len - 1)
		die("sbuf overflow");
	want = sb->len + extra;
	if (sb->max && want > sb->max) {
		sb->over = true;
		return -1;
	}
	if (want + 1 <= sb->cap)
		return 0;
	if (sb->cap == 0) {
		sb->buf = NULL;
	}
	{
		size_t c = sb->cap ? sb->cap : 64;

		while (c < want + 1)
			c = c * 3 / 2 + 16;
		sb->buf = xrealloc(sb->buf, c);
		if (sb->cap == 0)
			sb->buf[0] = '\0';
		sb->cap = c;
	}
	return 0;
}

int
sbuf_add(struct sbuf *sb, const void *p, size_t n)
{
	if (n == 0)
		return sb->over ? -1 : 0;
	if (sbuf_grow(sb, n) < 0)
		return -1;
	memcpy(sb->buf + sb->len, p, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return 0;
}

int
sbuf_add_cut(struct sbuf *sb, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t room;

	if (sb->over || !sb->max || sb->len + n <= sb->max)
		return sbuf_add(sb, p, n);
	room = sb->max > sb->len ? sb->max - sb->len : 0;
	while (room > 0 && (s[room] & 0xC0) == 0x80)
		room--; /* s[room] starts the first byte left out */
	sbuf_add(sb, p, room);
	sb->over = true;
	return -1;
}

int
sbuf_adds(struct sbuf *sb, const char *s)
{
	return sbuf_add(sb, s, strlen(s));
}

int
sbuf_addch(struct sbuf *sb, int c)
{
	char ch = (char)c;

	return sbuf_add(sb, &ch, 1);
}

int
sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		die("sbuf_vaddf: bad format");
	if (sbuf_grow(sb, (size_t)n) < 0)
		return -1;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return 0;
}

int
sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = sbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	return rc;
}

int
sbuf_finish(const struct sbuf *sb, struct err *e, const char *what)
{
	if (!sb->over)
		return 0;
	return err_set(e, ERR_LIMIT, "%s is longer than %zu bytes", what,
		       sb->max);
}

int
sbuf_read_fp(struct sbuf *sb, FILE *fp)
{
	char buf[8192];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		if (sbuf_add(sb, buf, n) < 0) {
			errno = 0;
			return -1;
		}
	return ferror(fp) ? -1 : 0;
}

int
sbuf_read_fd(struct sbuf *sb, int fd)
{
	char buf[8192];
	ssize_t n;
	int rc = 0;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -1 : 0;
			break;
		}
		if (sbuf_add(sb, buf, (size_t)n) < 0) {
			errno = 0;
			rc = -1;
			break;
		}
	}
	explicit_bzero(buf, sizeof(buf)); /* secrets pass through here */
	return rc;
}

void
sbuf_reset(struct sbuf *sb)
{
	sbuf_truncate(sb, 0);
}

void
sbuf_truncate(struct sbuf *sb, size_t len)
{
	if (len > sb->len)
		BUG("sbuf_truncate past end");
	sb->len = len;
	sb->over = false;
	if (sb->cap)
		sb->buf[len] = '\0';
}

void
sbuf_release(struct sbuf *sb)
{
	if (sb->cap)
		free(sb->buf);
	sbuf_init(sb, sb->max);
}

char *
sbuf_detach(struct sbuf *sb, size_t *len)
{
	char *p;

	if (len)
		*len = sb->len;
	p = sb->cap ? sb->buf : xstrdup("");
	sbuf_init(sb, sb->max);
	return p;
}

void
sbuf_trim(struct sbuf *sb)
{
	size_t s = 0, e = sb->len;
	bool over = sb->over;

	while (s < e && isspace((unsigned char)sb->buf[s]))
		s++;
	while (e > s && isspace((unsigned char)sb->buf[e - 1]))
		e--;
	if (s && e > s)
		memmove(sb->buf, sb->buf + s, e - s);
	sbuf_truncate(sb, e > s ? e - s : 0);
	sb->over = over;
}

bool
str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
str_istarts(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

bool
str_ends(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

int
str_to_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || end == s)
		return -1;
	*out = v;
	return 0;
}

char *
str_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}
