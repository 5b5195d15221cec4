/* nc-missed-page.c — the supervisor's targets for calling back missed calls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two waits in minutes (green below the first, amber below the second, red beyond) and
 * whether the notification of a missed call counts the clients who wait. They are
 * GSettings of this desktop, bound both ways: the Missed page follows them at once.
 */

#define G_LOG_DOMAIN "nc-missed-page"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-missed-page.h"

struct _NcMissedPage
{
  AdwPreferencesPage parent_instance;
};

G_DEFINE_FINAL_TYPE (NcMissedPage, nc_missed_page, ADW_TYPE_PREFERENCES_PAGE)

static void
nc_missed_page_class_init (NcMissedPageClass *klass)
{
}

static void
nc_missed_page_init (NcMissedPage *self)
{
}

static GtkWidget *
minutes_row (GSettings  *settings,
             const char *key,
             const char *title,
             const char *subtitle,
             double      max)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (1, max, 5);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  if (settings != NULL)
    g_settings_bind (settings, key, spin, "value", G_SETTINGS_BIND_DEFAULT);
  else
    gtk_widget_set_sensitive (row, FALSE);
  return row;
}

/**
 * nc_missed_page_new:
 *
 * Returns: (transfer floating): the Missed Calls page of the preferences
 */
GtkWidget *
nc_missed_page_new (GSettings *settings)
{
  GtkWidget *self = g_object_new (NC_TYPE_MISSED_PAGE,
                                  "name", "missed",
                                  "title", _("Missed Calls"),
                                  "icon-name", "call-missed-symbolic",
                                  NULL);
  GtkWidget *targets = adw_preferences_group_new ();
  GtkWidget *notify = adw_preferences_group_new ();
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (targets), _("Call-Back Targets"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (targets),
                                         _("How long a client may wait to be called back: "
                                           "green under the first target, amber under the "
                                           "second, red beyond."));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (targets),
                             minutes_row (settings, "missed-wait-short", _("Green Under"),
                                          _("Minutes"), 1440));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (targets),
                             minutes_row (settings, "missed-wait-long", _("Amber Under"),
                                          _("Minutes; red beyond"), 10080));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), ADW_PREFERENCES_GROUP (targets));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Count in the Notification"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("The notification of a missed call says how many clients "
                                 "wait to be called back"));
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
  if (settings != NULL)
    g_settings_bind (settings, "missed-count-in-notification", toggle, "active",
                     G_SETTINGS_BIND_DEFAULT);
  else
    gtk_widget_set_sensitive (row, FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (notify), row);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), ADW_PREFERENCES_GROUP (notify));
  return self;
}
