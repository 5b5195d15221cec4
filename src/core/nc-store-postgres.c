/* nc-store-postgres.c — the store's PostgreSQL backend: one database for a whole office
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With nc-store-sqlite.c, the only file that talks to a database library (libpq here): the
 * connections, the statements (the concern files' `?N` parameters become `$N`, each
 * statement is prepared on the server once per connection, with the types of its first
 * binding), the errors an admin can act on, BEGIN/SAVEPOINT, the version table, pg_trgm
 * behind search, advisory locks behind the request budget and the change log, and the
 * LISTEN connection through which every console hears of each change at COMMIT. The DDL of
 * each schema version, in PostgreSQL's words, is nc-store-postgres-schema.c.
 *
 * Rows come back whole from the server (libpq's PGresult); the journal's pages and every
 * other read ask for a bounded number of them.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <string.h>
#include <libpq-fe.h>
#include <glib/gi18n.h>

#include "nc-store-private.h"

/* The types of the parameters as the server is told them (pg_type.h). */
#define INT8_OID 20
#define TEXT_OID 25

/* Advisory locks of this application: the request budget, the change log's order. */
#define BUDGET_LOCK 81997825
#define CHANGES_LOCK 81997826

typedef struct
{
  NcStoreConnection  base;
  PGconn            *pg;
  char              *conninfo;
  char              *password;
  guint              generation;   /* one more at each reconnection: statements re-prepare */
  guint              next_statement;
  gint64             changes;      /* rows of the last INSERT, UPDATE or DELETE */
  gboolean           read_only;
  guint              relaxed_in;   /* the generation that has synchronous_commit off; 0: none */
} Connection;

typedef struct
{
  NcStoreStmt  base;
  char        *sql;             /* with $N */
  char        *name;
  guint        generation;      /* the connection's, when prepared; 0: not yet */
  int          n_params;
  char       **values;
  Oid         *types;
  PGresult    *result;
  int          row;             /* the current row of result; -1 before the first */
} Statement;

#define PG(conn) (((Connection *) (conn))->pg)

/* ------------------------------------------------------------------------------------ */
/* Errors                                                                                */

static char *
redact (const char *conninfo)
{
  return nc_store_redact_url (conninfo);
}

static void
set_connect_error (GError     **error,
                   PGconn      *pg,
                   const char  *name)
{
  const char *message = pg != NULL ? PQerrorMessage (pg) : "";
  g_autofree char *detail = g_strstrip (g_strdup (message));

  /* libpq says why only in words; these are its own (they are not translated on the
   * client side: the server's are, but these come before any server answers). */
  if (strstr (message, "password authentication failed") != NULL ||
      strstr (message, "no password supplied") != NULL ||
      (pg != NULL && PQconnectionNeedsPassword (pg)))
    g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_AUTH,
                 _("The database %s refused the user name or password: check them in "
                   "Preferences"), name);
  else if (strstr (message, "does not exist") != NULL && strstr (message, "database") != NULL)
    g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND,
                 _("There is no database %s on that server: create it, or correct the "
                   "address (%s)"), name, detail);
  else if (strstr (message, "Connection refused") != NULL ||
           strstr (message, "No such file or directory") != NULL ||
           strstr (message, "could not translate host name") != NULL ||
           strstr (message, "timeout expired") != NULL ||
           strstr (message, "No route to host") != NULL)
    g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_UNREACHABLE,
                 _("Could not reach the database server of %s: is PostgreSQL running there, "
                   "and reachable from this computer? (%s)"), name, detail);
  else
    g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_FAILED,
                 _("Could not connect to %s: %s"), name, detail);
}

