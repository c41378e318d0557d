#!/usr/bin/env bash
# Installs what is missing, builds and runs every test: the whole suite under AddressSanitizer +
# UndefinedBehaviorSanitizer (clang), then again in a plain gcc debug build the tests the
# sanitizer run shortens (ctest label "whole": every mutant, every remote fault row, the Dask
# driver's pytest), the packages, and a bounded fuzzing run. Exit status is the tests'.
# Within CI's 25 minutes on 2 cores: one full build, not two (README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

bash installer/deps.sh
jobs=$(nproc)
stage() { echo "=== $1 ($(date -u +%H:%M:%S))"; }

# The lines the last commit changed follow .clang-format (LAYERSCOPE_FORMAT_BASE: since another).
bash installer/format-check.sh "${LAYERSCOPE_FORMAT_BASE:-HEAD~1}"

stage "asan: configure, build, every test"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ctest --preset asan -j "$jobs"

stage "debug (gcc): the tests the sanitizer run shortens, whole"
cmake --preset debug >/dev/null
cmake --build --preset debug -j "$jobs" --target tst_mutation tst_remote
ctest --preset debug -j "$jobs" -L whole

# Packages: the .deb and .tar.gz of the build just tested, installed into a temporary prefix
# and run from there, lintian-clean.
stage "packages"
bash installer/package-test.sh asan

# A bounded libFuzzer run (clang, ASan + UBSan) seeded with the fixtures and the corpus.
stage "fuzz: ${LAYERSCOPE_FUZZ_SECONDS:=60} s of libFuzzer on open + iterate + validate + decode"
export LAYERSCOPE_FUZZ_SECONDS
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs" --target fuzz_layer
ctest --preset fuzz
stage "done"
