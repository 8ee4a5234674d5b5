/* ts_sweep.c: ts_sweep_run: load the job on every rank, prepare the store on
 * rank 0 (ts_sweep_resume.c), and split into master and workers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ts_runner_internal.h"
#include "tailsweep/ts_ckpt_file.h"

/* The job, its layout and the size of one task's results: every rank. */
static ts_status load(sweep *w, ts_err *err)
{
    const ts_sweep_opts *o = w->o;
    if (!o->kinds || !o->kinds[0]) return ts_err_set(err, TS_EINVAL, "sweep: no kinds given");
    ts_status st = ts_job_load(o->job_path, o->kinds, &w->job, err);
    if (st) return st;
    if (o->store) snprintf(w->job->store, sizeof w->job->store, "%s", o->store);
    if (o->has_seed) w->job->seed = o->seed;
    snprintf(w->store_path, sizeof w->store_path, "%s", w->job->store);
    w->ntasks = ts_job_tasks(w->job);
    /* shapes may depend on fixed parameters only, so point 0 stands for all */
    ts_task t0;
    st = ts_job_task(w->job, 0, &t0, err);
    if (!st) st = ts_kind_layout(w->job->kind, &t0.params, &w->layout, err);
    if (st) return st;
    w->per_task = 0;
    for (size_t i = 0; i < w->layout->n; i++) {
        w->off[i] = w->per_task;
        w->per_task += ts_result_size(&w->layout->r[i]);
    }
    w->rec_bytes = sizeof(wire_head) + w->per_task * sizeof(double);
    w->ckpt_on = w->job->kind->checkpoints;
    if (w->ckpt_on) {
        ts_ckpt_file_dir(w->store_path, w->ckpt_dir, sizeof w->ckpt_dir);
        st = ts_job_identity(w->job, &w->job_id, err);
        if (st) return st;
    }
    w->msg_cap = w->rec_bytes > MSG_BYTES ? w->rec_bytes : MSG_BYTES;
    return TS_OK;
}

static void release(sweep *w)
{
    if (w->journal.fd >= 0) ts_journal_close(&w->journal);
    ts_store_close(w->store);
    ts_store_lock_release(w->lock);
    free(w->status);
    free(w->attempt);
    free(w->hosts);
    free(w->ckpt_tasks);
    ts_result_layout_free(w->layout);
    ts_job_free(w->job);
}

/* Rank 0's verdict on the setup, shared so that every rank stops together. */
static ts_status agree(sweep *w, ts_status st, ts_err *err)
{
    struct { int code; char msg[TS_ERR_MSG_MAX]; } v = { (int)st, "" };
    if (w->rank == 0 && st) memcpy(v.msg, err->msg, sizeof v.msg);
    MPI_Bcast(&v, (int)sizeof v, MPI_BYTE, 0, w->comm);
    if (v.code && w->rank != 0) ts_err_set(err, (ts_status)v.code, "%s", v.msg);
    return (ts_status)v.code;
}

ts_status ts_sweep_run(const ts_sweep_opts *o, MPI_Comm comm, ts_sweep_summary *s, ts_err *err)
{
    sweep w;
    memset(&w, 0, sizeof w);
    memset(s, 0, sizeof *s);
    w.o = o;
    w.comm = comm;
    w.journal.fd = -1;
    MPI_Comm_rank(comm, &w.rank);
    MPI_Comm_size(comm, &w.size);
    ts_status st = load(&w, err);
    if (!st && w.rank == 0) {
        snprintf(s->store, sizeof s->store, "%s", w.store_path);
        s->tasks = w.ntasks;
        double t0 = ts_clock_mono();
        st = ts_sweep_open_store(&w, s, err);
        if (!st) st = ts_sweep_ckpt_prepare(&w, err);
        s->setup_seconds = ts_clock_mono() - t0;
    }
    st = agree(&w, st, err);
    if (!st) {
        char name[MPI_MAX_PROCESSOR_NAME] = "", mine[TS_STORE_HOST_LEN] = "";
        int len;
        MPI_Get_processor_name(name, &len);
        snprintf(mine, sizeof mine, "%.*s", TS_STORE_HOST_LEN - 1, name);
        if (w.rank == 0) {
            w.hosts = calloc((size_t)w.size, sizeof *w.hosts);
            if (!w.hosts) st = ts_err_set(err, TS_ENOMEM, "out of memory for %d host names", w.size);
        }
        MPI_Gather(mine, TS_STORE_HOST_LEN, MPI_CHAR, w.hosts ? (void *)w.hosts : (void *)mine, TS_STORE_HOST_LEN,
                   MPI_CHAR, 0, comm);
        st = agree(&w, st, err);
    }
    if (!st) {
        if (w.rank == 0) st = ts_sweep_master(&w, s, err);
        else if (ts_sweep_worker(&w)) st = ts_err_set(err, TS_ENOMEM, "worker %d: out of memory", w.rank);
    }
    release(&w);
    return st;
}
