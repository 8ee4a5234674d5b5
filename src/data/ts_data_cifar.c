/* ts_data_cifar.c: CIFAR-10 binary batches: records of one label byte (0..9)
 * and 3072 pixel bytes (1024 red, 1024 green, 1024 blue, row-major 32 x 32),
 * read through zlib so gzipped copies load too, and stored channels last
 * (32 x 32 x 3) like every image set of ts_data.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "tailsweep/ts_data.h"

enum { CIFAR_SIDE = 32, CIFAR_PLANE = 1024, CIFAR_D = 3072, CIFAR_REC = CIFAR_D + 1, CIFAR_CLASSES = 10 };

/* All records of one file appended to *buf; a partial record is truncation. */
static ts_status read_file(const char *path, unsigned char **buf, size_t *n_rec, size_t *cap, ts_err *err)
{
    gzFile f = gzopen(path, "rb");
    if (!f) return ts_err_set(err, TS_EIO, "%s: cannot open: %s", path, errno ? strerror(errno) : "zlib error");
    ts_status st = TS_OK;
    size_t before = *n_rec;
    for (;;) {
        if ((*n_rec + 1) * CIFAR_REC > *cap) {
            size_t nc = *cap ? 2 * *cap : 1024 * (size_t)CIFAR_REC;
            unsigned char *nb = realloc(*buf, nc);
            if (!nb) {
                st = ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
                break;
            }
            *buf = nb;
            *cap = nc;
        }
        unsigned char *rec = *buf + *n_rec * CIFAR_REC;
        int got = gzread(f, rec, CIFAR_REC);
        if (got < 0) {
            int code;
            const char *m = gzerror(f, &code);
            st = ts_err_set(err, TS_EIO, "%s: corrupt file at record %zu: %s", path, *n_rec + 1, m ? m : "zlib error");
            break;
        }
        if (got == 0) break;
        if (got < CIFAR_REC) {
            st = ts_err_set(err, TS_EIO, "%s: truncated file: record %zu has %d of %d bytes", path, *n_rec + 1,
                            got, CIFAR_REC);
            break;
        }
        if (rec[0] >= CIFAR_CLASSES) {
            st = ts_err_set(err, TS_EINVAL, "%s: corrupt file: record %zu has label %u (want 0..9)", path,
                            *n_rec + 1, rec[0]);
            break;
        }
        (*n_rec)++;
    }
    gzclose(f);
    if (!st && *n_rec == before) st = ts_err_set(err, TS_EINVAL, "%s: no records", path);
    return st;
}

ts_status ts_images_cifar10_load(const char *const *paths, size_t n_paths, ts_images **out, ts_err *err)
{
    *out = NULL;
    if (n_paths == 0) return ts_err_set(err, TS_EINVAL, "cifar-10: no batch files given");
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0;
    ts_status st = TS_OK;
    for (size_t k = 0; k < n_paths && !st; k++) st = read_file(paths[k], &buf, &n, &cap, err);
    if (!st) st = ts_images_alloc(n, CIFAR_SIDE, CIFAR_SIDE, 3, CIFAR_CLASSES, out, err);
    if (!st)
        for (size_t i = 0; i < n; i++) {
            const unsigned char *rec = buf + i * CIFAR_REC;
            uint8_t *px = (*out)->pixels + i * CIFAR_D;
            (*out)->label[i] = rec[0];
            for (size_t c = 0; c < 3; c++)   /* plane c, pixel p -> pixel p, channel c */
                for (size_t p = 0; p < CIFAR_PLANE; p++) px[3 * p + c] = rec[1 + c * CIFAR_PLANE + p];
        }
    free(buf);
    return st;
}

ts_status ts_data_cifar10_load(const char *const *paths, size_t n_paths,
                               ts_dataset **out, ts_err *err)
{
    ts_images *im = NULL;
    ts_status st = ts_images_cifar10_load(paths, n_paths, &im, err);
    return ts_images_into_dataset(st, &im, out, err);
}
