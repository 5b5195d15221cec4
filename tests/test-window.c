/* test-window.c — the console window under Xvfb: its three parts, menu, shortcuts, About
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nc-application.h"
#include "nc-clients-view.h"
#include "nc-employees-view.h"
#include "nc-live-view.h"
#include "nc-preferences-window.h"
#include "nc-test-util.h"
#include "nc-ui-test-util.h"
#include "nc-window.h"

static NcApplication *app;
static int test_status = 1;

static GtkWidget *
get_window (void)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  g_assert_true (NC_IS_WINDOW (window));
  return GTK_WIDGET (window);
}

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

/* The status page on screen in @part: a title, and a sentence that says what to do. */
static void
assert_empty_state (GtkWidget  *part,
                    const char *title)
{
  AdwStatusPage *page = ADW_STATUS_PAGE (nc_ui_test_find_widget (part, ADW_TYPE_STATUS_PAGE,
                                                                 "title", title));
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  const char *description;

  g_assert_nonnull (page);
  /* A part says it is empty once it has read that it is (the journal's first page). */
  while (!gtk_widget_get_mapped (GTK_WIDGET (page)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page)));
  description = adw_status_page_get_description (page);
  g_assert_nonnull (description);
  g_assert_cmpuint (strlen (description), >, 40);
}

static gboolean
store_open (void)
{
  return nc_session_get_store (nc_application_get_session (app)) != NULL;
}

static gboolean
clients_empty_shown (void)
{
  AdwStatusPage *page = ADW_STATUS_PAGE (nc_ui_test_find_widget (get_window (),
                                                                 ADW_TYPE_STATUS_PAGE, "title",
                                                                 "No Clients Yet"));

  return page != NULL && gtk_widget_get_mapped (GTK_WIDGET (page));
}

static void
test_three_parts (void)
{
  GtkWidget *window = get_window ();
  AdwViewStack *stack = ADW_VIEW_STACK (nc_ui_test_find_widget (window, ADW_TYPE_VIEW_STACK,
                                                                NULL, NULL));
  GtkWidget *clients = nc_ui_test_find_widget (window, NC_TYPE_CLIENTS_VIEW, NULL, NULL);
  GtkWidget *employees = nc_ui_test_find_widget (window, NC_TYPE_EMPLOYEES_VIEW, NULL, NULL);
  GtkWidget *live = nc_ui_test_find_widget (window, NC_TYPE_LIVE_VIEW, NULL, NULL);

  g_assert_nonnull (stack);
  g_assert_nonnull (clients);
  g_assert_nonnull (employees);
  g_assert_nonnull (live);

  g_assert_cmpstr (adw_view_stack_page_get_title (adw_view_stack_get_page (stack, clients)), ==,
                   "Clients");
  g_assert_cmpstr (adw_view_stack_page_get_title (adw_view_stack_get_page (stack, employees)), ==,
                   "Employees");
  g_assert_nonnull (nc_ui_test_find_widget (clients, GTK_TYPE_SEARCH_ENTRY, NULL, NULL));

  /* On a normal-size window the live events stay beside the other two. */
  g_assert_true (gtk_widget_get_mapped (clients));
  g_assert_true (gtk_widget_get_mapped (live));
  g_assert_cmpint (gtk_widget_get_width (live), >=, 300);

  /* A new user sees what to do next in each part, once the data is open. */
  wait_until (store_open);
  wait_until (clients_empty_shown);
  assert_empty_state (clients, "No Clients Yet");
  assert_empty_state (live, "No Calls Yet");
  g_assert_false (gtk_widget_get_mapped (employees));

  adw_view_stack_set_visible_child_name (stack, "employees");
  nc_ui_test_wait_for_frames (window, 2);
  g_assert_true (gtk_widget_get_mapped (employees));
  g_assert_true (gtk_widget_get_mapped (live));
  assert_empty_state (employees, "No Employees Yet");
  /* The "+" of the header bar adds what the page shows. */
  g_assert_cmpstr (gtk_widget_get_tooltip_text (nc_ui_test_find_widget (window, GTK_TYPE_BUTTON,
                                                                        "action-name", "win.add")),
                   ==, "Add Employee");
  adw_view_stack_set_visible_child_name (stack, "clients");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (nc_ui_test_find_widget (window, GTK_TYPE_BUTTON,
                                                                        "action-name", "win.add")),
                   ==, "Add Client");
}

