/* bench_density.c: the accurate stable pdf and cdf of tailsweep against its
 * peers, side by side in one process, on one core.
 *
 *   build/release/bench/bench_density [--base LIB.so] [--libstable LIB.so]
 *                                     [--rel-tol T] [--abs-tol T] [--rounds R]
 *
 * Peers (each optional, loaded with dlopen; neither is built by this
 * repository):
 *   --base       an earlier tailsweep's libtailsweep.so, as bench/build_base.sh
 *                builds it from a git revision: the before/after speed-up;
 *   --libstable  libstable's shared library (Royuela-del-Val et al., J. Stat.
 *                Softw. 78(1), 2017), built by the user from its sources; run
 *                single-threaded (stable_set_THREADS(1)) at --rel-tol and
 *                --abs-tol (default 1e-12 and 1e-12: the tolerance of the
 *                earlier comparison in docs/benchmarks.md), point by point with
 *                stable_pdf_point / stable_cdf_point, as its own vector call
 *                does in each thread.
 *
 * Workloads (S0, scale 1, loc 0):
 *   body   30 laws, alpha in {0.4, 0.6, 0.8, 0.9, 1.1, 1.2, 1.4, 1.6, 1.8,
 *          1.95} x beta in {-1, 0, 0.5}, 101 points on [-10, 10] each,
 *          tailsweep through its vector API (one call per law);
 *   single the same points, one call per point (no shared set-up);
 *   light  the light side of S1(1.5, 1) and S1(0.7, 1), 20 points each from
 *          where the density underflows out to |x| = 1e8.
 * Every round times each peer on the same points in turn (CPU time of the
 * thread); printed are the medians over rounds of microseconds per point
 * and of the rounds' own time ratios (peer / tailsweep), and each peer's
 * largest relative difference from tailsweep on the body (points with
 * density or probability above 1e-300; tailsweep itself is checked against
 * 40-digit references in docs/stable-fitting.md). */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tailsweep/ts_stable.h"
#include "tailsweep/ts_stable_dist.h"

#include "bench_common.h"

typedef ts_status (*vec_fn)(const ts_stable *, size_t, const double *, double *, ts_err *);
typedef ts_status (*one_fn)(const ts_stable *, double, double *, ts_err *);

/* libstable's entry points (its declarations, from its stable.h) */
typedef struct StableDistStruct StableDist;
typedef struct {
    void *h;
    StableDist *(*create)(double, double, double, double, int);
    void (*free)(StableDist *);
    double (*pdf)(StableDist *, const double, double *);
    double (*cdf)(StableDist *, const double, double *);
} libstable;

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void *sym(void *h, const char *name, const char *lib)
{
    void *p = dlsym(h, name);
    if (!p) {
        fprintf(stderr, "bench_density: %s has no %s\n", lib, name);
        exit(2);
    }
    return p;
}

enum { NL = 30, NX = 101, NLIGHT = 40, ROUNDS_MAX = 51 };
static const double AL[10] = { 0.4, 0.6, 0.8, 0.9, 1.1, 1.2, 1.4, 1.6, 1.8, 1.95 }, BE[3] = { -1.0, 0.0, 0.5 };

typedef struct {
    const char *name;
    vec_fn pdf_vec, cdf_vec;
    one_fn pdf1, cdf1;
    libstable *ls;
} peer;

/* One pass over the body: y[law][point] for pdf (what = 0) or cdf (1). */
static double run_body(const peer *p, int what, int single, const double *x, double *y)
{
    double t0 = cpu_now();
    for (int l = 0; l < NL; l++) {
        double a = AL[l / 3], b = BE[l % 3], *yl = y + (size_t)l * NX;
        if (p->ls) {
            StableDist *d = p->ls->create(a, b, 1.0, 0.0, 0);
            double e;
            for (int i = 0; i < NX; i++) yl[i] = what ? p->ls->cdf(d, x[i], &e) : p->ls->pdf(d, x[i], &e);
            p->ls->free(d);
            continue;
        }
        ts_stable law;
        ts_err err;
        ts_stable_init(&law, a, b, 1.0, 0.0, TS_S0, &err);
        if (single) {
            for (int i = 0; i < NX; i++) (what ? p->cdf1 : p->pdf1)(&law, x[i], &yl[i], &err);
        } else {
            (what ? p->cdf_vec : p->pdf_vec)(&law, NX, x, yl, &err);
        }
    }
    return cpu_now() - t0;
}

