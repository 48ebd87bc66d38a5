/*
 * url.c: RFC 3986 reference resolution (section 5.2) on plain strings,
 * for xml:base, Content-Location and relative links in feeds. It does
 * not normalise case or percent-encoding and does not judge whether a
 * scheme is safe to open (that is the opener's job). url_store_safe
 * percent-encodes the controls a stored URL must not carry.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "glean/banned.h"

struct uri {
	const char *scheme, *auth, *path, *query, *frag;
	size_t nscheme, nauth, npath, nquery, nfrag;
	bool has_auth, has_query, has_frag;
};

static void
uri_split(const char *s, struct uri *u)
{
	const char *p = s, *q;

	memset(u, 0, sizeof(*u));
	/* scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	if (isalpha((unsigned char)*p)) {
		q = p;
		while (isalnum((unsigned char)*q) || *q == '+' || *q == '-' ||
		       *q == '.')
			q++;
		if (*q == ':') {
			u->scheme = p;
			u->nscheme = (size_t)(q - p);
			p = q + 1;
		}
	}
	if (p[0] == '/' && p[1] == '/') {
		p += 2;
		u->has_auth = true;
		u->auth = p;
		u->nauth = strcspn(p, "/?#");
		p += u->nauth;
	}
	u->path = p;
	u->npath = strcspn(p, "?#");
	p += u->npath;
	if (*p == '?') {
		u->has_query = true;
		u->query = ++p;
		u->nquery = strcspn(p, "#");
		p += u->nquery;
	}
	if (*p == '#') {
		u->has_frag = true;
		u->frag = ++p;
		u->nfrag = strlen(p);
	}
}

/* Whether remove_dots has anything to do: a path starting with '.',
 * holding "/." or a NUL (where the copy below would stop). */
static bool
has_dot_segment(const char *in, size_t n)
{
	size_t i;

	if (n && in[0] == '.')
		return true;
	for (i = 0; i < n; i++)
		if (in[i] == '\0' || (in[i] == '/' && i + 1 < n && in[i + 1] == '.'))
			return true;
	return false;
}

/* RFC 3986 5.2.4, appending the result to out. */
static void
remove_dots(const char *in, size_t n, struct sbuf *out)
{
	char *buf, *p;
	size_t start = out->len;

	/* no "." segment can start anywhere: every step below would copy
	 * a segment as it is */
	if (!has_dot_segment(in, n)) {
		sbuf_add(out, in, n);
		return;
	}
	buf = xstrndup(in, n);
	p = buf;
	while (*p) {
		if (str_starts(p, "../")) {
			p += 3;
		} else if (str_starts(p, "./")) {
			p += 2;
		} else if (str_starts(p, "/./")) {
			p += 2;
		} else if (strcmp(p, "/.") == 0) {
			p[1] = '\0';
		} else if (str_starts(p, "/../") || strcmp(p, "/..") == 0) {
			char *last;

			if (p[3] == '/')
				p += 3;
			else {
				p += 2;
				*p = '/';
			}
			/* drop the last segment already written */
			sbuf_addch(out, '\0');
			out->len--;
			last = strrchr(out->buf + start, '/');
			sbuf_truncate(out, last ? (size_t)(last - out->buf)
						: start);
		} else if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
			break;
		} else {
			size_t k = 1 + strcspn(p + 1, "/");

			if (*p != '/')
				k = strcspn(p, "/");
			sbuf_add(out, p, k);
			p += k;
		}
	}
	free(buf);
}

/* uri_split() and has_dot_segment() in one pass that stops at the
 * path's end: it runs for every link in every HTML field. */
bool
url_self_resolving(const char *ref)
{
	const char *p = ref;

	if (!isalpha((unsigned char)*p))
		return false; /* no scheme (a leading space included) */
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' ||
	       *p == '.')
		p++;
	if (*p != ':')
		return false;
	p++;
	if (p[0] == '/' && p[1] == '/')
		for (p += 2; *p && *p != '/' && *p != '?' && *p != '#'; p++)
			;
	if (*p == '.')
		return false;
	for (; *p && *p != '?' && *p != '#'; p++)
		if (p[0] == '/' && p[1] == '.')
			return false;
	return true;
}

