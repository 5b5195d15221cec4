/* nc-client.c — a client of the project, and an employee who calls them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain values read from the store; they change only through NcStore.
 */

#define G_LOG_DOMAIN "nc-client"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-client.h"

static const struct
{
  const char *id;
  const char *label;
} channels[NC_N_CHANNELS] = {
  [NC_CHANNEL_TELEPHONY] = { "telephony", N_("Telephony") },
  [NC_CHANNEL_WHATSAPP] = { "whatsapp", N_("WhatsApp") },
  [NC_CHANNEL_TELEGRAM] = { "telegram", N_("Telegram") },
  [NC_CHANNEL_VIBER] = { "viber", N_("Viber") },
  [NC_CHANNEL_INSTAGRAM] = { "instagram", N_("Instagram") },
  [NC_CHANNEL_VK] = { "vk", N_("VK") },
  [NC_CHANNEL_FACEBOOK] = { "facebook", N_("Facebook") },
  [NC_CHANNEL_AVITO] = { "avito", N_("Avito") },
  [NC_CHANNEL_ONLINE_CHAT] = { "online_chat", N_("Online chat") },
};

static const char *const call_methods[] = { "disabled", "app", "api" };

const char *
nc_channel_to_string (NcChannel channel)
{
  g_return_val_if_fail (channel < NC_N_CHANNELS, NULL);
  return channels[channel].id;
}

gboolean
nc_channel_from_string (const char *text,
                        NcChannel  *out_channel)
{
  for (guint i = 0; i < NC_N_CHANNELS && text != NULL; i++)
    if (strcmp (channels[i].id, text) == 0)
      {
        if (out_channel != NULL)
          *out_channel = (NcChannel) i;
        return TRUE;
      }
  return FALSE;
}

const char *
nc_channel_get_label (NcChannel channel)
{
  g_return_val_if_fail (channel < NC_N_CHANNELS, NULL);
  return _(channels[channel].label);
}

const char *
nc_call_method_to_string (NcCallMethod method)
{
  g_return_val_if_fail (method <= NC_CALL_METHOD_API, NULL);
  return call_methods[method];
}

gboolean
nc_call_method_from_string (const char   *text,
                            NcCallMethod *out_method)
{
  for (guint i = 0; i < G_N_ELEMENTS (call_methods) && text != NULL; i++)
    if (strcmp (call_methods[i], text) == 0)
      {
        if (out_method != NULL)
          *out_method = (NcCallMethod) i;
        return TRUE;
      }
  return FALSE;
}

NcVariable *
nc_variable_new (const char *name,
                 const char *value)
{
  NcVariable *variable = g_new (NcVariable, 1);

  variable->name = g_strdup (name);
  variable->value = g_strdup (value);
  return variable;
}

void
nc_variable_free (NcVariable *variable)
{
  if (variable == NULL)
    return;
  g_free (variable->name);
  g_free (variable->value);
  g_free (variable);
}

struct _NcClient
{
  GObject    parent_instance;

  gint64     id;
  char      *name;
  NcChannel  channel;
  char      *phone;
  gint64     created;
  GPtrArray *variables;   /* NcVariable, or NULL when not loaded */
};

G_DEFINE_FINAL_TYPE (NcClient, nc_client, G_TYPE_OBJECT)

static void
nc_client_finalize (GObject *object)
{
  NcClient *self = NC_CLIENT (object);

  g_free (self->name);
  g_free (self->phone);
  g_clear_pointer (&self->variables, g_ptr_array_unref);

  G_OBJECT_CLASS (nc_client_parent_class)->finalize (object);
}

static void
nc_client_class_init (NcClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nc_client_finalize;
}

static void
nc_client_init (NcClient *self)
{
}

NcClient *
nc_client_new (gint64      id,
               const char *name,
               NcChannel   channel,
               const char *phone,
               gint64      created)
{
  NcClient *self = g_object_new (NC_TYPE_CLIENT, NULL);

  self->id = id;
  self->name = g_strdup (name);
  self->channel = channel;
  self->phone = g_strdup (phone);
  self->created = created;
  return self;
}

