/* nc-call-row.c — one call in the live events pane
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-call-row"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "nc-call-row.h"
#include "nc-phone.h"

enum {
  PROP_0,
  PROP_CALL,
  N_PROPS
};

struct _NcCallRow
{
  GtkWidget       parent_instance;

  NcCall         *call;
  NcEmployeeList *employees;
  guint           timer;

  GtkImage  *icon;
  GtkLabel  *title_label;
  GtkLabel  *subtitle_label;
  GtkLabel  *duration_label;
  GtkLabel  *outcome_label;
  GtkLabel  *note_label;
  GtkButton *note_button;
  GtkButton *record_button;
  GtkButton *call_back_button;
};

G_DEFINE_FINAL_TYPE (NcCallRow, nc_call_row, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];

/* When the call started, as people read it: the time today, the day and time before. */
static char *
start_text (NcCall *call)
{
  const char *started = nc_call_get_started_at (call);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autoptr(GDateTime) time = NULL;
  int year, month, day, hour, minute;

  if (started == NULL || sscanf (started, "%4d-%2d-%2d %2d:%2d", &year, &month, &day, &hour,
                                 &minute) != 5)
    return g_strdup ("");
  /* The PBX's clock is the account's; the date is what tells today from before. */
  if (g_str_has_prefix (started, today))
    return g_strdup_printf ("%02d:%02d", hour, minute);
  time = g_date_time_new_local (year, month, day, hour, minute, 0);
  if (time == NULL)
    return g_strdup (started);
  /* Translators: a call's start on another day: a strftime format (day, month, time) */
  return g_date_time_format (time, year == g_date_time_get_year (now) ? _("%-d %b, %H:%M")
                                                                     : _("%-d %b %Y, %H:%M"));
}

static void
update_duration (NcCallRow *self)
{
  g_autofree char *text = NULL;
  gint64 since = 0;

  switch (nc_call_get_state (self->call))
    {
    case NC_CALL_STATE_RINGING:
      since = nc_call_get_first_seen_us (self->call);
      break;
    case NC_CALL_STATE_TALKING:
      since = nc_call_get_answered_seen_us (self->call);
      break;
    case NC_CALL_STATE_ENDED:
      text = nc_format_duration (nc_call_get_duration (self->call));
      break;
    default:
      g_assert_not_reached ();
    }

  if (text == NULL)
    text = nc_format_duration ((guint) (MAX (0, g_get_real_time () - since) / G_USEC_PER_SEC));

  gtk_label_set_label (self->duration_label, text);
}

static gboolean
tick (gpointer user_data)
{
  NcCallRow *self = user_data;

  update_duration (self);
  return G_SOURCE_CONTINUE;
}

/* What the operator noted of the call, in one line: the outcome, then the note's first
 * line. */
static char *
note_text (NcCall *call)
{
  const char *outcome = nc_call_get_noted_outcome (call);
  const char *note = nc_call_get_note (call);
  g_autofree char *first_line = note != NULL ? g_strndup (note, strcspn (note, "\r\n")) : NULL;

  if (outcome != NULL && first_line != NULL)
    return g_strdup_printf ("%s — %s", outcome, first_line);
  return g_strdup (outcome != NULL ? outcome : first_line);
}

static void
update_note (NcCallRow *self)
{
  NcCall *call = self->call;
  g_autofree char *text = note_text (call);
  gboolean over = nc_call_get_state (call) == NC_CALL_STATE_ENDED;

  gtk_label_set_label (self->note_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->note_label), text != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->note_label), nc_call_get_note (call));

  /* After the call: its outcome and a note. */
  gtk_widget_set_visible (GTK_WIDGET (self->note_button), over);
  if (over)
    {
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->note_button), "s",
                                        nc_call_get_pbx_call_id (call));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->note_button), "win.note-call");
    }
  else
    gtk_actionable_set_action_name (GTK_ACTIONABLE (self->note_button), NULL);
}

