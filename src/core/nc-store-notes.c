/* nc-store-notes.c — what the operator notes of a call: its outcome and a note
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both are kept on the call's row, written by the writer as every change of a call is (so
 * that every desk hears of it through the change feed), and into the client's variables
 * zadarma_last_call_outcome, zadarma_last_call_note and zadarma_last_call_time, where a bot
 * funnel that reads client variables finds them. The variables keep the client's last call
 * noted, as zadarma_record_link keeps the link of the last one recorded: a note written
 * late for an older call does not take their place.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "nc-store-private.h"

/* ------------------------------------------------------------------------------------ */
/* The journal's text, in notes (the query is page_by_note(), nc-store-journal.c)       */

/* Whether the filter's text finds notes at all: the notes' trigram index finds nothing
 * shorter than a trigram. */
gboolean
nc_call_filter_finds_notes (const NcCallFilter *filter)
{
  return filter->text != NULL &&
         g_utf8_strlen (filter->text, -1) >= NC_CALL_NOTE_SEARCH_MIN_CHARS;
}

/**
 * nc_call_filter_matches_note:
 *
 * Whether the call's note holds the filter's text, in any case, as the store's query finds
 * it.
 */
gboolean
nc_call_filter_matches_note (const NcCallFilter *filter,
                             const NcCallRecord *record)
{
  g_autofree char *note = NULL;
  g_autofree char *text = NULL;

  if (record->note == NULL || !nc_call_filter_finds_notes (filter))
    return FALSE;
  note = g_utf8_casefold (record->note, -1);
  text = g_utf8_casefold (filter->text, -1);
  return strstr (note, text) != NULL;
}

/* ------------------------------------------------------------------------------------ */
/* Noting a call                                                                         */

typedef struct
{
  char *pbx_call_id;
  char *outcome;
  char *note;
} Note;

static void
note_free (Note *change)
{
  g_free (change->pbx_call_id);
  g_free (change->outcome);
  g_free (change->note);
  g_free (change);
}

/* The call's start as ISO 8601 local time: started_unix is the PBX's call_start, the
 * account's wall-clock time, read as if it were UTC, so that formatting it as UTC gives
 * that wall-clock time back. A call with no start yet is noted at the desk's time now. */
static char *
call_time_iso8601 (const NcCallRecord *record)
{
  g_autoptr(GDateTime) time = record->started_unix != 0
                              ? g_date_time_new_from_unix_utc (record->started_unix)
                              : g_date_time_new_now_local ();

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");
}

/* Whether another call of the client, started after @record, was noted already. */
static gboolean
later_call_noted (NcStoreConnection   *conn,
                  const NcCallRecord  *record,
                  gboolean            *out_noted,
                  GError             **error)
{
  NcStoreStmt *stmt;
  NcStoreStep step;

  stmt = nc_store_prepare (conn,
                           "SELECT 1 FROM calls WHERE client_id = ?1 AND id != ?2 AND "
                           "(outcome IS NOT NULL OR note IS NOT NULL) AND (started_unix > ?3 OR "
                           "(started_unix = ?3 AND id > ?2)) LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_int64 (stmt, 1, record->client_id);
  nc_store_bind_int64 (stmt, 2, record->id);
  nc_store_bind_int64 (stmt, 3, record->started_unix);
  step = nc_store_step (stmt, error);
  nc_store_reset (stmt);
  *out_noted = step == NC_STORE_STEP_ROW;
  return step != NC_STORE_STEP_ERROR;
}

static gboolean
write_note_variables (NcStoreConnection   *conn,
                      const NcCallRecord  *record,
                      GError             **error)
{
  g_autofree char *time = NULL;
  gboolean later = FALSE;

  if (record->client_id == 0)
    return TRUE;
  if (!later_call_noted (conn, record, &later, error))
    return FALSE;
  if (later)
    return TRUE;

  /* A variable's value is never NULL: an outcome or a note taken back is empty. */
  time = call_time_iso8601 (record);
  return nc_store_write_variable (conn, record->client_id, NC_LAST_OUTCOME_VARIABLE,
                                  record->outcome != NULL ? record->outcome : "", error) &&
         nc_store_write_variable (conn, record->client_id, NC_LAST_NOTE_VARIABLE,
                                  record->note != NULL ? record->note : "", error) &&
         nc_store_write_variable (conn, record->client_id, NC_LAST_TIME_VARIABLE, time, error);
}

static gpointer
note_job (NcStoreConnection  *conn,
          gpointer            data,
          GError            **error)
{
  Note *change = data;
  g_autoptr(NcCallRecord) before = nc_store_read_call_by_pbx_id (conn, change->pbx_call_id,
                                                                 error);
  g_autoptr(NcCallRecord) record = NULL;

  if (before == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND,
                     _("There is no call %s"), change->pbx_call_id);
      return NULL;
    }

  record = nc_call_record_copy (before);
  g_free (record->outcome);
  record->outcome = g_strdup (change->outcome);
  g_free (record->note);
  record->note = g_strdup (change->note);
  if (!nc_store_update_call (conn, before, record, error) ||
      !write_note_variables (conn, record, error))
    return NULL;
  return g_steal_pointer (&record);
}

