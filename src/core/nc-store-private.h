/* nc-store-private.h — what the store's files share: jobs, connections, the backend seam
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * NcStore is one GObject (nc-store.c: threads, jobs, the group commit) and one file per
 * concern, each written once against the small statement API below. What only one
 * database understands is its backend: a table of functions, chosen when the store opens
 * (nc-store-sqlite.c; a PostgreSQL one is one more file of the same shape).
 *
 * The SQL in the concern files is portable:
 * - placeholders are ?1, ?2 … and every number from 1 is used (a backend may rewrite them
 *   to $1, $2 …);
 * - a new row's id comes from INSERT … VALUES (…) RETURNING id, one row at a time (the
 *   SQLite backend runs it as a plain INSERT and answers the rowid: faster there);
 * - ON CONFLICT … DO NOTHING / DO UPDATE SET … = excluded.…, the old value named by its
 *   table (calls.client_id), which PostgreSQL requires;
 * - no function of one database only. client_variables.rowid is the order in which a
 *   variable was first set: SQLite's own rowid, a column of that name in another backend.
 */
#pragma once

#include "nc-request-budget.h"
#include "nc-store.h"

G_BEGIN_DECLS

/* A mark for a kind nothing changed of; else it is the one row's id, or 0 for several. */
#define NC_STORE_NO_CHANGE ((gint64) -1)

typedef struct _NcStoreBackend NcStoreBackend;

/* One connection; a backend allocates its own struct with this as its first member. */
typedef struct
{
  const NcStoreBackend *backend;
  char                 *name;        /* the database, for messages: set by the backend */
  GHashTable           *statements;  /* static SQL text → NcStoreStmt, prepared once */
  gint64                marks[NC_STORE_N_CHANGES];  /* what the running job changed */
  GArray               *changed_calls; /* the running job's calls, one by one (gint64) */
  gint64                origin;      /* the writer's NcStore, in the change log */
  /* The writer's only: how many jobs but an import's chunks wait in its queue (read with
   * g_atomic_int_get()), so that a long chunk stops early for them. */
  gint                 *waiting;
} NcStoreConnection;

/* A prepared statement; a backend's own struct begins with this. */
typedef struct
{
  NcStoreConnection *conn;
} NcStoreStmt;

typedef enum
{
  NC_STORE_STEP_ERROR,
  NC_STORE_STEP_ROW,
  NC_STORE_STEP_DONE,
} NcStoreStep;

/* The writer's transaction: a batch in one, each job of it in a savepoint. */
typedef enum
{
  NC_STORE_BEGIN,        /* takes the write lock at once */
  NC_STORE_COMMIT,
  NC_STORE_ROLLBACK,
  NC_STORE_SAVEPOINT,
  NC_STORE_ROLLBACK_TO,  /* the job's savepoint, which stays open */
  NC_STORE_RELEASE,
} NcStoreTransaction;

#define NC_STORE_N_TRANSACTIONS (NC_STORE_RELEASE + 1)

typedef struct _NcStoreFeed NcStoreFeed;

struct _NcStoreBackend
{
  const char *name;

  /* @location: the database file; opening it for writes creates it. Sets conn->name. */
  NcStoreConnection *(*open)          (const char          *location,
                                       gboolean             read_only,
                                       guint                busy_timeout_ms,
                                       GError             **error);
  /* Frees the connection; its statements are finalized already. */
  void               (*close)         (NcStoreConnection   *conn);
  /* Makes a lost connection again, before a batch or a read; %NULL: it is never lost. */
  gboolean           (*reconnect)     (NcStoreConnection   *conn,
                                       GError             **error);
  /* May be called from another thread while the connection is in use. */
  void               (*set_busy_timeout) (NcStoreConnection *conn,
                                          guint              milliseconds);
  /* The writer's settings, once the version is known to be ours: nothing is written to the
   * database before. */
  gboolean           (*setup_writer)  (NcStoreConnection   *conn,
                                       GError             **error);

