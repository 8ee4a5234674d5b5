/* ts_metrics.c: bias of an estimated stationary density p against the Gibbs
 * density q on one grid (docs/math.md section 3.4).
 *
 * TV compares the densities as they are (normalised by the total count), so
 * mass that left the window counts; the other metrics compare the in-window
 * conditionals, each divided by its own trapezoid integral, because KL,
 * Hellinger and W1 are only defined between probability measures. Integrals
 * are trapezoid sums on the grid throughout, the same rule that defines the
 * normalisation. */
#include "tailsweep/ts_density.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double trapz(const double *f, size_t n, double dx)
{
    double s = 0.5 * (f[0] + f[n - 1]);
    for (size_t i = 1; i + 1 < n; i++) s += f[i];
    return s * dx;
}

static ts_status check_density(const double *f, size_t n, const char *name, ts_err *err)
{
    if (!f) return ts_err_set(err, TS_EINVAL, "metrics: %s is NULL", name);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(f[i]))
            return ts_err_set(err, TS_ENUMERIC, "metrics: %s[%zu] = %g is not finite", name,
                              i, f[i]);
        if (f[i] < 0)
            return ts_err_set(err, TS_EINVAL, "metrics: %s[%zu] = %g is negative", name, i,
                              f[i]);
    }
    return TS_OK;
}

static ts_status check_mass(double m, const char *name, ts_err *err)
{
    if (!(m >= 0 && m <= 1))
        return ts_err_set(err, TS_EINVAL, "metrics: %s = %g is not a mass in [0, 1]", name, m);
    return TS_OK;
}

/* Regularised KL(a || b) of conditionals: both are floored at eps =
 * TS_KL_FLOOR times the larger of their peaks inside the log. Where the Gibbs
 * density is exp(-hundreds) or a KDE's tail has underflowed, the exact KL is
 * infinite or dominated by log ratios of numerically meaningless values; no
 * estimate from fewer than ~1e12 samples resolves densities below 1e-12 of the
 * peak, so below that level a density counts as "unresolved" rather than
 * "zero". A floor near the machine minimum (1e-300) would leave log ratios of
 * ~700 and let the tails dominate. Flooring both sides (not only b) keeps
 * KL(p || p) = 0 and makes regions where both are unresolved contribute
 * nothing. The floor acts inside the log only (the weight is the unfloored
 * a), so no mass is added and nothing needs renormalising; 0 log 0 = 0. */
static double kl(const double *a, const double *b, double eps, size_t n, double dx,
                 double *tmp)
{
    for (size_t i = 0; i < n; i++) {
        double ai = a[i] > eps ? a[i] : eps, bi = b[i] > eps ? b[i] : eps;
        tmp[i] = a[i] > 0 ? a[i] * log(ai / bi) : 0.0;
    }
    return trapz(tmp, n, dx);
}

/* Interior local maxima of p at least TS_MODE_MIN_REL of its peak. A plateau
 * counts once, at its left end (p[i-1] < p[i] >= p[i+1]). The window's end
 * points are excluded: a density cut by the window is largest there without
 * having a mode there. Each is refined by the vertex of the parabola through
 * its three points, whose error is dx^2 |p'''| / (6 |p''|) at most to
 * leading order (the test derives it), against dx / 2 for the grid point. */
static size_t find_modes(const ts_grid1d *g, const double *p, double pmax, double *modes)
{
    double hgt[TS_MAX_MODES];
    size_t nm = 0;
    for (size_t i = 1; i + 1 < g->n; i++) {
        if (!(p[i] > p[i - 1] && p[i] >= p[i + 1] && p[i] >= TS_MODE_MIN_REL * pmax))
            continue;
        double den = p[i - 1] - 2 * p[i] + p[i + 1];   /* < 0 unless a flat top */
        double off = den < 0 ? 0.5 * (p[i - 1] - p[i + 1]) / den : 0.0;
        double x = ts_grid1d_x(g, i) + off * g->dx;
        /* keep the TS_MAX_MODES highest: replace the lowest kept if higher */
        if (nm < TS_MAX_MODES) {
            modes[nm] = x;
            hgt[nm++] = p[i];
        } else {
            size_t lo = 0;
            for (size_t k = 1; k < nm; k++)
                if (hgt[k] < hgt[lo]) lo = k;
            if (p[i] > hgt[lo]) {
                modes[lo] = x;
                hgt[lo] = p[i];
            }
        }
    }
    for (size_t i = 1; i < nm; i++)   /* insertion sort by position */
        for (size_t k = i; k > 0 && modes[k] < modes[k - 1]; k--) {
            double t = modes[k];
            modes[k] = modes[k - 1];
            modes[k - 1] = t;
        }
    return nm;
}

