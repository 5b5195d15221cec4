/* nc-journal.c — the calls, newest first, a page at a time from the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The journal holds the pages it has read, never the history: the first page when it is
 * shown or its filter changes, the next one when its reader nears the end
 * (nc_journal_load_more(): the view knows where it is scrolled; GTK 4.8's list view asks for
 * every item around its anchor, up to 200, whether they are seen or not, so the model's own
 * reads of get_item() say nothing of that). The filters are the store's query
 * (nc_store_list_calls_sync()); a call that changes afterwards comes from the tracker,
 * which follows the store's change log, and is tested against the same filter here.
 *
 * A new call goes to the top while the list is held at the top; while it is held away
 * (nc_journal_set_hold()) new calls wait, counted, so that nothing moves under the
 * reader, until nc_journal_show_waiting().
 */

#define G_LOG_DOMAIN "nc-journal"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-journal.h"

enum {
  PROP_0,
  PROP_LOADING,
  PROP_COMPLETE,
  PROP_PROBLEM,
  PROP_N_WAITING,
  N_PROPS
};

struct _NcJournal
{
  GObject        parent_instance;

  NcCallTracker *tracker;
  NcCallFilter  *filter;
  GArray        *text_clients;   /* what the filter's text finds, for calls that change */
  GPtrArray     *items;          /* NcCall, newest first */
  GHashTable    *shown;          /* NcCall → TRUE: in items */
  GPtrArray     *waiting;        /* NcCall that came while held */
  GCancellable  *cancellable;    /* of the read on its way */
  char          *problem;
  gboolean       loading;
  gboolean       complete;       /* the last page was read */
  guint          asked;          /* the size of the page on its way */
  gboolean       hold;
};

static void nc_journal_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NcJournal, nc_journal, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      nc_journal_list_model_init))

static GParamSpec *properties[N_PROPS];

static void load_page (NcJournal *self);

static int
compare_calls (NcCall *a,
               NcCall *b)
{
  const NcCallRecord *call_a = nc_call_get_record (a);
  const NcCallRecord *call_b = nc_call_get_record (b);

  if (call_a->started_unix != call_b->started_unix)
    return call_a->started_unix > call_b->started_unix ? -1 : 1;
  return call_a->id > call_b->id ? -1 : call_a->id < call_b->id;
}

static int
compare_call_pointers (gconstpointer a,
                       gconstpointer b)
{
  return compare_calls (*(NcCall **) a, *(NcCall **) b);
}

static void
set_loading (NcJournal *self,
             gboolean   loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
set_complete (NcJournal *self,
              gboolean   complete)
{
  if (self->complete == complete)
    return;
  self->complete = complete;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
}

static void
set_problem (NcJournal  *self,
             const char *problem)
{
  if (g_strcmp0 (self->problem, problem) == 0)
    return;
  g_free (self->problem);
  self->problem = g_strdup (problem);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
}

static void
insert (NcJournal *self,
        guint      position,
        NcCall    *call)
{
  g_ptr_array_insert (self->items, (int) position, g_object_ref (call));
  g_hash_table_add (self->shown, call);
}

static void
remove_at (NcJournal *self,
           guint      position)
{
  NcCall *call = self->items->pdata[position];

  g_hash_table_remove (self->shown, call);
  g_ptr_array_remove_index (self->items, position);
}

/* Where @call goes among the items, by its start. */
static guint
position_of (NcJournal *self,
             NcCall    *call)
{
  guint low = 0, high = self->items->len;

  while (low < high)
    {
      guint middle = (low + high) / 2;

      if (compare_calls (self->items->pdata[middle], call) < 0)
        low = middle + 1;
      else
        high = middle;
    }
  return low;
}

static void
clear_waiting (NcJournal *self)
{
  if (self->waiting->len == 0)
    return;
  g_ptr_array_set_size (self->waiting, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_WAITING]);
}

