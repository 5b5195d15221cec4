/* nc-store-team.c — a day's figures of the team, by aggregate queries on the calls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The figures are counted by the database, never in memory: a day is a range of
 * calls_by_start, and "not called back" asks calls_by_number (version 5) of each missed
 * call. What counts:
 * - a call belongs to the day it started on (started_unix, the PBX's clock), even if it
 *   ends after midnight;
 * - a call whose other party is an extension (a number of six digits or fewer) is
 *   internal: it is no one's call with a client, and is left out of every figure;
 * - answered and missed are of the incoming calls; the wait is from the first event of an
 *   answered incoming call to its answer, by our clock, when both were seen (a call
 *   recovered from the statistics has neither); the talk time is the duration the PBX
 *   reported at the end of an answered call, in or out;
 * - a missed call is not called back while its number has no answered call, in or out,
 *   that started after it; each number counts once.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "nc-store-private.h"
#include "nc-team-figures.h"

#define DAY_SECONDS (24 * 60 * 60)

/* Not internal: a number longer than an extension's, or none at all (a hidden caller). */
#define WITH_CLIENT(table) \
  "(" table "client_number IS NULL OR length (" table "client_number) > 6)"

#define FIGURES_COLUMNS \
  "SUM (CASE WHEN direction = 0 THEN 1 ELSE 0 END), " \
  "SUM (CASE WHEN direction = 1 THEN 1 ELSE 0 END), " \
  "SUM (CASE WHEN direction = 0 AND answered = 1 THEN 1 ELSE 0 END), " \
  "SUM (CASE WHEN direction = 0 AND state = 2 AND answered = 0 THEN 1 ELSE 0 END), " \
  "SUM (CASE WHEN direction = 0 AND answered = 1 AND first_seen_us > 0 AND " \
  "  answered_seen_us >= first_seen_us THEN answered_seen_us - first_seen_us ELSE 0 END), " \
  "SUM (CASE WHEN direction = 0 AND answered = 1 AND first_seen_us > 0 AND " \
  "  answered_seen_us >= first_seen_us THEN 1 ELSE 0 END), " \
  "SUM (CASE WHEN answered = 1 AND state = 2 THEN duration ELSE 0 END), " \
  "SUM (CASE WHEN answered = 1 AND state = 2 THEN 1 ELSE 0 END) " \
  "FROM calls WHERE started_unix >= ?1 AND started_unix < ?2 AND " \
  "started_at IS NOT NULL AND " WITH_CLIENT ("")

#define NOT_CALLED_BACK \
  "COUNT (DISTINCT m.client_number) FROM calls AS m " \
  "WHERE m.started_unix >= ?1 AND m.started_unix < ?2 AND m.started_at IS NOT NULL AND " \
  "m.direction = 0 AND m.state = 2 AND m.answered = 0 AND " \
  "m.client_number IS NOT NULL AND length (m.client_number) > 6 AND NOT EXISTS (" \
  "  SELECT 1 FROM calls AS a WHERE a.client_number = m.client_number AND " \
  "  a.started_unix > m.started_unix AND a.answered = 1) "

void
nc_team_figures_free (NcTeamFigures *figures)
{
  if (figures == NULL)
    return;
  g_free (figures->employee);
  g_free (figures);
}

NcTeamFigures *
nc_team_figures_copy (const NcTeamFigures *figures)
{
  NcTeamFigures *copy = g_memdup2 (figures, sizeof *figures);

  copy->employee = g_strdup (figures->employee);
  return copy;
}

gint64
nc_team_figures_get_average_wait (const NcTeamFigures *figures)
{
  if (figures->waits == 0)
    return -1;
  return (figures->wait_us_total / figures->waits + G_USEC_PER_SEC / 2) / G_USEC_PER_SEC;
}

gint64
nc_team_figures_get_average_talk (const NcTeamFigures *figures)
{
  if (figures->talks == 0)
    return -1;
  return (figures->talk_seconds_total + figures->talks / 2) / figures->talks;
}

gint64
nc_team_day_parse (const char *text)
{
  g_autofree char *midnight = NULL;
  int year, month, day;
  char tail;

  if (text == NULL || strlen (text) != 10 ||
      sscanf (text, "%4d-%2d-%2d%c", &year, &month, &day, &tail) != 3)
    return 0;
  midnight = g_strconcat (text, " 00:00:00", NULL);
  return nc_call_parse_pbx_time (midnight);
}

