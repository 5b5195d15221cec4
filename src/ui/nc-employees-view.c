/* nc-employees-view.c — the people who make calls, and how each one calls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-employees-view"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-employees-view.h"

struct _NcEmployeesView
{
  AdwBin     parent_instance;

  GtkStack  *stack;
};

G_DEFINE_FINAL_TYPE (NcEmployeesView, nc_employees_view, ADW_TYPE_BIN)

static void
nc_employees_view_class_init (NcEmployeesViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /* AdwBin owns the template’s one child and unparents it in dispose. */
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-employees-view.ui");
  gtk_widget_class_bind_template_child (widget_class, NcEmployeesView, stack);
}

static void
nc_employees_view_init (NcEmployeesView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
