/* config: parsing, every error's file:line, secrets from cmd/file/env. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glean/config.h"
#include "check.h"

/* The names config learns from the service registry (cli.c passes
 * service_names()); a list of its own here keeps config's tests apart. */
static const char *const services[] = { "mastodon", "bluesky", "x",
					 "discourse", NULL };

static int
parse(struct config *c, const char *text, struct err *e)
{
	config_release(c);
	config_init(c);
	c->services = services;
	return config_parse(c, "cfg", text, strlen(text), e);
}

static void
test_parse_ok(void)
{
	struct config c;
	struct err e = { 0 };
	const struct config_target *t;
	const struct config_account *a;

	config_init(&c);
	TEST("empty config keeps defaults");
	CHECK(parse(&c, "", &e) == 0);
	CHECK_INT(c.concurrency, 16);
	CHECK_INT(c.per_host, 2);
	CHECK_INT(c.refresh, 3600);
	CHECK(c.mark_read_on_open);

	TEST("values, quotes, comments");
	CHECK(parse(&c, "# top\n[general]\n  concurrency = 4 ; four\n"
			"browser = \"firefox --new-tab\" %u\n"
			"refresh = 30m\nmark-read-on-open = no\n"
			"user-agent = \"a \\\"b\\\" # not a comment\"\n", &e) == 0);
	CHECK_INT(c.concurrency, 4);
	/* inner quotes stay for the command splitter */
	CHECK_STR(c.browser, "\"firefox --new-tab\" %u");
	CHECK_INT(c.refresh, 1800);
	CHECK(!c.mark_read_on_open);
	CHECK_STR(c.user_agent, "a \"b\" # not a comment");

	TEST("the list's sort order");
	CHECK_INT(c.sort, 0);
	CHECK(parse(&c, "[general]\nsort = unread-first\n", &e) == 0);
	CHECK_INT(c.sort, 3);
	CHECK_STR(config_sort_name(c.sort), "unread-first");

	TEST("queries keep their own quotes; a wholly quoted value is unquoted");
	CHECK(parse(&c, "[search \"s\"]\nquery = source:\"Civic Notes\" is:unread"
			" # comment\n[search \"t\"]\nquery = \"a #b\"\n", &e) == 0);
	CHECK_STR(c.searches[0].query, "source:\"Civic Notes\" is:unread");
	CHECK_STR(c.searches[1].query, "a #b");

	TEST("accounts and targets");
	CHECK(parse(&c, "[account \"m\"]\nservice = mastodon\n"
			"url = https://s.example\ntoken-env = TOK\n"
			"[target \"mail\"]\nkind = email\nto = a@x, b@x\n"
			"to = c@x\nfrom = me@x\nsmtp-url = smtp://h:25\n"
			"[target \"toot\"]\nkind = mastodon\naccount = m\n",
			&e) == 0);
	a = config_account(&c, "m");
	CHECK(a && a->service && !strcmp(a->service, "mastodon"));
	CHECK_STR(a->secret[SECRET_TOKEN].env, "TOK");
	t = config_target(&c, "mail");
	CHECK(t && t->kind && !strcmp(t->kind, "email") && t->nto == 3);
	CHECK_STR(t->to[2], "c@x");
	CHECK(config_account_for(&c, "mastodon", "s.example") == a);
	CHECK(config_account_for(&c, "mastodon", "other") == NULL);
	CHECK(config_account_for(&c, "bluesky", NULL) == NULL);
	config_release(&c);
}

static void
expect_error(const char *text, const char *want)
{
	struct config c;
	struct err e = { 0 };

	config_init(&c);
	c.services = services;
	CHECK(config_parse(&c, "cfg", text, strlen(text), &e) == -1);
	CHECK(e.code == ERR_CONFIG);
	if (!strstr(e.msg, want)) {
		check_failed++;
		printf("FAIL [%s]: '%s' not in '%s'\n", check_test, want, e.msg);
	}
	config_release(&c);
}

