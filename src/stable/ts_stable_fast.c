/* ts_stable_fast.c: the fast alpha-stable density (see ts_stable_fast.h).
 *
 * Notation. Standardised S0 law, argument y. T = tan(pi alpha / 2), always
 * computed as -1 / tan(pi (alpha - 1) / 2) so that it keeps full relative
 * precision near the pole at alpha = 1 (alpha - 1 is exact in doubles).
 * zeta = beta T, and the S1 argument is x1 = y + zeta. The left half-line is
 * handled as the right one of the mirrored law: f(y; beta) = f(-y; -beta),
 * so each side is described by its own beta_s (beta right, -beta left).
 *
 * Characteristic function (S0, u > 0):
 *   log phi(u) = -u^alpha (1 + i beta T (u^(1 - alpha) - 1)),
 * with T (u^(1-alpha) - 1) = T expm1((1 - alpha) log u), which tends to
 * (2/pi) log u at alpha = 1 without cancellation.
 *
 * FFT. On y_j = -L/2 + j h, j < N, with du = 2 pi / L, the trapezoidal rule
 *   f(y_j) ~ (du / 2 pi) sum_k phi(k du) exp(-i k du y_j)
 * is one inverse real FFT of z_k = (-1)^k conj(phi(k du)). By Poisson's
 * formula it is exact for the periodised density sum_m f(y + m L) as long
 * as |phi| is negligible beyond pi / h (we cut at |phi| = exp(-40)), so the
 * only errors are rounding and the images f(y + m L), m != 0. Those are
 * heavy tails, summed here with the tail series (alias_side: the nearest
 * ten images directly, the rest by Euler-Maclaurin) at Chebyshev nodes,
 * and subtracted; the table keeps |y| <= X = L / 3, so every image is at
 * least 2X away, where the series has converged. N is the power of two
 * that makes h <= min(1 / u_max, 0.06) (u_max: |phi| = exp(-40)); a 6-point
 * Lagrange interpolation of log f between grid points then errs by ~1e-9,
 * estimated from the table's sixth differences, and the grid is refined
 * (h halved, at most twice) if the estimate exceeds 2e-9.
 *
 * Tail series (Zolotarev 1986, sec. 2.4; x1 > 0, alpha != 1):
 *   f = (1/pi) sum_k (-1)^(k+1) Gamma(k alpha + 1) / k! (1 + zeta^2)^(k/2)
 *       sin(k (atan zeta + pi alpha / 2)) x1^(-k alpha - 1),
 * from expanding exp(-(1 + zeta^2)^(1/2) e^(-i atan zeta) u^alpha) under
 * the inversion integral; its first term is alpha c_alpha (1 + beta)
 * x1^(-alpha - 1). It converges for alpha < 1 and is asymptotic for
 * alpha > 1; its terms fall like (|zeta| / x1)^k near alpha = 1, hence
 * X >= 12 |zeta|. When that would exceed X_CAP (|zeta| > 13.3) the law is
 * in the band near alpha = 1: its tails are then interpolated in alpha
 * through six laws with |zeta| <= 13.3 (alpha = 1 +- delta, 2 delta,
 * 3 delta), as the ratio to the leading term, which is smooth in alpha.
 *
 * Light side (beta_s = -1: the left side of a beta = 1 law): the
 * saddlepoint expansion of the inverse Laplace transform, with
 * K(s) = log E exp(-s X) = -s^alpha / cos(pi alpha / 2) + s T (S0)
 * (src/stable/ts_stable_light.c, shared with the accurate path). */
#include "tailsweep/ts_stable_fast.h"
#include "tailsweep/ts_vmath.h"
#include "ts_stable_light.h"

