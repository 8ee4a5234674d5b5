/* ts_store_h5.c: HDF5 helpers of the store: errors, attributes, strings, and
 * the one routine that creates and fills a dataset, in bounded memory and
 * with its compression spread over threads. */
#include "ts_store_internal.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

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

/* The block written at once, and the chunk when chunked: whole trailing
 * dimensions first, then as many of the next outer one as fit in `target`
 * bytes. Dimensions before `depth` are 1. Every write then covers whole
 * chunks, so a compressed chunk is never read back and rewritten. */
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

/* Walks the blocks in row-major order. A block is contiguous in the
 * task-major source, elements e0 .. e0 + n - 1. */
typedef struct {
    const hsize_t *shape;
    int rank;
    size_t depth;
    hsize_t step, inner, outer, o, j;
} blk_iter;

static void blk_init(blk_iter *it, const hsize_t *shape, int rank, const hsize_t *block,
                     size_t depth)
{
    *it = (blk_iter){ .shape = shape, .rank = rank, .depth = depth, .step = block[depth],
                      .inner = 1, .outer = 1 };
    for (int k = (int)depth + 1; k < rank; k++) it->inner *= shape[k];
    for (size_t k = 0; k < depth; k++) it->outer *= shape[k];
}

static int blk_next(blk_iter *it, hsize_t *start, hsize_t *count, uint64_t *e0, size_t *n)
{
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

static ts_status write_through_hdf5(const st_ctx *c, const st_dset_spec *s, hid_t dset,
                                    const hsize_t *block, size_t depth)
{
    blk_iter it;
    blk_init(&it, s->shape, s->rank, block, depth);
    void *buf = malloc((size_t)(it.step * it.inner) * s->msize);
    hid_t fspace = H5Dget_space(dset);
    ts_status st = TS_OK;
    if (!buf) st = ts_err_set(c->err, TS_ENOMEM, "%s: out of memory writing '%s'", c->path, s->name);
    else if (fspace < 0) st = st_fail(c, "cannot write dataset", s->name);
    hsize_t start[H5S_MAX_RANK], count[H5S_MAX_RANK];
    uint64_t e0;
    size_t n;
    while (!st && blk_next(&it, start, count, &e0, &n)) {
        st = s->fill(buf, e0, n, s->arg, c->err);
        if (st) break;
        /* the block's own shape: with a 1-D memory space HDF5 maps every
         * element to its chunk one by one */
        hid_t mspace = H5Screate_simple(s->rank, count, NULL);
        herr_t rc = mspace < 0 ? -1
                    : H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL);
        if (rc >= 0) rc = H5Dwrite(dset, s->mtype, mspace, fspace, H5P_DEFAULT, buf);
        if (mspace >= 0) H5Sclose(mspace);
        if (rc < 0) st = st_fail(c, "cannot write dataset", s->name);
    }
    if (fspace >= 0) H5Sclose(fspace);
    free(buf);
    return st;
}

/* ---- compressed chunks, made here ----
 *
 * HDF5 runs its filters on one thread, and deflate is most of the time of a
 * write (about 35 MB/s on the machines measured). So chunks are shuffled and
 * deflated here, on as many threads as this process may use, in exactly the
 * format of HDF5's shuffle and deflate filters, and handed to
 * H5Dwrite_chunk; readers see an ordinary shuffle + deflate dataset. Z_RLE
 * (level 1 otherwise): on doubles, whose shuffled mantissa bytes are noise,
 * it compresses within a few percent of the default strategy, 2.5x faster. */

#define ZMAX_THREADS 8

typedef struct {
    unsigned char *raw, *shuf, *out;
    size_t nbytes, out_len, out_cap, esize;
    z_stream z;
    int z_ready, failed;
    hsize_t start[H5S_MAX_RANK];
} zslot;

/* H5Z's shuffle: byte j of element i goes to j * nelem + i; a tail shorter
 * than one element (none here) would stay in place. */
static void shuffle(unsigned char *dst, const unsigned char *src, size_t nbytes, size_t esize)
{
    size_t nelem = nbytes / esize;
    if (esize <= 1 || nelem <= 1) {
        memcpy(dst, src, nbytes);
        return;
    }
    for (size_t j = 0; j < esize; j++) {
        unsigned char *d = dst + j * nelem;
        const unsigned char *p = src + j;
        for (size_t i = 0; i < nelem; i++) d[i] = p[i * esize];
    }
}

static void compress_slot(zslot *z)
{
    shuffle(z->shuf, z->raw, z->nbytes, z->esize);
    if (!z->z_ready) {
        memset(&z->z, 0, sizeof z->z);
        if (deflateInit2(&z->z, 1, Z_DEFLATED, 15, 8, Z_RLE) != Z_OK) {
            z->failed = 1;
            return;
        }
        z->z_ready = 1;
    } else if (deflateReset(&z->z) != Z_OK) {
        z->failed = 1;
        return;
    }
    z->z.next_in = z->shuf;
    z->z.avail_in = (uInt)z->nbytes;
    z->z.next_out = z->out;
    z->z.avail_out = (uInt)z->out_cap;
    z->failed = deflate(&z->z, Z_FINISH) != Z_STREAM_END;
    z->out_len = z->z.total_out;
}

