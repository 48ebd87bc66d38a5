/*
 * hub: URL shapes → candidate feeds. It owns the knowledge of how
 * Discourse, Lemmy, Mastodon and Nitter spell their feed URLs, and how
 * Mastodon, Bluesky and X list URLs look, so `glean add` can turn a pasted
 * page into something to fetch or an API source to create.
 *
 * It does not fetch, parse HTML or talk to APIs: the URL alone is all it
 * sees, so ambiguous shapes come back as ordered candidates (service.h). It
 * validates the URL strictly (http/https, no user info, no controls,
 * spaces, bidi controls or bad UTF-8) because a pasted URL may end up in
 * the store, on screen and in a child's argv.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "glean/base.h"
#include "glean/service.h"
#include "glean/banned.h"

#define MAX_SEGS 16

struct segs {
	const char *s[MAX_SEGS];
	size_t n[MAX_SEGS];
	size_t count;
};

static const char *const kind_names[] = {
	[HUB_NONE] = "none",
	[HUB_DISCOURSE_LATEST] = "discourse-latest",
	[HUB_DISCOURSE_CATEGORY] = "discourse-category",
	[HUB_DISCOURSE_TAG] = "discourse-tag",
	[HUB_DISCOURSE_TOPIC] = "discourse-topic",
	[HUB_LEMMY_COMMUNITY] = "lemmy-community",
	[HUB_MASTODON_TAG] = "mastodon-tag",
	[HUB_MASTODON_USER] = "mastodon-user",
	[HUB_NITTER_LIST] = "nitter-list",
	[HUB_NITTER_USER] = "nitter-user",
	[HUB_MASTODON_LIST] = "mastodon-list",
	[HUB_BLUESKY_LIST] = "bluesky-list",
	[HUB_X_LIST] = "x-list",
};

/* Single path segments that are site pages, never Nitter user names. */
static const char *const reserved[] = {
	"about", "admin", "api", "blog", "c", "categories", "contact",
	"explore", "feed", "help", "home", "login", "logout", "new", "news",
	"privacy", "rss", "search", "settings", "signup", "t", "tag", "tags",
	"terms", "top", "u",
};

const char *
hub_kind_name(enum hub_kind kind)
{
	if ((size_t)kind >= ARRAY_SIZE(kind_names) || !kind_names[kind])
		return "unknown";
	return kind_names[kind];
}

void
hub_match_release(struct hub_match *m)
{
	size_t i;

	free(m->origin);
	free(m->host);
	for (i = 0; i < m->n; i++) {
		free(m->cand[i].feed_url);
		free(m->cand[i].name);
		free(m->cand[i].id);
		free(m->cand[i].rkey);
	}
	memset(m, 0, sizeof(*m));
}

static bool
seg_is(const struct segs *sg, size_t i, const char *lit)
{
	return i < sg->count && strlen(lit) == sg->n[i] &&
	       memcmp(sg->s[i], lit, sg->n[i]) == 0;
}

static bool
all_digits(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 40)
		return false;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* Every byte is alphanumeric or in extra; 1..max bytes. */
static bool
chars_ok(const char *s, size_t n, const char *extra, size_t max)
{
	size_t i;

	if (n == 0 || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(extra, s[i]))
			return false;
	return true;
}

static struct hub_candidate *
add(struct hub_match *m, enum hub_kind kind)
{
	struct hub_candidate *c;

	if (m->n >= HUB_MAX_CAND)
		BUG("hub: too many candidates");
	c = &m->cand[m->n++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	return c;
}

static char *
dup_seg(const struct segs *sg, size_t i)
{
	return xstrndup(sg->s[i], sg->n[i]);
}

/* Segments first..last-1 joined with '/'. */
static char *
join_segs(const struct segs *sg, size_t first, size_t last)
{
	struct sbuf sb = SBUF_INIT;
	size_t i;

	for (i = first; i < last; i++) {
		if (i > first)
			sbuf_addch(&sb, '/');
		sbuf_add(&sb, sg->s[i], sg->n[i]);
	}
	return sbuf_detach(&sb, NULL);
}

static bool
host_in(const char *host, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(host, list[i]) == 0)
			return true;
	return false;
}

/* Validate the whole URL; on success fill origin, host and path (the
 * part before '?' or '#', starting at '/' or empty). */
