/* base: sbuf caps, errors, time arithmetic, the text sanitizer, the
 * escapers, base64 and random bytes. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

	TEST("sbuf overflow is sticky");
	{
		struct err e = { 0 };

		sbuf_init(&sb, 5);
		CHECK(sbuf_adds(&sb, "abc") == 0);
		CHECK(!sbuf_over(&sb));
		CHECK(sbuf_finish(&sb, &e, "x") == 0);
		CHECK(sbuf_adds(&sb, "defg") == -1);
		CHECK(sbuf_over(&sb));
		/* a later piece that would fit is refused too: no hole */
		CHECK(sbuf_adds(&sb, "h") == -1);
		CHECK(sbuf_add(&sb, "", 0) == -1);
		CHECK_STR(sb.buf, "abc");
		sbuf_trim(&sb);
		CHECK(sbuf_over(&sb));
		CHECK(sbuf_finish(&sb, &e, "the note") == -1);
		CHECK(e.code == ERR_LIMIT);
		CHECK_STR(e.msg, "the note is longer than 5 bytes");
		sbuf_reset(&sb);
		CHECK(!sbuf_over(&sb));
		CHECK(sbuf_adds(&sb, "12345") == 0);
		sbuf_release(&sb);
		CHECK(!sbuf_over(&sb));
	}

	TEST("sbuf add_cut keeps a field to its cap on a character boundary");
	sbuf_init(&sb, 6);
	CHECK(sbuf_add_cut(&sb, "ab", 2) == 0);
	CHECK(sbuf_add_cut(&sb, "c\xc3\xa9\xc3\xa9", 5) == -1);
	CHECK_STR(sb.buf, "abc\xc3\xa9");
	CHECK(sbuf_over(&sb));
	CHECK(sbuf_add_cut(&sb, "", 0) == -1);
	sbuf_release(&sb);

	TEST("sbuf truncate clears the overflow (a line editor)");
	sbuf_init(&sb, 3);
	CHECK(sbuf_adds(&sb, "ab") == 0);
	CHECK(sbuf_adds(&sb, "cd") == -1);
	CHECK(sbuf_over(&sb));
	sbuf_truncate(&sb, 1);
	CHECK(!sbuf_over(&sb));
	CHECK(sbuf_adds(&sb, "z") == 0);
	CHECK_STR(sb.buf, "az");
	sbuf_release(&sb);

	TEST("sbuf read fd and file up to the cap");
	{
		FILE *fp = tmpfile();
		int i;

		CHECK(fp != NULL);
		if (fp) {
			for (i = 0; i < 3000; i++)
				fputs("0123456789", fp);
			rewind(fp);
			sbuf_init(&sb, 0);
			CHECK(sbuf_read_fp(&sb, fp) == 0);
			CHECK_INT(sb.len, 30000);
			sbuf_release(&sb);
			sbuf_init(&sb, 20000);
			CHECK(lseek(fileno(fp), 0, SEEK_SET) == 0);
			CHECK(sbuf_read_fd(&sb, fileno(fp)) == -1);
			CHECK(sbuf_over(&sb));
			CHECK(sb.len <= 20000);
			sbuf_release(&sb);
			fclose(fp);
		}
	}

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

	TEST("sanitize drops noncharacters and non-XML Chars");
	/* U+FFFE U+FFFF U+FDD0 U+FDEF U+1FFFE U+10FFFF U+FEFF(kept)
	 * U+FDCF(kept) U+FFFD(kept) */
	s = text_sanitize("a\xEF\xBF\xBE" "b\xEF\xBF\xBF" "c\xEF\xB7\x90"
			  "d\xEF\xB7\xAF" "e\xF0\x9F\xBF\xBE" "f\xF4\x8F\xBF\xBF"
			  "g\xEF\xBB\xBF" "h\xEF\xB7\x8F" "i\xEF\xBF\xBD", 39,
			  true);
	CHECK_STR(s, "abcdefg\xEF\xBB\xBF" "h\xEF\xB7\x8F" "i\xEF\xBF\xBD");
	free(s);
	CHECK(unicode_nonchar(0xFFFE) && unicode_nonchar(0x10FFFF) &&
	      unicode_nonchar(0x2FFFE) && unicode_nonchar(0xFDD0) &&
	      unicode_nonchar(0xFDEF));
	CHECK(!unicode_nonchar(0xFDCF) && !unicode_nonchar(0xFDF0) &&
	      !unicode_nonchar(0xFFFD) && !unicode_nonchar(0x1F600));
	CHECK(xml_char('\t') && xml_char(0xD7FF) && xml_char(0xE000) &&
	      xml_char(0x10FFFF));
	CHECK(!xml_char(0) && !xml_char(0x1F) && !xml_char(0xD800) &&
	      !xml_char(0xFFFE) && !xml_char(0x110000));

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

