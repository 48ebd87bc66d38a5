/*
 * parse_xml.c: RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 through libxml2's SAX2
 * interface, with feedparser's element semantics: a stack of open text
 * elements, content that keeps its markup (escaped HTML as text, inline
 * XHTML serialized back), xml:base tracking, and the "which value wins"
 * rules for repeated elements. Element handlers are found in one sorted
 * table keyed by feedparser's canonical names ("dc_creator").
 *
 * Safety (SECURITY.md): no entity is ever expanded by libxml2 (the
 * DOCTYPE is cut out before parsing, no entity declarations reach the
 * parser, the external entity loader refuses everything; the internal
 * entities a document declares are expanded, within limits, by
 * entities.c before libxml2 sees the text), every text
 * field has a cap and element nesting has a depth cap. An ill-formed
 * document is parsed a second time with XML_PARSE_RECOVER after entity
 * references are rewritten as character references. This file does not
 * detect encodings (encoding.c) or clean HTML (markup.c).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "private.h"
#include "glean/banned.h"

#define CHUNK (256u * 1024u)
#define NS_ATOM10 "http://www.w3.org/2005/Atom"

/* ---- namespaces: URI → feedparser's canonical prefix (sorted) ---- */
struct ns {
	const char *uri, *prefix;
};

static const struct ns namespaces[] = {
	{ "http://backend.userland.com/blogchannelmodule", "blogchannel" },
	{ "http://backend.userland.com/creativecommonsrssmodule",
	  "creativecommons" },
	{ "http://backend.userland.com/rss", "" },
	{ "http://blogs.law.harvard.edu/tech/rss", "" },
	{ "http://creativecommons.org/ns#license", "cc" },
	{ "http://cyber.law.harvard.edu/rss/creativecommonsrssmodule.html",
	  "creativecommons" },
	{ "http://example.com/dtds/podcast-1.0.dtd", "itunes" },
	{ "http://example.com/necho", "" },
	{ "http://example.com/newformat#", "" },
	{ "http://madskills.com/public/xml/rss/module/pingback/", "pingback" },
	{ "http://madskills.com/public/xml/rss/module/trackback/",
	  "trackback" },
	{ "http://my.netscape.com/rdf/simple/0.9/", "" },
	{ "http://purl.org/atom/ns#", "" },
	{ "http://purl.org/dc/elements/1.1/", "dc" },
	{ "http://purl.org/dc/terms/", "dcterms" },
	{ "http://purl.org/echo/", "" },
	{ "http://purl.org/pie/", "" },
	{ "http://purl.org/rss/1.0/", "" },
	{ "http://purl.org/rss/1.0/modules/content/", "content" },
	{ "http://purl.org/rss/1.0/modules/rss091#", "" },
	{ "http://purl.org/rss/1.0/modules/slash/", "slash" },
	{ "http://purl.org/rss/1.0/modules/syndication/", "sy" },
	{ "http://purl.org/rss/1.0/modules/taxonomy/", "taxo" },
	{ "http://rssnamespace.org/feedburner/ext/1.0", "feedburner" },
	{ "http://search.yahoo.com/mrss", "media" },
	{ "http://search.yahoo.com/mrss/", "media" },
	{ "http://web.resource.org/cc/", "cc" },
	{ "http://webns.net/mvcb/", "admin" },
	{ "http://wellformedweb.org/commentapi/", "wfw" },
	{ "http://www.georss.org/georss", "georss" },
	{ "http://www.itunes.com/dtds/podcast-1.0.dtd", "itunes" },
	{ "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf" },
	{ "http://www.w3.org/1999/xhtml", "xhtml" },
	{ "http://www.w3.org/1999/xlink", "xlink" },
	{ "http://www.w3.org/2000/01/rdf-schema#", "rdfs" },
	{ "http://www.w3.org/2005/atom", "" },
	{ "http://www.w3.org/xml/1998/namespace", "xml" },
	{ "uri/of/echo/namespace#", "" },
};

static int
ns_cmp(const void *k, const void *v)
{
	return strcmp(k, ((const struct ns *)v)->uri);
}

/* ---- parser state ---- */

struct attr {
	char name[64]; /* lower-case, "prefix:local" for known namespaces */
	char *value;
};

struct attrs {
	struct attr v[32];
	size_t n;
};

/* Base URIs per XML depth. Most elements have no xml:base and borrow
 * their parent's string instead of copying it. */
struct base {
	char *uri;
	bool own;
};

struct frame {
	char name[64];
	bool expecting;
	struct sbuf text;
};

/* content parameters of the element being collected (feedparser's
 * contentparams) */
struct cparams {
	char type[64];
	bool base64;
	/* atom10 xhtml: strip one enclosing div */
	int top_elems;
	bool top_text, first_div;
	size_t div_body, last_close;
};

enum { F_TITLE, F_SUMMARY, F_CONTENT, F_RIGHTS, F_DESC, F_PUB, F_UPD,
       F_LINK, F_ID, F_COMMENTS, F_NFIELDS };

struct px {
	struct feed_doc *doc;
	size_t max;
	bool recovering;
	char version[16];
	bool doctype_netscape;

	struct frame *stack;
	size_t nstack, capstack, nused; /* nused: frames with an sbuf */

	struct base *bases; /* per XML depth: base URI in effect */
	size_t capbases;
	struct qname *names; /* NAME_CACHE slots, see qname_get() */
	struct qname *scratch;
	void *dict;          /* the parser's name dictionary (xmlDictPtr) */
	struct sbuf attrbuf; /* this element's attribute values */
	struct sbuf cleanbuf, cleanscratch; /* markup_clean_into()'s */
	int depth, skip_depth;

	bool infeed, inentry, insource, inimage, intextinput;
	bool inauthor, incontributor, inpublisher, guidislink, has_content;
	bool image_ctx; /* feed-level image: its values go nowhere */
	bool summary_as_content;
	int incontent, xdepth, svg;
	struct cparams cp;
	int fdepth[2][F_NFIELDS]; /* [feed/entry][field]: depth stored */
	int title_depth;
	struct feed_entry *entry;
	size_t entry_idx;
	int open_at_end; /* elements open when the bytes ended */
	bool ends_with_root; /* the bytes end with the root's end tag */
	char root[64];   /* the root element's name, as written */
	/* which root the document has: it decides the version */
	enum { ROOT_OTHER, ROOT_RSS, ROOT_RDF, ROOT_FEED } root_kind;
};

static struct feed_entry *
cur_entry(struct px *p)
{
	return p->inentry && p->doc->nentries ?
		&p->doc->entries[p->doc->nentries - 1] :
		NULL;
}

static const char *
base_now(struct px *p)
{
	size_t d = p->depth < 0 ? 0 : (size_t)p->depth;

	if (!p->bases)
		return NULL;
	if (d >= p->capbases)
		d = p->capbases - 1;
	return p->bases[d].uri;
}

static const char *
attr_get(const struct attrs *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].name, name) == 0)
			return a->v[i].value;
	return NULL;
}

static bool
scheme_ok(const char *u)
{
	static const char *const ok[] = {
		"aim", "callto", "cvs", "facetime", "feed", "file", "ftp",
		"git", "gopher", "gtalk", "h323", "hdl", "http", "https",
		"imap", "irc", "irc6", "ircs", "itms", "magnet", "mailto",
		"mms", "msnim", "news", "nntp", "prospero", "rsync", "rtsp",
		"rtspu", "sftp", "shttp", "sip", "sips", "skype", "smb",
		"snews", "ssh", "svn", "svn+ssh", "tag", "telnet", "urn",
		"wais", "ymsg",
	};
	const char *c;
	size_t i, n;

	while (*u == ' ')
		u++;
	c = strchr(u, ':');
	if (!c)
		return true;
	n = (size_t)(c - u);
	if (strcspn(u, "/?#") < n)
		return true; /* no scheme at all */
	for (i = 0; i < ARRAY_SIZE(ok); i++)
		if (strlen(ok[i]) == n && strncasecmp(u, ok[i], n) == 0)
			return true;
	return false;
}

/* feedparser's resolve_uri: join with the current base. */
static char *
resolve(struct px *p, const char *ref)
{
	const char *b = base_now(p);

	if (!ref)
		return NULL;
	if (!b || !*b)
		return xstrdup(ref);
	return url_resolve(b, ref);
}

static void
set_field(struct px *p, char **dst, int field, const char *v, bool first_wins)
{
	int ctx = p->inentry ? 1 : 0;
	int old = p->fdepth[ctx][field];

	if (*dst && old >= 0) {
		if (first_wins ? p->depth >= old : p->depth > old)
			return;
	}
	feed_set(dst, v);
	p->fdepth[ctx][field] = p->depth;
}

/* set_field() that moves *v into *dst when it stores it (*v is then
 * NULL), instead of copying: the caller frees whatever is left. */
static void
set_field_move(struct px *p, char **dst, int field, char **v,
	       bool first_wins)
{
	int ctx = p->inentry ? 1 : 0;
	int old = p->fdepth[ctx][field];

	if (*dst && old >= 0) {
		if (first_wins ? p->depth >= old : p->depth > old)
			return;
	}
	free(*dst);
	*dst = *v;
	*v = NULL;
	p->fdepth[ctx][field] = p->depth;
}

