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
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "private.h"
#include "glean/banned.h"

#ifndef CURL_SONAME /* the soname glean was built against */
#define CURL_SONAME "libcurl.so.4"
#endif

struct curl_fns {
	CURLcode (*global_init)(long);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	void (*easy_reset)(CURL *);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_cleanup)(CURLM *);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd[], unsigned int,
				int, int *);
	CURLMcode (*multi_wakeup)(CURLM *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	const char *(*multi_strerror)(CURLMcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	CURLU *(*url)(void);
	void (*url_cleanup)(CURLU *);
	CURLUcode (*url_get)(CURLU *, CURLUPart, char **, unsigned int);
	CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
	const char *(*url_strerror)(CURLUcode);
	void (*free)(void *);
	time_t (*getdate)(const char *, const time_t *);
};

/* alone on its page(s), so that page can be made read-only */
static union {
	struct curl_fns f;
	char pad[(sizeof(struct curl_fns) + 4095) / 4096 * 4096];
} tab __attribute__((aligned(4096)));
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* the names of struct curl_fns's members, in its order */
static void
load(void)
{
	static const char *const names[] = {
		"curl_global_init", "curl_global_cleanup", "curl_easy_init",
		"curl_easy_cleanup", "curl_easy_reset", "curl_easy_perform",
		"curl_easy_setopt", "curl_easy_getinfo", "curl_easy_strerror",
		"curl_multi_init", "curl_multi_cleanup",
		"curl_multi_add_handle", "curl_multi_remove_handle",
		"curl_multi_perform", "curl_multi_poll", "curl_multi_wakeup",
		"curl_multi_info_read", "curl_multi_strerror",
		"curl_slist_append", "curl_slist_free_all", "curl_url",
		"curl_url_cleanup", "curl_url_get", "curl_url_set",
		"curl_url_strerror", "curl_free", "curl_getdate",
	};

	_Static_assert(sizeof(names) / sizeof(names[0]) *
			       sizeof(void (*)(void)) ==
		       sizeof(struct curl_fns),
		       "one name for each member of struct curl_fns");
	lazy_load(CURL_SONAME, "libcurl4", names, ARRAY_SIZE(names), &tab,
		  sizeof(tab));
}

static const struct curl_fns *
fns(void)
{
	pthread_once(&once, load);
	return &tab.f;
}

CURLcode
curl_global_init(long flags)
{
	return fns()->global_init(flags);
}

void
curl_global_cleanup(void)
{
	fns()->global_cleanup();
}

CURL *
curl_easy_init(void)
{
	return fns()->easy_init();
}

void
curl_easy_cleanup(CURL *h)
{
	fns()->easy_cleanup(h);
}

void
curl_easy_reset(CURL *h)
{
	fns()->easy_reset(h);
}

CURLcode
curl_easy_perform(CURL *h)
{
	return fns()->easy_perform(h);
}

/* The option's number says its argument's type, as in libcurl's own
 * setopt: long, a pointer (data, string, list), a function, an off_t,
 * or a blob pointer. */
CURLcode
curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	const struct curl_fns *f = fns();
	CURLcode rc;
	va_list ap;

	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT) {
		long v = va_arg(ap, long);

		rc = f->easy_setopt(h, opt, v);
	} else if (opt < CURLOPTTYPE_FUNCTIONPOINT) {
		void *v = va_arg(ap, void *);

		rc = f->easy_setopt(h, opt, v);
	} else if (opt < CURLOPTTYPE_OFF_T) {
		curl_write_callback v = va_arg(ap, curl_write_callback);

		rc = f->easy_setopt(h, opt, v);
	} else if (opt < CURLOPTTYPE_BLOB) {
		curl_off_t v = va_arg(ap, curl_off_t);

		rc = f->easy_setopt(h, opt, v);
	} else {
		void *v = va_arg(ap, void *);

		rc = f->easy_setopt(h, opt, v);
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
	rc = fns()->easy_getinfo(h, info, p);
	return rc;
}

const char *
curl_easy_strerror(CURLcode c)
{
	return fns()->easy_strerror(c);
}

CURLM *
curl_multi_init(void)
{
	return fns()->multi_init();
}

CURLMcode
curl_multi_cleanup(CURLM *m)
{
	return fns()->multi_cleanup(m);
}

CURLMcode
curl_multi_add_handle(CURLM *m, CURL *h)
{
	return fns()->multi_add_handle(m, h);
}

CURLMcode
curl_multi_remove_handle(CURLM *m, CURL *h)
{
	return fns()->multi_remove_handle(m, h);
}

CURLMcode
curl_multi_perform(CURLM *m, int *running)
{
	return fns()->multi_perform(m, running);
}

CURLMcode
curl_multi_poll(CURLM *m, struct curl_waitfd extra[], unsigned int n,
		int timeout_ms, int *numfds)
{
	return fns()->multi_poll(m, extra, n, timeout_ms, numfds);
}

CURLMcode
curl_multi_wakeup(CURLM *m)
{
	return fns()->multi_wakeup(m);
}

CURLMsg *
curl_multi_info_read(CURLM *m, int *left)
{
	return fns()->multi_info_read(m, left);
}

const char *
curl_multi_strerror(CURLMcode c)
{
	return fns()->multi_strerror(c);
}

struct curl_slist *
curl_slist_append(struct curl_slist *l, const char *s)
{
	return fns()->slist_append(l, s);
}

void
curl_slist_free_all(struct curl_slist *l)
{
	fns()->slist_free_all(l);
}

CURLU *
curl_url(void)
{
	return fns()->url();
}

void
curl_url_cleanup(CURLU *u)
{
	fns()->url_cleanup(u);
}

CURLUcode
curl_url_get(CURLU *u, CURLUPart what, char **part, unsigned int flags)
{
	return fns()->url_get(u, what, part, flags);
}

CURLUcode
curl_url_set(CURLU *u, CURLUPart what, const char *part, unsigned int flags)
{
	return fns()->url_set(u, what, part, flags);
}

const char *
curl_url_strerror(CURLUcode c)
{
	return fns()->url_strerror(c);
}

void
curl_free(void *p)
{
	fns()->free(p);
}

time_t
curl_getdate(const char *p, const time_t *unused)
{
	return fns()->getdate(p, unused);
}
