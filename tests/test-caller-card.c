/* test-caller-card.c — a number typed to call, and the caller's card, in the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs in English and, as caller-card-ru, in Russian: the screenshots are of both, wide
 * and 360 px narrow.
 */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "nc-caller-card.h"
#include "nc-client-card.h"
#include "nc-client-editor.h"
#include "nc-clients-view.h"
#include "nc-dial-row.h"
#include "nc-pbx-simulator.h"
#include "nc-test-util.h"
#include "nc-ui-test-util.h"
#include "nc-window.h"

#define KEY "a1b2c3d4e5f6a7b8c9d0"
#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"

static char *softphone_record;
static const char *suffix = "";
static gboolean russian;

typedef struct
{
  char            *dir;
  NcSession       *session;
  NcStore         *store;
  NcCallTracker   *tracker;
  NcDialer        *dialer;
  NcWindow        *window;
  NcPbxSimulator  *simulator;
  NcZadarmaClient *client;
} Fixture;

static gboolean
employees_loaded (gpointer data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (nc_session_get_employees (data))) == 3;
}

static void
add_employee (NcStore      *store,
              const char   *name,
              const char   *id,
              const char   *number,
              NcCallMethod  method)
{
  g_autoptr(NcEmployee) employee = nc_employee_new (0, name, id, number, method);

  g_assert_cmpint (nc_store_save_employee_sync (store, employee, NULL), >, 0);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  fixture->dir = nc_test_make_temp_dir ();
  fixture->session = nc_session_new (fixture->dir, NULL, NC_SESSION_CALLS);
  g_assert_true (nc_session_start_sync (fixture->session, &error));
  g_assert_no_error (error);
  fixture->store = nc_session_get_store (fixture->session);
  fixture->tracker = nc_session_get_tracker (fixture->session);
  fixture->dialer = nc_session_get_dialer (fixture->session);
  nc_call_tracker_set_poll_interval (fixture->tracker, 0);
  add_employee (fixture->store, "Анна Операторова", "100", NULL, NC_CALL_METHOD_APP);
  add_employee (fixture->store, "Борис Старший", "101", NULL, NC_CALL_METHOD_DISABLED);
  add_employee (fixture->store, "Вера Звонкова", "111111", "79500000033", NC_CALL_METHOD_API);
  nc_employee_list_reload (nc_session_get_employees (fixture->session));
  g_assert_true (nc_test_wait_until (employees_loaded, fixture->session, 20));

  fixture->simulator = nc_pbx_simulator_new (KEY, SECRET);
  g_assert_true (nc_pbx_simulator_start (fixture->simulator, 0, NULL));
  url = nc_pbx_simulator_get_url (fixture->simulator);
  fixture->client = nc_zadarma_client_new (url, KEY, SECRET);

  fixture->window = nc_window_new (NULL, fixture->session);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1000, 720);
  gtk_window_present (GTK_WINDOW (fixture->window));
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 3);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  GList *toplevels = gtk_window_list_toplevels ();

  /* The cards and editors the test opened, then the window. */
  for (GList *l = toplevels; l != NULL; l = l->next)
    if (l->data != (gpointer) fixture->window &&
        (NC_IS_CLIENT_CARD (l->data) || NC_IS_CLIENT_EDITOR (l->data)))
      gtk_window_destroy (l->data);
  g_list_free (toplevels);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  nc_ui_test_spin (50);
  nc_dialer_set_client (fixture->dialer, NULL);
  nc_session_close (fixture->session);
  g_assert_finalize_object (fixture->session);
  g_clear_object (&fixture->client);
  nc_pbx_simulator_stop (fixture->simulator);
  g_clear_object (&fixture->simulator);
  nc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static NcClientsView *
clients_view (Fixture *fixture)
{
  return NC_CLIENTS_VIEW (nc_ui_test_find_widget (GTK_WIDGET (fixture->window),
                                                  NC_TYPE_CLIENTS_VIEW, NULL, NULL));
}

static GtkWidget *
search_entry (Fixture *fixture)
{
  return nc_ui_test_find_widget (GTK_WIDGET (clients_view (fixture)), GTK_TYPE_SEARCH_ENTRY,
                                 NULL, NULL);
}

static NcCallerCard *
caller_card (Fixture *fixture)
{
  return NC_CALLER_CARD (nc_ui_test_find_widget (GTK_WIDGET (fixture->window),
                                                 NC_TYPE_CALLER_CARD, NULL, NULL));
}

