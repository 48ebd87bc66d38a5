/*
 * social: sources read through a service's JSON API instead of a feed —
 * Mastodon, Bluesky and X lists (src/social/) and Discourse hubs
 * (src/hub/discourse.c). Each service is one `const struct source_ops`
 * table; a `struct social_run` drives one source through its pages, one
 * request at a time (paging is sequential by nature, and that is the
 * polite pace), and collects the posts as a neutral struct feed_doc.
 *
 * Nothing here does I/O: the caller (seek) sends run->req with the fetch
 * engine and hands each response back to social_run_response(). Nothing
 * here stores: the caller turns run->doc into items and saves
 * run->cursor_out with them in one transaction.
 *
 * Credentials: the token is fetched with config_secret() when the run
 * starts, lives only in run->req's header strings and is wiped on
 * release. It never reaches a URL, a log line or an error message.
 */
#ifndef GLEAN_SOCIAL_H
#define GLEAN_SOCIAL_H

#include "glean/base.h"
#include "glean/config.h"
#include "glean/json.h"
#include "glean/parse.h"

struct source;
struct fetch_resp;
struct social_run;

#define SOCIAL_MAX_HDR 4
#define SOCIAL_DEFAULT_BUDGET 100    /* X: posts read per run */
#define SOCIAL_DEFAULT_COST 0.005    /* X: USD per post read, an estimate */
#define SOCIAL_X_MIN_INTERVAL (6 * 3600)

/* One service. begin() sets the first request; page() reads one parsed
 * response and returns 1 after setting the next request, 0 when the run
 * is complete, -1 on a whole-response error. A post with a field of the
 * wrong type is skipped and counted in run->bad_posts, never fatal. */
struct source_ops {
	const char *kind;               /* source.kind in the store */
	enum account_service service;
	bool needs_token;               /* refuse to start without one */
	int (*begin)(struct social_run *r, struct err *e);
	int (*page)(struct social_run *r, const struct json *j,
		    const struct fetch_resp *resp, struct err *e);
	void (*release)(struct social_run *r);
};

extern const struct source_ops mastodon_ops;
extern const struct source_ops bluesky_ops;
extern const struct source_ops x_ops;
extern const struct source_ops discourse_ops;

/* The ops for a source kind, or NULL for feeds and unknown kinds. */
const struct source_ops *social_ops(const char *kind);

struct social_run {
	const struct source_ops *ops;
	const struct config *cfg;
	const struct config_account *acct; /* NULL: Bluesky without one */
	const char *src_url;     /* the pasted web URL (borrowed) */
	const char *cursor_in;   /* saved paging state or NULL (borrowed) */
	int64_t source_id;
	int64_t now;
	char *base;              /* API origin, no trailing slash */
	char *token;             /* wiped and freed on release */
	int64_t depth;           /* max posts to collect this run */
	int64_t budget;          /* X: max posts to read, else 0 */
	int64_t posts_read;      /* posts in responses (what X bills) */
	int64_t bad_posts;       /* skipped: a field of the wrong type */
	int pages;
	struct feed_doc doc;     /* posts collected so far */
	char *cursor_out;        /* state to save when the run completes */
	int64_t not_before;      /* rate limit: next call not before, or 0 */
	int64_t min_interval;    /* floor for the next regular fetch, or 0 */
	char *notice;            /* a line for the fetch summary, or NULL */
	/* the request to send next (valid after begin/page return > 0) */
	char *req_url;
	char *hdr[SOCIAL_MAX_HDR];
	const char *hdrv[SOCIAL_MAX_HDR + 1]; /* NULL-ended view of hdr */
	void *priv;              /* the service's own state */
};

/*
 * Prepare a run for source s (borrowed until release). Fails with
 * ERR_CONFIG when the account the source needs is missing (the message
 * names the config lines to add) and ERR_AUTH when the secret cannot be
 * read. On success run->req_url is the first request.
 */
int social_run_init(struct social_run *r, const struct config *cfg,
		    const struct source *s, int64_t now, struct err *e);
/*
 * Feed one response in: checks status (401 → ERR_AUTH "re-authenticate",
 * 429 → ERR_LIMIT with run->not_before, 404 → ERR_NOTFOUND), reads the
 * rate-limit headers, validates the JSON and hands it to the service.
 * Returns 1 when run->req_url holds the next request, 0 when complete.
 */
int social_run_response(struct social_run *r, struct fetch_resp *resp,
			struct err *e);
void social_run_release(struct social_run *r);

/*
 * What `glean add` needs to know about a pasted URL: the source kind and
 * the account to use, or an ERR_CONFIG message that says which lines to
 * put in the config. Returns 1 when url is an API-read source (kind and
 * account filled, account may be NULL for Bluesky), 0 when it is not one
 * (treat as a feed), -1 with e set.
 */
int social_classify(const struct config *cfg, const char *url,
		    const char **kind, const char **account, char **title,
		    struct err *e);

/* ---- helpers the services share (src/social/social.c) ---- */

/* Set the next request to url (owned copy), with the run's auth headers. */
void social_set_req(struct social_run *r, const char *url);
/* Append s, percent-encoded for a query value, to sb. */
void social_url_escape(struct sbuf *sb, const char *s);
/* Append s (n bytes) to sb with & < > " escaped and "\n" as "<br>"
 * (base's text_escape() with ESC_QUOT | ESC_BR). */
void social_html_escape(struct sbuf *sb, const char *s, size_t n);
/* "Display Name (@handle)", or "@handle" without a display name. New
 * string, sanitized to one line. */
char *social_author(const char *display, const char *handle);
/* The first sentence of the plain text of html, cut at a word boundary
 * near max bytes (with …). New string or NULL when there is no text. */
char *social_title(const char *html, size_t max);
/* Compare two decimal id strings as numbers (Mastodon, X). */
int social_id_cmp(const char *a, const char *b);
/* True when url has the same scheme://host[:port] as base. A Link or
 * next URL elsewhere would carry our token off-site. */
bool social_same_origin(const char *base, const char *url);
/* A new entry in r->doc with dates unset. */
struct feed_entry *social_entry(struct social_run *r);
/* Sanitized copy (multi-line kept), NULL for NULL. */
char *social_clean(const char *s);
/* String member key of the saved paging state (r->cursor_in, JSON), a
 * new string, or NULL when absent, empty or unreadable. */
char *social_cursor_str(const struct social_run *r, const char *key);
/* Member key (a dotted path) of o as a string: 0 with *out set (NULL
 * when absent or JSON null), -1 when present with another type. */
int social_str(const struct json *j, const struct json_node *o,
	       const char *key, const char **out);
/* The same for a required string: -1 when absent, null or mistyped. */
int social_req_str(const struct json *j, const struct json_node *o,
		   const char *key, const char **out);
/* Member key of o when it is of type t, else NULL. */
const struct json_node *social_get(const struct json *j,
				   const struct json_node *o, const char *key,
				   enum json_type t);
/* The URL of the Link header entry with rel="rel", or NULL. New string. */
char *social_link_rel(const char *link, const char *rel);
/* A MIME type guessed from a media URL's extension, else fallback. */
const char *social_mime(const char *url, const char *fallback);

#endif
