/* ts_vec_writer.c: chunked output of one vector (see ts_vec_writer.h).
 *
 * Files are written under a temporary name beside the target and renamed into
 * place only when complete, so a crash or kill never leaves a truncated file
 * under the name the user asked for. */
#include "tailsweep/ts_vec_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "tailsweep/ts_atomic_file.h"

typedef enum { FMT_TEXT, FMT_CSV, FMT_H5 } fmt;

struct ts_vec_writer {
    fmt format;
    ts_atomic_file af;      /* af.path NULL for the caller's stream */
    int borrowed;           /* fp is the caller's: flushed, never closed */
    char *path, *tmp;       /* af's names, for messages */
    FILE *fp;
    hid_t file, dset, space;
    size_t n, written;
};

/* Bytes the output will take: HDF5 stores 8 per value; text "%.17g\n" up
 * to 25. */
static double bytes_needed(fmt f, size_t n)
{
    return (double)n * (f == FMT_H5 ? 8.0 : 25.0) + 65536.0;
}

/* Refuse an output that will not fit: found now, not after minutes of
 * sampling and a half-written temporary file. */
static ts_status check_space(const char *path, fmt f, size_t n, ts_err *err)
{
    char *dir = strdup(path);
    if (!dir) return ts_err_set(err, TS_ENOMEM, "out of memory");
    char *slash = strrchr(dir, '/');
    if (!slash) strcpy(dir, ".");
    else if (slash == dir) dir[1] = '\0';
    else *slash = '\0';
    struct statvfs sv;
    ts_status st = TS_OK;
    if (statvfs(dir, &sv) == 0) {
        double avail = (double)sv.f_bavail * (double)sv.f_frsize, need = bytes_needed(f, n);
        if (need > avail)
            st = ts_err_set(err, TS_EIO, "%s: %zu values need about %.3g GB, but %s has %.3g GB free; write fewer "
                            "(-n), choose another folder, or use .h5 (8 bytes a value, against up to 25 as text)",
                            path, n, need / 1e9, dir, avail / 1e9);
    }
    free(dir);
    return st;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

static fmt format_of(const char *path)
{
    if (!path || strcmp(path, "-") == 0) return FMT_TEXT;
    if (ends_with(path, ".csv")) return FMT_CSV;
    if (ends_with(path, ".h5") || ends_with(path, ".hdf5")) return FMT_H5;
    return FMT_TEXT;
}

static ts_status h5_attr(hid_t obj, const ts_attr *a, ts_err *err)
{
    hid_t space = H5Screate(H5S_SCALAR), type = -1, attr = -1;
    herr_t rc = -1;
    if (space < 0) goto done;
    if (a->type == TS_ATTR_STRING) {
        type = H5Tcopy(H5T_C_S1);
        if (type < 0 || H5Tset_size(type, strlen(a->s) + 1) < 0) goto done;
        attr = H5Acreate2(obj, a->name, type, space, H5P_DEFAULT, H5P_DEFAULT);
        if (attr >= 0) rc = H5Awrite(attr, type, a->s);
    } else if (a->type == TS_ATTR_INT) {
        attr = H5Acreate2(obj, a->name, H5T_NATIVE_INT64, space, H5P_DEFAULT, H5P_DEFAULT);
        if (attr >= 0) rc = H5Awrite(attr, H5T_NATIVE_INT64, &a->i);
    } else {
        attr = H5Acreate2(obj, a->name, H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT);
        if (attr >= 0) rc = H5Awrite(attr, H5T_NATIVE_DOUBLE, &a->d);
    }
done:
    if (attr >= 0) H5Aclose(attr);
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    return rc < 0 ? ts_err_set(err, TS_EIO, "cannot write HDF5 attribute '%s'", a->name) : TS_OK;
}

static ts_status open_h5(ts_vec_writer *w, const char *column, const ts_attr *attrs,
                         size_t nattrs, ts_err *err)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);  /* errors are reported by us, once */
    w->file = H5Fcreate(w->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (w->file < 0)
        return ts_err_set(err, TS_EIO, "%s: cannot create HDF5 file", w->path);
    hsize_t dims[1] = { w->n };
    w->space = H5Screate_simple(1, dims, NULL);
    w->dset = H5Dcreate2(w->file, column, H5T_IEEE_F64LE, w->space, H5P_DEFAULT,
                         H5P_DEFAULT, H5P_DEFAULT);
    if (w->space < 0 || w->dset < 0)
        return ts_err_set(err, TS_EIO, "%s: cannot create dataset '%s'", w->path, column);
    for (size_t i = 0; i < nattrs; i++) {
        ts_status st = h5_attr(w->dset, &attrs[i], err);
        if (st) return st;
    }
    return TS_OK;
}

