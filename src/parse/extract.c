/*
 * extract.c: the article inside a web page. It follows the published
 * algorithm of Mozilla's Readability (written here from its description,
 * on libxml2's HTML parser): drop what cannot be the article (scripts,
 * styles, hidden elements, nodes whose class or id say "sidebar",
 * "comment", ...), score paragraphs by their length and commas, hand the
 * scores to their parent and grandparent weighted by tag and class/id,
 * discount links, take the best candidate and the siblings that look like
 * it, and clean what it picked (forms, share bars, link lists, empty
 * paragraphs). When that leaves less than 500 characters it retries with
 * fewer rules, and keeps the longest result.
 *
 * The metadata comes from JSON-LD (schema.org articles), OpenGraph,
 * Dublin Core, Twitter and plain <meta> tags, and the <title> with its
 * site name cut off. The article HTML is serialised and passed through
 * the feed content sanitiser (markup.c), links resolved against the page
 * URL (or its <base href>); the plain text is built from the same tree
 * (paragraphs apart by a blank line; in scripts written without spaces
 * an element's edge counts as a word boundary) and sanitised. It never
 * fetches anything.
 *
 * Bounds: pages over ARTICLE_MAX_INPUT are refused; libxml2 stops at 256
 * levels of nesting; the measures Readability takes per element walk a
 * subtree each, so they draw on one budget of node visits (struct ex),
 * past which the rest is kept as it is and no retry is made: a hostile
 * page costs seconds, never minutes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "glean/json.h"
#include "private.h"
#include "glean/banned.h"

#define CHAR_THRESHOLD 500 /* shorter articles are retried */
#define N_TOP 5            /* candidates kept */
#define MATCH_MAX 512      /* bytes of class + id compared */
#define WORK_BUDGET ((size_t)40 << 20) /* node visits, see struct ex */
#define WORK_PASSES 12     /* subtree walks one cleaning test makes */

enum {
	F_STRIP_UNLIKELY = 1,
	F_WEIGHT_CLASSES = 2,
	F_CLEAN_COND = 4,
	F_ALL = 7,
};

/* What the algorithm hangs on an element (node->_private). */
struct nstate {
	double score;
	bool scored, datatable;
	/* the text summary of the subtree (link_density_memo) */
	bool sum_ok, sum_any, sum_lead, sum_trail;
	size_t sum_len;
	double sum_links;
};

/* One attempt at the article, over one parse of the page. */
struct ex {
	htmlDocPtr doc;
	unsigned flags;
	const char *title;   /* the article's title (header dedup) */
	char *byline;        /* found in the page, first attempt wins */
	char *dir;
	xmlNode **grave;     /* unlinked nodes, freed with the attempt */
	size_t ngrave, cap_grave;
	struct nstate **st;  /* every nstate, freed with the attempt */
	size_t nst, cap_st;
	struct sbuf tmp;
	/* node visits left for the per-element measures that walk a
	 * subtree each (cleaning, data tables): nested elements make them
	 * quadratic; past the budget the rest is kept as it is */
	size_t budget;
};

/* ---- names and word lists (Readability's regular expressions) ---- */

static const char *const unlikely_words[] = {
	"-ad-", "ai2html", "banner", "breadcrumbs", "combx", "comment",
	"community", "cover-wrap", "disqus", "extra", "footer", "gdpr",
	"header", "legends", "menu", "related", "remark", "replies", "rss",
	"shoutbox", "sidebar", "skyscraper", "social", "sponsor",
	"supplemental", "ad-break", "agegate", "pagination", "pager",
	"popup", "yom-remote", NULL,
};
static const char *const maybe_words[] = {
	"and", "article", "body", "column", "content", "main", "mathjax",
	"shadow", NULL,
};
static const char *const positive_words[] = {
	"article", "body", "content", "entry", "hentry", "h-entry", "main",
	"page", "pagination", "post", "text", "blog", "story", NULL,
};
static const char *const negative_words[] = {
	"-ad-", "hidden", "banner", "combx", "comment", "com-", "contact",
	"footer", "gdpr", "masthead", "media", "meta", "outbrain", "promo",
	"related", "scroll", "share", "shoutbox", "sidebar", "skyscraper",
	"sponsor", "shopping", "tags", "widget", NULL,
};
static const char *const byline_words[] = {
	"byline", "author", "dateline", "writtenby", "p-author", NULL,
};
static const char *const unlikely_roles[] = {
	"menu", "menubar", "complementary", "navigation", "alert",
	"alertdialog", "dialog", NULL,
};
static const char *const video_hosts[] = {
	"//www.dailymotion.com", "//dailymotion.com", "//www.youtube.com",
	"//youtube.com", "//www.youtube-nocookie.com",
	"//youtube-nocookie.com", "//player.vimeo.com",
	"//www.player.vimeo.com", "//v.qq.com", "//www.v.qq.com",
	"//archive.org", "//www.archive.org", "//upload.wikimedia.org",
	"//www.upload.wikimedia.org", "//player.twitch.tv",
	"//www.player.twitch.tv", NULL,
};
static const char *const phrasing[] = {
	"abbr", "audio", "b", "bdo", "br", "button", "cite", "code", "data",
	"datalist", "dfn", "em", "embed", "i", "img", "input", "kbd",
	"label", "mark", "math", "meter", "noscript", "object", "output",
	"progress", "q", "ruby", "samp", "script", "select", "small",
	"span", "strong", "sub", "sup", "textarea", "time", "var", "wbr",
	NULL,
};
static const char *const div_to_p[] = {
	"blockquote", "dl", "div", "img", "ol", "p", "pre", "table", "ul",
	NULL,
};
static const char *const to_score[] = {
	"section", "h2", "h3", "h4", "h5", "h6", "p", "td", "pre", NULL,
};
static const char *const textish[] = {
	"span", "li", "td", "blockquote", "dl", "div", "img", "ol", "p",
	"pre", "table", "ul", NULL,
};
static const char *const headings[] = {
	"h1", "h2", "h3", "h4", "h5", "h6", NULL,
};
static const char *const jsonld_types[] = {
	"AdvertiserContentArticle", "NewsArticle", "AnalysisNewsArticle",
	"AskPublicNewsArticle", "BackgroundNewsArticle",
	"OpinionNewsArticle", "ReportageNewsArticle", "ReviewNewsArticle",
	"Report", "SatiricalArticle", "ScholarlyArticle",
	"MedicalScholarlyArticle", "SocialMediaPosting", "BlogPosting",
	"LiveBlogPosting", "DiscussionForumPosting", "TechArticle", NULL,
};

static bool
in_list(const char *s, const char *const *list)
{
	if (!s)
		return false;
	for (; *list; list++)
		if (s[0] == (*list)[0] && strcmp(s, *list) == 0)
			return true;
	return false;
}

/* Whether lower-case s contains any of the words. */
static bool
has_word(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strstr(s, *list))
			return true;
	return false;
}

/* "hid" as a whole space-separated token (the negative list's ^hid$). */
static bool
has_hid(const char *s)
{
	const char *p = s;

	while ((p = strstr(p, "hid")) != NULL) {
		if ((p == s || p[-1] == ' ') && (p[3] == '\0' || p[3] == ' '))
			return true;
		p += 3;
	}
	return false;
}

/* ---- the tree ---- */

static bool
is_el(const xmlNode *n)
{
	return n && n->type == XML_ELEMENT_NODE;
}

static bool
tag_is(const xmlNode *n, const char *name)
{
	return is_el(n) && n->name && strcmp((const char *)n->name, name) == 0;
}

static const char *
tag_of(const xmlNode *n)
{
	return is_el(n) && n->name ? (const char *)n->name : "";
}

static bool
is_text(const xmlNode *n)
{
	return n && (n->type == XML_TEXT_NODE ||
		     n->type == XML_CDATA_SECTION_NODE);
}

/* An attribute's value (borrowed), NULL when absent. */
static const char *
attr(const xmlNode *n, const char *name)
{
	const xmlAttr *a;

	if (!is_el(n))
		return NULL;
	for (a = n->properties; a; a = a->next) {
		if (!a->name || strcasecmp((const char *)a->name, name) != 0)
			continue;
		if (a->children && is_text(a->children) &&
		    a->children->content)
			return (const char *)a->children->content;
		return "";
	}
	return NULL;
}

static bool
has_children(const xmlNode *n)
{
	return n->children && (n->type == XML_ELEMENT_NODE ||
			       n->type == XML_HTML_DOCUMENT_NODE ||
			       n->type == XML_DOCUMENT_NODE);
}

/* The next node after cur in document order inside root. */
static xmlNode *
walk_next(xmlNode *cur, const xmlNode *root, bool skip_kids)
{
	if (!skip_kids && has_children(cur))
		return cur->children;
	while (cur && cur != root) {
		if (cur->next)
			return cur->next;
		cur = cur->parent;
	}
	return NULL;
}

static xmlNode *
first_el(xmlNode *n)
{
	for (n = n ? n->children : NULL; n && !is_el(n); n = n->next)
		;
	return n;
}

static xmlNode *
next_el(xmlNode *n)
{
	for (n = n->next; n && !is_el(n); n = n->next)
		;
	return n;
}

static size_t
count_el_children(xmlNode *n)
{
	size_t k = 0;

	for (n = first_el(n); n; n = next_el(n))
		k++;
	return k;
}

/* Readability's _getNextNode: elements only, in document order. */
static xmlNode *
next_node(xmlNode *n, bool skip_kids)
{
	xmlNode *c;

	if (!skip_kids && (c = first_el(n)))
		return c;
	while (n) {
		if ((c = next_el(n)))
			return c;
		n = n->parent;
		if (n && !is_el(n))
			return NULL;
	}
	return NULL;
}

static void
grave_push(struct ex *x, xmlNode *n)
{
	if (x->ngrave == x->cap_grave) {
		x->cap_grave = x->cap_grave ? 2 * x->cap_grave : 64;
		x->grave = xrealloc(x->grave,
				    x->cap_grave * sizeof(*x->grave));
	}
	x->grave[x->ngrave++] = n;
}

static void
dom_remove(struct ex *x, xmlNode *n)
{
	xmlUnlinkNode(n);
	grave_push(x, n);
}

static xmlNode *
remove_and_next(struct ex *x, xmlNode *n)
{
	xmlNode *next = next_node(n, true);

	dom_remove(x, n);
	return next;
}

/* Link c as parent's last child (no text merging, unlike xmlAddChild). */
static void
dom_append(xmlNode *parent, xmlNode *c)
{
	xmlUnlinkNode(c);
	c->parent = parent;
	c->prev = parent->last;
	c->next = NULL;
	if (parent->last)
		parent->last->next = c;
	else
		parent->children = c;
	parent->last = c;
}

/* Put c where ref is; ref is left unlinked. */
static void
dom_replace(xmlNode *ref, xmlNode *c)
{
	xmlUnlinkNode(c);
	c->parent = ref->parent;
	c->prev = ref->prev;
	c->next = ref->next;
	if (ref->prev)
		ref->prev->next = c;
	else if (ref->parent)
		ref->parent->children = c;
	if (ref->next)
		ref->next->prev = c;
	else if (ref->parent)
		ref->parent->last = c;
	ref->parent = ref->prev = ref->next = NULL;
}