typedef struct {
    zslot *slots;
    size_t n, first, stride;
} zshare;

static void *zwork(void *arg)
{
    const zshare *w = arg;
    for (size_t i = w->first; i < w->n; i += w->stride) compress_slot(&w->slots[i]);
    return NULL;
}

static size_t usable_cpus(void)
{
    cpu_set_t set;
    /* the affinity mask, not the machine: MPI may bind this rank to a few cores */
    size_t n = sched_getaffinity(0, sizeof set, &set) == 0 ? (size_t)CPU_COUNT(&set) : 1;
    return n < 1 ? 1 : n > ZMAX_THREADS ? ZMAX_THREADS : n;
}

static void compress_slots(zslot *slots, size_t n)
{
    size_t nt = n;
    pthread_t th[ZMAX_THREADS];
    zshare share[ZMAX_THREADS];
    int started[ZMAX_THREADS] = { 0 };
    for (size_t k = 0; k < nt; k++) share[k] = (zshare){ slots, n, k, nt };
    for (size_t k = 1; k < nt; k++) started[k] = pthread_create(&th[k], NULL, zwork, &share[k]) == 0;
    zwork(&share[0]);
    for (size_t k = 1; k < nt; k++) {
        if (started[k]) pthread_join(th[k], NULL);
        else zwork(&share[k]);          /* no thread to be had: do its share here */
    }
}

static ts_status write_chunks(const st_ctx *c, const st_dset_spec *s, hid_t dset,
                              const hsize_t *block, size_t depth)
{
    blk_iter it;
    blk_init(&it, s->shape, s->rank, block, depth);
    size_t nbytes = (size_t)(it.step * it.inner) * s->msize, nslots = usable_cpus();
    zslot slots[ZMAX_THREADS];
    memset(slots, 0, sizeof slots);
    ts_status st = TS_OK;
    for (size_t i = 0; i < nslots && !st; i++) {
        zslot *z = &slots[i];
        z->nbytes = nbytes;
        z->esize = s->msize;
        z->out_cap = compressBound((uLong)nbytes);
        z->raw = malloc(nbytes);
        z->shuf = malloc(nbytes);
        z->out = malloc(z->out_cap);
        if (!z->raw || !z->shuf || !z->out)
            st = ts_err_set(c->err, TS_ENOMEM, "%s: out of memory writing '%s'", c->path, s->name);
    }
    hsize_t count[H5S_MAX_RANK];
    uint64_t e0;
    size_t n, used = 0;
    int more = 1;
    while (!st && more) {
        for (used = 0; used < nslots && (more = blk_next(&it, slots[used].start, count, &e0, &n));
             used++) {
            st = s->fill(slots[used].raw, e0, n, s->arg, c->err);
            if (st) break;
            /* an edge chunk is stored whole; what lies past the extent is never read */
            memset(slots[used].raw + n * s->msize, 0, nbytes - n * s->msize);
        }
        if (st || used == 0) break;
        compress_slots(slots, used);
        for (size_t i = 0; i < used && !st; i++) {
            if (slots[i].failed)
                st = ts_err_set(c->err, TS_ENOMEM, "%s: cannot compress dataset '%s'", c->path, s->name);
            else if (H5Dwrite_chunk(dset, H5P_DEFAULT, 0, slots[i].start, slots[i].out_len,
                                    slots[i].out) < 0)
                st = st_fail(c, "cannot write dataset", s->name);
        }
    }
    for (size_t i = 0; i < nslots; i++) {
        if (slots[i].z_ready) deflateEnd(&slots[i].z);
        free(slots[i].raw);
        free(slots[i].shuf);
        free(slots[i].out);
    }
    return st;
}

ts_status st_dset_write(const st_ctx *c, const st_dset_spec *s, hid_t *out)
{
    *out = -1;
    hsize_t block[H5S_MAX_RANK];
    size_t depth = block_shape(s->shape, s->rank, s->msize, s->target, block);
    int compress = s->chunked && s->compress;
    /* chunks made here skip type conversion: memory must hold file bytes */
    int direct = compress && H5Tequal(s->ftype, s->mtype) > 0 && H5Tget_size(s->ftype) == s->msize;
    hid_t space = H5Screate_simple(s->rank, s->shape, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    herr_t rc = space < 0 || dcpl < 0 ? -1 : 0;
    if (rc >= 0 && s->chunked) rc = H5Pset_chunk(dcpl, s->rank, block);
    if (rc >= 0 && compress) rc = H5Pset_shuffle(dcpl);
    if (rc >= 0 && compress) rc = H5Pset_deflate(dcpl, 1);
    if (rc >= 0 && s->fill_value) rc = H5Pset_fill_value(dcpl, s->mtype, s->fill_value);
    hid_t dset = rc < 0 ? -1
                        : H5Dcreate2(c->file, s->name, s->ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (space >= 0) H5Sclose(space);
    if (dset < 0) return st_fail(c, "cannot create dataset", s->name);
    ts_status st = direct ? write_chunks(c, s, dset, block, depth)
                          : write_through_hdf5(c, s, dset, block, depth);
    if (st) {
        H5Dclose(dset);
        return st;
    }
    *out = dset;
    return TS_OK;
}
