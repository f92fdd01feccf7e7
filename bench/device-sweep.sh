#!/bin/sh
# The many-core check, as run on the 16-core device: bench:cores with the default merge rule, then R and the
# default network at 8 and 16 workers under the window rule (--merge n), each beside 1 worker in the same run.
#   pnpm bundle:cores && sh bench/device-sweep.sh OUTDIR        (NODE=/path/to/node where node is not on the PATH)
# OUTDIR gets SUMMARY.md, the four logs, and all.tar.gz with every bench.json and chart. (docs/bench-16core/run1 is
# an earlier run of this script with rows merged every 256/W² samples and the sweeps R: 0 4 8 16 32, default: 4 16 64.)
set -u
out=$1
work=$(mktemp -d)
run() { sh out/cores/run.sh "$@"; }
{ date -u; nproc; lscpu | grep -E "^(Model name|Thread|Core|Socket|NUMA node\(s\))"; "${NODE:-node}" --version; } > "$out/machine.txt" 2>&1
run "$work/cores" --repeat 5 > "$out/cores.log" 2>&1
cp "$work/cores/SUMMARY.md" "$out/SUMMARY.md"
# The default (bench:cores above) merges a row after 64 ÷ (W − 1) changes; --merge n is the earlier window rule (every
# changed row every n samples): 16 and 8 were its defaults at 8 and 16 workers, 4 / 8 is 64 ÷ W at 16 / 8 workers.
# (Its dense period, 16 ÷ (W − 1), is 2 and 1 at 8 and 16 workers, as it was with 16 ÷ W.)
# (The speed the machine gives W workers that share nothing is in bench:cores' R table: its --ceiling columns.)
for s in 4 8 16; do
  echo "== R, --merge $s"; run --trainer bench --workers 1,8,16 --repeat 2 --evals 4 --merge $s --out "$work/r-merge$s"
done > "$out/r-sweep.log" 2>&1
# Periods that follow the learning rate (--merge-stretch, the default 8) against fixed periods (1), on the default
# network, whose cosine schedule stretches its later epochs' periods up to 8 times (merge-plan.ts, STRETCH).
for x in 1 8; do
  echo "== default network, --merge-stretch $x"
  run --trainer bench --workers 1,8,16 --repeat 2 --layers 784,128,10 --activation relu --loss softmax --init he --lr 0.02 \
    --schedule cosine --epochs 5 --target 0.98 --merge-stretch $x --out "$work/d-stretch$x"
done > "$out/d-sweep.log" 2>&1
# The closing tail (CLOSING_TAIL in merge-plan.ts) against none: what a merge after every sample of each worker's last
# 32 costs where 16 workers meet on the same rows at the end of every epoch, and what it buys R's final accuracy.
for t in 0 32; do
  echo "== R, --merge-tail $t"; run --trainer bench --workers 1,8,16 --repeat 3 --evals 4 --merge-tail $t --out "$work/r-tail$t"
done > "$out/tail.log" 2>&1
tar -czf "$out/all.tar.gz" -C "$work" .
