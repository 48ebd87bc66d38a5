/*
 * fetch engine: the only libcurl user in glean. Owns the multi handle,
 * the queue of waiting requests, per-host counters, a pool of idle easy
 * handles and the mapping of curl results to struct err. Does not parse
 * bodies, decide when a source is due or back off: that is seek's job.
 *
 * Queueing. curl's CURLMOPT_MAX_HOST_CONNECTIONS would hold over-limit
 * handles inside the multi, where each still counts against our global
 * limit, so six requests to one slow host could fill the slots meant for
 * sixteen hosts. Instead requests wait here, in one FIFO, and a request
 * is handed to curl only when both the global count and its host's count
 * are below their limits. The scan skips over requests whose host is
 * full, so later requests for other hosts start at once.
 *
 * Reuse. Every easy handle lives in one multi, whose connection cache is
 * shared, so keep-alive connections are reused across requests to the
 * same host. Finished easy handles are curl_easy_reset() and pooled,
 * which also keeps their TLS session cache.
 *
 * Own network. A redirect may not lead a transfer whose first request
 * went to a public address into loopback, link-local or private ranges
 * (fetch_ip_private). The address checked is the one curl connects to,
 * after name resolution: the pre-request callback sees every request,
 * on a new or a reused connection, and the first one decides whether the
 * origin was private; the open-socket callback refuses a later hop's
 * connection before the SYN is sent. A source the user added with a
 * private address (or a name that resolves to one) may go anywhere.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "private.h"
#include "glean/banned.h"

struct xfer;

struct xlist {
	struct xfer *head, *tail;
};

struct xfer {
	struct xfer *prev, *next;
	struct fetch *f;
	struct fetch_req req;   /* points into the owned copies below */
	char *o_url, *o_etag, *o_lm, *o_method, *o_body, *o_ctype;
	char **o_hdrs;
	char *host;             /* "scheme://host:port": the per-host key */
	char *log_url;          /* without userinfo, query and fragment */
	char *file_path;        /* decoded path of a file:// request */
	fetch_done_fn done;
	void *arg;
	CURL *h;
	struct curl_slist *slist;
	struct fetch_resp resp;
	size_t max_body;
	long cur_status;        /* status line of the response being read */
	bool all_permanent;     /* every redirect hop so far was 301/308 */
	bool body_capped, hdr_capped;
	size_t hdr_bytes;
	int nrequests;          /* requests curl started: 1 + redirect hops */
	bool origin_private;    /* the first request went to a private address */
	char refused_ip[INET6_ADDRSTRLEN]; /* a hop refused for its address */
	char reason[64];
	char errbuf[CURL_ERROR_SIZE];
};

struct host {
	char *key;
	size_t active;
};

struct fetch {
	struct fetch_opts o;
	char *user_agent;
	CURLM *multi;
	struct xlist queued;    /* waiting for a slot */
	struct xlist ready;     /* complete without curl: file://, refused */
	struct xlist active;    /* handed to curl */
	struct host *hosts;
	size_t nhosts, hosts_cap;
	CURL **idle;
	size_t nidle;
	struct fetch_progress prog;
	bool in_callback;
	/* GLEAN_TEST_PUBLIC: one loopback address (canonical text) counted
	 * as public, so a test on loopback can play a public server. Only
	 * 127/8 and ::1 are taken: a stray setting never opens the LAN. */
	char test_public[INET6_ADDRSTRLEN];
};

static bool curl_ready;

static void ip_canonical(const char *ip, char *buf, size_t n);

static void
xlist_append(struct xlist *l, struct xfer *x)
{
	x->next = NULL;
	x->prev = l->tail;
	if (l->tail)
		l->tail->next = x;
	else
		l->head = x;
	l->tail = x;
}

static void
xlist_remove(struct xlist *l, struct xfer *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		l->head = x->next;
	if (x->next)
		x->next->prev = x->prev;
	else
		l->tail = x->prev;
	x->prev = x->next = NULL;
}

static struct host *
host_get(struct fetch *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->nhosts; i++)
		if (strcmp(f->hosts[i].key, key) == 0)
			return &f->hosts[i];
	XGROW(f->hosts, f->hosts_cap, f->nhosts + 1);
	f->hosts[f->nhosts].key = xstrdup(key);
	f->hosts[f->nhosts].active = 0;
	return &f->hosts[f->nhosts++];
}

