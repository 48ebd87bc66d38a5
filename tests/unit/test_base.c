/* base: sbuf caps, errors, time arithmetic, the text sanitizer. */
#include <stdlib.h>

#include "glean/base.h"
#include "check.h"

static void
test_sbuf(void)
{
	struct sbuf sb = SBUF_INIT;
	char *p;
	size_t n;

	TEST("sbuf empty");
	CHECK(sb.buf != NULL && sb.len == 0 && sb.buf[0] == '\0');
	sbuf_release(&sb);
	CHECK(sb.buf != NULL);

	TEST("sbuf append");
	CHECK(sbuf_adds(&sb, "abc") == 0);
	CHECK(sbuf_addf(&sb, "-%d-", 42) == 0);
	CHECK(sbuf_addch(&sb, 'x') == 0);
	CHECK_STR(sb.buf, "abc-42-x");
	CHECK_INT(sb.len, 8);
	p = sbuf_detach(&sb, &n);
	CHECK_STR(p, "abc-42-x");
	CHECK_INT(n, 8);
	CHECK(sb.len == 0 && sb.buf[0] == '\0');
	free(p);

	TEST("sbuf cap");
	sbuf_init(&sb, 5);
	CHECK(sbuf_adds(&sb, "12345") == 0);
	CHECK(sbuf_adds(&sb, "6") == -1);
	CHECK_STR(sb.buf, "12345");
	CHECK(sbuf_addf(&sb, "%s", "toolong") == -1);
	CHECK_STR(sb.buf, "12345");
	sbuf_release(&sb);

	TEST("sbuf trim");
	sbuf_init(&sb, 0);
	sbuf_adds(&sb, "  \t hi there \n");
	sbuf_trim(&sb);
	CHECK_STR(sb.buf, "hi there");
	sbuf_release(&sb);
}

static void
test_err(void)
{
	struct err e = { 0 };

	TEST("err_set");
	CHECK(err_set(&e, ERR_PARSE, "bad %s", "thing") == -1);
	CHECK(e.code == ERR_PARSE);
	CHECK_STR(e.msg, "bad thing");
	err_prefix(&e, "cannot read '%s'", "x");
	CHECK_STR(e.msg, "cannot read 'x': bad thing");
	CHECK(err_set(NULL, ERR_IO, "ignored") == -1);
}

static void
test_time(void)
{
	char buf[32];

	TEST("time");
	CHECK_INT(time_from_utc(1970, 1, 1, 0, 0, 0), 0);
	CHECK_INT(time_from_utc(2000, 3, 1, 12, 30, 5), 951913805);
	CHECK_STR(time_fmt_iso(951913805, buf, sizeof(buf)),
		  "2000-03-01T12:30:05Z");
	CHECK_STR(time_fmt_iso(time_from_utc(1900, 1, 1, 0, 0, 0), buf,
				sizeof(buf)), "1900-01-01T00:00:00Z");
	CHECK_STR(time_fmt_iso(time_from_utc(9999, 12, 31, 23, 59, 59), buf,
				sizeof(buf)), "9999-12-31T23:59:59Z");
	CHECK_INT(time_parse_duration("7d"), 7 * 86400);
	CHECK_INT(time_parse_duration("2w"), 14 * 86400);
	CHECK_INT(time_parse_duration("90"), 90);
	CHECK_INT(time_parse_duration("x"), -1);
	CHECK_INT(time_parse_duration("5dd"), -1);
}

static void
test_sanitize(void)
{
	char *s;

	TEST("sanitize escape sequences");
	s = text_sanitize("a\x1b[2Jb\x07", 8, false);
	CHECK_STR(s, "a[2Jb");
	free(s);

	TEST("sanitize bidi and C1");
	/* U+202E RIGHT-TO-LEFT OVERRIDE, U+009B CSI, U+2066 */
	s = text_sanitize("x\xE2\x80\xAEy\xC2\x9Bz\xE2\x81\xA6!", 13, false);
	CHECK_STR(s, "xyz!");
	free(s);

	TEST("sanitize invalid utf-8");
	s = text_sanitize("a\xFF" "b\xC3", 4, false);
	CHECK_STR(s, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
	free(s);

	TEST("sanitize newlines");
	s = text_sanitize("l1\nl2\tx\r\n", 9, true);
	CHECK_STR(s, "l1 l2 x  ");
	free(s);
	s = text_sanitize("l1\r\nl2", 6, false);
	CHECK_STR(s, "l1\nl2");
	free(s);

	TEST("sanitize keeps wide text");
	s = text_sanitize("日本語 😀", 14, true);
	CHECK_STR(s, "日本語 😀");
	free(s);

	TEST("utf8");
	CHECK(utf8_valid("\xE6\x97\xA5", 3));
	CHECK(!utf8_valid("\xED\xA0\x80", 3)); /* surrogate */
	CHECK(!utf8_valid("\xC0\xAF", 2));     /* overlong */
}

static void
test_hash(void)
{
	TEST("hash64");
	CHECK(hash64("abc", 3, 0) == hash64("abc", 3, 0));
	CHECK(hash64("abc", 3, 0) != hash64("abd", 3, 0));
	CHECK(hash64("abc", 3, 0) != hash64("abc", 3, 1));
	CHECK(hash64("", 0, 0) != hash64("\0", 1, 0));
	CHECK(hash64("0123456789abcdef", 16, 0) !=
	      hash64("0123456789abcdeF", 16, 0));
}

int
main(void)
{
	RUN(test_hash);
	RUN(test_sbuf);
	RUN(test_err);
	RUN(test_time);
	RUN(test_sanitize);
	return check_done("test_base");
}
