/* nc-call-tracker.c — the calls of this process, following the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store is the truth: its writer merges every webhook event into its call's row, in
 * whichever process the listener runs. The tracker starts from the calls that are not
 * over (never from the history) and from where the store's change log stands, then reads
 * the log: at once when this process wrote (NcStore::changed), and every
 * NC_CALL_TRACKER_POLL_MS for what other processes wrote. Each call named is read as it is
 * now and given to its one NcCall; the tracker tells what that changed in the course of
 * the call (started, ended, tied to a callback request) and keeps the live calls.
 */

#define G_LOG_DOMAIN "nc-call-tracker"

#include "config.h"

#include "nc-call-private.h"
#include "nc-call-tracker.h"

enum {
  SIGNAL_CALL_STARTED,
  SIGNAL_CALL_ENDED,
  SIGNAL_CALLBACK_TIED,
  SIGNAL_CALLS_CHANGED,
  SIGNAL_CALLS_RESET,
  N_SIGNALS
};

/* What the tracker told of a call that is new since it started. */
enum
{
  TOLD_START = 1 << 0,
  TOLD_END   = 1 << 1,
  TOLD_TIED  = 1 << 2,
};

/* New calls whose course is remembered, at most; the oldest ended ones go first. */
#define TOLD_MAX 4096


struct _NcCallTracker
{
  GObject       parent_instance;

  NcStore      *store;
  GCancellable *cancellable;
  GHashTable   *calls;        /* pbx_call_id → NcCall, not owned: every call shown anywhere */
  GListStore   *live;         /* ringing and talking, newest first */
  gint64        cursor;       /* the last change read */
  gint64        read_from;    /* the cursor the read on its way started from */
  gint64        last_old_call; /* the newest call row when the tracker started */
  GHashTable   *told;         /* row id → TOLD_*, of new calls: their NcCall may be gone */
  gboolean      started;
  gboolean      reading;
  gboolean      again;        /* more was written while a read was on its way */
  guint         poll_ms;
  guint         poll_source;
};

G_DEFINE_FINAL_TYPE (NcCallTracker, nc_call_tracker, G_TYPE_OBJECT)

static guint signals[N_SIGNALS];

static void read_log (NcCallTracker *self);

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b,
                      gpointer      user_data)
{
  const NcCallRecord *call_a = nc_call_get_record ((NcCall *) a);
  const NcCallRecord *call_b = nc_call_get_record ((NcCall *) b);

  if (call_a->started_unix != call_b->started_unix)
    return call_a->started_unix > call_b->started_unix ? -1 : 1;
  return call_a->id > call_b->id ? -1 : call_a->id < call_b->id;
}

/* Called while the call is disposed, before it is finalized: its values are still there. */
static void
call_finalized (gpointer  user_data,
                GObject  *where_the_object_was)
{
  NcCallTracker *self = user_data;
  const char *pbx_call_id = nc_call_get_record ((NcCall *) where_the_object_was)->pbx_call_id;

  if (g_hash_table_lookup (self->calls, pbx_call_id) == (gpointer) where_the_object_was)
    g_hash_table_remove (self->calls, pbx_call_id);
}

static NcCall *
call_new (NcCallTracker      *self,
          const NcCallRecord *record)
{
  NcCall *call = nc_call_new (record);

  g_hash_table_insert (self->calls, g_strdup (record->pbx_call_id), call);
  g_object_weak_ref (G_OBJECT (call), call_finalized, self);
  return call;
}

static gboolean
live_remove (NcCallTracker *self,
             NcCall        *call)
{
  guint position;

  if (!g_list_store_find (self->live, call, &position))
    return FALSE;
  g_list_store_remove (self->live, position);
  return TRUE;
}

/* A call first written after the tracker started, and not recovered after the fact from
 * the PBX's statistics, is news. */
static gboolean
is_new (NcCallTracker      *self,
        const NcCallRecord *record)
{
  return record->id > self->last_old_call && !record->recovered;
}

