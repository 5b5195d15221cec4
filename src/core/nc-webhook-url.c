/* nc-webhook-url.c — the address the PBX posts its events to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The URL keeps the form of the source document (`…/zadarma_webhook/<secret>`), but the
 * path holds a random token of our own, never the API Secret: the URL is pasted, shown
 * and logged, and it survives a regenerated key.
 */

#define G_LOG_DOMAIN "nc-webhook-url"

#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include "nc-webhook-url.h"

#define TOKEN_BYTES 24

static gboolean
is_loopback_or_unspecified (const char *address)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);

  if (inet == NULL)
    return g_ascii_strcasecmp (address, "localhost") == 0;
  return g_inet_address_get_is_loopback (inet) || g_inet_address_get_is_any (inet);
}

/**
 * nc_webhook_url_build:
 * @public_base_url: (nullable): where the internet reaches this listener (a reverse proxy
 *   or a tunnel), e.g. `https://crm.example.org`; empty or %NULL for the local address
 * @out_reachable: (out) (optional): whether the PBX, out on the internet, can reach it
 *
 * Returns: (transfer full): the URL to paste into the Novofon cabinet
 */
char *
nc_webhook_url_build (const char *public_base_url,
                      const char *bind_address,
                      guint       port,
                      gboolean    tls,
                      const char *token,
                      gboolean   *out_reachable)
{
  g_autofree char *base = NULL;
  gboolean reachable;
  gsize len;

  g_return_val_if_fail (token != NULL, NULL);

  if (public_base_url != NULL && *public_base_url != '\0')
    {
      base = g_strdup (public_base_url);
      len = strlen (base);
      while (len > 0 && base[len - 1] == '/')
        base[--len] = '\0';
      reachable = TRUE;
    }
  else
    {
      const char *host = bind_address != NULL && *bind_address != '\0' ? bind_address
                                                                        : "127.0.0.1";
      g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (host);
      gboolean v6 = inet != NULL && g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6;

      /* An unspecified address listens everywhere; the URL names this machine. */
      if (inet != NULL && g_inet_address_get_is_any (inet))
        host = g_get_host_name ();

      base = g_strdup_printf ("%s://%s%s%s:%u", tls ? "https" : "http", v6 ? "[" : "", host,
                              v6 ? "]" : "", port);
      reachable = !is_loopback_or_unspecified (bind_address != NULL ? bind_address : "127.0.0.1");
    }

  if (out_reachable != NULL)
    *out_reachable = reachable;

  return g_strconcat (base, NC_WEBHOOK_PATH_PREFIX, token, NULL);
}

/**
 * nc_webhook_token_generate:
 *
 * Returns: (transfer full): a new random token, URL-safe, made from the system's
 *   cryptographic random source
 */
char *
nc_webhook_token_generate (void)
{
  guchar bytes[TOKEN_BYTES];
  g_autoptr(GFile) urandom = g_file_new_for_path ("/dev/urandom");
  g_autoptr(GFileInputStream) stream = g_file_read (urandom, NULL, NULL);
  GString *token = g_string_sized_new (TOKEN_BYTES * 2);
  gsize read = 0;

  if (stream == NULL ||
      !g_input_stream_read_all (G_INPUT_STREAM (stream), bytes, sizeof bytes, &read, NULL, NULL) ||
      read != sizeof bytes)
    g_error ("Cannot read the system's random source /dev/urandom");

  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_printf (token, "%02x", bytes[i]);

  return g_string_free (token, FALSE);
}

/**
 * nc_webhook_token_is_valid:
 *
 * Returns: whether @token can stand in the URL's path as it is (16 to 128 characters of
 *   `A-Z a-z 0-9 - _`)
 */
gboolean
nc_webhook_token_is_valid (const char *token)
{
  gsize len;

  if (token == NULL)
    return FALSE;

  len = strlen (token);
  if (len < 16 || len > 128)
    return FALSE;

  for (const char *p = token; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;

  return TRUE;
}
