/* gb.c — the machine: memory map, I/O registers, timer, serial, joypad and OAM DMA.
 *
 * The CPU's bus callbacks land here. Each bus call is one M-cycle: tick() first
 * advances every peripheral by that M-cycle (timer, serial, DMA, PPU), then the
 * access happens, so a read sees the state at the end of its cycle. The timer is the
 * hardware's: TIMA counts falling edges of one bit of the 16-bit system counter
 * (ANDed with the enable bit), which is why writes to DIV and TAC can bump it.
 */
#include "apu.h"
#include "cart.h"
#include "gb.h"
#include "ppu.h"

enum {
    R_P1 = 0x00,
    R_SB = 0x01,
    R_SC = 0x02,
    R_DIV = 0x04,
    R_TIMA = 0x05,
    R_TMA = 0x06,
    R_TAC = 0x07,
    R_IF = 0x0F,
    R_LCDC = 0x40,
    R_STAT = 0x41,
    R_LY = 0x44,
    R_LYC = 0x45,
    R_DMA = 0x46,
};

/* ---- timer -------------------------------------------------------------------- */

/* The counter bit TAC selects: 4096, 262144, 65536 or 16384 Hz. */
static inline uint16_t timer_bit_of(uint8_t tac)
{
    static const uint16_t bit[4] = {1u << 9, 1u << 3, 1u << 5, 1u << 7};
    return bit[tac & 3];
}

/* The timer's input: the TAC-selected bit of the system counter, ANDed with enable. */
static inline bool timer_signal(uint16_t div, uint8_t tac)
{
    return (tac & 4) && (div & timer_bit_of(tac));
}

static void tima_increment(gb *g)
{
    if (++g->tima == 0)
        g->tima_state = 1; /* reads $00 for one M-cycle, then reloads */
}

/* One M-cycle of the timer. */
static inline void timer_tick(gb *g)
{
    uint16_t old = g->div;
    /* SOLUTION BEGIN: finish a pending reload (TMA into TIMA, timer interrupt), then add 4 to the counter and count a falling edge of the selected bit */
    if (g->tima_state) {
        if (g->tima_state == 1) {
            g->tima = g->tma;
            g->iflag |= GB_IRQ_TIMER;
            g->tima_state = 2;
        } else {
            g->tima_state = 0;
        }
    }
    g->div = (uint16_t)(old + 4);
    if (old & ~g->div & g->timer_bit) /* the selected bit fell while enabled */
        tima_increment(g);
    /* SOLUTION END */
    if (old & ~g->div & 0x1000) /* DIV bit 4 falls: 512 Hz */
        gb_apu_frame_step(&g->apu);
}

static void timer_write(gb *g, uint8_t reg, uint8_t v)
{
    bool before = timer_signal(g->div, g->tac);
    switch (reg) {
    case R_DIV:
        if (g->div & 0x1000) /* zeroing DIV is a falling edge for the APU too */
            gb_apu_frame_step(&g->apu);
        g->div = 0;
        break;
    case R_TIMA:
        if (g->tima_state == 2)
            return;        /* the reload cycle wins */
        g->tima_state = 0; /* a write in the overflow cycle cancels the reload */
        g->tima = v;
        return;
    case R_TMA:
        g->tma = v;
        if (g->tima_state == 2)
            g->tima = v;
        return;
    default:
        g->tac = (uint8_t)(v | 0xF8);
        g->timer_bit = (g->tac & 4) ? timer_bit_of(g->tac) : 0;
        break;
    }
    /* Resetting DIV or changing TAC can turn the signal off: that is a falling edge. */
    if (before && !timer_signal(g->div, g->tac))
        tima_increment(g);
}

/* ---- serial, DMA, the M-cycle tick ----------------------------------------------- */
static void serial_tick(gb *g)
{
    if (--g->serial_clock)
        return;
    g->io[R_SB] = (uint8_t)(g->io[R_SB] << 1 | 1); /* nobody is connected: 1s come in */
    if (--g->serial_bits) {
        g->serial_clock = 128; /* 8192 bits per second */
        return;
    }
    g->io[R_SC] &= 0x7F;
    g->iflag |= GB_IRQ_SERIAL;
}

static uint8_t dma_source_read(const gb *g, uint16_t addr)
{
    if (addr >= 0xE000)
        addr = (uint16_t)(addr - 0x2000); /* $FE-$FF sources read the WRAM echo */
    return gb_peek(g, addr);
}

static void dma_tick(gb *g)
{
    if (g->dma_delay) {
        g->dma_delay--;
        return;
    }
    g->oam[g->dma_index] = dma_source_read(g, (uint16_t)(g->dma_src + g->dma_index));
    if (++g->dma_index == 0xA0)
        g->dma_active = false;
}

