/* nc-call-event.c — one webhook event of the PBX, verified
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The checks run in the listener's order: the event's type must be known (else it is
 * ignored, since its signature cannot be checked), the Signature must match the event's
 * signed fields, then every field the event needs must be there and well formed. The
 * canonical form — every field, sorted, form-encoded — is what the store deduplicates on:
 * a replay has every field equal; a ring group's NOTIFY_INTERNALs differ in `internal`.
 */

#define G_LOG_DOMAIN "nc-call-event"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <libsoup/soup.h>
#include <glib/gi18n.h>

#include "nc-call-event.h"
#include "nc-zadarma-sign.h"

G_DEFINE_QUARK (nc-call-event-error-quark, nc_call_event_error)

typedef struct
{
  const char        *type;
  const char *const  signed_fields[3];
  const char *const  required[10];
} EventSpec;

static const EventSpec specs[] = {
  { "NOTIFY_START", { "caller_id", "called_did", "call_start" },
    { "call_start", "pbx_call_id", "caller_id", "called_did", NULL } },
  { "NOTIFY_INTERNAL", { "caller_id", "called_did", "call_start" },
    { "call_start", "pbx_call_id", "caller_id", "called_did", "internal", NULL } },
  { "NOTIFY_ANSWER", { "caller_id", "destination", "call_start" },
    { "call_start", "pbx_call_id", "caller_id", "destination", NULL } },
  { "NOTIFY_END", { "caller_id", "called_did", "call_start" },
    { "call_start", "pbx_call_id", "caller_id", "called_did", "duration", "disposition",
      "is_recorded", NULL } },
  { "NOTIFY_OUT_START", { "internal", "destination", "call_start" },
    { "call_start", "pbx_call_id", "destination", "caller_id", "internal", NULL } },
  { "NOTIFY_OUT_END", { "internal", "destination", "call_start" },
    { "call_start", "pbx_call_id", "destination", "caller_id", "internal", "duration",
      "disposition", "is_recorded", NULL } },
  { "NOTIFY_RECORD", { "pbx_call_id", "call_id_with_rec", NULL },
    { "pbx_call_id", "call_id_with_rec", NULL } },
  { "NOTIFY_IVR", { "caller_id", "called_did", "call_start" },
    { "call_start", "pbx_call_id", "caller_id", "called_did", NULL } },
};

static const char *const dispositions[] = {
  "answered", "busy", "cancel", "no answer", "failed", "no money", "unallocated number",
  "no limit", "no day limit", "line limit", "no money, no limit", NULL
};

struct _NcCallEvent
{
  GObject     parent_instance;

  char       *event_type;
  GHashTable *fields;
  char       *canonical;
  gint64      received_at;
};

G_DEFINE_FINAL_TYPE (NcCallEvent, nc_call_event, G_TYPE_OBJECT)

static const EventSpec *
find_spec (const char *event_type)
{
  for (guint i = 0; i < G_N_ELEMENTS (specs) && event_type != NULL; i++)
    if (g_str_equal (specs[i].type, event_type))
      return &specs[i];
  return NULL;
}

gboolean
nc_call_event_type_is_known (const char *event_type)
{
  return find_spec (event_type) != NULL;
}

static char *
sign_with_spec (const EventSpec *spec,
                const char      *secret,
                GHashTable      *fields)
{
  const char *values[4] = { NULL };

  for (guint i = 0; i < G_N_ELEMENTS (spec->signed_fields) && spec->signed_fields[i] != NULL; i++)
    {
      const char *value = g_hash_table_lookup (fields, spec->signed_fields[i]);

      values[i] = value != NULL ? value : "";
    }
  return nc_zadarma_sign_webhook (secret, values);
}

/**
 * nc_call_event_sign:
 * @fields: (element-type utf8 utf8): an event's fields, `event` included
 *
 * Returns: (transfer full) (nullable): the `Signature` the PBX sends with these fields,
 *   or %NULL for an unknown event type
 */
char *
nc_call_event_sign (const char *secret,
                    GHashTable *fields)
{
  const EventSpec *spec = find_spec (g_hash_table_lookup (fields, "event"));

  return spec != NULL ? sign_with_spec (spec, secret, fields) : NULL;
}

static gboolean
is_pbx_time (const char *text)
{
  int year, month, day, hour, minute, second;
  char tail;
  g_autoptr(GDateTime) time = NULL;

  if (strlen (text) != 19 ||
      sscanf (text, "%4d-%2d-%2d %2d:%2d:%2d%c", &year, &month, &day, &hour, &minute, &second,
              &tail) != 6 || text[4] != '-' || text[7] != '-' || text[10] != ' ')
    return FALSE;
  time = g_date_time_new_utc (year, month, day, hour, minute, second);
  return time != NULL;
}

static gboolean
is_digits (const char *text,
           gsize       max)
{
  gsize len = strlen (text);

  if (len == 0 || len > max)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
is_plain_text (const char *text,
               gsize       max)
{
  if (strlen (text) > max)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20)
      return FALSE;
  return TRUE;
}

