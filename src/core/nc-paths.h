/* nc-paths.h — where the project's data lives
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *nc_paths_dup_data_dir (const char *override);

G_END_DECLS
