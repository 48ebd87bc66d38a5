/*
 * entities.c: HTML 4 named character references, and the rewrite that
 * lets a recovering XML parser keep text written with them. libxml2 in
 * recover mode drops every entity reference once the document is known
 * to be ill-formed, so before the second pass each reference (&eacute;,
 * &amp;, a bare '&') becomes a numeric character reference, which it
 * always keeps. Unknown names stay visible as literal "&name;" text.
 * Also the expansion of the entities a document declares in its internal
 * DTD subset, with limits against expansion attacks (see below). This
 * file does not parse XML.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "glean/banned.h"

struct entity {
	const char *name;
	uint32_t cp;
};

/* Sorted by name (strcmp order), as Python's html.entities. */
static const struct entity entities[] = {
	{ "AElig", 198 }, { "Aacute", 193 }, { "Acirc", 194 },
	{ "Agrave", 192 }, { "Alpha", 913 }, { "Aring", 197 },
	{ "Atilde", 195 }, { "Auml", 196 }, { "Beta", 914 },
	{ "Ccedil", 199 }, { "Chi", 935 }, { "Dagger", 8225 },
	{ "Delta", 916 }, { "ETH", 208 }, { "Eacute", 201 }, { "Ecirc", 202 },
	{ "Egrave", 200 }, { "Epsilon", 917 }, { "Eta", 919 },
	{ "Euml", 203 }, { "Gamma", 915 }, { "Iacute", 205 },
	{ "Icirc", 206 }, { "Igrave", 204 }, { "Iota", 921 }, { "Iuml", 207 },
	{ "Kappa", 922 }, { "Lambda", 923 }, { "Mu", 924 }, { "Ntilde", 209 },
	{ "Nu", 925 }, { "OElig", 338 }, { "Oacute", 211 }, { "Ocirc", 212 },
	{ "Ograve", 210 }, { "Omega", 937 }, { "Omicron", 927 },
	{ "Oslash", 216 }, { "Otilde", 213 }, { "Ouml", 214 }, { "Phi", 934 },
	{ "Pi", 928 }, { "Prime", 8243 }, { "Psi", 936 }, { "Rho", 929 },
	{ "Scaron", 352 }, { "Sigma", 931 }, { "THORN", 222 }, { "Tau", 932 },
	{ "Theta", 920 }, { "Uacute", 218 }, { "Ucirc", 219 },
	{ "Ugrave", 217 }, { "Upsilon", 933 }, { "Uuml", 220 }, { "Xi", 926 },
	{ "Yacute", 221 }, { "Yuml", 376 }, { "Zeta", 918 },
	{ "aacute", 225 }, { "acirc", 226 }, { "acute", 180 },
	{ "aelig", 230 }, { "agrave", 224 }, { "alefsym", 8501 },
	{ "alpha", 945 }, { "amp", 38 }, { "and", 8743 }, { "ang", 8736 },
	{ "aring", 229 }, { "asymp", 8776 }, { "atilde", 227 },
	{ "auml", 228 }, { "bdquo", 8222 }, { "beta", 946 },
	{ "brvbar", 166 }, { "bull", 8226 }, { "cap", 8745 },
	{ "ccedil", 231 }, { "cedil", 184 }, { "cent", 162 }, { "chi", 967 },
	{ "circ", 710 }, { "clubs", 9827 }, { "cong", 8773 }, { "copy", 169 },
	{ "crarr", 8629 }, { "cup", 8746 }, { "curren", 164 },
	{ "dArr", 8659 }, { "dagger", 8224 }, { "darr", 8595 },
	{ "deg", 176 }, { "delta", 948 }, { "diams", 9830 },
	{ "divide", 247 }, { "eacute", 233 }, { "ecirc", 234 },
	{ "egrave", 232 }, { "empty", 8709 }, { "emsp", 8195 },
	{ "ensp", 8194 }, { "epsilon", 949 }, { "equiv", 8801 },
	{ "eta", 951 }, { "eth", 240 }, { "euml", 235 }, { "euro", 8364 },
	{ "exist", 8707 }, { "fnof", 402 }, { "forall", 8704 },
	{ "frac12", 189 }, { "frac14", 188 }, { "frac34", 190 },
	{ "frasl", 8260 }, { "gamma", 947 }, { "ge", 8805 }, { "gt", 62 },
	{ "hArr", 8660 }, { "harr", 8596 }, { "hearts", 9829 },
	{ "hellip", 8230 }, { "iacute", 237 }, { "icirc", 238 },
	{ "iexcl", 161 }, { "igrave", 236 }, { "image", 8465 },
	{ "infin", 8734 }, { "int", 8747 }, { "iota", 953 },
	{ "iquest", 191 }, { "isin", 8712 }, { "iuml", 239 },
	{ "kappa", 954 }, { "lArr", 8656 }, { "lambda", 955 },
	{ "lang", 9001 }, { "laquo", 171 }, { "larr", 8592 },
	{ "lceil", 8968 }, { "ldquo", 8220 }, { "le", 8804 },
	{ "lfloor", 8970 }, { "lowast", 8727 }, { "loz", 9674 },
	{ "lrm", 8206 }, { "lsaquo", 8249 }, { "lsquo", 8216 }, { "lt", 60 },
	{ "macr", 175 }, { "mdash", 8212 }, { "micro", 181 },
	{ "middot", 183 }, { "minus", 8722 }, { "mu", 956 },
	{ "nabla", 8711 }, { "nbsp", 160 }, { "ndash", 8211 }, { "ne", 8800 },
	{ "ni", 8715 }, { "not", 172 }, { "notin", 8713 }, { "nsub", 8836 },
	{ "ntilde", 241 }, { "nu", 957 }, { "oacute", 243 }, { "ocirc", 244 },
	{ "oelig", 339 }, { "ograve", 242 }, { "oline", 8254 },
	{ "omega", 969 }, { "omicron", 959 }, { "oplus", 8853 },
	{ "or", 8744 }, { "ordf", 170 }, { "ordm", 186 }, { "oslash", 248 },
	{ "otilde", 245 }, { "otimes", 8855 }, { "ouml", 246 },
	{ "para", 182 }, { "part", 8706 }, { "permil", 8240 },
	{ "perp", 8869 }, { "phi", 966 }, { "pi", 960 }, { "piv", 982 },
	{ "plusmn", 177 }, { "pound", 163 }, { "prime", 8242 },
	{ "prod", 8719 }, { "prop", 8733 }, { "psi", 968 }, { "quot", 34 },
	{ "rArr", 8658 }, { "radic", 8730 }, { "rang", 9002 },
	{ "raquo", 187 }, { "rarr", 8594 }, { "rceil", 8969 },
	{ "rdquo", 8221 }, { "real", 8476 }, { "reg", 174 },
	{ "rfloor", 8971 }, { "rho", 961 }, { "rlm", 8207 },
	{ "rsaquo", 8250 }, { "rsquo", 8217 }, { "sbquo", 8218 },
	{ "scaron", 353 }, { "sdot", 8901 }, { "sect", 167 }, { "shy", 173 },
	{ "sigma", 963 }, { "sigmaf", 962 }, { "sim", 8764 },
	{ "spades", 9824 }, { "sub", 8834 }, { "sube", 8838 },
	{ "sum", 8721 }, { "sup", 8835 }, { "sup1", 185 }, { "sup2", 178 },
	{ "sup3", 179 }, { "supe", 8839 }, { "szlig", 223 }, { "tau", 964 },
	{ "there4", 8756 }, { "theta", 952 }, { "thetasym", 977 },
	{ "thinsp", 8201 }, { "thorn", 254 }, { "tilde", 732 },
	{ "times", 215 }, { "trade", 8482 }, { "uArr", 8657 },
	{ "uacute", 250 }, { "uarr", 8593 }, { "ucirc", 251 },
	{ "ugrave", 249 }, { "uml", 168 }, { "upsih", 978 },
	{ "upsilon", 965 }, { "uuml", 252 }, { "weierp", 8472 },
	{ "xi", 958 }, { "yacute", 253 }, { "yen", 165 }, { "yuml", 255 },
	{ "zeta", 950 }, { "zwj", 8205 }, { "zwnj", 8204 },
};

