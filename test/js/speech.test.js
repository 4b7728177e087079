'use strict';
// SpeechProcessor and createUtteranceStream on real speech: espeak-ng sentences with noise,
// level changes and silence mixed in by sox (seeded, so every run hears the same material).
// Measured: VAD hits on speech frames and false alarms on pure noise, the SNR gain of noise
// suppression against the clean speech, the level AGC brings quiet and loud speech to, how much
// of a played-back reference echo cancellation removes (and how much near-end speech it keeps),
// utterance boundaries against where the material was placed; processAsync against process,
// destroy with frames queued, exact validation messages.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { SpeechProcessor, speechConstants, createUtteranceStream, VoxpoolError } = require('../..');

const RATE = 16000;
const FRAME = 320;  // 20 ms at 16 kHz

// --- material ----------------------------------------------------------------------------------

// Neither tool runs under the sanitizer build's LD_PRELOAD (scripts/js-sanitize.sh): espeak-ng
// with ASan's runtime preloaded hangs.
function tool(cmd, args, input) {
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  const r = spawnSync(cmd, args, { env, input, timeout: 60000, maxBuffer: 1 << 27 });
  assert.equal(r.error, undefined, `${cmd} could not run (apt-get install espeak-ng sox): ${r.error}`);
  assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
  return r.stdout;
}

const RAW = ['-t', 'raw', '-r', String(RATE), '-c', '1', '-b', '16', '-e', 'signed'];
const samples = (buf) => Int16Array.from(new Int16Array(buf.buffer, buf.byteOffset, buf.length / 2));

/** espeak-ng speech at 16 kHz mono, cut to its speech content (see `content`). */
function say(text, voice = 'en-us') {
  const wav = tool('espeak-ng', ['-v', voice, '--stdout', text]);
  const x = samples(tool('sox', ['-t', 'wav', '-', ...RAW, '-'], wav));
  const [a, b] = content(x);
  return x.subarray(a, b);
}

/** [first, last) sample of the 5 ms windows whose peak is within 35 dB of the clip's: where the
 * speech is, without espeak-ng's leading and trailing silence and its faintest tails. */
function content(x) {
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  const threshold = peak * 10 ** (-35 / 20);
  let first = -1;
  let last = -1;
  for (let i = 0; i + 80 <= x.length; i += 80) {
    let m = 0;
    for (let k = 0; k < 80; k++) m = Math.max(m, Math.abs(x[i + k]));
    if (m > threshold) {
      if (first < 0) first = i;
      last = i + 80;
    }
  }
  return [first, last];
}

/** sox's seeded (-R) white or pink noise, `n` samples at `rms` (linear, of full scale). */
function noise(kind, n, rms) {
  // The null input's rate is given: synth counts `${n}s` at the input's rate (48 kHz by default,
  // which made a third of n samples at 16 kHz: the rest of the material was digital silence).
  const x = samples(tool('sox', ['-R', '-r', String(RATE), '-n', ...RAW, '-', 'synth', `${n}s`, `${kind}noise`]));
  assert.equal(x.length, n, `sox made ${x.length} samples of ${kind} noise, not ${n}`);
  let s = 0;
  for (const v of x) s += v * v;
  const g = rms * 32768 / Math.sqrt(s / x.length);
  return Float64Array.from(x.subarray(0, n), (v) => v * g);
}

/** Sample-wise sum, rounded and saturated to s16. */
function mix(length, ...parts) {
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) {
    let v = 0;
    for (const [x, at = 0, gain = 1] of parts) if (i >= at && i - at < x.length) v += x[i - at] * gain;
    out[i] = Math.max(-32768, Math.min(32767, Math.round(v)));
  }
  return out;
}

