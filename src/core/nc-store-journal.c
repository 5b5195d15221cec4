/* nc-store-journal.c — the calls as they are read: live, changed, and in journal pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nothing here reads the history whole. Start-up reads the calls that are not over and
 * where the change log stands; then a reader follows the log (the table changes, written
 * by the writer with every job, nc-store.c) and reads only the rows it names. The journal
 * is read a page at a time, newest first, by keyset (started_unix, id), with its filters
 * in the query and an index behind each of them.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "nc-store-private.h"

/* Changes read at once; more calls than this in one read are "all calls". */
#define CHANGES_PER_READ 2000
#define CALLS_PER_READ 500

/* ------------------------------------------------------------------------------------ */
/* Filters                                                                               */

NcCallFilter *
nc_call_filter_new (void)
{
  NcCallFilter *filter = g_new0 (NcCallFilter, 1);

  filter->direction = -1;
  return filter;
}

NcCallFilter *
nc_call_filter_copy (const NcCallFilter *filter)
{
  NcCallFilter *copy;

  if (filter == NULL)
    return nc_call_filter_new ();
  copy = g_memdup2 (filter, sizeof *filter);
  copy->employee = g_strdup (filter->employee);
  copy->text = g_strdup (filter->text);
  return copy;
}

void
nc_call_filter_free (NcCallFilter *filter)
{
  if (filter == NULL)
    return;
  g_free (filter->employee);
  g_free (filter->text);
  g_free (filter);
}

static const char *
text_of (const NcCallFilter *filter)
{
  return filter->text != NULL && *filter->text != '\0' ? filter->text : NULL;
}

gboolean
nc_call_filter_equal (const NcCallFilter *a,
                      const NcCallFilter *b)
{
  return a->direction == b->direction && a->outcome == b->outcome &&
         g_strcmp0 (a->employee, b->employee) == 0 && a->since == b->since &&
         a->until == b->until && g_strcmp0 (text_of (a), text_of (b)) == 0 &&
         a->client_id == b->client_id;
}

gboolean
nc_call_filter_is_empty (const NcCallFilter *filter)
{
  return filter->direction < 0 && filter->outcome == NC_CALL_OUTCOME_ANY &&
         filter->employee == NULL && filter->since == 0 && filter->until == 0 &&
         text_of (filter) == NULL && filter->client_id == 0;
}

static gboolean
outcome_matches (NcCallOutcome       outcome,
                 const NcCallRecord *record)
{
  switch (outcome)
    {
    case NC_CALL_OUTCOME_ANY:
      return TRUE;
    case NC_CALL_OUTCOME_ANSWERED:
      return record->answered;
    case NC_CALL_OUTCOME_MISSED:
      return nc_call_record_is_missed (record);
    case NC_CALL_OUTCOME_NOT_ANSWERED:
      return record->direction == NC_CALL_DIRECTION_OUT && record->state == NC_CALL_STATE_ENDED &&
             !record->answered;
    case NC_CALL_OUTCOME_UNENDED:
      return record->unended;
    default:
      return FALSE;
    }
}

/**
 * nc_call_filter_matches:
 * @text_clients: (element-type gint64) (nullable): the clients a text filter found, as
 *   nc_store_search_clients_sync() finds them
 *
 * The same test as the store's query, for a call that changed after a page was read.
 */
