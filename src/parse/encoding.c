/*
 * encoding.c: which character encoding a feed is in, and its bytes as
 * UTF-8. The rules are feedparser's (RFC 3023 plus the XML spec's
 * appendix F): a BOM or the first four bytes give a guess, the XML
 * declaration names an encoding, the HTTP charset wins for XML media
 * types, a text type without a charset means us-ascii, and when the chosen
 * encoding cannot decode the bytes the next candidate is tried and the
 * document is bozo. Conversion uses the C library's iconv(3). Bytes that
 * declare nothing and are not UTF-8, or that the declared encoding cannot
 * decode, are given to uchardet (Mozilla's universal charset detector;
 * this file is its only user) before the windows-1252 fallback: BOM >
 * HTTP charset > XML declaration > detection, and valid UTF-8 is never
 * detected as anything else. This file does not parse XML.
 */
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uchardet.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#include <tmmintrin.h>
#define HAVE_UTF8_SSSE3 1
#endif

#include "private.h"
#include "glean/banned.h"

/*
 * uchardet, loaded the first time glean calls it (src/base/lazy.c says
 * why: with libstdc++, which it brings, 0.45 ms of the start of every
 * command). detect_charset() calls the library's own functions
 * through tab().
 */
#ifndef UCHARDET_SONAME /* the soname glean was built against */
#define UCHARDET_SONAME "libuchardet.so.0"
#endif

#define UCHARDET_FNS(F, V)                                                   \
	F(uchardet_t, uchardet_new, (void), ())                              \
	V(uchardet_delete, (uchardet_t ud), (ud))                            \
	F(int, uchardet_handle_data,                                         \
	  (uchardet_t ud, const char *data, size_t len), (ud, data, len))    \
	V(uchardet_data_end, (uchardet_t ud), (ud))                          \
	F(const char *, uchardet_get_charset, (uchardet_t ud), (ud))

LAZY_TABLE(uchardet, UCHARDET_FNS, UCHARDET_SONAME, "libuchardet0")

static bool
lower_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a, y = *b;

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return *a == *b;
}

