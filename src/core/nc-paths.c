/* nc-paths.c — where the project's data lives
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-paths"

#include "config.h"

#include "nc-paths.h"

/**
 * nc_paths_dup_data_dir:
 * @override: (nullable): the directory given with `--data-dir`, if any
 *
 * Returns: (transfer full): @override, or `$XDG_DATA_HOME/novofon-console`
 */
char *
nc_paths_dup_data_dir (const char *override)
{
  if (override != NULL && *override != '\0')
    return g_strdup (override);

  return g_build_filename (g_get_user_data_dir (), "novofon-console", NULL);
}
