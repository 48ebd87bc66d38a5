/*
 * x.c: an X (Twitter) list read with GET /2/lists/ID/tweets and a bearer
 * token. It owns the tweet → entry mapping (t.co links replaced by the
 * expanded URLs the API gives, a long post's whole note_tweet text,
 * retweets and quotes shown with the original author from `includes`,
 * media as enclosures) and the paging (pages of at most what the budget
 * has left):
 * newest first, following meta.next_token until a tweet id seen last
 * run, first-run-depth, or the account's max-posts-per-run budget. X
 * bills every post read, so the run counts them for the summary.
 *
 * Reading sends no request itself (seek does), stores nothing and knows
 * no other service.
 *
 * Posting (share ops, requests through share_http in post.c):
 * x target: one post with the digest's public link (when the target has
 * url =), or a short thread packed within 280 characters (URLs count 23),
 * via POST /2/tweets signed with OAuth 1.0a user tokens (HMAC-SHA1 from
 * OpenSSL's libcrypto). The cost guard: a run never plans more posts than
 * the account's max-posts-per-run (default 5) and the dry run shows the
 * estimated cost. X has no idempotency key, so a lost answer is left to
 * the user. Tests fix the nonce with GLEAN_TEST_OAUTH_NONCE and the clock
 * with GLEAN_NOW.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "glean/fetch.h"
#include "glean/json.h"
#include "glean/service.h"
#include "glean/banned.h"

#define PAGE_MAX 100  /* max_results is 1..100 (X API v2 OpenAPI) */
#define PAGE_QUIET 10 /* first page of a later run: usually little is new */

struct xlist {
	char *list_id;
	char *old_newest;
	char *newest;
	int64_t got;
};

static void
x_url(struct social_run *r, const char *token)
{
	struct xlist *x = r->priv;
	struct sbuf sb = SBUF_INIT;
	int64_t want = x->old_newest && !token ? PAGE_QUIET : PAGE_MAX;
	int64_t left = r->budget - r->posts_read;

	if (!x->old_newest && r->depth - x->got < want)
		want = r->depth - x->got;
	if (left < want)  /* never more than the budget has left */
		want = left;
	if (want < 1)
		want = 1;
	sbuf_addf(&sb, "%s/2/lists/", r->base);
	social_url_escape(&sb, x->list_id);
	sbuf_addf(&sb, "/tweets?max_results=%lld", (long long)want);
	sbuf_adds(&sb, "&tweet.fields=created_at,author_id,entities,"
		       "referenced_tweets,attachments,note_tweet"
		       "&expansions=author_id,referenced_tweets.id,"
		       "referenced_tweets.id.author_id,attachments.media_keys"
		       "&user.fields=name,username"
		       "&media.fields=url,preview_image_url,type");
	if (token) {
		sbuf_adds(&sb, "&pagination_token=");
		social_url_escape(&sb, token);
	}
	/* the commas are literal in X's own examples */
	social_set_req(r, sb.buf);
	sbuf_release(&sb);
}

static int
x_begin(struct social_run *r, struct err *e)
{
	struct xlist *x = xcalloc(1, sizeof(*x));

	r->priv = x;
	x->list_id = social_url_part(r, "/i/lists/", "an X list", e);
	if (!x->list_id)
		return -1;
	x->old_newest = social_cursor_str(r, "newest");
	r->doc.feed.title = xasprintf("X list %s", x->list_id);
	x_url(r, NULL);
	return 0;
}

/* The object in includes.<what> whose <field> is id, or NULL. */
static const struct json_node *
include_by(const struct json *j, const char *what, const char *field,
	   const char *id)
{
	const struct json_node *arr = social_get(j, json_root(j), what,
						  JSON_ARRAY), *o;

	for (o = arr ? json_first(j, arr) : NULL; o; o = json_next(j, o)) {
		const char *v = json_get_str(j, o, field);

		if (o->type == JSON_OBJECT && v && !strcmp(v, id))
			return o;
	}
	return NULL;
}