static void
set_result_error (GError           **error,
                  NcStoreConnection *conn,
                  PGresult          *result)
{
  const char *state = result != NULL ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;
  const char *primary = result != NULL ? PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY)
                                       : NULL;
  g_autofree char *detail = g_strstrip (g_strdup (primary != NULL ? primary
                                                                  : PQerrorMessage (PG (conn))));

  if (PQstatus (PG (conn)) != CONNECTION_OK || g_strcmp0 (state, "57P01") == 0 ||
      (state != NULL && g_str_has_prefix (state, "08")))
    g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_DISCONNECTED,
                 _("The connection to the database %s was lost: %s"), conn->name, detail);
  else if (state != NULL && g_str_has_prefix (state, "23"))
    g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID, _("The data was refused: %s"),
                 detail);
  else if (g_strcmp0 (state, "53100") == 0)
    g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_FULL,
                 _("The disk of the database server is full: %s"), detail);
  else if (g_strcmp0 (state, "40001") == 0 || g_strcmp0 (state, "40P01") == 0 ||
           g_strcmp0 (state, "55P03") == 0)
    g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_LOCKED,
                 _("The data in %s is in use by another program; try again"), conn->name);
  else if (g_strcmp0 (state, "42501") == 0)
    g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_AUTH,
                 _("The database user may not do this in %s: %s (see the README for the "
                   "rights it needs)"), conn->name, detail);
  else
    g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_FAILED,
                 _("Could not use the data in %s: %s"), conn->name, detail);
}

/* ------------------------------------------------------------------------------------ */
/* Connections                                                                           */

/* Blocks, as every connection of the store's workers does (they are threads of their own).
 * The URL's own settings win over the defaults before it; the password, from the keyring,
 * comes after. */
static PGconn *
connect_pg (const char *conninfo,
            const char *password)
{
  const char *keys[5], *values[5];
  int n = 0;

  keys[n] = "connect_timeout", values[n++] = "10";
  keys[n] = "application_name", values[n++] = "novofon-console";
  keys[n] = "dbname", values[n++] = conninfo;
  if (password != NULL)
    keys[n] = "password", values[n++] = password;
  keys[n] = NULL, values[n] = NULL;
  return PQconnectdbParams (keys, values, 1);
}

/* The server's notices (a connection it terminates, say) go to the debug log, not to
 * standard error where libpq writes them by default. */
static void
notice (void       *user_data,
        const char *message)
{
  g_autofree char *line = g_strchomp (g_strdup (message));

  g_debug ("The database server says: %s", line);
}

static gboolean
setup_session (Connection  *self,
               GError     **error)
{
  /* The store's own rules whatever the server's defaults: UTF-8, the time in UTC where the
   * server writes it, and a reader that cannot write. */
  const char *sql = self->read_only
                    ? "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'; "
                      "SET default_transaction_read_only = on; SET client_min_messages = warning"
                    : "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'; "
                      "SET client_min_messages = warning";
  PGresult *result;
  gboolean ok;

  PQsetNoticeProcessor (self->pg, notice, NULL);
  result = PQexec (self->pg, sql);
  ok = PQresultStatus (result) == PGRES_COMMAND_OK;

  if (!ok)
    set_result_error (error, &self->base, result);
  PQclear (result);
  return ok;
}

static void
pg_close (NcStoreConnection *conn)
{
  Connection *self = (Connection *) conn;

  if (self->pg != NULL)
    PQfinish (self->pg);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  g_free (self->conninfo);
  g_free (conn->name);
  g_free (self);
}

/* @location: a libpq connection URL (postgresql://…); its password, if the keyring has
 * one, follows a newline (nc_store_open_database()). */
static NcStoreConnection *
pg_open (const char  *location,
         gboolean     read_only,
         guint        busy_timeout_ms,
         GError     **error)
{
  Connection *self = g_new0 (Connection, 1);
  const char *newline = strchr (location, '\n');

  self->conninfo = newline != NULL ? g_strndup (location, newline - location)
                                   : g_strdup (location);
  self->password = newline != NULL ? g_strdup (newline + 1) : NULL;
  self->read_only = read_only;
  self->base.name = redact (self->conninfo);
  self->pg = connect_pg (self->conninfo, self->password);
  if (PQstatus (self->pg) != CONNECTION_OK)
    {
      set_connect_error (error, self->pg, self->base.name);
      pg_close (&self->base);
      return NULL;
    }
  self->generation = 1;
  if (!setup_session (self, error))
    {
      pg_close (&self->base);
      return NULL;
    }
  return &self->base;
}

/* A connection that was lost is made again before the next job; its statements are
 * prepared again as they are used. */
