/* bench_json.c — the second parse workload: a JSON document of records -> DOM -> free.
 *
 * What a config loader or an API client sees: a generated document (~190 KiB) holding
 * an array of records with one fixed schema (ids, a GUID, names and e-mail addresses,
 * a balance with two decimals, a timestamp, small arrays of tags, scores and friends,
 * a note that is null or free text with escapes). It is parsed into a DOM the way a C
 * JSON library such as cJSON builds one: a node per value, a copied key string per
 * object member, a copied (unescaped) string per string value, children as a linked
 * list. Then the tree is released: malloc-style allocators walk it and free every
 * block (sized frees where the library has them), arenas reset once. Items = values
 * (nodes). The tree is checked against a digest the generator computes from what it
 * wrote, for every variant, and the parser is the same code for all of them: written
 * once, instantiated per variant with that variant's allocation calls inlined (peers.h,
 * BENCH_PEER_LIST).
 *
 * Unlike the s-expression document of bench_parse.c, whose token kinds are drawn at
 * random, the records repeat one shape, so the parser's branches are predictable and
 * the allocations (about 2.1 per value) are a larger share of the work. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
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

enum { J_NULL, J_FALSE, J_TRUE, J_INT, J_REAL, J_STR, J_ARR, J_OBJ };

typedef struct jnode {
    struct jnode *next; /* the next element or member of the parent */
    char *key;          /* member name (copied, NUL-terminated), NULL in arrays */
    union {
        int64_t i;
        double d;
        char *s;             /* decoded, NUL-terminated */
        struct jnode *child; /* first member or element */
    } u;
    uint32_t n;         /* string length (decoded), or number of children */
    uint32_t type : 4;  /* J_* */
    uint32_t klen : 28; /* key length (the parser rejects documents of 2^28 bytes) */
} jnode;                /* 32 bytes: cJSON's node has 64 (prev link, int and double copies) */

/* --- the document ----------------------------------------------------------------------
 * The generator writes the text and, as it goes, the digest of the tree a correct
 * parser must build from it (see jdigest below: the same formulas, there computed from
 * the DOM). Sums are uint64_t, so they wrap instead of overflowing. */

typedef struct jtext {
    char *buf;
    size_t len, cap;
    uint64_t rng;
    size_t values;
} jtext;

static jtext jdoc;
static uint64_t jdoc_digest;

static uint64_t jrand(jtext *t)
{
    t->rng ^= t->rng << 13;
    t->rng ^= t->rng >> 7;
    t->rng ^= t->rng << 17;
    return t->rng;
}

static uint64_t below(jtext *t, uint64_t n)
{
    return jrand(t) % n;
}

