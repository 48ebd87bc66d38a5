/*
 * fetch: the one HTTP engine (libcurl multi underneath; no curl type
 * leaks out of this header). Callers queue requests with fetch_add() and
 * get one callback per request as it completes, so parsing and storing
 * overlap downloading. The engine enforces SECURITY.md's caps: http(s)
 * only (file:// when the request says allow_file), a redirect limit for
 * feeds and none followed for API calls, a body cap counted on decoded
 * bytes, timeouts, TLS verification, CR/LF stripped from header values.
 *
 * Concurrency: at most max_total transfers run at once and at most
 * max_per_host per scheme+host+port (the host of the request URL, not of
 * a redirect target). Requests over the per-host limit wait in the
 * engine's own FIFO queue and do not take a global slot, so one slow host
 * never starves the others.
 *
 * Single-threaded: call everything from one thread. Error messages state
 * the problem only ("connection refused", "HTTP 404 Not Found"); the
 * caller prefixes the source. They never contain header values or URLs.
 */
#ifndef GLEAN_FETCH_H
#define GLEAN_FETCH_H

#include "glean/base.h"

#define FETCH_MAX_REDIRS 5
#define FETCH_FEED_MAX_BODY ((size_t)16 << 20)
#define FETCH_API_MAX_BODY ((size_t)8 << 20)

enum fetch_kind {
	FETCH_FEED, /* follows up to FETCH_MAX_REDIRS redirects */
	FETCH_API,  /* never follows: a 3xx comes back as the response */
};

/*
 * One request. fetch_add() copies everything it needs, so the strings
 * are borrowed for the call only; `user` is passed back untouched.
 */
struct fetch_req {
	const char *url;     /* http(s); file:// only when allow_file */
	bool allow_file;     /* hand-added file:// sources; never imports */
	enum fetch_kind kind;
	const char *etag;           /* sent as If-None-Match, or NULL */
	const char *last_modified;  /* sent as If-Modified-Since, or NULL */
	const char *method;         /* NULL = GET (or POST when body set) */
	const char *body;           /* request body, body_len bytes */
	size_t body_len;
	const char *content_type;   /* of the body */
	const char *const *headers; /* NULL-ended "Name: value"; never logged */
	size_t max_body;            /* 0 = 16 MiB feeds, 8 MiB API */
	bool public_only;           /* a feed a public page linked to: a
				     * private address is refused from the
				     * first request on, not only on hops */
	void *user;
};

/*
 * What came back. Everything is owned by the response and freed by
 * fetch_resp_release(). A request failed when err.code != ERR_OK: ERR_NET
 * (transport), ERR_LIMIT (too big, too many redirects, too slow, a
 * redirect into the user's own network: fetch_ip_private),
 * ERR_HTTP (final status not 2xx/304), ERR_NOTFOUND (missing file://),
 * ERR_USAGE (URL refused before sending). status is the final HTTP
 * status if one arrived, else 0; a 304 is a success with an empty body.
 */
struct fetch_resp {
	long status;
	struct sbuf body;      /* decoded bytes, capped at max_body */
	char *etag, *last_modified, *content_type, *content_location;
	char *effective_url;   /* after redirects */
	char *permanent_url;   /* set when every redirect hop was 301/308 */
	int64_t retry_after;   /* seconds from now, -1 if absent; <= 24 h */
	int64_t max_age;       /* Cache-Control max-age, -1 if absent */
	char **hdr_names, **hdr_values; /* final response's headers, in order */
	size_t nhdr;
	size_t bytes_received; /* decoded body bytes seen, even past the cap */
	int redirects;         /* hops followed */
	bool origin_private;   /* the first request went to a private
				* address (fetch_ip_private) */
	bool request_sent;     /* the request left whole: a transport failure
				* after that may have been acted on (share's
				* outbox records such a part as unknown) */
	struct err err;
};

/* Engine settings. A zero field means the default given beside it. */
struct fetch_opts {
	size_t max_total;        /* 16 transfers at once */
	size_t max_per_host;     /* 2 per scheme+host+port */
	const char *user_agent;  /* "glean/VERSION" */
	long connect_timeout_ms; /* 15000 */
	long timeout_ms;         /* 120000, whole transfer */
	long low_speed_limit;    /* 64 bytes/s ... */
	long low_speed_time_s;   /* ... over 30 s, else abort */
};

/* For a live progress line. bytes counts decoded body bytes so far. */
struct fetch_progress {
	size_t total;   /* requests added */
	size_t done;    /* callbacks made (including failures) */
	size_t failed;  /* of done, with err.code != ERR_OK */
	size_t active;  /* transfers running now */
	size_t queued;  /* waiting for a slot */
	uint64_t bytes;
};

