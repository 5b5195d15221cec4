/* nc-call.c — one call through the PBX, as its events describe it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The PBX gives no guarantee of order or of single delivery, so a call is the merge of
 * whatever events of its pbx_call_id have arrived: its state only moves forward (ringing →
 * talking → ended), and each field is taken from whichever event carries it. The PBX sends
 * only the start time; the times of the answer and of the end are that start plus the time
 * that passed, by our clock, between the events.
 */

#define G_LOG_DOMAIN "nc-call"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "nc-call-private.h"

enum {
  PROP_0,
  PROP_PBX_CALL_ID,
  PROP_DIRECTION,
  PROP_STATE,
  PROP_CLIENT_NUMBER,
  PROP_EMPLOYEE,
  PROP_DURATION,
  PROP_DISPOSITION,
  PROP_RECORD_LINK,
  PROP_CLIENT_NAME,
  N_PROPS
};

struct _NcCall
{
  GObject          parent_instance;

  char            *pbx_call_id;
  NcCallDirection  direction;
  NcCallState      state;
  gboolean         answered;
  char            *client_number;
  char            *virtual_number;
  char            *employee;
  char            *started_at;
  char            *answered_at;
  char            *ended_at;
  gint64           started_unix;
  gint64           first_received_us;   /* our clock at the earliest event that had call_start */
  gint64           answered_received_us;
  gint64           ended_received_us;
  guint            duration;
  char            *disposition;
  gboolean         is_recorded;
  char            *call_id_with_rec;
  char            *record_link;
  char            *record_expires_at;
  gint64           client_id;
  char            *client_name;
  char            *match_reason;
  guint64          request_id;
  guint            event_mask;          /* bit i: event_types[i] was seen */
};