/* Produces audio frames up to now and hands full buffers to the host. */
static void audio_tick(gb *g)
{
    gb_apu_sync(&g->apu, g->now);
    gb_apu_sample(&g->apu, &g->audio_buf[2 * (size_t)g->audio_n]);
    if (++g->audio_n == sizeof g->audio_buf / sizeof g->audio_buf[0] / 2) {
        g->host.audio(g->host.ctx, g->audio_buf, g->audio_n);
        g->audio_n = 0;
    }
    g->samples++;
    g->next_sample = g->samples * GB_MCYCLES_PER_SECOND / g->host.audio_rate;
}

static inline void tick(gb *g)
{
    g->now++;
    timer_tick(g);
    if (g->now >= g->next_sample)
        audio_tick(g);
    if (g->serial_bits)
        serial_tick(g);
    if (g->dma_active)
        dma_tick(g);
    gb_ppu_tick(g);
}

/* ---- joypad ------------------------------------------------------------------- */
static uint8_t joyp_lines(const gb *g)
{
    uint8_t lines = 0x0F;
    if (!(g->joyp_select & 0x10))
        lines &= (uint8_t) ~(g->buttons & 0x0F);
    if (!(g->joyp_select & 0x20))
        lines &= (uint8_t) ~(g->buttons >> 4);
    return lines;
}

void gb_set_buttons(gb *g, uint8_t buttons)
{
    uint8_t before = joyp_lines(g);
    g->buttons = buttons;
    if (before & ~joyp_lines(g)) /* a line went low */
        g->iflag |= GB_IRQ_JOYPAD;
    if (buttons)
        g->cpu.stopped = false;
}

/* ---- the memory map ------------------------------------------------------------- */
static void rtc_sync(gb *g)
{
    if (!g->cart.has_rtc)
        return;
    gb_rtc_tick(&g->cart.rtc, (uint32_t)(g->now - g->cart.rtc_synced));
    g->cart.rtc_synced = g->now;
}

static uint8_t io_read(const gb *g, uint8_t reg)
{
    switch (reg) {
    case R_P1:
        return (uint8_t)(0xC0 | g->joyp_select | joyp_lines(g));
    case R_SC:
        return (uint8_t)(g->io[R_SC] | 0x7E);
    case R_DIV:
        return (uint8_t)(g->div >> 8);
    case R_TIMA:
        return g->tima;
    case R_TMA:
        return g->tma;
    case R_TAC:
        return g->tac;
    case R_IF:
        return (uint8_t)(0xE0 | g->iflag);
    case R_STAT:
        return gb_ppu_stat(g);
    case R_LY:
        return g->doctor ? 0x90 : g->ppu.ly;
    default:
        if (reg >= R_LCDC && reg <= 0x4B)
            return g->io[reg];
        if (reg >= 0x10 && reg <= 0x3F)
            return gb_apu_read(&g->apu, reg); /* (synced by cpu_read) */
        return reg == R_SB ? g->io[R_SB] : 0xFF;
    }
}

uint8_t gb_peek(const gb *g, uint16_t addr)
{
    switch (addr >> 12) {
    case 0x0:
    case 0x1:
    case 0x2:
    case 0x3:
    case 0x4:
    case 0x5:
    case 0x6:
    case 0x7:
        return gb_cart_read_rom(&g->cart, addr);
    case 0x8:
    case 0x9:
        return g->vram[addr & 0x1FFF];
    case 0xA:
    case 0xB:
        return gb_cart_read_ram(&g->cart, addr);
    case 0xC:
    case 0xD:
    case 0xE:
        return g->wram[addr & 0x1FFF];
    default:
        if (addr < 0xFE00)
            return g->wram[addr & 0x1FFF];
        if (addr < 0xFEA0)
            return g->oam[addr - 0xFE00];
        if (addr < 0xFF00)
            return 0x00; /* unusable area reads 0 on the DMG */
        if (addr < 0xFF80)
            return io_read(g, (uint8_t)(addr & 0x7F));
        if (addr < 0xFFFF)
            return g->hram[addr - 0xFF80];
        return g->ie;
    }
}

/* What the CPU sees: the PPU locks VRAM in mode 3 and OAM in modes 2-3, and the
 * OAM DMA owns OAM while it runs. */