/* set_field() that takes ownership of v (stored or freed), so big
 * fields are not copied again. */
static void
set_field_take(struct px *p, char **dst, int field, char *v)
{
	int ctx = p->inentry ? 1 : 0;
	int old = p->fdepth[ctx][field];

	if (*dst && old >= 0 && p->depth > old) {
		free(v);
		return;
	}
	free(*dst);
	*dst = v;
	p->fdepth[ctx][field] = p->depth;
}

/* ---- the element stack ---- */

static void
push(struct px *p, const char *name, bool expecting)
{
	struct frame *f;
	size_t n;

	XGROW(p->stack, p->capstack, p->nstack + 1);
	if (p->nstack == p->nused) {
		sbuf_init(&p->stack[p->nstack].text, p->max);
		p->nused++;
	}
	f = &p->stack[p->nstack++];
	n = strlen(name);
	if (n >= sizeof(f->name))
		n = sizeof(f->name) - 1;
	memcpy(f->name, name, n);
	f->name[n] = '\0';
	f->expecting = expecting;
	sbuf_reset(&f->text);
}

/* Text into the open frame. libxml2 hands text over in small pieces
 * (every entity reference is one), so the common case, room in the
 * buffer and under its cap, is a memcpy here rather than a call. */
static inline void
add_text(struct px *p, const char *s, size_t n)
{
	struct sbuf *t;

	if (!p->nstack)
		return;
	t = &p->stack[p->nstack - 1].text;
	if (t->len + n < t->cap && !t->over &&
	    (!t->max || t->len + n <= t->max)) {
		if (n == 1)
			t->buf[t->len] = *s;
		else
			memcpy(t->buf + t->len, s, n);
		t->len += n;
		t->buf[t->len] = '\0';
	} else {
		sbuf_add_cut(t, s, n); /* a field stops at its cap */
	}
}

static bool
is_ws(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

/* Atom's mode="base64" content: the decoded text, NULL when it is not
 * base64 or not UTF-8. */
static char *
b64_decode(const char *s)
{
	struct sbuf out = SBUF_INIT;

	if (base64_decode(&out, s) < 0 || !utf8_valid(out.buf, out.len)) {
		sbuf_release(&out);
		return NULL;
	}
	return sbuf_detach(&out, NULL);
}

static const char *
map_type(const char *t)
{
	if (strchr(t, '/'))
		return t; /* a MIME type already, as most are */
	if (strcasecmp(t, "text") == 0 || strcasecmp(t, "plain") == 0)
		return "text/plain";
	if (strcasecmp(t, "html") == 0)
		return "text/html";
	if (strcasecmp(t, "xhtml") == 0)
		return "application/xhtml+xml";
	return t;
}

static bool
type_htmlish(const char *t)
{
	return strcmp(t, "text/html") == 0 ||
	       strcmp(t, "application/xhtml+xml") == 0;
}

static bool
ends_xml(const char *t)
{
	return str_ends(t, "xml");
}

static bool
trim_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/* Whether s holds a C1 control (U+0080..U+009F, "\xc2\x80".."\xc2\x9f"):
 * the only bytes feed_demoronize() changes. U+00A0 and the rest of
 * Latin-1 (also led by 0xc2) are common in feeds and change nothing. */
static bool
has_c1(const char *s, size_t n)
{
	const char *p = s, *end = s + n;

#if defined(__SSE2__)
	/* real text has many 0xc2 leads (nbsp, ©, «»): one pass over
	 * pairs, not a memchr restarted at each */
	const __m128i c2 = _mm_set1_epi8((char)0xc2);
	const __m128i hi = _mm_set1_epi8((char)0xe0);
	const __m128i c1 = _mm_set1_epi8((char)0x80);

	/* 64 bytes with no 0xc2 at all (most of most text) in a few
	 * instructions; a block that has one is looked at in pairs */
	while (end - p > 64) {
		__m128i m = _mm_or_si128(
			_mm_or_si128(
				_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)
					(const void *)p), c2),
				_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)
					(const void *)(p + 16)), c2)),
			_mm_or_si128(
				_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)
					(const void *)(p + 32)), c2),
				_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)
					(const void *)(p + 48)), c2)));

		if (_mm_movemask_epi8(m)) {
			const char *q;

			for (q = p; q < p + 64; q += 16) {
				__m128i v = _mm_loadu_si128(
					(const __m128i *)(const void *)q);
				__m128i w = _mm_loadu_si128(
					(const __m128i *)(const void *)(q + 1));

				if (_mm_movemask_epi8(_mm_and_si128(
					    _mm_cmpeq_epi8(v, c2),
					    _mm_cmpeq_epi8(_mm_and_si128(w, hi),
							   c1))))
					return true;
			}
		}
		p += 64;
	}
	while (end - p > 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i w = _mm_loadu_si128((const __m128i *)(const void *)
					    (p + 1));

		if (_mm_movemask_epi8(_mm_and_si128(
			    _mm_cmpeq_epi8(v, c2),
			    _mm_cmpeq_epi8(_mm_and_si128(w, hi), c1))))
			return true;
		p += 16;
	}
#endif

	while ((p = memchr(p, 0xc2, (size_t)(end - p))) != NULL) {
		if (p + 1 < end && (unsigned char)p[1] >= 0x80 &&
		    (unsigned char)p[1] <= 0x9f)
			return true;
		p++;
	}
	return false;
}

/*
 * The cleaned field, feed_trim()med with the length known. The cleaner's
 * buffer itself is handed over, cut to size (a shrinking realloc does
 * not move it), when nothing leads: a copy of every cleaned byte was
 * the parse's largest memcpy. The next field's cleaning allocates a
 * fresh buffer (markup_clean_into() does not grow one by copying).
 */
static char *
clean_exact(struct sbuf *c)
{
	size_t olen = c->len, st;
	char *out;

	while (olen && trim_ws(c->buf[olen - 1]))
		olen--;
	for (st = 0; st < olen && trim_ws(c->buf[st]); st++)
		;
	if (st == 0 && c->cap) {
		out = c->buf;
		out[olen] = '\0';
		sbuf_init(c, 0);
		return xrealloc(out, olen + 1);
	}
	out = xmalloc(olen - st + 1);
	memcpy(out, c->buf + st, olen - st);
	out[olen - st] = '\0';
	return out;
}

/*
 * What pop() makes of an HTML content field that needs no base64 and no
 * xhtml div stripping: trim, demoronize, markup_clean, trim; but cleaned
 * from the frame's buffer instead of a copy of it. NULL when the text
 * holds a C1 control, which demoronize would change (the caller takes
 * the long way). Cleaning runs here, on the parsing thread: a parse
 * starts no thread (seek's pipeline is where parsing overlaps other
 * work, see seek.h).
 */
static char *
clean_in_place(struct px *p, struct sbuf *t)
{
	size_t n = strlen(t->buf), st = 0;
	char save;

	while (n && trim_ws(t->buf[n - 1]))
		n--;
	while (st < n && trim_ws(t->buf[st]))
		st++;
	if (has_c1(t->buf + st, n - st))
		return NULL;
	save = t->buf[n];
	if (save)
		t->buf[n] = '\0';
	markup_clean_into(t->buf + st, n - st, base_now(p),
			  strcmp(p->cp.type, "text/html") == 0, &p->cleanbuf,
			  &p->cleanscratch);
	if (save)
		t->buf[n] = save;
	return clean_exact(&p->cleanbuf);
}

/*
 * Pop the top frame if it is name; returns the collected text (owned by
 * the caller) after base64, URL and markup handling, or NULL.
 */
static char *
pop(struct px *p, const char *name, bool *expecting)
{
	struct frame *f;
	struct sbuf *t;
	char *out, *s;
	bool content_elem;

	if (!p->nstack || strcmp(p->stack[p->nstack - 1].name, name) != 0)
		return NULL;
	f = &p->stack[--p->nstack];
	t = &f->text;
	if (expecting)
		*expecting = f->expecting;

	content_elem = p->incontent && f->expecting &&
		       (strcmp(name, "content") == 0 ||
			strcmp(name, "summary") == 0 ||
			strcmp(name, "title") == 0 ||
			strcmp(name, "description") == 0 ||
			strcmp(name, "subtitle") == 0 ||
			strcmp(name, "rights") == 0 ||
			strcmp(name, "info") == 0);
	if (content_elem && !p->cp.base64 && type_htmlish(p->cp.type) &&
	    !(strcmp(p->version, "atom10") == 0 &&
	      strcmp(p->cp.type, "application/xhtml+xml") == 0 &&
	      p->cp.top_elems == 1 && p->cp.first_div && !p->cp.top_text &&
	      p->cp.last_close >= p->cp.div_body)) {
		/* the common case for big fields: HTML cleaned straight
		 * from the frame, no intermediate copy */
		out = clean_in_place(p, t);
		if (out)
			return out;
	}
	if (content_elem && strcmp(p->version, "atom10") == 0 &&
	    strcmp(p->cp.type, "application/xhtml+xml") == 0 &&
	    p->cp.top_elems == 1 && p->cp.first_div && !p->cp.top_text &&
	    p->cp.last_close >= p->cp.div_body)
		out = xstrndup(t->buf + p->cp.div_body,
			       p->cp.last_close - p->cp.div_body);
	else
		out = xstrndup(t->buf, t->len);
	feed_trim(out);
	if (!f->expecting)
		return out;
	out = feed_demoronize(out);

	if (content_elem && p->cp.base64) {
		s = b64_decode(out);
		if (s) {
			free(out);
			out = s;
		}
	}
	if (*out && (strcmp(name, "link") == 0 || strcmp(name, "href") == 0 ||
		     strcmp(name, "comments") == 0 ||
		     (strcmp(name, "id") == 0 && p->guidislink)) &&
	    !url_self_resolving(out)) {
		/* (an absolute link, the usual one, resolves to itself:
		 * resolve() would only copy it) */
		s = resolve(p, out);
		free(out);
		out = s;
	}
	if (content_elem) {
		if (strncmp(p->version, "atom", 4) != 0 &&
		    strcmp(p->cp.type, "text/plain") == 0 &&
		    markup_looks_like_html(out))
			snprintf(p->cp.type, sizeof(p->cp.type), "text/html");
		if (type_htmlish(p->cp.type)) {
			s = markup_clean(out, base_now(p),
					 strcmp(p->cp.type, "text/html") == 0);
			free(out);
			out = s;
			feed_trim(out);
		}
	}
	return out;
}

