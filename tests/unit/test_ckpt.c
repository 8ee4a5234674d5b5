/* test_ckpt.c: task checkpoints.
 *  - the file (ts_ckpt_file.h): a round trip gives back the header and the
 *    state byte for byte; a flipped byte in the header or the state, a
 *    truncated file, a file that is not a checkpoint are found damaged;
 *    another job's, task's or kind's checkpoint is found foreign; a missing
 *    one is none; a writer killed (SIGKILL) at random moments in the middle
 *    of replacing a checkpoint leaves the old one or the new one, whole;
 *  - the kind's side (ts_ckpt.h): a state of another tag, sizes or length
 *    is refused with a message;
 *  - each kind that checkpoints (sde, linear, gni): a task stopped at random
 *    polls (twice, each time saving on the stop, as the runner does) and
 *    resumed from its state gives results bit-identical to an uninterrupted
 *    run. The stop points come from a fixed seed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tailsweep/ts_ckpt.h"
#include "tailsweep/ts_ckpt_file.h"
#include "tailsweep/ts_job.h"
#include "tailsweep/ts_kind.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/test_ckpt.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[600];
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    if (d) closedir(d);
    return rmdir(dir);
}

static ts_ckpt_info info_of(uint64_t job, uint64_t task, const char *kind)
{
    ts_ckpt_info i = { .job = job, .task = task, .done = 0.25, .saved_at = 1.7e9, .seconds = 12.5 };
    snprintf(i.kind, sizeof i.kind, "%s", kind);
    return i;
}

static void write_one(const char *path, size_t n, unsigned char fill)
{
    unsigned char *s = malloc(n);
    assert_non_null(s);
    memset(s, fill, n);
    ts_ckpt_info in = info_of(0xabcdef, 7, "sde");
    assert_int_equal(ts_ckpt_file_write(path, &in, s, n, NULL), TS_OK);
    free(s);
}

static void test_round_trip(void **state)
{
    (void)state;
    char path[600];
    ts_ckpt_file_path(dir, 7, path, sizeof path);
    unsigned char s[1000];
    for (size_t i = 0; i < sizeof s; i++) s[i] = (unsigned char)(i * 31 + 5);
    ts_ckpt_info in = info_of(0xabcdef, 7, "sde"), out;
    assert_int_equal(ts_ckpt_file_write(path, &in, s, sizeof s, NULL), TS_OK);
    void *back = NULL;
    ts_err e = { 0 };
    assert_int_equal(ts_ckpt_file_load(path, 0xabcdef, 7, "sde", &out, &back, &e), TS_CKPT_OK);
    assert_non_null(back);
    assert_memory_equal(back, s, sizeof s);
    assert_int_equal(out.state_len, sizeof s);
    assert_true(out.done == 0.25 && out.seconds == 12.5 && out.saved_at == 1.7e9);
    assert_string_equal(out.kind, "sde");
    free(back);
    /* the header alone, for status */
    assert_int_equal(ts_ckpt_file_peek(path, &out, &e), TS_CKPT_OK);
    assert_int_equal(out.task, 7);
    /* replaced in place: the second save is what is read */
    s[0] ^= 1;
    assert_int_equal(ts_ckpt_file_write(path, &in, s, sizeof s, NULL), TS_OK);
    assert_int_equal(ts_ckpt_file_load(path, 0xabcdef, 7, "sde", &out, &back, &e), TS_CKPT_OK);
    assert_memory_equal(back, s, sizeof s);
    free(back);
    /* an empty state is a state */
    assert_int_equal(ts_ckpt_file_write(path, &in, NULL, 0, NULL), TS_OK);
    assert_int_equal(ts_ckpt_file_load(path, 0xabcdef, 7, "sde", &out, &back, &e), TS_CKPT_OK);
    assert_int_equal(out.state_len, 0);
    free(back);
    unlink(path);
    assert_int_equal(ts_ckpt_file_load(path, 0xabcdef, 7, "sde", &out, &back, &e), TS_CKPT_NONE);
    assert_null(back);
}

static void flip_byte(const char *path, long at)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, at, SEEK_SET), 0);
    int c = fgetc(f);
    assert_true(c != EOF);
    assert_int_equal(fseek(f, at, SEEK_SET), 0);
    fputc(c ^ 0x10, f);
    fclose(f);
}

