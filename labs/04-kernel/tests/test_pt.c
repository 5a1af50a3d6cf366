/* test_pt.c — the page-table walk on the host. Tables are 4 KiB blocks from
 * aligned_alloc whose address doubles as their "physical" address; a reference model
 * (an array of va -> pa mappings) checks every translate after random map/unmap
 * sequences, and the allocator counts tables so that leaks show. */
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "kerr.h"
#include "pt.h"

struct host_mem {
    int live_tables;
    int fail_after; /* alloc fails when this reaches 0 (-1: never) */
};

static uint64_t *h_table(void *ctx, uint64_t pa)
{
    (void)ctx;
    return (uint64_t *)(uintptr_t)pa;
}

static int h_alloc(void *ctx, uint64_t *pa)
{
    struct host_mem *m = ctx;
    if (m->fail_after == 0)
        return -KERR_NOMEM;
    if (m->fail_after > 0)
        m->fail_after--;
    void *p = aligned_alloc(4096, 4096);
    if (!p)
        return -KERR_NOMEM;
    memset(p, 0, 4096);
    m->live_tables++;
    *pa = (uint64_t)(uintptr_t)p;
    return 0;
}

static void h_release(void *ctx, uint64_t pa)
{
    struct host_mem *m = ctx;
    m->live_tables--;
    free((void *)(uintptr_t)pa);
}

static pt_env make_env(struct host_mem *m)
{
    *m = (struct host_mem){0, -1};
    pt_env env = {h_table, h_alloc, h_release, NULL, m, 0};
    assert_int_equal(h_alloc(m, &env.root), 0);
    return env;
}

static void free_env(pt_env *env, struct host_mem *m)
{
    assert_int_equal(m->live_tables, 1); /* only the root is left */
    h_release(m, env->root);
}

static void test_index_math(void **state)
{
    (void)state;
    uint64_t va = pt_make_va(511, 3, 7, 300, 0x123);
    assert_int_equal(va, 0xffffff80c0f2c123ull);
    assert_int_equal(pt_index(va, 4), 511);
    assert_int_equal(pt_index(va, 3), 3);
    assert_int_equal(pt_index(va, 2), 7);
    assert_int_equal(pt_index(va, 1), 300);
    assert_true(pt_canonical(va));
    assert_true(pt_canonical(0x00007fffffffffffull));
    assert_false(pt_canonical(0x0000800000000000ull));
    assert_false(pt_canonical(0xfff0000000000000ull));
    assert_int_equal(pt_make_va(1, 0, 0, 0, 0), 1ull << 39);
}

static void test_map_translate_unmap(void **state)
{
    (void)state;
    struct host_mem m;
    pt_env env = make_env(&m);
    uint64_t pa, fl;
    assert_int_equal(pt_translate(&env, 0x400000, &pa, &fl), -KERR_NOENT);
    assert_int_equal(pt_map(&env, 0x400000, 0x9000, PTE_W | PTE_U), 0);
    assert_int_equal(m.live_tables, 4);
    assert_int_equal(pt_translate(&env, 0x400abc, &pa, &fl), 0);
    assert_int_equal(pa, 0x9abc);
    assert_true(fl & PTE_P);
    assert_true(fl & PTE_W);
    assert_true(fl & PTE_U);
    assert_false(fl & PTE_NX);
    assert_int_equal(pt_map(&env, 0x400000, 0xa000, 0), -KERR_EXIST);
    assert_int_equal(pt_map(&env, 0x401000, 0xa000, PTE_NX), 0);
    assert_int_equal(m.live_tables, 4); /* same page table */
    assert_int_equal(pt_translate(&env, 0x401000, &pa, &fl), 0);
    assert_true(fl & PTE_NX);
    assert_false(fl & PTE_W);
    assert_int_equal(pt_unmap(&env, 0x400000, &pa), 0);
    assert_int_equal(pa, 0x9000);
    assert_int_equal(m.live_tables, 4); /* still used by 0x401000 */
    assert_int_equal(pt_unmap(&env, 0x400000, &pa), -KERR_NOENT);
    assert_int_equal(pt_unmap(&env, 0x401fff, &pa), 0); /* any address in the page */
    assert_int_equal(m.live_tables, 1);                 /* empty tables were released */
    free_env(&env, &m);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    struct host_mem m;
    pt_env env = make_env(&m);
    assert_int_equal(pt_map(&env, 0x1001, 0x2000, 0), -KERR_INVAL);
    assert_int_equal(pt_map(&env, 0x1000, 0x2001, 0), -KERR_INVAL);
    assert_int_equal(pt_map(&env, 0x0000800000000000ull, 0x2000, 0), -KERR_INVAL);
    assert_int_equal(pt_map(&env, 0x1000, 1ull << 52, 0), -KERR_INVAL); /* pa too wide */
    assert_int_equal(pt_unmap(&env, 0x0000800000000000ull, NULL), -KERR_INVAL);
    assert_int_equal(pt_protect(&env, 0x5000, PTE_W), -KERR_NOENT);
    assert_int_equal(m.live_tables, 1);
    free_env(&env, &m);
}

