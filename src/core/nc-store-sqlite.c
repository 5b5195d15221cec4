/* nc-store-sqlite.c — the store's SQLite backend: the embedded default (one desk, the
 * demo, the tests)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The only file that talks to SQLite (the build refuses a sqlite3_ call anywhere else in
 * the core): connections, statements, the error codes, the PRAGMAs (WAL, synchronous=FULL,
 * foreign keys, user_version), BEGIN IMMEDIATE, the checkpoints, and the FTS5 trigram index
 * behind search. The DDL of each schema version is in nc-store-sqlite-schema.c.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <string.h>
#include <sqlite3.h>
#include <glib/gi18n.h>

#include "nc-store-private.h"

/* The writer's WAL is copied into the database file by a thread of its own (see
 * start_checkpointer()). */
typedef struct
{
  GThread  *thread;
  sqlite3  *db;        /* its own connection to the file */
  GMutex    lock;
  GCond     cond;
  gboolean  due;
  gboolean  stopping;
  int       last_pages;  /* the writer's thread only: the WAL's size at the last COMMIT */
  int       next_pages;  /* the writer's thread only: the size that asks for the next copy */
} Checkpointer;

typedef struct
{
  NcStoreConnection  base;
  sqlite3           *db;
  Checkpointer      *checkpointer;     /* the writer's, on a file */
  sqlite3_stmt      *transaction[NC_STORE_N_TRANSACTIONS];  /* prepared when first used */
  gint               busy_timeout_ms;  /* atomic: set from any thread */
  gint64             busy_since;       /* when the wait for a lock began */
  gboolean           relaxed;          /* synchronous = NORMAL, for now */
} Connection;

typedef struct
{
  NcStoreStmt   base;
  sqlite3_stmt *stmt;
  /* An INSERT … RETURNING id, run as a plain INSERT (see sqlite_prepare()). */
  gboolean      returns_rowid;
  gboolean      on_rowid;      /* the answered row is the current one */
  gint64        rowid;
} Statement;

#define DB(conn) (((Connection *) (conn))->db)
#define STMT(stmt) (((Statement *) (stmt))->stmt)

/* ------------------------------------------------------------------------------------ */
/* Errors                                                                                */

static void
set_error (GError     **error,
           sqlite3     *db,
           int          rc,
           const char  *path)
{
  int primary = rc & 0xff;
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (primary)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_LOCKED,
                   _("The data in %s is in use by another program; close it and try again"),
                   path);
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_CORRUPT,
                   _("%s is damaged or is not a Novofon Console database (%s)"), path, detail);
      break;
    case SQLITE_FULL:
      g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_FULL,
                   _("The disk that holds %s is full: free some space and try again"), path);
      break;
    case SQLITE_CONSTRAINT:
      g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID,
                   _("The data was refused: %s"), detail);
      break;
    default:
      g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_FAILED,
                   _("Could not use the data in %s: %s"), path, detail);
    }
}

static gboolean
check (NcStoreConnection  *conn,
       int                 rc,
       GError            **error)
{
  if (rc == SQLITE_OK)
    return TRUE;
  set_error (error, DB (conn), rc, conn->name);
  return FALSE;
}

/* ------------------------------------------------------------------------------------ */
/* Connections                                                                           */

/* Once the WAL holds this many pages, it is copied into the database file by the thread:
 * SQLite's own automatic checkpoint copies at the same size. The WAL starts over from its
 * beginning only when a write begins with all of it copied, which a copy beside a writer
 * that never pauses (an import) does not see; so at CHECKPOINT_MAX_PAGES the writer's
 * COMMIT copies the rest itself (as SQLite would all of it), and the WAL stays within
 * about that size. */
#define CHECKPOINT_PAGES 1000
#define CHECKPOINT_MAX_PAGES 4000
/* After a copy, the thread copies again once the WAL has grown this much: each copy ends
 * with an fsync of the database file, too many for a COMMIT of a few pages each. */
#define CHECKPOINT_STEP_PAGES 256

