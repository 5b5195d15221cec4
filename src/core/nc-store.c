/* nc-store.c — the project's data: clients, employees, messengers, calls, events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SQLite in WAL mode, synchronous=FULL. All writes run on one writer thread, which takes
 * whatever jobs have queued up and runs them in one transaction (group commit: one fsync
 * for many webhook events), each job in a savepoint of its own so that one failing job
 * does not undo the others; a job is answered only after COMMIT returned. Reads run on a
 * reader thread with a connection of their own. The caller's main context never waits on
 * SQLite: the _async functions answer there, and the _sync ones are for the command line
 * and the tests.
 *
 * The SQL is plain and kept in this file, for a team edition on PostgreSQL; what only
 * SQLite has (the FTS5 trigram index behind search) is in the functions named sqlite_only_.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sqlite3.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "nc-paths.h"
#include "nc-phone.h"
#include "nc-store.h"

#define DEFAULT_BUSY_TIMEOUT_MS 5000
#define MAX_BATCH 1024

G_DEFINE_QUARK (nc-store-error-quark, nc_store_error)

typedef struct
{
  sqlite3    *db;
  GHashTable *statements;   /* static SQL text → sqlite3_stmt */
} Connection;

typedef gpointer (*JobFunc) (NcStore    *self,
                             Connection *conn,
                             gpointer    data,
                             GError    **error);

typedef struct
{
  JobFunc         func;
  gpointer        data;
  GDestroyNotify  data_destroy;
  GDestroyNotify  result_destroy;
  GTask          *task;
  /* A synchronous caller waits on these. */
  GMutex          mutex;
  GCond           cond;
  gboolean        done;
  gpointer        result;
  GError         *error;
} Job;

typedef struct
{
  NcStore     *store;
  Connection  *conn;
  GAsyncQueue *queue;
  GThread     *thread;
  gboolean     transactional;
} Worker;

struct _NcStore
{
  GObject     parent_instance;

  char       *path;
  Worker      writer;
  Worker      reader;
  guint       busy_timeout_ms;
  GMutex      pool_mutex;
  GPtrArray  *read_pool;    /* idle read connections for synchronous readers */
  gboolean    closed;
};

G_DEFINE_FINAL_TYPE (NcStore, nc_store, G_TYPE_OBJECT)

/* A job that only tells the worker to stop. */
static Job stop_job;

/* ------------------------------------------------------------------------------------ */
/* Errors                                                                                */

static void
set_sqlite_error (GError     **error,
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

/* ------------------------------------------------------------------------------------ */
/* Connections and statements                                                           */

static void
connection_free (Connection *conn)
{
  if (conn == NULL)
    return;
  g_clear_pointer (&conn->statements, g_hash_table_unref);
  sqlite3_close_v2 (conn->db);
  g_free (conn);
}

static sqlite3_stmt *
prepare (NcStore     *self,
         Connection  *conn,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (conn->statements, sql);
  int rc;

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  rc = sqlite3_prepare_v3 (conn->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, conn->db, rc, self->path);
      return NULL;
    }

  g_hash_table_insert (conn->statements, (gpointer) sql, stmt);
  return stmt;
}

static gboolean
exec (NcStore     *self,
      Connection  *conn,
      const char  *sql,
      GError     **error)
{
  int rc = sqlite3_exec (conn->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, conn->db, rc, self->path);
      return FALSE;
    }
  return TRUE;
}

/* Runs a statement that returns no rows. */
static gboolean
step_done (NcStore       *self,
           Connection    *conn,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, conn->db, rc, self->path);
      return FALSE;
    }
  return TRUE;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           index)
{
  return (const char *) sqlite3_column_text (stmt, index);
}

/* ------------------------------------------------------------------------------------ */
/* Jobs and workers                                                                     */

static void
job_free (Job *job)
{
  if (job->data_destroy != NULL && job->data != NULL)
    job->data_destroy (job->data);
  g_clear_object (&job->task);
  g_mutex_clear (&job->mutex);
  g_cond_clear (&job->cond);
  g_free (job);
}

static Job *
job_new (JobFunc        func,
         gpointer       data,
         GDestroyNotify data_destroy,
         GDestroyNotify result_destroy)
{
  Job *job = g_new0 (Job, 1);

  job->func = func;
  job->data = data;
  job->data_destroy = data_destroy;
  job->result_destroy = result_destroy;
  g_mutex_init (&job->mutex);
  g_cond_init (&job->cond);
  return job;
}

static gboolean
unref_task (gpointer task)
{
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* Hands the outcome to whoever waits: the task's own context, or a synchronous caller. */
static void
job_complete (Job      *job,
              gpointer  result,
              GError   *error)
{
  if (job->task != NULL)
    {
      GTask *task = g_steal_pointer (&job->task);

      if (error != NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, result, job->result_destroy);
      job_free (job);
      /* The task may hold the last reference to the store, and a store must never be
       * finalized on its own worker thread, which would then wait for itself. */
      g_main_context_invoke (g_task_get_context (task), unref_task, task);
      return;
    }

  g_mutex_lock (&job->mutex);
  job->result = result;
  job->error = error;
  job->done = TRUE;
  g_cond_signal (&job->cond);
  g_mutex_unlock (&job->mutex);
}

static void
run_batch (Worker    *worker,
           GPtrArray *batch)
{
  NcStore *self = worker->store;
  g_autoptr(GError) begin_error = NULL;
  g_autofree gpointer *results = g_new0 (gpointer, batch->len);
  g_autofree GError **errors = g_new0 (GError *, batch->len);
  g_autoptr(GError) commit_error = NULL;

  if (worker->transactional && !exec (self, worker->conn, "BEGIN IMMEDIATE", &begin_error))
    {
      for (guint i = 0; i < batch->len; i++)
        job_complete (batch->pdata[i], NULL, g_error_copy (begin_error));
      return;
    }

  for (guint i = 0; i < batch->len; i++)
    {
      Job *job = batch->pdata[i];

      if (job->task != NULL && g_task_return_error_if_cancelled (job->task))
        {
          batch->pdata[i] = NULL;
          job_free (job);
          continue;
        }

      if (worker->transactional)
        exec (self, worker->conn, "SAVEPOINT job", NULL);

      results[i] = job->func (self, worker->conn, job->data, &errors[i]);

      if (worker->transactional)
        {
          if (errors[i] != NULL)
            exec (self, worker->conn, "ROLLBACK TO job", NULL);
          exec (self, worker->conn, "RELEASE job", NULL);
        }
    }

  if (worker->transactional && !exec (self, worker->conn, "COMMIT", &commit_error))
    exec (self, worker->conn, "ROLLBACK", NULL);

  for (guint i = 0; i < batch->len; i++)
    {
      Job *job = batch->pdata[i];

      if (job == NULL)
        continue;

      if (commit_error != NULL && errors[i] == NULL)
        {
          if (results[i] != NULL && job->result_destroy != NULL)
            job->result_destroy (results[i]);
          job_complete (job, NULL, g_error_copy (commit_error));
        }
      else
        job_complete (job, errors[i] == NULL ? results[i] : NULL, errors[i]);
    }
}

static gpointer
worker_main (gpointer user_data)
{
  Worker *worker = user_data;
  gboolean stopping = FALSE;

  while (!stopping)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new ();
      Job *job = g_async_queue_pop (worker->queue);

      if (job == &stop_job)
        break;
      g_ptr_array_add (batch, job);

      /* Whatever else has arrived meanwhile goes into the same transaction. */
      while (worker->transactional && batch->len < MAX_BATCH &&
             (job = g_async_queue_try_pop (worker->queue)) != NULL)
        {
          if (job == &stop_job)
            {
              stopping = TRUE;
              break;
            }
          g_ptr_array_add (batch, job);
        }

      run_batch (worker, batch);
    }

  return NULL;
}

static void
submit_async (NcStore             *self,
              Worker              *worker,
              Job                 *job,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  job->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, source_tag);

  if (worker->thread == NULL)
    {
      g_task_return_new_error (job->task, NC_STORE_ERROR, NC_STORE_ERROR_FAILED,
                               _("The data store is closed"));
      job_free (job);
      return;
    }

  g_async_queue_push (worker->queue, job);
}

static gpointer read_sync (NcStore *self, Job *job, GError **error);

