/* ppu.c — the picture processing unit: the mode machine, STAT interrupts and a
 * scanline renderer.
 *
 * A line is 456 dots: mode 2 (OAM scan, 80 dots), mode 3 (drawing, 172 dots plus the
 * penalties Pan Docs lists under "Rendering: Mode 3 length": SCX % 8, 6 for the
 * window, 6-11 per object), mode 0 (HBlank, the rest); lines 144-153 are mode 1
 * (VBlank). The length is fixed when mode 3 starts; the boundary is seen at the
 * first M-cycle (4 dots) that reaches it. The tick only adds 4 dots and compares with the next
 * boundary, so the per-M-cycle cost is two instructions; at a boundary the mode
 * changes, the STAT line is re-evaluated (the interrupt fires on its rising edge) and,
 * entering HBlank, the whole line is rendered from VRAM and OAM as they are then.
 */
#include "ppu.h"

enum {
    LCDC = 0x40,
    STAT = 0x41,
    SCY = 0x42,
    SCX = 0x43,
    LYC = 0x45,
    BGP = 0x47,
    OBP0 = 0x48,
    OBP1 = 0x49,
    WY = 0x4A,
    WX = 0x4B
};
enum { MODE_HBLANK = 0, MODE_VBLANK = 1, MODE_OAM = 2, MODE_DRAW = 3 };
enum { DOT_DRAW = 80, DRAW_MIN = 172, DOTS_PER_LINE = 456 };

static bool lcd_on(const gb *g)
{
    return (g->io[LCDC] & 0x80) != 0;
}

/* The STAT interrupt line: OR of the enabled sources; the IRQ is its rising edge. */
static void update_stat_line(gb *g)
{
    gb_ppu *p = &g->ppu;
    uint8_t stat = g->io[STAT];
    bool line =
        lcd_on(g) &&
        (((stat & 0x40) && p->ly == g->io[LYC]) || ((stat & 0x08) && p->mode == MODE_HBLANK) ||
         ((stat & 0x10) && p->mode == MODE_VBLANK) || ((stat & 0x20) && p->mode == MODE_OAM));
    if (line && !p->stat_line)
        g->iflag |= GB_IRQ_STAT;
    p->stat_line = line;
}

/* ---- rendering -------------------------------------------------------------------- */

/* Colour number 0..3 of pixel (x, y) of the tile whose data starts at vram offset t. */
static inline unsigned tile_pixel(const gb *g, unsigned t, unsigned x, unsigned y)
{
    uint8_t lo = g->vram[(t + y * 2) & 0x1FFF], hi = g->vram[(t + y * 2 + 1) & 0x1FFF];
    unsigned bit = 7 - (x & 7);
    return (((unsigned)hi >> bit) & 1u) << 1 | (((unsigned)lo >> bit) & 1u);
}

/* VRAM offset of a BG/window tile's data: LCDC bit 4 picks unsigned indices from
 * $8000 or signed ones around $9000. */
static inline unsigned tile_addr(const gb *g, uint8_t idx)
{
    if (g->io[LCDC] & 0x10)
        return idx * 16u;
    return (unsigned)(0x1000 + (int8_t)idx * 16);
}

/* Colour numbers for screen pixels x0..159 from a 256x256 tile map, starting at map
 * pixel (mx, my) (mx wraps at 256): one tile-row fetch per 8 pixels. */