static void
assert_fits (GtkWidget *widget)
{
  int minimum = 0;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  g_assert_cmpint (minimum, <=, 360);
}

static void
screenshots (Fixture    *fixture,
             const char *name)
{
  g_autofree char *wide = g_strconcat (name, suffix, NULL);
  g_autofree char *narrow = g_strconcat (name, "-narrow", suffix, NULL);
  g_autofree char *shot = NULL;
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (fixture->window), &width, &height);
  nc_ui_test_spin (400);
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 3);
  shot = nc_ui_test_save_screenshot (GTK_WIDGET (fixture->window), wide);
  g_test_message ("screenshot: %s", shot);
  g_clear_pointer (&shot, g_free);

  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 360, 720);
  nc_ui_test_spin (400);
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 3);
  shot = nc_ui_test_save_screenshot (GTK_WIDGET (fixture->window), narrow);
  g_test_message ("screenshot: %s", shot);
  g_clear_pointer (&shot, g_free);
  /* What this part adds fits 360 px in either language: the card, even with all its
   * buttons, and the clients view with the row that calls. (The live events pane, in
   * Russian, is wider by itself: not this part's.) */
  assert_fits (GTK_WIDGET (caller_card (fixture)));
  assert_fits (GTK_WIDGET (clients_view (fixture)));

  gtk_window_set_default_size (GTK_WINDOW (fixture->window), width, height);
  nc_ui_test_spin (200);
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);
}

/* The dial row ------------------------------------------------------------------- */

static AdwActionRow *
dial_action_row (Fixture *fixture)
{
  return ADW_ACTION_ROW (nc_ui_test_find_widget (GTK_WIDGET (nc_clients_view_get_dial_row (
                                                   clients_view (fixture))),
                                                 ADW_TYPE_ACTION_ROW, NULL, NULL));
}

static gboolean
softphone_called (gpointer data)
{
  return g_file_test (softphone_record, G_FILE_TEST_EXISTS);
}

static gboolean
one_callback (gpointer data)
{
  Fixture *fixture = data;

  return nc_pbx_simulator_get_callbacks (fixture->simulator)->len >= 1;
}

static gboolean
search_answered (gpointer data)
{
  return nc_clients_view_get_answered (data);
}

static gboolean
client_card_open (gpointer data)
{
  GList *toplevels = gtk_window_list_toplevels ();
  gboolean open = FALSE;

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, GPOINTER_TO_SIZE (data)) &&
        gtk_widget_get_visible (l->data))
      open = TRUE;
  g_list_free (toplevels);
  return open;
}

static GtkWindow *
toplevel_of_type (GType type)
{
  GList *toplevels = gtk_window_list_toplevels ();
  GtkWindow *found = NULL;

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
      found = l->data;
  g_list_free (toplevels);
  return found;
}

static void
type_search (Fixture    *fixture,
             const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (search_entry (fixture)), text);
  g_assert_true (nc_test_wait_until (search_answered, clients_view (fixture), 20));
}

static void
press_enter_in_search (Fixture *fixture)
{
  g_signal_emit_by_name (search_entry (fixture), "activate");
  nc_ui_test_spin (100);
}

/* A typed number offers to call it, first, through the employee's call method: disabled
 * says why and calls nothing; the phone app gets a tel: link; the API asks the PBX for
 * one callback, once. A name, an extension or a part of a number offers nothing, and
 * Enter on the number of a client opens the client. */
