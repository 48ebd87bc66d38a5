/*
 * base: allocation that never fails, growable strings with a cap, error
 * values that carry a message, logging to a file, and the die hook.
 * Everything else in glean is built on these; nothing here knows about
 * feeds, the store or the terminal.
 */
#ifndef GLEAN_BASE_H
#define GLEAN_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))
#else
#define PRINTF_LIKE(f, a)
#define NORETURN
#endif

/* ---- allocation: these never return NULL; they die on OOM ---- */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
char *xvasprintf(const char *fmt, va_list ap) PRINTF_LIKE(1, 0);

/* Grow an array *v of *cap elements of size sz so that it holds at least n. */
void xgrow(void **v, size_t *cap, size_t n, size_t sz);
#define XGROW(v, cap, n) xgrow((void **)&(v), &(cap), (n), sizeof(*(v)))

/*
 * die() prints "glean: fatal: msg" after running the cleanup hook (the
 * reader registers endwin()) and exits 1. Only for OOM and broken
 * invariants; everything else returns an error.
 */
void die(const char *fmt, ...) PRINTF_LIKE(1, 2) NORETURN;
#define BUG(...) die("BUG: " __VA_ARGS__)
void die_set_hook(void (*hook)(void));

/* ---- errors ---- */
enum err_code {
	ERR_OK = 0,
	ERR_IO,
	ERR_NET,
	ERR_HTTP,
	ERR_PARSE,
	ERR_DB,
	ERR_AUTH,
	ERR_LIMIT,
	ERR_NOTFOUND,
	ERR_CONFIG,
	ERR_USAGE,
	ERR_BUSY,
};

struct err {
	enum err_code code;
	char msg[1024];
};