G_DEFINE_FINAL_TYPE (NcCall, nc_call, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static const char *const event_types[] = {
  "NOTIFY_START",
  "NOTIFY_INTERNAL",
  "NOTIFY_ANSWER",
  "NOTIFY_END",
  "NOTIFY_OUT_START",
  "NOTIFY_OUT_END",
  "NOTIFY_RECORD",
  "NOTIFY_IVR",
  NULL
};

static int
event_type_index (const char *event_type)
{
  for (int i = 0; event_types[i] != NULL; i++)
    if (g_strcmp0 (event_types[i], event_type) == 0)
      return i;
  return -1;
}

/**
 * nc_call_event_types:
 *
 * Returns: (transfer none): the event types a call is built from, %NULL-terminated
 */
const char *const *
nc_call_event_types (void)
{
  return event_types;
}

static const struct
{
  const char *disposition;
  const char *text;
} dispositions[] = {
  { "answered", N_("Answered") },
  { "busy", N_("Busy") },
  { "cancel", N_("Cancelled") },
  { "no answer", N_("No answer") },
  { "failed", N_("Failed") },
  { "no money", N_("Not enough money on the account") },
  { "unallocated number", N_("The number does not exist") },
  { "no limit", N_("The limit is exhausted") },
  { "no day limit", N_("The daily limit is exhausted") },
  { "line limit", N_("All lines are busy") },
  { "no money, no limit", N_("Not enough money and the limit is exhausted") },
};

/**
 * nc_format_duration:
 *
 * Returns: (transfer full): a duration as people read it: `M:SS`, or `H:MM:SS` from an
 *   hour on
 */
char *
nc_format_duration (guint seconds)
{
  if (seconds >= 3600)
    return g_strdup_printf ("%u:%02u:%02u", seconds / 3600, seconds / 60 % 60, seconds % 60);
  return g_strdup_printf ("%u:%02u", seconds / 60, seconds % 60);
}

/**
 * nc_call_disposition_to_text:
 *
 * Returns: (transfer none): the PBX's disposition in words for people, translated
 */
const char *
nc_call_disposition_to_text (const char *disposition)
{
  if (disposition == NULL || *disposition == '\0')
    return "";

  for (guint i = 0; i < G_N_ELEMENTS (dispositions); i++)
    if (strcmp (dispositions[i].disposition, disposition) == 0)
      return _(dispositions[i].text);

  return disposition;
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (value == NULL || *value == '\0' || g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static gint64
parse_pbx_time (const char *text)
{
  g_autoptr(GDateTime) time = NULL;
  int year, month, day, hour, minute, second;
  char tail;

  if (text == NULL ||
      sscanf (text, "%4d-%2d-%2d %2d:%2d:%2d%c", &year, &month, &day, &hour, &minute, &second,
              &tail) != 6)
    return 0;

  /* The account's time zone is unknown and does not matter: these times are only ever
   * compared with each other and printed back as the PBX sent them. */
  time = g_date_time_new_utc (year, month, day, hour, minute, second);
  return time != NULL ? g_date_time_to_unix (time) : 0;
}

static char *
format_pbx_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_time);

  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("");
}

static NcCallState
state_of_event (const char *type)
{
  if (g_str_equal (type, "NOTIFY_END") || g_str_equal (type, "NOTIFY_OUT_END"))
    return NC_CALL_STATE_ENDED;
  if (g_str_equal (type, "NOTIFY_ANSWER"))
    return NC_CALL_STATE_TALKING;
  return NC_CALL_STATE_RINGING;
}

static void
nc_call_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  NcCall *self = NC_CALL (object);

  switch (prop_id)
    {
    case PROP_PBX_CALL_ID:
      g_value_set_string (value, self->pbx_call_id);
      break;
    case PROP_DIRECTION:
      g_value_set_int (value, self->direction);
      break;
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_CLIENT_NUMBER:
      g_value_set_string (value, self->client_number);
      break;
    case PROP_EMPLOYEE:
      g_value_set_string (value, self->employee);
      break;
    case PROP_DURATION:
      g_value_set_uint (value, self->duration);
      break;
    case PROP_DISPOSITION:
      g_value_set_string (value, self->disposition);
      break;
    case PROP_RECORD_LINK:
      g_value_set_string (value, self->record_link);
      break;
    case PROP_CLIENT_NAME:
      g_value_set_string (value, self->client_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_call_finalize (GObject *object)
{
  NcCall *self = NC_CALL (object);

  g_free (self->pbx_call_id);
  g_free (self->client_number);
  g_free (self->virtual_number);
  g_free (self->employee);
  g_free (self->started_at);
  g_free (self->answered_at);
  g_free (self->ended_at);
  g_free (self->disposition);
  g_free (self->call_id_with_rec);
  g_free (self->record_link);
  g_free (self->record_expires_at);
  g_free (self->client_name);
  g_free (self->match_reason);

  G_OBJECT_CLASS (nc_call_parent_class)->finalize (object);
}

static void
nc_call_class_init (NcCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = nc_call_get_property;
  object_class->finalize = nc_call_finalize;

  properties[PROP_PBX_CALL_ID] = g_param_spec_string ("pbx-call-id", NULL, NULL, NULL, flags);
  properties[PROP_DIRECTION] = g_param_spec_int ("direction", NULL, NULL,
                                                 NC_CALL_DIRECTION_IN, NC_CALL_DIRECTION_OUT,
                                                 NC_CALL_DIRECTION_IN, flags);
  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL,
                                             NC_CALL_STATE_RINGING, NC_CALL_STATE_ENDED,
                                             NC_CALL_STATE_RINGING, flags);
  properties[PROP_CLIENT_NUMBER] = g_param_spec_string ("client-number", NULL, NULL, NULL, flags);
  properties[PROP_EMPLOYEE] = g_param_spec_string ("employee", NULL, NULL, NULL, flags);
  properties[PROP_DURATION] = g_param_spec_uint ("duration", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_DISPOSITION] = g_param_spec_string ("disposition", NULL, NULL, NULL, flags);
  properties[PROP_RECORD_LINK] = g_param_spec_string ("record-link", NULL, NULL, NULL, flags);
  properties[PROP_CLIENT_NAME] = g_param_spec_string ("client-name", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nc_call_init (NcCall *self)
{
}

NcCall *
nc_call_new (const char *pbx_call_id)
{
  NcCall *self = g_object_new (NC_TYPE_CALL, NULL);

  self->pbx_call_id = g_strdup (pbx_call_id);
  return self;
}

/* The PBX's clock at @received_us of ours, from the offset seen at the first event. */
static char *
pbx_time_at (NcCall *self,
             gint64  received_us)
{
  if (self->started_unix == 0 || received_us < self->first_received_us)
    return g_strdup (self->started_at != NULL ? self->started_at : "");

  return format_pbx_time (self->started_unix + (received_us - self->first_received_us) / G_USEC_PER_SEC);
}

/* Recomputed after every event: an earlier event arriving late moves the base. */
static void
update_derived_times (NcCall *self)
{
  g_clear_pointer (&self->answered_at, g_free);
  g_clear_pointer (&self->ended_at, g_free);

  /* Without an ANSWER event, an answered call was answered `duration` before its end. */
  if (self->answered && self->answered_received_us != 0)
    self->answered_at = pbx_time_at (self, self->answered_received_us);
  else if (self->answered && self->ended_received_us != 0)
    self->answered_at = pbx_time_at (self, self->ended_received_us -
                                           (gint64) self->duration * G_USEC_PER_SEC);

  if (self->state == NC_CALL_STATE_ENDED)
    self->ended_at = pbx_time_at (self, self->ended_received_us);
}

/**
 * nc_call_apply_event:
 * @fields: (element-type utf8 utf8): the event's fields, verified
 *
 * Merges one event into the call.
 *
 * Returns: whether anything the user sees changed
 */
gboolean
nc_call_apply_event (NcCall     *self,
                     const char *event_type,
                     GHashTable *fields,
                     gint64      received_at_us)
{
  const char *call_start = g_hash_table_lookup (fields, "call_start");
  const char *caller_id = g_hash_table_lookup (fields, "caller_id");
  const char *destination = g_hash_table_lookup (fields, "destination");
  const char *internal = g_hash_table_lookup (fields, "internal");
  const char *value;
  gboolean outgoing = g_str_has_prefix (event_type, "NOTIFY_OUT_");
  NcCallState state = state_of_event (event_type);
  GParamSpec *changed[N_PROPS];
  guint n_changed = 0;

  g_return_val_if_fail (NC_IS_CALL (self), FALSE);

  if (event_type_index (event_type) >= 0)
    self->event_mask |= 1u << event_type_index (event_type);

  if (call_start != NULL && *call_start != '\0')
    {
      if (self->started_at == NULL)
        {
          self->started_at = g_strdup (call_start);
          self->started_unix = parse_pbx_time (call_start);
          self->first_received_us = received_at_us;
        }
      else if (received_at_us < self->first_received_us)
        self->first_received_us = received_at_us;
    }

  if (outgoing && self->direction != NC_CALL_DIRECTION_OUT)
    {
      self->direction = NC_CALL_DIRECTION_OUT;
      changed[n_changed++] = properties[PROP_DIRECTION];
    }

  /* Who the other party is: the caller of an incoming call, the destination of an
   * outgoing one. The answer of an incoming call names the extension that answered. */
  if (outgoing)
    {
      if (set_string (&self->client_number, destination))
        changed[n_changed++] = properties[PROP_CLIENT_NUMBER];
      set_string (&self->virtual_number, caller_id);
      if (set_string (&self->employee, internal))
        changed[n_changed++] = properties[PROP_EMPLOYEE];
    }
  else if (g_str_equal (event_type, "NOTIFY_ANSWER"))
    {
      if (self->direction == NC_CALL_DIRECTION_IN)
        {
          if (set_string (&self->client_number, caller_id))
            changed[n_changed++] = properties[PROP_CLIENT_NUMBER];
          if (set_string (&self->employee, destination))
            changed[n_changed++] = properties[PROP_EMPLOYEE];
        }
    }
  else if (!g_str_equal (event_type, "NOTIFY_RECORD"))
    {
      if (set_string (&self->client_number, caller_id))
        changed[n_changed++] = properties[PROP_CLIENT_NUMBER];
      set_string (&self->virtual_number, g_hash_table_lookup (fields, "called_did"));
      /* A ring group rings several extensions; the one that answered (ANSWER) or the
       * one the end names wins over whichever rang first. */
      if (internal != NULL && *internal != '\0' &&
          (self->employee == NULL || g_str_equal (event_type, "NOTIFY_END")))
        if (set_string (&self->employee, internal))
          changed[n_changed++] = properties[PROP_EMPLOYEE];
    }

  if (state == NC_CALL_STATE_TALKING && !self->answered)
    {
      self->answered = TRUE;
      self->answered_received_us = received_at_us;
    }

  if (state == NC_CALL_STATE_ENDED)
    {
      guint64 duration = 0;

      self->ended_received_us = received_at_us;
      value = g_hash_table_lookup (fields, "duration");
      if (value != NULL && g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &duration, NULL) &&
          self->duration != duration)
        {
          self->duration = (guint) duration;
          changed[n_changed++] = properties[PROP_DURATION];
        }
      value = g_hash_table_lookup (fields, "disposition");
      if (set_string (&self->disposition, value))
        changed[n_changed++] = properties[PROP_DISPOSITION];
      if (g_strcmp0 (value, "answered") == 0)
        self->answered = TRUE;
    }

  value = g_hash_table_lookup (fields, "is_recorded");
  if (g_strcmp0 (value, "1") == 0 || g_str_equal (event_type, "NOTIFY_RECORD"))
    self->is_recorded = TRUE;
  set_string (&self->call_id_with_rec, g_hash_table_lookup (fields, "call_id_with_rec"));

  if (state > self->state)
    {
      self->state = state;
      changed[n_changed++] = properties[PROP_STATE];
    }

  update_derived_times (self);

  for (guint i = 0; i < n_changed; i++)
    g_object_notify_by_pspec (G_OBJECT (self), changed[i]);

  return n_changed > 0;
}

gboolean
nc_call_has_start (NcCall *self)
{
  return self->started_at != NULL;
}

void
nc_call_set_request_id (NcCall  *self,
                        guint64  request_id)
{
  self->request_id = request_id;
}

const char *
nc_call_get_pbx_call_id (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->pbx_call_id;
}

NcCallDirection
nc_call_get_direction (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NC_CALL_DIRECTION_IN);
  return self->direction;
}

NcCallState
nc_call_get_state (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NC_CALL_STATE_RINGING);
  return self->state;
}

const char *
nc_call_get_client_number (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->client_number;
}

const char *
nc_call_get_virtual_number (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->virtual_number;
}

const char *
nc_call_get_employee (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->employee;
}

const char *
nc_call_get_started_at (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->started_at;
}

gint64
nc_call_get_started_unix (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), 0);
  return self->started_unix;
}

