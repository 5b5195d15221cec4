/* test-webhook-url.c — the URL to paste, and its token
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nc-webhook-url.h"
#include "nc-test-util.h"

static void
test_build (void)
{
  static const struct
  {
    const char *public_url;
    const char *bind;
    guint       port;
    gboolean    tls;
    const char *expected;
    gboolean    reachable;
  } cases[] = {
    { NULL, "127.0.0.1", 8765, FALSE, "http://127.0.0.1:8765/zadarma_webhook/TOKEN", FALSE },
    { "", "::1", 8765, FALSE, "http://[::1]:8765/zadarma_webhook/TOKEN", FALSE },
    { "", "192.0.2.10", 443, TRUE, "https://192.0.2.10:443/zadarma_webhook/TOKEN", TRUE },
    { "https://crm.example.org", "127.0.0.1", 8765, FALSE,
      "https://crm.example.org/zadarma_webhook/TOKEN", TRUE },
    { "https://crm.example.org/telephony//", "127.0.0.1", 8765, FALSE,
      "https://crm.example.org/telephony/zadarma_webhook/TOKEN", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean reachable = !cases[i].reachable;
      g_autofree char *url = nc_webhook_url_build (cases[i].public_url, cases[i].bind,
                                                   cases[i].port, cases[i].tls, "TOKEN",
                                                   &reachable);

      g_assert_cmpstr (url, ==, cases[i].expected);
      g_assert_cmpint (reachable, ==, cases[i].reachable);
    }
}

static void
test_any_address_names_the_host (void)
{
  gboolean reachable = TRUE;
  g_autofree char *url = nc_webhook_url_build (NULL, "0.0.0.0", 8765, FALSE, "TOKEN",
                                               &reachable);
  g_autofree char *expected = g_strdup_printf ("http://%s:8765/zadarma_webhook/TOKEN",
                                               g_get_host_name ());

  g_assert_cmpstr (url, ==, expected);
  g_assert_false (reachable);
}

static void
test_token (void)
{
  g_autofree char *a = nc_webhook_token_generate ();
  g_autofree char *b = nc_webhook_token_generate ();

  g_assert_cmpuint (strlen (a), ==, 48);
  g_assert_true (nc_webhook_token_is_valid (a));
  g_assert_cmpstr (a, !=, b);

  g_assert_false (nc_webhook_token_is_valid (NULL));
  g_assert_false (nc_webhook_token_is_valid ("short"));
  g_assert_false (nc_webhook_token_is_valid ("has/a/slash/in/it/0123"));
  g_assert_false (nc_webhook_token_is_valid ("has space 0123456789abc"));
  g_assert_true (nc_webhook_token_is_valid ("c3e9a1b2d4f60718293a4b5c6d7e8f90"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/webhook-url/build", test_build);
  g_test_add_func ("/webhook-url/any-address-names-the-host", test_any_address_names_the_host);
  g_test_add_func ("/webhook-url/token", test_token);

  return nc_test_run ();
}
