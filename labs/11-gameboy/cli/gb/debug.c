/* debug.c — `gb debug`: a line-oriented debugger, or a trace log with --trace.
 *
 * Commands (one per line on stdin): s [N] step, c continue to a breakpoint (or N
 * frames' worth of cycles), b ADDR / d ADDR set / delete a breakpoint, r registers,
 * x ADDR [N] memory, u [ADDR] [N] disassembly, q quit. Addresses are hex.
 * --trace FILE writes one Gameboy Doctor line per instruction for --steps N
 * instructions and exits; --doctor makes LY read $90 as Gameboy Doctor's logs assume.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gb_host.h"
#include "gbcli.h"

enum { MAX_BREAKS = 16 };

typedef struct dbg {
    gb *g;
    uint16_t breaks[MAX_BREAKS];
    unsigned nbreaks;
} dbg;

static void show_regs(const gb *g)
{
    char line[128];
    gbh_trace_line(g, line, sizeof line);
    printf("%s IME:%d%s LY:%u cycles:%llu\n", line, g->cpu.ime, g->cpu.halted ? " HALT" : "",
           g->ppu.ly, (unsigned long long)g->cpu.mcycles);
}

static uint16_t disasm_at(const gb *g, uint16_t pc)
{
    uint8_t b[3] = {gb_peek(g, pc), gb_peek(g, (uint16_t)(pc + 1)), gb_peek(g, (uint16_t)(pc + 2))};
    char text[48];
    unsigned n = gbh_disasm(b, text, sizeof text);
    printf("%04X  ", pc);
    for (unsigned i = 0; i < 3; i++)
        printf(i < n ? "%02X " : "   ", b[i]);
    printf(" %s\n", text);
    return (uint16_t)(pc + n);
}

static bool at_break(const dbg *d)
{
    for (unsigned i = 0; i < d->nbreaks; i++)
        if (d->breaks[i] == d->g->cpu.pc)
            return true;
    return false;
}

/* Parses a hex number; false (with a message) if the text is not one. */
static bool hex(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    if (!s)
        return false;
    unsigned long v = strtoul(s, &end, 16);
    if (end == s || *end || v > max) {
        printf("not a hex number up to %lX: '%s'\n", max, s);
        return false;
    }
    *out = v;
    return true;
}

static void cmd(dbg *d, char *line, bool *quit)
{
    char *verb = strtok(line, " \t\n"), *a1 = strtok(NULL, " \t\n"), *a2 = strtok(NULL, " \t\n");
    unsigned long v = 0, n = 1;
    gb *g = d->g;
    if (!verb)
        return;
    switch (verb[0]) {
    case 's':
        if (a1 && !hex(a1, 0xFFFFFF, &n))
            return;
        while (n--)
            gb_step(g);
        disasm_at(g, g->cpu.pc);
        return;
    case 'c': {
        uint64_t limit = g->cpu.mcycles + (uint64_t)GB_MCYCLES_PER_SECOND * 60;
        do
            gb_step(g);
        while (!at_break(d) && g->cpu.mcycles < limit);
        printf(at_break(d) ? "breakpoint\n" : "stopped after 60 emulated seconds\n");
        disasm_at(g, g->cpu.pc);
        return;
    }
    case 'b':
        if (!hex(a1, 0xFFFF, &v))
            return;
        if (d->nbreaks == MAX_BREAKS) {
            printf("at most %d breakpoints\n", MAX_BREAKS);
            return;
        }
        d->breaks[d->nbreaks++] = (uint16_t)v;
        printf("breakpoint at %04lX\n", v);
        return;
    case 'd':
        if (!hex(a1, 0xFFFF, &v))
            return;
        for (unsigned i = 0; i < d->nbreaks; i++)
            if (d->breaks[i] == v)
                d->breaks[i--] = d->breaks[--d->nbreaks];
        return;
    case 'r':
        show_regs(g);
        return;
    case 'x':
        if (!hex(a1, 0xFFFF, &v) || (a2 && !hex(a2, 0x10000, &n)))
            return;
        if (!a2)
            n = 16;
        for (unsigned long i = 0; i < n; i++) {
            if (i % 16 == 0)
                printf("%s%04lX:", i ? "\n" : "", (v + i) & 0xFFFF);
            printf(" %02X", gb_peek(g, (uint16_t)(v + i)));
        }
        printf("\n");
        return;
    case 'u': {
        unsigned long at = g->cpu.pc;
        if ((a1 && !hex(a1, 0xFFFF, &at)) || (a2 && !hex(a2, 1000, &n)))
            return;
        if (!a2)
            n = 8;
        for (uint16_t pc = (uint16_t)at; n--;)
            pc = disasm_at(g, pc);
        return;
    }
    case 'q':
        *quit = true;
        return;
    default:
        printf("commands: s [N], c, b ADDR, d ADDR, r, x ADDR [N], u [ADDR] [N], q\n");
    }
}

static int trace(gb *g, const char *path, unsigned long steps)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    if (!f) {
        perror(path);
        return 1;
    }
    char line[128];
    for (unsigned long i = 0; i < steps; i++) {
        gbh_trace_line(g, line, sizeof line);
        fprintf(f, "%s\n", line);
        gb_step(g);
    }
    if (f != stdout && fclose(f)) {
        perror(path);
        return 1;
    }
    return 0;
}

/* The interactive loop: a prompt, one command per line, until q or end of input. */
static int repl(dbg *d)
{
    char line[256];
    bool quit = false;
    disasm_at(d->g, d->g->cpu.pc);
    while (!quit) {
        printf("(gb) ");
        fflush(stdout);
        if (!fgets(line, sizeof line, stdin))
            break;
        cmd(d, line, &quit);
    }
    return 0;
}

int gbcli_debug(int argc, char **argv)
{
    const char *path = NULL, *trace_path = NULL;
    double steps = 100000;
    bool doctor = false;
    for (int i = 0; i < argc; i++) {
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--trace") && next) {
            trace_path = argv[++i];
        } else if (!strcmp(argv[i], "--doctor")) {
            doctor = true;
        } else if (!strcmp(argv[i], "--steps")) {
            if (!gbcli_number("--steps", next, 1, 1e12, &steps))
                return 2;
            i++;
        } else if (argv[i][0] != '-' && !path) {
            path = argv[i];
        } else {
            fprintf(stderr, "gb debug: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!path) {
        fputs("usage: gb debug ROM [--trace OUT.log|-] [--steps N] [--doctor]\n", stderr);
        return 2;
    }
    uint8_t *rom;
    size_t size;
    gb_cart_info info;
    int rc = gbcli_load(path, &rom, &size, &info);
    if (rc)
        return rc;
    size_t ram_size = info.ram_size > 0x2000 ? info.ram_size : 0x2000;
    if (info.mbc == GB_MBC2)
        ram_size = 512;
    uint8_t *ram = calloc(1, ram_size);
    dbg d = {.g = malloc(sizeof(gb))};
    gb_error err;
    if (!ram || !d.g || gb_init(d.g, rom, size, ram, ram_size, NULL, &err)) {
        fprintf(stderr, "gb: %s: cannot start the machine\n", path);
        rc = 2;
    } else {
        d.g->doctor = doctor;
        rc = trace_path ? trace(d.g, trace_path, (unsigned long)steps) : repl(&d);
    }
    free(d.g);
    free(ram);
    free(rom);
    return rc;
}
