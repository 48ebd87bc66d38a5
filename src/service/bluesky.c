/*
 * bluesky.c: a Bluesky list read with app.bsky.feed.getListFeed on a
 * public AppView (no login). It owns resolving the list owner's handle to
 * a DID (com.atproto.identity.resolveHandle, once; the DID is kept in the
 * source's paging state), the feedViewPost → entry mapping (text and
 * facets → HTML with links in full, reposts shown with the original
 * author, quotes, images, video and link cards) and the paging: newest
 * first, following `cursor` until a post seen last run, first-run-depth,
 * or the end of the feed.
 *
 * Reading sends no request itself (seek does), stores nothing and knows
 * no other service.
 *
 * Posting (share ops, requests through share_http in post.c):
 * bluesky target: the digest as a thread of app.bsky.feed.post records,
 * each within 300 graphemes (counted with pcre2 \X via rx_graphemes),
 * with a link facet for every URL (UTF-8 byte offsets). The session comes
 * from the account's app password (com.atproto.server.createSession) and
 * is refreshed once when a call answers ExpiredToken. Each part has its
 * own record key (a TID fixed when it is planned), so a lost answer is
 * resolved with com.atproto.repo.getRecord: found means posted, not found
 * means safe to post, and the same key can never make two records.
 * remote_id holds "URI CID" (replies need both).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glean/fetch.h"
#include "glean/json.h"
#include "glean/service.h"
#include "glean/banned.h"

#define PAGE_LIMIT 50
#define SEEN_MAX 20
#define MAX_PAGES 10

struct bluesky {
	char *handle, *rkey, *did;
	bool resolving;
	char **old_seen;
	size_t nold;
	int64_t old_newest;     /* sort time of the newest post last run */
	char *seen[SEEN_MAX];   /* first keys of this run, newest first */
	size_t nseen;
	int64_t newest;
	int64_t got;
};

static void
feed_url(struct social_run *r, const char *cursor)
{
	struct bluesky *b = r->priv;
	struct sbuf sb = SBUF_INIT, list = SBUF_INIT;
	int64_t lim = r->depth < PAGE_LIMIT ? r->depth : PAGE_LIMIT;

	if (b->old_seen)
		lim = PAGE_LIMIT;
	sbuf_addf(&list, "at://%s/app.bsky.graph.list/%s", b->did, b->rkey);
	sbuf_addf(&sb, "%s/xrpc/app.bsky.feed.getListFeed?list=", r->base);
	social_url_escape(&sb, list.buf);
	sbuf_addf(&sb, "&limit=%lld", (long long)(lim > 0 ? lim : 1));
	if (cursor) {
		sbuf_adds(&sb, "&cursor=");
		social_url_escape(&sb, cursor);
	}
	social_set_req(r, sb.buf);
	sbuf_release(&sb);
	sbuf_release(&list);
}

static int
b_begin(struct social_run *r, struct err *e)
{
	struct bluesky *b = xcalloc(1, sizeof(*b));
	const char *p = strstr(r->src_url, "/profile/"), *q;
	struct json j = { 0 };

	r->priv = b;
	q = p ? strstr(p + 9, "/lists/") : NULL;
	if (!p || !q || !q[7])
		return err_set(e, ERR_USAGE, "'%s' is not a Bluesky list URL",
			       r->src_url);
	b->handle = xstrndup(p + 9, (size_t)(q - p - 9));
	b->rkey = xstrndup(q + 7, strcspn(q + 7, "/?#"));
	if (r->cursor_in && json_parse(&j, r->cursor_in,
				       strlen(r->cursor_in), NULL) == 0) {
		const struct json_node *root = json_root(&j), *s;
		const char *did = json_get_str(&j, root, "did");

		if (did && str_starts(did, "did:"))
			b->did = xstrdup(did);
		if (json_get_i64(&j, root, "newest", &b->old_newest) < 0)
			b->old_newest = 0;
		s = social_get(&j, root, "seen", JSON_ARRAY);
		b->old_seen = xcalloc(SEEN_MAX + 1, sizeof(char *));
		for (s = s ? json_first(&j, s) : NULL; s && b->nold < SEEN_MAX;
		     s = json_next(&j, s))
			if (s->type == JSON_TEXT)
				b->old_seen[b->nold++] = xstrdup(s->text);
		json_release(&j);
	}
	if (!b->did && str_starts(b->handle, "did:"))
		b->did = xstrdup(b->handle);
	r->doc.feed.title = xasprintf("Bluesky list %s/%s", b->handle,
				      b->rkey);
	if (b->did) {
		feed_url(r, NULL);
	} else {
		struct sbuf sb = SBUF_INIT;

		b->resolving = true;
		sbuf_addf(&sb, "%s/xrpc/com.atproto.identity.resolveHandle"
			  "?handle=", r->base);
		social_url_escape(&sb, b->handle);
		social_set_req(r, sb.buf);
		sbuf_release(&sb);
	}
	return 0;
}

