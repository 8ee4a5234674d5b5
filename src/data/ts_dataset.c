/* ts_dataset.c: the dataset container, reproducible subsets and feature
 * standardisation (ts_data.h). The loaders live in their own files. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_data.h"
#include "tailsweep/ts_rng.h"

ts_status ts_dataset_alloc(size_t n, size_t d, size_t d_out, size_t n_classes,
                           ts_dataset **out, ts_err *err)
{
    *out = NULL;
    if (n == 0 || d == 0)
        return ts_err_set(err, TS_EINVAL, "dataset: n = %zu and d = %zu must both be >= 1", n, d);
    if ((d_out == 0) == (n_classes == 0))
        return ts_err_set(err, TS_EINVAL, "dataset: exactly one of d_out = %zu and n_classes = %zu must be non-zero",
                          d_out, n_classes);
    /* n d floats must be addressable; a header claiming more is corrupt */
    if (d > SIZE_MAX / sizeof(float) / n || (d_out && d_out > SIZE_MAX / sizeof(float) / n))
        return ts_err_set(err, TS_EINVAL, "dataset: %zu x %zu values is too large", n, d);
    ts_dataset *ds = calloc(1, sizeof *ds);
    if (!ds) return ts_err_set(err, TS_ENOMEM, "dataset: out of memory");
    ds->n = n;
    ds->d = d;
    ds->d_out = d_out;
    ds->n_classes = n_classes;
    ds->shape[0] = ds->shape[1] = 1;
    ds->shape[2] = d;
    ds->x = malloc(n * d * sizeof(float));
    if (d_out) ds->y = malloc(n * d_out * sizeof(float));
    else ds->label = malloc(n * sizeof(int32_t));
    if (!ds->x || (d_out ? !ds->y : !ds->label)) {
        ts_dataset_free(ds);
        return ts_err_set(err, TS_ENOMEM, "dataset: out of memory for %zu x %zu values", n, d);
    }
    *out = ds;
    return TS_OK;
}

void ts_dataset_free(ts_dataset *ds)
{
    if (!ds) return;
    free(ds->x);
    free(ds->y);
    free(ds->label);
    free(ds);
}

/* A partial Fisher-Yates shuffle: after step i, idx[0..i] are a uniform
 * random i+1-subset in random order. One uniform per kept example, drawn in
 * one block from the stream, so the subset depends on (seed, task,
 * replicate, n, n_src) only. */
ts_status ts_data_subset_index(size_t n_src, size_t n, uint64_t seed, uint64_t task, uint64_t replicate,
                               size_t *idx, ts_err *err)
{
    if (n == 0 || n > n_src)
        return ts_err_set(err, TS_EINVAL, "subset: n = %zu must be in [1, %zu] (the dataset's size)", n, n_src);
    ts_rng r;
    ts_status st = ts_rng_init(&r, seed, task, replicate, TS_PURPOSE_DATA, err);
    if (st) return st;
    size_t *all = malloc(n_src * sizeof *all);
    double *u = malloc(n * sizeof *u);
    if (!all || !u) {
        free(all);
        free(u);
        return ts_err_set(err, TS_ENOMEM, "subset: out of memory");
    }
    for (size_t i = 0; i < n_src; i++) all[i] = i;
    ts_rng_uniform_block(&r, n, u);
    for (size_t i = 0; i < n; i++) {
        size_t left = n_src - i;
        size_t j = i + (size_t)(u[i] * (double)left);
        if (j >= n_src) j = n_src - 1;   /* u < 1, but guard the rounding */
        size_t t = all[i];
        all[i] = all[j];
        all[j] = t;
    }
    memcpy(idx, all, n * sizeof *idx);
    free(all);
    free(u);
    return TS_OK;
}

ts_status ts_data_subset(const ts_dataset *src, size_t n, uint64_t seed, uint64_t replicate,
                         ts_dataset **out, ts_err *err)
{
    *out = NULL;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!idx) return ts_err_set(err, TS_ENOMEM, "subset: out of memory");
    ts_status st = ts_data_subset_index(src->n, n, seed, 0, replicate, idx, err);
    if (!st) st = ts_dataset_alloc(n, src->d, src->d_out, src->n_classes, out, err);
    if (!st) {
        memcpy((*out)->shape, src->shape, sizeof src->shape);
        for (size_t i = 0; i < n; i++) {
            size_t k = idx[i];
            memcpy((*out)->x + i * src->d, src->x + k * src->d, src->d * sizeof(float));
            if (src->d_out) memcpy((*out)->y + i * src->d_out, src->y + k * src->d_out, src->d_out * sizeof(float));
            else (*out)->label[i] = src->label[k];
        }
    }
    free(idx);
    return st;
}

/* Sums in double: 60000 float pixels summed in float would lose ~4 digits. */
void ts_data_standardise(ts_dataset *train, ts_dataset *test)
{
    size_t d = train->d;
    for (size_t j = 0; j < d; j++) {
        double s = 0, ss = 0;
        for (size_t i = 0; i < train->n; i++) s += train->x[i * d + j];
        double mean = s / (double)train->n;
        for (size_t i = 0; i < train->n; i++) {
            double c = train->x[i * d + j] - mean;
            ss += c * c;
        }
        double sd = sqrt(ss / (double)train->n);
        double inv = sd < 1e-6 ? 1.0 : 1.0 / sd;   /* constant features: only centred */
        for (size_t i = 0; i < train->n; i++)
            train->x[i * d + j] = (float)((train->x[i * d + j] - mean) * inv);
        if (test && test->d == d)
            for (size_t i = 0; i < test->n; i++)
                test->x[i * d + j] = (float)((test->x[i * d + j] - mean) * inv);
    }
}
