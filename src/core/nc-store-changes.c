/* nc-store-changes.c — what a batch of the writer changed, and who hears of it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each job marks what it changed on its connection (nc_store_mark_changed()): a kind, and
 * the one row of it, or 0 for several. The writer merges the marks of a batch's jobs and,
 * after its COMMIT, hands them to the context that opened the store, where NcStore::changed
 * is emitted; the change log (nc-store-statement.c) tells the other processes.
 */

#define G_LOG_DOMAIN "nc-store"

#include "config.h"

#include <string.h>

#include "nc-store-private.h"


void
nc_store_marks_clear (gint64 *marks)
{
  for (guint kind = 0; kind < NC_STORE_N_CHANGES; kind++)
    marks[kind] = NC_STORE_NO_CHANGE;
}

static gint64
mark_add (gint64 mark,
          gint64 id)
{
  if (mark == NC_STORE_NO_CHANGE)
    return id;
  return mark == id ? mark : 0;
}

void
nc_store_marks_merge (gint64       *marks,
                      const gint64 *more)
{
  for (guint kind = 0; kind < NC_STORE_N_CHANGES; kind++)
    if (more[kind] != NC_STORE_NO_CHANGE)
      marks[kind] = mark_add (marks[kind], more[kind]);
}

void
nc_store_mark_changed (NcStoreConnection *conn,
                       NcStoreChange      kind,
                       gint64             id)
{
  g_return_if_fail ((guint) kind < NC_STORE_N_CHANGES);
  g_return_if_fail (id >= 0);

  conn->marks[kind] = mark_add (conn->marks[kind], id);
  if (kind == NC_STORE_CHANGE_CALLS && id != 0)
    g_array_append_val (conn->changed_calls, id);
}

typedef struct
{
  GWeakRef store;
  gint64   marks[NC_STORE_N_CHANGES];
} Changes;

static void
changes_free (Changes *changes)
{
  g_weak_ref_clear (&changes->store);
  g_free (changes);
}

static gboolean
emit_changes (gpointer user_data)
{
  Changes *changes = user_data;
  g_autoptr(NcStore) self = g_weak_ref_get (&changes->store);

  for (guint kind = 0; self != NULL && kind < NC_STORE_N_CHANGES; kind++)
    if (changes->marks[kind] != NC_STORE_NO_CHANGE)
      nc_store_emit_change (self, (NcStoreChange) kind, changes->marks[kind]);
  return G_SOURCE_REMOVE;
}

/* On the writer, after COMMIT: one idle for the batch, on the context that opened the
 * store. It holds only a weak reference: a store must not outlive its last user because
 * of a change nobody will hear of. */
void
nc_store_dispatch_changes (NcStore      *self,
                           const gint64 *marks)
{
  g_autoptr(GSource) source = NULL;
  Changes *changes;
  gboolean any = FALSE;

  for (guint kind = 0; kind < NC_STORE_N_CHANGES; kind++)
    any |= marks[kind] != NC_STORE_NO_CHANGE;
  if (!any)
    return;

  changes = g_new0 (Changes, 1);
  g_weak_ref_init (&changes->store, self);
  memcpy (changes->marks, marks, sizeof changes->marks);

  source = g_idle_source_new ();
  /* The priority of the tasks' answers, queued before them: a window that made the change
   * hears of it before its own callback runs. */
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, "[nc-store] changed");
  g_source_set_callback (source, emit_changes, changes, (GDestroyNotify) changes_free);
  g_source_attach (source, self->context);
}
