/* test-app-actions.c — app.zadarma-call, as a bot calls it over D-Bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "nc-application.h"
#include "nc-client-card.h"
#include "nc-client-editor.h"
#include "nc-clients-view.h"
#include "nc-employee-editor.h"
#include "nc-employees-view.h"
#include "nc-live-view.h"
#include "nc-preferences-window.h"
#include "nc-setup-check-page.h"
#include "nc-test-util.h"
#include "nc-ui-test-util.h"
#include "nc-window.h"
#include "nc-call-event.h"
#include "nc-settings.h"
#include "nc-fake-notifications.h"
#include "nc-pbx-simulator.h"
#include "nc-ui-test-util.h"

#define KEY "a1b2c3d4e5f6a7b8c9d0"
#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"
#define TOKEN "app-actions-token-0123456789"

static NcApplication *app;
static NcPbxSimulator *simulator;
static NcFakeNotifications *notifications;

static NcSession *
session (void)
{
  return nc_application_get_session (app);
}

static gboolean
wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
wait_until (gboolean (*done) (void))
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  /* Something must wake the loop to look at the clock. */
  guint waker = g_timeout_add (50, wake, NULL);

  while (!done () && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (waker);
  g_assert_true (done ());
}

static gboolean
one_callback (void)
{
  return nc_pbx_simulator_get_callbacks (simulator)->len == 1;
}

static void
test_zadarma_call (void)
{
  GHashTable *params;

  g_action_group_activate_action (G_ACTION_GROUP (app), "zadarma-call",
                                  g_variant_new ("(sss)", "79004440001", "79500000033", "111111"));
  wait_until (one_callback);
  params = nc_pbx_simulator_get_callbacks (simulator)->pdata[0];
  g_assert_cmpstr (g_hash_table_lookup (params, "from"), ==, "111111");
  g_assert_cmpstr (g_hash_table_lookup (params, "to"), ==, "79004440001");
  g_assert_cmpstr (g_hash_table_lookup (params, "sip"), ==, "111111");
}

/* A bot that calls the same client again while the first call is on its way rings them
 * once: the second is refused, and a person is told. */
static void
test_zadarma_call_twice_rings_once (void)
{
  NcFakeNotification *notification;

  g_test_expect_message ("nc-application", G_LOG_LEVEL_WARNING, "zadarma-call: *on its way*");
  g_action_group_activate_action (G_ACTION_GROUP (app), "zadarma-call",
                                  g_variant_new ("(sss)", "8 900 444-00-01", "79500000033",
                                                 "111111"));
  g_assert_true (nc_fake_notifications_wait (notifications, 1, 5000));
  g_test_assert_expected_messages ();
  notification = nc_fake_notifications_get_all (notifications)->pdata[0];
  g_assert_cmpstr (notification->summary, ==, "The Call Was Not Placed");
  g_assert_nonnull (strstr (notification->body, "+7 900 444-00-01"));
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (simulator)->len, ==, 1);
}

static void
test_zadarma_call_bad_number_notifies (void)
{
  NcFakeNotification *notification;

  g_test_expect_message ("nc-application", G_LOG_LEVEL_WARNING, "zadarma-call: *country code*");
  g_action_group_activate_action (G_ACTION_GROUP (app), "zadarma-call",
                                  g_variant_new ("(sss)", "9004443322", "79500000033", "111111"));
  g_test_assert_expected_messages ();
  g_assert_true (nc_fake_notifications_wait (notifications, 2, 5000));
  notification = nc_fake_notifications_get_all (notifications)->pdata[1];
  g_assert_cmpstr (notification->summary, ==, "The Call Was Not Placed");
  g_assert_nonnull (strstr (notification->body, "country code"));
  /* Nothing went to the PBX. */
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (simulator)->len, ==, 1);
}

static void
test_zadarma_call_api_failure_notifies (void)
{
  NcFakeNotification *notification;

  nc_pbx_simulator_push_fault (simulator, NC_PBX_FAULT_RATE_LIMIT);
  g_test_expect_message ("nc-application", G_LOG_LEVEL_WARNING, "zadarma-call: *wait 42*");
  g_action_group_activate_action (G_ACTION_GROUP (app), "zadarma-call",
                                  g_variant_new ("(sss)", "79004440002", "79500000033", "111111"));
  g_assert_true (nc_fake_notifications_wait (notifications, 3, 5000));
  g_test_assert_expected_messages ();
  notification = nc_fake_notifications_get_all (notifications)->pdata[2];
  g_assert_nonnull (strstr (notification->body, "wait 42 seconds"));
}

static gboolean
listener_running (void)
{
  return nc_session_get_listener (session ()) != NULL;
}

/* The console's tracker reads the call the listener stored: it rings. */
static gboolean
one_live_call (void)
{
  return g_list_model_get_n_items (nc_call_tracker_get_live_calls (
           nc_session_get_tracker (session ()))) == 1;
}

static void
event_answered (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  *(guint *) user_data = soup_message_get_status (
    soup_session_get_async_result_message (SOUP_SESSION (source), result));
}

/* With an account, the console listens for the PBX: an event posted to it reaches the
 * live events. */
