/* ts_cnn_prims.c: the oneDNN side of the CNN: the engine, one set of
 * primitives per chunk size, and the weight reorders.
 *
 * Activations are channels-last (nhwc), the layout the data and the dense
 * layers use, so no activation is ever reordered. The convolutions pick
 * their own weight layouts (format "any": blocked layouts their JIT kernels
 * run fastest on); the user layout (OIHW, in the parameter vector) is
 * reordered into them once per pass, and the weight gradient back. Creating
 * a primitive descriptor costs a fraction of a millisecond, so sets are
 * kept per chunk size (TS_CNN_PRIM_CACHE of them, least recently used
 * recycled).
 *
 * Pooling: oneDNN offers several implementations of the same max-pooling
 * (jit:avx2, jit:avx, jit:sse41, simple_nhwc, ...) and picks the first that
 * applies, which is not always the fastest: on AMD EPYC (Zen) its AVX
 * kernels use masked stores (vmaskmovps, microcoded there) and run the
 * 2 x 2 forward 12x slower than jit:sse41 (docs/benchmarks.md). The first
 * set built in a process times every implementation but the reference one
 * (a few runs on the real shape) and the choice, by name, holds for the
 * rest of the process. Max-pooling is exact (no rounding, the first maximum
 * of a window in row-major order wins a tie in all of them: test_cnn.c
 * checks each against the others), so the choice changes speed only. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ts_cnn_internal.h"
#include "ts_mlp_internal.h"

static dnnl_engine_t engine;
static dnnl_stream_t stream;

ts_status ts_cnn_engine(dnnl_engine_t *eng, dnnl_stream_t *strm, ts_err *err)
{
    if (!engine) {
        ts_mlp_blas_setup();   /* one OpenMP thread: ranks are the parallelism */
        if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success)
            return ts_err_set(err, TS_ENOMEM, "cnn: oneDNN could not create its CPU engine");
        if (dnnl_stream_create(&stream, engine, dnnl_stream_default_flags) != dnnl_success) {
            dnnl_engine_destroy(engine);
            engine = NULL;
            return ts_err_set(err, TS_ENOMEM, "cnn: oneDNN could not create a stream");
        }
    }
    if (eng) *eng = engine;
    if (strm) *strm = stream;
    return TS_OK;
}

ts_status ts_cnn_exec(dnnl_primitive_t prim, int nargs, const dnnl_exec_arg_t *args, const char *what, ts_err *err)
{
    dnnl_status_t s = dnnl_primitive_execute(prim, stream, nargs, args);
    if (s == dnnl_success) s = dnnl_stream_wait(stream);
    if (s != dnnl_success)
        return ts_err_set(err, s == dnnl_out_of_memory ? TS_ENOMEM : TS_EINVAL, "cnn: oneDNN %s failed (status %d)",
                          what, (int)s);
    return TS_OK;
}

void ts_cnn_bind(dnnl_memory_t m, const void *p)
{
    /* oneDNN's handles are not const; the primitives only read inputs */
    dnnl_memory_set_data_handle(m, (void *)(uintptr_t)p);
}

/* --- creation ------------------------------------------------------------ */

typedef struct {
    ts_err *err;
    ts_status st;
} ctx_t;

/* Records the first oneDNN failure with what was being built. */
static int ok(ctx_t *c, dnnl_status_t s, const char *what, size_t l)
{
    if (c->st) return 0;
    if (s == dnnl_success) return 1;
    c->st = ts_err_set(c->err, s == dnnl_out_of_memory ? TS_ENOMEM : TS_EINVAL,
                       "cnn: oneDNN cannot build %s for convolution block %zu (status %d)", what, l + 1, (int)s);
    return 0;
}

static void md4(dnnl_memory_desc_t *md, size_t n, size_t c, size_t h, size_t w, dnnl_format_tag_t tag)
{
    dnnl_dims_t d = { (dnnl_dim_t)n, (dnnl_dim_t)c, (dnnl_dim_t)h, (dnnl_dim_t)w };
    dnnl_memory_desc_init_by_tag(md, 4, d, dnnl_f32, tag);
}

