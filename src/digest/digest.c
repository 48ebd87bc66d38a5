/*
 * digest: selection (marked items in a window, or any query) → a document
 * grouped by tag → Markdown, plain text, HTML, Atom 1.0 or JSON Feed 1.1.
 *
 * Owns: choosing the items, grouping, and every rendering of the whole
 * digest. Does not own: posting (src/share/), splitting into posts (each
 * share target packs its own), or the item data (the store). Everything
 * read from the store is hostile: it is sanitized here, and escaped for
 * HTML and XML with one escaper. The HTML digest contains only markup this
 * file writes (h1 h2 p ul li a blockquote small em), never item content,
 * and a CSP meta tag (SECURITY.md "Posting / digests").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "glean/digest.h"
#include "glean/json.h"
#include "glean/banned.h"

/* Where the JSON Feed's "_glean" extension object is described (JSON Feed
 * 1.1, "Extensions": an "about" URL). Set the project's real page at
 * build time: make CFLAGS='-DGLEAN_ABOUT_URL=\"https://...\"'. */
#ifndef GLEAN_ABOUT_URL
#define GLEAN_ABOUT_URL "https://glean.invalid/doc/digest#json-feed"
#endif

static const char *const format_names[] = {
	[DIGEST_MD] = "md", [DIGEST_TEXT] = "text", [DIGEST_HTML] = "html",
	[DIGEST_ATOM] = "atom", [DIGEST_JSON] = "json",
};

int
digest_format_parse(const char *s, enum digest_format *out)
{
	if (!s)
		return -1;
	if (!strcmp(s, "md") || !strcmp(s, "markdown"))
		*out = DIGEST_MD;
	else if (!strcmp(s, "text") || !strcmp(s, "txt"))
		*out = DIGEST_TEXT;
	else if (!strcmp(s, "html"))
		*out = DIGEST_HTML;
	else if (!strcmp(s, "atom"))
		*out = DIGEST_ATOM;
	else if (!strcmp(s, "json"))
		*out = DIGEST_JSON;
	else
		return -1;
	return 0;
}

const char *
digest_format_name(enum digest_format f)
{
	return (size_t)f < ARRAY_SIZE(format_names) ? format_names[f] : "?";
}

bool
digest_url_ok(const char *url)
{
	const unsigned char *p;

	if (!url || !(str_istarts(url, "http://") ||
		      str_istarts(url, "https://") ||
		      str_istarts(url, "mailto:")))
		return false;
	for (p = (const unsigned char *)url; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || *p == '"' || *p == '<' ||
		    *p == '>' || *p == '\\' || *p >= 0x80)
			return false;
	return true;
}

/* s escaped for HTML text and attribute values (& < > " '); NULL is "". */
static void
put_esc(struct sbuf *sb, const char *s)
{
	if (s)
		text_escape_html(sb, s, strlen(s));
}

/* ---- selection and grouping ---- */

void
digest_release(struct digest *d)
{
	size_t i;

	free(d->title);
	free(d->intro);
	free(d->link);
	free(d->feed_id);
	item_list_release(&d->items);
	for (i = 0; i < d->ngroups; i++) {
		free(d->groups[i].tag);
		free(d->groups[i].idx);
	}
	free(d->groups);
	memset(d, 0, sizeof(*d));
}

/* The tag an item is filed under: its first in case-blind name order. */
static const char *
first_tag(const struct item *it)
{
	const char *best = NULL;
	size_t k;

	for (k = 0; k < it->ntags; k++)
		if (!best || strcasecmp(it->tags[k], best) < 0)
			best = it->tags[k];
	return best;
}

static int
cmp_group(const void *a, const void *b)
{
	const struct digest_group *x = a, *y = b;

	if (!x->tag || !y->tag)
		return (!x->tag) - (!y->tag);
	return strcasecmp(x->tag, y->tag);
}

static int
cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->marked_at != y->marked_at)
		return x->marked_at < y->marked_at ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void
