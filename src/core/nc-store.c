/* nc-store.c — the project's data: clients, employees, messengers, calls, events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * All writes run on one writer thread, which takes whatever jobs have queued up and runs
 * them in one transaction (group commit: one fsync for many webhook events), each job in
 * a savepoint of its own so that one failing job does not undo the others; a job is
 * answered only after COMMIT returned, and what the batch changed is announced (the
 * `changed` signal) only then. Reads run on a reader thread with a connection of their
 * own. The caller's main context never waits on the database: the _async functions answer
 * there, and the _sync ones are for the command line and the tests.
 *
 * This file is the object, its threads and its jobs; nc-store-open.c opens it (a data
 * folder's file or an office's database) and follows a database server's change feed.
 * The jobs are in one file per concern (nc-store-clients.c, -search.c, -employees.c,
 * -calls.c, -recordings.c, -callbacks.c, -journal.c, -budget.c, -schema.c), written once
 * against the statement API of nc-store-private.h (nc-store-statement.c); what only one
 * database understands is its backend (nc-store-sqlite.c, nc-store-postgres.c).
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-store-private.h"

#define DEFAULT_BUSY_TIMEOUT_MS 5000
#define MAX_BATCH 1024

enum
{
  CHANGED,
  FEED,
  N_SIGNALS
};

enum
{
  PROP_0,
  PROP_PROBLEM,
  N_PROPS
};

static guint signals[N_SIGNALS];
static GParamSpec *properties[N_PROPS];

struct _NcStoreJob
{
  NcStoreJobFunc  func;
  gpointer        data;
  GDestroyNotify  data_destroy;
  GDestroyNotify  result_destroy;
  GTask          *task;
  gboolean        light;      /* needs no durable COMMIT of its own */
  /* A synchronous caller waits on these. */
  GMutex          mutex;
  GCond           cond;
  gboolean        done;
  gpointer        result;
  GError         *error;
};

/* The request budget: nc-store-budget.c. */
G_DEFINE_FINAL_TYPE_WITH_CODE (NcStore, nc_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (NC_TYPE_REQUEST_BUDGET,
                                                      nc_store_request_budget_init))

G_DEFINE_ENUM_TYPE (NcStoreChange, nc_store_change,
                    G_DEFINE_ENUM_VALUE (NC_STORE_CHANGE_CLIENTS, "clients"),
                    G_DEFINE_ENUM_VALUE (NC_STORE_CHANGE_EMPLOYEES, "employees"),
                    G_DEFINE_ENUM_VALUE (NC_STORE_CHANGE_MESSENGERS, "messengers"),
                    G_DEFINE_ENUM_VALUE (NC_STORE_CHANGE_CALLS, "calls"),
                    G_DEFINE_ENUM_VALUE (NC_STORE_CHANGE_MISSED, "missed"))

G_DEFINE_QUARK (nc-store-error-quark, nc_store_error)

/* A job that only tells the worker to stop. */
static NcStoreJob stop_job;

/* ------------------------------------------------------------------------------------ */
/* Jobs and workers                                                                     */

static void
job_free (NcStoreJob *job)
{
  if (job->data_destroy != NULL && job->data != NULL)
    job->data_destroy (job->data);
  g_clear_object (&job->task);
  g_mutex_clear (&job->mutex);
  g_cond_clear (&job->cond);
  g_free (job);
}

NcStoreJob *
nc_store_job_new (NcStoreJobFunc func,
                  gpointer       data,
                  GDestroyNotify data_destroy,
                  GDestroyNotify result_destroy)
{
  NcStoreJob *job = g_new0 (NcStoreJob, 1);

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

/* The task may hold the last reference to the store, and a store must never be finalized
 * on its own worker thread, which would then wait for itself: the worker lets go of a task
 * in an idle on the task's context. (g_main_context_invoke() would run it right here when
 * that context is the global default one and nobody is iterating it.) */
static void
release_task (GTask *task)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, "[nc-store] release task");
  g_source_set_callback (source, unref_task, task, NULL);
  g_source_attach (source, g_task_get_context (task));
}

/* Hands the outcome to whoever waits: the task's own context, or a synchronous caller. */
static void
job_complete (NcStoreJob *job,
              gpointer    result,
              GError     *error)
{
  if (job->task != NULL)
    {
      GTask *task = g_steal_pointer (&job->task);

      if (error != NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, result, job->result_destroy);
      job_free (job);
      release_task (task);
      return;
    }

  g_mutex_lock (&job->mutex);
  job->result = result;
  job->error = error;
  job->done = TRUE;
  g_cond_signal (&job->cond);
  g_mutex_unlock (&job->mutex);
}