char *
nc_team_day_today (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

static NcTeamFigures *
figures_for (GPtrArray  *all,
             const char *employee)
{
  NcTeamFigures *figures;

  for (guint i = 0; i < all->len; i++)
    {
      figures = all->pdata[i];
      if (g_strcmp0 (figures->employee, employee) == 0)
        return figures;
    }
  figures = g_new0 (NcTeamFigures, 1);
  figures->employee = g_strdup (employee);
  g_ptr_array_add (all, figures);
  return figures;
}

static gboolean
read_figures (NcStoreConnection  *conn,
              const char         *sql,
              gboolean            grouped,
              gint64              day_start,
              GPtrArray          *all,
              GError            **error)
{
  NcStoreStmt *stmt = nc_store_prepare (conn, sql, error);
  NcStoreStep step;

  if (stmt == NULL)
    return FALSE;
  nc_store_bind_int64 (stmt, 1, day_start);
  nc_store_bind_int64 (stmt, 2, day_start + DAY_SECONDS);
  while ((step = nc_store_step (stmt, error)) == NC_STORE_STEP_ROW)
    {
      NcTeamFigures *figures = figures_for (all, grouped ? nc_store_column_text (stmt, 0) : NULL);

      figures->calls_in = nc_store_column_int64 (stmt, 1);
      figures->calls_out = nc_store_column_int64 (stmt, 2);
      figures->answered = nc_store_column_int64 (stmt, 3);
      figures->missed = nc_store_column_int64 (stmt, 4);
      figures->wait_us_total = nc_store_column_int64 (stmt, 5);
      figures->waits = nc_store_column_int64 (stmt, 6);
      figures->talk_seconds_total = nc_store_column_int64 (stmt, 7);
      figures->talks = nc_store_column_int64 (stmt, 8);
    }
  nc_store_reset (stmt);
  return step != NC_STORE_STEP_ERROR;
}

static gboolean
read_not_called_back (NcStoreConnection  *conn,
                      const char         *sql,
                      gboolean            grouped,
                      gint64              day_start,
                      GPtrArray          *all,
                      GError            **error)
{
  NcStoreStmt *stmt = nc_store_prepare (conn, sql, error);
  NcStoreStep step;

  if (stmt == NULL)
    return FALSE;
  nc_store_bind_int64 (stmt, 1, day_start);
  nc_store_bind_int64 (stmt, 2, day_start + DAY_SECONDS);
  while ((step = nc_store_step (stmt, error)) == NC_STORE_STEP_ROW)
    figures_for (all, grouped ? nc_store_column_text (stmt, 0) : NULL)->not_called_back =
      nc_store_column_int64 (stmt, 1);
  nc_store_reset (stmt);
  return step != NC_STORE_STEP_ERROR;
}

static int
compare_figures (gconstpointer a,
                 gconstpointer b)
{
  const NcTeamFigures *fa = *(NcTeamFigures **) a;
  const NcTeamFigures *fb = *(NcTeamFigures **) b;

  /* The team first, then the employees by extension. */
  if (fa->employee == NULL || fb->employee == NULL)
    return (fa->employee != NULL) - (fb->employee != NULL);
  return strcmp (fa->employee, fb->employee);
}

static gpointer
team_figures_job (NcStoreConnection  *conn,
                  gpointer            data,
                  GError            **error)
{
  gint64 day_start = *(gint64 *) data;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_team_figures_free);

  /* The team's query has no GROUP BY: its row is there even on a day without a call. */
  if (!read_figures (conn, "SELECT 0, " FIGURES_COLUMNS, FALSE, day_start, all, error) ||
      !read_figures (conn, "SELECT COALESCE (employee, ''), " FIGURES_COLUMNS
                     " GROUP BY COALESCE (employee, '')", TRUE, day_start, all, error) ||
      !read_not_called_back (conn, "SELECT 0, " NOT_CALLED_BACK, FALSE, day_start, all, error) ||
      !read_not_called_back (conn, "SELECT COALESCE (m.employee, ''), " NOT_CALLED_BACK
                             "GROUP BY COALESCE (m.employee, '')", TRUE, day_start, all, error))
    return NULL;

  g_ptr_array_sort (all, compare_figures);
  return g_steal_pointer (&all);
}

static NcStoreJob *
team_figures_job_new (gint64 day_start)
{
  return nc_store_job_new (team_figures_job, g_memdup2 (&day_start, sizeof day_start), g_free,
                           (GDestroyNotify) g_ptr_array_unref);
}

/**
 * nc_store_team_figures_sync:
 * @day_start: the day's first second, nc_team_day_parse()
 *
 * Returns: (transfer full) (element-type NcTeamFigures): the team's figures first
 *   (employee %NULL), then those of each employee that had a call that day, by extension
 */
GPtrArray *
nc_store_team_figures_sync (NcStore  *store,
                            gint64    day_start,
                            GError  **error)
{
  g_return_val_if_fail (NC_IS_STORE (store), NULL);

  return nc_store_submit_sync (store, NC_STORE_READER, team_figures_job_new (day_start), error);
}

void
nc_store_team_figures_async (NcStore             *store,
                             gint64               day_start,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (store));

  nc_store_submit_async (store, NC_STORE_READER, team_figures_job_new (day_start),
                         nc_store_team_figures_async, cancellable, callback, user_data);
}

GPtrArray *
nc_store_team_figures_finish (NcStore       *store,
                              GAsyncResult  *result,
                              GError       **error)
{
  return nc_store_pointer_finish (store, result, nc_store_team_figures_async, error);
}
