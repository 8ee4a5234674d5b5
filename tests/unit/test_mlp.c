/* test_mlp.c: the GNI network library (ts_mlp.h) against an independent
 * double-precision reference (mlp_reference.h): gradients against central
 * finite differences for every activation x loss x noise placement, the
 * stacked M-sample pass against M separate passes, sigma2 = 0, determinism,
 * the explicit regulariser against a finite-difference Jacobian, evaluation,
 * learning, the float expm1 kernel, and bad configurations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_mlp.h"
#include "../../src/nn/ts_mlp_internal.h"
#include "mlp_reference.h"

static double lcg_u(uint64_t *s)   /* deterministic uniforms in [0, 1) for test data */
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) * 0x1p-53;
}

typedef struct {
    ts_mlp *net;
    ts_mlp_work *ws;
    float *x, *y;
    int32_t *label;
    size_t B;
} fixture;

/* A small net with He weights from a test stream and non-zero biases (so the
 * bias paths matter), and B random examples. */
static void fixture_make(fixture *f, const ts_mlp_config *cfg, size_t B, size_t max_rows, uint64_t seed)
{
    ts_err err = { 0 };
    assert_int_equal(ts_mlp_alloc(cfg, &f->net, &err), TS_OK);
    ts_rng r;
    assert_int_equal(ts_rng_init(&r, seed, 0, 0, TS_PURPOSE_TEST, &err), TS_OK);
    ts_mlp_init(f->net, &r);
    uint64_t s = seed * 7 + 1;
    for (size_t l = 0; l < f->net->n_layers; l++)
        for (size_t o = 0; o < f->net->rows[l]; o++)
            f->net->w[f->net->off_b[l] + o] = (float)(0.4 * (lcg_u(&s) - 0.5));
    assert_int_equal(ts_mlp_work_alloc(f->net, max_rows, &f->ws, &err), TS_OK);
    f->B = B;
    f->x = malloc(B * cfg->n_in * sizeof *f->x);
    f->y = malloc(B * cfg->n_out * sizeof *f->y);
    f->label = malloc(B * sizeof *f->label);
    for (size_t i = 0; i < B * cfg->n_in; i++) f->x[i] = (float)(2 * lcg_u(&s) - 1);
    for (size_t i = 0; i < B * cfg->n_out; i++) f->y[i] = (float)(2 * lcg_u(&s) - 1);
    for (size_t i = 0; i < B; i++) f->label[i] = (int32_t)(lcg_u(&s) * (double)cfg->n_out);
}

static void fixture_free(fixture *f)
{
    ts_mlp_work_free(f->ws);
    ts_mlp_free(f->net);
    free(f->x);
    free(f->y);
    free(f->label);
}

static ts_batch fixture_batch(const fixture *f)
{
    return (ts_batch){ .n = f->B, .x = f->x, .y = f->y, .label = f->label };
}

/* One gradient check. The analytic gradient is float32; the numeric one is a
 * central difference of the double reference with h = 1e-6 (truncation
 * ~h^2 f''' ~ 1e-12, rounding ~1e-16/h = 1e-10). Tolerance: 2e-4 times the
 * largest gradient component plus 1e-4 of each component: float32 rounding
 * in sums of at most ~20 terms across 3 layers stays below ~1e-5 relative,
 * while any wrong term (a missing noise factor, a transposed weight, a
 * wrong 1/(M B)) moves components by 10% or more. ReLU kinks are avoided by
 * skipping a parameter whose difference is asymmetric (one-sided slopes
 * differing by > 1e-3 relative): with random data that is rare and a
 * skipped parameter is counted, at most 2 per config. */
