/*
 * mastodon.c: a Mastodon list read with GET /api/v1/timelines/list/ID and
 * the account's bearer token. It owns the Status → entry mapping (the
 * server's HTML kept as content; boosts shown with the original author;
 * quotes, media and link cards) and the paging: the first run walks down
 * with Link rel="next" (max_id) until first-run-depth, later runs walk up
 * from min_id=NEWEST with rel="prev" until an empty or short page, so
 * nothing between two runs is skipped.
 *
 * Reading sends no request itself (seek does), stores nothing and knows
 * no other service. Link URLs are followed only on the account's own
 * origin: the token goes with every request.
 *
 * Posting (share ops, requests through share_http in post.c):
 * mastodon target: the digest as a thread. The opening post carries the
 * title, window and introduction; the following posts pack whole items
 * within the instance's limit (configuration.statuses.max_characters from
 * GET /api/v2/instance, URLs counted as characters_reserved_per_url;
 * before Mastodon 4.0 /api/v1/instance, or its max_toot_chars, or 500).
 * Each POST /api/v1/statuses carries the part's own Idempotency-Key, so
 * a part whose answer was lost is resolved by sending it again with the
 * same key while Mastodon still remembers it (about an hour); after that
 * it is left to the user.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glean/fetch.h"
#include "glean/json.h"
#include "glean/service.h"
#include "glean/banned.h"

#define PAGE_LIMIT 40
#define UP_MAX_PAGES 10

struct mastodon {
	char *list_id;
	bool up;         /* walking up from a saved newest id */
	char *old_newest;
	char *newest;    /* highest id seen this run */
	int64_t got;
};

static void
url_for(struct social_run *r, const char *param, const char *id)
{
	struct mastodon *m = r->priv;
	struct sbuf sb = SBUF_INIT;
	int64_t lim = r->depth < PAGE_LIMIT ? r->depth : PAGE_LIMIT;

	if (m->up)
		lim = PAGE_LIMIT;
	sbuf_addf(&sb, "%s/api/v1/timelines/list/", r->base);
	social_url_escape(&sb, m->list_id);
	sbuf_addf(&sb, "?limit=%lld", (long long)(lim > 0 ? lim : 1));
	if (param) {
		sbuf_addf(&sb, "&%s=", param);
		social_url_escape(&sb, id);
	}
	social_set_req(r, sb.buf);
	sbuf_release(&sb);
}

static int
m_begin(struct social_run *r, struct err *e)
{
	struct mastodon *m = xcalloc(1, sizeof(*m));

	r->priv = m;
	m->list_id = social_url_part(r, "/lists/", "a Mastodon list", e);
	if (!m->list_id)
		return -1;
	m->old_newest = social_cursor_str(r, "newest");
	m->up = m->old_newest != NULL;
	if (r->doc.feed.title == NULL)
		r->doc.feed.title = xasprintf("Mastodon list %s", m->list_id);
	url_for(r, m->up ? "min_id" : NULL, m->old_newest);
	return 0;
}

static void
add_media(struct feed_entry *en, struct sbuf *html, const struct json *j,
	  const struct json_node *st)
{
	const struct json_node *arr = social_get(j, st, "media_attachments",
						  JSON_ARRAY), *a;

	if (!arr)
		return;
	for (a = json_first(j, arr); a; a = json_next(j, a)) {
		const char *url = NULL, *type = NULL, *desc = NULL;
		char fb[32];

		if (a->type != JSON_OBJECT ||
		    social_str(j, a, "url", &url) < 0 ||
		    social_str(j, a, "type", &type) < 0 ||
		    social_str(j, a, "description", &desc) < 0 || !url)
			continue;
		snprintf(fb, sizeof(fb), "%s/*",
			 type && (!strcmp(type, "image") ||
				  !strcmp(type, "video") ||
				  !strcmp(type, "audio"))
				 ? type
				 : type && !strcmp(type, "gifv") ? "video"
								 : "application");
		feed_entry_add_enclosure(en, url, social_mime(url, fb), -1);
		sbuf_adds(html, "<p><a href=\"");
		social_html_escape(html, url, strlen(url));
		sbuf_addf(html, "\">[%s", type ? type : "media");
		if (desc && *desc) {
			sbuf_adds(html, ": ");
			social_html_escape(html, desc, strlen(desc));
		}
		sbuf_adds(html, "]</a></p>");
	}
}