static void
lower_copy(char *dst, size_t n, const char *s, size_t len)
{
	size_t i;

	if (len >= n)
		len = n - 1;
	for (i = 0; i < len; i++) {
		char c = s[i];

		dst[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	dst[len] = '\0';
}

#if defined(HAVE_UTF8_SSSE3)
/*
 * UTF-8 validation 16 bytes at a time with SSSE3's byte shuffle used as
 * three 16-entry lookup tables (Keiser and Lemire, "Validating UTF-8 in
 * less than one instruction per byte", 2021): every pair of adjacent
 * bytes is classified by the high nibble of the first, its low nibble
 * and the high nibble of the second; a bit left set in all three names
 * an error (too short, too long, overlong, surrogate, past U+10FFFF,
 * two continuations where a lead is needed); the third and fourth bytes
 * of longer sequences are checked by shifting. Real text has a byte
 * above ASCII every few words (accents, CJK, emoji, typographic quotes),
 * which leaves the scalar loop below at ~3 GB/s; this runs at several
 * times that. Same rules, same answer: utf8_check() uses it for whole
 * 16-byte blocks when the CPU has SSSE3 (checked once).
 */
#define U8_TOO_SHORT (1 << 0)
#define U8_TOO_LONG (1 << 1)
#define U8_OVERLONG_3 (1 << 2)
#define U8_TOO_LARGE (1 << 3)
#define U8_SURROGATE (1 << 4)
#define U8_OVERLONG_2 (1 << 5)
#define U8_TOO_LARGE_1000 (1 << 6)
#define U8_OVERLONG_4 (1 << 6)
#define U8_TWO_CONTS (1 << 7)
#define U8_CARRY (U8_TOO_SHORT | U8_TOO_LONG | U8_TWO_CONTS)

/* The three lookup tables, by the high nibble of the previous byte, its
 * low nibble and the high nibble of this byte (16 entries each; the AVX2
 * pass repeats them in both lanes). */
#define U8_T1                                                                 \
	U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG,                    \
	U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG,                    \
	(char)U8_TWO_CONTS, (char)U8_TWO_CONTS, (char)U8_TWO_CONTS,            \
	(char)U8_TWO_CONTS, U8_TOO_SHORT | U8_OVERLONG_2, U8_TOO_SHORT,        \
	U8_TOO_SHORT | U8_OVERLONG_3 | U8_SURROGATE,                           \
	U8_TOO_SHORT | U8_TOO_LARGE | U8_TOO_LARGE_1000 | U8_OVERLONG_4
#define U8_T2                                                                 \
	(char)(U8_CARRY | U8_OVERLONG_3 | U8_OVERLONG_2 | U8_OVERLONG_4),     \
	(char)(U8_CARRY | U8_OVERLONG_2), (char)U8_CARRY, (char)U8_CARRY,      \
	(char)(U8_CARRY | U8_TOO_LARGE),                                       \
	(char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),                   \
	(char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),                   \
	(char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),                   \
	(char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),                   \
	(char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),                   \
	(char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),                   \
	(char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),                   \
	(char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),                   \
	(char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000 | U8_SURROGATE),    \
	(char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),                   \
	(char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000)
#define U8_T3                                                                 \
	U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT,                \
	U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT,                \
	(char)(U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_OVERLONG_3 |    \
	       U8_TOO_LARGE_1000 | U8_OVERLONG_4),                             \
	(char)(U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_OVERLONG_3 |    \
	       U8_TOO_LARGE),                                                  \
	(char)(U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_SURROGATE |     \
	       U8_TOO_LARGE),                                                  \
	(char)(U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_SURROGATE |     \
	       U8_TOO_LARGE),                                                  \
	U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT

__attribute__((target("ssse3"))) static inline __m128i
u8_nibble_hi(__m128i v)
{
	return _mm_and_si128(_mm_srli_epi16(v, 4), _mm_set1_epi8(0x0F));
}

__attribute__((target("ssse3"))) static bool
utf8_check_ssse3(const unsigned char *u, size_t len, bool *nul)
{
	const __m128i t1 = _mm_setr_epi8(U8_T1);
	const __m128i t2 = _mm_setr_epi8(U8_T2);
	const __m128i t3 = _mm_setr_epi8(U8_T3);
	/* a lead byte in the last three places of a block needs the next
	 * block: these say which ones do */
	const __m128i maxv = _mm_setr_epi8(
		-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		(char)(0xF0 - 1), (char)(0xE0 - 1), (char)(0xC0 - 1));
	__m128i prev = _mm_setzero_si128(), err = _mm_setzero_si128();
	__m128i incomplete = _mm_setzero_si128(), zero = _mm_setzero_si128();
	unsigned char tail[16];
	size_t i = 0;

	for (;;) {
		__m128i in, p1, p2, p3, sc, must;

		if (i >= len)
			break;
		if (len - i >= 16) {
			in = _mm_loadu_si128((const __m128i *)(const void *)
					     (u + i));
			i += 16;
		} else {
			/* the last bytes, padded with spaces (ASCII, and
			 * no NUL to report) */
			memset(tail, ' ', sizeof(tail));
			memcpy(tail, u + i, len - i);
			in = _mm_loadu_si128((const __m128i *)(const void *)
					     tail);
			i = len;
		}
		zero = _mm_or_si128(zero, _mm_cmpeq_epi8(in,
							 _mm_setzero_si128()));
		if (!_mm_movemask_epi8(in)) {
			/* all ASCII: only a sequence left open is wrong */
			err = _mm_or_si128(err, incomplete);
			incomplete = _mm_setzero_si128();
			prev = in;
			continue;
		}
		p1 = _mm_alignr_epi8(in, prev, 15);
		sc = _mm_and_si128(
			_mm_and_si128(_mm_shuffle_epi8(t1, u8_nibble_hi(p1)),
				      _mm_shuffle_epi8(t2, _mm_and_si128(
						p1, _mm_set1_epi8(0x0F)))),
			_mm_shuffle_epi8(t3, u8_nibble_hi(in)));
		p2 = _mm_alignr_epi8(in, prev, 14);
		p3 = _mm_alignr_epi8(in, prev, 13);
		must = _mm_or_si128(
			_mm_subs_epu8(p2, _mm_set1_epi8((char)(0xE0 - 0x80))),
			_mm_subs_epu8(p3, _mm_set1_epi8((char)(0xF0 - 0x80))));
		must = _mm_and_si128(must, _mm_set1_epi8((char)0x80));
		err = _mm_or_si128(err, _mm_xor_si128(must, sc));
		incomplete = _mm_subs_epu8(in, maxv);
		prev = in;
	}
	err = _mm_or_si128(err, incomplete);
	if (_mm_movemask_epi8(zero))
		*nul = true;
	return _mm_movemask_epi8(_mm_cmpeq_epi8(err, _mm_setzero_si128())) ==
	       0xFFFF;
}

/* The three lookups of the previous byte pairs, n places back, across
 * the two 16-byte lanes (AVX2 shifts bytes within a lane only). */
#define U8_PREV(in, prev, n)                                                  \
	_mm256_alignr_epi8((in), _mm256_permute2x128_si256((prev), (in), 0x21), \
			   16 - (n))

__attribute__((target("avx2"))) static inline __m256i
u8_nibble_hi32(__m256i v)
{
	return _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0F));
}

/*
 * utf8_check_ssse3() 32 bytes at a time, for CPUs with AVX2: the same
 * tables in both lanes, the same rules. The whole document goes through
 * one of the two before the XML parser sees it, so this halves a pass
 * over every byte of every feed.
 */
