/* nc-call-event.c — one webhook event of the PBX, verified
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The form is decoded strictly (nc_call_event_decode_form()): a pair without "=", an
 * escape that does not decode, a %00, a field given twice — each is an error, never a
 * field dropped, cut short or overwritten.
 *
 * The checks run in the listener's order: the event's type must be known (else it is
 * ignored, since its signature cannot be checked), the Signature must match the event's
 * signed fields, then the event may have only the fields its type has (each with a size
 * limit), every field it needs must be there and well formed. The PBX signs only two or
 * three fields of each event (see ZADARMA-API.md): the rest — pbx_call_id among them —
 * anyone who captured one event could change, so nothing beyond the documented fields is
 * taken. The signature has no time in it either; nc_call_event_check_call_start() refuses
 * a signed call_start far from now, which narrows a replay to that window.
 *
 * The canonical form — every field, sorted, form-encoded — is what the store deduplicates
 * on: a replay has every field equal; a ring group's NOTIFY_INTERNALs differ in `internal`.
 */

#define G_LOG_DOMAIN "nc-call-event"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <libsoup/soup.h>
#include <glib/gi18n.h>

#include "nc-call-event.h"
#include "nc-call-record.h"
#include "nc-zadarma-sign.h"

G_DEFINE_QUARK (nc-call-event-error-quark, nc_call_event_error)

typedef struct
{
  const char *const  signed_fields[3];
  const char *const  required[10];
  const char *const  optional[5];   /* with `event` and the required: every field it may have */
} EventSpec;

/* The fields of ZADARMA-API.md, by event type (nc-call-record.h names the types).
 * NOTIFY_ANSWER may also name the extension that answered (`internal`, optional in the
 * PBX's own documentation); NOTIFY_IVR's wait_dtmf is an array, which the PBX's PHP sends
 * as wait_dtmf[…] fields. */
static const EventSpec specs[NC_N_EVENTS] = {
  [NC_EVENT_START] = {
    { "caller_id", "called_did", "call_start" },
    { "call_start", "pbx_call_id", "caller_id", "called_did", NULL },
    { NULL } },
  [NC_EVENT_INTERNAL] = {
    { "caller_id", "called_did", "call_start" },
    { "call_start", "pbx_call_id", "caller_id", "called_did", "internal", NULL },
    { NULL } },
  [NC_EVENT_ANSWER] = {
    { "caller_id", "destination", "call_start" },
    { "call_start", "pbx_call_id", "caller_id", "destination", NULL },
    { "internal", NULL } },
  [NC_EVENT_END] = {
    { "caller_id", "called_did", "call_start" },
    { "call_start", "pbx_call_id", "caller_id", "called_did", "duration", "disposition",
      "is_recorded", NULL },
    { "internal", "status_code", "call_id_with_rec", "last_internal", NULL } },
  [NC_EVENT_OUT_START] = {
    { "internal", "destination", "call_start" },
    { "call_start", "pbx_call_id", "destination", "caller_id", "internal", NULL },
    { NULL } },
  [NC_EVENT_OUT_END] = {
    { "internal", "destination", "call_start" },
    { "call_start", "pbx_call_id", "destination", "caller_id", "internal", "duration",
      "disposition", "is_recorded", NULL },
    { "status_code", "call_id_with_rec", NULL } },
  [NC_EVENT_RECORD] = {
    { "pbx_call_id", "call_id_with_rec", NULL },
    { "pbx_call_id", "call_id_with_rec", NULL },
    { NULL } },
  [NC_EVENT_IVR] = {
    { "caller_id", "called_did", "call_start" },
    { "call_start", "pbx_call_id", "caller_id", "called_did", NULL },
    { "wait_dtmf[id]", "wait_dtmf[name]", "wait_dtmf[digits]", "wait_dtmf[default_behaviour]",
      NULL } },
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
  int type = nc_event_type_from_string (event_type);

  return type >= 0 ? &specs[type] : NULL;
}

gboolean
nc_call_event_type_is_known (const char *event_type)
{
  return find_spec (event_type) != NULL;
}

/* What an error message repeats of the request: enough to recognise, never kilobytes. */
static char *
shorten (const char *text)
{
  g_autofree char *head = NULL;

  if (g_utf8_strlen (text, -1) <= 64)
    return g_strdup (text);
  head = g_utf8_substring (text, 0, 64);
  return g_strconcat (head, "…", NULL);
}

