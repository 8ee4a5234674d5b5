/* ts_sde_config.c: validation of an SDE run (its defaults are the sde
 * kind's parameter table, src/sde/ts_kind_sde.c). */
#include <math.h>

#include "tailsweep/ts_sde.h"

const char *const ts_scheme_names[] = { "euler", "implicit", "tamed", NULL };
const char *const ts_drift_names[] = { "gradient", "fractional", NULL };
const char *const ts_noise_names[] = { "levy", "paper", NULL };
const char *const ts_average_names[] = { "weighted", "unweighted", NULL };

static ts_status check_potentials(const ts_sde_config *c, ts_err *err)
{
    for (size_t i = 0; i < c->dim; i++) {
        const ts_potential *p = &c->pot[i];
        if (!(c->theta[i] >= -1 && c->theta[i] <= 1))
            return ts_err_set(err, TS_EINVAL, "theta = %g (coordinate %zu) is outside [-1, 1]", c->theta[i], i);
        /* The implicit step solves eta f'(w') + w' = r: one root only while
         * 1 + eta f'' > 0 everywhere, i.e. eta a < 1 for the double well.
         * Steps only decrease, so eta0 decides. */
        if (c->scheme == TS_SCHEME_IMPLICIT && p->kind == TS_POT_DOUBLE_WELL && !(c->eta0 * p->a < 1))
            return ts_err_set(err, TS_EINVAL, "scheme implicit needs eta * a < 1 for a unique root "
                              "(eta = %g, a = %g, coordinate %zu)", c->eta0, p->a, i);
        if (c->scheme == TS_SCHEME_IMPLICIT && p->kind == TS_POT_POLY) {
            double m = ts_potential_min_hess(p);
            if (!(1 + c->eta0 * m > 0))
                return ts_err_set(err, TS_EINVAL, "scheme implicit needs 1 + eta * min f'' > 0 for a unique root "
                                  "(eta = %g, min f'' = %g, coordinate %zu)", c->eta0, m, i);
        }
        ts_basins b;
        ts_status st = ts_potential_basins(p, &b, err);
        if (st) return st;
        for (size_t t = 0; t < c->n_tests; t++)
            if (c->tests[t].kind == TS_TEST_BASIN && c->tests[t].index >= b.n)
                return ts_err_set(err, TS_EINVAL, "test_functions: basin:%u does not exist: coordinate %zu's "
                                  "potential has %zu basin%s (numbered from 0, left to right)",
                                  c->tests[t].index, i, b.n, b.n == 1 ? "" : "s");
    }
    return TS_OK;
}

static ts_status check_fractional(const ts_sde_config *c, ts_err *err)
{
    if (c->drift != TS_DRIFT_FRACTIONAL) return TS_OK;
    if (!(c->alpha > 1)) return ts_err_set(err, TS_EINVAL, "drift fractional needs alpha in (1, 2], got alpha = %g", c->alpha);
    if (!(c->frac_h > 0) || !isfinite(c->frac_h)) return ts_err_set(err, TS_EINVAL, "h = %g must be > 0", c->frac_h);
    if (c->frac_K > TS_FRAC_MAX_K) return ts_err_set(err, TS_EINVAL, "K = %u must be <= %d", c->frac_K, TS_FRAC_MAX_K);
    if (c->frac_weights != TS_FRAC_GRUNWALD && c->frac_weights != TS_FRAC_PAPER)
        return ts_err_set(err, TS_EINVAL, "frac_weights = %d must be grunwald or paper", (int)c->frac_weights);
    if (c->frac_sign != 1 && c->frac_sign != -1) return ts_err_set(err, TS_EINVAL, "frac_sign = %g must be +1 or -1", c->frac_sign);
    if (c->scheme == TS_SCHEME_IMPLICIT)
        return ts_err_set(err, TS_EINVAL, "scheme implicit solves for the gradient drift only; "
                          "use euler or tamed with drift fractional");
    return TS_OK;
}

ts_status ts_sde_config_check(const ts_sde_config *c, ts_err *err)
{
    if (c->dim < 1 || c->dim > TS_SDE_MAX_DIM) return ts_err_set(err, TS_EINVAL, "dim = %zu must be in [1, %d]", c->dim, TS_SDE_MAX_DIM);
    if (!(c->alpha > 0 && c->alpha <= 2)) return ts_err_set(err, TS_EINVAL, "alpha = %g is outside (0, 2]", c->alpha);
    if (!(c->eps > 0) || !isfinite(c->eps)) return ts_err_set(err, TS_EINVAL, "eps = %g must be finite and > 0", c->eps);
    if (!(c->eta0 > 0) || !isfinite(c->eta0)) return ts_err_set(err, TS_EINVAL, "eta = %g must be finite and > 0", c->eta0);
    if (!(c->gamma >= 0) || !isfinite(c->gamma)) return ts_err_set(err, TS_EINVAL, "gamma = %g must be >= 0", c->gamma);
    if (!(c->k0 > 0) || !isfinite(c->k0)) return ts_err_set(err, TS_EINVAL, "k0 = %g must be > 0", c->k0);
    if (c->steps < 1) return ts_err_set(err, TS_EINVAL, "steps must be >= 1");
    if (c->burnin >= c->steps) return ts_err_set(err, TS_EINVAL, "burnin = %llu must be < steps = %llu",
                                                (unsigned long long)c->burnin, (unsigned long long)c->steps);
    if (c->thin < 1) return ts_err_set(err, TS_EINVAL, "thin must be >= 1");
    if (c->chains < 1 || c->chains > (UINT64_C(1) << 24)) return ts_err_set(err, TS_EINVAL, "chains = %llu must be in [1, 2^24]", (unsigned long long)c->chains);
    if (!isfinite(c->w0)) return ts_err_set(err, TS_EINVAL, "w0 = %g must be finite", c->w0);
    if (!(c->bound > 0)) return ts_err_set(err, TS_EINVAL, "bound = %g must be > 0", c->bound);
    if (c->n_tests > TS_SDE_MAX_TESTS) return ts_err_set(err, TS_EINVAL, "at most %d test functions", TS_SDE_MAX_TESTS);
    if (c->average != TS_AVG_WEIGHTED && c->average != TS_AVG_UNWEIGHTED)
        return ts_err_set(err, TS_EINVAL, "average = %d must be weighted or unweighted", (int)c->average);
    if (!(c->grid.lo < c->grid.hi) || c->grid.n < 2) return ts_err_set(err, TS_EINVAL, "grid: need lo < hi and n >= 2");
    ts_status s = check_potentials(c, err);
    return s ? s : check_fractional(c, err);
}
