/*
 * read.c: what every API-read source shares. It owns the run (account
 * lookup, the secret, auth headers, status codes, rate-limit headers,
 * JSON validation) and small helpers the services use to build entries
 * (escaping, authors, titles, id comparison, same-origin checks), plus
 * what `glean add` needs to decide on a URL (asking each service in
 * services[] whether it claims it).
 *
 * It does not know any service's JSON (mastodon.c, bluesky.c, x.c,
 * discourse.c do), send requests (seek/ and fetch/ do) or store
 * anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "glean/fetch.h"
#include "glean/service.h"
#include "glean/store.h"
#include "glean/banned.h"

#define RATE_WAIT_MAX (24 * 3600)
#define RATE_WAIT_DEFAULT (15 * 60)

/* ---- helpers ---- */

char *
social_clean(const char *s)
{
	return s ? text_sanitize(s, strlen(s), false) : NULL;
}

void
social_url_escape(struct sbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c)) {
			sbuf_addch(sb, c);
		} else {
			sbuf_addch(sb, '%');
			sbuf_addch(sb, hex[c >> 4]);
			sbuf_addch(sb, hex[c & 15]);
		}
	}
}

void
social_html_escape(struct sbuf *sb, const char *s, size_t n)
{
	text_escape(sb, s, n, ESC_QUOT | ESC_BR);
}

char *
social_author(const char *display, const char *handle)
{
	char *raw, *out;

	if (display && *display && handle && *handle)
		raw = xasprintf("%s (@%s)", display, handle);
	else if (handle && *handle)
		raw = xasprintf("@%s", handle);
	else if (display && *display)
		raw = xstrdup(display);
	else
		return NULL;
	out = text_sanitize(raw, strlen(raw), true);
	free(raw);
	return out;
}

char *
social_title(const char *html, size_t max)
{
	struct sbuf sb = SBUF_INIT;
	size_t i, cut = 0;
	char *t;

	if (!html)
		return NULL;
	html_strip(html, strlen(html), 4096, &sb);
	if (!sb.len) {
		sbuf_release(&sb);
		return NULL;
	}
	for (i = 0; i < sb.len && i < max; i++) {
		char c = sb.buf[i];

		if ((c == '.' || c == '!' || c == '?') &&
		    (sb.buf[i + 1] == ' ' || sb.buf[i + 1] == '\0') && i > 0) {
			t = xstrndup(sb.buf, i + 1);
			sbuf_release(&sb);
			return t;
		}
		if (c == ' ')
			cut = i;
	}
	if (i >= sb.len) {
		t = sbuf_detach(&sb, NULL);
		sbuf_release(&sb);
		return t;
	}
	if (cut == 0)
		cut = i;
	while (cut > 0 && ((unsigned char)sb.buf[cut] & 0xC0) == 0x80)
		cut--;
	while (cut > 0 && sb.buf[cut - 1] == ' ')
		cut--;
	t = xmalloc(cut + 4);
	memcpy(t, sb.buf, cut);
	memcpy(t + cut, "\xe2\x80\xa6", 4);
	sbuf_release(&sb);
	return t;
}

int
social_id_cmp(const char *a, const char *b)
{
	size_t la, lb;
	int c;

	while (*a == '0' && a[1])
		a++;
	while (*b == '0' && b[1])
		b++;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	c = strcmp(a, b);
	return c < 0 ? -1 : c > 0;
}

/* Length of "scheme://host[:port]" at the start of url, or 0. */
static size_t
origin_len(const char *url)
{
	const char *p = strstr(url, "://");

	if (!p)
		return 0;
	p += 3;
	return (size_t)(p - url) + strcspn(p, "/?#");
}

bool
social_same_origin(const char *base, const char *url)
{
	size_t a = origin_len(base), b = origin_len(url);

	return a && a == b && strncasecmp(base, url, a) == 0;
}

struct feed_entry *
social_entry(struct social_run *r)
{
	return feed_doc_add_entry(&r->doc);
}

