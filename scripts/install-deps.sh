#!/usr/bin/env bash
# Installs the Debian packages voxpool builds against, if any are missing. Safe to re-run.
# Runs apt-get directly as root, through sudo otherwise.
#
#   scripts/install-deps.sh                 the source build, tests and benchmarks
#   scripts/install-deps.sh --cross-arm64   only what the linux-arm64 prebuild and its qemu smoke
#                                           test need (scripts/prebuild-arm64-test.sh); adds the
#                                           arm64 architecture to dpkg
set -euo pipefail

PACKAGES=(
  cmake pkg-config g++ make
  libopus-dev libsodium-dev libconcurrentqueue-dev libsoxr-dev libogg-dev libwebm-dev
  libsoundtouch-dev libebur128-dev libwebrtc-audio-processing-dev
  libgtest-dev libbenchmark-dev
  clang libclang-rt-dev
  nodejs
  # test tools: files made by opus-tools and ffmpeg, laced WebM by mkvmerge (mkvtoolnix), speech
  # by espeak-ng, the loopback voice server's TLS certificate by openssl
  opus-tools ffmpeg mkvtoolnix espeak-ng sox openssl
)

# The arm64 prebuild (docs/PREBUILDS.md): Debian's multiarch cross toolchain, the :arm64 -dev
# packages (their versions pick the libopus/libsodium sources built statically, libsoxr and its
# libgomp are bundled), autotools for libsodium's source package, qemu-user for the smoke test and
# debootstrap for its arm64 root.
CROSS_ARM64=(
  crossbuild-essential-arm64 dpkg-dev pkg-config cmake make autoconf automake libtool
  libopus-dev:arm64 libsodium-dev:arm64 libsoxr-dev:arm64 libogg-dev:arm64 libwebm-dev:arm64 libconcurrentqueue-dev
  libsoundtouch-dev:arm64 libebur128-dev:arm64 libwebrtc-audio-processing-dev:arm64
  qemu-user-static debootstrap binfmt-support
)

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

if [ "${1:-}" = --cross-arm64 ]; then
  PACKAGES=("${CROSS_ARM64[@]}")
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "voxpool: dpkg --add-architecture arm64"
    $SUDO dpkg --add-architecture arm64
    $SUDO apt-get update -qq
  fi
elif [ -n "${1:-}" ]; then
  echo "usage: scripts/install-deps.sh [--cross-arm64]" >&2
  exit 2
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
  echo "voxpool: system packages present"
  exit 0
fi

echo "voxpool: installing ${missing[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
