/*
 * text.c: a post's length as each service counts it, and the URLs in it.
 *
 * - URLs: twitter-text's extraction rules (extract.yml): the preceding
 *   character, a domain ending in a known TLD (text-tables.c, from
 *   tlds.yml) or punycode, an optional port, a path that does not end in
 *   punctuation and balances its parentheses, a query; labels of at most
 *   63 characters once punycode-encoded. Bare IPs and hosts without a TLD
 *   are no URLs, so every service counts them as text. X also finds URLs
 *   without a scheme; Mastodon and Bluesky's facets only those with one.
 * - X: twitter-text v3 weighting (v3.json): NFC first, then code points in
 *   the ranges weigh 1, others 2, an emoji sequence 2, a URL 23; at most
 *   280. The NFC here replaces what NFC replaces alone (singletons,
 *   exclusions) and composes pairs from Unicode's table and Hangul; it
 *   does not reorder combining marks (rare in titles).
 * - Mastodon: grapheme clusters, each URL with a scheme as the instance's
 *   characters_reserved_per_url.
 * - Bluesky: grapheme clusters (pcre2's \X) and UTF-8 bytes; its link
 *   facets follow Bluesky's own detection (text_bluesky_links), which
 *   links any http(s) host and drops trailing punctuation likewise.
 *
 * It does not plan or cut posts (post.c) nor know the wire formats.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "glean/parse.h"
#include "glean/service.h"
#include "glean/banned.h"

/* The generated tables (text-tables.c). */
extern const char *const text_tlds[];
extern const size_t text_ntlds;
extern const uint32_t text_nfc_pairs[][3], text_nfc_single[][5];
extern const size_t text_nfc_npairs, text_nfc_nsingle;

#define URL_MAX 4096
#define LABEL_MAX 63
#define TCO_SLUG_MAX 40

/* ---- the patterns (twitter-text's regexen, in pcre2 syntax) ---- */

#define INVALID "\\x{FFFE}\\x{FEFF}\\x{FFFF}"
#define DIRMARK "\\x{202A}-\\x{202E}\\x{061C}\\x{200E}\\x{200F}" \
		"\\x{2066}-\\x{2069}"
#define PUNCT "!'#%&()*+,\\\\\\-./:;<=>?@\\[\\]^_{|}~$"
#define SPACES "\\x{09}-\\x{0D}\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{180E}" \
	       "\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}" \
	       "\\x{3000}"
#define CYR "\\x{0400}-\\x{04FF}"
#define LATIN "\\x{00C0}-\\x{00D6}\\x{00D8}-\\x{00F6}\\x{00F8}-\\x{00FF}" \
	      "\\x{0100}-\\x{024F}\\x{0253}\\x{0254}\\x{0256}\\x{0257}" \
	      "\\x{0259}\\x{025B}\\x{0263}\\x{0268}\\x{026F}\\x{0272}" \
	      "\\x{0289}\\x{028B}\\x{02BB}\\x{0300}-\\x{036F}" \
	      "\\x{1E00}-\\x{1EFF}"
#define DC "[^" PUNCT SPACES INVALID DIRMARK "]"
#define GPC "[a-z" CYR "0-9!*';:=+,.$/%#\\[\\]\\-\\x{2013}_~&|@" LATIN "]"
#define BALANCED "\\((?:" GPC "+|(?:" GPC "*\\(" GPC "+\\)" GPC "*))\\)"
#define PATH_END "(?:[+\\-a-z" CYR "0-9=_#/" LATIN "]|(?:" BALANCED "))"
#define PATH "(?:(?:" GPC "*(?:" BALANCED GPC "*)*" PATH_END ")|(?:@" GPC \
	     "+/))"
#define QUERY "[a-z0-9!?*'@();:&=+$/%#\\[\\]\\-_.,~|]"
#define QUERY_END "[a-z0-9\\-_&=#/]"
#define PUNY "(?:xn--[\\-0-9a-z]+)"
#define TLD_AFTER "(?=[^0-9a-z@+-]|$)"

/* Groups: 1 preceding, 2 URL, 3 scheme, 4 domain, 5 port, 6 path. */
static const char url_head[] =
	"((?:[^a-z0-9@\\x{FF20}$#\\x{FF03}" INVALID "]|[" DIRMARK "]|^))"
	"((https?://)?((?:(?:" DC "(?:[_-]|" DC ")*)?" DC "\\.)*"
	"(?:(?:" DC "(?:-|" DC ")*)?" DC "\\.)(?:(?:";
static const char url_tail[] =
	")" TLD_AFTER "|" PUNY "))(?::([0-9]+))?(/" PATH "*)?"
	"(\\?" QUERY "*" QUERY_END ")?)";

