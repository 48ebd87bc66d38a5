/*
 * fetch: the engine against tests/lib/httpd.py on loopback (started and
 * stopped here), plus file:// and refused URLs. No real network. Checks
 * never depend on timing: concurrency is read from the engine's own
 * counters and from the server's in-flight count in its request log.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "glean/base.h"
#include "glean/fetch.h"
#include "check.h"
#include "glean/banned.h"

extern char **environ;

static pid_t srv_pid = -1;
static char tmpdir[] = "/tmp/glean-test-fetch.XXXXXX";
static char *port_file, *req_log, *glean_log, *srcdir;
static char base[64], base_lh[64];

static char *
slurp(const char *path)
{
	struct sbuf sb = SBUF_INIT;
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return xstrdup("");
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		sbuf_add(&sb, chunk, (size_t)n);
	close(fd);
	return sbuf_detach(&sb, NULL);
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int
server_start(void)
{
	char *script, *dir, *port;
	char *argv[9];
	int64_t p = 0;
	int i;

	if (!mkdtemp(tmpdir))
		return -1;
	port_file = xasprintf("%s/port", tmpdir);
	req_log = xasprintf("%s/requests.jsonl", tmpdir);
	glean_log = xasprintf("%s/glean.log", tmpdir);
	script = xasprintf("%s/tests/lib/httpd.py", srcdir);
	dir = xasprintf("%s/tests/data/fetch", srcdir);
	argv[0] = "python3";
	argv[1] = script;
	argv[2] = "--dir";
	argv[3] = dir;
	argv[4] = "--port-file";
	argv[5] = port_file;
	argv[6] = "--log";
	argv[7] = req_log;
	argv[8] = NULL;
	i = posix_spawnp(&srv_pid, "python3", NULL, NULL, argv, environ);
	free(script);
	free(dir);
	if (i != 0) {
		srv_pid = -1;
		return -1;
	}
	for (i = 0; i < 500 && p == 0; i++) { /* up to 10 s */
		port = slurp(port_file);
		if (*port && str_to_i64(str_trim(port), &p) < 0)
			p = 0;
		free(port);
		if (p == 0)
			nap_ms(20);
	}
	if (p == 0)
		return -1;
	snprintf(base, sizeof(base), "http://127.0.0.1:%lld", (long long)p);
	snprintf(base_lh, sizeof(base_lh), "http://localhost:%lld",
		 (long long)p);
	return 0;
}

static void
server_stop(void)
{
	if (srv_pid > 0) {
		kill(srv_pid, SIGTERM);
		waitpid(srv_pid, NULL, 0);
	}
	unlink(port_file);
	unlink(req_log);
	unlink(glean_log);
	rmdir(tmpdir);
	free(port_file);
	free(req_log);
	free(glean_log);
}

/* ---- the request log: one JSON object per line ---- */

/* Does some logged request contain both a and b (b may be NULL)? */
static bool
log_has(const char *a, const char *b)
{
	char *all = slurp(req_log), *line = all, *nl;
	bool found = false;

	while (!found && (nl = strchr(line, '\n'))) {
		*nl = '\0';
		found = strstr(line, a) && (!b || strstr(line, b));
		line = nl + 1;
	}
	free(all);
	return found;
}

/* Count requests whose line contains a and b, and the highest
 * "inflight" among them. */
static int
log_scan(const char *a, const char *b, long long *max_inflight)
{
	char *all = slurp(req_log), *line, *nl, *p;
	int n = 0;

	*max_inflight = 0;
	for (line = all; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		if (!strstr(line, a) || !strstr(line, b))
			continue;
		n++;
		p = strstr(line, "\"inflight\":");
		if (p) {
			long long v = strtoll(p + 11, NULL, 10);

			if (v > *max_inflight)
				*max_inflight = v;
		}
	}
	free(all);
	return n;
}

/* ---- running requests ---- */

struct got {
	int calls;
	void *user;
	struct fetch_resp resp;
};

static void
on_done(const struct fetch_req *req, struct fetch_resp *resp, void *arg)
{
	struct got *g = arg;

	g->calls++;
	g->user = req->user;
	fetch_resp_release(&g->resp);
	fetch_resp_take(&g->resp, resp);
}

