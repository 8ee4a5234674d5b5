/* cli_kind.c: run one task of a kind from the command line. Every parameter
 * of the kind's table is a --NAME VALUE flag, so the command line, job files
 * and the store all speak the same names, ranges and defaults. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_point_ckpt.h"
#include "tailsweep/ts_clock.h"
#include "tailsweep/ts_job.h"
#include "tailsweep/ts_kind.h"
#include "tailsweep/ts_rate.h"
#include "tailsweep/ts_atomic_file.h"
#include "tailsweep/ts_store.h"

/* The options of a kind's command: one per parameter (its help says what
 * the value must be and its default), then the common ones. Everything is
 * allocated in one arena freed with kind_spec_free. */
typedef struct {
    ts_cli_spec spec;
    ts_cli_opt *opts;
    char **helps;
    size_t n_helps;
    const char *vals[TS_MAX_PARAMS];
    uint64_t seed;
    const char *out;
    double ckpt_every;
    int force, print, progress, no_progress;
} kind_cli;

static void kind_spec_free(kind_cli *c)
{
    for (size_t i = 0; i < c->n_helps; i++) free(c->helps[i]);
    free(c->helps);
    free(c->opts);
}

static int kind_spec(const char *cmd, const ts_kind *k, const char *extra, kind_cli *c)
{
    memset(c, 0, sizeof *c);
    c->seed = 1;
    c->ckpt_every = 300;
    size_t n = k->n_params;
    c->opts = calloc(n + 8, sizeof *c->opts);
    c->helps = calloc(n + 1, sizeof *c->helps);
    if (!c->opts || !c->helps) return -1;
    for (size_t i = 0; i < n; i++) {
        const ts_param_spec *s = &k->params[i];
        char expected[256], def[160];
        ts_param_expected(s, expected, sizeof expected);
        if (!s->def) snprintf(def, sizeof def, "required");
        else if (s->type == TS_PARAM_STRING) snprintf(def, sizeof def, "default \"%s\"", s->def);
        else snprintf(def, sizeof def, "default %s", s->def);
        /* the unit in brackets: "default 1 [steps]", never "1 steps" */
        char unit[64] = "";
        if (*s->unit) snprintf(unit, sizeof unit, " [%s]", s->unit);
        size_t len = strlen(s->doc) + strlen(expected) + strlen(def) + strlen(unit) + 16;
        char *h = malloc(len);
        if (!h) return -1;
        snprintf(h, len, "%s%s\n%s; %s", s->doc, unit, expected, def);
        c->helps[c->n_helps++] = h;
        c->opts[i] = (ts_cli_opt){ s->name, 0, TS_OPT_STRING,
                                   s->type == TS_PARAM_CHOICE ? "NAME" : s->type == TS_PARAM_STRING ? "TEXT"
                                   : s->type == TS_PARAM_INT ? "N" : "X", h, &c->vals[i], NULL };
    }
    c->opts[n] = (ts_cli_opt){ "seed", 0, TS_OPT_U64, "SEED", "job seed (default 1); the task is (SEED, point 0, replicate 0)",
                               &c->seed, NULL };
    c->opts[n + 1] = (ts_cli_opt){ "output", 'o', TS_OPT_STRING, "FILE.h5",
                                   "write the results to FILE.h5, a store of one task (xarray,\n"
                                   "info, export and plot read it like any store)", &c->out, NULL };
    c->opts[n + 2] = (ts_cli_opt){ "force", 0, TS_OPT_FLAG, NULL, "overwrite FILE.h5 if it exists", &c->force, NULL };
    c->opts[n + 3] = (ts_cli_opt){ "print", 0, TS_OPT_FLAG, NULL, "print a summary to stdout", &c->print, NULL };
    c->opts[n + 4] = (ts_cli_opt){ "progress", 0, TS_OPT_FLAG, NULL,
                                   "progress bar with ETA on stderr (default when it is a terminal)", &c->progress, NULL };
    c->opts[n + 5] = (ts_cli_opt){ "no-progress", 0, TS_OPT_FLAG, NULL,
                                   "a progress line every 10 s instead (default otherwise)", &c->no_progress, "progress" };
    if (k->checkpoints)
        c->opts[n + 6] = (ts_cli_opt){ "checkpoint_every", 0, TS_OPT_DOUBLE, "SECONDS",
                                       "with -o: save the run's state to FILE.h5.ckpt every SECONDS\n"
                                       "(default 300) and on Ctrl-C, SIGTERM or SIGUSR1 (exit 75); the\n"
                                       "same command then continues it, bit-identical",
                                       &c->ckpt_every, NULL };
    c->spec = (ts_cli_spec){
        .cmd = cmd,
        .usage = "[--PARAM VALUE ...] [--seed SEED] [-o FILE.h5] [--force] [--print]",
        .summary = k->summary,
        .epilog = extra,
        .opts = c->opts,
        .min_pos = 0,
        .max_pos = 0,
    };
    return 0;
}

