/* nc-dial-row.c — "Call +7 916 …": a number typed in the search box, to call
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Above the clients the search finds, when what is typed is a whole number in any of the
 * ways people type one (nc_phone_parse_typed()), one row offers to call it, through the
 * current employee's call method: the window's win.call-client, as the phone beside a
 * client does, so that the softphone's tel: link or the API's callback request (asked
 * once, never again) are the same code. When no call can be placed (calls disabled, no
 * employee chosen, no account) the row says why and cannot be activated. The number
 * becomes a client when its call ends (nc-call-service.c), not before.
 */

#define G_LOG_DOMAIN "nc-dial-row"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-dial-row.h"
#include "nc-phone.h"

struct _NcDialRow
{
  AdwBin        parent_instance;

  NcDialer     *dialer;
  char         *number;       /* canonical, or %NULL: what is typed is no number */

  GtkListBox   *list;
  AdwActionRow *row;
  GtkWidget    *arrow;
};

G_DEFINE_FINAL_TYPE (NcDialRow, nc_dial_row, ADW_TYPE_BIN)

static void
update (NcDialRow *self)
{
  g_autofree char *shown = NULL;
  g_autofree char *title = NULL;
  const char *problem;
  gboolean can_call;

  gtk_widget_set_visible (GTK_WIDGET (self), self->number != NULL && self->dialer != NULL);
  if (self->number == NULL || self->dialer == NULL)
    return;

  shown = nc_phone_format (self->number);
  /* Translators: the row above the search results that calls the typed number */
  title = g_strdup_printf (_("Call %s"), shown);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->row), title);

  problem = nc_dialer_get_problem (self->dialer);
  can_call = problem == NULL;
  if (!can_call)
    adw_action_row_set_subtitle (self->row, problem);
  else if (nc_dialer_get_method (self->dialer) == NC_CALL_METHOD_APP)
    adw_action_row_set_subtitle (self->row, _("With the phone app"));
  else
    adw_action_row_set_subtitle (self->row,
                                 _("Through the Novofon API: your phone rings first, then "
                                   "this number"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->row), can_call);
  gtk_widget_set_visible (self->arrow, can_call);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  can_call ? "" : problem, -1);
}

static void
row_activated (NcDialRow     *self,
               GtkListBoxRow *row)
{
  nc_dial_row_call (self);
}

static void
nc_dial_row_dispose (GObject *object)
{
  NcDialRow *self = NC_DIAL_ROW (object);

  if (self->dialer != NULL)
    g_signal_handlers_disconnect_by_data (self->dialer, self);
  g_clear_object (&self->dialer);

  G_OBJECT_CLASS (nc_dial_row_parent_class)->dispose (object);
}

static void
nc_dial_row_finalize (GObject *object)
{
  NcDialRow *self = NC_DIAL_ROW (object);

  g_free (self->number);

  G_OBJECT_CLASS (nc_dial_row_parent_class)->finalize (object);
}

static void
nc_dial_row_class_init (NcDialRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_dial_row_dispose;
  object_class->finalize = nc_dial_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-dial-row.ui");
  gtk_widget_class_bind_template_child (widget_class, NcDialRow, list);
  gtk_widget_class_bind_template_child (widget_class, NcDialRow, row);
  gtk_widget_class_bind_template_child (widget_class, NcDialRow, arrow);
  gtk_widget_class_bind_template_callback (widget_class, row_activated);
}

static void
nc_dial_row_init (NcDialRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * nc_dial_row_set_dialer:
 *
 * Calls through @dialer's employee, and says what it says about calling.
 */
void
nc_dial_row_set_dialer (NcDialRow *self,
                        NcDialer  *dialer)
{
  g_return_if_fail (NC_IS_DIAL_ROW (self));
  g_return_if_fail (self->dialer == NULL);

  self->dialer = g_object_ref (dialer);
  g_signal_connect_object (dialer, "notify::problem", G_CALLBACK (update), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (dialer, "notify::employee", G_CALLBACK (update), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (dialer, "notify::method", G_CALLBACK (update), self,
                           G_CONNECT_SWAPPED);
  update (self);
}

/**
 * nc_dial_row_set_text:
 *
 * Shows the row when @text, as typed in the search box, is a whole number.
 */
void
nc_dial_row_set_text (NcDialRow  *self,
                      const char *text)
{
  g_return_if_fail (NC_IS_DIAL_ROW (self));

  g_free (self->number);
  self->number = nc_phone_parse_typed (text);
  update (self);
}

/**
 * nc_dial_row_get_number:
 *
 * Returns: (nullable): the canonical number the row calls, or %NULL when none is typed
 */
const char *
nc_dial_row_get_number (NcDialRow *self)
{
  g_return_val_if_fail (NC_IS_DIAL_ROW (self), NULL);
  return self->number;
}

/**
 * nc_dial_row_get_can_call:
 *
 * Returns: whether a number is typed and can be called now
 */
gboolean
nc_dial_row_get_can_call (NcDialRow *self)
{
  g_return_val_if_fail (NC_IS_DIAL_ROW (self), FALSE);
  return self->number != NULL && self->dialer != NULL && nc_dialer_get_can_call (self->dialer);
}

/**
 * nc_dial_row_call:
 *
 * Calls the typed number through the window's win.call-client, once; when it cannot be
 * called, the window says why.
 *
 * Returns: whether a number was typed (and so the call, or the reason why not, was asked)
 */
gboolean
nc_dial_row_call (NcDialRow *self)
{
  g_return_val_if_fail (NC_IS_DIAL_ROW (self), FALSE);

  if (self->number == NULL || self->dialer == NULL)
    return FALSE;
  if (!nc_dialer_get_can_call (self->dialer))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s",
                                nc_dialer_get_problem (self->dialer));
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "win.call-client", "s", self->number);
  return TRUE;
}
