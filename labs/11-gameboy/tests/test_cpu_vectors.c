/* test_cpu_vectors.c — the SM83 against the SingleStepTests single-instruction vectors.
 *
 * Each vector gives registers and RAM before and after one instruction and the bus
 * activity of every M-cycle. The bus here is the vectors' model: flat 64 KiB RAM, no
 * I/O, no interrupt requests; it records each call, and an idle cycle shows the last
 * address and data still on the bus (as in the vectors). All 500 files are checked,
 * 100 tests each; the folder is $GB_SM83_DIR, else the repository's shared testdata.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zlib.h>

#include "common/test.h"
#include "gb.h"

#ifndef GB_SM83_DIR
#define GB_SM83_DIR "../shared/testdata/sm83"
#endif

enum { MAX_CYCLES = 8 };

typedef struct rec {
    uint16_t addr;
    uint8_t data;
    char kind; /* 'r' 'w' '-' */
} rec;

typedef struct flatbus {
    uint8_t mem[0x10000];
    rec cyc[MAX_CYCLES];
    unsigned n;
    uint16_t last_addr;
    uint8_t last_data;
} flatbus;

static void log_cycle(flatbus *fb, uint16_t addr, uint8_t data, char kind)
{
    if (fb->n < MAX_CYCLES)
        fb->cyc[fb->n] = (rec){addr, data, kind};
    fb->n++;
    fb->last_addr = addr;
    fb->last_data = data;
}

static uint8_t fb_read(void *ctx, uint16_t addr)
{
    flatbus *fb = ctx;
    log_cycle(fb, addr, fb->mem[addr], 'r');
    return fb->mem[addr];
}

static void fb_write(void *ctx, uint16_t addr, uint8_t v)
{
    flatbus *fb = ctx;
    fb->mem[addr] = v;
    log_cycle(fb, addr, v, 'w');
}

static void fb_idle(void *ctx)
{
    flatbus *fb = ctx;
    log_cycle(fb, fb->last_addr, fb->last_data, '-');
}

static uint8_t fb_pending(void *ctx)
{
    (void)ctx;
    return 0;
}

static void fb_ack(void *ctx, uint8_t mask)
{
    (void)ctx;
    (void)mask;
}

static const char *vectors_dir(void)
{
    const char *d = getenv("GB_SM83_DIR");
    return d && *d ? d : GB_SM83_DIR;
}

/* Reads a whole gzip file into a NUL-ended heap buffer. */
static char *gunzip_file(const char *path, size_t *len)
{
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return NULL;
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (cap - n < 65536) {
            cap *= 2;
            char *bigger = buf ? realloc(buf, cap) : NULL;
            if (!bigger)
                free(buf);
            buf = bigger;
        }
        if (!buf) {
            gzclose(gz);
            return NULL;
        }
        int got = gzread(gz, buf + n, (unsigned)(cap - n - 1));
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    gzclose(gz);
    buf[n] = 0;
    *len = n;
    return buf;
}

static unsigned jint(json_t *obj, const char *key)
{
    return (unsigned)json_integer_value(json_object_get(obj, key));
}

static void load_state(gb_cpu *cpu, flatbus *fb, json_t *st)
{
    memset(cpu, 0, sizeof *cpu);
    cpu->a = (uint8_t)jint(st, "a");
    cpu->f = (uint8_t)jint(st, "f");
    cpu->b = (uint8_t)jint(st, "b");
    cpu->c = (uint8_t)jint(st, "c");
    cpu->d = (uint8_t)jint(st, "d");
    cpu->e = (uint8_t)jint(st, "e");
    cpu->h = (uint8_t)jint(st, "h");
    cpu->l = (uint8_t)jint(st, "l");
    cpu->pc = (uint16_t)jint(st, "pc");
    cpu->sp = (uint16_t)jint(st, "sp");
    cpu->ime = jint(st, "ime") != 0;
    size_t i;
    json_t *cell;
    json_array_foreach(json_object_get(st, "ram"), i, cell)
    {
        unsigned addr = (unsigned)json_integer_value(json_array_get(cell, 0));
        fb->mem[addr & 0xFFFF] = (uint8_t)json_integer_value(json_array_get(cell, 1));
    }
}

/* Compares one register; on a mismatch writes a line into msg and returns false. */
static bool same(const char *name, unsigned got, unsigned want, char *msg, size_t cap)
{
    if (got == want)
        return true;
    snprintf(msg, cap, "%s = %u (0x%X), want %u (0x%X)", name, got, got, want, want);
    return false;
}

