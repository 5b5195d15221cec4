/* nc-secrets.h — the API Key, the Secret and the webhook token, in the keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define NC_SECRETS_ERROR (nc_secrets_error_quark ())

typedef enum
{
  NC_SECRETS_ERROR_MISSING,      /* nothing stored, nothing in the environment */
  NC_SECRETS_ERROR_UNAVAILABLE,  /* no keyring to ask */
  NC_SECRETS_ERROR_INVALID,      /* an empty Key or Secret */
} NcSecretsError;

typedef struct
{
  char *key;
  char *secret;
  gboolean from_environment;
} NcCredentials;

GQuark         nc_secrets_error_quark            (void);
gboolean       nc_secrets_protect_process        (void);
void           nc_credentials_free               (NcCredentials *credentials);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcCredentials, nc_credentials_free)

void           nc_secrets_lookup_credentials_async  (GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
NcCredentials *nc_secrets_lookup_credentials_finish (GAsyncResult        *result,
                                                     GError             **error);
void           nc_secrets_store_credentials_async   (const char          *key,
                                                     const char          *secret,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean       nc_secrets_store_credentials_finish  (GAsyncResult        *result,
                                                     GError             **error);
void           nc_secrets_clear_credentials_async   (GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean       nc_secrets_clear_credentials_finish  (GAsyncResult        *result,
                                                     GError             **error);
void           nc_secrets_get_webhook_token_async   (GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
char          *nc_secrets_get_webhook_token_finish  (GAsyncResult        *result,
                                                     GError             **error);

void           nc_secrets_lookup_database_password_async  (const char          *url,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
char          *nc_secrets_lookup_database_password_finish (GAsyncResult        *result,
                                                           GError             **error);
void           nc_secrets_store_database_password_async   (const char          *url,
                                                           const char          *password,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean       nc_secrets_store_database_password_finish  (GAsyncResult        *result,
                                                           GError             **error);

G_END_DECLS
