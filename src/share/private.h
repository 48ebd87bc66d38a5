/* share internals: the per-target-kind ops table and helpers the target
 * files (file.c email.c mastodon.c ...) share with the engine (share.c).
 * Only src/share/ includes this. */
#ifndef GLEAN_SHARE_PRIVATE_H
#define GLEAN_SHARE_PRIVATE_H

#include "glean/fetch.h"
#include "glean/share.h"

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
	enum target_kind kind;
	bool needs_account;
	enum account_service service;
	/* Read what planning needs (the instance's limit); dry runs call it
	 * too, so it may only read public endpoints. NULL = nothing. */
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
};

extern const struct share_ops share_file_ops, share_email_ops,
	share_mastodon_ops, share_bluesky_ops, share_x_ops,
	share_discourse_ops, share_webhook_ops;

/* Append a planned part (takes ownership of body). */
void share_plan_add(struct share_plan *p, char *body, size_t length,
		    size_t limit, const char *unit, const char *labelfmt, ...)
	PRINTF_LIKE(6, 7);

/* One API request: FETCH_API (no redirects), a 1 MiB reply cap. headers
 * is a NULL-ended "Name: value" list (never logged). resp must be
 * released by the caller in every case. */
void share_http(const char *method, const char *url,
		const char *const *headers, const char *ctype,
		const char *body, struct fetch_resp *resp);

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

/* The text of a post for one item: title, link, then the first note or
 * quote, cut so that measure(text) <= limit. measure counts in the
 * service's unit; url_weight > 0 counts each URL as that many. */
size_t share_measure_chars(const char *s, size_t url_weight);
size_t share_measure_graphemes(const char *s);

/* Cut s (UTF-8, in place) to at most max characters, ending in "…" when
 * cut. */
void share_cut_chars(char *s, size_t max);

/* The target's template file (NULL when it has none) read whole, capped
 * at 256 KiB. Caller frees *out. */
int share_template(struct share_ctx *c, char **out, struct err *e);

/* Render c->d in format f with the target's template. Caller frees. */
int share_render(struct share_ctx *c, enum digest_format f, char **out,
		 struct err *e);

/* Split c->d into a thread: an opening post (title, window, intro), then
 * posts that pack whole items ("title\nURL\n> quote\nnote"), each within
 * limit as counted by measure; an item too long alone has its note cut. */
typedef size_t (*share_measure_fn)(const struct share_ctx *c,
				   const char *s);
void share_pack_thread(struct share_ctx *c, share_measure_fn measure,
		       size_t limit, const char *unit,
		       struct share_plan *p);

#endif
