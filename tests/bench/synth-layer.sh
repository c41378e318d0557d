#!/usr/bin/env bash
# Makes sure DIR holds one generated layer that checks clean: a layer kept from an earlier run is
# reused while it does (the generator and the checks change), else it is made again. Prints how
# long generating took, when it did.
# Usage: synth-layer.sh LAYERCTL KIND SIZE DIR [more `layerctl synth` options]
set -euo pipefail
layerctl=$1 kind=$2 size=$3 d=$4
shift 4
if [ -n "$(ls -A "$d" 2>/dev/null)" ] && ! "$layerctl" check -q "$d"/* >/dev/null 2>&1; then
  rm -rf "$d"
fi
if [ -z "$(ls -A "$d" 2>/dev/null)" ]; then
  mkdir -p "$d"
  start=$(date +%s.%N)
  "$layerctl" synth --kind "$kind" --size "$size" "$@" "$d" >/dev/null
  echo "synth $kind $size: $(echo "$(date +%s.%N) - $start" | bc) s"
fi
