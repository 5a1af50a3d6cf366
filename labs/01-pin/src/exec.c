/* exec.c — a minimal single-threaded executor: a ready queue of pinned tasks.
 *
 * The queue is an intrusive pin_list of the tasks' own nodes, so spawning and waking
 * allocate nothing and a task must not move while it can be queued. A waker is the
 * task's address plus task_wake; waking a task that is already queued, or done, does
 * nothing, so a task is polled once per run however many events woke it. */
#include "pin_async.h"

PIN_TYPE_DEFINE(pin_task, NULL);
PIN_TYPE_DEFINE(pin_exec, NULL);

static pin_list_pinned ready_of(pin_exec_pinned ex)
{
    return PIN_PROJECT(pin_list, ex, ready);
}

static pin_list_node_pinned link_of(pin_task_pinned t)
{
    return PIN_PROJECT(pin_list_node, t, link);
}

void pin_exec_init(pin_exec_pinned ex)
{
    pin_list_init(ready_of(ex));
    PIN_GET(ex)->polls = 0;
}

void pin_exec_spawn(pin_exec_pinned ex, pin_task_pinned t)
{
    PIN_GET(t)->exec = PIN_GET(ex);
    if (!pin_list_linked(link_of(t)))
        pin_list_push_back(ready_of(ex), link_of(t));
}

static void task_wake(void *data)
{
    pin_task_pinned t = {data};
    pin_task *task = PIN_GET(t);
    task->wakes++;
    if (task->done || pin_list_linked(link_of(t)))
        return;
    pin_exec_pinned ex = {task->exec};
    pin_list_push_back(ready_of(ex), link_of(t));
}

pin_waker pin_task_waker(pin_task_pinned t)
{
    return (pin_waker){task_wake, PIN_GET(t)};
}

size_t pin_exec_run_until_stalled(pin_exec_pinned ex)
{
    size_t polls = 0;
    for (;;) {
        pin_list_node_pinned n = pin_list_pop_front(ready_of(ex));
        if (n.unchecked_ == NULL)
            return polls;
        pin_task_pinned t = {PIN_LIST_ENTRY(n.unchecked_, pin_task, link)};
        pin_task *task = PIN_GET(t);
        pin_context cx = {pin_task_waker(t)};
        task->polls++;
        polls++;
        PIN_GET(ex)->polls++;
        if (task->poll(task->state, &cx) == PIN_READY)
            task->done = true;
    }
}