/*
 * entity_lookup() runs for every named reference in every HTML field, so
 * the names go into a name set (nset.c) built once per process
 * (pthread_once: feeds are parsed on a worker thread while the main
 * thread cleans and renders HTML too); after the build it is only read.
 */
static struct nset ent_set;
static pthread_once_t ent_once = PTHREAD_ONCE_INIT;
/* set (release) once the build is done: a lookup reads it (acquire)
 * instead of calling pthread_once() every time */
static bool ent_built;

static void
ent_build(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(entities); i++)
		nset_add(&ent_set, entities[i].name, entities[i].cp, false);
	__atomic_store_n(&ent_built, true, __ATOMIC_RELEASE);
}

uint32_t
entity_lookup(const char *name, size_t len)
{
	if (len == 0 || len >= 16)
		return 0;
	if (!__atomic_load_n(&ent_built, __ATOMIC_ACQUIRE))
		pthread_once(&ent_once, ent_build);
	return nset_get(&ent_set, name, len);
}

uint32_t
entity_lookup_key(uint64_t key, const char *name, size_t len)
{
	if (len == 0 || len >= 16)
		return 0;
	if (!__atomic_load_n(&ent_built, __ATOMIC_ACQUIRE))
		pthread_once(&ent_once, ent_build);
	return nset_get_key(&ent_set, key, name, len);
}