static void grad_check_b(const ts_mlp_config *cfg, const ts_noise_config *nz, size_t B, size_t M,
                         uint64_t seed)
{
    fixture f;
    fixture_make(&f, cfg, B, B * M, seed);
    ts_err err = { 0 };
    ts_rng r;
    assert_int_equal(ts_rng_init(&r, seed, 1, 0, TS_PURPOSE_NOISE, &err), TS_OK);
    assert_int_equal(ts_mlp_noise_draw(f.net, f.ws, nz, B, M, &r, &err), TS_OK);
    ts_batch b = fixture_batch(&f);
    size_t P = f.net->n_params;
    float *g = malloc(P * sizeof *g);
    double loss;
    ts_status st = ts_mlp_loss_grad(f.net, f.ws, &b, M, nz, g, &loss, &err);
    if (st) fail_msg("loss_grad: %s", err.msg);

    double *p = malloc(P * sizeof *p);
    for (size_t i = 0; i < P; i++) p[i] = f.net->w[i];
    float *noise[TS_MLP_MAX_HIDDEN + 1];
    for (size_t s = 0; s < ts_mlp_n_sites(f.net); s++) noise[s] = ts_mlp_noise_site(f.ws, s);
    double sg = (float)sqrt(nz->sigma2);
    double want = ref_objective(f.net, p, nz, sg, f.x, f.y, f.label, B, M, noise, NULL, NULL, NULL);
    assert_true(fabs(loss - want) <= 1e-5 * (1 + fabs(want)));

    /* the activations exposed after the pass are hidden layer 1's, per row */
    if (cfg->n_hidden > 0) {
        double *a1 = malloc(B * M * cfg->width[0] * sizeof *a1);
        ref_objective(f.net, p, nz, sg, f.x, f.y, f.label, B, M, noise, NULL, NULL, a1);
        const float *got = ts_mlp_activation(f.ws, 1);
        for (size_t i = 0; i < B * M * cfg->width[0]; i++)
            if (!(fabs(got[i] - a1[i]) <= 1e-5 * (1 + fabs(a1[i]))))
                fail_msg("act %d loss %d noise %d M %zu: activation %zu is %.9g, reference %.9g", cfg->act,
                         cfg->loss, nz->type, M, i, got[i], a1[i]);
        free(a1);
    }

    const double h = 1e-6;
    double *num = malloc(P * sizeof *num);
    double gmax = 0;
    int skipped = 0;
    for (size_t i = 0; i < P; i++) {
        double keep = p[i];
        p[i] = keep + h;
        double up = ref_objective(f.net, p, nz, sg, f.x, f.y, f.label, B, M, noise, NULL, NULL, NULL);
        p[i] = keep - h;
        double dn = ref_objective(f.net, p, nz, sg, f.x, f.y, f.label, B, M, noise, NULL, NULL, NULL);
        p[i] = keep;
        double right = (up - want) / h, left = (want - dn) / h;
        num[i] = (up - dn) / (2 * h);
        if (fabs(right - left) > 1e-3 * (1e-3 + fabs(num[i])) + 1e-4) {
            num[i] = NAN;   /* a ReLU kink inside [w - h, w + h] */
            skipped++;
            continue;
        }
        if (fabs(num[i]) > gmax) gmax = fabs(num[i]);
    }
    assert_true(skipped <= 2);
    assert_true(gmax > 1e-3);   /* the check is not vacuous */
    for (size_t i = 0; i < P; i++) {
        if (isnan(num[i])) continue;
        double tol = 2e-4 * gmax + 1e-4 * fabs(num[i]);
        if (!(fabs(g[i] - num[i]) <= tol))
            fail_msg("act %d loss %d noise %d input %d M %zu: param %zu grad %.9g, numeric %.9g (tol %.3g)",
                     cfg->act, cfg->loss, nz->type, nz->on_input, M, i, g[i], num[i], tol);
    }
    free(num);
    free(p);
    free(g);
    fixture_free(&f);
}

static void grad_check(const ts_mlp_config *cfg, const ts_noise_config *nz, size_t M, uint64_t seed)
{
    grad_check_b(cfg, nz, 4, M, seed);
}

static void test_gradients(void **state)
{
    (void)state;
    const ts_noise_config noises[] = {
        { TS_NOISE_NONE, 0.0, 0 },
        { TS_NOISE_ADD, 0.3, 1 },
        { TS_NOISE_ADD, 0.3, 0 },
        { TS_NOISE_MULT, 0.2, 1 },
        { TS_NOISE_MULT, 0.2, 0 },
    };
    uint64_t seed = 11;
    for (int act = 0; act < 3; act++)
        for (int loss = 0; loss < 2; loss++)
            for (size_t k = 0; k < sizeof noises / sizeof noises[0]; k++) {
                ts_mlp_config cfg = { .n_in = 3, .n_out = loss == TS_LOSS_XENT ? 3 : 2, .n_hidden = 2,
                                      .width = { 5, 4 }, .act = (ts_activation)act,
                                      .loss = (ts_loss)loss, .init = TS_INIT_HE };
                /* M = 1 and M = 3: the stacked copies, and (input off) the
                 * shared first layer whose dZ is summed over copies */
                grad_check(&cfg, &noises[k], 1, seed++);
                grad_check(&cfg, &noises[k], 3, seed++);
            }
    /* other depths: no hidden layer (a linear model), and three */
    ts_mlp_config lin = { .n_in = 4, .n_out = 2, .n_hidden = 0, .act = TS_ACT_TANH,
                          .loss = TS_LOSS_MSE, .init = TS_INIT_GLOROT };
    grad_check(&lin, &noises[1], 2, seed++);
    grad_check(&lin, &noises[4], 2, seed++);
    ts_mlp_config deep = { .n_in = 2, .n_out = 4, .n_hidden = 3, .width = { 6, 3, 5 },
                           .act = TS_ACT_ELU, .loss = TS_LOSS_XENT, .init = TS_INIT_GLOROT };
    grad_check(&deep, &noises[3], 2, seed++);
    grad_check(&deep, &noises[2], 2, seed++);
}

