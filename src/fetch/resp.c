/*
 * fetch responses: the header list, the fields derived from it
 * (validators, Retry-After, Cache-Control max-age), reason phrases and
 * HTTP dates. Owns struct fetch_resp's memory. Knows nothing about
 * transfers or the queue; fetch.c fills a response, this file reads it.
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "private.h"
#include "glean/banned.h"

void
fetch_resp_init(struct fetch_resp *r)
{
	memset(r, 0, sizeof(*r));
	sbuf_init(&r->body, 0);
	r->retry_after = -1;
	r->max_age = -1;
}

void
resp_headers_reset(struct fetch_resp *r)
{
	size_t i;

	for (i = 0; i < r->nhdr; i++) {
		free(r->hdr_names[i]);
		free(r->hdr_values[i]);
	}
	free(r->hdr_names);
	free(r->hdr_values);
	r->hdr_names = r->hdr_values = NULL;
	r->nhdr = 0;
}

void
fetch_resp_release(struct fetch_resp *r)
{
	resp_headers_reset(r);
	sbuf_release(&r->body);
	free(r->etag);
	free(r->last_modified);
	free(r->content_type);
	free(r->content_location);
	free(r->effective_url);
	free(r->permanent_url);
	fetch_resp_init(r);
}

void
fetch_resp_take(struct fetch_resp *dst, struct fetch_resp *src)
{
	*dst = *src;
	fetch_resp_init(src);
}

void
resp_header_add(struct fetch_resp *r, const char *name, size_t nlen,
		const char *value, size_t vlen)
{
	/* Arrays grow by one: responses carry a few dozen headers at most
	 * and fetch.c caps the count. */
	r->hdr_names = xrealloc(r->hdr_names, (r->nhdr + 1) * sizeof(char *));
	r->hdr_values = xrealloc(r->hdr_values, (r->nhdr + 1) * sizeof(char *));
	r->hdr_names[r->nhdr] = xstrndup(name, nlen);
	r->hdr_values[r->nhdr] = xstrndup(value, vlen);
	r->nhdr++;
}

void
resp_header_continue(struct fetch_resp *r, const char *value, size_t vlen)
{
	char *old, *v;

	if (r->nhdr == 0)
		return;
	old = r->hdr_values[r->nhdr - 1];
	v = xasprintf("%s %.*s", old, (int)vlen, value);
	free(old);
	r->hdr_values[r->nhdr - 1] = v;
}

const char *
fetch_resp_header(const struct fetch_resp *r, const char *name)
{
	size_t i;

	if (!r || !name)
		return NULL;
	for (i = 0; i < r->nhdr; i++)
		if (strcasecmp(r->hdr_names[i], name) == 0)
			return r->hdr_values[i];
	return NULL;
}

static char *
dup_header(const struct fetch_resp *r, const char *name)
{
	const char *v = fetch_resp_header(r, name);

	return v && *v ? xstrdup(v) : NULL;
}

int64_t
fetch_parse_retry_after(const char *v, int64_t now)
{
	int64_t n;
	time_t t;
	char *s;

	if (!v)
		return -1;
	s = str_trim(xstrdup(v));
	if (*s >= '0' && *s <= '9') {
		if (str_to_i64(s, &n) < 0)
			n = FETCH_MAX_RETRY_AFTER; /* absurdly large: cap */
	} else {
		/* HTTP-date in any of the three RFC 9110 forms. */
		t = curl_getdate(s, NULL);
		n = t == (time_t)-1 ? -1 : (int64_t)t - now;
		if (t != (time_t)-1 && n < 0)
			n = 0;
	}
	free(s);
	if (n > FETCH_MAX_RETRY_AFTER)
		n = FETCH_MAX_RETRY_AFTER;
	return n;
}

int64_t
fetch_parse_max_age(const char *v)
{
	const char *p = v;
	int64_t n;

	while (p && *p) {
		size_t len;
		char num[24];

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		len = strcspn(p, ",");
		if (len > 8 && strncasecmp(p, "max-age=", 8) == 0) {
			const char *d = p + 8;
			size_t dl = len - 8;

			if (dl >= 2 && d[0] == '"' && d[dl - 1] == '"') {
				d++;
				dl -= 2;
			}
			while (dl && (d[dl - 1] == ' ' || d[dl - 1] == '\t'))
				dl--;
			if (dl == 0 || dl >= sizeof(num))
				return -1;
			memcpy(num, d, dl);
			num[dl] = '\0';
			if (num[0] == '-' || str_to_i64(num, &n) < 0)
				return -1;
			return n;
		}
		p += len;
	}
	return -1;
}

void
resp_derive(struct fetch_resp *r, int64_t now)
{
	size_t i;

	r->etag = dup_header(r, "ETag");
	r->last_modified = dup_header(r, "Last-Modified");
	r->content_type = dup_header(r, "Content-Type");
	r->content_location = dup_header(r, "Content-Location");
	r->retry_after = fetch_parse_retry_after(
		fetch_resp_header(r, "Retry-After"), now);
	/* Cache-Control may be split across several header lines. */
	for (i = 0; i < r->nhdr && r->max_age < 0; i++)
		if (strcasecmp(r->hdr_names[i], "Cache-Control") == 0)
			r->max_age = fetch_parse_max_age(r->hdr_values[i]);
}

const char *
fetch_reason(long status)
{
	static const struct {
		long status;
		const char *text;
	} reasons[] = {
		{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" },
		{ 204, "No Content" }, { 300, "Multiple Choices" },
		{ 301, "Moved Permanently" }, { 302, "Found" },
		{ 303, "See Other" }, { 304, "Not Modified" },
		{ 307, "Temporary Redirect" }, { 308, "Permanent Redirect" },
		{ 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 402, "Payment Required" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 405, "Method Not Allowed" },
		{ 406, "Not Acceptable" }, { 408, "Request Timeout" },
		{ 409, "Conflict" }, { 410, "Gone" },
		{ 411, "Length Required" }, { 412, "Precondition Failed" },
		{ 413, "Content Too Large" }, { 414, "URI Too Long" },
		{ 415, "Unsupported Media Type" },
		{ 422, "Unprocessable Content" }, { 429, "Too Many Requests" },
		{ 451, "Unavailable For Legal Reasons" },
		{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
		{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(reasons); i++)
		if (reasons[i].status == status)
			return reasons[i].text;
	return NULL;
}

char *
fetch_http_date(int64_t t, char *buf, size_t n)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
					 "Fri", "Sat" };
	static const char mons[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
					  "Jun", "Jul", "Aug", "Sep", "Oct",
					  "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm)) {
		snprintf(buf, n, "Thu, 01 Jan 1970 00:00:00 GMT");
		return buf;
	}
	snprintf(buf, n, "%s, %02d %s %04d %02d:%02d:%02d GMT",
		 days[tm.tm_wday % 7], tm.tm_mday, mons[tm.tm_mon % 12],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return buf;
}

char *
fetch_hdr_clean(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	/* CR/LF would let a hostile ETag inject headers; other controls
	 * have no business in a header either. */
	for (; *s; s++)
		if (((unsigned char)*s >= 0x20 && *s != 0x7f) || *s == '\t')
			*o++ = *s;
	*o = '\0';
	return out;
}