static void
clear_req(struct social_run *r)
{
	size_t i;

	free(r->req_url);
	r->req_url = NULL;
	for (i = 0; i < SOCIAL_MAX_HDR; i++) {
		if (r->hdr[i]) {
			explicit_bzero(r->hdr[i], strlen(r->hdr[i]));
			free(r->hdr[i]);
		}
		r->hdr[i] = NULL;
		r->hdrv[i] = NULL;
	}
}

void
social_set_req(struct social_run *r, const char *url)
{
	size_t n = 0;

	clear_req(r);
	r->req_url = xstrdup(url);
	r->hdr[n++] = xstrdup("Accept: application/json");
	if (r->token) {
		if (r->ops->auth) {
			r->ops->auth(r, r->hdr, &n);
		} else {
			r->hdr[n++] = xasprintf("Authorization: Bearer %s",
						r->token);
		}
	}
	for (size_t i = 0; i < n; i++)
		r->hdrv[i] = r->hdr[i];
	r->hdrv[n] = NULL;
}

/* ---- accounts ---- */

/* "[account "NAME"] ..." lines to add, as an ERR_CONFIG message. */
static int
need_account(const struct config *cfg, const struct service *svc,
	     const char *origin, const char *why, struct err *e)
{
	const char *name = svc->name;
	const char *path = cfg->path ? cfg->path : "your config";
	const char *url = svc->api_url ? svc->api_url : origin;
	const char *secret = svc->secret_example;
	return err_set(e, ERR_CONFIG,
		       "%s needs a %s account in the config; add these lines "
		       "to %s (the token command is an example: token-file "
		       "or token-env work too) and run the command again:\n"
		       "[account \"%s\"]\nservice = %s\nurl = %s\n%s",
		       why, svc->title, path, name, name, url, secret);
}

/* The account for svc: by the site's host (bare, no port) when the
 * service has one per site, else its one account. */
static const struct config_account *
find_account(const struct config *cfg, const struct service *svc,
	     const char *bare)
{
	return config_account_for(cfg, svc->name,
				  svc->host_account ? bare : NULL);
}

int
social_classify(const struct config *cfg, const char *url, const char **kind,
		const char **account, char **title, struct err *e)
{
	struct hub_match m;
	const struct config_account *a = NULL;
	const struct hub_candidate *c;
	const struct service *const *sv;
	char why[600], *bare, *t = NULL;
	int rc = 0;

	*kind = *account = NULL;
	*title = NULL;
	if (hub_classify(url, &m, NULL) < 0 || m.n == 0) {
		hub_match_release(&m);
		return 0;
	}
	c = &m.cand[0];
	bare = xstrdup(m.host);
	if (bare[0] != '[' && strchr(bare, ':'))
		*strchr(bare, ':') = '\0';
	for (sv = services; *sv; sv++)
		if ((*sv)->source && (*sv)->recognise &&
		    (*sv)->recognise(&m, c, &t) == 1)
			break;
	if (!*sv)
		goto out;
	a = find_account(cfg, *sv, bare);
	if (!a && (*sv)->feed_without_account) {
		free(t);
		goto out; /* the site's feed is read instead */
	}
	if (!a && !(*sv)->account_optional) {
		snprintf(why, sizeof(why), "reading the %s list '%s'%s",
			 (*sv)->title, url, (*sv)->metered
			 ? " (a paid API, with a bearer token)" : "");
		free(t);
		rc = need_account(cfg, *sv, m.origin, why, e);
		goto out;
	}
	*kind = (*sv)->name;
	*title = t;
	if (a && (*sv)->source->needs_token) {
		const struct config_secret_src *s = &a->secret[SECRET_TOKEN];

		if (!s->cmd && !s->file && !s->env) {
			free(*title);
			*title = NULL;
			*kind = NULL;
			rc = err_set(e, ERR_CONFIG, "account '%s' has no token; "
				     "add 'token-cmd = COMMAND', 'token-file "
				     "= PATH' or 'token-env = VARIABLE' under "
				     "[account \"%s\"] in %s", a->name,
				     a->name,
				     cfg->path ? cfg->path : "the config");
			goto out;
		}
	}
	*account = a ? a->name : NULL;
	rc = 1;
out:
	free(bare);
	hub_match_release(&m);
	return rc;
}