#include <float.h>
#include <gsl/gsl_fft_halfcomplex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define X0 40.0          /* table half-width when zeta is small                 */
#define ZF 12.0          /* X >= ZF |zeta|: the series' ratio is <= 1/12 there  */
#define X_CAP 160.0      /* beyond this half-width, interpolate tails in alpha  */
#define L_FACTOR 3.0     /* FFT period L = 3X: images are >= 2X away            */
#define U_EXP 40.0       /* cut the characteristic function at exp(-40)         */
#define KMAX 24          /* series terms at most                                */
#define NCHEB 20         /* Chebyshev nodes for the alias correction: the images'
                          * sum is analytic within ~2.9X of the table's centre,
                          * so the fit converges like 5.7^-n: 1e-15 of its
                          * largest value (~f(X)/4) at n = 20                   */
#define NNODES 6         /* alpha nodes in the band                             */
#define KAPPA 1.0        /* h = KAPPA / u_max: ~3x finer than Nyquist (pi/u_max) */
#define H_MAX 0.06       /* ... but no coarser than this (alpha near 2)         */
#define INTERP_TOL 2e-9  /* refine the grid if the interpolation error estimate exceeds this */
#define MAX_REBUILD 2    /* refinements at most (each doubles N)                */
#define NOISE_C 8.0      /* FFT rounding: NOISE_C eps (du/2pi) (1 + 2 sum |phi|)  */
#define CERT 1e8         /* certified where f >= CERT noise: rounding <= 1e-8    */
#define USABLE 1e3       /* usable (indicative) where f >= USABLE noise          */

typedef struct {
    double bs;        /* this side's beta                                    */
    double zs;        /* x1 = y' + zs                                         */
    int light;        /* bs == -1: no power tail (saddlepoint instead)       */
    int nt;           /* series terms                                         */
    double c[KMAX];   /* series coefficients; c[0] = alpha c_alpha (1 + bs)   */
    double env[KMAX]; /* |c_k| without the sine factor                        */
} fside;

struct ts_stable_fast {
    double alpha, beta, shift;  /* shift: S1 argument minus S0 argument     */
    int gauss;
    /* table of log f at y0 + j h, j < nt */
    double y0, h, inv_h, ylo, yhi;
    size_t nt;
    double *lf;
    double X;                   /* series for |y| >= X                      */
    fside side[2];              /* 0: right (y > 0), 1: left (mirrored)      */
    /* gap: heavy side where the table stopped short of X (rounding) */
    double gap_slope[2];
    /* band near alpha = 1 */
    int band;
    double w[NNODES], node_alpha[NNODES];
    fside node[NNODES][2];
    double lead_log[2];         /* log(alpha c_alpha (1 + bs)) of this law    */
    ts_light light;             /* the light side of |beta| = 1 laws          */
    ts_stable_fast_info info;
};

static double tan_half_pi(double alpha)
{
    /* tan(pi a / 2) = -cot(pi (a - 1) / 2); a - 1 is exact for a in [0.5, 2] */
    if (alpha == 1.0) return INFINITY;
    return -1.0 / tan(M_PI_2 * (alpha - 1.0));
}

/* alpha c_alpha (1 + bs) = Gamma(alpha + 1) sin(pi alpha / 2) (1 + bs) / pi */
static double lead_coef(double alpha, double bs)
{
    return exp(lgamma(alpha + 1.0)) * cos(M_PI_2 * (alpha - 1.0)) * (1.0 + bs) / M_PI;
}