/**
 * nc_call_get_answered_at:
 *
 * Returns: (transfer none) (nullable): when the call was answered, in the PBX's time, or
 *   %NULL if it never was
 */
const char *
nc_call_get_answered_at (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->answered_at;
}

/**
 * nc_call_get_ended_at:
 *
 * Returns: (transfer none) (nullable): when the call ended, in the PBX's time
 */
const char *
nc_call_get_ended_at (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->ended_at;
}

guint
nc_call_get_duration (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), 0);
  return self->duration;
}

const char *
nc_call_get_disposition (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->disposition;
}

gboolean
nc_call_get_is_recorded (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), FALSE);
  return self->is_recorded;
}

const char *
nc_call_get_call_id_with_rec (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->call_id_with_rec;
}

const char *
nc_call_get_record_link (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->record_link;
}

const char *
nc_call_get_record_expires_at (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->record_expires_at;
}

void
nc_call_set_record_link (NcCall     *self,
                         const char *link,
                         const char *expires_at)
{
  g_return_if_fail (NC_IS_CALL (self));

  g_free (self->record_expires_at);
  self->record_expires_at = g_strdup (expires_at);
  if (set_string (&self->record_link, link))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORD_LINK]);
}

gint64
nc_call_get_client_id (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), 0);
  return self->client_id;
}