static xmlNode *
new_el(struct ex *x, const char *name)
{
	return xmlNewDocNode(x->doc, NULL, (const xmlChar *)name, NULL);
}

static void
set_tag(xmlNode *n, const char *name)
{
	xmlNodeSetName(n, (const xmlChar *)name);
}

static struct nstate *
state(struct ex *x, xmlNode *n, bool create)
{
	struct nstate *s = n->_private;

	if (s || !create)
		return s;
	s = xcalloc(1, sizeof(*s));
	if (x->nst == x->cap_st) {
		x->cap_st = x->cap_st ? 2 * x->cap_st : 64;
		x->st = xrealloc(x->st, x->cap_st * sizeof(*x->st));
	}
	x->st[x->nst++] = s;
	n->_private = s;
	return s;
}

/* ---- text ---- */

static bool
space_cp(uint32_t c)
{
	return c == ' ' || (c >= 9 && c <= 13) || c == 0xA0 ||
	       c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
	       c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
	       c == 0x3000 || c == 0xFEFF;
}

struct tacc {
	struct sbuf *sb; /* may be NULL: count only */
	size_t len;      /* characters (UTF-16 units, as JavaScript) */
	bool pending, any;
	bool lead;       /* white space came before the first character */
};

/* Append the non-space run s[from, to) to t->sb. */
static void
tacc_flush(struct tacc *t, const char *s, size_t from, size_t to)
{
	if (t->sb && to > from)
		sbuf_add(t->sb, s + from, to - from);
}

/* The hot loop of every measure: ASCII takes a table look-up, the
 * state stays in registers, the text goes to sb in runs between
 * spaces. */