static const char kind_epilog[] =
    "The parameters are the keys of job files, with the same ranges and defaults.\n"
    "With -o, a stopped run (Ctrl-C, SIGTERM, SIGUSR1) leaves FILE.h5.ckpt, and the\n"
    "same command continues from it; --force starts over from another run's.\n"
    "Exit: 0 ok; 1 the run failed or diverged (results still written, status\n"
    "attribute 'diverged'); 2 bad argument; 3 file error; 75 stopped by a signal,\n"
    "its state saved: run the same command again.";

void ts_cli_kind_usage(const char *cmd, const ts_kind *k)
{
    kind_cli c;
    if (kind_spec(cmd, k, kind_epilog, &c) == 0) ts_cli_help(&c.spec);
    else fprintf(stderr, "tailsweep %s: out of memory\n", cmd);
    kind_spec_free(&c);
}

static int parse_params(const ts_kind *k, int argc, char **argv, ts_task *t, const char **out,
                        double *ckpt_every, int *force, int *print, int *tty)
{
    kind_cli c;
    if (kind_spec(argv[0], k, kind_epilog, &c) != 0) {
        kind_spec_free(&c);
        fprintf(stderr, "tailsweep %s: out of memory\n", argv[0]);
        return TS_EXIT_FAILURE;
    }
    char **pos = NULL;
    int npos = 0;
    int rc = ts_cli_parse(&c.spec, argc, argv, &pos, &npos);
    free(pos);
    for (size_t i = 0; rc < 0 && i < k->n_params; i++) {
        if (!c.vals[i]) continue;
        ts_err err = { 0 };
        char where[96];
        snprintf(where, sizeof where, "--%s", k->params[i].name);
        if (ts_params_set(&t->params, i, c.vals[i], where, &err)) rc = ts_cli_usage_error(argv[0], "%s", err.msg);
    }
    t->seed = c.seed;
    *out = c.out;
    *ckpt_every = c.ckpt_every;
    if (rc < 0 && !(c.ckpt_every > 0 && c.ckpt_every <= 1e9))
        rc = ts_cli_usage_error(argv[0], "--checkpoint_every %g: must be a number of seconds in (0, 1e9]",
                                c.ckpt_every);
    *force = c.force;
    *print = c.print;
    if (c.progress) *tty = 1;
    if (c.no_progress) *tty = 0;
    kind_spec_free(&c);
    return rc;
}

double ts_cli_value(const ts_result_layout *l, double *const *out, const char *name, size_t i)
{
    int k = ts_result_find(l, name);
    return k >= 0 && i < ts_result_size(&l->r[k]) ? out[k][i] : NAN;
}

size_t ts_cli_size(const ts_result_layout *l, const char *name)
{
    int k = ts_result_find(l, name);
    return k >= 0 ? ts_result_size(&l->r[k]) : 0;
}

/* Progress of one task: a bar on a terminal (redrawn at most 5 times a
 * second), else a line every 10 s; the kind reports the fraction done. */
typedef struct {
    const char *cmd;
    int tty, shown;
    double start, last;
    ts_rate rate;          /* of the fraction done: the recent pace (ts_rate.h) */
} progress_view;

