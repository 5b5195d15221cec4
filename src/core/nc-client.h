/* nc-client.h — a client of the project, and an employee who calls them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The channels a client can come from (the source document's messengers and telephony). */
typedef enum
{
  NC_CHANNEL_TELEPHONY,
  NC_CHANNEL_WHATSAPP,
  NC_CHANNEL_TELEGRAM,
  NC_CHANNEL_VIBER,
  NC_CHANNEL_INSTAGRAM,
  NC_CHANNEL_VK,
  NC_CHANNEL_FACEBOOK,
  NC_CHANNEL_AVITO,
  NC_CHANNEL_ONLINE_CHAT,
  NC_N_CHANNELS
} NcChannel;

typedef enum
{
  NC_CALL_METHOD_DISABLED,
  NC_CALL_METHOD_APP,
  NC_CALL_METHOD_API,
} NcCallMethod;

const char   *nc_channel_to_string     (NcChannel     channel);
gboolean      nc_channel_from_string   (const char   *text,
                                        NcChannel    *out_channel);
const char   *nc_channel_get_label     (NcChannel     channel);
const char   *nc_call_method_to_string (NcCallMethod  method);
gboolean      nc_call_method_from_string (const char *text,
                                          NcCallMethod *out_method);

#define NC_TYPE_CLIENT (nc_client_get_type ())

G_DECLARE_FINAL_TYPE (NcClient, nc_client, NC, CLIENT, GObject)

NcClient   *nc_client_new           (gint64      id,
                                     const char *name,
                                     NcChannel   channel,
                                     const char *phone,
                                     gint64      created);
gint64      nc_client_get_id        (NcClient   *self);
const char *nc_client_get_name      (NcClient   *self);
NcChannel   nc_client_get_channel   (NcClient   *self);
const char *nc_client_get_phone     (NcClient   *self);
gint64      nc_client_get_created   (NcClient   *self);
GPtrArray  *nc_client_get_variables (NcClient   *self);
void        nc_client_take_variables (NcClient  *self,
                                      GPtrArray *variables);
const char *nc_client_get_variable  (NcClient   *self,
                                     const char *name);

/* A name and a value; arrays of them own their elements. */
typedef struct
{
  char *name;
  char *value;
} NcVariable;

NcVariable *nc_variable_new  (const char *name,
                              const char *value);
void        nc_variable_free (NcVariable *variable);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcVariable, nc_variable_free)

#define NC_TYPE_EMPLOYEE (nc_employee_get_type ())

G_DECLARE_FINAL_TYPE (NcEmployee, nc_employee, NC, EMPLOYEE, GObject)

NcEmployee   *nc_employee_new                (gint64        id,
                                              const char   *name,
                                              const char   *employee_id,
                                              const char   *virtual_number,
                                              NcCallMethod  call_method);
gint64        nc_employee_get_id             (NcEmployee   *self);
const char   *nc_employee_get_name           (NcEmployee   *self);
const char   *nc_employee_get_employee_id    (NcEmployee   *self);
const char   *nc_employee_get_virtual_number (NcEmployee   *self);
NcCallMethod  nc_employee_get_call_method    (NcEmployee   *self);

G_END_DECLS
