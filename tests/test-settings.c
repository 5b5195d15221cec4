/* test-settings.c — built-in defaults agree with the schema; the environment wins
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nc-settings.h"
#include "nc-test-util.h"

/* The command line falls back to built-in defaults where the schema is not installed: they
 * must be the schema's own. */
static void
test_defaults_match_schema (void)
{
  g_autoptr(GSettings) settings = nc_settings_new_if_installed ();
  const char *const *keys = nc_settings_default_keys ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) schema_keys = NULL;

  g_assert_nonnull (settings);
  g_object_get (settings, "settings-schema", &schema, NULL);
  schema_keys = g_settings_schema_list_keys (schema);
  g_assert_cmpuint (g_strv_length (schema_keys), ==, g_strv_length ((GStrv) keys));

  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_default_value (settings, keys[i]);

      g_assert_nonnull (value);
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        {
          g_autofree char *fallback = nc_settings_dup_string (NULL, keys[i]);
          g_assert_cmpstr (g_variant_get_string (value, NULL), ==, fallback);
        }
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
        g_assert_cmpint (g_variant_get_int32 (value), ==, nc_settings_get_int (NULL, keys[i]));
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
        g_assert_cmpint (g_variant_get_boolean (value), ==,
                         nc_settings_get_boolean (NULL, keys[i]));
      /* The one list (call-outcomes): empty, as the fallback has it. */
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY))
        g_assert_cmpuint (g_variant_n_children (value), ==, 0);
      else
        g_assert_not_reached ();
    }
}

static void
test_api_url_environment_wins (void)
{
  g_autoptr(GSettings) settings = nc_settings_new_if_installed ();
  g_autofree char *from_default = NULL;
  g_autofree char *from_settings = NULL;
  g_autofree char *from_env = NULL;

  g_unsetenv ("NOVOFON_API_URL");
  from_default = nc_settings_dup_api_url (NULL);
  g_assert_cmpstr (from_default, ==, "https://api.novofon.com");

  g_settings_set_string (settings, "api-url", "https://api.zadarma.com/");
  from_settings = nc_settings_dup_api_url (settings);
  g_assert_cmpstr (from_settings, ==, "https://api.zadarma.com");

  g_setenv ("NOVOFON_API_URL", "http://127.0.0.1:9999//", TRUE);
  from_env = nc_settings_dup_api_url (settings);
  g_assert_cmpstr (from_env, ==, "http://127.0.0.1:9999");
  g_unsetenv ("NOVOFON_API_URL");
  g_settings_reset (settings, "api-url");
}

/* The server chooser: the two named servers whatever the slash or case, anything else is
 * custom, and a custom address must be one the client can call. */
static void
test_api_servers (void)
{
  g_assert_cmpint (nc_api_server_from_url ("https://api.novofon.com"), ==, NC_API_SERVER_NOVOFON);
  g_assert_cmpint (nc_api_server_from_url ("https://API.Novofon.com/"), ==, NC_API_SERVER_NOVOFON);
  g_assert_cmpint (nc_api_server_from_url ("https://api.zadarma.com"), ==, NC_API_SERVER_ZADARMA);
  g_assert_cmpint (nc_api_server_from_url ("https://api-sandbox.zadarma.com"), ==,
                   NC_API_SERVER_CUSTOM);
  g_assert_cmpint (nc_api_server_from_url (NULL), ==, NC_API_SERVER_CUSTOM);
  g_assert_cmpstr (nc_api_server_get_url (NC_API_SERVER_ZADARMA), ==, "https://api.zadarma.com");
  g_assert_null (nc_api_server_get_url (NC_API_SERVER_CUSTOM));

  g_assert_true (nc_api_url_is_valid ("https://api-sandbox.zadarma.com"));
  g_assert_true (nc_api_url_is_valid ("http://127.0.0.1:8080"));
  g_assert_false (nc_api_url_is_valid ("api.novofon.com"));
  g_assert_false (nc_api_url_is_valid ("ftp://api.novofon.com"));
  g_assert_false (nc_api_url_is_valid ("https://"));
  g_assert_false (nc_api_url_is_valid ("https://api.novofon.com/?x=1"));
  g_assert_false (nc_api_url_is_valid (""));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/settings/defaults-match-schema", test_defaults_match_schema);
  g_test_add_func ("/settings/api-url-environment-wins", test_api_url_environment_wins);
  g_test_add_func ("/settings/api-servers", test_api_servers);

  return nc_test_run ();
}
