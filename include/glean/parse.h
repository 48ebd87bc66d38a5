/*
 * parse: bytes in, a neutral struct feed_doc out. No I/O, no SQL. The
 * format (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1) is sniffed
 * from the bytes, never from the Content-Type. All strings in a feed_doc
 * are valid UTF-8 (converted from the document's encoding), owned by the
 * doc and freed by feed_doc_release(). Dates are UTC epoch seconds.
 *
 * The services' API readers (src/service) produce the same model,
 * so the store and the reader never care where an item came from.
 */
#ifndef GLEAN_PARSE_H
#define GLEAN_PARSE_H

#include "glean/base.h"

#define FEED_NO_DATE INT64_MIN

struct feed_person {
	char *name, *email, *uri;
};

struct feed_link {
	char *rel, *href, *type, *title, *hreflang;
	int64_t length; /* -1 when absent */
};

struct feed_category {
	char *term, *scheme, *label;
};

struct feed_enclosure {
	char *url, *type;
	int64_t length; /* -1 when absent */
};

/* Fields shared by the feed and each entry. */
struct feed_common {
	char *title, *link, *id, *rights;
	int64_t published, updated; /* FEED_NO_DATE when absent */
	char *published_raw, *updated_raw;
	struct feed_person *authors;
	size_t nauthors, cap_authors;
	struct feed_link *links;
	size_t nlinks, cap_links;
	struct feed_category *categories;
	size_t ncategories, cap_categories;
	/* title is HTML (declared, e.g. Atom type="html", or detected by
	 * feedparser's rule in an RSS title): rendered to text for display.
	 * false: plain text, to be shown as written. Not in the dump. */
	bool title_html;
};

struct feed_entry {
	struct feed_common c;
	char *summary;
	bool summary_html; /* summary is HTML, as title_html */
	char *content;
	char *content_type; /* text/html, text/plain, application/xhtml+xml */
	char *comments;
	struct feed_enclosure *enclosures;
	size_t nenclosures, cap_enclosures;
	/* The document ended inside this entry (cut off): only what was
	 * closed before the end is whole. id_whole: its guid/id (or
	 * rdf:about), link_whole: its link, read whole before the end. Not
	 * in the parse dump; seek keeps a cut entry only when one of the
	 * two is whole. */
	bool cut, id_whole, link_whole;
};

struct feed_doc {
	bool bozo;
	char *bozo_reason; /* why bozo, for the source's last error */
	char *encoding;    /* lower-case codec name, e.g. "utf-8" */
	char *version;     /* rss20, atom10, json11, ... */
	/* feed-level fields */
	struct feed_common feed;
	char *description, *language;
	int64_t ttl; /* <ttl> in seconds, -1 when absent */
	struct feed_entry *entries;
	size_t nentries, cap_entries;
	/* Not in the parse dump, for the source's state: cut when the
	 * document ended with elements still open (cut_at: its length in
	 * bytes); nul_at: 1 + the offset of its first NUL byte, 0 when it
	 * has none (an XML document with one is damaged). */
	bool cut;
	size_t cut_at, nul_at;
};

struct parse_opts {
	const char *url;           /* document URL, base for relative URLs */
	const char *content_type;  /* HTTP Content-Type (charset wins) */
	const char *content_location;
	size_t max_field;          /* cap per text field, 0 = default 1 MiB */
};

/*
 * Parse len bytes into doc (zeroed first). Ill-formed input still yields
 * what can be recovered with doc->bozo set; -1 (ERR_PARSE) only when the
 * bytes are not a feed at all (e.g. an HTML page, empty input). Even then
 * doc is valid (bozo set, encoding known) and must be released.
 */
int parse_feed(const char *bytes, size_t len, const struct parse_opts *opts,
	       struct feed_doc *doc, struct err *e);
void feed_doc_release(struct feed_doc *doc);

/* The parse dump of DESIGN.md §6, appended to out as one JSON document. */
void parse_dump_json(const struct feed_doc *doc, struct sbuf *out);

/* Parse a date (RFC 822/1123 and misspellings, ISO 8601/W3CDTF, ...) into
 * UTC epoch seconds; FEED_NO_DATE when unparseable. */
int64_t parse_date(const char *s);

/* Resolve ref against base (RFC 3986). Returns a new string. */
char *url_resolve(const char *base, const char *ref);

/* The longest URL glean stores or adds, in bytes. */
#define URL_MAX_BYTES 8192
/* A URL from a document made safe to store: every control (C0, DEL,
 * C1, bidi marks, embeddings, overrides and isolates, U+2028/U+2029),
 * space and invalid UTF-8 byte percent-encoded. A new string, or NULL
 * when url is NULL or the result is longer than URL_MAX_BYTES (the
 * item then keeps no such URL). */
char *url_store_safe(const char *url);
/* Whether url holds such a character (a source URL with one is refused). */
bool url_has_control(const char *url);

/* Helpers for adapters that build docs by hand (social, hub). Each copies
 * its string arguments (NULL allowed). */
