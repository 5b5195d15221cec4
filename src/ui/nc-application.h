/* nc-application.h — the composition root
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-call-tracker.h"
#include "nc-webhook-server.h"
#include "nc-zadarma-call.h"

G_BEGIN_DECLS

#define NC_TYPE_APPLICATION (nc_application_get_type ())

G_DECLARE_FINAL_TYPE (NcApplication, nc_application, NC, APPLICATION, AdwApplication)

NcApplication *nc_application_new                 (void);
const char    *nc_application_get_data_dir        (NcApplication *self);
GtkWindow     *nc_application_create_about_window (NcApplication *self);
NcCallTracker *nc_application_get_call_tracker    (NcApplication *self);
NcWebhookServer *nc_application_get_listener      (NcApplication *self);
const char    *nc_application_get_listener_problem (NcApplication *self);
NcStore       *nc_application_get_store           (NcApplication *self);
NcZadarmaClient *nc_application_get_zadarma_client (NcApplication *self);
gboolean       nc_application_get_demo            (NcApplication *self);
GSettings     *nc_application_get_settings        (NcApplication *self);
guint64        nc_application_place_call          (NcApplication       *self,
                                                   NcCallRequest       *request,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);

G_END_DECLS
