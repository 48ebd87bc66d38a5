/*
 * discourse target: the Markdown digest as one post via POST /posts.json
 * (Api-Key and Api-Username headers): a new topic in `category`, or a
 * reply when `topic` is set. A new topic carries external_id = the part's
 * key, so a part whose answer was lost is resolved by asking
 * GET /t/external_id/KEY.json: found means it was posted, 404 means it
 * is safe to post. Replies have no external_id; a lost reply is left to
 * the user.
 */
#include <stdlib.h>
#include <string.h>

#include "glean/json.h"
#include "private.h"
#include "glean/banned.h"

#define DISCOURSE_MAX_CHARS 32000

struct discourse {
	char *key, *user; /* "Api-Key: ..." "Api-Username: ..." */
};

static int
discourse_plan(struct share_ctx *c, struct share_plan *p, struct err *e)
{
	char *md;

	if (!c->t->topic && !c->t->category)
		return err_set(e, ERR_CONFIG, "%s:%d: target '%s' needs "
			       "category = ID (new topic) or topic = ID "
			       "(reply)", c->t->file, c->t->line, c->t->name);
	if (!c->a->user)
		return err_set(e, ERR_CONFIG, "%s:%d: account '%s' needs user "
			       "= the Api-Username", c->a->file, c->a->line,
			       c->a->name);
	if (share_render(c, DIGEST_MD, &md, e) < 0)
		return -1;
	share_plan_add(p, md, share_measure_chars(md, 0), DISCOURSE_MAX_CHARS,
		       "characters", c->t->topic ? "reply to topic %s" :
		       "new topic in category %s", c->t->topic ? c->t->topic
		       : c->t->category);
	return 0;
}

/* glean-<key>: external_id allows at most 50 characters. */
static char *
discourse_key(struct share_ctx *c, size_t i)
{
	char *r = random_hex(16);
	char *k = xasprintf("glean-%s", r);

	(void)c; (void)i;
	free(r);
	return k;
}

static int
discourse_open(struct share_ctx *c, struct err *e)
{
	struct discourse *d = xcalloc(1, sizeof(*d));
	char *tok, *u;

	if (share_secret(c, SECRET_TOKEN, &tok, e) < 0) {
		free(d);
		return -1;
	}
	d->key = xasprintf("Api-Key: %s", tok);
	config_secret_free(tok);
	u = digest_clean(c->a->user, true);
	d->user = xasprintf("Api-Username: %s", u);
	free(u);
	c->priv = d;
	return 0;
}

static void
discourse_close(struct share_ctx *c)
{
	struct discourse *d = c->priv;

	if (!d)
		return;
	config_secret_free(d->key);
	free(d->user);
	free(d);
	c->priv = NULL;
}

/* topic_id, post id and a URL from a post or topic reply. */
static void
read_post(struct share_ctx *c, const struct fetch_resp *r,
	  struct share_sent *out)
{
	struct json j = { 0 };
	const char *topic, *id, *slug;

	if (json_parse(&j, r->body.buf, r->body.len, NULL) < 0)
		goto out;
	topic = json_get_id(&j, json_root(&j), "topic_id");
	if (!topic)
		topic = json_get_id(&j, json_root(&j), "id");
	id = json_get_id(&j, json_root(&j), "id");
	slug = json_get_str(&j, json_root(&j), "topic_slug");
	if (!slug)
		slug = json_get_str(&j, json_root(&j), "slug");
	if (id)
		out->remote_id = text_sanitize(id, strlen(id), true);
	if (topic) {
		char *t = text_sanitize(topic, strlen(topic), true);
		char *s = slug ? text_sanitize(slug, strlen(slug), true)
			       : xstrdup("-");

		if (strpbrk(t, "/?#") || strpbrk(s, "/?#"))
			out->remote_url = NULL;
		else
			out->remote_url = xasprintf("%s/t/%s/%s", c->base, s,
						    t);
		free(t);
		free(s);
	}
out:
	json_release(&j);
}

static enum share_status
discourse_send(struct share_ctx *c, const struct outbox_list *parts,
	       size_t i, struct share_sent *out, struct err *e)
{
	struct discourse *d = c->priv;
	const struct outbox_part *p = &parts->v[i];
	const char *hdrs[] = { d->key, d->user, NULL };
	char *url = xasprintf("%s/posts.json", c->base);
	struct json_out w;
	struct fetch_resp r;
	enum share_status st;

	json_out_init(&w, 0);
	json_obj_begin(&w);
	json_kv_str(&w, "raw", p->body);
	if (c->t->topic) {
		json_kv_str(&w, "topic_id", c->t->topic);
	} else {
		char *title = digest_clean(c->t->title ? c->t->title
					   : "Digest", true);
		char day[32];

		time_fmt_iso(p->updated, day, sizeof(day));
		day[10] = '\0';
		{
			char *full = xasprintf("%s, %s", title, day);

			json_kv_str(&w, "title", full);
			free(full);
		}
		free(title);
		json_kv_str(&w, "category", c->t->category);
		json_kv_str(&w, "external_id", p->idem_key);
	}
	json_obj_end(&w);
	share_http("POST", url, hdrs, "application/json", w.sb.buf, &r);
	st = share_http_status(c, &r, "discourse", e);
	if (st == SHARE_SENT)
		read_post(c, &r, out);
	fetch_resp_release(&r);
	json_out_release(&w);
	free(url);
	return st;
}

static enum share_status
discourse_resolve(struct share_ctx *c, const struct outbox_list *parts,
		  size_t i, struct share_sent *out, struct err *e)
{
	struct discourse *d = c->priv;
	const char *hdrs[] = { d->key, d->user, NULL };
	struct fetch_resp r;
	char *url;
	enum share_status st;

	if (c->t->topic) {
		err_set(e, ERR_NET, "discourse: a reply has no external_id "
			"to look up");
		return SHARE_UNKNOWN;
	}
	url = xasprintf("%s/t/external_id/%s.json", c->base,
			parts->v[i].idem_key);
	share_http("GET", url, hdrs, NULL, NULL, &r);
	free(url);
	if (r.status == 404) {
		fetch_resp_release(&r);
		return SHARE_FAILED; /* never arrived: post it */
	}
	if (r.status >= 301 && r.status <= 308) {
		/* Discourse redirects to the topic: it exists. */
		const char *loc = fetch_resp_header(&r, "Location");

		if (loc && digest_url_ok(loc))
			out->remote_url = xstrdup(loc);
		out->remote_id = xstrdup(parts->v[i].idem_key);
		fetch_resp_release(&r);
		return SHARE_SENT;
	}
	st = share_http_status(c, &r, "discourse", e);
	if (st == SHARE_SENT)
		read_post(c, &r, out);
	else
		st = SHARE_UNKNOWN;
	fetch_resp_release(&r);
	return st;
}

const struct share_ops share_discourse_ops = {
	.kind = TARGET_DISCOURSE,
	.needs_account = true,
	.service = SERVICE_DISCOURSE,
	.plan = discourse_plan,
	.key = discourse_key,
	.open = discourse_open,
	.send = discourse_send,
	.resolve = discourse_resolve,
	.close = discourse_close,
};
