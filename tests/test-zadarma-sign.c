/* test-zadarma-sign.c — every vector of shared/vectors/zadarma-signatures.json, byte for byte
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>

#include "nc-call-event.h"
#include "nc-test-util.h"
#include "nc-zadarma-sign.h"

static JsonObject *
load_vectors (JsonParser **parser_out)
{
  g_autofree char *path = nc_test_shared_path ("vectors/zadarma-signatures.json");
  g_autoptr(GError) error = NULL;
  JsonParser *parser = json_parser_new ();

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  *parser_out = parser;
  return json_node_get_object (json_parser_get_root (parser));
}

/* Every member of a vector is checked below, or named here with where it is checked: a
 * member this test does not know fails it, rather than going unchecked. */
static void
assert_members_known (JsonObject        *vector,
                      const char *const *known)
{
  g_autoptr(GList) members = json_object_get_members (vector);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (known, l->data))
      g_error ("the vector has a member “%s” that this test does not check", (char *) l->data);
}

/* The project's encoding, request signature and Authorization header of each request
 * vector. The vector's md5 is not compared on its own: the project's md5 of the query is
 * part of the signed message, so the signature matches only if it matches too. */
static void
test_request_vectors (void)
{
  static const char *const known[] = {
    "method", "params", "query", "md5", "sign", "authorization",
    "http_method",   /* how the client sends the query: test-zadarma-client */
    NULL
  };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *root = load_vectors (&parser);
  const char *key = json_object_get_string_member (root, "key");
  const char *secret = json_object_get_string_member (root, "secret");
  JsonArray *requests = json_object_get_array_member (root, "requests");

  g_assert_cmpuint (json_array_get_length (requests), >, 0);

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *vector = json_array_get_object_element (requests, i);
      JsonObject *params = json_object_get_object_member (vector, "params");
      const char *method = json_object_get_string_member (vector, "method");
      g_autoptr(GHashTable) table = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GList) members = json_object_get_members (params);
      g_autofree char *query = NULL;
      g_autofree char *sign = NULL;
      g_autofree char *sign_of_vector_query = NULL;
      g_autofree char *authorization = NULL;

      g_test_message ("request vector %u: %s", i, method);
      assert_members_known (vector, known);
      for (GList *l = members; l != NULL; l = l->next)
        g_hash_table_insert (table, l->data,
                             (gpointer) json_object_get_string_member (params, l->data));

      query = nc_zadarma_encode_params (table);
      g_assert_cmpstr (query, ==, json_object_get_string_member (vector, "query"));

      /* From the project's own query, and from the vector's: both must sign the same. */
      sign = nc_zadarma_sign_request (method, query, secret);
      g_assert_cmpstr (sign, ==, json_object_get_string_member (vector, "sign"));
      sign_of_vector_query = nc_zadarma_sign_request (method,
                                                      json_object_get_string_member (vector, "query"),
                                                      secret);
      g_assert_cmpstr (sign_of_vector_query, ==, json_object_get_string_member (vector, "sign"));

      authorization = nc_zadarma_authorization (key, method, query, secret);
      g_assert_cmpstr (authorization, ==, json_object_get_string_member (vector, "authorization"));
    }
}

/* Each webhook vector through the project's code twice: the signature made from the
 * vector's list of signed fields, and the one the listener expects, which picks the signed
 * fields from the event type itself; then the listener's check accepts the event with it
 * and refuses it with any signed field changed. */
