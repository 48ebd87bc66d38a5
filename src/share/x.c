/*
 * x target: one post with the digest's public link (when the target has
 * url =), or a short thread packed within 280 characters (URLs count 23),
 * via POST /2/tweets signed with OAuth 1.0a user tokens (HMAC-SHA1 from
 * OpenSSL's libcrypto). The cost guard: a run never plans more posts than
 * the account's max-posts-per-run (default 5) and the dry run shows the
 * estimated cost. X has no idempotency key, so a lost answer is left to
 * the user. Tests fix the nonce with GLEAN_TEST_OAUTH_NONCE and the clock
 * with GLEAN_NOW.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "glean/json.h"
#include "private.h"
#include "glean/banned.h"

#define X_LIMIT 280
#define X_URL_CHARS 23
#define X_DEFAULT_MAX_POSTS 5

struct xauth {
	char *ck, *cs, *at, *as; /* consumer key/secret, access token/secret */
};

static size_t
measure(const struct share_ctx *c, const char *s)
{
	(void)c;
	return share_measure_chars(s, X_URL_CHARS);
}

static int
x_plan(struct share_ctx *c, struct share_plan *p, struct err *e)
{
	int64_t max = c->a->max_posts_per_run >= 0 ? c->a->max_posts_per_run
						    : X_DEFAULT_MAX_POSTS;

	if (c->t->url && digest_url_ok(c->t->url)) {
		char *title = digest_clean(c->d->title, true);
		char *s = xasprintf("%s: %zu link%s %s", title, c->d->items.n,
				    c->d->items.n == 1 ? "" : "s",
				    c->t->url);

		free(title);
		share_plan_add(p, s, measure(c, s), X_LIMIT, "characters",
			       "post 1/1");
	} else {
		share_pack_thread(c, measure, X_LIMIT, "characters", p);
	}
	if ((int64_t)p->n > max)
		return err_set(e, ERR_LIMIT, "x: this digest needs %zu posts "
			       "but account '%s' allows max-posts-per-run = "
			       "%lld; raise it, or set url = on target '%s' "
			       "to post one link", p->n, c->a->name,
			       (long long)max, c->t->name);
	if (c->a->cost_per_post >= 0)
		p->note = xasprintf("x: %zu post%s, estimated cost $%.2f "
				    "(cost-per-post %.4f)", p->n,
				    p->n == 1 ? "" : "s",
				    c->a->cost_per_post * (double)p->n,
				    c->a->cost_per_post);
	return 0;
}

static int
x_open(struct share_ctx *c, struct err *e)
{
	struct xauth *x = xcalloc(1, sizeof(*x));

	if (share_secret(c, SECRET_CONSUMER_KEY, &x->ck, e) < 0 ||
	    share_secret(c, SECRET_CONSUMER_SECRET, &x->cs, e) < 0 ||
	    share_secret(c, SECRET_ACCESS_TOKEN, &x->at, e) < 0 ||
	    share_secret(c, SECRET_ACCESS_SECRET, &x->as, e) < 0) {
		c->priv = x;
		return -1;
	}
	c->priv = x;
	return 0;
}

static void
x_close(struct share_ctx *c)
{
	struct xauth *x = c->priv;

	if (!x)
		return;
	if (x->ck) config_secret_free(x->ck);
	if (x->cs) config_secret_free(x->cs);
	if (x->at) config_secret_free(x->at);
	if (x->as) config_secret_free(x->as);
	free(x);
	c->priv = NULL;
}

/* RFC 3986 percent-encoding as OAuth 1.0a (RFC 5849 §3.6) wants it. */
static void
pct(struct sbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~')
			sbuf_addch(sb, (char)ch);
		else
			sbuf_addf(sb, "%%%02X", ch);
	}
}

