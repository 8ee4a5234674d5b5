/* ts_number.h: strict number parsing, the one place text becomes a number
 * (job files, parameters, the command line, data files, --where selections).
 * strtod alone accepts "1.5abc" (up to the a), " 1", "nan" and "inf", and
 * strtoull accepts "-1" as 2^64 - 1; these accept the whole text or nothing. */
#ifndef TS_NUMBER_H
#define TS_NUMBER_H

#include <stdint.h>

typedef enum {
    TS_NUM_OK = 0,
    TS_NUM_SYNTAX,     /* not a number at all, or trailing text          */
    TS_NUM_NONFINITE,  /* nan, inf, or a value beyond the double range   */
    TS_NUM_NEGATIVE,   /* an integer was expected to be >= 0             */
    TS_NUM_FRACTION,   /* an integer was expected (1.5)                  */
    TS_NUM_RANGE       /* an integer beyond 2^64 - 1 (or 2^53 in 1e6 form) */
} ts_num_status;

/* A finite double, the whole text (no blanks). Underflow gives the nearest
 * value (a subnormal or zero) and is accepted. */
ts_num_status ts_parse_double(const char *text, double *out);

/* A non-negative integer, the whole text: decimal digits, or a number
 * written with a fraction or exponent that is exactly an integer (1e6,
 * 2.5e3) up to 2^53, where doubles stop being exact. */
ts_num_status ts_parse_u64(const char *text, uint64_t *out);

/* "is not a finite number", ... for messages. */
const char *ts_num_status_phrase(ts_num_status s);

#endif