gint64
nc_client_get_id (NcClient *self)
{
  g_return_val_if_fail (NC_IS_CLIENT (self), 0);
  return self->id;
}

const char *
nc_client_get_name (NcClient *self)
{
  g_return_val_if_fail (NC_IS_CLIENT (self), NULL);
  return self->name;
}

NcChannel
nc_client_get_channel (NcClient *self)
{
  g_return_val_if_fail (NC_IS_CLIENT (self), NC_CHANNEL_TELEPHONY);
  return self->channel;
}

const char *
nc_client_get_phone (NcClient *self)
{
  g_return_val_if_fail (NC_IS_CLIENT (self), NULL);
  return self->phone;
}

gint64
nc_client_get_created (NcClient *self)
{
  g_return_val_if_fail (NC_IS_CLIENT (self), 0);
  return self->created;
}

/**
 * nc_client_get_variables:
 *
 * Returns: (transfer none) (nullable) (element-type NcVariable): the client's variables in
 *   the order they were made, if they were loaded with the client
 */
GPtrArray *
nc_client_get_variables (NcClient *self)
{
  g_return_val_if_fail (NC_IS_CLIENT (self), NULL);
  return self->variables;
}

void
nc_client_take_variables (NcClient  *self,
                          GPtrArray *variables)
{
  g_return_if_fail (NC_IS_CLIENT (self));

  g_clear_pointer (&self->variables, g_ptr_array_unref);
  self->variables = variables;
}

const char *
nc_client_get_variable (NcClient   *self,
                        const char *name)
{
  g_return_val_if_fail (NC_IS_CLIENT (self), NULL);

  for (guint i = 0; self->variables != NULL && i < self->variables->len; i++)
    {
      NcVariable *variable = g_ptr_array_index (self->variables, i);

      if (g_strcmp0 (variable->name, name) == 0)
        return variable->value;
    }
  return NULL;
}

struct _NcEmployee
{
  GObject       parent_instance;

  gint64        id;
  char         *name;
  char         *employee_id;
  char         *virtual_number;
  NcCallMethod  call_method;
};

G_DEFINE_FINAL_TYPE (NcEmployee, nc_employee, G_TYPE_OBJECT)

static void
nc_employee_finalize (GObject *object)
{
  NcEmployee *self = NC_EMPLOYEE (object);

  g_free (self->name);
  g_free (self->employee_id);
  g_free (self->virtual_number);

  G_OBJECT_CLASS (nc_employee_parent_class)->finalize (object);
}

static void
nc_employee_class_init (NcEmployeeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nc_employee_finalize;
}

static void
nc_employee_init (NcEmployee *self)
{
}

NcEmployee *
nc_employee_new (gint64        id,
                 const char   *name,
                 const char   *employee_id,
                 const char   *virtual_number,
                 NcCallMethod  call_method)
{
  NcEmployee *self = g_object_new (NC_TYPE_EMPLOYEE, NULL);

  self->id = id;
  self->name = g_strdup (name);
  self->employee_id = g_strdup (employee_id);
  self->virtual_number = g_strdup (virtual_number);
  self->call_method = call_method;
  return self;
}

gint64
nc_employee_get_id (NcEmployee *self)
{
  g_return_val_if_fail (NC_IS_EMPLOYEE (self), 0);
  return self->id;
}

const char *
nc_employee_get_name (NcEmployee *self)
{
  g_return_val_if_fail (NC_IS_EMPLOYEE (self), NULL);
  return self->name;
}

const char *
nc_employee_get_employee_id (NcEmployee *self)
{
  g_return_val_if_fail (NC_IS_EMPLOYEE (self), NULL);
  return self->employee_id;
}

const char *
nc_employee_get_virtual_number (NcEmployee *self)
{
  g_return_val_if_fail (NC_IS_EMPLOYEE (self), NULL);
  return self->virtual_number;
}

NcCallMethod
nc_employee_get_call_method (NcEmployee *self)
{
  g_return_val_if_fail (NC_IS_EMPLOYEE (self), NC_CALL_METHOD_DISABLED);
  return self->call_method;
}