static double run_light(const peer *p, const double *xl, double *y)
{
    double t0 = cpu_now();
    for (int k = 0; k < 2; k++) {
        double a = k ? 0.7 : 1.5;
        const double *xk = xl + k * (NLIGHT / 2);
        double *yk = y + k * (NLIGHT / 2);
        if (p->ls) {
            StableDist *d = p->ls->create(a, 1.0, 1.0, 0.0, 1);
            double e;
            for (int i = 0; i < NLIGHT / 2; i++) yk[i] = p->ls->pdf(d, xk[i], &e);
            p->ls->free(d);
            continue;
        }
        ts_stable law;
        ts_err err;
        ts_stable_init(&law, a, 1.0, 1.0, 0.0, TS_S1, &err);
        p->pdf_vec(&law, NLIGHT / 2, xk, yk, &err);
    }
    return cpu_now() - t0;
}

static double median(double *v, int n)
{
    qsort(v, n, sizeof *v, bench_cmp_double);
    return 0.5 * (v[(n - 1) / 2] + v[n / 2]);
}

int main(int argc, char **argv)
{
    const char *base = NULL, *lsp = NULL;
    double rtol = 1e-12, atol = 1e-12;
    int rounds = 5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--base") && i + 1 < argc) base = argv[++i];
        else if (!strcmp(argv[i], "--libstable") && i + 1 < argc) lsp = argv[++i];
        else if (!strcmp(argv[i], "--rel-tol") && i + 1 < argc) rtol = atof(argv[++i]);
        else if (!strcmp(argv[i], "--abs-tol") && i + 1 < argc) atol = atof(argv[++i]);
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--base LIB.so] [--libstable LIB.so] [--rel-tol T] [--abs-tol T] [--rounds R]\n",
                    argv[0]);
            return 2;
        }
    }
    if (rounds < 1 || rounds > ROUNDS_MAX) return 2;
    peer peers[3];
    int np = 0;
    peers[np++] = (peer){ "tailsweep", ts_stable_pdf_vec, ts_stable_cdf_vec, ts_stable_pdf, ts_stable_cdf, NULL };
    if (base) {
        /* its own copies of every symbol, not this binary's */
        void *h = dlopen(base, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
        if (!h) { fprintf(stderr, "bench_density: %s\n", dlerror()); return 2; }
        peers[np++] = (peer){ "tailsweep-base", (vec_fn)sym(h, "ts_stable_pdf_vec", base),
                              (vec_fn)sym(h, "ts_stable_cdf_vec", base), (one_fn)sym(h, "ts_stable_pdf", base),
                              (one_fn)sym(h, "ts_stable_cdf", base), NULL };
    }
    static libstable ls;
    if (lsp) {
        ls.h = dlopen(lsp, RTLD_NOW | RTLD_LOCAL);
        if (!ls.h) { fprintf(stderr, "bench_density: %s\n", dlerror()); return 2; }
        ls.create = (StableDist * (*)(double, double, double, double, int))sym(ls.h, "stable_create", lsp);
        ls.free = (void (*)(StableDist *))sym(ls.h, "stable_free", lsp);
        ls.pdf = (double (*)(StableDist *, const double, double *))sym(ls.h, "stable_pdf_point", lsp);
        ls.cdf = (double (*)(StableDist *, const double, double *))sym(ls.h, "stable_cdf_point", lsp);
        ((void (*)(unsigned))sym(ls.h, "stable_set_THREADS", lsp))(1);
        ((void (*)(double))sym(ls.h, "stable_set_relTOL", lsp))(rtol);
        ((void (*)(double))sym(ls.h, "stable_set_absTOL", lsp))(atol);
        peers[np++] = (peer){ "libstable", NULL, NULL, NULL, NULL, &ls };
    }
    double x[NX], xl[NLIGHT];
    for (int i = 0; i < NX; i++) x[i] = -10.0 + 20.0 * i / (NX - 1);
    for (int i = 0; i < NLIGHT / 2; i++) {
        xl[i] = -30.0 * pow(1e8 / 30.0, i / (NLIGHT / 2 - 1.0));        /* S1(1.5, 1): log f < -2000 */
        xl[NLIGHT / 2 + i] = 1e-3 * pow(1e-5, i / (NLIGHT / 2 - 1.0));  /* S1(0.7, 1): the edge */
    }
    static double y[3][2][NL * NX], yl[3][NLIGHT];
    /* t[peer][workload][round]; workloads: pdf, cdf, single pdf, single cdf, light */
    static double t[3][5][ROUNDS_MAX];
    for (int r = 0; r < rounds; r++)
        for (int p = 0; p < np; p++) {
            t[p][0][r] = run_body(&peers[p], 0, 0, x, y[p][0]);
            t[p][1][r] = run_body(&peers[p], 1, 0, x, y[p][1]);
            t[p][2][r] = peers[p].ls ? t[p][0][r] : run_body(&peers[p], 0, 1, x, y[p][0]);
            t[p][3][r] = peers[p].ls ? t[p][1][r] : run_body(&peers[p], 1, 1, x, y[p][1]);
            t[p][4][r] = run_light(&peers[p], xl, yl[p]);
        }
    static const char *wl[5] = { "body pdf (vector)", "body cdf (vector)", "body pdf (point by point)",
                                 "body cdf (point by point)", "light-side pdf (underflow)" };
    const double npts[5] = { NL * NX, NL * NX, NL * NX, NL * NX, NLIGHT };
    printf("| workload | %s us/pt |", peers[0].name);
    for (int p = 1; p < np; p++) printf(" %s us/pt | %s / tailsweep |", peers[p].name, peers[p].name);
    printf("\n|---|---:|");
    for (int p = 1; p < np; p++) printf("---:|---:|");
    printf("\n");
    for (int w = 0; w < 5; w++) {
        double m0, tmp[ROUNDS_MAX];
        memcpy(tmp, t[0][w], rounds * sizeof(double));
        m0 = median(tmp, rounds);
        printf("| %s | %.2f |", wl[w], m0 * 1e6 / npts[w]);
        for (int p = 1; p < np; p++) {
            double ratio[ROUNDS_MAX];
            memcpy(tmp, t[p][w], rounds * sizeof(double));
            for (int r = 0; r < rounds; r++) ratio[r] = t[p][w][r] / t[0][w][r];
            printf(" %.2f | %.2f |", median(tmp, rounds) * 1e6 / npts[w], median(ratio, rounds));
        }
        printf("\n");
    }
    for (int p = 1; p < np; p++) {
        double mx[2] = { 0, 0 };
        for (int w = 0; w < 2; w++)
            for (int i = 0; i < NL * NX; i++) {
                double a = y[p][w][i], b = y[0][w][i];
                if (fabs(b) > 1e-300) mx[w] = fmax(mx[w], a == b ? 0 : fabs(a - b) / fabs(b));
            }
        printf("%s: largest relative difference from tailsweep on the body: pdf %.1e, cdf %.1e\n", peers[p].name,
               mx[0], mx[1]);
    }
    if (lsp) printf("(libstable at relTOL %g, absTOL %g, one thread)\n", rtol, atol);
    return 0;
}
