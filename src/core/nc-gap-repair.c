/* nc-gap-repair.c — the calls of a time the listener was down, from the PBX's statistics
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * While nothing listens, the PBX's webhooks go nowhere and their calls never reach the
 * store. The PBX still lists them in its statistics (/v1/statistics/pbx/), so a gap is
 * repaired from there: the span is asked for a month at a time (the API's longest), a page
 * of at most 1 000 calls at a time, and each page is stored as recovered calls
 * (nc_store_add_recovered_calls_sync(), which passes over every call the webhooks did
 * deliver). The statistics allow about three requests a minute: a refusal, the API's or
 * the shared budget's, is waited out, never taken for a failure.
 *
 * Where it has got to (the span, the month window, the page) is kept in the store's meta
 * row NC_GAP_REPAIR_META_CURSOR after every page, so a repair that was stopped — the
 * process ended, the network failed — goes on from there the next time and asks for no
 * page twice. A month window's end is fixed when it is first asked for: the skip of a
 * page means the same calls however often it is asked.
 *
 * When there is a gap, where a repair has got to and what a line of the statistics is as
 * a call: nc-gap-repair-plan.c. Every store call runs on a worker thread: the store's
 * sync API must not block the main context.
 */

#define G_LOG_DOMAIN "nc-gap-repair"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-gap-repair-private.h"

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_FETCHED,
  PROP_ADDED,
  PROP_POSITION,
  PROP_WAITING,
  N_PROPS
};

struct _NcGapRepair
{
  GObject          parent_instance;

  NcStore         *store;
  NcZadarmaClient *client;
  NcClientMatcher *matcher;
  guint            page_limit;

  gboolean         running;
  guint            fetched;
  guint            added;
  gint64           position;
  guint            waiting;

  guint            heartbeat_source;
  gboolean         heartbeat_wanted;
  gboolean         heartbeat_deferred;
  gboolean         beating;          /* a heartbeat's write is on its way */
  guint            finding;          /* gap look-ups on their way; the heartbeat waits */
};

