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

enum {
  PROP_0,
  PROP_TRACKER,
  N_PROPS
};

/* Indices of the direction drop-down. */
enum {
  DIRECTION_ANY,
  DIRECTION_IN,
  DIRECTION_OUT,
};

struct _NcLiveView
{
  AdwBin              parent_instance;

  NcCallTracker      *tracker;
  GtkFilterListModel *filtered;
  GtkCustomFilter    *filter;
  GtkStringList      *employees;

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

static GParamSpec *properties[N_PROPS];

static const struct
{
  const char *type;
  const char *label;
} event_labels[] = {
  { NULL, N_("All Events") },
  { "NOTIFY_START", N_("Call Arrived") },
  { "NOTIFY_INTERNAL", N_("Extension Rang") },
  { "NOTIFY_ANSWER", N_("Answered") },
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

  if (employee > 0 && employee != GTK_INVALID_LIST_POSITION &&
      g_strcmp0 (nc_call_get_employee (call),
                 gtk_string_list_get_string (self->employees, employee)) != 0)
    return FALSE;

  return TRUE;
}

static void
filter_changed (NcLiveView *self)
{
  if (self->filter != NULL)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

/* The employee filter offers every employee seen in the journal. */
static void
add_employee (NcLiveView *self,
              const char *employee)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->employees));

  if (employee == NULL || *employee == '\0')
    return;

  for (guint i = 1; i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->employees, i), employee) == 0)
      return;

  gtk_string_list_append (self->employees, employee);
}

static void
call_employee_changed (NcCall     *call,
                       GParamSpec *pspec,
                       NcLiveView *self)
{
  add_employee (self, nc_call_get_employee (call));
}

static void
update_visibility (NcLiveView *self)
{
  GListModel *journal;
  guint live = 0;

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

static void
journal_items_changed (GListModel *journal,
                       guint       position,
                       guint       removed,
                       guint       added,
                       NcLiveView *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(NcCall) call = g_list_model_get_item (journal, i);

      add_employee (self, nc_call_get_employee (call));
      g_signal_connect_object (call, "notify::employee", G_CALLBACK (call_employee_changed),
                               self, 0);
    }

  update_visibility (self);
}

static GtkWidget *
create_active_row (gpointer item,
                   gpointer user_data)
{
  GtkWidget *row = nc_call_row_new ();

  nc_call_row_set_call (NC_CALL_ROW (row), item);
  return row;
}

static void
setup_journal_row (GtkSignalListItemFactory *factory,
                   GtkListItem              *list_item,
                   gpointer                  user_data)
{
  gtk_list_item_set_child (list_item, nc_call_row_new ());
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

NcCallTracker *
nc_live_view_get_tracker (NcLiveView *self)
{
  g_return_val_if_fail (NC_IS_LIVE_VIEW (self), NULL);
  return self->tracker;
}

void
nc_live_view_set_tracker (NcLiveView    *self,
                          NcCallTracker *tracker)
{
  GListModel *journal;

  g_return_if_fail (NC_IS_LIVE_VIEW (self));

  if (self->tracker == tracker)
    return;

  if (self->tracker != NULL)
    {
      g_signal_handlers_disconnect_by_data (nc_call_tracker_get_journal (self->tracker), self);
      g_signal_handlers_disconnect_by_data (nc_call_tracker_get_live_calls (self->tracker), self);
    }

  g_set_object (&self->tracker, tracker);
  journal = tracker != NULL ? nc_call_tracker_get_journal (tracker) : NULL;
  gtk_filter_list_model_set_model (self->filtered, journal);
  gtk_list_box_bind_model (self->active_list,
                           tracker != NULL ? nc_call_tracker_get_live_calls (tracker) : NULL,
                           create_active_row, NULL, NULL);

  if (tracker != NULL)
    {
      g_signal_connect_object (journal, "items-changed", G_CALLBACK (journal_items_changed),
                               self, 0);
      g_signal_connect_object (nc_call_tracker_get_live_calls (tracker), "items-changed",
                               G_CALLBACK (update_visibility), self, G_CONNECT_SWAPPED);
      journal_items_changed (journal, 0, 0, g_list_model_get_n_items (journal), self);
    }

  update_visibility (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRACKER]);
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
 * @employee: (nullable): show only the calls of this employee id
 *
 * Chooses the filters as the user does in the drop-downs.
 */
void
nc_live_view_set_filter (NcLiveView *self,
                         const char *event_type,
                         int         direction,
                         const char *employee)
{
  guint event = 0, chosen_employee = 0;
  guint n_employees = g_list_model_get_n_items (G_LIST_MODEL (self->employees));

  for (guint i = 1; i < G_N_ELEMENTS (event_labels); i++)
    if (g_strcmp0 (event_labels[i].type, event_type) == 0)
      event = i;
  for (guint i = 1; i < n_employees; i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->employees, i), employee) == 0)
      chosen_employee = i;

  gtk_drop_down_set_selected (self->event_dropdown, event);
  gtk_drop_down_set_selected (self->direction_dropdown,
                              direction == NC_CALL_DIRECTION_IN ? DIRECTION_IN :
                              direction == NC_CALL_DIRECTION_OUT ? DIRECTION_OUT : DIRECTION_ANY);
  gtk_drop_down_set_selected (self->employee_dropdown, chosen_employee);
}