/* Passes longer than one chunk (TS_MLP_CHUNK = 256 rows): B = 100, M = 3 is
 * 300 rows, so the chunk boundary at row 256 falls inside copy 2 (example
 * 56), the weight gradients accumulate over two chunks, and with the input
 * noise off the summed dZ of layer 0 gathers rows from both chunks. Same
 * check and tolerance as above (float sums of 300 rows still stay ~1e-6
 * relative). */
static void test_gradients_chunks(void **state)
{
    (void)state;
    assert_true(300 > TS_MLP_CHUNK && 300 < 2 * TS_MLP_CHUNK);
    const ts_noise_config noises[] = {
        { TS_NOISE_ADD, 0.3, 1 }, { TS_NOISE_ADD, 0.3, 0 },
        { TS_NOISE_MULT, 0.2, 1 }, { TS_NOISE_MULT, 0.2, 0 },
    };
    for (size_t k = 0; k < 4; k++) {
        ts_mlp_config cfg = { .n_in = 3, .n_out = 3, .n_hidden = 2, .width = { 5, 4 },
                              .act = k % 2 ? TS_ACT_ELU : TS_ACT_TANH,
                              .loss = k < 2 ? TS_LOSS_MSE : TS_LOSS_XENT, .init = TS_INIT_HE };
        grad_check_b(&cfg, &noises[k], 100, 3, 100 + k);
    }
}

/* The stacked pass over M copies against the mean of M separate M = 1
 * passes, each given copy m's rows of the same noise blocks. The two differ
 * only in float summation order (rows summed inside one GEMM vs per copy
 * then averaged) and in the scale 1/(M B) vs 1/B then 1/M: a few float ulps
 * of the sums of |terms|. Bound: 1e-5 of the largest component (and 1e-6
 * relative on the loss, accumulated in double). */
static void m_sample_case(const ts_noise_config *nz)
{
    const size_t B = 5, M = 4;
    ts_mlp_config cfg = { .n_in = 3, .n_out = 2, .n_hidden = 2, .width = { 8, 8 },
                          .act = TS_ACT_ELU, .loss = TS_LOSS_MSE, .init = TS_INIT_HE };
    fixture f;
    fixture_make(&f, &cfg, B, B * M, 5);
    ts_err err = { 0 };
    ts_rng r;
    assert_int_equal(ts_rng_init(&r, 5, 0, 0, TS_PURPOSE_NOISE, &err), TS_OK);
    assert_int_equal(ts_mlp_noise_draw(f.net, f.ws, nz, B, M, &r, &err), TS_OK);
    size_t S = ts_mlp_n_sites(f.net), P = f.net->n_params;
    float *saved[TS_MLP_MAX_HIDDEN + 1] = { 0 };
    for (size_t s = 0; s < S; s++) {
        float *e = ts_mlp_noise_site(f.ws, s);
        assert_true((e != NULL) == (s > 0 || nz->on_input));
        if (!e) continue;
        size_t n = B * M * ts_mlp_site_width(f.net, s);
        saved[s] = malloc(n * sizeof(float));
        memcpy(saved[s], e, n * sizeof(float));
    }
    ts_batch b = fixture_batch(&f);
    float *G = malloc(P * sizeof *G), *g = malloc(P * sizeof *g);
    double *mean = calloc(P, sizeof *mean);
    double Lst, L1, Lmean = 0;
    assert_int_equal(ts_mlp_loss_grad(f.net, f.ws, &b, M, nz, G, &Lst, &err), TS_OK);
    for (size_t m = 0; m < M; m++) {
        assert_int_equal(ts_mlp_noise_draw(f.net, f.ws, nz, B, 1, &r, &err), TS_OK);
        for (size_t s = 0; s < S; s++) {
            if (!saved[s]) continue;
            size_t w = ts_mlp_site_width(f.net, s);
            memcpy(ts_mlp_noise_site(f.ws, s), saved[s] + m * B * w, B * w * sizeof(float));
        }
        assert_int_equal(ts_mlp_loss_grad(f.net, f.ws, &b, 1, nz, g, &L1, &err), TS_OK);
        Lmean += L1 / (double)M;
        for (size_t i = 0; i < P; i++) mean[i] += (double)g[i] / (double)M;
    }
    double gmax = 0, worst = 0, spread = 0;
    for (size_t i = 0; i < P; i++) gmax = fmax(gmax, fabs(mean[i]));
    for (size_t i = 0; i < P; i++) {
        worst = fmax(worst, fabs(G[i] - mean[i]));
        spread = fmax(spread, fabs((double)g[i] - mean[i]));   /* last copy vs the mean */
    }
    print_message("M-sample (noise %d, input %d): |stacked - mean of copies| <= %.3g of max %.3g\n",
                  nz->type, nz->on_input, worst, gmax);
    assert_true(worst <= 1e-5 * gmax);
    assert_true(fabs(Lst - Lmean) <= 1e-6 * Lmean);
    /* the copies really differ, so the equality is not trivial */
    assert_true(spread > 1e-3 * gmax);
    for (size_t s = 0; s < S; s++) free(saved[s]);
    free(G);
    free(g);
    free(mean);
    fixture_free(&f);
}

