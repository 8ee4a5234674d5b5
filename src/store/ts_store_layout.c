/* ts_store_layout.c: the plan of a store (names, dimensions, coordinates)
 * and the coordinate datasets that become its dimension scales.
 *
 * Everything that can make a job unstorable is found here, before a file
 * exists, so ts_store_check can report it before a sweep spends hours. */
#include "ts_store_internal.h"

#include <hdf5_hl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>


int st_axis_is_zip(const ts_job *job, const ts_axis *ax)
{
    return ax->n_members != 1 || strcmp(ax->name, job->kind->params[ax->param[0]].name) != 0;
}

/* Names that HDF5 would take as paths, or that netCDF readers cannot use. */
static int bad_name(const char *s)
{
    return s[0] == '\0' || strchr(s, '/') != NULL || strcmp(s, ".") == 0;
}

static size_t n_choices(const ts_param_spec *s)
{
    size_t k = 0;
    while (s->choices && s->choices[k]) k++;
    return k;
}

static ts_status check_axis(const ts_job *job, const ts_axis *ax, const char *jp, ts_err *err)
{
    if (bad_name(ax->name))
        return ts_err_set(err, TS_EINVAL, "%s: store: axis name '%s' cannot name a dataset", jp,
                          ax->name);
    if (ax->len == 0 || ax->n_members == 0 || ax->n_members > TS_MAX_ZIP_MEMBERS)
        return ts_err_set(err, TS_EINVAL, "%s: store: axis '%s' has %zu values and %zu members",
                          jp, ax->name, ax->len, ax->n_members);
    for (size_t m = 0; m < ax->n_members; m++) {
        if (ax->param[m] < 0 || (size_t)ax->param[m] >= job->kind->n_params || !ax->values[m])
            return ts_err_set(err, TS_EINVAL,
                              "%s: store: axis '%s' member %zu is not a parameter of kind '%s'",
                              jp, ax->name, m, job->kind->name);
        const ts_param_spec *s = &job->kind->params[ax->param[m]];
        if (s->type == TS_PARAM_STRING && !ax->labels[m])
            return ts_err_set(err, TS_EINVAL, "%s: store: axis '%s' member '%s' has no texts", jp,
                              ax->name, s->name);
        if (s->type != TS_PARAM_CHOICE) continue;
        size_t nc = n_choices(s);
        for (size_t i = 0; i < ax->len; i++) {
            double v = ax->values[m][i];
            if (!(v >= 0 && v < (double)nc && v == floor(v)))
                return ts_err_set(err, TS_EINVAL,
                                  "%s: store: axis '%s' value %zu of '%s' is not a choice index",
                                  jp, ax->name, i, s->name);
        }
    }
    return TS_OK;
}

static int find_dim(const st_plan *p, const char *name)
{
    for (size_t i = 0; i < p->n_dims; i++)
        if (strcmp(p->dims[i].name, name) == 0) return (int)i;
    return -1;
}

static const char *dim_what(st_dim_kind k)
{
    switch (k) {
    case ST_DIM_AXIS: return "axis";
    case ST_DIM_ZIP: return "zip group";
    case ST_DIM_REPLICATE: return "the replicate dimension";
    case ST_DIM_TRAILING: return "dimension";
    }
    return "dimension";
}

static ts_status add_trailing(st_plan *p, size_t i, size_t d, const char *jp, ts_err *err)
{
    const ts_result_spec *r = &p->l->r[i];
    const char *dn = r->dim_names[d];
    if (r->dims[d] == 0)
        return ts_err_set(err, TS_EINVAL, "%s: store: result '%s' dimension '%s' is empty", jp,
                          r->name, dn);
    if (strnlen(dn, sizeof r->dim_names[d]) == sizeof r->dim_names[d] || bad_name(dn))
        return ts_err_set(err, TS_EINVAL,
                          "%s: store: result '%s' dimension %zu has no usable name", jp, r->name, d);
    if (d == 1 && strcmp(dn, r->dim_names[0]) == 0)
        return ts_err_set(err, TS_EINVAL, "%s: store: result '%s' uses dimension '%s' twice",
                          jp, r->name, dn);
    int k = find_dim(p, dn);
    if (k < 0) {
        st_dim *x = &p->dims[p->n_dims];
        snprintf(x->name, sizeof x->name, "%s", dn);
        x->len = r->dims[d];
        x->kind = ST_DIM_TRAILING;
        x->coords = r->coords[d];
        x->first_user = r->name;
        x->scale = -1;
        p->res_dim[i][d] = p->n_dims++;
        return TS_OK;
    }
    st_dim *x = &p->dims[k];
    if (x->kind != ST_DIM_TRAILING)
        return ts_err_set(err, TS_EINVAL, "%s: store: result '%s' has a dimension named '%s', "
                          "which is the name of %s '%s'", jp, r->name, dn, dim_what(x->kind), dn);
    if (x->len != r->dims[d])
        return ts_err_set(err, TS_EINVAL, "%s: store: dimension '%s' has length %llu in result "
                          "'%s' but %zu in result '%s'", jp, dn, (unsigned long long)x->len,
                          x->first_user, r->dims[d], r->name);
    if (x->coords && r->coords[d] && memcmp(x->coords, r->coords[d], x->len * sizeof(double)))
        return ts_err_set(err, TS_EINVAL, "%s: store: dimension '%s' has different coordinates "
                          "in results '%s' and '%s'", jp, dn, x->first_user, r->name);
    if (!x->coords) x->coords = r->coords[d];
    p->res_dim[i][d] = (size_t)k;
    return TS_OK;
}

