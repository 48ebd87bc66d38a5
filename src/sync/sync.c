/*
 * sync.c: the merge between the store and a feed server (glean/sync.h),
 * whichever API the server speaks (the backends: ttrss.c). It owns the
 * order of a sync and the three-way merge; the requests are the
 * backend's and the rows the store's.
 *
 * A sync: log in; pull the server's feeds, labels and items (new ones
 * with content, the state of the others); in one transaction, with the
 * store's queue muted, take the feeds as sources and apply what the
 * server changed since the base; then push what glean queued, batched
 * per field and value; then, in one transaction, record the new base
 * and drop the queue rows that were pushed (a row changed again since
 * stays). A failure anywhere leaves the queue as it was, and pushing
 * again sets the same values: nothing is lost, nothing applied twice.
 *
 * Notes fold into the server's one note per item as blocks separated by
 * a line "~~~"; a quote is the block's first lines, each starting "> ",
 * the body follows. Back from the server each block is one note, matched
 * to glean's notes by quote and body (trimmed), so a round trip adds
 * nothing. A block the server has that glean has not becomes a new note
 * (a conflicting edit on the server is a second note, never an
 * overwrite); a block removed on the server goes in glean only when
 * glean did not change the item's notes since the base.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "glean/parse.h"
#include "glean/store.h"
#include "private.h"
#include "glean/banned.h"

#define NOTE_SEP "~~~"

void
sync_report_release(struct sync_report *r)
{
	size_t i;

	for (i = 0; i < r->nnotices; i++)
		free(r->notices[i]);
	free(r->notices);
	memset(r, 0, sizeof(*r));
}

static void
notice(struct sync_report *r, char *msg)
{
	size_t i;

	for (i = 0; i < r->nnotices; i++)
		if (!strcmp(r->notices[i], msg)) {
			free(msg);
			return;
		}
	r->notices = xrealloc(r->notices,
			      (r->nnotices + 1) * sizeof(*r->notices));
	r->notices[r->nnotices++] = msg;
}

static void
ritem_release(struct sync_ritem *it)
{
	free(it->id); free(it->feed_id); free(it->guid); free(it->url);
	free(it->title); free(it->author); free(it->content);
	free(it->labels); free(it->note);
}

static void
pull_release(struct sync_pull *p)
{
	size_t i;

	for (i = 0; i < p->nfeeds; i++) {
		free(p->feeds[i].id);
		free(p->feeds[i].url);
		free(p->feeds[i].title);
		free(p->feeds[i].site_url);
		free(p->feeds[i].category);
	}
	free(p->feeds);
	for (i = 0; i < p->nitems; i++)
		ritem_release(&p->items[i]);
	free(p->items);
	for (i = 0; i < p->nlabels; i++)
		free(p->labels[i]);
	free(p->labels);
	free(p->since);
	memset(p, 0, sizeof(*p));
}

static void
conn_release(struct sync_conn *c)
{
	size_t i;

	config_secret_free(c->password);
	free(c->base);
	free(c->session);
	for (i = 0; i < c->nlab; i++) {
		free(c->lab_names[i]);
		free(c->lab_ids[i]);
	}
	free(c->lab_names);
	free(c->lab_ids);
}

/* ---- notes <-> the server's note ---- */

struct block {
	char *quote; /* NULL when none */
	char *body;
};

static char *
trimmed(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
		     s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return xstrndup(s, n);
}

static void
blocks_free(struct block *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].quote);
		free(v[i].body);
	}
	free(v);
}

/* Split one block's text into quote and body. */
static void
block_parse(const char *s, size_t len, struct block *b)
{
	struct sbuf q = SBUF_INIT;
	const char *p = s, *end = s + len;

	while (p < end && (*p == '\n' || *p == '\r' || *p == ' '))
		p++;
	while (p < end && *p == '>') {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *t = p + 1;
		size_t n;

		if (t < end && *t == ' ')
			t++;
		n = (size_t)((nl ? nl : end) - t);
		if (n && t[n - 1] == '\r')
			n--;
		if (q.len)
			sbuf_addch(&q, '\n');
		sbuf_add(&q, t, n);
		p = nl ? nl + 1 : end;
	}
	b->quote = q.len ? trimmed(q.buf, q.len) : NULL;
	b->body = trimmed(p, (size_t)(end - p));
	sbuf_release(&q);
}

static size_t
blocks_of(const char *note, struct block **out)
{
	struct block *v = NULL;
	size_t n = 0, cap = 0;
	const char *p = note ? note : "", *start = p;

	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		bool sep = (len == 3 || (len == 4 && p[3] == '\r')) &&
			   !strncmp(p, NOTE_SEP, 3);

		if (sep || !nl) {
			const char *bend = sep ? p : p + len;
			struct block b;

			block_parse(start, (size_t)(bend - start), &b);
			if (*b.body || b.quote) {
				XGROW(v, cap, n + 1);
				v[n++] = b;
			} else {
				free(b.quote);
				free(b.body);
			}
			if (!nl)
				break;
			start = nl + 1;
		}
		p = nl + 1;
	}
	*out = v;
	return n;
}

