/* ts_images.c: image sets as bytes (ts_data.h), and their conversion to the
 * float datasets networks train on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_data.h"

ts_status ts_images_alloc(size_t n, size_t height, size_t width, size_t channels, size_t n_classes,
                          ts_images **out, ts_err *err)
{
    *out = NULL;
    size_t d = height * width * channels;
    if (n == 0 || d == 0 || n_classes == 0)
        return ts_err_set(err, TS_EINVAL, "images: n = %zu, %zu x %zu x %zu pixels and %zu classes must all be "
                          ">= 1", n, height, width, channels, n_classes);
    if (d / height / width != channels || d > SIZE_MAX / n)
        return ts_err_set(err, TS_EINVAL, "images: %zu images of %zu x %zu x %zu is too large", n, height, width,
                          channels);
    ts_images *im = calloc(1, sizeof *im);
    if (!im) return ts_err_set(err, TS_ENOMEM, "images: out of memory");
    im->n = n;
    im->shape[0] = height;
    im->shape[1] = width;
    im->shape[2] = channels;
    im->n_classes = n_classes;
    im->pixels = malloc(n * d);
    im->label = malloc(n * sizeof *im->label);
    if (!im->pixels || !im->label) {
        ts_images_free(im);
        return ts_err_set(err, TS_ENOMEM, "images: out of memory for %zu images of %zu bytes", n, d);
    }
    *out = im;
    return TS_OK;
}

void ts_images_free(ts_images *im)
{
    if (!im) return;
    free(im->pixels);
    free(im->label);
    free(im);
}

ts_status ts_images_into_dataset(ts_status st, ts_images **im, ts_dataset **out, ts_err *err)
{
    *out = NULL;
    if (!st) st = ts_images_to_dataset(*im, NULL, (*im)->n, out, err);
    ts_images_free(*im);
    *im = NULL;
    return st;
}

ts_status ts_images_to_dataset(const ts_images *src, const size_t *rows, size_t n, ts_dataset **out,
                               ts_err *err)
{
    *out = NULL;
    size_t d = src->shape[0] * src->shape[1] * src->shape[2];
    if (n == 0 || n > src->n)
        return ts_err_set(err, TS_EINVAL, "images: %zu examples asked of a set of %zu", n, src->n);
    for (size_t i = 0; rows && i < n; i++)
        if (rows[i] >= src->n) return ts_err_set(err, TS_EINVAL, "images: row %zu of a set of %zu", rows[i], src->n);
    ts_status st = ts_dataset_alloc(n, d, 0, src->n_classes, out, err);
    if (st) return st;
    ts_dataset *ds = *out;
    memcpy(ds->shape, src->shape, sizeof ds->shape);
    for (size_t i = 0; i < n; i++) {
        size_t r = rows ? rows[i] : i;
        const uint8_t *p = src->pixels + r * d;
        float *x = ds->x + i * d;
        for (size_t j = 0; j < d; j++) x[j] = (float)p[j] * (1.0f / 255.0f);
        ds->label[i] = src->label[r];
    }
    return TS_OK;
}
