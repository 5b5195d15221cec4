/* nc-zadarma-sign.h — signatures of the Novofon/Zadarma user API v1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char     *nc_zadarma_encode_params   (GHashTable        *params);
char     *nc_zadarma_sign_request    (const char        *method,
                                      const char        *query,
                                      const char        *secret);
char     *nc_zadarma_authorization   (const char        *key,
                                      const char        *method,
                                      const char        *query,
                                      const char        *secret);
char     *nc_zadarma_sign_webhook    (const char        *secret,
                                      const char *const *values);
gboolean  nc_secure_str_equal        (const char        *a,
                                      const char        *b);

G_END_DECLS
