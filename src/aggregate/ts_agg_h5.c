/* ts_agg_h5.c: the HDF5 side of writing /aggregate and stacked stores:
 * fixed-length string attributes, coordinates and their scales, datasets
 * with their scales and attributes, written box by box. */
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ts_agg_internal.h"

ts_status agg_h5fail(const agg_ctx *c, const char *what, const char *name)
{
    return ts_err_set(c->err, TS_EIO, "%s: %s '%s'", c->path, what, name);
}


hid_t agg_make_dset(agg_ctx *c, const char *name, hid_t ftype, hid_t sp)
{
    if (c->n_written < AGG_MAX_WRITTEN) snprintf(c->written[c->n_written++], TS_VIEW_NAME, "%s", name);
    return H5Dcreate2(c->group, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}

/* Fixed-length strings: a variable-length one lives in the file's global
 * heap, whose space HDF5 never reclaims when /aggregate is replaced, so the
 * store would grow on every run. h5py and xarray read both kinds as str. */
ts_status agg_attr_str(const agg_ctx *c, hid_t obj, const char *name, const char *value)
{
    size_t n = strlen(value);
    hid_t t = H5Tcopy(H5T_C_S1);
    herr_t rc = t >= 0 && H5Tset_size(t, n ? n : 1) >= 0 && H5Tset_cset(t, H5T_CSET_UTF8) >= 0 &&
                H5Tset_strpad(t, H5T_STR_NULLPAD) >= 0 ? 0 : -1;
    hid_t sp = H5Screate(H5S_SCALAR), a = -1;
    if (!rc) a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    rc = a >= 0 ? H5Awrite(a, t, n ? value : " ") : -1;
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    return rc < 0 ? agg_h5fail(c, "cannot write attribute", name) : TS_OK;
}

ts_status agg_attr_doubles(const agg_ctx *c, hid_t obj, const char *name, const double *x, size_t n)
{
    hsize_t dim = n;
    hid_t sp = n ? H5Screate_simple(1, &dim, NULL) : H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a >= 0 ? H5Awrite(a, H5T_NATIVE_DOUBLE, x) : -1;
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    return rc < 0 ? agg_h5fail(c, "cannot write attribute", name) : TS_OK;
}

/* A 1-D coordinate dataset in /aggregate with the values of `d`. */
ts_status agg_write_coord(agg_ctx *c, const char *name, const ts_view_dim *d, int as_scale, hid_t *out)
{
    hsize_t len = d->len;
    hid_t sp = H5Screate_simple(1, &len, NULL), ds = -1;
    herr_t rc = -1;
    if (d->type == TS_COORD_STRING) {
        ds = agg_make_dset(c, name, c->str, sp);
        if (ds >= 0) rc = len ? H5Dwrite(ds, c->str, H5S_ALL, H5S_ALL, H5P_DEFAULT, d->labels) : 0;
    } else if (d->type == TS_COORD_REAL) {
        ds = agg_make_dset(c, name, H5T_IEEE_F64LE, sp);
        if (ds >= 0) rc = len ? H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, d->values) : 0;
    } else {
        long long *iv = malloc((len ? len : 1) * sizeof *iv);
        for (hsize_t i = 0; iv && i < len; i++) iv[i] = (long long)d->values[i];
        ds = iv ? agg_make_dset(c, name, H5T_STD_I64LE, sp) : -1;
        if (ds >= 0) rc = len ? H5Dwrite(ds, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, iv) : 0;
        free(iv);
    }
    H5Sclose(sp);
    if (rc >= 0 && as_scale) rc = H5DSset_scale(ds, name);
    if (rc < 0) {
        if (ds >= 0) H5Dclose(ds);
        return agg_h5fail(c, "cannot write coordinate", name);
    }
    if (out) *out = ds;
    else H5Dclose(ds);
    return TS_OK;
}

ts_status agg_scale_for(agg_ctx *c, int dim, hid_t *out)
{
    if (c->scale[dim] < 0) {
        const ts_view_dim *d = &c->v->dims[dim];
        ts_status st = agg_write_coord(c, d->name, d, 1, &c->scale[dim]);
        if (st) return st;
    }
    *out = c->scale[dim];
    return TS_OK;
}

/* Zip members (1-D datasets over a zip dimension, named in a result's
 * `coordinates` attribute) of the kept dims, copied next to their scale so
 * xarray shows them; returns them space-separated in `coords`. */