/* Anchor text for a link facet: the full URI when the post shows a
 * shortened form of it ("example.com/long/pa..."), else the post's own
 * words. */
static bool
shortened(const char *seg, size_t n, const char *uri)
{
	const char *u = uri;
	size_t k = n;

	if (str_starts(u, "https://"))
		u += 8;
	else if (str_starts(u, "http://"))
		u += 7;
	if (n >= 3 && !memcmp(seg + n - 3, "...", 3))
		k = n - 3;
	else if (n >= 3 && !memcmp(seg + n - 3, "\xe2\x80\xa6", 3))
		k = n - 3;
	if (k >= 8 && !strncmp(seg, "https://", 8)) {
		seg += 8;
		k -= 8;
	} else if (k >= 7 && !strncmp(seg, "http://", 7)) {
		seg += 7;
		k -= 7;
	}
	return k > 0 && strlen(u) >= k && !strncmp(u, seg, k);
}

struct facet {
	int64_t start, end;
	const char *href;
	char *owned;
	bool link;
};

static int
facet_cmp(const void *a, const void *b)
{
	const struct facet *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* record.text + record.facets → HTML in out. -1 on a mistyped facet. */
static int
rich_text(const struct json *j, const struct json_node *rec, const char *text,
	  struct sbuf *out)
{
	const struct json_node *arr = json_get(j, rec, "facets"), *f;
	struct facet *v = NULL;
	size_t nv = 0, cap = 0, i;
	int64_t len = (int64_t)strlen(text), pos = 0;
	int rc = -1;

	if (arr && arr->type != JSON_NULL && arr->type != JSON_ARRAY)
		return -1;
	for (f = arr && arr->type == JSON_ARRAY ? json_first(j, arr) : NULL; f;
	     f = json_next(j, f)) {
		const struct json_node *feats, *ft;
		struct facet x = { 0 };
		const char *type;

		if (f->type != JSON_OBJECT ||
		    json_get_i64(j, f, "index.byteStart", &x.start) < 0 ||
		    json_get_i64(j, f, "index.byteEnd", &x.end) < 0 ||
		    !(feats = social_get(j, f, "features", JSON_ARRAY)))
			goto out;
		for (ft = json_first(j, feats); ft; ft = json_next(j, ft)) {
			const char *val;

			if (social_req_str(j, ft, "$type", &type) < 0)
				goto out;
			if (str_ends(type, "#link")) {
				if (social_req_str(j, ft, "uri", &val) < 0)
					goto out;
				x.href = val;
				x.link = true;
			} else if (str_ends(type, "#mention")) {
				if (social_req_str(j, ft, "did", &val) < 0)
					goto out;
				x.owned = xasprintf("https://bsky.app/profile/%s",
						    val);
			} else if (str_ends(type, "#tag")) {
				struct sbuf t = SBUF_INIT;

				if (social_req_str(j, ft, "tag", &val) < 0)
					goto out;
				sbuf_adds(&t, "https://bsky.app/hashtag/");
				social_url_escape(&t, val);
				x.owned = sbuf_detach(&t, NULL);
			}
			if (x.href || x.owned)
				break;
		}
		if (!x.href && !x.owned)
			continue;
		if (!x.href)
			x.href = x.owned;
		XGROW(v, cap, nv + 1);
		v[nv++] = x;
	}
	if (nv)
		qsort(v, nv, sizeof(*v), facet_cmp);
	for (i = 0; i < nv; i++) {
		const char *h = v[i].href;

		/* out of range, overlapping or splitting a character: plain */
		if (v[i].start < pos || v[i].end > len ||
		    v[i].end <= v[i].start ||
		    ((unsigned char)text[v[i].start] & 0xC0) == 0x80 ||
		    (v[i].end < len &&
		     ((unsigned char)text[v[i].end] & 0xC0) == 0x80))
			continue;
		if (!str_starts(h, "https://") && !str_starts(h, "http://"))
			continue;
		social_html_escape(out, text + pos, (size_t)(v[i].start - pos));
		sbuf_adds(out, "<a href=\"");
		social_html_escape(out, h, strlen(h));
		sbuf_adds(out, "\">");
		if (v[i].link && shortened(text + v[i].start,
					   (size_t)(v[i].end - v[i].start), h))
			social_html_escape(out, h, strlen(h));
		else
			social_html_escape(out, text + v[i].start,
					   (size_t)(v[i].end - v[i].start));
		sbuf_adds(out, "</a>");
		pos = v[i].end;
	}
	social_html_escape(out, text + pos, (size_t)(len - pos));
	rc = 0;
out:
	for (i = 0; i < nv; i++)
		free(v[i].owned);
	free(v);
	return rc;
}

static char *
profile_author(const struct json *j, const struct json_node *p,
	       const char **handle)
{
	const char *display;

	if (!p || p->type != JSON_OBJECT ||
	    social_req_str(j, p, "handle", handle) < 0 ||
	    social_str(j, p, "displayName", &display) < 0)
		return NULL;
	return social_author(display, *handle);
}

static char *
permalink(const char *handle, const char *uri)
{
	const char *rk = strrchr(uri, '/');

	if (!str_starts(uri, "at://") || !rk || !rk[1])
		return NULL;
	return xasprintf("https://bsky.app/profile/%s/post/%s", handle, rk + 1);
}

static void
add_images(struct feed_entry *en, struct sbuf *html, const struct json *j,
	   const struct json_node *emb)
{
	const struct json_node *imgs = social_get(j, emb, "images", JSON_ARRAY);
	const struct json_node *im;

	for (im = imgs ? json_first(j, imgs) : NULL; im; im = json_next(j, im)) {
		const char *full, *alt;

		if (social_req_str(j, im, "fullsize", &full) < 0 ||
		    social_str(j, im, "alt", &alt) < 0)
			continue;
		feed_entry_add_enclosure(en, full, "image/jpeg", -1);
		sbuf_adds(html, "<p><a href=\"");
		social_html_escape(html, full, strlen(full));
		sbuf_adds(html, "\">[image");
		if (alt && *alt) {
			sbuf_adds(html, ": ");
			social_html_escape(html, alt, strlen(alt));
		}
		sbuf_adds(html, "]</a></p>");
	}
}

static void
add_external(struct feed_entry *en, struct sbuf *html, const struct json *j,
	     const struct json_node *emb)
{
	const struct json_node *x = social_get(j, emb, "external", JSON_OBJECT);
	const char *uri, *title;

	if (!x || social_req_str(j, x, "uri", &uri) < 0 ||
	    social_str(j, x, "title", &title) < 0)
		return;
	feed_add_link(&en->c, "related", uri, "text/html", title);
	sbuf_adds(html, "<p>\xf0\x9f\x94\x97 <a href=\"");
	social_html_escape(html, uri, strlen(uri));
	sbuf_adds(html, "\">");
	social_html_escape(html, title && *title ? title : uri,
			   strlen(title && *title ? title : uri));
	sbuf_adds(html, "</a></p>");
}

static void
add_quote(struct feed_entry *en, struct sbuf *html, const struct json *j,
	  const struct json_node *rec)
{
	const char *uri, *text, *handle;
	char *who, *link;

	if (!rec || rec->type != JSON_OBJECT ||
	    social_req_str(j, rec, "uri", &uri) < 0 ||
	    social_req_str(j, rec, "value.text", &text) < 0 ||
	    !(who = profile_author(j, json_get(j, rec, "author"), &handle)))
		return;
	link = permalink(handle, uri);
	feed_add_category(&en->c, "quote", NULL, NULL);
	if (link)
		feed_add_link(&en->c, "via", link, "text/html", NULL);
	sbuf_adds(html, "<blockquote><p>Quoting ");
	if (link) {
		sbuf_adds(html, "<a href=\"");
		social_html_escape(html, link, strlen(link));
		sbuf_adds(html, "\">");
	}
	social_html_escape(html, who, strlen(who));
	sbuf_adds(html, link ? "</a>:</p><p>" : ":</p><p>");
	social_html_escape(html, text, strlen(text));
	sbuf_adds(html, "</p></blockquote>");
	free(who);
	free(link);
}

static void
add_embed(struct feed_entry *en, struct sbuf *html, const struct json *j,
	  const struct json_node *emb)
{
	const char *type;
	const struct json_node *media;

	if (!emb || emb->type != JSON_OBJECT ||
	    social_req_str(j, emb, "$type", &type) < 0)
		return;
	if (!strcmp(type, "app.bsky.embed.images#view")) {
		add_images(en, html, j, emb);
	} else if (!strcmp(type, "app.bsky.embed.external#view")) {
		add_external(en, html, j, emb);
	} else if (!strcmp(type, "app.bsky.embed.video#view")) {
		const char *pl;

		if (social_req_str(j, emb, "playlist", &pl) == 0) {
			feed_entry_add_enclosure(en, pl,
						 "application/x-mpegURL", -1);
			sbuf_adds(html, "<p><a href=\"");
			social_html_escape(html, pl, strlen(pl));
			sbuf_adds(html, "\">[video]</a></p>");
		}
	} else if (!strcmp(type, "app.bsky.embed.record#view")) {
		add_quote(en, html, j, json_get(j, emb, "record"));
	} else if (!strcmp(type, "app.bsky.embed.recordWithMedia#view")) {
		media = json_get(j, emb, "media");
		add_embed(en, html, j, media);
		add_quote(en, html, j, json_path(j, emb, "record.record"));
	}
}

/* Where a feedViewPost sits in the feed: its key (the post URI, or the
 * repost's) and sort time. -1 when those fields are mistyped. */
static int
post_key(const struct json *j, const struct json_node *fv, char **key,
	 int64_t *sort_time)
{
	const struct json_node *reason;
	const char *uri, *indexed, *rtype, *rindexed = NULL, *ruri = NULL;
	const char *by;

	*key = NULL;
	if (fv->type != JSON_OBJECT ||
	    social_req_str(j, fv, "post.uri", &uri) < 0 ||
	    social_req_str(j, fv, "post.indexedAt", &indexed) < 0)
		return -1;
	reason = json_get(j, fv, "reason");
	if (reason && reason->type != JSON_NULL) {
		if (reason->type != JSON_OBJECT ||
		    social_req_str(j, reason, "$type", &rtype) < 0 ||
		    social_str(j, reason, "indexedAt", &rindexed) < 0 ||
		    social_str(j, reason, "uri", &ruri) < 0)
			return -1;
		if (str_ends(rtype, "#reasonRepost")) {
			if (social_req_str(j, reason, "by.handle", &by) < 0)
				return -1;
			*key = ruri ? xstrdup(ruri)
				    : xasprintf("%s#repost-by-%s", uri, by);
			*sort_time = parse_date(rindexed ? rindexed : indexed);
			return 0;
		}
	}
	*key = xstrdup(uri);
	*sort_time = parse_date(indexed);
	return 0;
}

/* One feedViewPost (post_key() accepted it) → an entry with guid key;
 * -1 when a field has the wrong type. */
static int
map_post(struct social_run *r, const struct json *j,
	 const struct json_node *fv, const char *key)
{
	const struct json_node *post, *rec, *reason;
	const char *uri, *text, *created, *indexed, *handle, *bhandle;
	const char *rtype = NULL, *rindexed = NULL, *phandle = NULL;
	char *author = NULL, *booster = NULL, *parent = NULL, *link;
	struct feed_entry *en;
	struct sbuf html = SBUF_INIT, body = SBUF_INIT;

	if (!(post = social_get(j, fv, "post", JSON_OBJECT)) ||
	    !(rec = social_get(j, post, "record", JSON_OBJECT)) ||
	    social_req_str(j, post, "uri", &uri) < 0 ||
	    social_req_str(j, post, "indexedAt", &indexed) < 0 ||
	    social_req_str(j, rec, "text", &text) < 0 ||
	    social_str(j, rec, "createdAt", &created) < 0 ||
	    !(author = profile_author(j, json_get(j, post, "author"), &handle)))
		goto bad;
	reason = json_get(j, fv, "reason");
	if (reason && reason->type == JSON_OBJECT &&
	    social_req_str(j, reason, "$type", &rtype) == 0 &&
	    str_ends(rtype, "#reasonRepost")) {
		social_str(j, reason, "indexedAt", &rindexed);
		booster = profile_author(j, json_get(j, reason, "by"), &bhandle);
		if (!booster)
			goto bad;
	}
	if (json_get(j, fv, "reply"))
		parent = profile_author(j, json_path(j, fv,
						     "reply.parent.author"),
					&phandle);
	if (rich_text(j, rec, text, &body) < 0)
		goto bad;
	en = social_entry(r);
	en->c.id = xstrdup(key);
	en->c.link = permalink(handle, uri);
	link = xasprintf("https://bsky.app/profile/%s", handle);
	feed_add_author(&en->c, author, NULL, link);
	free(link);
	en->c.published = parse_date(created);
	if (en->c.published == FEED_NO_DATE)
		en->c.published = parse_date(indexed);
	if (booster) {
		feed_add_category(&en->c, "repost", NULL, NULL);
		sbuf_adds(&html, "<p>\xf0\x9f\x94\x81 Reposted by ");
		social_html_escape(&html, booster, strlen(booster));
		sbuf_adds(&html, "</p>");
		if (rindexed && parse_date(rindexed) != FEED_NO_DATE)
			en->c.published = parse_date(rindexed);
	}
	if (parent) {
		feed_add_category(&en->c, "reply", NULL, NULL);
		sbuf_adds(&html, "<p>\xe2\x86\xa9 Reply to ");
		social_html_escape(&html, parent, strlen(parent));
		sbuf_adds(&html, "</p>");
	}
	sbuf_adds(&html, "<p>");
	sbuf_add(&html, body.buf, body.len);
	sbuf_adds(&html, "</p>");
	add_embed(en, &html, j, json_get(j, post, "embed"));
	/* the title comes from the post's words (links in full), not the
	 * header lines */
	en->c.title = social_title(body.buf, 100);
	if (!en->c.title)
		en->c.title = social_title(html.buf, 100);
	en->content = text_sanitize(html.buf, html.len, false);
	en->content_type = xstrdup("text/html");
	sbuf_release(&html);
	sbuf_release(&body);
	free(author);
	free(booster);
	free(parent);
	return 0;
bad:
	sbuf_release(&body);
	free(author);
	free(booster);
	free(parent);
	return -1;
}

static bool
seen_before(const struct bluesky *b, const char *key, int64_t t)
{
	size_t i;

	for (i = 0; i < b->nold; i++)
		if (!strcmp(b->old_seen[i], key))
			return true;
	return b->old_seen && t != FEED_NO_DATE && t < b->old_newest;
}

static int
b_page(struct social_run *r, const struct json *j,
       const struct fetch_resp *resp, struct err *e)
{
	struct bluesky *b = r->priv;
	const struct json_node *root = json_root(j), *feed, *fv;
	const char *cursor;
	bool stop = false;
	size_t n = 0;

	(void)resp;
	if (root->type != JSON_OBJECT)
		return err_set(e, ERR_PARSE, "Bluesky: expected an object");
	if (b->resolving) {
		const char *did;

		if (social_req_str(j, root, "did", &did) < 0 ||
		    !str_starts(did, "did:") || strchr(did, '/'))
			return err_set(e, ERR_PARSE, "Bluesky: cannot resolve "
				       "the handle '%s' to a DID", b->handle);
		b->did = xstrdup(did);
		b->resolving = false;
		feed_url(r, NULL);
		return 1;
	}
	if (!(feed = social_get(j, root, "feed", JSON_ARRAY)) ||
	    social_str(j, root, "cursor", &cursor) < 0)
		return err_set(e, ERR_PARSE, "Bluesky: the list feed has no "
			       "'feed' array");
	for (fv = json_first(j, feed); fv; fv = json_next(j, fv)) {
		char *key = NULL;
		int64_t t = FEED_NO_DATE;

		n++;
		r->posts_read++;
		if (post_key(j, fv, &key, &t) == 0 && seen_before(b, key, t)) {
			/* known: stop walking back */
			free(key);
			stop = true;
			break;
		}
		if (!key || map_post(r, j, fv, key) < 0) {
			r->bad_posts++;
			log_warn("source %lld: skipped a post with a field of "
				 "the wrong type", (long long)r->source_id);
			free(key);
			continue;
		}
		if (b->nseen < SEEN_MAX)
			b->seen[b->nseen++] = key;
		else
			free(key);
		if (t != FEED_NO_DATE && t > b->newest)
			b->newest = t;
		b->got++;
	}
	if (stop || n == 0 || !cursor || !*cursor)
		return 0;
	if (!b->old_seen && b->got >= r->depth)
		return 0;
	if (r->pages >= MAX_PAGES)
		return 0;
	feed_url(r, cursor);
	return 1;
}

static void
b_release(struct social_run *r)
{
	struct bluesky *b = r->priv;
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->nold; i++)
		free(b->old_seen[i]);
	free(b->old_seen);
	for (i = 0; i < b->nseen; i++)
		free(b->seen[i]);
	free(b->handle);
	free(b->rkey);
	free(b->did);
	free(b);
	r->priv = NULL;
}

