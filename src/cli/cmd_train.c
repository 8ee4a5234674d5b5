/* cmd_train.c: `tailsweep train`: one GNI training run (a task of kind gni)
 * directly, no job file or MPI needed. */
#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "tailsweep/ts_gradnoise.h"
#include "tailsweep/ts_kind.h"

static double res(const ts_result_layout *l, double *const *out, const char *name, size_t i)
{
    return ts_cli_value(l, out, name, i);
}

/* "-" for values never measured or undefined (NaN) */
static void num(const char *fmt, double v)
{
    if (isnan(v)) printf("%10s", "-");
    else printf(fmt, v);
}

static void summary(const ts_task *t, const ts_result_layout *l, double *const *out, double secs)
{
    const ts_params *p = &t->params;
    int li = ts_result_find(l, "train_loss"), gi = ts_result_find(l, "gradnoise_mean");
    if (li < 0 || gi < 0 || !l->r[li].coords[0]) {
        printf("gni: the layout has no train_loss or gradnoise_mean curve to summarise\n");
        return;
    }
    /* the store's weight layers from the result shapes: a CNN's blocks, then
     * depth + 1 or max_depth + 1 (output last) */
    size_t K = l->r[li].dims[0], depth = (size_t)ts_params_get(p, "depth");
    size_t L = l->r[gi].dims[0], H = L - 1;
    const double *steps = l->r[li].coords[0];
    int acc = ts_result_find(l, "train_accuracy") >= 0;
    int cnn = ts_params_choice(p, "arch") == 1;
    printf("gni: data %s, %s%s%s%zu x %g %s, noise %s sigma2 %g (variance), M %g, lr %g, batch %g, %g steps in %.2f s\n",
           ts_params_choice_name(p, "data"), cnn ? "conv " : "", cnn ? ts_params_str(p, "conv") : "", cnn ? " + " : "",
           depth, ts_params_get(p, "width"), ts_params_choice_name(p, "act"),
           ts_params_choice_name(p, "noise"), ts_params_get(p, "sigma2"), ts_params_get(p, "M"),
           ts_params_get(p, "lr"), ts_params_get(p, "batch"), ts_params_get(p, "steps"), secs);
    printf("%8s %10s %10s%s\n", "step", "train", "test", acc ? "  train_acc   test_acc" : "");
    for (size_t k = 0; k < K; k++) {
        printf("%8.0f ", steps[k]);
        num("%10.5g", res(l, out, "train_loss", k));
        printf(" ");
        num("%10.5g", res(l, out, "test_loss", k));
        if (acc) {
            printf(" ");
            num("%10.4f", res(l, out, "train_accuracy", k));
            printf(" ");
            num("%10.4f", res(l, out, "test_accuracy", k));
        }
        printf("\n");
    }
    /* the last step whose gradient noise was measured */
    long last = -1;
    for (size_t k = 0; k < K; k++)
        if (res(l, out, "gradnoise_valid", k) != 0 && !isnan(res(l, out, "gradnoise_valid", k))) last = (long)k;
    if (last >= 0) {
        static const char *const what[] = { "implicit-effect", "minibatch", "total (eq. 4.2)" };
        printf("%s gradient noise at step %.0f (per weight layer):\n", what[ts_params_choice(p, "gradnoise_source")],
               steps[last]);
        printf("%6s %10s %10s %10s %10s %10s %10s %10s\n", "layer", "mean", "skew", "kurt", "tail", "alpha",
               "beta", "scale");
        const char *names[] = { "gradnoise_mean", "gradnoise_skew", "gradnoise_kurt", "gradnoise_tail_index",
                                "gradnoise_alpha", "gradnoise_beta", "gradnoise_scale" };
        for (size_t ly = 0; ly < L; ly++) {
            printf("%6zu ", ly);
            for (int j = 0; j < 7; j++) {
                num("%10.4g", res(l, out, names[j], ly * K + (size_t)last));
                printf(" ");
            }
            printf("\n");
        }
        printf("activation perturbation (per hidden layer): ");
        for (size_t h = 0; h < H; h++) {
            printf("%s[%zu] skew ", h ? ", " : "", h + 1);
            num("%.3g", res(l, out, "actnoise_skew", h * K + (size_t)last));
            printf(" kurt ");
            num("%.3g", res(l, out, "actnoise_kurt", h * K + (size_t)last));
        }
        printf("\n");
    }
    printf("final train loss ");
    num("%.6g", res(l, out, "final_train_loss", 0));
    printf(", test loss ");
    num("%.6g", res(l, out, "final_test_loss", 0));
    if (acc) {
        printf(", test accuracy ");
        num("%.4f", res(l, out, "final_test_accuracy", 0));
    }
    printf("\nexplicit effect: ");
    num("%.6g", res(l, out, "explicit_reg", 0));
    printf(" (Monte Carlo ");
    num("%.6g", res(l, out, "explicit_reg_mc", 0));
    printf(")%s\n", ts_params_choice(p, "objective") == 1 ? ", trained on L + R" : "");
    double div = res(l, out, "diverged_at", 0);
    if (!isnan(div)) printf("diverged at step %.0f (loss not finite)\n", div);
}

static int run(int argc, char **argv) { return ts_cli_run_kind(&ts_kind_gni, argc, argv, summary); }
static void usage(void) { ts_cli_kind_usage("train", &ts_kind_gni); }
static void usage_gni(void) { ts_cli_kind_usage("gni", &ts_kind_gni); }

const ts_command ts_cmd_train = {
    "train", "train one MLP or CNN with Gaussian noise injections: losses, gradient-noise statistics", run, usage
};
/* The kind's own name, as `tailsweep sde` is the sde kind's. */
const ts_command ts_cmd_gni = { "gni", "the same as train (the kind's name)", run, usage_gni };
