/* ts_task_file.h: one task's results as a small self-describing HDF5 file
 * (what `tailsweep sde -o out.h5` writes; sweeps use the store instead).
 *
 * Layout: one dataset per result with its trailing shape, `units` and
 * `description` attributes; a trailing dimension with coordinates (the
 * density grid x) gets a coordinate dataset attached as an HDF5 dimension
 * scale. Root attributes: kind, tailsweep version, seed, and every
 * parameter (numbers as doubles, choices as their names). Written under a
 * temporary name and renamed into place; never replaces a file unless
 * `overwrite`. */
#ifndef TS_TASK_FILE_H
#define TS_TASK_FILE_H

#include "tailsweep/ts_kind.h"

ts_status ts_task_file_write(const char *path, const ts_kind *kind, const ts_task *task,
                             const ts_result_layout *l, double *const *out,
                             ts_task_status status, int overwrite, ts_err *err);

#endif