static void expect_verdict(const char *path, uint64_t job, uint64_t task, const char *kind, ts_ckpt_verdict want,
                           const char *word)
{
    ts_ckpt_info out;
    void *back = (void *)1;
    ts_err e = { 0 };
    assert_int_equal(ts_ckpt_file_load(path, job, task, kind, &out, &back, &e), want);
    assert_null(back);
    if (!strstr(e.msg, word)) fail_msg("message '%s' lacks '%s'", e.msg, word);
    assert_non_null(strstr(e.msg, path));
}

static void test_damaged(void **state)
{
    (void)state;
    char path[600];
    ts_ckpt_file_path(dir, 7, path, sizeof path);
    const long head = 96;
    /* a byte of the state, of each header field, of the magic */
    long at[] = { head + 0, head + 499, head + 999, 0, 8, 16, 24, 40, 56, 72, 80, 88 };
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        write_one(path, 1000, 0x5a);
        flip_byte(path, at[i]);
        expect_verdict(path, 0xabcdef, 7, "sde", TS_CKPT_DAMAGED, "damaged");
    }
    /* cut short: in the state, in the header, empty */
    long keep[] = { head + 999, head + 1, head, 50, 0 };
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        write_one(path, 1000, 0x5a);
        assert_int_equal(truncate(path, keep[i]), 0);
        expect_verdict(path, 0xabcdef, 7, "sde", TS_CKPT_DAMAGED, "damaged");
    }
    /* longer than its header says */
    write_one(path, 1000, 0x5a);
    FILE *f = fopen(path, "ab");
    fputs("x", f);
    fclose(f);
    expect_verdict(path, 0xabcdef, 7, "sde", TS_CKPT_DAMAGED, "damaged");
    /* not a checkpoint at all */
    f = fopen(path, "wb");
    for (int i = 0; i < 20; i++) fputs("kind: sde\nparams: {}\n", f);
    fclose(f);
    expect_verdict(path, 0xabcdef, 7, "sde", TS_CKPT_DAMAGED, "not a tailsweep checkpoint");
    unlink(path);
}

static void test_foreign(void **state)
{
    (void)state;
    char path[600];
    ts_ckpt_file_path(dir, 7, path, sizeof path);
    write_one(path, 100, 1);
    expect_verdict(path, 0xabcdee, 7, "sde", TS_CKPT_FOREIGN, "another job");
    expect_verdict(path, 0xabcdef, 8, "sde", TS_CKPT_FOREIGN, "not task 8");
    expect_verdict(path, 0xabcdef, 7, "linear", TS_CKPT_FOREIGN, "kind 'sde'");
    /* the file is untouched by a load: it is still whole for its own job */
    ts_ckpt_info out;
    void *back = NULL;
    assert_int_equal(ts_ckpt_file_load(path, 0xabcdef, 7, "sde", &out, &back, NULL), TS_CKPT_OK);
    free(back);
    unlink(path);
}

/* A child replaces one checkpoint over and over, each state 4 MiB of one
 * byte value (its generation); it is killed at a random moment. What is
 * left must load whole, with every byte the same: the old state or the
 * new one, never a mix or a torn file. 20 kills. */
static void test_atomic_under_kill(void **state)
{
    (void)state;
    char path[600];
    ts_ckpt_file_path(dir, 3, path, sizeof path);
    const size_t n = 4u << 20;
    write_one(path, n, 0);
    srand(20);
    for (int round = 0; round < 20; round++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            unsigned char *s = malloc(n);
            ts_ckpt_info in = info_of(0xabcdef, 7, "sde");
            for (unsigned g = 1;; g++) {
                memset(s, (int)(g & 0xff), n);
                if (ts_ckpt_file_write(path, &in, s, n, NULL)) _exit(1);
            }
        }
        struct timespec t = { 0, 1000000L * (5 + rand() % 60) };
        nanosleep(&t, NULL);
        kill(pid, SIGKILL);
        int ws;
        waitpid(pid, &ws, 0);
        assert_true(WIFSIGNALED(ws));
        ts_ckpt_info out;
        unsigned char *back = NULL;
        ts_err e = { 0 };
        ts_ckpt_verdict v = ts_ckpt_file_load(path, 0xabcdef, 7, "sde", &out, (void **)&back, &e);
        if (v != TS_CKPT_OK) fail_msg("round %d: %s", round, e.msg);
        assert_int_equal(out.state_len, n);
        for (size_t i = 1; i < n; i++)
            if (back[i] != back[0]) fail_msg("round %d: a torn state (byte %zu)", round, i);
        free(back);
    }
    /* what the kills left: temporary files (the runner removes them) and the checkpoint */
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && strcmp(e->d_name, "task-3.ckpt") != 0) assert_non_null(strstr(e->d_name, ".tmp."));
    closedir(d);
}