/* Fill e (may be NULL) and return -1, so callers write `return err_set(..)`. */
int err_set(struct err *e, enum err_code code, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
/* Prefix the existing message with "what: ". Returns -1. */
int err_prefix(struct err *e, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* strerror(errnum), but "the disk is full" for ENOSPC and EDQUOT: the
 * words every message about a failed write uses. */
const char *err_str(int errnum);
void err_clear(struct err *e);

/* ---- sbuf: growable NUL-terminated string with an optional cap ----
 *
 * A capped buffer's overflow is sticky (as curl's dynbuf): the first append
 * that would pass max is refused, sets `over`, and every later append is
 * refused too, so the contents are always a clean prefix, never a string
 * with a hole in it. Callers need not check each append: they check once,
 * where the buffer is finished, with sbuf_finish() (or sbuf_over() where a
 * cut is the intended result). An uncapped buffer never overflows.
 */
struct sbuf {
	char *buf;   /* never NULL, always NUL-terminated */
	size_t len;
	size_t cap;
	size_t max;  /* 0 = no cap; appends past it fail with ERR_LIMIT */
	bool over;   /* an append was refused by max (sticky until reset) */
};

#define SBUF_INIT { sbuf_empty, 0, 0, 0, false }
extern char sbuf_empty[];

void sbuf_init(struct sbuf *sb, size_t max);
/* Append; return 0, or -1 when the cap would be exceeded or was exceeded
 * before (contents intact, sb->over set). */
int sbuf_add(struct sbuf *sb, const void *p, size_t n);
int sbuf_adds(struct sbuf *sb, const char *s);
int sbuf_addch(struct sbuf *sb, int c);
int sbuf_addf(struct sbuf *sb, const char *fmt, ...) PRINTF_LIKE(2, 3);
int sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);
/* Append what fits under the cap, cut at a UTF-8 character boundary; when
 * something was cut, set over and return -1 (a field kept to its cap). */
int sbuf_add_cut(struct sbuf *sb, const void *p, size_t n);
/* True when an append was refused since the last reset/release. */
static inline bool sbuf_over(const struct sbuf *sb) { return sb->over; }
/* The one check where a capped buffer is finished: 0, or -1 with ERR_LIMIT
 * "WHAT is longer than MAX bytes" when an append was refused. */
int sbuf_finish(const struct sbuf *sb, struct err *e, const char *what);
/* Reset and truncate clear the overflow (the caller chose the contents:
 * a line editor deleting back under its cap); trim keeps it. */
void sbuf_reset(struct sbuf *sb);
void sbuf_truncate(struct sbuf *sb, size_t len);
void sbuf_release(struct sbuf *sb);
/* Append all of fp (or fd) up to the cap: 0, or -1 on a read error (errno
 * set) or when the cap cut it (sb->over set, errno 0). */
int sbuf_read_fp(struct sbuf *sb, FILE *fp);
int sbuf_read_fd(struct sbuf *sb, int fd);
/* Take the buffer out (caller frees); sb is re-initialised, max kept. */
char *sbuf_detach(struct sbuf *sb, size_t *len);
void sbuf_trim(struct sbuf *sb);

/* ---- small string helpers ---- */
bool str_starts(const char *s, const char *prefix);
bool str_istarts(const char *s, const char *prefix);
bool str_ends(const char *s, const char *suffix);
/* Parse a whole decimal integer; 0 on success, -1 on junk or overflow. */
int str_to_i64(const char *s, int64_t *out);
/* Strip leading/trailing ASCII whitespace in place, return s. */
char *str_trim(char *s);

/* ---- hashing (not cryptographic: change detection, dedupe) ---- */
/* 64-bit hash of n bytes, continuing from seed (use 0 to start). */
uint64_t hash64(const void *p, size_t n, uint64_t seed);

/* ---- logging: to a file only, off by default ---- */
enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };
/* path NULL: off. level: highest level written. */
void log_open(const char *path, enum log_level level);
void log_close(void);
void log_msg(enum log_level lvl, const char *func, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
#define log_error(...) log_msg(LOG_ERROR, __func__, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __func__, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __func__, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __func__, __VA_ARGS__)

/* ---- time ---- */
int64_t time_now(void);      /* seconds since the epoch, UTC */
int64_t time_now_ms(void);   /* monotonic milliseconds */
int64_t time_now_ns(void);   /* monotonic nanoseconds */
/* Format t as YYYY-MM-DDTHH:MM:SSZ into buf (at least 21 bytes). */
char *time_fmt_iso(int64_t t, char *buf, size_t n);
/* Days-from-civil: UTC calendar time → epoch seconds, no libc time zone. */
int64_t time_from_utc(int year, int mon, int day, int h, int m, int s);
/* Parse durations like "7d", "12h", "30m", "45s", "2w"; -1 on junk. */
int64_t time_parse_duration(const char *s);

/* ---- text sanitizer (SECURITY.md "Terminal output") ----
 * Drop C0 (except \t \n), DEL, C1, bidi controls, Unicode noncharacters
 * (U+FDD0..U+FDEF, U+xFFFE and U+xFFFF in every plane) and anything else
 * that is not an XML 1.0 Char; invalid UTF-8 → U+FFFD. What comes out can
 * go into any XML, HTML or JSON document.
 * With single_line, \t and \n become spaces too. Returns a new string. */
char *text_sanitize(const char *s, size_t len, bool single_line);
/* text_sanitize of a string (NULL gives ""), trimmed at both ends: a
 * field ready for a digest, a note file or an annotation. */
char *text_clean(const char *s, bool single_line);
/* Append the sanitized form of s to sb. */
int text_sanitize_to(struct sbuf *sb, const char *s, size_t len,
		     bool single_line);
/* Decode one UTF-8 sequence at s (len bytes left); returns its length, or
 * 0 if invalid (then *cp is U+FFFD). */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);
int utf8_encode(uint32_t cp, char out[4]);
/* XML 1.0 Char: #x9 #xA #xD [#x20-#xD7FF] [#xE000-#xFFFD] [#x10000-]. */
bool xml_char(uint32_t cp);
/* U+FDD0..U+FDEF, or U+xFFFE / U+xFFFF in any plane. */
bool unicode_nonchar(uint32_t cp);
bool utf8_valid(const char *s, size_t len);

/* ---- escaping for HTML and XML (the one escaper family) ----
 * Append s (n bytes) to sb with & < > always escaped, plus what flags
 * add: ESC_QUOT '"' as &quot;, ESC_APOS_HTML '\'' as &#39;, ESC_APOS_XML
 * '\'' as &apos;, ESC_NOCTRL drops what XML 1.0 cannot hold or HTML
 * calls a parse error (C0 controls but \t \n \r, DEL, C1, Unicode
 * noncharacters) and turns bytes that are not UTF-8 into U+FFFD, so the
 * output is well-formed whatever the input; ESC_BR turns '\n' into "<br>". The named variants are
 * what the callers use. Returns sbuf_add()'s result (-1 at the cap). */