static void jput(jtext *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        while (t->len + n + 1 > t->cap)
            t->cap = t->cap ? t->cap * 2 : 4096;
        char *b = realloc(t->buf, t->cap);
        if (b == NULL) {
            fprintf(stderr, "bench_json: out of memory (%zu bytes)\n", t->cap);
            abort();
        }
        t->buf = b;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static void jputs(jtext *t, const char *s)
{
    jput(t, s, strlen(s));
}

/* Digests of the value kinds (jdigest uses the same). */
static uint64_t dig_str(size_t n, unsigned char last)
{
    return (uint64_t)n * 7 + last;
}

static uint64_t dig_key(size_t n, unsigned char first)
{
    return (uint64_t)n * 5 + first;
}

/* `"key":` and its digest. (The gen_* calls of one record are separate statements:
 * the order in which the operands of + are evaluated is unspecified in C.) */
static uint64_t gen_key(jtext *t, const char *key)
{
    jputs(t, "\"");
    jputs(t, key);
    jputs(t, "\":");
    return dig_key(strlen(key), (unsigned char)key[0]);
}

static uint64_t gen_int(jtext *t, int64_t v)
{
    char num[32];
    int k = snprintf(num, sizeof num, "%lld", (long long)v);
    jput(t, num, (size_t)k);
    t->values++;
    return (uint64_t)v;
}

/* A number with two decimals: its digest is the value in hundredths. */
static uint64_t gen_cents(jtext *t, int64_t cents)
{
    char num[40];
    uint64_t m = (uint64_t)(cents < 0 ? -cents : cents);
    int k = snprintf(num, sizeof num, "%s%llu.%02llu", cents < 0 ? "-" : "",
                     (unsigned long long)(m / 100), (unsigned long long)(m % 100));
    jput(t, num, (size_t)k);
    t->values++;
    return (uint64_t)cents;
}

/* A string without escapes (UTF-8 passes through as bytes). */
static uint64_t gen_plain(jtext *t, const char *s)
{
    size_t n = strlen(s);
    jputs(t, "\"");
    jput(t, s, n);
    jputs(t, "\"");
    t->values++;
    return dig_str(n, n ? (unsigned char)s[n - 1] : 0);
}

static const char *const first_names[] = {
    "Ada",     "Grace",  "Alan", "Edsger", "Barbara",  "Ken",     "Dennis",
    "Frances", "José",   "Zoë",  "Linus",  "Margaret", "Niklaus", "Leslie",
    "Radia",   "Bjarne", "Åsa",  "Tim",    "Donald",   "Sophie",
};
static const char *const last_names[] = {
    "Lovelace",    "Hopper", "Turing",   "Dijkstra", "Liskov",  "Thompson",     "Ritchie",
    "Allen",       "Núñez",  "Hamilton", "Wirth",    "Lamport", "Perlman",      "Stroustrup",
    "Berners-Lee", "Knuth",  "Wilson",   "Müller",   "O'Brien", "Van der Berg",
};
static const char *const domains[] = {"example.com", "mail.example.org", "corp.example.net",
                                      "uni.example.edu"};
static const char *const words[] = {
    "alpha", "beta",  "gamma", "delta", "admin", "staff",   "remote",  "lorem",
    "ipsum", "dolor", "sit",   "amet",  "quick", "brown",   "fox",     "jumps",
    "over",  "lazy",  "dog",   "retry", "later", "overdue", "billing", "priority",
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Escapes in notes: the text written and the bytes it decodes to. */
static const struct {
    const char *text;
    const char *bytes;
} escapes[] = {
    {"\\n", "\n"},
    {"\\\"", "\""},
    {"\\\\", "\\"},
    {"\\t", "\t"},
    {"\\/", "/"},
    {"\\u00e9", "\xc3\xa9"},
    {"\\u20ac", "\xe2\x82\xac"},
    {"\\ud83d\\ude00", "\xf0\x9f\x98\x80"},
};

/* A note: words separated by spaces, now and then an escape, up to ~120 bytes. */
static uint64_t gen_note(jtext *t)
{
    size_t nwords = (size_t)below(t, 20), n = 0;
    unsigned char last = 0;
    jputs(t, "\"");
    for (size_t i = 0; i < nwords; i++) {
        if (i) { /* a word or an escape follows: it sets `last` */
            jputs(t, " ");
            n++;
        }
        if (below(t, 8) == 0) {
            size_t e = (size_t)below(t, COUNT(escapes));
            size_t len = strlen(escapes[e].bytes);
            jputs(t, escapes[e].text);
            n += len;
            last = (unsigned char)escapes[e].bytes[len - 1];
        } else {
            const char *w = words[below(t, COUNT(words))];
            size_t len = strlen(w);
            jput(t, w, len);
            n += len;
            last = (unsigned char)w[len - 1];
        }
    }
    jputs(t, "\"");
    t->values++;
    return dig_str(n, last);
}

/* One record; returns its digest (an object: 31 per member plus the members). */
static uint64_t gen_record(jtext *t, int64_t id)
{
    uint64_t d = (uint64_t)12 * 31; /* an object: 31 per member, plus the members */
    char buf[128];
    const char *first = first_names[below(t, COUNT(first_names))];
    const char *last = last_names[below(t, COUNT(last_names))];
    t->values++;
    jputs(t, "{");
    d += gen_key(t, "id");
    d += gen_int(t, id);
    uint64_t g1 = jrand(t), g2 = jrand(t);
    snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx", (unsigned long long)(g1 >> 32),
             (unsigned long long)(g1 >> 16 & 0xffff), (unsigned long long)(g1 & 0xfff) | 0x4000,
             (unsigned long long)(g2 >> 48), (unsigned long long)(g2 & 0xffffffffffffu));
    jputs(t, ",");
    d += gen_key(t, "guid");
    d += gen_plain(t, buf);
    bool active = below(t, 3) != 0;
    jputs(t, ",");
    d += gen_key(t, "active");
    jputs(t, active ? "true" : "false");
    t->values++;
    d += active ? 1 : 2;
    jputs(t, ",");
    d += gen_key(t, "balance");
    d += gen_cents(t, (int64_t)below(t, 20000000) - 10000000);
    jputs(t, ",");
    d += gen_key(t, "age");
    d += gen_int(t, 18 + (int64_t)below(t, 70));
    snprintf(buf, sizeof buf, "%s %s", first, last);
    jputs(t, ",");
    d += gen_key(t, "name");
    d += gen_plain(t, buf);
    char c1 = (char)('a' + below(t, 26)), c2 = (char)('a' + below(t, 26));
    unsigned long long num = below(t, 100000);
    snprintf(buf, sizeof buf, "%c%c%llu@%s", c1, c2, num, domains[below(t, COUNT(domains))]);
    jputs(t, ",");
    d += gen_key(t, "email");
    d += gen_plain(t, buf);
    jputs(t, ",");
    d += gen_key(t, "registered");
    d += gen_int(t, 1400000000 + (int64_t)below(t, 400000000));
    /* tags: 0..5 short strings */
    size_t n = (size_t)below(t, 6);
    jputs(t, ",");
    d += gen_key(t, "tags") + 17 * n;
    t->values++;
    jputs(t, "[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            jputs(t, ",");
        d += gen_plain(t, words[below(t, COUNT(words))]);
    }
    jputs(t, "]");
    /* scores: 0..4 integers */
    n = (size_t)below(t, 5);
    jputs(t, ",");
    d += gen_key(t, "scores") + 17 * n;
    t->values++;
    jputs(t, "[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            jputs(t, ",");
        d += gen_int(t, (int64_t)below(t, 2001) - 1000);
    }
    jputs(t, "]");
    /* friends: 0..3 objects {"id":..,"name":..} */
    n = (size_t)below(t, 4);
    jputs(t, ",");
    d += gen_key(t, "friends") + 17 * n;
    t->values++;
    jputs(t, "[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            jputs(t, ",");
        t->values++;
        jputs(t, "{");
        d += (uint64_t)2 * 31 + gen_key(t, "id");
        d += gen_int(t, (int64_t)below(t, 1000000));
        const char *f = first_names[below(t, COUNT(first_names))];
        snprintf(buf, sizeof buf, "%s %s", f, last_names[below(t, COUNT(last_names))]);
        jputs(t, ",");
        d += gen_key(t, "name");
        d += gen_plain(t, buf);
        jputs(t, "}");
    }
    jputs(t, "]");
    jputs(t, ",");
    d += gen_key(t, "note");
    if (below(t, 3) == 0) {
        jputs(t, "null");
        t->values++;
        d += 3;
    } else {
        d += gen_note(t);
    }
    jputs(t, "}");
    return d;
}

/* {"version":3,"records":[ one record per line ],"complete":true} */
static void make_jdoc(void)
{
    jtext *t = &jdoc;
    t->rng = 0x2545f4914f6cdd1du;
    t->values = 1;
    uint64_t d = (uint64_t)3 * 31;
    jputs(t, "{");
    d += gen_key(t, "version");
    d += gen_int(t, 3);
    jputs(t, ",");
    d += gen_key(t, "records");
    t->values++;
    jputs(t, "[");
    uint64_t records = 0, sum = 0;
    while (t->len < (size_t)190 * 1024) {
        jputs(t, records ? ",\n" : "\n");
        sum += gen_record(t, 100000 + (int64_t)records * 7);
        records++;
    }
    jputs(t, "\n],");
    d += 17 * records + sum;
    d += gen_key(t, "complete") + 1;
    jputs(t, "true}\n");
    t->values++;
    jdoc_digest = d;
    /* Padding for the parser's wide loads past the final NUL. */
    static const char zeros[64];
    jput(t, zeros, sizeof zeros);
    t->len -= sizeof zeros;
}

/* --- the parser --------------------------------------------------------------------
 * A validating parser for the JSON grammar (RFC 8259) that builds cJSON's shape of
 * tree: it names what is wrong and where, unescapes strings (two passes when a string
 * has escapes: measure, then allocate exactly and decode), and converts numbers
 * (integers of up to 18 digits exactly; decimals of at most 15 digits without exponent
 * as mantissa / 10^k, which is correctly rounded because both are exact doubles; the
 * rest through strtod; setup checks all of it against strtod). Like bench_parse.c's it
 * avoids branches whose outcome depends on the data's lengths: strings are searched 16
 * bytes, then 32 a step (one step for any key, name, address or GUID here), copied
 * without a call up to 64 bytes, digits read 8 at a time. It is iterative: open
 * objects and arrays are frames on a small stack, so there is no call per value. The
 * wide loads may read up to 63 bytes past the final NUL: make_jdoc pads the buffer. */

/* jnode as the parser writes it: the same bytes, with the word that holds the type
 * (bits 0-3) and the key length (bits 4-31) as one uint32_t, which is how gcc and clang
 * lay out those two bit-fields on little-endian targets (setup checks it: jraw_check).
 * Written through bit-fields, a node cost a byte store of the type and then a
 * read-modify-write of the same word for the key length, whose load cannot be
 * forwarded from the byte store before it: perf put a third of parse_json/arena's
 * samples on the instruction after that load. Written through this view, the word is
 * computed in a register and stored once. The DOM is still jnode, read as such. */
typedef struct jnode_raw {
    struct jnode *next;
    char *key;
    union {
        int64_t i;
        double d;
        char *s;
        struct jnode *child;
    } u;
    uint32_t n;
    uint32_t type_klen;
} jnode_raw;
_Static_assert(sizeof(jnode_raw) == sizeof(jnode), "jnode_raw mirrors jnode");
_Static_assert(offsetof(jnode_raw, u) == offsetof(jnode, u) &&
                   offsetof(jnode_raw, n) == offsetof(jnode, n),
               "jnode_raw mirrors jnode");

/* Writes a whole node, field by field straight into x (a struct built first and then
 * copied went through the stack, and its 16-byte reloads of 8-byte stores cannot be
 * forwarded either). u is the union's 8 bytes (a double's bits too). */
static inline __attribute__((always_inline)) void jstore(jnode *x, char *key, uint64_t u,
                                                         uint32_t n, uint32_t type_klen)
{
    char *b = (char *)x;
    struct jnode *next = NULL;
    memcpy(b + offsetof(jnode_raw, next), &next, sizeof next);
    memcpy(b + offsetof(jnode_raw, key), &key, sizeof key);
    memcpy(b + offsetof(jnode_raw, u), &u, sizeof u);
    memcpy(b + offsetof(jnode_raw, n), &n, sizeof n);
    memcpy(b + offsetof(jnode_raw, type_klen), &type_klen, sizeof type_klen);
}

#define JMAX_DEPTH 64
/* The hot helpers are inlined into jparse: called from several places, gcc -O2
 * otherwise keeps them out of line and pays a call per string and per number. */
#define JSON_HOT static inline __attribute__((always_inline))

typedef struct jframe {
    jnode *node;  /* the open object or array */
    jnode **tail; /* where its next child is linked */
    uint32_t n;   /* children so far */
    bool object;
} jframe;

/* Strings with escapes are decoded here first when they fit (jstring). */
#define JSCRATCH 1024

typedef struct jparser {
    void *ctx;
    size_t nodes;
    jframe frames[JMAX_DEPTH];
    char scratch[JSCRATCH];
} jparser;

static _Noreturn void jparse_error(const char *what, const char *at)
{
    size_t line = 1, col = 1;
    for (const char *c = jdoc.buf; c < at; c++) {
        col++;
        if (*c == '\n') {
            line++;
            col = 1;
        }
    }
    fprintf(stderr, "bench_json: %s at %zu:%zu (offset %td) of the generated document\n", what,
            line, col, at - jdoc.buf);
    abort();
}

/* The allocator's operations as the instances pass them (peers.h): constants there, so
 * that an always-inlined body gets the op's own inline code (the arena's bump). */
typedef void *alloc_op(void *ctx, size_t n);
typedef void free_op(void *ctx, void *p, size_t n);

JSON_HOT void *jalloc(void *ctx, alloc_op *al, size_t n, const char *at)
{
    void *x = al(ctx, n);
    if (x == NULL)
        jparse_error("out of memory", at);
    return x;
}

JSON_HOT bool is_ws(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

JSON_HOT const char *skip_ws(const char *s)
{
    while (is_ws(*s))
        s++;
    return s;
}

#if defined(__SSE2__) && !defined(BENCH_PARSE_SWAR)
/* One bit per byte of s[0..16) that is '"', '\\' or a control byte (< 0x20). */
JSON_HOT uint64_t special16(const char *s)
{
    const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1f);
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i f = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)),
                             _mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl));
    return (uint64_t)(unsigned)_mm_movemask_epi8(f);
}
#endif

