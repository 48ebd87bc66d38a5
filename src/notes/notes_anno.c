/*
 * Notes and quotes as W3C Web Annotations (https://www.w3.org/TR/
 * annotation-model/), out and back in.
 *
 * Out: one AnnotationCollection whose `first` is the one embedded
 * AnnotationPage holding every annotation (model §5: a collection with
 * annotations MUST have `first`; a page MUST have `items`). A note is one
 * Annotation: its quote a TextQuoteSelector (exact, prefix, suffix) on a
 * SpecificResource whose source is the item's link, its text a
 * TextualBody (text/plain, purpose commenting), the item's tags
 * TextualBodies with purpose tagging. Every annotation carries its own
 * @context, so each stands alone (the W3C assertions test them one by
 * one). Ids are urn:uuid: made from a random id the store keeps
 * (meta "annotation-id") and the note's id: the same note gets the same
 * id in every export, another store's notes other ids.
 *
 * In: the same shapes (and a bare page, one annotation or an array of
 * them); each annotation is attached to the item whose link is its
 * target's source. The store adds a note only when the item has no note
 * with the same text, quote and context, so importing twice adds
 * nothing twice.
 *
 * JSON is written and read through src/json (SQLite's JSON functions).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glean/json.h"
#include "glean/notes.h"
#include "private.h"
#include "glean/banned.h"

#define ANNO_CONTEXT "http://www.w3.org/ns/anno.jsonld"
#define ANNO_MAX_PAGES 10000 /* embedded pages followed through next */

/* A UUID (version 8: made by glean from a hash) for name under base. */
static void
uuid_of(const char *base, const char *name, char out[46])
{
	uint64_t a = hash64(name, strlen(name), hash64(base, strlen(base), 1));
	uint64_t b = hash64(name, strlen(name), hash64(base, strlen(base), 2));

	a = (a & ~0xf000ULL) | 0x8000ULL;                   /* version 8 */
	b = (b & ~(3ULL << 62)) | (2ULL << 62);             /* RFC variant */
	snprintf(out, 46, "urn:uuid:%08llx-%04llx-%04llx-%04llx-%012llx",
		 (unsigned long long)(a >> 32),
		 (unsigned long long)((a >> 16) & 0xffff),
		 (unsigned long long)(a & 0xffff),
		 (unsigned long long)(b >> 48),
		 (unsigned long long)(b & 0xffffffffffffULL));
}

/* The store's random base for annotation ids, made once and kept; a
 * read-only store without one gets a random one for this export. */
static char *
id_base(struct store *st, struct err *e)
{
	char *made = random_hex(16), *v = NULL;

	if (store_meta_once(st, "annotation-id", made, &v, e) < 0) {
		free(made);
		return NULL;
	}
	if (!v)
		return made;
	free(made);
	return v;
}

static void
put_text(struct json_out *w, const char *key, const char *s, bool line)
{
	char *c = text_clean(s, line);

	json_key(w, key);
	json_str(w, c);
	free(c);
}

/* Quote and context as stored: only controls go (a selector must match
 * the page's text, so spaces are kept). */
static void
put_raw(struct json_out *w, const char *key, const char *s)
{
	char *c;

	if (!s || !*s)
		return;
	c = text_sanitize(s, strlen(s), false);
	json_key(w, key);
	json_str(w, c);
	free(c);
}

static void
put_agents(struct json_out *w, const struct notes_anno_opts *o)
{
	json_key(w, "creator");
	json_obj_begin(w);
	json_kv_str(w, "type", "Person");
	if (o->creator && *o->creator)
		put_text(w, "name", o->creator, true);
	json_obj_end(w);
	json_key(w, "generator");
	json_obj_begin(w);
	json_kv_str(w, "type", "Software");
	json_key(w, "name");
	{
		char *n = xasprintf("glean %s", o->version ? o->version : "");

		json_str(w, str_trim(n));
		free(n);
	}
	json_obj_end(w);
}

