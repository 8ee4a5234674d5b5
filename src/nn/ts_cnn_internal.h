/* ts_cnn_internal.h: the CNN's workspace, its oneDNN primitives and the
 * pieces its source files share. Not a public header.
 *
 * A pass over R = M B stacked images runs in chunks of at most
 * TS_CNN_CHUNK images: forward, loss and backward of one chunk before the
 * next, so only each site's activations (needed afterwards by the
 * gradient-noise measurement) are kept for all R images; the convolution
 * outputs, pooling indices and gradients exist for one chunk. */
#ifndef TS_CNN_INTERNAL_H
#define TS_CNN_INTERNAL_H

#include <dnnl.h>

#include "tailsweep/ts_cnn.h"

/* Images per chunk: a constant (never derived from the workspace), so
 * results do not depend on max_rows. 64 keeps oneDNN's kernels at full
 * speed (docs/benchmarks.md) while a chunk's largest buffer, the first
 * convolution's output, stays a few MB. */
#define TS_CNN_CHUNK 64
/* Primitive sets kept, one per chunk size seen (the full chunk and the
 * remainders of training, evaluation and measurement passes). */
#define TS_CNN_PRIM_CACHE 4

/* The primitives of one convolution block for chunks of n images, and the
 * memory objects that carry their arguments (data handles set per call). */
typedef struct {
    dnnl_primitive_t conv_fwd, conv_bwd_data, conv_bwd_w, pool_fwd, pool_bwd;
    dnnl_primitive_t w_to_fwd, w_to_bwd_data, dw_to_user;   /* weight reorders (NULL: same layout) */
    dnnl_memory_t src, z, pooled, dpooled, dz, dsrc;        /* nhwc activations, handles set per call */
    dnnl_memory_t w_user, w_fwd, w_bwd_data, dw_conv, dw_user, pool_ws;
    /* what each convolution reads or writes its weights through (aliases of
     * the above: the user-layout object when no reorder is needed) */
    dnnl_memory_t w_for_fwd, w_for_bwd_data, dw_for_bwd;
    size_t pool_ws_bytes;
} ts_cnn_block_prims;

typedef struct {
    size_t n;                                   /* images; 0: slot unused */
    unsigned long long last_used;
    unsigned long long weights_pass;            /* the pass whose weights w_fwd holds */
    ts_cnn_block_prims blk[TS_CNN_MAX_CONV];
} ts_cnn_prims;

struct ts_cnn_work {
    size_t max_rows;
    /* the shape this workspace was built for */
    size_t n_layers, rows[TS_CNN_MAX_LAYERS], cols[TS_CNN_MAX_LAYERS];

    /* all R rows: each hidden site's post-activation, and the noise blocks */
    float *act[TS_CNN_MAX_SITES];
    float *noise[TS_CNN_MAX_SITES];
    int noise_on[TS_CNN_MAX_SITES];
    size_t noise_rows;

    /* one chunk: the network input, each block's convolution output (before
     * pooling), each site's injected copy, the output, and two gradient
     * buffers as large as the largest of these */
    float *in0, *z[TS_CNN_MAX_CONV], *inj[TS_CNN_MAX_SITES], *out;
    float *d0, *d1;
    size_t dmax;                                /* floats in d0 and d1 per chunk */
    float *wtmp;                                /* one convolution's weights, OIHW */
    double *colsum;                             /* bias gradients, every layer's units */
    size_t colsum_off[TS_CNN_MAX_LAYERS];

    /* the explicit regulariser's chunk buffers (ts_cnn_reg.c), on first use */
    float *reg_f;
    double *reg_d;
    size_t reg_nf, reg_nd;

    ts_cnn_prims prims[TS_CNN_PRIM_CACHE];
    unsigned long long clock, pass;             /* LRU clock; pass counter (weights reordered once a pass) */
};

/* The process-wide CPU engine and stream (created at the first workspace,
 * with oneDNN on one OpenMP thread, as the MLP's GEMMs). */
ts_status ts_cnn_engine(dnnl_engine_t *eng, dnnl_stream_t *strm, ts_err *err);

/* The primitive set for chunks of n images, created on first use (the
 * least recently used slot is recycled). */
ts_status ts_cnn_prims_get(const ts_cnn *net, ts_cnn_work *ws, size_t n, ts_cnn_prims **out, ts_err *err);
void ts_cnn_prims_free(ts_cnn_prims *p);
/* Reorders the user-layout weights of every block into the layouts of p's
 * convolutions, once per pass (ws->pass). */
ts_status ts_cnn_prims_load_weights(const ts_cnn *net, ts_cnn_work *ws, ts_cnn_prims *p, ts_err *err);

/* Run one primitive with its arguments (handles already set). */
ts_status ts_cnn_exec(dnnl_primitive_t prim, int nargs, const dnnl_exec_arg_t *args, const char *what,
                      ts_err *err);
/* Point a memory object at a buffer. */
void ts_cnn_bind(dnnl_memory_t m, const void *p);

ts_status ts_cnn_work_check(const ts_cnn *net, const ts_cnn_work *ws, size_t B, size_t M, ts_err *err);
ts_status ts_cnn_batch_check(const ts_cnn *net, const ts_batch *b, ts_err *err);

/* Size of block l's convolution output per image (before pooling). */
size_t ts_cnn_conv_size(const ts_cnn *net, size_t l);

/* One chunk of a pass: images r0 .. r0 + n of the R = M B stacked rows
 * (row r is example r mod B of b). */
typedef struct {
    const ts_cnn *net;
    ts_cnn_work *ws;
    ts_cnn_prims *p;
    const ts_batch *b;
    size_t r0, n;
    int noisy;
    ts_noise_type type;
    float s;
    const float *x0;          /* the chunk's network input (set by the forward) */
    /* Optional extra adjoints for the backward (the explicit regulariser's
     * gradient, ts_cnn_reg.c), per site, n x site_size, or NULL:
     * hbar[s] is added to the gradient of site s's activation, ybar[s] to
     * that of its pre-activation (after act'). */
    float *const *hbar, *const *ybar;
} ts_cnn_chunk;

/* Sets up chunk c (primitives for n images, this pass's weights). */
ts_status ts_cnn_chunk_begin(ts_cnn_chunk *c, size_t r0, size_t n, ts_err *err);
/* Forward of c: every site's activation (ws->act, rows r0..), the
 * injected copies, each block's convolution output (ws->z) and pooling
 * indices, the output (ws->out). */
ts_status ts_cnn_forward(ts_cnn_chunk *c, ts_err *err);
/* Backward of c from d out in ws->d0: weight gradients added to grad (the
 * chunk at r0 = 0 writes them), bias gradients summed into ws->colsum. */
ts_status ts_cnn_backward(ts_cnn_chunk *c, float *grad, ts_err *err);
/* The input of weight layer l (site l) for the chunk, injected when noisy. */
const float *ts_cnn_site_in(const ts_cnn_chunk *c, size_t l);

/* One pass over the R = M B stacked images of b (checked by the caller):
 * forward, loss and, if grad is non-NULL, backward, chunk by chunk; d out
 * scaled by dscale. *sum gets the loss summed over the rows, *correct (may
 * be NULL) the rows whose arg-max is the label. */
ts_status ts_cnn_pass(const ts_cnn *net, ts_cnn_work *ws, const ts_batch *b, size_t M,
                      const ts_noise_config *nz, float *grad, float dscale, double *sum, size_t *correct,
                      ts_err *err);

#endif
