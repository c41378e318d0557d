#!/usr/bin/env bash
# The lines a change touches are formatted as the repository's .clang-format says: run by the
# test command on the commits since BASE (default: the last one), in the C++ sources only.
# Prints the formatting the change lacks and fails; `git clang-format BASE` applies it.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-HEAD~1}
if ! git rev-parse -q --verify "$base^{commit}" >/dev/null; then
  echo "format: no $base to compare with; nothing checked"
  exit 0
fi
if diff=$(git clang-format --diff --extensions cpp,h "$base" -- core app ui tests); then
  echo "format: the lines changed since $base are formatted"
  exit 0
fi
case "$diff" in
  *"no modified files to format"* | *"did not modify any files"*)
    echo "format: the lines changed since $base are formatted"
    exit 0 ;;
esac
echo "$diff"
echo "format: the lines above are not formatted as .clang-format says (git clang-format $base)" >&2
exit 1