/* Run req alone on an engine with options o (NULL: defaults). */
static void
run(const struct fetch_opts *o, const struct fetch_req *req, struct got *g)
{
	struct fetch *f = fetch_new(o);

	g->calls = 0;
	fetch_add(f, req, on_done, g);
	fetch_run(f, NULL, NULL);
	fetch_free(f);
}

static char *
url(const char *path)
{
	return xasprintf("%s%s", base, path);
}

static void
test_empty(void)
{
	struct fetch_resp r;

	TEST("empty");
	fetch_resp_init(&r);
	CHECK(fetch_resp_header(NULL, "x") == NULL);
	CHECK(fetch_resp_header(&r, NULL) == NULL);
	CHECK(fetch_resp_header(&r, "ETag") == NULL);
	CHECK(r.body.buf != NULL && r.body.len == 0);
	CHECK_INT(r.retry_after, -1);
	CHECK_INT(r.max_age, -1);
	fetch_resp_release(&r);
	fetch_resp_release(&r);
	fetch_free(NULL);
	{
		struct fetch *f = fetch_new(NULL);

		CHECK_INT(fetch_step(f, 0), 0);
		fetch_run(f, NULL, NULL);
		fetch_free(f);
	}
}

static void
test_basic(void)
{
	struct fetch_req req = { 0 };
	struct got g = { 0 };
	char *u = url("/hello.txt");
	char *etag, *lm;
	int marker;

	fetch_resp_init(&g.resp);
	TEST("200 with body");
	req.url = u;
	req.user = &marker;
	run(NULL, &req, &g);
	CHECK_INT(g.calls, 1);
	CHECK(g.user == &marker);
	CHECK_INT(g.resp.err.code, ERR_OK);
	CHECK_INT(g.resp.status, 200);
	CHECK_STR(g.resp.body.buf, "hello world\n");
	CHECK_INT(g.resp.body.len, 12);
	CHECK_INT(g.resp.bytes_received, 12);
	CHECK_STR(g.resp.content_type, "text/plain");
	CHECK_STR(g.resp.effective_url, u);
	CHECK(g.resp.permanent_url == NULL);
	CHECK_INT(g.resp.redirects, 0);
	CHECK_INT(g.resp.retry_after, -1);
	CHECK_INT(g.resp.max_age, -1);
	CHECK(g.resp.etag != NULL && g.resp.etag[0] == '"');
	CHECK(g.resp.last_modified != NULL);
	CHECK(log_has("\"path\":\"/hello.txt\"", "\"User-Agent\":\"glean/"));
	CHECK(log_has("\"path\":\"/hello.txt\"", "\"Accept-Encoding\":"));

	TEST("304 with If-None-Match");
	etag = xstrdup(g.resp.etag);
	lm = xstrdup(g.resp.last_modified);
	req.etag = etag;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_OK);
	CHECK_INT(g.resp.status, 304);
	CHECK_INT(g.resp.body.len, 0);
	CHECK(log_has("\"path\":\"/hello.txt\"", "\"If-None-Match\":\"\\\""));

	TEST("304 with If-Modified-Since");
	req.etag = NULL;
	req.last_modified = lm;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.status, 304);
	CHECK(log_has("\"path\":\"/hello.txt\"", "\"If-Modified-Since\":"));

	TEST("stale validator gets 200");
	req.etag = "\"nope\"";
	req.last_modified = NULL;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.status, 200);
	CHECK_STR(g.resp.body.buf, "hello world\n");

	TEST("fetch_one");
	{
		struct fetch_resp r;
		struct err e = { 0 };
		struct fetch_req one = { 0 };

		one.url = u;
		CHECK_INT(fetch_one(NULL, &one, &r, &e), 0);
		CHECK_STR(r.body.buf, "hello world\n");
		fetch_resp_release(&r);
		free(u);
		u = url("/nope");
		one.url = u;
		CHECK_INT(fetch_one(NULL, &one, &r, &e), -1);
		CHECK_INT(e.code, ERR_HTTP);
		CHECK_STR(e.msg, "HTTP 404 Not Found");
		CHECK_INT(r.status, 404);
		fetch_resp_release(&r);
	}
	free(etag);
	free(lm);
	free(u);
	fetch_resp_release(&g.resp);
}

