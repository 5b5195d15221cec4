/* test-soak.c — `listen` under mixed valid, duplicate and invalid traffic for a while
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A listen process takes 16 concurrent streams of requests for NC_SOAK_SECONDS (10 by
 * default; build-aux/bench runs it for five minutes):
 *   - valid signed events, each new (about three in five requests);
 *   - replays of events already acknowledged, byte for byte (one in five);
 *   - requests to refuse (one in five): a wrong or missing Signature, a malformed or
 *     missing field, a wrong path token, a wrong method, a wrong content type, a body
 *     over the limit, a body that is not a form; and an unknown event type, answered 200
 *     and kept nowhere; and the PBX's zd_echo check.
 * Every answer must be the one the listener promises for that request. The listener's
 * resident memory is sampled every second.
 *
 * At the end the listener stops on SIGTERM and must exit cleanly; then every event that
 * got its 200 must be in the store exactly once, and nothing else: no replay stored twice,
 * nothing refused stored at all.
 *
 * The valid events belong to a fixed set of calls (a NOTIFY_START each, then a ring
 * group's NOTIFY_INTERNALs, each to another extension): the listen process keeps every
 * call it has seen in memory (the call journal), so traffic of ever-new calls grows it by
 * design; with a fixed set of calls, what remains is the memory of the listener itself,
 * which must settle. The mean of the last fifth of the samples is compared with the mean
 * of the samples from 10% to 30% of the run (after the start-up, the first connections
 * and SQLite's page cache have filled), see RSS_GROWTH_* for the bound and why.
 *
 * Environment: NC_SOAK_SECONDS (default 10), NC_SOAK_REPORT (a file to append Markdown
 * rows to, for build-aux/bench).
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libsoup/soup.h>

#include "nc-call-event.h"
#include "nc-store.h"
#include "nc-test-util.h"

#define KEY "a1b2c3d4e5f6a7b8c9d0"
#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"
#define TOKEN "soak-test-token-0123456789"
#define IN_FLIGHT 16
#define CALLS 500           /* the fixed set of calls the valid events belong to */
#define CALLERS 200         /* the numbers those calls come from */
#define REPLAYABLE 256      /* the last acknowledged requests kept to send again */
#define FIRST_INTERNAL 100  /* the extension of the first NOTIFY_INTERNAL */

/* The growth allowed between the two windows: the larger of an absolute floor, for the
 * noise of malloc's arenas and libsoup's buffers on a short run, and a share of the
 * settled size. See the comment at the assertion. */
#define RSS_GROWTH_FLOOR_KIB (4 * 1024)
#define RSS_GROWTH_SHARE 0.10

/* The listener needs a descriptor per connection (16 here), its SQLite connections (two
 * files each) and a few of its own: a lost socket per request would be thousands. The
 * bound is far below the soft limit of 1024 a desktop session gives a process. */
#define MAX_DESCRIPTORS 200

typedef enum
{
  KIND_VALID,
  KIND_REPLAY,
  KIND_BAD_SIGNATURE,
  KIND_NO_SIGNATURE,
  KIND_MALFORMED_FIELD,
  KIND_MISSING_FIELD,
  KIND_WRONG_TOKEN,
  KIND_WRONG_METHOD,
  KIND_WRONG_CONTENT_TYPE,
  KIND_TOO_LARGE,
  KIND_NOT_A_FORM,
  KIND_UNKNOWN_EVENT,
  KIND_ECHO,
  N_KINDS
} Kind;

static const struct
{
  const char *name;
  guint       status;
} kinds[N_KINDS] = {
  [KIND_VALID] = { "valid, new", 200 },
  [KIND_REPLAY] = { "replay of an acknowledged event", 200 },
  [KIND_BAD_SIGNATURE] = { "wrong Signature", 401 },
  [KIND_NO_SIGNATURE] = { "no Signature", 401 },
  [KIND_MALFORMED_FIELD] = { "malformed field", 400 },
  [KIND_MISSING_FIELD] = { "missing field", 400 },
  [KIND_WRONG_TOKEN] = { "wrong path token", 404 },
  [KIND_WRONG_METHOD] = { "wrong method", 405 },
  [KIND_WRONG_CONTENT_TYPE] = { "wrong content type", 415 },
  [KIND_TOO_LARGE] = { "body over 64 KiB", 413 },
  [KIND_NOT_A_FORM] = { "body not a form", 400 },
  [KIND_UNKNOWN_EVENT] = { "unknown event type", 200 },
  [KIND_ECHO] = { "zd_echo check", 200 },
};

