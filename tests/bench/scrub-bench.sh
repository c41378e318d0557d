#!/usr/bin/env bash
# The scrub's rate against the local S3 server (s3rver from tests/remote/node_modules on
# 127.0.0.1): a region of TENANTS x 2 timelines x 2 layers (a delta and an image of SIZE each)
# is uploaded once, then, 5 runs each, side by side (A B A B ...):
#   layerctl check --recursive --jobs P         against  curl --parallel-max P of every layer
#   layerscope-scrub on 2 Dask workers (jobs P/2) against  layerctl check --recursive --jobs P
# and the median wall times and rates are printed.
# Usage: [COMPRESSION=zstd] scrub-bench.sh BUILD_DIR DIR [TENANTS] [SIZE] [P]   (default 2 256M 4)
set -euo pipefail
build=$(realpath "$1") dir=$(realpath -m "$2")
tenants=${3:-2} size=${4:-256M} par=${5:-4}
root=$(cd "$(dirname "$0")/../.." && pwd)
layerctl=$build/app/cli/layerctl
mkdir -p "$dir/layers" "$dir/s3"

# Two layers to upload under every timeline (made once, kept in DIR).
for kind in delta image; do
  bash "$root/tests/bench/synth-layer.sh" "$layerctl" "$kind" "$size" "$dir/layers/$kind-$size" \
    ${COMPRESSION:+--compression "$COMPRESSION"}
done

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rm -rf "$dir/s3/data"
"$root/tests/remote/node_modules/.bin/s3rver" -d "$dir/s3/data" -a 127.0.0.1 -p "$port" \
  --configure-bucket bench >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; [ -n "${sched:-}" ] && kill $sched $w1 $w2 2>/dev/null; true' EXIT
export AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
sign=(--aws-sigv4 "aws:amz:us-east-1:s3" -u S3RVER:S3RVER -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
for _ in $(seq 100); do curl -s -o /dev/null "$AWS_ENDPOINT_URL" && break; sleep 0.1; done

urls=()
bytes=0
for t in $(seq "$tenants"); do
  for tl in 1 2; do
    prefix=tenants/$(printf '%032x' "$t")/timelines/$(printf '%032x' "$tl")
    for f in "$dir"/layers/*-"$size"/*; do
      key=$prefix/$(basename "$f")-00000001
      curl -sf "${sign[@]}" -T "$f" "$AWS_ENDPOINT_URL/bench/$key" >/dev/null
      urls+=(-o /dev/null "$AWS_ENDPOINT_URL/bench/$key")
      bytes=$((bytes + $(stat -c %s "$f")))
    done
  done
done
echo "region: $tenants tenants x 2 timelines x 2 layers of $size = $((bytes >> 20)) MiB, s3rver on 127.0.0.1:$port"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"

# Median wall seconds of 5 paired runs of two commands (A and B alternate).
paired() {
  local a=() b=()
  for _ in 1 2 3 4 5 6; do
    local t0 t1 t2
    t0=$(date +%s.%N); eval "$1" >/dev/null 2>&1 || true
    t1=$(date +%s.%N); eval "$2" >/dev/null 2>&1 || true
    t2=$(date +%s.%N)
    a+=("$(echo "$t1 - $t0" | bc)"); b+=("$(echo "$t2 - $t1" | bc)")
  done
  # The first pair warms the server and the page cache: not counted.
  local ma mb
  ma=$(printf '%s\n' "${a[@]:1}" | sort -n | sed -n 3p)
  mb=$(printf '%s\n' "${b[@]:1}" | sort -n | sed -n 3p)
  printf '%s %s\n' "$ma" "$mb"
}
rate() { echo "scale=1; $bytes / 1048576 / $1" | bc; }

region=s3://bench/
scrub="'$layerctl' check --recursive -q --jobs $par $region"
curl="curl -s --parallel --parallel-max $par ${sign[*]@Q} ${urls[*]@Q}"
read -r ta tb <<< "$(paired "$scrub" "$curl")"
echo "check --recursive --jobs $par: $ta s ($(rate "$ta") MiB/s); curl --parallel-max $par: $tb s ($(rate "$tb") MiB/s); rate ratio $(echo "scale=3; $tb / $ta" | bc)"

# Two Dask workers on this machine, started once (a cluster that is already running).
dask scheduler --host 127.0.0.1 --port 0 --no-dashboard --scheduler-file "$dir/scheduler.json" >/dev/null 2>&1 &
sched=$!
for _ in $(seq 100); do [ -s "$dir/scheduler.json" ] && break; sleep 0.1; done
dask worker --scheduler-file "$dir/scheduler.json" --nthreads 1 --no-dashboard --host 127.0.0.1 >/dev/null 2>&1 &
w1=$!
dask worker --scheduler-file "$dir/scheduler.json" --nthreads 1 --no-dashboard --host 127.0.0.1 >/dev/null 2>&1 &
w2=$!
address=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["address"])' "$dir/scheduler.json")
sleep 3
dask="'$root/app/scrub/layerscope-scrub' --scheduler $address --layerctl '$layerctl' --jobs $((par / 2)) --out '$dir/report.jsonl' $region"
read -r ta tb <<< "$(paired "$dask" "$scrub")"
echo "layerscope-scrub, 2 workers x --jobs $((par / 2)): $ta s; one process --jobs $par: $tb s; ratio $(echo "scale=3; $ta / $tb" | bc)"
local="'$root/app/scrub/layerscope-scrub' --local-workers 2 --layerctl '$layerctl' --jobs $((par / 2)) --out '$dir/report.jsonl' $region"
read -r ta tb <<< "$(paired "$local" "$scrub")"
echo "layerscope-scrub --local-workers 2 (cluster start included) x --jobs $((par / 2)): $ta s; one process --jobs $par: $tb s; ratio $(echo "scale=3; $ta / $tb" | bc)"
