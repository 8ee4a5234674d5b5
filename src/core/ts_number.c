/* ts_number.c: strict number parsing (ts_number.h). */
#include "tailsweep/ts_number.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

ts_num_status ts_parse_double(const char *text, double *out)
{
    if (!text || !text[0] || isspace((unsigned char)text[0])) return TS_NUM_SYNTAX;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0') return TS_NUM_SYNTAX;
    /* ERANGE on underflow still gives the nearest value: accept it and let
     * range checks judge; overflow (HUGE_VAL) and nan/inf are refused */
    if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1.0)) return TS_NUM_NONFINITE;
    *out = v;
    return TS_NUM_OK;
}

ts_num_status ts_parse_u64(const char *text, uint64_t *out)
{
    if (!text || !text[0] || isspace((unsigned char)text[0])) return TS_NUM_SYNTAX;
    if (text[0] == '-') {
        double d;
        return ts_parse_double(text, &d) == TS_NUM_OK ? (d == 0 ? (*out = 0, TS_NUM_OK) : TS_NUM_NEGATIVE)
                                                       : TS_NUM_SYNTAX;
    }
    if (isdigit((unsigned char)text[0])) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(text, &end, 10);
        if (*end == '\0') {
            if (errno == ERANGE) return TS_NUM_RANGE;
            *out = (uint64_t)v;
            return TS_NUM_OK;
        }
    }
    /* 1e6, 2.5e3, 1.0: an integer written as a number, exactly */
    double d;
    ts_num_status st = ts_parse_double(text, &d);
    if (st) return st;
    if (d != floor(d)) return TS_NUM_FRACTION;
    if (d > 9007199254740992.0) return TS_NUM_RANGE;
    *out = (uint64_t)d;
    return TS_NUM_OK;
}

const char *ts_num_status_phrase(ts_num_status s)
{
    switch (s) {
    case TS_NUM_OK: return "is a number";
    case TS_NUM_SYNTAX: return "is not a number";
    case TS_NUM_NONFINITE: return "is not a finite number";
    case TS_NUM_NEGATIVE: return "is negative: a non-negative integer is expected";
    case TS_NUM_FRACTION: return "is not an integer";
    case TS_NUM_RANGE: return "is too large for an integer (at most 2^64 - 1, or 2^53 written with an exponent)";
    }
    return "is not a number";
}
