/* test-webhook-server.c — the listener over loopback: every refusal, every acceptance,
 * and whole calls played by the simulator through it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "nc-call-event.h"
#include "nc-call-service.h"
#include "nc-pbx-simulator.h"
#include "nc-settings.h"
#include "nc-journal.h"
#include "nc-test-util.h"
#include "nc-webhook-server.h"

#define KEY "a1b2c3d4e5f6a7b8c9d0"
#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"
#define TOKEN "t0k3n-0123456789abcdef"

typedef struct
{
  char            *dir;
  NcStore         *store;
  NcClientMatcher *matcher;
  NcWebhookServer *server;
  SoupSession     *session;
  char            *base;
  gboolean         mounted;
} Fixture;

typedef struct
{
  guint  status;
  char  *body;
} Reply;

static void
fixture_start (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  fixture->store = nc_store_open_sync (fixture->dir, &error);
  g_assert_no_error (error);
  fixture->matcher = nc_client_matcher_new (fixture->store);
  fixture->server = nc_webhook_server_new (fixture->store, SECRET, TOKEN);
  nc_webhook_server_set_matcher (fixture->server, fixture->matcher);
  g_assert_true (nc_webhook_server_listen (fixture->server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  fixture->base = g_strdup_printf ("http://127.0.0.1:%u", nc_webhook_server_get_port (fixture->server));
  fixture->session = soup_session_new_with_options ("timeout", 10, NULL);
  soup_session_set_proxy_resolver (fixture->session, NULL);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = nc_test_make_temp_dir ();
  fixture_start (fixture);
}

/* The store on a file system of 512 KiB, when this machine lets a test mount one. */
static void
fixture_set_up_small_disk (Fixture       *fixture,
                           gconstpointer  data)
{
  fixture->dir = nc_test_make_temp_dir ();
  fixture->mounted = nc_test_mount_small_disk (fixture->dir, 512);
  fixture_start (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_clear_object (&fixture->session);
  nc_webhook_server_stop (fixture->server);
  /* A match's worker thread lets go of its objects a moment after answering. */
  while ((G_OBJECT (fixture->server)->ref_count > 1 || G_OBJECT (fixture->matcher)->ref_count > 2) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_finalize_object (fixture->server);
  g_assert_finalize_object (fixture->matcher);
  nc_test_wait_for_last_reference (fixture->store);
  g_assert_finalize_object (fixture->store);
  if (fixture->mounted)
    nc_test_unmount_small_disk (fixture->dir);
  nc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->base);
}

static void
sent (GObject      *source,
      GAsyncResult *result,
      gpointer      user_data)
{
  Reply *reply = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                               &error);

  g_assert_no_error (error);
  reply->status = soup_message_get_status (soup_session_get_async_result_message (
                                             SOUP_SESSION (source), result));
  reply->body = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static Reply
request (Fixture    *fixture,
         const char *method,
         const char *path,
         const char *content_type,
         const char *body,
         gssize      length,
         const char *signature)
{
  g_autofree char *url = g_strconcat (fixture->base, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  Reply reply = { 0, NULL };

  g_assert_nonnull (message);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, length >= 0 ? (gsize) length : strlen (body));

      soup_message_set_request_body_from_bytes (message, content_type, bytes);
    }
  if (signature != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (message), "Signature",
                                  signature);
  soup_session_send_and_read_async (fixture->session, message, G_PRIORITY_DEFAULT, NULL, sent,
                                    &reply);
  while (reply.body == NULL)
    g_main_context_iteration (NULL, TRUE);
  return reply;
}

static GHashTable *
fields_new (const char *first,
            ...)
{
  GHashTable *fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  va_list args;

  va_start (args, first);
  for (const char *key = first; key != NULL; key = va_arg (args, const char *))
    g_hash_table_insert (fields, g_strdup (key), g_strdup (va_arg (args, const char *)));
  va_end (args);
  return fields;
}

/* Posts @fields, form-encoded and signed as the PBX signs (an unknown type: unsigned). */
static Reply
post_event (Fixture    *fixture,
            GHashTable *fields)
{
  g_autofree char *signature = nc_call_event_sign (SECRET, fields);
  g_autofree char *body = soup_form_encode_hash (fields);

  return request (fixture, "POST", "/zadarma_webhook/" TOKEN, "application/x-www-form-urlencoded",
                  body, -1, signature);
}

static guint
stored_events (Fixture *fixture)
{
  g_autoptr(GPtrArray) events = nc_store_list_call_events_sync (fixture->store, 0, G_MAXINT, NULL);

  return events->len;
}

/* Now, in this computer's time: the listener refuses a call_start far from it. */
static char *now_text;

#define START_FIELDS "event", "NOTIFY_START", "call_start", now_text, \
  "pbx_call_id", "in_1", "caller_id", "79004443322", "called_did", "74951234567"
#define END_FIELDS "event", "NOTIFY_END", "call_start", now_text, "pbx_call_id", "in_1", \
  "caller_id", "79004443322", "called_did", "74951234567", "internal", "100", "duration", "65", \
  "disposition", "answered", "status_code", "16", "is_recorded", "1", "call_id_with_rec", "1.2"

