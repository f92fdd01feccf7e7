#!/usr/bin/env bash
# Peak memory (max RSS from /usr/bin/time -v) of `data convert` on the MATLAB decompression bombs of
# packages/data/test/fixtures/make-bombs.py, and on a valid large compressed file from scipy (do_compression=True),
# beside the CLI's own baseline (`data --help`). Needs python3 with numpy and scipy, and GNU time.
#   bash bench/mat-bombs.sh [ROWS] [--uint8]   ROWS of the valid file, 784 doubles each (default 40000: 251 MB
#                                               declared), or 784 uint8 each (60000: MNIST's 47 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-40000}
uint8=${2:-}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 packages/data/test/fixtures/make-bombs.py "$dir" --large "$rows" $uint8
printf '%s\n' "machine:$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 2^20}' /proc/meminfo); node $(node --version)"
printf '%-16s %10s %8s %8s %12s %8s\n' file 'file MB' 'exit' command 'max RSS MiB' seconds
run() { # name, then the data command's arguments
  local name=$1 size='' log=$dir/time.log; shift
  [ -f "$dir/$name" ] && size=$(awk -v b="$(stat -c %s "$dir/$name")" 'BEGIN { printf "%.1f", b / 1e6 }')
  set +e
  /usr/bin/time -v -o "$log" node --import tsx packages/data/src/cli/main.ts "$@" > /dev/null 2> "$dir/stderr"
  local code=$?
  set -e
  printf '%-16s %10s %8s %8s %12s %8s\n' "$name" "$size" "$code" "$1" \
    "$(awk '/Maximum resident/ { printf "%.0f", $NF / 1024 }' "$log")" "$(awk -F': ' '/Elapsed/ { print $2 }' "$log")"
  [ "$code" = 0 ] || sed 's/^/                   /' "$dir/stderr"
}
run '(baseline)' --help
for bomb in bomb-zeros.mat bomb-claims.mat bomb-flags.mat bomb-4g.mat bomb-dims.mat; do
  run "$bomb" convert --mat "$dir/$bomb" --features X --out "$dir/out.arrow"
  run "$bomb" inspect "$dir/$bomb"
done
run large.mat convert --mat "$dir/large.mat" --features X --labels y --out "$dir/large.arrow"
if [ -n "$uint8" ]; then each=1 kind=uint8; else each=8 kind=doubles; fi
echo "large.mat declares X as $rows x 784 $kind: $(awk -v r="$rows" -v e="$each" 'BEGIN { printf "%.0f", r * 784 * e / 2^20 }') MiB"
