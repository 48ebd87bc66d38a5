/*
 * email target: one multipart/alternative message (the text digest and
 * the HTML digest, both quoted-printable) to every recipient in `to`,
 * handed to fetch_mail_send() for SMTP. Owns the RFC 5322 / MIME text:
 * header values never carry CR or LF from data, the Subject is always
 * RFC 2047 encoded (UTF-8, base64 words), display names are atoms, a
 * quoted string or encoded words as they need, every header line glean
 * folds stays within 76 characters, the Message-ID is fixed when
 * the part is planned so a resend is recognisable. A connection lost
 * after the data went out leaves the part unknown for the user to check:
 * SMTP has no idempotency to ask.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "private.h"
#include "glean/banned.h"

/*
 * A header being written, folded at white space so that no line passes
 * 76 characters where glean chooses the break (RFC 2047 §2 for lines with
 * encoded words; RFC 5322 §2.1.1 asks 78). Only an address longer than a
 * line is left whole.
 */
#define HDR_COLS 76
#define EW_MAX 75  /* RFC 2047 §2: an encoded-word is at most 75 chars */

struct hdr {
	struct sbuf *sb;
	size_t col;
	bool empty;  /* nothing after the name or the fold on this line */
};

static void
hdr_begin(struct hdr *h, struct sbuf *sb, const char *name)
{
	h->sb = sb;
	sbuf_addf(sb, "%s:", name);
	h->col = strlen(name) + 1;
	h->empty = true;
}

static void
hdr_fold(struct hdr *h)
{
	sbuf_adds(h->sb, "\r\n");
	h->col = 0;
	h->empty = true;
}

/* One token after white space: on this line if it fits, else the next. */
static void
hdr_word(struct hdr *h, const char *w, size_t n)
{
	if (!h->empty && h->col + 1 + n > HDR_COLS)
		hdr_fold(h);
	sbuf_addch(h->sb, ' ');
	sbuf_add(h->sb, w, n);
	h->col += 1 + n;
	h->empty = false;
}

/* Text glued to the last token (the comma after an address). */
static void
hdr_glue(struct hdr *h, const char *s)
{
	sbuf_adds(h->sb, s);
	h->col += strlen(s);
}

/* The longest prefix of s[i..len) of whole UTF-8 characters in at most
 * max bytes; its end. */
static size_t
utf8_fit(const char *s, size_t len, size_t i, size_t max)
{
	size_t j = i;

	while (j < len) {
		uint32_t cp;
		size_t k = utf8_decode(s + j, len - j, &cp);

		if (!k)
			k = 1;
		if (j + k - i > max)
			break;
		j += k;
	}
	return j;
}

/* RFC 2047 "=?UTF-8?B?...?=" words, split on character boundaries, each
 * sized to the room left on its line (white space between encoded words
 * is dropped when they are decoded). */
static void
hdr_encoded(struct hdr *h, const char *s)
{
	size_t len = strlen(s), i = 0;
	struct sbuf w = SBUF_INIT;

	while (i < len) {
		size_t room = h->col + 1 < HDR_COLS ? HDR_COLS - h->col - 1 : 0,
		       max, j;

		if (room > EW_MAX)
			room = EW_MAX;
		/* 12 characters of "=?UTF-8?B?" and "?="; 4 base64 per 3 */
		max = room > 12 ? (room - 12) / 4 * 3 : 0;
		if (max < 9 && !h->empty) {
			hdr_fold(h);
			continue;
		}
		j = utf8_fit(s, len, i, max);
		if (j < len) {  /* end a word after a space where one is near */
			size_t k = j;

			while (k > i + (j - i) / 2 && s[k - 1] != ' ')
				k--;
			if (k > i + (j - i) / 2)
				j = k;
		}
		if (j == i)  /* cannot happen on a fresh line; stay safe */
			j = utf8_fit(s, len, i, 4) > i ? utf8_fit(s, len, i, 4)
						       : i + 1;
		sbuf_reset(&w);
		sbuf_adds(&w, "=?UTF-8?B?");
		base64_encode(&w, s + i, j - i);
		sbuf_adds(&w, "?=");
		hdr_word(h, w.buf, w.len);
		i = j;
	}
	sbuf_release(&w);
}