static int
b_page_done(struct social_run *r, const struct json *j,
	    const struct fetch_resp *resp, struct err *e)
{
	struct bluesky *b = r->priv;
	int rc = b_page(r, j, resp, e);
	struct json_out w;
	size_t i;

	if (rc != 0 || !b->did)
		return rc;
	json_out_init(&w, 0);
	json_obj_begin(&w);
	json_kv_str(&w, "did", b->did);
	json_key(&w, "newest");
	json_i64(&w, b->nseen ? b->newest : b->old_newest);
	json_key(&w, "seen");
	json_arr_begin(&w);
	/* this run's newest first, then last run's, SEEN_MAX in all */
	for (i = 0; i < b->nseen; i++)
		json_str(&w, b->seen[i]);
	for (i = 0; i < b->nold && b->nseen + i < SEEN_MAX; i++)
		json_str(&w, b->old_seen[i]);
	json_arr_end(&w);
	json_obj_end(&w);
	free(r->cursor_out);
	r->cursor_out = sbuf_detach(&w.sb, NULL);
	json_out_release(&w);
	return 0;
}

static const struct source_ops reader = {
	.needs_token = false,
	.begin = b_begin,
	.page = b_page_done,
	.release = b_release,
};

/* ==== posting: the share ops ==== */

#define BLUESKY_LIMIT TEXT_BLUESKY_GRAPHEMES

