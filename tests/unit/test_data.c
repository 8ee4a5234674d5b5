/* test_data.c: the GNI kind's data: IDX, CIFAR-10 and SVHN files the test
 * writes (plain and gzipped; .mat through libmatio), the named sets read
 * from a folder with their shapes and labels, broken files (truncated,
 * corrupt, missing: the error names the file, or the folder, the files
 * expected and where they come from), the toy signal against its closed
 * form, subsets, standardisation, and the real Fashion-MNIST that Debian
 * installs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "tailsweep/ts_data.h"
#include "tailsweep/ts_rng.h"

#include "image_files.h"

static char dir[64];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/ts_test_data_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *path(const char *name)
{
    static char p[4][128];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

/* Write bytes plainly or through gzip. */
static void write_bytes(const char *name, const unsigned char *b, size_t n, int gz)
{
    if (gz) {
        gzFile f = gzopen(path(name), "wb");
        assert_non_null(f);
        assert_int_equal(gzwrite(f, b, (unsigned)n), (int)n);
        gzclose(f);
    } else {
        FILE *f = fopen(path(name), "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(b, 1, n, f), n);
        fclose(f);
    }
}

static void be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* 5 images of 3 x 2 with pixel (i, j) = 10 i + j, labels i % 3. Returns the
 * image file's full length; `cut` bytes are dropped from its end. */
static size_t write_idx(const char *img, const char *lab, int gz, size_t cut)
{
    unsigned char b[16 + 30], l[8 + 5];
    b[0] = b[1] = 0; b[2] = 8; b[3] = 3;
    be32(b + 4, 5); be32(b + 8, 3); be32(b + 12, 2);
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 6; j++) b[16 + 6 * i + j] = (unsigned char)(10 * i + j);
    l[0] = l[1] = 0; l[2] = 8; l[3] = 1;
    be32(l + 4, 5);
    for (int i = 0; i < 5; i++) l[8 + i] = (unsigned char)(i % 3);
    write_bytes(img, b, sizeof b - cut, gz);
    write_bytes(lab, l, sizeof l, gz);
    return sizeof b;
}

static void check_idx_values(const ts_dataset *ds)
{
    assert_int_equal(ds->n, 5);
    assert_int_equal(ds->d, 6);
    assert_int_equal(ds->d_out, 0);
    assert_int_equal(ds->n_classes, 3);
    assert_null(ds->y);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(ds->label[i], i % 3);
        for (int j = 0; j < 6; j++) assert_true(ds->x[6 * i + j] == (float)(10 * i + j) * (1.0f / 255.0f));
    }
}

static void test_idx_plain_and_gzip(void **state)
{
    (void)state;
    for (int gz = 0; gz < 2; gz++) {
        write_idx("img", "lab", gz, 0);
        ts_dataset *ds;
        ts_err err = { 0 };
        assert_int_equal(ts_data_idx_load(path("img"), path("lab"), &ds, &err), TS_OK);
        check_idx_values(ds);
        ts_dataset_free(ds);
    }
}

/* Every broken file is refused with its own name in the message. */
static void expect_fail(const char *img, const char *lab, const char *name_in_msg, const char *what)
{
    ts_dataset *ds = (ts_dataset *)1;
    ts_err err = { 0 };
    assert_int_not_equal(ts_data_idx_load(img, lab, &ds, &err), TS_OK);
    assert_null(ds);
    if (!strstr(err.msg, name_in_msg) || !strstr(err.msg, what))
        fail_msg("message '%s' should name %s and say '%s'", err.msg, name_in_msg, what);
}

