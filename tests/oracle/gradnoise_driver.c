/* gradnoise_driver.c: runs tailsweep's noise statistics on vectors, for
 * tests/oracle/scipy_gradnoise.py.
 *
 *   gradnoise_driver METHOD MLE_MAX FILE...     (METHOD: mcculloch | mle)
 *
 * Prints one line per file: mean skew kurt tail_index alpha beta scale valid.
 * One process for all files: McCulloch's table is built once per process
 * (seconds under ASan). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_gradnoise.h"
#include "tailsweep/ts_vec_reader.h"

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s mcculloch|mle MLE_MAX FILE...\n", argv[0]);
        return 2;
    }
    ts_gradnoise_fit m = strcmp(argv[1], "mle") == 0 ? TS_GN_FIT_MLE : TS_GN_FIT_MCCULLOCH;
    for (int k = 3; k < argc; k++) {
        double *x;
        size_t n;
        ts_err err = { 0 };
        ts_gradnoise_stats s;
        if (ts_vec_read(argv[k], &x, &n, &err)) {
            fprintf(stderr, "gradnoise_driver: %s\n", err.msg);
            return 1;
        }
        if (ts_gradnoise_stats_compute(x, n, m, strtoul(argv[2], NULL, 10), &s, &err)) {
            fprintf(stderr, "gradnoise_driver: %s\n", err.msg);
            free(x);
            return 1;
        }
        printf("%.17g %.17g %.17g %.17g %.17g %.17g %.17g %u\n", s.mean, s.skew, s.kurt, s.tail_index, s.alpha,
               s.beta, s.scale, s.valid);
        free(x);
    }
    return 0;
}
