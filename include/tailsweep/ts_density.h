/* ts_density.h: streaming density estimation on a fixed 1-D grid.
 *
 * docs/math.md section 3. Chains are binned while they run (linear binning, Wand
 * 1994), so memory is O(grid) whatever the run length; the KDE is then a
 * convolution of the bin weights with a Gaussian, done by FFT.
 *
 * Normalisation convention, used everywhere in tailsweep: a density on the
 * grid is normalised by the TOTAL number of samples (inside and outside the
 * window), so it integrates (trapezoid rule) to the in-window mass, and
 * out_mass = 1 - in-window mass is reported next to it. Heavy tails put real
 * mass outside any window; hiding it by renormalising would bias the metrics. */
#ifndef TS_DENSITY_H
#define TS_DENSITY_H

#include <stddef.h>

#include "tailsweep/ts_error.h"

/* n >= 2 equally spaced points x_i = lo + i dx, dx = (hi - lo) / (n - 1). */
typedef struct {
    double lo, hi, dx;
    size_t n;
} ts_grid1d;

/* Fails (TS_EINVAL, message names lo/hi/n/dx) unless lo < hi, both finite,
 * 2 <= n <= 2^24, and dx is a positive finite double. */
ts_status ts_grid1d_init(ts_grid1d *g, double lo, double hi, size_t n, ts_err *err);
static inline double ts_grid1d_x(const ts_grid1d *g, size_t i) { return g->lo + (double)i * g->dx; }

/* Linear-binning accumulator. Each sample x in [lo, hi] splits unit weight
 * between its two neighbouring grid points in proportion to proximity (x == hi
 * lands wholly on the last point); a sample outside counts in below/above.
 * Only finite samples may be added (a NaN is counted in above, harmlessly).
 * Counts are doubles: exact up to 2^53 samples. */
typedef struct {
    ts_grid1d grid;
    double *w;        /* grid.n bin weights                       */
    double below;     /* samples < lo                             */
    double above;     /* samples > hi                             */
    double total;     /* all samples added (in + below + above)   */
    double inv_dx;    /* 1 / grid.dx, set by ts_bins_alloc: the hot
                         loop multiplies instead of dividing          */
} ts_bins;

ts_bins *ts_bins_alloc(const ts_grid1d *g, ts_err *err);
void ts_bins_free(ts_bins *b);
void ts_bins_reset(ts_bins *b);
/* 5-7 ns a call (2 GHz Xeon); its counters live in *b, so consecutive calls
 * chain through memory. ts_bins_add_n keeps them in registers (3-4 ns a
 * sample): prefer it when a block of values (SIMD lanes) is at hand. Both give
 * the same bits. */
void ts_bins_add(ts_bins *b, double x);
/* Add x[j] for every j with keep[j] != 0 (keep may be NULL: all). */
void ts_bins_add_n(ts_bins *b, const double *x, const unsigned char *keep, size_t n);
/* The same with every sample weighing wt > 0 (below, above and total count
 * weights too): step-size-weighted averages (docs/sde.md). */
void ts_bins_add_nw(ts_bins *b, const double *x, const unsigned char *keep, size_t n, double wt);
/* dst += src; grids must match (TS_EINVAL otherwise). */
ts_status ts_bins_merge(ts_bins *dst, const ts_bins *src, ts_err *err);
/* (below + above) / total, 0 when empty. */
double ts_bins_out_mass(const ts_bins *b);

/* Bandwidth rules, both on the binned data. */
typedef enum { TS_BW_SILVERMAN = 0, TS_BW_ISJ = 1, TS_BW_FIXED = 2 } ts_bw_rule;
ts_status ts_bw_rule_parse(const char *s, ts_bw_rule *out, ts_err *err); /* "silverman", "isj", "fixed" */
const char *ts_bw_rule_name(ts_bw_rule r);

/* Both rules floor the bandwidth at grid.dx: a narrower kernel cannot be
 * resolved on the grid (the binned KDE would be the bins themselves).
 * Both take the sample size from the counts, i.e. they assume independent
 * samples. Successive steps of a chain are correlated and carry less
 * information than their number: thin the chain before binning, or expect
 * undersmoothing (ISJ most: it reads the excess noise as structure). */

