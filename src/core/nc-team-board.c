/* nc-team-board.c — every employee's state now and the day's figures, for a supervisor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The board shows what others keep, and keeps nothing of its own: who rings and who
 * talks is the tracker's live calls (the store's change feed, on every desk alike); the
 * day's figures are the store's answer to its aggregate queries (nc-store-team.c), asked
 * again when the tracker hears that calls changed, from any process or desk; whether an employee is online is the PBX's answer to
 * /v1/pbx/internal/<extension>/status/, asked only while the board is active (its page is
 * shown), one employee at a time, every NC_TEAM_STATUS_INTERVAL_SECONDS, from the
 * account's shared request budget.
 */

#define G_LOG_DOMAIN "nc-team"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-team-board.h"

typedef enum
{
  ONLINE_UNKNOWN,
  ONLINE_YES,
  ONLINE_NO,
} Online;

struct _NcTeamMember
{
  GObject        parent_instance;

  char          *name;
  char          *extension;
  NcTeamState    live;          /* RINGING, TALKING or UNKNOWN (on no call) */
  char          *peer;
  gint64         since_us;
  Online         online;
  char          *online_problem;
  NcTeamFigures *figures;
};

enum {
  MEMBER_CHANGED,
  N_MEMBER_SIGNALS
};

static guint member_signals[N_MEMBER_SIGNALS];

G_DEFINE_FINAL_TYPE (NcTeamMember, nc_team_member, G_TYPE_OBJECT)

static void
nc_team_member_finalize (GObject *object)
{
  NcTeamMember *self = NC_TEAM_MEMBER (object);

  g_free (self->name);
  g_free (self->extension);
  g_free (self->peer);
  g_free (self->online_problem);
  g_clear_pointer (&self->figures, nc_team_figures_free);

  G_OBJECT_CLASS (nc_team_member_parent_class)->finalize (object);
}