static void
test_parse_errors(void)
{
	TEST("bad lines name file:line and what was expected");
	expect_error("[general]\nconcurrency = x\n",
		     "cfg:2: 'concurrency': expected a number, got 'x'");
	expect_error("key = v\n", "cfg:1: 'key' is outside any section");
	expect_error("[general\n", "cfg:1: expected ']'");
	expect_error("[nope]\n", "cfg:1: unknown section [nope]");
	expect_error("[account]\n", "cfg:1: expected [account \"NAME\"]");
	expect_error("[general]\nrefresh = soon\n",
		     "cfg:2: 'refresh': expected a duration");
	expect_error("[general]\nsort = newest\n",
		     "cfg:2: 'sort': expected date, source, title or "
		     "unread-first, got 'newest'");
	expect_error("[general]\nmark-read-on-open = maybe\n",
		     "expected true or false");
	expect_error("[general]\nbrowser = \"open\n", "unterminated quote");
	expect_error("[account \"a\"]\nservice = myspace\n",
		     "'service': expected mastodon, bluesky, x or discourse");
	expect_error("[target \"t\"]\nkind = myspace\n",
		     "'kind': expected file, email, webhook, mastodon, bluesky, "
		     "x or discourse, got 'myspace'");
	expect_error("[target \"t\"]\npath = /tmp/x\n",
		     "cfg:1: target 't' needs 'kind = KIND' (file, email, "
		     "webhook, mastodon");
	expect_error("[account \"a\"]\nservice = x\ntoken-env = A\n"
		     "token-cmd = b\n", "cfg:4: 'token-cmd': a secret may come "
		     "from only one");
	expect_error("[account \"a\"]\nurl = x\n",
		     "cfg:1: account 'a' needs 'service");
	expect_error("[target \"t\"]\nkind = file\n", "needs 'path = FILE'");
	expect_error("[target \"t\"]\nkind = webhook\n", "needs 'url = https");
	expect_error("[target \"t\"]\nkind = file\npath = x\nsince = 1 week\n",
		     "'since' expects a duration");
	expect_error("[search \"s\"]\nqueri = x\n", "unknown key 'queri'");
	expect_error("[rule \"r\"]\nhide = true\n", "needs 'match = QUERY'");
	expect_error("[account \"a\"]\nservice = x\n[account \"a\"]\n",
		     "cfg:3: account 'a' is defined twice");

	TEST("a NUL byte is an error, never the silent end of the file");
	{
		static const char nul[] = "[general]\nrefresh = 1h\n\0\n"
					  "concurrency = x\n";
		struct config c;
		struct err e = { 0 };

		config_init(&c);
		c.services = services;
		CHECK(config_parse(&c, "cfg", nul, sizeof(nul) - 1, &e) == -1);
		CHECK_STR(e.msg, "cfg:3: a NUL byte: the config must be text");
		config_release(&c);
	}
}

