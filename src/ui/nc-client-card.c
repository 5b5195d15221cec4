/* nc-client-card.c — one client: details, variables, calls, and why the calls are theirs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-client-card"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-call-row.h"
#include "nc-client-card.h"
#include "nc-phone.h"

#define RECORD_LINK_VARIABLE "zadarma_record_link"

struct _NcClientCard
{
  AdwWindow            parent_instance;

  gint64               client_id;

  AdwWindowTitle      *title;
  AdwPreferencesGroup *details;
  AdwPreferencesGroup *variables;
  AdwPreferencesGroup *calls;
};

G_DEFINE_FINAL_TYPE (NcClientCard, nc_client_card, ADW_TYPE_WINDOW)

static GtkWidget *
row (const char *title,
     const char *subtitle)
{
  GtkWidget *widget = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (widget), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (widget), subtitle != NULL ? subtitle : "");
  /* The value is what people copy: let them. */
  gtk_widget_add_css_class (widget, "property");
  return widget;
}

static void
launched (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    g_message ("Could not open a recording: %s", error->message);
}

static void
open_uri_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_autoptr(GdkAppLaunchContext) context =
    gdk_display_get_app_launch_context (gtk_widget_get_display (widget));

  g_app_info_launch_default_for_uri_async (g_variant_get_string (parameter, NULL),
                                           G_APP_LAUNCH_CONTEXT (context), NULL, launched, NULL);
}

/* The window that opened the card edits the client; the card, now out of date, goes. */
static void
edit_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  NcClientCard *self = NC_CLIENT_CARD (widget);
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.edit-client", "x", self->client_id);
  gtk_window_close (GTK_WINDOW (self));
}

static void
nc_client_card_class_init (NcClientCardClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /* The recording buttons of the card and of its call rows. */
  gtk_widget_class_install_action (widget_class, "win.open-uri", "s", open_uri_activated);
  gtk_widget_class_install_action (widget_class, "card.edit", NULL, edit_activated);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-client-card.ui");
  gtk_widget_class_bind_template_child (widget_class, NcClientCard, title);
  gtk_widget_class_bind_template_child (widget_class, NcClientCard, details);
  gtk_widget_class_bind_template_child (widget_class, NcClientCard, variables);
  gtk_widget_class_bind_template_child (widget_class, NcClientCard, calls);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
nc_client_card_init (NcClientCard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * nc_client_card_new:
 * @client: the client, its variables loaded
 * @tracker: (nullable): where the client's calls are
 */
NcClientCard *
nc_client_card_new (GtkWindow     *parent,
                    NcClient      *client,
                    NcCallTracker *tracker)
{
  NcClientCard *self = g_object_new (NC_TYPE_CLIENT_CARD,
                                     "transient-for", parent,
                                     "modal", FALSE,
                                     NULL);
  g_autofree char *phone = nc_phone_format (nc_client_get_phone (client));
  GPtrArray *variables = nc_client_get_variables (client);
  guint n_calls = 0;

  self->client_id = nc_client_get_id (client);
  adw_window_title_set_title (self->title, nc_client_get_name (client));
  adw_window_title_set_subtitle (self->title, nc_channel_get_label (nc_client_get_channel (client)));
  adw_preferences_group_add (self->details, row (_("Name"), nc_client_get_name (client)));
  adw_preferences_group_add (self->details,
                             row (_("Channel"), nc_channel_get_label (nc_client_get_channel (client))));
  adw_preferences_group_add (self->details, row (_("Phone"), *phone != '\0' ? phone : _("None")));

  for (guint i = 0; variables != NULL && i < variables->len; i++)
    {
      NcVariable *variable = variables->pdata[i];
      GtkWidget *widget = row (variable->name, variable->value);

      /* A recording is a link that opens. */
      if (g_str_equal (variable->name, RECORD_LINK_VARIABLE))
        {
          GtkWidget *open = gtk_button_new_from_icon_name ("media-playback-start-symbolic");

          gtk_widget_set_valign (open, GTK_ALIGN_CENTER);
          gtk_widget_set_tooltip_text (open, _("Open the Recording"));
          gtk_accessible_update_property (GTK_ACCESSIBLE (open), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          _("Open the recording of the last call"), -1);
          gtk_widget_add_css_class (open, "flat");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (open), "s", variable->value);
          gtk_actionable_set_action_name (GTK_ACTIONABLE (open), "win.open-uri");
          adw_action_row_add_suffix (ADW_ACTION_ROW (widget), open);
        }
      adw_preferences_group_add (self->variables, widget);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->variables), variables != NULL && variables->len > 0);

  if (tracker != NULL)
    {
      GListModel *journal = nc_call_tracker_get_journal (tracker);

      for (guint i = 0; i < g_list_model_get_n_items (journal); i++)
        {
          g_autoptr(NcCall) call = g_list_model_get_item (journal, i);
          GtkWidget *call_row;

          if (nc_call_get_client_id (call) != nc_client_get_id (client))
            continue;

          call_row = nc_call_row_new ();
          nc_call_row_set_call (NC_CALL_ROW (call_row), call);
          adw_preferences_group_add (self->calls, call_row);
          /* Why this client? The matcher's rule, said once. */
          if (n_calls++ == 0 && nc_call_get_match_reason (call) != NULL)
            adw_preferences_group_set_description (self->calls, nc_call_get_match_reason (call));
        }
    }
  if (n_calls == 0)
    adw_preferences_group_set_description (self->calls, _("No calls with this client yet."));

  return self;
}
