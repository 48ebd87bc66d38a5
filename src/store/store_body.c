/*
 * Item bodies at rest (schema 15): item.content holds a body either as
 * TEXT, the body itself (rows written before schema 15, and bodies too
 * short to gain), or as a BLOB holding one zstd frame of it. SQLite's
 * storage class is the tag; no row needs rewriting. The only file that
 * calls libzstd (tests/check-layers).
 *
 * Why zstd: the bodies, HTML, are four fifths of the store; zstd level
 * -1 packs those of the 1,000-feed bench corpus (real words in random
 * order, 145 MB) to 81% for 0.74 CPU-s, 13 us a body, and unpacks them
 * all in 0.11 s. Less is written to the WAL and then to the store.
 *
 * Reading is bounded (SECURITY.md): a frame must declare its size, the
 * size must be at most STORE_BODY_MAX (glean writes no larger frame: a
 * longer body stays TEXT), and the frame must take the whole value and
 * decompress to exactly that size. Anything else is damage: the body
 * reads as empty, and 'glean check' lists the row.
 */
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "private.h"
#include "glean/banned.h"

/* Measured on that corpus, body by body (59,172 bodies, 144.6 MB):
 *   level  3: 58.4%, pack 1.50 s, unpack 0.37 s
 *   level  1: 58.5%, pack 1.06 s, unpack 0.36 s
 *   level -1: 80.8%, pack 0.74 s, unpack 0.11 s
 *   level -3: 89.6%, pack 0.47 s, unpack 0.09 s
 * Every body is packed once by the fetch and unpacked at least once
 * more, by the search indexer, which is what a cold fetch waits for.
 * Level -1 took the cold fetch of those 1,000 feeds from 9.5 to 8.9
 * CPU-s (6.6 to 6.3 s wall) for 32 MB more disk: store and index 159
 * MB against newsboat's 187 MB (level 1: 127 MB). A dictionary trained
 * on the first 3,000 bodies (64 KiB, 0.55 s to train) packs level 1 to
 * 45.5% at the same speed: not done. */
#define BODY_LEVEL -1
/* Below this a frame's header and a short body's lack of repetition
 * leave little to gain. */
#define BODY_PACK_MIN 256
/* A buffer grown past this for a long body is let go at the next short
 * one rather than kept. */
#define BODY_KEEP_MAX ((size_t)1 << 20)

struct store_body {
	ZSTD_CCtx *c;
	ZSTD_DCtx *d;
	char *buf;      /* the last frame packed, or the last body unpacked
			 * by store_body_text() */
	size_t cap;
};

struct store_body *
store_body_new(void)
{
	return xcalloc(1, sizeof(struct store_body));
}

void
store_body_free(struct store_body *b)
{
	if (!b)
		return;
	ZSTD_freeCCtx(b->c);
	ZSTD_freeDCtx(b->d);
	free(b->buf);
	free(b);
}

static char *
body_buf(struct store_body *b, size_t need)
{
	if (b->cap < need || (b->cap > BODY_KEEP_MAX && need <= BODY_KEEP_MAX)) {
		free(b->buf);
		b->buf = xmalloc(need);
		b->cap = need;
	}
	return b->buf;
}

/* The body as a zstd frame in b's buffer (valid until b's next use),
 * *zlen its size; NULL when it is to be stored as TEXT (short, over
 * STORE_BODY_MAX, or no smaller packed). */
static const void *
store_body_pack(struct store_body *b, const char *body, size_t len,
		size_t *zlen)
{
	size_t n;
	char *dst;

	if (len < BODY_PACK_MIN || len > STORE_BODY_MAX)
		return NULL;
	if (!b->c && !(b->c = ZSTD_createCCtx()))
		return NULL;
	/* room for one byte less than the body: a frame that does not fit
	 * would not gain, and zstd stops at once */
	dst = body_buf(b, len - 1);
	n = ZSTD_compressCCtx(b->c, dst, len - 1, body, len, BODY_LEVEL);
	if (ZSTD_isError(n))
		return NULL;
	*zlen = n;
	return dst;
}