static void
test_gzip(void)
{
	struct fetch_req req = { 0 };
	struct got g = { 0 };
	char *u = url("/gz.xml"), *path, *want;

	TEST("gzip decoded");
	fetch_resp_init(&g.resp);
	path = xasprintf("%s/tests/data/fetch/gz.xml", srcdir);
	want = slurp(path);
	req.url = u;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.status, 200);
	CHECK_STR(fetch_resp_header(&g.resp, "content-encoding"), "gzip");
	CHECK_INT(g.resp.body.len, strlen(want));
	CHECK(strcmp(g.resp.body.buf, want) == 0);
	CHECK(log_has("\"path\":\"/gz.xml\"", "gzip"));
	free(u);
	free(path);
	free(want);

	TEST("gzip bomb capped");
	u = url("/hostile/gzip-bomb?mb=32");
	req.url = u;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_LIMIT);
	CHECK_STR(g.resp.err.msg, "response larger than 16777216 bytes");
	CHECK(g.resp.body.len <= FETCH_FEED_MAX_BODY);
	CHECK(g.resp.bytes_received < ((size_t)32 << 20));
	free(u);
	fetch_resp_release(&g.resp);
}

static void
test_redirects(void)
{
	struct fetch_req req = { 0 };
	struct got g = { 0 };
	char *u = url("/r/p1"), *dest = url("/hello.txt");

	fetch_resp_init(&g.resp);
	TEST("301+308 chain sets permanent_url");
	req.url = u;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_OK);
	CHECK_INT(g.resp.status, 200);
	CHECK_INT(g.resp.redirects, 2);
	CHECK_STR(g.resp.body.buf, "hello world\n");
	CHECK_STR(g.resp.effective_url, dest);
	CHECK_STR(g.resp.permanent_url, dest);

	TEST("301+308 then 304 still sets permanent_url");
	{
		char *etag = xstrdup(g.resp.etag ? g.resp.etag : "");

		req.etag = etag;
		run(NULL, &req, &g);
		CHECK_INT(g.resp.err.code, ERR_OK);
		CHECK_INT(g.resp.status, 304);
		CHECK_STR(g.resp.permanent_url, dest);
		req.etag = NULL;
		free(etag);
	}
	free(u);

	TEST("302 is not permanent");
	u = url("/r/t1");
	req.url = u;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.status, 200);
	CHECK_INT(g.resp.redirects, 1);
	CHECK_STR(g.resp.effective_url, dest);
	CHECK(g.resp.permanent_url == NULL);
	free(u);

	TEST("301 then 302 is not permanent");
	u = url("/r/mixed");
	req.url = u;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.status, 200);
	CHECK_INT(g.resp.redirects, 2);
	CHECK(g.resp.permanent_url == NULL);
	free(u);

	TEST("redirect loop");
	u = url("/hostile/redirect-loop");
	req.url = u;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_LIMIT);
	CHECK_STR(g.resp.err.msg, "too many redirects (5)");
	CHECK(g.resp.permanent_url == NULL);
	free(u);

	TEST("redirect to file:// refused");
	u = url("/hostile/redirect-file");
	req.url = u;
	req.allow_file = true; /* the redirect still may not use it */
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_LIMIT); /* not an outage: add refuses */
	CHECK(strstr(g.resp.err.msg, "not http(s)") != NULL);
	CHECK(strstr(g.resp.body.buf, "root:") == NULL);
	req.allow_file = false;
	free(u);

	TEST("API kind does not follow");
	u = url("/r/p1");
	req.url = u;
	req.kind = FETCH_API;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.status, 301);
	CHECK_INT(g.resp.err.code, ERR_HTTP);
	CHECK_STR(g.resp.err.msg, "HTTP 301 Moved Permanently");
	CHECK_INT(g.resp.redirects, 0);
	CHECK(g.resp.permanent_url == NULL);
	CHECK(strstr(fetch_resp_header(&g.resp, "location"), "/r/p2") != NULL);
	free(u);
	free(dest);
	fetch_resp_release(&g.resp);
}