static void
test_listener_feeds_live_events (void)
{
  g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(SoupSession) http = soup_session_new ();
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *url = NULL;
  char *body;
  guint status = 0;
  NcCall *call;

  wait_until (listener_running);
  g_assert_null (nc_session_get_listener_problem (session ()));

  g_hash_table_insert (fields, (gpointer) "event", (gpointer) "NOTIFY_START");
  g_hash_table_insert (fields, (gpointer) "call_start", (gpointer) "2026-11-23 10:15:03");
  g_hash_table_insert (fields, (gpointer) "pbx_call_id", (gpointer) "in_live");
  g_hash_table_insert (fields, (gpointer) "caller_id", (gpointer) "79004443322");
  g_hash_table_insert (fields, (gpointer) "called_did", (gpointer) "74951234567");
  signature = nc_call_event_sign (SECRET, fields);
  body = soup_form_encode_hash (fields);
  bytes = g_bytes_new_take (body, strlen (body));
  url = g_strdup_printf ("http://127.0.0.1:%u/zadarma_webhook/%s",
                         nc_webhook_server_get_port (nc_session_get_listener (session ())), TOKEN);
  message = soup_message_new ("POST", url);
  soup_message_set_request_body_from_bytes (message, "application/x-www-form-urlencoded", bytes);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Signature", signature);
  soup_session_set_proxy_resolver (http, NULL);
  soup_session_send_and_read_async (http, message, G_PRIORITY_DEFAULT, NULL, event_answered,
                                    &status);
  while (status == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (status, ==, 200);

  wait_until (one_live_call);
  call = nc_call_tracker_lookup (nc_session_get_tracker (session ()), "in_live");
  g_assert_nonnull (call);
  g_assert_cmpint (nc_call_get_state (call), ==, NC_CALL_STATE_RINGING);
}

static gboolean
two_callbacks (void)
{
  return nc_pbx_simulator_get_callbacks (simulator)->len == 2;
}

static gboolean
name_owned (GDBusConnection *bus,
            const char      *name)
{
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus",
                                                           "/org/freedesktop/DBus",
                                                           "org.freedesktop.DBus", "NameHasOwner",
                                                           g_variant_new ("(s)", name),
                                                           G_VARIANT_TYPE ("(b)"),
                                                           G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  gboolean owned = FALSE;

  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

/* The real thing: the application as a D-Bus service, and `gapplication action`. */
static void
test_gapplication_action (void)
{
  g_autofree char *program = g_build_filename (g_getenv ("NC_BUILD_ROOT"), "src",
                                               "novofon-console", NULL);
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GSubprocess) service = NULL;
  g_autoptr(GSubprocess) action = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  service = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, program,
                              "--gapplication-service", NULL);
  g_assert_no_error (error);
  while (!name_owned (bus, APPLICATION_ID) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (name_owned (bus, APPLICATION_ID));

  action = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "gapplication", "action",
                             APPLICATION_ID, "zadarma-call",
                             "('+7 916 111-22-33', '79500000033', '111111')", NULL);
  g_assert_no_error (error);
  wait_until (two_callbacks);
  g_assert_cmpstr (g_hash_table_lookup (nc_pbx_simulator_get_callbacks (simulator)->pdata[1], "to"),
                   ==, "79161112233");

  /* A crash or a sanitizer's report in either process fails the test. */
  g_assert_true (g_subprocess_wait (action, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (action));
  g_assert_cmpint (g_subprocess_get_exit_status (action), ==, 0);
  /* A service with nothing left to do goes by itself. */
  g_assert_true (g_subprocess_wait (service, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (service));
  g_assert_cmpint (g_subprocess_get_exit_status (service), ==, 0);
}

static gboolean
store_open (void)
{
  return nc_session_get_store (session ()) != NULL;
}

static NcWindow *window;
static NcClientsView *clients_view;

static gboolean
calls_enabled (void)
{
  return nc_dialer_get_can_call (nc_session_get_dialer (session ()));
}

static gboolean
phones_hidden (void)
{
  return !nc_dialer_get_show_phones (nc_session_get_dialer (session ()));
}

static NcCallMethod expected_method;

static gboolean
method_is (void)
{
  NcEmployee *me = nc_dialer_get_employee (nc_session_get_dialer (session ()));

  return me != NULL && nc_employee_get_call_method (me) == expected_method;
}

static gboolean
one_client_shown (void)
{
  return nc_clients_view_get_answered (clients_view) &&
         g_list_model_get_n_items (nc_clients_view_get_shown (clients_view)) == 1;
}

/* The listener's test made a client of its caller; Иван is ours. */
static gboolean
ivan_shown (void)
{
  GListModel *shown = nc_clients_view_get_shown (clients_view);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(NcClient) client = g_list_model_get_item (shown, i);

      if (g_strcmp0 (nc_client_get_name (client), "Иван Петров") == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
no_client_shown (void)
{
  return nc_clients_view_get_answered (clients_view) &&
         g_list_model_get_n_items (nc_clients_view_get_shown (clients_view)) == 0;
}

/* A search that finds nobody says so, and how to search. */
static gboolean
no_results_page_shown (void)
{
  GtkWidget *page = nc_ui_test_find_widget (GTK_WIDGET (clients_view), ADW_TYPE_STATUS_PAGE,
                                            "title", "No Clients Found");

  return page != NULL && gtk_widget_get_mapped (page);
}

/* The list shows the answer to what is typed now, not still that of an earlier text. */
static gboolean
search_answered (void)
{
  return nc_clients_view_get_answered (clients_view);
}

static guint callbacks_before;

static gboolean
one_more_callback (void)
{
  return nc_pbx_simulator_get_callbacks (simulator)->len == callbacks_before + 1;
}

/* The admin changes how Анна calls; this desk is Анна's. */
static void
set_me (NcCallMethod method)
{
  NcStore *store = nc_session_get_store (session ());
  g_autoptr(GPtrArray) employees = nc_store_list_employees_sync (store, NULL);
  g_autoptr(NcEmployee) me = nc_employee_new (employees->len > 0
                                              ? nc_employee_get_id (employees->pdata[0]) : 0,
                                              "Анна", "111111", "79500000033", method);
  g_autoptr(GSettings) settings = nc_settings_new_if_installed ();

  g_settings_set_string (settings, "current-employee", "111111");
  g_assert_cmpint (nc_store_save_employee_sync (store, me, NULL), >, 0);
  /* The store's change feed brings it to the dialer. */
  expected_method = method;
  wait_until (method_is);
}

static NcLiveView *live_view;

static gboolean
journal_read (void)
{
  NcJournal *journal = nc_live_view_get_journal (live_view);

  return !nc_journal_get_loading (journal) &&
         g_list_model_get_n_items (G_LIST_MODEL (journal)) > 0;
}

static void wait_for_toast (const char *prefix);
static gboolean two_refusals (void);

/* The operator's window: the clients, searchable, and a phone that follows the call method. */
static void
test_click_to_call (void)
{
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  NcClient *client = nc_client_new (0, "Иван Петров", NC_CHANNEL_TELEPHONY, "79004443322", 0);
  g_autofree char *shot = NULL;

  wait_until (store_open);
  nc_client_take_variables (client, g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free));
  g_ptr_array_add (drafts, client);
  g_assert_true (nc_store_add_clients_sync (nc_session_get_store (session ()), drafts, NULL,
                                            NULL));

  window = nc_window_new (GTK_APPLICATION (app), session ());
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  clients_view = NC_CLIENTS_VIEW (nc_ui_test_find_widget (GTK_WIDGET (window), NC_TYPE_CLIENTS_VIEW,
                                                          NULL, NULL));
  wait_until (ivan_shown);

  /* The live events show what the listener received before the window opened: its
   * journal reads it from the store. */
  live_view = NC_LIVE_VIEW (nc_ui_test_find_widget (GTK_WIDGET (window), NC_TYPE_LIVE_VIEW,
                                                    NULL, NULL));
  wait_until (journal_read);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (nc_live_view_get_journal (live_view))),
                    ==, 1);
  {
    g_autoptr(NcCall) shown = g_list_model_get_item (G_LIST_MODEL (nc_live_view_get_journal (live_view)),
                                                     0);

    g_assert_cmpstr (nc_call_get_pbx_call_id (shown), ==, "in_live");
  }

  /* Search answers from the index, in any format of the number: each search starts where
   * its answer is not shown. */
  {
    static const char *const numbers[] = {
      "+7 (900) 444", "8 (900) 444-33-22", "89004443322", "8 900 444", "444-33-22",
    };

    nc_clients_view_search (clients_view, "Петр");
    wait_until (one_client_shown);
    g_assert_true (ivan_shown ());
    for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
      {
        nc_clients_view_search (clients_view, "zzz");
        wait_until (no_client_shown);
        if (i == 0)
          wait_until (no_results_page_shown);
        nc_clients_view_search (clients_view, numbers[i]);
        wait_until (search_answered);
        if (!ivan_shown ())
          g_error ("Searching for “%s” does not find Иван Петров (+7 900 444-33-22)", numbers[i]);
      }
    nc_clients_view_search (clients_view, "");
  }

  /* Calls disabled: no phone at all. */
  set_me (NC_CALL_METHOD_DISABLED);
  wait_until (phones_hidden);
  g_assert_false (calls_enabled ());

  /* Calls via the Novofon API: one callback, and a second click while it is on its way
   * places nothing. */
  set_me (NC_CALL_METHOD_API);
  wait_until (calls_enabled);

  nc_ui_test_wait_for_frames (GTK_WIDGET (window), 3);
  shot = nc_ui_test_save_screenshot (GTK_WIDGET (window), "clients");
  callbacks_before = nc_pbx_simulator_get_callbacks (simulator)->len;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.call-client", "s",
                                             "79004443322"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.call-client", "s",
                                             "79004443322"));
  /* The second was refused before anything was sent: once both have answered, one
   * callback is all there will be. */
  wait_for_toast ("A call to ");
  g_assert_nonnull (strstr (nc_window_get_last_toast (window), "+7 900 444-33-22"));
  wait_until (one_more_callback);
  /* Named as the clients' list names them: the oldest telephony client with the number
   * is the one the listener made of this caller. */
  wait_for_toast ("The PBX is ringing you; then it calls +7 900 444-33-22");
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (simulator)->len, ==, callbacks_before + 1);
  g_assert_cmpstr (g_hash_table_lookup (nc_pbx_simulator_get_callbacks (simulator)->pdata[callbacks_before],
                                        "from"), ==, "111111");

  /* "Call back" from a notification does what the phone does: here, a second call while
   * one is on its way is refused. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "call-back",
                                  g_variant_new_string ("79004443322"));
  wait_until (two_refusals);

  /* Calls via an app: no softphone here, and the window says what to do. */
  set_me (NC_CALL_METHOD_APP);
  g_assert_true (calls_enabled ());
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.call-client", "s",
                                             "79004443322"));
  wait_for_toast ("No app is set up for phone calls: install a softphone such as Zoiper");
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (simulator)->len, ==, callbacks_before + 1);

  set_me (NC_CALL_METHOD_DISABLED);
  wait_until (phones_hidden);
}

