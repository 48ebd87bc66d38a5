/*
 * The digest preview ('D') and sharing from it ('S'): what the next
 * share would send, chosen by share_select() as 'glean share' chooses it
 * (the current list's query when it is a filter, a search or a saved
 * search; else the items marked since the last share to the target),
 * rendered as text by digest.h and shown as a scrollable page over the
 * whole screen. D previews the only target, or of several the one last
 * shared to. Sharing asks for the target (Tab completes), previews that
 * target's share if it is another, shows the dry run's plan,
 * asks "post N parts to TARGET? (y/n)" and only on 'y' takes the writer
 * lock and runs share_run(), which blocks; the result goes to the status
 * line. It owns no SQL and no rendering (digest.h and share.h do both).
 */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "glean/digest.h"
#include "glean/share.h"
#include "glean/banned.h"

static void
dlines_free(struct sense *s)
{
	size_t i;

	for (i = 0; i < s->digest.nlines; i++)
		free(s->digest.lines[i]);
	free(s->digest.lines);
	s->digest.lines = NULL;
	s->digest.nlines = 0;
	s->digest.width = 0;
}

static void
digest_close(struct sense *s)
{
	dlines_free(s);
	free(s->digest.text);
	free(s->digest.query);
	free(s->digest.target);
	s->digest.text = s->digest.query = s->digest.target = NULL;
	s->digest.open = false;
	s->digest.nitems = 0;
}

static void
dline_add(struct sense *s, const char *p, size_t n)
{
	s->digest.lines = xrealloc(s->digest.lines, (s->digest.nlines + 1) * sizeof(char *));
	s->digest.lines[s->digest.nlines++] = xstrndup(p, n);
}

/* Wrap dtext to width columns, at spaces where there are any. */
static void
dlines_build(struct sense *s, int width)
{
	const char *p = s->digest.text ? s->digest.text : "", *nl;
	size_t w = width > 10 ? (size_t)width : 10;

	dlines_free(s);
	s->digest.width = width;
	for (; *p; p = *nl ? nl + 1 : nl) {
		const char *l = p;
		size_t len;

		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		len = (size_t)(nl - l);
		while (text_width_n(l, len) > w) {
			size_t cut = text_cut_len(l, w), brk = cut;

			while (brk > 0 && l[brk] != ' ')
				brk--;
			if (brk == 0)
				brk = cut ? cut : 1;
			dline_add(s, l, brk);
			l += brk;
			len -= brk;
			while (len && *l == ' ') {
				l++;
				len--;
			}
		}
		dline_add(s, l, len);
	}
}

/* The list's query for the digest, or NULL for the marked items: the
 * saved search, the filter and the search (as a phrase) together. */
static char *
list_query(struct sense *s)
{
	const struct nav_entry *n = s->nav.n ? &s->nav.v[s->nav.pane.sel] : NULL;
	struct sbuf sb = SBUF_INIT;
	const char *p;

	if (n && n->kind == NAV_SEARCH && n->arg && *n->arg)
		sbuf_addf(&sb, "(%s)", n->arg);
	if (s->list.filter)
		sbuf_addf(&sb, "%s(%s)", sb.len ? " " : "", s->list.filter);
	if (s->list.search && *s->list.search) {
		sbuf_adds(&sb, sb.len ? " \"" : "\"");
		for (p = s->list.search; *p; p++)
			if (*p != '"' && *p != '\\')
				sbuf_add(&sb, p, 1);
		sbuf_adds(&sb, "\"");
	}
	if (!sb.len) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb, NULL);
}

/* Whose next share D previews: the only target; of several, the one
 * last shared to (or the first); NULL without targets. */
static const char *
default_target(struct sense *s)
{
	struct digest_rows rows = { 0 };
	struct err e = { 0 };
	const char *t = NULL;
	size_t i;

	if (!s->cfg || s->cfg->ntargets == 0)
		return NULL;
	if (s->cfg->ntargets > 1 &&
	    store_digests_list(s->st, NULL, &rows, &e) == 0) {
		for (i = 0; i < rows.n && !t; i++)
			if (config_target(s->cfg, rows.v[i].target))
				t = config_target(s->cfg,
						  rows.v[i].target)->name;
		digest_rows_release(&rows);
	}
	return t ? t : s->cfg->targets[0].name;
}

static void digest_layout(struct sense *s);

/* Open the preview of what a share to target (NULL: no target) would
 * send: share_select(), the selection 'S' and 'glean share' use. */