static void
nc_live_view_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  NcLiveView *self = NC_LIVE_VIEW (object);

  switch (prop_id)
    {
    case PROP_TRACKER:
      g_value_set_object (value, self->tracker);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_live_view_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  NcLiveView *self = NC_LIVE_VIEW (object);

  switch (prop_id)
    {
    case PROP_TRACKER:
      nc_live_view_set_tracker (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_live_view_dispose (GObject *object)
{
  NcLiveView *self = NC_LIVE_VIEW (object);

  if (self->active_list != NULL)
    gtk_list_box_bind_model (self->active_list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->tracker);

  G_OBJECT_CLASS (nc_live_view_parent_class)->dispose (object);
}

static void
nc_live_view_finalize (GObject *object)
{
  NcLiveView *self = NC_LIVE_VIEW (object);

  g_clear_object (&self->filtered);
  g_clear_object (&self->employees);

  G_OBJECT_CLASS (nc_live_view_parent_class)->finalize (object);
}

static void
nc_live_view_class_init (NcLiveViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = nc_live_view_get_property;
  object_class->set_property = nc_live_view_set_property;
  object_class->dispose = nc_live_view_dispose;
  object_class->finalize = nc_live_view_finalize;

  properties[PROP_TRACKER] = g_param_spec_object ("tracker", NULL, NULL, NC_TYPE_CALL_TRACKER,
                                                  G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                  G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

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
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (event_labels); i++)
    gtk_string_list_append (events, _(event_labels[i].label));
  gtk_drop_down_set_model (self->event_dropdown, G_LIST_MODEL (events));

  gtk_string_list_append (directions, _("Both Directions"));
  gtk_string_list_append (directions, _("Incoming"));
  gtk_string_list_append (directions, _("Outgoing"));
  gtk_drop_down_set_model (self->direction_dropdown, G_LIST_MODEL (directions));

  self->employees = gtk_string_list_new (NULL);
  gtk_string_list_append (self->employees, _("All Employees"));
  gtk_drop_down_set_model (self->employee_dropdown, G_LIST_MODEL (self->employees));

  self->filter = gtk_custom_filter_new (filter_call, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));
  g_signal_connect_object (self->filtered, "items-changed", G_CALLBACK (update_visibility), self,
                           G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_journal_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_journal_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_journal_row), NULL);
  gtk_list_view_set_factory (self->journal_list, factory);
  g_object_unref (factory);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_list_view_set_model (self->journal_list, GTK_SELECTION_MODEL (selection));

  update_visibility (self);
}
