#!/usr/bin/env bash
# Builds the packages from a preset's build (default: release; the test command passes the debug
# build it already has), lists them, installs the tarball into a temporary prefix and runs the
# installed layerctl and layerscope from there. Exit status 0 when everything works.
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures="$(cd .. && pwd)/shared/fixtures/layers"

preset=${1:-release}
# A sanitized build's binaries run with the suites' leak suppressions (Qt's and fontconfig's
# process-lifetime allocations).
if [ "$preset" = asan ]; then
  export LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp"
fi
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
rm -rf "build/$preset/packages"
(cd "build/$preset" && cpack -B packages >/dev/null)
cli_deb=$(ls "build/$preset"/packages/layerctl_*.deb)
gui_deb=$(ls "build/$preset"/packages/layerscope_*.deb)
scrub_deb=$(ls "build/$preset"/packages/layerscope-scrub_*_all.deb)
tgz=$(ls "build/$preset"/packages/*.tar.gz)
for deb in "$cli_deb" "$gui_deb" "$scrub_deb"; do
  echo "=== $deb"
  dpkg-deb --field "$deb" Package Version Architecture Depends Recommends
  dpkg-deb --contents "$deb" | awk '{print $6}'
done
echo "=== $tgz"
tar -tzf "$tgz"

# The CLI package installs on a host without Qt: nothing Qt in its Depends or its binary.
depends=$(dpkg-deb --field "$cli_deb" Depends)
if grep -qi qt <<< "$depends"; then echo "layerctl depends on Qt: $depends" >&2; exit 1; fi
extract=$(mktemp -d)
dpkg-deb -x "$cli_deb" "$extract"
# Every producer's output is captured before it is matched: under pipefail, `cmd | grep -q` fails
# whenever grep exits at its first match while cmd is still writing (SIGPIPE).
libs=$(ldd "$extract/usr/bin/layerctl")
if grep -qi qt <<< "$libs"; then echo "layerctl links Qt" >&2; exit 1; fi
test -s "$extract/usr/share/bash-completion/completions/layerctl"
test -s "$extract/usr/share/zsh/vendor-completions/_layerctl"
test -s "$extract/usr/share/man/man1/layerctl.1.gz"
rm -rf "$extract"
grep -q "layerctl (= " <<< "$(dpkg-deb --field "$gui_deb" Depends)"
# The Dask driver: any architecture, on layerctl and Debian's Dask.
depends=$(dpkg-deb --field "$scrub_deb" Depends)
grep -q "layerctl (>= " <<< "$depends" && grep -q "python3-distributed" <<< "$depends"
contents=$(dpkg-deb --contents "$scrub_deb")
grep -q "^-rwxr-xr-x .* ./usr/bin/layerscope-scrub$" <<< "$contents"
grep -q " ./usr/share/layerscope-scrub/layerscope_scrub/cli.py$" <<< "$contents"
# Debian policy: lintian reports nothing (no error, no warning) for either package.
echo "=== lintian"
report=$(lintian --tag-display-limit 0 "$cli_deb" "$gui_deb" "$scrub_deb" 2>&1 | grep -v "running with root privileges" || true)
if [ -n "$report" ]; then echo "$report" >&2; exit 1; fi
echo "lintian: no errors, no warnings (3 packages)"

prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
tar -xzf "$tgz" -C "$prefix" --strip-components=1
bin="$prefix/usr/bin"
[ -x "$bin/layerctl" ] || bin="$prefix/bin"
version=$(sed -n 's/^project(Layerscope VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
echo "=== installed tree: $bin"
v=$("$bin/layerctl" --version); echo "$v"; [ "$v" = "layerctl $version" ]
v=$("$bin/layerscope" --version); echo "$v"; [ "$v" = "layerscope $version" ]
# The Neon-written delta fixture has one warning (a 100-byte page image): exit 1 is expected.
for f in "$fixtures"/*[0-9]; do "$bin/layerctl" check "$f" || [ $? -eq 1 ]; done
help=$("$bin/layerctl" check --help); grep -q "Usage: layerctl check" <<< "$help"
help=$("$bin/layerscope-scrub" --help); grep -q "usage: layerscope-scrub" <<< "$help"
layers=("$fixtures"/*[0-9])
QT_QPA_PLATFORM=offscreen "$bin/layerscope" --screenshot "$prefix/shot.png" "${layers[0]}"
test -s "$prefix/shot.png"
file "$prefix/shot.png"
echo "package test: ok"
