/*
 * glean export --notes DIR: one Markdown file per annotated item, for a
 * knowledge base (Obsidian, Logseq, a folder of Markdown).
 *
 * What was written is recorded in a manifest in DIR (NOTES_MANIFEST), not
 * in the store: the record belongs with the folder (two folders, or one
 * synced to another machine with another store, each know their own
 * files), the export runs on a read-only store, and no schema migration
 * is needed. The manifest keeps, per item: its file name (so a file keeps
 * its name when the item's title changes), the hash of the bytes written
 * and the note ids in it. A file is rewritten only when it still holds
 * what glean wrote; anything else in it is the person's and is left
 * alone. Nothing is ever deleted.
 *
 * Not here: the Web Annotation export (notes_anno.c), the options
 * (cmd/), SQL (store/).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glean/json.h"
#include "glean/notes.h"
#include "private.h"
#include "glean/banned.h"

#define SLUG_MAX 60              /* bytes of title in a file name */
#define FILE_MAX (16 << 20)      /* a note file or manifest we read */

struct mf_entry {
	int64_t id;
	char *file, *hash;
	int64_t *notes;
	size_t nnotes;
	bool seen;                   /* annotated in this export */
};

struct manifest {
	struct mf_entry *v;
	size_t n, cap;
};

static void
manifest_release(struct manifest *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->v[i].file);
		free(m->v[i].hash);
		free(m->v[i].notes);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static struct mf_entry *
manifest_find(struct manifest *m, int64_t id)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->v[i].id == id)
			return &m->v[i];
	return NULL;
}

static struct mf_entry *
manifest_add(struct manifest *m, int64_t id)
{
	struct mf_entry *en;

	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 16;
		m->v = xrealloc(m->v, m->cap * sizeof(*m->v));
	}
	en = &m->v[m->n++];
	memset(en, 0, sizeof(*en));
	en->id = id;
	return en;
}

/* A name the manifest may hold: one plain file in DIR. */
static bool
safe_name(const char *s)
{
	return s && *s && *s != '.' && !strchr(s, '/') && strlen(s) < 256 &&
	       str_ends(s, ".md");
}

/* Read path (no symlink followed) into sb. 0 ok, 1 missing, -1 error or
 * not a regular file (errno set). */
static int
read_file(const char *path, struct sbuf *sb)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc;

	if (fd < 0)
		return errno == ENOENT ? 1 : -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	sbuf_init(sb, FILE_MAX);
	rc = sbuf_read_fd(sb, fd);
	close(fd);
	if (rc < 0 && sbuf_over(sb))
		errno = EFBIG; /* not a file glean wrote */
	return rc < 0 ? -1 : 0;
}

static int
manifest_load(const char *dir, struct manifest *m, struct err *e)
{
	char *path = xasprintf("%s/%s", dir, NOTES_MANIFEST);
	struct sbuf sb = SBUF_INIT;
	struct json j = { 0 };
	const struct json_node *files, *f, *n;
	int rc = read_file(path, &sb);

	if (rc == 1) {
		rc = 0;
		goto out;
	}
	if (rc < 0) {
		rc = err_set(e, ERR_IO, "cannot read '%s': %s", path,
			     strerror(errno));
		goto out;
	}
	if (json_parse(&j, sb.buf, sb.len, e) < 0 ||
	    !(files = json_get(&j, json_root(&j), "files")) ||
	    files->type != JSON_ARRAY) {
		rc = err_set(e, ERR_PARSE, "'%s' is not glean's export "
			     "manifest; move it away (glean writes it anew)",
			     path);
		goto out;
	}
	for (f = json_first(&j, files); f; f = json_next(&j, f)) {
		const char *file = json_get_str(&j, f, "file");
		const char *hash = json_get_str(&j, f, "hash");
		int64_t id;
		struct mf_entry *en;

		if (json_get_i64(&j, f, "id", &id) < 0 || id <= 0 ||
		    !safe_name(file) || !hash || manifest_find(m, id))
			continue;
		en = manifest_add(m, id);
		en->file = xstrdup(file);
		en->hash = xstrdup(hash);
		n = json_get(&j, f, "notes");
		if (n && n->type == JSON_ARRAY) {
			const struct json_node *x;

			en->notes = xcalloc(n->nchildren + 1, sizeof(int64_t));
			for (x = json_first(&j, n); x; x = json_next(&j, x)) {
				int64_t v;

				if (x->text && !str_to_i64(x->text, &v))
					en->notes[en->nnotes++] = v;
			}
		}
	}
	rc = 0;
out:
	json_release(&j);
	sbuf_release(&sb);
	free(path);
	return rc;
}

