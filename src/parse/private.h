/*
 * parse/private.h: what the parse module's files share and nobody else
 * may include. The XML, JSON Feed, encoding, markup and entity code talk
 * through these; the public contract is include/glean/parse.h.
 */
#ifndef GLEAN_PARSE_PRIVATE_H
#define GLEAN_PARSE_PRIVATE_H

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "glean/parse.h"

#define PARSE_MAX_FIELD (1u << 20) /* default cap per text field */
#define PARSE_MAX_DEPTH 256        /* deeper elements are skipped */

/* ---- encoding.c ---- */
struct enc_result {
	char *utf8;        /* the document as UTF-8; NUL-terminated unless
			    * borrowed */
	size_t len;
	bool borrowed;     /* utf8 points into the caller's bytes (valid
			    * UTF-8 with a plain declaration: no copy) */
	bool no_nul;       /* with borrowed: the check found no NUL in
			    * them (parse_feed() need not look again) */
	char encoding[64]; /* name reported in the dump (lower-case) */
	bool bozo;
	const char *bozo_reason;
	bool json;         /* Content-Type says JSON */
};
/* Decide the document's encoding the way feedparser does (BOM, XML
 * declaration, HTTP charset per RFC 3023) and convert it to UTF-8. The
 * XML declaration, if any, is rewritten to say utf-8. Never fails: the
 * last resort is windows-1252 with invalid bytes replaced. Bytes that
 * already are what the parser gets are not copied (r->borrowed): they
 * must outlive r. */
void enc_to_utf8(const char *bytes, size_t len, const char *content_type,
		 bool http, struct enc_result *r);
void enc_result_release(struct enc_result *r);
/* Make r->utf8 an owned, NUL-terminated copy if it is borrowed. */
void enc_result_own(struct enc_result *r);

/* ---- nset.c ---- */
#define NSET_BITS 10
#define NSET_SIZE (1u << NSET_BITS)
struct nslot {
	const char *s; /* the name (static storage), NULL when empty */
	uint64_t key;  /* its first eight bytes */
	uint8_t len;
	uint32_t value;
};
/* A fixed set of names (1..255 bytes) with a value each. Zero-init is
 * empty. Fill it once (under pthread_once), then look up from any
 * thread. */
struct nset {
	struct nslot v[NSET_SIZE];
	size_t n;
};
/* Add s (kept by pointer) with value, or with the old value | value when
 * merge and s is there already. */
void nset_add(struct nset *set, const char *s, uint32_t value, bool merge);

/* The first (up to) eight bytes of s as an integer, zero-padded. */
static inline uint64_t
nset_key(const char *s, size_t n)
{
	uint64_t k = 0;
	size_t i, m = n < 8 ? n : 8;

	for (i = 0; i < m; i++)
		k |= (uint64_t)(unsigned char)s[i] << (8 * i);
	return k;
}

static inline uint32_t
nset_slot(uint64_t key, size_t n)
{
	return (uint32_t)(((key ^ (uint64_t)n) * 0x9e3779b97f4a7c15ull) >>
			  (64 - NSET_BITS));
}

/* nset_get() with the key already built (k == nset_key(s, n)), for a
 * caller that reads the name byte by byte anyway. */
static inline uint32_t
nset_get_key(const struct nset *set, uint64_t k, const char *s, size_t n)
{
	uint32_t i;

	if (n == 0 || n > 255)
		return 0;
	for (i = nset_slot(k, n); set->v[i].s; i = (i + 1) & (NSET_SIZE - 1)) {
		const struct nslot *e = &set->v[i];

		if (e->key == k && e->len == n &&
		    (n <= 8 || memcmp(e->s + 8, s + 8, n - 8) == 0))
			return e->value;
	}
	return 0;
}

/* The value of the n bytes at s, 0 when they are not in the set
 * (inline: it runs for every tag and attribute of every HTML field). */
static inline uint32_t
nset_get(const struct nset *set, const char *s, size_t n)
{
	if (n == 0 || n > 255)
		return 0;
	return nset_get_key(set, nset_key(s, n), s, n);
}

