'use strict';
/**
 * Writes the seed corpus for the libFuzzer targets in this folder, so no binary seeds are kept
 * in git: `node test/fuzz/make_corpus.js <dir>` fills <dir>/<target>/ with small valid inputs
 * (and a few near-misses) in each target's input format. Deterministic: the same files every
 * run. Opus seeds come from voxpool's encoder when the addon loads, else @discordjs/opus, else
 * hand-made TOC-only packets; XChaCha seeds need @noble/ciphers (a devDependency) and are
 * skipped without it.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const outDir = process.argv[2];
if (!outDir) {
  process.stderr.write('usage: node test/fuzz/make_corpus.js <dir>\n');
  process.exit(2);
}

// Must match the fixed keys in voice_open_fuzzer.cc and secretstream_pull_fuzzer.cc.
const VOICE_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => 0xa0 + i));

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(1);
const bytes = (n) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));

/** A cleartext RTP packet: { csrcs, ext: { profile, body }, payload, pad, marker }. */
function rtp({ csrcs = [], ext = null, payload = bytes(20), pad = 0, marker = false, seq = 1, ts = 960 }) {
  const head = Buffer.alloc(12 + 4 * csrcs.length);
  head[0] = 0x80 | (pad ? 0x20 : 0) | (ext ? 0x10 : 0) | csrcs.length;
  head[1] = (marker ? 0x80 : 0) | 0x78;
  head.writeUInt16BE(seq, 2);
  head.writeUInt32BE(ts, 4);
  head.writeUInt32BE(0x2a, 8);
  csrcs.forEach((c, i) => head.writeUInt32BE(c, 12 + 4 * i));
  const parts = [head];
  if (ext) {
    const e = Buffer.alloc(4);
    e.writeUInt16BE(ext.profile, 0);
    e.writeUInt16BE(ext.body.length / 4, 2);
    parts.push(e, ext.body);
  }
  parts.push(payload);
  if (pad) {
    const p = Buffer.alloc(pad);
    p[pad - 1] = pad;
    parts.push(p);
  }
  return Buffer.concat(parts);
}

// RFC 8285 bodies: one-byte (id 1 len 2, id 2 len 1, padding), two-byte (id 1 len 3, padding).
const ONE_BYTE = { profile: 0xbede, body: Buffer.from([0x11, 0xaa, 0xbb, 0x20, 0xcc, 0x00, 0x00, 0x00]) };
const TWO_BYTE = { profile: 0x1000, body: Buffer.from([0x01, 0x03, 0x01, 0x02, 0x03, 0x00, 0x00, 0x00]) };
const OTHER = { profile: 0x1234, body: bytes(4) };

const rtpSeeds = [
  rtp({}),
  rtp({ payload: Buffer.from([0xf8, 0xff, 0xfe]) }),
  rtp({ csrcs: [1, 2, 3] }),
  rtp({ csrcs: Array.from({ length: 15 }, (_, i) => i) }),
  rtp({ ext: ONE_BYTE }),
  rtp({ ext: TWO_BYTE, marker: true }),
  rtp({ ext: OTHER, csrcs: [7] }),
  rtp({ pad: 4 }),
  rtp({ ext: ONE_BYTE, csrcs: [9], pad: 3, seq: 0xffff, ts: 0xfffffc40 }),
  rtp({ payload: Buffer.alloc(0) }),
  Buffer.from('80780001000003c0', 'hex'), // truncated fixed header
];

/** Seals like @discordjs/voice: AAD = header (+ ext header), tail = tag ‖ nonce[0..3]. */
function sealGcm(packet, counter) {
  const cc = packet[0] & 0x0f;
  const ad = 12 + 4 * cc + (packet[0] & 0x10 ? 4 : 0);
  const nonce = Buffer.alloc(12);
  nonce.writeUInt32BE(counter, 0);
  const c = crypto.createCipheriv('aes-256-gcm', VOICE_KEY, nonce);
  c.setAAD(packet.subarray(0, ad));
  const body = Buffer.concat([c.update(packet.subarray(ad)), c.final()]);
  return Buffer.concat([packet.subarray(0, ad), body, c.getAuthTag(), nonce.subarray(0, 4)]);
}

function sealXChaCha(packet, counter) {
  let xchacha;
  try {
    ({ xchacha20poly1305: xchacha } = require('@noble/ciphers/chacha'));
  } catch {
    return null;
  }
  const cc = packet[0] & 0x0f;
  const ad = 12 + 4 * cc + (packet[0] & 0x10 ? 4 : 0);
  const nonce = Buffer.alloc(24);
  nonce.writeUInt32BE(counter, 0);
  const sealed = xchacha(VOICE_KEY, nonce, packet.subarray(0, ad)).encrypt(packet.subarray(ad));
  return Buffer.concat([packet.subarray(0, ad), Buffer.from(sealed), nonce.subarray(0, 4)]);
}

