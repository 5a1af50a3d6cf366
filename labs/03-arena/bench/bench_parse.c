/* bench_parse.c — the parse workload: text -> tree of many small nodes -> free it all.
 *
 * A generated s-expression document (~20,000 nodes, ~190 KiB: lists, integers, symbols
 * and strings of mixed lengths) is parsed into an AST: a 16-byte node per expression,
 * a copied string per symbol or string, an exact-size child array per list. Then the
 * whole tree is released: malloc-style allocators free every block (walking the tree,
 * sized frees where the library has them), arenas reset once. Items = nodes parsed.
 * The allocation pattern (sizes 1..400 bytes, mostly under 64) is what a compiler
 * front end or a JSON/config loader does. Every variant's tree is checked against a
 * digest the generator computed from the text it wrote. The parser and the release
 * walk are written once and instantiated per variant with that variant's allocation
 * calls inlined (peers.h, BENCH_PEER_LIST). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__) && !defined(BENCH_PARSE_SWAR)
#include <emmintrin.h>
#endif

#include "bench.h"
#include "peers.h"
#include "swar.h"

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

/* Appends one random expression and returns its digest (see digest() below), computed
 * from what was written, so the parser's tree is checked against the generator, not
 * against itself. */
static int64_t gen(text *t, int depth)
{
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyz-+*<>=?!";
    uint64_t r = next(t) % 100;
    t->nodes++;
    if (depth < 7 && (r < 22 || depth == 0)) {
        put(t, '(');
        int n = 1 + (int)(next(t) % (depth == 0 ? 12 : 6));
        int64_t d = (int64_t)n * 31;
        for (int i = 0; i < n; i++) {
            if (i)
                put(t, ' ');
            d += gen(t, depth + 1);
        }
        put(t, ')');
        return d;
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
        return v;
    } else if (r < 78) {
        size_t n = 1 + next(t) % 12;
        char c = 0;
        for (size_t i = 0; i < n; i++)
            put(t, c = alpha[next(t) % (sizeof alpha - 1)]);
        return (int64_t)n + c;
    } else {
        put(t, '"');
        size_t n = next(t) % 48;
        char c = 0;
        for (size_t i = 0; i < n; i++)
            put(t, c = (char)('a' + next(t) % 26));
        put(t, '"');
        return (int64_t)n + c;
    }
}

static text doc;
static int64_t doc_digest; /* the digest of the document's tree, from the generator */

static void make_doc(void)
{
    doc.rng = 0x9e3779b97f4a7c15u;
    put(&doc, '(');
    int64_t kids = 0, sum = 0;
    while (doc.len < (size_t)190 * 1024) {
        put(&doc, '\n');
        sum += gen(&doc, 0);
        kids++;
    }
    put(&doc, ')');
    doc_digest = kids * 31 + sum;
    doc.nodes++;
    /* Padding for the parser's wide loads (see "the parser" below). */
    doc.buf = grow_or_die(doc.buf, doc.len + 1 + 64);
    memset(doc.buf + doc.len + 1, 0, 64);
}

/* --- the parser -----------------------------------------------------------------------
 * Lean on purpose: the benchmark is about the allocator, so the parser does the least a
 * real one must (find each token's end, convert numbers, copy names and strings, build
 * the child arrays) without per-character branches: a token's kind is one table lookup,
 * its end is searched sixteen bytes at a time with SSE2 (every x86-64; elsewhere, or
 * with -DBENCH_PARSE_SWAR, eight at a time with SWAR, "SIMD within a register"), and numbers of up to 7 digits are
 * converted with three multiplies and no loop. The wide loads may read up to 63 bytes
 * past the document's final NUL: make_doc pads the buffer for that. */

typedef struct frame {
    node *list;  /* an open list */
    size_t base; /* where its children start on the child stack */
} frame;

typedef struct parser {
    const char *s;
    void *ctx;
    node **stack;  /* children of the open lists, reused across runs */
    frame *frames; /* the open lists, innermost last */
    size_t nodes;
} parser;

