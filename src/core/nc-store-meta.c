/* nc-store-meta.c — the store's named values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A few values that belong to the data rather than to a desk, by name: the listener's
 * heartbeat and a gap repair's cursor (nc-gap-repair.c) among them.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include "nc-store-private.h"

static gpointer
get_meta_job (NcStoreConnection  *conn,
              gpointer            data,
              GError            **error)
{
  NcStoreStmt *stmt = nc_store_prepare (conn, "SELECT value FROM meta WHERE name = ?1", error);
  NcStoreStep step;
  char *value = NULL;

  if (stmt == NULL)
    return NULL;
  nc_store_bind_text (stmt, 1, data);
  step = nc_store_step (stmt, error);
  /* An empty string: no value (an error is told apart by its GError). */
  value = g_strdup (step == NC_STORE_STEP_ROW ? nc_store_column_text (stmt, 0) : "");
  nc_store_reset (stmt);
  if (step == NC_STORE_STEP_ERROR)
    g_clear_pointer (&value, g_free);
  return value;
}

/**
 * nc_store_get_meta_sync:
 *
 * Returns: (transfer full) (nullable): the value, or %NULL with no error when there is none
 */
char *
nc_store_get_meta_sync (NcStore     *self,
                        const char  *name,
                        GError     **error)
{
  g_autofree char *value = NULL;

  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  value = nc_store_submit_sync (self, NC_STORE_READER,
                                nc_store_job_new (get_meta_job, g_strdup (name), g_free, g_free),
                                error);
  if (value == NULL || *value == '\0')
    return NULL;
  return g_steal_pointer (&value);
}

typedef struct
{
  char *name;
  char *value;
} Meta;

static void
meta_free (Meta *meta)
{
  g_free (meta->name);
  g_free (meta->value);
  g_free (meta);
}

static gpointer
set_meta_job (NcStoreConnection  *conn,
              gpointer            data,
              GError            **error)
{
  Meta *meta = data;
  NcStoreStmt *stmt = nc_store_prepare (conn,
                                        "INSERT INTO meta (name, value) VALUES (?1, ?2) "
                                        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                                        error);

  if (stmt == NULL)
    return NULL;
  nc_store_bind_text (stmt, 1, meta->name);
  nc_store_bind_text (stmt, 2, meta->value);
  return nc_store_step_done (stmt, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

gboolean
nc_store_set_meta_sync (NcStore     *self,
                        const char  *name,
                        const char  *value,
                        GError     **error)
{
  Meta *meta = g_new0 (Meta, 1);

  g_return_val_if_fail (NC_IS_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL && value != NULL, FALSE);

  meta->name = g_strdup (name);
  meta->value = g_strdup (value);
  return nc_store_submit_sync (self, NC_STORE_WRITER,
                               nc_store_job_new (set_meta_job, meta, (GDestroyNotify) meta_free,
                                                 NULL), error) != NULL;
}