static void
xfer_free(struct xfer *x)
{
	size_t i;

	if (!x)
		return;
	free(x->o_url);
	free(x->o_etag);
	free(x->o_lm);
	free(x->o_method);
	free(x->o_body);
	free(x->o_ctype);
	for (i = 0; x->o_hdrs && x->o_hdrs[i]; i++)
		free(x->o_hdrs[i]);
	free(x->o_hdrs);
	free(x->host);
	free(x->log_url);
	free(x->file_path);
	curl_slist_free_all(x->slist);
	fetch_resp_release(&x->resp);
	free(x);
}

struct fetch *
fetch_new(const struct fetch_opts *o)
{
	struct fetch *f = xcalloc(1, sizeof(*f));
	const char *tp;
	char *ua;

	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			die("cannot initialise libcurl");
		curl_ready = true;
	}
	if (o)
		f->o = *o;
	if (!f->o.max_total)
		f->o.max_total = 16;
	if (!f->o.max_per_host)
		f->o.max_per_host = 2;
	if (f->o.connect_timeout_ms <= 0)
		f->o.connect_timeout_ms = 15000;
	if (f->o.timeout_ms <= 0)
		f->o.timeout_ms = 120000;
	if (f->o.low_speed_limit <= 0)
		f->o.low_speed_limit = 64;
	if (f->o.low_speed_time_s <= 0)
		f->o.low_speed_time_s = 30;
	ua = f->o.user_agent ? xstrdup(f->o.user_agent)
			     : xstrdup("glean/" GLEAN_VERSION);
	f->user_agent = fetch_hdr_clean(ua);
	free(ua);
	f->o.user_agent = f->user_agent;
	if ((tp = getenv("GLEAN_TEST_PUBLIC")) && *tp) {
		ip_canonical(tp, f->test_public, sizeof(f->test_public));
		if (strncmp(f->test_public, "127.", 4) != 0 &&
		    strcmp(f->test_public, "::1") != 0)
			f->test_public[0] = '\0';
	}
	f->multi = curl_multi_init();
	if (!f->multi)
		die("cannot create a curl multi handle");
	f->idle = xcalloc(f->o.max_total, sizeof(*f->idle));
	return f;
}

void
fetch_global_cleanup(void)
{
	if (curl_ready)
		curl_global_cleanup();
	curl_ready = false;
}

/* Strip CR/LF from a copy of s, or NULL for NULL. */
static char *
clean_or_null(const char *s)
{
	return s ? fetch_hdr_clean(s) : NULL;
}

/*
 * Check the URL, find its host key, and decide whether it goes to curl
 * or is served (or refused) without it. Returns -1 with x->resp.err set
 * when the request is refused.
 */
static int
xfer_classify(struct xfer *x)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	char *clean = NULL;
	CURLUcode uc;
	struct err *e = &x->resp.err;
	int rc = -1;

	if (!u)
		die("out of memory");
	uc = curl_url_set(u, CURLUPART_URL, x->req.url,
			  CURLU_NON_SUPPORT_SCHEME);
	if (uc != CURLUE_OK) {
		err_set(e, ERR_USAGE, "invalid URL: %s", curl_url_strerror(uc));
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		err_set(e, ERR_USAGE, "invalid URL: no scheme");
		goto out;
	}
	if (strcasecmp(scheme, "file") == 0) {
		if (!x->req.allow_file) {
			err_set(e, ERR_USAGE,
				"file:// URLs are only allowed for sources "
				"added by hand");
			goto out;
		}
		if (curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
		    *host && strcasecmp(host, "localhost") != 0) {
			err_set(e, ERR_USAGE,
				"file:// URL names another host");
			goto out;
		}
		if (curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) !=
			    CURLUE_OK ||
		    !*path) {
			err_set(e, ERR_USAGE, "invalid file:// URL");
			goto out;
		}
		x->file_path = xstrdup(path);
		x->log_url = xstrdup(x->req.url);
		rc = 0;
		goto out;
	}
	if (strcasecmp(scheme, "http") != 0 &&
	    strcasecmp(scheme, "https") != 0) {
		err_set(e, ERR_USAGE,
			"unsupported URL scheme '%s' (only http and https)",
			scheme);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
		    CURLUE_OK) {
		err_set(e, ERR_USAGE, "invalid URL: no host");
		goto out;
	}
	x->host = xasprintf("%s://%s:%s", scheme, host, port);
	for (char *p = x->host; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	/* Logs get the URL without credentials, query or fragment: paging
	 * and API tokens travel there. */
	curl_url_set(u, CURLUPART_USER, NULL, 0);
	curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
	curl_url_set(u, CURLUPART_QUERY, NULL, 0);
	curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
	if (curl_url_get(u, CURLUPART_URL, &clean, 0) == CURLUE_OK)
		x->log_url = xstrdup(clean);
	else
		x->log_url = xstrdup(x->host);
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(clean);
	curl_url_cleanup(u);
	return rc;
}

