/* cmd_sample.c: `tailsweep sample`: draws from an alpha-stable law. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tailsweep/ts_rng.h"
#include "tailsweep/ts_stable.h"
#include "tailsweep/ts_vec_writer.h"
#include "tailsweep/ts_version.h"

typedef struct {
    double alpha, beta, scale, loc;
    ts_stable_param param;
    uint64_t n, seed;
    const char *out;
    int force;
} sample_opts;

static struct {
    double alpha, beta, scale, loc;
    const char *param, *out;
    uint64_t n, seed;
    int force;
} args = { NAN, 0, 1, 0, "S1", NULL, 10, 1, 0 };

static const ts_cli_opt options[] = {
    { "alpha", 0, TS_OPT_DOUBLE, "A", "stability index, 0 < A <= 2 (required)", &args.alpha, NULL },
    { "beta", 0, TS_OPT_DOUBLE, "B", "skewness (the papers' theta), -1 <= B <= 1 (default 0)", &args.beta, NULL },
    { "scale", 0, TS_OPT_DOUBLE, "S", "scale sigma > 0 (default 1); alpha = 2 gives variance 2 S^2", &args.scale, NULL },
    { "loc", 0, TS_OPT_DOUBLE, "M", "location (default 0)", &args.loc, NULL },
    { "param", 0, TS_OPT_STRING, "S0|S1", "S1 (Samorodnitsky-Taqqu, default) or S0 (Nolan)", &args.param, NULL },
    { "count", 'n', TS_OPT_U64, "N", "number of draws (default 10)", &args.n, NULL },
    { "seed", 0, TS_OPT_U64, "SEED", "job seed, 0 <= SEED < 2^64 (default 1); the draws come from\n"
      "stream (SEED, task 0, replicate 0, purpose 'sample')", &args.seed, NULL },
    { "output", 'o', TS_OPT_STRING, "FILE", "write to FILE, by its ending: .h5/.hdf5 gives HDF5 (dataset\n"
      "/samples, parameters as attributes), .csv gives CSV (one\n"
      "column 'samples'), anything else text; default: stdout", &args.out, NULL },
    { "force", 0, TS_OPT_FLAG, NULL, "overwrite FILE if it exists", &args.force, NULL },
    { 0 } };

static const ts_cli_spec spec = {
    .cmd = "sample",
    .usage = "--alpha A [--beta B] [--scale S] [--loc M] [--param S0|S1]\n"
             "                        [-n N] [--seed SEED] [-o FILE] [--force]",
    .summary = "Draw N values of the alpha-stable law S_alpha(scale, beta, loc).",
    .epilog = "Exit: 0 ok, 2 bad argument, 3 file error.",
    .opts = options,
    .min_pos = 0,
    .max_pos = 0,
};

static void usage(void) { ts_cli_help(&spec); }

/* Returns -1 to continue, else an exit code. */
static int parse(int argc, char **argv, sample_opts *o)
{
    char **pos;
    int npos;
    int rc = ts_cli_parse(&spec, argc, argv, &pos, &npos);
    if (rc >= 0) return rc;
    free(pos);
    *o = (sample_opts){ args.alpha, args.beta, args.scale, args.loc, TS_S1, args.n, args.seed, args.out, args.force };
    ts_err err;
    if (ts_stable_param_parse(args.param, &o->param, &err)) return ts_cli_usage_error("sample", "--param: %s", err.msg);
    if (isnan(o->alpha)) return ts_cli_usage_error("sample", "--alpha is required");
    return -1;
}

static int draw_all(const sample_opts *o, const ts_stable *law, ts_rng *rng, ts_err *err)
{
    ts_attr attrs[] = {
        { "alpha", TS_ATTR_DOUBLE, o->alpha, 0, NULL },
        { "beta", TS_ATTR_DOUBLE, o->beta, 0, NULL },
        { "scale", TS_ATTR_DOUBLE, o->scale, 0, NULL },
        { "loc", TS_ATTR_DOUBLE, o->loc, 0, NULL },
        { "param", TS_ATTR_STRING, 0, 0, ts_stable_param_name(o->param) },
        { "seed", TS_ATTR_STRING, 0, 0, NULL },
        { "rng", TS_ATTR_STRING, 0, 0, "xoshiro256++ x8 lanes seeded by philox4x32-10; stream (seed, task 0, replicate 0, purpose sample)" },
        { "tailsweep_version", TS_ATTR_STRING, 0, 0, TS_VERSION },
    };
    char seed_text[24];   /* a u64 does not fit an int64 attribute: store its decimal text */
    snprintf(seed_text, sizeof seed_text, "%llu", (unsigned long long)o->seed);
    attrs[5].s = seed_text;
    ts_vec_writer *w;
    ts_status st = ts_vec_writer_open(&w, o->out, stdout, "samples", (size_t)o->n, attrs,
                                      sizeof attrs / sizeof attrs[0], o->force, err);
    if (st) return st;
    enum { CHUNK = 1 << 16 };
    double *buf = malloc(CHUNK * sizeof *buf);
    if (!buf) { ts_vec_writer_abort(w); return ts_err_set(err, TS_ENOMEM, "out of memory"); }
    for (uint64_t done = 0; done < o->n && !st;) {
        size_t m = o->n - done < CHUNK ? (size_t)(o->n - done) : CHUNK;
        ts_stable_fill(law, rng, m, buf);
        st = ts_vec_writer_write(w, buf, m, err);
        done += m;
    }
    free(buf);
    if (st) { ts_vec_writer_abort(w); return st; }
    return ts_vec_writer_close(w, err);
}

static int run(int argc, char **argv)
{
    sample_opts o;
    int rc = parse(argc, argv, &o);
    if (rc >= 0) return rc;
    ts_err err;
    ts_err_clear(&err);
    ts_stable law;
    ts_rng rng;
    if (ts_stable_init(&law, o.alpha, o.beta, o.scale, o.loc, o.param, &err))
        return ts_cli_usage_error("sample", "%s", err.msg);
    if (ts_rng_init(&rng, o.seed, 0, 0, TS_PURPOSE_SAMPLE, &err) || draw_all(&o, &law, &rng, &err))
        return ts_cli_fail("sample", &err);
    return TS_EXIT_OK;
}

const ts_command ts_cmd_sample = { "sample", "draw from an alpha-stable law (S0 or S1)", run, usage };
