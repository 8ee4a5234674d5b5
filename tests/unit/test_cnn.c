/* test_cnn.c: the convolutional GNI network (ts_cnn.h) and the network
 * interface (ts_net.h): the gradient of L + R (the explicit regulariser's
 * objective) against central finite differences, the stacked M-sample pass
 * against M separate passes, noise-free passes for any M, independence from
 * the workspace size, evaluation, the MLP's R on the CNN engine against
 * ts_mlp_explicit_reg, oneDNN's pooling implementations agreeing bit for bit
 * on tied windows, and bad configurations. Gradients against torch:
 * tests/oracle/cnn_torch.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dnnl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_cnn.h"
#include "tailsweep/ts_net.h"

static double lcg_u(uint64_t *s)   /* deterministic uniforms in [0, 1) for test data */
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) * 0x1p-53;
}

typedef struct {
    ts_cnn *net;
    ts_cnn_work *ws;
    float *x, *y;
    int32_t *label;
    size_t B;
} fixture;

static ts_cnn_config small_config(ts_loss loss, ts_activation act)
{
    ts_cnn_config c = { .in_h = 6, .in_w = 6, .in_c = 2, .n_conv = 2, .channels = { 3, 4 }, .kernel = 3,
                        .n_dense = 1, .width = { 5 }, .n_out = 3, .act = act, .loss = loss, .init = TS_INIT_HE };
    return c;
}

/* He weights from a test stream, non-zero biases, B random images. */
static void fixture_make(fixture *f, const ts_cnn_config *cfg, size_t B, size_t max_rows, uint64_t seed)
{
    ts_err err = { 0 };
    assert_int_equal(ts_cnn_alloc(cfg, &f->net, &err), TS_OK);
    ts_rng r;
    assert_int_equal(ts_rng_init(&r, seed, 0, 0, TS_PURPOSE_TEST, &err), TS_OK);
    ts_cnn_init(f->net, &r);
    uint64_t s = seed * 7 + 1;
    for (size_t l = 0; l < f->net->n_layers; l++)
        for (size_t o = 0; o < f->net->rows[l]; o++)
            f->net->w[f->net->off_b[l] + o] = (float)(0.4 * (lcg_u(&s) - 0.5));
    assert_int_equal(ts_cnn_work_alloc(f->net, max_rows, &f->ws, &err), TS_OK);
    size_t d = f->net->site_size[0];
    f->B = B;
    f->x = malloc(B * d * sizeof *f->x);
    f->y = malloc(B * cfg->n_out * sizeof *f->y);
    f->label = malloc(B * sizeof *f->label);
    for (size_t i = 0; i < B * d; i++) f->x[i] = (float)(2 * lcg_u(&s) - 1);
    for (size_t i = 0; i < B * cfg->n_out; i++) f->y[i] = (float)(2 * lcg_u(&s) - 1);
    for (size_t i = 0; i < B; i++) f->label[i] = (int32_t)(lcg_u(&s) * (double)cfg->n_out);
}

static ts_batch fixture_batch(const fixture *f)
{
    return (ts_batch){ .n = f->B, .x = f->x, .y = f->y, .label = f->label };
}

static void fixture_free(fixture *f)
{
    ts_cnn_work_free(f->ws);
    ts_cnn_free(f->net);
    free(f->x);
    free(f->y);
    free(f->label);
}

static double objective(fixture *f, const ts_batch *b, const ts_noise_config *nz)
{
    double L, R;
    ts_err err = { 0 };
    assert_int_equal(ts_cnn_reg_loss_grad(f->net, f->ws, b, nz, NULL, &L, &R, &err), TS_OK);
    return L + R;
}

