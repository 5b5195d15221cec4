/* nc-caller-card.c — who is calling, inside the window, without taking the focus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * While an incoming call rings to this console's employee (or, for a supervisor who has
 * "Show the card for every call" on, any incoming call that rings), a bar at the top of
 * the content says who calls: the client's name, channel and number, their last calls
 * with how each went, the outcome and note written after the last one (the client's
 * variables NC_LAST_CALL_OUTCOME_VARIABLE and NC_LAST_CALL_NOTE_VARIABLE, when another
 * part of the console or a bot wrote them), and who spoke to them last. It stays while
 * this employee talks with the caller, and goes when the call ends, when someone else
 * answers it, or when it is dismissed. What it shows is read from the store
 * (nc-caller-summary.c), again when the call's client is known or changes.
 *
 * The operator is typing when a call comes: the card never takes the keyboard focus.
 * Nothing here grabs it, its list of calls cannot be focused, and its buttons do not take
 * it when clicked; the revealer only shows what is already laid out.
 */

#define G_LOG_DOMAIN "nc-caller-card"

#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "nc-caller-card.h"
#include "nc-ui-util.h"
#include "nc-caller-summary.h"
#include "nc-phone.h"

struct _NcCallerCard
{
  AdwBin        parent_instance;

  NcSession    *session;
  GSettings    *settings;
  gboolean      every_call;
  NcCall       *call;          /* shown, or %NULL */
  gint64        client_id;     /* whose summary is shown or read */
  NcClient     *client;        /* as the summary read them, or %NULL */
  gboolean      loaded;
  GHashTable   *dismissed;     /* pbx_call_id of the calls dismissed */
  GCancellable *cancellable;   /* the summary being read */

  GtkRevealer  *revealer;
  GtkLabel     *name_label;
  GtkLabel     *details_label;
  GtkListBox   *calls_list;
  GtkLabel     *notes_label;
  GtkLabel     *last_spoke_label;
  GtkWidget    *add_button;
  GtkWidget    *open_button;
  GtkWidget    *dismiss_button;
};

G_DEFINE_FINAL_TYPE (NcCallerCard, nc_caller_card, ADW_TYPE_BIN)

static gboolean
is_mine (NcCallerCard *self,
         NcCall       *call)
{
  const char *me = nc_dialer_get_employee_id (nc_session_get_dialer (self->session));

  return me != NULL && *me != '\0' && g_strcmp0 (nc_call_get_employee (call), me) == 0;
}

/* Whether the card is for @call: ringing to this employee, or to anyone for a supervisor;
 * talking with this employee. */
static gboolean
wanted (NcCallerCard *self,
        NcCall       *call)
{
  if (nc_call_get_direction (call) != NC_CALL_DIRECTION_IN ||
      g_hash_table_contains (self->dismissed, nc_call_get_pbx_call_id (call)))
    return FALSE;
  switch (nc_call_get_state (call))
    {
    case NC_CALL_STATE_RINGING:
      return self->every_call || is_mine (self, call);
    case NC_CALL_STATE_TALKING:
      return is_mine (self, call);
    case NC_CALL_STATE_ENDED:
      return FALSE;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
made_by_call (NcCall *call)
{
  const char *rule = nc_call_get_record (call)->match_rule;
  NcMatchRule parsed;

  return rule != NULL && nc_match_rule_from_string (rule, &parsed) &&
         (parsed == NC_MATCH_RULE_CREATED_TELEPHONY || parsed == NC_MATCH_RULE_CREATED_WHATSAPP);
}

static gboolean
is_dialable (const char *number)
{
  g_autofree char *canonical = nc_phone_try_normalize (number);

  return canonical != NULL;
}

static char *
call_text (NcCall *call)
{
  g_autoptr(GStrvBuilder) parts = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;
  g_autofree char *start = nc_call_start_text (call);
  g_autofree char *duration = NULL;

  /* When, how it went, how long, and the outcome the operator picked, as the journal's
   * rows say them. */
  g_strv_builder_add (parts, start);
  g_strv_builder_add (parts, nc_call_get_outcome_text (call));
  if (nc_call_get_duration (call) != 0)
    {
      duration = nc_format_duration (nc_call_get_duration (call));
      g_strv_builder_add (parts, duration);
    }
  if (nc_call_get_noted_outcome (call) != NULL)
    g_strv_builder_add (parts, nc_call_get_noted_outcome (call));
  strv = g_strv_builder_end (parts);
  return g_strjoinv (" · ", strv);
}

static void
clear_calls (NcCallerCard *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->calls_list))) != NULL)
    gtk_list_box_remove (self->calls_list, child);
}

