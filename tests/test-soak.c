/* test-soak.c — `listen` under mixed valid, duplicate and invalid traffic, and under
 * attack, for a while
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A listen process, serving HTTPS as it would facing the internet, takes 16 concurrent
 * streams of requests for NC_SOAK_SECONDS (10 by default; build-aux/bench runs it for five
 * minutes):
 *   - valid signed events, each new (about three in five requests);
 *   - replays of events already acknowledged, byte for byte (one in five);
 *   - requests to refuse (one in five): a wrong or missing Signature, a malformed or
 *     missing field, a wrong path token, a wrong method, a wrong content type, a body
 *     over the limit, a body that is not a form; and an unknown event type, answered 200
 *     and kept nowhere; and the PBX's zd_echo check.
 * Every answer must be the one the listener promises for that request. The listener's
 * resident memory and open descriptors are sampled every second. The listener keeps the
 * connections alive: three requests in four may take a connection that carried one
 * before, the others open their own and leave it idle, for the client to close later;
 * the connections must be far fewer than the requests, and the descriptors flat.
 *
 * Beside them, attackers, each from a loopback address of its own, reconnecting as soon as
 * the listener closes them: clients that never begin TLS (silent), clients that finish
 * the handshake and say nothing (idle), clients that send half a request's head, and
 * clients that send an endless chunked body. Every valid event must still be answered,
 * and quickly: the p99 of the valid events' answers under attack is reported.
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
 * rows to, for build-aux/bench), NC_SOAK_TLS=0 (plain HTTP: the attackers then skip the
 * handshake), NC_SOAK_ATTACKERS=0 (none, to compare).
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

/* The listener needs a descriptor per connection (16 here, and the attackers': at most
 * ATTACKERS, which its limits may close first), its SQLite connections (two files each)
 * and a few of its own: a lost socket per request would be thousands. */
#define MAX_DESCRIPTORS 400
/* Descriptors may vary with the attackers' reconnections, not grow. */
#define DESCRIPTOR_GROWTH 40
/* Connections per answer at most: three requests in four may take a kept-alive one. */
#define MAX_CONNECTIONS_SHARE 0.75

/* The attackers: how many of each kind, at once. */
#define SILENT_ATTACKERS 64
#define IDLE_ATTACKERS 32
#define HALF_ATTACKERS 32
#define CHUNKED_ATTACKERS 4
#define ATTACKERS (SILENT_ATTACKERS + IDLE_ATTACKERS + HALF_ATTACKERS + CHUNKED_ATTACKERS)

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

typedef enum
{
  ATTACK_SILENT,     /* connects, never begins TLS */
  ATTACK_IDLE,       /* completes the handshake, says nothing */
  ATTACK_HALF,       /* half a request's head */
  ATTACK_CHUNKED,    /* a chunked body without end */
  N_ATTACKS
} AttackKind;

static const struct
{
  const char *name;
  const char *from;   /* a loopback address of its own */
  guint       count;
} attacks[N_ATTACKS] = {
  [ATTACK_SILENT] = { "silent TLS", "127.0.0.2", SILENT_ATTACKERS },
  [ATTACK_IDLE] = { "idle after the handshake", "127.0.0.3", IDLE_ATTACKERS },
  [ATTACK_HALF] = { "half a request", "127.0.0.4", HALF_ATTACKERS },
  [ATTACK_CHUNKED] = { "endless chunked body", "127.0.0.5", CHUNKED_ATTACKERS },
};

typedef struct _Load Load;

typedef struct
{
  Load              *load;
  AttackKind         kind;
  GSocketConnection *connection;
  GIOStream         *stream;          /* the TLS, or the connection */
  GCancellable      *cancellable;
  gint64             connected_at;
  char               buffer[4096];
} Attacker;