typedef struct
{
  char  *body;
  char  *signature;
} Replayable;

typedef struct
{
  SoupSession *session;
  char        *base;        /* http://127.0.0.1:PORT */
  GRand       *rand;
  GByteArray  *acked;       /* by serial: 0 sent, 1 acknowledged */
  guint        serial;      /* of the next valid event */
  Replayable   replayable[REPLAYABLE];
  guint        n_replayable;
  guint        sent[N_KINDS];
  guint        wrong[N_KINDS];   /* answered otherwise than promised */
  guint        transport_errors;
  guint        in_flight;
  gboolean     stop;
} Load;

typedef struct
{
  Load  *load;
  Kind   kind;
  guint  serial;            /* KIND_VALID */
  char  *body;              /* KIND_VALID: kept for replays */
  char  *signature;
  char  *echo;              /* KIND_ECHO: what must come back */
} Request;

static guint
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static GSubprocess *
start_listen (const char *dir,
              guint       port)
{
  g_autofree char *program = g_build_filename (g_getenv ("NC_BUILD_ROOT"), "src",
                                               "novofon-console", NULL);
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;
  GInputStream *err;
  char buffer[512];
  gssize n;

  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_KEY", KEY, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_SECRET", SECRET, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_WEBHOOK_TOKEN", TOKEN, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_URL", "http://127.0.0.1:9", TRUE);
  /* A warning must not kill it mid-run: what it says is read and judged at the end. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  process = g_subprocess_launcher_spawn (launcher, &error, program, "--data-dir", dir, "listen",
                                         "--bind", "127.0.0.1", "--port", port_text, NULL);
  g_assert_no_error (error);

  err = g_subprocess_get_stderr_pipe (process);
  n = g_input_stream_read (err, buffer, sizeof buffer - 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 0);
  buffer[n] = '\0';
  g_assert_nonnull (strstr (buffer, "Listening"));
  return process;
}

typedef struct
{
  gboolean  done;
  char     *said;   /* what the listener wrote to its standard error after it announced itself */
} Outcome;

static void
listener_ended (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Outcome *outcome = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, NULL, &outcome->said,
                                        &error);
  g_assert_no_error (error);
  outcome->done = TRUE;
}

/* Every line of @said must be the listener's own report, and no warning or critical. */
static void
assert_said_nothing_wrong (const char *said)
{
  g_auto(GStrv) lines = g_strsplit (said != NULL ? said : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (*line == '\0' || g_str_has_prefix (line, "Stopped;"))
        continue;
      g_error ("The listener said: %s", line);
    }
}

static guint
open_descriptors_of (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/fd", g_subprocess_get_identifier (process));
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static long
rss_kib_of (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status",
                                           g_subprocess_get_identifier (process));
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line != NULL ? strtol (line + strlen ("VmRSS:"), NULL, 10) : -1;
}

/* The fields of valid event @serial: the first CALLS start the calls, every later one
 * rings another extension of call serial % CALLS. */
static GHashTable *
valid_fields (guint serial)
{
  GHashTable *fields = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  guint call = serial % CALLS;

  g_hash_table_insert (fields, (gpointer) "event",
                       g_strdup (serial < CALLS ? "NOTIFY_START" : "NOTIFY_INTERNAL"));
  g_hash_table_insert (fields, (gpointer) "call_start", g_strdup ("2026-11-23 10:15:03"));
  g_hash_table_insert (fields, (gpointer) "pbx_call_id", g_strdup_printf ("soak_%u", call));
  g_hash_table_insert (fields, (gpointer) "caller_id",
                       g_strdup_printf ("7916%07u", call % CALLERS));
  g_hash_table_insert (fields, (gpointer) "called_did", g_strdup ("74951234567"));
  if (serial >= CALLS)
    g_hash_table_insert (fields, (gpointer) "internal",
                         g_strdup_printf ("%u", FIRST_INTERNAL + serial));
  return fields;
}