/* A word that may stand as an RFC 5322 atom: atext only, and nothing a
 * decoder could take for an encoded word. */
static bool
atom_ok(const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)w[i];

		if (ch <= 0x20 || ch >= 0x7f ||
		    strchr("()<>[]:;@\\,.\"", ch) ||
		    (ch == '=' && i + 1 < n && w[i + 1] == '?'))
			return false;
	}
	return n > 0;
}

/* A display name as an RFC 5322 phrase. ASCII names are atoms, or one
 * quoted string when they have specials (a comma, say). Otherwise each
 * word that can be an atom stays one, and each run of the other words
 * becomes encoded words, the spaces inside the run encoded with it (white
 * space between two encoded words is dropped when decoded, §6.2). */
static void
hdr_phrase(struct hdr *h, const char *name)
{
	const unsigned char *p;
	bool ascii = true, atoms = true;
	struct sbuf q = SBUF_INIT;
	const char *s;
	size_t i;

	for (s = name; *s;) {
		size_t n = strcspn(s, " \t");

		if (n && !atom_ok(s, n))
			atoms = false;
		for (i = 0; i < n; i++)
			if ((unsigned char)s[i] >= 0x80)
				ascii = false;
		s += n;
		s += strspn(s, " \t");
	}
	if (ascii && !atoms) {
		sbuf_addch(&q, '"');
		for (p = (const unsigned char *)name; *p; p++) {
			if (*p == '"' || *p == '\\')
				sbuf_addch(&q, '\\');
			sbuf_addch(&q, (char)*p);
		}
		sbuf_addch(&q, '"');
		if (q.len + 2 <= HDR_COLS) {
			hdr_word(h, q.buf, q.len);
			sbuf_release(&q);
			return;
		}
		sbuf_reset(&q);
	}
	for (s = name; *s;) {
		size_t n = strcspn(s, " \t");

		if (!n) {
			s += strspn(s, " \t");
			continue;
		}
		if (atom_ok(s, n)) {
			hdr_word(h, s, n);
			s += n;
			continue;
		}
		/* a run of words that are not atoms, single-spaced */
		sbuf_reset(&q);
		for (;;) {
			sbuf_add(&q, s, n);
			s += n;
			s += strspn(s, " \t");
			n = strcspn(s, " \t");
			if (!n || atom_ok(s, n))
				break;
			sbuf_addch(&q, ' ');
		}
		hdr_encoded(h, q.buf);
	}
	sbuf_release(&q);
}

/* Quoted-printable (RFC 2045) of LF-separated text, CRLF line ends. */
static void
quoted_printable(struct sbuf *sb, const char *s)
{
	size_t col = 0;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		char enc[4];
		size_t w;

		if (ch == '\n') {
			sbuf_adds(sb, "\r\n");
			col = 0;
			continue;
		}
		if (ch == '\r')
			continue;
		if ((ch >= 33 && ch <= 126 && ch != '=') ||
		    ((ch == ' ' || ch == '\t') && s[1] && s[1] != '\n' &&
		     s[1] != '\r')) {
			enc[0] = (char)ch;
			enc[1] = '\0';
		} else {
			snprintf(enc, sizeof(enc), "=%02X", ch);
		}
		w = strlen(enc);
		if (col + w > 75) {
			sbuf_adds(sb, "=\r\n");
			col = 0;
		}
		sbuf_adds(sb, enc);
		col += w;
	}
	if (col)
		sbuf_adds(sb, "\r\n");
}

static void
rfc5322_date(int64_t t, char *buf, size_t n)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
					  "Fri", "Sat" };
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May",
					  "Jun", "Jul", "Aug", "Sep", "Oct",
					  "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	snprintf(buf, n, "%s, %02d %s %04d %02d:%02d:%02d +0000",
		 wd[tm.tm_wday % 7], tm.tm_mday, mo[tm.tm_mon % 12],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A header value from config or data: one line, no controls. */
