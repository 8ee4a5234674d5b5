/* simd_bits.c: the SIMD code paths give the same bits as the scalar ones.
 *
 * Built with the release flags (build/release/simd/simd_bits), because that
 * is where `#pragma omp simd` loops vectorise: the sanitizer build at -O1 runs
 * them as scalar loops, so the unit tests there compare scalar with scalar.
 * Each vector side below is a `#pragma omp simd` loop over an array (in the
 * optimised build: gathers for the log's table, 8 lanes with AVX-512); each
 * scalar side calls the same kernel through a volatile function pointer, which
 * the compiler can neither inline nor vectorise. Prints one PASS/FAIL line per
 * check (tests/run.sh counts them); exit status 1 if any failed. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tailsweep/ts_rng.h"
#include "tailsweep/ts_stable.h"
#include "tailsweep/ts_vmath.h"
#include "../../src/sde/ts_sde_internal.h"

enum { N = 1 << 16 };
static double in[N], vec[N], sca[N], vec2[N], sca2[N];
static int failures;

static void report(const char *name, size_t bad, size_t n)
{
    if (bad == 0) {
        printf("PASS: simd_bits_%s (%zu values)\n", name, n);
    } else {
        printf("FAIL: simd_bits_%s: %zu of %zu values differ from the scalar path\n", name, bad, n);
        failures++;
    }
}

static size_t count_diff(const double *a, const double *b, size_t n)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) bad += memcmp(&a[i], &b[i], sizeof a[i]) != 0;
    return bad;
}

static double lcg01(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) * 0x1p-53;
}

static double scalar_vlog_normal(double x) { return ts_vlog_normal(x); }
static double scalar_vlog(double x) { return ts_vlog(x); }
static double scalar_vlog_fast(double x) { return ts_vlog_fast(x); }
static double scalar_vexp(double x) { return ts_vexp(x); }
static void scalar_vsincos(double x, double *s, double *c) { ts_vsincos(x, s, c); }
static void scalar_vsincospi(double x, double *s, double *c) { ts_vsincospi(x, s, c); }
static double (*volatile s_log_normal)(double) = scalar_vlog_normal;
static double (*volatile s_log)(double) = scalar_vlog;
static double (*volatile s_log_fast)(double) = scalar_vlog_fast;
static double (*volatile s_exp)(double) = scalar_vexp;
static void (*volatile s_sincos)(double, double *, double *) = scalar_vsincos;
static void (*volatile s_sincospi)(double, double *, double *) = scalar_vsincospi;

static void check_log(void)
{
    uint64_t s = 11;
    for (size_t i = 0; i < N; i++) {
        double t = lcg01(&s);
        /* a third each: all binades, the uniforms' range, around 1 */
        in[i] = i % 3 == 0 ? exp((t - 0.5) * 1400.0) : i % 3 == 1 ? t : 0.97 + 0.06 * t;
    }
#pragma omp simd
    for (size_t i = 0; i < N; i++) vec[i] = ts_vlog_normal(in[i]);
    for (size_t i = 0; i < N; i++) sca[i] = s_log_normal(in[i]);
    report("vlog_normal", count_diff(vec, sca, N), N);
#pragma omp simd
    for (size_t i = 0; i < N; i++) vec[i] = ts_vlog_fast(in[i]);
    for (size_t i = 0; i < N; i++) sca[i] = s_log_fast(in[i]);
    report("vlog_fast", count_diff(vec, sca, N), N);

    /* ts_vlog adds the special cases: mix them in */
    static const double special[] = { 0.0, -0.0, -1.0, INFINITY, -INFINITY, NAN,
                                      5e-324, 1e-310, 0x1p-1022, 1.0, 0x1.fffffffffffffp1023 };
    for (size_t i = 0; i < N; i += 7) in[i] = special[(i / 7) % (sizeof special / sizeof special[0])];
#pragma omp simd
    for (size_t i = 0; i < N; i++) vec[i] = ts_vlog(in[i]);
    for (size_t i = 0; i < N; i++) sca[i] = s_log(in[i]);
    report("vlog", count_diff(vec, sca, N), N);
}

