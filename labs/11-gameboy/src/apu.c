/* apu.c — the audio processing unit: two square channels (the first with a frequency
 * sweep), a wave channel, a noise channel, the 512 Hz frame sequencer, and samples for
 * the host.
 *
 * Register behaviour is exact where the CPU can observe it (read masks, power on/off,
 * length counters and their extra clocking, sweep overflow, envelope), because games
 * and test ROMs poll NR52. The waveform generators are advanced lazily: apu_sync
 * catches the channels up to the current M-cycle only when a sample is due or a
 * register is touched, so with no audio callback the APU costs nothing per cycle.
 */
#include "apu.h"

enum {
    NR10 = 0x10,
    NR11,
    NR12,
    NR13,
    NR14,
    NR21 = 0x16,
    NR22,
    NR23,
    NR24,
    NR30 = 0x1A,
    NR31,
    NR32,
    NR33,
    NR34,
    NR41 = 0x20,
    NR42,
    NR43,
    NR44,
    NR50,
    NR51,
    NR52,
    WAVE = 0x30
};

/* What reads of $FF10-$FF2F OR in (unused and write-only bits read as 1). */
static const uint8_t read_mask[0x20] = {
    0x80, 0x3F, 0x00, 0xFF, 0xBF, 0xFF, 0x3F, 0x00, 0xFF, 0xBF, 0x7F, 0xFF, 0x9F, 0xFF, 0xBF, 0xFF,
    0xFF, 0x00, 0x00, 0xBF, 0x00, 0x00, 0x70, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
};

static const uint8_t duty_wave[4] = {0x01, 0x81, 0x87, 0x7E}; /* 12.5 25 50 75 %, bit 0 first */

/* ---- waveform generators ------------------------------------------------------------- */
static uint32_t period_of(const gb_apu *a, unsigned c)
{
    const gb_apu_ch *ch = &a->ch[c];
    if (c == 3) {
        static const uint8_t div[8] = {8, 16, 32, 48, 64, 80, 96, 112};
        return (uint32_t)div[ch->noise_div] << ch->noise_shift;
    }
    return (2048u - ch->freq) * (c == 2 ? 2u : 4u);
}

static void noise_step(gb_apu_ch *ch)
{
    unsigned x = (ch->lfsr ^ (ch->lfsr >> 1)) & 1u;
    ch->lfsr = (uint16_t)((ch->lfsr >> 1) | (x << 14));
    if (ch->noise_width7)
        ch->lfsr = (uint16_t)((ch->lfsr & ~0x40u) | (x << 6));
}

/* Advances every running channel's timer by t clocks (ending at clock `end`). */
static void advance(gb_apu *a, uint32_t t, uint64_t end)
{
    for (unsigned c = 0; c < 4; c++) {
        gb_apu_ch *ch = &a->ch[c];
        if (!ch->on)
            continue;
        uint32_t period = period_of(a, c);
        if ((uint32_t)ch->timer > t) {
            ch->timer -= (int32_t)t;
            continue;
        }
        uint32_t steps = 1 + (t - (uint32_t)ch->timer) / period;
        ch->timer = (int32_t)(period - (t - (uint32_t)ch->timer) % period);
        if (c == 2)
            a->wave_fetch = (int64_t)(end - (period - (uint32_t)ch->timer));
        if (c == 3) {
            for (uint32_t i = 0; i < steps && i < 0x8000; i++)
                noise_step(ch);
        } else {
            ch->pos = (uint8_t)((ch->pos + steps) & (c == 2 ? 31 : 7));
        }
    }
}

void gb_apu_sync(gb_apu *a, uint64_t now)
{
    if (now > a->synced)
        advance(a, (uint32_t)((now - a->synced) * 4), now * 4);
    a->synced = now;
}

/* The digital output 0..15 of channel c. */
static unsigned level(const gb_apu *a, unsigned c)
{
    const gb_apu_ch *ch = &a->ch[c];
    if (!ch->on)
        return 0;
    if (c < 2)
        return (duty_wave[ch->duty] >> ch->pos) & 1 ? ch->vol : 0;
    if (c == 3)
        return (ch->lfsr & 1) ? 0 : ch->vol;
    uint8_t byte = a->wave[ch->pos / 2];
    unsigned nib = (ch->pos & 1) ? (byte & 0xFu) : (byte >> 4);
    static const uint8_t shift[4] = {4, 0, 1, 2};
    return nib >> shift[(a->regs[NR32] >> 5) & 3];
}