typedef struct {
    const char *name, *what;
} named;

static ts_status check_names(const st_plan *p, const char *jp, ts_err *err)
{
    named all[ST_MAX_DIMS + TS_MAX_AXES * TS_MAX_ZIP_MEMBERS + TS_MAX_RESULTS + 16];
    size_t n = 0;
    const ts_job *job = p->job;
    for (size_t i = 0; i < p->n_dims; i++) all[n++] = (named){ p->dims[i].name, dim_what(p->dims[i].kind) };
    for (size_t a = 0; a < job->n_axes; a++)
        if (st_axis_is_zip(job, &job->axes[a]))
            for (size_t m = 0; m < job->axes[a].n_members; m++)
                all[n++] = (named){ job->kind->params[job->axes[a].param[m]].name, "zip member" };
    for (size_t i = 0; i < p->l->n; i++)
        if (p->write[i]) all[n++] = (named){ p->l->r[i].name, "result" };
    /* the per-task datasets share the namespace with everything else */
    for (size_t i = 0; ts_schema_task_dsets[i]; i++)
        all[n++] = (named){ ts_schema_task_dsets[i], "per-task dataset" };
    for (size_t i = 0; i < n; i++) {
        if (bad_name(all[i].name))
            return ts_err_set(err, TS_EINVAL, "%s: store: %s name '%s' cannot name a dataset",
                              jp, all[i].what, all[i].name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(all[i].name, all[j].name) == 0)
                return ts_err_set(err, TS_EINVAL, "%s: store: %s '%s' has the same name as %s '%s'",
                                  jp, all[i].what, all[i].name, all[j].what, all[j].name);
    }
    return TS_OK;
}

