/*
 * Fetching: due sources → the fetch engine (in parallel, politely) →
 * parse → one store transaction per source. Scheduling lives here too:
 * conditional GET validators, exponential backoff per source, Retry-After,
 * <ttl> and max-age, 301/308 moving the stored URL, 410 retiring a source.
 * A failed source keeps its items and records a one-line reason.
 * Parsing and rendering are parse/'s; HTTP is fetch/'s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glean/config.h"
#include "glean/fetch.h"
#include "glean/parse.h"
#include "glean/seek.h"
#include "glean/store.h"
#include "glean/banned.h"

#define BACKOFF_BASE (15 * 60)
#define BACKOFF_MAX (24 * 3600)
#define INTERVAL_MAX (24 * 3600)

struct job {
	struct source src;
	struct seek_run *run;
};

struct seek_run {
	struct seek_result result;
	struct store *st;
	const struct config *cfg;
	const struct seek_fetch_opts *o;
	struct seek_result *r;
	struct fetch *f;
	struct seek_progress prog;
	int64_t now;
};

void
seek_result_release(struct seek_result *r)
{
	size_t i;

	for (i = 0; i < r->nfailures; i++) {
		free(r->failures[i].title);
		free(r->failures[i].reason);
	}
	free(r->failures);
	for (i = 0; i < r->nnotices; i++)
		free(r->notices[i]);
	free(r->notices);
	memset(r, 0, sizeof(*r));
}

static void
notice(struct seek_result *r, char *owned)
{
	r->notices = xrealloc(r->notices, (r->nnotices + 1) * sizeof(char *));
	r->notices[r->nnotices++] = owned;
}

static const char *
source_name(const struct source *s)
{
	return s->title && *s->title ? s->title : s->url;
}

static void
record_failure(struct seek_run *run, struct source *s, const char *reason)
{
	struct seek_failure *f;
	struct seek_result *r = run->r;

	r->failures = xrealloc(r->failures,
			       (r->nfailures + 1) * sizeof(*r->failures));
	f = &r->failures[r->nfailures++];
	f->source_id = s->id;
	f->title = xstrdup(source_name(s));
	f->reason = xstrdup(reason);
	r->failed++;
}

static int64_t
interval(const struct seek_run *run, const struct source *s, int64_t max_age)
{
	int64_t iv = run->cfg ? run->cfg->refresh : 3600;

	if (s->ttl > iv)
		iv = s->ttl;
	if (max_age > iv)
		iv = max_age;
	return iv > INTERVAL_MAX ? INTERVAL_MAX : iv;
}

static int64_t
backoff(int failures)
{
	int64_t b = BACKOFF_BASE;
	int i;

	for (i = 1; i < failures && b < BACKOFF_MAX; i++)
		b *= 2;
	return b > BACKOFF_MAX ? BACKOFF_MAX : b;
}

static void
save_state(struct seek_run *run, struct source *s)
{
	struct err e = { 0 };

	if (store_begin(run->st, false, &e) < 0 ||
	    store_source_save_state(run->st, s, &e) < 0 ||
	    store_commit(run->st, &e) < 0) {
		store_rollback(run->st);
		log_error("source %lld: cannot save state: %s",
			  (long long)s->id, e.msg);
	}
}

static void
fail_source(struct seek_run *run, struct source *s, const char *reason,
	    int64_t retry_after)
{
	int64_t wait;

	s->failures++;
	s->last_attempt = run->now;
	free(s->last_error);
	s->last_error = xstrdup(reason);
	wait = backoff(s->failures);
	if (retry_after > wait)
		wait = retry_after > BACKOFF_MAX ? BACKOFF_MAX : retry_after;
	s->next_due = run->now + wait;
	save_state(run, s);
	record_failure(run, s, reason);
	run->prog.failed++;
}

static char *
body_hash(const char *b, size_t n)
{
	return xasprintf("%016llx:%zu",
			 (unsigned long long)hash64(b, n, 0), n);
}

static void
replace(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? xstrdup(src) : NULL;
}

/* A 200 with a body: parse and store in one transaction. */
static void
ingest(struct seek_run *run, struct source *s, struct fetch_resp *resp)
{
	struct parse_opts po = { 0 };
	struct feed_doc doc;
	struct ingest_stats stats = { 0 };
	struct item *items = NULL;
	struct err e = { 0 };
	char *hash = body_hash(resp->body.buf, resp->body.len);
	size_t n = 0, i;

	if (s->body_hash && !strcmp(s->body_hash, hash)) {
		/* The same bytes as last time: nothing to parse. */
		free(hash);
		run->r->unchanged++;
		return;
	}
	po.url = resp->effective_url ? resp->effective_url : s->url;
	po.content_type = resp->content_type;
	po.content_location = resp->content_location;
	if (parse_feed(resp->body.buf, resp->body.len, &po, &doc, &e) < 0) {
		char *reason = xasprintf("not a feed: %s", e.msg);

		feed_doc_release(&doc);
		free(hash);
		fail_source(run, s, reason, -1);
		free(reason);
		return;
	}
	seek_items_from_doc(&doc, &items, &n);
	if (store_begin(run->st, false, &e) < 0)
		goto fail;
	if (store_items_upsert(run->st, s->id, items, n, &stats, &e) < 0)
		goto fail;
	if (!s->title && doc.feed.title) {
		struct sbuf t = SBUF_INIT;

		html_strip(doc.feed.title, strlen(doc.feed.title), 1024, &t);
		if (t.len)
			s->title = sbuf_detach(&t, NULL);
		sbuf_release(&t);
	}
	if (!s->site_url && doc.feed.link)
		s->site_url = xstrdup(doc.feed.link);
	if (doc.ttl > 0)
		s->ttl = doc.ttl;
	replace(&s->body_hash, hash);
	free(s->last_error);
	s->last_error = NULL;
	if (store_source_save_state(run->st, s, &e) < 0 ||
	    store_commit(run->st, &e) < 0)
		goto fail;
	run->r->fetched++;
	run->r->items_added += stats.added;
	run->r->items_updated += stats.updated;
	if (doc.bozo)
		log_info("source %lld: recovered a feed that is not "
			 "well-formed (%s)", (long long)s->id,
			 doc.bozo_reason ? doc.bozo_reason : "?");
	goto out;
fail:
	store_rollback(run->st);
	{
		char *reason = xasprintf("cannot store items: %s", e.msg);

		fail_source(run, s, reason, -1);
		free(reason);
	}
out:
	for (i = 0; i < n; i++)
		item_release(&items[i]);
	free(items);
	feed_doc_release(&doc);
	free(hash);
}

