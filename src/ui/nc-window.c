/* nc-window.c — the console window: clients, employees and live events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window shows one session (nc-session.c) and follows it: the store once it is
 * open, the account as it comes and goes, the dialer's word on whether a phone can call.
 * It never reaches back into the application.
 */

#define G_LOG_DOMAIN "nc-window"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-client-card.h"
#include "nc-client-csv.h"
#include "nc-client-editor.h"
#include "nc-clients-view.h"
#include "nc-employees-view.h"
#include "nc-live-view.h"
#include "nc-ui-util.h"
#include "nc-window.h"

enum {
  PROP_0,
  PROP_SESSION,
  PROP_ACTING_AS,
  N_PROPS
};

struct _NcWindow
{
  AdwApplicationWindow  parent_instance;

  NcSession            *session;

  AdwToastOverlay      *toast_overlay;
  AdwFlap              *flap;
  AdwViewStack         *view_stack;
  GtkButton            *add_button;
  NcClientsView        *clients_view;
  NcEmployeesView      *employees_view;
  NcLiveView           *live_view;
  GtkRevealer          *demo_revealer;
  GtkRevealer          *account_revealer;
  GtkRevealer          *database_revealer;
  GtkLabel             *database_label;
  gboolean              store_watched;
  GtkLabel             *account_label;
  GtkRevealer          *progress_revealer;
  GtkLabel             *progress_label;
  GtkProgressBar       *progress_bar;

  char                 *last_toast;
  GPtrArray            *recent_toasts;  /* what the window said lately, for the tests */
  gboolean              disposed;       /* answers that arrive later show nothing */

  /* The import or export under way, if any. */
  GCancellable         *transfer_cancellable;
  NcProgress           *transfer_progress;
  guint                 transfer_timeout;
};

G_DEFINE_FINAL_TYPE (NcWindow, nc_window, ADW_TYPE_APPLICATION_WINDOW)

static GParamSpec *properties[N_PROPS];

static void
toast_with_button (NcWindow   *self,
                   const char *message,
                   const char *button,
                   const char *action,
                   GVariant   *target)
{
  AdwToast *toast;

  if (target != NULL)
    g_variant_ref_sink (target);
  if (self->disposed)
    {
      g_clear_pointer (&target, g_variant_unref);
      return;
    }
  g_free (self->last_toast);
  self->last_toast = g_strdup (message);
  if (self->recent_toasts->len == 32)
    g_ptr_array_remove_index (self->recent_toasts, 0);
  g_ptr_array_add (self->recent_toasts, g_strdup (message));

  toast = nc_toast_new (message);
  if (button != NULL)
    {
      adw_toast_set_button_label (toast, button);
      adw_toast_set_action_name (toast, action);
      if (target != NULL)
        adw_toast_set_action_target_value (toast, target);
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  g_clear_pointer (&target, g_variant_unref);
}

static void
toast (NcWindow   *self,
       const char *message)
{
  toast_with_button (self, message, NULL, NULL, NULL);
}

static NcStore *
get_store (NcWindow *self)
{
  return self->session != NULL ? nc_session_get_store (self->session) : NULL;
}

/* Actions --------------------------------------------------------------------------- */

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
show_page_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  adw_view_stack_set_visible_child_name (NC_WINDOW (widget)->view_stack,
                                         g_variant_get_string (parameter, NULL));
}

static void
toggle_live_events_activated (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  NcWindow *self = NC_WINDOW (widget);

  adw_flap_set_reveal_flap (self->flap, !adw_flap_get_reveal_flap (self->flap) ||
                                        !adw_flap_get_folded (self->flap));
}

static void
hide_live_events_activated (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  adw_flap_set_reveal_flap (NC_WINDOW (widget)->flap, FALSE);
}

static void
copy_text_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), g_variant_get_string (parameter, NULL));
  toast (NC_WINDOW (widget), _("Copied"));
}

typedef struct
{
  NcWindow *self;
  char     *uri;
} Opening;

static void
uri_launched (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Opening *opening = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_warning ("Could not open a link: %s", error->message);
      /* "Operation not supported" says nothing: what happened, and what else to do. */
      toast_with_button (opening->self, _("No app here can open the link: copy it and open it "
                                          "elsewhere"),
                         _("Copy Link"), "win.copy-text", g_variant_new_string (opening->uri));
    }
  g_object_unref (opening->self);
  g_free (opening->uri);
  g_free (opening);
}

static void
open_uri (NcWindow   *self,
          const char *uri)
{
  g_autoptr(GdkAppLaunchContext) context =
    gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self)));
  Opening *opening = g_new0 (Opening, 1);

  opening->self = g_object_ref (self);
  opening->uri = g_strdup (uri);
  g_app_info_launch_default_for_uri_async (opening->uri, G_APP_LAUNCH_CONTEXT (context), NULL,
                                           uri_launched, opening);
}

