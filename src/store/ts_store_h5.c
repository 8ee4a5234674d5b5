/* ts_store_h5.c: HDF5 helpers of the store: errors, attributes, strings, and
 * the one routine that creates a dataset (contiguous, allocated at once) and
 * fills it in bounded memory. */
#include "ts_store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REASON_MAX 200

static herr_t first_desc(unsigned n, const H5E_error2_t *e, void *data)
{
    (void)n;
    char *buf = data;
    if (buf[0] == '\0' && e->desc) snprintf(buf, REASON_MAX, "%s", e->desc);
    return 0;
}

void st_h5_reason(char *buf, size_t n)
{
    char desc[REASON_MAX] = "";
    /* upward: the innermost record, where the failure was detected, comes first */
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_desc, desc);
    H5Eclear2(H5E_DEFAULT);
    snprintf(buf, n, "%s", desc);
}

ts_status st_fail(const st_ctx *c, const char *what, const char *name)
{
    char why[REASON_MAX];
    st_h5_reason(why, sizeof why);
    if (name)
        return ts_err_set(c->err, TS_EIO, "%s: %s '%s'%s%s", c->path, what, name,
                          why[0] ? ": " : "", why);
    return ts_err_set(c->err, TS_EIO, "%s: %s%s%s", c->path, what, why[0] ? ": " : "", why);
}

size_t st_utf8_clean(char *dst, const char *src, size_t max)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t n = strnlen(src, max), i = 0;
    while (i < n) {
        unsigned char b = s[i];
        size_t len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
        int ok = len > 0 && i + len <= n;
        for (size_t k = 1; ok && k < len; k++) ok = (s[i + k] & 0xC0) == 0x80;
        if (ok && len > 1) {
            unsigned cp = b & (0x7Fu >> len);
            for (size_t k = 1; k < len; k++) cp = cp << 6 | (s[i + k] & 0x3Fu);
            static const unsigned min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
            ok = cp >= min_cp[len] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
        }
        if (!ok) len = 1;
        if (ok) memcpy(dst + i, s + i, len);
        else dst[i] = '?';
        i += len;
    }
    dst[n] = '\0';
    return n;
}

ts_status st_attr_str(const st_ctx *c, hid_t obj, const char *obj_name, const char *name,
                      const char *value)
{
    size_t n = strlen(value);
    char *clean = malloc(n + 1);
    if (!clean) return ts_err_set(c->err, TS_ENOMEM, "%s: out of memory", c->path);
    st_utf8_clean(clean, value, n);
    hid_t space = H5Screate(H5S_SCALAR), attr = -1;
    herr_t rc = -1;
    if (space >= 0) attr = H5Acreate2(obj, name, c->str, space, H5P_DEFAULT, H5P_DEFAULT);
    if (attr >= 0) rc = H5Awrite(attr, c->str, &clean);
    if (attr >= 0 && H5Aclose(attr) < 0) rc = -1;
    if (space >= 0) H5Sclose(space);
    free(clean);
    if (rc < 0) {
        char what[160];
        snprintf(what, sizeof what, "cannot write attribute '%s' of", name);
        return st_fail(c, what, obj_name);
    }
    return TS_OK;
}

ts_status st_attr_num(const st_ctx *c, hid_t obj, const char *obj_name, const char *name,
                      hid_t file_type, hid_t mem_type, const void *v, size_t n)
{
    hsize_t dim = n;
    hid_t space = n ? H5Screate_simple(1, &dim, NULL) : H5Screate(H5S_SCALAR), attr = -1;
    herr_t rc = -1;
    if (space >= 0) attr = H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (attr >= 0) rc = H5Awrite(attr, mem_type, v);
    if (attr >= 0 && H5Aclose(attr) < 0) rc = -1;
    if (space >= 0) H5Sclose(space);
    if (rc < 0) {
        char what[160];
        snprintf(what, sizeof what, "cannot write attribute '%s' of", name);
        return st_fail(c, what, obj_name);
    }
    return TS_OK;
}

/* The block written at once: whole trailing dimensions first, then as many
 * of the next outer one as fit in `target` bytes. Dimensions before `depth`
 * are 1. */
static size_t block_shape(const hsize_t *shape, int rank, size_t elem, size_t target,
                          hsize_t *block)
{
    hsize_t want = target / elem ? target / elem : 1, acc = 1;
    int depth = 0;
    for (int k = rank - 1; k >= 0; k--) {
        if (acc * shape[k] <= want) {
            block[k] = shape[k];
            acc *= shape[k];
            continue;
        }
        block[k] = want / acc ? want / acc : 1;
        for (int i = 0; i < k; i++) block[i] = 1;
        depth = k;
        break;
    }
    return (size_t)depth;
}

static void blk_init(st_blocks *it, const hsize_t *shape, int rank, const hsize_t *block,
                     size_t depth)
{
    *it = (st_blocks){ .shape = shape, .rank = rank, .depth = depth, .step = block[depth],
                      .inner = 1, .outer = 1 };
    for (int k = (int)depth + 1; k < rank; k++) it->inner *= shape[k];
    for (size_t k = 0; k < depth; k++) it->outer *= shape[k];
}

void st_blocks_init(st_blocks *it, const hsize_t *shape, int rank, size_t max_elems)
{
    hsize_t block[H5S_MAX_RANK];
    if (rank == 0) {
        static const hsize_t one = 1;
        *it = (st_blocks){ .shape = &one, .rank = 0, .step = 1, .inner = 1, .outer = 1 };
        return;
    }
    size_t depth = block_shape(shape, rank, 1, max_elems, block);
    blk_init(it, shape, rank, block, depth);
}

