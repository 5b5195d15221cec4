/* nc-dialer-callback.c — a call placed through the API, from the guard to its end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A callback first takes the store's guard (no desk on the store calls the client
 * meanwhile), names the client for the messages, then asks the PBX once: it rings the
 * employee, then the client. The NOTIFY_OUT_START that follows is tied to the request by
 * the store; from then on the attempt follows its call and says how it goes on. A request
 * whose call never came lets the client go after a window.
 */

#define G_LOG_DOMAIN "nc-dialer"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-dialer-private.h"
#include "nc-phone.h"

void
nc_dialer_attempt_free (NcDialerAttempt *attempt)
{
  g_clear_handle_id (&attempt->expiry_source, g_source_remove);
  if (attempt->call != NULL)
    g_signal_handlers_disconnect_by_data (attempt->call, attempt);
  g_clear_object (&attempt->call);
  g_free (attempt->client_phone);
  g_free (attempt->who);
  g_free (attempt);
}

/* Tells how a call goes on (NcDialer::message, which nc-dialer.c registers). */
static void
say (NcDialer   *self,
     const char *message)
{
  g_signal_emit_by_name (self, "message", message);
}

static NcDialerAttempt *
find_attempt (NcDialer *self,
              gint64    request_id)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->attempts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((NcDialerAttempt *) value)->request_id == request_id)
      return value;
  return NULL;
}

static void
call_progress (NcCall          *call,
               GParamSpec      *pspec,
               NcDialerAttempt *attempt)
{
  NcDialer *self = attempt->dialer;
  g_autofree char *message = NULL;

  switch (nc_call_get_state (call))
    {
    case NC_CALL_STATE_RINGING:
      return;
    case NC_CALL_STATE_TALKING:
      message = g_strdup_printf (_("Connected with %s"), attempt->who);
      say (self, message);
      return;
    case NC_CALL_STATE_ENDED:
      message = g_strcmp0 (nc_call_get_disposition (call), "answered") == 0
                ? g_strdup_printf (_("The call with %s ended"), attempt->who)
                : g_strdup_printf (_("The call to %s did not connect: %s"), attempt->who,
                                   nc_call_get_outcome_text (call));
      /* Frees the attempt: nothing of it is used below. */
      g_hash_table_remove (self->attempts, attempt->client_phone);
      say (self, message);
      return;
    default:
      g_assert_not_reached ();
    }
}

void
nc_dialer_callback_tied (NcCallTracker *tracker,
                         gint64         request_id,
                         NcCall        *call,
                         NcDialer      *self)
{
  NcDialerAttempt *attempt = find_attempt (self, request_id);
  g_autofree char *message = NULL;

  if (attempt == NULL || attempt->call != NULL)
    return;
  g_clear_handle_id (&attempt->expiry_source, g_source_remove);
  attempt->call = g_object_ref (call);
  g_signal_connect (call, "notify::state", G_CALLBACK (call_progress), attempt);
  message = g_strdup_printf (_("You answered; calling %s…"), attempt->who);
  say (self, message);
  call_progress (call, NULL, attempt);
}

/* The store's side of a request: it expires unless its call came (from another process's
 * listener, say, whose change this process has not read yet). */
typedef struct
{
  NcDialer *dialer;
  gint64    request_id;
  gboolean  say_expired;
  GTask    *then_fail;      /* a call that was not placed: answered once the guard is free */
  GError   *error;
} Release;

static void
release_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Release *release = task_data;
  g_autoptr(GError) error = NULL;
  NcCallbackState state = nc_store_end_callback_request_sync (source_object,
                                                             release->request_id, &error);

  if (state == NC_CALLBACK_PENDING)
    g_warning ("Could not let callback request %" G_GINT64_FORMAT " go: %s",
               release->request_id, error->message);
  g_task_return_int (task, state);
}

static gboolean attempt_expired (gpointer user_data);

