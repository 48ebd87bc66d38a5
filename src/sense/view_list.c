/*
 * The item list. It holds only the ordered ids of the current view
 * (from store_items_ids) and a window of rows around what is on screen
 * (store_items_rows), so a 500k-item store opens as fast as a small one:
 * the first screen asks for the first page of ids only, and more of the
 * order is read (doubling) only when the selection nears its end. Row text follows
 * "[format] list" (%f flags, %d date, %s source, %t title, %a author,
 * %g tags; %NNx pads to NN columns).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>

#include "private.h"
#include "glean/banned.h"

#define CACHE_ROWS 256

void
list_invalidate(struct sense *s)
{
	item_rows_release(s->list.rows_cache, s->list.cache_n);
	s->list.rows_cache = NULL;
	s->list.cache_start = s->list.cache_n = 0;
}

static void
list_release(struct sense *s)
{
	list_invalidate(s);
	free(s->list.ids);
	s->list.ids = NULL;
	s->list.nids = 0;
	free(s->list.title);
	free(s->list.filter);
	free(s->list.search);
	s->list.title = s->list.filter = s->list.search = NULL;
}

int64_t
list_selected_id(struct sense *s)
{
	return s->list.pane.sel < s->list.nids ? s->list.ids[s->list.pane.sel] : 0;
}

/* The query the nav selection, filter and search make together; q's
 * strings point into qs or s. */
static void
build_query(struct sense *s, struct item_query *q, struct sbuf *qs)
{
	const struct nav_entry *n = s->nav.n ? &s->nav.v[s->nav.pane.sel] : NULL;
	const char *base = NULL;

	memset(q, 0, sizeof(*q));
	q->order = ORDER_NEWEST;
	q->sort = s->list.sort;
	switch (n ? n->kind : NAV_ALL) {
	case NAV_UNREAD: base = "is:unread"; break;
	case NAV_STARRED: base = "is:starred"; break;
	case NAV_MARKED: base = "is:marked"; break;
	case NAV_NOTED: base = "has:note"; break;
	case NAV_SEARCH: base = n->arg; break;
	case NAV_TAG: q->tag = n->arg; break;
	case NAV_SOURCE: q->source_id = n->source_id; break;
	default: break;
	}
	if (base && *base && s->list.filter)
		sbuf_addf(qs, "(%s) (%s)", base, s->list.filter);
	else if (s->list.filter)
		sbuf_adds(qs, s->list.filter);
	else if (base)
		sbuf_adds(qs, base);
	q->query = qs->len ? qs->buf : NULL;
	q->search = s->list.search;
}

void
list_load(struct sense *s, size_t limit)
{
	struct item_query q;
	struct sbuf qs = SBUF_INIT;
	struct err e = { 0 };
	int64_t keep = list_selected_id(s), *ids = NULL;
	size_t n = 0, i;

	build_query(s, &q, &qs);
	q.limit = limit;
	if (store_items_ids(s->st, &q, &ids, &n, &e) < 0) {
		sense_status(s, true, "%s", e.msg);
		goto out;
	}
	list_invalidate(s);
	free(s->list.ids);
	s->list.ids = ids;
	s->list.nids = n;
	s->list.partial = limit && n == limit;
	s->list.total = s->list.partial ? -1 : (int64_t)n;
	s->list.pane.n = n;
	s->list.pane.sel = 0;
	for (i = 0; keep && i < n; i++)
		if (ids[i] == keep) {
			s->list.pane.sel = i;
			break;
		}
	pane_fit(&s->list.pane);
out:
	sbuf_release(&qs);
}

/* A key typed and not read yet (bytes in the terminal's queue; not
 * EOF, which a poll() would call readable). */
static int
key_waiting(void *arg)
{
	int n = 0;

	(void)arg;
	return ioctl(0, FIONREAD, &n) == 0 && n > 0;
}

void
list_count(struct sense *s)
{
	struct item_query q;
	struct sbuf qs = SBUF_INIT;
	struct err e = { 0 };
	int64_t n = 0;
	const struct nav_entry *v = s->nav.n ? &s->nav.v[s->nav.pane.sel] : NULL;
	int rc;

	/* a view whose count the store keeps: no pass over the items (at
	 * a million items a count(*) of All takes a few hundred ms, which
	 * a key pressed meanwhile would wait for) */
	if (v && v->counted && v->total >= 0 && !s->list.filter &&
	    !s->list.search) {
		s->list.total = v->total;
		return;
	}
	build_query(s, &q, &qs);
	/* idle work: a count of a million matches (a frequent word) takes
	 * seconds, and a key typed meanwhile goes first; the count starts
	 * again when the keys stop */
	store_interrupt_when(s->st, key_waiting, NULL);
	rc = store_items_count(s->st, &q, &n, &e);
	store_interrupt_when(s->st, NULL, NULL);
	if (rc < 0 && key_waiting(NULL)) {
		sbuf_release(&qs);
		return;
	}
	if (rc < 0) {
		sense_status(s, true, "%s", e.msg);
		n = (int64_t)s->list.nids;
	}
	s->list.total = n;
	sbuf_release(&qs);
}