static gboolean
pg_reconnect (NcStoreConnection  *conn,
              GError            **error)
{
  Connection *self = (Connection *) conn;

  if (PQstatus (self->pg) == CONNECTION_OK)
    return TRUE;
  PQreset (self->pg);
  if (PQstatus (self->pg) != CONNECTION_OK)
    {
      set_connect_error (error, self->pg, conn->name);
      return FALSE;
    }
  self->generation++;
  return setup_session (self, error);
}

static void
pg_set_busy_timeout (NcStoreConnection *conn,
                     guint              milliseconds)
{
  /* The server decides how long a lock waits (lock_timeout); nothing to do per process. */
}

static gboolean
command (NcStoreConnection  *conn,
         const char         *sql,
         GError            **error)
{
  PGresult *result = PQexec (PG (conn), sql);
  ExecStatusType status = PQresultStatus (result);
  gboolean ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;

  if (!ok)
    set_result_error (error, conn, result);
  PQclear (result);
  return ok;
}

static gboolean
pg_exec (NcStoreConnection  *conn,
         const char         *script,
         GError            **error)
{
  return command (conn, script, error);
}

static gboolean
pg_setup_writer (NcStoreConnection  *conn,
                 GError            **error)
{
  /* COMMIT returns once the server has the transaction on disk (the default). */
  return command (conn, "SET synchronous_commit = on", error);
}

/* synchronous_commit = off: the COMMIT does not wait for the WAL's flush; a crash of the
 * server may take the transaction back, never half of it. */
static gboolean
pg_set_durable (NcStoreConnection  *conn,
                gboolean            durable,
                GError            **error)
{
  Connection *self = (Connection *) conn;
  /* A connection made again has the setting of setup_writer(): on. */
  gboolean relaxed = self->relaxed_in != 0 && self->relaxed_in == self->generation;

  if (relaxed == !durable)
    return TRUE;
  if (!command (conn, durable ? "SET synchronous_commit = on" : "SET synchronous_commit = off",
                error))
    return FALSE;
  self->relaxed_in = durable ? 0 : self->generation;
  return TRUE;
}

/* ------------------------------------------------------------------------------------ */
/* Statements                                                                            */

/* `?N` → `$N`, outside quoted strings. */
static char *
to_dollar_params (const char *sql,
                  int        *out_n_params)
{
  GString *out = g_string_sized_new (strlen (sql) + 8);
  gboolean quoted = FALSE;
  int n = 0;

  for (const char *p = sql; *p != '\0'; p++)
    {
      if (*p == '\'')
        quoted = !quoted;
      if (*p == '?' && !quoted && g_ascii_isdigit (p[1]))
        {
          int index = (int) g_ascii_strtoll (p + 1, NULL, 10);

          g_string_append_c (out, '$');
          n = MAX (n, index);
          continue;
        }
      g_string_append_c (out, *p);
    }
  *out_n_params = n;
  return g_string_free (out, FALSE);
}

static NcStoreStmt *
pg_prepare (NcStoreConnection  *conn,
            const char         *sql,
            GError            **error)
{
  Connection *connection = (Connection *) conn;
  Statement *self = g_new0 (Statement, 1);

  self->base.conn = conn;
  self->sql = to_dollar_params (sql, &self->n_params);
  self->name = g_strdup_printf ("nc%u", ++connection->next_statement);
  self->values = g_new0 (char *, MAX (1, self->n_params));
  self->types = g_new0 (Oid, MAX (1, self->n_params));
  self->row = -1;
  return &self->base;
}

static void
clear_values (Statement *self)
{
  for (int i = 0; i < self->n_params; i++)
    g_clear_pointer (&self->values[i], g_free);
}

static void
pg_finalize (NcStoreStmt *stmt)
{
  Statement *self = (Statement *) stmt;

  g_clear_pointer (&self->result, PQclear);
  clear_values (self);
  g_free (self->values);
  g_free (self->types);
  g_free (self->name);
  g_free (self->sql);
  g_free (self);
}

static void
bind_value (NcStoreStmt *stmt,
            int          index,
            char        *value,
            Oid          type)
{
  Statement *self = (Statement *) stmt;

  g_return_if_fail (index >= 1 && index <= self->n_params);
  g_free (self->values[index - 1]);
  self->values[index - 1] = value;
  /* The type the statement is prepared with: its first binding's. */
  if (self->types[index - 1] == 0)
    self->types[index - 1] = type;
}

