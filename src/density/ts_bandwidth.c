/* ts_bandwidth.c: bandwidth rules on binned data.
 *
 * Silverman: the robust form 0.9 (IQR / 1.34) n^(-1/5), the sd left out
 * because it does not exist for alpha < 2.
 *
 * ISJ (Botev, Grotowski, Kroese 2010, "Kernel density estimation via
 * diffusion", Ann. Stat. 38(5)): the plug-in bandwidth t = xi gamma^[l](t)
 * with l = 7 stages, where the functionals ||f^(s)||^2 are estimated from the
 * cosine coefficients of the data rescaled to [0, 1] (here: the window,
 * u_j = j / (G - 1) on the grid points), so no reference density is assumed at
 * any stage. That is what keeps it sane on multimodal densities where
 * Silverman, tuned to one Gaussian, oversmooths.
 *
 * GSL reports errors through a global handler that aborts by default. The
 * calls here are arranged so none can fail (power-of-two FFT lengths, a
 * verified bracket, finite function values); the one exception is running out
 * of memory inside gsl_root_fsolver_alloc, where GSL's handler runs first. */
#include "tailsweep/ts_density.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_fft_complex.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tailsweep/ts_vmath.h"

ts_status ts_bw_rule_parse(const char *s, ts_bw_rule *out, ts_err *err)
{
    if (!s || !out) return ts_err_set(err, TS_EINVAL, "bandwidth rule: NULL argument");
    if (!strcasecmp(s, "silverman")) *out = TS_BW_SILVERMAN;
    else if (!strcasecmp(s, "isj")) *out = TS_BW_ISJ;
    else if (!strcasecmp(s, "fixed")) *out = TS_BW_FIXED;
    else
        return ts_err_set(err, TS_EINVAL,
                          "bandwidth rule '%s' is not one of silverman, isj, fixed", s);
    return TS_OK;
}

const char *ts_bw_rule_name(ts_bw_rule r)
{
    switch (r) {
    case TS_BW_SILVERMAN: return "silverman";
    case TS_BW_ISJ: return "isj";
    case TS_BW_FIXED: return "fixed";
    }
    return "unknown";
}

static ts_status check_bins(const ts_bins *b, const double *bw, const char *who, ts_err *err)
{
    if (!b || !bw) return ts_err_set(err, TS_EINVAL, "%s: %s is NULL", who, b ? "bw" : "bins");
    if (!b->w || b->grid.n < 2 || !(b->grid.dx > 0))
        return ts_err_set(err, TS_EINVAL, "%s: bins were not made by ts_bins_alloc", who);
    return TS_OK;
}

/* The p-quantile of the binned CDF. Each weight is spread evenly over its
 * cell [x_i - dx/2, x_i + dx/2] so the CDF is continuous and the quantile is
 * not stuck on grid points; below and above sit at -inf and +inf. Linear
 * binning moves a sample by less than dx and the spreading by dx/2 more, so
 * this is within 1.5 dx of an empirical quantile of the samples. */
static ts_status binned_quantile(const ts_bins *b, double p, double *q, ts_err *err)
{
    double r = p * b->total, c = b->below;
    if (r <= c)
        return ts_err_set(err, TS_ERANGE, "silverman: the %g-quantile is below the window "
                          "(%g of %g samples below lo = %g); widen the window", p, c,
                          b->total, b->grid.lo);
    for (size_t i = 0; i < b->grid.n; i++) {
        double w = b->w[i];
        if (c + w >= r && w > 0) {
            *q = ts_grid1d_x(&b->grid, i) + b->grid.dx * ((r - c) / w - 0.5);
            return TS_OK;
        }
        c += w;
    }
    return ts_err_set(err, TS_ERANGE, "silverman: the %g-quantile is above the window "
                      "(%g of %g samples above hi = %g); widen the window", p, b->above,
                      b->total, b->grid.hi);
}

ts_status ts_bw_silverman(const ts_bins *b, double *bw, ts_err *err)
{
    ts_status st = check_bins(b, bw, "silverman", err);
    if (st) return st;
    if (!(b->total >= 2))
        return ts_err_set(err, TS_EINVAL, "silverman: needs at least 2 samples, have %g",
                          b->total);
    double q1, q3;
    if ((st = binned_quantile(b, 0.25, &q1, err)) || (st = binned_quantile(b, 0.75, &q3, err)))
        return st;
    double h = 0.9 * ((q3 - q1) / 1.34) * pow(b->total, -0.2);
    *bw = h > b->grid.dx ? h : b->grid.dx;
    return TS_OK;
}

/* ---- ISJ ---------------------------------------------------------------- */

typedef struct {
    size_t m;          /* number of cosine terms, k = 1..m        */
    double *ksq;       /* k^2                                     */
    double *lksq;      /* log k^2                                 */
    double *la2;       /* log a_k^2, a_k = sum_j p_j cos(pi k u_j) */
    double *e;         /* scratch                                 */
    double N;          /* in-window sample count                  */
} isj_ctx;

