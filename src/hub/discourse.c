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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glean/fetch.h"
#include "glean/hub.h"
#include "glean/social.h"
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

/* The original poster of a topic: posters[] with "Original Poster",
 * looked up in users[]. */
static char *
op_name(const struct json *j, const struct json_node *topic)
{
	const struct json_node *ps = social_get(j, topic, "posters",
						JSON_ARRAY), *p, *u;
	const struct json_node *users = social_get(j, json_root(j), "users",
						   JSON_ARRAY);
	const char *uid = NULL;

	for (p = ps ? json_first(j, ps) : NULL; p; p = json_next(j, p)) {
		const char *desc = json_get_str(j, p, "description");

		if (desc && strstr(desc, "Original Poster")) {
			uid = json_get_id(j, p, "user_id");
			break;
		}
	}
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

const struct source_ops discourse_ops = {
	.kind = "discourse",
	.service = SERVICE_DISCOURSE,
	.needs_token = false,
	.begin = d_begin,
	.page = d_page_done,
	.release = d_release,
};
