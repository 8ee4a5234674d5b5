/* ts_linear_data.c: the Gaussian design, the teacher and the labels of the
 * linear experiments (docs/math.md section 5.1). Every draw comes from the data
 * stream's substreams, one per concern, so changing the label noise never
 * changes X and growing n_test never changes the training set. */
#include <math.h>
#include <stdlib.h>

#include "tailsweep/ts_linear.h"
#include "tailsweep/ts_rng.h"

const char *const ts_linear_model_names[] = { "ls", "dln", NULL };
const char *const ts_linear_optimizer_names[] = { "gd", "sgd", "sgd_noreplace", NULL };
const char *const ts_linear_spectrum_names[] = { "iso", "cond", "power", NULL };

/* Sizes beyond this many doubles in one matrix are refused up front rather
 * than failing an allocation half way through a sweep (~400 MB). */
#define TS_LINEAR_MAX_ELEMS 50000000.0

ts_status ts_linear_data_config_check(const ts_linear_data_config *c, ts_err *err)
{
    if (c->n < 1) return ts_err_set(err, TS_EINVAL, "n = %zu: need at least one training example", c->n);
    if (c->n_test < 1) return ts_err_set(err, TS_EINVAL, "n_test = %zu: need at least one test example", c->n_test);
    if (c->d < 1) return ts_err_set(err, TS_EINVAL, "d = %zu: need at least one dimension", c->d);
    if (c->k > c->d)
        return ts_err_set(err, TS_EINVAL, "k = %zu exceeds d = %zu: the sparse teacher cannot have more nonzeros than dimensions",
                          c->k, c->d);
    if ((double)c->n * (double)c->d > TS_LINEAR_MAX_ELEMS || (double)c->n_test * (double)c->d > TS_LINEAR_MAX_ELEMS)
        return ts_err_set(err, TS_EINVAL, "n x d = %zu x %zu or n_test x d = %zu x %zu exceeds %.0f values",
                          c->n, c->d, c->n_test, c->d, TS_LINEAR_MAX_ELEMS);
    if (c->spectrum == TS_SPECTRUM_COND && !(c->kappa >= 1 && isfinite(c->kappa)))
        return ts_err_set(err, TS_EINVAL, "kappa = %g: the condition number must be >= 1", c->kappa);
    if (c->spectrum == TS_SPECTRUM_POWER && !(c->decay >= 0 && isfinite(c->decay)))
        return ts_err_set(err, TS_EINVAL, "decay = %g: the power-law exponent must be >= 0", c->decay);
    if (!(c->teacher_scale >= 0 && isfinite(c->teacher_scale)))
        return ts_err_set(err, TS_EINVAL, "teacher_scale = %g must be finite and >= 0", c->teacher_scale);
    if (!(c->label_noise >= 0 && isfinite(c->label_noise)))
        return ts_err_set(err, TS_EINVAL, "label_noise = %g must be finite and >= 0", c->label_noise);
    return TS_OK;
}

void ts_linear_data_free(ts_linear_data *D)
{
    if (!D) return;
    free(D->X);
    free(D->y);
    free(D->Xt);
    free(D->yt);
    free(D->w_star);
    free(D->lambda);
    free(D);
}

static void spectrum(const ts_linear_data_config *c, double *lambda)
{
    for (size_t j = 0; j < c->d; j++) {
        switch (c->spectrum) {
        case TS_SPECTRUM_COND:   /* geometric from 1 down to 1/kappa */
            lambda[j] = c->d > 1 ? pow(c->kappa, -(double)j / (double)(c->d - 1)) : 1;
            break;
        case TS_SPECTRUM_POWER:
            lambda[j] = pow((double)(j + 1), -c->decay);
            break;
        default:
            lambda[j] = 1;
        }
    }
}

/* Rows N(0, diag(lambda)): standard normals scaled by sqrt(lambda_j). */
static void design(ts_rng *r, size_t rows, size_t d, const double *lambda, double *X)
{
    ts_rng_normal_block(r, rows * d, X);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < d; j++) X[i * d + j] *= sqrt(lambda[j]);
}

