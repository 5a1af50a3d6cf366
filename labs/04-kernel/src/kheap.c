/* kheap.c — size-class kernel heap (see kheap.h).
 *
 * Layout of every heap page run: a 16-byte header {magic, class or page count}, then
 * blocks. A free small block holds {next, FREE_MARK} in its first 16 bytes, which is
 * why the smallest class is 16. */
#include "kheap.h"

#include <stdbool.h>

#include "kerr.h"

#define SMALL_MAGIC 0x4b48534du /* "KHSM" */
#define LARGE_MAGIC 0x4b484c47u /* "KHLG" */
#define FREE_MARK 0xfee1f4eef4eef4eeull
#define HDR 16u
#define JUNK 0x5a

struct page_hdr {
    uint32_t magic;
    uint32_t cls;    /* small: class index */
    uint64_t npages; /* large: pages in the run */
};

struct free_blk {
    struct free_blk *next;
    uint64_t mark;
};

static size_t class_size(unsigned c)
{
    return (size_t)16 << c;
}

/* Offset of a class's first block in its page: blocks are aligned to their size, so
 * the header costs one block (16 bytes for the smallest class). */
static size_t first_block(unsigned c)
{
    return class_size(c) > HDR ? class_size(c) : HDR;
}

void kheap_init(kheap *h, kheap_pages src)
{
    h->src = src;
    for (unsigned c = 0; c < KHEAP_CLASSES; c++)
        h->free[c] = NULL;
    h->bytes_in_use = 0;
    h->pages = 0;
}

/* Junk-fills a block (sizes are multiples of 16) a word at a time. The compiler may
 * turn this into a memset call: the kernel provides one (kernel/string.c). */
static void fill(void *p, int byte, size_t n)
{
    uint64_t word = 0x0101010101010101ull * (uint8_t)byte, *w = p;
    for (size_t i = 0; i < n / 8; i++)
        w[i] = word;
}

/* Carves a new page into blocks of class c and pushes them on its free list. */
static bool refill(kheap *h, unsigned c)
{
    uint8_t *page = h->src.get(h->src.ctx, 1);
    if (!page)
        return false;
    h->pages++;
    struct page_hdr *ph = (struct page_hdr *)page;
    ph->magic = SMALL_MAGIC;
    ph->cls = c;
    ph->npages = 1;
    size_t sz = class_size(c);
    for (size_t off = first_block(c); off + sz <= KHEAP_PAGE; off += sz) {
        struct free_blk *b = (struct free_blk *)(page + off);
        b->mark = FREE_MARK;
        b->next = h->free[c];
        h->free[c] = b;
    }
    return true;
}

void *kheap_alloc(kheap *h, size_t n)
{
    if (n == 0 || n > ((size_t)1 << 40))
        return NULL;
    if (n > class_size(KHEAP_CLASSES - 1)) {
        size_t np = (n + HDR + KHEAP_PAGE - 1) / KHEAP_PAGE;
        uint8_t *run = h->src.get(h->src.ctx, np);
        if (!run)
            return NULL;
        struct page_hdr *ph = (struct page_hdr *)run;
        ph->magic = LARGE_MAGIC;
        ph->cls = 0;
        ph->npages = np;
        h->pages += np;
        h->bytes_in_use += np * KHEAP_PAGE - HDR;
        return run + HDR;
    }
    unsigned c = 0;
    while (class_size(c) < n)
        c++;
    if (!h->free[c] && !refill(h, c))
        return NULL;
    struct free_blk *b = h->free[c];
    h->free[c] = b->next;
    b->mark = 0;
    b->next = NULL;
    h->bytes_in_use += class_size(c);
    return b;
}

static struct page_hdr *header_of(const void *p)
{
    uintptr_t page = (uintptr_t)p & ~(uintptr_t)(KHEAP_PAGE - 1);
    return (struct page_hdr *)page;
}

size_t kheap_usable(const kheap *h, const void *p)
{
    (void)h;
    if (!p || (uintptr_t)p % KHEAP_ALIGN)
        return 0;
    const struct page_hdr *ph = header_of(p);
    if (ph->magic == LARGE_MAGIC && (const uint8_t *)p == (const uint8_t *)ph + HDR)
        return ph->npages * KHEAP_PAGE - HDR;
    if (ph->magic == SMALL_MAGIC && ph->cls < KHEAP_CLASSES &&
        ((const struct free_blk *)p)->mark != FREE_MARK)
        return class_size(ph->cls);
    return 0;
}

/* True if b is on class c's free list (confirms a suspected double free). */
static bool on_free_list(const kheap *h, unsigned c, const struct free_blk *b)
{
    for (const struct free_blk *f = h->free[c]; f; f = f->next)
        if (f == b)
            return true;
    return false;
}

int kheap_free(kheap *h, void *p)
{
    if (!p)
        return 0;
    if ((uintptr_t)p % KHEAP_ALIGN)
        return -KERR_INVAL;
    struct page_hdr *ph = header_of(p);
    if (ph->magic == LARGE_MAGIC) {
        if ((uint8_t *)p != (uint8_t *)ph + HDR)
            return -KERR_INVAL;
        size_t np = ph->npages;
        ph->magic = 0;
        h->bytes_in_use -= np * KHEAP_PAGE - HDR;
        h->pages -= np;
        h->src.put(h->src.ctx, ph, np);
        return 0;
    }
    if (ph->magic != SMALL_MAGIC || ph->cls >= KHEAP_CLASSES)
        return -KERR_INVAL;
    unsigned c = ph->cls;
    if ((uint8_t *)p < (uint8_t *)ph + first_block(c))
        return -KERR_INVAL;
    if (((uintptr_t)p - (uintptr_t)ph - first_block(c)) % class_size(c) != 0)
        return -KERR_INVAL; /* points into the middle of a block */
    struct free_blk *b = p;
    if (b->mark == FREE_MARK && on_free_list(h, c, b))
        return -KERR_EXIST;
    fill(b, JUNK, class_size(c));
    b->mark = FREE_MARK;
    b->next = h->free[c];
    h->free[c] = b;
    h->bytes_in_use -= class_size(c);
    return 0;
}