static void
test_secrets(void)
{
	struct config c;
	struct err e = { 0 };
	char path[] = "/tmp/glean-secret-XXXXXX", *s = NULL, *text;
	int fd;

	config_init(&c);
	TEST("secret from env");
	setenv("GLEAN_T_TOKEN", "canary-env-123", 1);
	CHECK(parse(&c, "[account \"a\"]\nservice = x\ntoken-env = "
			"GLEAN_T_TOKEN\n", &e) == 0);
	CHECK(config_secret(&c.accounts[0], SECRET_TOKEN, &s, &e) == 0);
	CHECK_STR(s, "canary-env-123");
	config_secret_free(s);
	unsetenv("GLEAN_T_TOKEN");
	CHECK(config_secret(&c.accounts[0], SECRET_TOKEN, &s, &e) == -1);
	CHECK(strstr(e.msg, "GLEAN_T_TOKEN is not set") != NULL);

	TEST("missing secret says which lines to add");
	CHECK(config_secret(&c.accounts[0], SECRET_PASSWORD, &s, &e) == -1);
	CHECK(strstr(e.msg, "add 'password-cmd = COMMAND'") != NULL);

	TEST("secret from a command, no shell");
	CHECK(parse(&c, "[account \"a\"]\nservice = x\ntoken-cmd = printf "
			"'%s\\n' 'canary cmd'\n", &e) == 0);
	CHECK(config_secret(&c.accounts[0], SECRET_TOKEN, &s, &e) == 0);
	CHECK_STR(s, "canary cmd");
	config_secret_free(s);
	CHECK(parse(&c, "[account \"a\"]\nservice = x\ntoken-cmd = false\n",
		    &e) == 0);
	CHECK(config_secret(&c.accounts[0], SECRET_TOKEN, &s, &e) == -1);
	CHECK(strstr(e.msg, "failed") != NULL);

	TEST("a secret command past secret-timeout is stopped, named");
	{
		int64_t t0 = time_now_ms();

		CHECK(parse(&c, "[general]\nsecret-timeout = 1s\n[account "
				"\"slow\"]\nservice = x\ntoken-cmd = sleep "
				"600\n", &e) == 0);
		CHECK(c.secret_timeout == 1);
		s = NULL;
		CHECK(config_secret(&c.accounts[0], SECRET_TOKEN, &s, &e) == -1);
		CHECK(s == NULL);
		CHECK(time_now_ms() - t0 < 5000);
		CHECK(strstr(e.msg, "account 'slow': token-cmd did not finish "
				    "within 1s") != NULL);
	}
	CHECK(parse(&c, "[general]\nsecret-timeout = 0s\n", &e) == -1);
	CHECK(strstr(e.msg, "secret-timeout") != NULL);

	TEST("a secret past the cap is an error, never cut short");
	CHECK(parse(&c, "[account \"a\"]\nservice = x\ntoken-cmd = head "
			"-c 9000 /dev/zero\n", &e) == 0);
	s = NULL;
	CHECK(config_secret(&c.accounts[0], SECRET_TOKEN, &s, &e) == -1);
	CHECK(s == NULL);
	CHECK(strstr(e.msg, "longer than 8192 bytes") != NULL);

	TEST("secret file must be 0600");
	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(write(fd, "canary-file\n", 12) == 12);
	close(fd);
	chmod(path, 0644);
	text = xasprintf("[account \"a\"]\nservice = x\ntoken-file = %s\n",
			 path);
	CHECK(parse(&c, text, &e) == 0);
	CHECK(config_secret(&c.accounts[0], SECRET_TOKEN, &s, &e) == -1);
	CHECK(strstr(e.msg, "readable by others") != NULL);
	CHECK(strstr(e.msg, "chmod 600") != NULL);
	CHECK(strstr(e.msg, "canary") == NULL);
	chmod(path, 0600);
	CHECK(config_secret(&c.accounts[0], SECRET_TOKEN, &s, &e) == 0);
	CHECK_STR(s, "canary-file");
	config_secret_free(s);
	fd = open(path, O_WRONLY | O_APPEND);
	CHECK(fd >= 0);
	{
		char big[9000];

		memset(big, 'k', sizeof(big));
		CHECK(write(fd, big, sizeof(big)) == (ssize_t)sizeof(big));
	}
	close(fd);
	s = NULL;
	CHECK(config_secret(&c.accounts[0], SECRET_TOKEN, &s, &e) == -1);
	CHECK(s == NULL);
	CHECK(strstr(e.msg, "longer than 8192 bytes") != NULL);
	unlink(path);
	free(text);
	config_release(&c);
}

static void
test_argv(void)
{
	char **av = NULL;
	size_t n = 0;
	struct err e = { 0 };

	TEST("argv splitting");
	CHECK(config_split_argv("firefox --new-tab '%u' \"a b\" c\\ d", &av,
				&n, &e) == 0);
	CHECK_INT(n, 5);
	CHECK_STR(av[2], "%u");
	CHECK_STR(av[3], "a b");
	CHECK_STR(av[4], "c d");
	CHECK(av[5] == NULL);
	config_argv_free(av);
	CHECK(config_split_argv("  ", &av, &n, &e) == -1);
	CHECK(config_split_argv("a 'b", &av, &n, &e) == -1);
}

