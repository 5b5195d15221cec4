/* nc-client-matcher.h — which client a number that calls belongs to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-store.h"

G_BEGIN_DECLS

/* Which rule of the source document's sequence found the client. */
typedef enum
{
  NC_MATCH_RULE_TELEPHONY_CLIENT,   /* 1: a telephony client with this number */
  NC_MATCH_RULE_ANY_VARIABLE,       /* 2: the oldest client with it in any variable */
  NC_MATCH_RULE_CREATED_WHATSAPP,   /* 3: none: a WhatsApp client was made */
  NC_MATCH_RULE_CREATED_TELEPHONY,  /* 3: none, no messenger: a telephony client was made */
} NcMatchRule;

const char  *nc_match_rule_to_string   (NcMatchRule  rule);
gboolean     nc_match_rule_from_string (const char  *text,
                                        NcMatchRule *out_rule);
const char  *nc_match_rule_explain     (NcMatchRule  rule);

#define NC_TYPE_CLIENT_MATCHER (nc_client_matcher_get_type ())

G_DECLARE_FINAL_TYPE (NcClientMatcher, nc_client_matcher, NC, CLIENT_MATCHER, GObject)

NcClientMatcher *nc_client_matcher_new          (NcStore          *store);
gint64           nc_client_matcher_lookup_sync  (NcClientMatcher  *self,
                                                 const char       *canonical,
                                                 NcMatchRule      *out_rule,
                                                 GError          **error);
NcClient        *nc_client_matcher_match_sync   (NcClientMatcher  *self,
                                                 const char       *number,
                                                 NcMatchRule      *out_rule,
                                                 GError          **error);
void             nc_client_matcher_match_async  (NcClientMatcher     *self,
                                                 const char          *number,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
NcClient        *nc_client_matcher_match_finish (NcClientMatcher  *self,
                                                 GAsyncResult     *result,
                                                 NcMatchRule      *out_rule,
                                                 GError          **error);

G_END_DECLS