static bool
method_ok(const char *m)
{
	if (!*m || strlen(m) > 16)
		return false;
	for (; *m; m++)
		if (*m < 'A' || *m > 'Z')
			return false;
	return true;
}

void
fetch_add(struct fetch *f, const struct fetch_req *req, fetch_done_fn done,
	  void *arg)
{
	struct xfer *x = xcalloc(1, sizeof(*x));
	size_t i, n = 0;

	if (!f || !req || !done)
		BUG("fetch_add without engine, request or callback");
	x->f = f;
	x->done = done;
	x->arg = arg;
	x->all_permanent = true;
	fetch_resp_init(&x->resp);

	/* Own copies, so the caller's strings may die after this call. */
	x->req = *req;
	x->o_url = xstrdup(req->url ? req->url : "");
	x->o_etag = clean_or_null(req->etag);
	x->o_lm = clean_or_null(req->last_modified);
	x->o_method = clean_or_null(req->method);
	x->o_ctype = clean_or_null(req->content_type);
	if (req->body) {
		x->o_body = xmalloc(req->body_len + 1);
		memcpy(x->o_body, req->body, req->body_len);
		x->o_body[req->body_len] = '\0';
	}
	while (req->headers && req->headers[n])
		n++;
	x->o_hdrs = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++)
		x->o_hdrs[i] = fetch_hdr_clean(req->headers[i]);
	x->req.url = x->o_url;
	x->req.etag = x->o_etag;
	x->req.last_modified = x->o_lm;
	x->req.method = x->o_method;
	x->req.body = x->o_body;
	x->req.content_type = x->o_ctype;
	x->req.headers = (const char *const *)x->o_hdrs;
	x->max_body = req->max_body ? req->max_body
		      : req->kind == FETCH_API ? FETCH_API_MAX_BODY
					       : FETCH_FEED_MAX_BODY;
	x->resp.body.max = x->max_body;

	f->prog.total++;
	if (xfer_classify(x) < 0) {
		xlist_append(&f->ready, x);
		return;
	}
	if (x->o_method && !method_ok(x->o_method)) {
		err_set(&x->resp.err, ERR_USAGE, "invalid HTTP method");
		xlist_append(&f->ready, x);
		return;
	}
	for (i = 0; i < n; i++) {
		if (!strchr(x->o_hdrs[i], ':') && !strchr(x->o_hdrs[i], ';')) {
			/* No value in the message: it may be a token. */
			err_set(&x->resp.err, ERR_USAGE,
				"malformed request header (no ':')");
			xlist_append(&f->ready, x);
			return;
		}
	}
	if (x->file_path) {
		xlist_append(&f->ready, x);
		return;
	}
	xlist_append(&f->queued, x);
	f->prog.queued++;
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;

	/* Counted on decoded bytes, so a gzip bomb stops at the cap. */
	x->resp.bytes_received += n;
	x->f->prog.bytes += n;
	if (sbuf_add(&x->resp.body, p, n) < 0) {
		x->body_capped = true;
		return 0;
	}
	return n;
}

/* "HTTP/1.1 301 Moved Permanently": status into x, phrase sanitized. */
static long
parse_status_line(struct xfer *x, const char *p, size_t len)
{
	size_t i = 0, j = 0;
	long st = 0;
	int digits = 0;

	while (i < len && p[i] != ' ')
		i++;
	while (i < len && p[i] == ' ')
		i++;
	while (i < len && p[i] >= '0' && p[i] <= '9' && digits < 3) {
		st = st * 10 + (p[i++] - '0');
		digits++;
	}
	while (i < len && p[i] == ' ')
		i++;
	/* The phrase is remote text bound for an error message. */
	for (; i < len && j < sizeof(x->reason) - 1; i++)
		if (p[i] >= 0x20 && p[i] < 0x7f)
			x->reason[j++] = p[i];
	x->reason[j] = '\0';
	return digits == 3 ? st : 0;
}