static gpointer
submit_sync (NcStore  *self,
             Worker   *worker,
             Job      *job,
             GError  **error)
{
  gpointer result;

  if (worker == &self->reader)
    return read_sync (self, job, error);

  if (worker->thread == NULL)
    {
      g_set_error_literal (error, NC_STORE_ERROR, NC_STORE_ERROR_FAILED,
                           _("The data store is closed"));
      job_free (job);
      return NULL;
    }

  g_async_queue_push (worker->queue, job);

  g_mutex_lock (&job->mutex);
  while (!job->done)
    g_cond_wait (&job->cond, &job->mutex);
  g_mutex_unlock (&job->mutex);

  result = job->result;
  if (job->error != NULL)
    g_propagate_error (error, g_steal_pointer (&job->error));
  job_free (job);
  return result;
}

static Connection *open_connection (NcStore *self, gboolean read_only, GError **error);

/* A synchronous read runs on the caller's own thread, on a pooled read-only connection:
 * the caller waits anyway, and a hop to the reader thread and back would cost more than
 * an index lookup. (The main context never reads synchronously: it uses the _async API.) */
static gpointer
read_sync (NcStore  *self,
           Job      *job,
           GError  **error)
{
  Connection *conn = NULL;
  gpointer result;

  g_mutex_lock (&self->pool_mutex);
  if (self->closed)
    {
      g_mutex_unlock (&self->pool_mutex);
      g_set_error_literal (error, NC_STORE_ERROR, NC_STORE_ERROR_FAILED,
                           _("The data store is closed"));
      job_free (job);
      return NULL;
    }
  if (self->read_pool->len > 0)
    conn = g_ptr_array_steal_index_fast (self->read_pool, self->read_pool->len - 1);
  g_mutex_unlock (&self->pool_mutex);

  if (conn == NULL)
    conn = open_connection (self, TRUE, error);
  if (conn == NULL)
    {
      job_free (job);
      return NULL;
    }

  result = job->func (self, conn, job->data, error);
  job_free (job);

  g_mutex_lock (&self->pool_mutex);
  if (self->closed)
    connection_free (conn);
  else
    g_ptr_array_add (self->read_pool, conn);
  g_mutex_unlock (&self->pool_mutex);

  return result;
}

static gboolean
worker_start (NcStore     *self,
              Worker      *worker,
              Connection  *conn,
              const char  *name,
              gboolean     transactional)
{
  worker->store = self;
  worker->conn = conn;
  worker->transactional = transactional;
  worker->queue = g_async_queue_new ();
  worker->thread = g_thread_new (name, worker_main, worker);
  return TRUE;
}

static void
worker_stop (Worker *worker)
{
  if (worker->thread != NULL)
    {
      g_async_queue_push (worker->queue, &stop_job);
      g_thread_join (g_steal_pointer (&worker->thread));
    }
  g_clear_pointer (&worker->queue, g_async_queue_unref);
  g_clear_pointer (&worker->conn, connection_free);
}

/* ------------------------------------------------------------------------------------ */
/* Schema                                                                                */

/* Version n of the schema is migrations[n - 1] applied on top of version n - 1. */
static const char *const migrations[] = {
  /* 1 */
  "CREATE TABLE clients ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  channel TEXT NOT NULL,"
  "  phone TEXT,"
  "  created INTEGER NOT NULL);"
  "CREATE TABLE client_variables ("
  "  client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL,"
  "  value TEXT NOT NULL,"
  "  PRIMARY KEY (client_id, name));"
  "CREATE TABLE client_phones ("
  "  phone TEXT NOT NULL,"
  "  client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,"
  "  own INTEGER NOT NULL,"
  "  variable TEXT);"
  "CREATE INDEX client_phones_by_phone ON client_phones (phone, client_id);"
  "CREATE INDEX client_phones_by_client ON client_phones (client_id);"
  "CREATE TABLE employees ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  employee_id TEXT,"
  "  virtual_number TEXT,"
  "  call_method TEXT NOT NULL DEFAULT 'disabled');"
  "CREATE TABLE project_messengers (channel TEXT PRIMARY KEY);",

  /* 2: calls and their events, the API request budget, search by name */
  "CREATE TABLE call_events ("
  "  id INTEGER PRIMARY KEY,"
  "  event_type TEXT NOT NULL,"
  "  fields TEXT NOT NULL,"
  "  digest TEXT NOT NULL UNIQUE,"
  "  received_at INTEGER NOT NULL);"
  "CREATE TABLE calls ("
  "  pbx_call_id TEXT PRIMARY KEY,"
  "  client_id INTEGER REFERENCES clients (id) ON DELETE SET NULL,"
  "  match_rule TEXT,"
  "  record_link TEXT,"
  "  record_expires TEXT);"
  "CREATE TABLE request_budget ("
  "  bucket TEXT NOT NULL,"
  "  taken_at INTEGER NOT NULL);"
  "CREATE INDEX request_budget_by_bucket ON request_budget (bucket, taken_at);"
  "CREATE INDEX clients_by_name ON clients (name COLLATE NOCASE);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == NC_STORE_SCHEMA_VERSION);

static gboolean sqlite_only_index_search (NcStore *self, Connection *conn, gint64 id,
                                          GError **error);

/* SQLite only: a trigram index over each client's name, phone and variable values, so
 * that any fragment of three characters or more is found without walking the clients.
 * On PostgreSQL, pg_trgm over the same text does this. */
static gboolean
sqlite_only_create_search (NcStore     *self,
                           Connection  *conn,
                           GError     **error)
{
  sqlite3_stmt *stmt;

  if (!exec (self, conn,
             "CREATE VIRTUAL TABLE client_search USING fts5 (body, tokenize = 'trigram')",
             error))
    return FALSE;

  stmt = prepare (self, conn, "SELECT id FROM clients ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;

  {
    g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

    while (sqlite3_step (stmt) == SQLITE_ROW)
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);
        g_array_append_val (ids, id);
      }
    sqlite3_reset (stmt);

    for (guint i = 0; i < ids->len; i++)
      if (!sqlite_only_index_search (self, conn, g_array_index (ids, gint64, i), error))
        return FALSE;
  }

  return TRUE;
}

static gboolean
migrate (NcStore     *self,
         Connection  *conn,
         int          from_version,
         GError     **error)
{
  for (int version = from_version + 1; version <= NC_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", version);

      g_debug ("Upgrading %s to version %d", self->path, version);
      if (!exec (self, conn, migrations[version - 1], error))
        return FALSE;
      if (version == 2 && !sqlite_only_create_search (self, conn, error))
        return FALSE;
      if (!exec (self, conn, set_version, error))
        return FALSE;
    }
  return TRUE;
}

static int
read_user_version (sqlite3 *db,
                   int     *out_version)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *out_version = sqlite3_column_int (stmt, 0);
          rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (stmt);
  return rc;
}

static Connection *
open_connection (NcStore     *self,
                 gboolean     read_only,
                 GError     **error)
{
  Connection *conn = g_new0 (Connection, 1);
  int flags = SQLITE_OPEN_NOMUTEX |
              (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc;

  conn->statements = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) sqlite3_finalize);
  rc = sqlite3_open_v2 (self->path, &conn->db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, conn->db, rc, self->path);
      connection_free (conn);
      return NULL;
    }

  sqlite3_extended_result_codes (conn->db, TRUE);
  sqlite3_busy_timeout (conn->db, (int) self->busy_timeout_ms);
  return conn;
}

static gboolean
nc_store_open_internal (NcStore     *self,
                        const char  *data_dir,
                        GError     **error)
{
  Connection *writer;
  Connection *reader;
  int version = 0;
  int rc;

  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the data folder %s: %s"), data_dir,
                   g_strerror (saved_errno));
      return FALSE;
    }

  self->path = g_build_filename (data_dir, NC_STORE_FILE_NAME, NULL);
  if (!nc_paths_secure_store_files (data_dir, self->path, error))
    return FALSE;

  writer = open_connection (self, FALSE, error);
  if (writer == NULL)
    return FALSE;

  /* The version is read before anything is written, so that a database from a newer
   * version of the application is refused untouched. */
  rc = read_user_version (writer->db, &version);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, writer->db, rc, self->path);
      connection_free (writer);
      return FALSE;
    }
  if (version > NC_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NEWER_VERSION,
                   _("%s was written by a newer version of Novofon Console (data version %d; "
                     "this one knows up to %d): update the application"),
                   self->path, version, NC_STORE_SCHEMA_VERSION);
      connection_free (writer);
      return FALSE;
    }

  if (!exec (self, writer, "PRAGMA journal_mode = WAL", error) ||
      !exec (self, writer, "PRAGMA synchronous = FULL", error) ||
      !exec (self, writer, "PRAGMA foreign_keys = ON", error) ||
      !exec (self, writer, "BEGIN IMMEDIATE", error))
    {
      connection_free (writer);
      return FALSE;
    }

  /* Another process may have upgraded it meanwhile. */
  rc = read_user_version (writer->db, &version);
  if (rc != SQLITE_OK || !migrate (self, writer, version, error) ||
      !exec (self, writer, "COMMIT", error))
    {
      if (rc != SQLITE_OK)
        set_sqlite_error (error, writer->db, rc, self->path);
      exec (self, writer, "ROLLBACK", NULL);
      connection_free (writer);
      return FALSE;
    }

  reader = open_connection (self, TRUE, error);
  if (reader == NULL)
    {
      connection_free (writer);
      return FALSE;
    }

  worker_start (self, &self->writer, writer, "nc-store-writer", TRUE);
  worker_start (self, &self->reader, reader, "nc-store-reader", FALSE);
  return TRUE;
}

