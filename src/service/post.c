/*
 * post.c: what every posting target shares (the services here and
 * share's own file, email and webhook targets): planned parts, measuring
 * and cutting posts, the one API request and its status (credentials,
 * rate limits, the service's error text), the account's secrets, the
 * target's template and packing a digest into a thread (random keys and
 * base64 are base's codec.c). Moved from share/share.c and
 * share/email.c so that services need nothing from share/: share's
 * engine calls the services, never the other way round.
 *
 * It does not know any service's wire format (mastodon.c ...) or the
 * outbox's states (share/share.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "glean/fetch.h"
#include "glean/service.h"
#include "glean/banned.h"

void
service_fetch_opts(const struct config *cfg, struct fetch_opts *fo)
{
	memset(fo, 0, sizeof(*fo));
	fo->max_total = (size_t)cfg->concurrency;
	fo->max_per_host = (size_t)cfg->per_host;
	fo->user_agent = cfg->user_agent; /* NULL: fetch's glean/VERSION */
	fo->timeout_ms = (long)cfg->timeout * 1000;
}

void
share_plan_release(struct share_plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].body);
		free(p->v[i].label);
	}
	free(p->v);
	free(p->note);
	memset(p, 0, sizeof(*p));
}

void
share_plan_add(struct share_plan *p, char *body, size_t length, size_t limit,
	       const char *unit, const char *labelfmt, ...)
{
	struct share_part *pt;
	va_list ap;

	XGROW(p->v, p->cap, p->n + 1);
	pt = &p->v[p->n++];
	pt->body = body;
	pt->length = length;
	pt->limit = limit;
	pt->unit = unit;
	va_start(ap, labelfmt);
	pt->label = xvasprintf(labelfmt, ap);
	va_end(ap);
}

/* ---- measuring and cutting posts ---- */

size_t
share_measure_chars(const char *s)
{
	size_t n = 0, len = strlen(s), i = 0;

	while (i < len) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, len - i, &cp);

		i += k ? k : 1;
		n++;
	}
	return n;
}

void
share_cut_chars(char *s, size_t max)
{
	size_t n = 0, i = 0, len = strlen(s), last = 0;

	if (share_measure_chars(s) <= max)
		return;
	while (i < len && n + 1 < max) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, len - i, &cp);

		i += k ? k : 1;
		n++;
		last = i;
	}
	if (len < 3) { /* no room for "…": two ASCII bytes, max < 2 */
		s[max] = '\0';
		return;
	}
	/* "…" is 3 bytes: back off until it fits where the text was */
	while (last > 0 && last + 3 > len) {
		last--;
		while (last > 0 && (s[last] & 0xC0) == 0x80)
			last--;
	}
	while (last > 0 && (s[last - 1] == ' ' || s[last - 1] == '\n'))
		last--;
	memcpy(s + last, "\xe2\x80\xa6", 4); /* … and the NUL */
}

/* ---- HTTP for the targets ---- */

void
share_http(const struct share_ctx *c, const char *method, const char *url,
	   const char *const *headers, const char *ctype, const char *body,
	   struct fetch_resp *resp)
{
	struct fetch_req req = { 0 };
	struct fetch_opts fo;

	service_fetch_opts(c->cfg, &fo);
	req.url = url;
	req.kind = FETCH_API;
	req.method = method;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	req.content_type = ctype;
	req.headers = headers;
	req.max_body = (size_t)1 << 20;
	log_info("%s %s", method ? method : "GET", url);
	fetch_one(&fo, &req, resp, NULL);
}

/* The service's own error text from a JSON reply ("error", "errors",
 * "message"), sanitized and cut; NULL when there is none. */
