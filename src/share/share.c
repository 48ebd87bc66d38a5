/*
 * share: the outbox engine. Builds (or resumes) the digest for a target,
 * asks the target's share_ops to split it into parts, records digest and
 * parts, then walks the parts in order: each is committed as "sending"
 * before its request goes out and settled as sent (with the remote id),
 * failed (with the reason) or unknown (the request left, no answer came).
 * A re-run skips sent parts, retries failed ones and asks the target to
 * resolve unknown ones through the service's idempotency; what cannot be
 * resolved stops the run with a message, so nothing is ever posted twice.
 *
 * Owns: the order of state changes and the rules above. Does not own:
 * the wire format of any service (the target files), SQL (store_share.c)
 * or printing (cmd_share.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "glean/json.h"
#include "glean/parse.h"
#include "private.h"
#include "glean/banned.h"

/* share's own targets; the remote services' come from services[]. */
static const struct share_ops *const local_ops[] = {
	&share_file_ops, &share_email_ops, &share_webhook_ops,
};

void
share_report_release(struct share_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].remote);
		free(r->v[i].message);
	}
	free(r->v);
	share_plan_release(&r->plan);
	memset(r, 0, sizeof(*r));
}

static struct share_outcome *
outcome(struct share_report *r, int part, enum outbox_state state)
{
	struct share_outcome *o;

	XGROW(r->v, r->cap, r->n + 1);
	o = &r->v[r->n++];
	memset(o, 0, sizeof(*o));
	o->part = part;
	o->state = state;
	return o;
}

/* Window start: since, else the target's since, else 7 days back. */
static int
share_window(struct store *st, const struct config_target *t,
	     const char *since, int64_t *start, struct err *e)
{
	int64_t d;
	const char *s = since ? since : t && t->since ? t->since : NULL;

	(void)st;
	if (since) {
		if ((d = time_parse_duration(since)) < 0)
			return err_set(e, ERR_USAGE, "bad duration '%s'; "
				       "expected e.g. 7d or 12h", since);
		*start = time_now() - d;
		return 0;
	}
	if (s && (d = time_parse_duration(s)) < 0)
		return err_set(e, ERR_CONFIG, "%s:%d: target '%s': bad since "
			       "'%s'; expected e.g. 7d", t->file, t->line,
			       t->name, s);
	*start = time_now() - (s ? d : 7 * 86400);
	return 0;
}

/* The unfinished digest id: its items, title and introduction. */
static int
select_resumed(struct store *st, int64_t id, struct digest_opts *dopt,
	       struct digest *d, struct err *e)
{
	struct digest_row row;
	int64_t *ids = NULL;
	size_t n = 0;
	int rc;

	if (store_digest_get(st, id, &row, e) < 0)
		return -1;
	dopt->since = row.since;
	dopt->title = row.title;
	dopt->intro = row.intro;
	rc = store_digest_items(st, id, &ids, &n, e);
	if (rc == 0)
		rc = digest_build_ids(st, dopt, ids, n, d, e);
	if (rc == 0 && row.created)
		d->created = row.created;
	free(ids);
	free(row.target); free(row.query); free(row.title);
	free(row.intro); free(row.state);
	return rc;
}

int
share_select(struct store *st, const struct config *cfg, const char *name,
	     const struct share_opts *o, struct digest *d,
	     struct share_sel *sel, struct err *e)
{
	const struct config_target *t = NULL;
	struct digest_opts dopt = { 0 };
	int64_t *ids = NULL, line = -1, when = 0, start = 0;
	size_t n = 0;
	int rc;

	memset(sel, 0, sizeof(*sel));
	memset(d, 0, sizeof(*d));
	if (name && !(t = config_target(cfg, name)))
		return err_set(e, ERR_NOTFOUND, "no target '%s' in the "
			       "config; add a [target \"%s\"] section (see "
			       "glean-config(5))", name, name);
	dopt.query = o->query ? o->query : t ? t->query : NULL;
	dopt.title = t ? t->title : NULL;
	dopt.intro = o->intro;
	dopt.link = t ? t->url : NULL;
	dopt.target = name;
	if (t && store_digest_open(st, name, &sel->resume_id, e) < 0)
		return -1;
	if (sel->resume_id)
		return select_resumed(st, sel->resume_id, &dopt, d, e);
	if (dopt.query)
		return digest_build(st, &dopt, d, e);
	if (t && !o->since &&
	    store_digest_mark_line(st, name, &line, &when, e) < 0)
		return -1;
	if (line < 0) {
		/* no share to this target yet, or a window asked for */
		if (share_window(st, t, o->since, &start, e) < 0)
			return -1;
		line = 0;
		dopt.since = start;
	} else {
		dopt.since = when; /* for the heading: since that share */
	}
	if (store_marked_after(st, line, start, &ids, &n, &sel->upto, e) < 0)
		return -1;
	rc = digest_build_ids(st, &dopt, ids, n, d, e);
	free(ids);
	return rc;
}

