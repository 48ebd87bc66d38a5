/*
 * The config file: git-config syntax ([section], [section "name"],
 * key = value, # and ; comments, "quoted values"). Every key is looked up
 * in a per-section table that says its type and where it goes, so an
 * unknown key or a bad value is reported with file:line and what was
 * expected. This module owns reading secrets (token-cmd/-file/-env); it
 * does not know what a service does with them.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "glean/config.h"
#include "glean/banned.h"

extern char **environ;

#define CONFIG_MAX_BYTES (1 << 20)
#define SECRET_MAX_BYTES 8192

enum ktype { K_STR, K_INT, K_BOOL, K_DUR, K_LIST, K_SERVICE, K_TKIND,
	     K_SECRET_CMD, K_SECRET_FILE, K_SECRET_ENV, K_DOUBLE, K_SORT };

struct key {
	const char *name;
	enum ktype type;
	size_t off;  /* offset of the field in its struct */
	size_t off2; /* K_LIST: offset of the count */
	const char *help;
	const char *dflt; /* the default, as it would be written in the
			   * file; NULL = none (0, false or unset) */
};

#define G(f) offsetof(struct config, f)
#define A(f) offsetof(struct config_account, f)
#define T(f) offsetof(struct config_target, f)
#define R(f) offsetof(struct config_rule, f)
#define S(f) offsetof(struct config_sync, f)

/* Every table is sorted by name: find_key() searches it in halves
 * (test_config checks the order through config_check_keys()). */
static const struct key general_keys[] = {
	{ "browser", K_STR, G(browser), 0, "command, %u is the URL", NULL },
	{ "concurrency", K_INT, G(concurrency), 0, "number", "16" },
	{ "date-format", K_STR, G(date_format), 0, "strftime format", NULL },
	{ "editor", K_STR, G(editor), 0, "command", NULL },
	{ "first-run-depth", K_INT, G(first_run_depth), 0, "number", "100" },
	{ "mark-read-on-open", K_BOOL, G(mark_read_on_open), 0, "true/false",
	  "true" },
	{ "per-host", K_INT, G(per_host), 0, "number", "2" },
	{ "refresh", K_DUR, G(refresh), 0, "duration like 1h", "1h" },
	{ "secret-timeout", K_DUR, G(secret_timeout), 0, "duration like 10s",
	  "10s" },
	{ "sort", K_SORT, G(sort), 0, "date, source, title or unread-first",
	  NULL },
	{ "timeout", K_DUR, G(timeout), 0, "duration like 120s", "120s" },
	{ "user-agent", K_STR, G(user_agent), 0, "text", NULL },
};

#define SEC(slot, nm)                                                      \
	{ nm "-cmd", K_SECRET_CMD, A(secret[slot]), 0, "command", NULL },  \
	{ nm "-env", K_SECRET_ENV, A(secret[slot]), 0, "variable name",    \
	  NULL },                                                          \
	{ nm "-file", K_SECRET_FILE, A(secret[slot]), 0, "path (mode 0600)", \
	  NULL }

static const struct key account_keys[] = {
	SEC(SECRET_ACCESS_SECRET, "access-secret"),
	SEC(SECRET_ACCESS_TOKEN, "access-token"),
	SEC(SECRET_CONSUMER_KEY, "consumer-key"),
	SEC(SECRET_CONSUMER_SECRET, "consumer-secret"),
	{ "cost-per-post", K_DOUBLE, A(cost_per_post), 0, "number (USD)",
	  NULL },
	{ "max-posts-per-run", K_INT, A(max_posts_per_run), 0, "number", NULL },
	SEC(SECRET_PASSWORD, "password"),
	{ "service", K_SERVICE, A(service), 0, "a service's name", NULL },
	SEC(SECRET_TOKEN, "token"),
	{ "url", K_STR, A(url), 0, "base URL", NULL },
	{ "user", K_STR, A(user), 0, "user name or handle", NULL },
};

static const struct key target_keys[] = {
	{ "account", K_STR, T(account), 0, "account name", NULL },
	{ "category", K_STR, T(category), 0, "category id", NULL },
	{ "format", K_STR, T(format), 0, "md, html, text, atom or json", NULL },
	{ "from", K_STR, T(from), 0, "e-mail address", NULL },
	{ "keep", K_INT, T(keep), 0, "number", "50" },
	{ "kind", K_TKIND, T(kind), 0, "file, email, webhook or a service",
	  NULL },
	{ "path", K_STR, T(path), 0, "file path", NULL },
	{ "query", K_STR, T(query), 0, "query", NULL },
	{ "since", K_STR, T(since), 0, "duration like 7d", NULL },
	{ "smtp-password-cmd", K_SECRET_CMD, T(smtp_password), 0, "command",
	  NULL },
	{ "smtp-password-env", K_SECRET_ENV, T(smtp_password), 0,
	  "variable name", NULL },
	{ "smtp-password-file", K_SECRET_FILE, T(smtp_password), 0,
	  "path (mode 0600)", NULL },
	{ "smtp-url", K_STR, T(smtp_url), 0, "smtp://host:port", NULL },
	{ "smtp-user", K_STR, T(smtp_user), 0, "user name", NULL },
	{ "starttls", K_STR, T(starttls), 0, "required or off", NULL },
	{ "subject", K_STR, T(subject), 0, "text", NULL },
	{ "template", K_STR, T(template_path), 0, "file path", NULL },
	{ "title", K_STR, T(title), 0, "text", NULL },
	{ "to", K_LIST, T(to), T(nto), "e-mail address(es)", NULL },
	{ "topic", K_STR, T(topic), 0, "topic id", NULL },
	{ "url", K_STR, T(url), 0, "URL", NULL },
	{ "visibility", K_STR, T(visibility), 0,
	  "public, unlisted, private or direct", NULL },
};

