#!/usr/bin/env bash
# Generates image and delta layers of 1 MiB, 256 MiB, 1 GiB and 4 GiB (once, kept in DIR),
# then prints every figure of the performance table. Usage: perf.sh BUILD_DIR DIR [SIZES...]
set -euo pipefail
build=$1 dir=$2
shift 2
sizes=("${@:-1M 256M 1G 4G}")
read -r -a sizes <<< "${sizes[*]}"
layerctl=$build/app/cli/layerctl
mkdir -p "$dir"
# Best wall time of three runs of a command (output discarded), in seconds.
best3() {
  local best=
  for _ in 1 2 3; do
    local t0 t1 t
    t0=$(date +%s.%N)
    "$@" > /dev/null 2>&1 || true
    t1=$(date +%s.%N)
    t=$(echo "$t1 - $t0" | bc)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
  done
  printf '%.3f' "$best"
}
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "cpu: $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo)"
for size in "${sizes[@]}"; do
  for kind in image delta; do
    d="$dir/$kind-$size"
    bash "$(dirname "$0")/synth-layer.sh" "$layerctl" "$kind" "$size" "$d"
    f=$(ls "$d"/*)
    "$build/tests/bench/bench_perf" "$f"
    # Whole processes, page cache warm, best of three, each command as a ratio to cat of the
    # same file measured in the same run (diff: to two cats, of the file and a copy of it).
    cat "$f" > /dev/null
    best_cat=$(best3 cat "$f")
    ratio() { echo "scale=2; $1 / $2" | bc; }
    echo "  process: cat $best_cat s"
    for cmd in check stats "keys --json" "dump --json"; do
      read -r -a words <<< "$cmd"
      t=$(best3 "$layerctl" "${words[@]}" "$f")
      echo "    layerctl $cmd: $t s, $(ratio "$t" "$best_cat") × cat"
    done
    copy="$dir/copy-$kind-$size"
    mkdir -p "$copy"
    cp "$f" "$copy/"
    copy_f=$(ls "$copy"/*)
    cat "$f" "$copy_f" > /dev/null
    best_cats=$(best3 cat "$f" "$copy_f")
    t=$(best3 "$layerctl" diff "$f" "$copy_f")
    echo "    layerctl diff of two copies: $t s, $(ratio "$best_cats" "$t") × the speed of two cats ($best_cats s)"
    rm -r "$copy"
    if [ "$size" = 1G ]; then
      entries=$("$layerctl" keys --json "$f" | wc -l)
      keys=$(best3 "$layerctl" keys --json "$f")
      dump=$(best3 "$layerctl" dump --json "$f")
      bytes=$(stat -c %s "$f")
      echo "  keys --json: $(echo "$entries / $keys / 1000000" | bc -l | xargs printf %.2f) M entries/s; dump --json: $(echo "$bytes / $dump / 1048576" | bc -l | xargs printf %.0f) MiB/s"
      QT_QPA_PLATFORM=offscreen "$build/tests/bench/bench_gui_load" "$f" 2>/dev/null | tail -n +2
    fi
  done
done
