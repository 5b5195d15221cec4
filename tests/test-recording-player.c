/* test-recording-player.c — a recording played inside the console, through GTK's media
 * backend, from a link served over HTTP as the PBX serves its MP3s
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run twice: as is (GStreamer plays the recording), and with GTK_MEDIA=none, where GTK has
 * no media backend and the player must say so and keep the link.
 */

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "nc-client-card.h"
#include "nc-pbx-simulator.h"
#include "nc-recording-player.h"
#include "nc-ui-util.h"
#include "nc-test-util.h"
#include "nc-ui-test-util.h"

typedef struct
{
  char          *dir;
  NcSession     *session;
  NcStore       *store;
  NcCallTracker *tracker;
  SoupServer    *server;
  char          *base;          /* http://127.0.0.1:PORT */
  guint          requests;      /* GETs of the recording */
  GtkWindow     *window;
  NcRecordingPlayer *player;
  NcCall        *held;          /* a call of the journal, as a page holds it */
} Fixture;

static gboolean
without_media (void)
{
  return g_strcmp0 (g_getenv ("GTK_MEDIA"), "none") == 0;
}

static void
serve (SoupServer        *server,
       SoupServerMessage *msg,
       const char        *path,
       GHashTable        *query,
       gpointer           user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GBytes) wav = NULL;

  if (g_strcmp0 (path, "/rec/1.2.wav") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  fixture->requests++;
  wav = nc_pbx_simulator_make_recording (1);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg),
                                         "audio/x-wav", NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), wav);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);

  fixture->dir = nc_test_make_temp_dir ();
  fixture->session = nc_session_new (fixture->dir, NULL, NC_SESSION_CALLS);
  g_assert_true (nc_session_start_sync (fixture->session, &error));
  g_assert_no_error (error);
  fixture->store = nc_session_get_store (fixture->session);
  fixture->tracker = g_object_ref (nc_session_get_tracker (fixture->session));

  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, serve, fixture, NULL);
  g_assert_true (soup_server_listen (fixture->server, address, 0, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  fixture->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));

  fixture->player = NC_RECORDING_PLAYER (nc_recording_player_new ());
  fixture->window = nc_ui_test_present (GTK_WIDGET (fixture->player), 360, 160);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  nc_ui_test_spin (20);
  g_clear_object (&fixture->held);
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  nc_session_close (fixture->session);
  g_clear_object (&fixture->tracker);
  g_assert_finalize_object (fixture->session);
  nc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->base);
}

static gboolean
prepared_or_failed (gpointer data)
{
  Fixture *fixture = data;
  GtkMediaStream *stream = nc_recording_player_get_stream (fixture->player);

  return nc_recording_player_get_problem (fixture->player) != NULL ||
         (stream != NULL && gtk_media_stream_is_prepared (stream));
}

static gboolean
has_problem (gpointer data)
{
  Fixture *fixture = data;

  return nc_recording_player_get_problem (fixture->player) != NULL;
}

static gboolean
ended (gpointer data)
{
  Fixture *fixture = data;
  GtkMediaStream *stream = nc_recording_player_get_stream (fixture->player);

  return nc_recording_player_get_problem (fixture->player) != NULL ||
         gtk_media_stream_get_ended (stream);
}

/* What the bar shows: its status line (the problem, if any), and Open and Copy Link aimed
 * at @uri. */
static void
assert_link_offered (GtkWidget  *bar,
                     const char *uri)
{
  const char *actions[] = { "win.open-uri", "win.copy-text" };

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      GtkWidget *button = nc_ui_test_find_widget (bar, GTK_TYPE_BUTTON, "action-name",
                                                  actions[i]);
      GVariant *target;

      g_assert_nonnull (button);
      g_assert_true (gtk_widget_get_visible (button));
      target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (button));
      g_assert_nonnull (target);
      g_assert_cmpstr (g_variant_get_string (target, NULL), ==, uri);
    }
}

static GtkLabel *
status_label (GtkWidget *bar)
{
  g_autoptr(GPtrArray) labels = nc_ui_test_find_all (bar, GTK_TYPE_LABEL);

  /* The last label of the bar is its status line. */
  g_assert_cmpuint (labels->len, >, 1);
  return labels->pdata[labels->len - 1];
}

