/* ts_net.h: the network of the `gni` kind behind one interface: a
 * multilayer perceptron (ts_mlp.h) or a convolutional network (ts_cnn.h),
 * chosen by ts_net_config.arch. Both lay their parameters out the same way
 * (weight layer l: W_l, rows[l] x cols[l] row-major, at off_w[l], then b_l
 * at off_b[l]; a gradient is one vector of that layout) and inject noise
 * at the same kind of sites (0 the input, then every hidden activation), so
 * training, the gradient-noise measurements and the mimic see one network.
 *
 * The explicit regulariser R and the objective L + R run on ts_cnn's
 * engine for both architectures (an MLP is a network of no convolution
 * blocks there, with the same parameters): one implementation of R and of
 * its exact gradient, checked against torch (tests/oracle/cnn_torch.py). */
#ifndef TS_NET_H
#define TS_NET_H

#include <stddef.h>

#include "tailsweep/ts_cnn.h"
#include "tailsweep/ts_mlp.h"

typedef enum { TS_ARCH_MLP = 0, TS_ARCH_CNN = 1 } ts_arch;

typedef struct {
    ts_arch arch;
    /* the dense layers, the output and the loss; mlp.n_in is the input size
     * (for a CNN, in_h in_w in_c) */
    ts_mlp_config mlp;
    /* CNN only: the input image and the convolution blocks */
    size_t in_h, in_w, in_c;
    size_t n_conv, channels[TS_CNN_MAX_CONV], kernel;
} ts_net_config;

typedef struct {
    ts_arch arch;
    ts_mlp *mlp;                      /* the one in use; the other is NULL */
    ts_cnn *cnn;
    /* the common view of the parameters (pointers into the one in use) */
    float *w;
    size_t n_params, n_layers;
    const size_t *rows, *cols, *off_w, *off_b;
    /* injection sites: 0 the input, 1 .. n_sites - 1 the hidden activations */
    size_t n_sites;
    size_t site_size[TS_CNN_MAX_SITES];
} ts_net;

typedef struct ts_net_work ts_net_work;

/* Checks (messages name the field) and allocates; weights zero until init. */
ts_status ts_net_alloc(const ts_net_config *cfg, ts_net **out, ts_err *err);
void ts_net_free(ts_net *net);
/* He or Glorot weights from the stream, zero biases (ts_mlp_init, ts_cnn_init). */
void ts_net_init(ts_net *net, ts_rng *r);
void ts_net_sgd_step(ts_net *net, const float *grad, float lr);

/* Workspace for passes of up to max_rows stacked rows (images). */
ts_status ts_net_work_alloc(const ts_net *net, size_t max_rows, ts_net_work **out, ts_err *err);
void ts_net_work_free(ts_net_work *ws);
/* Bytes of workspace per stacked row, for sizing max_rows to memory. */
size_t ts_net_row_bytes(const ts_net *net);

/* As ts_mlp_noise_draw, ts_mlp_noise_site, ts_mlp_loss_grad,
 * ts_mlp_activation (site s >= 1, all M B rows after a pass) and
 * ts_mlp_evaluate. */
ts_status ts_net_noise_draw(const ts_net *net, ts_net_work *ws, const ts_noise_config *nz, size_t B, size_t M,
                            ts_rng *r, ts_err *err);
float *ts_net_noise_site(ts_net_work *ws, size_t site);
ts_status ts_net_loss_grad(const ts_net *net, ts_net_work *ws, const ts_batch *b, size_t M,
                           const ts_noise_config *nz, float *grad, double *loss, ts_err *err);
const float *ts_net_activation(const ts_net_work *ws, size_t site);
ts_status ts_net_evaluate(const ts_net *net, ts_net_work *ws, const ts_batch *all, double *loss, double *accuracy,
                          ts_err *err);

/* The explicit regulariser and the objective L + R (ts_cnn_explicit_reg,
 * ts_cnn_reg_loss_grad), batches of at most max_rows. */
ts_status ts_net_explicit_reg(const ts_net *net, ts_net_work *ws, const ts_batch *b, const ts_noise_config *nz,
                              double *reg, ts_err *err);
ts_status ts_net_reg_loss_grad(const ts_net *net, ts_net_work *ws, const ts_batch *b, const ts_noise_config *nz,
                               float *grad, double *loss, double *reg, ts_err *err);

#endif
