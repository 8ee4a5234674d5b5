/* test_job.c: job files and the grid: a full job parsed to exact values,
 * numpy-compatible ranges, grid order and task numbering, and one test per
 * class of error, each checking the line and the key the message names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tailsweep/ts_job.h"

/* ---- a small kind, private to these tests ----------------------------- */

static const char *const potentials[] = { "quartic", "double_well", "flat", NULL };

static const ts_param_spec toy_params[] = {
    { "alpha", TS_PARAM_REAL, 0, 2, 1, "1.5", NULL, "", "tail index", 0 },
    { "theta", TS_PARAM_REAL, -10, 10, 0, "0", NULL, "", "shift", 0 },
    { "eta", TS_PARAM_REAL, 0, INFINITY, 1, NULL, NULL, "", "step size (required)", 0 },
    { "steps", TS_PARAM_INT, 1, 1e9, 0, "1000", NULL, "", "iterations", 0 },
    { "potential", TS_PARAM_CHOICE, 0, 0, 0, "quartic", potentials, "", "potential", 0 },
    { "beta", TS_PARAM_REAL, -1, 1, 0, "0", NULL, "", "skewness", 0 },
    { "gamma", TS_PARAM_REAL, 0, INFINITY, 0, "0", NULL, "", "friction", 0 },
    { "n_grid", TS_PARAM_INT, 8, 4096, 0, "64", NULL, "", "density grid size", TS_PARAM_FIXED },
    { "data_dir", TS_PARAM_STRING, 0, 0, 0, "", NULL, "", "a folder", 0 },
};

static ts_status toy_validate(const ts_params *p, ts_err *err)
{
    if (ts_params_choice(p, "potential") == 1 && ts_params_get(p, "alpha") < 1)
        return ts_err_set(err, TS_EINVAL, "the double_well potential needs alpha >= 1");
    return TS_OK;
}

static ts_status toy_layout(const ts_params *p, ts_result_layout *out, ts_err *err)
{
    (void)err;
    size_t n = (size_t)ts_params_get(p, "n_grid");
    out->n = 2;
    snprintf(out->r[0].name, sizeof out->r[0].name, "density");
    out->r[0].rank = 1;
    out->r[0].dims[0] = n;
    out->r[0].coords[0] = malloc(n * sizeof(double));
    if (!out->r[0].coords[0]) return TS_ENOMEM;
    for (size_t i = 0; i < n; i++) out->r[0].coords[0][i] = (double)i;
    snprintf(out->r[1].name, sizeof out->r[1].name, "tail_index");
    out->r[1].rank = 0;
    return TS_OK;
}

static const ts_kind toy_kind = {
    .name = "toy", .summary = "a test kind", .params = toy_params,
    .n_params = sizeof toy_params / sizeof toy_params[0],
    .validate = toy_validate, .layout = toy_layout,
};

/* Twenty sweepable parameters, to run out of grid dimensions. */
#define P(name) { name, TS_PARAM_REAL, -1, 1, 0, "0", NULL, "", "", 0 }
static const ts_param_spec wide_params[] = {
    P("p0"), P("p1"), P("p2"), P("p3"), P("p4"), P("p5"), P("p6"), P("p7"), P("p8"), P("p9"),
    P("p10"), P("p11"), P("p12"), P("p13"), P("p14"), P("p15"), P("p16"), P("p17"), P("p18"),
    P("p19"),
};
static const ts_kind wide_kind = {
    .name = "wide", .summary = "many parameters", .params = wide_params,
    .n_params = sizeof wide_params / sizeof wide_params[0],
};

#define KINDS ((const ts_kind *const[]){ &toy_kind, &wide_kind, NULL })

static ts_job *parse_ok(const char *text)
{
    ts_job *job = NULL;
    ts_err err;
    ts_err_clear(&err);
    ts_status st = ts_job_parse(text, strlen(text), "jobs/x.yaml", KINDS, &job, &err);
    if (st) fprintf(stderr, "unexpected error: %s\n", err.msg);
    assert_int_equal(st, TS_OK);
    assert_non_null(job);
    return job;
}

/* The parse must fail with TS_EINVAL and a message holding each fragment. */
static void parse_fails(const char *text, const char *frag1, const char *frag2)
{
    ts_job *job = (ts_job *)&job;     /* must be reset to NULL */
    ts_err err;
    ts_err_clear(&err);
    ts_status st = ts_job_parse(text, strlen(text), "jobs/x.yaml", KINDS, &job, &err);
    if (st != TS_EINVAL || !strstr(err.msg, frag1) || (frag2 && !strstr(err.msg, frag2)))
        fprintf(stderr, "status %d, message: %s\n", (int)st, err.msg);
    assert_int_equal(st, TS_EINVAL);
    assert_null(job);
    assert_non_null(strstr(err.msg, frag1));
    if (frag2) assert_non_null(strstr(err.msg, frag2));
}

/* ---- valid jobs -------------------------------------------------------- */

