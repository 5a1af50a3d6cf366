/* gb.h — a freestanding Game Boy (DMG) core: the SM83 CPU, memory map, cartridges,
 * timer, interrupts, joypad, serial port, OAM DMA and the PPU's timing.
 *
 * The core uses no libc and never allocates: the host owns the ROM bytes, the
 * cartridge RAM and the `gb` struct itself, and gets output (serial bytes, finished
 * frames) through callbacks. Everything below includes only <stdint.h>, <stddef.h>
 * and <stdbool.h>, so the same sources build for a PC and for a Cortex-M4.
 *
 * Timing is per M-cycle (4 clock periods of the 4.194304 MHz clock): the CPU makes
 * exactly one bus call per M-cycle (a read, a write or an idle cycle), and the
 * machine advances its timer, DMA, serial port and PPU by one M-cycle inside each
 * such call before doing the access. Struct fields are visible only so that the
 * host can allocate the structs; treat them as private unless a comment says so.
 */
#ifndef GB_H
#define GB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------------------------
 * Errors. Functions that can fail return 0 or a negative gb_status; the gb_error they
 * fill says what was wrong and where (a ROM byte offset and the value found there).
 * ------------------------------------------------------------------------------- */
enum gb_status {
    GB_OK = 0,
    GB_ETRUNCATED = -1, /* the ROM is shorter than its header or its declared size */
    GB_ECARTTYPE = -2,  /* unknown or unsupported cartridge type at $0147 */
    GB_EROMSIZE = -3,   /* invalid ROM size code at $0148 */
    GB_ERAMSIZE = -4,   /* invalid RAM size code at $0149 (or RAM on an MBC2) */
    GB_ECHECKSUM = -5,  /* header checksum at $014D does not match $0134-$014C */
    GB_ERAMBUF = -6,    /* the host's save-RAM buffer is smaller than the cart needs */
    GB_EINVAL = -7,     /* a NULL pointer or other misuse by the host */
};

typedef struct gb_error {
    int code;          /* a gb_status */
    uint32_t offset;   /* ROM byte offset the problem is at (0 if none) */
    uint32_t value;    /* the value found there (or the size found) */
    uint32_t expected; /* what was expected, where that is one number */
    const char *what;  /* a static English sentence, no trailing newline */
} gb_error;

/* ---------------------------------------------------------------------------------
 * The SM83 CPU and its bus. One bus call = one M-cycle; the CPU never touches memory
 * any other way, so a bus that records its calls sees the instruction's cycle trace.
 * ------------------------------------------------------------------------------- */
typedef struct gb_bus {
    void *ctx;
    uint8_t (*read)(void *ctx, uint16_t addr);              /* one read M-cycle */
    void (*write)(void *ctx, uint16_t addr, uint8_t value); /* one write M-cycle */
    void (*idle)(void *ctx);                                /* one internal M-cycle */
    /* IE & IF & 0x1F, read without spending a cycle (the interrupt lines). */
    uint8_t (*pending)(void *ctx);
    /* Clears the IF bits in mask: the interrupt was taken. */
    void (*ack)(void *ctx, uint8_t mask);
} gb_bus;

/* Flag bits of register F. */
enum { GB_FLAG_Z = 0x80, GB_FLAG_N = 0x40, GB_FLAG_H = 0x20, GB_FLAG_C = 0x10 };

typedef struct gb_cpu {
    uint8_t a, f, b, c, d, e, h, l; /* public: registers */
    uint16_t sp, pc;                /* public */
    bool ime;                       /* public: interrupt master enable */
    bool ei_pending;                /* public: EI ran; IME turns on after the next instruction */
    bool halted;                    /* public: in HALT, waiting for IE & IF != 0 */
    bool stopped;                   /* public: in STOP, waiting for a joypad line */
    bool halt_bug;                  /* next opcode fetch does not advance PC */
    bool locked;                    /* public: an illegal opcode hung the CPU for good */
    /* During the current bus call, the 16-bit increment/decrement unit also drives
     * idu_addr onto the address bus (INC rr, PUSH/POP, LD A,(HL+)...): the DMG's
     * OAM corruption bug keys on it. */
    bool idu;
    uint16_t idu_addr;
    bool ld_b_b;      /* public: the last instruction was LD B,B (0x40) */
    uint64_t mcycles; /* public: M-cycles spent since reset */
} gb_cpu;

/* Puts the registers in the DMG's state after its boot ROM (PC=$0100). */
void gb_cpu_reset(gb_cpu *cpu);

/* Runs one instruction, or one interrupt dispatch, or one M-cycle of HALT/STOP.
 * Returns the M-cycles it spent (each one is exactly one bus call). */
