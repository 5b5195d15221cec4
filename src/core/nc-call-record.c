/* nc-call-record.c — one call as the store keeps it, and how an event changes it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The PBX gives no guarantee of order or of single delivery, so a call is the merge of
 * whatever events of its pbx_call_id have arrived: its state only moves forward (ringing →
 * talking → ended), and each field is taken from whichever event carries it. The store's
 * writer merges each event into the call's row in the same transaction that stores the
 * event (nc-store-calls.c); nothing else changes a call's course.
 *
 * The PBX sends only the start time; the times of the answer and of the end are that
 * start plus the time that passed, by our clock, between the events.
 */

#define G_LOG_DOMAIN "nc-call-record"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "nc-call-record.h"

static const char *const event_types[NC_N_EVENTS] = {
  [NC_EVENT_START] = "NOTIFY_START",
  [NC_EVENT_INTERNAL] = "NOTIFY_INTERNAL",
  [NC_EVENT_ANSWER] = "NOTIFY_ANSWER",
  [NC_EVENT_END] = "NOTIFY_END",
  [NC_EVENT_OUT_START] = "NOTIFY_OUT_START",
  [NC_EVENT_OUT_END] = "NOTIFY_OUT_END",
  [NC_EVENT_RECORD] = "NOTIFY_RECORD",
  [NC_EVENT_IVR] = "NOTIFY_IVR",
};

/**
 * nc_event_type_from_string:
 *
 * Returns: the #NcEventType of `NOTIFY_START` and the like, or -1 for another text
 */
int
nc_event_type_from_string (const char *event_type)
{
  for (int i = 0; i < NC_N_EVENTS; i++)
    if (g_strcmp0 (event_types[i], event_type) == 0)
      return i;
  return -1;
}

const char *
nc_event_type_to_string (NcEventType type)
{
  g_return_val_if_fail (type < NC_N_EVENTS, NULL);
  return event_types[type];
}

/* The dispositions the PBX documents, and what each means for people. */
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
 * nc_call_disposition_is_known:
 *
 * Returns: whether @disposition is one the PBX documents (a NOTIFY_END with another is
 *   refused)
 */
gboolean
nc_call_disposition_is_known (const char *disposition)
{
  for (guint i = 0; disposition != NULL && i < G_N_ELEMENTS (dispositions); i++)
    if (strcmp (dispositions[i].disposition, disposition) == 0)
      return TRUE;
  return FALSE;
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

NcCallRecord *
nc_call_record_new (const char *pbx_call_id)
{
  NcCallRecord *record = g_new0 (NcCallRecord, 1);

  record->pbx_call_id = g_strdup (pbx_call_id);
  return record;
}

NcCallRecord *
nc_call_record_copy (const NcCallRecord *record)
{
  NcCallRecord *copy;

  g_return_val_if_fail (record != NULL, NULL);

  copy = g_memdup2 (record, sizeof *record);
  copy->pbx_call_id = g_strdup (record->pbx_call_id);
  copy->client_number = g_strdup (record->client_number);
  copy->virtual_number = g_strdup (record->virtual_number);
  copy->employee = g_strdup (record->employee);
  copy->started_at = g_strdup (record->started_at);
  copy->disposition = g_strdup (record->disposition);
  copy->call_id_with_rec = g_strdup (record->call_id_with_rec);
  copy->record_link = g_strdup (record->record_link);
  copy->record_expires = g_strdup (record->record_expires);
  copy->client_name = g_strdup (record->client_name);
  copy->match_rule = g_strdup (record->match_rule);
  copy->outcome = g_strdup (record->outcome);
  copy->note = g_strdup (record->note);
  return copy;
}

void
nc_call_record_free (NcCallRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->pbx_call_id);
  g_free (record->client_number);
  g_free (record->virtual_number);
  g_free (record->employee);
  g_free (record->started_at);
  g_free (record->disposition);
  g_free (record->call_id_with_rec);
  g_free (record->record_link);
  g_free (record->record_expires);
  g_free (record->client_name);
  g_free (record->match_rule);
  g_free (record->outcome);
  g_free (record->note);
  g_free (record);
}

/**
 * nc_call_parse_pbx_time:
 * @text: `YYYY-MM-DD HH:MM:SS`
 *
 * The account's time zone is unknown and does not matter: these times are only ever
 * compared with each other and printed back as the PBX sent them.
 *
 * Returns: @text read as UTC, in Unix seconds; 0 for anything else
 */
