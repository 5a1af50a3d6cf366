/* pt.h — x86_64 4-level page tables: index math and a map/unmap/translate API.
 *
 * A 48-bit virtual address splits into four 9-bit table indices (PML4, PDPT, PD, PT)
 * and a 12-bit page offset; bits 63..48 must copy bit 47 ("canonical"). The walk code
 * never dereferences a physical address itself: it asks the environment for a
 * pointer to a table (phys_to_virt) and for fresh zeroed frames, so the same code runs
 * in the kernel (identity-mapped RAM, the frame allocator) and in host tests (tables
 * from aligned_alloc, a reference model beside them). Intel SDM Vol. 3A, 4.5. */
#ifndef PT_H
#define PT_H

#include <stdbool.h>
#include <stdint.h>

#define PT_PAGE 4096u
#define PTE_P (1ull << 0) /* present */
#define PTE_W (1ull << 1) /* writable */
#define PTE_U (1ull << 2) /* user-accessible */
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4) /* cache disable (MMIO) */
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7) /* in a PDPT/PD entry: a 1 GiB / 2 MiB page */
#define PTE_G (1ull << 8)
#define PTE_NX (1ull << 63) /* no-execute (needs EFER.NXE) */
#define PTE_ADDR 0x000ffffffffff000ull
#define PTE_LEAF_FLAGS (PTE_W | PTE_U | PTE_PWT | PTE_PCD | PTE_G | PTE_NX)

/* Index into the table at level (4 = PML4 ... 1 = PT) for va. */
static inline unsigned pt_index(uint64_t va, int level)
{
    return (unsigned)(va >> (12 + 9 * (level - 1))) & 511u;
}

/* True when bits 63..47 of va are all equal. */
static inline bool pt_canonical(uint64_t va)
{
    uint64_t top = va >> 47;
    return top == 0 || top == 0x1ffff;
}

/* The virtual address that the four indices and offset name (sign-extended). */
static inline uint64_t pt_make_va(unsigned i4, unsigned i3, unsigned i2, unsigned i1, unsigned off)
{
    uint64_t va =
        (uint64_t)i4 << 39 | (uint64_t)i3 << 30 | (uint64_t)i2 << 21 | (uint64_t)i1 << 12 | off;
    return (va & (1ull << 47)) ? va | 0xffff000000000000ull : va;
}

/* How the walk reaches memory. table() turns a table's physical address into a
 * pointer to its 512 entries; alloc() gives a zeroed 4 KiB frame for a new table (0
 * or -KERR_NOMEM); release() takes back a table that became empty (may be NULL);
 * flush() drops a stale TLB entry (may be NULL, e.g. on the host). */
typedef struct pt_env {
    uint64_t *(*table)(void *ctx, uint64_t pa);
    int (*alloc)(void *ctx, uint64_t *pa);
    void (*release)(void *ctx, uint64_t pa);
    void (*flush)(void *ctx, uint64_t va);
    void *ctx;
    uint64_t root; /* physical address of the PML4 */
} pt_env;

/* Maps the 4 KiB page at va to pa with flags (PTE_W, PTE_U, PTE_NX, PTE_PCD...;
 * PTE_P is implied). Creates missing tables. Returns 0; -KERR_INVAL if va or pa is
 * unaligned or va not canonical; -KERR_EXIST if va is already mapped (also by a
 * 2 MiB or 1 GiB page); -KERR_NOMEM if a table cannot be allocated. */
int pt_map(pt_env *env, uint64_t va, uint64_t pa, uint64_t flags);

/* Removes the 4 KiB mapping at va, stores its frame in *pa (may be NULL), flushes the
 * TLB entry and releases tables left empty. Returns 0 or -KERR_NOENT if unmapped
 * (-KERR_INVAL for a non-canonical va or one inside a large page). */
int pt_unmap(pt_env *env, uint64_t va, uint64_t *pa);

/* Translates va (any alignment, 4 KiB, 2 MiB or 1 GiB pages) to *pa and the
 * effective permissions in *flags: PTE_W/PTE_U only if every level grants them,
 * PTE_NX if any level forbids execution. Returns 0 or -KERR_NOENT. */
int pt_translate(const pt_env *env, uint64_t va, uint64_t *pa, uint64_t *flags);

/* Changes the flags of the existing 4 KiB mapping at va. 0 or -KERR_NOENT. */
int pt_protect(pt_env *env, uint64_t va, uint64_t flags);

#endif
