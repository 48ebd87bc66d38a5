/*
 * glean digest: render the digest of a selection to stdout or a file.
 * Parses options, asks digest/ for the document and prints it; the
 * introduction may come from $EDITOR (a temp file in a 0700 directory,
 * passed as one argument, kept only on exit 0 and non-empty). No
 * selection or rendering logic lives here.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "glean/cmd.h"
#include "glean/config.h"
#include "glean/digest.h"
#include "glean/share.h"
#include "glean/store.h"
#include "glean/banned.h"

extern char **environ;

#define INTRO_MAX ((size_t)64 << 10)

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: glean digest [--since DUR | --last-share TARGET] "
		"[--format md|html|text|atom|json]\n"
		"                    [--intro TEXT | --edit] [--title TEXT] "
		"[-o FILE] [QUERY...]\n\n"
		"Render exactly what 'glean share TARGET' would send now (the "
		"items marked\nsince its last share), grouped by tag, with "
		"your notes and quotes. Without\n--last-share it previews the "
		"only target in the config, if there is one,\nelse the items "
		"marked in the last 7 days. --since DUR takes those marked\n"
		"in that window instead; a QUERY selects other items (see "
		"'glean items').\n");
}

/* Run the editor on a temp file; *out is the text (NULL if unchanged or
 * empty). */
static int
edit_intro(const struct config *cfg, char **out, struct err *e)
{
	const char *ed = getenv("VISUAL");
	char dir[] = "/tmp/glean-intro.XXXXXX";
	char *path = NULL, **argv = NULL, **full = NULL;
	size_t argc = 0, i;
	struct sbuf sb = SBUF_INIT;
	pid_t pid;
	int status, fd, rc = -1;
	FILE *fp;

	*out = NULL;
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = cfg->editor ? cfg->editor : "vi";
	if (!mkdtemp(dir))
		return err_set(e, ERR_IO, "cannot create a temp directory: %s",
			       strerror(errno));
	path = xasprintf("%s/intro.txt", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		err_set(e, ERR_IO, "cannot create '%s': %s", path,
			strerror(errno));
		goto out;
	}
	close(fd);
	if (config_split_argv(ed, &argv, &argc, e) < 0)
		goto out;
	full = xcalloc(argc + 2, sizeof(*full));
	for (i = 0; i < argc; i++)
		full[i] = argv[i];
	full[argc] = path;
	if (posix_spawnp(&pid, full[0], NULL, NULL, full, environ) != 0) {
		err_set(e, ERR_IO, "cannot run the editor '%s'", full[0]);
		goto out;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		err_set(e, ERR_IO, "the editor failed; the draft is kept in "
			"'%s'", path);
		free(path);
		path = NULL; /* keep it */
		goto out;
	}
	fp = fopen(path, "r");
	if (fp) {
		sbuf_init(&sb, INTRO_MAX);
		sbuf_read_fp(&sb, fp);
		fclose(fp);
		if (sbuf_finish(&sb, e, "the introduction") < 0) {
			err_prefix(e, "the draft is kept in '%s'", path);
			free(path);
			path = NULL; /* keep it */
			goto out;
		}
	}
	sbuf_trim(&sb);
	if (sb.len)
		*out = sbuf_detach(&sb, NULL);
	rc = 0;
out:
	sbuf_release(&sb);
	if (path) {
		unlink(path);
		rmdir(dir);
	}
	free(path);
	free(full);
	config_argv_free(argv);
	return rc;
}