struct bluesky_post {
	char *did, *access, *refresh;
};

/* Graphemes; a text over the lexicon's 3000 bytes measures over 300
 * (by a quarter of its extra bytes) so that the packer cuts it too. */
static size_t
measure(const struct share_ctx *c, const char *s)
{
	size_t g = text_graphemes(s), b = strlen(s), over;

	(void)c;
	if (b <= TEXT_BLUESKY_BYTES)
		return g;
	over = BLUESKY_LIMIT + (b - TEXT_BLUESKY_BYTES + 3) / 4;
	return g > over ? g : over;
}

static int
bluesky_plan(struct share_ctx *c, struct share_plan *p, struct err *e)
{
	if (!c->a->user)
		return err_set(e, ERR_CONFIG, "%s:%d: account '%s' needs user "
			       "= your handle", c->a->file, c->a->line,
			       c->a->name);
	return share_pack_thread(c, measure, BLUESKY_LIMIT, "graphemes", p,
				 e);
}

/* A TID (atproto record key): 53 bits of microseconds and 10 bits of
 * clock id in base32-sortable, 13 characters. */
static char *
bluesky_key(struct share_ctx *c, size_t i)
{
	static const char alpha[] = "234567abcdefghijklmnopqrstuvwxyz";
	char *rnd = random_hex(2), *out = xmalloc(14);
	uint64_t us = (uint64_t)time_now() * 1000000u + (uint64_t)i;
	uint64_t v = ((us & ((UINT64_C(1) << 53) - 1)) << 10) |
		     (strtoul(rnd, NULL, 16) & 1023u);
	int k;

	(void)c;
	for (k = 12; k >= 0; k--) {
		out[k] = alpha[v & 31];
		v >>= 5;
	}
	out[13] = '\0';
	free(rnd);
	return out;
}

