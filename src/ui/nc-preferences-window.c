/* nc-preferences-window.c — the admins' settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One page a concern, each a widget of its own: the account (nc-account-page.c), the
 * webhooks (nc-webhooks-page.c) and the setup check (nc-setup-check-page.c). They all
 * show the session they are given, as it is now.
 */

#define G_LOG_DOMAIN "nc-preferences-window"

#include "config.h"

#include "nc-account-page.h"
#include "nc-missed-page.h"
#include "nc-outcomes-group.h"
#include "nc-preferences-window.h"
#include "nc-setup-check-page.h"
#include "nc-webhooks-page.h"

struct _NcPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  NcSetupCheckPage     *setup_check_page;
};

G_DEFINE_FINAL_TYPE (NcPreferencesWindow, nc_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
nc_preferences_window_class_init (NcPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-preferences-window.ui");
}

static void
nc_preferences_window_init (NcPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

NcPreferencesWindow *
nc_preferences_window_new (GtkWindow *parent,
                           NcSession *session)
{
  NcPreferencesWindow *self = g_object_new (NC_TYPE_PREFERENCES_WINDOW,
                                            "transient-for", parent,
                                            "modal", parent != NULL,
                                            NULL);
  GtkWidget *setup_check = nc_setup_check_page_new (session);
  GtkWidget *webhooks = nc_webhooks_page_new (session);

  g_return_val_if_fail (NC_IS_SESSION (session), NULL);

  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self),
                              ADW_PREFERENCES_PAGE (nc_account_page_new (session)));
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (webhooks));
  /* With the other settings of what happens to calls (the notification of their end). */
  if (nc_session_get_settings (session) != NULL)
    adw_preferences_page_add (ADW_PREFERENCES_PAGE (webhooks),
                              ADW_PREFERENCES_GROUP (nc_outcomes_group_new (nc_session_get_settings (session))));
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self),
                              ADW_PREFERENCES_PAGE (nc_missed_page_new (nc_session_get_settings (session))));
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (setup_check));
  self->setup_check_page = NC_SETUP_CHECK_PAGE (setup_check);
  return self;
}

/**
 * nc_preferences_window_run_setup_check:
 *
 * Shows the Setup Check page and runs the check, as its button does.
 */
void
nc_preferences_window_run_setup_check (NcPreferencesWindow *self)
{
  g_return_if_fail (NC_IS_PREFERENCES_WINDOW (self));

  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (self),
                                           ADW_PREFERENCES_PAGE (self->setup_check_page));
  nc_setup_check_page_run (self->setup_check_page);
}

/**
 * nc_preferences_window_show_account:
 *
 * Shows the page where the Key and Secret are entered.
 */
void
nc_preferences_window_show_account (NcPreferencesWindow *self)
{
  g_return_if_fail (NC_IS_PREFERENCES_WINDOW (self));

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (self), "account");
}