  /* Statements: see the nc_store_ helpers below, which the concern files call. */
  NcStoreStmt       *(*prepare)       (NcStoreConnection   *conn,
                                       const char          *sql,
                                       GError             **error);
  void               (*finalize)      (NcStoreStmt         *stmt);
  void               (*bind_text)     (NcStoreStmt         *stmt,
                                       int                  index,
                                       const char          *text);
  void               (*bind_int64)    (NcStoreStmt         *stmt,
                                       int                  index,
                                       gint64               value);
  void               (*bind_null)     (NcStoreStmt         *stmt,
                                       int                  index);
  NcStoreStep        (*step)          (NcStoreStmt         *stmt,
                                       GError             **error);
  const char        *(*column_text)   (NcStoreStmt         *stmt,
                                       int                  index);
  gint64             (*column_int64)  (NcStoreStmt         *stmt,
                                       int                  index);
  gboolean           (*column_is_null) (NcStoreStmt        *stmt,
                                        int                 index);
  /* Ready to run again, with nothing bound. */
  void               (*reset)         (NcStoreStmt         *stmt);
  /* The rows that the last INSERT, UPDATE or DELETE on @conn changed. */
  gint64             (*changes)       (NcStoreConnection   *conn);
  /* Whether the next COMMITs wait for the disk (the default) or not, set between two
   * transactions: a batch of import chunks alone, which nobody was answered for yet,
   * needs no wait of its own (the import's last COMMIT waits, for all of them). */
  gboolean           (*set_durable)   (NcStoreConnection   *conn,
                                       gboolean             durable,
                                       GError             **error);
  /* Statements prepared once per connection, as every other statement is. */
  gboolean           (*transaction)   (NcStoreConnection   *conn,
                                       NcStoreTransaction   what,
                                       GError             **error);

  /* The schema: versions and what each brings are the same in every backend
   * (nc-store-schema.c); the DDL that makes version n is migrations[n - 1]. */
  gboolean           (*get_version)   (NcStoreConnection   *conn,
                                       int                 *out_version,
                                       GError             **error);
  gboolean           (*set_version)   (NcStoreConnection   *conn,
                                       int                  version,
                                       GError             **error);
  gboolean           (*exec)          (NcStoreConnection   *conn,
                                       const char          *script,
                                       GError             **error);
  const char *const *migrations;    /* NC_STORE_SCHEMA_VERSION of them */