static void
session_free(struct bluesky_post *b)
{
	if (!b)
		return;
	free(b->did);
	if (b->access)
		config_secret_free(b->access);
	if (b->refresh)
		config_secret_free(b->refresh);
	free(b);
}

static int
read_session(struct bluesky_post *b, const struct fetch_resp *r, struct err *e)
{
	struct json j = { 0 };
	const char *acc, *ref, *did;
	int rc = -1;

	if (json_parse(&j, r->body.buf, r->body.len, NULL) < 0)
		goto bad;
	acc = json_get_str(&j, json_root(&j), "accessJwt");
	ref = json_get_str(&j, json_root(&j), "refreshJwt");
	did = json_get_str(&j, json_root(&j), "did");
	if (!acc || !ref || (!did && !b->did) || strpbrk(acc, "\r\n") ||
	    strpbrk(ref, "\r\n"))
		goto bad;
	if (b->access)
		config_secret_free(b->access);
	if (b->refresh)
		config_secret_free(b->refresh);
	b->access = xasprintf("Authorization: Bearer %s", acc);
	b->refresh = xasprintf("Authorization: Bearer %s", ref);
	if (did) {
		free(b->did);
		b->did = text_sanitize(did, strlen(did), true);
	}
	rc = 0;
	goto out;
bad:
	err_set(e, ERR_PARSE, "bluesky: the session reply has no accessJwt, "
		"refreshJwt or did");
out:
	json_release(&j);
	return rc;
}