/* One stereo frame: each DAC maps 0..15 to -1..+1, NR51 pans, NR50 scales. */
void gb_apu_sample(gb_apu *a, int16_t out[2])
{
    int32_t mix[2] = {0, 0};
    uint8_t pan = a->regs[NR51];
    for (unsigned c = 0; c < 4; c++) {
        if (!a->ch[c].dac)
            continue;
        int32_t v = (int32_t)level(a, c) * 2 - 15; /* -15..+15 */
        if (pan & (0x10u << c))
            mix[0] += v;
        if (pan & (1u << c))
            mix[1] += v;
    }
    unsigned vl = ((a->regs[NR50] >> 4) & 7) + 1, vr = (a->regs[NR50] & 7) + 1;
    /* 4 channels x 15 x 8 = 480 at most: scale to about 2/3 of int16 */
    out[0] = (int16_t)(mix[0] * (int32_t)vl * 45);
    out[1] = (int16_t)(mix[1] * (int32_t)vr * 45);
}

/* ---- the frame sequencer ----------------------------------------------------------- */
static void length_clock(gb_apu_ch *ch)
{
    if (ch->len_en && ch->len && --ch->len == 0)
        ch->on = false;
}

/* The new frequency from the shadow register; a result over 2047 silences channel 1. */
static unsigned sweep_calc(gb_apu *a)
{
    uint8_t nr10 = a->regs[NR10];
    unsigned d = (unsigned)a->sweep_shadow >> (nr10 & 7), f;
    if (nr10 & 0x08) {
        f = a->sweep_shadow - d;
        a->sweep_negated = true;
    } else {
        f = a->sweep_shadow + d;
    }
    if (f > 2047)
        a->ch[0].on = false;
    return f;
}

static void sweep_clock(gb_apu *a)
{
    /* SOLUTION BEGIN: count the sweep timer down; on reaching 0 reload it (0 counts as 8) and, if enabled with a non-zero period, compute, store when in range and shift != 0, and check overflow once more */
    if (a->sweep_timer && --a->sweep_timer)
        return;
    unsigned period = (a->regs[NR10] >> 4) & 7;
    a->sweep_timer = (uint8_t)(period ? period : 8);
    if (!a->sweep_on || !period)
        return;
    unsigned f = sweep_calc(a);
    if (f <= 2047 && (a->regs[NR10] & 7)) {
        a->sweep_shadow = (uint16_t)f;
        a->ch[0].freq = (uint16_t)f;
        (void)sweep_calc(a);
    }
    /* SOLUTION END */
}

static void envelope_clock(gb_apu_ch *ch, uint8_t nrx2)
{
    unsigned period = nrx2 & 7;
    if (!period || !ch->env_timer || --ch->env_timer)
        return;
    ch->env_timer = (uint8_t)period;
    if ((nrx2 & 0x08) && ch->vol < 15)
        ch->vol++;
    else if (!(nrx2 & 0x08) && ch->vol > 0)
        ch->vol--;
}

void gb_apu_frame_step(gb_apu *a)
{
    if (!a->power)
        return;
    /* SOLUTION BEGIN: steps 0 2 4 6 clock the length counters, 2 and 6 the sweep, 7 the envelopes */
    unsigned step = a->fs_next;
    a->fs_next = (uint8_t)((step + 1) & 7);
    if (!(step & 1))
        for (unsigned c = 0; c < 4; c++)
            length_clock(&a->ch[c]);
    if (step == 2 || step == 6)
        sweep_clock(a);
    if (step == 7) {
        envelope_clock(&a->ch[0], a->regs[NR12]);
        envelope_clock(&a->ch[1], a->regs[NR22]);
        envelope_clock(&a->ch[3], a->regs[NR42]);
    }
    /* SOLUTION END */
}