/* Offset of the first '"', '\\' or control byte (< 0x20, the final NUL included). */
JSON_HOT size_t scan_plain(const char *s)
{
#if defined(__SSE2__) && !defined(BENCH_PARSE_SWAR)
    /* Keys and most short values end in the first 16 bytes (a branch that follows the
     * schema, so it predicts well); the rest are searched 32 bytes a step: names,
     * e-mail addresses and GUIDs (17..36 bytes) all end in the first step, so its exit
     * predicts as well as a 64-byte step's would, at half the vector work. */
    uint64_t m = special16(s);
    if (m != 0)
        return (size_t)__builtin_ctzll(m);
    for (size_t i = 16;; i += 32) {
        m = special16(s + i) | special16(s + i + 16) << 16;
        if (m != 0)
            return i + (size_t)__builtin_ctzll(m);
    }
#else
    for (size_t i = 0;; i += 8) {
        uint64_t w = swar_load8(s + i);
        /* a byte < 0x20 has none of bits 5-7 set */
        uint64_t m = swar_zero_bytes(w ^ (SWAR_ONES * '"')) |
                     swar_zero_bytes(w ^ (SWAR_ONES * '\\')) |
                     swar_zero_bytes(w & (SWAR_ONES * 0xE0));
        if (m != 0)
            return i + ((size_t)__builtin_ctzll(m) >> 3);
    }
#endif
}