static void
open_uri_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  open_uri (NC_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
recording_fetched (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(NcWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *link = nc_call_service_fetch_recording_finish (NC_CALL_SERVICE (source),
                                                                  result, &error);

  if (link != NULL)
    open_uri (self, link);
  else if (error->domain == NC_ZADARMA_ERROR)
    {
      g_autofree char *reason = nc_zadarma_error_to_user_message (error);
      g_autofree char *text = g_strdup_printf (_("Could not get the recording: %s"), reason);

      toast (self, text);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    toast (self, error->message);
}

/* A recording's link lasts as long as the PBX said; one that expired, or that could not be
 * had, is asked for again now. */
static void
open_recording_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  NcWindow *self = NC_WINDOW (widget);
  NcCall *call = nc_call_tracker_lookup (nc_session_get_tracker (self->session),
                                         g_variant_get_string (parameter, NULL));
  NcCallService *service = nc_session_get_call_service (self->session);

  if (call == NULL)
    return;
  if (nc_call_record_link_is_fresh (call, NULL))
    {
      open_uri (self, nc_call_get_record_link (call));
      return;
    }
  if (service == NULL)
    {
      toast (self, _("The recording’s link has expired"));
      return;
    }
  toast (self, _("Asking the PBX for the recording…"));
  nc_call_service_fetch_recording_async (service, call, NULL, recording_fetched,
                                         g_object_ref (self));
}

static void
toast_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  toast (NC_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

/* Calls ----------------------------------------------------------------------------- */

static void
call_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(NcWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = nc_dialer_call_finish (NC_DIALER (source), result, &error);

  if (message != NULL)
    toast (self, message);
  else if (error->domain == NC_ZADARMA_ERROR && error->code != NC_ZADARMA_ERROR_INVALID)
    {
      g_autofree char *reason = nc_zadarma_error_to_user_message (error);
      g_autofree char *text = g_strdup_printf (_("No call was placed: %s"), reason);

      toast (self, text);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    toast (self, error->message);
}

static void
call_client (NcWindow   *self,
             const char *number)
{
  g_autoptr(GdkAppLaunchContext) context =
    gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self)));

  nc_dialer_call_async (nc_session_get_dialer (self->session), number,
                        G_APP_LAUNCH_CONTEXT (context), NULL, call_done, g_object_ref (self));
}

/* The current employee's call method decides what a click on a phone does. */
static void
call_client_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  call_client (NC_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
call_selected_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  NcWindow *self = NC_WINDOW (widget);
  NcClient *client = nc_clients_view_get_selected (self->clients_view);

  if (client == NULL || nc_client_get_phone (client) == NULL)
    {
      toast (self, client == NULL ? _("Choose a client to call first")
                                  : _("This client has no phone number"));
      return;
    }
  call_client (self, nc_client_get_phone (client));
}

static void
dialer_message (NcDialer   *dialer,
                const char *message,
                NcWindow   *self)
{
  toast (self, message);
}

/* Phones grey out by themselves: the call actions follow the dialer. */
static void
can_call_changed (NcWindow *self)
{
  NcDialer *dialer = nc_session_get_dialer (self->session);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.call-client",
                                 nc_dialer_get_can_call (dialer));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.call-selected",
                                 nc_dialer_get_can_call (dialer));
}

/* Clients: adding, editing, deleting, the card -------------------------------------- */

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

static void
open_editor (NcWindow *self,
             NcClient *client)
{
  NcClientEditor *editor;

  if (self->disposed)
    return;
  editor = nc_client_editor_new (GTK_WINDOW (self), client);
  g_signal_connect_object (editor, "save", G_CALLBACK (editor_saved), self, 0);
  g_signal_connect_object (editor, "delete", G_CALLBACK (editor_deleted), self, 0);
  gtk_window_present (GTK_WINDOW (editor));
}

static gboolean
store_or_say (NcWindow *self)
{
  if (get_store (self) != NULL)
    return TRUE;
  toast (self, _("The project’s data is not open yet; try again in a moment"));
  return FALSE;
}

static void
add_client_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  NcWindow *self = NC_WINDOW (widget);

  if (store_or_say (self))
    open_editor (self, NULL);
}

static void
add_employee_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  NcWindow *self = NC_WINDOW (widget);

  if (!store_or_say (self))
    return;
  adw_view_stack_set_visible_child_name (self->view_stack, "employees");
  nc_employees_view_edit (self->employees_view, NULL);
}

/* The "+" of the header bar adds what the page shows. */
static void
add_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  NcWindow *self = NC_WINDOW (widget);

  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "employees") == 0)
    add_employee_activated (widget, NULL, NULL);
  else
    add_client_activated (widget, NULL, NULL);
}

