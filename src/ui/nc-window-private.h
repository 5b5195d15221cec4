/* nc-window-private.h — what the window's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * NcWindow is its layout and its session (nc-window.c), its actions and what it says
 * (nc-window-actions.c: calls, links, recordings, clients, toasts) and the import and
 * export of clients with their progress (nc-window-transfer.c). Each calls only those
 * after it.
 */
#pragma once

#include "nc-caller-card.h"
#include "nc-clients-view.h"
#include "nc-employees-view.h"
#include "nc-live-view.h"
#include "nc-team-view.h"
#include "nc-recording-player.h"
#include "nc-missed-view.h"
#include "nc-window.h"

G_BEGIN_DECLS

struct _NcWindow
{
  AdwApplicationWindow  parent_instance;

  NcSession            *session;

  AdwToastOverlay      *toast_overlay;
  AdwFlap              *flap;
  AdwViewStack         *view_stack;
  GtkButton            *add_button;
  NcClientsView        *clients_view;
  NcEmployeesView      *employees_view;
  NcMissedView         *missed_view;
  NcLiveView           *live_view;
  NcTeamView           *team_view;
  NcCallerCard         *caller_card;
  NcRecordingPlayer    *recording_player;
  GtkRevealer          *demo_revealer;
  GtkRevealer          *account_revealer;
  GtkBox               *account_buttons;
  GtkWidget            *live_pane;
  GtkRevealer          *database_revealer;
  GtkLabel             *database_label;
  gboolean              store_watched;
  GtkLabel             *account_label;
  GtkRevealer          *progress_revealer;
  GtkLabel             *progress_label;
  GtkProgressBar       *progress_bar;

  char                 *last_toast;
  GPtrArray            *recent_toasts;  /* what the window said lately, for the tests */
  gboolean              disposed;       /* answers that arrive later show nothing */

  /* The import or export under way, if any. */
  GCancellable         *transfer_cancellable;
  NcProgress           *transfer_progress;
  guint                 transfer_timeout;
};

static inline NcStore *
nc_window_get_store (NcWindow *self)
{
  return self->session != NULL ? nc_session_get_store (self->session) : NULL;
}

/* Import and export (nc-window-transfer.c) */
void     nc_window_class_install_transfer_actions (GtkWidgetClass *widget_class);
void     nc_window_cancel_transfer            (NcWindow       *self);

/* Actions and toasts (nc-window-actions.c) */
void     nc_window_class_install_actions      (GtkWidgetClass *widget_class);
void     nc_window_follow_for_actions         (NcWindow       *self);
void     nc_window_toast                      (NcWindow       *self,
                                               const char     *message);
/* @target: (nullable) (transfer floating): the action's target */
void     nc_window_toast_with_button          (NcWindow       *self,
                                               const char     *message,
                                               const char     *button,
                                               const char     *action,
                                               GVariant       *target);
/* Whether the store is open; says that it is not yet, when it is not. */
gboolean nc_window_store_or_say               (NcWindow       *self);

G_END_DECLS