/* The poster for target kind k: a service's, else one of share's own. */
static const struct share_ops *
ops_for(const char *k)
{
	const struct service *sv = service_by_name(k);
	size_t i;

	if (sv)
		return sv->share;
	for (i = 0; k && i < ARRAY_SIZE(local_ops); i++)
		if (!strcmp(local_ops[i]->kind, k))
			return local_ops[i];
	return NULL;
}

static int
setup(struct share_ctx *c, struct store *st, const struct config *cfg,
      const char *name, const struct share_opts *o,
      const struct share_ops **ops, struct err *e)
{
	memset(c, 0, sizeof(*c));
	c->st = st;
	c->cfg = cfg;
	c->o = o;
	c->t = config_target(cfg, name);
	if (!c->t)
		return err_set(e, ERR_NOTFOUND, "no target '%s' in the "
			       "config; add a [target \"%s\"] section (see "
			       "glean-config(5))", name, name);
	*ops = ops_for(c->t->kind);
	if (!*ops) /* config_load checked kind against the same names */
		return err_set(e, ERR_CONFIG, "%s:%d: target '%s': glean "
			       "cannot post to kind '%s'", c->t->file,
			       c->t->line, name, c->t->kind);
	if (service_by_name(c->t->kind)) {
		size_t n;

		if (!c->t->account)
			return err_set(e, ERR_CONFIG, "%s:%d: target '%s' "
				       "needs account = NAME", c->t->file,
				       c->t->line, name);
		c->a = config_account(cfg, c->t->account);
		if (!c->a)
			return err_set(e, ERR_CONFIG, "%s:%d: target '%s': "
				       "no [account \"%s\"] in the config",
				       c->t->file, c->t->line, name,
				       c->t->account);
		if (strcmp(c->a->service, c->t->kind) != 0)
			return err_set(e, ERR_CONFIG, "%s:%d: target '%s' "
				       "is a %s target but account '%s' is "
				       "service %s", c->t->file, c->t->line,
				       name, c->t->kind, c->a->name,
				       c->a->service);
		if (!c->a->url)
			return err_set(e, ERR_CONFIG, "%s:%d: account '%s' "
				       "needs url = BASE-URL", c->a->file,
				       c->a->line, c->a->name);
		c->base = xstrdup(c->a->url);
		n = strlen(c->base);
		while (n > 0 && c->base[n - 1] == '/')
			c->base[--n] = '\0';
	}
	return 0;
}

static void
teardown(struct share_ctx *c, const struct share_ops *ops, bool opened)
{
	if (opened && ops->close)
		ops->close(c);
	free(c->base);
}

/* Plan the new digest d (share_select's). */
static int
plan_new(struct share_ctx *c, const struct share_ops *ops,
	 struct digest *d, struct share_plan *p, struct err *e)
{
	char *warning = NULL;
	size_t i;

	c->d = d;
	if (ops->prepare && ops->prepare(c, e) < 0) {
		if (!c->o->dry_run)
			return -1;
		/* a dry run sends nothing: it goes on with the limit
		 * prepare() assumed (with no network, say), and says so */
		warning = xasprintf("%s; this dry run assumes a limit of %zu",
				    e->msg, c->limit);
		err_clear(e);
	}
	if (ops->plan(c, p, e) < 0) {
		free(warning);
		return -1;
	}
	if (warning) {
		char *n = p->note ? xasprintf("%s\n%s", warning, p->note)
				  : xstrdup(warning);

		free(p->note);
		p->note = n;
		free(warning);
	}
	for (i = 0; i < p->n; i++) /* never send what the service refuses */
		if (p->v[i].limit && p->v[i].length > p->v[i].limit)
			return err_set(e, ERR_LIMIT, "target '%s': %s is %zu "
				       "%s, over the limit of %zu",
				       c->t->name, p->v[i].label,
				       p->v[i].length, p->v[i].unit,
				       p->v[i].limit);
	return 0;
}