/* Dense: N(0, scale^2 / d) entries (E||w*||^2 = scale^2). Sparse: a uniform
 * k-subset (partial Fisher-Yates) with values +-scale/sqrt(k), random signs,
 * so ||w*|| = scale exactly. */
static ts_status teacher(const ts_linear_data_config *c, const ts_rng *parent, double *w, ts_err *err)
{
    ts_rng vals, supp;
    ts_status st = ts_rng_substream(&vals, parent, 2, err);
    if (!st) st = ts_rng_substream(&supp, parent, 4, err);
    if (st) return st;
    size_t d = c->d, k = c->k;
    if (k == 0) {
        ts_rng_normal_block(&vals, d, w);
        for (size_t j = 0; j < d; j++) w[j] *= c->teacher_scale / sqrt((double)d);
        return TS_OK;
    }
    size_t *perm = malloc(d * sizeof *perm);
    if (!perm) return ts_err_set(err, TS_ENOMEM, "linear: out of memory for the teacher's support (d = %zu)", d);
    for (size_t j = 0; j < d; j++) perm[j] = j, w[j] = 0;
    for (size_t i = 0; i < k; i++) {
        size_t j = i + (size_t)(ts_rng_uniform(&supp) * (double)(d - i));
        if (j >= d) j = d - 1;   /* u < 1 always; a guard against rounding */
        size_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        w[perm[i]] = (ts_rng_uniform(&vals) < 0.5 ? -1 : 1) * c->teacher_scale / sqrt((double)k);
    }
    free(perm);
    return TS_OK;
}

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

ts_status ts_linear_data_alloc(const ts_linear_data_config *c, uint64_t seed, uint64_t task,
                               uint64_t replicate, ts_linear_data **out, ts_err *err)
{
    *out = NULL;
    ts_status st = ts_linear_data_config_check(c, err);
    if (st) return st;
    ts_linear_data *D = calloc(1, sizeof *D);
    if (!D) return ts_err_set(err, TS_ENOMEM, "linear: out of memory");
    D->n = c->n;
    D->n_test = c->n_test;
    D->d = c->d;
    D->X = malloc(c->n * c->d * sizeof(double));
    D->y = malloc(c->n * sizeof(double));
    D->Xt = malloc(c->n_test * c->d * sizeof(double));
    D->yt = malloc(c->n_test * sizeof(double));
    D->w_star = malloc(c->d * sizeof(double));
    D->lambda = malloc(c->d * sizeof(double));
    if (!D->X || !D->y || !D->Xt || !D->yt || !D->w_star || !D->lambda) {
        ts_linear_data_free(D);
        return ts_err_set(err, TS_ENOMEM, "linear: out of memory for n = %zu, n_test = %zu, d = %zu",
                          c->n, c->n_test, c->d);
    }
    ts_rng root, sx, st_, sn;
    st = ts_rng_init(&root, seed, task, replicate, TS_PURPOSE_DATA, err);
    if (!st) st = ts_rng_substream(&sx, &root, 0, err);
    if (!st) st = ts_rng_substream(&st_, &root, 1, err);
    if (!st) st = ts_rng_substream(&sn, &root, 3, err);
    if (!st) st = teacher(c, &root, D->w_star, err);
    if (st) {
        ts_linear_data_free(D);
        return st;
    }
    spectrum(c, D->lambda);
    design(&sx, c->n, c->d, D->lambda, D->X);
    design(&st_, c->n_test, c->d, D->lambda, D->Xt);
    ts_rng_normal_block(&sn, c->n, D->y);
    for (size_t i = 0; i < c->n; i++)
        D->y[i] = dot(D->X + i * c->d, D->w_star, c->d) + c->label_noise * D->y[i];
    for (size_t i = 0; i < c->n_test; i++) D->yt[i] = dot(D->Xt + i * c->d, D->w_star, c->d);
    *out = D;
    return TS_OK;
}
