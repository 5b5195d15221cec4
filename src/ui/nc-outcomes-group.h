/* nc-outcomes-group.h — the Preferences’ list of call outcomes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define NC_TYPE_OUTCOMES_GROUP (nc_outcomes_group_get_type ())

G_DECLARE_FINAL_TYPE (NcOutcomesGroup, nc_outcomes_group, NC, OUTCOMES_GROUP, AdwPreferencesGroup)

GtkWidget *nc_outcomes_group_new (GSettings *settings);

G_END_DECLS