static void
add_call_line (NcCallerCard *self,
               const char   *text)
{
  GtkWidget *label = gtk_label_new (text);
  GtkWidget *row = gtk_list_box_row_new ();

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);
  gtk_list_box_append (self->calls_list, row);
}

/* The line under the name: the channel (once the client is known), the number, and
 * where the call is now. */
static void
update_details (NcCallerCard *self,
                NcClient     *client)
{
  g_autofree char *number = nc_phone_format (nc_call_get_client_number (self->call));
  g_autofree char *state = NULL;
  g_autofree char *text = NULL;
  NcEmployeeList *employees = nc_session_get_employees (self->session);
  g_autofree char *employee = nc_employee_list_describe (employees,
                                                         nc_call_get_employee (self->call));

  if (nc_call_get_state (self->call) == NC_CALL_STATE_TALKING)
    state = g_strdup (_("Talking with you"));
  else if (is_mine (self, self->call))
    state = g_strdup (_("Ringing for you"));
  else if (employee != NULL)
    /* Translators: an incoming call rings to this employee (a supervisor's card) */
    state = g_strdup_printf (_("Ringing for %s"), employee);
  else
    state = g_strdup (_("Ringing"));

  if (client != NULL)
    /* Translators: the caller's channel, number, and where the call is */
    text = g_strdup_printf (_("%s · %s · %s"), nc_channel_get_label (nc_client_get_channel (client)),
                            *number != '\0' ? number : _("Unknown number"), state);
  else if (self->client_id == 0)
    /* The name says the number already. */
    text = g_steal_pointer (&state);
  else
    /* Translators: the caller's number, and where the call is */
    text = g_strdup_printf (_("%s · %s"), *number != '\0' ? number : _("Unknown number"), state);
  gtk_label_set_label (self->details_label, text);
}

static void
show_summary (NcCallerCard    *self,
              NcCallerSummary *summary)
{
  NcClient *client = summary->client;
  const char *outcome = nc_client_get_variable (client, NC_LAST_CALL_OUTCOME_VARIABLE);
  const char *note = nc_client_get_variable (client, NC_LAST_CALL_NOTE_VARIABLE);
  g_autofree char *notes = NULL;

  g_set_object (&self->client, client);
  gtk_label_set_label (self->name_label, nc_client_get_name (client));
  update_details (self, client);

  clear_calls (self);
  for (guint i = 0; i < summary->calls->len; i++)
    {
      g_autofree char *text = call_text (summary->calls->pdata[i]);

      add_call_line (self, text);
    }
  if (summary->calls->len == 0)
    add_call_line (self, _("No calls before this one"));

  if (outcome != NULL && *outcome != '\0' && note != NULL && *note != '\0')
    /* Translators: what was written after the last call: its outcome, then the note */
    notes = g_strdup_printf (_("Last outcome: %s — %s"), outcome, note);
  else if (outcome != NULL && *outcome != '\0')
    notes = g_strdup_printf (_("Last outcome: %s"), outcome);
  else if (note != NULL && *note != '\0')
    /* Translators: the note written after the last call */
    notes = g_strdup_printf (_("Note: %s"), note);
  gtk_label_set_label (self->notes_label, notes != NULL ? notes : "");
  gtk_widget_set_visible (GTK_WIDGET (self->notes_label), notes != NULL);

  if (summary->last_employee != NULL)
    {
      g_autofree char *who = nc_employee_list_describe (nc_session_get_employees (self->session),
                                                        summary->last_employee);
      /* Translators: the employee who answered the caller's last answered call */
      g_autofree char *text = g_strdup_printf (_("Last spoke with %s"), who);

      gtk_label_set_label (self->last_spoke_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->last_spoke_label), summary->last_employee != NULL);

  /* A client made from this very call is still only a number: Add Client completes it. */
  gtk_widget_set_visible (self->add_button, made_by_call (self->call));
  gtk_widget_set_visible (self->open_button, TRUE);
  self->loaded = TRUE;
}

static void
summary_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  NcCallerCard *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCallerSummary) summary = nc_caller_summary_read_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  if (summary == NULL)
    {
      g_warning ("Could not read the caller's card: %s", error->message);
      g_object_unref (self);
      return;
    }
  if (self->call != NULL)
    show_summary (self, summary);
  g_object_unref (self);
}