static void
update (NcCallRow *self)
{
  NcCall *call = self->call;
  const char *name, *icon_name;
  g_autofree char *number = NULL;
  g_autofree char *employee = NULL;
  g_autofree char *time = NULL;
  g_autoptr(GStrvBuilder) parts = g_strv_builder_new ();
  g_auto(GStrv) subtitle = NULL;
  g_autofree char *joined = NULL;
  gboolean live, missed, recorded;

  if (call == NULL)
    return;

  number = nc_phone_format (nc_call_get_client_number (call));
  name = nc_call_get_client_name (call);
  employee = self->employees != NULL
             ? nc_employee_list_describe (self->employees, nc_call_get_employee (call))
             : g_strdup (nc_call_get_employee (call));
  time = start_text (call);
  missed = nc_call_is_missed (call);

  if (missed)
    icon_name = "call-missed-symbolic";
  else if (nc_call_get_direction (call) == NC_CALL_DIRECTION_OUT)
    icon_name = "call-outgoing-symbolic";
  else
    icon_name = "call-incoming-symbolic";
  gtk_image_set_from_icon_name (self->icon, icon_name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->icon),
                               missed ? _("Missed call") :
                               nc_call_get_direction (call) == NC_CALL_DIRECTION_OUT ?
                               _("Outgoing call") : _("Incoming call"));

  /* The client's name where it is known; the number once, not twice. */
  gtk_label_set_label (self->title_label,
                       name != NULL ? name : *number != '\0' ? number : _("Unknown number"));
  if (name != NULL && *number != '\0' && g_strcmp0 (name, number) != 0)
    g_strv_builder_add (parts, number);
  if (employee != NULL)
    g_strv_builder_add (parts, employee);
  if (*time != '\0')
    g_strv_builder_add (parts, time);
  /* Known from the PBX's statistics: the listener was down when it happened. */
  if (nc_call_is_recovered (call))
    g_strv_builder_add (parts, _("recovered"));
  subtitle = g_strv_builder_end (parts);
  joined = g_strjoinv (" · ", subtitle);
  gtk_label_set_label (self->subtitle_label, joined);

  gtk_label_set_label (self->outcome_label, nc_call_get_outcome_text (call));
  if (missed)
    gtk_widget_add_css_class (GTK_WIDGET (self->outcome_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->outcome_label), "error");

  /* The actions go with their targets, or a row without one would warn. A recording whose
   * link expired, or was never had, is asked for when it is opened. */
  recorded = nc_call_get_record_link (call) != NULL ||
             (nc_call_get_is_recorded (call) && nc_call_get_call_id_with_rec (call) != NULL &&
              nc_call_get_state (call) == NC_CALL_STATE_ENDED);
  gtk_widget_set_visible (GTK_WIDGET (self->record_button), recorded);
  if (recorded)
    {
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->record_button), "s",
                                        nc_call_get_pbx_call_id (call));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->record_button),
                                      "win.open-recording");
    }
  else
    gtk_actionable_set_action_name (GTK_ACTIONABLE (self->record_button), NULL);

  /* A missed caller is called back from the row. */
  gtk_widget_set_visible (GTK_WIDGET (self->call_back_button),
                          missed && nc_call_get_client_number (call) != NULL &&
                          g_ascii_isdigit (*nc_call_get_client_number (call)));
  if (gtk_widget_get_visible (GTK_WIDGET (self->call_back_button)))
    {
      g_autofree char *label = g_strdup_printf (_("Call back %s"), name != NULL ? name : number);

      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->call_back_button), "s",
                                        nc_call_get_client_number (call));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->call_back_button),
                                      "win.call-client");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->call_back_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
    }
  else
    gtk_actionable_set_action_name (GTK_ACTIONABLE (self->call_back_button), NULL);

  update_note (self);
  update_duration (self);

  live = nc_call_get_state (call) != NC_CALL_STATE_ENDED;
  if (live && self->timer == 0)
    self->timer = g_timeout_add_seconds (1, tick, self);
  else if (!live)
    g_clear_handle_id (&self->timer, g_source_remove);
}

static void
call_notify (NcCallRow *self)
{
  update (self);
}

NcCall *
nc_call_row_get_call (NcCallRow *self)
{
  g_return_val_if_fail (NC_IS_CALL_ROW (self), NULL);
  return self->call;
}

void
nc_call_row_set_call (NcCallRow *self,
                      NcCall    *call)
{
  g_return_if_fail (NC_IS_CALL_ROW (self));

  if (self->call == call)
    return;

  if (self->call != NULL)
    g_signal_handlers_disconnect_by_func (self->call, call_notify, self);
  g_clear_handle_id (&self->timer, g_source_remove);
  g_set_object (&self->call, call);
  if (call != NULL)
    g_signal_connect_swapped (call, "notify", G_CALLBACK (call_notify), self);

  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALL]);
}

static void
nc_call_row_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  NcCallRow *self = NC_CALL_ROW (object);

  switch (prop_id)
    {
    case PROP_CALL:
      g_value_set_object (value, self->call);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_call_row_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  NcCallRow *self = NC_CALL_ROW (object);

  switch (prop_id)
    {
    case PROP_CALL:
      nc_call_row_set_call (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_call_row_dispose (GObject *object)
{
  NcCallRow *self = NC_CALL_ROW (object);

  GtkWidget *child;

  nc_call_row_set_call (self, NULL);
  if (self->employees != NULL)
    g_signal_handlers_disconnect_by_data (self->employees, self);
  g_clear_object (&self->employees);
  gtk_widget_dispose_template (GTK_WIDGET (self), NC_TYPE_CALL_ROW);
  /* dispose_template() unparents only the children it bound. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (nc_call_row_parent_class)->dispose (object);
}

static void
nc_call_row_class_init (NcCallRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = nc_call_row_get_property;
  object_class->set_property = nc_call_row_set_property;
  object_class->dispose = nc_call_row_dispose;

  properties[PROP_CALL] = g_param_spec_object ("call", NULL, NULL, NC_TYPE_CALL,
                                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                               G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-call-row.ui");
  gtk_widget_class_bind_template_child (widget_class, NcCallRow, icon);
  gtk_widget_class_bind_template_child (widget_class, NcCallRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, NcCallRow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, NcCallRow, duration_label);
  gtk_widget_class_bind_template_child (widget_class, NcCallRow, outcome_label);
  gtk_widget_class_bind_template_child (widget_class, NcCallRow, note_label);
  gtk_widget_class_bind_template_child (widget_class, NcCallRow, note_button);
  gtk_widget_class_bind_template_child (widget_class, NcCallRow, record_button);
  gtk_widget_class_bind_template_child (widget_class, NcCallRow, call_back_button);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
}

static void
nc_call_row_init (NcCallRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * nc_call_row_new:
 * @employees: (nullable): to name the employee of the call
 */
GtkWidget *
nc_call_row_new (NcEmployeeList *employees)
{
  NcCallRow *self = g_object_new (NC_TYPE_CALL_ROW, NULL);

  if (employees != NULL)
    {
      self->employees = g_object_ref (employees);
      /* A name given to an extension later shows at once. */
      g_signal_connect_object (employees, "items-changed", G_CALLBACK (update), self,
                               G_CONNECT_SWAPPED);
    }
  return GTK_WIDGET (self);
}
