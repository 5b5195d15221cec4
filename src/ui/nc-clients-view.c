/* nc-clients-view.c — the company's clients, searchable as you type
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The clients come from the store, read off the main context; a search is answered by
 * the store's index, never by walking the list. Beside each number a phone button follows
 * the current employee's call method: none when calls are disabled, else it activates
 * win.call-client with the number.
 */

#define G_LOG_DOMAIN "nc-clients-view"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-clients-view.h"
#include "nc-phone.h"

#define SEARCH_LIMIT 1000

enum {
  PROP_0,
  PROP_CALLS_ENABLED,
  N_PROPS
};

struct _NcClientsView
{
  AdwBin          parent_instance;

  NcStore        *store;
  GListStore     *all;
  GListStore     *found;
  GHashTable     *by_id;          /* gint64 → NcClient */
  GCancellable   *cancellable;
  GCancellable   *search_cancellable;
  gboolean        calls_enabled;
  guint           search_serial;
  guint           load_serial;

  GtkSearchEntry *search_entry;
  GtkStack       *stack;
  GtkListView    *list_view;
  GtkNoSelection *selection;
};

G_DEFINE_FINAL_TYPE (NcClientsView, nc_clients_view, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_CLIENT_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
row_activated (GtkListView   *list_view,
               guint          position,
               NcClientsView *self)
{
  g_autoptr(NcClient) client = g_list_model_get_item (nc_clients_view_get_shown (self), position);

  if (client != NULL)
    g_signal_emit (self, signals[SIGNAL_CLIENT_ACTIVATED], 0, client);
}

static void
update_page (NcClientsView *self)
{
  GListModel *shown = gtk_no_selection_get_model (self->selection);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  if (g_list_model_get_n_items (G_LIST_MODEL (self->all)) == 0)
    gtk_stack_set_visible_child_name (self->stack, "empty");
  else if (g_list_model_get_n_items (shown) == 0 && *text != '\0')
    gtk_stack_set_visible_child_name (self->stack, "no-results");
  else
    gtk_stack_set_visible_child_name (self->stack, "list");
}

static void
show (NcClientsView *self,
      GListStore    *model)
{
  gtk_no_selection_set_model (self->selection, G_LIST_MODEL (model));
  update_page (self);
}

/* The first page shows at once; the rest follow in large pages. */
#define FIRST_PAGE 500
#define NEXT_PAGE  100000

typedef struct
{
  NcClientsView *self;
  guint          serial;
  gboolean       first;
} Page;

static void request_page (NcClientsView *self, gint64 after_id, gboolean first);
static void search_changed (NcClientsView *self);

static void
page_listed (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Page *page = user_data;
  NcClientsView *self = page->self;
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(GError) error = NULL;
  guint limit = page->first ? FIRST_PAGE : NEXT_PAGE;

  clients = nc_store_list_clients_finish (NC_STORE (source), result, &error);
  if (clients == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", error->message);
    }
  else if (page->serial == self->load_serial)
    {
      guint n_all = g_list_model_get_n_items (G_LIST_MODEL (self->all));

      /* A new reading replaces the list with its first page. */
      if (page->first)
        g_hash_table_remove_all (self->by_id);
      for (guint i = 0; i < clients->len; i++)
        {
          gint64 id = nc_client_get_id (clients->pdata[i]);

          g_hash_table_insert (self->by_id, g_memdup2 (&id, sizeof id), clients->pdata[i]);
        }
      g_list_store_splice (self->all, page->first ? 0 : n_all, page->first ? n_all : 0,
                           clients->pdata, clients->len);
      if (page->first && gtk_no_selection_get_model (self->selection) != G_LIST_MODEL (self->found))
        show (self, self->all);
      else
        update_page (self);
      if (clients->len == limit)
        request_page (self, nc_client_get_id (clients->pdata[clients->len - 1]), FALSE);
      else if (*gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) != '\0')
        /* All read: a search typed meanwhile is answered again, over every client. */
        search_changed (self);
    }

  g_object_unref (self);
  g_free (page);
}

static void
request_page (NcClientsView *self,
              gint64         after_id,
              gboolean       first)
{
  Page *page = g_new0 (Page, 1);

  page->self = g_object_ref (self);
  page->serial = self->load_serial;
  page->first = first;
  nc_store_list_clients_async (self->store, after_id, first ? FIRST_PAGE : NEXT_PAGE,
                               self->cancellable, page_listed, page);
}

