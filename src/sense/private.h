/* sense internals shared by the files in src/sense only. */
#ifndef GLEAN_SENSE_PRIVATE_H
#define GLEAN_SENSE_PRIVATE_H

#include <curses.h>
#include <signal.h>

#include "glean/config.h"
#include "glean/render.h"
#include "glean/seek.h"
#include "glean/sense.h"
#include "glean/store.h"

/*
 * Every action once: name (for [bind] and ':'), default keys (space
 * separated key names), help. This one list drives the keymap, the '?'
 * screen, the ':' command line and the man page section.
 */
#define SENSE_ACTIONS(X)                                                    \
	X(QUIT, "quit", "q", "go back; quit from the list")                \
	X(QUIT_ALL, "quit-all", "Q", "quit the reader")                    \
	X(HELP, "help", "?", "show this help")                             \
	X(DOWN, "down", "j down", "next row or line")                      \
	X(UP, "up", "k up", "previous row or line")                        \
	X(PAGE_DOWN, "page-down", "pgdn ^F space", "next page")           \
	X(PAGE_UP, "page-up", "pgup ^B -", "previous page")               \
	X(TOP, "top", "g home", "first row")                               \
	X(BOTTOM, "bottom", "G end", "last row")                           \
	X(OPEN, "open", "enter l right", "open the selection")            \
	X(BACK, "back", "left backspace", "focus the pane to the left")   \
	X(NEXT_PANE, "next-pane", "tab", "focus the next pane")            \
	X(NEXT_UNREAD, "next-unread", "n", "next unread item")            \
	X(PREV_UNREAD, "prev-unread", "p", "previous unread item")        \
	X(RELOAD, "reload", "r", "fetch this source in the background")   \
	X(RELOAD_ALL, "reload-all", "R", "fetch every source in the background") \
	X(OPEN_LINK, "open-link", "o", "open a link in the browser")      \
	X(TOGGLE_READ, "toggle-read", "N", "toggle read")                  \
	X(CATCH_UP, "catch-up", "C", "mark every item of this source read") \
	X(TAG, "tag", "t", "edit tags (tab completes)")                    \
	X(NOTE, "note", "a", "add a note")                                 \
	X(NOTE_EDITOR, "note-editor", "A", "write a note in $EDITOR")      \
	X(QUOTE, "quote", "h", "quote a passage with a note")              \
	X(STAR, "star", "s", "star or unstar")                             \
	X(MARK, "mark", "m", "mark or unmark to share")                    \
	X(UNDO, "undo", "u", "undo the last change")                       \
	X(SEARCH, "search", "/", "full-text search (notes too)")           \
	X(FILTER, "filter", "F", "filter with the query language")        \
	X(COMMAND, "command", ":", "run an action by name")               \
	X(DIGEST, "digest", "D", "preview the digest of this list or the marked items") \
	X(SHARE, "share", "S", "share the digest to a target (asks first)") \
	X(REDRAW, "redraw", "^L", "redraw the screen")

enum action {
	ACT_NONE = 0,
#define X(id, name, keys, help) ACT_##id,
	SENSE_ACTIONS(X)
#undef X
	ACT_COUNT
};

struct action_info {
	const char *name, *keys, *help;
};
extern const struct action_info sense_actions[ACT_COUNT];

/* ---- keymap.c ---- */
#define KEYMAP_SIZE 512
struct keymap {
	enum action map[KEYMAP_SIZE];
};
/* Defaults, then cfg's [bind] (key = action | none). Bad lines return -1
 * with "file:line: ..." in e; the defaults stay in force. */
int keymap_init(struct keymap *km, const struct config *cfg, struct err *e);
enum action keymap_get(const struct keymap *km, int key);
enum action action_by_name(const char *name);
/* Key name → curses key code, -1 if unknown. */
int key_parse(const char *name);
/* Every key bound to a, as "j, down" into buf. */
void keymap_keys(const struct keymap *km, enum action a, char *buf, size_t n);

/* ---- draw.c ---- */
enum color_el {
	COL_NORMAL = 1, COL_TITLE, COL_STATUS, COL_SELECTED, COL_UNREAD,
	COL_HEADING, COL_NOTE, COL_QUOTE, COL_ERROR, COL_FAILING, COL_COUNT
};
int draw_colors(const struct config *cfg, struct err *e);
attr_t draw_attr(enum color_el c);
/* Draw untrusted text at y,x in at most cols columns: sanitized single
 * line, cut at character boundaries, the rest of the field blanked. */
void draw_text(WINDOW *w, int y, int x, int cols, const char *s);
/* Like draw_text but s is already sanitized (render output). */
void draw_clean(WINDOW *w, int y, int x, int cols, const char *s);

/* ---- pane.c: a list position over n rows ---- */
struct pane {
	size_t n, sel, top;
	int height;
};
void pane_move(struct pane *p, long delta);
void pane_set(struct pane *p, size_t sel);
void pane_fit(struct pane *p);

/* ---- the reader's state ---- */
enum nav_kind { NAV_ALL, NAV_UNREAD, NAV_STARRED, NAV_MARKED, NAV_NOTED,
		NAV_SEARCH, NAV_TAG, NAV_SOURCE, NAV_HEADING };
