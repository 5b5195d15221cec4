/* nc-store-search.c — the matcher's phone index and the search of clients
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both are derived from a client's row and variables and written with them. The phone
 * index is plain SQL; the search text is stored and searched by the backend (SQLite's FTS5
 * trigrams; pg_trgm on PostgreSQL), from a body that is made here. What a search finds is
 * read a page at a time, a range of ids each (nc_store_find_clients_sync()).
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <string.h>

#include "nc-phone.h"
#include "nc-store-private.h"

/* ------------------------------------------------------------------------------------ */
/* Rows of clients, as every reader of clients reads them                               */

/* A client (no variables) from a row of id, name, channel, phone, created. */
NcClient *
nc_store_client_from_row (NcStoreStmt *stmt)
{
  NcChannel channel = NC_CHANNEL_TELEPHONY;

  nc_channel_from_string (nc_store_column_text (stmt, 2), &channel);
  return nc_client_new (nc_store_column_int64 (stmt, 0), nc_store_column_text (stmt, 1), channel,
                        nc_store_column_text (stmt, 3), nc_store_column_int64 (stmt, 4));
}

/* Every client from @stmt (no variables), then resets it. */
GPtrArray *
nc_store_collect_clients (NcStoreStmt  *stmt,
                          GError      **error)
{
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func (g_object_unref);
  NcStoreStep step;

  while ((step = nc_store_step (stmt, error)) == NC_STORE_STEP_ROW)
    g_ptr_array_add (clients, nc_store_client_from_row (stmt));
  nc_store_reset (stmt);
  return step == NC_STORE_STEP_DONE ? g_steal_pointer (&clients) : NULL;
}

/* ------------------------------------------------------------------------------------ */
/* Keeping the indexes                                                                  */

/* The canonical number of each of @client's variables (%NULL: not one), worked out once
 * for both indexes. */
static GStrv
variable_phones (NcClient *client)
{
  GPtrArray *variables = nc_client_get_variables (client);
  guint n = variables != NULL ? variables->len : 0;
  GStrv phones = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    phones[i] = nc_phone_try_normalize (((NcVariable *) g_ptr_array_index (variables, i))->value);
  return phones;
}

static void
free_phones (GStrv  phones,
             guint  n)
{
  /* Not g_strfreev(): a %NULL ends that, and these have holes. */
  for (guint i = 0; i < n; i++)
    g_free (phones[i]);
  g_free (phones);
}

static guint
n_variables (NcClient *client)
{
  GPtrArray *variables = nc_client_get_variables (client);

  return variables != NULL ? variables->len : 0;
}

static void
append_line (GString    *body,
             const char *text)
{
  g_string_append_c (body, '\n');
  g_string_append (body, text);
}

/* What a client is found by: the name, the phone, every variable's value and, for a value
 * that is a number (@phones, from variable_phones()), its digits. */
static char *
search_body (NcClient *client,
             GStrv     phones)
{
  GString *body = g_string_sized_new (256);
  GPtrArray *variables = nc_client_get_variables (client);

  if (nc_client_get_name (client) != NULL)
    g_string_append (body, nc_client_get_name (client));
  if (nc_client_get_phone (client) != NULL)
    append_line (body, nc_client_get_phone (client));

  for (guint i = 0; variables != NULL && i < variables->len; i++)
    {
      NcVariable *variable = g_ptr_array_index (variables, i);

      /* Not what the last call's note wrote into the variables: the journal's text finds
       * that call by its note, and would otherwise find every call of the client too. */
      if (g_str_equal (variable->name, NC_LAST_OUTCOME_VARIABLE) ||
          g_str_equal (variable->name, NC_LAST_NOTE_VARIABLE) ||
          g_str_equal (variable->name, NC_LAST_TIME_VARIABLE))
        continue;
      append_line (body, variable->value);
      /* A number kept as "+7 916 111-22-33" is found by its digits too. */
      if (phones[i] != NULL && g_strcmp0 (phones[i], variable->value) != 0)
        append_line (body, phones[i]);
    }

  return g_string_free (body, FALSE);
}