__attribute__((target("avx2"))) static bool
utf8_check_avx2(const unsigned char *u, size_t len, bool *nul)
{
	const __m256i t1 = _mm256_setr_epi8(U8_T1, U8_T1);
	const __m256i t2 = _mm256_setr_epi8(U8_T2, U8_T2);
	const __m256i t3 = _mm256_setr_epi8(U8_T3, U8_T3);
	/* a lead byte in the last three places of a block needs the next
	 * block: these say which ones do */
	const __m256i maxv = _mm256_setr_epi8(
		-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		(char)(0xF0 - 1), (char)(0xE0 - 1), (char)(0xC0 - 1));
	__m256i prev = _mm256_setzero_si256(), err = _mm256_setzero_si256();
	__m256i incomplete = _mm256_setzero_si256();
	__m256i zero = _mm256_setzero_si256();
	unsigned char tail[32];
	size_t i = 0;

	while (i < len) {
		__m256i in, p1, p2, p3, sc, must;

		if (len - i >= 32) {
			in = _mm256_loadu_si256((const __m256i *)(const void *)
						(u + i));
			i += 32;
		} else {
			/* the last bytes, padded with spaces (ASCII, and
			 * no NUL to report) */
			memset(tail, ' ', sizeof(tail));
			memcpy(tail, u + i, len - i);
			in = _mm256_loadu_si256((const __m256i *)(const void *)
						tail);
			i = len;
		}
		zero = _mm256_or_si256(zero, _mm256_cmpeq_epi8(
						     in, _mm256_setzero_si256()));
		if (!_mm256_movemask_epi8(in)) {
			/* all ASCII: only a sequence left open is wrong */
			err = _mm256_or_si256(err, incomplete);
			incomplete = _mm256_setzero_si256();
			prev = in;
			continue;
		}
		p1 = U8_PREV(in, prev, 1);
		sc = _mm256_and_si256(
			_mm256_and_si256(
				_mm256_shuffle_epi8(t1, u8_nibble_hi32(p1)),
				_mm256_shuffle_epi8(t2, _mm256_and_si256(
					p1, _mm256_set1_epi8(0x0F)))),
			_mm256_shuffle_epi8(t3, u8_nibble_hi32(in)));
		p2 = U8_PREV(in, prev, 2);
		p3 = U8_PREV(in, prev, 3);
		must = _mm256_or_si256(
			_mm256_subs_epu8(p2, _mm256_set1_epi8((char)(0xE0 - 0x80))),
			_mm256_subs_epu8(p3, _mm256_set1_epi8((char)(0xF0 - 0x80))));
		must = _mm256_and_si256(must, _mm256_set1_epi8((char)0x80));
		err = _mm256_or_si256(err, _mm256_xor_si256(must, sc));
		incomplete = _mm256_subs_epu8(in, maxv);
		prev = in;
	}
	err = _mm256_or_si256(err, incomplete);
	if (_mm256_movemask_epi8(zero))
		*nul = true;
	return _mm256_testz_si256(err, err) != 0;
}
#undef U8_PREV

static bool utf8_simd;   /* the CPU has SSSE3 */
static bool utf8_simd32; /* and AVX2 */
static pthread_once_t utf8_simd_once = PTHREAD_ONCE_INIT;

static void
utf8_simd_probe(void)
{
	__builtin_cpu_init();
	utf8_simd = __builtin_cpu_supports("ssse3");
	utf8_simd32 = utf8_simd && __builtin_cpu_supports("avx2");
}
#endif

/* utf8_valid() (or, with ascii, no byte >= 0x80): the same rules as
 * utf8_decode() (no overlong forms, no surrogates, nothing past
 * U+10FFFF), with ASCII skipped 16 bytes at a time where SSE2 is and
 * multi-byte sequences checked inline: feeds are mostly ASCII and this
 * runs over every byte of every UTF-8 document. With SSSE3, text above
 * ASCII is checked a block at a time (utf8_check_ssse3()). With nul,
 * *nul says whether the bytes may hold a NUL (false only when checked
 * and none is there), for parse_feed(), which would otherwise look for
 * one in another pass over the document. */
static bool
utf8_check(const char *s, size_t len, bool ascii, bool *nul)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	bool z = false, dummy;
#if defined(__SSE2__)
	__m128i zacc = _mm_setzero_si128();
#else
	z = true; /* not looked for */
