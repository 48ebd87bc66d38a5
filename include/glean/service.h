/*
 * service: every remote service glean reads from or posts to — Mastodon,
 * Bluesky, X and Discourse — and the hub URL shapes that recognise what
 * a user pasted (src/service/). One file per service exports one
 * `const struct service`; services[] in service.c lists them all, and
 * seek (reading), share (posting), subscribe (`glean add`) and the CLI
 * iterate it instead of naming services.
 *
 *   service.c   the registry and the lookups over it
 *   read.c      what every API-read source shares: the run (account,
 *               secret, auth headers, status codes, rate limits) and
 *               helpers for building entries
 *   post.c      what every posting target shares: parts, measuring,
 *               the HTTP call and its status, secrets, thread packing
 *   hub.c       URL shapes → candidate feeds (a table) and API lists
 *   mastodon.c bluesky.c x.c discourse.c   one service each: its URL
 *               recognition, its reader (source_ops) and its poster
 *               (share_ops)
 *
 * Layers: service depends on fetch, parse, json, config, digest, store
 * and base, never on seek, share or the UI (tests/check-layers). seek
 * sends the requests a source_ops run asks for; share's engine (the
 * outbox) calls a service's share_ops; the non-service targets (file,
 * email, webhook) live in src/share/.
 *
 * HOW TO ADD A SERVICE (one file + one registry line):
 *  1. Write src/service/NAME.c with a comment saying what it owns. In it:
 *     - a `const struct source_ops NAME_ops` if glean reads it through
 *       an API: begin() sets the first request with social_set_req(),
 *       page() turns one JSON response into entries (social_entry()) and
 *       sets the next request or returns 0, release() frees r->priv;
 *     - a `const struct share_ops share_NAME_ops` if glean posts to it:
 *       plan() splits c->d into parts (share_pack_thread() for threads),
 *       send() posts part i (earlier parts are sent: reply to their
 *       remote ids), resolve() settles a part whose answer was lost;
 *       a thread sets reply_ref and remote_parse (what 'glean shares
 *       resolve D:P sent --remote ID' takes) and lookup when the service
 *       can find a part settled by hand; send() refuses a reply whose
 *       parent has no id (share_no_parent(), thread.c);
 *     - `const struct service NAME_service = { .name = "NAME", ... }`
 *       pointing at both, with recognise() claiming the hub candidates
 *       (URL shapes) it reads through its API.
 *  2. Declare NAME_service below and add `&NAME_service` to services[]
 *     in src/service/service.c. That is the one registry line.
 *     Nothing else names it: config accepts `service = NAME` and
 *     `kind = NAME` because cli.c hands it service_names() (config is
 *     below this module, so it learns the names instead of listing
 *     them); seek reads any service with a source, share posts to any
 *     with a share.
 *  3. New URL shapes go in the shapes[] table of hub.c (with a new
 *     enum hub_kind).
 *  4. Tests: tests/unit/test_social.c (reading, canned JSON),
 *     tests/unit/test_share.c (posting) and an integration test against
 *     tests/lib's fake server.
 *
 * Nothing here prints or stores: a reader fills a neutral struct feed_doc
 * for seek to store; a poster reports through struct share_sent.
 * Credentials are fetched with config_secret() when a run starts, live
 * only in request headers and are wiped on release; they never reach a
 * URL, a log line or an error message.
 */
#ifndef GLEAN_SERVICE_H
#define GLEAN_SERVICE_H

#include <stddef.h>

#include "glean/base.h"
#include "glean/config.h"
#include "glean/digest.h"
#include "glean/json.h"
#include "glean/parse.h"
#include "glean/store.h"

struct source;
struct fetch_resp;
struct social_run;
struct share_opts;
struct hub_match;
struct hub_candidate;
struct service;

/* ==== the registry ==== */

/* One remote service. */
struct service {
	const char *name;           /* "mastodon": source kind, target kind
				     * and account service name */
	const char *title;          /* "Mastodon", in messages */
	bool host_account;          /* an account is found by the site's
				     * host (else: the service's one) */
	const char *api_url;        /* the one API origin (Bluesky, X), or
				     * NULL: the site's (the account's url) */
	const char *secret_example; /* config lines for the secret in the
				     * account example, or "" */
	bool account_optional;      /* read without an account (Bluesky) */
	bool feed_without_account;  /* no account: the site's feed is read
				     * instead (Discourse) */
	bool metered;               /* the API bills each post read (X):
				     * a read budget, a floor on the
				     * interval, a cost line per run */
	/* Claim hub candidate c (m is the whole match) as something this
	 * service reads through its API: 1 with *title set (a new string),
	 * 0 when it is not this service's. NULL: claims nothing. */
	int (*recognise)(const struct hub_match *m,
			 const struct hub_candidate *c, char **title);
	const struct source_ops *source; /* reading, or NULL */
	const struct share_ops *share;   /* posting, or NULL */
};