static void
nc_team_member_class_init (NcTeamMemberClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nc_team_member_finalize;

  /**
   * NcTeamMember::changed:
   *
   * Something the member shows changed: its state, its client, its figures.
   */
  member_signals[MEMBER_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
nc_team_member_init (NcTeamMember *self)
{
}

const char *
nc_team_member_get_name (NcTeamMember *self)
{
  g_return_val_if_fail (NC_IS_TEAM_MEMBER (self), NULL);
  return self->name;
}

const char *
nc_team_member_get_extension (NcTeamMember *self)
{
  g_return_val_if_fail (NC_IS_TEAM_MEMBER (self), NULL);
  return self->extension;
}

NcTeamState
nc_team_member_get_state (NcTeamMember *self)
{
  g_return_val_if_fail (NC_IS_TEAM_MEMBER (self), NC_TEAM_STATE_UNKNOWN);

  if (self->live != NC_TEAM_STATE_UNKNOWN)
    return self->live;
  switch (self->online)
    {
    case ONLINE_YES:
      return NC_TEAM_STATE_FREE;
    case ONLINE_NO:
      return NC_TEAM_STATE_OFFLINE;
    case ONLINE_UNKNOWN:
    default:
      return NC_TEAM_STATE_UNKNOWN;
    }
}

const char *
nc_team_member_get_peer (NcTeamMember *self)
{
  g_return_val_if_fail (NC_IS_TEAM_MEMBER (self), NULL);
  return self->peer;
}

gint64
nc_team_member_get_since_us (NcTeamMember *self)
{
  g_return_val_if_fail (NC_IS_TEAM_MEMBER (self), 0);
  return self->since_us;
}

const char *
nc_team_member_get_online_problem (NcTeamMember *self)
{
  g_return_val_if_fail (NC_IS_TEAM_MEMBER (self), NULL);
  return self->online == ONLINE_UNKNOWN ? self->online_problem : NULL;
}

const NcTeamFigures *
nc_team_member_get_figures (NcTeamMember *self)
{
  g_return_val_if_fail (NC_IS_TEAM_MEMBER (self), NULL);
  return self->figures;
}

/* ------------------------------------------------------------------------------------ */

struct _NcTeamBoard
{
  GObject        parent_instance;

  NcSession     *session;
  GListStore    *members;
  NcStore       *store;          /* followed for its changes */
  NcCallTracker *tracker;
  GPtrArray     *watched_calls;  /* the live calls whose notify we follow */
  NcTeamFigures *team;
  char          *day;
  char          *problem;        /* why the figures could not be read */
  GCancellable  *cancellable;    /* everything, at dispose */
  gboolean       querying;
  gboolean       dirty;          /* the calls changed while a query ran */
  guint          day_timer;

  gboolean       active;
  GCancellable  *status_cancellable;
  guint          status_timer;
  guint          status_next;    /* the member a round asks next */
};

enum {
  BOARD_FIGURES_CHANGED,
  N_BOARD_SIGNALS
};

static guint board_signals[N_BOARD_SIGNALS];

G_DEFINE_FINAL_TYPE (NcTeamBoard, nc_team_board, G_TYPE_OBJECT)

static void status_round_start (NcTeamBoard *self);

static NcTeamMember *
member_at (NcTeamBoard *self,
           guint        position)
{
  return g_list_model_get_item (G_LIST_MODEL (self->members), position);
}

static void
member_changed (NcTeamMember *member)
{
  g_signal_emit (member, member_signals[MEMBER_CHANGED], 0);
}

/* Live states ------------------------------------------------------------------------ */

static void
update_live (NcTeamBoard *self)
{
  GListModel *calls = self->tracker != NULL ? nc_call_tracker_get_live_calls (self->tracker) : NULL;
  guint n_members = g_list_model_get_n_items (G_LIST_MODEL (self->members));

  for (guint i = 0; i < n_members; i++)
    {
      g_autoptr(NcTeamMember) member = member_at (self, i);
      NcCall *best = NULL;
      NcTeamState live = NC_TEAM_STATE_UNKNOWN;
      g_autofree char *peer = NULL;
      gint64 since = 0;

      for (guint j = 0; member->extension != NULL && calls != NULL &&
                        j < g_list_model_get_n_items (calls); j++)
        {
          g_autoptr(NcCall) call = g_list_model_get_item (calls, j);
          NcCallState state = nc_call_get_state (call);

          if (state == NC_CALL_STATE_ENDED ||
              g_strcmp0 (nc_call_get_employee (call), member->extension) != 0)
            continue;
          /* Talking wins over a call that rings beside it. */
          if (best == NULL || (state == NC_CALL_STATE_TALKING &&
                               nc_call_get_state (best) != NC_CALL_STATE_TALKING))
            best = call;
        }
      if (best != NULL)
        {
          const char *name = nc_call_get_client_name (best);

          live = nc_call_get_state (best) == NC_CALL_STATE_TALKING ? NC_TEAM_STATE_TALKING
                                                                   : NC_TEAM_STATE_RINGING;
          peer = g_strdup (name != NULL && *name != '\0' ? name : nc_call_get_client_number (best));
          since = live == NC_TEAM_STATE_TALKING ? nc_call_get_answered_seen_us (best)
                                                : nc_call_get_first_seen_us (best);
        }
      if (live != member->live || g_strcmp0 (peer, member->peer) != 0 || since != member->since_us)
        {
          member->live = live;
          g_free (member->peer);
          member->peer = g_steal_pointer (&peer);
          member->since_us = since;
          member_changed (member);
        }
    }
}

static void
unwatch_calls (NcTeamBoard *self)
{
  for (guint i = 0; i < self->watched_calls->len; i++)
    g_signal_handlers_disconnect_by_func (self->watched_calls->pdata[i], update_live, self);
  g_ptr_array_set_size (self->watched_calls, 0);
}

static void
live_calls_changed (NcTeamBoard *self)
{
  GListModel *calls = nc_call_tracker_get_live_calls (self->tracker);

  /* A call changes state in place: its notify says so. */
  unwatch_calls (self);
  for (guint i = 0; i < g_list_model_get_n_items (calls); i++)
    {
      NcCall *call = g_list_model_get_item (calls, i);

      g_signal_connect_swapped (call, "notify", G_CALLBACK (update_live), self);
      g_ptr_array_add (self->watched_calls, call);
    }
  update_live (self);
}

/* Figures --------------------------------------------------------------------------- */

static void query_figures (NcTeamBoard *self);

static void
apply_figures (NcTeamBoard *self,
               GPtrArray   *all)
{
  guint n_members = g_list_model_get_n_items (G_LIST_MODEL (self->members));

  g_clear_pointer (&self->team, nc_team_figures_free);
  for (guint i = 0; all != NULL && i < all->len; i++)
    if (((NcTeamFigures *) all->pdata[i])->employee == NULL)
      self->team = nc_team_figures_copy (all->pdata[i]);

  for (guint i = 0; i < n_members; i++)
    {
      g_autoptr(NcTeamMember) member = member_at (self, i);
      NcTeamFigures *figures = NULL;

      for (guint j = 0; all != NULL && member->extension != NULL && j < all->len; j++)
        if (g_strcmp0 (((NcTeamFigures *) all->pdata[j])->employee, member->extension) == 0)
          figures = nc_team_figures_copy (all->pdata[j]);
      if (figures == NULL && all != NULL)
        {
          figures = g_new0 (NcTeamFigures, 1);
          figures->employee = g_strdup (member->extension != NULL ? member->extension : "");
        }
      g_clear_pointer (&member->figures, nc_team_figures_free);
      member->figures = figures;
      member_changed (member);
    }
  g_signal_emit (self, board_signals[BOARD_FIGURES_CHANGED], 0);
}

static void
figures_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(NcTeamBoard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = nc_store_team_figures_finish (NC_STORE (source), result, &error);

  self->querying = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (self->cancellable))
    return;
  g_clear_pointer (&self->problem, g_free);
  if (all == NULL)
    {
      g_warning ("Could not read the team’s figures: %s", error->message);
      self->problem = g_strdup (error->message);
    }
  apply_figures (self, all);
  if (self->dirty)
    query_figures (self);
}

static void
query_figures (NcTeamBoard *self)
{
  if (self->store == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  /* One query at a time: changes that come meanwhile make one more, not one each. */
  if (self->querying)
    {
      self->dirty = TRUE;
      return;
    }
  self->dirty = FALSE;
  self->querying = TRUE;
  g_free (self->day);
  self->day = nc_team_day_today ();
  nc_store_team_figures_async (self->store, nc_team_day_parse (self->day), self->cancellable,
                               figures_read, g_object_ref (self));
}

/* The tracker hears of every call that changed, whichever process or desk wrote it; the
 * store's own signal is of this process's writes only, and is followed without a
 * tracker. */
static void
store_changed (NcTeamBoard   *self,
               NcStoreChange  kind,
               gint64         id)
{
  if (kind == NC_STORE_CHANGE_CALLS && self->tracker == NULL)
    query_figures (self);
}

static gboolean
day_tick (gpointer user_data)
{
  NcTeamBoard *self = user_data;
  g_autofree char *today = nc_team_day_today ();

  /* At midnight the figures are of the new day. */
  if (g_strcmp0 (today, self->day) != 0)
    query_figures (self);
  return G_SOURCE_CONTINUE;
}

/* Members --------------------------------------------------------------------------- */

static void
employees_changed (NcTeamBoard *self)
{
  GListModel *employees = G_LIST_MODEL (nc_session_get_employees (self->session));
  g_autoptr(GPtrArray) members = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->members));

  for (guint i = 0; i < g_list_model_get_n_items (employees); i++)
    {
      g_autoptr(NcEmployee) employee = g_list_model_get_item (employees, i);
      const char *extension = nc_employee_get_employee_id (employee);
      NcTeamMember *member = g_object_new (NC_TYPE_TEAM_MEMBER, NULL);

      member->name = g_strdup (nc_employee_get_name (employee));
      member->extension = extension != NULL && *extension != '\0' ? g_strdup (extension) : NULL;
      /* What the PBX said of the extension stays until it is asked again. */
      for (guint j = 0; member->extension != NULL && j < n_old; j++)
        {
          g_autoptr(NcTeamMember) old = member_at (self, j);

          if (g_strcmp0 (old->extension, member->extension) == 0)
            {
              member->online = old->online;
              member->online_problem = g_strdup (old->online_problem);
              member->figures = old->figures != NULL ? nc_team_figures_copy (old->figures) : NULL;
            }
        }
      g_ptr_array_add (members, member);
    }
  g_list_store_splice (self->members, 0, n_old, members->pdata, members->len);
  update_live (self);
  query_figures (self);
}

