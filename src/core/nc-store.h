/* nc-store.h — the project's data: clients, employees, messengers, calls, events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-client.h"
#include "nc-progress.h"

G_BEGIN_DECLS

#define NC_STORE_ERROR (nc_store_error_quark ())

typedef enum
{
  NC_STORE_ERROR_FAILED,
  NC_STORE_ERROR_LOCKED,
  NC_STORE_ERROR_CORRUPT,
  NC_STORE_ERROR_FULL,
  NC_STORE_ERROR_NEWER_VERSION,
  NC_STORE_ERROR_NOT_FOUND,
  NC_STORE_ERROR_INVALID,
} NcStoreError;

#define NC_STORE_SCHEMA_VERSION 2
#define NC_STORE_FILE_NAME "novofon-console.db"

/* What an emission of NcStore::changed is about. */
typedef enum
{
  NC_STORE_CHANGE_CLIENTS,     /* clients and their variables */
  NC_STORE_CHANGE_EMPLOYEES,
  NC_STORE_CHANGE_MESSENGERS,  /* the project's messengers */
  NC_STORE_CHANGE_CALLS,       /* call events and what is kept of calls */
} NcStoreChange;

GType nc_store_change_get_type (void);
#define NC_TYPE_STORE_CHANGE (nc_store_change_get_type ())

/* One stored webhook event. */
typedef struct
{
  gint64  id;
  char   *event_type;
  char   *fields;        /* the canonical form: sorted, form-encoded */
  gint64  received_at;   /* microseconds, real time */
} NcStoredEvent;

void nc_stored_event_free (NcStoredEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcStoredEvent, nc_stored_event_free)

/* What the store keeps of a call besides its events. */
typedef struct
{
  char   *pbx_call_id;
  gint64  client_id;
  char   *match_rule;
  char   *record_link;
  char   *record_expires;
} NcStoredCall;

void nc_stored_call_free (NcStoredCall *call);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcStoredCall, nc_stored_call_free)

#define NC_TYPE_STORE (nc_store_get_type ())

G_DECLARE_FINAL_TYPE (NcStore, nc_store, NC, STORE, GObject)

/* NcStore::changed:
 *
 *   void (*changed) (NcStore *store, NcStoreChange kind, gint64 id, gpointer user_data)
 *
 * Data of @kind changed and is committed. @id is the row's id when one row changed (a
 * client, an employee, a new call event), 0 when several did or the row has no id (the
 * messengers; a call, which is keyed by the PBX's id).
 *
 * Emitted on the main context that was the thread's default one when the store was
 * opened (nc_store_open_sync() or nc_store_open_async()), once per kind for each group of
 * writes that the writer committed together, and only after their COMMIT succeeded:
 * never for a write that failed, was cancelled or was taken back. It says that something
 * changed, not what: a view re-reads its rows, and never counts emissions. A thread that
 * opens a store and never runs that context piles the emissions up there. */

GQuark      nc_store_error_quark        (void);

NcStore    *nc_store_open_sync          (const char          *data_dir,
                                         GError             **error);
