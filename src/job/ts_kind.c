/* ts_kind.c: parameter values, result layouts and the kind table (see ts_kind.h). */
#include "tailsweep/ts_kind.h"
#include "tailsweep/ts_number.h"

#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ts_job_internal.h"

int ts_params_index(const ts_param_spec *spec, size_t n, const char *name)
{
    if (!spec || !name) return -1;
    /* A kind reads its parameters by name once per grid point when `check`
     * validates a grid of millions: the literal it passes is usually the
     * table's own string (one translation unit). Such a name is remembered
     * by its address (a hit is confirmed by the address, so a reused buffer
     * can never match); others are compared, skipping strcmp on a
     * different first letter. */
    static _Thread_local struct { const ts_param_spec *spec; const char *name; size_t i; } seen[256];
    size_t h = (size_t)(((uint64_t)(uintptr_t)name * 0x9E3779B97F4A7C15u) >> 56);   /* Fibonacci hashing */
    if (seen[h].spec == spec && seen[h].i < n && spec[seen[h].i].name == name) return (int)seen[h].i;
    for (size_t i = 0; i < n; i++)
        if (spec[i].name == name) {
            seen[h].spec = spec;
            seen[h].name = name;
            seen[h].i = i;
            return (int)i;
        }
    for (size_t i = 0; i < n; i++)
        if (spec[i].name[0] == name[0] && strcmp(spec[i].name, name) == 0) return (int)i;
    return -1;
}

double ts_params_get(const ts_params *p, const char *name)
{
    int i = ts_params_index(p->spec, p->n, name);
    assert(i >= 0 && "ts_params_get: no such parameter");
    return i >= 0 ? p->v[i] : NAN;
}

int ts_params_choice(const ts_params *p, const char *name)
{
    int i = ts_params_index(p->spec, p->n, name);
    assert(i >= 0 && "ts_params_choice: no such parameter");
    assert(i < 0 || p->spec[i].type == TS_PARAM_CHOICE);
    return i >= 0 ? (int)p->v[i] : -1;
}

const char *ts_params_choice_name(const ts_params *p, const char *name)
{
    int c = ts_params_choice(p, name);
    int i = ts_params_index(p->spec, p->n, name);
    if (i < 0 || c < 0 || !p->spec[i].choices) return NULL;
    for (int k = 0; k <= c; k++)               /* never read past the terminator */
        if (!p->spec[i].choices[k]) return NULL;
    return p->spec[i].choices[c];
}

const char *ts_params_str(const ts_params *p, const char *name)
{
    int i = ts_params_index(p->spec, p->n, name);
    assert(i >= 0 && "ts_params_str: no such parameter");
    assert(i < 0 || p->spec[i].type == TS_PARAM_STRING);
    return i >= 0 ? p->s[i] : NULL;
}

