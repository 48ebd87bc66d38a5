/*
 * webhook target: one JSON POST to the configured URL, either
 * Slack-compatible {"text": the Markdown digest} (format = slack, the
 * default) or the whole digest as a JSON Feed 1.1 object (format =
 * digest). No idempotency on the other side, so a lost answer is left to
 * the user (unknown).
 */
#include <stdlib.h>
#include <string.h>

#include "glean/json.h"
#include "private.h"
#include "glean/banned.h"

static int
webhook_plan(struct share_ctx *c, struct share_plan *p, struct err *e)
{
	const char *fmt = c->t->format ? c->t->format : "slack";
	char *md = NULL;

	if (!digest_url_ok(c->t->url) || str_istarts(c->t->url, "mailto:"))
		return err_set(e, ERR_CONFIG, "%s:%d: target '%s' needs url = "
			       "an http(s) URL", c->t->file, c->t->line,
			       c->t->name);
	if (!strcmp(fmt, "slack")) {
		struct json_out w;

		if (share_render(c, DIGEST_MD, &md, e) < 0)
			return -1;
		json_out_init(&w, 0);
		json_obj_begin(&w);
		json_kv_str(&w, "text", md);
		json_obj_end(&w);
		free(md);
		share_plan_add(p, sbuf_detach(&w.sb, NULL), 0, 0, "bytes",
			       "POST %s (slack text)", "webhook");
		json_out_release(&w);
	} else if (!strcmp(fmt, "digest") || !strcmp(fmt, "json")) {
		if (share_render(c, DIGEST_JSON, &md, e) < 0)
			return -1;
		share_plan_add(p, md, 0, 0, "bytes", "POST %s (digest "
			       "object)", "webhook");
	} else {
		return err_set(e, ERR_CONFIG, "%s:%d: target '%s': format "
			       "'%s' is not slack or digest", c->t->file,
			       c->t->line, c->t->name, fmt);
	}
	p->v[p->n - 1].length = strlen(p->v[p->n - 1].body);
	return 0;
}

static enum share_status
webhook_send(struct share_ctx *c, const struct outbox_list *parts, size_t i,
	     struct share_sent *out, struct err *e)
{
	struct fetch_resp r;
	enum share_status st;

	share_http(c, "POST", c->t->url, NULL, "application/json",
		   parts->v[i].body, &r);
	st = share_http_status(c, &r, "webhook", e);
	if (st == SHARE_SENT)
		out->remote_id = xasprintf("HTTP %ld", r.status);
	fetch_resp_release(&r);
	return st;
}

const struct share_ops share_webhook_ops = {
	.kind = "webhook",
	.plan = webhook_plan,
	.send = webhook_send,
};
