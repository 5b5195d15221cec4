/* nc-progress.h — how far a long job has come, read from any thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _NcProgress NcProgress;

NcProgress *nc_progress_new          (void);
NcProgress *nc_progress_ref          (NcProgress *self);
void        nc_progress_unref        (NcProgress *self);
void        nc_progress_set_stage    (NcProgress *self,
                                      double      start,
                                      double      end);
void        nc_progress_set          (NcProgress *self,
                                      guint64     done,
                                      guint64     total);
double      nc_progress_get_fraction (NcProgress *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcProgress, nc_progress_unref)

G_END_DECLS
