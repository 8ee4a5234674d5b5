/* ts_job_axes.c: the swept values of a job file, under axes: and zip:.
 *
 * A parameter's values are an explicit list or one of numpy's three ranges,
 * with numpy's semantics so a sweep copied from a Python notebook gives the
 * same grid. Each value is checked against the parameter's spec here, with
 * the line it came from, so the kind never sees an out-of-range value. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ts_job_internal.h"


static const char *range_forms = "{linspace: [start, stop, n]}, {logspace: [start, stop, n]} "
                                    "or {arange: [start, stop, step]}";

/* ---- an axis holds each value once -------------------------------------
 * A repeated value would make two grid points of one coordinate: a curve
 * over the axis would zigzag and a selection by value would be ambiguous. */

typedef struct {
    const double *const *cols;
    size_t ncols;
} tuple_order;

static int same_tuple(const double *const *cols, size_t ncols, size_t i, size_t j)
{
    for (size_t c = 0; c < ncols; c++)
        if (!(cols[c][i] == cols[c][j])) return 0;
    return 1;
}

static int cmp_tuples(const void *a, const void *b, void *ctx)
{
    const tuple_order *o = ctx;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    for (size_t c = 0; c < o->ncols; c++) {
        double x = o->cols[c][i], y = o->cols[c][j];
        if (x < y) return -1;
        if (x > y) return 1;
    }
    return i < j ? -1 : i > j;   /* equal tuples: file order */
}

/* Rows i < j of the columns (n entries each) that hold the same tuple,
 * with j the first repeat in file order; 0 when every row is distinct.
 * A strictly monotone single column (every range) costs one pass; other
 * lists are sorted by index. *nomem is set when that index cannot be had. */
static int find_repeat(const double *const *cols, size_t ncols, size_t n, size_t *first, size_t *repeat,
                       int *nomem)
{
    *nomem = 0;
    if (n < 2) return 0;
    if (ncols == 1) {
        const double *v = cols[0];
        int up = 1, down = 1;
        for (size_t i = 1; i < n && (up || down); i++) {
            up &= v[i] > v[i - 1];
            down &= v[i] < v[i - 1];
        }
        if (up || down) return 0;
    }
    size_t *idx = malloc(n * sizeof *idx);
    if (!idx) {
        *nomem = 1;
        return 0;
    }
    for (size_t i = 0; i < n; i++) idx[i] = i;
    tuple_order o = { cols, ncols };
    qsort_r(idx, n, sizeof *idx, cmp_tuples, &o);
    /* equal tuples now sit together, in file order: each run's first two
     * rows are a value and its first repeat */
    int found = 0;
    for (size_t k = 1; k < n; k++) {
        if (!same_tuple(cols, ncols, idx[k - 1], idx[k])) continue;
        if (k >= 2 && same_tuple(cols, ncols, idx[k - 2], idx[k - 1])) continue;
        if (!found || idx[k] < *repeat) {
            *first = idx[k - 1];
            *repeat = idx[k];
            found = 1;
        }
    }
    free(idx);
    return found;
}

/* Value i of member m of an axis, as the job file would spell it. */
static void axis_value_text(const ts_job *job, const ts_axis *ax, size_t m, size_t i, char *buf, size_t n)
{
    const ts_param_spec *s = &job->kind->params[ax->param[m]];
    if (s->type == TS_PARAM_CHOICE) snprintf(buf, n, "%s", s->choices[(size_t)ax->values[m][i]]);
    else if (ax->labels[m]) snprintf(buf, n, "'%s'", ax->labels[m][i]);
    else ts_fmt_double(ax->values[m][i], buf, n);
}

/* Refuse an axis (node: its list or range) or a zip group (node: its
 * mapping, number g) that holds a value, or a combination, twice. */
