/* ts_vec_writer.h: stream a 1-D array of doubles to text, CSV or HDF5 a chunk
 * at a time, so that writing n values never needs n values in memory.
 *
 * The format follows the path: NULL or "-" is text on the caller's stream
 * (one value a line; the library never writes to stdout by itself), "*.csv" is CSV with a header row, "*.h5"/"*.hdf5" is an HDF5 file
 * with one dataset whose attributes carry the parameters that made it.
 * An existing file is never overwritten unless `overwrite` is set: a typo in
 * -o must not destroy a result. */
#ifndef TS_VEC_WRITER_H
#define TS_VEC_WRITER_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "tailsweep/ts_error.h"

typedef enum { TS_ATTR_DOUBLE, TS_ATTR_INT, TS_ATTR_STRING } ts_attr_type;

typedef struct {
    const char *name;
    ts_attr_type type;
    double d;
    int64_t i;
    const char *s;
} ts_attr;

typedef struct ts_vec_writer ts_vec_writer;

/* Open for exactly n values; `column` names the CSV column and HDF5 dataset.
 * `stream` serves a NULL or "-" path (it is flushed, never closed). */
ts_status ts_vec_writer_open(ts_vec_writer **out, const char *path, FILE *stream, const char *column,
                             size_t n, const ts_attr *attrs, size_t nattrs, int overwrite,
                             ts_err *err);
ts_status ts_vec_writer_write(ts_vec_writer *w, const double *x, size_t m, ts_err *err);
/* Finish and free. On error, or if fewer than n values arrived, a partially
 * written file is removed and an error returned. w may be NULL. */
ts_status ts_vec_writer_close(ts_vec_writer *w, ts_err *err);
/* Abandon: free and remove a partial file. */
void ts_vec_writer_abort(ts_vec_writer *w);

#endif
