/* ts_stable_eval.h (internal): one stable law prepared for evaluation at
 * many points (ts_stable_pdf.c). Everything that depends on the law only is
 * computed on first need and kept: the integral's constants and skeleton per
 * side of zeta, the series' coefficients, the light side's expansion. The
 * public functions of ts_stable_dist.h and the quantile's root finder share
 * one of these across their points. */
#ifndef TS_STABLE_EVAL_H
#define TS_STABLE_EVAL_H

#include "tailsweep/ts_error.h"
#include "tailsweep/ts_stable.h"
#include "tailsweep/ts_stable_dist.h"
#include "ts_stable_light.h"
#include "ts_stable_quad.h"
#include "ts_stable_series.h"

/* One standardised evaluation: pdf = exp(lscale) * mult (mult may be 0),
 * logpdf = lscale + log(mult), F = cdf, Q = 1 - F (both computed directly). */
typedef struct {
    double lscale, mult, F, Q;
} ts_stable_dres;

enum { TS_EV_PDF = 1, TS_EV_CDF = 2 };

typedef struct {
    double alpha, beta, zeta;
    ts_stable_param param;
    int kind;
    /* sides of zeta: 0 for x1 > 0 (this beta), 1 for x1 < 0 (mirrored, -beta);
     * alpha = 1 uses side 0 with |beta| */
    int have_side[2], have_tail[2], have_light, have_zero;
    ts_qlaw q[2];
    ts_tail_series tail[2];
    ts_light light;
    ts_zero_series zero;
    long evals;        /* integrand evaluations so far (benchmarks) */
} ts_stable_ev;

/* alpha, beta must be valid (ts_stable_init checks them). */
void ts_stable_ev_init(ts_stable_ev *e, double alpha, double beta, ts_stable_param param);

/* The standardised law (scale 1, loc 0) at z in the law's parameterisation.
 * want: TS_EV_PDF, TS_EV_CDF or both. */
ts_status ts_stable_ev_std(ts_stable_ev *e, double z, int want, ts_stable_dres *o, ts_err *err);

/* The p-quantile of law (upper: the x with P(X > x) = p) from e, prepared
 * for the same alpha, beta and parameterisation (ts_stable_quantile.c). */
ts_status ts_stable_quantile_ev(ts_stable_ev *e, const ts_stable *law, int upper, double p, double *out,
                                ts_err *err);

/* z = (x - loc) / scale, with alpha = 1 in S1 also taking off
 * (2/pi) beta scale log scale. */
double ts_stable_standardise(const ts_stable *law, double x);

#endif