static void test_idx_broken_files(void **state)
{
    (void)state;
    for (int gz = 0; gz < 2; gz++) {
        write_idx("img", "lab", gz, 7);
        expect_fail(path("img"), path("lab"), path("img"), "truncated");
        write_idx("img", "lab", gz, 0);
        expect_fail(path("lab"), path("lab"), path("lab"), "not an IDX3");   /* labels as images */
        expect_fail(path("img"), path("img"), path("img"), "not an IDX1");
    }
    expect_fail(path("nope"), path("lab"), path("nope"), "cannot open");
    expect_fail(path("img"), path("nope2"), path("nope2"), "cannot open");
    /* a gzip file whose deflate stream is damaged */
    write_idx("img", "lab", 1, 0);
    FILE *f = fopen(path("img"), "r+b");
    assert_non_null(f);
    fseek(f, 14, SEEK_SET);
    unsigned char junk[12];
    memset(junk, 0xA5, sizeof junk);
    fwrite(junk, 1, sizeof junk, f);
    fclose(f);
    expect_fail(path("img"), path("lab"), path("img"), "corrupt file");
    /* labels that disagree with the images in number */
    unsigned char l[8 + 4] = { 0, 0, 8, 1, 0, 0, 0, 4, 0, 1, 2, 0 };
    write_idx("img", "lab", 0, 0);
    write_bytes("lab4", l, sizeof l, 0);
    expect_fail(path("img"), path("lab4"), path("lab4"), "4 labels for 5 images");
    /* a file longer than its header says */
    unsigned char l6[8 + 6] = { 0, 0, 8, 1, 0, 0, 0, 5, 0, 1, 2, 0, 1, 2 };
    write_bytes("lab6", l6, sizeof l6, 0);
    expect_fail(path("img"), path("lab6"), path("lab6"), "beyond");
}

/* Two CIFAR batch files of 2 and 3 records; pixel j of record r is (r + j) % 256. */
static void write_cifar(const char *name, int first, int count, int gz, size_t cut, int bad_label)
{
    size_t n = (size_t)count * 3073;
    unsigned char *b = malloc(n);
    assert_non_null(b);
    for (int r = 0; r < count; r++) {
        b[(size_t)r * 3073] = (unsigned char)((first + r) % 10);
        for (int j = 0; j < 3072; j++) b[(size_t)r * 3073 + 1 + j] = (unsigned char)((first + r + j) % 256);
    }
    if (bad_label) b[3073] = 12;
    write_bytes(name, b, n - cut, gz);
    free(b);
}

static void test_cifar(void **state)
{
    (void)state;
    for (int gz = 0; gz < 2; gz++) {
        write_cifar("c1", 0, 2, gz, 0, 0);
        write_cifar("c2", 2, 3, gz, 0, 0);
        const char *paths[2] = { path("c1"), path("c2") };
        ts_dataset *ds;
        ts_err err = { 0 };
        assert_int_equal(ts_data_cifar10_load(paths, 2, &ds, &err), TS_OK);
        assert_int_equal(ds->n, 5);
        assert_int_equal(ds->d, 3072);
        assert_int_equal(ds->n_classes, 10);
        assert_true(ds->shape[0] == 32 && ds->shape[1] == 32 && ds->shape[2] == 3);
        /* file byte j of a record is pixel j % 1024 of plane j / 1024; the
         * dataset keeps channels last */
        for (int r = 0; r < 5; r++) {
            assert_int_equal(ds->label[r], r % 10);
            for (int j = 0; j < 3072; j += 97)
                assert_true(ds->x[(size_t)r * 3072 + 3 * (j % 1024) + j / 1024] == (float)((r + j) % 256) * (1.0f / 255.0f));
        }
        ts_dataset_free(ds);
    }
    ts_dataset *ds;
    ts_err err = { 0 };
    write_cifar("c3", 0, 2, 0, 100, 0);
    const char *p3[1] = { path("c3") };
    assert_int_equal(ts_data_cifar10_load(p3, 1, &ds, &err), TS_EIO);
    assert_non_null(strstr(err.msg, path("c3")));
    assert_non_null(strstr(err.msg, "truncated"));
    write_cifar("c4", 0, 2, 1, 0, 1);
    const char *p4[2] = { path("c1"), path("c4") };
    assert_int_equal(ts_data_cifar10_load(p4, 2, &ds, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, path("c4")));
    assert_non_null(strstr(err.msg, "label 12"));
    const char *p5[1] = { path("missing.bin") };
    assert_int_equal(ts_data_cifar10_load(p5, 1, &ds, &err), TS_EIO);
    assert_non_null(strstr(err.msg, path("missing.bin")));
}

/* The toy points t lie in [0, 1) and y is the closed form with the phases of
 * the documented stream (substream 1 of (seed, task, phase replicate, DATA)).
 * float32 storage: y to 1e-5 relative to its scale (|y| <= 10). */
