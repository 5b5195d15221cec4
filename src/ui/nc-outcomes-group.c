/* nc-outcomes-group.c — the Preferences’ list of call outcomes, on the Webhooks page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list an operator picks an outcome from after a call (nc-call-note-dialog.c). It is
 * the GSettings key call-outcomes; while that is empty, the translated defaults are
 * offered, so that a desk in Russian offers them in Russian. Editing it writes the whole
 * list, the defaults included.
 */

#define G_LOG_DOMAIN "nc-outcomes-group"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-call-note-dialog.h"
#include "nc-outcomes-group.h"

struct _NcOutcomesGroup
{
  AdwPreferencesGroup parent_instance;

  GSettings          *settings;
  GPtrArray          *rows;      /* the outcomes' rows, above add_row */

  GtkListBox         *list;
  AdwEntryRow        *add_row;
};

G_DEFINE_FINAL_TYPE (NcOutcomesGroup, nc_outcomes_group, ADW_TYPE_PREFERENCES_GROUP)

static void
remove_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  NcOutcomesGroup *self = NC_OUTCOMES_GROUP (widget);
  g_auto(GStrv) outcomes = nc_call_outcomes_dup (self->settings);
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();
  g_auto(GStrv) list = NULL;
  const char *gone = g_variant_get_string (parameter, NULL);

  for (guint i = 0; outcomes[i] != NULL; i++)
    if (g_strcmp0 (outcomes[i], gone) != 0)
      g_strv_builder_add (kept, outcomes[i]);
  list = g_strv_builder_end (kept);
  /* None left would be the defaults again: the last one stays. */
  if (list[0] != NULL)
    g_settings_set_strv (self->settings, "call-outcomes", (const char *const *) list);
}

static void
reset_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  g_settings_reset (NC_OUTCOMES_GROUP (widget)->settings, "call-outcomes");
}

static void
add_applied (NcOutcomesGroup *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->add_row))));
  g_auto(GStrv) outcomes = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) list = NULL;

  if (*text == '\0')
    return;
  outcomes = nc_call_outcomes_dup (self->settings);
  if (!g_strv_contains ((const char *const *) outcomes, text))
    {
      g_strv_builder_addv (builder, (const char **) outcomes);
      g_strv_builder_add (builder, text);
      list = g_strv_builder_end (builder);
      g_settings_set_strv (self->settings, "call-outcomes", (const char *const *) list);
    }
  gtk_editable_set_text (GTK_EDITABLE (self->add_row), "");
}

static void
update (NcOutcomesGroup *self)
{
  g_auto(GStrv) outcomes = nc_call_outcomes_dup (self->settings);

  for (guint i = 0; i < self->rows->len; i++)
    gtk_list_box_remove (self->list, self->rows->pdata[i]);
  g_ptr_array_set_size (self->rows, 0);
  for (guint i = 0; outcomes[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      g_autofree char *label = g_strdup_printf (_("Remove the outcome “%s”"), outcomes[i]);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), outcomes[i]);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _("Remove"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      label, -1);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "s", outcomes[i]);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "outcomes.remove");
      /* The last one cannot go: none would be the defaults again. */
      gtk_widget_set_sensitive (remove, outcomes[1] != NULL);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      gtk_list_box_insert (self->list, row, (int) i);
      g_ptr_array_add (self->rows, row);
    }
}

static void
nc_outcomes_group_dispose (GObject *object)
{
  NcOutcomesGroup *self = NC_OUTCOMES_GROUP (object);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (nc_outcomes_group_parent_class)->dispose (object);
}

static void
nc_outcomes_group_class_init (NcOutcomesGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_outcomes_group_dispose;

  gtk_widget_class_install_action (widget_class, "outcomes.remove", "s", remove_activated);
  gtk_widget_class_install_action (widget_class, "outcomes.reset", NULL, reset_activated);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-outcomes-group.ui");
  gtk_widget_class_bind_template_child (widget_class, NcOutcomesGroup, list);
  gtk_widget_class_bind_template_child (widget_class, NcOutcomesGroup, add_row);
}

static void
nc_outcomes_group_init (NcOutcomesGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new ();
  g_signal_connect_swapped (self->add_row, "apply", G_CALLBACK (add_applied), self);
  g_signal_connect_swapped (self->add_row, "entry-activated", G_CALLBACK (add_applied), self);
}

GtkWidget *
nc_outcomes_group_new (GSettings *settings)
{
  NcOutcomesGroup *self = g_object_new (NC_TYPE_OUTCOMES_GROUP, NULL);

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self->settings = g_object_ref (settings);
  g_signal_connect_swapped (settings, "changed::call-outcomes", G_CALLBACK (update), self);
  update (self);
  return GTK_WIDGET (self);
}
