/* ts_potential_gibbs.c: the Gibbs measure exp(-eps^-alpha f) / Z: its density
 * on a grid, and expectations over intervals by adaptive quadrature (basin
 * masses, test functions). */
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include "tailsweep/ts_sde.h"

typedef struct {
    const ts_potential *p;
    double scale, fmin;
    double (*g)(double, void *);
    void *gctx;
} gibbs_arg;

/* exp(-eps^-alpha (f - fmin)) is at most 1, so neither the integrand nor Z
 * overflows whatever eps is. */
static double gibbs_unnorm(double w, void *v)
{
    const gibbs_arg *a = v;
    return exp(-a->scale * (ts_potential_f(a->p, w) - a->fmin));
}

static double gibbs_times_g(double w, void *v)
{
    const gibbs_arg *a = v;
    double e = gibbs_unnorm(w, v);
    return e == 0 ? 0 : e * a->g(w, a->gctx);
}

/* int_lo^hi of F over pieces split at the critical points of f inside, so
 * that the adaptive rules see every peak. */
static int integrate(gsl_function *F, const ts_basins *b, double lo, double hi,
                     gsl_integration_workspace *ws, double *out)
{
    double cut[2 * TS_SDE_MAX_BASINS + 2];
    size_t n = 0;
    cut[n++] = lo;
    for (size_t i = 0; i < b->n; i++) {
        if (i > 0 && b->lo[i] > cut[n - 1] && b->lo[i] < hi) cut[n++] = b->lo[i];
        if (b->min[i] > cut[n - 1] && b->min[i] < hi) cut[n++] = b->min[i];
    }
    cut[n++] = hi;
    double sum = 0, part, abserr;
    int rc = 0;
    for (size_t i = 0; i + 1 < n && !rc; i++) {
        double a = cut[i], c = cut[i + 1];
        if (isinf(a) && isinf(c)) rc = gsl_integration_qagi(F, 0, 1e-12, 1000, ws, &part, &abserr);
        else if (isinf(a)) rc = gsl_integration_qagil(F, c, 0, 1e-12, 1000, ws, &part, &abserr);
        else if (isinf(c)) rc = gsl_integration_qagiu(F, a, 0, 1e-12, 1000, ws, &part, &abserr);
        else rc = gsl_integration_qags(F, a, c, 0, 1e-12, 1000, ws, &part, &abserr);
        sum += part;
    }
    *out = sum;
    return rc;
}

static ts_status setup(const ts_potential *p, double eps, double alpha, ts_basins *b, gibbs_arg *arg, ts_err *err)
{
    if (!(eps > 0) || !isfinite(eps)) return ts_err_set(err, TS_EINVAL, "gibbs: eps = %g must be > 0", eps);
    ts_status st = ts_potential_basins(p, b, err);
    if (st) return st;
    double lowest = INFINITY;
    for (size_t i = 0; i < b->n; i++) lowest = fmin(lowest, ts_potential_f(p, b->min[i]));
    *arg = (gibbs_arg){ p, pow(eps, -alpha), lowest, NULL, NULL };
    return TS_OK;
}

/* Z and, when g is given, int_lo^hi g e^{...} */
static ts_status gibbs_integrals(const ts_potential *p, double eps, double alpha, double (*g)(double, void *),
                                 void *gctx, double lo, double hi, double *z, double *part,
                                 gibbs_arg *arg_out, ts_err *err)
{
    ts_basins b;
    gibbs_arg arg = { 0 };
    ts_status st = setup(p, eps, alpha, &b, &arg, err);
    if (st) return st;
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(1000);
    if (!ws) return ts_err_set(err, TS_ENOMEM, "gibbs: out of memory");
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gsl_function F = { gibbs_unnorm, &arg };
    int rc = integrate(&F, &b, -INFINITY, INFINITY, ws, z);
    if (!rc && part) {
        arg.g = g;
        arg.gctx = gctx;
        gsl_function G = { g ? gibbs_times_g : gibbs_unnorm, &arg };
        rc = lo < hi ? integrate(&G, &b, lo, hi, ws, part) : (*part = 0, 0);
        arg.g = NULL;
    }
    gsl_set_error_handler(old);
    gsl_integration_workspace_free(ws);
    if (rc || !(*z > 0) || !isfinite(*z))
        return ts_err_set(err, TS_ENUMERIC, "gibbs: quadrature failed (%s)", rc ? gsl_strerror(rc) : "Z is not finite");
    if (arg_out) *arg_out = arg;
    return TS_OK;
}

ts_status ts_potential_gibbs(const ts_potential *p, double eps, double alpha,
                             const ts_grid1d *g, double *dens, double *out_mass, ts_err *err)
{
    /* the mass outside as the integrals over the two tails, not 1 - inside:
     * a tail of 1e-40 is then 1e-40, not rounding noise */
    double z, left, right;
    gibbs_arg arg = { 0 };
    ts_status st = gibbs_integrals(p, eps, alpha, NULL, NULL, -INFINITY, g->lo, &z, &left, &arg, err);
    if (!st) st = gibbs_integrals(p, eps, alpha, NULL, NULL, g->hi, INFINITY, &z, &right, NULL, err);
    if (st) return st;
    for (size_t i = 0; i < g->n; i++) dens[i] = gibbs_unnorm(ts_grid1d_x(g, i), &arg) / z;
    double out = (left + right) / z;
    *out_mass = out < 1 ? out : 1;
    return TS_OK;
}

ts_status ts_potential_gibbs_expect(const ts_potential *p, double eps, double alpha,
                                    double (*g)(double, void *), void *gctx, double lo, double hi,
                                    double *out, ts_err *err)
{
    double z, part;
    ts_status st = gibbs_integrals(p, eps, alpha, g, gctx, lo, hi, &z, &part, NULL, err);
    if (!st) *out = part / z;
    return st;
}