static void test_out_of_memory_is_reported(void **state)
{
    (void)state;
    struct host_mem m;
    pt_env env = make_env(&m);
    m.fail_after = 1; /* the PDPT can be made, the PD cannot */
    assert_int_equal(pt_map(&env, 0x200000, 0x1000, 0), -KERR_NOMEM);
    uint64_t pa;
    assert_int_equal(pt_translate(&env, 0x200000, &pa, NULL), -KERR_NOENT);
    m.fail_after = -1;
    assert_int_equal(pt_map(&env, 0x200000, 0x1000, 0), 0);
    assert_int_equal(pt_unmap(&env, 0x200000, NULL), 0);
    free_env(&env, &m);
}

static void test_large_pages(void **state)
{
    (void)state;
    struct host_mem m;
    pt_env env = make_env(&m);
    /* hand-build a 2 MiB page at 0x40000000 and a 1 GiB page at 512 GiB, as boot.S does */
    uint64_t *pml4 = h_table(NULL, env.root), pdpt_pa = 0, pd_pa = 0, pdpt2_pa = 0;
    assert_int_equal(h_alloc(&m, &pdpt_pa), 0);
    assert_int_equal(h_alloc(&m, &pd_pa), 0);
    assert_int_equal(h_alloc(&m, &pdpt2_pa), 0);
    pml4[0] = pdpt_pa | PTE_P | PTE_W;
    h_table(NULL, pdpt_pa)[1] = pd_pa | PTE_P | PTE_W;
    h_table(NULL, pd_pa)[0] = 0x200000 | PTE_P | PTE_PS; /* read-only 2 MiB */
    pml4[1] = pdpt2_pa | PTE_P | PTE_W | PTE_U;
    h_table(NULL, pdpt2_pa)[0] = 0xc0000000ull | PTE_P | PTE_W | PTE_U | PTE_PS;
    uint64_t pa, fl;
    assert_int_equal(pt_translate(&env, 0x40123456, &pa, &fl), 0);
    assert_int_equal(pa, 0x323456);
    assert_false(fl & PTE_W);
    assert_int_equal(pt_translate(&env, (1ull << 39) + 0x3456789, &pa, &fl), 0);
    assert_int_equal(pa, 0xc3456789ull);
    assert_true((fl & (PTE_W | PTE_U)) == (PTE_W | PTE_U));
    assert_int_equal(pt_map(&env, 0x40001000, 0x5000, 0), -KERR_EXIST);
    assert_int_equal(pt_unmap(&env, 0x40001000, NULL), -KERR_INVAL);
    /* permissions combine over levels: a user leaf under a supervisor PML4 entry */
    pml4[0] &= ~PTE_U;
    h_table(NULL, pdpt_pa)[1] |= PTE_U;
    h_table(NULL, pd_pa)[0] |= PTE_U | PTE_W;
    assert_int_equal(pt_translate(&env, 0x40000000, &pa, &fl), 0);
    assert_false(fl & PTE_U);
    assert_true(fl & PTE_W);
    h_release(&m, pdpt_pa);
    h_release(&m, pd_pa);
    h_release(&m, pdpt2_pa);
    pml4[0] = pml4[1] = 0;
    free_env(&env, &m);
}

