/* nc-missed-view.c — the clients to call back, oldest wait first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A page of the window, so that its count is a badge on the view switcher whatever page
 * is shown (a filter of the journal would show it only there). The list is the store's
 * (NcMissedList): this view shows what the store says and asks it to change; the wait of
 * each row is measured again every half minute against the supervisor's targets
 * (missed-wait-short, missed-wait-long). A claim is this desk's employee's: the other
 * desks see it through the store's change feed. A call back claims the entry first, then
 * calls through the window's win.call-client, as a client's phone does: the employee's
 * call method.
 */

#define G_LOG_DOMAIN "nc-missed-view"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-missed-row.h"
#include "nc-missed-view.h"
#include "nc-ui-util.h"

#define TICK_SECONDS 30

enum {
  PROP_0,
  PROP_COUNT,
  N_PROPS
};

struct _NcMissedView
{
  AdwBin             parent_instance;

  NcSession         *session;
  NcMissedList      *list;
  GPtrArray         *rows;        /* NcMissedRow of the factory, bound or not */
  guint              tick;

  GtkStack          *stack;
  GtkScrolledWindow *scroller;
  GtkListView       *list_view;
};

G_DEFINE_FINAL_TYPE (NcMissedView, nc_missed_view, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];

static void
toast (NcMissedView *self,
       const char   *message)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
}

static const char *
me (NcMissedView *self)
{
  NcEmployee *employee = self->session != NULL
                         ? nc_dialer_get_employee (nc_session_get_dialer (self->session))
                         : NULL;

  return employee != NULL ? nc_employee_get_name (employee) : NULL;
}

static void
targets (NcMissedView *self,
         guint        *out_short,
         guint        *out_long)
{
  GSettings *settings = self->session != NULL ? nc_session_get_settings (self->session) : NULL;

  *out_short = settings != NULL ? (guint) MAX (g_settings_get_int (settings, "missed-wait-short"), 1) : 15;
  *out_long = settings != NULL ? (guint) MAX (g_settings_get_int (settings, "missed-wait-long"), 1) : 60;
  *out_long = MAX (*out_long, *out_short);
}

static void
update_rows (NcMissedView *self)
{
  gint64 now = g_get_real_time ();
  guint short_minutes, long_minutes;

  targets (self, &short_minutes, &long_minutes);
  for (guint i = 0; i < self->rows->len; i++)
    nc_missed_row_update (self->rows->pdata[i], now, short_minutes, long_minutes);
}

static gboolean
tick (gpointer user_data)
{
  update_rows (user_data);
  return G_SOURCE_CONTINUE;
}

static const NcMissedCall *
find (NcMissedView *self,
      gint64        client_id)
{
  guint n = self->list != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->list)) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(NcMissedItem) item = g_list_model_get_item (G_LIST_MODEL (self->list), i);
      const NcMissedCall *missed = nc_missed_item_get_missed (item);

      if (missed->client_id == client_id)
        return missed;
    }
  return NULL;
}

static NcStore *
store_or_say (NcMissedView *self)
{
  NcStore *store = self->session != NULL ? nc_session_get_store (self->session) : NULL;

  if (store == NULL)
    toast (self, _("The project’s data is not open yet"));
  return store;
}

/* Claims and closes ------------------------------------------------------------------ */

typedef struct
{
  NcMissedView *self;
  char         *number;   /* to call once claimed, or %NULL */
} Claim;

static void
claim_free (Claim *claim)
{
  g_object_unref (claim->self);
  g_free (claim->number);
  g_free (claim);
}

static void
claimed (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Claim *claim = user_data;
  g_autoptr(GError) error = NULL;

  if (!nc_store_claim_missed_finish (NC_STORE (source), result, &error))
    toast (claim->self, error->message);
  else if (claim->number != NULL)
    gtk_widget_activate_action (GTK_WIDGET (claim->self), "win.call-client", "s",
                                claim->number);
  claim_free (claim);
}

static void
claim_entry (NcMissedView *self,
             gint64        client_id,
             gboolean      take,
             const char   *number)
{
  NcStore *store = store_or_say (self);
  Claim *claim;

  if (store == NULL)
    return;
  claim = g_new0 (Claim, 1);
  claim->self = g_object_ref (self);
  claim->number = g_strdup (number);
  nc_store_claim_missed_async (store, client_id, me (self), take, NULL, claimed, claim);
}