static size_t
on_header(char *p, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb, len = n, nl, vs;
	const char *colon;

	while (len && (p[len - 1] == '\r' || p[len - 1] == '\n'))
		len--;
	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* A new response: curl is following the previous one, or it
		 * was 1xx. Remember whether each hop was permanent. */
		if (x->cur_status >= 300 && x->cur_status < 400 &&
		    x->cur_status != 301 && x->cur_status != 308)
			x->all_permanent = false;
		x->cur_status = parse_status_line(x, p, len);
		resp_headers_reset(&x->resp);
		x->hdr_bytes = 0;
		return n;
	}
	if (len == 0)
		return n;
	x->hdr_bytes += len;
	if (x->hdr_bytes > FETCH_MAX_HEADER_BYTES ||
	    x->resp.nhdr >= FETCH_MAX_HEADERS) {
		x->hdr_capped = true;
		return 0;
	}
	if (p[0] == ' ' || p[0] == '\t') {
		vs = 0;
		while (vs < len && (p[vs] == ' ' || p[vs] == '\t'))
			vs++;
		resp_header_continue(&x->resp, p + vs, len - vs);
		return n;
	}
	colon = memchr(p, ':', len);
	if (!colon || colon == p)
		return n;
	nl = (size_t)(colon - p);
	while (nl && (p[nl - 1] == ' ' || p[nl - 1] == '\t'))
		nl--;
	vs = (size_t)(colon - p) + 1;
	while (vs < len && (p[vs] == ' ' || p[vs] == '\t'))
		vs++;
	while (len > vs && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	resp_header_add(&x->resp, p, nl, p + vs, len - vs);
	return n;
}

/* ---- the own-network rule for redirects (see the top) ---- */

static bool
v4_private(const unsigned char *a)
{
	return a[0] == 0 ||                             /* "this network" */
	       a[0] == 10 ||                            /* RFC 1918 */
	       a[0] == 127 ||                           /* loopback */
	       (a[0] == 100 && (a[1] & 0xc0) == 64) ||  /* RFC 6598 CGNAT */
	       (a[0] == 169 && a[1] == 254) ||          /* link-local */
	       (a[0] == 172 && (a[1] & 0xf0) == 16) ||  /* RFC 1918 */
	       (a[0] == 192 && a[1] == 168);            /* RFC 1918 */
}

static bool
v6_private(const unsigned char *a)
{
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };
	static const unsigned char zero[12];

	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
		return v4_private(a + 12);
	return memcmp(a, zero, 12) == 0 ||              /* ::, ::1, ::a.b.c.d */
	       (a[0] & 0xfe) == 0xfc ||                 /* fc00::/7 ULA */
	       (a[0] == 0xfe && (a[1] & 0x80) == 0x80); /* fe80::/10, fec0::/10 */
}

bool
fetch_ip_private(const char *ip)
{
	unsigned char a[16];
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n;

	if (!ip)
		return true;
	if (*ip == '[')
		ip++;
	n = strcspn(ip, "%]");
	if (n >= sizeof(buf))
		return true;
	memcpy(buf, ip, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, a) == 1)
		return v4_private(a);
	if (inet_pton(AF_INET6, buf, a) == 1)
		return v6_private(a);
	return true; /* not an address we can judge: refuse */
}

/* ip in canonical text (what inet_ntop gives) into buf, or "" when it is
 * not an address. */
static void
ip_canonical(const char *ip, char *buf, size_t n)
{
	unsigned char a[16];

	buf[0] = '\0';
	if (inet_pton(AF_INET, ip, a) == 1)
		inet_ntop(AF_INET, a, buf, (socklen_t)n);
	else if (inet_pton(AF_INET6, ip, a) == 1)
		inet_ntop(AF_INET6, a, buf, (socklen_t)n);
}

static bool
addr_private(const struct fetch *f, const char *ip)
{
	char canon[INET6_ADDRSTRLEN];

	if (f->test_public[0]) {
		ip_canonical(ip, canon, sizeof(canon));
		if (strcmp(canon, f->test_public) == 0)
			return false;
	}
	return fetch_ip_private(ip);
}

/* Before each request, on a new or reused connection: the first one
 * decides whether the origin is private; a later one (a redirect hop) to
 * a private address from a public origin is refused. */
static int
on_prereq(void *ud, char *primary_ip, char *local_ip, int primary_port,
	  int local_port)
{
	struct xfer *x = ud;
	bool priv = addr_private(x->f, primary_ip);

	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	if (x->nrequests++ == 0 && !(priv && x->req.public_only)) {
		x->origin_private = priv;
		x->resp.origin_private = priv;
	} else if (priv && !x->origin_private) {
		snprintf(x->refused_ip, sizeof(x->refused_ip), "%s",
			 primary_ip);
		log_debug("%s: redirect to %s refused (reused connection)",
			  x->log_url, primary_ip);
		return CURL_PREREQFUNC_ABORT;
	}
	/* A name with a private and a public address connected to the
	 * public one: what on_opensocket refused is not the reason for
	 * any later failure. */
	x->refused_ip[0] = '\0';
	return CURL_PREREQFUNC_OK;
}