static const char ascii_head[] = "(?:[\\-a-z0-9" LATIN "]+\\.)+(?:(?:";
static const char ascii_tail[] = ")" TLD_AFTER "|" PUNY ")";

static const char tco[] = "^https?://t\\.co/([a-z0-9]+)(?:\\?" QUERY "*"
			  QUERY_END ")?";

/* An emoji as X counts it: keycaps, flags, tag sequences, and
 * pictographs with their presentation selector or skin tone, joined by
 * ZWJ. ©, ® and ™ are emoji only with U+FE0F. */
#define EL "(?:[\\x{A9}\\x{AE}\\x{2122}]\\x{FE0F}|" \
	   "(?![\\x{A9}\\x{AE}\\x{2122}])\\p{ExtPict}" \
	   "(?:\\x{FE0F}|\\p{EMod})?)"
static const char emoji[] =
	"[#*0-9]\\x{FE0F}?\\x{20E3}|\\p{RI}\\p{RI}|"
	"\\x{1F3F4}[\\x{E0020}-\\x{E007E}]+\\x{E007F}|"
	EL "(?:\\x{200D}" EL ")*";

static struct rx_pat *url_rx, *ascii_rx, *tco_rx, *emoji_rx;
static pthread_once_t rx_once = PTHREAD_ONCE_INIT;

static struct rx_pat *
compile(const char *pattern)
{
	struct err e = { 0 };
	struct rx_pat *p = rx_pat_compile(pattern, true, &e);

	if (!p)
		BUG("cannot compile a text pattern: %s", e.msg);
	return p;
}

static struct rx_pat *
compile_tlds(const char *head, const char *tail)
{
	struct sbuf sb = SBUF_INIT;
	struct rx_pat *p;
	size_t i;

	sbuf_adds(&sb, head);
	for (i = 0; i < text_ntlds; i++)
		sbuf_addf(&sb, "%s%s", i ? "|" : "", text_tlds[i]);
	sbuf_adds(&sb, tail);
	p = compile(sb.buf);
	sbuf_release(&sb);
	return p;
}

static void
rx_init(void)
{
	url_rx = compile_tlds(url_head, url_tail);
	ascii_rx = compile_tlds(ascii_head, ascii_tail);
	tco_rx = compile(tco);
	emoji_rx = compile(emoji);
}

/* ---- punycode lengths (RFC 3492), for the 63-character labels ---- */

static size_t
adapt(size_t delta, size_t n, bool first)
{
	size_t k = 0;

	delta = first ? delta / 700 : delta / 2;
	delta += delta / n;
	while (delta > ((36 - 1) * 26) / 2) {
		delta /= 36 - 1;
		k += 36;
	}
	return k + (36 * delta) / (delta + 38);
}

/* Length of one label as IDNA writes it ("xn--" + punycode when it is
 * not ASCII); SIZE_MAX when it cannot be encoded. */
static size_t
label_ascii_len(const uint32_t *cp, size_t n)
{
	size_t basic = 0, h, out, i, m, delta = 0, bias = 72, next = 0x80;

	for (i = 0; i < n; i++)
		basic += cp[i] < 0x80;
	if (basic == n)
		return n;
	if (n >= 4 && (cp[0] | 0x20) == 'x' && (cp[1] | 0x20) == 'n' &&
	    cp[2] == '-' && cp[3] == '-')
		return SIZE_MAX; /* already punycode, yet not ASCII */
	out = 4 + basic + (basic > 0);
	h = basic;
	while (h < n) {
		m = SIZE_MAX;
		for (i = 0; i < n; i++)
			if (cp[i] >= next && cp[i] < m)
				m = cp[i];
		delta += (m - next) * (h + 1);
		next = m;
		for (i = 0; i < n; i++) {
			if (cp[i] < next)
				delta++;
			if (cp[i] == next) {
				size_t q = delta, k;

				for (k = 36;; k += 36) {
					size_t t = k <= bias ? 1 : k >= bias + 26
						   ? 26 : k - bias;

					if (q < t)
						break;
					out++;
					q = (q - t) / (36 - t);
				}
				out++;
				bias = adapt(delta, h + 1, h == basic);
				delta = 0;
				h++;
			}
		}
		delta++;
		next++;
	}
	return out;
}

/* The domain's IDNA form, as long as twitter-text's isValidUrl needs:
 * its length, or SIZE_MAX when a label is empty or over 63. */