static void
test_webhook_vectors (void)
{
  static const char *const known[] = { "fields", "signed_fields", "signature", NULL };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *root = load_vectors (&parser);
  const char *secret = json_object_get_string_member (root, "secret");
  JsonArray *hooks = json_object_get_array_member (root, "webhooks");

  g_assert_cmpuint (json_array_get_length (hooks), >, 0);

  for (guint i = 0; i < json_array_get_length (hooks); i++)
    {
      JsonObject *vector = json_array_get_object_element (hooks, i);
      JsonObject *fields = json_object_get_object_member (vector, "fields");
      JsonArray *signed_fields = json_object_get_array_member (vector, "signed_fields");
      const char *expected = json_object_get_string_member (vector, "signature");
      g_autoptr(GPtrArray) values = g_ptr_array_new ();
      g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_autoptr(GList) members = json_object_get_members (fields);
      g_autoptr(NcCallEvent) event = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *signature = NULL;
      g_autofree char *listener_signature = NULL;

      g_test_message ("webhook vector %u: %s", i, json_object_get_string_member (fields, "event"));
      assert_members_known (vector, known);
      for (guint j = 0; j < json_array_get_length (signed_fields); j++)
        g_ptr_array_add (values, (gpointer) json_object_get_string_member (
                                   fields, json_array_get_string_element (signed_fields, j)));
      g_ptr_array_add (values, NULL);
      signature = nc_zadarma_sign_webhook (secret, (const char *const *) values->pdata);
      g_assert_cmpstr (signature, ==, expected);

      for (GList *l = members; l != NULL; l = l->next)
        g_hash_table_insert (table, g_strdup (l->data),
                             g_strdup (json_object_get_string_member (fields, l->data)));
      listener_signature = nc_call_event_sign (secret, table);
      g_assert_cmpstr (listener_signature, ==, expected);

      event = nc_call_event_new_verified (table, secret, expected, &error);
      g_assert_no_error (error);
      g_assert_nonnull (event);

      for (guint j = 0; j < json_array_get_length (signed_fields); j++)
        {
          const char *name = json_array_get_string_element (signed_fields, j);
          g_autofree char *changed = g_strconcat (g_hash_table_lookup (table, name), "0", NULL);
          g_autofree char *original = g_strdup (g_hash_table_lookup (table, name));
          g_autoptr(NcCallEvent) refused = NULL;
          g_autoptr(GError) refusal = NULL;

          g_hash_table_replace (table, g_strdup (name), g_steal_pointer (&changed));
          refused = nc_call_event_new_verified (table, secret, expected, &refusal);
          g_assert_null (refused);
          g_assert_error (refusal, NC_CALL_EVENT_ERROR, NC_CALL_EVENT_ERROR_BAD_SIGNATURE);
          g_hash_table_replace (table, g_strdup (name), g_steal_pointer (&original));
        }
    }
}

/* The encoding that a home-made client most often gets wrong: ~, +, space, /, UTF-8, %. */
static void
test_encoding_like_php (void)
{
  g_autoptr(GHashTable) table = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *query = NULL;

  g_hash_table_insert (table, (gpointer) "b", (gpointer) "a~b c+d/é%");
  g_hash_table_insert (table, (gpointer) "a", (gpointer) "1");
  g_hash_table_insert (table, (gpointer) "B", (gpointer) "upper sorts first");
  query = nc_zadarma_encode_params (table);
  g_assert_cmpstr (query, ==, "B=upper+sorts+first&a=1&b=a%7Eb+c%2Bd%2F%C3%A9%25");
}

static void
test_secure_equal (void)
{
  g_assert_true (nc_secure_str_equal ("abc", "abc"));
  g_assert_true (nc_secure_str_equal ("", ""));
  g_assert_false (nc_secure_str_equal ("abc", "abd"));
  g_assert_false (nc_secure_str_equal ("abc", "ab"));
  g_assert_false (nc_secure_str_equal ("ab", "abc"));
  g_assert_false (nc_secure_str_equal ("", "a"));
  g_assert_false (nc_secure_str_equal ("a", ""));
  g_assert_false (nc_secure_str_equal (NULL, "a"));
  g_assert_false (nc_secure_str_equal ("a", NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/zadarma-sign/request-vectors", test_request_vectors);
  g_test_add_func ("/zadarma-sign/webhook-vectors", test_webhook_vectors);
  g_test_add_func ("/zadarma-sign/encoding-like-php", test_encoding_like_php);
  g_test_add_func ("/zadarma-sign/secure-equal", test_secure_equal);

  return nc_test_run ();
}
