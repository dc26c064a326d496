#!/usr/bin/env bash
# Fuzzing campaign: each target until 10 million executions or its equal share of an
# hour (514 s for seven targets), one core, no sanitizer (the crate forbids unsafe
# code: the campaign wants executions; the CI smoke run keeps AddressSanitizer).
# Inputs over 1 s or 256 MB fail a target. Corpora grow under $CAMPAIGN_DIR (default
# ../target/fuzz-campaign), seeded from corpus/<target>; crashes land in
# $CAMPAIGN_DIR/artifacts/<target>/ (copy them to regressions/<target>/).
#   fuzz/campaign.sh                 every target
#   SHARE_SECONDS=60 fuzz/campaign.sh evidence soap_answer
set -euo pipefail
cd "$(dirname "$0")"

share="${SHARE_SECONDS:-514}"
runs="${RUNS:-10000000}"
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$(pwd)/../target/fuzz-plain}"
dir="${CAMPAIGN_DIR:-$(pwd)/../target/fuzz-campaign}"

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
for t in "${targets[@]}"; do cargo +nightly fuzz build -s none "$t"; done
bin="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release"

mkdir -p "$dir"
for t in "${targets[@]}"; do
  mkdir -p "$dir/corpus/$t" "$dir/artifacts/$t"
  cp -n corpus/"$t"/* "$dir/corpus/$t/" 2>/dev/null || true
  start=$(date +%s)
  set +e
  "$bin/$t" "$dir/corpus/$t" -runs="$runs" -max_total_time="$share" -timeout=1 -rss_limit_mb=256 -malloc_limit_mb=256 \
    -print_final_stats=1 -artifact_prefix="$dir/artifacts/$t/" >"$dir/log-$t.txt" 2>&1
  status=$?
  set -e
  stats=$(grep -E '^stat::(number_of_executed_units|average_exec_per_sec|slowest_unit_time_sec|peak_rss_mb)' "$dir/log-$t.txt" | awk '{print $2}' | tr '\n' ' ')
  echo "$t exit=$status seconds=$(($(date +%s) - start)) executions/exec_per_s/slowest_s/peak_rss_mb: $stats" | tee -a "$dir/summary.txt"
done