/* Builds the event from a list of fields, with @drop removed and @key set to @value. */
static GHashTable *
variant (GHashTable *base,
         const char *drop,
         const char *key,
         const char *value)
{
  GHashTable *fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer k, v;

  g_hash_table_iter_init (&iter, base);
  while (g_hash_table_iter_next (&iter, &k, &v))
    if (g_strcmp0 (k, drop) != 0)
      g_hash_table_insert (fields, g_strdup (k), g_strdup (v));
  if (key != NULL)
    g_hash_table_insert (fields, g_strdup (key), g_strdup (value));
  return fields;
}

static void
test_bad_requests (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GHashTable) start = fields_new (START_FIELDS, NULL);
  g_autoptr(GHashTable) end = fields_new (END_FIELDS, NULL);
  g_autoptr(GHashTable) internal = fields_new ("event", "NOTIFY_INTERNAL", "call_start",
                                               now_text, "pbx_call_id", "in_1",
                                               "caller_id", "79004443322", "called_did",
                                               "74951234567", "internal", "100", NULL);
  g_autoptr(GHashTable) answer = fields_new ("event", "NOTIFY_ANSWER", "call_start",
                                             now_text, "pbx_call_id", "in_1",
                                             "caller_id", "79004443322", "destination", "100", NULL);
  g_autoptr(GHashTable) out_start = fields_new ("event", "NOTIFY_OUT_START", "call_start",
                                                now_text, "pbx_call_id", "out_1",
                                                "caller_id", "79500000033", "internal", "100",
                                                "destination", "79004443322", NULL);
  g_autoptr(GHashTable) out_end = variant (out_start, NULL, "event", "NOTIFY_OUT_END");
  g_autoptr(GHashTable) record = fields_new ("event", "NOTIFY_RECORD", "pbx_call_id", "in_1",
                                             "call_id_with_rec", "1.2", NULL);
  g_autofree char *start_body = soup_form_encode_hash (start);
  g_autofree char *start_signature = nc_call_event_sign (SECRET, start);
  g_autoptr(GString) huge = g_string_new ("event=NOTIFY_START&note=");
  const char *form = "application/x-www-form-urlencoded";
  const char *p = "/zadarma_webhook/" TOKEN;
  struct
  {
    const char *what;
    const char *method;
    const char *path;
    const char *content_type;
    const char *body;
    gssize      length;
    const char *signature;
    guint       status;
  } raw[] = {
    { "wrong token", "POST", "/zadarma_webhook/wrong-token-0123456789", form, start_body, -1, start_signature, 404 },
    { "no token", "POST", "/zadarma_webhook/", form, start_body, -1, start_signature, 404 },
    { "root", "POST", "/", form, start_body, -1, start_signature, 404 },
    { "token and more", "POST", "/zadarma_webhook/" TOKEN "/x", form, start_body, -1, start_signature, 404 },
    { "token prefix", "POST", "/zadarma_webhook/t0k3n", form, start_body, -1, start_signature, 404 },
    { "PUT", "PUT", p, form, start_body, -1, start_signature, 405 },
    { "DELETE", "DELETE", p, NULL, NULL, 0, NULL, 405 },
    { "GET without zd_echo", "GET", p, NULL, NULL, 0, NULL, 405 },
    { "huge body", "POST", p, form, NULL, 0, start_signature, 413 },
    { "text/plain", "POST", p, "text/plain", start_body, -1, start_signature, 415 },
    { "JSON", "POST", p, "application/json", "{\"event\":\"NOTIFY_START\"}", -1, start_signature, 415 },
    { "empty body", "POST", p, form, "", 0, start_signature, 400 },
    { "invalid UTF-8", "POST", p, form, "event=NOTIFY_START&caller_id=%FF%FE", -1, start_signature, 400 },
    { "NUL byte", "POST", p, form, "event=NOTIFY_START\0&x=1", 22, start_signature, 400 },
    { "missing Signature", "POST", p, form, start_body, -1, NULL, 401 },
    { "wrong Signature", "POST", p, form, start_body, -1, "MDAwZmE1ODIzODk4MGI0ZWM1OTA3ZmRlNjI1YzljMjg0OTc4ZjAxNw==", 401 },
    { "signature of the raw digest", "POST", p, form, start_body, -1, "not-base64", 401 },
  };
  struct
  {
    const char *what;
    GHashTable *fields;
  } events[] = {
    { "START without caller_id", variant (start, "caller_id", NULL, NULL) },
    { "START without called_did", variant (start, "called_did", NULL, NULL) },
    { "START without call_start", variant (start, "call_start", NULL, NULL) },
    { "START without pbx_call_id", variant (start, "pbx_call_id", NULL, NULL) },
    { "START, impossible date", variant (start, NULL, "call_start", "2026-13-45 99:99:99") },
    { "START, call_start in words", variant (start, NULL, "call_start", "yesterday") },
    { "START, empty pbx_call_id", variant (start, NULL, "pbx_call_id", "") },
    { "START, control character", variant (start, NULL, "pbx_call_id", "in\n1") },
    { "START, empty caller_id", variant (start, NULL, "caller_id", "") },
    { "END, negative duration", variant (end, NULL, "duration", "-5") },
    { "END, duration in words", variant (end, NULL, "duration", "long") },
    { "END, is_recorded 2", variant (end, NULL, "is_recorded", "2") },
    { "END, unknown disposition", variant (end, NULL, "disposition", "exploded") },
    { "END without disposition", variant (end, "disposition", NULL, NULL) },
    { "END, status_code in words", variant (end, NULL, "status_code", "x") },
    { "INTERNAL without internal", variant (internal, "internal", NULL, NULL) },
    { "INTERNAL, internal in words", variant (internal, NULL, "internal", "abc") },
    { "ANSWER without destination", variant (answer, "destination", NULL, NULL) },
    { "OUT_START without internal", variant (out_start, "internal", NULL, NULL) },
    { "OUT_END without duration", variant (out_end, NULL, NULL, NULL) },
    { "RECORD without call_id_with_rec", variant (record, "call_id_with_rec", NULL, NULL) },
  };
  guint count = 0;

  while (huge->len < NC_WEBHOOK_MAX_BODY + 1024)
    g_string_append (huge, "xxxxxxxxxxxxxxxx");
  raw[8].body = huge->str;
  raw[8].length = (gssize) huge->len;

  for (guint i = 0; i < G_N_ELEMENTS (raw); i++, count++)
    {
      Reply reply = request (fixture, raw[i].method, raw[i].path, raw[i].content_type,
                             raw[i].body, raw[i].length, raw[i].signature);

      g_test_message ("%s: %u %s", raw[i].what, reply.status, reply.body);
      g_assert_cmpuint (reply.status, ==, raw[i].status);
      g_free (reply.body);
    }

  for (guint i = 0; i < G_N_ELEMENTS (events); i++, count++)
    {
      Reply reply = post_event (fixture, events[i].fields);

      g_test_message ("%s: %u %s", events[i].what, reply.status, reply.body);
      g_assert_cmpuint (reply.status, ==, 400);
      /* The reason is in the body. */
      g_assert_cmpuint (strlen (reply.body), >, 10);
      g_free (reply.body);
      g_hash_table_unref (events[i].fields);
    }

  g_assert_cmpuint (count, >=, 30);
  g_assert_cmpuint (stored_events (fixture), ==, 0);
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->accepted, ==, 0);
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->rejected_signature, ==, 3);
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->rejected_not_found, ==, 5);
}