static size_t
domain_ascii_len(const char *s, size_t len)
{
	uint32_t *cp = xmalloc((len + 1) * sizeof(*cp));
	size_t n = 0, i = 0, total = 0, start = 0, k;

	while (i < len) {
		k = utf8_decode(s + i, len - i, &cp[n]);
		i += k ? k : 1;
		n++;
	}
	for (i = 0; i <= n; i++) {
		if (i < n && cp[i] != '.')
			continue;
		k = label_ascii_len(cp + start, i - start);
		if (k == 0 || k > LABEL_MAX) {
			free(cp);
			return SIZE_MAX;
		}
		total += k + (i < n);
		start = i + 1;
	}
	free(cp);
	return total;
}

/* ---- URLs ---- */

static void
add_span(struct text_span **v, size_t *n, size_t *cap, size_t a, size_t b)
{
	XGROW(*v, *cap, *n + 1);
	(*v)[*n].start = a;
	(*v)[*n].end = b;
	(*n)++;
}

size_t
text_urls(const char *s, bool bare, struct text_span **out)
{
	size_t len = strlen(s), pos = 0, n = 0, cap = 0, ov[14];
	struct text_span *v = NULL;

	pthread_once(&rx_once, rx_init);
	while (pos < len) {
		int rc = rx_pat_search(url_rx, s, len, pos, ov, 7);
		size_t us, ue, ds, de, dlen;

		if (rc == 0)
			break;
		if (rc < 0) { /* the engine gave up: skip this word */
			pos++;
			while (pos < len && !strchr(" \t\n", s[pos]))
				pos++;
			continue;
		}
		us = ov[4], ue = ov[5], ds = ov[8], de = ov[9];
		dlen = domain_ascii_len(s + ds, de - ds);
		pos = ov[1] > pos ? ov[1] : pos + 1;
		if (dlen == SIZE_MAX || (ue - us) + dlen - (de - ds) +
		    (ov[6] == SIZE_MAX ? 7 : 0) > URL_MAX)
			continue;
		if (ov[6] != SIZE_MAX) { /* a scheme */
			size_t t[4];

			if (rx_pat_search(tco_rx, s + us, ue - us, 0, t, 2) == 1) {
				if (t[3] - t[2] > TCO_SLUG_MAX)
					continue;
				ue = us + t[1];
			}
			add_span(&v, &n, &cap, us, ue);
			continue;
		}
		if (!bare || (ov[2] < ov[3] &&
			      strchr("-_./", s[ov[3] - 1])))
			continue;
		{
			size_t a = ds, a_ov[2], last = SIZE_MAX;

			while (a < de && rx_pat_search(ascii_rx, s, de, a,
						       a_ov, 1) == 1) {
				add_span(&v, &n, &cap, a_ov[0], a_ov[1]);
				last = n - 1;
				a = a_ov[1] > a ? a_ov[1] : a + 1;
			}
			if (last != SIZE_MAX && ov[12] != SIZE_MAX)
				v[last].end = ue;
		}
	}
	*out = v;
	return n;
}

/* Bluesky's own link rule (the app's detectFacets): an http(s) URL after
 * the start, a space or "(", up to the next space; one trailing
 * [.,;:!?] dropped, then a ")" when the URL opened none. Any host will
 * do, so a reserved or TLD-less host still gets its link. */
static bool
bsky_space(const char *p)
{
	return *p == ' ' || (*p >= '\t' && *p <= '\r') ||
	       str_starts(p, "\xc2\xa0") || str_starts(p, "\xe3\x80\x80") ||
	       (str_starts(p, "\xe2\x80") && ((unsigned char)p[2] <= 0x8a ||
						p[2] == '\xa8' || p[2] == '\xa9' ||
						p[2] == '\xaf'));
}

/* Whether the code point that ends right before s[a] starts a link. */
static bool
bsky_before(const char *s, size_t a)
{
	size_t p = a;

	if (a == 0 || s[a - 1] == '(')
		return true;
	do
		p--;
	while (p > 0 && a - p < 4 && ((unsigned char)s[p] & 0xC0) == 0x80);
	return bsky_space(s + p);
}

size_t
text_bluesky_links(const char *s, struct text_span **out)
{
	size_t n = 0, cap = 0, i = 0, len = strlen(s), a, b;
	struct text_span *v = NULL;

	while (i < len) {
		a = i++;
		if (!(str_istarts(s + a, "http://") ||
		      str_istarts(s + a, "https://")) || !bsky_before(s, a))
			continue;
		b = a + (s[a + 4] == ':' ? 7 : 8);
		if (b >= len || bsky_space(s + b))
			continue;
		while (b < len && !bsky_space(s + b))
			b++;
		i = b;
		if (strchr(".,;:!?", s[b - 1]))
			b--;
		if (s[b - 1] == ')' && !memchr(s + a, '(', b - a))
			b--;
		add_span(&v, &n, &cap, a, b);
	}
	*out = v;
	return n;
}