static gboolean
account_bar_shown (void)
{
  GtkWidget *button = nc_ui_test_find_widget (get_window (), GTK_TYPE_BUTTON, "action-name",
                                              "app.demo");

  return button != NULL && gtk_widget_get_mapped (button);
}

/* Without an account, the window says what is missing and offers the two ways on: the
 * account, or the demo. Nobody is chosen as this console's employee, and it says so. */
static void
test_first_start (void)
{
  GtkWidget *window = get_window ();
  GtkWidget *connect;
  GtkLabel *acting;

  wait_until (account_bar_shown);
  connect = nc_ui_test_find_widget (window, GTK_TYPE_BUTTON, "label", "_Connect Account…");
  g_assert_nonnull (connect);
  g_assert_true (gtk_widget_get_mapped (connect));
  /* Under the header bar, not above it, once the bar has slid into place. */
  {
    GtkRevealer *bar = GTK_REVEALER (gtk_widget_get_ancestor (connect, GTK_TYPE_REVEALER));
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

    while (!gtk_revealer_get_child_revealed (bar) && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_assert_true (gtk_revealer_get_child_revealed (bar));
    nc_ui_test_wait_for_frames (window, 1);
  }
  {
    graphene_point_t at;
    GtkWidget *header = nc_ui_test_find_widget (window, ADW_TYPE_HEADER_BAR, NULL, NULL);
    graphene_point_t header_at;

    g_assert_true (gtk_widget_compute_point (connect, window, &GRAPHENE_POINT_INIT (0, 0), &at));
    g_assert_true (gtk_widget_compute_point (header, window, &GRAPHENE_POINT_INIT (0, 0),
                                             &header_at));
    g_assert_cmpfloat (at.y, >, header_at.y + gtk_widget_get_height (header) - 1);
  }
  acting = GTK_LABEL (nc_ui_test_find_widget (window, GTK_TYPE_LABEL, "label",
                                              "Add yourself under Employees to call clients"));
  g_assert_nonnull (acting);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (acting)));
}

static void
assert_accel (const char *action,
              const char *accel)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), action);

  g_assert_true (g_strv_contains ((const char *const *) accels, accel));
}

static void
test_shortcuts (void)
{
  GtkWidget *window = get_window ();

  assert_accel ("app.preferences", "<Control>comma");
  assert_accel ("app.quit", "<Control>q");
  assert_accel ("win.show-help-overlay", "<Control>question");
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));

  /* Every shortcut the window has is in the shortcuts window. */
  {
    GtkWidget *overlay = GTK_WIDGET (gtk_application_window_get_help_overlay (
                                       GTK_APPLICATION_WINDOW (window)));
    g_autoptr(GPtrArray) shortcuts = nc_ui_test_find_all (overlay, GTK_TYPE_SHORTCUTS_SHORTCUT);
    static const char *const wanted[] = {
      "<Control>f", "<Control>n", "<Control>Return", "<Alt>1", "<Alt>2", "F9", "Return",
    };

    for (guint i = 0; i < G_N_ELEMENTS (wanted); i++)
      {
        gboolean found = FALSE;

        for (guint j = 0; j < shortcuts->len && !found; j++)
          {
            g_autofree char *accelerator = NULL;

            g_object_get (shortcuts->pdata[j], "accelerator", &accelerator, NULL);
            found = g_strcmp0 (accelerator, wanted[i]) == 0;
          }
        if (!found)
          g_error ("The shortcuts window does not list %s", wanted[i]);
      }
  }

  /* Alt+2 and Alt+1 switch the pages. */
  g_assert_true (gtk_widget_activate_action (window, "win.show-page", "s", "employees"));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (
                     ADW_VIEW_STACK (nc_ui_test_find_widget (window, ADW_TYPE_VIEW_STACK, NULL,
                                                             NULL))), ==, "employees");
  g_assert_true (gtk_widget_activate_action (window, "win.show-page", "s", "clients"));

  /* Ctrl+F goes to the search entry of the clients. */
  g_assert_true (gtk_widget_activate_action (window, "win.search", NULL));
  nc_ui_test_spin (50);
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (gtk_window_get_focus (GTK_WINDOW (window)))));
  g_assert_nonnull (gtk_widget_get_ancestor (gtk_window_get_focus (GTK_WINDOW (window)),
                                             GTK_TYPE_SEARCH_ENTRY));
}

