/* nc-call-service-clients.c — the client of each call, found or made
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A call with a number and no client is matched as the source document says
 * (nc-client-matcher.c), and the store keeps which client and why (see nc-call-service.c
 * for the rest of what the service does for each call).
 */

#define G_LOG_DOMAIN "nc-call-service"

#include "config.h"

#include "nc-call-service-private.h"
#include "nc-phone.h"

typedef struct
{
  NcCallService *self;
  gint64         call_id;
  char          *pbx_call_id;
} CallJob;

static CallJob *
call_job_new (NcCallService *self,
              gint64         call_id,
              const char    *pbx_call_id)
{
  CallJob *job = g_new0 (CallJob, 1);

  job->self = g_object_ref (self);
  job->call_id = call_id;
  job->pbx_call_id = g_strdup (pbx_call_id);
  self->busy++;
  return job;
}

static void
call_job_free (CallJob *job)
{
  job->self->busy--;
  g_object_unref (job->self);
  g_free (job->pbx_call_id);
  g_free (job);
}

static void
client_kept (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  CallJob *job = user_data;
  g_autoptr(GError) error = NULL;

  if (!nc_store_set_call_client_finish (NC_STORE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not keep the client of call %s: %s", job->pbx_call_id, error->message);
  g_hash_table_remove (job->self->matching, &job->call_id);
  call_job_free (job);
}

static void
client_matched (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CallJob *job = user_data;
  g_autoptr(NcClient) client = NULL;
  g_autoptr(GError) error = NULL;
  NcMatchRule rule = NC_MATCH_RULE_ANY_VARIABLE;

  client = nc_client_matcher_match_finish (NC_CLIENT_MATCHER (source), result, &rule, &error);
  if (client == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not match call %s to a client: %s", job->pbx_call_id, error->message);
      g_hash_table_remove (job->self->matching, &job->call_id);
      call_job_free (job);
      return;
    }

  nc_store_set_call_client_async (job->self->store, job->call_id, nc_client_get_id (client),
                                  nc_match_rule_to_string (rule), job->self->cancellable,
                                  client_kept, job);
}

static gboolean
is_matchable (const char *number)
{
  if (number == NULL || *number == '\0')
    return FALSE;
  /* An anonymous or hidden caller is kept as it came and matched to no client. */
  for (const char *p = number; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/* An outgoing call's client, looked for while the call lasts (the source document's
 * steps 1 and 2) but not made. */
typedef struct
{
  NcCall      *call;
  char        *number;
  gint64       client_id;
  NcMatchRule  rule;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_object_unref (lookup->call);
  g_free (lookup->number);
  g_free (lookup);
}

static gpointer
look_up_client (NcCallService  *self,
                gpointer        data,
                GError        **error)
{
  Lookup *lookup = data;
  g_autofree char *canonical = nc_phone_normalize_number (lookup->number, error);

  if (canonical == NULL)
    return NULL;
  lookup->client_id = nc_client_matcher_lookup_sync (self->matcher, canonical, &lookup->rule,
                                                     error);
  return error != NULL && *error != NULL ? NULL : GINT_TO_POINTER (TRUE);
}

static void
client_looked_up (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  NcCallService *self = NC_CALL_SERVICE (source);
  Lookup *lookup = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = nc_call_get_id (lookup->call);

  self->busy--;
  if (!g_task_propagate_pointer (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not look for the client of call %s: %s",
                   nc_call_get_pbx_call_id (lookup->call), error->message);
      g_hash_table_remove (self->matching, &id);
    }
  else if (lookup->client_id != 0)
    nc_store_set_call_client_async (self->store, id, lookup->client_id,
                                    nc_match_rule_to_string (lookup->rule), self->cancellable,
                                    client_kept,
                                    call_job_new (self, id,
                                                  nc_call_get_pbx_call_id (lookup->call)));
  else
    {
      g_hash_table_remove (self->matching, &id);
      /* The call ended while its client was looked for: it is made now. */
      if (nc_call_get_state (lookup->call) == NC_CALL_STATE_ENDED)
        nc_call_service_want_client (self, lookup->call);
    }
  lookup_free (lookup);
}

/* The client of a call: found, or made as the source document says. A caller is matched
 * when the call starts (its card and notification name them, and the listener answers
 * NOTIFY_START with them). A number the operator dials that is no client yet becomes one
 * when the call ends, as the source document's service makes it from the call's end
 * notification: while the call lasts a client is only looked for, and a number typed in
 * the search box and called (nc-dial-row.c) is not a client before its call is over. */
void
nc_call_service_want_client (NcCallService *self,
                             NcCall        *call)
{
  gint64 id = nc_call_get_id (call);

  if (!self->started || nc_call_get_client_id (call) != 0 ||
      !is_matchable (nc_call_get_client_number (call)) ||
      g_hash_table_contains (self->matching, &id))
    return;

  g_hash_table_add (self->matching, g_memdup2 (&id, sizeof id));
  if (nc_call_get_direction (call) == NC_CALL_DIRECTION_OUT &&
      nc_call_get_state (call) != NC_CALL_STATE_ENDED)
    {
      Lookup *lookup = g_new0 (Lookup, 1);

      lookup->call = g_object_ref (call);
      lookup->number = g_strdup (nc_call_get_client_number (call));
      self->busy++;
      nc_call_service_run_store (self, look_up_client, lookup, NULL, client_looked_up, lookup);
      return;
    }
  nc_client_matcher_match_async (self->matcher, nc_call_get_client_number (call),
                                 self->cancellable, client_matched,
                                 call_job_new (self, id, nc_call_get_pbx_call_id (call)));
}
