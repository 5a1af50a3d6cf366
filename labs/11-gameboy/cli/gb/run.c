/* run.c — `gb run`: N frames headless, serial to stdout, last frame to a PNG, sound to
 * a WAV file (16-bit stereo, 48 kHz), and the battery save in ROM.sav read before and
 * written after. For MBC3 carts with a clock, ROM.sav ends with a 16-byte trailer of
 * ours: seconds, minutes, hours, days (low byte), days bit 8 | halt << 6 | carry << 7,
 * three zero bytes, and the Unix time of the save (8 bytes, little-endian); on loading,
 * the clock is advanced by the real time that passed since. */
#include <time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gb_host.h"
#include "gbcli.h"

static void serial_to_stdout(void *ctx, uint8_t byte)
{
    (void)ctx;
    putchar(byte);
    fflush(stdout);
}

/* ---- WAV: a RIFF header whose two sizes are patched when the file is closed ---- */
enum { WAV_RATE = 48000 };

typedef struct wav {
    FILE *f;
    uint32_t frames;
    bool failed;
} wav;

static void put_le(FILE *f, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        fputc((int)((v >> (8 * i)) & 0xFF), f);
}

static void wav_header(FILE *f, uint32_t frames)
{
    uint32_t data = frames * 4;
    fwrite("RIFF", 1, 4, f);
    put_le(f, 36 + data, 4);
    fwrite("WAVEfmt ", 1, 8, f);
    put_le(f, 16, 4); /* fmt chunk size */
    put_le(f, 1, 2);  /* PCM */
    put_le(f, 2, 2);  /* stereo */
    put_le(f, WAV_RATE, 4);
    put_le(f, WAV_RATE * 4, 4); /* bytes per second */
    put_le(f, 4, 2);            /* bytes per frame */
    put_le(f, 16, 2);           /* bits per sample */
    fwrite("data", 1, 4, f);
    put_le(f, data, 4);
}

static void on_audio(void *ctx, const int16_t *frames, size_t n)
{
    wav *w = ctx;
    for (size_t i = 0; i < 2 * n; i++)
        put_le(w->f, (uint16_t)frames[i], 2);
    w->frames += (uint32_t)n;
}

static int wav_close(wav *w, const char *path)
{
    if (!w->f)
        return 0;
    rewind(w->f);
    wav_header(w->f, w->frames);
    if (ferror(w->f) | fclose(w->f)) {
        perror(path);
        return 1;
    }
    return 0;
}

/* ROM path with its extension replaced by .sav. */
static void save_path(const char *rom, char *out, size_t cap)
{
    snprintf(out, cap, "%s", rom);
    char *dot = strrchr(out, '.'), *slash = strrchr(out, '/');
    if (dot && (!slash || dot > slash))
        *dot = 0;
    strncat(out, ".sav", cap - strlen(out) - 1);
}

enum { RTC_TRAILER = 16 };

/* Reads the save into ram; returns true if an RTC trailer followed (into trailer). */
static bool load_save(const char *path, uint8_t *ram, size_t size, uint8_t *trailer)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t got = fread(ram, 1, size, f);
    if (got != size)
        fprintf(stderr, "gb: %s: save is %zu bytes, cartridge has %zu; rest left zero\n", path, got,
                size);
    bool rtc = got == size && fread(trailer, 1, RTC_TRAILER, f) == RTC_TRAILER;
    fclose(f);
    return rtc;
}

static void restore_rtc(gb_rtc *r, const uint8_t *t)
{
    r->s = t[0] & 63;
    r->m = t[1] & 63;
    r->h = t[2] & 31;
    r->days = (uint16_t)(t[3] | (t[4] & 1) << 8);
    r->halt = (t[4] & 0x40) != 0;
    r->carry = (t[4] & 0x80) != 0;
    uint64_t when = 0;
    for (int i = 7; i >= 0; i--)
        when = when << 8 | t[8 + i];
    uint64_t now = (uint64_t)time(NULL);
    if (now > when)
        gb_rtc_advance(r, now - when);
}