const voiceSeeds = [];
rtpSeeds.slice(0, 10).forEach((p, i) => {
  voiceSeeds.push(sealGcm(p, i + 1));
  const x = sealXChaCha(p, i + 1);
  if (x) voiceSeeds.push(x);
});
voiceSeeds.push(Buffer.concat([rtpSeeds[0].subarray(0, 12), bytes(19)])); // one byte short

/** [control][u16 len][bytes]... for secretstream_pull_fuzzer. */
function framed(control, messages) {
  const parts = [Buffer.from([control])];
  for (const m of messages) {
    const l = Buffer.alloc(2);
    l.writeUInt16BE(m.length, 0);
    parts.push(l, m);
  }
  return Buffer.concat(parts);
}
const streamSeeds = [
  framed(0x00, [bytes(17), bytes(40)]), // forged ciphertext
  framed(0x00, [bytes(5)]), // shorter than the overhead
  framed(0x01, [Buffer.from('hello'), bytes(100)]), // round trip, MESSAGE tags
  framed(0x05, [bytes(10), Buffer.alloc(0)]), // round trip ending in FINAL
  framed(0x0d, [bytes(3), bytes(300), bytes(1)]), // PUSH tags, FINAL
  framed(0x13, [bytes(64)]), // REKEY tag, tampered
  framed(0x07, [bytes(16), bytes(16)]), // FINAL, tampered
];

/** Opus packets from whatever encoder is at hand. */
function opusPackets() {
  const frames = [];
  const r = prng(7);
  for (let f = 0; f < 6; f++) {
    const pcm = Buffer.alloc(3840);
    for (let i = 0; i < 1920; i++) {
      const v = Math.sin((2 * Math.PI * 440 * (f * 960 + (i >> 1))) / 48000) * 8000 + (r() - 0.5) * 2000;
      pcm.writeInt16LE(Math.round(v), i * 2);
    }
    frames.push(pcm);
  }
  const tries = [
    () => {
      const { Encoder } = require(path.join(__dirname, '..', '..'));
      // CELT at 64 kbps, then SILK with in-band FEC (LBRR) at 16 kbps for the FEC path.
      const celt = new Encoder({ sampleRate: 48000, channels: 2, bitrate: 64000 });
      const silk = new Encoder({ sampleRate: 48000, channels: 2, bitrate: 16000, application: 'voip', fec: true, packetLoss: 20 });
      return [...frames.map((p) => Buffer.from(celt.encode(p))), ...frames.map((p) => Buffer.from(silk.encode(p)))];
    },
    () => {
      const { OpusEncoder } = require('@discordjs/opus');
      const e = new OpusEncoder(48000, 2);
      return frames.map((p) => Buffer.from(e.encode(p)));
    },
  ];
  for (const t of tries) {
    try {
      return t();
    } catch {
      /* next */
    }
  }
  // TOC-only packets (code 0, empty frame) for a CELT, a SILK and a hybrid config.
  return [Buffer.from([0xfc]), Buffer.from([0x0c]), Buffer.from([0x7c])];
}

/** [setup][u16 len][flags][bytes]... for opus_decode_fuzzer. */
function opusInput(setup, packets) {
  const parts = [Buffer.from([setup])];
  for (const { p, flags } of packets) {
    const h = Buffer.alloc(3);
    h.writeUInt16BE(p.length, 0);
    h[2] = flags;
    parts.push(h, p);
  }
  return Buffer.concat(parts);
}
const opus = opusPackets();
const silence = Buffer.from([0xf8, 0xff, 0xfe]);
const opusSeeds = [
  opusInput(0x0c, opus.map((p) => ({ p, flags: 0 }))), // 48 kHz stereo s16
  opusInput(0x14, opus.map((p) => ({ p, flags: 0 }))), // 48 kHz mono float
  opusInput(0x08, [{ p: opus[0], flags: 0 }, { p: Buffer.alloc(0), flags: 0x32 }, { p: opus[1], flags: 0x01 }]), // 8 kHz, PLC, FEC
  opusInput(0x0c, opus.slice(-4).map((p, i) => ({ p, flags: i === 2 ? 0x01 : 0 }))), // SILK, FEC
  opusInput(0x0a, [{ p: silence, flags: 0 }, { p: silence, flags: 0 }]), // 16 kHz stereo
  opusInput(0x1b, [{ p: opus[2].subarray(0, 3), flags: 0 }]), // 24 kHz stereo float, truncated
];

/**
 * Ogg Opus files written by opusenc (opus-tools, installed by scripts/install-deps.sh) from a
 * sine made by sox, with fixed serials so the seeds are the same every run: stereo and mono at
 * two bitrates, a chained file (`cat`), and a copy cut mid-page. Each is prefixed with the
 * fuzzer's chunk-size control byte. Without opusenc or sox there are no Ogg seeds (the fuzzer
 * starts from nothing).
 */
