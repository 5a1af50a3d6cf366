/* test_move_check.c — the move check fires on every way C moves a pinned object
 * (memcpy, realloc, return by value, struct assignment), names the type, both
 * addresses and the file:line of the check, and stays silent for a movable type.
 *
 * Each firing case runs in a child process (cmn_dies_with): the check aborts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "fixtures.h"
#include "pin.h"

/* The report for a move of `type` from `from` to `to`, as a regex (addresses exact). */
static const char *moved_re(char *buf, size_t n, const char *type, uintptr_t from, uintptr_t to,
                            const char *file)
{
    snprintf(buf, n,
             "pin: pinned object moved: type %s pinned at %#lx, now at %#lx "
             "\\(checked at [^ ]*%s:[0-9]+\\)",
             type, (unsigned long)from, (unsigned long)to, file);
    return buf;
}

typedef struct two_slots {
    selfref *from, *to;
} two_slots;

static void memcpy_then_use(void *arg)
{
    two_slots *s = arg;
    memcpy(s->to, s->from, sizeof *s->to); /* the move */
    selfref_pinned copy = {s->to};         /* ...and a program that trusts it */
    printf("value %d\n", PIN_GET(copy)->value);
}

static void test_memcpy_fires(void **state)
{
    (void)state;
    selfref *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    *a = selfref_make(7);
    selfref_link(PIN_INIT(selfref, a));
    two_slots s = {a, b};
    char re[256];
    assert_true(cmn_dies_with(
        memcpy_then_use, &s,
        moved_re(re, sizeof re, "selfref", (uintptr_t)a, (uintptr_t)b, "test_move_check\\.c")));
    free(a);
    free(b);
}

static void assign_then_use(void *arg)
{
    two_slots *s = arg;
    *s->to = *s->from; /* struct assignment is a memcpy too */
    selfref_pinned copy = {s->to};
    selfref_link(copy);
}

static void test_struct_assignment_fires(void **state)
{
    (void)state;
    selfref a = selfref_make(1), b = selfref_make(2);
    selfref_link(PIN_INIT(selfref, &a));
    two_slots s = {&a, &b};
    char re[256];
    assert_true(cmn_dies_with(
        assign_then_use, &s,
        moved_re(re, sizeof re, "selfref", (uintptr_t)&a, (uintptr_t)&b, "fixtures\\.c")));
}

typedef struct realloc_case {
    selfref *arr;
    size_t n;
} realloc_case;

static void realloc_then_use(void *arg)
{
    realloc_case *c = arg;
    uintptr_t before = (uintptr_t)c->arr;
    selfref *arr = c->arr;
    size_t cap = c->n;
    while ((uintptr_t)arr == before) { /* grow until realloc really moves the block */
        cap *= 2;
        arr = realloc(arr, cap * sizeof *arr);
        if (arr == NULL)
            exit(3);
        c->arr = arr; /* keeps the block reachable when the child aborts */
    }
    selfref_pinned last = {&arr[c->n - 1]};
    printf("value %d\n", *PIN_GET(last)->self);
}

static void test_realloc_fires(void **state)
{
    (void)state;
    realloc_case c = {malloc(4 * sizeof(selfref)), 4};
    assert_non_null(c.arr);
    for (size_t i = 0; i < c.n; i++) {
        c.arr[i] = selfref_make((int)i);
        selfref_link(PIN_INIT(selfref, &c.arr[i]));
    }
    char re[256];
    snprintf(re, sizeof re,
             "type selfref pinned at %#lx, now at 0x[0-9a-f]+ \\(checked at [^ ]*:[0-9]+\\)",
             (unsigned long)(uintptr_t)&c.arr[c.n - 1]);
    assert_true(cmn_dies_with(realloc_then_use, &c, re));
    free(c.arr); /* the parent's copy never moved */
}

/* The bug: a constructor that pins its local and returns it. It has two candidate
 * locals on purpose: with a single one, clang builds it directly in the caller's
 * variable (named return value optimisation), nothing moves, and the bug stays latent
 * until a compiler or a code change decides otherwise. */
static selfref make_pinned_wrongly(int v)
{
    selfref pos = selfref_make(v), neg = selfref_make(-v);
    selfref_pinned p = PIN_INIT(selfref, v >= 0 ? &pos : &neg);
    selfref_link(p);
    if (v >= 0)
        return pos; /* returned by value: the caller gets a moved copy */
    return neg;
}

static void return_then_use(void *arg)
{
    (void)arg;
    selfref got = make_pinned_wrongly(5);
    selfref_pinned p = {&got};
    printf("value %d\n", PIN_GET(p)->value);
}

