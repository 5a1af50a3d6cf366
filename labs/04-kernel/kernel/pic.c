/* pic.c — the 8259A pair: remap, mask, end-of-interrupt (see irq.h).
 *
 * The initialisation sequence is four bytes per chip (ICW1-ICW4): "start, edge
 * triggered, ICW4 follows", the vector offset, how the chips are cascaded (slave on
 * master's line 2) and "8086 mode". A spurious interrupt (IRQ 7 or 15 whose bit is
 * not set in the in-service register) must not get an EOI from that chip. */
#include "irq.h"

#include "arch.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI 0x20
#define PIC_READ_ISR 0x0B

static irq_handler handlers[IRQ_COUNT];
static volatile uint64_t counts[IRQ_COUNT];

static void io_wait(void)
{
    outb(0x80, 0); /* an unused port: gives old PICs time between writes */
}

void pic_init(void)
{
    outb(PIC1_CMD, 0x11);
    io_wait();
    outb(PIC2_CMD, 0x11);
    io_wait();
    outb(PIC1_DATA, IRQ_BASE_VECTOR);
    io_wait();
    outb(PIC2_DATA, IRQ_BASE_VECTOR + 8);
    io_wait();
    outb(PIC1_DATA, 1u << 2); /* master: slave on line 2 */
    io_wait();
    outb(PIC2_DATA, 2); /* slave: cascade identity 2 */
    io_wait();
    outb(PIC1_DATA, 0x01);
    io_wait();
    outb(PIC2_DATA, 0x01);
    io_wait();
    outb(PIC1_DATA, 0xFF & ~(1u << 2)); /* all masked except the cascade line */
    outb(PIC2_DATA, 0xFF);
}

void irq_set_handler(unsigned irq, irq_handler h)
{
    if (irq < IRQ_COUNT)
        handlers[irq] = h;
}

void irq_unmask(unsigned irq)
{
    uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
    outb(port, (uint8_t)(inb(port) & ~(1u << (irq % 8))));
}

void irq_mask(unsigned irq)
{
    uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
    outb(port, (uint8_t)(inb(port) | (1u << (irq % 8))));
}

static int in_service(uint16_t cmd, unsigned line)
{
    outb(cmd, PIC_READ_ISR);
    return (inb(cmd) >> line) & 1;
}

void irq_dispatch(unsigned irq)
{
    counts[irq]++;
    if (irq == 7 && !in_service(PIC1_CMD, 7))
        return; /* spurious: no EOI */
    if (irq == 15 && !in_service(PIC2_CMD, 7)) {
        outb(PIC1_CMD, PIC_EOI); /* the master did see the cascade line */
        return;
    }
    if (handlers[irq])
        handlers[irq]();
    if (irq >= 8)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}

uint64_t irq_count(unsigned irq)
{
    return irq < IRQ_COUNT ? counts[irq] : 0;
}