/* ---- registers ------------------------------------------------------------------------ */
/* The DMG's wave RAM corruption on a channel 3 retrigger, for the byte b being fetched. */
static void wave_corrupt(gb_apu *a, unsigned b)
{
    /* SOLUTION BEGIN: bytes 0-3: byte 0 = byte b; bytes 4-15: bytes 0-3 = the four aligned with b */
    if (b < 4) {
        a->wave[0] = a->wave[b];
        return;
    }
    for (unsigned i = 0; i < 4; i++)
        a->wave[i] = a->wave[(b & ~3u) + i];
    /* SOLUTION END */
}

static void trigger(gb_apu *a, unsigned c)
{
    gb_apu_ch *ch = &a->ch[c];
    uint16_t max = c == 2 ? 256 : 64;
    bool was_on = ch->on;
    ch->on = ch->dac;
    if (ch->len == 0) {
        ch->len = max;
        if (ch->len_en && (a->fs_next & 1)) /* the step just done clocked length */
            ch->len--;
    }
    if (c == 2) {
        /* DMG: retriggering channel 3 as it is about to fetch a byte (2 clocks before
         * the fetch, in this core's clock) rewrites wave RAM's first bytes (Pan Docs,
         * "Audio Details: Obscure Behavior"): byte 0 with the byte being fetched if
         * it is one of bytes 0-3, else bytes 0-3 with its aligned group of four.
         * The offset 2 is the one Blargg's dmg_sound 10 confirms; fetches fall on
         * even clocks after an M-cycle boundary, so 2 is the only one a CPU write
         * can meet below 4. */
        if (was_on && ch->timer == 2)
            wave_corrupt(a, ((ch->pos + 1u) & 31u) / 2u);
        /* The first fetch comes 6 clocks after a full period. With the 2-clock access
         * window below this is what makes Blargg's dmg_sound 09 and 12 pass. */
        ch->timer = (int32_t)period_of(a, c) + 6;
        ch->pos = 0;
        a->wave_fetch = (int64_t)a->synced * 4 - 16; /* no fetch yet */
        return;
    }
    ch->timer = (int32_t)period_of(a, c);
    uint8_t nrx2 = a->regs[c == 0 ? NR12 : c == 1 ? NR22 : NR42];
    ch->vol = nrx2 >> 4;
    ch->env_timer = (uint8_t)(nrx2 & 7);
    if (c == 3)
        ch->lfsr = 0x7FFF;
    if (c == 0) {
        unsigned period = (a->regs[NR10] >> 4) & 7, shift = a->regs[NR10] & 7;
        a->sweep_shadow = ch->freq;
        a->sweep_timer = (uint8_t)(period ? period : 8);
        a->sweep_on = period || shift;
        a->sweep_negated = false;
        if (shift)
            (void)sweep_calc(a);
    }
}

/* NRx4: frequency high bits, length enable (with its extra clock), trigger. */
static void write_nrx4(gb_apu *a, unsigned c, uint8_t v)
{
    gb_apu_ch *ch = &a->ch[c];
    bool was_enabled = ch->len_en;
    ch->len_en = (v & 0x40) != 0;
    if (c != 3)
        ch->freq = (uint16_t)((ch->freq & 0xFF) | (v & 7) << 8);
    /* Enabling length in the half of the period after a length clock clocks it once. */
    if (!was_enabled && ch->len_en && (a->fs_next & 1) && ch->len) {
        if (--ch->len == 0 && !(v & 0x80))
            ch->on = false;
    }
    if (v & 0x80)
        trigger(a, c);
}

static unsigned channel_of(uint8_t reg)
{
    return reg < NR21 ? 0 : reg < NR30 ? 1 : reg < NR41 ? 2 : 3;
}

static void write_channel(gb_apu *a, uint8_t reg, uint8_t v)
{
    unsigned c = channel_of(reg);
    gb_apu_ch *ch = &a->ch[c];
    switch (reg) {
    case NR10:
        if (a->sweep_negated && !(v & 0x08)) /* leaving negate mode after using it */
            ch->on = false;
        break;
    case NR11:
    case NR21:
        ch->duty = v >> 6;
        ch->len = (uint16_t)(64 - (v & 63));
        break;
    case NR41:
        ch->len = (uint16_t)(64 - (v & 63));
        break;
    case NR31:
        ch->len = (uint16_t)(256 - v);
        break;
    case NR12:
    case NR22:
    case NR42:
        ch->dac = (v & 0xF8) != 0;
        if (!ch->dac)
            ch->on = false;
        break;
    case NR30:
        ch->dac = (v & 0x80) != 0;
        if (!ch->dac)
            ch->on = false;
        break;
    case NR13:
    case NR23:
    case NR33:
        ch->freq = (uint16_t)((ch->freq & 0x700) | v);
        break;
    case NR43:
        ch->noise_shift = v >> 4;
        ch->noise_width7 = (v & 0x08) != 0;
        ch->noise_div = v & 7;
        break;
    case NR14:
    case NR24:
    case NR34:
    case NR44:
        write_nrx4(a, c, v);
        break;
    default:
        break;
    }
}

