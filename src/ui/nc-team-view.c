/* nc-team-view.c — the supervisor's board: every employee now, and the day's figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * It shows what the board (nc-team-board.c) says and nothing else. While the page is
 * shown (mapped) the board asks the PBX who is online and the talk times tick; hidden, it
 * asks nothing.
 */

#define G_LOG_DOMAIN "nc-team-view"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-team-view.h"
#include "nc-ui-util.h"

struct _NcTeamView
{
  GtkBox        parent_instance;

  GtkLabel     *day_label;
  GtkLabel     *team_label;
  GtkButton    *export_button;
  GtkListView  *list_view;

  NcSession    *session;
  NcTeamBoard  *board;
  GPtrArray    *bound;        /* GtkListItem: the rows shown, ticked each second */
  guint         tick;
  GCancellable *export_cancellable;
};

G_DEFINE_FINAL_TYPE (NcTeamView, nc_team_view, GTK_TYPE_BOX)

static char *
duration_text (gint64 seconds)
{
  /* Nothing to average: a dash, not a nought that would say "no wait". */
  return seconds < 0 ? g_strdup ("—") : nc_format_duration ((guint) seconds);
}

static char *
figures_text (const NcTeamFigures *f)
{
  g_autofree char *wait = NULL;
  g_autofree char *talk = NULL;

  if (f == NULL)
    return g_strdup (_("Today’s figures are being read…"));
  wait = duration_text (nc_team_figures_get_average_wait (f));
  talk = duration_text (nc_team_figures_get_average_talk (f));
  /* Translators: a day's figures of an employee or of the team */
  return g_strdup_printf (_("In %u · Out %u · Answered %u · Missed %u · Average wait %s · "
                            "Average talk %s · Not called back %u"),
                          f->calls_in, f->calls_out, f->answered, f->missed, wait, talk,
                          f->not_called_back);
}

/**
 * nc_team_view_describe_state:
 * @now_us: the real-time clock now, for how long the state has lasted
 *
 * Returns: (transfer full): the member's state, as its row says it
 */
char *
nc_team_view_describe_state (NcTeamMember *member,
                             gint64        now_us)
{
  gint64 since = nc_team_member_get_since_us (member);
  g_autofree char *lasted = nc_format_duration (since > 0 && now_us > since
                                                ? (guint) ((now_us - since) / G_USEC_PER_SEC)
                                                : 0);
  const char *peer = nc_team_member_get_peer (member);

  if (nc_team_member_get_extension (member) == NULL)
    return g_strdup (_("No extension: set it in Employees"));
  switch (nc_team_member_get_state (member))
    {
    case NC_TEAM_STATE_RINGING:
      /* Translators: %s is the client's name or number, then how long it has rung */
      return g_strdup_printf (_("Ringing: %s · %s"), peer, lasted);
    case NC_TEAM_STATE_TALKING:
      /* Translators: %s is the client's name or number, then how long they have talked */
      return g_strdup_printf (_("Talking with %s · %s"), peer, lasted);
    case NC_TEAM_STATE_FREE:
      return g_strdup (_("Free"));
    case NC_TEAM_STATE_OFFLINE:
      return g_strdup (_("Offline"));
    case NC_TEAM_STATE_UNKNOWN:
    default:
      return g_strdup (_("Not on a call; online state unknown"));
    }
}

