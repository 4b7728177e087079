#!/usr/bin/env bash
# Builds libopus and libsodium as static, position-independent archives for the prebuilt
# binaries, from the Debian source packages of the very versions installed here (so a prebuild
# runs the same library code as a source build on this machine). Debian's own libopus.a and
# libsodium.a are not PIC and cannot be linked into a shared object ("relocation R_X86_64_PC32
# ... recompile with -fPIC").
#
#   scripts/build-static-deps.sh PREFIX [HOST_TRIPLET]
#
# Installs into PREFIX (lib/*.a, lib/pkgconfig/*.pc, include/); point PKG_CONFIG_PATH at
# PREFIX/lib/pkgconfig and configure with -DVOXPOOL_STATIC_DEPS=ON. HOST_TRIPLET (e.g.
# aarch64-linux-gnu) cross-compiles with Debian's multiarch toolchain and takes the versions of the
# :arch -dev packages. Flags are Debian's (dpkg-buildflags) plus PIC. For a tuned libopus (issue 15):
# VOXPOOL_OPUS_CFLAGS replaces libopus's flags, VOXPOOL_OPUS_SOURCE another source version (e.g.
# opus=1.5.2-2, with VOXPOOL_DEBIAN_MIRROR/VOXPOOL_DEBIAN_SUITES naming a suite that has it).
# Re-running with the same versions and flags does nothing; the stamps record what was built
# (prebuild.js copies them into build.json, which voxpool.report() shows).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
prefix=$(mkdir -p "$1" && cd "$1" && pwd)
host=${2:-}
jobs=${VOXPOOL_JOBS:-2}

# The -dev package of the architecture being built for, named with its :arch qualifier: with a
# foreign architecture added (dpkg --add-architecture arm64), the bare name matches both.
arch_suffix=":$(dpkg --print-architecture)"
configure_host=()
if [ -n "$host" ]; then
  arch_suffix=":$(dpkg-architecture -t "$host" -qDEB_HOST_ARCH 2>/dev/null)"
  configure_host=(--host="$host")
  export CC="$host-gcc"
fi
source_of() {  # the Debian source package and version behind an installed -dev package
  dpkg-query -W -f='${source:Package}=${source:Version}' "$1$arch_suffix" 2>/dev/null || {
    echo "voxpool: $1$arch_suffix is not installed; install it (its version picks the source)" >&2
    exit 1
  }
}
opus_src=${VOXPOOL_OPUS_SOURCE:-$(source_of libopus-dev)}
sodium_src=$(source_of libsodium-dev)

work="$prefix/work"
mapfile -t dirs < <(bash "$root/scripts/debian-source.sh" "$work" "$opus_src" "$sodium_src")

debian_cflags="$(DEB_HOST_GNU_TYPE=${host:-} dpkg-buildflags --get CFLAGS) -fPIC"
opus_cflags=${VOXPOOL_OPUS_CFLAGS:-$debian_cflags}

build() {  # name source_dir stamp configure_args...
  local name=$1 dir=$2 stamp=$3
  shift 3
  if [ -f "$prefix/.$name.stamp" ] && [ "$(cat "$prefix/.$name.stamp")" = "$stamp" ]; then
    return
  fi
  local b="$work/build-$name"
  rm -rf "$b" && mkdir -p "$b"
  # Debian builds libsodium with autoreconf (its orig tarball has no configure script).
  if ! [ -x "$dir/configure" ]; then
    command -v autoreconf >/dev/null || {
      echo "voxpool: building $name needs autoreconf; install the Debian packages autoconf automake libtool" >&2
      exit 1
    }
    (cd "$dir" && autoreconf -fi >"$b/autoreconf.log" 2>&1)
  fi
  (cd "$b" && "$dir/configure" --prefix="$prefix" --libdir="$prefix/lib" \
      --enable-static --disable-shared --with-pic "${configure_host[@]}" "$@" >configure.log 2>&1 \
    && make -j"$jobs" >make.log 2>&1 && make install >install.log 2>&1) || {
    echo "voxpool: building $name failed; see $b/*.log" >&2
    exit 1
  }
  echo "$stamp" >"$prefix/.$name.stamp"
}
# --enable-custom-modes: Debian's libopus is built with it (debian/rules).
build opus "${dirs[0]}" "$opus_src $host $opus_cflags" CFLAGS="$opus_cflags" \
  --enable-custom-modes --disable-doc --disable-extra-programs
build sodium "${dirs[1]}" "$sodium_src $host $debian_cflags" CFLAGS="$debian_cflags"
echo "$prefix/lib/pkgconfig"
