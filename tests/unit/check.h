/*
 * A tiny unit-test harness: CHECK() records a pass or a failure with its
 * line, TEST() groups checks, and check_done() prints "N passed, N failed"
 * and returns the exit status. One program per module.
 */
#ifndef GLEAN_CHECK_H
#define GLEAN_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;
static const char *check_test = "";

#define TEST(name) (check_test = (name))

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (cond) {                                                  \
			check_passed++;                                      \
		} else {                                                     \
			check_failed++;                                      \
			printf("FAIL %s:%d [%s]: %s\n", __FILE__, __LINE__,  \
			       check_test, #cond);                           \
		}                                                            \
	} while (0)

#define CHECK_STR(got, want)                                                 \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		if (g_ && w_ && strcmp(g_, w_) == 0) {                       \
			check_passed++;                                      \
		} else {                                                     \
			check_failed++;                                      \
			printf("FAIL %s:%d [%s]: %s == \"%s\", got \"%s\"\n", \
			       __FILE__, __LINE__, check_test, #got,         \
			       w_ ? w_ : "(null)", g_ ? g_ : "(null)");      \
		}                                                            \
	} while (0)

#define CHECK_INT(got, want)                                                 \
	do {                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);     \
		if (g_ == w_) {                                              \
			check_passed++;                                      \
		} else {                                                     \
			check_failed++;                                      \
			printf("FAIL %s:%d [%s]: %s == %lld, got %lld\n",    \
			       __FILE__, __LINE__, check_test, #got, w_, g_);\
		}                                                            \
	} while (0)

static inline int
check_done(const char *prog)
{
	printf("%s: %d passed, %d failed\n", prog, check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