int
list_unread_ids(struct sense *s, int64_t **ids, size_t *n, struct err *e)
{
	struct item_query q;
	struct sbuf qs = SBUF_INIT, un = SBUF_INIT;
	int rc;

	build_query(s, &q, &qs);
	if (q.query)
		sbuf_addf(&un, "(%s) is:unread", q.query);
	else
		sbuf_adds(&un, "is:unread");
	q.query = un.buf;
	q.limit = 0;
	rc = store_items_ids(s->st, &q, ids, n, e);
	sbuf_release(&un);
	sbuf_release(&qs);
	return rc;
}

size_t
list_first_page(const struct sense *s)
{
	return (size_t)(s->rows > 0 ? s->rows : 50) + 64;
}

static void
list_grow(struct sense *s)
{
	size_t first = list_first_page(s);

	if (s->list.partial)
		list_load(s, s->list.nids * 2 > first ? s->list.nids * 2 : first);
}

const struct item_row *
list_row(struct sense *s, size_t i)
{
	struct err e = { 0 };
	size_t start, n, k;

	if (i >= s->list.nids)
		return NULL;
	if (s->list.rows_cache && i >= s->list.cache_start &&
	    i < s->list.cache_start + s->list.cache_n &&
	    s->list.rows_cache[i - s->list.cache_start].id == s->list.ids[i])
		return &s->list.rows_cache[i - s->list.cache_start];
	list_invalidate(s);
	start = i / (CACHE_ROWS / 2) * (CACHE_ROWS / 2);
	n = s->list.nids - start < CACHE_ROWS ? s->list.nids - start : CACHE_ROWS;
	if (store_items_rows(s->st, s->list.ids + start, n, &s->list.rows_cache, &k,
			     &e) < 0) {
		sense_status(s, true, "%s", e.msg);
		return NULL;
	}
	s->list.cache_start = start;
	s->list.cache_n = k;
	/* an id that vanished shifts the rest: check before trusting */
	if (i - start < k && s->list.rows_cache[i - start].id == s->list.ids[i])
		return &s->list.rows_cache[i - start];
	return NULL;
}

/* Append str (stored text, untrusted) to sb as display_line() makes it,
 * padded or cut to width columns when width > 0. */
static void
add_field(struct sbuf *sb, const char *str, int width)
{
	char *clean = display_line(str, 1024);

	if (width > 0) {
		char *cut = text_cut(clean, (size_t)width, true);
		size_t w = text_width(cut);

		sbuf_adds(sb, cut);
		while ((int)w++ < width)
			sbuf_addch(sb, ' ');
		free(cut);
	} else {
		sbuf_adds(sb, clean);
	}
	free(clean);
}

/* The user's [general] date-format is a strftime format by design. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void
format_date(char *buf, size_t n, const char *fmt, const struct tm *tm)
{
	if (!fmt || !*fmt)
		fmt = "%Y-%m-%d";
	if (strftime(buf, n, fmt, tm) == 0)
		buf[0] = '\0';
}
#pragma GCC diagnostic pop

static const char *
list_format(const struct sense *s)
{
	const char *fmt = "%f %d %14s %t %g";
	size_t i;

	for (i = 0; i < s->cfg->nformats; i++)
		if (!strcmp(s->cfg->formats[i].key, "list"))
			fmt = s->cfg->formats[i].value;
	return fmt;
}

/*
 * The width the source column gets in a row of wd columns: the title
 * gets the width first. In one source's list the source is left out;
 * else it gets at most a third of what the fixed fields leave, and is
 * left out below 6 columns. fixed counts everything but the title, the
 * source, the tags and the author.
 */
static int
source_width(const struct sense *s, const char *fmt, int wd, int want)
{
	const struct nav_entry *n = s->nav.n ? &s->nav.v[s->nav.pane.sel] : NULL;
	const char *p;
	int fixed = 0, rest, w;

	if (n && n->kind == NAV_SOURCE)
		return 0;
	for (p = fmt; *p; p++) {
		int width = 0;

		if (*p != '%' || !p[1]) {
			fixed++;
			continue;
		}
		p++;
		while (*p >= '0' && *p <= '9' && width < 1000)
			width = width * 10 + (*p++ - '0');
		if (*p == 'f' || *p == 'd')
			fixed += width ? width : *p == 'f' ? 4 : 10;
		if (!*p)
			break;
	}
	rest = wd - fixed;
	w = rest / 3 < want ? rest / 3 : want;
	return w < 6 ? 0 : w;
}

static void
format_row(struct sense *s, const struct item_row *r, int wd,
	   struct sbuf *sb)
{
	const char *fmt = list_format(s), *p;
	char buf[64];
	bool skip_space = false;

