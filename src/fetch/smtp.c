/*
 * SMTP submission through libcurl (the only curl user is src/fetch).
 * Owns the transport: envelope, TLS policy (smtps://, or STARTTLS
 * required unless the target says starttls = off), AUTH, timeouts and
 * turning curl's failures into short messages. Does not own the message:
 * share/email.c builds the RFC 5322 text, MIME and header encoding.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "private.h"
#include "glean/banned.h"

struct reader {
	const char *p;
	size_t left;
	bool done;     /* every byte handed to curl */
};

static size_t
on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct reader *r = arg;
	size_t want = size * n;

	if (want > r->left)
		want = r->left;
	memcpy(buf, r->p, want);
	r->p += want;
	r->left -= want;
	if (r->left == 0)
		r->done = true;
	return want;
}

static int
mail_error(CURL *h, CURLcode cc, const struct reader *rd, bool *maybe_sent,
	   struct err *e)
{
	long code = 0;

	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	switch (cc) {
	case CURLE_USE_SSL_FAILED:
		return err_set(e, ERR_NET, "the mail server does not offer "
			       "STARTTLS; use an smtps:// URL, or set "
			       "starttls = off for a trusted local server");
	case CURLE_LOGIN_DENIED:
		return err_set(e, ERR_AUTH, "the mail server refused the "
			       "login (SMTP %ld); check smtp-user and "
			       "smtp-password-*", code);
	case CURLE_COULDNT_CONNECT:
		return err_set(e, ERR_NET, "cannot connect to the mail "
			       "server");
	case CURLE_COULDNT_RESOLVE_HOST:
		return err_set(e, ERR_NET, "cannot resolve the mail server");
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
		if (rd->done) {
			*maybe_sent = true;
			return err_set(e, ERR_NET, "the connection to the mail "
				       "server was lost after the message "
				       "was sent");
		}
		if (cc == CURLE_OPERATION_TIMEDOUT)
			return err_set(e, ERR_NET, "the mail server did not "
				       "answer in time (raise [general] "
				       "timeout if it is slow)");
		return err_set(e, ERR_NET, "the connection to the mail server "
			       "was lost: %s", curl_easy_strerror(cc));
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
		return err_set(e, ERR_NET, "TLS with the mail server failed: "
			       "%s", curl_easy_strerror(cc));
	default:
		if (code >= 400)
			return err_set(e, ERR_HTTP, "the mail server refused "
				       "the message (SMTP %ld)", code);
		return err_set(e, ERR_NET, "cannot send mail: %s",
			       curl_easy_strerror(cc));
	}
}

int
fetch_mail_send(const struct fetch_mail *m, bool *maybe_sent, struct err *e)
{
	struct curl_slist *rcpt = NULL;
	struct reader rd = { m->message, m->len, false };
	char *from = NULL;
	CURL *h = NULL;
	CURLcode cc = CURLE_OK;
	long tmo = m->timeout_ms > 0 ? m->timeout_ms : 120000L;
	size_t i;
	int rc = -1;

	*maybe_sent = false;
	if (!m->url || !(str_istarts(m->url, "smtp://") ||
			 str_istarts(m->url, "smtps://")))
		return err_set(e, ERR_USAGE, "the mail server URL must start "
			       "with smtp:// or smtps://");
	if (!m->nto)
		return err_set(e, ERR_USAGE, "no recipients");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		die("cannot initialise libcurl");
	h = curl_easy_init();
	if (!h)
		die("cannot create a curl easy handle");
	from = fetch_hdr_clean(m->from);
	for (i = 0; i < m->nto; i++) {
		char *to = fetch_hdr_clean(m->to[i]);
		struct curl_slist *n = curl_slist_append(rcpt, to);

		free(to);
		if (!n)
			die("out of memory");
		rcpt = n;
	}
#define SET(opt, val)                                                        \
	do {                                                                 \
		if ((cc = curl_easy_setopt(h, (opt), (val))) != CURLE_OK)    \
			goto fail;                                           \
	} while (0)
	SET(CURLOPT_URL, m->url);
	SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	SET(CURLOPT_USE_SSL, m->plain ? (long)CURLUSESSL_NONE
				      : (long)CURLUSESSL_ALL);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_CONNECTTIMEOUT_MS, tmo < 15000L ? tmo : 15000L);
	SET(CURLOPT_TIMEOUT_MS, tmo);
	SET(CURLOPT_MAIL_FROM, from);
	SET(CURLOPT_MAIL_RCPT, rcpt);
	SET(CURLOPT_UPLOAD, 1L);
	SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)m->len);
	SET(CURLOPT_READFUNCTION, on_read);
	SET(CURLOPT_READDATA, (void *)&rd);
	if (m->user && *m->user) {
		SET(CURLOPT_USERNAME, m->user);
		SET(CURLOPT_PASSWORD, m->password ? m->password : "");
	}
#undef SET
	log_info("smtp: %zu bytes to %zu recipient(s)", m->len, m->nto);
	cc = curl_easy_perform(h);
	if (cc == CURLE_OK) {
		rc = 0;
		goto out;
	}
	mail_error(h, cc, &rd, maybe_sent, e);
	goto out;
fail:
	err_set(e, ERR_USAGE, "cannot set up the mail transfer: %s",
		curl_easy_strerror(cc));
out:
	curl_slist_free_all(rcpt);
	free(from);
	curl_easy_cleanup(h);
	curl_global_cleanup();
	return rc;
}
