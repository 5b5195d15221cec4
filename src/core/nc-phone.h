/* nc-phone.h — phone numbers as people type them, and as the PBX wants them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NC_PHONE_ERROR (nc_phone_error_quark ())

typedef enum
{
  NC_PHONE_ERROR_EMPTY,
  NC_PHONE_ERROR_INVALID_CHARACTER,
  NC_PHONE_ERROR_TOO_SHORT,
  NC_PHONE_ERROR_TOO_LONG,
} NcPhoneError;

typedef enum
{
  NC_PHONE_KIND_NUMBER,      /* country code first, 11–15 digits: 79004443322 */
  NC_PHONE_KIND_EXTENSION,   /* a PBX extension, 2–6 digits: 100 */
} NcPhoneKind;

GQuark    nc_phone_error_quark   (void);
char     *nc_phone_normalize     (const char   *text,
                                  NcPhoneKind  *out_kind,
                                  GError      **error);
char     *nc_phone_normalize_number (const char *text,
                                     GError    **error);
char     *nc_phone_try_normalize (const char   *text);
char     *nc_phone_parse_typed   (const char   *text);
char     *nc_phone_format        (const char   *canonical);
GStrv     nc_phone_search_forms  (const char   *text);

G_END_DECLS
