/* nc-setup-check.h — what breaks the integration, checked through the API, with the fix
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-store.h"
#include "nc-zadarma-client.h"

G_BEGIN_DECLS

typedef enum
{
  NC_SETUP_CHECK_PASSED,
  NC_SETUP_CHECK_FAILED,
  NC_SETUP_CHECK_SKIPPED,
} NcSetupCheckStatus;

typedef struct
{
  char               *title;    /* what was checked */
  NcSetupCheckStatus  status;
  char               *detail;   /* what was found, or what to change in the cabinet */
} NcSetupCheckItem;

void nc_setup_check_item_free (NcSetupCheckItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcSetupCheckItem, nc_setup_check_item_free)

void       nc_setup_check_async  (NcZadarmaClient     *client,
                                  NcStore             *store,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
GPtrArray *nc_setup_check_finish (GAsyncResult        *result,
                                  GError             **error);

G_END_DECLS
