/* nc-live-view.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define NC_TYPE_LIVE_VIEW (nc_live_view_get_type ())

G_DECLARE_FINAL_TYPE (NcLiveView, nc_live_view, NC, LIVE_VIEW, AdwBin)

G_END_DECLS
