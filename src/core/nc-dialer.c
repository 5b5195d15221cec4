/* nc-dialer.c — how a click on a phone calls: the current employee's call method
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The source document's three methods, for the employee this console acts as: calls
 * disabled (no phone at all), calls through an app (a `tel:` link for the softphone), and
 * calls through the Novofon API (the PBX rings the employee, then the client). Like GNOME
 * Calls' manager, the dialer says whether a call can be placed now (`can-call`) and why
 * not (`problem`), so that whoever shows phones greys them out by itself instead of
 * hiding them row by row or ignoring a click.
 *
 * A call through the API is sent once and never again (see nc-zadarma-client.c), and a
 * second one to the same client is refused while the first is on its way: a duplicated
 * callback rings a real client twice. Clicks, notifications and the bots' zadarma_call
 * all come through here, so the guard holds for all of them.
 */

#define G_LOG_DOMAIN "nc-dialer"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-dialer.h"
#include "nc-phone.h"

enum {
  PROP_0,
  PROP_EMPLOYEE_ID,
  PROP_EMPLOYEE,
  PROP_METHOD,
  PROP_SHOW_PHONES,
  PROP_CAN_CALL,
  PROP_PROBLEM,
  N_PROPS
};

enum {
  SIGNAL_MESSAGE,
  N_SIGNALS
};

/* A callback on its way, from the request until its call ends. */
typedef struct
{
  NcDialer *dialer;
  char     *client_phone;
  char     *who;            /* the client's name and number, for people */
  gint64    request_id;     /* the store's, 0 until the guard is taken */
  NcCall   *call;           /* once the PBX started it */
  guint     expiry_source;
  gboolean  came_elsewhere; /* the store tied a call this process has not read yet */
} Attempt;

struct _NcDialer
{
  GObject          parent_instance;

  NcCallTracker   *tracker;
  NcEmployeeList  *employees;
  NcZadarmaClient *client;
  NcStore         *store;
  char            *employee_id;
  char            *fallback_id;
  GHashTable      *attempts;     /* client phone → Attempt */
  guint            window_ms;

  /* What update() derived last. */
  NcEmployee      *employee;
  NcCallMethod     method;
  gboolean         show_phones;
  gboolean         can_call;
  char            *problem;
};

G_DEFINE_FINAL_TYPE (NcDialer, nc_dialer, G_TYPE_OBJECT)
G_DEFINE_QUARK (nc-dialer-error-quark, nc_dialer_error)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
attempt_free (Attempt *attempt)
{
  g_clear_handle_id (&attempt->expiry_source, g_source_remove);
  if (attempt->call != NULL)
    g_signal_handlers_disconnect_by_data (attempt->call, attempt);
  g_clear_object (&attempt->call);
  g_free (attempt->client_phone);
  g_free (attempt->who);
  g_free (attempt);
}

static void
say (NcDialer   *self,
     const char *message)
{
  g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, message);
}

/* Whether an employee can call through the API at all, and if not, why. */
static char *
api_problem (NcDialer   *self,
             NcEmployee *employee)
{
  if (self->client == NULL)
    return g_strdup (_("Connect the Novofon account in Preferences to call through the API"));
  if (nc_employee_get_employee_id (employee) == NULL ||
      nc_employee_get_virtual_number (employee) == NULL)
    return g_strdup_printf (_("%s has no employee ID or virtual number: set them under "
                              "Employees"), nc_employee_get_name (employee));
  return NULL;
}

static void
update (NcDialer *self)
{
  const char *id = self->employee_id != NULL && *self->employee_id != '\0'
                   ? self->employee_id : self->fallback_id;
  NcEmployee *employee = nc_employee_list_lookup (self->employees, id);
  NcCallMethod method = employee != NULL ? nc_employee_get_call_method (employee)
                                         : NC_CALL_METHOD_DISABLED;
  g_autofree char *problem = NULL;
  gboolean show_phones, can_call;

  if (employee == NULL)
    problem = g_list_model_get_n_items (G_LIST_MODEL (self->employees)) == 0
              ? g_strdup (_("Add yourself under Employees to call clients"))
              : g_strdup (_("Choose who you are to call clients"));
  else if (method == NC_CALL_METHOD_DISABLED)
    problem = g_strdup_printf (_("Calls are disabled for %s"), nc_employee_get_name (employee));
  else if (method == NC_CALL_METHOD_API)
    problem = api_problem (self, employee);

  /* Disabled calls show no phone at all; a console that does not know who it is shows
   * them grey, with the reason. */
  show_phones = employee == NULL || method != NC_CALL_METHOD_DISABLED;
  can_call = problem == NULL;

  g_object_freeze_notify (G_OBJECT (self));
  if (g_set_object (&self->employee, employee))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMPLOYEE]);
  if (self->method != method)
    {
      self->method = method;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_METHOD]);
    }
  if (self->show_phones != show_phones)
    {
      self->show_phones = show_phones;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_PHONES]);
    }
  if (self->can_call != can_call)
    {
      self->can_call = can_call;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_CALL]);
    }
  if (g_strcmp0 (self->problem, problem) != 0)
    {
      g_free (self->problem);
      self->problem = g_steal_pointer (&problem);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static Attempt *
find_attempt (NcDialer *self,
              gint64    request_id)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->attempts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Attempt *) value)->request_id == request_id)
      return value;
  return NULL;
}