static gint64 *
id_key (gint64 id)
{
  return g_memdup2 (&id, sizeof id);
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  gint64 id_a = *(const gint64 *) a, id_b = *(const gint64 *) b;

  return id_a < id_b ? -1 : id_a > id_b;
}

static gboolean
is_through (gpointer key,
            gpointer value,
            gpointer user_data)
{
  return *(gint64 *) key <= *(gint64 *) user_data;
}

/* Keeps the table of what was told small: the calls up to the older half of the ended
 * ones are forgotten, and from then on count as calls from before the start (told only
 * what their NcCall sees change: a live one is shown, so its end is still told). */
static void
forget_told (NcCallTracker *self)
{
  g_autoptr(GArray) ended = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTableIter iter;
  gpointer key, value;
  gint64 through;

  g_hash_table_iter_init (&iter, self->told);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (GPOINTER_TO_UINT (value) & TOLD_END)
      g_array_append_val (ended, *(gint64 *) key);
  if (ended->len == 0)
    return;
  g_array_sort (ended, compare_ids);
  through = g_array_index (ended, gint64, ended->len / 2);
  g_hash_table_foreach_remove (self->told, is_through, &through);
  self->last_old_call = MAX (self->last_old_call, through);
}

static void
set_told (NcCallTracker      *self,
          const NcCallRecord *record,
          guint               told)
{
  g_hash_table_insert (self->told, id_key (record->id), GUINT_TO_POINTER (told));
  if (g_hash_table_size (self->told) > TOLD_MAX)
    forget_told (self);
}

/* Gives the call its row as it is now and tells what that changed. Returns the call
 * (transfer full). */
static NcCall *
apply (NcCallTracker      *self,
       const NcCallRecord *record)
{
  NcCall *call = g_hash_table_lookup (self->calls, record->pbx_call_id);
  gboolean known = call != NULL;
  gboolean had_start = FALSE, was_ended = FALSE;
  gboolean ended = record->state == NC_CALL_STATE_ENDED;
  gboolean tell_start, tell_end, tell_tied;
  gint64 had_request = 0;

  if (known)
    {
      const NcCallRecord *old = nc_call_get_record (call);

      had_start = nc_call_record_has_start (old);
      was_ended = old->state == NC_CALL_STATE_ENDED;
      had_request = old->request_id;
      g_object_ref (call);
      nc_call_update (call, record);
    }
  else
    call = call_new (self, record);

  /* A call is shown once it has a start; a NOTIFY_RECORD that overtook every other event
   * waits, invisible, for the rest. */
  if (!nc_call_record_has_start (record))
    return call;

  if (ended)
    live_remove (self, call);
  else if (!g_list_store_find (self->live, call, NULL))
    g_list_store_insert_sorted (self->live, call, compare_newest_first, NULL);

  /* What was told of a new call is remembered apart from its NcCall, which goes once
   * nothing shows it: a change to its row after that (its recording fetched, its client
   * matched late) tells nothing again. A call from before the start is told only what
   * its NcCall saw change. */
  if (is_new (self, record))
    {
      guint told = GPOINTER_TO_UINT (g_hash_table_lookup (self->told, &record->id));

      tell_start = (told & TOLD_START) == 0;
      tell_end = ended && (told & TOLD_END) == 0;
      tell_tied = record->request_id != 0 && (told & TOLD_TIED) == 0;
      if (tell_start || tell_end || tell_tied)
        set_told (self, record, told | TOLD_START | (ended ? TOLD_END : 0) |
                                (record->request_id != 0 ? TOLD_TIED : 0));
    }
  else
    {
      tell_start = known && !had_start;
      tell_end = ended && known && (!was_ended || !had_start);
      tell_tied = known && record->request_id != 0 && record->request_id != had_request;
    }

  if (tell_tied)
    g_signal_emit (self, signals[SIGNAL_CALLBACK_TIED], 0, record->request_id, call);
  if (tell_start)
    g_signal_emit (self, signals[SIGNAL_CALL_STARTED], 0, call);
  if (tell_end)
    g_signal_emit (self, signals[SIGNAL_CALL_ENDED], 0, call);
  return call;
}