enum {
	ESC_QUOT = 1 << 0,
	ESC_APOS_HTML = 1 << 1,
	ESC_APOS_XML = 1 << 2,
	ESC_NOCTRL = 1 << 3,
	ESC_BR = 1 << 4,
};
int text_escape(struct sbuf *sb, const char *s, size_t n, unsigned flags);
/* Element text: & < >. */
int text_escape_text(struct sbuf *sb, const char *s, size_t n);
/* HTML text or attribute value: & < > " ' (as &#39;), no controls. */
int text_escape_html(struct sbuf *sb, const char *s, size_t n);
/* XML attribute value or text: & < > " ' (as &apos;), no controls. */
int text_escape_xml(struct sbuf *sb, const char *s, size_t n);

/* ---- base64 and random bytes (libcrypto's, not hand-written) ---- */
/* Append the base64 (RFC 4648, padded) of n bytes at p. */
void base64_encode(struct sbuf *sb, const void *p, size_t n);
/* Decode base64 text s, skipping whitespace and stopping at the first
 * '=' (missing padding is fine); append the bytes to sb. -1 on a
 * character outside the alphabet (sb then holds what came before). */
int base64_decode(struct sbuf *sb, const char *s);
/* A new string of 2 * nbytes (at most 64) random lower-case hex digits,
 * from RAND_bytes; dies if there is no randomness. */
char *random_hex(size_t nbytes);

/* ---- libraries loaded when first called (src/base/lazy.c) ---- */

/* A library loaded on first use: the soname it was linked against, the
 * Debian package to install when it is missing, and a table of n
 * function pointers (page-aligned, size bytes, a whole number of pages)
 * filled with names[k]'s address, once, then made read-only. Dies
 * naming the package when the library or a symbol cannot be found. */
void lazy_load(const char *soname, const char *pkg,
	       const char *const *names, size_t n, void *table, size_t size);

/* The pieces a loader (curl_load.c, xml_load.c, ...) builds from one
 * list of its library's functions, LIST(F, V): F(ret, name, params,
 * args) for a function returning a value, V(name, params, args) for a
 * void one. LAZY_FIELD/LAZY_VFIELD: the table's members; LAZY_NAME/
 * LAZY_VNAME: the names to look up; LAZY_FWD/LAZY_VFWD: definitions
 * of the library's functions that call through tab(). */
#define LAZY_FIELD(ret, name, params, args) ret (*name) params;
#define LAZY_VFIELD(name, params, args) void (*name) params;
#define LAZY_NAME(ret, name, params, args) #name,
#define LAZY_VNAME(name, params, args) #name,
#define LAZY_FWD(ret, name, params, args) \
	ret name params { return tab()->name args; }
#define LAZY_VFWD(name, params, args) \
	void name params { tab()->name args; }
/* The table of LIST's functions, alone on its page(s): struct NAME_fns
 * and NAME_tab(), which loads the library the first time. */
#define LAZY_TABLE(NAME, LIST, soname, pkg) \
	struct NAME##_fns { LIST(LAZY_FIELD, LAZY_VFIELD) }; \
	static union { \
		struct NAME##_fns f; \
		char pad[(sizeof(struct NAME##_fns) + 4095) / 4096 * 4096]; \
	} NAME##_table __attribute__((aligned(4096))); \
	static pthread_once_t NAME##_once = PTHREAD_ONCE_INIT; \
	static void NAME##_load(void) \
	{ \
		static const char *const names[] = { \
			LIST(LAZY_NAME, LAZY_VNAME) \
		}; \
		lazy_load(soname, pkg, names, \
			  sizeof(names) / sizeof(names[0]), &NAME##_table, \
			  sizeof(NAME##_table)); \
	} \
	static const struct NAME##_fns *tab(void) \
	{ \
		pthread_once(&NAME##_once, NAME##_load); \
		return &NAME##_table.f; \
	}

/* ---- interfaces between modules that must not include each other ---- */

/* A regex matcher: parse provides one (pcre2, rx_store_ops()), the store
 * calls it for the query language's /re/ terms (store_set_regex()).
 * match returns 1 match, 0 no match, -1 error. It lives here because
 * neither may depend on the other. */
struct regex_ops {
	void *(*compile)(const char *pattern, bool icase, struct err *e);
	int (*match)(void *re, const char *subject, size_t len);
	void (*free)(void *re);
};

#endif
