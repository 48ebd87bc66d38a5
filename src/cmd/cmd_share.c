/*
 * glean share TARGET and glean shares: post the digest to a configured
 * target through the outbox (share/), preview it with --dry-run, list past
 * shares and their part states, and settle a part the user checked by
 * hand (--resolve). Only parsing and printing live here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glean/cmd.h"
#include "glean/config.h"
#include "glean/json.h"
#include "glean/share.h"
#include "glean/store.h"
#include "glean/banned.h"

static void
share_usage(FILE *fp)
{
	fprintf(fp, "usage: glean share TARGET [--dry-run] [--since DUR] "
		"[--intro TEXT] [QUERY...]\n\n"
		"Post the digest to TARGET (a [target] in the config). Every "
		"part goes through\nthe outbox: a re-run finishes what did not "
		"go out and never posts a part twice.\n--dry-run prints exactly "
		"what the target would receive.\n");
}

static void
print_plan(const char *name, const struct share_report *r)
{
	size_t i;

	printf("dry run for target '");
	cmd_put(stdout, name, true);
	printf("': %zu item%s, %zu part%s%s\n", r->nitems,
	       r->nitems == 1 ? "" : "s", r->plan.n,
	       r->plan.n == 1 ? "" : "s",
	       r->resumed ? " still to send from an unfinished share" : "");
	if (r->plan.note) {
		cmd_put(stdout, r->plan.note, true);
		putchar('\n');
	}
	for (i = 0; i < r->plan.n; i++) {
		const struct share_part *p = &r->plan.v[i];

		printf("--- ");
		cmd_put(stdout, p->label, true);
		if (p->limit)
			printf(": %zu/%zu %s%s", p->length, p->limit, p->unit,
			       p->length > p->limit ? " (too long)" : "");
		else if (p->length)
			printf(": %zu %s", p->length, p->unit);
		printf(" ---\n");
		cmd_put(stdout, p->body, false);
		if (!str_ends(p->body, "\n"))
			putchar('\n');
	}
}

int
cmd_share(int argc, char **argv, struct ctx *ctx)
{
	struct share_opts o = { 0 };
	struct share_report r;
	struct sbuf q = SBUF_INIT;
	struct err e = { 0 };
	const char *name = NULL;
	size_t i;
	int a, rc;

	for (a = 1; a < argc; a++) {
		const char *s = argv[a];
		bool has = a + 1 < argc;

		if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			share_usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(s, "--dry-run") || !strcmp(s, "-n")) {
			o.dry_run = true;
		} else if (!strcmp(s, "--since") && has) {
			o.since = argv[++a];
		} else if (!strcmp(s, "--intro") && has) {
			o.intro = argv[++a];
		} else if (s[0] == '-' && s[1]) {
			static const char *const with_value[] = {
				"--since", "--intro", NULL
			};

			sbuf_release(&q);
			return cmd_bad_option("share", s, with_value);
		} else if (!name) {
			name = s;
		} else {
			sbuf_addf(&q, "%s%s", q.len ? " " : "", s);
		}
	}
	if (!name) {
		sbuf_release(&q);
		return cmd_usage_error("share", "which target? name one from "
				       "the config");
	}
	o.query = q.len ? q.buf : NULL;
	if (o.query && store_query_check(ctx->st, o.query, &e) < 0) {
		sbuf_release(&q);
		return cmd_err(&e);
	}
	rc = share_run(ctx->st, ctx->cfg, name, &o, &r, &e);
	if (rc == 0 && !r.nitems) {
		printf("nothing to share to '");
		cmd_put(stdout, name, true);
		if (o.query || o.since)
			printf("': no items %s\n", o.query ? "match the query"
			       : "marked in the window");
		else
			printf("': nothing marked since its last share; mark "
			       "some with 'glean mark ID'\n");
	} else if (o.dry_run && rc == 0) {
		print_plan(name, &r);
	} else if (r.digest_id) {
		printf("%s digest %lld to '", r.resumed ? "resumed" : "shared",
		       (long long)r.digest_id);
		cmd_put(stdout, name, true);
		printf("': %zu sent, %zu already sent, %zu failed, %zu "
		       "unknown\n", r.sent, r.skipped, r.failed, r.unknown);
		for (i = 0; i < r.n; i++) {
			const struct share_outcome *oc = &r.v[i];

			printf("  part %d: %s", oc->part, oc->skipped ?
			       "already sent" : outbox_state_name(oc->state));
			if (oc->remote && *oc->remote) {
				putchar(' ');
				cmd_put(stdout, oc->remote, true);
			}
			putchar('\n');
			if (oc->message) {
				fprintf(stderr, "glean: part %d: ", oc->part);
				cmd_put(stderr, oc->message, true);
				fputc('\n', stderr);
			}
		}
	}
	if (rc < 0 && (!r.n || r.failed + r.unknown == 0))
		cmd_err(&e);
	if (r.failed && r.digest_id) {
		fprintf(stderr, "glean: run 'glean share ");
		cmd_put(stderr, name, true);
		fprintf(stderr, "' again to retry, or 'glean shares abandon "
			"%lld' to give up on this share\n",
			(long long)r.digest_id);
	}
	share_report_release(&r);
	sbuf_release(&q);
	return rc < 0 ? (e.code == ERR_USAGE ? EXIT_USAGE : EXIT_FAIL)
		      : EXIT_OK;
}

static void
shares_usage(FILE *fp)
{
	fprintf(fp, "usage: glean shares [list] [TARGET] [--parts] [--json]\n"
		"       glean shares resolve DIGEST:PART sent [--remote ID] | "
		"failed\n"
		"       glean shares abandon DIGEST\n\n"
		"List past shares and the state of their parts. resolve "
		"settles a part\nwhose answer was lost, after you checked the "
		"service: 'sent' if it arrived,\n'failed' to post it again on "
		"the next 'glean share'. A part a later part of a thread "
		"replies to needs\n--remote: its id or URL on the service "
		"(Bluesky finds it itself). abandon gives up on an unfinished "
		"share (a part\nthe service keeps refusing): it is not resumed "
		"again, and the next share\nto its target starts afresh. "
		"(--resolve and --abandon are the same verbs.)\n");
}

static int
resolve(struct ctx *ctx, char **args, int nargs)
{
	const char *which = args[0], *state = args[1], *remote = NULL;
	struct err e = { 0 };
	char *colon = strchr(which, ':'), *d;
	int64_t id, part;
	enum outbox_state st;

	if (!colon)
		return cmd_usage_error("shares", "resolve wants DIGEST:PART, "
				       "as 'glean shares --parts' shows it");
	d = xstrndup(which, (size_t)(colon - which));
	if (str_to_i64(d, &id) < 0 || str_to_i64(colon + 1, &part) < 0 ||
	    part < 1 || part > 100000) {
		free(d);
		return cmd_usage_error("shares", "resolve wants DIGEST:PART "
				       "numbers");
	}
	free(d);
	if (nargs == 4 && !strcmp(args[2], "--remote"))
		remote = args[3];
	else if (nargs != 2)
		return cmd_usage_error("shares", "resolve takes DIGEST:PART, "
				       "sent or failed, then --remote ID");
	if (!strcmp(state, "sent"))
		st = OUTBOX_SENT;
	else if (!strcmp(state, "failed"))
		st = OUTBOX_FAILED;
	else
		return cmd_usage_error("shares", "a part is settled as sent "
				       "or failed");
	if (ctx->readonly || !store_writable(ctx->st)) {
		if (store_upgrade_write(ctx->st, &e) < 0)
			return cmd_err(&e);
	}
	if (share_resolve(ctx->st, ctx->cfg, id, (int)part, st, remote,
			  &e) < 0)
		return cmd_err(&e);
	printf("part %lld:%lld is now %s\n", (long long)id, (long long)part,
	       state);
	return EXIT_OK;
}

static int
abandon(struct ctx *ctx, char **args, int nargs)
{
	struct err e = { 0 };
	int64_t id;

	(void)nargs;
	if (str_to_i64(args[0], &id) < 0 || id < 1)
		return cmd_usage_error("shares", "abandon wants a DIGEST "
				       "id, as 'glean shares' shows it");
	if (ctx->readonly || !store_writable(ctx->st)) {
		if (store_upgrade_write(ctx->st, &e) < 0)
			return cmd_err(&e);
	}
	if (store_digest_abandon(ctx->st, id, &e) < 0)
		return cmd_err(&e);
	printf("digest %lld abandoned; it will not be resumed\n",
	       (long long)id);
	return EXIT_OK;
}

/*
 * The verbs of 'glean shares' that change the outbox. Each is also an
 * option of the listing (--resolve, --abandon: the first spelling, kept
 * as an alias): wherever it appears there, it takes its arguments and
 * the rest of the line is ignored, as it always was.
 */