/* A recording over HTTP plays to its end; the bar names it and offers its link. */
static void
test_plays (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *uri = g_strdup_printf ("%s/rec/1.2.wav", fixture->base);
  GtkWidget *bar = GTK_WIDGET (fixture->player);
  GtkMediaStream *stream;

  g_assert_false (gtk_widget_get_visible (bar));
  nc_recording_player_play_uri (fixture->player, "Иван Петров, 01.12 10:00", uri);
  g_assert_true (gtk_widget_get_visible (bar));
  g_assert_nonnull (nc_ui_test_find_widget (bar, GTK_TYPE_LABEL, "label",
                                            "Иван Петров, 01.12 10:00"));
  assert_link_offered (bar, uri);

  g_assert_true (nc_test_wait_until (prepared_or_failed, fixture, 30));
  g_assert_cmpstr (nc_recording_player_get_problem (fixture->player), ==, NULL);
  stream = nc_recording_player_get_stream (fixture->player);
  g_assert_true (gtk_media_stream_get_playing (stream));
  /* The file is one second long: GTK read it, it did not guess. */
  g_assert_cmpint (gtk_media_stream_get_duration (stream), >, G_USEC_PER_SEC * 9 / 10);
  g_assert_cmpint (gtk_media_stream_get_duration (stream), <, G_USEC_PER_SEC * 11 / 10);
  g_assert_cmpuint (fixture->requests, >=, 1);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (status_label (bar))));
  nc_ui_test_assert_icon_buttons_explained (bar);
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);
  g_free (nc_ui_test_save_screenshot (GTK_WIDGET (fixture->window), "recording-player"));

  g_assert_true (nc_test_wait_until (ended, fixture, 30));
  g_assert_cmpstr (nc_recording_player_get_problem (fixture->player), ==, NULL);
  g_assert_cmpint (gtk_media_stream_get_timestamp (stream), >=, G_USEC_PER_SEC * 9 / 10);

  /* Closing stops it and hides the bar; nothing is left to play. */
  g_assert_true (gtk_widget_activate_action (bar, "player.close", NULL));
  g_assert_false (gtk_widget_get_visible (bar));
  g_assert_null (nc_recording_player_get_stream (fixture->player));
}

/* A link the server does not know: the bar says it cannot play, in words, and keeps Open
 * and Copy Link for the link. */
static void
test_dead_link (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *uri = g_strdup_printf ("%s/rec/gone.mp3", fixture->base);
  GtkWidget *bar = GTK_WIDGET (fixture->player);
  GtkLabel *status;

  nc_recording_player_play_uri (fixture->player, "Иван Петров", uri);
  g_assert_true (nc_test_wait_until (has_problem, fixture, 30));
  g_assert_true (g_str_has_prefix (nc_recording_player_get_problem (fixture->player),
                                   "The recording cannot be played here: "));
  status = status_label (bar);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (status)));
  g_assert_cmpstr (gtk_label_get_label (status), ==,
                   nc_recording_player_get_problem (fixture->player));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (status), "error"));
  assert_link_offered (bar, uri);
  if (without_media ())
    {
      /* GTK's own words for the missing backend, after the player's. */
      g_assert_nonnull (strstr (nc_recording_player_get_problem (fixture->player),
                                "media module"));
      g_assert_cmpuint (fixture->requests, ==, 0);
      nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);
      g_free (nc_ui_test_save_screenshot (GTK_WIDGET (fixture->window),
                                          "recording-player-no-media"));
    }
}

static NcCall *
recorded_call (Fixture    *fixture,
               const char *link,
               const char *expires)
{
  g_autoptr(GHashTable) start = nc_test_fields ("pbx_call_id", "in_1",
                                                "call_start", "2026-12-01 10:00:00",
                                                "caller_id", "79004443322",
                                                "called_did", "74951234567", NULL);
  g_autoptr(GHashTable) end = nc_test_fields ("pbx_call_id", "in_1",
                                              "call_start", "2026-12-01 10:00:00",
                                              "caller_id", "79004443322",
                                              "called_did", "74951234567",
                                              "internal", "100", "duration", "65",
                                              "disposition", "answered", "status_code", "16",
                                              "is_recorded", "1",
                                              "call_id_with_rec", "1700000000.42", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCallRecord) record = NULL;
  NcCall *call;

  nc_test_ingest (fixture->store, fixture->tracker, "NOTIFY_START", start, g_get_real_time ());
  nc_test_ingest (fixture->store, fixture->tracker, "NOTIFY_END", end, g_get_real_time ());
  /* Ended, the call is the journal's: held as a page of it would hold it. */
  record = nc_store_get_call_sync (fixture->store, "in_1", &error);
  g_assert_no_error (error);
  call = nc_call_tracker_take_record (fixture->tracker, record);
  fixture->held = call;
  if (link != NULL)
    {
      g_assert_true (nc_store_recording_fetched_sync (fixture->store, nc_call_get_id (call),
                                                      link, expires, &error));
      g_assert_no_error (error);
      g_assert_true (nc_call_tracker_update_sync (fixture->tracker, &error));
      g_assert_no_error (error);
    }
  return call;
}

/* A call's fresh link plays as the store keeps it; an expired one, with no account to ask
 * the PBX again, says so and still offers the old link. */