gint64
nc_call_parse_pbx_time (const char *text)
{
  g_autoptr(GDateTime) time = NULL;
  int year, month, day, hour, minute, second;
  char tail;

  if (text == NULL ||
      sscanf (text, "%4d-%2d-%2d %2d:%2d:%2d%c", &year, &month, &day, &hour, &minute, &second,
              &tail) != 6)
    return 0;

  time = g_date_time_new_utc (year, month, day, hour, minute, second);
  return time != NULL ? g_date_time_to_unix (time) : 0;
}

/**
 * nc_call_format_pbx_time:
 *
 * Returns: (transfer full): @unix_time as the PBX writes its times
 */
char *
nc_call_format_pbx_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_time);

  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("");
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

static NcCallState
state_of_event (int type)
{
  if (type == NC_EVENT_END || type == NC_EVENT_OUT_END)
    return NC_CALL_STATE_ENDED;
  if (type == NC_EVENT_ANSWER)
    return NC_CALL_STATE_TALKING;
  return NC_CALL_STATE_RINGING;
}

/**
 * nc_call_record_apply_event:
 * @fields: (element-type utf8 utf8): the event's fields, verified
 * @received_at_us: when it arrived, by our real-time clock
 *
 * Merges one event into the call.
 *
 * Returns: whether anything changed
 */
gboolean
nc_call_record_apply_event (NcCallRecord *record,
                            const char   *event_type,
                            GHashTable   *fields,
                            gint64        received_at_us)
{
  const char *call_start = g_hash_table_lookup (fields, "call_start");
  const char *caller_id = g_hash_table_lookup (fields, "caller_id");
  const char *destination = g_hash_table_lookup (fields, "destination");
  const char *internal = g_hash_table_lookup (fields, "internal");
  const char *value;
  int type = nc_event_type_from_string (event_type);
  gboolean outgoing = type == NC_EVENT_OUT_START || type == NC_EVENT_OUT_END;
  NcCallState state = state_of_event (type);
  gboolean changed = FALSE;

  g_return_val_if_fail (record != NULL, FALSE);

  if (type < 0)
    return FALSE;
  if ((record->event_mask & (1u << type)) == 0)
    {
      record->event_mask |= 1u << type;
      changed = TRUE;
    }
  if (received_at_us > record->last_event_us)
    record->last_event_us = received_at_us;

  if (call_start != NULL && *call_start != '\0')
    {
      if (record->started_at == NULL)
        {
          record->started_at = g_strdup (call_start);
          record->started_unix = nc_call_parse_pbx_time (call_start);
          record->first_seen_us = received_at_us;
          changed = TRUE;
        }
      else if (received_at_us < record->first_seen_us)
        record->first_seen_us = received_at_us;
    }

  if (outgoing && record->direction != NC_CALL_DIRECTION_OUT)
    {
      record->direction = NC_CALL_DIRECTION_OUT;
      changed = TRUE;
    }

  /* Who the other party is: the caller of an incoming call, the destination of an
   * outgoing one. The answer of an incoming call names the extension that answered. */
  if (outgoing)
    {
      changed |= set_string (&record->client_number, destination);
      changed |= set_string (&record->virtual_number, caller_id);
      changed |= set_string (&record->employee, internal);
    }
  else if (type == NC_EVENT_ANSWER)
    {
      if (record->direction == NC_CALL_DIRECTION_IN)
        {
          changed |= set_string (&record->client_number, caller_id);
          changed |= set_string (&record->employee, destination);
        }
    }
  else if (type != NC_EVENT_RECORD)
    {
      changed |= set_string (&record->client_number, caller_id);
      changed |= set_string (&record->virtual_number, g_hash_table_lookup (fields, "called_did"));
      /* A ring group rings several extensions; the one that answered (ANSWER) or the
       * one the end names wins over whichever rang first. */
      if (internal != NULL && *internal != '\0' &&
          (record->employee == NULL || type == NC_EVENT_END))
        changed |= set_string (&record->employee, internal);
    }

  /* An end with disposition "answered" may overtake the answer: the answer still tells
   * when. */
  if (state == NC_CALL_STATE_TALKING &&
      (!record->answered || record->answered_seen_us == 0 ||
       received_at_us < record->answered_seen_us))
    {
      record->answered = TRUE;
      record->answered_seen_us = received_at_us;
      changed = TRUE;
    }

  if (state == NC_CALL_STATE_ENDED)
    {
      guint64 duration = 0;

      record->ended_seen_us = received_at_us;
      value = g_hash_table_lookup (fields, "duration");
      if (value != NULL && g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &duration, NULL) &&
          record->duration != duration)
        {
          record->duration = (guint) duration;
          changed = TRUE;
        }
      value = g_hash_table_lookup (fields, "disposition");
      changed |= set_string (&record->disposition, value);
      if (g_strcmp0 (value, "answered") == 0 && !record->answered)
        {
          record->answered = TRUE;
          changed = TRUE;
        }
      /* The end came after all. */
      if (record->unended)
        {
          record->unended = FALSE;
          changed = TRUE;
        }
    }

  value = g_hash_table_lookup (fields, "is_recorded");
  if ((g_strcmp0 (value, "1") == 0 || type == NC_EVENT_RECORD) && !record->is_recorded)
    {
      record->is_recorded = TRUE;
      changed = TRUE;
    }
  changed |= set_string (&record->call_id_with_rec, g_hash_table_lookup (fields, "call_id_with_rec"));

  /* The recording is there now (NOTIFY_RECORD), or should be a while after the end. */
  if (record->is_recorded && record->call_id_with_rec != NULL)
    {
      gint64 now = received_at_us / G_USEC_PER_SEC;
      gboolean ended = state == NC_CALL_STATE_ENDED || record->state == NC_CALL_STATE_ENDED;

      /* Sooner than the fallback after the end, but not while a fetcher holds it (its
       * lease is later than that fallback). */
      gint64 fallback = (record->ended_seen_us != 0 ? record->ended_seen_us / G_USEC_PER_SEC : now) +
                        NC_RECORDING_FALLBACK_SECONDS;

      if (type == NC_EVENT_RECORD &&
          (record->recording == NC_RECORDING_NONE ||
           (record->recording == NC_RECORDING_PENDING && record->record_next_try > now &&
            record->record_next_try <= fallback)))
        {
          record->recording = NC_RECORDING_PENDING;
          record->record_next_try = now;
          changed = TRUE;
        }
      else if (record->recording == NC_RECORDING_NONE && ended)
        {
          record->recording = NC_RECORDING_PENDING;
          record->record_next_try = now + NC_RECORDING_FALLBACK_SECONDS;
          changed = TRUE;
        }
    }

  if (state > record->state)
    {
      record->state = state;
      changed = TRUE;
    }

  return changed;
}