/* ------------------------------------------------------------------------------------ */
/* GObject                                                                               */

static void
nc_store_dispose (GObject *object)
{
  nc_store_close (NC_STORE (object));

  G_OBJECT_CLASS (nc_store_parent_class)->dispose (object);
}

static void
nc_store_finalize (GObject *object)
{
  NcStore *self = NC_STORE (object);

  g_free (self->path);
  g_clear_pointer (&self->read_pool, g_ptr_array_unref);
  g_mutex_clear (&self->pool_mutex);

  G_OBJECT_CLASS (nc_store_parent_class)->finalize (object);
}

static void
nc_store_class_init (NcStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nc_store_dispose;
  object_class->finalize = nc_store_finalize;
}

static void
nc_store_init (NcStore *self)
{
  const char *timeout = g_getenv ("NC_STORE_BUSY_TIMEOUT_MS");

  g_mutex_init (&self->pool_mutex);
  self->read_pool = g_ptr_array_new_with_free_func ((GDestroyNotify) connection_free);

  /* The environment shortens the wait for the tests of a locked database. */
  self->busy_timeout_ms = timeout != NULL ? (guint) g_ascii_strtoull (timeout, NULL, 10)
                                          : DEFAULT_BUSY_TIMEOUT_MS;
}

/**
 * nc_store_open_sync:
 * @data_dir: the project's data folder; created if missing
 *
 * Opens (creating or upgrading) the store. Blocks: for the command line and the tests.
 *
 * Returns: (transfer full) (nullable): the store
 */
NcStore *
nc_store_open_sync (const char  *data_dir,
                    GError     **error)
{
  g_autoptr(NcStore) self = g_object_new (NC_TYPE_STORE, NULL);

  g_return_val_if_fail (data_dir != NULL, NULL);

  if (!nc_store_open_internal (self, data_dir, error))
    return NULL;

  return g_steal_pointer (&self);
}

static void
open_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  NcStore *store = nc_store_open_sync (task_data, &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

void
nc_store_open_async (const char          *data_dir,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, nc_store_open_async);
  g_task_set_task_data (task, g_strdup (data_dir), g_free);
  g_task_run_in_thread (task, open_in_thread);
}

/**
 * nc_store_open_finish:
 *
 * Returns: (transfer full) (nullable): the store
 */
NcStore *
nc_store_open_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
nc_store_get_path (NcStore *self)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);
  return self->path;
}

/**
 * nc_store_set_busy_timeout:
 *
 * How long a write waits for another program that holds the database, before it fails.
 */
void
nc_store_set_busy_timeout (NcStore *self,
                           guint    milliseconds)
{
  g_return_if_fail (NC_IS_STORE (self));

  self->busy_timeout_ms = milliseconds;
  /* Safe from here: sqlite3_busy_timeout() only sets a field of the connection, and the
   * workers read it only while they wait. */
  if (self->writer.conn != NULL)
    sqlite3_busy_timeout (self->writer.conn->db, (int) milliseconds);
  if (self->reader.conn != NULL)
    sqlite3_busy_timeout (self->reader.conn->db, (int) milliseconds);
  g_mutex_lock (&self->pool_mutex);
  for (guint i = 0; i < self->read_pool->len; i++)
    sqlite3_busy_timeout (((Connection *) self->read_pool->pdata[i])->db, (int) milliseconds);
  g_mutex_unlock (&self->pool_mutex);
}

/**
 * nc_store_close:
 *
 * Finishes every queued write, then closes the database. Later calls fail.
 */
void
nc_store_close (NcStore *self)
{
  g_return_if_fail (NC_IS_STORE (self));

  worker_stop (&self->writer);
  worker_stop (&self->reader);

  g_mutex_lock (&self->pool_mutex);
  self->closed = TRUE;
  g_ptr_array_set_size (self->read_pool, 0);
  g_mutex_unlock (&self->pool_mutex);
}

/* ------------------------------------------------------------------------------------ */
/* Clients                                                                               */

static char *
search_body (NcClient *client)
{
  GString *body = g_string_new (nc_client_get_name (client));
  GPtrArray *variables = nc_client_get_variables (client);

  if (nc_client_get_phone (client) != NULL)
    g_string_append_printf (body, "\n%s", nc_client_get_phone (client));

  for (guint i = 0; variables != NULL && i < variables->len; i++)
    {
      NcVariable *variable = g_ptr_array_index (variables, i);
      g_autofree char *phone = nc_phone_try_normalize (variable->value);

      g_string_append_printf (body, "\n%s", variable->value);
      /* A number kept as "+7 916 111-22-33" is found by its digits too. */
      if (phone != NULL && g_strcmp0 (phone, variable->value) != 0)
        g_string_append_printf (body, "\n%s", phone);
    }

  return g_string_free (body, FALSE);
}

static NcClient *read_client (NcStore *self, Connection *conn, gint64 id, GError **error);

