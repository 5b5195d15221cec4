/* nc-call-notifier.c — desktop notifications for incoming, missed and ended calls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One notification per call, under the id "call-<pbx_call_id>", so that the ringing
 * notification is replaced by the missed or ended one. Notifications never take the
 * keyboard focus: nothing here presents a window; the buttons act only when clicked
 * ("app.open-client" and "app.call-back", both with the client's number).
 */

#define G_LOG_DOMAIN "nc-call-notifier"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-call-notifier.h"

struct _NcCallNotifier
{
  GObject        parent_instance;

  GApplication  *application;   /* weak: the application owns us */
  NcCallTracker *tracker;
  GSettings     *settings;
};

G_DEFINE_FINAL_TYPE (NcCallNotifier, nc_call_notifier, G_TYPE_OBJECT)

static char *
notification_id (NcCall *call)
{
  return g_strconcat ("call-", nc_call_get_pbx_call_id (call), NULL);
}

static char *
who (NcCall *call)
{
  const char *name = nc_call_get_client_name (call);
  const char *number = nc_call_get_client_number (call);

  if (name != NULL && number != NULL)
    return g_strdup_printf ("%s · %s", name, number);
  return g_strdup (name != NULL ? name : number != NULL ? number : _("Unknown number"));
}

static void
add_buttons (GNotification *notification,
             NcCall        *call)
{
  const char *number = nc_call_get_client_number (call);

  if (number == NULL)
    return;

  g_notification_add_button_with_target (notification, _("Open Client"), "app.open-client",
                                         "s", number);
  if (nc_call_get_client_id (call) != 0 || g_ascii_isdigit (*number))
    g_notification_add_button_with_target (notification, _("Call Back"), "app.call-back",
                                           "s", number);
  g_notification_set_default_action_and_target (notification, "app.open-client", "s", number);
}

static void
send (NcCallNotifier *self,
      NcCall         *call,
      const char     *title,
      const char     *body,
      GNotificationPriority priority)
{
  g_autoptr(GNotification) notification = g_notification_new (title);
  g_autofree char *id = notification_id (call);

  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, priority);
  add_buttons (notification, call);
  g_application_send_notification (self->application, id, notification);
}

static void
notify_ringing (NcCallNotifier *self,
                NcCall         *call)
{
  g_autofree char *body = NULL;

  if (nc_call_get_state (call) != NC_CALL_STATE_RINGING)
    return;

  body = who (call);
  send (self, call, _("Incoming Call"), body, G_NOTIFICATION_PRIORITY_HIGH);
}

static void
client_matched (NcCall         *call,
                GParamSpec     *pspec,
                NcCallNotifier *self)
{
  /* The client is matched a moment after the call starts: show the name while it rings. */
  notify_ringing (self, call);
}

static void
call_started (NcCallNotifier *self,
              NcCall         *call)
{
  if (nc_call_get_direction (call) != NC_CALL_DIRECTION_IN)
    return;

  notify_ringing (self, call);
  g_signal_connect_object (call, "notify::client-name", G_CALLBACK (client_matched), self, 0);
}

static void
call_ended (NcCallNotifier *self,
            NcCall         *call)
{
  g_autofree char *body = NULL;
  g_autofree char *name = who (call);

  if (nc_call_is_missed (call))
    {
      send (self, call, _("Missed Call"), name, G_NOTIFICATION_PRIORITY_HIGH);
      return;
    }

  if (self->settings == NULL || !g_settings_get_boolean (self->settings, "notify-call-end"))
    {
      /* The ringing notification has served its purpose. */
      g_autofree char *id = notification_id (call);

      g_application_withdraw_notification (self->application, id);
      return;
    }

  /* Translators: who · duration in minutes:seconds · outcome */
  body = g_strdup_printf (_("%s · %u:%02u · %s"), name,
                          nc_call_get_duration (call) / 60, nc_call_get_duration (call) % 60,
                          nc_call_get_outcome_text (call));
  if (nc_call_get_is_recorded (call))
    {
      g_autofree char *with_recording = g_strconcat (body, "\n", _("Recorded"), NULL);

      g_free (body);
      body = g_steal_pointer (&with_recording);
    }
  send (self, call, _("Call Ended"), body, G_NOTIFICATION_PRIORITY_NORMAL);
}

static void
nc_call_notifier_dispose (GObject *object)
{
  NcCallNotifier *self = NC_CALL_NOTIFIER (object);

  if (self->tracker != NULL)
    g_signal_handlers_disconnect_by_data (self->tracker, self);
  g_clear_object (&self->tracker);
  g_clear_object (&self->settings);
  g_clear_weak_pointer (&self->application);

  G_OBJECT_CLASS (nc_call_notifier_parent_class)->dispose (object);
}

static void
nc_call_notifier_class_init (NcCallNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nc_call_notifier_dispose;
}

static void
nc_call_notifier_init (NcCallNotifier *self)
{
}

/**
 * nc_call_notifier_new:
 * @settings: (nullable): the application's settings (`notify-call-end`)
 */
NcCallNotifier *
nc_call_notifier_new (GApplication  *application,
                      NcCallTracker *tracker,
                      GSettings     *settings)
{
  NcCallNotifier *self;

  g_return_val_if_fail (G_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (NC_IS_CALL_TRACKER (tracker), NULL);

  self = g_object_new (NC_TYPE_CALL_NOTIFIER, NULL);
  g_set_weak_pointer (&self->application, application);
  self->tracker = g_object_ref (tracker);
  self->settings = settings != NULL ? g_object_ref (settings) : NULL;

  g_signal_connect_swapped (tracker, "call-started", G_CALLBACK (call_started), self);
  g_signal_connect_swapped (tracker, "call-ended", G_CALLBACK (call_ended), self);

  return self;
}