static int
write_file(const char *path, const char *s, size_t len, struct err *e)
{
	char *tmp = xasprintf("%s.glean-XXXXXX", path);
	int fd = mkstemp(tmp);
	size_t off = 0;

	if (fd < 0) {
		err_set(e, ERR_IO, "cannot write '%s': %s", path,
			strerror(errno));
		free(tmp);
		return -1;
	}
	fchmod(fd, 0644);
	while (off < len) {
		ssize_t w = write(fd, s + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off < len || fsync(fd) < 0 || close(fd) < 0 ||
	    rename(tmp, path) < 0) {
		err_set(e, ERR_IO, "cannot write '%s': %s", path,
			err_str(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int
cmd_digest(int argc, char **argv, struct ctx *ctx)
{
	struct share_opts o = { 0 };
	struct share_sel sel;
	struct digest d = { 0 };
	struct sbuf q = SBUF_INIT, out = SBUF_INIT;
	struct err e = { 0 };
	enum digest_format f = DIGEST_MD;
	const char *since = NULL, *last = NULL, *outfile = NULL, *title = NULL;
	char *intro = NULL;
	bool edit = false;
	int i, rc = EXIT_FAIL;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has = i + 1 < argc;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--since") && has) {
			since = argv[++i];
		} else if (!strcmp(a, "--last-share") && has) {
			last = argv[++i];
		} else if (!strcmp(a, "--format") && has) {
			if (digest_format_parse(argv[++i], &f) < 0)
				return cmd_usage_error("digest", "unknown "
					"format '%s'; expected md, html, "
					"text, atom or json", argv[i]);
		} else if (!strcmp(a, "--intro") && has) {
			free(intro);
			intro = xstrdup(argv[++i]);
		} else if (!strcmp(a, "--title") && has) {
			title = argv[++i];
		} else if (!strcmp(a, "--edit")) {
			edit = true;
		} else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) &&
			   has) {
			outfile = argv[++i];
		} else if (!strcmp(a, "--")) {
			for (i++; i < argc; i++)
				sbuf_addf(&q, "%s%s", q.len ? " " : "",
					  argv[i]);
		} else if (a[0] == '-' && a[1]) {
			static const char *const with_value[] = {
				"--since", "--last-share", "--format",
				"--intro", "--title", "-o", "--output", NULL
			};

			free(intro);
			return cmd_bad_option("digest", a, with_value);
		} else {
			sbuf_addf(&q, "%s%s", q.len ? " " : "", a);
		}
	}
	if (since && last) {
		free(intro);
		return cmd_usage_error("digest", "--since and --last-share "
				       "choose the window two ways; use one");
	}
	/* with one target, the preview is its next share */
	if (!last && ctx->cfg->ntargets == 1)
		last = ctx->cfg->targets[0].name;
	if (last && !config_target(ctx->cfg, last)) {
		cmd_error("no target '%s' in the config; see 'glean-config(5)'",
			  last);
		goto out;
	}
	if (edit) {
		free(intro);
		if (edit_intro(ctx->cfg, &intro, &e) < 0) {
			rc = cmd_err(&e);
			goto out;
		}
	}
	o.intro = intro;
	o.since = since;
	o.query = q.len ? q.buf : NULL;
	if (o.query && store_query_check(ctx->st, o.query, &e) < 0) {
		rc = cmd_err(&e);
		goto out;
	}
	if (share_select(ctx->st, ctx->cfg, last, &o, &d, &sel, &e) < 0) {
		rc = cmd_err(&e);
		goto out;
	}
	if (title) {
		free(d.title);
		d.title = xstrdup(title);
	}
	if (digest_render(&d, f, NULL, &out, &e) < 0) {
		rc = cmd_err(&e);
		goto out;
	}
	if (sel.resume_id)
		fprintf(stderr, "glean: the share to '%s' (digest %lld) did "
			"not finish; this is what 'glean share %s' sends "
			"first\n", last, (long long)sel.resume_id, last);
	else if (!d.items.n && last && !since && !o.query)
		fprintf(stderr, "glean: nothing to share to '%s': nothing "
			"marked since its last share; mark some with 'glean "
			"mark ID'\n", last);
	else if (!d.items.n)
		fprintf(stderr, "glean: nothing to share: no items marked in "
			"the window; mark some with 'glean mark ID'\n");
	if (outfile) {
		if (write_file(outfile, out.buf, out.len, &e) < 0) {
			rc = cmd_err(&e);
			goto out;
		}
	} else {
		fwrite(out.buf, 1, out.len, stdout);
	}
	rc = EXIT_OK;
out:
	digest_release(&d);
	sbuf_release(&q);
	sbuf_release(&out);
	free(intro);
	return rc;
}