/* The gradient of L + R against central differences of the float network,
 * for every activation, loss and noise type, at every parameter of a small
 * net. Step h = 2e-3: truncation ~h^2 |f'''| ~1e-6, float rounding of the
 * objective ~3e-7 / h ~2e-4; the tolerance, 2e-3 of the largest component
 * plus 2% of each, is an order above both, and a dropped act'' term or a
 * mis-routed pooling adjoint moves components by tens of percent.
 * Max-pooling (and ReLU) make the objective piecewise smooth: a step that
 * moves a window's maximum to another element changes the slope, so a
 * parameter whose two one-sided quotients disagree by more than the
 * tolerance is skipped; at most 10% may be, or the test fails. */
static void test_reg_grad_finite_differences(void **state)
{
    (void)state;
    const ts_activation acts[] = { TS_ACT_ELU, TS_ACT_TANH, TS_ACT_RELU };
    const ts_loss losses[] = { TS_LOSS_XENT, TS_LOSS_MSE };
    const ts_noise_type types[] = { TS_NOISE_ADD, TS_NOISE_MULT };
    int cases = 0;
    for (size_t a = 0; a < 3; a++)
        for (size_t lo = 0; lo < 2; lo++)
            for (size_t t = 0; t < 2; t++) {
                ts_cnn_config cfg = small_config(losses[lo], acts[a]);
                fixture f;
                fixture_make(&f, &cfg, 5, 5, 11 + a * 4 + lo * 2 + t);
                ts_batch b = fixture_batch(&f);
                ts_noise_config nz = { types[t], 0.3, (int)((a + t) % 2) };
                const size_t np = f.net->n_params;
                float *g = malloc(np * sizeof *g);
                ts_err err = { 0 };
                double L, R;
                assert_int_equal(ts_cnn_reg_loss_grad(f.net, f.ws, &b, &nz, g, &L, &R, &err), TS_OK);
                assert_true(R > 0);
                double gmax = 0, mid = L + R;
                for (size_t i = 0; i < np; i++) gmax = fmax(gmax, fabs(g[i]));
                size_t skipped = 0;
                for (size_t i = 0; i < np; i++) {
                    float w0 = f.net->w[i];
                    const float h = 2e-3f;
                    f.net->w[i] = w0 + h;
                    double up = objective(&f, &b, &nz);
                    f.net->w[i] = w0 - h;
                    double dn = objective(&f, &b, &nz);
                    f.net->w[i] = w0;
                    double fd = (up - dn) / (2.0 * (double)h), tol = 2e-3 * gmax + 0.02 * fabs(fd);
                    if (fabs((up - mid) - (mid - dn)) / (double)h > tol) {
                        skipped++;
                        continue;
                    }
                    if (fabs(fd - g[i]) > tol)
                        fail_msg("act %zu loss %zu noise %zu: d(L+R)/dw[%zu] = %g, finite difference %g (max %g)", a,
                                 lo, t, i, (double)g[i], fd, gmax);
                }
                if (skipped * 10 > np)
                    fail_msg("act %zu loss %zu noise %zu: %zu of %zu parameters at kinks", a, lo, t, skipped, np);
                cases++;
                free(g);
                fixture_free(&f);
            }
    assert_int_equal(cases, 12);
}

/* The stacked M-sample gradient equals the mean of M passes of one copy on
 * the same draws (rearranged), to float rounding. */