static int
split_url(const char *url, struct hub_match *m, const char **path,
	  size_t *path_n, struct err *e)
{
	const char *p, *auth, *h;
	size_t n = strlen(url), i, an, hn;
	char *clean;
	bool https;

	if (n == 0)
		return err_set(e, ERR_USAGE, "empty URL");
	if (n > HUB_URL_MAX)
		return err_set(e, ERR_USAGE, "URL longer than %d bytes",
			       HUB_URL_MAX);
	for (i = 0; i < n; i++)
		if ((unsigned char)url[i] <= 0x20 ||
		    (unsigned char)url[i] == 0x7F)
			return err_set(e, ERR_USAGE,
				       "URL contains a space or control "
				       "character");
	clean = text_sanitize(url, n, true);
	if (strcmp(clean, url) != 0) {
		free(clean);
		return err_set(e, ERR_USAGE, "URL contains invalid UTF-8 or "
			       "control characters");
	}
	free(clean);
	if (str_istarts(url, "https://"))
		https = true;
	else if (str_istarts(url, "http://"))
		https = false;
	else
		return err_set(e, ERR_USAGE, "not an http or https URL");
	auth = url + (https ? 8 : 7);
	for (p = auth; *p && *p != '/' && *p != '?' && *p != '#'; p++)
		;
	an = (size_t)(p - auth);
	if (memchr(auth, '@', an))
		return err_set(e, ERR_USAGE, "URL with user info refused");
	/* host: name or [v6], then an optional :port */
	hn = an;
	if (an && auth[0] == '[') {
		h = memchr(auth, ']', an);
		if (!h || h == auth + 1 ||
		    strspn(auth + 1, "0123456789abcdefABCDEF:.") !=
		    (size_t)(h - auth) - 1)
			return err_set(e, ERR_USAGE, "bad host in URL");
		hn = (size_t)(h - auth) + 1;
	} else {
		h = memchr(auth, ':', an);
		if (h)
			hn = (size_t)(h - auth);
		if (!chars_ok(auth, hn, ".-_", 253))
			return err_set(e, ERR_USAGE, "bad host in URL");
	}
	if (hn < an && (auth[hn] != ':' ||
			!all_digits(auth + hn + 1, an - hn - 1) ||
			an - hn - 1 > 5 ||
			strtol(auth + hn + 1, NULL, 10) > 65535))
		return err_set(e, ERR_USAGE, "bad port in URL");
	m->host = xstrndup(auth, an);
	for (i = 0; m->host[i]; i++)
		m->host[i] = (char)tolower((unsigned char)m->host[i]);
	m->origin = xasprintf("%s://%s", https ? "https" : "http", m->host);
	*path = p;
	while (*p && *p != '?' && *p != '#')
		p++;
	*path_n = (size_t)(p - *path);
	return 0;
}

static void
split_path(const char *path, size_t n, struct segs *sg)
{
	size_t i = 0, start;

	sg->count = 0;
	while (i < n) {
		while (i < n && path[i] == '/')
			i++;
		if (i >= n)
			break;
		start = i;
		while (i < n && path[i] != '/')
			i++;
		if (sg->count == MAX_SEGS) {
			sg->count = MAX_SEGS + 1; /* too deep: no shape */
			return;
		}
		sg->s[sg->count] = path + start;
		sg->n[sg->count] = i - start;
		sg->count++;
	}
}

static bool
ends_with_feed_suffix(const char *s, size_t n)
{
	static const char *const sfx[] = { ".rss", ".xml", ".atom", ".json" };
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(sfx); i++) {
		k = strlen(sfx[i]);
		if (n >= k && strncasecmp(s + n - k, sfx[i], k) == 0)
			return true;
	}
	return false;
}

/* bsky.app or one of X's hosts (hub_classify() checked which). */
static void
social_hosts(struct hub_match *m, const struct segs *sg, const char *bare)
{
	static const char *const bsky[] = { "bsky.app", "www.bsky.app" };
	struct hub_candidate *c;

	if (host_in(bare, bsky, ARRAY_SIZE(bsky))) {
		if (sg->count == 4 && seg_is(sg, 0, "profile") &&
		    seg_is(sg, 2, "lists") &&
		    chars_ok(sg->s[1], sg->n[1], ".-_:", 253) &&
		    chars_ok(sg->s[3], sg->n[3], ".-_:~", 512)) {
			c = add(m, HUB_BLUESKY_LIST);
			c->name = dup_seg(sg, 1);
			c->rkey = dup_seg(sg, 3);
		}
	} else if (sg->count == 3 && seg_is(sg, 0, "i") &&
		   seg_is(sg, 1, "lists") && all_digits(sg->s[2], sg->n[2])) {
		c = add(m, HUB_X_LIST);
		c->id = dup_seg(sg, 2);
	}
}

