/* ts_job.c: reading a job file and its top-level keys (see ts_job.h).
 *
 * libyaml's document API gives a tree with line marks but neither types nor
 * duplicate-key detection, so every node's shape is checked here and every
 * message carries the file, the line and the key. Sweep values live in
 * ts_job_axes.c, the grid in ts_grid.c. */
#include "tailsweep/ts_job.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "ts_job_internal.h"
#include "tailsweep/ts_number.h"

enum { K_KIND, K_STORE, K_SEED, K_REPLICATES, K_PARAMS, K_AXES, K_ZIP, K_RECORD, K_CKPT, K_N };
static const char *const top_keys[K_N] = {
    "kind", "store", "seed", "replicates", "params", "axes", "zip", "record", "checkpoint_every"
};
#define TOP_KEYS "kind, store, seed, replicates, params, axes, zip, record, checkpoint_every"

/* ---- node helpers (shared through ts_job_internal.h) ------------------ */

int ts_node_is_null(const yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *s = (const char *)n->data.scalar.value;
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null")
           || !strcmp(s, "NULL");
}

const char *ts_node_text(const yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE) return NULL;
    const char *s = (const char *)n->data.scalar.value;
    /* "\0" in a quoted scalar would silently cut the value short */
    return strlen(s) == n->data.scalar.length ? s : NULL;
}

const char *ts_node_what(const yaml_node_t *n, char *buf, size_t size)
{
    if (!n) return "nothing";
    switch (n->type) {
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    case YAML_SCALAR_NODE:
        if (ts_node_is_null(n)) return "an empty value";
        snprintf(buf, size, "'%.80s'", (const char *)n->data.scalar.value);
        return buf;
    default: return "nothing";
    }
}

ts_status ts_job_mapping_key(const ts_job_ctx *c, const yaml_node_t *map, size_t pair,
                             const char **key, ts_err *err)
{
    const yaml_node_pair_t *pairs = map->data.mapping.pairs.start;
    const yaml_node_t *k = yaml_document_get_node(c->doc, pairs[pair].key);
    const char *name = ts_node_text(k);
    char what[96];
    if (!name || ts_node_is_null(k))
        return ts_err_set(err, TS_EINVAL, "%s:%d: expected a key name, got %s", c->file,
                          k ? ts_node_line(k) : 0, ts_node_what(k, what, sizeof what));
    for (size_t j = 0; j < pair; j++) {
        const yaml_node_t *o = yaml_document_get_node(c->doc, pairs[j].key);
        const char *other = ts_node_text(o);
        if (other && strcmp(other, name) == 0)
            return ts_err_set(err, TS_EINVAL, "%s:%d: duplicate key '%s' (first at line %d)",
                              c->file, ts_node_line(k), name, ts_node_line(o));
    }
    *key = name;
    return TS_OK;
}

static size_t n_pairs(const yaml_node_t *map)
{
    return (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
}

static const yaml_node_t *pair_value(const ts_job_ctx *c, const yaml_node_t *map, size_t i)
{
    return yaml_document_get_node(c->doc, map->data.mapping.pairs.start[i].value);
}

ts_status ts_job_unknown_param(const ts_job_ctx *c, int line, const char *name, ts_err *err)
{
    const ts_kind *kind = c->job->kind;
    char list[384];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < kind->n_params && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                 kind->params[i].name);
    return ts_err_set(err, TS_EINVAL,
                      "%s:%d: parameter '%s' is not a parameter of kind '%s' (its parameters: %s)",
                      c->file, line, name, kind->name, list);
}

/* ---- top-level keys ---------------------------------------------------- */

/* A scalar under a top-level key; an empty value counts as missing text. */
static ts_status top_scalar(const ts_job_ctx *c, const yaml_node_t *v, const char *key,
                            const char *expected, const char **text, ts_err *err)
{
    char what[96];
    *text = ts_node_text(v);
    if (!*text || ts_node_is_null(v))
        return ts_err_set(err, TS_EINVAL, "%s:%d: key '%s': expected %s, got %s", c->file,
                          ts_node_line(v), key, expected, ts_node_what(v, what, sizeof what));
    return TS_OK;
}

