/* nc-missed-page.h — the supervisor's targets for calling back missed calls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define NC_TYPE_MISSED_PAGE (nc_missed_page_get_type ())

G_DECLARE_FINAL_TYPE (NcMissedPage, nc_missed_page, NC, MISSED_PAGE, AdwPreferencesPage)

/* @settings: (nullable): the application's; without them the page says nothing can be set */
GtkWidget *nc_missed_page_new (GSettings *settings);

G_END_DECLS