static const struct key rule_keys[] = {
	{ "hide", K_BOOL, R(hide), 0, "true/false", NULL },
	{ "match", K_STR, R(match), 0, "query", NULL },
	{ "tag", K_LIST, R(tags), R(ntags), "tag name(s)", NULL },
};

/* [sync "NAME"] (issue 17): a Tiny Tiny RSS or Google Reader API
 * server glean syncs with. */
static const struct key sync_keys[] = {
	{ "password-cmd", K_SECRET_CMD, S(password), 0, "command", NULL },
	{ "password-env", K_SECRET_ENV, S(password), 0, "variable name",
	  NULL },
	{ "password-file", K_SECRET_FILE, S(password), 0, "path (mode 0600)",
	  NULL },
	{ "service", K_STR, S(service), 0, "ttrss or greader", NULL },
	{ "url", K_STR, S(url), 0, "the server's URL", NULL },
	{ "user", K_STR, S(user), 0, "user name", NULL },
};

/* The target kinds that need no account (share's own); the others are
 * the services' names, learnt from cfg->services. */
static const char *const local_kinds[] = { "file", "email", "webhook" };

/* In the order of the store's enum item_sort. */
static const char *const sort_names[] = {
	"date", "source", "title", "unread-first",
};

const char *
config_sort_name(int sort)
{
	return sort >= 0 && (size_t)sort < ARRAY_SIZE(sort_names)
	       ? sort_names[sort] : "?";
}

/* The registered service name equal to v, or NULL. */
static const char *
known_service(const struct config *cfg, const char *v)
{
	const char *const *n;

	for (n = cfg->services; n && *n; n++)
		if (!strcmp(*n, v))
			return *n;
	return NULL;
}

/* "a, b or c": the words of a and then of b, for messages. */
static void
name_list(struct sbuf *sb, const char *const *a, size_t na,
	  const char *const *b)
{
	size_t i, n = na, k = 0;

	for (i = 0; b && b[i]; i++)
		n++;
	for (i = 0; i < n; i++, k++) {
		const char *w = i < na ? a[i] : b[i - na];

		if (k)
			sbuf_adds(sb, k + 1 == n ? " or " : ", ");
		sbuf_adds(sb, w);
	}
}

static int parse_bool(const char *v, bool *out);

/* The sections with a key table, for apply_defaults() and
 * config_check_keys(). */
static const struct {
	const char *section;
	const struct key *keys;
	size_t n;
} key_tables[] = {
	{ "account", account_keys, ARRAY_SIZE(account_keys) },
	{ "general", general_keys, ARRAY_SIZE(general_keys) },
	{ "rule", rule_keys, ARRAY_SIZE(rule_keys) },
	{ "sync", sync_keys, ARRAY_SIZE(sync_keys) },
	{ "target", target_keys, ARRAY_SIZE(target_keys) },
};

/* Set obj's fields to the defaults its key table gives. The table's
 * defaults are written by us, so one that does not parse is a bug. */
static void
apply_defaults(void *obj, const struct key *keys, size_t n)
{
	char *base = obj;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct key *k = &keys[i];
		void *field = base + k->off;
		int64_t v;

		if (!k->dflt)
			continue;
		switch (k->type) {
		case K_INT:
			if (str_to_i64(k->dflt, &v) < 0)
				BUG("bad default for %s", k->name);
			*(int64_t *)field = v;
			break;
		case K_DUR:
			if ((v = time_parse_duration(k->dflt)) < 0)
				BUG("bad default for %s", k->name);
			*(int64_t *)field = v;
			break;
		case K_BOOL:
			if (parse_bool(k->dflt, field) < 0)
				BUG("bad default for %s", k->name);
			break;
		default:
			BUG("no default of this type for %s", k->name);
		}
	}
}

void
config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	apply_defaults(cfg, general_keys, ARRAY_SIZE(general_keys));
}

static struct config defaults;
static pthread_once_t defaults_once = PTHREAD_ONCE_INIT;

static void
defaults_init(void)
{
	config_init(&defaults);
}

const struct config *
config_defaults(void)
{
	pthread_once(&defaults_once, defaults_init);
	return &defaults;
}

const char *
config_check_keys(void)
{
	static char why[128];
	size_t t, i;

	for (t = 0; t < ARRAY_SIZE(key_tables); t++)
		for (i = 1; i < key_tables[t].n; i++)
			if (strcmp(key_tables[t].keys[i - 1].name,
				   key_tables[t].keys[i].name) >= 0) {
				snprintf(why, sizeof(why), "[%s] %s before %s",
					 key_tables[t].section,
					 key_tables[t].keys[i - 1].name,
					 key_tables[t].keys[i].name);
				return why;
			}
	return NULL;
}

const char *
config_key_name(const char *section, size_t i)
{
	size_t t;

	for (t = 0; t < ARRAY_SIZE(key_tables); t++)
		if (!strcmp(key_tables[t].section, section))
			return i < key_tables[t].n ? key_tables[t].keys[i].name
						   : NULL;
	return NULL;
}

static void
secret_src_release(struct config_secret_src *s)
{
	free(s->cmd);
	free(s->file);
	free(s->env);
}