gboolean
nc_call_filter_matches (const NcCallFilter *filter,
                        const NcCallRecord *record,
                        GArray             *text_clients)
{
  if (!nc_call_record_has_start (record) ||
      (filter->direction >= 0 && (int) record->direction != filter->direction) ||
      !outcome_matches (filter->outcome, record) ||
      (filter->employee != NULL && g_strcmp0 (filter->employee, record->employee) != 0) ||
      (filter->since != 0 && record->started_unix < filter->since) ||
      (filter->until != 0 && record->started_unix >= filter->until) ||
      (filter->client_id != 0 && record->client_id != filter->client_id))
    return FALSE;

  if (text_of (filter) == NULL)
    return TRUE;
  if (nc_call_filter_matches_note (filter, record))
    return TRUE;
  if (text_clients == NULL || record->client_id == 0)
    return FALSE;
  for (guint i = 0; i < text_clients->len; i++)
    if (g_array_index (text_clients, gint64, i) == record->client_id)
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------------------------------ */
/* Live calls and the change log                                                         */

typedef struct
{
  GPtrArray *calls;
  gint64     cursor;
  gint64     last_call;
} Live;

static void
live_free (Live *live)
{
  g_clear_pointer (&live->calls, g_ptr_array_unref);
  g_free (live);
}

static gboolean
read_cursor (NcStoreConnection  *conn,
             gint64             *out_cursor,
             GError            **error)
{
  NcStoreStmt *stmt = nc_store_prepare (conn, "SELECT COALESCE (MAX (id), 0) FROM changes",
                                        error);
  NcStoreStep step;

  if (stmt == NULL)
    return FALSE;
  step = nc_store_step (stmt, error);
  if (step == NC_STORE_STEP_ROW)
    *out_cursor = nc_store_column_int64 (stmt, 0);
  nc_store_reset (stmt);
  return step == NC_STORE_STEP_ROW;
}

static gboolean
collect_calls (NcStoreStmt  *stmt,
               GPtrArray    *calls,
               GError      **error)
{
  NcStoreStep step;

  while ((step = nc_store_step (stmt, error)) == NC_STORE_STEP_ROW)
    g_ptr_array_add (calls, nc_store_read_call_row (stmt));
  nc_store_reset (stmt);
  return step == NC_STORE_STEP_DONE;
}

static int compare_newest_first (gconstpointer a,
                                 gconstpointer b);

static gpointer
list_live_job (NcStoreConnection  *conn,
               gpointer            data,
               GError            **error)
{
  Live *live = g_new0 (Live, 1);
  NcStoreStmt *stmt;

  live->calls = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_call_record_free);
  /* The cursor first: a change between the two reads is read again, never missed. */
  if (!read_cursor (conn, &live->cursor, error))
    goto failed;
  stmt = nc_store_prepare (conn, "SELECT COALESCE (MAX (id), 0) FROM calls", error);
  if (stmt == NULL)
    goto failed;
  if (nc_store_step (stmt, error) != NC_STORE_STEP_ROW)
    {
      nc_store_reset (stmt);
      goto failed;
    }
  live->last_call = nc_store_column_int64 (stmt, 0);
  nc_store_reset (stmt);
  /* No ORDER BY: with one, SQLite walks calls_by_start through the whole history to save a
   * sort, instead of the partial index calls_live that holds the few calls not over. They
   * are sorted here. */
  stmt = nc_store_prepare (conn,
                           "SELECT " NC_STORE_CALL_COLUMNS NC_STORE_CALL_FROM
                           "WHERE c.state < 2 AND c.started_at IS NOT NULL", error);
  if (stmt == NULL || !collect_calls (stmt, live->calls, error))
    goto failed;
  g_ptr_array_sort (live->calls, compare_newest_first);
  return live;

failed:
  live_free (live);
  return NULL;
}

static GPtrArray *
live_result (Live    *live,
             gint64  *out_cursor,
             gint64  *out_last_call)
{
  GPtrArray *calls;

  if (live == NULL)
    return NULL;
  if (out_cursor != NULL)
    *out_cursor = live->cursor;
  if (out_last_call != NULL)
    *out_last_call = live->last_call;
  calls = g_steal_pointer (&live->calls);
  live_free (live);
  return calls;
}

/**
 * nc_store_list_live_calls_sync:
 * @out_cursor: (out) (optional): where the change log stands: read it from there on
 * @out_last_call: (out) (optional): the id of the newest call row: a call with a greater
 *   one is new since
 *
 * Returns: (transfer full) (element-type NcCallRecord): the calls that are not over,
 *   newest first, and those only
 */
GPtrArray *
nc_store_list_live_calls_sync (NcStore  *self,
                               gint64   *out_cursor,
                               gint64   *out_last_call,
                               GError  **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  return live_result (nc_store_submit_sync (self, NC_STORE_READER,
                                            nc_store_job_new (list_live_job, NULL, NULL,
                                                              (GDestroyNotify) live_free),
                                            error), out_cursor, out_last_call);
}

