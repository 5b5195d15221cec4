/* nc-zadarma-client.h — the Novofon / Zadarma user API v1, signed, asynchronous
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "nc-request-budget.h"

G_BEGIN_DECLS

#define NC_ZADARMA_ERROR (nc_zadarma_error_quark ())

typedef enum
{
  NC_ZADARMA_ERROR_AUTH,           /* 401: wrong Key or Secret, or API access closed */
  NC_ZADARMA_ERROR_RATE_LIMITED,   /* 429, or the local budget says wait */
  NC_ZADARMA_ERROR_API,            /* {"status":"error","message":…} */
  NC_ZADARMA_ERROR_NETWORK,        /* no connection */
  NC_ZADARMA_ERROR_TIMEOUT,        /* no answer in time */
  NC_ZADARMA_ERROR_SERVER,         /* 5xx */
  NC_ZADARMA_ERROR_PROTOCOL,       /* an answer that is not the API's JSON */
  NC_ZADARMA_ERROR_INVALID,        /* bad input, nothing sent */
} NcZadarmaError;

#define NC_ZADARMA_API_LIMIT_PER_MINUTE 100
#define NC_ZADARMA_STATISTICS_LIMIT_PER_MINUTE 3
#define NC_ZADARMA_RECORD_LIFETIME_MAX 5184000

typedef struct
{
  double  balance;
  char   *currency;
} NcZadarmaBalance;

typedef struct
{
  char   *from;
  char   *to;
  gint64  time;
} NcZadarmaCallback;

typedef struct
{
  char *number;
  char *status;
  char *country;
  char *description;
  char *sip;
} NcZadarmaNumber;

typedef struct
{
  char *link;
  char *lifetime_till;
} NcZadarmaRecord;

/* One call of the PBX's statistics (/v1/statistics/pbx/, version 2). */
typedef struct
{
  char     *pbx_call_id;
  char     *call_id;       /* the recording's id: call_id_with_rec of the webhooks */
  char     *callstart;     /* `YYYY-MM-DD HH:MM:SS`, the account's time */
  char     *sip;           /* the extension (or SIP number) the call went through */
  char     *clid;          /* the caller ID */
  char     *destination;
  char     *disposition;   /* answered, busy, cancel, no answer, … */
  char     *call_type;     /* `in` or `out` when the answer says; %NULL when it does not */
  guint     seconds;
  gboolean  is_recorded;
} NcZadarmaPbxCall;

#define NC_ZADARMA_STATISTICS_PAGE_MAX 1000

void nc_zadarma_balance_free  (NcZadarmaBalance  *balance);
void nc_zadarma_callback_free (NcZadarmaCallback *callback);
void nc_zadarma_number_free   (NcZadarmaNumber   *number);
void nc_zadarma_record_free   (NcZadarmaRecord   *record);
void nc_zadarma_pbx_call_free (NcZadarmaPbxCall  *call);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcZadarmaBalance, nc_zadarma_balance_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcZadarmaCallback, nc_zadarma_callback_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcZadarmaNumber, nc_zadarma_number_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcZadarmaRecord, nc_zadarma_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcZadarmaPbxCall, nc_zadarma_pbx_call_free)

#define NC_TYPE_ZADARMA_CLIENT (nc_zadarma_client_get_type ())

G_DECLARE_FINAL_TYPE (NcZadarmaClient, nc_zadarma_client, NC, ZADARMA_CLIENT, GObject)

GQuark           nc_zadarma_error_quark           (void);
char            *nc_zadarma_error_to_user_message (const GError *error);
guint            nc_zadarma_error_get_retry_after (const GError *error);

NcZadarmaClient *nc_zadarma_client_new            (const char      *base_url,
                                                   const char      *key,
                                                   const char      *secret);
void             nc_zadarma_client_set_budget     (NcZadarmaClient *self,
                                                   NcRequestBudget *budget);
void             nc_zadarma_client_set_timeout    (NcZadarmaClient *self,
                                                   guint            seconds);
void             nc_zadarma_client_set_retries    (NcZadarmaClient *self,
                                                   guint            retries,
                                                   guint            first_delay_ms);
void             nc_zadarma_client_set_limit      (NcZadarmaClient *self,
                                                   const char      *bucket,
                                                   guint            per_minute);

/* Any method: the answer's JSON object, after "status":"success". */
void             nc_zadarma_client_request_async  (NcZadarmaClient     *self,
                                                   const char          *http_method,
                                                   const char          *method,
                                                   GHashTable          *params,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
JsonObject      *nc_zadarma_client_request_finish (NcZadarmaClient     *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

void               nc_zadarma_client_balance_async  (NcZadarmaClient     *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
NcZadarmaBalance  *nc_zadarma_client_balance_finish (NcZadarmaClient     *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
void               nc_zadarma_client_callback_async (NcZadarmaClient     *self,
                                                     const char          *from,
                                                     const char          *to,
                                                     const char          *sip,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
NcZadarmaCallback *nc_zadarma_client_callback_finish (NcZadarmaClient    *self,
                                                      GAsyncResult       *result,
                                                      GError            **error);
void               nc_zadarma_client_extensions_async  (NcZadarmaClient     *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GStrv              nc_zadarma_client_extensions_finish (NcZadarmaClient     *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void               nc_zadarma_client_extension_online_async  (NcZadarmaClient     *self,
                                                              const char          *extension,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
gboolean           nc_zadarma_client_extension_online_finish (NcZadarmaClient     *self,
                                                              GAsyncResult        *result,
                                                              gboolean            *out_online,
                                                              GError             **error);
void               nc_zadarma_client_direct_numbers_async  (NcZadarmaClient     *self,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
GPtrArray         *nc_zadarma_client_direct_numbers_finish (NcZadarmaClient     *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);
void               nc_zadarma_client_record_async  (NcZadarmaClient     *self,
                                                    const char          *call_id_with_rec,
                                                    guint                lifetime_seconds,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
NcZadarmaRecord   *nc_zadarma_client_record_finish (NcZadarmaClient     *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
void               nc_zadarma_client_statistics_async  (NcZadarmaClient     *self,
                                                        const char          *start,
                                                        const char          *end,
                                                        guint                skip,
                                                        guint                limit,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GPtrArray         *nc_zadarma_client_statistics_finish (NcZadarmaClient     *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void               nc_zadarma_client_set_webhook_url_async  (NcZadarmaClient     *self,
                                                             const char          *url,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean           nc_zadarma_client_set_webhook_url_finish (NcZadarmaClient     *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);
void               nc_zadarma_client_enable_notifications_async  (NcZadarmaClient     *self,
                                                                  GCancellable        *cancellable,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
gboolean           nc_zadarma_client_enable_notifications_finish (NcZadarmaClient     *self,
                                                                  GAsyncResult        *result,
                                                                  GError             **error);

G_END_DECLS
