/* qemu.h — leaving QEMU with a status the host can read.
 *
 * QEMU's isa-debug-exit device (-device isa-debug-exit,iobase=0xf4,iosize=0x04) ends
 * the emulator when the guest writes a value v to port 0xf4; QEMU's exit status is
 * then (v << 1) | 1, so it is always odd and never 0 (which is what a triple fault
 * with -no-reboot gives). On real hardware the write does nothing and the caller
 * halts instead. */
#ifndef QEMU_H
#define QEMU_H

#define QEMU_EXIT_PASS 0x10  /* status 33: all tests passed / demo finished */
#define QEMU_EXIT_FAIL 0x11  /* status 35: some in-kernel test failed */
#define QEMU_EXIT_PANIC 0x12 /* status 37: the kernel panicked */

/* Exits QEMU with code; halts forever if there is no debug-exit device. */
_Noreturn void qemu_exit(unsigned code);

#endif