struct _Load
{
  SoupSession *session;
  char        *base;        /* https://127.0.0.1:PORT */
  gboolean     tls;
  GTlsDatabase *database;   /* the soak's own certificate, instead of the system's CAs */
  GSocketClient *clients[N_ATTACKS];
  char        *chunk;       /* what the chunked attackers send, again and again */
  gsize        chunk_length;
  guint        attacks_made[N_ATTACKS];
  guint        attacks_closed[N_ATTACKS];
  double       attack_lifetime[N_ATTACKS];   /* seconds, summed over the closed ones */
  gsize        attack_bytes[N_ATTACKS];
  GArray      *latencies;   /* of the valid events, µs */
  GRand       *rand;
  GByteArray  *acked;       /* by serial: 0 sent, 1 acknowledged */
  guint        serial;      /* of the next valid event */
  Replayable   replayable[REPLAYABLE];
  guint        n_replayable;
  guint        sent[N_KINDS];
  guint        wrong[N_KINDS];   /* answered otherwise than promised */
  guint        transport_errors;
  GHashTable  *connections;  /* the client's connection ids that carried an answer */
  guint        answers;
  guint        sent_in_all;
  guint        in_flight;
  guint        attackers_alive;
  gboolean     no_attackers;
  gboolean     stop;
};

typedef struct
{
  Load  *load;
  Kind   kind;
  gint64 sent_at;
  guint  serial;            /* KIND_VALID */
  char  *body;              /* KIND_VALID: kept for replays */
  char  *signature;
  char  *echo;              /* KIND_ECHO: what must come back */
} Request;

/* Returns once it says where it listens. */
static NcTestListener *
start_listen (const char *dir,
              guint       port,
              const char *certificate,
              const char *key)
{
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  const char *const plain[] = { "--data-dir", dir, "listen", "--bind", "127.0.0.1",
                                "--port", port_text, NULL };
  const char *const tls[] = { "--data-dir", dir, "listen", "--bind", "127.0.0.1",
                              "--port", port_text, "--tls-certificate", certificate,
                              "--tls-key", key, NULL };

  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_KEY", KEY, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_SECRET", SECRET, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_WEBHOOK_TOKEN", TOKEN, TRUE);
  g_subprocess_launcher_setenv (launcher, "NOVOFON_API_URL", "http://127.0.0.1:9", TRUE);
  /* A warning must not kill it mid-run: what it says is read and judged at the end. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  /* A process that is not dumpable keeps its /proc/PID/fd from other users: another user
   * than root could not count its descriptors. */
  if (geteuid () != 0)
    g_subprocess_launcher_setenv (launcher, "NOVOFON_CONSOLE_ALLOW_CORE_DUMPS", "1", TRUE);
  return nc_test_listener_start (launcher, certificate != NULL ? tls : plain);
}

/* Every line of @said after its announcement must be the listener's own report, and no
 * warning or critical. */
static void
assert_said_nothing_wrong (const char *said)
{
  g_auto(GStrv) lines = g_strsplit (said != NULL ? said : "", "\n", -1);
  guint i = 0;

  while (lines[i] != NULL && !g_str_has_prefix (lines[i], "Listening"))
    i++;
  g_assert_nonnull (lines[i]);
  for (i++; lines[i] != NULL; i++)
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

/* Seconds of CPU the process has used. */
static double
cpu_seconds_of (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", g_subprocess_get_identifier (process));
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || strrchr (stat, ')') == NULL)
    return 0;
  /* utime and stime, the 14th and 15th fields: the 12th and 13th after the command. */
  fields = g_strsplit (strrchr (stat, ')') + 2, " ", -1);
  if (g_strv_length (fields) < 13)
    return 0;
  return (double) (g_ascii_strtoull (fields[11], NULL, 10) +
                   g_ascii_strtoull (fields[12], NULL, 10)) / (double) sysconf (_SC_CLK_TCK);
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

/* When the soak began, in this computer's time: the calls' call_start, which the listener
 * takes only near now. */
static char *soak_start;

/* The fields of valid event @serial: the first CALLS start the calls, every later one
 * rings another extension of call serial % CALLS. */
static GHashTable *
valid_fields (guint serial)
{
  GHashTable *fields = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  guint call = serial % CALLS;

  g_hash_table_insert (fields, (gpointer) "event",
                       g_strdup (serial < CALLS ? "NOTIFY_START" : "NOTIFY_INTERNAL"));
  g_hash_table_insert (fields, (gpointer) "call_start", g_strdup (soak_start));
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

static gboolean
send_next (gpointer user_data)
{
  Load *load = user_data;

  load->in_flight--;
  if (!load->stop)
    send_one (load);
  return G_SOURCE_REMOVE;
}

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
  if (body != NULL)
    {
      g_hash_table_add (load->connections,
                        GSIZE_TO_POINTER ((gsize) soup_message_get_connection_id (message)));
      load->answers++;
    }
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
      gint64 latency = g_get_monotonic_time () - request->sent_at;

      g_array_append_val (load->latencies, latency);
      load->acked->data[request->serial] = 1;
      g_free (slot->body);
      g_free (slot->signature);
      slot->body = g_steal_pointer (&request->body);
      slot->signature = g_steal_pointer (&request->signature);
    }

  request_free (request);
  /* Once the session has put the connection back, so that the next request can take it. */
  if (!load->stop)
    {
      load->in_flight++;
      g_idle_add (send_next, load);
    }
}

