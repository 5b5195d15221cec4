/* nc-call-service.c — what the listener's process does for each call after the store has it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store's writer makes each call's row from its events. What needs more than the
 * event is done here, by the process that runs the listener (nc_call_service_start()):
 *
 * - the client: a call with a number and no client is matched (the source document's
 *   sequence, nc-client-matcher.c), and the store keeps which client and why. A call whose
 *   NOTIFY_START came through this process's listener has its client already: the
 *   listener matched the caller for its answer, and the store kept it with the call;
 * - the recording: the store keeps whether each recorded call's link is pending, fetched or
 *   failed and when to ask next; this process asks for the due ones (the longest lifetime
 *   the API allows, 60 days), backs off on faults, waits for the shared request budget
 *   without counting it a fault, and resumes after a restart from what the store says;
 * - stuck calls: a call with no event for NC_CALL_STUCK_SECONDS is taken for over.
 *
 * Any process may ask for one call's recording when someone opens it (its link expired, or
 * was never had): nc_call_service_fetch_recording_async().
 */

#define G_LOG_DOMAIN "nc-call-service"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-call-service.h"
#include "nc-phone.h"

/* Asked for at once, at most; taken from other takers for this long. */
#define RECORDINGS_PER_ROUND 4
#define RECORDING_LEASE_SECONDS 300
#define RETRY_UNIT_MS (60 * 1000)
#define RETRY_MAX_SECONDS (6 * 60 * 60)

struct _NcCallService
{
  GObject          parent_instance;

  NcStore         *store;
  NcClientMatcher *matcher;
  NcCallTracker   *tracker;
  NcZadarmaClient *client;
  GCancellable    *cancellable;
  GHashTable      *matching;       /* call ids being matched */
  gboolean         started;
  gboolean         stopped;        /* for good: nc_call_service_stop() */
  gboolean         fetching;       /* the due recordings are being taken from the store */
  gboolean         fetch_again;    /* more became due while they were */
  guint            round_left;     /* requests of the round taken not answered and kept yet */
  gint64           wait_until;     /* the request budget said wait: no round before, Unix s */
  guint            fetch_source;
  gint64           fetch_at;       /* when fetch_source fires, Unix seconds; 0: none */
  guint            sweep_source;
  guint            retry_unit_ms;
  guint            busy;           /* matches and link requests on their way */
};

G_DEFINE_FINAL_TYPE (NcCallService, nc_call_service, G_TYPE_OBJECT)

static void schedule_fetch (NcCallService *self,
                            gint64         at);

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* ------------------------------------------------------------------------------------ */
/* Store calls off the main context                                                      */

typedef gpointer (*StoreFunc) (NcCallService *self,
                               gpointer       data,
                               GError       **error);

typedef struct
{
  StoreFunc      func;
  gpointer       data;
  GDestroyNotify destroy;
} StoreWork;

static void
store_work_free (StoreWork *work)
{
  if (work->destroy != NULL)
    work->destroy (work->data);
  g_free (work);
}

static void
store_work_in_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  StoreWork *work = task_data;
  GError *error = NULL;
  gpointer result = work->func (source_object, work->data, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, NULL);
}

/* Runs @func (the store's sync API) on a worker thread, then @callback here. */
static void
run_store (NcCallService       *self,
           StoreFunc            func,
           gpointer             data,
           GDestroyNotify       destroy,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, callback, user_data);
  StoreWork *work = g_new0 (StoreWork, 1);

  work->func = func;
  work->data = data;
  work->destroy = destroy;
  g_task_set_task_data (task, work, (GDestroyNotify) store_work_free);
  g_task_run_in_thread (task, store_work_in_thread);
}

/* ------------------------------------------------------------------------------------ */
/* Clients                                                                               */

typedef struct
{
  NcCallService *self;
  gint64         call_id;
  char          *pbx_call_id;
} CallJob;

static CallJob *
call_job_new (NcCallService *self,
              gint64         call_id,
              const char    *pbx_call_id)
{
  CallJob *job = g_new0 (CallJob, 1);

  job->self = g_object_ref (self);
  job->call_id = call_id;
  job->pbx_call_id = g_strdup (pbx_call_id);
  self->busy++;
  return job;
}

static void
call_job_free (CallJob *job)
{
  job->self->busy--;
  g_object_unref (job->self);
  g_free (job->pbx_call_id);
  g_free (job);
}