static dnnl_memory_t mem(ctx_t *c, const dnnl_memory_desc_t *md, void *handle, size_t l)
{
    dnnl_memory_t m = NULL;
    if (!ok(c, dnnl_memory_create(&m, md, engine, handle), "a memory object", l)) return NULL;
    return m;
}

/* A reorder from `from` to `to`, or NULL when the layouts are equal. */
static dnnl_primitive_t reorder(ctx_t *c, const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to, size_t l)
{
    if (c->st || dnnl_memory_desc_equal(from, to)) return NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_t p = NULL;
    if (ok(c, dnnl_reorder_primitive_desc_create(&pd, from, engine, to, engine, NULL), "a weight reorder", l))
        ok(c, dnnl_primitive_create(&p, pd), "a weight reorder", l);
    if (pd) dnnl_primitive_desc_destroy(pd);
    return p;
}

static dnnl_primitive_t prim(ctx_t *c, dnnl_primitive_desc_t pd, const char *what, size_t l)
{
    dnnl_primitive_t p = NULL;
    if (pd) ok(c, dnnl_primitive_create(&p, pd), what, l);
    return p;
}

static const dnnl_memory_desc_t *q(dnnl_primitive_desc_t pd, dnnl_query_t what)
{
    return dnnl_primitive_desc_query_md(pd, what, 0);
}

/* --- pooling: the implementation by measured speed ---------------------- */

static char pool_fwd_impl[64], pool_bwd_impl[64];   /* chosen for this process */

static const char *impl_name(const_dnnl_primitive_desc_t pd)
{
    const char *name = "";
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name) != dnnl_success || !name) name = "";
    return name;
}

static double mono_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Best of three runs of a primitive, in seconds; +inf if it fails. */
static double time_prim(dnnl_primitive_desc_t pd, int nargs, dnnl_exec_arg_t *args)
{
    dnnl_primitive_t p = NULL;
    if (dnnl_primitive_create(&p, pd) != dnnl_success) return HUGE_VAL;
    double best = HUGE_VAL;
    for (int r = 0; r < 3; r++) {
        double t0 = mono_now();
        dnnl_status_t s = dnnl_primitive_execute(p, stream, nargs, args);
        if (s == dnnl_success) s = dnnl_stream_wait(stream);
        double t = mono_now() - t0;
        if (s != dnnl_success) {
            best = HUGE_VAL;
            break;
        }
        best = t < best ? t : best;
    }
    dnnl_primitive_destroy(p);
    return best;
}

/* The descriptor of the implementation named `want` (the fastest one, when
 * want is empty: then timed on scratch buffers and its name stored in
 * want), or NULL. For the backward, hint is the forward's descriptor and
 * ws_of the forward whose workspace it reads. */
