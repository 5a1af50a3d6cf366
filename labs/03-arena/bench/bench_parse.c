/* bench_parse.c — the parse workload: text -> tree of many small nodes -> free it all.
 *
 * A generated s-expression document (~20,000 nodes, ~190 KiB: lists, integers, symbols
 * and strings of mixed lengths) is parsed into an AST: a 24-byte node per expression,
 * a copied string per symbol or string, an exact-size child array per list. Then the
 * whole tree is released: malloc-style allocators free every block (walking the tree,
 * sized frees where the library has them), arenas reset once. Items = nodes parsed.
 * The allocation pattern (sizes 1..400 bytes, mostly under 64) is what a compiler
 * front end or a JSON/config loader does. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "peers.h"

enum { K_NUM, K_SYM, K_STR, K_LIST };

typedef struct node {
    uint32_t kind;
    uint32_t n; /* string length, or number of children */
    union {
        int64_t num;
        char *str;
        struct node **kids;
    } u;
} node;

/* --- the document ------------------------------------------------------------------- */

typedef struct text {
    char *buf;
    size_t len, cap;
    uint64_t rng;
    size_t nodes;
} text;

static uint64_t next(text *t)
{
    t->rng ^= t->rng << 13;
    t->rng ^= t->rng >> 7;
    t->rng ^= t->rng << 17;
    return t->rng;
}

/* realloc or die: the bench cannot run without its document. */
static void *grow_or_die(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (q == NULL) {
        fprintf(stderr, "bench_parse: out of memory (%zu bytes)\n", n);
        abort();
    }
    return q;
}

static void put(text *t, char c)
{
    if (t->len + 1 >= t->cap) {
        t->cap = t->cap ? t->cap * 2 : 4096;
        t->buf = grow_or_die(t->buf, t->cap);
    }
    t->buf[t->len++] = c;
    t->buf[t->len] = '\0';
}

static void gen(text *t, int depth)
{
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyz-+*<>=?!";
    uint64_t r = next(t) % 100;
    t->nodes++;
    if (depth < 7 && (r < 22 || depth == 0)) {
        put(t, '(');
        int n = 1 + (int)(next(t) % (depth == 0 ? 12 : 6));
        for (int i = 0; i < n; i++) {
            if (i)
                put(t, ' ');
            gen(t, depth + 1);
        }
        put(t, ')');
    } else if (r < 50) {
        int64_t v = (int64_t)(next(t) % 2000000) - 1000000;
        char num[32];
        int k = 0;
        uint64_t m = (uint64_t)(v < 0 ? -v : v);
        do
            num[k++] = (char)('0' + m % 10);
        while ((m /= 10) != 0);
        if (v < 0)
            put(t, '-');
        while (k > 0)
            put(t, num[--k]);
    } else if (r < 78) {
        size_t n = 1 + next(t) % 12;
        for (size_t i = 0; i < n; i++)
            put(t, alpha[next(t) % (sizeof alpha - 1)]);
    } else {
        put(t, '"');
        size_t n = next(t) % 48;
        for (size_t i = 0; i < n; i++)
            put(t, (char)('a' + next(t) % 26));
        put(t, '"');
    }
}

static text doc;

static void make_doc(void)
{
    doc.rng = 0x9e3779b97f4a7c15u;
    put(&doc, '(');
    while (doc.len < (size_t)190 * 1024) {
        put(&doc, '\n');
        gen(&doc, 0);
    }
    put(&doc, ')');
    doc.nodes++;
}

/* --- the parser ----------------------------------------------------------------------- */

typedef struct parser {
    const char *s;
    const peer *pk;
    void *ctx;
    node **stack; /* children of the open lists, reused across runs */
    size_t sp;
    size_t nodes;
} parser;

static bool is_delim(char c)
{
    return c == ' ' || c == '\n' || c == '(' || c == ')' || c == '\0';
}