static void
test_dial_row (Fixture       *fixture,
               gconstpointer  data)
{
  NcDialRow *dial_row = nc_clients_view_get_dial_row (clients_view (fixture));
  g_autofree char *recorded = NULL;
  GtkWidget *list;
  GHashTable *params;

  /* Calls disabled: the row says why, and neither Enter nor the row calls. */
  nc_dialer_set_employee_id (fixture->dialer, "101");
  type_search (fixture, "8 (916) 137-21-93");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dial_row)));
  g_assert_cmpstr (nc_dial_row_get_number (dial_row), ==, "79161372193");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (dial_action_row (fixture))),
                   ==, russian ? "Позвонить: +7 916 137-21-93" : "Call +7 916 137-21-93");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (dial_action_row (fixture))));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (dial_action_row (fixture)),
                            "Борис Старший"));
  list = nc_ui_test_find_widget (GTK_WIDGET (dial_row), GTK_TYPE_LIST_BOX, NULL, NULL);
  g_assert_nonnull (list);
  screenshots (fixture, "dial-row-disabled");
  g_unlink (softphone_record);
  press_enter_in_search (fixture);
  g_assert_nonnull (strstr (nc_window_get_last_toast (fixture->window), "Борис Старший"));
  g_assert_false (g_file_test (softphone_record, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 0);

  /* The phone app: activating the row hands it tel:+79161372193. */
  nc_dialer_set_employee_id (fixture->dialer, "100");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (dial_action_row (fixture))));
  g_assert_cmpstr (adw_action_row_get_subtitle (dial_action_row (fixture)), ==,
                   russian ? "Через приложение для звонков" : "With the phone app");
  screenshots (fixture, "dial-row");
  g_signal_emit_by_name (list, "row-activated", dial_action_row (fixture));
  g_assert_true (nc_test_wait_until (softphone_called, NULL, 20));
  g_assert_true (g_file_get_contents (softphone_record, &recorded, NULL, NULL));
  g_assert_cmpstr (g_strstrip (recorded), ==, "tel:+79161372193");
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 0);

  /* The API, typed another way: Enter asks the PBX for the callback, once. */
  nc_dialer_set_employee_id (fixture->dialer, "111111");
  nc_dialer_set_client (fixture->dialer, fixture->client);
  g_assert_true (nc_dial_row_get_can_call (dial_row));
  type_search (fixture, "916 137 21 93");
  g_assert_cmpstr (nc_dial_row_get_number (dial_row), ==, "79161372193");
  press_enter_in_search (fixture);
  g_assert_true (nc_test_wait_until (one_callback, fixture, 20));
  params = nc_pbx_simulator_get_callbacks (fixture->simulator)->pdata[0];
  g_assert_cmpstr (g_hash_table_lookup (params, "from"), ==, "111111");
  g_assert_cmpstr (g_hash_table_lookup (params, "to"), ==, "79161372193");
  nc_ui_test_spin (500);
  g_assert_cmpuint (nc_pbx_simulator_get_callbacks (fixture->simulator)->len, ==, 1);

  /* What is no whole number offers no call. */
  type_search (fixture, "Петров");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dial_row)));
  type_search (fixture, "100");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dial_row)));
  type_search (fixture, "8 916 137");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dial_row)));
}

/* Enter on a number that is a client's opens the client, and calls nobody. */
static void
test_dial_row_client_number (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  NcClient *client = nc_client_new (0, "Иван Петров", NC_CHANNEL_TELEPHONY, "79161372193", 0);

  nc_client_take_variables (client,
                            g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free));
  g_ptr_array_add (drafts, client);
  g_assert_true (nc_store_add_clients_sync (fixture->store, drafts, NULL, &error));
  g_assert_no_error (error);
  nc_clients_view_reload (clients_view (fixture));
  nc_dialer_set_employee_id (fixture->dialer, "100");

  g_unlink (softphone_record);
  type_search (fixture, "+7 916 137-21-93");
  g_assert_cmpuint (g_list_model_get_n_items (nc_clients_view_get_shown (clients_view (fixture))),
                    ==, 1);
  press_enter_in_search (fixture);
  g_assert_true (nc_test_wait_until (client_card_open, GSIZE_TO_POINTER (NC_TYPE_CLIENT_CARD),
                                     20));
  nc_ui_test_spin (300);
  g_assert_false (g_file_test (softphone_record, G_FILE_TEST_EXISTS));
}

/* The caller's card ---------------------------------------------------------------- */

static void
tie_client (Fixture    *fixture,
            const char *pbx_call_id,
            gint64      client_id,
            NcMatchRule rule)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCallRecord) call = nc_store_get_call_sync (fixture->store, pbx_call_id, &error);

  g_assert_no_error (error);
  g_assert_true (nc_store_set_call_client_sync (fixture->store, call->id, client_id,
                                                nc_match_rule_to_string (rule), &error));
  g_assert_no_error (error);
  g_assert_true (nc_call_tracker_update_sync (fixture->tracker, &error));
  g_assert_no_error (error);
}

/* One earlier call of the client, over: answered by @employee or missed. */
static void
past_call (Fixture    *fixture,
           const char *id,
           const char *start,
           const char *employee,
           const char *duration,
           const char *disposition,
           gint64      client_id)
{
  gint64 now = g_get_real_time ();

  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_START", now, "pbx_call_id", id,
                "call_start", start, "caller_id", "79004443322", "called_did", "74951234567", NULL);
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_END", now + 1, "pbx_call_id", id,
                "call_start", start, "caller_id", "79004443322", "called_did", "74951234567",
                "internal", employee, "duration", duration, "disposition", disposition,
                "status_code", "16", "is_recorded", "0", NULL);
  tie_client (fixture, id, client_id, NC_MATCH_RULE_TELEPHONY_CLIENT);
}

