/* nc-window.c — the console window: clients, employees and live events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-window"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-client-card.h"
#include "nc-client-csv.h"
#include "nc-client-editor.h"
#include "nc-clients-view.h"
#include "nc-demo.h"
#include "nc-phone.h"
#include "nc-settings.h"
#include "nc-employees-view.h"
#include "nc-live-view.h"
#include "nc-window.h"

struct _NcWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  AdwFlap              *flap;
  AdwViewStack         *view_stack;
  NcClientsView        *clients_view;
  NcEmployeesView      *employees_view;
  NcLiveView           *live_view;
  GtkRevealer          *demo_revealer;
  GtkRevealer          *progress_revealer;
  GtkLabel             *progress_label;
  GtkProgressBar       *progress_bar;

  NcEmployee           *me;             /* the employee this console acts as */
  GHashTable           *calls_placed;   /* client number → tracker request id */
  char                 *last_toast;
  gboolean              disposed;       /* answers that arrive later show nothing */

  /* The import or export under way, if any. */
  GCancellable         *transfer_cancellable;
  NcProgress           *transfer_progress;
  guint                 transfer_timeout;
};

G_DEFINE_FINAL_TYPE (NcWindow, nc_window, ADW_TYPE_APPLICATION_WINDOW)

static void
search_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  NcWindow *self = NC_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "clients");
  nc_clients_view_focus_search (self->clients_view);
}

static void
launch_uri_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(NcWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not open the link: %s"),
                                                  error->message);

      g_warning ("Could not open a link: %s", error->message);
      nc_window_add_toast (self, message);
    }
}

static void
open_uri_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_autoptr(GdkAppLaunchContext) context =
    gdk_display_get_app_launch_context (gtk_widget_get_display (widget));

  g_app_info_launch_default_for_uri_async (g_variant_get_string (parameter, NULL),
                                           G_APP_LAUNCH_CONTEXT (context), NULL,
                                           launch_uri_done, g_object_ref (widget));
}

static NcApplication *
get_application (NcWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  return NC_IS_APPLICATION (application) ? NC_APPLICATION (application) : NULL;
}

static void
set_me (NcWindow   *self,
        NcEmployee *employee)
{
  g_set_object (&self->me, employee);
  nc_clients_view_set_call_method (self->clients_view,
                                   employee != NULL ? nc_employee_get_call_method (employee)
                                                    : NC_CALL_METHOD_DISABLED);
}

static void
list_employees_in_thread (GTask        *task,
                          gpointer      source_object,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *employees = nc_store_list_employees_sync (task_data, &error);

  if (employees == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, employees, (GDestroyNotify) g_ptr_array_unref);
}

static void
employees_listed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  NcWindow *self = NC_WINDOW (source);
  g_autoptr(GPtrArray) employees = g_task_propagate_pointer (G_TASK (result), NULL);
  NcApplication *application = get_application (self);
  g_autofree char *current = NULL;
  NcEmployee *me = NULL;

  if (employees == NULL || application == NULL)
    return;

  current = nc_settings_dup_string (nc_application_get_settings (application), "current-employee");
  nc_employees_view_show (self->employees_view, employees, current);
  g_clear_pointer (&current, g_free);

  /* "This is me", or, in a one-person office, the only employee. */
  current = nc_settings_dup_string (nc_application_get_settings (application), "current-employee");
  for (guint i = 0; i < employees->len; i++)
    if (g_strcmp0 (nc_employee_get_employee_id (employees->pdata[i]), current) == 0)
      me = employees->pdata[i];
  if (me == NULL && employees->len == 1)
    me = employees->pdata[0];
  /* The demo's operator, unless the user chose someone else. */
  for (guint i = 0; me == NULL && nc_application_get_demo (application) && i < employees->len; i++)
    if (g_strcmp0 (nc_employee_get_employee_id (employees->pdata[i]), NC_DEMO_EMPLOYEE_ID) == 0)
      me = employees->pdata[i];
  set_me (self, me);
}

