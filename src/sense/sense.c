/*
 * The reader's loop and layout: three panes side by side on a wide
 * terminal (navigation, list, item), one at a time on a narrow one; the
 * status line. Each view (view_nav.c, view_list.c, view_item.c,
 * view_digest.c, view_help.c, prompt.c) is reached through its
 * struct view_ops: a key goes to the view on top or with the focus
 * first, then to the reader's own actions in one table (sensing,
 * fetching, undo, search and filter, the ':' line); background fetching
 * through seek_start/step/finish between keystrokes; picking up other
 * processes' commits (store_changed). Every change is committed by the
 * store call before the status line says "saved". Signal handlers only
 * set a flag; the loop restores the terminal on its way out.
 * It owns no SQL and no rendering of item text (render.h does that).
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "private.h"
#include "glean/sync.h"
#include "glean/banned.h"

#define MIN_COLS 40
#define MIN_ROWS 10
#define WIDE_COLS 100

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

/* ^Z: the handler only notes it (it may run on any thread, a fetch
 * worker's too); sense_suspend() stops the process from the loop, with
 * the terminal given back first. ncurses' own SIGTSTP handler, which
 * redraws from signal context, is never installed: it is installed only
 * when SIGTSTP is at its default when the screen starts. */
static volatile sig_atomic_t got_tstp;

static void
on_tstp(int sig)
{
	(void)sig;
	got_tstp = 1;
}

void
sense_suspend(void)
{
	struct sigaction dfl, old;

	if (!got_tstp)
		return;
	got_tstp = 0;
	endwin();
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGTSTP, &dfl, &old);
	raise(SIGTSTP); /* stops every thread until SIGCONT (fg) */
	sigaction(SIGTSTP, &old, NULL);
	clearok(curscr, TRUE);
	refresh();
}

static void
restore_terminal(void)
{
	if (!isendwin())
		endwin();
}

void
sense_status(struct sense *s, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->status, sizeof(s->status), fmt, ap);
	va_end(ap);
	s->status_error = error;
}

bool
sense_can_write(struct sense *s)
{
	struct err e = { 0 };

	if (store_upgrade_write(s->st, &e) == 0) {
		s->writable = true;
		s->busy = NULL;
		return true;
	}
	s->writable = false;
	sense_status(s, true, "cannot save: %s", e.msg);
	return false;
}

static void
undo_clear(struct undo *u)
{
	size_t i;

	for (i = 0; i < u->nadded; i++)
		free(u->added[i]);
	for (i = 0; i < u->nremoved; i++)
		free(u->removed[i]);
	free(u->added);
	free(u->removed);
	free(u->ids);
	note_release(&u->old_note);
	memset(u, 0, sizeof(*u));
}

/* After a change to item id (0: to many): rows, the open item and
 * (soon) counts. */
static void
changed(struct sense *s, int64_t id)
{
	list_invalidate(s);
	if (s->item.open && (!id || s->item.it.id == id))
		item_reload(s);
	s->nav.counted = false;
}

static const char *const flag_names[] = {
	[ITEM_READ] = "read", [ITEM_STARRED] = "starred",
	[ITEM_MARKED] = "marked to share", [ITEM_HIDDEN] = "hidden",
};

void
sense_set_flag(struct sense *s, int64_t id, enum item_flag f, bool on,
	       bool undoable)
{
	struct err e = { 0 };

	if (!id || !sense_can_write(s))
		return;
	if (store_item_set_flag(s->st, id, f, on, &e) < 0) {
		sense_status(s, true, "not saved: %s", e.msg);
		return;
	}
	if (undoable) {
		undo_clear(&s->undo);
		s->undo.kind = UNDO_FLAG;
		s->undo.item = id;
		s->undo.flag = f;
		s->undo.was = !on;
		sense_status(s, false, "saved: %s%s", on ? "" : "not ",
			     flag_names[f]);
	}
	changed(s, id);
}

void
sense_add_note(struct sense *s, int64_t id, const char *body,
	       const char *quote, const char *prefix, const char *suffix)
{
	struct err e = { 0 };
	int64_t nid = 0;

	if (!sense_can_write(s))
		return;
	if (store_note_add(s->st, id, body, quote, prefix, suffix, &nid,
			   &e) < 0) {
		sense_status(s, true, "note not saved: %s", e.msg);
		return;
	}
	undo_clear(&s->undo);
	s->undo.kind = UNDO_NOTE;
	s->undo.item = id;
	s->undo.note = nid;
	sense_status(s, s->prompt.last_cut, "saved: %s%s",
		     quote ? "quote" : "note", s->prompt.last_cut ?
		     ", but the text was cut at 64 KB" : "");
	changed(s, id);
}

/* The note as it was goes to the undo slot before the change. */
static int
note_keep(struct sense *s, int64_t note_id, enum undo_kind kind,
	  struct err *e)
{
	struct note old;

	if (store_note_get(s->st, note_id, &old, e) < 0)
		return -1;
	undo_clear(&s->undo);
	s->undo.kind = kind;
	s->undo.item = old.item_id;
	s->undo.note = note_id;
	s->undo.old_note = old;
	return 0;
}

