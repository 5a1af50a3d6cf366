#!/bin/sh
# fuzz_smoke.sh — a short, bounded libFuzzer run of the ROM loader (prints TAP).
# Usage: fuzz_smoke.sh FUZZER CORPUS_DIR SEED_ROM...
fz=$1; corpus=$2; shift 2
mkdir -p "$corpus" && cp "$@" "$corpus"/
echo "1..1"
if out=$("$fz" -seed=1 -runs=3000 -max_len=65536 -rss_limit_mb=2048 "$corpus" 2>&1); then
    echo "ok 1 - 3000 fuzzed ROM images (seed 1) parsed and run without a crash"
else
    echo "not ok 1 - the fuzzer found a crash"; echo "$out" | tail -30 | sed 's/^/# /'; exit 1
fi