static void
page_changed (NcWindow *self)
{
  gboolean employees = g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack),
                                  "employees") == 0;
  const char *label = employees ? _("Add Employee") : _("Add Client");

  gtk_widget_set_tooltip_text (GTK_WIDGET (self->add_button), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->add_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
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

  if (!store_or_say (self))
    return;
  /* With its variables, read off the main context. */
  nc_store_get_client_async (get_store (self), g_variant_get_int64 (parameter), NULL,
                             client_to_edit_loaded, g_object_ref (self));
}

static void
client_loaded (GObject      *source,
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
  if (self->disposed)
    return;
  gtk_window_present (GTK_WINDOW (nc_client_card_new (GTK_WINDOW (self), client, self->session)));
}

static void
show_client_id_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  NcWindow *self = NC_WINDOW (widget);

  if (!store_or_say (self))
    return;
  nc_store_get_client_async (get_store (self), g_variant_get_int64 (parameter), NULL,
                             client_loaded, g_object_ref (self));
}

static void
client_activated (NcClientsView *view,
                  NcClient      *client,
                  NcWindow      *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-client-id", "x",
                              nc_client_get_id (client));
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

  if (!store_or_say (self))
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

/* The session ----------------------------------------------------------------------- */

static void
account_changed (NcWindow *self)
{
  const char *problem = nc_session_get_account_problem (self->session);
  gboolean demo = nc_session_get_demo (self->session);
  gboolean missing = !demo && !nc_session_get_account_ready (self->session) && problem != NULL;

  gtk_revealer_set_reveal_child (self->demo_revealer, demo);
  gtk_revealer_set_reveal_child (self->account_revealer, missing);
  if (missing)
    {
      g_autofree char *text = g_strdup_printf (_("%s. Connect the account’s Key and Secret to "
                                                 "call through the PBX and see every call "
                                                 "live, or try the console on a simulated PBX "
                                                 "first."), problem);

      gtk_label_set_label (self->account_label, text);
    }
}

/* The office database's connection is lost: the window says so until it is back (and the
 * journal has caught up by itself). */
static void
database_problem_changed (NcWindow *self)
{
  NcStore *store = nc_session_get_store (self->session);
  const char *problem = store != NULL ? nc_store_get_problem (store) : NULL;

  gtk_revealer_set_reveal_child (self->database_revealer, problem != NULL);
  if (problem != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("%s The calls, clients and employees shown "
                                                 "may be behind until it is back."), problem);

      gtk_label_set_label (self->database_label, text);
    }
}

static void
store_known (NcWindow *self)
{
  NcStore *store = nc_session_get_store (self->session);

  if (store == NULL || self->store_watched)
    return;
  self->store_watched = TRUE;
  g_signal_connect_object (store, "notify::problem", G_CALLBACK (database_problem_changed), self,
                           G_CONNECT_SWAPPED);
  database_problem_changed (self);
}

/**
 * nc_window_show_failure:
 *
 * Says that the project's data could not be opened, and why.
 */
void
nc_window_show_failure (NcWindow   *self,
                        const char *message)
{
  g_return_if_fail (NC_IS_WINDOW (self));
  nc_clients_view_show_failure (self->clients_view, message);
}