void
sense_edit_note(struct sense *s, int64_t note_id, const char *body)
{
	struct err e = { 0 };
	struct undo prev = s->undo;

	if (!sense_can_write(s))
		return;
	memset(&s->undo, 0, sizeof(s->undo));
	if (note_keep(s, note_id, UNDO_NOTE_EDIT, &e) < 0 ||
	    store_note_update(s->st, note_id, body, NULL, &e) < 0) {
		/* nothing changed: the last change stays undoable */
		undo_clear(&s->undo);
		s->undo = prev;
		sense_status(s, true, "note %lld not changed: %s",
			     (long long)note_id, e.msg);
		return;
	}
	undo_clear(&prev);
	sense_status(s, false, "changed note %lld ('u' undoes)",
		     (long long)note_id);
	changed(s, s->undo.item);
}

void
sense_remove_note(struct sense *s, int64_t note_id)
{
	struct err e = { 0 };
	struct undo prev = s->undo;

	if (!sense_can_write(s))
		return;
	memset(&s->undo, 0, sizeof(s->undo));
	if (note_keep(s, note_id, UNDO_NOTE_RM, &e) < 0 ||
	    store_note_delete(s->st, note_id, &e) < 0) {
		undo_clear(&s->undo);
		s->undo = prev;
		sense_status(s, true, "note %lld not removed: %s",
			     (long long)note_id, e.msg);
		return;
	}
	undo_clear(&prev);
	sense_status(s, false, "removed note %lld ('u' brings it back)",
		     (long long)note_id);
	changed(s, s->undo.item);
}

static void
undo_last(struct sense *s)
{
	struct undo *u = &s->undo;
	struct err e = { 0 };
	size_t i;
	int rc = 0;

	if (u->kind == UNDO_NONE) {
		sense_status(s, false, "nothing to undo");
		return;
	}
	if (!sense_can_write(s))
		return;
	if (store_begin(s->st, true, &e) < 0)
		goto fail;
	switch (u->kind) {
	case UNDO_FLAG:
		rc = store_item_set_flag(s->st, u->item, u->flag, u->was, &e);
		break;
	case UNDO_TAGS:
		for (i = 0; rc == 0 && i < u->nadded; i++)
			rc = store_item_tag(s->st, u->item, u->added[i], false,
					    &e);
		for (i = 0; rc == 0 && i < u->nremoved; i++)
			rc = store_item_tag(s->st, u->item, u->removed[i], true,
					    &e);
		break;
	case UNDO_NOTE:
		rc = store_note_delete(s->st, u->note, &e);
		break;
	case UNDO_READ:
		rc = store_items_set_read(s->st, u->ids, u->nids, false, NULL,
					  &e);
		break;
	case UNDO_NOTE_EDIT:
	case UNDO_NOTE_RM:
		/* the same id and dates: as if it never changed */
		rc = store_note_restore(s->st, &u->old_note, &e);
		break;
	default:
		break;
	}
	if (rc < 0) {
		store_rollback(s->st);
		goto fail;
	}
	if (store_commit(s->st, &e) < 0)
		goto fail;
	changed(s, u->item);
	undo_clear(u);
	sense_status(s, false, "undone");
	return;
fail:
	sense_status(s, true, "cannot undo: %s", e.msg);
}

/* The item an action applies to: the open one when it has focus (or in
 * the narrow layout), else the list's selection. */
static int64_t
target_id(struct sense *s)
{
	if (s->item.open && (s->focus == FOCUS_ITEM || !s->list.nids))
		return s->item.it.id;
	return list_selected_id(s);
}

static bool
target_flag(struct sense *s, int64_t id, enum item_flag f)
{
	const struct item_row *r;

	if (s->item.open && s->item.it.id == id)
		return f == ITEM_READ ? s->item.it.read
		       : f == ITEM_STARRED ? s->item.it.starred : s->item.it.marked;
	r = s->list.pane.sel < s->list.nids ? list_row(s, s->list.pane.sel) : NULL;
	if (!r || r->id != id)
		return false;
	return f == ITEM_READ ? r->read : f == ITEM_STARRED ? r->starred
							   : r->marked;
}

static bool
has_tag(char **v, size_t n, const char *t)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcasecmp(v[i], t))
			return true;
	return false;
}

