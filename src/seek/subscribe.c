/*
 * Subscriptions: what `glean add`, `import` and `export` do. Validates
 * URLs (http(s); file:// only when added by hand), moves newsboat and
 * OPML subscriptions over with their tags, and writes OPML back. Each
 * import is one transaction: a broken file adds what it can and reports
 * each line it could not use, never half a subscription.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glean/fetch.h"
#include "glean/json.h"
#include "glean/parse.h"
#include "glean/render.h"
#include "glean/seek.h"
#include "glean/service.h"
#include "glean/store.h"
#include "glean/banned.h"

#define IMPORT_MAX_BYTES (64u << 20)
/* The HTML of a title is kept up to this many bytes; longer, only its
 * text (cut at 4096 bytes, as every title) is: HTML is not cut inside
 * its markup. */
#define TITLE_HTML_MAX (16u << 10)

void
seek_import_report_release(struct seek_import_report *r)
{
	size_t i;

	for (i = 0; i < r->nproblems; i++)
		free(r->problems[i]);
	free(r->problems);
	memset(r, 0, sizeof(*r));
}

static void
report(struct seek_import_report *r, const char *path, int line,
       const char *msg)
{
	char *s = line > 0 ? xasprintf("%s:%d: %s", path, line, msg)
			   : xasprintf("%s: %s", path, msg);

	r->problems = xrealloc(r->problems,
			       (r->nproblems + 1) * sizeof(char *));
	r->problems[r->nproblems++] = s;
}

/* URLs we accept as sources: http(s), or file:// when allowed; no
 * control characters (C1 and bidi ones too), no spaces, at most
 * URL_MAX_BYTES. */
static int
check_url(const char *url, bool allow_file, struct err *e)
{
	if (strlen(url) > URL_MAX_BYTES)
		return err_set(e, ERR_USAGE, "a URL of %zu bytes is too long "
			       "(at most %d)", strlen(url), URL_MAX_BYTES);
	if (url_has_control(url))
		return err_set(e, ERR_USAGE, "'%s' is not a valid URL "
			       "(it contains a space or control "
			       "character)", url);
	if (str_istarts(url, "http://") || str_istarts(url, "https://")) {
		const char *host = strstr(url, "://") + 3;

		if (!*host || *host == '/')
			return err_set(e, ERR_USAGE, "'%s' has no host", url);
		return 0;
	}
	if (str_istarts(url, "file://")) {
		if (!allow_file)
			return err_set(e, ERR_USAGE, "'%s': file:// sources "
				       "can only be added by hand with 'glean "
				       "add'", url);
		if (url[7] != '/')
			return err_set(e, ERR_USAGE, "'%s': a file:// URL needs "
				       "an absolute path (file:///path)", url);
		return 0;
	}
	return err_set(e, ERR_USAGE, "'%s' is not an http(s) URL", url);
}

static int
add_one(struct store *st, const char *url, const char *title,
	char *const *tags, size_t ntags, bool hidden, bool allow_file,
	int64_t *id, struct err *e)
{
	struct source s = { 0 };
	size_t i;

	if (check_url(url, allow_file, e) < 0)
		return -1;
	s.kind = "feed";
	s.url = (char *)url;
	s.title = (char *)title;
	s.hidden = hidden;
	if (store_source_add(st, &s, id, e) < 0)
		return -1;
	for (i = 0; i < ntags; i++)
		if (store_source_tag(st, *id, tags[i], true, e) < 0)
			return -1;
	return 0;
}

void
seek_add_result_release(struct seek_add_result *r)
{
	size_t i;

	free(r->url);
	free(r->kind);
	free(r->warning);
	for (i = 0; i < r->nchoices; i++) {
		free(r->choices[i]);
		free(r->choice_titles[i]);
	}
	free(r->choices);
	free(r->choice_titles);
	memset(r, 0, sizeof(*r));
}

