/*
 * The item view: a header, the content through the shared renderer
 * (numbered links, listed at the end), and the item's notes and quotes.
 * It also runs the actions that need the item's text: picking a passage
 * to quote ('h'), picking a note to edit or remove ('e', 'x'), opening a
 * link in the browser and writing a note in $EDITOR. Programs are
 * started with posix_spawnp and an argv, never a shell; the URL or file
 * is one argv element.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "private.h"
#include "glean/banned.h"

extern char **environ;

static void item_layout(struct sense *s);

static void
lines_free(struct sense *s)
{
	size_t i;

	for (i = 0; i < s->item.nlines; i++)
		free(s->item.lines[i]);
	free(s->item.lines);
	free(s->item.line_col);
	free(s->item.note_first);
	free(s->item.note_end);
	s->item.lines = NULL;
	s->item.line_col = NULL;
	s->item.note_first = s->item.note_end = NULL;
	s->item.nlines = 0;
}

static void
add_line(struct sense *s, enum color_el col, char *clean)
{
	s->item.lines = xrealloc(s->item.lines, (s->item.nlines + 1) * sizeof(char *));
	s->item.line_col = xrealloc(s->item.line_col,
			       (s->item.nlines + 1) * sizeof(*s->item.line_col));
	s->item.lines[s->item.nlines] = clean;
	s->item.line_col[s->item.nlines++] = col;
}

static void
add_linef(struct sense *s, enum color_el col, const char *label,
	  const char *untrusted)
{
	char *clean = display_line(untrusted, 4096);

	add_line(s, col, xasprintf("%s%s", label, clean));
	free(clean);
}

/* Add text (sanitized multi-line, via render_plain) wrapped to width. */
static void
add_wrapped(struct sense *s, enum color_el col, const char *prefix,
	    const char *text, int width)
{
	struct render_out ro;
	char *p, *nl;

	render_plain(text ? text : "", text ? strlen(text) : 0,
		     width - (int)strlen(prefix), &ro, NULL);
	for (p = ro.text.buf; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		add_line(s, col, xasprintf("%s%.*s", prefix, (int)(nl - p), p));
		if (!*nl)
			break;
	}
	render_out_release(&ro);
}

/* One line of the link list (sanitized render output), cut into pieces
 * of width columns, the rest indented by 4. */
static void
add_link_line(struct sense *s, const char *p, size_t len, int width)
{
	char *line = xstrndup(p, len), *q = line;
	size_t w = width > 12 ? (size_t)width : 12, n;
	bool first = true;

	while (*q) {
		size_t room = first ? w : w - 4;

		n = text_width(q) > room ? text_cut_len(q, room) : strlen(q);
		if (!n)
			n = strlen(q);
		if (q[n]) {
			/* at a space when there is one */
			size_t b = n;

			while (b > 8 && q[b - 1] != ' ')
				b--;
			if (b > 8)
				n = b;
		}
		add_line(s, COL_NORMAL, xasprintf("%s%.*s", first ? "" : "    ",
						  (int)n, q));
		q += n;
		first = false;
	}
	if (first)
		add_line(s, COL_NORMAL, xstrdup(""));
	free(line);
}