  /* What each database does its own way. The search text of a client (@body %NULL: the
   * client is gone): */
  gboolean           (*index_search)  (NcStoreConnection   *conn,
                                       gint64               client_id,
                                       const char          *body,
                                       GError             **error);
  /* The search text of a client that has none yet (a new one, of an import). */
  gboolean           (*add_search)    (NcStoreConnection   *conn,
                                       gint64               client_id,
                                       const char          *body,
                                       GError             **error);
  /* The clients whose search text holds @text (three characters or more), oldest first,
   * their ids above @after_id and at most @until_id: a page of a longer answer. */
  gboolean           (*search)        (NcStoreConnection   *conn,
                                       const char          *text,
                                       gint64               after_id,
                                       gint64               until_id,
                                       guint                limit,
                                       GArray              *ids,
                                       GError             **error);
  /* The clients whose name begins with @prefix, in any case, oldest first, in the same
   * range of ids. */
  gboolean           (*name_prefix)   (NcStoreConnection   *conn,
                                       const char          *prefix,
                                       gint64               after_id,
                                       gint64               until_id,
                                       guint                limit,
                                       GArray              *ids,
                                       GError             **error);
  /* A condition on calls AS c that holds for the calls whose note holds a text (three
   * characters or more, in any case), bound as ?10 in the form note_pattern() makes:
   * answered from an index of the notes, not by reading the calls. */
  const char        *note_match;
  char              *(*note_pattern)  (const char          *text);
  /* Inside the writer's transaction: no other process takes from the request budget until
   * it ends. */
  gboolean           (*lock_budget)   (NcStoreConnection   *conn,
                                       GError             **error);
  /* Inside the writer's transaction, before it logs its changes: the log's ids follow the
   * order of COMMITs. %NULL: one writer at a time anyway. */
  gboolean           (*lock_changes)  (NcStoreConnection   *conn,
                                       GError             **error);
  /* A number that changes whenever another connection (another process) commits, for a
   * writer that holds others out while it runs; %NULL: none is held out (a server locks
   * rows, not the database). */
  gboolean           (*data_version)  (NcStoreConnection   *conn,
                                       gint64              *out_version,
                                       GError             **error);
  /* The merging of the search index's parts (%NULL both: the database merges on its own,
   * as PostgreSQL's GIN index does). With @automatic %FALSE (while an import writes), no
   * write merges by itself, and merge_search() merges a step of about @pages, and says
   * whether there was anything to merge. */
  gboolean           (*set_search_merging) (NcStoreConnection  *conn,
                                            gboolean            automatic,
                                            GError            **error);
  gboolean           (*merge_search)  (NcStoreConnection   *conn,
                                       guint                pages,
                                       gboolean            *out_merged,
                                       GError             **error);
  /* The server, for people; %NULL: an embedded database. */
  char              *(*server_version) (NcStoreConnection  *conn);
  /* What the application checks of a server on connecting (version, extensions); %NULL:
   * nothing. */
  gboolean           (*check_server)  (NcStoreConnection   *conn,
                                       GError             **error);
  /* A connection that hears of every change at COMMIT; %NULL (all four): the readers
   * look at the log themselves. */
  NcStoreFeed       *(*feed_open)     (const char          *location,
                                       GError             **error);
  int                (*feed_get_fd)   (NcStoreFeed         *feed);
  /* Reads what the socket has; %FALSE when the connection is lost. */
  gboolean           (*feed_consume)  (NcStoreFeed         *feed,
                                       guint               *out_notified);
  void               (*feed_close)    (NcStoreFeed         *feed);
};

/* Version 4 of the schema in every backend: @id_type is the type of an id made by the
 * database, @int64 that of a 64-bit number. An import of clients writes them a chunk at a
 * time, each chunk in a transaction of its own so that other writes go between; its
 * clients carry the import's id, and every reader passes over the clients of an import
 * that still has its row in imports (NC_STORE_CLIENT_SHOWN). The import's last job deletes
 * that row: every client of it appears at once. Undoing it deletes its clients a chunk at
 * a time, then the row, by the import's id: an id is never given twice (AUTOINCREMENT,
 * a sequence), or undoing one import would delete another's clients. An ALTER TABLE … ADD COLUMN with a constant default rewrites no
 * row in either database. */
#define IMPORTS_DDL(id_type, int64) \
  "CREATE TABLE imports (" \
  "  id " id_type "," \
  "  started_us " int64 " NOT NULL," \
  "  owner TEXT NOT NULL DEFAULT '');" \
  "ALTER TABLE clients ADD COLUMN import_id " int64 " NOT NULL DEFAULT 0;"

/* Version 5 in every backend: the team's figures ask, of each missed call of a day,
 * whether its number had an answered call later (nc-store-team.c); without this index
 * that is a scan of every call for each missed one. */
#define TEAM_DDL \
  "CREATE INDEX IF NOT EXISTS calls_by_number ON calls (client_number, started_unix);"

/* Version 6 of the schema in every backend: what the operator noted of a call (its outcome,
 * picked from a list, and a note). Both NULL until someone notes it; no row is rewritten. */
#define NOTES_DDL \
  "ALTER TABLE calls ADD COLUMN outcome TEXT;" \
  "ALTER TABLE calls ADD COLUMN note TEXT;"

/* A condition on the clients table (or its alias @table, with its dot) that holds for the
 * clients that readers may see: those of no import, or of one that is whole. */
