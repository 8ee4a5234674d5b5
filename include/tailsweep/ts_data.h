/* ts_data.h: training data for the GNI kind: the paper's toy regression
 * signal, and labelled image sets read from a folder: MNIST and
 * Fashion-MNIST (IDX files, gzipped or not), CIFAR-10 (binary batches),
 * SVHN (MATLAB .mat files, through libmatio).
 *
 * Two containers:
 *   ts_images   an image set as stored on disk, one byte per pixel value,
 *               n x height x width x channels (channels last), with labels:
 *               4x smaller than floats, so a process can keep a whole set
 *               in memory and cut subsets from it;
 *   ts_dataset  what a network trains on: n examples of d float features
 *               (row-major), regression targets or class labels, and the
 *               examples' shape (height, width, channels), kept so that
 *               convolutional networks see images as images.
 *
 * Loaders never print: a missing, truncated or corrupt file comes back as
 * TS_EIO / TS_EINVAL with a message naming the file and what was wrong; a
 * folder without a set's files gets a message listing the files expected
 * and where the data come from. */
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
    /* An example's shape: height x width x channels = d, the features in
     * that order (row-major, channels last: feature (h W + w) C + c is
     * pixel (h, w) of channel c). Data that are not images: {1, 1, d}. */
    size_t shape[3];
    float *x;            /* n x d, row-major                               */
    float *y;            /* n x d_out regression targets, or NULL          */
    int32_t *label;      /* n labels, or NULL for regression               */
} ts_dataset;

/* shape is set to {1, 1, d}; image loaders set their own. */
ts_status ts_dataset_alloc(size_t n, size_t d, size_t d_out, size_t n_classes,
                           ts_dataset **out, ts_err *err);
void ts_dataset_free(ts_dataset *ds);

/* ---- image sets ------------------------------------------------------- */

typedef struct {
    size_t n;
    size_t shape[3];     /* height, width, channels                        */
    size_t n_classes;
    uint8_t *pixels;     /* n x height x width x channels, channels last   */
    int32_t *label;      /* n labels in [0, n_classes)                     */
} ts_images;

ts_status ts_images_alloc(size_t n, size_t height, size_t width, size_t channels, size_t n_classes,
                          ts_images **out, ts_err *err);
void ts_images_free(ts_images *im);

/* MNIST-format IDX image and label files (idx3-ubyte, idx1-ubyte), gzip or
 * not (read through zlib's gzread, which handles both); one channel.
 * n_classes = 1 + the largest label. */
ts_status ts_images_idx_load(const char *images_path, const char *labels_path, ts_images **out, ts_err *err);

/* CIFAR-10 binary batches (data_batch_N.bin, test_batch.bin: records of
 * one label byte and 3072 pixel bytes, the 32 x 32 red plane, then green,
 * then blue), concatenated in the order given, reordered to channels last;
 * gzipped copies load too. */
ts_status ts_images_cifar10_load(const char *const *paths, size_t n_paths, ts_images **out, ts_err *err);

/* SVHN's cropped digits (train_32x32.mat, test_32x32.mat: X, 32 x 32 x 3 x n
 * uint8 in MATLAB's column-major order, and y, n labels 1..10 with 10 for
 * the digit 0), read with libmatio; labels are mapped to 0..9. */
ts_status ts_images_svhn_load(const char *path, ts_images **out, ts_err *err);

/* Pixels / 255 as floats, shape kept: example i is src's row rows[i] (rows
 * NULL: the first n examples). */
ts_status ts_images_to_dataset(const ts_images *src, const size_t *rows, size_t n, ts_dataset **out,
                               ts_err *err);
/* After a loader's status st: all of *im as floats into *out, then *im is
 * freed (and NULL); a failed st is passed through. */
ts_status ts_images_into_dataset(ts_status st, ts_images **im, ts_dataset **out, ts_err *err);

/* ---- named sets in a folder -------------------------------------------- */