static int write_save(const char *path, const uint8_t *ram, size_t size, const gb_rtc *rtc)
{
    uint8_t t[RTC_TRAILER] = {0};
    if (rtc) {
        t[0] = rtc->s;
        t[1] = rtc->m;
        t[2] = rtc->h;
        t[3] = (uint8_t)rtc->days;
        t[4] = (uint8_t)((rtc->days >> 8 & 1) | (rtc->halt ? 0x40 : 0) | (rtc->carry ? 0x80 : 0));
        uint64_t now = (uint64_t)time(NULL);
        for (int i = 0; i < 8; i++)
            t[8 + i] = (uint8_t)(now >> (8 * i));
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(ram, 1, size, f) != size || (rtc && fwrite(t, 1, sizeof t, f) != sizeof t) ||
        fclose(f)) {
        perror(path);
        return 1;
    }
    return 0;
}

int gbcli_run(int argc, char **argv)
{
    const char *path = NULL, *shot = NULL, *wav_path = NULL;
    double frames = 60;
    bool serial = false;
    for (int i = 0; i < argc; i++) {
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--frames")) {
            if (!gbcli_number("--frames", next, 1, 1e9, &frames))
                return 2;
            i++;
        } else if (!strcmp(argv[i], "--screenshot") && next) {
            shot = argv[++i];
        } else if (!strcmp(argv[i], "--wav") && next) {
            wav_path = argv[++i];
        } else if (!strcmp(argv[i], "--serial")) {
            serial = true;
        } else if (argv[i][0] != '-' && !path) {
            path = argv[i];
        } else {
            fprintf(stderr, "gb run: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!path) {
        fputs("usage: gb run ROM [--frames N] [--screenshot OUT.png] [--wav OUT.wav] [--serial]\n",
              stderr);
        return 2;
    }
    uint8_t *rom;
    size_t size;
    gb_cart_info info;
    int rc = gbcli_load(path, &rom, &size, &info);
    if (rc)
        return rc;
    char sav[4096];
    save_path(path, sav, sizeof sav);
    uint8_t *ram = info.ram_size ? calloc(1, info.ram_size) : NULL;
    uint8_t trailer[RTC_TRAILER];
    bool saved_rtc = ram && info.has_battery && load_save(sav, ram, info.ram_size, trailer);
    wav w = {0};
    if (wav_path) {
        w.f = fopen(wav_path, "wb");
        if (!w.f) {
            perror(wav_path);
            free(ram);
            free(rom);
            return 2;
        }
        wav_header(w.f, 0);
    }
    gb *g = malloc(sizeof *g);
    gb_host host = {.ctx = &w,
                    .serial_out = serial ? serial_to_stdout : NULL,
                    .audio = wav_path ? on_audio : NULL,
                    .audio_rate = WAV_RATE};
    gb_error err;
    if (!g || gb_init(g, rom, size, ram, info.ram_size, &host, &err)) {
        fprintf(stderr, "gb: %s: cannot start the machine\n", path);
        rc = 2;
    } else {
        if (saved_rtc && info.has_rtc) {
            restore_rtc(&g->cart.rtc, trailer);
            g->cart.rtc_latched = g->cart.rtc;
        }
        uint32_t target = g->ppu.frames + (uint32_t)frames;
        /* A frame is a VBlank; with the LCD off the budget still ends the frame. */
        for (uint32_t i = 0; i < (uint32_t)frames && g->ppu.frames < target; i++)
            gb_run(g, GB_MCYCLES_PER_FRAME, 0);
        if (shot)
            rc = gbh_write_png(shot, &g->ppu.fb[0][0]);
        /* A clock changes on its own: its cart is saved whether or not RAM was written. */
        if (info.has_battery && ram && (g->cart.ram_dirty || info.has_rtc))
            rc |= write_save(sav, ram, info.ram_size, info.has_rtc ? &g->cart.rtc : NULL);
    }
    rc |= wav_close(&w, wav_path);
    free(g);
    free(ram);
    free(rom);
    return rc;
}
