#!/usr/bin/env bash
# Runs the JS suite on each Node major in VOXPOOL_NODE_MAJORS (default: 22 24) besides the system
# Node. The Node binaries come from the npm registry (node-linux-<arch>@<major>) and are cached
# outside the repository, in VOXPOOL_NODE_CACHE (default ~/.cache/voxpool/node). The addon is a
# Node-API build, so the binary `npm ci` built is the one tested on every version.
set -euo pipefail
cd "$(dirname "$0")/.."

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "node-matrix: no node-linux package for $(uname -m)" >&2; exit 2 ;;
esac
cache="${VOXPOOL_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/voxpool/node}"

for major in ${VOXPOOL_NODE_MAJORS:-22 24}; do
  dir="$cache/$major"
  if [ ! -x "$dir/node_modules/.bin/node" ]; then
    echo "node-matrix: installing node-linux-$arch@$major into $dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "node-linux-$arch@$major"
  fi
  bin="$dir/node_modules/.bin"
  echo "::: JS suite on Node $("$bin/node" --version)"
  PATH="$bin:$PATH" node scripts/napi-prebuild-alias.js
  # The full-length memory soak runs once, on the system Node (npm test); here it is short.
  PATH="$bin:$PATH" VOXPOOL_SOAK_CYCLES="${VOXPOOL_SOAK_CYCLES:-2000}" npm run --silent test:js
done