static void
test_echo (Fixture       *fixture,
           gconstpointer  data)
{
  Reply reply = request (fixture, "GET", "/zadarma_webhook/" TOKEN "?zd_echo=k2Gk8rQ1", NULL, NULL,
                         0, NULL);

  g_assert_cmpuint (reply.status, ==, 200);
  g_assert_cmpstr (reply.body, ==, "k2Gk8rQ1");
  g_free (reply.body);

  /* Without the token, no echo either. */
  reply = request (fixture, "GET", "/zadarma_webhook/nope-0123456789abcdef?zd_echo=x", NULL, NULL, 0,
                   NULL);
  g_assert_cmpuint (reply.status, ==, 404);
  g_free (reply.body);
}

/* Acknowledged means on disk; a replay stores nothing new; a ring group's events are
 * all kept; an unknown type is answered and ignored. */
static void
test_accept_replay_ring_group (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GHashTable) start = fields_new (START_FIELDS, NULL);
  g_autoptr(GHashTable) first = variant (start, NULL, "event", "NOTIFY_INTERNAL");
  g_autoptr(GHashTable) ring_100 = variant (first, NULL, "internal", "100");
  g_autoptr(GHashTable) ring_101 = variant (first, NULL, "internal", "101");
  g_autoptr(GHashTable) unknown = fields_new ("event", "NOTIFY_SMS", "text", "hi", NULL);
  g_autoptr(GHashTable) anonymous = variant (start, NULL, "caller_id", "anonymous");
  Reply reply;

  reply = post_event (fixture, start);
  g_assert_cmpuint (reply.status, ==, 200);
  g_free (reply.body);
  g_assert_cmpuint (stored_events (fixture), ==, 1);

  reply = post_event (fixture, start);
  g_assert_cmpuint (reply.status, ==, 200);
  g_free (reply.body);
  g_assert_cmpuint (stored_events (fixture), ==, 1);
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->duplicates, ==, 1);

  reply = post_event (fixture, ring_100);
  g_free (reply.body);
  reply = post_event (fixture, ring_101);
  g_assert_cmpuint (reply.status, ==, 200);
  g_free (reply.body);
  g_assert_cmpuint (stored_events (fixture), ==, 3);

  reply = post_event (fixture, unknown);
  g_assert_cmpuint (reply.status, ==, 200);
  g_free (reply.body);
  g_assert_cmpuint (stored_events (fixture), ==, 3);
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->ignored, ==, 1);

  g_hash_table_insert (anonymous, g_strdup ("pbx_call_id"), g_strdup ("in_2"));
  reply = post_event (fixture, anonymous);
  g_assert_cmpuint (reply.status, ==, 200);
  g_free (reply.body);
  g_assert_cmpuint (stored_events (fixture), ==, 4);
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->accepted, ==, 4);
  g_assert_cmpint (nc_webhook_server_get_health (fixture->server)->last_event_at, >, 0);
}

