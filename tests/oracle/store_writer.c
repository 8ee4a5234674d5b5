/* store_writer.c PATH: writes the store of tests/unit/store_fixture.h to
 * PATH, for tests/oracle/store_xarray.py to read with h5py, xarray and
 * h5dump. Built by that script against build/asan/libtailsweep.a. */
#include <stdio.h>

#include "store_fixture.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: store_writer PATH\n");
        return 2;
    }
    ts_job *job = fx_job();
    ts_result_layout *l = ts_result_layout_alloc();
    fx_meta *meta = NULL;
    double *res[TS_MAX_RESULTS] = { NULL };
    ts_err e;
    ts_err_clear(&e);
    ts_status st = job ? fx_layout(&job->fixed, l, &e) : TS_ENOMEM;
    if (!st && fx_data(l, FX_TASKS, &meta, res) != 0) st = TS_ENOMEM;
    /* 2023-11-14T22:13:20Z */
    if (!st) st = fx_write(argv[1], job, l, meta, res, 1700000000.0, &e);
    if (st) fprintf(stderr, "store_writer: %s: %s\n", ts_status_name(st), e.msg);
    if (job) {
        fx_data_free(l, meta, res);
        ts_result_layout_free(l);
    }
    fx_job_free(job);
    return st ? 1 : 0;
}
