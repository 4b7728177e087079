'use strict';
// Restores lockfile entries for optional per-platform packages that `npm install` leaves out when
// the registry it talks to lacks them (this workplace's mirror holds only some of mediaplex's
// prebuilt packages). Without the entries `npm ci` refuses the lock as out of sync; with them, npm
// skips each package on any platform it does not match, without fetching it. Idempotent.
//   node scripts/lock-optional-platforms.js
const fs = require('node:fs');
const path = require('node:path');

const lockPath = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

// name suffix -> [os, cpu, libc], following the napi-rs naming these packages use
function platformOf(suffix) {
  const [os, cpu, abi] = suffix.split('-');
  const libc = os !== 'linux' ? undefined : abi && abi.startsWith('musl') ? ['musl'] : ['glibc'];
  return { os: [os], cpu: cpu === 'universal' ? undefined : [cpu], libc };
}

let added = 0;
for (const [key, entry] of Object.entries(packages)) {
  if (!entry.optionalDependencies) continue;
  for (const [dep, version] of Object.entries(entry.optionalDependencies)) {
    const depKey = `node_modules/${dep}`;
    if (packages[depKey]) continue;
    const parent = key.replace(/^node_modules\//, '');
    if (!dep.startsWith(`${parent}-`)) continue; // only the parent's own platform builds
    const { os, cpu, libc } = platformOf(dep.slice(parent.length + 1));
    packages[depKey] = {
      version, dev: entry.dev, optional: true, os, ...(cpu && { cpu }), ...(libc && { libc }),
    };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-optional-platforms: added ${added} entr${added === 1 ? 'y' : 'ies'}`);
