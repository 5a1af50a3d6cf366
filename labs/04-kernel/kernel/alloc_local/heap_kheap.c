/* heap_kheap.c — kmalloc over this lab's size-class heap (src/kheap.c); see kalloc.h.
 *
 * kheap asks for page runs; they come from a bump pointer in heap window 0, each page
 * backed by a fresh frame. Virtual addresses are not reused (the window is 64 GiB). */
#include "arch.h"
#include "kalloc.h"
#include "kerr.h"
#include "kheap.h"
#include "kprintf.h"
#include "layout.h"
#include "mm.h"

static kheap heap;
static uint64_t next_va = HEAP_WINDOW(0);

static void *get_pages(void *ctx, size_t npages)
{
    (void)ctx;
    uint64_t va = next_va;
    if (mm_map_pages(va, npages, PTE_W | PTE_NX) != 0)
        return NULL;
    next_va += npages * 4096;
    return (void *)va;
}

static void put_pages(void *ctx, void *pages, size_t npages)
{
    (void)ctx;
    mm_unmap_pages((uint64_t)pages, npages);
}

void heap_init(void)
{
    kheap_init(&heap, (kheap_pages){get_pages, put_pages, NULL});
}

void *kmalloc(size_t n)
{
    bool on = irq_save();
    void *p = kheap_alloc(&heap, n);
    irq_restore(on);
    return p;
}

void kfree(void *p)
{
    bool on = irq_save();
    int rc = kheap_free(&heap, p);
    irq_restore(on);
    if (rc)
        PANIC("kfree(%p): %s", p, rc == -KERR_EXIST ? "double free" : "not a heap block");
}

size_t heap_bytes_in_use(void)
{
    return heap.bytes_in_use;
}

size_t heap_pages(void)
{
    return heap.pages;
}

const char *heap_name(void)
{
    return "size-class heap (lab 04 local)";
}

void *kalloc_permanent(size_t size, size_t align)
{
    if (align > KHEAP_ALIGN) /* kheap aligns to 16; larger needs a page */
        size = size < 4096 ? 4096 + 16 : size + 4096;
    void *p = kmalloc(size);
    if (p && align > KHEAP_ALIGN)
        p = (void *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
    return p;
}