/* free(pop(p, name, NULL)), for a frame whose text nobody reads: pushed
 * not expecting text, pop() would only copy and trim it (an <item>'s
 * white space between its children), so it is dropped here instead. */
static void
pop_drop(struct px *p, const char *name)
{
	if (p->nstack && !p->stack[p->nstack - 1].expecting &&
	    strcmp(p->stack[p->nstack - 1].name, name) == 0) {
		p->nstack--;
		return;
	}
	free(pop(p, name, NULL));
}

static void
push_content(struct px *p, const char *name, const struct attrs *a,
	     const char *dflt, bool expecting)
{
	const char *type = attr_get(a, "type");
	const char *mode = attr_get(a, "mode");

	p->incontent++;
	memset(&p->cp, 0, sizeof(p->cp));
	/* snprintf("%s") without the formatting: once per text element */
	{
		const char *t = map_type(type ? type : dflt);
		size_t n = strnlen(t, sizeof(p->cp.type) - 1);

		memcpy(p->cp.type, t, n);
		p->cp.type[n] = '\0';
	}
	if (mode && strcmp(mode, "base64") == 0)
		p->cp.base64 = true;
	else if (str_starts(p->cp.type, "text/") ||
		 str_ends(p->cp.type, "+xml") || str_ends(p->cp.type, "/xml"))
		p->cp.base64 = false;
	else
		p->cp.base64 = true;
	p->xdepth = 0;
	push(p, name, expecting);
}

static char *
pop_content(struct px *p, const char *name)
{
	char *v = pop(p, name, NULL);

	if (p->incontent > 0)
		p->incontent--;
	return v;
}

/* Where values go: an entry, the feed, or nowhere (image, textinput,
 * source). */
enum where { W_NONE, W_FEED, W_ENTRY };

static enum where
where(struct px *p)
{
	if (p->inentry && !p->insource && cur_entry(p))
		return W_ENTRY;
	if (p->infeed && !p->insource && !p->intextinput && !p->image_ctx)
		return W_FEED;
	return W_NONE;
}

static struct feed_common *
common(struct px *p)
{
	switch (where(p)) {
	case W_ENTRY: return &cur_entry(p)->c;
	case W_FEED: return &p->doc->feed;
	default: return NULL;
	}
}

/* ---- element handlers ---- */

typedef void (*start_fn)(struct px *, const struct attrs *);
typedef void (*end_fn)(struct px *);

static void
set_version(struct px *p, const char *v)
{
	if (!p->version[0])
		snprintf(p->version, sizeof(p->version), "%s", v);
}

static void
start_rss(struct px *p, const struct attrs *a)
{
	const char *v = attr_get(a, "version");

	/* feedparser: an <rss> element corrects a version that is not an
	 * RSS one (the document's root, see sax_start, already is) */
	if (p->version[0] && str_starts(p->version, "rss"))
		return;
	p->version[0] = '\0';
	if (!v)
		v = "";
	if (strcmp(v, "0.91") == 0)
		set_version(p, "rss091u");
	else if (strcmp(v, "0.92") == 0)
		set_version(p, "rss092");
	else if (strcmp(v, "0.93") == 0)
		set_version(p, "rss093");
	else if (strcmp(v, "0.94") == 0)
		set_version(p, "rss094");
	else if (str_starts(v, "2."))
		set_version(p, "rss20");
	else
		set_version(p, "rss");
}

static void
start_channel(struct px *p, const struct attrs *a)
{
	(void)a;
	p->infeed = true;
}

static void
end_channel(struct px *p)
{
	p->infeed = false;
}

static void
start_feed(struct px *p, const struct attrs *a)
{
	const char *v = attr_get(a, "version");

	p->infeed = true;
	if (p->version[0])
		return;
	if (v && strcmp(v, "0.1") == 0)
		set_version(p, "atom01");
	else if (v && strcmp(v, "0.2") == 0)
		set_version(p, "atom02");
	else if (v && strcmp(v, "0.3") == 0)
		set_version(p, "atom03");
	else
		set_version(p, "atom");
}

static void
start_item(struct px *p, const struct attrs *a)
{
	const char *about = attr_get(a, "rdf:about");
	struct feed_entry *en = feed_doc_add_entry(p->doc);

	push(p, "item", false);
	p->inentry = true;
	p->guidislink = false;
	p->has_content = false;
	p->title_depth = -1;
	memset(p->fdepth[1], -1, sizeof(p->fdepth[1]));
	if (about)
		feed_set(&en->c.id, about);
}

static void
end_item(struct px *p)
{
	pop_drop(p, "item");
	p->inentry = false;
	p->has_content = false;
}

static void
start_image(struct px *p, const struct attrs *a)
{
	(void)a;
	if (!p->inentry)
		p->image_ctx = true;
	p->inimage = true;
	p->title_depth = -1;
	push(p, "image", false);
}

static void
end_image(struct px *p)
{
	pop_drop(p, "image");
	p->inimage = false;
	p->image_ctx = false;
}

static void
start_textinput(struct px *p, const struct attrs *a)
{
	(void)a;
	p->intextinput = true;
	p->title_depth = -1;
	push(p, "textinput", false);
}

static void
end_textinput(struct px *p)
{
	pop_drop(p, "textinput");
	p->intextinput = false;
}

static void
start_source(struct px *p, const struct attrs *a)
{
	(void)a;
	p->insource = true;
	p->title_depth = -1;
	push(p, "source", true);
}

static void
end_source(struct px *p)
{
	p->insource = false;
	free(pop(p, "source", NULL));
}

static bool
expect_text(struct px *p)
{
	return p->infeed || p->inentry || p->insource;
}

static void
start_title(struct px *p, const struct attrs *a)
{
	push_content(p, "title", a, "text/plain", expect_text(p));
}

static void
end_title(struct px *p)
{
	bool exp;
	char *v;
	struct feed_common *c;

	v = pop(p, "title", &exp);
	if (p->incontent > 0)
		p->incontent--;
	if (!v)
		return;
	c = common(p);
	if (exp && *v && c && !(p->title_depth > -1 &&
				p->title_depth <= p->depth)) {
		set_field_move(p, &c->title, F_TITLE, &v, false);
		if (!v) /* stored: the type it was read as goes with it */
			c->title_html = type_htmlish(p->cp.type);
		p->title_depth = p->depth;
	}
	free(v);
}

/* Media RSS <media:title>: the entry's title only when it has none of
 * its own, wherever the two come (feedparser keeps title_depth). */
static void
end_media_title(struct px *p)
{
	int depth = p->title_depth;

	end_title(p);
	p->title_depth = depth;
}

static void
save_description(struct px *p, const char *field, char *v)
{
	struct feed_entry *en;

	if (!v)
		return;
	switch (where(p)) {
	case W_ENTRY:
		en = cur_entry(p);
		if (strcmp(field, "content") == 0) {
			if (!en->content) {
				en->content = v;
				v = NULL;
				feed_set(&en->content_type, p->cp.type);
			}
		} else {
			set_field_take(p, &en->summary, F_SUMMARY, v);
			if (en->summary == v)
				en->summary_html = type_htmlish(p->cp.type);
			v = NULL;
		}
		break;
	case W_FEED:
		set_field_take(p, &p->doc->description, F_DESC, v);
		v = NULL;
		break;
	default:
		break;
	}
	free(v);
}

static void start_content(struct px *p, const struct attrs *a);
static void end_content(struct px *p);

static bool
has_summary(struct px *p)
{
	struct feed_entry *en = cur_entry(p);

	if (where(p) == W_ENTRY)
		return en->summary != NULL;
	if (where(p) == W_FEED)
		return p->doc->description != NULL;
	return false;
}

static void
start_description(struct px *p, const struct attrs *a)
{
	if (where(p) == W_ENTRY && has_summary(p) && !p->has_content) {
		p->summary_as_content = true;
		start_content(p, a);
		return;
	}
	push_content(p, "description", a, "text/html", expect_text(p));
}

