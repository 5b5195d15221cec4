/* fuzz-webhook.c — libFuzzer harness for the webhook form decoder and event validation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nc-call-event.h"

#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GHashTable) fields = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCallEvent) unsigned_event = NULL;
  g_autoptr(NcCallEvent) signed_event = NULL;
  g_autofree char *signature = NULL;

  /* The listener's own decoder: the body as it came, not a C string of it. */
  fields = nc_call_event_decode_form ((const char *) data, size, &error);
  g_assert_true ((fields == NULL) != (error == NULL));
  if (fields == NULL)
    return 0;
  g_clear_error (&error);

  /* Decoded strictly: every name and value is text, whole. */
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, fields);
    while (g_hash_table_iter_next (&iter, &key, &value))
      g_assert_true (*(const char *) key != '\0' && g_utf8_validate (key, -1, NULL) &&
                     g_utf8_validate (value, -1, NULL));
  }

  /* Without the right signature, nothing is ever accepted. */
  unsigned_event = nc_call_event_new_verified (fields, SECRET, "bm90LWEtc2lnbmF0dXJl", &error);
  g_assert_null (unsigned_event);
  g_clear_error (&error);

  /* Signed as the PBX signs, it is accepted or refused with a reason, never both. */
  signature = nc_call_event_sign (SECRET, fields);
  if (signature == NULL)
    return 0;
  signed_event = nc_call_event_new_verified (fields, SECRET, signature, &error);
  g_assert_true ((signed_event == NULL) != (error == NULL));
  if (signed_event != NULL)
    {
      /* The canonical form decodes back to the same fields. */
      g_autoptr(NcCallEvent) again =
        nc_call_event_new_from_canonical (nc_call_event_get_event_type (signed_event),
                                          nc_call_event_get_canonical (signed_event), 0);

      g_assert_cmpstr (nc_call_event_get_canonical (again), ==,
                       nc_call_event_get_canonical (signed_event));
      /* Whatever its call_start, the window says yes or no with a reason. */
      if (!nc_call_event_check_call_start (signed_event, NULL, 60, &error))
        g_assert_nonnull (error);
      g_clear_error (&error);
    }
  return 0;
}
