/*
 * The query language of DESIGN.md §4, compiled to a WHERE fragment over
 * "item i JOIN source s" with bound parameters (never formatted data):
 *
 *   tag:civic is:unread has:note source:"Khub" since:7d
 *   title:/ageing|aging/i "digital inclusion" -tag:later (a OR b)
 *
 * Bare words and "phrases" are full-text (FTS5) terms; terms are ANDed,
 * OR and parentheses group, a leading - or NOT negates. /regex/ terms call
 * glean_regexp(), a function the parse module's pcre2 code provides.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "glean/banned.h"

struct lexer {
	struct store *st;
	const char *src, *p;
	int64_t now;
	struct qsql *out;
	struct err *e;
	int depth;
	int terms;
};

/* SQLite refuses an expression deeper than 1000 when the query runs;
 * refuse a query with more terms here, with its position. */
#define QUERY_MAX_TERMS 256

void
qsql_release(struct qsql *q)
{
	size_t i;

	for (i = 0; i < q->nbinds; i++)
		free(q->binds[i].text);
	free(q->binds);
	sbuf_release(&q->where);
	memset(q, 0, sizeof(*q));
}

int
qsql_bind(const struct qsql *q, sqlite3_stmt *s, int first)
{
	size_t i;
	int idx = first;

	for (i = 0; i < q->nbinds; i++) {
		if (q->binds[i].type == 1)
			sqlite3_bind_int64(s, idx++, q->binds[i].num);
		else
			sqlite3_bind_text(s, idx++, q->binds[i].text, -1,
					  SQLITE_TRANSIENT);
	}
	return idx;
}

static int
qerr(struct lexer *lx, const char *what)
{
	return err_set(lx->e, ERR_USAGE, "query '%s': at %zu: %s", lx->src,
		       (size_t)(lx->p - lx->src) + 1, what);
}

static void
bind_text(struct lexer *lx, char *owned)
{
	struct qbind *b;

	XGROW(lx->out->binds, lx->out->cap, lx->out->nbinds + 1);
	b = &lx->out->binds[lx->out->nbinds++];
	b->type = 0;
	b->text = owned;
	b->num = 0;
	sbuf_addch(&lx->out->where, '?');
}

static void
bind_num(struct lexer *lx, int64_t v)
{
	struct qbind *b;

	XGROW(lx->out->binds, lx->out->cap, lx->out->nbinds + 1);
	b = &lx->out->binds[lx->out->nbinds++];
	b->type = 1;
	b->text = NULL;
	b->num = v;
	sbuf_addch(&lx->out->where, '?');
}

static void
skip_ws(struct lexer *lx)
{
	while (isspace((unsigned char)*lx->p))
		lx->p++;
}

/* A value: "quoted", or a bare run up to whitespace or ')'. */
static char *
read_value(struct lexer *lx)
{
	struct sbuf sb = SBUF_INIT;

	if (*lx->p == '"') {
		lx->p++;
		while (*lx->p && *lx->p != '"') {
			if (*lx->p == '\\' && lx->p[1])
				lx->p++;
			sbuf_addch(&sb, *lx->p++);
		}
		if (*lx->p != '"') {
			sbuf_release(&sb);
			qerr(lx, "missing closing '\"'");
			return NULL;
		}
		lx->p++;
	} else {
		while (*lx->p && !isspace((unsigned char)*lx->p) &&
		       *lx->p != ')')
			sbuf_addch(&sb, *lx->p++);
	}
	return sbuf_detach(&sb, NULL);
}

