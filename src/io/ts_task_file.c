/* ts_task_file.c: one task's results as an HDF5 file (ts_task_file.h). */
#include "tailsweep/ts_task_file.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tailsweep/ts_version.h"

static int attr_str(hid_t obj, const char *name, const char *s)
{
    hid_t t = H5Tcopy(H5T_C_S1), sp = H5Screate(H5S_SCALAR);
    H5Tset_size(t, strlen(s) + 1);
    hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a < 0 || H5Awrite(a, t, s) < 0;
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    return rc;
}

static int attr_num(hid_t obj, const char *name, double v)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a < 0 || H5Awrite(a, H5T_NATIVE_DOUBLE, &v) < 0;
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    return rc;
}

static int write_params(hid_t f, const ts_kind *k, const ts_task *t, ts_task_status status)
{
    int bad = attr_str(f, "kind", k->name) | attr_str(f, "tailsweep_version", TS_VERSION)
            | attr_num(f, "seed", (double)t->seed) | attr_str(f, "status", ts_task_status_name(status));
    for (size_t i = 0; i < k->n_params; i++) {
        const ts_param_spec *s = &k->params[i];
        bad |= s->type == TS_PARAM_CHOICE   ? attr_str(f, s->name, s->choices[(int)t->params.v[i]])
               : s->type == TS_PARAM_STRING ? attr_str(f, s->name, t->params.s[i] ? t->params.s[i] : "")
                                            : attr_num(f, s->name, t->params.v[i]);
    }
    return bad;
}

static hid_t write_array(hid_t f, const char *name, int rank, const hsize_t *dims, const double *v)
{
    hid_t sp = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, dims, NULL);
    hid_t d = H5Dcreate2(f, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (d >= 0 && H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
        H5Dclose(d);
        d = -1;
    }
    H5Sclose(sp);
    return d;
}

/* A coordinate dataset named after the dimension, made a dimension scale
 * once and attached to every result that uses it. */
static int attach_coord(hid_t f, hid_t d, const ts_result_spec *r, unsigned dim)
{
    const char *nm = r->dim_names[dim];
    hid_t c = H5Lexists(f, nm, H5P_DEFAULT) > 0 ? H5Dopen2(f, nm, H5P_DEFAULT) : -1;
    if (c < 0) {
        hsize_t n = r->dims[dim];
        c = write_array(f, nm, 1, &n, r->coords[dim]);
        if (c < 0 || H5DSset_scale(c, nm) < 0) return 1;
    }
    int bad = H5DSattach_scale(d, c, dim) < 0;
    H5Dclose(c);
    return bad;
}

static int write_results(hid_t f, const ts_result_layout *l, double *const *out)
{
    int bad = 0;
    for (size_t i = 0; i < l->n && !bad; i++) {
        const ts_result_spec *r = &l->r[i];
        hsize_t dims[2] = { r->dims[0], r->dims[1] };
        hid_t d = write_array(f, r->name, (int)r->rank, dims, out[i]);
        if (d < 0) return 1;
        bad |= attr_str(d, "units", r->unit) | attr_str(d, "description", r->doc);
        for (unsigned k = 0; k < r->rank && !bad; k++)
            if (r->coords[k]) bad |= attach_coord(f, d, r, k);
        H5Dclose(d);
    }
    return bad;
}

ts_status ts_task_file_write(const char *path, const ts_kind *kind, const ts_task *task,
                             const ts_result_layout *l, double *const *out,
                             ts_task_status status, int overwrite, ts_err *err)
{
    if (!overwrite && access(path, F_OK) == 0)
        return ts_err_set(err, TS_EIO, "%s: file exists (pass --force to overwrite)", path);
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return ts_err_set(err, TS_EIO, "%s: path too long", path);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) return ts_err_set(err, TS_EIO, "%s: cannot create (check the directory exists and is writable)", path);
    int bad = write_params(f, kind, task, status) | write_results(f, l, out);
    bad |= H5Fclose(f) < 0;
    int moved = bad ? -1 : overwrite ? rename(tmp, path)
                                     : renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE);
    if (moved != 0) {
        int e = errno;
        unlink(tmp);
        return ts_err_set(err, TS_EIO, "%s: %s", path,
                          bad ? "cannot write HDF5 data" : e == EEXIST ? "file appeared while writing; left it alone"
                                                                       : strerror(e));
    }
    return TS_OK;
}