static void
test_escape(void)
{
	struct sbuf sb = SBUF_INIT;
	const char *in = "<a href=\"x\">'&'</a>\n\x01";

	TEST("escape text");
	text_escape_text(&sb, in, strlen(in));
	CHECK_STR(sb.buf, "&lt;a href=\"x\"&gt;'&amp;'&lt;/a&gt;\n\x01");
	TEST("escape html");
	sbuf_reset(&sb);
	text_escape_html(&sb, in, strlen(in));
	CHECK_STR(sb.buf, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;"
			  "&lt;/a&gt;\n");
	TEST("escape xml drops C0");
	sbuf_reset(&sb);
	text_escape_xml(&sb, in, strlen(in));
	CHECK_STR(sb.buf, "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;"
			  "&lt;/a&gt;\n");
	TEST("escape xml and html drop what is not an XML Char");
	{
		/* U+FFFE, U+FFFF, U+FDD0, U+1FFFF, U+10FFFE, DEL, U+0085,
		 * a lone continuation byte, a cut sequence, NUL-ish U+0000
		 * cannot be in a C string; \x01 stands for it */
		static const char hostile[] = "a\xEF\xBF\xBE" "b\xEF\xBF\xBF"
			"c\xEF\xB7\x90" "d\xF0\x9F\xBF\xBF" "e\xF4\x8F\xBF\xBE"
			"f\x7F" "g\xC2\x85" "h\x80" "i\x01" "j\xE6\x97" "k"
			"\xE6\x97\xA5\xF0\x9F\x98\x80\xEF\xBF\xBD";

		sbuf_reset(&sb);
		text_escape_xml(&sb, hostile, strlen(hostile));
		CHECK_STR(sb.buf, "abcdefgh\xEF\xBF\xBDij\xEF\xBF\xBD\xEF\xBF\xBD" "k"
			  "\xE6\x97\xA5\xF0\x9F\x98\x80\xEF\xBF\xBD");
		sbuf_reset(&sb);
		text_escape_html(&sb, hostile, strlen(hostile));
		CHECK_STR(sb.buf, "abcdefgh\xEF\xBF\xBDij\xEF\xBF\xBD\xEF\xBF\xBD" "k"
			  "\xE6\x97\xA5\xF0\x9F\x98\x80\xEF\xBF\xBD");
	}
	TEST("escape with <br>");
	sbuf_reset(&sb);
	text_escape(&sb, "a\nb\"", 4, ESC_QUOT | ESC_BR);
	CHECK_STR(sb.buf, "a<br>b&quot;");
	TEST("escape counts bytes, not NUL");
	sbuf_reset(&sb);
	text_escape_text(&sb, "a&b", 2);
	CHECK_STR(sb.buf, "a&amp;");
	TEST("escape reports the cap");
	sbuf_release(&sb);
	sbuf_init(&sb, 8);
	CHECK(text_escape_text(&sb, "<<<", 3) < 0);
	sbuf_release(&sb);
}

static void
test_base64(void)
{
	struct sbuf sb = SBUF_INIT;
	static const char *const plain[] = { "", "f", "fo", "foo", "foob",
					     "fooba", "foobar" };
	static const char *const enc[] = { "", "Zg==", "Zm8=", "Zm9v",
					   "Zm9vYg==", "Zm9vYmE=",
					   "Zm9vYmFy" };
	char big[10000];
	size_t i;

	TEST("base64 RFC 4648 vectors");
	for (i = 0; i < ARRAY_SIZE(plain); i++) {
		sbuf_reset(&sb);
		base64_encode(&sb, plain[i], strlen(plain[i]));
		CHECK_STR(sb.buf, enc[i]);
		sbuf_reset(&sb);
		CHECK_INT(base64_decode(&sb, enc[i]), 0);
		CHECK_STR(sb.buf, plain[i]);
	}
	TEST("base64 decode: spaces, no padding, junk");
	sbuf_reset(&sb);
	CHECK_INT(base64_decode(&sb, " Zm9v\nYmE"), 0);
	CHECK_STR(sb.buf, "fooba");
	sbuf_reset(&sb);
	CHECK_INT(base64_decode(&sb, "Zm9vY"), 0); /* a lone char: no byte */
	CHECK_STR(sb.buf, "foo");
	sbuf_reset(&sb);
	CHECK(base64_decode(&sb, "Zm9v*") < 0);
	TEST("base64 round trip past one chunk");
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + 3);
	sbuf_reset(&sb);
	base64_encode(&sb, big, sizeof(big));
	CHECK_INT(sb.len, (sizeof(big) + 2) / 3 * 4);
	{
		struct sbuf dec = SBUF_INIT;

		CHECK_INT(base64_decode(&dec, sb.buf), 0);
		CHECK_INT(dec.len, sizeof(big));
		CHECK(dec.len == sizeof(big) &&
		      memcmp(dec.buf, big, sizeof(big)) == 0);
		sbuf_release(&dec);
	}
	sbuf_release(&sb);
}

static void
test_random(void)
{
	char *a = random_hex(16), *b = random_hex(16);

	TEST("random hex");
	CHECK_INT(strlen(a), 32);
	CHECK(strspn(a, "0123456789abcdef") == 32);
	CHECK(strcmp(a, b) != 0);
	free(a);
	free(b);
}

int
main(void)
{
	RUN(test_hash);
	RUN(test_sbuf);
	RUN(test_err);
	RUN(test_time);
	RUN(test_sanitize);
	RUN(test_escape);
	RUN(test_base64);
	RUN(test_random);
	return check_done("test_base");
}
