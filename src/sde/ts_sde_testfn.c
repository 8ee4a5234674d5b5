/* ts_sde_testfn.c: the test functions g of theorem 4.2's weak error,
 * parsed from text such as "moment:1; moment:2; basin:0; poly:0,1,0,-0.5". */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_sde.h"
#include "ts_sde_internal.h"

static ts_status parse_uint(const char *s, size_t len, unsigned max, unsigned *out, const char *item, ts_err *err)
{
    char buf[32];
    if (len == 0 || len >= sizeof buf) return ts_err_set(err, TS_EINVAL, "test_functions: '%s' needs a number after ':'", item);
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    long v = strtol(buf, &end, 10);
    while (isspace((unsigned char)*end)) end++;
    if (*end || errno || v < 0 || v > (long)max)
        return ts_err_set(err, TS_EINVAL, "test_functions: '%s': expected an integer in [0, %u]", item, max);
    *out = (unsigned)v;
    return TS_OK;
}

ts_status ts_test_fns_parse(const char *text, ts_test_fn *out, size_t *n, ts_err *err)
{
    *n = 0;
    const char *s = text ? text : "";
    while (*s) {
        size_t len = strcspn(s, ";");
        char item[256];
        const char *b = s, *e = s + len;
        while (b < e && isspace((unsigned char)*b)) b++;
        while (e > b && isspace((unsigned char)e[-1])) e--;
        s += len + (s[len] == ';');
        if (e == b) continue;
        size_t il = (size_t)(e - b) < sizeof item - 1 ? (size_t)(e - b) : sizeof item - 1;
        memcpy(item, b, il);   /* not snprintf: this runs once per grid point at `check` */
        item[il] = '\0';
        if (*n == TS_SDE_MAX_TESTS)
            return ts_err_set(err, TS_EINVAL, "test_functions: more than %d functions", TS_SDE_MAX_TESTS);
        ts_test_fn *t = &out[*n];
        memset(t, 0, sizeof *t);
        const char *colon = strchr(item, ':');
        size_t nl = colon ? (size_t)(colon - item) : strlen(item);
        while (nl > 0 && isspace((unsigned char)item[nl - 1])) nl--;
        const char *arg = colon ? colon + 1 : "";
        ts_status st;
        if (nl == 6 && strncmp(item, "moment", 6) == 0) {
            t->kind = TS_TEST_MOMENT;
            st = parse_uint(arg, strlen(arg), TS_POLY_MAX_DEGREE, &t->index, item, err);
            if (!st && t->index == 0) st = ts_err_set(err, TS_EINVAL, "test_functions: '%s': the order must be >= 1", item);
        } else if (nl == 5 && strncmp(item, "basin", 5) == 0) {
            t->kind = TS_TEST_BASIN;
            st = parse_uint(arg, strlen(arg), TS_SDE_MAX_BASINS - 1, &t->index, item, err);
        } else if (nl == 4 && strncmp(item, "poly", 4) == 0) {
            t->kind = TS_TEST_POLY;
            size_t nc = 0;
            const char *q = arg;
            st = TS_OK;
            for (;;) {
                while (isspace((unsigned char)*q) || *q == ',') q++;
                if (!*q) break;
                char *end;
                errno = 0;
                double v = strtod(q, &end);
                if (end == q || errno || !isfinite(v) || nc == TS_POLY_MAX_DEGREE + 1) {
                    st = ts_err_set(err, TS_EINVAL, "test_functions: '%s': expected at most %d finite coefficients c0, c1, ...",
                                    item, TS_POLY_MAX_DEGREE + 1);
                    break;
                }
                t->coef[nc++] = v;
                q = end;
            }
            if (!st && nc == 0) st = ts_err_set(err, TS_EINVAL, "test_functions: '%s': no coefficients", item);
            t->deg = nc ? (unsigned)(nc - 1) : 0;
        } else {
            st = ts_err_set(err, TS_EINVAL, "test_functions: unknown function '%s' (expected moment:K, basin:I "
                            "or poly:c0,c1,..., separated by ';')", item);
        }
        if (st) return st;
        (*n)++;
    }
    return TS_OK;
}

double ts_test_fn_eval(const ts_test_fn *t, const ts_basins *b, double w)
{
    switch (t->kind) {
    case TS_TEST_MOMENT: {
        double v = w;
        for (unsigned i = 1; i < t->index; i++) v *= w;
        return v;
    }
    case TS_TEST_BASIN:
        return t->index < b->n && w >= b->lo[t->index] && w < b->hi[t->index] ? 1.0 : 0.0;
    default:
        return ts_horner(t->coef, t->deg, w);
    }
}