static void
test_primary_menu (void)
{
  GtkWidget *window = get_window ();
  GtkMenuButton *button = NULL;
  g_autoptr(GPtrArray) buttons = nc_ui_test_find_all (window, GTK_TYPE_MENU_BUTTON);
  GMenuModel *model;
  g_autoptr(GPtrArray) actions = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < buttons->len; i++)
    if (gtk_menu_button_get_primary (buttons->pdata[i]))
      button = buttons->pdata[i];
  g_assert_nonnull (button);
  g_assert_nonnull (gtk_widget_get_tooltip_text (GTK_WIDGET (button)));

  model = gtk_menu_button_get_menu_model (button);
  for (int s = 0; s < g_menu_model_get_n_items (model); s++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, s, G_MENU_LINK_SECTION);

      for (int i = 0; section != NULL && i < g_menu_model_get_n_items (section); i++)
        {
          char *action = NULL;

          g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_ACTION, "s", &action);
          g_ptr_array_add (actions, action);
        }
    }
  g_ptr_array_add (actions, NULL);
  g_assert_true (g_strv_contains ((const char *const *) actions->pdata, "app.preferences"));
  g_assert_true (g_strv_contains ((const char *const *) actions->pdata, "win.show-help-overlay"));
  g_assert_true (g_strv_contains ((const char *const *) actions->pdata, "app.about"));
}

static GtkWindow *
find_window_of_type (GType type)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
      return l->data;
  return NULL;
}

static void
test_preferences_open (void)
{
  GtkWindow *preferences;

  g_assert_null (find_window_of_type (NC_TYPE_PREFERENCES_WINDOW));
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  nc_ui_test_spin (100);
  preferences = find_window_of_type (NC_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (preferences)));

  /* No account yet: what cannot work is insensitive and says why, and nothing tells the
   * user to run a command. */
  {
    AdwActionRow *url_row = ADW_ACTION_ROW (nc_ui_test_find_widget (GTK_WIDGET (preferences),
                                                                    ADW_TYPE_ACTION_ROW, "title",
                                                                    "Webhook Address"));
    AdwActionRow *listener_row = ADW_ACTION_ROW (nc_ui_test_find_widget (GTK_WIDGET (preferences),
                                                                         ADW_TYPE_ACTION_ROW,
                                                                         "title", "Listener"));
    GtkWidget *receive = nc_ui_test_find_widget (GTK_WIDGET (preferences), ADW_TYPE_ACTION_ROW,
                                                 "title", "Receive Call Events");
    GtkWidget *register_button = nc_ui_test_find_widget (GTK_WIDGET (preferences),
                                                         GTK_TYPE_BUTTON, "label",
                                                         "_Register with Novofon");

    g_assert_nonnull (url_row);
    g_assert_cmpstr (adw_action_row_get_subtitle (url_row), ==, "No address without an account");
    g_assert_false (gtk_widget_is_sensitive (receive));
    g_assert_false (gtk_widget_is_sensitive (register_button));
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (listener_row), "account"));
    g_assert_null (strstr (adw_action_row_get_subtitle (listener_row), "novofon-console"));
    g_assert_nonnull (nc_ui_test_find_widget (GTK_WIDGET (preferences),
                                              ADW_TYPE_PASSWORD_ENTRY_ROW, NULL, NULL));
    nc_ui_test_wait_for_frames (GTK_WIDGET (preferences), 2);
    g_free (nc_ui_test_save_screenshot (GTK_WIDGET (preferences), "preferences"));
  }
  gtk_window_destroy (preferences);
  nc_ui_test_spin (50);
}

/* libadwaita 1.2 cannot read the About window from the metainfo: the two must agree. */
static char *
metainfo_element (const char *xml,
                  const char *open_tag)
{
  const char *start = strstr (xml, open_tag);
  const char *end;

  g_assert_nonnull (start);
  start = strchr (start, '>') + 1;
  end = strchr (start, '<');
  return g_strndup (start, (gsize) (end - start));
}

