#!/usr/bin/env bash
# Quick start, step 1: system packages, npm dependencies (builds the addon), then the main job:
# the side-by-side benchmark on generated audio. Pass --no-bench to stop after the install, and
# any other arguments through to the benchmark (e.g. --quick).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

# @discordjs/opus (a comparison devDependency) compiles from source when no prebuild matches;
# point node-gyp at the installed Node headers so it never tries to download them.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_api.h ]; then
  export npm_config_nodedir=/usr
fi

npm ci --no-audit --no-fund

if [ "${1:-}" = "--no-bench" ]; then
  exit 0
fi
npm run bench -- "$@"