/* Series coefficients of one side, and how many terms converge at x1min. */
static void side_init(fside *s, double alpha, double bs, double T, double x1min)
{
    memset(s, 0, sizeof *s);
    s->bs = bs;
    s->zs = bs == 0.0 ? 0.0 : bs * T;
    s->light = bs == -1.0;
    if (s->light) return;
    double z = s->zs, lg = 0.5 * log1p(z * z);
    /* atan(z) + pi/2 without cancellation for z -> -inf */
    double ang = atan2(1.0, -z) + M_PI_2 * (alpha - 1.0);
    s->c[0] = lead_coef(alpha, bs);
    s->env[0] = exp(lgamma(alpha + 1.0) + lg) / M_PI;
    for (int k = 2; k <= KMAX; k++) {
        double mag = exp(lgamma(k * alpha + 1.0) - lgamma(k + 1.0) + k * lg) / M_PI;
        s->env[k - 1] = mag;
        s->c[k - 1] = (k % 2 ? 1.0 : -1.0) * mag * sin(k * ang);
    }
    /* Keep terms while they still matter at x1min (and, for the asymptotic
     * alpha > 1 case, while they decrease). The tests use the envelope
     * (the coefficient without its sine), since a sine can vanish (e.g.
     * sin(k pi alpha / 2) at beta = 0) without the series having ended. */
    double t = pow(x1min, -alpha), tk = 1.0, prev = INFINITY;
    s->nt = 1;
    for (int k = 2; k <= KMAX; k++) {
        tk *= t;
        double term = s->env[k - 1] * tk;
        if (term > prev && alpha > 1.0) break;
        prev = term;
        if (term < 1e-18 * s->env[0]) break;
        s->nt = k;
    }
}

/* Relative size of the first omitted series term at x1min (error estimate). */
static double side_trunc(const fside *s, double alpha, double x1min)
{
    if (s->light || s->nt >= KMAX || s->c[0] == 0.0) return 0.0;
    return s->env[s->nt] * pow(x1min, -alpha * s->nt) / fabs(s->c[0]);
}

/* log of the series at mirrored coordinate yp; -inf if it is not positive. */
static double series_log(const fside *s, double alpha, double yp)
{
    double x1 = yp + s->zs;
    if (!(x1 > 0)) return -INFINITY;
    double lx = log(x1), t = exp(-alpha * lx), p = 0.0;
    for (int k = s->nt - 1; k >= 0; k--) p = p * t + s->c[k];
    return p > 0 ? log(p) - (alpha + 1.0) * lx : -INFINITY;
}

/* Band: the tail at mirrored coordinate yp from the six node laws. */
static double band_log(const ts_stable_fast *d, int side, double yp)
{
    double ly = log(yp), r = 0.0;
    for (int m = 0; m < NNODES; m++) {
        const fside *s = &d->node[m][side];
        double am = d->node_alpha[m], x1 = yp + s->zs;
        double lx = log(x1), t = exp(-am * lx), p = 0.0;
        for (int k = s->nt - 1; k >= 0; k--) p = p * t + s->c[k];
        /* ratio to the node's leading term c_1 yp^(-am - 1) */
        r += d->w[m] * (p / s->c[0]) * exp((am + 1.0) * (ly - lx));
    }
    return r > 0 ? log(r) + d->lead_log[side] - (d->alpha + 1.0) * ly : -INFINITY;
}

/* Beyond the table on one side; yp is the mirrored coordinate (> 0 side). */
static double side_log(const ts_stable_fast *d, int side, double yp)
{
    const fside *s = &d->side[side];
    if (isinf(yp)) return -INFINITY;
    if (s->light) return ts_light_logpdf(&d->light, -yp, NULL, NULL);
    if (yp >= d->X) return d->band ? band_log(d, side, yp) : series_log(s, d->alpha, yp);
    /* Gap: the table stopped where rounding swamps the density (|beta|
     * within ~1e-4 of 1, or alpha within ~1e-7 of 2). Continue the table's
     * last slope, but never below the series where that is positive. */
    double edge = side == 0 ? d->yhi : -d->ylo;
    double lend = side == 0 ? d->lf[d->nt - 4] : d->lf[2];
    double v = lend + d->gap_slope[side] * (yp - edge);
    double sv = series_log(s, d->alpha, yp);
    return sv > v ? sv : v;
}