/* Every webhook vector of the shared file, as the PBX would send it, is accepted. */
static void
test_vectors_accepted (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *path = nc_test_shared_path ("vectors/zadarma-signatures.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *hooks;

  /* Signed with the fixed call_start they were computed for. */
  nc_webhook_server_set_event_window (fixture->server, 0);
  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  hooks = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                        "webhooks");
  for (guint i = 0; i < json_array_get_length (hooks); i++)
    {
      JsonObject *vector = json_array_get_object_element (hooks, i);
      JsonObject *fields = json_object_get_object_member (vector, "fields");
      g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GList) members = json_object_get_members (fields);
      g_autofree char *body = NULL;
      Reply reply;

      for (GList *l = members; l != NULL; l = l->next)
        g_hash_table_insert (form, l->data, (gpointer) json_object_get_string_member (fields, l->data));
      body = soup_form_encode_hash (form);
      reply = request (fixture, "POST", "/zadarma_webhook/" TOKEN,
                       "application/x-www-form-urlencoded", body, -1,
                       json_object_get_string_member (vector, "signature"));
      g_test_message ("%s: %s", (char *) g_hash_table_lookup (form, "event"), reply.body);
      g_assert_cmpuint (reply.status, ==, 200);
      g_free (reply.body);
    }
  g_assert_cmpuint (stored_events (fixture), ==, json_array_get_length (hooks));
}

static void
test_caller_name (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) start = fields_new (START_FIELDS, NULL);
  NcClient *client = nc_client_new (0, "Иван Петров", NC_CHANNEL_TELEPHONY, "79004443322", 0);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  const NcCallRecord *call;
  Reply reply;

  nc_client_take_variables (client, g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free));
  g_ptr_array_add (drafts, client);
  g_assert_true (nc_store_add_clients_sync (fixture->store, drafts, &ids, NULL));

  reply = post_event (fixture, start);
  g_assert_cmpuint (reply.status, ==, 200);
  g_assert_cmpstr (reply.body, ==, "{\"caller_name\":\"Иван Петров\"}");
  g_free (reply.body);

  /* The match is kept with the call, from its first row on: nobody matches it again. */
  calls = nc_store_list_calls_sync (fixture->store, NULL, NULL, 10, NULL);
  g_assert_nonnull (calls);
  g_assert_cmpuint (calls->len, ==, 1);
  call = calls->pdata[0];
  g_assert_cmpint (call->client_id, ==, g_array_index (ids, gint64, 0));
  g_assert_cmpstr (call->match_rule, ==,
                   nc_match_rule_to_string (NC_MATCH_RULE_TELEPHONY_CLIENT));
}

/* A body that the old, lenient decoder would have taken — cut short, a pair dropped, a
 * field overwritten — signed for what it would have stored: each is 400 now, and nothing
 * is stored. */
static void
test_strict_form (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GHashTable) start = fields_new (START_FIELDS, NULL);
  g_autoptr(GHashTable) end = fields_new (END_FIELDS, NULL);
  g_autoptr(GHashTable) end_without_rec = variant (end, "call_id_with_rec", NULL, NULL);
  g_autoptr(GHashTable) overwritten = variant (start, NULL, "caller_id", "79990000000");
  g_autofree char *start_body = soup_form_encode_hash (start);
  g_autofree char *end_body = soup_form_encode_hash (end_without_rec);
  g_autofree char *start_signature = nc_call_event_sign (SECRET, start);
  g_autofree char *end_signature = nc_call_event_sign (SECRET, end_without_rec);
  g_autofree char *overwritten_signature = nc_call_event_sign (SECRET, overwritten);
  g_autofree char *cut = NULL;
  g_autofree char *undecodable = g_strconcat (start_body, "&note%G1=x", NULL);
  g_autofree char *no_equals = g_strconcat (end_body, "&call_id_with_rec", NULL);
  g_autofree char *twice = g_strconcat (start_body, "&caller_id=79990000000", NULL);
  g_autofree char *empty_pair = g_strconcat (start_body, "&", NULL);
  g_autofree char *no_name = g_strconcat (start_body, "&=x", NULL);
  g_autofree char *raw_utf8 = g_strconcat (start_body, "&caller_id2=%D0", NULL);
  struct
  {
    const char *what;
    const char *body;
    const char *signature;
    const char *reason;
  } cases[] = {
    { "%00 in a value", NULL, start_signature, "NUL byte" },
    { "a pair that does not decode", undecodable, start_signature, "hexadecimal" },
    { "a pair without =", no_equals, end_signature, "has no “=”" },
    { "a field given twice", twice, overwritten_signature, "given twice" },
    { "an empty pair", empty_pair, start_signature, "has no “=”" },
    { "a pair without a name", no_name, start_signature, "has no name" },
    { "half a UTF-8 character", raw_utf8, start_signature, "not UTF-8" },
  };
  g_auto(GStrv) pairs = g_strsplit (start_body, "&", -1);
  GString *with_nul = g_string_new (NULL);

  /* caller_id=79004443322%00evil: signed for 79004443322, which is what a C string of it
   * would have said. */
  for (guint i = 0; pairs[i] != NULL; i++)
    g_string_append_printf (with_nul, "%s%s%s", i > 0 ? "&" : "", pairs[i],
                            g_str_has_prefix (pairs[i], "caller_id=") ? "%00evil" : "");
  cut = g_string_free (with_nul, FALSE);
  cases[0].body = cut;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Reply reply = request (fixture, "POST", "/zadarma_webhook/" TOKEN,
                             "application/x-www-form-urlencoded", cases[i].body, -1,
                             cases[i].signature);

      g_test_message ("%s: %u %s", cases[i].what, reply.status, reply.body);
      g_assert_cmpuint (reply.status, ==, 400);
      g_assert_nonnull (strstr (reply.body, cases[i].reason));
      g_free (reply.body);
    }
  g_assert_cmpuint (stored_events (fixture), ==, 0);
}

typedef struct
{
  guint  status;
  char  *body;
  gboolean done;
} Sent;