static void
edit_tags(struct sense *s)
{
	int64_t id = target_id(s);
	struct item it = { 0 };
	struct sbuf init = SBUF_INIT;
	struct err e = { 0 };
	struct undo u = { 0 };
	char *ans = NULL, *p, *tok, **want = NULL;
	size_t nwant = 0, i;

	if (!id)
		return;
	if (store_item_get(s->st, id, false, &it, &e) < 0) {
		sense_status(s, true, "%s", e.msg);
		return;
	}
	for (i = 0; i < it.ntags; i++)
		sbuf_addf(&init, "%s, ", it.tags[i]);
	ans = prompt_line(s, "tags: ", init.buf, complete_tags);
	if (!ans)
		goto out;
	/* asked after the prompt: what was typed is never read as keys */
	if (!sense_can_write(s)) {
		size_t n = strlen(s->status);

		snprintf(s->status + n, sizeof(s->status) - n, "; tags not "
			 "saved: %s", ans);
		goto out;
	}
	for (p = ans; (tok = strsep(&p, ",")) != NULL;) {
		char *t = str_trim(tok);

		if (*t && !has_tag(want, nwant, t)) {
			want = xrealloc(want, (nwant + 1) * sizeof(char *));
			want[nwant++] = t;
		}
	}
	u.kind = UNDO_TAGS;
	u.item = id;
	if (store_begin(s->st, true, &e) < 0)
		goto fail;
	for (i = 0; i < nwant; i++) {
		if (has_tag(it.tags, it.ntags, want[i]))
			continue;
		if (store_item_tag(s->st, id, want[i], true, &e) < 0)
			goto rollback;
		u.added = xrealloc(u.added, (u.nadded + 1) * sizeof(char *));
		u.added[u.nadded++] = xstrdup(want[i]);
	}
	for (i = 0; i < it.ntags; i++) {
		if (has_tag(want, nwant, it.tags[i]))
			continue;
		if (store_item_tag(s->st, id, it.tags[i], false, &e) < 0)
			goto rollback;
		u.removed = xrealloc(u.removed,
				     (u.nremoved + 1) * sizeof(char *));
		u.removed[u.nremoved++] = xstrdup(it.tags[i]);
	}
	if (store_commit(s->st, &e) < 0)
		goto fail;
	undo_clear(&s->undo);
	s->undo = u;
	memset(&u, 0, sizeof(u));
	sense_status(s, false, "saved: tags %s", nwant ? "" : "cleared");
	if (nwant) {
		struct sbuf sb = SBUF_INIT;

		for (i = 0; i < nwant; i++)
			sbuf_addf(&sb, "%s%s", i ? ", " : "", want[i]);
		sense_status(s, false, "saved: tags %s", sb.buf);
		sbuf_release(&sb);
	}
	changed(s, id);
	nav_load(s, false);
	goto out;
rollback:
	store_rollback(s->st);
fail:
	sense_status(s, true, "tags not saved: %s", e.msg);
out:
	undo_clear(&u);
	free(want);
	free(ans);
	sbuf_release(&init);
	item_release(&it);
}

static void
fetch_progress(const struct seek_progress *p, void *arg)
{
	struct sense *s = arg;

	s->prog.done = p->done;
	s->prog.total = p->total;
	s->prog.failed = p->failed;
}

static void draw_status(struct sense *s);

/* The reader's status line while 'R' syncs (it waits on the sync). */
struct sync_say {
	struct sense *s;
	size_t i, n; /* account i of n */
};

static void
sync_progress(const char *account, const char *doing, int64_t requests,
	      void *arg)
{
	const struct sync_say *say = arg;
	struct sense *s = say->s;

	if (say->n > 1)
		sense_status(s, false, "syncing '%s' (%zu of %zu): %s, %lld "
			     "requests", account, say->i, say->n,
			     doing, (long long)requests);
	else
		sense_status(s, false, "syncing '%s': %s, %lld requests",
			     account, doing, (long long)requests);
	if (s->rows >= MIN_ROWS && s->cols >= MIN_COLS) {
		draw_status(s);
		refresh();
	}
}

static void
fetch_start(struct sense *s, bool all)
{
	struct err e = { 0 };
	const struct nav_entry *n = s->nav.n ? &s->nav.v[s->nav.pane.sel] : NULL;
	bool synced_ok = true;

	if (s->run) {
		sense_status(s, false, "a fetch is already running");
		return;
	}
	if (!sense_can_write(s))
		return;
	memset(&s->fo, 0, sizeof(s->fo));
	memset(&s->prog, 0, sizeof(s->prog));
	s->fo.all = true;
	s->synced[0] = '\0';
	if (!all) {
		const struct item_row *r = list_row(s, s->list.pane.sel);

		s->fetch_id = n && n->kind == NAV_SOURCE ? n->source_id
			    : r ? r->source_id : 0;
		if (!s->fetch_id) {
			sense_status(s, true, "no source selected; 'R' "
				     "fetches every source");
			return;
		}
		s->fo.ids = &s->fetch_id;
		s->fo.n_ids = 1;
	}
	s->fo.progress = fetch_progress;
	s->fo.arg = s;
	/* 'R' syncs the [sync] accounts first, as 'glean fetch' does.
	 * NEEDSWORK: the sync is not stepped between keystrokes like the
	 * fetch (keys wait until it ends); the status line shows what it
	 * is doing, request by request. */
	if (all) {
		struct sync_report r;
		struct sync_say sync_say = { s, 0, s->cfg->nsyncs };
		int64_t added = 0, taken = 0, sent = 0;
		size_t i;

		s->synced[0] = '\0';
		s->sync_failed = false;

		for (i = 0; i < s->cfg->nsyncs; i++) {
			struct err se = { 0 };

			sync_say.i = i + 1;
			sync_progress(s->cfg->syncs[i].name, "logging in", 0,
				      &sync_say);
			if (sync_run_progress(s->st, s->cfg,
					      &s->cfg->syncs[i], sync_progress,
					      &sync_say, &r, &se) < 0) {
				sense_status(s, true, "%s", se.msg);
				{
					size_t len = strlen(se.msg);

					len = len < sizeof(s->synced) ? len
					      : sizeof(s->synced) - 1;
					memcpy(s->synced, se.msg, len);
					s->synced[len] = '\0';
				}
				synced_ok = false;
				s->sync_failed = true;
			}
			added += r.new_items;
			taken += r.pulled;
			sent += r.pushed;
			sync_report_release(&r);
		}
		if (s->cfg->nsyncs && synced_ok) {
			snprintf(s->synced, sizeof(s->synced), "synced: %lld "
				 "new, %lld changes taken, %lld sent",
				 (long long)added, (long long)taken,
				 (long long)sent);
			sense_status(s, false, "%s; fetching...", s->synced);
		}
	}
	s->run = seek_start(s->st, s->cfg, &s->fo, &e);
	if (!s->run)
		sense_status(s, true, "cannot fetch: %s", e.msg);
	else if (synced_ok && !(all && s->cfg->nsyncs))
		sense_status(s, false, "fetching...");
}