/* An unknown caller: the number, and the way to make them a client. */
static void
show_unknown (NcCallerCard *self)
{
  const char *number = nc_call_get_client_number (self->call);
  g_autofree char *shown = nc_phone_format (number);

  gtk_label_set_label (self->name_label, *shown != '\0' ? shown : _("Unknown number"));
  update_details (self, NULL);
  clear_calls (self);
  add_call_line (self, _("Not a client yet"));
  gtk_widget_set_visible (GTK_WIDGET (self->notes_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->last_spoke_label), FALSE);
  gtk_widget_set_visible (self->add_button, is_dialable (number));
  gtk_widget_set_visible (self->open_button, FALSE);
  self->loaded = TRUE;
}

static void
load (NcCallerCard *self)
{
  NcStore *store = nc_session_get_store (self->session);

  if (self->cancellable != NULL)
    {
      /* The read's callback lets its reference go. */
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      g_object_unref (self);
    }
  self->loaded = FALSE;
  g_clear_object (&self->client);
  self->client_id = self->call != NULL ? nc_call_get_client_id (self->call) : 0;
  if (self->call == NULL)
    return;
  if (self->client_id == 0 || store == NULL)
    {
      show_unknown (self);
      return;
    }
  /* Until the store answers: the name the call knows, and nothing stale of another. */
  if (nc_call_get_client_name (self->call) != NULL)
    gtk_label_set_label (self->name_label, nc_call_get_client_name (self->call));
  update_details (self, NULL);
  self->cancellable = g_cancellable_new ();
  nc_caller_summary_read_async (store, self->client_id, nc_call_get_pbx_call_id (self->call),
                                self->cancellable, summary_read, g_object_ref (self));
}

static gboolean
not_live (gpointer key,
          gpointer value,
          gpointer user_data)
{
  return !g_hash_table_contains (user_data, key);
}

/* Chooses the call to show: the newest one the card is for. */
static void
update (NcCallerCard *self)
{
  GListModel *live;
  g_autoptr(NcCall) chosen = NULL;
  g_autoptr(GHashTable) live_ids = g_hash_table_new (g_str_hash, g_str_equal);
  guint n;

  if (self->session == NULL)
    return;
  live = nc_call_tracker_get_live_calls (nc_session_get_tracker (self->session));
  n = g_list_model_get_n_items (live);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(NcCall) call = g_list_model_get_item (live, i);

      /* The live model keeps its calls: the id outlives this reference. */
      g_hash_table_add (live_ids, (gpointer) nc_call_get_pbx_call_id (call));
      if (wanted (self, call) &&
          (chosen == NULL || nc_call_get_first_seen_us (call) > nc_call_get_first_seen_us (chosen)))
        g_set_object (&chosen, call);
    }

  /* A dismissed call is forgotten once it is over. */
  g_hash_table_foreach_remove (self->dismissed, not_live, live_ids);

  if (chosen != self->call)
    {
      g_set_object (&self->call, chosen);
      load (self);
    }
  else if (self->call != NULL && nc_call_get_client_id (self->call) != self->client_id)
    load (self);
  else if (self->call != NULL && self->loaded && self->client_id == 0)
    show_unknown (self);
  else if (self->call != NULL)
    update_details (self, self->client);
  gtk_revealer_set_reveal_child (self->revealer, self->call != NULL);
}

static void
every_call_changed (NcCallerCard *self)
{
  nc_caller_card_set_every_call (self,
                                 g_settings_get_boolean (self->settings, "caller-card-every-call"));
}

