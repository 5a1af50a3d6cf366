/* task_impl.h — the task header, shared by the core's executors (private).
 *
 * Executors link tasks into their run queues through `next`; everything else in the
 * header belongs to task.c. */
#ifndef EXEC_TASK_IMPL_H
#define EXEC_TASK_IMPL_H

#include "exec.h"

#define T_SCHEDULED 0x01u /* in a run queue (holds a reference) */
#define T_RUNNING 0x02u   /* being polled */
#define T_NOTIFIED 0x04u  /* woken while running: poll again */
#define T_COMPLETE 0x08u  /* finished; the future is never polled again */
#define T_CANCELLED 0x10u /* abort requested */

struct exec_task {
    _Atomic uint32_t state;
    _Atomic uint32_t refs;
    exec_task *next;                /* run-queue link, owned by the queue holding the task */
    exec_task *all_prev, *all_next; /* live list, under sched->lock */
    exec_sched *sched;
    exec_spin join_lock; /* guards join_waker */
    exec_waker join_waker;
    int outcome;
    bool fut_dropped;
    size_t size; /* allocation size */
    alignas(max_align_t) unsigned char fut[];
};

#endif