static gboolean
validate_field (const char  *name,
                const char  *value,
                GError     **error)
{
  gboolean ok;

  if (g_str_equal (name, "call_start"))
    ok = is_pbx_time (value);
  else if (g_str_equal (name, "duration") || g_str_equal (name, "status_code"))
    ok = is_digits (value, 9);
  else if (g_str_equal (name, "is_recorded"))
    ok = g_str_equal (value, "0") || g_str_equal (value, "1");
  else if (g_str_equal (name, "disposition"))
    ok = g_strv_contains (dispositions, value);
  else if (g_str_equal (name, "internal") || g_str_equal (name, "last_internal"))
    ok = *value == '\0' || is_digits (value, 12);
  else if (g_str_equal (name, "pbx_call_id") || g_str_equal (name, "caller_id") ||
           g_str_equal (name, "destination") || g_str_equal (name, "called_did"))
    ok = *value != '\0' && is_plain_text (value, 128);
  else
    ok = is_plain_text (value, 1024);

  if (!ok)
    g_set_error (error, NC_CALL_EVENT_ERROR, NC_CALL_EVENT_ERROR_MALFORMED_FIELD,
                 _("The field “%s” is malformed: “%s”"), name, value);
  return ok;
}

static void
nc_call_event_finalize (GObject *object)
{
  NcCallEvent *self = NC_CALL_EVENT (object);

  g_free (self->event_type);
  g_clear_pointer (&self->fields, g_hash_table_unref);
  g_free (self->canonical);

  G_OBJECT_CLASS (nc_call_event_parent_class)->finalize (object);
}

static void
nc_call_event_class_init (NcCallEventClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nc_call_event_finalize;
}

static void
nc_call_event_init (NcCallEvent *self)
{
}

static NcCallEvent *
event_new (const char *event_type,
           GHashTable *fields,
           gint64      received_at)
{
  NcCallEvent *self = g_object_new (NC_TYPE_CALL_EVENT, NULL);
  GHashTableIter iter;
  gpointer key, value;

  self->event_type = g_strdup (event_type);
  self->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&iter, fields);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (self->fields, g_strdup (key), g_strdup (value));
  self->canonical = nc_zadarma_encode_params (self->fields);
  self->received_at = received_at;
  return self;
}

/**
 * nc_call_event_new_verified:
 * @fields: (element-type utf8 utf8): the form's fields, `event` included
 * @secret: the API Secret the PBX signs with
 * @signature: (nullable): the request's `Signature` header
 *
 * Returns: (transfer full) (nullable): the event, or %NULL with the reason
 */
NcCallEvent *
nc_call_event_new_verified (GHashTable  *fields,
                            const char  *secret,
                            const char  *signature,
                            GError     **error)
{
  const char *event_type = g_hash_table_lookup (fields, "event");
  const EventSpec *spec = find_spec (event_type);
  g_autofree char *expected = NULL;

  if (spec == NULL)
    {
      g_set_error (error, NC_CALL_EVENT_ERROR, NC_CALL_EVENT_ERROR_UNKNOWN_TYPE,
                   _("Unknown event type “%s”"), event_type != NULL ? event_type : "");
      return NULL;
    }

  expected = sign_with_spec (spec, secret, fields);
  if (signature == NULL || !nc_secure_str_equal (signature, expected))
    {
      g_set_error_literal (error, NC_CALL_EVENT_ERROR, NC_CALL_EVENT_ERROR_BAD_SIGNATURE,
                           signature == NULL ? _("The Signature header is missing")
                                             : _("The Signature does not match the event"));
      return NULL;
    }

  for (guint i = 0; spec->required[i] != NULL; i++)
    if (!g_hash_table_contains (fields, spec->required[i]))
      {
        g_set_error (error, NC_CALL_EVENT_ERROR, NC_CALL_EVENT_ERROR_MISSING_FIELD,
                     _("%s lacks the field “%s”"), spec->type, spec->required[i]);
        return NULL;
      }

  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, fields);
    while (g_hash_table_iter_next (&iter, &key, &value))
      if (!g_str_equal (key, "event") && !validate_field (key, value, error))
        return NULL;
  }

  return event_new (event_type, fields, g_get_real_time ());
}

/**
 * nc_call_event_new_from_canonical:
 *
 * An event as the store keeps it, verified when it arrived.
 *
 * Returns: (transfer full): the event
 */
NcCallEvent *
nc_call_event_new_from_canonical (const char *event_type,
                                  const char *canonical,
                                  gint64      received_at_us)
{
  g_autoptr(GHashTable) fields = soup_form_decode (canonical);

  return event_new (event_type, fields, received_at_us);
}

const char *
nc_call_event_get_event_type (NcCallEvent *self)
{
  g_return_val_if_fail (NC_IS_CALL_EVENT (self), NULL);
  return self->event_type;
}

/**
 * nc_call_event_get_fields:
 *
 * Returns: (transfer none) (element-type utf8 utf8): every field
 */
GHashTable *
nc_call_event_get_fields (NcCallEvent *self)
{
  g_return_val_if_fail (NC_IS_CALL_EVENT (self), NULL);
  return self->fields;
}

const char *
nc_call_event_get_field (NcCallEvent *self,
                         const char  *name)
{
  g_return_val_if_fail (NC_IS_CALL_EVENT (self), NULL);
  return g_hash_table_lookup (self->fields, name);
}

const char *
nc_call_event_get_canonical (NcCallEvent *self)
{
  g_return_val_if_fail (NC_IS_CALL_EVENT (self), NULL);
  return self->canonical;
}

gint64
nc_call_event_get_received_at (NcCallEvent *self)
{
  g_return_val_if_fail (NC_IS_CALL_EVENT (self), 0);
  return self->received_at;
}
