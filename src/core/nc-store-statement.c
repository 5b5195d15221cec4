/* nc-store-statement.c — the store's portable statement API: connections with their
 * prepared statements, and the helpers every concern file uses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each call goes through the connection's backend; a statement is prepared once per
 * connection and kept, keyed by the address of its SQL text.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <string.h>

#include "nc-store-private.h"

NcStoreConnection *
nc_store_connection_open (const NcStoreBackend  *backend,
                          const char            *location,
                          gboolean               read_only,
                          guint                  busy_timeout_ms,
                          GError               **error)
{
  NcStoreConnection *conn = backend->open (location, read_only, busy_timeout_ms, error);

  if (conn == NULL)
    return NULL;

  conn->backend = backend;
  conn->statements = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) backend->finalize);
  for (guint kind = 0; kind < NC_STORE_N_CHANGES; kind++)
    conn->marks[kind] = NC_STORE_NO_CHANGE;
  conn->changed_calls = g_array_new (FALSE, FALSE, sizeof (gint64));
  return conn;
}

void
nc_store_connection_free (NcStoreConnection *conn)
{
  if (conn == NULL)
    return;
  g_clear_pointer (&conn->statements, g_hash_table_unref);
  g_clear_pointer (&conn->changed_calls, g_array_unref);
  conn->backend->close (conn);
}

NcStoreStmt *
nc_store_prepare (NcStoreConnection  *conn,
                  const char         *sql,
                  GError            **error)
{
  NcStoreStmt *stmt = g_hash_table_lookup (conn->statements, sql);

  if (stmt != NULL)
    {
      conn->backend->reset (stmt);
      return stmt;
    }

  stmt = conn->backend->prepare (conn, sql, error);
  if (stmt != NULL)
    g_hash_table_insert (conn->statements, (gpointer) sql, stmt);
  return stmt;
}

gboolean
nc_store_step_done (NcStoreStmt  *stmt,
                    GError      **error)
{
  NcStoreStep step = nc_store_step (stmt, error);

  nc_store_reset (stmt);
  if (step == NC_STORE_STEP_ROW)
    {
      g_set_error_literal (error, NC_STORE_ERROR, NC_STORE_ERROR_FAILED,
                           "A statement that changes data returned rows");
      return FALSE;
    }
  return step == NC_STORE_STEP_DONE;
}

/* A statement that answers one row of one integer; @no_row says what it was if none. */
static gboolean
step_one_int64 (NcStoreStmt  *stmt,
                gint64       *out_value,
                const char   *no_row,
                GError      **error)
{
  NcStoreStep step = nc_store_step (stmt, error);

  *out_value = step == NC_STORE_STEP_ROW ? nc_store_column_int64 (stmt, 0) : 0;
  nc_store_reset (stmt);
  if (step == NC_STORE_STEP_DONE)
    {
      g_set_error_literal (error, NC_STORE_ERROR, NC_STORE_ERROR_FAILED, no_row);
      return FALSE;
    }
  return step == NC_STORE_STEP_ROW;
}

gboolean
nc_store_step_id (NcStoreStmt  *stmt,
                  gint64       *out_id,
                  GError      **error)
{
  return step_one_int64 (stmt, out_id, "An INSERT … RETURNING id returned no row", error);
}

/* A SELECT count (*) (or another single number): its value. */
gboolean
nc_store_step_count (NcStoreStmt  *stmt,
                     gint64       *out_count,
                     GError      **error)
{
  return step_one_int64 (stmt, out_count, "A count returned no row", error);
}