static int
hex_value (char c)
{
  return g_ascii_isxdigit (c) ? g_ascii_xdigit_value (c) : -1;
}

/* One name or value of application/x-www-form-urlencoded, or NULL and @error. */
static char *
decode_component (const char  *text,
                  gsize        length,
                  guint        pair,
                  GError     **error)
{
  g_autoptr(GString) out = g_string_sized_new (length);

  for (gsize i = 0; i < length; i++)
    {
      if (text[i] == '+')
        g_string_append_c (out, ' ');
      else if (text[i] != '%')
        g_string_append_c (out, text[i]);
      else if (i + 2 < length && hex_value (text[i + 1]) >= 0 && hex_value (text[i + 2]) >= 0)
        {
          char c = (char) (hex_value (text[i + 1]) * 16 + hex_value (text[i + 2]));

          if (c == '\0')
            {
              g_set_error (error, NC_CALL_EVENT_ERROR, NC_CALL_EVENT_ERROR_MALFORMED_FORM,
                           _("Pair %u of the form has a NUL byte (%%00)"), pair);
              return NULL;
            }
          g_string_append_c (out, c);
          i += 2;
        }
      else
        {
          g_set_error (error, NC_CALL_EVENT_ERROR, NC_CALL_EVENT_ERROR_MALFORMED_FORM,
                       _("Pair %u of the form has a “%%” without two hexadecimal digits after "
                         "it"), pair);
          return NULL;
        }
    }

  if (!g_utf8_validate_len (out->str, out->len, NULL))
    {
      g_set_error (error, NC_CALL_EVENT_ERROR, NC_CALL_EVENT_ERROR_MALFORMED_FORM,
                   _("Pair %u of the form is not UTF-8 text"), pair);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * nc_call_event_decode_form:
 * @data: the body, which need not end with a NUL
 *
 * Decodes application/x-www-form-urlencoded strictly: every pair is name=value with a
 * name, every escape decodes, no NUL byte, UTF-8 throughout, no name twice.
 *
 * Returns: (transfer full) (nullable) (element-type utf8 utf8): the fields, or %NULL and
 *   the reason
 */
GHashTable *
nc_call_event_decode_form (const char  *data,
                           gsize        length,
                           GError     **error)
{
  g_autoptr(GHashTable) fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *end = data + length;
  const char *pair = data;
  guint n = 0;

  if (length == 0)
    {
      g_set_error_literal (error, NC_CALL_EVENT_ERROR, NC_CALL_EVENT_ERROR_MALFORMED_FORM,
                           _("The body is empty"));
      return NULL;
    }
  if (memchr (data, '\0', length) != NULL)
    {
      g_set_error_literal (error, NC_CALL_EVENT_ERROR, NC_CALL_EVENT_ERROR_MALFORMED_FORM,
                           _("The body has a NUL byte"));
      return NULL;
    }

  while (pair <= end)
    {
      const char *pair_end = memchr (pair, '&', (gsize) (end - pair));
      const char *equals;
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (pair_end == NULL)
        pair_end = end;
      n++;
      equals = memchr (pair, '=', (gsize) (pair_end - pair));
      if (equals == NULL)
        {
          g_set_error (error, NC_CALL_EVENT_ERROR, NC_CALL_EVENT_ERROR_MALFORMED_FORM,
                       _("Pair %u of the form has no “=”"), n);
          return NULL;
        }
      if (equals == pair)
        {
          g_set_error (error, NC_CALL_EVENT_ERROR, NC_CALL_EVENT_ERROR_MALFORMED_FORM,
                       _("Pair %u of the form has no name"), n);
          return NULL;
        }
      name = decode_component (pair, (gsize) (equals - pair), n, error);
      if (name == NULL)
        return NULL;
      value = decode_component (equals + 1, (gsize) (pair_end - equals - 1), n, error);
      if (value == NULL)
        return NULL;
      if (g_hash_table_contains (fields, name))
        {
          g_autofree char *shown = shorten (name);

          g_set_error (error, NC_CALL_EVENT_ERROR, NC_CALL_EVENT_ERROR_MALFORMED_FORM,
                       _("The field “%s” is given twice"), shown);
          return NULL;
        }
      g_hash_table_insert (fields, g_steal_pointer (&name), g_steal_pointer (&value));
      pair = pair_end + 1;
    }
  return g_steal_pointer (&fields);
}

static gboolean
spec_has_field (const EventSpec *spec,
                const char      *name)
{
  if (g_str_equal (name, "event"))
    return TRUE;
  for (guint i = 0; spec->required[i] != NULL; i++)
    if (g_str_equal (spec->required[i], name))
      return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (spec->optional) && spec->optional[i] != NULL; i++)
    if (g_str_equal (spec->optional[i], name))
      return TRUE;
  return FALSE;
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
    ok = nc_call_disposition_is_known (value);
  else if (g_str_equal (name, "internal") || g_str_equal (name, "last_internal"))
    ok = *value == '\0' || is_digits (value, 12);
  else if (g_str_equal (name, "pbx_call_id") || g_str_equal (name, "caller_id") ||
           g_str_equal (name, "destination") || g_str_equal (name, "called_did"))
    ok = *value != '\0' && is_plain_text (value, 128);
  else if (g_str_equal (name, "call_id_with_rec"))
    ok = is_plain_text (value, 128);
  else
    ok = is_plain_text (value, 256);   /* wait_dtmf[…] */

  if (!ok)
    {
      g_autofree char *shown = shorten (value);

      g_set_error (error, NC_CALL_EVENT_ERROR, NC_CALL_EVENT_ERROR_MALFORMED_FIELD,
                   _("The field “%s” is malformed: “%s”"), name, shown);
    }
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

  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, fields);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      if (!spec_has_field (spec, key))
        {
          g_autofree char *shown = shorten (key);

          g_set_error (error, NC_CALL_EVENT_ERROR, NC_CALL_EVENT_ERROR_UNKNOWN_FIELD,
                       _("%s has no field “%s”"), event_type, shown);
          return NULL;
        }
  }

  for (guint i = 0; spec->required[i] != NULL; i++)
    if (!g_hash_table_contains (fields, spec->required[i]))
      {
        g_set_error (error, NC_CALL_EVENT_ERROR, NC_CALL_EVENT_ERROR_MISSING_FIELD,
                     _("%s lacks the field “%s”"), event_type, spec->required[i]);
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
 * nc_call_event_check_call_start:
 * @now: (nullable): the time to compare with, the current local time if %NULL
 * @window_seconds: how far from @now a call may have started; 0 for any time
 *
 * The signature covers call_start but no time of its own: a captured event can be sent
 * again for ever. A call can last hours and its end carries its start, so the window is
 * wide. call_start is in the account's time zone, read here as this computer's.
 *
 * Returns: whether the event (if it has a call_start) started within the window
 */
gboolean
nc_call_event_check_call_start (NcCallEvent  *self,
                                GDateTime    *now,
                                guint         window_seconds,
                                GError      **error)
{
  const char *start;
  g_autoptr(GDateTime) local_now = NULL;
  g_autoptr(GDateTime) started = NULL;
  int year, month, day, hour, minute, second;
  GTimeSpan away;

  g_return_val_if_fail (NC_IS_CALL_EVENT (self), FALSE);

  start = g_hash_table_lookup (self->fields, "call_start");
  if (start == NULL || window_seconds == 0)
    return TRUE;

  if (now == NULL)
    now = local_now = g_date_time_new_now_local ();
  /* The form was checked when the event was made. */
  if (sscanf (start, "%4d-%2d-%2d %2d:%2d:%2d", &year, &month, &day, &hour, &minute, &second) == 6)
    started = g_date_time_new (g_date_time_get_timezone (now), year, month, day, hour, minute,
                               second);
  if (started == NULL)
    return TRUE;

  away = g_date_time_difference (now, started);
  if (ABS (away) <= (GTimeSpan) window_seconds * G_TIME_SPAN_SECOND)
    return TRUE;

  {
    g_autofree char *now_text = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

    g_set_error (error, NC_CALL_EVENT_ERROR, NC_CALL_EVENT_ERROR_OUT_OF_WINDOW,
                 g_dngettext (GETTEXT_PACKAGE,
                              "The call started at %s, more than %u second from this "
                              "computer’s time (%s): an old event sent again, or a clock that "
                              "is wrong",
                              "The call started at %s, more than %u seconds from this "
                              "computer’s time (%s): an old event sent again, or a clock that "
                              "is wrong", window_seconds),
                 start, window_seconds, now_text);
  }
  return FALSE;
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