static const struct shares_verb {
	const char *name, *flag;
	int nargs;         /* required; resolve also takes --remote ID */
	int (*run)(struct ctx *ctx, char **args, int nargs);
	const char *want;  /* what it wants, for usage errors */
} shares_verbs[] = {
	{ "abandon", "--abandon", 1, abandon, "a DIGEST id" },
	{ "resolve", "--resolve", 2, resolve, "DIGEST:PART sent|failed" },
};

/* How many of the n arguments after a verb are its own: its nargs, and
 * for resolve a trailing --remote ID. */
static int
verb_args(const struct shares_verb *v, char **args, int n)
{
	if (v->run == resolve && n >= v->nargs + 2 &&
	    !strcmp(args[v->nargs], "--remote"))
		return v->nargs + 2;
	return v->nargs;
}

static const struct shares_verb *
shares_verb(const char *arg, bool flag)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(shares_verbs); i++)
		if (!strcmp(arg, flag ? shares_verbs[i].flag
				      : shares_verbs[i].name))
			return &shares_verbs[i];
	return NULL;
}

static int
shares_list(int argc, char **argv, struct ctx *ctx);

int
cmd_shares(int argc, char **argv, struct ctx *ctx)
{
	const struct shares_verb *v;
	int a;

	if (argc > 1 && !strcmp(argv[1], "list"))
		return shares_list(argc - 1, argv + 1, ctx);
	if (argc < 2 || !(v = shares_verb(argv[1], false)))
		return shares_list(argc, argv, ctx);
	for (a = 2; a < argc; a++)
		if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			shares_usage(stdout);
			return EXIT_OK;
		}
	if (argc - 2 < v->nargs ||
	    argc - 2 != verb_args(v, argv + 2, argc - 2))
		return cmd_usage_error("shares", "%s wants %s", v->name,
				       v->want);
	return v->run(ctx, argv + 2, argc - 2);
}

