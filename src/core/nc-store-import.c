/* nc-store-import.c — an import of many clients, written in chunks, shown whole or never
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One transaction for a million clients would hold the writer (and, on SQLite, the
 * database's only write lock, which `listen` in another process needs) for as long as the
 * import takes: every webhook event would wait behind it. So an import is a row in the
 * table imports and a series of jobs on the writer, a chunk of clients each, each in its
 * own transaction; whatever else is queued (a webhook event, a click) runs between two
 * chunks. The clients carry the import's id, and every reader passes over the clients of
 * an import whose row is still there (NC_STORE_CLIENT_SHOWN): nothing of the import is
 * seen, searched or matched to a caller until its last job deletes the row, and then all
 * of it is, at one COMMIT. An import that fails or is cancelled deletes its clients, a
 * chunk a job, and then its row. One whose process died (its row names the host and the
 * process) is deleted so by the next import on the same host.
 *
 * The writer of the next chunk is never more than one chunk behind the reader of the
 * file: the caller prepares a chunk while the writer writes the one before, and memory
 * stays that of two chunks, whatever the file's size.
 *
 * Each COMMIT costs the import (SQLite's search index writes a segment of its own at each,
 * and merges them later), so chunks are long (LONG_CHUNK_US) unless someone waits: a job
 * of this process queued meanwhile stops a chunk once it has run SLICE_US, and the rest of
 * the chunk is written by the next job, after that one; another process's writes, which
 * the chunk cannot see waiting, are seen after the fact (SQLite's data_version), and the
 * chunks stay short (CHUNK_US) while they go on.
 *
 * SQLite's search index would merge its parts inside whichever COMMIT wrote enough (20 to
 * 30 ms, and more as the index grows), and an event queued behind that chunk waited for
 * it: while an import writes, the index does not merge by itself, and the chunks merge it
 * a step at a time (merge_search()), as much as SQLite would have, yielding between steps
 * as between clients. The last import to end gives the merging back to the index.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "nc-store-private.h"

/* The clients a job deletes of an import that is undone. */
#define DELETE_CHUNK 2000
/* How long a chunk holds the writer (and SQLite's write lock), its COMMIT included, while
 * another process wrote to the database lately (within QUIET_US): an event of `listen`
 * beside a command-line import waits about as long. The chunk's size follows from how long
 * the last ones took. */
#define CHUNK_US 15000
#define QUIET_US (5 * G_USEC_PER_SEC)
/* How long a chunk may take when no other process wrote lately. Each COMMIT of the
 * import costs (SQLite's search index writes a segment at each and merges them), so
 * fewer, longer chunks make the import faster; in this process, a job that comes meanwhile
 * (a webhook event) stops the chunk once it has run SLICE_US (chunk_job()). */
#define LONG_CHUNK_US 250000
#define SLICE_US 8000
#define MIN_CHUNK 32
#define MAX_CHUNK 16384
/* A step of the search index's merges (SQLite's FTS5 pages, about 4 KB each): 3-8 ms. */
#define MERGE_PAGES 64
/* Between two chunks on a database file, the writer lets go of it this long, so that
 * `listen` in another process, which tries every millisecond (nc-store-sqlite.c), gets it. */
#define GAP_US 1500

struct _NcStoreImport
{
  NcStore    *store;
  gint64      id;
  gint64      first_client;  /* the smallest id of a client written, 0: none yet */
  NcStoreJob *pending;       /* the chunk the writer has, if any */
  struct _Step *step;        /* its drafts, and how many of them are written */
  guint       pending_from;  /* the first draft of step that the job has to write */
  guint       count;         /* the clients of the chunks written and waited for */
  gint64      pending_since; /* when it was handed over */
  double      us_per_client; /* a running estimate, 0: none yet */
  gint64      data_version;  /* SQLite's, at the last chunk's start: others' commits */
  gint64      others_seen;   /* when the last chunk found that another process wrote */
  gboolean    finished;
};

static char *
owner_name (void)
{
  return g_strdup_printf ("%s %d", g_get_host_name (), (int) getpid ());
}

/* Whether @owner, a process of this host, is gone: its import will never end. */
static gboolean
owner_is_gone (const char *owner)
{
  g_autofree char *host = g_strdup (owner);
  char *space = strrchr (host, ' ');
  char *end = NULL;
  long pid;

  if (space == NULL)
    return FALSE;
  *space = '\0';
  if (!g_str_equal (host, g_get_host_name ()))
    return FALSE;
  pid = strtol (space + 1, &end, 10);
  if (end == space + 1 || *end != '\0' || pid <= 0)
    return FALSE;
  return kill ((pid_t) pid, 0) != 0 && errno == ESRCH;
}