static void
end_description(struct px *p)
{
	if (p->summary_as_content) {
		p->summary_as_content = false;
		end_content(p);
		return;
	}
	save_description(p, "summary", pop_content(p, "description"));
}

static void
start_summary(struct px *p, const struct attrs *a)
{
	if (where(p) == W_ENTRY && has_summary(p) && !p->has_content) {
		p->summary_as_content = true;
		start_content(p, a);
		return;
	}
	push_content(p, "summary", a, "text/plain", true);
}

static void
end_summary(struct px *p)
{
	if (p->summary_as_content) {
		p->summary_as_content = false;
		end_content(p);
		return;
	}
	save_description(p, "summary", pop_content(p, "summary"));
}

static void
start_subtitle(struct px *p, const struct attrs *a)
{
	push_content(p, "subtitle", a, "text/plain", expect_text(p));
}

static void
end_subtitle(struct px *p)
{
	char *v = pop_content(p, "subtitle");

	if (v && where(p) == W_FEED)
		set_field(p, &p->doc->description, F_DESC, v, false);
	free(v);
}

static void
start_content(struct px *p, const struct attrs *a)
{
	p->has_content = true;
	push_content(p, "content", a, "text/plain", true);
}

static void
start_content_encoded(struct px *p, const struct attrs *a)
{
	p->has_content = true;
	push_content(p, "content", a, "text/html", true);
}

static void
start_body(struct px *p, const struct attrs *a)
{
	push_content(p, "content", a, "application/xhtml+xml", true);
}

static void
end_content(struct px *p)
{
	char *v = pop(p, "content", NULL);

	if (v && where(p) == W_ENTRY) {
		struct feed_entry *en = cur_entry(p);

		if (!en->content) {
			en->content = v;
			feed_set(&en->content_type, p->cp.type);
			v = NULL;
		}
	}
	if (p->incontent > 0)
		p->incontent--;
	free(v);
}

static void
start_rights(struct px *p, const struct attrs *a)
{
	push_content(p, "rights", a, "text/plain", expect_text(p));
}

static void
end_rights(struct px *p)
{
	char *v = pop_content(p, "rights");
	struct feed_common *c = common(p);

	if (v && c)
		set_field(p, &c->rights, F_RIGHTS, v, false);
	free(v);
}

static void
start_link(struct px *p, const struct attrs *a)
{
	const char *rel = attr_get(a, "rel"), *type = attr_get(a, "type");
	const char *href = attr_get(a, "href");
	struct feed_common *c = common(p);
	struct feed_link *l;
	char *abs;

	if (!href)
		href = attr_get(a, "url");
	if (!rel)
		rel = "alternate";
	if (!type)
		type = strcmp(rel, "self") == 0 ? "application/atom+xml" :
						  "text/html";
	if (c && !(p->inentry && p->inimage)) {
		abs = href ? resolve(p, href) : NULL;
		feed_add_link(c, rel, abs, type, attr_get(a, "title"));
		l = &c->links[c->nlinks - 1];
		feed_set(&l->hreflang, attr_get(a, "hreflang"));
		if (attr_get(a, "length"))
			str_to_i64(attr_get(a, "length"), &l->length);
		if (abs && strcmp(rel, "alternate") == 0 &&
		    type_htmlish(map_type(type)))
			set_field(p, &c->link, F_LINK, abs, false);
		if (abs && strcmp(rel, "enclosure") == 0 &&
		    where(p) == W_ENTRY) {
			int64_t n = -1;

			if (attr_get(a, "length"))
				str_to_i64(attr_get(a, "length"), &n);
			feed_entry_add_enclosure(cur_entry(p), abs,
						 attr_get(a, "type"), n);
		}
		free(abs);
	}
	if (!href)
		push(p, "link", expect_text(p));
}

static void
end_link(struct px *p)
{
	bool exp;
	char *v = pop(p, "link", &exp);
	struct feed_common *c = common(p);

	if (v && exp && c && !(p->inimage && p->inentry)) {
		set_field(p, &c->link, F_LINK, v, false);
		if (c->nlinks && !c->links[c->nlinks - 1].href && *v) {
			c->links[c->nlinks - 1].href = v; /* moved, not copied */
			v = NULL;
		}
	}
	free(v);
}

static void
start_guid(struct px *p, const struct attrs *a)
{
	const char *pl = attr_get(a, "ispermalink");

	p->guidislink = !pl || strcmp(pl, "true") == 0;
	push(p, "id", true);
}

static void
end_guid(struct px *p)
{
	char *v = pop(p, "id", NULL);
	struct feed_common *c = common(p);

	if (v && c) {
		/* the link first: moving v into id may leave nothing */
		if (p->guidislink && !c->link)
			feed_set(&c->link, v);
		set_field_move(p, &c->id, F_ID, &v, false);
	}
	free(v);
}

static void
start_date(struct px *p, const struct attrs *a)
{
	(void)a;
	push(p, "published", true);
}

static void
start_updated(struct px *p, const struct attrs *a)
{
	(void)a;
	push(p, "updated", true);
}

static void
end_date_common(struct px *p, const char *name, bool published)
{
	char *v = pop(p, name, NULL);
	struct feed_common *c = common(p);

	if (v && c && *v) {
		if (published) {
			c->published = parse_date(v);
			free(c->published_raw);
			c->published_raw = v;
		} else {
			c->updated = parse_date(v);
			free(c->updated_raw);
			c->updated_raw = v;
		}
		v = NULL;
	}
	free(v);
}

static void
end_published(struct px *p)
{
	end_date_common(p, "published", true);
}

static void
end_updated(struct px *p)
{
	end_date_common(p, "updated", false);
}

static void
start_created(struct px *p, const struct attrs *a)
{
	(void)a;
	push(p, "created", true);
}

static void
end_created(struct px *p)
{
	free(pop(p, "created", NULL));
}

static void
start_author(struct px *p, const struct attrs *a)
{
	struct feed_common *c = common(p);

	(void)a;
	p->inauthor = true;
	push(p, "author", true);
	if (c)
		feed_add_author(c, NULL, NULL, NULL);
}

static void
end_author(struct px *p)
{
	char *v = pop(p, "author", NULL);
	struct feed_common *c = common(p);

	p->inauthor = false;
	if (c && c->nauthors) {
		struct feed_person *a = &c->authors[c->nauthors - 1];

		if (!a->name && !a->email && !a->uri && v && *v)
			feed_author_from_text(v, &a->name, &a->email);
		if (!a->name && !a->email && !a->uri) {
			c->nauthors--;
		}
	}
	free(v);
}

static void
start_publisher(struct px *p, const struct attrs *a)
{
	(void)a;
	p->inpublisher = true;
	push(p, "publisher", true);
}

static void
end_publisher(struct px *p)
{
	free(pop(p, "publisher", NULL));
	p->inpublisher = false;
}

static void
start_contributor(struct px *p, const struct attrs *a)
{
	(void)a;
	p->incontributor = true;
	push(p, "contributor", false);
}

static void
end_contributor(struct px *p)
{
	free(pop(p, "contributor", NULL));
	p->incontributor = false;
}

static void
start_dc_contributor(struct px *p, const struct attrs *a)
{
	(void)a;
	p->incontributor = true;
	push(p, "name", false);
}

static void
end_dc_contributor(struct px *p)
{
	free(pop(p, "name", NULL));
	p->incontributor = false;
}

static struct feed_person *
author_slot(struct px *p)
{
	struct feed_common *c = common(p);

	if (!c || !p->inauthor || p->inpublisher || p->incontributor)
		return NULL;
	if (!c->nauthors)
		feed_add_author(c, NULL, NULL, NULL);
	return &c->authors[c->nauthors - 1];
}

static void
start_name(struct px *p, const struct attrs *a)
{
	(void)a;
	push(p, "name", false);
}

static void
end_name(struct px *p)
{
	char *v = pop(p, "name", NULL);
	struct feed_person *a = author_slot(p);

	if (v && a && *v)
		feed_set(&a->name, v);
	free(v);
}

static void
start_email(struct px *p, const struct attrs *a)
{
	(void)a;
	push(p, "email", false);
}

static void
end_email(struct px *p)
{
	char *v = pop(p, "email", NULL);
	struct feed_person *a = author_slot(p);

	if (v && a && *v)
		feed_set(&a->email, v);
	free(v);
}

static void
start_url(struct px *p, const struct attrs *a)
{
	(void)a;
	push(p, "href", true);
}

static void
end_url(struct px *p)
{
	char *v = pop(p, "href", NULL);
	struct feed_person *a = author_slot(p);

	if (v && a && *v)
		feed_set(&a->uri, v);
	free(v);
}

static void
add_category(struct feed_common *c, const char *term, const char *scheme,
	     const char *label)
{
	size_t i;

	if (!term && !scheme && !label)
		return;
	for (i = 0; i < c->ncategories; i++) {
		struct feed_category *k = &c->categories[i];

		if (((!k->term && !term) ||
		     (k->term && term && strcmp(k->term, term) == 0)) &&
		    ((!k->scheme && !scheme) ||
		     (k->scheme && scheme && strcmp(k->scheme, scheme) == 0)) &&
		    ((!k->label && !label) ||
		     (k->label && label && strcmp(k->label, label) == 0)))
			return;
	}
	feed_add_category(c, term, scheme, label);
}