gboolean
nc_store_collect_ids (NcStoreStmt  *stmt,
                      GArray       *ids,
                      GError      **error)
{
  NcStoreStep step;

  while ((step = nc_store_step (stmt, error)) == NC_STORE_STEP_ROW)
    {
      gint64 id = nc_store_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  nc_store_reset (stmt);
  return step == NC_STORE_STEP_DONE;
}

/* More calls than this in one job are logged as "several": a reader then reads every call
 * that is not over again. */
#define MAX_LOGGED_CALLS 256

static gboolean
log_change (NcStoreConnection  *conn,
            NcStoreChange       kind,
            gint64              id,
            GError            **error)
{
  NcStoreStmt *stmt = nc_store_prepare (conn,
                                        "INSERT INTO changes (kind, row_id, at, origin) "
                                        "VALUES (?1, ?2, ?3, ?4)", error);

  if (stmt == NULL)
    return FALSE;
  nc_store_bind_int64 (stmt, 1, kind);
  nc_store_bind_int64 (stmt, 2, id);
  nc_store_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
  nc_store_bind_int64 (stmt, 4, conn->origin);
  return nc_store_step_done (stmt, error);
}

/* Writes what the job marked into the change log: each call, and once each other kind. */
gboolean
nc_store_log_marks (NcStoreConnection  *conn,
                    GError            **error)
{
  gboolean any = FALSE;

  for (guint kind = 0; kind < NC_STORE_N_CHANGES; kind++)
    any |= conn->marks[kind] != NC_STORE_NO_CHANGE;
  if (any && conn->backend->lock_changes != NULL && !conn->backend->lock_changes (conn, error))
    return FALSE;

  for (guint kind = 0; kind < NC_STORE_N_CHANGES; kind++)
    {
      if (conn->marks[kind] == NC_STORE_NO_CHANGE)
        continue;
      if (kind == NC_STORE_CHANGE_CALLS && conn->changed_calls->len > 0 &&
          conn->changed_calls->len <= MAX_LOGGED_CALLS)
        {
          for (guint i = 0; i < conn->changed_calls->len; i++)
            if (!log_change (conn, kind, g_array_index (conn->changed_calls, gint64, i), error))
              return FALSE;
        }
      else if (!log_change (conn, kind,
                            kind == NC_STORE_CHANGE_CALLS && conn->changed_calls->len > 0
                            ? 0 : conn->marks[kind], error))
        return FALSE;
    }
  return TRUE;
}

/* How long the change log keeps what it was told: a reader away longer reads its data
 * again (nc-store-journal.c). */
#define CHANGES_KEPT_SECONDS (2 * 24 * 60 * 60)

/* At open: forgets the changes every reader has read by now, but the last. */
gboolean
nc_store_prune_changes (NcStoreConnection  *conn,
                        GError            **error)
{
  NcStoreStmt *stmt = nc_store_prepare (conn,
                                        "DELETE FROM changes WHERE at < ?1 AND "
                                        "id < (SELECT MAX (id) FROM changes)", error);

  if (stmt == NULL)
    return FALSE;
  nc_store_bind_int64 (stmt, 1, g_get_real_time () / G_USEC_PER_SEC - CHANGES_KEPT_SECONDS);
  return nc_store_step_done (stmt, error);
}

/* ------------------------------------------------------------------------------------ */
/* What a batch changed: each job marks it on its connection (nc_store_mark_changed()), the
 * writer merges the marks of a batch's jobs and, after its COMMIT, hands them to the
 * context that opened the store, where NcStore::changed is emitted.                     */

void
nc_store_marks_clear (gint64 *marks)
{
  for (guint kind = 0; kind < NC_STORE_N_CHANGES; kind++)
    marks[kind] = NC_STORE_NO_CHANGE;
}

static gint64
mark_add (gint64 mark,
          gint64 id)
{
  if (mark == NC_STORE_NO_CHANGE)
    return id;
  return mark == id ? mark : 0;
}

void
nc_store_marks_merge (gint64       *marks,
                      const gint64 *more)
{
  for (guint kind = 0; kind < NC_STORE_N_CHANGES; kind++)
    if (more[kind] != NC_STORE_NO_CHANGE)
      marks[kind] = mark_add (marks[kind], more[kind]);
}

void
nc_store_mark_changed (NcStoreConnection *conn,
                       NcStoreChange      kind,
                       gint64             id)
{
  g_return_if_fail ((guint) kind < NC_STORE_N_CHANGES);
  g_return_if_fail (id >= 0);

  conn->marks[kind] = mark_add (conn->marks[kind], id);
  if (kind == NC_STORE_CHANGE_CALLS && id != 0)
    g_array_append_val (conn->changed_calls, id);
}

typedef struct
{
  GWeakRef store;
  gint64   marks[NC_STORE_N_CHANGES];
} Changes;

static void
changes_free (Changes *changes)
{
  g_weak_ref_clear (&changes->store);
  g_free (changes);
}

static gboolean
emit_changes (gpointer user_data)
{
  Changes *changes = user_data;
  g_autoptr(NcStore) self = g_weak_ref_get (&changes->store);

  for (guint kind = 0; self != NULL && kind < NC_STORE_N_CHANGES; kind++)
    if (changes->marks[kind] != NC_STORE_NO_CHANGE)
      g_signal_emit_by_name (self, "changed", (NcStoreChange) kind, changes->marks[kind]);
  return G_SOURCE_REMOVE;
}

/* On the writer, after COMMIT: one idle for the batch, on the context that opened the
 * store. It holds only a weak reference: a store must not outlive its last user because
 * of a change nobody will hear of. */
void
nc_store_dispatch_changes (NcStore      *self,
                           const gint64 *marks)
{
  g_autoptr(GSource) source = NULL;
  Changes *changes;
  gboolean any = FALSE;

  for (guint kind = 0; kind < NC_STORE_N_CHANGES; kind++)
    any |= marks[kind] != NC_STORE_NO_CHANGE;
  if (!any)
    return;

  changes = g_new0 (Changes, 1);
  g_weak_ref_init (&changes->store, self);
  memcpy (changes->marks, marks, sizeof changes->marks);

  source = g_idle_source_new ();
  /* The priority of the tasks' answers, queued before them: a window that made the change
   * hears of it before its own callback runs. */
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, "[nc-store] changed");
  g_source_set_callback (source, emit_changes, changes, (GDestroyNotify) changes_free);
  g_source_attach (source, self->context);
}
