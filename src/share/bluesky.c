/*
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

#include "glean/json.h"
#include "private.h"
#include "glean/banned.h"

#define BLUESKY_LIMIT 300

struct bluesky {
	char *did, *access, *refresh;
};

static size_t
measure(const struct share_ctx *c, const char *s)
{
	(void)c;
	return share_measure_graphemes(s);
}

static int
bluesky_plan(struct share_ctx *c, struct share_plan *p, struct err *e)
{
	if (!c->a->user)
		return err_set(e, ERR_CONFIG, "%s:%d: account '%s' needs user "
			       "= your handle", c->a->file, c->a->line,
			       c->a->name);
	share_pack_thread(c, measure, BLUESKY_LIMIT, "graphemes", p);
	return 0;
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
session_free(struct bluesky *b)
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
read_session(struct bluesky *b, const struct fetch_resp *r, struct err *e)
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
	struct bluesky *b = xcalloc(1, sizeof(*b));
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
	share_http("POST", url, NULL, "application/json", w.sb.buf, &r);
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
	struct bluesky *b = c->priv;
	const char *hdrs[] = { b->refresh, NULL };
	char *url = xasprintf("%s/xrpc/com.atproto.server.refreshSession",
			      c->base);
	struct fetch_resp r;
	int rc = -1;

	share_http("POST", url, hdrs, NULL, NULL, &r);
	free(url);
	if (share_http_status(c, &r, "bluesky refreshSession", e) ==
	    SHARE_SENT)
		rc = read_session(b, &r, e);
	fetch_resp_release(&r);
	return rc;
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

static void
json_facets(struct json_out *w, const char *text)
{
	const char *p = text;
	bool any = false;

	while ((p = strstr(p, "http")) != NULL) {
		size_t n = 0;
		char *uri;

		if ((p != text && p[-1] != ' ' && p[-1] != '\n') ||
		    !(str_starts(p, "http://") || str_starts(p, "https://"))) {
			p += 4;
			continue;
		}
		while (p[n] && p[n] != ' ' && p[n] != '\n' && p[n] != '\t')
			n++;
		if (!any) {
			json_key(w, "facets");
			json_arr_begin(w);
			any = true;
		}
		uri = xstrndup(p, n);
		json_obj_begin(w);
		json_key(w, "index");
		json_obj_begin(w);
		json_key(w, "byteStart");
		json_i64(w, (int64_t)(p - text));
		json_key(w, "byteEnd");
		json_i64(w, (int64_t)(p - text + n));
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
		p += n;
	}
	if (any)
		json_arr_end(w);
}

static void
read_record(struct share_ctx *c, const struct fetch_resp *r,
	    const char *rkey, struct share_sent *out)
{
	struct bluesky *b = c->priv;
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
	struct bluesky *b = c->priv;
	const struct outbox_part *p = &parts->v[i];
	char *url = xasprintf("%s/xrpc/com.atproto.repo.createRecord",
			      c->base);
	struct json_out w;
	struct fetch_resp r;
	enum share_status st;
	char iso[32];
	int tries;

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

		share_http("POST", url, hdrs, "application/json", w.sb.buf,
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
	struct bluesky *b = c->priv;
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
	share_http("GET", url, hdrs, NULL, NULL, &r);
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

const struct share_ops share_bluesky_ops = {
	.kind = TARGET_BLUESKY,
	.needs_account = true,
	.service = SERVICE_BLUESKY,
	.plan = bluesky_plan,
	.key = bluesky_key,
	.open = bluesky_open,
	.send = bluesky_send,
	.resolve = bluesky_resolve,
	.close = bluesky_close,
};
