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
# opus=1.5.2-2, with VOXPOOL_OPUS_MIRROR="URI SUITE" naming a Debian suite that has it, e.g.
# "http://deb.debian.org/debian trixie"),
# VOXPOOL_OPUS_CONFIGURE adds configure options (e.g. --enable-float-approx).
# VOXPOOL_OPUS_TUNED=1 picks the measured tuned libopus (the defaults of the three above, set
# below; docs/ARCHITECTURE.md, "Tuned libopus") and runs libopus's own test suite (make check) on
# it. VOXPOOL_OPUS_CHECK=1 runs make check on any libopus build (a failure fails the build; a
# cross build cannot run the tests and says so). VOXPOOL_STATIC_DEPS_ONLY=opus builds libopus
# alone (scripts/opus-tune-bench.sh).
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
debian_cflags="$(DEB_HOST_GNU_TYPE=${host:-} dpkg-buildflags --get CFLAGS) -fPIC"
opus_check=${VOXPOOL_OPUS_CHECK:-0}
if [ "${VOXPOOL_OPUS_TUNED:-0}" = 1 ]; then
  # The tuned libopus, chosen by scripts/opus-tune-bench.sh (docs/ARCHITECTURE.md has the table).
  # No -march: one binary serves every CPU of the architecture; libopus picks its SSE4.1 / AVX2
  # (x86-64) and NEON (aarch64) kernels at run time or by the baseline of the target.
  : "${VOXPOOL_OPUS_SOURCE:=opus=1.5.2-2}"
  : "${VOXPOOL_OPUS_CFLAGS:=-O3 -g -fPIC -fstack-protector-strong}"
  if [ "$VOXPOOL_OPUS_SOURCE" = opus=1.5.2-2 ] && [ -z "${VOXPOOL_OPUS_MIRROR:-}" ]; then
    # Debian 13 (trixie) carries it; the machine's first configured Debian mirror serves it.
    VOXPOOL_OPUS_MIRROR="$(bash "$root/scripts/debian-source.sh" --mirror) trixie"
  fi
  opus_check=1
fi
opus_src=${VOXPOOL_OPUS_SOURCE:-$(source_of libopus-dev)}
opus_cflags=${VOXPOOL_OPUS_CFLAGS:-$debian_cflags}
opus_configure=(${VOXPOOL_OPUS_CONFIGURE:-})
only=${VOXPOOL_STATIC_DEPS_ONLY:-}

# libopus may come from another suite (VOXPOOL_OPUS_MIRROR="URI SUITE"); libsodium from this
# machine's.
work="$prefix/work"
opus_fetch_env=()
if [ -n "${VOXPOOL_OPUS_MIRROR:-}" ]; then
  opus_fetch_env=(VOXPOOL_DEBIAN_MIRROR="${VOXPOOL_OPUS_MIRROR% *}" VOXPOOL_DEBIAN_SUITES="${VOXPOOL_OPUS_MIRROR#* }")
fi
dirs=("$(env "${opus_fetch_env[@]}" bash "$root/scripts/debian-source.sh" "$work" "$opus_src")")
sodium_src=
if [ "$only" != opus ]; then
  sodium_src=$(source_of libsodium-dev)
  dirs+=("$(bash "$root/scripts/debian-source.sh" "$work" "$sodium_src")")
fi

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
    && make -j"$jobs" >make.log 2>&1) || {
    echo "voxpool: building $name failed; see $b/*.log" >&2
    exit 1
  }
  if [ "$name" = opus ] && [ "$opus_check" = 1 ]; then
    if [ -n "$host" ]; then
      echo "voxpool: libopus make check skipped: a cross build ($host) cannot run its tests here" >&2
    else
      echo "voxpool: running libopus's make check ($b/check.log)" >&2
      (cd "$b" && make -j"$jobs" check >check.log 2>&1) || {
        grep -E '^(PASS|FAIL|ERROR|# )' "$b/check.log" >&2 || true
        echo "voxpool: libopus make check failed; see $b/check.log and $b/tests/*.log" >&2
        exit 1
      }
      grep -E '^# (TOTAL|PASS|FAIL)' "$b/check.log" | tr '\n' ' ' >&2
      echo >&2
    fi
  fi
  (cd "$b" && make install >install.log 2>&1) || {
    echo "voxpool: installing $name failed; see $b/install.log" >&2
    exit 1
  }
  echo "$stamp" >"$prefix/.$name.stamp"
}
# --enable-custom-modes: Debian's libopus is built with it (debian/rules). make check needs the
# extra programs (the tests are among them); they are not installed.
extra=--disable-extra-programs
[ "$opus_check" = 1 ] && extra=
# libopus's stamp is also its build record, read by voxpool.report() (through build.json and the
# binary, cmake/Dependencies.cmake): "SOURCE | host=TRIPLET | cflags=... | configure=... | check=...".
check=not-run
[ "$opus_check" = 1 ] && check=passed
[ "$opus_check" = 1 ] && [ -n "$host" ] && check=skipped-cross
opus_configure=(--enable-custom-modes "${opus_configure[@]}")
build opus "${dirs[0]}" \
  "$opus_src | host=$host | cflags=$opus_cflags | configure=${opus_configure[*]} | check=$check" \
  CFLAGS="$opus_cflags" --disable-doc $extra "${opus_configure[@]}"
[ "$only" = opus ] || build sodium "${dirs[1]}" "$sodium_src $host $debian_cflags" CFLAGS="$debian_cflags"
echo "$prefix/lib/pkgconfig"