/* ---- the run ---- */

int
social_run_init(struct social_run *r, const struct config *cfg,
		const struct source *s, int64_t now, struct err *e)
{
	const struct service *svc = service_by_name(s->kind);
	const struct source_ops *ops = svc ? svc->source : NULL;
	const char *host_url;
	char *bare = NULL;
	struct hub_match m = { 0 };
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->doc.feed.published = r->doc.feed.updated = FEED_NO_DATE;
	r->doc.ttl = -1;
	if (!ops)
		return err_set(e, ERR_USAGE, "'%s' is not an API source kind",
			       s->kind);
	r->svc = svc;
	r->ops = ops;
	r->cfg = cfg;
	r->src_url = s->url;
	r->cursor_in = s->cursor && *s->cursor ? s->cursor : NULL;
	r->source_id = s->id;
	r->now = now;
	r->depth = cfg->first_run_depth > 0 ? cfg->first_run_depth
			: config_defaults()->first_run_depth;
	if (s->account)
		r->acct = config_account(cfg, s->account);
	if (!r->acct) {
		if (hub_classify(s->url, &m, NULL) == 0 && m.host) {
			bare = xstrdup(m.host);
			if (bare[0] != '[' && strchr(bare, ':'))
				*strchr(bare, ':') = '\0';
		}
		r->acct = find_account(cfg, svc, bare);
	}
	if (r->acct && strcmp(r->acct->service, svc->name) != 0) {
		err_set(e, ERR_CONFIG, "account '%s' is a %s account, but "
			"source %lld is a %s list; fix 'service' or the "
			"source", r->acct->name,
			r->acct->service,
			(long long)s->id, svc->title);
		goto out;
	}
	if (!r->acct && !svc->account_optional) {
		char why[400];

		snprintf(why, sizeof(why), "source %lld ('%s')",
			 (long long)s->id, s->url);
		need_account(cfg, svc, m.origin ? m.origin : s->url,
			     why, e);
		goto out;
	}
	host_url = svc->api_url;
	if (r->acct && r->acct->url)
		host_url = r->acct->url;
	if (!host_url) {
		err_set(e, ERR_CONFIG, "account '%s' has no 'url'; add 'url = "
			"https://HOST' under [account \"%s\"]", r->acct->name,
			r->acct->name);
		goto out;
	}
	r->base = xstrdup(host_url);
	while (*r->base && r->base[strlen(r->base) - 1] == '/')
		r->base[strlen(r->base) - 1] = '\0';
	if (r->acct) {
		const struct config_secret_src *src =
			&r->acct->secret[SECRET_TOKEN];

		if (src->cmd || src->file || src->env) {
			if (config_secret(r->acct, SECRET_TOKEN, &r->token,
					  e) < 0)
				goto out;
		} else if (ops->needs_token) {
			config_secret(r->acct, SECRET_TOKEN, &r->token, e);
			goto out;
		}
	}
	if (svc->metered) {
		r->budget = r->acct && r->acct->max_posts_per_run > 0
				    ? r->acct->max_posts_per_run
				    : SOCIAL_DEFAULT_BUDGET;
		r->min_interval = SOCIAL_X_MIN_INTERVAL;
	}
	if (ops->begin(r, e) < 0)
		goto out;
	if (!r->req_url) {
		err_set(e, ERR_USAGE, "source %lld: nothing to request",
			(long long)s->id);
		goto out;
	}
	rc = 0;
out:
	free(bare);
	hub_match_release(&m);
	return rc;
}