/* ------------------------------------------------------------------------------------ */
/* Pages                                                                                 */

static void
page_read (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  NcJournal *self = user_data;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  guint before, added = 0;

  records = nc_store_list_calls_finish (NC_STORE (source), result, &error);
  if (records == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  g_clear_object (&self->cancellable);
  set_loading (self, FALSE);

  if (records == NULL)
    {
      g_autofree char *problem = g_strdup_printf (_("Could not read the calls: %s"),
                                                  error->message);

      set_problem (self, problem);
      g_object_unref (self);
      return;
    }
  set_problem (self, NULL);

  before = self->items->len;
  for (guint i = 0; i < records->len; i++)
    {
      g_autoptr(NcCall) call = nc_call_tracker_take_record (self->tracker, records->pdata[i]);
      guint position;

      /* A call that came from the change log before its page. */
      if (g_hash_table_contains (self->shown, call))
        continue;
      /* The page goes after what is there, but for a call from the log older than it. */
      position = position_of (self, call);
      if (position < before)
        {
          if (added > 0)
            g_list_model_items_changed (G_LIST_MODEL (self), before, 0, added);
          insert (self, position, call);
          g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
          before = self->items->len;
          added = 0;
          continue;
        }
      insert (self, self->items->len, call);
      added++;
    }
  if (records->len < self->asked)
    set_complete (self, TRUE);
  if (added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), before, 0, added);
  g_object_unref (self);
}

static void
load_page (NcJournal *self)
{
  const NcCallRecord *after = NULL;
  guint limit;

  if (self->loading || self->complete)
    return;

  if (self->items->len > 0)
    after = nc_call_get_record (self->items->pdata[self->items->len - 1]);
  limit = self->items->len == 0 ? NC_JOURNAL_FIRST_PAGE : NC_JOURNAL_PAGE;
  self->asked = limit;
  self->cancellable = g_cancellable_new ();
  set_loading (self, TRUE);
  nc_store_list_calls_async (nc_call_tracker_get_store (self->tracker), self->filter, after,
                             limit, self->cancellable, page_read, g_object_ref (self));
}

typedef struct
{
  NcJournal *journal;
  char      *text;
} TextSearch;

static void
text_clients_found (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  TextSearch *search = user_data;
  NcJournal *self = search->journal;
  g_autoptr(GArray) ids = nc_store_search_clients_finish (NC_STORE (source), result, NULL);

  /* For a filter still in force: the calls of the clients it finds. */
  if (ids != NULL && self->filter != NULL &&
      g_strcmp0 (self->filter->text, search->text) == 0)
    {
      g_clear_pointer (&self->text_clients, g_array_unref);
      self->text_clients = g_steal_pointer (&ids);
    }
  g_object_unref (self);
  g_free (search->text);
  g_free (search);
}

/**
 * nc_journal_reload:
 *
 * Reads the first page again, and lets go of the others.
 */
void
nc_journal_reload (NcJournal *self)
{
  guint removed;

  g_return_if_fail (NC_IS_JOURNAL (self));

  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
    }
  set_loading (self, FALSE);
  set_complete (self, FALSE);
  clear_waiting (self);

  removed = self->items->len;
  g_hash_table_remove_all (self->shown);
  g_ptr_array_set_size (self->items, 0);
  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);

  g_clear_pointer (&self->text_clients, g_array_unref);
  if (self->filter->text != NULL && *self->filter->text != '\0')
    {
      TextSearch *search = g_new0 (TextSearch, 1);

      search->journal = g_object_ref (self);
      search->text = g_strdup (self->filter->text);
      nc_store_search_clients_async (nc_call_tracker_get_store (self->tracker),
                                     self->filter->text, NC_CALL_FILTER_TEXT_CLIENTS, NULL,
                                     text_clients_found, search);
    }
  load_page (self);
}

/* ------------------------------------------------------------------------------------ */
/* Calls that changed                                                                    */