struct nav_entry {
	enum nav_kind kind;
	char *label;      /* sanitized */
	char *arg;        /* query or tag */
	int64_t source_id;
	int64_t count, unread;
	bool counted, failing;
};

enum focus { FOCUS_NAV, FOCUS_LIST, FOCUS_ITEM };

enum undo_kind { UNDO_NONE, UNDO_FLAG, UNDO_TAGS, UNDO_NOTE };
struct undo {
	enum undo_kind kind;
	int64_t item;
	enum item_flag flag;
	bool was;
	char **added, **removed;
	size_t nadded, nremoved;
	int64_t note;
};

struct sense {
	struct store *st;
	const struct config *cfg;
	struct keymap km;
	const char *busy;
	bool writable;
	int rows, cols;
	bool wide;
	enum focus focus;
	bool help;
	struct pane help_pane;
	/* nav */
	struct nav_entry *nav;
	size_t nnav, capnav;
	struct pane nav_pane;
	bool nav_counted;
	/* list */
	struct pane list;
	int64_t *ids;
	size_t nids;
	bool ids_partial;
	char *list_title;
	char *filter, *search;
	struct item_row *rows_cache;
	size_t cache_start, cache_n;
	/* item */
	bool item_open;
	struct item item;
	struct render_out rendered;
	int rendered_width;
	char **lines;        /* view lines, sanitized */
	enum color_el *line_col;
	size_t nlines, body_first, body_end;
	struct pane view;
	bool quoting;
	size_t q_anchor;
	/* status */
	char status[512];
	bool status_error;
	/* fetch */
	struct seek_run *run;
	struct seek_fetch_opts fo;
	int64_t fetch_id;
	struct seek_progress prog;
	/* undo */
	struct undo undo;
	/* ':' args */
	char *pending_arg;
	volatile sig_atomic_t *stop;
	int64_t last_poll;
	char **tag_names;
	size_t ntag_names;
	/* digest preview (view_digest.c) */
	bool digest_open;
	char *digest_query;  /* the list's query, or NULL for marked items */
	char *digest_target; /* whose next share is previewed, or NULL */
	char *dtext;         /* rendered text (sanitized by digest_render) */
	char **dlines;       /* dtext wrapped to dwidth */
	size_t ndlines, digest_nitems;
	int dwidth;
	struct pane dview;
};

void sense_status(struct sense *s, bool error, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
bool sense_can_write(struct sense *s);

/* ---- prompt.c ---- */
/* Read a line on the status row. init prefills it; complete (may be
 * NULL) completes the text before the cursor on Tab. NULL on Esc/^G. */
typedef void (*complete_fn)(struct sense *s, struct sbuf *line);
char *prompt_line(struct sense *s, const char *label, const char *init,
		  complete_fn complete);
void complete_tags(struct sense *s, struct sbuf *line);
/* Ask on the status row (s->status above it) and return the key typed;
 * 27 on Esc, -1 when the reader is stopping. */
int prompt_key(struct sense *s, const char *label);

/* ---- view_nav.c ---- */
void nav_load(struct sense *s, bool counts);
void nav_release(struct sense *s);
void nav_draw(struct sense *s, WINDOW *w, int y, int x, int h, int wd);
/* Apply the selected entry to the list. */
void nav_select(struct sense *s);

/* ---- view_list.c ---- */
/* Load the view's ids: the first limit (0 = all). */
void list_load(struct sense *s, size_t limit);
/* Read more of a partly loaded list (doubling), e.g. near its end. */
void list_grow(struct sense *s);
/* How many ids the first look at a view reads. */
size_t list_first_page(const struct sense *s);
void list_release(struct sense *s);
void list_draw(struct sense *s, WINDOW *w, int y, int x, int h, int wd);
/* The row at list position i (loads its window), or NULL. */
const struct item_row *list_row(struct sense *s, size_t i);
void list_invalidate(struct sense *s);
int64_t list_selected_id(struct sense *s);
/* Move to the next/previous unread; false when there is none. */
bool list_find_unread(struct sense *s, int dir);

/* ---- view_item.c ---- */
void item_open(struct sense *s, int64_t id);
void item_close(struct sense *s);
void item_reload(struct sense *s);
void item_draw(struct sense *s, WINDOW *w, int y, int x, int h, int wd);
bool item_action(struct sense *s, enum action a);
bool item_quote_key(struct sense *s, int key);
void item_open_link(struct sense *s);
void item_note_editor(struct sense *s);

/* ---- view_digest.c ---- */
/* Open the preview of the digest for the current list (its query when it
 * is a filter, search or saved search, else the marked items in the last
 * 7 days). Says "nothing to share" instead when it is empty. */
void digest_open(struct sense *s);
void digest_close(struct sense *s);
/* The preview's bar and text over the whole screen but the status row. */
void digest_draw(struct sense *s);
/* A key in the preview: scrolling, share (asks target and y/n), quit. */
void digest_key(struct sense *s, enum action a, int key);
/* Ask for a target, show the dry run, confirm, then share. */
void digest_share(struct sense *s);

/* ---- sense.c ---- */
void sense_set_flag(struct sense *s, int64_t id, enum item_flag f, bool on,
		    bool undoable);
void sense_add_note(struct sense *s, int64_t id, const char *body,
		    const char *quote, const char *prefix, const char *suffix);
void sense_refresh(struct sense *s);

#endif
