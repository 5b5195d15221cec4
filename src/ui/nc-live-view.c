/* nc-live-view.c — every call, live, from the PBX's webhooks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The filters on top, then the active calls with running timers (the tracker's), then the
 * journal, newest first: an NcJournal, which reads pages from the store with the filters
 * in the query. The view only shows them, and holds the journal still while the reader is
 * away from its top ("New Calls" takes them back).
 */

#define G_LOG_DOMAIN "nc-live-view"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-call-row.h"
#include "nc-live-view.h"
#include "nc-ui-util.h"

/* Indices of the direction drop-down. */
enum {
  DIRECTION_ANY,
  DIRECTION_IN,
  DIRECTION_OUT,
};

/* Scrolled further than this from the top, the reader is away from it. */
#define AWAY_FROM_TOP_PX 8

struct _NcLiveView
{
  AdwBin              parent_instance;

  NcSession          *session;
  NcCallTracker      *tracker;
  NcJournal          *journal;
  GtkStringList      *employee_names;
  GPtrArray          *employee_ids;   /* the drop-down's employees, after "All Employees" */
  gboolean            setting_filter;
  guint               to_top;         /* the tick that takes the journal to its top */
  guint               top_frames;

  GtkStack           *stack;
  GtkWidget          *active_box;
  GtkListBox         *active_list;
  GtkListView        *journal_list;
  GtkScrolledWindow  *journal_scroller;
  GtkSearchEntry     *search_entry;
  GtkDropDown        *direction_dropdown;
  GtkDropDown        *outcome_dropdown;
  GtkDropDown        *employee_dropdown;
  GtkDropDown        *period_dropdown;
  GtkStack           *journal_stack;
  GtkButton          *new_calls_button;
  AdwStatusPage      *problem_page;
};

G_DEFINE_FINAL_TYPE (NcLiveView, nc_live_view, ADW_TYPE_BIN)

/* The outcome drop-down, in the order of NcCallOutcome. */
static const char *const outcome_labels[] = {
  N_("All Outcomes"),
  NC_("outcome filter", "Answered"),
  N_("Missed"),
  N_("Not Answered"),
  N_("No End Reported"),
};

/* The period drop-down, in the order of NcPeriod. */
static const char *const period_labels[] = {
  N_("All Time"),
  N_("Today"),
  N_("Yesterday"),
  N_("Last 7 Days"),
  N_("Last 30 Days"),
};

/**
 * nc_period_get_range:
 * @now: the local time to count the days from
 * @out_since: (out): the period's first second, as the PBX's times are read (its clock,
 *   taken as UTC: nc_call_parse_pbx_time()), or 0
 * @out_until: (out): the second after its last, or 0
 */
void
nc_period_get_range (NcPeriod   period,
                     GDateTime *now,
                     gint64    *out_since,
                     gint64    *out_until)
{
  g_autoptr(GDateTime) midnight = g_date_time_new_utc (g_date_time_get_year (now),
                                                       g_date_time_get_month (now),
                                                       g_date_time_get_day_of_month (now),
                                                       0, 0, 0);
  gint64 today = g_date_time_to_unix (midnight);
  gint64 day = 24 * 60 * 60;

  *out_since = 0;
  *out_until = 0;
  switch (period)
    {
    case NC_PERIOD_ALL:
      break;
    case NC_PERIOD_TODAY:
      *out_since = today;
      break;
    case NC_PERIOD_YESTERDAY:
      *out_since = today - day;
      *out_until = today;
      break;
    case NC_PERIOD_WEEK:
      *out_since = today - 6 * day;
      break;
    case NC_PERIOD_MONTH:
      *out_since = today - 29 * day;
      break;
    default:
      g_assert_not_reached ();
    }
}

