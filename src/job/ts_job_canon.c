/* ts_job_canon.c: a job's canonical text, its identity, and the difference
 * between two jobs key by key (ts_job.h).
 *
 * Why parsed and not textual: a store belongs to a job, and users reformat
 * job files, add comments, write 1.0e-3 for 0.001. Only a change of what the
 * job computes makes it another job; that change is then reported by key. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_hash.h"
#include "tailsweep/ts_job.h"
#include "ts_job_internal.h"

typedef struct {
    char *s;
    size_t n, cap;
    int oom;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf *b, const char *fmt, ...)
{
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = (b->cap ? 2 * b->cap : 4096) + (size_t)k;
        char *g = realloc(b->s, cap);
        if (!g) {
            b->oom = 1;
            return;
        }
        b->s = g;
        b->cap = cap;
    }
}

/* Texts are quoted with \" and \\ escaped (control characters never get
 * past the parser). */
static void put_text(buf *b, const char *t)
{
    put(b, "\"");
    for (; t && *t; t++) {
        if (*t == '"' || *t == '\\') put(b, "\\%c", *t);
        else put(b, "%c", *t);
    }
    put(b, "\"");
}

static void put_value(buf *b, const ts_param_spec *s, double v, const char *text)
{
    char num[40];
    if (s->type == TS_PARAM_CHOICE) {
        put(b, "%s", s->choices[(size_t)v]);
    } else if (s->type == TS_PARAM_STRING) {
        put_text(b, text);
    } else {
        ts_fmt_double(v, num, sizeof num);
        put(b, "%s", num);
    }
}

static int is_swept(const ts_job *job, size_t param)
{
    for (size_t a = 0; a < job->n_axes; a++)
        for (size_t m = 0; m < job->axes[a].n_members; m++)
            if ((size_t)job->axes[a].param[m] == param) return 1;
    return 0;
}

ts_status ts_job_canonical(const ts_job *job, int with_seed, char **out, ts_err *err)
{
    *out = NULL;
    buf b = { 0 };
    const ts_kind *k = job->kind;
    put(&b, "kind = %s\n", k->name);
    if (with_seed) put(&b, "seed = %" PRIu64 "\n", job->seed);
    put(&b, "replicates = %" PRIu64 "\n", job->replicates);
    for (size_t i = 0; i < k->n_params; i++) {
        if (is_swept(job, i)) continue;
        put(&b, "params.%s = ", k->params[i].name);
        put_value(&b, &k->params[i], job->fixed.v[i], job->fixed.s[i]);
        put(&b, "\n");
    }
    for (size_t a = 0; a < job->n_axes; a++) {
        const ts_axis *ax = &job->axes[a];
        for (size_t m = 0; m < ax->n_members; m++) {
            const ts_param_spec *s = &k->params[ax->param[m]];
            /* a zip group's members keep their group, so moving a member
             * between groups is a different grid, and a different job */
            if (ax->n_members == 1 && strcmp(ax->name, s->name) == 0) put(&b, "axes.%s = [", s->name);
            else put(&b, "%s.%s = [", ax->name, s->name);
            for (size_t i = 0; i < ax->len; i++) {
                if (i) put(&b, ", ");
                put_value(&b, s, ax->values[m][i], ax->labels[m] ? ax->labels[m][i] : NULL);
            }
            put(&b, "]\n");
        }
    }
    if (job->n_record == 0) {
        put(&b, "record = all\n");
    } else {
        put(&b, "record = [");
        for (size_t i = 0; i < job->n_record; i++) put(&b, "%s%s", i ? ", " : "", job->record[i]);
        put(&b, "]\n");
    }
    if (b.oom) {
        free(b.s);
        return ts_err_set(err, TS_ENOMEM, "%s: out of memory", job->path);
    }
    *out = b.s;
    return TS_OK;
}

ts_status ts_job_identity(const ts_job *job, uint64_t *id, ts_err *err)
{
    char *c;
    ts_status st = ts_job_canonical(job, 1, &c, err);
    if (st) return st;
    *id = ts_hash64(c, strlen(c), 0);
    free(c);
    return TS_OK;
}

/* The value of `key` in a canonical text: points into it, *len its length,
 * NULL when the key is absent. */
static const char *lookup(const char *text, const char *key, size_t klen, size_t *len)
{
    for (const char *line = text; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t ll = eol ? (size_t)(eol - line) : strlen(line);
        if (ll > klen + 3 && strncmp(line, key, klen) == 0 && strncmp(line + klen, " = ", 3) == 0) {
            *len = ll - klen - 3;
            return line + klen + 3;
        }
        line = eol ? eol + 1 : NULL;
    }
    return NULL;
}

static size_t diff_one_way(const char *a, const char *b, int only_missing, char *msg, size_t n, size_t *used,
                           size_t found)
{
    for (const char *line = a; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t ll = eol ? (size_t)(eol - line) : strlen(line);
        const char *eq = strstr(line, " = ");
        if (eq && eq < line + ll) {
            size_t klen = (size_t)(eq - line), la = ll - klen - 3, lb = 0;
            const char *vb = lookup(b, line, klen, &lb);
            int differs = only_missing ? vb == NULL : (vb == NULL || la != lb || strncmp(eq + 3, vb, la) != 0);
            if (differs) {
                if (*used < n) {
                    int k;
                    if (only_missing)
                        k = snprintf(msg + *used, n - *used, "%s%.*s: (not set) vs %.*s", found ? "; " : "",
                                     (int)klen, line, (int)la, eq + 3);
                    else
                        k = snprintf(msg + *used, n - *used, "%s%.*s: %.*s vs %.*s", found ? "; " : "",
                                     (int)klen, line, (int)la, eq + 3, vb ? (int)lb : 9,
                                     vb ? vb : "(not set)");
                    *used += k > 0 ? (size_t)k : 0;
                }
                found++;
            }
        }
        line = eol ? eol + 1 : NULL;
    }
    return found;
}

size_t ts_job_canonical_diff(const char *a, const char *b, char *msg, size_t n)
{
    size_t used = 0;
    if (n) msg[0] = '\0';
    size_t found = diff_one_way(a, b, 0, msg, n, &used, 0);
    /* keys only b has */
    return diff_one_way(b, a, 1, msg, n, &used, found);
}
