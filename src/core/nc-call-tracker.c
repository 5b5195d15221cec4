/* nc-call-tracker.c — call events become calls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tracker is a pure state machine over verified events: it owns no socket and no
 * database. Whoever feeds it (the listener after a commit, or a replay of the store at
 * start-up) also answers its requests — a client for a number ("client-wanted"), a
 * recording link ("recording-wanted") — so that it can be tested with events alone.
 */

#define G_LOG_DOMAIN "nc-call-tracker"

#include "config.h"

#include <string.h>

#include "nc-call-private.h"
#include "nc-call-tracker.h"

enum {
  SIGNAL_CALL_STARTED,
  SIGNAL_CALL_ENDED,
  SIGNAL_CLIENT_WANTED,
  SIGNAL_RECORDING_WANTED,
  SIGNAL_CALLBACK_TIED,
  SIGNAL_CALLBACK_EXPIRED,
  N_SIGNALS
};

typedef struct
{
  NcCallTracker *tracker;
  guint64        id;
  char          *employee_id;
  char          *client_digits;
  char          *virtual_number;
  gint64         requested_at_us;
  guint          expiry_source;
} CallbackRequest;

typedef struct
{
  NcCallTracker *tracker;
  NcCall        *call;
  guint          source;
} RecordingWait;

struct _NcCallTracker
{
  GObject     parent_instance;

  GHashTable *calls;            /* pbx_call_id → NcCall */
  GListStore *live;             /* ringing and talking, newest first */
  GListStore *journal;          /* every call with a start, newest first */
  GHashTable *client_asked;     /* NcCall → TRUE once "client-wanted" was emitted */
  GHashTable *recording_asked;  /* NcCall → TRUE once "recording-wanted" was emitted */
  GHashTable *recording_waits;  /* NcCall → RecordingWait */
  GList      *requests;         /* CallbackRequest, oldest first */
  guint64     next_request_id;
  guint       recording_delay_ms;
  guint       callback_window_ms;
};

G_DEFINE_FINAL_TYPE (NcCallTracker, nc_call_tracker, G_TYPE_OBJECT)

static guint signals[N_SIGNALS];

static char *
digits_of (const char *text)
{
  GString *digits = g_string_new (NULL);

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (digits, *p);

  return g_string_free (digits, FALSE);
}

static void
callback_request_free (CallbackRequest *request)
{
  g_clear_handle_id (&request->expiry_source, g_source_remove);
  g_free (request->employee_id);
  g_free (request->client_digits);
  g_free (request->virtual_number);
  g_free (request);
}

static void
recording_wait_free (RecordingWait *wait)
{
  g_clear_handle_id (&wait->source, g_source_remove);
  g_free (wait);
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b,
                      gpointer      user_data)
{
  gint64 start_a = nc_call_get_started_unix ((NcCall *) a);
  gint64 start_b = nc_call_get_started_unix ((NcCall *) b);

  if (start_a != start_b)
    return start_a > start_b ? -1 : 1;
  return g_strcmp0 (nc_call_get_pbx_call_id ((NcCall *) b),
                    nc_call_get_pbx_call_id ((NcCall *) a));
}

static gboolean
store_remove (GListStore *store,
              gpointer    item)
{
  guint position;

  if (!g_list_store_find (store, item, &position))
    return FALSE;

  g_list_store_remove (store, position);
  return TRUE;
}

static void
want_recording (NcCallTracker *self,
                NcCall        *call)
{
  if (g_hash_table_contains (self->recording_asked, call))
    return;

  g_hash_table_add (self->recording_asked, call);
  g_hash_table_remove (self->recording_waits, call);
  g_signal_emit (self, signals[SIGNAL_RECORDING_WANTED], 0, call);
}

static gboolean
recording_wait_elapsed (gpointer user_data)
{
  RecordingWait *wait = user_data;
  NcCallTracker *self = wait->tracker;
  g_autoptr(NcCall) call = g_object_ref (wait->call);

  wait->source = 0;
  want_recording (self, call);
  return G_SOURCE_REMOVE;
}

