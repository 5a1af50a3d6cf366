/* serial.c — COM1 driver (see serial.h).
 *
 * Register offsets from the base port: 0 data (or divisor low with DLAB), 1 interrupt
 * enable (or divisor high), 2 FIFO control, 3 line control, 4 modem control, 5 line
 * status (bit 0: data ready, bit 5: transmitter holding register empty). OUT2 in the
 * modem control register gates the UART's interrupt line on PC hardware. */
#include "serial.h"

#include "arch.h"
#include "irq.h"
#include "ring.h"

#define REG_DATA 0
#define REG_IER 1
#define REG_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20

static ring rx;
static uint8_t rx_store[256];
static volatile bool have_waker;
static exec_waker rx_waker;

void serial_init(void)
{
    outb(COM1_PORT + REG_IER, 0x00); /* no interrupts yet */
    outb(COM1_PORT + REG_LCR, 0x80); /* DLAB: the next two writes set the divisor */
    outb(COM1_PORT + REG_DATA, 1);   /* 115200 / 1 = 115200 baud */
    outb(COM1_PORT + REG_IER, 0);
    outb(COM1_PORT + REG_LCR, 0x03); /* 8 data bits, no parity, 1 stop bit */
    outb(COM1_PORT + REG_FCR, 0xC7); /* FIFOs on, cleared, 14-byte threshold */
    outb(COM1_PORT + REG_MCR, 0x0B); /* DTR, RTS, OUT2 */
    ring_init(&rx, rx_store, sizeof rx_store);
}

static void put_raw(char c)
{
    while (!(inb(COM1_PORT + REG_LSR) & LSR_THRE))
        ;
    outb(COM1_PORT + REG_DATA, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
    bool on = irq_save(); /* keeps one kprintf line together */
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            put_raw('\r');
        put_raw(s[i]);
    }
    irq_restore(on);
}

static void serial_irq(void)
{
    while (inb(COM1_PORT + REG_LSR) & LSR_DR)
        ring_push(&rx, inb(COM1_PORT + REG_DATA));
    if (have_waker)
        exec_wake(rx_waker);
}

void serial_enable_rx_irq(void)
{
    irq_set_handler(COM1_IRQ, serial_irq);
    outb(COM1_PORT + REG_IER, 0x01); /* interrupt when data is received */
    irq_unmask(COM1_IRQ);
}

bool serial_read_byte(uint8_t *out)
{
    return ring_pop(&rx, out);
}

void serial_set_rx_waker(exec_waker w)
{
    bool on = irq_save();
    rx_waker = w;
    have_waker = true;
    irq_restore(on);
}

void serial_clear_rx_waker(void)
{
    have_waker = false;
}

size_t serial_rx_dropped(void)
{
    return atomic_load(&rx.dropped);
}