static void
open_for(struct sense *s, const char *target)
{
	struct digest d = { 0 };
	struct share_sel sel;
	struct sbuf sb = SBUF_INIT;
	struct err e = { 0 };
	char *q = list_query(s);

	if (q && store_query_check(s->st, q, &e) < 0)
		goto fail;
	if (share_select(s->st, s->cfg, target, &(struct share_opts){
			.query = q }, &d, &sel, &e) < 0)
		goto fail;
	if (d.items.n == 0) {
		digest_close(s);
		sense_status(s, false, "nothing to share%s%s%s", target ?
			     " to " : "", target ? target : "", q ?
			     " in this list" : "; 'm' marks items to share");
		goto out;
	}
	if (digest_render(&d, DIGEST_TEXT, NULL, &sb, &e) < 0)
		goto fail;
	digest_close(s);
	s->digest.open = true;
	s->digest.query = q;
	q = NULL;
	s->digest.target = target ? xstrdup(target) : NULL;
	s->digest.nitems = d.items.n;
	s->digest.text = sbuf_detach(&sb, NULL);
	memset(&s->digest.pane, 0, sizeof(s->digest.pane));
	digest_layout(s);
	sense_status(s, false, "digest%s%s: %zu item%s%s; S shares, q closes",
		     target ? " for " : "", target ? target : "",
		     s->digest.nitems, s->digest.nitems == 1 ? "" : "s",
		     sel.resume_id ? " (an unfinished share, sent first)"
		     : "");
	goto out;
fail:
	sense_status(s, true, "no digest: %s", e.msg);
out:
	free(q);
	sbuf_release(&sb);
	digest_release(&d);
}

void
digest_open(struct sense *s)
{
	open_for(s, default_target(s));
}

/* Wrap the text for the screen's width (on open and resize). */
static void
digest_layout(struct sense *s)
{
	struct pane *p = &s->digest.pane;
	size_t h;

	p->height = s->rows - 2;
	if (!s->digest.open)
		return;
	if (s->digest.width != s->cols - 1)
		dlines_build(s, s->cols - 1);
	h = p->height > 0 ? (size_t)p->height : 1;
	if (p->top + h > s->digest.nlines)
		p->top = s->digest.nlines > h ? s->digest.nlines - h : 0;
}

/* The bar on row y, the text below it. */
static void
digest_draw(struct sense *s, WINDOW *w, int y, int x, int h, int wd)
{
	const struct digest_view *v = &s->digest;
	struct sbuf bar = SBUF_INIT;
	int r;

	sbuf_addf(&bar, " glean | digest preview%s%s: %zu item%s",
		  v->target ? " for " : "", v->target ? v->target : "",
		  v->nitems, v->nitems == 1 ? "" : "s");
	if (v->query)
		sbuf_addf(&bar, " | %s", v->query);
	sbuf_adds(&bar, " | S shares, q closes");
	wattrset(w, draw_attr(COL_TITLE));
	draw_text(w, y, x, wd, bar.buf);
	sbuf_release(&bar);
	wattrset(w, draw_attr(COL_NORMAL));
	for (r = 0; r < h - 1; r++) {
		size_t i = v->pane.top + (size_t)r;

		draw_clean(w, y + r + 1, x, 1, "");
		draw_clean(w, y + r + 1, x + 1, wd - 1,
			   i < v->nlines ? v->lines[i] : "");
	}
}

/* A key in the preview: scrolling, share (asks target and y/n), quit. */
static bool
digest_key(struct sense *s, enum action a, int key)
{
	struct pane *p = &s->digest.pane;
	size_t h = p->height > 1 ? (size_t)p->height - 1 : 1;

	if (a != ACT_SHARE) {
		s->status[0] = '\0';
		s->status_error = false;
	}
	if (key == 27)
		a = ACT_QUIT;
	switch (a) {
	case ACT_QUIT:
	case ACT_DIGEST:
		digest_close(s);
		s->status[0] = '\0';
		break;
	case ACT_QUIT_ALL:
		digest_close(s);
		s->quit = true;
		break;
	case ACT_DOWN: p->top++; break;
	case ACT_UP: if (p->top) p->top--; break;
	case ACT_PAGE_DOWN: p->top += h; break;
	case ACT_PAGE_UP: p->top = p->top > h ? p->top - h : 0; break;
	case ACT_TOP: p->top = 0; break;
	case ACT_BOTTOM: p->top = s->digest.nlines; break;
	case ACT_SHARE: digest_share(s); break;
	case ACT_REDRAW: clearok(curscr, TRUE); break;
	case ACT_HELP: help_ops.open(s); break;
	default:
		if (key != ERR)
			sense_status(s, false, "in the digest preview: S "
				     "shares, q closes");
		break;
	}
	digest_layout(s);
	return true;
}