static gboolean
callback_request_expired (gpointer user_data)
{
  CallbackRequest *request = user_data;
  NcCallTracker *self = request->tracker;
  guint64 id = request->id;

  request->expiry_source = 0;
  self->requests = g_list_remove (self->requests, request);
  callback_request_free (request);
  g_signal_emit (self, signals[SIGNAL_CALLBACK_EXPIRED], 0, id);
  return G_SOURCE_REMOVE;
}

/* A callback is known only by the NOTIFY_OUT_START that follows it: the one whose
 * internal is the requested employee and whose destination is the requested client. */
static void
tie_callback (NcCallTracker *self,
              NcCall        *call,
              gint64         received_at_us)
{
  g_autofree char *destination = digits_of (nc_call_get_client_number (call));
  const char *employee = nc_call_get_employee (call);

  if (nc_call_get_request_id (call) != 0 || employee == NULL || *destination == '\0')
    return;

  for (GList *l = self->requests; l != NULL; l = l->next)
    {
      CallbackRequest *request = l->data;
      gint64 age_us = received_at_us - request->requested_at_us;
      guint64 id = request->id;

      if (!g_str_equal (request->employee_id, employee) ||
          !g_str_equal (request->client_digits, destination) ||
          age_us < -(gint64) self->callback_window_ms * 1000 ||
          age_us > (gint64) self->callback_window_ms * 1000)
        continue;

      nc_call_set_request_id (call, id);
      self->requests = g_list_delete_link (self->requests, l);
      callback_request_free (request);
      g_signal_emit (self, signals[SIGNAL_CALLBACK_TIED], 0, id, call);
      return;
    }
}

static void
nc_call_tracker_dispose (GObject *object)
{
  NcCallTracker *self = NC_CALL_TRACKER (object);

  g_list_free_full (g_steal_pointer (&self->requests), (GDestroyNotify) callback_request_free);
  g_clear_pointer (&self->recording_waits, g_hash_table_unref);
  g_clear_pointer (&self->recording_asked, g_hash_table_unref);
  g_clear_pointer (&self->client_asked, g_hash_table_unref);
  g_clear_pointer (&self->calls, g_hash_table_unref);
  g_clear_object (&self->live);
  g_clear_object (&self->journal);

  G_OBJECT_CLASS (nc_call_tracker_parent_class)->dispose (object);
}

