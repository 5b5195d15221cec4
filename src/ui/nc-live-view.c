/* nc-live-view.c — every call, live, from the PBX's webhooks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Active calls on top with running timers, the journal below, newest first. Both are the
 * tracker's own list models: the view only shows and filters them.
 */

#define G_LOG_DOMAIN "nc-live-view"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-call-row.h"
#include "nc-live-view.h"

/* Indices of the direction drop-down. */
enum {
  DIRECTION_ANY,
  DIRECTION_IN,
  DIRECTION_OUT,
};

struct _NcLiveView
{
  AdwBin              parent_instance;

  NcSession          *session;
  NcCallTracker      *tracker;
  GtkFilterListModel *filtered;
  GtkCustomFilter    *filter;
  GtkStringList      *employee_names;
  GPtrArray          *employee_ids;   /* the drop-down's employees, after "All Employees" */

  GtkStack           *stack;
  GtkWidget          *active_box;
  GtkListBox         *active_list;
  GtkListView        *journal_list;
  GtkDropDown        *event_dropdown;
  GtkDropDown        *direction_dropdown;
  GtkDropDown        *employee_dropdown;
  GtkStack           *journal_stack;
};

G_DEFINE_FINAL_TYPE (NcLiveView, nc_live_view, ADW_TYPE_BIN)

static const struct
{
  const char *type;
  const char *label;
} event_labels[] = {
  { NULL, N_("All Events") },
  { "NOTIFY_START", N_("Call Arrived") },
  { "NOTIFY_INTERNAL", N_("Extension Rang") },
  { "NOTIFY_ANSWER", NC_("event filter", "Answered") },
  { "NOTIFY_END", N_("Incoming Call Ended") },
  { "NOTIFY_OUT_START", N_("Outgoing Call Started") },
  { "NOTIFY_OUT_END", N_("Outgoing Call Ended") },
  { "NOTIFY_RECORD", N_("Recording Ready") },
  { "NOTIFY_IVR", N_("Voice Menu") },
};

static gboolean
filter_call (gpointer item,
             gpointer user_data)
{
  NcLiveView *self = user_data;
  NcCall *call = item;
  guint event = gtk_drop_down_get_selected (self->event_dropdown);
  guint direction = gtk_drop_down_get_selected (self->direction_dropdown);
  guint employee = gtk_drop_down_get_selected (self->employee_dropdown);

  if (event > 0 && event < G_N_ELEMENTS (event_labels) &&
      !nc_call_had_event (call, event_labels[event].type))
    return FALSE;

  if ((direction == DIRECTION_IN && nc_call_get_direction (call) != NC_CALL_DIRECTION_IN) ||
      (direction == DIRECTION_OUT && nc_call_get_direction (call) != NC_CALL_DIRECTION_OUT))
    return FALSE;

  if (employee > 0 && employee <= self->employee_ids->len &&
      g_strcmp0 (nc_call_get_employee (call), self->employee_ids->pdata[employee - 1]) != 0)
    return FALSE;

  return TRUE;
}

static void
filter_changed (NcLiveView *self)
{
  if (self->filter != NULL)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

/* The employee filter offers the project's employees, by name. */
static void
employees_changed (NcLiveView *self)
{
  NcEmployeeList *employees = nc_session_get_employees (self->session);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (employees));
  guint chosen = gtk_drop_down_get_selected (self->employee_dropdown);
  g_autofree char *chosen_id = chosen > 0 && chosen <= self->employee_ids->len
                               ? g_strdup (self->employee_ids->pdata[chosen - 1]) : NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;
  guint keep = 0;

  g_ptr_array_set_size (self->employee_ids, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(NcEmployee) employee = g_list_model_get_item (G_LIST_MODEL (employees), i);

      if (nc_employee_get_employee_id (employee) == NULL)
        continue;
      g_ptr_array_add (self->employee_ids, g_strdup (nc_employee_get_employee_id (employee)));
      g_strv_builder_add (names, nc_employee_get_name (employee));
      if (g_strcmp0 (chosen_id, nc_employee_get_employee_id (employee)) == 0)
        keep = self->employee_ids->len;
    }
  strv = g_strv_builder_end (names);
  gtk_string_list_splice (self->employee_names, 1,
                          g_list_model_get_n_items (G_LIST_MODEL (self->employee_names)) - 1,
                          (const char *const *) strv);
  gtk_drop_down_set_selected (self->employee_dropdown, keep);
}

