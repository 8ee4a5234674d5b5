/* ts_vec_reader.h: read a 1-D array of doubles for analysis commands.
 *   FILE        one value per line (text or a one-column CSV with a header;
 *               blank lines and # comments skipped)
 *   FILE.h5:/P  HDF5 dataset P, flattened (any shape, numeric)
 * Errors name the file and line (or dataset); non-finite values are errors. */
#ifndef TS_VEC_READER_H
#define TS_VEC_READER_H

#include <stddef.h>

#include "tailsweep/ts_error.h"

ts_status ts_vec_read(const char *spec, double **out, size_t *n, ts_err *err);

#endif