/* /pattern/flags → pattern and flags; lx->p at the opening '/'. */
static int
read_regex(struct lexer *lx, char **pat, char **flags)
{
	struct sbuf sb = SBUF_INIT, fl = SBUF_INIT;
	const char *start = lx->p;

	lx->p++;
	while (*lx->p && *lx->p != '/') {
		if (*lx->p == '\\' && lx->p[1] == '/') {
			lx->p++;
		} else if (*lx->p == '\\' && lx->p[1]) {
			sbuf_addch(&sb, *lx->p++);
		}
		sbuf_addch(&sb, *lx->p++);
	}
	if (*lx->p != '/') {
		sbuf_release(&sb);
		lx->p = start;
		return qerr(lx, "regular expression has no closing '/'");
	}
	lx->p++;
	while (*lx->p && isalpha((unsigned char)*lx->p)) {
		if (*lx->p != 'i') {
			sbuf_release(&sb);
			sbuf_release(&fl);
			return qerr(lx, "unknown regex flag (only 'i')");
		}
		sbuf_addch(&fl, *lx->p++);
	}
	*pat = sbuf_detach(&sb, NULL);
	*flags = sbuf_detach(&fl, NULL);
	if (lx->st->have_regex) {
		struct err re = { 0 };
		void *r = lx->st->regex.compile(*pat, strchr(*flags, 'i'), &re);

		if (!r) {
			err_set(lx->e, ERR_USAGE, "query '%s': regex '%s': %s",
				lx->src, *pat, re.msg);
			free(*pat);
			free(*flags);
			return -1;
		}
		lx->st->regex.free(r);
	} else {
		free(*pat);
		free(*flags);
		return qerr(lx, "regular expressions are not available here");
	}
	return 0;
}

static int
regex_term(struct lexer *lx, const char *column)
{
	char *pat, *flags;

	if (read_regex(lx, &pat, &flags) < 0)
		return -1;
	lx->out->regex = true;
	sbuf_adds(&lx->out->where, "glean_regexp(");
	bind_text(lx, pat);
	sbuf_adds(&lx->out->where, ", ");
	bind_text(lx, flags);
	sbuf_addf(&lx->out->where, ", %s)", column);
	return 0;
}

static void
push_bind(struct sbuf *w, struct qsql *qs, char *owned)
{
	struct qbind *b;

	XGROW(qs->binds, qs->cap, qs->nbinds + 1);
	b = &qs->binds[qs->nbinds++];
	b->type = 0;
	b->text = owned;
	b->num = 0;
	sbuf_addch(w, '?');
}

/* Whether FTS5's unicode61 makes text exactly one token: ASCII letters
 * and digits only (anything else may split it, or fold). */
static bool
one_token(const char *text)
{
	const char *p;

	for (p = text; *p; p++)
		if (!isalnum((unsigned char)*p))
			return false;
	return p > text;
}

/* What glean_phrase() checks for each FTS column: what was indexed. */
static const struct {
	const char *fts, *sql;
} fts_cols[] = {
	{ "title", "i.title" },
	{ "author", "i.author" },
	{ "text", ITEM_INDEX_TEXT("i") },
	{ "notes_text", "i.notes_text" },
};

/*
 * How a term finds its items, newest first, at a million items, by how
 * many hold it:
 *  - few (< FTS_FEW): a set of ids that drives the query (SQLite looks
 *    each item up by id and sorts the few);
 *  - more: a bitmap of the holders, made once a run (glean_bits(),
 *    store_search.c), tested for each item as the walk along the date
 *    index goes newest first, stopping at the LIMIT (10k holders: 4 ms,
 *    where the first form takes 100+); each holder costs about SET_NS
 *    to set (it was 230 ns as SQLite's own set, form 4 below);
 *  - when the caller reads a few rows (a LIMIT of at most
 *    FTS_PROBE_ROWS) and more than FTS_FEW hold it: glean_hold()
 *    (store_search.c) on the walk, which probes the index item by item
 *    and reads the holders of a chunk of ids into bits once its probes
 *    have cost what that read would (a word held by 190k of a million
 *    items: 16 ms a whole search with the bitmap, 9 ms with 41 probes
 *    and 4 chunks; reading every row by probes took 35 s for the 59k
 *    holders of "the" at 59k items). Without such a LIMIT (glean
 *    search WORD, counts, the reader's ids) the bitmap is made once
 *    (its size follows the largest id, 125 KB at a million items,
 *    whatever the number of holders);
 *  - form 4, the second form for a store whose ids pass FTS_BITS_MAX:
 *    SQLite's set (its ephemeral index, held in its page cache and
 *    spilled to a temporary file).
 * For a few rows, holders are counted up to count_limit() (at most
 * FTS_COUNTED), and up to there the first form or glean_hold(),
 * whichever costs less: 1,020 holders looked up took 9 ms, the walk
 * past the 50k items that hold 50 of them 13. Above, glean_hold(). With ids past FTS_BITS_MAX,
 * between probes (glean_hold() there only probes) and SQLite's set: a
 * walk passes about rows / density items, each probed; the set holds
 * density x items. The density is counted among the newest FTS_WINDOW
 * ids (at most 10k rowids read from the index, 1 ms), not over every
 * holder (counting 50k took 5 ms).
 */