/* glean shares [list] [TARGET] [--parts] [--json], and the old
 * --resolve/--abandon spellings. */
static int
shares_list(int argc, char **argv, struct ctx *ctx)
{
	const struct shares_verb *v;
	struct digest_rows rows;
	struct err e = { 0 };
	const char *target = NULL;
	bool parts = false, json = false;
	size_t i, k;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			shares_usage(stdout);
			return EXIT_OK;
		} else if ((v = shares_verb(argv[a], true))) {
			if (a + v->nargs >= argc)
				return cmd_usage_error("shares", "%s wants %s",
						       v->flag, v->want);
			return v->run(ctx, argv + a + 1,
				      verb_args(v, argv + a + 1,
						argc - a - 1));
		} else if (!strcmp(argv[a], "--parts")) {
			parts = true;
		} else if (!strcmp(argv[a], "--json")) {
			json = true;
		} else if (argv[a][0] == '-') {
			return cmd_usage_error("shares", "unknown option '%s'",
					       argv[a]);
		} else {
			target = argv[a];
		}
	}
	if (store_digests_list(ctx->st, target, &rows, &e) < 0)
		return cmd_err(&e);
	if (json) {
		struct json_out w;

		json_out_init(&w, 2);
		json_arr_begin(&w);
		for (i = 0; i < rows.n; i++) {
			struct outbox_list ol;
			char iso[32];

			json_obj_begin(&w);
			json_key(&w, "id");
			json_i64(&w, rows.v[i].id);
			json_kv_str(&w, "target", rows.v[i].target);
			json_kv_str(&w, "created", time_fmt_iso(
				rows.v[i].created, iso, sizeof(iso)));
			json_kv_str(&w, "state", rows.v[i].abandoned ?
				    "abandoned" : rows.v[i].state);
			json_key(&w, "items");
			json_i64(&w, rows.v[i].nitems);
			json_key(&w, "parts");
			json_arr_begin(&w);
			if (store_outbox_list(ctx->st, rows.v[i].id, &ol,
					      &e) == 0) {
				for (k = 0; k < ol.n; k++) {
					json_obj_begin(&w);
					json_key(&w, "part");
					json_i64(&w, ol.v[k].part);
					json_kv_str(&w, "state",
						outbox_state_name(ol.v[k].state));
					json_kv_str(&w, "remote_id",
						    ol.v[k].remote_id);
					json_kv_str(&w, "remote_url",
						    ol.v[k].remote_url);
					json_kv_str(&w, "error",
						    ol.v[k].error);
					json_key(&w, "attempts");
					json_i64(&w, ol.v[k].attempts);
					json_obj_end(&w);
				}
				outbox_list_release(&ol);
			}
			json_arr_end(&w);
			json_obj_end(&w);
		}
		json_arr_end(&w);
		cmd_put(stdout, w.sb.buf, false);
		putchar('\n');
		json_out_release(&w);
		digest_rows_release(&rows);
		return EXIT_OK;
	}
	if (!rows.n)
		printf("no shares yet; try 'glean share TARGET --dry-run'\n");
	for (i = 0; i < rows.n; i++) {
		const struct digest_row *d = &rows.v[i];
		char iso[32];

		time_fmt_iso(d->created, iso, sizeof(iso));
		printf("%-4lld %s  %-8s ", (long long)d->id, iso,
		       d->abandoned ? "abandoned" : d->state);
		cmd_put(stdout, d->target, true);
		printf("  %lld item%s, %lld/%lld part%s sent\n",
		       (long long)d->nitems, d->nitems == 1 ? "" : "s",
		       (long long)d->nsent, (long long)d->nparts,
		       d->nparts == 1 ? "" : "s");
		if (!parts && (!strcmp(d->state, "sent") || d->abandoned))
			continue;
		{
			struct outbox_list ol;

			if (store_outbox_list(ctx->st, d->id, &ol, &e) < 0)
				continue;
			for (k = 0; k < ol.n; k++) {
				printf("     %lld:%d %-8s",
				       (long long)d->id, ol.v[k].part,
				       outbox_state_name(ol.v[k].state));
				if (ol.v[k].remote_url || ol.v[k].remote_id) {
					putchar(' ');
					cmd_put(stdout, ol.v[k].remote_url ?
						  ol.v[k].remote_url :
						  ol.v[k].remote_id, true);
				}
				if (ol.v[k].error) {
					printf("  (");
					cmd_put(stdout, ol.v[k].error, true);
					putchar(')');
				}
				putchar('\n');
			}
			outbox_list_release(&ol);
		}
	}
	digest_rows_release(&rows);
	return EXIT_OK;
}
