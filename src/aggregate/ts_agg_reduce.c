/* ts_agg_reduce.c: statistics over some dimensions of a store's array,
 * computed box by box so that memory stays bounded whatever the sweep's size.
 *
 * A box fixes the leading kept dimensions to single indices and spans every
 * other dimension, so it holds whole cells (every value a cell reduces over)
 * and its cells form a box of the output too: one read, one write per
 * output. The fewest leading kept dimensions are fixed that bring a box
 * under AGG_BOX_ELEMS values. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ts_agg_internal.h"

ts_status agg_read_view(void *src, const size_t *start, const size_t *count, double *out, ts_err *err)
{
    agg_view_src *s = src;
    return ts_store_view_read_slab(s->v, s->path, start, count, TS_READ_DOUBLE, out, err);
}

/* The over-list as text, for descriptions: "replicate alpha". */
static void over_text(const agg_ctx *c, char *buf, size_t n)
{
    buf[0] = '\0';
    for (size_t i = 0; i < c->v->n_dims; i++) {
        if (!c->reduce[i]) continue;
        size_t used = strlen(buf);
        snprintf(buf + used, n - used, "%s%s", used ? " " : "", c->v->dims[i].name);
    }
}

enum { O_COUNT, O_MEAN, O_SD, O_SE, O_MEDIAN, O_QUANT, O_LO, O_HI, O_N };