#define NC_STORE_CLIENT_SHOWN(table) \
  " " table "import_id NOT IN (SELECT id FROM imports) "

extern const NcStoreBackend nc_store_sqlite_backend;
extern const NcStoreBackend nc_store_postgres_backend;
/* The DDL of the PostgreSQL backend's versions (nc-store-postgres-schema.c). */
extern const char *const nc_store_postgres_migrations[NC_STORE_SCHEMA_VERSION];
/* The SQLite backend's (nc-store-sqlite-schema.c). */
extern const char *const nc_store_sqlite_migrations[NC_STORE_SCHEMA_VERSION];
/* Its client search, over pg_trgm (nc-store-postgres-search.c): NcStoreBackend's. */
gboolean   nc_store_pg_index_search (NcStoreConnection  *conn,
                                     gint64              client_id,
                                     const char         *body,
                                     GError            **error);
gboolean   nc_store_pg_add_search   (NcStoreConnection  *conn,
                                     gint64              client_id,
                                     const char         *body,
                                     GError            **error);
char      *nc_store_pg_note_pattern (const char         *text);
gboolean   nc_store_pg_search       (NcStoreConnection  *conn,
                                     const char         *text,
                                     gint64              after_id,
                                     gint64              until_id,
                                     guint               limit,
                                     GArray             *ids,
                                     GError            **error);
gboolean   nc_store_pg_name_prefix  (NcStoreConnection  *conn,
                                     const char         *prefix,
                                     gint64              after_id,
                                     gint64              until_id,
                                     guint               limit,
                                     GArray             *ids,
                                     GError            **error);

/* Connections and statements (nc-store-statement.c) */
NcStoreConnection *nc_store_connection_open (const NcStoreBackend  *backend,
                                             const char            *location,
                                             gboolean               read_only,
                                             guint                  busy_timeout_ms,
                                             GError               **error);
void         nc_store_connection_free (NcStoreConnection  *conn);
/* Cached per connection by the address of @sql, which must be a static string. */
NcStoreStmt *nc_store_prepare         (NcStoreConnection  *conn,
                                       const char         *sql,
                                       GError            **error);
/* Runs a statement that returns no rows, then resets it. */
gboolean     nc_store_step_done       (NcStoreStmt        *stmt,
                                       GError            **error);
/* Runs an INSERT … RETURNING id, then resets it. */
gboolean     nc_store_step_id         (NcStoreStmt        *stmt,
                                       gint64             *out_id,
                                       GError            **error);
/* Runs a SELECT count (*) (one row of one integer), then resets it. */
gboolean     nc_store_step_count      (NcStoreStmt        *stmt,
                                       gint64             *out_count,
                                       GError            **error);
/* Appends the first column of every row to @ids, then resets the statement. */
gboolean     nc_store_collect_ids     (NcStoreStmt        *stmt,
                                       GArray             *ids,
                                       GError            **error);
/* Tells the writer that the running job changed @kind (@id: the one row, 0: several or
 * unknown); said only if the job's savepoint and the batch's COMMIT hold. The writer
 * writes it into the change log (the table changes) in the job's own savepoint, every call
 * by its id, so that a reader of the log, in this process or another, learns what changed. */
void         nc_store_mark_changed    (NcStoreConnection  *conn,
                                       NcStoreChange       kind,
                                       gint64              id);
gboolean     nc_store_log_marks       (NcStoreConnection  *conn,
                                       GError            **error);
gboolean     nc_store_prune_changes   (NcStoreConnection  *conn,
                                       GError            **error);

static inline void
nc_store_bind_text (NcStoreStmt *stmt,
                    int          index,
                    const char  *text)
{
  stmt->conn->backend->bind_text (stmt, index, text);
}

static inline void
nc_store_bind_int64 (NcStoreStmt *stmt,
                     int          index,
                     gint64       value)
{
  stmt->conn->backend->bind_int64 (stmt, index, value);
}

static inline void
nc_store_bind_null (NcStoreStmt *stmt,
                    int          index)
{
  stmt->conn->backend->bind_null (stmt, index);
}

