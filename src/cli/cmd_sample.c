/* cmd_sample.c: `tailsweep sample`: draws from an alpha-stable law. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tailsweep/ts_rng.h"
#include "tailsweep/ts_stable.h"
#include "tailsweep/ts_vec_writer.h"
#include "tailsweep/ts_version.h"

static void usage(void)
{
    puts("usage: tailsweep sample --alpha A [--beta B] [--scale S] [--loc M]\n"
         "                        [--param S0|S1] [-n N] [--seed SEED] [-o FILE] [--force]\n"
         "\n"
         "Draw N values of the alpha-stable law S_alpha(scale, beta, loc).\n"
         "\n"
         "  --alpha A      stability index, 0 < A <= 2 (required)\n"
         "  --beta B       skewness (the papers' theta), -1 <= B <= 1 (default 0)\n"
         "  --scale S      scale sigma > 0 (default 1); alpha = 2 gives variance 2 S^2\n"
         "  --loc M        location (default 0)\n"
         "  --param P      S1 (Samorodnitsky-Taqqu, default) or S0 (Nolan)\n"
         "  -n N           number of draws (default 10)\n"
         "  --seed SEED    job seed, 0 <= SEED < 2^64 (default 1); the draws come from\n"
         "                 stream (SEED, task 0, replicate 0, purpose 'sample')\n"
         "  -o, --output FILE\n"
         "                 write to FILE, by its ending: .h5/.hdf5 gives HDF5 (dataset\n"
         "                 /samples, parameters as attributes), .csv gives CSV (one\n"
         "                 column 'samples'), anything else text; default: stdout\n"
         "  --force        overwrite FILE if it exists\n"
         "\n"
         "Exit: 0 ok, 2 bad argument, 3 file error.");
}

typedef struct {
    double alpha, beta, scale, loc;
    ts_stable_param param;
    uint64_t n, seed;
    const char *out;
    int force, have_alpha;
} sample_opts;

/* Returns -1 to continue, else an exit code. */
static int parse(int argc, char **argv, sample_opts *o)
{
    static const struct option longopts[] = {
        { "alpha", required_argument, 0, 'a' }, { "beta", required_argument, 0, 'b' },
        { "scale", required_argument, 0, 's' }, { "loc", required_argument, 0, 'l' },
        { "param", required_argument, 0, 'p' }, { "seed", required_argument, 0, 'S' },
        { "output", required_argument, 0, 'o' }, { "force", no_argument, 0, 'f' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
    };
    *o = (sample_opts){ .beta = 0, .scale = 1, .loc = 0, .param = TS_S1, .n = 10, .seed = 1 };
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":n:o:h", longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'a': bad = ts_cli_double("sample", "--alpha", optarg, &o->alpha); o->have_alpha = 1; break;
        case 'b': bad = ts_cli_double("sample", "--beta", optarg, &o->beta); break;
        case 's': bad = ts_cli_double("sample", "--scale", optarg, &o->scale); break;
        case 'l': bad = ts_cli_double("sample", "--loc", optarg, &o->loc); break;
        case 'n': bad = ts_cli_u64("sample", "-n", optarg, &o->n); break;
        case 'S': bad = ts_cli_u64("sample", "--seed", optarg, &o->seed); break;
        case 'o': o->out = optarg; break;
        case 'f': o->force = 1; break;
        case 'p': {
            ts_err err;
            if (ts_stable_param_parse(optarg, &o->param, &err))
                return ts_cli_usage_error("sample", "--param: %s", err.msg);
            break;
        }
        case 'h': usage(); return TS_EXIT_OK;
        case ':': return ts_cli_usage_error("sample", "%s needs a value", argv[optind - 1]);
        default: return ts_cli_bad_option("sample", argv[optind - 1], optopt);
        }
        if (bad) return TS_EXIT_USAGE;
    }
    if (optind < argc)
        return ts_cli_usage_error("sample", "unexpected argument '%s'", argv[optind]);
    if (!o->have_alpha)
        return ts_cli_usage_error("sample", "--alpha is required");
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
    ts_status st = ts_vec_writer_open(&w, o->out, "samples", (size_t)o->n, attrs,
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