static void
tacc_add(struct tacc *t, const char *s, size_t n)
{
	static const unsigned char sp[128] = {
		['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1,
		[' '] = 1,
	};
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k, run = SIZE_MAX, len = t->len;
	bool pending = t->pending, any = t->any, space, lead = t->lead;
	uint32_t cp;

	if (!t->sb) {
		/* counting only: the common case, kept tight */
		while (i < n) {
			if (u[i] < 0x80) {
				if (sp[u[i]]) {
					pending = any;
					lead |= !any;
				} else {
					len += 1 + pending;
					pending = false;
					any = true;
				}
				i++;
				continue;
			}
			k = utf8_decode(s + i, n - i, &cp);
			if (space_cp(cp)) {
				pending = any;
				lead |= !any;
			} else {
				len += (cp > 0xFFFF ? 2 : 1) + pending;
				pending = false;
				any = true;
			}
			i += k ? k : 1;
		}
		t->len = len;
		t->pending = pending;
		t->any = any;
		t->lead = lead;
		return;
	}
	while (i < n) {
		if (u[i] < 0x80) {
			space = sp[u[i]];
			k = 1;
			cp = u[i];
		} else {
			k = utf8_decode(s + i, n - i, &cp);
			if (k == 0)
				k = 1;
			space = space_cp(cp);
		}
		if (space) {
			if (run != SIZE_MAX) {
				tacc_flush(t, s, run, i);
				run = SIZE_MAX;
			}
			pending = any;
			lead |= !any;
		} else {
			if (pending) {
				len++;
				if (t->sb)
					sbuf_addch(t->sb, ' ');
				pending = false;
			}
			if (run == SIZE_MAX)
				run = i;
			len += cp > 0xFFFF ? 2 : 1;
			any = true;
		}
		i += k;
	}
	if (run != SIZE_MAX)
		tacc_flush(t, s, run, n);
	t->len = len;
	t->pending = pending;
	t->any = any;
	t->lead = lead;
}

/* textContent of n, trimmed, white space runs as one space; its length
 * in characters. sb (may be NULL) is appended to. */
static size_t
inner_text(xmlNode *n, struct sbuf *sb)
{
	struct tacc t = { sb, 0, false, false, false };
	xmlNode *c;

	if (!n)
		return 0;
	if (is_text(n)) {
		if (n->content)
			tacc_add(&t, (const char *)n->content,
				 strlen((const char *)n->content));
		return t.len;
	}
	for (c = walk_next(n, n, false); c; c = walk_next(c, n, false))
		if (is_text(c) && c->content)
			tacc_add(&t, (const char *)c->content,
				 strlen((const char *)c->content));
	return t.len;
}

static size_t
text_len(xmlNode *n)
{
	return inner_text(n, NULL);
}

/* Whether a text node is white space only. */
static bool
blank_text(const xmlNode *n)
{
	const char *s = (const char *)n->content;
	size_t i = 0, k, len;
	uint32_t cp;

	if (!s)
		return true;
	len = strlen(s);
	while (i < len) {
		k = utf8_decode(s + i, len - i, &cp);
		if (!space_cp(cp))
			return false;
		i += k ? k : 1;
	}
	return true;
}

static size_t
count_commas(const char *s)
{
	static const char *const wide[] = {
		"\xD8\x8C", "\xEF\xB9\x90", "\xEF\xB8\x90", "\xEF\xB8\x91",
		"\xE2\xB9\x81", "\xE2\xB8\xB4", "\xE2\xB8\xB2", "\xEF\xBC\x8C",
	};
	size_t k = 0, i;

	for (; *s; s++) {
		if (*s == ',') {
			k++;
		} else if ((unsigned char)*s >= 0xC0) {
			for (i = 0; i < ARRAY_SIZE(wide); i++)
				if (strncmp(s, wide[i], strlen(wide[i])) == 0)
					k++;
		}
	}
	return k;
}

/* count_commas() over n's text nodes as they are (white space does not
 * change what is a comma): no copy of the text. */
static size_t
all_commas(xmlNode *n)
{
	xmlNode *c;
	size_t k = 0;

	if (is_text(n))
		return n->content ? count_commas((const char *)n->content) : 0;
	for (c = walk_next(n, n, false); c; c = walk_next(c, n, false))
		if (is_text(c) && c->content)
			k += count_commas((const char *)c->content);
	return k;
}

/* class + " " + id (or one of them), lower-cased, into buf. */
static const char *
match_string(const xmlNode *n, char *buf, size_t cap, int which)
{
	const char *c = which != 2 ? attr(n, "class") : NULL;
	const char *id = which != 1 ? attr(n, "id") : NULL;
	size_t i;

	snprintf(buf, cap, "%s%s%s", c ? c : "", which == 0 ? " " : "",
		 id ? id : "");
	for (i = 0; buf[i]; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	return buf;
}

/* ---- Readability's measures ---- */

static bool
descendants_of(xmlNode *n, const char *const *tags, size_t *count)
{
	xmlNode *c;

	*count = 0;
	for (c = walk_next(n, n, false); c; c = walk_next(c, n, false))
		if (is_el(c) && in_list(tag_of(c), tags))
			(*count)++;
	return *count > 0;
}

static size_t
count_tag(xmlNode *n, const char *tag)
{
	const char *tags[2] = { tag, NULL };
	size_t k;

	descendants_of(n, tags, &k);
	return k;
}

/* Readability's link density: the share of n's text inside links (in
 * one walk: the whole text and each outermost <a>'s at once). */
static double
link_density(xmlNode *n)
{
	struct tacc all = { NULL, 0, false, false, false }, in_a;
	xmlNode *c, *a = NULL, *end = NULL;
	double links = 0, coef = 1;
	const char *href;
	size_t len;

	for (c = walk_next(n, n, false); c; c = walk_next(c, n, false)) {
		if (a && c == end) {
			links += (double)in_a.len * coef;
			a = NULL;
		}
		if (!a && tag_is(c, "a")) {
			a = c;
			end = walk_next(c, n, true);
			memset(&in_a, 0, sizeof(in_a));
			href = attr(c, "href");
			coef = href && href[0] == '#' && href[1] ? 0.3 : 1.0;
		}
		if (is_text(c) && c->content) {
			len = strlen((const char *)c->content);
			tacc_add(&all, (const char *)c->content, len);
			if (a)
				tacc_add(&in_a, (const char *)c->content, len);
		}
	}
	if (a)
		links += (double)in_a.len * coef;
	return all.len ? links / (double)all.len : 0;
}

/* Fold a subtree's summary into t, as if its text had been added. */
static void
tacc_fold(struct tacc *t, const struct nstate *s)
{
	if (s->sum_any) {
		if (t->any && (t->pending || s->sum_lead))
			t->len++;
		t->len += s->sum_len;
		t->pending = s->sum_trail;
		t->any = true;
	} else if (s->sum_lead) {
		t->pending = t->any;
		t->lead |= !t->any;
	}
}

/* link_density() for the candidates, which nest: a subtree already
 * summed (a deeper candidate) is folded in, not walked again. The
 * tree must not change between calls. */
static double
link_density_memo(struct ex *x, xmlNode *n)
{
	struct tacc all = { NULL, 0, false, false, false }, in_a;
	struct nstate *st;
	xmlNode *c, *a = NULL, *end = NULL;
	double links = 0, coef = 1;
	const char *href;
	size_t len;

	c = walk_next(n, n, false);
	while (c) {
		if (a && c == end) {
			links += (double)in_a.len * coef;
			a = NULL;
		}
		st = c->_private;
		if (!a && st && st->sum_ok) {
			tacc_fold(&all, st);
			links += st->sum_links;
			c = walk_next(c, n, true);
			continue;
		}
		if (!a && tag_is(c, "a")) {
			a = c;
			end = walk_next(c, n, true);
			memset(&in_a, 0, sizeof(in_a));
			href = attr(c, "href");
			coef = href && href[0] == '#' && href[1] ? 0.3 : 1.0;
		}
		if (is_text(c) && c->content) {
			len = strlen((const char *)c->content);
			tacc_add(&all, (const char *)c->content, len);
			if (a)
				tacc_add(&in_a, (const char *)c->content, len);
		}
		c = walk_next(c, n, false);
	}
	if (a)
		links += (double)in_a.len * coef;
	st = state(x, n, true);
	st->sum_ok = true;
	st->sum_any = all.any;
	st->sum_lead = all.lead;
	st->sum_trail = all.pending;
	st->sum_len = all.len;
	st->sum_links = links;
	return all.len ? links / (double)all.len : 0;
}

static size_t
depth_of(const xmlNode *n)
{
	size_t d = 0;

	for (; n; n = n->parent)
		d++;
	return d;
}

struct by_depth {
	size_t depth, order;
	xmlNode *n;
};

static int
by_depth_desc(const void *a, const void *b)
{
	const struct by_depth *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? 1 : -1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Whether n holds any text that is not white space (stops at the
 * first). */
static bool
has_text(xmlNode *n)
{
	xmlNode *c;

	if (is_text(n))
		return !blank_text(n);
	for (c = walk_next(n, n, false); c; c = walk_next(c, n, false))
		if (is_text(c) && !blank_text(c))
			return true;
	return false;
}

/* The ASCII commas in n's text. */
static size_t
comma_count(xmlNode *n)
{
	xmlNode *c;
	const char *s;
	size_t k = 0;

	for (c = walk_next(n, n, false); c; c = walk_next(c, n, false))
		if (is_text(c) && c->content)
			for (s = (const char *)c->content;
			     (s = strchr(s, ',')) != NULL; s++)
				k++;
	return k;
}

static int
class_weight(const struct ex *x, const xmlNode *n)
{
	char buf[MATCH_MAX];
	int w = 0;
	const char *s;

	if (!(x->flags & F_WEIGHT_CLASSES))
		return 0;
	if (attr(n, "class") && *attr(n, "class")) {
		s = match_string(n, buf, sizeof(buf), 1);
		if (has_word(s, negative_words) || has_hid(s))
			w -= 25;
		if (has_word(s, positive_words))
			w += 25;
	}
	if (attr(n, "id") && *attr(n, "id")) {
		s = match_string(n, buf, sizeof(buf), 2);
		if (has_word(s, negative_words) || has_hid(s))
			w -= 25;
		if (has_word(s, positive_words))
			w += 25;
	}
	return w;
}

static void
init_node(struct ex *x, xmlNode *n)
{
	struct nstate *s = state(x, n, true);
	const char *t = tag_of(n);

	s->scored = true;
	s->score = 0;
	if (strcmp(t, "div") == 0)
		s->score += 5;
	else if (strcmp(t, "pre") == 0 || strcmp(t, "td") == 0 ||
		 strcmp(t, "blockquote") == 0)
		s->score += 3;
	else if (strcmp(t, "address") == 0 || strcmp(t, "ol") == 0 ||
		 strcmp(t, "ul") == 0 || strcmp(t, "dl") == 0 ||
		 strcmp(t, "dd") == 0 || strcmp(t, "dt") == 0 ||
		 strcmp(t, "li") == 0 || strcmp(t, "form") == 0)
		s->score -= 3;
	else if (in_list(t, headings) || strcmp(t, "th") == 0)
		s->score -= 5;
	s->score += class_weight(x, n);
}

static bool
scored(const xmlNode *n)
{
	const struct nstate *s = n->_private;

	return s && s->scored;
}

static double
score_of(const xmlNode *n)
{
	const struct nstate *s = n->_private;

	return s ? s->score : 0;
}

static bool
has_ancestor(xmlNode *n, const char *tag, int max_depth, bool data_only)
{
	int depth = 0;

	while (n->parent && is_el(n->parent)) {
		if (max_depth > 0 && depth > max_depth)
			return false;
		if (tag_is(n->parent, tag) &&
		    (!data_only || (n->parent->_private &&
				    ((struct nstate *)n->parent->_private)
					    ->datatable)))
			return true;
		n = n->parent;
		depth++;
	}
	return false;
}

static bool
is_phrasing(const xmlNode *n)
{
	const xmlNode *c;

	if (is_text(n))
		return true;
	if (!is_el(n))
		return false;
	if (in_list(tag_of(n), phrasing))
		return true;
	if (tag_is(n, "a") || tag_is(n, "del") || tag_is(n, "ins")) {
		for (c = n->children; c; c = c->next)
			if (!is_phrasing(c) && c->type != XML_COMMENT_NODE)
				return false;
		return true;
	}
	return false;
}

static bool
is_whitespace(const xmlNode *n)
{
	return (is_text(n) && blank_text(n)) || tag_is(n, "br");
}

static bool
has_child_block(xmlNode *n)
{
	xmlNode *c;

	for (c = walk_next(n, n, false); c; c = walk_next(c, n, false))
		if (is_el(c) && in_list(tag_of(c), div_to_p))
			return true;
	return false;
}

static bool
single_tag_inside(xmlNode *n, const char *tag)
{
	xmlNode *c;

	if (count_el_children(n) != 1 || !tag_is(first_el(n), tag))
		return false;
	for (c = n->children; c; c = c->next)
		if (is_text(c) && !blank_text(c))
			return false;
	return true;
}

/* Mark every element with whether its subtree has text (in the
 * element's spare 'extra' field: TEXT_KNOWN, TEXT_HAS), in one pass:
 * each text node marks its ancestors up to one already marked. */
#define TEXT_KNOWN 1
#define TEXT_HAS 2
static void
mark_text(xmlNode *root)
{
	xmlNode *c, *a;

	for (c = root; c; c = walk_next(c, root, false))
		if (is_el(c))
			c->extra = TEXT_KNOWN;
	for (c = root; c; c = walk_next(c, root, false)) {
		if (!is_text(c) || blank_text(c))
			continue;
		for (a = c->parent; a && is_el(a) && !(a->extra & TEXT_HAS);
		     a = a->parent)
			a->extra |= TEXT_HAS;
	}
}

static bool
without_content(xmlNode *n)
{
	xmlNode *c;
	size_t kids = 0, brhr = 0;

	if ((n->extra & TEXT_KNOWN) ? (n->extra & TEXT_HAS) != 0
				    : has_text(n))
		return false;
	for (c = first_el(n); c; c = next_el(c)) {
		kids++;
		if (tag_is(c, "br") || tag_is(c, "hr"))
			brhr++;
	}
	return kids == 0 || kids == brhr;
}

static bool
probably_visible(const xmlNode *n)
{
	const char *style = attr(n, "style");
	const char *ah = attr(n, "aria-hidden");
	const char *cls;
	char buf[256];
	size_t i, j = 0;

	if (style) {
		for (i = 0; style[i] && j + 1 < sizeof(buf); i++)
			if (!isspace((unsigned char)style[i]))
				buf[j++] = (char)tolower(
					(unsigned char)style[i]);
		buf[j] = '\0';
		if (strstr(buf, "display:none") ||
		    strstr(buf, "visibility:hidden"))
			return false;
	}
	if (attr(n, "hidden"))
		return false;
	if (ah && strcmp(ah, "true") == 0) {
		cls = attr(n, "class");
		if (!cls || !strstr(cls, "fallback-image"))
			return false;
	}
	return true;
}

static bool
video_url(const char *s)
{
	char low[512];
	size_t i;

	if (!s)
		return false;
	for (i = 0; s[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	low[i] = '\0';
	return has_word(low, video_hosts);
}

static bool
embed_is_video(const xmlNode *n)
{
	const xmlAttr *a;

	for (a = n->properties; a; a = a->next)
		if (a->children && is_text(a->children) &&
		    video_url((const char *)a->children->content))
			return true;
	return false;
}

/* JavaScript's \W+ split: ASCII words, lower-cased, one space between. */
static void
tokens(const char *s, struct sbuf *out)
{
	bool in = false;

	sbuf_reset(out);
	for (; *s; s++) {
		if (isalnum((unsigned char)*s) || *s == '_') {
			if (!in && out->len)
				sbuf_addch(out, ' ');
			sbuf_addch(out, (char)tolower((unsigned char)*s));
			in = true;
		} else {
			in = false;
		}
	}
}

/* Readability's _textSimilarity: the share of b's tokens found in a. */
static double
text_similarity(const char *a, const char *b)
{
	struct sbuf ta, tb, uniq;
	const char *p, *q, *w;
	size_t n;
	double r = 0;
	bool found;

	sbuf_init(&ta, 0);
	sbuf_init(&tb, 0);
	sbuf_init(&uniq, 0);
	tokens(a, &ta);
	tokens(b, &tb);
	if (tb.len == 0)
		goto out;
	for (p = tb.buf; *p; p = *q ? q + 1 : q) {
		q = strchr(p, ' ');
		if (!q)
			q = p + strlen(p);
		n = (size_t)(q - p);
		found = false;
		for (w = ta.buf; *w;) {
			const char *e = strchr(w, ' ');

			if (!e)
				e = w + strlen(w);
			if ((size_t)(e - w) == n && strncmp(w, p, n) == 0) {
				found = true;
				break;
			}
			w = *e ? e + 1 : e;
		}
		if (!found) {
			if (uniq.len)
				sbuf_addch(&uniq, ' ');
			sbuf_add(&uniq, p, n);
		}
	}
	r = 1.0 - (double)uniq.len / (double)tb.len;
out:
	sbuf_release(&ta);
	sbuf_release(&tb);
	sbuf_release(&uniq);
	return r;
}

/* ---- preparing the document ---- */

static void
remove_tags(struct ex *x, xmlNode *root, const char *const *tags)
{
	xmlNode *c = walk_next(root, root, false), *next;

	while (c) {
		if (is_el(c) && in_list(tag_of(c), tags)) {
			next = walk_next(c, root, true);
			dom_remove(x, c);
			c = next;
		} else {
			c = walk_next(c, root, false);
		}
	}
}

/* Skip white space text (Readability's _nextNode). */
static xmlNode *
skip_blank(xmlNode *n)
{
	while (n && !is_el(n) && (!is_text(n) || blank_text(n)))
		n = n->next;
	return n;
}

static xmlNode *
body_of(htmlDocPtr doc)
{
	xmlNode *r = xmlDocGetRootElement(doc), *c;

	if (!r)
		return NULL;
	if (tag_is(r, "body"))
		return r;
	for (c = first_el(r); c; c = next_el(c))
		if (tag_is(c, "body"))
			return c;
	return NULL;
}

/* Two or more <br> in a row end a paragraph: make the text after them
 * a <p>. */
static void
replace_brs(struct ex *x, xmlNode *body)
{
	xmlNode **brs = NULL, *c, *next, *p, *sib;
	size_t n = 0, cap = 0, i;
	bool replaced;

	for (c = walk_next(body, body, false); c;
	     c = walk_next(c, body, false)) {
		if (!tag_is(c, "br"))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			brs = xrealloc(brs, cap * sizeof(*brs));
		}
		brs[n++] = c;
	}
	for (i = 0; i < n; i++) {
		xmlNode *br = brs[i];

		if (!br->parent)
			continue;
		replaced = false;
		next = br->next;
		while ((next = skip_blank(next)) && tag_is(next, "br")) {
			replaced = true;
			sib = next->next;
			dom_remove(x, next);
			next = sib;
		}
		if (!replaced)
			continue;
		p = new_el(x, "p");
		dom_replace(br, p);
		grave_push(x, br);
		next = p->next;
		while (next) {
			if (tag_is(next, "br")) {
				xmlNode *ne = skip_blank(next->next);

				if (ne && tag_is(ne, "br"))
					break;
			}
			if (!is_phrasing(next))
				break;
			sib = next->next;
			dom_append(p, next);
			next = sib;
		}
		while (p->last && is_whitespace(p->last))
			dom_remove(x, p->last);
		if (tag_is(p->parent, "p"))
			set_tag(p->parent, "div");
	}
	free(brs);
}

static void
prep_document(struct ex *x)
{
	static const char *const scripts[] = { "script", "noscript", NULL };
	static const char *const styles[] = { "style", NULL };
	xmlNode *root = (xmlNode *)x->doc, *body, *c;

	remove_tags(x, root, scripts);
	remove_tags(x, root, styles);
	body = body_of(x->doc);
	if (body)
		replace_brs(x, body);
	for (c = walk_next(root, root, false); c; c = walk_next(c, root, false))
		if (tag_is(c, "font"))
			set_tag(c, "span");
}

/* ---- metadata ---- */

struct meta {
	char *title, *byline, *excerpt, *site_name, *published;
};

static void
meta_release(struct meta *m)
{
	free(m->title);
	free(m->byline);
	free(m->excerpt);
	free(m->site_name);
	free(m->published);
	memset(m, 0, sizeof(*m));
}

static char *
trim_dup(const char *s)
{
	size_t n;

	if (!s)
		return NULL;
	while (*s && isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* document.title: the first <title>'s text, white space collapsed. */
static char *
doc_title(htmlDocPtr doc)
{
	xmlNode *root = (xmlNode *)doc, *c;
	struct sbuf sb;
	struct tacc t;
	xmlNode *k;

	for (c = walk_next(root, root, false); c; c = walk_next(c, root, false))
		if (tag_is(c, "title"))
			break;
	if (!c)
		return xstrdup("");
	sbuf_init(&sb, 0);
	memset(&t, 0, sizeof(t));
	t.sb = &sb;
	for (k = c->children; k; k = k->next)
		if (is_text(k) && k->content)
			tacc_add(&t, (const char *)k->content,
				 strlen((const char *)k->content));
	return sbuf_detach(&sb, NULL);
}

static size_t
word_count(const char *s)
{
	size_t n = 1;
	bool sp = false;

	/* JavaScript's str.split(/\s+/).length */
	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			if (!sp)
				n++;
			sp = true;
		} else {
			sp = false;
		}
	}
	return n;
}

/* The separator at s (" | ", " - ", " – ", ...): its length, 0 if none.
 * hier: only the hierarchical ones (\ / > »). */
static size_t
title_sep(const char *s, bool hier)
{
	static const char *const flat[] = { "|", "-", "\xE2\x80\x93",
					     "\xE2\x80\x94", NULL };
	static const char *const deep[] = { "\\", "/", ">", "\xC2\xBB",
					     NULL };
	const char *const *l;
	size_t n;

	if (s[0] != ' ')
		return 0;
	for (l = deep; *l; l++) {
		n = strlen(*l);
		if (strncmp(s + 1, *l, n) == 0 && s[1 + n] == ' ')
			return n + 2;
	}
	if (hier)
		return 0;
	for (l = flat; *l; l++) {
		n = strlen(*l);
		if (strncmp(s + 1, *l, n) == 0 && s[1 + n] == ' ')
			return n + 2;
	}
	return 0;
}

static size_t
sep_char(const char *s)
{
	static const char *const all[] = { "|", "-", "\xE2\x80\x93",
					    "\xE2\x80\x94", "\\", "/", ">",
					    "\xC2\xBB", NULL };
	const char *const *l;

	for (l = all; *l; l++)
		if (strncmp(s, *l, strlen(*l)) == 0)
			return strlen(*l);
	return 0;
}

/* Readability's _getArticleTitle: <title> without the site's name. */
static char *
article_title(htmlDocPtr doc)
{
	char *orig = doc_title(doc), *cur, *tmp;
	bool hier = false;
	const char *p, *last = NULL;
	size_t k, nw, i;
	struct sbuf sb;

	cur = xstrdup(orig);
	for (p = orig; *p; p++)
		if (title_sep(p, false)) {
			last = p;
			if (title_sep(p, true))
				hier = true;
		}
	if (last) {
		free(cur);
		cur = xstrndup(orig, (size_t)(last - orig));
		if (word_count(cur) < 3) {
			/* drop the first part instead */
			for (p = orig; *p && !sep_char(p); p++)
				;
			free(cur);
			cur = xstrdup(*p ? p + sep_char(p) : orig);
		}
	} else if (strstr(cur, ": ")) {
		xmlNode *root = (xmlNode *)doc, *c;
		bool match = false;

		sbuf_init(&sb, 0);
		for (c = walk_next(root, root, false); c && !match;
		     c = walk_next(c, root, false)) {
			if (!tag_is(c, "h1") && !tag_is(c, "h2"))
				continue;
			sbuf_reset(&sb);
			inner_text(c, &sb);
			match = strcmp(sb.buf, cur) == 0;
		}
		sbuf_release(&sb);
		if (!match) {
			free(cur);
			cur = xstrdup(strrchr(orig, ':') + 1);
			if (word_count(cur) < 3) {
				free(cur);
				cur = xstrdup(strchr(orig, ':') + 1);
			} else {
				tmp = xstrndup(orig, (size_t)(strchr(orig, ':') -
							      orig));
				if (word_count(tmp) > 5) {
					free(cur);
					cur = xstrdup(orig);
				}
				free(tmp);
			}
		}
	} else {
		size_t len = 0;

		for (p = cur; *p; p++)
			len += ((unsigned char)*p & 0xC0) != 0x80;
		if (len > 150 || len < 15) {
			xmlNode *root = (xmlNode *)doc, *c, *h1 = NULL;
			size_t nh1 = 0;

			for (c = walk_next(root, root, false); c;
			     c = walk_next(c, root, false))
				if (tag_is(c, "h1") && nh1++ == 0)
					h1 = c;
			if (nh1 == 1) {
				sbuf_init(&sb, 0);
				inner_text(h1, &sb);
				free(cur);
				cur = sbuf_detach(&sb, NULL);
			}
		}
	}
	/* trim, collapse */
	sbuf_init(&sb, 0);
	{
		struct tacc t = { &sb, 0, false, false, false };

		tacc_add(&t, cur, strlen(cur));
	}
	free(cur);
	cur = sbuf_detach(&sb, NULL);
	nw = word_count(cur);
	if (nw <= 4) {
		size_t ow;

		/* the original without separators, counted in words */
		sbuf_init(&sb, 0);
		for (i = 0; orig[i];) {
			k = sep_char(orig + i);
			if (k) {
				i += k;
				continue;
			}
			sbuf_addch(&sb, orig[i++]);
		}
		ow = word_count(sb.buf);
		sbuf_release(&sb);
		if (!hier || nw != ow - 1) {
			free(cur);
			cur = xstrdup(orig);
		}
	}
	free(orig);
	return cur;
}

static bool
jsonld_type_ok(const char *t)
{
	size_t n;

	if (!t)
		return false;
	n = strlen(t);
	if (strncmp(t, "Article", 7) == 0)
		return true;
	if (n >= 12 && strcmp(t + n - 12, "APIReference") == 0)
		return true;
	return has_word(t, jsonld_types);
}

static const char *
jstr(const struct json *j, const struct json_node *o, const char *key)
{
	const struct json_node *v = json_get(j, o, key);

	return v && v->type == JSON_TEXT ? v->text : NULL;
}

static bool
schema_org(const char *s)
{
	size_t n;

	if (!s)
		return false;
	if (strncmp(s, "http://", 7) == 0)
		s += 7;
	else if (strncmp(s, "https://", 8) == 0)
		s += 8;
	else
		return false;
	n = strlen(s);
	return (n == 10 || (n == 11 && s[10] == '/')) &&
	       strncmp(s, "schema.org", 10) == 0;
}

static const struct json_node *
jsonld_find_article(const struct json *j, const struct json_node *arr)
{
	const struct json_node *it;

	for (it = json_first(j, arr); it; it = json_next(j, it))
		if (it->type == JSON_OBJECT &&
		    jsonld_type_ok(jstr(j, it, "@type")))
			return it;
	return NULL;
}

/* One <script type="application/ld+json">: 0 and m filled when it
 * describes a schema.org article. */
static int
jsonld_one(htmlDocPtr doc, const char *text, struct meta *m)
{
	struct json j = { 0 };
	struct err e;
	const struct json_node *o, *ctx, *v, *a;
	const char *name, *headline, *s;
	size_t n = strlen(text);
	int rc = -1;

	while (n && isspace((unsigned char)*text)) {
		text++;
		n--;
	}
	if (n >= 9 && strncmp(text, "<![CDATA[", 9) == 0) {
		text += 9;
		n -= 9;
	}
	while (n && isspace((unsigned char)text[n - 1]))
		n--;
	if (n >= 3 && strncmp(text + n - 3, "]]>", 3) == 0)
		n -= 3;
	if (json_parse(&j, text, n, &e) < 0)
		goto out;
	o = json_root(&j);
	if (o && o->type == JSON_ARRAY)
		o = jsonld_find_article(&j, o);
	if (!o || o->type != JSON_OBJECT)
		goto out;
	ctx = json_get(&j, o, "@context");
	if (!(ctx && ctx->type == JSON_TEXT && schema_org(ctx->text)) &&
	    !(ctx && ctx->type == JSON_OBJECT &&
	      schema_org(jstr(&j, ctx, "@vocab"))))
		goto out;
	v = json_get(&j, o, "@type");
	if (!v && (a = json_get(&j, o, "@graph")) && a->type == JSON_ARRAY)
		o = jsonld_find_article(&j, a);
	if (!o || !jsonld_type_ok(jstr(&j, o, "@type")))
		goto out;
	name = jstr(&j, o, "name");
	headline = jstr(&j, o, "headline");
	if (name && headline && strcmp(name, headline) != 0) {
		char *t = article_title(doc);
		bool nm = text_similarity(name, t) > 0.75;
		bool hm = text_similarity(headline, t) > 0.75;

		m->title = trim_dup(hm && !nm ? headline : name);
		free(t);
	} else if (name) {
		m->title = trim_dup(name);
	} else if (headline) {
		m->title = trim_dup(headline);
	}
	v = json_get(&j, o, "author");
	if (v && v->type == JSON_OBJECT && (s = jstr(&j, v, "name"))) {
		m->byline = trim_dup(s);
	} else if (v && v->type == JSON_ARRAY) {
		struct sbuf sb;

		sbuf_init(&sb, 0);
		for (a = json_first(&j, v); a; a = json_next(&j, a)) {
			char *t;

			if (a->type != JSON_OBJECT || !(s = jstr(&j, a, "name")))
				continue;
			if (sb.len)
				sbuf_adds(&sb, ", ");
			t = trim_dup(s);
			sbuf_adds(&sb, t);
			free(t);
		}
		if (sb.len)
			m->byline = sbuf_detach(&sb, NULL);
		sbuf_release(&sb);
	}
	if ((s = jstr(&j, o, "description")))
		m->excerpt = trim_dup(s);
	v = json_get(&j, o, "publisher");
	if (v && v->type == JSON_OBJECT && (s = jstr(&j, v, "name")))
		m->site_name = trim_dup(s);
	if ((s = jstr(&j, o, "datePublished")))
		m->published = trim_dup(s);
	rc = 0;
out:
	json_release(&j);
	return rc;
}

static void
get_jsonld(htmlDocPtr doc, struct meta *m)
{
	xmlNode *root = (xmlNode *)doc, *c;
	const char *type;
	struct sbuf sb;
	xmlNode *k;

	sbuf_init(&sb, 0);
	for (c = walk_next(root, root, false); c; c = walk_next(c, root, false)) {
		if (!tag_is(c, "script") || !(type = attr(c, "type")) ||
		    strcmp(type, "application/ld+json") != 0)
			continue;
		sbuf_reset(&sb);
		for (k = c->children; k; k = k->next)
			if (is_text(k) && k->content)
				sbuf_adds(&sb, (const char *)k->content);
		if (jsonld_one(doc, sb.buf, m) == 0)
			break;
		meta_release(m);
	}
	sbuf_release(&sb);
}

/* The <meta> values Readability reads, by their normalised names. */
enum {
	M_DC_TITLE, M_DCTERM_TITLE, M_OG_TITLE, M_WEIBO_A_TITLE,
	M_WEIBO_W_TITLE, M_TITLE, M_TWITTER_TITLE, M_PARSELY_TITLE,
	M_DC_CREATOR, M_DCTERM_CREATOR, M_AUTHOR, M_PARSELY_AUTHOR,
	M_ARTICLE_AUTHOR, M_DC_DESC, M_DCTERM_DESC, M_OG_DESC,
	M_WEIBO_A_DESC, M_WEIBO_W_DESC, M_DESC, M_TWITTER_DESC,
	M_OG_SITE, M_PUBLISHED, M_PARSELY_DATE, M_N
};
static const char *const meta_names[M_N] = {
	"dc:title", "dcterm:title", "og:title", "weibo:article:title",
	"weibo:webpage:title", "title", "twitter:title", "parsely-title",
	"dc:creator", "dcterm:creator", "author", "parsely-author",
	"article:author", "dc:description", "dcterm:description",
	"og:description", "weibo:article:description",
	"weibo:webpage:description", "description", "twitter:description",
	"og:site_name", "article:published_time", "parsely-pub-date",
};

static void
meta_set(char **vals, const char *name, const char *content)
{
	size_t i;

	for (i = 0; i < M_N; i++)
		if (strcmp(meta_names[i], name) == 0) {
			free(vals[i]);
			vals[i] = trim_dup(content);
			return;
		}
}

/* property="og:title" and the like: the first "prefix:name" token. */
static bool
meta_property(const char *prop, char *out, size_t cap)
{
	static const char *const pre[] = { "article", "dc", "dcterm", "og",
					    "twitter", NULL };
	static const char *const names[] = { "author", "creator",
					      "description", "published_time",
					      "title", "site_name", NULL };
	char low[256];
	const char *p, *q;
	size_t i, j, k;

	for (i = 0; prop[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)prop[i]);
	low[i] = '\0';
	for (p = low; *p; p++) {
		for (i = 0; pre[i]; i++) {
			k = strlen(pre[i]);
			if (strncmp(p, pre[i], k) != 0)
				continue;
			q = p + k;
			while (isspace((unsigned char)*q))
				q++;
			if (*q != ':')
				continue;
			q++;
			while (isspace((unsigned char)*q))
				q++;
			for (j = 0; names[j]; j++)
				if (strncmp(q, names[j], strlen(names[j])) == 0) {
					snprintf(out, cap, "%s:%s", pre[i],
						 names[j]);
					return true;
				}
		}
	}
	return false;
}

/* name="dc.title", "twitter:description", "author", ... */
static bool
meta_name(const char *name, char *out, size_t cap)
{
	static const char *const pre[] = { "dc", "dcterm", "og", "twitter",
					    "parsely", "weibo:article",
					    "weibo:webpage", NULL };
	static const char *const names[] = { "author", "creator", "pub-date",
					      "description", "title",
					      "site_name", NULL };
	char low[256];
	size_t i, j = 0, k, n;
	const char *p;

	for (i = 0; name[i] && j + 1 < sizeof(low); i++)
		if (!isspace((unsigned char)name[i]))
			low[j++] = (char)tolower((unsigned char)name[i]);
	low[j] = '\0';
	p = low;
	for (i = 0; names[i]; i++)
		if (strcmp(p, names[i]) == 0)
			goto ok;
	for (k = 0; pre[k]; k++) {
		n = strlen(pre[k]);
		if (strncmp(p, pre[k], n) != 0 ||
		    (p[n] != '-' && p[n] != '.' && p[n] != ':'))
			continue;
		for (i = 0; names[i]; i++)
			if (strcmp(p + n + 1, names[i]) == 0)
				goto ok;
	}
	return false;
ok:
	for (i = 0; low[i]; i++)
		if (low[i] == '.')
			low[i] = ':';
	snprintf(out, cap, "%s", low);
	return true;
}

static bool
is_url(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

static char *
pick(char **vals, const int *order, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (vals[order[i]] && *vals[order[i]])
			return xstrdup(vals[order[i]]);
	return NULL;
}

static void
get_meta(htmlDocPtr doc, struct meta *m)
{
	static const int titles[] = { M_DC_TITLE, M_DCTERM_TITLE, M_OG_TITLE,
				      M_WEIBO_A_TITLE, M_WEIBO_W_TITLE,
				      M_TITLE, M_TWITTER_TITLE,
				      M_PARSELY_TITLE };
	static const int bylines[] = { M_DC_CREATOR, M_DCTERM_CREATOR,
				       M_AUTHOR, M_PARSELY_AUTHOR };
	static const int excerpts[] = { M_DC_DESC, M_DCTERM_DESC, M_OG_DESC,
					M_WEIBO_A_DESC, M_WEIBO_W_DESC,
					M_DESC, M_TWITTER_DESC };
	static const int sites[] = { M_OG_SITE };
	static const int dates[] = { M_PUBLISHED, M_PARSELY_DATE };
	char *vals[M_N] = { 0 };
	xmlNode *root = (xmlNode *)doc, *c;
	const char *content, *prop, *name;
	char key[300];
	size_t i;

	for (c = walk_next(root, root, false); c; c = walk_next(c, root, false)) {
		if (!tag_is(c, "meta") || !(content = attr(c, "content")))
			continue;
		prop = attr(c, "property");
		name = attr(c, "name");
		if (prop && meta_property(prop, key, sizeof(key)))
			meta_set(vals, key, content);
		else if (name && meta_name(name, key, sizeof(key)))
			meta_set(vals, key, content);
	}
	if (!m->title)
		m->title = pick(vals, titles, ARRAY_SIZE(titles));
	if (!m->byline) {
		m->byline = pick(vals, bylines, ARRAY_SIZE(bylines));
		if (!m->byline && vals[M_ARTICLE_AUTHOR] &&
		    *vals[M_ARTICLE_AUTHOR] && !is_url(vals[M_ARTICLE_AUTHOR]))
			m->byline = xstrdup(vals[M_ARTICLE_AUTHOR]);
	}
	if (!m->excerpt)
		m->excerpt = pick(vals, excerpts, ARRAY_SIZE(excerpts));
	if (!m->site_name)
		m->site_name = pick(vals, sites, 1);
	if (!m->published)
		m->published = pick(vals, dates, ARRAY_SIZE(dates));
	for (i = 0; i < M_N; i++)
		free(vals[i]);
	if (!m->title)
		m->title = article_title(doc);
}

/* ---- finding the article ---- */

static bool
check_byline(struct ex *x, xmlNode *n, const char *match)
{
	const char *rel = attr(n, "rel"), *ip = attr(n, "itemprop");
	size_t len;

	if (x->byline)
		return false;
	if (!((rel && strcmp(rel, "author") == 0) ||
	      (ip && strstr(ip, "author")) || has_word(match, byline_words)))
		return false;
	sbuf_reset(&x->tmp);
	len = inner_text(n, &x->tmp);
	if (len == 0 || len >= 100)
		return false;
	x->byline = xstrdup(x->tmp.buf);
	return true;
}

static bool
header_dup_title(struct ex *x, xmlNode *n)
{
	if (!tag_is(n, "h1") && !tag_is(n, "h2"))
		return false;
	sbuf_reset(&x->tmp);
	inner_text(n, &x->tmp);
	return text_similarity(x->title ? x->title : "", x->tmp.buf) > 0.75;
}

/* Runs of phrasing content directly in a <div> become <p>s. */
static void
wrap_phrasing(struct ex *x, xmlNode *div)
{
	xmlNode *c = div->children, *next, *p = NULL;

	while (c) {
		next = c->next;
		if (is_phrasing(c)) {
			if (p) {
				dom_append(p, c);
			} else if (!is_whitespace(c)) {
				p = new_el(x, "p");
				dom_replace(c, p);
				dom_append(p, c);
			}
		} else if (p) {
			while (p->last && is_whitespace(p->last))
				dom_remove(x, p->last);
			p = NULL;
		}
		c = next;
	}
}

struct nodes {
	xmlNode **v;
	size_t n, cap;
};

static void
nodes_push(struct nodes *l, xmlNode *n)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = n;
}

static bool
is_ancestor(const xmlNode *a, const xmlNode *n)
{
	for (n = n->parent; n; n = n->parent)
		if (n == a)
			return true;
	return false;
}

/* Readability's _getNodeAncestors(node, 0) contains a. */
static size_t
count_containing(xmlNode *a, xmlNode **alts, size_t nalt)
{
	size_t i, k = 0;

	for (i = 0; i < nalt; i++)
		k += is_ancestor(a, alts[i]);
	return k;
}

/* Charge passes walks of n's subtree to the budget: false (and the
 * budget spent) when it does not cover them. */
static bool
charge(struct ex *x, xmlNode *n, size_t passes)
{
	size_t size = 0, need;
	xmlNode *c;

	for (c = walk_next(n, n, false); c; c = walk_next(c, n, false))
		if (++size * passes >= x->budget) {
			x->budget = 0;
			return false;
		}
	need = (size + 1) * passes;
	if (need >= x->budget) {
		x->budget = 0;
		return false;
	}
	x->budget -= need;
	return true;
}

/* Mark each <table> as data or layout (Readability's _markDataTables). */
static void
mark_data_tables(struct ex *x, xmlNode *root)
{
	static const char *const data_tags[] = { "col", "colgroup", "tfoot",
						  "thead", "th", NULL };
	xmlNode *t, *c, *cell;
	const char *v;
	size_t rows, cols, k, in_row;
	bool data;

	for (t = walk_next(root, root, false); t; t = walk_next(t, root, false)) {
		if (!tag_is(t, "table"))
			continue;
		data = false;
		if (!charge(x, t, 4))
			goto set;
		if ((v = attr(t, "role")) && strcmp(v, "presentation") == 0)
			goto set;
		if ((v = attr(t, "datatable")) && strcmp(v, "0") == 0)
			goto set;
		if (attr(t, "summary")) {
			data = true;
			goto set;
		}
		for (c = first_el(t); c; c = next_el(c))
			if (tag_is(c, "caption") && c->children) {
				data = true;
				goto set;
			}
		if (descendants_of(t, data_tags, &k)) {
			data = true;
			goto set;
		}
		if (count_tag(t, "table"))
			goto set;
		rows = cols = 0;
		for (c = walk_next(t, t, false); c; c = walk_next(c, t, false)) {
			if (!tag_is(c, "tr"))
				continue;
			v = attr(c, "rowspan");
			rows += v && strtol(v, NULL, 10) > 0 ? (size_t)strtol(v, NULL, 10) : 1;
			in_row = 0;
			for (cell = first_el(c); cell; cell = next_el(cell)) {
				if (!tag_is(cell, "td"))
					continue;
				v = attr(cell, "colspan");
				in_row += v && strtol(v, NULL, 10) > 0 ? (size_t)strtol(v, NULL, 10) : 1;
			}
			if (in_row > cols)
				cols = in_row;
		}
		data = rows >= 10 || cols > 4 || rows * cols > 10;
set:
		state(x, t, true)->datatable = data;
	}
}

static double
text_density(xmlNode *n, size_t tl, const char *const *tags)
{
	size_t cl = 0;
	xmlNode *c;

	if (tl == 0)
		return 0;
	for (c = walk_next(n, n, false); c; c = walk_next(c, n, false))
		if (is_el(c) && in_list(tag_of(c), tags))
			cl += text_len(c);
	return (double)cl / (double)tl;
}

static bool
ad_or_loading(const char *s)
{
	static const char *const words[] = {
		"ad", "advertising", "advertisement", "pub", "publicit\xC3\xA9",
		"werb", "werbung", "\xE5\xB9\xBF\xE5\x91\x8A",
		"\xD0\xA0\xD0\xB5\xD0\xBA\xD0\xBB\xD0\xB0\xD0\xBC\xD0\xB0",
		"anuncio", NULL,
	};
	static const char *const loading[] = {
		"loading", "\xE6\xAD\xA3\xE5\x9C\xA8\xE5\x8A\xA0\xE8\xBD\xBD",
		"\xD0\x97\xD0\xB0\xD0\xB3\xD1\x80\xD1\x83\xD0\xB7\xD0\xBA\xD0\xB0",
		"chargement", "cargando", NULL,
	};
	size_t i, n;

	for (i = 0; words[i]; i++)
		if (strcasecmp(s, words[i]) == 0)
			return true;
	for (i = 0; loading[i]; i++) {
		n = strlen(loading[i]);
		if (strncasecmp(s, loading[i], n) == 0 &&
		    (s[n] == '\0' || strcmp(s + n, "...") == 0 ||
		     strcmp(s + n, "\xE2\x80\xA6") == 0))
			return true;
	}
	return false;
}

/* Readability's _cleanConditionally for one node: true to remove it. */
static bool
shady(struct ex *x, xmlNode *node, const char *tag)
{
	static const char *const lists[] = { "ul", "ol", NULL };
	static const char *const embeds[] = { "object", "embed", "iframe",
					      NULL };
	bool is_list = strcmp(tag, "ul") == 0 || strcmp(tag, "ol") == 0;
	bool figure, rm;
	size_t p, img, input, embed_count = 0, tl, ltl = 0, clen;
	long li;
	double hd, ld, td;
	int weight;
	xmlNode *c;

	if (!charge(x, node, WORK_PASSES))
		return false;
	tl = text_len(node);
	if (!is_list) {
		for (c = walk_next(node, node, false); c;
		     c = walk_next(c, node, false))
			if (is_el(c) && in_list(tag_of(c), lists))
				ltl += text_len(c);
		is_list = tl > 0 && (double)ltl / (double)tl > 0.9;
	}
	if (strcmp(tag, "table") == 0 && node->_private &&
	    ((struct nstate *)node->_private)->datatable)
		return false;
	if (has_ancestor(node, "table", -1, true))
		return false;
	if (has_ancestor(node, "code", 3, false))
		return false;
	for (c = walk_next(node, node, false); c; c = walk_next(c, node, false))
		if (tag_is(c, "table") && c->_private &&
		    ((struct nstate *)c->_private)->datatable)
			return false;
	weight = class_weight(x, node);
	if (weight < 0)
		return true;
	if (comma_count(node) >= 10)
		return false;
	p = count_tag(node, "p");
	img = count_tag(node, "img");
	li = (long)count_tag(node, "li") - 100;
	input = count_tag(node, "input");
	hd = text_density(node, tl, headings);
	for (c = walk_next(node, node, false); c; c = walk_next(c, node, false)) {
		if (!is_el(c) || !in_list(tag_of(c), embeds))
			continue;
		if (embed_is_video(c))
			return false;
		if (tag_is(c, "object")) {
			struct sbuf inner;
			xmlNode *k;
			bool vid;

			sbuf_init(&inner, 0);
			for (k = walk_next(c, c, false); k;
			     k = walk_next(k, c, false))
				if (is_el(k)) {
					const xmlAttr *a;

					for (a = k->properties; a; a = a->next)
						if (a->children &&
						    is_text(a->children))
							sbuf_adds(&inner,
								  (const char *)a->children->content);
				}
			vid = video_url(inner.buf);
			sbuf_release(&inner);
			if (vid)
				return false;
		}
		embed_count++;
	}
	if (tl < 40) {
		sbuf_reset(&x->tmp);
		inner_text(node, &x->tmp);
		if (ad_or_loading(x->tmp.buf))
			return true;
	}
	clen = tl;
	ld = link_density(node);
	/* only whether it is 0 matters: is there text in a textish child */
	td = 0;
	for (c = walk_next(node, node, false); c && td == 0;
	     c = walk_next(c, node, false))
		if (is_el(c) && in_list(tag_of(c), textish) && has_text(c))
			td = 1;
	figure = has_ancestor(node, "figure", 3, false);
	rm = false;
	if (!figure && img > 1 && (double)p / (double)img < 0.5)
		rm = true;
	if (!is_list && li > (long)p)
		rm = true;
	if (input > p / 3)
		rm = true;
	if (!is_list && !figure && hd < 0.9 && clen < 25 &&
	    (img == 0 || img > 2) && ld > 0)
		rm = true;
	if (!is_list && weight < 25 && ld > 0.2)
		rm = true;
	if (weight >= 25 && ld > 0.5)
		rm = true;
	if ((embed_count == 1 && clen < 75) || embed_count > 1)
		rm = true;
	if (img == 0 && td == 0)
		rm = true;
	if (is_list && rm) {
		for (c = first_el(node); c; c = next_el(c))
			if (count_el_children(c) > 1)
				return true;
		if (img == count_tag(node, "li"))
			return false;
	}
	return rm;
}

/* The elements named tag under root, in document order. */
static void
collect(xmlNode *root, const char *tag, struct nodes *l)
{
	xmlNode *c;

	l->n = 0;
	for (c = walk_next(root, root, false); c; c = walk_next(c, root, false))
		if (tag_is(c, tag))
			nodes_push(l, c);
}

static void
clean_cond(struct ex *x, xmlNode *root, const char *tag, struct nodes *l)
{
	size_t i;

	if (!(x->flags & F_CLEAN_COND))
		return;
	collect(root, tag, l);
	for (i = l->n; i-- > 0;)
		if (shady(x, l->v[i], tag))
			dom_remove(x, l->v[i]);
}

static void
clean_tag(struct ex *x, xmlNode *root, const char *tag, struct nodes *l)
{
	bool embed = strcmp(tag, "object") == 0 || strcmp(tag, "embed") == 0 ||
		     strcmp(tag, "iframe") == 0;
	size_t i;

	collect(root, tag, l);
	for (i = l->n; i-- > 0;) {
		if (embed && embed_is_video(l->v[i]))
			continue;
		dom_remove(x, l->v[i]);
	}
}

static bool
share_word(const char *s)
{
	const char *p;
	size_t k;
	static const char *const w[] = { "share", "sharedaddy", NULL };
	size_t i;

	for (i = 0; w[i]; i++) {
		k = strlen(w[i]);
		for (p = s; (p = strstr(p, w[i])) != NULL; p++) {
			bool pre = p == s || !isalnum((unsigned char)p[-1]);
			bool post = !isalnum((unsigned char)p[k]);

			if (pre && post)
				return true;
		}
	}
	return false;
}

static void
prep_article(struct ex *x, xmlNode *art)
{
	static const char *const plain[] = { "object", "embed", "footer",
					     "link", "aside", NULL };
	static const char *const forms[] = { "iframe", "input", "textarea",
					     "select", "button", NULL };
	static const char *const content_tags[] = { "img", "embed", "object",
						    "iframe", NULL };
	struct nodes l = { 0 };
	xmlNode *top, *c, *end, *next;
	char buf[MATCH_MAX];
	size_t i, k;

	mark_data_tables(x, art);
	clean_cond(x, art, "form", &l);
	clean_cond(x, art, "fieldset", &l);
	for (i = 0; plain[i]; i++)
		clean_tag(x, art, plain[i], &l);
	for (top = first_el(art); top; top = next_el(top)) {
		end = next_node(top, true);
		c = next_node(top, false);
		while (c && c != end) {
			if (share_word(match_string(c, buf, sizeof(buf), 0)) &&
			    text_len(c) < CHAR_THRESHOLD)
				c = remove_and_next(x, c);
			else
				c = next_node(c, false);
		}
	}
	for (i = 0; forms[i]; i++)
		clean_tag(x, art, forms[i], &l);
	for (k = 0; k < 2; k++) {
		collect(art, k ? "h2" : "h1", &l);
		for (i = l.n; i-- > 0;)
			if (class_weight(x, l.v[i]) < 0)
				dom_remove(x, l.v[i]);
	}
	clean_cond(x, art, "table", &l);
	clean_cond(x, art, "ul", &l);
	clean_cond(x, art, "div", &l);
	collect(art, "h1", &l);
	for (i = 0; i < l.n; i++)
		set_tag(l.v[i], "h2");
	collect(art, "p", &l);
	for (i = l.n; i-- > 0;) {
		descendants_of(l.v[i], content_tags, &k);
		if (k == 0 && !has_text(l.v[i]))
			dom_remove(x, l.v[i]);
	}
	collect(art, "br", &l);
	for (i = 0; i < l.n; i++) {
		next = skip_blank(l.v[i]->next);
		if (next && tag_is(next, "p"))
			dom_remove(x, l.v[i]);
	}
	/* single-cell tables become their cell */
	collect(art, "table", &l);
	for (i = 0; i < l.n; i++) {
		xmlNode *t = l.v[i], *tb, *row, *cell;

		tb = single_tag_inside(t, "tbody") ? first_el(t) : t;
		if (!single_tag_inside(tb, "tr"))
			continue;
		row = first_el(tb);
		if (!single_tag_inside(row, "td"))
			continue;
		cell = first_el(row);
		{
			bool all = true;

			for (c = cell->children; c; c = c->next)
				if (!is_phrasing(c))
					all = false;
			set_tag(cell, all ? "p" : "div");
		}
		dom_replace(t, cell);
		grave_push(x, t);
	}
	free(l.v);
}

/* One attempt: the article as a new <div> (not in the document), NULL
 * when the page has no body. */
static xmlNode *
grab_article(struct ex *x, xmlNode *body)
{
	struct nodes score = { 0 }, cands = { 0 };
	xmlNode *node, *top[N_TOP] = { 0 }, *t, *parent, *art, *sib, *nsib;
	xmlNode *alts[N_TOP];
	size_t nalt = 0, i, j;
	bool strip = x->flags & F_STRIP_UNLIKELY, drop_title = true;
	char buf[MATCH_MAX];
	const char *match;
	double last, thr, sib_thr;

	node = (xmlNode *)xmlDocGetRootElement(x->doc);
	mark_text(node);
	/* the attempt's own walks; a page too big for another attempt
	 * leaves none for the retries */
	if (!charge(x, node, 24))
		x->budget = 0;
	while (node) {
		match = match_string(node, buf, sizeof(buf), 0);
		if (!probably_visible(node)) {
			node = remove_and_next(x, node);
			continue;
		}
		{
			const char *am = attr(node, "aria-modal");
			const char *role = attr(node, "role");

			if (am && strcmp(am, "true") == 0 && role &&
			    strcmp(role, "dialog") == 0) {
				node = remove_and_next(x, node);
				continue;
			}
		}
		if (check_byline(x, node, match)) {
			node = remove_and_next(x, node);
			continue;
		}
		if (drop_title && header_dup_title(x, node)) {
			drop_title = false;
			node = remove_and_next(x, node);
			continue;
		}
		if (strip) {
			if (has_word(match, unlikely_words) &&
			    !has_word(match, maybe_words) &&
			    !has_ancestor(node, "table", 3, false) &&
			    !has_ancestor(node, "code", 3, false) &&
			    !tag_is(node, "body") && !tag_is(node, "a")) {
				node = remove_and_next(x, node);
				continue;
			}
			if (in_list(attr(node, "role"), unlikely_roles)) {
				node = remove_and_next(x, node);
				continue;
			}
		}
		if ((tag_is(node, "div") || tag_is(node, "section") ||
		     tag_is(node, "header") || in_list(tag_of(node), headings)) &&
		    without_content(node)) {
			node = remove_and_next(x, node);
			continue;
		}
		if (in_list(tag_of(node), to_score))
			nodes_push(&score, node);
		if (tag_is(node, "div")) {
			wrap_phrasing(x, node);
			if (single_tag_inside(node, "p") &&
			    link_density(node) < 0.25) {
				xmlNode *p = first_el(node);

				dom_replace(node, p);
				grave_push(x, node);
				node = p;
				nodes_push(&score, node);
			} else if (!has_child_block(node)) {
				set_tag(node, "p");
				nodes_push(&score, node);
			}
		}
		node = next_node(node, false);
	}

	/* score paragraphs, hand the score to five levels of ancestors */
	for (i = 0; i < score.n; i++) {
		xmlNode *e = score.v[i], *a;
		size_t len, level;
		double cs;

		if (!e->parent || !is_el(e->parent))
			continue;
		len = text_len(e);
		if (len < 25)
			continue;
		cs = 1 + (double)(all_commas(e) + 1) +
		     (double)(len / 100 < 3 ? len / 100 : 3);
		for (a = e->parent, level = 0; a && level < 5;
		     a = a->parent, level++) {
			if (!is_el(a) || !a->parent || !is_el(a->parent))
				continue;
			if (!scored(a)) {
				init_node(x, a);
				nodes_push(&cands, a);
			}
			state(x, a, true)->score +=
				cs / (level == 0 ? 1.0 :
				      level == 1 ? 2.0 : (double)level * 3.0);
		}
	}
	/* link densities, the deepest first (the others fold them in);
	 * then the best N_TOP in the order Readability visits them */
	{
		struct by_depth *byd = xmalloc((cands.n + 1) * sizeof(*byd));

		for (i = 0; i < cands.n; i++) {
			byd[i].depth = depth_of(cands.v[i]);
			byd[i].order = i;
			byd[i].n = cands.v[i];
		}
		qsort(byd, cands.n, sizeof(*byd), by_depth_desc);
		for (i = 0; i < cands.n; i++) {
			struct nstate *s = state(x, byd[i].n, true);

			s->score *= 1 - link_density_memo(x, byd[i].n);
		}
		free(byd);
		for (i = 0; i < cands.n; i++)
			state(x, cands.v[i], true)->sum_ok = false;
	}
	for (i = 0; i < cands.n; i++) {
		xmlNode *c = cands.v[i];
		struct nstate *s = state(x, c, true);

		for (j = 0; j < N_TOP; j++) {
			if (!top[j] || s->score > score_of(top[j])) {
				memmove(top + j + 1, top + j,
					(N_TOP - j - 1) * sizeof(*top));
				top[j] = c;
				break;
			}
		}
	}
	free(score.v);
	free(cands.v);

	t = top[0];
	if (!t || tag_is(t, "body")) {
		if (!body)
			return NULL;
		t = new_el(x, "div");
		while (body->children)
			dom_append(t, body->children);
		dom_append(body, t);
		init_node(x, t);
	} else {
		for (i = 1; i < N_TOP && top[i]; i++)
			if (score_of(top[i]) / score_of(t) >= 0.75)
				alts[nalt++] = top[i];
		if (nalt >= 3) {
			for (parent = t->parent; parent && is_el(parent) &&
			     !tag_is(parent, "body"); parent = parent->parent) {
				if (count_containing(parent, alts, nalt) >= 3) {
					t = parent;
					break;
				}
			}
		}
		if (!scored(t))
			init_node(x, t);
		parent = t->parent;
		last = score_of(t);
		thr = last / 3;
		while (parent && is_el(parent) && !tag_is(parent, "body")) {
			if (!scored(parent)) {
				parent = parent->parent;
				continue;
			}
			if (score_of(parent) < thr)
				break;
			if (score_of(parent) > last) {
				t = parent;
				break;
			}
			last = score_of(parent);
			parent = parent->parent;
		}
		parent = t->parent;
		while (parent && is_el(parent) && !tag_is(parent, "body") &&
		       count_el_children(parent) == 1) {
			t = parent;
			parent = t->parent;
		}
		if (!scored(t))
			init_node(x, t);
	}

	/* the direction: the first dir= on the way up */
	for (node = t; node && is_el(node); node = node->parent) {
		const char *d = attr(node, "dir");

		if (d && *d) {
			free(x->dir);
			x->dir = xstrdup(d);
			break;
		}
	}

	/* siblings that look like the article join it */
	art = new_el(x, "div");
	sib_thr = score_of(t) * 0.2;
	if (sib_thr < 10)
		sib_thr = 10;
	parent = t->parent;
	for (sib = parent ? first_el(parent) : t; sib; sib = nsib) {
		bool append = false;

		nsib = parent ? next_el(sib) : NULL;
		if (sib == t) {
			append = true;
		} else {
			double bonus = 0;
			const char *sc = attr(sib, "class");
			const char *tc = attr(t, "class");

			if (tc && *tc && sc && strcmp(sc, tc) == 0)
				bonus += score_of(t) * 0.2;
			if (scored(sib) && score_of(sib) + bonus >= sib_thr) {
				append = true;
			} else if (tag_is(sib, "p")) {
				double ld = link_density(sib);
				size_t len;

				sbuf_reset(&x->tmp);
				len = inner_text(sib, &x->tmp);
				if (len > 80 && ld < 0.25)
					append = true;
				else if (len < 80 && len > 0 && ld == 0) {
					const char *d = x->tmp.buf;

					while ((d = strchr(d, '.')) != NULL) {
						if (d[1] == ' ' || d[1] == '\0') {
							append = true;
							break;
						}
						d++;
					}
				}
			}
		}
		if (append) {
			const char *tg = tag_of(sib);

			if (strcmp(tg, "div") != 0 && strcmp(tg, "article") != 0 &&
			    strcmp(tg, "section") != 0 && strcmp(tg, "p") != 0 &&
			    strcmp(tg, "ol") != 0 && strcmp(tg, "ul") != 0)
				set_tag(sib, "div");
			dom_append(art, sib);
		}
		if (!parent)
			break;
	}
	prep_article(x, art);
	return art;
}

/* ---- output ---- */

static const char *const void_tags[] = {
	"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
	"meta", "param", "source", "track", "wbr", NULL,
};
static const char *const block_tags[] = {
	"address", "article", "aside", "blockquote", "dd", "div", "dl", "dt",
	"figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
	"header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
	"table", "tr", "ul", NULL,
};

/* Serialise the subtree at n (its children when kids_only). */
static void
serialize(xmlNode *n, struct sbuf *out, int depth)
{
	xmlNode *c;
	const xmlAttr *a;

	if (depth > 400)
		return;
	if (is_text(n)) {
		if (n->content)
			text_escape_html(out, (const char *)n->content,
					 strlen((const char *)n->content));
		return;
	}
	if (!is_el(n))
		return;
	sbuf_addf(out, "<%s", tag_of(n));
	for (a = n->properties; a; a = a->next) {
		if (!a->name)
			continue;
		sbuf_addf(out, " %s=\"", (const char *)a->name);
		if (a->children && is_text(a->children) && a->children->content)
			text_escape_html(out,
					 (const char *)a->children->content,
					 strlen((const char *)a->children->content));
		sbuf_addch(out, '"');
	}
	sbuf_addch(out, '>');
	if (in_list(tag_of(n), void_tags))
		return;
	for (c = n->children; c; c = c->next)
		serialize(c, out, depth + 1);
	sbuf_addf(out, "</%s>", tag_of(n));
}

/* Scripts written without spaces between words (CJK): there an
 * element's edge is the only word boundary the page marks. */
static bool
cjk(uint32_t c)
{
	return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) ||
	       (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF00 && c <= 0xFFEF) ||
	       (c >= 0x20000 && c <= 0x3FFFF);
}

/* Whether an element's edge between characters a and b separates two
 * words that no space separates: in scripts written without spaces,
 * and where a lower-case letter meets an upper-case one ("Credit" in a
 * label, then "Kevin"), which inside one word does not happen. */
static bool
edge_splits(uint32_t a, uint32_t b)
{
	return cjk(a) || cjk(b) ||
	       (((a >= 'a' && a <= 'z') || (a >= '0' && a <= '9')) &&
		b >= 'A' && b <= 'Z');
}

struct ptext {
	struct sbuf *out;
	int nl;        /* pending: -1 space, 1 line break, 2 paragraph */
	bool edge;     /* an element began or ended since the last char */
	uint32_t last; /* the last character written */
};

static void
ptext_chars(struct ptext *p, const char *s)
{
	size_t i = 0, k, len = s ? strlen(s) : 0;
	uint32_t cp;

	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			cp = (unsigned char)s[i];
			k = 1;
		} else {
			k = utf8_decode(s + i, len - i, &cp);
			if (k == 0)
				k = 1;
		}
		if (space_cp(cp)) {
			if (p->nl == 0)
				p->nl = -1;
		} else if (p->nl == 0 && !p->edge && cp < 0x80) {
			/* the plain run: copy to the next space or edge */
			size_t j = i + 1;

			while (j < len && (unsigned char)s[j] < 0x80 &&
			       s[j] != ' ' && (s[j] < 9 || s[j] > 13))
				j++;
			sbuf_add(p->out, s + i, j - i);
			p->last = (unsigned char)s[j - 1];
			i = j;
			continue;
		} else {
			if (p->nl > 0 && p->out->len)
				sbuf_adds(p->out, p->nl > 1 ? "\n\n" : "\n");
			else if (p->out->len && (p->nl < 0 ||
				 (p->edge && edge_splits(p->last, cp))))
				sbuf_addch(p->out, ' ');
			p->nl = 0;
			p->edge = false;
			p->last = cp;
			sbuf_add(p->out, s + i, k);
		}
		i += k;
	}
}

static void
ptext_break(struct ptext *p, int want)
{
	if (want > p->nl)
		p->nl = want;
}

/* Plain text: blocks as paragraphs, list items, rows and <br> as line
 * breaks, cells apart by a space. */
static void
plain_text(xmlNode *n, struct ptext *p, int depth)
{
	xmlNode *c;
	int brk = 0;

	if (depth > 400)
		return;
	if (is_text(n)) {
		ptext_chars(p, (const char *)n->content);
		return;
	}
	if (!is_el(n))
		return;
	if (tag_is(n, "br")) {
		ptext_break(p, 1);
		return;
	}
	if (tag_is(n, "td") || tag_is(n, "th"))
		brk = -1;
	else if (tag_is(n, "li") || tag_is(n, "tr") || tag_is(n, "dt") ||
		 tag_is(n, "dd"))
		brk = 1;
	else if (in_list(tag_of(n), block_tags))
		brk = 2;
	if (brk < 0 && p->nl == 0)
		p->nl = -1;
	else if (brk > 0)
		ptext_break(p, brk);
	p->edge = true;
	for (c = n->children; c; c = c->next)
		plain_text(c, p, depth + 1);
	p->edge = true;
	if (brk < 0 && p->nl == 0)
		p->nl = -1;
	else if (brk > 0)
		ptext_break(p, brk);
}

/* ---- the page ---- */

/* The charset a page declares in its first 1024 bytes (<meta charset>
 * or http-equiv content="...; charset=X"), into buf; false if none. */
static bool
declared_charset(const char *s, size_t len, char *buf, size_t cap)
{
	size_t i, j;
	const char *p;

	if (len > 4096)
		len = 4096;
	for (i = 0; i + 8 < len; i++) {
		if (strncasecmp(s + i, "charset", 7) != 0)
			continue;
		p = s + i + 7;
		while (p < s + len && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= s + len || *p != '=')
			continue;
		p++;
		while (p < s + len && (*p == ' ' || *p == '"' || *p == '\''))
			p++;
		for (j = 0; p < s + len && j + 1 < cap &&
		     (isalnum((unsigned char)*p) || *p == '-' || *p == '_' ||
		      *p == ':' || *p == '.');
		     p++)
			buf[j++] = *p;
		buf[j] = '\0';
		if (j)
			return true;
	}
	return false;
}

static bool
valid_utf8(const char *s, size_t len)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_decode(s + i, len - i, &cp);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

static htmlDocPtr
parse_page(const char *html, size_t len, const char *enc)
{
	parse_xml_init();
	return htmlReadMemory(html, (int)len, NULL, enc,
			      HTML_PARSE_NONET | HTML_PARSE_NOERROR |
			      HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER);
}

static void
ex_end(struct ex *x)
{
	size_t i;

	for (i = 0; i < x->ngrave; i++)
		xmlFreeNode(x->grave[i]);
	x->ngrave = 0;
	for (i = 0; i < x->nst; i++)
		free(x->st[i]);
	x->nst = 0;
	if (x->doc)
		xmlFreeDoc(x->doc);
	x->doc = NULL;
}

static char *
base_url(htmlDocPtr doc, const char *url)
{
	xmlNode *root = (xmlNode *)doc, *c;
	const char *href;

	for (c = walk_next(root, root, false); c; c = walk_next(c, root, false))
		if (tag_is(c, "base") && (href = attr(c, "href")) && *href)
			return url ? url_resolve(url, href) : xstrdup(href);
	return url ? xstrdup(url) : NULL;
}

/* A metadata value as Readability hands it out: the five named
 * entities and numeric references decoded once more (pages escape
 * twice), then sanitised to one line. No tag is dropped: "<" in a
 * title is text. NULL for NULL or an empty value. */
static char *
clean_line(const char *s)
{
	static const struct { const char *name; char ch; } named[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&apos;", '\'' },
	};
	struct sbuf sb;
	char *line, enc[4], *end;
	size_t i;
	unsigned long cp;

	if (!s)
		return NULL;
	sbuf_init(&sb, 0);
	while (*s) {
		if (*s == '&') {
			for (i = 0; i < ARRAY_SIZE(named); i++)
				if (strncmp(s, named[i].name,
					    strlen(named[i].name)) == 0)
					break;
			if (i < ARRAY_SIZE(named)) {
				sbuf_addch(&sb, named[i].ch);
				s += strlen(named[i].name);
				continue;
			}
			if (s[1] == '#') {
				bool hex = s[2] == 'x' || s[2] == 'X';

				cp = strtoul(s + 2 + hex, &end, hex ? 16 : 10);
				if (end > s + 2 + hex && *end == ';') {
					if (cp == 0 || cp > 0x10FFFF ||
					    (cp >= 0xD800 && cp <= 0xDFFF))
						cp = 0xFFFD;
					sbuf_add(&sb, enc,
						 (size_t)utf8_encode((uint32_t)cp,
								     enc));
					s = end + 1;
					continue;
				}
			}
		}
		sbuf_addch(&sb, *s++);
	}
	line = text_sanitize(sb.buf, sb.len, true);
	sbuf_release(&sb);
	/* trim */
	{
		size_t n = strlen(line), b = 0;

		while (b < n && line[b] == ' ')
			b++;
		while (n > b && line[n - 1] == ' ')
			n--;
		memmove(line, line + b, n - b);
		line[n - b] = '\0';
	}
	if (!*line) {
		free(line);
		return NULL;
	}
	return line;
}

void
article_release(struct article *a)
{
	free(a->title);
	free(a->byline);
	free(a->excerpt);
	free(a->site_name);
	free(a->lang);
	free(a->dir);
	free(a->published);
	free(a->content_html);
	free(a->text);
	memset(a, 0, sizeof(*a));
}

int
article_extract(const char *html, size_t len, const char *url,
		struct article *out, struct err *e)
{
	struct ex x;
	struct meta m = { 0 };
	char cs[64], *base = NULL, *best = NULL, *best_text = NULL;
	const char *enc = NULL;
	size_t best_len = 0, tl;
	unsigned flags = F_ALL;
	struct enc_result conv;
	bool converted = false;
	int rc = -1;
	xmlNode *root, *art, *body;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	sbuf_init(&x.tmp, 0);
	if (!html || len == 0)
		return err_set(e, ERR_PARSE, "no article found: the page is "
			       "empty");
	if (len > ARTICLE_MAX_INPUT)
		return err_set(e, ERR_LIMIT, "no article found: the page is "
			       "larger than %u MiB",
			       (unsigned)(ARTICLE_MAX_INPUT >> 20));
	if (memchr(html, '\0', len < 1024 ? len : 1024) &&
	    !(len >= 2 && ((unsigned char)html[0] == 0xFF ||
			   (unsigned char)html[0] == 0xFE)))
		return err_set(e, ERR_PARSE, "no article found: the page is "
			       "binary, not HTML");
	/* The bytes as UTF-8: kept when they are UTF-8 (whatever the page
	 * declares: a page saved or served as UTF-8 often keeps a stale
	 * charset), else converted from the declared charset, or from
	 * windows-1252 when there is none or it is wrong. */
	if (len >= 2 && ((unsigned char)html[0] == 0xFF ||
			 (unsigned char)html[0] == 0xFE)) {
		enc = NULL; /* UTF-16 with a BOM: libxml2 reads it */
	} else if (valid_utf8(html, len)) {
		enc = "UTF-8";
	} else {
		char ct[128];

		if (!declared_charset(html, len, cs, sizeof(cs)) ||
		    strcasecmp(cs, "utf-8") == 0 || strcasecmp(cs, "utf8") == 0)
			snprintf(cs, sizeof(cs), "windows-1252");
		snprintf(ct, sizeof(ct), "application/xml; charset=%s", cs);
		enc_to_utf8(html, len, ct, true, &conv);
		enc_result_own(&conv);
		converted = true;
		html = conv.utf8;
		len = conv.len;
		enc = "UTF-8";
	}

	/* one budget for every attempt: a page that spends it gets no
	 * retry (see struct ex) */
	x.budget = WORK_BUDGET;
	x.doc = parse_page(html, len, enc);
	if (!x.doc || !xmlDocGetRootElement(x.doc)) {
		err_set(e, ERR_PARSE, "no article found: the page is not HTML");
		goto out;
	}
	get_jsonld(x.doc, &m);
	root = xmlDocGetRootElement(x.doc);
	if (attr(root, "lang") && *attr(root, "lang"))
		out->lang = xstrdup(attr(root, "lang"));
	base = base_url(x.doc, url);
	x.flags = flags;
	prep_document(&x);
	get_meta(x.doc, &m);
	x.title = m.title;
	for (;;) {
		struct sbuf sb;

		if (!x.doc) {
			x.doc = parse_page(html, len, enc);
			if (!x.doc)
				break;
			prep_document(&x);
		}
		x.flags = flags;
		body = body_of(x.doc);
		art = grab_article(&x, body);
		if (!art) {
			ex_end(&x);
			break;
		}
		tl = text_len(art);
		sbuf_init(&sb, 0);
		serialize(art, &sb, 0);
		if (tl >= CHAR_THRESHOLD || tl > best_len || !best_text) {
			struct sbuf txt;
			xmlNode *c;

			sbuf_init(&txt, 0);
			if (!m.excerpt) {
				for (c = walk_next(art, art, false); c;
				     c = walk_next(c, art, false))
					if (tag_is(c, "p")) {
						struct sbuf ex;

						sbuf_init(&ex, 0);
						inner_text(c, &ex);
						if (ex.len)
							m.excerpt = sbuf_detach(&ex, NULL);
						sbuf_release(&ex);
						break;
					}
			}
			{
				struct ptext pt = { &txt, 0, false, 0 };

				plain_text(art, &pt, 0);
			}
			free(best_text);
			best_text = sbuf_detach(&txt, NULL);
			free(best);
			best = sbuf_detach(&sb, NULL);
			best_len = tl;
		}
		sbuf_release(&sb);
		xmlFreeNode(art);
		ex_end(&x);
		if (tl >= CHAR_THRESHOLD || x.budget == 0)
			break;
		if (flags & F_STRIP_UNLIKELY)
			flags &= ~(unsigned)F_STRIP_UNLIKELY;
		else if (flags & F_WEIGHT_CLASSES)
			flags &= ~(unsigned)F_WEIGHT_CLASSES;
		else if (flags & F_CLEAN_COND)
			flags &= ~(unsigned)F_CLEAN_COND;
		else
			break;
	}
	if (!best || best_len == 0) {
		err_set(e, ERR_PARSE, "no article found: the page has no "
			"text that reads as an article");
		goto out;
	}
	out->content_html = markup_clean(best, base, true);
	out->text = text_sanitize(best_text, strlen(best_text), false);
	out->title = clean_line(m.title);
	out->byline = clean_line(m.byline ? m.byline : x.byline);
	out->excerpt = clean_line(m.excerpt);
	out->site_name = clean_line(m.site_name);
	out->published = clean_line(m.published);
	if (x.dir)
		out->dir = text_sanitize(x.dir, strlen(x.dir), true);
	if (out->lang) {
		char *l = text_sanitize(out->lang, strlen(out->lang), true);

		free(out->lang);
		out->lang = l;
	}
	rc = 0;
out:
	if (rc < 0)
		article_release(out);
	ex_end(&x);
	free(x.byline);
	free(x.dir);
	free(x.grave);
	free(x.st);
	sbuf_release(&x.tmp);
	meta_release(&m);
	free(base);
	free(best);
	free(best_text);
	if (converted)
		enc_result_release(&conv);
	return rc;
}
