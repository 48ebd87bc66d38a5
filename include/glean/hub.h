/*
 * hub: recognise what the user pasted (DESIGN.md §2) from the URL alone
 * and map it to the feed URLs worth trying: Discourse, Lemmy, Mastodon and
 * Nitter pages, plus the social lists read through APIs (Mastodon, Bluesky,
 * X). Pure string functions: nothing is fetched, nothing is stored.
 */
#ifndef GLEAN_HUB_H
#define GLEAN_HUB_H

#include <stddef.h>

#include "glean/base.h"

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

#endif
