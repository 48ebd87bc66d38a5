/*
 * sense: the ncurses reader (DESIGN.md §4), the only curses user. It
 * reads and writes the store through store.h, fetches in the background
 * through seek.h and prints nothing outside its own screen.
 */
#ifndef GLEAN_SENSE_H
#define GLEAN_SENSE_H

#include "glean/base.h"

struct store;
struct config;

struct sense_opts {
	const char *busy;   /* why the store is read-only, or NULL */
};

/* Run the reader on st until the user quits or a signal arrives. The
 * terminal is restored on every exit path. Returns 0, or -1 with e set
 * (e.g. no terminal). */
int sense_run(struct store *st, const struct config *cfg,
	      const struct sense_opts *o, struct err *e);

/* Print the key table (action, default keys, help) as man(7) lines, so
 * the man page's key section is generated from the same table. */
void sense_keys_man(void);

#endif