#endif

	if (!nul)
		nul = &dummy;

	while (i < len) {
		unsigned c;
		uint32_t cp;

#if defined(__SSE2__)
		while (len - i >= 16) {
			__m128i v = _mm_loadu_si128(
				(const __m128i *)(const void *)(u + i));
			unsigned m = (unsigned)_mm_movemask_epi8(v);

			zacc = _mm_or_si128(zacc, _mm_cmpeq_epi8(
						v, _mm_setzero_si128()));
			if (m) {
				i += (size_t)__builtin_ctz(m);
				break;
			}
			i += 16;
		}
		if (i >= len)
			break;
#else
		if (len - i >= 8) {
			uint64_t w;

			memcpy(&w, u + i, 8);
			if (!(w & 0x8080808080808080ull)) {
				i += 8;
				continue;
			}
		}
#endif
		c = u[i];
		if (c < 0x80) {
			if (!c)
				z = true;
			i++;
			continue;
		}
		if (ascii)
			return false;
#if defined(HAVE_UTF8_SSSE3)
		pthread_once(&utf8_simd_once, utf8_simd_probe);
		if (utf8_simd) { /* from here on, whole blocks */
			if (!(utf8_simd32 ? utf8_check_avx2(u + i, len - i, &z)
					  : utf8_check_ssse3(u + i, len - i, &z)))
				return false;
			i = len;
			break;
		}
#endif
		if (c >= 0xC2 && c <= 0xDF) {
			if (len - i < 2 || (u[i + 1] & 0xC0) != 0x80)
				return false;
			i += 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			if (len - i < 3 || (u[i + 1] & 0xC0) != 0x80 ||
			    (u[i + 2] & 0xC0) != 0x80)
				return false;
			cp = (uint32_t)(c & 0x0F) << 12 |
			     (uint32_t)(u[i + 1] & 0x3F) << 6 |
			     (uint32_t)(u[i + 2] & 0x3F);
			if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))
				return false;
			i += 3;
		} else if (c >= 0xF0 && c <= 0xF4) {
			if (len - i < 4 || (u[i + 1] & 0xC0) != 0x80 ||
			    (u[i + 2] & 0xC0) != 0x80 ||
			    (u[i + 3] & 0xC0) != 0x80)
				return false;
			cp = (uint32_t)(c & 0x07) << 18 |
			     (uint32_t)(u[i + 1] & 0x3F) << 12 |
			     (uint32_t)(u[i + 2] & 0x3F) << 6 |
			     (uint32_t)(u[i + 3] & 0x3F);
			if (cp < 0x10000 || cp > 0x10FFFF)
				return false;
			i += 4;
		} else {
			return false;
		}
	}
#if defined(__SSE2__)
	if (_mm_movemask_epi8(zacc))
		z = true;
#endif
	*nul = z;
	return true;
}

/* Where the last character starts when the bytes end inside it (a lead
 * byte followed by fewer continuation bytes than it announces), else
 * len. */
static size_t
utf8_whole(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t j = len, need;

	while (j > 0 && len - j < 3 && (u[j - 1] & 0xC0) == 0x80)
		j--;
	if (j == 0)
		return len;
	j--;
	need = u[j] >= 0xF0 && u[j] <= 0xF4 ? 4 :
	       u[j] >= 0xE0 && u[j] <= 0xEF ? 3 :
	       u[j] >= 0xC2 && u[j] <= 0xDF ? 2 : 0;
	return need > len - j ? j : len;
}

/* Decode with iconv, strictly; NULL when the bytes do not fit. With
 * borrow set, UTF-8 (or ASCII) input is returned as in itself, not
 * copied, and *borrowed says so; *no_nul then says whether the check
 * found the bytes free of NULs. */
static char *
decode(const char *name, const char *in, size_t len, size_t *outlen,
       bool *borrowed, bool *no_nul)
{
	static const struct {
		const char *py, *iconv;
	} alias[] = {
		{ "u8", "UTF-8" },       { "utf", "UTF-8" },
		{ "utf8", "UTF-8" },     { "utf_8", "UTF-8" },
		{ "u16", "UTF-16" },     { "utf16", "UTF-16" },
		{ "utf_16", "UTF-16" },  { "u32", "UTF-32" },
		{ "utf32", "UTF-32" },   { "utf_32", "UTF-32" },
		{ "latin1", "ISO-8859-1" }, { "latin-1", "ISO-8859-1" },
		{ "l1", "ISO-8859-1" },  { "ascii", "US-ASCII" },
		{ "cp037", "IBM037" },   { "gb2312", "GB18030" },
		{ "x-sjis", "SHIFT_JIS" }, { "sjis", "SHIFT_JIS" },
	};
	char cname[64];
	const char *use = name;
	iconv_t cd;
	char *out, *ip, *op;
	size_t cap, il, ol, i;
	bool ascii = false, nul = true;

	for (i = 0; i < ARRAY_SIZE(alias); i++)
		if (lower_eq(name, alias[i].py))
			use = alias[i].iconv;
	if (lower_eq(use, "us-ascii") || lower_eq(use, "ascii"))
		ascii = true;
	if (lower_eq(use, "utf-8") || ascii) {
		/* the common case: validate in place, no iconv */
		if (!utf8_check(in, len, ascii, &nul)) {
			/* a UTF-8 document cut inside its last character
			 * is still UTF-8: leave that character out */
			size_t keep = ascii ? len : utf8_whole(in, len);

			if (keep == len || !utf8_check(in, keep, false, &nul))
				return NULL;
			len = keep;
		}
		if (borrowed) {
			*borrowed = true;
			*no_nul = !nul;
			*outlen = len;
			return (char *)(uintptr_t)in;
		}
		out = xmalloc(len + 1);
		memcpy(out, in, len);
		out[len] = '\0';
		*outlen = len;
		return out;
	}
	cd = iconv_open("UTF-8", use);
	if (cd == (iconv_t)-1) {
		/* Python spells some names with '_' where iconv wants '-' */
		lower_copy(cname, sizeof(cname), use, strlen(use));
		for (i = 0; cname[i]; i++)
			if (cname[i] == '_')
				cname[i] = '-';
		cd = iconv_open("UTF-8", cname);
		if (cd == (iconv_t)-1)
			return NULL;
	}
	cap = len * 2 + 16;
	out = xmalloc(cap + 1);
	ip = (char *)(uintptr_t)in;
	il = len;
	op = out;
	ol = cap;
	while (il > 0) {
		if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1)
			break;
		if (errno == E2BIG) {
			size_t used = (size_t)(op - out);

			cap = cap * 2;
			out = xrealloc(out, cap + 1);
			op = out + used;
			ol = cap - used;
			continue;
		}
		iconv_close(cd);
		free(out);
		return NULL;
	}
	iconv_close(cd);
	*op = '\0';
	*outlen = (size_t)(op - out);
	if (!utf8_valid(out, *outlen)) {
		free(out);
		return NULL;
	}
	return out;
}