static void test_full_job_parses_every_section_exactly(void **state)
{
    (void)state;
    ts_job *job = parse_ok(
        "kind: toy\n"
        "store: out/full.h5\n"
        "seed: 42\n"
        "replicates: 3\n"
        "params:\n"
        "  eta: 1.0e-3\n"
        "  potential: double_well\n"
        "  n_grid: 128\n"
        "axes:\n"
        "  alpha: [1.9, 1.1]\n"
        "  theta: {linspace: [-1, 1, 5]}\n"
        "  steps: {logspace: [2, 4, 3]}\n"
        "zip:\n"
        "  - {beta: {arange: [-0.5, 0.5, 0.25]}, gamma: [1, 2, 3, 4]}\n"
        "record: [density]\n");
    assert_ptr_equal(job->kind, &toy_kind);
    assert_string_equal(job->store, "out/full.h5");
    assert_true(job->seed == 42 && job->replicates == 3);
    assert_string_equal(job->path, "jobs/x.yaml");
    assert_non_null(strstr(job->text, "record: [density]"));
    assert_true(ts_params_get(&job->fixed, "eta") == 1.0e-3);
    assert_int_equal(ts_params_choice(&job->fixed, "potential"), 1);
    assert_string_equal(ts_params_choice_name(&job->fixed, "potential"), "double_well");
    assert_true(ts_params_get(&job->fixed, "n_grid") == 128);
    assert_true(ts_params_get(&job->fixed, "alpha") == 1.5);   /* swept: keeps the default */

    assert_int_equal(job->n_axes, 4);
    static const double alpha[] = { 1.9, 1.1 }, theta[] = { -1, -0.5, 0, 0.5, 1 },
                        steps[] = { 100, 1000, 10000 }, beta[] = { -0.5, -0.25, 0, 0.25 },
                        gamma[] = { 1, 2, 3, 4 };
    const struct { const char *name; size_t len; const double *v; } want[] = {
        { "alpha", 2, alpha }, { "theta", 5, theta }, { "steps", 3, steps },
    };
    for (size_t a = 0; a < 3; a++) {
        assert_string_equal(job->axes[a].name, want[a].name);
        assert_int_equal(job->axes[a].n_members, 1);
        assert_int_equal(job->axes[a].len, want[a].len);
        assert_int_equal(job->axes[a].line, 10 + (int)a);
        for (size_t i = 0; i < want[a].len; i++) assert_true(job->axes[a].values[0][i] == want[a].v[i]);
    }
    const ts_axis *z = &job->axes[3];
    assert_string_equal(z->name, "zip0");
    assert_int_equal(z->n_members, 2);
    assert_int_equal(z->len, 4);
    assert_int_equal(z->param[0], 5);
    assert_int_equal(z->param[1], 6);
    for (size_t i = 0; i < 4; i++) {
        assert_true(z->values[0][i] == beta[i]);
        assert_true(z->values[1][i] == gamma[i]);
    }
    assert_int_equal(job->n_record, 1);
    assert_string_equal(job->record[0], "density");
    assert_true(ts_job_points(job) == 2 * 5 * 3 * 4);
    assert_true(ts_job_tasks(job) == 2 * 5 * 3 * 4 * 3);
    ts_job_free(job);
}

static void test_minimal_job_takes_every_default(void **state)
{
    (void)state;
    ts_job *job = NULL;
    const char *text = "kind: toy\nparams: {eta: 0.1}\n";
    assert_int_equal(ts_job_parse(text, strlen(text), "jobs/fig6.sweep.yaml", KINDS, &job, NULL),
                     TS_OK);
    assert_string_equal(job->store, "results/fig6.sweep.h5");
    assert_true(job->seed == 1 && job->replicates == 1);
    assert_int_equal(job->n_axes, 0);
    assert_int_equal(job->n_record, 0);
    assert_true(ts_job_points(job) == 1 && ts_job_tasks(job) == 1);
    assert_int_equal(job->fixed.n, toy_kind.n_params);
    assert_true(ts_params_get(&job->fixed, "alpha") == 1.5);
    assert_true(ts_params_get(&job->fixed, "theta") == 0);
    assert_true(ts_params_get(&job->fixed, "eta") == 0.1);
    assert_true(ts_params_get(&job->fixed, "steps") == 1000);
    assert_int_equal(ts_params_choice(&job->fixed, "potential"), 0);
    assert_true(ts_params_get(&job->fixed, "n_grid") == 64);
    ts_task t;
    assert_int_equal(ts_job_task(job, 0, &t, NULL), TS_OK);
    assert_true(t.point == 0 && t.replicate == 0 && t.seed == 1);
    ts_job_free(job);
}

static void test_empty_sections_mean_none(void **state)
{
    (void)state;
    ts_job *job = parse_ok("kind: toy\nparams:\n  eta: 1\naxes:\nzip: ~\nrecord:\n");
    assert_int_equal(job->n_axes, 0);
    assert_int_equal(job->n_record, 0);
    ts_job_free(job);
}

static void test_seed_takes_the_full_64_bit_range(void **state)
{
    (void)state;
    ts_job *job = parse_ok("kind: toy\nseed: 18446744073709551615\nparams: {eta: 1}\n");
    assert_true(job->seed == UINT64_MAX);
    ts_job_free(job);
    job = parse_ok("kind: toy\nseed: 0\nreplicates: 16777216\nparams: {eta: 1}\n");
    assert_true(job->seed == 0 && job->replicates == 16777216);
    ts_job_free(job);
}

/* ---- ranges ------------------------------------------------------------ */

static const double *axis0(const char *axes_line, size_t *len, ts_job **job)
{
    char text[512];
    snprintf(text, sizeof text, "kind: toy\nparams: {eta: 1}\naxes:\n  %s\n", axes_line);
    *job = parse_ok(text);
    assert_int_equal((*job)->n_axes, 1);
    *len = (*job)->axes[0].len;
    return (*job)->axes[0].values[0];
}

static void test_linspace_matches_numpy(void **state)
{
    (void)state;
    ts_job *job;
    size_t n;
    const double *v = axis0("theta: {linspace: [0, 0.3, 4]}", &n, &job);
    /* numpy: i * step + start, and the end point set to stop exactly */
    assert_int_equal(n, 4);
    double step = 0.3 / 3;
    assert_true(v[0] == 0 && v[1] == 1 * step && v[2] == 2 * step && v[3] == 0.3);
    ts_job_free(job);
    v = axis0("theta: {linspace: [2, 5, 1]}", &n, &job);
    assert_int_equal(n, 1);
    assert_true(v[0] == 2);
    ts_job_free(job);
    v = axis0("theta: {linspace: [3, -3, 3]}", &n, &job);
    assert_int_equal(n, 3);
    assert_true(v[0] == 3 && v[1] == 0 && v[2] == -3);
    ts_job_free(job);
}

