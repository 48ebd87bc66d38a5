/*
 * A tiny unit-test harness. One program per module; main() runs each test
 * function with RUN(fn) and ends with check_done(), which prints
 * "NAME: N passed, N failed" (tests/run-all sums those lines) and returns
 * the exit status.
 *
 * Each test function gets its own fixture: FIXTURE(setup, teardown) (either
 * may be NULL) names two functions RUN calls before and after every test,
 * so no test sees what another left behind. A CHECK that fails prints its
 * line and returns from the test function at once (the teardown still
 * runs): one failure is one FAIL line, never a crash on a NULL it found
 * or a cascade into the checks after it. CHECKs therefore belong in
 * functions returning void; TEST() names the group of checks that follow.
 */
#ifndef GLEAN_CHECK_H
#define GLEAN_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;
static const char *check_test = "";
static void (*check_setup)(void), (*check_teardown)(void);

#define TEST(name) (check_test = (name))

#define FIXTURE(setup, teardown)                                             \
	(check_setup = (setup), check_teardown = (teardown))

#define RUN(fn) check_run(#fn, fn)

#define CHECK_FAIL_(...)                                                     \
	do {                                                                 \
		check_failed++;                                              \
		printf(__VA_ARGS__);                                         \
		return;                                                      \
	} while (0)

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (cond)                                                    \
			check_passed++;                                      \
		else                                                         \
			CHECK_FAIL_("FAIL %s:%d [%s]: %s\n", __FILE__,       \
				    __LINE__, check_test, #cond);            \
	} while (0)

#define CHECK_STR(got, want)                                                 \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		if (g_ && w_ && strcmp(g_, w_) == 0)                         \
			check_passed++;                                      \
		else                                                         \
			CHECK_FAIL_("FAIL %s:%d [%s]: %s == \"%s\", got "    \
				    "\"%s\"\n", __FILE__, __LINE__,          \
				    check_test, #got, w_ ? w_ : "(null)",    \
				    g_ ? g_ : "(null)");                     \
	} while (0)

#define CHECK_INT(got, want)                                                 \
	do {                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);     \
		if (g_ == w_)                                                \
			check_passed++;                                      \
		else                                                         \
			CHECK_FAIL_("FAIL %s:%d [%s]: %s == %lld, got "      \
				    "%lld\n", __FILE__, __LINE__,            \
				    check_test, #got, w_, g_);               \
	} while (0)

/* Set up, run one test function, tear down. A failing setup skips the
 * test (its CHECKs already counted the failure). */
static inline void
check_run(const char *name, void (*fn)(void))
{
	int failed = check_failed;

	check_test = name;
	if (check_setup)
		check_setup();
	if (check_failed == failed)
		fn();
	if (check_teardown)
		check_teardown();
	fflush(stdout);
}

static inline int
check_done(const char *prog)
{
	printf("%s: %d passed, %d failed\n", prog, check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
