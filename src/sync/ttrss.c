/*
 * ttrss.c: Tiny Tiny RSS's JSON API (level 14 and later; checked
 * against Debian 12's tt-rss, level 15). Every call is one POST of a
 * JSON object {"op": ..., "sid": ...} to URL/api/, answered with
 * {"status": 0|1, "content": ...}. It owns the requests and what their
 * answers mean, nothing of the merge (sync.c).
 *
 * Batches, never a request per item: getHeadlines pages of up to 200
 * items (show_content only for items newer than the last sync; after
 * the first sync only the lists an item can leave: see ttrss_pull),
 * getArticle for the few items to check, updateArticle and
 * setArticleLabel with comma-separated article_ids. Only the note is one
 * request per item (the API sets one text on a list of articles).
 *
 * Labels: API level 15 cannot create a label. glean syncs the tags whose
 * names are labels on the server (compared without case); a tag with no
 * label stays in glean, and sync says once which label to create in
 * tt-rss (Preferences, Labels) to sync it.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "glean/json.h"
#include "private.h"
#include "glean/banned.h"

#define TTRSS_MIN_API 14
#define TTRSS_PAGE 200    /* getHeadlines' most per call */
#define TTRSS_IDS 1000    /* article ids per update call */
/* tt-rss's recently read list covers a day of its clock: trusted when
 * the last sync is younger than 20 hours of ours */
#define RECENT_READ (20 * 3600)

/* Send body ("{...}" without sid) as op; *content is the answer's
 * content. A session the server has forgotten is logged in again once. */
static int
call(struct sync_conn *c, const char *body, struct json *j,
     const struct json_node **content, struct err *e)
{
	bool relogged = false;
	int rc;

again:
	{
		struct fetch_req req;
		struct fetch_resp resp;
		const struct json_node *root;
		char *full;
		int64_t status = -1;

		if (c->session)
			full = xasprintf("{\"sid\":\"%s\",%s", c->session,
					 body + 1);
		else
			full = xstrdup(body);
		memset(&req, 0, sizeof(req));
		req.url = c->base;
		req.kind = FETCH_API;
		req.method = "POST";
		req.body = full;
		req.body_len = strlen(full);
		req.content_type = "application/json";
		req.max_body = (size_t)64 << 20;
		fetch_resp_init(&resp);
		sync_request(c);
		rc = fetch_one(&c->fo, &req, &resp, e);
		free(full);
		if (rc < 0) {
			if (resp.status == 404)
				err_set(e, ERR_HTTP, "tt-rss at '%s' answered "
					"HTTP 404: check 'url' under [sync "
					"\"%s\"] (the tt-rss folder, e.g. "
					"https://HOST/tt-rss)", c->a->url,
					c->a->name);
			else if (resp.status)
				err_set(e, ERR_HTTP, "tt-rss at '%s' answered "
					"HTTP %ld; try again later, or see the "
					"server's log", c->a->url, resp.status);
			else
				err_prefix(e, "cannot reach tt-rss at '%s' "
					   "(is it running?)", c->a->url);
			fetch_resp_release(&resp);
			return -1;
		}
		rc = json_parse(j, resp.body.buf, resp.body.len, NULL);
		fetch_resp_release(&resp);
		root = rc == 0 ? json_root(j) : NULL;
		if (!root || json_get_i64(j, root, "status", &status) < 0 ||
		    !(*content = json_get(j, root, "content")))
			return err_set(e, ERR_PARSE, "tt-rss at '%s' did not "
				       "answer with its API's JSON (a web page?"
				       " a half answer?): check 'url' under "
				       "[sync \"%s\"]", c->a->url, c->a->name);
		if (status == 0)
			return 0;
		{
			const char *why = json_get_str(j, *content, "error");

			why = why ? why : "?";
			if (!strcmp(why, "NOT_LOGGED_IN") && c->session &&
			    !relogged) {
				relogged = true;
				free(c->session);
				c->session = NULL;
				json_release(j);
				if (sync_ttrss.login(c, e) < 0)
					return -1;
				goto again;
			}
			if (!strcmp(why, "LOGIN_ERROR"))
				return err_set(e, ERR_AUTH, "tt-rss at '%s' "
					"refused user '%s': wrong user or "
					"password; check 'user' and the "
					"password-cmd/-file/-env under [sync "
					"\"%s\"]", c->a->url, c->a->user,
					c->a->name);
			if (!strcmp(why, "API_DISABLED"))
				return err_set(e, ERR_AUTH, "tt-rss at '%s' has "
					"its API switched off for user '%s': "
					"tick 'Enable API' in tt-rss's "
					"Preferences and sync again",
					c->a->url, c->a->user);
			if (!strcmp(why, "NOT_LOGGED_IN"))
				return err_set(e, ERR_AUTH, "tt-rss at '%s' "
					"ended the session again at once; try "
					"again later", c->a->url);
			return err_set(e, ERR_HTTP, "tt-rss at '%s' refused "
				       "the request: %s", c->a->url, why);
		}
	}
}

