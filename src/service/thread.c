/*
 * thread.c: what the threaded posters (mastodon, x, bluesky) share about
 * reply chains. A later part replies to an earlier part's remote id; a
 * part the user settled by hand ('glean shares resolve D:P sent') has one
 * only when the user gave it (--remote) or the service could look it up.
 * It owns reading a numeric id out of what the user pasted and the one
 * message for a reply whose parent has no id. It sends nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glean/service.h"
#include "glean/banned.h"

char *
share_remote_number(const char *arg, const char *what, bool letters,
		    struct err *e)
{
	static const char digits[] = "0123456789";
	static const char alnum[] = "0123456789abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	const char *s = arg, *end;
	size_t n;

	if (str_starts(arg, "https://") || str_starts(arg, "http://")) {
		end = arg + strcspn(arg, "?#");
		while (end > arg && end[-1] == '/')
			end--;
		s = end;
		while (s > arg && s[-1] != '/')
			s--;
		n = (size_t)(end - s);
	} else {
		n = strlen(arg);
	}
	if (n == 0 || n > 40 || strspn(s, letters ? alnum : digits) < n) {
		err_set(e, ERR_USAGE, "--remote wants the %s (%s) or the post's "
			"URL ending in it, not '%s'", what, letters ? "letters "
			"and digits" : "a number", arg);
		return NULL;
	}
	return xstrndup(s, n);
}

enum share_status
share_no_parent(const struct share_ctx *c, const struct outbox_list *parts,
		size_t i, size_t j, const char *reply_ref, struct err *e)
{
	const struct outbox_part *p = &parts->v[j];

	err_set(e, ERR_USAGE, "part %d was settled as sent with no remote id, "
		"and part %d replies to it; find it on %s and run 'glean "
		"shares resolve %lld:%d sent --remote ID' (ID: %s), then "
		"share again", p->part, parts->v[i].part, c->t->kind,
		(long long)p->digest_id, p->part, reply_ref);
	return SHARE_FAILED;
}