static char *
service_error(const struct fetch_resp *r)
{
	struct json j = { 0 };
	const struct json_node *root, *errs;
	const char *s = NULL;
	char *out = NULL;

	if (json_parse(&j, r->body.buf, r->body.len, NULL) < 0)
		goto out;
	root = json_root(&j);
	s = json_get_str(&j, root, "error_description");
	if (!s)
		s = json_get_str(&j, root, "error");
	if (!s)
		s = json_get_str(&j, root, "message");
	if (!s)
		s = json_get_str(&j, root, "detail");
	errs = json_get(&j, root, "errors");
	if (!s && errs && errs->type == JSON_ARRAY) {
		const struct json_node *f = json_first(&j, errs);

		if (f && f->type == JSON_TEXT)
			s = f->text;
		else if (f)
			s = json_get_str(&j, f, "message");
	}
	if (s) {
		out = text_sanitize(s, strlen(s), true);
		share_cut_chars(out, 200);
	}
out:
	json_release(&j);
	return out;
}

static void
reset_hint(const struct fetch_resp *r, char *buf, size_t n)
{
	const char *reset = fetch_resp_header(r, "X-RateLimit-Reset");
	const char *xr = fetch_resp_header(r, "x-rate-limit-reset");
	int64_t t;
	char iso[32];

	buf[0] = '\0';
	if (r->retry_after >= 0) {
		time_fmt_iso(time_now() + r->retry_after, iso, sizeof(iso));
		snprintf(buf, n, "; try again after %s", iso);
	} else if (xr && str_to_i64(xr, &t) == 0) {
		time_fmt_iso(t, iso, sizeof(iso));
		snprintf(buf, n, "; try again after %s", iso);
	} else if (reset && (t = parse_date(reset)) > 0) {
		time_fmt_iso(t, iso, sizeof(iso));
		snprintf(buf, n, "; try again after %s", iso);
	} else if (reset && str_to_i64(reset, &t) == 0) {
		time_fmt_iso(t, iso, sizeof(iso));
		snprintf(buf, n, "; try again after %s", iso);
	}
}

enum share_status
share_http_status(struct share_ctx *c, const struct fetch_resp *r,
		  const char *what, struct err *e)
{
	char hint[80];
	char *msg;

	if (r->err.code == ERR_OK)
		return SHARE_SENT;
	if (r->status == 0) {
		if (r->request_sent) {
			err_set(e, ERR_NET, "%s: %s after the request was "
				"sent", what, r->err.msg);
			return SHARE_UNKNOWN;
		}
		err_set(e, r->err.code, "%s: %s", what, r->err.msg);
		return SHARE_FAILED;
	}
	if (r->status == 401 || r->status == 403) {
		err_set(e, ERR_AUTH, "%s refused the credentials of %s '%s' "
			"(HTTP %ld); check its secrets in the config and "
			"re-authenticate", what, c->a ? "account" : "target",
			c->a ? c->a->name : c->t->name, r->status);
		return SHARE_FAILED;
	}
	if (r->status == 429) {
		reset_hint(r, hint, sizeof(hint));
		err_set(e, ERR_LIMIT, "%s: rate limited (HTTP 429)%s", what,
			hint);
		return SHARE_FAILED;
	}
	msg = service_error(r);
	err_set(e, ERR_HTTP, "%s: %s%s%s", what, r->err.msg,
		msg ? ": " : "", msg ? msg : "");
	free(msg);
	return SHARE_FAILED;
}

int
share_secret(struct share_ctx *c, enum secret_slot slot, char **out,
	     struct err *e)
{
	if (!c->a)
		BUG("share_secret without an account");
	return config_secret(c->a, slot, out, e);
}

/* ---- the engine ---- */

/* The target's template file (NULL when it has none) read whole, capped
 * at 256 KiB. Caller frees *out. */
