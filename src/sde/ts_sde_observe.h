/* ts_sde_observe.h: what the chains are watched for while they run, inlined
 * into the kernels of ts_sde_run.c (the rare events and the bookkeeping are
 * in ts_sde_observe.c):
 *
 *  - basin statistics, over every step after burn-in: which basin each lane
 *    is in, time spent there, exits, and exit times from the minimum. A step
 *    costs the lane a comparison per barrier and one with its basin's
 *    minimum (only until it has crossed it); a change of basin or the first
 *    crossing of the minimum is an event, handled lane by lane out of line.
 *  - test-function averages, on the binned samples: per lane sums of
 *    eta_k g(w_k) and g(w_k) and of the weights. */
#ifndef TS_SDE_OBSERVE_H
#define TS_SDE_OBSERVE_H

#include <stdint.h>

#include "tailsweep/ts_rng.h"
#include "tailsweep/ts_sde.h"
#include "ts_sde_internal.h"

#define L TS_RNG_LANES

/* Per group of eight chains, one coordinate. Basin state per lane:
 * tracked (counted since burn-in and alive), its basin, armed (has crossed
 * the minimum since it entered), when it entered and when it crossed, and
 * ms, the basin of the last minimum it crossed (-1: none yet). The
 * step's test reads only x, tracked, mcur and key: key = 2 basin + side,
 * side = (x > mcur), and mcur is the basin's minimum until the lane crosses
 * it, +inf afterwards (so that side stays 0 and crossing it again is no
 * event). A step whose key differs from the stored one is an event. */
typedef struct {
    ts_rng rng;
    double x[L];
    unsigned char alive[L];
    double died[L];                    /* step it diverged, NaN if never */
    double tracked[L], mcur[L], key[L], basin[L], armed[L], entry[L], arm_t[L], ms[L];
} group_state;

typedef struct {
    int basin_stats;
    ts_basins basins;
    size_t nbar;                       /* barriers: basins.hi[0 .. n - 2] */
    uint64_t chains;
    double *chain_time, *chain_exits;  /* [chain * basins.n + basin]      */
    double et_sum[TS_SDE_MAX_BASINS], et_sumsq[TS_SDE_MAX_BASINS], et_n[TS_SDE_MAX_BASINS];
    size_t nt;
    ts_test_fn tests[TS_SDE_MAX_TESTS];
    int accumulate;                    /* test functions, or weighted bins to count */
    double *tacc;                      /* per group: (2 nt + 2) x L sums  */
} observer;

ts_status obs_init(observer *o, const ts_sde_config *c, size_t coord, uint64_t ngroups, ts_err *err);
void obs_free(observer *o);
/* a lane stops being counted (it diverged) at clock clk */
void obs_close(observer *o, group_state *g, uint64_t q, int j, double clk);
/* a lane changed basin or crossed its minimum */
void obs_event(observer *o, group_state *g, uint64_t q, int j, double key, double clk);
void obs_start(observer *o, group_state *g, double clk);
/* Totals, standard errors and the test averages; rescales weighted bins so
 * that their total is the number of samples (what bandwidth rules expect). */
void obs_finish(observer *o, group_state *gs, uint64_t ngroups, double clock_end, ts_bins *bins,
                ts_basin_stats *bs, ts_test_stats *ts);

TS_INLINE void obs_basins(observer *o, group_state *g, uint64_t q, int first, double clk)
{
    if (first) {
        obs_start(o, g, clk);
        return;
    }
    if (o->nbar == 0) return;   /* one basin: time only, counted at the end */
    const double *bar = o->basins.hi;
    const size_t nbar = o->nbar;
    double nbv[L], ev[L];
    int any = 0;
#pragma omp simd
    for (int j = 0; j < L; j++) nbv[j] = g->x[j] >= bar[0] ? 1.0 : 0.0;
    for (size_t i = 1; i < nbar; i++) {
        const double bi = bar[i];
#pragma omp simd
        for (int j = 0; j < L; j++) nbv[j] += g->x[j] >= bi ? 1.0 : 0.0;
    }
#pragma omp simd
    for (int j = 0; j < L; j++) {
        double key = 2 * nbv[j] + (g->x[j] > g->mcur[j] ? 1.0 : 0.0);
        nbv[j] = key;
        ev[j] = key != g->key[j] && g->tracked[j] != 0 ? 1.0 : 0.0;
    }
    for (int j = 0; j < L; j++) any |= ev[j] != 0;
    if (any)
        for (int j = 0; j < L; j++)
            if (ev[j] != 0) obs_event(o, g, q, j, nbv[j], clk);
}

TS_INLINE void obs_tests(observer *o, group_state *g, uint64_t q, double eta)
{
    const size_t nt = o->nt;
    double *acc = o->tacc + q * (2 * nt + 2) * L;
    double a[L];
    for (int j = 0; j < L; j++) a[j] = g->alive[j] ? 1.0 : 0.0;
    for (size_t t = 0; t < nt; t++) {
        const ts_test_fn *f = &o->tests[t];
        double *sw = acc + 2 * t * L, *su = sw + L, v[L];
        if (f->kind == TS_TEST_MOMENT) {
            const unsigned m = f->index;
#pragma omp simd
            for (int j = 0; j < L; j++) {
                double p = g->x[j];
                for (unsigned i = 1; i < m; i++) p *= g->x[j];
                v[j] = p;
            }
        } else if (f->kind == TS_TEST_BASIN) {
            const double lo = o->basins.lo[f->index], hi = o->basins.hi[f->index];
#pragma omp simd
            for (int j = 0; j < L; j++) v[j] = g->x[j] >= lo && g->x[j] < hi ? 1.0 : 0.0;
        } else {
#pragma omp simd
            for (int j = 0; j < L; j++) v[j] = ts_horner(f->coef, f->deg, g->x[j]);
        }
#pragma omp simd
        for (int j = 0; j < L; j++) {
            sw[j] += eta * a[j] * v[j];
            su[j] += a[j] * v[j];
        }
    }
    double *W = acc + 2 * nt * L, *N = W + L;
#pragma omp simd
    for (int j = 0; j < L; j++) {
        W[j] += eta * a[j];
        N[j] += a[j];
    }
}

#endif
