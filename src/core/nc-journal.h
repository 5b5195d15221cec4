/* nc-journal.h — the calls, newest first, a page at a time from the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nc-call-tracker.h"

G_BEGIN_DECLS

/* The first page is what the first frame shows; the next ones are read as the list nears
 * its end. */
#define NC_JOURNAL_FIRST_PAGE 60
#define NC_JOURNAL_PAGE 200

#define NC_TYPE_JOURNAL (nc_journal_get_type ())

G_DECLARE_FINAL_TYPE (NcJournal, nc_journal, NC, JOURNAL, GObject)

NcJournal          *nc_journal_new           (NcCallTracker      *tracker);
const NcCallFilter *nc_journal_get_filter    (NcJournal          *self);
void                nc_journal_set_filter    (NcJournal          *self,
                                              const NcCallFilter *filter);
gboolean            nc_journal_get_loading   (NcJournal          *self);
gboolean            nc_journal_get_complete  (NcJournal          *self);
const char         *nc_journal_get_problem   (NcJournal          *self);
void                nc_journal_load_more     (NcJournal          *self);
void                nc_journal_set_hold      (NcJournal          *self,
                                              gboolean            hold);
guint               nc_journal_get_n_waiting (NcJournal          *self);
void                nc_journal_show_waiting  (NcJournal          *self);
void                nc_journal_reload        (NcJournal          *self);

G_END_DECLS
