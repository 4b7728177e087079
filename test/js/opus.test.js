'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const voxpool = require('../..');
const { sineMix, frames, snr } = require('./helpers');

const { Encoder, Decoder, VoxpoolError, opus } = voxpool;

test('round trip at every rate and channel count keeps the signal (SNR)', () => {
  for (const sampleRate of opus.SAMPLE_RATES) {
    for (const channels of [1, 2]) {
      const enc = new Encoder({ sampleRate, channels, bitrate: 64000 * channels, complexity: 10 });
      const dec = new Decoder({ sampleRate, channels });
      const fs = sampleRate / 50;
      const input = frames(sampleRate, channels, fs, 40);
      const out = input.map((f) => dec.decode(enc.encode(f)));
      for (const o of out) assert.equal(o.length, fs * channels * 2);
      const s = snr(Buffer.concat(input), Buffer.concat(out), channels, 800);
      assert.ok(s > 10, `${sampleRate} Hz x${channels}: SNR ${s.toFixed(1)} dB`);
    }
  }
});

test('every frame duration encodes and decodes to the same number of samples', () => {
  for (const ms of opus.FRAME_DURATIONS_MS) {
    const enc = new Encoder({ sampleRate: 48000, channels: 2 });
    const dec = new Decoder({ sampleRate: 48000, channels: 2 });
    const samples = 48000 * ms / 1000;
    const packet = enc.encode(sineMix(48000, 2, samples));
    assert.equal(dec.decode(packet).length, samples * 4, `${ms} ms`);
    assert.equal(dec.lastFrameSize, samples);
  }
});

test('Int16Array and Float32Array input encode like the equivalent s16 Buffer', () => {
  const pcm = sineMix(48000, 2, 960);
  const a = new Encoder().encode(pcm);
  const b = new Encoder().encode(new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.length)));
  assert.deepEqual(a, b);
  const input = frames(48000, 2, 960, 20);
  const enc = new Encoder();
  const dec = new Decoder();
  const out = input.map((frame) => {
    const f = new Float32Array(1920);
    for (let i = 0; i < 1920; i++) f[i] = frame.readInt16LE(i * 2) / 32768;
    return dec.decode(enc.encode(f));
  });
  const s = snr(Buffer.concat(input), Buffer.concat(out), 2, 800);
  assert.ok(s > 10, `float SNR ${s}`);
});

test('an unaligned Buffer view encodes the same as an aligned one', () => {
  const pcm = sineMix(48000, 2, 960);
  const backing = Buffer.alloc(pcm.length + 1);
  pcm.copy(backing, 1);
  assert.deepEqual(new Encoder().encode(backing.subarray(1)), new Encoder().encode(pcm));
});

test('options reach libopus (read back through CTLs)', () => {
  const enc = new Encoder({ bitrate: 96000, complexity: 3, fec: true, packetLoss: 15, dtx: true, vbr: false, signal: 'music', application: 'voip' });
  const { CTL, SIGNAL, APPLICATION } = opus;
  assert.equal(enc.getBitrate(), 96000);
  assert.equal(enc.getCtl(CTL.GET_COMPLEXITY), 3);
  assert.equal(enc.getCtl(CTL.GET_INBAND_FEC), 1);
  assert.equal(enc.getCtl(CTL.GET_PACKET_LOSS_PERC), 15);
  assert.equal(enc.getCtl(CTL.GET_DTX), 1);
  assert.equal(enc.getCtl(CTL.GET_VBR), 0);
  assert.equal(enc.getCtl(CTL.GET_SIGNAL), SIGNAL.music);
  assert.equal(enc.getCtl(CTL.GET_APPLICATION), APPLICATION.voip);
  enc.setBitrate(32000);
  enc.setComplexity(9);
  assert.equal(enc.getBitrate(), 32000);
  assert.equal(enc.getCtl(CTL.GET_COMPLEXITY), 9);
  const dec = new Decoder();
  dec.ctl(CTL.SET_GAIN, 256);
  assert.equal(dec.getCtl(CTL.GET_GAIN), 256);
});

test('async encode gives the same packets as sync encode', async () => {
  const input = frames(48000, 2, 960, 20);
  const syncEnc = new Encoder({ bitrate: 64000 });
  const asyncEnc = new Encoder({ bitrate: 64000 });
  const expected = input.map((f) => syncEnc.encode(f));
  const got = await Promise.all(input.map((f) => asyncEnc.encodeAsync(f)));
  assert.deepEqual(got, expected);
});