group_items(struct digest *d)
{
	size_t i, g;

	if (!d->items.n)
		return;
	qsort(d->items.v, d->items.n, sizeof(*d->items.v), cmp_item);
	for (i = 0; i < d->items.n; i++) {
		const char *tag = first_tag(&d->items.v[i]);
		struct digest_group *grp = NULL;

		for (g = 0; g < d->ngroups && !grp; g++) {
			const char *gt = d->groups[g].tag;

			if ((!gt && !tag) || (gt && tag && !strcasecmp(gt, tag)))
				grp = &d->groups[g];
		}
		if (!grp) {
			XGROW(d->groups, d->cap_groups, d->ngroups + 1);
			grp = &d->groups[d->ngroups++];
			memset(grp, 0, sizeof(*grp));
			grp->tag = tag ? xstrdup(tag) : NULL;
		}
		XGROW(grp->idx, grp->cap, grp->n + 1);
		grp->idx[grp->n++] = i;
	}
	qsort(d->groups, d->ngroups, sizeof(*d->groups), cmp_group);
}

/* ---- identity: stable, global ids for the feed and its entries ---- */

static bool
http_url(const char *u)
{
	return digest_url_ok(u) && !str_istarts(u, "mailto:");
}

/* RFC 4151 DNSname: dot-separated labels of letters and digits with
 * inner hyphens. */
static bool
dns_name(const char *h, size_t n)
{
	size_t i, lab = 0;

	if (!n)
		return false;
	for (i = 0; i < n; i++) {
		char c = h[i];

		if (c == '.') {
			if (!lab || h[i - 1] == '-')
				return false;
			lab = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			   (c == '-' && lab)) {
			lab++;
		} else {
			return false;
		}
	}
	return lab && h[n - 1] != '-';
}

static bool
hex_digit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* s with every byte outside RFC 3986 pchar (and '/' '?' when path) as %XX:
 * a tag URI's specific part or a fragment. */
static void
add_pchars(struct sbuf *sb, const char *s, bool path)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~!$&'()*+,;=:@", c) ||
		    (path && (c == '/' || c == '?')) ||
		    (c == '%' && path && hex_digit(s[1]) && hex_digit(s[2])))
			sbuf_addch(sb, (int)c);
		else
			sbuf_addf(sb, "%%%02X", c);
	}
}

/* tag:HOST,DATE:PATH (RFC 4151) for an http(s) URL whose host is a DNS
 * name, else NULL. The port, user and fragment are left out. */
static char *
tag_uri(const char *url, const char *date)
{
	const char *h = strstr(url, "://") + 3, *end, *at, *p;
	struct sbuf sb = SBUF_INIT;
	char *host, *rest;
	size_t i, n;

	end = h + strcspn(h, "/?#");
	for (at = h, p = h; p < end; p++)
		if (*p == '@')
			at = p + 1;
	for (p = at; p < end && *p != ':'; p++)
		;
	n = (size_t)(p - at);
	host = xstrndup(at, n);
	for (i = 0; i < n; i++)
		if (host[i] >= 'A' && host[i] <= 'Z')
			host[i] = (char)(host[i] - 'A' + 'a');
	if (!dns_name(host, n)) {
		free(host);
		return NULL;
	}
	rest = xstrndup(end, strcspn(end, "#"));
	sbuf_addf(&sb, "tag:%s,%s:", host, date);
	if (*rest != '/')
		sbuf_addch(&sb, '/');
	add_pchars(&sb, rest, true);
	free(host);
	free(rest);
	return sbuf_detach(&sb, NULL);
}

/* A random (version 4) UUID. */
static char *
new_uuid(void)
{
	char *r = random_hex(16);
	char *u;

	r[12] = '4';
	r[16] = "89ab"[(r[16] >= 'a' ? r[16] - 'a' + 10 : r[16] - '0') & 3];
	u = xasprintf("%.8s-%.4s-%.4s-%.4s-%.12s", r, r + 8, r + 12, r + 16,
		      r + 20);
	free(r);
	return u;
}

/* The feed's id. With a public http(s) URL whose host is a DNS name:
 * tag:HOST,DATE:PATH, DATE the day this store first made a digest for
 * that URL (kept in the store, so the id never changes). Otherwise
 * urn:uuid: of a random UUID made once per store and target. A read-only
 * store that has neither yet gets one that is not kept. */
