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
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "cpu: $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo)"
for size in "${sizes[@]}"; do
  for kind in image delta; do
    d="$dir/$kind-$size"
    if [ -z "$(ls -A "$d" 2>/dev/null)" ]; then
      mkdir -p "$d"
      start=$(date +%s.%N)
      "$layerctl" synth --kind "$kind" --size "$size" "$d" >/dev/null
      echo "synth $kind $size: $(echo "$(date +%s.%N) - $start" | bc) s"
    fi
    f=$(ls "$d"/*)
    "$build/tests/bench/bench_perf" "$f"
    cat "$f" > /dev/null
    /usr/bin/time -f "  layerctl check: %e s wall, peak RSS %M KiB (mapping included)" "$layerctl" check "$f" > /dev/null
    if [ "$size" = 1G ]; then
      QT_QPA_PLATFORM=offscreen "$build/tests/bench/bench_gui_load" "$f" 2>/dev/null | tail -n +2
    fi
  done
done