static NcCallFilter *
filter_from_widgets (NcLiveView *self)
{
  NcCallFilter *filter = nc_call_filter_new ();
  guint direction = gtk_drop_down_get_selected (self->direction_dropdown);
  guint outcome = gtk_drop_down_get_selected (self->outcome_dropdown);
  guint employee = gtk_drop_down_get_selected (self->employee_dropdown);
  guint period = gtk_drop_down_get_selected (self->period_dropdown);
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  filter->direction = direction == DIRECTION_IN ? NC_CALL_DIRECTION_IN :
                      direction == DIRECTION_OUT ? NC_CALL_DIRECTION_OUT : -1;
  filter->outcome = outcome < G_N_ELEMENTS (outcome_labels) ? (NcCallOutcome) outcome
                                                            : NC_CALL_OUTCOME_ANY;
  if (employee > 0 && employee <= self->employee_ids->len)
    filter->employee = g_strdup (self->employee_ids->pdata[employee - 1]);
  if (period < G_N_ELEMENTS (period_labels))
    nc_period_get_range ((NcPeriod) period, now, &filter->since, &filter->until);
  if (*text != '\0')
    filter->text = g_steal_pointer (&text);
  return filter;
}

static void update_visibility (NcLiveView *self);

static void
filter_changed (NcLiveView *self)
{
  g_autoptr(NcCallFilter) filter = NULL;

  if (self->journal == NULL || self->setting_filter)
    return;
  filter = filter_from_widgets (self);
  nc_journal_set_filter (self->journal, filter);
  update_visibility (self);
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
  self->setting_filter = TRUE;
  gtk_string_list_splice (self->employee_names, 1,
                          g_list_model_get_n_items (G_LIST_MODEL (self->employee_names)) - 1,
                          (const char *const *) strv);
  gtk_drop_down_set_selected (self->employee_dropdown, keep);
  self->setting_filter = FALSE;
  filter_changed (self);
}

static void
update_visibility (NcLiveView *self)
{
  guint n, live;
  const char *page;

  if (self->journal == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (self->journal));
  live = g_list_model_get_n_items (nc_call_tracker_get_live_calls (self->tracker));
  /* "No Calls Yet" only when there is none at all: not when the filters hide them. */
  gtk_stack_set_visible_child_name (self->stack,
                                    n == 0 && live == 0 && nc_journal_get_complete (self->journal) &&
                                    nc_call_filter_is_empty (nc_journal_get_filter (self->journal))
                                    ? "empty" : "calls");
  gtk_widget_set_visible (self->active_box, live > 0);

  if (n > 0)
    page = "list";
  else if (nc_journal_get_problem (self->journal) != NULL)
    {
      adw_status_page_set_description (self->problem_page, nc_journal_get_problem (self->journal));
      page = "problem";
    }
  else if (nc_journal_get_loading (self->journal))
    page = "loading";
  else
    page = "nothing";
  gtk_stack_set_visible_child_name (self->journal_stack, page);
}

static void
update_new_calls (NcLiveView *self)
{
  guint waiting = nc_journal_get_n_waiting (self->journal);
  g_autofree char *label = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->new_calls_button), waiting > 0);
  if (waiting == 0)
    return;
  label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u New Call", "%u New Calls", waiting),
                           waiting);
  gtk_button_set_label (self->new_calls_button, label);
}

static void
scrolled (GtkAdjustment *adjustment,
          NcLiveView    *self)
{
  gboolean away = gtk_adjustment_get_value (adjustment) > AWAY_FROM_TOP_PX;

  if (self->journal == NULL)
    return;
  if (nc_scrolled_near_end (adjustment))
    nc_journal_load_more (self->journal);
  nc_journal_set_hold (self->journal, away);
  /* Back at the top by hand: what waited shows. */
  if (!away)
    nc_journal_show_waiting (self->journal);
}

static gboolean
scroll_to_top (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  NcLiveView *self = user_data;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->journal_scroller);

  if (gtk_adjustment_get_value (adjustment) > gtk_adjustment_get_lower (adjustment))
    {
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));
      self->top_frames = 0;
    }
  /* At the top for two frames in a row: laid out. */
  if (++self->top_frames < 2)
    return G_SOURCE_CONTINUE;
  self->to_top = 0;
  return G_SOURCE_REMOVE;
}

static void
new_calls_clicked (NcLiveView *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->journal_scroller);

  nc_journal_set_hold (self->journal, FALSE);
  nc_journal_show_waiting (self->journal);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));
  /* The list keeps the row that was on top where it was, the new ones above it: it is
   * taken to the top once it has laid them out. */
  if (self->to_top == 0)
    self->to_top = gtk_widget_add_tick_callback (GTK_WIDGET (self->journal_list), scroll_to_top,
                                                 self, NULL);
  self->top_frames = 0;
  gtk_widget_grab_focus (GTK_WIDGET (self->journal_list));
}