const frameCount = (x) => Math.floor(x.length / FRAME);
const bytesOf = (x, f) => Buffer.from(x.buffer, x.byteOffset + f * FRAME * 2, FRAME * 2);
/** Mean power of 20 ms frame f of x. */
function power(x, f) {
  let s = 0;
  for (let k = 0; k < FRAME; k++) s += x[f * FRAME + k] ** 2;
  return s / FRAME;
}
/** Every frame of `x` through a fresh processor: the results, and the cleaned samples. */
function processAll(x, options) {
  const p = new SpeechProcessor(options);
  const results = [];
  const out = new Int16Array(frameCount(x) * FRAME);
  for (let f = 0; f < frameCount(x); f++) {
    const r = p.process(bytesOf(x, f));
    results.push(r);
    out.set(samples(r.pcm), f * FRAME);
  }
  p.destroy();
  return { results, out };
}
const db = (ratio) => 10 * Math.log10(ratio);
/** RMS (of full scale) of the frames of x within 20 dB of its loudest: the speech's level. */
function speechRms(x) {
  const p = Array.from({ length: frameCount(x) }, (_, f) => power(x, f));
  const loudest = Math.max(...p);
  const active = p.filter((v) => v > loudest / 100);
  return Math.sqrt(active.reduce((a, v) => a + v, 0) / active.length) / 32768;
}

const SENTENCE = 'Turn on the kitchen lights please, and tell me what the weather will be like tomorrow.';

// --- VAD -----------------------------------------------------------------------------------------

test('VAD: >= 95 % of speech frames voiced and <= 5 % of pure-noise frames (warm-up included), speech in white noise at 20 dB SNR', (t) => {
  const speech = say(SENTENCE);
  const lead = 2 * RATE;
  const length = lead + speech.length + RATE;
  const x = mix(length, [speech, lead], [noise('white', length, speechRms(speech) * 10 ** (-20 / 20))]);
  const { results } = processAll(x, { gainControl: false });
  // Speech frames: within 20 dB of the loudest frame of the clean speech where it was placed.
  const clean = mix(length, [speech, lead]);
  const loudest = Math.max(...results.map((_, f) => power(clean, f)));
  let speechFrames = 0;
  let hits = 0;
  let noiseFrames = 0;
  let alarms = 0;
  for (let f = 0; f < results.length; f++) {
    const start = f * FRAME;
    const pureNoise = start + FRAME <= lead || start >= lead + speech.length;
    if (pureNoise) {
      noiseFrames++;
      alarms += results[f].speech;
    } else if (power(clean, f) > loudest / 100) {
      speechFrames++;
      hits += results[f].speech;
    }
  }
  t.diagnostic(`voiced ${hits}/${speechFrames} speech frames, ${alarms}/${noiseFrames} pure-noise frames`);
  assert.ok(speechFrames > 100 && noiseFrames > 100, `${speechFrames} speech, ${noiseFrames} noise frames`);
  assert.ok(hits / speechFrames >= 0.95, `voiced ${hits} of ${speechFrames} speech frames`);
  assert.ok(alarms / noiseFrames <= 0.05, `voiced ${alarms} of ${noiseFrames} pure-noise frames`);
});

// --- noise suppression ---------------------------------------------------------------------------

/**
 * SNR of `x` measured against the clean speech: the clean speech marks which frames hold speech
 * (within 20 dB of its loudest) and which hold none (60 dB under it); SNR is the power the speech
 * frames have above the speech-free frames' over the speech-free frames' (the noise left).
 * The module delays its output by `delay` samples.
 */
function snr(x, clean, delay = 0) {
  const n = frameCount(clean) - 1;
  const loudest = Math.max(...Array.from({ length: n }, (_, f) => power(clean, f)));
  let s = 0;
  let sn = 0;
  let q = 0;
  let qn = 0;
  for (let f = 1; f < n; f++) {
    let p = 0;
    for (let k = 0; k < FRAME; k++) p += (x[f * FRAME + k + delay] || 0) ** 2;
    p /= FRAME;
    if (power(clean, f) > loudest / 100) { s += p; sn++; }
    if (power(clean, f) < loudest / 1e6) { q += p; qn++; }
  }
  return db((s / sn - q / qn) / (q / qn));
}

