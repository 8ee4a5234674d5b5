/* ts_potential_basins.c: the minima, maxima and basins of a potential.
 *
 * For a polynomial, the critical points are the real roots of f'. The
 * companion-matrix roots (gsl_poly_complex_solve) are not used as they are:
 * a double or triple root comes back as a cluster of complex numbers whose
 * imaginary parts (~1e-5 for a triple root) no tolerance separates reliably
 * from a genuine complex pair. Instead their real parts, sorted, cut the line
 * into pieces; f' is evaluated between them, and every sign change brackets
 * a real root of odd multiplicity, which Brent's method then finds to
 * machine precision. Roots of even multiplicity (f' touches 0 without
 * changing sign) are inflections, correctly neither minimum nor maximum. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_poly.h>
#include <gsl/gsl_roots.h>

#include "tailsweep/ts_sde.h"

static double grad_fn(double w, void *p) { return ts_potential_grad(p, w); }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The root of f' in [lo, hi], where f' changes sign. */
static ts_status brent(const ts_potential *p, double lo, double hi, double *root, ts_err *err)
{
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s) return ts_err_set(err, TS_ENOMEM, "basins: out of memory");
    gsl_function F = { grad_fn, (void *)p };
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = gsl_root_fsolver_set(s, &F, lo, hi);
    for (int it = 0; !rc && it < 200; it++) {
        rc = gsl_root_fsolver_iterate(s);
        double a = gsl_root_fsolver_x_lower(s), b = gsl_root_fsolver_x_upper(s);
        if (!rc && gsl_root_test_interval(a, b, 0, 4 * 2.2e-16) == GSL_SUCCESS) break;
    }
    *root = gsl_root_fsolver_root(s);
    gsl_set_error_handler(old);
    gsl_root_fsolver_free(s);
    return rc ? ts_err_set(err, TS_ENUMERIC, "basins: root finding failed in [%g, %g] (%s)", lo, hi, gsl_strerror(rc))
              : TS_OK;
}

static ts_status poly_critical(const ts_potential *p, double *crit, int *is_min, size_t *n, ts_err *err)
{
    const size_t m = p->deg - 1;   /* degree of f' */
    double z[2 * TS_POLY_MAX_DEGREE], cand[TS_POLY_MAX_DEGREE];
    size_t nc = 0;
    if (m == 1) {
        cand[nc++] = -p->dcoef[0] / p->dcoef[1];
    } else {
        gsl_poly_complex_workspace *ws = gsl_poly_complex_workspace_alloc(m + 1);
        if (!ws) return ts_err_set(err, TS_ENOMEM, "basins: out of memory");
        gsl_error_handler_t *old = gsl_set_error_handler_off();
        int rc = gsl_poly_complex_solve(p->dcoef, m + 1, ws, z);
        gsl_set_error_handler(old);
        gsl_poly_complex_workspace_free(ws);
        if (rc) return ts_err_set(err, TS_ENUMERIC, "basins: the roots of f' did not converge (%s)", gsl_strerror(rc));
        for (size_t i = 0; i < m; i++) cand[nc++] = z[2 * i];
    }
    qsort(cand, nc, sizeof cand[0], cmp_double);
    double span = cand[nc - 1] - cand[0] + 1;
    /* test points: below all, between consecutive candidates, above all */
    double t[TS_POLY_MAX_DEGREE + 1];
    size_t nt = 0;
    t[nt++] = cand[0] - span;
    for (size_t i = 0; i + 1 < nc; i++)
        if (cand[i + 1] > cand[i]) t[nt++] = 0.5 * (cand[i] + cand[i + 1]);
    t[nt++] = cand[nc - 1] + span;
    *n = 0;
    double prev = ts_potential_grad(p, t[0]);
    size_t prev_i = 0;
    for (size_t i = 1; i < nt; i++) {
        double g = ts_potential_grad(p, t[i]);
        if (g == 0) continue;   /* a test point on a root: judge by the next one */
        if ((g > 0) != (prev > 0)) {
            ts_status st = brent(p, t[prev_i], t[i], &crit[*n], err);
            if (st) return st;
            is_min[(*n)++] = g > 0;
        }
        prev = g;
        prev_i = i;
    }
    return TS_OK;
}

ts_status ts_potential_basins(const ts_potential *p, ts_basins *b, ts_err *err)
{
    double crit[TS_POLY_MAX_DEGREE];
    int is_min[TS_POLY_MAX_DEGREE];
    size_t n = 0;
    if (p->kind == TS_POT_HARMONIC) {
        crit[0] = 0;
        is_min[0] = 1;
        n = 1;
    } else if (p->kind == TS_POT_DOUBLE_WELL) {
        /* critical points solve w^3 - a w + c = 0; minima have f'' = 3w^2 - a > 0 */
        double r[3];
        int nr = gsl_poly_solve_cubic(0.0, -p->a, p->c, &r[0], &r[1], &r[2]);
        if (nr == 3 && r[0] < r[1] && r[1] < r[2]) {
            crit[0] = r[0], crit[1] = r[1], crit[2] = r[2];
            is_min[0] = 1, is_min[1] = 0, is_min[2] = 1;
            n = 3;
        } else {
            /* one crossing (a double root, if any, is an inflection); the
             * largest root is the one where f' changes sign from - to + */
            crit[0] = r[nr - 1];
            is_min[0] = 1;
            n = 1;
            if (nr == 3 && !(r[1] < r[2])) crit[0] = r[0];
        }
    } else {
        ts_status st = poly_critical(p, crit, is_min, &n, err);
        if (st) return st;
    }
    /* f' runs from -inf to +inf, so the signs alternate starting with a minimum */
    b->n = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_min[i]) {
            if (b->n == TS_SDE_MAX_BASINS) return ts_err_set(err, TS_ERANGE, "basins: more than %d minima", TS_SDE_MAX_BASINS);
            b->min[b->n] = crit[i];
            b->lo[b->n] = b->n ? b->hi[b->n - 1] : -INFINITY;
            b->hi[b->n] = INFINITY;
            b->n++;
        } else if (b->n) {
            b->hi[b->n - 1] = crit[i];
        }
    }
    if (b->n == 0) return ts_err_set(err, TS_ENUMERIC, "basins: f has no minimum");
    return TS_OK;
}