static ts_status parse_kind(ts_job_ctx *c, const yaml_node_t *v, int key_line,
                            const ts_kind *const *kinds, ts_err *err)
{
    char known[256];
    size_t used = 0;
    known[0] = '\0';
    for (size_t i = 0; kinds[i] && used < sizeof known; i++)
        used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
                                 kinds[i]->name);
    if (!kinds[0]) snprintf(known, sizeof known, "none are built in");
    if (!v)
        return ts_err_set(err, TS_EINVAL, "%s: missing key 'kind' (the experiment kind: %s)",
                          c->file, known);
    const char *name;
    char expected[300];
    snprintf(expected, sizeof expected, "a kind name (%s)", known);
    ts_status st = top_scalar(c, v, "kind", expected, &name, err);
    if (st) return st;
    const ts_kind *kind = ts_kind_find(kinds, name);
    if (!kind)
        return ts_err_set(err, TS_EINVAL, "%s:%d: key 'kind': unknown kind '%s' (known kinds: %s)",
                          c->file, key_line, name, known);
    if (kind->n_params > TS_MAX_PARAMS)
        return ts_err_set(err, TS_EINVAL, "kind '%s' has %zu parameters; at most %d are supported",
                          kind->name, kind->n_params, TS_MAX_PARAMS);
    c->job->kind = kind;
    ts_err e;
    ts_err_clear(&e);
    if (ts_params_defaults(&c->job->fixed, kind->params, kind->n_params, &e))
        return ts_err_set(err, TS_EINVAL, "kind '%s': %s", kind->name, e.msg);
    return TS_OK;
}

static ts_status parse_seed(ts_job_ctx *c, const yaml_node_t *v, ts_err *err)
{
    const char *text;
    const char *expected = "an integer in [0, 18446744073709551615]";
    ts_status st = top_scalar(c, v, "seed", expected, &text, err);
    if (st) return st;
    uint64_t x;
    if (ts_parse_u64(text, &x) != TS_NUM_OK)
        return ts_err_set(err, TS_EINVAL, "%s:%d: key 'seed': expected %s, got '%s'", c->file,
                          ts_node_line(v), expected, text);
    c->job->seed = x;
    return TS_OK;
}

/* A top-level number checked against its spec: the file, line and key in
 * every message. */
static ts_status parse_top_number(ts_job_ctx *c, const yaml_node_t *v, const ts_param_spec *spec, double *x,
                                  ts_err *err)
{
    char where[600], expected[96];
    snprintf(where, sizeof where, "%s:%d: key '%s'", c->file, ts_node_line(v), spec->name);
    ts_param_expected(spec, expected, sizeof expected);
    const char *text;
    ts_status st = top_scalar(c, v, spec->name, expected, &text, err);
    if (!st) st = ts_param_parse(spec, text, x, where, err);
    return st;
}

static ts_status parse_replicates(ts_job_ctx *c, const yaml_node_t *v, ts_err *err)
{
    static const ts_param_spec spec = {
        .name = "replicates", .type = TS_PARAM_INT, .lo = 1, .hi = TS_JOB_MAX_REPLICATES,
        .def = "1", .unit = "", .doc = "replicates per grid point",
    };
    double x;
    ts_status st = parse_top_number(c, v, &spec, &x, err);
    if (!st) c->job->replicates = (uint64_t)x;
    return st;
}

/* How often a long task saves its state (ts_ckpt_file.h). Not part of the
 * job's identity: changing it never makes a store another job's. */
static ts_status parse_checkpoint_every(ts_job_ctx *c, const yaml_node_t *v, ts_err *err)
{
    static const ts_param_spec spec = {
        .name = "checkpoint_every", .type = TS_PARAM_REAL, .lo = 1e-3, .hi = 1e9,
        .def = "300", .unit = "s", .doc = "seconds between a running task's checkpoints",
    };
    double x;
    ts_status st = parse_top_number(c, v, &spec, &x, err);
    if (!st) c->job->checkpoint_every = x;
    return st;
}

