/* nc-store-open.c — opening the store: a data folder's file, or an office's database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Opening picks the backend, checks the schema's version before anything is written (a
 * database of a newer version of the application is refused untouched), upgrades it, and
 * starts the writer and the reader (nc-store.c). A database server also tells of every
 * change any process commits, through a connection of its own: the change feed, followed
 * here on the context that opened the store, and made again, a little later each time,
 * when it is lost.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "nc-paths.h"
#include "nc-store-private.h"

/* Opens the workers' connections to @self->location, upgrading the schema first. */
static gboolean
open_workers (NcStore  *self,
              GError  **error)
{
  NcStoreConnection *writer;
  NcStoreConnection *reader;

  /* A SQLite file is created here, by the writer's connection. */
  writer = nc_store_connection_open (self->backend, self->location, FALSE, self->busy_timeout_ms,
                                     error);
  if (writer == NULL)
    return FALSE;
  /* Who wrote a change, for the readers of the log: this store, or another process. */
  writer->origin = self->origin;

  /* The version is read before anything is written, so that a database from a newer
   * version of the application is refused untouched. */
  if ((self->backend->check_server != NULL && !self->backend->check_server (writer, error)) ||
      !nc_store_schema_check (writer, &self->found_version, error) ||
      !self->backend->setup_writer (writer, error) ||
      !nc_store_schema_upgrade (writer, error) ||
      !nc_store_prune_changes (writer, error))
    {
      nc_store_connection_free (writer);
      return FALSE;
    }

  reader = nc_store_connection_open (self->backend, self->location, TRUE, self->busy_timeout_ms,
                                     error);
  if (reader == NULL)
    {
      nc_store_connection_free (writer);
      return FALSE;
    }

  nc_store_start_workers (self, writer, reader);
  return TRUE;
}

static gboolean
nc_store_open_internal (NcStore     *self,
                        const char  *data_dir,
                        GError     **error)
{
  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the data folder %s: %s"), data_dir,
                   g_strerror (saved_errno));
      return FALSE;
    }

  self->backend = &nc_store_sqlite_backend;
  self->path = g_build_filename (data_dir, NC_STORE_FILE_NAME, NULL);
  if (!nc_paths_secure_store_files (data_dir, self->path, error))
    return FALSE;
  self->location = g_strdup (self->path);
  return open_workers (self, error);
}

/* ------------------------------------------------------------------------------------ */
/* The change feed of a database server                                                   */

static void feed_attach (NcStore     *self,
                         NcStoreFeed *feed);

static void
feed_reopened (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  NcStore *self = NC_STORE (source);
  g_autoptr(GError) error = NULL;
  NcStoreFeed *feed = g_task_propagate_pointer (G_TASK (result), &error);

  if (self->closed)
    {
      if (feed != NULL)
        self->backend->feed_close (feed);
      return;
    }
  if (feed == NULL)
    {
      g_autofree char *problem = g_strdup_printf (_("The connection to the database is lost: "
                                                    "trying again in %u s (%s)"),
                                                  self->feed_delay_s, error->message);

      nc_store_set_problem (self, problem);
      g_debug ("%s", problem);
      feed_attach (self, NULL);
      return;
    }
  self->feed_delay_s = 0;
  feed_attach (self, feed);
  nc_store_set_problem (self, NULL);
  /* What happened meanwhile is in the log: its readers catch up from their last change. */
  nc_store_emit_feed (self);
}

static void
feed_open_in_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  NcStore *self = source_object;
  GError *error = NULL;
  NcStoreFeed *feed = self->backend->feed_open (self->location, &error);

  if (feed == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, feed, (GDestroyNotify) self->backend->feed_close);
}

static gboolean
feed_retry (gpointer user_data)
{
  NcStore *self = user_data;
  g_autoptr(GTask) task = g_task_new (self, NULL, feed_reopened, NULL);

  self->feed_retry = 0;
  g_task_run_in_thread (task, feed_open_in_thread);
  return G_SOURCE_REMOVE;
}

static gboolean
feed_readable (gint         fd,
               GIOCondition condition,
               gpointer     user_data)
{
  NcStore *self = user_data;
  guint notified = 0;

  if (self->backend->feed_consume (self->feed, &notified))
    {
      if (notified > 0)
        nc_store_emit_feed (self);
      return G_SOURCE_CONTINUE;
    }

  /* Lost: the windows say so, and it is made again, a little later each time. */
  nc_store_set_problem (self, _("The connection to the database is lost: reconnecting…"));
  g_message ("The change feed of %s is lost: reconnecting", self->path);
  self->feed_source = NULL;
  feed_attach (self, NULL);
  return G_SOURCE_REMOVE;
}

