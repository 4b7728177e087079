'use strict';
// The tuned libopus of the prebuilt binaries (issue 15; docs/ARCHITECTURE.md, "Tuned libopus"):
// what it encodes, other Opus libraries decode; what Debian's libopus encodes, it decodes as
// Debian's libopus does (bit-exactly for the same libopus version, else within a tolerance); and
// the binary says which libopus it carries. The tuned build is the prebuild
// (prebuilds/<platform>-<arch>/, from `npm run prebuilds`, whose build.json says opusTuned) or
// the binary VOXPOOL_TUNED_BINDING names; Debian's libopus is the source build's (build/Release,
// linked against the system's shared libopus), or VOXPOOL_DEBIAN_BINDING. Each runs in a child
// process (test/js/fixtures/opus-codec-child.js). No network.
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const audio = require('../../bench/js/audio');

const root = path.join(__dirname, '..', '..');
const child = path.join(__dirname, 'fixtures', 'opus-codec-child.js');
const FRAME_BYTES = 960 * 2 * 2;
const SECONDS = 4;
// Encoder lookahead at 48 kHz (2.5 ms + 4 ms), to line decoded audio up with its input.
const LOOKAHEAD = 312;

const prebuildDir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
function tunedBinding() {
  if (process.env.VOXPOOL_TUNED_BINDING) return { file: path.resolve(process.env.VOXPOOL_TUNED_BINDING) };
  let build;
  try {
    build = JSON.parse(fs.readFileSync(path.join(prebuildDir, 'build.json'), 'utf8'));
  } catch {
    return { skip: 'no tuned libopus here: no prebuild (npm run prebuilds builds one)' };
  }
  if (!build.opusTuned) return { skip: 'the prebuild here was made with --debian-opus (no tuned libopus)' };
  return { file: path.join(prebuildDir, build.binary), build };
}
function debianBinding() {
  const file = process.env.VOXPOOL_DEBIAN_BINDING || path.join(root, 'build', 'Release', 'voxpool.node');
  return fs.existsSync(file) ? { file } : { skip: `no build linked against the system's libopus (${file})` };
}
const tuned = tunedBinding();
const debian = debianBinding();

let work;
function runChild(binding, tag) {
  const out = execFileSync(process.execPath, [child, work, tag], {
    cwd: root, encoding: 'utf8', env: { ...process.env, VOXPOOL_BINDING: binding },
  });
  return JSON.parse(out);
}
function readPackets(file) {
  const data = fs.readFileSync(file);
  const packets = [];
  for (let off = 0; off < data.length;) {
    const len = data.readUInt16BE(off);
    packets.push(data.subarray(off + 2, off + 2 + len));
    off += 2 + len;
  }
  return packets;
}
// Signal-to-noise ratio of `b` against `a` (s16le), in dB, with `b` delayed by `delay` frames of
// two samples; Infinity when they are identical.
function snrDb(a, b, delay = 0) {
  const x = new Int16Array(a.buffer, a.byteOffset, a.length / 2);
  const y = new Int16Array(b.buffer, b.byteOffset, b.length / 2);
  let sig = 0;
  let noise = 0;
  for (let i = 0; i + delay * 2 < Math.min(x.length, y.length); i++) {
    const d = x[i] - y[i + delay * 2];
    sig += x[i] * x[i];
    noise += d * d;
  }
  return noise === 0 ? Infinity : 10 * Math.log10(sig / noise);
}

test.before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'voxpool-tuned-opus-'));
  fs.writeFileSync(path.join(work, 'input.s16'), audio.generatePcm({ seconds: SECONDS }));
});
test.after(() => fs.rmSync(work, { recursive: true, force: true }));

test('tuned libopus: the binary reports a static libopus whose own test suite passed',
  { skip: tuned.skip }, () => {
    const opus = runChild(tuned.file, 'tuned');
    assert.equal(opus.linkage, 'static');
    assert.match(opus.version, /^libopus \d+\.\d+/);
    assert.equal(opus.build.check, 'passed');
    assert.equal(opus.version, `libopus ${/^opus=([^-\s]+)/.exec(opus.build.source)[1]}`);
    if (tuned.build) assert.equal(opus.build.cflags, /cflags=([^|]*) \|/.exec(tuned.build.static.opus)[1]);
  });

test('tuned libopus: its packets decode with @discordjs/opus and opusscript',
  { skip: tuned.skip }, () => {
    runChild(tuned.file, 'tuned');
    const packets = readPackets(path.join(work, 'tuned.packets'));
    assert.equal(packets.length, (SECONDS * 1000) / 20);
    const input = fs.readFileSync(path.join(work, 'input.s16'));
    const { OpusEncoder } = require('@discordjs/opus');
    const OpusScript = require('opusscript');
    const discord = new OpusEncoder(48000, 2);
    const script = new OpusScript(48000, 2, OpusScript.Application.AUDIO);
    try {
      const outs = { '@discordjs/opus': [], opusscript: [] };
      for (const p of packets) {
        outs['@discordjs/opus'].push(discord.decode(p));
        outs.opusscript.push(Buffer.from(script.decode(p)));
      }
      for (const [name, frames] of Object.entries(outs)) {
        for (const f of frames) assert.equal(f.length, FRAME_BYTES, name);
        // The decoded music follows the input (64 kbps Opus on this signal: about 11–12 dB;
        // a decoder fed garbage would be near 0 or below).
        const snr = snrDb(input, Buffer.concat(frames), LOOKAHEAD);
        assert.ok(snr > 8, `${name}: SNR ${snr.toFixed(2)} dB`);
      }
      // Two independent libopus builds decode the same packets (nearly) identically.
      const agree = snrDb(Buffer.concat(outs['@discordjs/opus']), Buffer.concat(outs.opusscript));
      assert.ok(agree > 50, `@discordjs/opus vs opusscript: ${agree.toFixed(1)} dB`);
    } finally {
      script.delete();
    }
  });

test('tuned libopus decodes a reference packet set as Debian\'s libopus does',
  { skip: tuned.skip || debian.skip }, (t) => {
    // The reference packets: Debian's libopus encoding the music.
    fs.rmSync(path.join(work, 'reference.packets'), { force: true });
    const deb = runChild(debian.file, 'debian');
    if (deb.linkage !== 'shared') {
      t.skip(`${debian.file} does not link the system's libopus`);
      return;
    }
    fs.copyFileSync(path.join(work, 'debian.packets'), path.join(work, 'reference.packets'));
    runChild(debian.file, 'debian');
    const tun = runChild(tuned.file, 'tuned');
    const a = fs.readFileSync(path.join(work, 'debian.decoded.s16'));
    const b = fs.readFileSync(path.join(work, 'tuned.decoded.s16'));
    assert.equal(b.length, a.length);
    const approx = /float-approx/.test(tun.build.configure || '');
    if (tun.version === deb.version && !approx) {
      // Same libopus, only compiler flags differ: the decoder is bit-exact.
      assert.ok(a.equals(b), `${tun.version} with ${tun.build.cflags} decodes differently from Debian's build`);
    } else {
      // Another libopus version: libopus's test vectors allow decoders to differ slightly
      // (opus_compare); here the outputs must agree to within 60 dB SNR (0.1 % of the amplitude;
      // 1.5.2 -O3 against Debian 12's 1.3.1 measured 78.4 dB).
      const snr = snrDb(a, b);
      assert.ok(snr > 60, `${tun.version} vs ${deb.version}: ${snr.toFixed(1)} dB`);
    }
  });