static void
build_lines(struct sense *s, int width)
{
	const struct item *it = &s->item.it;
	struct err e = { 0 };
	char date[64] = "", *p, *nl, *tags = NULL;
	size_t i, split;

	lines_free(s);
	render_out_release(&s->item.rendered);
	s->item.width = width;
	add_linef(s, COL_HEADING, "", it->title && *it->title ? it->title
							     : "(no title)");
	add_linef(s, COL_NORMAL, "Source: ", it->source_title);
	if (it->author && *it->author)
		add_linef(s, COL_NORMAL, "Author: ", it->author);
	if (it->published || it->fetched) {
		time_t t = (time_t)(it->published ? it->published : it->fetched);
		struct tm tm;

		if (localtime_r(&t, &tm))
			strftime(date, sizeof(date), "%Y-%m-%d %H:%M", &tm);
		add_linef(s, COL_NORMAL, "Date: ", date);
	}
	if (it->url)
		add_linef(s, COL_NORMAL, "Link: ", it->url);
	if (it->ntags) {
		struct sbuf sb = SBUF_INIT;

		for (i = 0; i < it->ntags; i++)
			sbuf_addf(&sb, "%s%s%s", i ? ", " : "", it->tags[i],
				  it->tag_from_source && it->tag_from_source[i]
				  ? " (source)" : "");
		tags = sbuf_detach(&sb, NULL);
		add_linef(s, COL_NORMAL, "Tags: ", tags);
		free(tags);
	}
	add_line(s, COL_NORMAL, xasprintf("Flags: %s%s%s",
		 it->read ? "read" : "unread", it->starred ? ", starred" : "",
		 it->marked ? ", marked to share" : ""));
	if (s->item.article && s->item.art.html) {
		const struct store_article *a = &s->item.art;

		add_linef(s, COL_NORMAL, "Article: ", a->url);
		add_line(s, COL_NORMAL, xstrdup(""));
		if (a->title && *a->title)
			add_linef(s, COL_HEADING, "", a->title);
		if (render_html(a->html, strlen(a->html), a->url, width,
				&s->item.rendered, &e) < 0)
			add_linef(s, COL_ERROR, "cannot render: ", e.msg);
	} else {
		add_line(s, COL_NORMAL, xstrdup(""));
		if (render_content(it->content ? it->content : "",
				   it->content ? strlen(it->content) : 0,
				   it->content_type, it->url, width,
				   &s->item.rendered, &e) < 0)
			add_linef(s, COL_ERROR, "cannot render: ", e.msg);
	}
	/* numbered after the links: 'o' opens them the same way */
	render_enclosures(it->enclosures, &s->item.rendered);
	s->item.body_first = s->item.nlines;
	split = s->item.rendered.body_len;
	for (p = s->item.rendered.text.buf; *p && (size_t)(p - s->item.rendered.text.buf)
	     < split; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		add_line(s, COL_NORMAL, xstrndup(p, (size_t)(nl - p)));
		if (!*nl)
			break;
	}
	s->item.body_end = s->item.nlines;
	if (it->nnotes) {
		add_line(s, COL_NORMAL, xstrdup(""));
		add_line(s, COL_HEADING, xasprintf("── notes (%zu) ──",
						   it->nnotes));
	}
	if (it->nnotes) {
		s->item.note_first = xcalloc(it->nnotes, sizeof(size_t));
		s->item.note_end = xcalloc(it->nnotes, sizeof(size_t));
	}
	for (i = 0; i < it->nnotes; i++) {
		const struct note *n = &it->notes[i];

		s->item.note_first[i] = s->item.nlines;
		if (n->quote)
			add_wrapped(s, COL_QUOTE, "> ", n->quote, width);
		if ((n->body && *n->body) || !n->quote)
			add_wrapped(s, COL_NOTE, "@ ", n->body, width);
		s->item.note_end[i] = s->item.nlines;
		add_line(s, COL_NORMAL, xstrdup(""));
	}
	/* the numbered links and enclosures the renderer put after the
	 * body, long ones wrapped with an indent so type and size show */
	for (p = s->item.rendered.text.buf + split; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		add_link_line(s, p, (size_t)(nl - p), width);
		if (!*nl)
			break;
	}
}

void
item_close(struct sense *s)
{
	lines_free(s);
	render_out_release(&s->item.rendered);
	if (s->item.open)
		item_release(&s->item.it);
	s->item.open = false;
	s->item.quoting = false;
	s->item.note_pick = ACT_NONE;
	s->item.width = 0;
	s->item.article = false;
	store_article_release(&s->item.art);
}

void
item_toggle_article(struct sense *s)
{
	struct store_article a;
	struct err e = { 0 };
	int64_t id;

	if (!s->item.open)
		return;
	if (s->item.article) {
		s->item.article = false;
		s->item.pane.top = 0;
		s->item.width = 0; /* build the lines again */
		item_layout(s);
		sense_status(s, false, "the item's own text");
		return;
	}
	id = s->item.it.id;
	/* stored: no network, and no write */
	if (store_article_get(s->st, id, &a, &e) == 1 && !a.error) {
		store_article_release(&s->item.art);
		s->item.art = a;
	} else {
		store_article_release(&a);
		if (!sense_can_write(s))
			return;
		sense_status(s, false, "fetching the article…");
		if (seek_article(s->st, s->cfg, id, true, &a, &e) < 0) {
			sense_status(s, true, "%s", e.msg);
			return;
		}
		if (a.error) {
			sense_status(s, true, "%s (the item keeps its summary)",
				     a.error);
			store_article_release(&a);
			return;
		}
		store_article_release(&s->item.art);
		s->item.art = a;
	}
	s->item.article = true;
	s->item.pane.top = 0;
	s->item.width = 0; /* build the lines again */
	item_layout(s);
	sense_status(s, false, "the article; 'f' again for the item's text");
}