void
nc_store_list_live_calls_async (NcStore             *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));

  nc_store_submit_async (self, NC_STORE_READER,
                         nc_store_job_new (list_live_job, NULL, NULL, (GDestroyNotify) live_free),
                         nc_store_list_live_calls_async, cancellable, callback, user_data);
}

GPtrArray *
nc_store_list_live_calls_finish (NcStore       *self,
                                 GAsyncResult  *result,
                                 gint64        *out_cursor,
                                 gint64        *out_last_call,
                                 GError       **error)
{
  return live_result (nc_store_pointer_finish (self, result, nc_store_list_live_calls_async,
                                               error), out_cursor, out_last_call);
}

void
nc_store_changes_free (NcStoreChanges *changes)
{
  if (changes == NULL)
    return;
  g_clear_pointer (&changes->calls, g_ptr_array_unref);
  g_free (changes);
}

static gpointer
read_changes_job (NcStoreConnection  *conn,
                  gpointer            data,
                  GError            **error)
{
  gint64 after = ((gint64 *) data)[0];
  gint64 origin = ((gint64 *) data)[1];
  g_autoptr(NcStoreChanges) changes = g_new0 (NcStoreChanges, 1);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  NcStoreStmt *stmt;
  NcStoreStep step;
  guint rows = 0;

  changes->cursor = after;
  changes->calls = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_call_record_free);

  /* A reader that fell behind what the log keeps (nc_store_prune_changes()) reads again
   * whatever it shows. */
  stmt = nc_store_prepare (conn, "SELECT MIN (id) FROM changes", error);
  if (stmt == NULL)
    return NULL;
  step = nc_store_step (stmt, error);
  if (step == NC_STORE_STEP_ROW && !nc_store_column_is_null (stmt, 0) &&
      nc_store_column_int64 (stmt, 0) > after + 1 && after > 0)
    {
      changes->kinds = (1u << NC_STORE_N_CHANGES) - 1;
      changes->kinds_elsewhere = changes->kinds;
      changes->all_calls = TRUE;
    }
  nc_store_reset (stmt);
  if (step == NC_STORE_STEP_ERROR)
    return NULL;

  stmt = nc_store_prepare (conn,
                           "SELECT id, kind, row_id, origin FROM changes WHERE id > ?1 "
                           "ORDER BY id LIMIT ?2", error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, after);
  nc_store_bind_int64 (stmt, 2, CHANGES_PER_READ);
  while ((step = nc_store_step (stmt, error)) == NC_STORE_STEP_ROW)
    {
      gint64 kind = nc_store_column_int64 (stmt, 1);
      gint64 row_id = nc_store_column_int64 (stmt, 2);

      rows++;
      changes->cursor = nc_store_column_int64 (stmt, 0);
      if (kind < 0 || kind >= NC_STORE_N_CHANGES)
        continue;
      changes->kinds |= 1u << kind;
      if (nc_store_column_int64 (stmt, 3) != origin)
        changes->kinds_elsewhere |= 1u << kind;
      if (kind != NC_STORE_CHANGE_CALLS || changes->all_calls)
        continue;
      if (row_id == 0 || ids->len >= CALLS_PER_READ)
        changes->all_calls = TRUE;
      else if (!g_hash_table_contains (seen, &row_id))
        {
          g_array_append_val (ids, row_id);
          g_hash_table_add (seen, &g_array_index (ids, gint64, ids->len - 1));
        }
    }
  nc_store_reset (stmt);
  if (step == NC_STORE_STEP_ERROR)
    return NULL;
  changes->more = rows == CHANGES_PER_READ;

  if (changes->all_calls)
    return g_steal_pointer (&changes);

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(GError) read_error = NULL;
      NcCallRecord *record = nc_store_read_call (conn, g_array_index (ids, gint64, i),
                                                 &read_error);

      if (read_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&read_error));
          return NULL;
        }
      /* A call deleted since is no more. */
      if (record != NULL)
        g_ptr_array_add (changes->calls, record);
    }
  return g_steal_pointer (&changes);
}

static NcStoreJob *
read_changes_job_new (NcStore *store,
                      gint64   after)
{
  gint64 *data = g_new (gint64, 2);

  data[0] = after;
  data[1] = nc_store_get_origin (store);
  return nc_store_job_new (read_changes_job, data, g_free,
                           (GDestroyNotify) nc_store_changes_free);
}

