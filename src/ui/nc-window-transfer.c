/* nc-window-transfer.c — importing and exporting the clients, with a progress bar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One import or export runs at a time, off the main context (nc-client-csv.c), shown by a
 * bar that can cancel it; a cancelled import leaves nothing imported.
 */

#define G_LOG_DOMAIN "nc-window"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-client-csv.h"
#include "nc-window-private.h"

static gboolean
transfer_tick (gpointer user_data)
{
  NcWindow *self = user_data;

  gtk_progress_bar_set_fraction (self->progress_bar,
                                 nc_progress_get_fraction (self->transfer_progress));
  return G_SOURCE_CONTINUE;
}

static void
transfer_begin (NcWindow   *self,
                const char *label)
{
  self->transfer_cancellable = g_cancellable_new ();
  self->transfer_progress = nc_progress_new ();
  gtk_label_set_label (self->progress_label, label);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_revealer_set_reveal_child (self->progress_revealer, TRUE);
  self->transfer_timeout = g_timeout_add (100, transfer_tick, self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import-clients", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-clients", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-transfer", TRUE);
}

static void
transfer_end (NcWindow *self)
{
  if (self->disposed)
    return;
  g_clear_handle_id (&self->transfer_timeout, g_source_remove);
  g_clear_object (&self->transfer_cancellable);
  g_clear_pointer (&self->transfer_progress, nc_progress_unref);
  gtk_revealer_set_reveal_child (self->progress_revealer, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import-clients", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-clients", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-transfer", FALSE);
}

static void
transferred (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(NcWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean import = g_task_get_source_tag (G_TASK (result)) == nc_client_csv_import_async;
  gboolean done;
  guint count = 0;

  transfer_end (self);
  done = import ? nc_client_csv_import_finish (result, &count, &error)
                : nc_client_csv_export_finish (result, &count, &error);
  if (!done && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    message = g_strdup (import ? _("The import was cancelled; nothing was imported")
                               : _("The export was cancelled"));
  else if (!done)
    message = g_strdup_printf (import ? _("Nothing was imported: %s")
                                      : _("The clients were not exported: %s"), error->message);
  else if (import)
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Imported %u client",
                                            "Imported %u clients", count), count);
  else
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %u client",
                                            "Exported %u clients", count), count);
  nc_window_toast (self, message);
}

static void
transfer (NcWindow *self,
          GFile    *file,
          gboolean  import)
{
  NcStore *store = nc_window_get_store (self);
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *label = NULL;

  if (store == NULL || self->transfer_cancellable != NULL)
    return;

  label = g_strdup_printf (import ? _("Importing clients from “%s”…")
                                  : _("Exporting clients to “%s”…"), name);
  transfer_begin (self, label);
  (import ? nc_client_csv_import_async : nc_client_csv_export_async) (
    store, file, self->transfer_progress, self->transfer_cancellable, transferred,
    g_object_ref (self));
}

/**
 * nc_window_import_clients:
 *
 * Adds the clients of the CSV @file, with a progress bar, as "Import Clients…" does once
 * the user chose the file. One import or export runs at a time.
 */
void
nc_window_import_clients (NcWindow *self,
                          GFile    *file)
{
  g_return_if_fail (NC_IS_WINDOW (self));
  transfer (self, file, TRUE);
}

/**
 * nc_window_export_clients:
 *
 * Writes every client to the CSV @file, with a progress bar.
 */
void
nc_window_export_clients (NcWindow *self,
                          GFile    *file)
{
  g_return_if_fail (NC_IS_WINDOW (self));
  transfer (self, file, FALSE);
}

static void
file_chosen (GtkNativeDialog *chooser,
             int              response,
             NcWindow        *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      if (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)) == GTK_FILE_CHOOSER_ACTION_OPEN)
        nc_window_import_clients (self, file);
      else
        nc_window_export_clients (self, file);
    }
  g_object_unref (chooser);
}

static void
choose_file (NcWindow             *self,
             GtkFileChooserAction  action)
{
  gboolean open = action == GTK_FILE_CHOOSER_ACTION_OPEN;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  GtkFileChooserNative *chooser;

  if (!nc_window_store_or_say (self))
    return;

  chooser = gtk_file_chooser_native_new (open ? _("Import Clients") : _("Export Clients"),
                                         GTK_WINDOW (self), action,
                                         open ? _("_Import") : _("_Export"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("CSV files"));
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_suffix (filter, "csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  if (!open)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("clients.csv"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (file_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
import_clients_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  choose_file (NC_WINDOW (widget), GTK_FILE_CHOOSER_ACTION_OPEN);
}

static void
export_clients_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  choose_file (NC_WINDOW (widget), GTK_FILE_CHOOSER_ACTION_SAVE);
}

static void
cancel_transfer_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  NcWindow *self = NC_WINDOW (widget);

  if (self->transfer_cancellable != NULL)
    g_cancellable_cancel (self->transfer_cancellable);
}

/* The window is going: the transfer under way, if any, is cancelled and forgotten. */
void
nc_window_cancel_transfer (NcWindow *self)
{
  if (self->transfer_cancellable != NULL)
    g_cancellable_cancel (self->transfer_cancellable);
  g_clear_handle_id (&self->transfer_timeout, g_source_remove);
  g_clear_object (&self->transfer_cancellable);
  g_clear_pointer (&self->transfer_progress, nc_progress_unref);
}

/* Import and export, from nc_window_class_init(). */
void
nc_window_class_install_transfer_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.import-clients", NULL,
                                   import_clients_activated);
  gtk_widget_class_install_action (widget_class, "win.export-clients", NULL,
                                   export_clients_activated);
  gtk_widget_class_install_action (widget_class, "win.cancel-transfer", NULL,
                                   cancel_transfer_activated);
}
