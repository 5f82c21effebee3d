#!/usr/bin/env bash
# Fuzzes the pure pipeline (fuzz/fuzz_targets/pipeline.rs) with cargo-fuzz.
#
#   scripts/fuzz.sh [SECONDS]     default 600; needs the nightly toolchain
#
# The corpus starts from every file of ../shared/corpus and the golden
# fixtures (copied into fuzz/corpus/pipeline, which git ignores); crashes
# land in fuzz/artifacts/pipeline/. Each crash found is fixed and added as a
# regression fixture (tests/fixtures/fuzz/, run by tests/it/corpus.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null 2>&1 || cargo +nightly install cargo-fuzz --locked
seeds="fuzz/corpus/pipeline"
mkdir -p "$seeds"
if [ -z "$(ls -A "$seeds")" ]; then
  find ../shared/corpus tests/fixtures/pipeline tests/fixtures/demo -type f -size -200k \
    ! -name '*.json' ! -name '*.md' ! -name '*.txt' -print0 2>/dev/null |
    while IFS= read -r -d '' f; do cp "$f" "$seeds/$(sha1sum "$f" | cut -c1-16)"; done
fi
cd fuzz
cargo +nightly fuzz run pipeline -- -max_total_time="$seconds" -max_len=262144 -timeout=10
