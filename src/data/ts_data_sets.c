/* ts_data_sets.c: the named image sets of the gni kind's `data` parameter
 * (ts_data.h): which files each needs in its folder, where they come from,
 * and loading a split with its shape and labels checked. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tailsweep/ts_data.h"

const char *const ts_data_set_names[] = { "toy", "fashion_mnist", "mnist", "cifar10", "svhn", NULL };

enum { MAX_FILES = 6 };

typedef struct {
    ts_data_set_info info;
    int gz;                          /* 1: each file may also be NAME.gz     */
    const char *subdir;              /* also looked for here, or NULL        */
    const char *train[MAX_FILES];    /* IDX: images, labels; else the batches */
    const char *test[MAX_FILES];
} set_files;

#define MNIST_FILES                                                                                              \
    1, NULL, { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", NULL },                                      \
        { "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", NULL }
#define MNIST_LIST "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each gzipped, .gz, or not)"

static const set_files sets[] = {
    [TS_DATA_TOY] = { { { 1, 1, 1 }, 0, 0, 0, NULL, "", "generated (paper figure 2's signal)" }, 0, NULL, { NULL }, { NULL } },
    [TS_DATA_FASHION_MNIST] = { { { 28, 28, 1 }, 10, 60000, 10000, TS_FASHION_MNIST_DIR, MNIST_LIST,
                                  "Fashion-MNIST: Debian's package dataset-fashion-mnist installs them in "
                                  TS_FASHION_MNIST_DIR "; or https://github.com/zalandoresearch/fashion-mnist" },
                                MNIST_FILES },
    [TS_DATA_MNIST] = { { { 28, 28, 1 }, 10, 60000, 10000, NULL, MNIST_LIST,
                          "MNIST's IDX files, from http://yann.lecun.com/exdb/mnist/ (torchvision and Keras download "
                          "the same files)" },
                        MNIST_FILES },
    [TS_DATA_CIFAR10] = { { { 32, 32, 3 }, 10, 50000, 10000, NULL,
                            "data_batch_1.bin ... data_batch_5.bin, test_batch.bin (in the folder or its "
                            "cifar-10-batches-bin)",
                            "the binary version of CIFAR-10, https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz" },
                          0, "cifar-10-batches-bin",
                          { "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                            "data_batch_5.bin", NULL },
                          { "test_batch.bin", NULL } },
    [TS_DATA_SVHN] = { { { 32, 32, 3 }, 10, 73257, 26032, NULL, "train_32x32.mat, test_32x32.mat",
                         "SVHN's cropped digits (format 2), http://ufldl.stanford.edu/housenumbers/" },
                       0, NULL, { "train_32x32.mat", NULL }, { "test_32x32.mat", NULL } },
};

const ts_data_set_info *ts_data_set_get_info(ts_data_set s)
{
    return &sets[s].info;
}

/* dir/name, dir/name.gz (gz), dir/subdir/name: the first that exists. */
static int find_file(const set_files *f, const char *dir, const char *name, char *out, size_t n)
{
    const char *sub[2] = { "", f->subdir };
    for (int k = 0; k < 2; k++) {
        if (k == 1 && !f->subdir) break;
        for (int gz = f->gz; gz >= 0; gz--) {
            int len = snprintf(out, n, "%s/%s%s%s%s", dir, sub[k], k ? "/" : "", name, gz ? ".gz" : "");
            if (len > 0 && (size_t)len < n && access(out, R_OK) == 0) return 0;
        }
    }
    return -1;
}

/* The folder to read, or an error saying which folder is needed. */
static ts_status folder(ts_data_set s, const char *dir, const char **out, ts_err *err)
{
    const set_files *f = &sets[s];
    *out = dir && dir[0] ? dir : f->info.default_dir;
    if (!*out)
        return ts_err_set(err, TS_EINVAL, "data '%s' needs data_dir, the folder holding %s: %s",
                          ts_data_set_names[s], f->info.files, f->info.source);
    return TS_OK;
}

/* The paths of one split's files, or an error naming what is missing. */
static ts_status split_paths(ts_data_set s, const char *dir, int train, char paths[][PATH_MAX], size_t *n,
                             ts_err *err)
{
    const set_files *f = &sets[s];
    const char *const *names = train ? f->train : f->test;
    *n = 0;
    for (size_t k = 0; k < MAX_FILES && names[k]; k++) {
        if (find_file(f, dir, names[k], paths[k], PATH_MAX) != 0)
            return ts_err_set(err, TS_EIO, "data '%s': no %s%s in '%s'; the folder must hold %s: %s",
                              ts_data_set_names[s], names[k], f->gz ? " (or .gz)" : "", dir, f->info.files,
                              f->info.source);
        (*n)++;
    }
    return TS_OK;
}

ts_status ts_data_set_check(ts_data_set s, const char *dir, ts_err *err)
{
    if (s == TS_DATA_TOY) return TS_OK;
    char paths[MAX_FILES][PATH_MAX];
    size_t n;
    const char *d;
    ts_status st = folder(s, dir, &d, err);
    for (int train = 1; train >= 0 && !st; train--) st = split_paths(s, d, train, paths, &n, err);
    return st;
}

ts_status ts_data_set_load(ts_data_set s, const char *dir, int train, ts_images **out, ts_err *err)
{
    *out = NULL;
    if (s == TS_DATA_TOY) return ts_err_set(err, TS_EINVAL, "data 'toy' is generated (ts_data_toy), not read");
    char paths[MAX_FILES][PATH_MAX];
    const char *p[MAX_FILES];
    size_t n;
    const char *d;
    ts_status st = folder(s, dir, &d, err);
    if (!st) st = split_paths(s, d, train, paths, &n, err);
    if (st) return st;
    for (size_t k = 0; k < n; k++) p[k] = paths[k];
    const ts_data_set_info *in = &sets[s].info;
    if (s == TS_DATA_CIFAR10) st = ts_images_cifar10_load(p, n, out, err);
    else if (s == TS_DATA_SVHN) st = ts_images_svhn_load(p[0], out, err);
    else st = ts_images_idx_load(p[0], p[1], out, err);
    if (st) return st;
    ts_images *im = *out;
    if (memcmp(im->shape, in->shape, sizeof im->shape) != 0 || im->n_classes > in->n_classes) {
        st = ts_err_set(err, TS_EINVAL, "%s: %zu x %zu x %zu images with %zu classes; data '%s' are %zu x %zu x %zu "
                        "with %zu", p[0], im->shape[0], im->shape[1], im->shape[2], im->n_classes,
                        ts_data_set_names[s], in->shape[0], in->shape[1], in->shape[2], in->n_classes);
        ts_images_free(im);
        *out = NULL;
        return st;
    }
    im->n_classes = in->n_classes;   /* a small file may lack the last classes */
    return TS_OK;
}
