'use strict';
// OpusTranscodeStream: Opus -> volume -> Opus, one pool job per frame (the inlineVolume path of
// voxpool/voice). Judged by decoding what comes out: levels (known answers for volume changes),
// sizes (bitrate), concealment, order, and clean destruction.
const test = require('node:test');
const assert = require('node:assert/strict');
const { once } = require('node:events');
const { Encoder, Decoder, createOpusTranscodeStream, OpusTranscodeStream, VoxpoolError } = require('../../lib');
const { frames, snr } = require('./helpers');

const FRAME = 960;

function sourcePackets(count, options = {}) {
  const encoder = new Encoder({ bitrate: 96000, ...options });
  const pcm = frames(48000, 2, FRAME, count);
  const packets = pcm.map((f) => encoder.encode(f));
  encoder.destroy();
  return { pcm, packets };
}

async function transcode(stream, packets, between) {
  const out = [];
  stream.on('data', (p) => out.push(p));
  for (let i = 0; i < packets.length; i++) {
    if (between) between(i);
    // Wait for each write's callback, so a change made before frame i applies from frame i (the
    // stream reads the volume when it takes a frame, as prism's VolumeTransformer does).
    await new Promise((resolve, reject) => stream.write(packets[i], (err) => (err ? reject(err) : resolve())));
  }
  stream.end();
  await once(stream, 'end');
  return out;
}

function decodeAll(packets) {
  const decoder = new Decoder();
  const pcm = packets.map((p) => decoder.decode(p));
  decoder.destroy();
  return pcm;
}

function rms(bufs) {
  let sum = 0;
  let n = 0;
  for (const b of bufs) {
    const s = new Int16Array(b.buffer, b.byteOffset, b.length / 2);
    for (const x of s) { sum += x * x; n++; }
  }
  return Math.sqrt(sum / n);
}

test('at volume 1 the audio survives the re-encode', async () => {
  const { pcm, packets } = sourcePackets(100);
  const out = await transcode(createOpusTranscodeStream({ bitrate: 96000 }), packets);
  assert.equal(out.length, packets.length, 'one packet out per packet in');
  const decoded = decodeAll(out);
  const quality = snr(Buffer.concat(pcm), Buffer.concat(decoded), 2, 1500);
  assert.ok(quality > 10, `SNR ${quality.toFixed(1)} dB after two generations`);
});

test('volume scales the level: 0.5 halves the RMS, a change lands at the next frame written', async () => {
  const { packets } = sourcePackets(150);
  const unity = decodeAll(await transcode(createOpusTranscodeStream(), packets));
  const halved = decodeAll(await transcode(createOpusTranscodeStream({ volume: 0.5 }), packets));
  const ratio = rms(halved.slice(10)) / rms(unity.slice(10));
  assert.ok(Math.abs(ratio - 0.5) < 0.03, `RMS ratio ${ratio.toFixed(3)} at volume 0.5`);

  // Step to 0.25 (rampMs 0) before frame 75: frames from there on (after the codec's few ms of
  // delay) are at a quarter of unity, frames before it at unity.
  const stream = createOpusTranscodeStream();
  const changed = decodeAll(await transcode(stream, packets, (i) => { if (i === 75) stream.setVolume(0.25, { rampMs: 0 }); }));
  const before = rms(changed.slice(10, 74)) / rms(unity.slice(10, 74));
  const after = rms(changed.slice(77)) / rms(unity.slice(77));
  assert.ok(Math.abs(before - 1) < 0.03, `before the change: ${before.toFixed(3)}`);
  assert.ok(Math.abs(after - 0.25) < 0.03, `after the change: ${after.toFixed(3)}`);
  assert.equal(stream.volume, 0.25);
  assert.ok(Math.abs(stream.volumeDecibels - 20 * Math.log10(0.25)) < 1e-9);
});

test('a ramp moves the level gradually over rampMs', async () => {
  const { packets } = sourcePackets(120);
  const unity = decodeAll(await transcode(createOpusTranscodeStream(), packets));
  const stream = createOpusTranscodeStream();
  // 0 over 400 ms (20 frames) from frame 40: halfway (frame ~50) the gain is about 0.5.
  const ramped = decodeAll(await transcode(stream, packets, (i) => { if (i === 40) stream.setVolume(0, { rampMs: 400 }); }));
  const mid = rms(ramped.slice(49, 52)) / rms(unity.slice(49, 52));
  const end = rms(ramped.slice(64)) / rms(unity.slice(64));
  assert.ok(mid > 0.35 && mid < 0.65, `mid-ramp ratio ${mid.toFixed(3)}`);
  assert.ok(end < 0.01, `after the ramp ${end.toFixed(4)}`);
});

test('the encoder is live: setBitrate changes the packets that follow', async () => {
  const { packets } = sourcePackets(120);
  const stream = createOpusTranscodeStream({ bitrate: 128000 });
  let readBack;
  const out = await transcode(stream, packets, (i) => {
    if (i === 60) stream.encoder.setBitrate(16000);
    if (i === 61) readBack = stream.encoder.getBitrate();
  });
  const mean = (ps) => ps.reduce((s, p) => s + p.length, 0) / ps.length;
  const high = mean(out.slice(10, 55));
  const low = mean(out.slice(70));
  assert.ok(high > 4 * low, `${high.toFixed(0)} bytes at 128 kb/s vs ${low.toFixed(0)} at 16 kb/s`);
  assert.equal(readBack, 16000);
});

test('an empty Buffer is a lost packet: concealed, still one packet out', async () => {
  const { packets } = sourcePackets(40);
  const lossy = packets.map((p, i) => (i === 20 ? Buffer.alloc(0) : p));
  const out = await transcode(createOpusTranscodeStream(), lossy);
  assert.equal(out.length, 40);
  const decoded = decodeAll(out);
  assert.equal(decoded[20].length, FRAME * 4, '20 ms concealed');
  assert.ok(rms([decoded[20]]) > 100, 'concealment is not silence');
});

test('bad input: a non-packet errors the stream, a corrupt packet fails with the codec code', async () => {
  const stream = createOpusTranscodeStream();
  stream.write('not a packet');
  const [err] = await once(stream, 'error');
  assert.equal(err.name, 'TypeError');

  const corrupt = createOpusTranscodeStream();
  corrupt.resume();
  corrupt.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]));  // code 3, invalid frame count
  const [opusErr] = await once(corrupt, 'error');
  assert.ok(opusErr instanceof VoxpoolError, String(opusErr));
  assert.equal(opusErr.code, 'ERR_VOXPOOL_OPUS_INVALID_PACKET');

  assert.throws(() => createOpusTranscodeStream({ volume: 100 }), RangeError);
  assert.throws(() => createOpusTranscodeStream().setVolume(-1), RangeError);
  assert.throws(() => OpusTranscodeStream.prototype.setVolume.call({}, 1), TypeError);
});

test('destroyed with frames in flight: no unhandled rejection, nothing more comes out', async () => {
  const { packets } = sourcePackets(30);
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    const stream = createOpusTranscodeStream({ readAhead: 16 });
    let after = 0;
    let destroyed = false;
    stream.on('data', () => { if (destroyed) after++; });
    for (const p of packets.slice(0, 16)) stream.write(p);
    stream.destroy();
    destroyed = true;
    await once(stream, 'close');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(after, 0);
    assert.equal(stream.encoder.pending, 0);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.deepEqual(unhandled, []);
});