static void
start_category(struct px *p, const struct attrs *a)
{
	struct feed_common *c = common(p);
	const char *scheme = attr_get(a, "scheme");

	if (!scheme)
		scheme = attr_get(a, "domain");
	if (c)
		add_category(c, attr_get(a, "term"), scheme,
			     attr_get(a, "label"));
	push(p, "category", true);
}

static void
end_category(struct px *p)
{
	char *v = pop(p, "category", NULL);
	struct feed_common *c = common(p);

	if (v && *v && c) {
		if (c->ncategories && !c->categories[c->ncategories - 1].term)
			feed_set(&c->categories[c->ncategories - 1].term, v);
		else
			add_category(c, v, NULL, NULL);
	}
	free(v);
}

/* iTunes: <itunes:category text="..."> (nested ones are categories
 * too), scheme feedparser's "http://www.itunes.com/". */
#define SCHEME_ITUNES "http://www.itunes.com/"
#define SCHEME_MRSS "http://search.yahoo.com/mrss/category_schema"

static void
start_itunes_category(struct px *p, const struct attrs *a)
{
	struct feed_common *c = common(p);

	if (c)
		add_category(c, attr_get(a, "text"), SCHEME_ITUNES, NULL);
	push(p, "category", true);
}

/* Media RSS: <media:category scheme label>term</media:category>, the
 * scheme defaulting to the one the specification names. */
static void
start_media_category(struct px *p, const struct attrs *a)
{
	struct feed_common *c = common(p);
	const char *scheme = attr_get(a, "scheme");

	if (c)
		add_category(c, attr_get(a, "term"),
			     scheme ? scheme : SCHEME_MRSS,
			     attr_get(a, "label"));
	push(p, "category", true);
}

static void
start_keyword_list(struct px *p, const struct attrs *a)
{
	(void)a;
	push(p, "keyword_list", true);
}

/* A comma-separated keyword list: each keyword a category, in order. */
static void
end_keyword_list(struct px *p, const char *scheme)
{
	char *v = pop(p, "keyword_list", NULL);
	struct feed_common *c = common(p);
	char *k, *next;

	if (v && c)
		for (k = v; k; k = next) {
			next = strchr(k, ',');
			if (next)
				*next++ = '\0';
			feed_trim(k);
			if (*k)
				add_category(c, k, scheme, NULL);
		}
	free(v);
}

static void
end_itunes_keywords(struct px *p)
{
	end_keyword_list(p, SCHEME_ITUNES);
}

static void
end_media_keywords(struct px *p)
{
	end_keyword_list(p, NULL);
}

static void
start_comments(struct px *p, const struct attrs *a)
{
	(void)a;
	push(p, "comments", true);
}

static void
end_comments(struct px *p)
{
	char *v = pop(p, "comments", NULL);

	if (v && *v && where(p) == W_ENTRY)
		feed_set(&cur_entry(p)->comments, v);
	free(v);
}

static void
start_enclosure(struct px *p, const struct attrs *a)
{
	const char *url = attr_get(a, "url"), *type = attr_get(a, "type");
	const char *len = attr_get(a, "length");
	struct feed_common *c = common(p);
	int64_t n = -1;
	char *abs;

	if (!url)
		url = attr_get(a, "href");
	if (len)
		str_to_i64(len, &n);
	if (!c)
		return;
	abs = url ? resolve(p, url) : NULL;
	feed_add_link(c, "enclosure", abs, type, NULL);
	c->links[c->nlinks - 1].length = n;
	if (where(p) == W_ENTRY)
		feed_entry_add_enclosure(cur_entry(p), abs, type, n);
	free(abs);
}

static void
start_language(struct px *p, const struct attrs *a)
{
	(void)a;
	push(p, "language", true);
}

static void
end_language(struct px *p)
{
	char *v = pop(p, "language", NULL);

	if (v && *v && where(p) == W_FEED)
		feed_set(&p->doc->language, v);
	free(v);
}

static void
start_ttl(struct px *p, const struct attrs *a)
{
	(void)a;
	push(p, "ttl", true);
}

static void
end_ttl(struct px *p)
{
	char *v = pop(p, "ttl", NULL);
	int64_t n;

	if (v && where(p) == W_FEED && str_to_i64(v, &n) == 0 && n >= 0)
		p->doc->ttl = n * 60;
	free(v);
}

static void
start_license(struct px *p, const struct attrs *a)
{
	const char *r = attr_get(a, "rdf:resource");
	struct feed_common *c = common(p);

	if (r && c)
		feed_add_link(c, "license", r, NULL, NULL);
	push(p, "license", true);
}

static void
end_license(struct px *p)
{
	char *v = pop(p, "license", NULL);
	struct feed_common *c = common(p);

	if (v && *v && c)
		feed_add_link(c, "license", v, NULL, NULL);
	free(v);
}

struct handler {
	const char *name;
	start_fn start;
	end_fn end;
};

/* Sorted by name (strcmp order); feedparser's _start_/_end_ methods. */
static const struct handler handlers[] = {
	{ "abstract", start_summary, end_description },
	{ "author", start_author, end_author },
	{ "body", start_body, end_content },
	{ "category", start_category, end_category },
	{ "cc_license", start_license, end_license },
	{ "channel", start_channel, end_channel },
	{ "comments", start_comments, end_comments },
	{ "content", start_content, end_content },
	{ "content_encoded", start_content_encoded, end_content },
	{ "contributor", start_contributor, end_contributor },
	{ "copyright", start_rights, end_rights },
	{ "created", start_created, end_created },
	{ "creativecommons_license", start_license, end_license },
	{ "dc_author", start_author, end_author },
	{ "dc_contributor", start_dc_contributor, end_dc_contributor },
	{ "dc_creator", start_author, end_author },
	{ "dc_date", start_updated, end_updated },
	{ "dc_description", start_description, end_description },
	{ "dc_language", start_language, end_language },
	{ "dc_publisher", start_publisher, end_publisher },
	{ "dc_rights", start_rights, end_rights },
	{ "dc_subject", start_category, end_category },
	{ "dc_title", start_title, end_title },
	{ "dcterms_created", start_created, end_created },
	{ "dcterms_issued", start_date, end_published },
	{ "dcterms_modified", start_updated, end_updated },
	{ "description", start_description, end_description },
	{ "email", start_email, end_email },
	{ "enclosure", start_enclosure, NULL },
	{ "entry", start_item, end_item },
	{ "feed", start_feed, end_channel },
	{ "fullitem", start_content_encoded, end_content },
	{ "guid", start_guid, end_guid },
	{ "homepage", start_url, end_url },
	{ "id", start_guid, end_guid },
	{ "image", start_image, end_image },
	{ "issued", start_date, end_published },
	{ "item", start_item, end_item },
	{ "itunes_author", start_author, end_author },
	{ "itunes_category", start_itunes_category, end_category },
	{ "itunes_keywords", start_keyword_list, end_itunes_keywords },
	{ "itunes_name", start_name, end_name },
	{ "itunes_owner", start_publisher, end_publisher },
	{ "itunes_subtitle", start_subtitle, end_subtitle },
	{ "itunes_summary", start_summary, end_summary },
	{ "keywords", start_category, end_category },
	{ "language", start_language, end_language },
	{ "lastbuilddate", start_updated, end_updated },
	{ "license", start_license, end_license },
	{ "link", start_link, end_link },
	{ "managingeditor", start_author, end_author },
	{ "media_category", start_media_category, end_category },
	{ "media_keywords", start_keyword_list, end_media_keywords },
	{ "media_title", start_title, end_media_title },
	{ "modified", start_updated, end_updated },
	{ "name", start_name, end_name },
	{ "pubdate", start_date, end_published },
	{ "published", start_date, end_published },
	{ "rights", start_rights, end_rights },
	{ "rss", start_rss, NULL },
	{ "source", start_source, end_source },
	{ "subtitle", start_subtitle, end_subtitle },
	{ "summary", start_summary, end_summary },
	{ "tagline", start_subtitle, end_subtitle },
	{ "textinput", start_textinput, end_textinput },
	{ "title", start_title, end_title },
	{ "ttl", start_ttl, end_ttl },
	{ "updated", start_updated, end_updated },
	{ "uri", start_url, end_url },
	{ "url", start_url, end_url },
	{ "webmaster", start_publisher, end_publisher },
	{ "xhtml_body", start_body, end_content },
};

static int
handler_cmp(const void *k, const void *v)
{
	return strcmp(k, ((const struct handler *)v)->name);
}

static const struct handler *
handler_find(const char *name)
{
	return bsearch(name, handlers, ARRAY_SIZE(handlers),
		       sizeof(handlers[0]), handler_cmp);
}

/* ---- SAX callbacks ---- */

