/* nc-recording-player.c — a call's recording, played inside the console
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A bar under the calls: what is played, Play/Pause and the position, and the link to open
 * elsewhere or copy. The controls are the player's own rather than GtkMediaControls, whose
 * buttons in GTK 4.8 carry neither a tooltip nor a name a screen reader could say. GTK plays the link itself (its media backend, GStreamer on Debian,
 * streams the PBX's MP3 over HTTPS); the player never downloads the file whole.
 *
 * The link comes from the call, as the store keeps it; one that has expired is asked of the
 * PBX again first, within the shared request budget (nc_call_service_fetch_recording_async()).
 * When a recording cannot be played (no media backend, a dead link, a format the backend
 * lacks) the bar says why in words and keeps Open and Copy Link, which work without it.
 *
 * One bar stands in the window and one in each client card, rather than a player in each
 * row: the journal's rows are recycled as it scrolls, and a recording should go on playing
 * while the operator scrolls on. Playing pauses when the bar is no longer shown.
 */

#define G_LOG_DOMAIN "nc-recording-player"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-call-service.h"
#include "nc-phone.h"
#include "nc-recording-player.h"
#include "nc-zadarma-client.h"

struct _NcRecordingPlayer
{
  GtkWidget        parent_instance;

  GtkLabel        *title_label;
  GtkButton       *open_button;
  GtkButton       *copy_button;
  GtkButton       *play_button;
  GtkScale        *position_scale;
  GtkAdjustment   *position;      /* in seconds */
  GtkLabel        *time_label;
  GtkLabel        *status_label;
  gboolean         showing_time;  /* the position moves because the stream did, not a user */

  GtkMediaStream  *stream;
  char            *uri;
  char            *problem;       /* why nothing plays, in words; NULL while all is well */
  GCancellable    *fetching;      /* the link asked of the PBX, if it is being asked */
};

G_DEFINE_FINAL_TYPE (NcRecordingPlayer, nc_recording_player, GTK_TYPE_WIDGET)

/* The status line: a problem in the error colour, anything else (asking for the link) dim. */
static void
show_status (NcRecordingPlayer *self,
             const char        *text,
             gboolean           is_problem)
{
  GtkWidget *label = GTK_WIDGET (self->status_label);

  g_free (self->problem);
  self->problem = is_problem ? g_strdup (text) : NULL;
  gtk_label_set_label (self->status_label, text != NULL ? text : "");
  gtk_widget_set_visible (label, text != NULL);
  if (is_problem)
    {
      gtk_widget_add_css_class (label, "error");
      gtk_widget_remove_css_class (label, "dim-label");
    }
  else
    {
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_remove_css_class (label, "error");
    }
}

/* Open and Copy Link go with the link, and only when there is one. */
static void
set_uri (NcRecordingPlayer *self,
         const char        *uri)
{
  g_free (self->uri);
  self->uri = g_strdup (uri);
  gtk_widget_set_visible (GTK_WIDGET (self->open_button), uri != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->copy_button), uri != NULL);
  /* The actions go with their targets, or a button without one would warn. */
  if (uri != NULL)
    {
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->open_button), "s", uri);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->open_button), "win.open-uri");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->copy_button), "s", uri);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->copy_button), "win.copy-text");
    }
  else
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->open_button), NULL);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->copy_button), NULL);
    }
}

static char *
format_time (gint64 usec)
{
  gint64 seconds = MAX (usec, 0) / G_USEC_PER_SEC;

  return g_strdup_printf ("%d:%02d", (int) (seconds / 60), (int) (seconds % 60));
}

