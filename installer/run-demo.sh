#!/usr/bin/env bash
# Installs what is missing, builds a release, writes the demo layers and opens them in the GUI.
# Without a display it renders the window to demo-screenshot.png instead.
set -euo pipefail
cd "$(dirname "$0")/.."

bash installer/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"

demo=build/release/demo
mapfile -t layers < <(build/release/app/cli/layerctl demo "$demo")
gui=build/release/app/gui/layerscope
if [ -x "$gui" ]; then
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    exec "$gui" "${layers[@]}"
  fi
  echo "No display: rendering the window offscreen to demo-screenshot.png"
  QT_QPA_PLATFORM=offscreen "$gui" --screenshot demo-screenshot.png "${layers[@]}"
else
  exec build/release/app/cli/layerctl dump "${layers[0]}"
fi