ts_status st_plan_build(st_plan *p, const ts_job *job, const ts_result_layout *l, ts_err *err)
{
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < ST_MAX_DIMS; i++) p->dims[i].scale = -1;
    if (!job || !job->kind || !l)
        return ts_err_set(err, TS_EINVAL, "store: a job, its kind and a result layout are needed");
    const char *jp = job->path[0] ? job->path : "job";
    if (job->replicates < 1 || job->n_axes > TS_MAX_AXES || l->n > TS_MAX_RESULTS)
        return ts_err_set(err, TS_EINVAL, "%s: store: %llu replicates, %zu axes, %zu results",
                          jp, (unsigned long long)job->replicates, job->n_axes, l->n);
    p->job = job;
    p->l = l;
    uint64_t n = job->replicates;
    for (size_t a = 0; a < job->n_axes; a++) {
        const ts_axis *ax = &job->axes[a];
        ts_status st = check_axis(job, ax, jp, err);
        if (st) return st;
        if (n > UINT64_MAX / ax->len)
            return ts_err_set(err, TS_EINVAL, "%s: store: too many tasks", jp);
        n *= ax->len;
        st_dim *x = &p->dims[p->n_dims++];
        snprintf(x->name, sizeof x->name, "%s", ax->name);
        x->len = ax->len;
        x->kind = st_axis_is_zip(job, ax) ? ST_DIM_ZIP : ST_DIM_AXIS;
        x->axis = ax;
    }
    /* a job of one task (no axes, one replicate: a one-point output) has no
     * task dimensions at all: its values are scalars, nothing to squeeze */
    if (job->n_axes > 0 || job->replicates > 1) {
        st_dim *rep = &p->dims[p->n_dims++];
        snprintf(rep->name, sizeof rep->name, TS_DIM_REPLICATE);
        rep->len = job->replicates;
        rep->kind = ST_DIM_REPLICATE;
    }
    p->n_task_dims = p->n_dims;
    p->n_tasks = n;

    for (size_t i = 0; i < l->n; i++) p->write[i] = job->n_record == 0;
    for (size_t k = 0; k < job->n_record && k < TS_MAX_RESULTS; k++) {
        int i = ts_result_find(l, job->record[k]);
        if (i < 0)
            return ts_err_set(err, TS_EINVAL, "%s: store: record: '%s' is not a result of kind '%s'",
                              jp, job->record[k], job->kind->name);
        p->write[i] = 1;
    }
    for (size_t i = 0; i < l->n; i++) {
        const ts_result_spec *r = &l->r[i];
        if (!p->write[i]) continue;
        if (strnlen(r->name, sizeof r->name) == sizeof r->name || r->rank > 2)
            return ts_err_set(err, TS_EINVAL, "%s: store: result %zu has no usable name or rank %zu",
                              jp, i, r->rank);
        size_t size = ts_result_size(r);
        if (size == 0 || n > SIZE_MAX / sizeof(double) / size)
            return ts_err_set(err, TS_EINVAL, "%s: store: result '%s' has %zu values per task; "
                              "%llu tasks of it do not fit in memory", jp, r->name, size,
                              (unsigned long long)n);
        for (size_t d = 0; d < r->rank; d++) {
            ts_status st = add_trailing(p, i, d, jp, err);
            if (st) return st;
        }
    }
    ts_status st = check_names(p, jp, err);
    if (st) return st;

    size_t used = 0;
    for (size_t a = 0; a < job->n_axes; a++)
        if (st_axis_is_zip(job, &job->axes[a]))
            for (size_t m = 0; m < job->axes[a].n_members; m++)
                used += (size_t)snprintf(p->coordinates + used, sizeof p->coordinates - used,
                                         "%s%s", used ? " " : "",
                                         job->kind->params[job->axes[a].param[m]].name);
    return TS_OK;
}

/* ---- coordinate datasets ---- */

static ts_status fill_iota(void *buf, uint64_t e0, size_t n, void *arg, ts_err *err)
{
    (void)arg, (void)err;
    int64_t *b = buf;
    for (size_t i = 0; i < n; i++) b[i] = (int64_t)(e0 + i);
    return TS_OK;
}

static ts_status fill_doubles(void *buf, uint64_t e0, size_t n, void *arg, ts_err *err)
{
    (void)err;
    memcpy(buf, (const double *)arg + e0, n * sizeof(double));
    return TS_OK;
}

typedef struct {
    const double *v;
    const char *const *choices;   /* CHOICE names or STRING labels, by value */
} choice_arg;

static ts_status fill_choices(void *buf, uint64_t e0, size_t n, void *arg, ts_err *err)
{
    (void)err;
    const choice_arg *a = arg;
    const char **b = buf;
    for (size_t i = 0; i < n; i++) b[i] = a->choices[(size_t)a->v[e0 + i]];
    return TS_OK;
}

/* Small, read whole: contiguous and uncompressed. */
static const size_t coord_block = 1u << 20;

static ts_status iota_dset(const st_ctx *c, const char *name, hsize_t len, hid_t *out)
{
    st_dset_spec s = { .name = name, .rank = 1, .shape = &len, .ftype = H5T_STD_I64LE,
                       .mtype = H5T_NATIVE_INT64, .msize = sizeof(int64_t),
                       .target = coord_block, .fill = fill_iota };
    return st_dset_write(c, &s, out);
}

/* A parameter's values: choice names, texts, integers, or reals. */
static ts_status param_dset(const st_ctx *c, const char *name, const ts_param_spec *ps,
                            const double *v, char *const *labels, hsize_t len, hid_t *out)
{
    choice_arg ca = { v, labels ? (const char *const *)labels : ps->choices };
    st_dset_spec s = { .name = name, .rank = 1, .shape = &len, .target = coord_block };
    if (ps->type == TS_PARAM_CHOICE || ps->type == TS_PARAM_STRING) {
        s.ftype = s.mtype = c->str;
        s.msize = sizeof(char *);
        s.fill = fill_choices;
        s.arg = &ca;
    } else {
        s.ftype = ps->type == TS_PARAM_INT ? H5T_STD_I64LE : H5T_IEEE_F64LE;
        s.mtype = H5T_NATIVE_DOUBLE;
        s.msize = sizeof(double);
        s.fill = fill_doubles;
        s.arg = (void *)v;
    }
    ts_status st = st_dset_write(c, &s, out);
    if (!st && ps->type != TS_PARAM_CHOICE && ps->type != TS_PARAM_STRING)
        st = st_attr_str(c, *out, name, "units", ps->unit && ps->unit[0] ? ps->unit : "1");
    if (!st) st = st_attr_str(c, *out, name, "long_name", ps->doc ? ps->doc : "");
    return st;
}

