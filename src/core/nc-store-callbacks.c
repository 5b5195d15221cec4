/* nc-store-callbacks.c — callback requests: the guard against calling a client twice
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A callback through the API is a request until the PBX starts its call: the request is
 * the guard (no other desk on this store calls the client meanwhile), and the call's first
 * NOTIFY_OUT_START is tied to it by the writer as it merges the event. A request whose
 * call never came lets go after its window.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-store-private.h"

/* The digits of a number, as a request keeps its client. */
static char *
digits_of (const char *text)
{
  GString *digits = g_string_new (NULL);

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (digits, *p);
  return g_string_free (digits, FALSE);
}

/* A desk's clock and the listener's may differ by this much. */
#define CLOCK_SLACK_US (5 * G_USEC_PER_SEC)

/* A callback is known only by the NOTIFY_OUT_START that follows it: the one whose internal
 * is the requested employee and whose destination is the requested client, while the
 * request is pending, and made before the call began (a call dialled by hand a moment
 * before a click is not that click's). Only the call's first OUT_START ties: its end, or a
 * later event, never takes a request. */
gboolean
nc_store_tie_callback (NcStoreConnection  *conn,
                       NcCallRecord       *record,
                       gboolean            first_out_start,
                       gint64              received_at_us,
                       GError            **error)
{
  g_autofree char *digits = digits_of (record->client_number);
  gint64 window = (gint64) NC_CALLBACK_WINDOW_SECONDS * G_USEC_PER_SEC;
  NcStoreStmt *stmt;
  NcStoreStep step;
  gint64 id = 0;

  if (!first_out_start || record->request_id != 0 ||
      record->direction != NC_CALL_DIRECTION_OUT || record->employee == NULL || *digits == '\0')
    return TRUE;

  stmt = nc_store_prepare (conn,
                           "SELECT id FROM callback_requests WHERE state = 0 AND "
                           "client_digits = ?1 AND employee_id = ?2 AND "
                           "requested_at_us BETWEEN ?3 AND ?4 ORDER BY id LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_text (stmt, 1, digits);
  nc_store_bind_text (stmt, 2, record->employee);
  nc_store_bind_int64 (stmt, 3, received_at_us - window);
  nc_store_bind_int64 (stmt, 4, received_at_us + CLOCK_SLACK_US);
  step = nc_store_step (stmt, error);
  if (step == NC_STORE_STEP_ROW)
    id = nc_store_column_int64 (stmt, 0);
  nc_store_reset (stmt);
  if (step == NC_STORE_STEP_ERROR)
    return FALSE;
  if (id == 0)
    return TRUE;

  stmt = nc_store_prepare (conn,
                           "UPDATE callback_requests SET state = 1, pbx_call_id = ?2 "
                           "WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  nc_store_bind_int64 (stmt, 1, id);
  nc_store_bind_text (stmt, 2, record->pbx_call_id);
  if (!nc_store_step_done (stmt, error))
    return FALSE;
  record->request_id = id;
  return TRUE;
}

/* ------------------------------------------------------------------------------------ */
/* Requests                                                                              */

typedef struct
{
  char   *digits;
  char   *employee_id;
  gint64  now_us;
  guint   window;
} RequestCallback;

static void
request_callback_free (RequestCallback *request)
{
  g_free (request->digits);
  g_free (request->employee_id);
  g_free (request);
}

static gpointer
request_callback_job (NcStoreConnection  *conn,
                      gpointer            data,
                      GError            **error)
{
  RequestCallback *request = data;
  gint64 window = (gint64) request->window * G_USEC_PER_SEC;
  g_autoptr(GError) insert_error = NULL;
  NcStoreStmt *stmt;
  NcStoreStep step;
  gint64 id = 0;

  /* A request whose call never came (its desk closed, say) lets go after the window. */
  stmt = nc_store_prepare (conn,
                           "UPDATE callback_requests SET state = 2 WHERE state = 0 AND "
                           "requested_at_us < ?1", error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, request->now_us - window);
  if (!nc_store_step_done (stmt, error))
    return NULL;

  /* The client is being called, from this desk or another: asked for and not come, or
   * come and not over. */
  stmt = nc_store_prepare (conn,
                           "SELECT r.id FROM callback_requests AS r WHERE r.client_digits = ?1 "
                           "AND (r.state = 0 OR (r.state = 1 AND EXISTS (SELECT 1 FROM calls "
                           "AS c WHERE c.pbx_call_id = r.pbx_call_id AND c.state < 2))) "
                           "LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_text (stmt, 1, request->digits);
  step = nc_store_step (stmt, error);
  nc_store_reset (stmt);
  if (step == NC_STORE_STEP_ERROR)
    return NULL;
  if (step == NC_STORE_STEP_ROW)
    {
      g_set_error_literal (error, NC_STORE_ERROR, NC_STORE_ERROR_BUSY,
                           _("This client is being called already"));
      return NULL;
    }

  stmt = nc_store_prepare (conn,
                           "INSERT INTO callback_requests (client_digits, employee_id, "
                           "requested_at_us) VALUES (?1, ?2, ?3) RETURNING id", error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_text (stmt, 1, request->digits);
  nc_store_bind_text (stmt, 2, request->employee_id);
  nc_store_bind_int64 (stmt, 3, request->now_us);
  if (!nc_store_step_id (stmt, &id, &insert_error))
    {
      /* Another desk's request for the client came first, between the check above and
       * this (two clicks at once, on a database server). */
      if (g_error_matches (insert_error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID))
        g_set_error_literal (error, NC_STORE_ERROR, NC_STORE_ERROR_BUSY,
                             _("This client is being called already"));
      else
        g_propagate_error (error, g_steal_pointer (&insert_error));
      return NULL;
    }
  return g_memdup2 (&id, sizeof id);
}

/**
 * nc_store_request_callback_sync:
 * @client_phone: the number to call, in any format
 * @employee_id: the extension the PBX rings first
 * @window_seconds: how long the request waits for its call (NOTIFY_OUT_START)
 *
 * Takes the guard for a callback: fails with %NC_STORE_ERROR_BUSY while the client is
 * being called already, from any desk on this store. The NOTIFY_OUT_START that follows is
 * tied to the request (the call's request_id), or nc_store_end_callback_request_sync()
 * lets it expire.
 *
 * Returns: the request's id, or 0 on error
 */
gint64
nc_store_request_callback_sync (NcStore     *self,
                                const char  *client_phone,
                                const char  *employee_id,
                                gint64       now_us,
                                guint        window_seconds,
                                GError     **error)
{
  RequestCallback *request;
  g_autofree gint64 *id = NULL;

  g_return_val_if_fail (NC_IS_STORE (self), 0);
  g_return_val_if_fail (client_phone != NULL && employee_id != NULL, 0);

  request = g_new0 (RequestCallback, 1);
  request->digits = digits_of (client_phone);
  request->employee_id = g_strdup (employee_id);
  request->now_us = now_us;
  request->window = window_seconds;
  id = nc_store_submit_sync (self, NC_STORE_WRITER,
                             nc_store_job_new (request_callback_job, request,
                                               (GDestroyNotify) request_callback_free, g_free),
                             error);
  return id != NULL ? *id : 0;
}

static gpointer
end_callback_request_job (NcStoreConnection  *conn,
                          gpointer            data,
                          GError            **error)
{
  gint64 id = *(gint64 *) data;
  NcCallbackState state = NC_CALLBACK_EXPIRED;
  NcStoreStmt *stmt;

  stmt = nc_store_prepare (conn,
                           "UPDATE callback_requests SET state = 2 WHERE id = ?1 AND state = 0",
                           error);
  if (stmt == NULL)
    return NULL;
  nc_store_bind_int64 (stmt, 1, id);
  if (!nc_store_step_done (stmt, error))
    return NULL;
  if (nc_store_changes (conn) == 0)
    state = NC_CALLBACK_TIED;
  return g_memdup2 (&state, sizeof state);
}

/**
 * nc_store_end_callback_request_sync:
 *
 * Lets a request that no call came for expire.
 *
 * Returns: %NC_CALLBACK_EXPIRED if it was pending (and is no more), %NC_CALLBACK_TIED if
 *   a call came for it (or it was over already); %NC_CALLBACK_PENDING on error
 */
NcCallbackState
nc_store_end_callback_request_sync (NcStore  *self,
                                    gint64    request_id,
                                    GError  **error)
{
  g_autofree NcCallbackState *state = NULL;

  g_return_val_if_fail (NC_IS_STORE (self), NC_CALLBACK_PENDING);

  state = nc_store_submit_sync (self, NC_STORE_WRITER,
                                nc_store_job_new (end_callback_request_job,
                                                  g_memdup2 (&request_id, sizeof request_id),
                                                  g_free, g_free), error);
  return state != NULL ? *state : NC_CALLBACK_PENDING;
}