/* Every socket curl opens. A redirect hop's connection to a private
 * address from a public origin never starts; on_prereq covers hops that
 * reuse a connection. The socket is close-on-exec, so no child inherits
 * it. */
static curl_socket_t
on_opensocket(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct xfer *x = ud;
	struct sockaddr_storage ss;
	char ip[INET6_ADDRSTRLEN] = "";
	int fd;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	if ((x->nrequests > 0 || x->req.public_only) && !x->origin_private) {
		memset(&ss, 0, sizeof(ss));
		memcpy(&ss, &a->addr,
		       a->addrlen < sizeof(ss) ? a->addrlen : sizeof(ss));
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET,
				  &((struct sockaddr_in *)&ss)->sin_addr, ip,
				  sizeof(ip));
		else if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6,
				  &((struct sockaddr_in6 *)&ss)->sin6_addr, ip,
				  sizeof(ip));
		if (addr_private(x->f, ip)) {
			snprintf(x->refused_ip, sizeof(x->refused_ip), "%s",
				 ip[0] ? ip : "(unknown)");
			log_debug("%s: redirect to %s refused", x->log_url,
				  x->refused_ip);
			return CURL_SOCKET_BAD;
		}
	}
	fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	return fd < 0 ? CURL_SOCKET_BAD : fd;
}

#define SETOPT(h, opt, val)                                                  \
	do {                                                                 \
		if ((cc = curl_easy_setopt((h), (opt), (val))) != CURLE_OK)  \
			goto out;                                            \
	} while (0)

static struct curl_slist *
slist_add(struct curl_slist *l, const char *line)
{
	struct curl_slist *n = curl_slist_append(l, line);

	if (!n)
		die("out of memory");
	return n;
}

static void
add_header(struct xfer *x, const char *name, const char *value)
{
	char *line = xasprintf("%s: %s", name, value);

	x->slist = slist_add(x->slist, line);
	free(line);
}

