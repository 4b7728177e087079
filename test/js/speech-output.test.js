'use strict';
// createSpeechOutput, the text-to-speech side of a voice agent, on real material: espeak-ng
// replies at its own 22.05 kHz resampled into a 48 kHz stereo mix (checked against voxpool's
// Resampler), music ducked under them (a 15 kHz tone, above anything a 22.05 kHz reply holds,
// measured by Goertzel), barge-in from speechstart events (stop: the fade and the cut land on
// the mixer tick they must; fade: the reply's level while people speak), a real utterance stream
// as the barge-in source, Readable replies, the promise statuses, destroy/end, exact validation
// messages, and Opus out through voxpool/voice's createAudioResource.
const test = require('node:test');
const assert = require('node:assert/strict');
const { EventEmitter, once } = require('node:events');
const { Readable } = require('node:stream');
const { spawnSync } = require('node:child_process');
const voxpool = require('../..');

const { createSpeechOutput, createUtteranceStream, Resampler, Decoder, VoxpoolError } = voxpool;
const OUT_RATE = 48000;
const FRAME = 960;            // 20 ms at 48 kHz
const FRAME_BYTES = FRAME * 4;  // stereo s16
const TTS_RATE = 22050;       // espeak-ng's own rate

function tool(cmd, args, input) {
  const env = { ...process.env };
  delete env.LD_PRELOAD;  // espeak-ng hangs with the sanitizer runtime preloaded
  const r = spawnSync(cmd, args, { env, input, timeout: 60000, maxBuffer: 1 << 27 });
  assert.equal(r.error, undefined, `${cmd} could not run (apt-get install espeak-ng sox): ${r.error}`);
  assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
  return r.stdout;
}

/** espeak-ng speech as s16 mono at `rate`, its peak at -6 dBFS (clear of the limiter). */
function say(text, rate = TTS_RATE) {
  const wav = tool('espeak-ng', ['-v', 'en-us', '--stdout', text]);
  const pcm = tool('sox', ['-t', 'wav', '-', '-t', 'raw', '-r', String(rate), '-c', '1', '-b', '16', '-e', 'signed', '-'], wav);
  const x = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
  let peak = 1;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  return Int16Array.from(x, (v) => Math.round(v * 16384 / peak));
}

/** A tone, s16 interleaved. */
function tone(hz, rate, channels, ms, amplitude) {
  const n = Math.round(rate * ms / 1000);
  const x = new Int16Array(n * channels);
  for (let i = 0; i < n; i++) {
    const v = Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * hz * i / rate));
    for (let c = 0; c < channels; c++) x[i * channels + c] = v;
  }
  return x;
}

const bytes = (x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
const db = (x) => 20 * Math.log10(Math.max(x, 1e-9));

/** The left channel of interleaved stereo s16. */
function left(buf) {
  const x = new Int16Array(buf.buffer, buf.byteOffset, buf.length / 2);
  return Float64Array.from({ length: x.length / 2 }, (_, i) => x[2 * i]);
}

/** RMS of a frame's left channel, linear (of full scale). */
function rms(frame) {
  const x = left(frame);
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length) / 32768;
}

/** Amplitude (of full scale) of `hz` in a frame's left channel (Goertzel). */
function level(frame, hz) {
  const x = left(frame);
  const w = 2 * Math.PI * hz / OUT_RATE;
  const k = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (const v of x) {
    const s0 = v + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - k * s1 * s2;
  return 2 * Math.sqrt(Math.max(power, 0)) / x.length / 32768;
}

/**
 * Reads `count` output frames, calling `at[i](out)` when frame i has been read, and returns
 * them with the mixer tick each `at` call happened at.
 */
async function frames(out, count, at = {}) {
  const got = [];
  const ticks = {};
  let pending = Buffer.alloc(0);
  // Breaking out of a plain for-await would destroy the output (and cancel its replies).
  for await (const chunk of out.iterator({ destroyOnReturn: false })) {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= FRAME_BYTES && got.length < count) {
      got.push(pending.subarray(0, FRAME_BYTES));
      pending = pending.subarray(FRAME_BYTES);
      const i = got.length - 1;
      if (at[i]) {
        ticks[i] = out.mixer.stats().ticks;
        at[i](out);
      }
    }
    if (got.length >= count) break;
  }
  return { got, ticks };
}

