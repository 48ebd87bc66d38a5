/*
 * mastodon target: the digest as a thread. The opening post carries the
 * title, window and introduction; the following posts pack whole items
 * within the instance's limit (configuration.statuses.max_characters from
 * GET /api/v2/instance, URLs counted as characters_reserved_per_url).
 * Each POST /api/v1/statuses carries the part's own Idempotency-Key, so
 * a part whose answer was lost is resolved by sending it again with the
 * same key while Mastodon still remembers it (about an hour); after that
 * it is left to the user.
 */
#include <stdlib.h>
#include <string.h>

#include "glean/json.h"
#include "private.h"
#include "glean/banned.h"

#define MASTODON_DEFAULT_LIMIT 500
#define MASTODON_URL_CHARS 23
#define MASTODON_KEY_TTL 3600

struct mastodon {
	char *auth;    /* "Authorization: Bearer ..." (wiped at close) */
};

static size_t
measure(const struct share_ctx *c, const char *s)
{
	return share_measure_chars(s, c->url_weight);
}

static int
mastodon_prepare(struct share_ctx *c, struct err *e)
{
	struct fetch_resp r;
	struct json j = { 0 };
	char *url = xasprintf("%s/api/v2/instance", c->base);
	int64_t v;

	c->limit = MASTODON_DEFAULT_LIMIT;
	c->url_weight = MASTODON_URL_CHARS;
	share_http(c, "GET", url, NULL, NULL, NULL, &r);
	free(url);
	if (r.err.code != ERR_OK) {
		err_set(e, r.err.code, "mastodon: cannot read the instance's "
			"limits from %s/api/v2/instance: %s", c->base,
			r.err.msg);
		fetch_resp_release(&r);
		return -1;
	}
	if (json_parse(&j, r.body.buf, r.body.len, NULL) == 0) {
		const struct json_node *root = json_root(&j);

		if (json_get_i64(&j, root, "configuration.statuses."
				 "max_characters", &v) == 0 && v >= 50 &&
		    v <= 100000)
			c->limit = (size_t)v;
		if (json_get_i64(&j, root, "configuration.statuses."
				 "characters_reserved_per_url", &v) == 0 &&
		    v > 0 && v <= 1000)
			c->url_weight = (size_t)v;
	}
	json_release(&j);
	fetch_resp_release(&r);
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
	share_pack_thread(c, measure, c->limit, "characters", p);
	return 0;
}

static int
mastodon_open(struct share_ctx *c, struct err *e)
{
	struct mastodon *m = xcalloc(1, sizeof(*m));
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
	struct mastodon *m = c->priv;

	if (!m)
		return;
	config_secret_free(m->auth);
	free(m);
	c->priv = NULL;
}

static enum share_status
mastodon_send(struct share_ctx *c, const struct outbox_list *parts, size_t i,
	      struct share_sent *out, struct err *e)
{
	struct mastodon *m = c->priv;
	const struct outbox_part *p = &parts->v[i];
	char *url = xasprintf("%s/api/v1/statuses", c->base);
	char *key = xasprintf("Idempotency-Key: %s", p->idem_key);
	const char *hdrs[] = { m->auth, key, NULL };
	struct json_out w;
	struct fetch_resp r;
	enum share_status st;

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

const struct share_ops share_mastodon_ops = {
	.kind = TARGET_MASTODON,
	.needs_account = true,
	.service = SERVICE_MASTODON,
	.prepare = mastodon_prepare,
	.plan = mastodon_plan,
	.open = mastodon_open,
	.send = mastodon_send,
	.resolve = mastodon_resolve,
	.close = mastodon_close,
};