static void test_kind_refuses_other_states(void **state)
{
    (void)state;
    ts_ckpt ck;
    memset(&ck, 0, sizeof ck);
    ts_ckpt_buf *b = ts_ckpt_begin(&ck);
    ts_ckpt_put_tag(b, "sde/1");
    ts_ckpt_put_u64(b, 64);
    ck.state = b->data;
    ck.state_len = b->len;
    ts_ckpt_in in;
    ts_err e = { 0 };
    /* another tag */
    assert_int_equal(ts_ckpt_open(&ck, "linear/1", &in, &e), TS_EINVAL);
    assert_true(ck.rejected);
    assert_non_null(strstr(e.msg, "sde/1"));
    /* other sizes */
    ck.rejected = 0;
    assert_int_equal(ts_ckpt_open(&ck, "sde/1", &in, &e), TS_OK);
    assert_int_equal(ts_ckpt_expect(&ck, &in, 32, "chains", &e), TS_EINVAL);
    assert_non_null(strstr(e.msg, "chains = 64, this task 32"));
    /* shorter than the task reads */
    ck.rejected = 0;
    assert_int_equal(ts_ckpt_open(&ck, "sde/1", &in, &e), TS_OK);
    assert_int_equal(ts_ckpt_expect(&ck, &in, 64, "chains", &e), TS_OK);
    assert_int_equal(ts_ckpt_expect(&ck, &in, 1, "dim", &e), TS_EINVAL);
    assert_true(ck.rejected);
    /* longer */
    ck.rejected = 0;
    assert_int_equal(ts_ckpt_open(&ck, "sde/1", &in, &e), TS_OK);
    assert_int_equal(ts_ckpt_close(&ck, &in, &e), TS_EINVAL);
    assert_non_null(strstr(e.msg, "8 bytes more"));
    ts_ckpt_buf_free(&ck.buf);
}

/* ---- each kind: stop at random polls, resume, compare every bit --------- */

typedef struct {
    long polls, stop_at;      /* stop (and save) at this poll call; -1: never */
    ts_ckpt ck;
    unsigned char *saved;
    size_t saved_len;
    int saves;
} driver;

static int drive(void *v, double done)
{
    (void)done;
    driver *d = v;
    long k = d->polls++;
    return k == d->stop_at ? TS_POLL_STOP | TS_POLL_SAVE : 0;
}

static void keep(void *v, const ts_ckpt_buf *b, double done)
{
    driver *d = v;
    assert_true(done >= 0 && done <= 1);
    free(d->saved);
    d->saved = malloc(b->len ? b->len : 1);
    assert_non_null(d->saved);
    memcpy(d->saved, b->data, b->len);
    d->saved_len = b->len;
    d->saves++;
}

typedef struct {
    ts_job *job;
    ts_result_layout *l;
    size_t total;
} kind_case;

static void case_open(kind_case *c, const char *yaml)
{
    static const ts_kind *const kinds[] = { &ts_kind_sde, &ts_kind_linear, &ts_kind_gni, NULL };
    ts_err e = { 0 };
    if (ts_job_parse(yaml, strlen(yaml), "case.yaml", kinds, &c->job, &e)) fail_msg("%s", e.msg);
    ts_task t;
    assert_int_equal(ts_job_task(c->job, 0, &t, &e), TS_OK);
    assert_int_equal(ts_kind_layout(c->job->kind, &t.params, &c->l, &e), TS_OK);
    c->total = 0;
    for (size_t i = 0; i < c->l->n; i++) c->total += ts_result_size(&c->l->r[i]);
}

