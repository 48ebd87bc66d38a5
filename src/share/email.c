/*
 * email target: one multipart/alternative message (the text digest and
 * the HTML digest, both quoted-printable) to every recipient in `to`,
 * handed to fetch_mail_send() for SMTP. Owns the RFC 5322 / MIME text:
 * header values never carry CR or LF from data, the Subject is always
 * RFC 2047 encoded (UTF-8, base64 words), the Message-ID is fixed when
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

/* RFC 2047: "=?UTF-8?B?...?=" words of at most 45 input bytes (60 base64
 * characters), split on character boundaries, folded with CRLF SP. */
static void
encode_words(struct sbuf *sb, const char *s)
{
	size_t len = strlen(s), i = 0;
	bool first = true;

	while (i < len) {
		size_t j = i;

		while (j < len) {
			uint32_t cp;
			size_t k = utf8_decode(s + j, len - j, &cp);

			if (!k)
				k = 1;
			if (j + k - i > 45)
				break;
			j += k;
		}
		if (!first)
			sbuf_adds(sb, "\r\n ");
		sbuf_adds(sb, "=?UTF-8?B?");
		base64_encode(sb, s + i, j - i);
		sbuf_adds(sb, "?=");
		first = false;
		i = j;
	}
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
	return digest_clean(s, true);
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

static bool
address_ok(const char *s)
{
	char *b = bare_address(s);
	bool ok = strchr(b, '@') && !strpbrk(b, " \t\r\n<>,;\"");

	free(b);
	return ok && !strpbrk(s, "\r\n");
}

static int
email_plan(struct share_ctx *c, struct share_plan *p, struct err *e)
{
	const struct config_target *t = c->t;
	struct sbuf m = SBUF_INIT;
	char *text = NULL, *html = NULL, *subject, *from, *boundary, *mid;
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
	from = header_value(t->from);
	boundary = random_hex(12);
	mid = random_hex(16);
	rfc5322_date(c->d->created, date, sizeof(date));
	{
		char *b = bare_address(t->from), *host = strchr(b, '@');

		sbuf_addf(&m, "From: %s\r\nTo: ", from);
		for (i = 0; i < t->nto; i++) {
			char *to = header_value(t->to[i]);

			sbuf_addf(&m, "%s%s", i ? ",\r\n " : "", to);
			free(to);
		}
		sbuf_adds(&m, "\r\nSubject: ");
		encode_words(&m, subject);
		sbuf_addf(&m, "\r\nDate: %s\r\nMessage-ID: <glean.%s%s>\r\n"
			  "MIME-Version: 1.0\r\nX-Mailer: glean\r\n"
			  "Content-Type: multipart/alternative; "
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
	free(from);
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
