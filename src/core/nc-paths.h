/* nc-paths.h — where the project's data lives, and who may read it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char     *nc_paths_dup_data_dir       (const char  *override);
gboolean  nc_paths_make_private_file  (const char  *path,
                                       gboolean     create,
                                       GError     **error);
gboolean  nc_paths_data_dir_is_shared (const char  *dir);
gboolean  nc_paths_secure_store_files (const char  *data_dir,
                                       const char  *database,
                                       GError     **error);

G_END_DECLS
