/* test-team-view.c — the Team page: each employee's state as calls ring, are answered
 * and end; who is online as the PBX says, and what it says when it cannot; the day's
 * figures as the store counts them; their export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "nc-pbx-simulator.h"
#include "nc-settings.h"
#include "nc-team-view.h"
#include "nc-window.h"
#include "nc-test-util.h"
#include "nc-ui-test-util.h"

#define KEY "a1b2c3d4e5f6a7b8c9d0"
#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"

static const char *suffix = "";

typedef struct
{
  char           *dir;
  NcPbxSimulator *simulator;
  GSettings      *settings;
  NcSession      *session;
  NcStore        *store;
  NcCallTracker  *tracker;
  GtkWindow      *window;
  NcTeamView     *view;
} Fixture;

static gboolean
employees_loaded (gpointer data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (nc_session_get_employees (data))) == 3;
}

static NcTeamMember *
member (Fixture    *fixture,
        const char *extension)
{
  GListModel *members = nc_team_board_get_members (nc_team_view_get_board (fixture->view));

  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr(NcTeamMember) m = g_list_model_get_item (members, i);

      if (g_strcmp0 (nc_team_member_get_extension (m), extension) == 0)
        return m;
    }
  g_assert_not_reached ();
}

/* The label of the page that begins with @prefix, shown. */
static GtkLabel *
label_starting (Fixture    *fixture,
                const char *prefix)
{
  g_autoptr(GPtrArray) labels = nc_ui_test_find_all (GTK_WIDGET (fixture->view), GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_get_mapped (labels->pdata[i]) &&
        g_str_has_prefix (gtk_label_get_label (labels->pdata[i]), prefix))
      return labels->pdata[i];
  return NULL;
}

typedef struct
{
  Fixture    *fixture;
  const char *extension;
  NcTeamState state;
} StateWait;

/* The member is in @state, and its row says so as the page words it. */
static gboolean
row_shows_state (gpointer data)
{
  StateWait *wait = data;
  NcTeamMember *m = member (wait->fixture, wait->extension);
  g_autofree char *said = NULL;
  char *lasted;

  if (nc_team_member_get_state (m) != wait->state)
    return FALSE;
  said = nc_team_view_describe_state (m, g_get_real_time ());
  /* A duration ticks: the row is looked for by what comes before it. */
  lasted = g_strrstr (said, " · ");
  if (lasted != NULL)
    *lasted = '\0';
  return label_starting (wait->fixture, said) != NULL;
}

static void
wait_state (Fixture     *fixture,
            const char  *extension,
            NcTeamState  state)
{
  StateWait wait = { fixture, extension, state };

  g_assert_true (nc_test_wait_until (row_shows_state, &wait, 20));
}

static gboolean
figures_show (gpointer data)
{
  Fixture *fixture = data;
  const NcTeamFigures *team = nc_team_board_get_team_figures (nc_team_view_get_board (fixture->view));

  /* Both calls over: one talk to average. */
  return team != NULL && team->answered == 1 && team->missed == 1 && team->talks == 1 &&
         nc_team_member_get_figures (member (fixture, "101")) != NULL &&
         nc_team_member_get_figures (member (fixture, "101"))->missed == 1;
}

static gboolean
problem_known (gpointer data)
{
  return nc_team_member_get_online_problem (member (data, "102")) != NULL;
}