static gpointer
find_toplevel (GType type)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static const char *expected_toast;

static gboolean
toast_shown (void)
{
  return nc_window_said (window, expected_toast) > 0;
}

static gboolean
two_refusals (void)
{
  return nc_window_said (window, "A call to ") >= 2;
}

static void
wait_for_toast (const char *prefix)
{
  expected_toast = prefix;
  wait_until (toast_shown);
}

static gboolean
editor_open (void)
{
  return find_toplevel (NC_TYPE_CLIENT_EDITOR) != NULL;
}

static gboolean
card_open (void)
{
  return find_toplevel (NC_TYPE_CLIENT_CARD) != NULL;
}

static NcClient *
find_client (const char *name)
{
  g_autoptr(GPtrArray) clients = nc_store_list_clients_sync (nc_session_get_store (session ()), TRUE,
                                                             NULL);

  for (guint i = 0; i < clients->len; i++)
    if (g_strcmp0 (nc_client_get_name (clients->pdata[i]), name) == 0)
      return g_object_ref (clients->pdata[i]);
  return NULL;
}

static gboolean
olga_shown (void)
{
  GListModel *shown = nc_clients_view_get_shown (clients_view);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(NcClient) client = g_list_model_get_item (shown, i);

      if (g_str_has_prefix (nc_client_get_name (client), "Ольга"))
        return TRUE;
    }
  return FALSE;
}

