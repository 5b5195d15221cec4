/* nc-caller-summary.c — what the caller's card says about who calls: read from the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three reads, each a page of the store's indexed queries and never a walk of the history:
 * the client with their variables; their last calls, newest first (the journal's query for
 * one client, along the index calls_by_client, NC_CALLER_SUMMARY_CALLS + 1 rows so that the
 * call ringing now can be left out); and their last answered call, for who spoke to them
 * last (the same index, the first answered row walking back from the newest).
 */

#define G_LOG_DOMAIN "nc-caller-summary"

#include "config.h"

#include "nc-call-private.h"
#include "nc-caller-summary.h"

void
nc_caller_summary_free (NcCallerSummary *summary)
{
  if (summary == NULL)
    return;
  g_clear_object (&summary->client);
  g_clear_pointer (&summary->calls, g_ptr_array_unref);
  g_free (summary->last_employee);
  g_free (summary);
}

/* The calls of @client_id matching @outcome, newest first, @except left out. */
static GPtrArray *
last_calls (NcStore        *store,
            gint64          client_id,
            NcCallOutcome   outcome,
            const char     *except,
            guint           limit,
            GError        **error)
{
  g_autoptr(NcCallFilter) filter = nc_call_filter_new ();
  g_autoptr(GPtrArray) records = NULL;
  GPtrArray *calls = g_ptr_array_new_with_free_func (g_object_unref);

  filter->client_id = client_id;
  filter->outcome = outcome;
  records = nc_store_list_calls_sync (store, filter, NULL, limit + 1, error);
  if (records == NULL)
    {
      g_ptr_array_unref (calls);
      return NULL;
    }
  for (guint i = 0; i < records->len && calls->len < limit; i++)
    {
      const NcCallRecord *record = records->pdata[i];

      if (g_strcmp0 (record->pbx_call_id, except) != 0)
        g_ptr_array_add (calls, nc_call_new (record));
    }
  return calls;
}

/**
 * nc_caller_summary_read_sync:
 * @client_id: the caller's client
 * @except_pbx_call_id: (nullable): the call ringing now, which is not among the last ones
 *
 * Returns: (transfer full) (nullable): what the card shows of the caller
 */
NcCallerSummary *
nc_caller_summary_read_sync (NcStore     *store,
                             gint64       client_id,
                             const char  *except_pbx_call_id,
                             GError     **error)
{
  g_autoptr(NcCallerSummary) summary = g_new0 (NcCallerSummary, 1);
  g_autoptr(GPtrArray) answered = NULL;

  g_return_val_if_fail (NC_IS_STORE (store), NULL);
  g_return_val_if_fail (client_id > 0, NULL);

  summary->client = nc_store_get_client_sync (store, client_id, error);
  if (summary->client == NULL)
    return NULL;
  summary->calls = last_calls (store, client_id, NC_CALL_OUTCOME_ANY, except_pbx_call_id,
                               NC_CALLER_SUMMARY_CALLS, error);
  if (summary->calls == NULL)
    return NULL;
  answered = last_calls (store, client_id, NC_CALL_OUTCOME_ANSWERED, except_pbx_call_id, 1,
                         error);
  if (answered == NULL)
    return NULL;
  if (answered->len > 0)
    summary->last_employee = g_strdup (nc_call_get_employee (answered->pdata[0]));
  return g_steal_pointer (&summary);
}

typedef struct
{
  NcStore *store;
  gint64   client_id;
  char    *except;
} Read;

static void
read_free (Read *read)
{
  g_object_unref (read->store);
  g_free (read->except);
  g_free (read);
}

static void
read_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Read *read = task_data;
  GError *error = NULL;
  NcCallerSummary *summary = nc_caller_summary_read_sync (read->store, read->client_id,
                                                          read->except, &error);

  if (summary == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, summary, (GDestroyNotify) nc_caller_summary_free);
}

/**
 * nc_caller_summary_read_async:
 *
 * Reads what nc_caller_summary_read_sync() reads, off the main context.
 */
void
nc_caller_summary_read_async (NcStore             *store,
                              gint64               client_id,
                              const char          *except_pbx_call_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Read *read;

  g_return_if_fail (NC_IS_STORE (store));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, nc_caller_summary_read_async);
  read = g_new0 (Read, 1);
  read->store = g_object_ref (store);
  read->client_id = client_id;
  read->except = g_strdup (except_pbx_call_id);
  g_task_set_task_data (task, read, (GDestroyNotify) read_free);
  g_task_run_in_thread (task, read_in_thread);
}

NcCallerSummary *
nc_caller_summary_read_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nc_caller_summary_read_async,
                        NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