static void test_m_sample(void **state)
{
    (void)state;
    ts_cnn_config cfg = small_config(TS_LOSS_XENT, TS_ACT_ELU);
    const size_t B = 4, M = 3;
    fixture f;
    fixture_make(&f, &cfg, B, B * M, 3);
    ts_batch b = fixture_batch(&f);
    ts_noise_config nz = { TS_NOISE_MULT, 0.2, 1 };
    ts_rng r;
    ts_err err = { 0 };
    assert_int_equal(ts_rng_init(&r, 5, 0, 0, TS_PURPOSE_TEST, &err), TS_OK);
    assert_int_equal(ts_cnn_noise_draw(f.net, f.ws, &nz, B, M, &r, &err), TS_OK);
    const size_t S = f.net->n_sites, np = f.net->n_params;
    float *saved[TS_CNN_MAX_SITES];
    for (size_t s = 0; s < S; s++) {
        size_t n = B * M * f.net->site_size[s];
        saved[s] = malloc(n * sizeof(float));
        memcpy(saved[s], ts_cnn_noise_site(f.ws, s), n * sizeof(float));
    }
    float *gs = malloc(np * sizeof *gs), *g1 = malloc(np * sizeof *g1);
    double *mean = calloc(np, sizeof *mean), Ls, L1, Lm = 0;
    assert_int_equal(ts_cnn_loss_grad(f.net, f.ws, &b, M, &nz, gs, &Ls, &err), TS_OK);
    for (size_t m = 0; m < M; m++) {
        for (size_t s = 0; s < S; s++) {
            size_t w = f.net->site_size[s];
            memcpy(ts_cnn_noise_site(f.ws, s), saved[s] + m * B * w, B * w * sizeof(float));
        }
        assert_int_equal(ts_cnn_loss_grad(f.net, f.ws, &b, 1, &nz, g1, &L1, &err), TS_OK);
        Lm += L1 / (double)M;
        for (size_t i = 0; i < np; i++) mean[i] += (double)g1[i] / (double)M;
    }
    assert_true(fabs(Ls - Lm) <= 1e-6 * fabs(Lm));
    double gmax = 0;
    for (size_t i = 0; i < np; i++) gmax = fmax(gmax, fabs(mean[i]));
    for (size_t i = 0; i < np; i++)
        if (fabs(gs[i] - mean[i]) > 1e-6 * gmax) fail_msg("stacked %g vs mean of copies %g at %zu", (double)gs[i], mean[i], i);
    for (size_t s = 0; s < S; s++) free(saved[s]);
    free(gs);
    free(g1);
    free(mean);
    fixture_free(&f);
}

/* Without noise the gradient is the same bits for any M; the result does
 * not depend on the workspace size (chunks are a constant: 70 images run
 * as 64 + 6 in both). Evaluation gives the clean loss. */
static void test_noise_free_and_workspace(void **state)
{
    (void)state;
    ts_cnn_config cfg = small_config(TS_LOSS_XENT, TS_ACT_TANH);
    fixture f, big;
    fixture_make(&f, &cfg, 70, 70 * 4, 9);
    fixture_make(&big, &cfg, 70, 70 * 9, 9);
    ts_batch b = fixture_batch(&f);
    ts_noise_config none = { TS_NOISE_NONE, 0, 0 }, zero = { TS_NOISE_ADD, 0, 1 };
    const size_t np = f.net->n_params;
    float *g1 = malloc(np * sizeof *g1), *g4 = malloc(np * sizeof *g4), *gb = malloc(np * sizeof *gb);
    double L1, L4, Lb, Le, acc;
    ts_err err = { 0 };
    assert_int_equal(ts_cnn_loss_grad(f.net, f.ws, &b, 1, &none, g1, &L1, &err), TS_OK);
    assert_int_equal(ts_cnn_loss_grad(f.net, f.ws, &b, 4, &zero, g4, &L4, &err), TS_OK);
    assert_int_equal(ts_cnn_loss_grad(big.net, big.ws, &b, 1, &none, gb, &Lb, &err), TS_OK);
    assert_true(L1 == L4 && L1 == Lb);
    assert_memory_equal(g1, g4, np * sizeof *g1);
    assert_memory_equal(g1, gb, np * sizeof *g1);
    assert_int_equal(ts_cnn_evaluate(f.net, f.ws, &b, &Le, &acc, &err), TS_OK);
    assert_true(fabs(Le - L1) <= 1e-12 * L1);
    assert_true(acc >= 0 && acc <= 1);
    /* too many rows for the workspace, and noise not drawn */
    ts_noise_config add = { TS_NOISE_ADD, 0.1, 1 };
    assert_int_equal(ts_cnn_loss_grad(f.net, f.ws, &b, 5, &add, g1, &L1, &err), TS_EINVAL);
    assert_int_equal(ts_cnn_loss_grad(f.net, f.ws, &b, 2, &add, g1, &L1, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "noise"));
    free(g1);
    free(g4);
    free(gb);
    fixture_free(&f);
    fixture_free(&big);
}