static void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
config_release(struct config *cfg)
{
	size_t i;
	int k;

	free(cfg->path);
	free(cfg->browser);
	free(cfg->editor);
	free(cfg->user_agent);
	free(cfg->date_format);
	for (i = 0; i < cfg->naccounts; i++) {
		struct config_account *a = &cfg->accounts[i];

		free(a->name);
		free(a->url);
		free(a->user);
		for (k = 0; k < SECRET_NSLOTS; k++)
			secret_src_release(&a->secret[k]);
	}
	free(cfg->accounts);
	for (i = 0; i < cfg->nsyncs; i++) {
		struct config_sync *y = &cfg->syncs[i];

		free(y->name); free(y->service); free(y->url); free(y->user);
		secret_src_release(&y->password);
	}
	free(cfg->syncs);
	for (i = 0; i < cfg->ntargets; i++) {
		struct config_target *t = &cfg->targets[i];

		free(t->name); free(t->account); free(t->format);
		free(t->path); strv_free(t->to, t->nto); free(t->from);
		free(t->smtp_url); free(t->smtp_user);
		secret_src_release(&t->smtp_password);
		free(t->starttls); free(t->visibility); free(t->category);
		free(t->topic); free(t->url); free(t->title); free(t->query);
		free(t->since); free(t->template_path); free(t->subject);
	}
	free(cfg->targets);
	for (i = 0; i < cfg->nsearches; i++) {
		free(cfg->searches[i].name);
		free(cfg->searches[i].query);
	}
	free(cfg->searches);
	for (i = 0; i < cfg->nrules; i++) {
		free(cfg->rules[i].name);
		free(cfg->rules[i].match);
		strv_free(cfg->rules[i].tags, cfg->rules[i].ntags);
	}
	free(cfg->rules);
	for (i = 0; i < cfg->nbinds; i++) {
		free(cfg->binds[i].key);
		free(cfg->binds[i].value);
	}
	free(cfg->binds);
	for (i = 0; i < cfg->ncolors; i++) {
		free(cfg->colors[i].key);
		free(cfg->colors[i].value);
	}
	free(cfg->colors);
	for (i = 0; i < cfg->nformats; i++) {
		free(cfg->formats[i].key);
		free(cfg->formats[i].value);
	}
	free(cfg->formats);
	config_init(cfg);
}

/* ---- the line parser ---- */

struct pstate {
	struct config *cfg;
	const char *file;
	int line;
	char section[64];
	void *obj;                 /* current account/target/rule, or cfg */
	const struct key *keys;
	size_t nkeys;
	struct config_kv **kv;     /* [bind]/[color]/[format] */
	size_t *nkv, *capkv;
	struct config_search *search;
};

