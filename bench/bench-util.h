/* bench-util.h — what the benchmarks share: sorting samples, their scratch folders, and
 * the line a child program reports to its parent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* qsort() order of doubles, smallest first. */
int   nc_bench_compare_doubles (const void *a,
                                const void *b);
/* Removes @path and all below it (symbolic links are removed, not followed). */
void  nc_bench_remove_tree     (const char *path);
/* Where nc_bench_report() writes: the pipe the parent gave the child. */
void  nc_bench_report_to       (int         fd);
void  nc_bench_report          (const char *format,
                                ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