static ts_status write_dim(const st_ctx *c, const st_plan *p, st_dim *x)
{
    const ts_job *job = p->job;
    char desc[700];
    ts_status st = TS_OK;
    switch (x->kind) {
    case ST_DIM_AXIS:
        st = param_dset(c, x->name, &job->kind->params[x->axis->param[0]], x->axis->values[0],
                        x->axis->labels[0], x->len, &x->scale);
        desc[0] = '\0';
        break;
    case ST_DIM_ZIP: {
        size_t used = (size_t)snprintf(desc, sizeof desc, "index of zip group; its members move "
                                       "together:");
        for (size_t m = 0; m < x->axis->n_members && used < sizeof desc; m++)
            used += (size_t)snprintf(desc + used, sizeof desc - used, " %s",
                                     job->kind->params[x->axis->param[m]].name);
        st = iota_dset(c, x->name, x->len, &x->scale);
        break;
    }
    case ST_DIM_REPLICATE:
        snprintf(desc, sizeof desc, "replicate: the seed axis (rng identity with the grid point)");
        st = iota_dset(c, x->name, x->len, &x->scale);
        break;
    case ST_DIM_TRAILING:
        if (x->coords) {
            st_dset_spec s = { .name = x->name, .rank = 1, .shape = &x->len,
                               .ftype = H5T_IEEE_F64LE, .mtype = H5T_NATIVE_DOUBLE,
                               .msize = sizeof(double), .target = coord_block,
                               .fill = fill_doubles, .arg = (void *)x->coords };
            st = st_dset_write(c, &s, &x->scale);
            snprintf(desc, sizeof desc, "coordinates of dimension '%s'", x->name);
        } else {
            st = iota_dset(c, x->name, x->len, &x->scale);
            snprintf(desc, sizeof desc, "index along dimension '%s'", x->name);
        }
        break;
    }
    if (st) return st;
    if (H5DSset_scale(x->scale, x->name) < 0) return st_fail(c, "cannot make a dimension scale of", x->name);
    if (desc[0]) {      /* an axis got its parameter's units and description */
        st = st_attr_str(c, x->scale, x->name, "units", "");
        if (!st) st = st_attr_str(c, x->scale, x->name, "description", desc);
    }
    return st;
}

ts_status st_attach(const st_ctx *c, const st_plan *p, hid_t dset, const char *name,
                    const size_t *idx, size_t rank)
{
    for (size_t k = 0; k < rank; k++) {
        const st_dim *x = &p->dims[idx[k]];
        if (H5DSattach_scale(dset, x->scale, (unsigned)k) < 0
            || H5DSset_label(dset, (unsigned)k, x->name) < 0) {
            char what[128];
            snprintf(what, sizeof what, "cannot attach dimension scale '%s' to", x->name);
            return st_fail(c, what, name);
        }
    }
    return TS_OK;
}

ts_status st_dims_write(const st_ctx *c, st_plan *p)
{
    for (size_t i = 0; i < p->n_dims; i++) {
        ts_status st = write_dim(c, p, &p->dims[i]);
        if (st) return st;
    }
    const ts_job *job = p->job;
    for (size_t i = 0; i < p->n_dims; i++) {
        const st_dim *x = &p->dims[i];
        if (x->kind != ST_DIM_ZIP) continue;
        for (size_t m = 0; m < x->axis->n_members; m++) {
            const ts_param_spec *ps = &job->kind->params[x->axis->param[m]];
            hid_t d = -1;
            ts_status st = param_dset(c, ps->name, ps, x->axis->values[m], x->axis->labels[m], x->len, &d);
            if (!st) st = st_attach(c, p, d, ps->name, &i, 1);
            if (d >= 0 && H5Dclose(d) < 0 && !st) st = st_fail(c, "cannot close dataset", ps->name);
            if (st) return st;
        }
    }
    return TS_OK;
}

void st_dims_close(st_plan *p)
{
    for (size_t i = 0; i < p->n_dims; i++)
        if (p->dims[i].scale >= 0) {
            H5Dclose(p->dims[i].scale);
            p->dims[i].scale = -1;
        }
}