/* SQLite only: see sqlite_only_create_search(). */
static gboolean
sqlite_only_index_search (NcStore     *self,
                          Connection  *conn,
                          gint64       id,
                          GError     **error)
{
  g_autoptr(NcClient) client = NULL;
  g_autofree char *body = NULL;
  sqlite3_stmt *stmt;

  stmt = prepare (self, conn, "DELETE FROM client_search WHERE rowid = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!step_done (self, conn, stmt, error))
    return FALSE;

  client = read_client (self, conn, id, NULL);
  if (client == NULL)
    return TRUE;

  body = search_body (client);
  stmt = prepare (self, conn, "INSERT INTO client_search (rowid, body) VALUES (?1, ?2)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  bind_text (stmt, 2, body);
  return step_done (self, conn, stmt, error);
}

/* Keeps the matcher's phone index of one client in step with its data. */
static gboolean
index_phones (NcStore     *self,
              Connection  *conn,
              NcClient    *client,
              GError     **error)
{
  GPtrArray *variables = nc_client_get_variables (client);
  sqlite3_stmt *stmt;

  stmt = prepare (self, conn, "DELETE FROM client_phones WHERE client_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, nc_client_get_id (client));
  if (!step_done (self, conn, stmt, error))
    return FALSE;

  stmt = prepare (self, conn,
                  "INSERT INTO client_phones (phone, client_id, own, variable) "
                  "VALUES (?1, ?2, ?3, ?4)", error);
  if (stmt == NULL)
    return FALSE;

  if (nc_client_get_phone (client) != NULL)
    {
      sqlite3_bind_text (stmt, 1, nc_client_get_phone (client), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, nc_client_get_id (client));
      sqlite3_bind_int (stmt, 3, 1);
      sqlite3_bind_null (stmt, 4);
      if (!step_done (self, conn, stmt, error))
        return FALSE;
    }

  for (guint i = 0; variables != NULL && i < variables->len; i++)
    {
      NcVariable *variable = g_ptr_array_index (variables, i);
      g_autofree char *phone = nc_phone_try_normalize (variable->value);

      if (phone == NULL)
        continue;

      sqlite3_bind_text (stmt, 1, phone, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, nc_client_get_id (client));
      sqlite3_bind_int (stmt, 3, 0);
      sqlite3_bind_text (stmt, 4, variable->name, -1, SQLITE_TRANSIENT);
      if (!step_done (self, conn, stmt, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_variables (NcStore     *self,
                 Connection  *conn,
                 gint64       id,
                 GPtrArray   *variables,
                 GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = prepare (self, conn, "DELETE FROM client_variables WHERE client_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!step_done (self, conn, stmt, error))
    return FALSE;

  stmt = prepare (self, conn,
                  "INSERT INTO client_variables (client_id, name, value) VALUES (?1, ?2, ?3)",
                  error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; variables != NULL && i < variables->len; i++)
    {
      NcVariable *variable = g_ptr_array_index (variables, i);

      sqlite3_bind_int64 (stmt, 1, id);
      bind_text (stmt, 2, variable->name);
      bind_text (stmt, 3, variable->value);
      if (!step_done (self, conn, stmt, error))
        return FALSE;
    }

  return TRUE;
}

/* Writes the derived indexes of a client whose row and variables are written. */
static gboolean
reindex_client (NcStore     *self,
                Connection  *conn,
                gint64       id,
                GError     **error)
{
  g_autoptr(NcClient) client = read_client (self, conn, id, error);

  if (client == NULL)
    return FALSE;

  return index_phones (self, conn, client, error) &&
         sqlite_only_index_search (self, conn, id, error);
}

static gint64
insert_client (NcStore     *self,
               Connection  *conn,
               NcClient    *draft,
               GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 id;

  stmt = prepare (self, conn,
                  "INSERT INTO clients (name, channel, phone, created) VALUES (?1, ?2, ?3, ?4)",
                  error);
  if (stmt == NULL)
    return 0;
  bind_text (stmt, 1, nc_client_get_name (draft));
  bind_text (stmt, 2, nc_channel_to_string (nc_client_get_channel (draft)));
  bind_text (stmt, 3, nc_client_get_phone (draft));
  sqlite3_bind_int64 (stmt, 4, nc_client_get_created (draft) != 0 ? nc_client_get_created (draft)
                                                                 : g_get_real_time () / G_USEC_PER_SEC);
  if (!step_done (self, conn, stmt, error))
    return 0;

  id = sqlite3_last_insert_rowid (conn->db);
  if (!write_variables (self, conn, id, nc_client_get_variables (draft), error) ||
      !reindex_client (self, conn, id, error))
    return 0;

  return id;
}

typedef struct
{
  GPtrArray    *drafts;
  NcProgress   *progress;
  GCancellable *cancellable;
} AddClients;

static void
add_clients_free (AddClients *data)
{
  g_ptr_array_unref (data->drafts);
  g_clear_pointer (&data->progress, nc_progress_unref);
  g_clear_object (&data->cancellable);
  g_free (data);
}

static AddClients *
add_clients_new (GPtrArray    *drafts,
                 NcProgress   *progress,
                 GCancellable *cancellable)
{
  AddClients *data = g_new0 (AddClients, 1);

  data->drafts = g_ptr_array_ref (drafts);
  data->progress = progress != NULL ? nc_progress_ref (progress) : NULL;
  data->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  return data;
}

static gpointer
add_clients_job (NcStore    *self,
                 Connection *conn,
                 gpointer    data,
                 GError    **error)
{
  AddClients *add = data;
  GPtrArray *drafts = add->drafts;
  GArray *ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), drafts->len);

  for (guint i = 0; i < drafts->len; i++)
    {
      gint64 id;

      /* A long import can be stopped half-way: the savepoint takes back what it wrote. */
      if (i % 256 == 0 && g_cancellable_set_error_if_cancelled (add->cancellable, error))
        {
          g_array_unref (ids);
          return NULL;
        }
      id = insert_client (self, conn, g_ptr_array_index (drafts, i), error);

      if (id == 0)
        {
          g_array_unref (ids);
          return NULL;
        }
      g_array_append_val (ids, id);
      if (add->progress != NULL && (i % 256 == 255 || i + 1 == drafts->len))
        nc_progress_set (add->progress, i + 1, drafts->len);
    }

  return ids;
}

/**
 * nc_store_add_clients_sync:
 * @drafts: (element-type NcClient): clients with id 0, variables loaded
 * @out_ids: (out) (optional) (transfer full): the new clients' ids, in order
 *
 * Adds every client, or, on any failure, none.
 */
gboolean
nc_store_add_clients_sync (NcStore    *self,
                           GPtrArray  *drafts,
                           GArray    **out_ids,
                           GError    **error)
{
  GArray *ids;

  g_return_val_if_fail (NC_IS_STORE (self), FALSE);

  ids = submit_sync (self, &self->writer,
                     job_new (add_clients_job, add_clients_new (drafts, NULL, NULL),
                              (GDestroyNotify) add_clients_free,
                              (GDestroyNotify) g_array_unref),
                     error);
  if (ids == NULL)
    return FALSE;

  if (out_ids != NULL)
    *out_ids = ids;
  else
    g_array_unref (ids);
  return TRUE;
}

/**
 * nc_store_add_clients_async:
 * @progress: (nullable): how many of @drafts are written, for a progress bar
 *
 * Adds every client, or, on any failure, none.
 */
void
nc_store_add_clients_async (NcStore             *self,
                            GPtrArray           *drafts,
                            NcProgress          *progress,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));

  submit_async (self, &self->writer,
                job_new (add_clients_job, add_clients_new (drafts, progress, cancellable),
                         (GDestroyNotify) add_clients_free, (GDestroyNotify) g_array_unref),
                nc_store_add_clients_async, cancellable, callback, user_data);
}

/**
 * nc_store_add_clients_finish:
 *
 * Returns: (transfer full) (nullable): the new clients' ids, in order
 */
GArray *
nc_store_add_clients_finish (NcStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
update_client_job (NcStore    *self,
                   Connection *conn,
                   gpointer    data,
                   GError    **error)
{
  NcClient *client = data;
  sqlite3_stmt *stmt;
  gint64 id = nc_client_get_id (client);

  stmt = prepare (self, conn, "UPDATE clients SET name = ?2, channel = ?3, phone = ?4 WHERE id = ?1",
                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  bind_text (stmt, 2, nc_client_get_name (client));
  bind_text (stmt, 3, nc_channel_to_string (nc_client_get_channel (client)));
  bind_text (stmt, 4, nc_client_get_phone (client));
  if (!step_done (self, conn, stmt, error))
    return NULL;
  if (sqlite3_changes (conn->db) == 0)
    {
      g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND,
                   _("There is no client number %lld"), (long long) id);
      return NULL;
    }

  if (!write_variables (self, conn, id, nc_client_get_variables (client), error) ||
      !reindex_client (self, conn, id, error))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

/**
 * nc_store_update_client_sync:
 * @client: the client with its id and all its variables
 */
gboolean
nc_store_update_client_sync (NcStore   *self,
                             NcClient  *client,
                             GError   **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), FALSE);
  g_return_val_if_fail (NC_IS_CLIENT (client), FALSE);

  return submit_sync (self, &self->writer,
                      job_new (update_client_job, g_object_ref (client), g_object_unref, NULL),
                      error) != NULL;
}

void
nc_store_update_client_async (NcStore             *self,
                              NcClient            *client,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));
  g_return_if_fail (NC_IS_CLIENT (client));

  submit_async (self, &self->writer,
                job_new (update_client_job, g_object_ref (client), g_object_unref, NULL),
                nc_store_update_client_async, cancellable, callback, user_data);
}

/* The finish of every write that answers only yes or no. */
static gboolean
write_finish (NcStore       *self,
              GAsyncResult  *result,
              gpointer       source_tag,
              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

gboolean
nc_store_update_client_finish (NcStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return write_finish (self, result, nc_store_update_client_async, error);
}

static gpointer
delete_client_job (NcStore    *self,
                   Connection *conn,
                   gpointer    data,
                   GError    **error)
{
  gint64 id = *(gint64 *) data;
  sqlite3_stmt *stmt;

  stmt = prepare (self, conn, "DELETE FROM clients WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!step_done (self, conn, stmt, error))
    return NULL;
  if (sqlite3_changes (conn->db) == 0)
    {
      g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND,
                   _("There is no client number %lld"), (long long) id);
      return NULL;
    }

  /* The variables and the phone index go with the row (ON DELETE CASCADE). */
  if (!sqlite_only_index_search (self, conn, id, error))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

gboolean
nc_store_delete_client_sync (NcStore  *self,
                             gint64    client_id,
                             GError  **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), FALSE);

  return submit_sync (self, &self->writer,
                      job_new (delete_client_job, g_memdup2 (&client_id, sizeof client_id),
                               g_free, NULL),
                      error) != NULL;
}

void
nc_store_delete_client_async (NcStore             *self,
                              gint64               client_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));

  submit_async (self, &self->writer,
                job_new (delete_client_job, g_memdup2 (&client_id, sizeof client_id),
                         g_free, NULL),
                nc_store_delete_client_async, cancellable, callback, user_data);
}

gboolean
nc_store_delete_client_finish (NcStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return write_finish (self, result, nc_store_delete_client_async, error);
}

typedef struct
{
  gint64  client_id;
  char   *name;
  char   *value;
} SetVariable;