static ts_status check_distinct(const ts_job_ctx *c, const ts_axis *ax, const yaml_node_t *node, size_t g,
                                ts_err *err)
{
    size_t i = 0, j = 0;
    int nomem;
    if (!find_repeat((const double *const *)ax->values, ax->n_members, ax->len, &i, &j, &nomem))
        return nomem ? ts_err_set(err, TS_ENOMEM, "%s:%d: axis '%s': out of memory", c->file, ax->line, ax->name)
                     : TS_OK;
    char text[96];
    if (ax->n_members > 1) {
        char tuple[400];
        size_t used = 0;
        for (size_t m = 0; m < ax->n_members && used < sizeof tuple; m++) {
            axis_value_text(c->job, ax, m, j, text, sizeof text);
            used += (size_t)snprintf(tuple + used, sizeof tuple - used, "%s%s=%s", m ? ", " : "",
                                     c->job->kind->params[ax->param[m]].name, text);
        }
        return ts_err_set(err, TS_EINVAL, "%s:%d: zip group %zu: entry %zu (%s) repeats entry %zu: a zip "
                          "group holds each combination once", c->file, ts_node_line(node), g, j + 1, tuple, i + 1);
    }
    axis_value_text(c->job, ax, 0, j, text, sizeof text);
    if (node->type == YAML_SEQUENCE_NODE) {
        const yaml_node_item_t *items = node->data.sequence.items.start;
        int line_j = ts_node_line(yaml_document_get_node(c->doc, items[j]));
        int line_i = ts_node_line(yaml_document_get_node(c->doc, items[i]));
        return ts_err_set(err, TS_EINVAL, "%s:%d: key '%s', value %zu: %s repeats value %zu (line %d): an "
                          "axis holds each value once", c->file, line_j, ax->name, j + 1, text, i + 1, line_i);
    }
    return ts_err_set(err, TS_EINVAL, "%s:%d: key '%s': the range gives %s twice (values %zu and %zu): an "
                      "axis holds each value once", c->file, ts_node_line(node), ax->name, text, i + 1, j + 1);
}

/* a + i*step with numpy's rounding, and the end point exactly stop. */
static void linspace(double a, double b, size_t n, double *out)
{
    if (n == 1) {
        out[0] = a;
        return;
    }
    double div = (double)(n - 1), delta = b - a, step = delta / div;
    for (size_t i = 0; i < n; i++)
        out[i] = step == 0 ? (double)i / div * delta + a : (double)i * step + a;
    out[n - 1] = b;
}

