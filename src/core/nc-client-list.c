/* nc-client-list.c — the clients a search finds, oldest first, a page at a time from the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list holds the pages it has read, never every client: the first page of an answer
 * when the text changes, the next one when its reader nears the end (nc_client_list_load_more():
 * the view knows where it is scrolled; GTK 4.8's list view asks for every item around its
 * anchor, up to 200, whether they are seen or not). Pages are ranges of ids, the list's
 * order (nc_store_find_clients_sync()), so that the page at the millionth client costs what
 * the first does, and the search is the store's query.
 *
 * A new answer changes only what differs from the one shown: the clients both have keep
 * their objects, so that the list view keeps their rows, and the change is one
 * items-changed over the span between the first and the last difference. A client changed
 * elsewhere (NcStore::changed, from this process or, on PostgreSQL, another desk) is read
 * again, as the search sees it; a change of several clients reads again what is read.
 *
 * One read is on its way at a time; what is asked meanwhile waits for it, in this order:
 * an answer to a new text, the pages read again, the clients that changed, the next page.
 */

#define G_LOG_DOMAIN "nc-client-list"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-client-list.h"

/* An import changes thousands of clients in a few commits: they are read once. */
#define REFRESH_DELAY_MS 250
/* More changed clients than this waiting: what is read is read again instead. */
#define MAX_PENDING_IDS 16

enum {
  PROP_0,
  PROP_TEXT,
  PROP_ANSWERED,
  PROP_LOADING,
  PROP_COMPLETE,
  PROP_PROBLEM,
  N_PROPS
};

typedef enum
{
  READ_FIRST,     /* the first page of the answer to the text */
  READ_MORE,      /* the next page */
  READ_REFRESH,   /* every page read so far, again */
  READ_CLIENT,    /* one client that changed */
} ReadKind;

struct _NcClientList
{
  GObject       parent_instance;

  NcStore      *store;
  char         *text;           /* what the list is the answer to, or reads the answer to */
  GPtrArray    *items;          /* NcClient, oldest first */
  GCancellable *cancellable;    /* of the read on its way */
  ReadKind      reading;
  gint64        reading_id;     /* of READ_CLIENT */
  gboolean      answered;       /* items are the answer to text */
  gboolean      loading;        /* a page of it is on its way */
  gboolean      complete;       /* the last page of it was read */
  gboolean      want_more;
  gboolean      want_refresh;
  GArray       *pending_ids;    /* clients that changed, to read again */
  guint         refresh_source;
  char         *problem;
};

static void nc_client_list_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NcClientList, nc_client_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      nc_client_list_list_model_init))

static GParamSpec *properties[N_PROPS];

static void read_next (NcClientList *self);

static void
set_boolean (NcClientList *self,
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
set_problem (NcClientList *self,
             const char   *problem)
{
  if (g_strcmp0 (self->problem, problem) == 0)
    return;
  g_free (self->problem);
  self->problem = g_strdup (problem);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
}

static gint64
last_id (NcClientList *self)
{
  return self->items->len > 0 ? nc_client_get_id (self->items->pdata[self->items->len - 1]) : 0;
}

/* Where client @id is among the items, or would go. */
static guint
position_of (NcClientList *self,
             gint64        id,
             gboolean     *out_found)
{
  guint low = 0, high = self->items->len;

  while (low < high)
    {
      guint middle = (low + high) / 2;

      if (nc_client_get_id (self->items->pdata[middle]) < id)
        low = middle + 1;
      else
        high = middle;
    }
  *out_found = low < self->items->len && nc_client_get_id (self->items->pdata[low]) == id;
  return low;
}

static gboolean
same_client (NcClient *a,
             NcClient *b)
{
  return nc_client_get_id (a) == nc_client_get_id (b) &&
         nc_client_get_channel (a) == nc_client_get_channel (b) &&
         nc_client_get_created (a) == nc_client_get_created (b) &&
         g_strcmp0 (nc_client_get_name (a), nc_client_get_name (b)) == 0 &&
         g_strcmp0 (nc_client_get_phone (a), nc_client_get_phone (b)) == 0;
}

/* Shows @clients (oldest first) instead of the items, changing only the span between the
 * first and the last difference: a client both have keeps its object. */
static void
replace_items (NcClientList *self,
               GPtrArray    *clients)
{
  g_autoptr(GPtrArray) old = self->items;
  GPtrArray *items = g_ptr_array_new_full (clients->len, g_object_unref);
  guint i = 0, prefix = 0, suffix = 0;

  for (guint j = 0; j < clients->len; j++)
    {
      NcClient *client = clients->pdata[j];
      gint64 id = nc_client_get_id (client);

      while (i < old->len && nc_client_get_id (old->pdata[i]) < id)
        i++;
      if (i < old->len && same_client (old->pdata[i], client))
        client = old->pdata[i];
      g_ptr_array_add (items, g_object_ref (client));
    }

  while (prefix < old->len && prefix < items->len && old->pdata[prefix] == items->pdata[prefix])
    prefix++;
  while (suffix < old->len - prefix && suffix < items->len - prefix &&
         old->pdata[old->len - 1 - suffix] == items->pdata[items->len - 1 - suffix])
    suffix++;

  self->items = items;
  if (old->len != items->len || prefix < old->len)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, old->len - prefix - suffix,
                                items->len - prefix - suffix);
}