void
nc_clients_view_reload (NcClientsView *self)
{
  g_return_if_fail (NC_IS_CLIENTS_VIEW (self));

  if (self->store == NULL)
    return;
  self->load_serial++;
  request_page (self, 0, TRUE);
}

typedef struct
{
  NcClientsView *self;
  guint          serial;
} Search;

static void
search_answered (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Search *search = user_data;
  NcClientsView *self = search->self;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;

  ids = nc_store_search_clients_finish (NC_STORE (source), result, &error);
  /* Only the answer to what is typed now counts. */
  if (ids != NULL && search->serial == self->search_serial)
    {
      g_autoptr(GPtrArray) found = g_ptr_array_sized_new (ids->len);

      for (guint i = 0; i < ids->len; i++)
        {
          NcClient *client = g_hash_table_lookup (self->by_id, &g_array_index (ids, gint64, i));

          if (client != NULL)
            g_ptr_array_add (found, client);
        }
      /* One change for the whole answer, not one per client. */
      g_list_store_splice (self->found, 0, g_list_model_get_n_items (G_LIST_MODEL (self->found)),
                           found->pdata, found->len);
      show (self, self->found);
    }
  else if (ids == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Could not search the clients: %s", error->message);

  g_object_unref (self);
  g_free (search);
}

static void
search_changed (NcClientsView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  Search *search;

  self->search_serial++;
  if (self->store == NULL || *text == '\0')
    {
      show (self, self->all);
      return;
    }

  /* A search that what is typed now replaced is not run at all if it still waits. */
  if (self->search_cancellable != NULL)
    g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  self->search_cancellable = g_cancellable_new ();

  search = g_new0 (Search, 1);
  search->self = g_object_ref (self);
  search->serial = self->search_serial;
  nc_store_search_clients_async (self->store, text, SEARCH_LIMIT, self->search_cancellable,
                                 search_answered, search);
}

static gboolean
call_button_visible (GBinding     *binding,
                     const GValue *from,
                     GValue       *to,
                     gpointer      user_data)
{
  NcClient *client = user_data;

  g_value_set_boolean (to, g_value_get_boolean (from) && nc_client_get_phone (client) != NULL);
  return TRUE;
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *details = gtk_label_new (NULL);
  GtkWidget *call = gtk_button_new_from_icon_name ("call-start-symbolic");

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (name, "heading");
  gtk_label_set_xalign (GTK_LABEL (details), 0);
  gtk_label_set_ellipsize (GTK_LABEL (details), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (details, "dim-label");
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_box_append (GTK_BOX (labels), name);
  gtk_box_append (GTK_BOX (labels), details);
  gtk_widget_set_valign (call, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (call, "flat");
  gtk_widget_add_css_class (call, "circular");
  gtk_widget_add_css_class (call, "accent");
  gtk_widget_set_tooltip_text (call, _("Call"));
  gtk_box_append (GTK_BOX (box), labels);
  gtk_box_append (GTK_BOX (box), call);
  gtk_list_item_set_child (item, box);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  NcClientsView *self = user_data;
  NcClient *client = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *labels = gtk_widget_get_first_child (box);
  GtkWidget *call = gtk_widget_get_last_child (box);
  g_autofree char *phone = nc_phone_format (nc_client_get_phone (client));
  g_autofree char *details = NULL;
  g_autofree char *accessible = NULL;
  GBinding *binding;

  gtk_label_set_label (GTK_LABEL (gtk_widget_get_first_child (labels)), nc_client_get_name (client));
  details = *phone != '\0'
            ? g_strdup_printf ("%s · %s", nc_channel_get_label (nc_client_get_channel (client)), phone)
            : g_strdup (nc_channel_get_label (nc_client_get_channel (client)));
  gtk_label_set_label (GTK_LABEL (gtk_widget_get_last_child (labels)), details);

  /* The action goes with its target, or a row without a number would warn. */
  if (nc_client_get_phone (client) != NULL)
    {
      gtk_actionable_set_action_target (GTK_ACTIONABLE (call), "s", nc_client_get_phone (client));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (call), "win.call-client");
    }
  /* Translators: the accessible name of the phone button beside a client */
  accessible = g_strdup_printf (_("Call %s"), nc_client_get_name (client));
  gtk_accessible_update_property (GTK_ACCESSIBLE (call), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
  binding = g_object_bind_property_full (self, "calls-enabled", call, "visible",
                                         G_BINDING_SYNC_CREATE, call_button_visible, NULL,
                                         g_object_ref (client), g_object_unref);
  g_object_set_data (G_OBJECT (item), "nc-binding", binding);
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  GBinding *binding = g_object_steal_data (G_OBJECT (item), "nc-binding");
  GtkWidget *call = gtk_widget_get_last_child (gtk_list_item_get_child (item));

  if (binding != NULL)
    g_binding_unbind (binding);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (call), NULL);
}

static void
nc_clients_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  NcClientsView *self = NC_CLIENTS_VIEW (object);

  switch (prop_id)
    {
    case PROP_CALLS_ENABLED:
      g_value_set_boolean (value, self->calls_enabled);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_clients_view_dispose (GObject *object)
{
  NcClientsView *self = NC_CLIENTS_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->search_cancellable != NULL)
    g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (nc_clients_view_parent_class)->dispose (object);
}

static void
nc_clients_view_finalize (GObject *object)
{
  NcClientsView *self = NC_CLIENTS_VIEW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->search_cancellable);
  g_clear_object (&self->all);
  g_clear_object (&self->found);
  g_clear_pointer (&self->by_id, g_hash_table_unref);

  G_OBJECT_CLASS (nc_clients_view_parent_class)->finalize (object);
}

static void
nc_clients_view_class_init (NcClientsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = nc_clients_view_get_property;
  object_class->dispose = nc_clients_view_dispose;
  object_class->finalize = nc_clients_view_finalize;

  properties[PROP_CALLS_ENABLED] =
    g_param_spec_boolean ("calls-enabled", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * NcClientsView::client-activated:
   *
   * The user opened a client (Enter, or a click on the row).
   */
  signals[SIGNAL_CLIENT_ACTIVATED] =
    g_signal_new ("client-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, NC_TYPE_CLIENT);

  /* AdwBin owns the template’s one child and unparents it in dispose. */
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-clients-view.ui");
  gtk_widget_class_bind_template_child (widget_class, NcClientsView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, NcClientsView, stack);
  gtk_widget_class_bind_template_child (widget_class, NcClientsView, list_view);
  gtk_widget_class_bind_template_callback (widget_class, search_changed);
}

static void
nc_clients_view_init (NcClientsView *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->all = g_list_store_new (NC_TYPE_CLIENT);
  self->found = g_list_store_new (NC_TYPE_CLIENT);
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->all)));

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  gtk_list_view_set_single_click_activate (self->list_view, TRUE);
  g_signal_connect (self->list_view, "activate", G_CALLBACK (row_activated), self);
  g_object_unref (self->selection);

  update_page (self);
}

