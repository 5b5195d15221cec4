/* nc-store-call-rows.c — a call's row in the store: read, and written column by column
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A call's row is NC_STORE_CALL_COLUMNS, read into an NcCallRecord; it is written whole
 * when it is new, and afterwards only in the columns that changed (an UPDATE of every
 * column would rewrite the row's entry in every index of calls). The events that make a
 * call's row are in nc-store-calls.c.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include "nc-store-private.h"

static char *
dup_column (NcStoreStmt *stmt,
            int          index)
{
  return nc_store_column_is_null (stmt, index) ? NULL
                                               : g_strdup (nc_store_column_text (stmt, index));
}

/* A row of NC_STORE_CALL_COLUMNS. */
NcCallRecord *
nc_store_read_call_row (NcStoreStmt *stmt)
{
  NcCallRecord *record = nc_call_record_new (nc_store_column_text (stmt, 1));

  record->id = nc_store_column_int64 (stmt, 0);
  record->direction = nc_store_column_int64 (stmt, 2) == NC_CALL_DIRECTION_OUT
                      ? NC_CALL_DIRECTION_OUT : NC_CALL_DIRECTION_IN;
  record->state = CLAMP (nc_store_column_int64 (stmt, 3), NC_CALL_STATE_RINGING,
                         NC_CALL_STATE_ENDED);
  record->answered = nc_store_column_int64 (stmt, 4) != 0;
  record->client_number = dup_column (stmt, 5);
  record->virtual_number = dup_column (stmt, 6);
  record->employee = dup_column (stmt, 7);
  record->started_at = dup_column (stmt, 8);
  record->started_unix = nc_store_column_int64 (stmt, 9);
  record->first_seen_us = nc_store_column_int64 (stmt, 10);
  record->answered_seen_us = nc_store_column_int64 (stmt, 11);
  record->ended_seen_us = nc_store_column_int64 (stmt, 12);
  record->last_event_us = nc_store_column_int64 (stmt, 13);
  record->duration = (guint) CLAMP (nc_store_column_int64 (stmt, 14), 0, G_MAXUINT);
  record->disposition = dup_column (stmt, 15);
  record->is_recorded = nc_store_column_int64 (stmt, 16) != 0;
  record->call_id_with_rec = dup_column (stmt, 17);
  record->recording = CLAMP (nc_store_column_int64 (stmt, 18), NC_RECORDING_NONE,
                             NC_RECORDING_FAILED);
  record->record_link = dup_column (stmt, 19);
  record->record_expires = dup_column (stmt, 20);
  record->record_next_try = nc_store_column_int64 (stmt, 21);
  record->record_attempts = (guint) CLAMP (nc_store_column_int64 (stmt, 22), 0, G_MAXUINT);
  record->client_id = nc_store_column_is_null (stmt, 23) ? 0 : nc_store_column_int64 (stmt, 23);
  record->match_rule = dup_column (stmt, 24);
  record->event_mask = (guint) nc_store_column_int64 (stmt, 25);
  record->request_id = nc_store_column_is_null (stmt, 26) ? 0 : nc_store_column_int64 (stmt, 26);
  record->recovered = nc_store_column_int64 (stmt, 27) != 0;
  record->unended = nc_store_column_int64 (stmt, 28) != 0;
  record->client_name = dup_column (stmt, 29);
  record->outcome = dup_column (stmt, 30);
  record->note = dup_column (stmt, 31);
  return record;
}

static NcCallRecord *
read_one (NcStoreStmt  *stmt,
          GError      **error)
{
  NcCallRecord *record = NULL;
  NcStoreStep step = nc_store_step (stmt, error);

  if (step == NC_STORE_STEP_ROW)
    record = nc_store_read_call_row (stmt);
  nc_store_reset (stmt);
  return record;
}

NcCallRecord *
nc_store_read_call (NcStoreConnection  *conn,
                    gint64              id,
                    GError            **error)
{
  NcStoreStmt *stmt = nc_store_prepare (conn,
                                        "SELECT " NC_STORE_CALL_COLUMNS NC_STORE_CALL_FROM
                                        "WHERE c.id = ?1", error);

  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, id);
  return read_one (stmt, error);
}

NcCallRecord *
nc_store_read_call_by_pbx_id (NcStoreConnection  *conn,
                              const char         *pbx_call_id,
                              GError            **error)
{
  NcStoreStmt *stmt = nc_store_prepare (conn,
                                        "SELECT " NC_STORE_CALL_COLUMNS NC_STORE_CALL_FROM
                                        "WHERE c.pbx_call_id = ?1", error);

  if (stmt == NULL)
    return NULL;
  nc_store_bind_text (stmt, 1, pbx_call_id);
  return read_one (stmt, error);
}

/* The columns a call's row is written with, in the order of NC_STORE_CALL_COLUMNS after
 * the id: each with where the record keeps it, so that a row is bound, and two records
 * compared, by one walk of this table. */
typedef enum
{
  COLUMN_TEXT,
  COLUMN_INT64,
  COLUMN_INT,     /* an enum or a gboolean */
  COLUMN_UINT,
  COLUMN_ID,      /* a row id, NULL for 0 */
} ColumnKind;