static ts_status range_values(const ts_job_ctx *c, const ts_param_spec *s,
                              const yaml_node_t *map, double **out, size_t *len, ts_err *err)
{
    static const ts_param_spec any = {
        .name = "bound", .type = TS_PARAM_REAL, .lo = -INFINITY, .hi = INFINITY,
        .unit = "", .doc = "",
    };
    static const ts_param_spec count = {
        .name = "n", .type = TS_PARAM_INT, .lo = 1, .hi = TS_JOB_MAX_AXIS_LEN,
        .unit = "", .doc = "",
    };
    const char *key = s->name;
    char what[96], where[700];
    int line = ts_node_line(map);
    size_t np = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
    if (np != 1)
        return ts_err_set(err, TS_EINVAL, "%s:%d: key '%s': a range is a mapping with one key "
                          "(%s), got %zu keys", c->file, line, key, range_forms, np);
    const char *form;
    ts_status st = ts_job_mapping_key(c, map, 0, &form, err);
    if (st) return st;
    int which = !strcmp(form, "linspace") ? 0 : !strcmp(form, "logspace") ? 1
              : !strcmp(form, "arange") ? 2 : -1;
    if (which < 0)
        return ts_err_set(err, TS_EINVAL,
                          "%s:%d: key '%s': unknown range '%s' (expected linspace, logspace or arange)",
                          c->file, line, key, form);
    if (s->type == TS_PARAM_CHOICE)
        return ts_err_set(err, TS_EINVAL, "%s:%d: key '%s': %s needs a numeric parameter; "
                          "list the choices instead, e.g. [%s, %s]", c->file, line, key, form,
                          s->choices && s->choices[0] ? s->choices[0] : "a",
                          s->choices && s->choices[0] && s->choices[1] ? s->choices[1] : "b");
    if (s->type == TS_PARAM_STRING)
        return ts_err_set(err, TS_EINVAL, "%s:%d: key '%s': %s needs a numeric parameter; "
                          "'%s' takes text: list the values instead", c->file, line, key, form, key);
    const char *third = which == 2 ? "step" : "n";
    const yaml_node_t *seq = yaml_document_get_node(c->doc, map->data.mapping.pairs.start[0].value);
    size_t nitems = seq && seq->type == YAML_SEQUENCE_NODE
                        ? (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start)
                        : 0;
    if (!seq || seq->type != YAML_SEQUENCE_NODE || nitems != 3) {
        char got[120];
        if (seq && seq->type == YAML_SEQUENCE_NODE) snprintf(got, sizeof got, "%zu values", nitems);
        else snprintf(got, sizeof got, "%s", ts_node_what(seq, what, sizeof what));
        return ts_err_set(err, TS_EINVAL, "%s:%d: key '%s': %s expects [start, stop, %s], got %s",
                          c->file, seq ? ts_node_line(seq) : line, key, form, third, got);
    }
    static const char *const part[3][3] = {
        { "start", "stop", "n" }, { "start", "stop", "n" }, { "start", "stop", "step" }
    };
    double x[3];
    for (int i = 0; i < 3; i++) {
        const yaml_node_t *item = yaml_document_get_node(c->doc, seq->data.sequence.items.start[i]);
        const ts_param_spec *sp = which != 2 && i == 2 ? &count : &any;
        snprintf(where, sizeof where, "%s:%d: key '%s', %s %s", c->file, ts_node_line(item), key,
                 form, part[which][i]);
        const char *text = ts_node_text(item);
        if (!text || ts_node_is_null(item)) {
            char expected[96];
            ts_param_expected(sp, expected, sizeof expected);
            return ts_err_set(err, TS_EINVAL, "%s: expected %s, got %s", where, expected,
                              ts_node_what(item, what, sizeof what));
        }
        st = ts_param_parse(sp, text, &x[i], where, err);
        if (st) return st;
    }
    size_t n;
    if (which == 2) {
        double span = (x[1] - x[0]) / x[2];
        if (x[2] == 0 || !(span > 0)) {
            char a[32], b[32], d[32];
            ts_fmt_double(x[0], a, sizeof a);
            ts_fmt_double(x[1], b, sizeof b);
            ts_fmt_double(x[2], d, sizeof d);
            return ts_err_set(err, TS_EINVAL, "%s:%d: key '%s': arange [%s, %s, %s] is empty: the "
                              "step must be non-zero and have the sign of stop - start", c->file,
                              line, key, a, b, d);
        }
        /* numpy takes ceil(span); the margin stops 1.3 - 1 = 0.30000000000000004
         * from adding a fourth value 1.3000000000000003 to arange(1, 1.3, 0.1) */
        double m = ceil(span - 1e-9);
        if (!(m <= TS_JOB_MAX_AXIS_LEN))
            return ts_err_set(err, TS_EINVAL, "%s:%d: key '%s': arange gives %.3g values; at "
                              "most %u are allowed", c->file, line, key, m, TS_JOB_MAX_AXIS_LEN);
        n = m < 1 ? 1 : (size_t)m;
    } else {
        n = (size_t)x[2];
    }
    double *v = malloc(n * sizeof *v);
    if (!v) return ts_err_set(err, TS_ENOMEM, "%s:%d: key '%s': out of memory", c->file, line, key);
    if (which == 2)
        for (size_t i = 0; i < n; i++) v[i] = x[0] + (double)i * x[2];
    else
        linspace(x[0], x[1], n, v);
    if (which == 1)
        for (size_t i = 0; i < n; i++) v[i] = pow(10.0, v[i]);
    for (size_t i = 0; i < n; i++) {
        /* the message is written only for a value that fails: a range may
         * hold ten million values */
        if (ts_param_check(s, v[i], "", NULL) == TS_OK) continue;
        snprintf(where, sizeof where, "%s:%d: key '%s', %s value %zu", c->file, line, key, form,
                 i + 1);
        st = ts_param_check(s, v[i], where, err);
        if (st) {
            free(v);
            return st;
        }
    }
    *out = v;
    *len = n;
    return TS_OK;
}

void ts_axis_clear(ts_axis *ax)
{
    for (size_t m = 0; m < TS_MAX_ZIP_MEMBERS; m++) {
        free(ax->values[m]);
        ax->values[m] = NULL;
        for (size_t i = 0; ax->labels[m] && i < ax->len; i++) free(ax->labels[m][i]);
        free(ax->labels[m]);
        ax->labels[m] = NULL;
    }
}

static void free_labels(char **labels, size_t n)
{
    for (size_t i = 0; labels && i < n; i++) free(labels[i]);
    free(labels);
}

/* The values of one swept parameter: a list, or a range. A STRING
 * parameter's texts go to *labels (values 0..n-1); others leave it NULL. */
