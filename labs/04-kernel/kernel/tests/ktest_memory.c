/* ktest_memory.c — frames, page tables, the stack guard and the heap, on the live
 * kernel (the same code is unit-tested on the host in tests/; these prove it works
 * with the real MMU: a mapping made with pt_map is used by the CPU). */
#include "kerr.h"
#include "ktest.h"
#include "layout.h"
#include "mm.h"

KTEST(frames_are_distinct_aligned_and_returned)
{
    enum { N = 64 };
    uint64_t got[N];
    size_t before = mm_frames_free();
    for (int i = 0; i < N; i++) {
        KT_EQ(mm_frame_alloc(&got[i]), 0);
        KT_EQ(got[i] % 4096, 0);
        KT_ASSERT(got[i] >= (1u << 20) && got[i] < IDENTITY_LIMIT);
        KT_ASSERT(got[i] >= (uint64_t)__kernel_end || got[i] + 4096 <= (uint64_t)__kernel_start);
        for (int j = 0; j < i; j++)
            KT_ASSERT(got[j] != got[i]);
        /* handed out zeroed */
        KT_EQ(((volatile uint64_t *)got[i])[17], 0);
    }
    KT_EQ(mm_frames_free(), before - N);
    for (int i = 0; i < N; i++)
        KT_EQ(mm_frame_free(got[i]), 0);
    KT_EQ(mm_frames_free(), before);
    KT_EQ(mm_frame_free(got[0]), -KERR_EXIST);
    KT_EQ(mm_frame_free(got[0] + 8), -KERR_INVAL);
}

KTEST(page_map_translate_unmap)
{
    pt_env *pt = mm_kernel_pt();
    uint64_t va = SCRATCH_BASE + 0x5000, pa, pa2, flags;
    size_t before = mm_frames_free();
    KT_EQ(pt_translate(pt, va, &pa, &flags), -KERR_NOENT);
    KT_EQ(mm_frame_alloc(&pa), 0);
    KT_EQ(pt_map(pt, va, pa, PTE_W | PTE_NX), 0);
    KT_EQ(pt_translate(pt, va + 0x123, &pa2, &flags), 0);
    KT_EQ(pa2, pa + 0x123);
    KT_ASSERT(flags & PTE_W);
    KT_ASSERT(!(flags & PTE_U));
    /* The CPU uses the mapping: a write through va lands in the frame. */
    *(volatile uint64_t *)(va + 8) = 0x1234567890abcdefull;
    KT_EQ(((volatile uint64_t *)pa)[1], 0x1234567890abcdefull);
    KT_EQ(pt_map(pt, va, pa, PTE_W), -KERR_EXIST);
    KT_EQ(pt_map(pt, va + 1, pa, PTE_W), -KERR_INVAL);
    KT_EQ(pt_map(pt, 0x0000800000000000ull, pa, PTE_W), -KERR_INVAL); /* non-canonical */
    KT_EQ(pt_protect(pt, va, 0), 0);
    KT_EQ(pt_translate(pt, va, &pa2, &flags), 0);
    KT_ASSERT(!(flags & PTE_W));
    KT_EQ(pt_unmap(pt, va, &pa2), 0);
    KT_EQ(pa2, pa);
    KT_EQ(pt_translate(pt, va, &pa2, &flags), -KERR_NOENT);
    KT_EQ(pt_unmap(pt, va, &pa2), -KERR_NOENT);
    KT_EQ(mm_frame_free(pa), 0);
    /* the three tables made for the scratch window were released again */
    KT_EQ(mm_frames_free(), before);
}

KTEST(identity_map_is_two_mib_pages)
{
    uint64_t pa, flags;
    uint64_t va = (uint64_t)__kernel_start + 0x1234;
    KT_EQ(pt_translate(mm_kernel_pt(), va, &pa, &flags), 0);
    KT_EQ(pa, va);
    KT_EQ(pt_map(mm_kernel_pt(), 0x200000, 0x200000, PTE_W), -KERR_EXIST);
}

KTEST(kernel_stack_has_guard_page)
{
    uint64_t rsp, pa, flags;
    __asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
    KT_ASSERT(rsp > KSTACK_BASE + 4096 && rsp <= KSTACK_TOP);
    KT_EQ(pt_translate(mm_kernel_pt(), KSTACK_BASE, &pa, &flags), -KERR_NOENT);
    KT_EQ(pt_translate(mm_kernel_pt(), KSTACK_BASE + 4096, &pa, &flags), 0);
    if (mm_have_nx())
        KT_ASSERT(flags & PTE_NX);
}

KTEST(heap_blocks_hold_data_and_are_freed)
{
    enum { N = 40 };
    unsigned char *p[N];
    size_t base = heap_bytes_in_use();
    for (unsigned i = 0; i < N; i++) {
        size_t n = (size_t)i * 97 % 3000 + 1;
        p[i] = kmalloc(n);
        KT_ASSERT(p[i] != NULL);
        KT_EQ((uint64_t)p[i] % 16, 0);
        for (size_t k = 0; k < n; k++)
            p[i][k] = (unsigned char)(i + k);
    }
    for (unsigned i = 0; i < N; i++) {
        size_t n = (size_t)i * 97 % 3000 + 1;
        for (size_t k = 0; k < n; k++)
            KT_EQ(p[i][k], (unsigned char)(i + k));
    }
    for (unsigned i = 0; i < N; i += 2)
        kfree(p[i]);
    for (unsigned i = 1; i < N; i += 2)
        kfree(p[i]);
    KT_EQ(heap_bytes_in_use(), base);
}

KTEST(heap_large_block_returns_its_pages)
{
    size_t frames = mm_frames_free(), pages = heap_pages();
    void *big = kmalloc((size_t)5 * 4096);
    KT_ASSERT(big != NULL);
    KT_EQ(heap_pages(), pages + 6);
    KT_EQ(mm_frames_free() <= frames - 6, 1);
    kfree(big);
    KT_EQ(heap_pages(), pages);
}

KTEST(permanent_allocations_are_aligned_and_distinct)
{
    static const struct {
        size_t size, align;
    } req[] = {{24, 8}, {100, 64}, {5000, 4096}, {1, 1}, {300, 16}};
    unsigned char *prev_end = NULL;
    for (unsigned i = 0; i < sizeof req / sizeof *req; i++) {
        unsigned char *p = kalloc_permanent(req[i].size, req[i].align);
        KT_ASSERT(p != NULL);
        KT_EQ((uint64_t)p % req[i].align, 0);
        for (size_t k = 0; k < req[i].size; k++)
            p[k] = (unsigned char)i;
        if (prev_end)
            KT_ASSERT(p >= prev_end || p + req[i].size <= prev_end - req[i - 1].size);
        prev_end = p + req[i].size;
    }
}

KTEST(heap_reuses_freed_small_blocks)
{
    void *a = kmalloc(48);
    KT_ASSERT(a != NULL);
    kfree(a);
    void *b = kmalloc(48);
    KT_EQ((uint64_t)b, (uint64_t)a); /* LIFO reuse inside the size class */
    kfree(b);
}

KTEST_FAULT(heap_double_free_panics)
{
    void *p = kmalloc(40);
    kfree(p);
    kfree(p); /* NOLINT(clang-analyzer-unix.Malloc): the double free is the test */
}