static void
store_known (NcTeamBoard *self)
{
  NcStore *store = nc_session_get_store (self->session);
  NcCallTracker *tracker = nc_session_get_tracker (self->session);

  if (store != NULL && self->store == NULL)
    {
      self->store = g_object_ref (store);
      g_signal_connect_object (store, "changed", G_CALLBACK (store_changed), self,
                               G_CONNECT_SWAPPED);
      query_figures (self);
    }
  if (tracker != NULL && self->tracker == NULL)
    {
      self->tracker = g_object_ref (tracker);
      g_signal_connect_object (nc_call_tracker_get_live_calls (tracker), "items-changed",
                               G_CALLBACK (live_calls_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (tracker, "calls-changed", G_CALLBACK (query_figures), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (tracker, "calls-reset", G_CALLBACK (query_figures), self,
                               G_CONNECT_SWAPPED);
      live_calls_changed (self);
    }
}

/* Who is online --------------------------------------------------------------------- */

static void
set_online (NcTeamMember *member,
            Online        online,
            const char   *problem)
{
  if (member->online == online && g_strcmp0 (member->online_problem, problem) == 0)
    return;
  member->online = online;
  g_free (member->online_problem);
  member->online_problem = g_strdup (problem);
  member_changed (member);
}

static void
status_round_later (NcTeamBoard *self);

static void status_ask_next (NcTeamBoard *self);

static void
status_answered (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(NcTeamBoard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NcTeamMember) member = NULL;
  gboolean online = FALSE;
  gboolean answered;

  answered = nc_zadarma_client_extension_online_finish (NC_ZADARMA_CLIENT (source), result,
                                                        &online, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !self->active)
    return;
  if (self->status_next < g_list_model_get_n_items (G_LIST_MODEL (self->members)))
    member = member_at (self, self->status_next);
  self->status_next++;

  if (member != NULL && answered)
    set_online (member, online ? ONLINE_YES : ONLINE_NO, NULL);
  else if (member != NULL)
    {
      g_autofree char *problem = nc_zadarma_error_to_user_message (error);

      set_online (member, ONLINE_UNKNOWN, problem);
      /* What holds for the account holds for every extension: the others are not asked
       * this round, and the budget is left alone. */
      if (g_error_matches (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_AUTH) ||
          g_error_matches (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_RATE_LIMITED) ||
          g_error_matches (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_NETWORK))
        {
          guint n = g_list_model_get_n_items (G_LIST_MODEL (self->members));

          for (; self->status_next < n; self->status_next++)
            {
              g_autoptr(NcTeamMember) other = member_at (self, self->status_next);

              if (other->extension != NULL)
                set_online (other, ONLINE_UNKNOWN, problem);
            }
        }
    }
  status_ask_next (self);
}

static void
status_ask_next (NcTeamBoard *self)
{
  NcZadarmaClient *client = nc_session_get_zadarma_client (self->session);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->members));

  for (; self->status_next < n; self->status_next++)
    {
      g_autoptr(NcTeamMember) member = member_at (self, self->status_next);

      if (member->extension == NULL)
        continue;
      if (client == NULL)
        {
          set_online (member, ONLINE_UNKNOWN, _("No account is connected to ask the PBX"));
          continue;
        }
      nc_zadarma_client_extension_online_async (client, member->extension,
                                                self->status_cancellable, status_answered,
                                                g_object_ref (self));
      return;
    }
  status_round_later (self);
}

static gboolean
status_timeout (gpointer user_data)
{
  NcTeamBoard *self = user_data;

  self->status_timer = 0;
  status_round_start (self);
  return G_SOURCE_REMOVE;
}

static void
status_round_later (NcTeamBoard *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->members));
  guint asked = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(NcTeamMember) member = member_at (self, i);

      asked += member->extension != NULL;
    }
  if (self->active && self->status_timer == 0)
    self->status_timer = g_timeout_add_seconds (MAX (NC_TEAM_STATUS_INTERVAL_SECONDS,
                                                     asked * 60 / NC_TEAM_STATUS_PER_MINUTE),
                                                status_timeout, self);
}