void ts_fmt_double(double v, char *buf, size_t n)
{
    int prec = 1;
    for (; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    if (prec > 17) {
        snprintf(buf, n, "%.17g", v);   /* nan, or a buffer too small to matter */
        return;
    }
    /* %g writes 10 as 1e+01 at one digit; integers read better in full */
    const char *e = strchr(buf, 'e');
    int x = e ? atoi(e + 1) : -1;
    if (x >= prec && x < 17) snprintf(buf, n, "%.*g", x + 1, v);
}

static size_t n_choices(const ts_param_spec *s)
{
    size_t k = 0;
    while (s->choices && s->choices[k]) k++;
    return k;
}

void ts_param_expected(const ts_param_spec *s, char *buf, size_t n)
{
    if (s->type == TS_PARAM_STRING) {
        snprintf(buf, n, "a text of at most %d bytes", TS_PARAM_STRING_MAX);
        return;
    }
    if (s->type == TS_PARAM_CHOICE) {
        size_t used = (size_t)snprintf(buf, n, "one of");
        for (size_t k = 0; s->choices && s->choices[k] && used < n; k++)
            used += (size_t)snprintf(buf + used, n - used, "%s %s", k ? "," : "",
                                     s->choices[k]);
        return;
    }
    const char *what = s->type == TS_PARAM_INT ? "an integer" : "a number";
    char lo[32], hi[32];
    ts_fmt_double(s->lo, lo, sizeof lo);
    ts_fmt_double(s->hi, hi, sizeof hi);
    int has_lo = isfinite(s->lo), has_hi = isfinite(s->hi);
    if (has_lo && has_hi)
        snprintf(buf, n, "%s in %c%s, %s]", what, s->lo_open ? '(' : '[', lo, hi);
    else if (has_lo)
        snprintf(buf, n, "%s %s %s", what, s->lo_open ? ">" : ">=", lo);
    else if (has_hi)
        snprintf(buf, n, "%s <= %s", what, hi);
    else
        snprintf(buf, n, "%s", s->type == TS_PARAM_INT ? "an integer" : "a finite number");
}

/* text: what the user wrote, quoted back in the message; NULL to print v. */
static ts_status check_value(const ts_param_spec *s, double v, const char *text,
                             const char *where, ts_err *err)
{
    int ok;
    if (s->type == TS_PARAM_STRING) {
        ok = v == 0;            /* the value lives in ts_params.s */
    } else if (s->type == TS_PARAM_CHOICE) {
        ok = v >= 0 && v < (double)n_choices(s) && v == floor(v);
    } else {
        ok = isfinite(v) && (s->type != TS_PARAM_INT || v == floor(v))
             && (s->lo_open ? v > s->lo : v >= s->lo) && v <= s->hi;
    }
    if (ok) return TS_OK;
    char expected[256], got[32];
    ts_param_expected(s, expected, sizeof expected);
    if (!text) {
        ts_fmt_double(v, got, sizeof got);
        text = got;
    }
    return ts_err_set(err, TS_EINVAL, "%s: expected %s, got %s'%s'", where ? where : "value",
                      expected, s->type == TS_PARAM_CHOICE && text == got ? "index " : "",
                      text);
}

ts_status ts_param_check(const ts_param_spec *s, double v, const char *where, ts_err *err)
{
    return check_value(s, v, NULL, where, err);
}

ts_status ts_param_parse(const ts_param_spec *s, const char *text, double *v,
                         const char *where, ts_err *err)
{
    char expected[256];
    if (!where) where = "value";
    if (!text) text = "";
    if (s->type == TS_PARAM_STRING) {
        size_t len = strlen(text);
        if (len > TS_PARAM_STRING_MAX)
            return ts_err_set(err, TS_EINVAL, "%s: expected a text of at most %d bytes, got %zu bytes",
                              where, TS_PARAM_STRING_MAX, len);
        /* a tab or newline in a path or a list is a pasting accident, and would
         * break the one-line forms (messages, CSV, attributes) it travels in */
        for (size_t k = 0; k < len; k++)
            if ((unsigned char)text[k] < 0x20 || text[k] == 0x7f)
                return ts_err_set(err, TS_EINVAL, "%s: control character (byte 0x%02x) at position %zu "
                                  "of '%.80s'", where, (unsigned)(unsigned char)text[k], k + 1, text);
        *v = 0;
        return TS_OK;
    }
    if (s->type == TS_PARAM_CHOICE) {
        for (size_t k = 0; s->choices && s->choices[k]; k++)
            if (strcmp(text, s->choices[k]) == 0) {
                *v = (double)k;
                return TS_OK;
            }
        ts_param_expected(s, expected, sizeof expected);
        return ts_err_set(err, TS_EINVAL, "%s: expected %s, got '%s'", where, expected, text);
    }
    double x;
    if (ts_parse_double(text, &x) != TS_NUM_OK) {
        ts_param_expected(s, expected, sizeof expected);
        return ts_err_set(err, TS_EINVAL, "%s: expected %s, got '%s'", where, expected, text);
    }
    ts_status st = check_value(s, x, text, where, err);
    if (st == TS_OK) *v = x;
    return st;
}

ts_status ts_params_set(ts_params *p, size_t i, const char *text, const char *where, ts_err *err)
{
    ts_status st = ts_param_parse(&p->spec[i], text, &p->v[i], where, err);
    if (!st && p->spec[i].type == TS_PARAM_STRING) p->s[i] = text;
    return st;
}

ts_status ts_params_defaults(ts_params *p, const ts_param_spec *spec, size_t n, ts_err *err)
{
    if (n > TS_MAX_PARAMS)
        return ts_err_set(err, TS_EINVAL, "a kind has %zu parameters; at most %d are supported", n,
                          TS_MAX_PARAMS);
    memset(p, 0, sizeof *p);
    p->spec = spec;
    p->n = n;
    for (size_t i = 0; i < n; i++) {
        p->v[i] = NAN;
        if (!spec[i].def) continue;
        char where[160];
        snprintf(where, sizeof where, "default of parameter '%s'", spec[i].name);
        ts_status st = ts_params_set(p, i, spec[i].def, where, err);
        if (st) return st;
    }
    return TS_OK;
}

ts_result_layout *ts_result_layout_alloc(void) { return calloc(1, sizeof(ts_result_layout)); }

void ts_result_layout_free(ts_result_layout *l)
{
    if (!l) return;
    /* every entry, not only n: a kind that failed half way may have set
     * coords of an entry it was still filling */
    for (size_t i = 0; i < TS_MAX_RESULTS; i++)
        for (int d = 0; d < 2; d++) free(l->r[i].coords[d]);
    free(l);
}

ts_status ts_kind_layout(const ts_kind *k, const ts_params *p, ts_result_layout **out, ts_err *err)
{
    *out = NULL;
    ts_result_layout *l = ts_result_layout_alloc();
    if (!l) return ts_err_set(err, TS_ENOMEM, "%s: out of memory for the result layout", k->name);
    ts_status st = k->layout(p, l, err);
    if (st) {
        ts_result_layout_free(l);
        return st;
    }
    *out = l;
    return TS_OK;
}

size_t ts_result_size(const ts_result_spec *r)
{
    size_t n = 1;
    for (size_t d = 0; d < r->rank && d < 2; d++) n *= r->dims[d];
    return n;
}

int ts_result_find(const ts_result_layout *l, const char *name)
{
    for (size_t i = 0; l && name && i < l->n && i < TS_MAX_RESULTS; i++)
        if (strcmp(l->r[i].name, name) == 0) return (int)i;
    return -1;
}

const char *ts_task_status_name(ts_task_status s)
{
    switch (s) {
    case TS_TASK_TODO: return "todo";
    case TS_TASK_DONE: return "done";
    case TS_TASK_FAILED: return "failed";
    case TS_TASK_DIVERGED: return "diverged";
    }
    return "unknown";
}

const ts_kind *ts_kind_find(const ts_kind *const *kinds, const char *name)
{
    for (size_t i = 0; kinds && name && kinds[i]; i++)
        if (strcmp(kinds[i]->name, name) == 0) return kinds[i];
    return NULL;
}

ts_result_spec *ts_result_layout_add(ts_result_layout *l, const char *name, const char *unit, const char *doc,
                                     size_t rank, size_t d0, const char *n0, size_t d1, const char *n1)
{
    assert(l->n < TS_MAX_RESULTS && rank <= 2);
    ts_result_spec *r = &l->r[l->n++];
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->unit, sizeof r->unit, "%s", unit ? unit : "");
    snprintf(r->doc, sizeof r->doc, "%s", doc ? doc : "");
    r->rank = rank;
    r->dims[0] = rank >= 1 ? d0 : 0;
    r->dims[1] = rank >= 2 ? d1 : 0;
    snprintf(r->dim_names[0], sizeof r->dim_names[0], "%s", rank >= 1 && n0 ? n0 : "");
    snprintf(r->dim_names[1], sizeof r->dim_names[1], "%s", rank >= 2 && n1 ? n1 : "");
    return r;
}