static bool
name_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return !first && ((c >= '0' && c <= '9') || c == '_' || c == '-' ||
			  c == '.');
}

/* Skip from s over a construct that ends with term; returns the end. */
static const char *
skip_to(const char *s, const char *end, const char *term)
{
	size_t n = strlen(term);

	while (s + n <= end) {
		if (memcmp(s, term, n) == 0)
			return s + n;
		s++;
	}
	return end;
}

void
entities_to_charrefs(const char *s, size_t len, struct sbuf *out)
{
	const char *end = s + len, *p = s, *run = s;

	while (p < end) {
		const char *q;

		if (*p == '<') {
			q = NULL;
			if (end - p >= 9 && memcmp(p, "<![CDATA[", 9) == 0)
				q = skip_to(p + 9, end, "]]>");
			else if (end - p >= 4 && memcmp(p, "<!--", 4) == 0)
				q = skip_to(p + 4, end, "-->");
			else if (end - p >= 2 && p[1] == '?')
				q = skip_to(p + 2, end, "?>");
			if (q) {
				p = q;
				continue;
			}
			p++;
			continue;
		}
		if (*p != '&') {
			p++;
			continue;
		}
		sbuf_add(out, run, (size_t)(p - run));
		q = p + 1;
		if (q < end && *q == '#') {
			const char *d = q + 1;
			bool hex = d < end && (*d == 'x' || *d == 'X');

			if (hex)
				d++;
			while (d < end && (hex ? strchr("0123456789abcdefABCDEF", *d) != NULL
					       : (*d >= '0' && *d <= '9')) && *d)
				d++;
			if (d < end && *d == ';' && d > q + 1 + hex) {
				/* already a character reference */
				sbuf_add(out, p, (size_t)(d + 1 - p));
				p = run = d + 1;
				continue;
			}
			sbuf_adds(out, "&#38;");
			p = run = p + 1;
			continue;
		}
		while (q < end && name_char(*q, q == p + 1))
			q++;
		if (q > p + 1 && q < end && *q == ';') {
			size_t n = (size_t)(q - p - 1);
			uint32_t cp = 0;

			if (n == 3 && memcmp(p + 1, "amp", 3) == 0)
				cp = '&';
			else if (n == 2 && memcmp(p + 1, "lt", 2) == 0)
				cp = '<';
			else if (n == 2 && memcmp(p + 1, "gt", 2) == 0)
				cp = '>';
			else if (n == 4 && memcmp(p + 1, "quot", 4) == 0)
				cp = '"';
			else if (n == 4 && memcmp(p + 1, "apos", 4) == 0)
				cp = '\'';
			else
				cp = entity_lookup(p + 1, n);
			if (cp) {
				sbuf_addf(out, "&#%u;", (unsigned)cp);
				p = run = q + 1;
				continue;
			}
		}
		/* unknown or bare: keep it as literal text */
		sbuf_adds(out, "&#38;");
		p = run = p + 1;
	}
	sbuf_add(out, run, (size_t)(end - run));
}

