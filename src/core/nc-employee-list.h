/* nc-employee-list.h — the project's employees, as a list model, found by their id
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-client.h"
#include "nc-store.h"

G_BEGIN_DECLS

#define NC_TYPE_EMPLOYEE_LIST (nc_employee_list_get_type ())

G_DECLARE_FINAL_TYPE (NcEmployeeList, nc_employee_list, NC, EMPLOYEE_LIST, GObject)

NcEmployeeList *nc_employee_list_new          (void);
void            nc_employee_list_set_store    (NcEmployeeList *self,
                                               NcStore        *store);
void            nc_employee_list_reload       (NcEmployeeList *self);
gboolean        nc_employee_list_get_loaded   (NcEmployeeList *self);
NcEmployee     *nc_employee_list_lookup       (NcEmployeeList *self,
                                               const char     *employee_id);
char           *nc_employee_list_describe     (NcEmployeeList *self,
                                               const char     *employee_id);

G_END_DECLS