/* ------------------------------------------------------------------------------------ */
/* Jobs on the writer                                                                   */

typedef struct _Step
{
  gint64  import_id;
  gint64  after_id;      /* undoing: the clients after this id */
  gint64 *first_client;  /* writing: where the smallest id goes */
  GPtrArray *drafts;
  guint   next;          /* writing: the first draft not written yet */
  gint64 *data_version;  /* writing: the database's, as the chunk before saw it */
  gboolean others;       /* writing: another process wrote since the chunk before */
  gboolean merged;       /* writing: the search index merged after the chunk's clients */
  gint64   budget_us;    /* writing: how long a job of the chunk may hold the writer */
  char   *owner;
} Step;

static void
step_free (Step *step)
{
  g_clear_pointer (&step->drafts, g_ptr_array_unref);
  g_free (step->owner);
  g_free (step);
}

static gpointer
begin_job (NcStoreConnection  *conn,
           gpointer            data,
           GError            **error)
{
  Step *step = data;
  NcStoreStmt *stmt;
  gint64 id;

  stmt = nc_store_prepare (conn, "INSERT INTO imports (started_us, owner) VALUES (?1, ?2) "
                           "RETURNING id", error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, g_get_real_time ());
  nc_store_bind_text (stmt, 2, step->owner);
  if (!nc_store_step_id (stmt, &id, error))
    return NULL;
  step->import_id = id;
  /* The chunks merge the search index themselves (chunk_job()). */
  if (conn->backend->set_search_merging != NULL &&
      !conn->backend->set_search_merging (conn, FALSE, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

/* The search index merges by itself again once no import writes (this one's row just
 * deleted, in the same transaction). */
static gboolean
merge_search_again (NcStoreConnection  *conn,
                    GError            **error)
{
  NcStoreStmt *stmt;
  gint64 imports;

  if (conn->backend->set_search_merging == NULL)
    return TRUE;
  stmt = nc_store_prepare (conn, "SELECT count (*) FROM imports", error);
  if (stmt == NULL || !nc_store_step_count (stmt, &imports, error))
    return FALSE;
  return imports > 0 || conn->backend->set_search_merging (conn, TRUE, error);
}

/* A new client of the import: its row, its variables and its indexes, with none of the
 * look-ups and deletions that an edit of a client needs. */
static gboolean
insert_client (NcStoreConnection  *conn,
               gint64              import_id,
               NcClient           *draft,
               gint64              created,
               gint64             *out_id,
               GError            **error)
{
  NcStoreStmt *stmt;
  gint64 id;

  stmt = nc_store_prepare (conn,
                           "INSERT INTO clients (name, channel, phone, created, import_id) "
                           "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_text (stmt, 1, nc_client_get_name (draft));
  nc_store_bind_text (stmt, 2, nc_channel_to_string (nc_client_get_channel (draft)));
  nc_store_bind_text (stmt, 3, nc_client_get_phone (draft));
  nc_store_bind_int64 (stmt, 4, nc_client_get_created (draft) != 0 ? nc_client_get_created (draft)
                                                                   : created);
  nc_store_bind_int64 (stmt, 5, import_id);
  if (!nc_store_step_id (stmt, &id, error))
    return FALSE;

  if (!nc_store_insert_variables (conn, id, nc_client_get_variables (draft), error) ||
      !nc_store_index_new_client (conn, id, draft, error))
    return FALSE;
  *out_id = id;
  return TRUE;
}

/* The search index's merges that the import's writes call for (begin_job() turned its
 * own off), a step of MERGE_PAGES at a time, while there is any, until a job that came
 * meanwhile has waited @slice_us since @began, and no longer than @limit_us of the chunk's
 * budget (another process, which cannot be seen waiting, waits for the database): an
 * event waits for one step, never for the merge of a whole level inside a COMMIT. */
static gboolean
merge_search (NcStoreConnection  *conn,
              Step               *step,
              gint64              began,
              gint64              limit_us,
              gint64              slice_us,
              GError            **error)
{
  step->merged = conn->backend->merge_search == NULL;
  while (!step->merged)
    {
      gboolean merged = FALSE;
      gint64 ran = g_get_monotonic_time () - began;

      if (ran >= limit_us || (nc_store_others_waiting (conn) && ran >= slice_us))
        return TRUE;
      if (!conn->backend->merge_search (conn, MERGE_PAGES, &merged, error))
        return FALSE;
      step->merged = !merged;
    }
  return TRUE;
}

static gpointer
chunk_job (NcStoreConnection  *conn,
           gpointer            data,
           GError            **error)
{
  Step *step = data;
  gint64 created = g_get_real_time () / G_USEC_PER_SEC;
  gint64 began = g_get_monotonic_time ();
  guint i;

  if (conn->backend->data_version != NULL)
    {
      gint64 version;

      if (!conn->backend->data_version (conn, &version, error))
        return NULL;
      step->others = *step->data_version != 0 && version != *step->data_version;
      *step->data_version = version;
    }

  /* What the slices before called for first (a step at least), for half the time the
   * chunk may take, so that the index's parts never pile up while a stream of events keeps
   * the chunk in slices. */
  if (!merge_search (conn, step, began, step->budget_us / 2, SLICE_US / 2, error))
    return NULL;

  for (i = step->next; i < step->drafts->len; i++)
    {
      gint64 id;

      /* A webhook event (or a click) queued meanwhile runs as soon as this chunk has had a
       * fair turn: the rest of it is written by a job after the event's. */
      if (i > step->next && nc_store_others_waiting (conn) &&
          g_get_monotonic_time () - began >= SLICE_US)
        break;
      if (!insert_client (conn, step->import_id, step->drafts->pdata[i], created, &id, error))
        return NULL;
      if (*step->first_client == 0 || id < *step->first_client)
        *step->first_client = id;
    }
  step->next = i;
  if (i < step->drafts->len)
    return GINT_TO_POINTER (TRUE);
  /* The merges that the chunk's last clients call for; the rest by the next job. */
  if (!merge_search (conn, step, began, step->budget_us, SLICE_US, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static gpointer
finish_job (NcStoreConnection  *conn,
            gpointer            data,
            GError            **error)
{
  Step *step = data;
  NcStoreStmt *stmt;

  stmt = nc_store_prepare (conn, "DELETE FROM imports WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, step->import_id);
  if (!nc_store_step_done (stmt, error))
    return NULL;
  if (nc_store_changes (conn) == 0)
    {
      g_set_error_literal (error, NC_STORE_ERROR, NC_STORE_ERROR_FAILED,
                           _("The import was undone meanwhile"));
      return NULL;
    }
  if (!merge_search_again (conn, error))
    return NULL;
  /* Every client of it at once, for every window and every process. */
  nc_store_mark_changed (conn, NC_STORE_CHANGE_CLIENTS, 0);
  return GINT_TO_POINTER (TRUE);
}

/* Deletes up to DELETE_CHUNK clients of an import after step->after_id, and moves it
 * on; with none left, the import's row. Answers whether there may be more. */
static gpointer
undo_job (NcStoreConnection  *conn,
          gpointer            data,
          GError            **error)
{
  Step *step = data;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  NcStoreStmt *stmt;

  /* From the import's first client on, by the primary key: no index of import_id to keep
   * up for every client ever imported. */
  stmt = nc_store_prepare (conn,
                           "SELECT id FROM clients WHERE id > ?2 AND import_id = ?1 "
                           "ORDER BY id LIMIT " G_STRINGIFY (DELETE_CHUNK), error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, step->import_id);
  nc_store_bind_int64 (stmt, 2, step->after_id);
  if (!nc_store_collect_ids (stmt, ids, error))
    return NULL;

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);

      /* The variables and the phones go with the row (ON DELETE CASCADE). */
      if (!nc_store_unindex_client (conn, id, error))
        return NULL;
      stmt = nc_store_prepare (conn, "DELETE FROM clients WHERE id = ?1", error);
      if (stmt == NULL)
        return NULL;
      nc_store_bind_int64 (stmt, 1, id);
      if (!nc_store_step_done (stmt, error))
        return NULL;
    }
  if (ids->len > 0)
    {
      step->after_id = g_array_index (ids, gint64, ids->len - 1);
      return GINT_TO_POINTER (2);
    }

  stmt = nc_store_prepare (conn, "DELETE FROM imports WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, step->import_id);
  if (!nc_store_step_done (stmt, error) || !merge_search_again (conn, error))
    return NULL;
  return GINT_TO_POINTER (1);
}

/* Undoes import @import_id whole, a chunk a job, waiting for each. */
static gboolean
undo (NcStore  *store,
      gint64    import_id,
      gint64    first_client,
      GError  **error)
{
  gint64 after_id = first_client > 0 ? first_client - 1 : 0;

  for (;;)
    {
      Step *step = g_new0 (Step, 1);
      gpointer more;

      step->import_id = import_id;
      step->after_id = after_id;
      /* The job does not own @step: where it got to is read from it here. */
      more = nc_store_submit_sync (store, NC_STORE_WRITER,
                                   nc_store_job_new (undo_job, step, NULL, NULL), error);
      after_id = step->after_id;
      step_free (step);
      if (more == NULL)
        return FALSE;
      if (GPOINTER_TO_INT (more) == 1)
        return TRUE;
    }
}

typedef struct
{
  gint64  id;
  char   *owner;
} Found;

static gpointer
list_imports_job (NcStoreConnection  *conn,
                  gpointer            data,
                  GError            **error)
{
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (Found));
  NcStoreStmt *stmt;
  NcStoreStep step;

  stmt = nc_store_prepare (conn, "SELECT id, owner FROM imports ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  while ((step = nc_store_step (stmt, error)) == NC_STORE_STEP_ROW)
    {
      Found one = { nc_store_column_int64 (stmt, 0), g_strdup (nc_store_column_text (stmt, 1)) };

      g_array_append_val (found, one);
    }
  nc_store_reset (stmt);
  if (step == NC_STORE_STEP_ERROR)
    {
      for (guint i = 0; i < found->len; i++)
        g_free (g_array_index (found, Found, i).owner);
      return NULL;
    }
  return g_steal_pointer (&found);
}

/* The imports of processes of this host that died before their end: hidden clients that
 * no one will ever show or delete. */
static gboolean
sweep_dead_imports (NcStore  *store,
                    GError  **error)
{
  g_autoptr(GArray) found = NULL;
  gboolean ok = TRUE;

  found = nc_store_submit_sync (store, NC_STORE_READER,
                                nc_store_job_new (list_imports_job, NULL, NULL, NULL), error);
  if (found == NULL)
    return FALSE;
  for (guint i = 0; i < found->len; i++)
    {
      Found *one = &g_array_index (found, Found, i);

      if (ok && owner_is_gone (one->owner))
        {
          g_debug ("Deleting import %" G_GINT64_FORMAT " of %s, which died", one->id,
                   one->owner);
          ok = undo (store, one->id, 0, error);
        }
      g_free (one->owner);
    }
  return ok;
}

/* ------------------------------------------------------------------------------------ */
/* The caller's side: a thread that may wait (the command line, an import's thread)      */

/**
 * nc_store_import_begin_sync:
 *
 * Begins an import of clients: nc_store_import_add_sync() for each chunk, then
 * nc_store_import_finish_sync() shows them all at once; nc_store_import_free() of an
 * import that did not finish deletes what it wrote. Never on the main context.
 *
 * Returns: (transfer full) (nullable): the import
 */
NcStoreImport *
nc_store_import_begin_sync (NcStore  *self,
                            GError  **error)
{
  NcStoreImport *import;
  Step *step;

  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  if (!sweep_dead_imports (self, error))
    return NULL;

  step = g_new0 (Step, 1);
  step->owner = owner_name ();
  if (nc_store_submit_sync (self, NC_STORE_WRITER,
                            nc_store_job_new (begin_job, step, NULL, NULL), error) == NULL)
    {
      step_free (step);
      return NULL;
    }

  import = g_new0 (NcStoreImport, 1);
  import->store = g_object_ref (self);
  import->id = step->import_id;
  step_free (step);
  return import;
}

static gboolean
start_chunk (NcStoreImport  *import,
             GError        **error)
{
  NcStoreJob *job = nc_store_job_new (chunk_job, import->step, NULL, NULL);

  /* Its COMMIT need not wait for the disk: the import's last one does, for all of them. */
  nc_store_job_set_light (job);
  import->step->budget_us = nc_store_import_others_writing (import) ? CHUNK_US : LONG_CHUNK_US;
  /* Read here, not once the job runs: the writer moves step->next meanwhile. */
  import->pending_from = import->step->next;
  import->pending_since = g_get_monotonic_time ();
  if (!nc_store_submit_start (import->store, job, error))
    return FALSE;
  import->pending = job;
  return TRUE;
}

/* Waits for the job the writer has, if any; with @whole, for the rest of its chunk too,
 * when the job stopped early for another. */
static gboolean
wait_pending (NcStoreImport  *import,
              gboolean        whole,
              GError        **error)
{
  while (import->pending != NULL)
    {
      Step *step = import->step;
      guint written;

      if (nc_store_job_wait (g_steal_pointer (&import->pending), error) == NULL)
        return FALSE;
      written = step->next - import->pending_from;
      if (step->others)
        import->others_seen = g_get_monotonic_time ();
      /* From the hand-over to the answer: the chunk, its COMMIT (where SQLite's search
       * index writes what it gathered) and whatever little ran between. */
      if (written > 0)
        {
          double us = (double) (g_get_monotonic_time () - import->pending_since) / written;

          import->us_per_client = import->us_per_client == 0
                                  ? us : 0.5 * import->us_per_client + 0.5 * us;
        }
      import->count += written;
      if (!whole || (step->next == step->drafts->len && step->merged))
        continue;
      /* The rest of the chunk (its merges, when another process writes too) after the
       * same gap as between two chunks. */
      if (nc_store_import_others_writing (import) && !nc_store_has_feed (import->store))
        g_usleep (GAP_US);
      if (!start_chunk (import, error))
        return FALSE;
    }
  g_clear_pointer (&import->step, step_free);
  return TRUE;
}

/**
 * nc_store_import_get_chunk_size:
 *
 * Returns: how many clients the next chunk should have, for the writer to take about
 *   CHUNK_US over it while another process wrote to the database lately, LONG_CHUNK_US
 *   otherwise: as many as the last chunks took that long for
 */
guint
nc_store_import_get_chunk_size (NcStoreImport *import)
{
  g_return_val_if_fail (import != NULL, MIN_CHUNK);

  if (import->us_per_client <= 0)
    return 256;
  return (guint) CLAMP ((nc_store_import_others_writing (import) ? CHUNK_US : LONG_CHUNK_US) /
                        import->us_per_client, MIN_CHUNK, MAX_CHUNK);
}

/**
 * nc_store_import_others_writing:
 *
 * Returns: whether another process (`listen` beside a command-line import) wrote to the
 *   SQLite database between two of the import's chunks within the last few seconds: it
 *   then waits for the database while a chunk runs, and the chunks are short
 */
gboolean
nc_store_import_others_writing (NcStoreImport *import)
{
  g_return_val_if_fail (import != NULL, FALSE);

  return import->others_seen != 0 && g_get_monotonic_time () - import->others_seen < QUIET_US;
}

/**
 * nc_store_import_add_sync:
 * @drafts: (transfer full) (element-type NcClient): clients with id 0, variables loaded
 *
 * Waits for the chunk before, then hands @drafts to the writer and returns at once: the
 * caller reads the next chunk meanwhile.
 *
 * Returns: %FALSE when the chunk before failed (the import is then to be freed)
 */
gboolean
nc_store_import_add_sync (NcStoreImport  *import,
                          GPtrArray      *drafts,
                          GError        **error)
{
  Step *step;

  g_return_val_if_fail (import != NULL && !import->finished, FALSE);

  if (!wait_pending (import, TRUE, error))
    {
      g_ptr_array_unref (drafts);
      return FALSE;
    }

  /* A database server locks rows, not the whole database: nothing to let go of. */
  if (import->count > 0 && !nc_store_has_feed (import->store))
    g_usleep (GAP_US);

  step = g_new0 (Step, 1);
  step->import_id = import->id;
  step->first_client = &import->first_client;
  step->data_version = &import->data_version;
  step->drafts = drafts;
  import->step = step;
  return start_chunk (import, error);
}

/**
 * nc_store_import_finish_sync:
 * @out_count: (out) (optional): how many clients the import added
 *
 * Waits for the last chunk, then shows every client of the import at once.
 */
gboolean
nc_store_import_finish_sync (NcStoreImport  *import,
                             guint          *out_count,
                             GError        **error)
{
  Step *step;

  g_return_val_if_fail (import != NULL && !import->finished, FALSE);

  if (!wait_pending (import, TRUE, error))
    return FALSE;

  step = g_new0 (Step, 1);
  step->import_id = import->id;
  if (nc_store_submit_sync (import->store, NC_STORE_WRITER,
                            nc_store_job_new (finish_job, step, (GDestroyNotify) step_free,
                                              NULL), error) == NULL)
    return FALSE;
  import->finished = TRUE;
  if (out_count != NULL)
    *out_count = import->count;
  return TRUE;
}

/**
 * nc_store_import_free:
 *
 * Frees @import; if it did not finish, deletes every client it wrote first.
 */
void
nc_store_import_free (NcStoreImport *import)
{
  g_autoptr(GError) error = NULL;

  if (import == NULL)
    return;

  if (!import->finished)
    {
      /* The chunk in flight is written or not: either way it is deleted below. */
      wait_pending (import, FALSE, NULL);
      g_clear_pointer (&import->step, step_free);
      if (!undo (import->store, import->id, import->first_client, &error))
        g_warning ("Could not delete the clients of an import that did not end (they stay "
                   "hidden): %s", error->message);
    }
  g_object_unref (import->store);
  g_free (import);
}