/**
 * nc_store_read_changes_sync:
 * @after: the cursor of the last read, or of nc_store_list_live_calls_sync()
 *
 * What every process wrote to this store since @after: the calls named one by one, as
 * they are now, and the other kinds of data that changed.
 *
 * Returns: (transfer full): the changes
 */
NcStoreChanges *
nc_store_read_changes_sync (NcStore  *self,
                            gint64    after,
                            GError  **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  return nc_store_submit_sync (self, NC_STORE_READER, read_changes_job_new (self, after), error);
}

void
nc_store_read_changes_async (NcStore             *self,
                             gint64               after,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));

  nc_store_submit_async (self, NC_STORE_READER, read_changes_job_new (self, after),
                         nc_store_read_changes_async, cancellable, callback, user_data);
}

NcStoreChanges *
nc_store_read_changes_finish (NcStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return nc_store_pointer_finish (self, result, nc_store_read_changes_async, error);
}

/* ------------------------------------------------------------------------------------ */
/* Journal pages                                                                         */

/* Every page query ends with the same conditions: ?1, ?2 the keyset (the last row of the
 * page before), ?3 direction, ?4 outcome, ?5 employee, ?6 since, ?7 until, ?8 limit. Each
 * query begins with the condition that picks its index. */
#define PAGE_TAIL \
  "c.started_at IS NOT NULL AND c.started_unix <= ?1 AND " \
  "(c.started_unix < ?1 OR c.id < ?2) AND " \
  "(?3 < 0 OR c.direction = ?3) AND " \
  "(?4 = 0 OR (?4 = 1 AND c.answered = 1) OR " \
  " (?4 = 2 AND c.direction = 0 AND c.state = 2 AND c.answered = 0) OR " \
  " (?4 = 3 AND c.direction = 1 AND c.state = 2 AND c.answered = 0) OR " \
  " (?4 = 4 AND c.unended = 1)) AND " \
  "(CAST (?5 AS TEXT) IS NULL OR c.employee = ?5) AND " \
  "(?6 = 0 OR c.started_unix >= ?6) AND (?7 = 0 OR c.started_unix < ?7) " \
  "ORDER BY c.started_unix DESC, c.id DESC LIMIT ?8"

#define PAGE_HEAD "SELECT " NC_STORE_CALL_COLUMNS NC_STORE_CALL_FROM

static const char page_any[] = PAGE_HEAD "WHERE " PAGE_TAIL;
static const char page_missed[] =
  PAGE_HEAD "WHERE c.direction = 0 AND c.state = 2 AND c.answered = 0 AND " PAGE_TAIL;
static const char page_unended[] = PAGE_HEAD "WHERE c.unended = 1 AND " PAGE_TAIL;
static const char page_employee[] = PAGE_HEAD "WHERE c.employee = ?5 AND " PAGE_TAIL;
static const char page_client[] = PAGE_HEAD "WHERE c.client_id = ?9 AND " PAGE_TAIL;

/* The page of the calls whose note holds a text, ?10 (in the backend's form), of one
 * client (?9) or of any (0). Made once per backend, and kept: the connection's statements
 * are kept by their SQL's address. */
static const char *
page_note_sql (const NcStoreBackend *backend)
{
  g_autofree char *sql = g_strconcat (PAGE_HEAD "WHERE ", backend->note_match,
                                      " AND (?9 = 0 OR c.client_id = ?9) AND " PAGE_TAIL, NULL);

  return g_intern_string (sql);
}

typedef struct
{
  NcCallFilter *filter;
  gint64        after_start;
  gint64        after_id;
  guint         limit;
} Page;

static void
page_free (Page *page)
{
  nc_call_filter_free (page->filter);
  g_free (page);
}