/* 0x10 | the value of each hex digit; 0 (no 0x10 bit) for every other byte. */
static const unsigned char hexdig[256] = {
    ['0'] = 0x10, ['1'] = 0x11, ['2'] = 0x12, ['3'] = 0x13, ['4'] = 0x14, ['5'] = 0x15,
    ['6'] = 0x16, ['7'] = 0x17, ['8'] = 0x18, ['9'] = 0x19, ['a'] = 0x1A, ['b'] = 0x1B,
    ['c'] = 0x1C, ['d'] = 0x1D, ['e'] = 0x1E, ['f'] = 0x1F, ['A'] = 0x1A, ['B'] = 0x1B,
    ['C'] = 0x1C, ['D'] = 0x1D, ['E'] = 0x1E, ['F'] = 0x1F};

/* The four hex digits at s as a number, or -1 (one test for the four). */
static int hex4(const char *s)
{
    unsigned a = hexdig[(unsigned char)s[0]], b = hexdig[(unsigned char)s[1]],
             c = hexdig[(unsigned char)s[2]], d = hexdig[(unsigned char)s[3]];
    if ((a & b & c & d & 0x10) == 0)
        return -1;
    return (int)((a & 15) << 12 | (b & 15) << 8 | (c & 15) << 4 | (d & 15));
}

/* Writes code point cp as UTF-8 into b; returns the byte count. */
static size_t utf8(unsigned char *b, long cp)
{
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (unsigned char)(0xC0 | cp >> 6);
        b[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | cp >> 12);
        b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    b[0] = (unsigned char)(0xF0 | cp >> 18);
    b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    b[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the escape after the backslash at *sp into out (NULL: only measure);
 * returns its byte count and moves *sp past it. */
static size_t unescape(const char **sp, char *out)
{
    /* The one-character escapes: the byte each stands for (0: not one of them). */
    static const char simple[256] = {['"'] = '"',  ['\\'] = '\\', ['/'] = '/',  ['b'] = '\b',
                                     ['f'] = '\f', ['n'] = '\n',  ['r'] = '\r', ['t'] = '\t'};
    const char *s = *sp;
    char c = simple[(unsigned char)*s];
    if (c != 0) {
        if (out != NULL)
            *out = c;
        *sp = s + 1;
        return 1;
    }
    if (*s != 'u')
        jparse_error("unknown escape in string", s - 1);
    long cp = hex4(s + 1);
    if (cp < 0)
        jparse_error("bad \\u escape (four hex digits expected)", s - 1);
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        jparse_error("unpaired low surrogate in \\u escape", s - 1);
    s += 5;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        int lo = s[0] == '\\' && s[1] == 'u' ? hex4(s + 2) : -1;
        if (lo < 0xDC00 || lo > 0xDFFF)
            jparse_error("high surrogate without a low surrogate in \\u escape", s - 6);
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        s += 6;
    }
    *sp = s;
    unsigned char b[4];
    size_t n = utf8(b, cp);
    if (out != NULL)
        memcpy(out, b, n);
    return n;
}

/* memcpy without a call for the strings of this kind of document: every length up to
 * 64 bytes is two (or four) overlapping moves of the largest width that fits, so there
 * is no loop and at most three size tests. Keys of 2 or 3 bytes ("id", "age") went to
 * the C library's memcpy before (a call and its own size dispatch for 2 bytes); now
 * only strings longer than 64 bytes do. */
JSON_HOT void copy_str(char *d, const char *s, size_t n)
{
    if (n >= 16) {
#if defined(__SSE2__) && !defined(BENCH_PARSE_SWAR)
        if (n <= 32) {
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)s);
            __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + n - 16));
            _mm_storeu_si128((__m128i *)(void *)d, a);
            _mm_storeu_si128((__m128i *)(void *)(d + n - 16), b);
            return;
        }
        if (n <= 64) {
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)s);
            __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + 16));
            __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(s + n - 32));
            __m128i e = _mm_loadu_si128((const __m128i *)(const void *)(s + n - 16));
            _mm_storeu_si128((__m128i *)(void *)d, a);
            _mm_storeu_si128((__m128i *)(void *)(d + 16), b);
            _mm_storeu_si128((__m128i *)(void *)(d + n - 32), c);
            _mm_storeu_si128((__m128i *)(void *)(d + n - 16), e);
            return;
        }