static void test_toy_closed_form(void **state)
{
    (void)state;
    ts_dataset *a, *b, *c;
    ts_err err = { 0 };
    assert_int_equal(ts_data_toy(1000, 42, 3, 1, 2, &a, &err), TS_OK);
    assert_int_equal(a->d, 1);
    assert_int_equal(a->d_out, 1);
    ts_rng base, r;
    double phi[10];
    assert_int_equal(ts_rng_init(&base, 42, 3, 1, TS_PURPOSE_DATA, &err), TS_OK);
    assert_int_equal(ts_rng_substream(&r, &base, 1, &err), TS_OK);
    ts_rng_uniform_block(&r, 10, phi);
    double tmin = 1, tmax = 0, ss = 0;
    for (size_t i = 0; i < a->n; i++) {
        double t = a->x[i], y = 0;
        for (int q = 1; q <= 10; q++) y += sin(2 * M_PI * 5 * q * t + 2 * M_PI * phi[q - 1]);
        assert_true(fabs(y - a->y[i]) < 1e-4);
        tmin = fmin(tmin, t);
        tmax = fmax(tmax, t);
        ss += y * y;
    }
    assert_true(tmin >= 0 && tmin < 0.01 && tmax < 1 && tmax > 0.99);
    /* ten unit sinusoids of random phase: mean square 10 / 2 = 5 */
    assert_true(fabs(ss / (double)a->n - 5) < 0.6);
    /* a second split of the same signal: other points, same phases */
    assert_int_equal(ts_data_toy(1000, 42, 3, 1, 5, &b, &err), TS_OK);
    assert_true(a->x[0] != b->x[0]);
    for (size_t i = 0; i < b->n; i++) {
        double t = b->x[i], y = 0;
        for (int q = 1; q <= 10; q++) y += sin(2 * M_PI * 5 * q * t + 2 * M_PI * phi[q - 1]);
        assert_true(fabs(y - b->y[i]) < 1e-4);
    }
    /* another seed: another signal; the same call: the same bits */
    assert_int_equal(ts_data_toy(1000, 43, 3, 1, 2, &c, &err), TS_OK);
    assert_true(memcmp(a->y, c->y, 1000 * sizeof(float)) != 0);
    ts_dataset_free(c);
    assert_int_equal(ts_data_toy(1000, 42, 3, 1, 2, &c, &err), TS_OK);
    assert_memory_equal(a->x, c->x, 1000 * sizeof(float));
    assert_memory_equal(a->y, c->y, 1000 * sizeof(float));
    ts_dataset_free(a);
    ts_dataset_free(b);
    ts_dataset_free(c);
    assert_int_equal(ts_data_toy(0, 42, 3, 1, 2, &a, &err), TS_EINVAL);
}

/* A subset is reproducible for (seed, replicate), distinct rows (a
 * permutation's prefix), different for another replicate. */
static void test_subset(void **state)
{
    (void)state;
    ts_dataset *src, *s1, *s2, *s3;
    ts_err err = { 0 };
    assert_int_equal(ts_dataset_alloc(200, 2, 0, 4, &src, &err), TS_OK);
    for (size_t i = 0; i < 200; i++) {
        src->x[2 * i] = (float)i;
        src->x[2 * i + 1] = (float)(2 * i);
        src->label[i] = (int32_t)(i % 4);
    }
    assert_int_equal(ts_data_subset(src, 50, 7, 0, &s1, &err), TS_OK);
    assert_int_equal(ts_data_subset(src, 50, 7, 0, &s2, &err), TS_OK);
    assert_int_equal(ts_data_subset(src, 50, 7, 1, &s3, &err), TS_OK);
    assert_memory_equal(s1->x, s2->x, 100 * sizeof(float));
    assert_true(memcmp(s1->x, s3->x, 100 * sizeof(float)) != 0);
    int seen[200] = { 0 };
    for (size_t i = 0; i < 50; i++) {
        int k = (int)s1->x[2 * i];
        assert_true(k >= 0 && k < 200);
        assert_int_equal(seen[k], 0);
        seen[k] = 1;
        assert_true(s1->x[2 * i + 1] == (float)(2 * k));
        assert_int_equal(s1->label[i], k % 4);
    }
    ts_dataset_free(s1);
    ts_dataset_free(s2);
    ts_dataset_free(s3);
    /* the full size is a permutation */
    assert_int_equal(ts_data_subset(src, 200, 7, 0, &s1, &err), TS_OK);
    memset(seen, 0, sizeof seen);
    for (size_t i = 0; i < 200; i++) seen[(int)s1->x[2 * i]]++;
    for (int k = 0; k < 200; k++) assert_int_equal(seen[k], 1);
    ts_dataset_free(s1);
    assert_int_equal(ts_data_subset(src, 201, 7, 0, &s1, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "201"));
    ts_dataset_free(src);
}

