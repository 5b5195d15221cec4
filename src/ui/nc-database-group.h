/* nc-database-group.h — Preferences: the office database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define NC_TYPE_DATABASE_GROUP (nc_database_group_get_type ())

G_DECLARE_FINAL_TYPE (NcDatabaseGroup, nc_database_group, NC, DATABASE_GROUP, AdwPreferencesGroup)

void nc_database_group_set_settings (NcDatabaseGroup *self,
                                     GSettings       *settings,
                                     gboolean         in_use);

G_END_DECLS