static void check_exp_sincos(void)
{
    uint64_t s = 12;
    for (size_t i = 0; i < N; i++) in[i] = (lcg01(&s) - 0.5) * 1500.0;
#pragma omp simd
    for (size_t i = 0; i < N; i++) vec[i] = ts_vexp(in[i]);
    for (size_t i = 0; i < N; i++) sca[i] = s_exp(in[i]);
    report("vexp", count_diff(vec, sca, N), N);

    for (size_t i = 0; i < N; i++) in[i] = (lcg01(&s) - 0.5) * 20.0;
#pragma omp simd
    for (size_t i = 0; i < N; i++) ts_vsincos(in[i], &vec[i], &vec2[i]);
    for (size_t i = 0; i < N; i++) s_sincos(in[i], &sca[i], &sca2[i]);
    report("vsincos", count_diff(vec, sca, N) + count_diff(vec2, sca2, N), 2 * N);

    for (size_t i = 0; i < N; i++) in[i] = lcg01(&s) - 0.5;
    in[0] = 0.5, in[1] = -0.5, in[2] = 0.25, in[3] = -0.25, in[4] = 0.0;
#pragma omp simd
    for (size_t i = 0; i < N; i++) ts_vsincospi(in[i], &vec[i], &vec2[i]);
    for (size_t i = 0; i < N; i++) s_sincospi(in[i], &sca[i], &sca2[i]);
    report("vsincospi", count_diff(vec, sca, N) + count_diff(vec2, sca2, N), 2 * N);
}

/* ts_stable_fill (vectorised loops in the release library) against
 * ts_stable_draw (scalar), every branch, off a lane boundary. */
static void check_stable(void)
{
    static const double laws[][2] = { { 2.0, 0.0 }, { 1.0, 0.5 }, { 1.0, -1.0 }, { 1.0, 0.0 },
                                      { 1.5, 0.5 }, { 1.1, -0.9 }, { 0.5, 1.0 }, { 0.999, -0.7 } };
    enum { M = 4099 };
    for (size_t k = 0; k < sizeof laws / sizeof laws[0]; k++) {
        ts_stable law;
        ts_rng a, b;
        if (ts_stable_init(&law, laws[k][0], laws[k][1], 1.3, 0.2, TS_S1, NULL) != TS_OK ||
            ts_rng_init(&a, 77, k, 1, TS_PURPOSE_TEST, NULL) != TS_OK ||
            ts_rng_init(&b, 77, k, 1, TS_PURPOSE_TEST, NULL) != TS_OK) {
            printf("FAIL: simd_bits_stable: init failed for alpha %g beta %g\n", laws[k][0], laws[k][1]);
            failures++;
            continue;
        }
        ts_rng_uniform(&a);
        ts_rng_uniform(&b);
        ts_stable_fill(&law, &a, M, vec);
        for (size_t i = 0; i < M; i++) sca[i] = ts_stable_draw(&law, &b);
        char name[64];
        snprintf(name, sizeof name, "stable_a%g_b%g", laws[k][0], laws[k][1]);
        report(name, count_diff(vec, sca, M), M);
    }
}

/* The SDE chains' implicit steps (src/sde/ts_sde_internal.h), vectorised
 * as the kernel runs them, against scalar calls: the double well's series
 * start plus Halley step, and a polynomial's Newton steps. */
static double scalar_halley(double r, double eta, double c, double ic, double ec, double *s)
{
    return ts_implicit_cubic_halley(r, eta, c, ic, ec, s);
}
static double scalar_poly_newton(const ts_potential *p, double r, double eta, int *ok)
{
    return ts_implicit_poly_newton(p, r, eta, ok);
}
static double (*volatile s_halley)(double, double, double, double, double, double *) = scalar_halley;
static double (*volatile s_poly_newton)(const ts_potential *, double, double, int *) = scalar_poly_newton;

static void check_implicit(void)
{
    uint64_t st = 5;
    for (size_t i = 0; i < N; i++) in[i] = (lcg01(&st) - 0.5) * (i % 2 ? 12.0 : 1e4 * lcg01(&st));
    const double eta = 1e-3, c = 1 - eta * 1.0, ic = 1 / c, ec = eta * ic;
#pragma omp simd
    for (size_t i = 0; i < N; i++) {
        double sv;
        vec[i] = ts_implicit_cubic_halley(in[i], eta, c, ic, ec, &sv);
        vec2[i] = sv;
    }
    for (size_t i = 0; i < N; i++) sca[i] = s_halley(in[i], eta, c, ic, ec, &sca2[i]);
    report("implicit_cubic_halley", count_diff(vec, sca, N) + count_diff(vec2, sca2, N), N);
    ts_potential p;
    const double coef[7] = { 0, 0, -0.585, 0.305, 0.20875, -0.2, 0.0416666666666667 };
    ts_potential_poly(&p, coef, 7, NULL);
    for (size_t i = 0; i < N; i += 8) ts_implicit_poly_newton8(&p, in + i, 1e-2, vec + i, vec2 + i);
    for (size_t i = 0; i < N; i++) {
        int ok;
        sca[i] = s_poly_newton(&p, in[i], 1e-2, &ok);
        sca2[i] = ok;
    }
    report("implicit_poly_newton", count_diff(vec, sca, N) + count_diff(vec2, sca2, N), N);
}

int main(void)
{
    check_log();
    check_exp_sincos();
    check_stable();
    check_implicit();
    return failures ? 1 : 0;
}
