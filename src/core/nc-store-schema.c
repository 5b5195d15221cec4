/* nc-store-schema.c — the store's schema versions and their migrations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The versions and what each brings are the same in every backend; the DDL that makes
 * each one is the backend's own (NcStoreBackend.migrations), and what a version must do to
 * the data already there is done here, through the portable statement API.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-store-private.h"

typedef struct
{
  const char *what;
  /* Run after the DDL of every version up to the newest, in the same transaction. */
  gboolean  (*fill) (NcStoreConnection *conn, GError **error);
} Version;

/* Version n is versions[n - 1] applied on top of version n - 1. */
static const Version versions[] = {
  /* 1 */ { "clients with their variables and phone index, employees, messengers", NULL },
  /* 2 */ { "calls and their events, the API request budget, search", nc_store_index_all_clients },
  /* 3 */ { "calls as rows, the change log, callback requests", nc_store_calls_fill_v3 },
  /* 4 */ { "imports that readers see only once they are whole", NULL },
  /* 5 */ { "the calls of a number, for the team's missed calls not called back", NULL },
  /* 6 */ { "the outcome and note of a call, and the search of notes", NULL },
  /* 7 */ { "the clients to call back, one row each", nc_store_missed_fill_v7 },
};

G_STATIC_ASSERT (G_N_ELEMENTS (versions) == NC_STORE_SCHEMA_VERSION);

static gboolean
refuse_newer (NcStoreConnection  *conn,
              int                 version,
              GError            **error)
{
  if (version <= NC_STORE_SCHEMA_VERSION)
    return TRUE;

  g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NEWER_VERSION,
               _("%s was written by a newer version of Novofon Console (data version %d; "
                 "this one knows up to %d): update the application"),
               conn->name, version, NC_STORE_SCHEMA_VERSION);
  return FALSE;
}

static gboolean
migrate (NcStoreConnection  *conn,
         int                 from_version,
         GError            **error)
{
  const NcStoreBackend *backend = conn->backend;

  for (int version = from_version + 1; version <= NC_STORE_SCHEMA_VERSION; version++)
    {
      const Version *to = &versions[version - 1];
      const char *ddl = backend->migrations[version - 1];

      if (ddl == NULL)
        {
          g_critical ("The %s backend has no DDL for version %d of the schema",
                      backend->name, version);
          g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_FAILED,
                       _("Could not use the data in %s: %s"), conn->name,
                       "no migration to this version");
          return FALSE;
        }

      g_debug ("Upgrading %s to version %d: %s", conn->name, version, to->what);
      if (!backend->exec (conn, ddl, error))
        return FALSE;
    }

  /* The fills write rows through today's code (version 3 merges every event into its
   * call's row as the writer does now), which reads and writes the columns of the newest
   * version: they run once every column is there. */
  for (int version = from_version + 1; version <= NC_STORE_SCHEMA_VERSION; version++)
    {
      const Version *to = &versions[version - 1];

      if (to->fill != NULL && !to->fill (conn, error))
        return FALSE;
    }
  if (from_version < NC_STORE_SCHEMA_VERSION &&
      !backend->set_version (conn, NC_STORE_SCHEMA_VERSION, error))
    return FALSE;
  return TRUE;
}

/* Refuses a database of a newer application: called before anything is written to it. */
gboolean
nc_store_schema_check (NcStoreConnection  *conn,
                       int                *out_version,
                       GError            **error)
{
  int version = 0;

  if (!conn->backend->get_version (conn, &version, error) ||
      !refuse_newer (conn, version, error))
    return FALSE;
  if (out_version != NULL)
    *out_version = version;
  return TRUE;
}

/* Brings the schema to NC_STORE_SCHEMA_VERSION, all in one transaction. */
gboolean
nc_store_schema_upgrade (NcStoreConnection  *conn,
                         GError            **error)
{
  const NcStoreBackend *backend = conn->backend;
  int version = 0;

  if (!backend->transaction (conn, NC_STORE_BEGIN, error))
    return FALSE;

  /* Another process may have upgraded it meanwhile. */
  if (!backend->get_version (conn, &version, error) ||
      !refuse_newer (conn, version, error) ||
      !migrate (conn, version, error) ||
      !backend->transaction (conn, NC_STORE_COMMIT, error))
    {
      backend->transaction (conn, NC_STORE_ROLLBACK, NULL);
      return FALSE;
    }
  return TRUE;
}
