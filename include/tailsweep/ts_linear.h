/* ts_linear.h: SGD on linear models (docs/math.md section 5).
 *
 * Two published results are cheap enough to sweep at scale:
 *  - Durmus, Sylvestre and Sander (2024): Noisy-SGD (SGD plus sigma N(0, I)
 *    on the mini-batch gradient, DP-SGD without clipping) amplifies SGD's
 *    implicit bias, on least squares and diagonal linear networks.
 *  - Gurbuzbalaban, Simsekli and Zhu (2021): plain SGD on linear regression
 *    with Gaussian data has heavy-tailed iterates whose tail index falls as
 *    eta / B grows.
 *
 * Data (ts_linear_data.c): X n x d with rows N(0, diag(lambda)), a dense or
 * k-sparse teacher w*, y = X w* + label noise; a noiseless test set.
 * Models (ts_linear_model.c): least squares, beta = w; the diagonal linear
 * network, beta = u*u - v*v with u0 = v0 = a0 1. Loss ||X beta - y||^2/(2n).
 * Optimisers (ts_linear_opt.c): GD, SGD with or without replacement,
 * per-example clipping, additive Gaussian noise, eta_k = eta/(1 + k/k0)^gamma.
 * All dense algebra is double precision through CBLAS (OpenBLAS). */
#ifndef TS_LINEAR_H
#define TS_LINEAR_H

#include <stddef.h>
#include <stdint.h>

#include "tailsweep/ts_error.h"
#include "tailsweep/ts_ckpt.h"
#include "tailsweep/ts_poll.h"

typedef enum { TS_LINEAR_LS = 0, TS_LINEAR_DLN = 1 } ts_linear_model;
typedef enum { TS_LINEAR_GD = 0, TS_LINEAR_SGD = 1, TS_LINEAR_SGD_NOREPLACE = 2 } ts_linear_optimizer;
typedef enum { TS_SPECTRUM_ISO = 0, TS_SPECTRUM_COND = 1, TS_SPECTRUM_POWER = 2 } ts_linear_spectrum;

extern const char *const ts_linear_model_names[];      /* "ls", "dln", NULL */
extern const char *const ts_linear_optimizer_names[];  /* "gd", "sgd", "sgd_noreplace", NULL */
extern const char *const ts_linear_spectrum_names[];   /* "iso", "cond", "power", NULL */

/* ---- data ---------------------------------------------------------------- */

typedef struct {
    size_t n, n_test, d;
    size_t k;                     /* teacher nonzeros; 0: dense Gaussian teacher */
    ts_linear_spectrum spectrum;  /* covariance of the rows of X                 */
    double kappa;                 /* COND: lambda_j geometric from 1 to 1/kappa  */
    double decay;                 /* POWER: lambda_j = (j + 1)^-decay            */
    double teacher_scale;         /* ||w*||_2 (in expectation for the dense one) */
    double label_noise;           /* std of the train labels' Gaussian noise      */
} ts_linear_data_config;

typedef struct {
    size_t n, n_test, d;
    double *X;       /* n x d, row-major                          */
    double *y;       /* n: X w* + noise                           */
    double *Xt;      /* n_test x d                                */
    double *yt;      /* n_test: Xt w*, noiseless                  */
    double *w_star;  /* d: the teacher                            */
    double *lambda;  /* d: the covariance's diagonal              */
} ts_linear_data;

/* Check a data configuration; messages name the job key (n, d, k, ...). */
ts_status ts_linear_data_config_check(const ts_linear_data_config *c, ts_err *err);

/* Draw the data from stream (seed, task, replicate, TS_PURPOSE_DATA),
 * substreams 0 X, 1 Xt, 2 teacher values, 3 label noise, 4 support. */
ts_status ts_linear_data_alloc(const ts_linear_data_config *c, uint64_t seed, uint64_t task,
                               uint64_t replicate, ts_linear_data **out, ts_err *err);
void ts_linear_data_free(ts_linear_data *D);

/* w = pinv(X) y: the minimum-norm interpolator when d > n (X of full row
 * rank), the least squares solution when d <= n. By LAPACK's SVD
 * least squares (dgelsd), singular values below max(n, d) eps s_max
 * counted as zero, so a numerically rank-deficient X gets the minimum-norm
 * least squares solution. */
ts_status ts_linear_min_norm(const ts_linear_data *D, double *w, ts_err *err);

/* ---- models -------------------------------------------------------------- */

/* Number of trained parameters: d (least squares) or 2d (u then v). */
size_t ts_linear_n_params(ts_linear_model m, size_t d);
/* theta0: 0 for least squares, u0 = v0 = a0 for the network. */
void ts_linear_init(ts_linear_model m, size_t d, double a0, double *theta);
/* beta from the parameters: w, or u*u - v*v. */
void ts_linear_beta(ts_linear_model m, size_t d, const double *theta, double *beta);
/* ||X beta - y||^2 / (2 m) over m rows; r: m doubles of scratch. */
double ts_linear_loss(const double *X, const double *y, size_t m, size_t d, const double *beta, double *r);