static void
calls_changed (NcCallTracker *tracker,
               GPtrArray     *calls,
               NcJournal     *self)
{
  guint waiting = self->waiting->len;

  for (guint i = 0; i < calls->len; i++)
    {
      NcCall *call = calls->pdata[i];
      gboolean matches = nc_call_filter_matches (self->filter, nc_call_get_record (call),
                                                 self->text_clients);

      if (g_hash_table_contains (self->shown, call))
        {
          guint position;

          if (matches)
            continue;
          /* It no longer belongs (it was missed, and someone called back, say). */
          for (position = 0; self->items->pdata[position] != (gpointer) call; position++)
            ;
          remove_at (self, position);
          g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
          continue;
        }
      if (!matches)
        continue;

      /* A new call: at the top, unless the reader is elsewhere in the list. */
      if (self->items->len == 0 || compare_calls (call, self->items->pdata[0]) < 0)
        {
          if (self->hold && self->items->len > 0)
            {
              if (!g_ptr_array_find (self->waiting, call, NULL))
                g_ptr_array_add (self->waiting, g_object_ref (call));
              continue;
            }
          insert (self, 0, call);
          g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, 1);
          continue;
        }
      /* One among those read (recovered from the statistics, say); one older than every
       * page read so far comes with its page. */
      if (self->complete ||
          compare_calls (call, self->items->pdata[self->items->len - 1]) < 0)
        {
          guint position = position_of (self, call);

          insert (self, position, call);
          g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
        }
    }
  if (self->waiting->len != waiting)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_WAITING]);
}

static void
calls_reset (NcCallTracker *tracker,
             NcJournal     *self)
{
  nc_journal_reload (self);
}

/* ------------------------------------------------------------------------------------ */

static GType
nc_journal_get_item_type (GListModel *model)
{
  return NC_TYPE_CALL;
}

static guint
nc_journal_get_n_items (GListModel *model)
{
  return NC_JOURNAL (model)->items->len;
}

static gpointer
nc_journal_get_item (GListModel *model,
                     guint       position)
{
  NcJournal *self = NC_JOURNAL (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (self->items->pdata[position]);
}

static void
nc_journal_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = nc_journal_get_item_type;
  iface->get_n_items = nc_journal_get_n_items;
  iface->get_item = nc_journal_get_item;
}