static void test_logspace_gives_powers_of_ten(void **state)
{
    (void)state;
    ts_job *job;
    size_t n;
    const double *v = axis0("gamma: {logspace: [-3, 0, 4]}", &n, &job);
    assert_int_equal(n, 4);
    assert_true(v[0] == 1e-3 && v[1] == 1e-2 && v[2] == 1e-1 && v[3] == 1);
    ts_job_free(job);
}

static void test_arange_excludes_stop_and_ignores_rounding_drift(void **state)
{
    (void)state;
    ts_job *job;
    size_t n;
    /* (1.3 - 1) / 0.1 = 3.0000000000000004: numpy would add 1.3000000000000003 */
    const double *v = axis0("gamma: {arange: [1, 1.3, 0.1]}", &n, &job);
    assert_int_equal(n, 3);
    assert_true(v[0] == 1 && v[1] == 1 + 1 * 0.1 && v[2] == 1 + 2 * 0.1);
    ts_job_free(job);
    v = axis0("theta: {arange: [0, 1, 0.25]}", &n, &job);
    assert_int_equal(n, 4);
    assert_true(v[0] == 0 && v[1] == 0.25 && v[2] == 0.5 && v[3] == 0.75);
    ts_job_free(job);
    v = axis0("theta: {arange: [1, 0, -0.25]}", &n, &job);
    assert_int_equal(n, 4);
    assert_true(v[0] == 1 && v[1] == 0.75 && v[2] == 0.5 && v[3] == 0.25);
    ts_job_free(job);
    v = axis0("steps: {arange: [10, 35, 10]}", &n, &job);     /* an integer parameter */
    assert_int_equal(n, 3);
    assert_true(v[0] == 10 && v[1] == 20 && v[2] == 30);
    ts_job_free(job);
}

static void test_choice_is_swept_by_name(void **state)
{
    (void)state;
    ts_job *job;
    size_t n;
    const double *v = axis0("potential: [flat, quartic]", &n, &job);
    assert_int_equal(n, 2);
    assert_true(v[0] == 2 && v[1] == 0);
    ts_task t;
    assert_int_equal(ts_job_task(job, 0, &t, NULL), TS_OK);
    assert_string_equal(ts_params_choice_name(&t.params, "potential"), "flat");
    ts_job_free(job);
}

static void test_strings_are_fixed_swept_and_zipped(void **state)
{
    (void)state;
    /* fixed: the job owns the text; the default is "" */
    ts_job *job = parse_ok("kind: toy\nparams: {eta: 1, data_dir: \"/data/my mnist\"}\n");
    assert_string_equal(ts_params_str(&job->fixed, "data_dir"), "/data/my mnist");
    ts_task t;
    assert_int_equal(ts_job_task(job, 0, &t, NULL), TS_OK);
    assert_string_equal(ts_params_str(&t.params, "data_dir"), "/data/my mnist");
    ts_job_free(job);
    job = parse_ok("kind: toy\nparams: {eta: 1}\n");
    assert_string_equal(ts_params_str(&job->fixed, "data_dir"), "");
    ts_job_free(job);
    /* swept: values are 0..n-1, the texts are the labels */
    size_t n;
    const double *v = axis0("data_dir: [a, \"32,64\", c]", &n, &job);
    assert_int_equal(n, 3);
    assert_true(v[0] == 0 && v[1] == 1 && v[2] == 2);
    assert_string_equal(job->axes[0].labels[0][1], "32,64");
    assert_int_equal(ts_job_task(job, 1, &t, NULL), TS_OK);
    assert_string_equal(ts_params_str(&t.params, "data_dir"), "32,64");
    ts_job_free(job);
    /* zipped with a number */
    job = parse_ok("kind: toy\nparams: {eta: 1}\nzip:\n  - {data_dir: [x, y], alpha: [1.1, 1.9]}\n");
    assert_int_equal(ts_job_task(job, 1, &t, NULL), TS_OK);
    assert_string_equal(ts_params_str(&t.params, "data_dir"), "y");
    assert_true(ts_params_get(&t.params, "alpha") == 1.9);
    ts_job_free(job);
}

static void test_string_errors_name_the_key(void **state)
{
    (void)state;
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  data_dir: {linspace: [0, 1, 3]}\n",
                "jobs/x.yaml:4: key 'data_dir'", "list the values");
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  data_dir: [a, b, a]\n",
                "jobs/x.yaml:4: key 'data_dir', value 3", "'a' is listed twice");
    parse_fails("kind: toy\nparams: {eta: 1, data_dir: \"a\\tb\"}\n", "key 'data_dir'",
                "control character");
    parse_fails("kind: toy\nparams: {eta: 1, data_dir: [a]}\n", "key 'data_dir'", "a text of at most");
    char *big = malloc(TS_PARAM_STRING_MAX + 64);
    assert_non_null(big);
    int k = sprintf(big, "kind: toy\nparams: {eta: 1, data_dir: ");
    memset(big + k, 'x', TS_PARAM_STRING_MAX + 1);
    strcpy(big + k + TS_PARAM_STRING_MAX + 1, "}\n");
    parse_fails(big, "key 'data_dir'", "got 4096 bytes");
    free(big);
}

/* ---- the grid ---------------------------------------------------------- */

