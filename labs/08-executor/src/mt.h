/* mt.h — the multi-threaded work-stealing executor (private to the lab). */
#ifndef EXEC_MT_H
#define EXEC_MT_H

#include "exec.h"

typedef struct exec_mt exec_mt;

/* Starts n worker threads over plat (its park/unpark drive the reactor). */
int exec_mt_new(exec_mt **out, unsigned n, const exec_platform *plat, void *io);
exec_sched *exec_mt_sched(exec_mt *mt);
/* Blocks the calling (non-worker) thread until j finishes; returns its outcome. */
int exec_mt_wait(exec_mt *mt, exec_join *j);
/* Stops the workers and cancels unfinished tasks. */
void exec_mt_shutdown(exec_mt *mt);
/* Frees (after exec_mt_shutdown). */
void exec_mt_free(exec_mt *mt);

#endif