static void
bind_page (NcStoreStmt *stmt,
           const Page  *page)
{
  nc_store_bind_int64 (stmt, 1, page->after_start);
  nc_store_bind_int64 (stmt, 2, page->after_id);
  nc_store_bind_int64 (stmt, 3, page->filter->direction);
  nc_store_bind_int64 (stmt, 4, page->filter->outcome);
  nc_store_bind_text (stmt, 5, page->filter->employee);
  nc_store_bind_int64 (stmt, 6, page->filter->since);
  nc_store_bind_int64 (stmt, 7, page->filter->until);
  nc_store_bind_int64 (stmt, 8, page->limit);
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const NcCallRecord *call_a = *(NcCallRecord **) a;
  const NcCallRecord *call_b = *(NcCallRecord **) b;

  if (call_a->started_unix != call_b->started_unix)
    return call_a->started_unix > call_b->started_unix ? -1 : 1;
  return call_a->id > call_b->id ? -1 : call_a->id < call_b->id;
}

/* Where page_by_text() is in one client's calls: the oldest it read so far. */
typedef struct
{
  gint64   client_id;
  gint64   last_start;
  gint64   last_id;
  gboolean more;       /* its last read filled what was asked: it may have more */
} ClientCursor;

static gboolean
newer_than (gint64              start,
            gint64              id,
            const NcCallRecord *record)
{
  return start > record->started_unix || (start == record->started_unix && id > record->id);
}

/* The calls of the clients a text finds, newest first: a merge of each client's calls,
 * read through its own index (calls_by_client) only as far as the page needs. Each client
 * is first asked for a few (the page's share, twice over); a client whose oldest call
 * read so far is still newer than the page's last is asked for more, four times as many
 * each round, until none is. A client's calls not read are older than the oldest read,
 * so the page is the same as if every call of every client had been read and sorted; it
 * costs a few rows a client instead of a page a client (12 000 rows for 200 clients). */
static gboolean
page_by_text (NcStoreConnection  *conn,
              const Page         *page,
              GPtrArray          *calls,
              GError            **error)
{
  g_autoptr(GArray) clients = nc_store_search_client_ids (conn, page->filter->text,
                                                          NC_CALL_FILTER_TEXT_CLIENTS, error);
  g_autoptr(GArray) cursors = g_array_new (FALSE, FALSE, sizeof (ClientCursor));
  NcStoreStmt *stmt;
  guint take;
  gboolean asked = TRUE;

  if (clients == NULL)
    return FALSE;
  stmt = nc_store_prepare (conn, page_client, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < clients->len; i++)
    {
      ClientCursor cursor = { g_array_index (clients, gint64, i), page->after_start,
                              page->after_id, TRUE };

      if (page->filter->client_id == 0 || cursor.client_id == page->filter->client_id)
        g_array_append_val (cursors, cursor);
    }
  if (cursors->len == 0 || page->limit == 0)
    return TRUE;

  take = CLAMP (2 * page->limit / cursors->len + 1, 1, page->limit);
  while (asked)
    {
      const NcCallRecord *last = calls->len >= page->limit ? calls->pdata[page->limit - 1]
                                                           : NULL;

      asked = FALSE;
      for (guint i = 0; i < cursors->len; i++)
        {
          ClientCursor *cursor = &g_array_index (cursors, ClientCursor, i);
          guint before = calls->len;

          if (!cursor->more || (last != NULL && !newer_than (cursor->last_start,
                                                             cursor->last_id, last)))
            continue;
          bind_page (stmt, page);
          nc_store_bind_int64 (stmt, 1, cursor->last_start);
          nc_store_bind_int64 (stmt, 2, cursor->last_id);
          nc_store_bind_int64 (stmt, 8, take);
          nc_store_bind_int64 (stmt, 9, cursor->client_id);
          if (!collect_calls (stmt, calls, error))
            return FALSE;
          /* Newest first: the last row read is the oldest. */
          cursor->more = calls->len - before == take;
          if (calls->len > before)
            {
              const NcCallRecord *oldest = calls->pdata[calls->len - 1];

              cursor->last_start = oldest->started_unix;
              cursor->last_id = oldest->id;
            }
          asked = TRUE;
        }
      g_ptr_array_sort (calls, compare_newest_first);
      if (calls->len > page->limit)
        g_ptr_array_set_size (calls, page->limit);
      take = MIN (take * 4, page->limit);
    }
  return TRUE;
}

/* The calls whose note holds the text, newest first: the backend's index of the notes
 * finds the noted calls that hold it (a few beside the history), and only those are read
 * and sorted. */