/* Take "charset=..." out of a Content-Type; mime and cs lower-cased. */
static void
content_type_split(const char *ct, char *mime, size_t nmime, char *cs,
		   size_t ncs)
{
	const char *p = ct, *semi;

	*mime = *cs = '\0';
	if (!ct)
		return;
	semi = strchr(p, ';');
	{
		size_t n = semi ? (size_t)(semi - p) : strlen(p);

		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		lower_copy(mime, nmime, p, n);
	}
	while (semi) {
		const char *k = semi + 1, *eq, *end;
		size_t kn;

		semi = strchr(k, ';');
		end = semi ? semi : k + strlen(k);
		eq = memchr(k, '=', (size_t)(end - k));
		if (!eq)
			continue;
		while (k < eq && (*k == ' ' || *k == '\t'))
			k++;
		kn = (size_t)(eq - k);
		while (kn && (k[kn - 1] == ' ' || k[kn - 1] == '\t'))
			kn--;
		if (kn == 7 && strncasecmp(k, "charset", 7) == 0) {
			const char *v = eq + 1;
			size_t vn = (size_t)(end - v);

			while (vn && (*v == ' ' || *v == '\t' || *v == '"' ||
				      *v == '\'')) {
				v++;
				vn--;
			}
			while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t' ||
				      v[vn - 1] == '"' || v[vn - 1] == '\''))
				vn--;
			lower_copy(cs, ncs, v, vn);
		}
	}
}

/* The encoding="..." of an XML declaration at the very start. */
static void
xml_decl_encoding(const char *s, size_t len, char *out, size_t n)
{
	size_t end, i;
	const char *e;

	*out = '\0';
	if (len < 5 || memcmp(s, "<?", 2) != 0)
		return;
	for (end = 0; end < len && s[end] != '\n' && s[end] != '\r'; end++)
		;
	/* the declaration must close on this line */
	for (i = end; i > 1; i--)
		if (s[i - 1] == '>' && s[i - 2] == '?')
			break;
	if (i <= 1)
		return;
	end = i;
	for (e = s; e + 9 < s + end; e++) {
		if (memcmp(e, "encoding=", 9) == 0 &&
		    (e[9] == '"' || e[9] == '\'')) {
			const char *v = e + 10, *q = v;

			while (q < s + end && *q != '"' && *q != '\'')
				q++;
			if (q < s + end)
				lower_copy(out, n, v, (size_t)(q - v));
			return;
		}
	}
}

static bool
in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* Whether the n bytes at s are <?xml version="1.0" encoding="utf-8"?>
 * (either quote, any case of utf-8): the parser ignores the encoding
 * (XML_PARSE_IGNORE_ENC), so rewriting that one changes nothing. */
static bool
plain_decl(const char *s, size_t n)
{
	static const char a[] = "<?xml version=", b[] = " encoding=";
	char q;

	if (n != sizeof(a) - 1 + 5 + sizeof(b) - 1 + 7 + 2 ||
	    memcmp(s, a, sizeof(a) - 1) != 0)
		return false;
	s += sizeof(a) - 1;
	q = s[0];
	if ((q != '"' && q != '\'') || memcmp(s + 1, "1.0", 3) != 0 ||
	    s[4] != q)
		return false;
	s += 5;
	if (memcmp(s, b, sizeof(b) - 1) != 0)
		return false;
	s += sizeof(b) - 1;
	q = s[0];
	if ((q != '"' && q != '\'') || strncasecmp(s + 1, "utf-8", 5) != 0 ||
	    s[6] != q)
		return false;
	return s[7] == '?' && s[8] == '>';
}