/* DMG: while channel 3 plays, the CPU reaches wave RAM only within 2 clocks of the
 * channel fetching a byte, and then reaches that byte whatever address it used;
 * otherwise reads give $FF and writes are lost (Pan Docs, "Obscure Behavior"). */
static int wave_slot(const gb_apu *a, uint8_t reg)
{
    if (!a->ch[2].on)
        return reg - WAVE;
    if ((int64_t)a->synced * 4 - a->wave_fetch < 2)
        return a->ch[2].pos / 2;
    return -1;
}

static void power(gb_apu *a, bool on)
{
    if (a->power == on)
        return;
    a->power = on;
    if (on) {
        a->fs_next = 0;
        a->ch[0].pos = a->ch[1].pos = 0;
        return;
    }
    /* Off: every register clears and every channel stops; on the DMG the length
     * counters survive (and stay writable). */
    for (unsigned r = NR10; r < NR52; r++)
        a->regs[r] = 0;
    for (unsigned c = 0; c < 4; c++) {
        uint16_t len = a->ch[c].len;
        a->ch[c] = (gb_apu_ch){.len = len};
    }
    a->sweep_on = a->sweep_negated = false;
}

void gb_apu_write(gb_apu *a, uint8_t reg, uint8_t v)
{
    if (reg >= WAVE) {
        int i = wave_slot(a, reg);
        if (i >= 0)
            a->wave[i] = v;
        return;
    }
    if (reg == NR52) {
        power(a, (v & 0x80) != 0);
        return;
    }
    if (!a->power) {
        /* only the length half of NRx1 is writable while off */
        if (reg == NR11 || reg == NR21 || reg == NR41)
            a->ch[channel_of(reg)].len = (uint16_t)(64 - (v & 63));
        else if (reg == NR31)
            a->ch[2].len = (uint16_t)(256 - v);
        return;
    }
    a->regs[reg] = v;
    write_channel(a, reg, v);
}

uint8_t gb_apu_read(const gb_apu *a, uint8_t reg)
{
    if (reg >= WAVE) {
        int i = wave_slot(a, reg);
        return i < 0 ? 0xFF : a->wave[i];
    }
    if (reg == NR52) {
        uint8_t on = 0;
        for (unsigned c = 0; c < 4; c++)
            on = (uint8_t)(on | (a->ch[c].on ? 1u << c : 0));
        return (uint8_t)(0x70 | (a->power ? 0x80 : 0) | on);
    }
    return (uint8_t)(a->regs[reg] | read_mask[reg - NR10]);
}

void gb_apu_reset(gb_apu *a)
{
    *a = (gb_apu){0};
    a->power = true;
    /* The boot ROM leaves channel 1 having played its chime: on, 50 % duty. */
    static const uint8_t boot[][2] = {{NR10, 0x80}, {NR11, 0xBF}, {NR12, 0xF3}, {NR14, 0xBF},
                                      {NR21, 0x3F}, {NR22, 0x00}, {NR24, 0xBF}, {NR30, 0x7F},
                                      {NR31, 0xFF}, {NR32, 0x9F}, {NR34, 0xBF}, {NR41, 0xFF},
                                      {NR42, 0x00}, {NR44, 0xBF}, {NR50, 0x77}, {NR51, 0xF3}};
    for (unsigned i = 0; i < sizeof boot / sizeof boot[0]; i++)
        a->regs[boot[i][0]] = boot[i][1];
    a->ch[0].dac = true;
    a->ch[0].on = true;
    a->ch[0].duty = 2;
}