static void
reload_all(struct sense *s)
{
	size_t first = list_first_page(s);

	nav_load(s, true);
	/* as much of the order as was read before, so the selection stays */
	list_load(s, !s->list.partial ? 0 : s->list.nids > first ? s->list.nids : first);
	item_reload(s);
}

static void
fetch_poll(struct sense *s)
{
	struct seek_result r = { 0 };

	if (seek_step(s->run, 50) > 0)
		return;
	seek_finish(s->run, &r);
	s->run = NULL;
	if (r.nfailures)
		sense_status(s, true, "fetched %zu sources: %lld new, %zu "
			     "failed (first: %s: %s)", r.sources,
			     (long long)r.items_added, r.failed,
			     r.failures[0].title ? r.failures[0].title : "",
			     r.failures[0].reason ? r.failures[0].reason : "");
	else if (r.claimed)
		sense_status(s, false, "fetched %zu sources: %lld new, %lld "
			     "updated; %zu being fetched by another glean",
			     r.sources, (long long)r.items_added,
			     (long long)r.items_updated, r.claimed);
	else
		sense_status(s, false, "fetched %zu sources: %lld new, %lld "
			     "updated", r.sources, (long long)r.items_added,
			     (long long)r.items_updated);
	seek_result_release(&r);
	if (s->synced[0]) {
		char fetched[sizeof(s->status)];

		snprintf(fetched, sizeof(fetched), "%s", s->status);
		sense_status(s, s->status_error || s->sync_failed, "%s; %s",
			     s->synced, fetched);
		s->synced[0] = '\0';
	}
	reload_all(s);
}

/* ---- drawing ---- */

static void
draw_bar(struct sense *s)
{
	struct sbuf sb = SBUF_INIT;

	const struct nav_entry *n = s->nav.n ? &s->nav.v[s->nav.pane.sel] : NULL;

	/* the view's real size: the ids read so far ("+") only until the
	 * count is in; sources and tags show their unread count in the
	 * navigation pane, so the bar says it too */
	sbuf_addf(&sb, " glean | %s (", s->list.title ? s->list.title : "All");
	if (s->list.total >= 0)
		sbuf_addf(&sb, "%lld", (long long)s->list.total);
	else
		sbuf_addf(&sb, "%zu%s", s->list.nids, s->list.partial ? "+" : "");
	if (n && !s->list.search && !s->list.filter && n->counted &&
	    (n->kind == NAV_SOURCE || n->kind == NAV_TAG))
		sbuf_addf(&sb, ", %lld unread", (long long)n->count);
	sbuf_adds(&sb, ")");
	if (s->list.search)
		sbuf_addf(&sb, " | search: %s", s->list.search);
	if (s->list.filter)
		sbuf_addf(&sb, " | filter: %s", s->list.filter);
	if (!s->writable)
		sbuf_adds(&sb, " | read-only");
	attrset(draw_attr(COL_TITLE));
	draw_text(stdscr, 0, 0, s->cols, sb.buf);
	sbuf_release(&sb);
}

static void
draw_status(struct sense *s)
{
	char right[96] = "";
	int rw;

	if (s->run)
		snprintf(right, sizeof(right), " fetching %zu/%zu ",
			 s->prog.done, s->prog.total);
	rw = (int)strlen(right);
	attrset(draw_attr(s->status_error ? COL_ERROR : COL_STATUS));
	draw_text(stdscr, s->rows - 1, 0, s->cols - rw, s->status);
	attrset(draw_attr(COL_STATUS));
	draw_clean(stdscr, s->rows - 1, s->cols - rw, rw, right);
}

static void
draw_vline(int x, int y, int h)
{
	int r;

	attrset(draw_attr(COL_NORMAL));
	for (r = 0; r < h; r++)
		draw_clean(stdscr, y + r, x, 1, "│");
}

static const struct view_ops *const views[] = {
	&nav_ops, &list_ops, &item_ops, &digest_ops, &help_ops, &prompt_ops,
};

/* The view that has the whole screen (help, digest preview), or NULL. */
static const struct view_ops *
modal_view(struct sense *s)
{
	if (s->help.open)
		return &help_ops;
	if (s->digest.open)
		return &digest_ops;
	return NULL;
}

/* The pane with the focus. */
static const struct view_ops *
focused_view(struct sense *s)
{
	if (s->focus == FOCUS_NAV)
		return &nav_ops;
	if (s->focus == FOCUS_ITEM && s->item.open)
		return &item_ops;
	return &list_ops;
}