/* Run task 0 into buf; the driver decides where it stops. */
static ts_status case_run(kind_case *c, driver *d, double *buf, ts_task_status *status)
{
    ts_task t;
    ts_err e = { 0 };
    assert_int_equal(ts_job_task(c->job, 0, &t, &e), TS_OK);
    double *out[TS_MAX_RESULTS];
    size_t off = 0;
    for (size_t i = 0; i < c->l->n; i++) {
        out[i] = buf + off;
        off += ts_result_size(&c->l->r[i]);
    }
    memset(buf, 0, c->total * sizeof *buf);
    d->polls = 0;
    d->ck.save = keep;
    d->ck.ctx = d;
    t.poll = drive;
    t.poll_ctx = d;
    t.ckpt = &d->ck;
    ts_status st = c->job->kind->run(&t, c->l, out, status, &e);
    if (st && st != TS_ECANCEL) fail_msg("%s", e.msg);
    return st;
}

static void stop_resume_identical(const char *yaml, int rounds)
{
    kind_case c;
    case_open(&c, yaml);
    double *ref = malloc(c.total * sizeof *ref), *got = malloc(c.total * sizeof *got);
    assert_true(ref && got);
    driver d;
    memset(&d, 0, sizeof d);
    d.stop_at = -1;
    ts_task_status s_ref, s_got;
    assert_int_equal(case_run(&c, &d, ref, &s_ref), TS_OK);
    const long polls = d.polls;
    assert_true(polls >= 4);
    free(d.saved);
    srand(2026);
    for (int r = 0; r < rounds; r++) {
        memset(&d, 0, sizeof d);
        /* two stops: the second in the part the first resume runs */
        long a = 1 + rand() % (polls - 2);
        d.stop_at = a;
        assert_int_equal(case_run(&c, &d, got, &s_got), TS_ECANCEL);
        assert_int_equal(d.saves, 1);
        d.ck.state = d.saved;
        d.ck.state_len = d.saved_len;
        /* poll calls are counted afresh in a resumed run */
        d.stop_at = 1 + rand() % 3;
        unsigned char *first = d.saved;
        d.saved = NULL;
        ts_status st = case_run(&c, &d, got, &s_got);
        free(first);
        if (st == TS_ECANCEL) {
            d.ck.state = d.saved;
            d.ck.state_len = d.saved_len;
            d.stop_at = -1;
            first = d.saved;
            d.saved = NULL;
            st = case_run(&c, &d, got, &s_got);
            free(first);
        }
        assert_int_equal(st, TS_OK);
        assert_false(d.ck.rejected);
        assert_int_equal(s_got, s_ref);
        if (memcmp(ref, got, c.total * sizeof *ref) != 0) {
            size_t k = 0;
            while (memcmp(ref + k, got + k, sizeof *ref) == 0) k++;
            fail_msg("round %d (stop at poll %ld of %ld): value %zu differs: %.17g vs %.17g", r, a, polls, k,
                     ref[k], got[k]);
        }
        free(d.saved);
        ts_ckpt_buf_free(&d.ck.buf);
    }
    free(ref);
    free(got);
    ts_result_layout_free(c.l);
    ts_job_free(c.job);
}

/* Two coordinates, two basins watched, test functions, a decaying weighted
 * step, the implicit scheme: every part of the sde state is exercised. */
static void test_sde_resumes_bit_identical(void **state)
{
    (void)state;
    stop_resume_identical("kind: sde\nseed: 9\n"
                          "params: {potential: double_well, tilt: 0.1, dim: 2, alpha: 1.6, theta: 0.3, eps: 0.5,\n"
                          "  eta: 1.0e-2, gamma: 0.3, k0: 1000, steps: 12000, burnin: 500, thin: 3, chains: 20,\n"
                          "  scheme: implicit, grid_n: 64, test_functions: \"moment:1; moment:2; basin:0\"}\n",
                          6);
}