/* log ||f^(s)||^2 at time t:  log(2 pi^(2s) sum_k k^(2s) a_k^2 exp(-k^2 pi^2 t)).
 * In logs throughout: k^(2s) reaches 2^336 for G = 2^24 and the exponentials
 * span hundreds of decades between small and large t, so the plain sum
 * overflows or underflows long before the answer does. */
static double log_functional(const isj_ctx *c, int s, double t)
{
    double pi2t = M_PI * M_PI * t, sum = 0;
    /* One pass without a shift: every exponent is at most s log k^2 <= 233
     * (|a_k| <= 1, k < 2^24), so nothing overflows; only when all terms
     * underflow (huge t) is the max-shifted two-pass form needed. */
#pragma omp simd reduction(+ : sum)
    for (size_t k = 0; k < c->m; k++)
        sum += ts_vexp(s * c->lksq[k] + c->la2[k] - c->ksq[k] * pi2t);
    if (sum > 1e-250) return M_LN2 + 2 * s * log(M_PI) + log(sum);
    double mx = -INFINITY;
    for (size_t k = 0; k < c->m; k++) {
        double e = s * c->lksq[k] + c->la2[k] - c->ksq[k] * pi2t;
        c->e[k] = e;
        mx = e > mx ? e : mx;
    }
    sum = 0;
    for (size_t k = 0; k < c->m; k++) sum += ts_vexp(c->e[k] - mx);
    return M_LN2 + 2 * s * log(M_PI) + mx + log(sum);
}

/* t - xi gamma^[7](t) (Botev et al. 2010, eq. (29) and algorithm 1): each
 * stage s = 6..2 picks the time at which ||f^(s)||^2 is estimated optimally
 * given ||f^(s+1)||^2, and the last gives the AMISE time for ||f''||^2.
 * Clamping the logs at 700 keeps every value finite (GSL's Brent treats a
 * non-finite value as a hard error); it only bites on absurd inputs, where the
 * sign, which is all the root finder needs, is unchanged. */
static double isj_fixed_point(double t, void *arg)
{
    const isj_ctx *c = arg;
    double lf = log_functional(c, 7, t);
    double k0 = 1.0;  /* (2s - 1)!! for s = 7, divided down as s falls */
    for (int j = 1; j <= 13; j += 2) k0 *= j;
    for (int s = 6; s >= 2; s--) {
        k0 /= 2 * s + 1;
        double K0 = k0 / sqrt(2 * M_PI);
        double cst = (1 + pow(0.5, s + 0.5)) / 3;
        double lt = 2.0 / (3 + 2 * s) * (log(2 * cst * K0 / c->N) - lf);
        lf = log_functional(c, s, exp(fmin(lt, 700.0)));
    }
    double lg = -0.4 * (log(2 * c->N * sqrt(M_PI)) + lf);
    return t - exp(fmin(lg, 700.0));
}

/* a_k = sum_j p_j cos(pi k j / N), N = G - 1, k = 1..N: a DCT-I. The usual
 * route, a real FFT of the even extension (length 2N), is as slow as an O(N^2)
 * sum when N has a large prime factor (G = 512: 2N = 2 * 7 * 73, and GSL's
 * generic radix made the transform 190 us). Bluestein's identity
 * kj = (k^2 + j^2 - (k - j)^2) / 2 turns it into a convolution with the chirp
 * c_n = exp(i pi n^2 / (2N)), done by power-of-two FFTs of length P >= 2N + 1
 * whatever N is, and exact (no resampling of the data):
 *   a_k = Re( conj(c_k) sum_j (p_j conj(c_j)) c_{k-j} ).
 * The chirp's phase is reduced as n^2 mod 4N in integers, so it stays accurate
 * for large n where pi n^2 / (2N) in floating point would not be. */
static ts_status dct1_squares(const double *p, size_t G, double *a2, ts_err *err)
{
    size_t N = G - 1, P = 1;
    while (P < 2 * N + 1) P <<= 1;
    double *buf = calloc(4 * P + 2 * G, sizeof *buf);
    if (!buf) return ts_err_set(err, TS_ENOMEM, "isj: out of memory for a DCT of %zu points", G);
    double *u = buf, *v = buf + 2 * P, *c = buf + 4 * P;   /* complex, interleaved */
    for (size_t n = 0; n < G; n++) {
        uint64_t r = ((uint64_t)n * n) % (4 * (uint64_t)N);
        double ph = M_PI * (double)r / (2.0 * (double)N);
        c[2 * n] = cos(ph);
        c[2 * n + 1] = sin(ph);
    }
    for (size_t j = 0; j < G; j++) {          /* u_j = p_j conj(c_j) */
        u[2 * j] = p[j] * c[2 * j];
        u[2 * j + 1] = -p[j] * c[2 * j + 1];
    }
    for (size_t n = 0; n < G; n++) {          /* v_n = c_|n|, n = -N..N, circularly */
        v[2 * n] = c[2 * n];
        v[2 * n + 1] = c[2 * n + 1];
        if (n) {
            v[2 * (P - n)] = c[2 * n];
            v[2 * (P - n) + 1] = c[2 * n + 1];
        }
    }
    gsl_fft_complex_radix2_forward(u, 1, P);
    gsl_fft_complex_radix2_forward(v, 1, P);
    for (size_t k = 0; k < P; k++) {
        double ar = u[2 * k], ai = u[2 * k + 1], br = v[2 * k], bi = v[2 * k + 1];
        u[2 * k] = ar * br - ai * bi;
        u[2 * k + 1] = ar * bi + ai * br;
    }
    gsl_fft_complex_radix2_inverse(u, 1, P);
    for (size_t k = 1; k < G; k++) {          /* Re(conj(c_k) conv_k) */
        double a = c[2 * k] * u[2 * k] + c[2 * k + 1] * u[2 * k + 1];
        a2[k - 1] = a * a;
    }
    free(buf);
    return TS_OK;
}

