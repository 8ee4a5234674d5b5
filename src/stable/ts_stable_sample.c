/* ts_stable_sample.c: the Chambers-Mallows-Stuck sampler, scalar and block.
 *
 * Per draw, with V = pi (u1 - 1/2) and W = -log u2:
 *   general: X = S sin(a) / cos V * exp(((1-alpha)/alpha) log(cos(V - a) / (W cos V)))
 *            a = alpha V + atan(beta tan(pi alpha/2)).
 *            This is CMS with the two powers merged into one exp of one log
 *            (cos(V)^(-1/alpha) = cos(V)^(-1) cos(V)^(-(1-alpha)/alpha)).
 *   alpha=1: X = (2/pi) [(pi/2 + beta V) tan V - beta log((pi/2) W cos V / (pi/2 + beta V))]
 *   alpha=2: X = 2 sqrt(W) sin V, which is N(0, 2).
 * then Y = scale X + shift. All transcendental calls go through ts_vmath.h so
 * that one kernel serves the scalar and the vector path bit for bit. The logs
 * are ts_vlog_fast (2 ulp, against ts_vlog_normal's 1): a 1e-16 relative
 * error in W or in a log term is far below anything a sample can resolve,
 * and the other logs' arguments are products of rounded factors anyway. The
 * alpha = 1 kernel returns (pi/2) X: its factor 2/pi rides in the scale
 * (kernel_scale), one multiplication fewer per draw. */
#include "tailsweep/ts_stable.h"
#include "tailsweep/ts_vmath.h"

static inline double cms_general(double alpha, double B_alpha, double S, double expo,
                                 double u1, double u2)
{
    /* = M_PI * (u1 - 0.5) bit for bit (u1 - 0.5 is exact, M_PI_2 = M_PI / 2
     * exactly, so both round M_PI (u1 - 1/2) once), one operation fewer */
    double V = fma(M_PI, u1, -M_PI_2);
    double W = -ts_vlog_fast(u2);
    double a = fma(alpha, V, B_alpha);
    double sa, ca, sv, cv;
    ts_vsincos(a, &sa, &ca);
    ts_vsincos(V, &sv, &cv);
    /* cos(V - a) by the addition formula: one sincos fewer. Its absolute
     * error, ~1 ulp of 1, matches what rounding V - a itself would cause. */
    double cb = fma(cv, ca, sv * sa);
    /* cos(V - a) > 0 in exact arithmetic and vanishes only as V -> +-pi/2,
     * where V's own resolution keeps it above ~1e-17; rounding may leave a
     * tiny negative or zero, which log would turn into NaN or inf. */
    cb = fabs(cb);
    cb = cb > 0x1p-64 ? cb : 0x1p-64;
    double d = 1.0 / (W * cv);                      /* one division, used twice */
    double pw = ts_vexp(expo * ts_vlog_fast(cb * d));
    return S * (sa * W * d) * pw;
}

static inline double cms_alpha1(double beta, double beta_pi, double u1, double u2)
{
    double W = -ts_vlog_fast(u2);
    double sv, cv;
    ts_vsincospi(u1 - 0.5, &sv, &cv);               /* V = pi (u1 - 1/2); u1 - 1/2 exact */
    double hp = fma(beta_pi, u1 - 0.5, M_PI_2);     /* pi/2 + beta V > 0 */
    double d = 1.0 / (cv * hp);                     /* one division, used twice */
    double lg = ts_vlog_fast(M_PI_2 * W * cv * cv * d);
    return fma(-beta, lg, hp * hp * sv * d);        /* (pi/2) X */
}

static inline double cms_gauss(double u1, double u2)
{
    double V = fma(M_PI, u1, -M_PI_2);
    double sv, cv;
    ts_vsincos(V, &sv, &cv);
    (void)cv;
    return 2.0 * sqrt(-ts_vlog_fast(u2)) * sv;
}

static inline double cms_kernel(const ts_stable *law, double u1, double u2)
{
    switch (law->branch) {
    case TS_STABLE_GAUSS: return cms_gauss(u1, u2);
    case TS_STABLE_ALPHA1: return cms_alpha1(law->beta, law->beta * M_PI, u1, u2);
    default: return cms_general(law->alpha, law->B_alpha, law->S, law->expo, u1, u2);
    }
}

/* The factor from the kernel's result to Y - shift. */
static inline double kernel_scale(const ts_stable *law)
{
    return law->branch == TS_STABLE_ALPHA1 ? law->scale * M_2_PI : law->scale;
}

double ts_stable_from_uniforms(const ts_stable *law, double u1, double u2)
{
    return fma(kernel_scale(law), cms_kernel(law, u1, u2), law->shift);
}

double ts_stable_draw(const ts_stable *law, ts_rng *r)
{
    double u1 = ts_rng_uniform(r);
    double u2 = ts_rng_uniform(r);
    return ts_stable_from_uniforms(law, u1, u2);
}

/* Uniforms are made a chunk at a time on the stack; the transform loops then
 * run branch-free over the chunk, one loop per branch so each vectorises. */
#define CHUNK 256

void ts_stable_fill(const ts_stable *law, ts_rng *r, size_t n, double *out)
{
    double u[2 * CHUNK];
    const double alpha = law->alpha, beta = law->beta, Ba = law->B_alpha, S = law->S,
                 expo = law->expo, scale = kernel_scale(law), shift = law->shift,
                 beta_pi = beta * M_PI;
    for (size_t done = 0; done < n;) {
        size_t m = n - done < CHUNK ? n - done : CHUNK;
        ts_rng_uniform_block(r, 2 * m, u);
        double *o = out + done;
        switch (law->branch) {
        case TS_STABLE_GAUSS:
#pragma omp simd
            for (size_t j = 0; j < m; j++)
                o[j] = fma(scale, cms_gauss(u[2 * j], u[2 * j + 1]), shift);
            break;
        case TS_STABLE_ALPHA1:
#pragma omp simd
            for (size_t j = 0; j < m; j++)
                o[j] = fma(scale, cms_alpha1(beta, beta_pi, u[2 * j], u[2 * j + 1]), shift);
            break;
        default:
#pragma omp simd
            for (size_t j = 0; j < m; j++)
                o[j] = fma(scale, cms_general(alpha, Ba, S, expo, u[2 * j], u[2 * j + 1]), shift);
            break;
        }
        done += m;
    }
}
