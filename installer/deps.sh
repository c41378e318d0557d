#!/usr/bin/env bash
# Installs the Debian 12 packages Layerscope needs to build, test and run (as root).
# Only missing packages are installed; running it again is cheap.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-base-dev-tools libqt6concurrent6 libqt6opengl6-dev libgl-dev
  qt6-charts-dev qt6-svg-dev
  libfmt-dev libzstd-dev libcli11-dev nlohmann-json3-dev libssl-dev
  clang libclang-rt-14-dev
  xvfb xauth fonts-dejavu-core
  dpkg-dev file lintian
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps: need root to apt-get install (run as root or with sudo)" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
