/* ts_error.c: the error record (see ts_error.h). */
#include "tailsweep/ts_error.h"

#include <stdarg.h>
#include <stdio.h>

ts_status ts_err_set(ts_err *err, ts_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void ts_err_clear(ts_err *err)
{
    if (err) {
        err->code = TS_OK;
        err->msg[0] = '\0';
    }
}

const char *ts_status_name(ts_status code)
{
    switch (code) {
    case TS_OK: return "ok";
    case TS_EINVAL: return "invalid input";
    case TS_ENOMEM: return "out of memory";
    case TS_EIO: return "i/o error";
    case TS_ERANGE: return "out of range";
    case TS_ENUMERIC: return "numerical blow-up";
    case TS_ECANCEL: return "cancelled";
    }
    return "unknown error";
}