static bool
same_str(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static bool
note_is(const struct note *nt, const struct block *b)
{
	char *q = nt->quote ? trimmed(nt->quote, strlen(nt->quote)) : NULL;
	char *body = trimmed(nt->body ? nt->body : "",
			     nt->body ? strlen(nt->body) : 0);
	bool same = same_str(q && *q ? q : NULL, b->quote) &&
		    same_str(body, b->body);

	free(q);
	free(body);
	return same;
}

static bool
in_blocks(const struct note *nt, const struct block *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (note_is(nt, &v[i]))
			return true;
	return false;
}

/* glean's notes of an item as the server's note. Caller frees. */
static char *
fold(const struct item *it)
{
	struct sbuf sb = SBUF_INIT;
	size_t i;

	for (i = 0; i < it->nnotes; i++) {
		const struct note *nt = &it->notes[i];
		char *q = nt->quote ? trimmed(nt->quote, strlen(nt->quote))
				    : NULL;
		char *body = trimmed(nt->body ? nt->body : "",
				     nt->body ? strlen(nt->body) : 0);

		if (sb.len)
			sbuf_adds(&sb, "\n" NOTE_SEP "\n");
		if (q && *q) {
			const char *p = q;

			while (*p) {
				const char *nl = strchr(p, '\n');
				size_t len = nl ? (size_t)(nl - p) : strlen(p);

				sbuf_addf(&sb, "> %.*s\n", (int)len, p);
				p = nl ? nl + 1 : p + len;
			}
		}
		sbuf_adds(&sb, body);
		free(q);
		free(body);
	}
	return sbuf_detach(&sb, NULL);
}

/* ---- labels <-> tags ---- */

/* Is name one of the lines of set ("a\nb")? Case-blind, as tags are. */
static bool
in_lines(const char *set, const char *name)
{
	size_t n = strlen(name);
	const char *p = set ? set : "";

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len == n && !strncasecmp(p, name, n))
			return true;
		p = nl ? nl + 1 : p + len;
	}
	return false;
}

/* set without the line name (case-blind). Caller frees. */
static char *
lines_without(const char *set, const char *name)
{
	struct sbuf sb = SBUF_INIT;
	size_t n = strlen(name);
	const char *p = set ? set : "";

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len != n || strncasecmp(p, name, n))
			sbuf_addf(&sb, "%s%.*s", sb.len ? "\n" : "",
				  (int)len, p);
		p = nl ? nl + 1 : p + len;
	}
	return sbuf_detach(&sb, NULL);
}

static bool
own_tag(const struct item *it, const char *name)
{
	size_t i;

	for (i = 0; i < it->ntags; i++)
		if (!it->tag_from_source[i] && !strcasecmp(it->tags[i], name))
			return true;
	return false;
}

static bool
is_label(const struct sync_pull *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nlabels; i++)
		if (!strcasecmp(p->labels[i], name))
			return true;
	return false;
}

