#!/usr/bin/env bash
# Peak memory (max RSS from /usr/bin/time -v) of `data convert` on the MATLAB decompression bombs of
# packages/data/test/fixtures/make-bombs.py, and on a valid large compressed file from scipy (do_compression=True),
# beside the CLI's own baseline (`data --help`). Needs python3 with numpy and scipy, and GNU time.
#   bash bench/mat-bombs.sh [ROWS]     ROWS of the valid file, 784 doubles each (default 40000: 251 MB declared)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-40000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 packages/data/test/fixtures/make-bombs.py "$dir" --large "$rows"
printf '%s\n' "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 2^20}' /proc/meminfo); node $(node --version)"
printf '%-16s %10s %8s %6s %12s %8s\n' file 'file MB' 'exit' '' 'max RSS MiB' seconds
run() { # name, then the data command's arguments
  local name=$1 size='' log=$dir/time.log; shift
  [ -f "$dir/$name" ] && size=$(awk -v b="$(stat -c %s "$dir/$name")" 'BEGIN { printf "%.1f", b / 1e6 }')
  set +e
  /usr/bin/time -v -o "$log" node --import tsx packages/data/src/cli/main.ts "$@" > /dev/null 2> "$dir/stderr"
  local code=$?
  set -e
  printf '%-16s %10s %8s %6s %12s %8s\n' "$name" "$size" "$code" '' \
    "$(awk '/Maximum resident/ { printf "%.0f", $NF / 1024 }' "$log")" "$(awk -F': ' '/Elapsed/ { print $2 }' "$log")"
  [ "$code" = 0 ] || sed 's/^/                   /' "$dir/stderr"
}
run '(baseline)' --help
for bomb in bomb-zeros.mat bomb-claims.mat bomb-dims.mat; do
  run "$bomb" convert --mat "$dir/$bomb" --features X --out "$dir/out.arrow"
done
run large.mat convert --mat "$dir/large.mat" --features X --labels y --out "$dir/large.arrow"
echo "large.mat declares X as $rows x 784 doubles: $(awk -v r="$rows" 'BEGIN { printf "%.0f", r * 784 * 8 / 2^20 }') MiB"
