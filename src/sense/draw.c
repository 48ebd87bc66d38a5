/*
 * Drawing primitives: colours from [color], and the one way text reaches
 * the screen. Everything drawn passes text_sanitize() (or is render
 * output, already sanitized) and is cut by display width, so nothing from
 * a feed can move the cursor, change the terminal or misalign a column.
 * It does not decide layout (sense.c) or what a row says (the views).
 */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "glean/banned.h"

static const struct {
	const char *name;
	short fg, bg;
	attr_t attr;
} defaults[COL_COUNT] = {
	[COL_NORMAL] = { "normal", -1, -1, A_NORMAL },
	[COL_TITLE] = { "title", COLOR_WHITE, COLOR_BLUE, A_BOLD },
	[COL_STATUS] = { "status", COLOR_WHITE, COLOR_BLUE, A_NORMAL },
	[COL_SELECTED] = { "selected", -1, -1, A_REVERSE },
	[COL_UNREAD] = { "unread", -1, -1, A_BOLD },
	[COL_HEADING] = { "heading", COLOR_CYAN, -1, A_BOLD },
	[COL_NOTE] = { "note", COLOR_GREEN, -1, A_NORMAL },
	[COL_QUOTE] = { "quote", COLOR_YELLOW, -1, A_NORMAL },
	[COL_ERROR] = { "error", COLOR_RED, -1, A_BOLD },
	[COL_FAILING] = { "failing", COLOR_RED, -1, A_NORMAL },
};

static attr_t attrs[COL_COUNT];

static int
color_name(const char *s, short *out)
{
	static const char *const names[] = { "black", "red", "green",
		"yellow", "blue", "magenta", "cyan", "white" };
	size_t i;
	char *end;
	long n;

	if (!strcmp(s, "default")) {
		*out = -1;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i])) {
			*out = (short)i;
			return 0;
		}
	if (!strncmp(s, "color", 5)) {
		n = strtol(s + 5, &end, 10);
		if (end != s + 5 && !*end && n >= 0 && n < 256) {
			*out = (short)n;
			return 0;
		}
	}
	return -1;
}

static int
attr_name(const char *s, attr_t *out)
{
	if (!strcmp(s, "bold"))
		*out |= A_BOLD;
	else if (!strcmp(s, "underline"))
		*out |= A_UNDERLINE;
	else if (!strcmp(s, "reverse"))
		*out |= A_REVERSE;
	else if (!strcmp(s, "dim"))
		*out |= A_DIM;
	else if (!strcmp(s, "normal"))
		*out = A_NORMAL;
	else
		return -1;
	return 0;
}

/* "fg [bg] [attr...]" for one element. */
static int
parse_color(const struct config_kv *kv, short *fg, short *bg, attr_t *at,
	    struct err *e)
{
	char *copy = xstrdup(kv->value), *p = copy, *tok;
	int n = 0, rc = 0;

	*at = A_NORMAL;
	while ((tok = strsep(&p, " \t")) != NULL) {
		if (!*tok)
			continue;
		if (n < 2 && color_name(tok, n == 0 ? fg : bg) == 0) {
			n++;
			continue;
		}
		n = 2;
		if (attr_name(tok, at) < 0) {
			rc = err_set(e, ERR_CONFIG, "%s:%d: unknown colour or "
				     "attribute '%s'; expected e.g. 'yellow "
				     "default bold'", kv->file, kv->line, tok);
			break;
		}
	}
	free(copy);
	return rc;
}

int
draw_colors(const struct config *cfg, struct err *e)
{
	short fg[COL_COUNT], bg[COL_COUNT];
	bool color = has_colors() && start_color() == OK;
	size_t i;
	int c, rc = 0;

	if (color)
		use_default_colors();
	for (c = 1; c < COL_COUNT; c++) {
		fg[c] = defaults[c].fg;
		bg[c] = defaults[c].bg;
		attrs[c] = defaults[c].attr;
	}
	for (i = 0; i < cfg->ncolors; i++) {
		const struct config_kv *kv = &cfg->colors[i];

		for (c = 1; c < COL_COUNT; c++)
			if (!strcmp(kv->key, defaults[c].name))
				break;
		if (c == COL_COUNT) {
			if (rc == 0)
				rc = err_set(e, ERR_CONFIG, "%s:%d: unknown "
					     "element '%s' in [color]",
					     kv->file, kv->line, kv->key);
			continue;
		}
		if (parse_color(kv, &fg[c], &bg[c], &attrs[c],
				rc == 0 ? e : NULL) < 0)
			rc = -1;
	}
	for (c = 1; c < COL_COUNT && color; c++) {
		if (fg[c] >= COLORS || bg[c] >= COLORS)
			fg[c] = bg[c] = -1;
		init_pair((short)c, fg[c], bg[c]);
		attrs[c] |= COLOR_PAIR(c);
	}
	return rc;
}

attr_t
draw_attr(enum color_el c)
{
	return attrs[c];
}

void
draw_clean(WINDOW *w, int y, int x, int cols, const char *s)
{
	size_t n, used;
	int i;

	if (cols <= 0)
		return;
	s = s ? s : "";
	n = text_cut_len(s, (size_t)cols);
	used = text_width_n(s, n);
	wmove(w, y, x);
	waddnstr(w, s, (int)n);
	for (i = (int)used; i < cols; i++)
		waddch(w, ' ');
}

void
draw_text(WINDOW *w, int y, int x, int cols, const char *s)
{
	char *clean = display_line(s, 0);

	draw_clean(w, y, x, cols, clean);
	free(clean);
}

char *
display_line(const char *stored, size_t max)
{
	char *clean;
	size_t len;

	if (!max)
		max = 4096;
	stored = stored ? stored : "";
	len = strlen(stored);
	if (len > max * 2) {
		len = max * 2;
		while (len > 0 && ((unsigned char)stored[len] & 0xC0) == 0x80)
			len--;
	}
	clean = text_sanitize(stored, len, true);
	len = strlen(clean);
	if (len > max) {
		/* back to the start of the character at max */
		while (max > 0 && ((unsigned char)clean[max] & 0xC0) == 0x80)
			max--;
		clean[max] = '\0';
	}
	return clean;
}