void
item_open(struct sense *s, int64_t id)
{
	struct err e = { 0 };
	bool same = s->item.open && s->item.it.id == id;

	item_close(s);
	if (!id)
		return;
	if (store_item_get(s->st, id, true, &s->item.it, &e) < 0) {
		sense_status(s, true, "%s", e.msg);
		return;
	}
	s->item.open = true;
	if (!same)
		s->item.pane.top = 0;
	item_layout(s);
	/* reading follows the reader, quietly: no error when another glean
	 * is writing just now */
	if (!s->item.it.read && s->cfg->mark_read_on_open &&
	    store_upgrade_write(s->st, NULL) == 0)
		sense_set_flag(s, id, ITEM_READ, true, false);
}

void
item_reload(struct sense *s)
{
	if (s->item.open) {
		int64_t id = s->item.it.id;
		size_t top = s->item.pane.top;
		bool article = s->item.article;

		item_close(s);
		if (store_item_get(s->st, id, true, &s->item.it, NULL) == 0) {
			s->item.open = true;
			s->item.pane.top = top;
			/* the article stays up (from the store) */
			if (article && store_article_get(s->st, id,
							 &s->item.art,
							 NULL) == 1 &&
			    !s->item.art.error)
				s->item.article = true;
			item_layout(s);
		}
	}
}

/* Keep top inside the lines, and the quote cursor on screen. */
static void
item_fit(struct sense *s)
{
	struct pane *p = &s->item.pane;
	size_t h = p->height > 0 ? (size_t)p->height : 1;

	if (s->item.quoting) {
		if (p->sel < p->top)
			p->top = p->sel;
		if (p->sel >= p->top + h)
			p->top = p->sel - h + 1;
	}
	if (s->item.note_pick && s->item.note_sel < s->item.it.nnotes) {
		/* the picked note on screen, its first line when it is
		 * taller than the pane */
		size_t first = s->item.note_first[s->item.note_sel];
		size_t end = s->item.note_end[s->item.note_sel];

		if (end > p->top + h)
			p->top = end - h;
		if (first < p->top)
			p->top = first;
	}
	if (p->top + h > s->item.nlines)
		p->top = s->item.nlines > h ? s->item.nlines - h : 0;
}

static void
item_layout(struct sense *s)
{
	int width = s->item_w > 2 ? s->item_w - 1 : 1;

	s->item.pane.height = s->rows - 2;
	if (s->item.open && s->item.width != width)
		build_lines(s, width);
	item_fit(s);
}

static void
item_draw(struct sense *s, WINDOW *w, int y, int x, int h, int wd)
{
	const struct item_view *v = &s->item;
	size_t lo = 0, hi = 0;
	int r;

	if (!v->open) {
		wattrset(w, draw_attr(COL_NORMAL));
		for (r = 0; r < h; r++)
			draw_clean(w, y + r, x, wd, "");
		return;
	}
	if (v->quoting) {
		lo = v->q_anchor < v->pane.sel ? v->q_anchor : v->pane.sel;
		hi = v->q_anchor < v->pane.sel ? v->pane.sel : v->q_anchor;
	} else if (v->note_pick && v->note_sel < v->it.nnotes &&
		   v->note_end[v->note_sel] > v->note_first[v->note_sel]) {
		lo = v->note_first[v->note_sel];
		hi = v->note_end[v->note_sel] - 1;
	}
	for (r = 0; r < h; r++) {
		size_t i = v->pane.top + (size_t)r;
		attr_t a = draw_attr(COL_NORMAL);

		if (i < v->nlines) {
			a = draw_attr(v->line_col[i]);
			if ((v->quoting || v->note_pick) && i >= lo &&
			    i <= hi)
				a = draw_attr(COL_SELECTED);
		}
		wattrset(w, a);
		draw_clean(w, y + r, x + 1, wd - 1, i < v->nlines ?
			   v->lines[i] : "");
		wattrset(w, draw_attr(COL_NORMAL));
		draw_clean(w, y + r, x, 1, "");
	}
}

