/*
 * file target: the digest written to a path in md, html, text, atom or
 * json. Atom and JSON Feed files are rolling feeds: they hold the last
 * `keep` items shared to this target across runs, newest share first, so
 * the file can be published and subscribed to. The write is atomic (temp
 * file, fsync, rename), so a part is never half-done and never unknown.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"
#include "glean/banned.h"

static int
file_format(struct share_ctx *c, enum digest_format *f, struct err *e)
{
	if (!c->t->format) {
		*f = DIGEST_MD;
		return 0;
	}
	if (digest_format_parse(c->t->format, f) < 0)
		return err_set(e, ERR_CONFIG, "%s:%d: target '%s': format "
			       "'%s' is not md, html, text, atom or json",
			       c->t->file, c->t->line, c->t->name,
			       c->t->format);
	return 0;
}

static int
file_plan(struct share_ctx *c, struct share_plan *p, struct err *e)
{
	enum digest_format f;
	struct digest roll = { 0 };
	struct digest *cur = c->d;
	char *body = NULL;
	int64_t *ids = NULL, *all = NULL;
	size_t n = 0, nall = 0, i, j;
	size_t keep = c->t->keep > 0 ? (size_t)c->t->keep : 50;
	int rc = -1;

	if (!c->t->path)
		return err_set(e, ERR_CONFIG, "%s:%d: target '%s' needs "
			       "path = FILE", c->t->file, c->t->line,
			       c->t->name);
	if (file_format(c, &f, e) < 0)
		return -1;
	if (f == DIGEST_ATOM || f == DIGEST_JSON) {
		struct digest_opts o = { 0 };

		if (store_digest_shared_items(c->st, c->t->name, keep, &ids,
					      &n, e) < 0)
			goto out;
		all = xcalloc(cur->items.n + n + 1, sizeof(*all));
		for (i = 0; i < cur->items.n && nall < keep; i++)
			all[nall++] = cur->items.v[i].id;
		for (i = 0; i < n && nall < keep; i++) {
			for (j = 0; j < nall && all[j] != ids[i]; j++)
				;
			if (j == nall)
				all[nall++] = ids[i];
		}
		o.title = cur->title;
		o.intro = cur->intro;
		o.link = cur->link;
		o.feed_id = cur->feed_id;
		o.since = cur->since;
		if (digest_build_ids(c->st, &o, all, nall, &roll, e) < 0)
			goto out;
		c->d = &roll;
	}
	if (share_render(c, f, &body, e) < 0)
		goto out;
	share_plan_add(p, body, 0, 0, "bytes", "file %s (%s, %zu bytes)",
		       c->t->path, digest_format_name(f), strlen(body));
	rc = 0;
out:
	c->d = cur;
	digest_release(&roll);
	free(ids);
	free(all);
	return rc;
}

static enum share_status
file_send(struct share_ctx *c, const struct outbox_list *parts, size_t i,
	  struct share_sent *out, struct err *e)
{
	const char *path = c->t->path, *body = parts->v[i].body;
	char *tmp = xasprintf("%s.glean-XXXXXX", path);
	size_t len = strlen(body), off = 0;
	int fd = mkstemp(tmp);

	if (fd < 0) {
		err_set(e, ERR_IO, "cannot create a file beside '%s': %s",
			path, strerror(errno));
		free(tmp);
		return SHARE_FAILED;
	}
	fchmod(fd, 0644);
	while (off < len) {
		ssize_t w = write(fd, body + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	out->remote_id = xstrdup(path);
	return SHARE_SENT;
fail:
	err_set(e, ERR_IO, "cannot write '%s': %s", path, err_str(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return SHARE_FAILED;
}

/* A local write either happened or not: an interrupted one left only a
 * temp file, so it is safe to write again. */
static enum share_status
file_resolve(struct share_ctx *c, const struct outbox_list *parts, size_t i,
	     struct share_sent *out, struct err *e)
{
	(void)c; (void)parts; (void)i; (void)out; (void)e;
	return SHARE_FAILED;
}

const struct share_ops share_file_ops = {
	.kind = "file",
	.plan = file_plan,
	.send = file_send,
	.resolve = file_resolve,
};
