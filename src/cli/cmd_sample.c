/* cmd_sample.c: `tailsweep sample`: draws from an alpha-stable law, or from
 * the symmetric sub-Weibull law of the paper's figure 3 (--law subweibull). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tailsweep/ts_rng.h"
#include "tailsweep/ts_stable.h"
#include "tailsweep/ts_subweibull.h"
#include "tailsweep/ts_vec_writer.h"
#include "tailsweep/ts_version.h"

typedef struct {
    double alpha, beta, scale, loc, r;
    int subweibull;
    ts_stable_param param;
    uint64_t n, seed;
    const char *out;
    int force;
} sample_opts;

static struct {
    double alpha, beta, scale, loc, r;
    const char *param, *out, *law;
    uint64_t n, seed;
    int force;
} args = { NAN, 0, 1, 0, NAN, "S1", NULL, "stable", 10, 1, 0 };

static const ts_cli_opt options[] = {
    { "law", 0, TS_OPT_STRING, "stable|subweibull", "the law: alpha-stable (default), or the symmetric\n"
      "sub-Weibull law of tail parameter --r, P(|X| > x) = exp(-(x/S)^(1/r))", &args.law, NULL },
    { "r", 0, TS_OPT_DOUBLE, "R", "(subweibull) tail parameter, 0 < R <= 50 (required)", &args.r, NULL },
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
             "                        [-n N] [--seed SEED] [-o FILE] [--force]\n"
             "       tailsweep sample --law subweibull --r R [--scale S] [-n N] [--seed SEED] [-o FILE] [--force]",
    .summary = "Draw N values of the alpha-stable law S_alpha(scale, beta, loc), or of the\n"
               "symmetric sub-Weibull law (scipy.stats.dweibull(c = 1/R, scale = S);\n"
               "docs/math.md section 4.7).",
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
    *o = (sample_opts){ args.alpha, args.beta, args.scale, args.loc, args.r, 0, TS_S1, args.n, args.seed, args.out,
                        args.force };
    ts_err err;
    static const char *const laws[] = { "stable", "subweibull" };
    if (strcmp(args.law, "subweibull") == 0) {
        static const char *const stable_only[] = { "alpha", "beta", "loc", "param" };
        for (int i = 0; i < 4; i++)
            if (ts_cli_seen(&spec, stable_only[i]))
                return ts_cli_usage_error("sample", "--%s belongs to --law stable, not subweibull", stable_only[i]);
        if (isnan(o->r)) return ts_cli_usage_error("sample", "--law subweibull needs --r R (its tail parameter)");
        o->subweibull = 1;
        return -1;
    }
    if (strcmp(args.law, "stable") != 0) {
        const char *near = ts_cli_suggest(args.law, laws, 2);
        return ts_cli_usage_error("sample", "--law: '%s' is not a law (stable, subweibull)%s%s%s", args.law,
                                  near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
    }
    if (ts_cli_seen(&spec, "r")) return ts_cli_usage_error("sample", "--r belongs to --law subweibull");
    if (ts_stable_param_parse(args.param, &o->param, &err)) return ts_cli_usage_error("sample", "--param: %s", err.msg);
    if (isnan(o->alpha)) return ts_cli_usage_error("sample", "--alpha is required");
    return -1;
}

static int draw_all(const sample_opts *o, const ts_stable *law, const ts_subweibull *sw, ts_rng *rng, ts_err *err)
{
    ts_attr stable_attrs[] = {
        { "alpha", TS_ATTR_DOUBLE, o->alpha, 0, NULL },
        { "beta", TS_ATTR_DOUBLE, o->beta, 0, NULL },
        { "scale", TS_ATTR_DOUBLE, o->scale, 0, NULL },
        { "loc", TS_ATTR_DOUBLE, o->loc, 0, NULL },
        { "param", TS_ATTR_STRING, 0, 0, ts_stable_param_name(o->param) },
        { "seed", TS_ATTR_STRING, 0, 0, NULL },
        { "rng", TS_ATTR_STRING, 0, 0, "xoshiro256++ x8 lanes seeded by philox4x32-10; stream (seed, task 0, replicate 0, purpose sample)" },
        { "tailsweep_version", TS_ATTR_STRING, 0, 0, TS_VERSION },
    };
    ts_attr sw_attrs[] = {
        { "law", TS_ATTR_STRING, 0, 0, "subweibull: P(|X| > x) = exp(-(x/scale)^(1/r)), symmetric" },
        { "r", TS_ATTR_DOUBLE, o->r, 0, NULL },
        { "scale", TS_ATTR_DOUBLE, o->scale, 0, NULL },
        { "seed", TS_ATTR_STRING, 0, 0, NULL },
        { "rng", TS_ATTR_STRING, 0, 0, "xoshiro256++ x8 lanes seeded by philox4x32-10; stream (seed, task 0, replicate 0, purpose sample)" },
        { "tailsweep_version", TS_ATTR_STRING, 0, 0, TS_VERSION },
    };
    char seed_text[24];   /* a u64 does not fit an int64 attribute: store its decimal text */
    snprintf(seed_text, sizeof seed_text, "%llu", (unsigned long long)o->seed);
    stable_attrs[5].s = seed_text;
    sw_attrs[3].s = seed_text;
    ts_attr *attrs = sw ? sw_attrs : stable_attrs;
    size_t n_attrs = sw ? sizeof sw_attrs / sizeof sw_attrs[0] : sizeof stable_attrs / sizeof stable_attrs[0];
    ts_vec_writer *w;
    ts_status st = ts_vec_writer_open(&w, o->out, stdout, "samples", (size_t)o->n, attrs, n_attrs, o->force, err);
    if (st) return st;
    enum { CHUNK = 1 << 16 };
    double *buf = malloc(CHUNK * sizeof *buf);
    if (!buf) { ts_vec_writer_abort(w); return ts_err_set(err, TS_ENOMEM, "out of memory"); }
    for (uint64_t done = 0; done < o->n && !st;) {
        size_t m = o->n - done < CHUNK ? (size_t)(o->n - done) : CHUNK;
        if (sw) ts_subweibull_fill(sw, rng, m, buf);
        else ts_stable_fill(law, rng, m, buf);
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
    ts_subweibull sw;
    ts_rng rng;
    if (o.subweibull ? ts_subweibull_init(&sw, o.r, o.scale, &err)
                     : ts_stable_init(&law, o.alpha, o.beta, o.scale, o.loc, o.param, &err))
        return ts_cli_usage_error("sample", "%s", err.msg);
    if (ts_rng_init(&rng, o.seed, 0, 0, TS_PURPOSE_SAMPLE, &err) ||
        draw_all(&o, &law, o.subweibull ? &sw : NULL, &rng, &err))
        return ts_cli_fail("sample", &err);
    return TS_EXIT_OK;
}

const ts_command ts_cmd_sample = { "sample", "draw from an alpha-stable law (S0 or S1) or a sub-Weibull one", run, usage };
