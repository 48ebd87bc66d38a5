/*
 * feed.c: the neutral feed model. It owns struct feed_doc's lifetime, the
 * helpers adapters use to fill one, the entry point parse_feed() that
 * picks a format from the bytes, and the JSON parse dump of DESIGN.md §6.
 * It does not parse any format itself (parse_xml.c, parse_jsonfeed.c) and
 * does no I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glean/json.h"
#include "private.h"
#include "glean/banned.h"

char *
feed_strndup(const char *s, size_t n, size_t max)
{
	struct sbuf sb;
	size_t i = 0, k;
	uint32_t cp;

	if (!s)
		return NULL;
	if (max == 0)
		max = PARSE_MAX_FIELD;
	sbuf_init(&sb, 0);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80) {
			k = 1;
			if (c == 0) {
				i++;
				continue;
			}
			if (sb.len + 1 > max)
				break;
			sbuf_addch(&sb, (char)c);
		} else {
			k = utf8_decode(s + i, n - i, &cp);
			if (k == 0) {
				char out[4];
				int m = utf8_encode(0xFFFD, out);

				if (sb.len + (size_t)m > max)
					break;
				sbuf_add(&sb, out, (size_t)m);
				k = 1;
			} else {
				if (sb.len + k > max)
					break;
				sbuf_add(&sb, s + i, k);
			}
		}
		i += k;
	}
	return sbuf_detach(&sb, NULL);
}

void
feed_set(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? xstrdup(s) : NULL;
}

void
feed_trim(char *s)
{
	size_t n, st = 0;

	if (!s)
		return;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
		     s[n - 1] == '\r' || s[n - 1] == '\f' || s[n - 1] == '\v'))
		n--;
	while (st < n && (s[st] == ' ' || s[st] == '\t' || s[st] == '\n' ||
			  s[st] == '\r' || s[st] == '\f' || s[st] == '\v'))
		st++;
	if (st)
		memmove(s, s + st, n - st);
	s[n - st] = '\0';
}

static const uint16_t cp1252_c1[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

char *
feed_demoronize(char *s)
{
	struct sbuf sb;
	const char *r;

	if (!s || !strstr(s, "\xc2"))
		return s;
	sbuf_init(&sb, 0);
	for (r = s; *r;) {
		unsigned char b = (unsigned char)r[1];

		if ((unsigned char)r[0] == 0xc2 && b >= 0x80 && b <= 0x9f &&
		    cp1252_c1[b - 0x80]) {
			char out[4];
			int n = utf8_encode(cp1252_c1[b - 0x80], out);

			sbuf_add(&sb, out, (size_t)n);
			r += 2;
		} else {
			sbuf_addch(&sb, *r++);
		}
	}
	free(s);
	return sbuf_detach(&sb, NULL);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/*
 * XGROW() for an entry's small lists (links, authors, categories,
 * enclosures), which hold one item far more often than two: they start
 * at one slot, not XGROW()'s eight. Eight unused links were a third of
 * an RSS entry's memory besides its body, every byte of it page-faulted
 * in on a big parse.
 */
#define GROW_SMALL(v, cap, n) grow_small((void **)&(v), &(cap), (n), sizeof(*(v)))

static void
grow_small(void **v, size_t *cap, size_t n, size_t sz)
{
	size_t c = *cap;

	if (n <= c)
		return;
	c = c ? c : 1;
	while (c < n) {
		if (c > SIZE_MAX / 2 / sz)
			die("out of memory (array of %zu)", n);
		c *= 2;
	}
	*v = xrealloc(*v, c * sz);
	*cap = c;
}

struct feed_entry *
feed_doc_add_entry(struct feed_doc *doc)
{
	struct feed_entry *en;

	XGROW(doc->entries, doc->cap_entries, doc->nentries + 1);
	en = &doc->entries[doc->nentries++];
	memset(en, 0, sizeof(*en));
	en->c.published = en->c.updated = FEED_NO_DATE;
	return en;
}