/* Name "Display (@user)" and username of an author id, from includes. */
static char *
user_name(const struct json *j, const char *author_id, const char **username)
{
	const struct json_node *u;
	const char *name = NULL;

	*username = NULL;
	if (!author_id ||
	    !(u = include_by(j, "includes.users", "id", author_id)))
		return NULL;
	if (social_str(j, u, "username", username) < 0 ||
	    social_str(j, u, "name", &name) < 0)
		return NULL;
	return social_author(name, *username);
}

/* X's text is HTML-escaped for & < > already: decode those three so
 * everything is escaped exactly once. */
static char *
unescape3(const char *s)
{
	struct sbuf sb = SBUF_INIT;

	while (*s) {
		if (str_starts(s, "&amp;")) {
			sbuf_addch(&sb, '&');
			s += 5;
		} else if (str_starts(s, "&lt;")) {
			sbuf_addch(&sb, '<');
			s += 4;
		} else if (str_starts(s, "&gt;")) {
			sbuf_addch(&sb, '>');
			s += 4;
		} else {
			sbuf_addch(&sb, *s++);
		}
	}
	return sbuf_detach(&sb, NULL);
}

/* Tweet text → HTML with every t.co URL the entities explain replaced by
 * a link to the expanded URL (shown in full); media links are dropped
 * from the text (they become enclosures). -1 on mistyped entities. */
static int
tweet_html(const struct json *j, const struct json_node *tw, const char *raw,
	   struct sbuf *out)
{
	const struct json_node *urls = json_path(j, tw, "entities.urls"), *u;
	char *text = unescape3(raw);
	const char *p = text;
	int rc = -1;

	if (urls && urls->type != JSON_ARRAY)
		goto out;
	while (*p) {
		const char *best = NULL, *exp = NULL, *media = NULL;
		size_t blen = 0;

		for (u = urls ? json_first(j, urls) : NULL; u;
		     u = json_next(j, u)) {
			const char *tco, *e, *mk, *q;

			if (u->type != JSON_OBJECT ||
			    social_req_str(j, u, "url", &tco) < 0 ||
			    social_str(j, u, "expanded_url", &e) < 0 ||
			    social_str(j, u, "media_key", &mk) < 0)
				goto out;
			if (!*tco)
				continue;
			q = strstr(p, tco);
			if (q && (!best || q < best)) {
				const char *unw = NULL;

				social_str(j, u, "unwound_url", &unw);
				best = q;
				blen = strlen(tco);
				exp = unw ? unw : e;
				media = mk;
			}
		}
		if (!best) {
			social_html_escape(out, p, strlen(p));
			break;
		}
		social_html_escape(out, p, (size_t)(best - p));
		if (!media && exp && (str_starts(exp, "https://") ||
				      str_starts(exp, "http://"))) {
			sbuf_adds(out, "<a href=\"");
			social_html_escape(out, exp, strlen(exp));
			sbuf_adds(out, "\">");
			social_html_escape(out, exp, strlen(exp));
			sbuf_adds(out, "</a>");
		} else if (!media) {
			social_html_escape(out, best, blen);
		}
		p = best + blen;
	}
	rc = 0;
out:
	free(text);
	return rc;
}

static void
add_media(struct feed_entry *en, struct sbuf *html, const struct json *j,
	  const struct json_node *tw)
{
	const struct json_node *keys = json_path(j, tw,
						 "attachments.media_keys"), *k;

	if (!keys || keys->type != JSON_ARRAY)
		return;
	for (k = json_first(j, keys); k; k = json_next(j, k)) {
		const struct json_node *m;
		const char *url = NULL, *type = NULL;

		if (k->type != JSON_TEXT ||
		    !(m = include_by(j, "includes.media", "media_key",
				     k->text)) ||
		    social_str(j, m, "type", &type) < 0 ||
		    social_str(j, m, "url", &url) < 0)
			continue;
		if (!url && social_str(j, m, "preview_image_url", &url) < 0)
			continue;
		if (!url)
			continue;
		feed_entry_add_enclosure(en, url, social_mime(url, "image/*"),
					 -1);
		sbuf_adds(html, "<p><a href=\"");
		social_html_escape(html, url, strlen(url));
		sbuf_addf(html, "\">[%s]</a></p>",
			  type && !strcmp(type, "photo") ? "image"
							 : "media");
	}
}

