#!/usr/bin/env bash
# Builds the packages from a preset's build (default: release; the test command passes the debug
# build it already has), lists them, installs the tarball into a temporary prefix and runs the
# installed layerctl and layerscope from there. Exit status 0 when everything works.
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures="$(cd .. && pwd)/shared/fixtures/layers"

preset=${1:-release}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
rm -rf "build/$preset/packages"
(cd "build/$preset" && cpack -B packages >/dev/null)
deb=$(ls "build/$preset"/packages/*.deb)
tgz=$(ls "build/$preset"/packages/*.tar.gz)
echo "=== $deb"
dpkg-deb --field "$deb" Package Version Architecture Depends Recommends
dpkg-deb --contents "$deb" | awk '{print $6}'
echo "=== $tgz"
tar -tzf "$tgz"

prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
tar -xzf "$tgz" -C "$prefix" --strip-components=1
bin="$prefix/usr/bin"
[ -x "$bin/layerctl" ] || bin="$prefix/bin"
version=$(sed -n 's/^project(Layerscope VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
echo "=== installed tree: $bin"
v=$("$bin/layerctl" --version); echo "$v"; [ "$v" = "layerctl $version" ]
v=$("$bin/layerscope" --version); echo "$v"; [ "$v" = "layerscope $version" ]
for f in "$fixtures"/*[0-9]; do "$bin/layerctl" check "$f"; done
QT_QPA_PLATFORM=offscreen "$bin/layerscope" --screenshot "$prefix/shot.png" "$(ls "$fixtures"/*[0-9] | head -1)"
test -s "$prefix/shot.png"
file "$prefix/shot.png"
echo "package test: ok"