static gboolean
other_desk_counted (gpointer data)
{
  const NcTeamFigures *figures = nc_team_member_get_figures (member (data, "102"));

  return figures != NULL && figures->missed == 1;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char *const people[][2] = {
    { "Анна Операторова", "100" }, { "Борис Дежурный", "101" }, { "Вера Новенькая", "102" },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  /* The PBX knows 100 (online) and 101 (offline), not 102. */
  fixture->simulator = nc_pbx_simulator_new (KEY, SECRET);
  g_assert_true (nc_pbx_simulator_start (fixture->simulator, 0, &error));
  nc_pbx_simulator_add_extension (fixture->simulator, "100", TRUE);
  nc_pbx_simulator_add_extension (fixture->simulator, "101", FALSE);
  url = nc_pbx_simulator_get_url (fixture->simulator);
  g_setenv ("NOVOFON_API_URL", url, TRUE);
  g_setenv ("NOVOFON_API_KEY", KEY, TRUE);
  g_setenv ("NOVOFON_API_SECRET", SECRET, TRUE);

  fixture->dir = nc_test_make_temp_dir ();
  fixture->settings = nc_settings_new_if_installed ();
  g_assert_nonnull (fixture->settings);
  /* As the application makes it: the window's "who I am" follows its settings. */
  fixture->session = nc_session_new (fixture->dir, fixture->settings, NC_SESSION_CALLS);
  g_assert_true (nc_session_start_sync (fixture->session, &error));
  g_assert_no_error (error);
  fixture->store = nc_session_get_store (fixture->session);
  for (guint i = 0; i < G_N_ELEMENTS (people); i++)
    {
      g_autoptr(NcEmployee) employee = nc_employee_new (0, people[i][0], people[i][1], NULL,
                                                        NC_CALL_METHOD_APP);

      g_assert_cmpint (nc_store_save_employee_sync (fixture->store, employee, NULL), >, 0);
    }
  g_assert_true (nc_test_wait_until (employees_loaded, fixture->session, 20));
  fixture->tracker = g_object_ref (nc_session_get_tracker (fixture->session));

  fixture->view = g_object_new (NC_TYPE_TEAM_VIEW, NULL);
  nc_team_view_set_session (fixture->view, fixture->session);
  fixture->window = nc_ui_test_present (GTK_WIDGET (fixture->view), 1000, 620);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  nc_ui_test_spin (20);
  nc_session_close (fixture->session);
  g_clear_object (&fixture->tracker);
  nc_test_wait_for_last_reference (fixture->session);
  g_assert_finalize_object (fixture->session);
  g_clear_object (&fixture->settings);
  nc_pbx_simulator_stop (fixture->simulator);
  g_assert_finalize_object (fixture->simulator);
  nc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static void
screenshot (Fixture    *fixture,
            const char *name,
            int         width)
{
  g_autofree char *full = g_strconcat (name, suffix, NULL);
  g_autofree char *path = NULL;

  gtk_window_set_default_size (fixture->window, width, 620);
  nc_ui_test_wait_for_frames (GTK_WIDGET (fixture->window), 3);
  path = nc_ui_test_save_screenshot (GTK_WIDGET (fixture->window), full);
  g_test_message ("%s", path);
}

static void
test_states (Fixture       *fixture,
             gconstpointer  data)
{
  GtkWidget *list = nc_ui_test_find_widget (GTK_WIDGET (fixture->view), GTK_TYPE_LIST_VIEW,
                                            NULL, NULL);
  g_autofree char *start = nc_call_format_pbx_time (g_get_real_time () / G_USEC_PER_SEC);
  NcTeamMember *anna;
  g_autofree char *lasted = NULL;
  g_autofree char *file = g_build_filename (fixture->dir, "team.csv", NULL);
  g_autofree char *csv = NULL;
  g_autoptr(GFile) target = NULL;
  g_autofree char *unknown = NULL;
  GHashTable *fields = NULL;
  NcStore *other;
  GStatBuf st;

  g_assert_nonnull (list);
  nc_ui_test_assert_icon_buttons_explained (GTK_WIDGET (fixture->view));

  /* What the PBX says while the page is shown; what it cannot say is "unknown", with
   * its reason where the pointer finds it. */
  wait_state (fixture, "100", NC_TEAM_STATE_FREE);
  wait_state (fixture, "101", NC_TEAM_STATE_OFFLINE);
  g_assert_true (nc_test_wait_until (problem_known, fixture, 20));
  wait_state (fixture, "102", NC_TEAM_STATE_UNKNOWN);
  g_assert_nonnull (strstr (nc_team_member_get_online_problem (member (fixture, "102")),
                            "Wrong parameters"));
  unknown = nc_team_view_describe_state (member (fixture, "102"), 0);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (label_starting (fixture, unknown))), ==,
                   nc_team_member_get_online_problem (member (fixture, "102")));

  /* A call rings Анна, then she answers: ringing, then talking, with whom. */
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_START", 0, "pbx_call_id", "t1",
                "call_start", start, "caller_id", "79001112233", "called_did", "79500000033", NULL);
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_INTERNAL", 0, "pbx_call_id", "t1",
                "call_start", start, "caller_id", "79001112233", "called_did", "79500000033",
                "internal", "100", NULL);
  wait_state (fixture, "100", NC_TEAM_STATE_RINGING);
  g_assert_cmpstr (nc_team_member_get_peer (member (fixture, "100")), ==, "79001112233");
  screenshot (fixture, "team-ringing", 1000);

  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_ANSWER", 0, "pbx_call_id", "t1",
                "call_start", start, "caller_id", "79001112233", "destination", "100", NULL);
  wait_state (fixture, "100", NC_TEAM_STATE_TALKING);
  anna = member (fixture, "100");
  g_assert_cmpint (nc_team_member_get_since_us (anna), >, 0);
  /* How long: from the answer, as the row ticks it. */
  lasted = nc_team_view_describe_state (anna, nc_team_member_get_since_us (anna) +
                                              65 * G_USEC_PER_SEC);
  g_assert_true (g_str_has_suffix (lasted, " · 1:05"));
  g_assert_nonnull (strstr (lasted, "79001112233"));

  /* Борис misses one at the same time. */
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_START", 0, "pbx_call_id", "t2",
                "call_start", start, "caller_id", "79004445566", "called_did", "79500000033", NULL);
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_INTERNAL", 0, "pbx_call_id", "t2",
                "call_start", start, "caller_id", "79004445566", "called_did", "79500000033",
                "internal", "101", NULL);
  wait_state (fixture, "101", NC_TEAM_STATE_RINGING);
  screenshot (fixture, "team-wide", 1000);
  screenshot (fixture, "team-narrow", 360);
  gtk_window_set_default_size (fixture->window, 1000, 620);

  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_END", 0, "pbx_call_id", "t2",
                "call_start", start, "caller_id", "79004445566", "called_did", "79500000033",
                "internal", "101", "duration", "0", "disposition", "no answer", "status_code", "16",
                "is_recorded", "0", NULL);
  nc_test_feed (fixture->store, fixture->tracker, "NOTIFY_END", 0, "pbx_call_id", "t1",
                "call_start", start, "caller_id", "79001112233", "called_did", "79500000033",
                "internal", "100", "duration", "42", "disposition", "answered", "status_code", "16",
                "is_recorded", "0", NULL);
  /* Over: free again (the PBX said online), and the day's figures count both. */
  wait_state (fixture, "100", NC_TEAM_STATE_FREE);
  wait_state (fixture, "101", NC_TEAM_STATE_OFFLINE);
  g_assert_true (nc_test_wait_until (figures_show, fixture, 20));
  g_assert_cmpuint (nc_team_member_get_figures (member (fixture, "100"))->answered, ==, 1);
  g_assert_cmpint (nc_team_figures_get_average_talk (nc_team_member_get_figures (member (fixture, "100"))), ==, 42);
  g_assert_cmpuint (nc_team_member_get_figures (member (fixture, "101"))->not_called_back, ==, 1);
  screenshot (fixture, "team-figures", 1000);
  screenshot (fixture, "team-figures-narrow", 360);

  /* A call another process stored (a `listen` beside the console, another desk): the
   * figures follow it through the change log, as the live calls do. */
  other = nc_store_open_sync (fixture->dir, NULL);
  g_assert_nonnull (other);
  g_assert_true (nc_test_store_event (other, "NOTIFY_START", fields = nc_test_fields (
                   "pbx_call_id", "t3", "call_start", start, "caller_id", "79007778899",
                   "called_did", "79500000033", NULL), g_get_real_time ()));
  g_clear_pointer (&fields, g_hash_table_unref);
  g_assert_true (nc_test_store_event (other, "NOTIFY_END", fields = nc_test_fields (
                   "pbx_call_id", "t3", "call_start", start, "caller_id", "79007778899",
                   "called_did", "79500000033", "internal", "102", "duration", "0",
                   "disposition", "no answer", "status_code", "16", "is_recorded", "0", NULL),
                 g_get_real_time ()));
  g_clear_pointer (&fields, g_hash_table_unref);
  g_assert_true (nc_test_wait_until (other_desk_counted, fixture, 20));
  nc_store_close (other);
  g_object_unref (other);

  /* The export writes the day's figures, readable by its owner only. */
  target = g_file_new_for_path (file);
  nc_team_view_export_to (fixture->view, target);
  while (!g_file_test (file, G_FILE_TEST_EXISTS))
    g_main_context_iteration (NULL, TRUE);
  nc_ui_test_spin (50);
  g_assert_true (g_file_get_contents (file, &csv, NULL, NULL));
  g_assert_true (g_str_has_prefix (csv, "day,scope,employee,"));
  g_assert_nonnull (strstr (csv, ",team,,,3,0,1,2,"));
  g_assert_cmpint (g_stat (file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static gboolean
rows_shown (gpointer data)
{
  g_autoptr(GPtrArray) labels = nc_ui_test_find_all (data, GTK_TYPE_LABEL);
  guint n = 0;

  for (guint i = 0; i < labels->len; i++)
    n += gtk_widget_get_mapped (labels->pdata[i]) &&
         g_str_has_prefix (gtk_label_get_label (labels->pdata[i]), "Вера Новенькая");
  return n == 1;
}

/* The page is one of the window's views, named Team, and works at 360 px. */
static void
test_in_window (Fixture       *fixture,
                gconstpointer  data)
{
  NcWindow *window = nc_window_new (NULL, fixture->session);
  AdwViewStack *stack = ADW_VIEW_STACK (nc_ui_test_find_widget (GTK_WIDGET (window),
                                                                ADW_TYPE_VIEW_STACK, NULL, NULL));
  g_autofree char *wide = NULL, *narrow = NULL, *name = NULL;
  AdwViewStackPage *page;
  GtkWidget *view;
  int minimum = 0;

  page = adw_view_stack_get_page (stack, adw_view_stack_get_child_by_name (stack, "team"));
  g_assert_nonnull (page);
  g_assert_cmpstr (adw_view_stack_page_get_title (page), ==, g_dgettext (GETTEXT_PACKAGE, "Team"));
  view = adw_view_stack_get_child_by_name (stack, "team");
  g_assert_true (NC_IS_TEAM_VIEW (view));

  adw_view_stack_set_visible_child_name (stack, "team");
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (nc_test_wait_until (rows_shown, view, 20));
  nc_ui_test_assert_icon_buttons_explained (view);
  nc_ui_test_wait_for_frames (GTK_WIDGET (window), 3);
  name = g_strconcat ("team-window", suffix, NULL);
  wide = nc_ui_test_save_screenshot (GTK_WIDGET (window), name);
  g_free (name);

  gtk_window_set_default_size (GTK_WINDOW (window), 360, 700);
  nc_ui_test_wait_for_frames (GTK_WIDGET (window), 4);
  /* The page itself fits 360 px, in either language (the window's other parts are
   * theirs to fit). */
  gtk_widget_measure (view, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  g_assert_cmpint (minimum, <=, 360 - 24);
  name = g_strconcat ("team-window-narrow", suffix, NULL);
  narrow = nc_ui_test_save_screenshot (GTK_WIDGET (window), name);
  g_test_message ("%s, %s", wide, narrow);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  if (nc_ui_test_init (&argc, &argv))
    suffix = "-ru";

  g_test_add ("/team-view/states", Fixture, NULL, fixture_set_up, test_states, fixture_tear_down);
  g_test_add ("/team-view/in-window", Fixture, NULL, fixture_set_up, test_in_window,
              fixture_tear_down);

  return nc_test_run ();
}
