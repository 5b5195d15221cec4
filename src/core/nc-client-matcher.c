/* nc-client-matcher.c — which client a number that calls belongs to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The source document's sequence, exactly: (1) a telephony client with this number;
 * (2) else the first — the oldest — client of the project that has it among the values of
 * its variables (its own phone counts, compared after normalisation); (3) else a new
 * client: a WhatsApp client if any messenger is connected to the project, otherwise a
 * telephony client (call-only). Steps 1 and 2 are two lookups in the store's phone index,
 * which every write keeps in step: never a scan of the clients.
 */

#define G_LOG_DOMAIN "nc-client-matcher"

#include "config.h"

#include <glib/gi18n.h>

#include "nc-client-matcher.h"
#include "nc-phone.h"

struct _NcClientMatcher
{
  GObject  parent_instance;

  NcStore *store;
};

G_DEFINE_FINAL_TYPE (NcClientMatcher, nc_client_matcher, G_TYPE_OBJECT)

static const char *const rule_ids[] = {
  "telephony-client", "any-variable", "created-whatsapp", "created-telephony",
};

const char *
nc_match_rule_to_string (NcMatchRule rule)
{
  g_return_val_if_fail (rule <= NC_MATCH_RULE_CREATED_TELEPHONY, NULL);
  return rule_ids[rule];
}

gboolean
nc_match_rule_from_string (const char  *text,
                           NcMatchRule *out_rule)
{
  for (guint i = 0; i < G_N_ELEMENTS (rule_ids) && text != NULL; i++)
    if (g_str_equal (rule_ids[i], text))
      {
        *out_rule = (NcMatchRule) i;
        return TRUE;
      }
  return FALSE;
}

/**
 * nc_match_rule_explain:
 *
 * Returns: (transfer none): why this client, in a sentence for the card's hint
 */
const char *
nc_match_rule_explain (NcMatchRule rule)
{
  switch (rule)
    {
    case NC_MATCH_RULE_TELEPHONY_CLIENT:
      return _("A telephony client with this number");
    case NC_MATCH_RULE_ANY_VARIABLE:
      return _("No telephony client has this number; this is the oldest client with it in "
               "a variable or as their phone");
    case NC_MATCH_RULE_CREATED_WHATSAPP:
      return _("No client had this number, and a messenger is connected: a new WhatsApp "
               "client was made");
    case NC_MATCH_RULE_CREATED_TELEPHONY:
      return _("No client had this number, and no messenger is connected: a new telephony "
               "client was made (it can be called, not written to)");
    default:
      g_return_val_if_reached ("");
    }
}

static void
nc_client_matcher_dispose (GObject *object)
{
  NcClientMatcher *self = NC_CLIENT_MATCHER (object);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (nc_client_matcher_parent_class)->dispose (object);
}

static void
nc_client_matcher_class_init (NcClientMatcherClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = nc_client_matcher_dispose;
}

static void
nc_client_matcher_init (NcClientMatcher *self)
{
}

NcClientMatcher *
nc_client_matcher_new (NcStore *store)
{
  NcClientMatcher *self;

  g_return_val_if_fail (NC_IS_STORE (store), NULL);

  self = g_object_new (NC_TYPE_CLIENT_MATCHER, NULL);
  self->store = g_object_ref (store);
  return self;
}

/**
 * nc_client_matcher_lookup_sync:
 * @canonical: a canonical number
 * @out_rule: (out) (optional): rule 1 or 2
 *
 * Steps 1 and 2 only: finds, never makes.
 *
 * Returns: the client's id, or 0 when none has the number (or on error)
 */
gint64
nc_client_matcher_lookup_sync (NcClientMatcher  *self,
                               const char       *canonical,
                               NcMatchRule      *out_rule,
                               GError          **error)
{
  gint64 telephony = 0, any = 0;

  g_return_val_if_fail (NC_IS_CLIENT_MATCHER (self), 0);

  if (!nc_store_lookup_phone_sync (self->store, canonical, &telephony, &any, error))
    return 0;

  if (out_rule != NULL)
    *out_rule = telephony != 0 ? NC_MATCH_RULE_TELEPHONY_CLIENT : NC_MATCH_RULE_ANY_VARIABLE;
  return telephony != 0 ? telephony : any;
}

