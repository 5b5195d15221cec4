/* nc-call-filter.c — what the journal is filtered by, and the same test for one call
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store's page queries (nc-store-journal.c) and this test must agree: a call that
 * changed after its page was read is kept or dropped by nc_call_filter_matches() exactly
 * as the query would have found it.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <string.h>

#include "nc-phone.h"
#include "nc-store-private.h"

/* ------------------------------------------------------------------------------------ */
/* Filters                                                                               */

NcCallFilter *
nc_call_filter_new (void)
{
  NcCallFilter *filter = g_new0 (NcCallFilter, 1);

  filter->direction = -1;
  return filter;
}

NcCallFilter *
nc_call_filter_copy (const NcCallFilter *filter)
{
  NcCallFilter *copy;

  if (filter == NULL)
    return nc_call_filter_new ();
  copy = g_memdup2 (filter, sizeof *filter);
  copy->employee = g_strdup (filter->employee);
  copy->text = g_strdup (filter->text);
  return copy;
}

void
nc_call_filter_free (NcCallFilter *filter)
{
  if (filter == NULL)
    return;
  g_free (filter->employee);
  g_free (filter->text);
  g_free (filter);
}

/**
 * nc_call_filter_get_text:
 *
 * Returns: (nullable): the filter's text, %NULL when it has none or an empty one
 */
const char *
nc_call_filter_get_text (const NcCallFilter *filter)
{
  return filter->text != NULL && *filter->text != '\0' ? filter->text : NULL;
}

gboolean
nc_call_filter_equal (const NcCallFilter *a,
                      const NcCallFilter *b)
{
  return a->direction == b->direction && a->outcome == b->outcome &&
         g_strcmp0 (a->employee, b->employee) == 0 && a->since == b->since &&
         a->until == b->until && g_strcmp0 (nc_call_filter_get_text (a), nc_call_filter_get_text (b)) == 0 &&
         a->client_id == b->client_id;
}

gboolean
nc_call_filter_is_empty (const NcCallFilter *filter)
{
  return filter->direction < 0 && filter->outcome == NC_CALL_OUTCOME_ANY &&
         filter->employee == NULL && filter->since == 0 && filter->until == 0 &&
         nc_call_filter_get_text (filter) == NULL && filter->client_id == 0;
}

static gboolean
outcome_matches (NcCallOutcome       outcome,
                 const NcCallRecord *record)
{
  switch (outcome)
    {
    case NC_CALL_OUTCOME_ANY:
      return TRUE;
    case NC_CALL_OUTCOME_ANSWERED:
      return record->answered;
    case NC_CALL_OUTCOME_MISSED:
      return nc_call_record_is_missed (record);
    case NC_CALL_OUTCOME_NOT_ANSWERED:
      return record->direction == NC_CALL_DIRECTION_OUT && record->state == NC_CALL_STATE_ENDED &&
             !record->answered;
    case NC_CALL_OUTCOME_UNENDED:
      return record->unended;
    default:
      return FALSE;
    }
}

/**
 * nc_call_filter_matches_number:
 *
 * Whether the filter's text is a whole number, typed in any form, and the call is with
 * that number: how a call that no client's search finds (an outgoing call to a number
 * nobody saved, say) is found.
 */
gboolean
nc_call_filter_matches_number (const NcCallFilter *filter,
                               const NcCallRecord *record)
{
  g_autofree char *number = nc_phone_parse_typed (nc_call_filter_get_text (filter));

  return number != NULL && g_strcmp0 (number, record->client_number) == 0;
}

/**
 * nc_call_filter_matches:
 * @text_clients: (element-type gint64) (nullable): the clients a text filter found, as
 *   nc_store_search_clients_sync() finds them
 *
 * The same test as the store's query, for a call that changed after a page was read.
 */
gboolean
nc_call_filter_matches (const NcCallFilter *filter,
                        const NcCallRecord *record,
                        GArray             *text_clients)
{
  if (!nc_call_record_has_start (record) ||
      (filter->direction >= 0 && (int) record->direction != filter->direction) ||
      !outcome_matches (filter->outcome, record) ||
      (filter->employee != NULL && g_strcmp0 (filter->employee, record->employee) != 0) ||
      (filter->since != 0 && record->started_unix < filter->since) ||
      (filter->until != 0 && record->started_unix >= filter->until) ||
      (filter->client_id != 0 && record->client_id != filter->client_id))
    return FALSE;

  if (nc_call_filter_get_text (filter) == NULL)
    return TRUE;
  if (nc_call_filter_matches_note (filter, record) ||
      nc_call_filter_matches_number (filter, record))
    return TRUE;
  if (text_clients == NULL || record->client_id == 0)
    return FALSE;
  for (guint i = 0; i < text_clients->len; i++)
    if (g_array_index (text_clients, gint64, i) == record->client_id)
      return TRUE;
  return FALSE;
}
