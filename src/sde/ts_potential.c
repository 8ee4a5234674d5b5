/* ts_potential.c: the potentials f of the SDE, their minima and Gibbs densities. */
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_poly.h>

#include "tailsweep/ts_sde.h"

const char *const ts_potential_names[] = { "quartic", "double_well", "harmonic", NULL };

ts_status ts_potential_double_well(ts_potential *p, double a, double tilt, ts_err *err)
{
    if (!isfinite(a)) return ts_err_set(err, TS_EINVAL, "double well: a = %g is not finite", a);
    if (!isfinite(tilt)) return ts_err_set(err, TS_EINVAL, "double well: tilt = %g is not finite", tilt);
    *p = (ts_potential){ .kind = TS_POT_DOUBLE_WELL, .a = a, .c = tilt, .k = 0 };
    return TS_OK;
}

ts_status ts_potential_harmonic(ts_potential *p, double k, ts_err *err)
{
    if (!(k > 0) || !isfinite(k))
        return ts_err_set(err, TS_EINVAL, "harmonic: k = %g must be finite and > 0", k);
    *p = (ts_potential){ .kind = TS_POT_HARMONIC, .a = 0, .c = 0, .k = k };
    return TS_OK;
}

double ts_potential_f(const ts_potential *p, double w)
{
    if (p->kind == TS_POT_HARMONIC) return 0.5 * p->k * w * w;
    double w2 = w * w;
    return 0.25 * w2 * w2 - 0.5 * p->a * w2 + p->c * w;
}

double ts_potential_grad(const ts_potential *p, double w)
{
    if (p->kind == TS_POT_HARMONIC) return p->k * w;
    return w * w * w - p->a * w + p->c;
}

size_t ts_potential_minima(const ts_potential *p, double out[2])
{
    if (p->kind == TS_POT_HARMONIC) {
        out[0] = 0;
        return 1;
    }
    /* Critical points solve w^3 - a w + c = 0; minima have f'' = 3w^2 - a > 0.
     * A quartic with positive leading term always has at least one. */
    double r[3];
    int n = gsl_poly_solve_cubic(0.0, -p->a, p->c, &r[0], &r[1], &r[2]);
    size_t m = 0;
    for (int i = 0; i < n; i++)
        if (3 * r[i] * r[i] - p->a > 0 && m < 2) out[m++] = r[i];
    if (m == 0) out[m++] = r[0];   /* a degenerate (flat) minimum: a = c = 0 */
    return m;
}

double ts_potential_barrier(const ts_potential *p)
{
    if (p->kind == TS_POT_HARMONIC) return 0;
    double r[3];
    int n = gsl_poly_solve_cubic(0.0, -p->a, p->c, &r[0], &r[1], &r[2]);
    return n == 3 ? r[1] : r[0];   /* ascending roots: the middle one is the maximum */
}

typedef struct {
    const ts_potential *p;
    double scale, fmin;
} gibbs_arg;

/* exp(-eps^-alpha (f - fmin)) is at most 1, so neither the integrand nor Z
 * overflows whatever eps is. */
static double gibbs_unnorm(double w, void *v)
{
    const gibbs_arg *g = v;
    return exp(-g->scale * (ts_potential_f(g->p, w) - g->fmin));
}

ts_status ts_potential_gibbs(const ts_potential *p, double eps, double alpha,
                             const ts_grid1d *g, double *dens, double *out_mass, ts_err *err)
{
    if (!(eps > 0) || !isfinite(eps)) return ts_err_set(err, TS_EINVAL, "gibbs: eps = %g must be > 0", eps);
    double mins[2];
    size_t nm = ts_potential_minima(p, mins);
    double fmin = ts_potential_f(p, mins[0]);
    for (size_t i = 1; i < nm; i++) fmin = fmin < ts_potential_f(p, mins[i]) ? fmin : ts_potential_f(p, mins[i]);
    gibbs_arg arg = { p, pow(eps, -alpha), fmin };
    gsl_function F = { gibbs_unnorm, &arg };

    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(1000);
    if (!ws) return ts_err_set(err, TS_ENOMEM, "gibbs: out of memory");
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    /* Split at the minima so the adaptive rule sees each peak; the pieces
     * [-inf, m0], [m0, m1], [m1, inf] sum to Z. */
    double z = 0, part, abserr, lo_in = g->lo, hi_in = g->hi, in = 0;
    int rc = gsl_integration_qagil(&F, mins[0], 0, 1e-12, 1000, ws, &part, &abserr);
    z += part;
    if (!rc && nm == 2) {
        rc = gsl_integration_qags(&F, mins[0], mins[1], 0, 1e-12, 1000, ws, &part, &abserr);
        z += part;
    }
    if (!rc) {
        rc = gsl_integration_qagiu(&F, mins[nm - 1], 0, 1e-12, 1000, ws, &part, &abserr);
        z += part;
    }
    if (!rc) rc = gsl_integration_qags(&F, lo_in, hi_in, 0, 1e-12, 1000, ws, &in, &abserr);
    gsl_set_error_handler(old);
    gsl_integration_workspace_free(ws);
    if (rc || !(z > 0) || !isfinite(z))
        return ts_err_set(err, TS_ENUMERIC, "gibbs: normalising integral failed (%s)", gsl_strerror(rc));
    for (size_t i = 0; i < g->n; i++) dens[i] = gibbs_unnorm(ts_grid1d_x(g, i), &arg) / z;
    double out = 1.0 - in / z;
    *out_mass = out > 0 ? out : 0;
    return TS_OK;
}
