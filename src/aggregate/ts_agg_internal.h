/* ts_agg_internal.h: shared by the files of src/aggregate/, not public. */
#ifndef TS_AGG_INTERNAL_H
#define TS_AGG_INTERNAL_H

#include "tailsweep/ts_aggregate.h"

/* An array to reduce, derived from a store's results (a shift map's metric):
 * dims are indices into the view's dims. */
typedef struct {
    char name[48];
    char units[32];
    char desc[200];
    size_t rank;
    size_t shape[TS_VIEW_MAX_RANK];
    int dim[TS_VIEW_MAX_RANK];
    double *x;                      /* owned */
} ts_agg_input;

#define TS_AGG_MAX_MAPS 8

/* The SDE kind's shift-map metrics of a store: the left and right mode
 * shifts, TV, KL(density || Gibbs), W1 and the diverged fraction, each over
 * the result's dims with `minimum` removed. Metrics whose results were not
 * recorded are skipped and named in `note`. */
ts_status ts_agg_sde_inputs(const ts_store_view *v, ts_agg_input *in, size_t *n, char *note,
                            size_t note_size, ts_err *err);
void ts_agg_input_free(ts_agg_input *in, size_t n);

#endif
