/* ts_data_toy.c: the toy regression signal of the paper's figure 2
 * (docs/math.md section 4.6): y = sum_{q = 5, 10, ..., 50} sin(2 pi q t + 2 pi phi_q).
 *
 * Streams: both come from (seed, task, *, TS_PURPOSE_DATA); the phases from
 * substream 1 of replicate phase_replicate, the points from substream 2 of
 * replicate point_replicate. Substream 0 (the stream itself) is left to
 * ts_data_subset, so no two uses ever share numbers, even when the two
 * replicates are equal. */
#include <math.h>

#include "tailsweep/ts_data.h"
#include "tailsweep/ts_rng.h"

#define TOY_NQ 10   /* q = 5, 10, ..., 50 */

ts_status ts_data_toy(size_t n, uint64_t seed, uint64_t task, uint64_t phase_replicate,
                      uint64_t point_replicate, ts_dataset **out, ts_err *err)
{
    *out = NULL;
    if (n == 0) return ts_err_set(err, TS_EINVAL, "toy data: n must be >= 1");
    ts_rng base, r;
    double phi[TOY_NQ];
    ts_status st = ts_rng_init(&base, seed, task, phase_replicate, TS_PURPOSE_DATA, err);
    if (!st) st = ts_rng_substream(&r, &base, 1, err);
    if (st) return st;
    ts_rng_uniform_block(&r, TOY_NQ, phi);
    st = ts_rng_init(&base, seed, task, point_replicate, TS_PURPOSE_DATA, err);
    if (!st) st = ts_rng_substream(&r, &base, 2, err);
    if (!st) st = ts_dataset_alloc(n, 1, 1, 0, out, err);
    if (st) return st;
    const double two_pi = 6.283185307179586476925286766559;
    for (size_t i = 0; i < n; i++) {
        double t = ts_rng_uniform(&r), y = 0;
        for (int k = 0; k < TOY_NQ; k++) y += sin(two_pi * (5.0 * (k + 1) * t + phi[k]));
        (*out)->x[i] = (float)t;
        (*out)->y[i] = (float)y;
    }
    return TS_OK;
}
