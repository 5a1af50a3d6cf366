/* lapic.c — local APIC virtual wire mode (see lapic.h).
 *
 * The registers are 32 bits wide at 16-byte spacing from the base in IA32_APIC_BASE
 * (MSR 0x1B); they must be read and written as aligned 32-bit volatile accesses
 * through an uncached mapping (PCD|PWT), or a write could sit in the cache and never
 * reach the device. Register offsets: Intel SDM Vol. 3A, table 11-1. */
#include "lapic.h"

#include "arch.h"
#include "cpu.h"
#include "kerr.h"
#include "kprintf.h"
#include "layout.h"
#include "mm.h"

#define MSR_APIC_BASE 0x1Bu
#define APIC_GLOBAL_ENABLE (1ull << 11)
#define REG_TPR 0x080
#define REG_SVR 0x0F0
#define REG_LVT_LINT0 0x350
#define REG_LVT_LINT1 0x360
#define SVR_ENABLE 0x100
#define LVT_EXTINT 0x700
#define LVT_NMI 0x400

extern void isr_apic_spurious(void);

static uint64_t phys;

static void reg_write(unsigned off, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)(MMIO_BASE + off) = v;
}

uint64_t lapic_phys(void)
{
    return phys;
}

void lapic_init(void)
{
    uint64_t msr = rdmsr(MSR_APIC_BASE);
    if (!(msr & APIC_GLOBAL_ENABLE)) {
        kprintf("apic: local APIC disabled by the firmware: PIC interrupts go straight in\n");
        return;
    }
    phys = msr & 0x000ffffffffff000ull;
    uint64_t flags = PTE_W | PTE_PCD | PTE_PWT | (mm_have_nx() ? PTE_NX : 0);
    int rc = pt_map(mm_kernel_pt(), MMIO_BASE, phys, flags);
    if (rc)
        PANIC("cannot map the local APIC at 0x%llx: %s", (unsigned long long)phys, kerr_name(rc));
    idt_set_stub(LAPIC_SPURIOUS_VECTOR, isr_apic_spurious);
    reg_write(REG_SVR, SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
    reg_write(REG_LVT_LINT0, LVT_EXTINT); /* unmasked, edge: the PIC's INTR */
    reg_write(REG_LVT_LINT1, LVT_NMI);
    reg_write(REG_TPR, 0); /* accept every priority */
    kprintf("apic: local APIC 0x%llx mapped uncached at 0x%llx; LINT0 = ExtINT (virtual "
            "wire), LINT1 = NMI\n",
            (unsigned long long)phys, (unsigned long long)MMIO_BASE);
}