/* The own-network rule: which addresses count as the user's network. */
static void
test_ip_private(void)
{
	static const struct {
		const char *ip;
		bool priv;
	} t[] = {
		{ "127.0.0.1", true }, { "127.255.255.254", true },
		{ "10.0.0.5", true }, { "10.255.255.255", true },
		{ "172.16.0.1", true }, { "172.31.255.255", true },
		{ "172.15.255.255", false }, { "172.32.0.1", false },
		{ "192.168.1.1", true }, { "192.169.0.1", false },
		{ "169.254.169.254", true }, { "169.253.0.1", false },
		{ "0.0.0.0", true }, { "0.1.2.3", true },
		{ "100.64.0.1", true }, { "100.127.255.255", true },
		{ "100.63.255.255", false }, { "100.128.0.1", false },
		{ "8.8.8.8", false }, { "93.184.216.34", false },
		{ "11.0.0.1", false }, { "128.0.0.1", false },
		{ "::1", true }, { "::", true }, { "[::1]", true },
		{ "fc00::1", true }, { "fdff:ffff::1", true },
		{ "fe00::1", false }, { "fe80::1", true },
		{ "fe80::1%eth0", true }, { "febf::1", true },
		{ "fec0::1", true }, { "ff02::1", false },
		{ "2001:db8::1", false }, { "2606:4700::1111", false },
		{ "::ffff:127.0.0.1", true }, { "::ffff:10.0.0.5", true },
		{ "::ffff:192.168.0.1", true }, { "::ffff:7f00:1", true },
		{ "::ffff:8.8.8.8", false }, { "::ffff:169.254.1.1", true },
		{ "64:ff9b::10.0.0.5", true }, { "64:ff9b::8.8.8.8", false },
		{ "::10.0.0.5", true },
		{ "", true }, { "localhost", true }, { "10.0.0", true },
		{ "1.2.3.4.5", true }, { NULL, true },
	};
	size_t i;
	char name[64];

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(name, sizeof(name), "fetch_ip_private(%s)",
			 t[i].ip ? t[i].ip : "NULL");
		TEST(name);
		CHECK(fetch_ip_private(t[i].ip) == t[i].priv);
	}
}

/* A redirect from a public first address into the own network is
 * refused; GLEAN_TEST_PUBLIC makes the loopback server play a public
 * one. */
static void
test_own_network(void)
{
	static const struct {
		const char *path, *ip;
	} refused[] = {
		{ "/r/own-lo2", "127.0.0.2" },
		{ "/r/own-hop", "127.0.0.2" }, /* public hop, then private */
		{ "/r/own-mapped", "::ffff:10.0.0.5" },
		{ "/r/own-metadata", "169.254.169.254" },
	};
	struct fetch_req req = { 0 };
	struct got g = { 0 };
	char *u, want[256];
	size_t i;

	fetch_resp_init(&g.resp);
	setenv("GLEAN_TEST_PUBLIC", "127.0.0.1", 1);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		TEST(refused[i].path);
		u = url(refused[i].path);
		req.url = u;
		run(NULL, &req, &g);
		free(u);
		snprintf(want, sizeof(want), "redirected to a private "
			 "address %s; glean does not follow a feed into your "
			 "own network", refused[i].ip);
		CHECK_INT(g.resp.err.code, ERR_LIMIT);
		CHECK_STR(g.resp.err.msg, want);
		CHECK(g.resp.permanent_url == NULL);
	}
	TEST("refused hops never reached a server");
	CHECK(!log_has("own-net-lo2", NULL));

	TEST("a public origin may redirect to a public address");
	u = url("/r/t1");
	req.url = u;
	run(NULL, &req, &g);
	free(u);
	CHECK_INT(g.resp.err.code, ERR_OK);
	CHECK_INT(g.resp.redirects, 1);

	TEST("a first request to a private address is the user's choice");
	u = xasprintf("%s/hello.txt?own-net-direct", base_lh);
	req.url = u;
	run(NULL, &req, &g);
	free(u);
	CHECK_INT(g.resp.err.code, ERR_OK);
	CHECK(log_has("own-net-direct", NULL));

	TEST("a private origin may redirect anywhere");
	unsetenv("GLEAN_TEST_PUBLIC");
	u = url("/r/own-name");
	req.url = u;
	run(NULL, &req, &g);
	free(u);
	CHECK_INT(g.resp.err.code, ERR_OK);
	CHECK_STR(g.resp.body.buf, "hello world\n");
	CHECK(log_has("own-net-name", NULL));
	fetch_resp_release(&g.resp);
}