extern const struct service mastodon_service, bluesky_service, x_service,
	discourse_service;

/* x.c: the OAuth 1.0a base string URI of url (RFC 5849 §3.4.1.2: scheme
 * and host lower case, default port dropped, no query). New string;
 * exported for test_share. */
char *x_oauth_base_uri(const char *url);

/* Every service, NULL-ended, in the order recognise() is tried. */
extern const struct service *const services[];

/* The service whose name is name, or NULL. A service's name is its
 * source kind, its target kind and its accounts' `service =`. */
const struct service *service_by_name(const char *name);
/* The registry's names, NULL-ended: what config accepts for `service =`
 * and (beside file, email and webhook) for a target's `kind =`. */
const char *const *service_names(void);

/* The fetch settings from cfg's [general] (concurrency, per-host,
 * timeout, user-agent), for every request glean makes: seek's fetches,
 * add's URL check and every post. Here because seek and share both sit
 * on this module and fetch may not read the config. */
struct fetch_opts;
void service_fetch_opts(const struct config *cfg, struct fetch_opts *fo);

/* ==== URL shapes (hub.c) ==== */

#define HUB_URL_MAX 2048
#define HUB_MAX_CAND 4

enum hub_kind {
	HUB_NONE = 0,
	HUB_DISCOURSE_LATEST,   /* forum root or /latest → /latest.rss */
	HUB_DISCOURSE_CATEGORY, /* /c/slug[/sub]/ID → /c/slug[/sub]/ID.rss */
	HUB_DISCOURSE_TAG,      /* /tag/NAME → /tag/NAME.rss */
	HUB_DISCOURSE_TOPIC,    /* /t/slug/ID[/post] → /t/slug/ID.rss */
	HUB_LEMMY_COMMUNITY,    /* /c/NAME → /feeds/c/NAME.xml */
	HUB_MASTODON_TAG,       /* /tags/NAME → /tags/NAME.rss */
	HUB_MASTODON_USER,      /* /@user → /@user.rss */
	HUB_NITTER_LIST,        /* /i/lists/ID → /i/lists/ID/rss */
	HUB_NITTER_USER,        /* /user → /user/rss */
	HUB_MASTODON_LIST,      /* /lists/ID: API, no feed URL */
	HUB_BLUESKY_LIST,       /* bsky.app/profile/HANDLE/lists/RKEY: API */
	HUB_X_LIST,             /* x.com or twitter.com /i/lists/ID: API */
};

/* One reading of the URL. Strings are owned by the hub_match. */
struct hub_candidate {
	enum hub_kind kind;
	char *feed_url; /* feed to try; NULL for API-read social lists */
	char *name;     /* slug path, community, tag, user or handle; or NULL */
	char *id;       /* category/topic/list id; or NULL */
	char *rkey;     /* Bluesky list record key; or NULL */
};

struct hub_match {
	char *origin; /* "https://host[:port]", scheme and host lower-case */
	char *host;   /* "host[:port]", lower-case */
	struct hub_candidate cand[HUB_MAX_CAND];
	size_t n;     /* 0: a valid URL of no known shape */
};

/*
 * Classify url into m (initialised by the call; release it with
 * hub_match_release(), also after -1). Returns -1 (ERR_USAGE) for URLs
 * that are not http(s), have user info, control characters, spaces, bidi
 * controls or invalid UTF-8, or are longer than HUB_URL_MAX; otherwise 0
 * with m->n candidates, most likely first. The query and fragment are
 * ignored.
 *
 * The URL alone cannot always tell the services apart (`/c/NAME` is a
 * Lemmy community and a Discourse category without its id; a root URL or
 * `/NAME` fits any site), so the caller tries the candidates in order and
 * keeps the first that yields a feed. Feed-shaped kinds are fallbacks: try
 * the URL itself (feed sniffing, then page autodiscovery) first. Social
 * list kinds (feed_url NULL) need no fetch to be recognised.
 */
int hub_classify(const char *url, struct hub_match *m, struct err *e);
/* Free what m holds; m is left empty (safe to repeat). */
void hub_match_release(struct hub_match *m);

/* A stable lower-case name for kind, e.g. "discourse-category". */
const char *hub_kind_name(enum hub_kind kind);

/* ==== reading: API sources (read.c and the services) ====
 *
 * A struct social_run drives one source through its pages, one request
 * at a time (paging is sequential by nature, and that is the polite
 * pace), and collects the posts as a neutral struct feed_doc. Nothing
 * here does I/O: seek sends run->req_url with the fetch engine and hands
 * each response back to social_run_response(); nothing here stores: seek
 * turns run->doc into items and saves run->cursor_out with them in one
 * transaction.
 */