static char *
header_value(const char *s)
{
	return text_clean(s, true);
}

/* The bare address of "Name <a@b>" or "a@b". Caller frees. */
static char *
bare_address(const char *s)
{
	const char *lt = strrchr(s, '<'), *gt;
	char *c;

	if (lt && (gt = strchr(lt, '>')))
		c = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	else
		c = xstrdup(s);
	str_trim(c);
	return c;
}

/* The display name of "Name <a@b>" or "\"Smith, John\" <a@b>",
 * unquoted and on one line; NULL when there is none. Caller frees. */
static char *
display_name(const char *s)
{
	const char *lt = strrchr(s, '<');
	char *raw, *n, *r, *w, *clean;
	size_t len;

	if (!lt)
		return NULL;
	raw = xstrndup(s, (size_t)(lt - s));
	n = str_trim(raw);
	len = strlen(n);
	if (len >= 2 && n[0] == '"' && n[len - 1] == '"') {
		n[len - 1] = '\0';
		for (r = w = n + 1; *r; r++) {
			if (*r == '\\' && r[1])
				r++;
			*w++ = *r;
		}
		*w = '\0';
		n++;
	}
	clean = header_value(n);
	free(raw);
	str_trim(clean);
	if (!*clean) {
		free(clean);
		return NULL;
	}
	return clean;
}