/* Robust Silverman: 0.9 * (IQR / 1.34) * n^(-1/5), n = total, quartiles from
 * the binned CDF (out-of-window counts included in the ranks). The sd is not
 * used: it does not exist for alpha < 2. TS_ERANGE when a quartile lies
 * outside the window; TS_EINVAL when fewer than 2 samples were added. */
ts_status ts_bw_silverman(const ts_bins *b, double *bw, ts_err *err);
/* Improved Sheather-Jones (Botev, Grotowski, Kroese 2010) on the binned data
 * of the window (rescaled by hi - lo), for the in-window conditional density
 * with n = the in-window count. When the fixed-point equation has no root
 * (bandwidth up to hi - lo), returns TS_ERANGE with *bw = Silverman's
 * bandwidth if that one exists (the message says so), so a caller may accept
 * the fallback knowingly. TS_EINVAL with fewer than 2 in-window samples. */
ts_status ts_bw_isj(const ts_bins *b, double *bw, ts_err *err);

/* Gaussian KDE of the bins by FFT (zero-padded, no wrap-around), normalised as
 * in the header comment; out has grid.n entries. bw > 0, total > 0.
 * Samples near an edge spill kernel mass outside the window, so the result
 * integrates to a little less than the in-window mass; and samples outside
 * the window, known only by their count, add nothing inside it. Differs from
 * ts_kde_direct on the in-window samples by at most dx^2 / (8 sqrt(2 pi) bw^3)
 * (linear binning error); FFT rounding negatives are clamped to 0.
 * TS_ERANGE if bw is so small (~1e-308) that the kernel's peak overflows. */
ts_status ts_kde_binned(const ts_bins *b, double bw, double *out, ts_err *err);
/* Direct O(n G) Gaussian KDE of samples, same normalisation (divides by n).
 * All samples count, including the kernel tails of those outside the window.
 * For tests and small sample sets. */
ts_status ts_kde_direct(const double *x, size_t n, double bw, const ts_grid1d *g,
                        double *out, ts_err *err);

/* Bias metrics of an estimated density p against a reference q on the same
 * grid (both normalised as above, with their out-of-window masses). */
#define TS_MAX_MODES 16
/* KL floors both conditional densities, inside the log, at TS_KL_FLOOR times
 * the larger of their peaks: a regularised KL, finite where one density
 * vanishes, 0 for equal densities. */
#define TS_KL_FLOOR 1e-12
/* Local maxima of p below TS_MODE_MIN_REL times its global maximum are noise
 * (tail bumps of a KDE), not modes. */
#define TS_MODE_MIN_REL 0.01
typedef struct {
    double tv;          /* 0.5 int |p - q| + 0.5 |p_out - q_out|          */
    double kl_pq;       /* KL(p || q) of the in-window conditionals        */
    double kl_qp;       /* KL(q || p)                                      */
    double hellinger;   /* sqrt(1 - int sqrt(p q)), in-window conditionals */
    double w1;          /* int |P - Q| dx of the in-window conditional CDFs */
    double out_mass;    /* p_out                                            */
    size_t n_modes;     /* local maxima of p, parabolic refinement          */
    double modes[TS_MAX_MODES]; /* ascending; unused entries are 0          */
    size_t n_shift;     /* one per reference minimum                        */
    double shift[TS_MAX_MODES]; /* nearest mode minus the minimum            */
} ts_metrics;

/* minima: the minima of f (the Gibbs modes), n_min <= TS_MAX_MODES (minima
 * may be NULL when n_min == 0). Modes are interior local maxima of p (the
 * window edges are cuts, not maxima) of at least TS_MODE_MIN_REL of its peak,
 * the TS_MAX_MODES highest if there are more. Errors: TS_ENUMERIC names the
 * first non-finite entry of p or q, or says p has no mode (a shift would be
 * NaN); TS_EINVAL for negative densities, masses outside [0, 1], or a
 * density with zero integral over the window. */
ts_status ts_metrics_compute(const ts_grid1d *g, const double *p, double p_out,
                             const double *q, double q_out, const double *minima,
                             size_t n_min, ts_metrics *m, ts_err *err);

#endif