/* Fractional drift and the tamed scheme (a deterministic drift state). */
static void test_sde_fractional_resumes_bit_identical(void **state)
{
    (void)state;
    stop_resume_identical("kind: sde\nseed: 4\n"
                          "params: {alpha: 1.5, eta: 1.0e-3, steps: 5000, burnin: 100, chains: 9, scheme: tamed,\n"
                          "  drift: fractional, grid_n: 32}\n",
                          3);
}

/* Reshuffled epochs, added noise, clipping, a diagonal network. */
static void test_linear_resumes_bit_identical(void **state)
{
    (void)state;
    stop_resume_identical("kind: linear\nseed: 5\n"
                          "params: {model: dln, n: 40, d: 60, optimizer: sgd_noreplace, B: 7, sigma: 0.3, clip: 1,\n"
                          "  eta: 0.02, gamma: 0.5, k0: 500, steps: 6000, log_every: 250, burnin: 3000, thin: 2}\n",
                          6);
}

/* Minibatches (the epoch's permutation and the batch in hand), noisy_sgd,
 * noise injections, gradient-noise measurements and raw values. */
static void test_gni_resumes_bit_identical(void **state)
{
    (void)state;
    stop_resume_identical("kind: gni\nseed: 3\n"
                          "params: {data: toy, n_train: 40, n_test: 32, depth: 2, width: 8, noise: additive,\n"
                          "  sigma2: 0.1, M: 2, batch: 12, optimizer: noisy_sgd, grad_noise_std: 0.01, lr: 0.02,\n"
                          "  steps: 60, log_every: 10, gradnoise_every: 20, M_prime: 8, raw_steps: \"20, 40\"}\n",
                          5);
}

/* Mimic draws from the last measurement's fit: that too is state. */
static void test_gni_mimic_resumes_bit_identical(void **state)
{
    (void)state;
    stop_resume_identical("kind: gni\nseed: 8\n"
                          "params: {data: toy, n_train: 16, n_test: 32, depth: 2, width: 8, noise: additive,\n"
                          "  sigma2: 0.1, M: 1, batch: 0, mimic: gaussian, lr: 0.02, steps: 40, log_every: 10,\n"
                          "  M_prime: 8}\n",
                          4);
}

/* Mimic stable with fit mle on the table route and the training mean: each
 * layer's next fit starts from the last estimate, which the state carries
 * (without it the resumed fits would start cold and differ in the last
 * bits). */
static void test_gni_mle_mimic_resumes_bit_identical(void **state)
{
    (void)state;
    stop_resume_identical("kind: gni\nseed: 5\n"
                          "params: {data: toy, n_train: 16, n_test: 32, depth: 2, width: 8, noise: additive,\n"
                          "  sigma2: 0.1, M: 4, batch: 0, mimic: stable, mimic_mean: training, fit: mle,\n"
                          "  mle_route: table, mle_max: 64, lr: 0.02, steps: 40, log_every: 10, M_prime: 8}\n",
                          4);
}

/* A convolutional network on Fashion-MNIST images trained on L + R: the
 * convolution weights are part of the one parameter vector the state saves. */
static void test_gni_cnn_resumes_bit_identical(void **state)
{
    (void)state;
    stop_resume_identical("kind: gni\nseed: 2\n"
                          "params: {data: fashion_mnist, arch: cnn, conv: \"2,3\", kernel: 3, depth: 1, width: 8,\n"
                          "  n_train: 64, n_test: 32, n_eval: 32, batch: 16, objective: explicit_reg, lr: 0.02,\n"
                          "  steps: 30, log_every: 10, gradnoise_every: 10, M_prime: 2}\n",
                          3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_foreign),
        cmocka_unit_test(test_atomic_under_kill),
        cmocka_unit_test(test_kind_refuses_other_states),
        cmocka_unit_test(test_sde_resumes_bit_identical),
        cmocka_unit_test(test_sde_fractional_resumes_bit_identical),
        cmocka_unit_test(test_linear_resumes_bit_identical),
        cmocka_unit_test(test_gni_resumes_bit_identical),
        cmocka_unit_test(test_gni_mimic_resumes_bit_identical),
        cmocka_unit_test(test_gni_mle_mimic_resumes_bit_identical),
        cmocka_unit_test(test_gni_cnn_resumes_bit_identical),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
