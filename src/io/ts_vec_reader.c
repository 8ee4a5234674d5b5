/* ts_vec_reader.c: read a 1-D array of doubles from a one-column text or CSV
 * file, or from an HDF5 dataset named as FILE.h5:/path (ts_vec_reader.h). */
#include "tailsweep/ts_vec_reader.h"
#include "tailsweep/ts_number.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ts_status read_h5(const char *file, const char *dset, double **out, size_t *n, ts_err *err)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return ts_err_set(err, TS_EIO, "%s: cannot open as HDF5", file);
    hid_t d = H5Dopen2(f, dset, H5P_DEFAULT);
    ts_status st = TS_OK;
    if (d < 0) {
        H5Fclose(f);
        return ts_err_set(err, TS_EIO, "%s: no dataset '%s'", file, dset);
    }
    hid_t sp = H5Dget_space(d);
    hssize_t cnt = H5Sget_simple_extent_npoints(sp);
    hid_t t = H5Dget_type(d);
    if (H5Tget_class(t) != H5T_FLOAT && H5Tget_class(t) != H5T_INTEGER)
        st = ts_err_set(err, TS_EINVAL, "%s:%s: not a numeric dataset", file, dset);
    else if (cnt <= 0)
        st = ts_err_set(err, TS_EINVAL, "%s:%s: the dataset is empty", file, dset);
    else if (!(*out = malloc((size_t)cnt * sizeof **out)))
        st = ts_err_set(err, TS_ENOMEM, "%s:%s: out of memory", file, dset);
    else if (H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) < 0) {
        free(*out);
        st = ts_err_set(err, TS_EIO, "%s:%s: read failed", file, dset);
    }
    H5Tclose(t);
    H5Sclose(sp);
    H5Dclose(d);
    H5Fclose(f);
    if (!st) *n = (size_t)cnt;   /* all elements, flattened: any shape is fine */
    return st;
}

/* One number per line; blank lines and lines starting with # are skipped;
 * a first line that is not a number is a CSV header. */
static ts_status read_text(const char *path, double **out, size_t *n, ts_err *err)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return ts_err_set(err, TS_EIO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1024, len = 0, lineno = 0;
    double *v = malloc(cap * sizeof *v);
    char line[512];
    ts_status st = v ? TS_OK : ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
    while (!st && fgets(line, sizeof line, fp)) {
        lineno++;
        char *s = line + strspn(line, " \t");
        if (*s == '\n' || *s == '\r' || *s == '#' || *s == 0) continue;
        size_t sl = strlen(s);
        while (sl && strchr(" \t\r\n", s[sl - 1])) s[--sl] = '\0';
        double x = 0;
        ts_num_status ns = ts_parse_double(s, &x);
        if (ns == TS_NUM_SYNTAX) {
            if (lineno == 1 && len == 0) continue;   /* a CSV header */
            st = ts_err_set(err, TS_EINVAL, "%s:%zu: '%.40s' is not a number (one value per line expected)",
                            path, lineno, s);
        } else if (ns != TS_NUM_OK) {
            st = ts_err_set(err, TS_EINVAL, "%s:%zu: value is not finite", path, lineno);
        } else {
            if (len == cap) {
                double *w = realloc(v, 2 * cap * sizeof *v);
                if (!w) { st = ts_err_set(err, TS_ENOMEM, "%s: out of memory", path); break; }
                v = w;
                cap *= 2;
            }
            v[len++] = x;
        }
    }
    fclose(fp);
    if (!st && len == 0) st = ts_err_set(err, TS_EINVAL, "%s: no values", path);
    if (st) { free(v); return st; }
    *out = v;
    *n = len;
    return TS_OK;
}

ts_status ts_vec_read(const char *spec, double **out, size_t *n, ts_err *err)
{
    *out = NULL;
    *n = 0;
    const char *colon = strstr(spec, ":/");
    if (colon) {
        char file[4096];
        size_t fl = (size_t)(colon - spec);
        if (fl >= sizeof file) return ts_err_set(err, TS_EINVAL, "%s: path too long", spec);
        memcpy(file, spec, fl);
        file[fl] = 0;
        return read_h5(file, colon + 1, out, n, err);
    }
    return read_text(spec, out, n, err);
}