static void
complete_targets(struct sense *s, struct sbuf *line)
{
	struct sbuf list = SBUF_INIT;
	const char *first = NULL;
	size_t i, n = 0;

	for (i = 0; i < s->cfg->ntargets; i++) {
		const char *t = s->cfg->targets[i].name;

		if (strncmp(t, line->buf, line->len) != 0)
			continue;
		if (!first)
			first = t;
		n++;
		if (list.len < 200)
			sbuf_addf(&list, "%s%s", list.len ? " " : "", t);
	}
	if (n == 1) {
		sbuf_reset(line);
		sbuf_adds(line, first);
	} else if (n > 1) {
		sense_status(s, false, "targets: %s", list.buf);
	} else {
		beep();
	}
	sbuf_release(&list);
}

/* The status line now, before a call that blocks. */
static void
show_status(struct sense *s)
{
	attrset(draw_attr(COL_STATUS));
	draw_text(stdscr, s->rows - 1, 0, s->cols, s->status);
	refresh();
}

static void
report_result(struct sense *s, const char *name, int rc,
	      const struct share_report *r, const struct err *e)
{
	if (rc == 0 && r->nitems == 0) {
		sense_status(s, false, "nothing to share to %s", name);
	} else if (rc == 0) {
		sense_status(s, false, "shared to %s: %zu part%s sent%s",
			     name, r->sent, r->sent == 1 ? "" : "s", r->skipped ? " (some earlier)"
			     : "");
	} else {
		sense_status(s, true, "share to %s: %s (sent %zu, failed "
			     "%zu, unknown %zu; 'glean shares' shows it)",
			     name, e->msg, r->sent, r->failed, r->unknown);
	}
}

void
digest_share(struct sense *s)
{
	struct share_report dry = { 0 }, run = { 0 };
	struct err e = { 0 };
	char *name = NULL, label[256];
	const char *tname;
	int rc, key;

	if (!s->cfg || s->cfg->ntargets == 0) {
		sense_status(s, true, "no share targets; add a [target] to the "
			     "config (see glean-config(5))");
		return;
	}
	if (s->cfg->ntargets == 1) {
		name = xstrdup(s->cfg->targets[0].name);
	} else {
		name = prompt_line(s, "share to: ", NULL, complete_targets);
		if (!name || !*name)
			goto out;
		if (!config_target(s->cfg, name)) {
			sense_status(s, true, "no target '%s'; Tab completes "
				     "the configured ones", name);
			goto out;
		}
	}
	tname = name;
	/* what is shown is what is sent: preview this target's share */
	if (!s->digest.open || !s->digest.target ||
	    strcmp(s->digest.target, tname)) {
		open_for(s, tname);
		if (!s->digest.open)
			goto out;
		/* on screen before the questions below */
		digest_draw(s, stdscr, 0, 0, s->rows - 1, s->cols);
	}
	sense_status(s, false, "planning the share to %s...", tname);
	show_status(s);
	rc = share_run(s->st, s->cfg, tname, &(struct share_opts){
			.dry_run = true, .query = s->digest.query }, &dry, &e);
	if (rc < 0) {
		sense_status(s, true, "cannot share to %s: %s", tname, e.msg);
		goto out;
	}
	if (dry.nitems == 0 || dry.plan.n == 0) {
		sense_status(s, false, "nothing to share to %s", tname);
		goto out;
	}
	sense_status(s, false, "%s: %zu item%s in %zu part%s%s%s%s", tname,
		     dry.nitems, dry.nitems == 1 ? "" : "s", dry.plan.n,
		     dry.plan.n == 1 ? "" : "s", dry.plan.v[0].label ? " (" : "",
		     dry.plan.v[0].label ? dry.plan.v[0].label : "",
		     dry.plan.v[0].label ? (dry.plan.n > 1 ? ", ...)" : ")")
		     : "");
	if (dry.plan.note)
		sense_status(s, false, "%s: %zu items in %zu parts; %s",
			     tname, dry.nitems, dry.plan.n, dry.plan.note);
	snprintf(label, sizeof(label), "post %zu part%s to %s? (y/n) ",
		 dry.plan.n, dry.plan.n == 1 ? "" : "s", tname);
	key = prompt_key(s, label);
	if (key != 'y' && key != 'Y') {
		sense_status(s, false, "not shared");
		goto out;
	}
	if (!sense_can_write(s))
		goto out;
	sense_status(s, false, "sharing to %s…", tname);
	show_status(s);
	memset(&e, 0, sizeof(e));
	rc = share_run(s->st, s->cfg, tname, &(struct share_opts){
			.query = s->digest.query }, &run, &e);
	report_result(s, tname, rc, &run, &e);
	list_invalidate(s);
	s->nav.counted = false;
out:
	share_report_release(&dry);
	share_report_release(&run);
	free(name);
}

const struct view_ops digest_ops = {
	"digest preview", digest_layout, digest_draw, digest_key,
	digest_layout, digest_close,
};