/* Runs one job in a savepoint of the batch's transaction. FALSE when the transaction can
 * no longer be trusted (@batch_error says why): then the whole batch goes. */
static gboolean
run_in_savepoint (NcStoreConnection  *conn,
                  NcStoreJob         *job,
                  gpointer           *result,
                  GError            **job_error,
                  GError            **batch_error)
{
  const NcStoreBackend *backend = conn->backend;

  /* Without its savepoint a job does not run: what it wrote could not be taken back. */
  if (!backend->transaction (conn, NC_STORE_SAVEPOINT, job_error))
    return TRUE;

  nc_store_marks_clear (conn->marks);
  g_array_set_size (conn->changed_calls, 0);
  *result = job->func (conn, job->data, job_error);
  /* What the job changed goes into the log with it, or neither does. */
  if (*job_error == NULL && !nc_store_log_marks (conn, job_error))
    {
      if (*result != NULL && job->result_destroy != NULL)
        job->result_destroy (*result);
      *result = NULL;
    }

  if (*job_error != NULL && !backend->transaction (conn, NC_STORE_ROLLBACK_TO, NULL))
    {
      /* The database took back more than the job (SQLite does on a full disk): the others
       * lost their writes for the same reason. */
      g_propagate_error (batch_error, g_error_copy (*job_error));
      return FALSE;
    }
  return backend->transaction (conn, NC_STORE_RELEASE, batch_error);
}

static void
run_batch (NcStoreThread    *worker,
           GPtrArray *batch)
{
  NcStoreConnection *conn = worker->conn;
  const NcStoreBackend *backend = conn->backend;
  g_autofree gpointer *results = g_new0 (gpointer, batch->len);
  g_autofree GError **errors = g_new0 (GError *, batch->len);
  /* Fails every job that did not fail on its own: BEGIN, COMMIT, a broken savepoint. */
  g_autoptr(GError) batch_error = NULL;
  gint64 marks[NC_STORE_N_CHANGES];
  gboolean light = TRUE;

  nc_store_marks_clear (marks);

  /* A batch of light jobs only (an import's chunks) commits without waiting for the disk;
   * one that holds any other job (a webhook event, answered after COMMIT) waits. */
  for (guint i = 0; i < batch->len; i++)
    light &= ((NcStoreJob *) batch->pdata[i])->light;

  /* A database server's connection that was lost is made again first. */
  if ((backend->reconnect != NULL && !backend->reconnect (conn, &batch_error)) ||
      (worker->transactional && backend->set_durable != NULL &&
       !backend->set_durable (conn, !light, &batch_error)) ||
      (worker->transactional && !backend->transaction (conn, NC_STORE_BEGIN, &batch_error)))
    {
      for (guint i = 0; i < batch->len; i++)
        job_complete (batch->pdata[i], NULL, g_error_copy (batch_error));
      return;
    }

  for (guint i = 0; i < batch->len; i++)
    {
      NcStoreJob *job = batch->pdata[i];

      if (job->task != NULL && g_task_return_error_if_cancelled (job->task))
        {
          release_task (g_steal_pointer (&job->task));
          batch->pdata[i] = NULL;
          job_free (job);
          continue;
        }

      if (!worker->transactional)
        results[i] = job->func (conn, job->data, &errors[i]);
      else if (batch_error == NULL &&
               run_in_savepoint (conn, job, &results[i], &errors[i], &batch_error) &&
               errors[i] == NULL)
        nc_store_marks_merge (marks, conn->marks);
    }

  if (worker->transactional)
    {
      if (batch_error == NULL)
        backend->transaction (conn, NC_STORE_COMMIT, &batch_error);
      if (batch_error != NULL)
        backend->transaction (conn, NC_STORE_ROLLBACK, NULL);
      else
        nc_store_dispatch_changes (worker->store, marks);
    }

  for (guint i = 0; i < batch->len; i++)
    {
      NcStoreJob *job = batch->pdata[i];

      if (job == NULL)
        continue;

      if (batch_error != NULL && errors[i] == NULL)
        {
          if (results[i] != NULL && job->result_destroy != NULL)
            job->result_destroy (results[i]);
          job_complete (job, NULL, g_error_copy (batch_error));
        }
      else
        job_complete (job, errors[i] == NULL ? results[i] : NULL, errors[i]);
    }
}