/*
 * Called once per request, from fetch_step()/fetch_run(), as it
 * completes. req and resp are valid during the call only; take what you
 * keep with fetch_resp_take() or sbuf_detach(). May call fetch_add() (to
 * follow a Link: next page); must not call fetch_step/run/free.
 */
typedef void (*fetch_done_fn)(const struct fetch_req *req,
			      struct fetch_resp *resp, void *arg);
typedef void (*fetch_progress_fn)(const struct fetch_progress *p, void *arg);

struct fetch;

/* Create an engine (o may be NULL for defaults). Free with fetch_free(). */
struct fetch *fetch_new(const struct fetch_opts *o);

/*
 * Queue a copy of req. done(req, resp, arg) runs exactly once for it,
 * never from inside fetch_add(); a URL refused up front (bad scheme,
 * file:// not allowed) is reported there too, with ERR_USAGE.
 */
void fetch_add(struct fetch *f, const struct fetch_req *req,
	       fetch_done_fn done, void *arg);

/*
 * Start what may start, wait up to timeout_ms for activity, and run the
 * callbacks of finished requests. Returns how many requests remain
 * (queued + running); for callers with their own loop (the reader).
 */
size_t fetch_step(struct fetch *f, int timeout_ms);

/* Make a fetch_step() waiting on the network return now. The one call
 * that is safe from another thread (the parse worker uses it). */
void fetch_wakeup(struct fetch *f);

/* Step until nothing remains, calling progress (may be NULL) on change. */
void fetch_run(struct fetch *f, fetch_progress_fn progress, void *arg);

/* Counters for a progress line; valid at any time. */
void fetch_get_progress(const struct fetch *f, struct fetch_progress *p);

/* Abort whatever is still queued or running (no callbacks) and free f. */
void fetch_free(struct fetch *f);

/*
 * Blocking convenience for one request with the engine settings o (NULL
 * for the defaults; callers with a config pass its options). Fills resp
 * (release it in every case); returns 0, or -1 with e set to resp's err.
 */
int fetch_one(const struct fetch_opts *o, const struct fetch_req *req,
	      struct fetch_resp *resp, struct err *e);

/* First header of the final response named name (case-insensitive), or
 * NULL. Borrowed from r until it is released. */
const char *fetch_resp_header(const struct fetch_resp *r, const char *name);

void fetch_resp_init(struct fetch_resp *r);
/* Free everything r owns and re-initialise it. */
void fetch_resp_release(struct fetch_resp *r);
/* Move src's contents into dst (which must be empty); src is left empty. */
void fetch_resp_take(struct fetch_resp *dst, struct fetch_resp *src);

/* Whether ip (text: IPv4, IPv6, optionally "[...]" or with a %zone) is
 * in the user's own network: loopback 127/8 ::1, unspecified 0/8 ::,
 * RFC 1918 10/8 172.16/12 192.168/16, RFC 6598 100.64/10, link-local
 * 169.254/16 fe80::/10 (and the old fec0::/10), RFC 4193 fc00::/7, and
 * these IPv4 ranges as ::ffff:a.b.c.d, ::a.b.c.d or 64:ff9b::a.b.c.d.
 * Text that is no address counts as private. A feed's redirect from a
 * public first address to such an address is refused with "redirected
 * to a private address ..."; GLEAN_TEST_PUBLIC=ADDR makes the engine
 * count ADDR (loopback only) as public, so tests on loopback can play a
 * public server. */
bool fetch_ip_private(const char *ip);

/* Undo curl_global_init at exit (optional; keeps leak checkers quiet). */
void fetch_global_cleanup(void);

/* ---- e-mail: SMTP submission (src/fetch/smtp.c) ----
 * libcurl stays inside src/fetch, so the share module hands over a whole
 * RFC 5322 message (CRLF line ends) and the envelope. libcurl does the
 * dot-stuffing of lines that start with '.'. TLS: smtps:// is TLS from
 * the start; for smtp:// STARTTLS is required (the send fails if the
 * server does not offer it) unless plain is true. Certificates are
 * verified. The password is borrowed and never logged. */
struct fetch_mail {
	const char *url;            /* smtp://host[:port] or smtps://... */
	const char *user;           /* NULL = no AUTH */
	const char *password;
	bool plain;                 /* starttls = off: allow no TLS */
	const char *from;           /* envelope sender (bare address) */
	const char *const *to;      /* envelope recipients (bare addresses) */
	size_t nto;
	const char *message;        /* headers + body, CRLF line ends */
	size_t len;
	long timeout_ms;            /* the whole transfer; 0 = 120 s */
};

/* Send one message. 0 when the server accepted it; -1 with e set
 * otherwise, and *maybe_sent true when the whole message had gone out
 * but the server's final answer never came (the caller must not simply
 * send again). */
int fetch_mail_send(const struct fetch_mail *m, bool *maybe_sent,
		    struct err *e);

#endif
