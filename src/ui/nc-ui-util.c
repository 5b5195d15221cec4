/* nc-ui-util.c — small things every widget of the console shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-ui-util"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "nc-ui-util.h"

/**
 * nc_toast_new:
 *
 * A toast whose text wraps: a sentence that says what to do must be read whole, and
 * libadwaita 1.2 cuts a long title off.
 *
 * Returns: (transfer full): the toast
 */
AdwToast *
nc_toast_new (const char *message)
{
  GtkWidget *label = gtk_label_new (message);
  AdwToast *toast = adw_toast_new ("");

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 48);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  adw_toast_set_custom_title (toast, label);
  return toast;
}

/**
 * nc_field_error_new:
 *
 * A row that says, under a field of a boxed list, what is wrong with it: hidden until
 * nc_field_error_show() has something to say.
 *
 * Returns: (transfer floating): the row, to add right after the field
 */
GtkWidget *
nc_field_error_new (void)
{
  GtkWidget *row = adw_preferences_row_new ();
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "error");
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);
  gtk_widget_set_visible (row, FALSE);
  return row;
}

/**
 * nc_field_error_show:
 * @message: (nullable): what is wrong with @field, or %NULL for nothing
 *
 * Marks @field (the `error` style) and says why in @error_row, or clears both.
 */
void
nc_field_error_show (GtkWidget  *error_row,
                     GtkWidget  *field,
                     const char *message)
{
  GtkWidget *label = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (error_row));

  gtk_label_set_label (GTK_LABEL (label), message != NULL ? message : "");
  gtk_widget_set_visible (error_row, message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (field, "error");
  else
    gtk_widget_remove_css_class (field, "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_STATE_INVALID,
                               message != NULL ? GTK_ACCESSIBLE_INVALID_TRUE
                                               : GTK_ACCESSIBLE_INVALID_FALSE, -1);
}

/**
 * nc_on_focus_leave:
 *
 * Calls @callback (with @user_data only) when the keyboard focus leaves @field: a field is
 * judged once the user is done with it, not while they type.
 */
void
nc_on_focus_leave (GtkWidget *field,
                   GCallback  callback,
                   gpointer   user_data)
{
  GtkEventController *focus = gtk_event_controller_focus_new ();

  g_signal_connect_swapped (focus, "leave", callback, user_data);
  gtk_widget_add_controller (field, focus);
}

/* How near the end of what a list has read its view may scroll before the next page is
 * read: a window's height or so, so that the page is there before it is scrolled to. */
#define NEAR_THE_END_PX 600

/**
 * nc_scrolled_near_end:
 *
 * Whether the view of @adjustment is near the end of its list. A paged model reads on
 * when it is: GTK 4.8's list view asks its model for every item it keeps, seen or not, so
 * the model alone cannot tell how far the user has scrolled.
 */
gboolean
nc_scrolled_near_end (GtkAdjustment *adjustment)
{
  return gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) >=
         gtk_adjustment_get_upper (adjustment) - NEAR_THE_END_PX;
}

/**
 * nc_call_start_text:
 *
 * When the call started, as people read it: the time today, the day and time before.
 *
 * Returns: (transfer full): the text, empty when the start is not known
 */
char *
nc_call_start_text (NcCall *call)
{
  const char *started = nc_call_get_started_at (call);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autoptr(GDateTime) time = NULL;
  int year, month, day, hour, minute;

  if (started == NULL || sscanf (started, "%4d-%2d-%2d %2d:%2d", &year, &month, &day, &hour,
                                 &minute) != 5)
    return g_strdup ("");
  /* The PBX's clock is the account's; the date is what tells today from before. */
  if (g_str_has_prefix (started, today))
    return g_strdup_printf ("%02d:%02d", hour, minute);
  time = g_date_time_new_local (year, month, day, hour, minute, 0);
  if (time == NULL)
    return g_strdup (started);
  /* Translators: a call's start on another day: a strftime format (day, month, time) */
  return g_date_time_format (time, year == g_date_time_get_year (now) ? _("%-d %b, %H:%M")
                                                                     : _("%-d %b %Y, %H:%M"));
}

static void
setup_string_label (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  ellipsize)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (ellipsize != NULL)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
bind_string_label (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  user_data)
{
  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)),
                       gtk_string_object_get_string (gtk_list_item_get_item (item)));
}

static GtkListItemFactory *
string_label_factory (gboolean ellipsize)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_string_label),
                    ellipsize ? GINT_TO_POINTER (TRUE) : NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_string_label), NULL);
  return factory;
}

/**
 * nc_drop_down_shrink:
 * @drop_down: a drop-down of a #GtkStringList
 *
 * Lets the drop-down's button be narrower than its longest choice, the choice cut short
 * with an ellipsis where it must be (the filters, side by side, in Russian at 360 px); the
 * list it opens still shows each choice whole.
 */
void
nc_drop_down_shrink (GtkDropDown *drop_down)
{
  g_autoptr(GtkListItemFactory) button = string_label_factory (TRUE);
  g_autoptr(GtkListItemFactory) list = string_label_factory (FALSE);

  gtk_drop_down_set_factory (drop_down, button);
  gtk_drop_down_set_list_factory (drop_down, list);
}