static int
bluesky_open(struct share_ctx *c, struct err *e)
{
	struct bluesky_post *b = xcalloc(1, sizeof(*b));
	char *pw, *url = xasprintf("%s/xrpc/com.atproto.server.createSession",
				   c->base);
	struct json_out w;
	struct fetch_resp r;
	int rc = -1;

	if (share_secret(c, SECRET_PASSWORD, &pw, e) < 0) {
		free(url);
		free(b);
		return -1;
	}
	json_out_init(&w, 0);
	json_obj_begin(&w);
	json_kv_str(&w, "identifier", c->a->user);
	json_kv_str(&w, "password", pw);
	json_obj_end(&w);
	config_secret_free(pw);
	share_http(c, "POST", url, NULL, "application/json", w.sb.buf, &r);
	/* the body held the password */
	memset(w.sb.buf, 0, w.sb.len);
	json_out_release(&w);
	free(url);
	if (share_http_status(c, &r, "bluesky createSession", e) !=
	    SHARE_SENT)
		goto out;
	if (read_session(b, &r, e) < 0)
		goto out;
	c->priv = b;
	b = NULL;
	rc = 0;
out:
	fetch_resp_release(&r);
	session_free(b);
	return rc;
}

static void
bluesky_close(struct share_ctx *c)
{
	session_free(c->priv);
	c->priv = NULL;
}

static bool
expired(const struct fetch_resp *r)
{
	struct json j = { 0 };
	const char *err;
	bool yes = false;

	if (r->status != 400 && r->status != 401)
		return false;
	if (json_parse(&j, r->body.buf, r->body.len, NULL) == 0) {
		err = json_get_str(&j, json_root(&j), "error");
		yes = err && !strcmp(err, "ExpiredToken");
	}
	json_release(&j);
	return yes;
}