enum { FTS_FEW = 1000, FTS_COUNTED = 5000, FTS_WINDOW = 10000 };
#define PROBE_NS 60000.0 /* measured at 1M items, 10 index segments */
#define SET_NS 60.0     /* a holder set in the bitmap (FTS5 reading it) */
#define WALK_NS 260.0    /* an item passed on the date walk */
#define LOOKUP_NS 9000.0 /* an item looked up by id (and sorted) */

/* Column 0 of sql's first row with text bound to ?1 and v to ?2 (where
 * it has them); 0 when it cannot be run. */
static int64_t
fts_int(struct store *st, const char *sql, const char *text, int64_t v)
{
	sqlite3_stmt *s;
	int64_t n = 0;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, v);
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	return n;
}

/* The store's largest item id (0 when it has none). (Binding a
 * statement without parameters does nothing.) */
static int64_t
max_id(struct store *st)
{
	return fts_int(st, "SELECT coalesce(max(id), 0) FROM main.item",
		       NULL, 0);
}

/* Up to how many holders fts_form() counts for rows rows among top ids:
 * past twice the count where a walk costs what looking every holder up
 * does (rows x top / n x WALK_NS = n x (LOOKUP_NS - SET_NS): 1,200 for
 * 50 rows of a million items) the walk wins, and counting on costs
 * (reading 5,000 rowids of a frequent word took 0.5-1 ms). With ids
 * past the bitmaps, FTS_COUNTED: above it the density decides. */
static int64_t
count_limit(size_t rows, int64_t top)
{
	int64_t limit = FTS_FEW;

	if (top > FTS_BITS_MAX)
		return FTS_COUNTED;
	while (limit < FTS_COUNTED &&
	       (double)limit * (double)limit * (LOOKUP_NS - SET_NS) <
		       4.0 * (double)(rows ? rows : 1) * (double)top * WALK_NS)
		limit += FTS_FEW / 2;
	return limit < FTS_COUNTED ? limit : FTS_COUNTED;
}

/* Which form (above) finds what the MATCH expression expr (with text
 * bound to its ?) asks for; -1 when the index is not asked. The set is
 * the bitmap (form 1) while the store's ids fit it, else SQLite's set
 * (form 4). */
static int
fts_form(struct store *st, struct qsql *qs, const char *expr,
	 const char *text)
{
	char *sql;
	int64_t n, top, w, m, limit;
	int set;
	double d;

	if (!st->search_ok || st->fts_rules || qs->plain)
		return -1;
	/* Count in the index the search will use (inside a transaction this
	 * connection's view of the search file starts here). */
	if (!qs->fts)
		store_search_prepare(st);
	/* the largest id: before counting when the count's limit needs
	 * it, else only once the set may be asked */
	top = qs->few_rows ? max_id(st) : -1;
	sql = xasprintf("SELECT count(*) FROM (SELECT 1 FROM search.item_fts"
			" WHERE item_fts MATCH %s LIMIT ?2)", expr);
	limit = qs->few_rows ? count_limit(qs->rows, top) : FTS_FEW;
	n = fts_int(st, sql, text, limit);
	free(sql);
	if (n < FTS_FEW)
		return 0;
	if (top < 0)
		top = max_id(st);
	set = top > FTS_BITS_MAX ? 4 : 1;
	if (!qs->few_rows)
		return set;
	if (n < limit)
		/* every holder looked up, or a walk past about top / n
		 * items a row (for glean_hold(), chunks of holders: at
		 * most the bitmap) */
		return (double)n * LOOKUP_NS <
			       (double)n * SET_NS + (double)qs->rows *
				       (double)top / (double)n * WALK_NS
		       ? 0
		       : set == 1 ? 2 : set;
	if (set == 1)
		/* glean_hold() probes, or reads the chunks where the walk
		 * goes: never much more than the cheaper of the two */
		return 2;
	w = top < FTS_WINDOW ? top : FTS_WINDOW;
	sql = xasprintf("SELECT count(*) FROM search.item_fts WHERE item_fts"
			" MATCH %s AND rowid > ?2", expr);
	m = w > 0 ? fts_int(st, sql, text, top - w) : 0;
	free(sql);
	if (m <= 0)
		return set;
	d = (double)m / (double)w;
	return (double)(qs->rows ? qs->rows : 1) / d * PROBE_NS <
			       d * (double)top * SET_NS
		       ? 2
		       : set;
}

