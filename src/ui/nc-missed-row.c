/* nc-missed-row.c — one client to call back, with how long they have waited
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The wait is a word as well as a colour ("12 min" on green, amber or red against the
 * supervisor's targets), so that it reads without colour and to a screen reader. Its
 * buttons act on the entry's client through the view's actions (missed.claim,
 * missed.call-back, missed.close), targeted at the client's id.
 */

#define G_LOG_DOMAIN "nc-missed-row"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-missed-row.h"
#include "nc-phone.h"

struct _NcMissedRow
{
  GtkWidget     parent_instance;

  NcMissedItem *item;
  GtkLabel     *name_label;
  GtkLabel     *details_label;
  GtkLabel     *claim_label;
  GtkLabel     *wait_label;
  GtkButton    *claim_button;
  GtkButton    *call_button;
  GtkButton    *close_button;
};

G_DEFINE_FINAL_TYPE (NcMissedRow, nc_missed_row, GTK_TYPE_WIDGET)

static const char *const wait_classes[] = { "missed-short", "missed-long", "missed-over" };

static GtkLabel *
label_new (const char *css_class)
{
  GtkLabel *label = GTK_LABEL (gtk_label_new (NULL));

  gtk_label_set_xalign (label, 0);
  gtk_label_set_ellipsize (label, PANGO_ELLIPSIZE_END);
  if (css_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (label), css_class);
  return label;
}

static GtkButton *
icon_button_new (const char *icon,
                 const char *label)
{
  GtkButton *button = GTK_BUTTON (gtk_button_new_from_icon_name (icon));

  gtk_widget_set_tooltip_text (GTK_WIDGET (button), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  gtk_widget_set_valign (GTK_WIDGET (button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (button), "flat");
  gtk_widget_add_css_class (GTK_WIDGET (button), "circular");
  return button;
}

static void
nc_missed_row_dispose (GObject *object)
{
  NcMissedRow *self = NC_MISSED_ROW (object);
  GtkWidget *child;

  g_clear_object (&self->item);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (nc_missed_row_parent_class)->dispose (object);
}

static void
nc_missed_row_class_init (NcMissedRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = nc_missed_row_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "missedrow");
}

static void
nc_missed_row_init (NcMissedRow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (widget)), 6);
  gtk_widget_set_margin_start (widget, 12);
  gtk_widget_set_margin_end (widget, 6);
  gtk_widget_set_margin_top (widget, 6);
  gtk_widget_set_margin_bottom (widget, 6);

  self->wait_label = label_new ("missed-wait");
  gtk_label_set_ellipsize (self->wait_label, PANGO_ELLIPSIZE_NONE);
  gtk_label_set_xalign (self->wait_label, 0.5);
  gtk_widget_set_valign (GTK_WIDGET (self->wait_label), GTK_ALIGN_CENTER);
  gtk_widget_set_parent (GTK_WIDGET (self->wait_label), widget);

  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_valign (text, GTK_ALIGN_CENTER);
  self->name_label = label_new ("heading");
  self->details_label = label_new ("dim-label");
  self->claim_label = label_new ("caption");
  gtk_box_append (GTK_BOX (text), GTK_WIDGET (self->name_label));
  gtk_box_append (GTK_BOX (text), GTK_WIDGET (self->details_label));
  gtk_box_append (GTK_BOX (text), GTK_WIDGET (self->claim_label));
  gtk_widget_set_parent (text, widget);

  self->claim_button = GTK_BUTTON (gtk_button_new_with_label (_("Claim")));
  gtk_widget_set_valign (GTK_WIDGET (self->claim_button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->claim_button), "flat");
  self->call_button = icon_button_new ("call-start-symbolic", _("Call Back"));
  gtk_widget_add_css_class (GTK_WIDGET (self->call_button), "accent");
  self->close_button = icon_button_new ("object-select-symbolic", _("Close with a Reason…"));
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->claim_button));
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->call_button));
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->close_button));
  gtk_widget_set_parent (buttons, widget);
}