static void test_grid_is_row_major_with_the_last_axis_fastest(void **state)
{
    (void)state;
    ts_job *job = parse_ok("kind: toy\nseed: 7\nreplicates: 2\nparams: {eta: 0.5}\n"
                           "axes:\n  alpha: [0.5, 1, 1.5]\n  theta: [1, 2]\n"
                           "zip:\n  - {beta: [-0.5, 0.5], gamma: [10, 20]}\n");
    assert_true(ts_job_points(job) == 12 && ts_job_tasks(job) == 24);
    size_t idx[TS_MAX_AXES];
    ts_job_point_coords(job, 6, idx);         /* 6 = 1*(2*2) + 1*2 + 0 */
    assert_true(idx[0] == 1 && idx[1] == 1 && idx[2] == 0);
    ts_job_point_coords(job, 11, idx);
    assert_true(idx[0] == 2 && idx[1] == 1 && idx[2] == 1);

    /* task = point * replicates + replicate; hand-computed parameters */
    const struct { uint64_t t, point, rep; double alpha, theta, beta, gamma; } want[] = {
        { 0, 0, 0, 0.5, 1, -0.5, 10 },  { 1, 0, 1, 0.5, 1, -0.5, 10 },
        { 3, 1, 1, 0.5, 1, 0.5, 20 },   { 4, 2, 0, 0.5, 2, -0.5, 10 },
        { 13, 6, 1, 1, 2, -0.5, 10 },   { 17, 8, 1, 1.5, 1, -0.5, 10 },
        { 23, 11, 1, 1.5, 2, 0.5, 20 },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ts_task t;
        assert_int_equal(ts_job_task(job, want[i].t, &t, NULL), TS_OK);
        assert_true(t.point == want[i].point && t.replicate == want[i].rep && t.seed == 7);
        assert_true(ts_params_get(&t.params, "alpha") == want[i].alpha);
        assert_true(ts_params_get(&t.params, "theta") == want[i].theta);
        assert_true(ts_params_get(&t.params, "beta") == want[i].beta);
        assert_true(ts_params_get(&t.params, "gamma") == want[i].gamma);
        assert_true(ts_params_get(&t.params, "eta") == 0.5);
    }
    ts_task t;
    ts_err err;
    assert_int_equal(ts_job_task(job, 24, &t, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "task 24 does not exist"));
    ts_job_free(job);
}

/* ---- errors, one per class -------------------------------------------- */

static void test_out_of_range_param_names_file_line_key_and_bound(void **state)
{
    (void)state;
    ts_job *job = NULL;
    ts_err err;
    const char *text = "kind: toy\nparams:\n  eta: -1\n";
    assert_int_equal(ts_job_parse(text, strlen(text), "jobs/x.yaml", KINDS, &job, &err), TS_EINVAL);
    assert_string_equal(err.msg, "jobs/x.yaml:3: key 'eta': expected a number > 0, got '-1'");
    parse_fails("kind: toy\nparams:\n  eta: 1\n  alpha: 2.5\n", "jobs/x.yaml:4: key 'alpha'",
                "expected a number in (0, 2], got '2.5'");
    parse_fails("kind: toy\nparams:\n  eta: 1x\n", ":3: key 'eta'", "got '1x'");
    parse_fails("kind: toy\nparams:\n  eta: nan\n", ":3: key 'eta'", "got 'nan'");
    parse_fails("kind: toy\nparams:\n  eta: 1e999\n", ":3: key 'eta'", "got '1e999'");
}

static void test_integer_rejects_fractions_and_accepts_1e6(void **state)
{
    (void)state;
    ts_job *job = parse_ok("kind: toy\nreplicates: 1e2\nparams: {eta: 1, steps: 1e6}\n");
    assert_true(ts_params_get(&job->fixed, "steps") == 1e6);
    assert_true(job->replicates == 100);
    ts_job_free(job);
    parse_fails("kind: toy\nparams:\n  eta: 1\n  steps: 2.5\n", ":4: key 'steps'",
                "expected an integer in [1, 1000000000], got '2.5'");
}

static void test_choice_error_lists_the_choices(void **state)
{
    (void)state;
    parse_fails("kind: toy\nparams: {eta: 1, potential: quadratic}\n", ":2: key 'potential'",
                "expected one of quartic, double_well, flat, got 'quadratic'");
}

static void test_unknown_top_level_key_lists_the_keys(void **state)
{
    (void)state;
    parse_fails("kind: toy\nparams: {eta: 1}\naxs:\n  alpha: [1]\n",
                "jobs/x.yaml:3: unknown key 'axs' (expected one of kind, store, seed, "
                "replicates, params, axes, zip, record, checkpoint_every)", NULL);
}

/* checkpoint_every: 300 s unless given, checked, and no part of the job's
 * identity (changing it must not make a store another job's). */
static void test_checkpoint_every_is_not_part_of_the_identity(void **state)
{
    (void)state;
    ts_job *a = parse_ok("kind: toy\nparams: {eta: 1}\n");
    ts_job *b = parse_ok("kind: toy\ncheckpoint_every: 2.5\nparams: {eta: 1}\n");
    assert_true(a->checkpoint_every == 300);
    assert_true(b->checkpoint_every == 2.5);
    uint64_t ia, ib;
    assert_int_equal(ts_job_identity(a, &ia, NULL), TS_OK);
    assert_int_equal(ts_job_identity(b, &ib, NULL), TS_OK);
    assert_true(ia == ib);
    ts_job_free(a);
    ts_job_free(b);
    parse_fails("kind: toy\ncheckpoint_every: 0\nparams: {eta: 1}\n", "jobs/x.yaml:2: key 'checkpoint_every'", NULL);
    parse_fails("kind: toy\ncheckpoint_every: soon\nparams: {eta: 1}\n", "checkpoint_every", "soon");
}

static void test_duplicate_keys_are_caught_at_every_level(void **state)
{
    (void)state;
    parse_fails("kind: toy\nparams: {eta: 1}\nkind: toy\n", ":3: duplicate key 'kind'",
                "first at line 1");
    parse_fails("kind: toy\nparams:\n  eta: 1\n  alpha: 1\n  alpha: 1.2\n",
                ":5: duplicate key 'alpha'", NULL);
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  theta: [1]\n  alpha: [1]\n  theta: [2]\n",
                ":6: duplicate key 'theta'", NULL);
    parse_fails("kind: toy\nparams: {eta: 1}\naxes: {alpha: {linspace: [0, 1, 2], linspace: [0, 1, 3]}}\n",
                ":3: key 'alpha'", "one key");
    /* across axes and zip it is the same parameter swept twice */
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  theta: [1]\nzip:\n  - {theta: [1], beta: [0]}\n",
                ":6: parameter 'theta' is swept twice", "first at line 4");
}