static int
feed_identity(struct store *st, const struct digest_opts *o,
	      const char *link, char **out, struct err *e)
{
	char iso[32], *key, *made, *v = NULL;
	int rc;

	*out = NULL;
	if (http_url(link)) {
		time_fmt_iso(time_now(), iso, sizeof(iso));
		iso[10] = '\0';
		key = xasprintf("digest.tag-date.%s", link);
		rc = store_meta_once(st, key, iso, &v, e);
		free(key);
		if (rc < 0)
			return -1;
		*out = tag_uri(link, v ? v : iso);
		free(v);
		if (*out)
			return 0;
		v = NULL;
	}
	made = new_uuid();
	key = o->target ? xasprintf("digest.feed-id.%s", o->target)
			: xstrdup("digest.feed-id");
	rc = store_meta_once(st, key, made, &v, e);
	free(key);
	if (rc == 0)
		*out = xasprintf("urn:uuid:%s", v ? v : made);
	free(v);
	free(made);
	return rc;
}

static int
digest_head(struct store *st, const struct digest_opts *o, struct digest *d,
	    struct err *e)
{
	memset(d, 0, sizeof(*d));
	d->title = xstrdup(o->title && *o->title ? o->title : "Digest");
	d->intro = o->intro && *o->intro ? xstrdup(o->intro) : NULL;
	d->link = o->link && *o->link ? xstrdup(o->link) : NULL;
	d->created = time_now();
	d->since = o->since;
	if (o->feed_id && *o->feed_id) {
		d->feed_id = xstrdup(o->feed_id);
		return 0;
	}
	return feed_identity(st, o, d->link, &d->feed_id, e);
}

int
digest_build(struct store *st, const struct digest_opts *o,
	     struct digest *d, struct err *e)
{
	struct item_query q = { 0 };
	size_t i, kept = 0;

	if (digest_head(st, o, d, e) < 0)
		return -1;
	q.query = o->query && *o->query ? o->query : "is:marked";
	q.with_content = false;
	q.with_extras = true;
	q.with_hidden = true;
	q.order = ORDER_OLDEST;
	if (store_items_list(st, &q, &d->items, e) < 0)
		return -1;
	/* The default selection is a window over when items were marked. */
	if (!(o->query && *o->query)) {
		for (i = 0; i < d->items.n; i++) {
			if (d->items.v[i].marked_at >= o->since) {
				if (kept != i) {
					d->items.v[kept] = d->items.v[i];
					memset(&d->items.v[i], 0,
					       sizeof(d->items.v[i]));
				}
				kept++;
			} else {
				item_release(&d->items.v[i]);
			}
		}
		d->items.n = kept;
	}
	group_items(d);
	return 0;
}

int
digest_build_ids(struct store *st, const struct digest_opts *o,
		 const int64_t *ids, size_t n, struct digest *d,
		 struct err *e)
{
	size_t i;

	if (digest_head(st, o, d, e) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct item it;
		struct err ie = { 0 };

		if (store_item_get(st, ids[i], false, &it, &ie) < 0) {
			if (ie.code == ERR_NOTFOUND)
				continue;
			*e = ie;
			return -1;
		}
		XGROW(d->items.v, d->items.cap, d->items.n + 1);
		d->items.v[d->items.n++] = it;
	}
	group_items(d);
	return 0;
}

/* ---- shared bits of the renderings ---- */

static void
date_only(int64_t t, char *buf, size_t n)
{
	char iso[32];

	if (t <= 0) {
		snprintf(buf, n, "%s", "");
		return;
	}
	time_fmt_iso(t, iso, sizeof(iso));
	snprintf(buf, n, "%.10s", iso);
}

static int64_t
item_when(const struct item *it)
{
	return it->published ? it->published : it->fetched;
}

static void
window_line(const struct digest *d, struct sbuf *sb)
{
	char a[16], b[16];

	date_only(d->created, b, sizeof(b));
	if (d->since > 0) {
		date_only(d->since, a, sizeof(a));
		sbuf_addf(sb, "%s to %s", a, b);
	} else {
		sbuf_adds(sb, b);
	}
}

/* Characters (code points) in s, for underlines. */
static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Add s with every line after the first prefixed by indent. */
static void
add_indented(struct sbuf *sb, const char *s, const char *indent)
{
	for (; *s; s++) {
		sbuf_addch(sb, *s);
		if (*s == '\n' && s[1])
			sbuf_adds(sb, indent);
	}
}

static bool
md_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* Whether s (at a '&') starts a character reference, which Markdown
 * would turn into the character: "&name;", "&#123;", "&#x1F;". */
static bool
md_charref(const char *s)
{
	const char *p = s + 1;

	if (*p == '#')
		p++;
	if (!md_alnum(*p))
		return false;
	while (md_alnum(*p))
		p++;
	return *p == ';';
}

