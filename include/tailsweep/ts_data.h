/* ts_data.h: training data for the GNI kind: the paper's toy regression
 * signal, MNIST-format IDX files (Fashion-MNIST), CIFAR-10 binary batches.
 *
 * A dataset is n examples of d float features (row-major) with either
 * regression targets (n x d_out floats) or class labels in [0, n_classes).
 * Loaders never print: a missing, truncated or corrupt file comes back as
 * TS_EIO / TS_EINVAL with a message naming the file and what was wrong. */
#ifndef TS_DATA_H
#define TS_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "tailsweep/ts_error.h"

typedef struct {
    size_t n;            /* examples                                      */
    size_t d;            /* features per example (images: flattened)      */
    size_t d_out;        /* regression targets per example; 0 for classes */
    size_t n_classes;    /* classification: number of classes; 0 otherwise */
    float *x;            /* n x d, row-major                               */
    float *y;            /* n x d_out regression targets, or NULL          */
    int32_t *label;      /* n labels, or NULL for regression               */
} ts_dataset;

ts_status ts_dataset_alloc(size_t n, size_t d, size_t d_out, size_t n_classes,
                           ts_dataset **out, ts_err *err);
void ts_dataset_free(ts_dataset *ds);

/* The toy signal of paper figure 2 (MATH.md section 5): t ~ U[0, 1) and
 * y = sum_{q = 5, 10, ..., 50} sin(2 pi q t + 2 pi phi_q), phi_q ~ U(0, 1).
 * d = 1 (x = t), d_out = 1. The phases and the points come from the stream
 * (seed, task, replicate, TS_PURPOSE_DATA), so the signal is regenerated per
 * seed; `phase_replicate` picks the phases' stream separately, so train and
 * test splits share one signal: both use the same phase_replicate, different
 * point_replicate. */
ts_status ts_data_toy(size_t n, uint64_t seed, uint64_t task, uint64_t phase_replicate,
                      uint64_t point_replicate, ts_dataset **out, ts_err *err);

/* MNIST-format IDX image and label files (idx3-ubyte, idx1-ubyte), gzip or
 * not (read through zlib's gzread, which handles both). Pixels are scaled to
 * [0, 1]; n_classes = 1 + the largest label (10 for (Fashion-)MNIST). */
ts_status ts_data_idx_load(const char *images_path, const char *labels_path,
                           ts_dataset **out, ts_err *err);

/* Fashion-MNIST from a directory holding the four standard files
 * (train-images-idx3-ubyte.gz, ...): Debian's dataset-fashion-mnist installs
 * them in TS_FASHION_MNIST_DIR. train = 1: the 60000 training images; 0: the
 * 10000 test images. */
#define TS_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"
ts_status ts_data_fashion_mnist(const char *dir, int train, ts_dataset **out, ts_err *err);

/* CIFAR-10 binary batches (data_batch_N.bin, test_batch.bin: records of one
 * label byte and 3072 pixel bytes), concatenated in the order given. Pixels
 * scaled to [0, 1], d = 3072 in the file's channel-major order. */
ts_status ts_data_cifar10_load(const char *const *paths, size_t n_paths,
                               ts_dataset **out, ts_err *err);

/* The first n examples of a random permutation of src drawn from the stream
 * (seed, 0, replicate, TS_PURPOSE_DATA): a reproducible train subset. */
ts_status ts_data_subset(const ts_dataset *src, size_t n, uint64_t seed, uint64_t replicate,
                         ts_dataset **out, ts_err *err);

/* Standardise features: per-feature mean and standard deviation of `train`
 * (features with sd < 1e-6 are only centred), applied to train and, when
 * non-NULL, to test. */
void ts_data_standardise(ts_dataset *train, ts_dataset *test);

#endif
