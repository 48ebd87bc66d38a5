/*
 * A list position: selection and scroll offset over n rows in a window of
 * height rows. Views keep one per list and draw rows [top, top+height);
 * this file never reads rows, so lists load lazily around what is shown.
 */
#include "private.h"
#include "glean/banned.h"

void
pane_fit(struct pane *p)
{
	size_t h = p->height > 0 ? (size_t)p->height : 1;

	if (p->n == 0) {
		p->sel = p->top = 0;
		return;
	}
	if (p->sel >= p->n)
		p->sel = p->n - 1;
	if (p->sel < p->top)
		p->top = p->sel;
	if (p->sel >= p->top + h)
		p->top = p->sel - h + 1;
	if (p->top + h > p->n)
		p->top = p->n > h ? p->n - h : 0;
}

void
pane_set(struct pane *p, size_t sel)
{
	p->sel = sel;
	pane_fit(p);
}

void
pane_move(struct pane *p, long delta)
{
	if (delta < 0 && (size_t)-delta > p->sel)
		p->sel = 0;
	else
		p->sel = (size_t)((long)p->sel + delta);
	pane_fit(p);
}
