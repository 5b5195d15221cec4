/* nc-store-postgres-search.c — client search on PostgreSQL: pg_trgm
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The PostgreSQL backend's part of client search (nc-store-search.c): each client's name,
 * phone and variable values in one text, indexed by pg_trgm, and the queries that read a
 * page of the clients a text finds. Written against the store's statement API, as the
 * portable parts are; only nc-store-postgres.c talks to libpq.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <string.h>

#include "nc-store-private.h"


/* pg_trgm's index over each client's name, phone and variable values: the same fragments
 * as SQLite's trigram index find. */
gboolean
nc_store_pg_index_search (NcStoreConnection  *conn,
                          gint64              client_id,
                          const char         *body,
                          GError            **error)
{
  NcStoreStmt *stmt;

  if (body == NULL)
    {
      stmt = nc_store_prepare (conn, "DELETE FROM client_search WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      nc_store_bind_int64 (stmt, 1, client_id);
      return nc_store_step_done (stmt, error);
    }

  stmt = nc_store_prepare (conn,
                           "INSERT INTO client_search (id, body) VALUES (?1, ?2) "
                           "ON CONFLICT (id) DO UPDATE SET body = excluded.body", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_int64 (stmt, 1, client_id);
  nc_store_bind_text (stmt, 2, body);
  return nc_store_step_done (stmt, error);
}

gboolean
nc_store_pg_add_search (NcStoreConnection  *conn,
                        gint64              client_id,
                        const char         *body,
                        GError            **error)
{
  NcStoreStmt *stmt;

  stmt = nc_store_prepare (conn, "INSERT INTO client_search (id, body) VALUES (?1, ?2)", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_int64 (stmt, 1, client_id);
  nc_store_bind_text (stmt, 2, body);
  return nc_store_step_done (stmt, error);
}

/* A LIKE pattern that matches @text literally, with @prefix and @suffix around it. */
static char *
like_pattern (const char *prefix,
              const char *text,
              const char *suffix)
{
  GString *pattern = g_string_new (prefix);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }
  g_string_append (pattern, suffix);
  return g_string_free (pattern, FALSE);
}

/* The calls' notes are found as the clients' search text is: ILIKE over trigrams. */
char *
nc_store_pg_note_pattern (const char *text)
{
  return like_pattern ("%", text, "%");
}

gboolean
nc_store_pg_search (NcStoreConnection  *conn,
                    const char         *text,
                    gint64              after_id,
                    gint64              until_id,
                    guint               limit,
                    GArray             *ids,
                    GError            **error)
{
  g_autofree char *pattern = like_pattern ("%", text, "%");
  NcStoreStmt *stmt;

  stmt = nc_store_prepare (conn,
                           "SELECT s.id FROM client_search AS s JOIN clients AS c ON c.id = s.id "
                           "WHERE s.body ILIKE ?1 AND s.id > ?2 AND s.id <= ?3 AND"
                           NC_STORE_CLIENT_SHOWN ("c.") "ORDER BY s.id LIMIT ?4", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_text (stmt, 1, pattern);
  nc_store_bind_int64 (stmt, 2, after_id);
  nc_store_bind_int64 (stmt, 3, until_id);
  nc_store_bind_int64 (stmt, 4, limit);
  return nc_store_collect_ids (stmt, ids, error);
}

gboolean
nc_store_pg_name_prefix (NcStoreConnection  *conn,
                         const char         *prefix,
                         gint64              after_id,
                         gint64              until_id,
                         guint               limit,
                         GArray             *ids,
                         GError            **error)
{
  g_autofree char *pattern = like_pattern ("", prefix, "%");
  NcStoreStmt *stmt;

  stmt = nc_store_prepare (conn,
                           "SELECT id FROM clients WHERE lower (name) LIKE lower (?1) "
                           "AND id > ?2 AND id <= ?3 AND" NC_STORE_CLIENT_SHOWN ("")
                           "ORDER BY id LIMIT ?4", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_text (stmt, 1, pattern);
  nc_store_bind_int64 (stmt, 2, after_id);
  nc_store_bind_int64 (stmt, 3, until_id);
  nc_store_bind_int64 (stmt, 4, limit);
  return nc_store_collect_ids (stmt, ids, error);
}
