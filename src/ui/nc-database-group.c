/* nc-database-group.c — Preferences: the office database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The address goes into the setting database-url without its password; the password, typed
 * apart or found in the address, goes into the keyring. "Test Connection" opens the database
 * as the console would (server, schema, pg_trgm) and closes it again; the console uses a
 * saved address from its next start.
 */

#define G_LOG_DOMAIN "nc-database-group"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-database-group.h"
#include "nc-secrets.h"
#include "nc-settings.h"
#include "nc-store.h"
#include "nc-ui-util.h"

struct _NcDatabaseGroup
{
  AdwPreferencesGroup  parent_instance;

  GSettings           *settings;
  GCancellable        *cancellable;
  gboolean             in_use;    /* the console runs on the saved address now */

  AdwEntryRow         *url_row;
  AdwPasswordEntryRow *password_row;
  AdwActionRow        *status_row;
  GtkSpinner          *spinner;
  GtkButton           *test_button;
  GtkButton           *save_button;
};

G_DEFINE_FINAL_TYPE (NcDatabaseGroup, nc_database_group, ADW_TYPE_PREFERENCES_GROUP)

static void
toast (NcDatabaseGroup *self,
       const char      *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), nc_toast_new (message));
}

static void
set_status (NcDatabaseGroup *self,
            const char      *text,
            gboolean         bad)
{
  adw_action_row_set_subtitle (self->status_row, text);
  if (bad)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_row), "error");
}

static void
set_busy (NcDatabaseGroup *self,
          gboolean         busy)
{
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->test_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), !busy);
}

/* The address as typed, split: without its password (for the setting), and the password it
 * had, if any. Returns FALSE for what is no database address. */
static gboolean
split_url (const char  *typed,
           char       **out_url,
           char       **out_password)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GUri) bare = NULL;

  *out_url = NULL;
  *out_password = NULL;
  if (!nc_store_is_database_url (typed))
    return FALSE;
  uri = g_uri_parse (typed, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED_QUERY, NULL);
  if (uri == NULL)
    return FALSE;
  *out_password = g_strdup (g_uri_get_password (uri));
  bare = g_uri_build_with_user (G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED_QUERY,
                                g_uri_get_scheme (uri), g_uri_get_user (uri), NULL, NULL,
                                g_uri_get_host (uri), g_uri_get_port (uri), g_uri_get_path (uri),
                                g_uri_get_query (uri), g_uri_get_fragment (uri));
  *out_url = g_uri_to_string (bare);
  return TRUE;
}

static void
typed_changed (NcDatabaseGroup *self)
{
  set_status (self, _("Not tested yet"), FALSE);
}

/* ------------------------------------------------------------------------------------ */
/* Test Connection                                                                       */

typedef struct
{
  NcDatabaseGroup *self;
  char            *url;
} Testing;

static void
testing_free (Testing *testing)
{
  g_object_unref (testing->self);
  g_free (testing->url);
  g_free (testing);
}

static void
tested (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Testing *testing = user_data;
  NcDatabaseGroup *self = testing->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(NcStore) store = nc_store_open_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      testing_free (testing);
      return;
    }
  set_busy (self, FALSE);
  if (store == NULL)
    set_status (self, error->message, TRUE);
  else
    {
      g_autofree char *server = nc_store_get_server_version (store);
      g_autofree char *text = NULL;

      /* Translators: the database server, then the version of the data in it */
      text = g_strdup_printf (_("Connected: %s, data version %d"), server,
                              MAX (nc_store_get_found_version (store), NC_STORE_SCHEMA_VERSION));
      set_status (self, text, FALSE);
      nc_store_close (store);
    }
  testing_free (testing);
}

static void
test_password_found (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Testing *testing = user_data;
  g_autofree char *password = nc_secrets_lookup_database_password_finish (result, NULL);

  nc_store_open_database_async (testing->url, password, testing->self->cancellable, tested,
                                testing);
}

