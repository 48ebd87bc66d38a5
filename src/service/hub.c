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

/*
 * The URL shapes, most likely first. A pattern is the path's segments
 * joined with '/'; a segment is a literal or one of:
 *   {name}    any segment                          → name
 *   {id}      decimal digits                       → id
 *   {#}       decimal digits, ignored (a post number)
 *   {lemmy}   [alnum _@.-], 1..255 bytes           → name
 *   {slug}    a segment without '@'                → name
 *   {@user}   '@' then [alnum _.-], 1..64 bytes     → name (without '@')
 *   {user}    [alnum _.-], 1..64 bytes              → name
 *   {nitter}  [alnum _], 1..15 bytes, not reserved[] → name
 *   {handle}  [alnum .-_:], 1..253 bytes            → name
 *   {rkey}    [alnum .-_:~], 1..512 bytes           → rkey
 *   {rest}    two or more segments → name (a trailing numeric segment
 *             becomes id instead); %r in feed is all of them
 * The path must have exactly the pattern's segments. feed is the feed URL
 * to try (%o origin, %n name, %i id, %r the {rest} segments) or NULL for
 * lists read through an API. hosts: the row applies only there (and those
 * hosts get no other row); NULL: any other host. The first matching row
 * ends the search unless it has more set.
 */
struct shape {
	const char *path;
	enum hub_kind kind;
	const char *feed;
	const char *const *hosts;
	bool more;
};

static const char *const bsky_hosts[] = { "bsky.app", "www.bsky.app", NULL };
static const char *const x_hosts[] = {
	"x.com", "www.x.com", "mobile.x.com", "twitter.com",
	"www.twitter.com", "mobile.twitter.com", NULL,
};

static const struct shape shapes[] = {
	{ "profile/{handle}/lists/{rkey}", HUB_BLUESKY_LIST, NULL, bsky_hosts, false },
	{ "i/lists/{id}", HUB_X_LIST, NULL, x_hosts, false },
	{ "", HUB_DISCOURSE_LATEST, "%o/latest.rss", NULL, false },
	{ "latest", HUB_DISCOURSE_LATEST, "%o/latest.rss", NULL, false },
	{ "c/{lemmy}", HUB_LEMMY_COMMUNITY, "%o/feeds/c/%n.xml", NULL, true },
	{ "c/{slug}", HUB_DISCOURSE_CATEGORY, "%o/c/%n.rss", NULL, false },
	{ "c/{rest}", HUB_DISCOURSE_CATEGORY, "%o/c/%r.rss", NULL, false },
	{ "tag/{name}", HUB_DISCOURSE_TAG, "%o/tag/%n.rss", NULL, false },
	{ "tags/{name}", HUB_MASTODON_TAG, "%o/tags/%n.rss", NULL, false },
	{ "t/{id}", HUB_DISCOURSE_TOPIC, "%o/t/%i.rss", NULL, false },
	{ "t/{name}/{id}", HUB_DISCOURSE_TOPIC, "%o/t/%n/%i.rss", NULL, false },
	{ "t/{name}/{id}/{#}", HUB_DISCOURSE_TOPIC, "%o/t/%n/%i.rss", NULL, false },
	{ "lists/{id}", HUB_MASTODON_LIST, NULL, NULL, false },
	{ "i/lists/{id}", HUB_NITTER_LIST, "%o/i/lists/%i/rss", NULL, false },
	{ "{@user}", HUB_MASTODON_USER, "%o/@%n.rss", NULL, false },
	{ "users/{user}", HUB_MASTODON_USER, "%o/@%n.rss", NULL, false },
	{ "{nitter}", HUB_NITTER_USER, "%o/%n/rss", NULL, false },
};

static bool
tok_is(const char *tok, size_t tn, const char *lit)
{
	return strlen(lit) == tn && memcmp(tok, lit, tn) == 0;
}

/* Does segment s (n bytes) fit pattern token tok (tn bytes)? */
static bool
seg_fits(const char *tok, size_t tn, const char *s, size_t n)
{
#define TOK(lit) tok_is(tok, tn, lit)
	size_t i;

	if (tok[0] != '{')
		return tn == n && memcmp(tok, s, n) == 0;
	if (TOK("{name}"))
		return true;
	if (TOK("{id}") || TOK("{#}"))
		return all_digits(s, n);
	if (TOK("{lemmy}"))
		return chars_ok(s, n, "_@.-", 255);
	if (TOK("{slug}"))
		return !memchr(s, '@', n);
	if (TOK("{@user}"))
		return n > 1 && s[0] == '@' && chars_ok(s + 1, n - 1, "_.-", 64);
	if (TOK("{user}"))
		return chars_ok(s, n, "_.-", 64);
	if (TOK("{handle}"))
		return chars_ok(s, n, ".-_:", 253);
	if (TOK("{rkey}"))
		return chars_ok(s, n, ".-_:~", 512);
	if (TOK("{nitter}")) {
		if (!chars_ok(s, n, "_", 15))
			return false;
		for (i = 0; i < ARRAY_SIZE(reserved); i++)
			if (strlen(reserved[i]) == n &&
			    memcmp(s, reserved[i], n) == 0)
				return false;
		return true;
	}
	BUG("hub: unknown shape token %.*s", (int)tn, tok);
#undef TOK
}