static void
test_caps(void)
{
	struct fetch_req req = { 0 };
	struct got g = { 0 };
	char *u = url("/hello.txt");

	fetch_resp_init(&g.resp);
	TEST("body cap (Content-Length)");
	req.url = u;
	req.max_body = 5;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_LIMIT);
	CHECK_STR(g.resp.err.msg, "response larger than 5 bytes");
	CHECK(g.resp.body.len <= 5);
	free(u);

	TEST("body cap (endless, no length)");
	u = url("/hostile/endless");
	req.url = u;
	req.max_body = 1 << 20;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_LIMIT);
	CHECK_STR(g.resp.err.msg, "response larger than 1048576 bytes");
	CHECK(g.resp.body.len <= (1 << 20));
	CHECK_INT(g.resp.status, 200);
	free(u);
	req.max_body = 0;

	TEST("huge title within the cap");
	u = url("/hostile/huge-title?mb=1");
	req.url = u;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_OK);
	CHECK(g.resp.body.len > ((size_t)2 << 20));
	free(u);

	TEST("header flood capped");
	u = url("/hostile/many-headers?n=1000");
	req.url = u;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_LIMIT);
	CHECK_STR(g.resp.err.msg, "response headers too large");
	free(u);
	fetch_resp_release(&g.resp);
}

/* An unused loopback port: bind to 0, read it back, close. */
static int
dead_port(void)
{
	struct sockaddr_in sa = { 0 };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static void
test_errors(void)
{
	struct fetch_opts o = { 0 };
	struct fetch_req req = { 0 };
	struct got g = { 0 };
	char *u;

	fetch_resp_init(&g.resp);
	TEST("404");
	u = url("/hostile/404");
	req.url = u;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.status, 404);
	CHECK_INT(g.resp.err.code, ERR_HTTP);
	CHECK_STR(g.resp.err.msg, "HTTP 404 Not Found");
	CHECK_STR(g.resp.body.buf, "Not Found\n");
	free(u);

	TEST("500");
	u = url("/hostile/500");
	req.url = u;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.status, 500);
	CHECK_STR(g.resp.err.msg, "HTTP 500 Internal Server Error");
	free(u);

	TEST("unknown status keeps the server's phrase");
	u = url("/hostile/418");
	req.url = u;
	run(NULL, &req, &g);
	CHECK_STR(g.resp.err.msg, "HTTP 418 I'm a Teapot");
	free(u);

	TEST("connection refused");
	u = xasprintf("http://127.0.0.1:%d/", dead_port());
	req.url = u;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.status, 0);
	CHECK_INT(g.resp.err.code, ERR_NET);
	CHECK_STR(g.resp.err.msg, "connection refused");
	free(u);

	TEST("truncated");
	u = url("/hostile/truncated");
	req.url = u;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_NET);
	CHECK_STR(g.resp.err.msg, "response truncated (10 of 1000 bytes)");
	free(u);

	TEST("closed without a response");
	u = url("/hostile/close");
	req.url = u;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_NET);
	CHECK_STR(g.resp.err.msg,
		  "server closed the connection without a response");
	free(u);

	TEST("timeout");
	o.timeout_ms = 1000;
	u = url("/hostile/timeout?s=5");
	req.url = u;
	run(&o, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_NET);
	CHECK_STR(g.resp.err.msg, "timed out after 1 s");
	free(u);

	TEST("too slow");
	o.timeout_ms = 0;
	o.low_speed_limit = 1000;
	o.low_speed_time_s = 1;
	u = url("/hostile/slow-drip?bytes=20&interval_ms=300");
	req.url = u;
	run(&o, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_LIMIT);
	CHECK_STR(g.resp.err.msg, "too slow: under 1000 bytes/s for 1 s");
	free(u);
	fetch_resp_release(&g.resp);
}

