/*
 * greader.c: the Google Reader API as FreshRSS (url .../api/greader.php)
 * and Miniflux (url .../) serve it: ClientLogin, then every call with
 * "Authorization: GoogleLogin auth=TOKEN"; edits are form POSTs carrying
 * a write token (T) from /reader/api/0/token. It owns the requests and
 * what their answers mean; the merge is sync.c's.
 *
 * Mapping: read and starred are the com.google states; glean's "mark to
 * share" is the label user/-/label/glean-share (not a tag in glean);
 * other labels are tags. The API has no notes: glean's notes and quotes
 * stay in glean. Batches: stream/contents pages of 1000 items (only
 * those newer than the last sync: ot=), stream/items/ids for the state
 * of the others (unread, starred, each label), edit-tag with many i=.
 * Checked against a fake built from FreshRSS's and Miniflux's API
 * documentation (tests/lib/greader.py), not a live server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "glean/json.h"
#include "private.h"
#include "glean/banned.h"

#define GR_READ "user/-/state/com.google/read"
#define GR_STAR "user/-/state/com.google/starred"
#define GR_LIST "user/-/state/com.google/reading-list"
#define GR_LABEL "user/-/label/"
#define GR_SHARE GR_LABEL "glean-share"
#define GR_PAGE 1000
#define GR_IDS 250

static void
form_add(struct sbuf *sb, const char *key, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	sbuf_addf(sb, "%s%s=", sb->len ? "&" : "", key);
	for (p = (const unsigned char *)v; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-_.~", *p))
			sbuf_addch(sb, *p);
		else
			sbuf_addf(sb, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
}

/* One request: GET base+path, or POST the form body. The answer's body
 * in out (caller releases). */
static int
request(struct sync_conn *c, const char *path, const char *form,
	struct sbuf *out, struct err *e)
{
	struct fetch_req req;
	struct fetch_resp resp;
	char *url = xasprintf("%s%s", c->base, path);
	char *auth = c->session ? xasprintf("Authorization: GoogleLogin "
					    "auth=%s", c->session) : NULL;
	const char *hdrs[2] = { auth, NULL };
	int rc;

	memset(&req, 0, sizeof(req));
	req.url = url;
	req.kind = FETCH_API;
	req.headers = auth ? hdrs : NULL;
	if (form) {
		req.method = "POST";
		req.body = form;
		req.body_len = strlen(form);
		req.content_type = "application/x-www-form-urlencoded";
	}
	req.max_body = (size_t)64 << 20;
	fetch_resp_init(&resp);
	sync_request(c);
	rc = fetch_one(&c->fo, &req, &resp, e);
	free(url);
	free(auth);
	if (rc < 0) {
		if (resp.status == 401 || resp.status == 403)
			err_set(e, ERR_AUTH, "the Google Reader API at '%s' "
				"refused user '%s' (HTTP %ld): wrong user or "
				"password (FreshRSS wants its API password); "
				"check the password-cmd/-file/-env under [sync "
				"\"%s\"]", c->a->url, c->a->user, resp.status,
				c->a->name);
		else if (resp.status == 404)
			err_set(e, ERR_HTTP, "the Google Reader API at '%s' "
				"answered HTTP 404: check 'url' under [sync "
				"\"%s\"] (FreshRSS: https://HOST/api/greader.php)",
				c->a->url, c->a->name);
		else if (resp.status)
			err_set(e, ERR_HTTP, "the Google Reader API at '%s' "
				"answered HTTP %ld; try again later",
				c->a->url, resp.status);
		else
			err_prefix(e, "cannot reach the Google Reader API at "
				   "'%s' (is it running?)", c->a->url);
		fetch_resp_release(&resp);
		return -1;
	}
	sbuf_add(out, resp.body.buf, resp.body.len);
	fetch_resp_release(&resp);
	return 0;
}

static int
request_json(struct sync_conn *c, const char *path, const char *form,
	     struct json *j, struct err *e)
{
	struct sbuf sb = SBUF_INIT;
	int rc = request(c, path, form, &sb, e);

	if (rc == 0 && json_parse(j, sb.buf, sb.len, NULL) < 0)
		rc = err_set(e, ERR_PARSE, "the Google Reader API at '%s' did "
			     "not answer with JSON (a web page? a half "
			     "answer?): check 'url' under [sync \"%s\"]",
			     c->a->url, c->a->name);
	sbuf_release(&sb);
	return rc;
}