/* Stripped; %NULL for nothing but white space. */
static char *
dup_stripped (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text != NULL ? text : ""));

  return *copy != '\0' ? g_steal_pointer (&copy) : NULL;
}

static Note *
note_new (const char  *pbx_call_id,
          const char  *outcome,
          const char  *note,
          GError     **error)
{
  Note *change;

  if ((outcome != NULL && !g_utf8_validate (outcome, -1, NULL)) ||
      (note != NULL && !g_utf8_validate (note, -1, NULL)))
    {
      g_set_error_literal (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID,
                           _("An outcome or a note must be UTF-8 text"));
      return NULL;
    }
  if (outcome != NULL && g_utf8_strlen (outcome, -1) > NC_CALL_OUTCOME_MAX_CHARS)
    {
      g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID,
                   g_dngettext (GETTEXT_PACKAGE, "An outcome is at most %d character long",
                                "An outcome is at most %d characters long",
                                NC_CALL_OUTCOME_MAX_CHARS), NC_CALL_OUTCOME_MAX_CHARS);
      return NULL;
    }
  if (note != NULL && g_utf8_strlen (note, -1) > NC_CALL_NOTE_MAX_CHARS)
    {
      g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID,
                   g_dngettext (GETTEXT_PACKAGE, "A note is at most %d character long",
                                "A note is at most %d characters long",
                                NC_CALL_NOTE_MAX_CHARS), NC_CALL_NOTE_MAX_CHARS);
      return NULL;
    }

  change = g_new0 (Note, 1);
  change->pbx_call_id = g_strdup (pbx_call_id);
  change->outcome = dup_stripped (outcome);
  change->note = dup_stripped (note);
  return change;
}

/**
 * nc_store_note_call_sync:
 * @outcome: (nullable): what came of the call, as the operator picked it; %NULL or empty
 *   for none
 * @note: (nullable): what the operator wrote of it; %NULL or empty for none
 *
 * Keeps the outcome and the note on the call, in place of any it had, and in its
 * client's variables (unless a later call of the client was noted). A call of no client
 * keeps them on the call only.
 *
 * Returns: (transfer full): the call as it is now, or %NULL with %NC_STORE_ERROR_NOT_FOUND
 *   (no such call) or %NC_STORE_ERROR_INVALID (an outcome or a note too long)
 */
NcCallRecord *
nc_store_note_call_sync (NcStore     *self,
                         const char  *pbx_call_id,
                         const char  *outcome,
                         const char  *note,
                         GError     **error)
{
  Note *change;

  g_return_val_if_fail (NC_IS_STORE (self), NULL);
  g_return_val_if_fail (pbx_call_id != NULL, NULL);

  change = note_new (pbx_call_id, outcome, note, error);
  if (change == NULL)
    return NULL;
  return nc_store_submit_sync (self, NC_STORE_WRITER,
                               nc_store_job_new (note_job, change, (GDestroyNotify) note_free,
                                                 (GDestroyNotify) nc_call_record_free), error);
}

void
nc_store_note_call_async (NcStore             *self,
                          const char          *pbx_call_id,
                          const char          *outcome,
                          const char          *note,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  Note *change;

  g_return_if_fail (NC_IS_STORE (self));
  g_return_if_fail (pbx_call_id != NULL);

  change = note_new (pbx_call_id, outcome, note, &error);
  if (change == NULL)
    {
      g_task_report_error (self, callback, user_data, nc_store_note_call_async,
                           g_steal_pointer (&error));
      return;
    }
  nc_store_submit_async (self, NC_STORE_WRITER,
                         nc_store_job_new (note_job, change, (GDestroyNotify) note_free,
                                           (GDestroyNotify) nc_call_record_free),
                         nc_store_note_call_async, cancellable, callback, user_data);
}

/**
 * nc_store_note_call_finish:
 *
 * Returns: (transfer full): the call as it is now
 */
NcCallRecord *
nc_store_note_call_finish (NcStore       *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return nc_store_pointer_finish (self, result, nc_store_note_call_async, error);
}