static double interp(const ts_stable_fast *d, double y)
{
    double t = (y - d->y0) * d->inv_h;
    size_t j = (size_t)t;
    /* y in [ylo, yhi] means t in [2, nt - 4] up to rounding */
    if (j < 2) j = 2;
    if (j > d->nt - 4) j = d->nt - 4;
    double p = t - (double)j;
    const double *v = d->lf + j - 2;
    double a = p + 2, b = p + 1, e = p - 1, f = p - 2, g = p - 3;
    double ab = a * b, fg = f * g, pe = p * e;
    return -b * pe * fg / 120.0 * v[0] + a * pe * fg / 24.0 * v[1] - ab * e * fg / 12.0 * v[2]
           + ab * p * fg / 12.0 * v[3] - ab * pe * g / 24.0 * v[4] + ab * pe * f / 120.0 * v[5];
}

double ts_stable_fast_logpdf(const ts_stable_fast *d, double x)
{
    if (isnan(x)) return x;
    if (d->gauss) return isinf(x) ? -INFINITY : -0.25 * x * x - 0.5 * log(4.0 * M_PI);
    double y = x - d->shift;
    if (y >= d->ylo && y <= d->yhi) return interp(d, y);
    return y > d->yhi ? side_log(d, 0, y) : side_log(d, 1, -y);
}

double ts_stable_fast_pdf(const ts_stable_fast *d, double x)
{
    return exp(ts_stable_fast_logpdf(d, x));
}

void ts_stable_fast_logpdf_vec(const ts_stable_fast *d, size_t n, const double *x, double scale,
                               double loc, double *out)
{
    double is = 1.0 / scale, ls = log(scale);
    for (size_t i = 0; i < n; i++) out[i] = ts_stable_fast_logpdf(d, (x[i] - loc) * is) - ls;
}

double ts_stable_fast_loglik(const ts_stable_fast *d, size_t n, const double *x, double scale, double loc)
{
    double is = 1.0 / scale, s = 0.0;
    for (size_t i = 0; i < n; i++) s += ts_stable_fast_logpdf(d, (x[i] - loc) * is);
    return s - (double)n * log(scale);
}

void ts_stable_fast_get_info(const ts_stable_fast *d, ts_stable_fast_info *out)
{
    *out = d->info;
}

void ts_stable_fast_free(ts_stable_fast *d)
{
    if (!d) return;
    free(d->lf);
    free(d);
}

/* ---- building ---------------------------------------------------------- */

/* Sum over the images m >= 1 of one side's series: images at y + m L for
 * the right side (x1 = y + m L + zs), at -(y - m L) for the left (mirrored),
 * i.e. sum_m g(m - 1 + q), g(v) = series(v L), q = 1 + (+-y + zs) / L.
 * The first EM_M images are summed directly (each term's powers shared,
 * as in the series itself); the rest by Euler-Maclaurin per term
 * (i + q)^(-p), p = k alpha + 1:
 *   sum_{i >= M} = (M+q)^(1-p) / (p-1) + (M+q)^(-p) / 2
 *                  + sum_r B_2r / (2r)! (p)_(2r-1) (M+q)^(-p-2r+1),
 * whose remainder is ~ (p)_9 / (2 pi (M + q))^9 of it: < 1e-9 with M = 10,
 * four Bernoulli terms, while that part is ~ M^(1 - p) < 3% of the sum.
 * (Five times faster than GSL's gsl_sf_hzeta per term.) */
#define EM_M 10
static double alias_side(const fside *s, double alpha, double L, double ys, int nterms)
{
    if (s->light) return 0.0;
    double q = 1.0 + (ys + s->zs) / L, a = 0.0;
    for (int i = 0; i < EM_M; i++) {
        double x1 = ((double)i + q) * L, t = exp(-alpha * log(x1)), p = 0.0;
        for (int k = nterms - 1; k >= 0; k--) p = p * t + s->c[k];
        a += p * t / x1;
    }
    static const double B[4] = { 1.0 / 6.0 / 2.0, -1.0 / 30.0 / 24.0, 1.0 / 42.0 / 720.0, -1.0 / 30.0 / 40320.0 };
    double v = (double)EM_M + q, lv = log(v), lL = log(L);
    for (int k = 1; k <= nterms; k++) {
        double p = k * alpha + 1.0, vp = exp(-p * lv), e = v / (p - 1.0) + 0.5, poch = p, vk = 1.0 / v;
        for (int r = 0; r < 4; r++) {
            e += B[r] * poch * vk;
            poch *= (p + 2 * r + 1) * (p + 2 * r + 2);
            vk /= v * v;
        }
        a += s->c[k - 1] * exp(-p * lL) * vp * e;
    }
    return a;
}