static const char *
ns_prefix(const xmlChar *uri, const xmlChar *given)
{
	char low[256];
	size_t i, n;
	const struct ns *m;

	if (!uri)
		return given ? (const char *)given : "";
	n = strlen((const char *)uri);
	if (n >= sizeof(low))
		return given ? (const char *)given : "";
	for (i = 0; i <= n; i++)
		low[i] = (char)tolower(uri[i]);
	if (strstr(low, "backend.userland.com/rss"))
		return "";
	m = bsearch(low, namespaces, ARRAY_SIZE(namespaces),
		    sizeof(namespaces[0]), ns_cmp);
	if (m)
		return m->prefix;
	return given ? (const char *)given : "";
}

static void
lower_into(char *dst, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < n; i++)
		dst[i] = (char)tolower((unsigned char)s[i]);
	dst[i] = '\0';
}

/*
 * The spellings glean needs for one (localname, prefix, namespace URI)
 * triple, computed once per parse. libxml2 hands names out of its
 * dictionary, so the same name arrives as the same pointers and a
 * pointer compare finds it; names not owned by the dictionary are
 * computed every time and never cached.
 */
#define NAME_CACHE 512 /* slots, a power of two */

struct qname {
	const xmlChar *local, *prefix, *uri; /* the key */
	char lower[64];     /* localname, lower-case */
	const char *pre;    /* feedparser's prefix for uri ("" for none) */
	char name[96];      /* handler name: "pre_local" or "local" */
	char aname[64];     /* attribute name: "pre:local", lower-case */
	size_t alen;
	bool keep_textinput, keep_image; /* see the hacks in sax_start */
	const struct handler *h;
};

static void
qname_fill(struct qname *q, const xmlChar *local, const xmlChar *prefix,
	   const xmlChar *uri)
{
	const char *l = q->lower;
	char t[64];

	q->local = local;
	q->prefix = prefix;
	q->uri = uri;
	lower_into(q->lower, sizeof(q->lower), (const char *)local);
	q->pre = ns_prefix(uri, prefix);
	if (*q->pre)
		snprintf(q->name, sizeof(q->name), "%s_%s", q->pre, l);
	else
		snprintf(q->name, sizeof(q->name), "%s", l);
	if (uri && *q->pre)
		snprintf(t, sizeof(t), "%s:%s", q->pre, (const char *)local);
	else
		snprintf(t, sizeof(t), "%s", (const char *)local);
	lower_into(q->aname, sizeof(q->aname), t);
	q->alen = strlen(q->aname);
	q->keep_textinput = !*q->pre &&
		(!strcmp(l, "title") || !strcmp(l, "link") ||
		 !strcmp(l, "description") || !strcmp(l, "name"));
	q->keep_image = !*q->pre &&
		(!strcmp(l, "title") || !strcmp(l, "link") ||
		 !strcmp(l, "description") || !strcmp(l, "url") ||
		 !strcmp(l, "href") || !strcmp(l, "width") ||
		 !strcmp(l, "height"));
	q->h = handler_find(q->name);
}

static bool
dict_owns(struct px *p, const xmlChar *s)
{
	return !s || xmlDictOwns(p->dict, s) == 1;
}

/* The spellings of a name; valid until the next call. A name looks in
 * two slots (so two hot names that hash alike do not evict each other
 * on every element) and replaces the second when both are taken. */
static const struct qname *
qname_get(struct px *p, const xmlChar *local, const xmlChar *prefix,
	  const xmlChar *uri)
{
	uint64_t k = (uint64_t)(uintptr_t)local * 0x9e3779b97f4a7c15ull ^
		     (uint64_t)(uintptr_t)uri * 0xc2b2ae3d27d4eb4full ^
		     (uint64_t)(uintptr_t)prefix * 0x165667b19e3779f9ull;
	struct qname *q, *q2;

	q = &p->names[(k >> 40) & (NAME_CACHE - 1)];
	q2 = &p->names[((k >> 40) + 1) & (NAME_CACHE - 1)];
	if (q->local == local && q->prefix == prefix && q->uri == uri)
		return q;
	if (q2->local == local && q2->prefix == prefix && q2->uri == uri)
		return q2;
	if (p->dict && dict_owns(p, local) && dict_owns(p, prefix) &&
	    dict_owns(p, uri)) {
		if (q->local)
			q = q2;
		qname_fill(q, local, prefix, uri);
		return q;
	}
	qname_fill(p->scratch, local, prefix, uri);
	return p->scratch;
}

/*
 * Load attributes: names through the cache, values (with libxml2's
 * "&#38;" for '&' undone, as it leaves them for a tree builder to
 * re-parse) into one buffer reused for every element.
 */
static void
attrs_load(struct px *p, struct attrs *a, int n, const xmlChar **at)
{
	size_t off[ARRAY_SIZE(a->v)];
	int i;
	size_t k;

	a->n = 0;
	sbuf_reset(&p->attrbuf);
	for (i = 0; i < n && a->n < ARRAY_SIZE(a->v); i++) {
		const xmlChar **x = at + i * 5;
		const struct qname *q = qname_get(p, x[0], x[1], x[2]);
		struct attr *t = &a->v[a->n];
		const char *s = (const char *)x[3], *e = (const char *)x[4];
		bool low;

		memcpy(t->name, q->aname, q->alen + 1);
		low = strcmp(t->name, "rel") == 0 ||
		      strcmp(t->name, "type") == 0;
		off[a->n++] = p->attrbuf.len;
		while (s < e) {
			const char *amp = memchr(s, '&', (size_t)(e - s));
			size_t run = amp ? (size_t)(amp - s) : (size_t)(e - s);

			sbuf_add(&p->attrbuf, s, run);
			s += run;
			if (s >= e)
				break;
			if (e - s >= 5 && memcmp(s, "&#38;", 5) == 0) {
				sbuf_addch(&p->attrbuf, '&');
				s += 5;
			} else {
				sbuf_addch(&p->attrbuf, *s++);
			}
		}
		if (low) {
			char *c = p->attrbuf.buf + off[a->n - 1];

			for (; *c; c++)
				*c = (char)tolower((unsigned char)*c);
		}
		sbuf_add(&p->attrbuf, "", 1); /* keep the NUL */
	}
	for (k = 0; k < a->n; k++)
		a->v[k].value = p->attrbuf.buf + off[k];
}

static bool
in_xhtml_content(struct px *p)
{
	return p->incontent && p->cp.type[0] == 'a' &&
	       strcmp(p->cp.type, "application/xhtml+xml") == 0;
}

static void
set_base(struct px *p, const struct attrs *a)
{
	const char *xb = attr_get(a, "xml:base");
	char *prev, *nb;
	bool own = true;
	size_t d = (size_t)p->depth, oldcap = p->capbases;

	if (!xb)
		xb = attr_get(a, "base");
	XGROW(p->bases, p->capbases, d + 1);
	if (p->capbases > oldcap)
		memset(p->bases + oldcap, 0,
		       (p->capbases - oldcap) * sizeof(*p->bases));
	prev = p->bases[d - 1].uri;
	if (xb && prev && *prev) {
		nb = url_resolve(prev, xb);
		if (!scheme_ok(nb)) {
			free(nb);
			nb = xstrdup(prev);
		}
	} else if (xb) {
		nb = xstrdup(xb);
	} else {
		/* borrowed: the parent's entry outlives this one */
		nb = prev;
		own = false;
	}
	if (p->bases[d].own)
		free(p->bases[d].uri);
	p->bases[d].uri = nb;
	p->bases[d].own = own;
}