void
sense_layout(struct sense *s)
{
	size_t i;

	getmaxyx(stdscr, s->rows, s->cols);
	s->wide = s->cols >= WIDE_COLS;
	if (s->wide) {
		int rest;

		s->nav_w = s->cols / 5 < 26 ? s->cols / 5 : 26;
		rest = s->cols - s->nav_w - 2;
		/* the list reads a row at a glance: it gets the larger part,
		 * the item wraps to what is left */
		s->list_w = rest * 58 / 100;
		s->item_w = rest - s->list_w;
	} else {
		s->nav_w = s->list_w = s->item_w = s->cols;
	}
	for (i = 0; i < ARRAY_SIZE(views); i++)
		if (views[i]->resize)
			views[i]->resize(s);
}

static void
draw_all(struct sense *s)
{
	int h = s->rows - 2;

	if (s->rows < MIN_ROWS || s->cols < MIN_COLS) {
		char msg[128];
		int r;

		erase();
		snprintf(msg, sizeof(msg), "terminal too small (%dx%d); "
			 "glean needs %dx%d", s->cols, s->rows, MIN_COLS,
			 MIN_ROWS);
		for (r = 0; r < s->rows; r++)
			draw_clean(stdscr, r, 0, s->cols, r == 0 ? msg : "");
		refresh();
		return;
	}
	if (modal_view(s)) {
		modal_view(s)->draw(s, stdscr, 0, 0, s->rows - 1, s->cols);
		draw_status(s);
		refresh();
		return;
	}
	draw_bar(s);
	if (s->wide) {
		int nw = s->nav_w, lw = s->list_w, iw = s->item_w;

		nav_ops.draw(s, stdscr, 1, 0, h, nw);
		draw_vline(nw, 1, h);
		if (!s->item.open) {
			/* nothing to read yet: the list takes the item's
			 * columns too (the item's lines keep item_w) */
			list_ops.draw(s, stdscr, 1, nw + 1, h, lw + 1 + iw);
		} else {
			list_ops.draw(s, stdscr, 1, nw + 1, h, lw);
			draw_vline(nw + 1 + lw, 1, h);
			item_ops.draw(s, stdscr, 1, nw + 2 + lw, h, iw);
		}
	} else {
		focused_view(s)->draw(s, stdscr, 1, 0, h, s->cols);
	}
	draw_status(s);
	refresh();
}

/* ---- actions ---- */

static void
next_unread(struct sense *s, int dir)
{
	if (s->focus == FOCUS_NAV)
		s->focus = FOCUS_LIST;
	if (list_find_unread(s, dir)) {
		list_open_selected(s);
		return;
	}
	if (dir > 0 && s->nav.n > 1 && s->nav.pane.sel != 1) {
		/* across sources: continue in Unread */
		s->nav.pane.sel = 1;
		nav_select(s);
		if (s->list.nids) {
			pane_set(&s->list.pane, 0);
			list_open_selected(s);
			return;
		}
	}
	sense_status(s, false, "no more unread items");
}

static void
do_search(struct sense *s)
{
	char *q = prompt_line(s, "search: ", s->list.search, NULL);

	if (!q)
		return;
	free(s->list.search);
	s->list.search = *q ? q : NULL;
	if (!*q)
		free(q);
	s->list.pane.sel = 0;
	list_load(s, list_first_page(s));
	s->focus = FOCUS_LIST;
	sense_status(s, false, "%zu%s items", s->list.nids,
		     s->list.partial ? "+" : "");
}

static void
do_filter(struct sense *s)
{
	struct err e = { 0 };
	char *q = prompt_line(s, "filter: ", s->list.filter, NULL);

	if (!q)
		return;
	if (*q && store_query_check(s->st, q, &e) < 0) {
		sense_status(s, true, "%s", e.msg);
		free(q);
		return;
	}
	free(s->list.filter);
	s->list.filter = *q ? q : NULL;
	if (!*q)
		free(q);
	s->list.pane.sel = 0;
	list_load(s, list_first_page(s));
	s->focus = FOCUS_LIST;
	if (!s->status_error)
		sense_status(s, false, "%zu%s items", s->list.nids,
			     s->list.partial ? "+" : "");
}

/* Mark the unread items of this list (all: of every list, after a y/n)
 * read; 'u' marks exactly those unread again. */
static void
catch_up(struct sense *s, bool all)
{
	struct item_query q = { 0 };
	struct err e = { 0 };
	int64_t *ids = NULL, count = 0;
	size_t n = 0;
	char label[128];
	int key;

	q.query = "is:unread";
	if ((all ? store_items_ids(s->st, &q, &ids, &n, &e)
		 : list_unread_ids(s, &ids, &n, &e)) < 0) {
		sense_status(s, true, "%s", e.msg);
		return;
	}
	if (!n) {
		sense_status(s, false, "nothing unread %s", all ? "anywhere"
			     : "in this list");
		free(ids);
		return;
	}
	if (all) {
		snprintf(label, sizeof(label), "mark all %zu unread item%s "
			 "read? (y/n) ", n, n == 1 ? "" : "s");
		key = prompt_key(s, label);
		if (key != 'y' && key != 'Y') {
			sense_status(s, false, "nothing marked");
			free(ids);
			return;
		}
	}
	if (!sense_can_write(s)) {
		free(ids);
		return;
	}
	if (store_items_set_read(s->st, ids, n, true, &count, &e) < 0) {
		sense_status(s, true, "not saved: %s", e.msg);
		free(ids);
		return;
	}
	undo_clear(&s->undo);
	s->undo.kind = UNDO_READ;
	s->undo.ids = ids;
	s->undo.nids = n;
	sense_status(s, false, "saved: %lld item%s read ('u' undoes)",
		     (long long)count, count == 1 ? "" : "s");
	changed(s, 0);
}