static int
perr(const struct pstate *ps, struct err *e, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

static int
perr(const struct pstate *ps, struct err *e, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	err_set(e, ERR_CONFIG, "%s:%d: %s", ps->file, ps->line, sb.buf);
	sbuf_release(&sb);
	return -1;
}

static const struct key *
find_key(const struct key *keys, size_t n, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(name, keys[mid].name);

		if (c == 0)
			return &keys[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int
parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") ||
	    !strcasecmp(v, "on") || !strcmp(v, "1")) {
		*out = true;
		return 0;
	}
	if (!strcasecmp(v, "false") || !strcasecmp(v, "no") ||
	    !strcasecmp(v, "off") || !strcmp(v, "0")) {
		*out = false;
		return 0;
	}
	return -1;
}

/* "~/x" → "$HOME/x" for path values. */
static char *
expand_home(const char *v)
{
	const char *home = getenv("HOME");

	if (v[0] == '~' && v[1] == '/' && home && *home)
		return xasprintf("%s%s", home, v + 1);
	return xstrdup(v);
}

static int
set_secret(const struct pstate *ps, struct config_secret_src *s,
	   enum ktype t, const char *key, const char *v, struct err *e)
{
	if (s->cmd || s->file || s->env)
		return perr(ps, e, "'%s': a secret may come from only one of "
			    "-cmd, -file or -env", key);
	if (t == K_SECRET_CMD)
		s->cmd = xstrdup(v);
	else if (t == K_SECRET_FILE)
		s->file = expand_home(v);
	else {
		const char *p;

		for (p = v; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '_')
				return perr(ps, e, "'%s': expected an environment "
					    "variable name, got '%s'", key, v);
		s->env = xstrdup(v);
	}
	return 0;
}

/* strsep(p, ",") that keeps a comma inside a "quoted string" (with
 * backslash escapes) in its value. */
static char *
list_next(char **p)
{
	char *s = *p, *r;
	bool inq = false;

	if (!s)
		return NULL;
	for (r = s; *r; r++) {
		if (inq && *r == '\\' && r[1])
			r++;
		else if (*r == '"')
			inq = !inq;
		else if (*r == ',' && !inq)
			break;
	}
	*p = *r ? r + 1 : NULL;
	*r = '\0';
	return s;
}

static int
set_value(const struct pstate *ps, const struct key *k, const char *v,
	  struct err *e)
{
	char *base = ps->obj;
	void *field = base + k->off;
	int64_t n;
	size_t i;

	switch (k->type) {
	case K_STR: {
		char **s = field;

		free(*s);
		*s = expand_home(v);
		return 0;
	}
	case K_INT:
		if (str_to_i64(v, &n) < 0 || n < 0)
			return perr(ps, e, "'%s': expected a %s, got '%s'",
				    k->name, k->help, v);
		*(int64_t *)field = n;
		return 0;
	case K_DOUBLE: {
		char *end;
		double d;

		errno = 0;
		d = strtod(v, &end);
		if (errno || *end || end == v || d < 0)
			return perr(ps, e, "'%s': expected a %s, got '%s'",
				    k->name, k->help, v);
		*(double *)field = d;
		return 0;
	}
	case K_BOOL:
		if (parse_bool(v, field) < 0)
			return perr(ps, e, "'%s': expected true or false, got "
				    "'%s'", k->name, v);
		return 0;
	case K_DUR:
		n = time_parse_duration(v);
		if (n < 0)
			return perr(ps, e, "'%s': expected a duration like 30s, "
				    "15m, 1h or 7d, got '%s'", k->name, v);
		*(int64_t *)field = n;
		return 0;
	case K_LIST: {
		char ***lv = field;
		size_t *cnt = (size_t *)(base + k->off2);
		char *copy = xstrdup(v), *p = copy, *tok;

		/* Repeated keys append; commas separate values too, except
		 * inside "..." (to = "Smith, John" <j@x>, RFC 5322). */
		while ((tok = list_next(&p)) != NULL) {
			tok = str_trim(tok);
			if (!*tok)
				continue;
			*lv = xrealloc(*lv, (*cnt + 1) * sizeof(**lv));
			(*lv)[(*cnt)++] = xstrdup(tok);
		}
		free(copy);
		return 0;
	}
	case K_SERVICE:
	case K_TKIND: {
		const char *name = known_service(ps->cfg, v);
		struct sbuf want = SBUF_INIT;
		int rc;

		for (i = 0; !name && k->type == K_TKIND &&
			    i < ARRAY_SIZE(local_kinds); i++)
			if (!strcmp(v, local_kinds[i]))
				name = local_kinds[i];
		if (name) {
			*(const char **)field = name;
			return 0;
		}
		name_list(&want, local_kinds,
			  k->type == K_TKIND ? ARRAY_SIZE(local_kinds) : 0,
			  ps->cfg->services);
		rc = perr(ps, e, "'%s': expected %s, got '%s'", k->name,
			  want.buf, v);
		sbuf_release(&want);
		return rc;
	}
	case K_SORT:
		for (i = 0; i < ARRAY_SIZE(sort_names); i++)
			if (!strcmp(v, sort_names[i])) {
				*(int *)field = (int)i;
				return 0;
			}
		return perr(ps, e, "'sort': expected %s, got '%s'", k->help, v);
	case K_SECRET_CMD:
	case K_SECRET_FILE:
	case K_SECRET_ENV:
		return set_secret(ps, field, k->type, k->name, v, e);
	}
	return 0;
}

static void
key_list(struct sbuf *sb, const struct key *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sbuf_addf(sb, "%s%s", i ? ", " : "", keys[i].name);
}

/*
 * ---- sections: one table ----
 *
 * A section either names an object (named: [account "x"]) that open()
 * appends to the config and its keys fill through a key table, or is a
 * list of free key = value pairs ([bind], [color], [format]).
 */
struct section {
	const char *name;
	bool named;                /* [name "SUB"] required (else refused) */
	/* named sections: append the object, point ps at it */
	int (*open)(struct pstate *ps, const char *sub, struct err *e);
	/* [bind], [color], [format]: where the pairs go */
	size_t kv, nkv, capkv;     /* offsets in struct config */
};

static int
open_account(struct pstate *ps, const char *sub, struct err *e)
{
	struct config *cfg = ps->cfg;
	struct config_account *a;
	size_t i;

	for (i = 0; i < cfg->naccounts; i++)
		if (!strcmp(cfg->accounts[i].name, sub))
			return perr(ps, e, "account '%s' is defined twice",
				    sub);
	XGROW(cfg->accounts, cfg->cap_accounts, cfg->naccounts + 1);
	a = &cfg->accounts[cfg->naccounts++];
	memset(a, 0, sizeof(*a));
	apply_defaults(a, account_keys, ARRAY_SIZE(account_keys));
	a->name = xstrdup(sub);
	a->max_posts_per_run = -1; /* unset: the service's own budget */
	a->cost_per_post = -1;     /* unset: the service's own estimate */
	a->file = ps->file;
	a->line = ps->line;
	ps->obj = a;
	ps->keys = account_keys;
	ps->nkeys = ARRAY_SIZE(account_keys);
	return 0;
}

static int
open_target(struct pstate *ps, const char *sub, struct err *e)
{
	struct config *cfg = ps->cfg;
	struct config_target *t;
	size_t i;

	for (i = 0; i < cfg->ntargets; i++)
		if (!strcmp(cfg->targets[i].name, sub))
			return perr(ps, e, "target '%s' is defined twice", sub);
	XGROW(cfg->targets, cfg->cap_targets, cfg->ntargets + 1);
	t = &cfg->targets[cfg->ntargets++];
	memset(t, 0, sizeof(*t));
	apply_defaults(t, target_keys, ARRAY_SIZE(target_keys));
	t->name = xstrdup(sub);
	t->file = ps->file;
	t->line = ps->line;
	ps->obj = t;
	ps->keys = target_keys;
	ps->nkeys = ARRAY_SIZE(target_keys);
	return 0;
}

static int
open_rule(struct pstate *ps, const char *sub, struct err *e)
{
	struct config *cfg = ps->cfg;
	struct config_rule *r;

	(void)e;
	XGROW(cfg->rules, cfg->cap_rules, cfg->nrules + 1);
	r = &cfg->rules[cfg->nrules++];
	memset(r, 0, sizeof(*r));
	apply_defaults(r, rule_keys, ARRAY_SIZE(rule_keys));
	r->name = xstrdup(sub);
	r->file = ps->file;
	r->line = ps->line;
	ps->obj = r;
	ps->keys = rule_keys;
	ps->nkeys = ARRAY_SIZE(rule_keys);
	return 0;
}

static int
open_sync(struct pstate *ps, const char *sub, struct err *e)
{
	struct config *cfg = ps->cfg;
	struct config_sync *y;
	size_t i;

	for (i = 0; i < cfg->nsyncs; i++)
		if (!strcmp(cfg->syncs[i].name, sub))
			return perr(ps, e, "sync '%s' is defined twice", sub);
	XGROW(cfg->syncs, cfg->cap_syncs, cfg->nsyncs + 1);
	y = &cfg->syncs[cfg->nsyncs++];
	memset(y, 0, sizeof(*y));
	apply_defaults(y, sync_keys, ARRAY_SIZE(sync_keys));
	y->name = xstrdup(sub);
	y->file = ps->file;
	y->line = ps->line;
	ps->obj = y;
	ps->keys = sync_keys;
	ps->nkeys = ARRAY_SIZE(sync_keys);
	return 0;
}

static int
open_search(struct pstate *ps, const char *sub, struct err *e)
{
	struct config *cfg = ps->cfg;

	(void)e;
	XGROW(cfg->searches, cfg->cap_searches, cfg->nsearches + 1);
	ps->search = &cfg->searches[cfg->nsearches++];
	ps->search->name = xstrdup(sub);
	ps->search->query = NULL;
	return 0;
}

#define KV(f) offsetof(struct config, f), offsetof(struct config, n##f), \
	      offsetof(struct config, cap_##f)

/* In the order the error message lists them. */
static const struct section sections[] = {
	{ "general", false, NULL, 0, 0, 0 },
	{ "account", true, open_account, 0, 0, 0 },
	{ "target", true, open_target, 0, 0, 0 },
	{ "search", true, open_search, 0, 0, 0 },
	{ "rule", true, open_rule, 0, 0, 0 },
	{ "bind", false, NULL, KV(binds) },
	{ "color", false, NULL, KV(colors) },
	{ "format", false, NULL, KV(formats) },
	{ "sync", true, open_sync, 0, 0, 0 },
};

static int
begin_section(struct pstate *ps, const char *name, const char *sub,
	      struct err *e)
{
	char *base = (char *)ps->cfg;
	const struct section *sec = NULL;
	struct sbuf sb = SBUF_INIT;
	size_t i;
	int rc;

	ps->obj = NULL;
	ps->keys = NULL;
	ps->nkeys = 0;
	ps->kv = NULL;
	ps->search = NULL;
	snprintf(ps->section, sizeof(ps->section), "%s", name);
	for (i = 0; i < ARRAY_SIZE(sections) && !sec; i++)
		if (!strcmp(name, sections[i].name))
			sec = &sections[i];
	if (!sec) {
		for (i = 0; i < ARRAY_SIZE(sections); i++)
			sbuf_addf(&sb, "%s%s", i == 0 ? "" :
				  i + 1 == ARRAY_SIZE(sections) ? " or " : ", ",
				  sections[i].name);
		rc = perr(ps, e, "unknown section [%s]; expected %s", name,
			  sb.buf);
		sbuf_release(&sb);
		return rc;
	}
	if (sec->named) {
		if (!sub || !*sub)
			return perr(ps, e, "expected [%s \"NAME\"]", name);
		return sec->open(ps, sub, e);
	}
	if (sec->kv) {
		/* as before: a name on [bind] etc. is ignored */
		ps->kv = (struct config_kv **)(void *)(base + sec->kv);
		ps->nkv = (size_t *)(void *)(base + sec->nkv);
		ps->capkv = (size_t *)(void *)(base + sec->capkv);
		return 0;
	}
	/* [general] */
	if (sub)
		return perr(ps, e, "[general] takes no name");
	ps->obj = ps->cfg;
	ps->keys = general_keys;
	ps->nkeys = ARRAY_SIZE(general_keys);
	return 0;
}

/*
 * Clean a value in place: cut a trailing comment (# or ; after a blank,
 * outside quotes) and, when the whole value is one "quoted string",
 * unquote it (\" \\ \n \t). Quotes inside a value are kept as written,
 * so a query (source:"Civic Notes") or a command ('a b') keeps its own
 * quoting — unlike git, which would drop them.
 */
static int
unquote(char *v, const struct pstate *ps, struct err *e)
{
	char *r, *w;
	bool inq = false;
	size_t n;

	for (r = v; *r; r++) {
		if (*r == '\\' && inq && r[1]) {
			r++;
			continue;
		}
		if (*r == '"')
			inq = !inq;
		else if (!inq && (*r == '#' || *r == ';') &&
			 (r == v || isspace((unsigned char)r[-1]))) {
			*r = '\0';
			break;
		}
	}
	if (inq)
		return perr(ps, e, "unterminated quote in value");
	n = strlen(v);
	while (n && isspace((unsigned char)v[n - 1]))
		v[--n] = '\0';
	if (n < 2 || v[0] != '"' || v[n - 1] != '"')
		return 0;
	/* one quoted string only: no other unescaped quote inside */
	for (r = v + 1; r < v + n - 1; r++) {
		if (*r == '\\' && r[1])
			r++;
		else if (*r == '"')
			return 0;
	}
	for (r = v + 1, w = v; r < v + n - 1; r++) {
		if (*r == '\\') {
			r++;
			switch (*r) {
			case 'n': *w++ = '\n'; break;
			case 't': *w++ = '\t'; break;
			case '"': case '\\': *w++ = *r; break;
			default:
				return perr(ps, e, "unknown escape '\\%c' in "
					    "value", *r);
			}
			continue;
		}
		*w++ = *r;
	}
	*w = '\0';
	return 0;
}

static int
parse_line(struct pstate *ps, char *line, struct err *e)
{
	char *s = str_trim(line), *eq, *key, *val;
	const struct key *k;

	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *end = strchr(s, ']'), *name, *sub = NULL, *q;

		if (!end)
			return perr(ps, e, "expected ']' to close the section "
				    "header");
		if (*str_trim(end + 1) && end[1] != '#' && end[1] != ';') {
			char *rest = str_trim(end + 1);

			if (*rest != '#' && *rest != ';')
				return perr(ps, e, "unexpected text after "
					    "section header");
		}
		*end = '\0';
		name = str_trim(s + 1);
		q = strchr(name, '"');
		if (q) {
			char *qe = strrchr(q + 1, '"');

			if (!qe || qe == q)
				return perr(ps, e, "expected [section \"name\"]");
			*qe = '\0';
			sub = q + 1;
			*q = '\0';
			name = str_trim(name);
		} else if (strchr(name, ' ')) {
			return perr(ps, e, "expected [section \"name\"] with "
				    "the name in double quotes");
		}
		for (q = name; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		return begin_section(ps, name, sub, e);
	}
	eq = strchr(s, '=');
	if (!eq)
		return perr(ps, e, "expected 'key = value' or a [section] "
			    "header");
	*eq = '\0';
	key = str_trim(s);
	val = str_trim(eq + 1);
	if (!*key)
		return perr(ps, e, "expected a key before '='");
	if (unquote(val, ps, e) < 0)
		return -1;
	if (!ps->section[0])
		return perr(ps, e, "'%s' is outside any section; put it under "
			    "[general] or another section", key);
	if (ps->kv) {
		struct config_kv *kv;

		XGROW(*ps->kv, *ps->capkv, *ps->nkv + 1);
		kv = &(*ps->kv)[(*ps->nkv)++];
		kv->key = xstrdup(key);
		kv->value = xstrdup(val);
		kv->file = ps->file;
		kv->line = ps->line;
		return 0;
	}
	if (ps->search) {
		if (strcmp(key, "query") != 0)
			return perr(ps, e, "unknown key '%s' in [search]; "
				    "expected query", key);
		free(ps->search->query);
		ps->search->query = xstrdup(val);
		return 0;
	}
	k = find_key(ps->keys, ps->nkeys, key);
	if (!k) {
		struct sbuf sb = SBUF_INIT;
		int rc;

		key_list(&sb, ps->keys, ps->nkeys);
		rc = perr(ps, e, "unknown key '%s' in [%s]; expected one of: %s",
			  key, ps->section, sb.buf);
		sbuf_release(&sb);
		return rc;
	}
	return set_value(ps, k, val, e);
}

static int
validate(struct config *cfg, struct err *e)
{
	struct sbuf names = SBUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < cfg->naccounts && !rc; i++) {
		struct config_account *a = &cfg->accounts[i];

		if (a->service)
			continue;
		name_list(&names, NULL, 0, cfg->services);
		rc = err_set(e, ERR_CONFIG, "%s:%d: account '%s' needs "
			     "'service = NAME' (%s)", a->file, a->line,
			     a->name, names.buf);
	}
	for (i = 0; i < cfg->ntargets && !rc; i++) {
		const struct config_target *t = &cfg->targets[i];

		if (t->kind)
			continue;
		name_list(&names, local_kinds, ARRAY_SIZE(local_kinds),
			  cfg->services);
		rc = err_set(e, ERR_CONFIG, "%s:%d: target '%s' needs 'kind = "
			     "KIND' (%s)", t->file, t->line, t->name,
			     names.buf);
	}
	sbuf_release(&names);
	if (rc)
		return rc;
	for (i = 0; i < cfg->ntargets; i++) {
		struct config_target *t = &cfg->targets[i];
		const char *need = NULL;

		if (!strcmp(t->kind, "file")) {
			if (!t->path)
				need = "path = FILE";
		} else if (!strcmp(t->kind, "email")) {
			if (!t->nto)
				need = "to = ADDRESS";
			else if (!t->from)
				need = "from = ADDRESS";
			else if (!t->smtp_url)
				need = "smtp-url = smtp://HOST:PORT";
		} else if (!strcmp(t->kind, "webhook")) {
			if (!t->url)
				need = "url = https://...";
		} else {
			if (!t->account)
				need = "account = NAME";
			else if (!config_account(cfg, t->account))
				return err_set(e, ERR_CONFIG,
					       "%s:%d: target '%s' names "
					       "account '%s', which is not "
					       "defined; add [account \"%s\"]",
					       t->file, t->line, t->name,
					       t->account, t->account);
		}
		if (need)
			return err_set(e, ERR_CONFIG,
				       "%s:%d: target '%s' (%s) needs '%s'",
				       t->file, t->line, t->name, t->kind,
				       need);
		if (t->since && time_parse_duration(t->since) < 0)
			return err_set(e, ERR_CONFIG,
				       "%s:%d: target '%s': 'since' expects a "
				       "duration like 7d, got '%s'", t->file,
				       t->line, t->name, t->since);
	}
	for (i = 0; i < cfg->nrules; i++)
		if (!cfg->rules[i].match)
			return err_set(e, ERR_CONFIG,
				       "%s:%d: rule '%s' needs 'match = QUERY'",
				       cfg->rules[i].file, cfg->rules[i].line,
				       cfg->rules[i].name);
	for (i = 0; i < cfg->nsearches; i++)
		if (!cfg->searches[i].query)
			return err_set(e, ERR_CONFIG,
				       "search '%s' needs 'query = QUERY'",
				       cfg->searches[i].name);
	for (i = 0; i < cfg->nsyncs; i++) {
		struct config_sync *y = &cfg->syncs[i];
		const char *need = NULL;

		if (!y->service)
			need = "service = ttrss|greader";
		else if (strcmp(y->service, "ttrss") &&
			 strcmp(y->service, "greader"))
			return err_set(e, ERR_CONFIG, "%s:%d: sync '%s': "
				       "'service' expects ttrss or greader, "
				       "got '%s'", y->file, y->line, y->name,
				       y->service);
		else if (!y->url)
			need = "url = https://...";
		else if (!y->user)
			need = "user = NAME";
		else if (!y->password.cmd && !y->password.file &&
			 !y->password.env)
			need = "password-cmd, password-file or password-env";
		if (need)
			return err_set(e, ERR_CONFIG, "%s:%d: sync '%s' needs "
				       "'%s'", y->file, y->line, y->name, need);
		y->password.timeout = cfg->secret_timeout;
	}
	if (cfg->concurrency < 1 || cfg->per_host < 1)
		return err_set(e, ERR_CONFIG,
			       "concurrency and per-host must be at least 1");
	if (cfg->secret_timeout < 1)
		return err_set(e, ERR_CONFIG,
			       "secret-timeout must be at least 1s");
	/* The secrets learn their limit here: config_secret() is given an
	 * account, not the config. */
	for (i = 0; i < cfg->naccounts; i++) {
		size_t k;

		for (k = 0; k < SECRET_NSLOTS; k++)
			cfg->accounts[i].secret[k].timeout =
				cfg->secret_timeout;
	}
	for (i = 0; i < cfg->ntargets; i++)
		cfg->targets[i].smtp_password.timeout = cfg->secret_timeout;
	return 0;
}

int
config_parse(struct config *cfg, const char *name, const char *text,
	     size_t len, struct err *e)
{
	struct pstate ps = { 0 };
	const char *nul = memchr(text, '\0', len), *c;
	char *copy, *p, *line;
	int rc = 0;

	if (!cfg->path)
		cfg->path = xstrdup(name);
	ps.cfg = cfg;
	ps.file = cfg->path;
	if (nul) {
		/* the lines after it would be dropped without a word */
		ps.line = 1;
		for (c = text; c < nul; c++)
			ps.line += *c == '\n';
		return perr(&ps, e, "a NUL byte: the config must be text");
	}
	copy = xstrndup(text, len);
	p = copy;
	while ((line = strsep(&p, "\n")) != NULL) {
		ps.line++;
		if (strlen(line) > 8192) {
			rc = perr(&ps, e, "line too long");
			break;
		}
		if ((rc = parse_line(&ps, line, e)) < 0)
			break;
	}
	free(copy);
	if (rc == 0)
		rc = validate(cfg, e);
	return rc;
}

int
config_load(struct config *cfg, const char *path, struct err *e)
{
	struct sbuf sb = SBUF_INIT;
	FILE *fp;
	int rc;

	free(cfg->path);
	cfg->path = xstrdup(path);
	fp = fopen(path, "r");
	if (!fp) {
		if (errno == ENOENT)
			return 0;
		return err_set(e, ERR_CONFIG, "cannot read config '%s': %s",
			       path, strerror(errno));
	}
	sb.max = CONFIG_MAX_BYTES;
	if (sbuf_read_fp(&sb, fp) < 0 && sbuf_over(&sb)) {
		fclose(fp);
		sbuf_release(&sb);
		return err_set(e, ERR_CONFIG, "config '%s' is larger than 1 "
			       "MiB", path);
	}
	if (ferror(fp)) {
		fclose(fp);
		sbuf_release(&sb);
		return err_set(e, ERR_CONFIG, "cannot read config '%s': %s",
			       path, strerror(errno));
	}
	fclose(fp);
	rc = config_parse(cfg, path, sb.buf, sb.len, e);
	sbuf_release(&sb);
	return rc;
}

const struct config_account *
config_account(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->naccounts; i++)
		if (!strcmp(cfg->accounts[i].name, name))
			return &cfg->accounts[i];
	return NULL;
}