/* ------------------------------------------------------------------------------------ */
/* Reads                                                                                 */

typedef struct
{
  NcClientList *self;
  GCancellable *cancellable;
  ReadKind      kind;
  gint64        id;
  guint         limit;
} Read;

static void
read_free (Read *read)
{
  g_object_unref (read->self);
  g_object_unref (read->cancellable);
  g_free (read);
}

/* Client @id as the answer has it now (%NULL: it is gone, or the text no longer finds it). */
static void
client_read (NcClientList *self,
             gint64        id,
             NcClient     *client)
{
  gboolean found;
  guint position = position_of (self, id, &found);

  if (found && client == NULL)
    {
      g_ptr_array_remove_index (self->items, position);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
    }
  else if (found && !same_client (self->items->pdata[position], client))
    {
      NcClient *was = self->items->pdata[position];

      self->items->pdata[position] = g_object_ref (client);
      g_object_unref (was);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
    }
  /* A client the answer gained goes among the pages read; one after them comes with its
   * page. */
  else if (!found && client != NULL && (self->complete || id < last_id (self)))
    {
      g_ptr_array_insert (self->items, (int) position, g_object_ref (client));
      g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
    }
}

static void
page_read (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Read *read = user_data;
  NcClientList *self = read->self;
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(GError) error = NULL;

  clients = nc_store_find_clients_finish (NC_STORE (source), result, &error);
  /* Replaced by a read of another text: that one is on its way already. */
  if (g_cancellable_is_cancelled (read->cancellable))
    {
      read_free (read);
      return;
    }
  g_clear_object (&self->cancellable);
  g_object_freeze_notify (G_OBJECT (self));
  set_boolean (self, &self->loading, FALSE, PROP_LOADING);

  if (clients == NULL)
    {
      g_autofree char *problem = g_strdup_printf (_("Could not read the clients: %s"),
                                                  error->message);

      g_message ("%s", problem);
      set_problem (self, problem);
      /* What waited is not tried again until something asks. */
      self->want_more = FALSE;
      self->want_refresh = FALSE;
      g_array_set_size (self->pending_ids, 0);
      if (read->kind == READ_FIRST)
        set_boolean (self, &self->answered, TRUE, PROP_ANSWERED);
      g_object_thaw_notify (G_OBJECT (self));
      read_free (read);
      return;
    }
  set_problem (self, NULL);

  switch (read->kind)
    {
    case READ_FIRST:
    case READ_REFRESH:
      replace_items (self, clients);
      /* The pages read again up to their last client say nothing of what follows. */
      if (read->limit != G_MAXUINT)
        set_boolean (self, &self->complete, clients->len < read->limit, PROP_COMPLETE);
      set_boolean (self, &self->answered, TRUE, PROP_ANSWERED);
      break;
    case READ_MORE:
      if (clients->len > 0)
        {
          guint position = self->items->len;

          for (guint i = 0; i < clients->len; i++)
            g_ptr_array_add (self->items, g_object_ref (clients->pdata[i]));
          g_list_model_items_changed (G_LIST_MODEL (self), position, 0, clients->len);
        }
      set_boolean (self, &self->complete, clients->len < read->limit, PROP_COMPLETE);
      break;
    case READ_CLIENT:
      client_read (self, read->id, clients->len > 0 ? clients->pdata[0] : NULL);
      break;
    default:
      g_assert_not_reached ();
    }
  g_object_thaw_notify (G_OBJECT (self));
  read_free (read);
  read_next (self);
}

