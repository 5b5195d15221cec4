/* nc-setup-check-page.h — Preferences: what the integration needs, asked of the API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-session.h"

G_BEGIN_DECLS

#define NC_TYPE_SETUP_CHECK_PAGE (nc_setup_check_page_get_type ())

G_DECLARE_FINAL_TYPE (NcSetupCheckPage, nc_setup_check_page, NC, SETUP_CHECK_PAGE,
                      AdwPreferencesPage)

GtkWidget *nc_setup_check_page_new (NcSession        *session);
void       nc_setup_check_page_run (NcSetupCheckPage *self);

G_END_DECLS