static void
try_again (NcLiveView *self)
{
  if (self->journal != NULL)
    nc_journal_reload (self->journal);
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
  g_autoptr(NcCall) call = g_list_model_get_item (G_LIST_MODEL (self->journal), position);

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

static void store_known (NcLiveView *self);

/**
 * nc_live_view_set_session:
 *
 * Shows @session's calls, with the names of its employees. The session is started.
 */
void
nc_live_view_set_session (NcLiveView *self,
                          NcSession  *session)
{

  g_return_if_fail (NC_IS_LIVE_VIEW (self));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  self->tracker = g_object_ref (nc_session_get_tracker (session));
  g_signal_connect_object (session, "notify::store", G_CALLBACK (store_known), self,
                           G_CONNECT_SWAPPED);
  store_known (self);
}

/* The journal reads the store the session opens. */
static void
store_known (NcLiveView *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;
  g_autoptr(NcCallFilter) filter = NULL;
  GtkListItemFactory *factory;
  NcSession *session = self->session;

  if (self->journal != NULL || nc_call_tracker_get_store (self->tracker) == NULL)
    return;
  self->journal = nc_journal_new (self->tracker);
  filter = filter_from_widgets (self);
  nc_journal_set_filter (self->journal, filter);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_journal_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_journal_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_journal_row), NULL);
  gtk_list_view_set_factory (self->journal_list, factory);
  g_object_unref (factory);

  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->journal)));
  gtk_list_view_set_model (self->journal_list, GTK_SELECTION_MODEL (selection));
  gtk_list_box_bind_model (self->active_list, nc_call_tracker_get_live_calls (self->tracker),
                           create_active_row, self, NULL);

  g_signal_connect_object (self->journal, "items-changed", G_CALLBACK (update_visibility), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->journal, "notify::loading", G_CALLBACK (update_visibility),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->journal, "notify::problem", G_CALLBACK (update_visibility),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->journal, "notify::complete", G_CALLBACK (update_visibility),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->journal, "notify::n-waiting", G_CALLBACK (update_new_calls),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (nc_call_tracker_get_live_calls (self->tracker), "items-changed",
                           G_CALLBACK (update_visibility), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (nc_session_get_employees (session), "items-changed",
                           G_CALLBACK (employees_changed), self, G_CONNECT_SWAPPED);
  employees_changed (self);
  update_visibility (self);
}

/**
 * nc_live_view_get_journal:
 *
 * Returns: (transfer none) (nullable): the journal as shown, filters applied
 */
NcJournal *
nc_live_view_get_journal (NcLiveView *self)
{
  g_return_val_if_fail (NC_IS_LIVE_VIEW (self), NULL);
  return self->journal;
}

/**
 * nc_live_view_set_filter:
 * @direction: -1 for both, or an #NcCallDirection
 * @employee_id: (nullable): show only the calls of this employee
 * @text: (nullable): a number or a client's name
 *
 * Chooses the filters as the user does in the search entry and the drop-downs.
 */
void
nc_live_view_set_filter (NcLiveView    *self,
                         int            direction,
                         NcCallOutcome  outcome,
                         const char    *employee_id,
                         NcPeriod       period,
                         const char    *text)
{
  guint chosen_employee = 0;

  g_return_if_fail (NC_IS_LIVE_VIEW (self));

  for (guint i = 0; i < self->employee_ids->len; i++)
    if (g_strcmp0 (self->employee_ids->pdata[i], employee_id) == 0)
      chosen_employee = i + 1;

  self->setting_filter = TRUE;
  gtk_drop_down_set_selected (self->direction_dropdown,
                              direction == NC_CALL_DIRECTION_IN ? DIRECTION_IN :
                              direction == NC_CALL_DIRECTION_OUT ? DIRECTION_OUT : DIRECTION_ANY);
  gtk_drop_down_set_selected (self->outcome_dropdown, outcome);
  gtk_drop_down_set_selected (self->employee_dropdown, chosen_employee);
  gtk_drop_down_set_selected (self->period_dropdown, period);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  self->setting_filter = FALSE;
  filter_changed (self);
}

static void
nc_live_view_dispose (GObject *object)
{
  NcLiveView *self = NC_LIVE_VIEW (object);

  if (self->to_top != 0 && self->journal_list != NULL)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->journal_list), self->to_top);
  self->to_top = 0;
  if (self->active_list != NULL)
    gtk_list_box_bind_model (self->active_list, NULL, NULL, NULL, NULL);
  if (self->journal_list != NULL)
    gtk_list_view_set_model (self->journal_list, NULL);
  g_clear_object (&self->journal);
  g_clear_object (&self->tracker);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (nc_live_view_parent_class)->dispose (object);
}