test('noise suppression improves the SNR of speech in white and pink noise by >= 10 dB', (t) => {
  const speech = say(SENTENCE);
  const length = RATE + speech.length + RATE;
  const clean = mix(length, [speech, RATE]);
  // The module's output lags its input by 6 ms at 16 kHz (its analysis window).
  const delay = 96;
  for (const [kind, rms, level] of [['white', 0.02, 'high'], ['pink', 0.02, 'veryHigh']]) {
    const noisy = mix(length, [speech, RATE], [noise(kind, length, rms)]);
    const before = snr(noisy, clean);
    const { out } = processAll(noisy, { gainControl: false, noiseSuppression: level });
    const after = snr(out, clean, delay);
    t.diagnostic(`${kind} noise, ${level}: SNR ${before.toFixed(1)} -> ${after.toFixed(1)} dB`);
    assert.ok(after - before >= 10, `${kind} noise, ${level}: SNR ${before.toFixed(1)} -> ${after.toFixed(1)} dB`);
    const { out: off } = processAll(noisy, { gainControl: false, noiseSuppression: false });
    assert.ok(Math.abs(snr(off, clean) - before) < 0.5, 'noiseSuppression: false leaves the noise');
  }
});

// --- gain control --------------------------------------------------------------------------------

test('AGC brings speech peaking at -40 dBFS and at -6 dBFS to within ±3 dB of the -3 dBFS target', (t) => {
  const speech = say(SENTENCE);
  let peak = 0;
  for (const v of speech) peak = Math.max(peak, Math.abs(v));
  for (const inputDb of [-40, -6]) {
    const gain = 32768 * 10 ** (inputDb / 20) / peak;
    // Five times over (about 28 s): adaptive AGC moves a few dB a second.
    const x = mix(speech.length * 5, ...[0, 1, 2, 3, 4].map((k) => [speech, k * speech.length, gain]));
    const { out } = processAll(x, { noiseSuppression: false, gainControl: { mode: 'adaptiveDigital', targetLevelDbfs: 3 } });
    // The level of the speech's peaks over the last pass: the 95th percentile of its frames' peaks.
    const last = out.subarray(out.length - speech.length);
    const peaks = [];
    for (let f = 0; f < frameCount(last); f++) {
      let m = 0;
      for (let k = 0; k < FRAME; k++) m = Math.max(m, Math.abs(last[f * FRAME + k]));
      peaks.push(m);
    }
    peaks.sort((a, b) => a - b);
    const level = 20 * Math.log10(peaks[Math.floor(peaks.length * 0.95)] / 32768);
    t.diagnostic(`speech peaking at ${inputDb} dBFS: ${level.toFixed(1)} dBFS`);
    assert.ok(Math.abs(level - -3) <= 3, `speech peaking at ${inputDb} dBFS came out at ${level.toFixed(1)} dBFS`);
  }
});

// --- echo cancellation ---------------------------------------------------------------------------

test('echo cancellation removes >= 20 dB of a played-back reference and keeps near-end speech', (t) => {
  const far = say('Now playing the next song. The weather today is sunny with a high of twenty degrees.', 'en-us+f3');
  const near = say(SENTENCE);
  // What the microphone hears: the far end 40 ms later at half level through a 3 kHz low-pass
  // (sox), then, once the far end has stopped, the near-end talker.
  const echo = samples(tool('sox', [...RAW, '-', ...RAW, '-', 'pad', '0.04', '0', 'vol', '0.5', 'lowpass', '3000'],
    Buffer.from(far.buffer, far.byteOffset, far.byteLength)));
  const length = echo.length + near.length + RATE / 2;
  const mic = mix(length, [echo], [near, echo.length + RATE / 4]);
  const farFull = mix(length, [far]);
  const p = new SpeechProcessor({ echoCancellation: { level: 'moderate', delayMs: 40 }, noiseSuppression: false, gainControl: false });
  const out = new Int16Array(frameCount(mic) * FRAME);
  for (let f = 0; f < frameCount(mic); f++) {
    p.processReverse(bytesOf(farFull, f));
    out.set(samples(p.process(bytesOf(mic, f)).pcm), f * FRAME);
  }
  p.destroy();
  const sum = (x, a, b) => { let s = 0; for (let f = a; f < b; f++) s += power(x, f); return s; };
  // Echo only: from 1 s in (the filter converges) to the end of the echo.
  const echoEnd = Math.floor(echo.length / FRAME);
  const removed = db(sum(mic, 50, echoEnd) / sum(out, 50, echoEnd));
  t.diagnostic(`echo reduced by ${removed.toFixed(1)} dB`);
  assert.ok(removed >= 20, `echo reduced by ${removed.toFixed(1)} dB`);
  const nearStart = Math.ceil((echo.length + RATE / 4) / FRAME);
  const nearEnd = Math.floor((echo.length + RATE / 4 + near.length) / FRAME);
  const kept = db(sum(out, nearStart, nearEnd) / sum(mic, nearStart, nearEnd));
  t.diagnostic(`near-end speech changed by ${kept.toFixed(2)} dB`);
  assert.ok(kept > -3, `near-end speech changed by ${kept.toFixed(1)} dB`);
});