/**
 * nc_window_reload:
 *
 * Reads the clients and the employees again, as after an import.
 */
void
nc_window_reload (NcWindow *self)
{
  NcApplication *application = get_application (self);
  NcStore *store = application != NULL ? nc_application_get_store (application) : NULL;
  g_autoptr(GTask) task = NULL;

  if (store == NULL)
    return;

  /* A new store is read once, by set_store(); the same one again, here. */
  if (!nc_clients_view_set_store (self->clients_view, store))
    nc_clients_view_reload (self->clients_view);
  nc_employees_view_set_store (self->employees_view, store, nc_application_get_settings (application));
  task = g_task_new (self, NULL, employees_listed, NULL);
  g_task_set_task_data (task, g_object_ref (store), g_object_unref);
  g_task_run_in_thread (task, list_employees_in_thread);
}

static void
toast (NcWindow   *self,
       const char *message)
{
  if (self->disposed)
    return;
  g_free (self->last_toast);
  self->last_toast = g_strdup (message);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

typedef struct
{
  NcWindow *self;
  char     *number;
} Placing;

static void
placing_free (Placing *placing)
{
  g_object_unref (placing->self);
  g_free (placing->number);
  g_free (placing);
}

static void
call_placed (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Placing *placing = user_data;
  g_autoptr(NcZadarmaCallback) callback = NULL;
  g_autoptr(GError) error = NULL;

  callback = nc_zadarma_call_finish (result, &error);
  if (callback == NULL)
    {
      g_autofree char *reason = nc_zadarma_error_to_user_message (error);
      g_autofree char *message = g_strdup_printf (_("No call was placed: %s"), reason);

      g_hash_table_remove (placing->self->calls_placed, placing->number);
      toast (placing->self, message);
    }
  placing_free (placing);
}

static void
call_progress (NcCall     *call,
               GParamSpec *pspec,
               NcWindow   *self)
{
  g_autofree char *message = NULL;

  switch (nc_call_get_state (call))
    {
    case NC_CALL_STATE_RINGING:
      return;
    case NC_CALL_STATE_TALKING:
      message = g_strdup_printf (_("Connected with %s"), nc_call_get_client_number (call));
      break;
    case NC_CALL_STATE_ENDED:
      g_hash_table_remove (self->calls_placed, nc_call_get_client_number (call));
      g_signal_handlers_disconnect_by_func (call, call_progress, self);
      message = g_strcmp0 (nc_call_get_disposition (call), "answered") == 0
                ? g_strdup_printf (_("The call with %s ended"), nc_call_get_client_number (call))
                : g_strdup_printf (_("The call to %s failed: %s"), nc_call_get_client_number (call),
                                   nc_call_get_outcome_text (call));
      break;
    default:
      g_assert_not_reached ();
    }
  toast (self, message);
}

static void
callback_tied (NcCallTracker *tracker,
               guint64        id,
               NcCall        *call,
               NcWindow      *self)
{
  g_autofree char *message = g_strdup_printf (_("You answered; calling %s…"),
                                              nc_call_get_client_number (call));

  toast (self, message);
  g_signal_connect_object (call, "notify::state", G_CALLBACK (call_progress), self, 0);
}

static void
callback_expired (NcCallTracker *tracker,
                  guint64        id,
                  NcWindow      *self)
{
  GHashTableIter iter;
  gpointer number, request;

  g_hash_table_iter_init (&iter, self->calls_placed);
  while (g_hash_table_iter_next (&iter, &number, &request))
    if (*(guint64 *) request == id)
      {
        g_hash_table_iter_remove (&iter);
        toast (self, _("The PBX did not start the call within a minute: did you answer?"));
        return;
      }
}

static void
launch_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(NcWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The phone app could not start: %s"),
                                                  error->message);
      toast (self, message);
    }
}