static void
pg_bind_text (NcStoreStmt *stmt,
              int          index,
              const char  *text)
{
  bind_value (stmt, index, g_strdup (text), text != NULL ? TEXT_OID : 0);
}

static void
pg_bind_int64 (NcStoreStmt *stmt,
               int          index,
               gint64       value)
{
  bind_value (stmt, index, g_strdup_printf ("%" G_GINT64_FORMAT, value), INT8_OID);
}

static void
pg_bind_null (NcStoreStmt *stmt,
              int          index)
{
  bind_value (stmt, index, NULL, 0);
}

static gboolean
ensure_prepared (Statement  *self,
                 GError    **error)
{
  Connection *conn = (Connection *) self->base.conn;
  PGresult *result;
  gboolean ok;

  if (self->generation == conn->generation)
    return TRUE;
  result = PQprepare (conn->pg, self->name, self->sql, self->n_params, self->types);
  ok = PQresultStatus (result) == PGRES_COMMAND_OK;
  if (!ok)
    set_result_error (error, &conn->base, result);
  PQclear (result);
  if (ok)
    self->generation = conn->generation;
  return ok;
}

static NcStoreStep
pg_step (NcStoreStmt  *stmt,
         GError      **error)
{
  Statement *self = (Statement *) stmt;
  Connection *conn = (Connection *) stmt->conn;
  ExecStatusType status;

  if (self->result == NULL)
    {
      if (!ensure_prepared (self, error))
        return NC_STORE_STEP_ERROR;
      self->result = PQexecPrepared (conn->pg, self->name, self->n_params,
                                     (const char *const *) self->values, NULL, NULL, 0);
      status = PQresultStatus (self->result);
      /* A reader whose connection was lost (the server restarted) reads again on a new one:
       * a read is harmless to repeat, a write never is. */
      if (status == PGRES_FATAL_ERROR && conn->read_only && PQstatus (conn->pg) != CONNECTION_OK &&
          pg_reconnect (stmt->conn, NULL) && ensure_prepared (self, NULL))
        {
          g_clear_pointer (&self->result, PQclear);
          self->result = PQexecPrepared (conn->pg, self->name, self->n_params,
                                         (const char *const *) self->values, NULL, NULL, 0);
          status = PQresultStatus (self->result);
        }
      if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        {
          set_result_error (error, stmt->conn, self->result);
          g_clear_pointer (&self->result, PQclear);
          return NC_STORE_STEP_ERROR;
        }
      conn->changes = g_ascii_strtoll (PQcmdTuples (self->result), NULL, 10);
      self->row = -1;
    }

  if (PQresultStatus (self->result) != PGRES_TUPLES_OK || ++self->row >= PQntuples (self->result))
    return NC_STORE_STEP_DONE;
  return NC_STORE_STEP_ROW;
}

static const char *
pg_column_text (NcStoreStmt *stmt,
                int          index)
{
  Statement *self = (Statement *) stmt;

  if (PQgetisnull (self->result, self->row, index))
    return NULL;
  return PQgetvalue (self->result, self->row, index);
}

static gint64
pg_column_int64 (NcStoreStmt *stmt,
                 int          index)
{
  const char *text = pg_column_text (stmt, index);

  if (text == NULL)
    return 0;
  /* A boolean answers t or f. */
  if (*text == 't')
    return 1;
  if (*text == 'f')
    return 0;
  return g_ascii_strtoll (text, NULL, 10);
}

static gboolean
pg_column_is_null (NcStoreStmt *stmt,
                   int          index)
{
  Statement *self = (Statement *) stmt;

  return PQgetisnull (self->result, self->row, index);
}

static void
pg_reset (NcStoreStmt *stmt)
{
  Statement *self = (Statement *) stmt;

  g_clear_pointer (&self->result, PQclear);
  self->row = -1;
  clear_values (self);
}

static gint64
pg_changes (NcStoreConnection *conn)
{
  return ((Connection *) conn)->changes;
}

