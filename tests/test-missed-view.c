/* test-missed-view.c — the Missed page, driven as an operator does: claim, call back,
 * close with a reason, and another desk's claim seen here; screenshots in the language
 * of the run, wide and 360 px
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "nc-missed-row.h"
#include "nc-missed-view.h"
#include "nc-preferences-window.h"
#include "nc-settings.h"
#include "nc-test-util.h"
#include "nc-ui-test-util.h"
#include "nc-window.h"
#include "nc-zadarma-sign.h"

#define MINUTE ((gint64) 60 * G_USEC_PER_SEC)

static char *data_dir;
static NcSession *session;
static GSettings *settings;
static GPtrArray *calls_asked;   /* what win.call-client was asked to call */
static GPtrArray *toasts;
static gint64 clients[4];
static const char *me_name;

/* An unanswered call from @number, @ago before now. */
static void
miss (NcStore    *store,
      const char *id,
      const char *number,
      gint64      ago_us,
      gint64      client_id)
{
  nc_test_store_call_in (store, id, number, FALSE, g_get_real_time () - ago_us, client_id);
}

static gboolean
employee_known (gpointer data)
{
  return nc_dialer_get_employee (nc_session_get_dialer (session)) != NULL;
}

static gboolean
list_has (gpointer data)
{
  NcMissedList *list = nc_missed_view_get_list (data);

  return list != NULL && !nc_missed_list_get_loading (list) &&
         g_list_model_get_n_items (G_LIST_MODEL (list)) == GPOINTER_TO_UINT (
           g_object_get_data (G_OBJECT (data), "wanted"));
}

static void
wait_for_items (NcMissedView *view,
                guint         n)
{
  g_object_set_data (G_OBJECT (view), "wanted", GUINT_TO_POINTER (n));
  g_assert_true (nc_test_wait_until (list_has, view, 20));
}

typedef struct
{
  gint64      client_id;
  const char *claimed_by;   /* %NULL: none */
} Claimed;

static gboolean
claimed_is (gpointer data)
{
  Claimed *wanted = data;
  g_autoptr(NcMissedCall) missed =
    nc_store_get_missed_sync (nc_session_get_store (session), wanted->client_id, NULL);

  return missed != NULL && g_strcmp0 (missed->claimed_by, wanted->claimed_by) == 0;
}

/* The row of @client_id, as the list view shows it. */
static NcMissedRow *
row_of (GtkWidget  *root,
        const char *name)
{
  g_autoptr(GPtrArray) rows = nc_ui_test_find_all (root, NC_TYPE_MISSED_ROW);

  for (guint i = 0; i < rows->len; i++)
    if (nc_ui_test_find_widget (rows->pdata[i], GTK_TYPE_LABEL, "label", name) != NULL)
      return rows->pdata[i];
  return NULL;
}

static GtkLabel *
wait_label (NcMissedRow *row)
{
  g_autoptr(GPtrArray) labels = nc_ui_test_find_all (GTK_WIDGET (row), GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_has_css_class (labels->pdata[i], "missed-wait"))
      return labels->pdata[i];
  g_assert_not_reached ();
}

static gboolean
row_says (gpointer data)
{
  GtkWidget *root = g_object_get_data (data, "root");
  NcMissedRow *row = row_of (root, g_object_get_data (data, "name"));

  return row != NULL &&
         nc_ui_test_find_widget (GTK_WIDGET (row), GTK_TYPE_LABEL, "label",
                                 g_object_get_data (data, "text")) != NULL;
}

static void
wait_for_row_text (GtkWidget  *root,
                   const char *name,
                   const char *text)
{
  g_object_set_data (G_OBJECT (root), "root", root);
  g_object_set_data_full (G_OBJECT (root), "name", g_strdup (name), g_free);
  g_object_set_data_full (G_OBJECT (root), "text", g_strdup (text), g_free);
  g_assert_true (nc_test_wait_until (row_says, root, 20));
}

static void
call_client (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_ptr_array_add (calls_asked, g_variant_dup_string (parameter, NULL));
}

static void
toast (GSimpleAction *action,
       GVariant      *parameter,
       gpointer       user_data)
{
  g_test_message ("toast: %s", g_variant_get_string (parameter, NULL));
  g_ptr_array_add (toasts, g_variant_dup_string (parameter, NULL));
}

