/* arena_local.c — one arena per thread, created on first use, destroyed at exit.
 *
 * A _Thread_local arena needs no locking at all; the pthread key exists only for its
 * destructor, which gives the thread's chunks back when the thread ends. Hosted only. */
#include <pthread.h>
#include <stdbool.h>

#include "arena_hosted.h"

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static _Thread_local arena local;
static _Thread_local bool ready;

static void destroy_local(void *p)
{
    arena_destroy(p);
}

static void make_key(void)
{
    /* Without a key the arenas still work; they are just not freed at thread exit. */
    (void)pthread_key_create(&key, destroy_local);
}

arena *arena_local(void)
{
    if (!ready) {
        pthread_once(&once, make_key);
        arena_source src = arena_heap_source();
        arena_init(&local, &src, (size_t)64 * 1024);
        pthread_setspecific(key, &local);
        ready = true;
    }
    return &local;
}
