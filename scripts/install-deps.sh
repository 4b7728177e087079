#!/usr/bin/env bash
# Installs the Debian packages voxpool builds against, if any are missing. Safe to re-run.
# Runs apt-get directly as root, through sudo otherwise.
set -euo pipefail

PACKAGES=(
  cmake pkg-config g++ make
  libopus-dev libsodium-dev libconcurrentqueue-dev libsoxr-dev
  libgtest-dev libbenchmark-dev
  clang libclang-rt-dev
  nodejs
  # test tools: files made by opus-tools and ffmpeg, speech by espeak-ng, the loopback voice
  # server's TLS certificate by openssl
  opus-tools ffmpeg espeak-ng sox openssl
)

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
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
