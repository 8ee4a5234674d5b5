/* cmd_fit.c: `tailsweep fit`: fit an alpha-stable law to data, plus tail indices. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tailsweep/ts_stable_fit.h"
#include "tailsweep/ts_vec_reader.h"

static void usage(void)
{
    puts("usage: tailsweep fit DATA [--method koutrouvelis|mcculloch|mle] [--param S0|S1]\n"
         "\n"
         "Fit an alpha-stable law to DATA and estimate its tail index.\n"
         "DATA is a text or one-column CSV file (one value per line), or an HDF5\n"
         "dataset as FILE.h5:/path (e.g. results/fig6.h5:/tv), flattened.\n"
         "\n"
         "  --method M   koutrouvelis (ECF regression; default), mcculloch (quantiles)\n"
         "               or mle (maximum likelihood, with standard errors; alpha >= 0.5)\n"
         "  --param P    S1 (default; the papers' theta = beta) or S0 (Nolan)\n"
         "\n"
         "Prints alpha, beta, scale, loc, then the block-sum (Mohammadi et al. 2015)\n"
         "and Hill tail-index estimates (Hill is biased upward as alpha nears 2). The\n"
         "block sums are of the differences of the data's two halves: symmetric, so\n"
         "skewed laws are not biased (ts_tail_index_blocksum_sym).\n"
         "Exit: 0 ok, 2 bad arguments or unusable data, 3 unreadable file.");
}

static int run(int argc, char **argv)
{
    static const struct option lo[] = {
        { "method", required_argument, 0, 'm' }, { "param", required_argument, 0, 'p' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
    };
    ts_stable_param param = TS_S1;
    int method = 0;
    ts_err err = { 0 };
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
        if (c == 'm') {
            if (strcmp(optarg, "koutrouvelis") == 0) method = 0;
            else if (strcmp(optarg, "mcculloch") == 0) method = 1;
            else if (strcmp(optarg, "mle") == 0) method = 2;
            else return ts_cli_usage_error("fit", "--method: '%s' is not a method (available: koutrouvelis, "
                                           "mcculloch, mle)", optarg);
        } else if (c == 'p') {
            if (ts_stable_param_parse(optarg, &param, &err)) return ts_cli_usage_error("fit", "--param: %s", err.msg);
        } else if (c == 'h') {
            usage();
            return TS_EXIT_OK;
        } else {
            return ts_cli_bad_option("fit", argv[optind - 1], optopt);
        }
    }
    if (optind != argc - 1) return ts_cli_usage_error("fit", "expected one DATA argument");
    double *x;
    size_t n;
    if (ts_vec_read(argv[optind], &x, &n, &err)) return ts_cli_fail("fit", &err);
    ts_stable_fit f;
    double tb, th;
    size_t k;
    int rc = TS_EXIT_OK;
    static const char *const names[] = { "koutrouvelis", "mcculloch", "mle" };
    double se[4];
    ts_status fs = method == 0 ? ts_fit_koutrouvelis(x, n, param, &f, &err)
                 : method == 1 ? ts_fit_mcculloch(x, n, param, &f, &err)
                               : ts_fit_mle(x, n, param, 1, &f, se, &err);
    /* the MLE stopped at its alpha = 0.5 bound: the estimate is still the
     * best there is, so print it and say so */
    int at_bound = method == 2 && fs == TS_ERANGE;
    if (fs && !at_bound) rc = ts_cli_fail("fit", &err);
    else {
        if (at_bound) fprintf(stderr, "tailsweep fit: warning: %s\n", err.msg);
        printf("n %zu\nmethod %s\nparam %s\nalpha %.6g\nbeta %.6g\nscale %.6g\nloc %.6g\n", n,
               names[method], ts_stable_param_name(param), f.alpha, f.beta, f.scale, f.loc);
        if (method == 2)
            printf("se alpha %.3g beta %.3g scale %.3g loc %.3g\n", se[0], se[1], se[2], se[3]);
        if (ts_tail_index_blocksum_sym(x, n, &tb, &err)) printf("tail_index_blocksum unavailable: %s\n", err.msg);
        else printf("tail_index_blocksum %.6g\n", tb);
        if (ts_tail_index_hill(x, n, &th, &k, &err)) printf("tail_index_hill unavailable: %s\n", err.msg);
        else printf("tail_index_hill %.6g (k = %zu)\n", th, k);
    }
    free(x);
    return rc;
}

const ts_command ts_cmd_fit = { "fit", "fit an alpha-stable law to data; tail-index estimates", run, usage };
