/* main.c — kmain: the order in which the kernel brings itself up.
 *
 * Serial first, so every later step can report; then the CPU tables, so a mistake in
 * any later step is a readable exception instead of a silent reset; then memory, the
 * switch to the guarded stack, interrupts and the timer. What runs after that depends
 * on the image and the command line: the test image runs its tests (or, with
 * ktest.fault=NAME, one fault test), the plain image runs the demo tasks. */
#include <stdint.h>

#include "arch.h"
#include "cpu.h"
#include "exec.h"
#include "irq.h"
#include "kfmt.h"
#include "kprintf.h"
#include "lapic.h"
#include "ktest.h"
#include "layout.h"
#include "mb.h"
#include "mm.h"
#include "qemu.h"
#include "serial.h"
#include "tasks.h"
#include "timer.h"

void kmain(uint32_t magic, uint32_t info_pa);

static mb_info boot_info;
static char cmdline[256];

static void copy_cmdline(void)
{
    if (!(boot_info.flags & MB_INFO_CMDLINE) || boot_info.cmdline_pa == 0)
        return;
    const char *src = (const char *)(uintptr_t)boot_info.cmdline_pa;
    unsigned i = 0;
    for (; src[i] && i + 1 < sizeof cmdline; i++)
        cmdline[i] = src[i];
    cmdline[i] = '\0';
}

static void demo(void)
{
    uint64_t t0 = timer_ticks();
    timer_sleep_until(t0 + 10);
    kprintf("timer: slept 10 ticks (%llu -> %llu)\n", (unsigned long long)t0,
            (unsigned long long)timer_ticks());
    char *msg = kmalloc(64);
    void *big = kmalloc(10000);
    KASSERT(msg && big);
    kfmt_snprintf(msg, 64, "hello from the heap at %p", (void *)msg);
    kprintf("heap (%s): %s; %zu bytes in use in %zu pages\n", heap_name(), msg, heap_bytes_in_use(),
            heap_pages());
    kfree(big);
    kfree(msg);

    /* The executor and its tasks live until shutdown: permanent allocations. */
    exec *ex = kalloc_permanent(sizeof *ex, 64);
    exec_task *tick_task = kalloc_permanent(sizeof *tick_task, 16);
    exec_task *line_task = kalloc_permanent(sizeof *line_task, 16);
    struct ticker *ticker = kalloc_permanent(sizeof *ticker, 16);
    struct line_reader *reader = kalloc_permanent(sizeof *reader, 16);
    KASSERT(ex && tick_task && line_task && ticker && reader); /* panics: no return */
    // cppcheck-suppress nullPointerRedundantCheck
    *ticker = (struct ticker){.period = 20, .count = 5};
    // cppcheck-suppress nullPointerRedundantCheck
    *reader = (struct line_reader){.deadline = timer_ticks() + 10ull * TIMER_HZ};
    exec_init(ex, (exec_hooks){tasks_idle, tasks_done, NULL});
    exec_spawn(ex, tick_task, "ticker", ticker_poll, ticker);
    exec_spawn(ex, line_task, "reader", line_reader_poll, reader);
    kprintf("exec: running 2 tasks; type a line and press Enter (10 s)\n");
    int n = exec_run(ex);
    kprintf("exec: %d tasks finished at tick %llu\n", n, (unsigned long long)timer_ticks());
}

static void kmain_on_guarded_stack(void)
{
    heap_init();
    lapic_init();
    pic_init();
    timer_init();
    serial_enable_rx_irq();
    cpu_sti();
    kprintf("irq: PIC remapped to vectors 32-47; PIT at %u Hz; COM1 receive interrupt on\n",
            TIMER_HZ);
    char name[48];
    if (mb_cmdline_get(cmdline, "ktest.fault", name, sizeof name)) {
        ktest_run_fault(name);
        qemu_exit(QEMU_EXIT_FAIL);
    }
    if (ktest_count() > 0 && !mb_cmdline_get(cmdline, "demo", name, sizeof name)) {
        unsigned bad = ktest_run_all();
        qemu_exit(bad ? QEMU_EXIT_FAIL : QEMU_EXIT_PASS);
    }
    demo();
    kprintf("lab04: done, exiting\n");
    qemu_exit(QEMU_EXIT_PASS);
}

void kmain(uint32_t magic, uint32_t info_pa)
{
    serial_init();
    kprintf("lab04: kernel booting\n");
    gdt_init();
    idt_init();
    kprintf("cpu: GDT with TSS (double faults on IST%d), IDT for vectors 0-47\n", IST_DOUBLE_FAULT);
    mb_error err = {0, ""};
    if (mb_read_info(magic, (const uint8_t *)(uintptr_t)info_pa, MB_INFO_SIZE, &boot_info, &err))
        PANIC("multiboot: %s (EAX=0x%x)", err.what, magic);
    copy_cmdline();
    kprintf("boot: command line \"%s\"\n", cmdline);
    mm_init(&boot_info);
    mm_run_on_guarded_stack(kmain_on_guarded_stack);
}
