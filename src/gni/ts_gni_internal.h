/* ts_gni_internal.h: pieces of a GNI run shared between its source files. */
#ifndef TS_GNI_INTERNAL_H
#define TS_GNI_INTERNAL_H

#include "tailsweep/ts_data.h"
#include "tailsweep/ts_gni.h"

/* The run's training and test sets (ts_gni.h: data streams), standardised
 * when asked. Fashion-MNIST is read from disk once per process and kept. */
ts_status ts_gni_data_load(const ts_gni_config *c, uint64_t seed, uint64_t replicate, ts_dataset **train,
                           ts_dataset **test, ts_err *err);

#endif