static char *
status_url(const char *user, const char *id)
{
	return user ? xasprintf("https://x.com/%s/status/%s", user, id)
		    : xasprintf("https://x.com/i/web/status/%s", id);
}

/* The retweeted or quoted tweet of tw, from includes.tweets. */
static const struct json_node *
referenced(const struct json *j, const struct json_node *tw, const char *type)
{
	const struct json_node *refs = social_get(j, tw, "referenced_tweets",
						  JSON_ARRAY), *rf;

	for (rf = refs ? json_first(j, refs) : NULL; rf; rf = json_next(j, rf)) {
		const char *t = json_get_str(j, rf, "type");
		const char *id = json_get_str(j, rf, "id");

		if (t && id && !strcmp(t, type))
			return include_by(j, "includes.tweets", "id", id);
	}
	return NULL;
}

/* A long post's whole text: X cuts `text` and gives the whole in
 * note_tweet.text, with its own entities. *ents is the object whose
 * entities.urls explain the text's t.co links: note_tweet, or tw itself
 * when the post is short. -1 when note_tweet.text is mistyped. */
static int
whole_text(const struct json *j, const struct json_node *tw,
	   const char **text, const struct json_node **ents)
{
	const struct json_node *note = social_get(j, tw, "note_tweet",
						  JSON_OBJECT);
	const char *nt = NULL;

	*ents = tw;
	if (!note)
		return 0;
	if (social_str(j, note, "text", &nt) < 0)
		return -1;
	if (nt && *nt) {
		*text = nt;
		*ents = note;
	}
	return 0;
}