/* After standardising, train features have mean 0 and sd 1 (constant ones
 * only centred); test is mapped with train's statistics. */
static void test_standardise(void **state)
{
    (void)state;
    ts_dataset *tr, *te;
    ts_err err = { 0 };
    assert_int_equal(ts_dataset_alloc(4, 2, 1, 0, &tr, &err), TS_OK);
    assert_int_equal(ts_dataset_alloc(1, 2, 1, 0, &te, &err), TS_OK);
    const float v[8] = { 1, 5, 2, 5, 3, 5, 4, 5 };
    memcpy(tr->x, v, sizeof v);
    te->x[0] = 5;
    te->x[1] = 6;
    ts_data_standardise(tr, te);
    double sd = sqrt(1.25);   /* population sd of 1, 2, 3, 4 */
    for (int i = 0; i < 4; i++) {
        assert_true(fabs(tr->x[2 * i] - (i + 1 - 2.5) / sd) < 1e-6);
        assert_true(tr->x[2 * i + 1] == 0.0f);
    }
    assert_true(fabs(te->x[0] - 2.5 / sd) < 1e-6);
    assert_true(te->x[1] == 1.0f);
    ts_dataset_free(tr);
    ts_dataset_free(te);
}

/* The real data: 60000 training images of 28 x 28, 6000 per class; 10000 test. */
static void test_fashion_mnist(void **state)
{
    (void)state;
    ts_dataset *ds;
    ts_err err = { 0 };
    assert_int_equal(ts_data_fashion_mnist(TS_FASHION_MNIST_DIR, 1, &ds, &err), TS_OK);
    assert_int_equal(ds->n, 60000);
    assert_int_equal(ds->d, 784);
    assert_int_equal(ds->n_classes, 10);
    size_t count[10] = { 0 };
    for (size_t i = 0; i < ds->n; i++) {
        assert_true(ds->label[i] >= 0 && ds->label[i] < 10);
        count[ds->label[i]]++;
    }
    for (int k = 0; k < 10; k++) assert_int_equal(count[k], 6000);
    float lo = 1, hi = 0;
    for (size_t i = 0; i < ds->n * ds->d; i += 7) {
        lo = fminf(lo, ds->x[i]);
        hi = fmaxf(hi, ds->x[i]);
    }
    assert_true(lo == 0.0f && hi == 1.0f);
    ts_dataset_free(ds);
    assert_int_equal(ts_data_fashion_mnist(NULL, 0, &ds, &err), TS_OK);
    assert_int_equal(ds->n, 10000);
    ts_dataset_free(ds);
    assert_int_equal(ts_data_fashion_mnist("/nonexistent/fmnist", 1, &ds, &err), TS_EIO);
    assert_non_null(strstr(err.msg, "no train-images-idx3-ubyte"));
    assert_non_null(strstr(err.msg, "'/nonexistent/fmnist'"));
    assert_non_null(strstr(err.msg, "dataset-fashion-mnist"));
}

static void same_images(const ts_images *im, size_t n, size_t h, size_t w, size_t c, const uint8_t *px,
                        const uint8_t *lab)
{
    assert_int_equal(im->n, n);
    assert_true(im->shape[0] == h && im->shape[1] == w && im->shape[2] == c);
    assert_int_equal(im->n_classes, 10);
    assert_memory_equal(im->pixels, px, n * h * w * c);
    for (size_t i = 0; i < n; i++) assert_int_equal(im->label[i], lab[i]);
}

/* Each named set from a folder of small files in its real format: the
 * images come back channels last, pixel for pixel, with their labels. */