static void
test_refused(void)
{
	struct fetch_req req = { 0 };
	struct got g = { 0 };
	char *path, real[PATH_MAX], *u;

	fetch_resp_init(&g.resp);
	TEST("non-http schemes refused");
	req.url = "ftp://127.0.0.1/x";
	run(NULL, &req, &g);
	CHECK_INT(g.calls, 1);
	CHECK_INT(g.resp.err.code, ERR_USAGE);
	CHECK_STR(g.resp.err.msg,
		  "unsupported URL scheme 'ftp' (only http and https)");
	req.url = "gopher://127.0.0.1/x";
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_USAGE);
	req.url = "not a url";
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_USAGE);
	req.url = NULL;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_USAGE);

	TEST("file:// only with allow_file");
	path = xasprintf("%s/tests/data/fetch/hello.txt", srcdir);
	CHECK(realpath(path, real) != NULL);
	u = xasprintf("file://%s", real);
	req.url = u;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_USAGE);
	CHECK(g.resp.body.len == 0);

	TEST("file:// allowed");
	req.allow_file = true;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_OK);
	CHECK_INT(g.resp.status, 200);
	CHECK_STR(g.resp.body.buf, "hello world\n");
	CHECK(g.resp.last_modified != NULL);

	TEST("file:// conditional");
	{
		char *lm = xstrdup(g.resp.last_modified);

		req.last_modified = lm;
		run(NULL, &req, &g);
		CHECK_INT(g.resp.status, 304);
		CHECK_INT(g.resp.body.len, 0);
		req.last_modified = NULL;
		free(lm);
	}

	TEST("file:// cap");
	req.max_body = 3;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_LIMIT);
	req.max_body = 0;
	free(u);

	TEST("file:// missing");
	u = xasprintf("file://%s.missing", real);
	req.url = u;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.status, 404);
	CHECK_INT(g.resp.err.code, ERR_NOTFOUND);
	free(u);

	TEST("file:// other host");
	req.url = "file://example.org/etc/passwd";
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_USAGE);
	free(path);
	fetch_resp_release(&g.resp);
}

static void
test_headers(void)
{
	struct fetch_req req = { 0 };
	struct got g = { 0 };
	char *u = url("/h/api.json"), *next = url("/h/api.json?max_id=7");
	const char *link;

	fetch_resp_init(&g.resp);
	TEST("headers, case-insensitive");
	req.url = u;
	req.kind = FETCH_API;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.status, 200);
	CHECK_STR(fetch_resp_header(&g.resp, "x-ratelimit-remaining"), "42");
	CHECK_STR(fetch_resp_header(&g.resp, "X-RATELIMIT-REMAINING"), "42");
	link = fetch_resp_header(&g.resp, "link");
	CHECK(link && strstr(link, next) && strstr(link, "rel=\"next\""));
	CHECK_STR(g.resp.content_type, "application/json");
	CHECK_INT(g.resp.max_age, 300);
	CHECK(g.resp.nhdr >= 4);
	CHECK(fetch_resp_header(&g.resp, "X-Absent") == NULL);
	free(u);

	TEST("Retry-After seconds");
	u = url("/h/retry-secs");
	req.url = u;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.status, 503);
	CHECK_STR(g.resp.err.msg, "HTTP 503 Service Unavailable");
	CHECK_INT(g.resp.retry_after, 120);
	free(u);

	TEST("Retry-After date, capped at 24 h");
	u = url("/h/retry-date");
	req.url = u;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.status, 429);
	CHECK_STR(g.resp.err.msg, "HTTP 429 Too Many Requests");
	CHECK_INT(g.resp.retry_after, 24 * 3600);
	free(u);

	TEST("successive responses");
	u = url("/h/seq");
	req.url = u;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.status, 500);
	run(NULL, &req, &g);
	CHECK_INT(g.resp.status, 200);
	CHECK_STR(g.resp.body.buf, "second works\n");
	free(u);
	free(next);
	fetch_resp_release(&g.resp);
}