static int
record(struct share_ctx *c, const struct share_ops *ops,
       const struct digest *d, const struct share_plan *p, int64_t upto,
       int64_t *id, struct err *e)
{
	struct digest_row row = { 0 };
	int64_t *ids = xcalloc(d->items.n + 1, sizeof(*ids));
	char **keys = xcalloc(p->n + 1, sizeof(*keys));
	const char **bodies = xcalloc(p->n + 1, sizeof(*bodies));
	size_t i;
	int rc;

	for (i = 0; i < d->items.n; i++)
		ids[i] = d->items.v[i].id;
	for (i = 0; i < p->n; i++) {
		keys[i] = ops->key ? ops->key(c, i) : NULL;
		if (!keys[i])
			keys[i] = random_hex(16);
		bodies[i] = p->v[i].body;
	}
	row.target = c->t->name;
	row.created = d->created;
	row.since = d->since;
	row.until = d->created;
	row.query = (char *)(c->o->query ? c->o->query : c->t->query);
	row.title = d->title;
	row.intro = d->intro;
	row.mark_seq = row.query ? 0 : upto;
	rc = store_digest_add(c->st, &row, ids, d->items.n, bodies,
			      (const char *const *)keys, p->n, id, e);
	for (i = 0; i < p->n; i++)
		free(keys[i]);
	free(keys);
	free(bodies);
	free(ids);
	return rc;
}

/* Settle the outcome of one attempt in the store and the report. Returns
 * 0 when the part is sent, -1 otherwise (the run stops). */
static int
settle(struct share_ctx *c, const struct outbox_part *p,
       enum share_status st, struct share_sent *s, struct err *pe,
       struct share_report *r, struct err *e)
{
	struct share_outcome *o;
	int rc = 0;

	if (st == SHARE_SENT) {
		o = outcome(r, p->part, OUTBOX_SENT);
		if (store_outbox_set(c->st, p->id, OUTBOX_SENT, s->remote_id,
				     s->remote_url, NULL, e) < 0)
			rc = -1;
		o->remote = xstrdup(s->remote_url ? s->remote_url
				    : s->remote_id ? s->remote_id : "");
		r->sent++;
	} else if (st == SHARE_FAILED) {
		o = outcome(r, p->part, OUTBOX_FAILED);
		o->message = xstrdup(pe->msg);
		store_outbox_set(c->st, p->id, OUTBOX_FAILED, NULL, NULL,
				 pe->msg, NULL);
		r->failed++;
		rc = -1;
	} else {
		o = outcome(r, p->part, OUTBOX_UNKNOWN);
		o->message = xasprintf("%s; part %d may already be posted. "
			"Check '%s', then run 'glean shares resolve "
			"%lld:%d sent' if it arrived or '... failed' to post "
			"it again", pe->msg, p->part, c->t->name,
			(long long)p->digest_id, p->part);
		store_outbox_set(c->st, p->id, OUTBOX_UNKNOWN, NULL, NULL,
				 pe->msg, NULL);
		r->unknown++;
		rc = -1;
	}
	free(s->remote_id);
	free(s->remote_url);
	memset(s, 0, sizeof(*s));
	return rc;
}

static int
refresh(struct share_ctx *c, int64_t id, struct outbox_list *parts,
	struct err *e)
{
	outbox_list_release(parts);
	return store_outbox_list(c->st, id, parts, e);
}

/* Before part i replies to earlier parts: any of them settled as sent by
 * hand with no remote id is looked up where the service can (Bluesky's
 * known record key). What is not found stays without one, and the
 * service's send() then fails part i rather than reply to nothing. */
static int
find_parents(struct share_ctx *c, const struct share_ops *ops, int64_t id,
	     struct outbox_list *parts, size_t i, struct err *e)
{
	bool found = false;
	size_t j;

	if (!ops->reply_ref || !ops->lookup)
		return 0;
	for (j = 0; j < i; j++) {
		struct outbox_part *p = &parts->v[j];
		struct share_sent s = { 0 };
		struct err le = { 0 };

		if (p->state != OUTBOX_SENT || (p->remote_id && *p->remote_id))
			continue;
		if (ops->lookup(c, parts, j, &s, &le) == SHARE_SENT &&
		    s.remote_id) {
			if (store_outbox_set(c->st, p->id, OUTBOX_SENT,
					     s.remote_id, s.remote_url, NULL,
					     e) < 0) {
				free(s.remote_id);
				free(s.remote_url);
				return -1;
			}
			found = true;
		}
		free(s.remote_id);
		free(s.remote_url);
	}
	return found ? refresh(c, id, parts, e) : 0;
}