static int
cmp_ci(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* The item's own tags that are server labels, as the server would
 * list them (sorted, one per line). */
static char *
labels_of(const struct item *it, const struct sync_pull *p)
{
	struct sbuf sb = SBUF_INIT;
	const char **v = xcalloc(it->ntags + 1, sizeof(*v));
	size_t i, n = 0;

	for (i = 0; i < it->ntags; i++)
		if (!it->tag_from_source[i] && is_label(p, it->tags[i]))
			v[n++] = it->tags[i];
	qsort(v, n, sizeof(*v), cmp_ci);
	for (i = 0; i < n; i++)
		sbuf_addf(&sb, "%s%s", i ? "\n" : "", v[i]);
	free(v);
	return sbuf_detach(&sb, NULL);
}

/* ---- the pull: apply the server's changes ---- */

static int
cmp_change_item(const void *a, const void *b)
{
	const struct sync_change *x = a, *y = b;

	return x->item_id < y->item_id ? -1 : x->item_id > y->item_id;
}

/* Did glean queue a change of field on item_id? q sorted by item. */
static bool
queued(const struct sync_change_list *q, int64_t item_id, const char *field)
{
	size_t lo = 0, hi = q->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (q->v[mid].item_id < item_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < q->n && q->v[lo].item_id == item_id; lo++)
		if (!strcmp(q->v[lo].field, field))
			return true;
	return false;
}

struct run {
	struct store *st;
	const struct config_sync *a;
	const struct sync_ops *ops;
	struct sync_conn c;
	struct sync_pull p;
	struct sync_change_list q;   /* sorted by item */
	int64_t *feed_src;           /* source id per p.feeds[i] */
	struct sync_report *r;
};

static int64_t
source_of(const struct run *run, const char *feed_id)
{
	size_t i;

	for (i = 0; feed_id && i < run->p.nfeeds; i++)
		if (!strcmp(run->p.feeds[i].id, feed_id))
			return run->feed_src[i];
	return 0;
}

static int
set_flag(struct run *run, int64_t id, enum item_flag f, bool want,
	 bool have, struct err *e)
{
	if (want == have)
		return 0;
	run->r->pulled++;
	return store_item_set_flag(run->st, id, f, want, e);
}

/* Tags: add the labels the server added since base, remove the ones it
 * removed; per label, so a tag added in glean meanwhile stays. */
static int
merge_labels(struct run *run, const struct item *it, const char *server,
	     const char *base, struct err *e)
{
	const char *sets[2] = { server, base };
	int k;

	for (k = 0; k < 2; k++) {
		const char *p = sets[k] ? sets[k] : "";

		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			char *name = xstrndup(p, len);
			bool add = k == 0 && !in_lines(base, name);
			/* a label the server no longer has at all was
			 * deleted there, not taken off this item: the tag
			 * stays (glean says it is not synced) */
			bool rm = k == 1 && !in_lines(server, name) &&
				  is_label(&run->p, name);
			int rc = 0;

			if (add && !own_tag(it, name))
				rc = store_item_tag_changed(run->st, it->id,
							    name, true, NULL,
							    e);
			else if (rm && own_tag(it, name))
				rc = store_item_tag_changed(run->st, it->id,
							    name, false, NULL,
							    e);
			if ((add || rm) && rc == 0)
				run->r->pulled++;
			if (rc < 0 && e->code == ERR_USAGE) {
				/* too long a name: stays on the server */
				err_clear(e);
				rc = 0;
			}
			free(name);
			if (rc < 0)
				return -1;
			p = nl ? nl + 1 : p + len;
		}
	}
	return 0;
}

static int
merge_notes(struct run *run, const struct item *it, const char *server,
	    const char *base, bool glean_changed, struct err *e)
{
	struct block *sv = NULL, *bv = NULL;
	size_t ns = blocks_of(server, &sv), nb = blocks_of(base, &bv), i;
	int rc = 0;

	for (i = 0; i < ns && !rc; i++) {
		size_t k;
		bool have = false;

		for (k = 0; k < it->nnotes && !have; k++)
			have = note_is(&it->notes[k], &sv[i]);
		if (have)
			continue;
		rc = store_note_add(run->st, it->id, sv[i].body, sv[i].quote,
				    NULL, NULL, NULL, e);
		run->r->pulled++;
		if (glean_changed)
			run->r->notes_kept++;
	}
	for (i = 0; i < it->nnotes && !rc && !glean_changed; i++)
		if (in_blocks(&it->notes[i], bv, nb) &&
		    !in_blocks(&it->notes[i], sv, ns)) {
			rc = store_note_delete(run->st, it->notes[i].id, e);
			run->r->pulled++;
		}
	blocks_free(sv, ns);
	blocks_free(bv, nb);
	return rc;
}

/* Build the item to store from the server's. */
static void
item_from(const struct run *run, const struct sync_ritem *ri,
	  struct item *it)
{
	memset(it, 0, sizeof(*it));
	it->guid = ri->url ? xstrdup(ri->url)
			   : xasprintf("%s:%s", run->ops->name, ri->id);
	it->url = ri->url ? xstrdup(ri->url) : NULL;
	it->title = ri->title ? xstrdup(ri->title) : NULL;
	it->author = ri->author ? xstrdup(ri->author) : NULL;
	it->published = ri->published;
	if (ri->content) {
		it->content = xstrdup(ri->content);
		it->content_type = xstrdup("text/html");
	}
}

/* A new item stored as id: the server's state on it, and its base. A
 * row the upsert inserted has nothing yet (no flag, tag or note), so it
 * is not read back. */
static int
apply_new(struct run *run, const struct sync_ritem *ri, int64_t id,
	  bool inserted, struct err *e)
{
	struct item it;
	struct sync_base base;
	int rc = -1;

	memset(&it, 0, sizeof(it));
	it.id = id;
	if (!inserted && store_item_get(run->st, id, false, &it, e) < 0)
		goto out;
	if (set_flag(run, id, ITEM_READ, ri->read, it.read, e) < 0 ||
	    set_flag(run, id, ITEM_STARRED, ri->starred, it.starred, e) < 0 ||
	    set_flag(run, id, ITEM_MARKED, ri->marked, it.marked, e) < 0 ||
	    merge_labels(run, &it, ri->labels, "", e) < 0 ||
	    merge_notes(run, &it, ri->note, "", false, e) < 0)
		goto out;
	base.read = ri->read;
	base.starred = ri->starred;
	base.marked = ri->marked;
	base.labels = ri->labels;
	base.note = ri->note;
	rc = store_sync_item_set(run->st, run->a->name, ri->id, id, &base, e);
out:
	item_release(&it);
	return rc;
}

