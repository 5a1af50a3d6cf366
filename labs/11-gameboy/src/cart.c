/* cart.c — the cartridge: header parsing and the memory bank controllers.
 *
 * gb_cart_parse validates the header ($0100-$014F) against the file's size before
 * anything trusts it. The MBCs map the CPU's $0000-$7FFF and $A000-$BFFF windows onto
 * the host's ROM and save-RAM buffers; every register write recomputes cached byte
 * offsets of the three windows, so a read is one add and one mask.
 */
#include "cart.h"

static int fail(gb_error *err, int code, uint32_t offset, uint32_t value, uint32_t expected,
                const char *what)
{
    if (err)
        *err = (gb_error){code, offset, value, expected, what};
    return code;
}

/* $0147: the cartridge types this core knows, with their MBC and extras. */
static bool cart_type(uint8_t t, gb_cart_info *info)
{
    static const struct {
        uint8_t type;
        uint8_t mbc;
        bool ram, battery, rtc, rumble;
    } types[] = {
        {0x00, GB_MBC_NONE, false, false, false, false},
        {0x08, GB_MBC_NONE, true, false, false, false},
        {0x09, GB_MBC_NONE, true, true, false, false},
        {0x01, GB_MBC1, false, false, false, false},
        {0x02, GB_MBC1, true, false, false, false},
        {0x03, GB_MBC1, true, true, false, false},
        {0x05, GB_MBC2, true, false, false, false},
        {0x06, GB_MBC2, true, true, false, false},
        {0x0F, GB_MBC3, false, true, true, false},
        {0x10, GB_MBC3, true, true, true, false},
        {0x11, GB_MBC3, false, false, false, false},
        {0x12, GB_MBC3, true, false, false, false},
        {0x13, GB_MBC3, true, true, false, false},
        {0x19, GB_MBC5, false, false, false, false},
        {0x1A, GB_MBC5, true, false, false, false},
        {0x1B, GB_MBC5, true, true, false, false},
        {0x1C, GB_MBC5, false, false, false, true},
        {0x1D, GB_MBC5, true, false, false, true},
        {0x1E, GB_MBC5, true, true, false, true},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (types[i].type == t) {
            info->mbc = (enum gb_mbc)types[i].mbc;
            info->has_ram = types[i].ram;
            info->has_battery = types[i].battery;
            info->has_rtc = types[i].rtc;
            info->has_rumble = types[i].rumble;
            return true;
        }
    }
    return false;
}

