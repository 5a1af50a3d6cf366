/* mm.h — the kernel's memory: frames, page tables, the stack guard and the heap.
 *
 * mm_init() reads the Multiboot memory map, prints it, and hands every usable frame
 * below 1 GiB (the identity-mapped part, where the kernel can touch a frame by its
 * physical address) to the frame allocator, minus the kernel image and the boot
 * data. The page-table API of include/pt.h then works on the live tables (CR3). */
#ifndef MM_H
#define MM_H

#include <stddef.h>
#include <stdint.h>

#include "kalloc.h"
#include "mb.h"
#include "pt.h"

/* Sets up frames and the kernel page-table environment. Panics if the map is
 * missing or malformed (the kernel cannot run without it). */
void mm_init(const mb_info *info);

/* One physical frame (zeroed): 0 and *pa, or -KERR_NOMEM. */
int mm_frame_alloc(uint64_t *pa);

/* Returns a frame; -KERR_* as frame_put. */
int mm_frame_free(uint64_t pa);

/* Free frames now. */
size_t mm_frames_free(void);

/* The live page tables (CR3) as a pt_env (flush = invlpg). */
pt_env *mm_kernel_pt(void);

/* Maps a fresh zeroed frame at va with flags. 0 or -KERR_*. */
int mm_map_new(uint64_t va, uint64_t flags);

/* Unmaps va and frees its frame. 0 or -KERR_*. */
int mm_unmap_free(uint64_t va);

/* True if the CPU enforces PTE_NX (EFER.NXE was set by boot.S). */
int mm_have_nx(void);

/* Maps the kernel stack (KSTACK_PAGES below KSTACK_TOP, an unmapped guard page
 * below them), switches to it and calls fn, which must not return. */
_Noreturn void mm_run_on_guarded_stack(void (*fn)(void));

/* Maps n fresh zeroed frames at va.. (all or none). 0 or -KERR_*. */
int mm_map_pages(uint64_t va, size_t n, uint64_t flags);

/* Unmaps n pages at va and frees their frames; panics if one was not mapped. */
void mm_unmap_pages(uint64_t va, size_t n);

#endif
