/* nc-fake-notifications.h — an org.freedesktop.Notifications server on the test bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Without a notification server, g_application_send_notification() warns, and warnings are
 * fatal in tests; with this one, a test also sees what was sent.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  guint32  id;
  guint32  replaces_id;
  char    *summary;
  char    *body;
  GStrv    actions;      /* id, label, id, label … */
  guint8   urgency;
} NcFakeNotification;

typedef struct _NcFakeNotifications NcFakeNotifications;

NcFakeNotifications *nc_fake_notifications_start   (void);
void                 nc_fake_notifications_stop    (NcFakeNotifications *self);
GPtrArray           *nc_fake_notifications_get_all (NcFakeNotifications *self);
guint                nc_fake_notifications_get_n_closed (NcFakeNotifications *self);
gboolean             nc_fake_notifications_wait    (NcFakeNotifications *self,
                                                    guint                n,
                                                    guint                timeout_ms);
gboolean             nc_fake_notification_has_action (const NcFakeNotification *notification,
                                                      const char               *label);

G_END_DECLS
