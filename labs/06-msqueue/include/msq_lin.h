/* msq_lin.h — a linearizability checker for FIFO queue histories, and a recorder
 * that produces such histories from real multi-threaded runs.
 *
 * A history is a set of completed operations, each with the times it was invoked and
 * returned and what it did. It is linearizable if some total order of the operations
 * (1) puts A before B whenever A returned before B was invoked and (2) is a legal run
 * of a sequential FIFO queue. The checker searches for that order the way Wing &
 * Gong (1993) did, with Lowe's (2017) memo of states already shown to be dead ends. */
#ifndef MSQ_LIN_H
#define MSQ_LIN_H

#include <stddef.h>
#include <stdint.h>

#include "msq.h"

typedef enum msq_lin_kind {
    MSQ_LIN_ENQ = 1,       /* enqueue(value) */
    MSQ_LIN_DEQ = 2,       /* dequeue() returned value */
    MSQ_LIN_DEQ_EMPTY = 3, /* dequeue() reported empty */
} msq_lin_kind;

/* Most distinct threads a history may have. */
#define MSQ_LIN_MAX_THREADS 64u

typedef struct msq_lin_op {
    uint64_t invoke;   /* time of the call; must be < response */
    uint64_t response; /* time of the return */
    uint64_t value;    /* enqueued / dequeued value (ignored for DEQ_EMPTY) */
    uint32_t thread;   /* ops of one thread must not overlap in time */
    msq_lin_kind kind;
} msq_lin_op;

typedef struct msq_lin_result {
    uint64_t states; /* search states visited */
    size_t deepest;  /* most operations placed in one candidate order */
    char why[256];   /* for -EINVAL: which operation is malformed and how;
                        * for a rejection: how far the search got */
} msq_lin_result;

/* Decides whether ops[0..n) is a linearizable FIFO queue history. Visits at most
 * max_states search states (0 = no limit). Returns 1 (linearizable), 0 (not),
 * -EINVAL (malformed history: res->why names the op index; or more than
 * MSQ_LIN_MAX_THREADS threads), -E2BIG (state budget
 * exhausted: no verdict) or -ENOMEM. Thread-safe; ops is not modified. */
int msq_lin_check(const msq_lin_op *ops, size_t n, uint64_t max_states, msq_lin_result *res);

/* A recorder: each thread appends its own operations; the clock is one shared atomic
 * counter, so "A returned before B was invoked" is exact, not a clock-skew guess. */
typedef struct msq_lin_log msq_lin_log;

/* Room for `per_thread` operations from each of `threads` threads; NULL on ENOMEM. */
msq_lin_log *msq_lin_log_create(unsigned threads, size_t per_thread);
void msq_lin_log_destroy(msq_lin_log *log);

/* Takes the invocation time stamp; call right before the operation. Thread-safe. */
uint64_t msq_lin_begin(msq_lin_log *log);

/* Takes the response stamp and appends the op to thread's log. Only `thread` itself
 * may append to its log. Returns 0, or -ENOSPC when thread's log is full. */
int msq_lin_end(msq_lin_log *log, unsigned thread, uint64_t invoke, msq_lin_kind kind,
                uint64_t value);

/* Number of recorded ops and a pointer to them (thread by thread, in program order).
 * Only when no thread is recording. The array belongs to the log. */
size_t msq_lin_log_ops(msq_lin_log *log, const msq_lin_op **ops);

/* What a recording runs against: the queue under test, or, as a negative control, a
 * mutex-protected stack (a real shared object that is a LIFO, not a FIFO: a correct
 * checker must reject its histories). */
typedef struct msq_lin_target msq_lin_target;

/* A target for queue q (not owned; it must have room for `threads` handles). NULL on
 * ENOMEM. */
msq_lin_target *msq_lin_target_queue(msq_queue *q);

/* The control: a mutex-protected stack of at most `cap` items. NULL on ENOMEM. */
msq_lin_target *msq_lin_target_stack(size_t cap);

void msq_lin_target_destroy(msq_lin_target *t);

/* Records one history: `threads` threads run `ops` operations each on t, a mix seeded
 * by `seed` of 45% enqueues (of unique values) and 55% dequeues, and now and then
 * yield inside an operation's window so that other threads' operations overlap it
 * even on a busy or single core. Every completed operation goes into log, which must
 * have room for threads x ops. Returns 0, or -errno if a thread could not start. */
int msq_lin_record(msq_lin_target *t, msq_lin_log *log, unsigned threads, size_t ops,
                   uint64_t seed);

#endif
