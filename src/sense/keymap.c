/*
 * The action table and the keymap: default keys from SENSE_ACTIONS,
 * overridden by [bind] in the config. Key names are the ones the help
 * screen shows. It knows nothing of what an action does (sense.c and
 * the views do) and never draws.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "private.h"
#include "glean/banned.h"

const struct action_info sense_actions[ACT_COUNT] = {
	[ACT_NONE] = { "none", "", "unbind the key" },
#define X(id, name, keys, help) [ACT_##id] = { name, keys, help },
	SENSE_ACTIONS(X)
#undef X
};

static const struct {
	const char *name;
	int key;
} named_keys[] = {
	{ "backspace", KEY_BACKSPACE }, { "btab", KEY_BTAB },
	{ "del", KEY_DC }, { "down", KEY_DOWN }, { "end", KEY_END },
	{ "enter", '\n' }, { "esc", 27 }, { "home", KEY_HOME },
	{ "left", KEY_LEFT }, { "pgdn", KEY_NPAGE }, { "pgup", KEY_PPAGE },
	{ "right", KEY_RIGHT }, { "space", ' ' }, { "tab", '\t' },
	{ "up", KEY_UP },
};

int
key_parse(const char *name)
{
	size_t i;

	if (!name || !*name)
		return -1;
	if (!name[1] && (unsigned char)name[0] < 128)
		return (unsigned char)name[0];
	if ((name[0] == '^' && name[1] && !name[2]) ||
	    (!strncmp(name, "C-", 2) && name[2] && !name[3])) {
		int c = toupper((unsigned char)name[name[0] == '^' ? 1 : 2]);

		if (c >= '@' && c <= '_')
			return c - '@';
		return -1;
	}
	for (i = 0; i < ARRAY_SIZE(named_keys); i++)
		if (!strcasecmp(name, named_keys[i].name))
			return named_keys[i].key;
	if ((name[0] == 'f' || name[0] == 'F') && isdigit((unsigned char)name[1])) {
		int n = 0;

		for (i = 1; name[i]; i++) {
			if (!isdigit((unsigned char)name[i]))
				return -1;
			n = n * 10 + (name[i] - '0');
			if (n > 12)
				return -1;
		}
		return n >= 1 ? KEY_F(n) : -1;
	}
	return -1;
}

static void
key_label(int key, char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(named_keys); i++)
		if (named_keys[i].key == key) {
			snprintf(buf, n, "%s", named_keys[i].name);
			return;
		}
	if (key == KEY_ENTER || key == '\r') {
		snprintf(buf, n, "enter");
	} else if (key >= KEY_F(1) && key <= KEY_F(12)) {
		snprintf(buf, n, "f%d", key - KEY_F(0));
	} else if (key < 32) {
		snprintf(buf, n, "^%c", key + '@');
	} else if (key < 127) {
		snprintf(buf, n, "%c", key);
	} else {
		snprintf(buf, n, "#%d", key);
	}
}

enum action
action_by_name(const char *name)
{
	int a;

	for (a = 0; a < ACT_COUNT; a++)
		if (!strcmp(sense_actions[a].name, name))
			return (enum action)a;
	return ACT_COUNT;
}

int
keymap_init(struct keymap *km, const struct config *cfg, struct err *e)
{
	size_t i;
	int a, rc = 0;

	memset(km, 0, sizeof(*km));
	for (a = 1; a < ACT_COUNT; a++) {
		char buf[64], *p = buf, *tok;

		snprintf(buf, sizeof(buf), "%s", sense_actions[a].keys);
		while ((tok = strsep(&p, " ")) != NULL) {
			int k = key_parse(tok);

			if (k >= 0 && k < KEYMAP_SIZE)
				km->map[k] = (enum action)a;
		}
	}
	km->map[KEY_ENTER] = ACT_OPEN;
	km->map['\r'] = ACT_OPEN;
	km->map[127] = ACT_BACK;
	for (i = 0; i < cfg->nbinds; i++) {
		const struct config_kv *kv = &cfg->binds[i];
		int k = key_parse(kv->key);
		enum action act = action_by_name(kv->value);

		if (k < 0 || k >= KEYMAP_SIZE) {
			if (rc == 0)
				rc = err_set(e, ERR_CONFIG, "%s:%d: unknown key "
					     "'%s'; use a character, ^X or a "
					     "name like enter, tab, pgdn",
					     kv->file, kv->line, kv->key);
			continue;
		}
		if (act == ACT_COUNT) {
			if (rc == 0)
				rc = err_set(e, ERR_CONFIG, "%s:%d: unknown "
					     "action '%s'; see the reader's "
					     "help ('?')", kv->file, kv->line,
					     kv->value);
			continue;
		}
		km->map[k] = act;
	}
	return rc;
}

enum action
keymap_get(const struct keymap *km, int key)
{
	if (key < 0 || key >= KEYMAP_SIZE)
		return ACT_NONE;
	return km->map[key];
}

void
keymap_keys(const struct keymap *km, enum action a, char *buf, size_t n)
{
	size_t len = 0;
	int k;

	buf[0] = '\0';
	for (k = 0; k < KEYMAP_SIZE && len + 12 < n; k++) {
		char name[16];

		if (km->map[k] != a || k == KEY_ENTER || k == '\r' ||
		    (k == 127 && a == ACT_BACK))
			continue;
		key_label(k, name, sizeof(name));
		len += (size_t)snprintf(buf + len, n - len, "%s%s",
					len ? " " : "", name);
	}
}

/* Text for a man(7) line: '-' and '\\' escaped. */
static void
man_put(const char *s)
{
	for (; *s; s++) {
		if (*s == '-' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
}

void
sense_keys_man(void)
{
	int a;

	for (a = 1; a < ACT_COUNT; a++) {
		fputs(".TP\n.B ", stdout);
		man_put(sense_actions[a].keys);
		fputs("\n", stdout);
		man_put(sense_actions[a].name);
		fputs(": ", stdout);
		man_put(sense_actions[a].help);
		fputs("\n", stdout);
	}
}