void
feed_add_author(struct feed_common *c, const char *name, const char *email,
		const char *uri)
{
	struct feed_person *p;

	GROW_SMALL(c->authors, c->cap_authors, c->nauthors + 1);
	p = &c->authors[c->nauthors++];
	p->name = dup_or_null(name);
	p->email = dup_or_null(email);
	p->uri = dup_or_null(uri);
}

void
feed_add_link(struct feed_common *c, const char *rel, const char *href,
	      const char *type, const char *title)
{
	struct feed_link *l;

	GROW_SMALL(c->links, c->cap_links, c->nlinks + 1);
	l = &c->links[c->nlinks++];
	memset(l, 0, sizeof(*l));
	l->rel = dup_or_null(rel);
	l->href = dup_or_null(href);
	l->type = dup_or_null(type);
	l->title = dup_or_null(title);
	l->length = -1;
}

void
feed_add_category(struct feed_common *c, const char *term,
		  const char *scheme, const char *label)
{
	struct feed_category *k;

	GROW_SMALL(c->categories, c->cap_categories, c->ncategories + 1);
	k = &c->categories[c->ncategories++];
	k->term = dup_or_null(term);
	k->scheme = dup_or_null(scheme);
	k->label = dup_or_null(label);
}

void
feed_entry_add_enclosure(struct feed_entry *en, const char *url,
			 const char *type, int64_t length)
{
	struct feed_enclosure *x;

	GROW_SMALL(en->enclosures, en->cap_enclosures, en->nenclosures + 1);
	x = &en->enclosures[en->nenclosures++];
	x->url = dup_or_null(url);
	x->type = dup_or_null(type);
	x->length = length;
}

static void
common_release(struct feed_common *c)
{
	size_t i;

	free(c->title);
	free(c->link);
	free(c->id);
	free(c->rights);
	free(c->published_raw);
	free(c->updated_raw);
	for (i = 0; i < c->nauthors; i++) {
		free(c->authors[i].name);
		free(c->authors[i].email);
		free(c->authors[i].uri);
	}
	free(c->authors);
	for (i = 0; i < c->nlinks; i++) {
		free(c->links[i].rel);
		free(c->links[i].href);
		free(c->links[i].type);
		free(c->links[i].title);
		free(c->links[i].hreflang);
	}
	free(c->links);
	for (i = 0; i < c->ncategories; i++) {
		free(c->categories[i].term);
		free(c->categories[i].scheme);
		free(c->categories[i].label);
	}
	free(c->categories);
	memset(c, 0, sizeof(*c));
	c->published = c->updated = FEED_NO_DATE;
}

static void
doc_init(struct feed_doc *doc)
{
	memset(doc, 0, sizeof(*doc));
	doc->feed.published = doc->feed.updated = FEED_NO_DATE;
	doc->ttl = -1;
}

void
feed_doc_release(struct feed_doc *doc)
{
	size_t i, k;

	if (!doc)
		return;
	free(doc->bozo_reason);
	free(doc->encoding);
	free(doc->version);
	free(doc->description);
	free(doc->language);
	common_release(&doc->feed);
	for (i = 0; i < doc->nentries; i++) {
		struct feed_entry *en = &doc->entries[i];

		common_release(&en->c);
		free(en->summary);
		free(en->content);
		free(en->content_type);
		free(en->comments);
		for (k = 0; k < en->nenclosures; k++) {
			free(en->enclosures[k].url);
			free(en->enclosures[k].type);
		}
		free(en->enclosures);
	}
	free(doc->entries);
	doc_init(doc);
}

/* ---- author strings ---- */

static bool
email_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	       c == '+';
}

/*
 * feedparser's rule: the first thing that looks like an address is the
 * email; what is left, minus "()" "<>" and one pair of parentheses, is
 * the name.
 */