static void
put_annotation(struct json_out *w, const struct notes_anno_opts *o,
	       const char *base, const struct item *it, const struct note *n)
{
	struct sbuf url = SBUF_INIT;
	char id[46], ts[32], name[32];
	char *body = text_clean(n->body, false);
	char *exact = n->quote ? text_sanitize(n->quote, strlen(n->quote),
					       false) : NULL;
	bool quote = exact && *str_trim(exact); /* a selector needs exact */
	size_t k;

	notes_url_put(&url, it->url, false);
	snprintf(name, sizeof(name), "note/%lld", (long long)n->id);
	uuid_of(base, name, id);
	json_obj_begin(w);
	json_kv_str(w, "@context", ANNO_CONTEXT);
	json_kv_str(w, "id", id);
	json_kv_str(w, "type", "Annotation");
	json_kv_str(w, "motivation", *body ? "commenting" : "highlighting");
	json_kv_str(w, "created", time_fmt_iso(n->created, ts, sizeof(ts)));
	json_kv_str(w, "modified", time_fmt_iso(n->updated ? n->updated
						 : n->created, ts, sizeof(ts)));
	put_agents(w, o);
	if (*body || it->ntags) {
		json_key(w, "body");
		json_arr_begin(w);
		if (*body) {
			json_obj_begin(w);
			json_kv_str(w, "type", "TextualBody");
			json_kv_str(w, "value", body);
			json_kv_str(w, "format", "text/plain");
			json_kv_str(w, "purpose", "commenting");
			json_obj_end(w);
		}
		for (k = 0; k < it->ntags; k++) {
			json_obj_begin(w);
			json_kv_str(w, "type", "TextualBody");
			put_text(w, "value", it->tags[k], true);
			json_kv_str(w, "purpose", "tagging");
			json_obj_end(w);
		}
		json_arr_end(w);
	}
	json_key(w, "target");
	if (!quote) {
		json_str(w, url.buf);
	} else {
		json_obj_begin(w);
		json_kv_str(w, "type", "SpecificResource");
		json_kv_str(w, "source", url.buf);
		json_key(w, "selector");
		json_obj_begin(w);
		json_kv_str(w, "type", "TextQuoteSelector");
		put_raw(w, "exact", n->quote);
		put_raw(w, "prefix", n->prefix);
		put_raw(w, "suffix", n->suffix);
		json_obj_end(w);
		json_obj_end(w);
	}
	json_obj_end(w);
	free(body);
	free(exact);
	sbuf_release(&url);
}

int
notes_anno_write(struct store *st, const struct notes_anno_opts *o,
		 struct sbuf *out, size_t *n, size_t *skipped, struct err *e)
{
	struct item_query q = { 0 };
	struct item_list items = { 0 };
	struct json_out w;
	char cid[46], pid[46], ts[32];
	char *base;
	size_t i, k, total = 0;

	*n = *skipped = 0;
	if (!(base = id_base(st, e)))
		return -1;
	q.query = "has:note";
	q.with_hidden = true;
	q.with_extras = true;
	q.order = ORDER_OLDEST;
	if (store_items_list(st, &q, &items, e) < 0) {
		free(base);
		return -1;
	}
	for (i = 0; i < items.n; i++) {
		if (notes_url_ok(items.v[i].url))
			total += items.v[i].nnotes;
		else
			*skipped += items.v[i].nnotes;
	}
	uuid_of(base, "collection", cid);
	uuid_of(base, "collection/page/0", pid);
	json_out_init(&w, 2);
	json_obj_begin(&w);
	json_kv_str(&w, "@context", ANNO_CONTEXT);
	json_kv_str(&w, "id", cid);
	json_kv_str(&w, "type", "AnnotationCollection");
	json_kv_str(&w, "label", "Notes and quotes from glean");
	json_key(&w, "total");
	json_i64(&w, (int64_t)total);
	json_kv_str(&w, "modified", time_fmt_iso(time_now(), ts, sizeof(ts)));
	if (total) {
		json_key(&w, "first");
		json_obj_begin(&w);
		json_kv_str(&w, "id", pid);
		json_kv_str(&w, "type", "AnnotationPage");
		json_kv_str(&w, "partOf", cid);
		json_key(&w, "startIndex");
		json_i64(&w, 0);
		json_key(&w, "items");
		json_arr_begin(&w);
		for (i = 0; i < items.n; i++) {
			const struct item *it = &items.v[i];

			if (!notes_url_ok(it->url))
				continue;
			for (k = 0; k < it->nnotes; k++) {
				put_annotation(&w, o, base, it, &it->notes[k]);
				(*n)++;
			}
		}
		json_arr_end(&w);
		json_obj_end(&w);
		json_kv_str(&w, "last", pid);
	}
	json_obj_end(&w);
	sbuf_add(out, w.sb.buf, w.sb.len);
	sbuf_addch(out, '\n');
	json_out_release(&w);
	item_list_release(&items);
	free(base);
	return 0;
}

/* ---- reading ---- */

void
notes_import_report_release(struct notes_import_report *r)
{
	size_t i;

	for (i = 0; i < r->nunknown; i++)
		free(r->unknown[i]);
	for (i = 0; i < r->nproblems; i++)
		free(r->problems[i]);
	free(r->unknown);
	free(r->problems);
	memset(r, 0, sizeof(*r));
}

static void
problem(struct notes_import_report *r, const char *fmt, ...)
	PRINTF_LIKE(2, 3);