/* @feed: (transfer full) (nullable): the feed to follow, or %NULL to try again later */
static void
feed_attach (NcStore     *self,
             NcStoreFeed *feed)
{
  nc_store_drop_feed (self);
  if (feed == NULL)
    {
      GSource *source;

      self->feed_delay_s = CLAMP (self->feed_delay_s * 2, 1, 30);
      source = g_timeout_source_new_seconds (self->feed_delay_s);
      g_source_set_callback (source, feed_retry, self, NULL);
      self->feed_retry = g_source_attach (source, self->context);
      g_source_unref (source);
      return;
    }

  self->feed = feed;
  self->feed_source = g_unix_fd_source_new (self->backend->feed_get_fd (feed),
                                            G_IO_IN | G_IO_ERR | G_IO_HUP);
  g_source_set_callback (self->feed_source, (GSourceFunc) (void (*) (void)) feed_readable, self,
                         NULL);
  g_source_attach (self->feed_source, self->context);
}

static gboolean
nc_store_open_database_internal (NcStore     *self,
                                 const char  *url,
                                 const char  *password,
                                 GError     **error)
{
  NcStoreFeed *feed;

  self->backend = &nc_store_postgres_backend;
  self->location = password != NULL ? g_strconcat (url, "\n", password, NULL) : g_strdup (url);
  self->path = nc_store_redact_url (url);
  if (!open_workers (self, error))
    return FALSE;

  /* Every change of every process, heard at its COMMIT: no polling. */
  feed = self->backend->feed_open (self->location, error);
  if (feed == NULL)
    return FALSE;
  feed_attach (self, feed);
  return TRUE;
}

/* @context: where `changed` and `feed` will be emitted */
static NcStore *
store_open (const char    *data_dir,
            const char    *url,
            const char    *password,
            GMainContext  *context,
            GError       **error)
{
  g_autoptr(NcStore) self = g_object_new (NC_TYPE_STORE, NULL);

  self->context = g_main_context_ref (context);
  if (url != NULL ? !nc_store_open_database_internal (self, url, password, error)
                  : !nc_store_open_internal (self, data_dir, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * nc_store_open_sync:
 * @data_dir: the project's data folder; created if missing
 *
 * Opens (creating or upgrading) the store. Blocks: for the command line and the tests.
 * `changed` is emitted on the calling thread's default main context.
 *
 * Returns: (transfer full) (nullable): the store
 */
NcStore *
nc_store_open_sync (const char  *data_dir,
                    GError     **error)
{
  g_autoptr(GMainContext) context = NULL;

  g_return_val_if_fail (data_dir != NULL, NULL);

  context = g_main_context_ref_thread_default ();
  return store_open (data_dir, NULL, NULL, context, error);
}

/**
 * nc_store_open_database_sync:
 * @url: a PostgreSQL connection URL (postgresql://…), without its password
 * @password: (nullable): the password, from the keyring
 *
 * Opens the office's database: connects, checks the server (version, pg_trgm) and the
 * schema, upgrades it if it is older, and listens for every change made to it.
 *
 * Returns: (transfer full) (nullable): the store
 */
NcStore *
nc_store_open_database_sync (const char  *url,
                             const char  *password,
                             GError     **error)
{
  g_autoptr(GMainContext) context = NULL;

  g_return_val_if_fail (url != NULL, NULL);

  context = g_main_context_ref_thread_default ();
  return store_open (NULL, url, password, context, error);
}

typedef struct
{
  char         *data_dir;
  char         *url;
  char         *password;
  GMainContext *context;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_free (data->data_dir);
  g_free (data->url);
  if (data->password != NULL)
    memset (data->password, 0, strlen (data->password));
  g_free (data->password);
  g_main_context_unref (data->context);
  g_free (data);
}

static void
open_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  OpenData *data = task_data;
  GError *error = NULL;
  NcStore *store = store_open (data->data_dir, data->url, data->password, data->context,
                               &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

/* Opens the store @data says on a worker thread; finished by nc_store_open_finish().
 * @data: (transfer full) */
static void
open_on_worker (OpenData            *data,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  /* The caller's context, not the one of the thread that opens. */
  data->context = g_main_context_ref_thread_default ();
  g_task_set_source_tag (task, nc_store_open_async);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, open_in_thread);
}

void
nc_store_open_async (const char          *data_dir,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  OpenData *data = g_new0 (OpenData, 1);

  data->data_dir = g_strdup (data_dir);
  open_on_worker (data, cancellable, callback, user_data);
}

/**
 * nc_store_open_database_async:
 *
 * nc_store_open_database_sync() on a worker thread; finished by nc_store_open_finish().
 */
void
nc_store_open_database_async (const char          *url,
                              const char          *password,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  OpenData *data = g_new0 (OpenData, 1);

  data->url = g_strdup (url);
  data->password = g_strdup (password);
  open_on_worker (data, cancellable, callback, user_data);
}

/**
 * nc_store_is_database_url:
 *
 * Returns: whether @text names a database server (postgresql:// or postgres://) rather
 *   than a data folder
 */
gboolean
nc_store_is_database_url (const char *text)
{
  return text != NULL && (g_str_has_prefix (text, "postgresql://") ||
                          g_str_has_prefix (text, "postgres://"));
}

/**
 * nc_store_redact_url:
 *
 * Returns: (transfer full): @url without its password and query, as messages show it
 */
char *
nc_store_redact_url (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED_QUERY,
                                     NULL);

  if (uri == NULL)
    return g_strdup (_("the database"));
  return g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD | G_URI_HIDE_QUERY);
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
