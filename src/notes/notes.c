/*
 * What the Markdown export and the Web Annotations share: cleaning text
 * from the store and deciding which links can be written as they are.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glean/notes.h"

#include "private.h"
#include "glean/banned.h"

bool
notes_url_ok(const char *url)
{
	const unsigned char *p;

	if (!url || !(str_istarts(url, "http://") ||
		      str_istarts(url, "https://")))
		return false;
	for (p = (const unsigned char *)url; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* What a URI may not hold as it is (RFC 3986): spaces, non-ASCII bytes
 * (an IRI's), " < > \ ^ ` { | }; in Markdown ( ) too. */
static bool
must_encode(unsigned char c, bool md)
{
	return c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}", c) ||
	       (md && (c == '(' || c == ')'));
}

void
notes_url_put(struct sbuf *sb, const char *url, bool md)
{
	const unsigned char *p;

	for (p = (const unsigned char *)url; *p; p++) {
		if (md && *p == '#')
			break;
		if (must_encode(*p, md))
			sbuf_addf(sb, "%%%02X", *p);
		else
			sbuf_addch(sb, *p);
	}
}

char *
notes_url_unput(const char *url, bool high_only)
{
	struct sbuf sb = SBUF_INIT;
	const char *p;

	for (p = url; *p; p++) {
		unsigned v;

		if (p[0] == '%' && isxdigit((unsigned char)p[1]) &&
		    isxdigit((unsigned char)p[2]) &&
		    sscanf(p + 1, "%2x", &v) == 1 && v &&
		    (high_only ? v >= 0x80 : must_encode((unsigned char)v,
							 false))) {
			sbuf_addch(&sb, (int)v);
			p += 2;
		} else {
			sbuf_addch(&sb, *p);
		}
	}
	return sbuf_detach(&sb, NULL);
}

void
notes_pct(struct sbuf *sb, const char *s, size_t max, bool tail)
{
	size_t len = strlen(s), a = 0, b = len, i;

	if (len > max) {
		if (tail) {
			a = len - max;
			while (a < len && s[a] != ' ')
				a++;
			if (a == len) /* one long word: cut at a character */
				for (a = len - max; (s[a] & 0xc0) == 0x80; a++)
					;
		} else {
			b = max;
			while (b > 0 && s[b] != ' ')
				b--;
			if (b == 0)
				for (b = max; (s[b] & 0xc0) == 0x80; b--)
					;
		}
	}
	while (a < b && (s[a] == ' ' || s[a] == '\n' || s[a] == '\t'))
		a++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\n' ||
			 s[b - 1] == '\t'))
		b--;
	for (i = a; i < b; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '~')
			sbuf_addch(sb, c);
		else
			sbuf_addf(sb, "%%%02X", c);
	}
}

int
notes_write_atomic(const char *path, const char *buf, size_t len,
		   struct err *e)
{
	const char *slash = strrchr(path, '/');
	char *tmp = slash ? xasprintf("%.*s/.glean-tmp-XXXXXX",
				      (int)(slash - path), path)
			  : xstrdup("./.glean-tmp-XXXXXX");
	mode_t um = umask(022);
	size_t off = 0;
	int fd, rc = -1;

	umask(um);
	if ((fd = mkstemp(tmp)) < 0) {
		err_set(e, ERR_IO, "cannot write '%s': %s", path,
			strerror(errno));
		goto out;
	}
	errno = 0;
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off < len || fchmod(fd, 0666 & ~um) < 0 || fsync(fd) < 0) {
		err_set(e, ERR_IO, "cannot write '%s': %s", path,
			strerror(errno ? errno : ENOSPC));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		err_set(e, ERR_IO, "cannot write '%s': %s", path,
			strerror(errno));
		unlink(tmp);
		goto out;
	}
	/* the rename itself on disk (SECURITY.md: fsync the directory) */
	*strrchr(tmp, '/') = '\0';
	if ((fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
	rc = 0;
out:
	free(tmp);
	return rc;
}
