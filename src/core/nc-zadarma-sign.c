/* nc-zadarma-sign.c — signatures of the Novofon/Zadarma user API v1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both signatures are base64 of the *hex* HMAC-SHA1 digest, not of the raw digest:
 * the classic cause of "401 Not authorized" in home-made clients.
 */

#define G_LOG_DOMAIN "nc-zadarma-sign"

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "nc-zadarma-sign.h"

static char *
base64_of_hex_hmac_sha1 (const char *secret,
                         const char *message,
                         gsize       message_len)
{
  g_autofree char *hex = NULL;

  hex = g_compute_hmac_for_data (G_CHECKSUM_SHA1,
                                 (const guchar *) secret, strlen (secret),
                                 (const guchar *) message, message_len);
  return g_base64_encode ((const guchar *) hex, strlen (hex));
}

/* g_qsort_with_data() hands the compare function pointers to the elements. */
static int
compare_key_pointers (gconstpointer a,
                      gconstpointer b,
                      gpointer      user_data)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/**
 * nc_zadarma_encode_params:
 * @params: (element-type utf8 utf8): the request parameters, `format` included
 *
 * Encodes @params as PHP's `http_build_query (…, PHP_QUERY_RFC1738)` does, with the keys
 * sorted in byte order. libsoup's form encoder produces exactly that escaping; it only
 * does not sort, so each pair is encoded on its own, in order.
 *
 * Returns: (transfer full): the query string, without a leading `?`
 */
char *
nc_zadarma_encode_params (GHashTable *params)
{
  g_autofree const char **keys = NULL;
  GString *query = g_string_new (NULL);
  guint n_keys = 0;

  g_return_val_if_fail (params != NULL, NULL);

  keys = (const char **) g_hash_table_get_keys_as_array (params, &n_keys);
  g_qsort_with_data (keys, n_keys, sizeof (char *), compare_key_pointers, NULL);

  for (guint i = 0; i < n_keys; i++)
    {
      g_autofree char *pair = soup_form_encode (keys[i],
                                                (const char *) g_hash_table_lookup (params, keys[i]),
                                                NULL);
      if (i > 0)
        g_string_append_c (query, '&');
      g_string_append (query, pair);
    }

  return g_string_free (query, FALSE);
}

/**
 * nc_zadarma_sign_request:
 * @method: the method path with version and trailing slash, e.g. `/v1/info/balance/`
 * @query: the encoded, sorted query from nc_zadarma_encode_params()
 * @secret: the API Secret
 *
 * Returns: (transfer full): `base64 (hex (HMAC-SHA1 (secret, method + query + md5hex (query))))`
 */
char *
nc_zadarma_sign_request (const char *method,
                         const char *query,
                         const char *secret)
{
  g_autofree char *md5 = NULL;
  g_autofree char *message = NULL;

  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (secret != NULL, NULL);

  md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, query, -1);
  message = g_strconcat (method, query, md5, NULL);
  return base64_of_hex_hmac_sha1 (secret, message, strlen (message));
}

/**
 * nc_zadarma_authorization:
 *
 * Returns: (transfer full): the value of the `Authorization` header, `KEY:SIGN`
 */
char *
nc_zadarma_authorization (const char *key,
                          const char *method,
                          const char *query,
                          const char *secret)
{
  g_autofree char *sign = nc_zadarma_sign_request (method, query, secret);

  g_return_val_if_fail (key != NULL, NULL);
  return g_strconcat (key, ":", sign, NULL);
}

/**
 * nc_zadarma_sign_webhook:
 * @secret: the API Secret
 * @values: (array zero-terminated=1): the signed fields' values, in the event's order
 *
 * Returns: (transfer full): the expected `Signature` header of a webhook
 */
char *
nc_zadarma_sign_webhook (const char        *secret,
                         const char *const *values)
{
  g_autoptr(GString) message = g_string_new (NULL);

  g_return_val_if_fail (secret != NULL, NULL);
  g_return_val_if_fail (values != NULL, NULL);

  for (guint i = 0; values[i] != NULL; i++)
    g_string_append (message, values[i]);

  return base64_of_hex_hmac_sha1 (secret, message->str, message->len);
}

/**
 * nc_secure_str_equal:
 *
 * Compares two strings in time that depends only on their lengths, never on where they
 * first differ, so that a path token or a signature cannot be guessed byte by byte.
 */
gboolean
nc_secure_str_equal (const char *a,
                     const char *b)
{
  gsize len_a, len_b;
  guchar diff;

  if (a == NULL || b == NULL)
    return FALSE;

  len_a = strlen (a);
  len_b = strlen (b);
  diff = len_a != len_b;

  for (gsize i = 0; i < len_a; i++)
    diff |= (guchar) a[i] ^ (guchar) b[len_b ? i % len_b : 0];

  return diff == 0;
}