function oggSeeds() {
  const { spawnSync } = require('node:child_process');
  const os = require('node:os');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'voxpool-ogg-seeds-'));
  try {
    const files = [];
    const make = (name, channels, bitrate, serial) => {
      const wav = path.join(tmp, `${name}.wav`);
      const opus = path.join(tmp, `${name}.opus`);
      const sox = spawnSync('sox', ['-n', '-r', '48000', '-c', String(channels), '-b', '16', wav, 'synth', '0.3', 'sine', '440']);
      const enc = sox.status === 0 && spawnSync('opusenc', ['--quiet', '--serial', String(serial), '--bitrate', String(bitrate), '--comment', 'TITLE=seed', wav, opus]);
      if (!enc || enc.status !== 0) return null;
      return fs.readFileSync(opus);
    };
    const stereo = make('stereo', 2, 64, 1);
    const mono = make('mono', 1, 16, 2);
    if (!stereo || !mono) {
      process.stderr.write('make_corpus: opusenc or sox is missing; no Ogg seeds\n');
      return [];
    }
    files.push(stereo, mono, Buffer.concat([stereo, mono]), stereo.subarray(0, stereo.length - 50));
    // Control bytes: whole input, 7,721-byte chunks, and both again seeking (the high bit).
    return files.flatMap((f) => [0, 40, 0x80, 0x80 | 40].map((c) => Buffer.concat([Buffer.from([c]), f])));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * WebM and Matroska Opus files written by ffmpeg (libopus) from its sine source, bit-exact so the
 * seeds are the same every run: a stereo .webm, a mono .mka, a live stream written to a pipe
 * (unknown-size Segment), a file whose audio is the second track after a VP8 video one, and a copy
 * cut mid-cluster. Each is prefixed with the fuzzer's chunk-size control byte. Without ffmpeg
 * there are no WebM seeds (the fuzzer starts from nothing).
 */
function webmSeeds() {
  const { spawnSync } = require('node:child_process');
  const exact = ['-fflags', '+bitexact', '-flags:a', '+bitexact', '-flags:v', '+bitexact', '-map_metadata', '-1'];
  const make = (inputs, codec, format, extra = []) => {
    const ff = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...inputs, ...codec, ...exact, ...extra, '-f', format, 'pipe:1'], {
      maxBuffer: 1 << 24,
    });
    return ff.status === 0 && ff.stdout.length > 0 ? ff.stdout : null;
  };
  const sine = (seconds, f = 440) => ['-f', 'lavfi', '-i', `sine=f=${f}:d=${seconds}:r=48000`];
  const stereo = make(sine(0.3), ['-ac', '2', '-c:a', 'libopus', '-b:a', '64k'], 'webm');
  const mono = make(sine(0.3, 880), ['-ac', '1', '-c:a', 'libopus', '-b:a', '16k', '-frame_duration', '10'], 'matroska');
  const live = make(sine(0.3), ['-ac', '2', '-c:a', 'libopus'], 'webm', ['-live', '1', '-cluster_time_limit', '100']);
  const video = make(['-f', 'lavfi', '-i', 'testsrc=s=32x32:d=0.2:r=10', ...sine(0.2)],
    ['-map', '0:v', '-map', '1:a', '-c:v', 'libvpx', '-b:v', '50k', '-c:a', 'libopus'], 'webm');
  if (!stereo || !mono || !live) {
    process.stderr.write('make_corpus: ffmpeg (with libopus) is missing; no WebM seeds\n');
    return [];
  }
  const files = [stereo, mono, live, stereo.subarray(0, stereo.length - 50)];
  if (video) files.push(video);
  const seeds = files.flatMap((f) => [Buffer.concat([Buffer.from([0]), f]), Buffer.concat([Buffer.from([40]), f])]);
  // A seekable file (SeekHead and Cues, as ffmpeg writes to a file, not a pipe) of a few
  // Clusters, fed with the high control bit: seeking by its own index.
  const os = require('node:os');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'voxpool-webm-seeds-'));
  try {
    const file = path.join(tmp, 'cues.webm');
    const ff = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...sine(1.5), '-ac', '2', '-c:a', 'libopus', '-b:a', '16k',
      ...exact, '-cluster_time_limit', '300', '-y', file]);
    if (ff.status === 0) {
      const cues = fs.readFileSync(file);
      seeds.push(...[0x80, 0x80 | 40].map((c) => Buffer.concat([Buffer.from([c]), cues])));
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return seeds;
}

const targets = {
  rtp_parse_fuzzer: rtpSeeds,
  voice_open_fuzzer: voiceSeeds,
  secretstream_pull_fuzzer: streamSeeds,
  opus_decode_fuzzer: opusSeeds,
  ogg_demux_fuzzer: oggSeeds(),
  webm_demux_fuzzer: webmSeeds(),
};
for (const [name, seeds] of Object.entries(targets)) {
  const dir = path.join(outDir, name);
  fs.mkdirSync(dir, { recursive: true });
  seeds.forEach((s, i) => fs.writeFileSync(path.join(dir, `seed-${String(i).padStart(2, '0')}`), s));
  process.stdout.write(`${name}: ${seeds.length} seeds\n`);
}
