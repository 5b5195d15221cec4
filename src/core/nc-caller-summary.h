/* nc-caller-summary.h — what the caller's card says about who calls: read from the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-call.h"
#include "nc-client.h"
#include "nc-store.h"

G_BEGIN_DECLS

/* The calls a caller's card shows, at most. */
#define NC_CALLER_SUMMARY_CALLS 3
/* The client variables another part writes after a call, read when present. */
#define NC_LAST_CALL_OUTCOME_VARIABLE "zadarma_last_call_outcome"
#define NC_LAST_CALL_NOTE_VARIABLE "zadarma_last_call_note"

typedef struct
{
  NcClient  *client;        /* with its variables */
  GPtrArray *calls;         /* NcCall: the last ones before this one, newest first */
  char      *last_employee; /* the extension of the last answered call before, or %NULL */
} NcCallerSummary;

void             nc_caller_summary_free        (NcCallerSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcCallerSummary, nc_caller_summary_free)

NcCallerSummary *nc_caller_summary_read_sync   (NcStore             *store,
                                                gint64               client_id,
                                                const char          *except_pbx_call_id,
                                                GError             **error);
void             nc_caller_summary_read_async  (NcStore             *store,
                                                gint64               client_id,
                                                const char          *except_pbx_call_id,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
NcCallerSummary *nc_caller_summary_read_finish (GAsyncResult        *result,
                                                GError             **error);

G_END_DECLS