static void
client_kept (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  CallJob *job = user_data;
  g_autoptr(GError) error = NULL;

  if (!nc_store_set_call_client_finish (NC_STORE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not keep the client of call %s: %s", job->pbx_call_id, error->message);
  g_hash_table_remove (job->self->matching, &job->call_id);
  call_job_free (job);
}

static void
client_matched (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CallJob *job = user_data;
  g_autoptr(NcClient) client = NULL;
  g_autoptr(GError) error = NULL;
  NcMatchRule rule = NC_MATCH_RULE_ANY_VARIABLE;

  client = nc_client_matcher_match_finish (NC_CLIENT_MATCHER (source), result, &rule, &error);
  if (client == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not match call %s to a client: %s", job->pbx_call_id, error->message);
      g_hash_table_remove (job->self->matching, &job->call_id);
      call_job_free (job);
      return;
    }

  nc_store_set_call_client_async (job->self->store, job->call_id, nc_client_get_id (client),
                                  nc_match_rule_to_string (rule), job->self->cancellable,
                                  client_kept, job);
}

static gboolean
is_matchable (const char *number)
{
  if (number == NULL || *number == '\0')
    return FALSE;
  /* An anonymous or hidden caller is kept as it came and matched to no client. */
  for (const char *p = number; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/* An outgoing call's client, looked for while the call lasts (the source document's
 * steps 1 and 2) but not made. */
typedef struct
{
  NcCall      *call;
  char        *number;
  gint64       client_id;
  NcMatchRule  rule;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_object_unref (lookup->call);
  g_free (lookup->number);
  g_free (lookup);
}

static gpointer
look_up_client (NcCallService  *self,
                gpointer        data,
                GError        **error)
{
  Lookup *lookup = data;
  g_autofree char *canonical = nc_phone_normalize_number (lookup->number, error);

  if (canonical == NULL)
    return NULL;
  lookup->client_id = nc_client_matcher_lookup_sync (self->matcher, canonical, &lookup->rule,
                                                     error);
  return error != NULL && *error != NULL ? NULL : GINT_TO_POINTER (TRUE);
}

static void want_client (NcCallService *self,
                         NcCall        *call);

static void
client_looked_up (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  NcCallService *self = NC_CALL_SERVICE (source);
  Lookup *lookup = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = nc_call_get_id (lookup->call);

  self->busy--;
  if (!g_task_propagate_pointer (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not look for the client of call %s: %s",
                   nc_call_get_pbx_call_id (lookup->call), error->message);
      g_hash_table_remove (self->matching, &id);
    }
  else if (lookup->client_id != 0)
    nc_store_set_call_client_async (self->store, id, lookup->client_id,
                                    nc_match_rule_to_string (lookup->rule), self->cancellable,
                                    client_kept,
                                    call_job_new (self, id,
                                                  nc_call_get_pbx_call_id (lookup->call)));
  else
    {
      g_hash_table_remove (self->matching, &id);
      /* The call ended while its client was looked for: it is made now. */
      if (nc_call_get_state (lookup->call) == NC_CALL_STATE_ENDED)
        want_client (self, lookup->call);
    }
  lookup_free (lookup);
}

/* The client of a call: found, or made as the source document says. A caller is matched
 * when the call starts (its card and notification name them, and the listener answers
 * NOTIFY_START with them). A number the operator dials that is no client yet becomes one
 * when the call ends, as the source document's service makes it from the call's end
 * notification: while the call lasts a client is only looked for, and a number typed in
 * the search box and called (nc-dial-row.c) is not a client before its call is over. */
static void
want_client (NcCallService *self,
             NcCall        *call)
{
  gint64 id = nc_call_get_id (call);

  if (!self->started || nc_call_get_client_id (call) != 0 ||
      !is_matchable (nc_call_get_client_number (call)) ||
      g_hash_table_contains (self->matching, &id))
    return;

  g_hash_table_add (self->matching, g_memdup2 (&id, sizeof id));
  if (nc_call_get_direction (call) == NC_CALL_DIRECTION_OUT &&
      nc_call_get_state (call) != NC_CALL_STATE_ENDED)
    {
      Lookup *lookup = g_new0 (Lookup, 1);

      lookup->call = g_object_ref (call);
      lookup->number = g_strdup (nc_call_get_client_number (call));
      self->busy++;
      run_store (self, look_up_client, lookup, NULL, client_looked_up, lookup);
      return;
    }
  nc_client_matcher_match_async (self->matcher, nc_call_get_client_number (call),
                                 self->cancellable, client_matched,
                                 call_job_new (self, id, nc_call_get_pbx_call_id (call)));
}

static void
call_started (NcCallTracker *tracker,
              NcCall        *call,
              NcCallService *self)
{
  want_client (self, call);
}

static void
call_ended (NcCallTracker *tracker,
            NcCall        *call,
            NcCallService *self)
{
  want_client (self, call);
}

static void
calls_changed (NcCallTracker *tracker,
               GPtrArray     *calls,
               NcCallService *self)
{
  for (guint i = 0; i < calls->len; i++)
    {
      const NcCallRecord *record = nc_call_get_record (calls->pdata[i]);

      if (record->recording == NC_RECORDING_PENDING)
        schedule_fetch (self, record->record_next_try);
      /* One that started before this process did, or whose match was lost with it. */
      if (record->state != NC_CALL_STATE_ENDED && nc_call_record_has_start (record))
        want_client (self, calls->pdata[i]);
    }
}

/* ------------------------------------------------------------------------------------ */
/* Recordings                                                                            */

typedef struct
{
  gint64  call_id;
  char   *pbx_call_id;
  char   *call_id_with_rec;
  char   *link;
  char   *expires;
  gint64  next_try;
  gboolean count_attempt;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_free (fetch->pbx_call_id);
  g_free (fetch->call_id_with_rec);
  g_free (fetch->link);
  g_free (fetch->expires);
  g_free (fetch);
}

static Fetch *
fetch_new (const NcCallRecord *record)
{
  Fetch *fetch = g_new0 (Fetch, 1);

  fetch->call_id = record->id;
  fetch->pbx_call_id = g_strdup (record->pbx_call_id);
  fetch->call_id_with_rec = g_strdup (record->call_id_with_rec);
  return fetch;
}

static Fetch *
fetch_copy (const Fetch *fetch)
{
  Fetch *copy = g_new0 (Fetch, 1);

  copy->call_id = fetch->call_id;
  copy->pbx_call_id = g_strdup (fetch->pbx_call_id);
  copy->call_id_with_rec = g_strdup (fetch->call_id_with_rec);
  return copy;
}

static gint64
retry_delay (NcCallService *self,
             guint          attempts)
{
  gint64 delay_ms = self->retry_unit_ms;

  for (guint i = 1; i < attempts && delay_ms < (gint64) RETRY_MAX_SECONDS * 1000; i++)
    delay_ms *= 2;
  return MAX (1, MIN (delay_ms, (gint64) RETRY_MAX_SECONDS * 1000) / 1000);
}

static gpointer
keep_fetched (NcCallService  *self,
              gpointer        data,
              GError        **error)
{
  Fetch *fetch = data;

  return nc_store_recording_fetched_sync (self->store, fetch->call_id, fetch->link,
                                          fetch->expires, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static gpointer
keep_retry (NcCallService  *self,
            gpointer        data,
            GError        **error)
{
  Fetch *fetch = data;

  return nc_store_recording_retry_sync (self->store, fetch->call_id, fetch->next_try,
                                        fetch->count_attempt, NC_RECORDING_ATTEMPTS, error)
         ? GINT_TO_POINTER (TRUE) : NULL;
}

static void round_done (NcCallService *self);

static void
kept (GObject      *source,
      GAsyncResult *result,
      gpointer      user_data)
{
  NcCallService *self = NC_CALL_SERVICE (source);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_pointer (G_TASK (result), &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not keep what became of a recording: %s", error->message);
  self->busy--;
  if (GPOINTER_TO_INT (user_data))
    round_done (self);
}

/* The answer to one request for a link, from the round (@from_round) or from someone
 * opening it. */
static void
keep_answer (NcCallService      *self,
             Fetch              *fetch,
             guint               attempts,
             gboolean            from_round,
             NcZadarmaRecord    *record,
             const GError       *error)
{
  gboolean fetched = record != NULL;

  /* The store may be closing: the lease, or whoever opens it next, asks again. */
  if (self->stopped)
    {
      fetch_free (fetch);
      return;
    }

  if (fetched)
    {
      fetch->link = g_strdup (record->link);
      fetch->expires = g_strdup (record->lifetime_till);
    }
  else if (g_error_matches (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_RATE_LIMITED))
    {
      /* The shared budget says wait: it is not a fault of the recording's, and no other
       * recording is asked for before then either. */
      fetch->next_try = now_seconds () + MAX (1, nc_zadarma_error_get_retry_after (error));
      fetch->count_attempt = FALSE;
      self->wait_until = MAX (self->wait_until, fetch->next_try);
    }
  else
    {
      fetch->next_try = now_seconds () + retry_delay (self, attempts + 1);
      fetch->count_attempt = TRUE;
      g_message ("Could not get the recording of call %s (attempt %u): %s",
                 fetch->pbx_call_id, attempts + 1, error->message);
    }

  self->busy++;
  run_store (self, fetched ? keep_fetched : keep_retry, fetch, (GDestroyNotify) fetch_free,
             kept, GINT_TO_POINTER (from_round));
}

typedef struct
{
  NcCallService *self;
  Fetch         *fetch;
  guint          attempts;
} RoundFetch;

static void fetch_round (NcCallService *self);

static void
round_record_received (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  RoundFetch *round = user_data;
  NcCallService *self = round->self;
  g_autoptr(NcZadarmaRecord) record = NULL;
  g_autoptr(GError) error = NULL;

  record = nc_zadarma_client_record_finish (NC_ZADARMA_CLIENT (source), result, &error);
  self->busy--;
  /* Cancelled: the service is going; the lease lets another process ask after it. */
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    keep_answer (self, g_steal_pointer (&round->fetch), round->attempts, TRUE, record, error);
  g_clear_pointer (&round->fetch, fetch_free);
  g_object_unref (self);
  g_free (round);
}

typedef struct
{
  GPtrArray *records;
  gint64     next_due;
} Due;

static void
due_free (Due *due)
{
  g_clear_pointer (&due->records, g_ptr_array_unref);
  g_free (due);
}

static gpointer
take_due (NcCallService  *self,
          gpointer        data,
          GError        **error)
{
  Due *due = g_new0 (Due, 1);

  due->records = nc_store_take_due_recordings_sync (self->store, now_seconds (),
                                                    RECORDINGS_PER_ROUND,
                                                    RECORDING_LEASE_SECONDS, &due->next_due,
                                                    error);
  if (due->records == NULL)
    {
      due_free (due);
      return NULL;
    }
  return due;
}

static void
due_taken (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  NcCallService *self = NC_CALL_SERVICE (source);
  g_autoptr(GError) error = NULL;
  Due *due = g_task_propagate_pointer (G_TASK (result), &error);

  self->fetching = FALSE;
  if (due == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_warning ("Could not read the recordings to ask for: %s", error->message);
          schedule_fetch (self, now_seconds () + 60);
        }
      return;
    }

  /* The account went meanwhile: the calls taken are due again once their lease is over. */
  for (guint i = 0; self->client != NULL && i < due->records->len; i++)
    {
      const NcCallRecord *record = due->records->pdata[i];
      RoundFetch *round = g_new0 (RoundFetch, 1);

      round->self = g_object_ref (self);
      round->fetch = fetch_new (record);
      round->attempts = record->record_attempts;
      self->busy++;
      self->round_left++;
      nc_zadarma_client_record_async (self->client, record->call_id_with_rec,
                                      NC_ZADARMA_RECORD_LIFETIME_MAX, self->cancellable,
                                      round_record_received, round);
    }

  /* Once this round's answers are kept, the store says what is due next (round_done());
   * with none taken, it said so already, unless more came while it did. */
  if (self->round_left == 0 && self->fetch_again)
    schedule_fetch (self, now_seconds ());
  else if (self->round_left == 0 && due->next_due != 0)
    schedule_fetch (self, due->next_due);
  self->fetch_again = FALSE;
  due_free (due);
}

/* A round at a time, of RECORDINGS_PER_ROUND at most: a backlog (after a restart, or a
 * wait for the budget) is asked for that many at once, not all together. */
static void
fetch_round (NcCallService *self)
{
  if (!self->started || self->client == NULL)
    return;
  if (self->fetching || self->round_left > 0)
    {
      self->fetch_again = TRUE;
      return;
    }
  if (now_seconds () < self->wait_until)
    {
      schedule_fetch (self, self->wait_until);
      return;
    }
  self->fetching = TRUE;
  run_store (self, take_due, NULL, NULL, due_taken, NULL);
}

/* Every answer of the round is kept: the retries it wrote, and whatever became due
 * meanwhile, are read with the next take. */
static void
round_done (NcCallService *self)
{
  if (!self->started)
    return;
  g_return_if_fail (self->round_left > 0);

  if (--self->round_left == 0)
    schedule_fetch (self, now_seconds ());
}

static gboolean
fetch_elapsed (gpointer user_data)
{
  NcCallService *self = user_data;

  self->fetch_source = 0;
  self->fetch_at = 0;
  fetch_round (self);
  return G_SOURCE_REMOVE;
}

/* Asks for the recordings due at @at (Unix seconds), unless a round comes earlier. */
static void
schedule_fetch (NcCallService *self,
                gint64         at)
{
  gint64 now = now_seconds ();

  if (!self->started)
    return;
  at = MAX (at, MAX (now, self->wait_until));
  if (self->fetch_source != 0 && self->fetch_at <= at)
    return;
  g_clear_handle_id (&self->fetch_source, g_source_remove);
  self->fetch_at = at;
  self->fetch_source = g_timeout_add ((guint) MIN ((at - now) * 1000, G_MAXINT), fetch_elapsed,
                                      self);
}

/* ------------------------------------------------------------------------------------ */
/* Stuck calls                                                                           */

static gpointer
close_stuck (NcCallService  *self,
             gpointer        data,
             GError        **error)
{
  gint64 quiet_since = g_get_real_time () - (gint64) NC_CALL_STUCK_SECONDS * G_USEC_PER_SEC;
  g_autofree guint *closed = g_new0 (guint, 1);

  *closed = nc_store_close_stuck_calls_sync (self->store, quiet_since, error);
  return error != NULL && *error != NULL ? NULL : g_steal_pointer (&closed);
}

static void
stuck_closed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint *closed = g_task_propagate_pointer (G_TASK (result), &error);

  if (closed == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not close the calls whose end never came: %s", error->message);
  else if (closed != NULL && *closed > 0)
    g_message ("%u calls had no event for %u hours and no end: taken for over", *closed,
               NC_CALL_STUCK_SECONDS / 3600);
}

static gboolean
sweep_elapsed (gpointer user_data)
{
  NcCallService *self = user_data;

  run_store (self, close_stuck, NULL, NULL, stuck_closed, NULL);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------------------------ */

static void
nc_call_service_dispose (GObject *object)
{
  NcCallService *self = NC_CALL_SERVICE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->fetch_source, g_source_remove);
  g_clear_handle_id (&self->sweep_source, g_source_remove);
  if (self->tracker != NULL)
    g_signal_handlers_disconnect_by_data (self->tracker, self);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->matcher);
  g_clear_object (&self->tracker);
  g_clear_object (&self->client);
  g_clear_pointer (&self->matching, g_hash_table_unref);

  G_OBJECT_CLASS (nc_call_service_parent_class)->dispose (object);
}

static void
nc_call_service_class_init (NcCallServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = nc_call_service_dispose;
}

static void
nc_call_service_init (NcCallService *self)
{
  self->cancellable = g_cancellable_new ();
  self->matching = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->retry_unit_ms = RETRY_UNIT_MS;
}

NcCallService *
nc_call_service_new (NcStore         *store,
                     NcClientMatcher *matcher,
                     NcCallTracker   *tracker)
{
  NcCallService *self;

  g_return_val_if_fail (NC_IS_STORE (store), NULL);
  g_return_val_if_fail (NC_IS_CLIENT_MATCHER (matcher), NULL);
  g_return_val_if_fail (NC_IS_CALL_TRACKER (tracker), NULL);

  self = g_object_new (NC_TYPE_CALL_SERVICE, NULL);
  self->store = g_object_ref (store);
  self->matcher = g_object_ref (matcher);
  self->tracker = g_object_ref (tracker);
  g_signal_connect (tracker, "call-started", G_CALLBACK (call_started), self);
  g_signal_connect (tracker, "call-ended", G_CALLBACK (call_ended), self);
  g_signal_connect (tracker, "calls-changed", G_CALLBACK (calls_changed), self);
  return self;
}

/**
 * nc_call_service_set_client:
 * @client: (nullable): to ask for the links of recordings
 */
void
nc_call_service_set_client (NcCallService   *self,
                            NcZadarmaClient *client)
{
  g_return_if_fail (NC_IS_CALL_SERVICE (self));

  if (!g_set_object (&self->client, client))
    return;
  /* Whatever waited for an account is due now. */
  if (client != NULL)
    schedule_fetch (self, now_seconds ());
}

/**
 * nc_call_service_start:
 *
 * Begins the listener process's work: matching calls to clients, asking for the due
 * recordings (those left by a run before this one too), closing stuck calls.
 */
void
nc_call_service_start (NcCallService *self)
{
  GListModel *live;

  g_return_if_fail (NC_IS_CALL_SERVICE (self));
  g_return_if_fail (!self->stopped);

  if (self->started)
    return;
  self->started = TRUE;

  live = nc_call_tracker_get_live_calls (self->tracker);
  for (guint i = 0; i < g_list_model_get_n_items (live); i++)
    {
      g_autoptr(NcCall) call = g_list_model_get_item (live, i);

      want_client (self, call);
    }
  schedule_fetch (self, now_seconds ());
  sweep_elapsed (self);
  self->sweep_source = g_timeout_add_seconds (NC_STUCK_SWEEP_SECONDS, sweep_elapsed, self);
}

/**
 * nc_call_service_stop:
 *
 * Ends for good the work nc_call_service_start() began, before the store closes: requests
 * on their way are cancelled (the recordings they were for are leased for a while, then
 * due again for whichever process runs next), and nothing more is asked or written.
 */
void
nc_call_service_stop (NcCallService *self)
{
  g_return_if_fail (NC_IS_CALL_SERVICE (self));

  self->stopped = TRUE;
  if (!self->started)
    return;
  self->started = FALSE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->fetch_source, g_source_remove);
  g_clear_handle_id (&self->sweep_source, g_source_remove);
  self->fetch_at = 0;
}

/* ------------------------------------------------------------------------------------ */
/* One recording, for whoever opens it                                                   */

static void
opened_record_received (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NcCallService *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(NcZadarmaRecord) record = NULL;
  GError *error = NULL;

  record = nc_zadarma_client_record_finish (NC_ZADARMA_CLIENT (source), result, &error);
  self->busy--;
  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      return;
    }
  /* Kept as the round keeps it, and the answer goes to whoever asked. */
  keep_answer (self, fetch_copy (fetch), 0, FALSE, record, error);
  if (record == NULL)
    {
      g_prefix_error (&error, _("Could not get the recording: "));
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_strdup (record->link), g_free);
}

/**
 * nc_call_service_fetch_recording_async:
 *
 * Asks the API for the link of @call's recording now (someone opened a call whose link
 * expired, or was never had), and keeps it on the call and its client.
 */
void
nc_call_service_fetch_recording_async (NcCallService       *self,
                                       NcCall              *call,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (NC_IS_CALL_SERVICE (self));
  g_return_if_fail (NC_IS_CALL (call));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nc_call_service_fetch_recording_async);

  if (nc_call_get_call_id_with_rec (call) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s",
                               _("The PBX named no recording for this call"));
      return;
    }
  if (self->client == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "%s",
                               _("Connect the Novofon account in Preferences to listen to "
                                 "recordings"));
      return;
    }

  g_task_set_task_data (task, fetch_new (nc_call_get_record (call)), (GDestroyNotify) fetch_free);
  self->busy++;
  nc_zadarma_client_record_async (self->client, nc_call_get_call_id_with_rec (call),
                                  NC_ZADARMA_RECORD_LIFETIME_MAX, cancellable,
                                  opened_record_received, g_steal_pointer (&task));
}

/**
 * nc_call_service_fetch_recording_finish:
 *
 * Returns: (transfer full): the link
 */
char *
nc_call_service_fetch_recording_finish (NcCallService  *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* For tests: a failed request is asked again after 1, 2, 4 … of this unit (a minute). */
void
nc_call_service_set_retry_unit (NcCallService *self,
                                guint          milliseconds)
{
  g_return_if_fail (NC_IS_CALL_SERVICE (self));
  self->retry_unit_ms = MAX (1, milliseconds);
}

/**
 * nc_call_service_get_busy:
 *
 * Returns: how many matches, link requests and writes of their answers are on their way
 */
guint
nc_call_service_get_busy (NcCallService *self)
{
  g_return_val_if_fail (NC_IS_CALL_SERVICE (self), 0);
  return self->busy;
}
