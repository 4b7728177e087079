'use strict';
// Mixer from JS: exact sums, gains, mute/solo/pan, ducking, limiter, resampled sources, async
// ticks in order, the mixing stream, and exact argument messages.
const test = require('node:test');
const assert = require('node:assert/strict');
const { once } = require('node:events');
const { Readable } = require('node:stream');
const { Mixer, mixerConstants, createMixerStream, VoxpoolError } = require('../..');

function s16(values) {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeInt16LE(v, i * 2));
  return b;
}
function readS16(buf) {
  const out = [];
  for (let i = 0; i < buf.length; i += 2) out.push(buf.readInt16LE(i));
  return out;
}
function constant(frames, channels, value) {
  return s16(new Array(frames * channels).fill(value));
}

test('constants come from native code', () => {
  assert.equal(mixerConstants.MIN_SAMPLE_RATE, 8000);
  assert.equal(mixerConstants.MAX_SAMPLE_RATE, 48000);
  assert.equal(mixerConstants.MAX_GAIN_DB, 24);
  assert.match(mixerConstants.RESAMPLER, /soxr/);
  assert.ok(Object.isFrozen(mixerConstants));
});

test('mixes known s16 inputs to their exact sum', () => {
  const m = new Mixer({ sampleRate: 48000, channels: 2, frameSize: 4 });
  assert.equal(m.frameBytes, 16);
  const a = m.addSource();
  const b = m.addSource();
  m.push(a, s16([1, 2, 3, 4, -5, -6, 100, -100]));
  m.push(b, s16([10, 20, 30, 40, 50, 60, -20000, 20000]));  // below the limiter's knee: untouched
  assert.deepEqual(readS16(m.mix()), [11, 22, 33, 44, 45, 54, -19900, 19900]);
  // Nothing queued: a silent frame, not an error.
  assert.deepEqual(readS16(m.mix()), [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(m.stats().ticks, 2);
  assert.equal(m.sourceStats(a).mixedTicks, 1);
  assert.equal(m.sourceStats(a).silentTicks, 1);
  m.destroy();
});

test('f32le mixers take and produce floats', () => {
  const m = new Mixer({ channels: 1, frameSize: 3, format: 'f32le', limiter: false });
  const a = m.addSource();
  const b = m.addSource();
  m.push(a, new Float32Array([0.25, -0.5, 0.125]));
  m.push(b, new Float32Array([0.25, 0.25, 2]));
  const out = m.mix();
  assert.deepEqual([...new Float32Array(out.buffer, out.byteOffset, 3)], [0.5, -0.25, 2.125]);
});

test('gain in dB is accurate and ramps are click-free', () => {
  const m = new Mixer({ channels: 1, frameSize: 480, limiter: false });
  const id = m.addSource({ gainDb: -6 });
  m.push(id, constant(480, 1, 10000));
  const out = readS16(m.mix());
  assert.equal(out[0], Math.round(10000 * 10 ** (-6 / 20)));
  m.setGain(id, 0, { rampMs: 10 });  // back to unity over one 10 ms frame
  m.push(id, constant(480, 1, 10000));
  const ramp = readS16(m.mix());
  for (let i = 1; i < ramp.length; i++) assert.ok(Math.abs(ramp[i] - ramp[i - 1]) <= 11, `step at ${i}`);
  assert.equal(ramp[479], 10000);
  m.setGainLinear(id, 0.5);
  m.push(id, constant(480, 1, 10000));
  assert.equal(readS16(m.mix())[0], 5000);
});

test('mute, solo and pan', () => {
  const m = new Mixer({ channels: 2, frameSize: 960, limiter: false });
  const a = m.addSource();
  const b = m.addSource();
  const tick = () => {
    m.push(a, constant(960, 2, 1000));
    m.push(b, constant(960, 2, 30));
    return readS16(m.mix());
  };
  assert.equal(tick()[0], 1030);
  m.setMuted(a, true);
  assert.equal(tick().at(-1), 30);  // faded out within the 20 ms frame
  m.setMuted(a, false);
  m.setSolo(a, true);
  assert.equal(tick().at(-1), 1000);
  m.setSolo(a, false);
  m.setPan(b, 1);  // hard right
  const out = tick();
  assert.equal(out.at(-2), 1000);
  assert.equal(out.at(-1), 1030);
});

test('ducking lowers the other sources while a ducker is active', () => {
  const m = new Mixer({ channels: 1, frameSize: 480, limiter: false });
  const music = m.addSource();
  const voice = m.addSource({ ducker: true });
  m.setDucking({ depthDb: 20, attackMs: 10, releaseMs: 10, holdMs: 0, thresholdDb: -40 });
  const speech = s16(Array.from({ length: 480 }, (_, i) => Math.round(8000 * Math.sin(i / 10))));
  m.push(music, constant(480, 1, 10000));
  m.push(voice, speech);
  m.mix();  // attack over this frame
  m.push(music, constant(480, 1, 10000));
  m.push(voice, speech);
  const out = readS16(m.mix());
  assert.equal(out[0] - speech.readInt16LE(0), 1000);  // -20 dB
  assert.equal(m.stats().ducking, true);
});

test('the limiter keeps 32 full-scale sources under the ceiling', () => {
  const m = new Mixer({ channels: 2, frameSize: 960, maxSources: 32, ceilingDb: -1 });
  const ids = Array.from({ length: 32 }, () => m.addSource());
  const ceiling = Math.ceil(10 ** (-1 / 20) * 32768);
  let worst = 0;
  for (let t = 0; t < 20; t++) {
    const v = t % 2 ? 32767 : -32768;
    for (const id of ids) m.push(id, constant(960, 2, v));
    for (const x of readS16(m.mix())) worst = Math.max(worst, Math.abs(x));
  }
  assert.ok(worst <= ceiling, `${worst} <= ${ceiling}`);
  assert.ok(m.stats().limitedTicks > 0);
});

test('a 16 kHz mono source is resampled into a 48 kHz stereo mix', () => {
  const m = new Mixer({ sampleRate: 48000, channels: 2, frameSize: 960, limiter: false });
  const tts = m.addSource({ sampleRate: 16000, channels: 1 });
  let heard = 0;
  for (let t = 0; t < 10; t++) {
    const pcm = s16(Array.from({ length: 320 }, (_, i) => Math.round(10000 * Math.sin(2 * Math.PI * 440 * (t * 320 + i) / 16000))));
    m.push(tts, pcm);
    const out = readS16(m.mix());
    if (out.some((v) => v !== 0)) {
      heard++;
      for (let i = 0; i < out.length; i += 2) assert.equal(out[i], out[i + 1]);
    }
  }
  assert.ok(heard >= 7, `heard ${heard} of 10 frames`);
});

test('mixAsync ticks run on the pool in order', async () => {
  const m = new Mixer({ channels: 1, frameSize: 2, limiter: false });
  const id = m.addSource();
  for (let i = 1; i <= 5; i++) m.push(id, s16([i, i]));
  const outs = await Promise.all([1, 2, 3, 4, 5].map(() => m.mixAsync()));
  assert.deepEqual(outs.map((b) => b.readInt16LE(0)), [1, 2, 3, 4, 5]);
  m.destroy();
  await assert.rejects(m.mixAsync(), (err) => err instanceof VoxpoolError && err.code === 'ERR_VOXPOOL_DESTROYED');
});

test('a full source queue throws ERR_VOXPOOL_QUEUE_FULL and counts the drop', () => {
  const m = new Mixer({ channels: 1, frameSize: 10, queueFrames: 2 });
  const id = m.addSource();
  m.push(id, constant(20, 1, 1));
  assert.throws(() => m.push(id, constant(10, 1, 1)), (err) => err instanceof VoxpoolError && err.code === 'ERR_VOXPOOL_QUEUE_FULL');
  assert.equal(m.sourceStats(id).droppedFrames, 10);
  m.clearSource(id);
  assert.equal(m.sourceStats(id).queuedFrames, 0);
});

test('createMixerStream mixes its inputs and ends when they end', async () => {
  const stream = createMixerStream({ channels: 1, frameSize: 100, limiter: false });
  const a = stream.addInput();
  const b = stream.addInput({ gainDb: -6.020599913279624 });  // exactly 0.5
  // Inputs written ahead of the reader (a tick mixes whatever inputs have a whole frame queued;
  // written first, every tick finds both).
  const piped = (readable, writable) => new Promise((resolve) => readable.pipe(writable).on('finish', resolve));
  await Promise.all([
    piped(Readable.from([constant(150, 1, 100), constant(150, 1, 100)]), a),
    piped(Readable.from([constant(300, 1, 1000)]), b),
  ]);
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  const all = readS16(Buffer.concat(chunks));
  assert.equal(all.length, 300);
  assert.ok(all.every((v) => v === 600), 'every sample is 100 + 1000 / 2');
});

test('a mixer stream input at another rate takes one large write (pushed in pieces its FIFO can hold)', async () => {
  // 1 s at 22.05 kHz in one write: pushed whole (5760 frames = 13 mixer frames, the FIFO holds 8)
  // it never fitted and the write waited forever.
  const stream = createMixerStream({ channels: 1 });
  const input = stream.addInput({ sampleRate: 22050 });
  input.end(constant(22050, 1, 1000));
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  const all = readS16(Buffer.concat(chunks));
  assert.equal(all.length, 48000, '1 s in, 1 s out: the resampler tail is flushed, nothing dropped');
  assert.ok(all.slice(4800, 43200).every((v) => Math.abs(v - 1000) <= 2), 'the level comes through');
});

test('Mixer#endSource queues the resampler tail and a padded last frame; later pushes throw', () => {
  // 200 ms at 24 kHz is 9,600 samples at 48 kHz: ten 960-sample ticks, the level held to the end.
  const m = new Mixer({ channels: 1, limiter: false, queueFrames: 16 });
  const id = m.addSource({ sampleRate: 24000 });
  m.push(id, constant(4800, 1, 1000));
  const before = m.sourceStats(id).queuedFrames;
  assert.ok(before < 9600 - 8, `${before} frames before the end: soxr holds its tail`);
  m.endSource(id);
  m.endSource(id);  // twice: nothing more
  assert.equal(m.sourceStats(id).queuedFrames, 9600);
  assert.throws(() => m.push(id, constant(10, 1, 1)), { message: 'This source has ended' });
  const out = [];
  for (let t = 0; t < 11; t++) out.push(...readS16(m.mix()));
  assert.equal(m.sourceStats(id).mixedTicks, 10);
  const level = out.slice(0, 9600);
  assert.ok(level.slice(100, 9500).every((v) => Math.abs(v - 1000) <= 2), 'the level, through the last frame');
  assert.ok(out.slice(9600).every((v) => v === 0), 'then silence');
  assert.throws(() => m.endSource(-1), RangeError);
  m.destroy();
});

test("a mixer stream plays inputs written on each other's 'drained' back to back, every sample, no silence between", async () => {
  // A playlist at 22.05 kHz into an idle: 'silence' stream read as fast as it goes: 333 ms tracks
  // (7,343 frames: not a whole 48 kHz frame) follow each other without a frame of silence.
  const stream = createMixerStream({ channels: 1, idle: 'silence', limiter: false });
  const levels = [1000, 2000, 3000];
  let next = 0;
  const play = () => {
    if (next === levels.length) {
      stream.end();
      return;
    }
    const input = stream.addInput({ sampleRate: 22050 });
    input.once('drained', play);
    input.end(constant(7343, 1, levels[next++]));
  };
  play();
  const frames = [];
  for await (const c of stream) {
    for (let o = 0; o < c.length; o += 1920) frames.push(readS16(c.subarray(o, o + 1920)));
  }
  const perTrack = Math.ceil(7343 * 48000 / 22050 / 960);
  assert.equal(frames.length, 3 * perTrack, `${frames.length} frames for three tracks of ${perTrack}`);
  assert.ok(frames.every((f) => f.some((v) => v !== 0)), 'no frame of silence');
  assert.ok(frames.slice(perTrack + 1, 2 * perTrack - 1).every((f) => f.every((v) => Math.abs(v - 2000) <= 2)), 'the second track');
});

test("idle: 'silence' mixes silence while no input has audio, inputs emit 'drained', and end() ends it", async () => {
  const stream = createMixerStream({ channels: 1, frameSize: 100, limiter: false, idle: 'silence', highWaterMark: 200 });
  const got = [];
  const read = async (n) => {
    for await (const c of stream.iterator({ destroyOnReturn: false })) {
      got.push(...readS16(c));
      if (got.length >= n) return;
    }
  };
  await read(1000);
  assert.ok(got.every((v) => v === 0), 'silence with no inputs at all');
  const input = stream.addInput();
  const drained = once(input, 'drained');
  input.end(constant(300, 1, 500));
  const start = got.length;
  await read(start + 1000);
  await drained;
  const after = got.slice(start);
  const first = after.indexOf(500);
  assert.ok(first >= 0 && after.slice(first, first + 300).every((v) => v === 500), '300 samples of the input');
  assert.ok(after.slice(first + 300).every((v) => v === 0), 'then silence again');
  stream.end();
  assert.throws(() => stream.addInput(), (err) => err instanceof VoxpoolError && err.code === 'ERR_VOXPOOL_ENDED' &&
    err.message === 'The mixer stream was ended: it takes no more inputs');
  for await (const c of stream) got.push(...readS16(c));  // what was buffered, then the end
  assert.equal(stream.readableEnded, true);
  // end() on a waiting stream with no inputs ends it at once.
  const empty = createMixerStream();
  empty.end();
  const rest = [];
  for await (const c of empty) rest.push(c);
  assert.deepEqual(rest, []);
});

test('invalid arguments have exact messages', () => {
  const cases = [
    [() => new Mixer(5), TypeError, 'Expected an object for options but received 5 of type number'],
    [() => new Mixer({ sampleRate: 96000 }), RangeError, 'Expected an integer between 8000 and 48000 for sampleRate but received 96000 of type number'],
    [() => new Mixer({ channels: 3 }), RangeError, 'Expected one of 1, 2 for channels but received 3 of type number'],
    [() => new Mixer({ frameSize: 0 }), RangeError, 'Expected an integer between 1 and 5760 for frameSize but received 0 of type number'],
    [() => new Mixer({ format: 's24' }), RangeError, "Expected one of 's16le', 'f32le' for format but received \"s24\" of type string"],
    [() => new Mixer({ limiter: 'yes' }), TypeError, 'Expected a boolean for limiter but received "yes" of type string'],
    [() => new Mixer({ ceilingDb: 3 }), RangeError, 'Expected a number between -24 and 0 for ceilingDb but received 3 of type number'],
    [() => new Mixer({ overflow: 'drop' }), RangeError, "Expected one of 'reject', 'drop-oldest' for overflow but received \"drop\" of type string"],
  ];
  const m = new Mixer();
  const id = m.addSource();
  cases.push(
    [() => m.addSource({ gainDb: 30 }), RangeError, 'Expected a number between -120 and 24 for gainDb but received 30 of type number'],
    [() => m.addSource({ pan: 2 }), RangeError, 'Expected a number between -1 and 1 for pan but received 2 of type number'],
    [() => m.addSource({ prebufferFrames: 8 }), RangeError, 'Expected an integer between 0 and 7 for prebufferFrames but received 8 of type number'],
    [() => m.push(id, 'pcm'), TypeError, 'Expected a Buffer or TypedArray for pcm but received "pcm" of type string'],
    [() => m.push(1.5, Buffer.alloc(4)), RangeError, 'Expected an integer between 1 and 4294967295 for id but received 1.5 of type number'],
    [() => m.setGain(id, 'loud'), TypeError, 'Expected a number between -120 and 24 for db but received "loud" of type string'],
    [() => m.setGain(id, 0, { rampMs: -1 }), RangeError, 'Expected a number between 0 and 60000 for rampMs but received -1 of type number'],
    [() => m.setMuted(id, 1), TypeError, 'Expected a boolean for muted but received 1 of type number'],
    [() => m.setDucking({ depthDb: -1 }), RangeError, 'Expected a number between 0 and 120 for depthDb but received -1 of type number'],
  );
  for (const [fn, type, message] of cases) assert.throws(fn, (err) => err instanceof type && err.message === message, message);
  // Runtime failures are VoxpoolErrors with stable codes.
  assert.throws(() => m.push(id, Buffer.alloc(3)), (err) => err instanceof RangeError
    && err.message === 'Expected at most 5760 whole frames of 4 bytes for pcm but received Buffer(3) of type Buffer');
  assert.throws(() => m.push(12345, Buffer.alloc(4)), (err) => err instanceof VoxpoolError && err.code === 'ERR_VOXPOOL_INVALID_ARGUMENT');
  m.destroy();
  assert.throws(() => m.mix(), (err) => err instanceof VoxpoolError && err.code === 'ERR_VOXPOOL_DESTROYED');
});

test('mixers work in worker_threads and survive termination with ticks in flight', async () => {
  const { Worker } = require('node:worker_threads');
  const root = require('node:path').join(__dirname, '..', '..');
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { Mixer, SpeakerMixer } = require(workerData.root);
    const m = new Mixer({ channels: 1, frameSize: 480 });
    const id = m.addSource();
    m.push(id, Buffer.alloc(960, 1));
    const s = new SpeakerMixer({ inputChannels: 1, outputChannels: 1 });
    if (workerData.terminate) {
      for (let i = 0; i < 200; i++) { m.mixAsync().catch(() => {}); s.mixAsync().catch(() => {}); }
      parentPort.postMessage('queued');
    } else {
      m.mixAsync().then((b) => parentPort.postMessage(b.readInt16LE(0)));
    }
  `;
  const ok = new Worker(code, { eval: true, workerData: { root } });
  const [value] = await require('node:events').once(ok, 'message');
  assert.equal(value, 257);
  await ok.terminate();
  const doomed = new Worker(code, { eval: true, workerData: { root, terminate: true } });
  await require('node:events').once(doomed, 'message');
  await doomed.terminate();  // ticks still queued on the pool: dropped with the environment
  // The main environment still works afterwards.
  const m = new Mixer({ channels: 1, frameSize: 2 });
  const id = m.addSource();
  m.push(id, Buffer.from([1, 0, 2, 0]));
  assert.equal((await m.mixAsync()).readInt16LE(2), 2);
});

test('destroying a mixer stream releases inputs waiting for room', async () => {
  const stream = createMixerStream({ channels: 1, frameSize: 10, queueFrames: 2 });
  const input = stream.addInput();
  const errors = [];
  input.on('error', (e) => errors.push(e));
  const pending = new Promise((resolve) => input.write(Buffer.alloc(200), resolve));  // 10 frames > 2
  stream.destroy();
  const err = await pending;
  assert.equal(err.code, 'ERR_STREAM_DESTROYED');
  assert.equal(input.destroyed, true);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(errors, [], "destroy() without an error: the failed write's callback says so, no 'error' event");
});

test("destroy(err) on a mixer stream passes the error to every input's 'error' event", async () => {
  const stream = createMixerStream({ channels: 1, frameSize: 10 });
  const inputs = [stream.addInput(), stream.addInput()];
  const boom = new Error('boom');
  const errors = Promise.all([stream, ...inputs].map((s) => once(s, 'error')));
  stream.destroy(boom);
  for (const [e] of await errors) assert.equal(e, boom);
});

test('pushMany queues one chunk per source in one call: the same mix as push per source', async () => {
  const make = () => {
    const m = new Mixer({ sampleRate: 48000, channels: 2, frameSize: 4, queueFrames: 2 });
    const ids = [m.addSource({ gainDb: -6 }), m.addSource({ pan: 0.5 }), m.addSource({ format: 'f32le' }), m.addSource({ channels: 1 })];
    return { m, ids };
  };
  const chunks = [
    s16([1000, -1000, 2000, -2000, 3000, -3000, 4000, -4000]),
    s16([10, 20, 30, 40, 50, 60, 70, 80]),
    Buffer.from(new Float32Array([0.01, 0.02, 0.03, 0.04, -0.01, -0.02, -0.03, -0.04]).buffer),
    Buffer.concat([Buffer.alloc(1), s16([7, 8, 9, 10])]).subarray(1),  // odd offset: realigned
  ];
  const a = make();
  chunks.forEach((c, i) => a.m.push(a.ids[i], c));
  const expected = a.m.mix();
  const b = make();
  assert.equal(b.m.pushMany(b.ids, chunks), 0);
  assert.deepEqual(b.m.mix(), expected);
  const c = make();
  assert.deepEqual(c.m.mixWith(c.ids, chunks), expected);
  const d = make();
  assert.deepEqual(await d.m.mixAsyncWith(d.ids, chunks), expected);
  assert.ok(readS16(expected).some((v) => v !== 0));
  // A full FIFO refuses its chunk (counted), the others still go in.
  const e = make();
  e.m.pushMany(e.ids, chunks);
  e.m.push(e.ids[0], chunks[0]);  // source 0 now holds 2 frames = queueFrames
  assert.equal(e.m.pushMany(e.ids, chunks), 1);
  assert.equal(e.m.sourceStats(e.ids[0]).droppedFrames, 4);
  assert.equal(e.m.sourceStats(e.ids[1]).queuedFrames, 8);
});

test('pushMany checks every argument before queuing anything, with exact messages', () => {
  const m = new Mixer({ frameSize: 4 });
  const a = m.addSource();
  const b = m.addSource({ format: 'f32le', channels: 1 });
  const ok = [Buffer.alloc(16), Buffer.alloc(16)];
  const cases = [
    [() => m.pushMany(a, ok), TypeError, `Expected an array of source ids for ids but received ${a} of type number`],
    [() => m.pushMany(new Array(257).fill(a), ok), RangeError, 'Expected an array of at most 256 source ids for ids but received Array(257) of type array'],
    [() => m.pushMany([a, b], ok[0]), TypeError, 'Expected an array of 2 PCM chunks (one per id) for frames but received Buffer(16) of type Buffer'],
    [() => m.pushMany([a, b], [ok[0]]), RangeError, 'Expected an array of 2 PCM chunks (one per id) for frames but received Array(1) of type array'],
    [() => m.pushMany([a, 0], ok), RangeError, 'Expected an integer between 1 and 4294967295 for ids[1] but received 0 of type number'],
    [() => m.pushMany([a, '2'], ok), TypeError, 'Expected an integer between 1 and 4294967295 for ids[1] but received "2" of type string'],
    [() => m.pushMany([a, b], [ok[0], 'x']), TypeError, 'Expected a Buffer or TypedArray for frames[1] but received "x" of type string'],
    [() => m.pushMany([a, b], [Buffer.alloc(6), ok[1]]), RangeError, 'Expected at most 5760 whole frames of 4 bytes for frames[0] but received Buffer(6) of type Buffer'],
    [() => m.mixWith([a, b], [ok[0], Buffer.alloc(5)]), RangeError, 'Expected at most 5760 whole frames of 4 bytes for frames[1] but received Buffer(5) of type Buffer'],
    [() => m.mixAsyncWith([a], []), RangeError, 'Expected an array of 1 PCM chunks (one per id) for frames but received Array(0) of type array'],
  ];
  for (const [fn, type, message] of cases) assert.throws(fn, (err) => err instanceof type && err.message === message, message);
  // An unknown id is a VoxpoolError from native code, and nothing of the batch was queued.
  assert.throws(() => m.pushMany([a, 999], ok), (err) => err instanceof VoxpoolError && err.code === 'ERR_VOXPOOL_INVALID_ARGUMENT');
  assert.equal(m.sourceStats(a).queuedFrames, 0);
  // The native layer re-checks what JS let through.
  const native = require('../../lib/binding');
  const raw = new native.NativeMixer({ sampleRate: 48000, channels: 2, frameSize: 4, format: 's16le' });
  const id = raw.addSource({});
  assert.throws(() => raw.pushMany([id], [Buffer.alloc(3)]), { name: 'RangeError', message: 'PCM length is not a whole number of frames for this format and channel count' });
  assert.throws(() => raw.pushMany([id], []), { name: 'RangeError', message: 'Expected one PCM chunk per source id' });
  assert.throws(() => raw.pushMany(id, []), { name: 'TypeError', message: 'Expected an array of source ids and an array of PCM chunks' });
  assert.throws(() => raw.pushMany([id, id + 1], [Buffer.alloc(16), Buffer.alloc(16)]), (err) => err instanceof VoxpoolError);
  assert.equal(raw.sourceStats(id).queuedFrames, 0);
  raw.destroy();
  m.destroy();
  assert.throws(() => m.pushMany([a], [ok[0]]), (err) => err instanceof VoxpoolError && err.code === 'ERR_VOXPOOL_DESTROYED');
  return assert.rejects(m.mixAsyncWith([a], [ok[0]]), (err) => err.code === 'ERR_VOXPOOL_DESTROYED');
});