static void
sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
	  const xmlChar *URI, int nb_ns, const xmlChar **ns, int nb_attr,
	  int nb_def, const xmlChar **attributes)
{
	struct px *p = ctx;
	struct attrs a;
	const struct qname *qn;
	const char *local, *pre, *name;
	const struct handler *h;
	const char *lang;

	(void)nb_def;
	p->depth++;
	if (p->depth >= PARSE_MAX_DEPTH) {
		p->skip_depth++;
		return;
	}
	if (p->depth == 1 && !p->root[0])
		snprintf(p->root, sizeof(p->root), "%s%s%s",
			 prefix ? (const char *)prefix : "", prefix ? ":" : "",
			 (const char *)localname);
	attrs_load(p, &a, nb_attr, attributes);
	set_base(p, &a);
	/* after the attributes: their lookups may reuse the slot */
	qn = qname_get(p, localname, prefix, URI);
	local = qn->lower;
	pre = qn->pre;
	name = qn->name;

	/* The version is the root's: an <rss> root says it in its version
	 * attribute (start_rss), an Atom <feed> by its own namespace (1.0)
	 * or version attribute (0.3), an RDF root by the RSS 1.0 or 0.9
	 * namespace it declares. An extension's namespace (an RSS 2.0
	 * document with atom:link) decides nothing. Under another root,
	 * feedparser's track_namespace: the first declaration known. */
	if (p->depth == 1) {
		if (strcmp(local, "rss") == 0)
			p->root_kind = ROOT_RSS;
		else if (strcmp(local, "rdf") == 0)
			p->root_kind = ROOT_RDF;
		else if (strcmp(local, "feed") == 0)
			p->root_kind = ROOT_FEED;
		if (p->root_kind == ROOT_FEED && URI &&
		    strcasecmp((const char *)URI, NS_ATOM10) == 0)
			set_version(p, "atom10");
	}
	for (int i = 0; i < nb_ns && !p->version[0]; i++) {
		const char *np = (const char *)ns[2 * i];
		const char *nu = (const char *)ns[2 * i + 1];
		bool rss_ok = p->root_kind == ROOT_RDF ||
			      p->root_kind == ROOT_OTHER;

		if (!nu)
			continue;
		/* under an RDF root the 0.9 namespace counts with any
		 * prefix; elsewhere only as the default (feedparser) */
		if (rss_ok && (!np || p->root_kind == ROOT_RDF) &&
		    strcasecmp(nu, "http://my.netscape.com/rdf/simple/0.9/") == 0)
			set_version(p, "rss090");
		else if (rss_ok && strcasecmp(nu, "http://purl.org/rss/1.0/") == 0)
			set_version(p, "rss10");
		else if (p->root_kind == ROOT_OTHER &&
			 strcasecmp(nu, NS_ATOM10) == 0)
			set_version(p, "atom10");
	}
	/* under an RDF root, the channel's own namespace is the version
	 * (a root may declare both RSS namespaces and use one) */
	if (p->depth == 2 && p->root_kind == ROOT_RDF && URI &&
	    strcmp(local, "channel") == 0) {
		if (strcasecmp((const char *)URI, "http://purl.org/rss/1.0/") == 0)
			snprintf(p->version, sizeof(p->version), "rss10");
		else if (strcasecmp((const char *)URI,
				    "http://my.netscape.com/rdf/simple/0.9/") == 0)
			snprintf(p->version, sizeof(p->version), "rss090");
	}

	lang = attr_get(&a, "xml:lang");
	if (lang && *lang && p->depth == 1 && !p->doc->language &&
	    (strcmp(local, "feed") == 0 || strcmp(local, "rss") == 0 ||
	     strcmp(local, "rdf") == 0))
		feed_set(&p->doc->language, lang);

	/* inline content: serialize the markup */
	if (p->incontent && !ends_xml(p->cp.type)) {
		if (strcmp(local, "div") == 0 && (!*pre || strcmp(pre, "xhtml") == 0))
			goto out;
		snprintf(p->cp.type, sizeof(p->cp.type),
			 "application/xhtml+xml");
	}
	if (in_xhtml_content(p)) {
		struct sbuf tag;
		size_t i;

		sbuf_init(&tag, 0);
		sbuf_addch(&tag, '<');
		sbuf_adds(&tag, (const char *)localname);
		if (URI && ((strcmp(local, "math") == 0 &&
			     strcmp((const char *)URI,
				    "http://www.w3.org/1998/Math/MathML") == 0) ||
			    (strcmp(local, "svg") == 0 &&
			     strcmp((const char *)URI,
				    "http://www.w3.org/2000/svg") == 0))) {
			sbuf_adds(&tag, " xmlns=\"");
			sbuf_adds(&tag, (const char *)URI);
			sbuf_addch(&tag, '"');
		}
		for (i = 0; i < a.n; i++) {
			sbuf_addf(&tag, " %s=\"", a.v[i].name);
			text_escape(&tag, a.v[i].value, strlen(a.v[i].value), ESC_QUOT);
			sbuf_addch(&tag, '"');
		}
		sbuf_addch(&tag, '>');
		if (p->xdepth == 0) {
			p->cp.top_elems++;
			if (p->cp.top_elems == 1) {
				p->cp.first_div = strcmp(local, "div") == 0;
				p->cp.div_body = p->nstack ?
					p->stack[p->nstack - 1].text.len +
						tag.len :
					0;
			}
		}
		p->xdepth++;
		add_text(p, tag.buf, tag.len);
		sbuf_release(&tag);
		goto out;
	}

	/* feedparser's hacks for unclosed image/textinput elements */
	if (!*pre && !qn->keep_textinput)
		p->intextinput = false;
	if (!*pre && !qn->keep_image) {
		p->inimage = false;
		p->image_ctx = false;
	}

	h = qn->h;
	if (h && h->start)
		h->start(p, &a);
	else if (!h && a.n == 0)
		push(p, name, true);
out:
	a.n = 0;
}

static void
sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
	const xmlChar *URI)
{
	struct px *p = ctx;
	const struct qname *qn;
	const char *local, *pre;
	const struct handler *h;

	if (p->skip_depth) {
		p->skip_depth--;
		p->depth--;
		return;
	}
	qn = qname_get(p, localname, prefix, URI);
	local = qn->lower;
	pre = qn->pre;

	if (p->incontent && p->xdepth > 0 && in_xhtml_content(p)) {
		struct sbuf tag;

		p->xdepth--;
		sbuf_init(&tag, 0);
		sbuf_addf(&tag, "</%s>", (const char *)localname);
		if (p->xdepth == 0 && p->nstack)
			p->cp.last_close = p->stack[p->nstack - 1].text.len;
		add_text(p, tag.buf, tag.len);
		sbuf_release(&tag);
		goto out;
	}
	if (p->incontent && strcmp(local, "div") == 0 &&
	    !ends_xml(p->cp.type) && (!*pre || strcmp(pre, "xhtml") == 0))
		goto out;

	h = qn->h;
	if (h && h->end)
		h->end(p);
	else if (!h)
		free(pop(p, qn->name, NULL));
out:
	if (p->depth > 0 && (size_t)p->depth < p->capbases) {
		if (p->bases[p->depth].own)
			free(p->bases[p->depth].uri);
		p->bases[p->depth].uri = NULL;
		p->bases[p->depth].own = false;
	}
	if (p->depth > 0)
		p->depth--;
}

/* sax_chars() for all but one byte of plain text: called, not inlined,
 * so that the common case there saves no registers and makes no call. */
static __attribute__((noinline)) void
chars_slow(struct px *p, const char *s, size_t n)
{
	if (in_xhtml_content(p)) {
		if (p->xdepth == 0 && !is_ws(s, n))
			p->cp.top_text = true;
		text_escape_text(&p->stack[p->nstack - 1].text, s, n);
	} else {
		add_text(p, s, n);
	}
}

/* Text of the open element. libxml2 hands it over in pieces, every
 * entity reference one ("&lt;p&gt;" is three): half the calls are one
 * byte, stored here. */
static void
sax_chars(void *ctx, const xmlChar *ch, int len)
{
	struct px *p = ctx;
	struct sbuf *t;

	if (!p->nstack || len <= 0)
		return;
	t = &p->stack[p->nstack - 1].text;
	if (len == 1 && !(p->incontent && p->cp.type[0] == 'a') &&
	    t->len + 1 < t->cap && !t->over &&
	    (!t->max || t->len + 1 <= t->max)) {
		t->buf[t->len++] = (char)*ch;
		t->buf[t->len] = '\0';
		return;
	}
	chars_slow(p, (const char *)ch, (size_t)len);
}

static xmlEntityPtr
sax_get_entity(void *ctx, const xmlChar *name)
{
	(void)ctx;
	(void)name;
	return NULL;
}