static void
add_card(struct feed_entry *en, struct sbuf *html, const struct json *j,
	 const struct json_node *st)
{
	const struct json_node *card = social_get(j, st, "card", JSON_OBJECT);
	const char *url = NULL, *title = NULL;

	if (!card || social_str(j, card, "url", &url) < 0 || !url ||
	    social_str(j, card, "title", &title) < 0)
		return;
	feed_add_link(&en->c, "related", url, "text/html", title);
	sbuf_adds(html, "<p>\xf0\x9f\x94\x97 <a href=\"");
	social_html_escape(html, url, strlen(url));
	sbuf_adds(html, "\">");
	if (title && *title)
		social_html_escape(html, title, strlen(title));
	else
		social_html_escape(html, url, strlen(url));
	sbuf_adds(html, "</a></p>");
}

/* Author fields of an account object; -1 when mistyped. */
static int
account(const struct json *j, const struct json_node *acc, char **name,
	const char **url)
{
	const char *acct, *display;

	if (!acc || acc->type != JSON_OBJECT ||
	    social_req_str(j, acc, "acct", &acct) < 0 ||
	    social_str(j, acc, "display_name", &display) < 0 ||
	    social_str(j, acc, "url", url) < 0)
		return -1;
	*name = social_author(display, acct);
	return 0;
}

/* The quoted post of a Mastodon 4.4+ quote, as a blockquote. */
static void
add_quote(struct feed_entry *en, struct sbuf *html, const struct json *j,
	  const struct json_node *st)
{
	const struct json_node *q = social_get(j, st, "quote", JSON_OBJECT);
	const struct json_node *qs;
	const char *content, *url, *aurl;
	char *who = NULL;

	if (!q)
		return;
	qs = social_get(j, q, "quoted_status", JSON_OBJECT);
	if (!qs || social_req_str(j, qs, "content", &content) < 0 ||
	    social_str(j, qs, "url", &url) < 0 ||
	    account(j, json_get(j, qs, "account"), &who, &aurl) < 0) {
		free(who);
		return;
	}
	feed_add_category(&en->c, "quote", NULL, NULL);
	if (url)
		feed_add_link(&en->c, "via", url, "text/html", NULL);
	sbuf_adds(html, "<blockquote><p>Quoting ");
	if (url) {
		sbuf_adds(html, "<a href=\"");
		social_html_escape(html, url, strlen(url));
		sbuf_adds(html, "\">");
	}
	social_html_escape(html, who ? who : "?", strlen(who ? who : "?"));
	sbuf_adds(html, url ? "</a>:</p>" : ":</p>");
	sbuf_adds(html, content);
	sbuf_adds(html, "</blockquote>");
	free(who);
}