/* ---- entities.c ---- */
/* Code point of an HTML 4 named entity (case-sensitive), or 0. */
uint32_t entity_lookup(const char *name, size_t len);
/* entity_lookup() with key == nset_key(name, len), built by a caller
 * that reads the name byte by byte anyway (the cleaner). */
uint32_t entity_lookup_key(uint64_t key, const char *name, size_t len);
/* Rewrite every entity reference outside CDATA, comments and PIs as a
 * numeric character reference, and bare '&' as "&#38;", so a recovering
 * parser keeps the text. Output appended to out (unbounded input size is
 * the caller's cap). */
void entities_to_charrefs(const char *s, size_t len, struct sbuf *out);
/* Expand the internal general entities the DOCTYPE (its text, internal
 * subset included) declares in the document s (the DOCTYPE already cut
 * out), outside CDATA, comments and PIs, into out: 1 when something was
 * expanded, 0 when nothing was (out unchanged), -1 when the expansion is
 * refused (a loop, nesting deeper than 40, more than 1 MiB + 10x the
 * document added, as billion laughs and quadratic blowup would; *why
 * says which, out unchanged). External and parameter entities are
 * never read; references to them stay as written. */
int entities_expand_declared(const char *doctype, size_t dlen, const char *s,
			     size_t len, struct sbuf *out, const char **why);

/* ---- tokenize.c: the one HTML tokenizer (markup.c, strip.c, htree.c) ---- */
/* ASCII classes, the C locale's whatever the process's locale is. */
static inline bool
a_alpha(char c)
{
	return (unsigned)(((unsigned char)c | 0x20) - 'a') < 26u;
}

static inline bool
a_digit(char c)
{
	return (unsigned)((unsigned char)c - '0') < 10u;
}

static inline bool
a_xdigit(char c)
{
	return a_digit(c) || (unsigned)(((unsigned char)c | 0x20) - 'a') < 6u;
}

static inline bool
a_alnum(char c)
{
	return a_alpha(c) || a_digit(c);
}

static inline bool
a_space(char c)
{
	return c == ' ' || (unsigned)((unsigned char)c - '\t') < 5u;
}

static inline char
a_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

enum htok_kind {
	HTOK_TEXT,  /* '<' starts nothing: text up to t->p */
	HTOK_START, /* a start tag; its attributes come from htok_attr() */
	HTOK_END,   /* an end tag (attributes are read and ignored) */
	HTOK_SKIP,  /* a comment, declaration, PI or "<>": nothing */
	HTOK_BOGUS, /* "<!" that opens no declaration (sgmllib chokes) */
};

struct htok {
	enum htok_kind kind;
	const char *name; /* START/END: the name as written (any length) */
	size_t nlen;
	const char *p;    /* where scanning goes on */
	bool selfclose;   /* the tag ended with "/>" */
	bool done;        /* p is past the tag's end */
};

struct htok_attr {
	const char *name, *value; /* as written; value is the name for a */
	size_t nlen, vlen;        /* bare attribute */
};

/* The first '<' or '&' in [p, end), or end. Inline: the cleaner calls
 * it once per text run, a few dozen bytes apart in real HTML. */
static inline const char *
htok_text(const char *p, const char *end)
{
#if defined(__SSE2__)
	const __m128i lt = _mm_set1_epi8('<'), amp = _mm_set1_epi8('&');

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_cmpeq_epi8(v, lt),
				     _mm_cmpeq_epi8(v, amp)));

		if (m)
			return p + __builtin_ctz(m);
		p += 16;
	}
#endif
	while (p < end && *p != '<' && *p != '&')
		p++;
	return p;
}
/* The markup at s (s[0] == '<'; the input is NUL-terminated). */
void htok_markup(const char *s, struct htok *t);
/* The next attribute of a START/END tag; false at the tag's end, with
 * t->p past it. Call it until false (or htok_finish()). */
bool htok_attr(struct htok *t, struct htok_attr *a);
void htok_finish(struct htok *t);

