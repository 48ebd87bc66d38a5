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
	X(QUIT, "quit", "q", "go back one level; quit at the navigation pane") \
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
	X(NEXT_SOURCE, "next-source", "J", "show the next source's items") \
	X(PREV_SOURCE, "prev-source", "K", "show the previous source's items") \
	X(RELOAD, "reload", "r", "fetch this source in the background")   \
	X(RELOAD_ALL, "reload-all", "R", "fetch every source in the background") \
	X(OPEN_LINK, "open-link", "o", "open a link or enclosure in the browser") \
	X(TOGGLE_READ, "toggle-read", "N", "toggle read")                  \
	X(CATCH_UP, "catch-up", "A", "mark every item of this list read")  \
	X(CATCH_UP_ALL, "catch-up-all", "C", "mark every item read (asks y/n)") \
	X(SORT, "sort", "O", "sort by date, source, title, unread first")  \
	X(TAG, "tag", "t", "edit tags (tab completes)")                    \
	X(NOTE, "note", "a", "add a note")                                 \
	X(NOTE_EDITOR, "note-editor", "E", "write a note in $EDITOR")      \
	X(QUOTE, "quote", "h", "quote a passage with a note")              \
	X(EDIT_NOTE, "edit-note", "e", "edit a note of the item (j/k pick one)") \
	X(REMOVE_NOTE, "remove-note", "x", "remove a note of the item (asks y/n)") \
	X(ARTICLE, "article", "f", "fetch and show the article at the item's link (again: the summary)") \
	X(STAR, "star", "s", "star or unstar")                             \
	X(MARK, "mark", "m", "mark or unmark to share")                    \
	X(UNDO, "undo", "u", "undo the last change (marking read too)")    \
	X(SEARCH, "search", "/", "full-text search (notes too)")           \
	X(FILTER, "filter", "F", "filter with the query language")        \
	X(COMMAND, "command", ":", "run an action by name")               \
	X(DIGEST, "digest", "D", "preview what the next share sends") \
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
/* The one way stored text (a title, source name, author, tag) becomes a
 * display line: sanitized (controls, bidi, invalid UTF-8), newlines and
 * tabs as spaces, at most max bytes (0: 4096) cut at a character. It is
 * plain text as stored: entities and markup are NOT decoded again.
 * Never NULL; the caller frees it. */
char *display_line(const char *stored, size_t max);

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
	int64_t total;    /* items the entry's list has, when counted
			   * (views whose count is kept: All, Unread,
			   * Starred, To share, a source); -1 unknown */
	bool counted, failing;
};

enum focus { FOCUS_NAV, FOCUS_LIST, FOCUS_ITEM };

enum undo_kind { UNDO_NONE, UNDO_FLAG, UNDO_TAGS, UNDO_NOTE, UNDO_READ,
		 UNDO_NOTE_EDIT, UNDO_NOTE_RM };
struct undo {
	enum undo_kind kind;
	int64_t item;
	enum item_flag flag;
	bool was;
	char **added, **removed;
	size_t nadded, nremoved;
	int64_t note;
	int64_t *ids;        /* UNDO_READ: the items that were unread */
	size_t nids;
	struct note old_note; /* UNDO_NOTE_EDIT, _RM: the note as it was */
};

struct sense;
typedef void (*complete_fn)(struct sense *s, struct sbuf *line);

/*
 * Each view keeps its own state in its own struct, owned by its file;
 * the reader reaches it through one small ops table (modelled on tig's
 * struct view_ops). Building what a view shows (wrapping, rendering,
 * reading rows) happens in open and resize, never in draw.
 */
struct nav_view {            /* view_nav.c */
	struct nav_entry *v;
	size_t n, cap;
	struct pane pane;
	bool counted;
	int64_t more_after;  /* sources after this id not read yet (0: all
			      * read); the rest come between keys */
	bool counts, has_sources; /* of the load under way */
	char **tag_names;    /* for tag completion */
	size_t ntag_names;
};

struct list_view {           /* view_list.c */
	struct pane pane;
	int64_t *ids;
	size_t nids;
	bool partial;        /* only the first nids of the order read */
	int64_t total;       /* the view's size; -1 until counted */
	char *title;
	char *filter, *search;
	enum item_sort sort;
	struct item_row *rows_cache;
	size_t cache_start, cache_n;
};

struct item_view {           /* view_item.c */
	bool open;
	struct item it;
	struct render_out rendered;
	int width;           /* lines are built for this width; 0: none */
	char **lines;        /* view lines, sanitized */
	enum color_el *line_col;
	size_t nlines, body_first, body_end;
	struct pane pane;
	bool quoting;
	size_t q_anchor;
	/* note i of it.notes is shown on lines note_first[i] up to
	 * note_end[i]; picking one for edit-note or remove-note */
	size_t *note_first, *note_end;
	enum action note_pick;   /* ACT_NONE when not picking */
	size_t note_sel;
	/* the article at the item's link shown instead of its content
	 * (issue 19), from the store once fetched */
	bool article;
	struct store_article art;
};

struct digest_view {         /* view_digest.c */
	bool open;
	char *query;         /* the list's query, or NULL for marked items */
	char *target;        /* whose next share is previewed, or NULL */
	char *text;          /* rendered text (sanitized by digest_render) */
	char **lines;        /* text wrapped to width */
	size_t nlines, nitems;
	int width;
	struct pane pane;
};