static uint8_t cpu_read(gb *g, uint16_t addr)
{
    if (addr >= 0x8000 && addr < 0xA000 && !gb_ppu_vram_open(g))
        return 0xFF;
    if (addr >= 0xFE00 && addr < 0xFEA0 && (g->dma_active || !gb_ppu_oam_open(g)))
        return 0xFF;
    if (addr >= 0xA000 && addr < 0xC000)
        rtc_sync(g);
    if (addr >= 0xFF10 && addr < 0xFF40)
        gb_apu_sync(&g->apu, g->now);
    return gb_peek(g, addr);
}

static void io_write(gb *g, uint8_t reg, uint8_t v)
{
    switch (reg) {
    case R_P1:
        g->joyp_select = v & 0x30;
        return;
    case R_SC:
        g->io[R_SC] = v & 0x81;
        if ((v & 0x81) == 0x81) { /* start, internal clock: the byte goes out now */
            if (g->host.serial_out)
                g->host.serial_out(g->host.ctx, g->io[R_SB]);
            g->events |= GB_EV_SERIAL;
            g->serial_bits = 8;
            g->serial_clock = 128;
        }
        return;
    case R_DIV:
    case R_TIMA:
    case R_TMA:
    case R_TAC:
        timer_write(g, reg, v);
        return;
    case R_IF:
        g->iflag = v & 0x1F;
        return;
    case R_DMA:
        g->io[R_DMA] = v;
        g->dma_src = (uint16_t)(v << 8);
        g->dma_index = 0;
        g->dma_delay = 1;
        g->dma_active = true;
        return;
    case R_LCDC:
    case R_STAT:
    case R_LYC:
        gb_ppu_write(g, reg, v);
        return;
    case R_LY:
        return; /* read-only */
    default:
        if (reg >= 0x10 && reg <= 0x3F) {
            gb_apu_sync(&g->apu, g->now);
            gb_apu_write(&g->apu, reg, v);
            return;
        }
        g->io[reg] = v;
        return;
    }
}

static void cpu_write(gb *g, uint16_t addr, uint8_t v)
{
    switch (addr >> 12) {
    case 0x0:
    case 0x1:
    case 0x2:
    case 0x3:
    case 0x4:
    case 0x5:
    case 0x6:
    case 0x7:
        rtc_sync(g);
        gb_cart_write_rom(&g->cart, addr, v);
        return;
    case 0x8:
    case 0x9:
        if (gb_ppu_vram_open(g))
            g->vram[addr & 0x1FFF] = v;
        return;
    case 0xA:
    case 0xB:
        rtc_sync(g);
        gb_cart_write_ram(&g->cart, addr, v);
        return;
    case 0xC:
    case 0xD:
    case 0xE:
        g->wram[addr & 0x1FFF] = v;
        return;
    default:
        if (addr < 0xFE00)
            g->wram[addr & 0x1FFF] = v;
        else if (addr < 0xFEA0) {
            if (!g->dma_active && gb_ppu_oam_open(g))
                g->oam[addr - 0xFE00] = v;
        } else if (addr < 0xFF00) {
            /* unusable */
        } else if (addr < 0xFF80) {
            io_write(g, (uint8_t)(addr & 0x7F), v);
        } else if (addr < 0xFFFF) {
            g->hram[addr - 0xFF80] = v;
        } else {
            g->ie = v;
        }
        return;
    }
}

/* ---- the OAM corruption bug ------------------------------------------------------ */
/* On the DMG, an address in $FE00-$FEFF on the bus while the PPU scans OAM (mode 2)
 * garbles the 8-byte row the PPU is reading (one row per M-cycle, row 0 at the line's
 * first M-cycle). The formulas are Pan Docs' ("OAM Corruption Bug"), on 16-bit words. */
enum { OAM_READ, OAM_WRITE, OAM_READ_INC };

static unsigned oam_word(const gb *g, unsigned row, unsigned w)
{
    unsigned i = row * 8 + w * 2;
    return (unsigned)(g->oam[i] | g->oam[i + 1] << 8);
}

static void set_oam_word(gb *g, unsigned row, unsigned w, unsigned v)
{
    unsigned i = row * 8 + w * 2;
    g->oam[i] = (uint8_t)v;
    g->oam[i + 1] = (uint8_t)(v >> 8);
}

static void copy_row(gb *g, unsigned to, unsigned from, unsigned first_word)
{
    for (unsigned w = first_word; w < 4; w++)
        set_oam_word(g, to, w, oam_word(g, from, w));
}

