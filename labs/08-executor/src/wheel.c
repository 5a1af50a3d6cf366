/* wheel.c — a hierarchical timing wheel with 1 ms ticks (freestanding core).
 *
 * Six levels of 64 slots; a slot at level L spans 64^L ms. A timer goes to the level
 * of the highest 6-bit group in which its deadline differs from the wheel's clock,
 * so every armed timer is in a slot strictly ahead of the clock at its level (or in
 * the current slot at level 0). Insert and remove are O(1) (doubly linked slot
 * lists, a 64-bit occupancy mask per level); finding the next deadline is one
 * count-trailing-zeros per level. When the clock reaches a slot above level 0, its
 * timers cascade down a level; each timer cascades at most five times. */
#include "exec.h"

static unsigned level_for(uint64_t elapsed, uint64_t deadline)
{
    uint64_t diff = (elapsed ^ deadline) | (EXEC_WHEEL_SLOTS - 1);
    unsigned top = 63u - (unsigned)__builtin_clzll(diff); /* highest differing bit */
    unsigned lvl = top / 6u;
    return lvl < EXEC_WHEEL_LEVELS ? lvl : EXEC_WHEEL_LEVELS - 1;
}

static unsigned slot_for(uint64_t deadline, unsigned lvl)
{
    return (unsigned)((deadline >> (6u * lvl)) & (EXEC_WHEEL_SLOTS - 1));
}

void exec_wheel_init(exec_wheel *w, uint64_t now_ms)
{
    w->elapsed = now_ms;
    w->count = 0;
    for (unsigned l = 0; l < EXEC_WHEEL_LEVELS; l++) {
        w->occupied[l] = 0;
        for (unsigned s = 0; s < EXEC_WHEEL_SLOTS; s++)
            w->slots[l][s] = NULL;
    }
}

static void link_timer(exec_wheel *w, exec_timer *t)
{
    /* SOLUTION BEGIN: pick level from the highest differing 6-bit group, push on the slot list, set the occupancy bit */
    if (t->deadline < w->elapsed)
        t->deadline = w->elapsed;
    if (t->deadline - w->elapsed >= EXEC_WHEEL_HORIZON)
        t->deadline = w->elapsed + EXEC_WHEEL_HORIZON - 1;
    unsigned lvl = level_for(w->elapsed, t->deadline);
    unsigned slot = slot_for(t->deadline, lvl);
    t->level = (uint8_t)lvl;
    t->slot = (uint8_t)slot;
    t->prev = NULL;
    t->next = w->slots[lvl][slot];
    if (t->next)
        t->next->prev = t;
    w->slots[lvl][slot] = t;
    w->occupied[lvl] |= (uint64_t)1 << slot;
    /* SOLUTION END */
}

static void unlink_timer(exec_wheel *w, exec_timer *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        w->slots[t->level][t->slot] = t->next;
    if (t->next)
        t->next->prev = t->prev;
    if (!w->slots[t->level][t->slot])
        w->occupied[t->level] &= ~((uint64_t)1 << t->slot);
    t->prev = t->next = NULL;
}

void exec_wheel_insert(exec_wheel *w, exec_timer *t)
{
    link_timer(w, t);
    t->armed = true;
    t->fired = false;
    w->count++;
}

void exec_wheel_remove(exec_wheel *w, exec_timer *t)
{
    if (!t->armed)
        return;
    unlink_timer(w, t);
    t->armed = false;
    w->count--;
}

/* The start time of the earliest occupied slot (lowest level first: a lower level's
 * slots all start before any occupied higher-level slot), with its level and slot. */
static uint64_t next_slot(const exec_wheel *w, unsigned *lvl_out, unsigned *slot_out)
{
    /* SOLUTION BEGIN: per level, first occupied slot at or after the clock's slot; its start time */
    for (unsigned lvl = 0; lvl < EXEC_WHEEL_LEVELS; lvl++) {
        unsigned now_slot = slot_for(w->elapsed, lvl);
        uint64_t occ = w->occupied[lvl] & (~(uint64_t)0 << now_slot);
        uint64_t level_range = (uint64_t)1 << (6u * (lvl + 1));
        uint64_t base = w->elapsed & ~(level_range - 1);
        if (!occ && lvl == EXEC_WHEEL_LEVELS - 1 && w->occupied[lvl]) {
            /* Top level only: slots behind the clock's hold deadlines of the next
             * revolution (the horizon keeps them from reaching the clock's slot). */
            occ = w->occupied[lvl];
            base += level_range;
        }
        if (!occ)
            continue;
        unsigned slot = (unsigned)__builtin_ctzll(occ);
        uint64_t start = base + ((uint64_t)slot << (6u * lvl));
        *lvl_out = lvl;
        *slot_out = slot;
        return start < w->elapsed ? w->elapsed : start;
    }
    return EXEC_FOREVER;
    /* SOLUTION END */
}

uint64_t exec_wheel_next(const exec_wheel *w)
{
    unsigned lvl, slot;
    uint64_t start = next_slot(w, &lvl, &slot);
    if (start == EXEC_FOREVER || lvl == 0)
        return start;
    /* A higher-level slot starts before its earliest timer: find the exact one. */
    uint64_t best = EXEC_FOREVER;
    for (const exec_timer *t = w->slots[lvl][slot]; t; t = t->next)
        if (t->deadline < best)
            best = t->deadline;
    return best;
}

uint64_t exec_wheel_next_hint(const exec_wheel *w)
{
    unsigned lvl, slot;
    return next_slot(w, &lvl, &slot);
}

exec_timer *exec_wheel_pop_expired(exec_wheel *w, uint64_t now_ms)
{
    for (;;) {
        unsigned lvl, slot;
        uint64_t start = next_slot(w, &lvl, &slot);
        if (start == EXEC_FOREVER || start > now_ms) {
            if (now_ms > w->elapsed)
                w->elapsed = now_ms;
            return NULL;
        }
        w->elapsed = start;
        if (lvl == 0) {
            exec_timer *t = w->slots[0][slot];
            unlink_timer(w, t);
            t->armed = false;
            t->fired = true;
            w->count--;
            return t;
        }
        /* Cascade: the clock entered this slot, so its timers now belong lower. */
        exec_timer *list = w->slots[lvl][slot];
        w->slots[lvl][slot] = NULL;
        w->occupied[lvl] &= ~((uint64_t)1 << slot);
        while (list) {
            exec_timer *t = list;
            list = t->next;
            link_timer(w, t);
        }
    }
}