static void test_m_sample(void **state)
{
    (void)state;
    ts_noise_config add_in = { TS_NOISE_ADD, 0.1, 1 }, mult_hidden = { TS_NOISE_MULT, 0.1, 0 };
    m_sample_case(&add_in);
    m_sample_case(&mult_hidden);
}

/* sigma2 = 0 (or type none): noise is ignored, so the gradient is the clean
 * one bit for bit, for any M (a noise-free objective does not depend on M,
 * so the pass runs once; the implicit-effect noise is then exactly 0). */
static void test_sigma_zero(void **state)
{
    (void)state;
    const size_t B = 6;
    ts_mlp_config cfg = { .n_in = 2, .n_out = 3, .n_hidden = 2, .width = { 7, 7 },
                          .act = TS_ACT_TANH, .loss = TS_LOSS_XENT, .init = TS_INIT_GLOROT };
    fixture f;
    fixture_make(&f, &cfg, B, B * 8, 3);
    ts_err err = { 0 };
    ts_rng r;
    assert_int_equal(ts_rng_init(&r, 3, 0, 0, TS_PURPOSE_NOISE, &err), TS_OK);
    ts_batch b = fixture_batch(&f);
    size_t P = f.net->n_params;
    float *clean = malloc(P * sizeof *clean), *g = malloc(P * sizeof *g);
    ts_noise_config none = { TS_NOISE_NONE, 0.5, 1 }, zero_add = { TS_NOISE_ADD, 0.0, 1 },
                    zero_mult = { TS_NOISE_MULT, 0.0, 0 };
    double L0, L;
    assert_int_equal(ts_mlp_loss_grad(f.net, f.ws, &b, 1, &none, clean, &L0, &err), TS_OK);
    const ts_noise_config *cases[] = { &zero_add, &zero_mult, &none };
    for (size_t c = 0; c < 3; c++)
        for (size_t M = 1; M <= 8; M *= 8) {
            assert_int_equal(ts_mlp_noise_draw(f.net, f.ws, cases[c], B, M, &r, &err), TS_OK);
            assert_int_equal(ts_mlp_loss_grad(f.net, f.ws, &b, M, cases[c], g, &L, &err), TS_OK);
            assert_memory_equal(g, clean, P * sizeof *g);
            assert_true(L == L0);
        }
    free(clean);
    free(g);
    fixture_free(&f);
}

/* Training from a seed: init stream, noise stream, SGD. */
static void train(uint64_t seed, float *w_out, size_t P)
{
    const size_t B = 16, M = 2;
    ts_mlp_config cfg = { .n_in = 3, .n_out = 2, .n_hidden = 2, .width = { 16, 16 },
                          .act = TS_ACT_ELU, .loss = TS_LOSS_MSE, .init = TS_INIT_HE };
    fixture f;
    fixture_make(&f, &cfg, B, B * M, seed);
    assert_int_equal(f.net->n_params, P);
    ts_err err = { 0 };
    ts_rng r;
    assert_int_equal(ts_rng_init(&r, seed, 2, 0, TS_PURPOSE_NOISE, &err), TS_OK);
    ts_noise_config nz = { TS_NOISE_ADD, 0.1, 1 };
    ts_batch b = fixture_batch(&f);
    float *g = malloc(P * sizeof *g);
    for (int step = 0; step < 20; step++) {
        assert_int_equal(ts_mlp_noise_draw(f.net, f.ws, &nz, B, M, &r, &err), TS_OK);
        assert_int_equal(ts_mlp_loss_grad(f.net, f.ws, &b, M, &nz, g, NULL, &err), TS_OK);
        ts_mlp_sgd_step(f.net, g, 0.05f);
    }
    memcpy(w_out, f.net->w, P * sizeof *w_out);
    free(g);
    fixture_free(&f);
}