static ts_status parse_store(ts_job_ctx *c, const yaml_node_t *v, ts_err *err)
{
    ts_job *job = c->job;
    if (!v) {
        /* results/<stem>.h5: the job file's name without directory or extension */
        const char *base = strrchr(c->file, '/');
        base = base ? base + 1 : c->file;
        const char *dot = strrchr(base, '.');
        int stem = (int)(dot && dot != base ? (size_t)(dot - base) : strlen(base));
        if (stem == 0) snprintf(job->store, sizeof job->store, "results/job.h5");
        else snprintf(job->store, sizeof job->store, "results/%.*s.h5", stem, base);
        return TS_OK;
    }
    const char *text;
    ts_status st = top_scalar(c, v, "store", "a file path", &text, err);
    if (st) return st;
    if (strlen(text) >= sizeof job->store)
        return ts_err_set(err, TS_EINVAL, "%s:%d: key 'store': path longer than %zu characters",
                          c->file, ts_node_line(v), sizeof job->store - 1);
    strcpy(job->store, text);
    return TS_OK;
}

static ts_status parse_params(ts_job_ctx *c, const yaml_node_t *map, ts_err *err)
{
    char what[96], where[600], expected[256];
    if (!map || ts_node_is_null(map)) return TS_OK;
    if (map->type != YAML_MAPPING_NODE)
        return ts_err_set(err, TS_EINVAL,
                          "%s:%d: key 'params': expected a mapping of parameter: value, got %s",
                          c->file, ts_node_line(map), ts_node_what(map, what, sizeof what));
    const ts_kind *kind = c->job->kind;
    for (size_t i = 0; i < n_pairs(map); i++) {
        const char *name;
        ts_status st = ts_job_mapping_key(c, map, i, &name, err);
        if (st) return st;
        const yaml_node_t *k = yaml_document_get_node(c->doc, map->data.mapping.pairs.start[i].key);
        const yaml_node_t *v = pair_value(c, map, i);
        int idx = ts_params_index(kind->params, kind->n_params, name);
        if (idx < 0) return ts_job_unknown_param(c, ts_node_line(k), name, err);
        const ts_param_spec *s = &kind->params[idx];
        const char *text = ts_node_text(v);
        if (!text || ts_node_is_null(v)) {
            ts_param_expected(s, expected, sizeof expected);
            return ts_err_set(err, TS_EINVAL, "%s:%d: key '%s': expected %s, got %s%s", c->file,
                              ts_node_line(v), name, expected, ts_node_what(v, what, sizeof what),
                              v && v->type == YAML_SEQUENCE_NODE
                                  ? " (to sweep it, put it under axes)" : "");
        }
        snprintf(where, sizeof where, "%s:%d: key '%s'", c->file, ts_node_line(v), name);
        if (s->type == TS_PARAM_STRING) {
            /* the job owns the text; the YAML document goes when parsing ends */
            free(c->job->fixed_text[idx]);
            if (!(c->job->fixed_text[idx] = strdup(text)))
                return ts_err_set(err, TS_ENOMEM, "%s: out of memory", where);
            text = c->job->fixed_text[idx];
        }
        st = ts_params_set(&c->job->fixed, (size_t)idx, text, where, err);
        if (st) return st;
        c->fixed_line[idx] = ts_node_line(k);
    }
    return TS_OK;
}

static ts_status check_required(const ts_job_ctx *c, ts_err *err)
{
    const ts_kind *kind = c->job->kind;
    for (size_t i = 0; i < kind->n_params; i++) {
        if (kind->params[i].def || c->fixed_line[i] || c->swept_line[i]) continue;
        char expected[256];
        ts_param_expected(&kind->params[i], expected, sizeof expected);
        return ts_err_set(err, TS_EINVAL,
                          "%s: kind '%s' requires parameter '%s' (%s): set it under params or "
                          "sweep it under axes",
                          c->file, kind->name, kind->params[i].name, expected);
    }
    return TS_OK;
}

/* The parameters of grid point 0: a complete set, unlike job->fixed whose
 * swept required parameters are NaN. */
static void first_point(const ts_job *job, ts_params *p)
{
    *p = job->fixed;
    for (size_t a = 0; a < job->n_axes; a++) ts_job_apply_axis(job, a, 0, p);
}

