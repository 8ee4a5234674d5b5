/* ts_ckpt.c: the kind's side of a checkpoint: the state buffer, reading it
 * back, and refusing a state that does not fit (ts_ckpt.h). */
#include "tailsweep/ts_ckpt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG_BYTES 16

void ts_ckpt_buf_free(ts_ckpt_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void ts_ckpt_put(ts_ckpt_buf *b, const void *p, size_t n)
{
    if (b->nomem || n == 0) return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        unsigned char *d = realloc(b->data, cap);
        if (!d) {
            b->nomem = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void ts_ckpt_put_tag(ts_ckpt_buf *b, const char *tag)
{
    char t[TAG_BYTES] = { 0 };
    snprintf(t, sizeof t, "%s", tag);
    ts_ckpt_put(b, t, sizeof t);
}

void ts_ckpt_get(ts_ckpt_in *in, void *p, size_t n)
{
    if (in->over || n > in->len - in->pos) {
        in->over = 1;
        memset(p, 0, n);
        return;
    }
    memcpy(p, in->data + in->pos, n);
    in->pos += n;
}

uint64_t ts_ckpt_get_u64(ts_ckpt_in *in)
{
    uint64_t v;
    ts_ckpt_get(in, &v, sizeof v);
    return v;
}

double ts_ckpt_get_f64(ts_ckpt_in *in)
{
    double v;
    ts_ckpt_get(in, &v, sizeof v);
    return v;
}

ts_ckpt_buf *ts_ckpt_begin(ts_ckpt *ck)
{
    if (!ck) return NULL;
    ck->buf.len = 0;
    ck->buf.nomem = 0;
    return &ck->buf;
}

void ts_ckpt_drop_state(ts_ckpt *ck)
{
    free((void *)ck->state);
    ck->state = NULL;
    ck->state_len = 0;
    ck->rejected = 0;
}

void ts_ckpt_commit(ts_ckpt *ck, double done)
{
    if (ck && ck->save && !ck->buf.nomem) ck->save(ck->ctx, &ck->buf, done);
}

ts_status ts_ckpt_reject(ts_ckpt *ck, ts_err *err, const char *fmt, ...)
{
    char msg[sizeof ck->why];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (ck) {
        ck->rejected = 1;
        memcpy(ck->why, msg, sizeof msg);
    }
    return ts_err_set(err, TS_EINVAL, "checkpoint: %s", msg);
}

ts_status ts_ckpt_open(ts_ckpt *ck, const char *tag, ts_ckpt_in *in, ts_err *err)
{
    *in = (ts_ckpt_in){ .data = ck->state, .len = ck->state_len };
    char t[TAG_BYTES + 1] = { 0 }, want[TAG_BYTES] = { 0 };
    ts_ckpt_get(in, t, TAG_BYTES);
    snprintf(want, sizeof want, "%s", tag);
    if (in->over || memcmp(t, want, TAG_BYTES) != 0)
        return ts_ckpt_reject(ck, err, "the state is '%.*s', this task's is '%s' (another kind or format)",
                              TAG_BYTES, in->over ? "" : t, tag);
    return TS_OK;
}

ts_status ts_ckpt_expect(ts_ckpt *ck, ts_ckpt_in *in, uint64_t want, const char *what, ts_err *err)
{
    uint64_t have = ts_ckpt_get_u64(in);
    if (in->over) return ts_ckpt_reject(ck, err, "the state ends before its %s", what);
    if (have != want)
        return ts_ckpt_reject(ck, err, "the state has %s = %llu, this task %llu", what, (unsigned long long)have,
                              (unsigned long long)want);
    return TS_OK;
}

ts_status ts_ckpt_close(ts_ckpt *ck, ts_ckpt_in *in, ts_err *err)
{
    if (in->over) return ts_ckpt_reject(ck, err, "the state is shorter than this task's (%zu bytes)", in->len);
    if (in->pos != in->len)
        return ts_ckpt_reject(ck, err, "the state has %zu bytes more than this task's", in->len - in->pos);
    return TS_OK;
}