/* Fetch url and say whether its bytes are a feed. 1 feed, 0 not a feed
 * (resp kept for discovery), -1 could not fetch, or a feed with NUL
 * bytes or cut off (e says which). public_only: a public
 * page linked to url, so a private address is refused (fetch.h). */
static int
probe(const struct config *cfg, const char *url, bool public_only,
      struct fetch_resp *resp, struct err *e)
{
	struct fetch_req req = { 0 };
	struct parse_opts po = { 0 };
	struct feed_doc doc;
	struct fetch_opts fo;
	struct err pe = { 0 };
	int rc;

	service_fetch_opts(cfg, &fo);
	req.url = url;
	req.kind = FETCH_FEED;
	req.public_only = public_only;
	fetch_resp_init(resp);
	if (fetch_one(&fo, &req, resp, e) < 0 || resp->err.code != ERR_OK) {
		if (resp->err.code != ERR_OK)
			*e = resp->err;
		return -1;
	}
	po.url = resp->effective_url ? resp->effective_url : url;
	po.content_type = resp->content_type;
	rc = parse_feed(resp->body.buf, resp->body.len, &po, &doc, &pe);
	/* a feed, but damaged or cut off: not subscribed, as the first
	 * fetch would store nothing of it (seek.c's feed_store) or only a
	 * part; one line, as for a fetch that fails */
	if (doc.nul_at) {
		err_set(e, ERR_PARSE, "damaged document: a NUL byte at byte "
			"%zu; not subscribed (try again later, or ask the "
			"site to fix its feed)", doc.nul_at - 1);
		rc = -2;
	} else if (rc == 0 && doc.cut) {
		err_set(e, ERR_PARSE, "partial document: cut off at byte %zu;"
			" not subscribed (try again later, or ask the site to "
			"fix its feed)", doc.cut_at);
		rc = -2;
	}
	feed_doc_release(&doc);
	return rc == 0 ? 1 : rc == -2 ? -1 : 0;
}

/* A public page (page, as fetched) that links to a feed in the user's
 * own network is a redirect by other means: true, with the reason in e,
 * when the linked url is refused for its address. Any other failure is
 * left to the first fetch, as for a feed added by hand. */
static bool
linked_private(const struct config *cfg, const struct fetch_resp *page,
	       const char *url, struct err *e)
{
	struct fetch_resp fr;
	struct err pe = { 0 };
	bool refused;

	if (page->origin_private)
		return false;
	probe(cfg, url, true, &fr, &pe);
	refused = fr.err.code == ERR_LIMIT && strstr(fr.err.msg, "private");
	if (refused)
		err_set(e, ERR_LIMIT, "cannot add '%s': %s", url, fr.err.msg);
	fetch_resp_release(&fr);
	return refused;
}

static int
subscribe(struct store *st, const char *url, const struct seek_add_opts *o,
	  struct seek_add_result *r, struct err *e)
{
	int64_t id;

	if (store_begin(st, true, e) < 0)
		return -1;
	if (add_one(st, url, o->title, (char *const *)o->tags, o->ntags,
		    false, o->allow_file, &id, e) < 0) {
		store_rollback(st);
		return -1;
	}
	if (store_commit(st, e) < 0)
		return -1;
	r->id = id;
	r->url = xstrdup(url);
	r->kind = xstrdup("feed");
	return 0;
}

/* A list or hub read through an API: no probe (the account may be
 * needed to read it at all); the first fetch says whether it works. */
static int
subscribe_api(struct store *st, const char *url, const char *kind,
	      const char *account, const char *title,
	      const struct seek_add_opts *o, struct seek_add_result *r,
	      struct err *e)
{
	struct source s = { 0 };
	int64_t id;
	size_t i;