static void
update_visibility (NcLiveView *self)
{
  GListModel *journal;
  guint live;

  if (self->tracker == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  journal = nc_call_tracker_get_journal (self->tracker);
  live = g_list_model_get_n_items (nc_call_tracker_get_live_calls (self->tracker));
  gtk_stack_set_visible_child_name (self->stack,
                                    g_list_model_get_n_items (journal) > 0 ? "calls" : "empty");
  gtk_widget_set_visible (self->active_box, live > 0);
  gtk_stack_set_visible_child_name (self->journal_stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0
                                    ? "list" : "nothing");
}

static GtkWidget *
create_active_row (gpointer item,
                   gpointer user_data)
{
  NcLiveView *self = user_data;
  GtkWidget *row = nc_call_row_new (nc_session_get_employees (self->session));

  nc_call_row_set_call (NC_CALL_ROW (row), item);
  return row;
}

static void
setup_journal_row (GtkSignalListItemFactory *factory,
                   GtkListItem              *list_item,
                   NcLiveView               *self)
{
  gtk_list_item_set_child (list_item, nc_call_row_new (nc_session_get_employees (self->session)));
}

/* A call opens its client's card; a caller not yet matched has none to open. */
static void
open_call (NcLiveView *self,
           NcCall     *call)
{
  if (call == NULL)
    return;
  if (nc_call_get_client_id (call) != 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-client-id", "x",
                                nc_call_get_client_id (call));
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s",
                                _("This caller is not a client yet: the number is matched to "
                                  "a client as the call goes on"));
}

static void
journal_activated (GtkListView *list,
                   guint        position,
                   NcLiveView  *self)
{
  g_autoptr(NcCall) call = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);

  open_call (self, call);
}

static void
active_activated (GtkListBox    *list,
                  GtkListBoxRow *row,
                  NcLiveView    *self)
{
  open_call (self, nc_call_row_get_call (NC_CALL_ROW (gtk_list_box_row_get_child (row))));
}

static void
bind_journal_row (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  gpointer                  user_data)
{
  nc_call_row_set_call (NC_CALL_ROW (gtk_list_item_get_child (list_item)),
                        gtk_list_item_get_item (list_item));
}

static void
unbind_journal_row (GtkSignalListItemFactory *factory,
                    GtkListItem              *list_item,
                    gpointer                  user_data)
{
  nc_call_row_set_call (NC_CALL_ROW (gtk_list_item_get_child (list_item)), NULL);
}

/**
 * nc_live_view_set_session:
 *
 * Shows @session's calls, with the names of its employees.
 */