static void oam_bug(gb *g, uint16_t addr, int kind)
{
    if ((addr >> 8) != 0xFE || !(g->io[R_LCDC] & 0x80) || g->ppu.mode != 2 || g->dma_active)
        return;
    unsigned row = g->ppu.dot / 4;
    if (row == 0 || row >= 20)
        return;
    if (kind == OAM_READ_INC && row >= 4 && row < 19) {
        unsigned a = oam_word(g, row - 2, 0), b = oam_word(g, row - 1, 0);
        unsigned c = oam_word(g, row, 0), d = oam_word(g, row - 1, 2);
        set_oam_word(g, row - 1, 0, (b & (a | c | d)) | (a & c & d));
        copy_row(g, row, row - 1, 0);
        copy_row(g, row - 2, row - 1, 0);
    }
    unsigned a = oam_word(g, row, 0), b = oam_word(g, row - 1, 0), c = oam_word(g, row - 1, 2);
    set_oam_word(g, row, 0, kind == OAM_WRITE ? ((a ^ c) & (b ^ c)) ^ c : b | (a & c));
    copy_row(g, row, row - 1, 1);
}

/* ---- the bus the CPU sees ------------------------------------------------------- */
static uint8_t bus_read(void *ctx, uint16_t addr)
{
    gb *g = ctx;
    tick(g);
    if ((addr >> 8) == 0xFE)
        oam_bug(g, addr, g->cpu.idu ? OAM_READ_INC : OAM_READ);
    return cpu_read(g, addr);
}

static void bus_write(void *ctx, uint16_t addr, uint8_t v)
{
    gb *g = ctx;
    tick(g);
    if ((addr >> 8) == 0xFE)
        oam_bug(g, addr, OAM_WRITE);
    cpu_write(g, addr, v);
}

static void bus_idle(void *ctx)
{
    gb *g = ctx;
    tick(g);
    if (g->cpu.idu && (g->cpu.idu_addr >> 8) == 0xFE)
        oam_bug(g, g->cpu.idu_addr, OAM_WRITE);
}

static uint8_t bus_pending(void *ctx)
{
    const gb *g = ctx;
    return g->ie & g->iflag & 0x1F;
}

static void bus_ack(void *ctx, uint8_t mask)
{
    gb *g = ctx;
    g->iflag &= (uint8_t)~mask;
}

/* ---- setup and the run loop ------------------------------------------------------ */

/* The I/O registers as the DMG boot ROM leaves them (Pan Docs, "Power Up Sequence"). */
static void post_boot_io(gb *g)
{
    static const struct {
        uint8_t reg, v;
    } init[] = {
        {0x40, 0x91},
        {0x46, 0xFF},
        {0x47, 0xFC},
    };
    for (size_t i = 0; i < sizeof init / sizeof init[0]; i++)
        g->io[init[i].reg] = init[i].v;
    g->io[R_SC] = 0;
    g->joyp_select = 0x00; /* P1 reads $CF after boot */
    g->div = 0xABCC;
    g->tac = 0xF8;
    g->iflag = 0x01;
}

int gb_init(gb *g, const uint8_t *rom, size_t rom_size, uint8_t *ram, size_t ram_size,
            const gb_host *host, gb_error *err)
{
    if (!g)
        return GB_EINVAL;
    /* Zero the struct without libc: the core has no memset of its own to call. */
    for (size_t i = 0; i < sizeof *g; i++)
        ((volatile uint8_t *)g)[i] = 0;
    gb_cart_info info;
    int rc = gb_cart_init(&g->cart, rom, rom_size, ram, ram_size, &info, err);
    if (rc)
        return rc;
    gb_cpu_reset(&g->cpu);
    if (info.header_checksum == 0)
        g->cpu.f = 0x80; /* the boot ROM's last CP leaves H and C clear then */
    g->bus = (gb_bus){g, bus_read, bus_write, bus_idle, bus_pending, bus_ack};
    if (host)
        g->host = *host;
    post_boot_io(g);
    gb_ppu_reset(g);
    gb_apu_reset(&g->apu);
    g->next_sample = UINT64_MAX;
    if (g->host.audio && g->host.audio_rate)
        g->next_sample = 0;
    return GB_OK;
}

unsigned gb_step(gb *g)
{
    bool was_stopped = g->cpu.stopped;
    unsigned n = gb_cpu_step(&g->cpu, &g->bus);
    if (g->cpu.stopped && !was_stopped)
        g->div = 0; /* STOP resets the system counter */
    if (g->cpu.ld_b_b)
        g->events |= GB_EV_LD_B_B;
    return n;
}

unsigned gb_run(gb *g, uint64_t mcycles, unsigned stop)
{
    uint64_t end = g->cpu.mcycles + mcycles;
    g->events = 0;
    while (!(g->events & stop)) {
        if (g->cpu.mcycles >= end) {
            g->events |= GB_EV_BUDGET;
            break;
        }
        gb_step(g);
    }
    rtc_sync(g);
    return g->events;
}