/* ---- general entities declared in the document (XML 1.0 §4) ----
 *
 * The DOCTYPE never reaches libxml2 (parse_xml.c cuts it out): 2.9.14
 * has no amplification limit a SAX parser can set, and re-parses an
 * entity at every reference. The internal entities the subset declares
 * are expanded here instead, into the document's text, with limits of
 * libxml2's kind: nesting at most 40 deep (its limit without
 * XML_PARSE_HUGE), no loops, and all expansions together adding at most
 * 1 MiB plus ten times the document (its amplification factor), never
 * more than 64 MiB, which refuses billion laughs and quadratic blowup
 * alike. External entities (SYSTEM, PUBLIC) and parameter entities are
 * never read: a reference to one stays as written. */

#define DECL_MAX 4096
#define DECL_DEPTH 40
#define DECL_BUDGET_MAX (64u << 20)

struct decl {
	const char *name;
	size_t nlen;
	char *text; /* replacement text: character references done */
	size_t tlen;
	char *full; /* fully expanded, made on first use */
	size_t flen;
	bool busy;  /* being expanded: a reference back to it is a loop */
	bool ext;   /* external or unusable: never expanded */
};

struct decls {
	struct decl *v;
	size_t n, cap;
	size_t budget; /* bytes expansion may still add */
	const char *why;
};

static bool
xname_char(unsigned char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == ':' || c >= 0x80)
		return true;
	return !first && ((c >= '0' && c <= '9') || c == '-' || c == '.');
}

static bool
xsp(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Past a markup declaration from p ('>' outside quotes). */
static const char *
skip_decl(const char *p, const char *end)
{
	char q = 0;

	for (; p < end; p++) {
		if (q) {
			if (*p == q)
				q = 0;
		} else if (*p == '"' || *p == '\'') {
			q = *p;
		} else if (*p == '>') {
			return p + 1;
		}
	}
	return end;
}

/* Declarations sorted by name length, then name, then position, so a
 * reference costs a binary search however many the subset declares. */
static int
decl_cmp(const void *a, const void *b)
{
	const struct decl *x = a, *y = b;
	int c;

	if (x->nlen != y->nlen)
		return x->nlen < y->nlen ? -1 : 1;
	c = memcmp(x->name, y->name, x->nlen);
	if (c)
		return c;
	return x->name < y->name ? -1 : x->name > y->name;
}

static struct decl *
decl_find(struct decls *d, const char *name, size_t n)
{
	size_t lo = 0, hi = d->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct decl *m = &d->v[mid];
		int c = m->nlen != n ? (m->nlen < n ? -1 : 1) :
				       memcmp(m->name, name, n);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < d->n && d->v[lo].nlen == n &&
	    memcmp(d->v[lo].name, name, n) == 0)
		return &d->v[lo]; /* the first of equal names: it binds */
	return NULL;
}

/* A literal entity value as its replacement text: character references
 * replaced, general entity references left for expansion (§4.5). false
 * on a parameter entity reference, which the internal subset forbids
 * inside a declaration. */
static bool
literal_text(const char *v, size_t n, struct sbuf *out)
{
	size_t i = 0;

	while (i < n) {
		if (v[i] == '%')
			return false;
		if (v[i] == '&' && i + 1 < n && v[i + 1] == '#') {
			size_t j = i + 2;
			uint32_t cp = 0;
			bool hex = j < n && v[j] == 'x', ok = true;
			char u[4];

			if (hex)
				j++;
			if (j >= n || v[j] == ';')
				ok = false;
			for (; ok && j < n && v[j] != ';'; j++) {
				char c = v[j];
				int x = c >= '0' && c <= '9' ? c - '0' :
					hex && c >= 'a' && c <= 'f' ? c - 'a' + 10 :
					hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 :
					-1;

				if (x < 0 || cp > 0x10FFFF)
					ok = false;
				else
					cp = cp * (hex ? 16u : 10u) + (uint32_t)x;
			}
			if (ok && j < n && cp <= 0x10FFFF && xml_char(cp)) {
				sbuf_add(out, u, (size_t)utf8_encode(cp, u));
				i = j + 1;
				continue;
			}
		}
		sbuf_add(out, v + i, 1);
		i++;
	}
	return true;
}