static inline NcStoreStep
nc_store_step (NcStoreStmt  *stmt,
               GError      **error)
{
  return stmt->conn->backend->step (stmt, error);
}

static inline const char *
nc_store_column_text (NcStoreStmt *stmt,
                      int          index)
{
  return stmt->conn->backend->column_text (stmt, index);
}

static inline gint64
nc_store_column_int64 (NcStoreStmt *stmt,
                       int          index)
{
  return stmt->conn->backend->column_int64 (stmt, index);
}

static inline gboolean
nc_store_column_is_null (NcStoreStmt *stmt,
                         int          index)
{
  return stmt->conn->backend->column_is_null (stmt, index);
}

static inline void
nc_store_reset (NcStoreStmt *stmt)
{
  stmt->conn->backend->reset (stmt);
}

static inline gint64
nc_store_changes (NcStoreConnection *conn)
{
  return conn->backend->changes (conn);
}

/* Jobs (nc-store.c). A job runs on the writer (in a savepoint of its own, answered after
 * COMMIT) or on a reader; it returns its result, or %NULL with @error set. */
typedef gpointer (*NcStoreJobFunc) (NcStoreConnection  *conn,
                                    gpointer            data,
                                    GError            **error);

typedef struct _NcStoreJob NcStoreJob;

typedef enum
{
  NC_STORE_READER,
  NC_STORE_WRITER,
} NcStoreWorker;

NcStoreJob *nc_store_job_new      (NcStoreJobFunc        func,
                                   gpointer              data,
                                   GDestroyNotify        data_destroy,
                                   GDestroyNotify        result_destroy);
/* Both take the job. */
gpointer    nc_store_submit_sync  (NcStore              *self,
                                   NcStoreWorker         worker,
                                   NcStoreJob           *job,
                                   GError              **error);
