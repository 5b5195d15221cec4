/* test-demo.c — the demo: a simulated office that lives, and calls that go through
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "nc-application.h"
#include "nc-call-row.h"
#include "nc-client-card.h"
#include "nc-clients-view.h"
#include "nc-fake-notifications.h"
#include "nc-live-view.h"
#include "nc-recording-player.h"
#include "nc-test-util.h"
#include "nc-ui-test-util.h"
#include "nc-window.h"

static NcApplication *app;
static int status = 1;
static const char *suffix = "";
static gboolean russian;
static gint64 started_at;

static gboolean
wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
wait_until (gboolean (*done) (void))
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint waker = g_timeout_add (50, wake, NULL);

  while (!done () && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (waker);
  g_assert_true (done ());
}

static GtkWidget *
window (void)
{
  return GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (app)));
}

static GListModel *
shown_clients (void)
{
  return nc_clients_view_get_shown (NC_CLIENTS_VIEW (nc_ui_test_find_widget (
                                      window (), NC_TYPE_CLIENTS_VIEW, NULL, NULL)));
}

/* The journal the window shows: pages of the store's calls, newest first. */
static GListModel *
journal (void)
{
  NcLiveView *view = NC_LIVE_VIEW (nc_ui_test_find_widget (window (), NC_TYPE_LIVE_VIEW, NULL,
                                                           NULL));

  return G_LIST_MODEL (nc_live_view_get_journal (view));
}

/* The list shows its first page; the store has a few hundred. */
static gboolean
clients_loaded (void)
{
  g_autoptr(GPtrArray) clients = NULL;

  if (g_list_model_get_n_items (shown_clients ()) < NC_CLIENT_LIST_FIRST_PAGE)
    return FALSE;
  clients = nc_store_list_clients_sync (nc_session_get_store (nc_application_get_session (app)),
                                        FALSE, NULL);
  return clients != NULL && clients->len >= 300;
}

static gboolean
a_call_ended (void)
{
  for (guint i = 0; i < g_list_model_get_n_items (journal ()); i++)
    {
      g_autoptr(NcCall) call = g_list_model_get_item (journal (), i);

      if (nc_call_get_state (call) == NC_CALL_STATE_ENDED)
        return TRUE;
    }
  return FALSE;
}

static gboolean
an_outgoing_call (void)
{
  for (guint i = 0; i < g_list_model_get_n_items (journal ()); i++)
    {
      g_autoptr(NcCall) call = g_list_model_get_item (journal (), i);

      if (nc_call_get_direction (call) == NC_CALL_DIRECTION_OUT && nc_call_get_request_id (call) != 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
demo_running (void)
{
  NcSession *session = nc_application_get_session (app);

  return session != NULL && nc_session_get_demo (session) &&
         nc_session_get_account_ready (session);
}

static NcCall *recorded;

static gboolean
a_recorded_call_with_client (void)
{
  for (guint i = 0; i < g_list_model_get_n_items (journal ()); i++)
    {
      g_autoptr(NcCall) call = g_list_model_get_item (journal (), i);

      if (nc_call_get_record_link (call) != NULL && nc_call_get_client_id (call) != 0)
        {
          g_set_object (&recorded, call);
          return TRUE;
        }
    }
  return FALSE;
}

static GtkWidget *card;

static gboolean
card_shown (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, NC_TYPE_CLIENT_CARD))
      card = l->data;
  return card != NULL;
}

static gboolean
card_has_link (void)
{
  /* Named for what it is, in the user's language; the variable's name for those who need
   * it. */
  GtkWidget *row = nc_ui_test_find_widget (card, ADW_TYPE_ACTION_ROW, "tooltip-text",
                                           "zadarma_record_link");

  return row != NULL &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                    russian ? "Запись последнего разговора" : "Recording of the Last Call") == 0;
}

/* The card reads the client's calls from the store, after it is shown: the call, and why
 * it is the client's. */
static gboolean
card_shows_call (void)
{
  return nc_ui_test_find_widget (card, NC_TYPE_CALL_ROW, NULL, NULL) != NULL &&
         nc_ui_test_find_widget (card, ADW_TYPE_PREFERENCES_GROUP, "description",
                                 nc_call_get_match_reason (recorded)) != NULL;
}

static NcRecordingPlayer *playing_in;

static gboolean
recording_prepared (void)
{
  GtkMediaStream *stream = nc_recording_player_get_stream (playing_in);

  return nc_recording_player_get_problem (playing_in) != NULL ||
         (stream != NULL && gtk_media_stream_is_prepared (stream));
}

/* The play button of a recorded call plays it in the bar under the calls, from the link
 * the simulated PBX gave; so does the card's, in the card's own bar. */
static void
assert_plays (GtkWidget  *where,
              const char *screenshot)
{
  playing_in = NC_RECORDING_PLAYER (nc_ui_test_find_widget (where, NC_TYPE_RECORDING_PLAYER,
                                                            NULL, NULL));
  g_assert_nonnull (playing_in);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (playing_in)));
  g_assert_true (g_str_has_prefix (nc_recording_player_get_uri (playing_in), "http://127.0.0.1:"));
  wait_until (recording_prepared);
  g_assert_cmpstr (nc_recording_player_get_problem (playing_in), ==, NULL);
  g_assert_true (gtk_media_stream_get_playing (nc_recording_player_get_stream (playing_in)));
  nc_ui_test_wait_for_frames (where, 3);
  nc_ui_test_assert_icon_buttons_explained (where);
  if (screenshot != NULL)
    {
      g_autofree char *name = g_strconcat (screenshot, suffix, NULL);
      g_autofree char *shot = nc_ui_test_save_screenshot (where, name);

      g_test_message ("screenshot: %s", shot);
    }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (playing_in), "player.close", NULL));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (playing_in)));
}