void
social_run_release(struct social_run *r)
{
	if (r->ops && r->ops->release)
		r->ops->release(r);
	clear_req(r);
	if (r->token) {
		explicit_bzero(r->token, strlen(r->token));
		free(r->token);
	}
	free(r->base);
	free(r->cursor_out);
	free(r->notice);
	feed_doc_release(&r->doc);
	memset(r, 0, sizeof(*r));
}

/* An integer header, or -1. */
static int64_t
hdr_i64(const struct fetch_resp *resp, const char *name)
{
	const char *v = fetch_resp_header(resp, name);
	int64_t n;
	char buf[32];
	size_t len;

	if (!v)
		return -1;
	len = strlen(v);
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, v, len + 1);
	str_trim(buf);
	/* "1.5" style values: take the integer part */
	buf[strcspn(buf, ".")] = '\0';
	return str_to_i64(buf, &n) == 0 && n >= 0 ? n : -1;
}

/* When the service's window resets: Mastodon sends an ISO time, X epoch
 * seconds, Bluesky (atproto) epoch seconds; a small number is a delta.
 * 0 when absent. */
static int64_t
rate_reset(const struct social_run *r, const struct fetch_resp *resp)
{
	static const char *const names[] = {
		"x-rate-limit-reset", "X-RateLimit-Reset", "RateLimit-Reset",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		const char *v = fetch_resp_header(resp, names[i]);
		int64_t n;

		if (!v)
			continue;
		n = hdr_i64(resp, names[i]);
		if (n < 0) {
			n = parse_date(v);
			if (n == FEED_NO_DATE)
				continue;
			return n;
		}
		return n > 1000000000 ? n : r->now + n;
	}
	return 0;
}

static int64_t
rate_remaining(const struct fetch_resp *resp)
{
	int64_t n = hdr_i64(resp, "x-rate-limit-remaining");

	if (n < 0)
		n = hdr_i64(resp, "X-RateLimit-Remaining");
	if (n < 0)
		n = hdr_i64(resp, "RateLimit-Remaining");
	return n;
}

static void
set_not_before(struct social_run *r, int64_t t)
{
	if (t > r->now + RATE_WAIT_MAX)
		t = r->now + RATE_WAIT_MAX;
	if (t > r->not_before)
		r->not_before = t;
}

int
social_run_response(struct social_run *r, struct fetch_resp *resp,
		    struct err *e)
{
	struct json j = { 0 };
	const char *svc = r->svc->title;
	int64_t reset = rate_reset(r, resp), left = rate_remaining(resp);
	int rc;

	r->pages++;
	if (resp->status == 429) {
		int64_t t = reset;
		char when[32];

		if (resp->retry_after >= 0 && r->now + resp->retry_after > t)
			t = r->now + resp->retry_after;
		if (t <= r->now)
			t = r->now + RATE_WAIT_DEFAULT;
		set_not_before(r, t);
		time_fmt_iso(r->not_before, when, sizeof(when));
		return err_set(e, ERR_LIMIT, "%s rate limit reached (HTTP 429); "
			       "glean waits until %s before asking again",
			       svc, when);
	}
	if (left == 0 && reset > r->now)
		set_not_before(r, reset);
	if (resp->retry_after > 0)
		set_not_before(r, r->now + resp->retry_after);
	if (resp->status == 401)
		return err_set(e, ERR_AUTH, "%s refused the credentials of "
			       "account '%s' (HTTP 401); re-authenticate "
			       "(renew the token its token-cmd/-file/-env "
			       "gives), then run 'glean fetch %lld'; glean "
			       "will not retry on its own", svc,
			       r->acct ? r->acct->name : "(none)",
			       (long long)r->source_id);
	if (resp->status == 404)
		return err_set(e, ERR_NOTFOUND, "%s says the list does not "
			       "exist or is not visible to this account "
			       "(HTTP 404); check '%s'", svc, r->src_url);
	if (resp->err.code != ERR_OK)
		return err_set(e, resp->err.code, "%s: %s", svc,
			       resp->err.msg);
	if (resp->status >= 300)
		return err_set(e, ERR_HTTP, "%s: unexpected HTTP %ld", svc,
			       resp->status);
	if (json_parse(&j, resp->body.buf, resp->body.len, e) < 0)
		return err_prefix(e, "%s sent malformed JSON", svc);
	clear_req(r);
	rc = r->ops->page(r, &j, resp, e);
	json_release(&j);
	if (rc > 0 && !r->req_url)
		BUG("social: page asked for more without a request");
	return rc;
}

