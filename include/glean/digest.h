/*
 * digest: a selection of items (by default those marked to share in a
 * window) turned into one document grouped by tag, and that document
 * rendered as Markdown, plain text, HTML, Atom 1.0 or JSON Feed 1.1.
 * Rendering is pure: no I/O, no store access, and every value taken from
 * the store is treated as hostile (sanitized; escaped for HTML and XML).
 *
 * The reader's digest preview calls digest_build() with its current
 * query and digest_render() for the text to show; sharing goes through
 * share.h.
 */
#ifndef GLEAN_DIGEST_H
#define GLEAN_DIGEST_H

#include "glean/base.h"
#include "glean/store.h"

enum digest_format {
	DIGEST_MD,
	DIGEST_TEXT,
	DIGEST_HTML,
	DIGEST_ATOM,
	DIGEST_JSON,
};

/* What to select and how to head it. Strings are borrowed for the call. */
struct digest_opts {
	const char *query;  /* query language; NULL = marked in the window */
	int64_t since;      /* window start for the default selection */
	const char *title;  /* NULL = "Digest" */
	const char *intro;  /* optional introduction (plain text) */
	const char *link;   /* public URL of the digest (Atom/JSON), or NULL */
	const char *feed_id;/* id for Atom/JSON feeds; NULL: made from link
			     * (a tag URI) or kept in the store (a UUID) */
	const char *target; /* the share target's name, or NULL: a feed id
			     * kept in the store is one per target */
};

/* One tag heading and the indexes of its items in digest.items. Each item
 * sits under its first tag in name order, untagged ones last. */
struct digest_group {
	char *tag;          /* NULL for untagged items */
	size_t *idx;
	size_t n, cap;
};

struct digest {
	char *title, *intro, *link, *feed_id;
	int64_t created, since;
	struct item_list items; /* with notes and tags */
	struct digest_group *groups;
	size_t ngroups, cap_groups;
};

/* "md" "markdown" "text" "txt" "html" "atom" "json"; -1 when unknown. */
int digest_format_parse(const char *s, enum digest_format *out);
const char *digest_format_name(enum digest_format f);

/* Select and group. An empty selection is not an error (items.n == 0).
 * Release d with digest_release() in every case. */
int digest_build(struct store *st, const struct digest_opts *o,
		 struct digest *d, struct err *e);
/* The same from a fixed list of item ids (a digest being resumed, the
 * file target's rolling feed); missing items are skipped. */
int digest_build_ids(struct store *st, const struct digest_opts *o,
		     const int64_t *ids, size_t n, struct digest *d,
		     struct err *e);
void digest_release(struct digest *d);

/* Render d in format f, appended to out. tmpl (NULL for none) is a
 * template for md/text/html in which {{title}}, {{intro}}, {{date}},
 * {{count}} and {{items}} are replaced (values escaped for html). */
int digest_render(const struct digest *d, enum digest_format f,
		  const char *tmpl, struct sbuf *out, struct err *e);

/* Helpers the share targets use to build their own posts. */
/* True for http://, https:// and mailto: URLs without controls or spaces. */
bool digest_url_ok(const char *url);

#endif