gboolean
nc_call_record_has_start (const NcCallRecord *record)
{
  return record->started_at != NULL;
}

/**
 * nc_call_record_is_missed:
 *
 * Returns: whether this is an incoming call that ended without being answered
 */
gboolean
nc_call_record_is_missed (const NcCallRecord *record)
{
  return record->direction == NC_CALL_DIRECTION_IN &&
         record->state == NC_CALL_STATE_ENDED &&
         !record->answered;
}

gboolean
nc_call_record_had_event (const NcCallRecord *record,
                          NcEventType         type)
{
  return type < NC_N_EVENTS && (record->event_mask & (1u << type)) != 0;
}

/* The PBX's clock at @seen_us of ours, from the offset seen at the first event. */
static char *
pbx_time_at (const NcCallRecord *record,
             gint64              seen_us)
{
  if (record->started_unix == 0 || seen_us < record->first_seen_us)
    return g_strdup (record->started_at != NULL ? record->started_at : "");

  return nc_call_format_pbx_time (record->started_unix +
                                  (seen_us - record->first_seen_us) / G_USEC_PER_SEC);
}

/**
 * nc_call_record_dup_answered_at:
 *
 * Returns: (transfer full) (nullable): when the call was answered, in the PBX's time
 */
char *
nc_call_record_dup_answered_at (const NcCallRecord *record)
{
  if (!record->answered)
    return NULL;
  if (record->answered_seen_us != 0)
    return pbx_time_at (record, record->answered_seen_us);
  /* Without an ANSWER event, an answered call was answered `duration` before its end. */
  if (record->ended_seen_us != 0)
    return pbx_time_at (record, record->ended_seen_us - (gint64) record->duration * G_USEC_PER_SEC);
  return NULL;
}

/**
 * nc_call_record_dup_ended_at:
 *
 * Returns: (transfer full) (nullable): when the call ended, in the PBX's time
 */
char *
nc_call_record_dup_ended_at (const NcCallRecord *record)
{
  if (record->state != NC_CALL_STATE_ENDED || record->ended_seen_us == 0)
    return NULL;
  return pbx_time_at (record, record->ended_seen_us);
}
