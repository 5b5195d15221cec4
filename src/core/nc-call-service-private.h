/* nc-call-service-private.h — what the parts of the call service share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nc-call-service.h"

G_BEGIN_DECLS

struct _NcCallService
{
  GObject          parent_instance;

  NcStore         *store;
  NcClientMatcher *matcher;
  NcCallTracker   *tracker;
  NcZadarmaClient *client;
  GCancellable    *cancellable;
  GHashTable      *matching;       /* call ids being matched */
  gboolean         started;
  gboolean         stopped;        /* for good: nc_call_service_stop() */
  gboolean         fetching;       /* the due recordings are being taken from the store */
  gboolean         fetch_again;    /* more became due while they were */
  guint            round_left;     /* requests of the round taken not answered and kept yet */
  gint64           wait_until;     /* the request budget said wait: no round before, Unix s */
  guint            fetch_source;
  gint64           fetch_at;       /* when fetch_source fires, Unix seconds; 0: none */
  guint            sweep_source;
  guint            retry_unit_ms;
  guint            busy;           /* matches and link requests on their way */
};

typedef gpointer (*StoreFunc) (NcCallService *self,
                               gpointer       data,
                               GError       **error);

/* Off the main context (nc-call-service-thread.c) */
void nc_call_service_run_store   (NcCallService       *self,
                                 StoreFunc            func,
                                 gpointer             data,
                                 GDestroyNotify       destroy,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);

/* Clients (nc-call-service-clients.c) */
void nc_call_service_want_client (NcCallService *self,
                                  NcCall        *call);

G_END_DECLS