static bool
address_ok(const char *s)
{
	char *b = bare_address(s);
	const unsigned char *p;
	bool ok = strchr(b, '@') && !strpbrk(b, " \t\r\n<>,;\"");

	for (p = (const unsigned char *)b; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			ok = false;
	free(b);
	return ok && !strpbrk(s, "\r\n");
}

/* One mailbox of From or To: the phrase, then <a@b>. */
static void
hdr_mailbox(struct hdr *h, const char *s)
{
	char *name = display_name(s), *addr = bare_address(s);

	if (name) {
		char *a = xasprintf("<%s>", addr);

		hdr_phrase(h, name);
		hdr_word(h, a, strlen(a));
		free(a);
	} else {
		hdr_word(h, addr, strlen(addr));
	}
	free(name);
	free(addr);
}

static int
email_plan(struct share_ctx *c, struct share_plan *p, struct err *e)
{
	const struct config_target *t = c->t;
	struct sbuf m = SBUF_INIT;
	char *text = NULL, *html = NULL, *subject, *boundary, *mid;
	char date[64], day[32];
	size_t i;

	if (!t->smtp_url)
		return err_set(e, ERR_CONFIG, "%s:%d: target '%s' needs "
			       "smtp-url = smtp://HOST:PORT", t->file, t->line,
			       t->name);
	if (!t->from || !address_ok(t->from))
		return err_set(e, ERR_CONFIG, "%s:%d: target '%s' needs from "
			       "= an e-mail address", t->file, t->line,
			       t->name);
	if (!t->nto)
		return err_set(e, ERR_CONFIG, "%s:%d: target '%s' needs to = "
			       "one or more e-mail addresses", t->file,
			       t->line, t->name);
	for (i = 0; i < t->nto; i++)
		if (!address_ok(t->to[i]))
			return err_set(e, ERR_CONFIG, "%s:%d: target '%s': "
				       "'%s' is not an e-mail address",
				       t->file, t->line, t->name, t->to[i]);
	if (t->starttls && strcmp(t->starttls, "required") &&
	    strcmp(t->starttls, "off"))
		return err_set(e, ERR_CONFIG, "%s:%d: target '%s': starttls "
			       "is 'required' or 'off'", t->file, t->line,
			       t->name);
	if (share_render(c, DIGEST_TEXT, &text, e) < 0 ||
	    share_render(c, DIGEST_HTML, &html, e) < 0) {
		free(text);
		return -1;
	}
	time_fmt_iso(c->d->created, day, sizeof(day));
	day[10] = '\0';
	if (t->subject)
		subject = header_value(t->subject);
	else {
		char *ti = header_value(c->d->title);

		subject = xasprintf("%s, %s", ti, day);
		free(ti);
	}
	boundary = random_hex(12);
	mid = random_hex(16);
	rfc5322_date(c->d->created, date, sizeof(date));
	{
		char *b = bare_address(t->from), *host = strchr(b, '@');
		struct hdr h;

		hdr_begin(&h, &m, "From");
		hdr_mailbox(&h, t->from);
		sbuf_adds(&m, "\r\n");
		hdr_begin(&h, &m, "To");
		for (i = 0; i < t->nto; i++) {
			hdr_mailbox(&h, t->to[i]);
			if (i + 1 < t->nto)
				hdr_glue(&h, ",");
		}
		sbuf_adds(&m, "\r\n");
		hdr_begin(&h, &m, "Subject");
		hdr_encoded(&h, subject);
		sbuf_addf(&m, "\r\nDate: %s\r\nMessage-ID: <glean.%s%s>\r\n"
			  "MIME-Version: 1.0\r\nX-Mailer: glean\r\n"
			  "Content-Type: multipart/alternative;\r\n "
			  "boundary=\"glean-%s\"\r\n\r\n", date, mid,
			  host ? host : "@glean.invalid", boundary);
		free(b);
	}
	sbuf_addf(&m, "--glean-%s\r\nContent-Type: text/plain; "
		  "charset=utf-8\r\nContent-Transfer-Encoding: "
		  "quoted-printable\r\n\r\n", boundary);
	quoted_printable(&m, text);
	sbuf_addf(&m, "--glean-%s\r\nContent-Type: text/html; "
		  "charset=utf-8\r\nContent-Transfer-Encoding: "
		  "quoted-printable\r\n\r\n", boundary);
	quoted_printable(&m, html);
	sbuf_addf(&m, "--glean-%s--\r\n", boundary);
	share_plan_add(p, sbuf_detach(&m, NULL), 0, 0, "bytes",
		       "message to %zu recipient%s", t->nto,
		       t->nto == 1 ? "" : "s");
	p->v[p->n - 1].length = strlen(p->v[p->n - 1].body);
	free(text);
	free(html);
	free(subject);
	free(boundary);
	free(mid);
	return 0;
}

static enum share_status
email_send(struct share_ctx *c, const struct outbox_list *parts, size_t i,
	   struct share_sent *out, struct err *e)
{
	const struct config_target *t = c->t;
	struct fetch_mail m = { 0 };
	char **to = xcalloc(t->nto + 1, sizeof(*to));
	char *from = bare_address(t->from), *pw = NULL;
	bool maybe = false;
	enum share_status st = SHARE_FAILED;
	size_t k;

	if (t->smtp_password.cmd || t->smtp_password.file ||
	    t->smtp_password.env) {
		if (config_secret_from(&t->smtp_password, "smtp-password",
				       &pw, e) < 0)
			goto out;
	}
	for (k = 0; k < t->nto; k++)
		to[k] = bare_address(t->to[k]);
	m.url = t->smtp_url;
	m.user = t->smtp_user;
	m.password = pw;
	m.plain = t->starttls && !strcmp(t->starttls, "off");
	m.from = from;
	m.to = (const char *const *)to;
	m.nto = t->nto;
	m.message = parts->v[i].body;
	m.len = strlen(parts->v[i].body);
	m.timeout_ms = (long)c->cfg->timeout * 1000; /* [general] timeout */
	if (fetch_mail_send(&m, &maybe, e) == 0) {
		st = SHARE_SENT;
		out->remote_id = xasprintf("%zu recipient%s", t->nto,
					   t->nto == 1 ? "" : "s");
	} else {
		err_prefix(e, "email");
		st = maybe ? SHARE_UNKNOWN : SHARE_FAILED;
	}
out:
	for (k = 0; k < t->nto; k++)
		free(to[k]);
	free(to);
	free(from);
	if (pw)
		config_secret_free(pw);
	return st;
}

const struct share_ops share_email_ops = {
	.kind = "email",
	.plan = email_plan,
	.send = email_send,
};
