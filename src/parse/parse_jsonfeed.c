/*
 * parse_jsonfeed.c: JSON Feed 1.0 and 1.1 into the neutral model, read
 * through json.h (SQLite's JSON functions). Each member's type is checked
 * before use; a mistyped member is skipped, not fatal. JSON Feed has no
 * feed-level date, so the newest item date stands in for it (as gofeed
 * does). This file does not sniff the format (feed.c) or clean HTML.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glean/json.h"
#include "private.h"
#include "glean/banned.h"

static char *
field(const struct json *j, const struct json_node *o, const char *key,
      size_t max)
{
	const char *s = json_get_str(j, o, key);

	return s ? feed_strndup(s, strlen(s), max) : NULL;
}

static char *
url_field(const struct json *j, const struct json_node *o, const char *key,
	  const char *base)
{
	const char *s = json_get_str(j, o, key);

	if (!s || !*s)
		return NULL;
	return base ? url_resolve(base, s) : xstrdup(s);
}

static void
add_person(const struct json *j, const struct json_node *a,
	   struct feed_common *c, const char *base)
{
	char *name, *uri;

	if (!a || a->type != JSON_OBJECT)
		return;
	name = field(j, a, "name", 0);
	uri = url_field(j, a, "url", base);
	if (name || uri)
		feed_add_author(c, name, NULL, uri);
	free(name);
	free(uri);
}

static void
add_people(const struct json *j, const struct json_node *o,
	   struct feed_common *c, const char *base)
{
	const struct json_node *arr = json_get(j, o, "authors"), *a;

	if (arr && arr->type == JSON_ARRAY) {
		for (a = json_first(j, arr); a; a = json_next(j, a))
			add_person(j, a, c, base);
	}
	if (!c->nauthors)
		add_person(j, json_get(j, o, "author"), c, base);
}

static void
set_date(const struct json *j, const struct json_node *o, const char *key,
	 int64_t *t, char **raw)
{
	const char *s = json_get_str(j, o, key);

	if (!s || !*s)
		return;
	feed_set(raw, s);
	*t = parse_date(s);
}

static void
parse_item(const struct json *j, const struct json_node *it,
	   struct feed_doc *doc, const char *base, size_t max)
{
	struct feed_entry *en = feed_doc_add_entry(doc);
	const struct json_node *arr, *x;
	const char *id = json_get_id(j, it, "id");
	char *u;

	if (id)
		en->c.id = feed_strndup(id, strlen(id), max);
	en->c.title = field(j, it, "title", max);
	en->summary = field(j, it, "summary", max);
	en->content = field(j, it, "content_html", max);
	if (en->content) {
		en->content_type = xstrdup("text/html");
	} else if ((en->content = field(j, it, "content_text", max))) {
		en->content_type = xstrdup("text/plain");
	}
	u = url_field(j, it, "url", base);
	if (u) {
		feed_add_link(&en->c, "alternate", u, "text/html", NULL);
		en->c.link = u;
	}
	u = url_field(j, it, "external_url", base);
	if (u) {
		feed_add_link(&en->c, "related", u, NULL, NULL);
		free(u);
	}
	set_date(j, it, "date_published", &en->c.published,
		 &en->c.published_raw);
	set_date(j, it, "date_modified", &en->c.updated, &en->c.updated_raw);
	add_people(j, it, &en->c, base);
	arr = json_get(j, it, "tags");
	if (arr && arr->type == JSON_ARRAY)
		for (x = json_first(j, arr); x; x = json_next(j, x))
			if (x->type == JSON_TEXT && x->text)
				feed_add_category(&en->c, x->text, NULL, NULL);
	arr = json_get(j, it, "attachments");
	if (arr && arr->type == JSON_ARRAY) {
		for (x = json_first(j, arr); x; x = json_next(j, x)) {
			int64_t n = -1;
			const char *type = json_get_str(j, x, "mime_type");

			u = url_field(j, x, "url", base);
			if (!u)
				continue;
			json_get_i64(j, x, "size_in_bytes", &n);
			feed_add_link(&en->c, "enclosure", u, type,
				      json_get_str(j, x, "title"));
			en->c.links[en->c.nlinks - 1].length = n;
			feed_entry_add_enclosure(en, u, type, n);
			free(u);
		}
	}
}

int
parse_jsonfeed(const char *utf8, size_t len, const struct parse_opts *opts,
	       const char *base, struct feed_doc *doc, struct err *e)
{
	struct json j = { 0 };
	const struct json_node *root, *items, *it;
	const char *v;
	char *u;
	size_t i, max = opts->max_field;

	if (len >= 3 && memcmp(utf8, "\xef\xbb\xbf", 3) == 0) {
		utf8 += 3;
		len -= 3;
	}
	if (json_parse(&j, utf8, len, e) < 0)
		return err_prefix(e, "not a JSON feed");
	root = json_root(&j);
	if (!root || root->type != JSON_OBJECT) {
		json_release(&j);
		return err_set(e, ERR_PARSE, "not a JSON feed: no object");
	}
	v = json_get_str(&j, root, "version");
	feed_set(&doc->version, v && strstr(v, "1.1") ? "json11" : "json10");
	if (!v || !strstr(v, "jsonfeed.org")) {
		/* still a feed if it has items */
		items = json_get(&j, root, "items");
		if (!items || items->type != JSON_ARRAY) {
			json_release(&j);
			return err_set(e, ERR_PARSE,
				       "not a JSON feed: no version or items");
		}
	}
	doc->feed.title = field(&j, root, "title", max);
	doc->description = field(&j, root, "description", max);
	doc->language = field(&j, root, "language", max);
	u = url_field(&j, root, "home_page_url", base);
	if (u) {
		feed_add_link(&doc->feed, "alternate", u, "text/html", NULL);
		doc->feed.link = u;
	}
	u = url_field(&j, root, "feed_url", base);
	if (u) {
		feed_add_link(&doc->feed, "self", u, "application/feed+json",
			      NULL);
		free(u);
	}
	add_people(&j, root, &doc->feed, base);
	items = json_get(&j, root, "items");
	if (!items || items->type != JSON_ARRAY) {
		/* a feed says what it has, even nothing: [] */
		json_release(&j);
		return err_set(e, ERR_PARSE, "JSON feed without an items list");
	}
	for (it = json_first(&j, items); it; it = json_next(&j, it))
		if (it->type == JSON_OBJECT)
			parse_item(&j, it, doc, base, max);
	for (i = 0; i < doc->nentries; i++) {
		struct feed_common *c = &doc->entries[i].c;

		if (c->published != FEED_NO_DATE &&
		    (doc->feed.published == FEED_NO_DATE ||
		     c->published > doc->feed.published))
			doc->feed.published = c->published;
		if (c->updated != FEED_NO_DATE &&
		    (doc->feed.updated == FEED_NO_DATE ||
		     c->updated > doc->feed.updated))
			doc->feed.updated = c->updated;
	}
	json_release(&j);
	return 0;
}