static gboolean
page_by_note (NcStoreConnection  *conn,
              const Page         *page,
              GPtrArray          *calls,
              GError            **error)
{
  g_autofree char *pattern = NULL;
  NcStoreStmt *stmt;

  if (!nc_call_filter_finds_notes (page->filter) || page->limit == 0)
    return TRUE;
  stmt = nc_store_prepare (conn, page_note_sql (conn->backend), error);
  if (stmt == NULL)
    return FALSE;
  pattern = conn->backend->note_pattern (page->filter->text);
  bind_page (stmt, page);
  nc_store_bind_int64 (stmt, 9, page->filter->client_id);
  nc_store_bind_text (stmt, 10, pattern);
  return collect_calls (stmt, calls, error);
}

/* A page of the journal for a text: the calls of the clients it finds and the calls whose
 * note holds it, each read newest first as far as the page needs, merged, a call found
 * both ways once. */
static gboolean
page_by_text_or_note (NcStoreConnection  *conn,
                      const Page         *page,
                      GPtrArray          *calls,
                      GError            **error)
{
  guint kept = 0;

  if (!page_by_text (conn, page, calls, error) || !page_by_note (conn, page, calls, error))
    return FALSE;
  g_ptr_array_sort (calls, compare_newest_first);
  for (guint i = 0; i < calls->len; i++)
    {
      NcCallRecord *record = calls->pdata[i];

      if (kept > 0 && ((NcCallRecord *) calls->pdata[kept - 1])->id == record->id)
        {
          nc_call_record_free (record);
          continue;
        }
      calls->pdata[kept++] = record;
    }
  /* The duplicates are freed already: set_size must not free them again. */
  g_ptr_array_set_free_func (calls, NULL);
  g_ptr_array_set_size (calls, kept);
  g_ptr_array_set_free_func (calls, (GDestroyNotify) nc_call_record_free);
  if (calls->len > page->limit)
    g_ptr_array_set_size (calls, page->limit);
  return TRUE;
}

static gpointer
list_calls_job (NcStoreConnection  *conn,
                gpointer            data,
                GError            **error)
{
  Page *page = data;
  g_autoptr(GPtrArray) calls = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_call_record_free);
  const char *sql = page_any;
  NcStoreStmt *stmt;

  if (text_of (page->filter) != NULL)
    return page_by_text_or_note (conn, page, calls, error) ? g_steal_pointer (&calls) : NULL;
  if (page->filter->client_id != 0)
    {
      stmt = nc_store_prepare (conn, page_client, error);
      if (stmt == NULL)
        return NULL;
      bind_page (stmt, page);
      nc_store_bind_int64 (stmt, 9, page->filter->client_id);
      return collect_calls (stmt, calls, error) ? g_steal_pointer (&calls) : NULL;
    }

  if (page->filter->employee != NULL)
    sql = page_employee;
  else if (page->filter->outcome == NC_CALL_OUTCOME_MISSED)
    sql = page_missed;
  else if (page->filter->outcome == NC_CALL_OUTCOME_UNENDED)
    sql = page_unended;

  stmt = nc_store_prepare (conn, sql, error);
  if (stmt == NULL)
    return NULL;
  bind_page (stmt, page);
  return collect_calls (stmt, calls, error) ? g_steal_pointer (&calls) : NULL;
}

static NcStoreJob *
list_calls_job_new (const NcCallFilter *filter,
                    const NcCallRecord *after,
                    guint               limit)
{
  Page *page = g_new0 (Page, 1);

  page->filter = nc_call_filter_copy (filter);
  page->after_start = after != NULL ? after->started_unix : G_MAXINT64;
  page->after_id = after != NULL ? after->id : G_MAXINT64;
  page->limit = limit;
  return nc_store_job_new (list_calls_job, page, (GDestroyNotify) page_free,
                           (GDestroyNotify) g_ptr_array_unref);
}

/**
 * nc_store_list_calls_sync:
 * @filter: (nullable): which calls; %NULL for every one
 * @after: (nullable): the last call of the page before, or %NULL for the first page
 *
 * One page of the journal: the calls that have a start, newest first.
 *
 * Returns: (transfer full) (element-type NcCallRecord): at most @limit calls
 */
