/*
 * The help view ('?'): every action of SENSE_ACTIONS with the keys bound
 * to it now (defaults and [bind]), over the whole screen but the status
 * row. It is the same table as the keymap, the ':' line and the man
 * page's key table, so it cannot disagree with them.
 */
#include <stdio.h>

#include "private.h"
#include "glean/banned.h"

static void
help_open(struct sense *s)
{
	s->help.open = true;
	s->help.pane.sel = s->help.pane.top = 0;
	s->help.pane.n = ACT_COUNT - 1;
	s->help.pane.height = s->rows - 2;
}

static void
help_resize(struct sense *s)
{
	s->help.pane.height = s->rows - 2;
}

static void
help_close(struct sense *s)
{
	s->help.open = false;
}

/* The bar on row y, the actions below it. */
static void
help_draw(struct sense *s, WINDOW *w, int y, int x, int h, int wd)
{
	struct pane *p = &s->help.pane;
	int r;

	wattrset(w, draw_attr(COL_TITLE));
	draw_clean(w, y, x, wd, " glean | help (q closes; keys from [bind] "
		   "in the config)");
	for (r = 0; r < h - 1; r++) {
		size_t a = p->top + (size_t)r + 1;
		char keys[64], line[256];

		wattrset(w, draw_attr(COL_NORMAL));
		if (a >= ACT_COUNT) {
			draw_clean(w, y + r + 1, x, wd, "");
			continue;
		}
		keymap_keys(&s->km, (enum action)a, keys, sizeof(keys));
		snprintf(line, sizeof(line), "  %-16s %-14s %s", keys,
			 sense_actions[a].name, sense_actions[a].help);
		draw_clean(w, y + r + 1, x, wd, line);
	}
}

static bool
help_key(struct sense *s, enum action a, int key)
{
	struct pane *p = &s->help.pane;
	size_t last = ACT_COUNT - 1, h = p->height > 1 ? (size_t)p->height
						       : 1;
	size_t max = last > h ? last - h : 0;

	switch (a) {
	case ACT_QUIT: case ACT_HELP:
		help_close(s);
		break;
	case ACT_QUIT_ALL:
		s->quit = true;
		break;
	case ACT_DOWN: p->top += 1; break;
	case ACT_PAGE_DOWN: p->top += 10; break;
	case ACT_UP: p->top = p->top > 1 ? p->top - 1 : 0; break;
	case ACT_PAGE_UP: p->top = p->top > 10 ? p->top - 10 : 0; break;
	case ACT_TOP: p->top = 0; break;
	case ACT_BOTTOM: p->top = max; break;
	default:
		if (key == 27)
			help_close(s);
		break;
	}
	if (p->top > max)
		p->top = max;
	p->sel = p->top;
	return true;
}

const struct view_ops help_ops = {
	"help", help_open, help_draw, help_key, help_resize, help_close,
};