// --- utterances ----------------------------------------------------------------------------------

test('utterances: boundaries within ±60 ms of where two sentences were placed in noise, with events, pre-roll and a live stream', async (t) => {
  const a = say('Turn on the kitchen lights please.');
  const b = say('What is the weather like tomorrow in Berlin?', 'en-us+f3');
  const at = [RATE, RATE + a.length + 1.5 * RATE];
  const length = at[1] + b.length + RATE;
  const x = mix(length, [a, at[0]], [b, at[1]], [noise('white', length, 0.01)]);
  const truth = [[at[0], at[0] + a.length], [at[1], at[1] + b.length]].map((t) => t.map((s) => s / 16));
  const s = createUtteranceStream({ live: true, speech: { gainControl: false } });
  const events = [];
  const liveBytes = [];
  s.on('speechstart', (e) => {
    events.push(['start', e.startMs]);
    const chunks = [];
    e.stream.on('data', (c) => chunks.push(c));
    e.stream.on('end', () => liveBytes.push(Buffer.concat(chunks)));
  });
  s.on('speechend', (e) => events.push(['end', e.startMs, e.endMs]));
  const utterances = [];
  s.on('data', (u) => utterances.push(u));
  const done = new Promise((resolve, reject) => { s.on('end', resolve); s.on('error', reject); });
  const bytes = Buffer.from(x.buffer);
  for (let i = 0; i < bytes.length; i += 2998) s.write(bytes.subarray(i, i + 2998));  // odd chunks
  s.end();
  await done;
  t.diagnostic(`truth ${JSON.stringify(truth)}, utterances ${JSON.stringify(utterances.map((u) => [u.startMs, u.endMs]))}`);
  assert.equal(utterances.length, 2, JSON.stringify(utterances.map((u) => [u.startMs, u.endMs])));
  for (let k = 0; k < 2; k++) {
    const u = utterances[k];
    assert.ok(Math.abs(u.startMs - truth[k][0]) <= 60, `utterance ${k} starts at ${u.startMs} ms, the speech at ${truth[k][0]}`);
    assert.ok(Math.abs(u.endMs - truth[k][1]) <= 60, `utterance ${k} ends at ${u.endMs} ms, the speech at ${truth[k][1]}`);
    assert.equal(u.preRollMs, 300, 'pre-roll: 300 ms of audio before the onset');
    assert.equal(u.pcm.length, (u.endMs - u.startMs + u.preRollMs) * RATE / 1000 * 2);
    assert.ok(liveBytes[k].subarray(0, u.pcm.length).equals(u.pcm), 'the live stream carried the same audio');
  }
  assert.deepEqual(events.map((e) => e[0]), ['start', 'end', 'start', 'end']);
  assert.equal(events[1][2], utterances[0].endMs);
});