unsigned gb_cpu_step(gb_cpu *cpu, const gb_bus *bus);

/* ---------------------------------------------------------------------------------
 * Cartridges: the header at $0100-$014F and the memory bank controllers.
 * ------------------------------------------------------------------------------- */
enum gb_mbc { GB_MBC_NONE, GB_MBC1, GB_MBC2, GB_MBC3, GB_MBC5 };

typedef struct gb_cart_info {
    char title[17]; /* $0134-$0143, NUL-ended, non-printable bytes dropped */
    uint8_t type;   /* $0147 as found */
    enum gb_mbc mbc;
    bool has_ram, has_battery, has_rtc, has_rumble;
    uint32_t rom_size; /* bytes, from $0148 */
    uint32_t ram_size; /* bytes the host must supply (MBC2: 512) */
    uint8_t header_checksum;
    uint16_t global_checksum; /* $014E-$014F as found (hardware never checks it) */
    bool global_checksum_ok;
} gb_cart_info;

/* Parses and validates the header of rom[0..size). Returns 0, or a gb_status with err
 * filled; never reads outside the buffer. */
int gb_cart_parse(const uint8_t *rom, size_t size, gb_cart_info *info, gb_error *err);

/* The MBC3 real-time clock: seconds, minutes, hours, day counter (9 bits), halt and
 * day-carry flags. `sub` counts M-cycles within the current second. */
typedef struct gb_rtc {
    uint8_t s, m, h;
    uint16_t days;
    bool halt, carry;
    uint32_t sub;
} gb_rtc;

/* Advances an MBC3 clock by `seconds` of real time, as a host does when it restores a
 * save made that long ago (nothing happens while the clock is halted). */
void gb_rtc_advance(gb_rtc *r, uint64_t seconds);

typedef struct gb_cart {
    const uint8_t *rom;
    uint32_t rom_size, rom_mask; /* mask: rom_size - 1 (sizes are powers of two) */
    uint8_t *ram;                /* host-owned save RAM, may be NULL */
    uint32_t ram_size, ram_mask;
    enum gb_mbc mbc;
    bool has_rtc;
    bool ram_enabled;
    uint8_t mode;                /* MBC1 banking mode */
    uint16_t rom_bank;           /* MBC1: low 5 bits; others: the whole number */
    uint8_t bank2;               /* MBC1 upper 2 bits; MBC3/5 RAM bank or RTC select */
    uint32_t rom0_off, romx_off; /* byte offsets of $0000 and $4000 banks, cached */
    int32_t ram_off;             /* byte offset of the $A000 bank; -1 = open bus */
    gb_rtc rtc, rtc_latched;
    uint64_t rtc_synced; /* CPU M-cycle count the clock was last brought up to */
    uint8_t latch_last;
    bool ram_dirty; /* public: set on any write to save RAM */
} gb_cart;

/* ---------------------------------------------------------------------------------
 * The machine.
 * ------------------------------------------------------------------------------- */
enum gb_button {
    GB_BTN_RIGHT = 0x01,
    GB_BTN_LEFT = 0x02,
    GB_BTN_UP = 0x04,
    GB_BTN_DOWN = 0x08,
    GB_BTN_A = 0x10,
    GB_BTN_B = 0x20,
    GB_BTN_SELECT = 0x40,
    GB_BTN_START = 0x80,
};

enum {
    GB_IRQ_VBLANK = 1,
    GB_IRQ_STAT = 2,
    GB_IRQ_TIMER = 4,
    GB_IRQ_SERIAL = 8,
    GB_IRQ_JOYPAD = 16
};

enum { GB_LCD_W = 160, GB_LCD_H = 144 };
/* M-cycles per frame: 154 lines of 114 M-cycles. */
enum { GB_MCYCLES_PER_FRAME = 154 * 114, GB_MCYCLES_PER_SECOND = 1048576 };

/* Events gb_run returns (a bit set). */
enum { GB_EV_BUDGET = 1, GB_EV_FRAME = 2, GB_EV_LD_B_B = 4, GB_EV_SERIAL = 8 };

/* What the host gives the machine. Any callback may be NULL. */
typedef struct gb_host {
    void *ctx;
    void (*serial_out)(void *ctx, uint8_t byte);     /* a byte sent with the internal clock */
    void (*frame)(void *ctx, const uint8_t *pixels); /* 160x144 shades 0..3, row-major */
    /* Audio: n stereo frames (left, right interleaved) at audio_rate frames/s. */
    void (*audio)(void *ctx, const int16_t *frames, size_t n);
    uint32_t audio_rate; /* e.g. 48000; 0 = no audio */
} gb_host;