static int show_progress(void *ctx, double done)
{
    progress_view *v = ctx;
    double t = ts_clock_mono();
    ts_rate_sample(&v->rate, t, done);
    if (t - v->last < (v->tty ? 0.2 : 10)) return 0;
    v->last = t;
    double el = t - v->start;
    char eta[32];
    /* the recent rate; "unknown" until some work is done */
    ts_cli_duration(ts_rate_eta(&v->rate, t, done, 1 - done), eta, sizeof eta);
    if (v->tty) {
        int bar = (int)(30 * (done < 0 ? 0 : done > 1 ? 1 : done));
        fprintf(stderr, "\r%s [%-30.*s] %3.0f%%  %.0f s  ETA %s   ", v->cmd, bar, "##############################",
                100 * done, el, eta);
    } else {
        fprintf(stderr, "tailsweep %s: %.0f%% done after %.0f s, ETA %s\n", v->cmd, 100 * done, el, eta);
    }
    v->shown = 1;
    return 0;
}

static int fill_defaults(const char *cmd, const ts_kind *k, ts_task *t)
{
    ts_err err = { 0 };
    if (ts_params_defaults(&t->params, k->params, k->n_params, &err))
        {
        fprintf(stderr, "tailsweep %s: internal error: %s\n", cmd, err.msg);
        return TS_EXIT_FAILURE;
    }
    return -1;
}

/* The command line, for the store's job_text: how the point was made. */
static char *command_text(const char *name, int argc, char **argv)
{
    size_t n = strlen(name) + 16;
    for (int i = 1; i < argc; i++) n += strlen(argv[i]) + 1;
    char *t = malloc(n);
    if (!t) return NULL;
    size_t used = (size_t)snprintf(t, n, "tailsweep %s", name);
    for (int i = 1; i < argc; i++) used += (size_t)snprintf(t + used, n - used, " %s", argv[i]);
    return t;
}

/* The one-point job of the command line: the store carries it, and its
 * identity names the run's checkpoint. */
static ts_status point_job(const char *cmd, const ts_kind *k, const ts_task *t, const char *out, int argc,
                           char **argv, ts_job **job, ts_err *err)
{
    char *text = command_text(cmd, argc, argv);
    if (!text) return ts_err_set(err, TS_ENOMEM, "out of memory");
    ts_status st = ts_job_single(k, &t->params, t->seed, "(command line)", text, job, err);
    free(text);
    if (!st) snprintf((*job)->store, sizeof (*job)->store, "%s", out);
    return st;
}

/* A one-point output: a store of one task, like any sweep's. */
static ts_status write_store(const ts_job *job, const ts_result_layout *l, const double *block,
                             ts_task_status status, double secs, const char *out, int force, ts_err *err)
{
    ts_status st = ts_store_create(out, job, l, force, ts_clock_unix(), err);
    ts_store *s = NULL;
    if (!st) st = ts_store_open(out, job, l, &s, err);
    if (!st) {
        ts_task_record r = { .task = 0, .status = (uint8_t)status, .attempt = 1, .rank = 0, .wall = secs,
                             .end_time = ts_clock_unix(), .results = block };
        gethostname(r.host, sizeof r.host - 1);
        st = ts_store_put(s, &r, 1, NULL, err);
        if (!st) st = ts_store_sync(s, err);
    }
    ts_store_close(s);
    return st;
}

/* A signal only sets the flag: the run saves its state at its next poll and
 * stops (ts_cli_point_ckpt.h). */
static volatile sig_atomic_t stop_flag;
static void on_stop_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

