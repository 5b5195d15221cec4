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
  GtkWidget  parent_instance;

  GtkStack  *stack;
};

G_DEFINE_FINAL_TYPE (NcEmployeesView, nc_employees_view, GTK_TYPE_WIDGET)

static void
nc_employees_view_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), NC_TYPE_EMPLOYEES_VIEW);

  G_OBJECT_CLASS (nc_employees_view_parent_class)->dispose (object);
}

static void
nc_employees_view_class_init (NcEmployeesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_employees_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-employees-view.ui");
  gtk_widget_class_bind_template_child (widget_class, NcEmployeesView, stack);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
nc_employees_view_init (NcEmployeesView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