static ts_status parse_record(ts_job_ctx *c, const yaml_node_t *seq, ts_err *err)
{
    char what[96];
    ts_job *job = c->job;
    const ts_kind *kind = job->kind;
    if (!seq || ts_node_is_null(seq)) return TS_OK;
    if (seq->type != YAML_SEQUENCE_NODE)
        return ts_err_set(err, TS_EINVAL, "%s:%d: key 'record': expected a list of result names, got %s",
                          c->file, ts_node_line(seq), ts_node_what(seq, what, sizeof what));
    const yaml_node_item_t *items = seq->data.sequence.items.start;
    size_t n = (size_t)(seq->data.sequence.items.top - items);
    if (n == 0)
        return ts_err_set(err, TS_EINVAL,
                          "%s:%d: key 'record' is empty (leave it out to record every result)",
                          c->file, ts_node_line(seq));
    if (!kind->layout)
        return ts_err_set(err, TS_EINVAL, "%s:%d: key 'record': kind '%s' declares no results",
                          c->file, ts_node_line(seq), kind->name);
    /* Result names may depend on TS_PARAM_FIXED parameters, which are never swept. */
    ts_params p;
    first_point(job, &p);
    ts_result_layout *lay;
    ts_err e;
    ts_err_clear(&e);
    ts_status st = ts_kind_layout(kind, &p, &lay, &e);
    if (st) {
        return ts_err_set(err, st, "%s:%d: key 'record': kind '%s' cannot lay out its results: %s",
                          c->file, ts_node_line(seq), kind->name, e.msg);
    }
    for (size_t i = 0; i < n && !st; i++) {
        const yaml_node_t *item = yaml_document_get_node(c->doc, items[i]);
        const char *name = ts_node_text(item);
        if (!name || ts_node_is_null(item)) {
            st = ts_err_set(err, TS_EINVAL, "%s:%d: key 'record': expected a result name, got %s",
                            c->file, ts_node_line(item), ts_node_what(item, what, sizeof what));
        } else if (ts_result_find(lay, name) < 0) {
            char list[320];
            size_t used = 0;
            list[0] = '\0';
            for (size_t r = 0; r < lay->n && used < sizeof list; r++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", r ? ", " : "",
                                         lay->r[r].name);
            st = ts_err_set(err, TS_EINVAL,
                            "%s:%d: key 'record': '%s' is not a result of kind '%s' (its results: %s)",
                            c->file, ts_node_line(item), name, kind->name, list);
        } else {
            for (size_t j = 0; j < job->n_record && !st; j++)
                if (strcmp(job->record[j], name) == 0)
                    st = ts_err_set(err, TS_EINVAL, "%s:%d: key 'record': '%s' is listed twice",
                                    c->file, ts_node_line(item), name);
            /* a name found in the layout fits, and without repeats n <= TS_MAX_RESULTS */
            if (!st) snprintf(job->record[job->n_record++], sizeof job->record[0], "%s", name);
        }
    }
    ts_result_layout_free(lay);
    return st;
}

static ts_status validate_point(const ts_params *p, uint64_t point, void *ctx)
{
    const ts_job_ctx *c = ctx;
    ts_err e;
    ts_err_clear(&e);
    ts_status st = c->job->kind->validate(p, &e);
    if (st) {
        char desc[320];
        ts_job_describe_point(c->job, point, desc, sizeof desc);
        return ts_err_set(c->err, st, "%s: %s: %s", c->file, desc, e.msg[0] ? e.msg : "rejected by the kind");
    }
    return TS_OK;
}

/* Size the grid, then run the kind's own checks on every point. */
static ts_status check_grid(ts_job_ctx *c, ts_err *err)
{
    const ts_job *job = c->job;
    uint64_t points = 1;
    for (size_t a = 0; a < job->n_axes; a++) {
        points *= job->axes[a].len;     /* both factors <= 1e8: no overflow */
        if (points > TS_JOB_MAX_POINTS)
            return ts_err_set(err, TS_EINVAL,
                              "%s:%d: the grid has more than %u points (by axis '%s')",
                              c->file, job->axes[a].line, TS_JOB_MAX_POINTS, job->axes[a].name);
    }
    if (!job->kind->validate) return TS_OK;
    c->err = err;
    return ts_job_walk_points(job, validate_point, c);
}

