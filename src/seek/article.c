/*
 * The article behind an item (issue 19): fetch the item's link (for a
 * social post, the first link in it that is not a mention, tag or
 * profile), find the article in the page (article_extract) and keep it
 * with the item, once: an item whose article is stored is never fetched
 * again. A failure is stored too, with its reason; the item keeps its
 * summary. Fetches go through the fetch engine with the config's
 * options, so the per-host limits, size caps and the SECURITY.md rules
 * (no redirect into the user's own network) are those of feeds; a link
 * to another server than the feed's may not lead into the user's own
 * network at all (fetch_req.public_only).
 */
#include <stdlib.h>
#include <string.h>

#include "glean/config.h"
#include "glean/fetch.h"
#include "glean/parse.h"
#include "glean/render.h"
#include "glean/seek.h"
#include "glean/service.h"
#include "glean/store.h"
#include "glean/banned.h"

static bool
is_social(const char *kind)
{
	return kind && (strcmp(kind, "mastodon") == 0 ||
			strcmp(kind, "bluesky") == 0 || strcmp(kind, "x") == 0);
}

/* A link in a post that points at a person or a tag, not an article. */
static bool
link_is_chrome(const char *u)
{
	const char *p = strstr(u, "://");

	if (!p)
		return true;
	p = strchr(p + 3, '/');
	if (!p)
		return false;
	return strncmp(p, "/@", 2) == 0 || strncmp(p, "/tags/", 6) == 0 ||
	       strncmp(p, "/hashtag/", 9) == 0 ||
	       strncmp(p, "/users/", 7) == 0 ||
	       strncmp(p, "/profile/", 9) == 0 ||
	       strncmp(p, "/search", 7) == 0;
}

char *
seek_article_url(const char *kind, const char *item_url, const char *content)
{
	struct render_out out;
	struct err e = { 0 };
	char *url = NULL;
	size_t i;

	if (!is_social(kind) || !content)
		return item_url ? xstrdup(item_url) : NULL;
	if (render_html(content, strlen(content), item_url, 0, &out, &e) == 0)
		for (i = 0; i < out.nlinks && !url; i++)
			if ((strncmp(out.links[i].url, "http://", 7) == 0 ||
			     strncmp(out.links[i].url, "https://", 8) == 0) &&
			    !link_is_chrome(out.links[i].url))
				url = xstrdup(out.links[i].url);
	render_out_release(&out);
	return url;
}

/* The scheme://host:port of url (lower-case host), into buf. */
static void
origin_of(const char *url, char *buf, size_t cap)
{
	const char *p = url ? strstr(url, "://") : NULL;
	size_t n, i;

	buf[0] = '\0';
	if (!p)
		return;
	p += 3;
	n = strcspn(p, "/?#");
	if ((size_t)(p - url) + n >= cap)
		return;
	for (i = 0; i < (size_t)(p - url) + n; i++)
		buf[i] = (char)(url[i] >= 'A' && url[i] <= 'Z' ? url[i] + 32
							       : url[i]);
	buf[i] = '\0';
}

bool
seek_article_public_only(const char *source_url, const char *article_url)
{
	char a[512], b[512];

	/* a link on the feed's own server is as trusted as the feed; one
	 * elsewhere may not lead into the user's own network (a hostile
	 * feed's link to 192.168.1.1 fetched on its behalf) */
	origin_of(source_url, a, sizeof(a));
	origin_of(article_url, b, sizeof(b));
	return !*a || strcmp(a, b) != 0;
}

/* Extract the fetched page into a (the error when there is none). */
static void
article_from(const char *url, struct fetch_resp *resp,
	     struct store_article *a)
{
	struct article art;
	struct err e = { 0 };

	memset(a, 0, sizeof(*a));
	a->url = xstrdup(url);
	if (resp->err.code != ERR_OK) {
		a->error = xasprintf("cannot fetch the article: %s",
				     resp->err.msg);
		return;
	}
	if (article_extract(resp->body.buf, resp->body.len,
			    resp->effective_url ? resp->effective_url : url,
			    &art, &e) < 0) {
		a->error = xstrdup(e.msg);
		return;
	}
	a->title = art.title;
	a->html = art.content_html;
	a->text = art.text;
	art.title = art.content_html = art.text = NULL;
	article_release(&art);
}

int
seek_article(struct store *st, const struct config *cfg, int64_t item_id,
	     bool retry, struct store_article *out, struct err *e)
{
	struct fetch_req req = { 0 };
	struct fetch_resp resp;
	struct fetch_opts fo;
	struct item it;
	struct source src;
	char idbuf[32], *url;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_article_get(st, item_id, out, e);
	if (rc < 0)
		return -1;
	if (rc == 1 && (!out->error || !retry))
		return 0;
	store_article_release(out);
	if (store_item_get(st, item_id, true, &it, e) < 0)
		return -1;
	memset(&src, 0, sizeof(src));
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)it.source_id);
	if (store_source_get(st, idbuf, &src, e) < 0) {
		item_release(&it);
		return -1;
	}
	url = seek_article_url(src.kind, it.url, it.content);
	req.public_only = url && seek_article_public_only(src.url, url);
	source_release(&src);
	item_release(&it);
	if (!url)
		return err_set(e, ERR_NOTFOUND, "item %lld has no link to "
			       "fetch an article from", (long long)item_id);
	service_fetch_opts(cfg, &fo);
	req.url = url;
	req.kind = FETCH_FEED;
	req.max_body = ARTICLE_MAX_INPUT;
	fetch_resp_init(&resp);
	fetch_one(&fo, &req, &resp, NULL);
	article_from(url, &resp, out);
	fetch_resp_release(&resp);
	free(url);
	return store_article_put(st, item_id, out, e);
}

/* ---- the articles of new items, after a fetch ---- */

struct batch {
	struct store *st;
	struct seek_result *r;
};

static void
article_done(const struct fetch_req *req, struct fetch_resp *resp, void *arg)
{
	struct batch *b = arg;
	struct store_article a;
	struct err e = { 0 };
	int64_t id = (int64_t)(intptr_t)req->user;

	article_from(req->url, resp, &a);
	if (store_article_put(b->st, id, &a, &e) < 0 || a.error)
		b->r->articles_failed++;
	else
		b->r->articles_fetched++;
	store_article_release(&a);
}

void
seek_articles_fetch(struct store *st, const struct config *cfg,
		    struct seek_result *r)
{
	struct fetch_opts fo;
	struct fetch *f;
	struct batch b = { st, r };
	size_t i;

	if (!r->narticles)
		return;
	service_fetch_opts(cfg, &fo);
	f = fetch_new(&fo);
	for (i = 0; i < r->narticles; i++) {
		struct fetch_req req = { 0 };

		req.url = r->article_urls[i];
		req.public_only = r->article_public_only[i];
		req.kind = FETCH_FEED;
		req.max_body = ARTICLE_MAX_INPUT;
		req.user = (void *)(intptr_t)r->article_items[i];
		fetch_add(f, &req, article_done, &b);
	}
	fetch_run(f, NULL, NULL);
	fetch_free(f);
}