static gpointer
worker_main (gpointer user_data)
{
  NcStoreThread *worker = user_data;
  gboolean stopping = FALSE;
  /* The last batch put off light jobs: this one is theirs. */
  gboolean defer_light = FALSE;

  while (!stopping)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new ();
      NcStoreJob *job = g_async_queue_pop (worker->queue);

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

      /* Light jobs (an import's chunks) and the others (a webhook event, answered after
       * its batch's COMMIT) go in batches of their own, in turns: an event waits for the
       * chunk that ran when it came, not for the one queued before it too, and an import
       * is not starved by a stream of events. */
      if (worker->transactional && !stopping)
        {
          g_autoptr(GPtrArray) later = g_ptr_array_new ();
          gboolean run_light = defer_light;
          guint kept = 0;

          for (guint i = 0; i < batch->len; i++)
            if (((NcStoreJob *) batch->pdata[i])->light == run_light)
              batch->pdata[kept++] = batch->pdata[i];
            else
              g_ptr_array_add (later, batch->pdata[i]);
          if (kept > 0 && later->len > 0)
            {
              g_ptr_array_set_size (batch, kept);
              for (guint i = later->len; i-- > 0;)
                g_async_queue_push_front (worker->queue, later->pdata[i]);
              defer_light = !run_light;
            }
          else
            defer_light = FALSE;
        }

      /* The jobs put back wait still; those about to run no longer do. */
      for (guint i = 0; i < batch->len; i++)
        if (!((NcStoreJob *) batch->pdata[i])->light)
          g_atomic_int_add (&worker->waiting, -1);
      run_batch (worker, batch);
    }

  return NULL;
}

static NcStoreThread *
get_worker (NcStore       *self,
            NcStoreWorker  worker)
{
  return worker == NC_STORE_WRITER ? &self->writer : &self->reader;
}

/* Queues @job, unless the worker was stopped. Threads of their own (the call service's,
 * the gap repair's) submit while the main context closes the store: the check and the
 * push are one step under the lock that worker_stop() takes, so that no job lands behind
 * the stop job (never run, its caller waiting for ever) or in a queue already freed. */
static gboolean
worker_push (NcStoreThread *worker,
             NcStoreJob *job)
{
  gboolean running;

  g_mutex_lock (&worker->lock);
  running = worker->thread != NULL;
  if (running)
    {
      if (!job->light)
        g_atomic_int_inc (&worker->waiting);
      g_async_queue_push (worker->queue, job);
    }
  g_mutex_unlock (&worker->lock);
  return running;
}

void
nc_store_submit_async (NcStore             *self,
                       NcStoreWorker        which,
                       NcStoreJob          *job,
                       gpointer             source_tag,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  NcStoreThread *worker = get_worker (self, which);

  job->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, source_tag);

  if (!worker_push (worker, job))
    {
      g_task_return_new_error (job->task, NC_STORE_ERROR, NC_STORE_ERROR_FAILED,
                               _("The data store is closed"));
      job_free (job);
    }
}

/* A synchronous read runs on the caller's own thread, on a pooled read-only connection:
 * the caller waits anyway, and a hop to the reader thread and back would cost more than
 * an index lookup. (The main context never reads synchronously: it uses the _async API.) */
static gpointer
read_sync (NcStore     *self,
           NcStoreJob  *job,
           GError     **error)
{
  NcStoreConnection *conn = NULL;
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
    conn = nc_store_connection_open (self->backend, self->location, TRUE, self->busy_timeout_ms,
                                     error);
  else if (self->backend->reconnect != NULL && !self->backend->reconnect (conn, error))
    g_clear_pointer (&conn, nc_store_connection_free);
  if (conn == NULL)
    {
      job_free (job);
      return NULL;
    }

  result = job->func (conn, job->data, error);
  job_free (job);

  g_mutex_lock (&self->pool_mutex);
  if (self->closed)
    nc_store_connection_free (conn);
  else
    g_ptr_array_add (self->read_pool, conn);
  g_mutex_unlock (&self->pool_mutex);

  return result;
}

gpointer
nc_store_submit_sync (NcStore        *self,
                      NcStoreWorker   which,
                      NcStoreJob     *job,
                      GError        **error)
{
  if (which == NC_STORE_READER)
    return read_sync (self, job, error);

  if (!nc_store_submit_start (self, job, error))
    return NULL;
  return nc_store_job_wait (job, error);
}

