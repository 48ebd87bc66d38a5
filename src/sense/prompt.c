/*
 * The one-line prompt on the status row (search, filter, tags, notes,
 * ':' commands) and tag completion. Editing is at the end of the line:
 * type, Backspace, ^U clears, ^W drops a word, Tab completes, Enter
 * accepts, Esc or ^G cancels. Input is UTF-8 text; what is shown is
 * sanitized like everything else.
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "private.h"
#include "glean/banned.h"

/* The prompt's keys: characters as themselves, curses function keys
 * (KEY_CODE_YES) moved past Unicode so they never alias one. */
#define PROMPT_FN(k) (0x200000 + (int)(k))
/* What a prompt line holds at most; a longer paste is cut and says so. */
#define PROMPT_MAX ((size_t)64 * 1024)

static void
prompt_open(struct sense *s)
{
	struct prompt_view *v = &s->prompt;

	v->open = true;
	v->done = v->accepted = v->cut = false;
}

static void
prompt_close(struct sense *s)
{
	struct prompt_view *v = &s->prompt;

	sbuf_release(&v->line);
	v->open = false;
	v->label = NULL;
	v->complete = NULL;
}

static void
prompt_resize(struct sense *s)
{
	(void)s; /* drawn from the row count each time */
}

/* The label and line on row y (the status row); the status (completion
 * candidates) on the row above. */
static void
prompt_draw(struct sense *s, WINDOW *w, int y, int x, int h, int cols)
{
	const struct prompt_view *v = &s->prompt;
	const char *label = v->label ? v->label : "";
	size_t lw = text_width(label), lwid, skip = 0;

	(void)h;
	if (s->status[0] && y > 1) {
		wattrset(w, draw_attr(COL_STATUS));
		draw_text(w, y - 1, x, cols, s->status);
	}
	wattrset(w, draw_attr(COL_NORMAL));
	draw_text(w, y, x, cols, label);
	/* show the tail when the line is wider than the room left */
	lwid = text_width(v->line.buf);
	if ((int)(lw + lwid + 1) > cols) {
		size_t drop = lw + lwid + 1 - (size_t)cols;
		uint32_t cp;

		/* one pass: a 64 KB paste must not cost a pass per byte */
		skip = text_cut_len(v->line.buf, drop);
		if (v->line.buf[skip] && text_width_n(v->line.buf, skip) < drop)
			skip += utf8_decode(v->line.buf + skip,
					    v->line.len - skip, &cp);
	}
	draw_text(w, y, x + (int)lw, cols - (int)lw, v->line.buf + skip);
	wmove(w, y, x + (int)(lw + text_width(v->line.buf + skip)));
	curs_set(1);
}

static void
drop_last_char(struct sbuf *sb)
{
	size_t n = sb->len;

	while (n > 0) {
		n--;
		if (((unsigned char)sb->buf[n] & 0xC0) != 0x80)
			break;
	}
	sbuf_truncate(sb, n);
}

/* Edit the line: type, Backspace, ^U, ^W, Tab, Enter accepts, Esc or ^G
 * cancel (done is set then). */
static bool
prompt_edit_key(struct sense *s, enum action a, int key)
{
	struct prompt_view *v = &s->prompt;
	struct sbuf *line = &v->line;

	(void)a;
	if (key == PROMPT_FN(KEY_BACKSPACE) || key == 127 || key == 8) {
		drop_last_char(line);
	} else if (key == PROMPT_FN(KEY_ENTER) || key == '\n' ||
		   key == '\r') {
		v->done = v->accepted = true;
	} else if (key == 27 || key == 7) {
		v->done = true;
	} else if (key == 21) {
		sbuf_reset(line);
	} else if (key == 23) {
		while (line->len && line->buf[line->len - 1] == ' ')
			sbuf_truncate(line, line->len - 1);
		while (line->len && line->buf[line->len - 1] != ' ')
			sbuf_truncate(line, line->len - 1);
	} else if (key == '\t') {
		if (v->complete)
			v->complete(s, line);
	} else if (key >= 32 && key != 127 && key < 0x110000) {
		char u[4];
		int n = utf8_encode((uint32_t)key, u);

		if (n > 0 && sbuf_add(line, u, (size_t)n) < 0)
			v->cut = true;
	}
	return true;
}