static int
map_tweet(struct social_run *r, const struct json *j,
	  const struct json_node *tw)
{
	const struct json_node *orig = tw, *rt, *qt, *ents;
	const char *id, *text, *created, *aid, *user = NULL, *buser = NULL;
	const char *oid;
	char *author = NULL, *booster = NULL;
	struct feed_entry *en;
	struct sbuf html = SBUF_INIT, body = SBUF_INIT;

	if (tw->type != JSON_OBJECT ||
	    social_req_str(j, tw, "id", &id) < 0 ||
	    social_req_str(j, tw, "text", &text) < 0 ||
	    social_str(j, tw, "created_at", &created) < 0 ||
	    social_str(j, tw, "author_id", &aid) < 0)
		return -1;
	oid = id;
	if ((rt = referenced(j, tw, "retweeted"))) {
		const char *rtext, *raid, *rid;

		if (social_req_str(j, rt, "text", &rtext) < 0 ||
		    social_req_str(j, rt, "id", &rid) < 0 ||
		    social_str(j, rt, "author_id", &raid) < 0)
			return -1;
		booster = user_name(j, aid, &buser);
		if (!booster)
			booster = aid ? xasprintf("user %s", aid) : NULL;
		orig = rt;
		text = rtext;
		aid = raid;
		oid = rid;
	}
	author = user_name(j, aid, &user);
	if (whole_text(j, orig, &text, &ents) < 0 ||
	    tweet_html(j, ents, text, &body) < 0) {
		free(booster);
		free(author);
		sbuf_release(&body);
		return -1;
	}
	en = social_entry(r);
	en->c.id = status_url(NULL, id); /* the id, as a stable URL form */
	en->c.link = status_url(user, oid);
	if (author) {
		char *profile = user ? xasprintf("https://x.com/%s", user)
				     : NULL;

		feed_add_author(&en->c, author, NULL, profile);
		free(profile);
	}
	en->c.published = created ? parse_date(created) : FEED_NO_DATE;
	if (booster) {
		feed_add_category(&en->c, "repost", NULL, NULL);
		sbuf_adds(&html, "<p>\xf0\x9f\x94\x81 Reposted by ");
		social_html_escape(&html, booster, strlen(booster));
		sbuf_adds(&html, "</p>");
	}
	sbuf_adds(&html, "<p>");
	sbuf_add(&html, body.buf, body.len);
	sbuf_adds(&html, "</p>");
	en->c.title = social_title(body.buf, 100);
	if ((qt = referenced(j, orig, "quoted"))) {
		const char *qtext, *qid, *qaid, *quser;
		const struct json_node *qents;
		char *who, *qlink;
		struct sbuf qb = SBUF_INIT;

		if (social_req_str(j, qt, "text", &qtext) == 0 &&
		    social_req_str(j, qt, "id", &qid) == 0 &&
		    social_str(j, qt, "author_id", &qaid) == 0 &&
		    whole_text(j, qt, &qtext, &qents) == 0 &&
		    tweet_html(j, qents, qtext, &qb) == 0) {
			who = user_name(j, qaid, &quser);
			qlink = status_url(who ? quser : NULL, qid);
			feed_add_category(&en->c, "quote", NULL, NULL);
			feed_add_link(&en->c, "via", qlink, "text/html", NULL);
			sbuf_adds(&html, "<blockquote><p>Quoting <a href=\"");
			social_html_escape(&html, qlink, strlen(qlink));
			sbuf_adds(&html, "\">");
			social_html_escape(&html, who ? who : qlink,
					   strlen(who ? who : qlink));
			sbuf_adds(&html, "</a>:</p><p>");
			sbuf_add(&html, qb.buf, qb.len);
			sbuf_adds(&html, "</p></blockquote>");
			free(who);
			free(qlink);
		}
		sbuf_release(&qb);
	}
	add_media(en, &html, j, orig);
	en->content = text_sanitize(html.buf, html.len, false);
	en->content_type = xstrdup("text/html");
	sbuf_release(&html);
	sbuf_release(&body);
	free(author);
	free(booster);
	return 0;
}

static int
x_page(struct social_run *r, const struct json *j,
       const struct fetch_resp *resp, struct err *e)
{
	struct xlist *x = r->priv;
	const struct json_node *root = json_root(j), *data, *tw;
	const char *next;
	bool stop = false;
	size_t n = 0;

	(void)resp;
	if (root->type != JSON_OBJECT)
		return err_set(e, ERR_PARSE, "X: expected an object");
	data = json_get(j, root, "data");
	if (data && data->type != JSON_ARRAY)
		return err_set(e, ERR_PARSE, "X: 'data' is not an array");
	if (!data && json_get(j, root, "errors"))
		return err_set(e, ERR_HTTP, "X: the API returned errors and "
			       "no posts (is the list private or gone?)");
	if (social_str(j, root, "meta.next_token", &next) < 0)
		return err_set(e, ERR_PARSE, "X: 'meta.next_token' is not a "
			       "string");
	for (tw = data ? json_first(j, data) : NULL; tw; tw = json_next(j, tw)) {
		const char *id = json_get_str(j, tw, "id");

		n++;
		r->posts_read++;
		if (id && x->old_newest && social_id_cmp(id, x->old_newest) <= 0) {
			stop = true; /* known from last run */
			break;
		}
		if (map_tweet(r, j, tw) < 0) {
			r->bad_posts++;
			log_warn("source %lld: skipped a post with a field of "
				 "the wrong type", (long long)r->source_id);
			continue;
		}
		x->got++;
		if (!x->newest || social_id_cmp(id, x->newest) > 0) {
			free(x->newest);
			x->newest = xstrdup(id);
		}
	}
	/* X bills what it sent, read or not */
	if (data && stop)
		for (tw = json_next(j, tw); tw; tw = json_next(j, tw))
			r->posts_read++;
	if (stop || n == 0 || !next || !*next)
		return 0;
	if (r->posts_read >= r->budget) {
		free(r->notice);
		r->notice = xasprintf("X list %s: stopped at the budget of "
				      "%lld posts per run (max-posts-per-run)",
				      x->list_id, (long long)r->budget);
		return 0;
	}
	if (!x->old_newest && x->got >= r->depth)
		return 0;
	x_url(r, next);
	return 1;
}

