#!/bin/sh
# cli.sh — the `gb` program end to end (prints TAP): exit codes of `gb test` for a
# passing and a failing ROM, clear errors for bad files, a PNG from `gb run`, the
# trace format and a scripted debugger session. Usage: cli.sh GB ROMDIR
gb=$1; roms=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0; bad=0
check() { # check NAME CONDITION-EXIT-STATUS [DETAIL]
    n=$((n + 1))
    if [ "$2" = 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; [ -n "${3:-}" ] && echo "# $3"; bad=1; fi
}
echo "1..15"

out=$("$gb" test "$roms/timer.gb" 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "passed (serial"; check "gb test: a passing ROM exits 0" $? "$out"

# A failing ROM: patch the timer ROM's first EXPECT value (14 -> 15), fix the checksums.
python3 - "$roms/timer.gb" "$tmp/bad.gb" <<'PY'
import sys
rom = bytearray(open(sys.argv[1], 'rb').read())
i = rom.index(bytes([0xFE, 14, 0xC4]))          # CP 14; CALL NZ,fail
rom[i + 1] = 15
s = 0
for b in rom[0x134:0x14D]: s = (s - b - 1) & 0xFF
rom[0x14D] = s
open(sys.argv[2], 'wb').write(rom)
PY
out=$("$gb" test "$tmp/bad.gb" 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "Failed #01 got 0E"; check "gb test: a failing ROM exits 1 and says which check" $? "$out"

out=$("$gb" test "$roms/timer.gb" --timeout 0.001 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "time limit"; check "gb test: the time limit ends a run with exit 1" $? "$out"

head -c 300 "$roms/timer.gb" > "$tmp/short.gb"
out=$("$gb" test "$tmp/short.gb" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "short.gb: bad ROM: ROM is shorter than its header"; check "a truncated ROM is a clear error" $? "$out"

python3 -c "
import sys; r = bytearray(open('$roms/timer.gb','rb').read()); r[0x14D] ^= 1; open('$tmp/sum.gb','wb').write(r)"
out=$("$gb" info "$tmp/sum.gb" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q 'header checksum.*at \$014D'; check "a bad header checksum names the offset" $? "$out"

out=$("$gb" test /nonexistent.gb 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "No such file"; check "a missing file is a clear error" $? "$out"

out=$("$gb" run "$roms/dma.gb" --frames many 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q -- "--frames needs a number"; check "a bad option value is a clear error" $? "$out"

"$gb" run "$roms/timer.gb" --frames 3 --screenshot "$tmp/shot.png" >/dev/null 2>&1 &&
    head -c 8 "$tmp/shot.png" | od -An -c | grep -q "P   N   G"; check "gb run --screenshot writes a PNG" $?

"$gb" run "$roms/timer.gb" --frames 60 --wav "$tmp/out.wav" >/dev/null 2>&1 &&
    python3 - "$tmp/out.wav" <<'PY'
import sys, wave
w = wave.open(sys.argv[1])
assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, 48000)
assert abs(w.getnframes() - 60 * 70224 * 48000 // 4194304) <= 256, w.getnframes()
PY
check "gb run --wav writes 16-bit stereo 48 kHz for the frames run" $?

# The pattern ROM's picture, decoded from the PNG (8-bit grey, filter bytes per row).
"$gb" run "$roms/pattern.gb" --frames 10 --screenshot "$tmp/pattern.png" >/dev/null 2>&1 &&
    python3 - "$tmp/pattern.png" <<'PY'
import sys, zlib, struct
data = open(sys.argv[1], 'rb').read()
pos, idat, w = 8, b'', 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    if kind == b'IHDR': w = struct.unpack('>I', data[pos + 8:pos + 12])[0]
    if kind == b'IDAT': idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
raw, rows, prev = zlib.decompress(idat), [], bytearray(w)
for y in range(144):
    f, line = raw[y * (w + 1)], bytearray(raw[y * (w + 1) + 1:(y + 1) * (w + 1)])
    for x in range(w):  # undo the PNG filters (None, Sub, Up, Average, Paeth)
        a, b, c = (line[x - 1] if x else 0), prev[x], (prev[x - 1] if x else 0)
        p = a + b - c
        paeth = a if abs(p - a) <= min(abs(p - b), abs(p - c)) else (b if abs(p - b) <= abs(p - c) else c)
        line[x] = (line[x] + [0, a, b, (a + b) // 2, paeth][f]) & 0xFF
    rows.append(line); prev = line
want = {(10, 10): 0xFF, (50, 10): 0xAA, (90, 10): 0x55, (130, 10): 0x00,  # the bands
        (78, 62): 0x00,                                                 # the sprite
        (0, 130): 0x00, (1, 130): 0xFF, (0, 131): 0xFF}                 # the window
bad = [(xy, rows[xy[1]][xy[0]], v) for xy, v in want.items() if rows[xy[1]][xy[0]] != v]
assert not bad, bad
PY
check "the pattern ROM's screenshot has its bands, sprite and window" $?

# Battery saves: mbc1.gb (MBC1+RAM+BATTERY) writes $5C at $A000 (bank 0) and $C3 in
# bank 2; `gb run` must leave both in ROM.sav, and load it again next time.
cp "$roms/mbc1.gb" "$tmp/save.gb"
"$gb" run "$tmp/save.gb" --frames 10 >/dev/null 2>&1 &&
    python3 -c "
import sys; d = open('$tmp/save.sav', 'rb').read()
assert len(d) == 32768 and d[0] == 0x5C and d[0x4000] == 0xC3, (len(d), d[0], d[0x4000])" &&
    python3 -c "
d = bytearray(open('$tmp/save.sav', 'rb').read()); d[100] = 0x77; open('$tmp/save.sav', 'wb').write(d)" &&
    "$gb" run "$tmp/save.gb" --frames 10 >/dev/null 2>&1 &&
    python3 -c "
d = open('$tmp/save.sav', 'rb').read(); assert d[100] == 0x77 and d[0] == 0x5C"
check "gb run keeps battery RAM in ROM.sav across runs" $?

# MBC3 clock saves: a ROM that sets the clock's seconds to 5 on its first run only
# (it marks $A000); the save's trailer is then moved 100 s into the past, and the
# next run must come back with the clock 100 s further on (0:01:45).
python3 - "$tmp/clock.gb" <<'PY'
import sys
rom = bytearray(32768)
rom[0x100:0x104] = bytes([0x00, 0xC3, 0x50, 0x01])
rom[0x134:0x139] = b'CLOCK'
rom[0x147], rom[0x148], rom[0x149] = 0x10, 0, 2       # MBC3+TIMER+RAM+BATTERY, 8 KiB
rom[0x150:0x172] = bytes([
    0x3E, 0x0A, 0xEA, 0x00, 0x00,   # enable RAM and clock
    0x3E, 0x00, 0xEA, 0x00, 0x40,   # RAM bank 0
    0xFA, 0x00, 0xA0, 0xFE, 0x99,   # LD A,($A000); CP $99
    0x28, 0x0F,                     # JR Z,done
    0x3E, 0x99, 0xEA, 0x00, 0xA0,   # mark
    0x3E, 0x08, 0xEA, 0x00, 0x40,   # select seconds
    0x3E, 0x05, 0xEA, 0x00, 0xA0,   # seconds = 5
    0x18, 0xFE])                    # done: JR -2
s = 0
for b in rom[0x134:0x14D]: s = (s - b - 1) & 0xFF
rom[0x14D] = s
open(sys.argv[1], 'wb').write(rom)
PY
"$gb" run "$tmp/clock.gb" --frames 10 >/dev/null 2>&1 &&
    python3 - "$tmp/clock.sav" <<'PY' &&
import sys, struct
d = bytearray(open(sys.argv[1], 'rb').read())
assert len(d) == 8192 + 16 and d[0] == 0x99 and d[8192:8195] == bytes([5, 0, 0]), d[8192:8200]
when = struct.unpack('<Q', d[8200:8208])[0]
d[8200:8208] = struct.pack('<Q', when - 100)
open(sys.argv[1], 'wb').write(d)
PY
    "$gb" run "$tmp/clock.gb" --frames 10 >/dev/null 2>&1 &&
    python3 -c "
d = open('$tmp/clock.sav', 'rb').read()
assert d[8192:8195] in (bytes([45, 1, 0]), bytes([46, 1, 0])), list(d[8192:8197])"
check "an MBC3 clock is saved with the RAM and advanced by the time since" $?

out=$("$gb" run "$roms/timer.gb" --frames 10 --serial 2>&1)
[ "$out" = "Passed" ]; check "gb run --serial prints the serial text" $? "$out"

"$gb" debug "$roms/timer.gb" --trace "$tmp/trace.log" --steps 1000 &&
    [ "$(wc -l < "$tmp/trace.log")" = 1000 ] &&
    head -1 "$tmp/trace.log" | grep -Eq '^A:01 F:B0 B:00 C:13 D:00 E:D8 H:01 L:4D SP:FFFE PC:0100 PCMEM:00,C3,50,01$' &&
    ! grep -Evq '^A:[0-9A-F]{2} F:[0-9A-F]{2} B:[0-9A-F]{2} C:[0-9A-F]{2} D:[0-9A-F]{2} E:[0-9A-F]{2} H:[0-9A-F]{2} L:[0-9A-F]{2} SP:[0-9A-F]{4} PC:[0-9A-F]{4} PCMEM:([0-9A-F]{2},){3}[0-9A-F]{2}$' "$tmp/trace.log"
check "gb debug --trace writes Gameboy Doctor lines" $?

out=$(printf 'b 150\nc\nr\nu 150 2\nx c000 2\nq\n' | "$gb" debug "$roms/timer.gb" 2>&1)
echo "$out" | grep -q "breakpoint at 0150" && echo "$out" | grep -q "PC:0150" &&
    echo "$out" | grep -q "0150  F3        DI" && echo "$out" | grep -q "C000: "
check "gb debug: breakpoint, registers, disassembly, memory" $? "$out"
exit $bad
