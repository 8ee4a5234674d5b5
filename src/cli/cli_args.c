/* cli_args.c: how the CLI reports errors: usage errors name the argument,
 * library errors map to exit codes. */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
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

void ts_cli_duration(double s, char *buf, size_t n)
{
    if (!(s >= 0) || isinf(s)) snprintf(buf, n, "unknown");
    else if (s > 0 && s < 0.5) snprintf(buf, n, "<1 s");   /* "0 s" only when nothing is left */
    else if (s < 120) snprintf(buf, n, "%.0f s", s);
    else if (s < 7200) snprintf(buf, n, "%.0f min", s / 60);
    else if (s < 2 * 86400) snprintf(buf, n, "%.1f h", s / 3600);
    else if (s < 365.25 * 86400) snprintf(buf, n, "%.1f days", s / 86400);
    else snprintf(buf, n, "%.3g years", s / (365.25 * 86400));
}

void ts_cli_catch_stop_signals(void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
}