	for (p = fmt; *p; p++) {
		int width = 0;

		if (*p != '%' || !p[1]) {
			if (!(skip_space && *p == ' '))
				sbuf_addch(sb, *p == '\t' ? ' ' : *p);
			skip_space = false;
			continue;
		}
		skip_space = false;
		p++;
		while (*p >= '0' && *p <= '9' && width < 1000)
			width = width * 10 + (*p++ - '0');
		switch (*p) {
		case 'f':
			snprintf(buf, sizeof(buf), "%c%c%c%c",
				 r->read ? ' ' : 'N', r->starred ? '*' : ' ',
				 r->marked ? 'm' : ' ', r->nnotes ? '+' : ' ');
			add_field(sb, buf, width);
			break;
		case 'd': {
			time_t t = (time_t)r->date;
			struct tm tm;

			buf[0] = '\0';
			if (localtime_r(&t, &tm))
				format_date(buf, sizeof(buf), s->cfg->date_format,
					    &tm);
			add_field(sb, buf, width);
			break;
		}
		case 's':
			if (width) {
				width = source_width(s, fmt, wd, width);
				if (!width) {
					skip_space = true; /* and its gap */
					break;
				}
			}
			add_field(sb, r->source_title, width);
			break;
		case 't': add_field(sb, r->title, width); break;
		case 'a': add_field(sb, r->author, width); break;
		case 'g':
			if (r->tags) {
				sbuf_addch(sb, '[');
				add_field(sb, r->tags, 0);
				sbuf_addch(sb, ']');
			}
			break;
		case '%': sbuf_addch(sb, '%'); break;
		default: sbuf_addch(sb, '%'); sbuf_addch(sb, *p); break;
		}
		if (!*p)
			break;
	}
}

static void
list_draw(struct sense *s, WINDOW *w, int y, int x, int h, int wd)
{
	struct pane *p = &s->list.pane;
	struct sbuf line = SBUF_INIT;
	int r;

	pane_fit(p);
	if (!s->list.nids) {
		wattrset(w, draw_attr(COL_NORMAL));
		for (r = 0; r < h; r++)
			draw_clean(w, y + r, x, wd, r == 0 ? "  no items" : "");
		return;
	}
	for (r = 0; r < h; r++) {
		size_t i = p->top + (size_t)r;
		const struct item_row *row = list_row(s, i);
		attr_t a = draw_attr(COL_NORMAL);

		if (!row) {
			wattrset(w, a);
			draw_clean(w, y + r, x, wd, "");
			continue;
		}
		if (!row->read)
			a = draw_attr(COL_UNREAD);
		if (i == p->sel)
			a = draw_attr(COL_SELECTED) |
			    (s->focus == FOCUS_LIST ? A_BOLD : 0);
		sbuf_reset(&line);
		format_row(s, row, wd, &line);
		wattrset(w, a);
		draw_clean(w, y + r, x, wd, line.buf);
	}
	sbuf_release(&line);
}

bool
list_find_unread(struct sense *s, int dir)
{
	size_t i = s->list.pane.sel, steps = 0;

	while (steps++ < 20000) {
		const struct item_row *r;

		if (dir > 0 && i + 1 >= s->list.nids && s->list.partial)
			list_grow(s);
		if (dir > 0 ? i + 1 >= s->list.nids : i == 0)
			return false;
		i = dir > 0 ? i + 1 : i - 1;
		r = list_row(s, i);
		if (r && !r->read) {
			pane_set(&s->list.pane, i);
			return true;
		}
	}
	return false;
}

void
list_open_selected(struct sense *s)
{
	int64_t id = list_selected_id(s);

	if (!id)
		return;
	item_open(s, id);
	if (s->item.open)
		s->focus = FOCUS_ITEM;
}

static void
list_open(struct sense *s)
{
	list_load(s, list_first_page(s));
}

static void
list_resize(struct sense *s)
{
	s->list.pane.height = s->rows - 2;
	s->list.pane.n = s->list.nids;
	pane_fit(&s->list.pane);
}

static bool
list_key(struct sense *s, enum action a, int key)
{
	struct pane *p = &s->list.pane;
	size_t h = p->height > 1 ? (size_t)p->height - 1 : 1;

	(void)key;
	switch (a) {
	case ACT_DOWN: pane_move(p, 1); break;
	case ACT_UP: pane_move(p, -1); break;
	case ACT_PAGE_DOWN: pane_move(p, (long)h); break;
	case ACT_PAGE_UP: pane_move(p, -(long)h); break;
	case ACT_TOP: pane_set(p, 0); break;
	case ACT_BOTTOM:
		if (s->list.partial)
			list_load(s, 0);
		pane_set(p, p->n ? p->n - 1 : 0);
		break;
	case ACT_OPEN:
		list_open_selected(s);
		return true;
	default:
		return false;
	}
	/* the focus may have been on an item that is not open */
	s->focus = FOCUS_LIST;
	/* read ahead of the selection, never the whole view at once */
	if (p->sel + h + 1 >= s->list.nids && s->list.partial)
		list_grow(s);
	return true;
}

const struct view_ops list_ops = {
	"list", list_open, list_draw, list_key, list_resize, list_release,
};
