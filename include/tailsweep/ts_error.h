/* ts_error.h: status codes and the error record every fallible call fills.
 *
 * Library functions never print and never exit: they return a status and, when
 * given a non-NULL ts_err, leave a one-line message there that names the
 * offending argument or key. Only the CLI decides what to print and which exit
 * code to use. */
#ifndef TS_ERROR_H
#define TS_ERROR_H

#include <stddef.h>

typedef enum {
    TS_OK = 0,
    TS_EINVAL = 1,   /* bad argument or input value: the user's to fix      */
    TS_ENOMEM = 2,   /* allocation failed                                   */
    TS_EIO = 3,      /* a file could not be read or written                 */
    TS_ERANGE = 4,   /* a result left the representable or allowed range   */
    TS_ENUMERIC = 5, /* numerical blow-up: non-finite state or divergence  */
    TS_ECANCEL = 6   /* stopped on request (a signal): nothing is wrong     */
} ts_status;

#define TS_ERR_MSG_MAX 512

typedef struct {
    ts_status code;
    char msg[TS_ERR_MSG_MAX];
} ts_err;

/* Record an error (printf-style) and return its code, so callers can write
 *   return ts_err_set(err, TS_EINVAL, "alpha = %g is outside (0, 2]", a);
 * err may be NULL, in which case only the code is returned. */
ts_status ts_err_set(ts_err *err, ts_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reset an error record to TS_OK with an empty message. */
void ts_err_clear(ts_err *err);

/* A short fixed name for a status code ("invalid input", ...). */
const char *ts_status_name(ts_status code);

#endif
