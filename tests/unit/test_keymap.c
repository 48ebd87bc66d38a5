/* keymap: the reader's key names (key_parse) and the labels the help
 * screen shows (through keymap_keys), the defaults and [bind] overrides,
 * and the errors a bad [bind] line gets. */
#include <stdlib.h>
#include <string.h>

#include "../../src/sense/private.h"
#include "check.h"

/* The label keymap_keys gives key k, bound alone. */
static const char *
label(int k)
{
	static char buf[64];
	struct keymap km;

	memset(&km, 0, sizeof(km));
	km.map[k] = ACT_HELP;
	keymap_keys(&km, ACT_HELP, buf, sizeof(buf));
	return buf;
}

static void
test_parse(void)
{
	TEST("single characters are themselves");
	CHECK_INT(key_parse("j"), 'j');
	CHECK_INT(key_parse("G"), 'G');
	CHECK_INT(key_parse("?"), '?');
	CHECK_INT(key_parse("^"), '^');
	CHECK_INT(key_parse("-"), '-');

	TEST("control keys: ^X and C-x, either case");
	CHECK_INT(key_parse("^R"), 18);
	CHECK_INT(key_parse("^r"), 18);
	CHECK_INT(key_parse("C-x"), 24);
	CHECK_INT(key_parse("C-X"), 24);
	CHECK_INT(key_parse("^@"), 0);
	CHECK_INT(key_parse("^_"), 31);
	CHECK_INT(key_parse("^["), 27);

	TEST("names, any case");
	CHECK_INT(key_parse("Enter"), '\n');
	CHECK_INT(key_parse("enter"), '\n');
	CHECK_INT(key_parse("TAB"), '\t');
	CHECK_INT(key_parse("space"), ' ');
	CHECK_INT(key_parse("esc"), 27);
	CHECK_INT(key_parse("PgDn"), KEY_NPAGE);
	CHECK_INT(key_parse("pgup"), KEY_PPAGE);
	CHECK_INT(key_parse("backspace"), KEY_BACKSPACE);
	CHECK_INT(key_parse("btab"), KEY_BTAB);
	CHECK_INT(key_parse("del"), KEY_DC);
	CHECK_INT(key_parse("home"), KEY_HOME);
	CHECK_INT(key_parse("End"), KEY_END);
	CHECK_INT(key_parse("up"), KEY_UP);
	CHECK_INT(key_parse("down"), KEY_DOWN);
	CHECK_INT(key_parse("left"), KEY_LEFT);
	CHECK_INT(key_parse("right"), KEY_RIGHT);

	TEST("function keys F1 to F12");
	CHECK_INT(key_parse("F5"), KEY_F(5));
	CHECK_INT(key_parse("f1"), KEY_F(1));
	CHECK_INT(key_parse("F12"), KEY_F(12));
	CHECK_INT(key_parse("F0"), -1);
	CHECK_INT(key_parse("F13"), -1);
	CHECK_INT(key_parse("F99999999999"), -1);
	CHECK_INT(key_parse("F1x"), -1);

	TEST("invalid names");
	CHECK_INT(key_parse(NULL), -1);
	CHECK_INT(key_parse(""), -1);
	CHECK_INT(key_parse("^"  "ab"), -1);
	CHECK_INT(key_parse("C-"), -1);
	CHECK_INT(key_parse("C-xy"), -1);
	CHECK_INT(key_parse("^1"), -1);
	CHECK_INT(key_parse("C-~"), -1);
	CHECK_INT(key_parse("enterr"), -1);
	CHECK_INT(key_parse("ctrl-x"), -1);
	CHECK_INT(key_parse("M-x"), -1);

	TEST("keys beyond ASCII are not names (one byte of UTF-8 or more)");
	CHECK_INT(key_parse("\xC3\xA9"), -1);		/* é */
	CHECK_INT(key_parse("\xE2\x82\xAC"), -1);	/* € */
	CHECK_INT(key_parse("\xE9"), -1);		/* Latin-1 é */
	CHECK_INT(key_parse("^\xC3\xA9"), -1);
}

static void
test_labels(void)
{
	TEST("labels are the names key_parse reads back");
	CHECK_STR(label('j'), "j");
	CHECK_STR(label('\n'), "enter");
	CHECK_STR(label(' '), "space");
	CHECK_STR(label('\t'), "tab");
	CHECK_STR(label(27), "esc");
	CHECK_STR(label(18), "^R");
	CHECK_STR(label(KEY_NPAGE), "pgdn");
	CHECK_STR(label(KEY_F(5)), "f5");
	CHECK_STR(label(KEY_F(12)), "f12");
	CHECK_INT(key_parse(label(18)), 18);
	CHECK_INT(key_parse(label(KEY_F(7))), KEY_F(7));
	CHECK_INT(key_parse(label(KEY_BTAB)), KEY_BTAB);

	TEST("a key with no name is shown by its number");
	CHECK_STR(label(KEY_F(13)), "#277");
	CHECK_STR(label(200), "#200");
}

static void
test_bind(void)
{
	static const char text[] = "[bind]\nC-x = quit-all\nF5 = help\n"
				   "j = none\nx = down\n";
	static const char bad[] = "[bind]\nF13 = help\nctrl-z = down\n";
	struct config cfg;
	struct keymap km;
	struct err e = { 0 };
	char buf[128];

	TEST("the defaults");
	config_init(&cfg);
	CHECK(keymap_init(&km, &cfg, &e) == 0);
	config_release(&cfg);
	CHECK(keymap_get(&km, 'q') == ACT_QUIT);
	CHECK(keymap_get(&km, 'j') == ACT_DOWN);
	CHECK(keymap_get(&km, KEY_DOWN) == ACT_DOWN);
	CHECK(keymap_get(&km, KEY_ENTER) == ACT_OPEN);
	CHECK(keymap_get(&km, '\r') == ACT_OPEN);
	CHECK(keymap_get(&km, -1) == ACT_NONE);
	CHECK(keymap_get(&km, KEYMAP_SIZE) == ACT_NONE);
	keymap_keys(&km, ACT_PAGE_DOWN, buf, sizeof(buf));
	CHECK_STR(buf, "^F space pgdn");

	TEST("[bind] overrides and unbinds");
	config_init(&cfg);
	CHECK(config_parse(&cfg, "test", text, strlen(text), &e) == 0);
	CHECK(keymap_init(&km, &cfg, &e) == 0);
	config_release(&cfg);
	CHECK(keymap_get(&km, 24) == ACT_QUIT_ALL);
	CHECK(keymap_get(&km, KEY_F(5)) == ACT_HELP);
	CHECK(keymap_get(&km, 'j') == ACT_NONE);
	CHECK(keymap_get(&km, 'x') == ACT_DOWN);
	keymap_keys(&km, ACT_DOWN, buf, sizeof(buf));
	CHECK_STR(buf, "x down");

	TEST("an unknown key name is an error naming its line");
	config_init(&cfg);
	CHECK(config_parse(&cfg, "test", bad, strlen(bad), &e) == 0);
	CHECK(keymap_init(&km, &cfg, &e) == -1);
	config_release(&cfg);
	CHECK(strstr(e.msg, "test:2: unknown key 'F13'") != NULL);
	CHECK(keymap_get(&km, 'j') == ACT_DOWN); /* defaults stay */
}

int
main(void)
{
	RUN(test_parse);
	RUN(test_labels);
	RUN(test_bind);
	return check_done("test_keymap");
}
