/* cli_args.c: strict number parsing and error reporting for the CLI.
 * strtod alone accepts "1.5abc" and "nan"; here the whole argument must be a
 * finite number, and the message says which argument was wrong. */
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

int ts_cli_bad_option(const char *cmd, const char *arg, int opt)
{
    if (strncmp(arg, "--", 2) == 0 && strchr(arg, '='))
        return ts_cli_usage_error(cmd, "'%s': unknown option, or a flag that takes no value", arg);
    if (strncmp(arg, "--", 2) == 0 || !opt)
        return ts_cli_usage_error(cmd, "unknown option '%s'", arg);
    return ts_cli_usage_error(cmd, "unknown option '-%c'", opt);
}

int ts_cli_double(const char *cmd, const char *arg, const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    /* ERANGE on underflow still gives the nearest (subnormal or zero) value:
     * accept it and let the range checks judge; reject only overflow. */
    int overflow = errno == ERANGE && fabs(v) > 1.0;
    if (end == text || *end != '\0' || !isfinite(v) || overflow) {
        ts_cli_usage_error(cmd, "%s: '%s' is not a finite number", arg, text);
        return -1;
    }
    *out = v;
    return 0;
}

int ts_cli_u64(const char *cmd, const char *arg, const char *text, uint64_t *out)
{
    const char *p = text;
    while (*p == ' ') p++;
    if (*p == '-') {
        ts_cli_usage_error(cmd, "%s: '%s' must be a non-negative integer", arg, text);
        return -1;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text || *end != '\0') {
        ts_cli_usage_error(cmd, "%s: '%s' is not a non-negative integer", arg, text);
        return -1;
    }
    if (errno == ERANGE) {
        ts_cli_usage_error(cmd, "%s: '%s' is too large (at most %llu)", arg, text, ULLONG_MAX);
        return -1;
    }
    *out = v;
    return 0;
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