/* One Status; -1 when a field has the wrong type (the post is skipped). */
static int
map_status(struct social_run *r, const struct json *j,
	   const struct json_node *st)
{
	const struct json_node *orig = st, *rb;
	const char *id, *uri, *created, *content, *url, *spoiler, *aurl;
	const char *burl = NULL;
	char *author = NULL, *booster = NULL, *title = NULL;
	struct feed_entry *en;
	struct sbuf html = SBUF_INIT;

	if (st->type != JSON_OBJECT ||
	    social_req_str(j, st, "id", &id) < 0 ||
	    social_str(j, st, "uri", &uri) < 0 ||
	    social_req_str(j, st, "created_at", &created) < 0)
		return -1;
	rb = json_get(j, st, "reblog");
	if (rb && rb->type != JSON_NULL) {
		if (rb->type != JSON_OBJECT ||
		    account(j, json_get(j, st, "account"), &booster, &burl) < 0)
			goto bad;
		orig = rb;
	}
	if (social_req_str(j, orig, "content", &content) < 0 ||
	    social_str(j, orig, "url", &url) < 0 ||
	    social_str(j, orig, "spoiler_text", &spoiler) < 0 ||
	    account(j, json_get(j, orig, "account"), &author, &aurl) < 0)
		goto bad;
	if (orig != st && (social_req_str(j, orig, "id", &id) < 0 ||
			   social_str(j, orig, "uri", &uri) < 0))
		goto bad;
	if (orig != st) {
		/* the boost's own id and uri make its guid */
		social_req_str(j, st, "id", &id);
		social_str(j, st, "uri", &uri);
	}
	en = social_entry(r);
	en->c.id = uri ? xstrdup(uri) : xasprintf("%s/statuses/%s", r->base,
						  id);
	if (url)
		en->c.link = xstrdup(url);
	else if (social_str(j, orig, "uri", &url) == 0 && url)
		en->c.link = xstrdup(url);
	feed_add_author(&en->c, author, NULL, aurl);
	en->c.published = parse_date(created);
	if (booster) {
		feed_add_category(&en->c, "boost", NULL, NULL);
		sbuf_adds(&html, "<p>\xf0\x9f\x94\x81 Boosted by ");
		if (burl) {
			sbuf_adds(&html, "<a href=\"");
			social_html_escape(&html, burl, strlen(burl));
			sbuf_adds(&html, "\">");
		}
		social_html_escape(&html, booster, strlen(booster));
		sbuf_adds(&html, burl ? "</a></p>" : "</p>");
	}
	if (spoiler && *spoiler) {
		sbuf_adds(&html, "<p><strong>CW: ");
		social_html_escape(&html, spoiler, strlen(spoiler));
		sbuf_adds(&html, "</strong></p>");
	}
	sbuf_adds(&html, content);
	add_quote(en, &html, j, orig);
	add_media(en, &html, j, orig);
	add_card(en, &html, j, orig);
	if (spoiler && *spoiler)
		title = xasprintf("CW: %s", spoiler);
	else
		title = social_title(content, 100);
	if (!title)
		title = social_title(html.buf, 100);
	en->c.title = title ? social_clean(title) : NULL;
	free(title);
	en->content = text_sanitize(html.buf, html.len, false);
	en->content_type = xstrdup("text/html");
	sbuf_release(&html);
	free(author);
	free(booster);
	return 0;
bad:
	free(author);
	free(booster);
	return -1;
}

static int
m_page(struct social_run *r, const struct json *j,
       const struct fetch_resp *resp, struct err *e)
{
	struct mastodon *m = r->priv;
	const struct json_node *root = json_root(j), *st;
	const char *link = fetch_resp_header(resp, "Link");
	char *next = NULL;
	size_t n = 0;

	if (root->type != JSON_ARRAY)
		return err_set(e, ERR_PARSE, "Mastodon: expected an array of "
			       "statuses");
	for (st = json_first(j, root); st; st = json_next(j, st)) {
		const char *id = json_get_str(j, st, "id");

		n++;
		r->posts_read++;
		if (map_status(r, j, st) < 0) {
			r->bad_posts++;
			log_warn("source %lld: skipped a status with a field "
				 "of the wrong type", (long long)r->source_id);
			continue;
		}
		m->got++;
		if (id && (!m->newest || social_id_cmp(id, m->newest) > 0)) {
			free(m->newest);
			m->newest = xstrdup(id);
		}
	}
	if (n == 0)
		return 0; /* empty page: nothing more */
	if (m->up) {
		if (n < PAGE_LIMIT || r->pages >= UP_MAX_PAGES)
			return 0;
		next = social_link_rel(link, "prev");
	} else {
		if (m->got >= r->depth)
			return 0;
		next = social_link_rel(link, "next");
	}
	if (!next)
		return 0; /* end of paging */
	if (!social_same_origin(r->base, next)) {
		log_warn("source %lld: ignoring a Link to another origin",
			 (long long)r->source_id);
		free(next);
		return 0;
	}
	social_set_req(r, next);
	free(next);
	return 1;
}

static void
m_release(struct social_run *r)
{
	struct mastodon *m = r->priv;

	if (!m)
		return;
	free(m->list_id);
	free(m->old_newest);
	free(m->newest);
	free(m);
	r->priv = NULL;
}

/* page(), and when the run is complete, the state to save: the newest
 * id seen, which only ever moves forward. */
static int
m_page_done(struct social_run *r, const struct json *j,
	    const struct fetch_resp *resp, struct err *e)
{
	struct mastodon *m = r->priv;
	int rc = m_page(r, j, resp, e);

	if (rc == 0) {
		const char *keep = m->newest;
		struct json_out w;

		if (m->old_newest &&
		    (!keep || social_id_cmp(m->old_newest, keep) > 0))
			keep = m->old_newest;
		if (keep) {
			json_out_init(&w, 0);
			json_obj_begin(&w);
			json_kv_str(&w, "newest", keep);
			json_obj_end(&w);
			free(r->cursor_out);
			r->cursor_out = sbuf_detach(&w.sb, NULL);
			json_out_release(&w);
		}
	}
	return rc;
}