static const char *const transaction_sql[NC_STORE_N_TRANSACTIONS] = {
  [NC_STORE_BEGIN] = "BEGIN",
  [NC_STORE_COMMIT] = "COMMIT",
  [NC_STORE_ROLLBACK] = "ROLLBACK",
  [NC_STORE_SAVEPOINT] = "SAVEPOINT job",
  [NC_STORE_ROLLBACK_TO] = "ROLLBACK TO SAVEPOINT job",
  [NC_STORE_RELEASE] = "RELEASE SAVEPOINT job",
};

static gboolean
pg_transaction (NcStoreConnection   *conn,
                NcStoreTransaction   what,
                GError             **error)
{
  return command (conn, transaction_sql[what], error);
}

/* ------------------------------------------------------------------------------------ */
/* Schema                                                                                */

static gboolean
query_int (NcStoreConnection  *conn,
           const char         *sql,
           int                *out_value,
           GError            **error)
{
  PGresult *result = PQexec (PG (conn), sql);
  gboolean ok = PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1;

  if (ok)
    *out_value = PQgetisnull (result, 0, 0) ? 0
                 : *PQgetvalue (result, 0, 0) == 't' ? 1
                 : *PQgetvalue (result, 0, 0) == 'f' ? 0
                 : (int) g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  else
    set_result_error (error, conn, result);
  PQclear (result);
  return ok;
}

/* The version is a table of its own, nc_schema, as SQLite's is user_version. */
static gboolean
pg_get_version (NcStoreConnection  *conn,
                int                *out_version,
                GError            **error)
{
  int exists = 0;

  *out_version = 0;
  if (!pg_reconnect (conn, error) ||
      !query_int (conn, "SELECT to_regclass ('nc_schema') IS NOT NULL", &exists, error))
    return FALSE;
  return !exists || query_int (conn, "SELECT MAX (version) FROM nc_schema", out_version, error);
}

static gboolean
pg_set_version (NcStoreConnection  *conn,
                int                 version,
                GError            **error)
{
  g_autofree char *sql = g_strdup_printf ("CREATE TABLE IF NOT EXISTS nc_schema "
                                          "(version INTEGER NOT NULL); "
                                          "DELETE FROM nc_schema; "
                                          "INSERT INTO nc_schema (version) VALUES (%d)",
                                          version);

  return command (conn, sql, error);
}

/* ------------------------------------------------------------------------------------ */
/* Locks                                                                                 */

/* Held until the batch's COMMIT: one process at a time takes from the budget. */
static gboolean
pg_lock_budget (NcStoreConnection  *conn,
                GError            **error)
{
  return command (conn, "SELECT pg_advisory_xact_lock (" G_STRINGIFY (BUDGET_LOCK) ")", error);
}

/* The change log's ids are given in the order of COMMITs: a reader that read up to one id
 * never finds a smaller one committed after. */
static gboolean
pg_lock_changes (NcStoreConnection  *conn,
                 GError            **error)
{
  return command (conn, "SELECT pg_advisory_xact_lock (" G_STRINGIFY (CHANGES_LOCK) ")", error);
}

/* ------------------------------------------------------------------------------------ */
/* The feed: LISTEN on a connection of its own                                           */

struct _NcStoreFeed
{
  PGconn *pg;
  char   *conninfo;
  char   *password;
};

static void pg_feed_close (NcStoreFeed *feed);

static NcStoreFeed *
pg_feed_open (const char  *location,
              GError     **error)
{
  NcStoreFeed *feed = g_new0 (NcStoreFeed, 1);
  const char *newline = strchr (location, '\n');
  g_autofree char *name = NULL;
  PGresult *result;

  feed->conninfo = newline != NULL ? g_strndup (location, newline - location)
                                   : g_strdup (location);
  feed->password = newline != NULL ? g_strdup (newline + 1) : NULL;
  name = redact (feed->conninfo);
  feed->pg = connect_pg (feed->conninfo, feed->password);
  if (PQstatus (feed->pg) != CONNECTION_OK)
    {
      set_connect_error (error, feed->pg, name);
      pg_feed_close (feed);
      return NULL;
    }
  PQsetNoticeProcessor (feed->pg, notice, NULL);
  result = PQexec (feed->pg, "LISTEN nc_changes");
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    {
      g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_FAILED,
                   _("Could not listen for changes in %s: %s"), name,
                   PQresultErrorMessage (result));
      PQclear (result);
      pg_feed_close (feed);
      return NULL;
    }
  PQclear (result);
  PQsetnonblocking (feed->pg, 1);
  return feed;
}