void        nc_store_submit_async (NcStore              *self,
                                   NcStoreWorker         worker,
                                   NcStoreJob           *job,
                                   gpointer              source_tag,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
/* nc_store_submit_sync() on the writer in two steps, for a caller that prepares the next
 * job while the writer runs this one. The first takes the job (and frees it on failure);
 * the second waits for its outcome, and frees it. */
void        nc_store_job_set_light (NcStoreJob          *job);
gboolean    nc_store_others_waiting (NcStoreConnection  *conn);
gboolean    nc_store_submit_start (NcStore              *self,
                                   NcStoreJob           *job,
                                   GError              **error);
gpointer    nc_store_job_wait     (NcStoreJob           *job,
                                   GError              **error);
/* The finish of every write that answers only yes or no. */
gboolean    nc_store_write_finish (NcStore              *self,
                                   GAsyncResult         *result,
                                   gpointer              source_tag,
                                   GError              **error);
/* The finish of every job that answers a pointer: (transfer full). */
gpointer    nc_store_pointer_finish (NcStore            *self,
                                     GAsyncResult       *result,
                                     gpointer            source_tag,
                                     GError            **error);

/* What a batch changed (nc-store-statement.c). */
void        nc_store_marks_clear      (gint64               *marks);
void        nc_store_marks_merge      (gint64               *marks,
                                       const gint64         *more);
void        nc_store_dispatch_changes (NcStore              *self,
                                       const gint64         *marks);

/* The mark of @self's own writes in the change log. */
gint64      nc_store_get_origin   (NcStore              *self);

/* A worker thread: the writer (transactional: a batch in one transaction) or the reader. */
typedef struct
{
  NcStore           *store;
  NcStoreConnection *conn;
  GAsyncQueue       *queue;
  GMutex             lock;          /* thread, and pushing to queue: see worker_push() */
  GThread           *thread;
  gboolean           transactional;
  gint               waiting;       /* queued jobs that are not light (atomic) */
} NcStoreThread;

/* The object (nc-store.c), as nc-store-open.c opens it. */
struct _NcStore
{
  GObject               parent_instance;

  const NcStoreBackend *backend;
  char                 *path;         /* the file, or the database's URL without password */
  char                 *location;     /* what the backend opens (a URL and its password) */
  NcStoreFeed          *feed;         /* a backend's feed of changes, on context */
  GSource              *feed_source;
  guint                 feed_retry;   /* reopening it, after a loss */
  guint                 feed_delay_s;
  char                 *problem;      /* why the feed is lost, for people; %NULL when fine */
  int                   found_version; /* the schema's version before this open upgraded it */
  GMainContext         *context;      /* where `changed` is emitted */
  NcStoreThread         writer;
  NcStoreThread         reader;
  guint                 busy_timeout_ms;
  GMutex                pool_mutex;
  GPtrArray            *read_pool;    /* idle read connections for synchronous readers */
  gboolean              closed;
  gint64                origin;       /* random: this store's mark in the change log */
};

/* Opening (nc-store-open.c) and what it tells the object (nc-store.c). */
void        nc_store_start_workers (NcStore             *self,
                                    NcStoreConnection   *writer,
                                    NcStoreConnection   *reader);
void        nc_store_drop_feed    (NcStore              *self);
void        nc_store_set_problem  (NcStore              *self,
                                   const char           *problem);
void        nc_store_emit_feed    (NcStore              *self);

/* The request budget (nc-store-budget.c): NcStore is an NcRequestBudget. */
void     nc_store_request_budget_init (NcRequestBudgetInterface *iface);

/* Schema (nc-store-schema.c) */
gboolean nc_store_schema_check   (NcStoreConnection  *conn,
                                  int                *out_version,
                                  GError            **error);
gboolean nc_store_schema_upgrade (NcStoreConnection  *conn,
                                  GError            **error);

/* Clients (nc-store-clients.c) */
NcClient *nc_store_read_client   (NcStoreConnection  *conn,
                                  gint64              id,
                                  GError            **error);
gint64    nc_store_insert_client (NcStoreConnection  *conn,
                                  NcClient           *draft,
                                  GError            **error);

/* Sets one variable of a client, and indexes the client again. */
gboolean  nc_store_write_variable (NcStoreConnection  *conn,
                                   gint64              client_id,
                                   const char         *name,
                                   const char         *value,
                                   GError            **error);
/* Version 2 of the schema: the search text of every client. */
gboolean  nc_store_index_all_clients (NcStoreConnection  *conn,
                                      GError            **error);

/* Calls (nc-store-calls.c) */
/* The columns that nc_store_read_call_row() reads, from calls AS c LEFT JOIN clients AS cl */
#define NC_STORE_CALL_COLUMNS \
  "c.id, c.pbx_call_id, c.direction, c.state, c.answered, c.client_number, " \
  "c.virtual_number, c.employee, c.started_at, c.started_unix, c.first_seen_us, " \
  "c.answered_seen_us, c.ended_seen_us, c.last_event_us, c.duration, c.disposition, " \
  "c.is_recorded, c.call_id_with_rec, c.recording, c.record_link, c.record_expires, " \
  "c.record_next_try, c.record_attempts, c.client_id, c.match_rule, c.event_mask, " \
  "c.request_id, c.recovered, c.unended, cl.name, c.outcome, c.note "
#define NC_STORE_CALL_FROM "FROM calls AS c LEFT JOIN clients AS cl ON cl.id = c.client_id "
NcCallRecord *nc_store_read_call_row  (NcStoreStmt        *stmt);
/* %NULL with no error: no such call. */
NcCallRecord *nc_store_read_call      (NcStoreConnection  *conn,
                                       gint64              id,
                                       GError            **error);
/* %NULL with no error: no such call. */
NcCallRecord *nc_store_read_call_by_pbx_id (NcStoreConnection  *conn,
                                            const char         *pbx_call_id,
                                            GError            **error);
gboolean  nc_store_calls_fill_v3      (NcStoreConnection  *conn,
                                       GError            **error);
/* Inserts the call (record->id 0, and sets it) or updates every column of its row. */
gboolean  nc_store_write_call         (NcStoreConnection  *conn,
                                       NcCallRecord       *record,
                                       GError            **error);
/* As nc_store_write_call(), writing only the columns that differ from @before (nullable). */
gboolean  nc_store_update_call        (NcStoreConnection  *conn,
                                       const NcCallRecord *before,
                                       NcCallRecord       *record,
                                       GError            **error);
/* The record's link into its client's variable, unless a later call of the client has one. */
/* Another call of ?1's client than ?2, started after ?3, that @condition holds for. */
#define NC_STORE_LATER_CALL_OF_CLIENT(condition) \
  "SELECT 1 FROM calls WHERE client_id = ?1 AND id != ?2 AND " condition " AND " \
  "(started_unix > ?3 OR (started_unix = ?3 AND id > ?2)) LIMIT 1"
gboolean nc_store_client_has_later_call (NcStoreConnection   *conn,
                                         const char          *sql,
                                         const NcCallRecord  *record,
                                         gboolean            *out_found,
                                         GError             **error);
gboolean  nc_store_write_record_link_variable (NcStoreConnection   *conn,
                                               const NcCallRecord  *record,
                                               GError             **error);

/* The clients to call back (nc-store-missed.c): on every write of a call's row, and the
 * rows of the calls kept before version 7. */
gboolean  nc_store_missed_call_ended  (NcStoreConnection   *conn,
                                       const NcCallRecord  *before,
                                       const NcCallRecord  *record,
                                       GError             **error);
gboolean  nc_store_missed_fill_v7     (NcStoreConnection   *conn,
                                       GError             **error);

/* Callback requests (nc-store-callbacks.c) */
/* Ties @record, an outgoing call's first NOTIFY_OUT_START, to the request it answers. */
gboolean  nc_store_tie_callback       (NcStoreConnection  *conn,
                                       NcCallRecord       *record,
                                       gboolean            first_out_start,
                                       gint64              received_at_us,
                                       GError            **error);

/* A new client's variables (nc-store-clients.c), for an edit and for an import. */
gboolean   nc_store_insert_variables  (NcStoreConnection  *conn,
                                       gint64              id,
                                       GPtrArray          *variables,
                                       GError            **error);
/* Clients read from rows of id, name, channel, phone, created (nc-store-search.c) */
NcClient  *nc_store_client_from_row   (NcStoreStmt        *stmt);
GPtrArray *nc_store_collect_clients   (NcStoreStmt        *stmt,
                                       GError            **error);

/* The phone index and search (nc-store-search.c) */
GArray   *nc_store_search_client_ids  (NcStoreConnection  *conn,
                                       const char         *query,
                                       guint               limit,
                                       GError            **error);
GArray   *nc_store_search_client_range (NcStoreConnection  *conn,
                                        const char         *query,
                                        gint64              after_id,
                                        gint64              until_id,
                                        guint               limit,
                                        GError            **error);
/* @client: as client @id is now stored */
gboolean  nc_store_index_client       (NcStoreConnection  *conn,
                                       gint64              id,
                                       NcClient           *client,
                                       GError            **error);
gboolean  nc_store_index_search_text  (NcStoreConnection  *conn,
                                       gint64              id,
                                       NcClient           *client,
                                       GError            **error);
/* The indexes of a client that has none yet: what an import writes. */
gboolean  nc_store_index_new_client   (NcStoreConnection  *conn,
                                       gint64              id,
                                       NcClient           *client,
                                       GError            **error);
gboolean  nc_store_unindex_client     (NcStoreConnection  *conn,
                                       gint64              id,
                                       GError            **error);
gboolean  nc_store_lookup_phone       (NcStoreConnection  *conn,
                                       const char         *canonical,
                                       gint64             *out_telephony_client,
                                       gint64             *out_any_client,
                                       GError            **error);

G_END_DECLS
