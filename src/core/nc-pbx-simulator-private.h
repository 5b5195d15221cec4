/* nc-pbx-simulator-private.h — what the simulator's two files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * nc-pbx-simulator.c is the object and its API; nc-pbx-simulator-calls.c the calls it
 * plays to a webhook URL and keeps in its record, which the API serves as statistics.
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "nc-pbx-simulator.h"

G_BEGIN_DECLS

struct _NcPbxSimulator
{
  GObject     parent_instance;

  char       *key;
  char       *secret;
  SoupServer *server;
  guint       port;
  GQueue      faults;          /* NcPbxFault, as pointers */
  GPtrArray  *silenced;        /* SoupServerMessage, never answered until stop */
  GPtrArray  *extensions;      /* "100:1" — extension, online */
  GPtrArray  *numbers;         /* "79500000033:100" — number, sip */
  GPtrArray  *callbacks;       /* GHashTable of the callback's parameters */
  char       *webhook_url;
  char       *webhook_target;
  gboolean    notifications;
  guint       requests;
  guint       next_call;
  SoupSession *session;
  GPtrArray  *history;         /* NcPbxSimCall: every call played, in the order played */
  GPtrArray  *statistics;      /* GHashTable: the parameters of each statistics page served */
  gboolean    webhooks_paused;
  guint       rate_limit_reset;
};

/* One call as the PBX's statistics know it. */
typedef struct
{
  char     *pbx_call_id;
  char     *call_id;        /* the recording's id, whether or not there is a recording */
  char     *call_start;
  char     *sip;
  char     *clid;
  char     *destination;
  char     *disposition;
  guint     seconds;
  gboolean  is_recorded;
  gboolean  outgoing;
} NcPbxSimCall;

void        nc_pbx_sim_call_free             (NcPbxSimCall   *call);
const char *nc_pbx_simulator_add_statistics  (NcPbxSimulator *self,
                                              GHashTable     *params,
                                              JsonBuilder    *builder);

G_END_DECLS