test('encodeBatch and decodeBatch settle once, in order', async () => {
  const input = frames(24000, 1, 480, 10);
  const reference = new Encoder({ sampleRate: 24000, channels: 1 });
  const expected = input.map((f) => reference.encode(f));
  const got = await new Encoder({ sampleRate: 24000, channels: 1 }).encodeBatch(input);
  assert.deepEqual(got, expected);
  const dec = new Decoder({ sampleRate: 24000, channels: 1 });
  const pcm = await dec.decodeBatch([...got, null]);
  assert.equal(pcm.length, 11);
  for (const p of pcm) assert.equal(p.length, 960);
});

test('encodeMany and decodeMany run many streams in one call; a bad item fails alone', async () => {
  const encoders = Array.from({ length: 8 }, () => new Encoder({ sampleRate: 16000, channels: 1 }));
  const input = frames(16000, 1, 320, 8);
  const packets = await voxpool.encodeMany(encoders, input);
  assert.equal(packets.length, 8);
  const decoders = encoders.map(() => new Decoder({ sampleRate: 16000, channels: 1 }));
  const bad = Buffer.from([0xff, 0xff, 0xff, 0xff]);
  const out = await voxpool.decodeMany(decoders, [...packets.slice(0, 7), bad]);
  for (let i = 0; i < 7; i++) assert.equal(out[i].length, 640);
  assert.ok(out[7] instanceof VoxpoolError);
  assert.equal(out[7].code, 'ERR_VOXPOOL_OPUS_INVALID_PACKET');
  assert.equal(out[7].message, 'corrupted stream');
});

test('packet-loss concealment returns the requested duration; FEC recovers the lost frame', async () => {
  const enc = new Encoder({ fec: true, packetLoss: 30, bitrate: 64000 });
  const dec = new Decoder();
  const input = frames(48000, 2, 960, 12);
  const packets = input.map((f) => enc.encode(f));
  for (let i = 0; i < 10; i++) dec.decode(packets[i]);
  assert.equal(dec.decode(null, { frameSize: 480 }).length, 480 * 4);
  assert.equal(dec.decode(null).length, 480 * 4, 'defaults to the last frame size');
  const recovered = dec.decodeFec(packets[11], { frameSize: 960 });
  assert.equal(recovered.length, 960 * 4);
  assert.ok(recovered.some((b) => b !== 0), 'FEC output is not silence');
  assert.equal((await dec.decodeAsync(null, { frameSize: 960 })).length, 3840);
  assert.equal((await dec.decodeAsync(packets[11], { frameSize: 960, fec: true })).length, 3840);
});

test('FEC recovers the lost frame itself, which concealment cannot', async () => {
  const enc = new Encoder({ fec: true, packetLoss: 30, bitrate: 64000 });
  const packets = frames(48000, 2, 960, 12).map((f) => enc.encode(f));
  // Three decoders with the same history (packets 0-9); packet 10 is "lost".
  const withHistory = () => {
    const d = new Decoder();
    for (let i = 0; i < 10; i++) d.decode(packets[i]);
    return d;
  };
  const truth = withHistory().decode(packets[10]);
  const concealed = withHistory().decode(null, { frameSize: 960 });
  const recovered = withHistory().decodeFec(packets[11], { frameSize: 960 });
  const recoveredAsync = await withHistory().decodeAsync(packets[11], { frameSize: 960, fec: true });
  // SNR against what decoding the lost packet would have given (no delay search: same decoder).
  const against = (x) => {
    let signal = 0;
    let noise = 0;
    for (let i = 0; i < truth.length; i += 2) {
      const t = truth.readInt16LE(i);
      signal += t * t;
      noise += (x.readInt16LE(i) - t) ** 2;
    }
    return 10 * Math.log10(signal / Math.max(noise, 1));
  };
  assert.ok(against(recovered) > 15, `FEC output ${against(recovered).toFixed(1)} dB from the lost frame`);
  assert.ok(against(recovered) > against(concealed) + 10, `FEC ${against(recovered).toFixed(1)} dB vs concealment ${against(concealed).toFixed(1)} dB`);
  assert.deepEqual(recoveredAsync, recovered, 'the pool path recovers the same samples');
});

test('f32le decoder output', () => {
  const dec = new Decoder({ format: 'f32le' });
  const out = dec.decode(new Encoder().encode(sineMix(48000, 2, 960)));
  assert.equal(out.length, 960 * 2 * 4);
});

