/*
 * tokenize.c: the one HTML tokenizer. Tag soup found in feed fields is
 * cut here, the way sgmllib (and so feedparser) cuts it, into text runs,
 * start and end tags with their attributes, character references,
 * comments and declarations; the sanitiser (markup.c) and the stripper
 * for the search index (strip.c) are its consumers and decide what each
 * token becomes. It never allocates, decodes or writes: tokens point
 * into the caller's NUL-terminated input. The reader's renderer (html.c)
 * needs a repaired tree (implied end tags, nesting): htree.c builds it
 * over htok_text() and these character classes, reading tags and
 * attributes as libxml2's HTML parser did so the reader's text stays
 * the same.
 *
 * Why not libxml2's HTML parser for all three: it decodes references and
 * restructures the markup (implied <html>/<body>/<p>, auto-closed <li>),
 * which the sanitiser must keep as written to match feedparser, and its
 * push parser with empty SAX callbacks is 7-10 times slower than this
 * tokenizer and the whole sanitiser over it (the 19 MB of CDATA HTML in
 * bench/parse.sh's 30 MB feed: 0.19-0.37 s against 0.023-0.036 s CPU).
 */
#include <string.h>
#include <strings.h>

#include "private.h"
#include "glean/banned.h"

static inline bool
tag_name_char(char c)
{
	return a_alnum(c) || c == '-' || c == '.' || c == ':' || c == '_';
}

void
htok_markup(const char *s, struct htok *t)
{
	const char *p = s + 1;

	memset(t, 0, sizeof(*t));
	t->kind = HTOK_SKIP;
	if (p[0] == '!' && p[1] == '-' && p[2] == '-') {
		const char *e = strstr(p + 3, "-->");

		t->p = e ? e + 3 : p + strlen(p);
	} else if (p[0] == '!' && strncasecmp(p + 1, "DOCTYPE", 7) != 0 &&
		   p[1] != '[') {
		t->kind = HTOK_BOGUS;
		t->p = p + 1;
	} else if (p[0] == '!' || p[0] == '?') {
		const char *e = strchr(p, '>');

		if (!e) {
			/* unfinished: it is text */
			t->kind = HTOK_TEXT;
			t->p = p + strlen(p);
		} else {
			t->p = e + 1;
		}
	} else if (p[0] == '>') {
		t->p = p + 1; /* SGML empty tag */
	} else if (a_alpha(p[0]) || (p[0] == '/' && a_alpha(p[1]))) {
		if (*p == '/') {
			t->kind = HTOK_END;
			p++;
		} else {
			t->kind = HTOK_START;
		}
		t->name = p;
		while (tag_name_char(*p))
			p++;
		t->nlen = (size_t)(p - t->name);
		t->p = p;
		if (*p == '>') {
			t->p = p + 1;
			t->done = true;
		}
	} else {
		t->kind = HTOK_TEXT;
		t->p = p;
	}
}

bool
htok_attr(struct htok *t, struct htok_attr *a)
{
	const char *p = t->p;

	while (!t->done) {
		while (a_space(*p))
			p++;
		if (!*p) {
			t->done = true;
			break;
		}
		if (*p == '>') {
			p++;
			t->done = true;
			break;
		}
		if (*p == '/' && p[1] == '>') {
			t->selfclose = true;
			p += 2;
			t->done = true;
			break;
		}
		if (*p == '/' || *p == '"' || *p == '\'' || *p == '=') {
			p++;
			continue;
		}
		a->name = p;
		while (*p && !a_space(*p) && *p != '=' && *p != '>' &&
		       !(*p == '/' && p[1] == '>'))
			p++;
		a->nlen = (size_t)(p - a->name);
		while (a_space(*p))
			p++;
		if (*p == '=') {
			p++;
			while (a_space(*p))
				p++;
			if (*p == '"' || *p == '\'') {
				char q = *p++;
				const char *e = strchr(p, q); /* URLs: long */

				a->value = p;
				p = e ? e : p + strlen(p);
				a->vlen = (size_t)(p - a->value);
				if (*p)
					p++;
			} else {
				a->value = p;
				while (*p && !a_space(*p) && *p != '>')
					p++;
				a->vlen = (size_t)(p - a->value);
			}
		} else {
			/* a bare attribute's value is its name as written */
			a->value = a->name;
			a->vlen = a->nlen;
		}
		t->p = p;
		return true;
	}
	t->p = p;
	return false;
}

void
htok_finish(struct htok *t)
{
	struct htok_attr a;

	while (htok_attr(t, &a))
		;
}

void
htok_ref(const char *s, struct htok_ref *r)
{
	const char *p = s + 1, *q;

	memset(r, 0, sizeof(*r));
	r->end = p;
	if (*p == '#') {
		bool hex = p[1] == 'x' || p[1] == 'X';

		q = p + (hex ? 2 : 1);
		r->v = q;
		if (hex)
			while (a_xdigit(*q))
				q++;
		else
			while (a_digit(*q))
				q++;
		r->n = (size_t)(q - r->v);
		if (r->n == 0)
			return;
		r->kind = hex ? HREF_HEX : HREF_DEC;
	} else if (a_alpha(*p)) {
		for (q = p; a_alnum(*q) || *q == '-' || *q == '.'; q++)
			;
		r->v = p;
		r->n = (size_t)(q - p);
		r->kind = HREF_NAME;
	} else {
		return;
	}
	r->semi = *q == ';';
	r->end = r->semi ? q + 1 : q;
}