/* Terms needed for the images, which are at least dist away. */
static int alias_terms(const fside *s, double alpha, double dist)
{
    if (s->light) return 0;
    double t = pow(dist, -alpha), tk = 1.0;
    int n = 1;
    for (int k = 2; k <= s->nt; k++) {
        tk *= t;
        if (s->env[k - 1] * tk < 1e-15 * s->env[0]) break;   /* the images are <= f / 4 */
        n = k;
    }
    return n;
}

/* The images' total at y (both sides), directly or (band) interpolated in
 * alpha as a ratio to c_1 L^(-alpha - 1). */
static double alias_at(const ts_stable_fast *d, double L, double y, const int nterm[2],
                       const int (*nterm_node)[2])
{
    double a = 0.0;
    if (!d->band) {
        a += alias_side(&d->side[0], d->alpha, L, y, nterm[0]);
        a += alias_side(&d->side[1], d->alpha, L, -y, nterm[1]);
        return a;
    }
    double lL = log(L);
    for (int sd = 0; sd < 2; sd++) {
        if (d->side[sd].light) continue;
        double r = 0.0, ys = sd == 0 ? y : -y;
        for (int m = 0; m < NNODES; m++) {
            const fside *s = &d->node[m][sd];
            double am = d->node_alpha[m];
            r += d->w[m] * alias_side(s, am, L, ys, nterm_node[m][sd]) / s->c[0] * exp((am + 1.0) * lL);
        }
        a += r * exp(d->lead_log[sd] - (d->alpha + 1.0) * lL);
    }
    return a;
}

