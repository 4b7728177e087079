'use strict';
// voxpool.report(): every value is checked against its source (the binding's own constants, the
// files on disk, package.json files), for the binary this suite runs on and, when
// prebuilds/<platform>-<arch>/ exists (npm run prebuilds), for the prebuild in a child process.
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const voxpool = require('../..');
const binding = require('../../lib/binding');

const root = path.join(__dirname, '..', '..');
const version = (dir) => JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;

test('report names the binary that loaded and the versions the linked libraries report', () => {
  const r = voxpool.report();
  assert.equal(r.voxpool, version(root));
  assert.equal(r.binary.file, binding.loadedFrom);
  assert.ok(fs.statSync(r.binary.file).isFile());
  assert.equal(r.binary.fromEnv, Boolean(process.env.VOXPOOL_BINDING));
  assert.equal(r.binary.kind, path.basename(path.dirname(path.dirname(r.binary.file))) === 'prebuilds' ? 'prebuild' : 'source');

  assert.equal(r.libraries.opus.version, voxpool.opus.OPUS_VERSION);
  assert.match(r.libraries.opus.version, /^libopus \d+\.\d+/);
  assert.equal(r.libraries.sodium.version, voxpool.voiceCrypto.SODIUM_VERSION);
  assert.match(r.libraries.sodium.version, /^\d+\.\d+\.\d+$/);
  assert.equal(r.libraries.soxr.version, binding.mixerConstants.RESAMPLER);
  assert.match(r.libraries.soxr.version, /^libsoxr-\d+\.\d+\.\d+$/);
  // libwebm is always a shared object (Debian ships no archive); libogg is static in a prebuild.
  assert.equal(r.libraries.webm.version, null);
  assert.equal(r.libraries.webm.linkage, 'shared');
  assert.match(path.basename(r.libraries.webm.file), /^libwebm\.so/);
  assert.ok(['static', 'shared'].includes(r.libraries.ogg.linkage), r.libraries.ogg.linkage);
  // The filters' libraries report their own versions: the ones pkg-config found at build time.
  const modversion = (m) => execFileSync('pkg-config', ['--modversion', m], { encoding: 'utf8' }).trim();
  assert.equal(r.libraries.soundtouch.version, modversion('soundtouch'));
  assert.equal(r.libraries.ebur128.version, modversion('libebur128'));
  assert.match(path.basename(r.libraries.soundtouch.file), /^libSoundTouch\.so/);
  assert.match(path.basename(r.libraries.ebur128.file), /^libebur128\.so/);
  assert.equal(r.libraries.webrtcAudioProcessing.version, modversion('webrtc-audio-processing'));
  // How libopus was built: the build's own record, consistent with how it is linked.
  const ob = r.libraries.opus.build;
  assert.ok(ob, 'libraries.opus.build recorded');
  assert.deepEqual(Object.keys(ob), ['source', 'host', 'cflags', 'configure', 'check']);
  if (r.libraries.opus.linkage === 'shared') {
    assert.match(ob.source, /^system opus \d+\.\d+[.\d]* \(pkg-config\)$/);
    assert.equal(ob.cflags, null);
  } else {
    // a static archive from scripts/build-static-deps.sh (VOXPOOL_TUNED_OPUS=1)
    assert.equal(r.libraries.opus.version, `libopus ${/^opus=([^-\s]+)/.exec(ob.source)[1]}`);
    assert.match(ob.cflags, /-fPIC/);
    assert.ok(['passed', 'not-run', 'skipped-cross'].includes(ob.check), ob.check);
  }
  for (const lib of Object.values(r.libraries)) {
    assert.ok(['static', 'shared'].includes(lib.linkage), `linkage ${lib.linkage}`);
    // static: the code is inside the addon; shared: the object the loader mapped for it.
    if (lib.linkage === 'static') assert.equal(lib.file, r.binary.file);
    else assert.ok(fs.statSync(lib.file).isFile(), lib.file);
  }

  assert.equal(r.napi.binary, 8);
  assert.equal(r.napi.runtime, Number(process.versions.napi));
  assert.ok(r.napi.runtime >= r.napi.binary);
  assert.equal(r.runtime.node, process.versions.node);
  assert.equal(r.runtime.bun, process.versions.bun ?? null);
  assert.equal(r.aesGcm, voxpool.voiceCrypto.AES_GCM_AVAILABLE);

  const stats = voxpool.stats();
  assert.equal(r.pool.threads, stats.threads);
  assert.equal(r.pool.started, stats.started);
  assert.equal(r.pool.capacity, binding.poolCapacity());
  assert.ok(r.pool.threads >= 1);
});