static AdwMessageDialog *
find_dialog (void)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  for (GList *l = windows; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_dialog () != NULL;
}

static gboolean
calls_asked_one (gpointer data)
{
  return calls_asked->len == 1;
}

static const char *
language (void)
{
  return g_str_equal (_("Missed calls"), "Missed calls") ? "en" : "ru";
}

static void
shoot (GtkWidget  *window,
       const char *name)
{
  g_autofree char *path = NULL;

  nc_ui_test_spin (300);
  nc_ui_test_wait_for_frames (window, 3);
  path = nc_ui_test_save_screenshot (window, name);
  g_test_message ("screenshot: %s", path);
}

/* The view by itself, in a window whose win.call-client and win.toast the test hears: a
 * claim, a call back, a close with its reason, another desk's claim. */
static void
test_drive_view (void)
{
  static const GActionEntry entries[] = {
    { .name = "call-client", .activate = call_client, .parameter_type = "s" },
    { .name = "toast", .activate = toast, .parameter_type = "s" },
  };
  NcStore *store = nc_session_get_store (session);
  g_autoptr(GSimpleActionGroup) win = g_simple_action_group_new ();
  g_autoptr(NcStore) desk = NULL;
  g_autoptr(NcMissedCall) missed = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = g_object_new (NC_TYPE_MISSED_VIEW, NULL);
  GtkWidget *list_view;
  AdwMessageDialog *dialog;
  GtkWidget *entry;
  NcMissedRow *row;
  GtkLabel *label;
  Claimed wanted;

  g_action_map_add_action_entries (G_ACTION_MAP (win), entries, G_N_ELEMENTS (entries), NULL);
  gtk_widget_insert_action_group (window, "win", G_ACTION_GROUP (win));
  gtk_window_set_default_size (GTK_WINDOW (window), 700, 500);
  gtk_window_set_child (GTK_WINDOW (window), view);
  nc_missed_view_set_session (NC_MISSED_VIEW (view), session);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_items (NC_MISSED_VIEW (view), 3);
  nc_ui_test_wait_for_frames (window, 3);
  g_assert_cmpuint (nc_missed_view_get_count (NC_MISSED_VIEW (view)), ==, 3);

  /* The list says what it is, in the run's language. */
  list_view = nc_ui_test_find_widget (view, GTK_TYPE_LIST_VIEW, NULL, NULL);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (list_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       _("Missed calls"));
  nc_ui_test_assert_icon_buttons_explained (view);

  /* Oldest first; each wait in words, and on its colour. */
  row = row_of (view, "Вера Красная");
  g_assert_nonnull (row);
  label = wait_label (row);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (label), "missed-over"));
  {
    g_autofree char *two_hours = nc_missed_format_wait (2 * 60 * MINUTE);

    g_assert_cmpstr (gtk_label_get_label (label), ==, two_hours);
  }
  label = wait_label (row_of (view, "Борис Жёлтый"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (label), "missed-long"));
  label = wait_label (row_of (view, "Галина Зелёная"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (label), "missed-short"));
  /* The supervisor's targets move the colours. */
  g_settings_set_int (settings, "missed-wait-short", 1);
  g_settings_set_int (settings, "missed-wait-long", 10);
  nc_ui_test_spin (100);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (label), "missed-long"));
  g_settings_reset (settings, "missed-wait-short");
  g_settings_reset (settings, "missed-wait-long");
  nc_ui_test_spin (100);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (label), "missed-short"));

  /* Claim: the store has it as this desk's employee's, and the row says so. */
  g_assert_true (gtk_widget_activate_action (view, "missed.claim", "x", clients[0]));
  wanted = (Claimed) { clients[0], me_name };
  g_assert_true (nc_test_wait_until (claimed_is, &wanted, 20));
  wait_for_row_text (view, "Вера Красная", _("You call back"));
  /* Release, and claim again. */
  g_assert_true (gtk_widget_activate_action (view, "missed.release", "x", clients[0]));
  wanted = (Claimed) { clients[0], NULL };
  g_assert_true (nc_test_wait_until (claimed_is, &wanted, 20));
  g_assert_true (gtk_widget_activate_action (view, "missed.claim", "x", clients[0]));
  wanted = (Claimed) { clients[0], me_name };
  g_assert_true (nc_test_wait_until (claimed_is, &wanted, 20));

  /* Call back with one click: claimed, then called through the window. */
  g_assert_true (gtk_widget_activate_action (view, "missed.call-back", "x", clients[1]));
  g_assert_true (nc_test_wait_until (calls_asked_one, NULL, 20));
  g_assert_cmpstr (calls_asked->pdata[0], ==, "79002220002");
  wanted = (Claimed) { clients[1], me_name };
  g_assert_true (nc_test_wait_until (claimed_is, &wanted, 20));

  /* Another desk claims the third: this one sees who has it, and cannot call it back. */
  desk = nc_store_open_sync (data_dir, &error);
  g_assert_no_error (error);
  g_assert_true (nc_store_claim_missed_sync (desk, clients[2], "Дмитрий", TRUE, &error));
  g_assert_no_error (error);
  {
    g_autofree char *says = g_strdup_printf (_("%s calls back"), "Дмитрий");

    g_autofree char *shot = g_strdup_printf ("missed-claimed-%s", language ());

    wait_for_row_text (view, "Галина Зелёная", says);
    shoot (window, shot);
  }
  g_assert_true (gtk_widget_activate_action (view, "missed.call-back", "x", clients[2]));
  nc_ui_test_spin (300);
  g_assert_cmpuint (calls_asked->len, ==, 1);
  g_assert_cmpuint (toasts->len, >=, 1);
  g_assert_nonnull (strstr (toasts->pdata[toasts->len - 1], "Дмитрий"));

  /* Close with a reason: the dialog wants one; then the entry goes, the reason stays. */
  g_assert_true (gtk_widget_activate_action (view, "missed.close", "x", clients[0]));
  g_assert_true (nc_test_wait_until (dialog_shown, NULL, 20));
  dialog = find_dialog ();
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "close"));
  entry = adw_message_dialog_get_extra_child (dialog);
  gtk_editable_set_text (GTK_EDITABLE (entry), "Написали в WhatsApp");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "close"));
  adw_message_dialog_response (dialog, "close");
  wait_for_items (NC_MISSED_VIEW (view), 2);
  missed = nc_store_get_missed_sync (store, clients[0], &error);
  g_assert_cmpint (missed->state, ==, NC_MISSED_CLOSED);
  g_assert_cmpstr (missed->closed_reason, ==, "Написали в WhatsApp");
  g_assert_cmpstr (missed->closed_by, ==, me_name);
  g_assert_cmpuint (nc_missed_view_get_count (NC_MISSED_VIEW (view)), ==, 2);

  /* Missed again: back, and counted on the badge. */
  miss (store, "again", "79001110001", 0, clients[0]);
  wait_for_items (NC_MISSED_VIEW (view), 3);

  gtk_window_destroy (GTK_WINDOW (window));
  nc_ui_test_spin (50);
  nc_store_close (desk);
}