static char *copy_str(parser *p, const char *from, size_t n)
{
    char *s = p->pk->alloc(p->ctx, n + 1);
    memcpy(s, from, n);
    s[n] = '\0';
    return s;
}

/* Parses one expression at p->s. The cursor is kept in a local and written back, so
 * the compiler need not reload it after every store through a char pointer. */
static node *parse(parser *p)
{
    const char *s = p->s;
    while (*s == ' ' || *s == '\n')
        s++;
    node *x = p->pk->alloc(p->ctx, sizeof *x);
    p->nodes++;
    if (*s == '(') {
        s++;
        size_t base = p->sp;
        for (;;) {
            while (*s == ' ' || *s == '\n')
                s++;
            if (*s == ')')
                break;
            p->s = s;
            node *kid = parse(p);
            s = p->s;
            p->stack[p->sp++] = kid;
        }
        s++;
        size_t n = p->sp - base;
        *x = (node){.kind = K_LIST, .n = (uint32_t)n};
        x->u.kids = p->pk->alloc(p->ctx, n * sizeof(node *));
        memcpy(x->u.kids, p->stack + base, n * sizeof(node *));
        p->sp = base;
    } else if (*s == '"') {
        const char *e = s + 1;
        while (*e != '"')
            e++;
        *x = (node){.kind = K_STR, .n = (uint32_t)(e - s - 1)};
        x->u.str = copy_str(p, s + 1, x->n);
        s = e + 1;
    } else if (*s == '-' ? (s[1] >= '0' && s[1] <= '9') : (*s >= '0' && *s <= '9')) {
        int64_t v = 0, sign = *s == '-' ? -1 : 1;
        s += *s == '-';
        while (*s >= '0' && *s <= '9')
            v = v * 10 + (*s++ - '0');
        *x = (node){.kind = K_NUM, .u.num = v * sign};
    } else {
        const char *e = s;
        while (!is_delim(*e))
            e++;
        *x = (node){.kind = K_SYM, .n = (uint32_t)(e - s)};
        x->u.str = copy_str(p, s, x->n);
        s = e;
    }
    p->s = s;
    return x;
}

static void release(const peer *pk, void *ctx, node *x)
{
    if (x->kind == K_LIST) {
        for (uint32_t i = 0; i < x->n; i++)
            release(pk, ctx, x->u.kids[i]);
        pk->free(ctx, x->u.kids, x->n * sizeof(node *));
    } else if (x->kind != K_NUM) {
        pk->free(ctx, x->u.str, (size_t)x->n + 1);
    }
    pk->free(ctx, x, sizeof *x);
}

/* Sum of all integers and string lengths: proves each allocator built the same tree. */
static int64_t digest(const node *x)
{
    if (x->kind == K_NUM)
        return x->u.num;
    if (x->kind != K_LIST)
        return (int64_t)x->n + (x->n ? (int64_t)x->u.str[x->n - 1] : 0);
    int64_t d = (int64_t)x->n * 31;
    for (uint32_t i = 0; i < x->n; i++)
        d += digest(x->u.kids[i]);
    return d;
}

static int64_t expected_digest;

static void bm_parse(bench_state *st, void *arg)
{
    const peer *pk = arg;
    void *ctx = pk->make ? pk->make() : NULL;
    parser p = {.pk = pk, .ctx = ctx, .stack = malloc(doc.nodes * sizeof(node *))};
    int64_t got = 0;
    while (bench_keep_running(st)) {
        p.s = doc.buf;
        p.nodes = 0;
        node *root = parse(&p);
        BENCH_DO_NOT_OPTIMIZE(root);
        if (got == 0)
            got = digest(root);
        if (pk->free)
            release(pk, ctx, root);
        if (pk->reset)
            pk->reset(ctx);
    }
    bench_set_items(st, bench_state_iterations(st) * (int64_t)doc.nodes);
    bench_counter(st, "nodes", (double)doc.nodes, BENCH_COUNTER_DEFAULT);
    free(p.stack);
    if (pk->destroy)
        pk->destroy(ctx);
    if (got != expected_digest)
        bench_skip(st, "the parsed tree differs from the reference (glibc) tree");
}

