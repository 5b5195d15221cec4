/* nc-setup-check-page.c — Preferences: what the integration needs, asked of the API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-setup-check-page"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-setup-check.h"
#include "nc-setup-check-page.h"

enum {
  SIGNAL_CHECKED,
  N_SIGNALS
};

struct _NcSetupCheckPage
{
  AdwPreferencesPage   parent_instance;

  NcSession           *session;
  GCancellable        *cancellable;
  GPtrArray           *rows;

  AdwPreferencesGroup *group;
  GtkSpinner          *spinner;
  GtkButton           *button;
};

G_DEFINE_FINAL_TYPE (NcSetupCheckPage, nc_setup_check_page, ADW_TYPE_PREFERENCES_PAGE)

static guint signals[N_SIGNALS];

static void
clear_rows (NcSetupCheckPage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->group, self->rows->pdata[i]);
  g_ptr_array_set_size (self->rows, 0);
}

static void
add_row (NcSetupCheckPage       *self,
         const NcSetupCheckItem *item)
{
  static const struct { const char *icon; const char *style; } looks[] = {
    [NC_SETUP_CHECK_PASSED] = { "emblem-ok-symbolic", "success" },
    [NC_SETUP_CHECK_FAILED] = { "dialog-warning-symbolic", "error" },
    [NC_SETUP_CHECK_SKIPPED] = { "action-unavailable-symbolic", "dim-label" },
  };
  static const char *const verdicts[] = { N_("Passed"), N_("Needs fixing"), N_("Not checked") };
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (looks[item->status].icon);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), item->title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), item->detail);
  gtk_widget_add_css_class (icon, looks[item->status].style);
  gtk_widget_set_tooltip_text (icon, _(verdicts[item->status]));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _(verdicts[item->status]), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  adw_preferences_group_add (self->group, row);
  g_ptr_array_add (self->rows, row);
}

static void
busy (NcSetupCheckPage *self,
      gboolean          running)
{
  gtk_spinner_set_spinning (self->spinner, running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->button), !running);
}

/* The check ended before it had items: one row says why. */
static void
failed (NcSetupCheckPage *self,
        const char       *title,
        const char       *detail)
{
  NcSetupCheckItem item = { (char *) title, NC_SETUP_CHECK_FAILED, (char *) detail };

  busy (self, FALSE);
  clear_rows (self);
  add_row (self, &item);
  g_signal_emit (self, signals[SIGNAL_CHECKED], 0);
}

static void
checked (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(NcSetupCheckPage) self = user_data;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;

  items = nc_setup_check_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (items == NULL)
    {
      failed (self, _("The Check Could Not Run"), error->message);
      return;
    }
  busy (self, FALSE);
  clear_rows (self);
  for (guint i = 0; i < items->len; i++)
    add_row (self, items->pdata[i]);
  g_signal_emit (self, signals[SIGNAL_CHECKED], 0);
}

/**
 * nc_setup_check_page_run:
 *
 * Runs the check with the account the session uses now, as the page's button does.
 */
void
nc_setup_check_page_run (NcSetupCheckPage *self)
{
  NcStore *store = nc_session_get_store (self->session);

  g_return_if_fail (NC_IS_SETUP_CHECK_PAGE (self));

  if (store == NULL)
    {
      failed (self, _("The Check Could Not Run"),
              _("The project’s data is not open yet; try again in a moment."));
      return;
    }
  busy (self, TRUE);
  nc_setup_check_async (nc_session_get_zadarma_client (self->session), store, self->cancellable,
                        checked, g_object_ref (self));
}

static void
nc_setup_check_page_dispose (GObject *object)
{
  NcSetupCheckPage *self = NC_SETUP_CHECK_PAGE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (nc_setup_check_page_parent_class)->dispose (object);
}

static void
nc_setup_check_page_class_init (NcSetupCheckPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_setup_check_page_dispose;

  /**
   * NcSetupCheckPage::checked:
   *
   * The check finished (or could not run) and its rows are shown.
   */
  signals[SIGNAL_CHECKED] = g_signal_new ("checked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-setup-check-page.ui");
  gtk_widget_class_bind_template_child (widget_class, NcSetupCheckPage, group);
  gtk_widget_class_bind_template_child (widget_class, NcSetupCheckPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, NcSetupCheckPage, button);
  gtk_widget_class_bind_template_callback (widget_class, nc_setup_check_page_run);
}

static void
nc_setup_check_page_init (NcSetupCheckPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->rows = g_ptr_array_new ();
}

GtkWidget *
nc_setup_check_page_new (NcSession *session)
{
  NcSetupCheckPage *self = g_object_new (NC_TYPE_SETUP_CHECK_PAGE, NULL);

  self->session = g_object_ref (session);
  return GTK_WIDGET (self);
}
