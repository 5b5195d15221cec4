/* nc-missed-list.c — the clients to call back, oldest wait first, a page at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list holds the pages it has read, never the history: the first page, then the next
 * ones as its reader nears the end (nc_missed_list_load_more()). When the store says the
 * clients to call back changed (NcStore::changed with NC_STORE_CHANGE_MISSED: a call
 * ended, a desk claimed or closed one, here or elsewhere) or its clients did, it reads
 * again as many as it shows, in one query of the store's partial index: a change costs
 * what is shown.
 */

#define G_LOG_DOMAIN "nc-missed-list"

#include "config.h"

#include "nc-missed-list.h"

/* ------------------------------------------------------------------------------------ */
/* One entry                                                                             */

struct _NcMissedItem
{
  GObject       parent_instance;

  NcMissedCall *missed;
};

G_DEFINE_FINAL_TYPE (NcMissedItem, nc_missed_item, G_TYPE_OBJECT)

static void
nc_missed_item_finalize (GObject *object)
{
  NcMissedItem *self = NC_MISSED_ITEM (object);

  g_clear_pointer (&self->missed, nc_missed_call_free);
  G_OBJECT_CLASS (nc_missed_item_parent_class)->finalize (object);
}

static void
nc_missed_item_class_init (NcMissedItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nc_missed_item_finalize;
}

static void
nc_missed_item_init (NcMissedItem *self)
{
}

/* Takes @missed. */
static NcMissedItem *
nc_missed_item_new (NcMissedCall *missed)
{
  NcMissedItem *self = g_object_new (NC_TYPE_MISSED_ITEM, NULL);

  self->missed = missed;
  return self;
}

/**
 * nc_missed_item_get_missed:
 *
 * Returns: (transfer none): the entry, as it was read
 */
const NcMissedCall *
nc_missed_item_get_missed (NcMissedItem *self)
{
  g_return_val_if_fail (NC_IS_MISSED_ITEM (self), NULL);

  return self->missed;
}

/* ------------------------------------------------------------------------------------ */
/* The list                                                                              */

enum {
  PROP_0,
  PROP_COUNT,
  PROP_LOADING,
  PROP_COMPLETE,
  PROP_PROBLEM,
  N_PROPS
};

struct _NcMissedList
{
  GObject       parent_instance;

  NcStore      *store;
  GPtrArray    *items;        /* NcMissedItem */
  GCancellable *cancellable;  /* of the read on its way */
  char         *problem;
  guint         count;        /* the waiting clients, in all */
  guint         asked;        /* the size of the page on its way */
  gboolean      appending;    /* it is the next page, not the first ones again */
  gboolean      loading;
  gboolean      complete;
};

static void nc_missed_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NcMissedList, nc_missed_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      nc_missed_list_model_init))

static GParamSpec *properties[N_PROPS];

static GType
nc_missed_list_get_item_type (GListModel *model)
{
  return NC_TYPE_MISSED_ITEM;
}

static guint
nc_missed_list_get_n_items (GListModel *model)
{
  return NC_MISSED_LIST (model)->items->len;
}

static gpointer
nc_missed_list_get_item (GListModel *model,
                         guint       position)
{
  NcMissedList *self = NC_MISSED_LIST (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (self->items->pdata[position]);
}

static void
nc_missed_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = nc_missed_list_get_item_type;
  iface->get_n_items = nc_missed_list_get_n_items;
  iface->get_item = nc_missed_list_get_item;
}

static void
set_boolean (NcMissedList *self,
             gboolean     *field,
             gboolean      value,
             guint         prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_problem (NcMissedList *self,
             const char   *problem)
{
  if (g_strcmp0 (self->problem, problem) == 0)
    return;
  g_free (self->problem);
  self->problem = g_strdup (problem);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
}

static void
set_count (NcMissedList *self,
           guint         count)
{
  if (self->count == count)
    return;
  self->count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
}

static void
page_read (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(NcMissedList) self = user_data;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  guint count = 0, removed, position;

  page = nc_store_list_missed_finish (NC_STORE (source), result, &count, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  set_boolean (self, &self->loading, FALSE, PROP_LOADING);
  if (page == NULL)
    {
      set_problem (self, error->message);
      return;
    }
  set_problem (self, NULL);

  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < page->len; i++)
    g_ptr_array_add (items, nc_missed_item_new (g_steal_pointer (&page->pdata[i])));

  /* The first pages again replace what is shown; a next page goes after it. */
  position = self->appending ? self->items->len : 0;
  removed = self->items->len - position;
  g_ptr_array_remove_range (self->items, position, removed);
  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (self->items, g_object_ref (items->pdata[i]));
  set_boolean (self, &self->complete, page->len < self->asked, PROP_COMPLETE);
  set_count (self, count);
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, items->len);
}