/* The MLP's R on the CNN engine (ts_net) equals ts_mlp_explicit_reg, the
 * MLP's own closed form, for MSE (where the two define the same R). */
static void test_mlp_reg_on_cnn_engine(void **state)
{
    (void)state;
    ts_net_config nc = { .arch = TS_ARCH_MLP,
                         .mlp = { .n_in = 3, .n_out = 2, .n_hidden = 2, .width = { 7, 5 }, .act = TS_ACT_ELU,
                                  .loss = TS_LOSS_MSE, .init = TS_INIT_HE } };
    ts_net *net;
    ts_net_work *ws;
    ts_err err = { 0 };
    ts_rng r;
    assert_int_equal(ts_net_alloc(&nc, &net, &err), TS_OK);
    assert_int_equal(ts_rng_init(&r, 4, 0, 0, TS_PURPOSE_TEST, &err), TS_OK);
    ts_net_init(net, &r);
    assert_int_equal(ts_net_work_alloc(net, 16, &ws, &err), TS_OK);
    uint64_t s = 3;
    float x[16 * 3], y[16 * 2];
    for (size_t i = 0; i < 48; i++) x[i] = (float)(2 * lcg_u(&s) - 1);
    for (size_t i = 0; i < 32; i++) y[i] = (float)(2 * lcg_u(&s) - 1);
    ts_batch b = { .n = 16, .x = x, .y = y };
    for (int t = 1; t <= 2; t++) {
        ts_noise_config nz = { (ts_noise_type)t, 0.2, t == 1 };
        double r_net, r_mlp;
        assert_int_equal(ts_net_explicit_reg(net, ws, &b, &nz, &r_net, &err), TS_OK);
        ts_mlp_work *mw;
        assert_int_equal(ts_mlp_work_alloc(net->mlp, 16, &mw, &err), TS_OK);
        assert_int_equal(ts_mlp_explicit_reg(net->mlp, mw, &b, &nz, &r_mlp, &err), TS_OK);
        ts_mlp_work_free(mw);
        if (!(r_mlp > 0 && fabs(r_net - r_mlp) <= 1e-5 * r_mlp)) fail_msg("noise %d: R %g (ts_net) vs %g (ts_mlp)", t, r_net, r_mlp);
    }
    ts_net_work_free(ws);
    ts_net_free(net);
}

/* Every pooling implementation oneDNN offers for the network's layout gives
 * the same bits, forward and backward, on windows full of ties (the
 * network times them and keeps the fastest, ts_cnn_prims.c). */
