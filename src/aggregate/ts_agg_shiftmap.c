/* ts_agg_shiftmap.c: the metrics of the SDE kind's shift maps, derived from
 * its results (src/sde/ts_kind_sde.c): per task, the mode shift of the left
 * and right minimum (minima are ascending), TV, KL(density || Gibbs), W1,
 * and the share of chains that diverged. The writer reduces them over the
 * seeds like any result and adds confidence intervals. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ts_agg_internal.h"

void ts_agg_input_free(ts_agg_input *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(in[i].x);
        in[i].x = NULL;
    }
}

static void note_add(char *note, size_t size, const char *what)
{
    size_t used = strlen(note);
    snprintf(note + used, size - used, "%s%s", used ? "; " : "", what);
}

static ts_status copy_input(ts_store_view *v, const char *src, const char *name, const char *desc,
                            ts_agg_input *in, ts_err *err)
{
    int i = ts_store_view_dset(v, src);
    const ts_view_dset *d = &v->dsets[i];
    memset(in, 0, sizeof *in);
    snprintf(in->name, sizeof in->name, "%s", name);
    snprintf(in->units, sizeof in->units, "%s", d->units);
    snprintf(in->desc, sizeof in->desc, "%s", desc);
    in->rank = d->rank;
    for (size_t k = 0; k < d->rank; k++) {
        in->shape[k] = d->shape[k];
        in->dim[k] = d->dim[k];
    }
    return ts_store_view_read(v, src, &in->x, err);
}

/* The chains per task: the length of diverged_at's chain dimension when it
 * was recorded, else the job's fixed `chains` (a root attribute); 0 when
 * neither is known. */
static double chains_of(const ts_store_view *v)
{
    int i = ts_store_view_dset(v, "diverged_at");
    if (i >= 0 && v->dsets[i].rank > v->n_task_dims) return (double)v->dsets[i].shape[v->dsets[i].rank - 1];
    double c = 0;
    if (!ts_store_view_attr_num(v, "chains", &c)) c = 0;
    return c >= 1 ? c : 0;
}

static ts_status shifts(ts_store_view *v, ts_agg_input *in, size_t *n, char *note, size_t ns,
                        ts_err *err)
{
    int i = ts_store_view_dset(v, "mode_shift");
    const ts_view_dset *d = i >= 0 ? &v->dsets[i] : NULL;
    if (!d || d->role != TS_DSET_RESULT || d->rank < 1 || d->shape[d->rank - 1] != 2) {
        note_add(note, ns, "mode_shift not recorded (or not over 2 minima): no shift maps");
        return TS_OK;
    }
    double *x = NULL, *nmin = NULL;
    ts_status st = ts_store_view_read(v, "mode_shift", &x, err);
    int j = ts_store_view_dset(v, "n_minima");
    if (!st && j >= 0 && ts_view_dset_size(&v->dsets[j]) * 2 == ts_view_dset_size(d))
        st = ts_store_view_read(v, "n_minima", &nmin, err);
    size_t cells = ts_view_dset_size(d) / 2;
    static const char *const names[2] = { "shift_left", "shift_right" };
    static const char *const docs[2] = {
        "mode minus minimum, left (lower) minimum of f", "mode minus minimum, right (upper) minimum of f" };
    for (int k = 0; k < 2 && !st; k++) {
        ts_agg_input *o = &in[(*n)];
        memset(o, 0, sizeof *o);
        snprintf(o->name, sizeof o->name, "%s", names[k]);
        snprintf(o->units, sizeof o->units, "%s", d->units);
        snprintf(o->desc, sizeof o->desc, "%s", docs[k]);
        o->rank = d->rank - 1;
        for (size_t r = 0; r < o->rank; r++) {
            o->shape[r] = d->shape[r];
            o->dim[r] = d->dim[r];
        }
        o->x = malloc((cells ? cells : 1) * sizeof(double));
        if (!o->x) {
            st = ts_err_set(err, TS_ENOMEM, "%s: out of memory", v->path);
            break;
        }
        /* entries past n_minima are 0 in the store, not a shift: missing here */
        for (size_t c = 0; c < cells; c++)
            o->x[c] = nmin && !(nmin[c] > k) ? NAN : x[2 * c + (size_t)k];
        (*n)++;
    }
    free(x);
    free(nmin);
    return st;
}

ts_status ts_agg_sde_inputs(ts_store_view *v, ts_agg_input *in, size_t *n, char *note,
                            size_t note_size, ts_err *err)
{
    *n = 0;
    ts_status st = shifts(v, in, n, note, note_size, err);
    static const struct { const char *src, *name, *desc; } plain[] = {
        { "tv", "tv", "total variation to Gibbs" },
        { "kl_est_gibbs", "kl", "KL(density || Gibbs), in-window conditionals" },
        { "w1", "w1", "Wasserstein-1 distance to Gibbs (in-window)" },
    };
    for (size_t k = 0; k < sizeof plain / sizeof plain[0] && !st; k++) {
        int i = ts_store_view_dset(v, plain[k].src);
        if (i < 0 || v->dsets[i].role != TS_DSET_RESULT) {
            char what[96];
            snprintf(what, sizeof what, "%s not recorded: no %s map", plain[k].src, plain[k].name);
            note_add(note, note_size, what);
            continue;
        }
        st = copy_input(v, plain[k].src, plain[k].name, plain[k].desc, &in[*n], err);
        if (!st) (*n)++;
    }
    int i = ts_store_view_dset(v, "diverged");
    double chains = chains_of(v);
    if (!st && (i < 0 || v->dsets[i].role != TS_DSET_RESULT || chains <= 0)) {
        note_add(note, note_size, i < 0 ? "diverged not recorded: no diverged_frac map"
                                        : "chains per task unknown: no diverged_frac map");
    } else if (!st) {
        st = copy_input(v, "diverged", "diverged_frac", "share of chains stopped by the blow-up detector",
                        &in[*n], err);
        if (!st) {
            ts_agg_input *o = &in[(*n)++];
            o->units[0] = '\0';
            size_t m = 1;
            for (size_t k = 0; k < o->rank; k++) m *= o->shape[k];
            for (size_t c = 0; c < m; c++) o->x[c] /= chains;
        }
    }
    if (st) {
        ts_agg_input_free(in, *n);
        *n = 0;
    }
    return st;
}