test('report resolves the voice packages from the caller, and null where none is installed', () => {
  const r = voxpool.report();
  for (const name of ['prism-media', '@discordjs/opus', '@snazzah/davey', '@discordjs/voice']) {
    assert.equal(r.dependencies[name], version(path.join(root, 'node_modules', name)), name);
  }
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'voxpool-report-'));
  try {
    assert.deepEqual(voxpool.report({ from: empty }).dependencies, {
      '@discordjs/voice': null, 'prism-media': null, '@discordjs/opus': null, '@snazzah/davey': null,
    });
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('invalid report options', () => {
  assert.throws(() => voxpool.report(1), {
    name: 'TypeError', message: 'Expected an object for options but received 1 of type number',
  });
  assert.throws(() => voxpool.report({ from: 7 }), {
    name: 'TypeError', message: 'Expected a string for from but received 7 of type number',
  });
});

const prebuildDir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const prebuilt = fs.existsSync(prebuildDir) &&
  fs.readdirSync(prebuildDir).find((f) => f.endsWith('.node'));

test('the prebuild reports itself: static libopus and libsodium, bundled libsoxr, its build record',
  { skip: !prebuilt && 'no prebuild here (npm run prebuilds makes one)' }, () => {
    const file = path.join(prebuildDir, prebuilt);
    const out = execFileSync(process.execPath, ['-p', 'JSON.stringify(require(".").report())'], {
      cwd: root, encoding: 'utf8', env: { ...process.env, VOXPOOL_BINDING: file },
    });
    const r = JSON.parse(out);
    const build = JSON.parse(fs.readFileSync(path.join(prebuildDir, 'build.json'), 'utf8'));
    assert.equal(r.binary.kind, 'prebuild');
    assert.equal(r.binary.file, file);
    assert.deepEqual(r.binary.build, build);
    assert.equal(r.libraries.opus.linkage, 'static');
    assert.equal(r.libraries.sodium.linkage, 'static');
    assert.equal(r.libraries.soxr.linkage, 'shared');
    // the copy beside the binary, not the system's
    assert.equal(path.dirname(r.libraries.soxr.file), prebuildDir);
    assert.equal(r.libraries.ogg.linkage, 'static');
    assert.equal(r.libraries.webrtcAudioProcessing.linkage, 'static');
    assert.equal(r.libraries.webrtcAudioProcessing.file, r.binary.file, 'linked into the binary');
    assert.equal(r.libraries.webm.linkage, 'shared');
    assert.equal(path.dirname(r.libraries.webm.file), prebuildDir);
    for (const name of ['soundtouch', 'ebur128']) {
      assert.equal(r.libraries[name].linkage, 'shared');
      assert.equal(path.dirname(r.libraries[name].file), prebuildDir);
      // with the bundled object, its Debian copyright file (libSoundTouch is LGPL)
      const copyright = path.join(prebuildDir, 'licenses', `${path.basename(r.libraries[name].file)}.copyright`);
      assert.match(fs.readFileSync(copyright, 'utf8'), /Copyright|License/, `${name}'s copyright in licenses/`);
    }
    // the libraries linked in carry their notices too (libwebrtc_audio_processing: BSD)
    assert.ok(build.linkedIn.includes('libwebrtc_audio_processing.a'), JSON.stringify(build.linkedIn));
    for (const archive of build.linkedIn) {
      assert.match(fs.readFileSync(path.join(prebuildDir, 'licenses', `${archive}.copyright`), 'utf8'), /Copyright|License/i, archive);
    }
    // the prebuild runs the Debian source version of the library it was built from
    assert.equal(r.libraries.opus.version, `libopus ${/^opus=([^-\s]+)/.exec(build.static.opus)[1]}`);
    assert.equal(r.libraries.sodium.version, /^libsodium=([^-\s]+)/.exec(build.static.sodium)[1]);
    assert.match(build.glibc, /^2\.\d+$/);
    // the binary's own record of its libopus is the one build.json carries (scripts/build-static-deps.sh's stamp)
    const ob = r.libraries.opus.build;
    assert.equal([ob.source, `host=${ob.host ?? ''}`, `cflags=${ob.cflags}`, `configure=${ob.configure}`,
      `check=${ob.check}`].join(' | '), build.static.opus);
    if (build.opusTuned) assert.equal(ob.check, 'passed');
  });
