/* ts_potential.c: the potentials f of the SDE: construction, parsing of a
 * user's polynomial, f, f' and f''. Basins are in ts_potential_basins.c,
 * Gibbs densities and expectations in ts_potential_gibbs.c. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_sde.h"
#include "ts_sde_internal.h"

const char *const ts_potential_names[] = { "quartic", "double_well", "harmonic", "poly", NULL };

ts_status ts_potential_double_well(ts_potential *p, double a, double tilt, ts_err *err)
{
    if (!isfinite(a)) return ts_err_set(err, TS_EINVAL, "double well: a = %g is not finite", a);
    if (!isfinite(tilt)) return ts_err_set(err, TS_EINVAL, "double well: tilt = %g is not finite", tilt);
    memset(p, 0, sizeof *p);
    p->kind = TS_POT_DOUBLE_WELL;
    p->a = a;
    p->c = tilt;
    return TS_OK;
}

ts_status ts_potential_harmonic(ts_potential *p, double k, ts_err *err)
{
    if (!(k > 0) || !isfinite(k))
        return ts_err_set(err, TS_EINVAL, "harmonic: k = %g must be finite and > 0", k);
    memset(p, 0, sizeof *p);
    p->kind = TS_POT_HARMONIC;
    p->k = k;
    return TS_OK;
}

ts_status ts_potential_poly(ts_potential *p, const double *coef, size_t n, ts_err *err)
{
    while (n > 0 && coef[n - 1] == 0) n--;
    if (n > TS_POLY_MAX_DEGREE + 1)
        return ts_err_set(err, TS_EINVAL, "poly: degree %zu exceeds %d", n - 1, TS_POLY_MAX_DEGREE);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(coef[i])) return ts_err_set(err, TS_EINVAL, "poly: coefficient %zu = %g is not finite", i, coef[i]);
    /* f must grow to +inf both ways, or exp(-f/eps^alpha) has no normalising constant */
    if (n < 3 || (n - 1) % 2 != 0 || !(coef[n - 1] > 0))
        return ts_err_set(err, TS_EINVAL, "poly: f must have even degree >= 2 and a positive leading "
                          "coefficient so that exp(-f) is integrable (got degree %zu, leading %g)",
                          n ? n - 1 : 0, n ? coef[n - 1] : 0.0);
    memset(p, 0, sizeof *p);
    p->kind = TS_POT_POLY;
    p->deg = (unsigned)(n - 1);
    for (size_t i = 0; i < n; i++) p->coef[i] = coef[i];
    for (size_t i = 1; i < n; i++) p->dcoef[i - 1] = (double)i * coef[i];
    for (size_t i = 2; i < n; i++) p->d2coef[i - 2] = (double)(i * (i - 1)) * coef[i];
    return TS_OK;
}

ts_status ts_potential_parse_poly(ts_potential *p, const char *text, const char *what, ts_err *err)
{
    double coef[TS_POLY_MAX_DEGREE + 2];
    size_t n = 0;
    const char *s = text ? text : "";
    for (;;) {
        while (isspace((unsigned char)*s) || *s == ',') s++;
        if (!*s) break;
        if (n == TS_POLY_MAX_DEGREE + 1)
            return ts_err_set(err, TS_EINVAL, "%s: more than %d coefficients (degree at most %d)", what,
                              TS_POLY_MAX_DEGREE + 1, TS_POLY_MAX_DEGREE);
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (end == s || errno == ERANGE || (*end && !isspace((unsigned char)*end) && *end != ','))
            return ts_err_set(err, TS_EINVAL, "%s: '%.*s' is not a number (expected coefficients "
                              "c0, c1, ..., cn of f = sum c_i w^i)", what, (int)strcspn(s, ", \t"), s);
        coef[n++] = v;
        s = end;
    }
    if (n == 0) return ts_err_set(err, TS_EINVAL, "%s: no coefficients (expected c0, c1, ..., cn)", what);
    ts_status st = ts_potential_poly(p, coef, n, err);
    if (st && err) {
        char msg[TS_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        ts_err_set(err, st, "%s: %s", what, msg);
    }
    return st;
}

double ts_potential_f(const ts_potential *p, double w) { return ts_pot_f(p->kind, p, w); }
double ts_potential_grad(const ts_potential *p, double w) { return ts_pot_grad(p->kind, p, w); }

double ts_potential_hess(const ts_potential *p, double w)
{
    switch (p->kind) {
    case TS_POT_HARMONIC: return p->k;
    case TS_POT_DOUBLE_WELL: return 3 * w * w - p->a;
    default: return ts_horner(p->d2coef, p->deg - 2, w);
    }
}

double ts_potential_min_hess(const ts_potential *p)
{
    if (p->kind == TS_POT_HARMONIC) return p->k;
    if (p->kind == TS_POT_DOUBLE_WELL) return -p->a;
    if (p->deg == 2) return p->d2coef[0];
    /* f'' has even degree deg - 2 >= 2 and a positive leading coefficient:
     * its infimum is its value at its lowest minimum */
    ts_potential h;
    ts_basins b;
    if (ts_potential_poly(&h, p->d2coef, p->deg - 1, NULL) || ts_potential_basins(&h, &b, NULL)) return NAN;
    double m = INFINITY;
    for (size_t i = 0; i < b.n; i++) m = fmin(m, ts_potential_f(&h, b.min[i]));
    return m;
}
