/* nc-dialer-private.h — what the dialer's two files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * nc-dialer.c is the object: the current employee's call method, can-call, the app's
 * path (a tel: link); nc-dialer-callback.c the API's path, from the store's guard to the
 * end of the call it placed.
 */
#pragma once

#include "nc-dialer.h"

G_BEGIN_DECLS

/* A callback on its way, from the request until its call ends. */
typedef struct
{
  NcDialer *dialer;
  char     *client_phone;
  char     *who;            /* the client's name and number, for people */
  gint64    request_id;     /* the store's, 0 until the guard is taken */
  NcCall   *call;           /* once the PBX started it */
  guint     expiry_source;
  gboolean  came_elsewhere; /* the store tied a call this process has not read yet */
} NcDialerAttempt;

struct _NcDialer
{
  GObject          parent_instance;

  NcCallTracker   *tracker;
  NcEmployeeList  *employees;
  NcZadarmaClient *client;
  NcStore         *store;
  char            *employee_id;
  char            *fallback_id;
  GHashTable      *attempts;     /* client phone → NcDialerAttempt */
  guint            window_ms;

  /* What update() derived last. */
  NcEmployee      *employee;
  NcCallMethod     method;
  gboolean         show_phones;
  gboolean         can_call;
  char            *problem;
};

/* The API's path (nc-dialer-callback.c) */
void nc_dialer_attempt_free   (NcDialerAttempt *attempt);
void nc_dialer_callback_tied  (NcCallTracker   *tracker,
                               gint64           request_id,
                               NcCall          *call,
                               NcDialer        *self);
/* Holds the guard, names the client, and sends the callback once; answers @task, which it
 * takes, with what happens now. @request: (transfer full) */
void nc_dialer_place          (NcDialer        *self,
                               GTask           *task,
                               NcCallRequest   *request);

G_END_DECLS