static char *
now_text (int minutes_ago)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) then = g_date_time_add_minutes (now, -minutes_ago);

  return g_date_time_format (then, "%Y-%m-%d %H:%M:%S");
}

static NcCall *
ring (Fixture    *fixture,
      const char *id,
      const char *caller,
      const char *extension)
{
  g_autofree char *start = now_text (0);
  gint64 now = g_get_real_time ();

  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_START", now, "pbx_call_id", id,
                "call_start", start, "caller_id", caller, "called_did", "74951234567", NULL);
  return nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_INTERNAL", now + 1,
                       "pbx_call_id", id, "call_start", start, "caller_id", caller,
                       "called_did", "74951234567", "internal", extension, NULL);
}

static void
answer (Fixture    *fixture,
        const char *id,
        const char *caller,
        const char *extension)
{
  g_autofree char *start = now_text (0);

  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_ANSWER", g_get_real_time (),
                "pbx_call_id", id, "call_start", start, "caller_id", caller,
                "destination", extension, NULL);
}

static void
hang_up (Fixture    *fixture,
         const char *id,
         const char *caller,
         const char *extension)
{
  g_autofree char *start = now_text (0);

  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_END", g_get_real_time (),
                "pbx_call_id", id, "call_start", start, "caller_id", caller,
                "called_did", "74951234567", "internal", extension, "duration", "42",
                "disposition", "answered", "status_code", "16", "is_recorded", "0", NULL);
}

static gboolean
card_loaded (gpointer data)
{
  return nc_caller_card_get_loaded (data);
}

static gboolean
card_gone (gpointer data)
{
  GtkRevealer *revealer = GTK_REVEALER (nc_ui_test_find_widget (data, GTK_TYPE_REVEALER, NULL,
                                                                NULL));

  return nc_caller_card_get_call (data) == NULL && !gtk_revealer_get_reveal_child (revealer);
}

static gboolean
card_shown (gpointer data)
{
  GtkRevealer *revealer = GTK_REVEALER (nc_ui_test_find_widget (data, GTK_TYPE_REVEALER, NULL,
                                                                NULL));

  return nc_caller_card_get_call (data) != NULL && gtk_revealer_get_reveal_child (revealer);
}

static const char *
label_text (GtkWidget  *card,
            const char *contains)
{
  g_autoptr(GPtrArray) labels = nc_ui_test_find_all (card, GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    {
      const char *text = gtk_label_get_label (labels->pdata[i]);

      if (gtk_widget_get_visible (labels->pdata[i]) && strstr (text, contains) != NULL)
        return text;
    }
  return NULL;
}

static guint
count_call_lines (GtkWidget *card)
{
  GtkWidget *list = nc_ui_test_find_widget (card, GTK_TYPE_LIST_BOX, NULL, NULL);
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    n++;
  return n;
}

static gint64
add_caller (Fixture *fixture)
{
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  NcClient *client = nc_client_new (0, "Иван Петров", NC_CHANNEL_WHATSAPP, "79004443322", 0);
  GPtrArray *variables = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free);

  g_ptr_array_add (variables, nc_variable_new ("zadarma_last_call_outcome", "перезвонить"));
  g_ptr_array_add (variables, nc_variable_new ("zadarma_last_call_note",
                                               "просил позвонить после обеда"));
  nc_client_take_variables (client, variables);
  g_ptr_array_add (drafts, client);
  g_assert_true (nc_store_add_clients_sync (fixture->store, drafts, &ids, &error));
  g_assert_no_error (error);
  return g_array_index (ids, gint64, 0);
}

/* A client calls this employee while they type in the search: the card says who, with
 * their last three calls, the outcome and note of the last one, and who spoke to them
 * last; the focus and what is typed stay where they were; it stays while this employee
 * talks, and goes at the end. */