const struct view_ops prompt_ops = {
	"prompt", prompt_open, prompt_draw, prompt_edit_key, prompt_resize,
	prompt_close,
};

char *
prompt_line(struct sense *s, const char *label, const char *init,
	    complete_fn complete)
{
	struct prompt_view *v = &s->prompt;
	char *out = NULL;
	bool cut;
	wint_t ch;
	int r;

	if (s->pending_arg) {
		out = s->pending_arg;
		s->pending_arg = NULL;
		return out;
	}
	sbuf_init(&v->line, PROMPT_MAX);
	if (init)
		sbuf_adds(&v->line, init);
	v->label = label;
	v->complete = complete;
	prompt_ops.open(s);
	while (!v->done && !*s->stop) {
		sense_suspend();
		prompt_ops.draw(s, stdscr, s->rows - 1, 0, 1, s->cols);
		refresh();
		/* then every key already waiting (a paste) before the next
		 * draw: one draw per pause, not one per character */
		timeout(500);
		while ((r = get_wch(&ch)) != ERR && !*s->stop) {
			if (r == KEY_CODE_YES && ch == KEY_RESIZE)
				sense_layout(s);
			else
				prompt_ops.key(s, ACT_NONE, r == KEY_CODE_YES ?
					       PROMPT_FN(ch) : (int)ch);
			if (v->done)
				break;
			timeout(0);
		}
	}
	if (v->accepted)
		out = sbuf_detach(&v->line, NULL);
	cut = v->cut;
	v->last_cut = out && cut;
	prompt_ops.close(s);
	curs_set(0);
	/* completion lists were for the prompt only */
	if (out && cut)
		sense_status(s, true, "the text was cut at %zu KB; what "
			     "followed was not kept", PROMPT_MAX / 1024);
	else
		sense_status(s, false, "%s", "");
	return out;
}

/* Complete the last comma-separated tag against the store's tags: a
 * single match is filled in; several fill their common prefix and are
 * listed on the status line (shown after the prompt closes or redraws). */
void
complete_tags(struct sense *s, struct sbuf *line)
{
	size_t start = line->len, plen, i, nmatch = 0, common = 0;
	const char *first = NULL;
	struct sbuf list = SBUF_INIT;

	while (start > 0 && line->buf[start - 1] != ',')
		start--;
	while (line->buf[start] == ' ')
		start++;
	plen = line->len - start;
	for (i = 0; i < s->nav.ntag_names; i++) {
		const char *t = s->nav.tag_names[i];

		if (strncasecmp(t, line->buf + start, plen) != 0)
			continue;
		if (!first) {
			first = t;
			common = strlen(t);
		} else {
			size_t k = 0;

			while (k < common && t[k] &&
			       (t[k] | 32) == (first[k] | 32))
				k++;
			common = k;
		}
		nmatch++;
		if (list.len < 200)
			sbuf_addf(&list, "%s%s", list.len ? " " : "", t);
	}
	if (!first) {
		beep();
		goto out;
	}
	sbuf_truncate(line, start);
	sbuf_add(line, first, common);
	if (nmatch == 1)
		sbuf_adds(line, ", ");
	else
		sense_status(s, false, "tags: %s", list.buf);
out:
	sbuf_release(&list);
}

int
prompt_key(struct sense *s, const char *label)
{
	struct prompt_view *v = &s->prompt;
	wint_t ch;
	int r, key = -1;

	sbuf_init(&v->line, 16);
	sbuf_adds(&v->line, "");
	v->label = label;
	v->complete = NULL;
	prompt_ops.open(s);
	for (;;) {
		sense_suspend();
		prompt_ops.draw(s, stdscr, s->rows - 1, 0, 1, s->cols);
		refresh();
		timeout(500);
		r = get_wch(&ch);
		if (*s->stop)
			break;
		if (r == ERR)
			continue;
		if (r == KEY_CODE_YES) {
			if (ch == KEY_RESIZE) {
				sense_layout(s);
				continue;
			}
			key = 0;
			break;
		}
		key = ch < 256 ? (int)ch : 0;
		break;
	}
	prompt_ops.close(s);
	curs_set(0);
	sense_status(s, false, "%s", "");
	return key;
}
