/* nc-clients-view.c — the company's clients, searchable as you type
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list is NcClientList: the clients the search finds, a page at a time from the store,
 * read off the main context, and again where the store says they changed; a search is
 * answered by the store's index, never by walking the list. Each row's phone follows the
 * dialer (nc-client-row.c). Above the list, the console says who it calls as, and lets
 * the operator choose.
 */

#define G_LOG_DOMAIN "nc-clients-view"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-client-list.h"
#include "nc-client-row.h"
#include "nc-clients-view.h"
#include "nc-dial-row.h"
#include "nc-ui-util.h"

struct _NcClientsView
{
  AdwBin              parent_instance;

  NcSession          *session;
  NcClientList       *list;           /* once the store is open */
  GListStore         *none;           /* shown until then */
  gboolean            answered_once;

  GtkSearchEntry     *search_entry;
  GtkStack           *stack;
  GtkScrolledWindow  *scroller;
  GtkListView        *list_view;
  GtkSingleSelection *selection;
  NcDialRow          *dial_row;
  GtkWidget          *acting_box;
  GtkLabel           *acting_label;
  GtkMenuButton      *acting_button;
  GtkWidget          *add_me_button;
  AdwStatusPage      *failed_page;
};

G_DEFINE_FINAL_TYPE (NcClientsView, nc_clients_view, ADW_TYPE_BIN)

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
  guint n_items;

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "failed") == 0)
    return;
  if (self->list == NULL || !self->answered_once)
    {
      gtk_stack_set_visible_child_name (self->stack, "loading");
      return;
    }
  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->list));
  if (n_items > 0)
    gtk_stack_set_visible_child_name (self->stack, "list");
  /* An empty answer says so once it is the answer to what is typed. */
  else if (nc_client_list_get_answered (self->list))
    gtk_stack_set_visible_child_name (self->stack,
                                      *nc_client_list_get_text (self->list) == '\0'
                                      ? "empty" : "no-results");
}

static void
list_answered (NcClientsView *self)
{
  if (nc_client_list_get_answered (self->list))
    self->answered_once = TRUE;
  update_page (self);
}

