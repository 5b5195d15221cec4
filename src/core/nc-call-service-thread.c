/* nc-call-service-thread.c — the store's sync API, run off the main context for the
 * call service
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-call-service"

#include "config.h"

#include "nc-call-service-private.h"

typedef struct
{
  StoreFunc      func;
  gpointer       data;
  GDestroyNotify destroy;
} StoreWork;

static void
store_work_free (StoreWork *work)
{
  if (work->destroy != NULL)
    work->destroy (work->data);
  g_free (work);
}

static void
store_work_in_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  StoreWork *work = task_data;
  GError *error = NULL;
  gpointer result = work->func (source_object, work->data, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, NULL);
}

/* Runs @func (the store's sync API) on a worker thread, then @callback here. */
void
nc_call_service_run_store (NcCallService       *self,
           StoreFunc            func,
           gpointer             data,
           GDestroyNotify       destroy,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, callback, user_data);
  StoreWork *work = g_new0 (StoreWork, 1);

  work->func = func;
  work->data = data;
  work->destroy = destroy;
  g_task_set_task_data (task, work, (GDestroyNotify) store_work_free);
  g_task_run_in_thread (task, store_work_in_thread);
}