static void
claim_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  claim_entry (NC_MISSED_VIEW (widget), g_variant_get_int64 (parameter),
               g_str_equal (action_name, "missed.claim"), NULL);
}

static void
call_back_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  NcMissedView *self = NC_MISSED_VIEW (widget);
  const NcMissedCall *missed = find (self, g_variant_get_int64 (parameter));

  if (missed == NULL)
    return;
  if (missed->number == NULL)
    {
      toast (self, _("This client has no phone number"));
      return;
    }
  /* Claimed first, so that no other desk calls the client back at the same time. */
  claim_entry (self, missed->client_id, TRUE, missed->number);
}

static void
closed (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(NcMissedView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!nc_store_close_missed_finish (NC_STORE (source), result, &error))
    toast (self, error->message);
}

static void
reason_changed (GtkEditable      *entry,
                AdwMessageDialog *dialog)
{
  g_autofree char *reason = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "close", *reason != '\0');
}

static void
close_answered (AdwMessageDialog *dialog,
                const char       *response,
                NcMissedView     *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  gint64 client_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "client-id"));
  NcStore *store;

  if (!g_str_equal (response, "close") || (store = store_or_say (self)) == NULL)
    return;
  nc_store_close_missed_async (store, client_id, me (self), gtk_editable_get_text (entry),
                               NULL, closed, g_object_ref (self));
}

static void
close_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  NcMissedView *self = NC_MISSED_VIEW (widget);
  const NcMissedCall *missed = find (self, g_variant_get_int64 (parameter));
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;
  GtkWidget *entry;

  if (missed == NULL)
    return;
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Close the Missed Calls?"), NULL);
  /* Translators: the client's name */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("%s will no longer wait to be called back. Say why, for "
                                    "the others."), missed->client_name);
  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Reason"));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Reason"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "close", _("C_lose"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "close",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "close", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "client-id", GSIZE_TO_POINTER (missed->client_id));
  g_signal_connect (entry, "changed", G_CALLBACK (reason_changed), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (close_answered), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The list ---------------------------------------------------------------------------- */

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           NcMissedView             *self)
{
  GtkWidget *row = nc_missed_row_new ();

  gtk_list_item_set_child (item, row);
  gtk_list_item_set_activatable (item, FALSE);
  g_ptr_array_add (self->rows, row);
}

static void
teardown_row (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              NcMissedView             *self)
{
  g_ptr_array_remove_fast (self->rows, gtk_list_item_get_child (item));
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          NcMissedView             *self)
{
  NcMissedRow *row = NC_MISSED_ROW (gtk_list_item_get_child (item));
  guint short_minutes, long_minutes;

  targets (self, &short_minutes, &long_minutes);
  nc_missed_row_set_item (row, gtk_list_item_get_item (item), me (self));
  nc_missed_row_update (row, g_get_real_time (), short_minutes, long_minutes);
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            NcMissedView             *self)
{
  nc_missed_row_set_item (NC_MISSED_ROW (gtk_list_item_get_child (item)), NULL, NULL);
}

static void
update_page (NcMissedView *self)
{
  guint n = self->list != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->list)) : 0;

  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
}

static void
count_changed (NcMissedView *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
}

static void
list_problem (NcMissedView *self)
{
  const char *problem = nc_missed_list_get_problem (self->list);

  if (problem != NULL)
    toast (self, problem);
}

/* The next page is read as the reader nears the end of what is read: GTK 4.8's list view
 * asks the model for every item it keeps, seen or not, so the model cannot tell. */
static void
scrolled (GtkAdjustment *adjustment,
          NcMissedView  *self)
{
  if (self->list != NULL && nc_scrolled_near_end (adjustment))
    nc_missed_list_load_more (self->list);
}

static void
store_known (NcMissedView *self)
{
  NcStore *store = nc_session_get_store (self->session);
  g_autoptr(GtkNoSelection) selection = NULL;

  if (store == NULL || self->list != NULL)
    return;
  self->list = nc_missed_list_new (store);
  g_signal_connect_object (self->list, "items-changed", G_CALLBACK (update_page), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list, "notify::count", G_CALLBACK (count_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list, "notify::problem", G_CALLBACK (list_problem), self,
                           G_CONNECT_SWAPPED);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->list)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  update_page (self);
}