static void
message_sent (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Sent *sent = user_data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                               NULL);

  sent->status = body != NULL
                 ? soup_message_get_status (soup_session_get_async_result_message (
                                              SOUP_SESSION (source), result))
                 : 0;
  sent->body = body != NULL ? g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body))
                            : NULL;
  sent->done = TRUE;
}

static Sent
send_message (Fixture     *fixture,
              SoupMessage *message)
{
  Sent sent = { 0, NULL, FALSE };

  soup_session_send_and_read_async (fixture->session, message, G_PRIORITY_DEFAULT, NULL,
                                    message_sent, &sent);
  while (!sent.done)
    g_main_context_iteration (NULL, TRUE);
  return sent;
}

/* Two Signature headers: which one counts is not for the listener to guess. */
static void
test_two_signatures (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GHashTable) start = fields_new (START_FIELDS, NULL);
  g_autofree char *body = soup_form_encode_hash (start);
  g_autofree char *signature = nc_call_event_sign (SECRET, start);
  g_autofree char *url = g_strconcat (fixture->base, "/zadarma_webhook/" TOKEN, NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("POST", url);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);
  Sent sent;

  soup_message_set_request_body_from_bytes (message, "application/x-www-form-urlencoded", bytes);
  soup_message_headers_append (headers, "Signature", "bm90LXRoZS1zaWduYXR1cmU=");
  soup_message_headers_append (headers, "Signature", signature);
  sent = send_message (fixture, message);
  g_assert_cmpuint (sent.status, ==, 400);
  g_assert_nonnull (strstr (sent.body, "Signature"));
  g_free (sent.body);
  g_assert_cmpuint (stored_events (fixture), ==, 0);
}

/* Only the fields an event type has, each within its size: a captured event sent again
 * with one more field is not a new event. */
static void
test_fields_allowed (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GHashTable) start = fields_new (START_FIELDS, NULL);
  g_autoptr(GHashTable) end = fields_new (END_FIELDS, NULL);
  g_autoptr(GHashTable) answer = fields_new ("event", "NOTIFY_ANSWER", "call_start", now_text,
                                             "pbx_call_id", "in_1", "caller_id", "79004443322",
                                             "destination", "100", "internal", "100", NULL);
  g_autoptr(GString) long_id = g_string_new ("in_");
  g_autoptr(GString) long_rec = g_string_new ("1.");
  struct
  {
    const char *what;
    GHashTable *fields;
    guint       status;
  } cases[] = {
    { "START and &foo=", variant (start, NULL, "foo", ""), 400 },
    { "START and internal", variant (start, NULL, "internal", "100"), 400 },
    { "START and duration", variant (start, NULL, "duration", "5"), 400 },
    { "RECORD and call_start", fields_new ("event", "NOTIFY_RECORD", "pbx_call_id", "in_1",
                                           "call_id_with_rec", "1.2", "call_start", now_text,
                                           NULL), 400 },
    { "END and last_internal", variant (end, NULL, "last_internal", "101"), 200 },
    { "ANSWER and internal", variant (answer, NULL, NULL, NULL), 200 },
    { "END, call_id_with_rec of 129", NULL, 400 },
    { "START, pbx_call_id of 129", NULL, 400 },
    { "START and a field with a name of 129", NULL, 400 },
  };

  while (long_id->len < 129)
    g_string_append_c (long_id, 'x');
  while (long_rec->len < 129)
    g_string_append_c (long_rec, '7');
  cases[6].fields = variant (end, NULL, "call_id_with_rec", long_rec->str);
  cases[7].fields = variant (start, NULL, "pbx_call_id", long_id->str);
  cases[8].fields = variant (start, NULL, long_id->str, "");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Reply reply = post_event (fixture, cases[i].fields);

      g_test_message ("%s: %u %s", cases[i].what, reply.status, reply.body);
      g_assert_cmpuint (reply.status, ==, cases[i].status);
      g_free (reply.body);
      g_hash_table_unref (cases[i].fields);
    }
  g_assert_cmpuint (stored_events (fixture), ==, 2);
}

static char *
local_time_text (GTimeSpan from_now)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) then = g_date_time_add (now, from_now);

  return g_date_time_format (then, "%Y-%m-%d %H:%M:%S");
}

static guint
post_started (Fixture    *fixture,
              GTimeSpan   from_now,
              const char *pbx_call_id)
{
  g_autofree char *start = local_time_text (from_now);
  g_autoptr(GHashTable) fields = fields_new ("event", "NOTIFY_START", "call_start", start,
                                             "pbx_call_id", pbx_call_id, "caller_id",
                                             "79004443322", "called_did", "74951234567", NULL);
  Reply reply = post_event (fixture, fields);

  g_test_message ("call_start %s: %u %s", start, reply.status, reply.body);
  g_free (reply.body);
  return reply.status;
}

/* The signature has no time: a captured event could be sent for ever. One whose signed
 * call_start is far from now is refused; the window (a day) is a setting. */
