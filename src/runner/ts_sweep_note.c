/* ts_sweep_note.c: notices for the user (a damaged record recomputed, a
 * checkpoint ignored): rank 0 hands them to the caller's callback, the only
 * place they are printed; a worker's travel to rank 0 first (TAG_NOTE). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ts_runner_internal.h"

void ts_sweep_note(const sweep *w, const char *fmt, ...)
{
    if (!w->o->note) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    w->o->note(msg, w->o->ctx);
}

void ts_sweep_tell(const sweep *w, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (w->rank == 0) ts_sweep_note(w, "%s", msg);
    else MPI_Send(msg, (int)strlen(msg) + 1, MPI_CHAR, 0, TAG_NOTE, w->comm);
}