static int
x_page_done(struct social_run *r, const struct json *j,
	    const struct fetch_resp *resp, struct err *e)
{
	struct xlist *x = r->priv;
	int rc = x_page(r, j, resp, e);
	const char *keep = x->newest;
	struct json_out w;

	if (rc != 0)
		return rc;
	if (x->old_newest && (!keep || social_id_cmp(x->old_newest, keep) > 0))
		keep = x->old_newest;
	if (keep) {
		json_out_init(&w, 0);
		json_obj_begin(&w);
		json_kv_str(&w, "newest", keep);
		json_obj_end(&w);
		free(r->cursor_out);
		r->cursor_out = sbuf_detach(&w.sb, NULL);
		json_out_release(&w);
	}
	return 0;
}

static void
x_release(struct social_run *r)
{
	struct xlist *x = r->priv;

	if (!x)
		return;
	free(x->list_id);
	free(x->old_newest);
	free(x->newest);
	free(x);
	r->priv = NULL;
}

static const struct source_ops reader = {
	.needs_token = true,
	.begin = x_begin,
	.page = x_page_done,
	.release = x_release,
};

/* ==== posting: the share ops ==== */

#define X_LIMIT TEXT_X_LIMIT
#define X_DEFAULT_MAX_POSTS 5

struct xauth {
	char *ck, *cs, *at, *as; /* consumer key/secret, access token/secret */
};

static size_t
measure(const struct share_ctx *c, const char *s)
{
	(void)c;
	return text_x_length(s);
}