struct feed_entry *feed_doc_add_entry(struct feed_doc *doc);
void feed_add_author(struct feed_common *c, const char *name,
		     const char *email, const char *uri);
void feed_add_link(struct feed_common *c, const char *rel, const char *href,
		   const char *type, const char *title);
void feed_add_category(struct feed_common *c, const char *term,
		       const char *scheme, const char *label);
void feed_entry_add_enclosure(struct feed_entry *en, const char *url,
			      const char *type, int64_t length);


/* ---- plain text for the search index (src/parse/strip.c) ---- */

/* Strip markup from HTML quickly (tags dropped, script/style skipped,
 * entities decoded, whitespace collapsed) and sanitize. For indexing
 * and one-line display; the reader uses the full renderer. Tags are
 * cut as the sanitiser cuts them (one tokenizer). html[len] must be NUL
 * (a C string's length). Appends at most max bytes to out. */
void html_strip(const char *html, size_t len, size_t max, struct sbuf *out);
/* The plain text of an item's body, as search and the query language's
 * text: see it: text/plain sanitized, anything else html_strip'ped, at
 * most CONTENT_TEXT_MAX bytes, appended to out. The store derives item
 * text with it (store_set_text()) rather than keeping a copy, and its
 * search index deletes a row with the text derived again: whoever
 * changes what it returns for some input (html_strip, text_sanitize_to,
 * the cap) bumps CONTENT_TEXT_VERSION, and each store rebuilds its
 * index once. content[len] must be NUL. */
#define CONTENT_TEXT_MAX (256 * 1024)
#define CONTENT_TEXT_VERSION 1
void content_text(const char *content, size_t len, const char *content_type,
		  struct sbuf *out);
/* Whether text that should be plain looks like HTML: feedparser's rule
 * for RSS (a closing tag or a character reference, and every tag and
 * entity a known HTML one). */
bool html_looks_like(const char *s);

/* ---- OPML (src/parse/opml.c) ---- */
struct opml_outline {
	char *url;     /* xmlUrl */
	char *title;   /* title or text */
	char *site;    /* htmlUrl */
	char **tags;   /* enclosing folders (and category attribute) */
	size_t ntags;
	int line;      /* position in the file, for messages */
};

struct opml_doc {
	struct opml_outline *v;
	size_t n, cap;
	/* outlines that could not be used: "line N: reason" */
	char **problems;
	size_t nproblems;
	bool bozo;
};

/* Parse OPML bytes. Folders become tags; only http(s) xmlUrl accepted
 * (others are listed in problems). -1 only when nothing is readable. */
int opml_parse(const char *bytes, size_t len, struct opml_doc *out,
	       struct err *e);
void opml_doc_release(struct opml_doc *d);

/* ---- regular expressions (src/parse/rx.c, the only pcre2 user) ---- */
/* Count grapheme clusters (\X) in UTF-8 text (Bluesky's 300 limit). */
size_t rx_graphemes(const char *s, size_t len);
/* The matcher the store's query language calls for /regex/ terms. */
const struct regex_ops *rx_store_ops(void);
/* A compiled pattern that reports where it matched (service/text.c's URL
 * and emoji rules). Read-only once compiled: threads may share it; it
 * lives as long as the process. */
struct rx_pat;
struct rx_pat *rx_pat_compile(const char *pattern, bool icase,
			      struct err *e);
/* Search s[0, len) from byte start: 1 on a match, with ov[2i], ov[2i+1]
 * the byte span of group i (i < n; SIZE_MAX for a group that did not
 * take part), 0 when nothing matches, -1 when the engine gave up. */
int rx_pat_search(const struct rx_pat *p, const char *s, size_t len,
		  size_t start, size_t *ov, size_t n);

/* ---- article extraction (src/parse/extract.c) ---- */

/* Pages larger than this are refused ("no article found"). */
#define ARTICLE_MAX_INPUT ((size_t)16 << 20)

/* The article found in a web page. Every string is sanitized UTF-8 or
 * NULL when the page does not say. */
struct article {
	char *title, *byline, *excerpt, *site_name;
	char *lang, *dir;  /* <html lang>, the article's dir= */
	char *published;   /* as the page writes it (ISO 8601 mostly) */
	char *content_html; /* through the feed content sanitiser, links
			     * absolute when a URL was given */
	char *text;        /* plain text, paragraphs apart by blank lines */
};

/*
 * Find the article in len bytes of an HTML page fetched from url (may be
 * NULL; relative links are resolved against it or the page's <base>).
 * Readability's algorithm: candidate scoring by paragraphs, commas and
 * class/id weights, link density, sibling merging; metadata from
 * JSON-LD, OpenGraph and <meta>. 0 and out filled; -1 with e saying
 * "no article found: REASON" (empty, binary, too large, no text). out
 * is released either way by article_release().
 */
int article_extract(const char *html, size_t len, const char *url,
		    struct article *out, struct err *e);
void article_release(struct article *a);

#endif