/* Who this desk is, or the targets, changed: every row again. */
static void
rows_outdated (NcMissedView *self)
{
  if (self->list != NULL)
    nc_missed_list_reload (self->list);
  update_rows (self);
}

static void
nc_missed_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  NcMissedView *self = NC_MISSED_VIEW (object);

  switch (prop_id)
    {
    case PROP_COUNT:
      g_value_set_uint (value, nc_missed_view_get_count (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_missed_view_dispose (GObject *object)
{
  NcMissedView *self = NC_MISSED_VIEW (object);

  g_clear_handle_id (&self->tick, g_source_remove);
  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  g_clear_object (&self->list);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (nc_missed_view_parent_class)->dispose (object);
}

static void
nc_missed_view_finalize (GObject *object)
{
  NcMissedView *self = NC_MISSED_VIEW (object);

  g_clear_pointer (&self->rows, g_ptr_array_unref);
  G_OBJECT_CLASS (nc_missed_view_parent_class)->finalize (object);
}

static void
nc_missed_view_class_init (NcMissedViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = nc_missed_view_get_property;
  object_class->dispose = nc_missed_view_dispose;
  object_class->finalize = nc_missed_view_finalize;

  /**
   * NcMissedView:count:
   *
   * How many clients wait to be called back: the page's badge.
   */
  properties[PROP_COUNT] =
    g_param_spec_uint ("count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/gtk/nc-missed-view.ui");
  gtk_widget_class_bind_template_child (widget_class, NcMissedView, stack);
  gtk_widget_class_bind_template_child (widget_class, NcMissedView, scroller);
  gtk_widget_class_bind_template_child (widget_class, NcMissedView, list_view);

  gtk_widget_class_install_action (widget_class, "missed.claim", "x", claim_activated);
  gtk_widget_class_install_action (widget_class, "missed.release", "x", claim_activated);
  gtk_widget_class_install_action (widget_class, "missed.call-back", "x", call_back_activated);
  gtk_widget_class_install_action (widget_class, "missed.close", "x", close_activated);
}

static void
nc_missed_view_init (NcMissedView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new ();
}

/**
 * nc_missed_view_set_session:
 *
 * Shows the clients of @session's store to call back, claimed as its dialer's employee.
 */
void
nc_missed_view_set_session (NcMissedView *self,
                            NcSession    *session)
{
  GtkListItemFactory *factory;
  GSettings *settings;

  g_return_if_fail (NC_IS_MISSED_VIEW (self));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "teardown", G_CALLBACK (teardown_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);

  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->scroller),
                           "value-changed", G_CALLBACK (scrolled), self, 0);
  g_signal_connect_object (session, "notify::store", G_CALLBACK (store_known), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (nc_session_get_dialer (session), "notify::employee",
                           G_CALLBACK (rows_outdated), self, G_CONNECT_SWAPPED);
  settings = nc_session_get_settings (session);
  if (settings != NULL)
    {
      g_signal_connect_object (settings, "changed::missed-wait-short",
                               G_CALLBACK (update_rows), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (settings, "changed::missed-wait-long",
                               G_CALLBACK (update_rows), self, G_CONNECT_SWAPPED);
    }
  self->tick = g_timeout_add_seconds (TICK_SECONDS, tick, self);
  store_known (self);
}

guint
nc_missed_view_get_count (NcMissedView *self)
{
  g_return_val_if_fail (NC_IS_MISSED_VIEW (self), 0);

  return self->list != NULL ? nc_missed_list_get_count (self->list) : 0;
}

/**
 * nc_missed_view_get_list:
 *
 * Returns: (transfer none) (nullable): what the view shows, once the store is open
 */
NcMissedList *
nc_missed_view_get_list (NcMissedView *self)
{
  g_return_val_if_fail (NC_IS_MISSED_VIEW (self), NULL);

  return self->list;
}

/**
 * nc_missed_view_refresh:
 *
 * Measures every row's wait again now (the view does it every half minute by itself).
 */
void
nc_missed_view_refresh (NcMissedView *self)
{
  g_return_if_fail (NC_IS_MISSED_VIEW (self));

  update_rows (self);
}