static void test_empty_axis_is_rejected(void **state)
{
    (void)state;
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  alpha: [1]\n  theta: []\n",
                "jobs/x.yaml:5: axis 'theta' is empty", NULL);
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  theta: {linspace: [0, 1, 0]}\n",
                ":4: key 'theta', linspace n", "expected an integer in [1, 10000000], got '0'");
}

static void test_swept_value_out_of_range_names_its_own_line(void **state)
{
    (void)state;
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  alpha:\n    - 1.0\n    - 2.5\n",
                "jobs/x.yaml:6: key 'alpha', value 2", "expected a number in (0, 2], got '2.5'");
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  theta: {linspace: [0, 20, 3]}\n",
                ":4: key 'theta', linspace value 3", "expected a number in [-10, 10], got '20'");
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  steps: {linspace: [1, 2, 3]}\n",
                ":4: key 'steps', linspace value 2", "expected an integer in [1, 1000000000], got '1.5'");
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  potential: [flat, round]\n",
                ":4: key 'potential', value 2", "got 'round'");
}

static void test_unknown_parameter_lists_the_kinds_parameters(void **state)
{
    (void)state;
    parse_fails("kind: toy\nparams:\n  eta: 1\n  foo: 2\n",
                "jobs/x.yaml:4: parameter 'foo' is not a parameter of kind 'toy' (its parameters: "
                "alpha, theta, eta, steps, potential, beta, gamma, n_grid, data_dir)", NULL);
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  bar: [1]\n",
                ":4: parameter 'bar' is not a parameter of kind 'toy'", NULL);
    parse_fails("kind: toy\nparams: {eta: 1}\nzip:\n  - {alpha: [1], baz: [2]}\n",
                ":4: parameter 'baz' is not a parameter of kind 'toy'", NULL);
}

static void test_wrong_node_types_say_what_was_found(void **state)
{
    (void)state;
    parse_fails("kind: toy\nparams: [1, 2]\n", ":2: key 'params': expected a mapping", "got a list");
    parse_fails("kind: toy\nparams:\n  eta: {a: 1}\n", ":3: key 'eta': expected a number > 0",
                "got a mapping");
    parse_fails("kind: toy\nparams:\n  eta: [1, 2]\n", ":3: key 'eta'", "put it under axes");
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  alpha: 1.5\n", ":4: key 'alpha': expected "
                "a list of values or a range", "got '1.5'");
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  alpha: [1, [2]]\n", ":4: key 'alpha', value 2",
                "got a list");
    parse_fails("kind: [toy]\n", ":1: key 'kind': expected a kind name", "got a list");
    parse_fails("kind: toy\nseed: {a: 1}\nparams: {eta: 1}\n", ":2: key 'seed'", "got a mapping");
    parse_fails("kind: toy\nstore: [a.h5]\nparams: {eta: 1}\n", ":2: key 'store'", "got a list");
    parse_fails("kind: toy\nparams: {eta: 1}\nzip: {alpha: [1]}\n", ":3: key 'zip'", "got a mapping");
    parse_fails("kind: toy\nparams: {eta: 1}\nzip:\n  - [1, 2]\n", ":4: zip group 0", "got a list");
    parse_fails("kind: toy\nparams: {eta: 1}\nrecord: density\n", ":3: key 'record'",
                "got 'density'");
    parse_fails("- kind\n- toy\n", "jobs/x.yaml:1: expected a mapping", "got a list");
    parse_fails("kind: toy\n[a]: 1\n", ":2: expected a key name", "got a list");
    parse_fails("kind: toy\nparams: {eta: \"1\\0\"}\n", ":2: key 'eta'", NULL);
}

static void test_range_errors_name_the_key(void **state)
{
    (void)state;
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  theta: {arange: [0, 1, -0.5]}\n",
                ":4: key 'theta': arange [0, 1, -0.5] is empty", "sign of stop - start");
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  theta: {arange: [0, 1, 0]}\n",
                ":4: key 'theta': arange [0, 1, 0] is empty", "non-zero");
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  theta: {arange: [0, 1, 1e-9]}\n",
                ":4: key 'theta': arange gives 1e+09 values", "at most 10000000");
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  theta: {linspce: [0, 1, 3]}\n",
                ":4: key 'theta': unknown range 'linspce'", "linspace, logspace or arange");
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  theta: {linspace: [0, 1]}\n",
                ":4: key 'theta': linspace expects [start, stop, n], got 2 values", NULL);
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  theta: {linspace: [0, x, 3]}\n",
                ":4: key 'theta', linspace stop", "got 'x'");
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  potential: {linspace: [0, 1, 2]}\n",
                ":4: key 'potential': linspace needs a numeric parameter", "[quartic, double_well]");
}

static void test_yaml_syntax_error_gives_line_column_and_problem(void **state)
{
    (void)state;
    parse_fails("kind: toy\nparams: {eta: 1\naxes: {}\n", "jobs/x.yaml:3:", "YAML syntax error");
    parse_fails("kind: toy\n  params: 1\n", "jobs/x.yaml:2:", "mapping values are not allowed");
    parse_fails("kind: toy\nparams: {eta: 1}\n---\nkind: toy\n", ":4: a second YAML document", NULL);
}

static void test_param_both_fixed_and_swept_is_rejected(void **state)
{
    (void)state;
    parse_fails("kind: toy\nparams:\n  eta: 1\n  alpha: 1.2\naxes:\n  alpha: [1, 2]\n",
                "jobs/x.yaml:6: parameter 'alpha' is both in params (line 4) and swept", NULL);
}