	s.kind = (char *)kind;
	s.url = (char *)url;
	s.title = (char *)(o->title ? o->title : title);
	s.account = (char *)account;
	if (store_begin(st, true, e) < 0)
		return -1;
	if (store_source_add(st, &s, &id, e) < 0)
		goto fail;
	for (i = 0; i < o->ntags; i++)
		if (store_source_tag(st, id, o->tags[i], true, e) < 0)
			goto fail;
	if (store_commit(st, e) < 0)
		return -1;
	r->id = id;
	r->url = xstrdup(url);
	r->kind = xstrdup(kind);
	return 0;
fail:
	store_rollback(st);
	return -1;
}

int
seek_add(struct store *st, const struct config *cfg, const char *url,
	 const struct seek_add_opts *o, struct seek_add_result *r,
	 struct err *e)
{
	struct fetch_resp resp;
	struct discover_list dl = { 0 };
	struct hub_match hm = { 0 };
	struct err pe = { 0 };
	const char *page;
	size_t i;
	int rc = -1, p;

	memset(r, 0, sizeof(*r));
	if (check_url(url, o->allow_file, e) < 0)
		return -1;
	if (str_istarts(url, "file://"))
		return subscribe(st, url, o, r, e);
	{
		const char *kind, *account;
		char *title = NULL;
		int sc = social_classify(cfg, url, &kind, &account, &title, e);

		if (sc != 0) {
			if (sc > 0)
				sc = subscribe_api(st, url, kind, account,
						   title, o, r, e);
			free(title);
			return sc;
		}
	}
	p = probe(cfg, url, false, &resp, &pe);
	if (p < 0 && pe.code != ERR_NET) {
		fetch_resp_release(&resp);
		return err_set(e, pe.code, "cannot add '%s': %s", url, pe.msg);
	}
	if (p < 0) {
		/* Offline or the site is down: subscribe anyway, the next
		 * fetch says whether it is a feed. */
		r->warning = xasprintf("could not check '%s' now (%s); "
				       "subscribed as a feed, 'glean fetch' "
				       "will tell", url, pe.msg);
		fetch_resp_release(&resp);
		return subscribe(st, url, o, r, e);
	}
	page = resp.effective_url ? resp.effective_url : url;
	if (p == 1) {
		rc = subscribe(st, resp.permanent_url ? resp.permanent_url
						      : url, o, r, e);
		goto out;
	}
	/* Not a feed: a page that links to feeds? */
	if (discover_feeds(resp.body.buf, resp.body.len, page, &dl, &pe) == 0 &&
	    dl.n > 0) {
		if (dl.n == 1 || (o->pick >= 1 && (size_t)o->pick <= dl.n)) {
			size_t k = dl.n == 1 ? 0 : (size_t)o->pick - 1;

			if (linked_private(cfg, &resp, dl.v[k].url, e)) {
				rc = -1;
				goto out;
			}
			rc = subscribe(st, dl.v[k].url, o, r, e);
			goto out;
		}
		if (o->pick) {
			rc = err_set(e, ERR_USAGE, "--pick %d: the page has "
				     "only %zu feeds", o->pick, dl.n);
			goto out;
		}
		r->choices = xcalloc(dl.n, sizeof(char *));
		r->choice_titles = xcalloc(dl.n, sizeof(char *));
		for (i = 0; i < dl.n; i++) {
			r->choices[i] = xstrdup(dl.v[i].url);
			r->choice_titles[i] = dl.v[i].title
						      ? xstrdup(dl.v[i].title)
						      : NULL;
		}
		r->nchoices = dl.n;
		rc = 1;
		goto out;
	}
	/* Known hub shapes: try their feed URLs in order. */
	if (hub_classify(page, &hm, NULL) == 0) {
		for (i = 0; i < hm.n; i++) {
			struct fetch_resp hr;

			if (!hm.cand[i].feed_url)
				continue;
			if (probe(cfg, hm.cand[i].feed_url,
				  !resp.origin_private, &hr, &pe) == 1) {
				fetch_resp_release(&hr);
				rc = subscribe(st, hm.cand[i].feed_url, o, r, e);
				goto out;
			}
			fetch_resp_release(&hr);
		}
	}
	rc = err_set(e, ERR_NOTFOUND, "no feed found at '%s': it is not a "
		     "feed and links to none; if you know the feed's URL, "
		     "add that", url);
out:
	hub_match_release(&hm);
	discover_list_release(&dl);
	fetch_resp_release(&resp);
	return rc;
}

