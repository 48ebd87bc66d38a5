/*
 * Helpers the notes module's two halves share (the Markdown export and
 * the Web Annotations); not for other modules.
 */
#ifndef GLEAN_NOTES_PRIVATE_H
#define GLEAN_NOTES_PRIVATE_H

#include "glean/base.h"

/* True for an http(s) URL without controls: one notes_url_put can
 * write as a link. */
bool notes_url_ok(const char *url);
/* Append url with what a URI cannot hold (spaces, non-ASCII bytes,
 * " < > \ ^ ` { | }) percent-encoded; md: ( ) too, for a Markdown link,
 * and without the fragment (a text fragment follows). */
void notes_url_put(struct sbuf *sb, const char *url, bool md);
/* url with exactly those escapes decoded (high_only: only those of
 * non-ASCII bytes, for a link stored with its spaces encoded but not its
 * IRI characters): the link as the store may hold it. Caller frees. */
char *notes_url_unput(const char *url, bool high_only);
/* Append at most about max bytes of s, cut at a space (the end of s when
 * tail, else its start), percent-encoded but for A-Z a-z 0-9 . _ ~ :
 * what a text fragment (#:~:text=) needs, with '-', ',' and '&'
 * encoded. */
void notes_pct(struct sbuf *sb, const char *s, size_t max, bool tail);

#endif
