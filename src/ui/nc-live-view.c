/* nc-live-view.c — every call, live, from the PBX's webhooks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-live-view"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-live-view.h"

struct _NcLiveView
{
  AdwBin     parent_instance;

  GtkStack  *stack;
};

G_DEFINE_FINAL_TYPE (NcLiveView, nc_live_view, ADW_TYPE_BIN)

static void
nc_live_view_class_init (NcLiveViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /* AdwBin owns the template’s one child and unparents it in dispose. */
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-live-view.ui");
  gtk_widget_class_bind_template_child (widget_class, NcLiveView, stack);
}

static void
nc_live_view_init (NcLiveView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