/* @fresh: the client has no phones indexed yet */
static gboolean
index_phones (NcStoreConnection  *conn,
              gint64              id,
              NcClient           *client,
              gboolean            fresh,
              GStrv               phones,
              GError            **error)
{
  GPtrArray *variables = nc_client_get_variables (client);
  NcStoreStmt *stmt;

  if (!fresh)
    {
      stmt = nc_store_prepare (conn, "DELETE FROM client_phones WHERE client_id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      nc_store_bind_int64 (stmt, 1, id);
      if (!nc_store_step_done (stmt, error))
        return FALSE;
    }

  stmt = nc_store_prepare (conn,
                           "INSERT INTO client_phones (phone, client_id, own, variable) "
                           "VALUES (?1, ?2, ?3, ?4)", error);
  if (stmt == NULL)
    return FALSE;

  if (nc_client_get_phone (client) != NULL)
    {
      nc_store_bind_text (stmt, 1, nc_client_get_phone (client));
      nc_store_bind_int64 (stmt, 2, id);
      nc_store_bind_int64 (stmt, 3, 1);
      nc_store_bind_null (stmt, 4);
      if (!nc_store_step_done (stmt, error))
        return FALSE;
    }

  for (guint i = 0; variables != NULL && i < variables->len; i++)
    {
      NcVariable *variable = g_ptr_array_index (variables, i);

      if (phones[i] == NULL)
        continue;

      nc_store_bind_text (stmt, 1, phones[i]);
      nc_store_bind_int64 (stmt, 2, id);
      nc_store_bind_int64 (stmt, 3, 0);
      nc_store_bind_text (stmt, 4, variable->name);
      if (!nc_store_step_done (stmt, error))
        return FALSE;
    }

  return TRUE;
}

/* @fresh: the client is not indexed yet: nothing to delete first, which an import of a
 * million clients would pay a million times. */
static gboolean
index_client (NcStoreConnection  *conn,
              gint64              id,
              NcClient           *client,
              gboolean            fresh,
              GError            **error)
{
  GStrv phones = variable_phones (client);
  g_autofree char *body = search_body (client, phones);
  gboolean ok = index_phones (conn, id, client, fresh, phones, error) &&
                (fresh ? conn->backend->add_search (conn, id, body, error)
                       : conn->backend->index_search (conn, id, body, error));

  free_phones (phones, n_variables (client));
  return ok;
}

/* Brings the indexes of client @id in step with @client, as it is now stored. */
gboolean
nc_store_index_client (NcStoreConnection  *conn,
                       gint64              id,
                       NcClient           *client,
                       GError            **error)
{
  return index_client (conn, id, client, FALSE, error);
}

/* As nc_store_index_client(), for a client that is not indexed yet. */
gboolean
nc_store_index_new_client (NcStoreConnection  *conn,
                           gint64              id,
                           NcClient           *client,
                           GError            **error)
{
  return index_client (conn, id, client, TRUE, error);
}

/* After client @id is deleted; its phones went with it (ON DELETE CASCADE). */
gboolean
nc_store_unindex_client (NcStoreConnection  *conn,
                         gint64              id,
                         GError            **error)
{
  return conn->backend->index_search (conn, id, NULL, error);
}

/* The search text of client @id alone (version 2 of the schema, for the clients that
 * were already there: their phones were indexed). */
gboolean
nc_store_index_search_text (NcStoreConnection  *conn,
                            gint64              id,
                            NcClient           *client,
                            GError            **error)
{
  GStrv phones = variable_phones (client);
  g_autofree char *body = search_body (client, phones);

  free_phones (phones, n_variables (client));
  return conn->backend->index_search (conn, id, body, error);
}

/* ------------------------------------------------------------------------------------ */
/* Searching                                                                            */

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

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* The ids of @text's matches in (@after_id, @until_id], oldest client first. */
static gboolean
search_text (NcStoreConnection  *conn,
             const char         *text,
             gint64              after_id,
             gint64              until_id,
             guint               limit,
             GArray             *ids,
             GError            **error)
{
  /* Shorter than a trigram: names that begin with it, from the name index. */
  if (g_utf8_strlen (text, -1) >= 3)
    return conn->backend->search (conn, text, after_id, until_id, limit, ids, error);
  return conn->backend->name_prefix (conn, text, after_id, until_id, limit, ids, error);
}

/* The clients that a search for @query finds, inside any job: those whose ids are above
 * @after_id and at most @until_id (0: no bound), oldest first, at most @limit. The list's
 * pages are ranges of ids, so that a page further down costs what the first one does. */
GArray *
nc_store_search_client_range (NcStoreConnection  *conn,
                              const char         *query,
                              gint64              after_id,
                              gint64              until_id,
                              guint               limit,
                              GError            **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (query));
  /* A number typed in any format is searched by its digits, as the index holds them, and
   * with the trunk prefix 8 as 7 (nc_phone_search_forms()). */
  g_auto(GStrv) forms = nc_phone_search_forms (trimmed);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (until_id <= 0)
    until_id = G_MAXINT64;
  if (forms == NULL)
    return search_text (conn, trimmed, after_id, until_id, limit, ids, error)
           ? g_steal_pointer (&ids) : NULL;

  for (guint i = 0; forms[i] != NULL; i++)
    if (!search_text (conn, forms[i], after_id, until_id, limit, ids, error))
      return NULL;
  if (forms[0] != NULL && forms[1] != NULL)
    {
      guint kept = 0;

      /* Both forms' answers, once each, oldest first, no more than asked for: the first
       * @limit of the union are among the first @limit of each. */
      g_array_sort (ids, compare_ids);
      for (guint i = 0; i < ids->len; i++)
        if (kept == 0 || g_array_index (ids, gint64, kept - 1) != g_array_index (ids, gint64, i))
          g_array_index (ids, gint64, kept++) = g_array_index (ids, gint64, i);
      g_array_set_size (ids, MIN (kept, limit));
    }
  return g_steal_pointer (&ids);
}

