/* nc-paths.c — where the project's data lives, and who may read it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The database holds every client's name and number and every call: it is made readable
 * by its owner only (0600), whatever the umask, and so are SQLite's -wal and -shm beside
 * it (SQLite gives them the database's own mode, and an older one is tightened here). A
 * new data folder is made 0700; an existing one is the user's choice and is left as it
 * is, with a word when other users can look into it.
 */

#define G_LOG_DOMAIN "nc-paths"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "nc-paths.h"

/**
 * nc_paths_dup_data_dir:
 * @override: (nullable): the directory given with `--data-dir`, if any
 *
 * Returns: (transfer full): @override, or `$XDG_DATA_HOME/novofon-console`
 */
char *
nc_paths_dup_data_dir (const char *override)
{
  if (override != NULL && *override != '\0')
    return g_strdup (override);

  return g_build_filename (g_get_user_data_dir (), "novofon-console", NULL);
}

static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("Could not make %s private: %s"), path, g_strerror (saved_errno));
}

/**
 * nc_paths_make_private_file:
 * @create: whether to create @path when it does not exist
 *
 * Makes @path readable and writable by its owner only (0600), creating it empty when
 * @create is set; a missing file that is not to be created is no error.
 */
gboolean
nc_paths_make_private_file (const char  *path,
                            gboolean     create,
                            GError     **error)
{
  struct stat st;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);

  /* Created with the final mode at once: never a moment when another user could open it. */
  fd = g_open (path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT && !create)
        return TRUE;
      set_errno_error (error, saved_errno, path);
      return FALSE;
    }
  if (fstat (fd, &st) == 0 && (st.st_mode & 0077) != 0 && fchmod (fd, 0600) != 0)
    {
      int saved_errno = errno;

      close (fd);
      set_errno_error (error, saved_errno, path);
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/**
 * nc_paths_data_dir_is_shared:
 *
 * Returns: whether users other than the owner may list or enter @dir
 */
gboolean
nc_paths_data_dir_is_shared (const char *dir)
{
  GStatBuf st;

  g_return_val_if_fail (dir != NULL, FALSE);

  return g_stat (dir, &st) == 0 && (st.st_mode & 0077) != 0;
}

/**
 * nc_paths_secure_store_files:
 * @data_dir: the data folder, which exists
 * @database: the database's file in it
 *
 * Before SQLite opens @database: creates it 0600 if it is new, tightens it and its -wal,
 * -shm and -journal to 0600 if they are older and looser, and says so when @data_dir is
 * open to other users.
 */
gboolean
nc_paths_secure_store_files (const char  *data_dir,
                             const char  *database,
                             GError     **error)
{
  static const char *const companions[] = { "-wal", "-shm", "-journal" };

  g_return_val_if_fail (data_dir != NULL, FALSE);
  g_return_val_if_fail (database != NULL, FALSE);

  /* A message, not a warning: the files are private anyway, and a folder shared on
   * purpose (a group's, a mount's) is no failure. */
  if (nc_paths_data_dir_is_shared (data_dir))
    g_message (_("The data folder %s can be read by other users of this computer; the "
                 "database in it is private, but its folder should be too "
                 "(chmod 700 it)"), data_dir);

  if (!nc_paths_make_private_file (database, TRUE, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (companions); i++)
    {
      g_autofree char *path = g_strconcat (database, companions[i], NULL);

      if (!nc_paths_make_private_file (path, FALSE, error))
        return FALSE;
    }
  return TRUE;
}