static dnnl_primitive_desc_t pool_pick(const_dnnl_op_desc_t desc, const_dnnl_primitive_desc_t hint, int backward,
                                       char *want, size_t want_size)
{
    dnnl_primitive_desc_iterator_t it = NULL;
    if (dnnl_primitive_desc_iterator_create(&it, desc, NULL, engine, hint) != dnnl_success) return NULL;
    dnnl_primitive_desc_t best = NULL;
    double best_t = HUGE_VAL;
    const int timing = want[0] == '\0';
    do {
        dnnl_primitive_desc_t pd = dnnl_primitive_desc_iterator_fetch(it);
        if (!pd) break;
        const char *name = impl_name(pd);
        int take = 0;
        if (!timing) {
            take = strcmp(name, want) == 0;
        } else if (strncmp(name, "ref", 3) != 0) {
            /* scratch arguments of the right layouts; contents: a ramp, no ties */
            dnnl_query_t q_in = backward ? dnnl_query_diff_dst_md : dnnl_query_src_md;
            dnnl_query_t q_out = backward ? dnnl_query_diff_src_md : dnnl_query_dst_md;
            const dnnl_memory_desc_t *mi = dnnl_primitive_desc_query_md(pd, q_in, 0);
            const dnnl_memory_desc_t *mo = dnnl_primitive_desc_query_md(pd, q_out, 0);
            const dnnl_memory_desc_t *mw = dnnl_primitive_desc_query_md(pd, dnnl_query_workspace_md, 0);
            dnnl_memory_t in = NULL, out = NULL, wsm = NULL;
            int okm = dnnl_memory_create(&in, mi, engine, DNNL_MEMORY_ALLOCATE) == dnnl_success &&
                      dnnl_memory_create(&out, mo, engine, DNNL_MEMORY_ALLOCATE) == dnnl_success &&
                      (!mw || mw->ndims == 0 ||
                       dnnl_memory_create(&wsm, mw, engine, DNNL_MEMORY_ALLOCATE) == dnnl_success);
            double t = HUGE_VAL;
            if (okm) {
                float *v = NULL;
                dnnl_memory_get_data_handle(in, (void **)&v);
                size_t n = dnnl_memory_desc_get_size(mi) / sizeof(float);
                for (size_t i = 0; i < n; i++) v[i] = (float)(i % 1021);
                if (wsm) {
                    unsigned char *w = NULL;
                    dnnl_memory_get_data_handle(wsm, (void **)&w);
                    memset(w, 0, dnnl_memory_desc_get_size(mw));
                }
                dnnl_exec_arg_t a[3] = { { backward ? DNNL_ARG_DIFF_DST : DNNL_ARG_SRC, in },
                                         { backward ? DNNL_ARG_DIFF_SRC : DNNL_ARG_DST, out },
                                         { DNNL_ARG_WORKSPACE, wsm } };
                t = time_prim(pd, wsm ? 3 : 2, a);
            }
            if (in) dnnl_memory_destroy(in);
            if (out) dnnl_memory_destroy(out);
            if (wsm) dnnl_memory_destroy(wsm);
            take = t < best_t;
            if (take) best_t = t;
        }
        if (take) {   /* fetched descriptors are ours to destroy */
            if (best) dnnl_primitive_desc_destroy(best);
            best = pd;
            if (!timing) break;
        } else {
            dnnl_primitive_desc_destroy(pd);
        }
    } while (dnnl_primitive_desc_iterator_next(it) == dnnl_success);
    dnnl_primitive_desc_iterator_destroy(it);
    if (best && timing) snprintf(want, want_size, "%s", impl_name(best));
    return best;
}

