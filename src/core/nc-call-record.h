/* nc-call-record.h — one call as the store keeps it, and how an event changes it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  NC_CALL_DIRECTION_IN,
  NC_CALL_DIRECTION_OUT,
} NcCallDirection;

typedef enum
{
  NC_CALL_STATE_RINGING,
  NC_CALL_STATE_TALKING,
  NC_CALL_STATE_ENDED,
} NcCallState;

/* Where the link to a call's recording is. */
typedef enum
{
  NC_RECORDING_NONE,      /* no recording */
  NC_RECORDING_PENDING,   /* to ask for, at record_next_try */
  NC_RECORDING_FETCHED,   /* record_link, until record_expires */
  NC_RECORDING_FAILED,    /* asked for too often: asked again only when someone opens it */
} NcRecordingState;

/* The event types a call is built from, in the order of the bits of event_mask. */
typedef enum
{
  NC_EVENT_START,
  NC_EVENT_INTERNAL,
  NC_EVENT_ANSWER,
  NC_EVENT_END,
  NC_EVENT_OUT_START,
  NC_EVENT_OUT_END,
  NC_EVENT_RECORD,
  NC_EVENT_IVR,
  NC_N_EVENTS
} NcEventType;

/* How long a call may go without an event before it is taken for over: the PBX did not
 * report its end. A call can last hours. */
#define NC_CALL_STUCK_SECONDS (4 * 60 * 60)
/* After an end with a recording, how long until the PBX has stored it (when no
 * NOTIFY_RECORD says so earlier). */
#define NC_RECORDING_FALLBACK_SECONDS 40
/* How long a callback request waits for the call it places (its NOTIFY_OUT_START). */
#define NC_CALLBACK_WINDOW_SECONDS 60
/* The client variable that keeps the link to the recording of the client's last call. */
#define NC_RECORD_LINK_VARIABLE "zadarma_record_link"
/* The client variables that keep what the operator noted of the client's last call noted:
 * a bot funnel that reads client variables acts on them. */
#define NC_LAST_OUTCOME_VARIABLE "zadarma_last_call_outcome"
#define NC_LAST_NOTE_VARIABLE "zadarma_last_call_note"
#define NC_LAST_TIME_VARIABLE "zadarma_last_call_time"

typedef struct
{
  gint64            id;               /* the store's; 0 for a call not stored yet */
  char             *pbx_call_id;
  NcCallDirection   direction;
  NcCallState       state;
  gboolean          answered;
  char             *client_number;    /* the other party: the caller of an incoming call */
  char             *virtual_number;
  char             *employee;         /* the extension */
  char             *started_at;       /* the PBX's call_start, its account's time */
  gint64            started_unix;     /* started_at read as UTC, for sorting and days */
  gint64            first_seen_us;    /* our real-time clock at the first event with a start */
  gint64            answered_seen_us;
  gint64            ended_seen_us;
  gint64            last_event_us;
  guint             duration;
  char             *disposition;
  gboolean          is_recorded;
  char             *call_id_with_rec;
  NcRecordingState  recording;
  char             *record_link;
  char             *record_expires;   /* the PBX's lifetime_till */
  gint64            record_next_try;  /* unix seconds */
  guint             record_attempts;
  gint64            client_id;
  char             *client_name;      /* read with the call, from the client */
  char             *match_rule;       /* nc_match_rule_to_string() */
  guint             event_mask;       /* bit NcEventType */
  gint64            request_id;       /* the click-to-call or zadarma_call it came from */
  gboolean          recovered;        /* from the PBX's statistics, not from webhooks */
  gboolean          unended;          /* taken for over: no end came */
  char             *outcome;          /* what the operator picked after the call, or %NULL */
  char             *note;             /* what the operator wrote of it, or %NULL */
} NcCallRecord;

NcCallRecord *nc_call_record_new         (const char         *pbx_call_id);
NcCallRecord *nc_call_record_copy        (const NcCallRecord *record);
void          nc_call_record_free        (NcCallRecord       *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcCallRecord, nc_call_record_free)

int           nc_event_type_from_string  (const char         *event_type);
const char   *nc_event_type_to_string    (NcEventType         type);
gboolean      nc_call_record_apply_event (NcCallRecord       *record,
                                          const char         *event_type,
                                          GHashTable         *fields,
                                          gint64              received_at_us);
gboolean      nc_call_record_has_start   (const NcCallRecord *record);
gboolean      nc_call_record_is_missed   (const NcCallRecord *record);
gboolean      nc_call_record_had_event   (const NcCallRecord *record,
                                          NcEventType         type);
char         *nc_call_record_dup_answered_at (const NcCallRecord *record);
char         *nc_call_record_dup_ended_at    (const NcCallRecord *record);
gint64        nc_call_parse_pbx_time     (const char         *text);
char         *nc_call_format_pbx_time    (gint64              unix_time);

/* The PBX's dispositions: answered, busy, cancel, no answer, … */
gboolean      nc_call_disposition_is_known (const char         *disposition);
const char   *nc_call_disposition_to_text  (const char         *disposition);

G_END_DECLS
