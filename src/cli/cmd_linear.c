/* cmd_linear.c: `tailsweep linear`: one linear-model SGD task run directly, no MPI needed. */
#include <stdio.h>

#include "cli.h"
#include "tailsweep/ts_kind.h"

static double res(const ts_result_layout *l, double *const *out, const char *name)
{
    return ts_cli_value(l, out, name, 0);
}

static void summary(const ts_task *t, const ts_result_layout *l, double *const *out, double secs)
{
    const ts_params *p = &t->params;
    printf("linear: model %s optimizer %s n %g d %g B %g eta %g sigma %g clip %g: %g steps in %.2f s\n",
           ts_params_choice_name(p, "model"), ts_params_choice_name(p, "optimizer"), ts_params_get(p, "n"),
           ts_params_get(p, "d"), ts_params_get(p, "B"), ts_params_get(p, "eta"), ts_params_get(p, "sigma"),
           ts_params_get(p, "clip"), ts_params_get(p, "steps"), secs);
    printf("final: train_loss %.6g  test_loss %.6g  beta_err %.6g  beta_l1 %.6g  dist_min_norm %.6g\n",
           res(l, out, "final_train_loss"), res(l, out, "final_test_loss"), res(l, out, "final_beta_err"),
           res(l, out, "final_beta_l1"), res(l, out, "dist_min_norm"));
    printf("tail index: blocksum %.4g  hill %.4g (k %g)\n", res(l, out, "tail_index_blocksum"),
           res(l, out, "tail_index_hill"), res(l, out, "hill_k"));
    printf("clipped %.4g  diverged %g at step %g\n", res(l, out, "clipped_frac"), res(l, out, "diverged"),
           res(l, out, "diverged_at"));
}

static int run(int argc, char **argv) { return ts_cli_run_kind(&ts_kind_linear, argc, argv, summary); }
static void usage(void) { ts_cli_kind_usage("linear", &ts_kind_linear); }

const ts_command ts_cmd_linear = {
    "linear", "run one linear-model SGD point: least squares or diagonal network, curves and tail index", run, usage
};