static void
test_event_window (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GSettings) settings = nc_settings_new_if_installed ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (post_started (fixture, 0, "in_now"), ==, 200);
  /* The end of a call that began hours ago carries its start. */
  g_assert_cmpuint (post_started (fixture, -5 * G_TIME_SPAN_HOUR, "in_long"), ==, 200);
  g_assert_cmpuint (post_started (fixture, -2 * G_TIME_SPAN_DAY, "in_old"), ==, 400);
  g_assert_cmpuint (post_started (fixture, 2 * G_TIME_SPAN_DAY, "in_future"), ==, 400);
  g_assert_cmpuint (stored_events (fixture), ==, 2);

  /* The GSettings key sets it, for a listener made after: a minute. */
  g_assert_nonnull (settings);
  g_assert_cmpint (g_settings_get_int (settings, "webhook-event-window"), ==,
                   NC_WEBHOOK_DEFAULT_EVENT_WINDOW);
  g_settings_set_int (settings, "webhook-event-window", 60);
  nc_webhook_server_stop (fixture->server);
  nc_test_wait_for_last_reference (fixture->server);
  g_clear_object (&fixture->server);
  fixture->server = nc_webhook_server_new (fixture->store, SECRET, TOKEN);
  g_assert_true (nc_webhook_server_listen (fixture->server, "127.0.0.1", 0, &error));
  g_free (fixture->base);
  fixture->base = g_strdup_printf ("http://127.0.0.1:%u", nc_webhook_server_get_port (fixture->server));
  g_assert_cmpuint (post_started (fixture, -2 * G_TIME_SPAN_MINUTE, "in_minutes"), ==, 400);
  g_assert_cmpuint (post_started (fixture, -30 * G_TIME_SPAN_SECOND, "in_seconds"), ==, 200);
  g_settings_reset (settings, "webhook-event-window");
}

/* Only the PBX's documented addresses, when asked: loopback is not one of them. */
static void
test_pbx_sources_only (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GHashTable) start = fields_new (START_FIELDS, NULL);
  g_autofree char *url = g_strconcat (fixture->base, "/zadarma_webhook/" TOKEN "?zd_echo=x", NULL);
  Reply reply;

  nc_webhook_server_set_pbx_sources_only (fixture->server, TRUE);
  {
    g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
    Sent sent = send_message (fixture, message);

    /* Closed at once, without a word: the client sees no answer at all. */
    g_assert_cmpuint (sent.status, ==, 0);
    g_assert_null (sent.body);
  }
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->refused_source, ==, 1);

  nc_webhook_server_set_pbx_sources_only (fixture->server, FALSE);
  reply = post_event (fixture, start);
  g_assert_cmpuint (reply.status, ==, 200);
  g_free (reply.body);
}

/* The caller's name goes to a phone's screen: a name of any length (one stored before
 * imports had a limit, say) is cut to NC_WEBHOOK_MAX_CALLER_NAME characters. */
static void
test_caller_name_capped (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) start = fields_new (START_FIELDS, NULL);
  g_autoptr(GString) name = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  NcClient *client;
  Reply reply;
  const char *answered;

  for (guint i = 0; i < 1000; i++)
    g_string_append (name, "Ж");
  client = nc_client_new (0, name->str, NC_CHANNEL_TELEPHONY, "79004443322", 0);
  nc_client_take_variables (client, g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free));
  g_ptr_array_add (drafts, client);
  g_assert_true (nc_store_add_clients_sync (fixture->store, drafts, NULL, NULL));

  reply = post_event (fixture, start);
  g_assert_cmpuint (reply.status, ==, 200);
  g_assert_true (json_parser_load_from_data (parser, reply.body, -1, NULL));
  answered = json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                            "caller_name");
  g_assert_cmpint (g_utf8_strlen (answered, -1), ==, NC_WEBHOOK_MAX_CALLER_NAME);
  g_assert_true (g_str_has_prefix (name->str, answered));
  g_free (reply.body);
}

typedef struct
{
  char *pbx_call_id;
  gboolean done;
} Played;

static void
played (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Played *played_call = user_data;
  g_autoptr(GError) error = NULL;

  played_call->pbx_call_id = nc_pbx_simulator_play_call_finish (NC_PBX_SIMULATOR (source), result,
                                                                &error);
  g_assert_no_error (error);
  played_call->done = TRUE;
}

static char *
play (NcPbxSimulator    *simulator,
      NcPbxCallScenario  scenario,
      const char        *client)
{
  Played result = { NULL, FALSE };

  nc_pbx_simulator_play_call_async (simulator, scenario, client, "74951234567", "100", 5, NULL,
                                    played, &result);
  while (!result.done)
    g_main_context_iteration (NULL, TRUE);
  return result.pbx_call_id;
}

static void
tied (NcCallTracker *tracker,
      gint64         id,
      NcCall        *call,
      gint64        *out)
{
  *out = id;
}

typedef struct
{
  NcCallTracker *tracker;
  NcCallService *service;
  const char    *answered;
  guint          n_calls;
} WholeCalls;

static gboolean
whole_calls_done (WholeCalls *whole)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  NcCall *answered = nc_call_tracker_lookup (whole->tracker, whole->answered);

  /* The tracker hears of a commit on the main context, a moment after the rows are there
   * for a reader: it is waited for too. */
  if (nc_call_service_get_busy (whole->service) > 0 || answered == NULL ||
      nc_call_get_record_link (answered) == NULL || nc_call_get_client_name (answered) == NULL ||
      g_list_model_get_n_items (nc_call_tracker_get_live_calls (whole->tracker)) > 0)
    return FALSE;
  calls = nc_store_list_calls_sync (nc_call_tracker_get_store (whole->tracker), NULL, NULL, 10,
                                    &error);
  for (guint i = 0; i < calls->len; i++)
    if (((NcCallRecord *) calls->pdata[i])->state != NC_CALL_STATE_ENDED)
      return FALSE;
  return calls->len == whole->n_calls;
}