enum htok_ref_kind { HREF_NONE, HREF_DEC, HREF_HEX, HREF_NAME };
struct htok_ref {
	enum htok_ref_kind kind; /* NONE: the '&' is text */
	const char *v;           /* the digits or the name ([A-Za-z][A-Za-z0-9.-]*) */
	size_t n;
	bool semi;               /* ended by ';' */
	const char *end;         /* past the reference (and its ';') */
};
/* The character reference at s (s[0] == '&'). */
void htok_ref(const char *s, struct htok_ref *r);

/* ---- htree.c: the renderer's tree (html.c), libxml2 2.9's repairs ---- */
enum { HN_ELEM, HN_TEXT };
struct hnode {
	uint32_t first, last, next; /* children and next sibling; 0: none */
	uint32_t name;  /* offset in str: ELEM its lower-case name, TEXT text */
	uint32_t len;   /* ELEM: how many attributes; TEXT: bytes */
	uint32_t attrs; /* ELEM: offset of its name\0value\0 pairs */
	uint8_t type;
};
struct htree {
	struct hnode *v; /* v[0] is the document; v[0].first its first node */
	size_t n, cap;
	struct sbuf str;
};
/* Build the tree of the NUL-terminated, sanitized HTML. */
void htree_build(struct htree *t, const char *html);
void htree_release(struct htree *t);
/* The decoded value of n's attribute name (lower-case), NULL if absent. */
const char *htree_attr(const struct htree *t, const struct hnode *n,
		       const char *name);

/* ---- markup.c ---- */
/* True when plain text looks like HTML (feedparser's lookslikehtml). */
bool markup_looks_like_html(const char *s);
/* Re-serialize HTML text: tags lower-cased, attributes sorted and
 * escaped, relative URLs resolved against base (may be NULL), unsafe
 * elements and attributes dropped; SVG and MathML keep their own
 * allow-lists. is_html: text/html rather than XHTML. Returns a new
 * string. */
char *markup_clean(const char *html, const char *base, bool is_html);
/* markup_clean() of the n bytes at html (html[n] must be NUL, and no NUL
 * before it) into out, which is reset first (uncapped); out and scratch
 * are the caller's, reused from call to call so that cleaning a field
 * allocates nothing once they have grown. */
void markup_clean_into(const char *html, size_t n, const char *base,
		       bool is_html, struct sbuf *out, struct sbuf *scratch);

/* ---- parse_xml.c / parse_jsonfeed.c ---- */
/* libxml2's process-wide setup (xmlInitParser, the entity loader that
 * refuses everything), done once whichever thread comes first. Call it
 * before any libxml2 parser in src/parse. */
void parse_xml_init(void);
/* utf8 need not be NUL-terminated (it may be the caller's bytes). */
int parse_xml(const char *utf8, size_t len, const struct parse_opts *opts,
	      const char *base, struct feed_doc *doc, struct err *e);
int parse_jsonfeed(const char *utf8, size_t len,
		   const struct parse_opts *opts, const char *base,
		   struct feed_doc *doc, struct err *e);

/* ---- url.c ---- */
/* Whether url_resolve(base, ref) is a copy of ref for every base: ref is
 * absolute, has no dot segment and no leading blank. */
bool url_self_resolving(const char *ref);

/* ---- feed.c ---- */
/* Copy s (n bytes) as a field value: invalid UTF-8 → U+FFFD, NULs
 * dropped, capped at max bytes on a character boundary. */
char *feed_strndup(const char *s, size_t n, size_t max);
void feed_set(char **dst, const char *s);
/* Strip leading and trailing ASCII whitespace in place (memmove). */
void feed_trim(char *s);
/* Map C1 controls U+0080..U+009F to the windows-1252 characters they
 * stand for. Takes ownership of s, returns the (maybe new) string. */
char *feed_demoronize(char *s);
/* Split an RSS author string "me@x.org (Name)" into name and email. */
void feed_author_from_text(const char *s, char **name, char **email);

#endif
