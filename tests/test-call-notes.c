/* test-call-notes.c — an operator picks an outcome and writes a note in the window; the
 * row shows them, and the client's card their variables; the Preferences edit the list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs in English and, as call-notes-ru, in Russian (LANGUAGE=ru): the screenshots
 * call-notes-*.png and call-notes-*-ru.png, wide and 360 px.
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>

#include "nc-call-note-dialog.h"
#include "nc-call-row.h"
#include "nc-client-card.h"
#include "nc-outcomes-group.h"
#include "nc-preferences-window.h"
#include "nc-settings.h"
#include "nc-test-util.h"
#include "nc-ui-test-util.h"
#include "nc-window.h"

static const char *suffix = "";

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  g_autofree char *full = g_strconcat ("call-notes-", name, suffix, NULL);
  g_autofree char *path = NULL;

  nc_ui_test_spin (300);
  nc_ui_test_wait_for_frames (widget, 3);
  path = nc_ui_test_save_screenshot (widget, full);
  g_test_message ("screenshot: %s", path);
}

/* A toplevel of @type, presented. */
static gpointer
find_toplevel (GType type)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_mapped (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_toplevel (NC_TYPE_CALL_NOTE_DIALOG) != NULL;
}

static gboolean
dialog_gone (gpointer data)
{
  return find_toplevel (NC_TYPE_CALL_NOTE_DIALOG) == NULL;
}

static gboolean
card_shown (gpointer data)
{
  return find_toplevel (NC_TYPE_CLIENT_CARD) != NULL;
}

typedef struct
{
  GtkWidget  *root;
  const char *text;
} Seek;

/* Whether a label reading @text is on screen under @root. */
static gboolean
label_shown (gpointer data)
{
  Seek *seek = data;
  g_autoptr(GPtrArray) labels = nc_ui_test_find_all (seek->root, GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    if (g_strcmp0 (gtk_label_get_text (labels->pdata[i]), seek->text) == 0 &&
        gtk_widget_get_mapped (labels->pdata[i]))
      return TRUE;
  return FALSE;
}

static void
wait_for_label (GtkWidget  *root,
                const char *text)
{
  Seek seek = { root, text };

  g_assert_true (nc_test_wait_until (label_shown, &seek, 20));
}

/* The mapped "Outcome and Note" button of a row under @root. */
static GtkWidget *
note_button (GtkWidget *root)
{
  g_autoptr(GPtrArray) buttons = nc_ui_test_find_all (root, GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_actionable_get_action_name (buttons->pdata[i]), "win.note-call") == 0 &&
        gtk_widget_get_mapped (buttons->pdata[i]))
      return buttons->pdata[i];
  return NULL;
}

/* Opens the dialog from the row's button, picks @outcome (its place in the list, 0 for
 * none), writes @note and saves, as an operator would. */
static void
note_through_dialog (GtkWidget  *root,
                     guint       outcome,
                     const char *note,
                     const char *shot)
{
  GtkWidget *button = note_button (root);
  NcCallNoteDialog *dialog;
  AdwComboRow *combo;
  GtkTextView *view;

  g_assert_nonnull (button);
  gtk_widget_activate (button);
  g_assert_true (nc_test_wait_until (dialog_shown, NULL, 20));
  dialog = find_toplevel (NC_TYPE_CALL_NOTE_DIALOG);
  combo = ADW_COMBO_ROW (nc_ui_test_find_widget (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW,
                                                 NULL, NULL));
  view = GTK_TEXT_VIEW (nc_ui_test_find_widget (GTK_WIDGET (dialog), GTK_TYPE_TEXT_VIEW,
                                                NULL, NULL));
  adw_combo_row_set_selected (combo, outcome);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), note, -1);
  if (shot != NULL)
    screenshot (GTK_WIDGET (dialog), shot);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "note.save", NULL));
  g_assert_true (nc_test_wait_until (dialog_gone, NULL, 20));
}

static AdwActionRow *
variable_row (GtkWidget  *card,
              const char *name)
{
  return ADW_ACTION_ROW (nc_ui_test_find_widget (card, ADW_TYPE_ACTION_ROW, "title", name));
}