static bool
url_host_is(const char *url, const char *host)
{
	const char *p = strstr(url, "://"), *end;
	size_t n;

	if (!p)
		return false;
	p += 3;
	end = p + strcspn(p, "/:?#");
	n = (size_t)(end - p);
	return strlen(host) == n && strncasecmp(p, host, n) == 0;
}

const struct config_account *
config_account_for(const struct config *cfg, const char *service,
		   const char *host)
{
	size_t i;

	for (i = 0; i < cfg->naccounts; i++) {
		const struct config_account *a = &cfg->accounts[i];

		if (!a->service || strcmp(a->service, service) != 0)
			continue;
		if (!host || (a->url && url_host_is(a->url, host)))
			return a;
	}
	return NULL;
}

const struct config_target *
config_target(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->ntargets; i++)
		if (!strcmp(cfg->targets[i].name, name))
			return &cfg->targets[i];
	return NULL;
}

/* ---- argv splitting and secrets ---- */

void
config_argv_free(char **argv)
{
	char **p;

	if (!argv)
		return;
	for (p = argv; *p; p++)
		free(*p);
	free(argv);
}

int
config_split_argv(const char *tmpl, char ***argvp, size_t *argcp,
		  struct err *e)
{
	struct sbuf cur = SBUF_INIT;
	char **argv = NULL;
	size_t argc = 0;
	const char *p = tmpl;
	char q = 0;
	bool have = false;

