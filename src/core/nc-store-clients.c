/* nc-store-clients.c — the store's clients and their variables
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every write of a client keeps its derived indexes (the matcher's phones, the search
 * text: nc-store-search.c) in the same savepoint, so they never disagree with it.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-store-private.h"

static void
set_not_found (GError **error,
               gint64   id)
{
  g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND,
               _("There is no client number %lld"), (long long) id);
}

NcClient *
nc_store_read_client (NcStoreConnection  *conn,
                      gint64              id,
                      GError            **error)
{
  g_autoptr(NcClient) client = NULL;
  g_autoptr(GPtrArray) variables = NULL;
  NcStoreStmt *stmt;
  NcStoreStep step;

  stmt = nc_store_prepare (conn,
                           "SELECT id, name, channel, phone, created FROM clients WHERE id = ?1",
                           error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, id);
  step = nc_store_step (stmt, error);
  if (step == NC_STORE_STEP_ROW)
    client = nc_store_client_from_row (stmt);
  nc_store_reset (stmt);
  if (step == NC_STORE_STEP_DONE)
    set_not_found (error, id);
  if (client == NULL)
    return NULL;

  stmt = nc_store_prepare (conn,
                           "SELECT name, value FROM client_variables WHERE client_id = ?1 "
                           "ORDER BY rowid", error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, id);
  variables = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free);
  while ((step = nc_store_step (stmt, error)) == NC_STORE_STEP_ROW)
    g_ptr_array_add (variables, nc_variable_new (nc_store_column_text (stmt, 0),
                                                 nc_store_column_text (stmt, 1)));
  nc_store_reset (stmt);
  if (step == NC_STORE_STEP_ERROR)
    return NULL;
  nc_client_take_variables (client, g_steal_pointer (&variables));

  return g_steal_pointer (&client);
}

/* Adds @variables (nullable) to the client @id, which has none of their names yet. */
gboolean
nc_store_insert_variables (NcStoreConnection  *conn,
                           gint64              id,
                           GPtrArray          *variables,
                           GError            **error)
{
  NcStoreStmt *stmt;

  stmt = nc_store_prepare (conn,
                           "INSERT INTO client_variables (client_id, name, value) "
                           "VALUES (?1, ?2, ?3)", error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; variables != NULL && i < variables->len; i++)
    {
      NcVariable *variable = g_ptr_array_index (variables, i);

      nc_store_bind_int64 (stmt, 1, id);
      nc_store_bind_text (stmt, 2, variable->name);
      nc_store_bind_text (stmt, 3, variable->value);
      if (!nc_store_step_done (stmt, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_variables (NcStoreConnection  *conn,
                 gint64              id,
                 GPtrArray          *variables,
                 GError            **error)
{
  NcStoreStmt *stmt;

  stmt = nc_store_prepare (conn, "DELETE FROM client_variables WHERE client_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_int64 (stmt, 1, id);
  return nc_store_step_done (stmt, error) &&
         nc_store_insert_variables (conn, id, variables, error);
}

/* @client: as it is now stored, variables and all */
static gboolean
written (NcStoreConnection  *conn,
         gint64              id,
         NcClient           *client,
         GError            **error)
{
  if (!nc_store_index_client (conn, id, client, error))
    return FALSE;
  nc_store_mark_changed (conn, NC_STORE_CHANGE_CLIENTS, id);
  return TRUE;
}

gint64
nc_store_insert_client (NcStoreConnection  *conn,
                        NcClient           *draft,
                        GError            **error)
{
  gint64 created = nc_client_get_created (draft);
  NcStoreStmt *stmt;
  gint64 id;

  stmt = nc_store_prepare (conn,
                           "INSERT INTO clients (name, channel, phone, created) "
                           "VALUES (?1, ?2, ?3, ?4) RETURNING id", error);
  if (stmt == NULL)
    return 0;
  nc_store_bind_text (stmt, 1, nc_client_get_name (draft));
  nc_store_bind_text (stmt, 2, nc_channel_to_string (nc_client_get_channel (draft)));
  nc_store_bind_text (stmt, 3, nc_client_get_phone (draft));
  nc_store_bind_int64 (stmt, 4, created != 0 ? created : g_get_real_time () / G_USEC_PER_SEC);
  if (!nc_store_step_id (stmt, &id, error))
    return 0;

  if (!write_variables (conn, id, nc_client_get_variables (draft), error) ||
      !written (conn, id, draft, error))
    return 0;

  return id;
}

/* Version 2 of the schema: the search text of the clients that were already there. */
gboolean
nc_store_index_all_clients (NcStoreConnection  *conn,
                            GError            **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  NcStoreStmt *stmt;

  stmt = nc_store_prepare (conn, "SELECT id FROM clients ORDER BY id", error);
  if (stmt == NULL || !nc_store_collect_ids (stmt, ids, error))
    return FALSE;

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_autoptr(NcClient) client = nc_store_read_client (conn, id, error);

      if (client == NULL || !nc_store_index_search_text (conn, id, client, error))
        return FALSE;
    }

  return TRUE;
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
add_clients_job (NcStoreConnection  *conn,
                 gpointer            data,
                 GError            **error)
{
  AddClients *add = data;
  GPtrArray *drafts = add->drafts;
  g_autoptr(GArray) ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), drafts->len);

  for (guint i = 0; i < drafts->len; i++)
    {
      gint64 id;

      /* A long import can be stopped half-way: the savepoint takes back what it wrote. */
      if (i % 256 == 0 && g_cancellable_set_error_if_cancelled (add->cancellable, error))
        return NULL;

      id = nc_store_insert_client (conn, g_ptr_array_index (drafts, i), error);
      if (id == 0)
        return NULL;
      g_array_append_val (ids, id);
      if (add->progress != NULL && (i % 256 == 255 || i + 1 == drafts->len))
        nc_progress_set (add->progress, i + 1, drafts->len);
    }

  return g_steal_pointer (&ids);
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

  ids = nc_store_submit_sync (self, NC_STORE_WRITER,
                              nc_store_job_new (add_clients_job,
                                                add_clients_new (drafts, NULL, NULL),
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

  nc_store_submit_async (self, NC_STORE_WRITER,
                         nc_store_job_new (add_clients_job,
                                           add_clients_new (drafts, progress, cancellable),
                                           (GDestroyNotify) add_clients_free,
                                           (GDestroyNotify) g_array_unref),
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
update_client_job (NcStoreConnection  *conn,
                   gpointer            data,
                   GError            **error)
{
  NcClient *client = data;
  gint64 id = nc_client_get_id (client);
  NcStoreStmt *stmt;

  stmt = nc_store_prepare (conn,
                           "UPDATE clients SET name = ?2, channel = ?3, phone = ?4 WHERE id = ?1",
                           error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, id);
  nc_store_bind_text (stmt, 2, nc_client_get_name (client));
  nc_store_bind_text (stmt, 3, nc_channel_to_string (nc_client_get_channel (client)));
  nc_store_bind_text (stmt, 4, nc_client_get_phone (client));
  if (!nc_store_step_done (stmt, error))
    return NULL;
  if (nc_store_changes (conn) == 0)
    {
      set_not_found (error, id);
      return NULL;
    }

  if (!write_variables (conn, id, nc_client_get_variables (client), error) ||
      !written (conn, id, client, error))
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

  return nc_store_submit_sync (self, NC_STORE_WRITER,
                               nc_store_job_new (update_client_job, g_object_ref (client),
                                                 g_object_unref, NULL),
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

  nc_store_submit_async (self, NC_STORE_WRITER,
                         nc_store_job_new (update_client_job, g_object_ref (client),
                                           g_object_unref, NULL),
                         nc_store_update_client_async, cancellable, callback, user_data);
}

gboolean
nc_store_update_client_finish (NcStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return nc_store_write_finish (self, result, nc_store_update_client_async, error);
}

static gpointer
delete_client_job (NcStoreConnection  *conn,
                   gpointer            data,
                   GError            **error)
{
  gint64 id = *(gint64 *) data;
  NcStoreStmt *stmt;

  stmt = nc_store_prepare (conn, "DELETE FROM clients WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, id);
  if (!nc_store_step_done (stmt, error))
    return NULL;
  if (nc_store_changes (conn) == 0)
    {
      set_not_found (error, id);
      return NULL;
    }

  /* The variables and the phone index go with the row (ON DELETE CASCADE). */
  if (!nc_store_unindex_client (conn, id, error))
    return NULL;

  nc_store_mark_changed (conn, NC_STORE_CHANGE_CLIENTS, id);
  return GINT_TO_POINTER (TRUE);
}

gboolean
nc_store_delete_client_sync (NcStore  *self,
                             gint64    client_id,
                             GError  **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), FALSE);

  return nc_store_submit_sync (self, NC_STORE_WRITER,
                               nc_store_job_new (delete_client_job,
                                                 g_memdup2 (&client_id, sizeof client_id),
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

  nc_store_submit_async (self, NC_STORE_WRITER,
                         nc_store_job_new (delete_client_job,
                                           g_memdup2 (&client_id, sizeof client_id),
                                           g_free, NULL),
                         nc_store_delete_client_async, cancellable, callback, user_data);
}

gboolean
nc_store_delete_client_finish (NcStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return nc_store_write_finish (self, result, nc_store_delete_client_async, error);
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

/* Sets one variable of a client, inside a writer's job. */
gboolean
nc_store_write_variable (NcStoreConnection  *conn,
                         gint64              client_id,
                         const char         *name,
                         const char         *value,
                         GError            **error)
{
  g_autoptr(NcClient) client = NULL;
  NcStoreStmt *stmt;

  /* A new variable comes last; a known one keeps its place. */
  stmt = nc_store_prepare (conn,
                           "INSERT INTO client_variables (client_id, name, value) "
                           "VALUES (?1, ?2, ?3) ON CONFLICT (client_id, name) "
                           "DO UPDATE SET value = excluded.value", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_int64 (stmt, 1, client_id);
  nc_store_bind_text (stmt, 2, name);
  nc_store_bind_text (stmt, 3, value);
  if (!nc_store_step_done (stmt, error))
    return FALSE;

  client = nc_store_read_client (conn, client_id, error);
  return client != NULL && written (conn, client_id, client, error);
}

static gpointer
set_variable_job (NcStoreConnection  *conn,
                  gpointer            data,
                  GError            **error)
{
  SetVariable *set = data;

  if (!nc_store_write_variable (conn, set->client_id, set->name, set->value, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static NcStoreJob *
set_variable_job_new (gint64      client_id,
                      const char *name,
                      const char *value)
{
  SetVariable *set = g_new0 (SetVariable, 1);

  set->client_id = client_id;
  set->name = g_strdup (name);
  set->value = g_strdup (value);
  return nc_store_job_new (set_variable_job, set, (GDestroyNotify) set_variable_free, NULL);
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

  return nc_store_submit_sync (self, NC_STORE_WRITER,
                               set_variable_job_new (client_id, name, value), error) != NULL;
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

  nc_store_submit_async (self, NC_STORE_WRITER, set_variable_job_new (client_id, name, value),
                         nc_store_set_variable_async, cancellable, callback, user_data);
}

gboolean
nc_store_set_variable_finish (NcStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return nc_store_write_finish (self, result, nc_store_set_variable_async, error);
}

static gpointer
get_client_job (NcStoreConnection  *conn,
                gpointer            data,
                GError            **error)
{
  gint64 id = *(gint64 *) data;
  NcStoreStmt *stmt;
  NcStoreStep step;

  /* A client of an import that is not whole yet is no one's to see. */
  stmt = nc_store_prepare (conn,
                           "SELECT 1 FROM clients WHERE id = ?1 AND" NC_STORE_CLIENT_SHOWN (""),
                           error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, id);
  step = nc_store_step (stmt, error);
  nc_store_reset (stmt);
  if (step == NC_STORE_STEP_ERROR)
    return NULL;
  if (step == NC_STORE_STEP_DONE)
    {
      set_not_found (error, id);
      return NULL;
    }
  return nc_store_read_client (conn, id, error);
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

  return nc_store_submit_sync (self, NC_STORE_READER,
                               nc_store_job_new (get_client_job,
                                                 g_memdup2 (&client_id, sizeof client_id),
                                                 g_free, g_object_unref),
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

  nc_store_submit_async (self, NC_STORE_READER,
                         nc_store_job_new (get_client_job,
                                           g_memdup2 (&client_id, sizeof client_id),
                                           g_free, g_object_unref),
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

typedef struct
{
  gint64   after_id;
  guint    limit;           /* 0: every client after after_id */
  gboolean with_variables;
} ListPage;

/* The clients after page->after_id in the order they were made, and, if asked, their
 * variables: one query for the variables of the page's range of ids. */
static gpointer
list_clients_job (NcStoreConnection  *conn,
                  gpointer            data,
                  GError            **error)
{
  const ListPage *page = data;
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(GHashTable) by_id = NULL;
  NcStoreStmt *stmt;
  NcStoreStep step;

  stmt = nc_store_prepare (conn,
                           "SELECT id, name, channel, phone, created FROM clients "
                           "WHERE id > ?1 AND" NC_STORE_CLIENT_SHOWN ("") "ORDER BY id LIMIT ?2",
                           error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, page->after_id);
  nc_store_bind_int64 (stmt, 2, page->limit > 0 ? (gint64) page->limit : G_MAXINT64);
  clients = nc_store_collect_clients (stmt, error);
  if (clients == NULL || !page->with_variables || clients->len == 0)
    return g_steal_pointer (&clients);

  by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint i = 0; i < clients->len; i++)
    {
      NcClient *client = g_ptr_array_index (clients, i);
      gint64 id = nc_client_get_id (client);

      g_hash_table_insert (by_id, g_memdup2 (&id, sizeof id), client);
      nc_client_take_variables (client, g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free));
    }

  stmt = nc_store_prepare (conn,
                           "SELECT client_id, name, value FROM client_variables "
                           "WHERE client_id > ?1 AND client_id <= ?2 ORDER BY client_id, rowid",
                           error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, page->after_id);
  nc_store_bind_int64 (stmt, 2, nc_client_get_id (clients->pdata[clients->len - 1]));
  while ((step = nc_store_step (stmt, error)) == NC_STORE_STEP_ROW)
    {
      gint64 id = nc_store_column_int64 (stmt, 0);
      NcClient *client = g_hash_table_lookup (by_id, &id);

      if (client != NULL)
        g_ptr_array_add (nc_client_get_variables (client),
                         nc_variable_new (nc_store_column_text (stmt, 1),
                                          nc_store_column_text (stmt, 2)));
    }
  nc_store_reset (stmt);
  if (step == NC_STORE_STEP_ERROR)
    return NULL;

  return g_steal_pointer (&clients);
}

/**
 * nc_store_list_clients_page_sync:
 * @after_id: the clients made after this one (0: from the first)
 * @limit: at most this many (0: all of them)
 *
 * Returns: (transfer full) (element-type NcClient): the clients, in the order they were
 *   made
 */
GPtrArray *
nc_store_list_clients_page_sync (NcStore   *self,
                                 gint64     after_id,
                                 guint      limit,
                                 gboolean   with_variables,
                                 GError   **error)
{
  ListPage *page;

  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  page = g_new0 (ListPage, 1);
  page->after_id = after_id;
  page->limit = limit;
  page->with_variables = with_variables;
  return nc_store_submit_sync (self, NC_STORE_READER,
                               nc_store_job_new (list_clients_job, page, g_free,
                                                 (GDestroyNotify) g_ptr_array_unref),
                               error);
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
  return nc_store_list_clients_page_sync (self, 0, 0, with_variables, error);
}

/* The names of the clients' variables in the order they first appear among the clients
 * (by client, then as each client has them), and how many clients there are: the columns
 * and the length of an export, before its rows are read a page at a time. */
static gpointer
list_variable_names_job (NcStoreConnection  *conn,
                         gpointer            data,
                         GError            **error)
{
  guint *out_clients = data;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  NcStoreStmt *stmt;
  NcStoreStep step;
  gint64 clients;

  stmt = nc_store_prepare (conn,
                           "SELECT count (*) FROM clients WHERE" NC_STORE_CLIENT_SHOWN (""),
                           error);
  if (stmt == NULL || !nc_store_step_count (stmt, &clients, error))
    return NULL;
  *out_clients = (guint) clients;

  stmt = nc_store_prepare (conn,
                           "SELECT v.name FROM client_variables AS v JOIN "
                           "(SELECT w.name AS name, MIN (w.client_id) AS first "
                           " FROM client_variables AS w JOIN clients AS c ON c.id = w.client_id "
                           " WHERE" NC_STORE_CLIENT_SHOWN ("c.") "GROUP BY w.name) AS f "
                           "ON f.name = v.name AND f.first = v.client_id "
                           "ORDER BY f.first, v.rowid", error);
  if (stmt == NULL)
    return NULL;
  while ((step = nc_store_step (stmt, error)) == NC_STORE_STEP_ROW)
    g_ptr_array_add (names, g_strdup (nc_store_column_text (stmt, 0)));
  nc_store_reset (stmt);
  if (step == NC_STORE_STEP_ERROR)
    return NULL;
  return g_steal_pointer (&names);
}

/**
 * nc_store_list_variable_names_sync:
 * @out_clients: (out): how many clients there are
 *
 * Returns: (transfer full) (element-type utf8): the names of the clients' variables, in
 *   the order they first appear among the clients
 */
GPtrArray *
nc_store_list_variable_names_sync (NcStore  *self,
                                   guint    *out_clients,
                                   GError  **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);
  g_return_val_if_fail (out_clients != NULL, NULL);

  return nc_store_submit_sync (self, NC_STORE_READER,
                               nc_store_job_new (list_variable_names_job, out_clients, NULL,
                                                 (GDestroyNotify) g_ptr_array_unref),
                               error);
}

/* ------------------------------------------------------------------------------------ */
/* The matcher's client: found by a number, or added                                   */

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
find_or_add_job (NcStoreConnection  *conn,
                 gpointer            data,
                 GError            **error)
{
  FindOrAdd *find = data;
  gint64 telephony_client = 0, any_client = 0;

  /* Looked up again here, on the writer: two calls from a new number at once make one
   * client, not two. */
  if (!nc_store_lookup_phone (conn, find->canonical, &telephony_client, &any_client, error))
    return NULL;

  find->id = telephony_client != 0 ? telephony_client : any_client;
  if (find->id != 0)
    return GINT_TO_POINTER (TRUE);

  find->id = nc_store_insert_client (conn, find->draft, error);
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
  FindOrAdd *find;
  gint64 id = 0;

  g_return_val_if_fail (NC_IS_STORE (self), 0);

  find = g_new0 (FindOrAdd, 1);
  find->canonical = g_strdup (canonical);
  find->draft = g_object_ref (draft);

  /* The job does not own @find: its outcome is read from it here. */
  if (nc_store_submit_sync (self, NC_STORE_WRITER,
                            nc_store_job_new (find_or_add_job, find, NULL, NULL), error) != NULL)
    {
      id = find->id;
      if (out_added != NULL)
        *out_added = find->added;
    }
  find_or_add_free (find);
  return id;
}
