/* ts_gni_internal.h: pieces of a GNI run shared between its source files. */
#ifndef TS_GNI_INTERNAL_H
#define TS_GNI_INTERNAL_H

#include "tailsweep/ts_data.h"
#include "tailsweep/ts_gni.h"

/* The run's training and test sets (ts_gni.h: data streams; id is the
 * data's stream identity, 0 with shared_init, else the task), standardised
 * when asked. Image sets are read from disk once per process and kept as
 * bytes. */
ts_status ts_gni_data_load(const ts_gni_config *c, uint64_t seed, uint64_t id, uint64_t replicate,
                           ts_dataset **train, ts_dataset **test, ts_err *err);

/* Injections are active: a noise type and a positive variance. */
static inline int ts_gni_noisy(const ts_noise_config *nz)
{
    return nz->type != TS_NOISE_NONE && nz->sigma2 > 0;
}

/* Rows a .. a + n - 1 of a batch (a row: the input site's features; a
 * target: the output layer's rows). */
static inline ts_batch ts_gni_rows(const ts_net *net, const ts_batch *b, size_t a, size_t n)
{
    size_t n_in = net->site_size[0], n_out = net->rows[net->n_layers - 1];
    return (ts_batch){ n, b->x + a * n_in, b->y ? b->y + a * n_out : NULL, b->label ? b->label + a : NULL };
}

#endif