void
feed_author_from_text(const char *s, char **name, char **email)
{
	const char *at, *b, *en;
	struct sbuf rest;
	char *t;

	*name = *email = NULL;
	if (!s || !*s)
		return;
	at = strchr(s, '@');
	while (at) {
		b = at;
		while (b > s && email_char(b[-1]))
			b--;
		en = at + 1;
		while (email_char(*en))
			en++;
		/* the domain needs a dot and a final label */
		if (b < at && memchr(at + 1, '.', (size_t)(en - at - 1)) &&
		    en[-1] != '.')
			break;
		at = strchr(at + 1, '@');
	}
	if (!at) {
		t = xstrdup(s);
		feed_trim(t);
		if (*t)
			*name = t;
		else
			free(t);
		return;
	}
	if (str_starts(en, "?subject=")) {
		en += 9;
		while (*en && *en != ' ' && *en != '\t' && *en != '\n')
			en++;
	}
	*email = xstrndup(b, (size_t)(at - b) + (size_t)(en - at));
	{
		/* strip a mailto: style "?subject" part from the address */
		char *q = strchr(*email, '?');

		if (q)
			*q = '\0';
	}
	sbuf_init(&rest, 0);
	sbuf_add(&rest, s, (size_t)(b - s));
	sbuf_adds(&rest, en);
	t = sbuf_detach(&rest, NULL);
	{
		static const char *const junk[] = { "()", "<>", "&lt;&gt;" };
		size_t i;

		for (i = 0; i < ARRAY_SIZE(junk); i++) {
			char *p;

			while ((p = strstr(t, junk[i])))
				memmove(p, p + strlen(junk[i]),
					strlen(p + strlen(junk[i])) + 1);
		}
	}
	feed_trim(t);
	if (t[0] == '(')
		memmove(t, t + 1, strlen(t));
	if (*t && t[strlen(t) - 1] == ')')
		t[strlen(t) - 1] = '\0';
	feed_trim(t);
	if (*t)
		*name = t;
	else
		free(t);
}

/* ---- entry point ---- */

static bool
looks_like_json(const char *s, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
			   s[i] == '\r'))
		i++;
	return i < len && s[i] == '{';
}

int
parse_feed(const char *bytes, size_t len, const struct parse_opts *opts,
	   struct feed_doc *doc, struct err *e)
{
	struct parse_opts o = { 0 };
	struct enc_result r;
	char *base = NULL;
	int rc;

	doc_init(doc);
	if (opts)
		o = *opts;
	if (o.max_field == 0)
		o.max_field = PARSE_MAX_FIELD;
	if (o.content_location && *o.content_location)
		base = url_resolve(o.url, o.content_location);
	else if (o.url)
		base = xstrdup(o.url);

	if (!bytes || len == 0) {
		doc->bozo = true;
		doc->bozo_reason = xstrdup("empty document");
		free(base);
		return err_set(e, ERR_PARSE, "empty document");
	}
	enc_to_utf8(bytes, len, o.content_type, o.content_type != NULL, &r);
	doc->encoding = xstrdup(r.encoding);
	if (r.bozo) {
		doc->bozo = true;
		doc->bozo_reason = xstrdup(r.bozo_reason);
	}
	if (r.json || looks_like_json(r.utf8, r.len)) {
		enc_result_own(&r);
		rc = parse_jsonfeed(r.utf8, r.len, &o, base, doc, e);
	} else {
		/* borrowed UTF-8 was checked for NULs on the way */
		const char *z = r.borrowed && r.no_nul
					? NULL
					: memchr(r.utf8, '\0', r.len);

		rc = parse_xml(r.utf8, r.len, &o, base, doc, e);
		/* U+0000 is no XML character: libxml2 stops there. Where,
		 * in the bytes as they came when they are ASCII-based */
		if (z) {
			const char *b = memchr(bytes, '\0', len);

			if (b && strncmp(doc->encoding, "utf-16", 6) != 0 &&
			    strncmp(doc->encoding, "utf-32", 6) != 0)
				doc->nul_at = (size_t)(b - bytes) + 1;
			else
				doc->nul_at = (size_t)(z - r.utf8) + 1;
		}
	}
	if (doc->cut)
		doc->cut_at = len;
	if (rc < 0) {
		doc->bozo = true;
		if (!doc->bozo_reason)
			doc->bozo_reason = xstrdup(e ? e->msg : "not a feed");
	}
	enc_result_release(&r);
	free(base);
	return rc;
}

/* ---- the dump ---- */

static void
dump_date(struct json_out *w, const char *key, int64_t t)
{
	char buf[32];

	if (t == FEED_NO_DATE)
		return;
	json_kv_str(w, key, time_fmt_iso(t, buf, sizeof(buf)));
}

