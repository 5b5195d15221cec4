/* nc-gap-repair-plan.c — what a gap repair asks for, and what it makes of the answer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * When to repair: the process that runs the listener refreshes NC_GAP_REPAIR_META_HEARTBEAT
 * every minute. At a start, the later of that heartbeat and the last stored event is when
 * the listener was last known alive; a silence longer than a couple of minutes since then
 * is a gap (nc_gap_repair_find_gap_sync()).
 *
 * Times: the PBX writes its times in its account's time zone, which it does not name; the
 * store keeps them as they are (started_unix reads them as UTC). The gap is known by our
 * clock, so it is moved onto the PBX's by the offset the webhooks show — call_start
 * against when we received the call's first event — or, before any call came, by this
 * machine's own time zone.
 *
 * The cursor: where a repair has got to (the span, the month window, the page), kept in
 * the store's meta row NC_GAP_REPAIR_META_CURSOR, text of a version of its own.
 *
 * Recordings: a recovered recorded call younger than NC_GAP_REPAIR_RECORDING_DAYS is left
 * pending, so that the call service fetches its link as for any call; an older one is left
 * as failed, asked for only when someone opens it. A gap of weeks would otherwise send a
 * link request for every recorded call of those weeks through the budget the live calls
 * need, for links that die in 60 days and that hardly anyone opens.
 */

#define G_LOG_DOMAIN "nc-gap-repair"

#include "config.h"

#include <string.h>

#include "nc-gap-repair-private.h"
#include "nc-phone.h"

#define CURSOR_VERSION "1"
/* The newest calls the offset of the PBX's clock is read from. */
#define OFFSET_SAMPLE 50
/* Time zones are whole quarters of an hour. */
#define OFFSET_STEP (15 * 60)

/* ------------------------------------------------------------------------------------ */
/* The cursor, the gap, the PBX's clock                                                 */

/* The end of the month window that starts at @start: a calendar month later, or @until. */
gint64
nc_gap_repair_window_end (gint64 start,
                          gint64 until)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (start);
  g_autoptr(GDateTime) month_later = time != NULL ? g_date_time_add_months (time, 1) : NULL;

  if (month_later == NULL)
    return until;
  return MIN (g_date_time_to_unix (month_later), until);
}

char *
nc_gap_repair_cursor_to_string (const NcGapCursor *cursor)
{
  return g_strdup_printf (CURSOR_VERSION " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                          " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %u", cursor->since,
                          cursor->until, cursor->window_start, cursor->window_end,
                          cursor->skip);
}

static gboolean
cursor_parse (const char  *text,
              NcGapCursor *cursor)
{
  g_auto(GStrv) fields = text != NULL ? g_strsplit (text, " ", -1) : NULL;
  gint64 values[4];
  guint64 skip;

  if (fields == NULL || g_strv_length (fields) != 6 || !g_str_equal (fields[0], CURSOR_VERSION))
    return FALSE;
  for (guint i = 0; i < 4; i++)
    if (!g_ascii_string_to_signed (fields[i + 1], 10, 0, G_MAXINT64, &values[i], NULL))
      return FALSE;
  if (!g_ascii_string_to_unsigned (fields[5], 10, 0, G_MAXUINT, &skip, NULL))
    return FALSE;

  cursor->since = values[0];
  cursor->until = values[1];
  cursor->window_start = values[2];
  cursor->window_end = values[3];
  cursor->skip = (guint) skip;
  return cursor->since <= cursor->window_start && cursor->window_start <= cursor->window_end;
}

static gint64
round_offset (gint64 seconds)
{
  gint64 half = OFFSET_STEP / 2;

  return (seconds >= 0 ? (seconds + half) / OFFSET_STEP : (seconds - half) / OFFSET_STEP) *
         OFFSET_STEP;
}

static gint64
read_heartbeat (NcStore  *store,
                GError  **error)
{
  g_autofree char *text = nc_store_get_meta_sync (store, NC_GAP_REPAIR_META_HEARTBEAT, error);
  gint64 value = 0;

  if (text != NULL && !g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, &value, NULL))
    value = 0;
  return value;
}

/* The cursor for [since, until): a stopped repair that covers the start of it goes on
 * (to the later end of the two), anything else starts anew. Kept at once, so that a
 * heartbeat written after this cannot hide the gap from the next start. */
