/* nc-team-figures.h — a day's figures of every employee and of the team, from the calls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-store.h"

G_BEGIN_DECLS

/* One employee's figures for a day, or the whole team's. */
typedef struct
{
  char   *employee;          /* the extension; "" for calls no employee was named in;
                              * %NULL: the whole team */
  guint   calls_in;
  guint   calls_out;
  guint   answered;          /* incoming calls answered */
  guint   missed;            /* incoming calls that ended unanswered */
  gint64  wait_us_total;     /* from the first event to the answer, of the answered calls
                              * incoming whose events tell both */
  guint   waits;
  gint64  talk_seconds_total; /* the durations of the answered calls that ended, in or out */
  guint   talks;
  guint   not_called_back;   /* numbers of a missed call of the day with no answered call
                              * after it */
} NcTeamFigures;

void           nc_team_figures_free            (NcTeamFigures       *figures);
NcTeamFigures *nc_team_figures_copy            (const NcTeamFigures *figures);
/* Whole seconds, or -1 when there is nothing to average. */
gint64         nc_team_figures_get_average_wait (const NcTeamFigures *figures);
gint64         nc_team_figures_get_average_talk (const NcTeamFigures *figures);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcTeamFigures, nc_team_figures_free)

/* @text: YYYY-MM-DD. Returns: the day's first second in the PBX's time (as the calls'
 * started_unix), or 0 for anything else. */
gint64         nc_team_day_parse  (const char  *text);
/* Returns: (transfer full): today on this computer's clock, YYYY-MM-DD */
char          *nc_team_day_today  (void);

GPtrArray     *nc_store_team_figures_sync   (NcStore             *store,
                                             gint64               day_start,
                                             GError             **error);
void           nc_store_team_figures_async  (NcStore             *store,
                                             gint64               day_start,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
GPtrArray     *nc_store_team_figures_finish (NcStore             *store,
                                             GAsyncResult        *result,
                                             GError             **error);

/* CSV (nc-team-export.c) */
char          *nc_team_figures_to_csv       (GPtrArray           *figures,
                                             GPtrArray           *employees,
                                             const char          *day);
gboolean       nc_team_export_file_sync     (NcStore             *store,
                                             const char          *day,
                                             GFile               *file,
                                             GCancellable        *cancellable,
                                             GError             **error);
char          *nc_team_export_sync          (NcStore             *store,
                                             const char          *day,
                                             GError             **error);
void           nc_team_export_file_async    (NcStore             *store,
                                             const char          *day,
                                             GFile               *file,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean       nc_team_export_file_finish   (GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS
