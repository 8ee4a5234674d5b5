/* kde_driver.c: feeds samples from stdin through tailsweep's density module,
 * for tests/oracle/sklearn_kde.py (which compiles it).
 *
 *   kde_driver LO HI G BW < samples      (one sample per line)
 *
 * Prints "key value" lines: total, below, above, silverman, isj, isj_status;
 * then G lines "x weight binned direct": the grid, the linear-binning
 * weights, ts_kde_binned and ts_kde_direct (all samples) with bandwidth BW. */
#include <stdio.h>
#include <stdlib.h>

#include "tailsweep/ts_density.h"
#include "tailsweep/ts_vec_reader.h"

static int fail(const char *what, const ts_err *err)
{
    fprintf(stderr, "kde_driver: %s: %s\n", what, err->msg);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s LO HI G BW < samples\n", argv[0]);
        return 2;
    }
    double lo = strtod(argv[1], NULL), hi = strtod(argv[2], NULL), bw = strtod(argv[4], NULL);
    size_t G = strtoul(argv[3], NULL, 10), n;
    double *x;
    ts_err err;
    if (ts_vec_read("/dev/stdin", &x, &n, &err)) return fail("samples", &err);
    ts_grid1d g;
    if (ts_grid1d_init(&g, lo, hi, G, &err)) return fail("grid", &err);
    ts_bins *b = ts_bins_alloc(&g, &err);
    double *fb = malloc(G * sizeof *fb), *fd = malloc(G * sizeof *fd);
    if (!b || !fb || !fd) return fail("alloc", &err);
    for (size_t j = 0; j < n; j++) ts_bins_add(b, x[j]);
    double hs = 0, hi_ = 0;
    if (ts_bw_silverman(b, &hs, &err)) return fail("silverman", &err);
    ts_status st = ts_bw_isj(b, &hi_, &err);
    if (st != TS_OK && st != TS_ERANGE) return fail("isj", &err);
    if (ts_kde_binned(b, bw, fb, &err)) return fail("kde_binned", &err);
    if (ts_kde_direct(x, n, bw, &g, fd, &err)) return fail("kde_direct", &err);
    printf("total %.17g\nbelow %.17g\nabove %.17g\nsilverman %.17g\nisj %.17g\nisj_status %d\n",
           b->total, b->below, b->above, hs, hi_, (int)st);
    for (size_t i = 0; i < G; i++)
        printf("%.17g %.17g %.17g %.17g\n", ts_grid1d_x(&g, i), b->w[i], fb[i], fd[i]);
    free(x);
    free(fb);
    free(fd);
    ts_bins_free(b);
    return 0;
}