#define SOCIAL_MAX_HDR 4
#define SOCIAL_DEFAULT_BUDGET 100    /* X: posts read per run */
#define SOCIAL_DEFAULT_COST 0.005    /* X: USD per post read, an estimate */
#define SOCIAL_X_MIN_INTERVAL (6 * 3600)

/* How a service reads. begin() sets the first request; page() reads one parsed
 * response and returns 1 after setting the next request, 0 when the run
 * is complete, -1 on a whole-response error. A post with a field of the
 * wrong type is skipped and counted in run->bad_posts, never fatal. */
struct source_ops {
	bool needs_token;               /* refuse to start without one */
	/* Add the auth headers for r->token to hdr (at most 2), counting n;
	 * NULL: "Authorization: Bearer TOKEN". */
	void (*auth)(struct social_run *r, char **hdr, size_t *n);
	int (*begin)(struct social_run *r, struct err *e);
	int (*page)(struct social_run *r, const struct json *j,
		    const struct fetch_resp *resp, struct err *e);
	void (*release)(struct social_run *r);
};

struct social_run {
	const struct service *svc;
	const struct source_ops *ops;   /* svc->source */
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

/* ---- helpers the services share (src/service/read.c) ---- */

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
/* The path segment after marker in r->src_url ("/lists/" → "42"), a new
 * string; NULL with ERR_USAGE "'URL' is not WHAT URL" when there is none. */
char *social_url_part(const struct social_run *r, const char *marker,
		      const char *what, struct err *e);
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

/* ==== posting: share ops (post.c and the services) ==== */

/* One planned part: the exact bytes the service receives for it (a post's
 * text, a message, a file) and its length against the target's limit. */
struct share_part {
	char *body;
	char *label;      /* what it is: "post 2/5", "message to a@b", path */
	size_t length;    /* in the service's unit; 0 when unlimited */
	size_t limit;     /* 0 = no limit */
	const char *unit; /* "characters", "graphemes", "bytes" */
};

struct share_plan {
	struct share_part *v;
	size_t n, cap;
	char *note;       /* e.g. the X cost estimate, or NULL */
};

void share_plan_release(struct share_plan *p);

/* Everything one share run knows; targets keep their session in priv. */
struct share_ctx {
	struct store *st;
	const struct config *cfg;
	const struct config_target *t;
	const struct config_account *a; /* NULL for file, email, webhook */
	const struct share_opts *o;
	struct digest *d;        /* the digest being planned (plan only) */
	char *base;              /* account URL without a trailing '/' */
	size_t limit;            /* per-part limit found by prepare() */
	size_t url_weight;       /* a URL counts as this many (0 = as is) */
	void *priv;
};

enum share_status { SHARE_SENT, SHARE_FAILED, SHARE_UNKNOWN };

/* Where a sent part went: kept in the outbox. Both owned, may be NULL. */
struct share_sent {
	char *remote_id, *remote_url;
};

struct share_ops {
	const char *kind;  /* share's own targets: "file", "email",
			    * "webhook"; a service's: NULL (its name) */
	/* Read what planning needs (the instance's limit); dry runs call it
	 * too, so it may only read public endpoints. NULL = nothing. When it
	 * fails, a dry run warns and plans with the limits it set first. */
	int (*prepare)(struct share_ctx *c, struct err *e);
	/* Split c->d into parts. Each part's body is exactly what is sent. */
	int (*plan)(struct share_ctx *c, struct share_plan *p, struct err *e);
	/* An idempotency key for part i of n, or NULL for a random one. */
	char *(*key)(struct share_ctx *c, size_t i);
	/* Before the first send: fetch secrets, log in. NULL = nothing. */
	int (*open)(struct share_ctx *c, struct err *e);
	/* Send parts->v[i]; earlier parts are sent (thread replies read their
	 * remote ids). On FAILED and UNKNOWN, e says why. */
	enum share_status (*send)(struct share_ctx *c,
				  const struct outbox_list *parts, size_t i,
				  struct share_sent *out, struct err *e);
	/* A part whose request may have arrived: SENT (found, out filled),
	 * FAILED (certainly not posted: safe to send), UNKNOWN (cannot
	 * tell). NULL = UNKNOWN. */
	enum share_status (*resolve)(struct share_ctx *c,
				     const struct outbox_list *parts, size_t i,
				     struct share_sent *out, struct err *e);
	void (*close)(struct share_ctx *c);
	/* Threads: later parts reply to earlier parts' remote ids. What the
	 * user gives for a part settled by hand ('glean shares resolve D:P
	 * sent --remote ID'), e.g. "the status id or the post's URL"; NULL =
	 * parts stand alone (no id needed). */
	const char *reply_ref;
	/* The remote id for what the user gave as --remote, or NULL with e
	 * saying what is wanted. NULL op: taken as it is. */
	char *(*remote_parse)(const char *arg, struct err *e);
	/* Part i was settled as sent with no remote id: find it on the
	 * service (SENT, out filled) before a later part replies to it.
	 * NULL = only the user can give it (--remote). */
	enum share_status (*lookup)(struct share_ctx *c,
				    const struct outbox_list *parts, size_t i,
				    struct share_sent *out, struct err *e);
};

/* For threads (thread.c). A remote id from "1234" or a post URL ending
 * in it ("https://host/@me/1234", ".../status/1234"): digits only, or
 * also letters (GoToSocial's and Pleroma's ids on the Mastodon API);
 * what names the id for the error ("status id"). New string, or NULL
 * with e set. */
char *share_remote_number(const char *arg, const char *what, bool letters,
			  struct err *e);
/* The part parts->v[j] that part i replies to has no remote id (it was
 * settled by hand without --remote): FAILED, nothing sent, and e says how
 * to give the id. A reply is never sent with an empty parent. */
enum share_status share_no_parent(const struct share_ctx *c,
				  const struct outbox_list *parts, size_t i,
				  size_t j, const char *reply_ref,
				  struct err *e);

/* Append a planned part (takes ownership of body). */
void share_plan_add(struct share_plan *p, char *body, size_t length,
		    size_t limit, const char *unit, const char *labelfmt, ...)
	PRINTF_LIKE(6, 7);

/* One API request with the config's fetch options (timeout,
 * user-agent): FETCH_API (no redirects), a 1 MiB reply cap. headers
 * is a NULL-ended "Name: value" list (never logged). resp must be
 * released by the caller in every case. */
void share_http(const struct share_ctx *c, const char *method,
		const char *url, const char *const *headers,
		const char *ctype, const char *body, struct fetch_resp *resp);

/* Classify a finished request: SENT on 2xx; UNKNOWN when the request went
 * out but no response came back; FAILED otherwise, with a message for
 * 401/403 (credentials), 429 (rate limit and when it resets) and the
 * service's own error text for other statuses. what = "mastodon". */
enum share_status share_http_status(struct share_ctx *c,
				    const struct fetch_resp *r,
				    const char *what, struct err *e);

/* The secret in slot of the target's account (caller frees with
 * config_secret_free). */
int share_secret(struct share_ctx *c, enum secret_slot slot, char **out,
		 struct err *e);

/* Code points in s (each service's own counter is in text.c). */
size_t share_measure_chars(const char *s);

/* Cut s (UTF-8, in place) to at most max characters, ending in "…" when
 * cut. */
void share_cut_chars(char *s, size_t max);

/* ---- a post's length as each service counts it (text.c) ---- */

#define TEXT_X_LIMIT 280
#define TEXT_BLUESKY_GRAPHEMES 300 /* app.bsky.feed.post maxGraphemes */
#define TEXT_BLUESKY_BYTES 3000    /* app.bsky.feed.post maxLength */

struct text_span {
	size_t start, end; /* byte offsets, end exclusive */
};

/* The URLs in s by twitter-text's rules, in order (*out: caller frees).
 * bare: also those without http(s):// (X counts them; Mastodon and
 * Bluesky's link facets do not). */
size_t text_urls(const char *s, bool bare, struct text_span **out);
/* The links Bluesky's app would facet (its detectFacets rule): every
 * http(s) URL after a space, "(" or the start, less one trailing
 * [.,;:!?] and an unopened ")". */
size_t text_bluesky_links(const char *s, struct text_span **out);
/* X's weighted length (twitter-text v3; emoji_parsing false is v2) and,
 * when valid is not NULL, whether X accepts it (<= 280, no U+FFFE,
 * U+FEFF, U+FFFF). */
size_t text_x_weighted(const char *s, bool emoji_parsing, bool *valid);
size_t text_x_length(const char *s);
/* Mastodon's: grapheme clusters, each URL with a scheme as url_weight. */
size_t text_mastodon_length(const char *s, size_t url_weight);
size_t text_graphemes(const char *s);
/* s in NFC as far as X needs it (pairs composed, no reordering). */
char *text_nfc(const char *s);

/* Render c->d in format f with the target's template. Caller frees. */
int share_render(struct share_ctx *c, enum digest_format f, char **out,
		 struct err *e);

/* Split c->d into a thread: an opening post (title, window, intro), then
 * posts that pack whole items ("title\nURL\n> quote\nnote"), each within
 * limit as counted by measure; an item too long alone has its note cut,
 * then its quote, then its title (with "…"), never its link. -1 with e
 * naming the item and the limit when one cannot fit even so. */
typedef size_t (*share_measure_fn)(const struct share_ctx *c,
				   const char *s);
int share_pack_thread(struct share_ctx *c, share_measure_fn measure,
		      size_t limit, const char *unit, struct share_plan *p,
		      struct err *e);

#endif