static int
read_file(const char *path, struct sbuf *sb, struct err *e)
{
	FILE *fp = fopen(path, "rb");

	if (!fp)
		return err_set(e, ERR_IO, "cannot read '%s': %s", path,
			       strerror(errno));
	sb->max = IMPORT_MAX_BYTES;
	if (sbuf_read_fp(sb, fp) < 0 && sbuf_over(sb)) {
		fclose(fp);
		return err_set(e, ERR_LIMIT, "'%s' is larger than 64 MiB",
			       path);
	}
	if (ferror(fp)) {
		fclose(fp);
		return err_set(e, ERR_IO, "cannot read '%s': %s", path,
			       strerror(errno));
	}
	fclose(fp);
	return 0;
}

static void
import_one(struct store *st, struct seek_import_report *r, const char *path,
	   int line, const char *url, const char *title, char *const *tags,
	   size_t ntags, bool hidden)
{
	struct err e = { 0 };
	int64_t id;

	if (add_one(st, url, title, tags, ntags, hidden, false, &id, &e) < 0) {
		if (e.code == ERR_USAGE && str_starts(e.msg, "already")) {
			r->existing++;
			return;
		}
		r->skipped++;
		report(r, path, line, e.msg);
		return;
	}
	r->added++;
}

int
seek_import_opml(struct store *st, const char *path,
		 struct seek_import_report *r, struct err *e)
{
	struct sbuf sb = SBUF_INIT;
	struct opml_doc doc;
	size_t i;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (read_file(path, &sb, e) < 0)
		goto out;
	if (opml_parse(sb.buf, sb.len, &doc, e) < 0) {
		err_prefix(e, "cannot import '%s'", path);
		goto out;
	}
	if (doc.bozo)
		report(r, path, 0, "the file is not well-formed XML; imported "
		       "what could be read");
	for (i = 0; i < doc.nproblems; i++) {
		char *m = xasprintf("%s:%s", path, doc.problems[i] + 5);

		/* problems come as "line N: ..." → "path:N: ..." */
		r->problems = xrealloc(r->problems,
				       (r->nproblems + 1) * sizeof(char *));
		r->problems[r->nproblems++] = m;
		r->skipped++;
	}
	if (store_begin(st, true, e) < 0) {
		opml_doc_release(&doc);
		goto out;
	}
	for (i = 0; i < doc.n; i++)
		import_one(st, r, path, doc.v[i].line, doc.v[i].url,
			   doc.v[i].title, doc.v[i].tags, doc.v[i].ntags,
			   false);
	opml_doc_release(&doc);
	rc = store_commit(st, e);
out:
	sbuf_release(&sb);
	return rc;
}

/* Split a newsboat urls line into tokens; "quoted tokens" keep spaces.
 * Returns -1 on an unterminated quote. */
static int
nb_tokens(char *line, char ***tok, size_t *n)
{
	char *p = line;

	*tok = NULL;
	*n = 0;
	for (;;) {
		char *start;

		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			break;
		if (*p == '"') {
			start = ++p;
			while (*p && *p != '"')
				p++;
			if (*p != '"')
				return -1;
			*p++ = '\0';
		} else {
			start = p;
			while (*p && !isspace((unsigned char)*p))
				p++;
			if (*p)
				*p++ = '\0';
		}
		*tok = xrealloc(*tok, (*n + 1) * sizeof(char *));
		(*tok)[(*n)++] = start;
	}
	return 0;
}

int
seek_import_newsboat(struct store *st, const char *path,
		     struct seek_import_report *r, struct err *e)
{
	struct sbuf sb = SBUF_INIT;
	char *p, *line;
	int lineno = 0, rc = -1;

