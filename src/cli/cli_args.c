/* cli_args.c: how the CLI reports errors: usage errors name the argument,
 * library errors map to exit codes. */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ts_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "tailsweep %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'tailsweep %s --help')\n", cmd);
    return TS_EXIT_USAGE;
}

int ts_cli_fail(const char *cmd, const ts_err *err)
{
    fprintf(stderr, "tailsweep %s: %s\n", cmd, err->msg[0] ? err->msg : ts_status_name(err->code));
    switch (err->code) {
    case TS_OK: return TS_EXIT_OK;
    case TS_EINVAL: return TS_EXIT_USAGE;
    case TS_EIO: return TS_EXIT_IO;
    default: return TS_EXIT_FAILURE;
    }
}