/* Allocates the child stack and the frame stack, each big enough for the document. */
static parser parser_new(void *ctx)
{
    parser p = {.ctx = ctx};
    p.stack = malloc(doc.nodes * sizeof *p.stack);
    p.frames = malloc(doc.nodes * sizeof *p.frames);
    if (p.stack == NULL || p.frames == NULL) {
        fprintf(stderr, "bench_parse: out of memory for the parser's stacks\n");
        abort();
    }
    return p;
}

static void parser_free(parser *p)
{
    free(p->stack);
    free(p->frames);
}

/* Bad input is a bug in the generator (the document is made here), but says where. */
static _Noreturn void parse_error(const char *what, const char *at)
{
    fprintf(stderr, "bench_parse: %s at offset %td of the generated document\n", what,
            at - doc.buf);
    abort();
}

/* Index (0..7) of the lowest flagged byte; m != 0. */
static size_t first_flag(uint64_t m)
{
    return (size_t)__builtin_ctzll(m) >> 3;
}

#if !defined(__SSE2__) || defined(BENCH_PARSE_SWAR)
/* Flags the bytes that end a symbol: ' ', '\n', '(', ')' and the final NUL. */
static uint64_t delim_bytes(uint64_t w)
{
    return swar_zero_bytes(w) | swar_zero_bytes(w ^ (SWAR_ONES * ' ')) |
           swar_zero_bytes(w ^ (SWAR_ONES * '\n')) |
           swar_zero_bytes((w | SWAR_ONES) ^ (SWAR_ONES * ')')); /* '(' is ')' with bit 0 clear */
}
#endif

/* Offset of the first '"' at or after e. */
static inline __attribute__((always_inline)) size_t find_quote(const char *e)
{
#if defined(__SSE2__) && !defined(BENCH_PARSE_SWAR) /* every x86-64 */
    /* 64 bytes a step, four compares combined into one mask: strings shorter than 64
     * bytes (all of this document's) end in the first step, with no data-dependent
     * branch on their length. */
    const __m128i q = _mm_set1_epi8('"');
#define QUOTES16(k)                                                                                \
    ((uint64_t)(unsigned)_mm_movemask_epi8(                                                        \
         _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(e + i + 16 * (k))), q))    \
     << (16 * (k)))
    for (size_t i = 0;; i += 64) { /* written out: gcc -O2 kept a loop of four */
        uint64_t m = QUOTES16(0) | QUOTES16(1) | QUOTES16(2) | QUOTES16(3);
        if (m != 0)
            return i + (size_t)__builtin_ctzll(m);
    }
#undef QUOTES16
#else
    for (size_t i = 0;; i += 8) {
        uint64_t m = swar_zero_bytes(swar_load8(e + i) ^ (SWAR_ONES * '"'));
        if (m != 0)
            return i + first_flag(m);
    }
#endif
}

/* Offset of the first symbol delimiter (' ', '\n', '(', ')', NUL) at or after e. */
static inline __attribute__((always_inline)) size_t find_delim(const char *e)
{
#if defined(__SSE2__) && !defined(BENCH_PARSE_SWAR)
    for (size_t i = 0;; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(e + i));
        __m128i d = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_setzero_si128()),
                         _mm_cmpeq_epi8(v, _mm_set1_epi8(' '))),
            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')),
                         _mm_cmpeq_epi8(_mm_or_si128(v, _mm_set1_epi8(1)), _mm_set1_epi8(')'))));
        unsigned m = (unsigned)_mm_movemask_epi8(d);
        if (m != 0)
            return i + (size_t)__builtin_ctz(m);
    }
#else
    for (size_t i = 0;; i += 8) {
        uint64_t m = delim_bytes(swar_load8(e + i));
        if (m != 0)
            return i + first_flag(m);
    }
#endif
}

/* The allocator's operations as the instances pass them (peers.h): constants there. */
typedef void *alloc_op(void *ctx, size_t n);
typedef void free_op(void *ctx, void *p, size_t n);
/* Bodies instantiated once per variant: always inlined, so that the op they are given
 * is a constant and its own inline body (the arena's bump) lands in the instance. */
#define PARSE_BODY static inline __attribute__((always_inline))