static void test_determinism(void **state)
{
    (void)state;
    const size_t P = (3 * 16 + 16) + (16 * 16 + 16) + (16 * 2 + 2);
    float *a = malloc(P * sizeof *a), *b = malloc(P * sizeof *b), *c = malloc(P * sizeof *c);
    train(42, a, P);
    train(42, b, P);
    train(43, c, P);
    assert_memory_equal(a, b, P * sizeof *a);
    assert_memory_not_equal(a, c, P * sizeof *a);
    free(a);
    free(b);
    free(c);
}

/* The explicit regulariser against d out / d h~_site by central differences
 * of the reference (h = 1e-5; the outputs are smooth for tanh and the
 * truncation is ~1e-10), summed as the formula says; float32 Jacobians give
 * ~1e-6 relative, so 1e-4 relative. A linear model gives the closed form
 * (sigma2/2) ||W||_F^2 (additive noise on the input). */
static void test_explicit_reg(void **state)
{
    (void)state;
    const size_t B = 3;
    ts_err err = { 0 };
    ts_mlp_config cfg = { .n_in = 2, .n_out = 2, .n_hidden = 2, .width = { 4, 3 },
                          .act = TS_ACT_TANH, .loss = TS_LOSS_MSE, .init = TS_INIT_HE };
    const ts_noise_config nzs[] = { { TS_NOISE_ADD, 0.3, 1 }, { TS_NOISE_MULT, 0.2, 0 } };
    for (int k = 0; k < 2; k++) {
        const ts_noise_config *nz = &nzs[k];
        fixture f;
        fixture_make(&f, &cfg, B, B, 9);
        ts_batch b = fixture_batch(&f);
        double reg;
        assert_int_equal(ts_mlp_explicit_reg(f.net, f.ws, &b, nz, &reg, &err), TS_OK);
        size_t P = f.net->n_params;
        double *p = malloc(P * sizeof *p), *o1 = malloc(B * 2 * sizeof *o1), *o2 = malloc(B * 2 * sizeof *o2);
        double *o0 = malloc(B * 2 * sizeof *o0), *a1 = malloc(B * 4 * sizeof *a1);
        for (size_t i = 0; i < P; i++) p[i] = f.net->w[i];
        ref_objective(f.net, p, NULL, 0, f.x, f.y, f.label, B, 1, NULL, NULL, o0, a1);
        double sum = 0, hstep = 1e-5;
        for (size_t s = 0; s < ts_mlp_n_sites(f.net); s++) {
            if (s == 0 && !nz->on_input) continue;
            for (size_t r = 0; r < B; r++)
                for (size_t j = 0; j < ts_mlp_site_width(f.net, s); j++) {
                    ref_pert up = { s, r, j, hstep }, dn = { s, r, j, -hstep };
                    ref_objective(f.net, p, NULL, 0, f.x, f.y, f.label, B, 1, NULL, &up, o1, NULL);
                    ref_objective(f.net, p, NULL, 0, f.x, f.y, f.label, B, 1, NULL, &dn, o2, NULL);
                    /* multiplicative noise perturbs h by h s z: scale by h */
                    double hv = 1;
                    if (nz->type == TS_NOISE_MULT) {
                        if (s == 0) hv = f.x[r * 2 + j];
                        else if (s == 1) hv = a1[r * 4 + j];
                        else {   /* layer 2's activation: recompute from the reference */
                            double z = p[f.net->off_b[1] + j];
                            for (size_t q = 0; q < 4; q++) z += p[f.net->off_w[1] + j * 4 + q] * a1[r * 4 + q];
                            hv = tanh(z);
                        }
                    }
                    for (size_t o = 0; o < 2; o++) {
                        double d = (o1[r * 2 + o] - o2[r * 2 + o]) / (2 * hstep) * hv;
                        sum += d * d;
                    }
                }
        }
        double want = 0.5 * nz->sigma2 * sum / (double)B;
        print_message("explicit reg (noise %d): %.9g, reference %.9g\n", nz->type, reg, want);
        assert_true(want > 1e-3);
        assert_true(fabs(reg - want) <= 1e-4 * want);
        free(p); free(o0); free(o1); free(o2); free(a1);
        fixture_free(&f);
    }
    /* closed form for a linear model */
    ts_mlp_config lin = { .n_in = 3, .n_out = 2, .n_hidden = 0, .act = TS_ACT_RELU,
                          .loss = TS_LOSS_MSE, .init = TS_INIT_HE };
    fixture f;
    fixture_make(&f, &lin, 4, 4, 2);
    ts_batch b = fixture_batch(&f);
    double reg, fro = 0;
    ts_noise_config nz = { TS_NOISE_ADD, 0.25, 1 };
    assert_int_equal(ts_mlp_explicit_reg(f.net, f.ws, &b, &nz, &reg, &err), TS_OK);
    for (size_t i = 0; i < 6; i++) fro += (double)f.net->w[i] * f.net->w[i];
    assert_true(fabs(reg - 0.125 * fro) <= 1e-6 * fro);
    nz.on_input = 0;   /* no hidden layers and no input noise: nothing injected */
    assert_int_equal(ts_mlp_explicit_reg(f.net, f.ws, &b, &nz, &reg, &err), TS_OK);
    assert_true(reg == 0.0);
    fixture_free(&f);
}

