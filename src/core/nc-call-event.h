/* nc-call-event.h — one webhook event of the PBX, verified
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define NC_CALL_EVENT_ERROR (nc_call_event_error_quark ())

typedef enum
{
  NC_CALL_EVENT_ERROR_UNKNOWN_TYPE,
  NC_CALL_EVENT_ERROR_MISSING_FIELD,
  NC_CALL_EVENT_ERROR_MALFORMED_FIELD,
  NC_CALL_EVENT_ERROR_BAD_SIGNATURE,
  NC_CALL_EVENT_ERROR_MALFORMED_FORM,
  NC_CALL_EVENT_ERROR_UNKNOWN_FIELD,
  NC_CALL_EVENT_ERROR_OUT_OF_WINDOW,
} NcCallEventError;

#define NC_TYPE_CALL_EVENT (nc_call_event_get_type ())

G_DECLARE_FINAL_TYPE (NcCallEvent, nc_call_event, NC, CALL_EVENT, GObject)

GQuark       nc_call_event_error_quark   (void);
gboolean     nc_call_event_type_is_known (const char  *event_type);
GHashTable  *nc_call_event_decode_form   (const char  *data,
                                          gsize        length,
                                          GError     **error);
char        *nc_call_event_sign          (const char  *secret,
                                          GHashTable  *fields);
NcCallEvent *nc_call_event_new_verified  (GHashTable  *fields,
                                          const char  *secret,
                                          const char  *signature,
                                          GError     **error);
gboolean     nc_call_event_check_call_start (NcCallEvent  *self,
                                             GDateTime    *now,
                                             guint         window_seconds,
                                             GError      **error);
NcCallEvent *nc_call_event_new_from_canonical (const char  *event_type,
                                               const char  *canonical,
                                               gint64       received_at_us);
const char  *nc_call_event_get_event_type (NcCallEvent *self);
GHashTable  *nc_call_event_get_fields     (NcCallEvent *self);
const char  *nc_call_event_get_field      (NcCallEvent *self,
                                           const char  *name);
const char  *nc_call_event_get_canonical  (NcCallEvent *self);
gint64       nc_call_event_get_received_at (NcCallEvent *self);

G_END_DECLS