static bool quote_key(struct sense *s, enum action a, int key);
static bool note_pick_key(struct sense *s, enum action a, int key);

/* Scrolling; the quote and note pickers take every key while on. */
static bool
item_key(struct sense *s, enum action a, int key)
{
	struct pane *p = &s->item.pane;
	size_t h = p->height > 1 ? (size_t)p->height - 1 : 1;

	if (s->item.quoting)
		return quote_key(s, a, key);
	if (s->item.note_pick)
		return note_pick_key(s, a, key);
	if (!s->item.open)
		return false;
	switch (a) {
	case ACT_DOWN: p->top++; break;
	case ACT_UP: if (p->top) p->top--; break;
	case ACT_PAGE_DOWN: p->top += h; break;
	case ACT_PAGE_UP: p->top = p->top > h ? p->top - h : 0; break;
	case ACT_TOP: p->top = 0; break;
	case ACT_BOTTOM: p->top = s->item.nlines; break;
	default: return false;
	}
	item_fit(s);
	return true;
}

/* ---- quoting a passage ---- */

static char *
join_lines(struct sense *s, size_t lo, size_t hi)
{
	struct sbuf sb = SBUF_INIT;
	size_t i;

	for (i = lo; i <= hi && i < s->item.nlines; i++) {
		char *t = xstrdup(s->item.lines[i]);

		str_trim(t);
		if (*t)
			sbuf_addf(&sb, "%s%s", sb.len ? " " : "", t);
		free(t);
	}
	return sbuf_detach(&sb, NULL);
}

/* At most 32 bytes at the end (or start) of text, at a character
 * boundary: the TextQuoteSelector context. */
static char *
context(const char *text, bool tail)
{
	size_t len = strlen(text), n = len < 32 ? len : 32, start;

	if (!tail)
		return xstrndup(text, text_cut_len(text, n));
	start = len - n;
	while (start < len && ((unsigned char)text[start] & 0xC0) == 0x80)
		start++;
	return xstrdup(text + start);
}

static void
quote_finish(struct sense *s)
{
	size_t lo = s->item.q_anchor < s->item.pane.sel ? s->item.q_anchor : s->item.pane.sel;
	size_t hi = s->item.q_anchor < s->item.pane.sel ? s->item.pane.sel : s->item.q_anchor;
	char *quote = join_lines(s, lo, hi), *before, *after, *pre, *suf;
	char *note;
	int64_t id = s->item.it.id;

	s->item.quoting = false;
	if (!*quote) {
		sense_status(s, true, "nothing to quote on those lines; pick "
			     "lines of the text");
		free(quote);
		return;
	}
	before = lo > s->item.body_first ? join_lines(s, lo - 1, lo - 1)
				    : xstrdup("");
	after = hi + 1 < s->item.body_end ? join_lines(s, hi + 1, hi + 1)
				     : xstrdup("");
	pre = context(before, true);
	suf = context(after, false);
	note = prompt_line(s, "note on the quote (enter: none): ", NULL, NULL);
	if (note) {
		sense_add_note(s, id, note, quote, pre, suf);
		if (s->status_error && *note && !s->note_draft) {
			size_t n = strlen(s->status);

			/* the passage can be picked again; the words are
			 * kept for the next 'a' */
			snprintf(s->status + n, sizeof(s->status) - n,
				 "; your note is kept for the next a");
			s->note_draft = note;
			note = NULL;
		}
	} else {
		sense_status(s, false, "quote cancelled");
	}
	free(note);
	free(pre);
	free(suf);
	free(before);
	free(after);
	free(quote);
}

void
item_quote_start(struct sense *s)
{
	struct item_view *v = &s->item;

	if (!v->open || v->body_end <= v->body_first) {
		sense_status(s, true, "nothing to quote");
		return;
	}
	s->focus = FOCUS_ITEM;
	v->quoting = true;
	v->pane.sel = v->pane.top > v->body_first ? v->pane.top
						  : v->body_first;
	if (v->pane.sel >= v->body_end)
		v->pane.sel = v->body_first;
	v->q_anchor = v->pane.sel;
	item_fit(s);
	sense_status(s, false, "quote: j/k move, space starts here, enter "
		     "takes the lines, esc cancels");
}