/* The items glean did not have (p.items[fresh[k]]), stored with one
 * upsert per feed. */
static int
apply_fresh(struct run *run, const size_t *fresh, size_t n, struct err *e)
{
	int64_t *src = xcalloc(n + 1, sizeof(*src));
	struct item *v = xcalloc(n + 1, sizeof(*v));
	size_t *at = xcalloc(n + 1, sizeof(*at));
	size_t f, k, m;
	int rc = 0;

	for (k = 0; k < n; k++)
		src[k] = source_of(run, run->p.items[fresh[k]].feed_id);
	for (f = 0; f < run->p.nfeeds && !rc; f++) {
		struct ingest_stats stats = { 0, 0, 0 };
		size_t nv = 0;

		for (k = 0; k < n; k++)
			if (src[k] && src[k] == run->feed_src[f]) {
				item_from(run, &run->p.items[fresh[k]],
					  &v[nv]);
				at[nv++] = fresh[k];
				src[k] = 0; /* a feed listed twice: once */
			}
		if (!nv)
			continue;
		if (store_items_upsert(run->st, run->feed_src[f], v, nv,
				       &stats, e) < 0)
			rc = -1;
		run->r->new_items += stats.added;
		for (m = 0; m < nv && !rc; m++)
			rc = apply_new(run, &run->p.items[at[m]], v[m].id,
				       v[m].inserted, e);
		for (m = 0; m < nv; m++)
			item_release(&v[m]);
	}
	/* the rest are articles of no feed (tt-rss's archive): skipped */
	free(src);
	free(v);
	free(at);
	return rc;
}

/* An item glean has: the server's changes since its base. Returns 1,
 * doing nothing, for an item glean does not have (apply_fresh). */