struct model_entry {
    uint64_t va, pa, flags;
};

static void test_random_against_model(void **state)
{
    (void)state;
    cmn_rng rng;
    cmn_test_rng(&rng);
    struct host_mem m;
    pt_env env = make_env(&m);
    enum { SLOTS = 64 };
    struct model_entry model[SLOTS];
    /* candidate pages: spread over all four levels, both halves of the space */
    for (int i = 0; i < SLOTS; i++) {
        unsigned i4 = (unsigned)cmn_rng_below(&rng, 4) * 170, i3 = (unsigned)cmn_rng_below(&rng, 3);
        model[i].va = pt_make_va(i4, i3, (unsigned)cmn_rng_below(&rng, 3),
                                 (unsigned)cmn_rng_below(&rng, 512), 0);
        model[i].pa = 0;
        for (int j = 0; j < i; j++)
            if (model[j].va == model[i].va)
                model[i].va = pt_make_va(511, 511, 511, (unsigned)i, 0); /* unique fallback */
    }
    static const uint64_t perms[] = {0, PTE_W, PTE_U, PTE_W | PTE_U | PTE_NX, PTE_NX};
    for (int step = 0; step < 20000; step++) {
        struct model_entry *e = &model[cmn_rng_below(&rng, SLOTS)];
        switch (cmn_rng_below(&rng, 3)) {
        case 0: {
            uint64_t pa = (cmn_rng_below(&rng, 1u << 20) + 1) << 12;
            uint64_t fl = perms[cmn_rng_below(&rng, 5)];
            int rc = pt_map(&env, e->va, pa, fl);
            assert_int_equal(rc, e->pa ? -KERR_EXIST : 0);
            if (!rc) {
                e->pa = pa;
                e->flags = fl;
            }
            break;
        }
        case 1: {
            uint64_t pa = 0;
            int rc = pt_unmap(&env, e->va, &pa);
            assert_int_equal(rc, e->pa ? 0 : -KERR_NOENT);
            if (!rc)
                assert_int_equal(pa, e->pa);
            e->pa = 0;
            break;
        }
        default: {
            uint64_t fl = perms[cmn_rng_below(&rng, 5)];
            int rc = pt_protect(&env, e->va, fl);
            assert_int_equal(rc, e->pa ? 0 : -KERR_NOENT);
            if (!rc)
                e->flags = fl;
        }
        }
        for (int i = 0; i < SLOTS; i++) {
            uint64_t pa, fl, off = cmn_rng_below(&rng, 4096);
            int rc = pt_translate(&env, model[i].va + off, &pa, &fl);
            if (!model[i].pa) {
                assert_int_equal(rc, -KERR_NOENT);
                continue;
            }
            assert_int_equal(rc, 0);
            assert_int_equal(pa, model[i].pa + off);
            assert_int_equal(fl & (PTE_W | PTE_U | PTE_NX), model[i].flags);
        }
    }
    for (int i = 0; i < SLOTS; i++)
        if (model[i].pa)
            assert_int_equal(pt_unmap(&env, model[i].va, NULL), 0);
    free_env(&env, &m); /* every intermediate table came back */
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_index_math),    cmocka_unit_test(test_map_translate_unmap),
    cmocka_unit_test(test_bad_arguments), cmocka_unit_test(test_out_of_memory_is_reported),
    cmocka_unit_test(test_large_pages),   cmocka_unit_test(test_random_against_model),
};

CMN_TEST_MAIN(tests)