/* Which valid event a stored one is, or G_MAXUINT for none. */
static guint
serial_of (const char *event_type,
           GHashTable *fields)
{
  const char *id = g_hash_table_lookup (fields, "pbx_call_id");
  const char *internal = g_hash_table_lookup (fields, "internal");
  guint64 value;

  if (id == NULL || !g_str_has_prefix (id, "soak_") ||
      !g_ascii_string_to_unsigned (id + strlen ("soak_"), 10, 0, CALLS - 1, &value, NULL))
    return G_MAXUINT;
  if (g_str_equal (event_type, "NOTIFY_START") && internal == NULL)
    return (guint) value;
  if (g_str_equal (event_type, "NOTIFY_INTERNAL") && internal != NULL)
    {
      guint64 serial;

      if (!g_ascii_string_to_unsigned (internal, 10, FIRST_INTERNAL + CALLS, G_MAXUINT32,
                                       &serial, NULL))
        return G_MAXUINT;
      serial -= FIRST_INTERNAL;
      return serial % CALLS == value ? (guint) serial : G_MAXUINT;
    }
  return G_MAXUINT;
}

static void
request_free (Request *request)
{
  g_free (request->body);
  g_free (request->signature);
  g_free (request->echo);
  g_free (request);
}

static void send_one (Load *load);

static void
answered (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Request *request = user_data;
  Load *load = request->load;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                               &error);
  guint status = body != NULL ? soup_message_get_status (message) : 0;

  load->in_flight--;
  if (body == NULL)
    {
      /* The listener closes the connection after a 413 for a body announced too large:
       * the client may see that as a failed send, never as another status. */
      if (request->kind != KIND_TOO_LARGE)
        {
          g_test_message ("A request (%s) failed: %s", kinds[request->kind].name,
                          error->message);
          load->transport_errors++;
        }
    }
  else if (status != kinds[request->kind].status)
    {
      g_test_message ("A request (%s) was answered %u, not %u", kinds[request->kind].name,
                      status, kinds[request->kind].status);
      load->wrong[request->kind]++;
    }
  else if (request->kind == KIND_ECHO &&
           (g_bytes_get_size (body) != strlen (request->echo) ||
            memcmp (g_bytes_get_data (body, NULL), request->echo, strlen (request->echo)) != 0))
    {
      g_test_message ("The zd_echo check was not answered with its value");
      load->wrong[request->kind]++;
    }
  else if (request->kind == KIND_VALID)
    {
      Replayable *slot = &load->replayable[load->n_replayable++ % REPLAYABLE];

      load->acked->data[request->serial] = 1;
      g_free (slot->body);
      g_free (slot->signature);
      slot->body = g_steal_pointer (&request->body);
      slot->signature = g_steal_pointer (&request->signature);
    }

  request_free (request);
  if (!load->stop)
    send_one (load);
}

static SoupMessage *
form_post (Load       *load,
           const char *token,
           const char *content_type,
           const char *body,
           gsize       length,
           const char *signature)
{
  g_autofree char *url = g_strdup_printf ("%s/zadarma_webhook/%s", load->base, token);
  SoupMessage *message = soup_message_new ("POST", url);
  g_autoptr(GBytes) bytes = g_bytes_new (body, length);

  soup_message_set_request_body_from_bytes (message, content_type, bytes);
  if (signature != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (message), "Signature",
                                  signature);
  return message;
}

static Kind
pick_kind (Load *load)
{
  guint roll = (guint) g_rand_int_range (load->rand, 0, 100);

  if (roll < 60 || (roll < 80 && load->n_replayable == 0))
    return KIND_VALID;
  if (roll < 80)
    return KIND_REPLAY;
  /* The rest spread over every way to be refused. */
  return KIND_BAD_SIGNATURE + (Kind) g_rand_int_range (load->rand, 0,
                                                        N_KINDS - KIND_BAD_SIGNATURE);
}