static void
problem(struct notes_import_report *r, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	r->problems = xrealloc(r->problems,
			       (r->nproblems + 1) * sizeof(char *));
	r->problems[r->nproblems++] = sbuf_detach(&sb, NULL);
}

/* True when node's "type" is name or an array holding it. */
static bool
has_word(const struct json *j, const struct json_node *o, const char *key,
	 const char *name)
{
	const struct json_node *t = json_get(j, o, key), *x;

	if (!t)
		return false;
	if (t->type == JSON_TEXT)
		return !strcmp(t->text, name);
	if (t->type != JSON_ARRAY)
		return false;
	for (x = json_first(j, t); x; x = json_next(j, x))
		if (x->type == JSON_TEXT && !strcmp(x->text, name))
			return true;
	return false;
}

/* An xsd:dateTime (RFC 3339: Z or an offset, optional fraction) as epoch
 * seconds; 0 when it is not one. */
static int64_t
parse_time(const char *s)
{
	int y, mo, d, h, mi, sec, n = 0, sign;
	int64_t t;
	const char *p;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi,
			 &sec, &n) != 6 || n != 19 || mo < 1 || mo > 12 ||
	    d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return 0;
	t = time_from_utc(y, mo, d, h, mi, sec);
	p = s + 19;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (*p == 'Z' || *p == 'z')
		return t;
	if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) &&
	    sscanf(p + 1, "%2d:%2d", &h, &mi) == 2) {
		sign = *p == '+' ? 1 : -1;
		return t - sign * (h * 3600 + mi * 60);
	}
	return 0;
}

/* The first target with a source: its link and its quote selector. */
static const char *
target_of(const struct json *j, const struct json_node *a,
	  const struct json_node **sel)
{
	const struct json_node *t = json_get(j, a, "target"), *x;

	*sel = NULL;
	if (t && t->type == JSON_ARRAY)
		t = json_first(j, t);
	if (!t)
		return NULL;
	if (t->type == JSON_TEXT)
		return t->text;
	if (t->type != JSON_OBJECT)
		return NULL;
	x = json_get(j, t, "selector");
	if (x && x->type == JSON_ARRAY) {
		const struct json_node *y;

		for (y = json_first(j, x); y; y = json_next(j, y))
			if (has_word(j, y, "type", "TextQuoteSelector"))
				break;
		x = y;
	}
	if (x && x->type == JSON_OBJECT &&
	    has_word(j, x, "type", "TextQuoteSelector"))
		*sel = x;
	if (json_get_str(j, t, "source"))
		return json_get_str(j, t, "source");
	return json_get_str(j, t, "id");
}

/* The note's text (commenting bodies and bodyValue, joined by blank
 * lines) into text; tagging bodies into tags, NUL-separated. */
static void
bodies_of(const struct json *j, const struct json_node *a, struct sbuf *text,
	  struct sbuf *tags)
{
	const struct json_node *b = json_get(j, a, "body"), *x;
	const char *bv = json_get_str(j, a, "bodyValue");

	if (bv && *bv)
		sbuf_adds(text, bv);
	if (!b)
		return;
	x = b->type == JSON_ARRAY ? json_first(j, b) : b;
	for (; x; x = b->type == JSON_ARRAY ? json_next(j, x) : NULL) {
		const char *v = json_get_str(j, x, "value");

		if (x->type != JSON_OBJECT || !v || !*v)
			continue;
		if (has_word(j, x, "purpose", "tagging")) {
			sbuf_add(tags, v, strlen(v) + 1);
		} else {
			if (text->len)
				sbuf_adds(text, "\n\n");
			sbuf_adds(text, v);
		}
	}
}

static void
unknown_add(struct notes_import_report *r, const char *url)
{
	size_t i;

	r->nunknown_notes++;
	for (i = 0; i < r->nunknown; i++)
		if (!strcmp(r->unknown[i], url))
			return;
	r->unknown = xrealloc(r->unknown, (r->nunknown + 1) * sizeof(char *));
	r->unknown[r->nunknown++] = xstrdup(url);
}

/* A field from another tool, kept within what the store takes. */
static char *
field(const char *s, bool line)
{
	char *c;

	if (!s || !*s)
		return NULL;
	c = text_sanitize(s, strnlen(s, 1 << 20), line);
	return c;
}