static void test_return_by_value_fires(void **state)
{
    (void)state;
    assert_true(cmn_dies_with(return_then_use, NULL,
                              "pinned object moved: type selfref pinned at 0x[0-9a-f]+, now at "
                              "0x[0-9a-f]+ \\(checked at [^ ]*test_move_check\\.c:[0-9]+\\)"));
}

static void test_unmoved_check_is_silent(void **state)
{
    (void)state;
    selfref s = selfref_make(9);
    selfref_pinned p = PIN_INIT(selfref, &s);
    selfref_link(p);
    for (int i = 0; i < 1000; i++)
        assert_ptr_equal(PIN_GET(p)->self, &s.value);
    assert_true(pin_is_pinned(&s.pin));
    assert_int_equal(pin_recorded_address(&s.pin), (uintptr_t)&s);
}

static void test_movable_type_moves_silently(void **state)
{
    (void)state;
    point a = {PIN_UNPINNED, 1, 2};
    point_pinned pa = PIN_INIT(point, &a);
    assert_int_equal(PIN_GET(pa)->x, 1);
    point b;
    memcpy(&b, &a, sizeof b); /* allowed: point is movable */
    point_pinned pb = {&b};
    assert_int_equal(PIN_GET(pb)->y, 2);                           /* no abort */
    assert_int_equal(pin_recorded_address(&b.pin), (uintptr_t)&b); /* the pin followed */
    point *plain = PIN_INTO_INNER(point, pb);
    assert_ptr_equal(plain, &b);
}

static point make_point(int x)
{
    point p = {PIN_UNPINNED, x, -x};
    (void)PIN_INIT(point, &p);
    return p; /* fine for a movable type */
}

static void test_movable_return_by_value_is_silent(void **state)
{
    (void)state;
    point got = make_point(3);
    point_pinned p = {&got};
    assert_int_equal(PIN_GET(p)->y, -3);
    assert_true(pin_is_pinned(&got.pin));
}

static void use_unpinned(void *arg)
{
    selfref_pinned p = {arg}; /* wrapped without pinning */
    selfref_link(p);
}

static void test_never_pinned_fires(void **state)
{
    (void)state;
    selfref s = selfref_make(1);
    assert_true(cmn_dies_with(use_unpinned, &s,
                              "used through a pinned pointer but never pinned \\(checked at "
                              "[^ ]*fixtures\\.c:[0-9]+\\)"));
}

static void use_after_drop(void *arg)
{
    selfref_pinned p = {arg};
    printf("value %d\n", PIN_GET(p)->value);
}

static void test_use_after_drop_fires(void **state)
{
    (void)state;
    selfref s = selfref_make(1);
    selfref_pinned p = PIN_INIT(selfref, &s);
    selfref_link(p);
    selfref_drops = 0;
    pin_drop(&s, &selfref_pin_type, __FILE__, __LINE__);
    assert_int_equal(selfref_drops, 1);
    assert_null(s.self);
    assert_false(pin_is_pinned(&s.pin));
    assert_true(
        cmn_dies_with(use_after_drop, &s, "type selfref at 0x[0-9a-f]+ used after pin_drop"));
}

static void pin_a_copy(void *arg)
{
    two_slots *s = arg;
    *s->to = *s->from;
    (void)PIN_INIT(selfref, s->to); /* re-pinning a moved copy is the same bug */
}

static void test_pin_init_on_copy_fires(void **state)
{
    (void)state;
    selfref a = selfref_make(1), b = selfref_make(2);
    (void)PIN_INIT(selfref, &a);
    two_slots s = {&a, &b};
    assert_true(
        cmn_dies_with(pin_a_copy, &s, "pin_init on a copy of a pinned object: type selfref"));
}

static void test_pin_init_is_idempotent(void **state)
{
    (void)state;
    selfref a = selfref_make(1);
    selfref_pinned p1 = PIN_INIT(selfref, &a);
    selfref_pinned p2 = PIN_INIT(selfref, &a);
    assert_ptr_equal(p1.unchecked_, p2.unchecked_);
    assert_true(pin_is_pinned(&a.pin));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_memcpy_fires),
    cmocka_unit_test(test_struct_assignment_fires),
    cmocka_unit_test(test_realloc_fires),
    cmocka_unit_test(test_return_by_value_fires),
    cmocka_unit_test(test_unmoved_check_is_silent),
    cmocka_unit_test(test_movable_type_moves_silently),
    cmocka_unit_test(test_movable_return_by_value_is_silent),
    cmocka_unit_test(test_never_pinned_fires),
    cmocka_unit_test(test_use_after_drop_fires),
    cmocka_unit_test(test_pin_init_on_copy_fires),
    cmocka_unit_test(test_pin_init_is_idempotent),
};

CMN_TEST_MAIN(tests)