static void
list_problem (NcClientsView *self)
{
  const char *problem = nc_client_list_get_problem (self->list);

  if (problem != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", problem);
}

/* The next page is read as the reader nears the end of what is read: GTK 4.8's list view
 * asks the model for every item it keeps, seen or not, so the model cannot tell. */
static void
scrolled (GtkAdjustment *adjustment,
          NcClientsView *self)
{
  if (self->list == NULL)
    return;
  if (nc_scrolled_near_end (adjustment))
    nc_client_list_load_more (self->list);
}

/**
 * nc_clients_view_reload:
 *
 * Reads the clients again. The store's change feed makes the list do it by itself.
 */
void
nc_clients_view_reload (NcClientsView *self)
{
  g_return_if_fail (NC_IS_CLIENTS_VIEW (self));

  if (self->list != NULL)
    nc_client_list_reload (self->list);
}

/* The store answers every keystroke with the first page of what it finds; a search that
 * a keystroke replaced is dropped before it runs if it still waits. */
static void
search_changed (NcClientsView *self)
{
  nc_dial_row_set_text (self->dial_row,
                        gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  if (self->list != NULL)
    nc_client_list_set_text (self->list,
                             gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

/* Whether a client found for what is typed has the typed number as their own. */
static gboolean
number_is_a_client (NcClientsView *self,
                    const char    *number)
{
  GListModel *shown = gtk_single_selection_get_model (self->selection);
  guint n = g_list_model_get_n_items (shown);

  if (!nc_clients_view_get_answered (self))
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(NcClient) client = g_list_model_get_item (shown, i);

      if (g_strcmp0 (nc_client_get_phone (client), number) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Enter in the search opens the first client found, or calls the number typed when it
 * is no client's (the clients found have it only in a variable, or none has it). */
static void
search_activated (NcClientsView *self)
{
  GListModel *shown = gtk_single_selection_get_model (self->selection);
  const char *number = nc_dial_row_get_number (self->dial_row);

  if (number != NULL && !number_is_a_client (self, number))
    nc_dial_row_call (self->dial_row);
  else if (g_list_model_get_n_items (shown) > 0)
    row_activated (self->list_view, 0, self);
}

/* Down from the search goes to the list, not to the first phone. */
static gboolean
search_key_pressed (GtkEventControllerKey *controller,
                    guint                  keyval,
                    guint                  keycode,
                    GdkModifierType        state,
                    NcClientsView         *self)
{
  if ((keyval == GDK_KEY_Down || keyval == GDK_KEY_KP_Down) &&
      g_list_model_get_n_items (gtk_single_selection_get_model (self->selection)) > 0 &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "list") == 0)
    {
      gtk_single_selection_set_selected (self->selection, 0);
      return gtk_widget_child_focus (GTK_WIDGET (self->list_view), GTK_DIR_TAB_FORWARD);
    }
  return FALSE;
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           NcClientsView            *self)
{
  gtk_list_item_set_child (item, nc_client_row_new (nc_session_get_dialer (self->session)));
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  nc_client_row_set_client (NC_CLIENT_ROW (gtk_list_item_get_child (item)),
                            gtk_list_item_get_item (item));
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  nc_client_row_set_client (NC_CLIENT_ROW (gtk_list_item_get_child (item)), NULL);
}

/* Who am I ------------------------------------------------------------------------- */

static void
update_acting (NcClientsView *self)
{
  NcDialer *dialer = nc_session_get_dialer (self->session);
  NcEmployeeList *employees = nc_session_get_employees (self->session);
  NcEmployee *me = nc_dialer_get_employee (dialer);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (employees));
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autofree char *text = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(NcEmployee) employee = g_list_model_get_item (G_LIST_MODEL (employees), i);
      g_autoptr(GMenuItem) item = g_menu_item_new (nc_employee_get_name (employee), NULL);

      if (nc_employee_get_employee_id (employee) == NULL)
        continue;
      g_menu_item_set_action_and_target_value (item, "win.act-as",
                                               g_variant_new_string (
                                                 nc_employee_get_employee_id (employee)));
      g_menu_append_item (menu, item);
    }
  gtk_menu_button_set_menu_model (self->acting_button, G_MENU_MODEL (menu));
  gtk_widget_set_visible (GTK_WIDGET (self->acting_button),
                          g_menu_model_get_n_items (G_MENU_MODEL (menu)) > 0);
  /* Nobody to be yet: the way to add oneself. */
  gtk_widget_set_visible (self->add_me_button, n == 0);

  if (me == NULL)
    text = g_strdup (nc_dialer_get_problem (dialer));
  else if (nc_dialer_get_problem (dialer) != NULL)
    /* Translators: who this console calls as, then why it cannot call now */
    text = g_strdup_printf (_("You are %s. %s"), nc_employee_get_name (me),
                            nc_dialer_get_problem (dialer));
  else if (nc_employee_get_call_method (me) == NC_CALL_METHOD_APP)
    text = g_strdup_printf (_("You are %s, calling with the phone app"), nc_employee_get_name (me));
  else
    text = g_strdup_printf (_("You are %s, calling through the Novofon API"),
                            nc_employee_get_name (me));
  gtk_label_set_label (self->acting_label, text);
  gtk_menu_button_set_label (self->acting_button, me == NULL ? _("Choose…") : _("Change"));
}

/* The session ---------------------------------------------------------------------- */

static void
store_known (NcClientsView *self)
{
  NcStore *store = nc_session_get_store (self->session);

  if (store == NULL || self->list != NULL)
    return;
  self->list = nc_client_list_new (store);
  nc_client_list_set_text (self->list, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  g_signal_connect_object (self->list, "notify::answered", G_CALLBACK (list_answered), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list, "notify::problem", G_CALLBACK (list_problem), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list, "items-changed", G_CALLBACK (update_page), self,
                           G_CONNECT_SWAPPED);
  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (self->list));
  update_page (self);
}

/**
 * nc_clients_view_set_session:
 *
 * Shows the clients of @session's store, with phones that call through its dialer.
 */
void
nc_clients_view_set_session (NcClientsView *self,
                             NcSession     *session)
{
  GtkListItemFactory *factory;
  NcDialer *dialer;

  g_return_if_fail (NC_IS_CLIENTS_VIEW (self));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  dialer = nc_session_get_dialer (session);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);

  g_signal_connect_object (session, "notify::store", G_CALLBACK (store_known), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (dialer, "notify::employee", G_CALLBACK (update_acting), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (dialer, "notify::problem", G_CALLBACK (update_acting), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (nc_session_get_employees (session), "items-changed",
                           G_CALLBACK (update_acting), self, G_CONNECT_SWAPPED);
  nc_dial_row_set_dialer (self->dial_row, dialer);
  update_acting (self);
  store_known (self);
}

/**
 * nc_clients_view_show_failure:
 *
 * Says that the clients cannot be shown, and why.
 */
void
nc_clients_view_show_failure (NcClientsView *self,
                              const char    *message)
{
  g_return_if_fail (NC_IS_CLIENTS_VIEW (self));

  adw_status_page_set_description (self->failed_page, message);
  gtk_stack_set_visible_child_name (self->stack, "failed");
}

static void
nc_clients_view_dispose (GObject *object)
{
  NcClientsView *self = NC_CLIENTS_VIEW (object);

  if (self->list != NULL)
    g_signal_handlers_disconnect_by_data (self->list, self);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (nc_clients_view_parent_class)->dispose (object);
}

static void
nc_clients_view_finalize (GObject *object)
{
  NcClientsView *self = NC_CLIENTS_VIEW (object);

  g_clear_object (&self->list);
  g_clear_object (&self->none);

  G_OBJECT_CLASS (nc_clients_view_parent_class)->finalize (object);
}

static void
nc_clients_view_class_init (NcClientsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_clients_view_dispose;
  object_class->finalize = nc_clients_view_finalize;

  /**
   * NcClientsView::client-activated:
   *
   * The user opened a client (Enter, or a click on the row).
   */
  signals[SIGNAL_CLIENT_ACTIVATED] =
    g_signal_new ("client-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, NC_TYPE_CLIENT);

  g_type_ensure (NC_TYPE_CLIENT_ROW);
  g_type_ensure (NC_TYPE_DIAL_ROW);

  /* AdwBin owns the template’s one child and unparents it in dispose. */
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-clients-view.ui");
  gtk_widget_class_bind_template_child (widget_class, NcClientsView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, NcClientsView, stack);
  gtk_widget_class_bind_template_child (widget_class, NcClientsView, scroller);
  gtk_widget_class_bind_template_child (widget_class, NcClientsView, list_view);
  gtk_widget_class_bind_template_child (widget_class, NcClientsView, dial_row);
  gtk_widget_class_bind_template_child (widget_class, NcClientsView, acting_box);
  gtk_widget_class_bind_template_child (widget_class, NcClientsView, acting_label);
  gtk_widget_class_bind_template_child (widget_class, NcClientsView, acting_button);
  gtk_widget_class_bind_template_child (widget_class, NcClientsView, add_me_button);
  gtk_widget_class_bind_template_child (widget_class, NcClientsView, failed_page);
  gtk_widget_class_bind_template_callback (widget_class, search_changed);
  gtk_widget_class_bind_template_callback (widget_class, search_activated);
}

static void
nc_clients_view_init (NcClientsView *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->none = g_list_store_new (NC_TYPE_CLIENT);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->none)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);

  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  gtk_list_view_set_single_click_activate (self->list_view, TRUE);
  g_signal_connect (self->list_view, "activate", G_CALLBACK (row_activated), self);
  g_object_unref (self->selection);
  g_signal_connect (gtk_scrolled_window_get_vadjustment (self->scroller), "value-changed",
                    G_CALLBACK (scrolled), self);
  /* A first page shorter than the window (a tall one) reads on until it is filled. */
  g_signal_connect (gtk_scrolled_window_get_vadjustment (self->scroller), "changed",
                    G_CALLBACK (scrolled), self);

  /* Typing anywhere in the list searches. */
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (search_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), keys);

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
 * nc_clients_view_get_shown:
 *
 * Returns: (transfer none): the clients shown now, search applied
 */
GListModel *
nc_clients_view_get_shown (NcClientsView *self)
{
  g_return_val_if_fail (NC_IS_CLIENTS_VIEW (self), NULL);
  return gtk_single_selection_get_model (self->selection);
}

/**
 * nc_clients_view_get_answered:
 *
 * Returns: whether the list shows the answer to what is typed in the search now (and not
 *   still that of an earlier text), for the tests
 */
gboolean
nc_clients_view_get_answered (NcClientsView *self)
{
  g_return_val_if_fail (NC_IS_CLIENTS_VIEW (self), FALSE);
  return self->list != NULL && nc_client_list_get_answered (self->list) &&
         g_strcmp0 (nc_client_list_get_text (self->list),
                    gtk_editable_get_text (GTK_EDITABLE (self->search_entry))) == 0;
}

/**
 * nc_clients_view_get_list:
 *
 * Returns: (transfer none) (nullable): the clients the search finds, read a page at a time,
 *   once the store is open
 */
NcClientList *
nc_clients_view_get_list (NcClientsView *self)
{
  g_return_val_if_fail (NC_IS_CLIENTS_VIEW (self), NULL);
  return self->list;
}

/**
 * nc_clients_view_get_dial_row:
 *
 * Returns: (transfer none): the row that calls a number typed in the search
 */
NcDialRow *
nc_clients_view_get_dial_row (NcClientsView *self)
{
  g_return_val_if_fail (NC_IS_CLIENTS_VIEW (self), NULL);
  return self->dial_row;
}

/**
 * nc_clients_view_get_selected:
 *
 * Returns: (transfer none) (nullable): the client selected in the list
 */
NcClient *
nc_clients_view_get_selected (NcClientsView *self)
{
  g_return_val_if_fail (NC_IS_CLIENTS_VIEW (self), NULL);
  return gtk_single_selection_get_selected_item (self->selection);
}