/* The tests try every form on small stores: GLEAN_TEST_FTS_FORM. */
static int
test_form(void)
{
	const char *v = getenv("GLEAN_TEST_FTS_FORM");

	return v && ((*v >= '0' && *v <= '2') || *v == '4') ? *v - '0' : -1;
}

void
fts_match_sql(struct store *st, struct sbuf *w, struct qsql *qs,
	      const char *column, const char *text)
{
	/* Rules at ingest match items the index has not reached yet: they
	 * use a temporary index of just those (store_rules.c). */
	/* each form's SQL before and after the MATCH expression */
	static const struct {
		const char *open, *close;
	} in[] = {
		{ "i.id IN (SELECT rowid FROM search.item_fts WHERE"
		  " item_fts MATCH ", ")" },
		{ "glean_bit((SELECT glean_bits(rowid) FROM search.item_fts"
		  " WHERE item_fts MATCH ", "), i.id)" },
		{ "glean_hold(", ", i.id)" },
		{ "i.id IN (SELECT rowid FROM temp.rule_fts WHERE"
		  " rule_fts MATCH ", ")" },
		{ "+i.id IN (SELECT rowid FROM search.item_fts WHERE"
		  " item_fts MATCH ", ")" },
	};
	struct sbuf q = SBUF_INIT;
	bool one = one_token(text);
	int form = 0;
	size_t k, ncol = 0;

	if (one)
		fts_phrase(&q, text);
	else
		sbuf_adds(&q, text);
	if (st->fts_rules) {
		form = 3;
	} else {
		form = fts_form(st, qs, one ? "?1" : "glean_fts_and(?1)",
				q.buf);
		if (form < 0)
			form = 0;
		if (test_form() >= 0 && !qs->plain)
			form = test_form();
	}
	if (column || !one)
		sbuf_addch(w, '(');
	sbuf_adds(w, in[form].open);
	qs->fts = true;
	if (form == 1 || form == 2 || form == 4)
		qs->fts_probe = true;
	else
		qs->fts_set = true;
	if (one) {
		/* one token: the index answers exactly */
		push_bind(w, qs, sbuf_detach(&q, NULL));
		sbuf_adds(w, in[form].close);
		if (!column)
			return;
	} else {
		/* The index (detail=none) knows which items hold every
		 * token; glean_phrase() keeps those holding the phrase. */
		sbuf_adds(w, "glean_fts_and(");
		push_bind(w, qs, sbuf_detach(&q, NULL));
		sbuf_addch(w, ')');
		sbuf_adds(w, in[form].close);
	}
	sbuf_adds(w, " AND (");
	for (k = 0; k < ARRAY_SIZE(fts_cols); k++) {
		if (column && strcmp(column, fts_cols[k].fts))
			continue;
		sbuf_adds(w, ncol++ ? " OR glean_phrase(" :
			  "glean_phrase(");
		push_bind(w, qs, xstrdup(text));
		sbuf_addf(w, ", %s)", fts_cols[k].sql);
	}
	sbuf_adds(w, "))");
}

static void
fts_term(struct lexer *lx, const char *column, const char *text)
{
	fts_match_sql(lx->st, &lx->out->where, lx->out, column, text);
}

/* Move past a value already read (after rewinding for a message). */
static void
read_value_skip(struct lexer *lx)
{
	free(read_value(lx));
}