/** The first and last frame whose RMS is above -50 dBFS, from `from`. */
function voiced(got, from = 0) {
  let first = -1;
  let last = -1;
  for (let i = from; i < got.length; i++) {
    if (db(rms(got[i])) > -50) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return [first, last];
}

const TTS = say('Here is the weather for today. Sunny, with a light breeze.');
const TTS_MS = TTS.length / TTS_RATE * 1000;
/** How long the reply's sound lasts (espeak-ng pads it with silence): first to last 20 ms window
 * above -50 dBFS, as `voiced` measures the output. */
const TTS_VOICED_MS = (() => {
  const n = Math.round(TTS_RATE / 50);
  let first = -1;
  let last = -1;
  for (let i = 0; (i + 1) * n <= TTS.length; i++) {
    let s = 0;
    for (let k = i * n; k < (i + 1) * n; k++) s += TTS[k] * TTS[k];
    if (db(Math.sqrt(s / n) / 32768) > -50) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return (last - first + 1) * 20;
})();

test('a 22.05 kHz reply comes out resampled into the 48 kHz stereo mix, as the Resampler makes it, and resolves played', async () => {
  const out = createSpeechOutput({ speechRate: TTS_RATE, highWaterMark: FRAME_BYTES });
  const events = [];
  out.on('speakstart', (e) => events.push(['start', e.id]));
  out.on('speakend', (e) => events.push(['end', e.id, e.status]));
  const done = out.speak(TTS);
  assert.equal(out.speaking, true);
  const total = Math.ceil(TTS_MS / 20) + 40;
  const { got } = await frames(out, total);
  assert.deepEqual(await done, { id: 1, status: 'played' });
  assert.deepEqual(events, [['start', 1], ['end', 1, 'played']]);
  assert.equal(out.speaking, false);
  // Idle output is silence, not the end of the stream.
  for (const f of got.slice(-10)) assert.equal(rms(f), 0);
  // Left equals right (a mono reply), and the left channel is the Resampler's 48 kHz version.
  const all = Buffer.concat(got);
  const lr = new Int16Array(all.buffer, all.byteOffset, all.length / 2);
  for (let i = 0; i < lr.length; i += 2) assert.equal(lr[i], lr[i + 1]);
  const r = new Resampler({ inputRate: TTS_RATE, outputRate: OUT_RATE, channels: 1 });
  const parts = [];
  for (let i = 0; i < TTS.length; i += TTS_RATE) parts.push(r.process(bytes(TTS.subarray(i, i + TTS_RATE))));
  parts.push(r.flush());
  const joined = Buffer.concat(parts);
  const ref = new Int16Array(joined.buffer, joined.byteOffset, joined.length / 2);
  r.destroy();
  const mixed = left(all);
  let best = { lag: 0, snr: -Infinity };
  for (let lag = 0; lag <= 3 * FRAME; lag++) {
    let sig = 0;
    let err = 0;
    for (let i = 0; i < ref.length && i + lag < mixed.length; i++) {
      sig += ref[i] * ref[i];
      err += (mixed[i + lag] - ref[i]) ** 2;
    }
    const snr = 10 * Math.log10(sig / Math.max(err, 1));
    if (snr > best.snr) best = { lag, snr };
  }
  assert.ok(best.snr >= 40, `the mix matches the Resampler's output to ${best.snr.toFixed(1)} dB (lag ${best.lag})`);
  assert.ok(best.lag <= 2 * FRAME, `starts within the resampling prebuffer (${best.lag} samples)`);
  out.destroy();
});

test('music is ducked under a reply by depthDb and comes back after it', async () => {
  const out = createSpeechOutput({ speechRate: TTS_RATE, highWaterMark: FRAME_BYTES, ducking: { depthDb: 12, attackMs: 20, holdMs: 500, releaseMs: 100, thresholdDb: -50 } });
  const music = out.addInput();
  music.end(bytes(tone(15000, OUT_RATE, 2, 6000, 0.1)));
  let reply;
  const { got } = await frames(out, 280, { 25: (o) => { reply = o.speak(TTS); } });
  assert.equal((await reply).status, 'played');
  // Where the reply is: frames whose level below 8 kHz (the music is at 15 kHz) is speech.
  const first = got.findIndex((f, i) => i > 25 && db(rms(f)) - db(level(f, 15000) / Math.SQRT2) > 3);
  assert.ok(first > 25 && first < 35, `the reply starts at frame ${first}`);
  const before = db(level(got[20], 15000));
  assert.ok(Math.abs(before - db(0.1)) < 0.5, `music at ${before.toFixed(1)} dBFS before the reply`);
  // Ducked from attack to the end of the reply (the pause between its sentences is shorter
  // than hold).
  const speechFrames = Math.ceil(TTS_MS / 20);
  for (let i = first + 3; i < first + speechFrames - 10; i += 5) {
    const l = db(level(got[i], 15000));
    assert.ok(Math.abs(l - (db(0.1) - 12)) < 1.5, `frame ${i}: music at ${l.toFixed(1)} dBFS, ducked by 12 dB`);
  }
  const after = db(level(got[first + speechFrames + 30], 15000));
  assert.ok(Math.abs(after - db(0.1)) < 0.5, `music back at ${after.toFixed(1)} dBFS`);
  out.destroy();
});

test('replies play one after another in the order spoken', async () => {
  const out = createSpeechOutput({ speechRate: 24000, highWaterMark: FRAME_BYTES });
  const a = out.speak(tone(440, 24000, 1, 300, 0.3));
  const b = out.speak(tone(880, 24000, 1, 300, 0.3));
  assert.equal(out.queued, 1);
  const { got } = await frames(out, 50);
  assert.deepEqual([await a, await b], [{ id: 1, status: 'played' }, { id: 2, status: 'played' }]);
  const loud = got.map((f, i) => [i, level(f, 440), level(f, 880)]).filter(([, l4, l8]) => l4 > 0.1 || l8 > 0.1);
  const firstB = loud.findIndex(([, , l8]) => l8 > 0.1);
  assert.ok(firstB > 10, 'the first reply plays first');
  assert.ok(loud.slice(0, firstB).every(([, l4, l8]) => l4 > 0.1 && l8 < 0.01), 'then only 440 Hz');
  assert.ok(loud.slice(firstB).every(([, l4, l8]) => l8 > 0.1 && l4 < 0.01), 'then only 880 Hz');
  assert.ok(loud.length >= 28 && loud.length <= 30, `600 ms of replies (${loud.length} frames at full level)`);
  const [first, last] = voiced(got);
  assert.ok(Math.abs((last - first + 1) * 20 - 600) <= 40, `the replies span ${(last - first + 1) * 20} ms`);
  out.destroy();
});

test("barge-in 'stop': a speechstart fades the reply out over fadeMs, cuts it on the tick after, and drops the queue", async () => {
  const user = new EventEmitter();
  const out = createSpeechOutput({ speechRate: 24000, fadeMs: 100, highWaterMark: FRAME_BYTES });
  out.listen(user);
  const bargeins = [];
  out.on('bargein', (e) => bargeins.push(e));
  const first = out.speak(tone(440, 24000, 1, 3000, 0.3));
  const second = out.speak(tone(880, 24000, 1, 1000, 0.3));
  const { got, ticks } = await frames(out, 60, { 20: () => user.emit('speechstart', { startMs: 0 }) });
  assert.deepEqual(bargeins, [{ action: 'stop', userId: undefined, replies: 2 }]);
  assert.deepEqual(await first, { id: 1, status: 'interrupted' });
  assert.deepEqual(await second, { id: 2, status: 'interrupted' });
  const t = ticks[20];  // frames 0..t-1 were mixed before the barge-in
  for (let i = 5; i < t; i++) assert.ok(Math.abs(db(level(got[i], 440)) - db(0.3)) < 0.3, `frame ${i} at full level`);
  // The ramp: down over 100 ms (5 frames), monotonic, then nothing from the tick after.
  const fade = got.slice(t, t + 5).map((f) => rms(f));
  for (let i = 1; i < fade.length; i++) assert.ok(fade[i] < fade[i - 1], `fading: ${fade.map((v) => db(v).toFixed(1)).join(', ')}`);
  for (let i = t + 6; i < got.length; i++) assert.equal(rms(got[i]), 0, `frame ${i} silent`);
  for (let i = 5; i < t; i++) assert.ok(level(got[i], 880) < 0.03, `frame ${i}: the queued reply never played`);
  out.destroy();
});

test("barge-in 'fade': the reply goes fadeDepthDb down while anyone speaks and comes back when the last stops", async () => {
  const users = new EventEmitter();
  const out = createSpeechOutput({ speechRate: 24000, bargeIn: 'fade', fadeMs: 40, fadeDepthDb: 20, highWaterMark: FRAME_BYTES });
  out.listen(users);
  const bargeins = [];
  out.on('bargein', (e) => bargeins.push(e));
  const reply = out.speak(tone(440, 24000, 1, 3000, 0.3));
  const { got, ticks } = await frames(out, 150, {
    20: () => users.emit('speechstart', { userId: 'a', startMs: 0 }),
    40: () => users.emit('speechstart', { userId: 'b', startMs: 0 }),
    60: () => users.emit('speechend', { userId: 'a', startMs: 0, endMs: 800 }),
    80: () => users.emit('speechend', { userId: 'b', startMs: 0, endMs: 800 }),
  });
  assert.deepEqual(await reply, { id: 1, status: 'played' });
  assert.deepEqual(bargeins, [{ action: 'fade', userId: 'a', replies: 1 }, { action: 'fade', userId: 'b', replies: 1 }]);
  const at = (i) => db(level(got[i], 440)) - db(0.3);
  assert.ok(Math.abs(at(ticks[20] - 1)) < 0.3, 'full level before');
  for (const i of [ticks[20] + 4, ticks[40] + 4, ticks[60] + 4, ticks[80] - 1]) {
    assert.ok(Math.abs(at(i) + 20) < 0.5, `frame ${i}: ${at(i).toFixed(1)} dB while someone speaks`);
  }
  for (const i of [ticks[80] + 4, ticks[80] + 30]) assert.ok(Math.abs(at(i)) < 0.3, `frame ${i}: ${at(i).toFixed(1)} dB after`);
  out.destroy();
});

test("bargeIn 'none' reports a barge-in and leaves the reply alone", async () => {
  const user = new EventEmitter();
  const out = createSpeechOutput({ speechRate: 24000, bargeIn: 'none', highWaterMark: FRAME_BYTES });
  const stop = out.listen(user);
  const bargeins = [];
  out.on('bargein', (e) => bargeins.push(e));
  const reply = out.speak(tone(440, 24000, 1, 600, 0.3));
  const { got, ticks } = await frames(out, 40, { 10: () => user.emit('speechstart', { startMs: 0 }) });
  assert.deepEqual(await reply, { id: 1, status: 'played' });
  assert.deepEqual(bargeins, [{ action: 'none', userId: undefined, replies: 1 }]);
  for (let i = ticks[10]; i < ticks[10] + 10; i++) assert.ok(Math.abs(db(level(got[i], 440)) - db(0.3)) < 0.3);
  stop();
  assert.equal(user.listenerCount('speechstart'), 0);
  out.destroy();
});

test('an utterance stream hearing a user speak stops the reply (real speech through the SpeechProcessor)', async () => {
  // The user: 1 s of silence, then speech, at 16 kHz; fed 20 ms per output frame read.
  const user = say('Stop, I have a question.', 16000);
  const mic = new Int16Array(16000 + user.length + 16000);
  mic.set(user, 16000);
  const utterances = createUtteranceStream({ sampleRate: 16000 });
  utterances.resume();
  const out = createSpeechOutput({ speechRate: TTS_RATE, highWaterMark: FRAME_BYTES });
  out.listen(utterances);
  let bargeAt = -1;
  const reply = out.speak(TTS);
  const got = [];
  let pending = Buffer.alloc(0);
  out.on('bargein', () => { bargeAt = got.length; });
  for await (const chunk of out.iterator({ destroyOnReturn: false })) {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= FRAME_BYTES) {
      got.push(pending.subarray(0, FRAME_BYTES));
      pending = pending.subarray(FRAME_BYTES);
      const i = got.length - 1;
      if ((i + 1) * 320 <= mic.length) utterances.write(bytes(mic.subarray(i * 320, (i + 1) * 320)));
    }
    if (got.length >= 150) break;
  }
  assert.deepEqual(await reply, { id: 1, status: 'interrupted' });
  // The user starts at frame 50; speechstart needs minSpeechMs (200 ms) of voice, and the
  // utterance stream works on the pool a few frames behind.
  assert.ok(bargeAt >= 50 + 10 && bargeAt <= 50 + 10 + 25, `barge-in at frame ${bargeAt}`);
  for (let i = bargeAt + 12; i < got.length; i++) assert.equal(rms(got[i]), 0, `frame ${i} silent`);
  utterances.destroy();
  await once(utterances, 'close');
  assert.equal(utterances.listenerCount('speechstart'), 0, 'listen() stops when the source closes');
  out.destroy();
});

test('a Readable reply is piped, destroyed when interrupted; one that errors fails without stopping the output', async () => {
  const out = createSpeechOutput({ speechRate: 24000, highWaterMark: FRAME_BYTES });
  const warnings = [];
  out.on('warning', (e) => warnings.push(e.message));
  const long = Readable.from((function* gen() { for (let i = 0; i < 100; i++) yield bytes(tone(440, 24000, 1, 100, 0.3)); })(), { objectMode: false });
  const first = out.speak(long);
  let failing;
  const broken = new Readable({ read() {} });
  const { got } = await frames(out, 60, {
    10: (o) => { o.interrupt(); },
    20: (o) => {
      failing = o.speak(broken);
      broken.push(bytes(tone(880, 24000, 1, 200, 0.3)));
    },
    30: () => broken.destroy(new Error('tts connection reset')),
  });
  assert.deepEqual(await first, { id: 1, status: 'interrupted' });
  assert.equal(long.destroyed, true);
  const failed = await failing;
  assert.equal(failed.status, 'failed');
  assert.equal(failed.error.message, 'tts connection reset');
  assert.deepEqual(warnings, ['tts connection reset']);
  assert.ok(got.slice(20).some((f) => level(f, 880) > 0.1), 'what the failing reply sent before its error played');
  const after = out.speak(tone(660, 24000, 1, 100, 0.3));
  await frames(out, 20);
  assert.equal((await after).status, 'played');
  out.destroy();
});

test('destroy() cancels every reply and destroys their Readables; end() ends after the queued replies', async () => {
  const out = createSpeechOutput({ speechRate: 24000 });
  const source = new Readable({ read() {} });
  const a = out.speak(tone(440, 24000, 1, 500, 0.3));
  const b = out.speak(source);
  out.destroy();
  assert.deepEqual([await a, await b], [{ id: 1, status: 'cancelled' }, { id: 2, status: 'cancelled' }]);
  assert.equal(source.destroyed, true);
  await assert.rejects(out.speak(tone(440, 24000, 1, 100, 0.3)), (err) => err instanceof VoxpoolError &&
    err.code === 'ERR_VOXPOOL_DESTROYED' && err.message === 'The speech output has been destroyed');
  assert.throws(() => out.interrupt(), { code: 'ERR_VOXPOOL_DESTROYED' });
  assert.throws(() => out.listen(new EventEmitter()), { code: 'ERR_VOXPOOL_DESTROYED' });

  const ending = createSpeechOutput({ speechRate: 24000 });
  const c = ending.speak(tone(440, 24000, 1, 200, 0.3));
  const d = ending.speak(tone(880, 24000, 1, 200, 0.3));
  ending.end();
  assert.throws(() => ending.speak(tone(440, 24000, 1, 100, 0.3)), (err) => err instanceof VoxpoolError &&
    err.code === 'ERR_VOXPOOL_ENDED' && err.message === 'The speech output was ended: it takes no more replies');
  assert.throws(() => ending.addInput(), { code: 'ERR_VOXPOOL_ENDED', message: 'The mixer stream was ended: it takes no more inputs' });
  let n = 0;
  for await (const chunk of ending) n += chunk.length;
  assert.deepEqual([(await c).status, (await d).status], ['played', 'played']);
  assert.equal(n / FRAME_BYTES, 20, '400 ms of replies, then the end');
});

test('options and arguments are checked with exact errors', () => {
  const bad = [
    [{ speechRate: 4000 }, RangeError, 'Expected an integer between 8000 and 48000 for speechRate but received 4000 of type number'],
    [{ speechChannels: 3 }, RangeError, 'Expected one of 1, 2 for speechChannels but received 3 of type number'],
    [{ bargeIn: 'pause' }, RangeError, `Expected one of 'stop', 'fade', 'none' for bargeIn but received "pause" of type string`],
    [{ fadeMs: -1 }, RangeError, 'Expected a number between 0 and 60000 for fadeMs but received -1 of type number'],
    [{ fadeDepthDb: 200 }, RangeError, 'Expected a number between 0 and 120 for fadeDepthDb but received 200 of type number'],
    [{ ducking: 5 }, TypeError, 'Expected an object for ducking but received 5 of type number'],
    [{ idle: 'spin' }, RangeError, `Expected one of 'wait', 'silence' for idle but received "spin" of type string`],
  ];
  for (const [options, type, message] of bad) assert.throws(() => createSpeechOutput(options), { name: type.name, message });
  const out = createSpeechOutput();
  assert.throws(() => out.speak('hello'), { name: 'TypeError', message: 'Expected a Buffer or TypedArray of PCM, or a Readable of it for speech but received "hello" of type string' });
  assert.throws(() => out.speak(Buffer.alloc(24000 * 2 * 120 + 2)), {
    name: 'RangeError', message: 'Expected at most 120 s of PCM (5760000 bytes) in one Buffer; a Readable for longer for speech but received Buffer(5760002) of type Buffer',
  });
  assert.throws(() => out.speak.call({}, Buffer.alloc(2)), { name: 'TypeError', message: 'Expected a SpeechOutput for this but received [object Object] of type object' });
  assert.throws(() => out.speak(Buffer.alloc(2), { sampleRate: 1 }), { name: 'RangeError', message: 'Expected an integer between 8000 and 48000 for options.sampleRate but received 1 of type number' });
  assert.throws(() => out.speak(Buffer.alloc(2), { format: 'u8' }), { name: 'RangeError', message: `Expected one of 's16le', 'f32le' for options.format but received "u8" of type string` });
  assert.throws(() => out.listen({}), { name: 'TypeError' });
  assert.equal(out.speaking, false, 'nothing was queued');
  out.destroy();
});

test("Opus out: voxpool/voice's createAudioResource encodes the output on the pool, and the reply decodes back", async () => {
  const voxVoice = require('voxpool/voice');
  const { StreamType } = require('@discordjs/voice');
  const out = createSpeechOutput({ speechRate: TTS_RATE });
  const resource = voxVoice.createAudioResource(out, { inputType: StreamType.Raw });
  const reply = out.speak(TTS);
  const decoder = new Decoder({ sampleRate: OUT_RATE, channels: 2 });
  const decoded = [];
  const stream = resource.playStream;
  for await (const packet of stream) {
    decoded.push(decoder.decode(packet));
    if (decoded.length >= Math.ceil(TTS_MS / 20) + 30) break;
  }
  assert.equal((await reply).status, 'played');
  const [first, last] = voiced(decoded);
  const spanMs = (last - first + 1) * 20;
  assert.ok(Math.abs(spanMs - TTS_VOICED_MS) <= 60, `the reply decodes back over ${spanMs} ms (spoken: ${TTS_VOICED_MS} ms)`);
  decoder.destroy();
  out.destroy();
});
