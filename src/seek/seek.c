/*
 * Fetching: due sources → the fetch engine (in parallel, politely) →
 * parse → one store transaction per source. Scheduling lives here too:
 * conditional GET validators, exponential backoff per source, Retry-After,
 * <ttl> and max-age, 301/308 moving the stored URL, 410 retiring a source.
 * A failed source keeps its items and records a one-line reason.
 * Parsing and rendering are parse/'s; HTTP is fetch/'s.
 *
 * Each source starts by its kind: "feed" is one conditional GET; the
 * kind of every service in services[] that reads (service.h: Mastodon,
 * Bluesky, X, Discourse) walks its pages one authenticated request at a
 * time, each next page queued from the previous page's callback, and
 * ends in one transaction that stores the posts and the paging state
 * together. What the services send is theirs to read (src/service/).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "glean/config.h"
#include "glean/fetch.h"
#include "glean/json.h"
#include "glean/parse.h"
#include "glean/seek.h"
#include "glean/service.h"
#include "glean/store.h"
#include "glean/banned.h"

#define BACKOFF_BASE (15 * 60)
#define BACKOFF_MAX (24 * 3600)
#define INTERVAL_MAX (24 * 3600)
/* After a 401 the source waits this long (or for 'glean fetch ID'):
 * asking again with the same token would only be refused again. */
#define AUTH_PARK (30 * 24 * 3600)

struct job {
	struct source src;
	struct seek_run *run;
	struct social_run *sr; /* API kinds; NULL for feeds */
};

struct seek_run {
	struct seek_result result;
	bool rule_warned;
	struct store_rule *rules; /* cfg's, with their state for this run */
	int64_t batch_items;   /* items stored when the batch began */
	bool title_dropped;    /* store_title_index_bulk() dropped it */
	int64_t batch_start;   /* when it began, ms */
	struct parse_job *held; /* parsed, to store in the next batch */
	int64_t *claimed;      /* sources this run claimed (store.h) */
	size_t nclaimed;
	struct {               /* the counts when the batch began */
		size_t fetched, unchanged;
		int64_t added, updated, hidden;
	} base;
	struct store *st;
	const struct config *cfg;
	const struct seek_fetch_opts *o;
	struct seek_result *r;
	struct fetch *f;
	struct seek_progress prog;
	struct parse_pipe *pipe; /* NULL until the first body to parse */
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
	free(r->store_error);
	for (i = 0; i < r->narticles; i++)
		free(r->article_urls[i]);
	free(r->article_urls);
	free(r->article_items);
	free(r->article_public_only);
	memset(r, 0, sizeof(*r));
}

/* Queue the articles of the items a batch inserted, when their source
 * fetches articles (after its commit: the items exist). */
