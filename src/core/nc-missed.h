/* nc-missed.h — the clients whose last call went unanswered, to call back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nc-store.h"

G_BEGIN_DECLS

/* Where a client's missed calls stand (missed_calls.state). */
typedef enum
{
  NC_MISSED_WAITING,   /* to call back */
  NC_MISSED_REACHED,   /* a later call with the client was answered */
  NC_MISSED_CLOSED,    /* closed by hand, with a reason */
} NcMissedState;

/* How long a client has waited, against the supervisor's targets. */
typedef enum
{
  NC_MISSED_WAIT_SHORT,  /* under the first target: green */
  NC_MISSED_WAIT_LONG,   /* under the second: amber */
  NC_MISSED_WAIT_OVER,   /* beyond both: red */
} NcMissedWait;

/* One client to call back, as the store keeps it. */
typedef struct
{
  gint64         client_id;
  char          *client_name;
  char          *number;          /* the phone to call back: the client's, else the caller's */
  NcMissedState  state;
  gint64         first_missed_us; /* real time: the first unanswered call of this wait */
  gint64         last_missed_us;
  guint          count;           /* the unanswered calls since the client was last reached */
  char          *claimed_by;      /* who calls back, or %NULL */
  gint64         claimed_at_us;
  char          *closed_by;
  char          *closed_reason;
  gint64         closed_at_us;
} NcMissedCall;

NcMissedCall *nc_missed_call_copy  (const NcMissedCall *missed);
void          nc_missed_call_free  (NcMissedCall       *missed);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcMissedCall, nc_missed_call_free)

NcMissedWait  nc_missed_wait_level (gint64              waited_us,
                                    guint               short_minutes,
                                    guint               long_minutes);
char         *nc_missed_format_wait (gint64             waited_us);

/* The waiting clients, oldest first, a page at a time: after the entry (@after_us,
 * @after_client) of the last page (0, 0 for the first). */
GPtrArray    *nc_store_list_missed_sync    (NcStore             *self,
                                            gint64               after_us,
                                            gint64               after_client,
                                            guint                limit,
                                            GError             **error);
void          nc_store_list_missed_async   (NcStore             *self,
                                            gint64               after_us,
                                            gint64               after_client,
                                            guint                limit,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GPtrArray    *nc_store_list_missed_finish  (NcStore             *self,
                                            GAsyncResult        *result,
                                            guint               *out_count,
                                            GError             **error);
guint         nc_store_count_missed_sync   (NcStore             *self,
                                            GError             **error);
/* %NULL with no error: the client never missed a call. */
NcMissedCall *nc_store_get_missed_sync     (NcStore             *self,
                                            gint64               client_id,
                                            GError             **error);

/* @who: the employee who takes it (or lets it go, @claim %FALSE). */
gboolean      nc_store_claim_missed_sync   (NcStore             *self,
                                            gint64               client_id,
                                            const char          *who,
                                            gboolean             claim,
                                            GError             **error);
void          nc_store_claim_missed_async  (NcStore             *self,
                                            gint64               client_id,
                                            const char          *who,
                                            gboolean             claim,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean      nc_store_claim_missed_finish (NcStore             *self,
                                            GAsyncResult        *result,
                                            GError             **error);
gboolean      nc_store_close_missed_sync   (NcStore             *self,
                                            gint64               client_id,
                                            const char          *who,
                                            const char          *reason,
                                            GError             **error);
void          nc_store_close_missed_async  (NcStore             *self,
                                            gint64               client_id,
                                            const char          *who,
                                            const char          *reason,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean      nc_store_close_missed_finish (NcStore             *self,
                                            GAsyncResult        *result,
                                            GError             **error);

G_END_DECLS
