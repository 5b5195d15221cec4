/* nc-webhook-url.h — the address the PBX posts its events to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NC_WEBHOOK_PATH_PREFIX "/zadarma_webhook/"

char     *nc_webhook_url_build     (const char *public_base_url,
                                    const char *bind_address,
                                    guint       port,
                                    gboolean    tls,
                                    const char *token,
                                    gboolean   *out_reachable);
char     *nc_webhook_token_generate (void);
gboolean  nc_webhook_token_is_valid (const char *token);

G_END_DECLS