/* dir/name written through a temporary file renamed over it. */
static int
write_atomic(const char *dir, const char *name, const char *buf, size_t len,
	     struct err *e)
{
	char *path = xasprintf("%s/%s", dir, name);
	int rc = notes_write_atomic(path, buf, len, e);

	free(path);
	return rc;
}

static int
manifest_save(const char *dir, const struct manifest *m, struct err *e)
{
	struct sbuf old = SBUF_INIT;
	char *path;
	struct json_out w;
	size_t i, k;
	int rc;

	json_out_init(&w, 1);
	json_obj_begin(&w);
	json_kv_str(&w, "generator", "glean export --notes");
	json_key(&w, "version");
	json_i64(&w, 1);
	json_key(&w, "files");
	json_arr_begin(&w);
	for (i = 0; i < m->n; i++) {
		json_obj_begin(&w);
		json_key(&w, "id");
		json_i64(&w, m->v[i].id);
		json_kv_str(&w, "file", m->v[i].file);
		json_kv_str(&w, "hash", m->v[i].hash);
		json_key(&w, "notes");
		json_arr_begin(&w);
		for (k = 0; k < m->v[i].nnotes; k++)
			json_i64(&w, m->v[i].notes[k]);
		json_arr_end(&w);
		json_obj_end(&w);
	}
	json_arr_end(&w);
	json_obj_end(&w);
	sbuf_addch(&w.sb, '\n');
	/* the same record: leave the file as it is, like the notes */
	path = xasprintf("%s/%s", dir, NOTES_MANIFEST);
	rc = read_file(path, &old) == 0 && old.len == w.sb.len &&
	     !memcmp(old.buf, w.sb.buf, old.len)
		? 0 : write_atomic(dir, NOTES_MANIFEST, w.sb.buf, w.sb.len, e);
	free(path);
	sbuf_release(&old);
	json_out_release(&w);
	return rc;
}

/* 128 bits of hash64 as 32 hex digits (change detection, not security:
 * the person's own edits are what it tells apart). */
static void
content_hash(const char *buf, size_t len, char out[33])
{
	uint64_t a = hash64(buf, len, 0), b = hash64(buf, len, 0x9e3779b9);

	snprintf(out, 33, "%016llx%016llx", (unsigned long long)a,
		 (unsigned long long)b);
}

/* "<slug>-<id>.md": ASCII letters and digits of the title, lower-cased,
 * every other run a single '-', at most SLUG_MAX bytes; no dot, slash or
 * control can come in, so the name is safe on every filesystem. */
static char *
file_name(const struct item *it)
{
	struct sbuf sb = SBUF_INIT;
	const char *p = it->title ? it->title : "";
	char *name;

	for (; *p && sb.len < SLUG_MAX; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			sbuf_addch(&sb, c);
		else if (c >= 'A' && c <= 'Z')
			sbuf_addch(&sb, c - 'A' + 'a');
		else if (sb.len && sb.buf[sb.len - 1] != '-')
			sbuf_addch(&sb, '-');
	}
	while (sb.len && sb.buf[sb.len - 1] == '-')
		sbuf_truncate(&sb, sb.len - 1);
	name = xasprintf("%s-%lld.md", sb.len ? sb.buf : "item",
			 (long long)it->id);
	sbuf_release(&sb);
	return name;
}

/* A YAML double-quoted scalar of s, sanitized to one line first (no
 * controls can remain); \ and " escaped, U+2028/U+2029 (line breaks to
 * YAML 1.1) as \L and \P. Any title is then one safe scalar. */
static void
yaml_str(struct sbuf *sb, const char *s)
{
	char *c = text_clean(s, true);
	const char *p;

	sbuf_addch(sb, '"');
	for (p = c; *p; p++) {
		if (*p == '\\' || *p == '"') {
			sbuf_addch(sb, '\\');
			sbuf_addch(sb, *p);
		} else if (!strncmp(p, "\xe2\x80\xa8", 3) ||
			   !strncmp(p, "\xe2\x80\xa9", 3)) {
			sbuf_adds(sb, p[2] == '\xa8' ? "\\L" : "\\P");
			p += 2;
		} else {
			sbuf_addch(sb, *p);
		}
	}
	sbuf_addch(sb, '"');
	free(c);
}

static void
yaml_kv(struct sbuf *sb, const char *key, const char *s)
{
	if (!s || !*s)
		return;
	sbuf_addf(sb, "%s: ", key);
	yaml_str(sb, s);
	sbuf_addch(sb, '\n');
}

/* Markdown text of remote origin: what could start markup escaped, and
 * U+2028/U+2029 (line breaks to some editors) as spaces. */