/* The answer to the search typed now shows Ольга (the list reads a new client, then
 * answers the search again). */
static gboolean
olga_found (void)
{
  return search_answered () && olga_shown ();
}

/* The error shown under the field titled @title, or NULL: the field is marked with the
 * error style, and the row after it says why. */
static const char *
field_error (GtkWidget  *root,
             const char *title)
{
  GtkWidget *field = nc_ui_test_find_widget (root, ADW_TYPE_ENTRY_ROW, "title", title);
  GtkWidget *next;

  g_assert_nonnull (field);
  next = gtk_widget_get_next_sibling (field);
  if (!gtk_widget_has_css_class (field, "error"))
    {
      g_assert_true (next == NULL || !gtk_widget_get_visible (next) ||
                     ADW_IS_ENTRY_ROW (next) || ADW_IS_COMBO_ROW (next) ||
                     ADW_IS_ACTION_ROW (next));
      return NULL;
    }
  g_assert_nonnull (next);
  g_assert_true (gtk_widget_get_visible (next));
  return gtk_label_get_label (GTK_LABEL (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (next))));
}

/* An operator adds a client by hand, opens the card, edits, and deletes them. */
static void
test_client_editor (void)
{
  NcClientEditor *editor;
  GtkWidget *save;
  g_autoptr(NcClient) olga = NULL;
  g_autoptr(NcClient) gone = NULL;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *confirm;
  g_autofree char *shot = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-client", NULL));
  wait_until (editor_open);
  editor = find_toplevel (NC_TYPE_CLIENT_EDITOR);
  save = nc_ui_test_find_widget (GTK_WIDGET (editor), GTK_TYPE_BUTTON, "label", "_Save");

  /* The first field has the focus, and nothing is said to be wrong before anything is
   * typed. */
  nc_ui_test_wait_for_frames (GTK_WIDGET (editor), 2);
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (editor)),
                                         nc_ui_test_find_widget (GTK_WIDGET (editor),
                                                                 ADW_TYPE_ENTRY_ROW, "title",
                                                                 "Name")));
  g_assert_null (field_error (GTK_WIDGET (editor), "Name"));
  g_assert_null (field_error (GTK_WIDGET (editor), "Phone"));

  /* Save with a telephony client without a number: the error shows under the number, and
   * nothing is saved. */
  nc_client_editor_fill (editor, "Ольга", NC_CHANNEL_TELEPHONY, "");
  g_assert_nonnull (strstr (nc_client_editor_get_problem (editor), "enter the number"));
  g_assert_null (field_error (GTK_WIDGET (editor), "Phone"));
  g_signal_emit_by_name (save, "clicked");
  g_assert_true (editor_open ());
  g_assert_nonnull (strstr (field_error (GTK_WIDGET (editor), "Phone"), "enter the number"));
  g_assert_null (field_error (GTK_WIDGET (editor), "Name"));
  nc_client_editor_fill (editor, "Ольга", NC_CHANNEL_TELEPHONY, "12");
  g_assert_nonnull (strstr (field_error (GTK_WIDGET (editor), "Phone"), "too short"));
  nc_client_editor_fill (editor, "Ольга", NC_CHANNEL_TELEPHONY, "+7 (912) 000-11-22");
  g_assert_null (nc_client_editor_get_problem (editor));
  g_assert_null (field_error (GTK_WIDGET (editor), "Phone"));
  nc_client_editor_set_variable (editor, "city", "Пермь");
  nc_ui_test_wait_for_frames (GTK_WIDGET (editor), 3);
  shot = nc_ui_test_save_screenshot (GTK_WIDGET (editor), "client-editor");
  nc_ui_test_assert_icon_buttons_explained (GTK_WIDGET (editor));
  g_signal_emit_by_name (save, "clicked");
  wait_for_toast ("Client added");

  olga = find_client ("Ольга");
  g_assert_nonnull (olga);
  g_assert_cmpstr (nc_client_get_phone (olga), ==, "79120001122");
  g_assert_cmpstr (nc_client_get_variable (olga, "city"), ==, "Пермь");
  nc_clients_view_search (clients_view, "0001122");
  wait_until (olga_found);

  /* From the keyboard: Down in the search goes to the list, on the client found, and Enter
   * there (the list's activate-item) opens the card. */
  {
    GtkWidget *entry = nc_ui_test_find_widget (GTK_WIDGET (clients_view), GTK_TYPE_SEARCH_ENTRY,
                                               NULL, NULL);
    GtkWidget *list_view = nc_ui_test_find_widget (GTK_WIDGET (clients_view), GTK_TYPE_LIST_VIEW,
                                                   NULL, NULL);
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (entry);
    gboolean handled = FALSE;

    nc_ui_test_wait_for_frames (GTK_WIDGET (window), 2);
    for (guint i = 0; i < g_list_model_get_n_items (controllers) && !handled; i++)
      {
        g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

        if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
          g_signal_emit_by_name (controller, "key-pressed", GDK_KEY_Down, 0, 0, &handled);
      }
    g_assert_true (handled);
    g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (window)), list_view));
    g_assert_cmpint (nc_client_get_id (nc_clients_view_get_selected (clients_view)), ==,
                     nc_client_get_id (olga));
    g_assert_true (gtk_widget_activate_action (list_view, "list.activate-item", "u", 0));
  }
  wait_until (card_open);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (find_toplevel (NC_TYPE_CLIENT_CARD)),
                                             "card.edit", NULL));
  wait_until (editor_open);
  gtk_window_destroy (GTK_WINDOW (find_toplevel (NC_TYPE_CLIENT_EDITOR)));
  nc_ui_test_spin (50);

  /* The card's Edit opens the editor with what the client has. */
  g_signal_emit_by_name (clients_view, "client-activated", olga);
  wait_until (card_open);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (find_toplevel (NC_TYPE_CLIENT_CARD)),
                                             "card.edit", NULL));
  wait_until (editor_open);
  g_assert_false (card_open ());
  editor = find_toplevel (NC_TYPE_CLIENT_EDITOR);
  g_assert_nonnull (nc_ui_test_find_widget (GTK_WIDGET (editor), ADW_TYPE_ENTRY_ROW, "text",
                                            "Пермь"));
  nc_client_editor_fill (editor, "Ольга Смирнова", NC_CHANNEL_WHATSAPP, "+7 912 000-11-22");
  nc_client_editor_set_variable (editor, "city", "");
  g_signal_emit_by_name (nc_ui_test_find_widget (GTK_WIDGET (editor), GTK_TYPE_BUTTON, "label",
                                                 "_Save"), "clicked");
  wait_for_toast ("Client saved");
  g_clear_object (&olga);
  olga = find_client ("Ольга Смирнова");
  g_assert_nonnull (olga);
  g_assert_cmpint (nc_client_get_channel (olga), ==, NC_CHANNEL_WHATSAPP);
  g_assert_null (nc_client_get_variable (olga, "city"));

  /* Delete asks first; then the client is gone. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.edit-client", "x",
                                             nc_client_get_id (olga)));
  wait_until (editor_open);
  editor = find_toplevel (NC_TYPE_CLIENT_EDITOR);
  g_signal_emit_by_name (nc_ui_test_find_widget (GTK_WIDGET (editor), GTK_TYPE_BUTTON, "label",
                                                 "_Delete Client"), "clicked");
  confirm = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (confirm);
  adw_message_dialog_response (confirm, "delete");
  wait_for_toast ("Client deleted");
  gone = nc_store_get_client_sync (nc_session_get_store (session ()), nc_client_get_id (olga), &error);
  g_assert_null (gone);
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND);
  nc_clients_view_search (clients_view, "");
}

static gboolean
progress_shown (void)
{
  GtkWidget *bar = nc_ui_test_find_widget (GTK_WIDGET (window), GTK_TYPE_PROGRESS_BAR, NULL, NULL);

  return gtk_revealer_get_reveal_child (GTK_REVEALER (gtk_widget_get_ancestor (bar,
                                                                              GTK_TYPE_REVEALER)));
}

static NcWindow *closing;
static guint expected_shown;

static gboolean
all_shown (void)
{
  return g_list_model_get_n_items (nc_clients_view_get_shown (clients_view)) == expected_shown;
}

static gboolean
list_quiet (void)
{
  return !nc_client_list_get_busy (nc_clients_view_get_list (clients_view));
}

/* As a reader does: scrolls to the end of what the list has read, again and again, until
 * it has read the last page. */
