#!/usr/bin/env bash
# Fuzz smoke run: each cargo-fuzz target for a short while (30 s by default), when a
# nightly toolchain is installed. Installs cargo-fuzz when missing. Without nightly it
# says so and exits 0: the test suite still replays the corpora and regressions on
# stable (tests/it/fuzz_replay.rs).
#   fuzz/smoke.sh            every target, 30 s each
#   FUZZ_SECONDS=5 fuzz/smoke.sh sip_response evidence
set -euo pipefail
cd "$(dirname "$0")"

seconds="${FUZZ_SECONDS:-30}"

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  echo "fuzz smoke: skipped (no nightly toolchain; \`rustup toolchain list\` shows none)"
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz smoke: installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

# Fuzz builds (sanitizers, nightly) must not disturb the stable build cache.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-$(pwd)/../target}/fuzz}"

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi

for t in "${targets[@]}"; do
  # Run on a scratch copy of the seeds so the repository's corpus is not rewritten.
  work="$(mktemp -d)"
  if [ -d "corpus/$t" ]; then cp -R "corpus/$t/." "$work/"; fi
  echo "fuzz smoke: $t for ${seconds}s"
  log="$work.log"
  # No input over 1 s, no allocation over 256 MB. The process limit is higher: with
  # AddressSanitizer freed memory sits in a quarantine (kept small here) and the RSS
  # of the whole fuzzing process counts, not one input's.
  set +e
  ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=16}" cargo +nightly fuzz run "$t" "$work" -- \
    -max_total_time="$seconds" -timeout=1 -malloc_limit_mb=256 -rss_limit_mb=512 -print_final_stats=1 >"$log" 2>&1
  status=$?
  set -e
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|SUMMARY)' "$log" || true
  if [ "$status" -ne 0 ]; then tail -40 "$log"; fi
  rm -f "$log"
  rm -rf "$work"
  if [ "$status" -ne 0 ]; then
    echo "fuzz smoke: $t FAILED (artifacts under fuzz/artifacts/$t/; add the input to fuzz/regressions/$t/)"
    exit 1
  fi
done
echo "fuzz smoke: ${#targets[@]} target(s) ran ${seconds}s each without a crash"
