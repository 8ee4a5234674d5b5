/* stable_draws.h: n draws of a stable law from a fixed test stream, for the
 * fitting tests (cmocka asserts; the caller frees). */
#ifndef TS_TEST_STABLE_DRAWS_H
#define TS_TEST_STABLE_DRAWS_H

#include <stdlib.h>

#include "tailsweep/ts_stable.h"

static double *stable_draws(double alpha, double beta, double scale, double loc, ts_stable_param p,
                            size_t n, uint64_t seed)
{
    ts_stable law;
    ts_rng r;
    assert_int_equal(ts_stable_init(&law, alpha, beta, scale, loc, p, NULL), TS_OK);
    assert_int_equal(ts_rng_init(&r, seed, 0, 0, TS_PURPOSE_TEST, NULL), TS_OK);
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    ts_stable_fill(&law, &r, n, x);
    return x;
}

#endif
