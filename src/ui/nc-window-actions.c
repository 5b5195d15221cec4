/* nc-window-actions.c — what the console window does, and what it says
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window's actions (GtkWidgetClass actions, so that a test or a shortcut drives them
 * as a click does): the pages and the live events, links and recordings, calls through
 * the dialer (whose can-call greys every phone out by itself), and the clients' editor
 * and card. What comes of them is said in a toast; the window keeps its last toasts for
 * the tests.
 */

#define G_LOG_DOMAIN "nc-window"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-call-note-dialog.h"
#include "nc-client-card.h"
#include "nc-client-editor.h"
#include "nc-ui-util.h"
#include "nc-phone.h"
#include "nc-window-private.h"

void
nc_window_toast_with_button (NcWindow   *self,
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

void
nc_window_toast (NcWindow   *self,
                 const char *message)
{
  nc_window_toast_with_button (self, message, NULL, NULL, NULL);
}

gboolean
nc_window_store_or_say (NcWindow *self)
{
  if (nc_window_get_store (self) != NULL)
    return TRUE;
  nc_window_toast (self, _("The project’s data is not open yet; try again in a moment"));
  return FALSE;
}

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
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget),
                          g_variant_get_string (parameter, NULL));
  nc_window_toast (NC_WINDOW (widget), _("Copied"));
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
      nc_window_toast_with_button (opening->self,
                                   _("No app here can open the link: copy it and open it "
                                     "elsewhere"),
                                   _("Copy Link"), "win.copy-text",
                                   g_variant_new_string (opening->uri));
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

/* A recording plays in the bar under the calls; a link that expired is asked for again
 * there first. */
static void
open_recording_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  NcWindow *self = NC_WINDOW (widget);
  NcCall *call = nc_call_tracker_lookup (nc_session_get_tracker (self->session),
                                         g_variant_get_string (parameter, NULL));

  if (call == NULL)
    return;
  /* On a narrow window the pane may be folded away: the bar is in it. */
  adw_flap_set_reveal_flap (self->flap, TRUE);
  nc_recording_player_play_call (self->recording_player, self->session, call);
}