static int
pg_feed_get_fd (NcStoreFeed *feed)
{
  return PQsocket (feed->pg);
}

/* Reads what the socket has. Returns FALSE when the connection is lost. */
static gboolean
pg_feed_consume (NcStoreFeed *feed,
                 guint       *out_notified)
{
  PGnotify *notify;
  guint n = 0;

  if (!PQconsumeInput (feed->pg) || PQstatus (feed->pg) != CONNECTION_OK)
    return FALSE;
  while ((notify = PQnotifies (feed->pg)) != NULL)
    {
      n++;
      PQfreemem (notify);
    }
  *out_notified = n;
  return TRUE;
}

static void
pg_feed_close (NcStoreFeed *feed)
{
  if (feed == NULL)
    return;
  if (feed->pg != NULL)
    PQfinish (feed->pg);
  if (feed->password != NULL)
    memset (feed->password, 0, strlen (feed->password));
  g_free (feed->password);
  g_free (feed->conninfo);
  g_free (feed);
}

/* ------------------------------------------------------------------------------------ */
/* What the console checks on connecting                                                  */

static char *
pg_server_version (NcStoreConnection *conn)
{
  int version = PQserverVersion (PG (conn));

  return g_strdup_printf ("PostgreSQL %d.%d", version / 10000, version % 10000);
}

static gboolean
pg_check_server (NcStoreConnection  *conn,
                 GError            **error)
{
  int version = PQserverVersion (PG (conn));
  PGresult *result;
  gboolean ok;

  if (version < 150000)
    {
      g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_FAILED,
                   _("The database server of %s is PostgreSQL %d.%d: Novofon Console needs "
                     "version 15 or newer"), conn->name, version / 10000, version % 10000 / 100);
      return FALSE;
    }
  /* pg_trgm: created by the schema if the user may, else it must be there. */
  result = PQexec (PG (conn),
                   "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'");
  ok = PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1;
  PQclear (result);
  if (!ok)
    g_set_error (error, NC_STORE_ERROR, NC_STORE_ERROR_FAILED,
                 _("The database server of %s has no pg_trgm extension, which search needs: "
                   "install postgresql-contrib there"), conn->name);
  return ok;
}

/* ------------------------------------------------------------------------------------ */

const NcStoreBackend nc_store_postgres_backend = {
  .name = "postgresql",

  .open = pg_open,
  .close = pg_close,
  .reconnect = pg_reconnect,
  .set_busy_timeout = pg_set_busy_timeout,
  .setup_writer = pg_setup_writer,
  .check_server = pg_check_server,
  .server_version = pg_server_version,

  .prepare = pg_prepare,
  .finalize = pg_finalize,
  .bind_text = pg_bind_text,
  .bind_int64 = pg_bind_int64,
  .bind_null = pg_bind_null,
  .step = pg_step,
  .column_text = pg_column_text,
  .column_int64 = pg_column_int64,
  .column_is_null = pg_column_is_null,
  .reset = pg_reset,
  .changes = pg_changes,
  .set_durable = pg_set_durable,
  .transaction = pg_transaction,

  .get_version = pg_get_version,
  .set_version = pg_set_version,
  .exec = pg_exec,
  .migrations = nc_store_postgres_migrations,

  .index_search = nc_store_pg_index_search,
  .add_search = nc_store_pg_add_search,
  .search = nc_store_pg_search,
  .name_prefix = nc_store_pg_name_prefix,
  .note_match = "c.note ILIKE ?10",
  .note_pattern = nc_store_pg_note_pattern,
  .lock_budget = pg_lock_budget,
  .lock_changes = pg_lock_changes,
  .feed_open = pg_feed_open,
  .feed_get_fd = pg_feed_get_fd,
  .feed_consume = pg_feed_consume,
  .feed_close = pg_feed_close,
};
