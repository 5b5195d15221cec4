/* nc-call-notifier.c — desktop notifications for incoming, missed and ended calls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One notification per call, under the id "call-<pbx_call_id>", updated in place as the
 * call goes from ringing to answered to missed or ended. The ringing one waits a moment
 * for the caller's name: the client is matched just after the call starts, and GLib's
 * freedesktop backend cannot replace a notification whose first Notify has not been
 * answered yet — two sent 3 ms apart show as two. Notifications never take the keyboard
 * focus: nothing here presents a window; the buttons act only when clicked
 * ("app.open-client-card" with a known caller's client id; else "app.open-client", which
 * searches the number; and "app.call-back" with the number).
 */

#define G_LOG_DOMAIN "nc-call-notifier"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-call-notifier.h"
#include "nc-missed.h"
#include "nc-phone.h"

/* How long the ringing notification waits for the caller's name. */
#define NAME_WAIT_MS 1500

struct _NcCallNotifier
{
  GObject         parent_instance;

  GApplication   *application;   /* weak: the application owns us */
  NcCallTracker  *tracker;
  NcEmployeeList *employees;
  GSettings      *settings;
  GHashTable     *waiting;       /* NcCall → source id, while the ringing one waits */
};

G_DEFINE_FINAL_TYPE (NcCallNotifier, nc_call_notifier, G_TYPE_OBJECT)

static char *
notification_id (NcCall *call)
{
  return g_strconcat ("call-", nc_call_get_pbx_call_id (call), NULL);
}

/* The caller, as the client list shows them: the name, and the number formatted once. */
static char *
who (NcCall *call)
{
  const char *name = nc_call_get_client_name (call);
  g_autofree char *number = nc_phone_format (nc_call_get_client_number (call));

  if (name != NULL && *number != '\0' && g_strcmp0 (name, number) != 0)
    /* Translators: a caller's name and number */
    return g_strdup_printf (_("%s, %s"), name, number);
  if (name != NULL)
    return g_strdup (name);
  return *number != '\0' ? g_steal_pointer (&number) : g_strdup (_("Unknown number"));
}

static void
add_buttons (GNotification *notification,
             NcCall        *call)
{
  const char *number = nc_call_get_client_number (call);

  if (nc_call_get_client_id (call) != 0)
    {
      /* A caller who is a client: Open shows their card, read from the store. */
      g_notification_add_button_with_target (notification, _("Open"), "app.open-client-card",
                                             "x", nc_call_get_client_id (call));
      g_notification_set_default_action_and_target (notification, "app.open-client-card", "x",
                                                    nc_call_get_client_id (call));
      if (number != NULL && g_ascii_isdigit (*number))
        g_notification_add_button_with_target (notification, _("Call Back"), "app.call-back",
                                               "s", number);
      return;
    }
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
send (NcCallNotifier        *self,
      NcCall                *call,
      const char            *title,
      const char            *body,
      GNotificationPriority  priority)
{
  g_autoptr(GNotification) notification = g_notification_new (title);
  g_autofree char *id = notification_id (call);

  if (self->application == NULL)
    return;
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, priority);
  add_buttons (notification, call);
  g_application_send_notification (self->application, id, notification);
}

static void
stop_waiting (NcCallNotifier *self,
              NcCall         *call)
{
  gpointer source = g_hash_table_lookup (self->waiting, call);

  if (source != NULL)
    {
      g_source_remove (GPOINTER_TO_UINT (source));
      g_hash_table_remove (self->waiting, call);
    }
}

static void
notify_ringing (NcCallNotifier *self,
                NcCall         *call)
{
  g_autofree char *body = NULL;

  stop_waiting (self, call);
  if (nc_call_get_state (call) != NC_CALL_STATE_RINGING)
    return;
  body = who (call);
  send (self, call, _("Incoming Call"), body, G_NOTIFICATION_PRIORITY_HIGH);
}

typedef struct
{
  NcCallNotifier *self;
  NcCall         *call;
} Wait;

static gboolean
name_wait_over (gpointer user_data)
{
  Wait *wait = user_data;

  /* The source goes by itself: forget it before notify_ringing() would remove it. */
  g_hash_table_remove (wait->self->waiting, wait->call);
  notify_ringing (wait->self, wait->call);
  return G_SOURCE_REMOVE;
}

static void
wait_free (Wait *wait)
{
  g_object_unref (wait->call);
  g_free (wait);
}

static void
client_matched (NcCall         *call,
                GParamSpec     *pspec,
                NcCallNotifier *self)
{
  /* The name arrived while the notification waited for it: one notification, named. */
  if (g_hash_table_contains (self->waiting, call))
    notify_ringing (self, call);
}

static void
state_changed (NcCall         *call,
               GParamSpec     *pspec,
               NcCallNotifier *self)
{
  g_autofree char *body = NULL;
  g_autofree char *caller = NULL;
  g_autofree char *employee = NULL;

  if (nc_call_get_state (call) != NC_CALL_STATE_TALKING)
    return;
  stop_waiting (self, call);
  caller = who (call);
  employee = self->employees != NULL
             ? nc_employee_list_describe (self->employees, nc_call_get_employee (call)) : NULL;
  /* Translators: the caller, then who answered */
  body = employee != NULL ? g_strdup_printf (_("%s, answered by %s"), caller, employee)
                          : g_strdup (caller);
  send (self, call, _("Call Answered"), body, G_NOTIFICATION_PRIORITY_NORMAL);
}

