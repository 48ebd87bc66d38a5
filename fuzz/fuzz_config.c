/*
 * fuzz/fuzz_config.c: libFuzzer target for config_parse(), the reader of
 * ~/.config/glean/config (sections, accounts, share targets, rules,
 * binds, colours, formats), with the service registry set as cli.c sets
 * it. Nothing is run: secrets are read only when asked for, and this
 * never asks. Built by fuzz/run.sh and fuzz/replay.sh; prints nothing.
 */
#include <stddef.h>
#include <stdint.h>

#include "glean/config.h"
#include "glean/service.h"
#include "glean/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	struct err e = { 0 };

	config_init(&cfg);
	cfg.services = service_names();
	config_parse(&cfg, "fuzz.conf", (const char *)data, size, &e);
	config_release(&cfg);
	return 0;
}