static int
gr_login(struct sync_conn *c, struct err *e)
{
	struct sbuf form = SBUF_INIT, out = SBUF_INIT;
	const char *p;
	int rc;

	if (!c->base) {
		const char *u = c->a->url;
		size_t n = strlen(u);

		while (n && u[n - 1] == '/')
			n--;
		c->base = xstrndup(u, n);
	}
	form_add(&form, "Email", c->a->user);
	form_add(&form, "Passwd", c->password);
	rc = request(c, "/accounts/ClientLogin", form.buf, &out, e);
	sbuf_release(&form);
	if (rc == 0) {
		p = strstr(out.buf, "Auth=");
		if (!p) {
			rc = err_set(e, ERR_PARSE, "the Google Reader API at "
				     "'%s' answered the login without a token",
				     c->a->url);
		} else {
			size_t n = strcspn(p + 5, "\r\n \t");

			free(c->session);
			c->session = xstrndup(p + 5, n);
		}
	}
	sbuf_release(&out);
	return rc;
}

/* "tag:google.com,2005:reader/item/00000000000004d2" or "1234" as
 * "1234". Caller frees; NULL when neither. */
static char *
item_id(const char *s)
{
	const char *p = s ? strrchr(s, '/') : NULL;
	unsigned long long v;
	char *end;

	if (!s)
		return NULL;
	if (p && str_starts(s, "tag:google.com")) {
		v = strtoull(p + 1, &end, 16);
		if (end == p + 1 || *end)
			return NULL;
		return xasprintf("%llu", v);
	}
	v = strtoull(s, &end, 10);
	return end != s && !*end ? xasprintf("%llu", v) : NULL;
}