typedef struct
{
  const char *name;
  ColumnKind  kind;
  gsize       offset;
} CallColumn;

#define COLUMN(field, kind) { #field, kind, G_STRUCT_OFFSET (NcCallRecord, field) }
static const CallColumn call_columns[] = {
  COLUMN (pbx_call_id, COLUMN_TEXT),
  COLUMN (direction, COLUMN_INT),
  COLUMN (state, COLUMN_INT),
  COLUMN (answered, COLUMN_INT),
  COLUMN (client_number, COLUMN_TEXT),
  COLUMN (virtual_number, COLUMN_TEXT),
  COLUMN (employee, COLUMN_TEXT),
  COLUMN (started_at, COLUMN_TEXT),
  COLUMN (started_unix, COLUMN_INT64),
  COLUMN (first_seen_us, COLUMN_INT64),
  COLUMN (answered_seen_us, COLUMN_INT64),
  COLUMN (ended_seen_us, COLUMN_INT64),
  COLUMN (last_event_us, COLUMN_INT64),
  COLUMN (duration, COLUMN_UINT),
  COLUMN (disposition, COLUMN_TEXT),
  COLUMN (is_recorded, COLUMN_INT),
  COLUMN (call_id_with_rec, COLUMN_TEXT),
  COLUMN (recording, COLUMN_INT),
  COLUMN (record_link, COLUMN_TEXT),
  COLUMN (record_expires, COLUMN_TEXT),
  COLUMN (record_next_try, COLUMN_INT64),
  COLUMN (record_attempts, COLUMN_UINT),
  COLUMN (client_id, COLUMN_ID),
  COLUMN (match_rule, COLUMN_TEXT),
  COLUMN (event_mask, COLUMN_UINT),
  COLUMN (request_id, COLUMN_ID),
  COLUMN (recovered, COLUMN_INT),
  COLUMN (unended, COLUMN_INT),
  COLUMN (outcome, COLUMN_TEXT),
  COLUMN (note, COLUMN_TEXT),
};
#undef COLUMN

#define N_CALL_COLUMNS G_N_ELEMENTS (call_columns)
G_STATIC_ASSERT (N_CALL_COLUMNS < 32);

static const char *
column_text (const NcCallRecord *record,
             const CallColumn   *column)
{
  return G_STRUCT_MEMBER (const char *, record, column->offset);
}

static gint64
column_int64 (const NcCallRecord *record,
              const CallColumn   *column)
{
  switch (column->kind)
    {
    case COLUMN_INT64:
    case COLUMN_ID:
      return G_STRUCT_MEMBER (gint64, record, column->offset);
    case COLUMN_INT:
      return G_STRUCT_MEMBER (int, record, column->offset);
    case COLUMN_UINT:
      return G_STRUCT_MEMBER (guint, record, column->offset);
    case COLUMN_TEXT:
    default:
      g_assert_not_reached ();
    }
}

/* Binds @column of @record to parameter @index. */
static void
bind_column (NcStoreStmt        *stmt,
             int                 index,
             const NcCallRecord *record,
             const CallColumn   *column)
{
  gint64 value;

  if (column->kind == COLUMN_TEXT)
    {
      nc_store_bind_text (stmt, index, column_text (record, column));
      return;
    }
  value = column_int64 (record, column);
  if (column->kind == COLUMN_ID && value == 0)
    nc_store_bind_null (stmt, index);
  else
    nc_store_bind_int64 (stmt, index, value);
}

/* The columns of @after that differ from @before: bit i for call_columns[i]. */
static guint32
changed_columns (const NcCallRecord *before,
                 const NcCallRecord *after)
{
  guint32 mask = 0;

  for (guint i = 0; i < N_CALL_COLUMNS; i++)
    {
      const CallColumn *column = &call_columns[i];
      gboolean same = column->kind == COLUMN_TEXT
                      ? g_strcmp0 (column_text (before, column), column_text (after, column)) == 0
                      : column_int64 (before, column) == column_int64 (after, column);

      if (!same)
        mask |= 1u << i;
    }
  return mask;
}

/* "UPDATE calls SET a = ?1, b = ?2 … WHERE id = ?N" for the columns of @mask, made once
 * for each mask and kept (interned: the connection's statements are kept by their SQL's
 * address). An event changes a few columns; an UPDATE of all of them would rewrite the
 * row's entry in every index of calls, whether its columns changed or not. */
static const char *
update_sql (guint32 mask)
{
  G_LOCK_DEFINE_STATIC (update_sql);
  static GHashTable *made;
  const char *sql;

  G_LOCK (update_sql);
  if (made == NULL)
    made = g_hash_table_new (NULL, NULL);
  sql = g_hash_table_lookup (made, GUINT_TO_POINTER (mask));
  if (sql == NULL)
    {
      g_autoptr(GString) text = g_string_new ("UPDATE calls SET ");
      guint n = 0;

      for (guint i = 0; i < N_CALL_COLUMNS; i++)
        if (mask & (1u << i))
          {
            n++;
            g_string_append_printf (text, "%s%s = ?%u", n > 1 ? ", " : "",
                                    call_columns[i].name, n);
          }
      g_string_append_printf (text, " WHERE id = ?%u", n + 1);
      sql = g_intern_string (text->str);
      g_hash_table_insert (made, GUINT_TO_POINTER (mask), (gpointer) sql);
    }
  G_UNLOCK (update_sql);
  return sql;
}