static gpointer
checkpointer_main (gpointer data)
{
  Checkpointer *self = data;

  g_mutex_lock (&self->lock);
  while (!self->stopping)
    {
      if (!self->due)
        {
          g_cond_wait (&self->cond, &self->lock);
          continue;
        }
      self->due = FALSE;
      g_mutex_unlock (&self->lock);
      /* PASSIVE takes no lock a writer needs, and copies what no reader still sees; what
       * it could not copy waits for the next. A failure here loses nothing: the pages
       * stay in the WAL for the next checkpoint, or the last close's. */
      if (sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) !=
          SQLITE_OK)
        g_debug ("The checkpoint waits: %s", sqlite3_errmsg (self->db));
      g_mutex_lock (&self->lock);
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

/* Called by SQLite on the writer's thread after each COMMIT, with the WAL's size. */
static int
wal_written (void       *data,
             sqlite3    *db,
             const char *database,
             int         pages)
{
  Checkpointer *self = data;

  /* A WAL that started over. */
  if (pages < self->last_pages)
    self->next_pages = CHECKPOINT_PAGES;
  self->last_pages = pages;

  if (pages >= CHECKPOINT_MAX_PAGES)
    {
      /* Busy while the thread copies: the next COMMIT tries again. */
      sqlite3_wal_checkpoint_v2 (db, database, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    }
  else if (pages >= self->next_pages)
    {
      self->next_pages = pages + CHECKPOINT_STEP_PAGES;
      g_mutex_lock (&self->lock);
      self->due = TRUE;
      g_cond_signal (&self->cond);
      g_mutex_unlock (&self->lock);
    }
  return SQLITE_OK;
}

static void
stop_checkpointer (Connection *self)
{
  Checkpointer *checkpointer = g_steal_pointer (&self->checkpointer);

  if (checkpointer == NULL)
    return;
  sqlite3_wal_hook (self->db, NULL, NULL);
  g_mutex_lock (&checkpointer->lock);
  checkpointer->stopping = TRUE;
  g_cond_signal (&checkpointer->cond);
  g_mutex_unlock (&checkpointer->lock);
  g_thread_join (checkpointer->thread);
  /* Closed before the writer, so that the writer is the last connection and its close
   * copies the rest of the WAL and removes it. */
  sqlite3_close_v2 (checkpointer->db);
  g_mutex_clear (&checkpointer->lock);
  g_cond_clear (&checkpointer->cond);
  g_free (checkpointer);
}

/* SQLite's automatic checkpoint runs inside the COMMIT that fills the WAL: copying a
 * thousand pages into the database file and waiting for its fsync there held the writer,
 * and every event queued behind that COMMIT, for 10-20 ms (an import fills the WAL every
 * few chunks; `listen` beside a command-line import paid for the import's pages). Here the
 * COMMIT only says the WAL is full, and another connection copies it on its own thread.
 * Without a file (an in-memory database) there is no WAL and nothing to do. */
static void
start_checkpointer (Connection *self)
{
  const char *file = sqlite3_db_filename (self->db, "main");
  Checkpointer *checkpointer;
  sqlite3 *db = NULL;

  /* A connection learns that the file is in WAL mode when it first reads it; a new file
   * is not yet, so it is told. */
  if (file == NULL || *file == '\0' ||
      sqlite3_open_v2 (file, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
      sqlite3_exec (db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK)
    {
      /* Then SQLite's own checkpoint goes on as before. */
      sqlite3_close_v2 (db);
      return;
    }

  checkpointer = g_new0 (Checkpointer, 1);
  checkpointer->db = db;
  checkpointer->next_pages = CHECKPOINT_PAGES;
  g_mutex_init (&checkpointer->lock);
  g_cond_init (&checkpointer->cond);
  checkpointer->thread = g_thread_new ("nc-store-checkpoint", checkpointer_main, checkpointer);
  self->checkpointer = checkpointer;
  sqlite3_wal_hook (self->db, wal_written, checkpointer);
}

static void
sqlite_close (NcStoreConnection *conn)
{
  Connection *self = (Connection *) conn;

  stop_checkpointer (self);
  for (guint i = 0; i < NC_STORE_N_TRANSACTIONS; i++)
    sqlite3_finalize (self->transaction[i]);
  sqlite3_close_v2 (self->db);
  g_free (conn->name);
  g_free (self);
}

/* Another process holds the database (an import beside `listen`, say): try again every
 * millisecond until the timeout. SQLite's own handler sleeps longer and longer (up to
 * 100 ms a try), and a writer that commits in short transactions one after another gives
 * the database back for less than that: the waiting one would see it taken at each try
 * and wait its whole timeout. */
static int
busy_poll (void *user_data,
           int   tries)
{
  Connection *self = user_data;
  gint64 now = g_get_monotonic_time ();

  if (tries == 0)
    self->busy_since = now;
  if (now - self->busy_since >= (gint64) g_atomic_int_get (&self->busy_timeout_ms) * 1000)
    return 0;
  g_usleep (1000);
  return 1;
}

/* SQLite counts every allocation it makes under a mutex of the whole process, for
 * sqlite3_memory_used(), which nothing here asks; a million clients imported make hundreds
 * of millions of allocations. It must be said before SQLite's first use, and is harmless
 * (SQLITE_MISUSE, nothing changed) after. */
static gsize
configure_once (void)
{
  sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
  return 1;
}

static NcStoreConnection *
sqlite_open (const char  *location,
             gboolean     read_only,
             guint        busy_timeout_ms,
             GError     **error)
{
  Connection *self = g_new0 (Connection, 1);
  int flags = SQLITE_OPEN_NOMUTEX |
              (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);

  static gsize configured = 0;

  if (g_once_init_enter (&configured))
    g_once_init_leave (&configured, configure_once ());

  self->base.name = g_strdup (location);
  if (!check (&self->base, sqlite3_open_v2 (location, &self->db, flags, NULL), error))
    {
      sqlite_close (&self->base);
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, TRUE);
  g_atomic_int_set (&self->busy_timeout_ms, (gint) MIN (busy_timeout_ms, G_MAXINT));
  sqlite3_busy_handler (self->db, busy_poll, self);
  return &self->base;
}

/* Safe from another thread: the handler reads the timeout anew at every try. */
static void
sqlite_set_busy_timeout (NcStoreConnection *conn,
                         guint              milliseconds)
{
  g_atomic_int_set (&((Connection *) conn)->busy_timeout_ms, (gint) MIN (milliseconds, G_MAXINT));
}

static gboolean
sqlite_exec (NcStoreConnection  *conn,
             const char         *script,
             GError            **error)
{
  return check (conn, sqlite3_exec (DB (conn), script, NULL, NULL, NULL), error);
}

/* Durable on power loss (FULL: one fsync per commit, which the group commit shares out),
 * readers never blocked by the writer (WAL), and the ON DELETE rules kept. */
static gboolean
sqlite_setup_writer (NcStoreConnection  *conn,
                     GError            **error)
{
  if (!sqlite_exec (conn, "PRAGMA journal_mode = WAL", error) ||
      !sqlite_exec (conn, "PRAGMA synchronous = FULL", error) ||
      !sqlite_exec (conn, "PRAGMA foreign_keys = ON", error))
    return FALSE;
  if (((Connection *) conn)->checkpointer == NULL)
    start_checkpointer ((Connection *) conn);
  return TRUE;
}

/* In WAL mode, NORMAL writes the transaction to the WAL without an fsync: a power loss
 * may take it back, never half of it; the next FULL COMMIT's fsync of the WAL keeps it
 * too. */
static gboolean
sqlite_set_durable (NcStoreConnection  *conn,
                    gboolean            durable,
                    GError            **error)
{
  Connection *self = (Connection *) conn;

  if (self->relaxed == !durable)
    return TRUE;
  if (!sqlite_exec (conn, durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
                    error))
    return FALSE;
  self->relaxed = !durable;
  return TRUE;
}

/* ------------------------------------------------------------------------------------ */
/* Statements                                                                            */

#define RETURNING_ID " RETURNING id"

/* An INSERT of one row that ends in RETURNING id. SQLite 3.40 makes RETURNING cost more
 * than the row: with it, an import of clients took 74 µs of the writer per client instead
 * of 44. The same INSERT without it, then the rowid it made, answer the same (and no row
 * when ON CONFLICT DO NOTHING inserted none). */
static gboolean
is_insert_returning_id (const char *sql)
{
  return g_str_has_prefix (sql, "INSERT ") && g_str_has_suffix (sql, RETURNING_ID) &&
         strstr (sql, " VALUES (") != NULL && strstr (sql, "), (") == NULL &&
         strstr (sql, "SELECT") == NULL && strstr (sql, "DO UPDATE") == NULL;
}

static NcStoreStmt *
sqlite_prepare (NcStoreConnection  *conn,
                const char         *sql,
                GError            **error)
{
  gboolean returns_rowid = is_insert_returning_id (sql);
  int length = returns_rowid ? (int) (strlen (sql) - strlen (RETURNING_ID)) : -1;
  sqlite3_stmt *stmt = NULL;
  Statement *statement;

  if (!check (conn, sqlite3_prepare_v3 (DB (conn), sql, length, SQLITE_PREPARE_PERSISTENT, &stmt,
                                        NULL), error))
    return NULL;

  statement = g_new0 (Statement, 1);
  statement->base.conn = conn;
  statement->stmt = stmt;
  statement->returns_rowid = returns_rowid;
  return &statement->base;
}

static void
sqlite_finalize (NcStoreStmt *stmt)
{
  sqlite3_finalize (STMT (stmt));
  g_free (stmt);
}

static void
sqlite_bind_text (NcStoreStmt *stmt,
                  int          index,
                  const char  *text)
{
  if (text != NULL)
    sqlite3_bind_text (STMT (stmt), index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (STMT (stmt), index);
}

static void
sqlite_bind_int64 (NcStoreStmt *stmt,
                   int          index,
                   gint64       value)
{
  sqlite3_bind_int64 (STMT (stmt), index, value);
}

static void
sqlite_bind_null (NcStoreStmt *stmt,
                  int          index)
{
  sqlite3_bind_null (STMT (stmt), index);
}

static NcStoreStep
sqlite_step (NcStoreStmt  *stmt,
             GError      **error)
{
  Statement *self = (Statement *) stmt;
  int rc;

  if (self->on_rowid)
    {
      self->on_rowid = FALSE;
      return NC_STORE_STEP_DONE;
    }

  rc = sqlite3_step (self->stmt);
  if (rc == SQLITE_ROW)
    return NC_STORE_STEP_ROW;
  if (rc != SQLITE_DONE)
    {
      set_error (error, DB (stmt->conn), rc, stmt->conn->name);
      return NC_STORE_STEP_ERROR;
    }

  /* The row RETURNING id would have given, if one was inserted (ON CONFLICT DO NOTHING
   * inserts none). */
  if (self->returns_rowid && sqlite3_changes64 (DB (stmt->conn)) > 0)
    {
      self->rowid = sqlite3_last_insert_rowid (DB (stmt->conn));
      self->on_rowid = TRUE;
      return NC_STORE_STEP_ROW;
    }
  return NC_STORE_STEP_DONE;
}

static const char *
sqlite_column_text (NcStoreStmt *stmt,
                    int          index)
{
  Statement *self = (Statement *) stmt;

  if (self->on_rowid)
    return NULL;
  return (const char *) sqlite3_column_text (self->stmt, index);
}

static gint64
sqlite_column_int64 (NcStoreStmt *stmt,
                     int          index)
{
  Statement *self = (Statement *) stmt;

  if (self->on_rowid)
    return index == 0 ? self->rowid : 0;
  return sqlite3_column_int64 (self->stmt, index);
}

static gboolean
sqlite_column_is_null (NcStoreStmt *stmt,
                       int          index)
{
  Statement *self = (Statement *) stmt;

  if (self->on_rowid)
    return index != 0;
  return sqlite3_column_type (self->stmt, index) == SQLITE_NULL;
}

static void
sqlite_reset (NcStoreStmt *stmt)
{
  ((Statement *) stmt)->on_rowid = FALSE;
  sqlite3_reset (STMT (stmt));
  sqlite3_clear_bindings (STMT (stmt));
}

static gint64
sqlite_changes (NcStoreConnection *conn)
{
  return sqlite3_changes64 (DB (conn));
}

static const char *const transaction_sql[NC_STORE_N_TRANSACTIONS] = {
  /* IMMEDIATE: the write lock is taken here, so a busy database fails the batch before any
   * job ran, never half-way through it. */
  [NC_STORE_BEGIN] = "BEGIN IMMEDIATE",
  [NC_STORE_COMMIT] = "COMMIT",
  [NC_STORE_ROLLBACK] = "ROLLBACK",
  [NC_STORE_SAVEPOINT] = "SAVEPOINT job",
  [NC_STORE_ROLLBACK_TO] = "ROLLBACK TO job",
  [NC_STORE_RELEASE] = "RELEASE job",
};

/* Prepared once: parsed anew for every job, the savepoints cost the writer 5 %. */
static gboolean
sqlite_transaction (NcStoreConnection   *conn,
                    NcStoreTransaction   what,
                    GError             **error)
{
  Connection *self = (Connection *) conn;
  int rc;

  if (self->transaction[what] == NULL &&
      !check (conn, sqlite3_prepare_v3 (self->db, transaction_sql[what], -1,
                                        SQLITE_PREPARE_PERSISTENT, &self->transaction[what],
                                        NULL), error))
    return FALSE;

  rc = sqlite3_step (self->transaction[what]);
  if (rc != SQLITE_DONE)
    set_error (error, self->db, rc, conn->name);
  sqlite3_reset (self->transaction[what]);
  return rc == SQLITE_DONE;
}

/* ------------------------------------------------------------------------------------ */
/* Schema                                                                                */

static gboolean
sqlite_get_version (NcStoreConnection  *conn,
                    int                *out_version,
                    GError            **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (DB (conn), "PRAGMA user_version", -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *out_version = sqlite3_column_int (stmt, 0);
          rc = SQLITE_OK;
        }
    }
  if (rc != SQLITE_OK)
    set_error (error, DB (conn), rc, conn->name);
  sqlite3_finalize (stmt);
  return rc == SQLITE_OK;
}

static gboolean
sqlite_set_version (NcStoreConnection  *conn,
                    int                 version,
                    GError            **error)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %d", version);

  return sqlite_exec (conn, sql, error);
}

/* ------------------------------------------------------------------------------------ */
/* Search                                                                                */

/* A client not indexed yet: its row in the trigram index below. */
static gboolean
sqlite_add_search (NcStoreConnection  *conn,
                   gint64              client_id,
                   const char         *body,
                   GError            **error)
{
  NcStoreStmt *stmt;

  stmt = nc_store_prepare (conn, "INSERT INTO client_search (rowid, body) VALUES (?1, ?2)", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_int64 (stmt, 1, client_id);
  nc_store_bind_text (stmt, 2, body);
  return nc_store_step_done (stmt, error);
}

/* A trigram index over each client's name, phone and variable values, so that any
 * fragment of three characters or more is found without walking the clients. Its rowid
 * is the client's id. */
static gboolean
sqlite_index_search (NcStoreConnection  *conn,
                     gint64              client_id,
                     const char         *body,
                     GError            **error)
{
  NcStoreStmt *stmt;

  stmt = nc_store_prepare (conn, "DELETE FROM client_search WHERE rowid = ?1", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_int64 (stmt, 1, client_id);
  if (!nc_store_step_done (stmt, error))
    return FALSE;

  return body == NULL || sqlite_add_search (conn, client_id, body, error);
}

/* FTS5 writes what it gathered as a part of its own at each COMMIT (and savepoint), and
 * merges parts as they add up (automerge, 4 of a level by default): a merge of about 64
 * pages for each of its levels, done inside whichever COMMIT wrote the 64th page since the
 * last — 20 to 30 ms that a webhook event behind an import's chunk waited for. An import
 * turns that off and merges itself, @pages at a time ('merge'), between its chunks. */
static gboolean
sqlite_set_search_merging (NcStoreConnection  *conn,
                           gboolean            automatic,
                           GError            **error)
{
  NcStoreStmt *stmt;

  stmt = nc_store_prepare (conn, "INSERT INTO client_search (client_search, rank) "
                           "VALUES ('automerge', ?1)", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_int64 (stmt, 1, automatic ? 4 : 0);
  return nc_store_step_done (stmt, error);
}

static gboolean
sqlite_merge_search (NcStoreConnection  *conn,
                     guint               pages,
                     gboolean           *out_merged,
                     GError            **error)
{
  sqlite3_int64 before = sqlite3_total_changes64 (DB (conn));
  NcStoreStmt *stmt;

  stmt = nc_store_prepare (conn, "INSERT INTO client_search (client_search, rank) "
                           "VALUES ('merge', ?1)", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_int64 (stmt, 1, pages);
  if (!nc_store_step_done (stmt, error))
    return FALSE;
  /* FTS5's own word for "it merged": two changes or more. */
  *out_merged = sqlite3_total_changes64 (DB (conn)) - before >= 2;
  return TRUE;
}

/* An FTS5 phrase that matches @text literally. */
static char *
fts_phrase (const char *text)
{
  GString *phrase = g_string_new ("\"");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (phrase, '"');
      g_string_append_c (phrase, *p);
    }
  g_string_append_c (phrase, '"');
  return g_string_free (phrase, FALSE);
}

static gboolean
sqlite_search (NcStoreConnection  *conn,
               const char         *text,
               gint64              after_id,
               gint64              until_id,
               guint               limit,
               GArray             *ids,
               GError            **error)
{
  g_autofree char *phrase = fts_phrase (text);
  NcStoreStmt *stmt;

  /* FTS5 seeks to the range in each trigram's list of rowids: a later page costs what
   * the first does. */
  stmt = nc_store_prepare (conn,
                           "SELECT client_search.rowid FROM client_search "
                           "JOIN clients ON clients.id = client_search.rowid "
                           "WHERE client_search MATCH ?1 AND client_search.rowid > ?2 AND "
                           "client_search.rowid <= ?3 AND" NC_STORE_CLIENT_SHOWN ("clients.")
                           "ORDER BY client_search.rowid LIMIT ?4", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_text (stmt, 1, phrase);
  nc_store_bind_int64 (stmt, 2, after_id);
  nc_store_bind_int64 (stmt, 3, until_id);
  nc_store_bind_int64 (stmt, 4, limit);
  return nc_store_collect_ids (stmt, ids, error);
}

/* Fewer names than this begin with a prefix: they are read from the name index and sorted. */
#define FEW_NAMES 2000

/* LIKE ignores the case of ASCII letters, and the clients_by_name index (COLLATE NOCASE)
 * serves it. Which way is fast depends on how many names begin with @prefix: few ("9", a
 * letter no name begins with), and the name index finds them all at once; many ("С", one
 * client in six), and the clients in the order of their ids give a page of them after a
 * few rows, where sorting them all would take a while. Counting up to FEW_NAMES in the
 * index tells which. */
static gboolean
sqlite_name_prefix (NcStoreConnection  *conn,
                    const char         *prefix,
                    gint64              after_id,
                    gint64              until_id,
                    guint               limit,
                    GArray             *ids,
                    GError            **error)
{
  g_autofree char *pattern = g_strconcat (prefix, "%", NULL);
  NcStoreStmt *stmt;
  gint64 names;

  stmt = nc_store_prepare (conn,
                           "SELECT count (*) FROM (SELECT 1 FROM clients INDEXED BY clients_by_name "
                           "WHERE name LIKE ?1 AND +id > ?2 AND +id <= ?3 LIMIT ?4)", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_text (stmt, 1, pattern);
  nc_store_bind_int64 (stmt, 2, after_id);
  nc_store_bind_int64 (stmt, 3, until_id);
  nc_store_bind_int64 (stmt, 4, FEW_NAMES);
  if (!nc_store_step_count (stmt, &names, error))
    return FALSE;

  if (names < FEW_NAMES)
    stmt = nc_store_prepare (conn,
                             "SELECT id FROM clients INDEXED BY clients_by_name "
                             "WHERE name LIKE ?1 AND +id > ?2 AND +id <= ?3 AND"
                             NC_STORE_CLIENT_SHOWN ("") "ORDER BY id LIMIT ?4", error);
  else
    stmt = nc_store_prepare (conn,
                             "SELECT id FROM clients NOT INDEXED "
                             "WHERE name LIKE ?1 AND id > ?2 AND id <= ?3 AND"
                             NC_STORE_CLIENT_SHOWN ("") "ORDER BY id LIMIT ?4", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_text (stmt, 1, pattern);
  nc_store_bind_int64 (stmt, 2, after_id);
  nc_store_bind_int64 (stmt, 3, until_id);
  nc_store_bind_int64 (stmt, 4, limit);
  return nc_store_collect_ids (stmt, ids, error);
}

/* Nothing to do: the batch's BEGIN IMMEDIATE already holds the database's only write lock,
 * which every process on the file shares. */
static gboolean
sqlite_lock_budget (NcStoreConnection  *conn,
                    GError            **error)
{
  return TRUE;
}

/* Other connections' commits since this one's last look; its own do not count. */
static gboolean
sqlite_data_version (NcStoreConnection  *conn,
                     gint64             *out_version,
                     GError            **error)
{
  NcStoreStmt *stmt = nc_store_prepare (conn, "PRAGMA data_version", error);

  if (stmt == NULL || nc_store_step (stmt, error) != NC_STORE_STEP_ROW)
    return FALSE;
  *out_version = nc_store_column_int64 (stmt, 0);
  nc_store_reset (stmt);
  return TRUE;
}


/* ------------------------------------------------------------------------------------ */

const NcStoreBackend nc_store_sqlite_backend = {
  .name = "sqlite",

  .open = sqlite_open,
  .close = sqlite_close,
  .set_busy_timeout = sqlite_set_busy_timeout,
  .setup_writer = sqlite_setup_writer,

  .prepare = sqlite_prepare,
  .finalize = sqlite_finalize,
  .bind_text = sqlite_bind_text,
  .bind_int64 = sqlite_bind_int64,
  .bind_null = sqlite_bind_null,
  .step = sqlite_step,
  .column_text = sqlite_column_text,
  .column_int64 = sqlite_column_int64,
  .column_is_null = sqlite_column_is_null,
  .reset = sqlite_reset,
  .changes = sqlite_changes,
  .set_durable = sqlite_set_durable,
  .transaction = sqlite_transaction,

  .get_version = sqlite_get_version,
  .set_version = sqlite_set_version,
  .exec = sqlite_exec,
  .migrations = nc_store_sqlite_migrations,

  .index_search = sqlite_index_search,
  .add_search = sqlite_add_search,
  .search = sqlite_search,
  .name_prefix = sqlite_name_prefix,
  .note_match = "c.id IN (SELECT rowid FROM call_note_search WHERE call_note_search MATCH ?10)",
  .note_pattern = fts_phrase,
  .lock_budget = sqlite_lock_budget,
  .data_version = sqlite_data_version,
  .set_search_merging = sqlite_set_search_merging,
  .merge_search = sqlite_merge_search,
};
