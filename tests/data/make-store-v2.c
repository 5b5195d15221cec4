/* make-store-v2.c — how tests/data/store-v2.db was made
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A version-2 store written by the code of that version (commit 1e83bec, the last before
 * calls became rows), for test-store's upgrade test. Not built: to make the file again,
 * check that commit out, add `executable('make-store-v2', 'tests/data/make-store-v2.c',
 * dependencies: [nc_core_dep])` to its meson.build, and run it on an empty folder.
 */
#include "config.h"
#include <stdio.h>
#include "nc-store.h"
#include "nc-zadarma-sign.h"

static gboolean done;
static void stored (GObject *s, GAsyncResult *r, gpointer d)
{ g_autoptr(GError) e = NULL; if (!nc_store_add_call_event_finish (NC_STORE (s), r, NULL, &e)) g_error ("%s", e->message); done = TRUE; }

static void
event (NcStore *store, const char *type, gint64 at, ...)
{
  g_autoptr(GHashTable) f = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  va_list a; va_start (a, at);
  for (const char *k = va_arg (a, const char *); k; k = va_arg (a, const char *))
    g_hash_table_insert (f, g_strdup (k), g_strdup (va_arg (a, const char *)));
  va_end (a);
  g_autofree char *c = nc_zadarma_encode_params (f);
  done = FALSE;
  nc_store_add_call_event_async (store, type, c, at, NULL, stored, NULL);
  while (!done) g_main_context_iteration (NULL, TRUE);
}

int main (int argc, char **argv)
{
  g_autoptr(GError) e = NULL;
  NcStore *store = nc_store_open_sync (argv[1], &e);
  gint64 t = (gint64) 1795500000 * G_USEC_PER_SEC;   /* 2026-11-24 */
  g_autoptr(NcClient) ivan = nc_client_new (0, "Иван Петров", NC_CHANNEL_TELEPHONY, "79004443322", 0);
  gint64 ivan_id;
  NcStoredCall call = { 0 };

  if (!store) g_error ("%s", e->message);
  nc_client_take_variables (ivan, g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free));
  {
    g_autoptr(GPtrArray) drafts = g_ptr_array_new ();
    g_autoptr(GArray) ids = NULL;
    g_ptr_array_add (drafts, ivan);
    if (!nc_store_add_clients_sync (store, drafts, &ids, &e)) g_error ("%s", e->message);
    ivan_id = g_array_index (ids, gint64, 0);
  }

  /* An answered, recorded incoming call with its link, matched to Ivan. */
  event (store, "NOTIFY_START", t, "pbx_call_id", "in_answered", "call_start", "2026-11-24 10:00:00", "caller_id", "79004443322", "called_did", "74951234567", NULL);
  event (store, "NOTIFY_ANSWER", t + 6000000, "pbx_call_id", "in_answered", "call_start", "2026-11-24 10:00:00", "caller_id", "79004443322", "destination", "100", NULL);
  event (store, "NOTIFY_END", t + 71000000, "pbx_call_id", "in_answered", "call_start", "2026-11-24 10:00:00", "caller_id", "79004443322", "called_did", "74951234567", "internal", "100", "duration", "65", "disposition", "answered", "status_code", "16", "is_recorded", "1", "call_id_with_rec", "1795500000.1", NULL);
  event (store, "NOTIFY_RECORD", t + 80000000, "pbx_call_id", "in_answered", "call_id_with_rec", "1795500000.1", NULL);
  call.pbx_call_id = "in_answered"; call.client_id = ivan_id; call.match_rule = "telephony";
  call.record_link = "https://records.example.org/in_answered.mp3"; call.record_expires = "2027-01-23 10:01:11";
  if (!nc_store_save_call_sync (store, &call, &e)) g_error ("%s", e->message);

  /* A missed call, in the wrong order and one event twice. */
  event (store, "NOTIFY_END", t + 200000000, "pbx_call_id", "in_missed", "call_start", "2026-11-24 10:03:00", "caller_id", "79161112233", "called_did", "74951234567", "internal", "101", "duration", "0", "disposition", "no answer", "status_code", "19", "is_recorded", "0", "call_id_with_rec", "", NULL);
  event (store, "NOTIFY_START", t + 180000000, "pbx_call_id", "in_missed", "call_start", "2026-11-24 10:03:00", "caller_id", "79161112233", "called_did", "74951234567", NULL);
  event (store, "NOTIFY_START", t + 180000000, "pbx_call_id", "in_missed", "call_start", "2026-11-24 10:03:00", "caller_id", "79161112233", "called_did", "74951234567", NULL);

  /* An outgoing call, recorded, whose link was never fetched. */
  event (store, "NOTIFY_OUT_START", t + 300000000, "pbx_call_id", "out_1", "call_start", "2026-11-24 10:05:00", "caller_id", "79500000033", "internal", "100", "destination", "79001112233", NULL);
  event (store, "NOTIFY_OUT_END", t + 342000000, "pbx_call_id", "out_1", "call_start", "2026-11-24 10:05:00", "caller_id", "79500000033", "internal", "100", "destination", "79001112233", "duration", "42", "disposition", "answered", "status_code", "16", "is_recorded", "1", "call_id_with_rec", "1795500300.2", NULL);

  /* A call that never ended: it rang, then nothing. */
  event (store, "NOTIFY_START", t + 400000000, "pbx_call_id", "in_stuck", "call_start", "2026-11-24 10:06:40", "caller_id", "79035556677", "called_did", "74951234567", NULL);

  /* A NOTIFY_RECORD of a call whose other events never came. */
  event (store, "NOTIFY_RECORD", t + 500000000, "pbx_call_id", "orphan", "call_id_with_rec", "1795500500.3", NULL);

  nc_store_close (store);
  g_object_unref (store);
  return 0;
}
