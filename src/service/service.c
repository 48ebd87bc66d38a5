/*
 * service.c: the registry. services[] lists every remote service once;
 * seek (which sources are API-read), share (which targets post to a
 * service), subscribe (which pasted URLs a service claims) and the CLI
 * look services up here instead of naming them. Adding a service is one
 * file and one line below (the recipe is in glean/service.h).
 *
 * It owns the list and the lookups, nothing a service does.
 */
#include <string.h>

#include "glean/service.h"
#include "glean/banned.h"

const struct service *const services[] = {
	&mastodon_service,
	&bluesky_service,
	&x_service,
	&discourse_service,
	NULL,
};

const struct service *
service_by_name(const char *name)
{
	const struct service *const *sv;

	for (sv = services; name && *sv; sv++)
		if (!strcmp((*sv)->name, name))
			return *sv;
	return NULL;
}

const char *const *
service_names(void)
{
	static const char *names[ARRAY_SIZE(services)];
	size_t i;

	if (!names[0]) /* services[] is constant: same result every time */
		for (i = 0; services[i]; i++)
			names[i] = services[i]->name;
	return names;
}
