/* fuzz-phone.c — libFuzzer harness for the phone parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nc-phone.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *again = NULL;
  g_autofree char *formatted = NULL;
  NcPhoneKind kind;

  canonical = nc_phone_normalize (text, &kind, &error);
  if (canonical == NULL)
    {
      /* Refused: always with a reason. */
      g_assert_nonnull (error);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }

  /* Accepted: digits only, of a length that fits its kind, and stable. */
  for (const char *p = canonical; *p != '\0'; p++)
    g_assert_true (g_ascii_isdigit (*p));
  if (kind == NC_PHONE_KIND_EXTENSION)
    g_assert_true (strlen (canonical) >= 2 && strlen (canonical) <= 6);
  else
    g_assert_true (strlen (canonical) >= 11 && strlen (canonical) <= 15);

  again = nc_phone_normalize (canonical, NULL, NULL);
  if (kind == NC_PHONE_KIND_NUMBER && canonical[0] != '8')
    g_assert_cmpstr (again, ==, canonical);
  formatted = nc_phone_format (canonical);
  g_assert_nonnull (formatted);
  return 0;
}
