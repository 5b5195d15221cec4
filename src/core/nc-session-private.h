/* nc-session-private.h — what the session's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * NcSession is one object in four files: nc-session.c (the object: its properties, what it
 * is built from, its getters), nc-session-start.c (the start: the account looked up, the
 * store opened, the live calls read; `listen`'s own start; the close),
 * nc-session-account.c (the account: its API client, credentials saved or forgotten while
 * it runs) and nc-session-listener.c (the console's own listener, restarted as the
 * settings and the account change). Each calls only those after it; they notify the
 * object's properties by name.
 */
#pragma once

#include "nc-call-service.h"
#include "nc-client-matcher.h"
#include "nc-demo.h"
#include "nc-gap-repair.h"
#include "nc-secrets.h"
#include "nc-session.h"

G_BEGIN_DECLS

struct _NcSession
{
  GObject          parent_instance;

  char            *data_dir;
  GSettings       *settings;
  NcSessionFlags   flags;
  char            *database_url;    /* the office's database, or %NULL for the data folder */

  NcStore         *store;
  NcCallTracker   *tracker;
  NcClientMatcher *matcher;
  NcCallService   *service;
  NcEmployeeList  *employees;
  NcDialer        *dialer;
  NcDemo          *demo;
  NcZadarmaClient *client;
  NcWebhookServer *listener;
  NcGapRepair     *gap_repair;      /* the calls of the time no listener ran */
  gboolean         gap_checked;
  GCancellable    *cancellable;

  NcCredentials   *credentials;
  GError          *account_error;   /* why the credentials were not found, as found */
  gboolean         account_ready;
  char            *account_problem;
  char            *token;
  char            *listener_problem;
  gboolean         token_asked;
  guint            restart_source;
  gboolean         closed;
};

/* Sets a string property's field, and notifies @property when it changed. */
static inline void
nc_session_set_string (NcSession   *self,
                       char       **field,
                       const char  *value,
                       const char  *property)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify (G_OBJECT (self), property);
}

/* The account (nc-session-account.c) */
void      nc_session_set_client                (NcSession        *self,
                                                NcZadarmaClient  *client);
void      nc_session_set_account               (NcSession        *self,
                                                gboolean          ready,
                                                const char       *problem);
void      nc_session_apply_credentials         (NcSession        *self,
                                                NcCredentials    *credentials,
                                                const char       *problem);
void      nc_session_account_settings_changed  (NcSession        *self,
                                                const char       *key);

/* The listener (nc-session-listener.c) */
void      nc_session_set_listener              (NcSession        *self,
                                                NcWebhookServer  *listener);
void      nc_session_set_listener_problem      (NcSession        *self,
                                                const char       *problem);
void      nc_session_ask_token                 (NcSession        *self);
gboolean  nc_session_start_listener            (NcSession        *self,
                                                const char       *address,
                                                guint             port,
                                                const char       *certificate_file,
                                                const char       *key_file,
                                                GError          **error);
void      nc_session_restart_listener          (NcSession        *self);
void      nc_session_listener_settings_changed (NcSession        *self,
                                                const char       *key);

G_END_DECLS
