/* pt.c — the 4-level page-table walk (see pt.h).
 *
 * walk() descends from the PML4 to the page table that holds va's leaf entry,
 * creating missing tables when asked; every other operation is a few lines on top
 * of it. Intermediate entries are made present and writable (plus user when the leaf
 * is user) so that the leaf alone decides the permissions, as Linux does; translate()
 * still combines all four levels, because a table built by someone else may not. */
#include "pt.h"

#include <stddef.h>

#include "kerr.h"

/* Finds the level-1 entry for va. With create, missing tables are allocated and
 * linked with link_flags. Returns 0 and *leaf, -KERR_NOENT (a table is missing),
 * -KERR_EXIST (a large page covers va) or -KERR_NOMEM. path[] receives the table
 * pointers of levels 4..1 (path[0] = PML4) for release of empty tables. */
static int walk(pt_env *env, uint64_t va, bool create, uint64_t link_flags, uint64_t **leaf,
                uint64_t *path[4])
{
    /* SOLUTION BEGIN: descend PML4->PDPT->PD->PT by pt_index(); allocate tables if create */
    uint64_t *table = env->table(env->ctx, env->root);
    for (int level = 4; level > 1; level--) {
        path[4 - level] = table;
        uint64_t *e = &table[pt_index(va, level)];
        if (*e & PTE_P) {
            if (*e & PTE_PS)
                return -KERR_EXIST;
            *e |= link_flags;
        } else {
            if (!create)
                return -KERR_NOENT;
            uint64_t pa;
            if (env->alloc(env->ctx, &pa) != 0)
                return -KERR_NOMEM;
            *e = (pa & PTE_ADDR) | PTE_P | link_flags;
        }
        table = env->table(env->ctx, *e & PTE_ADDR);
    }
    path[3] = table;
    *leaf = &table[pt_index(va, 1)];
    return 0;
    /* SOLUTION END */
}

int pt_map(pt_env *env, uint64_t va, uint64_t pa, uint64_t flags)
{
    if (!pt_canonical(va) || (va | pa) % PT_PAGE != 0 || (pa & ~PTE_ADDR) != 0)
        return -KERR_INVAL;
    uint64_t *leaf, *path[4];
    int rc = walk(env, va, true, PTE_W | (flags & PTE_U), &leaf, path);
    if (rc)
        return rc;
    if (*leaf & PTE_P)
        return -KERR_EXIST;
    *leaf = pa | PTE_P | (flags & PTE_LEAF_FLAGS);
    return 0;
}

static bool table_empty(const uint64_t *t)
{
    for (size_t i = 0; i < 512; i++)
        if (t[i])
            return false;
    return true;
}

int pt_unmap(pt_env *env, uint64_t va, uint64_t *pa)
{
    if (!pt_canonical(va))
        return -KERR_INVAL;
    uint64_t *leaf, *path[4];
    int rc = walk(env, va & ~(uint64_t)(PT_PAGE - 1), false, 0, &leaf, path);
    if (rc)
        return rc == -KERR_EXIST ? -KERR_INVAL : rc;
    if (!(*leaf & PTE_P))
        return -KERR_NOENT;
    if (pa)
        *pa = *leaf & PTE_ADDR;
    *leaf = 0;
    if (env->flush)
        env->flush(env->ctx, va);
    /* Free tables bottom-up while they are empty; the PML4 itself stays. */
    for (int level = 1; level < 4 && env->release; level++) {
        uint64_t *t = path[4 - level];
        if (!table_empty(t))
            break;
        uint64_t *parent = &path[3 - level][pt_index(va, level + 1)];
        uint64_t tpa = *parent & PTE_ADDR;
        *parent = 0;
        env->release(env->ctx, tpa);
    }
    return 0;
}

int pt_translate(const pt_env *env, uint64_t va, uint64_t *pa, uint64_t *flags)
{
    if (!pt_canonical(va))
        return -KERR_NOENT;
    uint64_t *table = env->table(env->ctx, env->root);
    uint64_t allow = PTE_W | PTE_U, nx = 0;
    for (int level = 4; level >= 1; level--) {
        uint64_t e = table[pt_index(va, level)];
        if (!(e & PTE_P))
            return -KERR_NOENT;
        allow &= e;
        nx |= e & PTE_NX;
        if (level == 1 || (e & PTE_PS)) {
            uint64_t span = 1ull << (12 + 9 * (level - 1));
            uint64_t base = e & PTE_ADDR & ~(span - 1);
            if (pa)
                *pa = base | (va & (span - 1));
            if (flags)
                *flags = PTE_P | allow | nx | (e & (PTE_PCD | PTE_PWT | PTE_G));
            return 0;
        }
        table = env->table(env->ctx, e & PTE_ADDR);
    }
    return -KERR_NOENT; /* not reached: level 1 always returns */
}

int pt_protect(pt_env *env, uint64_t va, uint64_t flags)
{
    uint64_t *leaf, *path[4];
    int rc = walk(env, va & ~(uint64_t)(PT_PAGE - 1), false, flags & PTE_U, &leaf, path);
    if (rc)
        return rc == -KERR_EXIST ? -KERR_INVAL : rc;
    if (!(*leaf & PTE_P))
        return -KERR_NOENT;
    *leaf = (*leaf & PTE_ADDR) | PTE_P | (flags & PTE_LEAF_FLAGS);
    if (env->flush)
        env->flush(env->ctx, va);
    return 0;
}