static void
released (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Release *release = g_task_get_task_data (G_TASK (result));
  NcDialer *self = release->dialer;
  NcCallbackState state;
  NcDialerAttempt *attempt;

  if (release->then_fail != NULL)
    {
      g_task_return_error (release->then_fail, g_steal_pointer (&release->error));
      return;
    }
  state = g_task_propagate_int (G_TASK (result), NULL);
  if (!release->say_expired || self->attempts == NULL)
    return;
  attempt = find_attempt (self, release->request_id);
  if (attempt == NULL || attempt->call != NULL)
    return;
  if (state == NC_CALLBACK_TIED)
    {
      /* Its call came, from another process's listener: it is told here once the change
       * log is read. If it never is (the log was read whole again meanwhile), the store's
       * guard holds the client while the call lasts, and this desk lets go after one more
       * window. */
      if (attempt->came_elsewhere)
        g_hash_table_remove (self->attempts, attempt->client_phone);
      else
        {
          attempt->came_elsewhere = TRUE;
          attempt->expiry_source = g_timeout_add (self->window_ms, attempt_expired, attempt);
        }
      return;
    }
  if (state != NC_CALLBACK_EXPIRED)
    return;
  g_hash_table_remove (self->attempts, attempt->client_phone);
  say (self, _("The PBX did not start the call within a minute: did you answer your phone?"));
}

static void
release_free (Release *release)
{
  g_clear_object (&release->then_fail);
  g_clear_error (&release->error);
  g_object_unref (release->dialer);
  g_free (release);
}

/* Lets the store's request go; @then_fail, when given, is answered with @error only once
 * it is gone, so that a click that follows the answer finds the client free. */
static void
release_request (NcDialer *self,
                 gint64    request_id,
                 gboolean  say_expired,
                 GTask    *then_fail,
                 GError   *error)
{
  g_autoptr(GTask) task = NULL;
  Release *release;

  if (self->store == NULL || request_id == 0)
    {
      if (then_fail != NULL)
        g_task_return_error (then_fail, error);
      else
        g_clear_error (&error);
      return;
    }
  release = g_new0 (Release, 1);
  release->dialer = g_object_ref (self);
  release->request_id = request_id;
  release->say_expired = say_expired;
  release->then_fail = then_fail != NULL ? g_object_ref (then_fail) : NULL;
  release->error = error;
  task = g_task_new (self->store, NULL, released, NULL);
  g_task_set_task_data (task, release, (GDestroyNotify) release_free);
  g_task_run_in_thread (task, release_in_thread);
}

static gboolean
attempt_expired (gpointer user_data)
{
  NcDialerAttempt *attempt = user_data;

  attempt->expiry_source = 0;
  release_request (attempt->dialer, attempt->request_id, TRUE, NULL, NULL);
  return G_SOURCE_REMOVE;
}

typedef struct
{
  NcCallRequest *request;
  char          *who;
  gint64         request_id;
  GError        *guard_error;
} Placing;

static void
placing_free (Placing *placing)
{
  nc_call_request_free (placing->request);
  g_free (placing->who);
  g_clear_error (&placing->guard_error);
  g_free (placing);
}

static void
callback_answered (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NcDialer *self = g_task_get_source_object (task);
  Placing *placing = g_task_get_task_data (task);
  g_autoptr(NcZadarmaCallback) callback = NULL;
  GError *error = NULL;

  callback = nc_zadarma_client_callback_finish (NC_ZADARMA_CLIENT (source), result, &error);
  if (callback == NULL)
    {
      /* Nothing rings: the client may be called again at once, from any desk. */
      if (self->attempts != NULL)
        g_hash_table_remove (self->attempts, placing->request->client_phone);
      release_request (self, placing->request_id, FALSE, task, error);
      return;
    }
  g_task_return_pointer (task,
                         g_strdup_printf (_("The PBX is ringing you; then it calls %s"),
                                          placing->who),
                         g_free);
}