PARSE_BODY char *copy_str(void *ctx, alloc_op *al, const char *from, size_t n)
{
    char *s = al(ctx, n + 1);
    memcpy(s, from, n);
    s[n] = '\0';
    return s;
}

/* What the first byte of a token says (one table lookup, one switch: no chain of
 * compares for the CPU to mispredict one by one). */
enum { C_SYM, C_SPACE, C_OPEN, C_CLOSE, C_QUOTE, C_DIGIT, C_MINUS, C_END };

static const unsigned char cls[256] = {
    [' '] = C_SPACE, ['\n'] = C_SPACE, ['('] = C_OPEN,  [')'] = C_CLOSE, ['"'] = C_QUOTE,
    ['0'] = C_DIGIT, ['1'] = C_DIGIT,  ['2'] = C_DIGIT, ['3'] = C_DIGIT, ['4'] = C_DIGIT,
    ['5'] = C_DIGIT, ['6'] = C_DIGIT,  ['7'] = C_DIGIT, ['8'] = C_DIGIT, ['9'] = C_DIGIT,
    ['-'] = C_MINUS, ['\0'] = C_END,
};

/* Parses the expression at p->s and returns its tree. Iterative: open lists are kept
 * on p->frames and finished children on p->stack, so there is no call per node and the
 * cursor stays in a register. Allocation order is that of a recursive descent: a list's
 * node, then its children, then its exact-size child array. */
PARSE_BODY node *parse_body(parser *p, alloc_op *al)
{
    void *const ctx = p->ctx;
    const char *s = p->s;
    node **kids = p->stack;
    size_t sp = 0, depth = 0, nodes = 0;
    node *x;
    char c = *s; /* the byte at s, the next token's first */
    for (;;) {
        switch (cls[(unsigned char)c]) {
        case C_SPACE:
            c = *++s;
            continue;
        case C_END:
            parse_error(depth ? "unclosed list" : "no expression", s);
        case C_CLOSE: {
            if (depth == 0)
                parse_error("')' without '('", s);
            frame *f = &p->frames[--depth];
            size_t n = sp - f->base;
            x = f->list;
            *x = (node){.kind = K_LIST, .n = (uint32_t)n};
            x->u.kids = al(ctx, n * sizeof(node *));
            memcpy(x->u.kids, kids + f->base, n * sizeof(node *));
            sp = f->base;
            s++;
            break;
        }
        case C_OPEN:
            x = al(ctx, sizeof *x);
            nodes++;
            p->frames[depth++] = (frame){x, sp};
            c = *++s;
            continue;
        case C_QUOTE: {
            x = al(ctx, sizeof *x);
            nodes++;
            size_t n = find_quote(s + 1);
            const char *e = s + 1 + n;
            *x = (node){.kind = K_STR, .n = (uint32_t)n};
            x->u.str = copy_str(ctx, al, s + 1, n);
            s = e + 1;
            break;
        }
        case C_MINUS:
            if (s[1] < '0' || s[1] > '9')
                goto symbol;
            /* fall through */
        case C_DIGIT: {
            x = al(ctx, sizeof *x);
            nodes++;
            s += c == '-';
            uint64_t w = swar_load8(s), m = swar_nondigits(w), v;
            if (m != 0) {
                size_t n = first_flag(m);
                v = swar_digits(w, (unsigned)n);
                s += n;
            } else { /* eight digits or more: the plain loop (unsigned: wraps, never UB) */
                v = 0;
                while (*s >= '0' && *s <= '9')
                    v = v * 10 + (uint64_t)(*s++ - '0');
            }
            *x = (node){.kind = K_NUM, .u.num = c == '-' ? -(int64_t)v : (int64_t)v};
            break;
        }
        default:
        symbol : {
            x = al(ctx, sizeof *x);
            nodes++;
            size_t n = find_delim(s);
            *x = (node){.kind = K_SYM, .n = (uint32_t)n};
            x->u.str = copy_str(ctx, al, s, n);
            s += n;
            break;
        }
        }
        /* x is finished: the whole expression, or one more child of the open list. */
        if (depth == 0)
            break;
        kids[sp++] = x;
        /* One separator, skipped without a branch (more go through C_SPACE): the byte
         * at s and the one after it are loaded together and the next token's first
         * byte picked from them, so the dispatch above waits for one load after the
         * cursor is known, not for a load, a table lookup and a second load. */
        char c0 = s[0], c1 = s[1];
        int skip = (c0 == ' ') | (c0 == '\n');
        s += skip;
        c = skip ? c1 : c0;
    }
    p->s = s;
    p->nodes = nodes;
    return x;
}