static void test_named_sets_from_a_folder(void **state)
{
    (void)state;
    enum { NTR = 12, NTE = 5 };
    uint8_t px[NTR * 3072], lab[NTR], pt[NTE * 3072], lt[NTE];
    ts_images *im;
    ts_err err = { 0 };
    /* MNIST: training files gzipped, test files plain */
    const char *mn = imf_subdir(dir, "mnist");
    imf_learnable(NTR, 28, 28, 1, 1, px, lab);
    imf_learnable(NTE, 28, 28, 1, 2, pt, lt);
    assert_int_equal(imf_write_idx(mn, "train", NTR, 28, 28, px, lab, 1), 0);
    assert_int_equal(imf_write_idx(mn, "t10k", NTE, 28, 28, pt, lt, 0), 0);
    assert_int_equal(ts_data_set_check(TS_DATA_MNIST, mn, &err), TS_OK);
    assert_int_equal(ts_data_set_load(TS_DATA_MNIST, mn, 1, &im, &err), TS_OK);
    same_images(im, NTR, 28, 28, 1, px, lab);
    ts_images_free(im);
    assert_int_equal(ts_data_set_load(TS_DATA_MNIST, mn, 0, &im, &err), TS_OK);
    same_images(im, NTE, 28, 28, 1, pt, lt);
    /* as floats: shape kept, pixels / 255, rows picked */
    ts_dataset *ds;
    size_t rows[2] = { 4, 1 };
    assert_int_equal(ts_images_to_dataset(im, rows, 2, &ds, &err), TS_OK);
    assert_true(ds->n == 2 && ds->d == 784 && ds->shape[0] == 28 && ds->shape[2] == 1 && ds->label[0] == lt[4]);
    assert_true(ds->x[784 + 300] == (float)pt[784 + 300] * (1.0f / 255.0f));
    ts_dataset_free(ds);
    ts_images_free(im);
    /* CIFAR-10 in the tarball's subfolder: five training batches and the test batch */
    const char *cf = imf_subdir(imf_subdir(dir, "cifar"), "cifar-10-batches-bin");
    imf_learnable(NTR, 32, 32, 3, 3, px, lab);
    imf_learnable(NTE, 32, 32, 3, 4, pt, lt);
    for (int b = 0; b < 5; b++) {
        char name[32];
        snprintf(name, sizeof name, "data_batch_%d.bin", b + 1);
        size_t first = (size_t)b * NTR / 5, next = (size_t)(b + 1) * NTR / 5;
        assert_int_equal(imf_write_cifar(cf, name, next - first, px + first * 3072, lab + first), 0);
    }
    assert_int_equal(imf_write_cifar(cf, "test_batch.bin", NTE, pt, lt), 0);
    const char *cdir = imf_subdir(dir, "cifar");
    assert_int_equal(ts_data_set_load(TS_DATA_CIFAR10, cdir, 1, &im, &err), TS_OK);
    same_images(im, NTR, 32, 32, 3, px, lab);
    ts_images_free(im);
    assert_int_equal(ts_data_set_load(TS_DATA_CIFAR10, cdir, 0, &im, &err), TS_OK);
    same_images(im, NTE, 32, 32, 3, pt, lt);
    ts_images_free(im);
    /* SVHN: MAT v5 written by libmatio, compressed and not; labels 10 -> 0 */
    const char *sv = imf_subdir(dir, "svhn");
    char p[512];
    snprintf(p, sizeof p, "%s/train_32x32.mat", sv);
    assert_int_equal(imf_write_svhn(p, NTR, px, lab, 1), 0);
    snprintf(p, sizeof p, "%s/test_32x32.mat", sv);
    assert_int_equal(imf_write_svhn(p, NTE, pt, lt, 0), 0);
    assert_int_equal(ts_data_set_load(TS_DATA_SVHN, sv, 1, &im, &err), TS_OK);
    same_images(im, NTR, 32, 32, 3, px, lab);
    ts_images_free(im);
    assert_int_equal(ts_data_set_load(TS_DATA_SVHN, sv, 0, &im, &err), TS_OK);
    same_images(im, NTE, 32, 32, 3, pt, lt);
    ts_images_free(im);
}

/* A folder without the files: the message names the folder, the files and
 * where they come from; a set without a default needs data_dir; files of
 * the wrong shape or content are refused naming the file. */