/* Keys while picking a passage: j/k move, space sets the start, enter
 * takes the lines between, esc or q cancels. */
static bool
quote_key(struct sense *s, enum action a, int key)
{
	struct item_view *v = &s->item;

	if (key == 27 || a == ACT_QUIT) {
		v->quoting = false;
		sense_status(s, false, "quote cancelled");
	} else if (a == ACT_DOWN && v->pane.sel + 1 < v->body_end) {
		v->pane.sel++;
	} else if (a == ACT_UP && v->pane.sel > v->body_first) {
		v->pane.sel--;
	} else if (key == ' ' || key == 'v') {
		v->q_anchor = v->pane.sel;
	} else if (a == ACT_OPEN) {
		quote_finish(s);
	} else if (a == ACT_QUIT_ALL) {
		s->quit = true;
	}
	item_fit(s);
	return true;
}

/* ---- editing and removing a note ---- */

/* Edit or remove note i of the open item. Its id and text are copied
 * first: saving reloads the item. Prompts open before anything that
 * could refuse, so what is typed is never read as keys. */
static void
note_act(struct sense *s, enum action a, size_t i)
{
	const struct note *n = &s->item.it.notes[i];
	int64_t nid = n->id;
	bool quoted = n->quote != NULL;
	char *old = xstrdup(n->body ? n->body : "");
	char *gist = display_line(*old ? old : n->quote ? n->quote : "", 40);
	char *label, *body = NULL, *t, keys[64];
	int key;

	if (a == ACT_REMOVE_NOTE) {
		label = xasprintf("remove note %lld \"%s\"? (y/n) ",
				  (long long)nid, gist);
		key = prompt_key(s, label);
		if (key == 'y' || key == 'Y')
			sense_remove_note(s, nid);
		else
			sense_status(s, false, "note %lld kept",
				     (long long)nid);
		goto out;
	}
	label = xasprintf("edit note %lld: ", (long long)nid);
	body = prompt_line(s, label, old, NULL);
	if (!body) {
		sense_status(s, false, "note %lld not changed", (long long)nid);
		goto out;
	}
	t = str_trim(body);
	if (!*t && !quoted) {
		/* as 'glean note --edit': an empty note is no note */
		keymap_keys(&s->km, ACT_REMOVE_NOTE, keys, sizeof(keys));
		sense_status(s, true, "empty note not saved; %s removes it",
			     *keys ? keys : ":remove-note");
	} else if (!strcmp(t, old)) {
		sense_status(s, false, "note %lld unchanged", (long long)nid);
	} else {
		sense_edit_note(s, nid, t);
		if (s->status_error) {
			size_t len = strlen(s->status);

			snprintf(s->status + len, sizeof(s->status) - len,
				 "; your text: %s", t);
		}
	}
out:
	free(label);
	free(body);
	free(gist);
	free(old);
}

void
item_note_pick(struct sense *s, enum action a)
{
	struct item_view *v = &s->item;
	size_t i;

	if (!v->open)
		return;
	if (!v->it.nnotes) {
		sense_status(s, true, "this item has no notes; a adds one");
		return;
	}
	if (v->it.nnotes == 1) {
		note_act(s, a, 0);
		return;
	}
	s->focus = FOCUS_ITEM;
	v->note_pick = a;
	/* the first note on screen, else the first below it */
	v->note_sel = v->it.nnotes - 1;
	for (i = 0; i < v->it.nnotes; i++)
		if (v->note_end[i] > v->pane.top) {
			v->note_sel = i;
			break;
		}
	item_fit(s);
	sense_status(s, false, "%s which note: j/k move, enter takes it, "
		     "esc cancels", a == ACT_EDIT_NOTE ? "edit" : "remove");
}

/* Keys while picking a note: j/k move from note to note, enter takes
 * it, esc, ^G or q cancels. */
