/* ts_stable_flat.c: flat entry points for foreign callers (see
 * ts_stable_flat.h). Each checks what it is given and hands over to the
 * structured API. */
#include "tailsweep/ts_stable_flat.h"

#include <math.h>

#include "tailsweep/ts_rng.h"
#include "tailsweep/ts_stable.h"
#include "tailsweep/ts_stable_fit.h"

static ts_status param_of(int param, ts_stable_param *p, ts_err *err)
{
    if (param != TS_S0 && param != TS_S1)
        return ts_err_set(err, TS_EINVAL, "parameterisation %d is neither S0 (0) nor S1 (1)", param);
    *p = (ts_stable_param)param;
    return TS_OK;
}

ts_status ts_stable_flat_rvs(int param, double alpha, double beta, double scale, double loc, uint64_t seed,
                             size_t n, double *out, ts_err *err)
{
    ts_stable_param p = TS_S1;
    ts_stable law;
    ts_rng rng;
    ts_status st;
    if ((st = param_of(param, &p, err))) return st;
    if (n && !out) return ts_err_set(err, TS_EINVAL, "out is NULL");
    if ((st = ts_stable_init(&law, alpha, beta, scale, loc, p, err))) return st;
    if ((st = ts_rng_init(&rng, seed, 0, 0, TS_PURPOSE_SAMPLE, err))) return st;
    ts_stable_fill(&law, &rng, n, out);
    return TS_OK;
}

ts_status ts_stable_flat_rvs_laws(int param, size_t n, const double *alpha, const double *beta,
                                  const double *scale, const double *loc, uint64_t seed, double *out,
                                  ts_err *err)
{
    ts_stable_param p = TS_S1;
    ts_rng rng;
    ts_status st;
    if ((st = param_of(param, &p, err))) return st;
    if (n && (!alpha || !beta || !scale || !loc || !out)) return ts_err_set(err, TS_EINVAL, "an array is NULL");
    if ((st = ts_rng_init(&rng, seed, 0, 0, TS_PURPOSE_SAMPLE, err))) return st;
    for (size_t i = 0; i < n; i++) {
        ts_stable law;
        ts_err e1;
        if ((st = ts_stable_init(&law, alpha[i], beta[i], scale[i], loc[i], p, &e1)))
            return ts_err_set(err, st, "law %zu: %s", i, e1.msg);
        out[i] = ts_stable_draw(&law, &rng);
    }
    return TS_OK;
}

ts_status ts_stable_flat_fit(int method, int param, size_t n, const double *x, int want_se, double est[4],
                             double se[4], int *iterations, ts_err *err)
{
    ts_stable_param p = TS_S1;
    ts_status st;
    if ((st = param_of(param, &p, err))) return st;
    if (!est || (want_se && !se)) return ts_err_set(err, TS_EINVAL, "est or se is NULL");
    double sd[4] = { NAN, NAN, NAN, NAN };
    ts_stable_fit f = { 0 };
    switch (method) {
    case TS_FIT_MLE: st = ts_fit_mle(x, n, p, want_se, &f, sd, err); break;
    case TS_FIT_MCCULLOCH: st = ts_fit_mcculloch(x, n, p, &f, err); break;
    case TS_FIT_KOUTROUVELIS: st = ts_fit_koutrouvelis(x, n, p, &f, err); break;
    default: return ts_err_set(err, TS_EINVAL, "fit method %d is not mle (0), mcculloch (1) or koutrouvelis (2)",
                               method);
    }
    if (st && st != TS_ERANGE) return st;
    est[0] = f.alpha;
    est[1] = f.beta;
    est[2] = f.scale;
    est[3] = f.loc;
    if (se)
        for (int i = 0; i < 4; i++) se[i] = sd[i];
    if (iterations) *iterations = f.iterations;
    return st;
}

ts_status ts_stable_flat_tail_index(int method, size_t n, const double *x, double *alpha, size_t *k,
                                    ts_err *err)
{
    if (!alpha) return ts_err_set(err, TS_EINVAL, "alpha is NULL");
    if (k) *k = 0;
    switch (method) {
    case TS_TAIL_BLOCKSUM: return ts_tail_index_blocksum(x, n, alpha, err);
    case TS_TAIL_HILL: return ts_tail_index_hill(x, n, alpha, k, err);
    default: return ts_err_set(err, TS_EINVAL, "tail-index method %d is not blocksum (0) or hill (1)", method);
    }
}