	memset(r, 0, sizeof(*r));
	if (read_file(path, &sb, e) < 0)
		goto out;
	if (!utf8_valid(sb.buf, sb.len)) {
		char *fixed = text_sanitize(sb.buf, sb.len, false);

		sbuf_reset(&sb);
		sbuf_adds(&sb, fixed);
		free(fixed);
		report(r, path, 0, "the file is not valid UTF-8; bad bytes "
		       "were replaced");
	}
	if (store_begin(st, true, e) < 0)
		goto out;
	p = sb.buf;
	while ((line = strsep(&p, "\n")) != NULL) {
		char **tok = NULL, **tags = NULL, *title = NULL;
		size_t ntok = 0, ntags = 0, i;
		bool hidden = false;

		lineno++;
		if (nb_tokens(line, &tok, &ntok) < 0) {
			report(r, path, lineno, "unterminated quote; line "
			       "skipped");
			r->skipped++;
			free(tok);
			continue;
		}
		if (ntok == 0) {
			free(tok);
			continue;
		}
		if (str_starts(tok[0], "query:")) {
			report(r, path, lineno, "query feeds are not imported; "
			       "add a [search \"NAME\"] section with 'query = "
			       "...' to your glean config instead");
			r->skipped++;
			free(tok);
			continue;
		}
		if (str_starts(tok[0], "exec:") || str_starts(tok[0], "filter:")) {
			report(r, path, lineno, "exec: and filter: sources run "
			       "commands and are never imported");
			r->skipped++;
			free(tok);
			continue;
		}
		tags = xcalloc(ntok, sizeof(char *));
		for (i = 1; i < ntok; i++) {
			if (tok[i][0] == '~') {
				if (tok[i][1])
					title = tok[i] + 1;
			} else if (tok[i][0] == '!') {
				hidden = true;
			} else if (tok[i][0]) {
				tags[ntags++] = tok[i];
			}
		}
		import_one(st, r, path, lineno, tok[0], title, tags, ntags,
			   hidden);
		free(tags);
		free(tok);
	}
	rc = store_commit(st, e);
out:
	sbuf_release(&sb);
	return rc;
}

int
seek_export_opml(struct store *st, struct sbuf *out, struct err *e)
{
	struct source_list l;
	size_t i, k, j;
	char **folders = NULL;
	size_t nfolders = 0;

	if (store_sources_list(st, &l, e) < 0)
		return -1;
	sbuf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		       "<opml version=\"2.0\">\n"
		       "  <head><title>glean subscriptions</title></head>\n"
		       "  <body>\n");
	/* Folders in first-seen order; a source sits under its first tag. */
	for (i = 0; i < l.n; i++) {
		if (!l.v[i].ntags)
			continue;
		for (k = 0; k < nfolders; k++)
			if (!strcmp(folders[k], l.v[i].tags[0]))
				break;
		if (k == nfolders) {
			folders = xrealloc(folders,
					   (nfolders + 1) * sizeof(char *));
			folders[nfolders++] = l.v[i].tags[0];
		}
	}
	for (k = 0; k <= nfolders; k++) {
		const char *indent = k < nfolders ? "      " : "    ";

		if (k < nfolders) {
			sbuf_adds(out, "    <outline text=\"");
			text_escape_xml(out, folders[k], strlen(folders[k]));
			sbuf_adds(out, "\" title=\"");
			text_escape_xml(out, folders[k], strlen(folders[k]));
			sbuf_adds(out, "\">\n");
		}
		for (i = 0; i < l.n; i++) {
			const struct source *s = &l.v[i];
			const char *t = s->title ? s->title : s->url;

			if (k < nfolders ? !(s->ntags &&
					     !strcmp(s->tags[0], folders[k]))
					 : s->ntags != 0)
				continue;
			sbuf_addf(out, "%s<outline type=\"rss\" text=\"", indent);
			text_escape_xml(out, t, strlen(t));
			sbuf_adds(out, "\" title=\"");
			text_escape_xml(out, t, strlen(t));
			sbuf_adds(out, "\" xmlUrl=\"");
			text_escape_xml(out, s->url, strlen(s->url));
			sbuf_adds(out, "\"");
			if (s->site_url) {
				sbuf_adds(out, " htmlUrl=\"");
				text_escape_xml(out, s->site_url, strlen(s->site_url));
				sbuf_adds(out, "\"");
			}
			if (s->ntags > 1) {
				sbuf_adds(out, " category=\"");
				for (j = 1; j < s->ntags; j++) {
					if (j > 1)
						sbuf_addch(out, ',');
					text_escape_xml(out, s->tags[j], strlen(s->tags[j]));
				}
				sbuf_adds(out, "\"");
			}
			sbuf_adds(out, "/>\n");
		}
		if (k < nfolders)
			sbuf_adds(out, "    </outline>\n");
	}
	sbuf_adds(out, "  </body>\n</opml>\n");
	free(folders);
	source_list_release(&l);
	return 0;
}