/* J/K: the next or previous source in the navigation pane, its list
 * shown. */
static void
next_source(struct sense *s, int dir)
{
	size_t i = s->nav.pane.sel;

	if (dir > 0 && i + 2 >= s->nav.n)
		nav_finish(s);
	while (dir > 0 ? i + 1 < s->nav.n : i > 0) {
		i = dir > 0 ? i + 1 : i - 1;
		if (s->nav.v[i].kind != NAV_SOURCE)
			continue;
		pane_set(&s->nav.pane, i);
		nav_select(s);
		if (s->focus == FOCUS_NAV || s->focus == FOCUS_ITEM)
			s->focus = FOCUS_LIST;
		if (!s->wide)
			item_close(s);
		return;
	}
	sense_status(s, false, "no %s source", dir > 0 ? "next" : "previous");
}

/* O: the next sort order, named as [general] sort names it. */
static void
cycle_sort(struct sense *s)
{
	s->list.sort = (enum item_sort)((s->list.sort + 1) % SORT_COUNT);
	list_load(s, list_first_page(s));
	sense_status(s, false, "sorted by %s", config_sort_name(s->list.sort));
}

/* q: one level back. The item goes back to its list, a searched or
 * filtered list to the list it came from, a list to the navigation
 * pane; false (quit) only there. */
static bool
go_back(struct sense *s)
{
	if (s->focus == FOCUS_ITEM) {
		/* closed on a wide screen too: the list takes its columns */
		s->focus = FOCUS_LIST;
		item_close(s);
		return true;
	}
	if (s->focus == FOCUS_LIST && (s->list.search || s->list.filter)) {
		free(s->list.search);
		free(s->list.filter);
		s->list.search = s->list.filter = NULL;
		list_load(s, list_first_page(s));
		sense_status(s, false, "back to %s", s->list.title ?
			     s->list.title : "All");
		return true;
	}
	if (s->focus == FOCUS_LIST) {
		s->focus = FOCUS_NAV;
		return true;
	}
	return false;
}

static void
add_note(struct sense *s)
{
	int64_t id = target_id(s);
	char *body;

	if (!id) {
		sense_status(s, true, "no item to note; select one");
		return;
	}
	/* the prompt opens before anything may refuse, so what is typed
	 * next is the note, never keys */
	body = prompt_line(s, "note: ", s->note_draft, NULL);
	if (!body)
		return;
	free(s->note_draft);
	s->note_draft = NULL;
	if (!*body) {
		sense_status(s, false, "empty note not saved");
		free(body);
		return;
	}
	sense_add_note(s, id, body, NULL, NULL, NULL);
	if (s->status_error) {
		size_t n = strlen(s->status);

		/* kept: the next 'a' offers it again */
		snprintf(s->status + n, sizeof(s->status) - n, "; the note is "
			 "kept: press a to try again");
		s->note_draft = body;
		return;
	}
	free(body);
}

static void run_action(struct sense *s, enum action a, int key);

static void
command_line(struct sense *s)
{
	char *line = prompt_line(s, ":", NULL, NULL), *arg;
	enum action a;

	if (!line || !*line)
		goto out;
	arg = strchr(line, ' ');
	if (arg) {
		*arg++ = '\0';
		while (*arg == ' ')
			arg++;
	}
	a = action_by_name(line);
	if (a == ACT_COUNT || a == ACT_NONE || a == ACT_COMMAND) {
		sense_status(s, true, "unknown command '%s'; '?' lists them",
			     line);
		goto out;
	}
	free(s->pending_arg);
	s->pending_arg = arg && *arg ? xstrdup(arg) : NULL;
	run_action(s, a, ERR);
	free(s->pending_arg);
	s->pending_arg = NULL;
out:
	free(line);
}

/* ---- the reader's actions: what no view takes itself ---- */

static void
act_quit(struct sense *s)
{
	if (!go_back(s))
		s->quit = true;
}

static void
act_quit_all(struct sense *s)
{
	s->quit = true;
}

static void
act_back(struct sense *s)
{
	s->focus = s->focus == FOCUS_ITEM ? FOCUS_LIST : FOCUS_NAV;
}

static void
act_next_pane(struct sense *s)
{
	s->focus = s->focus == FOCUS_NAV ? FOCUS_LIST
		 : s->focus == FOCUS_LIST && s->item.open ? FOCUS_ITEM
		 : FOCUS_NAV;
}

static void act_next_unread(struct sense *s) { next_unread(s, 1); }
static void act_prev_unread(struct sense *s) { next_unread(s, -1); }
static void act_next_source(struct sense *s) { next_source(s, 1); }
static void act_prev_source(struct sense *s) { next_source(s, -1); }
static void act_reload(struct sense *s) { fetch_start(s, false); }
static void act_reload_all(struct sense *s) { fetch_start(s, true); }
static void act_catch_up(struct sense *s) { catch_up(s, false); }
static void act_catch_up_all(struct sense *s) { catch_up(s, true); }
static void act_help(struct sense *s) { help_ops.open(s); }
static void act_redraw(struct sense *s) { (void)s; clearok(curscr, TRUE); }