G_DEFINE_FINAL_TYPE (NcGapRepair, nc_gap_repair, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

typedef enum
{
  BEGIN_RUN,        /* [since, until) as given */
  BEGIN_FIND_GAP,   /* the gap the store shows, if any */
} BeginMode;

/* One run: the task data of nc_gap_repair_run_async() and _repair_gap_async(). */
typedef struct
{
  BeginMode        mode;
  guint            min_gap;
  gboolean         found;
  NcGapCursor           cursor;
  gint64           offset;     /* the PBX's clock minus ours, seconds */
  gint64           now;        /* our clock when the run began, Unix seconds */
  guint            page_limit;
  NcZadarmaClient *client;
  GPtrArray       *page;       /* NcZadarmaPbxCall: the page being stored */
  guint            page_added;
  gboolean         done;
  guint            added;
  guint            wait_left;
} Run;

static void
run_free (Run *run)
{
  g_clear_object (&run->client);
  g_clear_pointer (&run->page, g_ptr_array_unref);
  g_free (run);
}

static void next_page (GTask *task);

static void beat_now  (NcGapRepair *self);

static void
set_uint (NcGapRepair *self,
          guint       *field,
          guint        value,
          guint        prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_running (NcGapRepair *self,
             gboolean     running)
{
  if (self->running == running)
    return;
  self->running = running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
set_position (NcGapRepair *self,
              gint64       position)
{
  if (self->position == position)
    return;
  self->position = position;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

static gint64
real_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
begin_in_thread (GTask        *worker,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  NcGapRepair *self = source_object;
  GTask *task = task_data;
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;
  gint64 since = run->cursor.since, until = run->cursor.until;

  run->now = real_now ();
  run->offset = nc_gap_repair_pbx_offset_sync (self->store, &error);
  if (error != NULL)
    {
      g_task_return_error (worker, error);
      return;
    }

  if (run->mode == BEGIN_FIND_GAP)
    {
      run->found = nc_gap_repair_find_gap_sync (self->store, g_get_real_time (), run->min_gap,
                                                &since, &until, &error);
      if (error != NULL)
        {
          g_task_return_error (worker, error);
          return;
        }
      if (!run->found)
        {
          run->done = TRUE;
          g_task_return_boolean (worker, TRUE);
          return;
        }
    }
  else if (until == 0)
    until = run->now + run->offset;

  if (since >= until)
    {
      run->done = TRUE;
      g_task_return_boolean (worker, TRUE);
      return;
    }
  if (!nc_gap_repair_begin_cursor (self->store, since, until, &run->cursor, &error))
    {
      g_task_return_error (worker, error);
      return;
    }
  run->done = run->cursor.window_start >= run->cursor.until;
  g_task_return_boolean (worker, TRUE);
}

/* Stores the page, then moves the cursor past it and keeps it: a page whose calls are
 * stored is never asked for again, one whose are not always is. */
static void
store_page_in_thread (GTask        *worker,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  NcGapRepair *self = source_object;
  GTask *task = task_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_call_record_free);
  g_autofree char *saved = NULL;
  GError *error = NULL;
  NcGapCursor *cursor = &run->cursor;

  for (guint i = 0; i < run->page->len; i++)
    {
      NcCallRecord *record = nc_gap_repair_record_from_statistics (run->page->pdata[i],
                                                                   run->offset, run->now);

      if (record == NULL)
        continue;
      g_ptr_array_add (records, record);
      if (!nc_gap_repair_find_client (self->matcher, record, &error))
        {
          g_task_return_error (worker, error);
          return;
        }
    }

  run->page_added = records->len > 0
                    ? nc_store_add_recovered_calls_sync (self->store, records, &error) : 0;
  if (error != NULL)
    {
      g_task_return_error (worker, error);
      return;
    }

  /* A full page may have more after it; a short one is the window's last. */
  if (run->page->len >= run->page_limit)
    cursor->skip += run->page->len;
  else
    {
      cursor->window_start = cursor->window_end;
      cursor->skip = 0;
      if (cursor->window_start < cursor->until)
        cursor->window_end = nc_gap_repair_window_end (cursor->window_start, cursor->until);
      else
        run->done = TRUE;
    }

  saved = run->done ? g_strdup ("") : nc_gap_repair_cursor_to_string (cursor);
  if (!nc_store_set_meta_sync (self->store, NC_GAP_REPAIR_META_CURSOR, saved, &error))
    {
      g_task_return_error (worker, error);
      return;
    }
  g_task_return_boolean (worker, TRUE);
}

/* Runs @func on a worker thread for @task, then @callback here. The worker has no
 * cancellable: a step that began is seen to its end, and the run looks at the
 * cancellable between steps. */
static void
run_step (GTask               *task,
          GTaskThreadFunc      func,
          GAsyncReadyCallback  callback)
{
  g_autoptr(GTask) worker = g_task_new (g_task_get_source_object (task), NULL, callback,
                                        g_object_ref (task));

  g_task_set_task_data (worker, task, NULL);
  g_task_run_in_thread (worker, func);
}

static void
end_run (GTask  *task,
         GError *error)
{
  NcGapRepair *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  set_uint (self, &self->waiting, 0, PROP_WAITING);
  set_running (self, FALSE);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, run->added);
}

static void
page_stored (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NcGapRepair *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;

  g_clear_pointer (&run->page, g_ptr_array_unref);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      end_run (task, error);
      return;
    }

  run->added += run->page_added;
  set_uint (self, &self->added, run->added, PROP_ADDED);
  g_debug ("Page stored: %u calls added; now at %" G_GINT64_FORMAT ", skip %u",
           run->page_added, run->cursor.window_start, run->cursor.skip);
  if (run->done)
    {
      set_position (self, run->cursor.until);
      end_run (task, NULL);
      return;
    }
  next_page (task);
}

static gboolean
wait_tick (gpointer user_data)
{
  GTask *task = user_data;
  NcGapRepair *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;

  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    {
      end_run (task, error);
      return G_SOURCE_REMOVE;
    }
  if (run->wait_left > 1)
    {
      run->wait_left--;
      set_uint (self, &self->waiting, run->wait_left, PROP_WAITING);
      return G_SOURCE_CONTINUE;
    }
  set_uint (self, &self->waiting, 0, PROP_WAITING);
  next_page (task);
  return G_SOURCE_REMOVE;
}

static void
page_fetched (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NcGapRepair *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;

  run->page = nc_zadarma_client_statistics_finish (NC_ZADARMA_CLIENT (source), result, &error);
  if (run->page == NULL)
    {
      /* The statistics' budget, ours or the API's: waited out, a second at a time so that
       * a cancel is heard. */
      if (g_error_matches (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_RATE_LIMITED) &&
          !g_cancellable_is_cancelled (g_task_get_cancellable (task)))
        {
          run->wait_left = MAX (1, nc_zadarma_error_get_retry_after (error));
          g_debug ("The statistics are rate-limited: waiting %u s", run->wait_left);
          g_error_free (error);
          set_uint (self, &self->waiting, run->wait_left, PROP_WAITING);
          g_timeout_add_full (G_PRIORITY_DEFAULT, 1000, wait_tick, g_object_ref (task),
                              g_object_unref);
          return;
        }
      end_run (task, error);
      return;
    }

  set_uint (self, &self->fetched, self->fetched + run->page->len, PROP_FETCHED);
  run_step (task, store_page_in_thread, page_stored);
}

static void
next_page (GTask *task)
{
  NcGapRepair *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  GError *error = NULL;

  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    {
      end_run (task, error);
      return;
    }

  set_position (self, run->cursor.window_start);
  /* The API counts the end in: the window's end is the first second not asked for. */
  start = nc_call_format_pbx_time (run->cursor.window_start);
  end = nc_call_format_pbx_time (run->cursor.window_end - 1);
  g_debug ("Asking for the calls of %s … %s from %u", start, end, run->cursor.skip);
  nc_zadarma_client_statistics_async (run->client, start, end, run->cursor.skip,
                                      run->page_limit, g_task_get_cancellable (task),
                                      page_fetched, g_object_ref (task));
}

static void
begun (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NcGapRepair *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;

  self->finding--;
  if (self->finding == 0 && self->heartbeat_deferred)
    {
      self->heartbeat_deferred = FALSE;
      if (self->heartbeat_wanted)
        beat_now (self);
    }

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      end_run (task, error);
      return;
    }
  if (run->done)
    {
      end_run (task, NULL);
      return;
    }
  next_page (task);
}

