/* nc-progress.c — how far a long job has come, read from any thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A job on a worker thread says how much of its current stage is done; the user interface
 * reads the fraction of the whole when it draws. A job of several stages (read, then
 * write) gives each stage its share of the bar with nc_progress_set_stage().
 */

#include "config.h"

#include "nc-progress.h"

struct _NcProgress
{
  GMutex  mutex;
  double  stage_start;
  double  stage_end;
  double  fraction;
};

static void
progress_clear (NcProgress *self)
{
  g_mutex_clear (&self->mutex);
}

NcProgress *
nc_progress_new (void)
{
  NcProgress *self = g_atomic_rc_box_new0 (NcProgress);

  g_mutex_init (&self->mutex);
  self->stage_end = 1.0;
  return self;
}

NcProgress *
nc_progress_ref (NcProgress *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
nc_progress_unref (NcProgress *self)
{
  g_atomic_rc_box_release_full (self, (GDestroyNotify) progress_clear);
}

/**
 * nc_progress_set_stage:
 * @start: where the stage begins, 0 … 1
 * @end: where it ends, @start … 1
 *
 * What follows fills the bar from @start to @end.
 */
void
nc_progress_set_stage (NcProgress *self,
                       double      start,
                       double      end)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (0.0 <= start && start <= end && end <= 1.0);

  g_mutex_lock (&self->mutex);
  self->stage_start = start;
  self->stage_end = end;
  self->fraction = start;
  g_mutex_unlock (&self->mutex);
}

/* @done of @total of the current stage; a @total of 0 is a stage with nothing to do. */
void
nc_progress_set (NcProgress *self,
                 guint64     done,
                 guint64     total)
{
  double part = total > 0 ? (double) MIN (done, total) / (double) total : 1.0;

  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  self->fraction = self->stage_start + part * (self->stage_end - self->stage_start);
  g_mutex_unlock (&self->mutex);
}

double
nc_progress_get_fraction (NcProgress *self)
{
  double fraction;

  g_return_val_if_fail (self != NULL, 0.0);

  g_mutex_lock (&self->mutex);
  fraction = self->fraction;
  g_mutex_unlock (&self->mutex);
  return fraction;
}
