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
  AdwBin       parent_instance;

  GtkSearchEntry *search_entry;
  GtkStack       *stack;
};

G_DEFINE_FINAL_TYPE (NcClientsView, nc_clients_view, ADW_TYPE_BIN)

static void
nc_clients_view_class_init (NcClientsViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /* AdwBin owns the template’s one child and unparents it in dispose. */
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-clients-view.ui");
  gtk_widget_class_bind_template_child (widget_class, NcClientsView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, NcClientsView, stack);
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

/**
 * nc_clients_view_search:
 *
 * Searches the clients for @text, as if the user had typed it.
 */
void
nc_clients_view_search (NcClientsView *self,
                        const char    *text)
{
  g_return_if_fail (NC_IS_CLIENTS_VIEW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
}