static void test_pooling_implementations_agree(void **state)
{
    (void)state;
    ts_err err = { 0 };
    ts_cnn *net;
    ts_cnn_work *ws;
    ts_cnn_config cfg = small_config(TS_LOSS_XENT, TS_ACT_RELU);
    assert_int_equal(ts_cnn_alloc(&cfg, &net, &err), TS_OK);
    assert_int_equal(ts_cnn_work_alloc(net, 4, &ws, &err), TS_OK);   /* creates the engine */
    dnnl_engine_t eng;
    dnnl_stream_t strm;
    assert_int_equal(dnnl_engine_create(&eng, dnnl_cpu, 0), dnnl_success);
    assert_int_equal(dnnl_stream_create(&strm, eng, dnnl_stream_default_flags), dnnl_success);
    const size_t N = 3, C = 5, H = 7, W = 6, Ho = 3, Wo = 3, nin = N * C * H * W, nout = N * C * Ho * Wo;
    dnnl_dims_t sd = { N, C, H, W }, dd = { N, C, Ho, Wo }, two = { 2, 2 }, zero = { 0, 0 };
    dnnl_memory_desc_t src, dst;
    dnnl_memory_desc_init_by_tag(&src, 4, sd, dnnl_f32, dnnl_nhwc);
    dnnl_memory_desc_init_by_tag(&dst, 4, dd, dnnl_f32, dnnl_nhwc);
    dnnl_pooling_v2_desc_t pf, pb;
    dnnl_pooling_v2_forward_desc_init(&pf, dnnl_forward_training, dnnl_pooling_max, &src, &dst, two, two, zero, zero, zero);
    dnnl_pooling_v2_backward_desc_init(&pb, dnnl_pooling_max, &src, &dst, two, two, zero, zero, zero);
    float *x = malloc(nin * sizeof *x), *dy = malloc(nout * sizeof *dy), *ref_y = malloc(nout * sizeof *ref_y);
    float *ref_dx = malloc(nin * sizeof *ref_dx), *y = malloc(nout * sizeof *y), *dx = malloc(nin * sizeof *dx);
    uint64_t s = 1;
    for (size_t i = 0; i < nin; i++) x[i] = (float)(int)(3 * lcg_u(&s));   /* 0, 1, 2: ties everywhere */
    for (size_t i = 0; i < nout; i++) dy[i] = (float)(1 + i);
    dnnl_primitive_desc_iterator_t it;
    assert_int_equal(dnnl_primitive_desc_iterator_create(&it, &pf, NULL, eng, NULL), dnnl_success);
    int n_impl = 0;
    do {
        dnnl_primitive_desc_t fpd = dnnl_primitive_desc_iterator_fetch(it);
        dnnl_primitive_t fp, bp;
        dnnl_primitive_desc_t bpd;
        assert_int_equal(dnnl_primitive_create(&fp, fpd), dnnl_success);
        assert_int_equal(dnnl_primitive_desc_create(&bpd, &pb, NULL, eng, fpd), dnnl_success);
        assert_int_equal(dnnl_primitive_create(&bp, bpd), dnnl_success);
        dnnl_memory_t mx, my, mdx, mdy, mws;
        dnnl_memory_create(&mx, &src, eng, x);
        dnnl_memory_create(&my, &dst, eng, y);
        dnnl_memory_create(&mdx, &src, eng, dx);
        dnnl_memory_create(&mdy, &dst, eng, dy);
        dnnl_memory_create(&mws, dnnl_primitive_desc_query_md(fpd, dnnl_query_workspace_md, 0), eng, DNNL_MEMORY_ALLOCATE);
        dnnl_exec_arg_t af[] = { { DNNL_ARG_SRC, mx }, { DNNL_ARG_DST, my }, { DNNL_ARG_WORKSPACE, mws } };
        dnnl_exec_arg_t ab[] = { { DNNL_ARG_DIFF_DST, mdy }, { DNNL_ARG_DIFF_SRC, mdx }, { DNNL_ARG_WORKSPACE, mws } };
        assert_int_equal(dnnl_primitive_execute(fp, strm, 3, af), dnnl_success);
        assert_int_equal(dnnl_primitive_execute(bp, strm, 3, ab), dnnl_success);
        dnnl_stream_wait(strm);
        if (n_impl++ == 0) {
            memcpy(ref_y, y, nout * sizeof *y);
            memcpy(ref_dx, dx, nin * sizeof *dx);
        } else {
            assert_memory_equal(ref_y, y, nout * sizeof *y);
            assert_memory_equal(ref_dx, dx, nin * sizeof *dx);
        }
        /* the gradient goes to the first maximum of each window, row-major */
        for (size_t i = 0; i < N; i++)
            for (size_t a = 0; a < Ho; a++)
                for (size_t bb = 0; bb < Wo; bb++)
                    for (size_t c = 0; c < C; c++) {
                        size_t best = 0;
                        float m = -1;
                        for (size_t q = 0; q < 4; q++) {
                            size_t at = ((i * H + 2 * a + q / 2) * W + 2 * bb + q % 2) * C + c;
                            if (x[at] > m) {
                                m = x[at];
                                best = at;
                            }
                        }
                        assert_true(dx[best] == dy[((i * Ho + a) * Wo + bb) * C + c]);
                    }
        dnnl_memory_t ms[] = { mx, my, mdx, mdy, mws };
        for (size_t k = 0; k < 5; k++) dnnl_memory_destroy(ms[k]);
        dnnl_primitive_destroy(fp);
        dnnl_primitive_destroy(bp);
        dnnl_primitive_desc_destroy(bpd);
        dnnl_primitive_desc_destroy(fpd);
    } while (dnnl_primitive_desc_iterator_next(it) == dnnl_success);
    dnnl_primitive_desc_iterator_destroy(it);
    assert_true(n_impl >= 2);
    free(x);
    free(dy);
    free(ref_y);
    free(ref_dx);
    free(y);
    free(dx);
    dnnl_stream_destroy(strm);
    dnnl_engine_destroy(eng);
    ts_cnn_work_free(ws);
    ts_cnn_free(net);
}