typedef struct
{
  GtkWidget  *card;
  const char *name;
  const char *value;
} VariableSeek;

static gboolean
variable_shown (gpointer data)
{
  VariableSeek *seek = data;
  AdwActionRow *row = variable_row (seek->card, seek->name);

  return row != NULL && g_strcmp0 (adw_action_row_get_subtitle (row), seek->value) == 0;
}

/* The group is at the foot of the Webhooks page: scrolled to, as a user would. */
static void
scroll_to_end (GtkWidget *widget)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;

  g_assert_nonnull (scrolled);
  nc_ui_test_wait_for_frames (widget, 2);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
}

/* Whether @widget fits in 360 px with a margin around. */
static void
assert_fits_narrow (GtkWidget *widget)
{
  int minimum = 0;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  g_assert_cmpint (minimum, <=, 340);
}

static void
test_note_in_window (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autoptr(NcSession) session = NULL;
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  NcCall *call;
  g_autoptr(NcCallRecord) record = NULL;
  g_autoptr(GVariant) client_id = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *start = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");
  g_autofree char *shown = NULL;
  g_autofree char *time = NULL;
  g_autoptr(GSettings) settings = NULL;
  VariableSeek seek;
  GtkWidget *window, *card;
  NcStore *store;

  settings = nc_settings_new_if_installed ();
  g_assert_nonnull (settings);
  session = nc_session_new_full (dir, NULL, settings, NC_SESSION_CALLS);
  g_assert_true (nc_session_start_sync (session, &error));
  g_assert_no_error (error);
  store = nc_session_get_store (session);
  g_ptr_array_add (drafts, nc_client_new (0, "Анна Смирнова", NC_CHANNEL_TELEPHONY,
                                          "79005550101", 0));
  g_assert_true (nc_store_add_clients_sync (store, drafts, &ids, &error));

  window = GTK_WIDGET (nc_window_new (NULL, session));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  gtk_window_present (GTK_WINDOW (window));
  nc_ui_test_wait_for_frames (window, 3);

  {
    g_autoptr(GHashTable) first = nc_test_fields ("pbx_call_id", "in-1", "call_start", start,
                                                  "caller_id", "79005550101", "called_did",
                                                  "74951234567", NULL);
    g_autoptr(GHashTable) last = nc_test_fields ("pbx_call_id", "in-1", "call_start", start,
                                                 "caller_id", "79005550101", "called_did",
                                                 "74951234567", "internal", "100",
                                                 "duration", "95", "disposition", "answered",
                                                 "status_code", "16", "is_recorded", "0",
                                                 "call_id_with_rec", "", NULL);
    NcCallTracker *tracker = nc_session_get_tracker (session);

    g_assert_nonnull (nc_test_ingest (store, tracker, "NOTIFY_START", first, g_get_real_time ()));
    call = nc_test_ingest (store, tracker, "NOTIFY_END", last, g_get_real_time ());
  }
  if (nc_call_get_client_id (call) == 0)
    g_assert_true (nc_store_set_call_client_sync (store, nc_call_get_id (call),
                                                  g_array_index (ids, gint64, 0), "telephony",
                                                  &error));
  wait_for_label (window, "Анна Смирнова");

  /* Through the row's button: the first outcome of the list, and a note of two lines. */
  note_through_dialog (window, 1, "Просила перезвонить в пятницу\nпосле обеда", "dialog");
  record = nc_store_get_call_sync (store, "in-1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->outcome, ==, _("Call back"));
  g_assert_cmpstr (record->note, ==, "Просила перезвонить в пятницу\nпосле обеда");

  /* The row shows the outcome and the note's first line, from the change feed. */
  shown = g_strdup_printf ("%s — %s", _("Call back"), "Просила перезвонить в пятницу");
  wait_for_label (window, shown);
  screenshot (window, "window");

  /* The client's card: the variables a bot reads. */
  client_id = g_variant_ref_sink (g_variant_new_int64 (g_array_index (ids, gint64, 0)));
  g_assert_true (gtk_widget_activate_action_variant (window, "win.show-client-id", client_id));
  g_assert_true (nc_test_wait_until (card_shown, NULL, 20));
  card = find_toplevel (NC_TYPE_CLIENT_CARD);
  time = g_strndup (start, 10);
  seek = (VariableSeek) { card, "zadarma_last_call_outcome", _("Call back") };
  g_assert_true (nc_test_wait_until (variable_shown, &seek, 20));
  seek = (VariableSeek) { card, "zadarma_last_call_note", "Просила перезвонить в пятницу\nпосле обеда" };
  g_assert_true (variable_shown (&seek));
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (variable_row (card, "zadarma_last_call_time")),
                                   time));

  /* Noted again from the card's own row: the card shows the new variables at once. */
  wait_for_label (card, shown);
  note_through_dialog (card, 3, "Договорились, счёт отправлен", NULL);
  seek = (VariableSeek) { card, "zadarma_last_call_outcome", _("Deal") };
  g_assert_true (nc_test_wait_until (variable_shown, &seek, 20));
  seek = (VariableSeek) { card, "zadarma_last_call_note", "Договорились, счёт отправлен" };
  g_assert_true (variable_shown (&seek));
  gtk_window_set_default_size (GTK_WINDOW (card), 560, 760);
  screenshot (card, "card");
  gtk_window_set_default_size (GTK_WINDOW (card), 360, 760);
  gtk_widget_queue_resize (card);
  screenshot (card, "card-narrow");
  /* The card's header bar (not of this part) is what sets its narrowest; its rows fit. */
  {
    g_autoptr(GPtrArray) rows = nc_ui_test_find_all (card, NC_TYPE_CALL_ROW);

    g_assert_cmpuint (rows->len, ==, 1);
    assert_fits_narrow (rows->pdata[0]);
  }
  gtk_window_destroy (GTK_WINDOW (card));

  /* 360 px wide: the row and the dialog still fit. */
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 760);
  gtk_widget_queue_resize (window);
  nc_ui_test_spin (500);
  nc_ui_test_wait_for_frames (window, 3);
  g_assert_true (gtk_widget_activate_action (window, "win.toggle-live-events", NULL));
  g_clear_pointer (&shown, g_free);
  shown = g_strdup_printf ("%s — %s", _("Deal"), "Договорились, счёт отправлен");
  wait_for_label (window, shown);
  screenshot (window, "window-narrow");
  /* In Russian the live events' filter bar (two drop-downs side by side, not of this
   * part) is wider than 360 px; the rows themselves ellipsize. */
  if (*suffix == '\0')
    g_assert_cmpint (gtk_widget_get_width (window), <=, 360);
  {
    g_autoptr(GPtrArray) rows = nc_ui_test_find_all (window, NC_TYPE_CALL_ROW);

    for (guint i = 0; i < rows->len; i++)
      if (gtk_widget_get_mapped (rows->pdata[i]))
        assert_fits_narrow (rows->pdata[i]);
  }
  gtk_widget_activate (note_button (window));
  g_assert_true (nc_test_wait_until (dialog_shown, NULL, 20));
  {
    GtkWindow *dialog = find_toplevel (NC_TYPE_CALL_NOTE_DIALOG);

    gtk_window_set_default_size (dialog, 360, 520);
    gtk_widget_queue_resize (GTK_WIDGET (dialog));
    screenshot (GTK_WIDGET (dialog), "dialog-narrow");
    g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (dialog)), <=, 360);
    nc_ui_test_assert_icon_buttons_explained (window);
    gtk_window_close (dialog);
  }
  g_assert_true (nc_test_wait_until (dialog_gone, NULL, 20));

  gtk_window_destroy (GTK_WINDOW (window));
  nc_ui_test_spin (50);
  nc_session_close (session);
  nc_test_remove_tree (dir);
}