static void
test_request(void)
{
	static const char *const hdrs[] = {
		"Authorization: Bearer canary-7f3a9",
		"Idempotency-Key: k1\r\nX-Evil: 1",
		NULL,
	};
	static const char *const bad_hdrs[] = { "no colon here", NULL };
	struct fetch_req req = { 0 };
	struct got g = { 0 };
	char *u = url("/hello.txt"), *logtext;

	fetch_resp_init(&g.resp);
	TEST("POST with body and headers");
	req.url = u;
	req.kind = FETCH_API;
	req.body = "{\"status\":\"hi\"}";
	req.body_len = strlen(req.body);
	req.content_type = "application/json";
	req.headers = hdrs;
	req.etag = "\"e\"\r\nX-Injected: 1";
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_OK);
	CHECK(log_has("\"method\":\"POST\"",
		      "\"Authorization\":\"Bearer canary-7f3a9\""));
	CHECK(log_has("\"method\":\"POST\"", "\"body\":\"{\\\"status\\\""));
	CHECK(log_has("\"method\":\"POST\"",
		      "\"Content-Type\":\"application/json\""));
	CHECK(log_has("\"method\":\"POST\"", "\"Idempotency-Key\":\"k1X-Evil"));
	CHECK(!log_has("\"X-Evil\":", NULL));
	CHECK(!log_has("\"X-Injected\":", NULL));
	CHECK(!log_has("\"method\":\"POST\"", "\"Expect\":"));

	TEST("other methods");
	req.method = "DELETE";
	req.body = NULL;
	req.body_len = 0;
	req.etag = NULL;
	req.headers = NULL;
	run(NULL, &req, &g);
	CHECK(log_has("\"method\":\"DELETE\"", "\"path\":\"/hello.txt\""));
	req.method = "GET /x HTTP/1.1\r\n";
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_USAGE);
	req.method = NULL;
	req.headers = bad_hdrs;
	run(NULL, &req, &g);
	CHECK_INT(g.resp.err.code, ERR_USAGE);
	CHECK(strstr(g.resp.err.msg, "no colon") == NULL);

	TEST("logs never hold tokens");
	log_close();
	logtext = slurp(glean_log);
	CHECK(strstr(logtext, "hello.txt") != NULL);
	CHECK(strstr(logtext, "canary") == NULL);
	free(logtext);
	log_open(glean_log, LOG_DEBUG);
	free(u);
	fetch_resp_release(&g.resp);
}

static void
progress_cb(const struct fetch_progress *p, void *arg)
{
	struct fetch_progress *last = arg;

	*last = *p;
}

struct pager {
	struct fetch *f;
	int pages;
	char *next;
};

static void
on_page(const struct fetch_req *req, struct fetch_resp *resp, void *arg)
{
	struct pager *pg = arg;
	struct fetch_req more = *req;

	pg->pages++;
	if (pg->pages == 1 && resp->status == 200) {
		more.url = pg->next;
		fetch_add(pg->f, &more, on_page, pg);
	}
}

