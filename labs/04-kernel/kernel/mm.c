/* mm.c — memory set-up on top of the pure parts in src/ (see mm.h).
 *
 * Frames: mb_usable() turns the loader's map into page-aligned free ranges, which go
 * to the frame allocator chosen at build time (kalloc.h). Page tables: the boot PML4
 * stays the root; pt.c walks it through an identity phys_to_virt, which is valid
 * because every frame we hand out is below 1 GiB. The heap backends map their pages
 * with mm_map_pages() into windows above HEAP_BASE. */
#include "mm.h"

#include "arch.h"
#include "kalloc.h"
#include "kerr.h"
#include "kprintf.h"
#include "layout.h"

#define MAX_REGIONS 64
#define MAX_USABLE 64

static pt_env kpt;
static int have_nx;

static void zero_page(uint64_t pa)
{
    volatile uint64_t *p = (volatile uint64_t *)pa;
    for (unsigned i = 0; i < 512; i++)
        p[i] = 0;
}

int mm_frame_alloc(uint64_t *pa)
{
    bool on = irq_save();
    int rc = pmm_alloc(pa);
    irq_restore(on);
    if (rc == 0)
        zero_page(*pa);
    return rc;
}

int mm_frame_free(uint64_t pa)
{
    bool on = irq_save();
    int rc = pmm_free(pa);
    irq_restore(on);
    return rc;
}

size_t mm_frames_free(void)
{
    bool on = irq_save();
    size_t n = pmm_free_frames();
    irq_restore(on);
    return n;
}

static uint64_t *pt_table(void *ctx, uint64_t pa)
{
    (void)ctx;
    return (uint64_t *)pa; /* identity-mapped */
}

static int pt_alloc(void *ctx, uint64_t *pa)
{
    (void)ctx;
    return mm_frame_alloc(pa);
}

static void pt_release(void *ctx, uint64_t pa)
{
    (void)ctx;
    if (mm_frame_free(pa) != 0)
        PANIC("page table frame 0x%llx freed twice", (unsigned long long)pa);
}

static void pt_flush(void *ctx, uint64_t va)
{
    (void)ctx;
    invlpg(va);
}

pt_env *mm_kernel_pt(void)
{
    return &kpt;
}

int mm_have_nx(void)
{
    return have_nx;
}

static void print_map(const mb_region *map, size_t n)
{
    kprintf("mm: memory map (%zu entries from the loader):\n", n);
    for (size_t i = 0; i < n; i++)
        kprintf("  [0x%012llx-0x%012llx) %8llu KiB %s\n", (unsigned long long)map[i].base,
                (unsigned long long)map[i].base + map[i].len,
                (unsigned long long)(map[i].len / 1024), mb_type_name(map[i].type));
}

void mm_init(const mb_info *info)
{
    if (!(info->flags & MB_INFO_MMAP))
        PANIC("the loader gave no memory map (Multiboot flag bit 6 clear)");
    mb_region map[MAX_REGIONS];
    size_t n = 0;
    mb_error err = {0, ""};
    int rc = mb_parse_mmap((const uint8_t *)(uintptr_t)info->mmap_pa, info->mmap_len, map,
                           MAX_REGIONS, &n, &err);
    if (rc)
        PANIC("memory map at 0x%x: %s at byte %zu", info->mmap_pa, err.what, err.offset);
    print_map(map, n);
    /* Reserved: the kernel image (with .bss), the boot data the loader left for us. */
    mb_range reserved[] = {
        {(uint64_t)__kernel_start, (uint64_t)__kernel_end},
        {info->mmap_pa, (uint64_t)info->mmap_pa + info->mmap_len},
        {info->cmdline_pa, (uint64_t)info->cmdline_pa + 4096},
    };
    mb_range usable[MAX_USABLE];
    size_t nu = 0;
    rc = mb_usable(map, n, reserved, sizeof reserved / sizeof *reserved, 1u << 20, IDENTITY_LIMIT,
                   usable, MAX_USABLE, &nu);
    if (rc || nu == 0)
        PANIC("no usable memory above 1 MiB (%s)", kerr_name(rc));
    pmm_init(usable, nu);
    kprintf("mm: kernel image [0x%llx-0x%llx); %s: %zu free frames (%zu KiB) in %zu ranges\n",
            (unsigned long long)(uintptr_t)__kernel_start,
            (unsigned long long)(uintptr_t)__kernel_end, pmm_name(), mm_frames_free(),
            mm_frames_free() * 4, nu);
    have_nx = (rdmsr(MSR_EFER) & EFER_NXE) != 0;
    kpt = (pt_env){pt_table, pt_alloc, pt_release, pt_flush, NULL, read_cr3() & PTE_ADDR};
    kprintf("mm: page tables at 0x%llx (identity map 0-1 GiB, 2 MiB pages), NX %s\n",
            (unsigned long long)kpt.root, have_nx ? "on" : "off");
}

int mm_map_new(uint64_t va, uint64_t flags)
{
    uint64_t pa;
    int rc = mm_frame_alloc(&pa);
    if (rc)
        return rc;
    if (!have_nx)
        flags &= ~PTE_NX;
    rc = pt_map(&kpt, va, pa, flags);
    if (rc)
        mm_frame_free(pa);
    return rc;
}

int mm_unmap_free(uint64_t va)
{
    uint64_t pa;
    int rc = pt_unmap(&kpt, va, &pa);
    return rc ? rc : mm_frame_free(pa);
}

_Noreturn void mm_run_on_guarded_stack(void (*fn)(void))
{
    /* KSTACK_BASE (the guard page) stays unmapped: an overflow faults there. */
    for (uint64_t va = KSTACK_BASE + 4096; va < KSTACK_TOP; va += 4096)
        if (mm_map_new(va, PTE_W | PTE_NX) != 0)
            PANIC("cannot map the kernel stack at 0x%llx", (unsigned long long)va);
    kprintf("mm: kernel stack [0x%llx-0x%llx), guard page at 0x%llx\n",
            (unsigned long long)(KSTACK_BASE + 4096), (unsigned long long)KSTACK_TOP,
            (unsigned long long)KSTACK_BASE);
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "call *%1\n\t"
                     "ud2"
                     :
                     : "r"(KSTACK_TOP), "r"(fn)
                     : "memory");
    __builtin_unreachable();
}

int mm_map_pages(uint64_t va, size_t n, uint64_t flags)
{
    for (size_t i = 0; i < n; i++) {
        int rc = mm_map_new(va + i * 4096, flags);
        if (rc) {
            while (i--)
                mm_unmap_free(va + i * 4096);
            return rc;
        }
    }
    return 0;
}

void mm_unmap_pages(uint64_t va, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (mm_unmap_free(va + i * 4096) != 0)
            PANIC("unmapping 0x%llx: it was not mapped", (unsigned long long)(va + i * 4096));
}