static void
md_escape(struct sbuf *sb, const char *s)
{
	for (; *s; s++) {
		/* text is text: "&lt;" in a title must stay "&lt;" */
		if (strchr("\\`*_[]<>#|", *s) || (*s == '&' && md_charref(s)))
			sbuf_addch(sb, '\\');
		sbuf_addch(sb, *s);
	}
}

static void
md_url(struct sbuf *sb, const char *u)
{
	for (; *u; u++) {
		if (*u == '(' || *u == ')' || *u == ' ')
			sbuf_addf(sb, "%%%02X", (unsigned char)*u);
		else
			sbuf_addch(sb, *u);
	}
}

/* ---- Markdown ---- */

static void
md_items(const struct digest *d, struct sbuf *sb)
{
	size_t g, k, n;

	for (g = 0; g < d->ngroups; g++) {
		const struct digest_group *grp = &d->groups[g];
		char *tag = text_clean(grp->tag ? grp->tag : "Other", true);

		sbuf_adds(sb, "## ");
		md_escape(sb, tag);
		sbuf_adds(sb, "\n\n");
		free(tag);
		for (k = 0; k < grp->n; k++) {
			const struct item *it = &d->items.v[grp->idx[k]];
			char *title = text_clean(it->title && *it->title ?
						   it->title : "(untitled)",
						   true);
			char *src = text_clean(it->source_title, true);
			char date[16];

			date_only(item_when(it), date, sizeof(date));
			sbuf_adds(sb, "- ");
			if (digest_url_ok(it->url)) {
				sbuf_addch(sb, '[');
				md_escape(sb, title);
				sbuf_adds(sb, "](");
				md_url(sb, it->url);
				sbuf_addch(sb, ')');
			} else {
				sbuf_adds(sb, "**");
				md_escape(sb, title);
				sbuf_adds(sb, "**");
			}
			if (*src || *date) {
				sbuf_adds(sb, " — ");
				md_escape(sb, src);
				sbuf_adds(sb, *src && *date ? ", " : "");
				sbuf_adds(sb, date);
			}
			sbuf_addch(sb, '\n');
			for (n = 0; n < it->nnotes; n++) {
				const struct note *nt = &it->notes[n];
				char *q = nt->quote ? text_clean(nt->quote,
								   true) : NULL;
				char *b = text_clean(nt->body, false);

				if (q && *q) {
					sbuf_adds(sb, "\n  > ");
					md_escape(sb, q);
					sbuf_addch(sb, '\n');
				}
				if (*b) {
					struct sbuf esc = SBUF_INIT;

					md_escape(&esc, b);
					sbuf_adds(sb, "\n  ");
					add_indented(sb, esc.buf, "  ");
					sbuf_addch(sb, '\n');
					sbuf_release(&esc);
				}
				free(q);
				free(b);
			}
			if (it->nnotes)
				sbuf_addch(sb, '\n');
			free(title);
			free(src);
		}
		sbuf_addch(sb, '\n');
	}
}

static void
md_doc(const struct digest *d, struct sbuf *sb)
{
	char *title = text_clean(d->title, true);

	sbuf_adds(sb, "# ");
	md_escape(sb, title);
	sbuf_adds(sb, "\n\n_");
	window_line(d, sb);
	sbuf_adds(sb, "_\n\n");
	if (d->intro) {
		char *in = text_clean(d->intro, false);

		sbuf_adds(sb, in);
		sbuf_adds(sb, "\n\n");
		free(in);
	}
	md_items(d, sb);
	free(title);
}

/* ---- plain text ---- */