/* The smallest root of F = t - xi gamma(t) above t_min, by scanning up in
 * factors of 4 (bandwidth doubling) for the first sign change, then Brent. */
static ts_status isj_root(isj_ctx *c, double t_min, double *t_star, ts_err *err)
{
    gsl_function F = { isj_fixed_point, c };
    double lo = t_min, flo = isj_fixed_point(lo, c);
    if (flo >= 0) {  /* root at or below one grid spacing: floored anyway */
        *t_star = t_min;
        return TS_OK;
    }
    double hi = lo, fhi = flo;
    while (fhi < 0) {
        if (hi >= 1.0)
            return ts_err_set(err, TS_ERANGE, "isj: the fixed-point equation has no root "
                              "for bandwidths up to the window width");
        lo = hi;
        hi = fmin(4 * hi, 1.0);
        fhi = isj_fixed_point(hi, c);
    }
    if (fhi == 0) {
        *t_star = hi;
        return TS_OK;
    }
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s) return ts_err_set(err, TS_ENOMEM, "isj: out of memory for the root finder");
    gsl_root_fsolver_set(s, &F, lo, hi);
    int status = GSL_CONTINUE;
    /* 1e-8 relative in t is 5e-9 in the bandwidth, far below its own
     * statistical error; Brent gets there in ~10 steps. */
    for (int it = 0; it < 100 && status == GSL_CONTINUE; it++) {
        gsl_root_fsolver_iterate(s);
        status = gsl_root_test_interval(gsl_root_fsolver_x_lower(s),
                                        gsl_root_fsolver_x_upper(s), 0, 1e-8);
    }
    *t_star = gsl_root_fsolver_root(s);
    gsl_root_fsolver_free(s);
    if (status != GSL_SUCCESS)
        return ts_err_set(err, TS_ERANGE, "isj: Brent did not converge in 100 steps");
    return TS_OK;
}

ts_status ts_bw_isj(const ts_bins *b, double *bw, ts_err *err)
{
    ts_status st = check_bins(b, bw, "isj", err);
    if (st) return st;
    size_t G = b->grid.n;
    double N = 0;
    for (size_t i = 0; i < G; i++) N += b->w[i];
    if (!(N >= 2))
        return ts_err_set(err, TS_EINVAL, "isj: needs at least 2 samples in the window, "
                          "have %g", N);

    size_t m = G - 1;
    double *buf = malloc((G + 5 * m) * sizeof *buf);
    if (!buf) return ts_err_set(err, TS_ENOMEM, "isj: out of memory for %zu terms", m);
    double *p = buf, *a2 = buf + G;
    isj_ctx c = { 0, a2 + m, a2 + 2 * m, a2 + 3 * m, a2 + 4 * m, N };
    for (size_t i = 0; i < G; i++) p[i] = b->w[i] / N;
    if ((st = dct1_squares(p, G, a2, err))) goto out;
    /* Zero coefficients (exact symmetries of the data) contribute nothing;
     * dropping them keeps log(0) out of the sums. */
    for (size_t k = 1; k <= m; k++) {
        if (!(a2[k - 1] > 0)) continue;
        double kk = (double)k * (double)k;
        c.ksq[c.m] = kk;
        c.lksq[c.m] = log(kk);
        c.la2[c.m] = log(a2[k - 1]);
        c.m++;
    }
    double t_star = 0;
    ts_err why;
    ts_err_clear(&why);
    st = c.m ? isj_root(&c, 1.0 / ((double)m * (double)m), &t_star, &why)
             : ts_err_set(&why, TS_ERANGE, "isj: the binned data has no cosine content");
    if (st == TS_OK) {
        double R = b->grid.hi - b->grid.lo, h = sqrt(t_star) * R;
        *bw = h > b->grid.dx ? h : b->grid.dx;
    } else if (st == TS_ERANGE) {
        double h;
        ts_err serr;
        if (ts_bw_silverman(b, &h, &serr) == TS_OK) {
            *bw = h;
            ts_err_set(err, TS_ERANGE, "%s; returned Silverman's bandwidth %g instead",
                       why.msg, h);
        } else {
            ts_err_set(err, TS_ERANGE, "%s; Silverman's fallback failed too: %s", why.msg,
                       serr.msg);
        }
    } else {
        ts_err_set(err, st, "%s", why.msg);
    }
out:
    free(buf);
    return st;
}
