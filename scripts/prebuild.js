'use strict';
// npm run prebuild: builds the self-contained Node-API binary that node-gyp-build loads from
// prebuilds/<platform>-<arch>/, so that `npm install voxpool` needs no compiler and no system
// libraries. One binary serves every Node version with Node-API 8, and Bun.
//
//   node scripts/prebuild.js              this machine's architecture (linux-x64 here)
//   node scripts/prebuild.js --arch arm64 linux-arm64, cross-built with Debian's multiarch
//                                         toolchain (scripts/install-deps.sh --cross-arm64;
//                                         cmake/toolchain-aarch64-linux-gnu.cmake)
//   ... --debian-opus                     libopus as Debian builds it, not the tuned one
//
// Steps: libopus and libsodium are built as static PIC archives from Debian's source packages
// (scripts/build-static-deps.sh: Debian's own .a files are not PIC); the addon is configured with
// -DVOXPOOL_STATIC_DEPS=ON in build-prebuild/<platform>-<arch>/ (never build/, which is the source
// build); what is still linked as a shared object and is not part of glibc (libsoxr: Debian ships
// no libsoxr.a; and its libgomp) is copied beside the binary, which finds it through its $ORIGIN
// run path. Then the result is checked: no NEEDED entry may name a library that is neither
// bundled nor part of glibc / the C++ runtime every Node binary already loads, and a child
// process must map the bundled copies, not the system's. build.json beside the binary records
// what went in (voxpool.report() shows it). A cross build cannot be loaded here: the loader's
// view is taken from the target's library directories instead of ldd, and the load check is left
// to scripts/prebuild-arm64-test.sh, which runs the smoke test under qemu-user.
const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const platform = os.platform();
// Cross targets: Node's arch name -> GNU triplet of Debian's cross toolchain.
const CROSS = { arm64: 'aarch64-linux-gnu' };
const archArg = process.argv.indexOf('--arch');
const arch = archArg === -1 ? os.arch() : process.argv[archArg + 1];
const triplet = arch === os.arch() ? null : CROSS[arch];
const tuple = `${platform}-${arch}`;
// Binutils and the compiler of the target (the cross toolchain's are prefixed with its triplet).
const tool = (name) => (triplet ? `${triplet}-${name}` : name);
// node-gyp-build's naming: "napi" matches every ABI, "glibc" keeps musl systems (Alpine) from
// picking a binary they cannot load; the first word is free.
const binaryName = 'voxpool.napi.glibc.node';
// Libraries every glibc system and every Node binary provide: never bundled.
const BASELINE = /^(libc|libm|libmvec|libpthread|libdl|librt|libresolv|ld-linux[-\w]*|libstdc\+\+|libgcc_s)\.so/;