void
nc_clients_view_focus_search (NcClientsView *self)
{
  g_return_if_fail (NC_IS_CLIENTS_VIEW (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/**
 * nc_clients_view_search:
 *
 * Searches the clients for @text, as if the user had typed it.
 */
void
nc_clients_view_search (NcClientsView *self,
                        const char    *text)
{
  g_return_if_fail (NC_IS_CLIENTS_VIEW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
}

/**
 * nc_clients_view_set_store:
 *
 * Returns: whether @store is new to the view, which then reads its clients
 */
gboolean
nc_clients_view_set_store (NcClientsView *self,
                           NcStore       *store)
{
  g_return_val_if_fail (NC_IS_CLIENTS_VIEW (self), FALSE);

  if (!g_set_object (&self->store, store))
    return FALSE;
  nc_clients_view_reload (self);
  return TRUE;
}

/**
 * nc_clients_view_set_call_method:
 *
 * How the current employee calls: with calls disabled, no phone button is shown.
 */
void
nc_clients_view_set_call_method (NcClientsView *self,
                                 NcCallMethod   method)
{
  gboolean enabled = method != NC_CALL_METHOD_DISABLED;

  g_return_if_fail (NC_IS_CLIENTS_VIEW (self));

  if (self->calls_enabled == enabled)
    return;
  self->calls_enabled = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALLS_ENABLED]);
}

/**
 * nc_clients_view_get_shown:
 *
 * Returns: (transfer none): the clients shown now, search applied
 */
GListModel *
nc_clients_view_get_shown (NcClientsView *self)
{
  g_return_val_if_fail (NC_IS_CLIENTS_VIEW (self), NULL);
  return gtk_no_selection_get_model (self->selection);
}