/* ts_mlp_evaluate in chunks (37 examples, a workspace of 8 rows) against the
 * reference's clean loss and arg-max accuracy. */
static void test_evaluate(void **state)
{
    (void)state;
    const size_t n = 37;
    ts_mlp_config cfg = { .n_in = 4, .n_out = 3, .n_hidden = 1, .width = { 6 },
                          .act = TS_ACT_RELU, .loss = TS_LOSS_XENT, .init = TS_INIT_HE };
    fixture f;
    fixture_make(&f, &cfg, n, 8, 17);
    ts_batch b = fixture_batch(&f);
    ts_err err = { 0 };
    double loss, acc;
    assert_int_equal(ts_mlp_evaluate(f.net, f.ws, &b, &loss, &acc, &err), TS_OK);
    size_t P = f.net->n_params;
    double *p = malloc(P * sizeof *p), *out = malloc(n * 3 * sizeof *out);
    for (size_t i = 0; i < P; i++) p[i] = f.net->w[i];
    double want = ref_objective(f.net, p, NULL, 0, f.x, f.y, f.label, n, 1, NULL, NULL, out, NULL);
    size_t right = 0;
    for (size_t i = 0; i < n; i++) {
        size_t arg = 0;
        for (size_t k = 1; k < 3; k++)
            if (out[i * 3 + k] > out[i * 3 + arg]) arg = k;
        right += arg == (size_t)f.label[i];
    }
    assert_true(fabs(loss - want) <= 1e-5 * want);
    assert_true(acc == (double)right / (double)n);
    free(p);
    free(out);
    fixture_free(&f);
}

/* Learning: full-batch SGD on y = sin(3 x) (64 points on [-1, 1]) with
 * additive noise lowers the clean loss by at least 5x in 400 steps (it
 * reaches ~20x here; the variance of y is ~0.45, so loss 0.22 at start). */
static void test_learning(void **state)
{
    (void)state;
    const size_t n = 64;
    ts_mlp_config cfg = { .n_in = 1, .n_out = 1, .n_hidden = 2, .width = { 32, 32 },
                          .act = TS_ACT_TANH, .loss = TS_LOSS_MSE, .init = TS_INIT_GLOROT };
    ts_err err = { 0 };
    ts_mlp *net;
    ts_mlp_work *ws;
    assert_int_equal(ts_mlp_alloc(&cfg, &net, &err), TS_OK);
    ts_rng ri, rn;
    assert_int_equal(ts_rng_init(&ri, 1, 0, 0, TS_PURPOSE_INIT, &err), TS_OK);
    assert_int_equal(ts_rng_init(&rn, 1, 0, 0, TS_PURPOSE_NOISE, &err), TS_OK);
    ts_mlp_init(net, &ri);
    assert_int_equal(ts_mlp_work_alloc(net, n, &ws, &err), TS_OK);
    float x[64], y[64];
    for (size_t i = 0; i < n; i++) {
        x[i] = -1.0f + 2.0f * (float)i / (float)(n - 1);
        y[i] = (float)sin(3.0 * x[i]);
    }
    ts_batch b = { .n = n, .x = x, .y = y };
    ts_noise_config nz = { TS_NOISE_ADD, 0.01, 0 };
    float *g = malloc(net->n_params * sizeof *g);
    double L0, L1;
    assert_int_equal(ts_mlp_evaluate(net, ws, &b, &L0, NULL, &err), TS_OK);
    for (int step = 0; step < 400; step++) {
        assert_int_equal(ts_mlp_noise_draw(net, ws, &nz, n, 1, &rn, &err), TS_OK);
        assert_int_equal(ts_mlp_loss_grad(net, ws, &b, 1, &nz, g, NULL, &err), TS_OK);
        ts_mlp_sgd_step(net, g, 0.2f);
    }
    assert_int_equal(ts_mlp_evaluate(net, ws, &b, &L1, NULL, &err), TS_OK);
    print_message("learning: clean loss %.4g -> %.4g\n", L0, L1);
    assert_true(L1 < L0 / 5);
    free(g);
    ts_mlp_work_free(ws);
    ts_mlp_free(net);
}

