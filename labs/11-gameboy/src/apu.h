/* apu.h — the APU's interface to the machine (internal to the core). */
#ifndef GB_APU_H
#define GB_APU_H

#include "gb.h"

/* The power-on state the boot ROM leaves. */
void gb_apu_reset(gb_apu *a);

/* Register access, $FF10-$FF3F (reg = address & 0xFF). */
uint8_t gb_apu_read(const gb_apu *a, uint8_t reg);
void gb_apu_write(gb_apu *a, uint8_t reg, uint8_t v);

/* One step of the 512 Hz frame sequencer (a falling edge of DIV bit 4). */
void gb_apu_frame_step(gb_apu *a);

/* Advances the waveform generators to M-cycle `now`. */
void gb_apu_sync(gb_apu *a, uint64_t now);

/* The current output as one stereo frame. */
void gb_apu_sample(gb_apu *a, int16_t out[2]);

#endif