test('utterances: speech that starts 100 or 300 ms into a stream, while the VAD is still learning the noise, is bounded within ±60 ms', async () => {
  const a = say('Turn on the kitchen lights please.');
  for (const leadMs of [100, 300]) {
    const at = leadMs * RATE / 1000;
    const length = at + a.length + RATE;
    const x = mix(length, [a, at], [noise('white', length, 0.01)]);
    const s = createUtteranceStream({ speech: { gainControl: false } });
    const got = [];
    s.on('data', (u) => got.push(u));
    const done = new Promise((resolve, reject) => { s.on('end', resolve); s.on('error', reject); });
    s.end(Buffer.from(x.buffer));
    await done;
    const truth = [leadMs, (at + a.length) / 16];
    assert.equal(got.length, 1, `lead ${leadMs} ms: ${JSON.stringify(got.map((u) => [u.startMs, u.endMs]))}`);
    assert.ok(Math.abs(got[0].startMs - truth[0]) <= 60 && Math.abs(got[0].endMs - truth[1]) <= 60,
      `lead ${leadMs} ms: [${got[0].startMs}, ${got[0].endMs}] ms, the speech at [${truth}]`);
    assert.equal(got[0].preRollMs, Math.min(300, got[0].startMs), 'the pre-roll is what the stream had before the onset');
  }
});

test('utterances: a click shorter than minSpeechMs is dropped; one longer than maxUtteranceMs is cut and goes on', async () => {
  const speech = say(SENTENCE);
  // A click: the first 100 ms of a word.
  const click = say('Hey').subarray(0, RATE / 10);
  const length = RATE + click.length + RATE + speech.length + RATE;
  const x = mix(length, [click, RATE], [speech, 2 * RATE + click.length], [noise('white', length, 0.005)]);
  const run = async (options) => {
    const s = createUtteranceStream({ speech: { gainControl: false }, ...options });
    const got = [];
    s.on('data', (u) => got.push(u));
    const done = new Promise((resolve, reject) => { s.on('end', resolve); s.on('error', reject); });
    s.end(Buffer.from(x.buffer));
    await done;
    return got;
  };
  const clickMs = click.length / 16;
  const kept = await run({ minSpeechMs: 20 });
  assert.equal(kept.length, 2, `with minSpeechMs 20 the ${clickMs} ms click is an utterance`);
  const dropped = await run({ minSpeechMs: Math.ceil(clickMs / 20) * 20 + 100 });
  assert.equal(dropped.length, 1, 'a longer minSpeechMs drops it');
  const cut = await run({ maxUtteranceMs: 2000 });
  const long = cut.filter((u) => u.startMs >= 2000);
  assert.ok(long.length >= 2, `a ${(speech.length / 16).toFixed(0)} ms sentence cut at 2 s makes ${long.length} utterances`);
  assert.equal(long[0].endMs - long[0].startMs, 2000);
  assert.equal(long[1].startMs, long[0].endMs, 'the next one goes on where the cut was');
});

test('utterances: one write of 10 s goes through a processor whose queue holds 8 frames', async () => {
  const speech = say(SENTENCE);
  const x = mix(10 * RATE, [speech, RATE], [noise('white', 10 * RATE, 0.005)]);
  const s = createUtteranceStream({ speech: { maxQueue: 8, gainControl: false } });
  const got = [];
  s.on('data', (u) => got.push(u));
  const done = new Promise((resolve, reject) => { s.on('end', resolve); s.on('error', reject); });
  s.end(Buffer.from(x.buffer));
  await done;
  assert.equal(got.length, 1);
  assert.ok(Math.abs(got[0].startMs - 1000) <= 60, `starts at ${got[0].startMs} ms`);
  const endMs = 1000 + speech.length / 16;
  assert.ok(Math.abs(got[0].endMs - endMs) <= 60, `ends at ${got[0].endMs} ms, the speech at ${endMs}`);
});

// --- API -----------------------------------------------------------------------------------------