/* find_key() searches each key table in halves: a key out of order is
 * rejected as unknown (smtp-user once was, listing itself as expected). */
static void
test_key_tables(void)
{
	struct config c;
	struct err e = { 0 };
	const struct config *d;
	const char *why;

	TEST("every key table is sorted");
	why = config_check_keys();
	CHECK_STR(why ? why : "sorted", "sorted");

	TEST("smtp-user and its neighbours parse");
	config_init(&c);
	CHECK(parse(&c, "[target \"m\"]\nkind = email\nto = a@x\n"
			"from = me@x\nsmtp-url = smtp://h:25\n"
			"smtp-user = me\nsmtp-password-env = PW\n"
			"starttls = off\n", &e) == 0);
	CHECK_STR(e.msg, "");
	CHECK(c.ntargets == 1);
	if (c.ntargets == 1) {
		CHECK_STR(c.targets[0].smtp_user, "me");
		CHECK_STR(c.targets[0].smtp_url, "smtp://h:25");
		CHECK_INT(c.targets[0].keep, 50);
	}
	config_release(&c);

	TEST("a list keeps a comma inside quotes (RFC 5322 phrases in to)");
	config_init(&c);
	CHECK(parse(&c, "[target \"m\"]\nkind = email\nfrom = me@x\n"
			"smtp-url = smtp://h:25\n"
			"to = \"Smith, John\" <j@x>, b@y\n"
			"to = \"Doe \\\"JD\\\", Jane\" <d@x>,, c@z\n",
		    &e) == 0);
	CHECK_STR(e.msg, "");
	CHECK_INT(c.targets[0].nto, 4);
	CHECK_STR(c.targets[0].to[0], "\"Smith, John\" <j@x>");
	CHECK_STR(c.targets[0].to[1], "b@y");
	CHECK_STR(c.targets[0].to[2], "\"Doe \\\"JD\\\", Jane\" <d@x>");
	CHECK_STR(c.targets[0].to[3], "c@z");
	config_release(&c);

	TEST("config_defaults() holds the key table's defaults");
	d = config_defaults();
	CHECK(d != NULL);
	CHECK(d == config_defaults());
	CHECK_INT(d->concurrency, 16);
	CHECK_INT(d->per_host, 2);
	CHECK_INT(d->timeout, 120);
	CHECK_INT(d->refresh, 3600);
	CHECK_INT(d->first_run_depth, 100);
	CHECK(d->mark_read_on_open);
	CHECK(d->user_agent == NULL);
}

/*
 * The keys man/glean-config.5 documents in one section: the text after
 * each .TP up to the section's first .PP (after it, [target]'s .TP list
 * is of kinds). Forms: .BI "key = " VALUE; .BR a ", " b; smtp\-password
 * \-cmd | \-file | \-env; consumer\-key\-* (the three secret sources).
 */
