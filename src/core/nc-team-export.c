/* nc-team-export.c — a day's figures of the team as CSV
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row for the team, then one per employee that had a call that day, with the
 * machine's column names (as the clients export has): a spreadsheet or a script reads
 * it, whatever the language of the console that wrote it. The cells go through
 * nc_csv_append_row(), so that a name a spreadsheet would take for a formula is not one.
 */

#define G_LOG_DOMAIN "nc-team"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-client.h"
#include "nc-csv.h"
#include "nc-team-figures.h"

static const char *const header[] = {
  "day", "scope", "employee", "name", "calls_in", "calls_out", "answered", "missed",
  "average_wait_seconds", "average_talk_seconds", "missed_not_called_back",
};

static const char *
name_of (GPtrArray  *employees,
         const char *extension)
{
  for (guint i = 0; employees != NULL && extension != NULL && i < employees->len; i++)
    if (g_strcmp0 (nc_employee_get_employee_id (employees->pdata[i]), extension) == 0)
      return nc_employee_get_name (employees->pdata[i]);
  return "";
}

static char *
average_text (gint64 seconds)
{
  return seconds < 0 ? g_strdup ("") : g_strdup_printf ("%" G_GINT64_FORMAT, seconds);
}

/**
 * nc_team_figures_to_csv:
 * @figures: (element-type NcTeamFigures): nc_store_team_figures_sync()'s answer
 * @employees: (element-type NcEmployee) (nullable): for the employees' names
 *
 * Returns: (transfer full): the CSV, its header first
 */
char *
nc_team_figures_to_csv (GPtrArray  *figures,
                        GPtrArray  *employees,
                        const char *day)
{
  GString *out = g_string_new (NULL);

  nc_csv_append_row (out, header, G_N_ELEMENTS (header));
  for (guint i = 0; i < figures->len; i++)
    {
      const NcTeamFigures *f = figures->pdata[i];
      g_autofree char *in = g_strdup_printf ("%u", f->calls_in);
      g_autofree char *out_calls = g_strdup_printf ("%u", f->calls_out);
      g_autofree char *answered = g_strdup_printf ("%u", f->answered);
      g_autofree char *missed = g_strdup_printf ("%u", f->missed);
      g_autofree char *wait = average_text (nc_team_figures_get_average_wait (f));
      g_autofree char *talk = average_text (nc_team_figures_get_average_talk (f));
      g_autofree char *back = g_strdup_printf ("%u", f->not_called_back);
      const char *row[] = {
        day, f->employee == NULL ? "team" : "employee", f->employee != NULL ? f->employee : "",
        name_of (employees, f->employee), in, out_calls, answered, missed, wait, talk, back,
      };

      G_STATIC_ASSERT (G_N_ELEMENTS (row) == G_N_ELEMENTS (header));
      nc_csv_append_row (out, row, G_N_ELEMENTS (row));
    }
  return g_string_free (out, FALSE);
}

/**
 * nc_team_export_sync:
 * @day: YYYY-MM-DD
 *
 * Returns: (transfer full): the day's figures as CSV, or %NULL with @error set
 */
char *
nc_team_export_sync (NcStore     *store,
                     const char  *day,
                     GError     **error)
{
  gint64 day_start = nc_team_day_parse (day);
  g_autoptr(GPtrArray) figures = NULL;
  g_autoptr(GPtrArray) employees = NULL;

  if (day_start == 0)
    {
      g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID,
                   _("“%s” is not a day: write it as YYYY-MM-DD, for example 2026-12-01"),
                   day != NULL ? day : "");
      return NULL;
    }
  figures = nc_store_team_figures_sync (store, day_start, error);
  if (figures == NULL)
    return NULL;
  employees = nc_store_list_employees_sync (store, error);
  if (employees == NULL)
    return NULL;
  return nc_team_figures_to_csv (figures, employees, day);
}

/**
 * nc_team_export_file_sync:
 *
 * Writes the day's figures to @file: written aside and put in place whole, readable by
 * its owner only, as the clients export is (an old file's mode is not kept).
 */
gboolean
nc_team_export_file_sync (NcStore       *store,
                          const char    *day,
                          GFile         *file,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autofree char *csv = nc_team_export_sync (store, day, error);
  g_autoptr(GFileOutputStream) out = NULL;
  gboolean written;

  if (csv == NULL)
    return FALSE;
  out = nc_csv_file_replace (file, cancellable, error);
  if (out == NULL)
    return FALSE;
  written = g_output_stream_write_all (G_OUTPUT_STREAM (out), csv, strlen (csv), NULL,
                                       cancellable, error);
  return nc_csv_file_finish (out, written, cancellable, error);
}

typedef struct
{
  NcStore *store;
  char    *day;
  GFile   *file;
} Export;

static void
export_free (Export *export)
{
  g_clear_object (&export->store);
  g_clear_object (&export->file);
  g_free (export->day);
  g_free (export);
}

static void
export_in_thread (GTask        *task,
                  gpointer      source,
                  gpointer      data,
                  GCancellable *cancellable)
{
  Export *export = data;
  GError *error = NULL;

  if (nc_team_export_file_sync (export->store, export->day, export->file, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * nc_team_export_file_async:
 *
 * nc_team_export_file_sync() in a thread: the store's reader and the file are never
 * waited for on the caller's context.
 */
void
nc_team_export_file_async (NcStore             *store,
                           const char          *day,
                           GFile               *file,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (store, cancellable, callback, user_data);
  Export *export = g_new0 (Export, 1);

  export->store = g_object_ref (store);
  export->day = g_strdup (day);
  export->file = g_object_ref (file);
  g_task_set_source_tag (task, nc_team_export_file_async);
  g_task_set_task_data (task, export, (GDestroyNotify) export_free);
  g_task_run_in_thread (task, export_in_thread);
}

gboolean
nc_team_export_file_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nc_team_export_file_async,
                        FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