static void
replace_live (NcCallTracker *self,
              GPtrArray     *records)
{
  g_autoptr(GPtrArray) calls = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < records->len; i++)
    {
      const NcCallRecord *record = records->pdata[i];
      NcCall *call = g_hash_table_lookup (self->calls, record->pbx_call_id);

      if (call != NULL)
        {
          g_object_ref (call);
          nc_call_update (call, record);
        }
      else
        call = call_new (self, record);
      if (!nc_call_record_has_start (record))
        {
          g_object_unref (call);
          continue;
        }
      /* Read again after a reset: its start is not news any more. */
      if (is_new (self, record) && !g_hash_table_contains (self->told, &record->id))
        set_told (self, record, TOLD_START);
      g_ptr_array_add (calls, call);
    }
  g_list_store_splice (self->live, 0, g_list_model_get_n_items (G_LIST_MODEL (self->live)),
                       calls->pdata, calls->len);
}

static void
schedule_poll (NcCallTracker *self);

/* Clients, employees, messengers changed by another process (the listener's made a client
 * of a caller, another desk added an employee): this process's views hear of it as of
 * their own. */
static void
tell_elsewhere (NcCallTracker  *self,
                NcStoreChanges *changes)
{
  for (guint kind = 0; kind < NC_STORE_N_CHANGES; kind++)
    if (kind != NC_STORE_CHANGE_CALLS && (changes->kinds_elsewhere & (1u << kind)) != 0)
      nc_store_emit_changed (self->store, kind);
}

static void
changes_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  NcCallTracker *self = user_data;
  g_autoptr(NcStoreChanges) changes = NULL;
  g_autoptr(GError) error = NULL;

  changes = nc_store_read_changes_finish (NC_STORE (source), result, &error);
  if (changes == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  self->reading = FALSE;

  /* Read meanwhile by nc_call_tracker_update_sync(): these rows may be older than the
   * calls have now. */
  if (changes != NULL && self->cursor != self->read_from)
    {
      g_clear_pointer (&changes, nc_store_changes_free);
      self->again = TRUE;
    }
  else if (changes == NULL)
    g_debug ("Could not read what changed in the store: %s", error->message);
  else
    {
      g_autoptr(GPtrArray) calls = g_ptr_array_new_with_free_func (g_object_unref);

      self->cursor = changes->cursor;
      if (changes->all_calls)
        {
          /* Too much to say one by one: the live calls are read again, and the journals. */
          g_autoptr(GPtrArray) live = nc_store_list_live_calls_sync (self->store, NULL, NULL,
                                                                     &error);

          if (live != NULL)
            replace_live (self, live);
          g_signal_emit (self, signals[SIGNAL_CALLS_RESET], 0);
        }
      for (guint i = 0; i < changes->calls->len; i++)
        g_ptr_array_add (calls, apply (self, changes->calls->pdata[i]));
      if (calls->len > 0)
        g_signal_emit (self, signals[SIGNAL_CALLS_CHANGED], 0, calls);
      tell_elsewhere (self, changes);
      if (changes->more)
        self->again = TRUE;
    }

  if (self->again)
    read_log (self);
  g_object_unref (self);
}

static void
read_log (NcCallTracker *self)
{
  if (!self->started)
    return;
  if (self->reading)
    {
      self->again = TRUE;
      return;
    }
  self->reading = TRUE;
  self->again = FALSE;
  self->read_from = self->cursor;
  nc_store_read_changes_async (self->store, self->cursor, self->cancellable, changes_read,
                               g_object_ref (self));
}

static void
store_changed (NcStore       *store,
               NcStoreChange  kind,
               gint64         id,
               NcCallTracker *self)
{
  if (kind == NC_STORE_CHANGE_CALLS)
    read_log (self);
}