static const struct source_ops reader = {
	.needs_token = true,
	.begin = m_begin,
	.page = m_page_done,
	.release = m_release,
};

/* ==== posting: the share ops ==== */

#define MASTODON_DEFAULT_LIMIT 500
#define MASTODON_URL_CHARS 23
#define MASTODON_KEY_TTL 3600

struct mastodon_post {
	char *auth;    /* "Authorization: Bearer ..." (wiped at close) */
};

static size_t
measure(const struct share_ctx *c, const char *s)
{
	return text_mastodon_length(s, c->url_weight);
}

/* The limits in an instance document: configuration.statuses (v2, and
 * v1 since Mastodon 3.4), else max_toot_chars (v1 of Pleroma, Akkoma,
 * glitch-soc and other forks). Values out of reason are ignored. */
static void
instance_limits(struct share_ctx *c, const struct fetch_resp *r)
{
	struct json j = { 0 };
	const struct json_node *root;
	int64_t v;

	if (json_parse(&j, r->body.buf, r->body.len, NULL) < 0)
		return;
	root = json_root(&j);
	if (json_get_i64(&j, root, "configuration.statuses.max_characters",
			 &v) == 0 && v >= 50 && v <= 100000)
		c->limit = (size_t)v;
	else if (json_get_i64(&j, root, "max_toot_chars", &v) == 0 &&
		 v >= 50 && v <= 100000)
		c->limit = (size_t)v;
	if (json_get_i64(&j, root, "configuration.statuses."
			 "characters_reserved_per_url", &v) == 0 &&
	    v > 0 && v <= 1000)
		c->url_weight = (size_t)v;
	json_release(&j);
}

/* The instance's limits: GET /api/v2/instance (Mastodon 4.0+), on 404
 * /api/v1/instance, and when neither exists the defaults (500, URLs as
 * 23). Any other failure stops a share, since a guessed limit may be
 * too long; a dry run goes on with the defaults set here (share.c). */
static int
mastodon_prepare(struct share_ctx *c, struct err *e)
{
	static const char *const paths[] = { "/api/v2/instance",
					     "/api/v1/instance" };
	size_t i;

	c->limit = MASTODON_DEFAULT_LIMIT;
	c->url_weight = MASTODON_URL_CHARS;
	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		struct fetch_resp r;
		char *url = xasprintf("%s%s", c->base, paths[i]);

		share_http(c, "GET", url, NULL, NULL, NULL, &r);
		if (r.err.code == ERR_OK) {
			instance_limits(c, &r);
			fetch_resp_release(&r);
			free(url);
			return 0;
		}
		if (r.status == 404 || r.status == 410) {
			log_info("mastodon: %s: %ld; an older instance",
				 url, r.status);
			fetch_resp_release(&r);
			free(url);
			continue;
		}
		err_set(e, r.err.code, "mastodon: cannot read the instance's "
			"limits from %s: %s", url, r.err.msg);
		fetch_resp_release(&r);
		free(url);
		return -1;
	}
	log_info("mastodon: %s has no instance document; %zu characters",
		 c->base, c->limit);
	return 0;
}

static int
mastodon_plan(struct share_ctx *c, struct share_plan *p, struct err *e)
{
	const char *vis = c->t->visibility;

	if (vis && strcmp(vis, "public") && strcmp(vis, "unlisted") &&
	    strcmp(vis, "private") && strcmp(vis, "direct"))
		return err_set(e, ERR_CONFIG, "%s:%d: target '%s': visibility "
			       "'%s' is not public, unlisted, private or "
			       "direct", c->t->file, c->t->line, c->t->name,
			       vis);
	return share_pack_thread(c, measure, c->limit, "characters", p, e);
}

static int
mastodon_open(struct share_ctx *c, struct err *e)
{
	struct mastodon_post *m = xcalloc(1, sizeof(*m));
	char *tok;

	if (share_secret(c, SECRET_TOKEN, &tok, e) < 0) {
		free(m);
		return -1;
	}
	m->auth = xasprintf("Authorization: Bearer %s", tok);
	config_secret_free(tok);
	c->priv = m;
	return 0;
}