/* The controls say what the stream does: whether it plays, where it is, how long it is. */
static void
update_controls (NcRecordingPlayer *self)
{
  GtkMediaStream *stream = self->stream;
  gboolean ready = stream != NULL && gtk_media_stream_is_prepared (stream) &&
                   gtk_media_stream_get_error (stream) == NULL;
  gboolean playing = ready && gtk_media_stream_get_playing (stream);
  gint64 duration = ready ? gtk_media_stream_get_duration (stream) : 0;
  gint64 timestamp = ready ? gtk_media_stream_get_timestamp (stream) : 0;
  g_autofree char *at = format_time (timestamp);
  g_autofree char *length = format_time (duration);
  g_autofree char *time = duration > 0 ? g_strdup_printf ("%s / %s", at, length)
                                       : g_strdup (at);

  gtk_widget_set_sensitive (GTK_WIDGET (self->play_button), ready);
  gtk_button_set_icon_name (self->play_button, playing ? "media-playback-pause-symbolic"
                                                       : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button), playing ? _("Pause") : _("Play"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->play_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  playing ? _("Pause the recording") : _("Play the recording"),
                                  -1);
  gtk_widget_set_sensitive (GTK_WIDGET (self->position_scale),
                            ready && gtk_media_stream_is_seekable (stream) && duration > 0);
  self->showing_time = TRUE;
  gtk_adjustment_set_upper (self->position, MAX ((double) duration / G_USEC_PER_SEC, 1.0));
  gtk_adjustment_set_value (self->position, (double) timestamp / G_USEC_PER_SEC);
  self->showing_time = FALSE;
  gtk_label_set_label (self->time_label, time);
}

/* Moved by the operator (a drag, the arrow keys): the recording goes there. */
static void
position_changed (NcRecordingPlayer *self)
{
  if (self->showing_time || self->stream == NULL ||
      !gtk_media_stream_is_seekable (self->stream))
    return;
  gtk_media_stream_seek (self->stream,
                         (gint64) (gtk_adjustment_get_value (self->position) * G_USEC_PER_SEC));
}

static void
play_pause_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  NcRecordingPlayer *self = NC_RECORDING_PLAYER (widget);

  if (self->stream == NULL || !gtk_media_stream_is_prepared (self->stream))
    return;
  if (gtk_media_stream_get_playing (self->stream))
    gtk_media_stream_pause (self->stream);
  else
    {
      /* Played to the end, Play starts it again. */
      if (gtk_media_stream_get_ended (self->stream) && gtk_media_stream_is_seekable (self->stream))
        gtk_media_stream_seek (self->stream, 0);
      gtk_media_stream_play (self->stream);
    }
}

static void
stream_error_changed (NcRecordingPlayer *self)
{
  const GError *error = gtk_media_stream_get_error (self->stream);
  g_autofree char *text = NULL;

  if (error == NULL)
    return;
  text = g_strdup_printf (_("The recording cannot be played here: %s. Open it in another app "
                            "or copy its link."), error->message);
  show_status (self, text, TRUE);
}

static void
stream_prepared_changed (NcRecordingPlayer *self)
{
  if (gtk_media_stream_is_prepared (self->stream) && self->problem == NULL)
    show_status (self, NULL, FALSE);
}

static void
clear_stream (NcRecordingPlayer *self)
{
  if (self->stream != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->stream, self);
      gtk_media_stream_pause (self->stream);
      g_clear_object (&self->stream);
    }
  update_controls (self);
}

static void
stop_fetching (NcRecordingPlayer *self)
{
  if (self->fetching != NULL)
    {
      g_cancellable_cancel (self->fetching);
      g_clear_object (&self->fetching);
    }
}

static void
start (NcRecordingPlayer *self,
       const char        *uri)
{
  g_autoptr(GFile) file = g_file_new_for_uri (uri);

  set_uri (self, uri);
  show_status (self, _("Loading the recording…"), FALSE);
  self->stream = gtk_media_file_new_for_file (file);
  g_signal_connect_swapped (self->stream, "notify::error",
                            G_CALLBACK (stream_error_changed), self);
  g_signal_connect_swapped (self->stream, "notify::prepared",
                            G_CALLBACK (stream_prepared_changed), self);
  g_signal_connect_swapped (self->stream, "notify", G_CALLBACK (update_controls), self);
  /* A backend that is missing says so at once, before anything could play. */
  stream_error_changed (self);
  if (self->problem == NULL)
    gtk_media_stream_play (self->stream);
}

