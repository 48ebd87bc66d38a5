/*
 * discourse.c: a Discourse hub (latest, a category, a tag) read through
 * its JSON topic lists when an account with service = discourse names the
 * forum (Api-Key and Api-Username sent when a token is configured; a
 * public forum needs none). It owns the topic-list → entry mapping (one
 * item per topic, guid "HOST-topic-ID" as Discourse's own RSS spells it,
 * so switching from the RSS keeps the items) and the paging: the first run
 * takes first-run-depth topics through more_topics_url, later runs only
 * topics bumped since the newest bump seen.
 *
 * It does not fetch the posts of each topic (one request per topic would
 * be impolite; the excerpt and counts are what the list gives), send
 * requests, or store.
 *
 * Posting (share ops, requests through share_http in post.c):
 * discourse target: the Markdown digest as one post via POST /posts.json
 * (Api-Key and Api-Username headers): a new topic in `category`, or a
 * reply when `topic` is set. A new topic carries external_id = the part's
 * key, so a part whose answer was lost is resolved by asking
 * GET /t/external_id/KEY.json: found means it was posted, 404 means it
 * is safe to post. Replies have no external_id; a lost reply is left to
 * the user.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glean/fetch.h"
#include "glean/json.h"
#include "glean/service.h"
#include "glean/banned.h"

#define MAX_PAGES 5

struct discourse {
	char *host;
	int64_t old_bumped; /* newest bumped_at seen last run, or 0 */
	int64_t bumped;
	int64_t got;
};

static int
d_begin(struct social_run *r, struct err *e)
{
	struct discourse *d = xcalloc(1, sizeof(*d));
	struct hub_match m;
	const struct hub_candidate *c;
	struct sbuf sb = SBUF_INIT;
	struct json j = { 0 };
	int rc = -1;

	r->priv = d;
	if (hub_classify(r->src_url, &m, e) < 0 || m.n == 0)
		goto bad;
	c = &m.cand[0];
	d->host = xstrdup(m.host);
	sbuf_adds(&sb, r->base);
	switch (c->kind) {
	case HUB_DISCOURSE_LATEST:
		sbuf_adds(&sb, "/latest.json");
		break;
	case HUB_DISCOURSE_CATEGORY:
		if (!c->id)
			goto bad;
		sbuf_addf(&sb, "/c/%s/%s.json", c->name, c->id);
		break;
	case HUB_DISCOURSE_TAG:
		sbuf_adds(&sb, "/tag/");
		social_url_escape(&sb, c->name);
		sbuf_adds(&sb, ".json");
		break;
	default:
		goto bad;
	}
	if (r->cursor_in && json_parse(&j, r->cursor_in,
				       strlen(r->cursor_in), NULL) == 0) {
		if (json_get_i64(&j, json_root(&j), "bumped",
				 &d->old_bumped) < 0)
			d->old_bumped = 0;
		json_release(&j);
	}
	r->doc.feed.title = xasprintf("%s", m.host);
	social_set_req(r, sb.buf);
	rc = 0;
	goto out;
bad:
	err_set(e, ERR_USAGE, "'%s' is not a Discourse latest, category (with "
		"its id) or tag page", r->src_url);
out:
	sbuf_release(&sb);
	hub_match_release(&m);
	return rc;
}

/* The original poster of a topic: the first of posters[] (Discourse
 * lists the topic's creator first; the description beside it is in the
 * forum's language, so it is not read), looked up in users[]. */
static char *
op_name(const struct json *j, const struct json_node *topic)
{
	const struct json_node *ps = social_get(j, topic, "posters",
						JSON_ARRAY), *p, *u;
	const struct json_node *users = social_get(j, json_root(j), "users",
						   JSON_ARRAY);
	const char *uid = NULL;

	p = ps ? json_first(j, ps) : NULL;
	if (p)
		uid = json_get_id(j, p, "user_id");
	if (!uid || !users)
		return NULL;
	for (u = json_first(j, users); u; u = json_next(j, u)) {
		const char *id = json_get_id(j, u, "id");

		if (id && !strcmp(id, uid)) {
			const char *name = json_get_str(j, u, "name");
			const char *user = json_get_str(j, u, "username");

			return social_author(name, user);
		}
	}
	return NULL;
}