static void
nc_journal_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  NcJournal *self = NC_JOURNAL (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_COMPLETE:
      g_value_set_boolean (value, self->complete);
      break;
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    case PROP_N_WAITING:
      g_value_set_uint (value, self->waiting->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_journal_dispose (GObject *object)
{
  NcJournal *self = NC_JOURNAL (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->tracker != NULL)
    g_signal_handlers_disconnect_by_data (self->tracker, self);
  g_clear_object (&self->tracker);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->shown, g_hash_table_unref);
  g_clear_pointer (&self->waiting, g_ptr_array_unref);
  g_clear_pointer (&self->text_clients, g_array_unref);

  G_OBJECT_CLASS (nc_journal_parent_class)->dispose (object);
}

static void
nc_journal_finalize (GObject *object)
{
  NcJournal *self = NC_JOURNAL (object);

  nc_call_filter_free (self->filter);
  g_free (self->problem);

  G_OBJECT_CLASS (nc_journal_parent_class)->finalize (object);
}

static void
nc_journal_class_init (NcJournalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = nc_journal_get_property;
  object_class->dispose = nc_journal_dispose;
  object_class->finalize = nc_journal_finalize;

  /* A page is being read. */
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, flags);
  /* Every page has been read: the list ends here. */
  properties[PROP_COMPLETE] = g_param_spec_boolean ("complete", NULL, NULL, FALSE, flags);
  /* Why the last page could not be read, for people; %NULL when it could. */
  properties[PROP_PROBLEM] = g_param_spec_string ("problem", NULL, NULL, NULL, flags);
  /* New calls that wait while the list is held away from its top. */
  properties[PROP_N_WAITING] = g_param_spec_uint ("n-waiting", NULL, NULL, 0, G_MAXUINT, 0,
                                                  flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nc_journal_init (NcJournal *self)
{
  self->filter = nc_call_filter_new ();
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->shown = g_hash_table_new (NULL, NULL);
  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * nc_journal_new:
 * @tracker: started: the calls, and the store they are read from
 *
 * Returns: (transfer full): a journal of every call, reading its first page
 */
NcJournal *
nc_journal_new (NcCallTracker *tracker)
{
  NcJournal *self;

  g_return_val_if_fail (NC_IS_CALL_TRACKER (tracker), NULL);
  g_return_val_if_fail (nc_call_tracker_get_store (tracker) != NULL, NULL);

  self = g_object_new (NC_TYPE_JOURNAL, NULL);
  self->tracker = g_object_ref (tracker);
  g_signal_connect (tracker, "calls-changed", G_CALLBACK (calls_changed), self);
  g_signal_connect (tracker, "calls-reset", G_CALLBACK (calls_reset), self);
  load_page (self);
  return self;
}

const NcCallFilter *
nc_journal_get_filter (NcJournal *self)
{
  g_return_val_if_fail (NC_IS_JOURNAL (self), NULL);
  return self->filter;
}

/**
 * nc_journal_set_filter:
 *
 * Shows the calls @filter lets through, from the first page, read by the store.
 */
void
nc_journal_set_filter (NcJournal          *self,
                       const NcCallFilter *filter)
{
  g_return_if_fail (NC_IS_JOURNAL (self));
  g_return_if_fail (filter != NULL);

  if (nc_call_filter_equal (self->filter, filter))
    return;
  nc_call_filter_free (self->filter);
  self->filter = nc_call_filter_copy (filter);
  nc_journal_reload (self);
}

gboolean
nc_journal_get_loading (NcJournal *self)
{
  g_return_val_if_fail (NC_IS_JOURNAL (self), FALSE);
  return self->loading;
}

gboolean
nc_journal_get_complete (NcJournal *self)
{
  g_return_val_if_fail (NC_IS_JOURNAL (self), FALSE);
  return self->complete;
}

const char *
nc_journal_get_problem (NcJournal *self)
{
  g_return_val_if_fail (NC_IS_JOURNAL (self), NULL);
  return self->problem;
}

/**
 * nc_journal_load_more:
 *
 * Reads the next page, unless one is on its way or the list is complete.
 */
void
nc_journal_load_more (NcJournal *self)
{
  g_return_if_fail (NC_IS_JOURNAL (self));
  load_page (self);
}

/**
 * nc_journal_set_hold:
 * @hold: whether the reader is away from the top of the list
 *
 * While held, new calls wait (nc_journal_get_n_waiting()) instead of moving the list.
 */
void
nc_journal_set_hold (NcJournal *self,
                     gboolean   hold)
{
  g_return_if_fail (NC_IS_JOURNAL (self));
  self->hold = hold;
}

guint
nc_journal_get_n_waiting (NcJournal *self)
{
  g_return_val_if_fail (NC_IS_JOURNAL (self), 0);
  return self->waiting->len;
}

/**
 * nc_journal_show_waiting:
 *
 * Puts the calls that waited at the top.
 */
void
nc_journal_show_waiting (NcJournal *self)
{
  g_autoptr(GPtrArray) waiting = NULL;
  guint added = 0;

  g_return_if_fail (NC_IS_JOURNAL (self));

  if (self->waiting->len == 0)
    return;
  waiting = g_steal_pointer (&self->waiting);
  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_sort (waiting, compare_call_pointers);
  for (guint i = 0; i < waiting->len; i++)
    if (!g_hash_table_contains (self->shown, waiting->pdata[i]))
      insert (self, added++, waiting->pdata[i]);
  if (added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, added);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_WAITING]);
}