static void
text_items(const struct digest *d, struct sbuf *sb)
{
	size_t g, k, n, i, w;

	for (g = 0; g < d->ngroups; g++) {
		const struct digest_group *grp = &d->groups[g];
		char *tag = text_clean(grp->tag ? grp->tag : "Other", true);

		sbuf_adds(sb, tag);
		sbuf_addch(sb, '\n');
		w = chars(tag);
		for (i = 0; i < w; i++)
			sbuf_addch(sb, '-');
		sbuf_adds(sb, "\n\n");
		free(tag);
		for (k = 0; k < grp->n; k++) {
			const struct item *it = &d->items.v[grp->idx[k]];
			char *title = text_clean(it->title && *it->title ?
						   it->title : "(untitled)",
						   true);
			char *src = text_clean(it->source_title, true);
			char date[16];

			date_only(item_when(it), date, sizeof(date));
			sbuf_addf(sb, "* %s\n", title);
			if (digest_url_ok(it->url))
				sbuf_addf(sb, "  %s\n", it->url);
			if (*src || *date)
				sbuf_addf(sb, "  %s%s%s\n", src,
					  *src && *date ? ", " : "", date);
			for (n = 0; n < it->nnotes; n++) {
				const struct note *nt = &it->notes[n];
				char *q = nt->quote ? text_clean(nt->quote,
								   true) : NULL;
				char *b = text_clean(nt->body, false);

				if (q && *q)
					sbuf_addf(sb, "  > \"%s\"\n", q);
				if (*b) {
					sbuf_adds(sb, "  ");
					add_indented(sb, b, "  ");
					sbuf_addch(sb, '\n');
				}
				free(q);
				free(b);
			}
			sbuf_addch(sb, '\n');
			free(title);
			free(src);
		}
	}
}

static void
text_doc(const struct digest *d, struct sbuf *sb)
{
	char *title = text_clean(d->title, true);
	size_t i, w = chars(title);

	sbuf_adds(sb, title);
	sbuf_addch(sb, '\n');
	for (i = 0; i < w; i++)
		sbuf_addch(sb, '=');
	sbuf_addch(sb, '\n');
	window_line(d, sb);
	sbuf_adds(sb, "\n\n");
	if (d->intro) {
		char *in = text_clean(d->intro, false);

		sbuf_adds(sb, in);
		sbuf_adds(sb, "\n\n");
		free(in);
	}
	text_items(d, sb);
	free(title);
}

/* ---- HTML ---- */

static void
html_text(struct sbuf *sb, const char *s, bool single_line)
{
	char *c = text_clean(s, single_line);

	put_esc(sb, c);
	free(c);
}

/* Paragraphs of a note body: blank lines split, single newlines <br>.
 * Runs between newlines are escaped whole (the escaper checks UTF-8). */
static void
html_paras(struct sbuf *sb, const char *s)
{
	char *c = text_clean(s, false), *p, *run;

	sbuf_adds(sb, "<p>");
	for (p = run = c; ; p++) {
		if (*p && *p != '\n')
			continue;
		text_escape_html(sb, run, (size_t)(p - run));
		if (!*p)
			break;
		if (p[1] == '\n') {
			sbuf_adds(sb, "</p><p>");
			while (p[1] == '\n')
				p++;
		} else {
			sbuf_adds(sb, "<br>");
		}
		run = p + 1;
	}
	sbuf_adds(sb, "</p>");
	free(c);
}

/* One item's notes and quotes as HTML (also Atom and JSON content). */
static void
html_notes(const struct item *it, struct sbuf *sb)
{
	size_t n;

	for (n = 0; n < it->nnotes; n++) {
		const struct note *nt = &it->notes[n];

		if (nt->quote && *nt->quote) {
			sbuf_adds(sb, "<blockquote>");
			html_text(sb, nt->quote, true);
			sbuf_adds(sb, "</blockquote>");
		}
		if (nt->body && *nt->body)
			html_paras(sb, nt->body);
	}
}

static void
html_items(const struct digest *d, struct sbuf *sb)
{
	size_t g, k;

	for (g = 0; g < d->ngroups; g++) {
		const struct digest_group *grp = &d->groups[g];

		sbuf_adds(sb, "<h2>");
		html_text(sb, grp->tag ? grp->tag : "Other", true);
		sbuf_adds(sb, "</h2>\n<ul>\n");
		for (k = 0; k < grp->n; k++) {
			const struct item *it = &d->items.v[grp->idx[k]];
			char date[16];

			date_only(item_when(it), date, sizeof(date));
			sbuf_adds(sb, "<li>");
			if (digest_url_ok(it->url)) {
				sbuf_adds(sb, "<a href=\"");
				put_esc(sb, it->url);
				sbuf_adds(sb, "\">");
			}
			html_text(sb, it->title && *it->title ? it->title
				  : "(untitled)", true);
			if (digest_url_ok(it->url))
				sbuf_adds(sb, "</a>");
			sbuf_adds(sb, " <small>");
			html_text(sb, it->source_title, true);
			if (it->source_title && *date)
				sbuf_adds(sb, ", ");
			sbuf_adds(sb, date);
			sbuf_adds(sb, "</small>");
			html_notes(it, sb);
			sbuf_adds(sb, "</li>\n");
		}
		sbuf_adds(sb, "</ul>\n");
	}
}