static void
read_page (NcMissedList *self,
           gboolean      appending)
{
  const NcMissedCall *last = NULL;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->appending = appending;
  if (appending && self->items->len > 0)
    last = nc_missed_item_get_missed (self->items->pdata[self->items->len - 1]);
  self->asked = appending ? NC_MISSED_LIST_PAGE
                          : MAX (NC_MISSED_LIST_FIRST_PAGE, self->items->len);
  set_boolean (self, &self->loading, TRUE, PROP_LOADING);
  nc_store_list_missed_async (self->store, last != NULL ? last->first_missed_us : 0,
                              last != NULL ? last->client_id : 0, self->asked,
                              self->cancellable, page_read, g_object_ref (self));
}

static void
store_changed (NcStore       *store,
               NcStoreChange  kind,
               gint64         id,
               NcMissedList  *self)
{
  /* A client renamed or deleted (its row goes with it) changes what is shown too. */
  if (kind == NC_STORE_CHANGE_MISSED || kind == NC_STORE_CHANGE_CLIENTS)
    read_page (self, FALSE);
}

static void
nc_missed_list_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  NcMissedList *self = NC_MISSED_LIST (object);

  switch (prop_id)
    {
    case PROP_COUNT:
      g_value_set_uint (value, self->count);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_COMPLETE:
      g_value_set_boolean (value, self->complete);
      break;
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_missed_list_dispose (GObject *object)
{
  NcMissedList *self = NC_MISSED_LIST (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (nc_missed_list_parent_class)->dispose (object);
}

static void
nc_missed_list_finalize (GObject *object)
{
  NcMissedList *self = NC_MISSED_LIST (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_free (self->problem);
  G_OBJECT_CLASS (nc_missed_list_parent_class)->finalize (object);
}

static void
nc_missed_list_class_init (NcMissedListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = nc_missed_list_get_property;
  object_class->dispose = nc_missed_list_dispose;
  object_class->finalize = nc_missed_list_finalize;

  properties[PROP_COUNT] =
    g_param_spec_uint ("count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nc_missed_list_init (NcMissedList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * nc_missed_list_new:
 *
 * The clients of @store to call back; the first page is read at once.
 */
NcMissedList *
nc_missed_list_new (NcStore *store)
{
  NcMissedList *self;

  g_return_val_if_fail (NC_IS_STORE (store), NULL);

  self = g_object_new (NC_TYPE_MISSED_LIST, NULL);
  self->store = g_object_ref (store);
  g_signal_connect_object (store, "changed", G_CALLBACK (store_changed), self, 0);
  read_page (self, FALSE);
  return self;
}

guint
nc_missed_list_get_count (NcMissedList *self)
{
  g_return_val_if_fail (NC_IS_MISSED_LIST (self), 0);
  return self->count;
}

gboolean
nc_missed_list_get_loading (NcMissedList *self)
{
  g_return_val_if_fail (NC_IS_MISSED_LIST (self), FALSE);
  return self->loading;
}

gboolean
nc_missed_list_get_complete (NcMissedList *self)
{
  g_return_val_if_fail (NC_IS_MISSED_LIST (self), FALSE);
  return self->complete;
}

const char *
nc_missed_list_get_problem (NcMissedList *self)
{
  g_return_val_if_fail (NC_IS_MISSED_LIST (self), NULL);
  return self->problem;
}

/**
 * nc_missed_list_load_more:
 *
 * Reads the next page, unless the last one is read or a read is on its way.
 */
void
nc_missed_list_load_more (NcMissedList *self)
{
  g_return_if_fail (NC_IS_MISSED_LIST (self));

  if (self->complete || self->loading)
    return;
  read_page (self, TRUE);
}

/**
 * nc_missed_list_reload:
 *
 * Reads again as many as it shows.
 */
void
nc_missed_list_reload (NcMissedList *self)
{
  g_return_if_fail (NC_IS_MISSED_LIST (self));

  read_page (self, FALSE);
}