static void
test_clicked (NcDatabaseGroup *self)
{
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->url_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  g_autofree char *url = NULL;
  g_autofree char *url_password = NULL;
  Testing *testing;

  if (!split_url (typed, &url, &url_password))
    {
      set_status (self, _("The address begins with postgresql://, as in "
                          "postgresql://novofon@db.office.lan/office"), TRUE);
      return;
    }
  set_busy (self, TRUE);
  set_status (self, _("Connecting…"), FALSE);
  testing = g_new0 (Testing, 1);
  testing->self = g_object_ref (self);
  testing->url = g_strdup (url);
  /* Whatever password was typed, else the keyring's: what the console would use. */
  if (*password != '\0' || url_password != NULL)
    nc_store_open_database_async (url, *password != '\0' ? password : url_password,
                                  self->cancellable, tested, testing);
  else
    nc_secrets_lookup_database_password_async (url, self->cancellable, test_password_found,
                                               testing);
  if (url_password != NULL)
    memset (url_password, 0, strlen (url_password));
}

/* ------------------------------------------------------------------------------------ */
/* Save                                                                                  */

static void
password_stored (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(NcDatabaseGroup) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!nc_secrets_store_database_password_finish (result, &error))
    {
      set_status (self, error->message, TRUE);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  toast (self, _("Saved: Novofon Console uses this database from its next start"));
}

static void
save_clicked (NcDatabaseGroup *self)
{
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->url_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  g_autofree char *url = NULL;
  g_autofree char *url_password = NULL;

  if (self->settings == NULL)
    return;
  if (*typed == '\0')
    {
      g_settings_set_string (self->settings, "database-url", "");
      toast (self, _("Saved: Novofon Console keeps its data on this computer from its next "
                     "start"));
      return;
    }
  if (!split_url (typed, &url, &url_password))
    {
      set_status (self, _("The address begins with postgresql://, as in "
                          "postgresql://novofon@db.office.lan/office"), TRUE);
      return;
    }

  /* The setting never holds a password: the address loses its own, the keyring gets it. */
  g_settings_set_string (self->settings, "database-url", url);
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), url);
  if (*password != '\0' || url_password != NULL)
    nc_secrets_store_database_password_async (url, *password != '\0' ? password : url_password,
                                              self->cancellable, password_stored,
                                              g_object_ref (self));
  else
    toast (self, _("Saved: Novofon Console uses this database from its next start"));
  if (url_password != NULL)
    memset (url_password, 0, strlen (url_password));
}

/* ------------------------------------------------------------------------------------ */

static void
nc_database_group_dispose (GObject *object)
{
  NcDatabaseGroup *self = NC_DATABASE_GROUP (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (nc_database_group_parent_class)->dispose (object);
}

static void
nc_database_group_class_init (NcDatabaseGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nc_database_group_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/nc-database-group.ui");
  gtk_widget_class_bind_template_child (widget_class, NcDatabaseGroup, url_row);
  gtk_widget_class_bind_template_child (widget_class, NcDatabaseGroup, password_row);
  gtk_widget_class_bind_template_child (widget_class, NcDatabaseGroup, status_row);
  gtk_widget_class_bind_template_child (widget_class, NcDatabaseGroup, spinner);
  gtk_widget_class_bind_template_child (widget_class, NcDatabaseGroup, test_button);
  gtk_widget_class_bind_template_child (widget_class, NcDatabaseGroup, save_button);
  gtk_widget_class_bind_template_callback (widget_class, typed_changed);
  gtk_widget_class_bind_template_callback (widget_class, test_clicked);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked);
}

static void
nc_database_group_init (NcDatabaseGroup *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * nc_database_group_set_settings:
 * @in_use: whether the console runs on the office database now
 */
void
nc_database_group_set_settings (NcDatabaseGroup *self,
                                GSettings       *settings,
                                gboolean         in_use)
{
  g_autofree char *url = NULL;

  g_return_if_fail (NC_IS_DATABASE_GROUP (self));

  g_set_object (&self->settings, settings);
  self->in_use = in_use;
  url = settings != NULL ? nc_settings_dup_string (settings, "database-url") : g_strdup ("");
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), url);
  set_status (self, in_use ? _("In use by this console") : _("Not tested yet"), FALSE);
}