static void
set_variable_free (SetVariable *data)
{
  g_free (data->name);
  g_free (data->value);
  g_free (data);
}

static gpointer
set_variable_job (NcStore    *self,
                  Connection *conn,
                  gpointer    data,
                  GError    **error)
{
  SetVariable *set = data;
  sqlite3_stmt *stmt;

  stmt = prepare (self, conn,
                  "INSERT INTO client_variables (client_id, name, value) VALUES (?1, ?2, ?3) "
                  "ON CONFLICT (client_id, name) DO UPDATE SET value = excluded.value",
                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, set->client_id);
  bind_text (stmt, 2, set->name);
  bind_text (stmt, 3, set->value);
  if (!step_done (self, conn, stmt, error))
    return NULL;

  if (!reindex_client (self, conn, set->client_id, error))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

static Job *
set_variable_job_new (gint64      client_id,
                      const char *name,
                      const char *value)
{
  SetVariable *set = g_new0 (SetVariable, 1);

  set->client_id = client_id;
  set->name = g_strdup (name);
  set->value = g_strdup (value);
  return job_new (set_variable_job, set, (GDestroyNotify) set_variable_free, NULL);
}

/**
 * nc_store_set_variable_sync:
 *
 * Sets (adds or replaces) one variable of a client: `zadarma_record_link`, say.
 */
gboolean
nc_store_set_variable_sync (NcStore     *self,
                            gint64       client_id,
                            const char  *name,
                            const char  *value,
                            GError     **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), FALSE);

  return submit_sync (self, &self->writer, set_variable_job_new (client_id, name, value),
                      error) != NULL;
}

void
nc_store_set_variable_async (NcStore             *self,
                             gint64               client_id,
                             const char          *name,
                             const char          *value,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));

  submit_async (self, &self->writer, set_variable_job_new (client_id, name, value),
                nc_store_set_variable_async, cancellable, callback, user_data);
}

gboolean
nc_store_set_variable_finish (NcStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return write_finish (self, result, nc_store_set_variable_async, error);
}

static NcClient *
client_from_row (sqlite3_stmt *stmt)
{
  NcChannel channel = NC_CHANNEL_TELEPHONY;

  nc_channel_from_string (column_text (stmt, 2), &channel);
  return nc_client_new (sqlite3_column_int64 (stmt, 0), column_text (stmt, 1), channel,
                        column_text (stmt, 3), sqlite3_column_int64 (stmt, 4));
}

static NcClient *
read_client (NcStore     *self,
             Connection  *conn,
             gint64       id,
             GError     **error)
{
  g_autoptr(NcClient) client = NULL;
  GPtrArray *variables;
  sqlite3_stmt *stmt;

  stmt = prepare (self, conn, "SELECT id, name, channel, phone, created FROM clients WHERE id = ?1",
                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND,
                   _("There is no client number %lld"), (long long) id);
      return NULL;
    }
  client = client_from_row (stmt);
  sqlite3_reset (stmt);

  stmt = prepare (self, conn,
                  "SELECT name, value FROM client_variables WHERE client_id = ?1 ORDER BY rowid",
                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  variables = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (variables, nc_variable_new (column_text (stmt, 0), column_text (stmt, 1)));
  sqlite3_reset (stmt);
  nc_client_take_variables (client, variables);

  return g_steal_pointer (&client);
}

static gpointer
get_client_job (NcStore    *self,
                Connection *conn,
                gpointer    data,
                GError    **error)
{
  return read_client (self, conn, *(gint64 *) data, error);
}

/**
 * nc_store_get_client_sync:
 *
 * Returns: (transfer full) (nullable): the client with its variables
 */
NcClient *
nc_store_get_client_sync (NcStore  *self,
                          gint64    client_id,
                          GError  **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  return submit_sync (self, &self->reader,
                      job_new (get_client_job, g_memdup2 (&client_id, sizeof client_id), g_free,
                               g_object_unref),
                      error);
}

void
nc_store_get_client_async (NcStore             *self,
                           gint64               client_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));

  submit_async (self, &self->reader,
                job_new (get_client_job, g_memdup2 (&client_id, sizeof client_id), g_free,
                         g_object_unref),
                nc_store_get_client_async, cancellable, callback, user_data);
}

/**
 * nc_store_get_client_finish:
 *
 * Returns: (transfer full) (nullable): the client with its variables
 */
NcClient *
nc_store_get_client_finish (NcStore       *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
list_clients_job (NcStore    *self,
                  Connection *conn,
                  gpointer    data,
                  GError    **error)
{
  gboolean with_variables = GPOINTER_TO_INT (data);
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) by_id = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare (self, conn, "SELECT id, name, channel, phone, created FROM clients ORDER BY id",
                  error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (clients, client_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, conn->db, rc, self->path);
      return NULL;
    }

  if (!with_variables)
    return g_steal_pointer (&clients);

  by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint i = 0; i < clients->len; i++)
    {
      NcClient *client = g_ptr_array_index (clients, i);
      gint64 id = nc_client_get_id (client);

      g_hash_table_insert (by_id, g_memdup2 (&id, sizeof id), client);
      nc_client_take_variables (client, g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free));
    }

  stmt = prepare (self, conn,
                  "SELECT client_id, name, value FROM client_variables ORDER BY client_id, rowid",
                  error);
  if (stmt == NULL)
    return NULL;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      NcClient *client = g_hash_table_lookup (by_id, &id);

      if (client != NULL)
        g_ptr_array_add (nc_client_get_variables (client),
                         nc_variable_new (column_text (stmt, 1), column_text (stmt, 2)));
    }
  sqlite3_reset (stmt);

  return g_steal_pointer (&clients);
}

/**
 * nc_store_list_clients_sync:
 *
 * Returns: (transfer full) (element-type NcClient): every client, in the order they were
 *   made
 */
GPtrArray *
nc_store_list_clients_sync (NcStore   *self,
                            gboolean   with_variables,
                            GError   **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  return submit_sync (self, &self->reader,
                      job_new (list_clients_job, GINT_TO_POINTER (with_variables), NULL,
                               (GDestroyNotify) g_ptr_array_unref),
                      error);
}

typedef struct
{
  gint64 after_id;
  guint  limit;
} ListPage;

static gpointer
list_clients_page_job (NcStore    *self,
                       Connection *conn,
                       gpointer    data,
                       GError    **error)
{
  ListPage *page = data;
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare (self, conn,
                  "SELECT id, name, channel, phone, created FROM clients WHERE id > ?1 "
                  "ORDER BY id LIMIT ?2", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, page->after_id);
  sqlite3_bind_int64 (stmt, 2, page->limit > 0 ? (sqlite3_int64) page->limit : -1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (clients, client_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, conn->db, rc, self->path);
      return NULL;
    }
  return g_steal_pointer (&clients);
}

/**
 * nc_store_list_clients_async:
 * @after_id: the clients after this id (0: from the first)
 * @limit: at most this many (0: all)
 *
 * Reads the clients (without their variables) in the order they were made, a page at a
 * time if asked, so that a long list shows its beginning at once.
 */
void
nc_store_list_clients_async (NcStore             *self,
                             gint64               after_id,
                             guint                limit,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  ListPage *page;

  g_return_if_fail (NC_IS_STORE (self));

  page = g_new0 (ListPage, 1);
  page->after_id = after_id;
  page->limit = limit;
  submit_async (self, &self->reader,
                job_new (list_clients_page_job, page, g_free, (GDestroyNotify) g_ptr_array_unref),
                nc_store_list_clients_async, cancellable, callback, user_data);
}

/**
 * nc_store_list_clients_finish:
 *
 * Returns: (transfer full) (element-type NcClient): every client, without variables
 */
GPtrArray *
nc_store_list_clients_finish (NcStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char  *query;
  guint  limit;
} Search;

static void
search_free (Search *search)
{
  g_free (search->query);
  g_free (search);
}

/* SQLite only: an FTS5 phrase that matches @text literally. */
static char *
sqlite_only_fts_phrase (const char *text)
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

/* What the user typed, as the index holds it: a number typed in any format becomes its
 * digits. */
static char *
search_key (const char *query)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (query));
  GString *digits = g_string_new (NULL);
  gboolean only_phone_characters = *trimmed != '\0';

  for (const char *p = trimmed; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else if (!strchr ("+-() .", *p))
        only_phone_characters = FALSE;
    }

  if (only_phone_characters && digits->len > 0)
    return g_string_free (digits, FALSE);

  g_string_free (digits, TRUE);
  return g_steal_pointer (&trimmed);
}

