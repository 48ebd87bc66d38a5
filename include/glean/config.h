/*
 * config: the git-config style file (DESIGN.md §1) → struct config.
 * Parse first (every line checked, errors as "file:line: what was
 * expected"), then apply defaults. Secrets are never stored in the
 * struct: accounts name where a secret lives (a command, a 0600 file or
 * an environment variable) and config_secret() fetches it on demand.
 */
#ifndef GLEAN_CONFIG_H
#define GLEAN_CONFIG_H

#include "glean/base.h"

/* Where one secret comes from; at most one of these is set. */
struct config_secret_src {
	char *cmd;  /* argv template, split without a shell */
	char *file; /* must be 0600 and owned by the user */
	char *env;  /* name of an environment variable */
	/* seconds a cmd may run ([general] secret-timeout, copied here
	 * when the config loads); 0 = the default, 10 */
	int64_t timeout;
};

/* Secret slots an account can have. */
enum secret_slot {
	SECRET_TOKEN,           /* Mastodon/X bearer, Discourse API key */
	SECRET_PASSWORD,        /* Bluesky app password */
	SECRET_CONSUMER_KEY,    /* X OAuth 1.0a */
	SECRET_CONSUMER_SECRET,
	SECRET_ACCESS_TOKEN,
	SECRET_ACCESS_SECRET,
	SECRET_NSLOTS,
};

struct config_account {
	char *name;
	const char *service; /* a name from cfg->services (the registry) */
	char *url;      /* instance / API base URL */
	char *user;     /* handle, username (Discourse Api-Username) */
	struct config_secret_src secret[SECRET_NSLOTS];
	int64_t max_posts_per_run; /* X budget, -1 = default */
	double cost_per_post;      /* X, USD, estimate shown in summaries */
	const char *file;
	int line;
};

struct config_target {
	char *name;
	const char *kind; /* "file", "email", "webhook" or a service name */
	char *account;   /* for social/hub targets */
	char *format;    /* md html text atom json (file); slack|digest (webhook) */
	char *path;      /* file target */
	int64_t keep;    /* file atom/json: last N items, default 50 */
	char **to;       /* email recipients */
	size_t nto;
	char *from;
	char *smtp_url;  /* smtp://host:port or smtps:// */
	char *smtp_user;
	struct config_secret_src smtp_password;
	char *starttls;  /* required (default) | off */
	char *visibility;/* mastodon: public unlisted private direct */
	char *category;  /* discourse category id */
	char *topic;     /* discourse topic id: reply instead of new topic */
	char *url;       /* webhook URL, or the public URL of a file feed */
	char *title;     /* digest title */
	char *query;     /* selection, DESIGN.md §4 query language */
	char *since;     /* window, e.g. 7d */
	char *template_path;
	char *subject;
	const char *file;
	int line;
};

/* [sync "NAME"]: a server glean syncs with (issue 17). */
struct config_sync {
	char *name;
	char *service;   /* "ttrss" or "greader" */
	char *url;       /* the server's base URL */
	char *user;
	struct config_secret_src password;
	const char *file;
	int line;
};

struct config_search {
	char *name, *query;
};

struct config_rule {
	char *name, *match; /* query language */
	char **tags;        /* auto-tag */
	size_t ntags;
	bool hide;          /* killfile */
	const char *file;
	int line;
};

struct config_kv {
	char *key, *value;
	const char *file;
	int line;
};

struct config {
	char *path;             /* file it was read from (may not exist) */
	/* The service names `service =` and `kind =` accept: the service
	 * registry's (service_names()), set by the caller before
	 * config_load. Config sits below the services, so it learns their
	 * names here instead of keeping a second list. NULL: none. */
	const char *const *services;
	/* [general] */
	char *browser;          /* argv template, %u = URL */
	char *editor;           /* default $EDITOR, then vi */
	int64_t concurrency;    /* 16 */
	int64_t per_host;       /* 2 */
	char *user_agent;
	int64_t timeout;        /* seconds per feed, 120 */
	int64_t secret_timeout; /* seconds a *-cmd may run, 10 */
	int64_t refresh;        /* default interval between fetches, 3600 */
	bool mark_read_on_open; /* true */
	int64_t first_run_depth;/* social lists: posts on first fetch, 100 */
	char *date_format;
	int sort;               /* list order: 0 date, 1 source, 2 title,
				   3 unread-first (store.h enum item_sort) */
	struct config_account *accounts;
	size_t naccounts, cap_accounts;
	struct config_target *targets;
	size_t ntargets, cap_targets;
	struct config_sync *syncs;
	size_t nsyncs, cap_syncs;
	struct config_search *searches;
	size_t nsearches, cap_searches;
	struct config_rule *rules;
	size_t nrules, cap_rules;
	struct config_kv *binds;   /* [bind] key = action */
	size_t nbinds, cap_binds;
	struct config_kv *colors;  /* [color] element = fg bg attr */
	size_t ncolors, cap_colors;
	struct config_kv *formats; /* [format] list = template */
	size_t nformats, cap_formats;
};

/* Load path into cfg. A missing file is not an error (defaults apply);
 * an unreadable one or any bad line is (ERR_CONFIG, "file:line: ..."). */
int config_load(struct config *cfg, const char *path, struct err *e);
/* Parse text as if it were the file `name` (tests). */
int config_parse(struct config *cfg, const char *name, const char *text,
		 size_t len, struct err *e);
/* Every [general] default, from the key table in config.c (the one
 * place defaults are written). */
void config_init(struct config *cfg);
/* A config with every default and nothing else, for callers that have
 * no file to read (tests, tools): the config is never NULL where it is
 * used. Shared and read-only. */
const struct config *config_defaults(void);
/* NULL when every key table is sorted (find_key() needs it), else which
 * keys are out of order (test_config). */
const char *config_check_keys(void);
/* The i-th key of [section] ("general", "account", "target", "rule") in
 * table order; NULL past the end (test_config checks them against
 * man/glean-config.5). */
const char *config_key_name(const char *section, size_t i);
/* "date", "source", "title" or "unread-first" for a [general] sort value. */
const char *config_sort_name(int sort);
void config_release(struct config *cfg);

const struct config_account *config_account(const struct config *cfg,
					    const char *name);
/* First account of a service (optionally whose url's host matches host). */
const struct config_account *config_account_for(const struct config *cfg,
						const char *service,
						const char *host);
const struct config_target *config_target(const struct config *cfg,
					  const char *name);

/* Fetch a secret. Returns a new string the caller must wipe and free
 * (config_secret_free). Errors name the config key and the fix, never
 * the secret. */
int config_secret(const struct config_account *a, enum secret_slot slot,
		  char **out, struct err *e);
int config_secret_from(const struct config_secret_src *src,
		       const char *what, char **out, struct err *e);
void config_secret_free(char *s);

/* Split a command template into argv (whitespace, '…' and "…" quoting,
 * backslash escapes). No shell is ever involved. */
int config_split_argv(const char *tmpl, char ***argv, size_t *argc,
		      struct err *e);
void config_argv_free(char **argv);

#endif
