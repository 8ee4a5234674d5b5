/* ts_sde_observe.c: the out-of-line half of ts_sde_observe.h: starting and
 * closing the lanes' basin sojourns, the events, and the totals with their
 * standard errors.
 *
 * Standard errors are those of a ratio of sums over independent chains,
 * R = sum S_c / sum W_c (exits over time, time in a basin over all time,
 * sum eta g over sum eta): by the delta method
 *   se(R)^2 = C / (C - 1) sum_c (S_c - R W_c)^2 / (sum_c W_c)^2,
 * which holds whatever the dependence along each chain (bursts of exits
 * near a barrier, correlated samples) because chains are independent. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ts_sde_observe.h"

ts_status obs_init(observer *o, const ts_sde_config *c, size_t coord, uint64_t ngroups, ts_err *err)
{
    memset(o, 0, sizeof *o);
    ts_status st = ts_potential_basins(&c->pot[coord], &o->basins, err);
    if (st) return st;
    o->basin_stats = c->basin_stats;
    o->nbar = o->basins.n - 1;
    o->chains = c->chains;
    o->nt = c->n_tests;
    o->accumulate = c->n_tests > 0 || (c->gamma != 0 && c->average == TS_AVG_WEIGHTED);
    memcpy(o->tests, c->tests, c->n_tests * sizeof c->tests[0]);
    size_t nb = o->basins.n;
    o->chain_time = calloc(c->chains * nb, sizeof(double));
    o->chain_exits = calloc(c->chains * nb, sizeof(double));
    o->tacc = calloc(ngroups * (2 * o->nt + 2) * L, sizeof(double));
    if (!o->chain_time || !o->chain_exits || !o->tacc) {
        obs_free(o);
        return ts_err_set(err, TS_ENOMEM, "sde: out of memory for the basin statistics of %llu chains",
                          (unsigned long long)c->chains);
    }
    return TS_OK;
}

void obs_free(observer *o)
{
    free(o->chain_time);
    free(o->chain_exits);
    free(o->tacc);
    o->chain_time = o->chain_exits = o->tacc = NULL;
}

static size_t basin_of(const observer *o, double w)
{
    size_t b = 0;
    for (size_t i = 0; i < o->nbar; i++) b += w >= o->basins.hi[i];
    return b;
}

/* the lane enters basin b (or starts in it) at clock clk */
static void enter(const observer *o, group_state *g, int j, size_t b, double clk)
{
    g->basin[j] = (double)b;
    g->mcur[j] = o->basins.min[b];
    g->key[j] = 2.0 * (double)b + (g->x[j] > g->mcur[j] ? 1.0 : 0.0);
    g->armed[j] = 0;
    g->entry[j] = clk;
}

void obs_start(observer *o, group_state *g, double clk)
{
    for (int j = 0; j < L; j++) {
        if (!g->alive[j]) continue;
        g->tracked[j] = 1;
        g->ms[j] = -1;   /* no minimum reached yet */
        enter(o, g, j, basin_of(o, g->x[j]), clk);
    }
}

void obs_close(observer *o, group_state *g, uint64_t q, int j, double clk)
{
    uint64_t chain = q * L + (uint64_t)j;
    o->chain_time[chain * o->basins.n + (size_t)g->basin[j]] += clk - g->entry[j];
    g->tracked[j] = 0;
}

void obs_event(observer *o, group_state *g, uint64_t q, int j, double key, double clk)
{
    const size_t b = (size_t)g->basin[j], nb = (size_t)(key / 2);
    const uint64_t chain = q * L + (uint64_t)j;
    if (nb == b) {
        /* It crossed the minimum of its basin: the start of an exit time,
         * and, if the last minimum it crossed was another one, the end of
         * an exit from that basin. */
        if (g->ms[j] >= 0 && (size_t)g->ms[j] != b) o->chain_exits[chain * o->basins.n + (size_t)g->ms[j]] += 1;
        g->ms[j] = (double)b;
        g->armed[j] = 1;
        g->arm_t[j] = clk;
        g->mcur[j] = INFINITY;   /* no more tests of this minimum until it leaves */
        g->key[j] = 2.0 * (double)b;
        return;
    }
    o->chain_time[chain * o->basins.n + b] += clk - g->entry[j];
    if (g->armed[j] != 0) {   /* the first passage over a barrier since the minimum */
        double tau = clk - g->arm_t[j];
        o->et_sum[b] += tau;
        o->et_sumsq[b] += tau * tau;
        o->et_n[b] += 1;
    }
    enter(o, g, j, nb, clk);
}