static gpointer
search_clients_job (NcStore    *self,
                    Connection *conn,
                    gpointer    data,
                    GError    **error)
{
  Search *search = data;
  g_autofree char *key = search_key (search->query);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;

  if (g_utf8_strlen (key, -1) >= 3)
    {
      g_autofree char *phrase = sqlite_only_fts_phrase (key);

      stmt = prepare (self, conn,
                      "SELECT rowid FROM client_search WHERE client_search MATCH ?1 "
                      "ORDER BY rowid LIMIT ?2", error);
      if (stmt == NULL)
        return NULL;
      bind_text (stmt, 1, phrase);
    }
  else
    {
      /* Too short for trigrams: names that begin with it, from the name index. */
      g_autofree char *pattern = g_strconcat (key, "%", NULL);

      stmt = prepare (self, conn,
                      "SELECT id FROM clients WHERE name LIKE ?1 ORDER BY id LIMIT ?2", error);
      if (stmt == NULL)
        return NULL;
      bind_text (stmt, 1, pattern);
    }
  sqlite3_bind_int64 (stmt, 2, search->limit);

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);

  return g_steal_pointer (&ids);
}

static Job *
search_job_new (const char *query,
                guint       limit)
{
  Search *search = g_new0 (Search, 1);

  search->query = g_strdup (query);
  search->limit = limit;
  return job_new (search_clients_job, search, (GDestroyNotify) search_free,
                  (GDestroyNotify) g_array_unref);
}

/**
 * nc_store_search_clients_sync:
 * @query: a fragment of a name, of a number in any format, or of a variable's value
 *
 * Returns: (transfer full) (element-type gint64): the ids of the clients found, oldest
 *   first, at most @limit
 */
GArray *
nc_store_search_clients_sync (NcStore     *self,
                              const char  *query,
                              guint        limit,
                              GError     **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  return submit_sync (self, &self->reader, search_job_new (query, limit), error);
}

void
nc_store_search_clients_async (NcStore             *self,
                               const char          *query,
                               guint                limit,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));

  submit_async (self, &self->reader, search_job_new (query, limit),
                nc_store_search_clients_async, cancellable, callback, user_data);
}

/**
 * nc_store_search_clients_finish:
 *
 * Returns: (transfer full) (element-type gint64): the ids found
 */
GArray *
nc_store_search_clients_finish (NcStore       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------ */
/* The matcher's index                                                                  */

typedef struct
{
  gint64 telephony_client;
  gint64 any_client;
} Lookup;

static gboolean
lookup_phone (NcStore     *self,
              Connection  *conn,
              const char  *canonical,
              Lookup      *lookup,
              GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = prepare (self, conn,
                  "SELECT p.client_id FROM client_phones p JOIN clients c ON c.id = p.client_id "
                  "WHERE p.phone = ?1 AND p.own = 1 AND c.channel = 'telephony' "
                  "ORDER BY p.client_id LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, canonical);
  lookup->telephony_client = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  sqlite3_reset (stmt);

  stmt = prepare (self, conn,
                  "SELECT client_id FROM client_phones WHERE phone = ?1 "
                  "ORDER BY client_id LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, canonical);
  lookup->any_client = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  sqlite3_reset (stmt);

  return TRUE;
}

static gpointer
lookup_phone_job (NcStore    *self,
                  Connection *conn,
                  gpointer    data,
                  GError    **error)
{
  Lookup *lookup = g_new0 (Lookup, 1);

  if (!lookup_phone (self, conn, data, lookup, error))
    g_clear_pointer (&lookup, g_free);
  return lookup;
}

/**
 * nc_store_lookup_phone_sync:
 * @canonical: a number as nc_phone_normalize() gives it
 * @out_telephony_client: (out): the oldest telephony client whose own phone it is, or 0
 * @out_any_client: (out): the oldest client with this number as its phone or in any of
 *   its variables, or 0
 *
 * Two index lookups, never a scan of the clients.
 */
gboolean
nc_store_lookup_phone_sync (NcStore     *self,
                            const char  *canonical,
                            gint64      *out_telephony_client,
                            gint64      *out_any_client,
                            GError     **error)
{
  g_autofree Lookup *lookup = NULL;

  g_return_val_if_fail (NC_IS_STORE (self), FALSE);

  lookup = submit_sync (self, &self->reader,
                        job_new (lookup_phone_job, g_strdup (canonical), g_free, g_free), error);
  if (lookup == NULL)
    return FALSE;

  *out_telephony_client = lookup->telephony_client;
  *out_any_client = lookup->any_client;
  return TRUE;
}

typedef struct
{
  char     *canonical;
  NcClient *draft;
  gboolean  added;
  gint64    id;
} FindOrAdd;

static void
find_or_add_free (FindOrAdd *data)
{
  g_free (data->canonical);
  g_clear_object (&data->draft);
  g_free (data);
}

static gpointer
find_or_add_job (NcStore    *self,
                 Connection *conn,
                 gpointer    data,
                 GError    **error)
{
  FindOrAdd *find = data;
  Lookup lookup = { 0 };

  /* Looked up again here, on the writer: two calls from a new number at once make one
   * client, not two. */
  if (!lookup_phone (self, conn, find->canonical, &lookup, error))
    return NULL;

  find->id = lookup.telephony_client != 0 ? lookup.telephony_client : lookup.any_client;
  if (find->id != 0)
    return GINT_TO_POINTER (TRUE);

  find->id = insert_client (self, conn, find->draft, error);
  find->added = find->id != 0;
  return find->id != 0 ? GINT_TO_POINTER (TRUE) : NULL;
}

/**
 * nc_store_find_or_add_client_sync:
 * @draft: the client to add when none has @canonical
 * @out_added: (out) (optional): whether @draft was added
 *
 * Returns: the id of the client found or added, 0 on error
 */
gint64
nc_store_find_or_add_client_sync (NcStore     *self,
                                  const char  *canonical,
                                  NcClient    *draft,
                                  gboolean    *out_added,
                                  GError     **error)
{
  FindOrAdd *find = g_new0 (FindOrAdd, 1);
  Job *job;
  gint64 id = 0;

  g_return_val_if_fail (NC_IS_STORE (self), 0);

  find->canonical = g_strdup (canonical);
  find->draft = g_object_ref (draft);
  job = job_new (find_or_add_job, find, NULL, NULL);

  if (submit_sync (self, &self->writer, job, error) != NULL)
    {
      id = find->id;
      if (out_added != NULL)
        *out_added = find->added;
    }
  find_or_add_free (find);
  return id;
}

/* ------------------------------------------------------------------------------------ */
/* Employees and messengers                                                             */

static gpointer
list_employees_job (NcStore    *self,
                    Connection *conn,
                    gpointer    data,
                    GError    **error)
{
  g_autoptr(GPtrArray) employees = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt;

  stmt = prepare (self, conn,
                  "SELECT id, name, employee_id, virtual_number, call_method FROM employees "
                  "ORDER BY name, id", error);
  if (stmt == NULL)
    return NULL;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      NcCallMethod method = NC_CALL_METHOD_DISABLED;

      nc_call_method_from_string (column_text (stmt, 4), &method);
      g_ptr_array_add (employees,
                       nc_employee_new (sqlite3_column_int64 (stmt, 0), column_text (stmt, 1),
                                        column_text (stmt, 2), column_text (stmt, 3), method));
    }
  sqlite3_reset (stmt);
  return g_steal_pointer (&employees);
}

/**
 * nc_store_list_employees_sync:
 *
 * Returns: (transfer full) (element-type NcEmployee): the employees, by name
 */
GPtrArray *
nc_store_list_employees_sync (NcStore  *self,
                              GError  **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  return submit_sync (self, &self->reader,
                      job_new (list_employees_job, NULL, NULL, (GDestroyNotify) g_ptr_array_unref),
                      error);
}

static gpointer
save_employee_job (NcStore    *self,
                   Connection *conn,
                   gpointer    data,
                   GError    **error)
{
  NcEmployee *employee = data;
  sqlite3_stmt *stmt;
  gint64 *id = g_new (gint64, 1);

  if (nc_employee_get_id (employee) == 0)
    stmt = prepare (self, conn,
                    "INSERT INTO employees (name, employee_id, virtual_number, call_method) "
                    "VALUES (?2, ?3, ?4, ?5)", error);
  else
    stmt = prepare (self, conn,
                    "UPDATE employees SET name = ?2, employee_id = ?3, virtual_number = ?4, "
                    "call_method = ?5 WHERE id = ?1", error);
  if (stmt == NULL)
    {
      g_free (id);
      return NULL;
    }

  if (nc_employee_get_id (employee) != 0)
    sqlite3_bind_int64 (stmt, 1, nc_employee_get_id (employee));
  bind_text (stmt, 2, nc_employee_get_name (employee));
  bind_text (stmt, 3, nc_employee_get_employee_id (employee));
  bind_text (stmt, 4, nc_employee_get_virtual_number (employee));
  bind_text (stmt, 5, nc_call_method_to_string (nc_employee_get_call_method (employee)));
  if (!step_done (self, conn, stmt, error))
    {
      g_free (id);
      return NULL;
    }

  *id = nc_employee_get_id (employee) != 0 ? nc_employee_get_id (employee)
                                           : sqlite3_last_insert_rowid (conn->db);
  return id;
}

/**
 * nc_store_save_employee_sync:
 * @employee: a new employee (id 0) or a changed one
 *
 * Returns: the employee's id, 0 on error
 */
gint64
nc_store_save_employee_sync (NcStore     *self,
                             NcEmployee  *employee,
                             GError     **error)
{
  g_autofree gint64 *id = NULL;

  g_return_val_if_fail (NC_IS_STORE (self), 0);

  id = submit_sync (self, &self->writer,
                    job_new (save_employee_job, g_object_ref (employee), g_object_unref, g_free),
                    error);
  return id != NULL ? *id : 0;
}

static gpointer
delete_employee_job (NcStore    *self,
                     Connection *conn,
                     gpointer    data,
                     GError    **error)
{
  sqlite3_stmt *stmt = prepare (self, conn, "DELETE FROM employees WHERE id = ?1", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, *(gint64 *) data);
  return step_done (self, conn, stmt, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

gboolean
nc_store_delete_employee_sync (NcStore  *self,
                               gint64    id,
                               GError  **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), FALSE);

  return submit_sync (self, &self->writer,
                      job_new (delete_employee_job, g_memdup2 (&id, sizeof id), g_free, NULL),
                      error) != NULL;
}

static gpointer
get_messengers_job (NcStore    *self,
                    Connection *conn,
                    gpointer    data,
                    GError    **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  sqlite3_stmt *stmt = prepare (self, conn,
                                "SELECT channel FROM project_messengers ORDER BY channel", error);

  if (stmt == NULL)
    return NULL;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_strv_builder_add (builder, column_text (stmt, 0));
  sqlite3_reset (stmt);
  return g_strv_builder_end (builder);
}

/**
 * nc_store_get_messengers_sync:
 *
 * Returns: (transfer full): the channels of the messengers connected to the project
 */
GStrv
nc_store_get_messengers_sync (NcStore  *self,
                              GError  **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  return submit_sync (self, &self->reader,
                      job_new (get_messengers_job, NULL, NULL, (GDestroyNotify) g_strfreev),
                      error);
}

static gpointer
set_messengers_job (NcStore    *self,
                    Connection *conn,
                    gpointer    data,
                    GError    **error)
{
  const char *const *messengers = data;
  sqlite3_stmt *stmt;

  if (!exec (self, conn, "DELETE FROM project_messengers", error))
    return NULL;

  stmt = prepare (self, conn,
                  "INSERT INTO project_messengers (channel) VALUES (?1) ON CONFLICT DO NOTHING",
                  error);
  if (stmt == NULL)
    return NULL;
  for (guint i = 0; messengers != NULL && messengers[i] != NULL; i++)
    {
      bind_text (stmt, 1, messengers[i]);
      if (!step_done (self, conn, stmt, error))
        return NULL;
    }
  return GINT_TO_POINTER (TRUE);
}

/**
 * nc_store_set_messengers_sync:
 * @messengers: channel ids other than `telephony`; empty for none
 */
gboolean
nc_store_set_messengers_sync (NcStore            *self,
                              const char *const  *messengers,
                              GError            **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), FALSE);

  for (guint i = 0; messengers != NULL && messengers[i] != NULL; i++)
    {
      NcChannel channel;

      if (!nc_channel_from_string (messengers[i], &channel) || channel == NC_CHANNEL_TELEPHONY)
        {
          g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID,
                       _("“%s” is not a messenger"), messengers[i]);
          return FALSE;
        }
    }

  return submit_sync (self, &self->writer,
                      job_new (set_messengers_job, g_strdupv ((GStrv) messengers),
                               (GDestroyNotify) g_strfreev, NULL),
                      error) != NULL;
}