GtkWidget *
nc_missed_row_new (void)
{
  return g_object_new (NC_TYPE_MISSED_ROW, NULL);
}

/**
 * nc_missed_row_set_item:
 * @item: (nullable): the entry to show
 * @me: (nullable): this desk's employee, as claims name them
 */
void
nc_missed_row_set_item (NcMissedRow  *self,
                        NcMissedItem *item,
                        const char   *me)
{
  const NcMissedCall *missed;
  g_autofree char *phone = NULL;
  g_autofree char *details = NULL;
  g_autofree char *claim = NULL;
  GVariant *target;
  gboolean mine;

  g_return_if_fail (NC_IS_MISSED_ROW (self));

  g_set_object (&self->item, item);
  if (item == NULL)
    return;
  missed = nc_missed_item_get_missed (item);
  phone = missed->number != NULL ? nc_phone_format (missed->number) : NULL;

  gtk_label_set_label (self->name_label, missed->client_name);
  details = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · called %u time",
                                          "%s · called %u times", missed->count),
                             phone != NULL ? phone : _("no number"), missed->count);
  gtk_label_set_label (self->details_label, details);

  mine = missed->claimed_by != NULL && g_strcmp0 (missed->claimed_by, me) == 0;
  if (missed->claimed_by != NULL)
    /* Translators: who calls the client back */
    claim = mine ? g_strdup (_("You call back")) : g_strdup_printf (_("%s calls back"),
                                                                   missed->claimed_by);
  gtk_label_set_label (self->claim_label, claim);
  gtk_widget_set_visible (GTK_WIDGET (self->claim_label), claim != NULL);

  target = g_variant_new_int64 (missed->client_id);
  /* The target first: an action name with no target yet would be a mismatch. */
  g_variant_ref_sink (target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->call_button), target);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->call_button), "missed.call-back");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->close_button), target);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->close_button), "missed.close");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->claim_button), target);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->claim_button),
                                  mine ? "missed.release" : "missed.claim");
  g_variant_unref (target);
  gtk_button_set_label (self->claim_button, mine ? _("Release") : _("Claim"));
  /* Someone else has it: no claim over theirs. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->claim_button),
                            missed->claimed_by == NULL || mine);
  gtk_widget_set_sensitive (GTK_WIDGET (self->call_button),
                            (missed->claimed_by == NULL || mine) && missed->number != NULL);
}

/**
 * nc_missed_row_update:
 * @now_us: real time
 *
 * Shows how long the client has waited, by now.
 */
void
nc_missed_row_update (NcMissedRow *self,
                      gint64       now_us,
                      guint        short_minutes,
                      guint        long_minutes)
{
  const NcMissedCall *missed;
  gint64 waited;
  g_autofree char *wait = NULL;
  g_autofree char *spoken = NULL;
  g_autoptr(GDateTime) since = NULL;
  g_autofree char *since_text = NULL;
  g_autofree char *tooltip = NULL;
  NcMissedWait level;

  g_return_if_fail (NC_IS_MISSED_ROW (self));

  if (self->item == NULL)
    return;
  missed = nc_missed_item_get_missed (self->item);
  waited = now_us - missed->first_missed_us;
  level = nc_missed_wait_level (waited, short_minutes, long_minutes);
  wait = nc_missed_format_wait (waited);

  for (guint i = 0; i < G_N_ELEMENTS (wait_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->wait_label), wait_classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self->wait_label), wait_classes[level]);
  gtk_label_set_label (self->wait_label, wait);

  since = g_date_time_new_from_unix_local (missed->first_missed_us / G_USEC_PER_SEC);
  since_text = since != NULL ? g_date_time_format (since, "%H:%M") : g_strdup ("");
  /* Translators: the time of the client's first missed call */
  tooltip = g_strdup_printf (_("Waiting since %s"), since_text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->wait_label), tooltip);
  /* Translators: how long the client has waited, for a screen reader */
  spoken = g_strdup_printf (_("Waited %s"), wait);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->wait_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, spoken, -1);
}