/* Writes the columns of @mask (every column: all bits) of the stored call @record. */
static gboolean
update_call (NcStoreConnection   *conn,
             const NcCallRecord  *record,
             guint32              mask,
             GError             **error)
{
  NcStoreStmt *stmt = nc_store_prepare (conn, update_sql (mask), error);
  int index = 0;

  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < N_CALL_COLUMNS; i++)
    if (mask & (1u << i))
      bind_column (stmt, ++index, record, &call_columns[i]);
  nc_store_bind_int64 (stmt, index + 1, record->id);
  return nc_store_step_done (stmt, error);
}

/* Inserts the call (record->id 0, and sets it) or updates every column of its row. */
gboolean
nc_store_write_call (NcStoreConnection  *conn,
                     NcCallRecord       *record,
                     GError            **error)
{
  return nc_store_update_call (conn, NULL, record, error);
}

/**
 * nc_store_update_call:
 * @before: (nullable): the row as it was read, to write only what differs from it
 *
 * As nc_store_write_call(), and for a stored call only the columns that @record changed
 * since @before (none: nothing is written, nothing marked).
 */
gboolean
nc_store_update_call (NcStoreConnection   *conn,
                      const NcCallRecord  *before,
                      NcCallRecord        *record,
                      GError             **error)
{
  NcStoreStmt *stmt;

  if (record->id != 0)
    {
      guint32 mask = before != NULL ? changed_columns (before, record)
                                    : (1u << N_CALL_COLUMNS) - 1;

      if (mask == 0)
        return TRUE;
      if (!update_call (conn, record, mask, error))
        return FALSE;
    }
  else
    {
      stmt = nc_store_prepare (conn,
                               "INSERT INTO calls (pbx_call_id, direction, state, answered, "
                               "client_number, virtual_number, employee, started_at, "
                               "started_unix, first_seen_us, answered_seen_us, ended_seen_us, "
                               "last_event_us, duration, disposition, is_recorded, "
                               "call_id_with_rec, recording, record_link, record_expires, "
                               "record_next_try, record_attempts, client_id, match_rule, "
                               "event_mask, request_id, recovered, unended, outcome, note) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                               "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, "
                               "?25, ?26, ?27, ?28, ?29, ?30) "
                               "RETURNING id", error);
      if (stmt == NULL)
        return FALSE;
      for (guint i = 0; i < N_CALL_COLUMNS; i++)
        bind_column (stmt, i + 1, record, &call_columns[i]);
      if (!nc_store_step_id (stmt, &record->id, error))
        return FALSE;
    }

  nc_store_mark_changed (conn, NC_STORE_CHANGE_CALLS, record->id);
  /* In the same savepoint: the missed calls are never behind the calls. */
  return nc_store_missed_call_ended (conn, before, record, error);
}

/**
 * nc_store_client_has_later_call:
 * @sql: NC_STORE_LATER_CALL_OF_CLIENT() with the condition the later call must meet
 *
 * Whether the client of @record has another call, started after it, that the condition
 * holds for: what the variables that keep a client's last call (its recording's link, its
 * note) ask before they are written.
 */
gboolean
nc_store_client_has_later_call (NcStoreConnection   *conn,
                                const char          *sql,
                                const NcCallRecord  *record,
                                gboolean            *out_found,
                                GError             **error)
{
  NcStoreStmt *stmt = nc_store_prepare (conn, sql, error);
  NcStoreStep step;

  if (stmt == NULL)
    return FALSE;
  nc_store_bind_int64 (stmt, 1, record->client_id);
  nc_store_bind_int64 (stmt, 2, record->id);
  nc_store_bind_int64 (stmt, 3, record->started_unix);
  step = nc_store_step (stmt, error);
  nc_store_reset (stmt);
  *out_found = step == NC_STORE_STEP_ROW;
  return step != NC_STORE_STEP_ERROR;
}

static const char later_link[] = NC_STORE_LATER_CALL_OF_CLIENT ("record_link IS NOT NULL");

/* The client variable keeps the link of the client's last call: a link fetched late, for
 * an older call (after retries, or opened again), does not take its place. */
gboolean
nc_store_write_record_link_variable (NcStoreConnection   *conn,
                                     const NcCallRecord  *record,
                                     GError             **error)
{
  gboolean later;

  if (record->client_id == 0 || record->record_link == NULL)
    return TRUE;
  if (!nc_store_client_has_later_call (conn, later_link, record, &later, error))
    return FALSE;
  if (later)
    return TRUE;
  return nc_store_write_variable (conn, record->client_id, NC_RECORD_LINK_VARIABLE,
                                  record->record_link, error);
}