static void
send_one (Load *load)
{
  Request *request = g_new0 (Request, 1);
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GHashTable) fields = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *body = NULL;

  request->load = load;
  request->kind = pick_kind (load);

  switch (request->kind)
    {
    case KIND_VALID:
      request->serial = load->serial++;
      g_byte_array_append (load->acked, (const guint8 *) "", 1);
      fields = valid_fields (request->serial);
      request->signature = nc_call_event_sign (SECRET, fields);
      request->body = soup_form_encode_hash (fields);
      message = form_post (load, TOKEN, "application/x-www-form-urlencoded", request->body,
                           strlen (request->body), request->signature);
      break;
    case KIND_REPLAY:
      {
        Replayable *old = &load->replayable[(guint) g_rand_int_range (
          load->rand, 0, (gint32) MIN (load->n_replayable, REPLAYABLE))];

        message = form_post (load, TOKEN, "application/x-www-form-urlencoded", old->body,
                             strlen (old->body), old->signature);
      }
      break;
    case KIND_BAD_SIGNATURE:
    case KIND_NO_SIGNATURE:
    case KIND_MALFORMED_FIELD:
    case KIND_MISSING_FIELD:
    case KIND_WRONG_TOKEN:
    case KIND_WRONG_CONTENT_TYPE:
      /* A call of its own that no valid event has: none of it may ever be stored. */
      fields = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
      g_hash_table_insert (fields, (gpointer) "event", g_strdup ("NOTIFY_START"));
      g_hash_table_insert (fields, (gpointer) "call_start",
                           g_strdup (request->kind == KIND_MALFORMED_FIELD
                                     ? "23.11.2026 10:15" : "2026-11-23 10:15:03"));
      g_hash_table_insert (fields, (gpointer) "pbx_call_id",
                           g_strdup_printf ("bad_%u", load->sent[request->kind]));
      g_hash_table_insert (fields, (gpointer) "caller_id", g_strdup ("79161234567"));
      if (request->kind != KIND_MISSING_FIELD)
        g_hash_table_insert (fields, (gpointer) "called_did", g_strdup ("74951234567"));
      signature = request->kind == KIND_BAD_SIGNATURE ? nc_call_event_sign ("not-the-secret",
                                                                            fields)
                                                      : nc_call_event_sign (SECRET, fields);
      body = soup_form_encode_hash (fields);
      message = form_post (load, request->kind == KIND_WRONG_TOKEN ? "not-the-token" : TOKEN,
                           request->kind == KIND_WRONG_CONTENT_TYPE
                           ? "text/plain" : "application/x-www-form-urlencoded",
                           body, strlen (body),
                           request->kind == KIND_NO_SIGNATURE ? NULL : signature);
      break;
    case KIND_WRONG_METHOD:
      {
        g_autofree char *url = g_strdup_printf ("%s/zadarma_webhook/" TOKEN, load->base);

        message = soup_message_new ("PUT", url);
      }
      break;
    case KIND_TOO_LARGE:
      body = g_malloc (70 * 1024);
      memset (body, 'a', 70 * 1024);
      memcpy (body, "event=NOTIFY_START&x=", strlen ("event=NOTIFY_START&x="));
      message = form_post (load, TOKEN, "application/x-www-form-urlencoded", body, 70 * 1024,
                           "0");
      break;
    case KIND_NOT_A_FORM:
      {
        static const char binary[] = "\x00\x01\x02event=NOTIFY_START\xff\xfe";

        message = form_post (load, TOKEN, "application/x-www-form-urlencoded", binary,
                             sizeof binary - 1, "0");
      }
      break;
    case KIND_UNKNOWN_EVENT:
      body = g_strdup_printf ("event=NOTIFY_SOMETHING_NEW&pbx_call_id=bad_%u",
                              load->sent[request->kind]);
      message = form_post (load, TOKEN, "application/x-www-form-urlencoded", body,
                           strlen (body), "0");
      break;
    case KIND_ECHO:
      {
        g_autofree char *url = NULL;

        request->echo = g_strdup_printf ("echo%u", load->sent[request->kind]);
        url = g_strdup_printf ("%s/zadarma_webhook/" TOKEN "?zd_echo=%s", load->base,
                               request->echo);
        message = soup_message_new ("GET", url);
      }
      break;
    case N_KINDS:
    default:
      g_assert_not_reached ();
    }

  load->sent[request->kind]++;
  load->in_flight++;
  soup_session_send_and_read_async (load->session, message, G_PRIORITY_DEFAULT, NULL, answered,
                                    request);
}

static double
mean_kib (GArray *samples,
          guint   from,
          guint   to)
{
  double sum = 0;

  for (guint i = from; i < to; i++)
    sum += (double) g_array_index (samples, long, i);
  return to > from ? sum / (to - from) : 0;
}