static void
start_read (NcClientList *self,
            ReadKind      kind,
            gint64        after_id,
            gint64        until_id,
            guint         limit,
            gint64        id)
{
  Read *read = g_new0 (Read, 1);

  self->cancellable = g_cancellable_new ();
  self->reading = kind;
  read->self = g_object_ref (self);
  read->cancellable = g_object_ref (self->cancellable);
  read->kind = kind;
  read->id = id;
  read->limit = limit;
  if (kind == READ_FIRST || kind == READ_MORE)
    set_boolean (self, &self->loading, TRUE, PROP_LOADING);
  nc_store_find_clients_async (self->store, self->text, after_id, until_id, limit,
                               self->cancellable, page_read, read);
}

/* The next read that waits, unless one is on its way. */
static void
read_next (NcClientList *self)
{
  if (self->cancellable != NULL)
    return;

  if (!self->answered)
    start_read (self, READ_FIRST, 0, 0, NC_CLIENT_LIST_FIRST_PAGE, 0);
  else if (self->want_refresh)
    {
      self->want_refresh = FALSE;
      g_array_set_size (self->pending_ids, 0);
      /* What is read, and a page more when that was the end: the clients added since. */
      if (self->complete)
        start_read (self, READ_REFRESH, 0, 0,
                    MAX (self->items->len, NC_CLIENT_LIST_FIRST_PAGE) + NC_CLIENT_LIST_PAGE, 0);
      else
        start_read (self, READ_REFRESH, 0, last_id (self), G_MAXUINT, 0);
    }
  else if (self->pending_ids->len > 0)
    {
      gint64 id = g_array_index (self->pending_ids, gint64, 0);

      g_array_remove_index (self->pending_ids, 0);
      start_read (self, READ_CLIENT, id - 1, id, 1, id);
    }
  else if (self->want_more && !self->complete)
    {
      self->want_more = FALSE;
      start_read (self, READ_MORE, last_id (self), 0, NC_CLIENT_LIST_PAGE, 0);
    }
}

static gboolean
refresh_now (gpointer user_data)
{
  NcClientList *self = user_data;

  self->refresh_source = 0;
  self->want_refresh = TRUE;
  read_next (self);
  return G_SOURCE_REMOVE;
}

static void
store_changed (NcStore       *store,
               NcStoreChange  kind,
               gint64         id,
               NcClientList  *self)
{
  if (kind != NC_STORE_CHANGE_CLIENTS)
    return;

  if (id != 0 && !self->want_refresh && self->refresh_source == 0 &&
      self->pending_ids->len < MAX_PENDING_IDS)
    {
      for (guint i = 0; i < self->pending_ids->len; i++)
        if (g_array_index (self->pending_ids, gint64, i) == id)
          return;
      g_array_append_val (self->pending_ids, id);
      read_next (self);
      return;
    }
  if (self->refresh_source == 0 && !self->want_refresh)
    self->refresh_source = g_timeout_add (REFRESH_DELAY_MS, refresh_now, self);
}

/* ------------------------------------------------------------------------------------ */

static GType
nc_client_list_get_item_type (GListModel *model)
{
  return NC_TYPE_CLIENT;
}

static guint
nc_client_list_get_n_items (GListModel *model)
{
  return NC_CLIENT_LIST (model)->items->len;
}

static gpointer
nc_client_list_get_item (GListModel *model,
                         guint       position)
{
  NcClientList *self = NC_CLIENT_LIST (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (self->items->pdata[position]);
}

static void
nc_client_list_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = nc_client_list_get_item_type;
  iface->get_n_items = nc_client_list_get_n_items;
  iface->get_item = nc_client_list_get_item;
}