static void
update_row (GtkListItem *item)
{
  NcTeamMember *member = gtk_list_item_get_item (item);
  GtkWidget *row = gtk_list_item_get_child (item);
  GtkLabel *name = g_object_get_data (G_OBJECT (row), "name");
  GtkLabel *state = g_object_get_data (G_OBJECT (row), "state");
  GtkLabel *figures = g_object_get_data (G_OBJECT (row), "figures");
  g_autofree char *state_text = NULL;
  g_autofree char *figures_line = NULL;
  g_autofree char *title = NULL;
  const char *problem;

  if (member == NULL)
    return;
  state_text = nc_team_view_describe_state (member, g_get_real_time ());
  figures_line = figures_text (nc_team_member_get_figures (member));
  title = nc_team_member_get_extension (member) != NULL
          ? g_strdup_printf ("%s (%s)", nc_team_member_get_name (member),
                             nc_team_member_get_extension (member))
          : g_strdup (nc_team_member_get_name (member));
  gtk_label_set_label (name, title);
  gtk_label_set_label (state, state_text);
  gtk_label_set_label (figures, figures_line);

  /* Why the online state is unknown: the PBX's error, where the pointer and a screen
   * reader find it. */
  problem = nc_team_member_get_online_problem (member);
  gtk_widget_set_tooltip_text (GTK_WIDGET (state), problem);
  if (problem != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (state),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, problem, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (state), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);

  gtk_widget_remove_css_class (GTK_WIDGET (state), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (state), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (state), "accent");
  gtk_widget_remove_css_class (GTK_WIDGET (state), "dim-label");
  switch (nc_team_member_get_state (member))
    {
    case NC_TEAM_STATE_RINGING:
      gtk_widget_add_css_class (GTK_WIDGET (state), "warning");
      break;
    case NC_TEAM_STATE_TALKING:
      gtk_widget_add_css_class (GTK_WIDGET (state), "accent");
      break;
    case NC_TEAM_STATE_FREE:
      gtk_widget_add_css_class (GTK_WIDGET (state), "success");
      break;
    case NC_TEAM_STATE_OFFLINE:
    case NC_TEAM_STATE_UNKNOWN:
    default:
      gtk_widget_add_css_class (GTK_WIDGET (state), "dim-label");
      break;
    }
}

static GtkWidget *
row_label (GtkWidget  *box,
           const char *key)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_box_append (GTK_BOX (box), label);
  g_object_set_data (G_OBJECT (box), key, label);
  return label;
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           NcTeamView               *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_add_css_class (row_label (box, "name"), "heading");
  row_label (box, "state");
  gtk_widget_add_css_class (row_label (box, "figures"), "caption");
  gtk_list_item_set_child (item, box);
  gtk_list_item_set_activatable (item, FALSE);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          NcTeamView               *self)
{
  NcTeamMember *member = gtk_list_item_get_item (item);

  g_signal_connect_swapped (member, "changed", G_CALLBACK (update_row), item);
  g_ptr_array_add (self->bound, item);
  update_row (item);
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            NcTeamView               *self)
{
  NcTeamMember *member = gtk_list_item_get_item (item);

  if (member != NULL)
    g_signal_handlers_disconnect_by_func (member, update_row, item);
  g_ptr_array_remove_fast (self->bound, item);
}

static void
figures_changed (NcTeamView *self)
{
  const NcTeamFigures *team = nc_team_board_get_team_figures (self->board);
  const char *problem = nc_team_board_get_problem (self->board);
  g_autofree char *text = NULL;
  g_autofree char *day = NULL;

  /* Translators: %s is the day, YYYY-MM-DD */
  day = g_strdup_printf (_("Today, %s"), nc_team_board_get_day (self->board));
  gtk_label_set_label (self->day_label, day);
  if (problem != NULL)
    text = g_strdup_printf (_("Could not read today’s figures: %s"), problem);
  else
    {
      g_autofree char *figures = figures_text (team);

      /* Translators: before the team's figures of the day */
      text = g_strdup_printf (_("Team: %s"), figures);
    }
  gtk_label_set_label (self->team_label, text);
}

static gboolean
tick (gpointer user_data)
{
  NcTeamView *self = user_data;

  /* Only the rows shown, and only what lasts: a state's time. */
  for (guint i = 0; i < self->bound->len; i++)
    {
      NcTeamMember *member = gtk_list_item_get_item (self->bound->pdata[i]);
      NcTeamState state = member != NULL ? nc_team_member_get_state (member) : NC_TEAM_STATE_FREE;

      if (state == NC_TEAM_STATE_RINGING || state == NC_TEAM_STATE_TALKING)
        update_row (self->bound->pdata[i]);
    }
  return G_SOURCE_CONTINUE;
}

static void
view_mapped (NcTeamView *self)
{
  if (self->board != NULL)
    nc_team_board_set_active (self->board, TRUE);
  if (self->tick == 0)
    self->tick = g_timeout_add_seconds (1, tick, self);
}

static void
view_unmapped (NcTeamView *self)
{
  if (self->board != NULL)
    nc_team_board_set_active (self->board, FALSE);
  g_clear_handle_id (&self->tick, g_source_remove);
}

