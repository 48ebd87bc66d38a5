/*
 * The navigation pane: fixed views (All, Unread, Starred, To share,
 * Annotated), saved searches from config, tags with counts and sources
 * with unread counts and a mark on failing ones. Selecting an entry sets
 * what the item list shows. The counts are kept by the store as the rows
 * change (a row a source), so the first screen has them: nothing counts
 * the items at start. The sources are read a page at a time: a screen's
 * worth before the first draw, the rest between keys (at 17,000 sources
 * reading them all was two thirds of the first screen's time), and at
 * once when a key goes past what was read.
 */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "glean/banned.h"

static struct nav_entry *
nav_push(struct sense *s, enum nav_kind kind, const char *label)
{
	struct nav_entry *n;

	XGROW(s->nav.v, s->nav.cap, s->nav.n + 1);
	n = &s->nav.v[s->nav.n++];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->label = display_line(label, 512);
	n->total = -1;
	return n;
}

static void
nav_release(struct sense *s)
{
	size_t i;

	for (i = 0; i < s->nav.n; i++) {
		free(s->nav.v[i].label);
		free(s->nav.v[i].arg);
	}
	free(s->nav.v);
	s->nav.v = NULL;
	s->nav.n = s->nav.cap = 0;
	for (i = 0; i < s->nav.ntag_names; i++)
		free(s->nav.tag_names[i]);
	free(s->nav.tag_names);
	s->nav.tag_names = NULL;
	s->nav.ntag_names = 0;
}

/* Sources read between keys, a page at a time. */
#define NAV_PAGE 2048

/* Append up to limit (0: all) more sources; true when more may follow. */
static bool
nav_more_sources(struct sense *s, size_t limit)
{
	struct source_list src = { 0 };
	struct err e = { 0 };
	struct nav_entry *n;
	size_t i;

	if (store_sources_names(s->st, s->nav.more_after, limit, &src,
				&e) < 0) {
		sense_status(s, true, "%s", e.msg);
		s->nav.more_after = 0;
		return false;
	}
	for (i = 0; i < src.n; i++) {
		const struct source *so = &src.v[i];

		if (so->hidden)
			continue;
		if (!s->nav.has_sources) {
			nav_push(s, NAV_HEADING, "Sources");
			s->nav.has_sources = true;
		}
		n = nav_push(s, NAV_SOURCE, so->title && *so->title ?
			     so->title : so->url);
		n->source_id = so->id;
		n->count = so->nunread;
		n->counted = s->nav.counts;
		n->total = s->nav.counts ? so->nitems : -1;
		n->failing = so->failures > 0 || so->retired;
	}
	s->nav.more_after = limit && src.n == limit ? src.v[src.n - 1].id : 0;
	source_list_release(&src);
	s->nav.pane.n = s->nav.n;
	return s->nav.more_after != 0;
}

/* Idle work: the next page of sources; true when more remain. */
bool
nav_more(struct sense *s)
{
	return s->nav.more_after && nav_more_sources(s, NAV_PAGE);
}

/* Every source, before a key that goes past what was read. */
void
nav_finish(struct sense *s)
{
	if (s->nav.more_after)
		nav_more_sources(s, 0);
}

/* Rebuild the entries, keeping the selection on the same entry. */
void
nav_load(struct sense *s, bool counts)
{
	struct store_counts c = { 0 };
	struct tag_list tags = { 0 };
	struct err e = { 0 };
	struct nav_entry *n;
	enum nav_kind old_kind = NAV_ALL;
	char *old_arg = NULL;
	int64_t old_src = 0;
	size_t i;

	if (s->nav.n) {
		struct nav_entry *o = &s->nav.v[s->nav.pane.sel];

		old_kind = o->kind;
		old_arg = o->arg ? xstrdup(o->arg) : NULL;
		old_src = o->source_id;
	}
	nav_release(s);
	if (counts && store_counts(s->st, &c, &e) < 0)
		sense_status(s, true, "%s", e.msg);
	n = nav_push(s, NAV_ALL, "All");
	n->count = c.all, n->counted = counts;
	n->total = counts ? c.all : -1;
	n = nav_push(s, NAV_UNREAD, "Unread");
	n->count = c.unread, n->counted = counts;
	n->total = counts ? c.unread : -1;
	n = nav_push(s, NAV_STARRED, "Starred");
	n->count = c.starred, n->counted = counts;
	n->total = counts ? c.starred : -1;
	n = nav_push(s, NAV_MARKED, "To share");
	n->count = c.marked, n->counted = counts;
	n->total = counts ? c.marked : -1;
	n = nav_push(s, NAV_NOTED, "Annotated");
	n->count = c.annotated, n->counted = counts;
	if (s->cfg->nsearches)
		nav_push(s, NAV_HEADING, "Searches");
	for (i = 0; i < s->cfg->nsearches; i++) {
		n = nav_push(s, NAV_SEARCH, s->cfg->searches[i].name);
		n->arg = xstrdup(s->cfg->searches[i].query ?
				 s->cfg->searches[i].query : "");
	}
	if (store_tags_list(s->st, &tags, &e) == 0) {
		s->nav.tag_names = xcalloc(tags.n + 1, sizeof(char *));
		if (tags.n)
			nav_push(s, NAV_HEADING, "Tags");
		for (i = 0; i < tags.n; i++) {
			n = nav_push(s, NAV_TAG, tags.v[i].name);
			n->arg = xstrdup(tags.v[i].name);
			n->count = tags.v[i].unread;
			n->counted = true;
			s->nav.tag_names[s->nav.ntag_names++] = xstrdup(tags.v[i].name);
		}
		tag_list_release(&tags);
	}
	/* a screen's worth of sources, and more while the selection is
	 * not among them (or was near the end of what was read) */
	s->nav.counts = counts;
	s->nav.has_sources = false;
	s->nav.more_after = 0;
	nav_more_sources(s, (size_t)(s->rows > 0 ? s->rows : 50) + 64);
	s->nav.pane.sel = 0;
	for (i = 0;; i++) {
		/* the next pages until one adds an entry (a page may hold
		 * hidden sources only) or none is left */
		while (i == s->nav.n && s->nav.more_after)
			nav_more_sources(s, NAV_PAGE);
		if (i == s->nav.n)
			break;
		n = &s->nav.v[i];
		if (n->kind == old_kind && n->source_id == old_src &&
		    (!old_arg || (n->arg && !strcmp(n->arg, old_arg)))) {
			s->nav.pane.sel = i;
			break;
		}
	}
	s->nav.pane.n = s->nav.n;
	pane_fit(&s->nav.pane);
	s->nav.counted = counts;
	free(old_arg);
}