/* One FFT table with step at most hmax; fills d->lf etc. */
static ts_status build_table(ts_stable_fast *d, double hmax, ts_err *err)
{
    double alpha = d->alpha, beta = d->beta, X = d->X, L = L_FACTOR * X;
    double T = tan_half_pi(alpha);
    double umax = pow(U_EXP, 1.0 / alpha);
    size_t N = 256;
    while ((double)N * hmax < L) N *= 2;
    double h = L / (double)N, du = 2.0 * M_PI / L;
    size_t M = (size_t)ceil(umax / du) + 1;
    if (M > N / 2) M = N / 2;
    double *z = calloc(N, sizeof *z);
    if (!z) return ts_err_set(err, TS_ENOMEM, "stable fast: out of memory for %zu grid points", N);
    /* z_k = (-1)^k conj(phi(k du)) in GSL's radix-2 halfcomplex layout:
     * Re z_k at k, Im z_k at N - k. */
    double absum = 0.0;
    z[0] = 1.0;
    for (size_t k = 1; k < M; k++) {
        double u = (double)k * du, lu = log(u), ua = exp(alpha * lu);
        double ph = beta == 0.0 ? 0.0 : alpha == 1.0 ? beta * M_2_PI * lu : beta * T * expm1((1.0 - alpha) * lu);
        double mod = exp(-ua), arg = ua * ph, sg = (k & 1) ? -1.0 : 1.0;
        z[k] = sg * mod * cos(arg);
        z[N - k] = sg * mod * sin(arg);
        absum += mod;
    }
    gsl_fft_halfcomplex_radix2_backward(z, 1, N);
    double sc = du / (2.0 * M_PI), noise = NOISE_C * DBL_EPSILON * sc * (1.0 + 2.0 * absum);
    /* table indices covering [-X - 3h, X + 4h] around y_j = -L/2 + j h */
    size_t jA = (size_t)floor((L / 2 - X) / h) - 3, jB = (size_t)ceil((L / 2 + X) / h) + 4;
    if (jB > N - 1) jB = N - 1;
    size_t nt = jB - jA + 1;
    double *f = malloc(nt * sizeof *f);
    if (!f) {
        free(z);
        return ts_err_set(err, TS_ENOMEM, "stable fast: out of memory for the table");
    }
    for (size_t j = 0; j < nt; j++) f[j] = z[jA + j] * sc;
    free(z);
    double y0 = -L / 2 + (double)jA * h, ye = y0 + (double)(nt - 1) * h;

    /* subtract the images, through a Chebyshev fit over the table's span */
    int nterm[2], nterm_node[NNODES][2];
    double dist = L - fmax(fabs(y0), fabs(ye)) - fmax(fabs(d->side[0].zs), fabs(d->side[1].zs));
    for (int sd = 0; sd < 2; sd++) {
        nterm[sd] = alias_terms(&d->side[sd], alpha, dist);
        for (int m = 0; m < NNODES && d->band; m++)
            nterm_node[m][sd] = alias_terms(&d->node[m][sd], d->node_alpha[m], dist - X_CAP / ZF);
    }
    double half = 0.5 * (ye - y0), mid = 0.5 * (ye + y0), av[NCHEB], cc[NCHEB] = { 0 };
    for (int i = 0; i < NCHEB; i++) {
        double xi = cos(M_PI * (i + 0.5) / NCHEB), tm1 = 1.0, tm = xi;
        av[i] = alias_at(d, L, mid + half * xi, nterm, (const int (*)[2])nterm_node);
        /* cc[m] = (2/n) sum_i av[i] T_m(x_i), T_m by its recurrence */
        cc[0] += av[i];
        for (int m = 1; m < NCHEB; m++) {
            cc[m] += av[i] * tm;
            double t = 2.0 * xi * tm - tm1;
            tm1 = tm;
            tm = t;
        }
    }
    for (int m = 0; m < NCHEB; m++) cc[m] *= 2.0 / NCHEB;
    /* Clenshaw, with the loop over points innermost so that it vectorises */
    double *b1 = calloc(3 * nt, sizeof *b1), *b2 = b1 + nt, *sx = b2 + nt;
    if (!b1) {
        free(f);
        return ts_err_set(err, TS_ENOMEM, "stable fast: out of memory for the table");
    }
    for (size_t j = 0; j < nt; j++) sx[j] = 2.0 * (y0 + (double)j * h - mid) / half;
    for (int m = NCHEB - 1; m >= 1; m--) {
        double cm = cc[m];
        for (size_t j = 0; j < nt; j++) {
            double t = sx[j] * b1[j] - b2[j] + cm;
            b2[j] = b1[j];
            b1[j] = t;
        }
    }
    double fmax_ = 0.0;
    size_t jmax = 0;
    for (size_t j = 0; j < nt; j++) {
        f[j] -= 0.5 * (sx[j] * b1[j] + cc[0]) - b2[j];
        if (f[j] > fmax_) { fmax_ = f[j]; jmax = j; }
    }
    /* walk out from the mode: usable while f >= USABLE noise (light sides of
     * |beta| = 1 laws: CERT noise, then the saddlepoint takes over) */
    size_t lo = jmax, hi = jmax, clo = jmax, chi = jmax;
    double thr_r = (d->side[0].light ? CERT : USABLE) * noise, thr_l = (d->side[1].light ? CERT : USABLE) * noise;
    while (hi + 1 < nt && f[hi + 1] >= thr_r) hi++;
    while (lo > 0 && f[lo - 1] >= thr_l) lo--;
    while (chi + 1 <= hi && f[chi + 1] >= CERT * noise) chi++;
    while (clo > lo && f[clo - 1] >= CERT * noise) clo--;
    if (hi - lo < 12) {
        free(f);
        free(b1);
        return ts_err_set(err, TS_ENUMERIC, "stable fast: alpha %g beta %g: the density table has %zu usable points",
                          alpha, beta, hi - lo + 1);
    }
    size_t n2 = hi - lo + 1;
    double *lf = b1;   /* reuse: 3 nt >= n2 doubles */
    const double *fl = f + lo;
    /* f >= USABLE noise here, a positive normal number: the vectorising log */
#pragma omp simd
    for (size_t j = 0; j < n2; j++) lf[j] = ts_vlog_normal(fl[j]);
    d->nt = n2;
    d->h = h;
    d->inv_h = 1.0 / h;
    d->y0 = y0 + (double)lo * h;
    d->ylo = d->y0 + 2.0 * h;
    d->yhi = d->y0 + (double)(n2 - 4) * h;
    d->gap_slope[0] = (lf[n2 - 4] - lf[n2 - 5]) / h;
    d->gap_slope[1] = (lf[2] - lf[3]) / h;   /* per unit of the mirrored coordinate */
    if (!(d->gap_slope[0] < 0)) d->gap_slope[0] = -1.0;
    if (!(d->gap_slope[1] < 0)) d->gap_slope[1] = -1.0;

    /* interpolation error estimate: 6-point Lagrange errs by about
     * 0.0049 |Delta^6 log f| mid-interval; rounding noise in log f
     * (noise / f) contributes up to 0.31 noise / f to that, discounted */
    double emax = 0.0;
    size_t c0 = clo - lo > 3 ? clo - lo : 3, c1 = chi - lo < n2 - 4 ? chi - lo : n2 - 4;
    for (size_t j = c0; j <= c1; j++) {
        const double *v = lf + j - 3;
        double d6 = v[0] - 6 * v[1] + 15 * v[2] - 20 * v[3] + 15 * v[4] - 6 * v[5] + v[6];
        double e = 0.0049 * fabs(d6) - 0.31 * noise / f[lo + j];
        if (e > emax) emax = e;
    }
    free(f);
    double *shrunk = realloc(lf, n2 * sizeof *lf);   /* lf was 3 nt long */
    free(d->lf);
    d->lf = shrunk ? shrunk : lf;
    d->info.fft_n = N;
    d->info.table_n = n2;
    d->info.h = h;
    d->info.y_lo = d->ylo;
    d->info.y_hi = d->yhi;
    d->info.y_lo_cert = fmax(d->ylo, y0 + (double)clo * h);
    d->info.y_hi_cert = fmin(d->yhi, y0 + (double)chi * h);
    d->info.interp_err_est = emax;
    return TS_OK;
}

