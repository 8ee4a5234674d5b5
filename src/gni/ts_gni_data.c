/* ts_gni_data.c: the data of one GNI run (ts_gni_internal.h).
 *
 * Toy: one signal per replicate (phases from replicate r), training points
 * from point replicate 2r and test points from 2r + 1, so the two splits
 * share the signal and nothing else. Fashion-MNIST: a random training
 * subset per replicate (ts_data_subset) and the first n_test test images
 * (the same test set for every run, so test losses compare directly). */
#include <string.h>

#include "ts_gni_internal.h"

/* The raw files are ~30 MB of pixels and take ~0.5 s to inflate: a sweep
 * worker reads them once. Not for concurrent use from threads (a sweep
 * runs one task at a time per process). */
static ts_dataset *fm_raw[2];

static ts_status fashion(int train, const ts_dataset **out, ts_err *err)
{
    if (!fm_raw[train]) {
        ts_status st = ts_data_fashion_mnist(TS_FASHION_MNIST_DIR, train, &fm_raw[train], err);
        if (st) return st;
    }
    *out = fm_raw[train];
    return TS_OK;
}

static ts_status head(const ts_dataset *src, size_t n, ts_dataset **out, ts_err *err)
{
    ts_status st = ts_dataset_alloc(n, src->d, src->d_out, src->n_classes, out, err);
    if (st) return st;
    memcpy((*out)->x, src->x, n * src->d * sizeof(float));
    if (src->d_out) memcpy((*out)->y, src->y, n * src->d_out * sizeof(float));
    else memcpy((*out)->label, src->label, n * sizeof(int32_t));
    return TS_OK;
}

ts_status ts_gni_data_load(const ts_gni_config *c, uint64_t seed, uint64_t replicate, ts_dataset **train,
                           ts_dataset **test, ts_err *err)
{
    *train = *test = NULL;
    ts_status st;
    if (c->data == TS_GNI_DATA_TOY) {
        if (replicate > TS_RNG_MAX_REPLICATE / 2)
            return ts_err_set(err, TS_EINVAL, "gni: replicate %llu is too large for the toy data's streams",
                              (unsigned long long)replicate);
        st = ts_data_toy(c->n_train, seed, 0, replicate, 2 * replicate, train, err);
        if (!st) st = ts_data_toy(c->n_test, seed, 0, replicate, 2 * replicate + 1, test, err);
    } else {
        const ts_dataset *tr, *te;
        st = fashion(1, &tr, err);
        if (!st) st = fashion(0, &te, err);
        if (!st) st = ts_data_subset(tr, c->n_train ? c->n_train : tr->n, seed, replicate, train, err);
        if (!st) st = head(te, c->n_test ? c->n_test : te->n, test, err);
    }
    if (!st && c->standardise) ts_data_standardise(*train, *test);
    if (st) {
        ts_dataset_free(*train);
        ts_dataset_free(*test);
        *train = *test = NULL;
    }
    return st;
}
