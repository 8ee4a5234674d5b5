/* stable_fast_driver.c: the fast stable density for the scipy oracle
 * (tests/oracle/scipy_stable_fast.py).
 *   stable_fast_driver ALPHA BETA S0|S1 < xs > "logpdf" lines
 * Reads x values (one a line) from stdin, prints log f(x) of the
 * standardised law with 17 significant digits, after a first line
 * "info N H X YLO YHI YLOC YHIC BAND INTERP_EST TAIL_EST". */
#include <stdio.h>
#include <stdlib.h>

#include "tailsweep/ts_stable_fast.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: stable_fast_driver ALPHA BETA S0|S1 < xs\n");
        return 2;
    }
    ts_err err = { 0 };
    ts_stable_param param;
    if (ts_stable_param_parse(argv[3], &param, &err)) {
        fprintf(stderr, "stable_fast_driver: %s\n", err.msg);
        return 2;
    }
    ts_stable_fast *d = ts_stable_fast_alloc(atof(argv[1]), atof(argv[2]), param, &err);
    if (!d) {
        fprintf(stderr, "stable_fast_driver: %s\n", err.msg);
        return 1;
    }
    ts_stable_fast_info in;
    ts_stable_fast_get_info(d, &in);
    printf("info %zu %.17g %.17g %.17g %.17g %.17g %.17g %d %.3g %.3g\n", in.fft_n, in.h, in.x_tail, in.y_lo,
           in.y_hi, in.y_lo_cert, in.y_hi_cert, in.band, in.interp_err_est, in.tail_err_est);
    double x;
    while (scanf("%lf", &x) == 1) printf("%.17g\n", ts_stable_fast_logpdf(d, x));
    ts_stable_fast_free(d);
    return 0;
}
