/* nc-employee-editor.h — one employee: name, id, virtual number, how they call
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nc-client.h"

G_BEGIN_DECLS

#define NC_TYPE_EMPLOYEE_EDITOR (nc_employee_editor_get_type ())

G_DECLARE_FINAL_TYPE (NcEmployeeEditor, nc_employee_editor, NC, EMPLOYEE_EDITOR, AdwWindow)

NcEmployeeEditor *nc_employee_editor_new        (GtkWindow        *parent,
                                                 NcEmployee       *employee,
                                                 gboolean          is_me);
NcEmployee       *nc_employee_editor_get_result (NcEmployeeEditor *self);
gboolean          nc_employee_editor_get_is_me  (NcEmployeeEditor *self);
gboolean          nc_employee_editor_is_valid   (NcEmployeeEditor *self);
void              nc_employee_editor_fill       (NcEmployeeEditor *self,
                                                 const char       *name,
                                                 NcCallMethod      method,
                                                 const char       *employee_id,
                                                 const char       *virtual_number);
void              nc_employee_editor_set_choices (NcEmployeeEditor  *self,
                                                  const char *const *extensions,
                                                  GPtrArray         *numbers,
                                                  const char        *problem);

G_END_DECLS
