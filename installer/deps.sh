#!/usr/bin/env bash
# Installs the Debian 12 packages Layerscope needs to build, test and run (as root).
# Only missing packages are installed; running it again is cheap.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-base-dev-tools libqt6concurrent6 libqt6opengl6-dev libgl-dev
  qt6-charts-dev qt6-svg-dev
  libfmt-dev libzstd-dev libcli11-dev nlohmann-json3-dev libssl-dev
  libcurl4-openssl-dev libpugixml-dev
  python3-distributed python3-pytest
  clang libclang-rt-14-dev clang-format lld
  xvfb xauth fonts-dejavu-core
  dpkg-dev file lintian openssl
)

# The remote tests run s3rver (npm) on 127.0.0.1: Node and npm from Debian unless the machine
# already has them (NodeSource's nodejs ships its own npm and conflicts with Debian's).
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
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

# s3rver, pinned in tests/remote/package-lock.json, for the remote tests (a real S3 server).
cd "$(dirname "$0")/.."
if [ ! -x tests/remote/node_modules/.bin/s3rver ] && [ -f tests/remote/package.json ]; then
  (cd tests/remote && npm ci --no-audit --no-fund --loglevel=error)
fi
