/* nc-call.c — one call through the PBX, as the store keeps it, for the windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A call's course is merged from its events by the store's writer (nc-call-record.c); an
 * NcCall is that row as a GObject, so that the rows and cards showing it follow it: the
 * tracker (nc-call-tracker.c) gives it each new version of the row, and it notifies what
 * changed. One NcCall per call in a process, wherever it is shown.
 */

#define G_LOG_DOMAIN "nc-call"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-call-private.h"
#include "nc-client-matcher.h"

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
  PROP_UNENDED,
  PROP_NOTED_OUTCOME,
  PROP_NOTE,
  N_PROPS
};

struct _NcCall
{
  GObject       parent_instance;

  NcCallRecord *record;
  char         *answered_at;   /* derived from the record, kept for the getters */
  char         *ended_at;
};

G_DEFINE_FINAL_TYPE (NcCall, nc_call, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

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

static void
nc_call_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  NcCall *self = NC_CALL (object);
  NcCallRecord *record = self->record;

  switch (prop_id)
    {
    case PROP_PBX_CALL_ID:
      g_value_set_string (value, record->pbx_call_id);
      break;
    case PROP_DIRECTION:
      g_value_set_int (value, record->direction);
      break;
    case PROP_STATE:
      g_value_set_int (value, record->state);
      break;
    case PROP_CLIENT_NUMBER:
      g_value_set_string (value, record->client_number);
      break;
    case PROP_EMPLOYEE:
      g_value_set_string (value, record->employee);
      break;
    case PROP_DURATION:
      g_value_set_uint (value, record->duration);
      break;
    case PROP_DISPOSITION:
      g_value_set_string (value, record->disposition);
      break;
    case PROP_RECORD_LINK:
      g_value_set_string (value, record->record_link);
      break;
    case PROP_CLIENT_NAME:
      g_value_set_string (value, record->client_name);
      break;
    case PROP_UNENDED:
      g_value_set_boolean (value, record->unended);
      break;
    case PROP_NOTED_OUTCOME:
      g_value_set_string (value, record->outcome);
      break;
    case PROP_NOTE:
      g_value_set_string (value, record->note);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nc_call_finalize (GObject *object)
{
  NcCall *self = NC_CALL (object);

  g_clear_pointer (&self->record, nc_call_record_free);
  g_free (self->answered_at);
  g_free (self->ended_at);

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
  /* What the operator picked and wrote after the call (nc_store_note_call_sync()). */
  properties[PROP_NOTED_OUTCOME] = g_param_spec_string ("noted-outcome", NULL, NULL, NULL,
                                                        flags);
  properties[PROP_NOTE] = g_param_spec_string ("note", NULL, NULL, NULL, flags);
  properties[PROP_CLIENT_NAME] = g_param_spec_string ("client-name", NULL, NULL, NULL, flags);
  properties[PROP_UNENDED] = g_param_spec_boolean ("unended", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nc_call_init (NcCall *self)
{
}

static void
derive_times (NcCall *self)
{
  g_free (self->answered_at);
  self->answered_at = nc_call_record_dup_answered_at (self->record);
  g_free (self->ended_at);
  self->ended_at = nc_call_record_dup_ended_at (self->record);
}

/**
 * nc_call_new:
 * @record: the call as the store keeps it
 *
 * Returns: (transfer full): the call
 */
NcCall *
nc_call_new (const NcCallRecord *record)
{
  NcCall *self;

  g_return_val_if_fail (record != NULL && record->pbx_call_id != NULL, NULL);

  self = g_object_new (NC_TYPE_CALL, NULL);
  self->record = nc_call_record_copy (record);
  derive_times (self);
  return self;
}

/**
 * nc_call_update:
 * @record: a newer version of the call's row
 *
 * Takes @record's values and notifies the properties that changed.
 *
 * Returns: whether anything changed
 */
gboolean
nc_call_update (NcCall             *self,
                const NcCallRecord *record)
{
  g_autoptr(NcCallRecord) old = NULL;
  GParamSpec *changed[N_PROPS];
  guint n_changed = 0;

  g_return_val_if_fail (NC_IS_CALL (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (g_strcmp0 (record->pbx_call_id, self->record->pbx_call_id) == 0, FALSE);

  old = g_steal_pointer (&self->record);
  self->record = nc_call_record_copy (record);
  derive_times (self);

#define CHANGED_INT(member, prop) \
  if (old->member != record->member) changed[n_changed++] = properties[prop]
#define CHANGED_STR(member, prop) \
  if (g_strcmp0 (old->member, record->member) != 0) changed[n_changed++] = properties[prop]
  CHANGED_INT (direction, PROP_DIRECTION);
  CHANGED_INT (state, PROP_STATE);
  CHANGED_STR (client_number, PROP_CLIENT_NUMBER);
  CHANGED_STR (employee, PROP_EMPLOYEE);
  CHANGED_INT (duration, PROP_DURATION);
  CHANGED_STR (disposition, PROP_DISPOSITION);
  CHANGED_STR (record_link, PROP_RECORD_LINK);
  CHANGED_STR (client_name, PROP_CLIENT_NAME);
  CHANGED_INT (unended, PROP_UNENDED);
  CHANGED_STR (outcome, PROP_NOTED_OUTCOME);
  CHANGED_STR (note, PROP_NOTE);
#undef CHANGED_INT
#undef CHANGED_STR

  /* Every value is in place before anyone hears of a change. */
  for (guint i = 0; i < n_changed; i++)
    g_object_notify_by_pspec (G_OBJECT (self), changed[i]);
  return n_changed > 0 || old->answered != record->answered ||
         old->recording != record->recording || old->request_id != record->request_id;
}

/**
 * nc_call_get_record:
 *
 * Returns: (transfer none): the call as the store keeps it
 */
const NcCallRecord *
nc_call_get_record (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->record;
}

gint64
nc_call_get_id (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), 0);
  return self->record->id;
}

const char *
nc_call_get_pbx_call_id (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->record->pbx_call_id;
}

NcCallDirection
nc_call_get_direction (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NC_CALL_DIRECTION_IN);
  return self->record->direction;
}

NcCallState
nc_call_get_state (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NC_CALL_STATE_RINGING);
  return self->record->state;
}

/* The other party: the caller of an incoming call, the destination of an outgoing one. */
const char *
nc_call_get_client_number (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->record->client_number;
}

const char *
nc_call_get_virtual_number (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->record->virtual_number;
}

/* The extension: the one that answered, or the one that called out. */
const char *
nc_call_get_employee (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->record->employee;
}

const char *
nc_call_get_started_at (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->record->started_at;
}

/**
 * nc_call_get_started_unix:
 *
 * Returns: the start as Unix seconds, the PBX's time read as UTC; for sorting and for
 *   telling days apart
 */
gint64
nc_call_get_started_unix (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), 0);
  return self->record->started_unix;
}

