/* nc-settings.h — preferences that work with and without an installed schema
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define NC_DEFAULT_API_URL "https://api.novofon.com"
#define NC_ZADARMA_API_URL "https://api.zadarma.com"

/* The servers of the API the preferences offer by name. */
typedef enum
{
  NC_API_SERVER_NOVOFON,
  NC_API_SERVER_ZADARMA,
  NC_API_SERVER_CUSTOM,
} NcApiServer;

NcApiServer nc_api_server_from_url (const char  *url);
const char *nc_api_server_get_url  (NcApiServer  server);
gboolean    nc_api_url_is_valid    (const char  *url);

GSettings *nc_settings_new_if_installed (void);
GSettings *nc_settings_new_for_command_line (void);
char      *nc_settings_dup_string       (GSettings  *settings,
                                         const char *key);
int        nc_settings_get_int          (GSettings  *settings,
                                         const char *key);
gboolean   nc_settings_get_boolean      (GSettings  *settings,
                                         const char *key);
char      *nc_settings_dup_api_url      (GSettings  *settings);
const char *const *nc_settings_default_keys (void);

G_END_DECLS
