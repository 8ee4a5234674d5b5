/* image_files.h: small image sets written by the tests in each real format
 * the data loaders read (MNIST IDX plain or gzipped, CIFAR-10 binary
 * batches, SVHN .mat through libmatio), and a learnable set to write.
 * Header-only (static functions) for tests/unit/test_*.c. */
#ifndef TS_TEST_IMAGE_FILES_H
#define TS_TEST_IMAGE_FILES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include <matio.h>

/* Write bytes to dir/name, through gzip when gz; 0 on success. */
static int imf_write(const char *dir, const char *name, const unsigned char *b, size_t n, int gz)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    if (gz) {
        gzFile f = gzopen(p, "wb");
        if (!f) return -1;
        int ok = gzwrite(f, b, (unsigned)n) == (int)n;
        return gzclose(f) == Z_OK && ok ? 0 : -1;
    }
    FILE *f = fopen(p, "wb");
    if (!f) return -1;
    int ok = fwrite(b, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static void imf_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* MNIST's two files of one split (prefix "train" or "t10k"): n images of
 * h x w one-channel pixels (row-major), n labels. */
static int imf_write_idx(const char *dir, const char *prefix, size_t n, size_t h, size_t w, const uint8_t *px,
                         const uint8_t *lab, int gz)
{
    size_t ni = 16 + n * h * w, nl = 8 + n;
    unsigned char *b = malloc(ni), *l = malloc(nl);
    if (!b || !l) return -1;
    b[0] = b[1] = 0, b[2] = 8, b[3] = 3;
    imf_be32(b + 4, (uint32_t)n), imf_be32(b + 8, (uint32_t)h), imf_be32(b + 12, (uint32_t)w);
    memcpy(b + 16, px, n * h * w);
    l[0] = l[1] = 0, l[2] = 8, l[3] = 1;
    imf_be32(l + 4, (uint32_t)n);
    memcpy(l + 8, lab, n);
    char fi[64], fl[64];
    snprintf(fi, sizeof fi, "%s-images-idx3-ubyte%s", prefix, gz ? ".gz" : "");
    snprintf(fl, sizeof fl, "%s-labels-idx1-ubyte%s", prefix, gz ? ".gz" : "");
    int rc = imf_write(dir, fi, b, ni, gz) || imf_write(dir, fl, l, nl, gz);
    free(b);
    free(l);
    return rc;
}

/* One CIFAR-10 batch file of n 32 x 32 x 3 images given channels last:
 * each record is the label, then the red, green and blue planes. */
static int imf_write_cifar(const char *dir, const char *name, size_t n, const uint8_t *px_hwc, const uint8_t *lab)
{
    unsigned char *b = malloc(n * 3073);
    if (!b) return -1;
    for (size_t i = 0; i < n; i++) {
        b[i * 3073] = lab[i];
        for (size_t c = 0; c < 3; c++)
            for (size_t p = 0; p < 1024; p++) b[i * 3073 + 1 + c * 1024 + p] = px_hwc[i * 3072 + 3 * p + c];
    }
    int rc = imf_write(dir, name, b, n * 3073, 0);
    free(b);
    return rc;
}

/* An SVHN file: X 32 x 32 x 3 x n uint8 in MATLAB's column-major order and
 * y n x 1 doubles 1..10 (10 for the digit 0), from images given channels
 * last and labels 0..9, written by libmatio as MAT v5 (zlib-compressed when
 * compress). */
static int imf_write_svhn(const char *path, size_t n, const uint8_t *px_hwc, const uint8_t *lab, int compress)
{
    uint8_t *x = malloc(n * 3072);
    double *y = malloc(n * sizeof *y);
    if (!x || !y) return -1;
    for (size_t i = 0; i < n; i++) {
        y[i] = lab[i] == 0 ? 10 : lab[i];
        for (size_t h = 0; h < 32; h++)
            for (size_t w = 0; w < 32; w++)
                for (size_t c = 0; c < 3; c++) x[h + 32 * (w + 32 * (c + 3 * i))] = px_hwc[i * 3072 + (h * 32 + w) * 3 + c];
    }
    int rc = -1;
    mat_t *mat = Mat_CreateVer(path, NULL, MAT_FT_MAT5);
    if (mat) {
        size_t dx[4] = { 32, 32, 3, n }, dy[2] = { n, 1 };
        matvar_t *vx = Mat_VarCreate("X", MAT_C_UINT8, MAT_T_UINT8, 4, dx, x, 0);
        matvar_t *vy = Mat_VarCreate("y", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, dy, y, 0);
        enum matio_compression z = compress ? MAT_COMPRESSION_ZLIB : MAT_COMPRESSION_NONE;
        rc = vx && vy && Mat_VarWrite(mat, vx, z) == 0 && Mat_VarWrite(mat, vy, z) == 0 ? 0 : -1;
        Mat_VarFree(vx);
        Mat_VarFree(vy);
        Mat_Close(mat);
    }
    free(x);
    free(y);
    return rc;
}

/* A learnable set: class k = i % 10 lights a 4 x 4 patch at its own place
 * (on every channel) over uniform noise in [0, 96); n images of h x w x c,
 * channels last. Deterministic in seed. */
static void imf_learnable(size_t n, size_t h, size_t w, size_t c, uint32_t seed, uint8_t *px, uint8_t *lab)
{
    uint32_t s = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        int k = (int)(i % 10);
        lab[i] = (uint8_t)k;
        size_t r0 = 2 + (size_t)(k / 5) * (h / 2), c0 = 2 + (size_t)(k % 5) * ((w - 6) / 5);
        for (size_t y = 0; y < h; y++)
            for (size_t x = 0; x < w; x++)
                for (size_t ch = 0; ch < c; ch++) {
                    s = s * 1664525u + 1013904223u;
                    int v = (int)((s >> 24) % 96);
                    if (y >= r0 && y < r0 + 4 && x >= c0 && x < c0 + 4) v += 150;
                    px[((i * h + y) * w + x) * c + ch] = (uint8_t)v;
                }
    }
}

/* dir/sub, created; returns a static path. */
static const char *imf_subdir(const char *dir, const char *sub)
{
    static char p[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, sub);
    mkdir(p[k], 0700);
    return p[k];
}

#endif
