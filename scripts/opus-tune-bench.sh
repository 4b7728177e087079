#!/usr/bin/env bash
# Measures candidate libopus builds for the prebuilt binaries (issue 15): builds each candidate
# with scripts/build-static-deps.sh (libopus alone) into build-opus-tune/<name>/, links
# bench/opus-tune/opus_frame.c against it (and once against the system's shared libopus), then
# runs all the binaries interleaved, ROUNDS times, on the same music-like signal
# (bench/js/audio.js). Prints each round and a Markdown table of medians.
#
#   scripts/opus-tune-bench.sh [ROUNDS] [NAME...]     (npm run bench:opus-tune)
#
# Candidates (name | source package | CFLAGS | extra configure options); "-" is the default
# (Debian's version and flags). 1.5.2 comes from Debian 13 (trixie), through this machine's
# configured Debian mirror.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-7}
shift || true
out="$root/build-opus-tune"
mkdir -p "$out"
deb="$(dpkg-buildflags --get CFLAGS) -fPIC"
portable="-O3 -g -fPIC -fstack-protector-strong"
candidates=(
  "debian-1.3.1|-|$deb|"
  "O3-1.3.1|-|$portable|"
  "O3-lto-1.3.1|-|$portable -flto=auto -ffat-lto-objects|"
  "O3-v2-1.3.1|-|$portable -march=x86-64-v2|"
  "O3-v3-1.3.1|-|$portable -march=x86-64-v3|"
  "O3-approx-1.3.1|-|$portable|--enable-float-approx"
  "debian-1.5.2|opus=1.5.2-2|$deb|"
  "O3-1.5.2|opus=1.5.2-2|$portable|"
  "O3-lto-1.5.2|opus=1.5.2-2|$portable -flto=auto -ffat-lto-objects|"
)
selected=("$@")
mirror=$(bash "$root/scripts/debian-source.sh" --mirror)

# The signal: 20 s of bench/js/audio.js's music, s16le stereo 48 kHz.
pcm="$out/music.s16"
[ -f "$pcm" ] || node -e "process.stdout.write(require('$root/bench/js/audio.js').generatePcm({ seconds: 20 }))" >"$pcm"

names=(system)
cc -O2 -o "$out/opus_frame-system" "$root/bench/opus-tune/opus_frame.c" $(pkg-config --cflags --libs opus) -lm
for c in "${candidates[@]}"; do
  IFS='|' read -r name src cflags configure <<<"$c"
  if [ ${#selected[@]} -gt 0 ] && ! printf '%s\n' "${selected[@]}" | grep -qx "$name"; then continue; fi
  env=(VOXPOOL_STATIC_DEPS_ONLY=opus VOXPOOL_OPUS_CFLAGS="$cflags" VOXPOOL_OPUS_CONFIGURE="$configure")
  [ "$src" = - ] || env+=(VOXPOOL_OPUS_SOURCE="$src" VOXPOOL_OPUS_MIRROR="$mirror trixie")
  echo "building $name ..." >&2
  env "${env[@]}" bash "$root/scripts/build-static-deps.sh" "$out/$name" >/dev/null
  lto=
  case "$cflags" in *-flto*) lto="-O3 -flto=auto" ;; esac
  cc -O2 $lto -o "$out/opus_frame-$name" "$root/bench/opus-tune/opus_frame.c" -I"$out/$name/include/opus" \
    "$out/$name/lib/libopus.a" -lm
  names+=("$name")
done

echo "# $(date -u +%FT%TZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# round name version encode_us decode_us packets_hash decoded_hash snr_db bytes_per_packet"
results="$out/results.txt"
: >"$results"
for r in $(seq 1 "$rounds"); do
  for name in "${names[@]}"; do
    line="$r $name $("$out/opus_frame-$name" "$pcm" 3)"
    echo "$line" | tee -a "$results"
  done
done

echo
echo "| build | libopus | encode µs/frame (median) | decode µs/frame (median) | encode vs system | decode vs system | packets = system | SNR dB |"
echo "|---|---|---|---|---|---|---|---|"
node - "$results" <<'EOF'
const lines = require('fs').readFileSync(process.argv[2], 'utf8').trim().split('\n').map((l) => l.split(' '));
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
const by = new Map();
for (const [, name, version, enc, dec, ph, , snr] of lines) {
  if (!by.has(name)) by.set(name, { version, enc: [], dec: [], ph, snr });
  by.get(name).enc.push(Number(enc));
  by.get(name).dec.push(Number(dec));
}
const sys = by.get('system');
for (const [name, r] of by) {
  const e = median(r.enc), d = median(r.dec);
  const pct = (v, ref) => `${(((v / ref) - 1) * 100).toFixed(1)} %`;
  console.log(`| ${name} | ${r.version} | ${e.toFixed(1)} | ${d.toFixed(1)} | ${pct(e, median(sys.enc))} | ` +
    `${pct(d, median(sys.dec))} | ${r.ph === sys.ph ? 'yes' : 'no'} | ${r.snr} |`);
}
EOF