/* Unpack the frame z into b's buffer (reuse) or a new one the caller
 * frees, NUL-terminated: *out, *len. -1 with *why saying what is wrong;
 * nothing larger than STORE_BODY_MAX is ever allocated. */
static int
body_unpack(struct store_body *b, const void *z, size_t zlen, char **out,
	    size_t *len, bool reuse, const char **why)
{
	unsigned long long size = ZSTD_getFrameContentSize(z, zlen);
	size_t n;
	char *dst;

	if (size == ZSTD_CONTENTSIZE_ERROR) {
		*why = "not a zstd frame";
		return -1;
	}
	if (size == ZSTD_CONTENTSIZE_UNKNOWN) {
		*why = "the frame does not declare its size";
		return -1;
	}
	if (size > STORE_BODY_MAX) {
		*why = "the frame declares a body larger than glean stores";
		return -1;
	}
	if (ZSTD_findFrameCompressedSize(z, zlen) != zlen) {
		*why = "the frame is truncated or followed by other bytes";
		return -1;
	}
	if (!b->d && !(b->d = ZSTD_createDCtx())) {
		*why = "out of memory";
		return -1;
	}
	dst = reuse ? body_buf(b, (size_t)size + 1) : xmalloc((size_t)size + 1);
	n = ZSTD_decompressDCtx(b->d, dst, (size_t)size, z, zlen);
	if (ZSTD_isError(n) || n != size) {
		if (!reuse)
			free(dst);
		*why = ZSTD_isError(n) ? ZSTD_getErrorName(n) :
			"the frame is shorter than it declares";
		return -1;
	}
	dst[n] = '\0';
	*out = dst;
	*len = n;
	return 0;
}

int
store_body_text(struct store_body *b, sqlite3_value *v, const char **body,
		size_t *len, const char **why)
{
	char *out;

	switch (sqlite3_value_type(v)) {
	case SQLITE_NULL:
		*body = NULL;
		*len = 0;
		return 0;
	case SQLITE_BLOB:
		if (body_unpack(b, sqlite3_value_blob(v),
				(size_t)sqlite3_value_bytes(v), &out, len,
				true, why) < 0)
			return -1;
		*body = out;
		return 0;
	default:
		*body = (const char *)sqlite3_value_text(v);
		*len = (size_t)sqlite3_value_bytes(v);
		return 0;
	}
}

/* st's contexts, made at its first body */
static struct store_body *
body_of(struct store *st)
{
	if (!st->body)
		st->body = store_body_new();
	return st->body;
}

void
store_bind_body(struct store *st, sqlite3_stmt *s, int i, const char *t)
{
	const void *z;
	size_t len, zlen;

	if (!t) {
		sqlite3_bind_null(s, i);
		return;
	}
	len = strlen(t);
	z = store_body_pack(body_of(st), t, len, &zlen);
	if (z)
		sqlite3_bind_blob64(s, i, z, zlen, SQLITE_STATIC);
	else
		sqlite3_bind_text64(s, i, t, len, SQLITE_STATIC, SQLITE_UTF8);
}

char *
store_col_body(struct store *st, sqlite3_stmt *s, int i, int64_t id)
{
	const char *why;
	char *out;
	size_t len;

	if (sqlite3_column_type(s, i) != SQLITE_BLOB)
		return store_col_text(s, i);
	if (body_unpack(body_of(st), sqlite3_column_blob(s, i),
			(size_t)sqlite3_column_bytes(s, i), &out, &len, false,
			&why) == 0)
		return out;
	log_warn("store '%s': item %lld's body is damaged (%s) and shown "
		 "empty; run 'glean check'", st->path, (long long)id, why);
	return xstrdup("");
}