#endif
        memcpy(d, s, n);
    } else if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &b, 4);
    } else if (n != 0) { /* 1..3 bytes: first, middle, last (some the same byte) */
        char a = s[0], b = s[n / 2], c = s[n - 1];
        d[0] = a;
        d[n / 2] = b;
        d[n - 1] = c;
    }
}

/* A string with escapes, from s, the byte after its opening quote; plain = bytes
 * before the first escape. Checks it and returns its decoded length; *end gets its
 * closing quote. Out of line, as string_decode: the common string has no escapes. */
static __attribute__((noinline)) size_t string_escaped_len(const char *s, size_t plain,
                                                           const char **end)
{
    const char *e = s + plain;
    size_t n = plain;
    for (;;) {
        size_t k = scan_plain(e);
        e += k;
        n += k;
        if (*e == '"')
            break;
        if (*e != '\\')
            jparse_error(*e == '\0' ? "unterminated string" : "control character in string", e);
        e++;
        n += unescape(&e, NULL);
    }
    *end = e;
    return n;
}

/* A string with escapes, as for string_escaped_len, decoded into buf[0..cap) in the
 * same single pass that checks it (every escape error is found in the same order as
 * there). Returns the decoded length and sets *end, or returns SIZE_MAX (*end unset)
 * when the string does not fit: the caller then takes the two passes. */
static __attribute__((noinline)) size_t string_unescape_into(const char *s, size_t plain,
                                                             const char **end, char *buf,
                                                             size_t cap)
{
    if (plain > cap)
        return SIZE_MAX;
    copy_str(buf, s, plain);
    const char *e = s + plain; /* at a backslash */
    size_t n = plain;
    for (;;) {
        if (n + 4 > cap) /* an escape decodes to at most 4 bytes */
            return SIZE_MAX;
        e++;
        n += unescape(&e, buf + n);
        size_t k = scan_plain(e);
        if (n + k > cap)
            return SIZE_MAX;
        copy_str(buf + n, e, k);
        n += k;
        e += k;
        if (*e == '"')
            break;
        if (*e != '\\')
            jparse_error(*e == '\0' ? "unterminated string" : "control character in string", e);
    }
    *end = e;
    return n;
}

/* Decodes the checked string [s, e) (e its closing quote) into b, NUL-terminated. */
static __attribute__((noinline)) void string_decode(const char *s, const char *e, char *b)
{
    char *o = b;
    for (const char *c = s;;) {   /* plain runs in one copy each, then one escape */
        size_t k = scan_plain(c); /* stops at a backslash or at the closing quote, e */
        memcpy(o, c, k);
        o += k;
        c += k;
        if (c == e)
            break;
        c++;
        o += unescape(&c, o);
    }
    *o = '\0';
}

/* The string whose opening quote is just before s: *out gets a copy, *len its length;
 * returns the byte after the closing quote. (The cursor goes by value, not by address:
 * a cursor whose address reaches an out-of-line function has to live in memory, and
 * every step of the parser would store and reload it.) */
JSON_HOT const char *jstring(void *ctx, alloc_op *al, char *scratch, const char *s, char **out,
                             uint32_t *len)
{
    size_t n = scan_plain(s);
    if (__builtin_expect(s[n] != '"', 0)) {
        if (s[n] != '\\')
            jparse_error(s[n] == '\0' ? "unterminated string" : "control character in string",
                         s + n);
        /* Decoded into the scratch buffer while checked, then copied into an exact-size
         * block; a string too long for the buffer takes two passes instead: measure and
         * check, then allocate exactly and decode. Either way the block is allocated
         * once the decoded length is known. */
        const char *e;
        size_t m = string_unescape_into(s, n, &e, scratch, JSCRATCH);
        char *b;
        if (__builtin_expect(m != SIZE_MAX, 1)) {
            n = m;
            b = jalloc(ctx, al, n + 1, s);
            copy_str(b, scratch, n);
            b[n] = '\0';
        } else {
            n = string_escaped_len(s, n, &e);
            b = jalloc(ctx, al, n + 1, s);
            string_decode(s, e, b);
        }
        *out = b;
        *len = (uint32_t)n;
        return e + 1;
    }
    char *b = jalloc(ctx, al, n + 1, s);
    copy_str(b, s, n);
    b[n] = '\0';
    *out = b;
    *len = (uint32_t)n;
    return s + n + 1;
}