static gboolean
accept_any_certificate (GObject              *source,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  /* The soak's own self-signed certificate. */
  return TRUE;
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

  g_signal_connect (message, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
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
                                     ? "23.11.2026 10:15" : soak_start));
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
        g_signal_connect (message, "accept-certificate", G_CALLBACK (accept_any_certificate),
                          NULL);
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
        g_signal_connect (message, "accept-certificate", G_CALLBACK (accept_any_certificate),
                          NULL);
      }
      break;
    case N_KINDS:
    default:
      g_assert_not_reached ();
    }

  /* libsoup sends a POST on a new connection unless it is marked idempotent (the
   * listener's events are: it stores a replay once). Three in four are, and take a
   * connection the listener kept alive when the session has one idle; the others leave
   * theirs idle, for the session to close later: the close that libsoup 3.2's own
   * keep-alive loses. */
  if (load->sent_in_all++ % 4 != 0)
    soup_message_add_flags (message, SOUP_MESSAGE_IDEMPOTENT);
  load->sent[request->kind]++;
  load->in_flight++;
  request->sent_at = g_get_monotonic_time ();
  soup_session_send_and_read_async (load->session, message, G_PRIORITY_DEFAULT, NULL, answered,
                                    request);
}

/* Attackers ------------------------------------------------------------------------ */

static void attacker_connect (Attacker *attacker);

static gboolean
attacker_reconnect (gpointer user_data)
{
  attacker_connect (user_data);
  return G_SOURCE_REMOVE;
}

/* The listener closed it (or the soak is over): again in a moment, until the end. */
static void
attacker_closed (Attacker *attacker)
{
  Load *load = attacker->load;

  if (attacker->connected_at != 0 && !g_cancellable_is_cancelled (attacker->cancellable))
    {
      load->attacks_closed[attacker->kind]++;
      load->attack_lifetime[attacker->kind] +=
        (double) (g_get_monotonic_time () - attacker->connected_at) / G_USEC_PER_SEC;
    }
  attacker->connected_at = 0;
  /* A write still under way (the chunked body's) ends with this. */
  g_cancellable_cancel (attacker->cancellable);
  g_clear_object (&attacker->stream);
  g_clear_object (&attacker->connection);
  g_clear_object (&attacker->cancellable);
  if (load->stop)
    {
      load->attackers_alive--;
      return;
    }
  g_timeout_add (20, attacker_reconnect, attacker);
}

static void
attacker_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Attacker *attacker = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n > 0)
    {
      /* An answer (a 413 for the chunked ones): read on to the end. */
      g_input_stream_read_async (G_INPUT_STREAM (source), attacker->buffer,
                                 sizeof attacker->buffer, G_PRIORITY_DEFAULT,
                                 attacker->cancellable, attacker_read, attacker);
      return;
    }
  attacker_closed (attacker);
}

static void
attacker_wait_for_close (Attacker *attacker)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (attacker->stream), attacker->buffer,
                             sizeof attacker->buffer, G_PRIORITY_DEFAULT, attacker->cancellable,
                             attacker_read, attacker);
}

static void
attacker_wrote (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Attacker *attacker = user_data;
  Load *load = attacker->load;
  gsize written = 0;

  /* An error is the listener's end, which the read side notices and tells; a stream
   * already given up on is not written to any more. */
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written, NULL) ||
      attacker->stream == NULL ||
      G_OUTPUT_STREAM (source) != g_io_stream_get_output_stream (attacker->stream))
    return;
  load->attack_bytes[attacker->kind] += written;
  if (attacker->kind == ATTACK_CHUNKED && !load->stop)
    g_output_stream_write_all_async (G_OUTPUT_STREAM (source), load->chunk, load->chunk_length,
                                     G_PRIORITY_DEFAULT, attacker->cancellable, attacker_wrote,
                                     attacker);
}