static void
nc_live_view_finalize (GObject *object)
{
  NcLiveView *self = NC_LIVE_VIEW (object);

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
  gtk_widget_class_bind_template_child (widget_class, NcLiveView, journal_scroller);
  gtk_widget_class_bind_template_child (widget_class, NcLiveView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, NcLiveView, direction_dropdown);
  gtk_widget_class_bind_template_child (widget_class, NcLiveView, outcome_dropdown);
  gtk_widget_class_bind_template_child (widget_class, NcLiveView, employee_dropdown);
  gtk_widget_class_bind_template_child (widget_class, NcLiveView, period_dropdown);
  gtk_widget_class_bind_template_child (widget_class, NcLiveView, journal_stack);
  gtk_widget_class_bind_template_child (widget_class, NcLiveView, new_calls_button);
  gtk_widget_class_bind_template_child (widget_class, NcLiveView, problem_page);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed);
  gtk_widget_class_bind_template_callback (widget_class, new_calls_clicked);
  gtk_widget_class_bind_template_callback (widget_class, try_again);
}

static void
nc_live_view_init (NcLiveView *self)
{
  g_autoptr(GtkStringList) directions = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) outcomes = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) periods = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_string_list_append (directions, _("Both Directions"));
  gtk_string_list_append (directions, _("Incoming"));
  gtk_string_list_append (directions, _("Outgoing"));
  gtk_drop_down_set_model (self->direction_dropdown, G_LIST_MODEL (directions));

  gtk_string_list_append (outcomes, _(outcome_labels[0]));
  gtk_string_list_append (outcomes, g_dpgettext2 (GETTEXT_PACKAGE, "outcome filter", outcome_labels[1]));
  for (guint i = 2; i < G_N_ELEMENTS (outcome_labels); i++)
    gtk_string_list_append (outcomes, _(outcome_labels[i]));
  gtk_drop_down_set_model (self->outcome_dropdown, G_LIST_MODEL (outcomes));

  for (guint i = 0; i < G_N_ELEMENTS (period_labels); i++)
    gtk_string_list_append (periods, _(period_labels[i]));
  gtk_drop_down_set_model (self->period_dropdown, G_LIST_MODEL (periods));

  self->employee_names = gtk_string_list_new (NULL);
  self->employee_ids = g_ptr_array_new_with_free_func (g_free);
  gtk_string_list_append (self->employee_names, _("All Employees"));
  gtk_drop_down_set_model (self->employee_dropdown, G_LIST_MODEL (self->employee_names));

  nc_drop_down_shrink (self->direction_dropdown);
  nc_drop_down_shrink (self->outcome_dropdown);
  nc_drop_down_shrink (self->employee_dropdown);
  nc_drop_down_shrink (self->period_dropdown);

  gtk_list_view_set_single_click_activate (self->journal_list, TRUE);
  g_signal_connect (self->journal_list, "activate", G_CALLBACK (journal_activated), self);
  g_signal_connect (self->active_list, "row-activated", G_CALLBACK (active_activated), self);
  g_signal_connect (gtk_scrolled_window_get_vadjustment (self->journal_scroller), "value-changed",
                    G_CALLBACK (scrolled), self);
  /* A first page shorter than the window (a tall one) reads on until it is filled. */
  g_signal_connect (gtk_scrolled_window_get_vadjustment (self->journal_scroller), "changed",
                    G_CALLBACK (scrolled), self);

  update_visibility (self);
}