static void test_named_sets_errors(void **state)
{
    (void)state;
    ts_images *im = NULL;
    ts_err err = { 0 };
    const char *empty = imf_subdir(dir, "empty");
    assert_int_equal(ts_data_set_check(TS_DATA_CIFAR10, empty, &err), TS_EIO);
    if (!strstr(err.msg, "data_batch_1.bin") || !strstr(err.msg, empty) || !strstr(err.msg, "test_batch.bin") ||
        !strstr(err.msg, "cs.toronto.edu"))
        fail_msg("message '%s'", err.msg);
    assert_int_equal(ts_data_set_check(TS_DATA_SVHN, empty, &err), TS_EIO);
    assert_true(strstr(err.msg, "train_32x32.mat") && strstr(err.msg, "ufldl.stanford.edu"));
    assert_int_equal(ts_data_set_load(TS_DATA_MNIST, NULL, 1, &im, &err), TS_EINVAL);
    assert_true(strstr(err.msg, "needs data_dir") && strstr(err.msg, "yann.lecun.com"));
    assert_null(im);
    assert_int_equal(ts_data_set_check(TS_DATA_MNIST, "", &err), TS_EINVAL);
    assert_int_equal(ts_data_set_check(TS_DATA_TOY, NULL, &err), TS_OK);
    /* the test split missing: the check says which file */
    const char *half = imf_subdir(dir, "half");
    uint8_t px[2 * 784] = { 0 }, lab[2] = { 1, 2 };
    assert_int_equal(imf_write_idx(half, "train", 2, 28, 28, px, lab, 0), 0);
    assert_int_equal(ts_data_set_check(TS_DATA_MNIST, half, &err), TS_EIO);
    assert_non_null(strstr(err.msg, "no t10k-images-idx3-ubyte"));
    /* images of the wrong size for the set */
    const char *small = imf_subdir(dir, "small");
    assert_int_equal(imf_write_idx(small, "train", 2, 14, 56, px, lab, 0), 0);
    assert_int_equal(ts_data_set_load(TS_DATA_MNIST, small, 1, &im, &err), TS_EINVAL);
    assert_true(strstr(err.msg, "14 x 56") && strstr(err.msg, "28 x 28"));
    /* SVHN: not a .mat file; a .mat file without X; labels out of range */
    const char *sv = imf_subdir(dir, "svhn_bad");
    char p[512];
    snprintf(p, sizeof p, "%s/train_32x32.mat", sv);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fputs("this is not a MATLAB file, only text pretending to be one, long enough for a header ......"
          "................................................................................", f);
    fclose(f);
    assert_int_equal(ts_images_svhn_load(p, &im, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, p));
    mat_t *mat = Mat_CreateVer(p, NULL, MAT_FT_MAT5);
    double yy[2] = { 1, 2 };
    size_t dy[2] = { 2, 1 };
    matvar_t *vy = Mat_VarCreate("y", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, dy, yy, 0);
    assert_int_equal(Mat_VarWrite(mat, vy, MAT_COMPRESSION_NONE), 0);
    Mat_VarFree(vy);
    Mat_Close(mat);
    assert_int_equal(ts_images_svhn_load(p, &im, &err), TS_EINVAL);
    assert_true(strstr(err.msg, p) && strstr(err.msg, "no variable 'X'"));
    uint8_t big[3072 * 2] = { 0 }, badlab[2] = { 3, 11 };
    assert_int_equal(imf_write_svhn(p, 2, big, badlab, 0), 0);   /* 11 is no digit */
    assert_int_equal(ts_images_svhn_load(p, &im, &err), TS_EINVAL);
    assert_true(strstr(err.msg, "label 2 is 11"));
    snprintf(p, sizeof p, "%s/none.mat", sv);
    assert_int_equal(ts_images_svhn_load(p, &im, &err), TS_EIO);
    assert_true(strstr(err.msg, p) && strstr(err.msg, "cannot open"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idx_plain_and_gzip),
        cmocka_unit_test(test_idx_broken_files),
        cmocka_unit_test(test_cifar),
        cmocka_unit_test(test_toy_closed_form),
        cmocka_unit_test(test_subset),
        cmocka_unit_test(test_standardise),
        cmocka_unit_test(test_fashion_mnist),
        cmocka_unit_test(test_named_sets_from_a_folder),
        cmocka_unit_test(test_named_sets_errors),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