/* ---- feed_doc → items ---- */

/* A title for an entry that has none: the first sentence of its text,
 * cut at a word boundary. */
static char *
derive_title(const char *text)
{
	size_t max = 80, n = 0, cut = 0;
	const char *p;

	if (!text || !*text)
		return NULL;
	for (p = text; *p && n < max; p++, n++) {
		if ((*p == '.' || *p == '!' || *p == '?') &&
		    (p[1] == ' ' || p[1] == '\0')) {
			return xstrndup(text, n + 1);
		}
		if (*p == ' ')
			cut = n;
	}
	if (!*p)
		return xstrdup(text);
	if (cut == 0)
		cut = n;
	/* don't split a UTF-8 sequence */
	while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
		cut--;
	{
		char *t = xmalloc(cut + 4);

		memcpy(t, text, cut);
		memcpy(t + cut, "…", 4);
		return t;
	}
}

/*
 * One rule for text (issue 16): a field read as plain text is shown as
 * written, only made safe (controls out) and one line (whitespace runs
 * one space); a field read as HTML is rendered to text. Done once, here:
 * the store keeps the display text, which items, show, the reader, the
 * digests, search and the query language's title: all read.
 */
char *
seek_display_line(const char *s, bool html, size_t max)
{
	struct sbuf sb = SBUF_INIT;
	char *c;
	const char *p;
	bool space = false;

	if (!s)
		return NULL;
	if (html) {
		struct sbuf t = SBUF_INIT;

		html_strip(s, strlen(s), max, &t);
		c = sbuf_detach(&t, NULL);
	} else {
		c = text_sanitize(s, strlen(s), true);
	}
	/* one line: each run of white space (a line break in the
	 * document's layout, or what a dropped control left) one space */
	for (p = c; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			space = sb.len > 0;
			continue;
		}
		if (space)
			sbuf_addch(&sb, ' ');
		space = false;
		sbuf_addch(&sb, *p);
	}
	free(c);
	if (sb.len > max) {
		size_t cut = max;

		/* on a character boundary */
		while (cut > 0 && ((unsigned char)sb.buf[cut] & 0xC0) == 0x80)
			cut--;
		sbuf_truncate(&sb, cut);
	}
	if (!sb.len) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb, NULL);
}

/* An author's name (or address) is plain text; in RSS, where plain
 * text routinely carries HTML ("Jos&amp;eacute;" for José), one that
 * looks like HTML by feedparser's rule is rendered, as an RSS title. */
static char *
author_line(const struct feed_doc *doc, const struct feed_person *a)
{
	const char *s = a->name ? a->name : a->email;

	return seek_display_line(s, doc->version &&
				 str_starts(doc->version, "rss") &&
				 html_looks_like(s), 4096);
}