char *
social_url_part(const struct social_run *r, const char *marker,
		const char *what, struct err *e)
{
	const char *p = strstr(r->src_url, marker);
	size_t n;

	if (p)
		p += strlen(marker);
	n = p ? strcspn(p, "/?#") : 0;
	if (!n) {
		err_set(e, ERR_USAGE, "'%s' is not %s URL", r->src_url, what);
		return NULL;
	}
	return xstrndup(p, n);
}

char *
social_cursor_str(const struct social_run *r, const char *key)
{
	struct json j = { 0 };
	const char *v;
	char *out = NULL;

	if (!r->cursor_in ||
	    json_parse(&j, r->cursor_in, strlen(r->cursor_in), NULL) < 0)
		return NULL;
	v = json_get_str(&j, json_root(&j), key);
	if (v && *v)
		out = xstrdup(v);
	json_release(&j);
	return out;
}

int
social_str(const struct json *j, const struct json_node *o, const char *key,
	   const char **out)
{
	const struct json_node *n = json_path(j, o, key);

	*out = NULL;
	if (!n || n->type == JSON_NULL)
		return 0;
	if (n->type != JSON_TEXT)
		return -1;
	*out = n->text;
	return 0;
}

int
social_req_str(const struct json *j, const struct json_node *o,
	       const char *key, const char **out)
{
	if (social_str(j, o, key, out) < 0 || !*out)
		return -1;
	return 0;
}

const struct json_node *
social_get(const struct json *j, const struct json_node *o, const char *key,
	   enum json_type t)
{
	const struct json_node *n = json_path(j, o, key);

	return n && n->type == t ? n : NULL;
}

char *
social_link_rel(const char *link, const char *rel)
{
	const char *p = link;

	while (p && *p) {
		const char *lt = strchr(p, '<'), *gt, *end, *q;

		if (!lt)
			break;
		gt = strchr(lt, '>');
		if (!gt)
			break;
		end = strchr(gt, ',');
		if (!end)
			end = gt + strlen(gt);
		/* look for rel="rel" or rel=rel between gt and end */
		for (q = gt; q < end; q++) {
			size_t n = strlen(rel);

			if (strncasecmp(q, "rel=", 4) != 0)
				continue;
			q += 4;
			if (*q == '"')
				q++;
			if ((size_t)(end - q) >= n && !strncmp(q, rel, n) &&
			    (q[n] == '"' || q[n] == ';' || q[n] == ',' ||
			     q[n] == ' ' || q[n] == '\0'))
				return xstrndup(lt + 1, (size_t)(gt - lt - 1));
		}
		p = end;
	}
	return NULL;
}

const char *
social_mime(const char *url, const char *fallback)
{
	static const struct {
		const char *ext, *mime;
	} m[] = {
		{ ".jpg", "image/jpeg" }, { ".jpeg", "image/jpeg" },
		{ ".png", "image/png" }, { ".gif", "image/gif" },
		{ ".webp", "image/webp" }, { ".mp4", "video/mp4" },
		{ ".webm", "video/webm" }, { ".m3u8", "application/x-mpegURL" },
		{ ".mp3", "audio/mpeg" }, { ".ogg", "audio/ogg" },
	};
	size_t i, n;
	const char *end;

	if (!url)
		return fallback;
	end = url + strcspn(url, "?#");
	n = (size_t)(end - url);
	for (i = 0; i < ARRAY_SIZE(m); i++) {
		size_t k = strlen(m[i].ext);

		if (n >= k && !strncasecmp(end - k, m[i].ext, k))
			return m[i].mime;
	}
	return fallback;
}