/* Replace a leading XML declaration with one that says utf-8. */
static void
rewrite_decl(struct enc_result *r)
{
	static const char decl[] = "<?xml version='1.0' encoding='utf-8'?>";
	char *end;
	size_t n;

	if (r->len < 5 || strncmp(r->utf8, "<?xml", 5) != 0)
		return;
	end = memchr(r->utf8, '>', r->len);
	if (!end)
		return;
	n = (size_t)(end - r->utf8) + 1;
	if (r->borrowed) {
		if (plain_decl(r->utf8, n))
			return;
		enc_result_own(r);
	}
	if (n >= sizeof(decl) - 1) {
		memcpy(r->utf8, decl, sizeof(decl) - 1);
		memset(r->utf8 + sizeof(decl) - 1, ' ', n - (sizeof(decl) - 1));
	} else {
		char *t = xmalloc(r->len - n + sizeof(decl));

		memcpy(t, decl, sizeof(decl) - 1);
		memcpy(t + sizeof(decl) - 1, r->utf8 + n, r->len - n + 1);
		free(r->utf8);
		r->utf8 = t;
		r->len = r->len - n + sizeof(decl) - 1;
	}
}

/* How much of a document uchardet sees: 64 KiB from just before its
 * first non-ASCII byte (a long ASCII head says nothing about the
 * encoding). Detection then costs the same for a 100 KB and a 100 MB
 * feed; the whole document is still decoded, strictly, afterwards. */
#define DETECT_PREFIX (64 * 1024)
#define DETECT_CONTEXT 1024

/* uchardet's name for a family → the names to try, in order, spelled as
 * feedparser reports chardet's verdicts: the strict charset first, then
 * its usual vendor superset (Korean feeds are often CP949, Japanese
 * ones CP932). ISO-8859-1 is read as windows-1252 first, as browsers
 * do, since C1 controls in a feed are never meant. */
static const struct {
	const char *uc, *names[3];
} families[] = {
	{ "UHC", { "EUC-KR", "CP949", NULL } },
	{ "EUC-KR", { "EUC-KR", "CP949", NULL } },
	/* EUC-CN: GB2312 itself (decode() reads "gb2312" as gb18030) */
	{ "GB18030", { "EUC-CN", "GBK", "GB18030" } },
	{ "SHIFT_JIS", { "SHIFT_JIS", "CP932", NULL } },
	{ "BIG5", { "Big5", "Big5-HKSCS", NULL } },
	{ "ISO-8859-1", { "windows-1252", "ISO-8859-1", NULL } },
	{ "MAC-CYRILLIC", { "MacCyrillic", NULL, NULL } },
};

/* Latin code pages a detector tells from windows-1252 only by which
 * accented letters occur: on a handful of bytes above ASCII (one "ñ" in
 * an English feed) its guess is noise (ISO-8859-10 reads it as "ņ"), so
 * below DETECT_LATIN_MIN such bytes windows-1252 stays, as before
 * detection. Cyrillic, Greek, Hebrew, Thai and the CJK encodings are
 * told apart by more than that and are taken as detected. */
#define DETECT_LATIN_MIN 16
static const char *const latin_pages[] = {
	"ISO-8859-2", "ISO-8859-3", "ISO-8859-4", "ISO-8859-9",
	"ISO-8859-10", "ISO-8859-13", "ISO-8859-15", "ISO-8859-16",
	"WINDOWS-1250", "WINDOWS-1254", "WINDOWS-1257", "WINDOWS-1258",
	"MAC-CENTRALEUROPE", "IBM852", "VISCII",
};

/* uchardet's guesses for bytes that are not UTF-8, up to n names in
 * out[] (pointers into families[] or into buf); 0 when it has none a
 * feed can use (nothing above ASCII, UTF-8/16/32 guesses: a BOM or the
 * UTF-8 candidate has had its chance already). */