static void
toggle_flag(struct sense *s, enum item_flag f)
{
	int64_t id = target_id(s);

	if (id)
		sense_set_flag(s, id, f, !target_flag(s, id, f), true);
}

static void act_toggle_read(struct sense *s) { toggle_flag(s, ITEM_READ); }
static void act_star(struct sense *s) { toggle_flag(s, ITEM_STARRED); }
static void act_mark(struct sense *s) { toggle_flag(s, ITEM_MARKED); }

/* The item the person looks at: the open one when it has the focus or
 * is the list's selection, else the selection opened. */
static void
open_target(struct sense *s)
{
	if (!s->item.open || (s->focus != FOCUS_ITEM &&
			      s->item.it.id != list_selected_id(s)))
		list_open_selected(s);
}

static void
act_open_link(struct sense *s)
{
	if (!s->item.open)
		list_open_selected(s);
	item_open_link(s);
}

static void
act_note_editor(struct sense *s)
{
	open_target(s);
	item_note_editor(s);
}

static void
act_quote(struct sense *s)
{
	open_target(s);
	item_quote_start(s);
}

static void
act_article(struct sense *s)
{
	open_target(s);
	item_toggle_article(s);
}

static void
act_edit_note(struct sense *s)
{
	open_target(s);
	item_note_pick(s, ACT_EDIT_NOTE);
}

static void
act_remove_note(struct sense *s)
{
	open_target(s);
	item_note_pick(s, ACT_REMOVE_NOTE);
}

typedef void (*action_fn)(struct sense *s);

/* Movement and open belong to the views (their key op). */
static const action_fn actions[ACT_COUNT] = {
	[ACT_QUIT] = act_quit,
	[ACT_QUIT_ALL] = act_quit_all,
	[ACT_HELP] = act_help,
	[ACT_BACK] = act_back,
	[ACT_NEXT_PANE] = act_next_pane,
	[ACT_NEXT_UNREAD] = act_next_unread,
	[ACT_PREV_UNREAD] = act_prev_unread,
	[ACT_NEXT_SOURCE] = act_next_source,
	[ACT_PREV_SOURCE] = act_prev_source,
	[ACT_RELOAD] = act_reload,
	[ACT_RELOAD_ALL] = act_reload_all,
	[ACT_OPEN_LINK] = act_open_link,
	[ACT_TOGGLE_READ] = act_toggle_read,
	[ACT_CATCH_UP] = act_catch_up,
	[ACT_CATCH_UP_ALL] = act_catch_up_all,
	[ACT_SORT] = cycle_sort,
	[ACT_TAG] = edit_tags,
	[ACT_NOTE] = add_note,
	[ACT_NOTE_EDITOR] = act_note_editor,
	[ACT_QUOTE] = act_quote,
	[ACT_ARTICLE] = act_article,
	[ACT_EDIT_NOTE] = act_edit_note,
	[ACT_REMOVE_NOTE] = act_remove_note,
	[ACT_STAR] = act_star,
	[ACT_MARK] = act_mark,
	[ACT_UNDO] = undo_last,
	[ACT_SEARCH] = do_search,
	[ACT_FILTER] = do_filter,
	[ACT_COMMAND] = command_line,
	[ACT_DIGEST] = digest_open,
	[ACT_SHARE] = digest_share,
	[ACT_REDRAW] = act_redraw,
};

/* a (key: the key pressed, ERR from the ':' line) goes to the view on
 * top or with the focus first, then to the reader's actions. */
static void
run_action(struct sense *s, enum action a, int key)
{
	const struct view_ops *v = modal_view(s);

	if (!v)
		v = focused_view(s);
	if (v->key(s, a, key))
		return;
	if (a == ACT_NONE) {
		if (key != ERR && key != 27)
			sense_status(s, false, "key not bound; '?' shows the keys");
		return;
	}
	if (a > ACT_NONE && a < ACT_COUNT && actions[a])
		actions[a](s);
}

/* False when the reader should quit. */
static bool
handle_key(struct sense *s, int key)
{
	enum action a = keymap_get(&s->km, key);

	if (key == KEY_RESIZE) {
		sense_layout(s);
		return true;
	}
	if (s->rows < MIN_ROWS || s->cols < MIN_COLS)
		return a != ACT_QUIT && a != ACT_QUIT_ALL;
	/* a new key clears the last message; the help and the quote and
	 * note pickers keep theirs, the preview clears its own */
	if (!modal_view(s) && !s->item.quoting && !s->item.note_pick &&
	    a != ACT_NONE) {
		s->status[0] = '\0';
		s->status_error = false;
	}
	run_action(s, a, key);
	return !s->quit;
}

/* A filter, search or saved search whose /regex/ hit a PCRE2 limit
 * (SECURITY.md): those items counted as no match; the status line says
 * so, as the command line's glean does on stderr. */
static void
say_rx_limits(struct sense *s)
{
	struct store_rx_limit *v;
	size_t n = store_rx_limits_take(s->st, &v);
	char *clean;

	if (!n)
		return;
	clean = text_sanitize(v[0].pattern, strlen(v[0].pattern), true);
	sense_status(s, true, "%s hit the regex match limit on %lld item%s; "
		     "they count as no match%s", clean, (long long)v[0].hits,
		     v[0].hits == 1 ? "" : "s",
		     n > 1 ? " (and other patterns too)" : "");
	free(clean);
	store_rx_limits_free(v, n);
}