static int
share_template(struct share_ctx *c, char **out, struct err *e)
{
	struct sbuf sb = SBUF_INIT;
	FILE *fp;

	*out = NULL;
	if (!c->t->template_path)
		return 0;
	fp = fopen(c->t->template_path, "r");
	if (!fp)
		return err_set(e, ERR_IO, "cannot read template '%s' of "
			       "target '%s': %s", c->t->template_path,
			       c->t->name, strerror(errno));
	sbuf_init(&sb, (size_t)256 << 10);
	if (sbuf_read_fp(&sb, fp) < 0 && !sbuf_over(&sb)) {
		err_set(e, ERR_IO, "cannot read template '%s' of target '%s': "
			"%s", c->t->template_path, c->t->name, strerror(errno));
		fclose(fp);
		sbuf_release(&sb);
		return -1;
	}
	fclose(fp);
	if (sbuf_finish(&sb, e, "the template") < 0) {
		sbuf_release(&sb);
		return err_prefix(e, "target '%s' ('%s')", c->t->name,
				  c->t->template_path);
	}
	*out = sbuf_detach(&sb, NULL);
	return 0;
}

int
share_render(struct share_ctx *c, enum digest_format f, char **out,
	     struct err *e)
{
	struct sbuf sb = SBUF_INIT;
	char *tmpl;
	int rc;

	*out = NULL;
	if (share_template(c, &tmpl, e) < 0)
		return -1;
	rc = digest_render(c->d, f, tmpl, &sb, e);
	free(tmpl);
	if (rc < 0) {
		sbuf_release(&sb);
		return -1;
	}
	*out = sbuf_detach(&sb, NULL);
	return 0;
}

/* One item as a post: title, link, then its first quote and note. The
 * maxima (in characters; SIZE_MAX: whole, 0: left out) cut note, quote
 * and title with an ellipsis; the link is never cut. */
struct item_cut {
	size_t title, quote, note;
};

static char *
item_post(const struct item *it, const struct item_cut *cut)
{
	struct sbuf sb = SBUF_INIT;
	char *title = text_clean(it->title && *it->title ? it->title
				   : "(untitled)", true);
	char *quote = NULL, *note = NULL;
	size_t n;

	for (n = 0; n < it->nnotes; n++) {
		if (!quote && it->notes[n].quote && *it->notes[n].quote)
			quote = text_clean(it->notes[n].quote, true);
		if (!note && it->notes[n].body && *it->notes[n].body)
			note = text_clean(it->notes[n].body, true);
	}
	share_cut_chars(title, cut->title);
	sbuf_adds(&sb, title);
	if (digest_url_ok(it->url) && !str_istarts(it->url, "mailto:"))
		sbuf_addf(&sb, "\n%s", it->url);
	if (quote && cut->quote)
		share_cut_chars(quote, cut->quote);
	if (quote && *quote && cut->quote)
		sbuf_addf(&sb, "\n> %s", quote);
	if (note && cut->note)
		share_cut_chars(note, cut->note);
	if (note && *note && cut->note)
		sbuf_addf(&sb, "\n%s", note);
	free(title);
	free(quote);
	free(note);
	return sbuf_detach(&sb, NULL);
}

/* The characters of an item's first note body (quote: its first quote),
 * 0 when it has none. */
static size_t
item_chars(const struct item *it, bool quote)
{
	size_t n, len;

	for (n = 0; n < it->nnotes; n++) {
		const char *s = quote ? it->notes[n].quote : it->notes[n].body;

		if (s && *s) {
			char *t = text_clean(s, true);

			len = share_measure_chars(t);
			free(t);
			return len;
		}
	}
	return 0;
}

/* Cut *max (a part of cur characters now) by over characters, at
 * least one; 0 leaves the part out. */
static void
cut_by(size_t *max, size_t cur, size_t over)
{
	*max = cur > over ? cur - over : 0;
	if (*max >= cur)
		*max = cur ? cur - 1 : 0;
}

/* The item as a post within limit: the note cut first, then the quote,
 * then the title (down to one character and "…"), never the link. NULL
 * with e set when even that does not fit. */