int ts_cli_run_kind(const ts_kind *k, int argc, char **argv,
                    void (*print_summary)(const ts_task *, const ts_result_layout *, double *const *, double))
{
    const char *cmd = argv[0];
    ts_task t = { .point = 0, .replicate = 0, .seed = 1 };
    const char *out = NULL;
    double ckpt_every = 300;
    int force = 0, print = 0, tty = isatty(2), rc = fill_defaults(cmd, k, &t);
    if (rc < 0) rc = parse_params(k, argc, argv, &t, &out, &ckpt_every, &force, &print, &tty);
    if (rc >= 0) return rc;
    if (!out && !print) return ts_cli_usage_error(cmd, "nothing to do: give -o FILE.h5 and/or --print");
    ts_err err = { 0 };
    /* refuse an output we may not write before spending the run's time */
    if (out && ts_output_check(out, force, &err)) return ts_cli_fail(cmd, &err);
    if (k->validate && k->validate(&t.params, &err)) return ts_cli_usage_error(cmd, "%s", err.msg);
    ts_result_layout *l;
    if (ts_kind_layout(k, &t.params, &l, &err)) return ts_cli_fail(cmd, &err);
    /* one block in layout order, as a sweep's task record carries it */
    size_t per = 0;
    for (size_t i = 0; i < l->n; i++) per += ts_result_size(&l->r[i]);
    double *block = calloc(per ? per : 1, sizeof *block);
    double *bufs[TS_MAX_RESULTS] = { 0 };
    if (!block) {
        fprintf(stderr, "tailsweep %s: out of memory\n", argv[0]);
        rc = TS_EXIT_FAILURE;
    }
    for (size_t i = 0, off = 0; block && i < l->n; off += ts_result_size(&l->r[i]), i++) bufs[i] = block + off;
    ts_task_status status = TS_TASK_TODO;
    double t0 = ts_clock_mono();
    progress_view pv = { .cmd = cmd, .tty = tty, .start = t0, .last = t0 };
    ts_job *job = NULL;
    if (rc < 0 && out && point_job(cmd, k, &t, out, argc, argv, &job, &err)) rc = ts_cli_fail(cmd, &err);
    /* with an output, a kind that can checkpoint saves its state beside it */
    ts_cli_point_ckpt pc;
    memset(&pc, 0, sizeof pc);
    int ckpt_on = rc < 0 && out && k->checkpoints;
    if (ckpt_on) {
        uint64_t id = 0;
        int r;
        if (ts_job_identity(job, &id, &err)) rc = ts_cli_fail(cmd, &err);
        else if ((r = ts_cli_point_ckpt_open(&pc, cmd, out, id, k->name, ckpt_every, force, show_progress, &pv,
                                             &stop_flag)) >= 0)
            rc = r;
        ts_cli_catch_stop_signals(on_stop_signal);
    }
    ts_rate_init(&pv.rate, t0, pc.resumed_at, 30, 0.01);
    t.poll = ckpt_on ? ts_cli_point_ckpt_poll : show_progress;
    t.poll_ctx = ckpt_on ? (void *)&pc : (void *)&pv;
    t.ckpt = ckpt_on ? &pc.ck : NULL;
    ts_status run_st = TS_OK;
    while (rc < 0) {
        run_st = k->run(&t, l, bufs, &status, &err);
        /* a state the kind refuses: said, and the run starts over */
        if (!run_st || run_st == TS_ECANCEL || !ckpt_on || !ts_cli_point_ckpt_retry(&pc)) break;
        memset(block, 0, per * sizeof *block);
        status = TS_TASK_TODO;
        err = (ts_err){ 0 };
    }
    double secs = ckpt_on ? ts_cli_point_ckpt_seconds(&pc) : ts_clock_mono() - t0;
    if (pv.shown && tty) fprintf(stderr, "\r%*s\r", 70, "");   /* the bar gives way to what follows */
    if (rc < 0 && run_st == TS_ECANCEL && ckpt_on && pc.stopped) {
        if (pc.write_failed)
            fprintf(stderr, "tailsweep %s: stopped at %.1f%%; its state could not be saved (see above): the same "
                            "command starts over%s\n", cmd, 100 * pc.stopped_at,
                    pc.has_file ? ", or from the last checkpoint saved" : "");
        else
            fprintf(stderr, "tailsweep %s: stopped at %.1f%%; its state is in %s: run the same command again to "
                            "continue\n", cmd, 100 * pc.stopped_at, pc.path);
        rc = TS_EXIT_INTERRUPTED;
    }
    if (rc < 0 && run_st) rc = ts_cli_fail(cmd, &err);
    if (rc < 0 && out && write_store(job, l, block, status, secs, out, force, &err)) rc = ts_cli_fail(cmd, &err);
    if (rc < 0 && out) fprintf(stderr, "tailsweep %s: wrote %s\n", cmd, out);
    if (rc < 0 && ckpt_on) ts_cli_point_ckpt_finished(&pc);
    if (rc < 0 && print && print_summary) print_summary(&t, l, bufs, secs);
    if (rc < 0 && status == TS_TASK_DIVERGED) {
        fprintf(stderr, "tailsweep %s: warning: the run diverged (blow-up detector); results are from the "
                        "surviving samples and marked status=diverged\n", cmd);
        rc = TS_EXIT_FAILURE;
    }
    free(block);
    ts_cli_point_ckpt_free(&pc);
    ts_job_free(job);
    ts_result_layout_free(l);
    return rc < 0 ? TS_EXIT_OK : rc;
}
