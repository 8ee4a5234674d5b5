/* cmd_dist.c: `tailsweep pdf`, `cdf` and `quantile`: evaluate an
 * alpha-stable law at the points given on the command line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tailsweep/ts_stable.h"
#include "tailsweep/ts_stable_dist.h"

typedef enum { MODE_PDF, MODE_CDF, MODE_QUANTILE } dist_mode;

static const char *mode_name(dist_mode m)
{
    return m == MODE_PDF ? "pdf" : m == MODE_CDF ? "cdf" : "quantile";
}

static struct {
    double alpha, beta, scale, loc;
    const char *param;
    int log, upper;
} args = { NAN, 0, 1, 0, "S1", 0, 0 };

#define LAW_OPTIONS                                                                                        \
    { "alpha", 0, TS_OPT_DOUBLE, "A", "stability index, 0 < A <= 2 (required)", &args.alpha, NULL },           \
    { "beta", 0, TS_OPT_DOUBLE, "B", "skewness (the papers' theta), -1 <= B <= 1 (default 0)", &args.beta, NULL }, \
    { "scale", 0, TS_OPT_DOUBLE, "S", "scale sigma > 0 (default 1); alpha = 2 gives variance 2 S^2", &args.scale,  \
      NULL },                                                                                                  \
    { "loc", 0, TS_OPT_DOUBLE, "M", "location (default 0)", &args.loc, NULL },                                 \
    { "param", 0, TS_OPT_STRING, "S0|S1", "S1 (Samorodnitsky-Taqqu, default) or S0 (Nolan)", &args.param, NULL }

static const ts_cli_opt pdf_options[] = {
    LAW_OPTIONS,
    { "log", 0, TS_OPT_FLAG, NULL, "print the log-density (accurate far in the tails, where\n"
      "the density itself underflows to 0)", &args.log, NULL },
    { 0 } };
static const ts_cli_opt cdf_options[] = {
    LAW_OPTIONS,
    { "upper", 0, TS_OPT_FLAG, NULL, "print P(X' > X) instead, computed directly (accurate in\n"
      "the upper tail, where 1 - cdf would round to 0)", &args.upper, NULL },
    { 0 } };
static const ts_cli_opt quantile_options[] = { LAW_OPTIONS, { 0 } };

#define DIST_EPILOG                                                                    \
    "Method: Nolan's (1997) integral by Gauss-Kronrod panels around its peak,\n"     \
    "closed forms for Gauss, Cauchy and Levy, series near zeta and in the tails,\n"  \
    "a saddlepoint expansion on light sides; about 1e-13 relative accuracy.\n"       \
    "Every point is printed; one that fails prints nan and is reported on stderr.\n" \
    "\n"                                                                               \
    "Exit: 0 ok, 1 numerical failure (some point), 2 bad argument."

static const ts_cli_spec specs[] = {
    [MODE_PDF] = { .cmd = "pdf", .usage = "--alpha A [options] X...",
                   .summary = "Print the density of S_alpha(scale, beta, loc) at each X, one line \"X value\".\n"
                              "A negative X is written as it is (-3); words after '--' are all points.",
                   .epilog = DIST_EPILOG, .opts = pdf_options, .min_pos = 1, .max_pos = -1,
                   .pos_name = "at least one point X", .numeric_positionals = 1 },
    [MODE_CDF] = { .cmd = "cdf", .usage = "--alpha A [options] X...",
                   .summary = "Print P(X' <= X) for X' ~ S_alpha(scale, beta, loc), one line \"X value\" per X.\n"
                              "A negative X is written as it is (-3); words after '--' are all points.",
                   .epilog = DIST_EPILOG, .opts = cdf_options, .min_pos = 1, .max_pos = -1,
                   .pos_name = "at least one point X", .numeric_positionals = 1 },
    [MODE_QUANTILE] = { .cmd = "quantile", .usage = "--alpha A [options] P...",
                        .summary = "Print the P-quantile of S_alpha(scale, beta, loc) for each P in (0, 1),\n"
                                   "one line \"P x\".",
                        .epilog = DIST_EPILOG, .opts = quantile_options, .min_pos = 1, .max_pos = -1,
                        .pos_name = "at least one probability P", .numeric_positionals = 1 },
};

static void usage_pdf(void) { ts_cli_help(&specs[MODE_PDF]); }
static void usage_cdf(void) { ts_cli_help(&specs[MODE_CDF]); }
static void usage_quantile(void) { ts_cli_help(&specs[MODE_QUANTILE]); }

typedef struct {
    double alpha, beta, scale, loc;
    ts_stable_param param;
    int log, upper;
} dist_opts;

/* Returns -1 to continue, else an exit code; *pts (malloc'd) holds the
 * points in the order given. */