static const uint64_t pow10_u64[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

/* Appends the digits at *sp to *m (wrapping past 19 digits: the caller then uses
 * strtod), moves *sp past them, returns how many there were. */
JSON_HOT unsigned digit_run(const char **sp, uint64_t *m)
{
    const char *s = *sp;
    uint64_t v = *m;
    unsigned total = 0;
    for (;;) {
        uint64_t w = swar_load8(s), nd = swar_nondigits(w);
        unsigned k = nd != 0 ? (unsigned)__builtin_ctzll(nd) >> 3 : 8;
        if (k != 0)
            v = v * pow10_u64[k] + swar_digits(w, k);
        s += k;
        total += k;
        if (k < 8)
            break;
    }
    *sp = s;
    *m = v;
    return total;
}

static const double pow10_exact[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* A number at s (RFC 8259 grammar) into x; returns the byte after it. */
JSON_HOT const char *jnumber(const char *s, jnode *x)
{
    const char *b = s;
    bool neg = *s == '-';
    s += neg;
    uint64_t m = 0;
    unsigned nd = digit_run(&s, &m), frac = 0;
    if (nd == 0)
        jparse_error("expected a digit", s);
    if (nd > 1 && s[-(long)nd] == '0')
        jparse_error("leading zero in number", s - nd);
    if (*s == '.') {
        s++;
        frac = digit_run(&s, &m);
        if (frac == 0)
            jparse_error("expected a digit after '.'", s);
        nd += frac;
    }
    bool expo = *s == 'e' || *s == 'E';
    if (!expo && frac == 0 && nd <= 18) {
        x->type = J_INT;
        x->u.i = neg ? -(int64_t)m : (int64_t)m;
        return s;
    }
    x->type = J_REAL;
    if (!expo && nd <= 15) {
        double d = (double)m / pow10_exact[frac];
        x->u.d = neg ? -d : d;
        return s;
    }
    char *end;
    x->u.d = strtod(b, &end);
    if (expo && end <= s) /* strtod stopped before the 'e': no valid exponent */
        jparse_error("expected a digit in the exponent", s + 1);
    return end;
}

/* Parses the document text (NUL-terminated, padded) into a tree.
 *
 * A state machine (hence its length and its gotos): `value` parses one value into x,
 * `child` starts the next member or element of the innermost open container, `done`
 * follows a finished value (a ',' or the container's end). Allocation order is that
 * of cJSON's recursive descent: a member's node, its key, then its value's blocks. */
JSON_HOT jnode *jparse_body(jparser *p, alloc_op *al, const char *text, size_t len)
{
    void *const ctx = p->ctx;
    char *const scratch = p->scratch;
    if (len >= (size_t)1 << 28)
        jparse_error("document larger than 256 MiB (lengths are 28-bit)", text);
    const char *s = skip_ws(text);
    jframe *f = NULL; /* innermost open container, NULL at top level */
    jnode *root = jalloc(ctx, al, sizeof *root, s), *x = root;
    size_t nodes = 1; /* a local: p->nodes would be reloaded after every allocation call */
    char *key = NULL; /* x's member name and its length (NULL, 0 in arrays and the root) */
    uint32_t klen = 0;
/* x's fields are written in one go once its value is known: no zeroing first, and no
 * read-modify-write of the word the type and key length share (jnode_raw). */
#define JSET(type, u, n) jstore(x, key, (u), (n), (uint32_t)(type) | (klen & 0xFFFFFFFu) << 4)
value:
    switch (*s) {
    case '{':
    case '[':
        if (f == p->frames + JMAX_DEPTH - 1)
            jparse_error("nested more than 64 deep", s);
        f = f == NULL ? p->frames : f + 1;
        *f = (jframe){.node = x, .tail = &x->u.child, .n = 0, .object = *s == '{'};
        JSET(f->object ? J_OBJ : J_ARR, 0, 0);
        s = skip_ws(s + 1);
        if (*s != (f->object ? '}' : ']'))
            goto child;
        goto close;
    case '"': {
        char *str;
        uint32_t n;
        s = jstring(ctx, al, scratch, s + 1, &str, &n);
        JSET(J_STR, (uint64_t)(uintptr_t)str, n);
        goto done;
    }
    case 't':
        if (memcmp(s, "true", 4) != 0)
            break;
        JSET(J_TRUE, 0, 0);
        s += 4;
        goto done;
    case 'f':
        if (memcmp(s, "false", 5) != 0)
            break;
        JSET(J_FALSE, 0, 0);
        s += 5;
        goto done;
    case 'n':
        if (memcmp(s, "null", 4) != 0)
            break;
        JSET(J_NULL, 0, 0);
        s += 4;
        goto done;
    default:
        if (*s == '-' || (*s >= '0' && *s <= '9')) {
            jnode num;
            s = jnumber(s, &num);
            JSET(num.type, (uint64_t)num.u.i, 0); /* the union's bytes, a double's too */
            goto done;
        }
        break;
    }
    jparse_error(*s == '\0' ? "unexpected end of document" : "expected a value", s);
child:
    x = jalloc(ctx, al, sizeof *x, s);
    nodes++;
    *f->tail = x;
    f->tail = &x->next;
    f->n++;
    if (f->object) {
        if (*s != '"')
            jparse_error("expected a member name (a string)", s);
        s = jstring(ctx, al, scratch, s + 1, &key, &klen); /* klen < 2^28: the document is shorter */
        if (*s != ':') {
            s = skip_ws(s);
            if (*s != ':')
                jparse_error("expected ':' after the member name", s);
        }
        s++;
        if (is_ws(*s))
            s = skip_ws(s);
    } else {
        key = NULL;
        klen = 0;
    }
    goto value;
done:
    if (f == NULL)
        goto end;
    if (is_ws(*s))
        s = skip_ws(s);
    if (*s == ',') {
        s++;
        if (is_ws(*s))
            s = skip_ws(s);
        goto child;
    }
    if (*s != (f->object ? '}' : ']'))
        jparse_error(f->object ? "expected ',' or '}'" : "expected ',' or ']'", s);
close:
    s++;
    f->node->n = f->n;
    f = f == p->frames ? NULL : f - 1;
    goto done;
end:
    s = skip_ws(s);
    if (*s != '\0')
        jparse_error("text after the document's value", s);
    p->nodes = nodes;
    return root;
#undef JSET
}

/* Frees x's tree block by block (sized frees where the library takes them); self is
 * the instance's own function, for the recursion. */
JSON_HOT void jrelease_body(void *ctx, jnode *x, free_op *fr, void (*self)(void *, jnode *))
{
    if (x->type == J_OBJ || x->type == J_ARR) {
        for (jnode *c = x->u.child, *next; c != NULL; c = next) {
            next = c->next;
            self(ctx, c);
        }
    } else if (x->type == J_STR) {
        fr(ctx, x->u.s, (size_t)x->n + 1);
    }
    if (x->key != NULL)
        fr(ctx, x->key, (size_t)x->klen + 1);
    fr(ctx, x, sizeof *x);
}

/* The generator's digest, computed from the DOM (see gen_* above). */
static uint64_t jdigest(const jnode *x)
{
    uint64_t d = x->key ? dig_key(x->klen, (unsigned char)x->key[0]) : 0;
    switch (x->type) {
    case J_NULL:
        return d + 3;
    case J_FALSE:
        return d + 2;
    case J_TRUE:
        return d + 1;
    case J_INT:
        return d + (uint64_t)x->u.i;
    case J_REAL: /* hundredths, rounded */
        return d + (uint64_t)(int64_t)(x->u.d * 100 + (x->u.d < 0 ? -0.5 : 0.5));
    case J_STR:
        return d + dig_str(x->n, x->n ? (unsigned char)x->u.s[x->n - 1] : 0);
    default:
        break;
    }
    d += (uint64_t)x->n * (x->type == J_OBJ ? 31 : 17);
    for (const jnode *c = x->u.child; c != NULL; c = c->next)
        d += jdigest(c);
    return d;
}

typedef jnode *jparse_fn(jparser *p, const char *text, size_t len);
typedef void jrelease_fn(void *ctx, jnode *x);

JSON_HOT void bm_parse_json_body(bench_state *st, const peer *pk, jparse_fn *jparse,
                                 jrelease_fn *jrelease)
{
    void *ctx = pk->make ? pk->make() : NULL;
    jparser p = {.ctx = ctx};
    uint64_t got = 0;
    bool checked = false;
    while (bench_keep_running(st)) {
        jnode *root = jparse(&p, jdoc.buf, jdoc.len);
        BENCH_DO_NOT_OPTIMIZE(root);
        if (!checked) {
            got = jdigest(root);
            checked = true;
        }
        if (pk->free)
            jrelease(ctx, root);
        if (pk->reset)
            pk->reset(ctx);
    }
    bench_set_items(st, bench_state_iterations(st) * (int64_t)jdoc.values);
    bench_counter(st, "nodes", (double)jdoc.values, BENCH_COUNTER_DEFAULT);
    if (pk->destroy)
        pk->destroy(ctx);
    if (p.nodes != jdoc.values || got != jdoc_digest)
        bench_skip(st, "the parsed tree differs from the generator's");
}

/* One instance per variant: jparse_NAME, jrelease_NAME and the benchmark
 * bm_parse_json_NAME, the same source with NAME's operations inlined. noinline keeps
 * each instance a function of its own name in profiles. */
#define JPARSE_INSTANCE(name, al, fr)                                                              \
    static __attribute__((noinline)) jnode *jparse_##name(jparser *p, const char *text,            \
                                                          size_t len)                              \
    {                                                                                              \
        return jparse_body(p, al, text, len);                                                      \
    }                                                                                              \
    static __attribute__((noinline)) void jrelease_##name(void *ctx, jnode *x)                     \
    {                                                                                              \
        jrelease_body(ctx, x, fr, jrelease_##name);                                                \
    }
#define JPARSE_BENCH(name, al, fr)                                                                 \
    JPARSE_INSTANCE(name, al, fr)                                                                  \
    static void bm_parse_json_##name(bench_state *st, void *arg)                                   \
    {                                                                                              \
        bm_parse_json_body(st, arg, jparse_##name, jrelease_##name);                               \
    }
BENCH_PEER_LIST(JPARSE_BENCH)
/* The recorder of the allocation trace (setup only). */
JPARSE_INSTANCE(record, bench_trace_alloc, bench_trace_free)
#undef JPARSE_BENCH
#undef JPARSE_INSTANCE

#define PEER_NAME(name, al, fr) #name,
#define PEER_BM(name, al, fr) bm_parse_json_##name,
static const char *const jparse_names[] = {BENCH_PEER_LIST(PEER_NAME)};
static const bench_fn jparse_fns[] = {BENCH_PEER_LIST(PEER_BM)};
#undef PEER_NAME
#undef PEER_BM

/* --- the same allocations without the parsing --------------------------------------
 * "replay_json": the parse's allocation sizes, recorded once and replayed by
 * bench_replay (peers.c), as for bench_parse.c's replay rows. */

static alloc_trace jtrace;

static void bm_replay_json(bench_state *st, void *arg)
{
    bench_replay(st, arg, &jtrace, (int64_t)jdoc.values);
}

/* --- the number fast paths against strtod ------------------------------------------
 * jnumber converts integers of up to 18 digits and decimals of up to 15 digits without
 * an exponent itself (Clinger's fast path: mantissa and 10^k are exact doubles, so one
 * correctly rounded division gives the correctly rounded value); the rest go through
 * strtod. Setup checks it bit for bit against strtod (integers against strtoll): every
 * number of the document, a list of edge cases and random decimals of every length the
 * fast path takes, so a wrong shortcut stops the bench before anything is measured. */

/* One number text (NUL-terminated, in a buffer padded for jnumber's 8-byte loads). */
static void check_number(const char *text)
{
    jnode v = {0};
    const char *end = jnumber(text, &v);
    char *want_end;
    bool ok;
    if (v.type == J_INT) {
        errno = 0;
        long long want = strtoll(text, &want_end, 10);
        ok = errno == 0 && want == v.u.i;
    } else {
        double want = strtod(text, &want_end);
        ok = v.type == J_REAL && memcmp(&want, &v.u.d, sizeof want) == 0;
    }
    if (!ok || end != want_end) {
        fprintf(stderr,
                "bench_json: jnumber(\"%s\") differs from the C library's conversion "
                "(type %u, %.17g / %lld, %td bytes read): a bug in this file\n",
                text, (unsigned)v.type, v.u.d, (long long)v.u.i, end - text);
        abort();
    }
}

static void check_number_n(const char *s, size_t n)
{
    char buf[96] = {0}; /* zeros after the text: jnumber reads up to 8 bytes ahead */
    if (n > 64) {
        fprintf(stderr, "bench_json: a %zu-byte number in the document\n", n);
        abort();
    }
    memcpy(buf, s, n);
    check_number(buf);
}

static void check_numbers(void)
{
    static const char *const edge[] = {"0",
                                       "-0",
                                       "0.0",
                                       "-0.0",
                                       "7",
                                       "0.1",
                                       "0.2",
                                       "0.3",
                                       "-0.5",
                                       "2.675",
                                       "1.005",
                                       "0.125",
                                       "3.14159265358979",
                                       "123456789012345",
                                       "1234567890.12345",
                                       "99999999999999.9",
                                       "0.00000000000001",
                                       "-0.00000000000009",
                                       "999999999999999",
                                       "1000000000000000",
                                       "123456789012345678",
                                       "-123456789012345678",
                                       "9007199254740993",
                                       "9007199254740993.0",
                                       "0.000000000000001",
                                       "999999999999999.9",
                                       "0.30000000000000004",
                                       "1234567890123456789",
                                       "-9223372036854775808",
                                       "18446744073709551616",
                                       "12345678901234567890123",
                                       "1e5",
                                       "1E-5",
                                       "-2.5e+10",
                                       "1.5e300",
                                       "2.2250738585072014e-308",
                                       "4.9e-324",
                                       "1.7976931348623157e308",
                                       "1e400",
                                       "0e0",
                                       "-0.0e-0",
                                       "123.456e-7",
                                       "5e-1"};
    for (size_t i = 0; i < COUNT(edge); i++)
        check_number_n(edge[i], strlen(edge[i]));
    /* Random decimals: 1..15 digits in all, 0..14 of them after the point (the fast
     * path's whole domain, cut in every place), and 16..17-digit ones (strtod's). */
    jtext r = {.rng = 0x9e3779b97f4a7c15u};
    char num[48];
    for (int i = 0; i < 20000; i++) {
        unsigned digits = 1 + (unsigned)below(&r, 17), frac = (unsigned)below(&r, digits);
        size_t k = 0;
        if (below(&r, 2))
            num[k++] = '-';
        for (unsigned d = 0; d < digits; d++) {
            if (d == digits - frac)
                num[k++] = '.';
            /* no leading zero before more integer digits */
            bool lead = d == 0 && digits - frac > 1;
            num[k++] = (char)((lead ? '1' : '0') + below(&r, lead ? 9 : 10));
        }
        if (frac != 0 && digits == frac) { /* ".5" is not JSON: "0.5" */
            memmove(num + k - digits + 1, num + k - digits, digits);
            num[k - digits] = '0';
            k++;
        }
        check_number_n(num, k);
    }
    /* Every number of the document (outside its strings). */
    size_t count = 0;
    for (const char *s = jdoc.buf; *s != '\0';) {
        if (*s == '"') {
            for (s++; *s != '"'; s++)
                s += *s == '\\';
            s++;
        } else if (*s == '-' || (*s >= '0' && *s <= '9')) {
            const char *e = s + 1;
            while ((*e >= '0' && *e <= '9') || *e == '.' || *e == 'e' || *e == 'E' || *e == '+' ||
                   *e == '-')
                e++;
            check_number_n(s, (size_t)(e - s));
            count++;
            s = e;
        } else {
            s++;
        }
    }
    if (count == 0) {
        fprintf(stderr, "bench_json: no numbers found in the document\n");
        abort();
    }
}

/* BENCH_JSON_DUMP=FILE writes the document, to check it with a JSON parser nobody here
 * wrote (README: python3 -m json.tool). */
static void dump_jdoc(void)
{
    const char *path = getenv("BENCH_JSON_DUMP");
    if (path == NULL)
        return;
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(jdoc.buf, 1, jdoc.len, f) != jdoc.len || fclose(f) != 0) {
        fprintf(stderr, "bench_json: cannot write %s\n", path);
        abort();
    }
}

/* The bit-field layout jnode_raw assumes: a node written through it reads back. */
static void jraw_check(void)
{
    jnode x;
    jstore(&x, NULL, 0, 7, J_OBJ | 0xABCDEFu << 4);
    if (x.type != J_OBJ || x.klen != 0xABCDEFu || x.n != 7) {
        fprintf(stderr, "bench_json: this compiler lays out jnode's bit-fields differently "
                        "from jnode_raw (type in bits 0-3, klen in 4-31 of one word)\n");
        abort();
    }
}

static void setup_json(void)
{
    jraw_check();
    make_jdoc();
    dump_jdoc();
    check_numbers();
    /* Checked once with the C library's malloc before any variant runs. */
    bench_check_peer_names(jparse_names, sizeof jparse_names / sizeof jparse_names[0]);
    jparser p = {.ctx = NULL};
    jnode *root = jparse_glibc(&p, jdoc.buf, jdoc.len);
    uint64_t d = jdigest(root);
    jrelease_glibc(NULL, root);
    if (p.nodes != jdoc.values || d != jdoc_digest) {
        fprintf(stderr,
                "bench_json: the parser read %zu values (digest %llu), the generator wrote "
                "%zu (digest %llu): a bug in this file\n",
                p.nodes, (unsigned long long)d, jdoc.values, (unsigned long long)jdoc_digest);
        abort();
    }
    jparser r = {.ctx = &jtrace};
    jrelease_record(&jtrace, jparse_record(&r, jdoc.buf, jdoc.len));
    char name[64];
    for (size_t i = 0; i < bench_npeers; i++) {
        snprintf(name, sizeof name, "parse_json/%s", bench_peers[i].name);
        bench_min_time(bench_register(name, jparse_fns[i], (void *)&bench_peers[i]), 0.5);
    }
    for (size_t i = 0; i < bench_npeers; i++) {
        snprintf(name, sizeof name, "replay_json/%s", bench_peers[i].name);
        bench_min_time(bench_register(name, bm_replay_json, (void *)&bench_peers[i]), 0.3);
    }
}
BENCH_SETUP(setup_json)
