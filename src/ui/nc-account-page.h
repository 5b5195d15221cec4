/* nc-account-page.h — Preferences: the account, its server, the project's messengers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-session.h"

G_BEGIN_DECLS

#define NC_TYPE_ACCOUNT_PAGE (nc_account_page_get_type ())

G_DECLARE_FINAL_TYPE (NcAccountPage, nc_account_page, NC, ACCOUNT_PAGE, AdwPreferencesPage)

GtkWidget *nc_account_page_new (NcSession *session);

G_END_DECLS
