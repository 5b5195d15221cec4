/* nc-client-card.c — one client: details, variables, calls, and why the calls are theirs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The card is a window of its own beside the console: what it asks of the console
 * (calling, opening or copying a link, editing) goes to the window that opened it, which
 * says how it went.
 */

#define G_LOG_DOMAIN "nc-client-card"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-call-note-dialog.h"
#include "nc-call-row.h"
#include "nc-client-card.h"
#include "nc-journal.h"
#include "nc-phone.h"
#include "nc-recording-player.h"

struct _NcClientCard
{
  AdwWindow            parent_instance;

  gint64               client_id;
  char                *phone;
  NcDialer            *dialer;
  NcSession           *session;
  NcJournal           *journal;     /* the client's calls, newest first */

  AdwWindowTitle      *title;
  GtkButton           *call_button;
  AdwPreferencesGroup *details;
  AdwPreferencesGroup *variables;
  AdwPreferencesGroup *calls;
  NcRecordingPlayer   *recording_player;
  GPtrArray           *variable_rows;
  GCancellable        *cancellable;
};

G_DEFINE_FINAL_TYPE (NcClientCard, nc_client_card, ADW_TYPE_WINDOW)

/* The calls a card shows: the last ones. */
#define CARD_CALLS 20

/* A label above, its value below, as the value is what people read and copy. */
static GtkWidget *
row (const char *title,
     const char *value)
{
  GtkWidget *widget = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (widget), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (widget), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (widget), value != NULL ? value : "");
  gtk_widget_add_css_class (widget, "property");
  return widget;
}

/* What the card's buttons ask goes to the console window behind it. */
static void
forward_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (widget));

  if (parent != NULL)
    gtk_widget_activate_action_variant (GTK_WIDGET (parent), action_name, parameter);
}

static void
call_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  NcClientCard *self = NC_CLIENT_CARD (widget);
  g_autoptr(GVariant) number = NULL;

  if (self->phone == NULL)
    return;
  number = g_variant_ref_sink (g_variant_new_string (self->phone));
  forward_activated (widget, "win.call-client", number);
}

/* The window that opened the card edits the client; the card, now out of date, goes. */
static void
edit_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  NcClientCard *self = NC_CLIENT_CARD (widget);
  g_autoptr(GVariant) id = g_variant_ref_sink (g_variant_new_int64 (self->client_id));

  forward_activated (widget, "win.edit-client", id);
  gtk_window_close (GTK_WINDOW (self));
}

static void
update_call (NcClientCard *self)
{
  const char *problem = nc_dialer_get_problem (self->dialer);

  gtk_widget_set_visible (GTK_WIDGET (self->call_button),
                          self->phone != NULL && nc_dialer_get_show_phones (self->dialer));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "card.call", nc_dialer_get_can_call (self->dialer));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->call_button),
                               problem != NULL ? problem : _("Call the Client"));
}

/* A recording plays in the card's own bar, not in the window behind it. */
static void
open_recording_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  NcClientCard *self = NC_CLIENT_CARD (widget);
  NcCall *call = nc_call_tracker_lookup (nc_session_get_tracker (self->session),
                                         g_variant_get_string (parameter, NULL));

  if (call != NULL)
    nc_recording_player_play_call (self->recording_player, self->session, call);
}

/* The link the client's variable keeps, as it is: the variable has no call to ask again
 * with, and the player says so if the link no longer plays. */
static void
play_link_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  NcClientCard *self = NC_CLIENT_CARD (widget);

  nc_recording_player_play_uri (self->recording_player, _("Recording of the Last Call"),
                                g_variant_get_string (parameter, NULL));
}

static GtkWidget *variable_row (NcVariable *variable);

