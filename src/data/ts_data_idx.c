/* ts_data_idx.c: MNIST-format IDX files through zlib (gzip or not: gzread
 * passes plain files through), and Fashion-MNIST as floats.
 *
 * IDX: a 4-byte magic 0, 0, type, ndim (type 0x08 = unsigned byte), ndim
 * big-endian 32-bit sizes, then the values. Images are idx3 (n x rows x
 * cols), labels idx1 (n). Every failure names the file. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "tailsweep/ts_data.h"

/* Read exactly len bytes; a short read is a truncated file, a gzread error a
 * corrupt gzip stream. */
static ts_status gz_read_all(gzFile f, const char *path, void *buf, size_t len, const char *what,
                             ts_err *err)
{
    unsigned char *p = buf;
    while (len > 0) {
        unsigned chunk = len > (1u << 30) ? (1u << 30) : (unsigned)len;
        int got = gzread(f, p, chunk);
        if (got < 0) {
            int code;
            const char *m = gzerror(f, &code);
            return ts_err_set(err, TS_EIO, "%s: corrupt file reading %s: %s", path, what, m ? m : "zlib error");
        }
        if (got == 0) return ts_err_set(err, TS_EIO, "%s: truncated file: %zu bytes of %s missing", path, len, what);
        p += got;
        len -= (size_t)got;
    }
    return TS_OK;
}

/* Open and read the header; dims[] gets the ndim sizes. */
static ts_status idx_open(const char *path, int want_ndim, gzFile *out, uint32_t dims[3], ts_err *err)
{
    gzFile f = gzopen(path, "rb");
    if (!f) return ts_err_set(err, TS_EIO, "%s: cannot open: %s", path, errno ? strerror(errno) : "zlib error");
    unsigned char h[4];
    ts_status st = gz_read_all(f, path, h, 4, "the header", err);
    if (!st && (h[0] != 0 || h[1] != 0 || h[2] != 0x08 || h[3] != want_ndim))
        st = ts_err_set(err, TS_EINVAL, "%s: not an IDX%d unsigned-byte file (magic %02x %02x %02x %02x, want 00 00 08 %02x)",
                        path, want_ndim, h[0], h[1], h[2], h[3], (unsigned)want_ndim);
    for (int i = 0; i < want_ndim && !st; i++) {
        unsigned char b[4];
        st = gz_read_all(f, path, b, 4, "the header", err);
        if (!st) dims[i] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        if (!st && dims[i] == 0) st = ts_err_set(err, TS_EINVAL, "%s: dimension %d is 0", path, i + 1);
    }
    if (st) {
        gzclose(f);
        return st;
    }
    *out = f;
    return TS_OK;
}

/* Data after the last value means the header and the file disagree. */
static ts_status idx_expect_end(gzFile f, const char *path, ts_err *err)
{
    unsigned char b;
    int got = gzread(f, &b, 1);
    if (got < 0) return ts_err_set(err, TS_EIO, "%s: corrupt file at its end", path);
    if (got > 0) return ts_err_set(err, TS_EINVAL, "%s: corrupt file: data beyond the sizes in its header", path);
    return TS_OK;
}

ts_status ts_images_idx_load(const char *images_path, const char *labels_path, ts_images **out, ts_err *err)
{
    *out = NULL;
    gzFile fi = NULL, fl = NULL;
    uint32_t di[3], dl[3];
    ts_status st = idx_open(images_path, 3, &fi, di, err);
    if (!st) st = idx_open(labels_path, 1, &fl, dl, err);
    if (!st && di[0] != dl[0])
        st = ts_err_set(err, TS_EINVAL, "%s: %u labels for %u images in %s", labels_path, dl[0], di[0], images_path);
    size_t n = st ? 0 : di[0], d = st ? 0 : (size_t)di[1] * di[2];
    unsigned char *lab = NULL;
    if (!st && !(lab = malloc(n))) st = ts_err_set(err, TS_ENOMEM, "%s: out of memory for %zu labels", labels_path, n);
    if (!st) st = gz_read_all(fl, labels_path, lab, n, "the labels", err);
    if (!st) st = idx_expect_end(fl, labels_path, err);
    unsigned maxl = 0;
    for (size_t i = 0; !st && i < n; i++)
        if (lab[i] > maxl) maxl = lab[i];
    if (!st) st = ts_images_alloc(n, di[1], di[2], 1, maxl + 1, out, err);
    if (!st) st = gz_read_all(fi, images_path, (*out)->pixels, n * d, "the pixels", err);
    if (!st) st = idx_expect_end(fi, images_path, err);
    if (fi) gzclose(fi);
    if (fl) gzclose(fl);
    for (size_t i = 0; !st && i < n; i++) (*out)->label[i] = lab[i];
    free(lab);
    if (st) {
        ts_images_free(*out);
        *out = NULL;
    }
    return st;
}

ts_status ts_data_idx_load(const char *images_path, const char *labels_path,
                           ts_dataset **out, ts_err *err)
{
    ts_images *im = NULL;
    ts_status st = ts_images_idx_load(images_path, labels_path, &im, err);
    return ts_images_into_dataset(st, &im, out, err);
}

ts_status ts_data_fashion_mnist(const char *dir, int train, ts_dataset **out, ts_err *err)
{
    ts_images *im = NULL;
    ts_status st = ts_data_set_load(TS_DATA_FASHION_MNIST, dir, train, &im, err);
    return ts_images_into_dataset(st, &im, out, err);
}
