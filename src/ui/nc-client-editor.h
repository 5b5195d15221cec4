/* nc-client-editor.h — one client's name, channel, number and variables, to add or change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-client.h"

G_BEGIN_DECLS

#define NC_TYPE_CLIENT_EDITOR (nc_client_editor_get_type ())

G_DECLARE_FINAL_TYPE (NcClientEditor, nc_client_editor, NC, CLIENT_EDITOR, AdwWindow)

NcClientEditor *nc_client_editor_new         (GtkWindow      *parent,
                                              NcClient       *client);
void            nc_client_editor_fill        (NcClientEditor *self,
                                              const char     *name,
                                              NcChannel       channel,
                                              const char     *phone);
void            nc_client_editor_set_variable (NcClientEditor *self,
                                               const char     *name,
                                               const char     *value);
const char     *nc_client_editor_get_problem (NcClientEditor *self);
NcClient       *nc_client_editor_get_result  (NcClientEditor *self);

G_END_DECLS