static void
queue_articles(struct store *st, struct seek_result *r, const struct source *s,
	       const struct item *items, size_t n)
{
	struct err e = { 0 };
	size_t i;
	char *url;

	if (!n || store_source_articles(st, s->id, &e) != 1)
		return;
	for (i = 0; i < n; i++) {
		if (!items[i].inserted ||
		    !(url = seek_article_url(s->kind, items[i].url,
					     items[i].content)))
			continue;
		r->article_items = xrealloc(r->article_items,
					    (r->narticles + 1) *
					    sizeof(*r->article_items));
		r->article_urls = xrealloc(r->article_urls,
					   (r->narticles + 1) *
					   sizeof(*r->article_urls));
		r->article_public_only = xrealloc(r->article_public_only,
						  (r->narticles + 1) *
						  sizeof(*r->article_public_only));
		r->article_items[r->narticles] = items[i].id;
		r->article_public_only[r->narticles] =
			seek_article_public_only(s->url, url);
		r->article_urls[r->narticles++] = url;
	}
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

/* A store write failed: remember the first reason for the summary and
 * the exit status (the sources' own failures are not the store's). */
static void
record_store_error(struct seek_run *run, const struct err *e)
{
	if (e->code != ERR_DB || run->r->store_error)
		return;
	run->r->store_error = xstrdup(e->msg[0] ? e->msg : "store error");
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
	int64_t iv = run->cfg->refresh;

	return seek_wait(&(struct seek_due){ .refresh = iv, .ttl = s->ttl,
					     .max_age = max_age });
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

int64_t
seek_wait(const struct seek_due *d)
{
	int64_t w;

	if (d->failures > 0) {
		w = backoff(d->failures);
		if (d->retry_after > w)
			w = d->retry_after > BACKOFF_MAX ? BACKOFF_MAX
							 : d->retry_after;
		return w;
	}
	w = d->refresh;
	if (d->ttl > w)
		w = d->ttl;
	if (d->max_age > w)
		w = d->max_age;
	return w > INTERVAL_MAX ? INTERVAL_MAX : w;
}

/* The counts batch_undo() goes back to. */
static void
batch_mark(struct seek_run *run)
{
	run->base.fetched = run->r->fetched;
	run->base.unchanged = run->r->unchanged;
	run->base.added = run->r->items_added;
	run->base.updated = run->r->items_updated;
	run->base.hidden = run->r->items_hidden;
	run->batch_items = run->r->items_added + run->r->items_updated;
	run->batch_start = time_now_ms();
}

/* After a store write failed: when that rolled back the whole fetch batch
 * (store.h), what the run counted for the batch's sources did not happen.
 * They keep their old state and validators, so the next fetch gets them
 * in full; say so rather than claim items that are not there. */
static void
batch_undo(struct seek_run *run)
{
	size_t n;

	n = run->r->fetched + run->r->unchanged - run->base.fetched -
	    run->base.unchanged;
	run->r->fetched = run->base.fetched;
	run->r->unchanged = run->base.unchanged;
	run->r->items_added = run->base.added;
	run->r->items_updated = run->base.updated;
	run->r->items_hidden = run->base.hidden;
	if (n)
		notice(run->r, xasprintf("a store error undid the last %zu "
					 "source%s stored; the next fetch "
					 "gets them again", n,
					 n == 1 ? "" : "s"));
	batch_mark(run);
}

static void
batch_check_lost(struct seek_run *run)
{
	if (store_batch_lost(run->st))
		batch_undo(run);
}

/* Before a write: open the fetch batch if none is open. The batch (and
 * with it SQLite's write lock) is taken only when there is something to
 * write, seek_step() waits on the network in short slices while it is
 * open, and it commits as soon as a person's write waits (the store's
 * write gate), so that write waits behind one feed's store at most. */
static void
batch_open(struct seek_run *run)
{
	struct err e = { 0 };

	if (store_in_batch(run->st))
		return;
	if (store_batch_begin(run->st, &e) < 0) {
		log_warn("no fetch batch: %s", e.msg);
		return;
	}
	run->batch_start = time_now_ms();
}

static void
save_state(struct seek_run *run, struct source *s)
{
	struct err e = { 0 };

	batch_open(run);
	if (store_begin(run->st, false, &e) < 0 ||
	    store_source_save_state(run->st, s, &e) < 0 ||
	    store_commit(run->st, &e) < 0) {
		store_rollback(run->st);
		batch_check_lost(run);
		record_store_error(run, &e);
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
	wait = seek_wait(&(struct seek_due){ .failures = s->failures,
					     .retry_after = retry_after });
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

/* Config [rule]s on the items this batch inserted (in its transaction).
 * A rule whose query is wrong is reported once per run, not fatal; one
 * whose regex hits PCRE2 limits too often is turned off for the run
 * (store_rules_apply), said once. */
static int
apply_rules(struct seek_run *run, const struct item *items, size_t n,
	    struct err *e)
{
	const struct config *cfg = run->cfg;
	struct store_rule *rules = run->rules;
	struct err re = { 0 };
	int64_t *ids, hidden = 0, tagged = 0;
	bool *was_off;
	size_t i, k = 0;
	int rc;

	if (!cfg->nrules || !n)
		return 0;
	ids = xcalloc(n, sizeof(*ids));
	for (i = 0; i < n; i++)
		if (items[i].inserted)
			ids[k++] = items[i].id;
	if (!rules) {
		rules = run->rules = xcalloc(cfg->nrules, sizeof(*rules));
		for (i = 0; i < cfg->nrules; i++) {
			rules[i].name = cfg->rules[i].name;
			rules[i].match = cfg->rules[i].match;
			rules[i].tags =
				(const char *const *)cfg->rules[i].tags;
			rules[i].ntags = cfg->rules[i].ntags;
			rules[i].hide = cfg->rules[i].hide;
		}
	}
	was_off = xcalloc(cfg->nrules, sizeof(*was_off));
	for (i = 0; i < cfg->nrules; i++)
		was_off[i] = rules[i].off;
	rc = store_rules_apply(run->st, rules, cfg->nrules, ids, k, &hidden,
			       &tagged, &re);
	if (rc < 0)
		*e = re;
	else if (re.code != ERR_OK && !run->rule_warned) {
		run->rule_warned = true;
		notice(run->r, xasprintf("%s", re.msg));
	}
	for (i = 0; rc == 0 && i < cfg->nrules; i++)
		if (rules[i].off && !was_off[i])
			notice(run->r, xasprintf(
				"%s:%d: rule '%s' is off for this fetch: its "
				"regex hit a match limit on %lld items",
				cfg->rules[i].file, cfg->rules[i].line,
				rules[i].name, (long long)rules[i].limit_hits));
	run->r->items_hidden += hidden;
	free(was_off);
	free(ids);
	return rc;
}

/* ---- feeds: fetch (main thread) → parse (worker) → store (main) ---- */

/*
 * A fetched body on its way to the store. The worker thread touches only
 * the input and result fields; job (the source) stays the main thread's.
 */
struct parse_job {
	struct parse_job *next;
	struct job *job;
	int64_t max_age;
	char *hash;            /* body_hash() of the bytes */
	/* input */
	struct sbuf body;
	char *url, *content_type, *content_location;
	/* result */
	int rc;
	struct err e;
	struct feed_doc doc;
	struct item *items;
	size_t n;
	size_t body_len_in;    /* what it counts in the pipe's bytes */
};

/*
 * One worker parses while the main thread fetches and stores: on two
 * cores, parsing and SQLite writes overlap. The number of bodies in
 * flight (waiting, being parsed, or parsed and waiting to be stored) is
 * capped; past the cap the main thread parses the body itself, which
 * bounds memory and balances the two threads without blocking either.
 * Four bodies and 4 MB (from 8 and 8 MB) take about 3 MB off a cold
 * fetch's peak RSS at the same CPU: the worker still always has the
 * next body, and a parsed body waits only for the next batch. Two
 * took 2 MB more, but then a fetch of three sources already had the
 * main thread parse one, which stored the sources' items in an order
 * that changed from run to run. */
#define PIPE_JOBS 4
#define PIPE_BYTES (4u << 20)

struct parse_pipe {
	pthread_mutex_t mu;
	pthread_cond_t work;     /* to the worker: a job, or stop */
	pthread_cond_t done;     /* to the main thread: a result */
	struct parse_job *todo, **todo_tail;
	struct parse_job *ready, **ready_tail;
	size_t inflight;         /* handed over and not yet stored */
	size_t inflight_bytes;
	bool stop, started, failed;
	pthread_t thread;
	struct fetch *f;
};

static void
parse_job_run(struct parse_job *pj)
{
	struct parse_opts po = { 0 };

	po.url = pj->url;
	po.content_type = pj->content_type;
	po.content_location = pj->content_location;
	pj->rc = parse_feed(pj->body.buf, pj->body.len, &po, &pj->doc, &pj->e);
	if (pj->rc == 0)
		seek_items_from_doc(&pj->doc, &pj->items, &pj->n);
	sbuf_release(&pj->body);
}

static void
parse_job_free(struct parse_job *pj)
{
	size_t i;

	for (i = 0; i < pj->n; i++)
		item_release(&pj->items[i]);
	free(pj->items);
	feed_doc_release(&pj->doc);
	sbuf_release(&pj->body);
	free(pj->url);
	free(pj->content_type);
	free(pj->content_location);
	free(pj->hash);
	free(pj);
}

static void *
pipe_worker(void *arg)
{
	struct parse_pipe *pp = arg;
	struct parse_job *pj;

	pthread_mutex_lock(&pp->mu);
	for (;;) {
		while (!pp->todo && !pp->stop)
			pthread_cond_wait(&pp->work, &pp->mu);
		if (!pp->todo)
			break;
		pj = pp->todo;
		pp->todo = pj->next;
		if (!pp->todo)
			pp->todo_tail = &pp->todo;
		pthread_mutex_unlock(&pp->mu);
		parse_job_run(pj);
		pthread_mutex_lock(&pp->mu);
		pj->next = NULL;
		*pp->ready_tail = pj;
		pp->ready_tail = &pj->next;
		pthread_cond_signal(&pp->done);
		fetch_wakeup(pp->f);
	}
	pthread_mutex_unlock(&pp->mu);
	return NULL;
}

static void
pipe_init(struct parse_pipe *pp, struct fetch *f)
{
	memset(pp, 0, sizeof(*pp));
	pthread_mutex_init(&pp->mu, NULL);
	pthread_cond_init(&pp->work, NULL);
	pthread_cond_init(&pp->done, NULL);
	pp->todo_tail = &pp->todo;
	pp->ready_tail = &pp->ready;
	pp->f = f;
}

/* Hand pj to the worker; false when the caller must parse it itself
 * (the pipe is full, or no thread could be started). */
static bool
pipe_push(struct parse_pipe *pp, struct parse_job *pj)
{
	size_t bytes = pj->body.len;
	bool ok = false;

	pthread_mutex_lock(&pp->mu);
	if (pp->failed || (pp->inflight > 0 &&
			   (pp->inflight >= PIPE_JOBS ||
			    pp->inflight_bytes + bytes > PIPE_BYTES)))
		goto out;
	if (!pp->started) {
		if (pthread_create(&pp->thread, NULL, pipe_worker, pp) != 0) {
			pp->failed = true;
			log_warn("no parse thread: parsing on the main thread");
			goto out;
		}
		pp->started = true;
	}
	pj->next = NULL;
	*pp->todo_tail = pj;
	pp->todo_tail = &pj->next;
	pp->inflight++;
	pp->inflight_bytes += bytes;
	pthread_cond_signal(&pp->work);
	ok = true;
out:
	pthread_mutex_unlock(&pp->mu);
	return ok;
}

/* Take every parsed job (NULL when none), waiting up to wait_ms for one
 * when wait_ms > 0 and some are still with the worker. */
static struct parse_job *
pipe_take(struct parse_pipe *pp, int wait_ms)
{
	struct parse_job *list, *pj;

	pthread_mutex_lock(&pp->mu);
	if (!pp->ready && wait_ms > 0 && pp->inflight > 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += wait_ms / 1000;
		ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&pp->done, &pp->mu, &ts);
	}
	list = pp->ready;
	pp->ready = NULL;
	pp->ready_tail = &pp->ready;
	for (pj = list; pj; pj = pj->next) {
		pp->inflight--;
		pp->inflight_bytes -= pj->body_len_in;
	}
	pthread_mutex_unlock(&pp->mu);
	return list;
}

static size_t
pipe_inflight(struct parse_pipe *pp)
{
	size_t n;

	pthread_mutex_lock(&pp->mu);
	n = pp->inflight;
	pthread_mutex_unlock(&pp->mu);
	return n;
}

/* Stop and join the worker; only once nothing is in flight. */
static void
pipe_end(struct parse_pipe *pp)
{
	pthread_mutex_lock(&pp->mu);
	pp->stop = true;
	pthread_cond_signal(&pp->work);
	pthread_mutex_unlock(&pp->mu);
	if (pp->started)
		pthread_join(pp->thread, NULL);
	pthread_cond_destroy(&pp->work);
	pthread_cond_destroy(&pp->done);
	pthread_mutex_destroy(&pp->mu);
}

static void feed_next_due(struct seek_run *run, struct job *job,
			  int64_t max_age);

/* A parsed body: store its items and the source's state in one
 * transaction (a savepoint of the fetch batch). */
static void
feed_store(struct seek_run *run, struct parse_job *pj)
{
	struct source *s = &pj->job->src;
	struct ingest_stats stats = { 0 };
	struct err e = { 0 };
	struct feed_doc *doc = &pj->doc;

	run->prog.done++;
	run->prog.current = source_name(s);
	if (pj->rc < 0 || doc->nul_at || (doc->cut && pj->n == 0)) {
		char *reason;

		/* the old items stay; nothing of this body is stored */
		if (doc->nul_at)
			reason = xasprintf("damaged document: a NUL byte at "
					   "byte %zu; nothing stored, the "
					   "items already here are kept",
					   doc->nul_at - 1);
		else if (pj->rc == 0)
			reason = xasprintf("partial document: cut off at byte "
					   "%zu before any whole entry; "
					   "nothing stored, the items "
					   "already here are kept",
					   doc->cut_at);
		else if (str_starts(pj->e.msg, "not a feed"))
			reason = xstrdup(pj->e.msg);
		else
			reason = xasprintf("not a feed: %s", pj->e.msg);
		/* nor its validators: a 304 next time would hide this */
		replace(&s->etag, NULL);
		replace(&s->last_modified, NULL);
		fail_source(run, s, reason, -1);
		free(reason);
		goto out;
	}
	batch_open(run);
	if (store_begin(run->st, false, &e) < 0)
		goto fail;
	if (store_items_upsert(run->st, s->id, pj->items, pj->n, &stats,
			       &e) < 0 ||
	    apply_rules(run, pj->items, pj->n, &e) < 0)
		goto fail;
	if (!s->title && doc->feed.title) {
		s->title = seek_display_line(doc->feed.title,
					     doc->feed.title_html, 1024);
	}
	if (!s->site_url && doc->feed.link)
		s->site_url = xstrdup(doc->feed.link);
	if (doc->ttl > 0)
		s->ttl = doc->ttl;
	free(s->last_error);
	s->last_error = NULL;
	if (doc->cut) {
		size_t whole = 0, i, dropped;

		for (i = 0; i < doc->nentries; i++)
			whole += !doc->entries[i].cut;
		dropped = doc->nentries - pj->n;
		s->last_error = xasprintf(
			"partial document: cut off at byte %zu (%s); %zu "
			"whole entr%s kept%s", doc->cut_at,
			whole < doc->nentries ? "inside an entry"
					      : "before its closing tags",
			whole, whole == 1 ? "y" : "ies",
			dropped ? ", the one cut off before its guid or "
				  "link was read left out"
				: whole < pj->n ? ", and the one cut off "
						  "after its guid or link"
						: "");
		/* the same bytes again are parsed again, not skipped as
		 * unchanged, and no validator makes the next fetch a 304:
		 * the rest of the document may come then */
		replace(&s->etag, NULL);
		replace(&s->last_modified, NULL);
	} else {
		replace(&s->body_hash, pj->hash);
	}
	s->next_due = run->now + interval(run, s, pj->max_age);
	if (store_source_save_state(run->st, s, &e) < 0 ||
	    store_commit(run->st, &e) < 0)
		goto fail;
	run->r->fetched++;
	run->r->items_added += stats.added;
	run->r->items_updated += stats.updated;
	queue_articles(run->st, run->r, s, pj->items, pj->n);
	if (s->last_error)
		notice(run->r, xasprintf("source %lld: %s", (long long)s->id,
					 s->last_error));
	else if (doc->bozo)
		log_info("source %lld: recovered a feed that is not "
			 "well-formed (%s)", (long long)s->id,
			 doc->bozo_reason ? doc->bozo_reason : "?");
	goto out;
fail:
	store_rollback(run->st);
	batch_check_lost(run);
	record_store_error(run, &e);
	/* the items are not in the store: the validators of the body that
	 * brought them must not be either, or the next fetch gets a 304 */
	replace(&s->etag, NULL);
	replace(&s->last_modified, NULL);
	{
		char *reason = xasprintf("cannot store items: %s", e.msg);

		fail_source(run, s, reason, -1);
		free(reason);
	}
out:
	if (run->o->progress)
		run->o->progress(&run->prog, run->o->arg);
	source_release(s);
	free(pj->job);
	parse_job_free(pj);
}

static struct parse_pipe *
run_pipe(struct seek_run *run)
{
	if (!run->pipe) {
		run->pipe = xmalloc(sizeof(*run->pipe));
		pipe_init(run->pipe, run->f);
	}
	return run->pipe;
}

/* A 200 with a body: unchanged bytes end here; others go to the parse
 * worker, or are parsed and stored at once when the pipe is full. */
static void
feed_body(struct seek_run *run, struct job *job, struct fetch_resp *resp)
{
	struct source *s = &job->src;
	char *hash = body_hash(resp->body.buf, resp->body.len);
	struct sbuf empty = SBUF_INIT;
	struct parse_job *pj;

	if (s->body_hash && !strcmp(s->body_hash, hash)) {
		/* The same bytes as last time: nothing to parse. */
		free(hash);
		run->r->unchanged++;
		feed_next_due(run, job, resp->max_age);
		return;
	}
	pj = xcalloc(1, sizeof(*pj));
	pj->job = job;
	pj->hash = hash;
	pj->max_age = resp->max_age;
	pj->url = xstrdup(resp->effective_url ? resp->effective_url : s->url);
	pj->content_type = resp->content_type ? xstrdup(resp->content_type)
					      : NULL;
	pj->content_location = resp->content_location
				       ? xstrdup(resp->content_location)
				       : NULL;
	pj->body = resp->body;
	pj->body_len_in = resp->body.len;
	resp->body = empty;
	if (pipe_push(run_pipe(run), pj))
		return;
	parse_job_run(pj);
	feed_store(run, pj);
}

/* The end of a fetch with nothing to parse: schedule, save, release. */
static void
feed_next_due(struct seek_run *run, struct job *job, int64_t max_age)
{
	struct source *s = &job->src;

	run->prog.done++;
	s->next_due = run->now + interval(run, s, max_age);
	save_state(run, s);
	if (run->o->progress)
		run->o->progress(&run->prog, run->o->arg);
	source_release(s);
	free(job);
}

static void
feed_done(const struct fetch_req *req, struct fetch_resp *resp, void *arg)
{
	struct job *job = req->user;
	struct seek_run *run = arg;
	struct source *s = &job->src;
	char reason[300];

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
		} else if (strlen(resp->permanent_url) > URL_MAX_BYTES ||
			   url_has_control(resp->permanent_url)) {
			/* the source's URL follows 'glean add''s rules */
			log_warn("ignoring a permanent redirect to a URL that "
				 "is too long or holds a control character");
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
		feed_next_due(run, job, resp->max_age);
	} else {
		feed_body(run, job, resp);
	}
	return;
out:
	run->prog.done++;
	if (run->o->progress)
		run->o->progress(&run->prog, run->o->arg);
	source_release(s);
	free(job);
}

static void
feed_start(struct seek_run *run, struct job *job)
{
	struct fetch_req req = { 0 };

	req.url = job->src.url;
	req.kind = FETCH_FEED;
	req.allow_file = str_istarts(job->src.url, "file://");
	req.etag = job->src.etag;
	req.last_modified = job->src.last_modified;
	req.user = job;
	fetch_add(run->f, &req, feed_done, run);
}

/* ---- API kinds (service.h) ---- */

static void api_done(const struct fetch_req *req, struct fetch_resp *resp,
		     void *arg);

static void
api_send(struct seek_run *run, struct job *job)
{
	struct fetch_req req = { 0 };

	req.url = job->sr->req_url;
	req.kind = FETCH_API;
	req.headers = job->sr->hdrv;
	req.max_body = FETCH_API_MAX_BODY;
	req.user = job;
	fetch_add(run->f, &req, api_done, run);
}

static void
notice_run(struct seek_run *run, struct source *s, struct social_run *sr)
{
	if (sr->bad_posts)
		notice(run->r, xasprintf("source %lld: skipped %lld post%s "
					 "with a field of the wrong type",
					 (long long)s->id,
					 (long long)sr->bad_posts,
					 sr->bad_posts == 1 ? "" : "s"));
	if (sr->svc->metered) {
		double cost = sr->acct && sr->acct->cost_per_post >= 0
				      ? sr->acct->cost_per_post
				      : SOCIAL_DEFAULT_COST;

		notice(run->r, xasprintf("%s (source %lld): %lld post%s read "
					 "in %d request%s, about $%.3f at $%.4f "
					 "a post (budget %lld a run)",
					 sr->svc->title,
					 (long long)s->id,
					 (long long)sr->posts_read,
					 sr->posts_read == 1 ? "" : "s",
					 sr->pages, sr->pages == 1 ? "" : "s",
					 cost * (double)sr->posts_read, cost,
					 (long long)sr->budget));
	}
	if (sr->notice)
		notice(run->r, xstrdup(sr->notice));
}

/* Store what the run collected and s's state in one transaction. */
static int
api_commit(struct seek_run *run, struct source *s, struct social_run *sr,
	   struct err *e)
{
	struct ingest_stats stats = { 0 };
	struct item *items = NULL;
	size_t n = 0, i;
	int rc = -1;

	seek_items_from_doc(&sr->doc, &items, &n);
	batch_open(run);
	if (store_begin(run->st, false, e) < 0)
		goto out;
	if (n && (store_items_upsert(run->st, s->id, items, n, &stats, e) < 0 ||
		  apply_rules(run, items, n, e) < 0))
		goto fail;
	if (store_source_save_state(run->st, s, e) < 0 ||
	    store_commit(run->st, e) < 0)
		goto fail;
	run->r->items_added += stats.added;
	run->r->items_updated += stats.updated;
	queue_articles(run->st, run->r, s, items, n);
	rc = 0;
	goto out;
fail:
	store_rollback(run->st);
	batch_check_lost(run);
	record_store_error(run, e);
out:
	for (i = 0; i < n; i++)
		item_release(&items[i]);
	free(items);
	return rc;
}

/* The run ended in an error: keep what it collected (the old cursor
 * stays, so the next run reads those pages again rather than leave a
 * gap), record why, and decide when to ask again. */
static void
api_fail(struct seek_run *run, struct job *job, const struct err *why)
{
	struct source *s = &job->src;
	struct social_run *sr = job->sr;
	struct err e = { 0 };

	s->failures++;
	s->last_attempt = run->now;
	free(s->last_error);
	s->last_error = xstrdup(why->msg);
	if (why->code == ERR_AUTH && sr && sr->pages > 0)
		/* the service refused the token; a secret that could not
		 * be read (cron without the variable) backs off instead */
		s->next_due = run->now + AUTH_PARK;
	else if (why->code == ERR_LIMIT && sr && sr->not_before > run->now)
		s->next_due = sr->not_before;
	else
		s->next_due = run->now + backoff(s->failures);
	if (sr && sr->not_before > s->next_due)
		s->next_due = sr->not_before;
	if (sr && sr->doc.nentries) {
		if (api_commit(run, s, sr, &e) < 0)
			log_error("source %lld: cannot store items: %s",
				  (long long)s->id, e.msg);
	} else {
		save_state(run, s);
	}
	if (sr)
		notice_run(run, s, sr);
	record_failure(run, s, why->msg);
	run->prog.failed++;
}

static void
api_finish(struct seek_run *run, struct job *job)
{
	if (run->o->progress)
		run->o->progress(&run->prog, run->o->arg);
	if (job->sr) {
		social_run_release(job->sr);
		free(job->sr);
	}
	source_release(&job->src);
	free(job);
}

static void batch_end(struct seek_run *run);

static void
api_start(struct seek_run *run, struct job *job)
{
	struct err e = { 0 };

	/* social_run_init() may run a secret command (token-cmd, up to
	 * secret-timeout): never while the store's write transaction is
	 * held, which a source that failed before this one may have opened */
	if (store_in_batch(run->st))
		batch_end(run);
	job->sr = xcalloc(1, sizeof(*job->sr));
	if (social_run_init(job->sr, run->cfg, &job->src, run->now, &e) < 0) {
		run->prog.done++;
		api_fail(run, job, &e);
		api_finish(run, job);
		return;
	}
	api_send(run, job);
}

static void
api_done(const struct fetch_req *req, struct fetch_resp *resp, void *arg)
{
	struct job *job = req->user;
	struct seek_run *run = arg;
	struct source *s = &job->src;
	struct social_run *sr = job->sr;
	struct err e = { 0 };
	int64_t iv;
	int rc;

	run->prog.bytes += resp->bytes_received;
	run->r->bytes += resp->bytes_received;
	rc = social_run_response(sr, resp, &e);
	if (rc > 0) {
		api_send(run, job); /* the next page */
		return;
	}
	run->prog.done++;
	run->prog.current = source_name(s);
	if (rc < 0) {
		api_fail(run, job, &e);
		goto out;
	}
	if (!s->title && sr->doc.feed.title)
		s->title = social_clean(sr->doc.feed.title);
	if (sr->cursor_out)
		replace(&s->cursor, sr->cursor_out);
	s->last_attempt = s->last_success = run->now;
	s->failures = 0;
	free(s->last_error);
	s->last_error = NULL;
	iv = interval(run, s, -1);
	if (sr->min_interval > iv)
		iv = sr->min_interval;
	s->next_due = run->now + iv;
	if (sr->not_before > s->next_due)
		s->next_due = sr->not_before;
	if (api_commit(run, s, sr, &e) < 0) {
		char *reason = xasprintf("cannot store items: %s", e.msg);
		struct err fe = { 0 };

		err_set(&fe, ERR_DB, "%s", reason);
		free(reason);
		api_fail(run, job, &fe);
		goto out;
	}
	if (sr->doc.nentries == 0)
		run->r->unchanged++;
	else
		run->r->fetched++;
	notice_run(run, s, sr);
out:
	api_finish(run, job);
}

/* How a source of this kind starts: a feed, a service's API, or NULL
 * for an unknown kind. */
static void (*kind_start(const char *kind))(struct seek_run *, struct job *)
{
	const struct service *sv;

	if (!kind || !strcmp(kind, "feed"))
		return feed_start;
	sv = service_by_name(kind);
	return sv && sv->source ? api_start : NULL;
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

static bool
claimed(const struct seek_run *run, int64_t id)
{
	size_t i;

	for (i = 0; i < run->nclaimed; i++)
		if (run->claimed[i] == id)
			return true;
	return false;
}

static void
unclaim_all(struct seek_run *run)
{
	size_t i;

	for (i = 0; i < run->nclaimed; i++)
		store_fetch_unclaim(run->st, run->claimed[i]);
	free(run->claimed);
	run->claimed = NULL;
	run->nclaimed = 0;
}

/* Claim the wanted due sources (store.h), skipping those another fetch
 * holds, then read them again into due: a source another fetch finished
 * before we claimed it is no longer due, and is not fetched twice. */
static int
claim_due(struct seek_run *run, struct source_list *due, struct err *e)
{
	const struct seek_fetch_opts *o = run->o;
	bool any = o->all || o->n_ids;
	struct source_list first;
	size_t i;
	int rc;

	if (store_sources_due(run->st, run->now, any, &first, e) < 0)
		return -1;
	run->claimed = xcalloc(first.n + 1, sizeof(*run->claimed));
	for (i = 0; i < first.n; i++) {
		const struct source *src = &first.v[i];

		if (!wanted(o, src->id))
			continue;
		rc = store_fetch_claim(run->st, src->id, e);
		if (rc < 0)
			goto fail;
		if (rc == 1) {
			run->claimed[run->nclaimed++] = src->id;
			continue;
		}
		run->r->claimed++;
		if (o->n_ids)
			notice(run->r, xasprintf("source %lld (%s) is being "
				"fetched by another glean just now; it is not "
				"fetched twice", (long long)src->id,
				source_name(src)));
	}
	source_list_release(&first);
	if (store_sources_due(run->st, run->now, any, due, e) < 0) {
		unclaim_all(run);
		return -1;
	}
	return 0;
fail:
	source_list_release(&first);
	unclaim_all(run);
	return -1;
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
	batch_mark(run);
	run->now = time_now();
	if (store_upgrade_write(st, e) < 0 || claim_due(run, &due, e) < 0) {
		seek_result_release(&run->result);
		free(run);
		return NULL;
	}
	{
		struct err te = { 0 };

		/* an index, so a failure only slows the sort by title */
		run->title_dropped = store_title_index_bulk(st, &te) > 0;
		err_clear(&te);
	}
	service_fetch_opts(cfg, &fo);
	run->f = fetch_new(&fo);
	for (i = 0; i < due.n; i++) {
		void (*start)(struct seek_run *, struct job *);
		struct job *job;

		if (!claimed(run, due.v[i].id))
			continue;
		job = xcalloc(1, sizeof(*job));
		job->src = due.v[i];
		memset(&due.v[i], 0, sizeof(due.v[i]));
		job->run = run;
		run->r->sources++;
		run->prog.total++;
		start = kind_start(job->src.kind);
		if (start) {
			start(run, job);
		} else {
			char *reason = xasprintf("unknown source kind '%s'",
						 job->src.kind);

			run->prog.done++;
			fail_source(run, &job->src, reason, -1);
			free(reason);
			source_release(&job->src);
			free(job);
		}
	}
	source_list_release(&due);
	if (o->progress)
		o->progress(&run->prog, o->arg);
	return run;
}

/* Sources' writes go into one batch transaction (no savepoint each:
 * store.h, batch_check_lost()), committed every BATCH_ITEMS items or
 * BATCH_MS, at the end of the work, and at once when a person's write
 * waits for it (store_write_waiting): a commit per source would sync the
 * WAL per source, and each commit wakes the search indexer
 * (store_search.c), which indexes on its own connection. Committing
 * whenever a step had nothing to write instead cost 60% more CPU on the
 * bench's cold fetch (a commit per feed as they trickle in). While a
 * batch is open the step waits on the network at most BATCH_WAIT_MS at
 * a time, so a waiting write is seen within that. */
#define BATCH_ITEMS 2000
#define BATCH_MS 500
#define BATCH_WAIT_MS 10

/* The batch should end now: it is old or big enough, or a person waits. */
static bool
batch_due(struct seek_run *run)
{
	return store_in_batch(run->st) &&
	       (run->r->items_added + run->r->items_updated -
				run->batch_items >=
			BATCH_ITEMS ||
		time_now_ms() - run->batch_start >= BATCH_MS ||
		store_write_waiting(run->st));
}

static void
batch_end(struct seek_run *run)
{
	struct err e = { 0 };

	if (store_in_batch(run->st) && store_batch_commit(run->st, &e) < 0) {
		log_error("cannot commit a fetch batch: %s", e.msg);
		record_store_error(run, &e);
		/* the whole batch is undone here: a loss flagged inside
		 * it is part of that, so it is read and dropped */
		(void)store_batch_lost(run->st);
		batch_undo(run);
		return;
	}
	batch_mark(run);
}

/* Store what the worker has parsed; how many jobs are still with it or
 * held back. Storing stops when the batch is due (the rest is held for
 * the next step, after the commit), so a person's write does not wait
 * for every body that arrived at once. */
static size_t
store_parsed(struct seek_run *run, int wait_ms)
{
	struct parse_job *pj;
	size_t held = 0;

	if (!run->pipe)
		return 0;
	if (!run->held)
		run->held = pipe_take(run->pipe, wait_ms);
	while ((pj = run->held)) {
		if (batch_due(run))
			break;
		run->held = pj->next;
		feed_store(run, pj);
	}
	for (pj = run->held; pj; pj = pj->next)
		held++;
	return pipe_inflight(run->pipe) + held;
}

size_t
seek_step(struct seek_run *run, int timeout_ms)
{
	/* With parsed bodies held back the step does not wait; with a
	 * batch open it waits in slices (batch_open()). */
	int wait = run->held ? 0
		   : store_in_batch(run->st) && timeout_ms > BATCH_WAIT_MS
			   ? BATCH_WAIT_MS
			   : timeout_ms;
	size_t left, parsing;

	/* Waiting on the network is cut short by the worker (fetch_wakeup)
	 * when it has a parsed body for us. */
	left = fetch_step(run->f, wait);
	parsing = store_parsed(run, left ? 0 : wait);
	if ((left == 0 && parsing == 0) || batch_due(run))
		batch_end(run);
	return left + parsing;
}

void
seek_finish(struct seek_run *run, struct seek_result *r)
{
	while (seek_step(run, 1000) > 0)
		;
	batch_end(run);
	if (run->title_dropped) {
		struct err te = { 0 };

		if (store_title_index_make(run->st, &te) < 0)
			log_warn("the index for the sort by title was not "
				 "made: %s", te.msg);
		err_clear(&te);
	}
	/* after the commit: another fetch then sees these sources done */
	unclaim_all(run);
	if (run->pipe) {
		pipe_end(run->pipe);
		free(run->pipe);
	}
	fetch_free(run->f);
	*r = run->result;
	free(run->rules);
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
	seek_articles_fetch(st, cfg, r);
	return 0;
}

int
seek_rules_check(const struct config *cfg, struct store *st, struct err *e)
{
	size_t i, k;

	for (i = 0; i < cfg->nrules; i++) {
		const struct config_rule *r = &cfg->rules[i];
		struct err qe = { 0 };

		if (store_query_check(st, r->match, &qe) < 0)
			return err_set(e, ERR_CONFIG, "%s:%d: rule '%s': %s",
				       r->file, r->line, r->name, qe.msg);
		for (k = 0; k < r->ntags; k++)
			if (strlen(r->tags[k]) > TAG_MAX_BYTES)
				return err_set(e, ERR_CONFIG, "%s:%d: rule "
					       "'%s': a tag of %zu bytes is "
					       "too long (at most %d)",
					       r->file, r->line, r->name,
					       strlen(r->tags[k]),
					       TAG_MAX_BYTES);
	}
	return 0;
}