gboolean
nc_gap_repair_begin_cursor (NcStore      *store,
                            gint64        since,
                            gint64        until,
                            NcGapCursor  *cursor,
                            GError      **error)
{
  g_autofree char *text = NULL;
  g_autofree char *saved = NULL;
  GError *local_error = NULL;
  NcGapCursor pending;

  text = nc_store_get_meta_sync (store, NC_GAP_REPAIR_META_CURSOR, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  if (cursor_parse (text, &pending) && pending.since <= since)
    {
      *cursor = pending;
      cursor->until = MAX (pending.until, until);
      g_debug ("Going on with the repair since %" G_GINT64_FORMAT " at %" G_GINT64_FORMAT
               ", skip %u", cursor->since, cursor->window_start, cursor->skip);
    }
  else
    {
      cursor->since = since;
      cursor->until = until;
      cursor->window_start = since;
      cursor->window_end = nc_gap_repair_window_end (since, until);
      cursor->skip = 0;
    }

  if (cursor->window_start >= cursor->until)
    return nc_store_set_meta_sync (store, NC_GAP_REPAIR_META_CURSOR, "", error);
  saved = nc_gap_repair_cursor_to_string (cursor);
  return nc_store_set_meta_sync (store, NC_GAP_REPAIR_META_CURSOR, saved, error);
}

/**
 * nc_gap_repair_pbx_offset_sync:
 *
 * How far the PBX's clock (its account's time zone, read as UTC) is ahead of Unix time,
 * as the newest calls the webhooks delivered show it, or this machine's time zone when no
 * call came yet. Not on the main context: it reads the store.
 *
 * Returns: seconds; 0 with @error set when the store failed
 */
gint64
nc_gap_repair_pbx_offset_sync (NcStore  *store,
                               GError  **error)
{
  g_autoptr(NcCallFilter) filter = nc_call_filter_new ();
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GHashTable) votes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GDateTime) now = NULL;
  gint64 best = 0;
  guint best_votes = 0;

  g_return_val_if_fail (NC_IS_STORE (store), 0);

  calls = nc_store_list_calls_sync (store, filter, NULL, OFFSET_SAMPLE, error);
  if (calls == NULL)
    return 0;

  /* The offset most of them agree on: a call whose first event came late is outvoted. */
  for (guint i = 0; i < calls->len; i++)
    {
      const NcCallRecord *record = calls->pdata[i];
      gint64 offset;
      guint count;

      if (record->recovered || record->first_seen_us <= 0 || record->started_unix <= 0)
        continue;
      offset = round_offset (record->started_unix - record->first_seen_us / G_USEC_PER_SEC);
      count = GPOINTER_TO_UINT (g_hash_table_lookup (votes, &offset)) + 1;
      g_hash_table_insert (votes, g_memdup2 (&offset, sizeof offset), GUINT_TO_POINTER (count));
      if (count > best_votes)
        {
          best_votes = count;
          best = offset;
        }
    }
  if (best_votes > 0)
    return best;

  now = g_date_time_new_now_local ();
  return g_date_time_get_utc_offset (now) / G_USEC_PER_SEC;
}

/**
 * nc_gap_repair_find_gap_sync:
 * @now_us: our real-time clock now, in microseconds
 * @min_gap_seconds: a silence up to this long is no gap (%NC_GAP_REPAIR_MIN_GAP_SECONDS)
 * @out_since: (out): where the gap starts, in the PBX's time
 * @out_until: (out): where it ends (now), in the PBX's time
 *
 * Whether calls may be missing: a repair that was stopped and never finished; or the
 * later of the listener's last heartbeat and the last event stored is longer ago than
 * @min_gap_seconds. A store that never had either has no gap: nothing ever listened. Not
 * on the main context: it reads the store.
 *
 * Returns: %TRUE when there is a gap; %FALSE when there is none, or with @error set when
 *   the store failed
 */