static void
feed_done(const struct fetch_req *req, struct fetch_resp *resp, void *arg)
{
	struct job *job = req->user;
	struct seek_run *run = arg;
	struct source *s = &job->src;
	char reason[300];

	run->prog.done++;
	run->prog.bytes += resp->bytes_received;
	run->prog.current = source_name(s);
	run->r->bytes += resp->bytes_received;
	if (resp->status == 410) {
		s->retired = true;
		snprintf(reason, sizeof(reason), "410 Gone: the publisher "
			 "removed this feed; it is retired and will not be "
			 "fetched again ('glean rm %lld' drops it)",
			 (long long)s->id);
		free(s->last_error);
		s->last_error = xstrdup(reason);
		s->last_attempt = run->now;
		save_state(run, s);
		record_failure(run, s, reason);
		run->r->retired++;
		goto out;
	}
	if (resp->err.code != ERR_OK) {
		fail_source(run, s, resp->err.msg,
			    resp->retry_after >= 0 ? resp->retry_after : -1);
		goto out;
	}
	if (resp->permanent_url && strcmp(resp->permanent_url, s->url) != 0) {
		struct source other;
		struct err oe = { 0 };

		if (str_istarts(resp->permanent_url, "file:")) {
			log_warn("ignoring a redirect to a file URL");
		} else if (store_source_get(run->st, resp->permanent_url, &other,
					    &oe) == 0) {
			notice(run->r, xasprintf("source %lld moved "
						 "permanently to %s, which you "
						 "follow as source %lld; 'glean "
						 "rm %lld' drops the old one",
						 (long long)s->id,
						 resp->permanent_url,
						 (long long)other.id,
						 (long long)s->id));
			source_release(&other);
		} else {
			notice(run->r, xasprintf("source %lld moved "
						 "permanently to %s",
						 (long long)s->id,
						 resp->permanent_url));
			replace(&s->url, resp->permanent_url);
		}
	}
	replace(&s->etag, resp->etag);
	replace(&s->last_modified, resp->last_modified);
	s->last_attempt = s->last_success = run->now;
	s->failures = 0;
	if (resp->status == 304) {
		run->r->unchanged++;
		free(s->last_error);
		s->last_error = NULL;
	} else {
		ingest(run, s, resp);
		if (s->failures)
			goto out; /* ingest recorded the failure */
	}
	s->next_due = run->now + interval(run, s, resp->max_age);
	save_state(run, s);
out:
	if (run->o->progress)
		run->o->progress(&run->prog, run->o->arg);
	source_release(s);
	free(job);
}