static void
md_escape(struct sbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (!strncmp(s, "\xe2\x80\xa8", 3) ||
		    !strncmp(s, "\xe2\x80\xa9", 3)) {
			sbuf_addch(sb, ' ');
			s += 2;
			continue;
		}
		if (strchr("\\`*_[]<>#|!~=$&", *s))
			sbuf_addch(sb, '\\');
		sbuf_addch(sb, *s);
	}
}

/* The link back to a quote: the item's URL with a text fragment
 * (#:~:text=prefix-,exact,-suffix), so a browser scrolls to the passage;
 * percent-encoded so nothing in it ends the Markdown link. */
static void
md_quote_link(struct sbuf *sb, const char *url, const struct note *n)
{
	notes_url_put(sb, url, true);
	sbuf_adds(sb, "#:~:text=");
	if (n->prefix && *n->prefix) {
		notes_pct(sb, n->prefix, 40, true);
		sbuf_adds(sb, "-,");
	}
	if (strlen(n->quote) <= 300) {
		notes_pct(sb, n->quote, 300, false);
	} else { /* a long passage: its start and its end */
		notes_pct(sb, n->quote, 80, false);
		sbuf_addch(sb, ',');
		notes_pct(sb, n->quote, 80, true);
	}
	if (n->suffix && *n->suffix) {
		sbuf_adds(sb, ",-");
		notes_pct(sb, n->suffix, 40, false);
	}
}

/* A quote as a blockquote, line by line, escaped. */
static void
md_quote(struct sbuf *sb, const char *q)
{
	const char *p = q, *nl;
	char *line;

	sbuf_adds(sb, "\n> ");
	while ((nl = strchr(p, '\n'))) {
		line = xasprintf("%.*s", (int)(nl - p), p);
		md_escape(sb, line);
		free(line);
		sbuf_adds(sb, "\n> ");
		p = nl + 1;
	}
	md_escape(sb, p);
}

static void
render_item(const struct item *it, struct sbuf *sb)
{
	char ts[32];
	size_t k;
	char *title = text_clean(it->title && *it->title ? it->title
							    : "(untitled)",
				  true);

	sbuf_adds(sb, "---\n");
	yaml_kv(sb, "title", title);
	yaml_kv(sb, "url", it->url);
	yaml_kv(sb, "source", it->source_title);
	yaml_kv(sb, "author", it->author);
	if (it->published)
		sbuf_addf(sb, "published: %s\n",
			  time_fmt_iso(it->published, ts, sizeof(ts)));
	if (it->ntags) {
		sbuf_adds(sb, "tags:\n");
		for (k = 0; k < it->ntags; k++) {
			/* Obsidian's tags have no spaces */
			char *t = text_clean(it->tags[k], true), *q;

			for (q = t; *q; q++)
				if (*q == ' ')
					*q = '-';
			if (!*t) {
				free(t);
				continue;
			}
			sbuf_adds(sb, "  - ");
			yaml_str(sb, t);
			sbuf_addch(sb, '\n');
			free(t);
		}
	}
	sbuf_addf(sb, "glean_id: %lld\n---\n\n# ", (long long)it->id);
	md_escape(sb, title);
	sbuf_addch(sb, '\n');
	for (k = 0; k < it->nnotes; k++) {
		const struct note *n = &it->notes[k];
		char *q = n->quote ? text_clean(n->quote, false) : NULL;
		char *b = text_clean(n->body, false);

		if (q && *q) {
			md_quote(sb, q);
			if (notes_url_ok(it->url)) {
				char *src = text_clean(it->source_title,
							true);

				sbuf_adds(sb, "\n> — [");
				md_escape(sb, *src ? src : "source");
				sbuf_adds(sb, "](");
				free(src);
				md_quote_link(sb, it->url, n);
				sbuf_addch(sb, ')');
			}
			sbuf_addch(sb, '\n');
		}
		/* the person's own words, as written: their Markdown and
		 * [[links]] work in the knowledge base */
		if (*b)
			sbuf_addf(sb, "\n%s\n", b);
		free(q);
		free(b);
	}
	free(title);
}

static void
list_add(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(char *));
	(*v)[(*n)++] = s;
}

void
notes_export_report_release(struct notes_export_report *r)
{
	size_t i;

	for (i = 0; i < r->nedited; i++)
		free(r->edited[i]);
	for (i = 0; i < r->nremoved; i++)
		free(r->removed[i]);
	for (i = 0; i < r->nproblems; i++)
		free(r->problems[i]);
	free(r->edited);
	free(r->removed);
	free(r->problems);
	memset(r, 0, sizeof(*r));
}

/* Notes in the manifest's list for en that item it no longer has. */
static size_t
notes_gone(const struct mf_entry *en, const struct item *it)
{
	size_t i, k, gone = 0;

	for (i = 0; i < en->nnotes; i++) {
		for (k = 0; k < it->nnotes; k++)
			if (it->notes[k].id == en->notes[i])
				break;
		gone += k == it->nnotes;
	}
	return gone;
}

