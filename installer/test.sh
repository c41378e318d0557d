#!/usr/bin/env bash
# Installs what is missing, builds and runs every test: the debug preset, then the whole suite
# again under AddressSanitizer + UndefinedBehaviorSanitizer. Exit status is the tests'.
set -euo pipefail
cd "$(dirname "$0")/.."

bash installer/deps.sh
jobs=$(nproc)

# The lines the last commit changed follow .clang-format (LAYERSCOPE_FORMAT_BASE: since another).
bash installer/format-check.sh "${LAYERSCOPE_FORMAT_BASE:-HEAD~1}"

for preset in debug asan; do
  echo "=== $preset: configure, build, test"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  ctest --preset "$preset" -j "$jobs"
done

# Packages: build the .deb and .tar.gz, install the tarball into a temporary prefix, run it.
echo "=== packages"
bash installer/package-test.sh debug

# A bounded libFuzzer run (clang, ASan + UBSan) seeded with the fixtures and the corpus.
echo "=== fuzz: ${LAYERSCOPE_FUZZ_SECONDS:=60} s of libFuzzer on open + iterate + validate + decode"
export LAYERSCOPE_FUZZ_SECONDS
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs"
ctest --preset fuzz
