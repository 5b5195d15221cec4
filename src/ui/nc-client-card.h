/* nc-client-card.h — one client: details, variables, calls, and why the calls are theirs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-client.h"
#include "nc-session.h"

G_BEGIN_DECLS

#define NC_TYPE_CLIENT_CARD (nc_client_card_get_type ())

G_DECLARE_FINAL_TYPE (NcClientCard, nc_client_card, NC, CLIENT_CARD, AdwWindow)

NcClientCard *nc_client_card_new (GtkWindow *parent,
                                  NcClient  *client,
                                  NcSession *session);

G_END_DECLS