static int
map_topic(struct social_run *r, const struct json *j,
	  const struct json_node *t, int64_t *bumped_out, bool *pinned)
{
	struct discourse *d = r->priv;
	const char *title, *slug, *created, *bumped, *excerpt, *last;
	const char *id;
	int64_t posts = 0, bumped_t;
	char *who, *url;
	struct feed_entry *en;
	struct sbuf html = SBUF_INIT;
	const struct json_node *idn;

	if (t->type != JSON_OBJECT ||
	    !(idn = social_get(j, t, "id", JSON_INT)) ||
	    social_req_str(j, t, "title", &title) < 0 ||
	    social_req_str(j, t, "slug", &slug) < 0 ||
	    social_str(j, t, "created_at", &created) < 0 ||
	    social_str(j, t, "bumped_at", &bumped) < 0 ||
	    social_str(j, t, "excerpt", &excerpt) < 0 ||
	    social_str(j, t, "last_poster_username", &last) < 0)
		return -1;
	id = idn->text;
	*pinned = json_get_bool(j, t, "pinned", false);
	bumped_t = parse_date(bumped ? bumped : created);
	*bumped_out = bumped_t == FEED_NO_DATE ? 0 : bumped_t;
	if (d->old_bumped && *bumped_out <= d->old_bumped)
		return 1; /* not bumped since last run */
	json_get_i64(j, t, "posts_count", &posts);
	en = social_entry(r);
	en->c.id = xasprintf("%s-topic-%s", d->host, id);
	url = xasprintf("%s/t/%s/%s", r->base, slug, id);
	en->c.link = url;
	en->c.title = social_clean(title);
	if ((who = op_name(j, t))) {
		feed_add_author(&en->c, who, NULL, NULL);
		free(who);
	}
	en->c.published = created ? parse_date(created) : FEED_NO_DATE;
	en->c.updated = bumped_t;
	if (excerpt && *excerpt) {
		sbuf_addf(&html, "<p>%s</p>", excerpt);
	}
	sbuf_addf(&html, "<p>%lld post%s", (long long)posts,
		  posts == 1 ? "" : "s");
	if (last) {
		sbuf_adds(&html, ", last by ");
		social_html_escape(&html, last, strlen(last));
	}
	sbuf_adds(&html, " \xc2\xb7 <a href=\"");
	social_html_escape(&html, url, strlen(url));
	sbuf_adds(&html, "\">read the topic</a></p>");
	en->content = text_sanitize(html.buf, html.len, false);
	en->content_type = xstrdup("text/html");
	sbuf_release(&html);
	return 0;
}

static int
d_page(struct social_run *r, const struct json *j,
       const struct fetch_resp *resp, struct err *e)
{
	struct discourse *d = r->priv;
	const struct json_node *root = json_root(j), *topics, *t;
	const char *more;
	bool older = false;
	size_t n = 0;

	(void)resp;
	if (root->type != JSON_OBJECT ||
	    !(topics = social_get(j, root, "topic_list.topics", JSON_ARRAY)))
		return err_set(e, ERR_PARSE, "Discourse: no topic_list.topics "
			       "array");
	if (social_str(j, root, "topic_list.more_topics_url", &more) < 0)
		return err_set(e, ERR_PARSE, "Discourse: more_topics_url is "
			       "not a string");
	for (t = json_first(j, topics); t; t = json_next(j, t)) {
		int64_t b = 0;
		bool pinned = false;
		int rc;

		n++;
		r->posts_read++;
		rc = map_topic(r, j, t, &b, &pinned);
		if (rc < 0) {
			r->bad_posts++;
			log_warn("source %lld: skipped a topic with a field of "
				 "the wrong type", (long long)r->source_id);
			continue;
		}
		if (b > d->bumped)
			d->bumped = b;
		if (rc == 1) {
			if (!pinned)
				older = true; /* the list is newest first */
			continue;
		}
		d->got++;
	}
	if (older || n == 0 || !more || !*more || r->pages >= MAX_PAGES)
		return 0;
	if (!d->old_bumped && d->got >= r->depth)
		return 0;
	{
		/* "/latest?page=1" → BASE/latest.json?page=1 */
		struct sbuf sb = SBUF_INIT;
		size_t path = strcspn(more, "?");

		if (more[0] != '/' || more[1] == '/') {
			log_warn("source %lld: ignoring an odd more_topics_url",
				 (long long)r->source_id);
			return 0;
		}
		sbuf_adds(&sb, r->base);
		sbuf_add(&sb, more, path);
		if (!str_ends(sb.buf, ".json"))
			sbuf_adds(&sb, ".json");
		sbuf_adds(&sb, more + path);
		social_set_req(r, sb.buf);
		sbuf_release(&sb);
	}
	return 1;
}

static int
d_page_done(struct social_run *r, const struct json *j,
	    const struct fetch_resp *resp, struct err *e)
{
	struct discourse *d = r->priv;
	int rc = d_page(r, j, resp, e);
	struct json_out w;

	if (rc != 0)
		return rc;
	json_out_init(&w, 0);
	json_obj_begin(&w);
	json_key(&w, "bumped");
	json_i64(&w, d->bumped > d->old_bumped ? d->bumped : d->old_bumped);
	json_obj_end(&w);
	free(r->cursor_out);
	r->cursor_out = sbuf_detach(&w.sb, NULL);
	json_out_release(&w);
	return 0;
}

static void
d_release(struct social_run *r)
{
	struct discourse *d = r->priv;

	if (!d)
		return;
	free(d->host);
	free(d);
	r->priv = NULL;
}