	for (;; p++) {
		if (!*p || (!q && isspace((unsigned char)*p))) {
			if (q) {
				sbuf_release(&cur);
				config_argv_free(argv);
				return err_set(e, ERR_CONFIG, "unterminated "
					       "quote in command '%s'", tmpl);
			}
			if (have) {
				argv = xrealloc(argv, (argc + 2) * sizeof(*argv));
				argv[argc++] = sbuf_detach(&cur, NULL);
				argv[argc] = NULL;
				have = false;
			}
			if (!*p)
				break;
			continue;
		}
		have = true;
		if (q) {
			if (*p == q)
				q = 0;
			else if (*p == '\\' && q == '"' && p[1])
				sbuf_addch(&cur, *++p);
			else
				sbuf_addch(&cur, *p);
		} else if (*p == '\'' || *p == '"') {
			q = *p;
		} else if (*p == '\\' && p[1]) {
			sbuf_addch(&cur, *++p);
		} else {
			sbuf_addch(&cur, *p);
		}
	}
	sbuf_release(&cur);
	if (!argc)
		return err_set(e, ERR_CONFIG, "empty command");
	*argvp = argv;
	if (argcp)
		*argcp = argc;
	return 0;
}

void
config_secret_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static void
chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* Read the command's output until EOF or the deadline (time_now_ms);
 * 0 at EOF, 1 at the deadline. Output past the cap is drained and
 * counted as overflow by sbuf_finish(). */
