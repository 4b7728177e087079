#!/usr/bin/env bash
# Builds the libFuzzer targets (test/fuzz/*_fuzzer.cc) with clang, ASan and UBSan into
# build-fuzz/, generates their seed corpus, and runs each for FUZZ_SECONDS (default 20) seconds.
# Exits non-zero when a target crashes, leaks or trips a sanitizer; the crashing input is left in
# build-fuzz/artifacts/. Findings are added to build-fuzz/corpus/<target>/ across runs.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-20}"
build=build-fuzz
targets=(rtp_parse_fuzzer voice_open_fuzzer secretstream_pull_fuzzer opus_decode_fuzzer ogg_demux_fuzzer webm_demux_fuzzer)

CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVOXPOOL_BUILD_FUZZ=ON >/dev/null
cmake --build "$build" -j "${FUZZ_JOBS:-2}" --target "${targets[@]}"

node test/fuzz/make_corpus.js "$build/seeds"
mkdir -p "$build/artifacts"

failed=()
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t"
  echo "voxpool: fuzzing $t for ${seconds} s"
  # New inputs go to the first directory (kept), the generated seeds are read from the second.
  if ! "$build/$t" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$build/artifacts/$t-" \
      "$build/corpus/$t" "$build/seeds/$t" 2>"$build/$t.log"; then
    failed+=("$t")
    tail -n 60 "$build/$t.log"
  fi
  grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|Done )' "$build/$t.log" | tr '\n' ' '
  echo
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "voxpool: fuzzing found a crash in: ${failed[*]} (inputs in $build/artifacts/)" >&2
  exit 1
fi
echo "voxpool: fuzzing clean (${#targets[@]} targets x ${seconds} s)"