static void
dump_person(struct json_out *w, const struct feed_person *p)
{
	json_obj_begin(w);
	json_kv_str(w, "name", p->name);
	json_kv_str(w, "email", p->email);
	json_kv_str(w, "uri", p->uri);
	json_obj_end(w);
}

static void
dump_common(struct json_out *w, const struct feed_common *c)
{
	size_t i;

	json_kv_str(w, "title", c->title);
	json_kv_str(w, "link", c->link);
	json_kv_str(w, "id", c->id);
	json_kv_str(w, "rights", c->rights);
	dump_date(w, "published", c->published);
	dump_date(w, "updated", c->updated);
	json_kv_str(w, "published_raw", c->published_raw);
	json_kv_str(w, "updated_raw", c->updated_raw);
	if (c->nauthors) {
		json_key(w, "author");
		dump_person(w, &c->authors[0]);
		json_key(w, "authors");
		json_arr_begin(w);
		for (i = 0; i < c->nauthors; i++)
			dump_person(w, &c->authors[i]);
		json_arr_end(w);
	}
	if (c->nlinks) {
		json_key(w, "links");
		json_arr_begin(w);
		for (i = 0; i < c->nlinks; i++) {
			const struct feed_link *l = &c->links[i];

			json_obj_begin(w);
			json_kv_str(w, "rel", l->rel);
			json_kv_str(w, "href", l->href);
			json_kv_str(w, "type", l->type);
			json_kv_str(w, "title", l->title);
			json_kv_str(w, "hreflang", l->hreflang);
			if (l->length >= 0) {
				json_key(w, "length");
				json_i64(w, l->length);
			}
			json_obj_end(w);
		}
		json_arr_end(w);
	}
	if (c->ncategories) {
		json_key(w, "categories");
		json_arr_begin(w);
		for (i = 0; i < c->ncategories; i++) {
			json_obj_begin(w);
			json_kv_str(w, "term", c->categories[i].term);
			json_kv_str(w, "scheme", c->categories[i].scheme);
			json_kv_str(w, "label", c->categories[i].label);
			json_obj_end(w);
		}
		json_arr_end(w);
	}
}

void
parse_dump_json(const struct feed_doc *doc, struct sbuf *out)
{
	struct json_out w;
	size_t i, k;

	json_out_init(&w, 0);
	json_obj_begin(&w);
	json_key(&w, "doc");
	json_obj_begin(&w);
	json_key(&w, "bozo");
	json_bool(&w, doc->bozo);
	json_kv_str(&w, "encoding", doc->encoding);
	json_kv_str(&w, "version", doc->version);
	json_obj_end(&w);

	json_key(&w, "feed");
	json_obj_begin(&w);
	dump_common(&w, &doc->feed);
	json_kv_str(&w, "description", doc->description);
	json_kv_str(&w, "language", doc->language);
	json_obj_end(&w);

	json_key(&w, "entries");
	json_arr_begin(&w);
	for (i = 0; i < doc->nentries; i++) {
		const struct feed_entry *en = &doc->entries[i];

		json_obj_begin(&w);
		dump_common(&w, &en->c);
		json_kv_str(&w, "summary", en->summary);
		json_kv_str(&w, "content", en->content);
		json_kv_str(&w, "content_type", en->content_type);
		json_kv_str(&w, "comments", en->comments);
		if (en->nenclosures) {
			json_key(&w, "enclosures");
			json_arr_begin(&w);
			for (k = 0; k < en->nenclosures; k++) {
				const struct feed_enclosure *x =
					&en->enclosures[k];

				json_obj_begin(&w);
				json_kv_str(&w, "url", x->url);
				json_kv_str(&w, "type", x->type);
				if (x->length >= 0) {
					json_key(&w, "length");
					json_i64(&w, x->length);
				}
				json_obj_end(&w);
			}
			json_arr_end(&w);
		}
		json_obj_end(&w);
	}
	json_arr_end(&w);
	json_obj_end(&w);
	sbuf_add(out, w.sb.buf, w.sb.len);
	json_out_release(&w);
}