/* The general entity declarations of a DOCTYPE (the first one of a name
 * binds, §4.2); the predefined five are left to the parser. */
static void
decls_read(const char *s, size_t len, struct decls *d)
{
	const char *p = memchr(s, '[', len), *end = s + len;

	if (!p)
		return;
	p++;
	while (p < end && d->n < DECL_MAX) {
		const char *name, *v;
		size_t nn;
		bool ext = false;
		struct sbuf text = SBUF_INIT;

		if (*p != '<') {
			p++;
			continue;
		}
		if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			p = skip_to(p + 4, end, "-->");
			continue;
		}
		if (end - p >= 2 && p[1] == '?') {
			p = skip_to(p + 2, end, "?>");
			continue;
		}
		if (end - p < 9 || memcmp(p, "<!ENTITY", 8) != 0 ||
		    !xsp(p[8])) {
			p = skip_decl(p + 1, end);
			continue;
		}
		p += 8;
		while (p < end && xsp(*p))
			p++;
		if (p < end && *p == '%') { /* a parameter entity */
			p = skip_decl(p, end);
			continue;
		}
		name = p;
		while (p < end && xname_char((unsigned char)*p, p == name))
			p++;
		nn = (size_t)(p - name);
		while (p < end && xsp(*p))
			p++;
		if (nn == 0 || p >= end) {
			p = skip_decl(p, end);
			continue;
		}
		if (*p == '"' || *p == '\'') {
			const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));

			if (!q)
				break;
			v = p + 1;
			ext = !literal_text(v, (size_t)(q - v), &text);
			p = q + 1;
		} else {
			ext = true; /* SYSTEM or PUBLIC: never read */
		}
		p = skip_decl(p, end);
		if ((nn == 2 && (!memcmp(name, "lt", 2) ||
				 !memcmp(name, "gt", 2))) ||
		    (nn == 3 && !memcmp(name, "amp", 3)) ||
		    (nn == 4 && (!memcmp(name, "apos", 4) ||
				 !memcmp(name, "quot", 4)))) {
			sbuf_release(&text);
			continue;
		}
		XGROW(d->v, d->cap, d->n + 1);
		memset(&d->v[d->n], 0, sizeof(d->v[d->n]));
		d->v[d->n].name = name;
		d->v[d->n].nlen = nn;
		d->v[d->n].ext = ext;
		d->v[d->n].text = sbuf_detach(&text, &d->v[d->n].tlen);
		d->n++;
	}
	/* names in the subset's order among equals: decl_find() finds the
	 * first declaration of a name, which is the binding one */
	if (d->n > 1)
		qsort(d->v, d->n, sizeof(*d->v), decl_cmp);
}

/* The length of an entity reference's name at p (just after '&') when
 * a ';' ends it, else 0. */
static size_t
ref_name(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && xname_char((unsigned char)*q, q == p))
		q++;
	return q > p && q < end && *q == ';' ? (size_t)(q - p) : 0;
}

/* e fully expanded (memoized); false when refused (d->why says why). */
static bool
decl_expand(struct decls *d, struct decl *e, int depth)
{
	struct sbuf sb = SBUF_INIT;
	const char *p, *end, *run;

	if (e->full)
		return true;
	if (e->busy) {
		d->why = "an entity refers to itself";
		return false;
	}
	if (depth > DECL_DEPTH) {
		d->why = "entities nested too deeply";
		return false;
	}
	e->busy = true;
	p = run = e->text ? e->text : "";
	end = p + e->tlen;
	while ((p = memchr(p, '&', (size_t)(end - p))) != NULL) {
		size_t n = ref_name(p + 1, end);
		struct decl *sub = n ? decl_find(d, p + 1, n) : NULL;

		if (!sub || sub->ext) {
			p++;
			continue;
		}
		if (!decl_expand(d, sub, depth + 1))
			goto fail;
		if (sub->flen > d->budget) {
			d->why = "entity expansion over the limit";
			goto fail;
		}
		d->budget -= sub->flen;
		sbuf_add(&sb, run, (size_t)(p - run));
		sbuf_add(&sb, sub->full, sub->flen);
		p = run = p + 1 + n + 1;
	}
	sbuf_add(&sb, run, (size_t)(end - run));
	e->busy = false;
	e->full = sbuf_detach(&sb, &e->flen);
	if (!e->full)
		e->full = xstrdup("");
	return true;
fail:
	e->busy = false;
	sbuf_release(&sb);
	return false;
}