static bool
wanted(const struct seek_fetch_opts *o, int64_t id)
{
	size_t i;

	if (!o->n_ids)
		return true;
	for (i = 0; i < o->n_ids; i++)
		if (o->ids[i] == id)
			return true;
	return false;
}

struct seek_run *
seek_start(struct store *st, const struct config *cfg,
	   const struct seek_fetch_opts *o, struct err *e)
{
	struct source_list due;
	struct fetch_opts fo = { 0 };
	struct seek_run *run = xcalloc(1, sizeof(*run));
	size_t i;

	run->st = st;
	run->cfg = cfg;
	run->o = o;
	run->r = &run->result;
	run->now = time_now();
	if (store_sources_due(st, run->now, o->all || o->n_ids, &due, e) < 0) {
		free(run);
		return NULL;
	}
	fo.max_total = cfg ? (size_t)cfg->concurrency : 16;
	fo.max_per_host = cfg ? (size_t)cfg->per_host : 2;
	fo.user_agent = cfg && cfg->user_agent ? cfg->user_agent
					       : "glean/" GLEAN_VERSION;
	fo.timeout_ms = cfg ? (long)cfg->timeout * 1000 : 120000;
	run->f = fetch_new(&fo);
	for (i = 0; i < due.n; i++) {
		struct fetch_req req = { 0 };
		struct job *job;

		if (!wanted(o, due.v[i].id))
			continue;
		job = xcalloc(1, sizeof(*job));
		job->src = due.v[i];
		memset(&due.v[i], 0, sizeof(due.v[i]));
		job->run = run;
		req.url = job->src.url;
		req.kind = FETCH_FEED;
		req.allow_file = str_istarts(job->src.url, "file://");
		req.etag = job->src.etag;
		req.last_modified = job->src.last_modified;
		req.user = job;
		run->r->sources++;
		run->prog.total++;
		fetch_add(run->f, &req, feed_done, run);
	}
	source_list_release(&due);
	if (o->progress)
		o->progress(&run->prog, o->arg);
	return run;
}

size_t
seek_step(struct seek_run *sr, int timeout_ms)
{
	struct seek_run *run = sr;

	return fetch_step(run->f, timeout_ms);
}

void
seek_finish(struct seek_run *sr, struct seek_result *r)
{
	struct seek_run *run = sr;

	while (fetch_step(run->f, 1000) > 0)
		;
	fetch_free(run->f);
	*r = run->result;
	free(run);
}

int
seek_fetch(struct store *st, const struct config *cfg,
	   const struct seek_fetch_opts *o, struct seek_result *r,
	   struct err *e)
{
	struct seek_run *run;

	memset(r, 0, sizeof(*r));
	run = seek_start(st, cfg, o, e);
	if (!run)
		return -1;
	while (seek_step(run, 1000) > 0)
		;
	seek_finish(run, r);
	return 0;
}