static void
mastodon_close(struct share_ctx *c)
{
	struct mastodon_post *m = c->priv;

	if (!m)
		return;
	config_secret_free(m->auth);
	free(m);
	c->priv = NULL;
}

#define MASTODON_REPLY_REF "the status id, or the post's URL"

static char *
mastodon_remote(const char *arg, struct err *e)
{
	return share_remote_number(arg, "status id", true, e);
}

static enum share_status
mastodon_send(struct share_ctx *c, const struct outbox_list *parts, size_t i,
	      struct share_sent *out, struct err *e)
{
	struct mastodon_post *m = c->priv;
	const struct outbox_part *p = &parts->v[i];
	char *url, *key;
	const char *hdrs[] = { m->auth, NULL, NULL };
	struct json_out w;
	struct fetch_resp r;
	enum share_status st;

	if (i > 0 && !(parts->v[i - 1].remote_id &&
		       *parts->v[i - 1].remote_id))
		return share_no_parent(c, parts, i, i - 1, MASTODON_REPLY_REF,
				       e);
	url = xasprintf("%s/api/v1/statuses", c->base);
	key = xasprintf("Idempotency-Key: %s", p->idem_key);
	hdrs[1] = key;
	json_out_init(&w, 0);
	json_obj_begin(&w);
	json_kv_str(&w, "status", p->body);
	json_kv_str(&w, "visibility", c->t->visibility ? c->t->visibility
							: "public");
	if (i > 0)
		json_kv_str(&w, "in_reply_to_id", parts->v[i - 1].remote_id);
	json_obj_end(&w);
	share_http(c, "POST", url, hdrs, "application/json", w.sb.buf, &r);
	st = share_http_status(c, &r, "mastodon", e);
	if (st == SHARE_SENT) {
		struct json j = { 0 };
		const char *id = NULL, *link = NULL;

		if (json_parse(&j, r.body.buf, r.body.len, NULL) == 0) {
			id = json_get_id(&j, json_root(&j), "id");
			link = json_get_str(&j, json_root(&j), "url");
		}
		if (!id) {
			/* It was posted, but we cannot thread on it. */
			err_set(e, ERR_PARSE, "mastodon: the post was accepted "
				"but the reply has no status id");
			st = SHARE_UNKNOWN;
		} else {
			out->remote_id = text_sanitize(id, strlen(id), true);
			if (link && digest_url_ok(link))
				out->remote_url = xstrdup(link);
		}
		json_release(&j);
	}
	fetch_resp_release(&r);
	json_out_release(&w);
	free(url);
	free(key);
	return st;
}

/* Mastodon keeps an Idempotency-Key for about an hour: within that time
 * sending the same part again with the same key returns the first post
 * instead of making a second one. */
static enum share_status
mastodon_resolve(struct share_ctx *c, const struct outbox_list *parts,
		 size_t i, struct share_sent *out, struct err *e)
{
	if (time_now() - parts->v[i].updated > MASTODON_KEY_TTL) {
		err_set(e, ERR_NET, "mastodon: the answer to part %d was lost "
			"more than an hour ago, so its Idempotency-Key may "
			"have expired", parts->v[i].part);
		return SHARE_UNKNOWN;
	}
	return mastodon_send(c, parts, i, out, e);
}

static const struct share_ops poster = {
	.prepare = mastodon_prepare,
	.plan = mastodon_plan,
	.open = mastodon_open,
	.send = mastodon_send,
	.resolve = mastodon_resolve,
	.close = mastodon_close,
	.reply_ref = MASTODON_REPLY_REF,
	.remote_parse = mastodon_remote,
};

/* ==== the service ==== */

/* A Mastodon list URL (/lists/ID on the instance): read via the API. */
static int
recognise(const struct hub_match *m, const struct hub_candidate *c,
	  char **title)
{
	if (c->kind != HUB_MASTODON_LIST)
		return 0;
	*title = xasprintf("Mastodon list %s on %s", c->id, m->host);
	return 1;
}

const struct service mastodon_service = {
	.name = "mastodon",
	.title = "Mastodon",
	.host_account = true,
	.api_url = NULL,
	.secret_example = "token-cmd = pass show mastodon/token\n",
	.recognise = recognise,
	.source = &reader,
	.share = &poster,
};