static void
start_run (NcGapRepair         *self,
           Run                 *run,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);

  if (self->running)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("The calls of the gap are being recovered already"));
      return;
    }
  if (self->client == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               _("No Novofon account is connected: the PBX’s statistics "
                                 "need the API Key and Secret"));
      return;
    }

  run->client = g_object_ref (self->client);
  run->page_limit = self->page_limit;
  g_object_freeze_notify (G_OBJECT (self));
  set_running (self, TRUE);
  set_uint (self, &self->fetched, 0, PROP_FETCHED);
  set_uint (self, &self->added, 0, PROP_ADDED);
  set_uint (self, &self->waiting, 0, PROP_WAITING);
  g_object_thaw_notify (G_OBJECT (self));

  /* The heartbeat waits until the gap is known and kept. */
  self->finding++;
  run_step (task, begin_in_thread, begun);
}

static void
beat_in_thread (GTask        *worker,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  NcGapRepair *self = source_object;
  g_autofree char *now = g_strdup_printf ("%" G_GINT64_FORMAT, real_now ());
  GError *error = NULL;

  if (!nc_store_set_meta_sync (self->store, NC_GAP_REPAIR_META_HEARTBEAT, now, &error))
    g_task_return_error (worker, error);
  else
    g_task_return_boolean (worker, TRUE);
}

static void
beaten (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  NcGapRepair *self = NC_GAP_REPAIR (source);
  g_autoptr(GError) error = NULL;

  self->beating = FALSE;
  /* Best effort: a store that fails shows it elsewhere; a closed one at the end is fine. */
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_debug ("Could not keep the listener's heartbeat: %s", error->message);
}

static void
beat_now (NcGapRepair *self)
{
  g_autoptr(GTask) worker = NULL;

  if (self->finding > 0)
    {
      self->heartbeat_deferred = TRUE;
      return;
    }
  if (self->beating)
    return;

  self->beating = TRUE;
  worker = g_task_new (self, NULL, beaten, NULL);
  g_task_run_in_thread (worker, beat_in_thread);
}

static gboolean
heartbeat_due (gpointer user_data)
{
  beat_now (NC_GAP_REPAIR (user_data));
  return G_SOURCE_CONTINUE;
}

