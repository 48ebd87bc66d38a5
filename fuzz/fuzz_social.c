/*
 * fuzz/fuzz_social.c: libFuzzer target for the social services' readers
 * (src/service: mastodon, bluesky, x, discourse), driven the way seek
 * drives them but with no network, as tests/unit/test_social.c does: a
 * run is begun for a list source of each service in turn, and the input
 * is handed to social_run_response() as a 200 response body (JSON
 * validation, then the service's page()). The length's low bits add a
 * Link header and a saved paging state, and when page() asks for a next
 * page the same body is fed again (up to 3 pages), so paging and cursors
 * are reached too. Built by fuzz/run.sh and fuzz/replay.sh;
 * it prints nothing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "glean/config.h"
#include "glean/fetch.h"
#include "glean/service.h"
#include "glean/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct config cfg;
static bool ready;

static const struct {
	const char *kind, *url, *cursor;
} lists[] = {
	{ "mastodon", "http://127.0.0.1:9/lists/6", "{\"since_id\":\"100\"}" },
	{ "bluesky", "https://bsky.app/profile/a.example/lists/L1",
	  "{\"newest\":\"2026-11-25T09:00:00Z\"}" },
	{ "x", "https://x.com/i/lists/123", "{\"newest\":\"20\"}" },
	{ "discourse", "http://127.0.0.1:9/c/civic/5", "{\"newest\":\"3\"}" },
};

static void
setup(void)
{
	static const char text[] =
		"[general]\nfirst-run-depth = 100\n"
		"[account \"m\"]\nservice = mastodon\nurl = http://127.0.0.1:9\n"
		"token-env = GLEAN_FUZZ_TOKEN\n"
		"[account \"b\"]\nservice = bluesky\nurl = http://127.0.0.1:9/\n"
		"[account \"x\"]\nservice = x\nurl = http://127.0.0.1:9\n"
		"token-env = GLEAN_FUZZ_TOKEN\nmax-posts-per-run = 6\n"
		"[account \"d\"]\nservice = discourse\nurl = http://127.0.0.1:9\n"
		"user = sys\ntoken-env = GLEAN_FUZZ_TOKEN\n";
	struct err e = { 0 };

	config_init(&cfg);
	cfg.services = service_names();
	if (config_parse(&cfg, "fuzz", text, strlen(text), &e) < 0)
		abort();
	setenv("GLEAN_FUZZ_TOKEN", "fuzz-token", 1);
	ready = true;
}

static int
feed(struct social_run *r, const uint8_t *body, size_t n, bool link)
{
	struct fetch_resp resp;
	struct err e = { 0 };
	int rc;

	fetch_resp_init(&resp);
	resp.status = 200;
	sbuf_add(&resp.body, (const char *)body, n);
	if (link) {
		resp.nhdr = 1;
		resp.hdr_names = xcalloc(2, sizeof(char *));
		resp.hdr_values = xcalloc(2, sizeof(char *));
		resp.hdr_names[0] = xstrdup("Link");
		resp.hdr_values[0] = xstrdup("<http://127.0.0.1:9/api/v1/"
			"timelines/list/6?max_id=101>; rel=\"next\"");
	}
	rc = social_run_response(r, &resp, &e);
	fetch_resp_release(&resp);
	err_clear(&e);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i;

	if (!ready)
		setup();
	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		struct social_run r;
		struct source s = { 0 };
		struct err e = { 0 };
		int pages = 0;

		s.id = 7;
		s.kind = (char *)lists[i].kind;
		s.url = (char *)lists[i].url;
		s.cursor = size & 2 ? (char *)lists[i].cursor : NULL;
		if (social_run_init(&r, &cfg, &s, 1893452400, &e) < 0)
			abort(); /* the fixed config always begins */
		while (feed(&r, data, size, size & 1) > 0 && ++pages < 3)
			;
		social_run_release(&r);
	}
	return 0;
}