/* Marks @job as one whose COMMIT need not wait for the disk: nobody is answered for it
 * but its submitter, who makes it durable later (an import's chunks, before its end). */
void
nc_store_job_set_light (NcStoreJob *job)
{
  job->light = TRUE;
}

/* Whether a job that is not light (a webhook event, a click) waits behind the one that
 * runs on @conn, the writer's connection: a light job that can stop early and finish in a
 * job after it (an import's chunk) asks this between two of its rows. */
gboolean
nc_store_others_waiting (NcStoreConnection *conn)
{
  return conn->waiting != NULL && g_atomic_int_get (conn->waiting) > 0;
}

/* The first half of a synchronous write: the job is queued, and the caller may do other
 * work before it waits for it (nc_store_job_wait()). %FALSE: the store is closed, and the
 * job is freed. */
gboolean
nc_store_submit_start (NcStore     *self,
                       NcStoreJob  *job,
                       GError     **error)
{
  if (!worker_push (&self->writer, job))
    {
      g_set_error_literal (error, NC_STORE_ERROR, NC_STORE_ERROR_FAILED,
                           _("The data store is closed"));
      job_free (job);
      return FALSE;
    }
  return TRUE;
}

/* Waits for a job of nc_store_submit_start(), and frees it. */
gpointer
nc_store_job_wait (NcStoreJob  *job,
                   GError     **error)
{
  gpointer result;

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

static void
worker_start (NcStore           *self,
              NcStoreThread            *worker,
              NcStoreConnection *conn,
              const char        *name,
              gboolean           transactional)
{
  worker->store = self;
  worker->conn = conn;
  worker->transactional = transactional;
  worker->queue = g_async_queue_new ();
  worker->thread = g_thread_new (name, worker_main, worker);
}

static void
worker_stop (NcStoreThread *worker)
{
  GThread *thread;

  /* The stop job goes last: what was queued before it still runs. */
  g_mutex_lock (&worker->lock);
  thread = g_steal_pointer (&worker->thread);
  if (thread != NULL)
    g_async_queue_push (worker->queue, &stop_job);
  g_mutex_unlock (&worker->lock);
  if (thread != NULL)
    g_thread_join (thread);
  g_clear_pointer (&worker->queue, g_async_queue_unref);
  g_clear_pointer (&worker->conn, nc_store_connection_free);
}

/* @writer, @reader: (transfer full): the connections the threads work on, the schema
 * checked and upgraded already */
void
nc_store_start_workers (NcStore           *self,
                        NcStoreConnection *writer,
                        NcStoreConnection *reader)
{
  writer->waiting = &self->writer.waiting;
  worker_start (self, &self->writer, writer, "nc-store-writer", TRUE);
  worker_start (self, &self->reader, reader, "nc-store-reader", FALSE);
}

/* ------------------------------------------------------------------------------------ */
/* What nc-store-open.c tells of the change feed                                        */

/* Stops following the change feed, if there is one, and trying to reopen it. */
void
nc_store_drop_feed (NcStore *self)
{
  if (self->feed_source != NULL)
    {
      g_source_destroy (self->feed_source);
      g_clear_pointer (&self->feed_source, g_source_unref);
    }
  if (self->feed != NULL)
    self->backend->feed_close (g_steal_pointer (&self->feed));
  g_clear_handle_id (&self->feed_retry, g_source_remove);
}

void
nc_store_set_problem (NcStore    *self,
                      const char *problem)
{
  if (g_strcmp0 (self->problem, problem) == 0)
    return;
  g_free (self->problem);
  self->problem = g_strdup (problem);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
}

/* The change log has more to read (NcStore::feed). */
void
nc_store_emit_feed (NcStore *self)
{
  g_signal_emit (self, signals[FEED], 0);
}

/* ------------------------------------------------------------------------------------ */
/* GObject                                                                               */

static void
nc_store_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  NcStore *self = NC_STORE (object);

  switch (prop_id)
    {
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

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
  if (self->location != NULL)
    memset (self->location, 0, strlen (self->location));
  g_free (self->location);
  g_free (self->problem);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->read_pool, g_ptr_array_unref);
  g_mutex_clear (&self->pool_mutex);
  g_mutex_clear (&self->writer.lock);
  g_mutex_clear (&self->reader.lock);

  G_OBJECT_CLASS (nc_store_parent_class)->finalize (object);
}