/* One sound channel (square 1, square 2, wave, noise). */
typedef struct gb_apu_ch {
    bool on, dac, len_en;
    uint16_t len;  /* length counter: 0 = expired */
    uint16_t freq; /* 11-bit frequency register */
    int32_t timer; /* clocks until the next waveform step */
    uint8_t pos;   /* duty step 0-7, or wave sample 0-31 */
    uint8_t duty, vol, env_timer;
    uint16_t lfsr;
    uint8_t noise_shift, noise_div;
    bool noise_width7;
} gb_apu_ch;

typedef struct gb_apu {
    gb_apu_ch ch[4];
    bool power;
    uint8_t regs[0x30]; /* $FF00-$FF2F as written (only $10-$26 are used) */
    uint8_t wave[16];   /* wave RAM $FF30-$FF3F */
    uint8_t fs_next;    /* the frame sequencer's next step, 0-7 */
    bool sweep_on, sweep_negated;
    uint16_t sweep_shadow;
    uint8_t sweep_timer;
    uint64_t synced;    /* machine M-cycle the waveform generators are advanced to */
    int64_t wave_fetch; /* clock (T) of channel 3's last wave RAM fetch */
} gb_apu;

typedef struct gb_ppu {
    uint16_t dot;  /* T-cycle within the line, 0..455 */
    uint16_t next; /* dot of the next mode boundary */
    uint8_t ly, mode;
    uint32_t frames; /* public: frames finished (VBlank entries) */
    bool stat_line;  /* the STAT interrupt line, for its rising edge */
    uint8_t window_line;
    uint16_t draw_dots; /* public: this line's mode 3 length in dots (172-295) */
    uint8_t fb[GB_LCD_H][GB_LCD_W];
} gb_ppu;

typedef struct gb {
    gb_cpu cpu; /* public */
    gb_bus bus;
    gb_cart cart; /* public: info and save-RAM state */
    gb_host host;
    gb_ppu ppu;
    uint8_t vram[0x2000], wram[0x2000], oam[0xA0], hram[0x7F];
    uint8_t io[0x80]; /* I/O registers that need no side effects */
    uint8_t ie, iflag;
    uint16_t div; /* the 16-bit system counter; DIV is its top byte */
    uint8_t tima, tma, tac;
    uint16_t timer_bit;    /* the counter bit TAC selects, 0 while the timer is off */
    uint8_t tima_state;    /* 0 running, 1 overflowed (reads 0), 2 reloading */
    uint8_t serial_bits;   /* bits left in the transfer, 0 = idle */
    uint16_t serial_clock; /* M-cycles left until the next bit */
    uint8_t buttons;       /* gb_button bits currently held */
    uint8_t joyp_select;   /* P1 bits 4-5 as last written */
    bool dma_active;
    uint8_t dma_delay, dma_index;
    uint16_t dma_src;
    uint8_t events; /* GB_EV_* raised since the last gb_run */
    bool doctor;    /* public: LY always reads $90, as Gameboy Doctor's logs assume */
    gb_apu apu;
    uint64_t now;         /* M-cycles the machine has ticked (the clock of the APU/RTC) */
    uint64_t next_sample; /* M-cycle of the next audio frame (UINT64_MAX: none) */
    uint64_t samples;     /* audio frames produced */
    uint16_t audio_n;
    int16_t audio_buf[2 * 256];
} gb;

/* Sets up a machine for the ROM (which must stay alive as long as g) and optional
 * save RAM ram[0..ram_size) (host-owned; its contents are the loaded save). ram_size
 * may exceed what the header asks for (test ROMs that use $A000 without declaring
 * RAM). Returns 0 or a gb_status with err filled. */
int gb_init(gb *g, const uint8_t *rom, size_t rom_size, uint8_t *ram, size_t ram_size,
            const gb_host *host, gb_error *err);

/* Runs instructions until `mcycles` M-cycles have passed or one of the events in
 * `stop` happened. Returns the GB_EV_* bits that happened (GB_EV_BUDGET if the budget
 * ran out). */
unsigned gb_run(gb *g, uint64_t mcycles, unsigned stop);

/* Runs one instruction; returns its M-cycles. */
unsigned gb_step(gb *g);

/* Sets the buttons held now (gb_button bits); a newly pressed one raises the joypad
 * interrupt when its line is selected. */
void gb_set_buttons(gb *g, uint8_t buttons);

/* Reads memory as the CPU would, but without spending a cycle or side effects
 * (for debuggers). */
uint8_t gb_peek(const gb *g, uint16_t addr);

#endif