static char *
item_fit(struct share_ctx *c, const struct item *it,
	 share_measure_fn measure, size_t limit, const char *unit,
	 struct err *e)
{
	struct item_cut cut = { SIZE_MAX, SIZE_MAX, SIZE_MAX };
	size_t note = item_chars(it, false), quote = item_chars(it, true);
	size_t title, m;
	char *t = item_post(it, &cut), *s;

	s = text_clean(it->title && *it->title ? it->title : "(untitled)",
			 true);
	title = share_measure_chars(s);
	free(s);
	while ((m = measure(c, t)) > limit) {
		size_t over = m - limit;

		if (note && cut.note) {
			cut_by(&cut.note, note, over);
			note = cut.note;
		} else if (quote && cut.quote) {
			cut_by(&cut.quote, quote, over);
			quote = cut.quote;
		} else if (title > 2) {
			/* the ellipsis takes one of the characters */
			cut_by(&cut.title, title, over + 1);
			if (cut.title < 2)
				cut.title = 2;
			title = cut.title;
		} else {
			s = text_clean(it->title && *it->title ? it->title
					 : "(untitled)", true);
			share_cut_chars(s, 60);
			err_set(e, ERR_LIMIT, "target '%s': item \"%s\" "
				"cannot fit in one post of %zu %s, even with its "
				"note, quote and title cut (%zu with the link "
				"alone); unmark it or share it elsewhere",
				c->t->name, s, limit, unit, m);
			free(s);
			free(t);
			return NULL;
		}
		free(t);
		t = item_post(it, &cut);
	}
	return t;
}

int
share_pack_thread(struct share_ctx *c, share_measure_fn measure,
		  size_t limit, const char *unit, struct share_plan *p,
		  struct err *e)
{
	const struct digest *d = c->d;
	struct sbuf head = SBUF_INIT, cur = SBUF_INIT;
	char *s, a[32], b[32];
	size_t g, k, first = p->n;

	s = text_clean(d->title, true);
	sbuf_adds(&head, s);
	free(s);
	time_fmt_iso(d->since, a, sizeof(a));
	time_fmt_iso(d->created, b, sizeof(b));
	sbuf_addf(&head, " (%.10s to %.10s): %zu link%s", a, b, d->items.n,
		  d->items.n == 1 ? "" : "s");
	if (d->intro) {
		s = text_clean(d->intro, false);
		sbuf_addf(&head, "\n\n%s", s);
		free(s);
	}
	sbuf_adds(&head, " \xf0\x9f\xa7\xb5"); /* 🧵 */
	s = sbuf_detach(&head, NULL);
	while (measure(c, s) > limit) {
		size_t m = share_measure_chars(s);
		size_t over = measure(c, s) - limit;

		share_cut_chars(s, m > over + 1 ? m - over - 1 : 1);
	}
	share_plan_add(p, s, measure(c, s), limit, unit, "post 1");
	for (g = 0; g < d->ngroups; g++) {
		for (k = 0; k < d->groups[g].n; k++) {
			const struct item *it =
				&d->items.v[d->groups[g].idx[k]];
			char *t = item_fit(c, it, measure, limit, unit, e);

			if (!t) {
				sbuf_release(&cur);
				return -1;
			}
			if (cur.len) {
				size_t save = cur.len;

				sbuf_adds(&cur, "\n\n");
				sbuf_adds(&cur, t);
				if (measure(c, cur.buf) <= limit) {
					free(t);
					continue;
				}
				sbuf_truncate(&cur, save);
				share_plan_add(p, sbuf_detach(&cur, NULL),
					       0, limit, unit, "post");
			}
			sbuf_adds(&cur, t);
			free(t);
		}
	}
	if (cur.len)
		share_plan_add(p, sbuf_detach(&cur, NULL), 0, limit, unit,
			       "post");
	sbuf_release(&cur);
	for (k = first; k < p->n; k++) {
		free(p->v[k].label);
		p->v[k].label = xasprintf("post %zu/%zu", k - first + 1,
					  p->n - first);
		p->v[k].length = measure(c, p->v[k].body);
	}
	return 0;
}
