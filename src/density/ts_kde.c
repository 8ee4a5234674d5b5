/* ts_kde.c: Gaussian KDE of binned weights by FFT, and the direct sum.
 *
 * The binned KDE is the linear convolution f_i = sum_j w_j K_{i-j} with
 * K_l = phi(l dx / bw) / (total bw). Done as a circular convolution of length
 * P >= G + L (L = kernel half-width in points), a circle that long has room
 * for the kernel's tail beyond either end of the data, so nothing wraps onto
 * grid points 0..G-1: zero padding, not the periodic KDE a bare length-G FFT
 * would give. */
#include "tailsweep/ts_density.h"

#include <gsl/gsl_fft_halfcomplex.h>
#include <gsl/gsl_fft_real.h>
#include <math.h>
#include <stdlib.h>

/* Kernel cut at 8 bw: phi(8) / phi(0) = exp(-32) ~ 1.3e-14, below what any
 * density estimate here resolves, and it keeps P (hence time and memory)
 * proportional to G + 8 bw / dx rather than 2G for narrow kernels. */
#define KDE_CUT 8.0

static ts_status check_bw(double bw, ts_err *err)
{
    if (!isfinite(bw) || !(bw > 0))
        return ts_err_set(err, TS_EINVAL, "kde: bw = %g must be positive and finite", bw);
    return TS_OK;
}

ts_status ts_kde_binned(const ts_bins *b, double bw, double *out, ts_err *err)
{
    if (!b || !out) return ts_err_set(err, TS_EINVAL, "kde: %s is NULL", b ? "out" : "bins");
    ts_status st = check_bw(bw, err);
    if (st) return st;
    if (!b->w || b->grid.n < 2 || !(b->grid.dx > 0))
        return ts_err_set(err, TS_EINVAL, "kde: bins were not made by ts_bins_alloc");
    if (!(b->total > 0))
        return ts_err_set(err, TS_EINVAL, "kde: bins are empty (total = %g)", b->total);
    double c = 1.0 / (b->total * bw * sqrt(2.0 * M_PI));
    if (!isfinite(c))   /* bw ~ 1e-308: the kernel's peak is not a double */
        return ts_err_set(err, TS_ERANGE, "kde: bw = %g is too small to represent the kernel", bw);

    size_t G = b->grid.n;
    double dx = b->grid.dx;
    /* Compare in doubles first: bw / dx may exceed any size_t. Lags beyond
     * G - 1 never connect two grid points, so they are never needed. */
    double half = ceil(KDE_CUT * bw / dx);
    size_t L = half >= (double)(G - 1) ? G - 1 : (size_t)half;
    size_t P = 1;
    while (P < G + L) P <<= 1;

    double *data = calloc(2 * P, sizeof *data);
    if (!data) return ts_err_set(err, TS_ENOMEM, "kde: out of memory for FFT length %zu", P);
    double *kern = data + P;

    for (size_t i = 0; i < G; i++) data[i] = b->w[i];
    double s = dx / bw;
    kern[0] = c;
    for (size_t l = 1; l <= L; l++) {
        double u = (double)l * s;
        kern[l] = kern[P - l] = c * exp(-0.5 * u * u);
    }

    /* Radix-2 halfcomplex layout: [0] = re_0, [k] = re_k, [P - k] = im_k,
     * [P/2] = re_{P/2}. P >= 2 always since G >= 2. */
    gsl_fft_real_radix2_transform(data, 1, P);
    gsl_fft_real_radix2_transform(kern, 1, P);
    data[0] *= kern[0];
    data[P / 2] *= kern[P / 2];
    for (size_t k = 1; k < P / 2; k++) {
        double ar = data[k], ai = data[P - k], br = kern[k], bi = kern[P - k];
        data[k] = ar * br - ai * bi;
        data[P - k] = ar * bi + ai * br;
    }
    gsl_fft_halfcomplex_radix2_inverse(data, 1, P);

    /* Where the density is ~0 the FFT leaves rounding noise of either sign,
     * about 1e-16 of the peak; negative densities would break sqrt and log
     * in the metrics. */
    int finite = 1;
    for (size_t i = 0; i < G; i++) {
        out[i] = data[i] > 0 ? data[i] : 0.0;
        finite &= isfinite(data[i]);
    }
    free(data);
    /* Only reachable with a kernel peak near DBL_MAX: never hand on inf/NaN. */
    if (!finite)
        return ts_err_set(err, TS_ERANGE, "kde: bw = %g overflows the density", bw);
    return TS_OK;
}

ts_status ts_kde_direct(const double *x, size_t n, double bw, const ts_grid1d *g,
                        double *out, ts_err *err)
{
    if (!x || !g || !out)
        return ts_err_set(err, TS_EINVAL, "kde direct: %s is NULL", !x ? "x" : !g ? "grid" : "out");
    if (n < 1) return ts_err_set(err, TS_EINVAL, "kde direct: n = 0 samples");
    ts_status st = check_bw(bw, err);
    if (st) return st;
    ts_grid1d chk;
    if ((st = ts_grid1d_init(&chk, g->lo, g->hi, g->n, err))) return st;
    for (size_t j = 0; j < n; j++)
        if (!isfinite(x[j]))
            return ts_err_set(err, TS_EINVAL, "kde direct: x[%zu] = %g is not finite", j, x[j]);

    double c = 1.0 / ((double)n * bw * sqrt(2.0 * M_PI)), inv = 1.0 / bw;
    for (size_t i = 0; i < chk.n; i++) {
        double xi = ts_grid1d_x(&chk, i), sum = 0;
        for (size_t j = 0; j < n; j++) {
            double u = (xi - x[j]) * inv;
            sum += exp(-0.5 * u * u);
        }
        out[i] = c * sum;
    }
    return TS_OK;
}