static size_t
man_keys(const char *path, const char *section, char keys[][64],
	 size_t max)
{
	FILE *fp = fopen(path, "r");
	char line[1024], head[96];
	bool in = false, tp = false;
	size_t n = 0;

	snprintf(head, sizeof(head), ".SH \"[%s", section);
	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp)) {
		char text[1024], *r, *w, *tok, *p;

		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, ".SH", 3)) {
			in = !strncmp(line, head, strlen(head)) &&
			     (line[strlen(head)] == ']' ||
			      line[strlen(head)] == ' ');
			tp = false;
			continue;
		}
		if (!in)
			continue;
		if (!strcmp(line, ".PP")) {
			in = false;
			continue;
		}
		if (!strcmp(line, ".TP")) {
			tp = true;
			continue;
		}
		if (!tp)
			continue;
		tp = false;
		/* drop the macro, the quotes and the \- escapes */
		r = line + strcspn(line, " ");
		for (w = text; *r; r++) {
			if (*r == '"')
				continue;
			if (*r == '\\' && r[1] == '-')
				r++;
			*w++ = *r;
		}
		*w = '\0';
		if ((p = strchr(text, '=')) != NULL)
			*p = '\0';
		for (p = text; (tok = strsep(&p, ",")) != NULL;) {
			char base[64], *bar, *t;
			const char *suf[3] = { NULL, NULL, NULL };
			size_t k, ns = 0;

			tok = str_trim(tok);
			if (!*tok)
				continue;
			bar = strchr(tok, '|');
			if (bar) {  /* a\-cmd | \-file | \-env */
				*bar = '\0';
				t = str_trim(tok);
				snprintf(base, sizeof(base), "%s", t);
				*strrchr(base, '-') = '\0';
				suf[ns++] = strrchr(t, '-');
				for (t = bar + 1; ns < 3 && t;) {
					char *nx = strchr(t, '|');

					if (nx)
						*nx++ = '\0';
					suf[ns++] = str_trim(t);
					t = nx;
				}
			} else if (strlen(tok) > 2 &&
				   !strcmp(tok + strlen(tok) - 2, "-*")) {
				snprintf(base, sizeof(base), "%.*s",
					 (int)(strlen(tok) - 2), tok);
				suf[0] = "-cmd";
				suf[1] = "-file";
				suf[2] = "-env";
				ns = 3;
			} else {
				snprintf(base, sizeof(base), "%s", tok);
				suf[ns++] = "";
			}
			for (k = 0; k < ns && n < max; k++)
				snprintf(keys[n++], 64, "%s%s", base, suf[k]);
		}
	}
	fclose(fp);
	return n;
}

/* Every key the parser takes is documented, and every documented key is
 * taken (the man page once listed keys the parser refused). */
static void
test_keys_documented(void)
{
	static const char *const sections[] = { "general", "account", "sync",
						"target", "rule" };
	const char *srcdir = getenv("GLEAN_SRCDIR") ? getenv("GLEAN_SRCDIR")
						    : ".";
	char path[512], keys[64][64];
	size_t s, i, k, n;

	snprintf(path, sizeof(path), "%s/man/glean-config.5", srcdir);
	for (s = 0; s < ARRAY_SIZE(sections); s++) {
		struct sbuf undocumented = SBUF_INIT, unknown = SBUF_INIT;
		const char *name;
		bool ok;

		TEST(sections[s]);
		n = man_keys(path, sections[s], keys, ARRAY_SIZE(keys));
		CHECK(n > 0);
		for (i = 0; (name = config_key_name(sections[s], i)); i++) {
			for (k = 0; k < n && strcmp(keys[k], name); k++)
				;
			if (k == n)
				sbuf_addf(&undocumented, " %s", name);
		}
		CHECK(i > 0);
		for (k = 0; k < n; k++) {
			for (i = 0; (name = config_key_name(sections[s], i)) &&
				    strcmp(keys[k], name); i++)
				;
			if (!name)
				sbuf_addf(&unknown, " %s", keys[k]);
		}
		ok = !undocumented.len && !unknown.len;
		if (!ok)
			printf("# [%s] undocumented:%s; unknown:%s\n",
			       sections[s], undocumented.buf, unknown.buf);
		sbuf_release(&undocumented);
		sbuf_release(&unknown);
		CHECK(ok);
	}
	TEST("no such section");
	CHECK(config_key_name("bind", 0) == NULL);
	CHECK(config_key_name("general", 1000) == NULL);
}

int
main(void)
{
	RUN(test_key_tables);
	RUN(test_keys_documented);
	RUN(test_parse_ok);
	RUN(test_parse_errors);
	RUN(test_secrets);
	RUN(test_argv);
	return check_done("test_config");
}
