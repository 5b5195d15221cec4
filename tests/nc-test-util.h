/* nc-test-util.h — what the test programs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdarg.h>
#include <stdio.h>
#include <glib.h>
#include <gio/gio.h>

#include "nc-call-tracker.h"
#include "nc-store.h"

G_BEGIN_DECLS

char *nc_test_shared_path   (const char *relative);
char *nc_test_make_temp_dir (void);
void  nc_test_remove_tree   (const char *path);
void  nc_test_wait_for_last_reference (gpointer object);
char *nc_test_read_stream   (FILE       *stream);
int   nc_test_run           (void);
NcStore *nc_test_store_new  (char     **out_dir);
void     nc_test_store_free (NcStore   *store,
                             char      *dir);
gboolean nc_test_mount_small_disk   (const char *dir,
                                     guint       kib);
void     nc_test_unmount_small_disk (const char *dir);

void     nc_test_wait_for_nonnull   (gpointer   *location);

/* A condition the main loop is run until: see nc_test_wait_until(). */
typedef gboolean (*NcTestCondition) (gpointer data);

gboolean nc_test_wait_until         (NcTestCondition done,
                                     gpointer        data,
                                     guint           seconds);
char    *nc_test_install_fake_softphone (const char *home);
char    *nc_test_program_path       (void);
guint    nc_test_free_port          (void);
char    *nc_test_find_in_tree       (const char *dir,
                                     const char *needle,
                                     guint      *out_files);
void     nc_test_assert_nowhere     (const char        *needle,
                                     const char        *dir,
                                     const char *const *texts);
gboolean nc_test_keyring_on_bus     (void);

/* A database of its own on the run's PostgreSQL test cluster (tests/harness/session-run),
 * or %NULL (and the test is skipped) when there is none. */
char       *nc_test_pg_database_new  (void);
void        nc_test_pg_database_drop (const char *url);

/* A store on SQLite (a data folder of its own) or, for @backend "postgresql", on a fresh
 * database of the test cluster: the fixture of the tests every backend must pass. Without
 * a cluster the test is skipped and store is %NULL. */
typedef struct
{
  char    *dir;
  char    *url;      /* PostgreSQL: the test's own database */
  NcStore *store;
} NcTestStore;

void        nc_test_store_set_up     (NcTestStore   *fixture,
                                      gconstpointer  backend);
void        nc_test_store_tear_down  (NcTestStore   *fixture,
                                      gconstpointer  backend);
NcStore    *nc_test_store_open_again (NcTestStore   *fixture);

gboolean    nc_test_pg_run          (const char *sql);
gint64      nc_test_pg_sql_int      (const char *url,
                                     const char *sql);
void        nc_test_pg_ctl          (const char *what);
GPtrArray  *nc_test_pg_sql_rows     (const char *url,
                                     const char *sql);

/* Webhook events, as the listener stores them, and what the tracker makes of them. */
GHashTable *nc_test_fields          (const char *first_name,
                                     ...) G_GNUC_NULL_TERMINATED;
gboolean    nc_test_store_event     (NcStore    *store,
                                     const char *event_type,
                                     GHashTable *fields,
                                     gint64      received_at_us);
void        nc_test_store_matched_event (NcStore    *store,
                                         const char *event_type,
                                         GHashTable *fields,
                                         gint64      received_at_us,
                                         gint64      client_id);
void        nc_test_store_call_in   (NcStore    *store,
                                     const char *pbx_call_id,
                                     const char *number,
                                     gboolean    answered,
                                     gint64      at_us,
                                     gint64      client_id);
NcCall     *nc_test_ingest          (NcStore       *store,
                                     NcCallTracker *tracker,
                                     const char    *event_type,
                                     GHashTable    *fields,
                                     gint64         received_at_us);
NcCall     *nc_test_feed            (NcStore       *store,
                                     NcCallTracker *tracker,
                                     const char    *event_type,
                                     gint64         received_at_us,
                                     const char    *first_name,
                                     ...) G_GNUC_NULL_TERMINATED;

/* A store's rows, asserted there. */
gint64        nc_test_add_client    (NcStore    *store,
                                     const char *name,
                                     const char *phone);
NcCallRecord *nc_test_get_call      (NcStore    *store,
                                     const char *pbx_call_id);

/* The journal, page by page, as a window scrolls it. */
GHashTable *nc_test_read_call_pages (NcStore            *store,
                                     const NcCallFilter *filter,
                                     guint               page_size);

/* Reading a store's SQLite file as it is on disk, through a connection of its own. */
gint64      nc_test_sql_int         (const char *db_path,
                                     const char *sql);
GPtrArray  *nc_test_sql_rows        (const char *db_path,
                                     const char *sql);
void        nc_test_store_back_to_version_4 (const char *db_path,
                                             const char *url);
void        nc_test_sql_exec        (const char *db_path,
                                     const char *sql);

/* What a command did: its exit status and all it wrote. */
typedef struct
{
  int   status;
  char *out;
  char *err;
} NcTestRun;

void            nc_test_run_clear      (NcTestRun           *run);
NcTestRun       nc_test_cli            (const char          *data_dir,
                                        const char          *input,
                                        ...) G_GNUC_NULL_TERMINATED;
NcTestRun       nc_test_program        (GSubprocessLauncher *launcher,
                                        const char          *input,
                                        const char          *data_dir,
                                        ...) G_GNUC_NULL_TERMINATED;
NcTestRun       nc_test_program_valist (GSubprocessLauncher *launcher,
                                        const char          *input,
                                        const char          *data_dir,
                                        va_list              args);

/* A `listen` process of this build, and what it says. */
typedef struct
{
  GSubprocess   *process;
  char          *url;       /* the address it announced */
  GOutputStream *out;       /* all of its standard output */
  GOutputStream *err;       /* all of its standard error, the announcement included */
  guint          reading;   /* splices still running */
} NcTestListener;

NcTestListener *nc_test_listener_start (GSubprocessLauncher *launcher,
                                        const char *const   *args);
char           *nc_test_listener_said  (NcTestListener      *listener,
                                        gboolean             err);
int             nc_test_listener_stop  (NcTestListener      *listener,
                                        char               **out_said,
                                        char               **err_said);
void            nc_test_listener_kill  (NcTestListener      *listener);

G_END_DECLS