gboolean
nc_gap_repair_find_gap_sync (NcStore  *store,
                             gint64    now_us,
                             guint     min_gap_seconds,
                             gint64   *out_since,
                             gint64   *out_until,
                             GError  **error)
{
  g_autofree char *text = NULL;
  GError *local_error = NULL;
  gint64 now = now_us / G_USEC_PER_SEC;
  gint64 heartbeat, last_event_us = 0, alive, offset;
  NcGapCursor pending;

  g_return_val_if_fail (NC_IS_STORE (store), FALSE);
  g_return_val_if_fail (out_since != NULL && out_until != NULL, FALSE);

  text = nc_store_get_meta_sync (store, NC_GAP_REPAIR_META_CURSOR, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  heartbeat = read_heartbeat (store, &local_error);
  if (local_error != NULL ||
      !nc_store_get_last_event_time_sync (store, &last_event_us, &local_error))
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  offset = nc_gap_repair_pbx_offset_sync (store, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  /* What a stopped repair did not get to is still missing, up to now. */
  if (cursor_parse (text, &pending))
    {
      *out_since = pending.since;
      *out_until = MAX (pending.until, now + offset);
      return TRUE;
    }

  alive = MAX (heartbeat, last_event_us / G_USEC_PER_SEC);
  if (alive <= 0 || now - alive <= (gint64) min_gap_seconds)
    return FALSE;

  *out_since = alive + offset - NC_GAP_REPAIR_MARGIN_SECONDS;
  *out_until = now + offset;
  return TRUE;
}

/* ------------------------------------------------------------------------------------ */
/* A line of the statistics as a call                                                   */

/* A PBX extension: 2 to 6 digits (nc-phone). */
static gboolean
is_extension (const char *text)
{
  gsize length = text != NULL ? strlen (text) : 0;

  if (length < 2 || length > 6)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/* The statistics may write a number with a +; the webhooks never do. */
static char *
number_as_webhooks_write_it (const char *text)
{
  const char *digits = text != NULL && text[0] == '+' ? text + 1 : text;

  if (digits == NULL || *digits == '\0')
    return NULL;
  for (const char *p = digits; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return g_strdup (text);
  return g_strdup (digits);
}

static const char *
nonempty (const char *text)
{
  return text != NULL && *text != '\0' ? text : NULL;
}

/* The call a line of the statistics describes, as the store keeps it; %NULL for a line
 * without the PBX's id or a start. */
NcCallRecord *
nc_gap_repair_record_from_statistics (const NcZadarmaPbxCall *call,
                                      gint64                  offset,
                                      gint64                  now)
{
  NcCallRecord *record;
  const char *client, *extension, *virtual_number;
  gint64 started_unix = nc_call_parse_pbx_time (call->callstart);
  gboolean outgoing;

  if (nonempty (call->pbx_call_id) == NULL || started_unix == 0)
    {
      g_debug ("A line of the statistics without pbx_call_id or callstart is passed over");
      return NULL;
    }

  /* Version 2 does not always say which way a call went; its id does ("in_", "out_"). */
  if (g_strcmp0 (call->call_type, "out") == 0 || g_strcmp0 (call->call_type, "in") == 0)
    outgoing = g_str_equal (call->call_type, "out");
  else
    outgoing = g_str_has_prefix (call->pbx_call_id, "out_");

  /* The other party is the caller of an incoming call and the destination of an
   * outgoing one; the extension is the one named by `sip`, or else the short number on
   * our side; a long number on our side is the virtual number. */
  if (outgoing)
    {
      client = call->destination;
      extension = is_extension (call->sip) ? call->sip :
                  is_extension (call->clid) ? call->clid : NULL;
      virtual_number = !is_extension (call->clid) ? nonempty (call->clid) : NULL;
    }
  else
    {
      client = call->clid;
      extension = is_extension (call->sip) ? call->sip :
                  is_extension (call->destination) ? call->destination : NULL;
      virtual_number = !is_extension (call->destination) ? nonempty (call->destination) : NULL;
    }

  record = nc_call_record_new (call->pbx_call_id);
  record->direction = outgoing ? NC_CALL_DIRECTION_OUT : NC_CALL_DIRECTION_IN;
  record->state = NC_CALL_STATE_ENDED;
  record->started_at = g_strdup (call->callstart);
  record->started_unix = started_unix;
  record->duration = call->seconds;
  record->disposition = g_strdup (nonempty (call->disposition));
  record->answered = g_strcmp0 (call->disposition, "answered") == 0;
  record->client_number = number_as_webhooks_write_it (client);
  record->virtual_number = g_strdup (virtual_number);
  record->employee = g_strdup (extension);
  record->recovered = TRUE;

  if (call->is_recorded && nonempty (call->call_id) != NULL)
    {
      gint64 ended = started_unix - offset + call->seconds;

      record->is_recorded = TRUE;
      record->call_id_with_rec = g_strdup (call->call_id);
      if (now - ended <= (gint64) NC_GAP_REPAIR_RECORDING_DAYS * 24 * 60 * 60)
        {
          record->recording = NC_RECORDING_PENDING;
          record->record_next_try = MAX (now, ended + NC_RECORDING_FALLBACK_SECONDS);
        }
      else
        record->recording = NC_RECORDING_FAILED;
    }
  return record;
}

/* The client a recovered call's number belongs to, where one has it: steps 1 and 2 of
 * the matcher, which finds and never makes. */
gboolean
nc_gap_repair_find_client (NcClientMatcher  *matcher,
                           NcCallRecord     *record,
                           GError          **error)
{
  g_autofree char *canonical = nc_phone_try_normalize (record->client_number);
  GError *local_error = NULL;
  NcMatchRule rule = NC_MATCH_RULE_TELEPHONY_CLIENT;
  gint64 id;

  if (canonical == NULL)
    return TRUE;
  id = nc_client_matcher_lookup_sync (matcher, canonical, &rule, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (id != 0)
    {
      record->client_id = id;
      g_free (record->match_rule);
      record->match_rule = g_strdup (nc_match_rule_to_string (rule));
    }
  return TRUE;
}