static void
call_progress (NcCall     *call,
               GParamSpec *pspec,
               Attempt    *attempt)
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

static void
callback_tied (NcCallTracker *tracker,
               gint64         request_id,
               NcCall        *call,
               NcDialer      *self)
{
  Attempt *attempt = find_attempt (self, request_id);
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
  Attempt *attempt;

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
  Attempt *attempt = user_data;

  attempt->expiry_source = 0;
  release_request (attempt->dialer, attempt->request_id, TRUE, NULL, NULL);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------------------------ */

static void
nc_dialer_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  NcDialer *self = NC_DIALER (object);

  switch (prop_id)
    {
    case PROP_EMPLOYEE_ID:
      g_value_set_string (value, self->employee_id);
      break;
    case PROP_EMPLOYEE:
      g_value_set_object (value, self->employee);
      break;
    case PROP_METHOD:
      g_value_set_int (value, self->method);
      break;
    case PROP_SHOW_PHONES:
      g_value_set_boolean (value, self->show_phones);
      break;
    case PROP_CAN_CALL:
      g_value_set_boolean (value, self->can_call);
      break;
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_dialer_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  NcDialer *self = NC_DIALER (object);

  switch (prop_id)
    {
    case PROP_EMPLOYEE_ID:
      nc_dialer_set_employee_id (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_dialer_dispose (GObject *object)
{
  NcDialer *self = NC_DIALER (object);

  if (self->tracker != NULL)
    g_signal_handlers_disconnect_by_data (self->tracker, self);
  if (self->employees != NULL)
    g_signal_handlers_disconnect_by_data (self->employees, self);
  g_clear_pointer (&self->attempts, g_hash_table_unref);
  g_clear_object (&self->tracker);
  g_clear_object (&self->employees);
  g_clear_object (&self->client);
  g_clear_object (&self->store);
  g_clear_object (&self->employee);

  G_OBJECT_CLASS (nc_dialer_parent_class)->dispose (object);
}

static void
nc_dialer_finalize (GObject *object)
{
  NcDialer *self = NC_DIALER (object);

  g_free (self->employee_id);
  g_free (self->fallback_id);
  g_free (self->problem);

  G_OBJECT_CLASS (nc_dialer_parent_class)->finalize (object);
}

static void
nc_dialer_class_init (NcDialerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = nc_dialer_get_property;
  object_class->set_property = nc_dialer_set_property;
  object_class->dispose = nc_dialer_dispose;
  object_class->finalize = nc_dialer_finalize;

  /**
   * NcDialer:employee-id:
   *
   * The employee this console acts as (the GSettings key `current-employee`).
   */
  properties[PROP_EMPLOYEE_ID] =
    g_param_spec_string ("employee-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EMPLOYEE] = g_param_spec_object ("employee", NULL, NULL, NC_TYPE_EMPLOYEE,
                                                   flags);
  properties[PROP_METHOD] = g_param_spec_int ("method", NULL, NULL, NC_CALL_METHOD_DISABLED,
                                              NC_CALL_METHOD_API, NC_CALL_METHOD_DISABLED,
                                              flags);
  /**
   * NcDialer:show-phones:
   *
   * Whether phones are shown beside numbers at all: not when the employee's calls are
   * disabled.
   */
  properties[PROP_SHOW_PHONES] = g_param_spec_boolean ("show-phones", NULL, NULL, FALSE, flags);
  properties[PROP_CAN_CALL] = g_param_spec_boolean ("can-call", NULL, NULL, FALSE, flags);
  /**
   * NcDialer:problem:
   *
   * Why no call can be placed now, in a sentence; %NULL when one can.
   */
  properties[PROP_PROBLEM] = g_param_spec_string ("problem", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * NcDialer::message:
   *
   * How a call placed through the API goes on (answered, connected, ended), in a
   * sentence for a toast.
   */
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
nc_dialer_init (NcDialer *self)
{
  self->attempts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) attempt_free);
  self->window_ms = NC_CALLBACK_WINDOW_SECONDS * 1000;
}

NcDialer *
nc_dialer_new (NcCallTracker  *tracker,
               NcEmployeeList *employees)
{
  NcDialer *self;

  g_return_val_if_fail (NC_IS_CALL_TRACKER (tracker), NULL);
  g_return_val_if_fail (NC_IS_EMPLOYEE_LIST (employees), NULL);

  self = g_object_new (NC_TYPE_DIALER, NULL);
  self->tracker = g_object_ref (tracker);
  self->employees = g_object_ref (employees);
  g_signal_connect_object (tracker, "callback-tied", G_CALLBACK (callback_tied), self, 0);
  g_signal_connect_object (employees, "items-changed", G_CALLBACK (update), self,
                           G_CONNECT_SWAPPED);
  update (self);
  return self;
}

/**
 * nc_dialer_set_client:
 * @client: (nullable): the API, for the employees who call through it
 */
void
nc_dialer_set_client (NcDialer        *self,
                      NcZadarmaClient *client)
{
  g_return_if_fail (NC_IS_DIALER (self));

  if (g_set_object (&self->client, client))
    update (self);
}

/**
 * nc_dialer_set_store:
 * @store: (nullable): where the clients are, to name the one who is called
 */
void
nc_dialer_set_store (NcDialer *self,
                     NcStore  *store)
{
  g_return_if_fail (NC_IS_DIALER (self));
  g_set_object (&self->store, store);
}

const char *
nc_dialer_get_employee_id (NcDialer *self)
{
  g_return_val_if_fail (NC_IS_DIALER (self), NULL);
  return self->employee_id;
}

void
nc_dialer_set_employee_id (NcDialer   *self,
                           const char *employee_id)
{
  g_return_if_fail (NC_IS_DIALER (self));

  if (g_strcmp0 (self->employee_id, employee_id) == 0)
    return;
  g_free (self->employee_id);
  self->employee_id = g_strdup (employee_id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMPLOYEE_ID]);
  update (self);
}

/**
 * nc_dialer_set_fallback_employee_id:
 *
 * Whom to act as while nobody is chosen: the demo's operator, so that the demo calls.
 */
void
nc_dialer_set_fallback_employee_id (NcDialer   *self,
                                    const char *employee_id)
{
  g_return_if_fail (NC_IS_DIALER (self));

  g_free (self->fallback_id);
  self->fallback_id = g_strdup (employee_id);
  update (self);
}

/**
 * nc_dialer_get_employee:
 *
 * Returns: (transfer none) (nullable): the employee this console acts as
 */
NcEmployee *
nc_dialer_get_employee (NcDialer *self)
{
  g_return_val_if_fail (NC_IS_DIALER (self), NULL);
  return self->employee;
}

NcCallMethod
nc_dialer_get_method (NcDialer *self)
{
  g_return_val_if_fail (NC_IS_DIALER (self), NC_CALL_METHOD_DISABLED);
  return self->method;
}

gboolean
nc_dialer_get_show_phones (NcDialer *self)
{
  g_return_val_if_fail (NC_IS_DIALER (self), FALSE);
  return self->show_phones;
}

gboolean
nc_dialer_get_can_call (NcDialer *self)
{
  g_return_val_if_fail (NC_IS_DIALER (self), FALSE);
  return self->can_call;
}

const char *
nc_dialer_get_problem (NcDialer *self)
{
  g_return_val_if_fail (NC_IS_DIALER (self), NULL);
  return self->problem;
}

/**
 * nc_dialer_set_callback_window:
 *
 * For tests: how long a callback waits for the call it places (its NOTIFY_OUT_START)
 * before its request is let go; NC_CALLBACK_WINDOW_SECONDS otherwise. Callbacks already
 * on their way keep theirs.
 */
void
nc_dialer_set_callback_window (NcDialer *self,
                               guint     milliseconds)
{
  g_return_if_fail (NC_IS_DIALER (self));
  self->window_ms = MAX (1, milliseconds);
}

/* ------------------------------------------------------------------------------------ */
/* Placing a call through the API                                                       */

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
  Attempt *attempt = g_hash_table_lookup (self->attempts, placing->request->client_phone);

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
static void
place (NcDialer      *self,
       GTask         *task,
       NcCallRequest *request)
{
  Placing *placing = g_new0 (Placing, 1);
  Attempt *attempt;

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

  attempt = g_new0 (Attempt, 1);
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

static void
launched (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_prefix_error (&error, _("The phone app could not start: "));
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_strdup (g_task_get_task_data (task)), g_free);
}

/**
 * nc_dialer_call_async:
 * @number: the client's number, in any format
 * @context: (nullable): to start the softphone on the right display
 *
 * Calls @number the way the current employee calls.
 */
void
nc_dialer_call_async (NcDialer            *self,
                      const char          *number,
                      GAppLaunchContext   *context,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (NC_IS_DIALER (self));
  g_return_if_fail (number != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nc_dialer_call_async);

  if (!self->can_call)
    {
      NcDialerError code = self->employee == NULL ? NC_DIALER_ERROR_NO_EMPLOYEE
                           : self->method == NC_CALL_METHOD_DISABLED ? NC_DIALER_ERROR_DISABLED
                           : NC_DIALER_ERROR_NO_ACCOUNT;

      g_task_return_new_error (task, NC_DIALER_ERROR, code, "%s", self->problem);
      g_object_unref (task);
      return;
    }

  if (self->method == NC_CALL_METHOD_APP)
    {
      g_autoptr(GAppInfo) handler = g_app_info_get_default_for_uri_scheme ("tel");
      g_autofree char *desktop_id = g_strconcat (APPLICATION_ID, ".desktop", NULL);
      g_autofree char *canonical = nc_phone_normalize (number, NULL, &error);
      g_autofree char *uri = NULL;
      g_autofree char *shown = NULL;

      if (canonical == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          g_object_unref (task);
          return;
        }
      /* Never this app itself: it is no softphone. */
      if (handler == NULL || g_strcmp0 (g_app_info_get_id (handler), desktop_id) == 0)
        {
          g_task_return_new_error (task, NC_DIALER_ERROR, NC_DIALER_ERROR_NO_SOFTPHONE, "%s",
                                   _("No app is set up for phone calls: install a softphone "
                                     "such as Zoiper"));
          g_object_unref (task);
          return;
        }
      /* An extension is dialled as it is; a number with its country code. */
      uri = strlen (canonical) >= 11 ? g_strconcat ("tel:+", canonical, NULL)
                                     : g_strconcat ("tel:", canonical, NULL);
      shown = nc_phone_format (canonical);
      g_task_set_task_data (task, g_strdup_printf (_("Calling %s with %s"), shown,
                                                   g_app_info_get_display_name (handler)),
                            g_free);
      g_app_info_launch_default_for_uri_async (uri, context, cancellable, launched, task);
      return;
    }

  {
    NcCallRequest *request = nc_call_request_new (number,
                                                  nc_employee_get_virtual_number (self->employee),
                                                  nc_employee_get_employee_id (self->employee),
                                                  &error);

    if (request == NULL)
      {
        g_task_return_error (task, g_steal_pointer (&error));
        g_object_unref (task);
        return;
      }
    place (self, task, request);
  }
}

/**
 * nc_dialer_call_finish:
 *
 * Returns: (transfer full) (nullable): what happens now, in a sentence for a toast; %NULL
 *   with @error when no call was placed
 */
char *
nc_dialer_call_finish (NcDialer      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nc_dialer_call_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * nc_dialer_call_request_async:
 * @request: zadarma_call's three arguments, checked
 *
 * Places the callback zadarma_call asks for, whoever this console acts as, under the
 * same guard as the clicks.
 */
void
nc_dialer_call_request_async (NcDialer            *self,
                              NcCallRequest       *request,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  NcCallRequest *copy;

  g_return_if_fail (NC_IS_DIALER (self));
  g_return_if_fail (request != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nc_dialer_call_request_async);
  copy = nc_call_request_new (request->client_phone, request->employee_phone,
                              request->employee_id, NULL);
  place (self, task, copy);
}

/**
 * nc_dialer_call_request_finish:
 *
 * Returns: (transfer full) (nullable): what happens now, in a sentence
 */
char *
nc_dialer_call_request_finish (NcDialer      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nc_dialer_call_request_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
