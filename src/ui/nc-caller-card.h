/* nc-caller-card.h — who is calling, inside the window, without taking the focus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-session.h"

G_BEGIN_DECLS

#define NC_TYPE_CALLER_CARD (nc_caller_card_get_type ())

G_DECLARE_FINAL_TYPE (NcCallerCard, nc_caller_card, NC, CALLER_CARD, AdwBin)

void      nc_caller_card_set_session    (NcCallerCard *self,
                                         NcSession    *session);
void      nc_caller_card_set_every_call (NcCallerCard *self,
                                         gboolean      every_call);
NcCall   *nc_caller_card_get_call       (NcCallerCard *self);
gboolean  nc_caller_card_get_loaded     (NcCallerCard *self);
void      nc_caller_card_dismiss        (NcCallerCard *self);

G_END_DECLS
