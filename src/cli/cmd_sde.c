/* cmd_sde.c: `tailsweep sde`: one SDE task run directly, no MPI needed. */
#include <stdio.h>

#include "cli.h"
#include "tailsweep/ts_kind.h"

/* Result `name` of coordinate i, entry k of its trailing axis (n per
 * coordinate); results of one coordinate carry no coord axis. */
static double at(const ts_result_layout *l, double *const *out, const char *name, size_t i, size_t n, size_t k)
{
    return ts_cli_value(l, out, name, i * n + k);
}

static double res(const ts_result_layout *l, double *const *out, const char *name, size_t i)
{
    return ts_cli_value(l, out, name, i);
}

static void summary(const ts_task *t, const ts_result_layout *l, double *const *out, double secs)
{
    size_t d = (size_t)ts_params_get(&t->params, "dim");
    double steps = ts_params_get(&t->params, "steps"), chains = ts_params_get(&t->params, "chains");
    size_t B = ts_cli_size(l, "minima") / d, T = ts_cli_size(l, "test_mean") / d;
    printf("sde: alpha %g theta %g eps %g eta %g scheme %s drift %s: %.3g chain-steps in %.2f s (%.1f M/s)\n",
           ts_params_get(&t->params, "alpha"), ts_params_get(&t->params, "theta"),
           ts_params_get(&t->params, "eps"), ts_params_get(&t->params, "eta"),
           ts_params_choice_name(&t->params, "scheme"), ts_params_choice_name(&t->params, "drift"),
           steps * chains * (double)d, secs, steps * chains * (double)d / secs / 1e6);
    printf("diverged chains: %g of %g\n", res(l, out, "diverged", 0), chains);
    for (size_t i = 0; i < d; i++) {
        printf("coord %zu: bw %.4g  tv %.4f  kl(est|gibbs) %.4f  kl(gibbs|est) %.4f  hellinger %.4f  w1 %.4f  out_mass %.3g\n",
               i, res(l, out, "bandwidth", i), res(l, out, "tv", i), res(l, out, "kl_est_gibbs", i),
               res(l, out, "kl_gibbs_est", i), res(l, out, "hellinger", i), res(l, out, "w1", i),
               res(l, out, "out_mass", i));
        for (size_t m = 0; m < (size_t)res(l, out, "n_minima", i); m++) {
            printf("  minimum %+.4f  mode %+.4f  shift %+.4f\n", at(l, out, "minima", i, B, m),
                   at(l, out, "mode", i, B, m), at(l, out, "mode_shift", i, B, m));
            printf("    basin [%+.4g, %+.4g]  occupancy %.4f +- %.4f (gibbs %.4f, law %.4f)  exits %g  "
                   "exit_rate %.4g +- %.2g (law %.4g)  exit_time %.4g +- %.2g (%g)\n",
                   at(l, out, "basin_lo", i, B, m), at(l, out, "basin_hi", i, B, m),
                   at(l, out, "occupancy", i, B, m), at(l, out, "occupancy_se", i, B, m),
                   at(l, out, "gibbs_occupancy", i, B, m), at(l, out, "occupancy_law", i, B, m),
                   at(l, out, "exits", i, B, m), at(l, out, "exit_rate", i, B, m),
                   at(l, out, "exit_rate_se", i, B, m), at(l, out, "exit_rate_law", i, B, m),
                   at(l, out, "exit_time", i, B, m), at(l, out, "exit_time_se", i, B, m),
                   at(l, out, "exit_time_count", i, B, m));
        }
        for (size_t k = 0; k < T; k++)
            printf("  test %zu: nu_N %+.6g +- %.2g  unweighted %+.6g  gibbs %+.6g  error %+.4g\n", k,
                   at(l, out, "test_mean", i, T, k), at(l, out, "test_mean_se", i, T, k),
                   at(l, out, "test_mean_unweighted", i, T, k), at(l, out, "test_gibbs", i, T, k),
                   at(l, out, "test_error", i, T, k));
    }
}

static int run(int argc, char **argv) { return ts_cli_run_kind(&ts_kind_sde, argc, argv, summary); }
static void usage(void) { ts_cli_kind_usage("sde", &ts_kind_sde); }

const ts_command ts_cmd_sde = {
    "sde", "simulate one SDE point: stationary density and its bias against Gibbs", run, usage
};