static void block_build(ctx_t *c, const ts_cnn *net, size_t l, size_t n, ts_cnn_block_prims *b)
{
    const size_t k = net->cfg.kernel, pl = (k - 1) / 2, pr = k - 1 - pl;
    const size_t hi = net->site_h[l], wi = net->site_w[l], ci = net->site_c[l], co = net->cfg.channels[l];
    const size_t ho = net->site_h[l + 1], wo = net->site_w[l + 1];
    dnnl_memory_desc_t src, z, pooled, w_any, w_user;
    md4(&src, n, ci, hi, wi, dnnl_nhwc);
    md4(&z, n, co, hi, wi, dnnl_nhwc);
    md4(&pooled, n, co, ho, wo, dnnl_nhwc);
    md4(&w_any, co, ci, k, k, dnnl_format_tag_any);
    md4(&w_user, co, ci, k, k, dnnl_oihw);
    dnnl_dims_t one = { 1, 1 }, two = { 2, 2 }, zero = { 0, 0 };
    dnnl_dims_t padl = { (dnnl_dim_t)pl, (dnnl_dim_t)pl }, padr = { (dnnl_dim_t)pr, (dnnl_dim_t)pr };

    dnnl_convolution_desc_t cf, cbd, cbw;
    dnnl_pooling_v2_desc_t pf, pb;
    dnnl_primitive_desc_t cf_pd = NULL, cbd_pd = NULL, cbw_pd = NULL, pf_pd = NULL, pb_pd = NULL;
    if (ok(c, dnnl_convolution_forward_desc_init(&cf, dnnl_forward_training, dnnl_convolution_direct, &src, &w_any,
                                                 NULL, &z, one, padl, padr), "the convolution", l))
        ok(c, dnnl_primitive_desc_create(&cf_pd, &cf, NULL, engine, NULL), "the convolution", l);
    if (ok(c, dnnl_convolution_backward_data_desc_init(&cbd, dnnl_convolution_direct, &src, &w_any, &z, one,
                                                                padl, padr), "the convolution's data gradient", l))
        ok(c, dnnl_primitive_desc_create(&cbd_pd, &cbd, NULL, engine, cf_pd), "the convolution's data gradient", l);
    if (ok(c, dnnl_convolution_backward_weights_desc_init(&cbw, dnnl_convolution_direct, &src, &w_any, NULL, &z, one,
                                                          padl, padr), "the convolution's weight gradient", l))
        ok(c, dnnl_primitive_desc_create(&cbw_pd, &cbw, NULL, engine, cf_pd), "the convolution's weight gradient", l);
    if (ok(c, dnnl_pooling_v2_forward_desc_init(&pf, dnnl_forward_training, dnnl_pooling_max, &z, &pooled, two, two,
                                                zero, zero, zero), "the max-pooling", l)) {
        pf_pd = pool_pick(&pf, NULL, 0, pool_fwd_impl, sizeof pool_fwd_impl);
        if (!pf_pd) ok(c, dnnl_primitive_desc_create(&pf_pd, &pf, NULL, engine, NULL), "the max-pooling", l);
    }
    if (ok(c, dnnl_pooling_v2_backward_desc_init(&pb, dnnl_pooling_max, &z, &pooled, two, two, zero, zero, zero),
           "the max-pooling gradient", l)) {
        pb_pd = pool_pick(&pb, pf_pd, 1, pool_bwd_impl, sizeof pool_bwd_impl);
        if (!pb_pd) ok(c, dnnl_primitive_desc_create(&pb_pd, &pb, NULL, engine, pf_pd), "the max-pooling gradient", l);
    }

    if (!c->st) {
        b->conv_fwd = prim(c, cf_pd, "the convolution", l);
        b->conv_bwd_data = prim(c, cbd_pd, "the convolution's data gradient", l);
        b->conv_bwd_w = prim(c, cbw_pd, "the convolution's weight gradient", l);
        b->pool_fwd = prim(c, pf_pd, "the max-pooling", l);
        b->pool_bwd = prim(c, pb_pd, "the max-pooling gradient", l);
        b->src = mem(c, &src, DNNL_MEMORY_NONE, l);
        b->dsrc = mem(c, &src, DNNL_MEMORY_NONE, l);
        b->z = mem(c, &z, DNNL_MEMORY_NONE, l);
        b->dz = mem(c, &z, DNNL_MEMORY_NONE, l);
        b->pooled = mem(c, &pooled, DNNL_MEMORY_NONE, l);
        b->dpooled = mem(c, &pooled, DNNL_MEMORY_NONE, l);
        b->w_user = mem(c, &w_user, DNNL_MEMORY_NONE, l);
        b->dw_user = mem(c, &w_user, DNNL_MEMORY_NONE, l);
        const dnnl_memory_desc_t *wf = c->st ? NULL : q(cf_pd, dnnl_query_weights_md);
        const dnnl_memory_desc_t *dw = c->st ? NULL : q(cbw_pd, dnnl_query_diff_weights_md);
        const dnnl_memory_desc_t *ws = c->st ? NULL : q(pf_pd, dnnl_query_workspace_md);
        b->w_to_fwd = c->st ? NULL : reorder(c, &w_user, wf, l);
        b->w_fwd = b->w_to_fwd ? mem(c, wf, DNNL_MEMORY_ALLOCATE, l) : NULL;
        b->w_for_fwd = b->w_fwd ? b->w_fwd : b->w_user;
        if (cbd_pd && !c->st) {
            const dnnl_memory_desc_t *wb = q(cbd_pd, dnnl_query_weights_md);
            if (dnnl_memory_desc_equal(wb, wf)) {
                b->w_for_bwd_data = b->w_for_fwd;
            } else {
                b->w_to_bwd_data = reorder(c, &w_user, wb, l);
                b->w_bwd_data = b->w_to_bwd_data ? mem(c, wb, DNNL_MEMORY_ALLOCATE, l) : NULL;
                b->w_for_bwd_data = b->w_bwd_data ? b->w_bwd_data : b->w_user;
            }
        }
        b->dw_to_user = c->st ? NULL : reorder(c, dw, &w_user, l);
        b->dw_conv = b->dw_to_user ? mem(c, dw, DNNL_MEMORY_ALLOCATE, l) : NULL;
        b->dw_for_bwd = b->dw_conv ? b->dw_conv : b->dw_user;
        if (ws && !c->st) {
            b->pool_ws_bytes = dnnl_memory_desc_get_size(ws);
            b->pool_ws = mem(c, ws, DNNL_MEMORY_ALLOCATE, l);
        }
    }
    dnnl_primitive_desc_t pds[] = { cf_pd, cbd_pd, cbw_pd, pf_pd, pb_pd };
    for (size_t i = 0; i < sizeof pds / sizeof pds[0]; i++)
        if (pds[i]) dnnl_primitive_desc_destroy(pds[i]);
}