void
seek_items_from_doc(const struct feed_doc *doc, struct item **itemsp,
		    size_t *np)
{
	struct item *items = xcalloc(doc->nentries ? doc->nentries : 1,
				     sizeof(*items));
	struct json_ctx jx = { 0 }; /* one for every enclosure list */
	size_t i, k, n = 0;

	for (i = 0; i < doc->nentries; i++) {
		const struct feed_entry *en = &doc->entries[i];
		struct item *it;
		const char *body = en->content ? en->content : en->summary;
		/* the summary as its type: RSS description is HTML, an Atom
		 * or JSON Feed summary is text unless it says otherwise */
		const char *ctype = en->content ? en->content_type
				    : en->summary_html ? "text/html"
						       : "text/plain";
		struct sbuf text = SBUF_INIT;

		/* an entry the document's end cut off is kept only when
		 * its guid or its link was read whole; a half-read one is
		 * not its identity (it would be an item of its own, and
		 * the whole entry a duplicate at the next fetch) */
		if (en->cut && !en->id_whole && !en->link_whole)
			continue;
		it = &items[n++];
		it->guid = en->c.id && (!en->cut || en->id_whole)
				   ? xstrdup(en->c.id) : NULL;
		/* links are stored with their controls percent-encoded;
		 * one over URL_MAX_BYTES is dropped (the item keeps no
		 * link, an enclosure is left out) */
		it->url = en->cut && !en->link_whole
				  ? NULL : url_store_safe(en->c.link);
		if (!en->c.link && (!en->cut || en->link_whole))
			for (k = 0; k < en->c.nlinks; k++)
				if (en->c.links[k].href &&
				    (!en->c.links[k].rel ||
				     !strcmp(en->c.links[k].rel, "alternate"))) {
					it->url = url_store_safe(
						en->c.links[k].href);
					break;
				}
		if (en->c.nauthors)
			it->author = author_line(doc, &en->c.authors[0]);
		else if (doc->feed.nauthors)
			/* Atom: entries inherit the feed's author. */
			it->author = author_line(doc, &doc->feed.authors[0]);
		it->published = en->c.published != FEED_NO_DATE
					? en->c.published : 0;
		it->updated = en->c.updated != FEED_NO_DATE ? en->c.updated : 0;
		if (!it->published)
			it->published = it->updated;
		if (body) {
			it->content = xstrdup(body);
			it->content_type = xstrdup(
				ctype ? ctype : "text/html");
		}
		it->title = seek_display_line(en->c.title, en->c.title_html,
					      4096);
		/* an HTML title is kept as the parser cleaned it (and, as
		 * every stored title, with no control, noncharacter or
		 * line break), beside its text, when it says more */
		if (en->c.title_html && it->title &&
		    strlen(en->c.title) <= TITLE_HTML_MAX) {
			it->title_html = text_sanitize(en->c.title,
						       strlen(en->c.title),
						       true);
			if (!strcmp(it->title_html, it->title)) {
				free(it->title_html);
				it->title_html = NULL;
			}
		}
		if (!it->title && body) {
			/* the store derives the text it searches, the same */
			content_text(body, strlen(body), it->content_type,
				     &text);
			it->title = derive_title(text.buf);
		}
		if (en->nenclosures) {
			struct json_out w;

			json_out_init_ctx(&w, &jx, 0);
			json_arr_begin(&w);
			for (k = 0; k < en->nenclosures; k++) {
				char *u = url_store_safe(en->enclosures[k].url);

				if (en->enclosures[k].url && !u)
					continue;
				json_obj_begin(&w);
				json_kv_str(&w, "url", u);
				free(u);
				json_kv_str(&w, "type", en->enclosures[k].type);
				if (en->enclosures[k].length >= 0) {
					json_key(&w, "length");
					json_i64(&w, en->enclosures[k].length);
				}
				json_obj_end(&w);
			}
			json_arr_end(&w);
			it->enclosures = sbuf_detach(&w.sb, NULL);
		}
		sbuf_release(&text);
		item_hash_set(it); /* here, off the store's thread */
	}
	json_ctx_close(&jx);
	*itemsp = items;
	*np = n;
}