static void
scroll_to_the_end (void)
{
  GtkScrollable *list_view = GTK_SCROLLABLE (nc_ui_test_find_widget (GTK_WIDGET (clients_view),
                                                                     GTK_TYPE_LIST_VIEW, NULL,
                                                                     NULL));
  NcClientList *list = nc_clients_view_get_list (clients_view);

  for (guint pages = 0; !nc_client_list_get_complete (list) || nc_client_list_get_busy (list);
       pages++)
    {
      GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (list_view);

      g_assert_cmpuint (pages, <, 1000);
      nc_ui_test_wait_for_frames (GTK_WIDGET (clients_view), 1);
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
      wait_until (list_quiet);
    }
}

static gboolean
closing_gone (void)
{
  return closing == NULL;
}

/* Import and export from the menu: a progress bar while it runs, a toast that says how it
 * went, and a bad file adds nothing. */
static void
test_import_export (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autofree char *good_path = g_build_filename (dir, "good.csv", NULL);
  g_autofree char *bad_path = g_build_filename (dir, "bad.csv", NULL);
  g_autofree char *out_path = g_build_filename (dir, "out.csv", NULL);
  g_autoptr(GFile) good = g_file_new_for_path (good_path);
  g_autoptr(GFile) bad = g_file_new_for_path (bad_path);
  g_autoptr(GFile) out = g_file_new_for_path (out_path);
  g_autoptr(GPtrArray) before = nc_store_list_clients_sync (nc_session_get_store (session ()), FALSE,
                                                            NULL);
  g_autoptr(GPtrArray) after = NULL;
  g_autofree char *written = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(NcClient) pavel = NULL;

  g_assert_true (g_file_set_contents (good_path,
                                      "name,channel,phone,city\n"
                                      "Павел,telephony,8 912 111-22-33,Пермь\n"
                                      "Ирина,telegram,,\n"
                                      "Олег,telephony,+79121112244,\n", -1, NULL));
  g_assert_true (g_file_set_contents (bad_path,
                                      "name,channel,phone\n"
                                      "Вера,fax,79121112255\n", -1, NULL));

  nc_window_import_clients (window, good);
  g_assert_true (progress_shown ());
  /* One at a time: a second import while the first runs does nothing (counted below). */
  nc_window_import_clients (window, good);
  wait_for_toast ("Imported 3 clients");
  g_assert_false (progress_shown ());
  pavel = find_client ("Павел");
  g_assert_nonnull (pavel);
  g_assert_cmpstr (nc_client_get_phone (pavel), ==, "79121112233");

  nc_window_import_clients (window, bad);
  wait_for_toast ("Nothing was imported: bad.csv:2: unknown channel “fax”");
  after = nc_store_list_clients_sync (nc_session_get_store (session ()), FALSE, NULL);
  g_assert_cmpuint (after->len, ==, before->len + 3);

  /* Cancelled at once: nothing is added, and the toast says so. */
  {
    g_autofree char *big_path = g_build_filename (dir, "big.csv", NULL);
    g_autoptr(GFile) big = g_file_new_for_path (big_path);
    g_autoptr(GString) csv = g_string_new ("name,channel,phone\n");

    for (guint i = 0; i < 5000; i++)
      g_string_append_printf (csv, "Client %u,whatsapp,\n", i);
    g_assert_true (g_file_set_contents (big_path, csv->str, (gssize) csv->len, NULL));
    nc_window_import_clients (window, big);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel-transfer", NULL));
    wait_for_toast ("The import was cancelled; nothing was imported");
    g_clear_pointer (&after, g_ptr_array_unref);
    after = nc_store_list_clients_sync (nc_session_get_store (session ()), FALSE, NULL);
    g_assert_cmpuint (after->len, ==, before->len + 3);

    /* A window closed while it imports: the import the user asked for still ends, all of
     * it, and the window goes after its answer. */
    closing = nc_window_new (GTK_APPLICATION (app), session ());
    g_object_add_weak_pointer (G_OBJECT (closing), (gpointer *) &closing);
    gtk_window_present (GTK_WINDOW (closing));
    nc_window_import_clients (closing, big);
    gtk_window_destroy (GTK_WINDOW (closing));
    wait_until (closing_gone);
    g_clear_pointer (&after, g_ptr_array_unref);
    after = nc_store_list_clients_sync (nc_session_get_store (session ()), FALSE, NULL);
    g_assert_cmpuint (after->len, ==, before->len + 3 + 5000);

    /* The store's change feed makes the list read its pages again; scrolling down reads
     * the rest, a page at a time, the oldest first, until it has them all. */
    wait_until (list_quiet);
    g_assert_cmpuint (g_list_model_get_n_items (nc_clients_view_get_shown (clients_view)), <,
                      after->len);
    scroll_to_the_end ();
    expected_shown = after->len;
    g_assert_true (all_shown ());
    {
      g_autoptr(NcClient) oldest = g_list_model_get_item (nc_clients_view_get_shown (clients_view), 0);
      g_autoptr(NcClient) newest = g_list_model_get_item (nc_clients_view_get_shown (clients_view),
                                                          expected_shown - 1);

      g_assert_cmpint (nc_client_get_id (oldest), ==, nc_client_get_id (after->pdata[0]));
      g_assert_cmpstr (nc_client_get_name (newest), ==, "Client 4999");
    }

    /* A search that finds more than a page: scrolling reaches every match, once each, in
     * the order they were made. */
    nc_clients_view_search (clients_view, "Client");
    wait_until (search_answered);
    g_assert_cmpuint (g_list_model_get_n_items (nc_clients_view_get_shown (clients_view)), ==,
                      NC_CLIENT_LIST_FIRST_PAGE);
    scroll_to_the_end ();
    expected_shown = 5000;
    g_assert_true (all_shown ());
    {
      GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (
        GTK_SCROLLABLE (nc_ui_test_find_widget (GTK_WIDGET (clients_view), GTK_TYPE_LIST_VIEW,
                                                NULL, NULL)));

      nc_ui_test_wait_for_frames (GTK_WIDGET (window), 2);
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
      nc_ui_test_wait_for_frames (GTK_WIDGET (window), 3);
      g_free (nc_ui_test_save_screenshot (GTK_WIDGET (window), "clients-scrolled-to-the-end"));
    }
    for (guint i = 0; i < expected_shown; i++)
      {
        g_autoptr(NcClient) client = g_list_model_get_item (nc_clients_view_get_shown (clients_view),
                                                            i);
        g_autofree char *name = g_strdup_printf ("Client %u", i);

        g_assert_cmpstr (nc_client_get_name (client), ==, name);
      }
    nc_clients_view_search (clients_view, "");
  }

  nc_window_export_clients (window, out);
  expected = g_strdup_printf ("Exported %u clients", after->len);
  wait_for_toast (expected);
  g_assert_true (g_file_get_contents (out_path, &written, NULL, NULL));
  g_assert_true (g_str_has_prefix (written, "name,channel,phone,"));
  g_assert_nonnull (strstr (written, "Павел,telephony,79121112233"));
  nc_test_remove_tree (dir);
}

