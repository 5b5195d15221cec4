/* nc-zadarma-client-private.h — what the API client's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * NcZadarmaClient is the transport (nc-zadarma-client.c: signing, sending, retries,
 * errors), its request budget (nc-zadarma-client-budget.c) and its typed methods
 * (nc-zadarma-client-methods.c), which know the transport only by
 * nc_zadarma_client_request_async().
 */
#pragma once

#include <libsoup/soup.h>

#include "nc-zadarma-client.h"

G_BEGIN_DECLS

/* The API counts its limits a minute at a time. */
#define NC_ZADARMA_BUDGET_WINDOW_SECONDS 60

/* The budget every request takes from (nc-zadarma-client-budget.c). */
typedef struct
{
  NcRequestBudget *shared;   /* shared with other processes; %NULL: this process's own */
  GHashTable      *own;      /* bucket → GQueue of gint64 times, when there is no shared one */
  GHashTable      *limits;   /* bucket → requests a minute, where not the documented one */
} NcZadarmaBudget;

struct _NcZadarmaClient
{
  GObject          parent_instance;

  SoupSession     *session;
  char            *base_url;
  char            *host;
  char            *key;
  char            *secret;
  guint            timeout;
  guint            retries;
  guint            first_retry_delay_ms;
  NcZadarmaBudget  budget;
};

/* An error of the client's domain, with the seconds to wait for a rate-limited one. */
GError     *nc_zadarma_error_new                 (NcZadarmaError        code,
                                                  guint                 retry_after,
                                                  const char           *format,
                                                  ...) G_GNUC_PRINTF (3, 4);

/* The request budget (nc-zadarma-client-budget.c) */
void        nc_zadarma_budget_init               (NcZadarmaBudget      *budget);
void        nc_zadarma_budget_clear              (NcZadarmaBudget      *budget);
/* The bucket @method takes from, and that bucket's limit a minute. */
const char *nc_zadarma_client_bucket_for         (NcZadarmaClient      *self,
                                                  const char           *method,
                                                  guint                *out_limit);
void        nc_zadarma_client_take_budget_async  (NcZadarmaClient      *self,
                                                  const char           *bucket,
                                                  guint                 limit,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
/* @out_wait: 0 when a request was taken; else the seconds until one is free */
gboolean    nc_zadarma_client_take_budget_finish (NcZadarmaClient      *self,
                                                  GAsyncResult         *result,
                                                  guint                *out_wait,
                                                  GError              **error);

G_END_DECLS