void        nc_store_open_async         (const char          *data_dir,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
NcStore    *nc_store_open_finish        (GAsyncResult        *result,
                                         GError             **error);
const char *nc_store_get_path           (NcStore             *self);
void        nc_store_set_busy_timeout   (NcStore             *self,
                                         guint                milliseconds);
void        nc_store_close              (NcStore             *self);

/* Clients. A draft is an NcClient with id 0; phones are canonical (see nc-phone). */
gboolean    nc_store_add_clients_sync   (NcStore             *self,
                                         GPtrArray           *drafts,
                                         GArray             **out_ids,
                                         GError             **error);
void        nc_store_add_clients_async  (NcStore             *self,
                                         GPtrArray           *drafts,
                                         NcProgress          *progress,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GArray     *nc_store_add_clients_finish (NcStore             *self,
                                         GAsyncResult        *result,
                                         GError             **error);
gboolean    nc_store_update_client_sync (NcStore             *self,
                                         NcClient            *client,
                                         GError             **error);
void        nc_store_update_client_async  (NcStore             *self,
                                           NcClient            *client,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean    nc_store_update_client_finish (NcStore             *self,
                                           GAsyncResult        *result,
                                           GError             **error);
gboolean    nc_store_delete_client_sync (NcStore             *self,
                                         gint64               client_id,
                                         GError             **error);
void        nc_store_delete_client_async  (NcStore             *self,
                                           gint64               client_id,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean    nc_store_delete_client_finish (NcStore             *self,
                                           GAsyncResult        *result,
                                           GError             **error);
gboolean    nc_store_set_variable_sync  (NcStore             *self,
                                         gint64               client_id,
                                         const char          *name,
                                         const char          *value,
                                         GError             **error);
void        nc_store_set_variable_async (NcStore             *self,
                                         gint64               client_id,
                                         const char          *name,
                                         const char          *value,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean    nc_store_set_variable_finish (NcStore            *self,
                                          GAsyncResult       *result,
                                          GError            **error);
NcClient   *nc_store_get_client_sync    (NcStore             *self,
                                         gint64               client_id,
                                         GError             **error);
void        nc_store_get_client_async   (NcStore             *self,
                                         gint64               client_id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
NcClient   *nc_store_get_client_finish  (NcStore             *self,
                                         GAsyncResult        *result,
                                         GError             **error);
GPtrArray  *nc_store_list_clients_sync  (NcStore             *self,
                                         gboolean             with_variables,
                                         GError             **error);
void        nc_store_list_clients_async (NcStore             *self,
                                         gint64               after_id,
                                         guint                limit,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GPtrArray  *nc_store_list_clients_finish (NcStore            *self,
                                          GAsyncResult       *result,
                                          GError            **error);
GArray     *nc_store_search_clients_sync (NcStore            *self,
                                          const char         *query,
                                          guint               limit,
                                          GError            **error);
void        nc_store_search_clients_async (NcStore           *self,
                                           const char        *query,
                                           guint              limit,
                                           GCancellable      *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer           user_data);
GArray     *nc_store_search_clients_finish (NcStore          *self,
                                            GAsyncResult     *result,
                                            GError          **error);

/* The phone index of the matcher: every client's own phone and every variable value
 * that is a phone number, canonical, kept on every write. */
gboolean    nc_store_lookup_phone_sync         (NcStore      *self,
                                                const char   *canonical,
                                                gint64       *out_telephony_client,
                                                gint64       *out_any_client,
                                                GError      **error);
gint64      nc_store_find_or_add_client_sync   (NcStore      *self,
                                                const char   *canonical,
                                                NcClient     *draft,
                                                gboolean     *out_added,
                                                GError      **error);

/* Employees. */
GPtrArray  *nc_store_list_employees_sync   (NcStore          *self,
                                            GError          **error);
void        nc_store_list_employees_async  (NcStore             *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GPtrArray  *nc_store_list_employees_finish (NcStore             *self,
                                            GAsyncResult        *result,
                                            GError             **error);
gint64      nc_store_save_employee_sync    (NcStore          *self,
                                            NcEmployee       *employee,
                                            GError          **error);
void        nc_store_save_employee_async   (NcStore             *self,
                                            NcEmployee          *employee,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gint64      nc_store_save_employee_finish  (NcStore             *self,
                                            GAsyncResult        *result,
                                            GError             **error);
gboolean    nc_store_delete_employee_sync  (NcStore          *self,
                                            gint64            id,
                                            GError          **error);
void        nc_store_delete_employee_async (NcStore             *self,
                                            gint64               id,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    nc_store_delete_employee_finish (NcStore            *self,
                                             GAsyncResult       *result,
                                             GError            **error);

/* The project's connected messengers (channels other than telephony). */
GStrv       nc_store_get_messengers_sync   (NcStore          *self,
                                            GError          **error);
void        nc_store_get_messengers_async  (NcStore             *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GStrv       nc_store_get_messengers_finish (NcStore             *self,
                                            GAsyncResult        *result,
                                            GError             **error);
gboolean    nc_store_set_messengers_sync   (NcStore          *self,
                                            const char *const *messengers,
                                            GError          **error);
void        nc_store_set_messengers_async  (NcStore             *self,
                                            const char *const   *messengers,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    nc_store_set_messengers_finish (NcStore             *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* Webhook events: acknowledged only once committed; a replay stores nothing. */
void        nc_store_add_call_event_async  (NcStore             *self,
                                            const char          *event_type,
                                            const char          *canonical_fields,
                                            gint64               received_at_unix_us,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    nc_store_add_call_event_finish (NcStore             *self,
                                            GAsyncResult        *result,
                                            gboolean            *out_inserted,
                                            GError             **error);
GPtrArray  *nc_store_list_call_events_sync (NcStore             *self,
                                            GError             **error);
gboolean    nc_store_get_last_event_time_sync (NcStore          *self,
                                               gint64           *out_time,
                                               GError          **error);
gboolean    nc_store_save_call_sync        (NcStore             *self,
                                            const NcStoredCall  *call,
                                            GError             **error);
void        nc_store_save_call_async       (NcStore             *self,
                                            const NcStoredCall  *call,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    nc_store_save_call_finish      (NcStore             *self,
                                            GAsyncResult        *result,
                                            GError             **error);
GPtrArray  *nc_store_list_calls_sync       (NcStore             *self,
                                            GError             **error);

/* The API request budget, shared by every process on this data directory. */
gboolean    nc_store_budget_take_sync   (NcStore             *self,
                                         const char          *bucket,
                                         guint                limit,
                                         guint                window_seconds,
                                         guint               *wait_seconds,
                                         GError             **error);
void        nc_store_budget_take_async  (NcStore             *self,
                                         const char          *bucket,
                                         guint                limit,
                                         guint                window_seconds,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean    nc_store_budget_take_finish (NcStore             *self,
                                         GAsyncResult        *result,
                                         guint               *wait_seconds,
                                         GError             **error);

G_END_DECLS
