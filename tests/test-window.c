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

static void
assert_empty_state (GtkWidget *part)
{
  AdwStatusPage *page = ADW_STATUS_PAGE (nc_ui_test_find_widget (part, ADW_TYPE_STATUS_PAGE,
                                                                 NULL, NULL));
  const char *description;

  g_assert_nonnull (page);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page)) ||
                 !gtk_widget_get_mapped (part));
  g_assert_cmpstr (adw_status_page_get_title (page), !=, "");
  description = adw_status_page_get_description (page);
  g_assert_nonnull (description);
  g_assert_cmpuint (strlen (description), >, 40);
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

  assert_empty_state (clients);
  assert_empty_state (employees);
  assert_empty_state (live);

  adw_view_stack_set_visible_child_name (stack, "employees");
  nc_ui_test_wait_for_frames (window, 2);
  g_assert_true (gtk_widget_get_mapped (employees));
  g_assert_true (gtk_widget_get_mapped (live));
  adw_view_stack_set_visible_child_name (stack, "clients");
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

  /* The address to paste, with a token from the keyring (made there the first time), and
   * the listener's state: no account yet, so it says what is missing. */
  {
    AdwActionRow *url_row = NULL;
    AdwActionRow *listener_row = NULL;
    gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while (g_get_monotonic_time () < deadline)
      {
        url_row = ADW_ACTION_ROW (nc_ui_test_find_widget (GTK_WIDGET (preferences),
                                                          ADW_TYPE_ACTION_ROW, "title",
                                                          "Webhook Address (local: set a public "
                                                          "address for the PBX to reach it)"));
        if (url_row != NULL && strstr (adw_action_row_get_subtitle (url_row), "/zadarma_webhook/"))
          break;
        g_main_context_iteration (NULL, FALSE);
      }
    g_assert_nonnull (url_row);
    g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (url_row),
                                     "http://127.0.0.1:8765/zadarma_webhook/"));
    listener_row = ADW_ACTION_ROW (nc_ui_test_find_widget (GTK_WIDGET (preferences),
                                                           ADW_TYPE_ACTION_ROW, "title",
                                                           "Listener"));
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (listener_row), "API Key"));
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

  /* A narrow window folds the live events behind a toggle in the header bar. */
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 760);
  gtk_widget_queue_resize (window);
  nc_ui_test_spin (500);
  nc_ui_test_wait_for_frames (window, 3);
  g_assert_true (adw_flap_get_folded (flap));
  narrow = nc_ui_test_save_screenshot (window, "window-narrow");
  g_test_message ("screenshot: %s", narrow);
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