/* The page in the window: its badge counts the clients who wait; wide and 360 px wide. */
static void
test_window_page (void)
{
  const char *lang = language ();
  GtkWidget *window = GTK_WIDGET (nc_window_new (NULL, session));
  AdwViewStack *stack;
  GtkWidget *page;
  g_autofree char *wide = g_strdup_printf ("missed-%s", lang);
  g_autofree char *narrow = g_strdup_printf ("missed-narrow-%s", lang);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 640);
  gtk_window_present (GTK_WINDOW (window));
  page = nc_ui_test_find_widget (window, NC_TYPE_MISSED_VIEW, NULL, NULL);
  g_assert_nonnull (page);
  wait_for_items (NC_MISSED_VIEW (page), 3);
  stack = ADW_VIEW_STACK (gtk_widget_get_ancestor (page, ADW_TYPE_VIEW_STACK));
  g_assert_cmpuint (adw_view_stack_page_get_badge_number (adw_view_stack_get_page (stack, page)),
                    ==, 3);
  g_assert_true (gtk_widget_activate_action (window, "win.show-page", "s", "missed"));
  g_assert_true (gtk_widget_get_mapped (page));
  shoot (window, wide);

  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  gtk_window_unmaximize (GTK_WINDOW (window));
  nc_ui_test_spin (300);
  nc_ui_test_wait_for_frames (window, 3);
  shoot (window, narrow);
  /* The page itself fits in 360 px, in either language (the window's account bar, which is
   * not the page's, may ask for more in Russian). */
  {
    int minimum = 0;

    gtk_widget_measure (page, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
    g_assert_cmpint (minimum, <=, 360);
    g_test_message ("the window at its narrowest: %d px", gtk_widget_get_width (window));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  nc_ui_test_spin (50);
}

/* The supervisor's targets: a page of the preferences, bound to the settings. */
static void
test_preferences_page (void)
{
  NcPreferencesWindow *preferences = nc_preferences_window_new (NULL, session);
  g_autofree char *name = g_strdup_printf ("missed-preferences-%s", language ());
  g_autoptr(GPtrArray) spins = NULL;

  gtk_window_set_default_size (GTK_WINDOW (preferences), 360, 600);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences), "missed");
  gtk_window_present (GTK_WINDOW (preferences));
  spins = nc_ui_test_find_all (GTK_WIDGET (preferences), GTK_TYPE_SPIN_BUTTON);
  g_assert_cmpuint (spins->len, >=, 2);
  /* The first target, as a supervisor sets it, is the setting. */
  for (guint i = 0; i < spins->len; i++)
    if (gtk_widget_get_mapped (spins->pdata[i]) &&
        gtk_spin_button_get_value_as_int (spins->pdata[i]) == 15)
      {
        gtk_spin_button_set_value (spins->pdata[i], 20);
        break;
      }
  g_assert_cmpint (g_settings_get_int (settings, "missed-wait-short"), ==, 20);
  g_settings_reset (settings, "missed-wait-short");
  shoot (GTK_WIDGET (preferences), name);
  gtk_window_destroy (GTK_WINDOW (preferences));
  nc_ui_test_spin (50);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcEmployee) me = NULL;
  NcStore *store;
  int status;

  /* Not gtk_test_init(): it forces the C locale, and the run may be in Russian. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("NOVOFON_CONSOLE_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* GTK's test context keeps what is said to a screen reader, for the test to read. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  {
    /* What an AdwApplication loads by itself: the wait's colours. */
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, RESOURCE_BASE_PATH "/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  calls_asked = g_ptr_array_new_with_free_func (g_free);
  toasts = g_ptr_array_new_with_free_func (g_free);
  data_dir = nc_test_make_temp_dir ();
  settings = nc_settings_new_if_installed ();
  g_assert_nonnull (settings);
  session = nc_session_new_full (data_dir, NULL, settings, NC_SESSION_CALLS);
  g_assert_true (nc_session_start_sync (session, &error));
  g_assert_no_error (error);
  store = nc_session_get_store (session);

  me_name = "Анна";
  me = nc_employee_new (0, me_name, "111111", "79500000033", NC_CALL_METHOD_APP);
  g_assert_cmpint (nc_store_save_employee_sync (store, me, NULL), >, 0);
  g_settings_set_string (settings, "current-employee", "111111");
  g_assert_true (nc_test_wait_until (employee_known, NULL, 20));

  clients[0] = nc_test_add_client (store, "Вера Красная", "79001110001");
  clients[1] = nc_test_add_client (store, "Борис Жёлтый", "79002220002");
  clients[2] = nc_test_add_client (store, "Галина Зелёная", "79003330003");
  miss (store, "red", "79001110001", 2 * 60 * MINUTE, clients[0]);
  miss (store, "amber-1", "79002220002", 40 * MINUTE, clients[1]);
  miss (store, "amber-2", "79002220002", 25 * MINUTE, clients[1]);
  miss (store, "green", "79003330003", 5 * MINUTE, clients[2]);

  g_test_add_func ("/missed-view/window-page", test_window_page);
  g_test_add_func ("/missed-view/drive", test_drive_view);
  g_test_add_func ("/missed-view/preferences-page", test_preferences_page);
  status = nc_test_run ();

  nc_session_close (session);
  g_clear_object (&session);
  g_clear_object (&settings);
  g_ptr_array_unref (calls_asked);
  g_ptr_array_unref (toasts);
  nc_test_remove_tree (data_dir);
  g_free (data_dir);
  return status;
}
