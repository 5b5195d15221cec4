/* nc-store.h — the project's data: clients, employees, messengers, calls, events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-call-record.h"
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
  NC_STORE_ERROR_BUSY,        /* the client is being called already */
  NC_STORE_ERROR_AUTH,        /* the database refused the user, password or right */
  NC_STORE_ERROR_UNREACHABLE, /* no database server answered there */
  NC_STORE_ERROR_DISCONNECTED, /* the connection to the database server was lost */
} NcStoreError;

#define NC_STORE_SCHEMA_VERSION 7
#define NC_STORE_FILE_NAME "novofon-console.db"

/* What an emission of NcStore::changed is about. */
typedef enum
{
  NC_STORE_CHANGE_CLIENTS,     /* clients and their variables */
  NC_STORE_CHANGE_EMPLOYEES,
  NC_STORE_CHANGE_MESSENGERS,  /* the project's messengers */
  NC_STORE_CHANGE_CALLS,       /* call events and what is kept of calls */
  NC_STORE_CHANGE_MISSED,      /* the clients to call back (nc-missed.h) */
} NcStoreChange;

#define NC_STORE_N_CHANGES (NC_STORE_CHANGE_MISSED + 1)

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

/* The journal's filters, run by the store (nc_store_list_calls_sync()). */
typedef enum
{
  NC_CALL_OUTCOME_ANY,
  NC_CALL_OUTCOME_ANSWERED,
  NC_CALL_OUTCOME_MISSED,        /* incoming, ended unanswered */
  NC_CALL_OUTCOME_NOT_ANSWERED,  /* outgoing, ended unanswered */
  NC_CALL_OUTCOME_UNENDED,       /* taken for over: no end was reported */
} NcCallOutcome;

typedef struct
{
  int            direction;  /* an NcCallDirection, or -1 for both */
  NcCallOutcome  outcome;
  char          *employee;   /* an extension, or %NULL for every one */
  gint64         since;      /* started_unix at or after (0: no bound) */
  gint64         until;      /* started_unix before (0: no bound) */
  char          *text;       /* a fragment of a number or a client's name, or %NULL */
  gint64         client_id;  /* one client's calls, or 0 */
} NcCallFilter;

/* The clients a text filter looks for calls of, at most. */
#define NC_CALL_FILTER_TEXT_CLIENTS 200

NcCallFilter *nc_call_filter_new     (void);
NcCallFilter *nc_call_filter_copy    (const NcCallFilter *filter);
gboolean      nc_call_filter_equal   (const NcCallFilter *a,
                                      const NcCallFilter *b);
gboolean      nc_call_filter_is_empty (const NcCallFilter *filter);
const char   *nc_call_filter_get_text (const NcCallFilter *filter);
gboolean      nc_call_filter_matches_number (const NcCallFilter *filter,
                                            const NcCallRecord *record);
gboolean      nc_call_filter_matches (const NcCallFilter *filter,
                                      const NcCallRecord *record,
                                      GArray             *text_clients);
gboolean      nc_call_filter_finds_notes  (const NcCallFilter *filter);
gboolean      nc_call_filter_matches_note (const NcCallFilter *filter,
                                           const NcCallRecord *record);
void          nc_call_filter_free    (NcCallFilter       *filter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcCallFilter, nc_call_filter_free)

/* What changed since a reader last looked (nc_store_read_changes_sync()). */
typedef struct
{
  gint64     cursor;     /* the last change read: where the next read starts */
  guint      kinds;      /* bit (1 << NcStoreChange) for each kind that changed */
  guint      kinds_elsewhere; /* the same, of what other processes changed */
  gboolean   all_calls;  /* more calls changed than the log names one by one */
  gboolean   more;       /* there is more to read after cursor */
  GPtrArray *calls;      /* NcCallRecord: the calls named, as they are now */
} NcStoreChanges;

void nc_store_changes_free (NcStoreChanges *changes);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcStoreChanges, nc_store_changes_free)