/* Configure x->h for x. Returns CURLE_OK or the first failing setopt. */
static CURLcode
xfer_setup(struct fetch *f, struct xfer *x)
{
	CURL *h = x->h;
	const char *m = x->req.method;
	bool has_body = x->req.body != NULL;
	CURLcode cc = CURLE_OK;
	size_t i;

	SETOPT(h, CURLOPT_URL, x->req.url);
	SETOPT(h, CURLOPT_PRIVATE, (void *)x);
	SETOPT(h, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SETOPT(h, CURLOPT_FOLLOWLOCATION, x->req.kind == FETCH_FEED ? 1L : 0L);
	SETOPT(h, CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRS);
	SETOPT(h, CURLOPT_ACCEPT_ENCODING, "");
	SETOPT(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_body);
	SETOPT(h, CURLOPT_CONNECTTIMEOUT_MS, f->o.connect_timeout_ms);
	SETOPT(h, CURLOPT_TIMEOUT_MS, f->o.timeout_ms);
	SETOPT(h, CURLOPT_LOW_SPEED_LIMIT, f->o.low_speed_limit);
	SETOPT(h, CURLOPT_LOW_SPEED_TIME, f->o.low_speed_time_s);
	SETOPT(h, CURLOPT_NOSIGNAL, 1L);
	SETOPT(h, CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(h, CURLOPT_SSL_VERIFYHOST, 2L);
	SETOPT(h, CURLOPT_USERAGENT, f->user_agent);
	SETOPT(h, CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(h, CURLOPT_WRITEDATA, (void *)x);
	SETOPT(h, CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(h, CURLOPT_HEADERDATA, (void *)x);
	SETOPT(h, CURLOPT_ERRORBUFFER, x->errbuf);
	SETOPT(h, CURLOPT_PREREQFUNCTION, on_prereq);
	SETOPT(h, CURLOPT_PREREQDATA, (void *)x);
	SETOPT(h, CURLOPT_OPENSOCKETFUNCTION, on_opensocket);
	SETOPT(h, CURLOPT_OPENSOCKETDATA, (void *)x);

	if (x->req.etag && *x->req.etag)
		add_header(x, "If-None-Match", x->req.etag);
	if (x->req.last_modified && *x->req.last_modified)
		add_header(x, "If-Modified-Since", x->req.last_modified);
	if (has_body && x->req.content_type)
		add_header(x, "Content-Type", x->req.content_type);
	if (has_body) /* no 100-continue round trip */
		x->slist = slist_add(x->slist, "Expect:");
	for (i = 0; x->req.headers[i]; i++)
		x->slist = slist_add(x->slist, x->req.headers[i]);
	if (x->slist)
		SETOPT(h, CURLOPT_HTTPHEADER, x->slist);

	if (!m)
		m = has_body ? "POST" : "GET";
	if (strcmp(m, "GET") == 0) {
		SETOPT(h, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(m, "HEAD") == 0) {
		SETOPT(h, CURLOPT_NOBODY, 1L);
	} else {
		if (strcmp(m, "POST") != 0)
			SETOPT(h, CURLOPT_CUSTOMREQUEST, m);
		if (has_body || strcmp(m, "POST") == 0) {
			SETOPT(h, CURLOPT_POSTFIELDSIZE_LARGE,
			       (curl_off_t)x->req.body_len);
			SETOPT(h, CURLOPT_POSTFIELDS,
			       x->o_body ? x->o_body : "");
		}
	}
out:
	return cc;
}

static void
xfer_start(struct fetch *f, struct xfer *x)
{
	CURLcode cc;
	CURLMcode mc;

	x->h = f->nidle ? f->idle[--f->nidle] : curl_easy_init();
	if (!x->h)
		die("cannot create a curl easy handle");
	cc = xfer_setup(f, x);
	if (cc != CURLE_OK) {
		err_set(&x->resp.err, ERR_USAGE, "cannot set up request: %s",
			curl_easy_strerror(cc));
		goto fail;
	}
	mc = curl_multi_add_handle(f->multi, x->h);
	if (mc != CURLM_OK) {
		err_set(&x->resp.err, ERR_NET, "cannot start transfer: %s",
			curl_multi_strerror(mc));
		goto fail;
	}
	host_get(f, x->host)->active++;
	f->prog.active++;
	xlist_append(&f->active, x);
	log_debug("%s %s", x->req.method ? x->req.method : "GET", x->log_url);
	return;
fail:
	curl_easy_cleanup(x->h);
	x->h = NULL;
	xlist_append(&f->ready, x);
}

/* Hand waiting requests to curl while there are slots (see the top). */
static void
fetch_schedule(struct fetch *f)
{
	struct xfer *x = f->queued.head, *next;

	for (; x && f->prog.active < f->o.max_total; x = next) {
		next = x->next;
		if (host_get(f, x->host)->active >= f->o.max_per_host)
			continue;
		xlist_remove(&f->queued, x);
		f->prog.queued--;
		xfer_start(f, x);
	}
}

static void
fmt_ms(char *buf, size_t n, long ms)
{
	if (ms % 1000 == 0)
		snprintf(buf, n, "%ld s", ms / 1000);
	else
		snprintf(buf, n, "%ld ms", ms);
}

/* Turn a failed curl transfer into a short, stable message. */
static void
xfer_curl_error(struct fetch *f, struct xfer *x, CURLcode cc)
{
	struct err *e = &x->resp.err;
	curl_off_t connect_us = 0, clen = -1;
	long oserr = 0;
	char t[32];

	curl_easy_getinfo(x->h, CURLINFO_CONNECT_TIME_T, &connect_us);
	curl_easy_getinfo(x->h, CURLINFO_OS_ERRNO, &oserr);
	if (x->refused_ip[0]) {
		/* ERR_LIMIT: a rule, not a network fault (add refuses). */
		err_set(e, ERR_LIMIT, "%s a private address %s; glean does "
			"not follow a feed into your own network",
			x->req.public_only && x->nrequests <= 1
				? "a public page links to" : "redirected to",
			x->refused_ip);
		return;
	}
	switch (cc) {
	case CURLE_WRITE_ERROR:
		if (x->body_capped)
			err_set(e, ERR_LIMIT, "response larger than %zu bytes",
				x->max_body);
		else if (x->hdr_capped)
			err_set(e, ERR_LIMIT, "response headers too large");
		else
			err_set(e, ERR_NET, "cannot store response");
		break;
	case CURLE_FILESIZE_EXCEEDED:
		err_set(e, ERR_LIMIT, "response larger than %zu bytes",
			x->max_body);
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		err_set(e, ERR_LIMIT, "too many redirects (%d)",
			FETCH_MAX_REDIRS);
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* ERR_LIMIT: the server's doing, not an outage (add refuses) */
		err_set(e, ERR_LIMIT,
			"redirected to a URL that is not http(s)");
		break;
	case CURLE_OPERATION_TIMEDOUT:
		if (strstr(x->errbuf, "too slow")) {
			err_set(e, ERR_LIMIT,
				"too slow: under %ld bytes/s for %ld s",
				f->o.low_speed_limit, f->o.low_speed_time_s);
		} else if (connect_us == 0) {
			fmt_ms(t, sizeof(t), f->o.connect_timeout_ms);
			err_set(e, ERR_NET, "connection timed out after %s", t);
		} else {
			fmt_ms(t, sizeof(t), f->o.timeout_ms);
			err_set(e, ERR_NET, "timed out after %s", t);
		}
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		err_set(e, ERR_NET, "cannot resolve host");
		break;
	case CURLE_COULDNT_CONNECT:
		if (oserr == ECONNREFUSED)
			err_set(e, ERR_NET, "connection refused");
		else if (oserr == ENETUNREACH)
			err_set(e, ERR_NET, "network unreachable");
		else if (oserr == EHOSTUNREACH)
			err_set(e, ERR_NET, "host unreachable");
		else
			err_set(e, ERR_NET, "cannot connect");
		break;
	case CURLE_GOT_NOTHING:
		err_set(e, ERR_NET, "server closed the connection without "
				    "a response");
		break;
	case CURLE_PARTIAL_FILE:
		curl_easy_getinfo(x->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
				  &clen);
		if (clen >= 0)
			err_set(e, ERR_NET,
				"response truncated (%zu of %lld bytes)",
				x->resp.bytes_received, (long long)clen);
		else
			err_set(e, ERR_NET, "response truncated");
		break;
	case CURLE_RECV_ERROR:
		err_set(e, ERR_NET, oserr == ECONNRESET ? "connection reset"
							: "receive failed");
		break;
	case CURLE_BAD_CONTENT_ENCODING:
		err_set(e, ERR_NET, "cannot decode compressed response");
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		err_set(e, ERR_NET, "TLS certificate not trusted for this "
				    "host");
		break;
	case CURLE_SSL_CONNECT_ERROR:
		err_set(e, ERR_NET, "TLS handshake failed");
		break;
	default:
		err_set(e, ERR_NET, "%s", curl_easy_strerror(cc));
		break;
	}
}

/* Fill x->resp from a transfer curl finished, and recycle its handle. */
static void
xfer_finish(struct fetch *f, struct xfer *x, CURLcode cc)
{
	struct fetch_resp *r = &x->resp;
	struct host *hs = host_get(f, x->host);
	const char *reason;
	char *eff = NULL;
	long status = 0, redirs = 0, reqsize = 0;

	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->h, CURLINFO_REQUEST_SIZE, &reqsize);
	r->request_sent = reqsize > 0;
	curl_easy_getinfo(x->h, CURLINFO_REDIRECT_COUNT, &redirs);
	curl_easy_getinfo(x->h, CURLINFO_EFFECTIVE_URL, &eff);
	r->status = status;
	r->redirects = (int)redirs;
	r->effective_url = xstrdup(eff ? eff : x->req.url);
	/* A 304 after a permanent redirect still moves the source. */
	if (redirs > 0 && x->all_permanent && cc == CURLE_OK &&
	    ((status >= 200 && status < 300) || status == 304))
		r->permanent_url = xstrdup(r->effective_url);
	resp_derive(r, time_now());

	if (cc != CURLE_OK) {
		xfer_curl_error(f, x, cc);
	} else if (!(status >= 200 && status < 300) && status != 304) {
		reason = fetch_reason(status);
		if (!reason && x->reason[0])
			reason = x->reason;
		err_set(&r->err, ERR_HTTP, "HTTP %ld%s%s", status,
			reason ? " " : "", reason ? reason : "");
	}
	if (status == 304)
		sbuf_reset(&r->body);
	log_debug("%s -> %ld, %zu bytes%s%s", x->log_url, status,
		  r->bytes_received, r->err.code ? ": " : "", r->err.msg);

	curl_multi_remove_handle(f->multi, x->h);
	if (f->nidle < f->o.max_total) {
		curl_easy_reset(x->h);
		f->idle[f->nidle++] = x->h;
	} else {
		curl_easy_cleanup(x->h);
	}
	x->h = NULL;
	xlist_remove(&f->active, x);
	hs->active--;
	f->prog.active--;
}

/* Run x's callback, then free it. */
static void
xfer_complete(struct fetch *f, struct xfer *x)
{
	f->prog.done++;
	if (x->resp.err.code != ERR_OK)
		f->prog.failed++;
	f->in_callback = true;
	x->done(&x->req, &x->resp, x->arg);
	f->in_callback = false;
	xfer_free(x);
}

/* Complete requests that never reach curl. Returns how many ran. */
static size_t
drain_ready(struct fetch *f)
{
	struct xlist batch = f->ready;
	struct xfer *x;
	size_t n = 0;

	/* Only this batch: callbacks may add more for the next step. */
	f->ready.head = f->ready.tail = NULL;
	while ((x = batch.head)) {
		xlist_remove(&batch, x);
		if (x->file_path && x->resp.err.code == ERR_OK) {
			fetch_file(x->file_path, &x->req, x->max_body,
				   &x->resp);
			x->resp.effective_url = xstrdup(x->req.url);
			log_debug("%s -> %ld, %zu bytes", x->log_url,
				  x->resp.status, x->resp.bytes_received);
		}
		xfer_complete(f, x);
		n++;
	}
	return n;
}

/* Collect transfers curl finished and run their callbacks. */
static size_t
drain_done(struct fetch *f)
{
	CURLMsg *msg;
	int left;
	size_t n = 0;

	while ((msg = curl_multi_info_read(f->multi, &left))) {
		struct xfer *x = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
				  (char **)&x);
		if (!x)
			BUG("curl transfer without its request");
		xfer_finish(f, x, msg->data.result);
		/* Start a waiting request before the callback parses. */
		fetch_schedule(f);
		xfer_complete(f, x);
		n++;
	}
	return n;
}

static size_t
pending(const struct fetch *f)
{
	size_t n = f->prog.queued + f->prog.active;
	const struct xfer *x;

	for (x = f->ready.head; x; x = x->next)
		n++;
	return n;
}

size_t
fetch_step(struct fetch *f, int timeout_ms)
{
	int running = 0;
	size_t did;

	if (f->in_callback)
		BUG("fetch_step called from a fetch callback");
	fetch_schedule(f);
	did = drain_ready(f);
	fetch_schedule(f);
	curl_multi_perform(f->multi, &running);
	did += drain_done(f);
	if (!did && f->active.head && timeout_ms > 0) {
		curl_multi_poll(f->multi, NULL, 0, timeout_ms, NULL);
		curl_multi_perform(f->multi, &running);
		drain_done(f);
	}
	fetch_schedule(f);
	return pending(f);
}

void
fetch_wakeup(struct fetch *f)
{
	curl_multi_wakeup(f->multi);
}

void
fetch_get_progress(const struct fetch *f, struct fetch_progress *p)
{
	*p = f->prog;
}

void
fetch_run(struct fetch *f, fetch_progress_fn progress, void *arg)
{
	struct fetch_progress last = { 0 };
	bool first = true;
	size_t left;

	do {
		left = fetch_step(f, 1000);
		if (progress && (first || memcmp(&last, &f->prog,
						 sizeof(last)) != 0)) {
			last = f->prog;
			first = false;
			progress(&last, arg);
		}
	} while (left > 0);
}

static void
free_list(struct fetch *f, struct xlist *l)
{
	struct xfer *x;

	while ((x = l->head)) {
		xlist_remove(l, x);
		if (x->h) {
			curl_multi_remove_handle(f->multi, x->h);
			curl_easy_cleanup(x->h);
		}
		xfer_free(x);
	}
}

void
fetch_free(struct fetch *f)
{
	size_t i;

	if (!f)
		return;
	if (f->in_callback)
		BUG("fetch_free called from a fetch callback");
	free_list(f, &f->active);
	free_list(f, &f->queued);
	free_list(f, &f->ready);
	for (i = 0; i < f->nidle; i++)
		curl_easy_cleanup(f->idle[i]);
	free(f->idle);
	curl_multi_cleanup(f->multi);
	for (i = 0; i < f->nhosts; i++)
		free(f->hosts[i].key);
	free(f->hosts);
	free(f->user_agent);
	free(f);
}

static void
one_done(const struct fetch_req *req, struct fetch_resp *resp, void *arg)
{
	(void)req;
	fetch_resp_take(arg, resp);
}

int
fetch_one(const struct fetch_opts *o, const struct fetch_req *req,
	  struct fetch_resp *resp, struct err *e)
{
	struct fetch *f = fetch_new(o);

	fetch_resp_init(resp);
	fetch_add(f, req, one_done, resp);
	fetch_run(f, NULL, NULL);
	fetch_free(f);
	if (resp->err.code == ERR_OK)
		return 0;
	if (e)
		*e = resp->err;
	return -1;
}
