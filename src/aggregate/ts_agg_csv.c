/* ts_agg_csv.c: datasets of a store as tidy, long-format CSV (one row per
 * element: the variable, every coordinate, the value), the shape pandas'
 * read_csv and R's read.csv take directly. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_aggregate.h"

#define EXPORT_BOX (1u << 20)   /* values read at once */

/* RFC 4180: quote a field holding a comma, quote or line break. */
static void put_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* The shortest of %.15g .. %.17g that reads back as the same double: 1.9,
 * not 1.8999999999999999, and still an exact round trip. */
static void put_double(FILE *f, double x)
{
    char buf[40];
    for (int p = 15; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*g", p, x);
        if (strtod(buf, NULL) == x) break;
    }
    fputs(buf, f);
}

static void put_coord(FILE *f, const ts_view_dim *d, size_t i)
{
    if (d->type == TS_COORD_STRING) put_field(f, d->labels[i] ? d->labels[i] : "");
    else if (d->type == TS_COORD_REAL) put_double(f, d->values[i]);
    else fprintf(f, "%lld", (long long)d->values[i]);
}

ts_status ts_export_csv(ts_store_view *v, const char *const *names, size_t n, FILE *out,
                        const char *out_name, uint64_t *rows, ts_err *err)
{
    *rows = 0;
    /* the datasets, by index in the view */
    size_t cap = n ? n : v->n_dsets, m = 0;
    int *sel = malloc((cap ? cap : 1) * sizeof *sel);
    if (!sel) return ts_err_set(err, TS_ENOMEM, "export: out of memory");
    ts_status st = TS_OK;
    if (n) {
        for (size_t i = 0; i < n && !st; i++) {
            int k = ts_store_view_dset(v, names[i]);
            if (k < 0) st = ts_err_set(err, TS_EINVAL, "%s: no dataset '%s' (tailsweep info lists them)", v->path, names[i]);
            else if (v->dsets[k].is_string)
                st = ts_err_set(err, TS_EINVAL, "%s: dataset '%s' holds strings; export takes numbers", v->path, names[i]);
            else sel[m++] = k;
        }
    } else {
        /* scalar results by default: one row per task; arrays (a density
         * over 512 points) multiply the file and are exported when named */
        for (size_t i = 0; i < v->n_dsets; i++)
            if (v->dsets[i].role == TS_DSET_RESULT && v->dsets[i].rank == v->n_task_dims) sel[m++] = (int)i;
        if (!m)
            st = ts_err_set(err, TS_EINVAL, "%s: no scalar results to export; name array results with --vars "
                            "(tailsweep info lists them)", v->path);
    }
    /* the columns: every dimension any of them has, in order of first use */
    int cols[64];
    size_t nc = 0;
    for (size_t i = 0; i < m && !st; i++) {
        const ts_view_dset *d = &v->dsets[sel[i]];
        for (size_t k = 0; k < d->rank && !st; k++) {
            if (d->dim[k] < 0) {
                st = ts_err_set(err, TS_EINVAL, "%s: dimension %zu of '%s' has no coordinates", v->path, k, d->path);
                break;
            }
            int seen = 0;
            for (size_t c = 0; c < nc; c++) seen |= strcmp(v->dims[cols[c]].name, v->dims[d->dim[k]].name) == 0;
            if (seen) continue;
            if (nc == 64) st = ts_err_set(err, TS_EINVAL, "%s: more than 64 dimensions to export", v->path);
            else cols[nc++] = d->dim[k];
        }
    }
    if (!st) {
        fputs("variable", out);
        for (size_t c = 0; c < nc; c++) {
            fputc(',', out);
            put_field(out, v->dims[cols[c]].name);
        }
        fputs(",value\n", out);
    }
    for (size_t i = 0; i < m && !st; i++) {
        const ts_view_dset *d = &v->dsets[sel[i]];
        /* column c -> the dimension of d with that name, or -1 */
        int at[64];
        for (size_t c = 0; c < nc; c++) {
            at[c] = -1;
            for (size_t k = 0; k < d->rank; k++)
                if (strcmp(v->dims[d->dim[k]].name, v->dims[cols[c]].name) == 0) at[c] = (int)k;
        }
        /* read box by box: the leading dims fixed until a box is small */
        size_t p = 0, box = ts_view_dset_size(d);
        while (p < d->rank && box > EXPORT_BOX) box /= d->shape[p++];
        double *x = malloc((box ? box : 1) * sizeof *x);
        if (!x) {
            st = ts_err_set(err, TS_ENOMEM, "export: out of memory");
            break;
        }
        size_t idx[TS_VIEW_MAX_RANK] = { 0 }, start[TS_VIEW_MAX_RANK], count[TS_VIEW_MAX_RANK];
        for (int more = 1; more && !st;) {
            for (size_t k = 0; k < d->rank; k++) {
                start[k] = k < p ? idx[k] : 0;
                count[k] = k < p ? 1 : d->shape[k];
            }
            st = ts_store_view_read_slab(v, d->path, start, count, TS_READ_DOUBLE, x, err);
            for (size_t e = 0; !st && e < box; e++) {
                put_field(out, d->path);
                for (size_t c = 0; c < nc; c++) {
                    fputc(',', out);
                    if (at[c] >= 0) put_coord(out, &v->dims[d->dim[at[c]]], idx[at[c]]);
                }
                if (isnan(x[e])) fputs(",NaN\n", out);
                else {
                    fputc(',', out);
                    put_double(out, x[e]);
                    fputc('\n', out);
                }
                for (size_t k = d->rank; k-- > 0;) {
                    if (++idx[k] < d->shape[k]) break;
                    idx[k] = 0;
                }
            }
            *rows += box;
            if (!st && ferror(out)) st = ts_err_set(err, TS_EIO, "%s: cannot write: %s", out_name, strerror(errno));
            /* idx has rolled over into the next box (or back to all zeros) */
            more = p > 0;
            int zero = 1;
            for (size_t k = 0; k < p; k++) zero &= idx[k] == 0;
            if (zero) more = 0;
        }
        free(x);
    }
    free(sel);
    if (!st && (fflush(out) != 0 || ferror(out)))
        st = ts_err_set(err, TS_EIO, "%s: cannot write: %s", out_name, strerror(errno));
    return st;
}