static void
open_clicked (NcCallerCard *self)
{
  if (self->client_id != 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-client-id", "x", self->client_id);
}

static void
add_clicked (NcCallerCard *self)
{
  if (self->call == NULL)
    return;
  if (self->client_id != 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.edit-client", "x", self->client_id);
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "win.add-client-phone", "s",
                                nc_call_get_client_number (self->call));
}

static void
dismiss_clicked (NcCallerCard *self)
{
  nc_caller_card_dismiss (self);
}

static void
nc_caller_card_dispose (GObject *object)
{
  NcCallerCard *self = NC_CALLER_CARD (object);

  if (self->session != NULL)
    {
      NcCallTracker *tracker = nc_session_get_tracker (self->session);

      g_signal_handlers_disconnect_by_data (tracker, self);
      g_signal_handlers_disconnect_by_data (nc_call_tracker_get_live_calls (tracker), self);
      g_signal_handlers_disconnect_by_data (nc_session_get_dialer (self->session), self);
    }
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  g_clear_object (&self->session);
  g_clear_object (&self->call);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (nc_caller_card_parent_class)->dispose (object);
}

static void
nc_caller_card_finalize (GObject *object)
{
  NcCallerCard *self = NC_CALLER_CARD (object);

  g_hash_table_unref (self->dismissed);

  G_OBJECT_CLASS (nc_caller_card_parent_class)->finalize (object);
}

static void
nc_caller_card_class_init (NcCallerCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_caller_card_dispose;
  object_class->finalize = nc_caller_card_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-caller-card.ui");
  gtk_widget_class_bind_template_child (widget_class, NcCallerCard, revealer);
  gtk_widget_class_bind_template_child (widget_class, NcCallerCard, name_label);
  gtk_widget_class_bind_template_child (widget_class, NcCallerCard, details_label);
  gtk_widget_class_bind_template_child (widget_class, NcCallerCard, calls_list);
  gtk_widget_class_bind_template_child (widget_class, NcCallerCard, notes_label);
  gtk_widget_class_bind_template_child (widget_class, NcCallerCard, last_spoke_label);
  gtk_widget_class_bind_template_child (widget_class, NcCallerCard, add_button);
  gtk_widget_class_bind_template_child (widget_class, NcCallerCard, open_button);
  gtk_widget_class_bind_template_child (widget_class, NcCallerCard, dismiss_button);
  gtk_widget_class_bind_template_callback (widget_class, open_clicked);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked);
  gtk_widget_class_bind_template_callback (widget_class, dismiss_clicked);
}

static void
nc_caller_card_init (NcCallerCard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->dismissed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * nc_caller_card_set_session:
 *
 * Follows @session's calls, and says who calls from its store.
 */
void
nc_caller_card_set_session (NcCallerCard *self,
                            NcSession    *session)
{
  NcCallTracker *tracker;

  g_return_if_fail (NC_IS_CALLER_CARD (self));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  tracker = nc_session_get_tracker (session);
  g_signal_connect_object (nc_call_tracker_get_live_calls (tracker), "items-changed",
                           G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (tracker, "calls-changed", G_CALLBACK (update), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (tracker, "calls-reset", G_CALLBACK (update), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (nc_session_get_dialer (session), "notify::employee",
                           G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  if (nc_session_get_settings (session) != NULL)
    {
      self->settings = g_object_ref (nc_session_get_settings (session));
      g_signal_connect_object (self->settings, "changed::caller-card-every-call",
                               G_CALLBACK (every_call_changed), self, G_CONNECT_SWAPPED);
      self->every_call = g_settings_get_boolean (self->settings, "caller-card-every-call");
    }
  update (self);
}

/**
 * nc_caller_card_set_every_call:
 *
 * Whether the card shows for every incoming call that rings (a supervisor's view), or
 * only for those that ring to this console's employee.
 */
void
nc_caller_card_set_every_call (NcCallerCard *self,
                               gboolean      every_call)
{
  g_return_if_fail (NC_IS_CALLER_CARD (self));

  if (self->every_call == !!every_call)
    return;
  self->every_call = !!every_call;
  update (self);
}

/**
 * nc_caller_card_get_call:
 *
 * Returns: (transfer none) (nullable): the call the card shows
 */
NcCall *
nc_caller_card_get_call (NcCallerCard *self)
{
  g_return_val_if_fail (NC_IS_CALLER_CARD (self), NULL);
  return self->call;
}

/**
 * nc_caller_card_get_loaded:
 *
 * Returns: whether the card shows what the store says of the caller of its call
 */
gboolean
nc_caller_card_get_loaded (NcCallerCard *self)
{
  g_return_val_if_fail (NC_IS_CALLER_CARD (self), FALSE);
  return self->call != NULL && self->loaded;
}

/**
 * nc_caller_card_dismiss:
 *
 * Hides the card of the call it shows; another call that rings shows it again.
 */
void
nc_caller_card_dismiss (NcCallerCard *self)
{
  g_return_if_fail (NC_IS_CALLER_CARD (self));

  if (self->call == NULL)
    return;
  g_hash_table_add (self->dismissed, g_strdup (nc_call_get_pbx_call_id (self->call)));
  update (self);
}