char *
url_resolve(const char *base, const char *ref)
{
	struct uri b, r;
	struct sbuf out;

	if (!ref)
		return base ? xstrdup(base) : NULL;
	while (*ref == ' ' || *ref == '\t' || *ref == '\n' || *ref == '\r')
		ref++;
	if (!base || !*base)
		return xstrdup(ref);
	/* an absolute reference with no dot segment resolves to itself
	 * (scheme, authority, path, query and fragment copied as they
	 * are): most links in feeds, so neither is even split */
	if (url_self_resolving(ref))
		return xstrdup(ref);
	uri_split(ref, &r);
	uri_split(base, &b);
	if (!b.scheme)
		return xstrdup(ref);
	sbuf_init(&out, 0);
	if (r.scheme) {
		sbuf_add(&out, r.scheme, r.nscheme + 1);
		if (r.has_auth) {
			sbuf_adds(&out, "//");
			sbuf_add(&out, r.auth, r.nauth);
		}
		remove_dots(r.path, r.npath, &out);
		if (r.has_query) {
			sbuf_addch(&out, '?');
			sbuf_add(&out, r.query, r.nquery);
		}
	} else {
		sbuf_add(&out, b.scheme, b.nscheme + 1);
		if (r.has_auth) {
			sbuf_adds(&out, "//");
			sbuf_add(&out, r.auth, r.nauth);
			remove_dots(r.path, r.npath, &out);
			if (r.has_query) {
				sbuf_addch(&out, '?');
				sbuf_add(&out, r.query, r.nquery);
			}
		} else {
			if (b.has_auth) {
				sbuf_adds(&out, "//");
				sbuf_add(&out, b.auth, b.nauth);
			}
			if (r.npath == 0) {
				sbuf_add(&out, b.path, b.npath);
				if (r.has_query) {
					sbuf_addch(&out, '?');
					sbuf_add(&out, r.query, r.nquery);
				} else if (b.has_query) {
					sbuf_addch(&out, '?');
					sbuf_add(&out, b.query, b.nquery);
				}
			} else {
				if (r.path[0] == '/') {
					remove_dots(r.path, r.npath, &out);
				} else {
					struct sbuf m;
					const char *slash = NULL;
					size_t i;

					sbuf_init(&m, 0);
					for (i = 0; i < b.npath; i++)
						if (b.path[i] == '/')
							slash = b.path + i;
					if (b.has_auth && b.npath == 0)
						sbuf_addch(&m, '/');
					else if (slash)
						sbuf_add(&m, b.path,
							 (size_t)(slash -
								  b.path) + 1);
					sbuf_add(&m, r.path, r.npath);
					remove_dots(m.buf, m.len, &out);
					sbuf_release(&m);
				}
				if (r.has_query) {
					sbuf_addch(&out, '?');
					sbuf_add(&out, r.query, r.nquery);
				}
			}
		}
	}
	if (r.has_frag) {
		sbuf_addch(&out, '#');
		sbuf_add(&out, r.frag, r.nfrag);
	}
	return sbuf_detach(&out, NULL);
}

/* The length of the character at s (len left, at least 1) in *n, and
 * whether a stored URL must not hold it raw: C0, space, DEL, an invalid
 * UTF-8 byte (*n is then 1), C1, the bidi controls and the line and
 * paragraph separators. */
static bool
control_at(const char *s, size_t len, size_t *n)
{
	unsigned char c = (unsigned char)s[0];
	uint32_t cp;

	*n = 1;
	if (c <= 0x20 || c == 0x7f)
		return true;
	if (c < 0x80)
		return false;
	if ((*n = utf8_decode(s, len, &cp)) == 0) {
		*n = 1;
		return true;
	}
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

bool
url_has_control(const char *url)
{
	size_t i, n, len = strlen(url);

	for (i = 0; i < len; i += n)
		if (control_at(url + i, len - i, &n))
			return true;
	return false;
}

char *
url_store_safe(const char *url)
{
	struct sbuf out = SBUF_INIT;
	size_t i = 0, run = 0, n, len;

	if (!url)
		return NULL;
	len = strlen(url);
	if (len > URL_MAX_BYTES)
		return NULL;
	while (i < len) {
		if (!control_at(url + i, len - i, &n)) {
			i += n;
			continue;
		}
		sbuf_add(&out, url + run, i - run);
		for (; n; n--, i++)
			sbuf_addf(&out, "%%%02X", (unsigned char)url[i]);
		run = i;
	}
	sbuf_add(&out, url + run, len - run);
	if (out.len > URL_MAX_BYTES) {
		sbuf_release(&out);
		return NULL;
	}
	return sbuf_detach(&out, NULL);
}
