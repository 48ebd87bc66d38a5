/*
 * Shared between the files of src/fetch only: response helpers (resp.c)
 * and the file:// reader (file.c). Nothing outside src/fetch includes it.
 */
#ifndef GLEAN_FETCH_PRIVATE_H
#define GLEAN_FETCH_PRIVATE_H

#include "glean/fetch.h"

/* Caps on what a server may make us keep of its response headers. */
#define FETCH_MAX_HEADERS 256
#define FETCH_MAX_HEADER_BYTES ((size_t)256 << 10)
#define FETCH_MAX_RETRY_AFTER ((int64_t)24 * 3600)

/* Append one header to r (copies name and value). */
void resp_header_add(struct fetch_resp *r, const char *name, size_t nlen,
		     const char *value, size_t vlen);
/* Append to the last header's value (an obs-fold continuation line). */
void resp_header_continue(struct fetch_resp *r, const char *value,
			  size_t vlen);
/* Drop all headers (a new response started: redirect or 1xx). */
void resp_headers_reset(struct fetch_resp *r);
/* Fill etag, last_modified, content_type, content_location, retry_after
 * and max_age from the headers. now is the current epoch time. */
void resp_derive(struct fetch_resp *r, int64_t now);

/* Parse a Retry-After value (delta seconds or HTTP-date); -1 on junk. */
int64_t fetch_parse_retry_after(const char *v, int64_t now);
/* max-age from a Cache-Control value; -1 if absent or junk. */
int64_t fetch_parse_max_age(const char *v);
/* The standard reason phrase for status, or NULL. */
const char *fetch_reason(long status);
/* Format t as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"),
 * locale-independent; buf holds at least 30 bytes. */
char *fetch_http_date(int64_t t, char *buf, size_t n);
/* A copy of s without CR, LF and other C0 controls except tab. */
char *fetch_hdr_clean(const char *s);

/* Serve a file:// request directly (not via curl) into resp: 200, 304
 * when req->last_modified matches the mtime, 404/ERR_NOTFOUND if missing,
 * ERR_LIMIT past max_body. */
void fetch_file(const char *path, const struct fetch_req *req,
		size_t max_body, struct fetch_resp *resp);

#endif