static int
refresh_session(struct share_ctx *c, struct err *e)
{
	struct bluesky_post *b = c->priv;
	const char *hdrs[] = { b->refresh, NULL };
	char *url = xasprintf("%s/xrpc/com.atproto.server.refreshSession",
			      c->base);
	struct fetch_resp r;
	int rc = -1;

	share_http(c, "POST", url, hdrs, NULL, NULL, &r);
	free(url);
	if (share_http_status(c, &r, "bluesky refreshSession", e) ==
	    SHARE_SENT)
		rc = read_session(b, &r, e);
	fetch_resp_release(&r);
	return rc;
}

#define BLUESKY_REPLY_REF "\"AT-URI CID\" of the record, quoted as one " \
	"argument"

/* remote_id is "URI CID": an at:// URI and a CID, both needed in a
 * reply's strongRef. */
static bool
ref_ok(const char *remote)
{
	const char *sp = remote ? strchr(remote, ' ') : NULL;

	return sp && str_starts(remote, "at://") && sp > remote + 5 &&
	       sp[1] && !strchr(sp + 1, ' ');
}

static char *
bluesky_remote(const char *arg, struct err *e)
{
	if (!ref_ok(arg)) {
		err_set(e, ERR_USAGE, "--remote wants the record's AT-URI and "
			"CID as one argument, e.g. \"at://did:plc:x/"
			"app.bsky.feed.post/3kabc bafyrei...\", not '%s'", arg);
		return NULL;
	}
	return xstrdup(arg);
}

/* Split "URI CID" into the ref object {uri, cid}. */
static void
json_ref(struct json_out *w, const char *key, const char *remote)
{
	const char *sp = remote ? strchr(remote, ' ') : NULL;
	char *uri = sp ? xstrndup(remote, (size_t)(sp - remote)) : NULL;

	json_key(w, key);
	json_obj_begin(w);
	json_kv_str(w, "uri", uri ? uri : "");
	json_kv_str(w, "cid", sp ? sp + 1 : "");
	json_obj_end(w);
	free(uri);
}

/* A link facet for every URL in text, by Bluesky's own rule (text.c: no
 * trailing punctuation, URLs after "(" too): UTF-8 byte ranges that
 * slice exactly the URI. */
static void
json_facets(struct json_out *w, const char *text)
{
	struct text_span *u;
	size_t n = text_bluesky_links(text, &u), i;

	if (n) {
		json_key(w, "facets");
		json_arr_begin(w);
	}
	for (i = 0; i < n; i++) {
		char *uri = xstrndup(text + u[i].start, u[i].end - u[i].start);

		json_obj_begin(w);
		json_key(w, "index");
		json_obj_begin(w);
		json_key(w, "byteStart");
		json_i64(w, (int64_t)u[i].start);
		json_key(w, "byteEnd");
		json_i64(w, (int64_t)u[i].end);
		json_obj_end(w);
		json_key(w, "features");
		json_arr_begin(w);
		json_obj_begin(w);
		json_kv_str(w, "$type", "app.bsky.richtext.facet#link");
		json_kv_str(w, "uri", uri);
		json_obj_end(w);
		json_arr_end(w);
		json_obj_end(w);
		free(uri);
	}
	if (n)
		json_arr_end(w);
	free(u);
}

static void
read_record(struct share_ctx *c, const struct fetch_resp *r,
	    const char *rkey, struct share_sent *out)
{
	struct bluesky_post *b = c->priv;
	struct json j = { 0 };
	const char *uri, *cid;

	if (json_parse(&j, r->body.buf, r->body.len, NULL) == 0) {
		uri = json_get_str(&j, json_root(&j), "uri");
		cid = json_get_str(&j, json_root(&j), "cid");
		if (uri && cid && !strchr(uri, ' ') && !strchr(cid, ' ')) {
			char *u = text_sanitize(uri, strlen(uri), true);
			char *ci = text_sanitize(cid, strlen(cid), true);

			out->remote_id = xasprintf("%s %s", u, ci);
			free(u);
			free(ci);
		}
	}
	json_release(&j);
	if (b->did && !strpbrk(b->did, "/?# "))
		out->remote_url = xasprintf("https://bsky.app/profile/%s/"
					    "post/%s", b->did, rkey);
}

static enum share_status
bluesky_send(struct share_ctx *c, const struct outbox_list *parts, size_t i,
	     struct share_sent *out, struct err *e)
{
	struct bluesky_post *b = c->priv;
	const struct outbox_part *p = &parts->v[i];
	char *url;
	struct json_out w;
	struct fetch_resp r;
	enum share_status st;
	char iso[32];
	int tries;