/**
 * nc_recording_player_play_uri:
 * @title: what is played, as the bar names it
 * @uri: the recording's link
 *
 * Shows the bar and plays @uri, in place of whatever played before.
 */
void
nc_recording_player_play_uri (NcRecordingPlayer *self,
                              const char        *title,
                              const char        *uri)
{
  g_return_if_fail (NC_IS_RECORDING_PLAYER (self));
  g_return_if_fail (uri != NULL);

  stop_fetching (self);
  clear_stream (self);
  gtk_label_set_label (self->title_label, title);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), title);
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  start (self, uri);
}

typedef struct
{
  NcRecordingPlayer *self;
  GCancellable      *cancellable;
} Fetch;

static void
link_fetched (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fetch *fetch = user_data;
  NcRecordingPlayer *self = fetch->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *link = nc_call_service_fetch_recording_finish (NC_CALL_SERVICE (source),
                                                                  result, &error);

  /* Another recording asked for since, or the bar closed: this answer is nobody's now. */
  if (g_cancellable_is_cancelled (fetch->cancellable))
    goto out;
  g_clear_object (&self->fetching);
  if (link != NULL)
    start (self, link);
  else if (error->domain == NC_ZADARMA_ERROR)
    {
      g_autofree char *reason = nc_zadarma_error_to_user_message (error);
      g_autofree char *text = g_strdup_printf (_("Could not get the recording: %s"), reason);

      show_status (self, text, TRUE);
    }
  else
    show_status (self, error->message, TRUE);

out:
  g_object_unref (fetch->cancellable);
  g_object_unref (fetch->self);
  g_free (fetch);
}

static char *
call_title (NcCall *call)
{
  const char *name = nc_call_get_client_name (call);
  g_autofree char *number = nc_phone_format (nc_call_get_client_number (call));
  g_autoptr(GDateTime) started = g_date_time_new_from_unix_local (nc_call_get_started_unix (call));
  g_autofree char *when = started != NULL ? g_date_time_format (started, "%d.%m %H:%M") : NULL;
  const char *who = name != NULL ? name : *number != '\0' ? number : _("Unknown number");

  /* TRANSLATORS: the recording played: the client (or the number), then the call's date
   * and time */
  return when != NULL ? g_strdup_printf (_("%s, %s"), who, when) : g_strdup (who);
}

/**
 * nc_recording_player_play_call:
 * @session: (nullable): what asks the PBX for a link that expired; without one, only a
 *   fresh link plays
 * @call: a call that was recorded
 *
 * Shows the bar and plays the recording of @call, asking the PBX for its link first when
 * the one kept has expired or was never had.
 */
void
nc_recording_player_play_call (NcRecordingPlayer *self,
                               NcSession         *session,
                               NcCall            *call)
{
  NcCallService *service = session != NULL ? nc_session_get_call_service (session) : NULL;
  g_autofree char *title = NULL;
  Fetch *fetch;

  g_return_if_fail (NC_IS_RECORDING_PLAYER (self));
  g_return_if_fail (NC_IS_CALL (call));

  title = call_title (call);
  if (nc_call_record_link_is_fresh (call, NULL))
    {
      nc_recording_player_play_uri (self, title, nc_call_get_record_link (call));
      return;
    }

  stop_fetching (self);
  clear_stream (self);
  gtk_label_set_label (self->title_label, title);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), title);
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  /* The old link still goes to Copy Link: it may open in a browser that has it cached. */
  set_uri (self, nc_call_get_record_link (call));
  if (service == NULL)
    {
      show_status (self, _("The recording’s link has expired"), TRUE);
      return;
    }
  show_status (self, _("Asking the PBX for the recording…"), FALSE);
  self->fetching = g_cancellable_new ();
  fetch = g_new0 (Fetch, 1);
  fetch->self = g_object_ref (self);
  fetch->cancellable = g_object_ref (self->fetching);
  nc_call_service_fetch_recording_async (service, call, self->fetching, link_fetched, fetch);
}

