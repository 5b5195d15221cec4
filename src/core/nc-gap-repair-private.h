/* nc-gap-repair-private.h — what the gap repair's two files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * nc-gap-repair.c runs a repair, page by page, and keeps the heartbeat;
 * nc-gap-repair-plan.c says when there is a gap, keeps where a repair has got to, and
 * makes a call of each line of the statistics.
 */
#pragma once

#include "nc-client-matcher.h"
#include "nc-gap-repair.h"

G_BEGIN_DECLS

/* Where a repair has got to, all in the PBX's time. */
typedef struct
{
  gint64 since;
  gint64 until;
  gint64 window_start;   /* the month window asked for now… */
  gint64 window_end;     /* …up to here, not included */
  guint  skip;           /* the calls of the window already stored */
} NcGapCursor;

/* The end of the month window that starts at @start: a calendar month later, or @until. */
gint64        nc_gap_repair_window_end             (gint64                  start,
                                                    gint64                  until);
char         *nc_gap_repair_cursor_to_string       (const NcGapCursor      *cursor);
gboolean      nc_gap_repair_begin_cursor           (NcStore                *store,
                                                    gint64                  since,
                                                    gint64                  until,
                                                    NcGapCursor            *cursor,
                                                    GError                **error);
NcCallRecord *nc_gap_repair_record_from_statistics (const NcZadarmaPbxCall *call,
                                                    gint64                  offset,
                                                    gint64                  now);
gboolean      nc_gap_repair_find_client            (NcClientMatcher        *matcher,
                                                    NcCallRecord           *record,
                                                    GError                **error);

G_END_DECLS