static int
import_one(struct store *st, const struct json *j, const struct json_node *a,
	   size_t nth, struct notes_import_report *r, struct err *e)
{
	const struct json_node *sel;
	const char *url = target_of(j, a, &sel);
	struct sbuf text = SBUF_INIT, tags = SBUF_INIT;
	struct note n = { 0 };
	int64_t id = 0;
	bool added;
	const char *t;
	int rc = 0, pass;

	r->annotations++;
	if (!has_word(j, a, "type", "Annotation")) {
		problem(r, "item %zu is not an Annotation; skipped", nth);
		return 0;
	}
	if (!url || !*url) {
		problem(r, "annotation %zu has no target; skipped", nth);
		return 0;
	}
	if (store_item_find_url(st, url, &id, e) < 0)
		return -1;
	for (pass = 0; !id && pass < 2; pass++) {
		/* the export encoded what a URI cannot hold; the store may
		 * hold the link with all of it raw, or its IRI characters */
		char *plain = notes_url_unput(url, pass == 0);

		if (strcmp(plain, url) &&
		    store_item_find_url(st, plain, &id, e) < 0) {
			free(plain);
			return -1;
		}
		free(plain);
	}
	if (!id) {
		unknown_add(r, url);
		return 0;
	}
	bodies_of(j, a, &text, &tags);
	n.body = field(text.buf, false);
	if (sel) {
		n.quote = field(json_get_str(j, sel, "exact"), false);
		n.prefix = field(json_get_str(j, sel, "prefix"), false);
		n.suffix = field(json_get_str(j, sel, "suffix"), false);
	}
	if (!n.quote) {
		free(n.prefix);
		free(n.suffix);
		n.prefix = n.suffix = NULL;
	}
	if ((!n.body || !*str_trim(n.body)) && !n.quote) {
		if (!tags.len)
			problem(r, "annotation %zu on '%s' has neither text "
				"nor a quote; skipped", nth, url);
	} else {
		n.created = parse_time(json_get_str(j, a, "created"));
		if (!n.created)
			n.created = time_now();
		n.updated = parse_time(json_get_str(j, a, "modified"));
		if (store_note_import(st, id, &n, &added, e) < 0) {
			rc = -1;
			goto out;
		}
		if (added)
			r->added++;
		else
			r->existing++;
	}
	for (t = tags.buf; t < tags.buf + tags.len; t += strlen(t) + 1) {
		char *tag = text_clean(t, true);
		bool changed = false;

		if (*tag && strlen(tag) <= TAG_MAX_BYTES &&
		    store_item_tag_changed(st, id, tag, true, &changed,
					   e) < 0) {
			free(tag);
			rc = -1;
			goto out;
		}
		r->tags += changed;
		free(tag);
	}
out:
	note_release(&n);
	sbuf_release(&text);
	sbuf_release(&tags);
	return rc;
}

/* Each annotation in a page's items. */
static int
import_items(struct store *st, const struct json *j,
	     const struct json_node *items, struct notes_import_report *r,
	     struct err *e)
{
	const struct json_node *a;

	if (!items || items->type != JSON_ARRAY)
		return 0;
	for (a = json_first(j, items); a; a = json_next(j, a))
		if (import_one(st, j, a, r->annotations + 1, r, e) < 0)
			return -1;
	return 0;
}

int
notes_anno_read(struct store *st, const char *text, size_t len,
		struct notes_import_report *r, struct err *e)
{
	struct json j = { 0 };
	const struct json_node *root, *page;
	int rc = -1, pages = 0;

	memset(r, 0, sizeof(*r));
	if (json_parse(&j, text, len, e) < 0)
		return -1;
	root = json_root(&j);
	if (store_begin(st, true, e) < 0)
		goto out;
	if (root->type == JSON_ARRAY) {
		rc = import_items(st, &j, root, r, e);
	} else if (has_word(&j, root, "type", "AnnotationCollection")) {
		page = json_get(&j, root, "first");
		rc = 0;
		while (rc == 0 && page && page->type == JSON_OBJECT &&
		       pages++ < ANNO_MAX_PAGES) {
			rc = import_items(st, &j, json_get(&j, page, "items"),
					  r, e);
			page = json_get(&j, page, "next");
		}
		if (rc == 0 && page && page->type == JSON_TEXT)
			problem(r, "the collection's page '%s' is only linked, "
				"not in the file; glean reads embedded pages "
				"only", page->text);
		else if (rc == 0 && page && page->type != JSON_OBJECT)
			problem(r, "the collection's page is not an "
				"AnnotationPage; nothing read from it");
	} else if (has_word(&j, root, "type", "AnnotationPage")) {
		rc = import_items(st, &j, json_get(&j, root, "items"), r, e);
	} else if (has_word(&j, root, "type", "Annotation")) {
		rc = import_one(st, &j, root, 1, r, e);
	} else {
		rc = err_set(e, ERR_PARSE, "not Web Annotations: expected an "
			     "AnnotationCollection, an AnnotationPage, an "
			     "Annotation or an array of them");
	}
	if (rc == 0)
		rc = store_commit(st, e);
	else
		store_rollback(st);
out:
	json_release(&j);
	return rc;
}
