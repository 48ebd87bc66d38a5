/*
 * pcre2, behind the limits SECURITY.md sets: UTF with invalid-UTF
 * matching (never NO_UTF_CHECK on feed text), a match limit, a heap
 * limit, a bounded JIT stack and a 64 KiB subject cap ($ never matches
 * at the cut). A match that hits a limit returns -1: the store counts
 * it and the command reports it; a rule that hits it too often is
 * turned off for the fetch (store_rules.c). This file owns pcre2; nothing else
 * includes it. A struct rx is used by one thread at a time (its match
 * data is written by every match); rx_graphemes() may be called from any
 * thread.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "glean/parse.h"
#include "glean/banned.h"

#define RX_SUBJECT_MAX (64 * 1024)

struct rx {
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit;
};

static struct rx *
rx_compile(const char *pattern, bool icase, struct err *e)
{
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_UCP;
	PCRE2_SIZE off;
	int code;
	struct rx *re;

	if (icase)
		opts |= PCRE2_CASELESS;
	re = xcalloc(1, sizeof(*re));
	re->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
				 opts, &code, &off, NULL);
	if (!re->code) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(code, msg, sizeof(msg));
		free(re);
		return err_set(e, ERR_USAGE, "%s at offset %zu", (char *)msg,
			       (size_t)off),
		       NULL;
	}
	re->md = pcre2_match_data_create_from_pattern(re->code, NULL);
	re->mctx = pcre2_match_context_create(NULL);
	if (!re->md || !re->mctx)
		die("out of memory (pcre2)");
	pcre2_set_match_limit(re->mctx, 100000);
	pcre2_set_heap_limit(re->mctx, 8192);
	/* GLEAN_PCRE2_NOJIT: for memory checkers, which cannot see into
	 * JIT code and report its word-sized reads past a subject. */
	if (!getenv("GLEAN_PCRE2_NOJIT") &&
	    pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE) == 0) {
		re->jit = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
		if (re->jit)
			pcre2_jit_stack_assign(re->mctx, NULL, re->jit);
	}
	return re;
}

/* 1 match, 0 none, -1 the engine gave up (a match, heap, depth or JIT
 * stack limit): the caller counts that as an error. A subject over
 * RX_SUBJECT_MAX is cut at a character boundary and matched with
 * PCRE2_NOTEOL, so $ never matches where the text does not end. */
static int
rx_match(struct rx *re, const char *subject, size_t len)
{
	uint32_t opts = 0;
	int rc;

	if (len > RX_SUBJECT_MAX) {
		len = RX_SUBJECT_MAX;
		while (len > 0 && ((unsigned char)subject[len] & 0xC0) == 0x80)
			len--;
		opts |= PCRE2_NOTEOL;
	}
	rc = pcre2_match(re->code, (PCRE2_SPTR)subject, len, 0, opts, re->md,
			 re->mctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	log_debug("regex gave up on a subject (pcre2 error %d)", rc);
	return -1;
}

static void
rx_free(struct rx *re)
{
	if (!re)
		return;
	pcre2_match_data_free(re->md);
	pcre2_match_context_free(re->mctx);
	if (re->jit)
		pcre2_jit_stack_free(re->jit);
	pcre2_code_free(re->code);
	free(re);
}

/* \X compiled once for the process (pthread_once: share and the fetch
 * worker may count at the same time). The compiled pattern is only read
 * by pcre2_match(); each call brings its own match data, as a match
 * writes there. */
static pcre2_code *graph_code;
static pthread_once_t graph_once = PTHREAD_ONCE_INIT;

static void
graph_compile(void)
{
	PCRE2_SIZE off;
	int code;

	graph_code = pcre2_compile((PCRE2_SPTR) "\\X", PCRE2_ZERO_TERMINATED,
				   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF |
					   PCRE2_UCP,
				   &code, &off, NULL);
	if (!graph_code)
		BUG("cannot compile \\X");
	if (!getenv("GLEAN_PCRE2_NOJIT"))
		pcre2_jit_compile(graph_code, PCRE2_JIT_COMPLETE);
}

size_t
rx_graphemes(const char *s, size_t len)
{
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	PCRE2_SIZE *ov;
	size_t n = 0, off = 0;

	pthread_once(&graph_once, graph_compile);
	md = pcre2_match_data_create_from_pattern(graph_code, NULL);
	mctx = pcre2_match_context_create(NULL);
	if (!md || !mctx)
		die("out of memory (pcre2)");
	pcre2_set_match_limit(mctx, 100000);
	pcre2_set_heap_limit(mctx, 8192);
	while (off < len) {
		int rc = pcre2_match(graph_code, (PCRE2_SPTR)s, len, off, 0, md,
				     mctx);

		if (rc < 0)
			break;
		ov = pcre2_get_ovector_pointer(md);
		if (ov[1] <= off)
			off++;
		else
			off = ov[1];
		n++;
	}
	pcre2_match_context_free(mctx);
	pcre2_match_data_free(md);
	return n;
}

struct rx_pat {
	pcre2_code *code;
};

struct rx_pat *
rx_pat_compile(const char *pattern, bool icase, struct err *e)
{
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_UCP;
	struct rx_pat *p;
	PCRE2_SIZE off;
	int code;

	if (icase)
		opts |= PCRE2_CASELESS;
	p = xcalloc(1, sizeof(*p));
	p->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
				opts, &code, &off, NULL);
	if (!p->code) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(code, msg, sizeof(msg));
		free(p);
		return err_set(e, ERR_USAGE, "%s at offset %zu", (char *)msg,
			       (size_t)off),
		       NULL;
	}
	if (!getenv("GLEAN_PCRE2_NOJIT"))
		pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE);
	return p;
}

int
rx_pat_search(const struct rx_pat *p, const char *s, size_t len,
	      size_t start, size_t *ov, size_t n)
{
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit;
	PCRE2_SIZE *o;
	size_t i;
	int rc;

	md = pcre2_match_data_create_from_pattern(p->code, NULL);
	mctx = pcre2_match_context_create(NULL);
	jit = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
	if (!md || !mctx || !jit)
		die("out of memory (pcre2)");
	pcre2_jit_stack_assign(mctx, NULL, jit);
	pcre2_set_match_limit(mctx, 10000000);
	pcre2_set_heap_limit(mctx, 65536);
	rc = pcre2_match(p->code, (PCRE2_SPTR)s, len, start, 0, md, mctx);
	if (rc >= 0) {
		o = pcre2_get_ovector_pointer(md);
		for (i = 0; i < n; i++) {
			bool set = i < pcre2_get_ovector_count(md) &&
				   o[2 * i] != PCRE2_UNSET;

			ov[2 * i] = set ? o[2 * i] : SIZE_MAX;
			ov[2 * i + 1] = set ? o[2 * i + 1] : SIZE_MAX;
		}
	}
	pcre2_jit_stack_free(jit);
	pcre2_match_context_free(mctx);
	pcre2_match_data_free(md);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	log_warn("regex failed on a subject (pcre2 error %d)", rc);
	return -1;
}

static void *
ops_compile(const char *pattern, bool icase, struct err *e)
{
	return rx_compile(pattern, icase, e);
}

static int
ops_match(void *re, const char *subject, size_t len)
{
	return rx_match(re, subject, len);
}

static void
ops_free(void *re)
{
	rx_free(re);
}

const struct regex_ops *
rx_store_ops(void)
{
	static const struct regex_ops ops = {
		ops_compile, ops_match, ops_free,
	};

	return &ops;
}