static xmlParserInputPtr
no_external(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

static void
sax_silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void
sax_serror(void *ctx, xmlErrorPtr err)
{
	(void)ctx;
	(void)err;
}

/* ---- driver ---- */

/*
 * libxml2's process-wide setup, once (pthread_once): parse_feed() runs
 * on a worker thread while the main thread may parse HTML or OPML, and
 * xmlInitParser() and the entity loader are process globals. Every
 * libxml2 entry point in src/parse calls parse_xml_init() first.
 */
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void
xml_init_once(void)
{
	xmlInitParser();
	xmlSetExternalEntityLoader(no_external);
}

void
parse_xml_init(void)
{
	pthread_once(&xml_once, xml_init_once);
}

/*
 * Cut the DOCTYPE (and its internal subset) out of the prologue, as
 * feedparser does: nothing declared there can expand later. Notes a
 * Netscape RSS 0.91 DOCTYPE. Returns whether it cut (the rest is then in
 * out, and *dt, *dtlen say where the DOCTYPE was, for the entities its
 * internal subset declares); without a DOCTYPE nothing is copied.
 */
static bool
strip_doctype(const char *s, size_t len, struct sbuf *out, bool *netscape,
	      const char **dt, size_t *dtlen)
{
	const char *d = NULL, *e, *q;
	size_t i;

	*netscape = false;
	for (i = 0; i + 1 < len; i++) {
		if (s[i] != '<')
			continue;
		if (isalnum((unsigned char)s[i + 1]) || s[i + 1] == '_')
			break;
		if (len - i >= 9 && memcmp(s + i, "<!DOCTYPE", 9) == 0) {
			d = s + i;
			break;
		}
	}
	if (!d)
		return false;
	/* find the end: '>' outside quotes and brackets */
	{
		int br = 0;
		char quote = 0;

		for (e = d + 9; e < s + len; e++) {
			if (quote) {
				if (*e == quote)
					quote = 0;
			} else if (*e == '"' || *e == '\'') {
				quote = *e;
			} else if (*e == '[') {
				br++;
			} else if (*e == ']') {
				br--;
			} else if (*e == '>' && br <= 0) {
				break;
			}
		}
	}
	if (e >= s + len)
		return false;
	/* "netscape" cannot cover e (a '>'): stay inside the bytes, which
	 * need not be NUL-terminated */
	for (q = d; q + 8 <= e; q++)
		if (strncasecmp(q, "netscape", 8) == 0)
			*netscape = true;
	sbuf_add(out, s, (size_t)(d - s));
	sbuf_add(out, e + 1, len - (size_t)(e + 1 - s));
	*dt = d;
	*dtlen = (size_t)(e + 1 - d);
	return true;
}

static void
px_reset(struct px *p)
{
	size_t i;

	for (i = 0; i < p->nused; i++)
		sbuf_release(&p->stack[i].text);
	free(p->stack);
	for (i = 0; i < p->capbases; i++)
		if (p->bases[i].own)
			free(p->bases[i].uri);
	free(p->bases);
	free(p->names);
	free(p->scratch);
	p->names = p->scratch = NULL;
	sbuf_release(&p->attrbuf);
	sbuf_release(&p->cleanbuf);
	sbuf_release(&p->cleanscratch);
	p->stack = NULL;
	p->bases = NULL;
	p->nstack = p->capstack = p->nused = p->capbases = 0;
}

static void
px_init(struct px *p, struct feed_doc *doc, size_t max, const char *base)
{
	memset(p, 0, sizeof(*p));
	p->doc = doc;
	p->max = max;
	p->title_depth = -1;
	memset(p->fdepth, -1, sizeof(p->fdepth));
	p->capbases = 8;
	p->bases = xcalloc(p->capbases, sizeof(*p->bases));
	p->bases[0].uri = base ? xstrdup(base) : NULL;
	p->bases[0].own = true;
	p->names = xcalloc(NAME_CACHE, sizeof(*p->names));
	p->scratch = xcalloc(1, sizeof(*p->scratch));
	sbuf_init(&p->attrbuf, 0);
	sbuf_init(&p->cleanbuf, 0);
	sbuf_init(&p->cleanscratch, 0);
}

/* Close whatever a truncated document left open, innermost first. The
 * doc and the entry left open are marked cut, with what of the entry's
 * identity was closed before the end (set before the flush closes the
 * rest, which may be half an element). */
static void
flush_open(struct px *p)
{
	struct feed_entry *en = cur_entry(p);
	int guard = 0;
	size_t i;

	if (p->open_at_end > 0 && !p->ends_with_root)
		p->doc->cut = true;
	if (p->doc->cut && en) {
		en->cut = true;
		en->id_whole = en->c.id && *en->c.id;
		en->link_whole = en->c.link && *en->c.link;
		for (i = 0; i < en->c.nlinks; i++)
			if (en->c.links[i].href && *en->c.links[i].href)
				en->link_whole = true;
	}
	while (p->nstack && guard++ < 10000) {
		struct frame *f = &p->stack[p->nstack - 1];
		const struct handler *h = handler_find(f->name);
		size_t before = p->nstack;

		if (h && h->end)
			h->end(p);
		if (p->nstack == before)
			free(pop(p, f->name, NULL));
		if (p->nstack == before)
			p->nstack--;
	}
}

static bool
is_xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Whether s ends (but for white space) with </name>: an ill-formed
 * document that does is whole, its nesting wrong; one that does not,
 * with elements left open, was cut off. */
static bool
ends_with_end_tag(const char *s, size_t len, const char *name)
{
	size_t n = strlen(name);

	while (len && is_xml_space(s[len - 1]))
		len--;
	if (!n || len < n + 3 || s[len - 1] != '>')
		return false;
	len--;
	while (len && is_xml_space(s[len - 1]))
		len--;
	return len >= n + 2 && memcmp(s + len - n, name, n) == 0 &&
	       s[len - n - 1] == '/' && s[len - n - 2] == '<';
}

/*
 * One libxml2 pass over s. Names are resolved once per interned
 * (localname, prefix, URI) triple (qname_get()); what is left of the gap
 * to a bare SAX2 pass on the 100 MB bench feed is mostly libxml2 handing
 * escaped HTML over one entity at a time, first-touch page faults for the
 * strings the doc keeps, and cleaning the entries' HTML (markup.c).
 */
static int
run(struct px *p, const char *s, size_t len, bool recover, bool *wf,
    bool *nswf)
{
	xmlSAXHandler sax;
	xmlParserCtxtPtr ctxt;
	size_t off;
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
		   XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC;

	if (recover)
		opts |= XML_PARSE_RECOVER;
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = sax_start;
	sax.endElementNs = sax_end;
	sax.characters = sax_chars;
	sax.cdataBlock = sax_chars;
	sax.getEntity = sax_get_entity;
	sax.warning = sax_silent;
	sax.error = sax_silent;
	sax.fatalError = sax_silent;
	sax.serror = sax_serror;

	ctxt = xmlCreatePushParserCtxt(&sax, p, NULL, 0, NULL);
	if (!ctxt)
		return -1;
	/* names cached by pointer belong to this parser's dictionary */
	p->dict = ctxt->dict;
	memset(p->names, 0, NAME_CACHE * sizeof(*p->names));
	xmlCtxtUseOptions(ctxt, opts);
	xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
	for (off = 0; off < len; off += CHUNK) {
		size_t n = len - off < CHUNK ? len - off : CHUNK;

		if (xmlParseChunk(ctxt, s + off, (int)n, 0) != 0 && !recover)
			break;
		if (ctxt->instate == XML_PARSER_EOF)
			break;
	}
	xmlParseChunk(ctxt, NULL, 0, 1);
	/* libxml2's own element stack: what the end of the bytes left
	 * open (a mismatched end tag does not count: it pops) */
	p->open_at_end = ctxt->nameNr;
	p->ends_with_root = ends_with_end_tag(s, len, p->root);
	*wf = ctxt->wellFormed != 0;
	*nswf = ctxt->nsWellFormed != 0;
	/* an entity declaration that got past strip_doctype (a DOCTYPE
	 * it could not delimit) makes libxml2 keep a SAX-compat document
	 * that the context does not free; nothing in it is ever expanded,
	 * getEntity answers NULL (found by fuzz/fuzz_parse.c) */
	if (ctxt->myDoc) {
		xmlFreeDoc(ctxt->myDoc);
		ctxt->myDoc = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	p->dict = NULL;
	memset(p->names, 0, NAME_CACHE * sizeof(*p->names));
	return 0;
}

static void
doc_clear_data(struct feed_doc *doc)
{
	/* keep what encoding.c decided, drop what the failed pass found */
	char *enc = doc->encoding, *why = doc->bozo_reason;
	bool bozo = doc->bozo;

	doc->encoding = NULL;
	doc->bozo_reason = NULL;
	feed_doc_release(doc);
	doc->encoding = enc;
	doc->bozo_reason = why;
	doc->bozo = bozo;
}

int
parse_xml(const char *utf8, size_t len, const struct parse_opts *opts,
	  const char *base, struct feed_doc *doc, struct err *e)
{
	struct sbuf src, fixed, expanded;
	struct px p;
	bool wf = false, nswf = true, netscape = false;
	const char *dt = NULL, *why = NULL;
	size_t dtlen = 0;
	int rc = -1;

	parse_xml_init();
	sbuf_init(&src, 0);
	sbuf_init(&fixed, 0);
	sbuf_init(&expanded, 0);
	if (strip_doctype(utf8, len, &src, &netscape, &dt, &dtlen)) {
		utf8 = src.buf;
		len = src.len;
		/* entities declared in the internal subset (XML 1.0 §4),
		 * expanded in entities.c within its limits */
		switch (entities_expand_declared(dt, dtlen, utf8, len,
						 &expanded, &why)) {
		case 1:
			utf8 = expanded.buf;
			len = expanded.len;
			break;
		case -1:
			doc->bozo = true;
			if (!doc->bozo_reason)
				doc->bozo_reason = xasprintf(
					"entities not expanded: %s", why);
			break;
		default:
			break;
		}
	}

	px_init(&p, doc, opts->max_field, base);
	if (run(&p, utf8, len, false, &wf, &nswf) < 0) {
		err_set(e, ERR_PARSE, "cannot create XML parser");
		goto out;
	}
	if (!nswf) {
		/* an undeclared prefix: bozo, but the data is all there */
		doc->bozo = true;
		if (!doc->bozo_reason)
			doc->bozo_reason = xstrdup("undeclared namespace "
						   "prefix");
	}
	if (!wf) {
		doc->bozo = true;
		if (!doc->bozo_reason)
			doc->bozo_reason = xstrdup("document is not "
						   "well-formed XML");
		px_reset(&p);
		doc_clear_data(doc);
		entities_to_charrefs(utf8, len, &fixed);
		px_init(&p, doc, opts->max_field, base);
		run(&p, fixed.buf, fixed.len, true, &wf, &nswf);
	}
	flush_open(&p);
	if (netscape)
		snprintf(p.version, sizeof(p.version), "rss091n");
	if (p.version[0])
		feed_set(&doc->version, p.version);
	if (!p.version[0] && doc->nentries == 0 && !doc->feed.title) {
		err_set(e, ERR_PARSE, "not a feed: no RSS, RDF or Atom root");
		goto out;
	}
	rc = 0;
out:
	px_reset(&p);
	sbuf_release(&src);
	sbuf_release(&fixed);
	sbuf_release(&expanded);
	return rc;
}
