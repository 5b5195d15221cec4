/* nc-gap-repair.h — the calls of a time the listener was down, from the PBX's statistics
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-store.h"
#include "nc-zadarma-client.h"

G_BEGIN_DECLS

/* The store's meta rows this module keeps. */
#define NC_GAP_REPAIR_META_HEARTBEAT "listener-alive"   /* Unix seconds, real time */
#define NC_GAP_REPAIR_META_CURSOR    "gap-repair"       /* the repair under way */

/* How often the process that runs the listener says it is alive. */
#define NC_GAP_REPAIR_HEARTBEAT_SECONDS 60
/* A silence shorter than this is no gap: a heartbeat can be that old while all is well. */
#define NC_GAP_REPAIR_MIN_GAP_SECONDS 120
/* Taken before the start of a gap, for the clocks and the listener's last moments. */
#define NC_GAP_REPAIR_MARGIN_SECONDS 60
/* A recovered recording younger than this is fetched by the call service; an older one
 * only when someone opens it. */
#define NC_GAP_REPAIR_RECORDING_DAYS 3

#define NC_TYPE_GAP_REPAIR (nc_gap_repair_get_type ())

G_DECLARE_FINAL_TYPE (NcGapRepair, nc_gap_repair, NC, GAP_REPAIR, GObject)

NcGapRepair *nc_gap_repair_new             (NcStore             *store,
                                            NcZadarmaClient     *client);
void         nc_gap_repair_set_client      (NcGapRepair         *self,
                                            NcZadarmaClient     *client);
void         nc_gap_repair_set_page_limit  (NcGapRepair         *self,
                                            guint                limit);

gboolean     nc_gap_repair_get_running     (NcGapRepair         *self);
guint        nc_gap_repair_get_fetched     (NcGapRepair         *self);
guint        nc_gap_repair_get_added       (NcGapRepair         *self);
gint64       nc_gap_repair_get_position    (NcGapRepair         *self);
guint        nc_gap_repair_get_waiting     (NcGapRepair         *self);

/* The listener's sign of life, for the next start to know how long it was down. */
void         nc_gap_repair_start_heartbeat (NcGapRepair         *self);
void         nc_gap_repair_stop_heartbeat  (NcGapRepair         *self);

/* When to repair. Times of the PBX (its account's clock read as UTC, as started_unix). */
gboolean     nc_gap_repair_find_gap_sync   (NcStore             *store,
                                            gint64               now_us,
                                            guint                min_gap_seconds,
                                            gint64              *out_since,
                                            gint64              *out_until,
                                            GError             **error);
gint64       nc_gap_repair_pbx_offset_sync (NcStore             *store,
                                            GError             **error);

/* Repairs [since, until); @until 0 is now. */
void         nc_gap_repair_run_async       (NcGapRepair         *self,
                                            gint64               since,
                                            gint64               until,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean     nc_gap_repair_run_finish      (NcGapRepair         *self,
                                            GAsyncResult        *result,
                                            guint               *out_added,
                                            GError             **error);

/* What a start does: finds the gap, if there is one, and repairs it. */
void         nc_gap_repair_repair_gap_async  (NcGapRepair         *self,
                                              guint                min_gap_seconds,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean     nc_gap_repair_repair_gap_finish (NcGapRepair         *self,
                                              GAsyncResult        *result,
                                              gboolean            *out_found,
                                              guint               *out_added,
                                              GError             **error);

G_END_DECLS