/* A callback request a call is tied to, or that expired (nc_store_request_callback_sync()). */
typedef enum
{
  NC_CALLBACK_PENDING,
  NC_CALLBACK_TIED,
  NC_CALLBACK_EXPIRED,
} NcCallbackState;

#define NC_TYPE_STORE (nc_store_get_type ())

G_DECLARE_FINAL_TYPE (NcStore, nc_store, NC, STORE, GObject)

void nc_store_emit_changed (NcStore       *self,
                            NcStoreChange  kind);

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
NcStore    *nc_store_open_database_sync (const char          *url,
                                         const char          *password,
                                         GError             **error);
void        nc_store_open_database_async (const char         *url,
                                          const char         *password,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
gboolean    nc_store_is_database_url    (const char          *text);
char       *nc_store_redact_url         (const char          *url);
gboolean    nc_store_has_feed           (NcStore             *self);
int         nc_store_get_found_version  (NcStore             *self);
char       *nc_store_get_server_version (NcStore             *self);
const char *nc_store_get_problem        (NcStore             *self);
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
/* An import of many clients, a chunk at a time, shown whole at its end or never
 * (nc-store-import.c): from a thread that may wait, never the main context. */
typedef struct _NcStoreImport NcStoreImport;

NcStoreImport *nc_store_import_begin_sync  (NcStore             *self,
                                            GError             **error);
gboolean    nc_store_import_add_sync    (NcStoreImport       *import,
                                         GPtrArray           *drafts,
                                         GError             **error);
gboolean    nc_store_import_finish_sync (NcStoreImport       *import,
                                         guint               *out_count,
                                         GError             **error);
guint       nc_store_import_get_chunk_size (NcStoreImport    *import);
gboolean    nc_store_import_others_writing (NcStoreImport    *import);
void        nc_store_import_free        (NcStoreImport       *import);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcStoreImport, nc_store_import_free)

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
GPtrArray  *nc_store_list_clients_page_sync (NcStore          *self,
                                             gint64            after_id,
                                             guint             limit,
                                             gboolean          with_variables,
                                             GError          **error);
GPtrArray  *nc_store_list_variable_names_sync (NcStore        *self,
                                               guint          *out_clients,
                                               GError        **error);
GPtrArray  *nc_store_find_clients_sync  (NcStore             *self,
                                         const char          *text,
                                         gint64               after_id,
                                         gint64               until_id,
                                         guint                limit,
                                         GError             **error);