int gb_cart_parse(const uint8_t *rom, size_t size, gb_cart_info *info, gb_error *err)
{
    if (!rom || !info)
        return fail(err, GB_EINVAL, 0, 0, 0, "no ROM buffer or no info struct");
    *info = (gb_cart_info){0};
    if (size < 0x150)
        return fail(err, GB_ETRUNCATED, (uint32_t)size, (uint32_t)size, 0x150,
                    "ROM is shorter than its header ($0100-$014F)");
    /* The title: printable ASCII only, stopping at the first NUL. */
    size_t n = 0;
    for (size_t i = 0x134; i < 0x144 && rom[i]; i++)
        if (rom[i] >= 0x20 && rom[i] < 0x7F)
            info->title[n++] = (char)rom[i];
    info->title[n] = 0;
    info->type = rom[0x147];
    if (!cart_type(rom[0x147], info))
        return fail(err, GB_ECARTTYPE, 0x147, rom[0x147], 0,
                    "unknown or unsupported cartridge type");
    if (rom[0x148] > 8)
        return fail(err, GB_EROMSIZE, 0x148, rom[0x148], 0, "invalid ROM size code (0-8)");
    info->rom_size = (uint32_t)0x8000 << rom[0x148];
    static const uint32_t ram_sizes[] = {0, 0x800, 0x2000, 0x8000, 0x20000, 0x10000};
    if (rom[0x149] >= sizeof ram_sizes / sizeof ram_sizes[0])
        return fail(err, GB_ERAMSIZE, 0x149, rom[0x149], 0, "invalid RAM size code (0-5)");
    info->ram_size = ram_sizes[rom[0x149]];
    if (info->mbc == GB_MBC2) {
        if (rom[0x149] != 0)
            return fail(err, GB_ERAMSIZE, 0x149, rom[0x149], 0,
                        "MBC2 has built-in RAM; the RAM size code must be 0");
        info->ram_size = 512;
    } else if (!info->has_ram) {
        info->ram_size = 0;
    }
    uint8_t sum = 0;
    for (size_t i = 0x134; i <= 0x14C; i++)
        sum = (uint8_t)(sum - rom[i] - 1);
    info->header_checksum = rom[0x14D];
    if (sum != rom[0x14D])
        return fail(err, GB_ECHECKSUM, 0x14D, rom[0x14D], sum,
                    "header checksum does not match bytes $0134-$014C");
    if (size < info->rom_size)
        return fail(err, GB_ETRUNCATED, (uint32_t)size, (uint32_t)size, info->rom_size,
                    "ROM file is shorter than the size its header declares at $0148");
    uint16_t global = 0;
    for (size_t i = 0; i < info->rom_size; i++)
        if (i != 0x14E && i != 0x14F)
            global = (uint16_t)(global + rom[i]);
    info->global_checksum = (uint16_t)(rom[0x14E] << 8 | rom[0x14F]);
    info->global_checksum_ok = global == info->global_checksum;
    return GB_OK;
}

/* ---- bank mapping ------------------------------------------------------------- */

/* Recomputes the cached offsets of the $0000, $4000 and $A000 windows. */
static void remap(gb_cart *c)
{
    /* (bankx's initial value is only used by the learner edition's stub) */
    uint32_t bank0 = 0, bankx = c->rom_bank; // NOLINT(clang-analyzer-deadcode.DeadStores)
    int32_t ram = -1;
    /* SOLUTION BEGIN: per MBC, turn the bank registers into ROM bank numbers and a RAM offset (or -1) */
    switch (c->mbc) {
    case GB_MBC_NONE:
        bankx = 1;
        ram = 0;
        break;
    case GB_MBC1:
        /* 5-bit register, 0 reads as 1 (so $20/$40/$60 are unreachable at $4000);
         * the 2-bit register extends it and, in mode 1, also banks $0000 and RAM. */
        bankx = (uint32_t)((c->rom_bank & 0x1F) ? (c->rom_bank & 0x1F) : 1) | (uint32_t)c->bank2
                                                                                  << 5;
        bank0 = c->mode ? (uint32_t)c->bank2 << 5 : 0;
        ram = c->mode ? (int32_t)(c->bank2 & 3) * 0x2000 : 0;
        break;
    case GB_MBC2:
        bankx = (c->rom_bank & 0xF) ? (c->rom_bank & 0xFu) : 1u;
        ram = 0;
        break;
    case GB_MBC3:
        bankx = (c->rom_bank & 0x7F) ? (c->rom_bank & 0x7Fu) : 1u;
        ram = c->bank2 <= 3 ? (int32_t)c->bank2 * 0x2000 : -1; /* $08-$0C: RTC */
        break;
    case GB_MBC5:
        bankx = c->rom_bank & 0x1FF; /* bank 0 is allowed */
        ram = (int32_t)(c->bank2 & 0xF) * 0x2000;
        break;
    }
    /* SOLUTION END */
    c->rom0_off = (bank0 * 0x4000) & c->rom_mask;
    c->romx_off = (bankx * 0x4000) & c->rom_mask;
    c->ram_off = (!c->ram || (ram < 0)) ? -1 : (int32_t)((uint32_t)ram & c->ram_mask);
}

