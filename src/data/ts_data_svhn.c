/* ts_data_svhn.c: SVHN's cropped digits ("format 2": train_32x32.mat,
 * test_32x32.mat) through libmatio, Debian's MATLAB file library (MAT v4,
 * v5 compressed or not, v7.3 on HDF5): X is 32 x 32 x 3 x n uint8 in
 * MATLAB's column-major order, element (h, w, c, i) at
 * h + 32 (w + 32 (c + 3 i)); y is n labels 1..10, 10 meaning the digit 0.
 *
 * libmatio reports problems through a process-wide log function that
 * prints to stderr by default; the library never prints, so the loader
 * installs one that keeps the last message for the error it returns. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <matio.h>

#include "tailsweep/ts_data.h"

enum { SVHN_SIDE = 32, SVHN_CHANNELS = 3, SVHN_CLASSES = 10 };

static char mat_msg[256];

static void mat_log(int level, char *message)
{
    (void)level;
    snprintf(mat_msg, sizeof mat_msg, "%s", message ? message : "");
}

/* Label i of y, whatever numeric class matio read it as (NaN for others). */
static double label_at(const matvar_t *y, size_t i)
{
    switch (y->class_type) {
    case MAT_C_DOUBLE: return ((const double *)y->data)[i];
    case MAT_C_SINGLE: return ((const float *)y->data)[i];
    case MAT_C_UINT8: return ((const uint8_t *)y->data)[i];
    case MAT_C_INT8: return ((const int8_t *)y->data)[i];
    case MAT_C_UINT16: return ((const uint16_t *)y->data)[i];
    case MAT_C_INT16: return ((const int16_t *)y->data)[i];
    case MAT_C_UINT32: return ((const uint32_t *)y->data)[i];
    case MAT_C_INT32: return ((const int32_t *)y->data)[i];
    default: return NAN;
    }
}

static ts_status check_vars(const char *path, const matvar_t *x, const matvar_t *y, size_t *n, ts_err *err)
{
    if (!x || !y)
        return ts_err_set(err, TS_EINVAL, "%s: no variable '%s' (SVHN's cropped-digit files hold X and y)%s%s", path,
                          x ? "y" : "X", mat_msg[0] ? ": " : "", mat_msg);
    if (x->rank != 4 || x->dims[0] != SVHN_SIDE || x->dims[1] != SVHN_SIDE || x->dims[2] != SVHN_CHANNELS ||
        x->class_type != MAT_C_UINT8 || x->isComplex)
        return ts_err_set(err, TS_EINVAL, "%s: X must be a real 32 x 32 x 3 x n uint8 array (rank %d, class %d)", path,
                          x->rank, (int)x->class_type);
    *n = x->dims[3];
    size_t ny = 1;
    for (int k = 0; k < y->rank; k++) ny *= y->dims[k];
    if (*n == 0) return ts_err_set(err, TS_EINVAL, "%s: X holds no images", path);
    if (ny != *n || y->isComplex)
        return ts_err_set(err, TS_EINVAL, "%s: %zu labels in y for %zu images in X", path, ny, *n);
    if (!x->data || !y->data) return ts_err_set(err, TS_EIO, "%s: could not read the data%s%s", path,
                                                mat_msg[0] ? ": " : "", mat_msg);
    return TS_OK;
}

ts_status ts_images_svhn_load(const char *path, ts_images **out, ts_err *err)
{
    *out = NULL;
    mat_msg[0] = '\0';
    Mat_LogInitFunc("tailsweep", mat_log);
    FILE *probe = fopen(path, "rb");   /* a missing file gets the system's reason */
    if (!probe) return ts_err_set(err, TS_EIO, "%s: cannot open: %s", path, strerror(errno));
    fclose(probe);
    mat_t *mat = Mat_Open(path, MAT_ACC_RDONLY);
    if (!mat) return ts_err_set(err, TS_EINVAL, "%s: not a MATLAB .mat file%s%s", path, mat_msg[0] ? ": " : "", mat_msg);
    matvar_t *x = Mat_VarRead(mat, "X"), *y = Mat_VarRead(mat, "y");
    size_t n = 0;
    ts_status st = check_vars(path, x, y, &n, err);
    if (!st) st = ts_images_alloc(n, SVHN_SIDE, SVHN_SIDE, SVHN_CHANNELS, SVHN_CLASSES, out, err);
    for (size_t i = 0; !st && i < n; i++) {
        double v = label_at(y, i);
        if (!(v >= 1 && v <= 10 && v == floor(v))) {
            st = ts_err_set(err, TS_EINVAL, "%s: label %zu is %g (SVHN's are 1..10, 10 for the digit 0)", path, i + 1, v);
            break;
        }
        (*out)->label[i] = (int32_t)v % 10;
        const uint8_t *src = (const uint8_t *)x->data + i * SVHN_SIDE * SVHN_SIDE * SVHN_CHANNELS;
        uint8_t *dst = (*out)->pixels + i * SVHN_SIDE * SVHN_SIDE * SVHN_CHANNELS;
        for (size_t h = 0; h < SVHN_SIDE; h++)
            for (size_t w = 0; w < SVHN_SIDE; w++)
                for (size_t c = 0; c < SVHN_CHANNELS; c++)
                    dst[(h * SVHN_SIDE + w) * SVHN_CHANNELS + c] = src[h + SVHN_SIDE * (w + SVHN_SIDE * c)];
    }
    Mat_VarFree(x);
    Mat_VarFree(y);
    Mat_Close(mat);
    if (st) {
        ts_images_free(*out);
        *out = NULL;
    }
    return st;
}