static void
test_soak (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  guint port = free_port ();
  guint seconds = 10;
  g_autoptr(GSubprocess) listener = NULL;
  g_autoptr(NcStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (long));
  g_autoptr(GByteArray) stored = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  const char *seconds_text = g_getenv ("NC_SOAK_SECONDS");
  const char *report_path = g_getenv ("NC_SOAK_REPORT");
  Load load = { 0 };
  Outcome outcome = { 0 };
  guint acked = 0, refused = 0, wrong = 0, peak_descriptors = 0;
  guint first_from, first_to, last_from;
  double first_mean, last_mean, allowed;
  gint64 start, next_sample, end;

  if (seconds_text != NULL)
    seconds = (guint) MAX (5, atoi (seconds_text));

  listener = start_listen (dir, port);
  g_subprocess_communicate_utf8_async (listener, NULL, NULL, listener_ended, &outcome);
  load.session = soup_session_new_with_options ("timeout", 30, "max-conns", IN_FLIGHT,
                                                "max-conns-per-host", IN_FLIGHT, NULL);
  soup_session_set_proxy_resolver (load.session, NULL);
  load.base = g_strdup_printf ("http://127.0.0.1:%u", port);
  load.rand = g_rand_new_with_seed (7);
  load.acked = g_byte_array_new ();

  start = g_get_monotonic_time ();
  end = start + (gint64) seconds * G_USEC_PER_SEC;
  next_sample = start + G_USEC_PER_SEC;
  for (guint i = 0; i < IN_FLIGHT; i++)
    send_one (&load);
  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, TRUE);
      if (g_get_monotonic_time () >= next_sample)
        {
          long rss = rss_kib_of (listener);

          g_assert_cmpint (rss, >, 0);
          g_array_append_val (samples, rss);
          peak_descriptors = MAX (peak_descriptors, open_descriptors_of (listener));
          next_sample += G_USEC_PER_SEC;
        }
    }
  load.stop = TRUE;
  while (load.in_flight > 0)
    g_main_context_iteration (NULL, TRUE);

  /* It stops on SIGTERM, cleanly, having answered everything it took, and said nothing
   * but that it stopped. */
  g_subprocess_send_signal (listener, SIGTERM);
  while (!outcome.done)
    g_main_context_iteration (NULL, TRUE);
  assert_said_nothing_wrong (outcome.said);
  g_assert_true (g_subprocess_get_if_exited (listener));
  g_assert_cmpint (g_subprocess_get_exit_status (listener), ==, 0);

  /* No descriptor lost: the sockets of the connections are closed once answered. */
  g_test_message ("At most %u descriptors open in the listener", peak_descriptors);
  g_assert_cmpuint (peak_descriptors, <, MAX_DESCRIPTORS);

  /* Every answer was the one promised. */
  for (Kind kind = 0; kind < N_KINDS; kind++)
    {
      g_test_message ("%-32s %8u sent, %u answered otherwise", kinds[kind].name,
                      load.sent[kind], load.wrong[kind]);
      wrong += load.wrong[kind];
      if (kind >= KIND_BAD_SIGNATURE)
        refused += load.sent[kind];
    }
  g_assert_cmpuint (wrong, ==, 0);
  g_assert_cmpuint (load.transport_errors, ==, 0);
  /* The mix was there: something of every kind, in a run of any length. */
  for (Kind kind = 0; kind < N_KINDS; kind++)
    g_assert_cmpuint (load.sent[kind], >, 0);

  /* Exactly once: each acknowledged event stored once, nothing else stored. */
  store = nc_store_open_sync (dir, &error);
  g_assert_no_error (error);
  events = nc_store_list_call_events_sync (store, &error);
  g_assert_no_error (error);
  g_byte_array_set_size (stored, load.serial);
  memset (stored->data, 0, stored->len);
  for (guint i = 0; i < events->len; i++)
    {
      NcStoredEvent *event = events->pdata[i];
      g_autoptr(GHashTable) fields = soup_form_decode (event->fields);
      guint serial = serial_of (event->event_type, fields);

      if (serial >= load.serial)
        g_error ("A stored event was never sent as a valid one: %s %s", event->event_type,
                 event->fields);
      if (stored->data[serial]++ != 0)
        g_error ("Event %u is stored twice: %s", serial, event->fields);
    }
  for (guint serial = 0; serial < load.serial; serial++)
    if (load.acked->data[serial])
      {
        acked++;
        if (!stored->data[serial])
          g_error ("Event %u was acknowledged but is not stored", serial);
      }
  g_assert_cmpuint (acked, >, 0);

  {
    g_autoptr(GString) line = g_string_new ("RSS each second, MB:");

    for (guint i = 0; i < samples->len; i++)
      g_string_append_printf (line, " %.1f", (double) g_array_index (samples, long, i) / 1024);
    g_test_message ("%s", line->str);
  }

  /* Memory settles. Windows: from 10% to 30% of the run, and the last 20%. */
  g_assert_cmpuint (samples->len, >=, 5);
  first_from = samples->len / 10;
  first_to = MAX (first_from + 1, samples->len * 3 / 10);
  last_from = samples->len * 8 / 10;
  first_mean = mean_kib (samples, first_from, first_to);
  last_mean = mean_kib (samples, last_from, samples->len);
  allowed = MAX (RSS_GROWTH_FLOOR_KIB, first_mean * RSS_GROWTH_SHARE);
  g_test_message ("%u s: %u requests, %u events acknowledged, %u refused; RSS %.1f MB → %.1f MB "
                  "(peak %.1f MB), growth allowed %.1f MB",
                  seconds, load.serial + load.sent[KIND_REPLAY] + refused, acked, refused,
                  first_mean / 1024, last_mean / 1024,
                  (double) g_array_index (samples, long, samples->len - 1) / 1024,
                  allowed / 1024);