static void
test_about_matches_metainfo (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("NC_BUILD_ROOT"), "data",
                                            APPLICATION_ID ".metainfo.xml", NULL);
  g_autofree char *xml = NULL;
  g_autofree char *name = NULL;
  g_autofree char *developer = NULL;
  g_autofree char *homepage = NULL;
  g_autofree char *release = NULL;
  g_autoptr(GError) error = NULL;
  GtkWindow *about;

  g_file_get_contents (path, &xml, NULL, &error);
  g_assert_no_error (error);
  name = metainfo_element (xml, "<name>");
  developer = metainfo_element (xml, "<developer_name>");
  homepage = metainfo_element (xml, "<url type=\"homepage\">");
  release = g_strdup (strstr (xml, "<release version=\"") + strlen ("<release version=\""));
  *strchr (release, '"') = '\0';

  about = nc_application_create_about_window (app);
  g_object_ref_sink (about);
  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (about)), ==, name);
  g_assert_cmpstr (adw_about_window_get_developer_name (ADW_ABOUT_WINDOW (about)), ==, developer);
  g_assert_cmpstr (adw_about_window_get_website (ADW_ABOUT_WINDOW (about)), ==, homepage);
  g_assert_true (g_str_has_prefix (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)),
                                   release));
  g_assert_cmpstr (adw_about_window_get_application_icon (ADW_ABOUT_WINDOW (about)), ==,
                   APPLICATION_ID);
  g_assert_nonnull (strstr (xml, "<project_license>GPL-3.0-or-later</project_license>"));
  g_assert_cmpint (adw_about_window_get_license_type (ADW_ABOUT_WINDOW (about)), ==,
                   GTK_LICENSE_GPL_3_0);
  gtk_window_destroy (about);
  g_object_unref (about);
}

static void
test_screenshot_and_narrow (void)
{
  GtkWidget *window = get_window ();
  AdwFlap *flap = ADW_FLAP (nc_ui_test_find_widget (window, ADW_TYPE_FLAP, NULL, NULL));
  g_autofree char *wide = NULL;
  g_autofree char *narrow = NULL;

  g_assert_false (adw_flap_get_folded (flap));
  wide = nc_ui_test_save_screenshot (window, "window");
  g_test_message ("screenshot: %s", wide);
  g_assert_true (g_file_test (wide, G_FILE_TEST_IS_REGULAR));

  /* A narrow window — 360 px, as asked — folds the live events behind a toggle in the
   * header bar, and brings them back with a visible back button. */
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 760);
  gtk_widget_queue_resize (window);
  nc_ui_test_spin (500);
  nc_ui_test_wait_for_frames (window, 3);
  g_assert_true (adw_flap_get_folded (flap));
  g_assert_cmpint (gtk_widget_get_width (window), <=, 360);
  narrow = nc_ui_test_save_screenshot (window, "window-narrow");
  g_test_message ("screenshot: %s", narrow);
  g_assert_true (gtk_widget_activate_action (window, "win.toggle-live-events", NULL));
  nc_ui_test_spin (400);
  nc_ui_test_wait_for_frames (window, 3);
  g_assert_true (adw_flap_get_reveal_flap (flap));
  {
    GtkWidget *back = nc_ui_test_find_widget (window, GTK_TYPE_BUTTON, "action-name",
                                              "win.hide-live-events");

    g_assert_true (gtk_widget_get_mapped (back));
    g_free (nc_ui_test_save_screenshot (window, "window-narrow-live"));
    g_assert_true (gtk_widget_activate_action (window, "win.hide-live-events", NULL));
    g_assert_false (adw_flap_get_reveal_flap (flap));
  }
}

static gboolean
run_tests (gpointer user_data)
{
  GtkWidget *window = get_window ();

  nc_ui_test_wait_for_frames (window, 3);
  test_status = nc_test_run ();
  g_application_release (G_APPLICATION (app));
  /* Quit as a user does, so that every window goes and the application can be finalized. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
on_activate (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  gtk_window_set_default_size (window, 1280, 800);
  g_application_hold (application);
  g_idle_add (run_tests, NULL);
}

int
main (int   argc,
      char *argv[])
{
  /* Its own data, whatever the tests before it left in the session's folders: the empty
   * states are what a new user sees. */
  g_autofree char *data_dir = nc_test_make_temp_dir ();
  char *app_argv[] = { argv[0], (char *) "--data-dir", data_dir, NULL };

  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/window/three-parts", test_three_parts);
  g_test_add_func ("/window/first-start", test_first_start);
  g_test_add_func ("/window/shortcuts", test_shortcuts);
  g_test_add_func ("/window/primary-menu", test_primary_menu);
  g_test_add_func ("/window/preferences-open", test_preferences_open);
  g_test_add_func ("/window/about-matches-metainfo", test_about_matches_metainfo);
  g_test_add_func ("/window/screenshot-and-narrow", test_screenshot_and_narrow);

  app = nc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), NULL);
  g_application_run (G_APPLICATION (app), 3, app_argv);
  g_assert_finalize_object (app);
  nc_test_remove_tree (data_dir);

  return test_status;
}