/* ------------------------------------------------------------------------------------ */
/* Call events and calls                                                                */

void
nc_stored_event_free (NcStoredEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->event_type);
  g_free (event->fields);
  g_free (event);
}

void
nc_stored_call_free (NcStoredCall *call)
{
  if (call == NULL)
    return;
  g_free (call->pbx_call_id);
  g_free (call->match_rule);
  g_free (call->record_link);
  g_free (call->record_expires);
  g_free (call);
}

static gpointer
add_call_event_job (NcStore    *self,
                    Connection *conn,
                    gpointer    data,
                    GError    **error)
{
  NcStoredEvent *event = data;
  g_autofree char *digest = NULL;
  g_autofree char *message = g_strconcat (event->event_type, "\n", event->fields, NULL);
  sqlite3_stmt *stmt;

  /* A duplicate is the same type with every field equal: the digest covers them all. */
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, message, -1);
  stmt = prepare (self, conn,
                  "INSERT INTO call_events (event_type, fields, digest, received_at) "
                  "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (digest) DO NOTHING", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, event->event_type);
  bind_text (stmt, 2, event->fields);
  bind_text (stmt, 3, digest);
  sqlite3_bind_int64 (stmt, 4, event->received_at);
  if (!step_done (self, conn, stmt, error))
    return NULL;

  /* 1: stored; 2: a replay, nothing stored. */
  return GINT_TO_POINTER (sqlite3_changes (conn->db) > 0 ? 1 : 2);
}

/**
 * nc_store_add_call_event_async:
 * @canonical_fields: every field of the event, in a deterministic form
 *
 * Stores one verified webhook event. Events that arrive together share one transaction;
 * the callback runs only once it is committed (or refused as a replay).
 */
void
nc_store_add_call_event_async (NcStore             *self,
                               const char          *event_type,
                               const char          *canonical_fields,
                               gint64               received_at_unix_us,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  NcStoredEvent *event = g_new0 (NcStoredEvent, 1);

  g_return_if_fail (NC_IS_STORE (self));

  event->event_type = g_strdup (event_type);
  event->fields = g_strdup (canonical_fields);
  event->received_at = received_at_unix_us;
  submit_async (self, &self->writer,
                job_new (add_call_event_job, event, (GDestroyNotify) nc_stored_event_free, NULL),
                nc_store_add_call_event_async, cancellable, callback, user_data);
}

gboolean
nc_store_add_call_event_finish (NcStore       *self,
                                GAsyncResult  *result,
                                gboolean      *out_inserted,
                                GError       **error)
{
  gpointer outcome;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  outcome = g_task_propagate_pointer (G_TASK (result), error);
  if (outcome == NULL)
    return FALSE;

  if (out_inserted != NULL)
    *out_inserted = GPOINTER_TO_INT (outcome) == 1;
  return TRUE;
}

static gpointer
list_call_events_job (NcStore    *self,
                      Connection *conn,
                      gpointer    data,
                      GError    **error)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_stored_event_free);
  sqlite3_stmt *stmt = prepare (self, conn,
                                "SELECT id, event_type, fields, received_at FROM call_events "
                                "ORDER BY id", error);

  if (stmt == NULL)
    return NULL;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      NcStoredEvent *event = g_new0 (NcStoredEvent, 1);

      event->id = sqlite3_column_int64 (stmt, 0);
      event->event_type = g_strdup (column_text (stmt, 1));
      event->fields = g_strdup (column_text (stmt, 2));
      event->received_at = sqlite3_column_int64 (stmt, 3);
      g_ptr_array_add (events, event);
    }
  sqlite3_reset (stmt);
  return g_steal_pointer (&events);
}

/**
 * nc_store_list_call_events_sync:
 *
 * Returns: (transfer full) (element-type NcStoredEvent): every stored event, in the order
 *   they were stored
 */
GPtrArray *
nc_store_list_call_events_sync (NcStore  *self,
                                GError  **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  return submit_sync (self, &self->reader,
                      job_new (list_call_events_job, NULL, NULL, (GDestroyNotify) g_ptr_array_unref),
                      error);
}