static int
read_until(struct sbuf *sb, int fd, int64_t deadline)
{
	char buf[1024];

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - time_now_ms();
		ssize_t n;
		int r;

		if (left <= 0)
			return 1;
		r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return 0;
		if (r == 0)
			continue; /* the deadline is checked above */
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sbuf_add(sb, buf, (size_t)n);
	}
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/* Wait for pid until the deadline; false when it is still running. */
static bool
wait_until(pid_t pid, int *status, int64_t deadline)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return true;
		if (time_now_ms() >= deadline)
			return false;
		(void)poll(NULL, 0, 20);
	}
}

/*
 * Run tmpl and read the secret from its stdout. The command gets a time
 * limit (src->timeout seconds) and its own process group, so that at the
 * limit the whole group is killed, whatever it started (a gpg-agent
 * prompt, a shell's children), and glean never waits on a prompt nobody
 * will answer (cron).
 */
static int
secret_from_cmd(const struct config_secret_src *src, const char *what,
		char **out, struct err *e)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char **argv = NULL;
	struct sbuf sb = SBUF_INIT;
	int64_t limit = src->timeout > 0 ? src->timeout : 10, deadline;
	int pipefd[2], status = 0, rc = -1;
	bool late;
	pid_t pid;

	if (config_split_argv(src->cmd, &argv, NULL, e) < 0)
		return err_prefix(e, "%s", what);
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		config_argv_free(argv);
		return err_set(e, ERR_IO, "%s: pipe: %s", what, strerror(errno));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	if (posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ) != 0) {
		err_set(e, ERR_CONFIG, "%s-cmd: cannot run '%s'", what,
			argv[0]);
		close(pipefd[0]);
		close(pipefd[1]);
		goto out;
	}
	close(pipefd[1]);
	sb.max = SECRET_MAX_BYTES;
	deadline = time_now_ms() + limit * 1000;
	late = read_until(&sb, pipefd[0], deadline) != 0;
	close(pipefd[0]);
	if (!late)
		late = !wait_until(pid, &status, deadline);
	if (late) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		err_set(e, ERR_AUTH, "%s-cmd did not finish within %llds; it "
			"was stopped (run '%s' by hand to see why, or raise "
			"secret-timeout under [general])", what,
			(long long)limit, argv[0]);
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		err_set(e, ERR_AUTH, "%s-cmd: command '%s' failed (exit %d)",
			what, argv[0],
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		goto out;
	}
	if (sbuf_finish(&sb, e, "the secret") < 0) {
		err_prefix(e, "%s-cmd: command '%s'", what, argv[0]);
		goto out;
	}
	*out = sbuf_detach(&sb, NULL);
	chomp(*out);
	rc = 0;
