/* cli_kinds.c: the kinds built into the tailsweep binary.
 *
 * The library's sweep takes its kinds as an argument (ts_sweep_opts.kinds,
 * ts_job_load), so linking the engine does not pull in every kind and its
 * dependencies; the program decides which it offers. A new kind is one
 * line here (docs/architecture.md, "Adding a kind"). */
#include <stddef.h>

#include "cli.h"

const ts_kind *const ts_cli_kinds[] = {
    &ts_kind_sde,
    &ts_kind_linear,
    &ts_kind_gni,
    NULL
};
