/* nc-client-row.c — one client in the list: name, channel and number, and a phone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The phone follows the dialer: none when the employee's calls are disabled, grey with
 * the reason when no call can be placed now (the window disables win.call-client), and
 * none for a client without a number.
 */

#define G_LOG_DOMAIN "nc-client-row"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-client-row.h"
#include "nc-phone.h"

enum {
  PROP_0,
  PROP_CLIENT,
  N_PROPS
};

struct _NcClientRow
{
  GtkWidget  parent_instance;

  NcDialer  *dialer;
  NcClient  *client;

  GtkLabel  *name_label;
  GtkLabel  *details_label;
  GtkButton *call_button;
};

G_DEFINE_FINAL_TYPE (NcClientRow, nc_client_row, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];

static void
update_phone (NcClientRow *self)
{
  const char *phone = self->client != NULL ? nc_client_get_phone (self->client) : NULL;
  const char *problem = nc_dialer_get_problem (self->dialer);
  g_autofree char *label = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->call_button),
                          phone != NULL && nc_dialer_get_show_phones (self->dialer));
  if (phone == NULL)
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->call_button), NULL);
      return;
    }

  /* The action goes with its target, or a row without a number would warn. */
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->call_button), "s", phone);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->call_button), "win.call-client");
  /* Translators: the tooltip and accessible name of the phone beside a client */
  label = g_strdup_printf (_("Call %s"), nc_client_get_name (self->client));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->call_button), problem != NULL ? problem : label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->call_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  problem != NULL ? problem : "", -1);
}

static void
update (NcClientRow *self)
{
  g_autofree char *phone = NULL;
  g_autofree char *details = NULL;
  const char *channel;

  if (self->client == NULL)
    return;

  phone = nc_phone_format (nc_client_get_phone (self->client));
  channel = nc_channel_get_label (nc_client_get_channel (self->client));
  gtk_label_set_label (self->name_label, nc_client_get_name (self->client));
  /* A client made from a call is named by their number: it is said once. */
  if (*phone == '\0' || g_strcmp0 (phone, nc_client_get_name (self->client)) == 0)
    details = g_strdup (channel);
  else
    details = g_strdup_printf ("%s · %s", channel, phone);
  gtk_label_set_label (self->details_label, details);
  update_phone (self);
}

NcClient *
nc_client_row_get_client (NcClientRow *self)
{
  g_return_val_if_fail (NC_IS_CLIENT_ROW (self), NULL);
  return self->client;
}

void
nc_client_row_set_client (NcClientRow *self,
                          NcClient    *client)
{
  g_return_if_fail (NC_IS_CLIENT_ROW (self));

  if (!g_set_object (&self->client, client))
    return;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

static void
nc_client_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  NcClientRow *self = NC_CLIENT_ROW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_client_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  NcClientRow *self = NC_CLIENT_ROW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      nc_client_row_set_client (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_client_row_dispose (GObject *object)
{
  NcClientRow *self = NC_CLIENT_ROW (object);
  GtkWidget *child;

  if (self->dialer != NULL)
    g_signal_handlers_disconnect_by_data (self->dialer, self);
  g_clear_object (&self->dialer);
  g_clear_object (&self->client);
  gtk_widget_dispose_template (GTK_WIDGET (self), NC_TYPE_CLIENT_ROW);
  /* dispose_template() unparents only the children it bound. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (nc_client_row_parent_class)->dispose (object);
}

static void
nc_client_row_class_init (NcClientRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = nc_client_row_get_property;
  object_class->set_property = nc_client_row_set_property;
  object_class->dispose = nc_client_row_dispose;

  properties[PROP_CLIENT] = g_param_spec_object ("client", NULL, NULL, NC_TYPE_CLIENT,
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                 G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-client-row.ui");
  gtk_widget_class_bind_template_child (widget_class, NcClientRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, NcClientRow, details_label);
  gtk_widget_class_bind_template_child (widget_class, NcClientRow, call_button);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
}

static void
nc_client_row_init (NcClientRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
nc_client_row_new (NcDialer *dialer)
{
  NcClientRow *self = g_object_new (NC_TYPE_CLIENT_ROW, NULL);

  self->dialer = g_object_ref (dialer);
  g_signal_connect_object (dialer, "notify::show-phones", G_CALLBACK (update_phone), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (dialer, "notify::problem", G_CALLBACK (update_phone), self,
                           G_CONNECT_SWAPPED);
  return GTK_WIDGET (self);
}
