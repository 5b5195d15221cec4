/* nc-webhooks-page.h — Preferences: the listener, its address for the cabinet, its health
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-session.h"

G_BEGIN_DECLS

#define NC_TYPE_WEBHOOKS_PAGE (nc_webhooks_page_get_type ())

G_DECLARE_FINAL_TYPE (NcWebhooksPage, nc_webhooks_page, NC, WEBHOOKS_PAGE, AdwPreferencesPage)

GtkWidget *nc_webhooks_page_new (NcSession *session);

G_END_DECLS