/* Start a request body: w holds "{" "op": op. */
static void
body_begin(struct json_out *w, const char *op)
{
	json_out_init(w, 0);
	json_obj_begin(w);
	json_kv_str(w, "op", op);
}

static int
body_call(struct sync_conn *c, struct json_out *w, struct json *j,
	  const struct json_node **content, struct err *e)
{
	int rc;

	json_obj_end(w);
	rc = call(c, w->sb.buf, j, content, e);
	json_out_release(w);
	return rc;
}

static int
ttrss_login(struct sync_conn *c, struct err *e)
{
	struct json_out w;
	struct json j = { 0 };
	const struct json_node *content;
	const char *sid, *p;
	int64_t level = 0;
	int rc = -1;

	if (!c->base) {
		const char *u = c->a->url;
		size_t n = strlen(u);

		while (n && u[n - 1] == '/')
			n--;
		c->base = n >= 4 && !strncmp(u + n - 4, "/api", 4)
			  ? xasprintf("%.*s/", (int)n, u)
			  : xasprintf("%.*s/api/", (int)n, u);
	}
	body_begin(&w, "login");
	json_kv_str(&w, "user", c->a->user);
	json_kv_str(&w, "password", c->password);
	if (body_call(c, &w, &j, &content, e) < 0)
		goto out;
	sid = json_get_str(&j, content, "session_id");
	json_get_i64(&j, content, "api_level", &level);
	for (p = sid; p && *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' &&
		    *p != ',')
			break;
	if (!sid || !*sid || *p || strlen(sid) > 256) {
		err_set(e, ERR_PARSE, "tt-rss at '%s' answered the login "
			"without a usable session id", c->a->url);
		goto out;
	}
	if (level < TTRSS_MIN_API) {
		err_set(e, ERR_USAGE, "tt-rss at '%s' speaks API level "
			"%lld; glean needs level %d or later (tt-rss from "
			"2017 on): upgrade the server", c->a->url,
			(long long)level, TTRSS_MIN_API);
		goto out;
	}
	free(c->session);
	c->session = xstrdup(sid);
	rc = 0;
out:
	json_release(&j);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* The labels of a headline ([[id, caption, fg, bg], ...]), sorted, one
 * per line. */
static char *
labels_text(const struct json *j, const struct json_node *arr)
{
	const struct json_node *l;
	struct sbuf sb = SBUF_INIT;
	char **v = NULL;
	size_t n = 0, cap = 0, i;

	for (l = arr ? json_first(j, arr) : NULL; l; l = json_next(j, l)) {
		const struct json_node *cap_n = json_first(j, l);

		cap_n = cap_n ? json_next(j, cap_n) : NULL;
		if (!cap_n || cap_n->type != JSON_TEXT || !*cap_n->text ||
		    strchr(cap_n->text, '\n'))
			continue;
		XGROW(v, cap, n + 1);
		v[n++] = cap_n->text;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++)
		sbuf_addf(&sb, "%s%s", i ? "\n" : "", v[i]);
	free(v);
	return sbuf_detach(&sb, NULL);
}

static char *
dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

/* Notes: the API strips tags from what it is given (PHP strip_tags:
 * "a<b" comes back "a"), and tt-rss's web interface shows a note as
 * HTML. So a note goes with its '<' as "&lt;" (and an '&' that would
 * read as one of the entities below as "&amp;"), the way the web
 * interface keeps one, and comes back with those entities decoded: the
 * round trip is exact, the rest of the text is sent as it is, and the
 * web interface shows what was written. */
static const struct {
	const char *ent;
	char c;
} note_ents[] = {
	{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
	{ "&quot;", '"' }, { "&#39;", '\'' }, { "&#039;", '\'' },
};

/* The entity s starts with: its index, or -1. */
static int
note_ent(const char *s)
{
	size_t k;

	for (k = 0; *s == '&' && k < ARRAY_SIZE(note_ents); k++)
		if (!strncmp(s, note_ents[k].ent, strlen(note_ents[k].ent)))
			return (int)k;
	return -1;
}

static char *
note_out(const char *s)
{
	struct sbuf sb = SBUF_INIT;

	for (; *s; s++)
		if (*s == '<')
			sbuf_adds(&sb, "&lt;");
		else if (*s == '&' && note_ent(s) >= 0)
			sbuf_adds(&sb, "&amp;");
		else
			sbuf_addch(&sb, *s);
	return sbuf_detach(&sb, NULL);
}

static char *
note_in(const char *s)
{
	struct sbuf sb = SBUF_INIT;

	for (s = s ? s : ""; *s; s++) {
		int k = note_ent(s);

		if (k >= 0) {
			sbuf_addch(&sb, note_ents[k].c);
			s += strlen(note_ents[k].ent) - 1;
		} else
			sbuf_addch(&sb, *s);
	}
	return sbuf_detach(&sb, NULL);
}

/* What one getHeadlines pass asks for. */
struct hl_query {
	int64_t feed;       /* -4 all, -1 starred, -2 published, -6 read
			     * in the last day, a label's feed id */
	const char *view;   /* all_articles, unread, has_note */
	const char *order;  /* order_by; NULL: the server's own order */
	bool content;       /* with content (new items) */
	const char *since;  /* since_id, or NULL */
	int64_t cap;        /* leave out ids above it (-1: none) */
};

/* Ids seen by a list pass, to tell a complete pass from one the
 * server's paging shifted under (equal sort keys, a change meanwhile). */
struct idset {
	int64_t *v;
	size_t n, cap;
};

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
idset_unique(struct idset *s)
{
	size_t i, k = 0;

	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_i64);
	for (i = 0; i < s->n; i++)
		if (!k || s->v[k - 1] != s->v[i])
			s->v[k++] = s->v[i];
	s->n = k;
}

/* A new item of p with the server's id and the state an article (h)
 * carries: feed, read, starred, published, labels, note. */
static struct sync_ritem *
item_state(struct sync_pull *p, const struct json *j,
	   const struct json_node *h, const char *id)
{
	struct sync_ritem *it;

	XGROW(p->items, p->cap_items, p->nitems + 1);
	it = &p->items[p->nitems++];
	memset(it, 0, sizeof(*it));
	it->id = xstrdup(id);
	it->feed_id = dup_or_null(json_get_id(j, h, "feed_id"));
	it->read = !json_get_bool(j, h, "unread", true);
	it->starred = json_get_bool(j, h, "marked", false);
	it->marked = json_get_bool(j, h, "published", false);
	it->labels = labels_text(j, json_get(j, h, "labels"));
	it->note = note_in(json_get_str(j, h, "note"));
	return it;
}

/* One page of getHeadlines into p; *got counts the rows, *max_id is the
 * highest id seen, seen (when not NULL) collects the ids. */
static int
headlines(struct sync_conn *c, const struct hl_query *q, int64_t skip,
	  struct sync_pull *p, size_t *got, int64_t *max_id,
	  struct idset *seen, struct err *e)
{
	struct json_out w;
	struct json j = { 0 };
	const struct json_node *arr, *h;
	bool content = q->content;

	body_begin(&w, "getHeadlines");
	json_key(&w, "feed_id");
	json_i64(&w, q->feed);
	json_kv_str(&w, "view_mode", q->view);
	json_key(&w, "limit");
	json_i64(&w, c->page);
	json_key(&w, "skip");
	json_i64(&w, skip);
	json_key(&w, "show_content");
	json_bool(&w, content);
	if (q->order)
		json_kv_str(&w, "order_by", q->order);
	if (q->since)
		json_kv_str(&w, "since_id", q->since);
	if (body_call(c, &w, &j, &arr, e) < 0) {
		json_release(&j);
		return -1;
	}
	*got = 0;
	for (h = json_first(&j, arr); h; h = json_next(&j, h)) {
		struct sync_ritem *it;
		const char *id = json_get_id(&j, h, "id");
		int64_t nid = 0;

		(*got)++;
		if (!id || str_to_i64(id, &nid) < 0)
			continue;
		if (nid > *max_id)
			*max_id = nid;
		if (seen) {
			XGROW(seen->v, seen->cap, seen->n + 1);
			seen->v[seen->n++] = nid;
		}
		if (q->cap >= 0 && nid > q->cap)
			continue;
		it = item_state(p, &j, h, id);
		if (content) {
			it->url = dup_or_null(json_get_str(&j, h, "link"));
			it->title = dup_or_null(json_get_str(&j, h, "title"));
			it->author = dup_or_null(json_get_str(&j, h,
							      "author"));
			it->content = dup_or_null(json_get_str(&j, h,
							       "content"));
			json_get_i64(&j, h, "updated", &it->published);
		}
	}
	json_release(&j);
	return 0;
}

/* Every item of a list (a special feed, a label's feed, a view), its
 * state only. getHeadlines pages by offset in an order whose keys can
 * tie (a batch starred at once has one last_marked), so a page may
 * repeat rows of the one before and miss others: a pass is complete
 * when it saw as many distinct ids as rows; otherwise it is read again
 * in another order, the ids of every pass together. */
static int
list_all(struct sync_conn *c, int64_t feed, const char *view, int64_t cap,
	 struct sync_pull *p, struct err *e)
{
	static const char *const orders[] = {
		"feed_dates", "title", "date_reverse", NULL,
	};
	struct hl_query q = { feed, view, NULL, false, NULL, cap };
	struct idset seen = { NULL, 0, 0 };
	size_t k;
	int rc = -1;

	for (k = 0; k < ARRAY_SIZE(orders); k++) {
		size_t rows = 0, got;
		int64_t skip, ignore = 0;

		q.order = orders[k];
		for (skip = 0;; skip += c->page) {
			if (headlines(c, &q, skip, p, &got, &ignore, &seen,
				      e) < 0)
				goto out;
			rows += got;
			if ((int64_t)got < c->page)
				break;
		}
		idset_unique(&seen);
		if (seen.n >= rows) {
			rc = 0;
			goto out;
		}
	}
	err_set(e, ERR_HTTP, "tt-rss at '%s' changed a list of items (feed "
		"%lld) while glean read it, four times; sync again",
		c->a->url, (long long)feed);
out:
	free(seen.v);
	return rc;
}

/* The unread list: every item not in it is read (the fallback when the
 * recently-read list cannot be trusted). */
static int
ttrss_pull_unread(struct sync_conn *c, struct sync_pull *p, struct err *e)
{
	if (list_all(c, -4, "unread", p->cap, p, e) < 0)
		return -1;
	p->rest = PULL_REST_READ;
	return 0;
}

/* getArticle on ids, TTRSS_PAGE at a time: the state of those the
 * server has (it leaves out the ones it purged or never had). */
static int
ttrss_pull_items(struct sync_conn *c, const char *const *ids, size_t n,
		 struct sync_pull *p, struct err *e)
{
	size_t i, k;

	for (i = 0; i < n; i += k) {
		struct json_out w;
		struct json j = { 0 };
		const struct json_node *arr, *h;
		struct sbuf list = SBUF_INIT;
		int rc;

		for (k = 0; k < TTRSS_PAGE && i + k < n; k++)
			sbuf_addf(&list, "%s%s", k ? "," : "", ids[i + k]);
		body_begin(&w, "getArticle");
		json_kv_str(&w, "article_id", list.buf);
		sbuf_release(&list);
		rc = body_call(c, &w, &j, &arr, e);
		for (h = rc == 0 ? json_first(&j, arr) : NULL; h;
		     h = json_next(&j, h)) {
			const char *id = json_get_id(&j, h, "id");

			if (!id)
				continue;
			item_state(p, &j, h, id);
		}
		json_release(&j);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* *gone: the title of a feed of p that getFeeds no longer lists
 * (unsubscribed on the server since the pull read the feeds), or NULL. */
static int
feeds_gone(struct sync_conn *c, const struct sync_pull *p, char **gone,
	   struct err *e)
{
	struct json_out w;
	struct json j = { 0 };
	const struct json_node *arr, *n;
	size_t i;

	*gone = NULL;
	body_begin(&w, "getFeeds");
	json_key(&w, "cat_id");
	json_i64(&w, -3);
	if (body_call(c, &w, &j, &arr, e) < 0) {
		json_release(&j);
		return -1;
	}
	for (i = 0; i < p->nfeeds && !*gone; i++) {
		const struct sync_feed *f = &p->feeds[i];
		bool found = false;

		for (n = json_first(&j, arr); n && !found;
		     n = json_next(&j, n)) {
			const char *id = json_get_id(&j, n, "id");

			found = id && !strcmp(id, f->id);
		}
		if (!found)
			*gone = xstrdup(f->title ? f->title : f->id);
	}
	json_release(&j);
	return 0;
}

/* "MAXID@TIME": the newest item id seen and when that sync ran (older
 * glean stored the id alone). */
static void
since_parse(const char *since, int64_t *id, int64_t *at)
{
	const char *t = since ? strchr(since, '@') : NULL;
	char *head;

	*id = -1;
	*at = 0;
	if (!since)
		return;
	head = xstrndup(since, t ? (size_t)(t - since) : strlen(since));
	if (str_to_i64(head, id) < 0)
		*id = -1;
	if (t && str_to_i64(t + 1, at) < 0)
		*at = 0;
	free(head);
}

static int
ttrss_pull(struct sync_conn *c, const char *since, struct sync_pull *p,
	   struct err *e)
{
	struct json_out w;
	struct json j = { 0 };
	const struct json_node *arr, *n;
	char **cat_ids = NULL, **cat_names = NULL;
	size_t ncat = 0, capc = 0, capn = 0, got, i;
	int64_t max_id = 0, since_n, since_at, skip;
	char since_id[32];
	int rc = -1;

	since_parse(since, &since_n, &since_at);
	if (since_n < 0)
		since = NULL;
	else {
		snprintf(since_id, sizeof(since_id), "%lld",
			 (long long)since_n);
		since = since_id;
	}
	/* categories, for the feeds' source tags */
	body_begin(&w, "getCategories");
	if (body_call(c, &w, &j, &arr, e) < 0)
		goto out;
	for (n = json_first(&j, arr); n; n = json_next(&j, n)) {
		const char *id = json_get_id(&j, n, "id");
		const char *t = json_get_str(&j, n, "title");

		if (!id || !t)
			continue;
		XGROW(cat_ids, capc, ncat + 1);
		XGROW(cat_names, capn, ncat + 1);
		cat_ids[ncat] = xstrdup(id);
		cat_names[ncat++] = xstrdup(t);
	}
	json_release(&j);
	body_begin(&w, "getFeeds");
	json_key(&w, "cat_id");
	json_i64(&w, -3);
	if (body_call(c, &w, &j, &arr, e) < 0)
		goto out;
	for (n = json_first(&j, arr); n; n = json_next(&j, n)) {
		const char *id = json_get_id(&j, n, "id");
		const char *url = json_get_str(&j, n, "feed_url");
		const char *cat = json_get_id(&j, n, "cat_id");
		struct sync_feed *f;

		if (!id || !url || !*url)
			continue;
		XGROW(p->feeds, p->cap_feeds, p->nfeeds + 1);
		f = &p->feeds[p->nfeeds++];
		memset(f, 0, sizeof(*f));
		f->id = xstrdup(id);
		f->url = xstrdup(url);
		f->title = dup_or_null(json_get_str(&j, n, "title"));
		for (i = 0; cat && i < ncat; i++)
			if (!strcmp(cat_ids[i], cat))
				f->category = xstrdup(cat_names[i]);
	}
	json_release(&j);
	body_begin(&w, "getLabels");
	if (body_call(c, &w, &j, &arr, e) < 0)
		goto out;
	for (n = json_first(&j, arr); n; n = json_next(&j, n)) {
		const char *id = json_get_id(&j, n, "id");
		const char *t = json_get_str(&j, n, "caption");

		if (!id || !t || !*t)
			continue;
		XGROW(c->lab_names, c->cap_lab, c->nlab + 1);
		c->lab_ids = xrealloc(c->lab_ids,
				      c->cap_lab * sizeof(*c->lab_ids));
		c->lab_names[c->nlab] = xstrdup(t);
		c->lab_ids[c->nlab++] = xstrdup(id);
		XGROW(p->labels, p->cap_labels, p->nlabels + 1);
		p->labels[p->nlabels++] = xstrdup(t);
	}
	json_release(&j);
	/* new items, with their content */
	{
		struct hl_query q = { -4, "all_articles", "date_reverse", true,
				      since, -1 };
		char *gone = NULL;

		for (skip = 0;; skip += c->page) {
			if (headlines(c, &q, skip, p, &got, &max_id, NULL,
				      e) < 0)
				goto out;
			if ((int64_t)got < c->page)
				break;
		}
		/* Pages by offset: a feed unsubscribed between two pages
		 * took its items out of the list, and the pages after it
		 * skipped as many of the other feeds' items, for good (the
		 * next sync starts above them). Nothing is applied; the next
		 * sync reads them and retires the feed. */
		if (skip && feeds_gone(c, p, &gone, e) < 0)
			goto out;
		if (gone) {
			err_set(e, ERR_HTTP, "feed '%s' was unsubscribed on "
				"the server during the sync; sync again", gone);
			free(gone);
			goto out;
		}
	}
	if (max_id < since_n)
		max_id = since_n;
	p->cap = max_id;
	/* An incremental pull reads only the lists an item can differ from
	 * the default in (sync.c derives the rest from the base): starred,
	 * published, with a note, each label; for read, the items read in
	 * the last day (tt-rss's "recently read", when the last sync is
	 * younger than that) checked against the server's unread count,
	 * else the whole unread list. An item that arrives meanwhile
	 * (above the cap) comes with its content next time. */
	if (since) {
		if (list_all(c, -1, "all_articles", max_id, p, e) < 0 ||
		    list_all(c, -2, "all_articles", max_id, p, e) < 0 ||
		    list_all(c, -4, "has_note", max_id, p, e) < 0)
			goto out;
		for (i = 0; i < c->nlab; i++) {
			int64_t feed;

			if (str_to_i64(c->lab_ids[i], &feed) == 0 &&
			    list_all(c, feed, "all_articles", max_id, p,
				     e) < 0)
				goto out;
		}
		if (since_at && time_now() - since_at < RECENT_READ) {
			int64_t count = -1;

			if (list_all(c, -6, "all_articles", max_id, p, e) < 0)
				goto out;
			body_begin(&w, "getUnread");
			if (body_call(c, &w, &j, &arr, e) < 0)
				goto out;
			{
				/* a string in level 15, a number in others */
				const char *t = json_get_id(&j, arr, "unread");

				if (!t || str_to_i64(t, &count) < 0)
					count = -1;
			}
			json_release(&j);
			p->rest = PULL_REST_KEEP_READ;
			p->server_unread = count;
			if (count < 0 && ttrss_pull_unread(c, p, e) < 0)
				goto out;
		} else if (ttrss_pull_unread(c, p, e) < 0)
			goto out;
	}
	p->since = xasprintf("%lld@%lld", (long long)max_id,
			     (long long)time_now());
	rc = 0;
out:
	json_release(&j);
	for (i = 0; i < ncat; i++) {
		free(cat_ids[i]);
		free(cat_names[i]);
	}
	free(cat_ids);
	free(cat_names);
	return rc;
}

/* Calls of at most TTRSS_IDS ids each: body_begin, then add(w) for the
 * rest, then "article_ids": "1,2,3". *updated (when not NULL) sums the
 * answers' "updated" counts. */
static int
ids_call(struct sync_conn *c, const char *op,
	 void (*add)(struct json_out *w, const void *arg), const void *arg,
	 const char *ids_key, const char *const *ids, size_t n,
	 int64_t *updated, struct err *e)
{
	size_t i, k;

	if (updated)
		*updated = 0;

	for (i = 0; i < n; i += k) {
		struct json_out w;
		struct json j = { 0 };
		const struct json_node *content;
		struct sbuf list = SBUF_INIT;
		int rc;

		for (k = 0; k < TTRSS_IDS && i + k < n; k++)
			sbuf_addf(&list, "%s%s", k ? "," : "", ids[i + k]);
		body_begin(&w, op);
		add(&w, arg);
		json_kv_str(&w, ids_key, list.buf);
		sbuf_release(&list);
		rc = body_call(c, &w, &j, &content, e);
		if (rc == 0 && updated) {
			int64_t u = 0;

			json_get_i64(&j, content, "updated", &u);
			*updated += u;
		}
		json_release(&j);
		if (rc < 0)
			return -1;
	}
	return 0;
}

struct flag_arg {
	int field, mode;
};

static void
add_flag(struct json_out *w, const void *arg)
{
	const struct flag_arg *f = arg;

	json_key(w, "field");
	json_i64(w, f->field);
	json_key(w, "mode");
	json_i64(w, f->mode);
}

static int
ttrss_push_flag(struct sync_conn *c, const char *field, bool on,
		const char *const *ids, size_t n, struct err *e)
{
	struct flag_arg f;
	int64_t updated = 0;

	/* updateArticle's fields: 0 marked (starred), 1 published, 2 unread */
	if (!strcmp(field, "read"))
		f.field = 2, f.mode = !on;
	else if (!strcmp(field, "starred"))
		f.field = 0, f.mode = on;
	else
		f.field = 1, f.mode = on;
	if (ids_call(c, "updateArticle", add_flag, &f, "article_ids", ids, n,
		     &updated, e) < 0)
		return -1;
	/* "updated" counts the rows the ids matched: fewer when some are
	 * gone from the server (their feed unsubscribed, purged) */
	return updated < (int64_t)n ? 1 : 0;
}

struct label_arg {
	const char *id;
	bool on;
};

static void
add_label(struct json_out *w, const void *arg)
{
	const struct label_arg *l = arg;

	json_kv_str(w, "label_id", l->id);
	json_key(w, "assign");
	json_bool(w, l->on);
}

static int
ttrss_push_label(struct sync_conn *c, const char *label, bool on,
		 const char *const *ids, size_t n, struct err *e)
{
	struct label_arg l = { NULL, on };
	int64_t updated = 0;
	size_t i;

	for (i = 0; i < c->nlab; i++)
		if (!strcasecmp(c->lab_names[i], label))
			l.id = c->lab_ids[i];
	if (!l.id)
		return 1;
	if (ids_call(c, "setArticleLabel", add_label, &l, "article_ids", ids,
		     n, &updated, e) < 0)
		return -1;
	/* tt-rss answers OK, with nothing updated, for a label it no
	 * longer has: deleted since getLabels */
	return n && !updated ? 1 : 0;
}

static void
add_note(struct json_out *w, const void *arg)
{
	json_key(w, "field");
	json_i64(w, 3);
	json_kv_str(w, "data", arg);
}

static int
ttrss_push_note(struct sync_conn *c, const char *id, const char *note,
		struct err *e)
{
	char *esc = note_out(note);
	int rc = ids_call(c, "updateArticle", add_note, esc, "article_ids",
			  &id, 1, NULL, e);

	free(esc);
	return rc;
}

static int
ttrss_subscribe(struct sync_conn *c, const char *url, struct err *e)
{
	static const char *const why[] = {
		NULL, NULL, "it is not a valid URL",
		"it is a web page with no feed: give the feed's own URL",
		"it is a web page with several feeds: give one feed's URL",
		"the server could not download it",
		"what it serves is not a feed the server can read",
	};
	struct json_out w;
	struct json j = { 0 };
	const struct json_node *content;
	int64_t code = -1;
	int rc;

	body_begin(&w, "subscribeToFeed");
	json_kv_str(&w, "feed_url", url);
	json_key(&w, "category_id");
	json_i64(&w, 0);
	rc = body_call(c, &w, &j, &content, e);
	if (rc == 0) {
		json_get_i64(&j, content, "status.code", &code);
		if (code >= 2 && code < (int64_t)ARRAY_SIZE(why))
			rc = err_set(e, ERR_USAGE, "tt-rss at '%s' did not "
				     "subscribe to '%s': %s", c->a->url, url,
				     why[code]);
		else if (code != 0 && code != 1)
			rc = err_set(e, ERR_HTTP, "tt-rss at '%s' did not "
				     "subscribe to '%s' (code %lld)",
				     c->a->url, url, (long long)code);
	}
	json_release(&j);
	return rc;
}

static int
ttrss_unsubscribe(struct sync_conn *c, const char *feed_id, struct err *e)
{
	struct json_out w;
	struct json j = { 0 };
	const struct json_node *content;
	int64_t id;
	int rc;

	if (str_to_i64(feed_id, &id) < 0)
		return 0;
	body_begin(&w, "unsubscribeFeed");
	json_key(&w, "feed_id");
	json_i64(&w, id);
	rc = body_call(c, &w, &j, &content, e);
	json_release(&j);
	/* deleted on the server already: what was asked for */
	if (rc < 0 && e->code == ERR_HTTP && strstr(e->msg, "FEED_NOT_FOUND")) {
		err_clear(e);
		rc = 0;
	}
	return rc;
}

const struct sync_ops sync_ttrss = {
	.name = "ttrss",
	.notes = true,
	.login = ttrss_login,
	.pull = ttrss_pull,
	.pull_unread = ttrss_pull_unread,
	.pull_items = ttrss_pull_items,
	.push_flag = ttrss_push_flag,
	.push_label = ttrss_push_label,
	.push_note = ttrss_push_note,
	.subscribe = ttrss_subscribe,
	.unsubscribe = ttrss_unsubscribe,
};