/* The float expm1 kernel (ELU, tanh) against double expm1 rounded to float:
 * within 2 ulp over [-100, 0], and exactly 0 at 0. */
static void test_expm1(void **state)
{
    (void)state;
    double worst = 0;
    for (int i = 0; i <= 2000000; i++) {
        float x = (float)(-100.0 * i / 2000000.0);
        if (i % 2) x = -ldexpf(1.0f, -(i % 60)) * (float)(1.0 + i * 1e-7);   /* tiny |x| too */
        float got = ts_mlp_expm1_neg(x);
        float want = (float)expm1((double)x);
        float ulp = nextafterf(fabsf(want), INFINITY) - fabsf(want);
        double e = fabs((double)got - (double)want) / ulp;
        if (e > worst) worst = e;
    }
    print_message("float expm1 worst error %.3f ulp\n", worst);
    assert_true(worst <= 2.0);
    assert_true(ts_mlp_expm1_neg(0.0f) == 0.0f);
    assert_true(ts_mlp_expm1_neg(-200.0f) == -1.0f);
    assert_true(ts_mlp_expm1_neg(-INFINITY) == -1.0f);
    assert_true(isnan(ts_mlp_expm1_neg(NAN)));
}

static void expect_msg(ts_status st, const ts_err *err, const char *needle)
{
    assert_int_equal(st, TS_EINVAL);
    if (!strstr(err->msg, needle)) fail_msg("message '%s' does not name '%s'", err->msg, needle);
}