static ts_status axis_values(const ts_job_ctx *c, const ts_param_spec *s, const yaml_node_t *node,
                             double **out, char ***labels, size_t *len, ts_err *err)
{
    *labels = NULL;
    char what[96], where[700], expected[256];
    if (node->type == YAML_MAPPING_NODE) return range_values(c, s, node, out, len, err);
    if (node->type != YAML_SEQUENCE_NODE)
        return ts_err_set(err, TS_EINVAL, "%s:%d: key '%s': expected a list of values or a range "
                          "(%s), got %s%s", c->file, ts_node_line(node), s->name, range_forms,
                          ts_node_what(node, what, sizeof what),
                          ts_node_is_null(node) ? "" : " (a single value belongs under params)");
    const yaml_node_item_t *items = node->data.sequence.items.start;
    size_t n = (size_t)(node->data.sequence.items.top - items);
    if (n == 0)
        return ts_err_set(err, TS_EINVAL, "%s:%d: axis '%s' is empty", c->file,
                          ts_node_line(node), s->name);
    if (n > TS_JOB_MAX_AXIS_LEN)
        return ts_err_set(err, TS_EINVAL, "%s:%d: axis '%s' has %zu values; at most %u are allowed",
                          c->file, ts_node_line(node), s->name, n, TS_JOB_MAX_AXIS_LEN);
    double *v = malloc(n * sizeof *v);
    char **lab = s->type == TS_PARAM_STRING ? calloc(n, sizeof *lab) : NULL;
    if (!v || (s->type == TS_PARAM_STRING && !lab)) {
        free(v);
        free(lab);
        return ts_err_set(err, TS_ENOMEM, "%s:%d: key '%s': out of memory", c->file,
                          ts_node_line(node), s->name);
    }
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *item = yaml_document_get_node(c->doc, items[i]);
        snprintf(where, sizeof where, "%s:%d: key '%s', value %zu", c->file, ts_node_line(item),
                 s->name, i + 1);
        const char *text = ts_node_text(item);
        ts_status st;
        if (!text || ts_node_is_null(item)) {
            ts_param_expected(s, expected, sizeof expected);
            st = ts_err_set(err, TS_EINVAL, "%s: expected %s, got %s", where, expected,
                            ts_node_what(item, what, sizeof what));
        } else {
            st = ts_param_parse(s, text, &v[i], where, err);
        }
        if (!st && lab) {
            v[i] = (double)i;
            for (size_t j = 0; j < i && !st; j++)
                if (strcmp(lab[j], text) == 0)
                    st = ts_err_set(err, TS_EINVAL, "%s: '%s' is listed twice (value %zu)", where,
                                    text, j + 1);
            if (!st && !(lab[i] = strdup(text))) st = ts_err_set(err, TS_ENOMEM, "%s: out of memory", where);
        }
        if (st) {
            free(v);
            free_labels(lab, n);
            return st;
        }
    }
    *out = v;
    *labels = lab;
    *len = n;
    return TS_OK;
}

/* The parameter behind key number i of `map`, if it may be swept. */
static ts_status swept_param(ts_job_ctx *c, const yaml_node_t *map, size_t i, int *param,
                             ts_err *err)
{
    const char *name;
    ts_status st = ts_job_mapping_key(c, map, i, &name, err);
    if (st) return st;
    const yaml_node_t *k = yaml_document_get_node(c->doc, map->data.mapping.pairs.start[i].key);
    int line = ts_node_line(k);
    const ts_kind *kind = c->job->kind;
    int idx = ts_params_index(kind->params, kind->n_params, name);
    if (idx < 0) return ts_job_unknown_param(c, line, name, err);
    if (kind->params[idx].flags & TS_PARAM_FIXED)
        return ts_err_set(err, TS_EINVAL, "%s:%d: parameter '%s' cannot be swept: the shape of "
                          "the results depends on it (set it under params)", c->file, line, name);
    if (c->fixed_line[idx])
        return ts_err_set(err, TS_EINVAL, "%s:%d: parameter '%s' is both in params (line %d) and "
                          "swept; give it in one place", c->file, line, name, c->fixed_line[idx]);
    if (c->swept_line[idx])
        return ts_err_set(err, TS_EINVAL, "%s:%d: parameter '%s' is swept twice (first at line %d)",
                          c->file, line, name, c->swept_line[idx]);
    c->swept_line[idx] = line;
    *param = idx;
    return TS_OK;
}

static ts_status room_for_axis(const ts_job_ctx *c, int line, ts_err *err)
{
    if (c->job->n_axes < TS_MAX_AXES) return TS_OK;
    return ts_err_set(err, TS_EINVAL, "%s:%d: too many grid dimensions: at most %d (axes plus "
                      "zip groups)", c->file, line, TS_MAX_AXES);
}

