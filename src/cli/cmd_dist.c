/* cmd_dist.c: `tailsweep pdf`, `cdf` and `quantile`: evaluate an
 * alpha-stable law at the points given on the command line. */
#include <getopt.h>
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

static void usage_common(dist_mode m)
{
    const char *pos = m == MODE_QUANTILE ? "P" : "X";
    printf("usage: tailsweep %s --alpha A [--beta B] [--scale S] [--loc M] [--param S0|S1]%s %s...\n\n",
           mode_name(m), m == MODE_PDF ? " [--log]" : m == MODE_CDF ? " [--upper]" : "", pos);
    if (m == MODE_PDF)
        puts("Print the density of S_alpha(scale, beta, loc) at each X, one line \"X value\".\n"
             "  --log          print the log-density (accurate far in the tails, where\n"
             "                 the density itself underflows to 0)");
    else if (m == MODE_CDF)
        puts("Print P(X' <= X) for X' ~ S_alpha(scale, beta, loc), one line \"X value\" per X.\n"
             "  --upper        print P(X' > X) instead, computed directly (accurate in the\n"
             "                 upper tail, where 1 - cdf would round to 0)");
    else
        puts("Print the P-quantile of S_alpha(scale, beta, loc) for each P in (0, 1),\n"
             "one line \"P x\".");
    puts("  --alpha A      stability index, 0 < A <= 2 (required)\n"
         "  --beta B       skewness (the papers' theta), -1 <= B <= 1 (default 0)\n"
         "  --scale S      scale sigma > 0 (default 1); alpha = 2 gives variance 2 S^2\n"
         "  --loc M        location (default 0)\n"
         "  --param P      S1 (Samorodnitsky-Taqqu, default) or S0 (Nolan)\n"
         "Negative points may be written as they are (-3) or after '--'.\n"
         "Method: Nolan's (1997) integral by Gauss-Kronrod panels around its peak,\n"
         "closed forms for Gauss, Cauchy and Levy, series near zeta and in the tails,\n"
         "a saddlepoint expansion on light sides; about 1e-13 relative accuracy.\n"
         "Every point is printed; one that fails prints nan and is reported on stderr.\n"
         "\n"
         "Exit: 0 ok, 1 numerical failure (some point), 2 bad argument.");
}

static void usage_pdf(void) { usage_common(MODE_PDF); }
static void usage_cdf(void) { usage_common(MODE_CDF); }
static void usage_quantile(void) { usage_common(MODE_QUANTILE); }

typedef struct {
    double alpha, beta, scale, loc;
    ts_stable_param param;
    int have_alpha, log, upper;
} dist_opts;

/* Does text read as a number (e.g. "-3", "-.5", "-1e3", "-inf")? Such a
 * word is a point, not an option, unless it is an option's value. */
static int numeric_word(const char *text)
{
    char *end;
    strtod(text, &end);
    return end != text && *end == '\0';
}

/* Options that take a separate value word. */
static int takes_value(const char *w)
{
    static const char *const opts[] = { "--alpha", "--beta", "--scale", "--loc", "--param" };
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (strcmp(w, opts[i]) == 0) return 1;
    return 0;
}

/* Returns -1 to continue, else an exit code. On return the points are
 * pts[0..*npts) (pointers into argv). getopt would read a negative point
 * ("-3") as an option, so such words are kept from it (rest: its argv). */
static int parse(dist_mode mode, int argc, char **argv, dist_opts *o, char **pts, int *npts,
                 char **rest)
{
    const char *cmd = mode_name(mode);
    static const struct option longopts[] = {
        { "alpha", required_argument, 0, 'a' }, { "beta", required_argument, 0, 'b' },
        { "scale", required_argument, 0, 's' }, { "loc", required_argument, 0, 'l' },
        { "param", required_argument, 0, 'p' }, { "log", no_argument, 0, 'L' },
        { "upper", no_argument, 0, 'U' },       { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 }
    };
    *o = (dist_opts){ .beta = 0, .scale = 1, .loc = 0, .param = TS_S1 };
    /* getopt sees everything but the points that look like options: the
     * negative numbers and whatever follows "--". */
    int nrest = 0;
    rest[nrest++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *w = argv[i];
        if (strcmp(w, "--") == 0) break;
        if (w[0] == '-' && numeric_word(w)) continue;
        rest[nrest++] = argv[i];
        if (takes_value(w) && i + 1 < argc) rest[nrest++] = argv[++i];
    }
    rest[nrest] = NULL;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(nrest, rest, ":h", longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'a': bad = ts_cli_double(cmd, "--alpha", optarg, &o->alpha); o->have_alpha = 1; break;
        case 'b': bad = ts_cli_double(cmd, "--beta", optarg, &o->beta); break;
        case 's': bad = ts_cli_double(cmd, "--scale", optarg, &o->scale); break;
        case 'l': bad = ts_cli_double(cmd, "--loc", optarg, &o->loc); break;
        case 'p': {
            ts_err err;
            if (ts_stable_param_parse(optarg, &o->param, &err))
                return ts_cli_usage_error(cmd, "--param: %s", err.msg);
            break;
        }
        case 'L':
            if (mode != MODE_PDF) return ts_cli_bad_option(cmd, rest[optind - 1], 0);
            o->log = 1;
            break;
        case 'U':
            if (mode != MODE_CDF) return ts_cli_bad_option(cmd, rest[optind - 1], 0);
            o->upper = 1;
            break;
        case 'h': usage_common(mode); return TS_EXIT_OK;
        case ':': return ts_cli_usage_error(cmd, "%s needs a value", rest[optind - 1]);
        default: return ts_cli_bad_option(cmd, rest[optind - 1], optopt);
        }
        if (bad) return TS_EXIT_USAGE;
    }
    /* The points, in the order given: every word that is not an option or
     * an option's value. */
    *npts = 0;
    int after_dashdash = 0;
    for (int i = 1; i < argc; i++) {
        const char *w = argv[i];
        if (!after_dashdash && strcmp(w, "--") == 0) { after_dashdash = 1; continue; }
        if (!after_dashdash && w[0] == '-' && !numeric_word(w)) {
            if (takes_value(w) && i + 1 < argc) i++;
            continue;
        }
        pts[(*npts)++] = argv[i];
    }
    if (!o->have_alpha) return ts_cli_usage_error(cmd, "--alpha is required");
    if (*npts == 0)
        return ts_cli_usage_error(cmd, "no %s given: name at least one point",
                                  mode == MODE_QUANTILE ? "P" : "X");
    return -1;
}

static int run_mode(dist_mode mode, int argc, char **argv)
{
    const char *cmd = mode_name(mode);
    char **pts = malloc((size_t)(argc + 1) * sizeof *pts);
    char **rest = malloc((size_t)(argc + 1) * sizeof *rest);
    double *val = malloc((size_t)(argc + 1) * sizeof *val);
    if (!pts || !rest || !val) {
        free(pts); free(rest); free(val);
        fprintf(stderr, "tailsweep %s: out of memory\n", cmd);
        return TS_EXIT_FAILURE;
    }
    dist_opts o;
    int n = 0, rc = parse(mode, argc, argv, &o, pts, &n, rest);
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
    free(rest);
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