/* --- the same allocations without the parsing ---------------------------------------
 * "replay": the parse's allocation sizes, recorded once, are allocated in the same order
 * (first byte written), then freed in the same order, or the arena is reset. Items are
 * still nodes, so the row compares with "parse": the difference is the parser's own
 * work, which no allocator can speed up. */

static size_t *trace;
static size_t trace_len, trace_cap;

static void *record_alloc(void *ctx, size_t n)
{
    (void)ctx;
    if (trace_len == trace_cap) {
        trace_cap = trace_cap ? trace_cap * 2 : 65536;
        trace = grow_or_die(trace, trace_cap * sizeof *trace);
    }
    trace[trace_len++] = n;
    return malloc(n);
}

static void record_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)n;
    free(p);
}

static const peer recorder = {"record", record_alloc, record_free, NULL, NULL, NULL};

static void bm_replay(bench_state *st, void *arg)
{
    const peer *pk = arg;
    void *ctx = pk->make ? pk->make() : NULL;
    void **ptrs = calloc(trace_len, sizeof *ptrs);
    while (bench_keep_running(st)) {
        for (size_t i = 0; i < trace_len; i++) {
            ptrs[i] = pk->alloc(ctx, trace[i]);
            *(char *)ptrs[i] = 1;
        }
        BENCH_CLOBBER_MEMORY();
        if (pk->free)
            for (size_t i = 0; i < trace_len; i++)
                pk->free(ctx, ptrs[i], trace[i]);
        if (pk->reset)
            pk->reset(ctx);
    }
    bench_set_items(st, bench_state_iterations(st) * (int64_t)doc.nodes);
    bench_counter(st, "allocs", (double)trace_len, BENCH_COUNTER_DEFAULT);
    free(ptrs);
    if (pk->destroy)
        pk->destroy(ctx);
}

static void setup(void)
{
    make_doc();
    {
        parser r = {.pk = &recorder, .stack = malloc(doc.nodes * sizeof(node *)), .s = doc.buf};
        release(&recorder, NULL, parse(&r));
        free(r.stack);
    }
    /* The reference tree, built once with the C library's malloc. */
    parser p = {.pk = &bench_peers[0], .stack = malloc(doc.nodes * sizeof(node *)), .s = doc.buf};
    node *root = parse(&p);
    expected_digest = digest(root);
    release(p.pk, NULL, root);
    free(p.stack);
    if (p.nodes != doc.nodes)
        abort(); /* the generator and the parser disagree: a bug in this file */
    char name[64];
    for (size_t i = 0; i < bench_npeers; i++) {
        snprintf(name, sizeof name, "parse/%s", bench_peers[i].name);
        bench_min_time(bench_register(name, bm_parse, (void *)&bench_peers[i]), 0.5);
    }
    /* Two threads parsing at once, each its own tree: the general-purpose allocators'
     * per-thread caches against per-thread arenas (a shared arena could not be reset
     * while the other thread still parses, so arena/arena_mt are not in this group). */
    for (size_t i = 0; i < bench_npeers; i++) {
        if (bench_peers[i].make != NULL && strcmp(bench_peers[i].name, "arena_local") != 0)
            continue;
        snprintf(name, sizeof name, "parse2t/%s", bench_peers[i].name);
        bench_def *b = bench_register(name, bm_parse, (void *)&bench_peers[i]);
        bench_min_time(bench_real_time(bench_threads(b, 2)), 0.5);
    }
    for (size_t i = 0; i < bench_npeers; i++) {
        snprintf(name, sizeof name, "replay/%s", bench_peers[i].name);
        bench_min_time(bench_register(name, bm_replay, (void *)&bench_peers[i]), 0.3);
    }
}
BENCH_SETUP(setup)