static void test_bad_config(void **state)
{
    (void)state;
    ts_err err = { 0 };
    ts_cnn_config c = small_config(TS_LOSS_XENT, TS_ACT_ELU);
    assert_int_equal(ts_cnn_parse_channels("32,64", "conv", &c, &err), TS_OK);
    assert_int_equal(c.n_conv, 2);
    assert_true(c.channels[0] == 32 && c.channels[1] == 64);
    assert_int_equal(ts_cnn_parse_channels(" 8 , 16 ,4", "conv", &c, &err), TS_OK);
    assert_int_equal(c.n_conv, 3);
    const char *bad[] = { "", "a", "32,,64", "0", "32,", "1,2,3,4,5,6,7,8,9", "5000" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(ts_cnn_parse_channels(bad[i], "conv", &c, &err), TS_EINVAL);
        assert_non_null(strstr(err.msg, "'conv'"));
    }
    ts_cnn *net = NULL;
    c = small_config(TS_LOSS_XENT, TS_ACT_ELU);
    c.n_conv = 3;   /* 6 x 6 -> 3 x 3 -> 1 x 1: no third block */
    c.channels[2] = 2;
    assert_int_equal(ts_cnn_alloc(&c, &net, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "block 3"));
    c = small_config(TS_LOSS_XENT, TS_ACT_ELU);
    c.kernel = 0;
    assert_int_equal(ts_cnn_alloc(&c, &net, &err), TS_EINVAL);
    c = small_config(TS_LOSS_XENT, TS_ACT_ELU);
    c.n_out = 1;
    assert_int_equal(ts_cnn_alloc(&c, &net, &err), TS_EINVAL);
    assert_null(net);
    ts_net_config nc = { .arch = TS_ARCH_CNN, .mlp = { .n_in = 36, .n_out = 3, .act = TS_ACT_ELU }, .in_h = 6,
                         .in_w = 6, .in_c = 1, .kernel = 3 };
    ts_net *tn = NULL;
    assert_int_equal(ts_net_alloc(&nc, &tn, &err), TS_EINVAL);   /* a CNN without blocks */
    assert_null(tn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reg_grad_finite_differences),
        cmocka_unit_test(test_m_sample),
        cmocka_unit_test(test_noise_free_and_workspace),
        cmocka_unit_test(test_mlp_reg_on_cnn_engine),
        cmocka_unit_test(test_pooling_implementations_agree),
        cmocka_unit_test(test_bad_config),
    };
    return cmocka_run_group_tests_name("cnn", tests, NULL, NULL);
}