static void
nc_client_list_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  NcClientList *self = NC_CLIENT_LIST (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_ANSWERED:
      g_value_set_boolean (value, self->answered);
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
nc_client_list_dispose (GObject *object)
{
  NcClientList *self = NC_CLIENT_LIST (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (nc_client_list_parent_class)->dispose (object);
}

static void
nc_client_list_finalize (GObject *object)
{
  NcClientList *self = NC_CLIENT_LIST (object);

  g_free (self->text);
  g_free (self->problem);
  g_array_unref (self->pending_ids);

  G_OBJECT_CLASS (nc_client_list_parent_class)->finalize (object);
}

static void
nc_client_list_class_init (NcClientListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = nc_client_list_get_property;
  object_class->dispose = nc_client_list_dispose;
  object_class->finalize = nc_client_list_finalize;

  /* What the clients are searched for; empty: every client. */
  properties[PROP_TEXT] = g_param_spec_string ("text", NULL, NULL, "", flags);
  /* The items are the answer to the text (and not still that of an earlier one). */
  properties[PROP_ANSWERED] = g_param_spec_boolean ("answered", NULL, NULL, FALSE, flags);
  /* A page of the answer is being read. */
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, flags);
  /* Every page of the answer has been read: the list ends here. */
  properties[PROP_COMPLETE] = g_param_spec_boolean ("complete", NULL, NULL, FALSE, flags);
  /* Why the last read failed, for people; %NULL when it did not. */
  properties[PROP_PROBLEM] = g_param_spec_string ("problem", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nc_client_list_init (NcClientList *self)
{
  self->text = g_strdup ("");
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->pending_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
}

/**
 * nc_client_list_new:
 * @store: where the clients are read from, and whose change feed it follows
 *
 * Returns: (transfer full): every client, reading its first page
 */
NcClientList *
nc_client_list_new (NcStore *store)
{
  NcClientList *self;

  g_return_val_if_fail (NC_IS_STORE (store), NULL);

  self = g_object_new (NC_TYPE_CLIENT_LIST, NULL);
  self->store = g_object_ref (store);
  g_signal_connect (store, "changed", G_CALLBACK (store_changed), self);
  read_next (self);
  return self;
}

NcStore *
nc_client_list_get_store (NcClientList *self)
{
  g_return_val_if_fail (NC_IS_CLIENT_LIST (self), NULL);
  return self->store;
}

/**
 * nc_client_list_set_text:
 * @text: a fragment of a name, of a number in any format, or of a variable's value; empty:
 *   every client
 *
 * Shows what the store finds for @text, from its first page. Until that is read the items
 * are still the earlier answer (nc_client_list_get_answered() says which).
 */
void
nc_client_list_set_text (NcClientList *self,
                         const char   *text)
{
  g_return_if_fail (NC_IS_CLIENT_LIST (self));

  if (text == NULL)
    text = "";
  if (g_str_equal (self->text, text))
    return;
  g_free (self->text);
  self->text = g_strdup (text);

  /* A read of the earlier text that still waits is not run at all. The new one reads the
   * store as it is: what changed before it is in it. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->want_more = FALSE;
  self->want_refresh = FALSE;
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_array_set_size (self->pending_ids, 0);

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
  set_boolean (self, &self->answered, FALSE, PROP_ANSWERED);
  set_boolean (self, &self->loading, FALSE, PROP_LOADING);
  read_next (self);
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
nc_client_list_get_text (NcClientList *self)
{
  g_return_val_if_fail (NC_IS_CLIENT_LIST (self), NULL);
  return self->text;
}

gboolean
nc_client_list_get_answered (NcClientList *self)
{
  g_return_val_if_fail (NC_IS_CLIENT_LIST (self), FALSE);
  return self->answered;
}

gboolean
nc_client_list_get_loading (NcClientList *self)
{
  g_return_val_if_fail (NC_IS_CLIENT_LIST (self), FALSE);
  return self->loading;
}

gboolean
nc_client_list_get_complete (NcClientList *self)
{
  g_return_val_if_fail (NC_IS_CLIENT_LIST (self), FALSE);
  return self->complete;
}

const char *
nc_client_list_get_problem (NcClientList *self)
{
  g_return_val_if_fail (NC_IS_CLIENT_LIST (self), NULL);
  return self->problem;
}

/**
 * nc_client_list_get_busy:
 *
 * Returns: whether a read is on its way or waits (a change to read, the next page asked
 *   for), for the tests
 */
gboolean
nc_client_list_get_busy (NcClientList *self)
{
  g_return_val_if_fail (NC_IS_CLIENT_LIST (self), FALSE);
  return self->cancellable != NULL || self->refresh_source != 0 || self->want_refresh ||
         self->pending_ids->len > 0 || (self->want_more && !self->complete);
}

/**
 * nc_client_list_load_more:
 *
 * Reads the next page, unless one is on its way or the answer is complete.
 */
void
nc_client_list_load_more (NcClientList *self)
{
  g_return_if_fail (NC_IS_CLIENT_LIST (self));

  if (self->complete || !self->answered)
    return;
  self->want_more = TRUE;
  read_next (self);
}

/**
 * nc_client_list_reload:
 *
 * Reads again every page read so far (the store's change feed does it by itself).
 */
void
nc_client_list_reload (NcClientList *self)
{
  g_return_if_fail (NC_IS_CLIENT_LIST (self));

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  self->want_refresh = TRUE;
  read_next (self);
}
