/* share internals: the targets that are not remote services (file.c,
 * email.c, webhook.c; the services' own share_ops live in src/service/)
 * and what the engine (share.c) needs of them. The share_ops type and the
 * helpers every target uses are in glean/service.h. Only src/share/
 * includes this. */
#ifndef GLEAN_SHARE_PRIVATE_H
#define GLEAN_SHARE_PRIVATE_H

#include "glean/fetch.h"
#include "glean/service.h"
#include "glean/share.h"

extern const struct share_ops share_file_ops, share_email_ops,
	share_webhook_ops;

#endif