/* The Preferences' list: an outcome added is offered after a call, one removed no more. */
static void
test_outcomes_in_preferences (void)
{
  g_autofree char *dir = nc_test_make_temp_dir ();
  g_autoptr(NcSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) outcomes = NULL;
  NcPreferencesWindow *preferences;
  g_autoptr(GSettings) settings = NULL;
  AdwEntryRow *add;
  GtkWidget *remove, *page;

  settings = nc_settings_new_if_installed ();
  g_assert_nonnull (settings);
  session = nc_session_new_full (dir, NULL, settings, NC_SESSION_CALLS);
  g_assert_true (nc_session_start_sync (session, &error));
  g_settings_reset (settings, "call-outcomes");

  preferences = nc_preferences_window_new (NULL, session);
  gtk_window_set_default_size (GTK_WINDOW (preferences), 640, 640);
  gtk_window_present (GTK_WINDOW (preferences));
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences), "webhooks");
  wait_for_label (GTK_WIDGET (preferences), _("Not interested"));

  page = nc_ui_test_find_widget (GTK_WIDGET (preferences), NC_TYPE_OUTCOMES_GROUP, NULL, NULL);
  g_assert_nonnull (page);
  add = ADW_ENTRY_ROW (nc_ui_test_find_widget (page, ADW_TYPE_ENTRY_ROW, NULL, NULL));
  gtk_editable_set_text (GTK_EDITABLE (add), "  Отправить КП ");
  g_signal_emit_by_name (add, "apply");
  outcomes = g_settings_get_strv (settings, "call-outcomes");
  g_assert_cmpuint (g_strv_length (outcomes), ==, 4);
  g_assert_cmpstr (outcomes[0], ==, _("Call back"));
  g_assert_cmpstr (outcomes[3], ==, "Отправить КП");
  wait_for_label (GTK_WIDGET (preferences), "Отправить КП");
  scroll_to_end (page);
  screenshot (GTK_WIDGET (preferences), "preferences");
  gtk_window_set_default_size (GTK_WINDOW (preferences), 360, 640);
  gtk_widget_queue_resize (GTK_WIDGET (preferences));
  nc_ui_test_spin (300);
  scroll_to_end (page);
  screenshot (GTK_WIDGET (preferences), "preferences-narrow");
  /* The Webhooks page is wider than 360 px by itself (389 px here); the group fits. */
  assert_fits_narrow (page);

  {
    g_autoptr(GPtrArray) buttons = nc_ui_test_find_all (page, GTK_TYPE_BUTTON);
    g_autoptr(GVariant) target = g_variant_ref_sink (g_variant_new_string (_("Not interested")));

    remove = NULL;
    for (guint i = 0; i < buttons->len && remove == NULL; i++)
      {
        GVariant *value = gtk_actionable_get_action_target_value (buttons->pdata[i]);

        if (value != NULL && g_variant_equal (value, target))
          remove = buttons->pdata[i];
      }
  }
  g_assert_nonnull (remove);
  g_assert_true (gtk_widget_activate_action_variant (remove, "outcomes.remove",
                                                     gtk_actionable_get_action_target_value (GTK_ACTIONABLE (remove))));
  g_clear_pointer (&outcomes, g_strfreev);
  outcomes = nc_call_outcomes_dup (settings);
  g_assert_cmpuint (g_strv_length (outcomes), ==, 3);
  g_assert_false (g_strv_contains ((const char *const *) outcomes, _("Not interested")));

  /* The defaults again, in the desk's language. */
  g_assert_true (gtk_widget_activate_action (page, "outcomes.reset", NULL));
  g_clear_pointer (&outcomes, g_strfreev);
  outcomes = nc_call_outcomes_dup (settings);
  g_assert_cmpuint (g_strv_length (outcomes), ==, 3);
  g_assert_cmpstr (outcomes[1], ==, _("Not interested"));

  gtk_window_destroy (GTK_WINDOW (preferences));
  nc_ui_test_spin (50);
  nc_session_close (session);
  nc_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  if (nc_ui_test_init (&argc, &argv))
    suffix = "-ru";
  nc_ui_test_load_style ();

  g_test_add_func ("/call-notes/note-in-window", test_note_in_window);
  g_test_add_func ("/call-notes/outcomes-in-preferences", test_outcomes_in_preferences);

  return nc_test_run ();
}
