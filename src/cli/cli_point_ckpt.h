/* cli_point_ckpt.h: checkpoints of a single-point command (cli_point_ckpt.c):
 * OUT.h5.ckpt, saved every --checkpoint_every seconds and on a stop,
 * continued by the same command, removed once OUT.h5 is written. */
#ifndef TS_CLI_POINT_CKPT_H
#define TS_CLI_POINT_CKPT_H

#include <signal.h>
#include <stdint.h>

#include "cli.h"
#include "tailsweep/ts_ckpt.h"
#include "tailsweep/ts_poll.h"

typedef struct {
    const char *cmd, *kind;
    char path[4200];              /* OUT.h5.ckpt                              */
    uint64_t job_id;              /* the one-point job's identity             */
    double every;                 /* seconds between saves                    */
    double t0, last;              /* this run's start; the last save asked    */
    double before;                /* wall seconds of earlier runs             */
    double resumed_at;            /* the fraction done when resumed (0: new)  */
    ts_ckpt ck;                   /* the kind's channel (ts_task.ckpt)        */
    ts_poll_fn inner;             /* the progress display                     */
    void *inner_ctx;
    const volatile sig_atomic_t *stop;   /* set by a signal                   */
    int has_file, write_failed, saves, stopped;
    double stopped_at;            /* the fraction done at the stop            */
} ts_cli_point_ckpt;

/* Look for OUT.ckpt: a valid one is loaded (ck.state) and said; a damaged
 * one is said and ignored; another run's, or a file that is not a
 * checkpoint, is refused unless force. -1 to go on, else an exit code. */
int ts_cli_point_ckpt_open(ts_cli_point_ckpt *c, const char *cmd, const char *out, uint64_t job_id,
                           const char *kind, double every, int force, ts_poll_fn inner, void *inner_ctx,
                           const volatile sig_atomic_t *stop);
/* The task's poll (its ctx is c): the display's, then a save every `every`
 * seconds, and a save then a stop on a signal. */
int ts_cli_point_ckpt_poll(void *c, double done);
/* After a run that failed: when the kind refused the state, say so, drop it
 * and return 1 (run again from the start); else 0. */
int ts_cli_point_ckpt_retry(ts_cli_point_ckpt *c);
/* Wall seconds of the run, earlier runs included. */
double ts_cli_point_ckpt_seconds(const ts_cli_point_ckpt *c);
/* The output is written: the checkpoint goes. */
void ts_cli_point_ckpt_finished(ts_cli_point_ckpt *c);
void ts_cli_point_ckpt_free(ts_cli_point_ckpt *c);

#endif