static void
status_round_start (NcTeamBoard *self)
{
  g_cancellable_cancel (self->status_cancellable);
  g_clear_object (&self->status_cancellable);
  self->status_cancellable = g_cancellable_new ();
  self->status_next = 0;
  status_ask_next (self);
}

/* ------------------------------------------------------------------------------------ */

static void
nc_team_board_dispose (GObject *object)
{
  NcTeamBoard *self = NC_TEAM_BOARD (object);

  nc_team_board_set_active (self, FALSE);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->day_timer, g_source_remove);
  if (self->watched_calls != NULL)
    unwatch_calls (self);
  g_clear_object (&self->tracker);
  g_clear_object (&self->store);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (nc_team_board_parent_class)->dispose (object);
}

static void
nc_team_board_finalize (GObject *object)
{
  NcTeamBoard *self = NC_TEAM_BOARD (object);

  g_clear_object (&self->members);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->watched_calls, g_ptr_array_unref);
  g_clear_pointer (&self->team, nc_team_figures_free);
  g_free (self->day);
  g_free (self->problem);

  G_OBJECT_CLASS (nc_team_board_parent_class)->finalize (object);
}

static void
nc_team_board_class_init (NcTeamBoardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nc_team_board_dispose;
  object_class->finalize = nc_team_board_finalize;

  /**
   * NcTeamBoard::figures-changed:
   *
   * The day's figures were read again (nc_team_board_get_team_figures()).
   */
  board_signals[BOARD_FIGURES_CHANGED] =
    g_signal_new ("figures-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);
}

static void
nc_team_board_init (NcTeamBoard *self)
{
  self->members = g_list_store_new (NC_TYPE_TEAM_MEMBER);
  self->watched_calls = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
  self->day = nc_team_day_today ();
}

/**
 * nc_team_board_new:
 *
 * Returns: (transfer full): a board of @session's employees
 */
NcTeamBoard *
nc_team_board_new (NcSession *session)
{
  NcTeamBoard *self;

  g_return_val_if_fail (NC_IS_SESSION (session), NULL);

  self = g_object_new (NC_TYPE_TEAM_BOARD, NULL);
  self->session = g_object_ref (session);
  g_signal_connect_object (nc_session_get_employees (session), "items-changed",
                           G_CALLBACK (employees_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::store", G_CALLBACK (store_known), self,
                           G_CONNECT_SWAPPED);
  self->day_timer = g_timeout_add_seconds (60, day_tick, self);
  employees_changed (self);
  store_known (self);
  return self;
}

GListModel *
nc_team_board_get_members (NcTeamBoard *self)
{
  g_return_val_if_fail (NC_IS_TEAM_BOARD (self), NULL);
  return G_LIST_MODEL (self->members);
}

/**
 * nc_team_board_get_team_figures:
 *
 * Returns: (nullable): the whole team's figures of the day, %NULL before they are read
 */
const NcTeamFigures *
nc_team_board_get_team_figures (NcTeamBoard *self)
{
  g_return_val_if_fail (NC_IS_TEAM_BOARD (self), NULL);
  return self->team;
}

const char *
nc_team_board_get_day (NcTeamBoard *self)
{
  g_return_val_if_fail (NC_IS_TEAM_BOARD (self), NULL);
  return self->day;
}

/**
 * nc_team_board_get_problem:
 *
 * Returns: (nullable): why the figures could not be read, for people
 */
const char *
nc_team_board_get_problem (NcTeamBoard *self)
{
  g_return_val_if_fail (NC_IS_TEAM_BOARD (self), NULL);
  return self->problem;
}

void
nc_team_board_set_active (NcTeamBoard *self,
                          gboolean     active)
{
  g_return_if_fail (NC_IS_TEAM_BOARD (self));

  if (self->active == !!active)
    return;
  self->active = !!active;
  if (self->active)
    {
      status_round_start (self);
      return;
    }
  g_cancellable_cancel (self->status_cancellable);
  g_clear_object (&self->status_cancellable);
  g_clear_handle_id (&self->status_timer, g_source_remove);
}

void
nc_team_board_refresh_figures (NcTeamBoard *self)
{
  g_return_if_fail (NC_IS_TEAM_BOARD (self));
  query_figures (self);
}

/**
 * nc_team_board_stop:
 *
 * Cancels the queries and requests under way, which hold the board, and asks nothing
 * more: the store's changes and the day's turn are no longer followed.
 */
void
nc_team_board_stop (NcTeamBoard *self)
{
  g_return_if_fail (NC_IS_TEAM_BOARD (self));

  nc_team_board_set_active (self, FALSE);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->day_timer, g_source_remove);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_func (self->store, store_changed, self);
  if (self->tracker != NULL)
    g_signal_handlers_disconnect_by_func (self->tracker, query_figures, self);
}
