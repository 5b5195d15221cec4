/* main.c — locale, text domain, and either a subcommand or the application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <sys/stat.h>
#include <glib/gi18n.h>

#include "nc-application.h"
#include "nc-cli.h"
#include "nc-secrets.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(NcApplication) app = NULL;
  const char *localedir = g_getenv ("NOVOFON_CONSOLE_LOCALEDIR");

  /* Before anything holds the Secret: no core dump of this process may carry it. */
  nc_secrets_protect_process ();
  /* Whatever this process writes — the database, an export of the clients or the calls —
   * is its user's alone: files 0600, folders 0700. */
  umask (077);

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Subcommands run here, before GTK exists: they need no display and never hand their
   * work to a running window. */
  if (nc_cli_wants_command (argc, argv))
    return nc_cli_run (argc, argv, stdin, stdout, stderr);

  app = nc_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