static ts_status agg_copy_members(agg_ctx *c, const int *dims, size_t rank, char *coords, size_t n)
{
    coords[0] = '\0';
    ts_store_view *v = c->v;
    for (size_t i = 0; i < v->n_dsets; i++) {
        const ts_view_dset *m = &v->dsets[i];
        if (m->role != TS_DSET_COORD || m->rank != 1 || m->dim[0] < 0) continue;
        int kept = 0;
        for (size_t k = 0; k < rank; k++) kept |= dims[k] == m->dim[0];
        if (!kept) continue;
        size_t used = strlen(coords);
        snprintf(coords + used, n - used, "%s%s", used ? " " : "", m->path);
        int done = 0;
        for (size_t w = 0; w < c->n_written && !done; w++) done = strcmp(c->written[w], m->path) == 0;
        if (done) continue;
        ts_view_dim val;
        ts_status st = ts_store_view_coord(v, m->path, &val, c->err);
        hid_t ds = -1, sc = -1;
        if (!st) st = agg_write_coord(c, m->path, &val, 0, &ds);
        if (!st) st = agg_scale_for(c, m->dim[0], &sc);
        if (!st && H5DSattach_scale(ds, sc, 0) < 0) st = agg_h5fail(c, "cannot attach the scale of", m->path);
        if (ds >= 0) H5Dclose(ds);
        ts_view_dim_clear(&val);
        if (st) return st;
    }
    return TS_OK;
}


ts_status agg_out_create(agg_ctx *c, const agg_out_spec *s, hid_t *out)
{
    *out = -1;
    hsize_t shape[TS_VIEW_MAX_RANK + 2];
    for (size_t k = 0; k < s->rank; k++) shape[k] = s->shape[k];
    hid_t sp = s->rank ? H5Screate_simple((int)s->rank, shape, NULL) : H5Screate(H5S_SCALAR);
    hid_t ds = sp >= 0 ? agg_make_dset(c, s->name, s->is_count ? H5T_STD_I64LE : H5T_IEEE_F64LE, sp) : -1;
    if (sp >= 0) H5Sclose(sp);
    if (ds < 0) return agg_h5fail(c, "cannot create dataset", s->name);
    ts_status st = TS_OK;
    for (size_t k = 0; k < s->rank && !st; k++) {
        hid_t sc = s->dims[k] == AGG_QUANTILE_DIM ? c->qscale : c->seed_scale;
        if (s->dims[k] >= 0) st = agg_scale_for(c, s->dims[k], &sc);
        if (!st && H5DSattach_scale(ds, sc, (unsigned)k) < 0) st = agg_h5fail(c, "cannot attach a scale to", s->name);
    }
    char coords[1024];
    if (!st) st = agg_copy_members(c, s->dims, s->rank, coords, sizeof coords);
    if (!st && coords[0]) st = agg_attr_str(c, ds, "coordinates", coords);
    if (!st) st = agg_attr_str(c, ds, "long_name", s->desc);
    if (!st) st = agg_attr_str(c, ds, "units", s->is_count ? "1" : s->units && s->units[0] ? s->units : "1");
    if (!st && s->source) st = agg_attr_str(c, ds, "source", s->source);
    if (!st && s->statistic) st = agg_attr_str(c, ds, "statistic", s->statistic);
    if (!st && !s->is_count) {
        double nan = NAN;
        hid_t asp = H5Screate(H5S_SCALAR);
        hid_t a = H5Acreate2(ds, "_FillValue", H5T_IEEE_F64LE, asp, H5P_DEFAULT, H5P_DEFAULT);
        if (a < 0 || H5Awrite(a, H5T_NATIVE_DOUBLE, &nan) < 0) st = agg_h5fail(c, "cannot write _FillValue of", s->name);
        if (a >= 0) H5Aclose(a);
        H5Sclose(asp);
    }
    if (st) {
        H5Dclose(ds);
        return st;
    }
    *out = ds;
    return TS_OK;
}

ts_status agg_out_write(agg_ctx *c, hid_t d, const char *name, size_t rank, const size_t *start,
                        const size_t *count, int is_count, const void *data)
{
    hsize_t s0[TS_VIEW_MAX_RANK + 2], c0[TS_VIEW_MAX_RANK + 2];
    size_t n = 1;
    for (size_t k = 0; k < rank; k++) {
        s0[k] = start[k];
        c0[k] = count[k];
        n *= count[k];
    }
    if (n == 0) return TS_OK;
    hid_t fs = H5Dget_space(d), ms = rank ? H5Screate_simple((int)rank, c0, NULL) : H5Screate(H5S_SCALAR);
    herr_t rc = fs < 0 || ms < 0 ? -1 : 0;
    if (!rc && rank) rc = H5Sselect_hyperslab(fs, H5S_SELECT_SET, s0, NULL, c0, NULL);
    if (!rc) rc = H5Dwrite(d, is_count ? H5T_NATIVE_UINT64 : H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, data);
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    return rc < 0 ? agg_h5fail(c, "cannot write dataset", name) : TS_OK;
}