/* The current employee's call method decides what a click on a phone does. */
static void
call_client_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  NcWindow *self = NC_WINDOW (widget);
  NcApplication *application = get_application (self);
  const char *number = g_variant_get_string (parameter, NULL);

  if (self->me == NULL || application == NULL)
    return;

  switch (nc_employee_get_call_method (self->me))
    {
    case NC_CALL_METHOD_DISABLED:
      return;

    case NC_CALL_METHOD_APP:
      {
        g_autoptr(GAppInfo) handler = g_app_info_get_default_for_uri_scheme ("tel");
        g_autofree char *desktop_id = g_strconcat (APPLICATION_ID, ".desktop", NULL);
        g_autofree char *uri = g_strconcat ("tel:+", number, NULL);
        g_autoptr(GdkAppLaunchContext) context =
          gdk_display_get_app_launch_context (gtk_widget_get_display (widget));

        /* Never this app itself: it is no softphone. */
        if (handler == NULL || g_strcmp0 (g_app_info_get_id (handler), desktop_id) == 0)
          {
            toast (self, _("No app for phone calls is installed: install a softphone such as "
                           "Zoiper and make it the app for phone links, or let this employee "
                           "call through the Novofon API"));
            return;
          }
        g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL,
                                                 launch_done, g_object_ref (self));
        return;
      }

    case NC_CALL_METHOD_API:
      {
        g_autoptr(NcCallRequest) request = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *message = NULL;
        Placing *placing;
        guint64 id;

        if (g_hash_table_contains (self->calls_placed, number))
          {
            message = g_strdup_printf (_("A call to %s is already on its way"), number);
            toast (self, message);
            return;
          }
        request = nc_call_request_new (number, nc_employee_get_virtual_number (self->me),
                                       nc_employee_get_employee_id (self->me), &error);
        if (request == NULL)
          {
            toast (self, error->message);
            return;
          }

        placing = g_new0 (Placing, 1);
        placing->self = g_object_ref (self);
        placing->number = g_strdup (request->client_phone);
        id = nc_application_place_call (application, request, call_placed, placing);
        g_hash_table_insert (self->calls_placed, g_strdup (request->client_phone),
                             g_memdup2 (&id, sizeof id));
        message = g_strdup_printf (_("The PBX is ringing you; then it calls %s"),
                                   request->client_phone);
        toast (self, message);
        return;
      }

    default:
      g_assert_not_reached ();
    }
}

static NcStore *
get_store (NcWindow *self)
{
  NcApplication *application = get_application (self);

  return application != NULL ? nc_application_get_store (application) : NULL;
}

static void
toast_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  toast (NC_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

/* Adding, editing and deleting clients --------------------------------------------- */

static void
client_written (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(NcWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gpointer tag = g_task_get_source_tag (G_TASK (result));
  g_autoptr(GArray) ids = NULL;
  const char *done;

  if (tag == nc_store_add_clients_async)
    {
      ids = nc_store_add_clients_finish (NC_STORE (source), result, &error);
      done = _("Client added");
    }
  else if (tag == nc_store_update_client_async)
    {
      nc_store_update_client_finish (NC_STORE (source), result, &error);
      done = _("Client saved");
    }
  else
    {
      nc_store_delete_client_finish (NC_STORE (source), result, &error);
      done = _("Client deleted");
    }

  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The change was not saved: %s"),
                                                  error->message);

      toast (self, message);
      return;
    }
  toast (self, done);
  if (!self->disposed)
    nc_clients_view_reload (self->clients_view);
}

static void
editor_saved (NcClientEditor *editor,
              NcWindow       *self)
{
  NcClient *client = nc_client_editor_get_result (editor);
  NcStore *store = get_store (self);

  if (store == NULL)
    return;
  if (nc_client_get_id (client) == 0)
    {
      g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);

      g_ptr_array_add (drafts, g_object_ref (client));
      nc_store_add_clients_async (store, drafts, NULL, NULL, client_written, g_object_ref (self));
    }
  else
    nc_store_update_client_async (store, client, NULL, client_written, g_object_ref (self));
}

