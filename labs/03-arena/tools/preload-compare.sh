#!/bin/sh
# preload-compare.sh — run real programs with glibc's malloc and with libarena_malloc.so;
# check that their output is identical and print wall time and peak memory for each.
#
#   tools/preload-compare.sh path/to/libarena_malloc.so [REPEATS]
#
# Programs: sort (coreutils) on 400,000 generated lines, gcc -O2 -c on this lab's
# slab.c, and python3 building and serialising a 200,000-entry dict. Times are the
# best of REPEATS runs (default 3); peak memory is the max RSS of that best run
# (GNU time's %M, which for gcc covers its largest child, cc1).
set -eu
so=$1
reps=${2:-3}
[ -r "$so" ] || { echo "preload-compare: $so: no such library (run make first)" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

awk 'BEGIN { srand(42); for (i = 0; i < 400000; i++) printf "%08x %d\n", int(rand() * 4294967295), i }' \
    > "$tmp/lines.txt"

# name|command (output to stdout)
cat > "$tmp/progs" <<EOP
sort 400k lines|sort $tmp/lines.txt
gcc -O2 -c slab.c|gcc -std=c11 -O2 -I$here/include -I$here/src -c $here/src/slab.c -o /dev/stdout
python3 dict+json|/usr/bin/python3 -c 'import json, hashlib; d = {str(i): [i, str(i) * 3] for i in range(200000)}; print(hashlib.sha256(json.dumps(d).encode()).hexdigest())'
EOP

# best_of CMD PRELOAD -> prints "seconds maxrss_kb", leaves output in $tmp/out
best_of() {
    best=""
    i=0
    while [ $i -lt "$reps" ]; do
        LD_PRELOAD=$2 /usr/bin/time -f "%e %M" -o "$tmp/t" sh -c "$1" > "$tmp/out"
        t=$(cat "$tmp/t")
        if [ -z "$best" ] || [ "$(echo "$t $best" | awk '{print ($1 < $3)}')" = 1 ]; then best=$t; fi
        i=$((i + 1))
    done
    echo "$best"
}

printf '%-20s %-9s %12s %12s %8s  %s\n' program allocator "time (s)" "peak (MiB)" speedup output
while IFS='|' read -r name cmd; do
    g=$(best_of "$cmd" "")
    cp "$tmp/out" "$tmp/out.glibc"
    a=$(best_of "$cmd" "$so")
    if cmp -s "$tmp/out" "$tmp/out.glibc"; then same="identical"; else same="DIFFERENT"; fi
    echo "$g" | awk -v n="$name" '{printf "%-20s %-9s %12.2f %12.1f %8s  %s\n", n, "glibc", $1, $2/1024, "1.00x", ""}'
    echo "$a $g" | awk -v n="$name" -v s="$same" \
        '{sp = ($1 > 0) ? $3 / $1 : 0; printf "%-20s %-9s %12.2f %12.1f %7.2fx  %s\n", n, "arena", $1, $2/1024, sp, s}'
    [ "$same" = identical ] || exit 1
done < "$tmp/progs"