/**
 * nc_call_get_answered_at:
 *
 * Returns: (nullable): when it was answered, in the PBX's time
 */
const char *
nc_call_get_answered_at (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->answered_at;
}

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
  return self->record->duration;
}

const char *
nc_call_get_disposition (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->record->disposition;
}

gboolean
nc_call_get_is_recorded (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), FALSE);
  return self->record->is_recorded;
}

const char *
nc_call_get_call_id_with_rec (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->record->call_id_with_rec;
}

/* The outcome the operator picked after the call, or %NULL. */
const char *
nc_call_get_noted_outcome (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->record->outcome;
}

/* The note the operator wrote of the call, or %NULL. */
const char *
nc_call_get_note (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->record->note;
}

const char *
nc_call_get_record_link (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->record->record_link;
}

NcRecordingState
nc_call_get_recording (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NC_RECORDING_NONE);
  return self->record->recording;
}

/**
 * nc_call_record_link_is_fresh:
 * @now: (nullable): the time to compare with, in the PBX's time (read as UTC); %NULL for
 *   now
 *
 * Returns: whether the call has a link to its recording that has not expired
 */
gboolean
nc_call_record_link_is_fresh (NcCall    *self,
                              GDateTime *now)
{
  gint64 expires, at;

  g_return_val_if_fail (NC_IS_CALL (self), FALSE);

  if (self->record->record_link == NULL)
    return FALSE;
  expires = nc_call_parse_pbx_time (self->record->record_expires);
  if (expires == 0)
    return TRUE;
  if (now != NULL)
    at = g_date_time_to_unix (now);
  else
    {
      g_autoptr(GDateTime) local = g_date_time_new_now_local ();

      at = g_date_time_to_unix (local) + g_date_time_get_utc_offset (local) / G_TIME_SPAN_SECOND;
    }
  return at < expires;
}

gint64
nc_call_get_client_id (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), 0);
  return self->record->client_id;
}

const char *
nc_call_get_client_name (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), NULL);
  return self->record->client_name;
}

/**
 * nc_call_get_match_reason:
 *
 * Returns: (transfer none) (nullable): why the call is with its client, in words
 */
const char *
nc_call_get_match_reason (NcCall *self)
{
  NcMatchRule rule;

  g_return_val_if_fail (NC_IS_CALL (self), NULL);

  if (!nc_match_rule_from_string (self->record->match_rule, &rule))
    return NULL;
  return nc_match_rule_explain (rule);
}

/**
 * nc_call_get_request_id:
 *
 * Returns: the click-to-call or zadarma_call request that placed the call, or 0
 */
gint64
nc_call_get_request_id (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), 0);
  return self->record->request_id;
}

gboolean
nc_call_is_missed (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), FALSE);
  return nc_call_record_is_missed (self->record);
}

/* Whether the PBX never reported the end: the call was taken for over after a while. */
gboolean
nc_call_is_unended (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), FALSE);
  return self->record->unended;
}

/* Whether the call came from the PBX's statistics rather than from its webhooks. */
gboolean
nc_call_is_recovered (NcCall *self)
{
  g_return_val_if_fail (NC_IS_CALL (self), FALSE);
  return self->record->recovered;
}

/**
 * nc_call_get_outcome_text:
 *
 * Returns: (transfer none): the call's outcome in words for people
 */
const char *
nc_call_get_outcome_text (NcCall *self)
{
  const NcCallRecord *record;

  g_return_val_if_fail (NC_IS_CALL (self), "");

  record = self->record;
  switch (record->state)
    {
    case NC_CALL_STATE_RINGING:
      return _("Ringing");
    case NC_CALL_STATE_TALKING:
      return _("Talking");
    case NC_CALL_STATE_ENDED:
      if (record->unended)
        return _("No end reported");
      if (record->disposition != NULL)
        return nc_call_disposition_to_text (record->disposition);
      return record->answered ? _("Answered") : _("Missed");
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
  int type = nc_event_type_from_string (event_type);

  g_return_val_if_fail (NC_IS_CALL (self), FALSE);
  return type >= 0 && nc_call_record_had_event (self->record, type);
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
  return self->record->first_seen_us;
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
  return self->record->answered_seen_us;
}