static void
test_known_caller (Fixture       *fixture,
                   gconstpointer  data)
{
  NcCallerCard *card = caller_card (fixture);
  GtkWidget *entry = search_entry (fixture);
  gint64 ivan = add_caller (fixture);
  g_autofree char *d1 = now_text (60 * 24 * 3);
  g_autofree char *d2 = now_text (60 * 24 * 2);
  g_autofree char *d3 = now_text (60 * 5);
  g_autofree char *d4 = now_text (30);
  GtkWidget *focus, *open;
  const char *text;

  nc_dialer_set_employee_id (fixture->dialer, "100");
  past_call (fixture, "old_1", d1, "111111", "61", "answered", ivan);
  past_call (fixture, "old_2", d2, "101", "125", "answered", ivan);
  past_call (fixture, "old_3", d3, "100", "0", "no answer", ivan);
  past_call (fixture, "old_4", d4, "100", "0", "busy", ivan);
  /* The operator noted the last one as the client's variables say. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(NcCallRecord) noted = nc_store_note_call_sync (fixture->store, "old_4",
                                                             "перезвонить",
                                                             "просил позвонить после обеда",
                                                             &error);

    g_assert_no_error (error);
    g_assert_nonnull (noted);
  }
  g_assert_true (card_gone (card));

  /* The operator types in the search. */
  gtk_widget_grab_focus (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "Пет");
  gtk_editable_set_position (GTK_EDITABLE (entry), -1);
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);
  focus = gtk_root_get_focus (GTK_ROOT (fixture->window));
  g_assert_nonnull (focus);
  g_assert_true (focus == entry || gtk_widget_is_ancestor (focus, entry));

  ring (fixture, "in_now", "79004443322", "100");
  tie_client (fixture, "in_now", ivan, NC_MATCH_RULE_TELEPHONY_CLIENT);
  g_assert_true (nc_test_wait_until (card_loaded, card, 20));
  g_assert_true (card_shown (card));
  g_assert_cmpstr (nc_call_get_pbx_call_id (nc_caller_card_get_call (card)), ==, "in_now");
  g_assert_nonnull (label_text (GTK_WIDGET (card), "Иван Петров"));
  g_assert_nonnull (label_text (GTK_WIDGET (card), "WhatsApp"));
  g_assert_nonnull (label_text (GTK_WIDGET (card), "+7 900 444-33-22"));
  /* The last three before this one: busy, no answer, answered in 2:05 — not the oldest. */
  g_assert_cmpuint (count_call_lines (GTK_WIDGET (card)), ==, 3);
  g_assert_nonnull (label_text (GTK_WIDGET (card), "2:05"));
  g_assert_null (label_text (GTK_WIDGET (card), "1:01"));
  text = label_text (GTK_WIDGET (card), "просил позвонить после обеда");
  g_assert_nonnull (text);
  g_assert_nonnull (strstr (text, "перезвонить"));
  /* Each call says the outcome it was given, after how it went. */
  g_assert_nonnull (label_text (GTK_WIDGET (card), " · перезвонить"));
  /* The last answered one was Борис's. */
  g_assert_nonnull (label_text (GTK_WIDGET (card), "Борис Старший"));

  /* The focus never moved, and typing goes on where it was. */
  nc_ui_test_spin (300);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (fixture->window)) == focus);
  g_assert_true (gtk_widget_has_focus (focus));
  gtk_editable_insert_text (GTK_EDITABLE (focus), "ров", -1,
                            &(int) { gtk_editable_get_position (GTK_EDITABLE (focus)) });
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "Петров");

  nc_ui_test_assert_icon_buttons_explained (GTK_WIDGET (card));
  screenshots (fixture, "caller-card");
  g_assert_true (gtk_root_get_focus (GTK_ROOT (fixture->window)) == focus);

  /* Open shows the client's card, when clicked. */
  open = nc_ui_test_find_widget (GTK_WIDGET (card), GTK_TYPE_BUTTON, "label",
                                 russian ? "_Открыть" : "_Open");
  g_assert_true (gtk_widget_get_visible (open));
  g_assert_false (gtk_widget_get_visible (nc_ui_test_find_widget (GTK_WIDGET (card),
                                                                  GTK_TYPE_BUTTON, "label",
                                                                  russian ? "_Добавить клиента"
                                                                          : "_Add Client")));
  g_signal_emit_by_name (open, "clicked");
  g_assert_true (nc_test_wait_until (client_card_open, GSIZE_TO_POINTER (NC_TYPE_CLIENT_CARD),
                                     20));
  gtk_window_destroy (toplevel_of_type (NC_TYPE_CLIENT_CARD));

  /* This employee answers: the card stays while they talk; the end takes it away. */
  answer (fixture, "in_now", "79004443322", "100");
  nc_ui_test_spin (100);
  g_assert_true (card_shown (card));
  hang_up (fixture, "in_now", "79004443322", "100");
  g_assert_true (nc_test_wait_until (card_gone, card, 20));

  /* Another rings: answered by someone else, it goes. */
  ring (fixture, "in_other", "79004443322", "100");
  g_assert_true (nc_test_wait_until (card_shown, card, 20));
  answer (fixture, "in_other", "79004443322", "111111");
  g_assert_true (nc_test_wait_until (card_gone, card, 20));

  /* Another: dismissed, it goes, and the focus is still in the search. */
  ring (fixture, "in_third", "79004443322", "100");
  g_assert_true (nc_test_wait_until (card_shown, card, 20));
  nc_caller_card_dismiss (card);
  g_assert_true (card_gone (card));
  g_assert_true (gtk_root_get_focus (GTK_ROOT (fixture->window)) == focus);
}