void        nc_store_find_clients_async (NcStore             *self,
                                         const char          *text,
                                         gint64               after_id,
                                         gint64               until_id,
                                         guint                limit,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GPtrArray  *nc_store_find_clients_finish (NcStore            *self,
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
void        nc_store_add_matched_call_event_async (NcStore             *self,
                                                   const char          *event_type,
                                                   const char          *canonical_fields,
                                                   gint64               received_at_unix_us,
                                                   gint64               client_id,
                                                   const char          *match_rule,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean    nc_store_add_call_event_finish (NcStore             *self,
                                            GAsyncResult        *result,
                                            gboolean            *out_inserted,
                                            GError             **error);
gboolean    nc_store_get_last_event_time_sync (NcStore          *self,
                                               gint64           *out_time,
                                               GError          **error);
GPtrArray  *nc_store_list_call_events_sync (NcStore             *self,
                                            gint64               after,
                                            guint                limit,
                                            GError             **error);

/* Calls: each is a row, merged from its events by the writer as they are stored. */
GPtrArray  *nc_store_list_live_calls_sync  (NcStore             *self,
                                            gint64              *out_cursor,
                                            gint64              *out_last_call,
                                            GError             **error);
void        nc_store_list_live_calls_async (NcStore             *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GPtrArray  *nc_store_list_live_calls_finish (NcStore            *self,
                                             GAsyncResult       *result,
                                             gint64             *out_cursor,
                                             gint64             *out_last_call,
                                             GError            **error);
NcStoreChanges *nc_store_read_changes_sync   (NcStore             *self,
                                              gint64               after,
                                              GError             **error);
void            nc_store_read_changes_async  (NcStore             *self,
                                              gint64               after,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
NcStoreChanges *nc_store_read_changes_finish (NcStore             *self,
                                              GAsyncResult        *result,
                                              GError             **error);
GPtrArray  *nc_store_list_calls_sync       (NcStore             *self,
                                            const NcCallFilter  *filter,
                                            const NcCallRecord  *after,
                                            guint                limit,
                                            GError             **error);
void        nc_store_list_calls_async      (NcStore             *self,
                                            const NcCallFilter  *filter,
                                            const NcCallRecord  *after,
                                            guint                limit,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GPtrArray  *nc_store_list_calls_finish     (NcStore             *self,
                                            GAsyncResult        *result,
                                            GError             **error);
NcCallRecord *nc_store_get_call_sync       (NcStore             *self,
                                            const char          *pbx_call_id,
                                            GError             **error);

/* What the operator notes of a call (nc-store-notes.c). */
#define NC_CALL_OUTCOME_MAX_CHARS 100
#define NC_CALL_NOTE_MAX_CHARS 2000
/* A journal's text finds the calls whose note holds it from this many characters on. */
#define NC_CALL_NOTE_SEARCH_MIN_CHARS 3
NcCallRecord *nc_store_note_call_sync      (NcStore             *self,
                                            const char          *pbx_call_id,
                                            const char          *outcome,
                                            const char          *note,
                                            GError             **error);
void          nc_store_note_call_async     (NcStore             *self,
                                            const char          *pbx_call_id,
                                            const char          *outcome,
                                            const char          *note,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
NcCallRecord *nc_store_note_call_finish    (NcStore             *self,
                                            GAsyncResult        *result,
                                            GError             **error);
gboolean    nc_store_set_call_client_sync  (NcStore             *self,
                                            gint64               call_id,
                                            gint64               client_id,
                                            const char          *match_rule,
                                            GError             **error);
void        nc_store_set_call_client_async (NcStore             *self,
                                            gint64               call_id,
                                            gint64               client_id,
                                            const char          *match_rule,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    nc_store_set_call_client_finish (NcStore            *self,
                                             GAsyncResult       *result,
                                             GError            **error);
guint       nc_store_close_stuck_calls_sync (NcStore            *self,
                                             gint64              quiet_since_us,
                                             GError            **error);
guint       nc_store_add_recovered_calls_sync (NcStore          *self,
                                               GPtrArray        *records,
                                               GError          **error);

/* Recordings: the link of each recorded call is pending, fetched or failed, in the store. */
GPtrArray  *nc_store_take_due_recordings_sync (NcStore          *self,
                                               gint64            now,
                                               guint             limit,
                                               guint             lease_seconds,
                                               gint64           *out_next_due,
                                               GError          **error);
gboolean    nc_store_recording_fetched_sync   (NcStore          *self,
                                               gint64            call_id,
                                               const char       *link,
                                               const char       *expires,
                                               GError          **error);
gboolean    nc_store_recording_retry_sync     (NcStore          *self,
                                               gint64            call_id,
                                               gint64            next_try,
                                               gboolean          count_attempt,
                                               guint             give_up_after,
                                               GError          **error);
gboolean    nc_store_recording_wanted_sync    (NcStore          *self,
                                               gint64            call_id,
                                               GError          **error);

/* Callback requests: the guard against calling a client twice, for every desk. */
gint64      nc_store_request_callback_sync  (NcStore             *self,
                                             const char          *client_phone,
                                             const char          *employee_id,
                                             gint64               now_us,
                                             guint                window_seconds,
                                             GError             **error);
NcCallbackState nc_store_end_callback_request_sync (NcStore      *self,
                                                    gint64        request_id,
                                                    GError      **error);

/* Small facts kept for every process: the listener's last sign of life, say. */
char       *nc_store_get_meta_sync          (NcStore             *self,
                                             const char          *name,
                                             GError             **error);
gboolean    nc_store_set_meta_sync          (NcStore             *self,
                                             const char          *name,
                                             const char          *value,
                                             GError             **error);

/* The API request budget, shared by every process on this data directory: the store is an
 * NcRequestBudget (nc-request-budget.h) too, which the API client takes from. */
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