static void
html_doc(const struct digest *d, struct sbuf *sb)
{
	struct sbuf w = SBUF_INIT;

	window_line(d, &w);
	sbuf_adds(sb, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
		  "<meta http-equiv=\"Content-Security-Policy\" content=\""
		  "default-src 'none'; img-src https:; "
		  "style-src 'unsafe-inline'\">\n<title>");
	html_text(sb, d->title, true);
	sbuf_adds(sb, "</title></head>\n<body>\n<h1>");
	html_text(sb, d->title, true);
	sbuf_adds(sb, "</h1>\n<p><em>");
	put_esc(sb, w.buf);
	sbuf_adds(sb, "</em></p>\n");
	if (d->intro) {
		html_paras(sb, d->intro);
		sbuf_addch(sb, '\n');
	}
	html_items(d, sb);
	sbuf_adds(sb, "</body></html>\n");
	sbuf_release(&w);
}

/* ---- Atom 1.0 (RFC 4287) ---- */

static void
atom_elem(struct sbuf *sb, const char *name, const char *value)
{
	sbuf_addf(sb, "<%s>", name);
	html_text(sb, value, true);
	sbuf_addf(sb, "</%s>\n", name);
}

/* A guid that is itself a global id: an absolute http(s), tag or urn URI
 * of printable ASCII with no space, quote or angle bracket. */
static bool
guid_uri(const char *g)
{
	const unsigned char *p;

	if (!g || !(http_url(g) || (str_istarts(g, "tag:") && g[4]) ||
		    (str_istarts(g, "urn:") && g[4])))
		return false;
	for (p = (const unsigned char *)g; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || strchr("\"<>\\^`{|}", *p))
			return false;
	return true;
}

/* An entry's id, the same in every run and every store that shares it:
 * the item's guid when that is a URI, else its http(s) link, else the
 * feed's id with a fragment naming the item by its source and guid. */
static char *
entry_id(const struct digest *d, const struct item *it)
{
	struct sbuf sb = SBUF_INIT;

	if (guid_uri(it->guid))
		return xstrdup(it->guid);
	if (http_url(it->url))
		return xstrdup(it->url);
	sbuf_addf(&sb, "%s#item-%lld-", d->feed_id ? d->feed_id : "",
		  (long long)it->source_id);
	if (it->guid && *it->guid)
		add_pchars(&sb, it->guid, false);
	else
		sbuf_addf(&sb, "%lld", (long long)it->id);
	return sbuf_detach(&sb, NULL);
}

/* When an entry was last updated, in milliseconds: when it was marked
 * (else its own updated, published or fetched time), plus the marking's
 * number (else the item's id) modulo 1000 as milliseconds, so that items
 * marked in the same second, which one 'glean mark' does, still have
 * distinct times, in the order they were marked, and each item keeps its
 * time from run to run. */
static int64_t
entry_updated_ms(const struct digest *d, const struct item *it)
{
	int64_t t = it->marked_at ? it->marked_at
		    : it->updated ? it->updated : item_when(it);
	int64_t tie = it->mark_seq ? it->mark_seq : it->id;

	if (t <= 0)
		t = d->created;
	return t * 1000 + (tie % 1000 + 1000) % 1000;
}

/* The feed's updated: when it was made, or its newest entry if later. */
static int64_t
feed_updated_ms(const struct digest *d)
{
	int64_t ms = d->created * 1000, t;
	size_t i;

	for (i = 0; i < d->items.n; i++)
		if ((t = entry_updated_ms(d, &d->items.v[i])) > ms)
			ms = t;
	return ms;
}

/* RFC 3339 with milliseconds: YYYY-MM-DDTHH:MM:SS.mmmZ */
static char *
iso_ms(int64_t ms, char *buf, size_t n)
{
	char iso[32];

	time_fmt_iso(ms / 1000, iso, sizeof(iso));
	snprintf(buf, n, "%.19s.%03dZ", iso, (int)(ms % 1000));
	return buf;
}