static size_t
detect(const char *s, size_t len, const char **out, size_t n, char *buf,
       size_t nbuf)
{
	const unsigned char *u = (const unsigned char *)s;
	uchardet_t ud;
	const char *cs;
	size_t start = 0, k, i;

	while (start < len && u[start] < 0x80)
		start++;
	if (start == len || n == 0)
		return 0;
	start = start > DETECT_CONTEXT ? start - DETECT_CONTEXT : 0;
	ud = tab()->uchardet_new();
	if (!ud)
		return 0;
	k = len - start < DETECT_PREFIX ? len - start : DETECT_PREFIX;
	if (tab()->uchardet_handle_data(ud, s + start, k) != 0) {
		tab()->uchardet_delete(ud);
		return 0;
	}
	tab()->uchardet_data_end(ud);
	cs = tab()->uchardet_get_charset(ud);
	snprintf(buf, nbuf, "%s", cs ? cs : "");
	tab()->uchardet_delete(ud);
	if (!*buf || lower_eq(buf, "ascii") || str_starts(buf, "UTF-") ||
	    str_starts(buf, "X-ISO-10646"))
		return 0;
	if (in_list(buf, latin_pages, ARRAY_SIZE(latin_pages))) {
		size_t high = 0;

		for (i = start; i < start + k; i++)
			high += u[i] >= 0x80;
		if (high < DETECT_LATIN_MIN)
			snprintf(buf, nbuf, "ISO-8859-1");
	}
	for (i = 0; i < ARRAY_SIZE(families); i++) {
		if (strcmp(buf, families[i].uc) == 0) {
			for (k = 0; k < 3 && k < n && families[i].names[k];
			     k++)
				out[k] = families[i].names[k];
			return k;
		}
	}
	/* WINDOWS-1251 → windows-1251, as chardet spells it */
	if (str_starts(buf, "WINDOWS-"))
		lower_copy(buf, nbuf, buf, strlen(buf));
	out[0] = buf;
	return 1;
}