static bool
note_pick_key(struct sense *s, enum action a, int key)
{
	struct item_view *v = &s->item;
	enum action pick = v->note_pick;

	if (key == 27 || key == 7 || a == ACT_QUIT) {
		v->note_pick = ACT_NONE;
		sense_status(s, false, "cancelled");
	} else if (a == ACT_DOWN && v->note_sel + 1 < v->it.nnotes) {
		v->note_sel++;
	} else if (a == ACT_UP && v->note_sel > 0) {
		v->note_sel--;
	} else if (a == ACT_OPEN || a == pick) {
		v->note_pick = ACT_NONE;
		sense_status(s, false, "%s", "");
		note_act(s, pick, v->note_sel);
		return true;
	} else if (a == ACT_QUIT_ALL) {
		s->quit = true;
	}
	item_fit(s);
	return true;
}

/* ---- running programs ---- */

static int
run_argv(char **argv, struct err *e)
{
	pid_t pid;
	int st, rc;

	def_prog_mode();
	endwin();
	rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (rc != 0) {
		reset_prog_mode();
		refresh();
		return err_set(e, ERR_IO, "cannot run '%s': %s", argv[0],
			       strerror(rc));
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return err_set(e, ERR_IO, "'%s' exited with status %d",
			       argv[0], WIFEXITED(st) ? WEXITSTATUS(st) : 128);
	return 0;
}

/* Split tmpl into argv, put arg in place of every %u (or append it). */
static int
run_template(const char *tmpl, const char *arg, struct err *e)
{
	char **argv = NULL, **full;
	size_t argc = 0, i;
	bool used = false;
	int rc = -1;

	if (config_split_argv(tmpl, &argv, &argc, e) < 0)
		return -1;
	if (argc == 0) {
		config_argv_free(argv);
		return err_set(e, ERR_CONFIG, "the command '%s' is empty", tmpl);
	}
	full = xcalloc(argc + 2, sizeof(char *));
	for (i = 0; i < argc; i++) {
		char *p = strstr(argv[i], "%u");

		if (p) {
			full[i] = xasprintf("%.*s%s%s", (int)(p - argv[i]),
					    argv[i], arg, p + 2);
			used = true;
		} else {
			full[i] = xstrdup(argv[i]);
		}
	}
	if (!used)
		full[argc++] = xstrdup(arg);
	rc = run_argv(full, e);
	for (i = 0; i < argc; i++)
		free(full[i]);
	free(full);
	config_argv_free(argv);
	return rc;
}

/* SECURITY.md: only http(s), no controls or spaces, never "-..." (it
 * would read as an option). */
static bool
link_ok(const char *url)
{
	const unsigned char *p;

	if (strncasecmp(url, "http://", 7) && strncasecmp(url, "https://", 8))
		return false;
	for (p = (const unsigned char *)url; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

void
item_open_link(struct sense *s)
{
	const char *url = s->item.it.url, *tmpl;
	struct err e = { 0 };
	char *ans = NULL, *label;
	int64_t n;

	if (!s->item.open)
		return;
	if (s->item.rendered.nlinks) {
		label = xasprintf("open link or enclosure (1-%zu, enter: "
				  "the item's link): ", s->item.rendered.nlinks);
		ans = prompt_line(s, label, NULL, NULL);
		free(label);
		if (!ans)
			return;
		if (*ans) {
			if (str_to_i64(ans, &n) < 0 || n < 1 ||
			    (size_t)n > s->item.rendered.nlinks) {
				sense_status(s, true, "no link '%s'; give a "
					     "number from 1 to %zu", ans,
					     s->item.rendered.nlinks);
				free(ans);
				return;
			}
			url = s->item.rendered.links[n - 1].url;
		}
	}
	if (!url || !*url) {
		sense_status(s, true, "this item has no link");
		goto out;
	}
	if (!link_ok(url)) {
		char *clean = text_sanitize(url, strlen(url), true);

		sense_status(s, true, "not opening '%s': only http and https "
			     "links open", clean);
		free(clean);
		goto out;
	}
	tmpl = s->cfg->browser;
	if (!tmpl || !*tmpl)
		tmpl = getenv("BROWSER");
	if (!tmpl || !*tmpl)
		tmpl = "xdg-open";
	if (run_template(tmpl, url, &e) < 0)
		sense_status(s, true, "cannot open the link: %s; set browser "
			     "in [general]", e.msg);
	else
		sense_status(s, false, "opened %s", url);
out:
	free(ans);
}

/* Write the draft: the item quoted as '#' comment lines, stripped on
 * reading. */
static int
write_draft(struct sense *s, int fd, const char *path, struct err *e)
{
	FILE *fp = fdopen(fd, "w");
	size_t i, k = 0;

	if (!fp) {
		close(fd);
		return err_set(e, ERR_IO, "cannot write '%s': %s", path,
			       strerror(errno));
	}
	fprintf(fp, "\n# Write your note above. Lines starting with '#' are "
		    "dropped.\n# %s\n", s->item.nlines ? s->item.lines[0] : "");
	for (i = s->item.body_first; i < s->item.body_end && i < s->item.nlines && k < 40;
	     i++, k++)
		fprintf(fp, "# > %s\n", s->item.lines[i]);
	if (fclose(fp) != 0)
		return err_set(e, ERR_IO, "cannot write '%s': %s", path,
			       strerror(errno));
	return 0;
}

#define NOTE_MAX ((size_t)1 << 20)

/* The note without its '#' lines; NULL (and *too_long) past NOTE_MAX. */
static char *
read_note(const char *path, bool *too_long)
{
	struct sbuf sb = SBUF_INIT;
	char line[4096];
	FILE *fp = fopen(path, "r");

	*too_long = false;
	if (!fp)
		return NULL;
	sbuf_init(&sb, NOTE_MAX);
	while (fgets(line, sizeof(line), fp))
		if (line[0] != '#' && sbuf_adds(&sb, line) < 0) {
			*too_long = true;
			break;
		}
	fclose(fp);
	if (*too_long) {
		sbuf_release(&sb);
		return NULL;
	}
	sbuf_trim(&sb);
	return sbuf_detach(&sb, NULL);
}

void
item_note_editor(struct sense *s)
{
	const char *tmpdir = getenv("TMPDIR"), *ed;
	struct err e = { 0 };
	char *dir, *path = NULL, *body = NULL;
	int64_t id = s->item.it.id;
	bool too_long = false;
	int fd;

	/* the editor opens first: a store busy now may take the note when
	 * the editor closes, and a refused save keeps the draft */
	if (!s->item.open)
		return;
	dir = xasprintf("%s/glean-note-XXXXXX", tmpdir && *tmpdir ? tmpdir
							     : "/tmp");
	if (!mkdtemp(dir)) {
		sense_status(s, true, "cannot create a draft directory: %s",
			     strerror(errno));
		free(dir);
		return;
	}
	path = xasprintf("%s/note-%lld-XXXXXX", dir, (long long)id);
	fd = mkstemp(path);
	if (fd < 0) {
		sense_status(s, true, "cannot create a draft in '%s': %s", dir,
			     strerror(errno));
		rmdir(dir);
		goto out;
	}
	if (write_draft(s, fd, path, &e) < 0) {
		sense_status(s, true, "%s", e.msg);
		goto drop;
	}
	ed = s->cfg->editor;
	if (!ed || !*ed)
		ed = getenv("VISUAL");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	if (run_template(ed, path, &e) < 0) {
		/* keep the draft only when it holds something written */
		body = read_note(path, &too_long);
		if (!too_long && (!body || !*str_trim(body))) {
			sense_status(s, true, "note not saved: %s (nothing "
				     "was written)", e.msg);
			goto drop;
		}
		sense_status(s, true, "note not saved: %s; the draft is in %s",
			     e.msg, path);
		goto keep;
	}
	body = read_note(path, &too_long);
	if (too_long) {
		sense_status(s, true, "note not saved: longer than 1 MiB; the "
			     "draft is in %s", path);
		goto keep;
	}
	if (!body || !*body) {
		/* nothing was written: nothing to keep */
		sense_status(s, true, "note not saved: the editor left it "
			     "empty");
		goto drop;
	}
	sense_add_note(s, id, body, NULL, NULL, NULL);
	if (s->status_error) {
		size_t n = strlen(s->status);

		snprintf(s->status + n, sizeof(s->status) - n,
			 "; the draft is in %s", path);
		goto keep;
	}
drop:
	unlink(path);
	rmdir(dir);
keep:
out:
	free(body);
	free(path);
	free(dir);
}

const struct view_ops item_ops = {
	"item", item_layout, item_draw, item_key, item_layout, item_close,
};