/* ---- NFC (compositions only) ---- */

static uint32_t
compose(uint32_t a, uint32_t b)
{
	size_t lo = 0, hi = text_nfc_npairs;

	if (a >= 0x1100 && a < 0x1113 && b >= 0x1161 && b < 0x1176)
		return 0xAC00 + ((a - 0x1100) * 21 + (b - 0x1161)) * 28;
	if (a >= 0xAC00 && a < 0xD7A4 && (a - 0xAC00) % 28 == 0 &&
	    b > 0x11A7 && b < 0x11C3)
		return a + (b - 0x11A7);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const uint32_t *e = text_nfc_pairs[mid];

		if (e[0] == a && e[1] == b)
			return e[2];
		if (e[0] < a || (e[0] == a && e[1] < b))
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* What NFC makes of cp alone when that is not cp itself, else NULL. */
static const uint32_t *
single(uint32_t cp)
{
	size_t lo = 0, hi = text_nfc_nsingle;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (text_nfc_single[mid][0] == cp)
			return text_nfc_single[mid] + 1;
		if (text_nfc_single[mid][0] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

char *
text_nfc(const char *s)
{
	struct sbuf sb = SBUF_INIT;
	size_t len = strlen(s), i = 0, k, j, last = SIZE_MAX;
	uint32_t prev = 0, cp, c, one[2] = { 0 };
	const uint32_t *r;
	char buf[4];

	while (i < len) {
		k = utf8_decode(s + i, len - i, &cp);
		if (!k) {
			sbuf_addch(&sb, s[i++]);
			last = SIZE_MAX;
			continue;
		}
		i += k;
		r = single(cp);
		if (!r) {
			one[0] = cp;
			r = one;
		}
		for (j = 0; j < 4 && r[j]; j++) {
			if (last != SIZE_MAX && (c = compose(prev, r[j]))) {
				sbuf_truncate(&sb, last);
				prev = c;
			} else {
				prev = r[j];
			}
			last = sb.len;
			sbuf_add(&sb, buf, (size_t)utf8_encode(prev, buf));
		}
	}
	return sbuf_detach(&sb, NULL);
}

/* ---- the counters ---- */

static bool
x_light(uint32_t cp)
{
	return cp <= 4351 || (cp >= 8192 && cp <= 8205) ||
	       (cp >= 8208 && cp <= 8223) || (cp >= 8242 && cp <= 8247);
}

size_t
text_x_weighted(const char *text, bool emoji_parsing, bool *valid)
{
	char *s = text_nfc(text);
	size_t len = strlen(s), i = 0, u = 0, w = 0, k, nurl, em[2] = { 0 };
	struct text_span *urls;
	bool bad = false, have_em = false;
	uint32_t cp;

	nurl = text_urls(s, true, &urls);
	while (i < len) {
		if (u < nurl && urls[u].start == i) {
			w += 23 * 100;
			i = urls[u++].end;
			continue;
		}
		if (emoji_parsing && (!have_em || em[0] < i)) {
			have_em = true;
			if (rx_pat_search(emoji_rx, s, len, i, em, 1) != 1)
				em[0] = em[1] = SIZE_MAX;
		}
		if (emoji_parsing && em[0] == i && em[1] > i) {
			w += 200;
			i = em[1];
			continue;
		}
		k = utf8_decode(s + i, len - i, &cp);
		if (!k) {
			k = 1;
			cp = 0xFFFD;
		}
		if (cp == 0xFFFE || cp == 0xFEFF || cp == 0xFFFF)
			bad = true;
		w += x_light(cp) ? 100 : 200;
		i += k;
	}
	free(urls);
	free(s);
	w /= 100;
	if (valid)
		*valid = !bad && w <= TEXT_X_LIMIT;
	return w;
}

size_t
text_x_length(const char *s)
{
	return text_x_weighted(s, true, NULL);
}

size_t
text_graphemes(const char *s)
{
	return rx_graphemes(s, strlen(s));
}

size_t
text_mastodon_length(const char *s, size_t url_weight)
{
	struct text_span *urls;
	size_t n = text_urls(s, false, &urls), i, at = 0, len = 0;

	for (i = 0; i < n; i++) {
		len += rx_graphemes(s + at, urls[i].start - at) + url_weight;
		at = urls[i].end;
	}
	len += rx_graphemes(s + at, strlen(s + at));
	free(urls);
	return len;
}