out:
	if (sb.cap)
		explicit_bzero(sb.buf, sb.cap);
	sbuf_release(&sb);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	config_argv_free(argv);
	return rc;
}

static int
secret_from_file(const char *path, const char *what, char **out,
		 struct err *e)
{
	struct stat stt;
	struct sbuf sb = SBUF_INIT;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return err_set(e, ERR_CONFIG, "%s: cannot read '%s': %s", what,
			       path, strerror(errno));
	if (fstat(fd, &stt) < 0) {
		err_set(e, ERR_IO, "%s: cannot stat '%s'", what, path);
		goto out;
	}
	if (stt.st_uid != geteuid()) {
		err_set(e, ERR_AUTH, "%s: '%s' is not owned by you; refusing "
			"to read a secret from it", what, path);
		goto out;
	}
	if (stt.st_mode & 077) {
		err_set(e, ERR_AUTH, "%s: '%s' is readable by others (mode "
			"%03o); run: chmod 600 '%s'", what, path,
			(unsigned)(stt.st_mode & 0777), path);
		goto out;
	}
	sb.max = SECRET_MAX_BYTES;
	sbuf_read_fd(&sb, fd);
	if (sbuf_finish(&sb, e, "the secret") < 0) {
		err_prefix(e, "%s: file '%s'", what, path);
		explicit_bzero(sb.buf, sb.len);
		sbuf_release(&sb);
		goto out;
	}
	*out = sbuf_detach(&sb, NULL);
	chomp(*out);
	rc = 0;
out:
	close(fd);
	return rc;
}

int
config_secret_from(const struct config_secret_src *src, const char *what,
		   char **out, struct err *e)
{
	*out = NULL;
	if (src->cmd)
		return secret_from_cmd(src, what, out, e);
	if (src->file)
		return secret_from_file(src->file, what, out, e);
	if (src->env) {
		const char *v = getenv(src->env);

		if (!v || !*v)
			return err_set(e, ERR_AUTH, "%s: environment variable "
				       "%s is not set", what, src->env);
		*out = xstrdup(v);
		return 0;
	}
	return err_set(e, ERR_CONFIG, "%s is not configured", what);
}

int
config_secret(const struct config_account *a, enum secret_slot slot,
	      char **out, struct err *e)
{
	static const char *const slot_names[] = {
		"token", "password", "consumer-key", "consumer-secret",
		"access-token", "access-secret",
	};
	char what[160];
	const struct config_secret_src *src = &a->secret[slot];

	snprintf(what, sizeof(what), "account '%s': %s", a->name,
		 slot_names[slot]);
	if (!src->cmd && !src->file && !src->env)
		return err_set(e, ERR_CONFIG, "%s is not configured; add "
			       "'%s-cmd = COMMAND', '%s-file = PATH' or "
			       "'%s-env = VARIABLE' under [account \"%s\"] in "
			       "%s", what, slot_names[slot], slot_names[slot],
			       slot_names[slot], a->name, a->file ? a->file
								  : "config");
	return config_secret_from(src, what, out, e);
}