static int parse(dist_mode mode, int argc, char **argv, dist_opts *o, char ***pts, int *npts)
{
    const char *cmd = mode_name(mode);
    int rc = ts_cli_parse(&specs[mode], argc, argv, pts, npts);
    if (rc >= 0) return rc;
    *o = (dist_opts){ args.alpha, args.beta, args.scale, args.loc, TS_S1, args.log, args.upper };
    ts_err err;
    if (ts_stable_param_parse(args.param, &o->param, &err)) return ts_cli_usage_error(cmd, "--param: %s", err.msg);
    if (isnan(o->alpha)) return ts_cli_usage_error(cmd, "--alpha is required");
    return -1;
}

static int run_mode(dist_mode mode, int argc, char **argv)
{
    const char *cmd = mode_name(mode);
    char **pts = NULL;
    double *val = malloc((size_t)(argc + 1) * sizeof *val);
    if (!val) {
        fprintf(stderr, "tailsweep %s: out of memory\n", cmd);
        return TS_EXIT_FAILURE;
    }
    dist_opts o;
    int n = 0, rc = parse(mode, argc, argv, &o, &pts, &n);
    ts_stable law;
    ts_err err;
    ts_err_clear(&err);
    if (rc < 0 && ts_stable_init(&law, o.alpha, o.beta, o.scale, o.loc, o.param, &err))
        rc = ts_cli_usage_error(cmd, "%s", err.msg);
    /* All points are checked before anything is printed. */
    for (int i = 0; rc < 0 && i < n; i++) {
        const char *name = mode == MODE_QUANTILE ? "P" : "X";
        if (ts_cli_double(cmd, name, pts[i], &val[i])) rc = TS_EXIT_USAGE;
        else if (mode == MODE_QUANTILE && !(val[i] > 0.0 && val[i] < 1.0))
            rc = ts_cli_usage_error(cmd, "P: '%s' is outside (0, 1)", pts[i]);
    }
    /* Every point is evaluated (one call, sharing the law's set-up) and
     * printed; a point that fails prints nan, its message goes to stderr,
     * and the exit status is 1. */
    ts_status *pst = rc < 0 ? malloc((size_t)(n + 1) * sizeof *pst) : NULL;
    if (rc < 0 && !pst) {
        fprintf(stderr, "tailsweep %s: out of memory\n", cmd);
        rc = TS_EXIT_FAILURE;
    }
    if (rc < 0) {
        ts_stable_fn fn = mode == MODE_PDF ? (o.log ? TS_STABLE_LOGPDF : TS_STABLE_PDF)
                          : mode == MODE_CDF ? (o.upper ? TS_STABLE_SF : TS_STABLE_CDF) : TS_STABLE_QUANTILE;
        double *v = malloc((size_t)(n + 1) * sizeof *v);
        if (!v) {
            fprintf(stderr, "tailsweep %s: out of memory\n", cmd);
            rc = TS_EXIT_FAILURE;
        } else {
            int failed = ts_stable_eval_vec(&law, fn, (size_t)n, val, v, pst, &err) != TS_OK;
            for (int i = 0; i < n; i++) printf("%s %.17g\n", pts[i], v[i]);
            for (int i = 0; failed && i < n; i++) {
                if (!pst[i]) continue;
                ts_err one, at;
                ts_err_clear(&one);
                ts_stable_eval_vec(&law, fn, 1, &val[i], &v[i], NULL, &one);   /* its own message */
                ts_err_set(&at, pst[i], "at %.40s: %.400s", pts[i], one.msg);
                rc = ts_cli_fail(cmd, &at);
            }
            free(v);
        }
    }
    free(pst);
    if (rc < 0) rc = fflush(stdout) == 0 ? TS_EXIT_OK : TS_EXIT_IO;
    free(pts);
    free(val);
    return rc;
}

static int run_pdf(int argc, char **argv) { return run_mode(MODE_PDF, argc, argv); }
static int run_cdf(int argc, char **argv) { return run_mode(MODE_CDF, argc, argv); }
static int run_quantile(int argc, char **argv) { return run_mode(MODE_QUANTILE, argc, argv); }

const ts_command ts_cmd_pdf = { "pdf", "density of an alpha-stable law at given points", run_pdf,
                                usage_pdf };
const ts_command ts_cmd_cdf = { "cdf", "distribution function of an alpha-stable law", run_cdf,
                                usage_cdf };
const ts_command ts_cmd_quantile = { "quantile", "quantiles of an alpha-stable law",
                                     run_quantile, usage_quantile };