static void
nc_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  NcWindow *self = NC_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_ACTING_AS:
      g_value_set_string (value, nc_dialer_get_employee_id (nc_session_get_dialer (self->session)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  NcWindow *self = NC_WINDOW (object);
  GSettings *settings;

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_ACTING_AS:
      /* Who this desk is: its setting, which the dialer follows. */
      settings = nc_session_get_settings (self->session);
      if (settings != NULL)
        g_settings_set_string (settings, "current-employee", g_value_get_string (value));
      else
        nc_dialer_set_employee_id (nc_session_get_dialer (self->session),
                                   g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
employee_id_changed (NcWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTING_AS]);
}

static void
nc_window_constructed (GObject *object)
{
  NcWindow *self = NC_WINDOW (object);
  NcDialer *dialer = nc_session_get_dialer (self->session);

  G_OBJECT_CLASS (nc_window_parent_class)->constructed (object);

  nc_clients_view_set_session (self->clients_view, self->session);
  nc_employees_view_set_session (self->employees_view, self->session);
  nc_live_view_set_session (self->live_view, self->session);
  g_signal_connect_object (self->clients_view, "client-activated", G_CALLBACK (client_activated),
                           self, 0);

  g_signal_connect_object (dialer, "message", G_CALLBACK (dialer_message), self, 0);
  g_signal_connect_object (dialer, "notify::can-call", G_CALLBACK (can_call_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (dialer, "notify::employee-id", G_CALLBACK (employee_id_changed), self,
                           G_CONNECT_SWAPPED);
  can_call_changed (self);

  g_signal_connect_object (self->session, "notify::store", G_CALLBACK (store_known), self,
                           G_CONNECT_SWAPPED);
  store_known (self);
  g_signal_connect_object (self->session, "notify::account-ready", G_CALLBACK (account_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::account-problem",
                           G_CALLBACK (account_changed), self, G_CONNECT_SWAPPED);
  account_changed (self);
  page_changed (self);
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
  g_clear_pointer (&self->last_toast, g_free);

  G_OBJECT_CLASS (nc_window_parent_class)->dispose (object);
}

static void
nc_window_finalize (GObject *object)
{
  NcWindow *self = NC_WINDOW (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->recent_toasts, g_ptr_array_unref);

  G_OBJECT_CLASS (nc_window_parent_class)->finalize (object);
}

static void
nc_window_class_init (NcWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = nc_window_get_property;
  object_class->set_property = nc_window_set_property;
  object_class->constructed = nc_window_constructed;
  object_class->dispose = nc_window_dispose;
  object_class->finalize = nc_window_finalize;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, NC_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * NcWindow:acting-as:
   *
   * The employee id this console acts as, for the "Who I am" menu (win.act-as).
   */
  properties[PROP_ACTING_AS] =
    g_param_spec_string ("acting-as", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (NC_TYPE_CLIENTS_VIEW);
  g_type_ensure (NC_TYPE_EMPLOYEES_VIEW);
  g_type_ensure (NC_TYPE_LIVE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, NcWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, add_button);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, clients_view);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, employees_view);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, live_view);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, demo_revealer);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, account_revealer);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, database_revealer);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, database_label);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, account_label);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, progress_bar);
  gtk_widget_class_bind_template_callback (widget_class, page_changed);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_activated);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_activated);
  gtk_widget_class_install_action (widget_class, "win.toggle-live-events", NULL,
                                   toggle_live_events_activated);
  gtk_widget_class_install_action (widget_class, "win.hide-live-events", NULL,
                                   hide_live_events_activated);
  gtk_widget_class_install_action (widget_class, "win.open-uri", "s", open_uri_activated);
  gtk_widget_class_install_action (widget_class, "win.open-recording", "s",
                                   open_recording_activated);
  gtk_widget_class_install_action (widget_class, "win.copy-text", "s", copy_text_activated);
  gtk_widget_class_install_action (widget_class, "win.call-client", "s", call_client_activated);
  gtk_widget_class_install_action (widget_class, "win.call-selected", NULL,
                                   call_selected_activated);
  gtk_widget_class_install_action (widget_class, "win.toast", "s", toast_activated);
  gtk_widget_class_install_action (widget_class, "win.add", NULL, add_activated);
  gtk_widget_class_install_action (widget_class, "win.add-client", NULL, add_client_activated);
  gtk_widget_class_install_action (widget_class, "win.add-employee", NULL,
                                   add_employee_activated);
  gtk_widget_class_install_action (widget_class, "win.edit-client", "x", edit_client_activated);
  gtk_widget_class_install_action (widget_class, "win.show-client-id", "x",
                                   show_client_id_activated);
  gtk_widget_class_install_action (widget_class, "win.import-clients", NULL,
                                   import_clients_activated);
  gtk_widget_class_install_action (widget_class, "win.export-clients", NULL,
                                   export_clients_activated);
  gtk_widget_class_install_action (widget_class, "win.cancel-transfer", NULL,
                                   cancel_transfer_activated);
  gtk_widget_class_install_property_action (widget_class, "win.act-as", "acting-as");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.add", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "win.call-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "win.call-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK,
                                       "win.show-page", "s", "clients");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK,
                                       "win.show-page", "s", "employees");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0,
                                       "win.toggle-live-events", NULL);
}

static void
nc_window_init (NcWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->recent_toasts = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-transfer", FALSE);

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

NcWindow *
nc_window_new (GtkApplication *application,
               NcSession      *session)
{
  g_return_val_if_fail (NC_IS_SESSION (session), NULL);

  return g_object_new (NC_TYPE_WINDOW,
                       "application", application,
                       "session", session,
                       NULL);
}

/**
 * nc_window_get_session:
 *
 * Returns: (transfer none): the session the window shows
 */
NcSession *
nc_window_get_session (NcWindow *self)
{
  g_return_val_if_fail (NC_IS_WINDOW (self), NULL);
  return self->session;
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
 * nc_window_said:
 * @prefix: how a toast begins
 *
 * Returns: how many of the window's last toasts began with @prefix, for the tests
 */
guint
nc_window_said (NcWindow   *self,
                const char *prefix)
{
  guint n = 0;

  g_return_val_if_fail (NC_IS_WINDOW (self), 0);

  for (guint i = 0; i < self->recent_toasts->len; i++)
    if (g_str_has_prefix (self->recent_toasts->pdata[i], prefix))
      n++;
  return n;
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
