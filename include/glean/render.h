/*
 * render: feed HTML (or plain text) → wrapped, sanitized terminal text with
 * numbered links, display widths, and feed autodiscovery in HTML pages.
 * One renderer serves the ncurses reader and `glean show`, so both show the
 * same text. Pure: no I/O, no SQL, no curses. Everything it returns has
 * passed text_sanitize_to() after entity decoding.
 *
 * Widths come from wcwidth(), so the program must call
 * setlocale(LC_CTYPE, "") (or a UTF-8 locale) first; in the C locale
 * non-ASCII characters count one column (CJK/emoji ranges two).
 */
#ifndef GLEAN_RENDER_H
#define GLEAN_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "glean/base.h"

#define RENDER_MAX_INPUT ((size_t)8 << 20)  /* bytes read; the rest dropped */
#define RENDER_MAX_OUTPUT ((size_t)1 << 20) /* bytes of text produced */
#define RENDER_MAX_LINKS 1000               /* numbered links kept */

struct render_link {
	char *url; /* absolute when a base was given, single-line, sanitized */
};

struct render_out {
	struct sbuf text;          /* lines, each ending in '\n' */
	size_t body_len;           /* bytes of text before the link list */
	struct render_link *links; /* links[i] is reference [i + 1] */
	size_t nlinks, cap_links;
	bool truncated;            /* an input or output cap was hit */
};

/* Make out empty; render_html()/render_plain() do this themselves. */
void render_out_init(struct render_out *out);
/* Free what out holds and leave it empty (safe on an empty out). */
void render_out_release(struct render_out *out);

/*
 * Render len bytes of HTML (UTF-8; invalid bytes become U+FFFD) into out,
 * wrapped at width display columns (width <= 0: no wrapping). Links show
 * as "text[N]" and are listed as "[N]: url" after a blank line at the end,
 * resolved against base_url (may be NULL). Ill-formed HTML is recovered;
 * caps set out->truncated and still return 0. out is initialised by the
 * call and must be released by the caller, also after -1 (ERR_PARSE).
 */
int render_html(const char *html, size_t len, const char *base_url,
		int width, struct render_out *out, struct err *e);

/* Render text/plain: line breaks kept, long lines wrapped at width, tabs
 * expanded, sanitized. Same ownership and caps as render_html(). */
int render_plain(const char *text, size_t len, int width,
		 struct render_out *out, struct err *e);

/* Render by content type: "text/plain" (any parameters) → render_plain(),
 * anything else (NULL, text/html, xhtml) → render_html(). */
/*
 * Append an item's enclosures (the store's JSON array of {url, type,
 * length}) to out as links numbered after the content's:
 * "[N]: URL (enclosure, TYPE, SIZE)", sanitized, so the reader's 'o' and
 * `glean show` number them with the links. NULL or bad JSON adds none.
 * Returns how many were added.
 */
size_t render_enclosures(const char *json, struct render_out *out);

int render_content(const char *content, size_t len, const char *content_type,
		   const char *base_url, int width, struct render_out *out,
		   struct err *e);

/*
 * One line of plain text from a string that may contain markup and
 * entities (titles): tags dropped, entities decoded, whitespace collapsed,
 * sanitized single-line, at most max bytes (0: 4096), cut at a character
 * boundary. Never NULL; the caller frees it. html may be NULL ("").
 */
char *html_to_line(const char *html, size_t max);

/* Display columns of UTF-8 text: wide characters 2, combining marks and
 * controls 0, invalid bytes 1 (shown as U+FFFD). NULL is 0. */
size_t text_width(const char *utf8);
/* The same for the first len bytes. */
size_t text_width_n(const char *utf8, size_t len);

/* Bytes of the longest prefix of s that fits in cols display columns,
 * never splitting a character and keeping trailing combining marks. */
size_t text_cut_len(const char *s, size_t cols);

/* A new string: s cut to cols columns; when it had to be cut and ellipsis
 * is true, the last column becomes "…". The caller frees it. */
char *text_cut(const char *s, size_t cols, bool ellipsis);

/* ---- feed autodiscovery ---- */

#define DISCOVER_MAX_FEEDS 64

struct discover_feed {
	char *url;   /* absolute (http, https; file only on a file page) */
	char *title; /* single-line, sanitized; NULL when absent */
	char *type;  /* lower-case MIME type, e.g. "application/atom+xml" */
};

struct discover_list {
	struct discover_feed *v;
	size_t n, cap;
};

/*
 * Find <link rel="alternate" type="application/{rss,atom,rdf}+xml |
 * application/feed+json | application/json" href> in an HTML page (any
 * rel token list, case-insensitive; <base href> honoured), resolve hrefs
 * against page_url, drop duplicates, keep document order. out is
 * initialised by the call; release it also after -1. No feeds: 0, n == 0.
 */
int discover_feeds(const char *html, size_t len, const char *page_url,
		   struct discover_list *out, struct err *e);
/* Free every feed and the array; l is left empty (safe to repeat). */
void discover_list_release(struct discover_list *l);

#endif