/* The simulator plays whole calls through the real listener; the writer makes their rows,
 * the tracker follows them, the service matches the clients and fetches the recordings,
 * which end up on the client. */
static void
test_whole_calls (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(NcPbxSimulator) simulator = nc_pbx_simulator_new (KEY, SECRET);
  g_autoptr(NcCallTracker) tracker = nc_call_tracker_new ();
  g_autoptr(NcCallService) service = NULL;
  g_autoptr(NcJournal) journal = NULL;
  g_autoptr(NcZadarmaClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *api = NULL;
  g_autofree char *hook = g_strconcat (fixture->base, "/zadarma_webhook/" TOKEN, NULL);
  g_autofree char *answered = NULL;
  g_autofree char *missed = NULL;
  g_autofree char *outgoing = NULL;
  g_autofree char *busy = NULL;
  g_autoptr(NcClient) stored = NULL;
  WholeCalls whole = { 0 };
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  NcCall *call;
  gint64 request, tied_to = 0;

  g_assert_true (nc_call_tracker_start_sync (tracker, fixture->store, &error));
  /* What the window shows: the calls are held there, and the tracker keeps them current. */
  journal = nc_journal_new (tracker);
  service = nc_call_service_new (fixture->store, fixture->matcher, tracker);
  g_assert_true (nc_pbx_simulator_start (simulator, 0, NULL));
  api = nc_pbx_simulator_get_url (simulator);
  client = nc_zadarma_client_new (api, KEY, SECRET);
  nc_call_service_set_client (service, client);
  nc_call_service_start (service);
  nc_pbx_simulator_set_webhook_target (simulator, hook);
  g_signal_connect (tracker, "callback-tied", G_CALLBACK (tied), &tied_to);

  answered = play (simulator, NC_PBX_CALL_INCOMING_ANSWERED, "79004443322");
  missed = play (simulator, NC_PBX_CALL_INCOMING_MISSED, "79161112233");
  request = nc_store_request_callback_sync (fixture->store, "79051234567", "100",
                                            g_get_real_time (), 60, &error);
  g_assert_no_error (error);
  outgoing = play (simulator, NC_PBX_CALL_OUTGOING_ANSWERED, "79051234567");
  busy = play (simulator, NC_PBX_CALL_OUTGOING_BUSY, "79059998877");

  whole.tracker = tracker;
  whole.service = service;
  whole.answered = answered;
  whole.n_calls = 4;
  while (!whole_calls_done (&whole) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  g_assert_true (whole_calls_done (&whole));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (journal)), ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (nc_call_tracker_get_live_calls (tracker)), ==, 0);

  call = nc_call_tracker_lookup (tracker, answered);
  g_assert_cmpint (nc_call_get_state (call), ==, NC_CALL_STATE_ENDED);
  g_assert_cmpstr (nc_call_get_disposition (call), ==, "answered");
  g_assert_cmpstr (nc_call_get_employee (call), ==, "100");
  g_assert_cmpstr (nc_call_get_client_name (call), ==, "+7 900 444-33-22");
  g_assert_nonnull (nc_call_get_record_link (call));
  stored = nc_store_get_client_sync (fixture->store, nc_call_get_client_id (call), NULL);
  g_assert_cmpstr (nc_client_get_variable (stored, "zadarma_record_link"), ==,
                   nc_call_get_record_link (call));

  call = nc_call_tracker_lookup (tracker, missed);
  g_assert_true (nc_call_is_missed (call));

  call = nc_call_tracker_lookup (tracker, outgoing);
  g_assert_cmpint (nc_call_get_direction (call), ==, NC_CALL_DIRECTION_OUT);
  g_assert_cmpint (nc_call_get_request_id (call), ==, request);
  g_assert_cmpint (tied_to, ==, request);

  call = nc_call_tracker_lookup (tracker, busy);
  g_assert_cmpstr (nc_call_get_outcome_text (call), ==, "Busy");

  /* The journal survives a restart: read from the rows, clients and links kept, nothing
   * replayed and nothing asked again. */
  {
    g_autoptr(NcCallTracker) again = nc_call_tracker_new ();
    g_autoptr(NcCallRecord) restored = NULL;
    g_autoptr(GPtrArray) rows = NULL;

    g_assert_true (nc_call_tracker_start_sync (again, fixture->store, &error));
    g_assert_cmpuint (g_list_model_get_n_items (nc_call_tracker_get_live_calls (again)), ==, 0);
    rows = nc_store_list_calls_sync (fixture->store, NULL, NULL, 10, &error);
    g_assert_cmpuint (rows->len, ==, 4);
    restored = nc_store_get_call_sync (fixture->store, answered, &error);
    g_assert_cmpstr (restored->client_name, ==, "+7 900 444-33-22");
    g_assert_cmpint (restored->recording, ==, NC_RECORDING_FETCHED);
    g_assert_nonnull (restored->record_link);
  }
  nc_pbx_simulator_stop (simulator);
}

static gboolean
accept_any_certificate (SoupMessage          *message,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  return TRUE;
}