static void
send_callback (GTask *task)
{
  NcDialer *self = g_task_get_source_object (task);
  Placing *placing = g_task_get_task_data (task);
  NcDialerAttempt *attempt = g_hash_table_lookup (self->attempts, placing->request->client_phone);

  if (placing->guard_error != NULL)
    {
      g_autoptr(GError) error = g_steal_pointer (&placing->guard_error);

      g_hash_table_remove (self->attempts, placing->request->client_phone);
      if (g_error_matches (error, NC_STORE_ERROR, NC_STORE_ERROR_BUSY))
        g_task_return_new_error (task, NC_DIALER_ERROR, NC_DIALER_ERROR_ALREADY_CALLING,
                                 _("A call to %s is already on its way, from this desk or "
                                   "another"), placing->who);
      else
        g_task_return_new_error (task, NC_DIALER_ERROR, NC_DIALER_ERROR_FAILED,
                                 _("Could not call %s (nothing was sent): %s"), placing->who,
                                 error->message);
      return;
    }

  if (attempt != NULL)
    {
      g_free (attempt->who);
      attempt->who = g_strdup (placing->who);
      /* The NOTIFY_OUT_START the callback causes is tied to the request by the store. */
      attempt->request_id = placing->request_id;
      attempt->expiry_source = g_timeout_add (self->window_ms, attempt_expired, attempt);
    }
  /* Never retried: a second request rings the client twice. */
  nc_zadarma_client_callback_async (self->client, placing->request->employee_id,
                                    placing->request->client_phone,
                                    placing->request->employee_id,
                                    g_task_get_cancellable (task), callback_answered,
                                    g_object_ref (task));
}

/* Who is called, for the messages (the client's name when the number is a client's), and
 * the store's guard: no other desk is calling the client. */
static void
name_client_in_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  NcStore *store = source_object;
  Placing *placing = task_data;
  const char *phone = placing->request->client_phone;
  gint64 telephony = 0, any = 0;
  g_autoptr(NcClient) client = NULL;

  if (nc_store_lookup_phone_sync (store, phone, &telephony, &any, NULL) &&
      (telephony != 0 || any != 0))
    client = nc_store_get_client_sync (store, telephony != 0 ? telephony : any, NULL);
  placing->request_id = nc_store_request_callback_sync (store, phone,
                                                        placing->request->employee_id,
                                                        g_get_real_time (),
                                                        NC_CALLBACK_WINDOW_SECONDS,
                                                        &placing->guard_error);
  g_task_return_pointer (task, client != NULL ? g_strdup (nc_client_get_name (client)) : NULL,
                         g_free);
}

static void
client_named (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Placing *placing = g_task_get_task_data (task);
  g_autofree char *name = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autofree char *number = nc_phone_format (placing->request->client_phone);

  g_free (placing->who);
  /* A client made from a call is named by their number: it is said once. */
  if (name != NULL && g_strcmp0 (name, number) != 0)
    /* Translators: a client's name and number, in a sentence about a call */
    placing->who = g_strdup_printf (_("%s (%s)"), name, number);
  else
    placing->who = g_steal_pointer (&number);
  send_callback (task);
}

/* Holds the guard, names the client, and sends the callback once. */
void
nc_dialer_place (NcDialer      *self,
                 GTask         *task,
                 NcCallRequest *request)
{
  Placing *placing = g_new0 (Placing, 1);
  NcDialerAttempt *attempt;

  placing->request = request;
  placing->who = nc_phone_format (request->client_phone);
  g_task_set_task_data (task, placing, (GDestroyNotify) placing_free);

  attempt = g_hash_table_lookup (self->attempts, request->client_phone);
  if (attempt != NULL)
    {
      g_task_return_new_error (task, NC_DIALER_ERROR, NC_DIALER_ERROR_ALREADY_CALLING,
                               _("A call to %s is already on its way"), attempt->who);
      g_object_unref (task);
      return;
    }
  if (self->client == NULL)
    {
      g_task_return_new_error (task, NC_DIALER_ERROR, NC_DIALER_ERROR_NO_ACCOUNT, "%s",
                               _("Connect the Novofon account in Preferences to call through "
                                 "the API"));
      g_object_unref (task);
      return;
    }

  attempt = g_new0 (NcDialerAttempt, 1);
  attempt->dialer = self;
  attempt->client_phone = g_strdup (request->client_phone);
  attempt->who = g_strdup (placing->who);
  g_hash_table_insert (self->attempts, attempt->client_phone, attempt);

  if (self->store == NULL)
    {
      g_hash_table_remove (self->attempts, request->client_phone);
      g_task_return_new_error (task, NC_DIALER_ERROR, NC_DIALER_ERROR_FAILED, "%s",
                               _("The data store is not open yet: try again in a moment"));
      g_object_unref (task);
      return;
    }

  {
    g_autoptr(GTask) naming = g_task_new (self->store, NULL, client_named, task);

    /* The placing outlives the naming: @task holds it. */
    g_task_set_task_data (naming, placing, NULL);
    g_task_run_in_thread (naming, name_client_in_thread);
  }
}