struct help_view {           /* view_help.c */
	bool open;
	struct pane pane;
};

struct prompt_view {         /* prompt.c */
	bool open;
	const char *label;
	struct sbuf line;
	complete_fn complete;
	bool done, accepted;
	bool cut;                /* typed past PROMPT_MAX: the rest dropped */
	bool last_cut;           /* ... in the last line prompt_line gave */
};

struct view_ops {
	const char *name;
	/* Build what the view shows for the current size. */
	void (*open)(struct sense *s);
	/* Draw into w at y,x: h rows of wd columns. Only draws. */
	void (*draw)(struct sense *s, WINDOW *w, int y, int x, int h, int wd);
	/* A key and its action (ACT_NONE when unbound); true when the view
	 * used it, false to let the reader's actions have it. */
	bool (*key)(struct sense *s, enum action a, int key);
	/* The terminal changed size: lay out again. */
	void (*resize)(struct sense *s);
	void (*close)(struct sense *s);
};

extern const struct view_ops nav_ops, list_ops, item_ops, digest_ops,
	help_ops, prompt_ops;

struct sense {
	struct store *st;
	const struct config *cfg;
	struct keymap km;
	const char *busy;
	bool writable;
	bool quit;           /* set by quit and quit-all */
	int rows, cols;
	bool wide;
	/* pane widths, set by sense_layout() on start and resize */
	int nav_w, list_w, item_w;
	enum focus focus;
	/* the views */
	struct nav_view nav;
	struct list_view list;
	struct item_view item;
	struct digest_view digest;
	struct help_view help;
	struct prompt_view prompt;
	/* status */
	char status[512];
	char synced[256];   /* what R's sync said, kept beside the fetch's */
	bool sync_failed;
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
	/* a note that could not be saved, offered again by 'a' */
	char *note_draft;
	volatile sig_atomic_t *stop;
	int64_t last_poll;
};

/* Stop the process for a ^Z that came since the last call, the terminal
 * given back first and redrawn on the way back (fg). */
void sense_suspend(void);
void sense_status(struct sense *s, bool error, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
bool sense_can_write(struct sense *s);

/* ---- prompt.c ---- */
/* Read a line on the status row. init prefills it; complete (may be
 * NULL) completes the text before the cursor on Tab. NULL on Esc/^G. */
char *prompt_line(struct sense *s, const char *label, const char *init,
		  complete_fn complete);
void complete_tags(struct sense *s, struct sbuf *line);
/* Ask on the status row (s->status above it) and return the key typed;
 * 27 on Esc, -1 when the reader is stopping. */
int prompt_key(struct sense *s, const char *label);

/* ---- view_nav.c ---- */
void nav_load(struct sense *s, bool counts);
bool nav_more(struct sense *s);
void nav_finish(struct sense *s);
/* Apply the selected entry to the list. */
void nav_select(struct sense *s);

/* ---- view_list.c ---- */
/* Load the view's ids: the first limit (0 = all). */
void list_load(struct sense *s, size_t limit);
/* Read more of a partly loaded list (doubling), e.g. near its end. */
/* How many ids the first look at a view reads. */
size_t list_first_page(const struct sense *s);
/* Open the selected item and give it the focus. */
void list_open_selected(struct sense *s);
/* The row at list position i (loads its window), or NULL. */
const struct item_row *list_row(struct sense *s, size_t i);
void list_invalidate(struct sense *s);
int64_t list_selected_id(struct sense *s);
/* Count the whole view into list.total (between keystrokes). */
void list_count(struct sense *s);
/* The unread items of the view (every one, not the loaded page). */
int list_unread_ids(struct sense *s, int64_t **ids, size_t *n,
		    struct err *e);
/* Move to the next/previous unread; false when there is none. */
bool list_find_unread(struct sense *s, int dir);

/* ---- view_item.c ---- */
void item_open(struct sense *s, int64_t id);
void item_close(struct sense *s);
void item_reload(struct sense *s);
/* Build the open item's lines for the item pane's width (on open,
 * reload and resize; drawing never builds them). */
/* Start picking a passage of the open item to quote ('h'). */
void item_quote_start(struct sense *s);
/* The note edit-note or remove-note (a) applies to: the only one at
 * once, else picked with j/k and enter (the first on screen first). */
void item_note_pick(struct sense *s, enum action a);
void item_open_link(struct sense *s);
void item_note_editor(struct sense *s);

/* ---- view_digest.c ---- */
/* Open the preview of the digest for the current list (its query when it
 * is a filter, search or saved search, else the marked items in the last
 * 7 days). Says "nothing to share" instead when it is empty. */
void digest_open(struct sense *s);
/* Ask for a target, show the dry run, confirm, then share. */
void digest_share(struct sense *s);

/* ---- sense.c ---- */
void sense_set_flag(struct sense *s, int64_t id, enum item_flag f, bool on,
		    bool undoable);
void sense_add_note(struct sense *s, int64_t id, const char *body,
		    const char *quote, const char *prefix, const char *suffix);
/* Change note_id's body / remove it; 'u' puts the note back as it was. */
void sense_edit_note(struct sense *s, int64_t note_id, const char *body);
void sense_remove_note(struct sense *s, int64_t note_id);
/* Pane widths for the terminal's size, then every view's resize. */
void sense_layout(struct sense *s);
/* Show the open item's article (fetched and stored the first time), or
 * its content again when the article shows. */
void item_toggle_article(struct sense *s);

#endif