static gpointer
last_event_time_job (NcStore    *self,
                     Connection *conn,
                     gpointer    data,
                     GError    **error)
{
  sqlite3_stmt *stmt = prepare (self, conn,
                                "SELECT received_at FROM call_events ORDER BY id DESC LIMIT 1",
                                error);
  gint64 *time;

  if (stmt == NULL)
    return NULL;
  time = g_new0 (gint64, 1);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    *time = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return time;
}

/**
 * nc_store_get_last_event_time_sync:
 * @out_time: (out): when the last webhook event was received, in microseconds of real
 *   time, or 0 when none ever was
 */
gboolean
nc_store_get_last_event_time_sync (NcStore  *self,
                                   gint64   *out_time,
                                   GError  **error)
{
  g_autofree gint64 *time = NULL;

  g_return_val_if_fail (NC_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_time != NULL, FALSE);

  time = submit_sync (self, &self->reader, job_new (last_event_time_job, NULL, NULL, g_free),
                      error);
  if (time == NULL)
    return FALSE;
  *out_time = *time;
  return TRUE;
}

static gpointer
save_call_job (NcStore    *self,
               Connection *conn,
               gpointer    data,
               GError    **error)
{
  NcStoredCall *call = data;
  sqlite3_stmt *stmt;

  /* What is not given is kept as it was. */
  stmt = prepare (self, conn,
                  "INSERT INTO calls (pbx_call_id, client_id, match_rule, record_link, record_expires) "
                  "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (pbx_call_id) DO UPDATE SET "
                  "client_id = COALESCE (excluded.client_id, client_id), "
                  "match_rule = COALESCE (excluded.match_rule, match_rule), "
                  "record_link = COALESCE (excluded.record_link, record_link), "
                  "record_expires = COALESCE (excluded.record_expires, record_expires)", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, call->pbx_call_id);
  if (call->client_id != 0)
    sqlite3_bind_int64 (stmt, 2, call->client_id);
  else
    sqlite3_bind_null (stmt, 2);
  bind_text (stmt, 3, call->match_rule);
  bind_text (stmt, 4, call->record_link);
  bind_text (stmt, 5, call->record_expires);
  return step_done (self, conn, stmt, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static NcStoredCall *
stored_call_copy (const NcStoredCall *call)
{
  NcStoredCall *copy = g_new0 (NcStoredCall, 1);

  copy->pbx_call_id = g_strdup (call->pbx_call_id);
  copy->client_id = call->client_id;
  copy->match_rule = g_strdup (call->match_rule);
  copy->record_link = g_strdup (call->record_link);
  copy->record_expires = g_strdup (call->record_expires);
  return copy;
}

/**
 * nc_store_save_call_sync:
 * @call: the call's client, or its recording; %NULL or 0 members keep what is stored
 */
gboolean
nc_store_save_call_sync (NcStore             *self,
                         const NcStoredCall  *call,
                         GError             **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), FALSE);
  g_return_val_if_fail (call != NULL && call->pbx_call_id != NULL, FALSE);

  return submit_sync (self, &self->writer,
                      job_new (save_call_job, stored_call_copy (call),
                               (GDestroyNotify) nc_stored_call_free, NULL),
                      error) != NULL;
}

void
nc_store_save_call_async (NcStore             *self,
                          const NcStoredCall  *call,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));
  g_return_if_fail (call != NULL && call->pbx_call_id != NULL);

  submit_async (self, &self->writer,
                job_new (save_call_job, stored_call_copy (call),
                         (GDestroyNotify) nc_stored_call_free, NULL),
                nc_store_save_call_async, cancellable, callback, user_data);
}

gboolean
nc_store_save_call_finish (NcStore       *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

static gpointer
list_calls_job (NcStore    *self,
                Connection *conn,
                gpointer    data,
                GError    **error)
{
  g_autoptr(GPtrArray) calls = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_stored_call_free);
  sqlite3_stmt *stmt = prepare (self, conn,
                                "SELECT pbx_call_id, client_id, match_rule, record_link, "
                                "record_expires FROM calls ORDER BY pbx_call_id", error);

  if (stmt == NULL)
    return NULL;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      NcStoredCall *call = g_new0 (NcStoredCall, 1);

      call->pbx_call_id = g_strdup (column_text (stmt, 0));
      call->client_id = sqlite3_column_int64 (stmt, 1);
      call->match_rule = g_strdup (column_text (stmt, 2));
      call->record_link = g_strdup (column_text (stmt, 3));
      call->record_expires = g_strdup (column_text (stmt, 4));
      g_ptr_array_add (calls, call);
    }
  sqlite3_reset (stmt);
  return g_steal_pointer (&calls);
}

/**
 * nc_store_list_calls_sync:
 *
 * Returns: (transfer full) (element-type NcStoredCall): what is stored of the calls
 */
GPtrArray *
nc_store_list_calls_sync (NcStore  *self,
                          GError  **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  return submit_sync (self, &self->reader,
                      job_new (list_calls_job, NULL, NULL, (GDestroyNotify) g_ptr_array_unref),
                      error);
}

/* ------------------------------------------------------------------------------------ */
/* The request budget                                                                   */

typedef struct
{
  char  *bucket;
  guint  limit;
  guint  window_seconds;
  gint64 now_us;
} Budget;

static void
budget_free (Budget *budget)
{
  g_free (budget->bucket);
  g_free (budget);
}

static gpointer
budget_take_job (NcStore    *self,
                 Connection *conn,
                 gpointer    data,
                 GError    **error)
{
  Budget *budget = data;
  gint64 window_us = (gint64) budget->window_seconds * G_USEC_PER_SEC;
  gint64 oldest = 0;
  gint64 count = 0;
  guint *wait = g_new0 (guint, 1);
  sqlite3_stmt *stmt;

  stmt = prepare (self, conn, "DELETE FROM request_budget WHERE bucket = ?1 AND taken_at <= ?2",
                  error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, budget->bucket);
  sqlite3_bind_int64 (stmt, 2, budget->now_us - window_us);
  if (!step_done (self, conn, stmt, error))
    goto fail;

  stmt = prepare (self, conn,
                  "SELECT count(*), min(taken_at) FROM request_budget WHERE bucket = ?1", error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, budget->bucket);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      count = sqlite3_column_int64 (stmt, 0);
      oldest = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);

  if (count >= budget->limit)
    {
      gint64 free_at = oldest + window_us;

      *wait = (guint) MAX (1, (free_at - budget->now_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
      return wait;
    }

  stmt = prepare (self, conn, "INSERT INTO request_budget (bucket, taken_at) VALUES (?1, ?2)",
                  error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, budget->bucket);
  sqlite3_bind_int64 (stmt, 2, budget->now_us);
  if (!step_done (self, conn, stmt, error))
    goto fail;

  return wait;

fail:
  g_free (wait);
  return NULL;
}

static Job *
budget_job_new (const char *bucket,
                guint       limit,
                guint       window_seconds)
{
  Budget *budget = g_new0 (Budget, 1);

  budget->bucket = g_strdup (bucket);
  budget->limit = limit;
  budget->window_seconds = window_seconds;
  budget->now_us = g_get_real_time ();
  return job_new (budget_take_job, budget, (GDestroyNotify) budget_free, g_free);
}

/**
 * nc_store_budget_take_sync:
 * @wait_seconds: (out): 0 when a request was granted; else how long until one is
 *
 * Takes one request from @bucket's budget of @limit per @window_seconds, if there is one
 * left. The budget lives in the database, so every process on it shares it.
 *
 * Returns: %FALSE only on error
 */
gboolean
nc_store_budget_take_sync (NcStore     *self,
                           const char  *bucket,
                           guint        limit,
                           guint        window_seconds,
                           guint       *wait_seconds,
                           GError     **error)
{
  g_autofree guint *wait = NULL;

  g_return_val_if_fail (NC_IS_STORE (self), FALSE);

  wait = submit_sync (self, &self->writer, budget_job_new (bucket, limit, window_seconds), error);
  if (wait == NULL)
    return FALSE;
  *wait_seconds = *wait;
  return TRUE;
}

void
nc_store_budget_take_async (NcStore             *self,
                            const char          *bucket,
                            guint                limit,
                            guint                window_seconds,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));

  submit_async (self, &self->writer, budget_job_new (bucket, limit, window_seconds),
                nc_store_budget_take_async, cancellable, callback, user_data);
}

gboolean
nc_store_budget_take_finish (NcStore       *self,
                             GAsyncResult  *result,
                             guint         *wait_seconds,
                             GError       **error)
{
  g_autofree guint *wait = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  wait = g_task_propagate_pointer (G_TASK (result), error);
  if (wait == NULL)
    return FALSE;
  *wait_seconds = *wait;
  return TRUE;
}
