/* exec_workloads.h — the measured workloads behind `runtime run --bench` and the
 * benches: each runs on a runtime the caller made and reports what it measured.
 * They are ordinary futures built from this lab's parts (nothing special-cased). */
#ifndef EXEC_WORKLOADS_H
#define EXEC_WORKLOADS_H

#include <stdint.h>

#include "exec_rt.h"

/* Spawns n tasks from inside a task, each yielding `yields` times, and joins them all.
 * Returns the elapsed nanoseconds, or 0 on failure. */
uint64_t exec_wl_spawn(exec_rt *rt, unsigned n, unsigned yields);

/* `tasks` tasks each yield `yields` times. Returns elapsed ns (0 on failure). */
uint64_t exec_wl_yield(exec_rt *rt, unsigned tasks, unsigned yields);

/* n sleeps of 1..max_ms ms (seeded), all started at once; late_ns[i] receives how
 * long after its deadline sleep i woke. Returns elapsed ns (0 on failure). */
uint64_t exec_wl_timers(exec_rt *rt, unsigned n, unsigned max_ms, uint64_t seed, uint64_t *late_ns);

/* An echo server and `conns` clients over loopback inside the runtime, each client
 * doing `msgs` round trips of `size` bytes. Returns elapsed ns, 0 on failure (then
 * *err holds -errno). rtt_ns (conns * msgs entries) may be NULL. */
uint64_t exec_wl_echo(exec_rt *rt, unsigned conns, unsigned msgs, unsigned size, uint64_t *rtt_ns,
                      int *err);

/* One echo client doing msgs round trips while `spinners` tasks burn CPU and yield;
 * rtt_ns (msgs entries) receives the round-trip times. Returns elapsed ns. */
uint64_t exec_wl_fairness(exec_rt *rt, unsigned spinners, unsigned msgs, uint64_t *rtt_ns,
                          int *err);

#endif