/* The next token of pattern *p (advanced past it and its '/'). */
static const char *
next_tok(const char **p, size_t *tn)
{
	const char *t = *p, *end = strchr(t, '/');

	*tn = end ? (size_t)(end - t) : strlen(t);
	*p = end ? end + 1 : t + *tn;
	return t;
}

/* Match sg against row sh; on a match add its candidate to m. */
static bool
shape_match(struct hub_match *m, const struct segs *sg,
	    const struct shape *sh)
{
	const char *p = sh->path, *tok, *f;
	struct hub_candidate *c;
	struct sbuf sb = SBUF_INIT;
	size_t i = 0, tn, rest = 0;

	for (; *p; i++) {
		tok = next_tok(&p, &tn);
		if (tok_is(tok, tn, "{rest}")) {
			if (*p)
				BUG("hub: {rest} must end a pattern");
			if (sg->count < i + 2)
				return false;
			rest = i;
			i = sg->count;
			break;
		}
		if (i >= sg->count || !seg_fits(tok, tn, sg->s[i], sg->n[i]))
			return false;
	}
	if (i != sg->count)
		return false;
	c = add(m, sh->kind);
	if (rest) {
		if (all_digits(sg->s[sg->count - 1], sg->n[sg->count - 1])) {
			c->name = join_segs(sg, rest, sg->count - 1);
			c->id = dup_seg(sg, sg->count - 1);
		} else {
			c->name = join_segs(sg, rest, sg->count);
		}
	}
	for (p = sh->path, i = 0; *p; i++) {
		tok = next_tok(&p, &tn);
		if (tok[0] != '{' || tok_is(tok, tn, "{rest}") ||
		    tok_is(tok, tn, "{#}"))
			continue;
		if (tok_is(tok, tn, "{id}"))
			c->id = dup_seg(sg, i);
		else if (tok_is(tok, tn, "{rkey}"))
			c->rkey = dup_seg(sg, i);
		else if (tok_is(tok, tn, "{@user}"))
			c->name = xstrndup(sg->s[i] + 1, sg->n[i] - 1);
		else
			c->name = dup_seg(sg, i);
	}
	if (!sh->feed)
		return true;
	for (f = sh->feed; *f; f++) {
		if (f[0] != '%' || !f[1]) {
			sbuf_addch(&sb, *f);
			continue;
		}
		switch (*++f) {
		case 'o': sbuf_adds(&sb, m->origin); break;
		case 'n': sbuf_adds(&sb, c->name); break;
		case 'i': sbuf_adds(&sb, c->id); break;
		case 'r': {
			char *r = join_segs(sg, rest, sg->count);

			sbuf_adds(&sb, r);
			free(r);
			break;
		}
		default: BUG("hub: feed pattern %s", sh->feed);
		}
	}
	c->feed_url = sbuf_detach(&sb, NULL);
	return true;
}

/* Try the rows for this host in order (see struct shape). */
static void
match_shapes(struct hub_match *m, const struct segs *sg, const char *bare)
{
	const struct shape *sh;
	bool special = false;
	size_t i;

	for (sh = shapes; sh < shapes + ARRAY_SIZE(shapes); sh++)
		for (i = 0; sh->hosts && sh->hosts[i]; i++)
			if (!strcmp(bare, sh->hosts[i]))
				special = true;
	if (!special && sg->count > 0 &&
	    ends_with_feed_suffix(sg->s[sg->count - 1], sg->n[sg->count - 1]))
		return; /* already a feed URL */
	for (sh = shapes; sh < shapes + ARRAY_SIZE(shapes); sh++) {
		bool here = !sh->hosts && !special;

		for (i = 0; sh->hosts && sh->hosts[i]; i++)
			if (!strcmp(bare, sh->hosts[i]))
				here = true;
		if (here && shape_match(m, sg, sh) && !sh->more)
			return;
	}
}

int
hub_classify(const char *url, struct hub_match *m, struct err *e)
{
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
	match_shapes(m, &sg, bare);
	free(bare);
	return 0;
}