static void
test_concurrency(void)
{
	struct fetch_opts o = { 0 };
	struct fetch_req req = { 0 };
	struct fetch_progress p, last = { 0 };
	struct got g[7];
	struct fetch *f;
	long long max_inflight;
	char *u, *u_lh, *host;
	int i;

	TEST("per-host limit queues without a global slot");
	o.max_per_host = 2;
	f = fetch_new(&o);
	/* The six share "localhost", which no earlier test used, so the
	 * server's in-flight count for it is theirs alone. */
	u = url("/hostile/slow?ms=300&other");
	u_lh = xasprintf("%s/hostile/slow?ms=300", base_lh);
	for (i = 0; i < 7; i++) {
		memset(&g[i], 0, sizeof(g[i]));
		fetch_resp_init(&g[i].resp);
		req.url = i < 6 ? u_lh : u;
		fetch_add(f, &req, on_done, &g[i]);
	}
	fetch_get_progress(f, &p);
	CHECK_INT(p.total, 7);
	CHECK_INT(p.queued, 7);
	fetch_step(f, 0);
	fetch_get_progress(f, &p);
	/* Two for localhost, and 127.0.0.1 was not stuck behind them. */
	CHECK_INT(p.active, 3);
	CHECK_INT(p.queued, 4);
	fetch_run(f, progress_cb, &last);
	CHECK_INT(last.done, 7);
	CHECK_INT(last.failed, 0);
	CHECK_INT(last.active, 0);
	CHECK_INT(last.queued, 0);
	CHECK_INT(last.bytes, 7 * 5);
	for (i = 0; i < 7; i++) {
		CHECK_INT(g[i].calls, 1);
		CHECK_INT(g[i].resp.status, 200);
		fetch_resp_release(&g[i].resp);
	}
	fetch_free(f);
	host = xasprintf("\"host\":\"%s\"", base_lh + 7);
	CHECK_INT(log_scan(host, "\"path\":\"/hostile/slow\"", &max_inflight),
		  6);
	CHECK(max_inflight >= 1 && max_inflight <= 2);
	free(host);

	TEST("global limit");
	o.max_per_host = 0;
	o.max_total = 1;
	f = fetch_new(&o);
	memset(&g[0], 0, sizeof(g[0]));
	memset(&g[1], 0, sizeof(g[1]));
	fetch_resp_init(&g[0].resp);
	fetch_resp_init(&g[1].resp);
	req.url = u;
	fetch_add(f, &req, on_done, &g[0]);
	req.url = u_lh;
	fetch_add(f, &req, on_done, &g[1]);
	fetch_step(f, 0);
	fetch_get_progress(f, &p);
	CHECK_INT(p.active, 1);
	CHECK_INT(p.queued, 1);
	fetch_run(f, NULL, NULL);
	CHECK(g[0].calls == 1 && g[1].calls == 1);
	fetch_resp_release(&g[0].resp);
	fetch_resp_release(&g[1].resp);
	fetch_free(f);
	free(u);
	free(u_lh);

	TEST("callbacks may queue more (paging)");
	{
		struct pager pg = { 0 };

		pg.f = fetch_new(NULL);
		pg.next = url("/h/api.json?max_id=7");
		u = url("/h/api.json");
		req.url = u;
		fetch_add(pg.f, &req, on_page, &pg);
		fetch_run(pg.f, NULL, NULL);
		CHECK_INT(pg.pages, 2);
		CHECK(log_has("\"path\":\"/h/api.json\"",
			      "\"query\":\"max_id=7\""));
		fetch_free(pg.f);
		free(pg.next);
		free(u);
	}

	TEST("fetch_free with requests in flight");
	f = fetch_new(NULL);
	u = url("/hostile/slow?ms=2000");
	req.url = u;
	memset(&g[0], 0, sizeof(g[0]));
	fetch_resp_init(&g[0].resp);
	for (i = 0; i < 4; i++)
		fetch_add(f, &req, on_done, &g[0]);
	fetch_step(f, 0);
	fetch_free(f);
	CHECK_INT(g[0].calls, 0);
	free(u);
}

int
main(void)
{
	srcdir = getenv("GLEAN_SRCDIR") ? getenv("GLEAN_SRCDIR") : ".";
	/* Loopback only: never through a proxy from the environment. */
	unsetenv("http_proxy");
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("ALL_PROXY");
	unsetenv("all_proxy");
	setenv("no_proxy", "*", 1);
	signal(SIGPIPE, SIG_IGN);

	RUN(test_empty);
	RUN(test_ip_private);
	if (server_start() < 0) {
		printf("FAIL: cannot start tests/lib/httpd.py (python3)\n");
		server_stop();
		return 1;
	}
	log_open(glean_log, LOG_DEBUG);
	RUN(test_basic);
	RUN(test_gzip);
	RUN(test_redirects);
	RUN(test_own_network);
	RUN(test_caps);
	RUN(test_errors);
	RUN(test_refused);
	RUN(test_headers);
	RUN(test_request);
	RUN(test_concurrency);
	log_close();
	server_stop();
	fetch_global_cleanup();
	return check_done("test_fetch");
}