static void render_tiles(const gb *g, uint8_t *colors, unsigned x0, unsigned map, unsigned mx,
                         unsigned my)
{
    const uint8_t *row = &g->vram[map + ((my & 255) / 8) * 32];
    for (unsigned x = x0; x < GB_LCD_W;) {
        unsigned bx = mx & 255;
        unsigned t = tile_addr(g, row[bx / 8]) + (my & 7) * 2;
        unsigned lo = g->vram[t & 0x1FFF], hi = g->vram[(t + 1) & 0x1FFF];
        if ((bx & 7) == 0 && x + 8 <= GB_LCD_W) { /* a whole tile row: 4 pixels a step */
            /* spread[n]: the 4 bits of n, most significant first, one per byte */
            static const uint32_t spread[16] = {0x00000000, 0x01000000, 0x00010000, 0x01010000,
                                                0x00000100, 0x01000100, 0x00010100, 0x01010100,
                                                0x00000001, 0x01000001, 0x00010001, 0x01010001,
                                                0x00000101, 0x01000101, 0x00010101, 0x01010101};
            uint32_t left = spread[lo >> 4] | spread[hi >> 4] << 1;
            uint32_t right = spread[lo & 15] | spread[hi & 15] << 1;
            for (unsigned i = 0; i < 4; i++) {
                colors[x + i] = (uint8_t)(left >> (8 * i));
                colors[x + 4 + i] = (uint8_t)(right >> (8 * i));
            }
            x += 8;
            mx += 8;
            continue;
        }
        for (unsigned px = bx & 7; px < 8 && x < GB_LCD_W; px++, x++, mx++)
            colors[x] = (uint8_t)(((hi >> (7 - px)) & 1u) << 1 | ((lo >> (7 - px)) & 1u));
    }
}

static void render_bg(gb *g, uint8_t *colors)
{
    const uint8_t lcdc = g->io[LCDC], ly = g->ppu.ly;
    if (!(lcdc & 0x01)) { /* DMG: BG and window off show colour 0 */
        for (unsigned x = 0; x < GB_LCD_W; x++)
            colors[x] = 0;
        return;
    }
    unsigned map = (lcdc & 0x08) ? 0x1C00 : 0x1800;
    unsigned y = (uint8_t)(ly + g->io[SCY]);
    render_tiles(g, colors, 0, map, g->io[SCX], y);
    /* The window: from WX-7 on, while WY <= LY; it keeps its own line counter. */
    unsigned wx = g->io[WX];
    if ((lcdc & 0x20) && g->io[WY] <= ly && wx <= 166) {
        unsigned wmap = (lcdc & 0x40) ? 0x1C00 : 0x1800, wy = g->ppu.window_line++;
        unsigned x0 = wx < 7 ? 0 : wx - 7;
        render_tiles(g, colors, x0, wmap, x0 + 7 - wx, wy);
    }
}

/* Picks up to 10 sprites on this line in OAM order, then orders them by priority:
 * smaller X first, OAM index breaking ties (DMG rules). Returns how many. */
static unsigned select_sprites(const gb *g, unsigned height, uint8_t *out)
{
    unsigned n = 0;
    for (unsigned i = 0; i < 40 && n < 10; i++) {
        int top = g->oam[(size_t)i * 4] - 16;
        if (g->ppu.ly >= top && g->ppu.ly < top + (int)height)
            out[n++] = (uint8_t)i;
    }
    for (unsigned i = 1; i < n; i++) { /* insertion sort: stable, so OAM order stays */
        uint8_t s = out[i];
        unsigned j = i;
        while (j > 0 && g->oam[out[j - 1] * 4 + 1] > g->oam[s * 4 + 1]) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = s;
    }
    return n;
}

static void render_sprites(gb *g, const uint8_t *bg, uint8_t *row)
{
    /* SOLUTION BEGIN: per pixel, the first sprite in priority order with a non-zero colour wins; then its BG-priority bit decides against BG colours 1-3 */
    const uint8_t lcdc = g->io[LCDC];
    unsigned height = (lcdc & 0x04) ? 16 : 8;
    uint8_t list[10];
    unsigned n = select_sprites(g, height, list);
    bool taken[GB_LCD_W] = {false};
    for (unsigned k = 0; k < n; k++) {
        const uint8_t *s = &g->oam[(size_t)list[k] * 4];
        unsigned y = (unsigned)(g->ppu.ly - (s[0] - 16)), tile = s[2];
        uint8_t attr = s[3], pal = g->io[(attr & 0x10) ? OBP1 : OBP0];
        if (attr & 0x40)
            y = height - 1 - y;
        if (height == 16)
            tile &= 0xFE;
        for (unsigned dx = 0; dx < 8; dx++) {
            int x = s[1] - 8 + (int)dx;
            if (x < 0 || x >= GB_LCD_W || taken[x])
                continue;
            unsigned c =
                tile_pixel(g, tile * 16 + (y / 8) * 16, (attr & 0x20) ? 7 - dx : dx, y & 7);
            if (c == 0)
                continue; /* transparent: a lower-priority sprite may show here */
            taken[x] = true;
            if ((attr & 0x80) && bg[x] != 0)
                continue; /* behind BG colours 1-3 */
            row[x] = (uint8_t)((pal >> (c * 2)) & 3);
        }
    }
    /* SOLUTION END */
}

