/* nc-call-private.h — what only the tracker may do to a call
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nc-call.h"

G_BEGIN_DECLS

NcCall   *nc_call_new    (const NcCallRecord *record);
gboolean  nc_call_update (NcCall             *self,
                          const NcCallRecord *record);

G_END_DECLS