static void
nc_gap_repair_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  NcGapRepair *self = NC_GAP_REPAIR (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_FETCHED:
      g_value_set_uint (value, self->fetched);
      break;
    case PROP_ADDED:
      g_value_set_uint (value, self->added);
      break;
    case PROP_POSITION:
      g_value_set_int64 (value, self->position);
      break;
    case PROP_WAITING:
      g_value_set_uint (value, self->waiting);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_gap_repair_dispose (GObject *object)
{
  NcGapRepair *self = NC_GAP_REPAIR (object);

  nc_gap_repair_stop_heartbeat (self);
  g_clear_object (&self->client);
  g_clear_object (&self->matcher);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (nc_gap_repair_parent_class)->dispose (object);
}

static void
nc_gap_repair_class_init (NcGapRepairClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = nc_gap_repair_get_property;
  object_class->dispose = nc_gap_repair_dispose;

  /**
   * NcGapRepair:running:
   *
   * Whether a repair is on its way (a look for the gap included).
   */
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, ro);
  /**
   * NcGapRepair:fetched:
   *
   * The calls the statistics listed so far in this run.
   */
  properties[PROP_FETCHED] = g_param_spec_uint ("fetched", NULL, NULL, 0, G_MAXUINT, 0, ro);
  /**
   * NcGapRepair:added:
   *
   * The calls of this run that the store did not know: added as recovered.
   */
  properties[PROP_ADDED] = g_param_spec_uint ("added", NULL, NULL, 0, G_MAXUINT, 0, ro);
  /**
   * NcGapRepair:position:
   *
   * Where the repair has got to, in the PBX's time (Unix seconds of its clock read as
   * UTC, as nc_call_format_pbx_time() prints them).
   */
  properties[PROP_POSITION] = g_param_spec_int64 ("position", NULL, NULL, 0, G_MAXINT64, 0, ro);
  /**
   * NcGapRepair:waiting:
   *
   * The seconds left to wait for the statistics' budget; 0 while not waiting.
   */
  properties[PROP_WAITING] = g_param_spec_uint ("waiting", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nc_gap_repair_init (NcGapRepair *self)
{
  self->page_limit = NC_ZADARMA_STATISTICS_PAGE_MAX;
}

/**
 * nc_gap_repair_new:
 * @client: (nullable): the API client; see nc_gap_repair_set_client()
 */
NcGapRepair *
nc_gap_repair_new (NcStore         *store,
                   NcZadarmaClient *client)
{
  NcGapRepair *self;

  g_return_val_if_fail (NC_IS_STORE (store), NULL);
  g_return_val_if_fail (client == NULL || NC_IS_ZADARMA_CLIENT (client), NULL);

  self = g_object_new (NC_TYPE_GAP_REPAIR, NULL);
  self->store = g_object_ref (store);
  self->matcher = nc_client_matcher_new (store);
  nc_gap_repair_set_client (self, client);
  return self;
}

/**
 * nc_gap_repair_set_client:
 * @client: (nullable): the API client the next runs use (a run keeps the one it began with)
 */
void
nc_gap_repair_set_client (NcGapRepair     *self,
                          NcZadarmaClient *client)
{
  g_return_if_fail (NC_IS_GAP_REPAIR (self));

  g_set_object (&self->client, client);
}

/**
 * nc_gap_repair_set_page_limit:
 * @limit: the calls asked for at a time, 1 … 1 000 (1 000 until set)
 *
 * For tests: a gap of a few calls then takes several pages.
 */
void
nc_gap_repair_set_page_limit (NcGapRepair *self,
                              guint        limit)
{
  g_return_if_fail (NC_IS_GAP_REPAIR (self));

  self->page_limit = CLAMP (limit, 1, NC_ZADARMA_STATISTICS_PAGE_MAX);
}

gboolean
nc_gap_repair_get_running (NcGapRepair *self)
{
  g_return_val_if_fail (NC_IS_GAP_REPAIR (self), FALSE);
  return self->running;
}

guint
nc_gap_repair_get_fetched (NcGapRepair *self)
{
  g_return_val_if_fail (NC_IS_GAP_REPAIR (self), 0);
  return self->fetched;
}

guint
nc_gap_repair_get_added (NcGapRepair *self)
{
  g_return_val_if_fail (NC_IS_GAP_REPAIR (self), 0);
  return self->added;
}

gint64
nc_gap_repair_get_position (NcGapRepair *self)
{
  g_return_val_if_fail (NC_IS_GAP_REPAIR (self), 0);
  return self->position;
}

guint
nc_gap_repair_get_waiting (NcGapRepair *self)
{
  g_return_val_if_fail (NC_IS_GAP_REPAIR (self), 0);
  return self->waiting;
}

/**
 * nc_gap_repair_start_heartbeat:
 *
 * Keeps NC_GAP_REPAIR_META_HEARTBEAT at now, at once and every
 * NC_GAP_REPAIR_HEARTBEAT_SECONDS, for as long as this process runs the listener. A look
 * for the gap on its way on this object goes first, so that the beat cannot hide the gap
 * from it: start nc_gap_repair_repair_gap_async() before this, never after.
 */
void
nc_gap_repair_start_heartbeat (NcGapRepair *self)
{
  g_return_if_fail (NC_IS_GAP_REPAIR (self));

  self->heartbeat_wanted = TRUE;
  if (self->heartbeat_source == 0)
    self->heartbeat_source = g_timeout_add_seconds (NC_GAP_REPAIR_HEARTBEAT_SECONDS,
                                                    heartbeat_due, self);
  beat_now (self);
}

void
nc_gap_repair_stop_heartbeat (NcGapRepair *self)
{
  g_return_if_fail (NC_IS_GAP_REPAIR (self));

  self->heartbeat_wanted = FALSE;
  self->heartbeat_deferred = FALSE;
  g_clear_handle_id (&self->heartbeat_source, g_source_remove);
}

/**
 * nc_gap_repair_run_async:
 * @since: the first second to repair, in the PBX's time (as started_unix)
 * @until: the first second not to repair; 0 for now
 *
 * Fetches the calls of [@since, @until) from the PBX's statistics and adds those the store
 * does not know, as recovered. A repair that was stopped and covers @since goes on where
 * it stopped (to the later of the two ends). Rate limits are waited out; a cancel stops it
 * between two requests, and the next run goes on from there.
 */
void
nc_gap_repair_run_async (NcGapRepair         *self,
                         gint64               since,
                         gint64               until,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  Run *run;

  g_return_if_fail (NC_IS_GAP_REPAIR (self));
  g_return_if_fail (since > 0);

  run = g_new0 (Run, 1);
  run->mode = BEGIN_RUN;
  run->cursor.since = since;
  run->cursor.until = until;
  start_run (self, run, nc_gap_repair_run_async, cancellable, callback, user_data);
}

/**
 * nc_gap_repair_run_finish:
 * @out_added: (out) (optional): the calls this run added
 */
gboolean
nc_gap_repair_run_finish (NcGapRepair   *self,
                          GAsyncResult  *result,
                          guint         *out_added,
                          GError       **error)
{
  gssize added;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nc_gap_repair_run_async, FALSE);

  added = g_task_propagate_int (G_TASK (result), error);
  if (added < 0)
    return FALSE;
  if (out_added != NULL)
    *out_added = (guint) added;
  return TRUE;
}

/**
 * nc_gap_repair_repair_gap_async:
 * @min_gap_seconds: see nc_gap_repair_find_gap_sync()
 *
 * What a start of the listener or of the console does: finds the gap since the listener
 * was last alive (or the rest of a repair that was stopped) and repairs it.
 */
void
nc_gap_repair_repair_gap_async (NcGapRepair         *self,
                                guint                min_gap_seconds,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  Run *run;

  g_return_if_fail (NC_IS_GAP_REPAIR (self));

  run = g_new0 (Run, 1);
  run->mode = BEGIN_FIND_GAP;
  run->min_gap = min_gap_seconds;
  start_run (self, run, nc_gap_repair_repair_gap_async, cancellable, callback, user_data);
}

/**
 * nc_gap_repair_repair_gap_finish:
 * @out_found: (out) (optional): whether there was a gap
 * @out_added: (out) (optional): the calls added
 */
gboolean
nc_gap_repair_repair_gap_finish (NcGapRepair   *self,
                                 GAsyncResult  *result,
                                 gboolean      *out_found,
                                 guint         *out_added,
                                 GError       **error)
{
  Run *run;
  gssize added;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nc_gap_repair_repair_gap_async,
                        FALSE);

  run = g_task_get_task_data (G_TASK (result));
  added = g_task_propagate_int (G_TASK (result), error);
  if (added < 0)
    return FALSE;
  if (out_found != NULL)
    *out_found = run->found;
  if (out_added != NULL)
    *out_added = (guint) added;
  return TRUE;
}