/* The .md file in dir whose front matter says "glean_id: id": one the
 * person renamed (Obsidian renames a note's file with its title), or
 * NULL. Only the first 4 KB of each file are read. Caller frees. */
static char *
renamed_to(const char *dir, int64_t id)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char want[40], buf[4097], *found = NULL;

	if (!d)
		return NULL;
	snprintf(want, sizeof(want), "\nglean_id: %lld\n", (long long)id);
	while (!found && (de = readdir(d))) {
		char *path, *end, *at;
		ssize_t n;
		int fd;

		if (!safe_name(de->d_name))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		free(path);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n < 4)
			continue;
		buf[n] = '\0';
		end = strstr(buf + 3, "\n---\n");
		at = strstr(buf, want);
		if (!strncmp(buf, "---\n", 4) && at && end && at < end)
			found = xstrdup(de->d_name);
	}
	closedir(d);
	return found;
}

/* One item: write its file unless it is the same or the person's. */
static int
export_item(const char *dir, struct manifest *m, const struct item *it,
	    struct notes_export_report *r, struct err *e)
{
	struct mf_entry *en = manifest_find(m, it->id);
	struct sbuf want = SBUF_INIT, have = SBUF_INIT;
	char hw[33], hh[33], *name, *path;
	size_t k;
	int rc = -1, got;

	render_item(it, &want);
	content_hash(want.buf, want.len, hw);
	name = en ? xstrdup(en->file) : file_name(it);
	path = xasprintf("%s/%s", dir, name);
	got = read_file(path, &have);
	if (got == 1 && en) {
		/* gone: renamed by the person? then follow it there */
		char *to = renamed_to(dir, it->id);

		if (to) {
			free(name);
			free(path);
			name = to;
			path = xasprintf("%s/%s", dir, name);
			free(en->file);
			en->file = xstrdup(name);
			got = read_file(path, &have);
		}
	}
	if (got < 0 && errno != ELOOP && errno != EINVAL && errno != EFBIG) {
		err_set(e, ERR_IO, "cannot read '%s': %s", path,
			strerror(errno));
		goto out;
	}
	if (got == 0)
		content_hash(have.buf, have.len, hh);
	if (got == 0 && !strcmp(hh, hw)) {
		r->unchanged++;
	} else if (got != 1 && !(got == 0 && en && !strcmp(hh, en->hash))) {
		/* changed by the person, not glean's, or a link: theirs */
		list_add(&r->edited, &r->nedited, xstrdup(name));
		if (en)
			en->seen = true;
		rc = 0;
		goto out;
	} else {
		if (write_atomic(dir, name, want.buf, want.len, e) < 0)
			goto out;
		r->written++;
		if (en)
			r->removed_notes += notes_gone(en, it);
	}
	if (!en) {
		en = manifest_add(m, it->id);
		en->file = xstrdup(name);
	}
	en->seen = true;
	free(en->hash);
	en->hash = xstrdup(hw);
	free(en->notes);
	en->notes = xcalloc(it->nnotes + 1, sizeof(int64_t));
	for (k = 0; k < it->nnotes; k++)
		en->notes[k] = it->notes[k].id;
	en->nnotes = it->nnotes;
	rc = 0;
out:
	sbuf_release(&want);
	sbuf_release(&have);
	free(name);
	free(path);
	return rc;
}

/* Names differ as ids do: two items whose titles slug alike still get
 * two files. */
int
notes_export_md(struct store *st, const char *dir,
		struct notes_export_report *r, struct err *e)
{
	struct item_query q = { 0 };
	struct item_list items = { 0 };
	struct manifest m = { 0 };
	struct stat sb;
	size_t i;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return err_set(e, ERR_IO, "cannot create directory '%s': %s",
			       dir, strerror(errno));
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return err_set(e, ERR_IO, "'%s' is not a directory; give the "
			       "folder to write the notes into", dir);
	if (manifest_load(dir, &m, e) < 0)
		return -1;
	q.query = "has:note";
	q.with_hidden = true;
	q.with_extras = true;
	q.order = ORDER_OLDEST;
	if (store_items_list(st, &q, &items, e) < 0)
		goto out;
	for (i = 0; i < items.n; i++)
		if (export_item(dir, &m, &items.v[i], r, e) < 0)
			goto out;
	for (i = 0; i < m.n; i++)
		if (!m.v[i].seen)
			list_add(&r->removed, &r->nremoved,
				 xstrdup(m.v[i].file));
	rc = manifest_save(dir, &m, e);
out:
	item_list_release(&items);
	manifest_release(&m);
	return rc;
}
