/* cmd_sde.c: `tailsweep sde`: one SDE task run directly, no MPI needed. */
#include <stdio.h>

#include "cli.h"
#include "tailsweep/ts_kind.h"

static const double *res(const ts_result_layout *l, double *const *out, const char *name)
{
    return out[ts_result_find(l, name)];
}

static void summary(const ts_task *t, const ts_result_layout *l, double *const *out, double secs)
{
    size_t d = (size_t)ts_params_get(&t->params, "dim");
    double steps = ts_params_get(&t->params, "steps"), chains = ts_params_get(&t->params, "chains");
    printf("sde: alpha %g theta %g eps %g eta %g scheme %s drift %s: %.3g chain-steps in %.2f s (%.1f M/s)\n",
           ts_params_get(&t->params, "alpha"), ts_params_get(&t->params, "theta"),
           ts_params_get(&t->params, "eps"), ts_params_get(&t->params, "eta"),
           ts_params_choice_name(&t->params, "scheme"), ts_params_choice_name(&t->params, "drift"),
           steps * chains * (double)d, secs, steps * chains * (double)d / secs / 1e6);
    printf("diverged chains: %g of %g\n", res(l, out, "diverged")[0], chains);
    for (size_t i = 0; i < d; i++) {
        printf("coord %zu: bw %.4g  tv %.4f  kl(est|gibbs) %.4f  kl(gibbs|est) %.4f  hellinger %.4f  w1 %.4f  out_mass %.3g\n",
               i, res(l, out, "bandwidth")[i], res(l, out, "tv")[i], res(l, out, "kl_est_gibbs")[i],
               res(l, out, "kl_gibbs_est")[i], res(l, out, "hellinger")[i], res(l, out, "w1")[i],
               res(l, out, "out_mass")[i]);
        for (size_t m = 0; m < (size_t)res(l, out, "n_minima")[i]; m++)
            printf("  minimum %+.4f  mode %+.4f  shift %+.4f\n", res(l, out, "minima")[2 * i + m],
                   res(l, out, "mode")[2 * i + m], res(l, out, "mode_shift")[2 * i + m]);
    }
}

static int run(int argc, char **argv) { return ts_cli_run_kind(&ts_kind_sde, argc, argv, summary); }
static void usage(void) { ts_cli_kind_usage("sde", &ts_kind_sde); }

const ts_command ts_cmd_sde = {
    "sde", "simulate one SDE point: stationary density and its bias against Gibbs", run, usage
};