ts_status ts_metrics_compute(const ts_grid1d *g, const double *p, double p_out,
                             const double *q, double q_out, const double *minima,
                             size_t n_min, ts_metrics *m, ts_err *err)
{
    if (!g || !m) return ts_err_set(err, TS_EINVAL, "metrics: %s is NULL", g ? "m" : "grid");
    memset(m, 0, sizeof *m);
    ts_grid1d gr;
    ts_status st;
    if ((st = ts_grid1d_init(&gr, g->lo, g->hi, g->n, err)) ||
        (st = check_density(p, gr.n, "p", err)) || (st = check_density(q, gr.n, "q", err)) ||
        (st = check_mass(p_out, "p_out", err)) || (st = check_mass(q_out, "q_out", err)))
        return st;
    if (n_min > TS_MAX_MODES)
        return ts_err_set(err, TS_EINVAL, "metrics: n_min = %zu exceeds TS_MAX_MODES = %d",
                          n_min, TS_MAX_MODES);
    if (n_min && !minima) return ts_err_set(err, TS_EINVAL, "metrics: minima is NULL");
    for (size_t k = 0; k < n_min; k++)
        if (!isfinite(minima[k]))
            return ts_err_set(err, TS_EINVAL, "metrics: minima[%zu] = %g is not finite", k,
                              minima[k]);

    size_t n = gr.n;
    double dx = gr.dx;
    double zp = trapz(p, n, dx), zq = trapz(q, n, dx);
    if (!(zp > 0)) return ts_err_set(err, TS_EINVAL, "metrics: p integrates to 0 over the window");
    if (!(zq > 0)) return ts_err_set(err, TS_EINVAL, "metrics: q integrates to 0 over the window");
    /* finite entries can still sum past DBL_MAX; p / inf would be a silent 0 */
    if (!isfinite(zp) || !isfinite(zq))
        return ts_err_set(err, TS_ERANGE, "metrics: the integral of %s overflows",
                          isfinite(zp) ? "q" : "p");

    /* calloc, not malloc: GCC cannot see that n >= 2 fills every array before use */
    double *buf = calloc(5 * n, sizeof *buf);
    if (!buf) return ts_err_set(err, TS_ENOMEM, "metrics: out of memory for %zu points", n);
    double *pc = buf, *qc = buf + n, *tmp = buf + 2 * n, *P = buf + 3 * n, *Q = buf + 4 * n;

    for (size_t i = 0; i < n; i++) tmp[i] = fabs(p[i] - q[i]);
    m->tv = 0.5 * trapz(tmp, n, dx) + 0.5 * fabs(p_out - q_out);
    m->out_mass = p_out;

    double pmax = 0, qmax = 0;
    for (size_t i = 0; i < n; i++) {
        pc[i] = p[i] / zp;
        qc[i] = q[i] / zq;
        pmax = pc[i] > pmax ? pc[i] : pmax;
        qmax = qc[i] > qmax ? qc[i] : qmax;
    }
    double eps = TS_KL_FLOOR * (pmax > qmax ? pmax : qmax);
    m->kl_pq = kl(pc, qc, eps, n, dx, tmp);
    m->kl_qp = kl(qc, pc, eps, n, dx, tmp);

    /* 1 - int sqrt(pq) = 0.5 int (sqrt p - sqrt q)^2 exactly, the trapezoid
     * sum being linear and both conditionals summing to 1 under it. The second
     * form never goes negative and keeps small distances: 1 - BC cancels
     * to rounding noise, so sqrt(1 - BC) cannot resolve H below ~1e-8. */
    for (size_t i = 0; i < n; i++) {
        double d = sqrt(pc[i]) - sqrt(qc[i]);
        tmp[i] = d * d;
    }
    double h2 = 0.5 * trapz(tmp, n, dx);
    m->hellinger = h2 < 1 ? sqrt(h2) : 1.0;

    /* CDFs by cumulative trapezoid: P(hi) = 1 by construction of pc. */
    P[0] = Q[0] = 0;
    for (size_t i = 1; i < n; i++) {
        P[i] = P[i - 1] + 0.5 * dx * (pc[i - 1] + pc[i]);
        Q[i] = Q[i - 1] + 0.5 * dx * (qc[i - 1] + qc[i]);
    }
    for (size_t i = 0; i < n; i++) tmp[i] = fabs(P[i] - Q[i]);
    m->w1 = trapz(tmp, n, dx);
    free(buf);

    m->n_modes = find_modes(&gr, p, pmax * zp, m->modes);
    if (m->n_modes == 0)
        return ts_err_set(err, TS_ENUMERIC, "metrics: p has no interior mode above %g of its "
                          "peak, so no mode shift exists", TS_MODE_MIN_REL);
    m->n_shift = n_min;
    for (size_t k = 0; k < n_min; k++) {
        double best = m->modes[0] - minima[k];
        for (size_t j = 1; j < m->n_modes; j++) {
            double d = m->modes[j] - minima[k];
            if (fabs(d) < fabs(best)) best = d;
        }
        m->shift[k] = best;
    }
    return TS_OK;
}
