/* nc-window.c — the console window: clients, employees and live events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window shows one session (nc-session.c) and follows it: the store once it is
 * open, the account as it comes and goes, the dialer's word on whether a phone can call.
 * It never reaches back into the application. This file is its layout and what it
 * follows of the session; its actions are nc-window-actions.c and nc-window-transfer.c.
 */

#define G_LOG_DOMAIN "nc-window"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-window-private.h"

enum {
  PROP_0,
  PROP_SESSION,
  PROP_ACTING_AS,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (NcWindow, nc_window, ADW_TYPE_APPLICATION_WINDOW)

static GParamSpec *properties[N_PROPS];

static void
page_changed (NcWindow *self)
{
  gboolean employees = g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack),
                                  "employees") == 0;
  const char *label = employees ? _("Add Employee") : _("Add Client");

  gtk_widget_set_tooltip_text (GTK_WIDGET (self->add_button), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->add_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

/* The Missed page's badge: how many clients wait to be called back, seen from any page. */
static void
missed_count_changed (NcWindow *self)
{
  AdwViewStackPage *page = adw_view_stack_get_page (self->view_stack,
                                                    GTK_WIDGET (self->missed_view));
  guint count = nc_missed_view_get_count (self->missed_view);

  if (self->disposed || page == NULL)
    return;
  adw_view_stack_page_set_badge_number (page, count);
  adw_view_stack_page_set_needs_attention (page, count > 0);
}

static void
account_changed (NcWindow *self)
{
  const char *problem = nc_session_get_account_problem (self->session);
  gboolean demo = nc_session_get_demo (self->session);
  gboolean missing = !demo && !nc_session_get_account_ready (self->session) && problem != NULL;

  gtk_revealer_set_reveal_child (self->demo_revealer, demo);
  gtk_revealer_set_reveal_child (self->account_revealer, missing);
  if (missing)
    {
      g_autofree char *text = g_strdup_printf (_("%s. Connect the account’s Key and Secret to "
                                                 "call through the PBX and see every call "
                                                 "live, or try the console on a simulated PBX "
                                                 "first."), problem);

      gtk_label_set_label (self->account_label, text);
    }
}

/* The office database's connection is lost: the window says so until it is back (and the
 * journal has caught up by itself). */
static void
database_problem_changed (NcWindow *self)
{
  NcStore *store = nc_session_get_store (self->session);
  const char *problem = store != NULL ? nc_store_get_problem (store) : NULL;

  gtk_revealer_set_reveal_child (self->database_revealer, problem != NULL);
  if (problem != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("%s The calls, clients and employees shown "
                                                 "may be behind until it is back."), problem);

      gtk_label_set_label (self->database_label, text);
    }
}

static void
store_known (NcWindow *self)
{
  NcStore *store = nc_session_get_store (self->session);

  if (store == NULL || self->store_watched)
    return;
  self->store_watched = TRUE;
  g_signal_connect_object (store, "notify::problem", G_CALLBACK (database_problem_changed), self,
                           G_CONNECT_SWAPPED);
  database_problem_changed (self);
}

/**
 * nc_window_show_failure:
 *
 * Says that the project's data could not be opened, and why.
 */
void
nc_window_show_failure (NcWindow   *self,
                        const char *message)
{
  g_return_if_fail (NC_IS_WINDOW (self));
  nc_clients_view_show_failure (self->clients_view, message);
}

static void
nc_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  NcWindow *self = NC_WINDOW (object);
  const char *id;

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_ACTING_AS:
      /* Nobody chosen is "": the property action's state is a string, never none. */
      id = nc_dialer_get_employee_id (nc_session_get_dialer (self->session));
      g_value_set_string (value, id != NULL ? id : "");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  NcWindow *self = NC_WINDOW (object);
  GSettings *settings;

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_ACTING_AS:
      /* Who this desk is: its setting, which the dialer follows. */
      settings = nc_session_get_settings (self->session);
      if (settings != NULL)
        g_settings_set_string (settings, "current-employee", g_value_get_string (value));
      else
        nc_dialer_set_employee_id (nc_session_get_dialer (self->session),
                                   g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
employee_id_changed (NcWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTING_AS]);
}

/* The no-account bar's two buttons stand side by side where they fit, and one under the
 * other on a narrow window (in Russian they need 395 px side by side). The live events
 * pane is 340 px at least, which a folded window of 360 px needs; a wide window gives it
 * 400, where the filters' Russian words stand two to a line uncut. The window's default
 * size is its size once the user resized it. */
#define ACCOUNT_BUTTONS_SIDE_BY_SIDE 480
#define WIDE_LIVE_PANE_FROM 1000