static void
editor_deleted (NcClientEditor *editor,
                gint64          id,
                NcWindow       *self)
{
  NcStore *store = get_store (self);

  if (store != NULL)
    nc_store_delete_client_async (store, id, NULL, client_written, g_object_ref (self));
}

static NcClientEditor *
open_editor (NcWindow *self,
             NcClient *client)
{
  NcClientEditor *editor;

  if (self->disposed)
    return NULL;
  editor = nc_client_editor_new (GTK_WINDOW (self), client);

  g_signal_connect_object (editor, "save", G_CALLBACK (editor_saved), self, 0);
  g_signal_connect_object (editor, "delete", G_CALLBACK (editor_deleted), self, 0);
  gtk_window_present (GTK_WINDOW (editor));
  return editor;
}

static void
add_client_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  NcWindow *self = NC_WINDOW (widget);

  if (get_store (self) == NULL)
    {
      toast (self, _("The clients are not open yet; try again in a moment"));
      return;
    }
  open_editor (self, NULL);
}

static void
client_to_edit_loaded (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(NcWindow) self = user_data;
  g_autoptr(NcClient) client = NULL;
  g_autoptr(GError) error = NULL;

  client = nc_store_get_client_finish (NC_STORE (source), result, &error);
  if (client == NULL)
    {
      toast (self, error->message);
      return;
    }
  open_editor (self, client);
}

static void
edit_client_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  NcWindow *self = NC_WINDOW (widget);
  NcStore *store = get_store (self);

  if (store == NULL)
    return;
  /* With its variables, read off the main context. */
  nc_store_get_client_async (store, g_variant_get_int64 (parameter), NULL,
                             client_to_edit_loaded, g_object_ref (self));
}

/* Import and export ----------------------------------------------------------------- */

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
  toast (self, message);
  if (done && import && !self->disposed)
    nc_clients_view_reload (self->clients_view);
}

static void
transfer (NcWindow *self,
          GFile    *file,
          gboolean  import)
{
  NcStore *store = get_store (self);
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

  if (get_store (self) == NULL)
    {
      toast (self, _("The clients are not open yet; try again in a moment"));
      return;
    }

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

static void
client_loaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(NcWindow) self = user_data;
  g_autoptr(NcClient) client = NULL;
  g_autoptr(GError) error = NULL;
  NcApplication *application = get_application (self);

  client = nc_store_get_client_finish (NC_STORE (source), result, &error);
  if (client == NULL)
    {
      toast (self, error->message);
      return;
    }
  if (self->disposed)
    return;
  gtk_window_present (GTK_WINDOW (nc_client_card_new (
    GTK_WINDOW (self), client,
    application != NULL ? nc_application_get_call_tracker (application) : NULL)));
}

static void
client_activated (NcClientsView *view,
                  NcClient      *client,
                  NcWindow      *self)
{
  NcApplication *application = get_application (self);

  if (application == NULL || nc_application_get_store (application) == NULL)
    return;
  /* With its variables, read off the main context. */
  nc_store_get_client_async (nc_application_get_store (application), nc_client_get_id (client),
                             NULL, client_loaded, g_object_ref (self));
}

static void
store_ready (NcWindow *self)
{
  nc_window_reload (self);
}

static void
account_ready (NcWindow *self)
{
  NcApplication *application = get_application (self);

  nc_employees_view_set_client (self->employees_view,
                                application != NULL
                                ? nc_application_get_zadarma_client (application) : NULL);
}

/* "application" is not a construct property: it is set after constructed(), so the
 * window joins the application's objects when it arrives. */