static void
attacker_send (Attacker *attacker)
{
  static const char half[] = "POST /zadarma_webhook/" TOKEN " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-";
  static const char chunked[] = "POST /zadarma_webhook/" TOKEN " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                "Content-Type: application/x-www-form-urlencoded\r\n"
                                "Transfer-Encoding: chunked\r\n\r\n";
  GOutputStream *out = g_io_stream_get_output_stream (attacker->stream);

  switch (attacker->kind)
    {
    case ATTACK_HALF:
      g_output_stream_write_all_async (out, half, sizeof half - 1, G_PRIORITY_DEFAULT,
                                       attacker->cancellable, attacker_wrote, attacker);
      break;
    case ATTACK_CHUNKED:
      g_output_stream_write_all_async (out, chunked, sizeof chunked - 1, G_PRIORITY_DEFAULT,
                                       attacker->cancellable, attacker_wrote, attacker);
      break;
    case ATTACK_SILENT:
    case ATTACK_IDLE:
    case N_ATTACKS:
    default:
      break;
    }
  attacker_wait_for_close (attacker);
}

static void
attacker_handshaken (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Attacker *attacker = user_data;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, NULL))
    attacker_closed (attacker);
  else
    attacker_send (attacker);
}

static void
attacker_connected (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Attacker *attacker = user_data;
  Load *load = attacker->load;
  g_autoptr(GError) error = NULL;

  attacker->connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result,
                                                         &error);
  if (attacker->connection == NULL)
    {
      attacker_closed (attacker);
      return;
    }
  attacker->connected_at = g_get_monotonic_time ();
  load->attacks_made[attacker->kind]++;

  if (attacker->kind == ATTACK_SILENT || !load->tls)
    {
      attacker->stream = g_object_ref (G_IO_STREAM (attacker->connection));
      if (attacker->kind == ATTACK_SILENT)
        attacker_wait_for_close (attacker);
      else
        attacker_send (attacker);
      return;
    }

  attacker->stream = g_initable_new (g_tls_backend_get_client_connection_type (
                                       g_tls_backend_get_default ()), NULL, &error,
                                     "base-io-stream", attacker->connection,
                                     "database", load->database, NULL);
  g_assert_no_error (error);
  g_signal_connect (attacker->stream, "accept-certificate", G_CALLBACK (accept_any_certificate),
                    NULL);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (attacker->stream), G_PRIORITY_DEFAULT,
                                    attacker->cancellable, attacker_handshaken, attacker);
}

static void
attacker_connect (Attacker *attacker)
{
  Load *load = attacker->load;
  g_autoptr(GSocketConnectable) target = NULL;
  g_autofree char *host = NULL;

  if (load->stop)
    {
      load->attackers_alive--;
      return;
    }
  host = g_strdup_printf ("127.0.0.1:%s", strrchr (load->base, ':') + 1);
  target = g_network_address_parse (host, 0, NULL);
  attacker->cancellable = g_cancellable_new ();
  g_socket_client_connect_async (load->clients[attacker->kind], target, attacker->cancellable,
                                 attacker_connected, attacker);
}

static GPtrArray *
start_attackers (Load *load)
{
  GPtrArray *attackers = g_ptr_array_new_with_free_func (g_free);

  /* 64 KiB chunks of nothing, in chunked framing. */
  load->chunk_length = 7 + 65536 + 2;
  load->chunk = g_malloc (load->chunk_length);
  memcpy (load->chunk, "10000\r\n", 7);
  memset (load->chunk + 7, 'x', 65536);
  memcpy (load->chunk + 7 + 65536, "\r\n", 2);

  for (AttackKind kind = 0; kind < N_ATTACKS; kind++)
    {
      g_autoptr(GInetAddress) from = g_inet_address_new_from_string (attacks[kind].from);
      g_autoptr(GSocketAddress) local = g_inet_socket_address_new (from, 0);

      load->clients[kind] = g_socket_client_new ();
      g_socket_client_set_local_address (load->clients[kind], local);
      g_socket_client_set_timeout (load->clients[kind], 10);
      for (guint i = 0; i < (load->no_attackers ? 0 : attacks[kind].count); i++)
        {
          Attacker *attacker = g_new0 (Attacker, 1);

          attacker->load = load;
          attacker->kind = kind;
          g_ptr_array_add (attackers, attacker);
          load->attackers_alive++;
          attacker_connect (attacker);
        }
    }
  return attackers;
}

