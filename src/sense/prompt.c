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

static void
prompt_draw(struct sense *s, const char *label, const struct sbuf *line)
{
	size_t lw = text_width(label), w, skip = 0;
	int cols = s->cols;

	/* completion candidates, if any, on the row above */
	if (s->status[0] && s->rows > 2) {
		attrset(draw_attr(COL_STATUS));
		draw_text(stdscr, s->rows - 2, 0, cols, s->status);
	}
	attrset(draw_attr(COL_NORMAL));
	draw_text(stdscr, s->rows - 1, 0, cols, label);
	/* show the tail when the line is wider than the room left */
	w = text_width(line->buf);
	if ((int)(lw + w + 1) > cols) {
		size_t drop = lw + w + 1 - (size_t)cols;

		while (line->buf[skip] && text_width_n(line->buf, skip) < drop)
			skip++;
	}
	draw_text(stdscr, s->rows - 1, (int)lw, cols - (int)lw,
		  line->buf + skip);
	move(s->rows - 1, (int)(lw + text_width(line->buf + skip)));
	curs_set(1);
	refresh();
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

char *
prompt_line(struct sense *s, const char *label, const char *init,
	    complete_fn complete)
{
	struct sbuf line = SBUF_INIT;
	char *out = NULL;
	wint_t ch;
	int r;

	if (s->pending_arg) {
		out = s->pending_arg;
		s->pending_arg = NULL;
		return out;
	}
	sbuf_init(&line, 64 * 1024);
	if (init)
		sbuf_adds(&line, init);
	for (;;) {
		prompt_draw(s, label, &line);
		timeout(-1);
		r = get_wch(&ch);
		if (*s->stop)
			break;
		if (r == ERR)
			continue;
		if (r == KEY_CODE_YES) {
			if (ch == KEY_BACKSPACE)
				drop_last_char(&line);
			else if (ch == KEY_ENTER)
				goto accept;
			else if (ch == KEY_RESIZE)
				sense_layout(s);
			continue;
		}
		if (ch == '\n' || ch == '\r')
			goto accept;
		if (ch == 27 || ch == 7)
			break;
		if (ch == 127 || ch == 8) {
			drop_last_char(&line);
		} else if (ch == 21) {
			sbuf_reset(&line);
		} else if (ch == 23) {
			while (line.len && line.buf[line.len - 1] == ' ')
				sbuf_truncate(&line, line.len - 1);
			while (line.len && line.buf[line.len - 1] != ' ')
				sbuf_truncate(&line, line.len - 1);
		} else if (ch == '\t') {
			if (complete)
				complete(s, &line);
		} else if (ch >= 32 && ch != 127 && ch < 0x110000) {
			char u[4];
			int n = utf8_encode((uint32_t)ch, u);

			if (n > 0)
				sbuf_add(&line, u, (size_t)n);
		}
	}
	goto out;
accept:
	out = sbuf_detach(&line, NULL);
out:
	sbuf_release(&line);
	curs_set(0);
	/* completion lists were for the prompt only */
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
	struct sbuf none = SBUF_INIT;
	wint_t ch;
	int r, key = -1;

	sbuf_adds(&none, "");
	for (;;) {
		prompt_draw(s, label, &none);
		timeout(-1);
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
	sbuf_release(&none);
	curs_set(0);
	sense_status(s, false, "%s", "");
	return key;
}