static void test_bad_config(void **state)
{
    (void)state;
    ts_err err = { 0 };
    ts_mlp *net = NULL;
    ts_mlp_config ok = { .n_in = 2, .n_out = 2, .n_hidden = 2, .width = { 3, 3 },
                         .act = TS_ACT_RELU, .loss = TS_LOSS_MSE, .init = TS_INIT_HE };
    ts_mlp_config c = ok;
    c.width[1] = 0;
    expect_msg(ts_mlp_alloc(&c, &net, &err), &err, "width[1]");
    assert_null(net);
    c = ok; c.n_hidden = TS_MLP_MAX_HIDDEN + 1;
    expect_msg(ts_mlp_alloc(&c, &net, &err), &err, "n_hidden");
    c = ok; c.act = (ts_activation)7;
    expect_msg(ts_mlp_alloc(&c, &net, &err), &err, "act");
    c = ok; c.loss = (ts_loss)5;
    expect_msg(ts_mlp_alloc(&c, &net, &err), &err, "loss");
    c = ok; c.init = (ts_init)9;
    expect_msg(ts_mlp_alloc(&c, &net, &err), &err, "init");
    c = ok; c.n_in = 0;
    expect_msg(ts_mlp_alloc(&c, &net, &err), &err, "n_in");
    c = ok; c.loss = TS_LOSS_XENT; c.n_out = 1;
    expect_msg(ts_mlp_alloc(&c, &net, &err), &err, "n_out");

    ts_noise_config nz = { TS_NOISE_ADD, -0.1, 1 };
    expect_msg(ts_noise_config_check(&nz, &err), &err, "sigma2");
    nz.sigma2 = NAN;
    expect_msg(ts_noise_config_check(&nz, &err), &err, "sigma2");
    nz.sigma2 = INFINITY;
    expect_msg(ts_noise_config_check(&nz, &err), &err, "sigma2");
    nz = (ts_noise_config){ (ts_noise_type)4, 0.1, 1 };
    expect_msg(ts_noise_config_check(&nz, &err), &err, "type");
    nz = (ts_noise_config){ TS_NOISE_MULT, 0.1, 2 };
    expect_msg(ts_noise_config_check(&nz, &err), &err, "on_input");

    fixture f;
    fixture_make(&f, &ok, 4, 8, 1);
    ts_batch b = fixture_batch(&f);
    ts_rng r;
    assert_int_equal(ts_rng_init(&r, 1, 0, 0, TS_PURPOSE_NOISE, &err), TS_OK);
    float *g = malloc(f.net->n_params * sizeof *g);
    nz = (ts_noise_config){ TS_NOISE_ADD, 0.1, 1 };
    expect_msg(ts_mlp_noise_draw(f.net, f.ws, &nz, 4, 0, &r, &err), &err, "M");
    expect_msg(ts_mlp_loss_grad(f.net, f.ws, &b, 0, &nz, g, NULL, &err), &err, "M = 0");
    expect_msg(ts_mlp_noise_draw(f.net, f.ws, &nz, 4, 3, &r, &err), &err, "workspace");
    expect_msg(ts_mlp_loss_grad(f.net, f.ws, &b, 3, &nz, g, NULL, &err), &err, "workspace");
    /* noise drawn for fewer rows, or without the input site, than the pass needs */
    assert_int_equal(ts_mlp_noise_draw(f.net, f.ws, &nz, 4, 1, &r, &err), TS_OK);
    expect_msg(ts_mlp_loss_grad(f.net, f.ws, &b, 2, &nz, g, NULL, &err), &err, "noise");
    ts_noise_config hidden_only = { TS_NOISE_ADD, 0.1, 0 };
    assert_int_equal(ts_mlp_noise_draw(f.net, f.ws, &hidden_only, 4, 2, &r, &err), TS_OK);
    expect_msg(ts_mlp_loss_grad(f.net, f.ws, &b, 2, &nz, g, NULL, &err), &err, "site 0");
    nz.sigma2 = -1;
    expect_msg(ts_mlp_loss_grad(f.net, f.ws, &b, 1, &nz, g, NULL, &err), &err, "sigma2");
    b.y = NULL;
    nz.sigma2 = 0;
    expect_msg(ts_mlp_loss_grad(f.net, f.ws, &b, 1, &nz, g, NULL, &err), &err, "y");
    b = fixture_batch(&f);
    b.n = 0;
    expect_msg(ts_mlp_loss_grad(f.net, f.ws, &b, 1, &nz, g, NULL, &err), &err, "n = 0");
    ts_mlp_work *w2 = (ts_mlp_work *)&err;   /* must be reset to NULL */
    expect_msg(ts_mlp_work_alloc(f.net, 0, &w2, &err), &err, "max_rows");
    assert_null(w2);

    /* a workspace built for another shape */
    ts_mlp *other;
    ts_mlp_config oc = ok;
    oc.width[0] = 5;
    assert_int_equal(ts_mlp_alloc(&oc, &other, &err), TS_OK);
    b = fixture_batch(&f);
    expect_msg(ts_mlp_loss_grad(other, f.ws, &b, 1, &nz, NULL, NULL, &err), &err, "shape");
    ts_mlp_free(other);
    free(g);
    fixture_free(&f);

    /* labels out of range */
    ts_mlp_config xc = ok;
    xc.loss = TS_LOSS_XENT;
    fixture fx;
    fixture_make(&fx, &xc, 4, 4, 1);
    b = fixture_batch(&fx);
    fx.label[2] = 2;
    expect_msg(ts_mlp_loss_grad(fx.net, fx.ws, &b, 1, &nz, NULL, NULL, &err), &err, "label[2]");
    fx.label[2] = -1;
    expect_msg(ts_mlp_evaluate(fx.net, fx.ws, &b, NULL, NULL, &err), &err, "label[2]");
    fixture_free(&fx);
}

/* Blow-up is reported, not returned as NaN: huge weights overflow the output. */
static void test_blowup(void **state)
{
    (void)state;
    ts_mlp_config cfg = { .n_in = 2, .n_out = 1, .n_hidden = 1, .width = { 4 },
                          .act = TS_ACT_RELU, .loss = TS_LOSS_MSE, .init = TS_INIT_HE };
    fixture f;
    fixture_make(&f, &cfg, 4, 4, 1);
    for (size_t i = 0; i < f.net->n_params; i++) f.net->w[i] = 1e30f;
    ts_batch b = fixture_batch(&f);
    ts_noise_config nz = { TS_NOISE_NONE, 0, 0 };
    ts_err err = { 0 };
    double loss;
    assert_int_equal(ts_mlp_loss_grad(f.net, f.ws, &b, 1, &nz, NULL, &loss, &err), TS_ENUMERIC);
    assert_non_null(strstr(err.msg, "not finite"));
    assert_int_equal(ts_mlp_evaluate(f.net, f.ws, &b, &loss, NULL, &err), TS_ENUMERIC);
    fixture_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradients),
        cmocka_unit_test(test_gradients_chunks),
        cmocka_unit_test(test_m_sample),
        cmocka_unit_test(test_sigma_zero),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_explicit_reg),
        cmocka_unit_test(test_evaluate),
        cmocka_unit_test(test_learning),
        cmocka_unit_test(test_expm1),
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_blowup),
    };
    return cmocka_run_group_tests_name("mlp", tests, NULL, NULL);
}