test('processAsync gives exactly what process() gives on an identical processor, in order; destroy rejects what is queued', async () => {
  const x = mix(RATE * 2, [say('Hello there.'), RATE / 2], [noise('white', RATE * 2, 0.01)]);
  const a = new SpeechProcessor();
  const b = new SpeechProcessor();
  const sync = [];
  const jobs = [];
  for (let f = 0; f < frameCount(x); f++) {
    sync.push(a.process(bytesOf(x, f)));
    jobs.push(b.processAsync(bytesOf(x, f)));
  }
  const got = await Promise.all(jobs);
  for (let f = 0; f < got.length; f++) {
    assert.ok(got[f].pcm.equals(sync[f].pcm), `frame ${f}`);
    assert.equal(got[f].speech, sync[f].speech);
    assert.equal(got[f].level, sync[f].level);
  }
  assert.ok(got.some((r) => r.speech) && got.some((r) => !r.speech));
  const queued = Array.from({ length: 50 }, () => b.processAsync(bytesOf(x, 0)));
  b.destroy();
  const settled = await Promise.allSettled(queued);
  const rejected = settled.filter((r) => r.status === 'rejected');
  assert.ok(rejected.length > 0);
  for (const r of rejected) {
    assert.ok(r.reason instanceof VoxpoolError);
    assert.equal(r.reason.code, 'ERR_VOXPOOL_DESTROYED');
  }
  assert.throws(() => b.process(bytesOf(x, 0)), { code: 'ERR_VOXPOOL_DESTROYED', message: 'The speech processor has been destroyed' });
  a.destroy();
});

test('validation: options and frames, exact messages; constants come from the core', () => {
  assert.deepEqual(speechConstants.SAMPLE_RATES, [8000, 16000, 32000, 48000]);
  assert.equal(speechConstants.DEFAULTS.vad, 'low');
  assert.ok(Object.isFrozen(speechConstants.DEFAULTS));
  const cases = [
    [{ sampleRate: 44100 }, RangeError, 'Expected one of 8000, 16000, 32000, 48000 for sampleRate but received 44100 of type number'],
    [{ vad: 'sometimes' }, RangeError, "Expected one of 'off', 'veryLow', 'low', 'moderate', 'high' for vad but received \"sometimes\" of type string"],
    [{ noiseSuppression: 3 }, TypeError, "Expected false, one of 'off', 'low', 'moderate', 'high', 'veryHigh' or an object for noiseSuppression but received 3 of type number"],
    [{ gainControl: { targetLevelDbfs: 32 } }, RangeError, 'Expected an integer between 0 and 31 for gainControl.targetLevelDbfs but received 32 of type number'],
    [{ gainControl: { mode: 'analog' } }, RangeError, "Expected one of 'off', 'adaptiveDigital', 'fixedDigital' for gainControl.mode but received \"analog\" of type string"],
    [{ echoCancellation: { delayMs: 501 } }, RangeError, 'Expected an integer between 0 and 500 for echoCancellation.delayMs but received 501 of type number'],
  ];
  for (const [options, type, message] of cases) assert.throws(() => new SpeechProcessor(options), { name: type.name, message }, JSON.stringify(options));
  const p = new SpeechProcessor({ sampleRate: 48000 });
  assert.equal(p.chunkBytes, 960);
  assert.throws(() => p.process(Buffer.alloc(1000)), { name: 'RangeError', message: 'Expected 1 to 6 whole 10 ms chunks of mono s16 (960 bytes each) for pcm but received Buffer(1000) of type Buffer' });
  assert.throws(() => p.process(Buffer.alloc(960 * 7)), RangeError);
  assert.throws(() => p.process('pcm'), { name: 'TypeError' });
  assert.equal(p.process(Buffer.alloc(960 * 6)).pcm.length, 960 * 6, 'six chunks: 60 ms');
  p.destroy();
  assert.throws(() => createUtteranceStream({ frameMs: 25 }), { name: 'RangeError', message: 'Expected a multiple of 10 for frameMs but received 25 of type number' });
  assert.throws(() => createUtteranceStream({ speech: { sampleRate: 48000 } }), { name: 'RangeError', message: 'Expected one of 16000 for speech.sampleRate but received 48000 of type number' });
});