static void
toast_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  nc_window_toast (NC_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
call_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(NcWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = nc_dialer_call_finish (NC_DIALER (source), result, &error);

  if (message != NULL)
    nc_window_toast (self, message);
  else if (error->domain == NC_ZADARMA_ERROR && error->code != NC_ZADARMA_ERROR_INVALID)
    {
      g_autofree char *reason = nc_zadarma_error_to_user_message (error);
      g_autofree char *text = g_strdup_printf (_("No call was placed: %s"), reason);

      nc_window_toast (self, text);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    nc_window_toast (self, error->message);
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
      nc_window_toast (self, client == NULL ? _("Choose a client to call first")
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
  nc_window_toast (self, message);
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

      nc_window_toast (self, message);
      return;
    }
  nc_window_toast (self, done);
}

static void
editor_saved (NcClientEditor *editor,
              NcWindow       *self)
{
  NcClient *client = nc_client_editor_get_result (editor);
  NcStore *store = nc_window_get_store (self);

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
  NcStore *store = nc_window_get_store (self);

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

static void
add_client_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  NcWindow *self = NC_WINDOW (widget);

  if (nc_window_store_or_say (self))
    open_editor (self, NULL);
}

/* "Add Client" on an unknown caller's card: the editor, with their number filled in. */
static void
add_client_phone_activated (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  NcWindow *self = NC_WINDOW (widget);
  g_autofree char *phone = nc_phone_format (g_variant_get_string (parameter, NULL));
  NcClientEditor *editor;

  if (!nc_window_store_or_say (self) || self->disposed)
    return;
  editor = nc_client_editor_new (GTK_WINDOW (self), NULL);
  nc_client_editor_fill (editor, "", NC_CHANNEL_TELEPHONY, phone);
  g_signal_connect_object (editor, "save", G_CALLBACK (editor_saved), self, 0);
  g_signal_connect_object (editor, "delete", G_CALLBACK (editor_deleted), self, 0);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
add_employee_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  NcWindow *self = NC_WINDOW (widget);

  if (!nc_window_store_or_say (self))
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

/* Reads client @parameter, with its variables, off the main context, for @callback. */
static void
read_client (NcWindow            *self,
             GVariant            *parameter,
             GAsyncReadyCallback  callback)
{
  if (!nc_window_store_or_say (self))
    return;
  nc_store_get_client_async (nc_window_get_store (self), g_variant_get_int64 (parameter), NULL,
                             callback, g_object_ref (self));
}

/* Returns: (transfer full) (nullable): the client read_client() read, or %NULL when it
 *   could not be read, which a toast says */
static NcClient *
client_read (NcWindow     *self,
             GObject      *source,
             GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;
  NcClient *client = nc_store_get_client_finish (NC_STORE (source), result, &error);

  if (client == NULL)
    nc_window_toast (self, error->message);
  return client;
}

static void
client_to_edit_read (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(NcWindow) self = user_data;
  g_autoptr(NcClient) client = client_read (self, source, result);

  if (client != NULL)
    open_editor (self, client);
}

static void
edit_client_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  read_client (NC_WINDOW (widget), parameter, client_to_edit_read);
}

static void
client_to_show_read (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(NcWindow) self = user_data;
  g_autoptr(NcClient) client = client_read (self, source, result);

  if (client == NULL || self->disposed)
    return;
  gtk_window_present (GTK_WINDOW (nc_client_card_new (GTK_WINDOW (self), client, self->session)));
}

/* A row's "Outcome and Note". */
static void
note_call_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  NcWindow *self = NC_WINDOW (widget);

  if (self->session != NULL)
    nc_call_note_dialog_open (GTK_WINDOW (self), self->session,
                              g_variant_get_string (parameter, NULL));
}

static void
show_client_id_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  read_client (NC_WINDOW (widget), parameter, client_to_show_read);
}

static void
client_activated (NcClientsView *view,
                  NcClient      *client,
                  NcWindow      *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-client-id", "x",
                              nc_client_get_id (client));
}

/* What the actions follow: a client opened in the list, the dialer's word on calling. */
void
nc_window_follow_for_actions (NcWindow *self)
{
  NcDialer *dialer = nc_session_get_dialer (self->session);

  g_signal_connect_object (self->clients_view, "client-activated", G_CALLBACK (client_activated),
                           self, 0);
  g_signal_connect_object (dialer, "message", G_CALLBACK (dialer_message), self, 0);
  g_signal_connect_object (dialer, "notify::can-call", G_CALLBACK (can_call_changed), self,
                           G_CONNECT_SWAPPED);
  can_call_changed (self);
}

/* The window's actions and their keys, from nc_window_class_init(). */
void
nc_window_class_install_actions (GtkWidgetClass *widget_class)
{
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
  gtk_widget_class_install_action (widget_class, "win.note-call", "s", note_call_activated);
  gtk_widget_class_install_action (widget_class, "win.call-selected", NULL,
                                   call_selected_activated);
  gtk_widget_class_install_action (widget_class, "win.toast", "s", toast_activated);
  gtk_widget_class_install_action (widget_class, "win.add", NULL, add_activated);
  gtk_widget_class_install_action (widget_class, "win.add-client", NULL, add_client_activated);
  gtk_widget_class_install_action (widget_class, "win.add-client-phone", "s",
                                   add_client_phone_activated);
  gtk_widget_class_install_action (widget_class, "win.add-employee", NULL,
                                   add_employee_activated);
  gtk_widget_class_install_action (widget_class, "win.edit-client", "x", edit_client_activated);
  gtk_widget_class_install_action (widget_class, "win.show-client-id", "x",
                                   show_client_id_activated);

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

  nc_window_toast (self, message);
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