ts_status agg_reduce_write(agg_ctx *c, const agg_source *s, const ts_agg_opts *o, ts_agg_summary *sum)
{
    size_t rank = s->rank;
    int red[TS_VIEW_MAX_RANK];
    size_t kept[TS_VIEW_MAX_RANK], nk = 0, nred = 1;
    for (size_t k = 0; k < rank; k++) {
        if (s->dims[k] < 0)
            return ts_err_set(c->err, TS_EINVAL, "%s: dimension %zu of '%s' has no scale", c->path, k, s->name);
        red[k] = c->reduce[s->dims[k]];
        if (red[k]) nred *= s->shape[k];
        else kept[nk++] = k;
    }
    /* fix the fewest leading kept dims that make a box small enough */
    size_t p = 0, cells_box = 1;
    for (size_t j = 0; j < nk; j++) cells_box *= s->shape[kept[j]];
    while (p < nk && cells_box * nred > AGG_BOX_ELEMS) cells_box /= s->shape[kept[p++]];
    size_t n_q = s->is_map || s->only_count ? 0 : o->n_q;

    /* the outputs, full size, created before any value is read */
    char over[256], d[512], nm[128];
    over_text(c, over, sizeof over);
    int odims[TS_VIEW_MAX_RANK + 1];
    size_t oshape[TS_VIEW_MAX_RANK + 1];
    for (size_t j = 0; j < nk; j++) {
        odims[j] = s->dims[kept[j]];
        oshape[j] = s->shape[kept[j]];
    }
    odims[nk] = AGG_QUANTILE_DIM;
    oshape[nk] = n_q;
    hid_t out[O_N];
    const char *oname[O_N] = { 0 };
    char names[O_N][128];
    for (int i = 0; i < O_N; i++) out[i] = -1;
    static const char *const stat[O_N] = { "count", "mean", "sd", "se", "median", "quantile", "ci_lo", "ci_hi" };
    ts_status st = TS_OK;
    for (int i = 0; i < O_N && !st; i++) {
        int want = s->only_count ? i == O_COUNT
                 : s->is_map     ? (i == O_COUNT || i == O_MEAN || i == O_SD || i == O_LO || i == O_HI)
                                 : (i <= O_MEDIAN || (i == O_QUANT && n_q));
        if (!want) continue;
        if (s->only_count) snprintf(nm, sizeof nm, "%s", s->name);
        else if (s->is_map) snprintf(nm, sizeof nm, i == O_MEAN ? "map_%s" : "map_%s_%s", s->name, stat[i]);
        else snprintf(nm, sizeof nm, "%s_%s", s->name, stat[i]);
        if (i == O_QUANT)
            snprintf(d, sizeof d, "quantiles (NumPy 'linear') over %s of: %s", over, s->desc);
        else if (i == O_LO || i == O_HI)
            snprintf(d, sizeof d, "%s end of the %g%% Student-t confidence interval of the mean over %s of: %s",
                     i == O_HI ? "upper" : "lower", 100 * o->level, over, s->desc);
        else
            snprintf(d, sizeof d, "%s over %s of: %s", stat[i], over, s->desc);
        snprintf(names[i], sizeof names[i], "%s", nm);
        oname[i] = names[i];
        agg_out_spec os = { nm, i == O_COUNT ? "" : s->units, d, s->only_count ? TS_DS_STATUS : s->name, stat[i],
                            nk + (i == O_QUANT), odims, oshape, i == O_COUNT };
        st = agg_out_create(c, &os, &out[i]);
    }

    double *buf = NULL, *work = NULL, *res = NULL;
    uint64_t *cnt = NULL;
    if (!st) {
        buf = malloc((cells_box * nred > 0 ? cells_box * nred : 1) * sizeof *buf);
        work = malloc((nred ? nred : 1) * sizeof *work);
        res = malloc((cells_box ? cells_box : 1) * (O_N + (n_q ? n_q : 1)) * sizeof *res);
        cnt = malloc((cells_box ? cells_box : 1) * sizeof *cnt);
        if (!buf || !work || !res || !cnt) st = ts_err_set(c->err, TS_ENOMEM, "%s: out of memory", c->path);
    }
    /* box strides (row-major over the box's own shape) */
    size_t fidx[TS_VIEW_MAX_RANK] = { 0 }, start[TS_VIEW_MAX_RANK], count[TS_VIEW_MAX_RANK], bstride[TS_VIEW_MAX_RANK];
    int more = !st;
    while (more) {
        for (size_t k = 0; k < rank; k++) {
            start[k] = 0;
            count[k] = s->shape[k];
        }
        for (size_t j = 0; j < p; j++) {
            start[kept[j]] = fidx[j];
            count[kept[j]] = 1;
        }
        for (size_t k = rank, str = 1; k-- > 0;) {
            bstride[k] = str;
            str *= count[k];
        }
        st = s->read(s->src, start, count, buf, c->err);
        if (st) break;
        /* every cell of the box: the free kept dims, row-major */
        size_t cidx[TS_VIEW_MAX_RANK] = { 0 };
        double *mean = res, *sd = res + cells_box, *se = res + 2 * cells_box, *med = res + 3 * cells_box,
               *lo = res + 4 * cells_box, *hi = res + 5 * cells_box, *qv = res + 6 * cells_box;
        for (size_t cell = 0; cell < cells_box; cell++) {
            size_t base = 0;
            for (size_t j = p; j < nk; j++) base += cidx[j] * bstride[kept[j]];
            agg_gather(buf, rank, s->shape, bstride, red, base, work);
            ts_agg_stats a;
            double qtmp[TS_AGG_MAX_Q];
            ts_agg_sample(work, nred, o->q, n_q, &a, n_q ? qv + cell * n_q : qtmp);
            cnt[cell] = a.count;
            mean[cell] = a.mean;
            sd[cell] = a.sd;
            se[cell] = a.se;
            med[cell] = a.median;
            /* mean -/+ t_{(1+level)/2, n-1} se: seeds are few, so Student's t, not 1.96 */
            double h = ts_agg_t_factor(a.count, o->level) * a.se;
            lo[cell] = a.mean - h;
            hi[cell] = a.mean + h;
            for (size_t j = nk; j-- > p;) {
                if (++cidx[j] < s->shape[kept[j]]) break;
                cidx[j] = 0;
            }
        }
        if (sum && sum->n_results == 0 && !s->is_map && !s->only_count) {
            sum->cells += cells_box;
            for (size_t i = 0; i < cells_box; i++) sum->empty_cells += cnt[i] == 0;
        }
        /* the box of the outputs: fixed kept dims one index, the rest whole */
        size_t os0[TS_VIEW_MAX_RANK + 1], oc0[TS_VIEW_MAX_RANK + 1];
        for (size_t j = 0; j < nk; j++) {
            os0[j] = j < p ? fidx[j] : 0;
            oc0[j] = j < p ? 1 : s->shape[kept[j]];
        }
        os0[nk] = 0;
        oc0[nk] = n_q;
        const void *data[O_N] = { cnt, mean, sd, se, med, qv, lo, hi };
        for (int i = 0; i < O_N && !st; i++)
            if (out[i] >= 0) st = agg_out_write(c, out[i], oname[i], nk + (i == O_QUANT), os0, oc0, i == O_COUNT, data[i]);
        /* next box */
        more = !st && p > 0;
        for (size_t j = p; more && j-- > 0;) {
            if (++fidx[j] < s->shape[kept[j]]) break;
            fidx[j] = 0;
            if (j == 0) more = 0;
        }
    }
    for (int i = 0; i < O_N; i++)
        if (out[i] >= 0) H5Dclose(out[i]);
    free(buf);
    free(work);
    free(res);
    free(cnt);
    return st;
}