static void render_line(gb *g)
{
    uint8_t colors[GB_LCD_W];
    uint8_t *row = g->ppu.fb[g->ppu.ly];
    unsigned bgp = g->io[BGP];
    const uint8_t shade[4] = {(uint8_t)(bgp & 3), (uint8_t)((bgp >> 2) & 3),
                              (uint8_t)((bgp >> 4) & 3), (uint8_t)(bgp >> 6)};
    render_bg(g, colors);
    for (unsigned x = 0; x < GB_LCD_W; x++)
        row[x] = shade[colors[x] & 3];
    if (g->io[LCDC] & 0x02)
        render_sprites(g, colors, row);
}

/* ---- mode 3's length ----------------------------------------------------------------- */

/* Whether the window shows on the current line (the same test render_bg makes). */
static bool window_on_line(const gb *g)
{
    return (g->io[LCDC] & 0x21) == 0x21 && g->io[WY] <= g->ppu.ly && g->io[WX] <= 166;
}

/* Dots of mode 3 on this line, from the registers and OAM as mode 3 starts (Pan Docs,
 * "Rendering: Mode 3 length" and "OBJ penalty algorithm"):
 *   172, plus SCX % 8 (pixels of the first tile thrown away),
 *   plus 6 if the window starts on this line (the fetcher restarts on the window),
 *   plus, per object drawn (X 1-167, objects enabled), 6 for fetching its tile and,
 *   for the first object whose leftmost pixel falls in a given BG or window tile,
 *   max(0, pixels of that tile right of that pixel - 2) waiting for the BG fetch;
 *   an object at X = 0 counts as pixel 0 of its tile whatever SCX is (6 + 5 = 11,
 *   Pan Docs' exception). Objects are taken left to right, OAM order breaking ties. */
static unsigned draw_length(const gb *g)
{
    /* SOLUTION BEGIN: 172 + SCX%8 + 6 with the window + per object 6 (+ the BG-fetch wait for the first object in a tile; X=0 is pixel 0) */
    const uint8_t lcdc = g->io[LCDC];
    unsigned dots = DRAW_MIN + (g->io[SCX] & 7u);
    bool win = window_on_line(g);
    unsigned wstart = g->io[WX]; /* screen x + 7 where the window begins */
    if (win)
        dots += 6;
    if (!(lcdc & 0x02))
        return dots;
    uint8_t list[10];
    unsigned n = select_sprites(g, (lcdc & 0x04) ? 16 : 8, list);
    /* Tiles already waited for: BG tiles 0-20 of the line, window tiles 32-52. */
    uint64_t seen = 0;
    for (unsigned k = 0; k < n; k++) {
        unsigned x = g->oam[list[k] * 4 + 1]; /* screen x + 8 of the leftmost pixel */
        if (x >= GB_LCD_W + 8)
            continue; /* never reached: not drawn, no penalty */
        unsigned pos, tile;
        if (x == 0) { /* wholly off the left edge: pixel 0 of tile 0 whatever SCX is */
            pos = 0;
            tile = 0;
        } else if (win && x + 7 >= wstart + 8) { /* in the window: count from its left edge */
            pos = x + 7 - wstart;
            tile = 32 + pos / 8;
        } else { /* in the BG: tile boundaries sit SCX % 8 pixels left of the screen's */
            pos = x + (g->io[SCX] & 7u);
            tile = pos / 8;
        }
        if (!(seen >> tile & 1u)) {
            seen |= (uint64_t)1 << tile;
            unsigned right = 7 - (pos & 7); /* the tile's pixels right of this one */
            dots += right > 2 ? right - 2 : 0;
        }
        dots += 6;
    }
    return dots;
    /* SOLUTION END */
}