static void
nc_call_tracker_class_init (NcCallTrackerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nc_call_tracker_dispose;

  /**
   * NcCallTracker::call-started:
   *
   * A call became known with its start (an incoming call rings, say).
   */
  signals[SIGNAL_CALL_STARTED] =
    g_signal_new ("call-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, NC_TYPE_CALL);
  /**
   * NcCallTracker::call-ended:
   */
  signals[SIGNAL_CALL_ENDED] =
    g_signal_new ("call-ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, NC_TYPE_CALL);
  /**
   * NcCallTracker::client-wanted:
   *
   * The call's other party is a number and the call has no client yet: whoever listens
   * matches it (and calls nc_call_set_client()). Emitted once per call.
   */
  signals[SIGNAL_CLIENT_WANTED] =
    g_signal_new ("client-wanted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, NC_TYPE_CALL);
  /**
   * NcCallTracker::recording-wanted:
   *
   * The call's recording is ready (NOTIFY_RECORD), or should be by now (a while after an
   * end with is_recorded=1 when no NOTIFY_RECORD came). Emitted once per call.
   */
  signals[SIGNAL_RECORDING_WANTED] =
    g_signal_new ("recording-wanted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, NC_TYPE_CALL);
  /**
   * NcCallTracker::callback-tied:
   *
   * The call that a callback request placed has started.
   */
  signals[SIGNAL_CALLBACK_TIED] =
    g_signal_new ("callback-tied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_UINT64, NC_TYPE_CALL);
  /**
   * NcCallTracker::callback-expired:
   *
   * No call started for a callback request within the window.
   */
  signals[SIGNAL_CALLBACK_EXPIRED] =
    g_signal_new ("callback-expired", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT64);
}

static void
nc_call_tracker_init (NcCallTracker *self)
{
  self->calls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->live = g_list_store_new (NC_TYPE_CALL);
  self->journal = g_list_store_new (NC_TYPE_CALL);
  self->client_asked = g_hash_table_new (NULL, NULL);
  self->recording_asked = g_hash_table_new (NULL, NULL);
  self->recording_waits = g_hash_table_new_full (NULL, NULL, NULL,
                                                 (GDestroyNotify) recording_wait_free);
  self->next_request_id = 1;
  self->recording_delay_ms = NC_RECORDING_FALLBACK_SECONDS * 1000;
  self->callback_window_ms = NC_CALLBACK_MATCH_WINDOW_SECONDS * 1000;
}

NcCallTracker *
nc_call_tracker_new (void)
{
  return g_object_new (NC_TYPE_CALL_TRACKER, NULL);
}

/**
 * nc_call_tracker_add_event:
 * @event_type: `NOTIFY_START`, …, already verified
 * @fields: (element-type utf8 utf8): the event's fields
 * @received_at_us: when it arrived, by our real-time clock
 *
 * Returns: (transfer none) (nullable): the call the event belongs to
 */
NcCall *
nc_call_tracker_add_event (NcCallTracker *self,
                           const char    *event_type,
                           GHashTable    *fields,
                           gint64         received_at_us)
{
  const char *pbx_call_id;
  NcCall *call;
  gboolean had_start, was_ended, is_new = FALSE;

  g_return_val_if_fail (NC_IS_CALL_TRACKER (self), NULL);
  g_return_val_if_fail (event_type != NULL, NULL);
  g_return_val_if_fail (fields != NULL, NULL);

  pbx_call_id = g_hash_table_lookup (fields, "pbx_call_id");
  if (pbx_call_id == NULL || *pbx_call_id == '\0')
    return NULL;

  call = g_hash_table_lookup (self->calls, pbx_call_id);
  if (call == NULL)
    {
      call = nc_call_new (pbx_call_id);
      g_hash_table_insert (self->calls, g_strdup (pbx_call_id), call);
      is_new = TRUE;
    }

  had_start = !is_new && nc_call_has_start (call);
  was_ended = nc_call_get_state (call) == NC_CALL_STATE_ENDED;

  /* Every signal below is guarded by the call's state, so a replayed event is harmless. */
  nc_call_apply_event (call, event_type, fields, received_at_us);

  /* A call is shown once it has a start; a NOTIFY_RECORD that overtook every other event
   * waits, invisible, for the rest. */
  if (nc_call_has_start (call))
    {
      if (!had_start)
        {
          g_list_store_insert_sorted (self->journal, call, compare_newest_first, NULL);
          if (nc_call_get_state (call) != NC_CALL_STATE_ENDED)
            g_list_store_insert_sorted (self->live, call, compare_newest_first, NULL);
          g_signal_emit (self, signals[SIGNAL_CALL_STARTED], 0, call);
        }
      else if (nc_call_get_state (call) == NC_CALL_STATE_ENDED)
        store_remove (self->live, call);
    }

  if (nc_call_get_direction (call) == NC_CALL_DIRECTION_OUT)
    tie_callback (self, call, received_at_us);

  if (!g_hash_table_contains (self->client_asked, call) && nc_call_has_start (call))
    {
      g_autofree char *digits = digits_of (nc_call_get_client_number (call));

      /* An anonymous or hidden caller is kept as it came and matched to no client. */
      if (*digits != '\0' && strlen (digits) == strlen (nc_call_get_client_number (call)))
        {
          g_hash_table_add (self->client_asked, call);
          g_signal_emit (self, signals[SIGNAL_CLIENT_WANTED], 0, call);
        }
    }

  if (!was_ended && nc_call_get_state (call) == NC_CALL_STATE_ENDED && nc_call_has_start (call))
    g_signal_emit (self, signals[SIGNAL_CALL_ENDED], 0, call);

  if (g_str_equal (event_type, "NOTIFY_RECORD") && nc_call_get_call_id_with_rec (call) != NULL)
    want_recording (self, call);
  else if (nc_call_get_state (call) == NC_CALL_STATE_ENDED && nc_call_get_is_recorded (call) &&
           !g_hash_table_contains (self->recording_asked, call) &&
           !g_hash_table_contains (self->recording_waits, call))
    {
      RecordingWait *wait = g_new0 (RecordingWait, 1);

      wait->tracker = self;
      wait->call = call;
      wait->source = g_timeout_add (self->recording_delay_ms, recording_wait_elapsed, wait);
      g_hash_table_insert (self->recording_waits, call, wait);
    }

  return call;
}

/**
 * nc_call_tracker_lookup:
 *
 * Returns: (transfer none) (nullable): the call with this id
 */
NcCall *
nc_call_tracker_lookup (NcCallTracker *self,
                        const char    *pbx_call_id)
{
  g_return_val_if_fail (NC_IS_CALL_TRACKER (self), NULL);

  return g_hash_table_lookup (self->calls, pbx_call_id);
}

/**
 * nc_call_tracker_get_live_calls:
 *
 * Returns: (transfer none): the calls ringing or talking now, newest first
 */
GListModel *
nc_call_tracker_get_live_calls (NcCallTracker *self)
{
  g_return_val_if_fail (NC_IS_CALL_TRACKER (self), NULL);

  return G_LIST_MODEL (self->live);
}

/**
 * nc_call_tracker_get_journal:
 *
 * Returns: (transfer none): every call, newest first
 */
GListModel *
nc_call_tracker_get_journal (NcCallTracker *self)
{
  g_return_val_if_fail (NC_IS_CALL_TRACKER (self), NULL);

  return G_LIST_MODEL (self->journal);
}

/**
 * nc_call_tracker_expect_callback:
 *
 * Remembers a callback request, so that the NOTIFY_OUT_START it causes is tied to it
 * ("callback-tied"), or, if none comes within the window, "callback-expired" is emitted.
 *
 * Returns: the request's id, never 0
 */
guint64
nc_call_tracker_expect_callback (NcCallTracker *self,
                                 const char    *employee_id,
                                 const char    *client_number,
                                 const char    *virtual_number,
                                 gint64         requested_at_us)
{
  CallbackRequest *request;

  g_return_val_if_fail (NC_IS_CALL_TRACKER (self), 0);
  g_return_val_if_fail (employee_id != NULL, 0);
  g_return_val_if_fail (client_number != NULL, 0);

  request = g_new0 (CallbackRequest, 1);
  request->tracker = self;
  request->id = self->next_request_id++;
  request->employee_id = g_strdup (employee_id);
  request->client_digits = digits_of (client_number);
  request->virtual_number = g_strdup (virtual_number);
  request->requested_at_us = requested_at_us;
  request->expiry_source = g_timeout_add (self->callback_window_ms, callback_request_expired,
                                          request);
  self->requests = g_list_append (self->requests, request);

  return request->id;
}

/* For tests: the real delays are 40 s and 60 s. */
void
nc_call_tracker_set_recording_delay (NcCallTracker *self,
                                     guint          milliseconds)
{
  g_return_if_fail (NC_IS_CALL_TRACKER (self));
  self->recording_delay_ms = milliseconds;
}

void
nc_call_tracker_set_callback_window (NcCallTracker *self,
                                     guint          milliseconds)
{
  g_return_if_fail (NC_IS_CALL_TRACKER (self));
  self->callback_window_ms = milliseconds;
}
