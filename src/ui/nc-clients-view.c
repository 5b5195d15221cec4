/* nc-clients-view.c — the company's clients, searchable as you type
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-clients-view"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-clients-view.h"

struct _NcClientsView
{
  GtkWidget       parent_instance;

  GtkSearchEntry *search_entry;
  GtkStack       *stack;
};

G_DEFINE_FINAL_TYPE (NcClientsView, nc_clients_view, GTK_TYPE_WIDGET)

static void
nc_clients_view_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), NC_TYPE_CLIENTS_VIEW);

  G_OBJECT_CLASS (nc_clients_view_parent_class)->dispose (object);
}

static void
nc_clients_view_class_init (NcClientsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_clients_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-clients-view.ui");
  gtk_widget_class_bind_template_child (widget_class, NcClientsView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, NcClientsView, stack);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
nc_clients_view_init (NcClientsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
nc_clients_view_focus_search (NcClientsView *self)
{
  g_return_if_fail (NC_IS_CLIENTS_VIEW (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}