static int
deliver(struct share_ctx *c, const struct share_ops *ops, int64_t id,
	bool *opened, struct share_report *r, struct err *e)
{
	struct outbox_list parts;
	size_t i;
	int rc = 0;

	if (store_outbox_list(c->st, id, &parts, e) < 0)
		return -1;
	for (i = 0; i < parts.n && rc == 0; i++) {
		struct outbox_part *p = &parts.v[i];
		struct share_sent s = { 0 };
		struct err pe = { 0 };
		enum share_status st;

		if (p->state == OUTBOX_SENT) {
			struct share_outcome *o = outcome(r, p->part,
							  OUTBOX_SENT);

			o->skipped = true;
			o->remote = xstrdup(p->remote_url ? p->remote_url
					    : p->remote_id ? p->remote_id : "");
			r->skipped++;
			continue;
		}
		if (!*opened) {
			if (ops->open && ops->open(c, e) < 0) {
				rc = -1;
				break;
			}
			*opened = true;
		}
		if (p->state == OUTBOX_UNKNOWN || p->state == OUTBOX_SENDING) {
			st = ops->resolve ? ops->resolve(c, &parts, i, &s, &pe)
					  : SHARE_UNKNOWN;
			if (st == SHARE_UNKNOWN && !pe.msg[0])
				err_set(&pe, ERR_NET, "%s: no answer came for "
					"a request that was sent", c->t->kind);
			if (st != SHARE_FAILED) {
				rc = settle(c, p, st, &s, &pe, r, e);
				if (rc == 0 && refresh(c, id, &parts, e) < 0)
					rc = -1;
				continue;
			}
			err_clear(&pe);
		}
		if (i > 0 && find_parents(c, ops, id, &parts, i, e) < 0) {
			rc = -1;
			break;
		}
		p = &parts.v[i];
		if (store_outbox_set(c->st, p->id, OUTBOX_SENDING, NULL, NULL,
				     NULL, e) < 0) {
			rc = -1;
			break;
		}
		st = ops->send(c, &parts, i, &s, &pe);
		rc = settle(c, p, st, &s, &pe, r, e);
		/* later parts of a thread read this one's remote id */
		if (rc == 0 && refresh(c, id, &parts, e) < 0)
			rc = -1;
	}
	outbox_list_release(&parts);
	if (store_digest_settle(c->st, id, rc < 0 ? NULL : e) < 0)
		rc = -1;
	return rc;
}

/* A dry run over an unfinished digest shows the parts still to go. */
static int
plan_open(struct share_ctx *c, int64_t id, struct share_report *r,
	  struct err *e)
{
	struct outbox_list parts;
	size_t i;

	if (store_outbox_list(c->st, id, &parts, e) < 0)
		return -1;
	for (i = 0; i < parts.n; i++) {
		if (parts.v[i].state == OUTBOX_SENT)
			continue;
		share_plan_add(&r->plan, xstrdup(parts.v[i].body), 0, 0,
			       "characters", "part %d (%s, from digest %lld)",
			       parts.v[i].part,
			       outbox_state_name(parts.v[i].state),
			       (long long)id);
	}
	outbox_list_release(&parts);
	return 0;
}