#if defined(__SANITIZE_ADDRESS__)
  /* AddressSanitizer's quarantine holds freed memory back, by design growing the RSS for
   * hundreds of megabytes; LeakSanitizer's check at the listener's exit (status 0 above)
   * is the leak check here. */
  g_test_message ("Built with AddressSanitizer: the RSS bound is not checked");
#else
  /* Measured here: the listener settles at about 21.5 MB within 5–8 s and then stays
   * within 0.1 MB for minutes, at about 1 700 requests a second. A leak of 100 bytes a
   * request is 10 MB a minute: 50 MB over the five minutes of build-aux/bench, far beyond
   * 4 MB (or 10% of the settled size). The ten seconds of CI catch 250 bytes a request
   * and more — libsoup 3.2's lost socket of 344 bytes a connection among them. */
  g_assert_cmpfloat (last_mean - first_mean, <=, allowed);
#endif

  if (report_path != NULL)
    {
      g_autoptr(GString) rows = g_string_new (NULL);
      long peak = 0;

      for (guint i = 0; i < samples->len; i++)
        peak = MAX (peak, g_array_index (samples, long, i));
      g_string_append_printf (rows, "| soak, %u s: requests (16 connections) | %u (%.0f/s) |\n",
                              seconds, load.serial + load.sent[KIND_REPLAY] + refused,
                              (double) (load.serial + load.sent[KIND_REPLAY] + refused) / seconds);
      g_string_append_printf (rows, "| … valid new / replays / the rest (refused 9 ways, unknown "
                              "event type, zd_echo) | %u / %u / %u |\n",
                              load.sent[KIND_VALID], load.sent[KIND_REPLAY], refused);
      g_string_append_printf (rows, "| … answered otherwise than promised; acknowledged but not "
                              "stored; stored twice | 0; 0; 0 |\n");
      g_string_append_printf (rows, "| … listener RSS, mean of 10–30%% of the run → of the last 20%%; "
                              "peak | %.1f → %.1f MB; %.1f MB |\n",
                              first_mean / 1024, last_mean / 1024, (double) peak / 1024);
      g_string_append_printf (rows, "| … listener's open descriptors, at most | %u |\n",
                              peak_descriptors);
      if (!g_file_set_contents (report_path, rows->str, -1, &error))
        g_error ("%s", error->message);
    }

  for (guint i = 0; i < REPLAYABLE; i++)
    {
      g_free (load.replayable[i].body);
      g_free (load.replayable[i].signature);
    }
  g_clear_object (&load.session);
  g_byte_array_unref (load.acked);
  g_rand_free (load.rand);
  g_free (load.base);
  g_free (outcome.said);
  nc_store_close (store);
  g_clear_object (&store);
  nc_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/listen/soak", test_soak);

  return nc_test_run ();
}
