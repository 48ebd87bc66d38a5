/*
 * libcurl, loaded the first time glean calls it (a fetch, a mail, a URL
 * to take apart) instead of at every start. Linked, libcurl and the 26
 * libraries it brings (TLS twice, Kerberos, LDAP, SASL, SSH, RTMP, IDN,
 * PSL, brotli, nghttp2, ...) are mapped and relocated before main() by
 * every glean command: 4.2 ms of CPU and wall of the 7 ms 'glean
 * --version' took, and of every 'glean search' (issue 18: p50 <= 10 ms
 * for the whole command at a million items). A command that never
 * reaches the network (items, show, search, most of the reader) no
 * longer pays it.
 *
 * The rest of src/fetch calls curl_* as it always did; the definitions
 * here forward each call to the library's own, looked up once by
 * lazy_load() (src/base/lazy.c), which libxml2, libcrypto and uchardet
 * share. A library that cannot be loaded stops glean with a message
 * saying which package to install.
 */
#define CURL_DISABLE_TYPECHECK /* plain prototypes for the definitions */
#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>

#include "private.h"
#include "glean/banned.h"

#ifndef CURL_SONAME /* the soname glean was built against */
#define CURL_SONAME "libcurl.so.4"
#endif

/* The functions glean calls, each forwarded to the library's own by
 * LAZY_FWD; the two that take variable arguments are written out below. */
#define CURL_PLAIN(F, V)                                                     \
	F(CURLcode, curl_global_init, (long flags), (flags))                 \
	V(curl_global_cleanup, (void), ())                                   \
	F(CURL *, curl_easy_init, (void), ())                                \
	V(curl_easy_cleanup, (CURL *h), (h))                                 \
	V(curl_easy_reset, (CURL *h), (h))                                   \
	F(CURLcode, curl_easy_perform, (CURL *h), (h))                       \
	F(const char *, curl_easy_strerror, (CURLcode c), (c))               \
	F(CURLM *, curl_multi_init, (void), ())                              \
	F(CURLMcode, curl_multi_cleanup, (CURLM *m), (m))                    \
	F(CURLMcode, curl_multi_add_handle, (CURLM *m, CURL *h), (m, h))     \
	F(CURLMcode, curl_multi_remove_handle, (CURLM *m, CURL *h), (m, h))  \
	F(CURLMcode, curl_multi_perform, (CURLM *m, int *running),           \
	  (m, running))                                                      \
	F(CURLMcode, curl_multi_poll,                                        \
	  (CURLM *m, struct curl_waitfd extra[], unsigned int n,             \
	   int timeout_ms, int *numfds),                                     \
	  (m, extra, n, timeout_ms, numfds))                                 \
	F(CURLMcode, curl_multi_wakeup, (CURLM *m), (m))                     \
	F(CURLMsg *, curl_multi_info_read, (CURLM *m, int *left), (m, left)) \
	F(const char *, curl_multi_strerror, (CURLMcode c), (c))             \
	F(struct curl_slist *, curl_slist_append,                            \
	  (struct curl_slist *l, const char *s), (l, s))                     \
	V(curl_slist_free_all, (struct curl_slist *l), (l))                  \
	F(CURLU *, curl_url, (void), ())                                     \
	V(curl_url_cleanup, (CURLU *u), (u))                                 \
	F(CURLUcode, curl_url_get,                                           \
	  (CURLU *u, CURLUPart what, char **part, unsigned int flags),       \
	  (u, what, part, flags))                                            \
	F(CURLUcode, curl_url_set,                                           \
	  (CURLU *u, CURLUPart what, const char *part, unsigned int flags),  \
	  (u, what, part, flags))                                            \
	F(const char *, curl_url_strerror, (CURLUcode c), (c))               \
	V(curl_free, (void *p), (p))                                         \
	F(time_t, curl_getdate, (const char *p, const time_t *unused),       \
	  (p, unused))
#define CURL_VARARGS(F, V)                                                   \
	F(CURLcode, curl_easy_setopt, (CURL *h, CURLoption opt, ...), ())    \
	F(CURLcode, curl_easy_getinfo, (CURL *h, CURLINFO info, ...), ())
#define CURL_FNS(F, V) CURL_PLAIN(F, V) CURL_VARARGS(F, V)

LAZY_TABLE(curl, CURL_FNS, CURL_SONAME, "libcurl4")
CURL_PLAIN(LAZY_FWD, LAZY_VFWD)

/* The option's number says its argument's type, as in libcurl's own
 * setopt: long, a pointer (data, string, list), a function, an off_t,
 * or a blob pointer. */
CURLcode
curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	const struct curl_fns *f = tab();
	CURLcode rc;
	va_list ap;

	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT) {
		long v = va_arg(ap, long);

		rc = f->curl_easy_setopt(h, opt, v);
	} else if (opt < CURLOPTTYPE_FUNCTIONPOINT) {
		void *v = va_arg(ap, void *);

		rc = f->curl_easy_setopt(h, opt, v);
	} else if (opt < CURLOPTTYPE_OFF_T) {
		curl_write_callback v = va_arg(ap, curl_write_callback);

		rc = f->curl_easy_setopt(h, opt, v);
	} else if (opt < CURLOPTTYPE_BLOB) {
		curl_off_t v = va_arg(ap, curl_off_t);

		rc = f->curl_easy_setopt(h, opt, v);
	} else {
		void *v = va_arg(ap, void *);

		rc = f->curl_easy_setopt(h, opt, v);
	}
	va_end(ap);
	return rc;
}

/* Every CURLINFO takes a pointer to where the value goes. */
CURLcode
curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	CURLcode rc;
	va_list ap;
	void *p;

	va_start(ap, info);
	p = va_arg(ap, void *);
	va_end(ap);
	rc = tab()->curl_easy_getinfo(h, info, p);
	return rc;
}