ts_status ts_vec_writer_open(ts_vec_writer **out, const char *path, FILE *stream, const char *column,
                             size_t n, const ts_attr *attrs, size_t nattrs, int overwrite,
                             ts_err *err)
{
    *out = NULL;
    ts_vec_writer *w = calloc(1, sizeof *w);
    if (!w) return ts_err_set(err, TS_ENOMEM, "out of memory opening output");
    w->format = format_of(path);
    w->n = n;
    w->file = w->dset = w->space = -1;
    if (!path || strcmp(path, "-") == 0) {
        if (!stream) {
            free(w);
            return ts_err_set(err, TS_EINVAL, "no output named and no stream given");
        }
        w->fp = stream;
        w->borrowed = 1;
        *out = w;
        return TS_OK;
    }
    ts_status st = check_space(path, w->format, n, err);
    if (!st) st = ts_atomic_begin(&w->af, path, overwrite, err);
    if (st) {
        free(w);
        return st;
    }
    w->path = w->af.path;
    w->tmp = w->af.tmp;
    /* fopen first for every format: it tells why a path is unwritable */
    w->fp = fopen(w->tmp, "w");
    if (!w->fp)
        st = ts_err_set(err, TS_EIO, "%s: cannot open for writing: %s", path, strerror(errno));
    else if (w->format == FMT_H5) {
        fclose(w->fp);
        w->fp = NULL;
        st = open_h5(w, column, attrs, nattrs, err);
    } else if (w->format == FMT_CSV) {
        fprintf(w->fp, "%s\n", column);
    }
    if (st) { ts_vec_writer_abort(w); return st; }
    *out = w;
    return TS_OK;
}

ts_status ts_vec_writer_write(ts_vec_writer *w, const double *x, size_t m, ts_err *err)
{
    if (w->written + m > w->n)
        return ts_err_set(err, TS_EINVAL, "writer got %zu values, expected %zu",
                          w->written + m, w->n);
    if (w->format == FMT_H5) {
        hsize_t start[1] = { w->written }, count[1] = { m };
        hid_t mem = H5Screate_simple(1, count, NULL);
        herr_t rc = mem < 0 ? -1 : H5Sselect_hyperslab(w->space, H5S_SELECT_SET, start, NULL, count, NULL);
        if (rc >= 0) rc = H5Dwrite(w->dset, H5T_NATIVE_DOUBLE, mem, w->space, H5P_DEFAULT, x);
        if (mem >= 0) H5Sclose(mem);
        if (rc < 0) return ts_err_set(err, TS_EIO, "%s: HDF5 write failed", w->path);
    } else {
        for (size_t i = 0; i < m; i++)
            if (fprintf(w->fp, "%.17g\n", x[i]) < 0)
                return ts_err_set(err, TS_EIO, "%s: write failed: %s",
                                  w->path ? w->path : "the output stream", strerror(errno));
    }
    w->written += m;
    return TS_OK;
}

static void release(ts_vec_writer *w)
{
    if (w->dset >= 0) H5Dclose(w->dset);
    if (w->space >= 0) H5Sclose(w->space);
    if (w->file >= 0) H5Fclose(w->file);
    if (w->fp && !w->borrowed) fclose(w->fp);
    w->dset = w->space = w->file = -1;
    w->fp = NULL;
}

void ts_vec_writer_abort(ts_vec_writer *w)
{
    if (!w) return;
    release(w);
    if (w->af.path) ts_atomic_abort(&w->af);
    free(w);
}

ts_status ts_vec_writer_close(ts_vec_writer *w, ts_err *err)
{
    if (!w) return TS_OK;
    if (w->written != w->n) {
        ts_status st = ts_err_set(err, TS_EINVAL, "output got %zu of %zu values", w->written, w->n);
        ts_vec_writer_abort(w);
        return st;
    }
    ts_status st = TS_OK;
    if (w->borrowed) {
        if (fflush(w->fp) != 0) st = ts_err_set(err, TS_EIO, "the output stream: write failed: %s", strerror(errno));
        free(w);
        return st;
    }
    int bad = 0;
    if (w->fp) { bad = fclose(w->fp) != 0; w->fp = NULL; }
    if (w->dset >= 0) { bad |= H5Dclose(w->dset) < 0; w->dset = -1; }
    if (w->space >= 0) { H5Sclose(w->space); w->space = -1; }
    if (w->file >= 0) { bad |= H5Fclose(w->file) < 0; w->file = -1; }
    if (bad) {
        st = ts_err_set(err, TS_EIO, "%s: cannot finish writing: %s", w->path, strerror(errno));
        ts_atomic_abort(&w->af);
    } else {
        st = ts_atomic_commit(&w->af, err);
    }
    free(w);
    return st;
}