int
share_run(struct store *st, const struct config *cfg, const char *name,
	  const struct share_opts *o, struct share_report *r, struct err *e)
{
	const struct share_ops *ops = NULL;
	struct share_ctx c;
	struct share_plan plan = { 0 };
	struct digest d = { 0 };
	struct share_sel sel;
	bool opened = false;
	int64_t id = 0;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (setup(&c, st, cfg, name, o, &ops, e) < 0)
		goto out;
	if (share_select(st, cfg, name, o, &d, &sel, e) < 0)
		goto out;
	r->nitems = d.items.n;
	if (sel.resume_id) {
		id = sel.resume_id;
		r->resumed = true;
		r->digest_id = id;
		if (o->dry_run) {
			rc = plan_open(&c, id, r, e);
			goto out;
		}
	} else {
		if (!r->nitems) {
			rc = 0;
			goto out;
		}
		if (plan_new(&c, ops, &d, &plan, e) < 0)
			goto out;
		if (o->dry_run) {
			r->plan = plan;
			memset(&plan, 0, sizeof(plan));
			rc = 0;
			goto out;
		}
		if (record(&c, ops, &d, &plan, sel.upto, &id, e) < 0)
			goto out;
		r->digest_id = id;
	}
	rc = deliver(&c, ops, id, &opened, r, e);
	if (rc < 0 && !e->msg[0]) {
		err_set(e, ERR_NET, "share to '%s' did not finish: %zu sent, "
			"%zu failed, %zu unknown", name, r->sent, r->failed,
			r->unknown);
	}
out:
	if (ops)
		teardown(&c, ops, opened);
	else
		free(c.base);
	share_plan_release(&plan);
	digest_release(&d);
	return rc;
}

/* What the user gave as --remote for part p of a target: the remote id
 * (and URL, when a post URL was given), checked by the target's poster. */
static int
resolve_remote(const struct share_ops *ops, const char *remote, char **rid,
	       char **rurl, struct err *e)
{
	*rid = *rurl = NULL;
	if (!remote)
		return 0;
	*rid = ops && ops->remote_parse ? ops->remote_parse(remote, e)
					: xstrdup(remote);
	if (!*rid)
		return -1;
	if ((str_starts(remote, "https://") || str_starts(remote, "http://")) &&
	    digest_url_ok(remote))
		*rurl = xstrdup(remote);
	return 0;
}

int
share_resolve(struct store *st, const struct config *cfg, int64_t digest_id,
	      int part, enum outbox_state state, const char *remote,
	      struct err *e)
{
	const struct config_target *t;
	const struct share_ops *ops = NULL;
	struct outbox_list parts;
	struct outbox_part *p = NULL;
	char *rid = NULL, *rurl = NULL;
	size_t i;
	int rc = -1;

	if (state != OUTBOX_SENT && state != OUTBOX_FAILED)
		return err_set(e, ERR_USAGE, "a part can be settled as sent "
			       "or failed only");
	if (remote && state != OUTBOX_SENT)
		return err_set(e, ERR_USAGE, "--remote names where a sent "
			       "part went; a failed part has none");
	if (store_outbox_list(st, digest_id, &parts, e) < 0)
		return -1;
	for (i = 0; i < parts.n && !p; i++)
		if (parts.v[i].part == part)
			p = &parts.v[i];
	if (!p) {
		err_set(e, ERR_NOTFOUND, "no part %lld:%d; see 'glean shares'",
			(long long)digest_id, part);
		goto out;
	}
	i = (size_t)(p - parts.v);
	t = cfg ? config_target(cfg, p->target) : NULL;
	ops = t ? ops_for(t->kind) : NULL;
	if (resolve_remote(ops, remote, &rid, &rurl, e) < 0)
		goto out;
	if (p->state == OUTBOX_SENT && rid && !(p->remote_id &&
						*p->remote_id)) {
		/* settled by hand earlier without its id: add it now */
	} else if (p->state != OUTBOX_UNKNOWN && p->state != OUTBOX_SENDING) {
		err_set(e, ERR_USAGE, "part %lld:%d is %s, not unknown; "
			"nothing to resolve", (long long)digest_id, part,
			outbox_state_name(p->state));
		goto out;
	}
	/* A later part of a thread replies to this one: it needs the id,
	 * unless the service can look it up (Bluesky: the record key). */
	if (state == OUTBOX_SENT && !rid && i + 1 < parts.n && ops &&
	    ops->reply_ref && !ops->lookup) {
		err_set(e, ERR_USAGE, "part %d replies to part %lld:%d, so "
			"glean needs where it went: run 'glean shares resolve "
			"%lld:%d sent --remote ID' with ID %s",
			parts.v[i + 1].part, (long long)digest_id, part,
			(long long)digest_id, part, ops->reply_ref);
		goto out;
	}
	if (store_outbox_set(st, p->id, state, rid, rurl,
			     state == OUTBOX_SENT ? "resolved by the user"
			     : NULL, e) < 0)
		goto out;
	rc = store_digest_settle(st, digest_id, e);
out:
	free(rid);
	free(rurl);
	outbox_list_release(&parts);
	return rc;
}

/* ---- rendering and packing for the targets ---- */