static void
nc_store_class_init (NcStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nc_store_dispose;
  object_class->finalize = nc_store_finalize;

  /**
   * NcStore::changed:
   * @kind: what changed
   * @id: the row's id when one row changed, 0 when several did or it is not known
   *
   * See nc-store.h.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                   NC_TYPE_STORE_CHANGE, G_TYPE_INT64);
  /**
   * NcStore::feed:
   *
   * A database server said that something changed, in this process or another (or the
   * connection that hears it came back): the change log has more to read.
   */
  signals[FEED] = g_signal_new ("feed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                NULL, NULL, G_TYPE_NONE, 0);

  properties[PROP_PROBLEM] = g_param_spec_string ("problem", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                  G_PARAM_STATIC_STRINGS);
  object_class->get_property = nc_store_get_property;
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nc_store_init (NcStore *self)
{
  const char *timeout = g_getenv ("NC_STORE_BUSY_TIMEOUT_MS");

  g_mutex_init (&self->pool_mutex);
  g_mutex_init (&self->writer.lock);
  g_mutex_init (&self->reader.lock);
  self->read_pool = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_store_connection_free);
  self->origin = (((gint64) g_random_int () << 20) ^ g_random_int ()) | 1;

  /* The environment shortens the wait for the tests of a locked database. */
  self->busy_timeout_ms = timeout != NULL ? (guint) g_ascii_strtoull (timeout, NULL, 10)
                                          : DEFAULT_BUSY_TIMEOUT_MS;
}

/**
 * nc_store_get_found_version:
 *
 * Returns: the version of the data when this store opened it, before any upgrade (0: the
 *   database was empty)
 */
int
nc_store_get_found_version (NcStore *self)
{
  g_return_val_if_fail (NC_IS_STORE (self), 0);
  return self->found_version;
}

/**
 * nc_store_get_server_version:
 *
 * Returns: (transfer full) (nullable): the database server, for people (PostgreSQL 15.4),
 *   or %NULL for an embedded database
 */
char *
nc_store_get_server_version (NcStore *self)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);
  if (self->backend->server_version == NULL || self->writer.conn == NULL)
    return NULL;
  return self->backend->server_version (self->writer.conn);
}

/**
 * nc_store_has_feed:
 *
 * Returns: whether the database tells this store of every change as it is committed (a
 *   database server): its readers then need not look at the change log on their own
 */
gboolean
nc_store_has_feed (NcStore *self)
{
  g_return_val_if_fail (NC_IS_STORE (self), FALSE);
  return self->backend != NULL && self->backend->feed_open != NULL;
}

/**
 * nc_store_get_problem:
 *
 * Returns: (nullable): why the store cannot hear of changes now (the connection to the
 *   database server is lost), for people; %NULL when all is well
 */
const char *
nc_store_get_problem (NcStore *self)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);
  return self->problem;
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
  if (self->writer.conn != NULL)
    self->backend->set_busy_timeout (self->writer.conn, milliseconds);
  if (self->reader.conn != NULL)
    self->backend->set_busy_timeout (self->reader.conn, milliseconds);
  g_mutex_lock (&self->pool_mutex);
  for (guint i = 0; i < self->read_pool->len; i++)
    self->backend->set_busy_timeout (self->read_pool->pdata[i], milliseconds);
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

  nc_store_drop_feed (self);
  worker_stop (&self->reader);

  g_mutex_lock (&self->pool_mutex);
  self->closed = TRUE;
  g_ptr_array_set_size (self->read_pool, 0);
  g_mutex_unlock (&self->pool_mutex);

  /* The writer closes last: SQLite checkpoints the WAL into the file and removes it only
   * when the last connection to close is one that can write, and the next open would
   * read all of it again. (Whatever was queued to it before still runs.) */
  worker_stop (&self->writer);
}

gboolean
nc_store_write_finish (NcStore       *self,
                       GAsyncResult  *result,
                       gpointer       source_tag,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

gpointer
nc_store_pointer_finish (NcStore       *self,
                         GAsyncResult  *result,
                         gpointer       source_tag,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gint64
nc_store_get_origin (NcStore *self)
{
  return self->origin;
}

/**
 * nc_store_emit_changed:
 *
 * Tells whoever listens to NcStore::changed that another process changed @kind (read in
 * the change log): the same signal as for this process's own writes, without an id.
 */
void
nc_store_emit_changed (NcStore       *self,
                       NcStoreChange  kind)
{
  g_return_if_fail (NC_IS_STORE (self));
  g_return_if_fail (kind < NC_STORE_N_CHANGES);

  g_signal_emit (self, signals[CHANGED], 0, kind, (gint64) 0);
}