/* A number that is no client: the card says so, and Add Client opens the editor with
 * the number filled in. A call that rings to someone else shows only in a supervisor's
 * view. */
static void
test_unknown_caller (Fixture       *fixture,
                     gconstpointer  data)
{
  NcCallerCard *card = caller_card (fixture);
  GtkWidget *add, *open;
  GtkWindow *editor;
  GtkWidget *phone_row;

  nc_dialer_set_employee_id (fixture->dialer, "100");
  ring (fixture, "in_unknown", "79261112233", "100");
  g_assert_true (nc_test_wait_until (card_loaded, card, 20));
  g_assert_nonnull (label_text (GTK_WIDGET (card), "+7 926 111-22-33"));
  add = nc_ui_test_find_widget (GTK_WIDGET (card), GTK_TYPE_BUTTON, "label",
                                russian ? "_Добавить клиента" : "_Add Client");
  open = nc_ui_test_find_widget (GTK_WIDGET (card), GTK_TYPE_BUTTON, "label",
                                 russian ? "_Открыть" : "_Open");
  g_assert_nonnull (add);
  g_assert_nonnull (open);
  g_assert_true (gtk_widget_get_visible (add));
  g_assert_false (gtk_widget_get_visible (open));
  g_assert_false (gtk_widget_get_focus_on_click (add));
  nc_ui_test_assert_icon_buttons_explained (GTK_WIDGET (card));
  screenshots (fixture, "caller-card-unknown");

  g_signal_emit_by_name (add, "clicked");
  g_assert_true (nc_test_wait_until (client_card_open, GSIZE_TO_POINTER (NC_TYPE_CLIENT_EDITOR),
                                     20));
  editor = toplevel_of_type (NC_TYPE_CLIENT_EDITOR);
  phone_row = nc_ui_test_find_widget (GTK_WIDGET (editor), ADW_TYPE_ENTRY_ROW, "text",
                                      "+7 926 111-22-33");
  g_assert_nonnull (phone_row);
  gtk_window_destroy (editor);

  hang_up (fixture, "in_unknown", "79261112233", "100");
  g_assert_true (nc_test_wait_until (card_gone, card, 20));

  /* Ringing to Борис: not this console's call, until it watches every call. */
  ring (fixture, "in_boris", "79261112233", "101");
  nc_ui_test_spin (200);
  g_assert_true (card_gone (card));
  nc_caller_card_set_every_call (card, TRUE);
  g_assert_true (nc_test_wait_until (card_shown, card, 20));
  g_assert_nonnull (label_text (GTK_WIDGET (card), "Борис Старший"));
  /* Answered by Борис: it goes from the supervisor's view too. */
  answer (fixture, "in_boris", "79261112233", "101");
  g_assert_true (nc_test_wait_until (card_gone, card, 20));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = g_dir_make_tmp ("nc-caller-card-XXXXXX", NULL);
  int status;

  /* Before GLib reads them once and for all: this test's own data and config folders. */
  softphone_record = nc_test_install_fake_softphone (home);

  russian = nc_ui_test_init (&argc, &argv);
  suffix = russian ? "-ru" : "";
  nc_ui_test_load_style ();

#define ADD(path, func) \
  g_test_add ("/caller-card/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("dial-row", test_dial_row);
  ADD ("dial-row-client-number", test_dial_row_client_number);
  ADD ("known-caller", test_known_caller);
  ADD ("unknown-caller", test_unknown_caller);
#undef ADD

  status = nc_test_run ();
  g_free (softphone_record);
  nc_test_remove_tree (home);
  return status;
}