void
nc_live_view_set_session (NcLiveView *self,
                          NcSession  *session)
{
  GListModel *journal;
  GtkListItemFactory *factory;

  g_return_if_fail (NC_IS_LIVE_VIEW (self));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  self->tracker = g_object_ref (nc_session_get_tracker (session));
  journal = nc_call_tracker_get_journal (self->tracker);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_journal_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_journal_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_journal_row), NULL);
  gtk_list_view_set_factory (self->journal_list, factory);
  g_object_unref (factory);

  gtk_filter_list_model_set_model (self->filtered, journal);
  gtk_list_box_bind_model (self->active_list, nc_call_tracker_get_live_calls (self->tracker),
                           create_active_row, self, NULL);
  g_signal_connect_object (journal, "items-changed", G_CALLBACK (update_visibility), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (nc_call_tracker_get_live_calls (self->tracker), "items-changed",
                           G_CALLBACK (update_visibility), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (nc_session_get_employees (session), "items-changed",
                           G_CALLBACK (employees_changed), self, G_CONNECT_SWAPPED);
  employees_changed (self);
  update_visibility (self);
}

/**
 * nc_live_view_get_journal_model:
 *
 * Returns: (transfer none): the journal as shown, filters applied
 */
GListModel *
nc_live_view_get_journal_model (NcLiveView *self)
{
  g_return_val_if_fail (NC_IS_LIVE_VIEW (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

/**
 * nc_live_view_set_filter:
 * @event_type: (nullable): show only calls with an event of this type
 * @direction: -1 for both, or an #NcCallDirection
 * @employee_id: (nullable): show only the calls of this employee
 *
 * Chooses the filters as the user does in the drop-downs.
 */
void
nc_live_view_set_filter (NcLiveView *self,
                         const char *event_type,
                         int         direction,
                         const char *employee_id)
{
  guint event = 0, chosen_employee = 0;

  for (guint i = 1; i < G_N_ELEMENTS (event_labels); i++)
    if (g_strcmp0 (event_labels[i].type, event_type) == 0)
      event = i;
  for (guint i = 0; i < self->employee_ids->len; i++)
    if (g_strcmp0 (self->employee_ids->pdata[i], employee_id) == 0)
      chosen_employee = i + 1;

  gtk_drop_down_set_selected (self->event_dropdown, event);
  gtk_drop_down_set_selected (self->direction_dropdown,
                              direction == NC_CALL_DIRECTION_IN ? DIRECTION_IN :
                              direction == NC_CALL_DIRECTION_OUT ? DIRECTION_OUT : DIRECTION_ANY);
  gtk_drop_down_set_selected (self->employee_dropdown, chosen_employee);
}

static void
nc_live_view_dispose (GObject *object)
{
  NcLiveView *self = NC_LIVE_VIEW (object);

  if (self->active_list != NULL)
    gtk_list_box_bind_model (self->active_list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->tracker);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (nc_live_view_parent_class)->dispose (object);
}

static void
nc_live_view_finalize (GObject *object)
{
  NcLiveView *self = NC_LIVE_VIEW (object);

  g_clear_object (&self->filtered);
  g_clear_object (&self->employee_names);
  g_clear_pointer (&self->employee_ids, g_ptr_array_unref);

  G_OBJECT_CLASS (nc_live_view_parent_class)->finalize (object);
}

static void
nc_live_view_class_init (NcLiveViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_live_view_dispose;
  object_class->finalize = nc_live_view_finalize;

  /* AdwBin owns the template’s one child and unparents it in dispose. */
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-live-view.ui");
  gtk_widget_class_bind_template_child (widget_class, NcLiveView, stack);
  gtk_widget_class_bind_template_child (widget_class, NcLiveView, active_box);
  gtk_widget_class_bind_template_child (widget_class, NcLiveView, active_list);
  gtk_widget_class_bind_template_child (widget_class, NcLiveView, journal_list);
  gtk_widget_class_bind_template_child (widget_class, NcLiveView, event_dropdown);
  gtk_widget_class_bind_template_child (widget_class, NcLiveView, direction_dropdown);
  gtk_widget_class_bind_template_child (widget_class, NcLiveView, employee_dropdown);
  gtk_widget_class_bind_template_child (widget_class, NcLiveView, journal_stack);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed);
}

static void
nc_live_view_init (NcLiveView *self)
{
  g_autoptr(GtkStringList) events = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) directions = gtk_string_list_new (NULL);
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (event_labels); i++)
    gtk_string_list_append (events, _(event_labels[i].label));
  gtk_drop_down_set_model (self->event_dropdown, G_LIST_MODEL (events));

  gtk_string_list_append (directions, _("Both Directions"));
  gtk_string_list_append (directions, _("Incoming"));
  gtk_string_list_append (directions, _("Outgoing"));
  gtk_drop_down_set_model (self->direction_dropdown, G_LIST_MODEL (directions));

  self->employee_names = gtk_string_list_new (NULL);
  self->employee_ids = g_ptr_array_new_with_free_func (g_free);
  gtk_string_list_append (self->employee_names, _("All Employees"));
  gtk_drop_down_set_model (self->employee_dropdown, G_LIST_MODEL (self->employee_names));

  self->filter = gtk_custom_filter_new (filter_call, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));
  g_signal_connect_object (self->filtered, "items-changed", G_CALLBACK (update_visibility), self,
                           G_CONNECT_SWAPPED);

  gtk_list_view_set_single_click_activate (self->journal_list, TRUE);
  g_signal_connect (self->journal_list, "activate", G_CALLBACK (journal_activated), self);
  g_signal_connect (self->active_list, "row-activated", G_CALLBACK (active_activated), self);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_list_view_set_model (self->journal_list, GTK_SELECTION_MODEL (selection));

  update_visibility (self);
}
