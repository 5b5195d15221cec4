/* nc-demo.c — a made-up office on a simulated PBX, for trying the console out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything is real but the PBX: the simulator answers the API on loopback and plays
 * calls to the real listener, which stores them; click-to-call goes through the real
 * client to the simulator, which then plays the outgoing call. The data lives in its own
 * folder, never in the user's.
 */

#define G_LOG_DOMAIN "nc-demo"

#include "config.h"

#include "nc-demo.h"
#include "nc-pbx-simulator.h"

#define DEMO_TOKEN "demo-webhook-token-0123456789"
#define DEMO_DID "74951234567"
#define DEMO_CLIENTS 300

struct _NcDemo
{
  GObject          parent_instance;

  NcStore         *store;
  NcCallService   *service;
  NcCallTracker   *tracker;
  NcPbxSimulator  *simulator;
  NcWebhookServer *listener;
  NcZadarmaClient *client;
  GCancellable    *cancellable;
  GRand           *rand;
  guint            timer;
};

G_DEFINE_FINAL_TYPE (NcDemo, nc_demo, G_TYPE_OBJECT)

static const char *const first_names[] = {
  "Иван", "Ольга", "Сергей", "Анна", "Дмитрий", "Мария", "Алексей", "Елена", "Павел", "Наталья",
  "Михаил", "Татьяна", "Андрей", "Ирина", "Николай", "Светлана",
};
static const char *const last_names[] = {
  "Петров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов", "Новиков",
  "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов",
};
static const char *const cities[] = { "Москва", "Санкт-Петербург", "Казань", "Тверь", "Самара" };

static char *
demo_number (guint i)
{
  return g_strdup_printf ("7916%07u", 1000000 + i * 7919 % 8999999);
}

static gboolean
seed (NcDemo  *self,
      GError **error)
{
  g_autoptr(GPtrArray) existing = nc_store_list_clients_sync (self->store, FALSE, error);
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  static const struct
  {
    const char   *name;
    const char   *id;
    const char   *number;
    NcCallMethod  method;
  } employees[] = {
    { "Анна Операторова", NC_DEMO_EMPLOYEE_ID, "79500000033", NC_CALL_METHOD_API },
    { "Борис Продажин", "101", "79500000044", NC_CALL_METHOD_APP },
    { "Вера Руководова", "102", NULL, NC_CALL_METHOD_DISABLED },
  };

  if (existing == NULL)
    return FALSE;
  if (existing->len > 0)
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (employees); i++)
    {
      g_autoptr(NcEmployee) employee = nc_employee_new (0, employees[i].name, employees[i].id,
                                                        employees[i].number, employees[i].method);

      if (nc_store_save_employee_sync (self->store, employee, error) == 0)
        return FALSE;
    }

  for (guint i = 0; i < DEMO_CLIENTS; i++)
    {
      /* The first names alternate men's and women's; the surnames take the woman's form. */
      gboolean woman = (i % G_N_ELEMENTS (first_names)) % 2 == 1;
      g_autofree char *name = g_strdup_printf ("%s %s%s",
                                               first_names[i % G_N_ELEMENTS (first_names)],
                                               last_names[(i / G_N_ELEMENTS (first_names) + i) %
                                                          G_N_ELEMENTS (last_names)],
                                               woman ? "а" : "");
      g_autofree char *phone = demo_number (i);
      GPtrArray *variables = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free);
      NcClient *client = nc_client_new (0, name, i % 4 == 0 ? NC_CHANNEL_WHATSAPP
                                                            : i % 7 == 0 ? NC_CHANNEL_TELEGRAM
                                                                         : NC_CHANNEL_TELEPHONY,
                                        phone, 0);

      g_ptr_array_add (variables, nc_variable_new ("city", cities[i % G_N_ELEMENTS (cities)]));
      nc_client_take_variables (client, variables);
      g_ptr_array_add (drafts, client);
    }
  return nc_store_add_clients_sync (self->store, drafts, NULL, error);
}