// /usr/share/doc/<package>/copyright of the Debian package that installed `file` (dpkg -S; the
// :arm64 packages too), or null when no package owns it.
function debianCopyright(file) {
  for (const candidate of [file, fs.realpathSync(file)]) {
    let owner;
    try {
      owner = execFileSync('dpkg', ['-S', candidate], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      continue;
    }
    const pkg = owner.split(/[:,]/)[0].trim();
    const doc = `/usr/share/doc/${pkg}/copyright`;
    if (fs.existsSync(doc)) return doc;
  }
  return null;
}

function fail(message) {
  console.error(`voxpool prebuild: ${message}`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
}

function readelfDynamic(file) {
  const out = execFileSync('readelf', ['-d', file], { encoding: 'utf8' });
  const needed = [...out.matchAll(/\(NEEDED\)\s+Shared library: \[(.+?)\]/g)].map((m) => m[1]);
  const rpath = /\((?:RPATH|RUNPATH)\)\s+Library r(?:un)?path: \[(.+?)\]/.exec(out);
  const soname = /\(SONAME\)\s+Library soname: \[(.+?)\]/.exec(out);
  return { needed, rpath: rpath && rpath[1], soname: soname && soname[1] };
}

// soname -> path, as the system's loader would resolve it (ldd, with LD_LIBRARY_PATH cleared).
function systemResolution(file) {
  const env = { ...process.env };
  delete env.LD_LIBRARY_PATH;
  const out = execFileSync('ldd', [file], { encoding: 'utf8', env });
  const map = new Map();
  for (const m of out.matchAll(/^\s*(\S+) => (\/\S+)/gm)) map.set(m[1], m[2]);
  return map;
}

// The same for a cross build, which ldd cannot run: the sonames the binary needs, transitively,
// looked up where the target's loader would look on Debian (the :arch packages' multiarch
// directories; the cross toolchain's own root for libc and the C++ runtime).
function targetResolution(file) {
  const dirs = [`/lib/${triplet}`, `/usr/lib/${triplet}`, `/usr/${triplet}/lib`];
  const map = new Map();
  const pending = [file];
  while (pending.length) {
    for (const soname of readelfDynamic(pending.shift()).needed) {
      if (map.has(soname)) continue;
      const dir = dirs.find((d) => fs.existsSync(path.join(d, soname)));
      if (!dir) continue;
      map.set(soname, path.join(dir, soname));
      pending.push(path.join(dir, soname));
    }
  }
  return map;
}

function glibcFloor(files) {
  let best = [0, 0];
  for (const file of files) {
    const out = execFileSync(tool('objdump'), ['-T', file], { encoding: 'utf8' });
    for (const m of out.matchAll(/GLIBC_(\d+)\.(\d+)(?:\.(\d+))?/g)) {
      const v = [Number(m[1]), Number(m[2])];
      if (v[0] > best[0] || (v[0] === best[0] && v[1] > best[1])) best = v;
    }
  }
  return `${best[0]}.${best[1]}`;
}

function glibcxxFloor(files) {
  let best = null;
  for (const file of files) {
    const out = execFileSync(tool('objdump'), ['-T', file], { encoding: 'utf8' });
    for (const m of out.matchAll(/GLIBCXX_(\d+(?:\.\d+)+)/g)) {
      if (!best || m[1].localeCompare(best, undefined, { numeric: true }) > 0) best = m[1];
    }
  }
  return best;
}

if (platform !== 'linux') fail(`only Linux prebuilds are made here (this is ${platform})`);
if (arch !== os.arch() && !triplet) {
  fail(`cannot build for ${arch} on ${os.arch()} (cross targets: ${Object.keys(CROSS).join(', ')})`);
}
if (triplet) {
  const probeCc = spawnSync(tool('g++'), ['--version'], { stdio: 'ignore' });
  if (probeCc.status !== 0) fail(`${tool('g++')} not found; run scripts/install-deps.sh --cross-${arch}`);
}

// 1. Static PIC libopus and libsodium from Debian's source packages. libopus is the tuned one
// (issue 15: newer source, flags chosen by scripts/opus-tune-bench.sh, its make check run) unless
// --debian-opus or VOXPOOL_OPUS_TUNED=0 asks for the machine's version with Debian's flags.
const tuned = !process.argv.includes('--debian-opus') && process.env.VOXPOOL_OPUS_TUNED !== '0';
const depsPrefix = path.join(root, 'build-prebuild', 'deps', tuple);
run('bash', [path.join(__dirname, 'build-static-deps.sh'), depsPrefix, ...(triplet ? [triplet] : [])],
  { env: { ...process.env, VOXPOOL_OPUS_TUNED: tuned ? '1' : '0' } });
const pkgConfigPath = [path.join(depsPrefix, 'lib', 'pkgconfig'), process.env.PKG_CONFIG_PATH]
  .filter(Boolean).join(path.delimiter);

// 2. The addon, configured afresh: find_library caches where each archive was found, and a
// stale cache must not point the prebuild at a non-PIC system archive.
const buildDir = path.join(root, 'build-prebuild', tuple);
fs.rmSync(path.join(buildDir, 'CMakeCache.txt'), { force: true });
const jobs = process.env.VOXPOOL_JOBS || '2';
const crossArgs = triplet
  ? ['--arch', arch, `--CDCMAKE_TOOLCHAIN_FILE=${path.join(root, 'cmake', `toolchain-${triplet}.cmake`)}`]
  : [];
run(process.execPath, [require.resolve('cmake-js/bin/cmake-js'), 'compile', '-O', buildDir, '-p', jobs,
  '--CDVOXPOOL_STATIC_DEPS=ON', ...crossArgs],
{ cwd: root, env: { ...process.env, PKG_CONFIG_PATH: pkgConfigPath } });
const built = path.join(buildDir, 'Release', 'voxpool.node');
const cache = fs.readFileSync(path.join(buildDir, 'CMakeCache.txt'), 'utf8');
const linkage = (name) => (new RegExp(`^VOXPOOL_${name}_LINKAGE:INTERNAL=(\\w+)`, 'm').exec(cache) || [])[1];
for (const name of ['OPUS', 'SODIUM']) {
  if (linkage(name) !== 'static') fail(`${name.toLowerCase()} was not linked statically (${linkage(name)})`);
}

// 3. prebuilds/<tuple>/: the binary plus the shared objects it still needs, found the way the
// system's loader finds them, copied under their sonames, transitively.
const outDir = path.join(root, 'prebuilds', tuple);
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
const outBinary = path.join(outDir, binaryName);
fs.copyFileSync(built, outBinary);
// Debian's flags build the static libraries with -g: their debug information would be most of
// the tarball.
run(tool('strip'), ['--strip-unneeded', outBinary]);
const resolution = triplet ? targetResolution(built) : systemResolution(built);
const bundled = [];
const pending = [outBinary];
while (pending.length) {
  const file = pending.shift();
  for (const soname of readelfDynamic(file).needed) {
    if (BASELINE.test(soname) || bundled.some((b) => b.soname === soname)) continue;
    const source = resolution.get(soname);
    if (!source) fail(`cannot resolve ${soname} (needed by ${path.basename(file)})`);
    const dest = path.join(outDir, soname);
    fs.copyFileSync(fs.realpathSync(source), dest);
    // Its Debian copyright file goes with it, as licenses/<soname>.copyright (libsoxr and
    // libSoundTouch are LGPL: the notice and the licence travel with the object, which stays a
    // separate, replaceable shared object). A folder of its own, so that globs for the shared
    // objects (*.so.*) never match a text file.
    const copyright = debianCopyright(source);
    if (copyright) {
      fs.mkdirSync(path.join(outDir, 'licenses'), { recursive: true });
      fs.copyFileSync(copyright, path.join(outDir, 'licenses', `${soname}.copyright`));
    }
    bundled.push({ soname, from: fs.realpathSync(source), copyright: Boolean(copyright) });
    pending.push(dest);
  }
}

// The libraries linked in statically carry their notices too (BSD and ISC licences ask for them
// with binary copies): licenses/<archive>.copyright, from the Debian package that installed the
// archive or, for one built from Debian's source package here (libopus, libsodium), from its -dev
// package's documentation.
const DEV_PACKAGES = { OPUS: 'libopus-dev', SODIUM: 'libsodium-dev', OGG: 'libogg-dev', SOXR: 'libsoxr-dev',
  SOUNDTOUCH: 'libsoundtouch-dev', EBUR128: 'libebur128-dev', WEBRTC_APM: 'libwebrtc-audio-processing-dev' };
const linkedIn = [];
for (const m of cache.matchAll(/^VOXPOOL_(\w+)_ARCHIVE:FILEPATH=(.+)$/gm)) {
  const [, name, archive] = m;
  if (linkage(name) !== 'static' || !fs.existsSync(archive)) continue;
  const doc = `/usr/share/doc/${DEV_PACKAGES[name]}/copyright`;
  const copyright = debianCopyright(archive) || (DEV_PACKAGES[name] && fs.existsSync(doc) ? doc : null);
  if (!copyright) fail(`no copyright file for the statically linked ${path.basename(archive)}`);
  fs.mkdirSync(path.join(outDir, 'licenses'), { recursive: true });
  fs.copyFileSync(copyright, path.join(outDir, 'licenses', `${path.basename(archive)}.copyright`));
  linkedIn.push(path.basename(archive));
}

// 4. Checks.
const own = readelfDynamic(outBinary);
// The process-wide pool outlives environments: the addon must never be unloaded (CMakeLists.txt).
if (!/\(FLAGS_1\).*NODELETE/.test(execFileSync('readelf', ['-d', outBinary], { encoding: 'utf8' }))) {
  fail('the binary is not marked NODELETE (-z nodelete)');
}
if (own.rpath !== '$ORIGIN' && bundled.length) fail(`run path is ${own.rpath}, expected $ORIGIN`);
const files = [outBinary, ...bundled.map((b) => path.join(outDir, b.soname))];
for (const file of files) {
  for (const soname of readelfDynamic(file).needed) {
    const ok = BASELINE.test(soname) || bundled.some((b) => b.soname === soname);
    if (!ok) fail(`${path.basename(file)} needs ${soname}, which is neither bundled nor baseline`);
  }
}
// Load it in a child process and look at what the loader actually mapped: every library of ours
// must come from the prebuild directory (a system copy would mean the run path did not work).
const probe = `
  const b = require(${JSON.stringify(outBinary)});
  const maps = require('fs').readFileSync('/proc/self/maps', 'utf8');
  const libs = [...new Set(maps.split('\\n').map((l) => l.split(/\\s+/)[5])
    .filter((p) => p && /lib(opus|sodium|soxr|gomp|ogg|webm|SoundTouch|ebur128)[^/]*\\.so/.test(p)))];
  console.log(JSON.stringify({ libs, opus: b.opusConstants && b.opusConstants.OPUS_VERSION }));`;
if (!triplet) {
  const childEnv = { ...process.env };
  delete childEnv.LD_LIBRARY_PATH;
  const probed = JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8', env: childEnv }));
  for (const lib of probed.libs) {
    if (path.dirname(lib) !== outDir) fail(`the prebuild loaded ${lib} instead of its bundled copy`);
  }
}
const machine = /Machine:\s+(.+)/.exec(execFileSync('readelf', ['-h', outBinary], { encoding: 'utf8' }))[1].trim();
const expectedMachine = { x64: 'X86-64', arm64: 'AArch64' }[arch];
if (expectedMachine && !machine.includes(expectedMachine)) fail(`the binary is for ${machine}, not ${arch}`);

const info = {
  tuple,
  binary: binaryName,
  napiVersion: 8,
  glibc: glibcFloor(files),
  glibcxx: glibcxxFloor(files),
  machine,
  compiler: execFileSync(triplet ? tool('g++') : 'c++', ['--version'], { encoding: 'utf8' }).split('\n')[0],
  opusTuned: tuned,
  static: {
    opus: fs.readFileSync(path.join(depsPrefix, '.opus.stamp'), 'utf8').trim(),
    sodium: fs.readFileSync(path.join(depsPrefix, '.sodium.stamp'), 'utf8').trim(),
  },
  bundled,
  linkedIn,
  needed: own.needed,
};
// The floors docs/PREBUILDS.md promises (Debian 12 / Ubuntu 22.04 / RHEL 9 era): a symbol from a
// newer glibc or libstdc++ would make the binary fail to load there, so the build fails instead.
const FLOORS = { glibc: '2.34', glibcxx: '3.4.29' };
for (const [key, floor] of Object.entries(FLOORS)) {
  if (info[key] && info[key].localeCompare(floor, undefined, { numeric: true }) > 0) {
    fail(`the binary needs ${key} ${info[key]}, above the documented floor ${floor} (objdump -T ${outBinary})`);
  }
}
fs.writeFileSync(path.join(outDir, 'build.json'), `${JSON.stringify(info, null, 2)}\n`);
const size = files.reduce((n, f) => n + fs.statSync(f).size, 0);
console.log(`voxpool prebuild: ${path.relative(root, outBinary)} (+ ${bundled.map((b) => b.soname).join(', ') || 'nothing'})`);
console.log(`  ${(size / 1024).toFixed(0)} KiB in all; NEEDED ${own.needed.join(' ')}; RPATH ${own.rpath}`);
console.log(`  needs glibc >= ${info.glibc}${info.glibcxx ? `, GLIBCXX ${info.glibcxx}` : ', no libstdc++ symbols'}`);