static void
stop_attackers (Load      *load,
                GPtrArray *attackers)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  for (guint i = 0; i < attackers->len; i++)
    {
      Attacker *attacker = attackers->pdata[i];

      if (attacker->cancellable != NULL)
        g_cancellable_cancel (attacker->cancellable);
    }
  while (load->attackers_alive > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (load->attackers_alive, ==, 0);
  for (AttackKind kind = 0; kind < N_ATTACKS; kind++)
    g_clear_object (&load->clients[kind]);
  g_free (load->chunk);
}

static gint
compare_latency (gconstpointer a,
                 gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static double
percentile_ms (GArray *sorted,
               double  share)
{
  guint index;

  if (sorted->len == 0)
    return 0;
  index = MIN (sorted->len - 1, (guint) (share * sorted->len));
  return (double) g_array_index (sorted, gint64, index) / 1000;
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
  g_autofree char *certificate = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  guint port = nc_test_free_port ();
  guint seconds = 10;
  NcTestListener *listener = NULL;
  g_autofree char *said = NULL;
  g_autoptr(GPtrArray) attackers = NULL;
  g_autoptr(GArray) descriptor_samples = g_array_new (FALSE, FALSE, sizeof (long));
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(NcStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (long));
  g_autoptr(GByteArray) stored = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  const char *seconds_text = g_getenv ("NC_SOAK_SECONDS");
  const char *report_path = g_getenv ("NC_SOAK_REPORT");
  Load load = { 0 };
  guint acked = 0, refused = 0, wrong = 0, peak_descriptors = 0;
  guint first_from, first_to, last_from;
  double first_mean, last_mean, allowed, first_descriptors, last_descriptors, p50, p99;
  double listener_cpu;
  gint64 start, next_sample, end;

  if (seconds_text != NULL)
    seconds = (guint) MAX (5, atoi (seconds_text));
  load.tls = g_strcmp0 (g_getenv ("NC_SOAK_TLS"), "0") != 0;
#if defined(__SANITIZE_ADDRESS__)
  /* With the unwinding on every malloc that the sanitizer run asks for, a TLS handshake
   * takes half a second, and the listener's own handshake deadline cuts them: the run
   * checks the listener's memory and behaviour over plain HTTP (the TLS paths have their
   * tests in test-webhook-limits). */
  load.tls = load.tls && g_getenv ("NC_SOAK_TLS") != NULL;
  if (!load.tls)
    g_test_message ("Built with AddressSanitizer: plain HTTP");
#endif
  soak_start = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

  if (load.tls)
    {
      /* P-256: the handshake of every event costs a fraction of RSA's. */
      g_autofree char *command = g_strdup_printf ("openssl req -x509 -newkey ec -pkeyopt "
                                                  "ec_paramgen_curve:prime256v1 -nodes -days 1 "
                                                  "-subj /CN=localhost -keyout %s -out %s",
                                                  key, certificate);
      int wait_status = 0;

      g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &wait_status, &error));
      g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
      /* Loading the system's CAs into each client connection would cost this process more
       * than the listener spends on the event. */
      load.database = g_tls_file_database_new (certificate, &error);
      g_assert_no_error (error);
    }
  listener = start_listen (dir, port, load.tls ? certificate : NULL, load.tls ? key : NULL);
  /* Room for idle connections beside the busy ones: what the requests marked idempotent
   * take again. */
  load.session = soup_session_new_with_options ("timeout", 30, "max-conns", 2 * IN_FLIGHT,
                                                "max-conns-per-host", 2 * IN_FLIGHT, NULL);
  soup_session_set_proxy_resolver (load.session, NULL);
  if (load.database != NULL)
    soup_session_set_tls_database (load.session, load.database);
  load.base = g_strdup_printf ("%s://127.0.0.1:%u", load.tls ? "https" : "http", port);
  load.rand = g_rand_new_with_seed (7);
  load.acked = g_byte_array_new ();
  load.latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  load.connections = g_hash_table_new (g_direct_hash, g_direct_equal);
  load.no_attackers = g_strcmp0 (g_getenv ("NC_SOAK_ATTACKERS"), "0") == 0;
  attackers = start_attackers (&load);

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
          long rss = rss_kib_of (listener->process);
          long descriptors = open_descriptors_of (listener->process);

          g_assert_cmpint (rss, >, 0);
          g_array_append_val (samples, rss);
          g_array_append_val (descriptor_samples, descriptors);
          peak_descriptors = MAX (peak_descriptors, (guint) descriptors);
          next_sample += G_USEC_PER_SEC;
        }
    }
  load.stop = TRUE;
  while (load.in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  stop_attackers (&load, attackers);
  listener_cpu = cpu_seconds_of (listener->process);

  /* It stops on SIGTERM, cleanly, having answered everything it took, and said nothing
   * but that it stopped. */
  g_assert_cmpint (nc_test_listener_stop (listener, NULL, &said), ==, 0);
  assert_said_nothing_wrong (said);

  /* Every attacker was there all along, and the listener closed each kind, again and
   * again: at the deadline of its stage, or at 64 KiB of body. */
  for (AttackKind kind = 0; kind < N_ATTACKS; kind++)
    {
      g_test_message ("attackers, %s: %u connections, %u closed by the listener (after %.1f s "
                      "on average), %" G_GSIZE_FORMAT " bytes sent", attacks[kind].name,
                      load.attacks_made[kind], load.attacks_closed[kind],
                      load.attacks_closed[kind] > 0
                      ? load.attack_lifetime[kind] / load.attacks_closed[kind] : 0,
                      load.attack_bytes[kind]);
      if (load.no_attackers)
        continue;
      g_assert_cmpuint (load.attacks_made[kind], >=, attacks[kind].count);
      g_assert_cmpuint (load.attacks_closed[kind], >, 0);
      g_assert_cmpfloat (load.attack_lifetime[kind] / load.attacks_closed[kind], <, 15);
    }

  /* No descriptor lost: a kept-alive connection's socket is closed when its client closes
   * it (idle), and the attackers' once closed. */
  g_assert_cmpuint (descriptor_samples->len, >=, 5);
  first_descriptors = mean_kib (descriptor_samples, descriptor_samples->len / 10,
                                MAX (descriptor_samples->len / 10 + 1,
                                     descriptor_samples->len * 3 / 10));
  last_descriptors = mean_kib (descriptor_samples, descriptor_samples->len * 8 / 10,
                               descriptor_samples->len);
  g_test_message ("Descriptors open in the listener: %.0f → %.0f, at most %u",
                  first_descriptors, last_descriptors, peak_descriptors);
  g_assert_cmpuint (peak_descriptors, <, MAX_DESCRIPTORS);
  g_assert_cmpfloat (last_descriptors - first_descriptors, <=, DESCRIPTOR_GROWTH);

  /* With the connections kept alive: most requests go on a connection that carried one
   * before (the listener closes one only after a request it refuses from its head,
   * about one in thirteen here); closed after each answer, every request would need its
   * own. */
  g_test_message ("Answers: %u on %u connections", load.answers,
                  g_hash_table_size (load.connections));
  g_assert_cmpfloat (g_hash_table_size (load.connections), <=,
                     load.answers * MAX_CONNECTIONS_SHARE);

  /* Under attack, every valid event answered, and soon. */
  g_array_sort (load.latencies, compare_latency);
  p50 = percentile_ms (load.latencies, 0.50);
  p99 = percentile_ms (load.latencies, 0.99);
  g_test_message ("Valid events: %u answered 200 of %u sent; p50 %.1f ms, p99 %.1f ms; "
                  "the listener used %.1f s of CPU", load.latencies->len, load.sent[KIND_VALID],
                  p50, p99, listener_cpu);
  g_assert_cmpuint (load.latencies->len, ==, load.sent[KIND_VALID]);
  g_assert_cmpfloat (p99, <, 5000);

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
  events = nc_store_list_call_events_sync (store, 0, G_MAXINT, &error);
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
      g_string_append_printf (rows, "| soak, %u s, %s: requests (16 connections) | %u (%.0f/s) |\n",
                              seconds, load.tls ? "HTTPS" : "plain HTTP", load.serial + load.sent[KIND_REPLAY] + refused,
                              (double) (load.serial + load.sent[KIND_REPLAY] + refused) / seconds);
      g_string_append_printf (rows, "| … valid new / replays / the rest (refused 9 ways, unknown "
                              "event type, zd_echo) | %u / %u / %u |\n",
                              load.sent[KIND_VALID], load.sent[KIND_REPLAY], refused);
      g_string_append_printf (rows, "| … answered otherwise than promised; acknowledged but not "
                              "stored; stored twice | 0; 0; 0 |\n");
      g_string_append_printf (rows, "| … listener RSS, mean of 10–30%% of the run → of the last 20%%; "
                              "peak | %.1f → %.1f MB; %.1f MB |\n",
                              first_mean / 1024, last_mean / 1024, (double) peak / 1024);
      g_string_append_printf (rows, "| … valid events acknowledged / sent under attack; their "
                              "p50 / p99 | %u / %u; %.1f / %.1f ms |\n",
                              load.latencies->len, load.sent[KIND_VALID], p50, p99);
      g_string_append_printf (rows, "| … attackers beside them (%s), connections made / closed "
                              "by the listener: silent TLS, idle after the handshake, half a "
                              "request, endless chunked body | %u / %u, %u / %u, %u / %u, "
                              "%u / %u |\n",
                              load.tls ? "HTTPS" : "plain HTTP",
                              load.attacks_made[ATTACK_SILENT], load.attacks_closed[ATTACK_SILENT],
                              load.attacks_made[ATTACK_IDLE], load.attacks_closed[ATTACK_IDLE],
                              load.attacks_made[ATTACK_HALF], load.attacks_closed[ATTACK_HALF],
                              load.attacks_made[ATTACK_CHUNKED],
                              load.attacks_closed[ATTACK_CHUNKED]);
      g_string_append_printf (rows, "| … listener's open descriptors, mean of 10–30%% of the run → "
                              "of the last 20%%; at most | %.0f → %.0f; %u |\n",
                              first_descriptors, last_descriptors, peak_descriptors);
      g_string_append_printf (rows, "| … connections kept alive: answers / the connections "
                              "that carried them (3 requests in 4 may take an idle one, the "
                              "others open their own and leave it idle for the client to "
                              "close) | %u / %u |\n", load.answers,
                              g_hash_table_size (load.connections));
      g_string_append_printf (rows, "| … listener's CPU time (the generator, on the same cores, "
                              "takes the rest) | %.1f s (%.0f%% of one core) |\n",
                              listener_cpu, 100 * listener_cpu / seconds);
      if (!g_file_set_contents (report_path, rows->str, -1, &error))
        g_error ("%s", error->message);
    }

  for (guint i = 0; i < REPLAYABLE; i++)
    {
      g_free (load.replayable[i].body);
      g_free (load.replayable[i].signature);
    }
  g_clear_object (&load.session);
  g_clear_object (&load.database);
  g_byte_array_unref (load.acked);
  g_array_unref (load.latencies);
  g_hash_table_unref (load.connections);
  g_clear_pointer (&soak_start, g_free);
  g_rand_free (load.rand);
  g_free (load.base);
  nc_store_close (store);
  g_clear_object (&store);
  nc_test_remove_tree (dir);
}

/* GIO's debug lines — several for every connection of the load and of the attackers —
 * would cost this process more than its requests do (under AddressSanitizer, seconds). */
static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  if (level & G_LOG_LEVEL_DEBUG)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
drop_message (const char     *domain,
              GLogLevelFlags  level,
              const char     *message,
              gpointer        user_data)
{
}

int
main (int   argc,
      char *argv[])
{
  g_log_set_writer_func (log_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  /* Logged through the test framework's handler, not the writer: dropped here. */
  g_log_set_handler ("GLib-GIO", G_LOG_LEVEL_DEBUG, drop_message, NULL);

  g_test_add_func ("/listen/soak", test_soak);

  return nc_test_run ();
}