/* Export ---------------------------------------------------------------------------- */

static void
exported (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(NcTeamView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!nc_team_export_file_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("Could not export the team’s figures: %s"), error->message);
    }
  else
    message = g_strdup (_("The team’s figures are exported"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), TRUE);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
}

/**
 * nc_team_view_export_to:
 *
 * Writes the day's figures to @file, as the Export button does once a file is chosen.
 */
void
nc_team_view_export_to (NcTeamView *self,
                        GFile      *file)
{
  NcStore *store;

  g_return_if_fail (NC_IS_TEAM_VIEW (self));

  store = self->session != NULL ? nc_session_get_store (self->session) : NULL;
  if (store == NULL)
    return;
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), FALSE);
  nc_team_export_file_async (store, nc_team_board_get_day (self->board), file,
                             self->export_cancellable, exported, g_object_ref (self));
}

static void
file_chosen (GtkNativeDialog *chooser,
             int              response,
             NcTeamView      *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      nc_team_view_export_to (self, file);
    }
  g_object_unref (chooser);
}

static void
export_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  NcTeamView *self = NC_TEAM_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;
  g_autofree char *name = NULL;

  if (self->board == NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Export the Team’s Figures"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  /* Translators: the file name offered for the team's figures; %s is the day */
  name = g_strdup_printf (_("team-%s.csv"), nc_team_board_get_day (self->board));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (file_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ------------------------------------------------------------------------------------ */

static void
nc_team_view_dispose (GObject *object)
{
  NcTeamView *self = NC_TEAM_VIEW (object);

  g_cancellable_cancel (self->export_cancellable);
  g_clear_handle_id (&self->tick, g_source_remove);
  if (self->board != NULL)
    nc_team_board_stop (self->board);
  gtk_widget_dispose_template (GTK_WIDGET (self), NC_TYPE_TEAM_VIEW);
  g_clear_object (&self->board);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (nc_team_view_parent_class)->dispose (object);
}

static void
nc_team_view_finalize (GObject *object)
{
  NcTeamView *self = NC_TEAM_VIEW (object);

  g_clear_pointer (&self->bound, g_ptr_array_unref);
  g_clear_object (&self->export_cancellable);

  G_OBJECT_CLASS (nc_team_view_parent_class)->finalize (object);
}

static void
nc_team_view_class_init (NcTeamViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_team_view_dispose;
  object_class->finalize = nc_team_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-team-view.ui");
  gtk_widget_class_bind_template_child (widget_class, NcTeamView, day_label);
  gtk_widget_class_bind_template_child (widget_class, NcTeamView, team_label);
  gtk_widget_class_bind_template_child (widget_class, NcTeamView, export_button);
  gtk_widget_class_bind_template_child (widget_class, NcTeamView, list_view);

  gtk_widget_class_install_action (widget_class, "team.export", NULL, export_activated);
}

static void
nc_team_view_init (NcTeamView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->bound = g_ptr_array_new ();
  self->export_cancellable = g_cancellable_new ();
  g_signal_connect (self, "map", G_CALLBACK (view_mapped), NULL);
  g_signal_connect (self, "unmap", G_CALLBACK (view_unmapped), NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "team.export", FALSE);
}

/**
 * nc_team_view_set_session:
 *
 * Shows @session's employees and calls.
 */
void
nc_team_view_set_session (NcTeamView *self,
                          NcSession  *session)
{
  g_autoptr(GtkNoSelection) selection = NULL;
  GtkListItemFactory *factory;

  g_return_if_fail (NC_IS_TEAM_VIEW (self));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  self->board = nc_team_board_new (session);
  g_signal_connect_object (self->board, "figures-changed", G_CALLBACK (figures_changed), self,
                           G_CONNECT_SWAPPED);
  figures_changed (self);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  selection = gtk_no_selection_new (g_object_ref (nc_team_board_get_members (self->board)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "team.export", TRUE);

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    view_mapped (self);
}

/**
 * nc_team_view_get_board:
 *
 * Returns: (transfer none) (nullable): what the view shows
 */
NcTeamBoard *
nc_team_view_get_board (NcTeamView *self)
{
  g_return_val_if_fail (NC_IS_TEAM_VIEW (self), NULL);
  return self->board;
}