static void
width_changed (NcWindow *self)
{
  int width = 0, height = 0;

  /* GTK 4.8 writes both, whatever is asked. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->account_buttons),
                                  width > 0 && width < ACCOUNT_BUTTONS_SIDE_BY_SIDE
                                  ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL);
  gtk_widget_set_size_request (self->live_pane, width >= WIDE_LIVE_PANE_FROM ? 400 : 340, -1);
}

static void
nc_window_constructed (GObject *object)
{
  NcWindow *self = NC_WINDOW (object);
  NcDialer *dialer = nc_session_get_dialer (self->session);

  G_OBJECT_CLASS (nc_window_parent_class)->constructed (object);

  nc_clients_view_set_session (self->clients_view, self->session);
  nc_employees_view_set_session (self->employees_view, self->session);
  nc_live_view_set_session (self->live_view, self->session);
  nc_team_view_set_session (self->team_view, self->session);
  nc_caller_card_set_session (self->caller_card, self->session);
  nc_missed_view_set_session (self->missed_view, self->session);
  g_signal_connect_object (self->missed_view, "notify::count",
                           G_CALLBACK (missed_count_changed), self, G_CONNECT_SWAPPED);
  missed_count_changed (self);
  nc_window_follow_for_actions (self);
  g_signal_connect_object (dialer, "notify::employee-id", G_CALLBACK (employee_id_changed), self,
                           G_CONNECT_SWAPPED);

  g_signal_connect_object (self->session, "notify::store", G_CALLBACK (store_known), self,
                           G_CONNECT_SWAPPED);
  store_known (self);
  g_signal_connect_object (self->session, "notify::account-ready", G_CALLBACK (account_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::account-problem",
                           G_CALLBACK (account_changed), self, G_CONNECT_SWAPPED);
  account_changed (self);
  page_changed (self);
  g_signal_connect (self, "notify::default-width", G_CALLBACK (width_changed), NULL);
  width_changed (self);
}

static void
nc_window_dispose (GObject *object)
{
  NcWindow *self = NC_WINDOW (object);

  self->disposed = TRUE;
  nc_window_cancel_transfer (self);
  g_clear_pointer (&self->last_toast, g_free);

  G_OBJECT_CLASS (nc_window_parent_class)->dispose (object);
}

static void
nc_window_finalize (GObject *object)
{
  NcWindow *self = NC_WINDOW (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->recent_toasts, g_ptr_array_unref);

  G_OBJECT_CLASS (nc_window_parent_class)->finalize (object);
}

static void
nc_window_class_init (NcWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = nc_window_get_property;
  object_class->set_property = nc_window_set_property;
  object_class->constructed = nc_window_constructed;
  object_class->dispose = nc_window_dispose;
  object_class->finalize = nc_window_finalize;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, NC_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * NcWindow:acting-as:
   *
   * The employee id this console acts as, for the "Who I am" menu (win.act-as).
   */
  properties[PROP_ACTING_AS] =
    g_param_spec_string ("acting-as", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (NC_TYPE_CLIENTS_VIEW);
  g_type_ensure (NC_TYPE_EMPLOYEES_VIEW);
  g_type_ensure (NC_TYPE_LIVE_VIEW);
  g_type_ensure (NC_TYPE_TEAM_VIEW);
  g_type_ensure (NC_TYPE_CALLER_CARD);
  g_type_ensure (NC_TYPE_RECORDING_PLAYER);
  g_type_ensure (NC_TYPE_MISSED_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, NcWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, add_button);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, clients_view);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, employees_view);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, missed_view);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, live_view);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, team_view);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, caller_card);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, recording_player);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, demo_revealer);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, account_revealer);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, account_buttons);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, live_pane);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, database_revealer);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, database_label);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, account_label);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, NcWindow, progress_bar);
  gtk_widget_class_bind_template_callback (widget_class, page_changed);

  nc_window_class_install_actions (widget_class);
  nc_window_class_install_transfer_actions (widget_class);
  gtk_widget_class_install_property_action (widget_class, "win.act-as", "acting-as");
}

static void
nc_window_init (NcWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->recent_toasts = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-transfer", FALSE);

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

NcWindow *
nc_window_new (GtkApplication *application,
               NcSession      *session)
{
  g_return_val_if_fail (NC_IS_SESSION (session), NULL);

  return g_object_new (NC_TYPE_WINDOW,
                       "application", application,
                       "session", session,
                       NULL);
}

/**
 * nc_window_get_session:
 *
 * Returns: (transfer none): the session the window shows
 */
NcSession *
nc_window_get_session (NcWindow *self)
{
  g_return_val_if_fail (NC_IS_WINDOW (self), NULL);
  return self->session;
}

/**
 * nc_window_show_client:
 * @number: the client's phone number, as a call reported it
 *
 * Brings the clients to the front, searching for @number.
 */
void
nc_window_show_client (NcWindow   *self,
                       const char *number)
{
  g_return_if_fail (NC_IS_WINDOW (self));

  adw_view_stack_set_visible_child_name (self->view_stack, "clients");
  nc_clients_view_search (self->clients_view, number);
}