/* A database server says something changed (or its connection came back). */
static void
store_fed (NcStore       *store,
           NcCallTracker *self)
{
  read_log (self);
}

static gboolean
poll_elapsed (gpointer user_data)
{
  NcCallTracker *self = user_data;

  read_log (self);
  return G_SOURCE_CONTINUE;
}

static void
schedule_poll (NcCallTracker *self)
{
  g_clear_handle_id (&self->poll_source, g_source_remove);
  /* A store with a feed says when to read: no polling. */
  if (self->started && self->poll_ms > 0 && !nc_store_has_feed (self->store))
    self->poll_source = g_timeout_add (self->poll_ms, poll_elapsed, self);
}

static void
nc_call_tracker_dispose (GObject *object)
{
  NcCallTracker *self = NC_CALL_TRACKER (object);
  GHashTableIter iter;
  gpointer value;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->poll_source, g_source_remove);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->live);
  if (self->calls != NULL)
    {
      g_hash_table_iter_init (&iter, self->calls);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_object_weak_unref (value, call_finalized, self);
      g_clear_pointer (&self->calls, g_hash_table_unref);
    }
  g_clear_pointer (&self->told, g_hash_table_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);

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
   * A call became known with its start (an incoming call rings, say), since the tracker
   * started.
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
   * NcCallTracker::callback-tied:
   * @request_id: nc_store_request_callback_sync()'s
   *
   * The call that a callback request placed has started, from whichever desk.
   */
  signals[SIGNAL_CALLBACK_TIED] =
    g_signal_new ("callback-tied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_INT64, NC_TYPE_CALL);
  /**
   * NcCallTracker::calls-changed:
   * @calls: (element-type NcCall): the calls whose rows changed, as they are now
   *
   * For the journals: a call to show, or to show again.
   */
  signals[SIGNAL_CALLS_CHANGED] =
    g_signal_new ("calls-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_PTR_ARRAY);
  /**
   * NcCallTracker::calls-reset:
   *
   * More calls changed than the change log names: whoever shows calls reads them again.
   */
  signals[SIGNAL_CALLS_RESET] =
    g_signal_new ("calls-reset", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
nc_call_tracker_init (NcCallTracker *self)
{
  self->cancellable = g_cancellable_new ();
  self->calls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->told = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->live = g_list_store_new (NC_TYPE_CALL);
  self->poll_ms = NC_CALL_TRACKER_POLL_MS;
}

NcCallTracker *
nc_call_tracker_new (void)
{
  return g_object_new (NC_TYPE_CALL_TRACKER, NULL);
}

static void
set_store (NcCallTracker *self,
           NcStore       *store)
{
  g_return_if_fail (self->store == NULL);

  self->store = g_object_ref (store);
  g_signal_connect (store, "changed", G_CALLBACK (store_changed), self);
  g_signal_connect (store, "feed", G_CALLBACK (store_fed), self);
}

NcStore *
nc_call_tracker_get_store (NcCallTracker *self)
{
  g_return_val_if_fail (NC_IS_CALL_TRACKER (self), NULL);
  return self->store;
}

static void
begin (NcCallTracker *self,
       GPtrArray     *live,
       gint64         cursor,
       gint64         last_call)
{
  self->cursor = cursor;
  self->last_old_call = last_call;
  self->started = TRUE;
  replace_live (self, live);
  schedule_poll (self);
  /* Whatever was written meanwhile. */
  read_log (self);
}

static void
live_read (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NcCallTracker *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) live = NULL;
  GError *error = NULL;
  gint64 cursor = 0, last_call = 0;

  live = nc_store_list_live_calls_finish (NC_STORE (source), result, &cursor, &last_call,
                                          &error);
  if (live == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  begin (self, live, cursor, last_call);
  g_task_return_boolean (task, TRUE);
}

/**
 * nc_call_tracker_start_async:
 * @store: where the calls are
 *
 * Reads the calls of @store that are not over, and from then on follows its change log.
 */
void
nc_call_tracker_start_async (NcCallTracker       *self,
                             NcStore             *store,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (NC_IS_CALL_TRACKER (self));
  g_return_if_fail (NC_IS_STORE (store));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nc_call_tracker_start_async);
  set_store (self, store);
  nc_store_list_live_calls_async (self->store, cancellable, live_read, task);
}

gboolean
nc_call_tracker_start_finish (NcCallTracker  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
nc_call_tracker_start_sync (NcCallTracker  *self,
                            NcStore        *store,
                            GError        **error)
{
  g_autoptr(GPtrArray) live = NULL;
  gint64 cursor = 0, last_call = 0;

  g_return_val_if_fail (NC_IS_CALL_TRACKER (self), FALSE);
  g_return_val_if_fail (NC_IS_STORE (store), FALSE);

  set_store (self, store);
  live = nc_store_list_live_calls_sync (self->store, &cursor, &last_call, error);
  if (live == NULL)
    return FALSE;
  begin (self, live, cursor, last_call);
  return TRUE;
}

/**
 * nc_call_tracker_update_sync:
 *
 * Reads the change log now and applies all of it before returning: for the command line
 * and the tests, which cannot wait for the main loop.
 */
gboolean
nc_call_tracker_update_sync (NcCallTracker  *self,
                             GError        **error)
{
  g_return_val_if_fail (NC_IS_CALL_TRACKER (self), FALSE);
  g_return_val_if_fail (self->started, FALSE);

  for (;;)
    {
      g_autoptr(NcStoreChanges) changes = nc_store_read_changes_sync (self->store, self->cursor,
                                                                      error);
      g_autoptr(GPtrArray) calls = g_ptr_array_new_with_free_func (g_object_unref);

      if (changes == NULL)
        return FALSE;
      self->cursor = changes->cursor;
      if (changes->all_calls)
        {
          g_autoptr(GPtrArray) live = nc_store_list_live_calls_sync (self->store, NULL, NULL,
                                                                     error);

          if (live == NULL)
            return FALSE;
          replace_live (self, live);
          g_signal_emit (self, signals[SIGNAL_CALLS_RESET], 0);
        }
      for (guint i = 0; i < changes->calls->len; i++)
        g_ptr_array_add (calls, apply (self, changes->calls->pdata[i]));
      if (calls->len > 0)
        g_signal_emit (self, signals[SIGNAL_CALLS_CHANGED], 0, calls);
      tell_elsewhere (self, changes);
      if (!changes->more)
        return TRUE;
    }
}

/* For tests: the change log is read every NC_CALL_TRACKER_POLL_MS otherwise; 0: only
 * when this process writes. */
void
nc_call_tracker_set_poll_interval (NcCallTracker *self,
                                   guint          milliseconds)
{
  g_return_if_fail (NC_IS_CALL_TRACKER (self));
  self->poll_ms = milliseconds;
  schedule_poll (self);
}

/**
 * nc_call_tracker_lookup:
 *
 * Returns: (transfer none) (nullable): the call with this id, if it is shown anywhere in
 *   this process
 */
NcCall *
nc_call_tracker_lookup (NcCallTracker *self,
                        const char    *pbx_call_id)
{
  g_return_val_if_fail (NC_IS_CALL_TRACKER (self), NULL);
  return g_hash_table_lookup (self->calls, pbx_call_id);
}

/**
 * nc_call_tracker_take_record:
 * @record: a call as a page of the journal read it
 *
 * Returns: (transfer full): the call's one NcCall in this process; one already shown keeps
 *   its values, which the change log keeps current
 */
NcCall *
nc_call_tracker_take_record (NcCallTracker      *self,
                             const NcCallRecord *record)
{
  NcCall *call;

  g_return_val_if_fail (NC_IS_CALL_TRACKER (self), NULL);
  g_return_val_if_fail (record != NULL, NULL);

  call = g_hash_table_lookup (self->calls, record->pbx_call_id);
  if (call != NULL)
    return g_object_ref (call);
  return call_new (self, record);
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