/* since:7d, since:2024-01-31, before:... */
static int
parse_when(struct lexer *lx, const char *v, int64_t *out)
{
	int64_t d = time_parse_duration(v);
	int y, m, day;
	char tail;

	if (d >= 0 && !strchr(v, '-')) {
		*out = lx->now - d;
		return 0;
	}
	if (sscanf(v, "%4d-%2d-%2d%c", &y, &m, &day, &tail) == 3 && m >= 1 &&
	    m <= 12 && day >= 1 && day <= 31) {
		*out = time_from_utc(y, m, day, 0, 0, 0);
		return 0;
	}
	return qerr(lx, "expected a duration like 7d or a date YYYY-MM-DD");
}

/*
 * ---- the query fields: one table, one function per kind of value ----
 *
 * A field's term function gets the value already read (v, owned by it;
 * never empty) and where it started (vstart, for error positions).
 * Text fields take /regex/ too and are handled before the value is read.
 */
struct qfield;
typedef int (*term_fn)(struct lexer *lx, const struct qfield *f, char *v,
		       const char *vstart);

struct qfield {
	const char *name;
	const char *col;   /* text fields: the column, else NULL */
	const char *fts;   /* text fields: the FTS column (NULL: substring) */
	term_fn term;      /* other fields */
};

struct word_sql {
	const char *v, *sql;
};

/* v one of the words of tab: its SQL; else the error msg at vstart. */
static int
word_term(struct lexer *lx, char *v, const char *vstart,
	  const struct word_sql *tab, size_t n, const char *msg)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (!strcmp(v, tab[k].v)) {
			sbuf_adds(&lx->out->where, tab[k].sql);
			free(v);
			return 0;
		}
	free(v);
	lx->p = vstart;
	return qerr(lx, msg);
}

static int
term_is(struct lexer *lx, const struct qfield *f, char *v, const char *vstart)
{
	static const struct word_sql is[] = {
		{ "marked", "i.marked = 1" },
		{ "read", "i.read = 1" },
		{ "shared", "EXISTS (SELECT 1 FROM digest_item d"
			    " WHERE d.item_id = i.id)" },
		{ "starred", "i.starred = 1" },
		{ "unmarked", "i.marked = 0" },
		{ "unread", "i.read = 0" },
		{ "unstarred", "i.starred = 0" },
	};

	(void)f;
	return word_term(lx, v, vstart, is, ARRAY_SIZE(is),
			 "is: expects unread, read, starred, unstarred, "
			 "marked, unmarked or shared");
}

static int
term_has(struct lexer *lx, const struct qfield *f, char *v,
	 const char *vstart)
{
	static const struct word_sql has[] = {
		{ "enclosure", "i.enclosures IS NOT NULL" },
		/* IN, not EXISTS: the few annotated items are looked up
		 * by id, where EXISTS probed every item in date order
		 * (the reader's Annotated view: 4.9 s at 1M items) */
		{ "note", "i.id IN (SELECT n.item_id FROM note n)" },
		{ "quote", "i.id IN (SELECT n.item_id FROM note n"
			   " WHERE n.quote IS NOT NULL)" },
		/* own or inherited, as tag: */
		{ "tag", "(EXISTS (SELECT 1 FROM item_tag x WHERE"
			 " x.item_id = i.id) OR EXISTS (SELECT 1 FROM"
			 " source_tag y WHERE y.source_id ="
			 " i.source_id))" },
	};

	(void)f;
	return word_term(lx, v, vstart, has, ARRAY_SIZE(has),
			 "has: expects note, quote, tag or enclosure");
}

static int
term_tag(struct lexer *lx, const struct qfield *f, char *v,
	 const char *vstart)
{
	struct sbuf *w = &lx->out->where;

	(void)f;
	(void)vstart;
	sbuf_adds(w, "(EXISTS (SELECT 1 FROM item_tag x JOIN tag t ON"
		     " t.id = x.tag_id WHERE x.item_id = i.id AND"
		     " t.name = ");
	bind_text(lx, v);
	sbuf_adds(w, ") OR EXISTS (SELECT 1 FROM source_tag y JOIN tag u"
		     " ON u.id = y.tag_id WHERE y.source_id ="
		     " i.source_id AND u.name = ");
	/* same value again */
	bind_text(lx, xstrdup(lx->out->binds[lx->out->nbinds - 1].text));
	sbuf_adds(w, "))");
	return 0;
}