/* The values of the gni kind's `data` parameter, in its order. */
typedef enum {
    TS_DATA_TOY = 0,
    TS_DATA_FASHION_MNIST = 1,
    TS_DATA_MNIST = 2,
    TS_DATA_CIFAR10 = 3,
    TS_DATA_SVHN = 4
} ts_data_set;
extern const char *const ts_data_set_names[];   /* "toy", "fashion_mnist", "mnist", "cifar10", "svhn", NULL */

typedef struct {
    size_t shape[3];         /* an example's height, width, channels        */
    size_t n_classes;        /* 0: regression (toy)                         */
    size_t n_train, n_test;  /* the standard split's sizes; 0: generated    */
    const char *default_dir; /* NULL: the user names the folder (data_dir)  */
    const char *files;       /* the files expected, for messages            */
    const char *source;      /* where the files come from, for messages     */
} ts_data_set_info;

const ts_data_set_info *ts_data_set_get_info(ts_data_set s);

/* That every file of both splits of set s is in dir (NULL or "": the set's
 * default folder). The message of a missing file names the folder, every
 * file expected and where the data come from. TS_OK for the toy data. */
ts_status ts_data_set_check(ts_data_set s, const char *dir, ts_err *err);

/* The training (train = 1) or test split of image set s from dir (NULL or
 * "": the default folder). Checks the images' shape and labels against the
 * set (28 x 28 x 1 for (Fashion-)MNIST, 32 x 32 x 3 for CIFAR-10 and SVHN,
 * 10 classes). */
ts_status ts_data_set_load(ts_data_set s, const char *dir, int train, ts_images **out, ts_err *err);

/* ---- loaders into float datasets (all examples) ------------------------ */

/* ts_images_idx_load, as floats in [0, 1]. */
ts_status ts_data_idx_load(const char *images_path, const char *labels_path,
                           ts_dataset **out, ts_err *err);

/* Fashion-MNIST from a directory holding the four standard files
 * (train-images-idx3-ubyte.gz, ...): Debian's dataset-fashion-mnist installs
 * them in TS_FASHION_MNIST_DIR. train = 1: the 60000 training images; 0: the
 * 10000 test images. */
#define TS_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"
ts_status ts_data_fashion_mnist(const char *dir, int train, ts_dataset **out, ts_err *err);

/* ts_images_cifar10_load, as floats in [0, 1], 32 x 32 x 3 channels last. */
ts_status ts_data_cifar10_load(const char *const *paths, size_t n_paths,
                               ts_dataset **out, ts_err *err);

/* ---- generated data, subsets, standardisation -------------------------- */

/* The toy signal of paper figure 2 (docs/math.md section 4.6): t ~ U[0, 1) and
 * y = sum_{q = 5, 10, ..., 50} sin(2 pi q t + 2 pi phi_q), phi_q ~ U(0, 1).
 * d = 1 (x = t), d_out = 1. The phases and the points come from the stream
 * (seed, task, replicate, TS_PURPOSE_DATA), so the signal is regenerated per
 * seed; `phase_replicate` picks the phases' stream separately, so train and
 * test splits share one signal: both use the same phase_replicate, different
 * point_replicate. */
ts_status ts_data_toy(size_t n, uint64_t seed, uint64_t task, uint64_t phase_replicate,
                      uint64_t point_replicate, ts_dataset **out, ts_err *err);

/* The first n entries of a random permutation of 0 .. n_src - 1 drawn from
 * the stream (seed, task, replicate, TS_PURPOSE_DATA) into idx (n values):
 * a reproducible subset. */
ts_status ts_data_subset_index(size_t n_src, size_t n, uint64_t seed, uint64_t task, uint64_t replicate,
                               size_t *idx, ts_err *err);

/* The examples ts_data_subset_index(src->n, n, seed, 0, replicate) picks. */
ts_status ts_data_subset(const ts_dataset *src, size_t n, uint64_t seed, uint64_t replicate,
                         ts_dataset **out, ts_err *err);

/* Standardise features: per-feature mean and standard deviation of `train`
 * (features with sd < 1e-6 are only centred), applied to train and, when
 * non-NULL, to test. */
void ts_data_standardise(ts_dataset *train, ts_dataset *test);

#endif