/* The clients that a search for @query finds, inside any job. */
GArray *
nc_store_search_client_ids (NcStoreConnection  *conn,
                            const char         *query,
                            guint               limit,
                            GError            **error)
{
  return nc_store_search_client_range (conn, query, 0, 0, limit, error);
}

static gpointer
search_clients_job (NcStoreConnection  *conn,
                    gpointer            data,
                    GError            **error)
{
  Search *search = data;

  return nc_store_search_client_ids (conn, search->query, search->limit, error);
}

static NcStoreJob *
search_job_new (const char *query,
                guint       limit)
{
  Search *search = g_new0 (Search, 1);

  search->query = g_strdup (query);
  search->limit = limit;
  return nc_store_job_new (search_clients_job, search, (GDestroyNotify) search_free,
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

  return nc_store_submit_sync (self, NC_STORE_READER, search_job_new (query, limit), error);
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

  nc_store_submit_async (self, NC_STORE_READER, search_job_new (query, limit),
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
/* Pages of the clients found                                                           */

typedef struct
{
  char  *text;
  gint64 after_id;
  gint64 until_id;
  guint  limit;
} FindPage;

static void
find_page_free (FindPage *page)
{
  g_free (page->text);
  g_free (page);
}

/* The clients @text finds in (@after_id, @until_id], oldest first, inside any job. */
static GPtrArray *
find_clients (NcStoreConnection  *conn,
              const char         *text,
              gint64              after_id,
              gint64              until_id,
              guint               limit,
              GError            **error)
{
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(GArray) ids = NULL;
  NcStoreStmt *stmt;

  if (until_id <= 0)
    until_id = G_MAXINT64;
  if (text == NULL || *text == '\0')
    {
      stmt = nc_store_prepare (conn,
                               "SELECT id, name, channel, phone, created FROM clients "
                               "WHERE id > ?1 AND id <= ?2 AND" NC_STORE_CLIENT_SHOWN ("")
                               "ORDER BY id LIMIT ?3", error);
      if (stmt == NULL)
        return NULL;
      nc_store_bind_int64 (stmt, 1, after_id);
      nc_store_bind_int64 (stmt, 2, until_id);
      nc_store_bind_int64 (stmt, 3, limit > 0 ? (gint64) limit : G_MAXINT64);
      return nc_store_collect_clients (stmt, error);
    }

  ids = nc_store_search_client_range (conn, text, after_id, until_id,
                                      limit > 0 ? limit : G_MAXUINT, error);
  if (ids == NULL)
    return NULL;
  stmt = nc_store_prepare (conn,
                           "SELECT id, name, channel, phone, created FROM clients WHERE id = ?1",
                           error);
  if (stmt == NULL)
    return NULL;
  clients = g_ptr_array_new_full (ids->len, g_object_unref);
  for (guint i = 0; i < ids->len; i++)
    {
      NcStoreStep step;

      nc_store_bind_int64 (stmt, 1, g_array_index (ids, gint64, i));
      step = nc_store_step (stmt, error);
      /* One deleted since the index was read is no longer there to show. */
      if (step == NC_STORE_STEP_ROW)
        g_ptr_array_add (clients, nc_store_client_from_row (stmt));
      nc_store_reset (stmt);
      if (step == NC_STORE_STEP_ERROR)
        return NULL;
    }
  return g_steal_pointer (&clients);
}

static gpointer
find_clients_job (NcStoreConnection  *conn,
                  gpointer            data,
                  GError            **error)
{
  FindPage *page = data;

  return find_clients (conn, page->text, page->after_id, page->until_id, page->limit, error);
}

static NcStoreJob *
find_clients_job_new (const char *text,
                      gint64      after_id,
                      gint64      until_id,
                      guint       limit)
{
  FindPage *page = g_new0 (FindPage, 1);

  page->text = g_strdup (text);
  page->after_id = after_id;
  page->until_id = until_id;
  page->limit = limit;
  return nc_store_job_new (find_clients_job, page, (GDestroyNotify) find_page_free,
                           (GDestroyNotify) g_ptr_array_unref);
}

/**
 * nc_store_find_clients_sync:
 * @text: (nullable): a fragment of a name, of a number in any format, or of a variable's
 *   value (as nc_store_search_clients_sync() takes it); %NULL or empty: every client
 * @after_id: the clients after this id (0: from the first)
 * @until_id: up to this id, itself included (0: to the last)
 * @limit: at most this many (0: all)
 *
 * A page of the clients @text finds, in the order they were made: the next page starts
 * after the last id of this one, so that every page costs the same however far down it is.
 *
 * Returns: (transfer full) (element-type NcClient): the clients, without variables
 */
GPtrArray *
nc_store_find_clients_sync (NcStore     *self,
                            const char  *text,
                            gint64       after_id,
                            gint64       until_id,
                            guint        limit,
                            GError     **error)
{
  g_return_val_if_fail (NC_IS_STORE (self), NULL);

  return nc_store_submit_sync (self, NC_STORE_READER,
                               find_clients_job_new (text, after_id, until_id, limit), error);
}

void
nc_store_find_clients_async (NcStore             *self,
                             const char          *text,
                             gint64               after_id,
                             gint64               until_id,
                             guint                limit,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (NC_IS_STORE (self));

  nc_store_submit_async (self, NC_STORE_READER,
                         find_clients_job_new (text, after_id, until_id, limit),
                         nc_store_find_clients_async, cancellable, callback, user_data);
}

/**
 * nc_store_find_clients_finish:
 *
 * Returns: (transfer full) (element-type NcClient): the clients, without variables
 */
GPtrArray *
nc_store_find_clients_finish (NcStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------ */
/* The matcher's lookups                                                                */

typedef struct
{
  gint64 telephony_client;
  gint64 any_client;
} Lookup;

/* The first column of the first row, or 0 when there is none. */
static gboolean
first_id (NcStoreStmt  *stmt,
          gint64       *out_id,
          GError      **error)
{
  NcStoreStep step = nc_store_step (stmt, error);

  *out_id = step == NC_STORE_STEP_ROW ? nc_store_column_int64 (stmt, 0) : 0;
  nc_store_reset (stmt);
  return step != NC_STORE_STEP_ERROR;
}

/* The matcher's two lookups, inside any job: see nc_store_lookup_phone_sync(). */
gboolean
nc_store_lookup_phone (NcStoreConnection  *conn,
                       const char         *canonical,
                       gint64             *out_telephony_client,
                       gint64             *out_any_client,
                       GError            **error)
{
  NcStoreStmt *stmt;

  stmt = nc_store_prepare (conn,
                           "SELECT p.client_id FROM client_phones p "
                           "JOIN clients c ON c.id = p.client_id "
                           "WHERE p.phone = ?1 AND p.own = 1 AND c.channel = 'telephony' AND"
                           NC_STORE_CLIENT_SHOWN ("c.")
                           "ORDER BY p.client_id LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_text (stmt, 1, canonical);
  if (!first_id (stmt, out_telephony_client, error))
    return FALSE;

  stmt = nc_store_prepare (conn,
                           "SELECT p.client_id FROM client_phones p "
                           "JOIN clients c ON c.id = p.client_id "
                           "WHERE p.phone = ?1 AND" NC_STORE_CLIENT_SHOWN ("c.")
                           "ORDER BY p.client_id LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_text (stmt, 1, canonical);
  return first_id (stmt, out_any_client, error);
}

static gpointer
lookup_phone_job (NcStoreConnection  *conn,
                  gpointer            data,
                  GError            **error)
{
  g_autofree Lookup *lookup = g_new0 (Lookup, 1);

  if (!nc_store_lookup_phone (conn, data, &lookup->telephony_client, &lookup->any_client,
                              error))
    return NULL;
  return g_steal_pointer (&lookup);
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

  lookup = nc_store_submit_sync (self, NC_STORE_READER,
                                 nc_store_job_new (lookup_phone_job, g_strdup (canonical),
                                                   g_free, g_free),
                                 error);
  if (lookup == NULL)
    return FALSE;

  *out_telephony_client = lookup->telephony_client;
  *out_any_client = lookup->any_client;
  return TRUE;
}
