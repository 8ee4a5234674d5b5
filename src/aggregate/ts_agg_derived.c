/* ts_agg_derived.c: the summaries a kind derives from its results
 * (ts_derived in ts_kind.h), computed per task from the store so the
 * writer can reduce them over the seeds like any result and add confidence
 * intervals. The aggregate knows the operations (copy, pick one entry of
 * the last dimension, divide by a count); the kind's table says what to
 * apply them to, so no kind's name appears here. */
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

/* The recorded result `name`, or NULL. */
static const ts_view_dset *result(const ts_store_view *v, const char *name)
{
    int i = ts_store_view_dset(v, name);
    return i >= 0 && v->dsets[i].role == TS_DSET_RESULT ? &v->dsets[i] : NULL;
}

/* The input's shape: the result's, less its last dimension when dropped. */
static void shape_from(ts_agg_input *in, const ts_derived *dv, const ts_view_dset *d, int drop_last)
{
    memset(in, 0, sizeof *in);
    snprintf(in->name, sizeof in->name, "%s", dv->name);
    snprintf(in->units, sizeof in->units, "%s", dv->op == TS_DERIVE_SHARE ? "" : d->units);
    snprintf(in->desc, sizeof in->desc, "%s", dv->doc);
    in->rank = d->rank - (drop_last ? 1 : 0);
    for (size_t k = 0; k < in->rank; k++) {
        in->shape[k] = d->shape[k];
        in->dim[k] = d->dim[k];
    }
}

/* SHARE's denominator: the length of per_result's last dimension when it
 * was recorded with one, else the job's fixed parameter; 0 when unknown. */
static double count_of(const ts_store_view *v, const ts_derived *dv)
{
    const ts_view_dset *c = dv->per_result ? result(v, dv->per_result) : NULL;
    if (c && c->rank > v->n_task_dims) return (double)c->shape[c->rank - 1];
    double n = 0;
    if (!dv->per_param || !ts_store_view_attr_num(v, dv->per_param, &n)) n = 0;
    return n >= 1 ? n : 0;
}

/* One derived summary into in; *made 0 (with a note) when the store lacks
 * what it needs. */
static ts_status derive(ts_store_view *v, const ts_derived *dv, ts_agg_input *in, int *made, char *note, size_t ns,
                        ts_err *err)
{
    *made = 0;
    char why[160];
    const ts_view_dset *d = result(v, dv->from);
    if (!d) {
        snprintf(why, sizeof why, "%s not recorded: no %s map", dv->from, dv->name);
        note_add(note, ns, why);
        return TS_OK;
    }
    double *x = NULL;
    if (dv->op == TS_DERIVE_PICK) {
        if (d->rank <= v->n_task_dims || d->shape[d->rank - 1] != dv->len) {
            snprintf(why, sizeof why, "%s is not over %zu entries: no %s map", dv->from, dv->len, dv->name);
            note_add(note, ns, why);
            return TS_OK;
        }
        ts_status st = ts_store_view_read(v, dv->from, &x, err);
        if (st) return st;
        shape_from(in, dv, d, 1);
        size_t cells = ts_view_dset_size(d) / dv->len;
        in->x = malloc((cells ? cells : 1) * sizeof(double));
        if (!in->x) {
            free(x);
            return ts_err_set(err, TS_ENOMEM, "%s: out of memory", v->path);
        }
        for (size_t c = 0; c < cells; c++) in->x[c] = x[c * dv->len + dv->index];
        free(x);
        *made = 1;
        return TS_OK;
    }
    double per = 1;
    if (dv->op == TS_DERIVE_SHARE && !((per = count_of(v, dv)) > 0)) {
        snprintf(why, sizeof why, "the count to divide %s by is unknown: no %s map", dv->from, dv->name);
        note_add(note, ns, why);
        return TS_OK;
    }
    shape_from(in, dv, d, 0);
    ts_status st = ts_store_view_read(v, dv->from, &in->x, err);
    if (st) return st;
    if (dv->op == TS_DERIVE_SHARE)
        for (size_t c = 0, m = ts_view_dset_size(d); c < m; c++) in->x[c] /= per;
    *made = 1;
    return TS_OK;
}

ts_status ts_agg_derived_inputs(ts_store_view *v, const ts_derived *table, ts_agg_input *in, size_t cap, size_t *n,
                                char *note, size_t note_size, ts_err *err)
{
    *n = 0;
    ts_status st = TS_OK;
    for (const ts_derived *dv = table; dv && dv->name && !st; dv++) {
        if (*n == cap) {
            st = ts_err_set(err, TS_EINVAL, "kind '%s' derives more than %zu summaries", v->kind, cap);
            break;
        }
        int made;
        st = derive(v, dv, &in[*n], &made, note, note_size, err);
        if (!st && made) (*n)++;
    }
    if (st) {
        ts_agg_input_free(in, *n);
        *n = 0;
    }
    return st;
}
