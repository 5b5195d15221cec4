/* nc-outcomes-page.h — the Preferences' list of call outcomes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define NC_TYPE_OUTCOMES_PAGE (nc_outcomes_page_get_type ())

G_DECLARE_FINAL_TYPE (NcOutcomesPage, nc_outcomes_page, NC, OUTCOMES_PAGE, AdwPreferencesPage)

GtkWidget *nc_outcomes_page_new (GSettings *settings);

G_END_DECLS