static gboolean setup_done;

static void
setup_checked (void)
{
  setup_done = TRUE;
}

static gboolean
setup_checked_yet (void)
{
  return setup_done;
}

static const char *
row_subtitle (GtkWidget  *root,
              const char *title)
{
  GtkWidget *row = nc_ui_test_find_widget (root, ADW_TYPE_ACTION_ROW, "title", title);

  g_assert_nonnull (row);
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

static GStrv messengers_now;

static gboolean
whatsapp_connected (void)
{
  g_clear_pointer (&messengers_now, g_strfreev);
  messengers_now = nc_store_get_messengers_sync (nc_session_get_store (session ()), NULL);
  return messengers_now != NULL && g_strv_contains ((const char *const *) messengers_now, "whatsapp");
}

static gboolean
no_messenger_connected (void)
{
  return !whatsapp_connected () && (messengers_now == NULL || messengers_now[0] == NULL);
}

/* The admin's preferences: the setup check against the PBX, the server chooser, and the
 * project's messengers. */
static void
test_preferences (void)
{
  NcPreferencesWindow *preferences;
  g_autoptr(GSettings) settings = nc_settings_new_if_installed ();
  AdwComboRow *server;
  GtkWidget *address;
  GtkWidget *whatsapp;
  g_autofree char *url = NULL;
  g_autofree char *shot = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (app), "setup-check", NULL);
  preferences = find_toplevel (NC_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  g_signal_connect (nc_ui_test_find_widget (GTK_WIDGET (preferences), NC_TYPE_SETUP_CHECK_PAGE,
                                            NULL, NULL),
                    "checked", G_CALLBACK (setup_checked), NULL);
  wait_until (setup_checked_yet);

  g_assert_nonnull (strstr (row_subtitle (GTK_WIDGET (preferences), "API Key and Secret"),
                            "Balance"));
  g_assert_nonnull (strstr (row_subtitle (GTK_WIDGET (preferences), "Call Events"),
                            "last event arrived"));
  nc_ui_test_wait_for_frames (GTK_WIDGET (preferences), 3);
  shot = nc_ui_test_save_screenshot (GTK_WIDGET (preferences), "setup-check");
  nc_ui_test_assert_icon_buttons_explained (GTK_WIDGET (preferences));

  /* The account in use shows its Key, never its Secret. */
  {
    GtkWidget *key = nc_ui_test_find_widget (GTK_WIDGET (preferences), ADW_TYPE_ENTRY_ROW,
                                             "title", "Key");
    GtkWidget *secret = nc_ui_test_find_widget (GTK_WIDGET (preferences),
                                                ADW_TYPE_PASSWORD_ENTRY_ROW, NULL, NULL);

    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (key)), ==, KEY);
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (secret)), ==, "");
  }

  /* The server: Zadarma by name; another server by an address that must be one. */
  server = ADW_COMBO_ROW (nc_ui_test_find_widget (GTK_WIDGET (preferences), ADW_TYPE_COMBO_ROW,
                                                  "title", "API Server"));
  address = nc_ui_test_find_widget (GTK_WIDGET (preferences), ADW_TYPE_ENTRY_ROW, "title",
                                    "Server Address");
  g_assert_cmpuint (adw_combo_row_get_selected (server), ==, NC_API_SERVER_NOVOFON);
  g_assert_false (gtk_widget_get_visible (address));
  adw_combo_row_set_selected (server, NC_API_SERVER_ZADARMA);
  url = g_settings_get_string (settings, "api-url");
  g_assert_cmpstr (url, ==, "https://api.zadarma.com");
  adw_combo_row_set_selected (server, NC_API_SERVER_CUSTOM);
  g_assert_true (gtk_widget_get_visible (address));
  gtk_editable_set_text (GTK_EDITABLE (address), "api-sandbox.zadarma.com");
  g_signal_emit_by_name (address, "apply");
  g_clear_pointer (&url, g_free);
  url = g_settings_get_string (settings, "api-url");
  g_assert_cmpstr (url, ==, "https://api.zadarma.com");
  /* Beside the field, and the field marked. */
  g_assert_true (gtk_widget_has_css_class (address, "error"));
  gtk_editable_set_text (GTK_EDITABLE (address), "https://api-sandbox.zadarma.com");
  g_signal_emit_by_name (address, "apply");
  g_clear_pointer (&url, g_free);
  url = g_settings_get_string (settings, "api-url");
  g_assert_cmpstr (url, ==, "https://api-sandbox.zadarma.com");
  g_settings_reset (settings, "api-url");

  /* A messenger switched on is the project's, for the clients calls make. */
  whatsapp = nc_ui_test_find_widget (nc_ui_test_find_widget (GTK_WIDGET (preferences),
                                                             ADW_TYPE_ACTION_ROW, "title",
                                                             "WhatsApp"),
                                     GTK_TYPE_SWITCH, NULL, NULL);
  gtk_switch_set_active (GTK_SWITCH (whatsapp), TRUE);
  wait_until (whatsapp_connected);
  gtk_switch_set_active (GTK_SWITCH (whatsapp), FALSE);
  wait_until (no_messenger_connected);
  g_clear_pointer (&messengers_now, g_strfreev);

  gtk_window_destroy (GTK_WINDOW (preferences));
}