test('corrupt packets throw VoxpoolError with opus_strerror text, and the decoder keeps working', async () => {
  const dec = new Decoder();
  const packet = new Encoder().encode(sineMix(48000, 2, 960));
  for (const bad of [Buffer.from([0xff, 0xff, 0xff]), Buffer.from([0x0b]), Buffer.alloc(1500, 0xfc)]) {
    assert.throws(() => dec.decode(bad), (err) => err instanceof VoxpoolError && err.code === 'ERR_VOXPOOL_OPUS_INVALID_PACKET' && err.message === 'corrupted stream');
    await assert.rejects(dec.decodeAsync(bad), { name: 'VoxpoolError', code: 'ERR_VOXPOOL_OPUS_INVALID_PACKET', message: 'corrupted stream' });
  }
  assert.equal(dec.decode(packet).length, 3840);
});

test('random garbage never crashes the decoder', () => {
  const dec = new Decoder({ sampleRate: 48000, channels: 2 });
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  let errors = 0;
  for (let i = 0; i < 2000; i++) {
    const buf = Buffer.alloc(1 + Math.floor(rand() * 400));
    for (let j = 0; j < buf.length; j++) buf[j] = Math.floor(rand() * 256);
    try {
      const out = dec.decode(buf);
      assert.equal(out.length % 4, 0);
    } catch (err) {
      assert.ok(err instanceof VoxpoolError, String(err));
      errors++;
    }
  }
  assert.ok(errors > 0);
});

test('destroy: queued jobs reject with ERR_VOXPOOL_DESTROYED, later calls throw it', async () => {
  const enc = new Encoder({ complexity: 10 });
  const pcm = sineMix(48000, 2, 960);
  // 500 frames of complexity 10 are ~50 ms of work on the encoder's one strand, so some are still
  // queued at destroy() even when this thread is descheduled for a while on a loaded machine
  // (50 frames, ~5 ms, were not always enough there).
  const jobs = Array.from({ length: 500 }, () => enc.encodeAsync(pcm));
  enc.destroy();
  enc.destroy();
  const results = await Promise.allSettled(jobs);
  const rejected = results.filter((r) => r.status === 'rejected');
  assert.ok(rejected.length > 0, 'some queued jobs were cancelled');
  for (const r of rejected) assert.equal(r.reason.code, 'ERR_VOXPOOL_DESTROYED');
  for (const r of results.filter((x) => x.status === 'fulfilled')) assert.ok(r.value.length > 0);
  assert.throws(() => enc.encode(pcm), { name: 'VoxpoolError', code: 'ERR_VOXPOOL_DESTROYED', message: 'The encoder has been destroyed' });
  // Promise-returning methods reject instead of throwing (docs/LIMITS.md, "After destroy()").
  await assert.rejects(enc.encodeAsync(pcm), { code: 'ERR_VOXPOOL_DESTROYED' });
  await assert.rejects(enc.encodeBatch([pcm]), { code: 'ERR_VOXPOOL_DESTROYED' });
  await assert.rejects(voxpool.encodeMany([enc], [pcm]), { code: 'ERR_VOXPOOL_DESTROYED' });
  const dec = new Decoder();
  dec.destroy();
  assert.throws(() => dec.decode(null), { code: 'ERR_VOXPOOL_DESTROYED', message: 'The decoder has been destroyed' });
  await assert.rejects(dec.decodeAsync(null), { code: 'ERR_VOXPOOL_DESTROYED', message: 'The decoder has been destroyed' });
  await assert.rejects(dec.decodeBatch([null]), { code: 'ERR_VOXPOOL_DESTROYED' });
});

test('constants come from native code', () => {
  assert.deepEqual(opus.SAMPLE_RATES, [8000, 12000, 16000, 24000, 48000]);
  assert.deepEqual(opus.FRAME_DURATIONS_MS, [2.5, 5, 10, 20, 40, 60, 80, 100, 120]);
  assert.equal(opus.MAX_PACKET_BYTES, 4000);
  assert.equal(opus.MAX_FRAME_SAMPLES, 5760);
  assert.match(opus.OPUS_VERSION, /^libopus /);
  assert.ok(Object.isFrozen(opus));
});