static void
application_set (NcWindow *self)
{
  NcApplication *application = get_application (self);
  NcCallTracker *tracker;

  if (application == NULL || nc_live_view_get_tracker (self->live_view) != NULL)
    return;

  tracker = nc_application_get_call_tracker (application);
  nc_live_view_set_tracker (self->live_view, tracker);
  g_signal_connect_object (tracker, "callback-tied", G_CALLBACK (callback_tied), self, 0);
  g_signal_connect_object (tracker, "callback-expired", G_CALLBACK (callback_expired), self, 0);
  g_signal_connect_object (application, "store-ready", G_CALLBACK (store_ready), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (application, "account-ready", G_CALLBACK (account_ready), self,
                           G_CONNECT_SWAPPED);
  account_ready (self);
  g_signal_connect_object (self->employees_view, "changed", G_CALLBACK (nc_window_reload), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->clients_view, "client-activated", G_CALLBACK (client_activated),
                           self, 0);
  nc_window_reload (self);
}

static void
nc_window_dispose (GObject *object)
{
  NcWindow *self = NC_WINDOW (object);

  self->disposed = TRUE;
  if (self->transfer_cancellable != NULL)
    g_cancellable_cancel (self->transfer_cancellable);
  g_clear_handle_id (&self->transfer_timeout, g_source_remove);
  g_clear_object (&self->transfer_cancellable);
  g_clear_pointer (&self->transfer_progress, nc_progress_unref);
  g_clear_object (&self->me);
  g_clear_pointer (&self->calls_placed, g_hash_table_unref);
  g_clear_pointer (&self->last_toast, g_free);

  G_OBJECT_CLASS (nc_window_parent_class)->dispose (object);
}

static void
nc_window_class_init (NcWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_window_dispose;

  g_type_ensure (NC_TYPE_CLIENTS_VIEW);
  g_type_ensure (NC_TYPE_EMPLOYEES_VIEW);
  g_type_ensure (NC_TYPE_LIVE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, NcWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, clients_view);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, employees_view);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, live_view);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, demo_revealer);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, progress_bar);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_activated);
  gtk_widget_class_install_action (widget_class, "win.open-uri", "s", open_uri_activated);
  gtk_widget_class_install_action (widget_class, "win.call-client", "s", call_client_activated);
  gtk_widget_class_install_action (widget_class, "win.toast", "s", toast_activated);
  gtk_widget_class_install_action (widget_class, "win.add-client", NULL, add_client_activated);
  gtk_widget_class_install_action (widget_class, "win.edit-client", "x", edit_client_activated);
  gtk_widget_class_install_action (widget_class, "win.import-clients", NULL,
                                   import_clients_activated);
  gtk_widget_class_install_action (widget_class, "win.export-clients", NULL,
                                   export_clients_activated);
  gtk_widget_class_install_action (widget_class, "win.cancel-transfer", NULL,
                                   cancel_transfer_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.add-client", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
}

static void
nc_window_init (NcWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->calls_placed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_signal_connect (self, "notify::application", G_CALLBACK (application_set), NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-transfer", FALSE);

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

NcWindow *
nc_window_new (NcApplication *application)
{
  return g_object_new (NC_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

/**
 * nc_window_add_toast:
 *
 * Shows @message briefly at the bottom of the window.
 */
void
nc_window_add_toast (NcWindow   *self,
                     const char *message)
{
  g_return_if_fail (NC_IS_WINDOW (self));

  toast (self, message);
}

/**
 * nc_window_get_last_toast:
 *
 * Returns: (transfer none) (nullable): what the window said last, for the tests
 */
const char *
nc_window_get_last_toast (NcWindow *self)
{
  g_return_val_if_fail (NC_IS_WINDOW (self), NULL);
  return self->last_toast;
}

/**
 * nc_window_show_client:
 * @number: the client's phone number, as a call reported it
 *
 * Brings the clients to the front, searching for @number.
 */
void
nc_window_show_client (NcWindow   *self,
                       const char *number)
{
  g_return_if_fail (NC_IS_WINDOW (self));

  adw_view_stack_set_visible_child_name (self->view_stack, "clients");
  nc_clients_view_search (self->clients_view, number);
}

/**
 * nc_window_set_demo:
 *
 * Shows or hides the bar that says the console runs in demo mode.
 */
void
nc_window_set_demo (NcWindow *self,
                    gboolean  demo)
{
  g_return_if_fail (NC_IS_WINDOW (self));

  gtk_revealer_set_reveal_child (self->demo_revealer, demo);
}