static NcEmployeesView *employees_view;
static GtkWidget *pick_button;

static gboolean
choices_arrived (void)
{
  GMenuModel *menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (pick_button));

  return gtk_widget_get_visible (pick_button) && menu != NULL &&
         g_menu_model_get_n_items (menu) > 0;
}

static gboolean
boris_listed (void)
{
  return nc_ui_test_find_widget (GTK_WIDGET (employees_view), ADW_TYPE_ACTION_ROW, "title",
                                 "Борис") != NULL;
}

/* The admin adds an employee who calls through the API: the id and the number appear only
 * for that method, are checked as typed, and "This is me" makes the phones call as him. */
static void
test_employee_editor (void)
{
  NcEmployeeEditor *editor;
  GtkWidget *save, *id_row;
  g_autoptr(GSettings) settings = nc_settings_new_if_installed ();
  g_autofree char *shot = NULL;

  employees_view = NC_EMPLOYEES_VIEW (nc_ui_test_find_widget (GTK_WIDGET (window),
                                                              NC_TYPE_EMPLOYEES_VIEW, NULL, NULL));
  editor = NC_EMPLOYEE_EDITOR (nc_employees_view_edit (employees_view, NULL));
  save = nc_ui_test_find_widget (GTK_WIDGET (editor), GTK_TYPE_BUTTON, "label", "_Save");
  id_row = nc_ui_test_find_widget (GTK_WIDGET (editor), ADW_TYPE_ENTRY_ROW, "title",
                                   "Employee ID");

  /* Nothing is said to be wrong before anything is typed. */
  g_assert_null (field_error (GTK_WIDGET (editor), "Name"));
  nc_employee_editor_fill (editor, "Борис", NC_CALL_METHOD_DISABLED, NULL, NULL);
  g_assert_false (gtk_widget_get_visible (id_row));
  g_assert_true (nc_employee_editor_is_valid (editor));

  nc_employee_editor_fill (editor, "Борис", NC_CALL_METHOD_API, "abc", "79500000044");
  g_assert_true (gtk_widget_get_visible (id_row));
  g_assert_false (nc_employee_editor_is_valid (editor));
  g_assert_null (field_error (GTK_WIDGET (editor), "Employee ID"));
  /* Leaving the field says what is wrong with it, beside it. */
  gtk_widget_grab_focus (id_row);
  gtk_widget_grab_focus (nc_ui_test_find_widget (GTK_WIDGET (editor), ADW_TYPE_ENTRY_ROW, "title",
                                                 "Virtual Number"));
  g_assert_nonnull (strstr (field_error (GTK_WIDGET (editor), "Employee ID"), "111111"));
  g_assert_null (field_error (GTK_WIDGET (editor), "Virtual Number"));
  /* The PBX's extensions and the account's numbers are offered: pick them. */
  pick_button = nc_ui_test_find_widget (GTK_WIDGET (editor), GTK_TYPE_MENU_BUTTON, "tooltip-text",
                                        "Pick an Extension of the PBX");
  wait_until (choices_arrived);
  {
    GMenuModel *menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (pick_button));
    g_autoptr(GVariant) target = g_menu_model_get_item_attribute_value (menu, 0, "target",
                                                                         G_VARIANT_TYPE_STRING);

    g_assert_cmpint (g_menu_model_get_n_items (menu), ==, 1);
    g_assert_cmpstr (g_variant_get_string (target, NULL), ==, "222222");
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.pick-extension", "s",
                                             "222222"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.pick-number", "s",
                                             "79500000044"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (id_row)), ==, "222222");
  g_assert_true (nc_employee_editor_is_valid (editor));
  g_assert_null (field_error (GTK_WIDGET (editor), "Employee ID"));
  nc_ui_test_spin (600);
  nc_ui_test_wait_for_frames (GTK_WIDGET (editor), 2);
  shot = nc_ui_test_save_screenshot (GTK_WIDGET (editor), "employee-editor");
  nc_ui_test_assert_icon_buttons_explained (GTK_WIDGET (editor));

  gtk_switch_set_active (GTK_SWITCH (nc_ui_test_find_widget (GTK_WIDGET (editor), GTK_TYPE_SWITCH,
                                                             NULL, NULL)), TRUE);
  g_signal_emit_by_name (save, "clicked");
  wait_until (boris_listed);
  {
    g_autofree char *current = g_settings_get_string (settings, "current-employee");

    g_assert_cmpstr (current, ==, "222222");
  }
  wait_until (calls_enabled);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *data = g_dir_make_tmp ("nc-app-actions-XXXXXX", NULL);
  int status;

  /* Its own data, whatever the tests before it left in the session's folders: a search
   * finds what this test added and nothing else. */
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  gtk_test_init (&argc, &argv, NULL);

  notifications = nc_fake_notifications_start ();
  simulator = nc_pbx_simulator_new (KEY, SECRET);
  nc_pbx_simulator_add_extension (simulator, "222222", TRUE);
  nc_pbx_simulator_add_number (simulator, "79500000044", "222222");
  g_assert_true (nc_pbx_simulator_start (simulator, 0, NULL));
  url = nc_pbx_simulator_get_url (simulator);
  g_setenv ("NOVOFON_API_URL", url, TRUE);
  g_setenv ("NOVOFON_API_KEY", KEY, TRUE);
  g_setenv ("NOVOFON_API_SECRET", SECRET, TRUE);
  g_setenv ("NOVOFON_WEBHOOK_TOKEN", TOKEN, TRUE);
  {
    g_autoptr(GSettings) settings = nc_settings_new_if_installed ();

    /* A free port, so the default one may be in use; the memory backend is this
     * process's own. */
    g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                              G_SOCKET_PROTOCOL_TCP, NULL);
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
    bound = g_socket_get_local_address (socket, NULL);
    g_settings_set_int (settings, "webhook-port",
                        g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
    g_socket_close (socket, NULL);
  }

  app = nc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/app-actions/zadarma-call", test_zadarma_call);
  g_test_add_func ("/app-actions/zadarma-call-twice-rings-once",
                   test_zadarma_call_twice_rings_once);
  g_test_add_func ("/app-actions/zadarma-call-bad-number-notifies",
                   test_zadarma_call_bad_number_notifies);
  g_test_add_func ("/app-actions/zadarma-call-api-failure-notifies",
                   test_zadarma_call_api_failure_notifies);
  g_test_add_func ("/app-actions/gapplication-action", test_gapplication_action);
  g_test_add_func ("/app-actions/listener-feeds-live-events", test_listener_feeds_live_events);
  g_test_add_func ("/app-actions/click-to-call", test_click_to_call);
  g_test_add_func ("/app-actions/preferences", test_preferences);
  g_test_add_func ("/app-actions/client-editor", test_client_editor);
  g_test_add_func ("/app-actions/import-export", test_import_export);
  g_test_add_func ("/app-actions/employee-editor", test_employee_editor);
  status = nc_test_run ();

  g_object_unref (app);
  nc_pbx_simulator_stop (simulator);
  g_object_unref (simulator);
  nc_fake_notifications_stop (notifications);
  nc_test_remove_tree (data);
  return status;
}