static void test_fixed_flag_parameter_cannot_be_swept(void **state)
{
    (void)state;
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  n_grid: [64, 128]\n",
                "jobs/x.yaml:4: parameter 'n_grid' cannot be swept", "set it under params");
    parse_fails("kind: toy\nparams: {eta: 1}\nzip:\n  - {alpha: [1, 2], n_grid: [64, 128]}\n",
                ":4: parameter 'n_grid' cannot be swept", NULL);
}

static void test_zip_members_of_unequal_length_are_rejected(void **state)
{
    (void)state;
    parse_fails("kind: toy\nparams: {eta: 1}\nzip:\n  - {alpha: [1, 2]}\n"
                "  - beta: [0, 0.5]\n    gamma: {linspace: [1, 2, 3]}\n",
                "jobs/x.yaml:5: zip group 1: members of unequal length",
                "'beta' has 2 values (line 5), 'gamma' has 3 (line 6)");
    parse_fails("kind: toy\nparams: {eta: 1}\nzip:\n  - {}\n", ":4: zip group 0 is empty", NULL);
}

static void test_record_names_must_be_results_of_the_kind(void **state)
{
    (void)state;
    parse_fails("kind: toy\nparams: {eta: 1}\nrecord:\n  - density\n  - metrics\n",
                "jobs/x.yaml:5: key 'record': 'metrics' is not a result of kind 'toy'",
                "(its results: density, tail_index)");
    parse_fails("kind: toy\nparams: {eta: 1}\nrecord: [density, density]\n",
                ":3: key 'record': 'density' is listed twice", NULL);
    parse_fails("kind: toy\nparams: {eta: 1}\nrecord: []\n", ":3: key 'record' is empty", NULL);
    ts_job *job = parse_ok("kind: toy\naxes: {eta: [1, 2]}\nrecord: [tail_index, density]\n");
    assert_int_equal(job->n_record, 2);
    assert_string_equal(job->record[0], "tail_index");
    assert_string_equal(job->record[1], "density");
    ts_job_free(job);
}

static void test_seed_and_replicates_out_of_range_are_rejected(void **state)
{
    (void)state;
    parse_fails("kind: toy\nreplicates: 0\nparams: {eta: 1}\n", "jobs/x.yaml:2: key 'replicates'",
                "expected an integer in [1, 16777216], got '0'");
    parse_fails("kind: toy\nreplicates: 16777217\nparams: {eta: 1}\n", ":2: key 'replicates'", NULL);
    parse_fails("kind: toy\nseed: -1\nparams: {eta: 1}\n", "jobs/x.yaml:2: key 'seed'",
                "got '-1'");
    parse_fails("kind: toy\nseed: 18446744073709551616\nparams: {eta: 1}\n", ":2: key 'seed'",
                "got '18446744073709551616'");
    parse_fails("kind: toy\nseed: 1.5\nparams: {eta: 1}\n", ":2: key 'seed'", NULL);
}

/* n_axes plain axes p0.., then zip groups of two of the next parameters. */
static void wide_job(char *text, size_t size, int n_axes, int n_groups)
{
    snprintf(text, size, "kind: wide\naxes:\n");
    for (int i = 0; i < n_axes; i++)
        snprintf(text + strlen(text), size - strlen(text), "  p%d: [0]\n", i);
    snprintf(text + strlen(text), size - strlen(text), "zip:\n");
    for (int g = 0, i = n_axes; g < n_groups; g++, i += 2)
        snprintf(text + strlen(text), size - strlen(text), "  - {p%d: [0], p%d: [1]}\n", i, i + 1);
}

static void test_too_many_grid_dimensions_are_rejected(void **state)
{
    (void)state;
    char text[1024];
    wide_job(text, sizeof text, 12, 4);       /* 16 dimensions: the limit */
    ts_job *job = parse_ok(text);
    assert_int_equal(job->n_axes, TS_MAX_AXES);
    assert_true(ts_job_points(job) == 1);
    ts_job_free(job);
    wide_job(text, sizeof text, 13, 2);       /* 15 dimensions, then ... */
    strcat(text, "  - {p17: [0]}\n  - {p18: [0]}\n");    /* lines 19 and 20 */
    parse_fails(text, "jobs/x.yaml:20: too many grid dimensions", "at most 16");
    wide_job(text, sizeof text, 17, 0);
    parse_fails(text, "jobs/x.yaml:19: too many grid dimensions", NULL);
}

static void test_required_parameter_must_be_given(void **state)
{
    (void)state;
    parse_fails("kind: toy\nparams: {alpha: 1}\n",
                "jobs/x.yaml: kind 'toy' requires parameter 'eta' (a number > 0)", NULL);
    ts_job *job = parse_ok("kind: toy\naxes: {eta: [1, 2]}\n");   /* swept is given too */
    assert_true(isnan(job->fixed.v[2]));
    ts_job_free(job);
}

static void test_missing_or_unknown_kind_is_rejected(void **state)
{
    (void)state;
    parse_fails("params: {eta: 1}\n", "jobs/x.yaml: missing key 'kind'", "toy, wide");
    parse_fails("kind: sde\n", "jobs/x.yaml:1: key 'kind': unknown kind 'sde'",
                "(known kinds: toy, wide)");
}

static void test_kind_validate_failure_names_the_grid_point(void **state)
{
    (void)state;
    parse_fails("kind: toy\nparams: {eta: 1, potential: double_well}\n"
                "axes:\n  alpha: [1.5, 0.5]\n  theta: [0, 0.25]\n",
                "jobs/x.yaml: grid point 2 (alpha=0.5, theta=0): the double_well potential needs "
                "alpha >= 1", NULL);
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  alpha: [1.5, 0.5]\n"
                "zip:\n  - {beta: [0.1, 0.2], potential: [quartic, double_well]}\n",
                "grid point 3 (alpha=0.5, beta=0.2, potential=double_well): the double_well", NULL);
    parse_fails("kind: toy\nparams: {eta: 1, alpha: 0.5, potential: double_well}\n",
                "jobs/x.yaml: grid point 0: the double_well", NULL);
}