/* Runs one vector; returns true on a match, else describes the first difference. */
static bool run_vector(json_t *t, flatbus *fb, char *msg, size_t cap)
{
    gb_cpu cpu;
    json_t *fin = json_object_get(t, "final"), *cycles = json_object_get(t, "cycles");
    memset(fb->mem, 0, sizeof fb->mem);
    load_state(&cpu, fb, json_object_get(t, "initial"));
    fb->n = 0;
    fb->last_addr = cpu.pc;
    fb->last_data = 0;
    gb_bus bus = {fb, fb_read, fb_write, fb_idle, fb_pending, fb_ack};
    unsigned spent = gb_cpu_step(&cpu, &bus);
    /* HALT and STOP: the vectors show the opcode fetch followed by halted M-cycles
     * until the recorder stopped; a halted CPU must spend exactly one idle cycle per
     * step, so step until the vector's count and check each is idle. */
    while ((cpu.halted || cpu.stopped) && fb->n < json_array_size(cycles))
        spent += gb_cpu_step(&cpu, &bus);
    if (!same("M-cycles returned", spent, fb->n, msg, cap))
        return false;
    if (!same("M-cycle count", fb->n, (unsigned)json_array_size(cycles), msg, cap))
        return false;
    struct {
        const char *n;
        unsigned got;
    } regs[] = {
        {"a", cpu.a}, {"f", cpu.f}, {"b", cpu.b},   {"c", cpu.c},   {"d", cpu.d},     {"e", cpu.e},
        {"h", cpu.h}, {"l", cpu.l}, {"pc", cpu.pc}, {"sp", cpu.sp}, {"ime", cpu.ime},
    };
    for (size_t i = 0; i < CMN_ARRAY_LEN(regs); i++)
        if (!same(regs[i].n, regs[i].got, jint(fin, regs[i].n), msg, cap))
            return false;
    if (!same("ei pending", cpu.ei_pending, jint(fin, "ei"), msg, cap))
        return false;
    size_t i;
    json_t *cell;
    json_array_foreach(json_object_get(fin, "ram"), i, cell)
    {
        unsigned addr = (unsigned)json_integer_value(json_array_get(cell, 0));
        char what[32];
        snprintf(what, sizeof what, "ram[0x%04X]", addr);
        if (!same(what, fb->mem[addr & 0xFFFF],
                  (unsigned)json_integer_value(json_array_get(cell, 1)), msg, cap))
            return false;
    }
    json_array_foreach(cycles, i, cell)
    {
        const char *pins = json_string_value(json_array_get(cell, 2));
        char kind = pins[0] == 'r' ? 'r' : pins[1] == 'w' ? 'w' : '-';
        rec want = {(uint16_t)json_integer_value(json_array_get(cell, 0)),
                    (uint8_t)json_integer_value(json_array_get(cell, 1)), kind};
        rec got = fb->cyc[i];
        if (got.kind != want.kind || got.addr != want.addr || got.data != want.data) {
            snprintf(msg, cap, "M-cycle %zu: got %c %04X %02X, want %c %04X %02X", i + 1, got.kind,
                     got.addr, got.data, want.kind, want.addr, want.data);
            return false;
        }
    }
    return true;
}

/* Runs every vector file whose opcode is in [lo, hi]; cb selects the CB page. */
typedef struct range {
    bool cb;
    unsigned lo, hi;
} range;

static void run_range(void **state)
{
    const range *r = *state;
    const char *dir = vectors_dir();
    char path[4096];
    snprintf(path, sizeof path, "%s/00.json.gz", dir);
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        print_message("SM83 vectors not found at %s (set GB_SM83_DIR)\n", dir);
        skip();
    }
    fclose(probe);
    flatbus *fb = malloc(sizeof *fb);
    unsigned files = 0, tests = 0, failures = 0;
    for (unsigned op = r->lo; op <= r->hi; op++) {
        snprintf(path, sizeof path, r->cb ? "%s/cb %02x.json.gz" : "%s/%02x.json.gz", dir, op);
        size_t len;
        char *text = gunzip_file(path, &len);
        if (!text)
            continue; /* the 11 unused opcodes have no file */
        json_error_t jerr;
        json_t *arr = json_loadb(text, len, 0, &jerr);
        free(text);
        assert_non_null(arr);
        files++;
        size_t i;
        json_t *t;
        json_array_foreach(arr, i, t)
        {
            char msg[160];
            tests++;
            if (!run_vector(t, fb, msg, sizeof msg)) {
                if (++failures <= 20)
                    print_message("%s: %s\n", json_string_value(json_object_get(t, "name")), msg);
            }
        }
        json_decref(arr);
    }
    free(fb);
    print_message("%s%02X-%02X: %u files, %u tests, %u failed\n", r->cb ? "CB " : "", r->lo, r->hi,
                  files, tests, failures);
    assert_int_equal(failures, 0);
    /* 244 unprefixed opcode files, 256 CB ones: a missing file is a failure too. */
    unsigned want = 0;
    for (unsigned op = r->lo; op <= r->hi; op++) {
        static const uint8_t unused[] = {0xD3, 0xDB, 0xDD, 0xE3, 0xE4, 0xEB,
                                         0xEC, 0xED, 0xF4, 0xFC, 0xFD, 0xCB};
        bool skip_op = false;
        for (size_t k = 0; !r->cb && k < sizeof unused; k++)
            skip_op |= unused[k] == op;
        want += !skip_op;
    }
    assert_int_equal(files, want);
    assert_int_equal(tests, files * 100);
}

static range ranges[] = {
    {false, 0x00, 0x3F}, {false, 0x40, 0x7F}, {false, 0x80, 0xBF}, {false, 0xC0, 0xFF},
    {true, 0x00, 0x3F},  {true, 0x40, 0x7F},  {true, 0x80, 0xBF},  {true, 0xC0, 0xFF},
};

static const struct CMUnitTest tests[] = {
    {"opcodes_00_3f", run_range, NULL, NULL, &ranges[0]},
    {"opcodes_40_7f", run_range, NULL, NULL, &ranges[1]},
    {"opcodes_80_bf", run_range, NULL, NULL, &ranges[2]},
    {"opcodes_c0_ff", run_range, NULL, NULL, &ranges[3]},
    {"cb_00_3f_shifts", run_range, NULL, NULL, &ranges[4]},
    {"cb_40_7f_bit", run_range, NULL, NULL, &ranges[5]},
    {"cb_80_bf_res", run_range, NULL, NULL, &ranges[6]},
    {"cb_c0_ff_set", run_range, NULL, NULL, &ranges[7]},
};

CMN_TEST_MAIN(tests)