/* The mean gradient in theta over the m rows (X, y), each example's
 * gradient clipped to 2-norm clip in theta space first when clip > 0.
 * Scratch r: m doubles, gb: d doubles. Returns the number of examples
 * clipped. */
size_t ts_linear_grad(ts_linear_model m, const double *X, const double *y, size_t rows, size_t d,
                      const double *theta, const double *beta, double clip, double *r, double *gb,
                      double *grad);

/* ---- optimisation -------------------------------------------------------- */

typedef struct {
    ts_linear_model model;
    double a0;                    /* network initialisation scale           */
    ts_linear_optimizer opt;
    size_t B;                     /* batch size (ignored by GD)             */
    double eta, gamma, k0;        /* eta_k = eta / (1 + k/k0)^gamma         */
    double sigma;                 /* added noise: sigma N(0, I) on the gradient */
    double clip;                  /* per-example clipping norm; 0: none     */
    int shared_noise;             /* 1: the noise stream's task is 0, not the
                                     point's, so every grid point of a
                                     replicate sees the same xi_k (paired runs) */
    uint64_t steps, log_every;    /* log at 0, log_every, ..., and at steps */
    uint64_t burnin, thin;        /* tail window: steps burnin+thin, ...    */
    double bound;                 /* |theta_j| beyond this: diverged        */
} ts_linear_opt_config;

/* Number of logged steps: 0, log_every, 2 log_every, ... and steps itself. */
size_t ts_linear_n_log(uint64_t steps, uint64_t log_every);
/* The step number of log entry i. */
uint64_t ts_linear_log_step(uint64_t steps, uint64_t log_every, size_t i);
/* Iterates kept for the tail index: steps burnin + thin, burnin + 2 thin, ... <= steps. */
size_t ts_linear_n_window(uint64_t steps, uint64_t burnin, uint64_t thin);

ts_status ts_linear_opt_config_check(const ts_linear_opt_config *c, size_t n, size_t d, ts_err *err);

typedef struct {
    size_t n_log;
    double *train_loss, *test_loss, *beta_err, *beta_l1;   /* n_log each       */
    double *beta;                 /* d: the final beta (the last finite one) */
    size_t n_window, d;
    double *window;               /* n_window x d: beta at the window steps  */
    size_t window_filled;         /* rows written (fewer if diverged)        */
    int diverged;
    int64_t diverged_at;          /* step, -1 if never                       */
    uint64_t clipped;             /* examples clipped over the run           */
} ts_linear_trace;

void ts_linear_trace_free(ts_linear_trace *t);

/* Run the optimiser on D. Mini-batches come from stream (seed, task,
 * replicate, TS_PURPOSE_BATCH): with replacement, index floor(u n) per
 * uniform u; without, a Fisher-Yates shuffle per epoch (uniforms u,
 * j = i + floor(u (n - i))), batches taken in order, an incomplete tail
 * dropped. Noise comes from (seed, task or 0 if shared_noise, replicate,
 * TS_PURPOSE_NOISE), n_params normals a step, drawn only when sigma > 0, so sigma = 0 is SGD exactly. Entries of
 * the curves past a divergence are -1. poll may be NULL. */
ts_status ts_linear_run(const ts_linear_data *D, const ts_linear_opt_config *c, uint64_t seed,
                        uint64_t task, uint64_t replicate, ts_poll_fn poll, void *poll_ctx,
                        ts_linear_trace *out, ts_err *err);
/* The same with checkpoints (ts_ckpt.h; ck may be NULL): with ck->state
 * set the run goes on from that state; a poll answering TS_POLL_SAVE (every
 * 256 steps) hands the run's whole state to ck. A resumed run ends
 * bit-identical to an uninterrupted one. */
ts_status ts_linear_run_ckpt(const ts_linear_data *D, const ts_linear_opt_config *c, uint64_t seed,
                             uint64_t task, uint64_t replicate, ts_poll_fn poll, void *poll_ctx, ts_ckpt *ck,
                             ts_linear_trace *out, ts_err *err);

/* Tail indices of the window's iterates: each coordinate centred by its
 * median, all coordinates pooled, the pool shuffled by stream (seed, task,
 * replicate, TS_PURPOSE_GENERIC) so that the block-sum estimator's blocks
 * hold draws far apart in time (docs/linear.md says why). Needs at least
 * 1000 pooled values. */
ts_status ts_linear_tail_index(const ts_linear_trace *t, uint64_t seed, uint64_t task, uint64_t replicate,
                               double *alpha_blocksum, double *alpha_hill, size_t *hill_k, ts_err *err);

#endif