static uint32_t pow2_at_least(uint32_t n)
{
    uint32_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

int gb_cart_init(gb_cart *c, const uint8_t *rom, size_t rom_size, uint8_t *ram, size_t ram_size,
                 gb_cart_info *info, gb_error *err)
{
    int rc = gb_cart_parse(rom, rom_size, info, err);
    if (rc)
        return rc;
    if (ram_size < info->ram_size || (ram_size && !ram))
        return fail(err, GB_ERAMBUF, 0x149, (uint32_t)ram_size, info->ram_size,
                    "save-RAM buffer is smaller than the cartridge's RAM");
    *c = (gb_cart){.rom = rom,
                   .rom_size = info->rom_size,
                   .mbc = info->mbc,
                   .has_rtc = info->has_rtc,
                   .rom_bank = 1};
    c->rom_mask = info->rom_size - 1;
    /* Use the largest power of two the buffer holds, so RAM offsets can be masked. */
    if (ram && ram_size) {
        uint32_t r = pow2_at_least((uint32_t)(ram_size > 0x20000 ? 0x20000 : ram_size));
        if (r > ram_size)
            r >>= 1;
        c->ram = ram;
        c->ram_size = r;
        c->ram_mask = r - 1;
    }
    /* A ROM-only cart with a buffer given maps it always (test ROMs rely on that). */
    c->ram_enabled = c->mbc == GB_MBC_NONE;
    remap(c);
    return GB_OK;
}

/* ---- the MBC3 real-time clock -------------------------------------------------- */
void gb_rtc_tick(gb_rtc *r, uint32_t mcycles)
{
    if (r->halt)
        return;
    r->sub += mcycles;
    while (r->sub >= GB_MCYCLES_PER_SECOND) {
        r->sub -= GB_MCYCLES_PER_SECOND;
        /* Counters wrap at their register width, so out-of-range values written by a
         * game keep counting to 63/31 before wrapping, as on the chip. */
        if (++r->s == 60) {
            r->s = 0;
            if (++r->m == 60) {
                r->m = 0;
                if (++r->h == 24) {
                    r->h = 0;
                    if (++r->days == 512) {
                        r->days = 0;
                        r->carry = true;
                    }
                }
            }
        }
        r->s &= 63;
        r->m &= 63;
        r->h &= 31;
    }
}

void gb_rtc_advance(gb_rtc *r, uint64_t seconds)
{
    if (r->halt)
        return;
    /* Out-of-range values (a game may write 63 seconds) count up one second at a time
     * until they wrap; after that, plain arithmetic. */
    while (seconds && (r->s >= 60 || r->m >= 60 || r->h >= 24)) {
        gb_rtc_tick(r, GB_MCYCLES_PER_SECOND);
        seconds--;
    }
    uint64_t t = r->s + 60u * r->m + 3600u * r->h + 86400ull * r->days + seconds;
    r->s = (uint8_t)(t % 60);
    r->m = (uint8_t)(t / 60 % 60);
    r->h = (uint8_t)(t / 3600 % 24);
    uint64_t days = t / 86400;
    if (days >= 512)
        r->carry = true;
    r->days = (uint16_t)(days % 512);
}

static uint8_t rtc_read(const gb_cart *c)
{
    const gb_rtc *r = &c->rtc_latched;
    switch (c->bank2) {
    case 0x08:
        return (uint8_t)(r->s | 0xC0);
    case 0x09:
        return (uint8_t)(r->m | 0xC0);
    case 0x0A:
        return (uint8_t)(r->h | 0xE0);
    case 0x0B:
        return (uint8_t)r->days;
    case 0x0C:
        return (uint8_t)(0x3E | (r->days >> 8) | (r->halt ? 0x40 : 0) | (r->carry ? 0x80 : 0));
    default:
        return 0xFF;
    }
}

static void rtc_write(gb_cart *c, uint8_t v)
{
    gb_rtc *r = &c->rtc;
    switch (c->bank2) {
    case 0x08:
        r->s = v & 63;
        r->sub = 0;
        break; /* writing seconds resets the divider */
    case 0x09:
        r->m = v & 63;
        break;
    case 0x0A:
        r->h = v & 31;
        break;
    case 0x0B:
        r->days = (uint16_t)((r->days & 0x100) | v);
        break;
    case 0x0C:
        r->days = (uint16_t)((r->days & 0xFF) | (v & 1) << 8);
        r->halt = (v & 0x40) != 0;
        r->carry = (v & 0x80) != 0;
        break;
    default:
        break;
    }
    c->rtc_latched = *r;
}

/* ---- the CPU's view ------------------------------------------------------------ */
uint8_t gb_cart_read_ram(const gb_cart *c, uint16_t addr)
{
    if (!c->ram_enabled)
        return 0xFF;
    if (c->mbc == GB_MBC3 && c->has_rtc && c->bank2 >= 0x08)
        return rtc_read(c);
    if (c->ram_off < 0)
        return 0xFF;
    if (c->mbc == GB_MBC2) /* 512 half-bytes, repeated through $A000-$BFFF */
        return (uint8_t)(c->ram[addr & 0x1FF & c->ram_mask] | 0xF0);
    return c->ram[((uint32_t)c->ram_off + (addr & 0x1FFFu)) & c->ram_mask];
}

void gb_cart_write_ram(gb_cart *c, uint16_t addr, uint8_t v)
{
    if (!c->ram_enabled)
        return;
    if (c->mbc == GB_MBC3 && c->has_rtc && c->bank2 >= 0x08) {
        rtc_write(c, v);
        return;
    }
    if (c->ram_off < 0)
        return;
    if (c->mbc == GB_MBC2)
        c->ram[addr & 0x1FF & c->ram_mask] = (uint8_t)(v | 0xF0);
    else
        c->ram[((uint32_t)c->ram_off + (addr & 0x1FFFu)) & c->ram_mask] = v;
    c->ram_dirty = true;
}

/* A write to $0000-$7FFF: the MBC's registers. */
void gb_cart_write_rom(gb_cart *c, uint16_t addr, uint8_t v)
{
    /* SOLUTION BEGIN: decode the register from the address bits each MBC looks at, then remap */
    switch (c->mbc) {
    case GB_MBC_NONE:
        return;
    case GB_MBC1:
        switch (addr >> 13) {
        case 0:
            c->ram_enabled = (v & 0xF) == 0xA;
            break;
        case 1:
            c->rom_bank = v & 0x1F;
            break;
        case 2:
            c->bank2 = v & 3;
            break;
        default:
            c->mode = v & 1;
            break;
        }
        break;
    case GB_MBC2:
        if (addr >= 0x4000)
            return;
        if (addr & 0x100)
            c->rom_bank = v & 0xF;
        else
            c->ram_enabled = (v & 0xF) == 0xA;
        break;
    case GB_MBC3:
        switch (addr >> 13) {
        case 0:
            c->ram_enabled = (v & 0xF) == 0xA;
            break;
        case 1:
            c->rom_bank = v & 0x7F;
            break;
        case 2:
            c->bank2 = v & 0xF;
            break;
        default: /* writing 0 then 1 latches the clock */
            if (c->latch_last == 0 && v == 1)
                c->rtc_latched = c->rtc;
            c->latch_last = v;
            break;
        }
        break;
    case GB_MBC5:
        if (addr < 0x2000)
            c->ram_enabled = v == 0x0A; /* MBC5 compares all 8 bits */
        else if (addr < 0x3000)
            c->rom_bank = (uint16_t)((c->rom_bank & 0x100) | v);
        else if (addr < 0x4000)
            c->rom_bank = (uint16_t)((c->rom_bank & 0xFF) | (v & 1) << 8);
        else if (addr < 0x6000)
            c->bank2 = v & 0xF;
        break;
    }
    /* SOLUTION END */
    remap(c);
}