/* Discourse's API key headers instead of a bearer token. */
static void
d_auth(struct social_run *r, char **hdr, size_t *n)
{
	hdr[(*n)++] = xasprintf("Api-Key: %s", r->token);
	if (r->acct && r->acct->user)
		hdr[(*n)++] = xasprintf("Api-Username: %s", r->acct->user);
}

static const struct source_ops reader = {
	.needs_token = false,
	.auth = d_auth,
	.begin = d_begin,
	.page = d_page_done,
	.release = d_release,
};

/* ==== posting: the share ops ==== */

#define DISCOURSE_MAX_CHARS 32000

struct discourse_post {
	char *key, *user; /* "Api-Key: ..." "Api-Username: ..." */
};

/* The target's topic (a reply) or category (a new topic) id: the API
 * takes them as JSON integers. */
static int
target_id(const struct share_ctx *c, int64_t *id, struct err *e)
{
	const char *s = c->t->topic ? c->t->topic : c->t->category;

	if (!s)
		return err_set(e, ERR_CONFIG, "%s:%d: target '%s' needs "
			       "category = ID (new topic) or topic = ID "
			       "(reply)", c->t->file, c->t->line, c->t->name);
	if (str_to_i64(s, id) < 0 || *id < 1)
		return err_set(e, ERR_CONFIG, "%s:%d: target '%s': %s = '%s' "
			       "is not a number; use the id from the %s's URL "
			       "(e.g. /c/name/5 or /t/slug/12)", c->t->file,
			       c->t->line, c->t->name, c->t->topic ? "topic"
			       : "category", s, c->t->topic ? "topic"
			       : "category");
	return 0;
}

static int
discourse_plan(struct share_ctx *c, struct share_plan *p, struct err *e)
{
	char *md;
	int64_t id;

	if (target_id(c, &id, e) < 0)
		return -1;
	if (!c->a->user)
		return err_set(e, ERR_CONFIG, "%s:%d: account '%s' needs user "
			       "= the Api-Username", c->a->file, c->a->line,
			       c->a->name);
	if (share_render(c, DIGEST_MD, &md, e) < 0)
		return -1;
	share_plan_add(p, md, share_measure_chars(md), DISCOURSE_MAX_CHARS,
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
	struct discourse_post *d = xcalloc(1, sizeof(*d));
	char *tok, *u;

	if (share_secret(c, SECRET_TOKEN, &tok, e) < 0) {
		free(d);
		return -1;
	}
	d->key = xasprintf("Api-Key: %s", tok);
	config_secret_free(tok);
	u = text_clean(c->a->user, true);
	d->user = xasprintf("Api-Username: %s", u);
	free(u);
	c->priv = d;
	return 0;
}

static void
discourse_close(struct share_ctx *c)
{
	struct discourse_post *d = c->priv;

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
	struct discourse_post *d = c->priv;
	const struct outbox_part *p = &parts->v[i];
	const char *hdrs[] = { d->key, d->user, NULL };
	char *url = xasprintf("%s/posts.json", c->base);
	struct json_out w;
	struct fetch_resp r;
	enum share_status st;
	int64_t id;

	if (target_id(c, &id, e) < 0) {
		free(url);
		return SHARE_FAILED;
	}
	json_out_init(&w, 0);
	json_obj_begin(&w);
	json_kv_str(&w, "raw", p->body);
	if (c->t->topic) {
		json_key(&w, "topic_id");
		json_i64(&w, id);
	} else {
		char *title = text_clean(c->t->title ? c->t->title
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
		json_key(&w, "category");
		json_i64(&w, id);
		json_kv_str(&w, "external_id", p->idem_key);
	}
	json_obj_end(&w);
	share_http(c, "POST", url, hdrs, "application/json", w.sb.buf, &r);
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
	struct discourse_post *d = c->priv;
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
	share_http(c, "GET", url, hdrs, NULL, NULL, &r);
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

static const struct share_ops poster = {
	.plan = discourse_plan,
	.key = discourse_key,
	.open = discourse_open,
	.send = discourse_send,
	.resolve = discourse_resolve,
	.close = discourse_close,
};

/* ==== the service ==== */

/* A forum's latest topics, a category (its JSON API wants the id) or a
 * tag: read as JSON when an account is set up, else as the RSS feed. */
static int
recognise(const struct hub_match *m, const struct hub_candidate *c,
	  char **title)
{
	switch (c->kind) {
	case HUB_DISCOURSE_LATEST:
		*title = xasprintf("%s latest", m->host);
		return 1;
	case HUB_DISCOURSE_CATEGORY:
		if (!c->id)
			return 0;
		/* fall through */
	case HUB_DISCOURSE_TAG:
		*title = xasprintf("%s %s", m->host, c->name);
		return 1;
	default:
		return 0;
	}
}

const struct service discourse_service = {
	.name = "discourse",
	.title = "Discourse",
	.host_account = true,
	.api_url = NULL,
	.secret_example = "user = YOUR-USERNAME\n"
			  "token-cmd = pass show discourse/api-key\n",
	.feed_without_account = true,
	.recognise = recognise,
	.source = &reader,
	.share = &poster,
};
