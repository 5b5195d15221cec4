/* nc-call-private.h — what only the tracker may do to a call
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nc-call.h"

G_BEGIN_DECLS

NcCall   *nc_call_new            (const char *pbx_call_id);
gboolean  nc_call_apply_event    (NcCall     *self,
                                  const char *event_type,
                                  GHashTable *fields,
                                  gint64      received_at_us);
gboolean  nc_call_has_start      (NcCall     *self);
void      nc_call_set_request_id (NcCall     *self,
                                  guint64     request_id);

G_END_DECLS