static void block_free(ts_cnn_block_prims *b)
{
    dnnl_primitive_t ps[] = { b->conv_fwd, b->conv_bwd_data, b->conv_bwd_w, b->pool_fwd, b->pool_bwd,
                              b->w_to_fwd, b->w_to_bwd_data, b->dw_to_user };
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
        if (ps[i]) dnnl_primitive_destroy(ps[i]);
    dnnl_memory_t ms[] = { b->src, b->z, b->pooled, b->dpooled, b->dz, b->dsrc, b->w_user, b->w_fwd,
                           b->w_bwd_data, b->dw_conv, b->dw_user, b->pool_ws };
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
        if (ms[i]) dnnl_memory_destroy(ms[i]);
    memset(b, 0, sizeof *b);
}

void ts_cnn_prims_free(ts_cnn_prims *p)
{
    for (size_t l = 0; l < TS_CNN_MAX_CONV; l++) block_free(&p->blk[l]);
    p->n = 0;
}

ts_status ts_cnn_prims_get(const ts_cnn *net, ts_cnn_work *ws, size_t n, ts_cnn_prims **out, ts_err *err)
{
    ts_status st = ts_cnn_engine(NULL, NULL, err);
    if (st) return st;
    ts_cnn_prims *slot = &ws->prims[0];
    for (size_t i = 0; i < TS_CNN_PRIM_CACHE; i++) {
        ts_cnn_prims *p = &ws->prims[i];
        if (p->n == n) {
            p->last_used = ++ws->clock;
            *out = p;
            return TS_OK;
        }
        if (p->n == 0 || (slot->n != 0 && p->last_used < slot->last_used)) slot = p;
    }
    ts_cnn_prims_free(slot);
    ctx_t c = { err, TS_OK };
    for (size_t l = 0; l < net->cfg.n_conv && !c.st; l++) block_build(&c, net, l, n, &slot->blk[l]);
    if (c.st) {
        ts_cnn_prims_free(slot);
        return c.st;
    }
    slot->n = n;
    slot->last_used = ++ws->clock;
    slot->weights_pass = 0;
    *out = slot;
    return TS_OK;
}

ts_status ts_cnn_prims_load_weights(const ts_cnn *net, ts_cnn_work *ws, ts_cnn_prims *p, ts_err *err)
{
    if (p->weights_pass == ws->pass) return TS_OK;
    for (size_t l = 0; l < net->cfg.n_conv; l++) {
        ts_cnn_block_prims *b = &p->blk[l];
        ts_cnn_bind(b->w_user, net->w + net->off_w[l]);
        ts_status st = TS_OK;
        if (b->w_to_fwd) {
            dnnl_exec_arg_t a[] = { { DNNL_ARG_FROM, b->w_user }, { DNNL_ARG_TO, b->w_fwd } };
            st = ts_cnn_exec(b->w_to_fwd, 2, a, "weight reorder", err);
        }
        if (!st && b->w_to_bwd_data) {
            dnnl_exec_arg_t a[] = { { DNNL_ARG_FROM, b->w_user }, { DNNL_ARG_TO, b->w_bwd_data } };
            st = ts_cnn_exec(b->w_to_bwd_data, 2, a, "weight reorder", err);
        }
        if (st) return st;
    }
    p->weights_pass = ws->pass;
    return TS_OK;
}
