/* ts_stable_flat.h: the stable toolkit behind plain scalars and arrays, for
 * callers through a foreign-function interface (the Python module
 * python/tailsweep calls these through ctypes). No structure crosses the
 * boundary but the error record (ts_error.h: an int and a char[512]).
 *
 * param is TS_S1 (1) or TS_S0 (0) throughout. Evaluations with per-point
 * laws are ts_stable_eval_laws of ts_stable_dist.h, which is flat already.
 * None of these needs MPI: they live in libtailsweep.so's stable part. */
#ifndef TS_STABLE_FLAT_H
#define TS_STABLE_FLAT_H

#include <stddef.h>
#include <stdint.h>

#include "tailsweep/ts_error.h"

/* n draws of S(alpha, beta, scale, loc) from the stream (seed, task 0,
 * replicate 0, purpose sample): the same draws as `tailsweep sample --seed
 * seed` for the same law, so a script and the command line agree. */
ts_status ts_stable_flat_rvs(int param, double alpha, double beta, double scale, double loc, uint64_t seed,
                             size_t n, double *out, ts_err *err);

/* The same with a law per draw (arrays of n): draw i takes the stream's
 * uniforms 2i and 2i + 1, so equal laws give ts_stable_flat_rvs's bits. */
ts_status ts_stable_flat_rvs_laws(int param, size_t n, const double *alpha, const double *beta,
                                  const double *scale, const double *loc, uint64_t seed, double *out,
                                  ts_err *err);

typedef enum { TS_FIT_MLE = 0, TS_FIT_MCCULLOCH = 1, TS_FIT_KOUTROUVELIS = 2 } ts_fit_method;

/* Fit x[0..n): est[] = (alpha, beta, scale, loc) in param; with want_se,
 * se[] their standard errors (MLE only; NaN otherwise or where undefined);
 * *iterations as in ts_stable_fit. The statuses of ts_stable_fit.h (the MLE
 * at its lower bound: TS_ERANGE with est filled in). */
ts_status ts_stable_flat_fit(int method, int param, size_t n, const double *x, int want_se, double est[4],
                             double se[4], int *iterations, ts_err *err);

typedef enum { TS_TAIL_BLOCKSUM = 0, TS_TAIL_HILL = 1 } ts_tail_method;

/* Tail index of x[0..n) (ts_stable_fit.h); *k the Hill estimator's number
 * of order statistics (0 for the block sums). */
ts_status ts_stable_flat_tail_index(int method, size_t n, const double *x, double *alpha, size_t *k,
                                    ts_err *err);

#endif
