/* nc-call-row.c — one call in the live events pane
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-call-row"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-call-row.h"

enum {
  PROP_0,
  PROP_CALL,
  N_PROPS
};

struct _NcCallRow
{
  GtkWidget  parent_instance;

  NcCall    *call;
  guint      timer;

  GtkImage  *icon;
  GtkLabel  *title_label;
  GtkLabel  *subtitle_label;
  GtkLabel  *duration_label;
  GtkLabel  *outcome_label;
  GtkButton *record_button;
};

G_DEFINE_FINAL_TYPE (NcCallRow, nc_call_row, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];

/**
 * nc_format_duration:
 *
 * Returns: (transfer full): `M:SS`, or `H:MM:SS` from an hour on
 */
char *
nc_format_duration (guint seconds)
{
  if (seconds >= 3600)
    return g_strdup_printf ("%u:%02u:%02u", seconds / 3600, seconds / 60 % 60, seconds % 60);
  return g_strdup_printf ("%u:%02u", seconds / 60, seconds % 60);
}

/* "2026-11-23 10:15:03" → "10:15" */
static char *
short_time (const char *pbx_time)
{
  if (pbx_time == NULL || strlen (pbx_time) < 16)
    return g_strdup ("");
  return g_strndup (pbx_time + 11, 5);
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

static void
update (NcCallRow *self)
{
  NcCall *call = self->call;
  const char *number, *name, *employee, *icon_name;
  g_autofree char *time = NULL;
  g_autofree char *subtitle = NULL;
  gboolean live;

  if (call == NULL)
    return;

  number = nc_call_get_client_number (call);
  name = nc_call_get_client_name (call);
  employee = nc_call_get_employee (call);
  time = short_time (nc_call_get_started_at (call));

  if (nc_call_is_missed (call))
    icon_name = "call-missed-symbolic";
  else if (nc_call_get_direction (call) == NC_CALL_DIRECTION_OUT)
    icon_name = "call-outgoing-symbolic";
  else
    icon_name = "call-incoming-symbolic";
  gtk_image_set_from_icon_name (self->icon, icon_name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->icon),
                               nc_call_is_missed (call) ? _("Missed call") :
                               nc_call_get_direction (call) == NC_CALL_DIRECTION_OUT ?
                               _("Outgoing call") : _("Incoming call"));

  gtk_label_set_label (self->title_label,
                       name != NULL ? name : number != NULL ? number : _("Unknown number"));

  if (employee != NULL && name != NULL)
    /* Translators: client number · employee id · time, in a call row */
    subtitle = g_strdup_printf (_("%s · employee %s · %s"), number, employee, time);
  else if (employee != NULL)
    subtitle = g_strdup_printf (_("employee %s · %s"), employee, time);
  else if (name != NULL)
    subtitle = g_strdup_printf ("%s · %s", number, time);
  else
    subtitle = g_strdup (time);
  gtk_label_set_label (self->subtitle_label, subtitle);

  gtk_label_set_label (self->outcome_label, nc_call_get_outcome_text (call));
  if (nc_call_is_missed (call))
    gtk_widget_add_css_class (GTK_WIDGET (self->outcome_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->outcome_label), "error");

  gtk_widget_set_visible (GTK_WIDGET (self->record_button),
                          nc_call_get_record_link (call) != NULL);
  /* The action goes with its target, or a row without a link would warn. */
  if (nc_call_get_record_link (call) != NULL)
    {
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->record_button), "s",
                                        nc_call_get_record_link (call));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->record_button), "win.open-uri");
    }
  else
    gtk_actionable_set_action_name (GTK_ACTIONABLE (self->record_button), NULL);

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

NcCall *
nc_call_row_get_call (NcCallRow *self)
{
  g_return_val_if_fail (NC_IS_CALL_ROW (self), NULL);
  return self->call;
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
  gtk_widget_class_bind_template_child (widget_class, NcCallRow, record_button);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
}

static void
nc_call_row_init (NcCallRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
nc_call_row_new (void)
{
  return g_object_new (NC_TYPE_CALL_ROW, NULL);
}