/* With a certificate and a key, the listener speaks HTTPS only. */
static void
test_tls (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *command = g_strdup_printf ("openssl req -x509 -newkey rsa:2048 -nodes -days 1 "
                                              "-subj /CN=localhost -keyout %s -out %s", key, cert);
  g_autoptr(GError) error = NULL;
  g_autoptr(NcStore) store = NULL;
  g_autoptr(NcWebhookServer) server = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = NULL;
  g_autofree char *url = NULL;
  Reply reply = { 0, NULL };
  int wait_status = 0;

  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (wait_status, NULL));

  store = nc_store_open_sync (dir, &error);
  server = nc_webhook_server_new (store, SECRET, TOKEN);
  g_assert_true (nc_webhook_server_set_tls (server, cert, key, &error));
  g_assert_no_error (error);
  g_assert_true (nc_webhook_server_listen (server, "127.0.0.1", 0, &error));

  url = g_strdup_printf ("https://127.0.0.1:%u/zadarma_webhook/" TOKEN "?zd_echo=tls",
                         nc_webhook_server_get_port (server));
  message = soup_message_new ("GET", url);
  g_signal_connect (message, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  soup_session_set_proxy_resolver (session, NULL);
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, sent, &reply);
  while (reply.body == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (reply.status, ==, 200);
  g_assert_cmpstr (reply.body, ==, "tls");
  g_free (reply.body);

  g_assert_false (nc_webhook_server_set_tls (server, key, "/nonexistent.pem", &error));
  g_assert_nonnull (error);

  g_clear_object (&session);
  nc_webhook_server_stop (server);
  nc_test_wait_for_last_reference (server);
  g_clear_object (&server);
  nc_test_wait_for_last_reference (store);
  g_clear_object (&store);
  nc_test_remove_tree (dir);
}

static gboolean expecting_disk_full;
static guint disk_full_warnings;

/* The listener warns of each event it could not store; in the disk-full test that is
 * the point, and each warning is counted instead of ending the test. */
static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL, *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;
    else if (g_str_equal (fields[i].key, "MESSAGE"))
      message = fields[i].value;

  if (expecting_disk_full && g_strcmp0 (domain, "nc-webhook-server") == 0 &&
      message != NULL && strstr (message, "is full") != NULL)
    {
      disk_full_warnings++;
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* A full disk: an event that cannot be committed is answered 500 (so the PBX sends it
 * again), the listener goes on, and every event answered 200 is in the store. */
static void
test_disk_full (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GHashTable) start = fields_new (START_FIELDS, NULL);
  g_autoptr(GError) error = NULL;
  guint acknowledged = 0, refused = 0;

  if (!fixture->mounted)
    {
      g_test_skip ("no small file system to fill here (mounting a tmpfs needs root)");
      return;
    }

  /* Clients until the disk is all but full. */
  for (guint round = 0; round < 100; round++)
    {
      g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < 100; i++)
        {
          g_autofree char *name = g_strdup_printf ("Client %u of round %u, with a long name "
                                                   "to take room", i, round);

          g_ptr_array_add (drafts, nc_client_new (0, name, NC_CHANNEL_WHATSAPP, NULL, 0));
        }
      if (!nc_store_add_clients_sync (fixture->store, drafts, NULL, &error))
        break;
    }
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_FULL);

  expecting_disk_full = TRUE;
  for (guint i = 0; i < 300 && refused < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("in_full_%u_with_a_long_identifier_to_take_room", i);
      g_autoptr(GHashTable) event = variant (start, NULL, "pbx_call_id", id);
      Reply reply = post_event (fixture, event);

      if (reply.status == 200)
        acknowledged++;
      else
        {
          /* The reason (with the database's path) goes to the log, not to the internet. */
          g_assert_cmpuint (reply.status, ==, 500);
          g_assert_cmpstr (reply.body, ==, "The event could not be stored");
          refused++;
        }
      g_free (reply.body);
    }
  expecting_disk_full = FALSE;
  g_assert_cmpuint (refused, >, 0);
  g_assert_cmpuint (disk_full_warnings, ==, refused);
  g_assert_cmpuint (stored_events (fixture), ==, acknowledged);
  g_assert_cmpuint (nc_webhook_server_get_health (fixture->server)->failed, ==, refused);

  /* Still listening. */
  {
    Reply reply = request (fixture, "GET", "/zadarma_webhook/" TOKEN "?zd_echo=alive", NULL,
                           NULL, -1, NULL);

    g_assert_cmpuint (reply.status, ==, 200);
    g_assert_cmpstr (reply.body, ==, "alive");
    g_free (reply.body);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  g_log_set_writer_func (log_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  now_text = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

#define ADD(path, func) \
  g_test_add ("/webhook-server/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("bad-requests", test_bad_requests);
  ADD ("echo", test_echo);
  ADD ("accept-replay-ring-group", test_accept_replay_ring_group);
  ADD ("vectors-accepted", test_vectors_accepted);
  ADD ("caller-name", test_caller_name);
  ADD ("whole-calls", test_whole_calls);
  ADD ("strict-form", test_strict_form);
  ADD ("two-signatures", test_two_signatures);
  ADD ("fields-allowed", test_fields_allowed);
  ADD ("event-window", test_event_window);
  ADD ("pbx-sources-only", test_pbx_sources_only);
  ADD ("caller-name-capped", test_caller_name_capped);
#undef ADD
  g_test_add_func ("/webhook-server/tls", test_tls);
  g_test_add ("/webhook-server/disk-full", Fixture, NULL, fixture_set_up_small_disk,
              test_disk_full, fixture_tear_down);

  return nc_test_run ();
}