int st_blocks_next(st_blocks *it, hsize_t *start, hsize_t *count, uint64_t *e0, size_t *n)
{
    if (it->rank == 0) {
        if (it->o++) return 0;
        *e0 = 0;
        *n = 1;
        return 1;
    }
    if (it->o >= it->outer) return 0;
    size_t d = it->depth;
    for (int k = 0; k < it->rank; k++) {
        start[k] = 0;
        count[k] = (size_t)k <= d ? 1 : it->shape[k];
    }
    for (hsize_t rest = it->o, k = d; k-- > 0;) {
        start[k] = rest % it->shape[k];
        rest /= it->shape[k];
    }
    hsize_t cnt = it->shape[d] - it->j < it->step ? it->shape[d] - it->j : it->step;
    start[d] = it->j;
    count[d] = cnt;
    *e0 = (uint64_t)((it->o * it->shape[d] + it->j) * it->inner);
    *n = (size_t)(cnt * it->inner);
    it->j += it->step;
    if (it->j >= it->shape[d]) {
        it->j = 0;
        it->o++;
    }
    return 1;
}

static ts_status write_blocks(const st_ctx *c, const st_dset_spec *s, hid_t dset)
{
    hsize_t block[H5S_MAX_RANK];
    size_t depth = block_shape(s->shape, s->rank, s->msize, s->target ? s->target : (1u << 20), block);
    st_blocks it;
    blk_init(&it, s->shape, s->rank, block, depth);
    void *buf = malloc((size_t)(it.step * it.inner) * s->msize);
    hid_t fspace = H5Dget_space(dset);
    ts_status st = TS_OK;
    if (!buf) st = ts_err_set(c->err, TS_ENOMEM, "%s: out of memory writing '%s'", c->path, s->name);
    else if (fspace < 0) st = st_fail(c, "cannot write dataset", s->name);
    hsize_t start[H5S_MAX_RANK], count[H5S_MAX_RANK];
    uint64_t e0;
    size_t n;
    while (!st && st_blocks_next(&it, start, count, &e0, &n)) {
        st = s->fill(buf, e0, n, s->arg, c->err);
        if (st) break;
        /* the block's own shape: with a 1-D memory space HDF5 maps every
         * element one by one */
        hid_t mspace = s->rank ? H5Screate_simple(s->rank, count, NULL) : H5Screate(H5S_SCALAR);
        herr_t rc = mspace < 0 ? -1
                    : s->rank ? H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) : 0;
        if (rc >= 0) rc = H5Dwrite(dset, s->mtype, mspace, fspace, H5P_DEFAULT, buf);
        if (mspace >= 0) H5Sclose(mspace);
        if (rc < 0) st = st_fail(c, "cannot write dataset", s->name);
    }
    if (fspace >= 0) H5Sclose(fspace);
    free(buf);
    return st;
}

ts_status st_dset_write(const st_ctx *c, const st_dset_spec *s, hid_t *out)
{
    *out = -1;
    hid_t space = s->rank ? H5Screate_simple(s->rank, s->shape, NULL) : H5Screate(H5S_SCALAR);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    herr_t rc = space < 0 || dcpl < 0 ? -1 : 0;
    /* contiguous and allocated now, fill values written now: the file's
     * metadata is complete at creation and never changes while tasks are
     * written in place (ts_store.h) */
    if (rc >= 0) rc = H5Pset_layout(dcpl, H5D_CONTIGUOUS);
    if (rc >= 0) rc = H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY);
    if (rc >= 0 && s->fill_value) rc = H5Pset_fill_value(dcpl, s->mtype, s->fill_value);
    /* filled here: no fill value is written first (IFSET without one set);
     * else the fill value is written at allocation, all of it, now */
    if (rc >= 0 && !s->fill) rc = H5Pset_fill_time(dcpl, H5D_FILL_TIME_ALLOC);
    hid_t dset = rc < 0 ? -1
                        : H5Dcreate2(c->file, s->name, s->ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (space >= 0) H5Sclose(space);
    if (dset < 0) return st_fail(c, "cannot create dataset", s->name);
    ts_status st = s->fill ? write_blocks(c, s, dset) : TS_OK;
    if (st) {
        H5Dclose(dset);
        return st;
    }
    *out = dset;
    return TS_OK;
}

char *st_attr_read_str(hid_t obj, const char *name)
{
    if (H5Aexists(obj, name) <= 0) return NULL;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : -1;
    char *out = NULL;
    if (t >= 0 && H5Tget_class(t) == H5T_STRING) {
        if (H5Tis_variable_str(t) > 0) {
            hid_t m = H5Tcopy(H5T_C_S1);
            H5Tset_size(m, H5T_VARIABLE);
            H5Tset_cset(m, H5Tget_cset(t));
            char *s = NULL;
            if (H5Aread(a, m, &s) >= 0) out = strdup(s ? s : "");
            if (s) H5free_memory(s);
            H5Tclose(m);
        } else {
            size_t sz = H5Tget_size(t);
            out = calloc(sz + 1, 1);
            if (out && H5Aread(a, t, out) < 0) {
                free(out);
                out = NULL;
            }
        }
    }
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    return out;
}

int st_attr_read_num(hid_t obj, const char *name, double *v)
{
    if (H5Aexists(obj, name) <= 0) return 0;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return 0;
    int ok = H5Aread(a, H5T_NATIVE_DOUBLE, v) >= 0;
    H5Aclose(a);
    return ok;
}