ts_stable_fast *ts_stable_fast_alloc(double alpha, double beta, ts_stable_param param, ts_err *err)
{
    if (!(alpha > 0.0 && alpha <= 2.0)) {
        ts_err_set(err, TS_EINVAL, "alpha = %g is outside (0, 2]", alpha);
        return NULL;
    }
    if (!(beta >= -1.0 && beta <= 1.0)) {
        ts_err_set(err, TS_EINVAL, "beta = %g is outside [-1, 1]", beta);
        return NULL;
    }
    if (param != TS_S0 && param != TS_S1) {
        ts_err_set(err, TS_EINVAL, "parameterisation %d is neither S0 nor S1", (int)param);
        return NULL;
    }
    if (alpha < TS_STABLE_FAST_ALPHA_MIN) {
        ts_err_set(err, TS_ERANGE, "stable fast: alpha = %g is below %g, where the density's peak is too "
                   "sharp for the FFT table; use ts_stable_logpdf", alpha, TS_STABLE_FAST_ALPHA_MIN);
        return NULL;
    }
    ts_stable_fast *d = calloc(1, sizeof *d);
    if (!d) {
        ts_err_set(err, TS_ENOMEM, "stable fast: out of memory");
        return NULL;
    }
    d->alpha = alpha;
    d->beta = beta;
    if (fabs(beta) == 1.0) ts_light_init(&d->light, alpha);
    d->info.alpha = alpha;
    d->info.beta = beta;
    if (alpha == 2.0) {
        d->gauss = 1;
        d->info.closed_form = 1;
        return d;
    }
    double T = tan_half_pi(alpha), zeta = beta == 0.0 ? 0.0 : beta * T;
    /* S1 argument x = S0 argument + beta T (alpha != 1; S1 = S0 at alpha = 1, scale 1) */
    d->shift = alpha == 1.0 ? 0.0 : zeta;
    double X = fmax(X0, ZF * fabs(zeta));
    if (X > X_CAP && fabs(beta) < 1e-11) {
        /* beta so small that the band's nodes would merge with alpha = 1:
         * its effect on the tails (~beta log|x|) is below 1e-9 there, so
         * the tails and images take the beta = 0 series (with the true
         * 1 +- beta in the leading term); the table keeps the exact beta */
        T = 0.0;
        zeta = 0.0;
        X = X0;
    } else if (X > X_CAP) {
        /* band near alpha = 1: nodes at 1 +- (1, 2, 3) delta where
         * |beta tan(pi a / 2)| = X_CAP / ZF */
        d->band = 1;
        X = X_CAP;
        double delta = M_2_PI * atan(fabs(beta) * ZF / X_CAP);
        static const int off[NNODES] = { -3, -2, -1, 1, 2, 3 };
        for (int m = 0; m < NNODES; m++) d->node_alpha[m] = 1.0 + off[m] * delta;
        for (int m = 0; m < NNODES; m++) {
            double am = d->node_alpha[m], Tm = tan_half_pi(am);
            /* Lagrange weights at alpha, through the nodes as rounded */
            d->w[m] = 1.0;
            for (int k = 0; k < NNODES; k++)
                if (k != m) d->w[m] *= (alpha - d->node_alpha[k]) / (am - d->node_alpha[k]);
            side_init(&d->node[m][0], am, beta, Tm, X_CAP - X_CAP / ZF);
            side_init(&d->node[m][1], am, -beta, Tm, X_CAP - X_CAP / ZF);
        }
        d->info.band = 1;
    }
    d->X = X;
    for (int sd = 0; sd < 2; sd++) {
        double bs = sd == 0 ? beta : -beta;
        if (!d->band) {
            side_init(&d->side[sd], alpha, bs, T, X - fabs(zeta));
        } else {
            /* the law's own series diverges here: only its leading term is
             * kept (for the gap fallback); the tails come from the nodes */
            fside *s = &d->side[sd];
            memset(s, 0, sizeof *s);
            s->bs = bs;
            s->light = bs == -1.0;
            s->nt = 1;
            s->c[0] = lead_coef(alpha, bs);
        }
    }
    for (int sd = 0; sd < 2; sd++) {
        double c1 = lead_coef(alpha, d->side[sd].bs);
        d->lead_log[sd] = c1 > 0 ? log(c1) : -INFINITY;
    }
    double umax = pow(U_EXP, 1.0 / alpha), hmax = fmin(KAPPA / umax, H_MAX);
    ts_status st = build_table(d, hmax, err);
    while (!st && d->info.interp_err_est > INTERP_TOL && d->info.rebuilds < MAX_REBUILD) {
        hmax = d->h / 2;
        d->info.rebuilds++;
        st = build_table(d, hmax, err);
    }
    if (st) {
        ts_stable_fast_free(d);
        return NULL;
    }
    d->info.x_tail = X;
    d->info.terms_right = d->side[0].light ? 0 : d->band ? d->node[0][0].nt : d->side[0].nt;
    d->info.terms_left = d->side[1].light ? 0 : d->band ? d->node[0][1].nt : d->side[1].nt;
    double te = 0.0;
    for (int sd = 0; sd < 2; sd++) {
        double e = d->band ? side_trunc(&d->node[0][sd], d->node_alpha[0], X_CAP - X_CAP / ZF)
                           : side_trunc(&d->side[sd], alpha, X - fabs(zeta));
        te = fmax(te, e);
    }
    d->info.tail_err_est = te;
    if (param == TS_S0) d->shift = 0.0;
    return d;
}