static void
show_variables (NcClientCard *self,
                NcClient     *client)
{
  GPtrArray *variables = nc_client_get_variables (client);

  for (guint i = 0; i < self->variable_rows->len; i++)
    adw_preferences_group_remove (self->variables, self->variable_rows->pdata[i]);
  g_ptr_array_set_size (self->variable_rows, 0);
  for (guint i = 0; variables != NULL && i < variables->len; i++)
    {
      GtkWidget *widget = variable_row (variables->pdata[i]);

      g_ptr_array_add (self->variable_rows, widget);
      adw_preferences_group_add (self->variables, widget);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->variables), variables != NULL && variables->len > 0);
}

static void
client_read_again (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcClient) client = nc_store_get_client_finish (NC_STORE (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (client == NULL)
    {
      g_warning ("Could not read the client again: %s", error->message);
      return;
    }
  show_variables (NC_CLIENT_CARD (user_data), client);
}

/* A note on one of the client's calls wrote its variables: the card shows them. */
static void
call_noted (NcClientCard *self,
            gint64        client_id)
{
  if (client_id != self->client_id)
    return;
  nc_store_get_client_async (nc_session_get_store (self->session), self->client_id,
                             self->cancellable, client_read_again, self);
}

static void
note_call_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  NcClientCard *self = NC_CLIENT_CARD (widget);
  NcCallNoteDialog *dialog = nc_call_note_dialog_open (GTK_WINDOW (self), self->session,
                                                       g_variant_get_string (parameter, NULL));

  if (dialog != NULL)
    g_signal_connect_object (dialog, "noted", G_CALLBACK (call_noted), self, G_CONNECT_SWAPPED);
}

static void
nc_client_card_dispose (GObject *object)
{
  NcClientCard *self = NC_CLIENT_CARD (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->variable_rows, g_ptr_array_unref);
  g_clear_object (&self->dialer);
  g_clear_object (&self->journal);
  g_clear_object (&self->session);
  g_clear_pointer (&self->phone, g_free);

  G_OBJECT_CLASS (nc_client_card_parent_class)->dispose (object);
}

static void
nc_client_card_class_init (NcClientCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_client_card_dispose;

  /* The buttons of the card and of its call rows. */
  gtk_widget_class_install_action (widget_class, "win.open-uri", "s", forward_activated);
  gtk_widget_class_install_action (widget_class, "win.copy-text", "s", forward_activated);
  gtk_widget_class_install_action (widget_class, "win.open-recording", "s",
                                   open_recording_activated);
  gtk_widget_class_install_action (widget_class, "card.play-link", "s", play_link_activated);
  gtk_widget_class_install_action (widget_class, "win.call-client", "s", forward_activated);
  gtk_widget_class_install_action (widget_class, "win.show-client-id", "x", forward_activated);
  gtk_widget_class_install_action (widget_class, "win.toast", "s", forward_activated);
  gtk_widget_class_install_action (widget_class, "win.note-call", "s", note_call_activated);
  gtk_widget_class_install_action (widget_class, "card.call", NULL, call_activated);
  gtk_widget_class_install_action (widget_class, "card.edit", NULL, edit_activated);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-client-card.ui");
  gtk_widget_class_bind_template_child (widget_class, NcClientCard, title);
  gtk_widget_class_bind_template_child (widget_class, NcClientCard, call_button);
  gtk_widget_class_bind_template_child (widget_class, NcClientCard, details);
  gtk_widget_class_bind_template_child (widget_class, NcClientCard, variables);
  gtk_widget_class_bind_template_child (widget_class, NcClientCard, calls);
  gtk_widget_class_bind_template_child (widget_class, NcClientCard, recording_player);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "card.call", NULL);
}

static void
nc_client_card_init (NcClientCard *self)
{
  g_type_ensure (NC_TYPE_RECORDING_PLAYER);
  gtk_widget_init_template (GTK_WIDGET (self));
  self->variable_rows = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
}