static void test_empty_and_comment_only_files_are_rejected(void **state)
{
    (void)state;
    parse_fails("", "jobs/x.yaml: the job file is empty", NULL);
    parse_fails("# nothing here\n\n", "jobs/x.yaml: the job file is empty", NULL);
}

/* ---- files ------------------------------------------------------------- */

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void test_load_reads_the_file_and_keeps_its_text(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_job_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/fig2.yaml", dir);
    const char *text = "kind: toy   # a comment survives in the provenance\nparams: {eta: 2}\n";
    write_file(path, text, strlen(text));
    ts_job *job = NULL;
    ts_err err;
    assert_int_equal(ts_job_load(path, KINDS, &job, &err), TS_OK);
    assert_string_equal(job->text, text);
    assert_string_equal(job->path, path);
    assert_string_equal(job->store, "results/fig2.h5");
    ts_job_free(job);

    /* a file over the limit is refused before parsing */
    size_t big = TS_JOB_MAX_BYTES + 1;
    char *blob = malloc(big);
    assert_non_null(blob);
    memset(blob, '#', big);
    write_file(path, blob, big);
    free(blob);
    assert_int_equal(ts_job_load(path, KINDS, &job, &err), TS_EINVAL);
    assert_null(job);
    assert_non_null(strstr(err.msg, "larger than 1048576 bytes"));

    /* a directory is not a job file */
    assert_int_equal(ts_job_load(dir, KINDS, &job, &err), TS_EIO);
    assert_non_null(strstr(err.msg, "is a directory"));
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

static void test_missing_file_is_an_io_error(void **state)
{
    (void)state;
    ts_job *job = (ts_job *)&job;
    ts_err err;
    assert_int_equal(ts_job_load("/nonexistent/dir/job.yaml", KINDS, &job, &err), TS_EIO);
    assert_null(job);
    assert_non_null(strstr(err.msg, "/nonexistent/dir/job.yaml: cannot open: No such file"));
}

/* ---- ts_kind.h helpers ------------------------------------------------- */

static void test_kind_helpers(void **state)
{
    (void)state;
    assert_ptr_equal(ts_kind_find(KINDS, "wide"), &wide_kind);
    assert_null(ts_kind_find(KINDS, "sde"));
    assert_null(ts_kind_find(NULL, "toy"));
    assert_int_equal(ts_params_index(toy_params, 8, "n_grid"), 7);
    assert_int_equal(ts_params_index(toy_params, 8, "nope"), -1);
    assert_string_equal(ts_task_status_name(TS_TASK_TODO), "todo");
    assert_string_equal(ts_task_status_name(TS_TASK_DONE), "done");
    assert_string_equal(ts_task_status_name(TS_TASK_FAILED), "failed");
    assert_string_equal(ts_task_status_name(TS_TASK_DIVERGED), "diverged");

    ts_err err;
    double v;
    assert_int_equal(ts_param_parse(&toy_params[3], " 5", &v, "w", &err), TS_EINVAL);
    assert_int_equal(ts_param_parse(&toy_params[3], "", &v, "w", &err), TS_EINVAL);
    assert_int_equal(ts_param_parse(&toy_params[3], "5e0", &v, "w", &err), TS_OK);
    assert_true(v == 5);
    assert_int_equal(ts_param_check(&toy_params[0], 0, "where", &err), TS_EINVAL);
    assert_string_equal(err.msg, "where: expected a number in (0, 2], got '0'");
    assert_int_equal(ts_param_check(&toy_params[0], 2, "where", &err), TS_OK);
    assert_int_equal(ts_param_check(&toy_params[4], 3, "p", &err), TS_EINVAL);
    assert_string_equal(err.msg, "p: expected one of quartic, double_well, flat, got index '3'");
    assert_int_equal(ts_param_check(&toy_params[0], 0.1, "w", &err), TS_OK);
    assert_int_equal(ts_param_check(&toy_params[1], 1e-300, "w", &err), TS_OK);
    assert_int_equal(ts_param_check(&toy_params[1], 10.000000000000002, "w", &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "got '10.000000000000002'"));   /* shortest exact form */

    ts_params p = { .spec = toy_params, .n = 8 };
    p.v[7] = 16;
    ts_result_layout *lay = ts_result_layout_alloc();
    assert_int_equal(toy_layout(&p, lay, NULL), TS_OK);
    assert_int_equal(ts_result_find(lay, "tail_index"), 1);
    assert_int_equal(ts_result_find(lay, "x"), -1);
    assert_int_equal(ts_result_size(&lay->r[0]), 16);
    assert_int_equal(ts_result_size(&lay->r[1]), 1);
    ts_result_layout_free(lay);
}

/* ---- an axis holds each value once; the cost estimate ------------------- */

static void test_repeated_axis_values_are_refused_with_file_line_key(void **state)
{
    (void)state;
    /* a list: the repeat's own line, and the line of the value it repeats */
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  alpha: [1.9, 1.1, 1.9]\n",
                "jobs/x.yaml:4: key 'alpha', value 3: 1.9 repeats value 1 (line 4)", NULL);
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  alpha:\n    - 0.5\n    - 1.5\n    - 5e-1\n",
                "jobs/x.yaml:7: key 'alpha', value 3: 0.5 repeats value 1 (line 5)", NULL);
    /* the first repeat in file order, in an unsorted list */
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  theta: [3, 1, 2, 1, 3]\n",
                "key 'theta', value 4: 1 repeats value 2", NULL);
    /* a choice, and a range that gives one value twice */
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  potential: [quartic, flat, quartic]\n",
                "key 'potential', value 3: quartic repeats value 1", NULL);
    parse_fails("kind: toy\nparams: {eta: 1}\naxes:\n  theta: {linspace: [0.5, 0.5, 3]}\n",
                "jobs/x.yaml:4: key 'theta': the range gives 0.5 twice (values 1 and 2)", NULL);
    /* a zip group: a combination twice (each member alone may repeat) */
    parse_fails("kind: toy\nparams: {eta: 1}\nzip:\n  - {alpha: [1, 1, 1.5], theta: [0, 2, 0]}\n"
                "  - {beta: [0.5, 0.2, 0.5], gamma: [1, 1, 1]}\n",
                "jobs/x.yaml:5: zip group 1: entry 3 (beta=0.5, gamma=1) repeats entry 1", NULL);
    /* distinct values in any order, distinct combinations, a long range */
    ts_job *job = parse_ok("kind: toy\nparams: {eta: 1}\naxes:\n  theta: [3, 1, 2]\n"
                           "zip:\n  - {alpha: [1, 1, 1.5], beta: [0, 0.5, 0]}\n");
    assert_int_equal(ts_job_points(job), 9);
    ts_job_free(job);
    job = parse_ok("kind: toy\nparams: {eta: 1}\naxes:\n  theta: {linspace: [1, -1, 1000001]}\n");
    assert_int_equal(ts_job_points(job), 1000001);
    ts_job_free(job);
}