static int
x_plan(struct share_ctx *c, struct share_plan *p, struct err *e)
{
	int64_t max = c->a->max_posts_per_run >= 0 ? c->a->max_posts_per_run
						    : X_DEFAULT_MAX_POSTS;

	if (c->t->url && digest_url_ok(c->t->url)) {
		char *title = text_clean(c->d->title, true);
		size_t chars = share_measure_chars(title), m;
		char *s;

		for (;;) { /* a long title is cut, never the link */
			s = xasprintf("%s: %zu link%s %s", title,
				      c->d->items.n,
				      c->d->items.n == 1 ? "" : "s",
				      c->t->url);
			if ((m = measure(c, s)) <= X_LIMIT || chars <= 2)
				break;
			free(s);
			chars = chars > m - X_LIMIT + 2 ? chars - (m - X_LIMIT)
							      - 1 : 2;
			share_cut_chars(title, chars);
		}
		free(title);
		share_plan_add(p, s, m, X_LIMIT, "characters", "post 1/1");
	} else {
		if (share_pack_thread(c, measure, X_LIMIT, "characters", p,
				      e) < 0)
			return -1;
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

/* The base string URI of RFC 5849 §3.4.1.2: scheme and host in lower
 * case, the port only when it is not the scheme's default (80 for http,
 * 443 for https), no user info, the path as given ("/" when empty), no
 * query or fragment. The server checks the signature against its own
 * Host, so "HTTPS://API.X.com:443/2/tweets" must sign as
 * "https://api.x.com/2/tweets". New string. */
char *
x_oauth_base_uri(const char *url)
{
	struct sbuf sb = SBUF_INIT;
	const char *sep = strstr(url, "://"), *auth, *end, *at, *colon, *p;
	size_t hlen;

	if (!sep)
		return xstrdup(url);
	for (p = url; p < sep; p++)
		sbuf_addch(&sb, tolower((unsigned char)*p));
	sbuf_adds(&sb, "://");
	auth = sep + 3;
	end = auth + strcspn(auth, "/?#");
	at = memchr(auth, '@', (size_t)(end - auth));
	if (at)
		auth = at + 1;
	/* the port's colon: after an IPv6 literal's ']' */
	p = memchr(auth, ']', (size_t)(end - auth));
	colon = memchr(p ? p : auth, ':', (size_t)(end - (p ? p : auth)));
	hlen = (size_t)((colon ? colon : end) - auth);
	for (p = auth; p < auth + hlen; p++)
		sbuf_addch(&sb, tolower((unsigned char)*p));
	if (colon && colon + 1 < end) {
		size_t plen = (size_t)(end - colon - 1);
		bool dflt = (str_starts(sb.buf, "http:") && plen == 2 &&
			     !memcmp(colon + 1, "80", 2)) ||
			    (str_starts(sb.buf, "https:") && plen == 3 &&
			     !memcmp(colon + 1, "443", 3));

		if (!dflt)
			sbuf_add(&sb, colon, plen + 1);
	}
	p = end;
	end = p + strcspn(p, "?#");
	if (end == p)
		sbuf_addch(&sb, '/');
	else
		sbuf_add(&sb, p, (size_t)(end - p));
	return sbuf_detach(&sb, NULL);
}

/* The Authorization header for a request without form parameters. */
static char *
oauth_header(const struct xauth *x, const char *method, const char *url)
{
	const char *fixed = getenv("GLEAN_TEST_OAUTH_NONCE");
	char *nonce = fixed && *fixed ? xstrdup(fixed) : random_hex(16);
	char *base_uri = x_oauth_base_uri(url);
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
	pct(&base, base_uri);
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
	free(base_uri);
	return sbuf_detach(&h, NULL);
}

#define X_REPLY_REF "the post id, or the post's URL"

static char *
x_remote(const char *arg, struct err *e)
{
	return share_remote_number(arg, "post id", false, e);
}

static enum share_status
x_send(struct share_ctx *c, const struct outbox_list *parts, size_t i,
       struct share_sent *out, struct err *e)
{
	struct xauth *x = c->priv;
	char *url, *auth;
	const char *hdrs[] = { NULL, NULL };
	struct json_out w;
	struct fetch_resp r;
	enum share_status st;

	/* X API v2: reply.in_reply_to_tweet_id is required in a reply */
	if (i > 0 && !(parts->v[i - 1].remote_id &&
		       *parts->v[i - 1].remote_id))
		return share_no_parent(c, parts, i, i - 1, X_REPLY_REF, e);
	url = xasprintf("%s/2/tweets", c->base);
	auth = oauth_header(x, "POST", url);
	hdrs[0] = auth;
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
	share_http(c, "POST", url, hdrs, "application/json", w.sb.buf, &r);
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

static const struct share_ops poster = {
	.plan = x_plan,
	.open = x_open,
	.send = x_send,
	.close = x_close,
	.reply_ref = X_REPLY_REF,
	.remote_parse = x_remote,
};

/* ==== the service ==== */

/* An X list URL (x.com or twitter.com /i/lists/ID). */
static int
recognise(const struct hub_match *m, const struct hub_candidate *c,
	  char **title)
{
	(void)m;
	if (c->kind != HUB_X_LIST)
		return 0;
	*title = xasprintf("X list %s", c->id);
	return 1;
}

const struct service x_service = {
	.name = "x",
	.title = "X",
	.host_account = false,
	.api_url = "https://api.x.com",
	.secret_example = "token-cmd = pass show x/bearer-token\n",
	.metered = true,
	.recognise = recognise,
	.source = &reader,
	.share = &poster,
};