const char *
nc_call_get_client_name (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->client_name;
}

const char *
nc_call_get_match_reason (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->match_reason;
}

void
nc_call_set_client (NcCall     *self,
                    gint64      client_id,
                    const char *client_name,
                    const char *match_reason)
{
  g_return_if_fail (NC_IS_CALL (self));

  self->client_id = client_id;
  g_free (self->match_reason);
  self->match_reason = g_strdup (match_reason);
  if (set_string (&self->client_name, client_name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT_NAME]);
}

guint64
nc_call_get_request_id (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), 0);
  return self->request_id;
}

/**
 * nc_call_is_missed:
 *
 * Returns: whether this is an incoming call that ended without being answered
 */
gboolean
nc_call_is_missed (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), FALSE);

  return self->direction == NC_CALL_DIRECTION_IN &&
         self->state == NC_CALL_STATE_ENDED &&
         !self->answered;
}

/**
 * nc_call_get_outcome_text:
 *
 * Returns: (transfer none): the call's outcome in words for people
 */
const char *
nc_call_get_outcome_text (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), "");

  switch (self->state)
    {
    case NC_CALL_STATE_RINGING:
      return _("Ringing");
    case NC_CALL_STATE_TALKING:
      return _("Talking");
    case NC_CALL_STATE_ENDED:
      if (self->disposition != NULL)
        return nc_call_disposition_to_text (self->disposition);
      return self->answered ? _("Answered") : _("Missed");
    default:
      g_assert_not_reached ();
    }
}

/**
 * nc_call_had_event:
 *
 * Returns: whether an event of @event_type was part of this call
 */
gboolean
nc_call_had_event (NcCall     *self,
                   const char *event_type)
{
  int index = event_type_index (event_type);

  g_return_val_if_fail (NC_IS_CALL (self), FALSE);

  return index >= 0 && (self->event_mask & (1u << index)) != 0;
}

/**
 * nc_call_get_first_seen_us:
 *
 * Returns: when, by our real-time clock, the call's first event with a start arrived
 */
gint64
nc_call_get_first_seen_us (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), 0);
  return self->first_received_us;
}

/**
 * nc_call_get_answered_seen_us:
 *
 * Returns: when, by our real-time clock, the answer arrived, or 0
 */
gint64
nc_call_get_answered_seen_us (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), 0);
  return self->answered_received_us;
}