/* The card of a client who called: the recording link among the variables, the call, and
 * why the call is theirs. */
static void
test_client_card (void)
{
  g_autoptr(NcClient) client = NULL;
  NcClientsView *view = NC_CLIENTS_VIEW (nc_ui_test_find_widget (window (), NC_TYPE_CLIENTS_VIEW,
                                                                 NULL, NULL));
  g_autofree char *shot = NULL;

  wait_until (a_recorded_call_with_client);
  nc_ui_test_spin (500);
  g_assert_true (gtk_widget_activate_action (window (), "win.open-recording", "s",
                                             nc_call_get_pbx_call_id (recorded)));
  assert_plays (window (), "demo-recording");
  client = nc_client_new (nc_call_get_client_id (recorded), nc_call_get_client_name (recorded),
                          NC_CHANNEL_TELEPHONY, NULL, 0);
  g_signal_emit_by_name (view, "client-activated", client);
  wait_until (card_shown);
  wait_until (card_has_link);
  wait_until (card_shows_call);
  nc_ui_test_wait_for_frames (card, 3);
  shot = nc_ui_test_save_screenshot (card, "client-card");
  g_test_message ("screenshot: %s", shot);
  g_signal_emit_by_name (nc_ui_test_find_widget (card, GTK_TYPE_BUTTON, "action-name",
                                                 "card.play-link"), "clicked");
  assert_plays (card, NULL);
  gtk_window_destroy (GTK_WINDOW (card));
  g_clear_object (&recorded);
}

static void
test_demo (void)
{
  GtkRevealer *bar;
  g_autoptr(NcClient) first = NULL;
  g_autofree char *wide = NULL;
  g_autofree char *narrow = NULL;

  wait_until (demo_running);
  /* This run's own demo: its calls come now, not from an earlier run's store. */
  for (guint i = 0; i < g_list_model_get_n_items (journal ()); i++)
    {
      g_autoptr(NcCall) call = g_list_model_get_item (journal (), i);

      g_assert_cmpint (nc_call_get_first_seen_us (call), >=, started_at);
    }
  bar = GTK_REVEALER (gtk_widget_get_ancestor (
                        nc_ui_test_find_widget (window (), GTK_TYPE_LABEL, "label",
                                                russian ? "Демо-режим: клиенты и звонки вымышленные, "
                                                          "настоящие звонки не совершаются."
                                                        : "Demo mode: the calls and clients are "
                                                          "made up, and no real call is placed."),
                        GTK_TYPE_REVEALER));
  g_assert_nonnull (bar);
  g_assert_true (gtk_revealer_get_reveal_child (bar));

  /* A few hundred clients, and calls coming in on their own. */
  wait_until (clients_loaded);
  wait_until (a_call_ended);

  /* Click to call goes through the simulated PBX and comes back as events. */
  first = g_list_model_get_item (shown_clients (), 0);
  g_assert_true (gtk_widget_activate_action (window (), "win.call-client", "s",
                                             nc_client_get_phone (first)));
  wait_until (an_outgoing_call);

  nc_ui_test_wait_for_frames (window (), 3);
  nc_ui_test_assert_icon_buttons_explained (window ());
  {
    g_autofree char *name = g_strconcat ("demo", suffix, NULL);
    wide = nc_ui_test_save_screenshot (window (), name);
  }
  g_test_message ("screenshot: %s", wide);
  gtk_window_set_default_size (GTK_WINDOW (window ()), 420, 800);
  nc_ui_test_spin (500);
  nc_ui_test_wait_for_frames (window (), 3);
  {
    g_autofree char *name = g_strconcat ("demo-narrow", suffix, NULL);
    narrow = nc_ui_test_save_screenshot (window (), name);
  }
  g_test_message ("screenshot: %s", narrow);
}

static gboolean
run_tests (gpointer user_data)
{
  status = nc_test_run ();
  g_application_release (G_APPLICATION (app));
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
on_activate (GApplication *application)
{
  gtk_window_set_default_size (gtk_application_get_active_window (GTK_APPLICATION (application)),
                               1280, 800);
  g_application_hold (application);
  g_idle_add (run_tests, NULL);
}

int
main (int   argc,
      char *argv[])
{
  char *app_argv[] = { argv[0], (char *) "--demo", NULL };
  NcFakeNotifications *notifications;

  /* A fresh cache folder: the demo keeps its data there, and must start from nothing. */
  g_autofree char *cache = g_dir_make_tmp ("nc-demo-cache-XXXXXX", NULL);

  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  started_at = g_get_real_time ();
  /* Not gtk_test_init(): it forces the C locale, and this test also runs in Russian. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("NOVOFON_CONSOLE_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_test_init (&argc, &argv, NULL);
  russian = g_strcmp0 (g_getenv ("LANGUAGE"), "ru") == 0;
  suffix = russian ? "-ru" : "";
  /* Demo calls notify: something must take the notifications. */
  notifications = nc_fake_notifications_start ();

  g_test_add_func ("/demo/lives", test_demo);
  g_test_add_func ("/demo/client-card", test_client_card);

  app = nc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), NULL);
  g_application_run (G_APPLICATION (app), 2, app_argv);
  g_object_unref (app);
  nc_fake_notifications_stop (notifications);
  nc_test_remove_tree (cache);
  return status;
}