/**
 * nc_recording_player_close:
 *
 * Stops what plays and hides the bar.
 */
void
nc_recording_player_close (NcRecordingPlayer *self)
{
  g_return_if_fail (NC_IS_RECORDING_PLAYER (self));

  stop_fetching (self);
  clear_stream (self);
  set_uri (self, NULL);
  show_status (self, NULL, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

/**
 * nc_recording_player_get_uri:
 *
 * Returns: (nullable): the link of the recording shown
 */
const char *
nc_recording_player_get_uri (NcRecordingPlayer *self)
{
  g_return_val_if_fail (NC_IS_RECORDING_PLAYER (self), NULL);
  return self->uri;
}

/**
 * nc_recording_player_get_problem:
 *
 * Returns: (nullable): why the recording does not play, as the bar says it
 */
const char *
nc_recording_player_get_problem (NcRecordingPlayer *self)
{
  g_return_val_if_fail (NC_IS_RECORDING_PLAYER (self), NULL);
  return self->problem;
}

/**
 * nc_recording_player_get_stream:
 *
 * Returns: (transfer none) (nullable): what plays
 */
GtkMediaStream *
nc_recording_player_get_stream (NcRecordingPlayer *self)
{
  g_return_val_if_fail (NC_IS_RECORDING_PLAYER (self), NULL);
  return self->stream;
}

static void
close_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  nc_recording_player_close (NC_RECORDING_PLAYER (widget));
}

/* Out of sight, out of earshot: a pane closed or a card hidden pauses the recording. */
static void
nc_recording_player_unmap (GtkWidget *widget)
{
  NcRecordingPlayer *self = NC_RECORDING_PLAYER (widget);

  if (self->stream != NULL)
    gtk_media_stream_pause (self->stream);
  GTK_WIDGET_CLASS (nc_recording_player_parent_class)->unmap (widget);
}

static void
nc_recording_player_dispose (GObject *object)
{
  NcRecordingPlayer *self = NC_RECORDING_PLAYER (object);
  GtkWidget *child;

  stop_fetching (self);
  clear_stream (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), NC_TYPE_RECORDING_PLAYER);
  /* dispose_template() unparents only the children it bound. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->uri, g_free);
  g_clear_pointer (&self->problem, g_free);

  G_OBJECT_CLASS (nc_recording_player_parent_class)->dispose (object);
}

static void
nc_recording_player_class_init (NcRecordingPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_recording_player_dispose;
  widget_class->unmap = nc_recording_player_unmap;

  gtk_widget_class_install_action (widget_class, "player.close", NULL, close_activated);
  gtk_widget_class_install_action (widget_class, "player.play-pause", NULL, play_pause_activated);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-recording-player.ui");
  gtk_widget_class_bind_template_child (widget_class, NcRecordingPlayer, title_label);
  gtk_widget_class_bind_template_child (widget_class, NcRecordingPlayer, open_button);
  gtk_widget_class_bind_template_child (widget_class, NcRecordingPlayer, copy_button);
  gtk_widget_class_bind_template_child (widget_class, NcRecordingPlayer, play_button);
  gtk_widget_class_bind_template_child (widget_class, NcRecordingPlayer, position_scale);
  gtk_widget_class_bind_template_child (widget_class, NcRecordingPlayer, position);
  gtk_widget_class_bind_template_child (widget_class, NcRecordingPlayer, time_label);
  gtk_widget_class_bind_template_callback (widget_class, position_changed);
  gtk_widget_class_bind_template_child (widget_class, NcRecordingPlayer, status_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "recordingplayer");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
nc_recording_player_init (NcRecordingPlayer *self)
{
  GtkLayoutManager *layout;

  gtk_widget_init_template (GTK_WIDGET (self));
  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 2);
  set_uri (self, NULL);
  update_controls (self);
}

/**
 * nc_recording_player_new:
 *
 * Returns: (transfer full): a player, hidden until something plays
 */
GtkWidget *
nc_recording_player_new (void)
{
  return g_object_new (NC_TYPE_RECORDING_PLAYER, NULL);
}
