/* nc-settings.c — preferences that work with and without an installed schema
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * g_settings_new() aborts when the schema is not installed, and a server or a script may
 * run the command line on a machine without it. Every reader here therefore takes a
 * nullable GSettings and falls back to the schema's own defaults, which a test keeps in
 * step with the schema in data/.
 */

#define G_LOG_DOMAIN "nc-settings"

#include "config.h"

#include <string.h>

#include "nc-settings.h"

typedef struct
{
  const char *key;
  const char *string_value;
  int         int_value;
} DefaultValue;

static const DefaultValue defaults[] = {
  { "api-url", NC_DEFAULT_API_URL, 0 },
  { "webhook-bind", "127.0.0.1", 0 },
  { "webhook-port", NULL, 8765 },
  { "webhook-public-url", "", 0 },
  { "webhook-enabled", NULL, TRUE },
  { "webhook-event-window", NULL, 24 * 60 * 60 },
  { "webhook-pbx-sources-only", NULL, FALSE },
  { "database-url", "", 0 },
  { "current-employee", "", 0 },
  { "notify-call-end", NULL, FALSE },
  { "caller-card-every-call", NULL, FALSE },
  /* A list, empty by default: the window offers the translated defaults then. */
  { "call-outcomes", NULL, 0 },
  { "missed-wait-short", NULL, 15 },
  { "missed-wait-long", NULL, 60 },
  { "missed-count-in-notification", NULL, FALSE },
};

static const DefaultValue *
find_default (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (defaults); i++)
    if (strcmp (defaults[i].key, key) == 0)
      return &defaults[i];

  g_critical ("No built-in default for settings key “%s”", key);
  return NULL;
}

/**
 * nc_settings_new_if_installed:
 *
 * Returns: (transfer full) (nullable): the application's settings, or %NULL when its
 *   schema is not installed on this machine
 */
GSettings *
nc_settings_new_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL)
    return NULL;

  schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (schema == NULL)
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

/**
 * nc_settings_new_for_command_line:
 *
 * Like nc_settings_new_if_installed(), but also %NULL where no settings backend would
 * keep them (no dconf module and no GSETTINGS_BACKEND): GLib would fall back to memory
 * with a message on standard error, and a command's output is no place for it. The
 * defaults are what such a machine has anyway.
 *
 * Returns: (transfer full) (nullable): the settings
 */
GSettings *
nc_settings_new_for_command_line (void)
{
  g_autofree char *dconf = g_build_filename (GIO_MODULE_DIR, "libdconfsettings.so", NULL);

  if (g_getenv ("GSETTINGS_BACKEND") == NULL && !g_file_test (dconf, G_FILE_TEST_EXISTS))
    return NULL;
  return nc_settings_new_if_installed ();
}

char *
nc_settings_dup_string (GSettings  *settings,
                        const char *key)
{
  const DefaultValue *def;

  if (settings != NULL)
    return g_settings_get_string (settings, key);

  def = find_default (key);
  return g_strdup (def != NULL && def->string_value != NULL ? def->string_value : "");
}

int
nc_settings_get_int (GSettings  *settings,
                     const char *key)
{
  const DefaultValue *def;

  if (settings != NULL)
    return g_settings_get_int (settings, key);

  def = find_default (key);
  return def != NULL ? def->int_value : 0;
}

gboolean
nc_settings_get_boolean (GSettings  *settings,
                         const char *key)
{
  const DefaultValue *def;

  if (settings != NULL)
    return g_settings_get_boolean (settings, key);

  def = find_default (key);
  return def != NULL && def->int_value != 0;
}

/**
 * nc_settings_dup_api_url:
 *
 * Returns: (transfer full): `NOVOFON_API_URL` if set, else the `api-url` key, without a
 *   trailing slash
 */
char *
nc_settings_dup_api_url (GSettings *settings)
{
  const char *env = g_getenv ("NOVOFON_API_URL");
  char *url;
  gsize len;

  if (env != NULL && *env != '\0')
    url = g_strdup (env);
  else
    url = nc_settings_dup_string (settings, "api-url");

  len = strlen (url);
  while (len > 0 && url[len - 1] == '/')
    url[--len] = '\0';

  return url;
}

/**
 * nc_api_server_from_url:
 *
 * Returns: which named server @url is (a trailing slash and the case of the host aside),
 *   or %NC_API_SERVER_CUSTOM
 */
NcApiServer
nc_api_server_from_url (const char *url)
{
  g_autofree char *trimmed = g_strdup (url != NULL ? url : "");
  gsize len = strlen (trimmed);

  while (len > 0 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';
  if (g_ascii_strcasecmp (trimmed, NC_DEFAULT_API_URL) == 0)
    return NC_API_SERVER_NOVOFON;
  if (g_ascii_strcasecmp (trimmed, NC_ZADARMA_API_URL) == 0)
    return NC_API_SERVER_ZADARMA;
  return NC_API_SERVER_CUSTOM;
}

/**
 * nc_api_server_get_url:
 *
 * Returns: (nullable): the address of @server, or %NULL for a custom one
 */
const char *
nc_api_server_get_url (NcApiServer server)
{
  switch (server)
    {
    case NC_API_SERVER_NOVOFON:
      return NC_DEFAULT_API_URL;
    case NC_API_SERVER_ZADARMA:
      return NC_ZADARMA_API_URL;
    case NC_API_SERVER_CUSTOM:
    default:
      return NULL;
    }
}

/* Whether @url can be an API server: http or https, with a host, and nothing after the
 * path (the method paths are added to it). */
gboolean
nc_api_url_is_valid (const char *url)
{
  g_autoptr(GUri) uri = NULL;

  if (url == NULL)
    return FALSE;
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  return uri != NULL &&
         (g_strcmp0 (g_uri_get_scheme (uri), "https") == 0 ||
          g_strcmp0 (g_uri_get_scheme (uri), "http") == 0) &&
         g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0' &&
         g_uri_get_query (uri) == NULL && g_uri_get_fragment (uri) == NULL;
}

/**
 * nc_settings_default_keys:
 *
 * Returns: (transfer none): the keys that have a built-in default, %NULL-terminated
 */
const char *const *
nc_settings_default_keys (void)
{
  static const char *keys[G_N_ELEMENTS (defaults) + 1];

  if (keys[0] == NULL)
    for (guint i = 0; i < G_N_ELEMENTS (defaults); i++)
      keys[i] = defaults[i].key;

  return keys;
}
