/* ts_gni_data.c: the data of one GNI run (ts_gni_internal.h).
 *
 * Toy: one signal per (id, replicate) (phases from replicate r), training
 * points from point replicate 2r and test points from 2r + 1, so the two
 * splits share the signal and nothing else. Image sets: a random training
 * subset per (id, replicate) and the first n_test test images (the same
 * test set for every run, so test losses compare directly). id is 0 with
 * shared_init (every grid point of a replicate sees the same data), the
 * task otherwise. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ts_gni_internal.h"

/* A worker reads an image set once and keeps it as bytes (Fashion-MNIST
 * takes ~0.5 s to inflate; SVHN's training set is 225 MB of bytes, 900 MB
 * as floats): one entry per split, replaced when a task asks for another
 * set or folder. Not for concurrent use from threads (a sweep runs one task
 * at a time per process). */
static struct {
    ts_images *im;
    ts_data_set set;
    char dir[PATH_MAX];
} cache[2];

static ts_status images(ts_data_set s, const char *dir, int train, const ts_images **out, ts_err *err)
{
    const char *d = dir ? dir : "";
    if (!cache[train].im || cache[train].set != s || strcmp(cache[train].dir, d) != 0) {
        ts_images_free(cache[train].im);
        cache[train].im = NULL;
        ts_status st = ts_data_set_load(s, dir, train, &cache[train].im, err);
        if (st) return st;
        cache[train].set = s;
        snprintf(cache[train].dir, sizeof cache[train].dir, "%s", d);
    }
    *out = cache[train].im;
    return TS_OK;
}

static ts_status image_split(const ts_gni_config *c, uint64_t seed, uint64_t id, uint64_t replicate, int train,
                             ts_dataset **out, ts_err *err)
{
    const ts_images *im;
    ts_status st = images(c->data, c->data_dir, train, &im, err);
    if (st) return st;
    size_t want = train ? c->n_train : c->n_test;
    const char *key = train ? "n_train" : "n_test";
    if (want > im->n)
        return ts_err_set(err, TS_EINVAL, "key '%s': %zu, but the %s set of data '%s' has %zu images", key, want,
                          train ? "training" : "test", ts_data_set_names[c->data], im->n);
    size_t n = want ? want : im->n;
    if (!train) return ts_images_to_dataset(im, NULL, n, out, err);
    if (c->batch > n)
        return ts_err_set(err, TS_EINVAL, "key 'batch': %zu is more than the %zu training images of data '%s'",
                          c->batch, n, ts_data_set_names[c->data]);
    size_t *idx = malloc(n * sizeof *idx);
    if (!idx) return ts_err_set(err, TS_ENOMEM, "gni: out of memory for a subset of %zu", n);
    st = ts_data_subset_index(im->n, n, seed, id, replicate, idx, err);
    if (!st) st = ts_images_to_dataset(im, idx, n, out, err);
    free(idx);
    return st;
}

ts_status ts_gni_data_load(const ts_gni_config *c, uint64_t seed, uint64_t id, uint64_t replicate,
                           ts_dataset **train, ts_dataset **test, ts_err *err)
{
    *train = *test = NULL;
    ts_status st;
    if (c->data == TS_DATA_TOY) {
        if (replicate > TS_RNG_MAX_REPLICATE / 2)
            return ts_err_set(err, TS_EINVAL, "gni: replicate %llu is too large for the toy data's streams",
                              (unsigned long long)replicate);
        st = ts_data_toy(c->n_train, seed, id, replicate, 2 * replicate, train, err);
        if (!st) st = ts_data_toy(c->n_test, seed, id, replicate, 2 * replicate + 1, test, err);
    } else {
        st = image_split(c, seed, id, replicate, 1, train, err);
        if (!st) st = image_split(c, seed, id, replicate, 0, test, err);
    }
    if (!st && c->standardise) ts_data_standardise(*train, *test);
    if (st) {
        ts_dataset_free(*train);
        ts_dataset_free(*test);
        *train = *test = NULL;
    }
    return st;
}