static void
nav_draw(struct sense *s, WINDOW *w, int y, int x, int h, int wd)
{
	struct pane *p = &s->nav.pane;
	int r;

	pane_fit(p);
	for (r = 0; r < h; r++) {
		size_t i = p->top + (size_t)r;
		const struct nav_entry *n;
		char num[32] = "";
		attr_t a = draw_attr(COL_NORMAL);
		int nw, indent;

		if (i >= s->nav.n) {
			wattrset(w, a);
			draw_clean(w, y + r, x, wd, "");
			continue;
		}
		n = &s->nav.v[i];
		if (n->kind == NAV_HEADING)
			a = draw_attr(COL_HEADING);
		else if (n->failing)
			a = draw_attr(COL_FAILING);
		else if (n->counted && n->count > 0 && n->kind != NAV_ALL)
			a = draw_attr(COL_UNREAD);
		if (i == p->sel)
			a = draw_attr(COL_SELECTED) |
			    (s->focus == FOCUS_NAV ? A_BOLD : 0);
		wattrset(w, a);
		if (n->kind != NAV_HEADING && n->kind != NAV_SEARCH) {
			if (n->counted)
				snprintf(num, sizeof(num), " %lld",
					 (long long)n->count);
			else
				snprintf(num, sizeof(num), "%s", " …");
		}
		nw = (int)text_width(num);
		indent = n->kind >= NAV_SEARCH && n->kind != NAV_HEADING ? 2 : 0;
		draw_clean(w, y + r, x, 1 + indent, n->failing ? "!" : " ");
		draw_clean(w, y + r, x + 1 + indent, wd - nw - 2 - indent,
			   n->label);
		draw_clean(w, y + r, x + wd - nw - 1, nw + 1, num);
	}
}

void
nav_select(struct sense *s)
{
	const struct nav_entry *n;

	if (!s->nav.n)
		return;
	n = &s->nav.v[s->nav.pane.sel];
	if (n->kind == NAV_HEADING)
		return;
	free(s->list.filter);
	free(s->list.search);
	s->list.filter = s->list.search = NULL;
	free(s->list.title);
	s->list.title = xstrdup(n->label);
	list_load(s, list_first_page(s));
}

static void
nav_open(struct sense *s)
{
	nav_load(s, true);
}

static void
nav_resize(struct sense *s)
{
	s->nav.pane.height = s->rows - 2;
	pane_fit(&s->nav.pane);
}

/* Moving selects: the list follows the entry under the cursor. */
static bool
nav_key(struct sense *s, enum action a, int key)
{
	struct pane *p = &s->nav.pane;
	long h = p->height > 1 ? p->height - 1 : 1;

	(void)key;
	/* a move that may go past the sources read so far reads the rest */
	if (s->nav.more_after && (a == ACT_BOTTOM || a == ACT_PAGE_DOWN ||
				  p->sel + (size_t)h + 1 >= p->n))
		nav_finish(s);
	switch (a) {
	case ACT_DOWN: pane_move(p, 1); break;
	case ACT_UP: pane_move(p, -1); break;
	case ACT_PAGE_DOWN: pane_move(p, h); break;
	case ACT_PAGE_UP: pane_move(p, -h); break;
	case ACT_TOP: pane_set(p, 0); break;
	case ACT_BOTTOM: pane_set(p, p->n ? p->n - 1 : 0); break;
	case ACT_OPEN:
		nav_select(s);
		s->focus = FOCUS_LIST;
		return true;
	default:
		return false;
	}
	if (!s->nav.n)
		return true;
	/* skip headings in the direction of travel */
	while (p->sel < s->nav.n && s->nav.v[p->sel].kind == NAV_HEADING &&
	       p->sel + 1 < s->nav.n && a != ACT_UP && a != ACT_PAGE_UP)
		p->sel++;
	while (s->nav.v[p->sel].kind == NAV_HEADING && p->sel > 0)
		p->sel--;
	pane_fit(p);
	nav_select(s);
	return true;
}

const struct view_ops nav_ops = {
	"navigation", nav_open, nav_draw, nav_key, nav_resize, nav_release,
};