/* ---- the mode machine --------------------------------------------------------------- */

/* A mode boundary was reached: change mode, maybe finish a line or a frame. */
void gb_ppu_event(gb *g)
{
    gb_ppu *p = &g->ppu;
    /* SOLUTION BEGIN: 80 dots OAM scan, draw_length() dots drawing (render at its end), HBlank to 456; VBlank from line 144 to 153 */
    if (p->dot >= DOTS_PER_LINE) {
        p->dot = 0;
        p->ly++;
        if (p->ly == GB_LCD_H) {
            p->mode = MODE_VBLANK;
            g->iflag |= GB_IRQ_VBLANK;
            g->events |= GB_EV_FRAME;
            p->frames++;
            if (g->host.frame)
                g->host.frame(g->host.ctx, &p->fb[0][0]);
        } else if (p->ly == 154) {
            p->ly = 0;
            p->window_line = 0;
        }
        if (p->ly < GB_LCD_H) {
            p->mode = MODE_OAM;
            p->next = DOT_DRAW;
        } else {
            p->next = DOTS_PER_LINE;
        }
    } else if (p->mode == MODE_DRAW) {
        p->mode = MODE_HBLANK;
        p->next = DOTS_PER_LINE;
        render_line(g);
    } else if (p->ly < GB_LCD_H) { /* dot 80: from mode 2 (or the first line's mode 0) */
        p->mode = MODE_DRAW;
        p->draw_dots = (uint16_t)draw_length(g);
        p->next = (uint16_t)(DOT_DRAW + p->draw_dots);
    }
    /* SOLUTION END */
    update_stat_line(g);
}

void gb_ppu_write(gb *g, uint8_t reg, uint8_t v)
{
    gb_ppu *p = &g->ppu;
    if (reg == LCDC) {
        bool was_on = lcd_on(g);
        g->io[LCDC] = v;
        if (was_on && !(v & 0x80)) { /* off: LY=0, mode 0, the clock stops */
            p->ly = 0;
            p->dot = 0;
            p->mode = MODE_HBLANK;
            p->next = 0xFFFF;
        } else if (!was_on && (v & 0x80)) {
            /* The first line after switching on is one M-cycle short and has no OAM
             * scan: it reads as mode 0 until drawing starts (Blargg's oam_bug
             * 1-lcd_sync pins LY's first step to 113 M-cycles after the write). */
            p->ly = 0;
            p->dot = 4;
            p->mode = MODE_HBLANK;
            p->next = DOT_DRAW;
            p->window_line = 0;
        }
    } else if (reg == STAT) {
        g->io[STAT] = (uint8_t)((g->io[STAT] & 0x07) | (v & 0x78));
    } else {
        g->io[reg] = v;
    }
    update_stat_line(g);
}

uint8_t gb_ppu_stat(const gb *g)
{
    const gb_ppu *p = &g->ppu;
    uint8_t coincidence = (lcd_on(g) && p->ly == g->io[LYC]) ? 0x04 : 0;
    return (uint8_t)(0x80 | (g->io[STAT] & 0x78) | coincidence | (lcd_on(g) ? p->mode : 0));
}

void gb_ppu_reset(gb *g)
{
    gb_ppu *p = &g->ppu;
    /* The boot ROM hands over in the first VBlank line with the LCD on. */
    p->ly = 0;
    p->dot = 0;
    p->mode = MODE_OAM;
    p->next = DOT_DRAW;
    g->io[STAT] = 0x80;
    for (unsigned y = 0; y < GB_LCD_H; y++)
        for (unsigned x = 0; x < GB_LCD_W; x++)
            p->fb[y][x] = 0;
    update_stat_line(g);
}
