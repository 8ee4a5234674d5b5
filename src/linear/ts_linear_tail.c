/* ts_linear_tail.c: the tail index of SGD's iterates over the window.
 *
 * Gurbuzbalaban et al. study the stationary law of the iterates: its tails
 * are power laws whose index falls as eta/B grows. The window holds beta
 * every thin steps after burn-in, a sample from (close to) that law. Each
 * coordinate is centred by its own median (coordinates have different
 * centres; pooling uncentred values would read the spread of the centres as
 * tail), then the coordinates are pooled: their tails share the index, and
 * scale differences between them do not change a power law's index.
 *
 * Consecutive iterates are strongly correlated (relaxation time ~ 1/(eta
 * lambda)), and the block-sum estimator sums K1 consecutive values: summed
 * in time order, a correlated stretch adds up like one value times K1 and
 * drives the estimate towards 1 whatever the tails. A fixed-seed shuffle of
 * the pool makes each block a sum of draws far apart in time, so the
 * estimator sees the marginal law it is meant to measure. Hill only reads
 * order statistics and is unaffected by the order. */
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_linear.h"
#include "tailsweep/ts_rng.h"
#include "tailsweep/ts_stable_fit.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

ts_status ts_linear_tail_index(const ts_linear_trace *t, uint64_t seed, uint64_t task, uint64_t replicate,
                               double *alpha_blocksum, double *alpha_hill, size_t *hill_k, ts_err *err)
{
    size_t m = t->window_filled, d = t->d, n = m * d;
    if (n < 1000)
        return ts_err_set(err, TS_ERANGE, "linear: the tail window holds %zu iterate values (%zu steps x %zu "
                          "coordinates); at least 1000 are needed", n, m, d);
    double *pool = malloc(n * sizeof *pool), *col = malloc(m * sizeof *col);
    if (!pool || !col) {
        free(pool);
        free(col);
        return ts_err_set(err, TS_ENOMEM, "linear: out of memory for the tail window (%zu values)", n);
    }
    for (size_t j = 0; j < d; j++) {
        for (size_t i = 0; i < m; i++) col[i] = t->window[i * d + j];
        qsort(col, m, sizeof *col, cmp_double);
        double med = m % 2 ? col[m / 2] : 0.5 * (col[m / 2 - 1] + col[m / 2]);
        for (size_t i = 0; i < m; i++) pool[j * m + i] = t->window[i * d + j] - med;
    }
    free(col);
    ts_rng r;
    ts_status st = ts_rng_init(&r, seed, task, replicate, TS_PURPOSE_GENERIC, err);
    if (!st) {
        for (size_t i = 0; i + 1 < n; i++) {
            size_t k = i + (size_t)(ts_rng_uniform(&r) * (double)(n - i));
            if (k >= n) k = n - 1;
            double x = pool[i];
            pool[i] = pool[k];
            pool[k] = x;
        }
        st = ts_tail_index_blocksum(pool, n, alpha_blocksum, err);
    }
    if (!st) st = ts_tail_index_hill(pool, n, alpha_hill, hill_k, err);
    free(pool);
    return st;
}