static ts_status parse_root(ts_job_ctx *c, const yaml_node_t *root, const ts_kind *const *kinds,
                            ts_err *err)
{
    char what[96];
    if (root->type != YAML_MAPPING_NODE)
        return ts_err_set(err, TS_EINVAL, "%s:%d: expected a mapping with keys (" TOP_KEYS "), got %s",
                          c->file, ts_node_line(root), ts_node_what(root, what, sizeof what));
    const yaml_node_t *val[K_N] = { 0 };
    int line[K_N] = { 0 };
    for (size_t i = 0; i < n_pairs(root); i++) {
        const char *key;
        ts_status st = ts_job_mapping_key(c, root, i, &key, err);
        if (st) return st;
        const yaml_node_t *k = yaml_document_get_node(c->doc, root->data.mapping.pairs.start[i].key);
        size_t j = 0;
        while (j < K_N && strcmp(top_keys[j], key) != 0) j++;
        if (j == K_N)
            return ts_err_set(err, TS_EINVAL, "%s:%d: unknown key '%s' (expected one of " TOP_KEYS ")",
                              c->file, ts_node_line(k), key);
        val[j] = pair_value(c, root, i);
        line[j] = ts_node_line(k);
    }
    ts_status st = parse_kind(c, val[K_KIND], line[K_KIND], kinds, err);
    if (!st && val[K_SEED]) st = parse_seed(c, val[K_SEED], err);
    if (!st && val[K_REPLICATES]) st = parse_replicates(c, val[K_REPLICATES], err);
    if (!st && val[K_CKPT]) st = parse_checkpoint_every(c, val[K_CKPT], err);
    if (!st) st = parse_store(c, val[K_STORE], err);
    if (!st) st = parse_params(c, val[K_PARAMS], err);
    if (!st) st = ts_job_parse_axes(c, val[K_AXES], err);
    if (!st) st = ts_job_parse_zip(c, val[K_ZIP], err);
    if (!st) st = check_required(c, err);
    if (!st) st = parse_record(c, val[K_RECORD], err);
    if (!st) st = check_grid(c, err);
    return st;
}

/* ---- entry points ------------------------------------------------------ */

static ts_status yaml_error(const yaml_parser_t *p, const char *file, ts_err *err)
{
    const char *problem = p->problem ? p->problem : "malformed YAML";
    if (p->error == YAML_MEMORY_ERROR)
        return ts_err_set(err, TS_ENOMEM, "%s: out of memory while reading YAML", file);
    if (p->error == YAML_READER_ERROR)
        return ts_err_set(err, TS_EINVAL, "%s: invalid text at byte %zu: %s", file,
                          p->problem_offset, problem);
    char ctx[160] = "";
    if (p->context)
        snprintf(ctx, sizeof ctx, " (%s at line %zu)", p->context, p->context_mark.line + 1);
    return ts_err_set(err, TS_EINVAL, "%s:%zu:%zu: YAML syntax error: %s%s", file,
                      p->problem_mark.line + 1, p->problem_mark.column + 1, problem, ctx);
}

/* Another document after the first would be ignored silently: refuse it. */
static ts_status single_document(yaml_parser_t *parser, const char *file, ts_err *err)
{
    yaml_document_t doc;
    if (!yaml_parser_load(parser, &doc)) return yaml_error(parser, file, err);
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    ts_status st = TS_OK;
    if (root)
        st = ts_err_set(err, TS_EINVAL,
                        "%s:%d: a second YAML document starts here; a job file holds one",
                        file, (int)root->start_mark.line + 1);
    yaml_document_delete(&doc);
    return st;
}

