/* nc-fake-notifications.c — an org.freedesktop.Notifications server on the test bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nc-fake-notifications.h"

struct _NcFakeNotifications
{
  GDBusConnection *connection;
  guint            registration;
  guint            owner;
  gboolean         owned;
  GPtrArray       *received;
  guint            n_closed;
  guint32          next_id;
};

static const char introspection_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "    <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "  </interface>"
  "</node>";

static void
notification_free (NcFakeNotification *notification)
{
  g_free (notification->summary);
  g_free (notification->body);
  g_strfreev (notification->actions);
  g_free (notification);
}

static void
method_call (GDBusConnection       *connection,
             const char            *sender,
             const char            *object_path,
             const char            *interface_name,
             const char            *method_name,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               user_data)
{
  NcFakeNotifications *self = user_data;

  if (g_str_equal (method_name, "Notify"))
    {
      NcFakeNotification *notification = g_new0 (NcFakeNotification, 1);
      g_autoptr(GVariant) hints = NULL;
      const char *summary, *body;

      g_variant_get (parameters, "(&su&s&s&s^as@a{sv}i)", NULL, &notification->replaces_id,
                     NULL, &summary, &body, &notification->actions, &hints, NULL);
      notification->summary = g_strdup (summary);
      notification->body = g_strdup (body);
      g_variant_lookup (hints, "urgency", "y", &notification->urgency);
      notification->id = notification->replaces_id != 0 ? notification->replaces_id
                                                        : self->next_id++;
      g_ptr_array_add (self->received, notification);
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(u)", notification->id));
    }
  else if (g_str_equal (method_name, "CloseNotification"))
    {
      self->n_closed++;
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char *caps[] = { "actions", "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(ssss)", "fake", "novofon", "1", "1.2"));
}

static const GDBusInterfaceVTable vtable = { method_call, NULL, NULL };

static void
name_acquired (GDBusConnection *connection,
               const char      *name,
               gpointer         user_data)
{
  ((NcFakeNotifications *) user_data)->owned = TRUE;
}

/**
 * nc_fake_notifications_start:
 *
 * Owns org.freedesktop.Notifications on the session bus and waits until it is owned.
 */
NcFakeNotifications *
nc_fake_notifications_start (void)
{
  NcFakeNotifications *self = g_new0 (NcFakeNotifications, 1);
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (introspection_xml, NULL);
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  self->next_id = 1;
  self->received = g_ptr_array_new_with_free_func ((GDestroyNotify) notification_free);
  self->connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  self->registration = g_dbus_connection_register_object (self->connection,
                                                          "/org/freedesktop/Notifications",
                                                          info->interfaces[0], &vtable, self,
                                                          NULL, &error);
  g_assert_no_error (error);
  self->owner = g_bus_own_name_on_connection (self->connection, "org.freedesktop.Notifications",
                                              G_BUS_NAME_OWNER_FLAGS_REPLACE, name_acquired,
                                              NULL, self, NULL);
  while (!self->owned && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (self->owned);
  return self;
}

void
nc_fake_notifications_stop (NcFakeNotifications *self)
{
  g_bus_unown_name (self->owner);
  g_dbus_connection_unregister_object (self->connection, self->registration);
  g_object_unref (self->connection);
  g_ptr_array_unref (self->received);
  g_free (self);
}

/**
 * nc_fake_notifications_get_all:
 *
 * Returns: (transfer none) (element-type NcFakeNotification): what was received, in order
 */
GPtrArray *
nc_fake_notifications_get_all (NcFakeNotifications *self)
{
  return self->received;
}

guint
nc_fake_notifications_get_n_closed (NcFakeNotifications *self)
{
  return self->n_closed;
}

/* Spins the main context until @n notifications have been received. */
gboolean
nc_fake_notifications_wait (NcFakeNotifications *self,
                            guint                n,
                            guint                timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (self->received->len < n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  return self->received->len >= n;
}

gboolean
nc_fake_notification_has_action (const NcFakeNotification *notification,
                                 const char               *label)
{
  for (guint i = 0; notification->actions != NULL && notification->actions[i] != NULL &&
                    notification->actions[i + 1] != NULL; i += 2)
    if (g_str_equal (notification->actions[i + 1], label))
      return TRUE;
  return FALSE;
}