static int
apply_item(struct run *run, const struct sync_ritem *ri, struct err *e)
{
	struct sync_base base;
	struct sync_base now;
	struct item it;
	int64_t id;
	int found, rc = -1;

	found = store_sync_item_find(run->st, run->a->name, ri->id, &id,
				     &base, e);
	if (found < 0)
		return -1;
	if (!found) {
		sync_base_release(&base);
		return 1; /* new: apply_fresh */
	}
	memset(&it, 0, sizeof(it));
	/* nothing changed on the server: nothing to read or write (most
	 * items of an incremental sync) */
	if (ri->read == base.read && ri->starred == base.starred &&
	    ri->marked == base.marked && same_str(ri->labels, base.labels) &&
	    (!run->ops->notes || same_str(ri->note, base.note))) {
		rc = 0;
		goto out;
	}
	if (store_item_get(run->st, id, false, &it, e) < 0)
		goto out;
	/* a field glean changed too is pushed instead (sync.h: the later
	 * change wins) */
#define FLAG(f, F)                                                        \
	if (ri->f != base.f && !queued(&run->q, id, #f) &&                \
	    set_flag(run, id, F, ri->f, it.f, e) < 0)                     \
		goto out;
	FLAG(read, ITEM_READ)
	FLAG(starred, ITEM_STARRED)
	FLAG(marked, ITEM_MARKED)
#undef FLAG
	if (!same_str(ri->labels, base.labels) &&
	    merge_labels(run, &it, ri->labels, base.labels, e) < 0)
		goto out;
	if (run->ops->notes && !same_str(ri->note, base.note) &&
	    merge_notes(run, &it, ri->note, base.note,
			queued(&run->q, id, "note"), e) < 0)
		goto out;
	now.read = ri->read;
	now.starred = ri->starred;
	now.marked = ri->marked;
	now.labels = ri->labels;
	now.note = ri->note;
	rc = store_sync_item_set(run->st, run->a->name, ri->id, id, &now, e);
out:
	item_release(&it);
	sync_base_release(&base);
	return rc;
}

static int
apply_pull(struct run *run, struct err *e)
{
	size_t i;

	if (store_begin(run->st, false, e) < 0)
		return -1;
	if (store_sync_mute(run->st, true, e) < 0)
		goto fail;
	run->feed_src = xcalloc(run->p.nfeeds + 1, sizeof(*run->feed_src));
	for (i = 0; i < run->p.nfeeds; i++) {
		const struct sync_feed *f = &run->p.feeds[i];
		struct source s;

		memset(&s, 0, sizeof(s));
		s.kind = "feed";
		s.url = f->url;
		s.title = f->title;
		s.site_url = f->site_url;
		if (store_sync_source(run->st, run->a->name, f->id, &s,
				      &run->feed_src[i], e) < 0)
			goto fail;
		if (f->category && store_source_tag(run->st, run->feed_src[i],
						    f->category, true, e) < 0) {
			if (e->code != ERR_USAGE)
				goto fail;
			err_clear(e);
		}
	}
	run->r->feeds = (int64_t)run->p.nfeeds;
	{
		char **ids = xcalloc(run->p.nfeeds + 1, sizeof(*ids));
		int64_t gone = 0;
		int rc;

		for (i = 0; i < run->p.nfeeds; i++)
			ids[i] = run->p.feeds[i].id;
		rc = store_sync_feeds_keep(run->st, run->a->name, ids,
					   run->p.nfeeds, &gone, e);
		free(ids);
		if (rc < 0)
			goto fail;
		if (gone)
			notice(run->r, xasprintf("%lld source%s unsubscribed "
				"on the server: retired here, items kept",
				(long long)gone, gone == 1 ? "" : "s"));
	}
	{
		size_t *fresh = xcalloc(run->p.nitems + 1, sizeof(*fresh));
		size_t nfresh = 0;
		int rc = 0;

		for (i = 0; i < run->p.nitems && rc >= 0; i++) {
			rc = apply_item(run, &run->p.items[i], e);
			if (rc == 1)
				fresh[nfresh++] = i;
		}
		if (rc >= 0)
			rc = apply_fresh(run, fresh, nfresh, e);
		free(fresh);
		if (rc < 0)
			goto fail;
	}
	if (store_sync_mute(run->st, false, e) < 0)
		goto fail;
	return store_commit(run->st, e);
fail:
	store_rollback(run->st);
	return -1;
}

/* ---- the push ---- */

static const struct sync_ritem *
server_item(const struct run *run, const char *remote_id)
{
	size_t lo = 0, hi = run->p.nitems;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(run->p.items[mid].id, remote_id);

		if (!c)
			return &run->p.items[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
cmp_ritem(const void *a, const void *b)
{
	return strcmp(((const struct sync_ritem *)a)->id,
		      ((const struct sync_ritem *)b)->id);
}

/* Sort the pulled items by id, each once: an item in several lists
 * (starred and labelled, new and starred) keeps the row with content. */
static void
items_sort(struct sync_pull *p)
{
	size_t i, k = 0;

	if (!p->nitems)
		return;
	qsort(p->items, p->nitems, sizeof(*p->items), cmp_ritem);
	for (i = 0; i < p->nitems; i++) {
		struct sync_ritem *it = &p->items[i];

		if (k && !strcmp(p->items[k - 1].id, it->id)) {
			if (!p->items[k - 1].content && !p->items[k - 1].url &&
			    (it->content || it->url)) {
				struct sync_ritem t = p->items[k - 1];

				p->items[k - 1] = *it;
				*it = t;
			}
			ritem_release(it);
			continue;
		}
		if (k != i)
			p->items[k] = *it;
		k++;
	}
	p->nitems = k;
}

/* An incremental pull listed only the items that can differ from the
 * default state (private.h): add the others glean's base has with
 * another state, as the server has them now, so that the merge sees an
 * item leave the starred list, lose its label or note, or be read. */
static int
derive_rest(struct run *run, struct err *e)
{
	struct sync_pull *p = &run->p;
	struct sync_item_base *bv = NULL;
	size_t nb = 0, i, n0;
	int64_t unread = 0;

	items_sort(p);
	if (p->rest == PULL_ALL)
		return 0;
	if (store_sync_bases(run->st, run->a->name, &bv, &nb, e) < 0)
		return -1;
	if (p->rest == PULL_REST_KEEP_READ) {
		/* the unread items as pulled: listed ones as listed, the
		 * rest as their base; the server's count must agree, or an
		 * item was marked unread there (or one went): read the whole
		 * unread list */
		for (i = 0; i < p->nitems; i++)
			unread += !p->items[i].read;
		for (i = 0; i < nb; i++)
			if (!bv[i].base.read &&
			    !server_item(run, bv[i].remote_id))
				unread++;
		if (unread != p->server_unread) {
			if (run->ops->pull_unread(&run->c, p, e) < 0) {
				sync_item_bases_free(bv, nb);
				return -1;
			}
			items_sort(p);
		}
	}
	/* An item that left every list and had a note or labels: the
	 * server may have purged it rather than cleared them, and glean
	 * drops no note or tag on a guess. Those are read back one batch
	 * at a time; an item the server no longer has is left alone. */
	{
		const char **ask = xcalloc(nb + 1, sizeof(*ask));
		size_t nask = 0;

		for (i = 0; i < nb; i++)
			if ((*bv[i].base.note || *bv[i].base.labels) &&
			    !server_item(run, bv[i].remote_id))
				ask[nask++] = bv[i].remote_id;
		if (nask && run->ops->pull_items &&
		    run->ops->pull_items(&run->c, ask, nask, p, e) < 0) {
			free(ask);
			sync_item_bases_free(bv, nb);
			return -1;
		}
		free(ask);
		if (nask)
			items_sort(p);
	}
	/* which to add, decided on the sorted list before adding any */
	n0 = p->nitems;
	for (i = 0; i < nb; i++)
		if (server_item(run, bv[i].remote_id) || *bv[i].base.note ||
		    *bv[i].base.labels) {
			free(bv[i].remote_id);
			bv[i].remote_id = NULL;
		}
	for (i = 0; i < nb; i++) {
		struct sync_ritem *it;

		if (!bv[i].remote_id)
			continue;
		XGROW(p->items, p->cap_items, p->nitems + 1);
		it = &p->items[p->nitems++];
		memset(it, 0, sizeof(*it));
		it->id = xstrdup(bv[i].remote_id);
		it->read = p->rest == PULL_REST_READ || bv[i].base.read;
		it->labels = xstrdup("");
		it->note = xstrdup("");
	}
	sync_item_bases_free(bv, nb);
	if (p->nitems != n0)
		qsort(p->items, p->nitems, sizeof(*p->items), cmp_ritem);
	return 0;
}

/* A batch: remote ids to set one way (a flag, a label). */
struct batch {
	char *key;    /* "read", "starred", "marked" or a label */
	bool on, label;
	const char **ids;
	size_t n, cap;
};

static void
batch_add(struct batch **v, size_t *n, const char *key, bool label, bool on,
	  const char *id)
{
	struct batch *b = NULL;
	size_t i;

	for (i = 0; i < *n && !b; i++)
		if ((*v)[i].on == on && (*v)[i].label == label &&
		    !strcmp((*v)[i].key, key))
			b = &(*v)[i];
	if (!b) {
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		b = &(*v)[(*n)++];
		memset(b, 0, sizeof(*b));
		b->key = xstrdup(key);
		b->on = on;
		b->label = label;
	}
	XGROW(b->ids, b->cap, b->n + 1);
	b->ids[b->n++] = id;
}

/* What glean wants the server to have for one queued item. */
struct want {
	int64_t item_id;
	const char *remote_id;
	struct sync_base base; /* the server's state after the push */
	bool have_base;
	bool gone;             /* the server no longer has the item */
};

/* A flag push said some of b's items may be gone from the server: mark
 * the wants of those pull_items does not find. */
static int
flag_gone(struct run *run, const struct batch *b, struct want *wv, size_t nw,
	  struct err *e)
{
	struct sync_pull t;
	size_t i, k;

	if (!run->ops->pull_items)
		return 0;
	memset(&t, 0, sizeof(t));
	if (run->ops->pull_items(&run->c, b->ids, b->n, &t, e) < 0) {
		pull_release(&t);
		return -1;
	}
	for (i = 0; i < b->n; i++) {
		bool found = false;

		for (k = 0; k < t.nitems && !found; k++)
			found = !strcmp(t.items[k].id, b->ids[i]);
		for (k = 0; k < nw && !found; k++)
			if (!strcmp(wv[k].remote_id, b->ids[i]))
				wv[k].gone = true;
	}
	pull_release(&t);
	return 0;
}

static int
push(struct run *run, struct err *e)
{
	struct sync_change_list q;
	struct batch *bv = NULL;
	struct want *wv = NULL;
	size_t nb = 0, nw = 0, i, k;
	int rc = -1;

	if (store_sync_queue(run->st, run->a->name, &q, e) < 0)
		return -1;
	run->r->queued = (int64_t)q.n;
	if (!q.n) {
		sync_change_list_release(&q);
		return 0;
	}
	/* one want per item, from the item as it is now */
	qsort(q.v, q.n, sizeof(*q.v), cmp_change_item);
	wv = xcalloc(q.n, sizeof(*wv));
	for (i = 0; i < q.n; i++) {
		const struct sync_change *c = &q.v[i];
		const struct sync_ritem *sv;
		struct want *w;
		struct item it;
		int64_t dummy;

		if (!nw || wv[nw - 1].item_id != c->item_id) {
			w = &wv[nw++];
			w->item_id = c->item_id;
			w->remote_id = c->remote_id;
			sv = server_item(run, c->remote_id);
			if (sv) {
				w->base.read = sv->read;
				w->base.starred = sv->starred;
				w->base.marked = sv->marked;
				w->base.labels = xstrdup(sv->labels);
				w->base.note = xstrdup(sv->note);
			} else if (store_sync_item_find(run->st, run->a->name,
					c->remote_id, &dummy, &w->base, e) < 0)
				goto out;
			w->have_base = true;
		}
		w = &wv[nw - 1];
		if (store_item_get(run->st, c->item_id, false, &it, e) < 0)
			goto out;
#define FLAG(f)                                                            \
		if (!strcmp(c->field, #f) && it.f != w->base.f) {          \
			batch_add(&bv, &nb, #f, false, it.f, w->remote_id); \
			w->base.f = it.f;                                  \
			run->r->pushed++;                                  \
		}
		FLAG(read)
		FLAG(starred)
		FLAG(marked)
#undef FLAG
		if (!strcmp(c->field, "tags")) {
			char *want = labels_of(&it, &run->p);

			for (k = 0; k < it.ntags; k++) {
				const char *t = it.tags[k];

				if (it.tag_from_source[k])
					continue;
				if (!is_label(&run->p, t)) {
					notice(run->r, xasprintf("tag '%s' "
						"stays in glean: the server "
						"has no label '%s' (create it "
						"there to sync it)", t, t));
					continue;
				}
				if (!in_lines(w->base.labels, t)) {
					batch_add(&bv, &nb, t, true, true,
						  w->remote_id);
					run->r->pushed++;
				}
			}
			{
				const char *p = w->base.labels;

				while (p && *p) {
					const char *nl = strchr(p, '\n');
					size_t len = nl ? (size_t)(nl - p)
							: strlen(p);
					char *name = xstrndup(p, len);

					if (!in_lines(want, name)) {
						size_t m;

						/* keep a pointer that lives:
						 * the pull's label name */
						for (m = 0; m < run->p.nlabels;
						     m++)
							if (!strcasecmp(
							    run->p.labels[m],
							    name))
								batch_add(&bv,
								  &nb,
								  run->p.labels[m],
								  true, false,
								  w->remote_id);
						run->r->pushed++;
					}
					free(name);
					p = nl ? nl + 1 : p + len;
				}
			}
			free(w->base.labels);
			w->base.labels = want;
		}
		if (!strcmp(c->field, "note") && run->ops->notes) {
			char *note = fold(&it);

			if (!same_str(note, w->base.note)) {
				if (run->ops->push_note(&run->c, w->remote_id,
							note, e) < 0) {
					free(note);
					item_release(&it);
					goto out;
				}
				run->r->pushed++;
			}
			free(w->base.note);
			w->base.note = note;
		}
		item_release(&it);
	}
	for (i = 0; i < nb; i++) {
		const struct batch *b = &bv[i];
		int got = b->label ? run->ops->push_label(&run->c, b->key,
							  b->on, b->ids, b->n,
							  e)
				   : run->ops->push_flag(&run->c, b->key, b->on,
							 b->ids, b->n, e);

		if (got < 0)
			goto out;
		if (got == 1 && !b->label) {
			if (flag_gone(run, b, wv, nw, e) < 0)
				goto out;
		} else if (got == 1 && b->on) {
			/* the label went on the server during this sync: the
			 * tags stay in glean, and the base says the server
			 * does not have them, so the next sync neither takes
			 * them away nor believes them synced */
			for (k = 0; k < nw; k++)
				if (wv[k].base.labels &&
				    in_lines(wv[k].base.labels, b->key)) {
					char *t = lines_without(
						wv[k].base.labels, b->key);

					free(wv[k].base.labels);
					wv[k].base.labels = t;
				}
			notice(run->r, xasprintf("label '%s' was deleted on the"
				" server during the sync: tag '%s' stays in "
				"glean on %zu item%s (create the label again "
				"to sync it)", b->key, b->key, b->n,
				b->n == 1 ? "" : "s"));
		}
	}
	/* An item gone from the server keeps glean's changes and its old
	 * base: a later sync, not finding it in a list, must not take a
	 * star or a mark set here for one the server took away. */
	for (i = k = 0; i < nw; i++)
		k += wv[i].gone;
	if (k)
		notice(run->r, xasprintf("%zu item%s changed in glean %s gone "
			"from the server (feed unsubscribed or purged there): "
			"the change%s stay%s in glean only", k, k == 1 ? "" : "s",
			k == 1 ? "is" : "are", k == 1 ? "" : "s",
			k == 1 ? "s" : ""));
	/* the server has it all: the new base, and the queue rows go */
	if (store_begin(run->st, true, e) < 0)
		goto out;
	for (i = 0; i < nw; i++)
		if (!wv[i].gone && store_sync_item_set(run->st, run->a->name, wv[i].remote_id,
					wv[i].item_id, &wv[i].base, e) < 0) {
			store_rollback(run->st);
			goto out;
		}
	for (i = 0; i < q.n; i++)
		if (store_sync_queue_done(run->st, &q.v[i], e) < 0) {
			store_rollback(run->st);
			goto out;
		}
	if (store_commit(run->st, e) < 0)
		goto out;
	run->r->queued = 0;
	rc = 0;
out:
	for (i = 0; i < nb; i++) {
		free(bv[i].key);
		free(bv[i].ids);
	}
	free(bv);
	for (i = 0; i < nw; i++)
		sync_base_release(&wv[i].base);
	free(wv);
	sync_change_list_release(&q);
	return rc;
}

/* Feeds removed in glean: off the server before the pull brings them
 * back. */
static int
unsubscribe(struct run *run, struct err *e)
{
	char **ids;
	size_t n, i;
	int rc = 0;

	if (store_sync_unsubscribes(run->st, run->a->name, &ids, &n, e) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!rc && (run->ops->unsubscribe(&run->c, ids[i], e) < 0 ||
			    store_sync_unsubscribed(run->st, run->a->name,
						    ids[i], e) < 0))
			rc = -1;
		else if (!rc)
			run->r->pushed++;
		free(ids[i]);
	}
	free(ids);
	return rc;
}

static const struct sync_ops *
ops_of(const struct config_sync *a)
{
	return !strcmp(a->service, "greader") ? &sync_greader : &sync_ttrss;
}

static int
conn_setup(struct sync_conn *c, const struct config *cfg,
	   const struct config_sync *a, struct err *e)
{
	const char *page = getenv("GLEAN_SYNC_PAGE");
	char what[300];

	memset(c, 0, sizeof(*c));
	c->a = a;
	c->page = 200;
	if (page) { /* tests: small pages show the paging */
		int64_t v;

		if (str_to_i64(page, &v) == 0 && v > 0 && v < 200)
			c->page = v;
	}
	c->fo.max_total = 1;
	c->fo.max_per_host = 1;
	c->fo.user_agent = cfg->user_agent;
	c->fo.timeout_ms = (long)cfg->timeout * 1000;
	snprintf(what, sizeof(what), "sync '%s': password", a->name);
	return config_secret_from(&a->password, what, &c->password, e);
}

int
sync_subscribe(struct store *st, const struct config *cfg,
	       const struct config_sync *a, const char *url,
	       struct sync_report *r, struct err *e)
{
	const struct sync_ops *ops = ops_of(a);
	struct sync_conn c;
	int rc;

	memset(r, 0, sizeof(*r));
	if (conn_setup(&c, cfg, a, e) < 0) {
		conn_release(&c);
		return -1;
	}
	rc = ops->login(&c, e) < 0 || ops->subscribe(&c, url, e) < 0 ? -1 : 0;
	conn_release(&c);
	if (rc < 0)
		return err_prefix(e, "sync '%s'", a->name);
	return sync_run(st, cfg, a, r, e);
}

void
sync_request(struct sync_conn *c)
{
	c->requests++;
	if (c->progress)
		c->progress(c->a->name, c->doing ? c->doing : "syncing",
			    c->requests, c->progress_arg);
}

int
sync_run(struct store *st, const struct config *cfg,
	 const struct config_sync *a, struct sync_report *r, struct err *e)
{
	return sync_run_progress(st, cfg, a, NULL, NULL, r, e);
}

int
sync_run_progress(struct store *st, const struct config *cfg,
		  const struct config_sync *a, sync_progress_fn progress,
		  void *arg, struct sync_report *r, struct err *e)
{
	struct run run;
	char *since = NULL;
	int rc = -1;

	memset(&run, 0, sizeof(run));
	memset(r, 0, sizeof(*r));
	run.st = st;
	run.a = a;
	run.r = r;
	run.ops = ops_of(a);
	if (conn_setup(&run.c, cfg, a, e) < 0)
		return -1;
	run.c.progress = progress;
	run.c.progress_arg = arg;
	if (store_sync_account(st, a->name, a->service, a->url, &since, e) < 0)
		goto out;
	run.c.doing = "logging in";
	if (run.ops->login(&run.c, e) < 0)
		goto out;
	run.c.doing = "unsubscribing";
	if (unsubscribe(&run, e) < 0)
		goto out;
	run.c.doing = since ? "reading what changed on the server"
			    : "reading the server's items (first sync)";
	if (run.ops->pull(&run.c, since, &run.p, e) < 0)
		goto out;
	if (derive_rest(&run, e) < 0)
		goto out;
	if (store_sync_queue(st, a->name, &run.q, e) < 0)
		goto out;
	if (run.q.n)
		qsort(run.q.v, run.q.n, sizeof(*run.q.v), cmp_change_item);
	run.c.doing = "reading what changed on the server";
	if (apply_pull(&run, e) < 0)
		goto out;
	run.c.doing = "sending glean's changes";
	if (push(&run, e) < 0)
		goto out;
	if (store_sync_account_save(st, a->name, run.p.since, e) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		struct sync_change_list left;

		err_prefix(e, "sync '%s'", a->name);
		if (store_sync_queue(st, a->name, &left, NULL) == 0) {
			r->queued = (int64_t)left.n;
			sync_change_list_release(&left);
		}
	}
	r->requests = run.c.requests;
	free(since);
	free(run.feed_src);
	pull_release(&run.p);
	sync_change_list_release(&run.q);
	conn_release(&run.c);
	return rc;
}