static GtkWidget *
variable_row (NcVariable *variable)
{
  GtkWidget *widget;
  GtkWidget *open;

  if (!g_str_equal (variable->name, NC_RECORD_LINK_VARIABLE))
    return row (variable->name, variable->value);

  /* The recording's link, by what it is; the variable's name for those who need it. */
  widget = row (_("Recording of the Last Call"), variable->value);
  gtk_widget_set_tooltip_text (widget, variable->name);
  open = gtk_button_new_from_icon_name ("media-playback-start-symbolic");
  gtk_widget_set_valign (open, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (open, _("Play the Recording"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (open), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Play the recording of the last call"), -1);
  gtk_widget_add_css_class (open, "flat");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (open), "s", variable->value);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (open), "card.play-link");
  adw_action_row_add_suffix (ADW_ACTION_ROW (widget), open);
  return widget;
}

static GtkWidget *
create_call_row (gpointer item,
                 gpointer user_data)
{
  NcClientCard *self = user_data;
  GtkWidget *call_row = nc_call_row_new (nc_session_get_employees (self->session));

  nc_call_row_set_call (NC_CALL_ROW (call_row), item);
  return call_row;
}

/* Why this client? The matcher's rule, said once; or that there is no call yet. */
static void
calls_changed (NcClientCard *self)
{
  GListModel *calls = G_LIST_MODEL (self->journal);
  g_autoptr(NcCall) last = g_list_model_get_item (calls, 0);

  if (last != NULL)
    adw_preferences_group_set_description (self->calls, nc_call_get_match_reason (last));
  else if (nc_journal_get_complete (self->journal))
    adw_preferences_group_set_description (self->calls, _("No calls with this client yet."));
  else
    adw_preferences_group_set_description (self->calls, NULL);
}

/**
 * nc_client_card_new:
 * @client: the client, its variables loaded
 * @session: where the client's calls are, and what calls them
 */
NcClientCard *
nc_client_card_new (GtkWindow *parent,
                    NcClient  *client,
                    NcSession *session)
{
  NcClientCard *self = g_object_new (NC_TYPE_CLIENT_CARD,
                                     "transient-for", parent,
                                     "modal", FALSE,
                                     NULL);
  g_autofree char *phone = nc_phone_format (nc_client_get_phone (client));
  g_autoptr(NcCallFilter) filter = nc_call_filter_new ();
  g_autoptr(GtkSliceListModel) recent = NULL;
  GtkWidget *list;

  self->client_id = nc_client_get_id (client);
  self->phone = g_strdup (nc_client_get_phone (client));
  self->dialer = g_object_ref (nc_session_get_dialer (session));
  g_signal_connect_object (self->dialer, "notify::can-call", G_CALLBACK (update_call), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->dialer, "notify::show-phones", G_CALLBACK (update_call), self,
                           G_CONNECT_SWAPPED);
  update_call (self);

  adw_window_title_set_title (self->title, nc_client_get_name (client));
  adw_window_title_set_subtitle (self->title, nc_channel_get_label (nc_client_get_channel (client)));
  adw_preferences_group_add (self->details, row (_("Name"), nc_client_get_name (client)));
  adw_preferences_group_add (self->details,
                             row (_("Channel"), nc_channel_get_label (nc_client_get_channel (client))));
  adw_preferences_group_add (self->details, row (_("Phone"), *phone != '\0' ? phone : _("None")));

  show_variables (self, client);

  /* The client's last calls, read from the store; the journal has the others. */
  self->session = g_object_ref (session);
  filter->client_id = nc_client_get_id (client);
  self->journal = nc_journal_new (nc_session_get_tracker (session));
  nc_journal_set_filter (self->journal, filter);
  recent = gtk_slice_list_model_new (g_object_ref (G_LIST_MODEL (self->journal)), 0,
                                     CARD_CALLS);
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Calls with this client"), -1);
  gtk_list_box_bind_model (GTK_LIST_BOX (list), G_LIST_MODEL (recent), create_call_row, self,
                           NULL);
  adw_preferences_group_add (self->calls, list);
  g_signal_connect_object (self->journal, "items-changed", G_CALLBACK (calls_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->journal, "notify::complete", G_CALLBACK (calls_changed), self,
                           G_CONNECT_SWAPPED);
  calls_changed (self);

  return self;
}