static int
term_source(struct lexer *lx, const struct qfield *f, char *v,
	    const char *vstart)
{
	struct sbuf *w = &lx->out->where;
	int64_t id;

	(void)f;
	(void)vstart;
	if (str_to_i64(v, &id) == 0) {
		free(v);
		sbuf_adds(w, "i.source_id = ");
		bind_num(lx, id);
		return 0;
	}
	sbuf_adds(w, "(s.title = ");
	bind_text(lx, v);
	sbuf_adds(w, " COLLATE NOCASE OR s.url = ");
	bind_text(lx, xstrdup(lx->out->binds[lx->out->nbinds - 1].text));
	sbuf_adds(w, ")");
	return 0;
}

static int
term_kind(struct lexer *lx, const struct qfield *f, char *v,
	  const char *vstart)
{
	(void)f;
	(void)vstart;
	sbuf_adds(&lx->out->where, "s.kind = ");
	bind_text(lx, v);
	return 0;
}

/* since:, after: (the same) and before: */
static int
term_when(struct lexer *lx, const struct qfield *f, char *v,
	  const char *vstart)
{
	int64_t t = 0;

	lx->p = vstart;
	if (parse_when(lx, v, &t) < 0) {
		free(v);
		return -1;
	}
	free(v);
	read_value_skip(lx);
	sbuf_adds(&lx->out->where,
		  f->name[0] == 'b' ? "i.date < " : "i.date >= ");
	bind_num(lx, t);
	return 0;
}

static int
term_id(struct lexer *lx, const struct qfield *f, char *v,
	const char *vstart)
{
	int64_t t;

	(void)f;
	(void)vstart;
	if (str_to_i64(v, &t) < 0) {
		free(v);
		return qerr(lx, "id: expects a number");
	}
	free(v);
	sbuf_adds(&lx->out->where, "i.id = ");
	bind_num(lx, t);
	return 0;
}

/* Every field, sorted by name: a new field is one line here and its
 * term function (and a line in glean(1) for users). */
static const struct qfield qfields[] = {
	{ "after", NULL, NULL, term_when },
	{ "author", "i.author", "author", NULL },
	{ "before", NULL, NULL, term_when },
	{ "has", NULL, NULL, term_has },
	{ "id", NULL, NULL, term_id },
	{ "is", NULL, NULL, term_is },
	{ "kind", NULL, NULL, term_kind },
	{ "note", "i.notes_text", "notes_text", NULL },
	{ "since", NULL, NULL, term_when },
	{ "source", NULL, NULL, term_source },
	{ "tag", NULL, NULL, term_tag },
	{ "text", ITEM_TEXT("i"), "text", NULL },
	{ "title", "i.title", "title", NULL },
	{ "url", "i.url", NULL, NULL },
};

static const struct qfield *
qfield_find(const char *name)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(qfields); k++)
		if (!strcmp(name, qfields[k].name))
			return &qfields[k];
	return NULL;
}

/* A text field: /regex/, a full-text term, or a substring of the URL. */
static int
text_term(struct lexer *lx, const struct qfield *f)
{
	struct sbuf *w = &lx->out->where;
	char *v;

	if (*lx->p == '/')
		return regex_term(lx, f->col);
	v = read_value(lx);
	if (!v)
		return -1;
	if (!*v) {
		free(v);
		return qerr(lx, "expected a value after ':'");
	}
	if (f->fts) {
		fts_term(lx, f->fts, v);
		free(v);
	} else {
		sbuf_addf(w, "instr(lower(%s), lower(", f->col);
		bind_text(lx, v);
		sbuf_adds(w, ")) > 0");
	}
	return 0;
}

static int
field_term(struct lexer *lx, const char *field)
{
	const struct qfield *f = qfield_find(field);
	const char *vstart;
	char *v;

	if (f && f->col)
		return text_term(lx, f);
	vstart = lx->p;
	v = read_value(lx);
	if (!v)
		return -1;
	if (!*v) {
		free(v);
		return qerr(lx, "expected a value after ':'");
	}
	if (!f) {
		free(v);
		return qerr(lx, "unknown field; expected tag:, is:, has:, "
			    "source:, kind:, since:, before:, after:, title:, "
			    "author:, text:, note:, url: or id:");
	}
	return f->term(lx, f, v, vstart);
}