/* se of sum S / sum W over C chains, S and W strided arrays */
static double ratio_se(const double *S, size_t ss_, const double *W, size_t ws_, uint64_t C)
{
    double ss = 0, sw = 0;
    for (uint64_t c = 0; c < C; c++) {
        ss += S[c * ss_];
        sw += W[c * ws_];
    }
    if (C < 2 || !(sw > 0)) return NAN;
    double r = ss / sw, v = 0;
    for (uint64_t c = 0; c < C; c++) {
        double d = S[c * ss_] - r * W[c * ws_];
        v += d * d;
    }
    return sqrt(v * (double)C / (double)(C - 1)) / sw;
}

static void finish_basins(observer *o, group_state *gs, uint64_t ngroups, double clock_end, ts_basin_stats *bs)
{
    const size_t nb = o->basins.n;
    const uint64_t C = o->chains;
    for (uint64_t q = 0; q < ngroups; q++)
        for (int j = 0; j < L; j++)
            if (gs[q].tracked[j] != 0) obs_close(o, &gs[q], q, j, clock_end);
    memset(bs, 0, sizeof *bs);
    double *tot = calloc(C ? C : 1, sizeof *tot);
    for (uint64_t c = 0; c < C; c++)
        for (size_t b = 0; b < nb; b++) {
            bs->time[b] += o->chain_time[c * nb + b];
            bs->exits[b] += o->chain_exits[c * nb + b];
            if (tot) tot[c] += o->chain_time[c * nb + b];
        }
    for (size_t b = 0; b < nb; b++) bs->total_time += bs->time[b];
    for (size_t b = 0; b < nb; b++) {
        bs->exit_rate_se[b] = bs->exits[b] > 0 ? ratio_se(o->chain_exits + b, nb, o->chain_time + b, nb, C) : NAN;
        /* the occupancy of chain c is chain_time[c][b] / tot[c] */
        bs->occupancy_se[b] = tot ? ratio_se(o->chain_time + b, nb, tot, 1, C) : NAN;
        if (tot && nb == 1) bs->occupancy_se[b] = 0;   /* exactly 1 */
        bs->exit_time_sum[b] = o->et_sum[b];
        bs->exit_time_sumsq[b] = o->et_sumsq[b];
        bs->exit_time_n[b] = o->et_n[b];
    }
    free(tot);
}

/* ratio_se with the W stride differing from S's: copy-free for the tests */
static double test_se(const double *acc, size_t nt, size_t t, uint64_t ngroups, uint64_t C)
{
    double ss = 0, sw = 0, v = 0;
    const size_t blk = (2 * nt + 2) * L;
    for (int pass = 0; pass < 2; pass++)
        for (uint64_t q = 0; q < ngroups; q++)
            for (int j = 0; j < L; j++) {
                if (q * L + (uint64_t)j >= C) continue;
                double S = acc[q * blk + 2 * t * L + j], W = acc[q * blk + 2 * nt * L + j];
                if (pass == 0) {
                    ss += S;
                    sw += W;
                } else {
                    double d = S - ss / sw * W;
                    v += d * d;
                }
            }
    if (C < 2 || !(sw > 0)) return NAN;
    return sqrt(v * (double)C / (double)(C - 1)) / sw;
}

void obs_finish(observer *o, group_state *gs, uint64_t ngroups, double clock_end, ts_bins *bins,
                ts_basin_stats *bs, ts_test_stats *ts)
{
    if (o->basin_stats) finish_basins(o, gs, ngroups, clock_end, bs);
    else {
        memset(bs, 0, sizeof *bs);
        for (size_t b = 0; b < TS_SDE_MAX_BASINS; b++) {
            bs->time[b] = bs->exits[b] = bs->exit_rate_se[b] = bs->occupancy_se[b] = NAN;
        }
        bs->total_time = NAN;
    }
    const size_t nt = o->nt, blk = (2 * nt + 2) * L;
    double W = 0, N = 0;
    for (uint64_t q = 0; q < ngroups; q++)
        for (int j = 0; j < L; j++) {
            W += o->tacc[q * blk + 2 * nt * L + j];
            N += o->tacc[q * blk + (2 * nt + 1) * L + j];
        }
    memset(ts, 0, sizeof *ts);
    for (size_t t = 0; t < nt; t++) {
        double sw = 0, su = 0;
        for (uint64_t q = 0; q < ngroups; q++)
            for (int j = 0; j < L; j++) {
                sw += o->tacc[q * blk + 2 * t * L + j];
                su += o->tacc[q * blk + (2 * t + 1) * L + j];
            }
        ts->weighted[t] = W > 0 ? sw / W : NAN;
        ts->unweighted[t] = N > 0 ? su / N : NAN;
        ts->se[t] = test_se(o->tacc, nt, t, ngroups, o->chains);
    }
    /* weighted bins: scale the weights (sum eta_k / eta0) back to the count */
    if (bins->total > 0 && N > 0 && bins->total != N) {
        double f = N / bins->total;
        for (size_t i = 0; i < bins->grid.n; i++) bins->w[i] *= f;
        bins->below *= f;
        bins->above *= f;
        bins->total = N;
    }
}