/* The ids of stream s (items/ids, all pages), sorted, in *out. */
static int
stream_ids(struct sync_conn *c, const char *s, const char *exclude,
	   char ***out, size_t *n, struct err *e)
{
	char *cont = NULL;
	size_t cap = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	do {
		struct sbuf path = SBUF_INIT, q = SBUF_INIT;
		struct json j = { 0 };
		const struct json_node *refs, *r;
		const char *next;

		form_add(&q, "s", s);
		if (exclude)
			form_add(&q, "xt", exclude);
		form_add(&q, "n", "10000");
		form_add(&q, "output", "json");
		if (cont)
			form_add(&q, "c", cont);
		sbuf_addf(&path, "/reader/api/0/stream/items/ids?%s", q.buf);
		rc = request_json(c, path.buf, NULL, &j, e);
		sbuf_release(&path);
		sbuf_release(&q);
		free(cont);
		cont = NULL;
		if (rc < 0)
			break;
		refs = json_get(&j, json_root(&j), "itemRefs");
		for (r = refs ? json_first(&j, refs) : NULL; r;
		     r = json_next(&j, r)) {
			char *id = item_id(json_get_id(&j, r, "id"));

			if (!id)
				continue;
			XGROW(*out, cap, *n + 1);
			(*out)[(*n)++] = id;
		}
		next = json_get_str(&j, json_root(&j), "continuation");
		cont = next && *next ? xstrdup(next) : NULL;
		json_release(&j);
	} while (cont);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
sort_ids(char **v, size_t n)
{
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
}

static bool
in_sorted(char **v, size_t n, const char *id)
{
	return n && bsearch(&id, v, n, sizeof(*v), cmp_str);
}

static void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char *
dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

static int
cmp_ci(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* Labels of an item from its categories, sorted, one per line. */
static char *
labels_from(const struct json *j, const struct json_node *cats, bool *read,
	    bool *starred, bool *marked)
{
	const struct json_node *n;
	struct sbuf sb = SBUF_INIT;
	const char **v = NULL;
	size_t nv = 0, cap = 0, i;

	for (n = cats ? json_first(j, cats) : NULL; n; n = json_next(j, n)) {
		const char *t = n->type == JSON_TEXT ? n->text : NULL;
		const char *l;

		if (!t)
			continue;
		/* "user/-/..." or "user/1234/..." */
		l = str_starts(t, "user/") ? strchr(t + 5, '/') : NULL;
		if (!l)
			continue;
		if (!strcmp(l, "/state/com.google/read"))
			*read = true;
		else if (!strcmp(l, "/state/com.google/starred"))
			*starred = true;
		else if (!strcmp(l, "/label/glean-share"))
			*marked = true;
		else if (str_starts(l, "/label/") && l[7] &&
			 !strchr(l + 7, '\n')) {
			XGROW(v, cap, nv + 1);
			v[nv++] = l + 7;
		}
	}
	if (nv)
		qsort(v, nv, sizeof(*v), cmp_ci);
	for (i = 0; i < nv; i++)
		sbuf_addf(&sb, "%s%s", i ? "\n" : "", v[i]);
	free(v);
	return sbuf_detach(&sb, NULL);
}

static int
gr_pull(struct sync_conn *c, const char *since, struct sync_pull *p,
	struct err *e)
{
	struct json j = { 0 };
	const struct json_node *arr, *n;
	char **unread = NULL, **starred = NULL, **share = NULL, *cont = NULL;
	size_t nunread = 0, nstarred = 0, nshare = 0, i, first_old;
	int64_t newest = 0, ot = 0;
	int rc = -1;

	if (since && str_to_i64(since, &ot) < 0)
		ot = 0;
	if (request_json(c, "/reader/api/0/subscription/list?output=json",
			 NULL, &j, e) < 0)
		goto out;
	arr = json_get(&j, json_root(&j), "subscriptions");
	for (n = arr ? json_first(&j, arr) : NULL; n; n = json_next(&j, n)) {
		const char *id = json_get_str(&j, n, "id");
		const char *url = json_get_str(&j, n, "url");
		const struct json_node *cats = json_get(&j, n, "categories");
		struct sync_feed *f;

		if (!id || !*id)
			continue;
		if (!url && str_starts(id, "feed/"))
			url = id + 5;
		if (!url || !*url)
			continue;
		XGROW(p->feeds, p->cap_feeds, p->nfeeds + 1);
		f = &p->feeds[p->nfeeds++];
		memset(f, 0, sizeof(*f));
		f->id = xstrdup(id);
		f->url = xstrdup(url);
		f->title = dup_or_null(json_get_str(&j, n, "title"));
		f->site_url = dup_or_null(json_get_str(&j, n, "htmlUrl"));
		if (cats && json_first(&j, cats))
			f->category = dup_or_null(json_get_str(&j,
						json_first(&j, cats), "label"));
	}
	json_release(&j);
	if (request_json(c, "/reader/api/0/tag/list?output=json", NULL, &j,
			 e) < 0)
		goto out;
	arr = json_get(&j, json_root(&j), "tags");
	for (n = arr ? json_first(&j, arr) : NULL; n; n = json_next(&j, n)) {
		const char *id = json_get_str(&j, n, "id");
		const char *type = json_get_str(&j, n, "type");
		const char *l = id && str_starts(id, "user/")
				? strchr(id + 5, '/') : NULL;

		/* a folder is a category (source tags), not an item label */
		if (!l || !str_starts(l, "/label/") || !l[7] ||
		    !strcmp(l + 7, "glean-share") ||
		    (type && !strcmp(type, "folder")))
			continue;
		XGROW(p->labels, p->cap_labels, p->nlabels + 1);
		p->labels[p->nlabels++] = xstrdup(l + 7);
	}
	json_release(&j);
	/* new items, with content */
	do {
		struct sbuf path = SBUF_INIT, q = SBUF_INIT;
		char num[32];
		const char *next;

		snprintf(num, sizeof(num), "%d", GR_PAGE);
		form_add(&q, "n", num);
		form_add(&q, "output", "json");
		if (ot) {
			snprintf(num, sizeof(num), "%lld", (long long)ot);
			form_add(&q, "ot", num);
		}
		if (cont)
			form_add(&q, "c", cont);
		sbuf_addf(&path, "/reader/api/0/stream/contents/%s?%s",
			  GR_LIST, q.buf);
		rc = request_json(c, path.buf, NULL, &j, e);
		sbuf_release(&path);
		sbuf_release(&q);
		free(cont);
		cont = NULL;
		if (rc < 0)
			goto out;
		rc = -1;
		arr = json_get(&j, json_root(&j), "items");
		for (n = arr ? json_first(&j, arr) : NULL; n;
		     n = json_next(&j, n)) {
			struct sync_ritem *it;
			char *id = item_id(json_get_str(&j, n, "id"));
			const struct json_node *alt;
			int64_t crawl = 0, pub = 0;

			if (!id)
				continue;
			XGROW(p->items, p->cap_items, p->nitems + 1);
			it = &p->items[p->nitems++];
			memset(it, 0, sizeof(*it));
			it->id = id;
			it->feed_id = dup_or_null(json_get_str(&j, n,
							"origin.streamId"));
			it->title = dup_or_null(json_get_str(&j, n, "title"));
			it->author = dup_or_null(json_get_str(&j, n,
							      "author"));
			it->content = dup_or_null(json_get_str(&j, n,
							"content.content"));
			if (!it->content)
				it->content = dup_or_null(json_get_str(&j, n,
							"summary.content"));
			alt = json_get(&j, n, "alternate");
			if (!alt)
				alt = json_get(&j, n, "canonical");
			if (alt && json_first(&j, alt))
				it->url = dup_or_null(json_get_str(&j,
						json_first(&j, alt), "href"));
			json_get_i64(&j, n, "published", &pub);
			it->published = pub;
			if (json_get_i64(&j, n, "crawlTimeMsec", &crawl) == 0)
				crawl /= 1000;
			else
				crawl = pub;
			if (crawl > newest)
				newest = crawl;
			it->labels = labels_from(&j, json_get(&j, n,
							      "categories"),
						 &it->read, &it->starred,
						 &it->marked);
			it->note = xstrdup("");
		}
		next = json_get_str(&j, json_root(&j), "continuation");
		cont = next && *next ? xstrdup(next) : NULL;
		json_release(&j);
	} while (cont);
	/* the state of the others, from the id streams */
	first_old = p->nitems;
	if (since) {
		char **all = NULL;
		size_t nall = 0, k;

		if (stream_ids(c, GR_LIST, GR_READ, &unread, &nunread, e) < 0 ||
		    stream_ids(c, GR_STAR, NULL, &starred, &nstarred, e) < 0 ||
		    stream_ids(c, GR_SHARE, NULL, &share, &nshare, e) < 0 ||
		    stream_ids(c, GR_LIST, NULL, &all, &nall, e) < 0) {
			strv_free(all, nall);
			goto out;
		}
		sort_ids(unread, nunread);
		sort_ids(starred, nstarred);
		sort_ids(share, nshare);
		for (k = 0; k < nall; k++) {
			struct sync_ritem *it;
			bool dup = false;

			for (i = 0; i < first_old && !dup; i++)
				dup = !strcmp(p->items[i].id, all[k]);
			if (dup)
				continue;
			XGROW(p->items, p->cap_items, p->nitems + 1);
			it = &p->items[p->nitems++];
			memset(it, 0, sizeof(*it));
			it->id = xstrdup(all[k]);
			it->read = !in_sorted(unread, nunread, all[k]);
			it->starred = in_sorted(starred, nstarred, all[k]);
			it->marked = in_sorted(share, nshare, all[k]);
			it->labels = xstrdup("");
			it->note = xstrdup("");
		}
		/* labels: one id stream per label */
		for (i = 0; i < p->nlabels; i++) {
			char *s = xasprintf(GR_LABEL "%s", p->labels[i]);
			char **ids = NULL;
			size_t nids = 0;

			rc = stream_ids(c, s, NULL, &ids, &nids, e);
			free(s);
			if (rc < 0)
				goto out;
			rc = -1;
			sort_ids(ids, nids);
			for (k = first_old; k < p->nitems; k++) {
				struct sync_ritem *it = &p->items[k];
				char *l;

				if (!in_sorted(ids, nids, it->id))
					continue;
				/* labels come in p->labels' order: sort at
				 * the end */
				l = *it->labels ? xasprintf("%s\n%s",
							    it->labels,
							    p->labels[i])
						: xstrdup(p->labels[i]);
				free(it->labels);
				it->labels = l;
			}
			strv_free(ids, nids);
		}
		for (k = first_old; k < p->nitems; k++) {
			struct sync_ritem *it = &p->items[k];
			char *v[64], *s = it->labels, *nl;
			size_t nv = 0, m;
			struct sbuf sb = SBUF_INIT;

			while (*s && nv < ARRAY_SIZE(v)) {
				v[nv++] = s;
				nl = strchr(s, '\n');
				if (!nl)
					break;
				*nl = '\0';
				s = nl + 1;
			}
			if (nv)
				qsort(v, nv, sizeof(*v), cmp_ci);
			for (m = 0; m < nv; m++)
				sbuf_addf(&sb, "%s%s", m ? "\n" : "", v[m]);
			free(it->labels);
			it->labels = sbuf_detach(&sb, NULL);
		}
		strv_free(all, nall);
	}
	if (newest > ot)
		p->since = xasprintf("%lld", (long long)newest);
	rc = 0;
out:
	free(cont);
	json_release(&j);
	strv_free(unread, nunread);
	strv_free(starred, nstarred);
	strv_free(share, nshare);
	return rc;
}

/* edit-tag for ids, GR_IDS at a time: a=tag (on) or r=tag. */
static int
edit_tag(struct sync_conn *c, const char *tag, bool on,
	 const char *const *ids, size_t n, struct err *e)
{
	struct sbuf token = SBUF_INIT;
	size_t i, k;
	int rc = 0;

	if (request(c, "/reader/api/0/token", NULL, &token, e) < 0) {
		sbuf_release(&token);
		return -1;
	}
	sbuf_trim(&token);
	for (i = 0; i < n && rc == 0; i += k) {
		struct sbuf form = SBUF_INIT, out = SBUF_INIT;

		for (k = 0; k < GR_IDS && i + k < n; k++) {
			char *long_id = xasprintf("tag:google.com,2005:reader/"
				"item/%016llx", strtoull(ids[i + k], NULL, 10));

			form_add(&form, "i", long_id);
			free(long_id);
		}
		form_add(&form, on ? "a" : "r", tag);
		form_add(&form, "T", token.buf);
		rc = request(c, "/reader/api/0/edit-tag", form.buf, &out, e);
		sbuf_release(&form);
		sbuf_release(&out);
	}
	sbuf_release(&token);
	return rc;
}

static int
gr_push_flag(struct sync_conn *c, const char *field, bool on,
	     const char *const *ids, size_t n, struct err *e)
{
	const char *tag = !strcmp(field, "read") ? GR_READ
			  : !strcmp(field, "starred") ? GR_STAR : GR_SHARE;

	return edit_tag(c, tag, on, ids, n, e);
}

static int
gr_push_label(struct sync_conn *c, const char *label, bool on,
	      const char *const *ids, size_t n, struct err *e)
{
	char *tag = xasprintf(GR_LABEL "%s", label);
	int rc = edit_tag(c, tag, on, ids, n, e);

	free(tag);
	return rc;
}

static int
gr_push_note(struct sync_conn *c, const char *id, const char *note,
	     struct err *e)
{
	(void)c, (void)id, (void)note, (void)e;
	return 0; /* no notes in this API: they stay in glean */
}

static int
subscription_edit(struct sync_conn *c, const char *ac, const char *feed_id,
		  struct err *e)
{
	struct sbuf token = SBUF_INIT, form = SBUF_INIT, out = SBUF_INIT;
	int rc = request(c, "/reader/api/0/token", NULL, &token, e);

	if (rc == 0) {
		sbuf_trim(&token);
		form_add(&form, "ac", ac);
		form_add(&form, "s", feed_id);
		form_add(&form, "T", token.buf);
		rc = request(c, "/reader/api/0/subscription/edit", form.buf,
			     &out, e);
	}
	sbuf_release(&token);
	sbuf_release(&form);
	sbuf_release(&out);
	return rc;
}

static int
gr_subscribe(struct sync_conn *c, const char *url, struct err *e)
{
	char *id = xasprintf("feed/%s", url);
	int rc = subscription_edit(c, "subscribe", id, e);

	free(id);
	return rc;
}

static int
gr_unsubscribe(struct sync_conn *c, const char *feed_id, struct err *e)
{
	return subscription_edit(c, "unsubscribe", feed_id, e);
}

const struct sync_ops sync_greader = {
	.name = "greader",
	.notes = false,
	.login = gr_login,
	.pull = gr_pull,
	.push_flag = gr_push_flag,
	.push_label = gr_push_label,
	.push_note = gr_push_note,
	.subscribe = gr_subscribe,
	.unsubscribe = gr_unsubscribe,
};