/* Shapes on any host: Discourse, Lemmy, Mastodon, Nitter. */
static void
generic_shapes(struct hub_match *m, const struct segs *sg)
{
	const char *o = m->origin;
	struct hub_candidate *c;
	size_t last;
	char *slug;

	if (sg->count == 0 || (sg->count == 1 && seg_is(sg, 0, "latest"))) {
		c = add(m, HUB_DISCOURSE_LATEST);
		c->feed_url = xasprintf("%s/latest.rss", o);
		return;
	}
	last = sg->count - 1;
	if (ends_with_feed_suffix(sg->s[last], sg->n[last]))
		return; /* already a feed URL */
	if (seg_is(sg, 0, "c") && sg->count == 2) {
		bool lemmy = chars_ok(sg->s[1], sg->n[1], "_@.-", 255);

		if (lemmy) {
			c = add(m, HUB_LEMMY_COMMUNITY);
			c->name = dup_seg(sg, 1);
			c->feed_url = xasprintf("%s/feeds/c/%s.xml", o, c->name);
		}
		if (!memchr(sg->s[1], '@', sg->n[1])) {
			c = add(m, HUB_DISCOURSE_CATEGORY);
			c->name = dup_seg(sg, 1);
			c->feed_url = xasprintf("%s/c/%s.rss", o, c->name);
		}
		return;
	}
	if (seg_is(sg, 0, "c") && sg->count >= 3) {
		c = add(m, HUB_DISCOURSE_CATEGORY);
		if (all_digits(sg->s[last], sg->n[last])) {
			c->name = join_segs(sg, 1, last);
			c->id = dup_seg(sg, last);
		} else {
			c->name = join_segs(sg, 1, sg->count);
		}
		slug = join_segs(sg, 1, sg->count);
		c->feed_url = xasprintf("%s/c/%s.rss", o, slug);
		free(slug);
		return;
	}
	if (sg->count == 2 && seg_is(sg, 0, "tag")) {
		c = add(m, HUB_DISCOURSE_TAG);
		c->name = dup_seg(sg, 1);
		c->feed_url = xasprintf("%s/tag/%s.rss", o, c->name);
		return;
	}
	if (sg->count == 2 && seg_is(sg, 0, "tags")) {
		c = add(m, HUB_MASTODON_TAG);
		c->name = dup_seg(sg, 1);
		c->feed_url = xasprintf("%s/tags/%s.rss", o, c->name);
		return;
	}
	if (seg_is(sg, 0, "t") && sg->count == 2 &&
	    all_digits(sg->s[1], sg->n[1])) {
		c = add(m, HUB_DISCOURSE_TOPIC);
		c->id = dup_seg(sg, 1);
		c->feed_url = xasprintf("%s/t/%s.rss", o, c->id);
		return;
	}
	if (seg_is(sg, 0, "t") && (sg->count == 3 || sg->count == 4) &&
	    all_digits(sg->s[2], sg->n[2]) &&
	    (sg->count == 3 || all_digits(sg->s[3], sg->n[3]))) {
		c = add(m, HUB_DISCOURSE_TOPIC);
		c->name = dup_seg(sg, 1);
		c->id = dup_seg(sg, 2);
		c->feed_url = xasprintf("%s/t/%s/%s.rss", o, c->name, c->id);
		return;
	}
	if (sg->count == 2 && seg_is(sg, 0, "lists") &&
	    all_digits(sg->s[1], sg->n[1])) {
		c = add(m, HUB_MASTODON_LIST);
		c->id = dup_seg(sg, 1);
		return;
	}
	if (sg->count == 3 && seg_is(sg, 0, "i") && seg_is(sg, 1, "lists") &&
	    all_digits(sg->s[2], sg->n[2])) {
		c = add(m, HUB_NITTER_LIST);
		c->id = dup_seg(sg, 2);
		c->feed_url = xasprintf("%s/i/lists/%s/rss", o, c->id);
		return;
	}
	if (sg->count == 1 && sg->s[0][0] == '@' &&
	    chars_ok(sg->s[0] + 1, sg->n[0] - 1, "_.-", 64)) {
		c = add(m, HUB_MASTODON_USER);
		c->name = xstrndup(sg->s[0] + 1, sg->n[0] - 1);
		c->feed_url = xasprintf("%s/@%s.rss", o, c->name);
		return;
	}
	if (sg->count == 2 && seg_is(sg, 0, "users") &&
	    chars_ok(sg->s[1], sg->n[1], "_.-", 64)) {
		c = add(m, HUB_MASTODON_USER);
		c->name = dup_seg(sg, 1);
		c->feed_url = xasprintf("%s/@%s.rss", o, c->name);
		return;
	}
	if (sg->count == 1 && chars_ok(sg->s[0], sg->n[0], "_", 15)) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(reserved); i++)
			if (seg_is(sg, 0, reserved[i]))
				return;
		c = add(m, HUB_NITTER_USER);
		c->name = dup_seg(sg, 0);
		c->feed_url = xasprintf("%s/%s/rss", o, c->name);
	}
}

int
hub_classify(const char *url, struct hub_match *m, struct err *e)
{
	static const char *const social[] = {
		"bsky.app", "www.bsky.app", "x.com", "www.x.com",
		"mobile.x.com", "twitter.com", "www.twitter.com",
		"mobile.twitter.com",
	};
	const char *path = "";
	size_t path_n = 0;
	struct segs sg;
	char *bare;

	memset(m, 0, sizeof(*m));
	if (!url)
		return err_set(e, ERR_USAGE, "no URL");
	if (split_url(url, m, &path, &path_n, e) < 0)
		return -1;
	split_path(path, path_n, &sg);
	if (sg.count > MAX_SEGS)
		return 0;
	bare = xstrdup(m->host);
	if (bare[0] != '[' && strchr(bare, ':'))
		*strchr(bare, ':') = '\0';
	if (host_in(bare, social, ARRAY_SIZE(social)))
		social_hosts(m, &sg, bare);
	else
		generic_shapes(m, &sg);
	free(bare);
	return 0;
}