ts_status ts_job_parse_axes(ts_job_ctx *c, const yaml_node_t *axes, ts_err *err)
{
    char what[96];
    if (!axes || ts_node_is_null(axes)) return TS_OK;
    if (axes->type != YAML_MAPPING_NODE)
        return ts_err_set(err, TS_EINVAL, "%s:%d: key 'axes': expected a mapping of parameter: "
                          "values, got %s", c->file, ts_node_line(axes),
                          ts_node_what(axes, what, sizeof what));
    ts_job *job = c->job;
    size_t np = (size_t)(axes->data.mapping.pairs.top - axes->data.mapping.pairs.start);
    for (size_t i = 0; i < np; i++) {
        int param;
        ts_status st = swept_param(c, axes, i, &param, err);
        if (st) return st;
        const yaml_node_t *k = yaml_document_get_node(c->doc, axes->data.mapping.pairs.start[i].key);
        const yaml_node_t *v = yaml_document_get_node(c->doc, axes->data.mapping.pairs.start[i].value);
        st = room_for_axis(c, ts_node_line(k), err);
        if (st) return st;
        ts_axis *ax = &job->axes[job->n_axes];
        memset(ax, 0, sizeof *ax);
        st = axis_values(c, &job->kind->params[param], v, &ax->values[0], &ax->labels[0], &ax->len, err);
        if (st) return st;
        snprintf(ax->name, sizeof ax->name, "%s", job->kind->params[param].name);
        ax->n_members = 1;
        ax->param[0] = param;
        ax->line = ts_node_line(k);
        job->n_axes++;   /* from here ts_job_free frees it */
        st = check_distinct(c, ax, v, 0, err);
        if (st) return st;
    }
    return TS_OK;
}

static ts_status zip_group(ts_job_ctx *c, const yaml_node_t *map, size_t g, ts_axis *ax,
                           ts_err *err)
{
    char what[96];
    int line = ts_node_line(map);
    if (map->type != YAML_MAPPING_NODE)
        return ts_err_set(err, TS_EINVAL, "%s:%d: zip group %zu: expected a mapping of parameter: "
                          "values, got %s", c->file, line, g, ts_node_what(map, what, sizeof what));
    size_t np = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
    if (np == 0) return ts_err_set(err, TS_EINVAL, "%s:%d: zip group %zu is empty", c->file, line, g);
    if (np > TS_MAX_ZIP_MEMBERS)
        return ts_err_set(err, TS_EINVAL, "%s:%d: zip group %zu has %zu members; at most %d",
                          c->file, line, g, np, TS_MAX_ZIP_MEMBERS);
    ts_status st = TS_OK;
    memset(ax, 0, sizeof *ax);
    snprintf(ax->name, sizeof ax->name, "zip%zu", g);
    ax->line = line;
    int member_line[TS_MAX_ZIP_MEMBERS];
    for (size_t i = 0; i < np && !st; i++) {
        int param;
        size_t len;
        st = swept_param(c, map, i, &param, err);
        if (st) break;
        const yaml_node_t *v = yaml_document_get_node(c->doc, map->data.mapping.pairs.start[i].value);
        st = axis_values(c, &c->job->kind->params[param], v, &ax->values[i], &ax->labels[i], &len, err);
        if (st) break;
        if (i == 0) ax->len = len;   /* ts_axis_clear frees len labels per member */
        ax->param[i] = param;
        ax->n_members = i + 1;
        member_line[i] = ts_node_line(v);
        if (i > 0 && len != ax->len) {
            free_labels(ax->labels[i], len);
            ax->labels[i] = NULL;
            const ts_param_spec *sp = c->job->kind->params;
            st = ts_err_set(err, TS_EINVAL, "%s:%d: zip group %zu: members of unequal length: "
                            "'%s' has %zu values (line %d), '%s' has %zu (line %d)", c->file,
                            line, g, sp[ax->param[0]].name, ax->len, member_line[0],
                            sp[param].name, len, member_line[i]);
        }
    }
    if (!st) st = check_distinct(c, ax, map, g, err);
    if (st) {
        ts_axis_clear(ax);
        memset(ax, 0, sizeof *ax);
    }
    return st;
}

ts_status ts_job_parse_zip(ts_job_ctx *c, const yaml_node_t *zip, ts_err *err)
{
    char what[96];
    if (!zip || ts_node_is_null(zip)) return TS_OK;
    if (zip->type != YAML_SEQUENCE_NODE)
        return ts_err_set(err, TS_EINVAL, "%s:%d: key 'zip': expected a list of groups, each a "
                          "mapping of parameter: values, got %s", c->file, ts_node_line(zip),
                          ts_node_what(zip, what, sizeof what));
    const yaml_node_item_t *items = zip->data.sequence.items.start;
    size_t n = (size_t)(zip->data.sequence.items.top - items);
    for (size_t g = 0; g < n; g++) {
        const yaml_node_t *map = yaml_document_get_node(c->doc, items[g]);
        ts_status st = room_for_axis(c, ts_node_line(map), err);
        if (!st) st = zip_group(c, map, g, &c->job->axes[c->job->n_axes], err);
        if (st) return st;
        c->job->n_axes++;
    }
    return TS_OK;
}