ts_status ts_job_parse(const char *text, size_t len, const char *name,
                       const ts_kind *const *kinds, ts_job **out, ts_err *err)
{
    if (!out) return ts_err_set(err, TS_EINVAL, "ts_job_parse: out is NULL");
    *out = NULL;
    if (!name) name = "<job>";
    if (!text && len) return ts_err_set(err, TS_EINVAL, "%s: text is NULL", name);
    if (!kinds) return ts_err_set(err, TS_EINVAL, "%s: no kinds given to parse the job with", name);
    ts_job *job = calloc(1, sizeof *job);
    if (!job) return ts_err_set(err, TS_ENOMEM, "%s: out of memory", name);
    if (strlen(name) >= sizeof job->path) {
        free(job);
        return ts_err_set(err, TS_EINVAL, "%.100s...: path longer than %zu characters", name,
                          sizeof job->path - 1);
    }
    strcpy(job->path, name);
    if (len > TS_JOB_MAX_BYTES) {
        free(job);
        return ts_err_set(err, TS_EINVAL, "%s: %zu bytes; a job file may have at most %u",
                          name, len, TS_JOB_MAX_BYTES);
    }
    job->text = malloc(len + 1);
    if (!job->text) {
        free(job);
        return ts_err_set(err, TS_ENOMEM, "%s: out of memory", name);
    }
    if (len) memcpy(job->text, text, len);
    job->text[len] = '\0';
    job->seed = 1;
    job->replicates = 1;
    job->checkpoint_every = TS_JOB_CHECKPOINT_EVERY;

    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        ts_job_free(job);
        return ts_err_set(err, TS_ENOMEM, "%s: out of memory", name);
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)job->text, len);
    ts_status st;
    if (!yaml_parser_load(&parser, &doc)) {
        st = yaml_error(&parser, job->path, err);
    } else {
        const yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (!root) {
            st = ts_err_set(err, TS_EINVAL,
                            "%s: the job file is empty (expected a mapping with keys " TOP_KEYS ")",
                            job->path);
        } else {
            st = single_document(&parser, job->path, err);
            ts_job_ctx c;
            memset(&c, 0, sizeof c);
            c.doc = &doc;
            c.job = job;
            c.file = job->path;
            if (!st) st = parse_root(&c, root, kinds, err);
        }
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    if (st) {
        ts_job_free(job);
        return st;
    }
    *out = job;
    return TS_OK;
}

ts_status ts_job_load(const char *path, const ts_kind *const *kinds, ts_job **out, ts_err *err)
{
    if (!out) return ts_err_set(err, TS_EINVAL, "ts_job_load: out is NULL");
    *out = NULL;
    if (!path) return ts_err_set(err, TS_EINVAL, "ts_job_load: path is NULL");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ts_err_set(err, TS_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        close(fd);
        return ts_err_set(err, TS_EIO, "%s: is a directory, not a job file", path);
    }
    /* one byte more than allowed, to tell "at the limit" from "over it" */
    char *buf = malloc((size_t)TS_JOB_MAX_BYTES + 1);
    if (!buf) {
        close(fd);
        return ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
    }
    size_t len = 0;
    while (len <= TS_JOB_MAX_BYTES) {
        ssize_t r = read(fd, buf + len, (size_t)TS_JOB_MAX_BYTES + 1 - len);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            free(buf);
            return ts_err_set(err, TS_EIO, "%s: cannot read: %s", path, strerror(e));
        }
        if (r == 0) break;
        len += (size_t)r;
    }
    close(fd);
    ts_status st;
    if (len > TS_JOB_MAX_BYTES)
        st = ts_err_set(err, TS_EINVAL, "%s: larger than %u bytes; job files are meant to be small",
                        path, TS_JOB_MAX_BYTES);
    else
        st = ts_job_parse(buf, len, path, kinds, out, err);
    free(buf);
    return st;
}

void ts_job_free(ts_job *job)
{
    if (!job) return;
    for (size_t a = 0; a < job->n_axes && a < TS_MAX_AXES; a++)
        ts_axis_clear(&job->axes[a]);
    for (size_t i = 0; i < TS_MAX_PARAMS; i++) free(job->fixed_text[i]);
    free(job->text);
    free(job);
}

ts_status ts_job_single(const ts_kind *k, const ts_params *p, uint64_t seed, const char *name, const char *text,
                        ts_job **out, ts_err *err)
{
    *out = NULL;
    ts_job *job = calloc(1, sizeof *job);
    if (!job) return ts_err_set(err, TS_ENOMEM, "out of memory");
    snprintf(job->path, sizeof job->path, "%s", name ? name : "");
    job->text = strdup(text ? text : "");
    job->kind = k;
    job->seed = seed;
    job->replicates = 1;
    job->checkpoint_every = TS_JOB_CHECKPOINT_EVERY;
    job->fixed = *p;
    ts_status st = job->text ? TS_OK : ts_err_set(err, TS_ENOMEM, "out of memory");
    for (size_t i = 0; i < k->n_params && !st; i++) {
        if (k->params[i].type != TS_PARAM_STRING) continue;
        if (!(job->fixed_text[i] = strdup(p->s[i] ? p->s[i] : ""))) st = ts_err_set(err, TS_ENOMEM, "out of memory");
        else job->fixed.s[i] = job->fixed_text[i];
    }
    if (st) {
        ts_job_free(job);
        return st;
    }
    *out = job;
    return TS_OK;
}