static void
test_call_link (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *uri = g_strdup_printf ("%s/rec/1.2.wav", fixture->base);
  NcCall *call;

  call = recorded_call (fixture, uri, "2099-01-01 00:00:00");
  g_assert_cmpstr (nc_call_get_record_link (call), ==, uri);
  nc_recording_player_play_call (fixture->player, fixture->session, call);
  g_assert_cmpstr (nc_recording_player_get_uri (fixture->player), ==, uri);
  /* The title says whose call, by the number nobody named, and when, as the journal
   * says it. */
  {
    g_autofree char *when = nc_call_start_text (call);
    g_autofree char *title = g_strconcat ("+7 900 444-33-22, ", when, NULL);

    g_assert_cmpstr (when, !=, "");
    g_assert_nonnull (nc_ui_test_find_widget (GTK_WIDGET (fixture->player), GTK_TYPE_LABEL,
                                              "label", title));
  }
  g_assert_true (nc_test_wait_until (prepared_or_failed, fixture, 30));
  g_assert_cmpstr (nc_recording_player_get_problem (fixture->player), ==, NULL);
  g_assert_cmpuint (fixture->requests, >=, 1);

  /* Expired: asked of the PBX again, which this session has no account for. The bar says
   * so, plays nothing, and still offers the old link. */
  g_assert_true (nc_store_recording_fetched_sync (fixture->store, nc_call_get_id (call), uri,
                                                  "2020-01-01 00:00:00", NULL));
  g_assert_true (nc_call_tracker_update_sync (fixture->tracker, NULL));
  g_assert_false (nc_call_record_link_is_fresh (call, NULL));
  nc_recording_player_play_call (fixture->player, fixture->session, call);
  g_assert_null (nc_recording_player_get_problem (fixture->player));
  g_assert_cmpstr (gtk_label_get_label (status_label (GTK_WIDGET (fixture->player))), ==,
                   "Asking the PBX for the recording…");
  g_assert_null (nc_recording_player_get_stream (fixture->player));
  g_assert_true (nc_test_wait_until (has_problem, fixture, 30));
  g_test_message ("%s", nc_recording_player_get_problem (fixture->player));
  g_assert_null (nc_recording_player_get_stream (fixture->player));
  assert_link_offered (GTK_WIDGET (fixture->player), uri);
}

static gboolean
card_player_prepared (gpointer data)
{
  Fixture *fixture = data;

  return prepared_or_failed (fixture);
}

/* The client card plays the recording of the last call in its own bar, from the Play
 * button of its variable. */
static void
test_card_plays (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *uri = g_strdup_printf ("%s/rec/1.2.wav", fixture->base);
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(NcClient) client = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *variables;
  NcClient *draft;
  NcClientCard *card;
  GtkWidget *play;

  variables = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free);
  draft = nc_client_new (0, "Иван Петров", NC_CHANNEL_TELEPHONY, "79004443322", 0);
  g_ptr_array_add (variables, nc_variable_new (NC_RECORD_LINK_VARIABLE, uri));
  nc_client_take_variables (draft, variables);
  g_ptr_array_add (drafts, draft);
  g_assert_true (nc_store_add_clients_sync (fixture->store, drafts, &ids, &error));
  g_assert_no_error (error);
  client = nc_store_get_client_sync (fixture->store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);

  card = nc_client_card_new (fixture->window, client, fixture->session);
  gtk_window_present (GTK_WINDOW (card));
  nc_ui_test_wait_for_frames (GTK_WIDGET (card), 2);
  /* The window's own player stands aside: the card plays in its bar. */
  gtk_widget_set_visible (GTK_WIDGET (fixture->player), FALSE);
  fixture->player = NC_RECORDING_PLAYER (nc_ui_test_find_widget (GTK_WIDGET (card),
                                                                 NC_TYPE_RECORDING_PLAYER,
                                                                 NULL, NULL));
  g_assert_nonnull (fixture->player);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fixture->player)));
  play = nc_ui_test_find_widget (GTK_WIDGET (card), GTK_TYPE_BUTTON, "action-name",
                                 "card.play-link");
  g_assert_nonnull (play);
  g_signal_emit_by_name (play, "clicked");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->player)));
  g_assert_cmpstr (nc_recording_player_get_uri (fixture->player), ==, uri);
  g_assert_true (nc_test_wait_until (card_player_prepared, fixture, 30));
  g_assert_cmpstr (nc_recording_player_get_problem (fixture->player), ==, NULL);
  g_assert_true (gtk_media_stream_get_playing (nc_recording_player_get_stream (fixture->player)));
  nc_ui_test_wait_for_frames (GTK_WIDGET (card), 3);
  g_free (nc_ui_test_save_screenshot (GTK_WIDGET (card), "recording-player-card"));

  /* Closing the card pauses and drops what played. */
  gtk_window_destroy (GTK_WINDOW (card));
  fixture->player = NULL;
  nc_ui_test_spin (20);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func) \
  g_test_add ("/recording-player/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("dead-link", test_dead_link);
  /* Without a media backend nothing plays: only what the bar says then is tested. */
  if (!without_media ())
    {
      ADD ("plays", test_plays);
      ADD ("call-link", test_call_link);
      ADD ("card-plays", test_card_plays);
    }
#undef ADD

  return g_test_run ();
}
