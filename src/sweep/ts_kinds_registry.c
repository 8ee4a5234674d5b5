/* ts_kinds_registry.c: the kinds built into this binary.
 *
 * Kept apart from the engine so adding a kind touches one line here and
 * nothing in src/sweep/'s logic; tests pass their own tables instead. The
 * sde, gni and linear kinds are added here as they land (issues 3, 5, 8). */
#include <stddef.h>

#include "tailsweep/ts_kind.h"

const ts_kind *const ts_kinds_all[] = {
    &ts_kind_sde,
    &ts_kind_linear,
    &ts_kind_gni,
    NULL
};