/**
 * nc_client_matcher_match_sync:
 * @number: the number of a call, in any format
 * @out_rule: (out) (optional): which rule found or made the client
 *
 * Returns: (transfer full) (nullable): the client, found or made
 */
NcClient *
nc_client_matcher_match_sync (NcClientMatcher  *self,
                              const char       *number,
                              NcMatchRule      *out_rule,
                              GError          **error)
{
  g_autofree char *canonical = NULL;
  g_auto(GStrv) messengers = NULL;
  g_autoptr(NcClient) draft = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GError) lookup_error = NULL;
  NcMatchRule rule = NC_MATCH_RULE_TELEPHONY_CLIENT;
  gboolean added = FALSE;
  gint64 id;

  g_return_val_if_fail (NC_IS_CLIENT_MATCHER (self), NULL);

  canonical = nc_phone_normalize_number (number, error);
  if (canonical == NULL)
    return NULL;

  id = nc_client_matcher_lookup_sync (self, canonical, &rule, &lookup_error);
  if (lookup_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&lookup_error));
      return NULL;
    }
  if (id == 0)
    {

      messengers = nc_store_get_messengers_sync (self->store, error);
      if (messengers == NULL)
        return NULL;

      rule = messengers[0] != NULL ? NC_MATCH_RULE_CREATED_WHATSAPP
                                   : NC_MATCH_RULE_CREATED_TELEPHONY;
      name = nc_phone_format (canonical);
      draft = nc_client_new (0, name,
                             rule == NC_MATCH_RULE_CREATED_WHATSAPP ? NC_CHANNEL_WHATSAPP
                                                                    : NC_CHANNEL_TELEPHONY,
                             canonical, 0);
      nc_client_take_variables (draft, g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free));

      id = nc_store_find_or_add_client_sync (self->store, canonical, draft, &added, error);
      if (id == 0)
        return NULL;
      /* Someone else made it first: it was found after all. */
      if (!added)
        id = nc_client_matcher_lookup_sync (self, canonical, &rule, error);
    }

  if (out_rule != NULL)
    *out_rule = rule;
  return nc_store_get_client_sync (self->store, id, error);
}

typedef struct
{
  NcClient    *client;
  NcMatchRule  rule;
} MatchResult;

static void
match_result_free (MatchResult *result)
{
  g_clear_object (&result->client);
  g_free (result);
}

static void
match_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  MatchResult *result = g_new0 (MatchResult, 1);
  GError *error = NULL;

  result->client = nc_client_matcher_match_sync (source_object, task_data, &result->rule,
                                                 &error);
  if (result->client == NULL)
    {
      match_result_free (result);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, result, (GDestroyNotify) match_result_free);
}

/**
 * nc_client_matcher_match_async:
 *
 * Matches @number to a client, making one if needed, without blocking the caller.
 */
void
nc_client_matcher_match_async (NcClientMatcher     *self,
                               const char          *number,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_return_if_fail (NC_IS_CLIENT_MATCHER (self));

  g_task_set_source_tag (task, nc_client_matcher_match_async);
  g_task_set_task_data (task, g_strdup (number), g_free);
  g_task_run_in_thread (task, match_in_thread);
}

/**
 * nc_client_matcher_match_finish:
 *
 * Returns: (transfer full) (nullable): the client
 */
NcClient *
nc_client_matcher_match_finish (NcClientMatcher  *self,
                                GAsyncResult     *result,
                                NcMatchRule      *out_rule,
                                GError          **error)
{
  MatchResult *match;
  NcClient *client;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  match = g_task_propagate_pointer (G_TASK (result), error);
  if (match == NULL)
    return NULL;

  client = g_steal_pointer (&match->client);
  if (out_rule != NULL)
    *out_rule = match->rule;
  match_result_free (match);
  return client;
}