static int parse_or(struct lexer *lx);

static bool
at_word(struct lexer *lx, const char *w)
{
	size_t n = strlen(w);

	return strncmp(lx->p, w, n) == 0 &&
	       (lx->p[n] == '\0' || isspace((unsigned char)lx->p[n]) ||
		lx->p[n] == '(');
}

static int
parse_primary(struct lexer *lx)
{
	const char *colon, *q;
	char field[32];
	char *v;

	skip_ws(lx);
	if (*lx->p == '(') {
		lx->p++;
		if (++lx->depth > 32)
			return qerr(lx, "too deeply nested");
		sbuf_addch(&lx->out->where, '(');
		if (parse_or(lx) < 0)
			return -1;
		skip_ws(lx);
		if (*lx->p != ')')
			return qerr(lx, "expected ')'");
		lx->p++;
		lx->depth--;
		sbuf_addch(&lx->out->where, ')');
		return 0;
	}
	if (++lx->terms > QUERY_MAX_TERMS)
		return qerr(lx, "too many terms (at most 256)");
	if (*lx->p == '/')
		return regex_term(lx, "(coalesce(i.title, '') || char(10) ||"
				      " coalesce(" ITEM_TEXT("i") ", ''))");
	if (*lx->p == '"') {
		v = read_value(lx);
		if (!v)
			return -1;
		fts_term(lx, NULL, v);
		free(v);
		return 0;
	}
	/* field:value ? */
	q = lx->p;
	while (*q && (isalpha((unsigned char)*q)))
		q++;
	colon = q;
	if (*colon == ':' && colon > lx->p &&
	    (size_t)(colon - lx->p) < sizeof(field)) {
		memcpy(field, lx->p, (size_t)(colon - lx->p));
		field[colon - lx->p] = '\0';
		lx->p = colon + 1;
		return field_term(lx, field);
	}
	if (!*lx->p || *lx->p == ')')
		return qerr(lx, "expected a term");
	v = read_value(lx);
	if (!v)
		return -1;
	fts_term(lx, NULL, v);
	free(v);
	return 0;
}

static int
parse_unary(struct lexer *lx)
{
	skip_ws(lx);
	if (*lx->p == '-' || at_word(lx, "NOT")) {
		lx->p += *lx->p == '-' ? 1 : 3;
		int rc;

		if (++lx->depth > 32)
			return qerr(lx, "too deeply nested");
		sbuf_adds(&lx->out->where, "NOT ");
		rc = parse_unary(lx);
		lx->depth--;
		return rc;
	}
	return parse_primary(lx);
}

static int
parse_and(struct lexer *lx)
{
	if (parse_unary(lx) < 0)
		return -1;
	for (;;) {
		skip_ws(lx);
		if (!*lx->p || *lx->p == ')' || at_word(lx, "OR"))
			return 0;
		if (at_word(lx, "AND"))
			lx->p += 3;
		sbuf_adds(&lx->out->where, " AND ");
		if (parse_unary(lx) < 0)
			return -1;
	}
}

static int
parse_or(struct lexer *lx)
{
	sbuf_addch(&lx->out->where, '(');
	if (parse_and(lx) < 0)
		return -1;
	for (;;) {
		skip_ws(lx);
		if (!at_word(lx, "OR"))
			break;
		lx->p += 2;
		sbuf_adds(&lx->out->where, ") OR (");
		if (parse_and(lx) < 0)
			return -1;
	}
	sbuf_addch(&lx->out->where, ')');
	return 0;
}

int
query_compile(struct store *st, const char *query, int64_t now,
	      struct qsql *out, struct err *e)
{
	struct lexer lx = { st, query, query, now, out, e, 0, 0 };

	skip_ws(&lx);
	if (!*lx.p)
		return 0;
	if (parse_or(&lx) < 0)
		return -1;
	skip_ws(&lx);
	if (*lx.p)
		return qerr(&lx, "unexpected ')'");
	return 0;
}