/* Append one reference's expansion: as is in content (markup in it is
 * parsed, §4.4.3), with quotes and '<' as character references inside
 * an attribute value so the value stays one value. */
static bool
put_ref(struct decls *d, struct decl *e, bool attr, struct sbuf *out)
{
	size_t i;

	if (!decl_expand(d, e, 0))
		return false;
	if (e->flen > d->budget) {
		d->why = "entity expansion over the limit";
		return false;
	}
	d->budget -= e->flen;
	if (!attr) {
		sbuf_add(out, e->full, e->flen);
		return true;
	}
	for (i = 0; i < e->flen; i++) {
		char c = e->full[i];

		if (c == '"')
			sbuf_adds(out, "&#34;");
		else if (c == '\'')
			sbuf_adds(out, "&#39;");
		else if (c == '<')
			sbuf_adds(out, "&#60;");
		else
			sbuf_add(out, &c, 1);
	}
	return true;
}

int
entities_expand_declared(const char *doctype, size_t dlen, const char *s,
			 size_t len, struct sbuf *out, const char **why)
{
	struct decls d = { 0 };
	const char *p = s, *end = s + len, *run = s;
	size_t start = out->len, i;
	bool any = false, ok = true;
	char q = 0; /* in a start tag: the open attribute quote */
	bool tag = false;

	*why = NULL;
	decls_read(doctype, dlen, &d);
	if (d.n == 0)
		return 0;
	d.budget = len > (DECL_BUDGET_MAX - (1u << 20)) / 10 ?
			   DECL_BUDGET_MAX :
			   (1u << 20) + 10 * len;
	while (p < end) {
		if (!tag && *p == '<') {
			const char *t = NULL;

			if (end - p >= 9 && memcmp(p, "<![CDATA[", 9) == 0)
				t = skip_to(p + 9, end, "]]>");
			else if (end - p >= 4 && memcmp(p, "<!--", 4) == 0)
				t = skip_to(p + 4, end, "-->");
			else if (end - p >= 2 && p[1] == '?')
				t = skip_to(p + 2, end, "?>");
			if (t) {
				p = t;
				continue;
			}
			tag = true;
			p++;
			continue;
		}
		if (tag) {
			if (q) {
				if (*p == q)
					q = 0;
			} else if (*p == '"' || *p == '\'') {
				q = *p;
			} else if (*p == '>') {
				tag = false;
			}
			if (!(q && *p == '&')) {
				p++;
				continue;
			}
		}
		if (*p != '&') {
			p++;
			continue;
		}
		{
			size_t n = ref_name(p + 1, end);
			struct decl *e = n ? decl_find(&d, p + 1, n) : NULL;

			if (!e || e->ext) {
				p++;
				continue;
			}
			sbuf_add(out, run, (size_t)(p - run));
			if (!put_ref(&d, e, tag, out)) {
				ok = false;
				break;
			}
			any = true;
			p = run = p + 1 + n + 1;
		}
	}
	if (ok)
		sbuf_add(out, run, (size_t)(end - run));
	else
		sbuf_truncate(out, start);
	*why = ok ? NULL : d.why;
	for (i = 0; i < d.n; i++) {
		free(d.v[i].text);
		free(d.v[i].full);
	}
	free(d.v);
	if (!ok)
		return -1;
	if (!any) {
		sbuf_truncate(out, start);
		return 0;
	}
	return 1;
}