/* Work between keystrokes, one piece per call, most urgent first. True
 * when there is more to do. */
static bool
idle(struct sense *s)
{
	int64_t now = time_now_ms();

	if (s->run) {
		fetch_poll(s);
		return true;
	}
	if (!s->nav.counted) {
		nav_load(s, true);
		return true;
	}
	if (s->nav.more_after) {
		nav_more(s);
		return true;
	}
	if (s->list.total < 0) {
		list_count(s);
		return true;
	}
	if (now - s->last_poll >= 1000) {
		s->last_poll = now;
		if (store_changed(s->st)) {
			reload_all(s);
			return true;
		}
	}
	return false;
}

/* Monotonic milliseconds, fractional: the bench's key log. */
static double
bench_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int
sense_run(struct store *st, const struct config *cfg,
	  const struct sense_opts *o, struct err *e)
{
	struct sense s;
	struct sigaction sa;
	struct err ce = { 0 };
	const char *bench = getenv("GLEAN_BENCH_EXIT_AFTER_FIRST_DRAW");
	const char *bench_idle = getenv("GLEAN_BENCH_EXIT_WHEN_IDLE");
	/* bench/million.sh: each key's time from read to drawn, and each
	 * piece of idle work's, appended to this file */
	const char *keylog_path = getenv("GLEAN_BENCH_KEY_LOG");
	FILE *keylog = keylog_path && *keylog_path ? fopen(keylog_path, "a")
						   : NULL;
	double key_at = -1;
	int key_code = 0;
	bool busy = true, first = true, quit = false;
	SCREEN *scr;
	wint_t ch;
	size_t i;
	int r, n;

	memset(&s, 0, sizeof(s));
	s.st = st;
	s.cfg = cfg;
	s.busy = o ? o->busy : NULL;
	s.writable = !s.busy;
	s.stop = &got_signal;
	s.list.sort = cfg->sort >= 0 && cfg->sort < SORT_COUNT
		      ? (enum item_sort)cfg->sort : SORT_DATE;
	render_out_init(&s.item.rendered);
	if (keymap_init(&s.km, cfg, &ce) < 0)
		sense_status(&s, true, "%s", ce.msg);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_tstp;
	sigaction(SIGTSTP, &sa, NULL);
	scr = newterm(NULL, stdout, stdin);
	if (!scr)
		return err_set(e, ERR_IO, "cannot start the terminal (TERM "
			       "'%s'); the reader needs a terminal", getenv("TERM")
			       ? getenv("TERM") : "");
	die_set_hook(restore_terminal);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	if (draw_colors(cfg, &ce) < 0 && !s.status[0])
		sense_status(&s, true, "%s", ce.msg);
	sense_layout(&s);
	if (s.busy && !s.status[0])
		sense_status(&s, true, "read-only: %s; nothing can be "
			     "saved", s.busy);
	s.focus = FOCUS_LIST;
	s.list.title = xstrdup("All");
	/* The first screen: names without counts, the first page of ids. */
	nav_ops.open(&s);
	list_ops.open(&s);
	store_changed(st);
	s.last_poll = time_now_ms();
	while (!got_signal) {
		sense_suspend();
		say_rx_limits(&s);
		draw_all(&s);
		if (keylog && key_at >= 0) {
			fprintf(keylog, "key %d %.2f\n", key_code,
				bench_ms() - key_at);
			fflush(keylog);
			key_at = -1;
		}
		if (first && bench && *bench)
			break;
		first = false;
		timeout(s.run ? 0 : busy ? 0 : 500);
		r = get_wch(&ch);
		if (got_signal)
			break;
		if (r == ERR) {
			double t0 = keylog ? bench_ms() : 0;

			busy = idle(&s);
			if (keylog && busy) {
				fprintf(keylog, "idle 0 %.2f\n", bench_ms() - t0);
				fflush(keylog); /* in the log of its own key */
			}
			if (!busy && bench_idle && *bench_idle)
				break;
			continue;
		}
		if (keylog) {
			key_at = bench_ms();
			key_code = (int)ch;
		}
		/* characters past Latin-1 are no key (and must not alias
		 * curses key codes such as KEY_DOWN) */
		if (!handle_key(&s, r == OK && ch >= 256 ? -1 : (int)ch))
			break;
		busy = true;
		/* keys already typed (typeahead, a paste) go before the next
		 * draw, a few dozen at a time, so the screen still moves */
		for (n = 0; n < 64 && !quit && !got_signal; n++) {
			timeout(0);
			if ((r = get_wch(&ch)) == ERR)
				break;
			quit = !handle_key(&s, r == OK && ch >= 256 ? -1
							    : (int)ch);
		}
		if (quit)
			break;
	}
	restore_terminal();
	die_set_hook(NULL);
	if (keylog)
		fclose(keylog);
	if (s.run) {
		struct seek_result res = { 0 };

		/* let the fetch commit what it has; sources not finished
		 * stay due */
		while (seek_step(s.run, 100) > 0 && !got_signal)
			;
		seek_finish(s.run, &res);
		seek_result_release(&res);
	}
	for (i = 0; i < ARRAY_SIZE(views); i++)
		views[i]->close(&s);
	undo_clear(&s.undo);
	free(s.pending_arg);
	free(s.note_draft);
	endwin();
	delscreen(scr);
	return 0;
}