static void
call_started (NcCallNotifier *self,
              NcCall         *call)
{
  Wait *wait;

  if (nc_call_get_direction (call) != NC_CALL_DIRECTION_IN)
    return;
  g_signal_connect_object (call, "notify::client-name", G_CALLBACK (client_matched), self, 0);
  g_signal_connect_object (call, "notify::state", G_CALLBACK (state_changed), self, 0);
  if (nc_call_get_client_name (call) != NULL)
    {
      notify_ringing (self, call);
      return;
    }

  wait = g_new0 (Wait, 1);
  wait->self = self;
  wait->call = g_object_ref (call);
  g_hash_table_insert (self->waiting, call,
                       GUINT_TO_POINTER (g_timeout_add_full (G_PRIORITY_DEFAULT, NAME_WAIT_MS,
                                                             name_wait_over, wait,
                                                             (GDestroyNotify) wait_free)));
}

/* A missed call's notification that counts the clients who wait (missed-count-in-
 * notification): the count is the store's, read once the call's end is committed. */
typedef struct
{
  NcCallNotifier *self;
  NcCall         *call;
  char           *name;
} MissedCount;

static void
missed_counted (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  MissedCount *count = user_data;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  guint waiting = 0;

  page = nc_store_list_missed_finish (NC_STORE (source), result, &waiting, &error);
  if (page == NULL)
    {
      g_debug ("Could not count the clients to call back: %s", error->message);
      body = g_strdup (count->name);
    }
  else
    /* Translators: who called, then how many clients wait to be called back */
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s\n%u client waits to be called back",
                                         "%s\n%u clients wait to be called back", waiting),
                            count->name, waiting);
  send (count->self, count->call, _("Missed Call"), body, G_NOTIFICATION_PRIORITY_HIGH);
  g_object_unref (count->self);
  g_object_unref (count->call);
  g_free (count->name);
  g_free (count);
}

static void
send_missed (NcCallNotifier *self,
             NcCall         *call,
             const char     *name)
{
  NcStore *store = nc_call_tracker_get_store (self->tracker);
  MissedCount *count;

  if (self->settings == NULL || store == NULL ||
      !g_settings_get_boolean (self->settings, "missed-count-in-notification"))
    {
      send (self, call, _("Missed Call"), name, G_NOTIFICATION_PRIORITY_HIGH);
      return;
    }
  count = g_new0 (MissedCount, 1);
  count->self = g_object_ref (self);
  count->call = g_object_ref (call);
  count->name = g_strdup (name);
  nc_store_list_missed_async (store, 0, 0, 0, NULL, missed_counted, count);
}

static void
call_ended (NcCallNotifier *self,
            NcCall         *call)
{
  g_autofree char *body = NULL;
  g_autofree char *name = who (call);
  g_autofree char *duration = NULL;

  stop_waiting (self, call);
  if (nc_call_is_missed (call))
    {
      send_missed (self, call, name);
      return;
    }
  if (self->settings == NULL || !g_settings_get_boolean (self->settings, "notify-call-end"))
    {
      /* The ringing notification has served its purpose. */
      g_autofree char *id = notification_id (call);

      if (self->application != NULL)
        g_application_withdraw_notification (self->application, id);
      return;
    }

  duration = nc_format_duration (nc_call_get_duration (call));
  body = nc_call_get_is_recorded (call)
         /* Translators: who · duration · outcome, of a call that was recorded */
         ? g_strdup_printf (_("%s · %s · %s\nThe conversation was recorded"), name, duration,
                            nc_call_get_outcome_text (call))
         /* Translators: who · duration · outcome */
         : g_strdup_printf (_("%s · %s · %s"), name, duration, nc_call_get_outcome_text (call));
  send (self, call, _("Call Ended"), body, G_NOTIFICATION_PRIORITY_NORMAL);
}

static void
nc_call_notifier_dispose (GObject *object)
{
  NcCallNotifier *self = NC_CALL_NOTIFIER (object);

  if (self->tracker != NULL)
    g_signal_handlers_disconnect_by_data (self->tracker, self);
  if (self->waiting != NULL)
    {
      GHashTableIter iter;
      gpointer source;

      g_hash_table_iter_init (&iter, self->waiting);
      while (g_hash_table_iter_next (&iter, NULL, &source))
        g_source_remove (GPOINTER_TO_UINT (source));
      g_clear_pointer (&self->waiting, g_hash_table_unref);
    }
  g_clear_object (&self->tracker);
  g_clear_object (&self->employees);
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
  self->waiting = g_hash_table_new (NULL, NULL);
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

/**
 * nc_call_notifier_set_employees:
 * @employees: (nullable): to name who answered
 */
void
nc_call_notifier_set_employees (NcCallNotifier *self,
                                NcEmployeeList *employees)
{
  g_return_if_fail (NC_IS_CALL_NOTIFIER (self));
  g_set_object (&self->employees, employees);
}