/* Frees x's tree block by block (sized frees: the op passes the size on where the
 * library takes it); self is the instance's own function, for the recursion. */
PARSE_BODY void release_body(void *ctx, node *x, free_op *fr, void (*self)(void *, node *))
{
    if (x->kind == K_LIST) {
        for (uint32_t i = 0; i < x->n; i++)
            self(ctx, x->u.kids[i]);
        fr(ctx, x->u.kids, x->n * sizeof(node *));
    } else if (x->kind != K_NUM) {
        fr(ctx, x->u.str, (size_t)x->n + 1);
    }
    fr(ctx, x, sizeof *x);
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

/* Writes x back as text, the way make_doc writes it (top-level items on lines of their
 * own, list items separated by one space), and checks that each copied string is
 * NUL-terminated at its length. Setup compares the result with the document byte for
 * byte: the digest sees only lengths and last bytes, this sees every byte copied. */
static void unparse(text *out, const node *x, int depth)
{
    if (x->kind == K_NUM) {
        char num[24];
        int k = 0;
        uint64_t m = x->u.num < 0 ? 0 - (uint64_t)x->u.num : (uint64_t)x->u.num;
        do
            num[k++] = (char)('0' + m % 10);
        while ((m /= 10) != 0);
        if (x->u.num < 0)
            put(out, '-');
        while (k > 0)
            put(out, num[--k]);
    } else if (x->kind == K_LIST) {
        put(out, '(');
        for (uint32_t i = 0; i < x->n; i++) {
            if (depth == 0 || i > 0)
                put(out, depth == 0 ? '\n' : ' ');
            unparse(out, x->u.kids[i], depth + 1);
        }
        put(out, ')');
    } else {
        if (x->u.str[x->n] != '\0' || strlen(x->u.str) != x->n) {
            fprintf(stderr, "bench_parse: a copied string is not NUL-terminated at its length %u\n",
                    x->n);
            abort();
        }
        if (x->kind == K_STR)
            put(out, '"');
        for (uint32_t i = 0; i < x->n; i++)
            put(out, x->u.str[i]);
        if (x->kind == K_STR)
            put(out, '"');
    }
}

static int64_t expected_digest;

typedef node *parse_fn(parser *p);
typedef void release_fn(void *ctx, node *x);

PARSE_BODY void bm_parse_body(bench_state *st, const peer *pk, parse_fn *parse,
                              release_fn *release)
{
    void *ctx = pk->make ? pk->make() : NULL;
    parser p = parser_new(ctx);
    int64_t got = 0;
    while (bench_keep_running(st)) {
        p.s = doc.buf;
        p.nodes = 0;
        node *root = parse(&p);
        BENCH_DO_NOT_OPTIMIZE(root);
        if (got == 0)
            got = digest(root);
        if (pk->free)
            release(ctx, root);
        if (pk->reset)
            pk->reset(ctx);
    }
    bench_set_items(st, bench_state_iterations(st) * (int64_t)doc.nodes);
    bench_counter(st, "nodes", (double)doc.nodes, BENCH_COUNTER_DEFAULT);
    parser_free(&p);
    if (pk->destroy)
        pk->destroy(ctx);
    if (got != expected_digest)
        bench_skip(st, "the parsed tree differs from the reference (glibc) tree");
}

/* One instance per variant: parse_NAME, release_NAME and the benchmark bm_parse_NAME,
 * the same source with NAME's operations inlined. noinline keeps each instance a
 * function of its own name in profiles. */
#define PARSE_INSTANCE(name, al, fr)                                                               \
    static __attribute__((noinline)) node *parse_##name(parser *p)                                 \
    {                                                                                              \
        return parse_body(p, al);                                                                  \
    }                                                                                              \
    static __attribute__((noinline)) void release_##name(void *ctx, node *x)                       \
    {                                                                                              \
        release_body(ctx, x, fr, release_##name);                                                  \
    }
#define PARSE_BENCH(name, al, fr)                                                                  \
    PARSE_INSTANCE(name, al, fr)                                                                   \
    static void bm_parse_##name(bench_state *st, void *arg)                                        \
    {                                                                                              \
        bm_parse_body(st, arg, parse_##name, release_##name);                                      \
    }
BENCH_PEER_LIST(PARSE_BENCH)
/* The recorder of the allocation trace (setup only). */
PARSE_INSTANCE(record, bench_trace_alloc, bench_trace_free)
#undef PARSE_BENCH
#undef PARSE_INSTANCE

#define PEER_NAME(name, al, fr) #name,
#define PEER_BM(name, al, fr) bm_parse_##name,
static const char *const parse_names[] = {BENCH_PEER_LIST(PEER_NAME)};
static const bench_fn parse_fns[] = {BENCH_PEER_LIST(PEER_BM)};
#undef PEER_NAME
#undef PEER_BM

/* --- the same allocations without the parsing ---------------------------------------
 * "replay": the parse's allocation sizes, recorded once, replayed by bench_replay
 * (peers.c): the allocator's share of a parse row. */

static alloc_trace trace;

static void bm_replay(bench_state *st, void *arg)
{
    bench_replay(st, arg, &trace, (int64_t)doc.nodes);
}

static void setup(void)
{
    make_doc();
    bench_check_peer_names(parse_names, sizeof parse_names / sizeof parse_names[0]);
    {
        parser r = parser_new(&trace);
        r.s = doc.buf;
        release_record(&trace, parse_record(&r));
        parser_free(&r);
    }
    /* The reference tree, built once with the C library's malloc. */
    parser p = parser_new(NULL);
    p.s = doc.buf;
    node *root = parse_glibc(&p);
    expected_digest = digest(root);
    text back = {0};
    unparse(&back, root, 0);
    if (back.len != doc.len || memcmp(back.buf, doc.buf, doc.len) != 0) {
        size_t at = 0;
        while (at < back.len && at < doc.len && back.buf[at] == doc.buf[at])
            at++;
        fprintf(stderr,
                "bench_parse: the parsed tree, written back as text, differs from the "
                "document at offset %zu: a bug in this file\n",
                at);
        abort();
    }
    free(back.buf);
    release_glibc(NULL, root);
    parser_free(&p);
    if (p.nodes != doc.nodes || expected_digest != doc_digest) {
        fprintf(stderr,
                "bench_parse: the parser read %zu nodes (digest %lld), the generator "
                "wrote %zu (digest %lld): a bug in this file\n",
                p.nodes, (long long)expected_digest, doc.nodes, (long long)doc_digest);
        abort();
    }
    char name[64];
    for (size_t i = 0; i < bench_npeers; i++) {
        snprintf(name, sizeof name, "parse/%s", bench_peers[i].name);
        bench_min_time(bench_register(name, parse_fns[i], (void *)&bench_peers[i]), 0.5);
    }
    /* Two threads parsing at once, each its own tree: the general-purpose allocators'
     * per-thread caches against per-thread arenas (a shared arena could not be reset
     * while the other thread still parses, so arena/arena_mt are not in this group). */
    for (size_t i = 0; i < bench_npeers; i++) {
        if (bench_peers[i].make != NULL && strcmp(bench_peers[i].name, "arena_local") != 0)
            continue;
        snprintf(name, sizeof name, "parse2t/%s", bench_peers[i].name);
        bench_def *b = bench_register(name, parse_fns[i], (void *)&bench_peers[i]);
        bench_min_time(bench_real_time(bench_threads(b, 2)), 0.5);
    }
    for (size_t i = 0; i < bench_npeers; i++) {
        snprintf(name, sizeof name, "replay/%s", bench_peers[i].name);
        bench_min_time(bench_register(name, bm_replay, (void *)&bench_peers[i]), 0.3);
    }
}
BENCH_SETUP(setup)