// Every encoder setting, one at a time: it reaches libopus through its own request (read back
// with the matching GET), and no other setting moves. A setting sent with the wrong request
// (say vbrConstraint as SET_VBR) changes the wrong GET and fails here.
const ENCODER_SETTINGS = [
  // [option, value, GET request, value read back, setter]
  ['bitrate', 24000, 'GET_BITRATE', 24000, (e, v) => e.setBitrate(v)],
  ['complexity', 2, 'GET_COMPLEXITY', 2, (e, v) => e.setComplexity(v)],
  ['signal', 'voice', 'GET_SIGNAL', opus.SIGNAL.voice, (e, v) => e.setSignal(v)],
  ['signal', 'music', 'GET_SIGNAL', opus.SIGNAL.music, (e, v) => e.setSignal(v)],
  ['vbr', false, 'GET_VBR', 0, (e, v) => e.setVbr(v)],
  ['vbrConstraint', false, 'GET_VBR_CONSTRAINT', 0, null],
  ['fec', true, 'GET_INBAND_FEC', 1, (e, v) => e.setFec(v)],
  ['packetLoss', 25, 'GET_PACKET_LOSS_PERC', 25, (e, v) => e.setPacketLoss(v)],
  ['dtx', true, 'GET_DTX', 1, (e, v) => e.setDtx(v)],
  ['application', 'voip', 'GET_APPLICATION', opus.APPLICATION.voip, null],
  ['application', 'lowdelay', 'GET_APPLICATION', opus.APPLICATION.lowdelay, null],
];
const READ_BACK = [...new Set(ENCODER_SETTINGS.map(([, , get]) => get))];

function readBack(enc) {
  return Object.fromEntries(READ_BACK.map((get) => [get, enc.getCtl(opus.CTL[get])]));
}

test('each encoder option reaches libopus through its own request and changes nothing else', () => {
  const defaults = readBack(new Encoder());
  assert.equal(defaults.GET_VBR, 1);
  assert.equal(defaults.GET_VBR_CONSTRAINT, 1);
  for (const [option, value, get, expected] of ENCODER_SETTINGS) {
    const enc = new Encoder({ [option]: value });
    assert.deepEqual(readBack(enc), { ...defaults, [get]: expected }, `${option}: ${value}`);
    enc.destroy();
  }
  // The example, spelled out: constrained VBR off leaves VBR on.
  const enc = new Encoder({ vbrConstraint: false });
  assert.equal(enc.getCtl(opus.CTL.GET_VBR_CONSTRAINT), 0);
  assert.equal(enc.getCtl(opus.CTL.GET_VBR), 1);
});

test('each encoder setter reaches libopus through its own request and changes nothing else', () => {
  const defaults = readBack(new Encoder());
  for (const [option, value, get, expected, set] of ENCODER_SETTINGS) {
    if (!set) continue;
    const enc = new Encoder();
    set(enc, value);
    assert.deepEqual(readBack(enc), { ...defaults, [get]: expected }, `${option} setter: ${value}`);
    enc.destroy();
  }
});

test('a fresh decoder conceals 20 ms before its first packet, sync and async, at every rate', async () => {
  for (const sampleRate of opus.SAMPLE_RATES) {
    for (const channels of [1, 2]) {
      for (const [format, bytes] of [['s16le', 2], ['f32le', 4]]) {
        const twentyMs = (sampleRate / 50) * channels * bytes;
        const where = `${sampleRate} Hz, ${channels} ch, ${format}`;
        const dec = new Decoder({ sampleRate, channels, format });
        assert.equal(dec.decode(null).length, twentyMs, `${where}: decode(null)`);
        const fresh = new Decoder({ sampleRate, channels, format });
        assert.equal((await fresh.decodeAsync(null)).length, twentyMs, `${where}: decodeAsync(null)`);
        assert.equal(fresh.lastFrameSize, sampleRate / 50, where);
        dec.destroy();
        fresh.destroy();
      }
    }
  }
});

test('concealment returns the requested duration, sync, async and batched, whatever the last frame was', async () => {
  const durations = opus.FRAME_DURATIONS_MS;
  for (const sampleRate of [48000, 16000]) {
    const enc = new Encoder({ sampleRate, channels: 2 });
    const dec = new Decoder({ sampleRate, channels: 2 });
    dec.decode(enc.encode(Buffer.alloc((sampleRate / 50) * 4)));  // last frame: 20 ms
    // Each call asks for a different duration than the call before it, so a path that ignored
    // the request and reused the last frame's size would return the wrong length.
    const sizeOf = (i) => (sampleRate * durations[i % durations.length]) / 1000;
    for (let i = 0; i < durations.length; i++) {
      const [a, b, c] = [sizeOf(i + 3), sizeOf(i + 4), sizeOf(i + 5)];
      const where = `${sampleRate} Hz, ${a}/${b}/${c} samples`;
      assert.equal(dec.decode(null, { frameSize: a }).length, a * 4, `${where}: decode`);
      assert.equal((await dec.decodeAsync(null, { frameSize: b })).length, b * 4, `${where}: decodeAsync`);
      const [batched] = await dec.decodeBatch([null], { frameSize: c });
      assert.equal(batched.length, c * 4, `${where}: decodeBatch`);
      assert.equal(dec.lastFrameSize, c, where);
    }
  }
});