/* The Authorization header for a request without form parameters. */
static char *
oauth_header(const struct xauth *x, const char *method, const char *url)
{
	const char *fixed = getenv("GLEAN_TEST_OAUTH_NONCE");
	char *nonce = fixed && *fixed ? xstrdup(fixed) : random_hex(16);
	char ts[32];
	struct sbuf params = SBUF_INIT, base = SBUF_INIT, key = SBUF_INIT;
	struct sbuf sig = SBUF_INIT, h = SBUF_INIT;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	snprintf(ts, sizeof(ts), "%lld", (long long)time_now());
	/* parameters in byte order of their (encoded) names */
	sbuf_adds(&params, "oauth_consumer_key=");
	pct(&params, x->ck);
	sbuf_adds(&params, "&oauth_nonce=");
	pct(&params, nonce);
	sbuf_adds(&params, "&oauth_signature_method=HMAC-SHA1"
		  "&oauth_timestamp=");
	sbuf_adds(&params, ts);
	sbuf_adds(&params, "&oauth_token=");
	pct(&params, x->at);
	sbuf_adds(&params, "&oauth_version=1.0");
	sbuf_adds(&base, method);
	sbuf_addch(&base, '&');
	pct(&base, url);
	sbuf_addch(&base, '&');
	pct(&base, params.buf);
	pct(&key, x->cs);
	sbuf_addch(&key, '&');
	pct(&key, x->as);
	HMAC(EVP_sha1(), key.buf, (int)key.len,
	     (const unsigned char *)base.buf, base.len, mac, &maclen);
	base64_encode(&sig, mac, maclen);
	sbuf_adds(&h, "Authorization: OAuth oauth_consumer_key=\"");
	pct(&h, x->ck);
	sbuf_adds(&h, "\", oauth_nonce=\"");
	pct(&h, nonce);
	sbuf_adds(&h, "\", oauth_signature=\"");
	pct(&h, sig.buf);
	sbuf_addf(&h, "\", oauth_signature_method=\"HMAC-SHA1\", "
		  "oauth_timestamp=\"%s\", oauth_token=\"", ts);
	pct(&h, x->at);
	sbuf_adds(&h, "\", oauth_version=\"1.0\"");
	memset(key.buf, 0, key.len);
	sbuf_release(&key);
	sbuf_release(&params);
	sbuf_release(&base);
	sbuf_release(&sig);
	free(nonce);
	return sbuf_detach(&h, NULL);
}

static enum share_status
x_send(struct share_ctx *c, const struct outbox_list *parts, size_t i,
       struct share_sent *out, struct err *e)
{
	struct xauth *x = c->priv;
	char *url = xasprintf("%s/2/tweets", c->base);
	char *auth = oauth_header(x, "POST", url);
	const char *hdrs[] = { auth, NULL };
	struct json_out w;
	struct fetch_resp r;
	enum share_status st;

	json_out_init(&w, 0);
	json_obj_begin(&w);
	json_kv_str(&w, "text", parts->v[i].body);
	if (i > 0) {
		json_key(&w, "reply");
		json_obj_begin(&w);
		json_kv_str(&w, "in_reply_to_tweet_id",
			    parts->v[i - 1].remote_id);
		json_obj_end(&w);
	}
	json_obj_end(&w);
	share_http("POST", url, hdrs, "application/json", w.sb.buf, &r);
	st = share_http_status(c, &r, "x", e);
	if (st == SHARE_SENT) {
		struct json j = { 0 };
		const char *id = NULL;

		if (json_parse(&j, r.body.buf, r.body.len, NULL) == 0)
			id = json_get_id(&j, json_root(&j), "data.id");
		if (id && !strpbrk(id, "/?# ")) {
			out->remote_id = text_sanitize(id, strlen(id), true);
			out->remote_url = xasprintf("https://x.com/i/status/"
						    "%s", out->remote_id);
		} else {
			err_set(e, ERR_PARSE, "x: the post was accepted but "
				"the reply has no id");
			st = SHARE_UNKNOWN;
		}
		json_release(&j);
	}
	fetch_resp_release(&r);
	json_out_release(&w);
	config_secret_free(auth);
	free(url);
	return st;
}

const struct share_ops share_x_ops = {
	.kind = TARGET_X,
	.needs_account = true,
	.service = SERVICE_X,
	.plan = x_plan,
	.open = x_open,
	.send = x_send,
	.close = x_close,
};