void
enc_to_utf8(const char *bytes, size_t len, const char *content_type,
	    bool http, struct enc_result *r)
{
	static const char *const app_types[] = {
		"application/xml", "application/xml-dtd",
		"application/xml-external-parsed-entity",
	};
	static const char *const text_types[] = {
		"text/xml", "text/xml-external-parsed-entity",
	};
	static const char *const json_types[] = {
		"application/feed+json", "application/json",
	};
	static const char *const unicode_names[] = {
		"u16", "utf-16", "utf16", "utf_16", "u32", "utf-32",
		"utf32", "utf_32", "iso-10646-ucs-2", "iso-10646-ucs-4",
		"csucs4", "csunicode", "ucs-2", "ucs-4",
	};
	const unsigned char *u = (const unsigned char *)bytes;
	const char *bom = "", *data = bytes;
	char xmlenc[64], mime[128], httpenc[64], rfc[64];
	char detbuf[64];
	const char *cands[12];
	size_t dlen = len, i, ncand = 0, ndecl;
	bool acceptable = false, undeclared;

	memset(r, 0, sizeof(*r));
	if (len >= 4 && memcmp(u, "\x00\x00\xfe\xff", 4) == 0) {
		bom = "utf-32be", data += 4, dlen -= 4;
	} else if (len >= 4 && memcmp(u, "\xff\xfe\x00\x00", 4) == 0) {
		bom = "utf-32le", data += 4, dlen -= 4;
	} else if (len >= 2 && u[0] == 0xfe && u[1] == 0xff &&
		   !(len >= 4 && u[2] == 0 && u[3] == 0)) {
		bom = "utf-16be", data += 2, dlen -= 2;
	} else if (len >= 2 && u[0] == 0xff && u[1] == 0xfe &&
		   !(len >= 4 && u[2] == 0 && u[3] == 0)) {
		bom = "utf-16le", data += 2, dlen -= 2;
	} else if (len >= 3 && memcmp(u, "\xef\xbb\xbf", 3) == 0) {
		bom = "utf-8", data += 3, dlen -= 3;
	} else if (len >= 4 && memcmp(u, "\x4c\x6f\xa7\x94", 4) == 0) {
		bom = "cp037";
	} else if (len >= 4 && memcmp(u, "\x00\x3c\x00\x3f", 4) == 0) {
		bom = "utf-16be";
	} else if (len >= 4 && memcmp(u, "\x3c\x00\x3f\x00", 4) == 0) {
		bom = "utf-16le";
	} else if (len >= 4 && memcmp(u, "\x00\x00\x00\x3c", 4) == 0) {
		bom = "utf-32be";
	} else if (len >= 4 && memcmp(u, "\x3c\x00\x00\x00", 4) == 0) {
		bom = "utf-32le";
	}

	xmlenc[0] = '\0';
	if (*bom) {
		size_t n = dlen < 1024 ? dlen : 1024, tl;
		char *t;

		/* cut on a code unit boundary */
		n -= n % 4;
		t = decode(bom, data, n, &tl, NULL, NULL);
		if (t) {
			xml_decl_encoding(t, tl, xmlenc, sizeof(xmlenc));
			free(t);
		}
		if (in_list(xmlenc, unicode_names, ARRAY_SIZE(unicode_names)))
			snprintf(xmlenc, sizeof(xmlenc), "%s", bom);
	} else {
		xml_decl_encoding(data, dlen, xmlenc, sizeof(xmlenc));
	}

	content_type_split(content_type, mime, sizeof(mime), httpenc,
			   sizeof(httpenc));
	if (in_list(mime, app_types, ARRAY_SIZE(app_types)) ||
	    (str_starts(mime, "application/") && str_ends(mime, "+xml"))) {
		acceptable = true;
		snprintf(rfc, sizeof(rfc), "%s",
			 *httpenc ? httpenc : *xmlenc ? xmlenc : "utf-8");
	} else if (in_list(mime, text_types, ARRAY_SIZE(text_types)) ||
		   (str_starts(mime, "text/") && str_ends(mime, "+xml"))) {
		acceptable = true;
		snprintf(rfc, sizeof(rfc), "%s", *httpenc ? httpenc : "us-ascii");
	} else if (in_list(mime, json_types, ARRAY_SIZE(json_types))) {
		acceptable = true;
		r->json = true;
		snprintf(rfc, sizeof(rfc), "%s", *httpenc ? httpenc : "utf-8");
	} else if (str_starts(mime, "text/")) {
		snprintf(rfc, sizeof(rfc), "%s", *httpenc ? httpenc : "us-ascii");
	} else if (http && !*mime) {
		snprintf(rfc, sizeof(rfc), "%s", *xmlenc ? xmlenc : "iso-8859-1");
	} else {
		snprintf(rfc, sizeof(rfc), "%s", *xmlenc ? xmlenc : "utf-8");
	}
	if (strcmp(rfc, "gb2312") == 0)
		snprintf(rfc, sizeof(rfc), "gb18030");
	if (strcmp(xmlenc, "gb2312") == 0)
		snprintf(xmlenc, sizeof(xmlenc), "gb18030");
	if (http && !acceptable) {
		r->bozo = true;
		r->bozo_reason = "not an XML media type";
	}

	/* Nothing declared, over HTTP without a Content-Type: the default
	 * iso-8859-1 never fails, so UTF-8 and detection go first for bytes
	 * above ASCII (ASCII reads the same either way). */
	undeclared = !*bom && !*xmlenc && !*httpenc && http && !*mime &&
		     !utf8_check(data, dlen, true, NULL);
	if (undeclared) {
		cands[ncand++] = "utf-8";
		ncand += detect(data, dlen, cands + ncand, 3, detbuf,
				sizeof(detbuf));
	}
	/* a byte order mark is the strongest statement a document makes */
	if (data != bytes)
		cands[ncand++] = bom;
	cands[ncand++] = rfc;
	if (*xmlenc)
		cands[ncand++] = xmlenc;
	if (*bom)
		cands[ncand++] = bom;
	cands[ncand++] = "utf-8";
	ndecl = ncand;
	for (i = 0; i < ncand; i++) {
		size_t k;
		bool tried = false;

		for (k = 0; k < i; k++)
			if (strcmp(cands[k], cands[i]) == 0)
				tried = true;
		if (!tried) {
			r->utf8 = decode(cands[i], data, dlen, &r->len,
					 r->json ? NULL : &r->borrowed,
					 &r->no_nul);
			if (r->utf8)
				break;
		}
		if (i + 1 == ndecl) {
			/* what the document says does not fit its bytes */
			if (!undeclared)
				ncand += detect(data, dlen, cands + ncand, 3,
						detbuf, sizeof(detbuf));
			cands[ncand++] = "windows-1252";
			cands[ncand++] = "iso-8859-2";
		}
	}
	if (!r->utf8) {
		/* nothing fit: keep going with replacement characters */
		r->utf8 = feed_strndup(data, dlen, SIZE_MAX);
		r->len = strlen(r->utf8);
		r->bozo = true;
		r->bozo_reason = "document encoding unknown";
		snprintf(r->encoding, sizeof(r->encoding), "%s", rfc);
	} else {
		/* bozo as feedparser has it: read as other than the media
		 * type's rules (RFC 3023) say */
		if (strcmp(cands[i], rfc) != 0 && !(undeclared && i == 0)) {
			r->bozo = true;
			r->bozo_reason = "document declared as one encoding "
					 "but parsed as another";
			if (!*bom && !*xmlenc && !*httpenc &&
			    strcmp(cands[i], "utf-8") != 0)
				r->bozo_reason = "no encoding declared and not "
						 "UTF-8";
		}
		snprintf(r->encoding, sizeof(r->encoding), "%s",
			 strcmp(cands[i], "EUC-CN") == 0 ? "GB2312" : cands[i]);
	}
	if (!r->json)
		rewrite_decl(r);
}

void
enc_result_own(struct enc_result *r)
{
	char *t;

	if (!r->borrowed)
		return;
	t = xmalloc(r->len + 1);
	memcpy(t, r->utf8, r->len);
	t[r->len] = '\0';
	r->utf8 = t;
	r->borrowed = false;
}

void
enc_result_release(struct enc_result *r)
{
	if (!r->borrowed)
		free(r->utf8);
	r->borrowed = false;
	r->utf8 = NULL;
	r->len = 0;
}