static void
atom_doc(const struct digest *d, struct sbuf *sb)
{
	char iso[32];
	size_t g, k, t;

	sbuf_adds(sb, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		  "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
	atom_elem(sb, "id", d->feed_id);
	atom_elem(sb, "title", d->title);
	if (d->intro)
		atom_elem(sb, "subtitle", d->intro);
	atom_elem(sb, "updated", iso_ms(feed_updated_ms(d), iso, sizeof(iso)));
	sbuf_adds(sb, "<author><name>");
	html_text(sb, d->title, true);
	sbuf_adds(sb, "</name></author>\n");
	if (http_url(d->link)) {
		sbuf_adds(sb, "<link rel=\"self\" href=\"");
		put_esc(sb, d->link);
		sbuf_adds(sb, "\"/>\n");
	}
	sbuf_adds(sb, "<generator>glean</generator>\n");
	for (g = 0; g < d->ngroups; g++) {
		const struct digest_group *grp = &d->groups[g];

		for (k = 0; k < grp->n; k++) {
			const struct item *it = &d->items.v[grp->idx[k]];
			struct sbuf html = SBUF_INIT;
			char *id = entry_id(d, it);

			sbuf_adds(sb, "<entry>\n");
			atom_elem(sb, "id", id);
			free(id);
			if (it->title_html && *it->title_html) {
				/* the title's own HTML, as the store keeps it */
				sbuf_adds(sb, "<title type=\"html\">");
				html_text(sb, it->title_html, true);
				sbuf_adds(sb, "</title>\n");
			} else {
				atom_elem(sb, "title", it->title && *it->title ?
					  it->title : "(untitled)");
			}
			atom_elem(sb, "updated", iso_ms(entry_updated_ms(d, it),
							iso, sizeof(iso)));
			if (it->published > 0)
				atom_elem(sb, "published",
					  time_fmt_iso(it->published, iso,
						       sizeof(iso)));
			if (digest_url_ok(it->url)) {
				sbuf_adds(sb, "<link rel=\"alternate\" "
					  "href=\"");
				put_esc(sb, it->url);
				sbuf_adds(sb, "\"/>\n");
			}
			for (t = 0; t < it->ntags; t++) {
				char *c = text_clean(it->tags[t], true);

				sbuf_adds(sb, "<category term=\"");
				put_esc(sb, c);
				sbuf_adds(sb, "\"/>\n");
				free(c);
			}
			sbuf_adds(&html, "<p>");
			html_text(&html, it->source_title, true);
			sbuf_adds(&html, "</p>");
			html_notes(it, &html);
			sbuf_adds(sb, "<content type=\"html\">");
			put_esc(sb, html.buf);
			sbuf_adds(sb, "</content>\n</entry>\n");
			sbuf_release(&html);
		}
	}
	sbuf_adds(sb, "</feed>\n");
}

/* ---- JSON Feed 1.1 ---- */

static void
json_clean(struct json_out *w, const char *key, const char *s,
	   bool single_line)
{
	char *c;

	if (!s)
		return;
	c = text_clean(s, single_line);
	json_key(w, key);
	json_str(w, c);
	free(c);
}

static void
json_doc(const struct digest *d, struct sbuf *sb)
{
	struct json_out w;
	struct sbuf id = SBUF_INIT;
	char iso[32];
	size_t g, k, t, n;

	json_out_init(&w, 2);
	json_obj_begin(&w);
	json_kv_str(&w, "version", "https://jsonfeed.org/version/1.1");
	json_clean(&w, "title", d->title, true);
	json_clean(&w, "description", d->intro, false);
	if (http_url(d->link)) {
		/* the site the feed is published on */
		const char *h = strstr(d->link, "://") + 3;

		sbuf_add(&id, d->link, (size_t)(h - d->link) +
			 strcspn(h, "/?#"));
		sbuf_addch(&id, '/');
		json_kv_str(&w, "home_page_url", id.buf);
		json_kv_str(&w, "feed_url", d->link);
	}
	json_key(&w, "_glean");
	json_obj_begin(&w);
	json_kv_str(&w, "about", GLEAN_ABOUT_URL);
	json_kv_str(&w, "id", d->feed_id);
	json_obj_end(&w);
	json_key(&w, "items");
	json_arr_begin(&w);
	for (g = 0; g < d->ngroups; g++) {
		const struct digest_group *grp = &d->groups[g];

		for (k = 0; k < grp->n; k++) {
			const struct item *it = &d->items.v[grp->idx[k]];
			struct sbuf html = SBUF_INIT;
			char *eid = entry_id(d, it);

			json_obj_begin(&w);
			json_kv_str(&w, "id", eid);
			free(eid);
			if (http_url(it->url))
				json_kv_str(&w, "url", it->url);
			json_clean(&w, "title", it->title && *it->title ?
				   it->title : "(untitled)", true);
			sbuf_adds(&html, "<p>");
			html_text(&html, it->source_title, true);
			sbuf_adds(&html, "</p>");
			html_notes(it, &html);
			json_kv_str(&w, "content_html", html.buf);
			if (it->published > 0)
				json_kv_str(&w, "date_published",
					    time_fmt_iso(it->published, iso,
							 sizeof(iso)));
			json_kv_str(&w, "date_modified",
				    iso_ms(entry_updated_ms(d, it), iso,
					   sizeof(iso)));
			if (it->ntags) {
				json_key(&w, "tags");
				json_arr_begin(&w);
				for (t = 0; t < it->ntags; t++) {
					char *c = text_clean(it->tags[t],
							       true);

					json_str(&w, c);
					free(c);
				}
				json_arr_end(&w);
			}
			json_key(&w, "_glean");
			json_obj_begin(&w);
			json_clean(&w, "source", it->source_title, true);
			json_key(&w, "notes");
			json_arr_begin(&w);
			for (n = 0; n < it->nnotes; n++) {
				json_obj_begin(&w);
				json_clean(&w, "body", it->notes[n].body,
					   false);
				json_clean(&w, "quote", it->notes[n].quote,
					   true);
				json_obj_end(&w);
			}
			json_arr_end(&w);
			json_obj_end(&w);
			json_obj_end(&w);
			sbuf_release(&html);
		}
	}
	json_arr_end(&w);
	json_obj_end(&w);
	sbuf_release(&id);
	sbuf_adds(sb, w.sb.buf);
	sbuf_addch(sb, '\n');
	json_out_release(&w);
}

/* ---- templates ---- */

static void
fill_template(const struct digest *d, enum digest_format f,
	      const char *tmpl, struct sbuf *out)
{
	const char *p = tmpl;

	while (*p) {
		const char *open = strstr(p, "{{"), *close;
		struct sbuf v = SBUF_INIT;
		char name[16];
		size_t len;

		if (!open) {
			sbuf_adds(out, p);
			break;
		}
		close = strstr(open, "}}");
		len = close ? (size_t)(close - open - 2) : sizeof(name);
		if (len >= sizeof(name)) {
			sbuf_add(out, p, (size_t)(open - p) + 2);
			p = open + 2;
			continue;
		}
		sbuf_add(out, p, (size_t)(open - p));
		memcpy(name, open + 2, len);
		name[len] = '\0';
		if (!strcmp(name, "items")) {
			if (f == DIGEST_HTML)
				html_items(d, &v);
			else if (f == DIGEST_MD)
				md_items(d, &v);
			else
				text_items(d, &v);
			sbuf_adds(out, v.buf);
		} else {
			char *c = NULL;

			if (!strcmp(name, "title"))
				c = text_clean(d->title, true);
			else if (!strcmp(name, "intro"))
				c = text_clean(d->intro, false);
			else if (!strcmp(name, "date"))
				window_line(d, &v);
			else if (!strcmp(name, "count"))
				sbuf_addf(&v, "%zu", d->items.n);
			else
				sbuf_add(&v, open, len + 4);
			if (c)
				sbuf_adds(&v, c);
			if (f == DIGEST_HTML)
				put_esc(out, v.buf);
			else
				sbuf_adds(out, v.buf);
			free(c);
		}
		sbuf_release(&v);
		p = close + 2;
	}
}

int
digest_render(const struct digest *d, enum digest_format f,
	      const char *tmpl, struct sbuf *out, struct err *e)
{
	if (tmpl && (f == DIGEST_MD || f == DIGEST_TEXT || f == DIGEST_HTML)) {
		fill_template(d, f, tmpl, out);
		return 0;
	}
	switch (f) {
	case DIGEST_MD: md_doc(d, out); break;
	case DIGEST_TEXT: text_doc(d, out); break;
	case DIGEST_HTML: html_doc(d, out); break;
	case DIGEST_ATOM: atom_doc(d, out); break;
	case DIGEST_JSON: json_doc(d, out); break;
	default:
		return err_set(e, ERR_USAGE, "unknown digest format");
	}
	return 0;
}