/* a task's cost: steps microseconds, tripled for the flat potential */
static double toy_cost(const ts_params *p)
{
    return ts_params_get(p, "steps") * 1e-6 * (ts_params_choice(p, "potential") == 2 ? 3 : 1);
}

static void test_cost_estimate_sums_points_times_replicates(void **state)
{
    (void)state;
    ts_kind costed = toy_kind;
    costed.cost = toy_cost;
    const ts_kind *const kinds[] = { &costed, NULL };
    const char *text = "kind: toy\nreplicates: 3\nparams: {eta: 1}\n"
                       "axes:\n  potential: [quartic, flat]\n  steps: [100, 1000, 10]\n";
    ts_job *job = NULL;
    ts_err err;
    ts_err_clear(&err);
    assert_int_equal(ts_job_parse(text, strlen(text), "jobs/x.yaml", kinds, &job, &err), TS_OK);
    ts_job_cost c;
    assert_int_equal(ts_job_cost_estimate(job, &c, &err), TS_OK);
    assert_true(fabs(c.total - 3 * (1110e-6 + 3 * 1110e-6)) < 1e-15);
    assert_true(fabs(c.max_task - 3000e-6) < 1e-15);
    assert_int_equal(c.max_point, 4);                /* (flat, 1000): row-major */
    char desc[200];
    ts_job_describe_point(job, c.max_point, desc, sizeof desc);
    assert_string_equal(desc, "grid point 4 (potential=flat, steps=1000)");
    ts_job_free(job);
    /* a kind without a cost model: NaN, not 0 */
    job = parse_ok("kind: toy\nparams: {eta: 1}\n");
    assert_int_equal(ts_job_cost_estimate(job, &c, &err), TS_OK);
    assert_true(isnan(c.total) && isnan(c.max_task));
    ts_job_free(job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_job_parses_every_section_exactly),
        cmocka_unit_test(test_minimal_job_takes_every_default),
        cmocka_unit_test(test_empty_sections_mean_none),
        cmocka_unit_test(test_seed_takes_the_full_64_bit_range),
        cmocka_unit_test(test_linspace_matches_numpy),
        cmocka_unit_test(test_logspace_gives_powers_of_ten),
        cmocka_unit_test(test_arange_excludes_stop_and_ignores_rounding_drift),
        cmocka_unit_test(test_choice_is_swept_by_name),
        cmocka_unit_test(test_strings_are_fixed_swept_and_zipped),
        cmocka_unit_test(test_string_errors_name_the_key),
        cmocka_unit_test(test_grid_is_row_major_with_the_last_axis_fastest),
        cmocka_unit_test(test_out_of_range_param_names_file_line_key_and_bound),
        cmocka_unit_test(test_integer_rejects_fractions_and_accepts_1e6),
        cmocka_unit_test(test_choice_error_lists_the_choices),
        cmocka_unit_test(test_unknown_top_level_key_lists_the_keys),
        cmocka_unit_test(test_checkpoint_every_is_not_part_of_the_identity),
        cmocka_unit_test(test_duplicate_keys_are_caught_at_every_level),
        cmocka_unit_test(test_empty_axis_is_rejected),
        cmocka_unit_test(test_swept_value_out_of_range_names_its_own_line),
        cmocka_unit_test(test_unknown_parameter_lists_the_kinds_parameters),
        cmocka_unit_test(test_wrong_node_types_say_what_was_found),
        cmocka_unit_test(test_range_errors_name_the_key),
        cmocka_unit_test(test_yaml_syntax_error_gives_line_column_and_problem),
        cmocka_unit_test(test_param_both_fixed_and_swept_is_rejected),
        cmocka_unit_test(test_fixed_flag_parameter_cannot_be_swept),
        cmocka_unit_test(test_zip_members_of_unequal_length_are_rejected),
        cmocka_unit_test(test_record_names_must_be_results_of_the_kind),
        cmocka_unit_test(test_seed_and_replicates_out_of_range_are_rejected),
        cmocka_unit_test(test_too_many_grid_dimensions_are_rejected),
        cmocka_unit_test(test_required_parameter_must_be_given),
        cmocka_unit_test(test_missing_or_unknown_kind_is_rejected),
        cmocka_unit_test(test_kind_validate_failure_names_the_grid_point),
        cmocka_unit_test(test_empty_and_comment_only_files_are_rejected),
        cmocka_unit_test(test_load_reads_the_file_and_keeps_its_text),
        cmocka_unit_test(test_missing_file_is_an_io_error),
        cmocka_unit_test(test_kind_helpers),
        cmocka_unit_test(test_repeated_axis_values_are_refused_with_file_line_key),
        cmocka_unit_test(test_cost_estimate_sums_points_times_replicates),
    };
    return cmocka_run_group_tests_name("job", tests, NULL, NULL);
}
