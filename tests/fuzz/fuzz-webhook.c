/* fuzz-webhook.c — libFuzzer harness for the webhook form parser and event validation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "nc-call-event.h"

#define SECRET "c3e9a1b2d4f60718293a4b5c6d7e8f90"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GHashTable) fields = soup_form_decode (text);
  g_autoptr(GError) error = NULL;
  g_autoptr(NcCallEvent) unsigned_event = NULL;
  g_autoptr(NcCallEvent) signed_event = NULL;
  g_autofree char *signature = NULL;

  if (fields == NULL)
    return 0;

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
    }
  return 0;
}