	/* a reply names its root and parent; never an empty strongRef */
	if (i > 0 && !ref_ok(parts->v[0].remote_id))
		return share_no_parent(c, parts, i, 0, BLUESKY_REPLY_REF, e);
	if (i > 0 && !ref_ok(parts->v[i - 1].remote_id))
		return share_no_parent(c, parts, i, i - 1, BLUESKY_REPLY_REF,
				       e);
	url = xasprintf("%s/xrpc/com.atproto.repo.createRecord", c->base);
	json_out_init(&w, 0);
	json_obj_begin(&w);
	json_kv_str(&w, "repo", b->did);
	json_kv_str(&w, "collection", "app.bsky.feed.post");
	json_kv_str(&w, "rkey", p->idem_key);
	json_key(&w, "record");
	json_obj_begin(&w);
	json_kv_str(&w, "$type", "app.bsky.feed.post");
	json_kv_str(&w, "text", p->body);
	json_kv_str(&w, "createdAt", time_fmt_iso(time_now(), iso,
						  sizeof(iso)));
	json_facets(&w, p->body);
	if (i > 0) {
		json_key(&w, "reply");
		json_obj_begin(&w);
		json_ref(&w, "root", parts->v[0].remote_id);
		json_ref(&w, "parent", parts->v[i - 1].remote_id);
		json_obj_end(&w);
	}
	json_obj_end(&w);
	json_obj_end(&w);
	for (tries = 0;; tries++) {
		const char *hdrs[] = { b->access, NULL };

		share_http(c, "POST", url, hdrs, "application/json", w.sb.buf,
			   &r);
		if (tries == 0 && expired(&r)) {
			fetch_resp_release(&r);
			if (refresh_session(c, e) < 0) {
				st = SHARE_FAILED;
				goto out;
			}
			continue;
		}
		break;
	}
	st = share_http_status(c, &r, "bluesky", e);
	if (st == SHARE_SENT)
		read_record(c, &r, p->idem_key, out);
	fetch_resp_release(&r);
out:
	json_out_release(&w);
	free(url);
	return st;
}

static enum share_status
bluesky_resolve(struct share_ctx *c, const struct outbox_list *parts,
		size_t i, struct share_sent *out, struct err *e)
{
	struct bluesky_post *b = c->priv;
	const char *hdrs[] = { b->access, NULL };
	const char *rkey = parts->v[i].idem_key;
	char *url;
	struct fetch_resp r;
	enum share_status st;

	if (!b->did || strpbrk(b->did, "&?#/ %")) {
		err_set(e, ERR_PARSE, "bluesky: unusable did in the session");
		return SHARE_UNKNOWN;
	}
	url = xasprintf("%s/xrpc/com.atproto.repo.getRecord?repo=%s&"
			"collection=app.bsky.feed.post&rkey=%s", c->base,
			b->did, rkey);
	share_http(c, "GET", url, hdrs, NULL, NULL, &r);
	free(url);
	if (r.status == 400 || r.status == 404) {
		struct json j = { 0 };
		const char *err = NULL;
		bool missing = false;

		if (json_parse(&j, r.body.buf, r.body.len, NULL) == 0) {
			err = json_get_str(&j, json_root(&j), "error");
			missing = err && !strcmp(err, "RecordNotFound");
		}
		json_release(&j);
		fetch_resp_release(&r);
		if (missing)
			return SHARE_FAILED;
		err_set(e, ERR_HTTP, "bluesky: cannot tell whether part %d "
			"was posted", parts->v[i].part);
		return SHARE_UNKNOWN;
	}
	st = share_http_status(c, &r, "bluesky", e);
	if (st == SHARE_SENT)
		read_record(c, &r, rkey, out);
	else
		st = SHARE_UNKNOWN;
	fetch_resp_release(&r);
	return st;
}

static const struct share_ops poster = {
	.plan = bluesky_plan,
	.key = bluesky_key,
	.open = bluesky_open,
	.send = bluesky_send,
	.resolve = bluesky_resolve,
	.close = bluesky_close,
	.reply_ref = BLUESKY_REPLY_REF,
	.remote_parse = bluesky_remote,
	.lookup = bluesky_resolve, /* the record key is known: getRecord */
};

/* ==== the service ==== */

/* A Bluesky list URL (bsky.app/profile/HANDLE/lists/RKEY). */
static int
recognise(const struct hub_match *m, const struct hub_candidate *c,
	  char **title)
{
	(void)m;
	if (c->kind != HUB_BLUESKY_LIST)
		return 0;
	*title = xasprintf("Bluesky list %s/%s", c->name, c->rkey);
	return 1;
}

const struct service bluesky_service = {
	.name = "bluesky",
	.title = "Bluesky",
	.host_account = false,
	.api_url = "https://public.api.bsky.app",
	.secret_example = "",
	.account_optional = true,
	.recognise = recognise,
	.source = &reader,
	.share = &poster,
};