static void
played (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = nc_pbx_simulator_play_call_finish (NC_PBX_SIMULATOR (source), result,
                                                           &error);

  if (id == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("The demo PBX could not play a call: %s", error->message);
}

static gboolean
next_call (gpointer user_data)
{
  NcDemo *self = user_data;
  guint client = (guint) g_rand_int_range (self->rand, 0, DEMO_CLIENTS + 40);
  g_autofree char *number = demo_number (client);
  NcPbxCallScenario scenario = g_rand_int_range (self->rand, 0, 3) == 0
                               ? NC_PBX_CALL_INCOMING_MISSED : NC_PBX_CALL_INCOMING_ANSWERED;

  nc_pbx_simulator_play_call_async (self->simulator, scenario, number, DEMO_DID,
                                    NC_DEMO_EMPLOYEE_ID, 1500, self->cancellable, played, NULL);
  return G_SOURCE_CONTINUE;
}

/* A click-to-call reached the simulated PBX: it rings the employee, then the client. */
static void
callback_requested (NcPbxSimulator *simulator,
                    const char     *from,
                    const char     *to,
                    const char     *sip,
                    NcDemo         *self)
{
  NcPbxCallScenario scenario = g_rand_int_range (self->rand, 0, 4) == 0
                               ? NC_PBX_CALL_OUTGOING_BUSY : NC_PBX_CALL_OUTGOING_ANSWERED;

  nc_pbx_simulator_play_call_async (simulator, scenario, to, "79500000033", from, 2000,
                                    self->cancellable, played, NULL);
}

static void
nc_demo_dispose (GObject *object)
{
  NcDemo *self = NC_DEMO (object);

  g_clear_handle_id (&self->timer, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->listener != NULL)
    nc_webhook_server_stop (self->listener);
  if (self->simulator != NULL)
    nc_pbx_simulator_stop (self->simulator);
  g_clear_object (&self->listener);
  g_clear_object (&self->simulator);
  g_clear_object (&self->client);
  g_clear_object (&self->service);
  g_clear_object (&self->tracker);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->rand, g_rand_free);

  G_OBJECT_CLASS (nc_demo_parent_class)->dispose (object);
}

static void
nc_demo_class_init (NcDemoClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = nc_demo_dispose;
}

static void
nc_demo_init (NcDemo *self)
{
  self->cancellable = g_cancellable_new ();
  self->rand = g_rand_new ();
}

NcDemo *
nc_demo_new (NcStore       *store,
             NcCallService *service,
             NcCallTracker *tracker)
{
  NcDemo *self = g_object_new (NC_TYPE_DEMO, NULL);

  self->store = g_object_ref (store);
  self->service = g_object_ref (service);
  self->tracker = g_object_ref (tracker);
  return self;
}

/**
 * nc_demo_start:
 * @call_interval_ms: how often a call comes in
 *
 * Seeds the demo's store (once), starts the simulated PBX and a listener for it, and lets
 * calls come in on their own.
 */
gboolean
nc_demo_start (NcDemo   *self,
               guint     call_interval_ms,
               GError  **error)
{
  g_autofree char *url = NULL;
  g_autofree char *hook = NULL;

  g_return_val_if_fail (NC_IS_DEMO (self), FALSE);

  if (!seed (self, error))
    return FALSE;

  self->simulator = nc_pbx_simulator_new (NC_DEMO_KEY, NC_DEMO_SECRET);
  if (!nc_pbx_simulator_start (self->simulator, 0, error))
    return FALSE;
  nc_pbx_simulator_add_extension (self->simulator, NC_DEMO_EMPLOYEE_ID, TRUE);
  nc_pbx_simulator_add_extension (self->simulator, "101", TRUE);
  nc_pbx_simulator_add_number (self->simulator, "79500000033", NC_DEMO_EMPLOYEE_ID);
  nc_pbx_simulator_add_number (self->simulator, "79500000044", "101");
  g_signal_connect_object (self->simulator, "callback-requested",
                           G_CALLBACK (callback_requested), self, 0);

  url = nc_pbx_simulator_get_url (self->simulator);
  self->client = nc_zadarma_client_new (url, NC_DEMO_KEY, NC_DEMO_SECRET);
  nc_zadarma_client_set_budget (self->client, NC_REQUEST_BUDGET (self->store));
  nc_call_service_set_client (self->service, self->client);

  self->listener = nc_webhook_server_new (self->store, NC_DEMO_SECRET, DEMO_TOKEN);
  if (!nc_webhook_server_listen (self->listener, "127.0.0.1", 0, error))
    return FALSE;
  hook = g_strdup_printf ("http://127.0.0.1:%u/zadarma_webhook/" DEMO_TOKEN,
                          nc_webhook_server_get_port (self->listener));
  nc_pbx_simulator_set_webhook_target (self->simulator, hook);

  if (call_interval_ms > 0)
    {
      next_call (self);
      self->timer = g_timeout_add (call_interval_ms, next_call, self);
    }
  return TRUE;
}

/**
 * nc_demo_get_client:
 *
 * Returns: (transfer none): the API client that talks to the demo's PBX
 */
NcZadarmaClient *
nc_demo_get_client (NcDemo *self)
{
  g_return_val_if_fail (NC_IS_DEMO (self), NULL);
  return self->client;
}

/**
 * nc_demo_get_listener:
 *
 * Returns: (transfer none): the listener the demo's PBX posts to
 */
NcWebhookServer *
nc_demo_get_listener (NcDemo *self)
{
  g_return_val_if_fail (NC_IS_DEMO (self), NULL);
  return self->listener;
}