GPtrArray *
nc_store_list_calls_sync (NcStore             *self,
                          const NcCallFilter  *filter,
                          const NcCallRecord  *after,
                          guint                limit,
                          GError             **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  return nc_store_submit_sync (self, NC_STORE_READER, list_calls_job_new (filter, after, limit),
                               error);
}

void
nc_store_list_calls_async (NcStore             *self,
                           const NcCallFilter  *filter,
                           const NcCallRecord  *after,
                           guint                limit,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));

  nc_store_submit_async (self, NC_STORE_READER, list_calls_job_new (filter, after, limit),
                         nc_store_list_calls_async, cancellable, callback, user_data);
}

GPtrArray *
nc_store_list_calls_finish (NcStore       *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return nc_store_pointer_finish (self, result, nc_store_list_calls_async, error);
}

static gpointer
get_call_job (NcStoreConnection  *conn,
              gpointer            data,
              GError            **error)
{
  NcStoreStmt *stmt = nc_store_prepare (conn,
                                        "SELECT " NC_STORE_CALL_COLUMNS NC_STORE_CALL_FROM
                                        "WHERE c.pbx_call_id = ?1", error);
  NcCallRecord *record = NULL;
  NcStoreStep step;

  if (stmt == NULL)
    return NULL;
  nc_store_bind_text (stmt, 1, data);
  step = nc_store_step (stmt, error);
  if (step == NC_STORE_STEP_ROW)
    record = nc_store_read_call_row (stmt);
  nc_store_reset (stmt);
  if (step == NC_STORE_STEP_DONE)
    g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND,
                 _("There is no call %s"), (const char *) data);
  return record;
}

/**
 * nc_store_get_call_sync:
 *
 * Returns: (transfer full): the call, or %NULL with %NC_STORE_ERROR_NOT_FOUND
 */
NcCallRecord *
nc_store_get_call_sync (NcStore     *self,
                        const char  *pbx_call_id,
                        GError     **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);
  g_return_val_if_fail (pbx_call_id != NULL, NULL);

  return nc_store_submit_sync (self, NC_STORE_READER,
                               nc_store_job_new (get_call_job, g_strdup (pbx_call_id), g_free,
                                                 (GDestroyNotify) nc_call_record_free), error);
}

/* ------------------------------------------------------------------------------------ */
/* The audit trail                                                                       */

typedef struct
{
  gint64 after;
  guint  limit;
} EventPage;

static gpointer
list_call_events_job (NcStoreConnection  *conn,
                      gpointer            data,
                      GError            **error)
{
  EventPage *page = data;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_stored_event_free);
  NcStoreStmt *stmt;
  NcStoreStep step;

  stmt = nc_store_prepare (conn,
                           "SELECT id, event_type, fields, received_at FROM call_events "
                           "WHERE id > ?1 ORDER BY id LIMIT ?2", error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, page->after);
  nc_store_bind_int64 (stmt, 2, page->limit);
  while ((step = nc_store_step (stmt, error)) == NC_STORE_STEP_ROW)
    {
      NcStoredEvent *event = g_new0 (NcStoredEvent, 1);

      event->id = nc_store_column_int64 (stmt, 0);
      event->event_type = g_strdup (nc_store_column_text (stmt, 1));
      event->fields = g_strdup (nc_store_column_text (stmt, 2));
      event->received_at = nc_store_column_int64 (stmt, 3);
      g_ptr_array_add (events, event);
    }
  nc_store_reset (stmt);
  return step == NC_STORE_STEP_DONE ? g_steal_pointer (&events) : NULL;
}

/**
 * nc_store_list_call_events_sync:
 * @after: the id of the last event of the page before, or 0
 *
 * The webhook events as they were stored (the audit trail), oldest first, a page at a
 * time.
 *
 * Returns: (transfer full) (element-type NcStoredEvent): at most @limit events
 */
GPtrArray *
nc_store_list_call_events_sync (NcStore  *self,
                                gint64    after,
                                guint     limit,
                                GError  **error)
{
  EventPage *page = g_new0 (EventPage, 1);

  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  page->after = after;
  page->limit = limit;
  return nc_store_submit_sync (self, NC_STORE_READER,
                               nc_store_job_new (list_call_events_job, page, g_free,
                                                 (GDestroyNotify) g_ptr_array_unref),
                               error);
}
