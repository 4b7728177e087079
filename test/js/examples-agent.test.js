'use strict';
// The voice-agent gateway example (examples/voice-agent-gateway) over loopback WebSocket:
// the protocol's exact errors; 50 simulated devices speaking espeak-ng sentences, each utterance
// found within tolerance of where the sentence was placed, each reply decodable, paced and ended
// with FLAG_LAST; misbehaving devices closed with their own code and logged reason while good
// ones beside them are served; barge-in; and nothing left behind (sessions, sockets, native
// objects, the process itself).
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { WebSocket } = require('ws');
const voxpool = require('../..');

const dir = path.join(__dirname, '..', '..', 'examples', 'voice-agent-gateway');
const protocol = require(path.join(dir, 'protocol'));
const { startGateway } = require(path.join(dir, 'gateway'));
const { Device } = require(path.join(dir, 'device'));
const { misbehave, raw } = require(path.join(dir, 'misbehave'));
const material = require(path.join(dir, 'material'));

const { TYPES, CLOSE, FLAG_LAST } = protocol;
// The utterance's edges against where the sentence's speech is. Measured: starts exact, ends
// 25-50 ms late (the segmenter's 20 ms frames and espeak-ng's faint word tails above the noise).
const EDGE_TOLERANCE_MS = 80;
// A script: 1 s of room noise (the VAD adapts to it), one sentence, 2.5 s for the reply.
const SCRIPT = { seconds: 5.5, leadMs: 1000, gapMs: 2500 };

/** A gateway whose log lines are kept. */
async function gatewayWithLog(options) {
  const lines = [];
  const gateway = await startGateway({ ...options, log: (level, line) => lines.push(`${level} ${line}`) });
  return { gateway, lines };
}

const summary = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return `p50 ${at(0.5).toFixed(1)} p99 ${at(0.99).toFixed(1)} max ${s[s.length - 1].toFixed(1)} ms (${s.length})`;
};

/** Sockets and servers still open in this process, once the loop has run the handles' close
 * callbacks (a server's 'close' event comes before libuv has released its handle). */
const openSockets = async () => {
  await new Promise((resolve) => setTimeout(resolve, 10));
  return process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP'));
};

// --- protocol --------------------------------------------------------------------------------------

test('protocol: every type round-trips through encode and decode', () => {
  const cases = [
    [TYPES.HELLO, { deviceId: 'kitchen-1', codec: 'opus', sampleRate: 16000, channels: 1 }, 0],
    [TYPES.AUDIO, Buffer.from([0x78, 1, 2, 3]), 0],
    [TYPES.CONTROL, { event: 'bargein', reply: 3 }, 0],
    [TYPES.TTS_AUDIO, Buffer.from([0x68, 9, 8]), FLAG_LAST],
    [TYPES.TTS_AUDIO, Buffer.alloc(1275, 7), 0],
    [TYPES.UTTERANCE, { startMs: 1000, endMs: 2740, sttText: 'hello' }, 0],
    [TYPES.BYE, undefined, 0],
  ];
  for (const [type, payload, flags] of cases) {
    const wire = protocol.encode(type, { payload, flags, sequence: 0xfffffffe, timestamp: 123456 });
    const m = protocol.decode(wire);
    assert.equal(m.type, type);
    assert.equal(m.name, protocol.TYPE_NAMES[type]);
    assert.equal(m.flags, flags);
    assert.equal(m.sequence, 0xfffffffe);
    assert.equal(m.timestamp, 123456);
    assert.equal(wire.readUInt16BE(2), 0, 'reserved');
    assert.equal(wire.readUInt32BE(4), wire.length - 16, 'length');
    if (payload === undefined) assert.equal(m.payload.length, 0);
    else if (Buffer.isBuffer(payload)) assert.ok(m.payload.equals(payload));
    else assert.deepEqual(protocol.decodeJson(m), payload);
  }
  assert.equal(protocol.MAX_MESSAGE_BYTES, 16 + 4096);
});

test('protocol: each malformed header is refused with its exact reason and close code', () => {
  const hello = Buffer.from(JSON.stringify({ deviceId: 'd', codec: 'opus', sampleRate: 16000, channels: 1 }));
  const cases = [
    ['short', Buffer.alloc(15), CLOSE.PROTOCOL, 'message of 15 bytes is shorter than the 16-byte header'],
    ['type 0', raw({ type: 0 }), CLOSE.PROTOCOL, 'unknown message type 0'],
    ['type 7', raw({ type: 7 }), CLOSE.PROTOCOL, 'unknown message type 7'],
    ['unknown flag', raw({ type: TYPES.AUDIO, flags: 0x02, payload: Buffer.from([1]) }), CLOSE.PROTOCOL, 'flags 0x02 not allowed on AUDIO'],
    ['FLAG_LAST upstream', raw({ type: TYPES.AUDIO, flags: FLAG_LAST, payload: Buffer.from([1]) }), CLOSE.PROTOCOL, 'flags 0x01 not allowed on AUDIO'],
    ['reserved', raw({ type: TYPES.HELLO, reserved: 1, payload: hello }), CLOSE.PROTOCOL, 'reserved field is 0x0001, must be 0'],
    ['length short', raw({ type: TYPES.HELLO, length: hello.length - 1, payload: hello }), CLOSE.PROTOCOL, `payload length ${hello.length - 1} does not match the ${hello.length} bytes after the header`],
    ['length long', raw({ type: TYPES.AUDIO, length: 0xffffffff, payload: Buffer.from([1]) }), CLOSE.PROTOCOL, 'payload length 4294967295 does not match the 1 bytes after the header'],
    ['AUDIO too big', raw({ type: TYPES.AUDIO, payload: Buffer.alloc(1276) }), CLOSE.TOO_BIG, 'AUDIO payload of 1276 bytes exceeds 1275'],
    ['CONTROL too big', raw({ type: TYPES.CONTROL, payload: Buffer.alloc(4097) }), CLOSE.TOO_BIG, 'CONTROL payload of 4097 bytes exceeds 4096'],
    ['BYE with payload', raw({ type: TYPES.BYE, payload: Buffer.alloc(3) }), CLOSE.PROTOCOL, 'BYE carries no payload but has 3 bytes'],
    ['empty AUDIO', raw({ type: TYPES.AUDIO }), CLOSE.PROTOCOL, 'AUDIO payload is empty'],
  ];
  for (const [name, data, closeCode, reason] of cases) {
    assert.throws(() => protocol.decode(data), { name: 'ProtocolError', code: 'ERR_GATEWAY_PROTOCOL', closeCode, reason, message: reason }, name);
  }
  // At the limits: accepted.
  assert.equal(protocol.decode(raw({ type: TYPES.AUDIO, payload: Buffer.alloc(1275) })).payload.length, 1275);
  assert.equal(protocol.decode(raw({ type: TYPES.CONTROL, payload: Buffer.alloc(4096) })).payload.length, 4096);
});

test('protocol: JSON payloads and HELLO fields are checked with exact reasons', () => {
  const msg = (type, body) => protocol.decode(raw({ type, payload: Buffer.from(body) }));
  const hello = (fields) => msg(TYPES.HELLO, JSON.stringify({ deviceId: 'd-1', codec: 'opus', sampleRate: 16000, channels: 1, ...fields }));
  const cases = [
    [() => protocol.decodeJson(msg(TYPES.CONTROL, '{"event":')), CLOSE.INVALID_PAYLOAD, 'CONTROL payload is not valid JSON'],
    [() => protocol.decodeJson(msg(TYPES.CONTROL, '[1,2]')), CLOSE.INVALID_PAYLOAD, 'CONTROL payload must be a JSON object'],
    [() => protocol.decodeJson(msg(TYPES.HELLO, 'null')), CLOSE.INVALID_PAYLOAD, 'HELLO payload must be a JSON object'],
    [() => protocol.parseHello(hello({ deviceId: '' })), CLOSE.INVALID_PAYLOAD, 'HELLO.deviceId must be 1-64 printable ASCII characters'],
    [() => protocol.parseHello(hello({ deviceId: 'a b' })), CLOSE.INVALID_PAYLOAD, 'HELLO.deviceId must be 1-64 printable ASCII characters'],
    [() => protocol.parseHello(hello({ deviceId: 'x'.repeat(65) })), CLOSE.INVALID_PAYLOAD, 'HELLO.deviceId must be 1-64 printable ASCII characters'],
    [() => protocol.parseHello(hello({ codec: 'pcm' })), CLOSE.UNSUPPORTED, "HELLO.codec 'pcm' is not supported (only 'opus')"],
    [() => protocol.parseHello(hello({ sampleRate: 48000 })), CLOSE.UNSUPPORTED, 'HELLO.sampleRate 48000 is not supported (only 16000)'],
    [() => protocol.parseHello(hello({ channels: 2 })), CLOSE.UNSUPPORTED, 'HELLO.channels 2 is not supported (only 1)'],
    [() => protocol.parseHello(hello({ channels: undefined })), CLOSE.UNSUPPORTED, 'HELLO.channels undefined is not supported (only 1)'],
  ];
  for (const [fn, closeCode, reason] of cases) assert.throws(fn, { name: 'ProtocolError', closeCode, reason });
  assert.deepEqual(protocol.parseHello(hello({})), { deviceId: 'd-1' });
  // The sender refuses to build what the reader would refuse.
  assert.throws(() => protocol.encode(9, { sequence: 0, timestamp: 0 }), { name: 'RangeError', message: 'Expected a message type (1-6) but received 9' });
  assert.throws(() => protocol.encode(TYPES.AUDIO, { payload: Buffer.alloc(1276), sequence: 0, timestamp: 0 }), { name: 'RangeError', message: 'AUDIO payload of 1276 bytes exceeds 1275' });
  assert.throws(() => protocol.encode(TYPES.AUDIO, { payload: Buffer.alloc(1), flags: FLAG_LAST, sequence: 0, timestamp: 0 }), { name: 'RangeError', message: 'Expected flags 0 (or FLAG_LAST on TTS_AUDIO) but received 1' });
  assert.throws(() => protocol.encode(TYPES.AUDIO, { payload: Buffer.alloc(1), sequence: -1, timestamp: 0 }), { name: 'RangeError', message: 'Expected an integer 0..4294967295 for sequence but received -1' });
  // A close reason fits a close frame (123 bytes).
  assert.equal(Buffer.byteLength(protocol.closeReason('é'.repeat(100))), 122);
});

test('gateway: invalid options are refused with exact messages, before anything listens', () => {
  const { gatewayOptions, DEFAULTS } = require(path.join(dir, 'gateway'));
  const cases = [
    [{ port: 70000 }, RangeError, 'Expected an integer 0-65535 for port but received 70000'],
    [{ inboundQueue: 0 }, RangeError, 'Expected an integer 1-1000000000 for inboundQueue but received 0'],
    [{ stt: 'whisper' }, TypeError, "Expected a function for stt but received 'whisper'"],
    [{ utterance: null }, TypeError, 'Expected an object for utterance but received null'],
    [{ hots: 'x' }, TypeError, `Expected one of ${Object.keys(DEFAULTS).join(', ')} for an option name but received 'hots'`],
    [{ messagesPerSecond: 100, burstMessages: 50 }, RangeError, 'Expected at least messagesPerSecond (100) for burstMessages but received 50'],
  ];
  for (const [options, name, message] of cases) assert.throws(() => gatewayOptions(options), { name: name.name, message });
  assert.equal(gatewayOptions({ port: 8787 }).port, 8787);
  assert.equal(gatewayOptions().host, '127.0.0.1');
});

test('session: the timeline maps stream time to the device clock across dropped frames; the token bucket allows a burst, then its rate', () => {
  const { Timeline, TokenBucket } = require(path.join(dir, 'session'));
  const timeline = new Timeline();
  // The device's clock starts at 5000; frames at 5080 and 5100 were dropped; then a jump ahead.
  const sent = [5000, 5020, 5040, 5060, 5120, 5140, 9000, 9020];
  sent.forEach((ts, i) => timeline.push(ts, 100 + i));
  assert.deepEqual(sent.map((_, i) => timeline.deviceMs(i * 20)), sent);
  assert.equal(timeline.deviceMs(70), 5070, 'within a frame');
  assert.equal(timeline.arrivalOf(7), 107);
  assert.equal(timeline.arrivalOf(8), null, 'not written yet');
  const bucket = new TokenBucket(50, 100, 0);
  let taken = 0;
  while (bucket.take(0)) taken++;
  assert.equal(taken, 100, 'a burst of 100');
  assert.equal(bucket.take(10), false, 'half a token 10 ms later');
  assert.equal(bucket.take(20), true, 'a whole one 20 ms later');
  for (let t = 40; t <= 10000; t += 20) assert.equal(bucket.take(t), true, `steady 50/s at ${t} ms`);
});

// --- end to end -------------------------------------------------------------------------------------

test('50 devices end to end: one UTTERANCE per sentence at its edges, decodable paced replies ending with FLAG_LAST, no protocol errors', { timeout: 60000 }, async (t) => {
  const nativeBefore = voxpool.stats().environment.nativeBytes;
  const { gateway, lines } = await gatewayWithLog();
  const scripts = material.SENTENCES.map((_, first) => material.deviceScript({ ...SCRIPT, first }));
  const devices = Array.from({ length: 50 }, (_, i) => new Device({ url: gateway.url, deviceId: `device-${i}`, script: scripts[i % scripts.length], keepReplies: true }));
  let sessionsSeen = [];
  const peek = setTimeout(() => { sessionsSeen = [...gateway.sessions.values()]; }, 2500);
  await Promise.all(devices.map((d, i) => new Promise((resolve) => setTimeout(resolve, i * 20)).then(() => d.run())));
  clearTimeout(peek);
  const stats = gateway.stats();
  await gateway.close();

  const decoder = new voxpool.Decoder({ sampleRate: 24000, channels: 1 });
  const utteranceLatency = [];
  const replyLatency = [];
  const startErr = [];
  const endErr = [];
  const pacing = [];
  for (const d of devices) {
    assert.deepEqual(d.protocolErrors, [], d.deviceId);
    assert.equal(d.closeCode, CLOSE.NORMAL, `${d.deviceId} closed ${d.closeCode} ${d.closeReason}`);
    assert.equal(d.closeReason, 'bye');
    const sentences = d.sentences();
    assert.equal(sentences.length, 1, `${d.deviceId} sent its sentence to the end`);
    // One each; a machine so loaded that the gateway dropped frames may split a sentence in two.
    if (stats.drops === 0) assert.equal(d.utterances.length, sentences.length, `${d.deviceId}: ${JSON.stringify(d.utterances)}`);
    for (const s of sentences) {
      assert.ok(s.utterance, `${d.deviceId}: no utterance for ${s.startMs}-${s.endMs} ms`);
      startErr.push(s.utterance.startMs - s.startMs);
      endErr.push(s.utterance.endMs - s.endMs);
      assert.ok(Math.abs(s.utterance.startMs - s.startMs) <= EDGE_TOLERANCE_MS, `${d.deviceId}: starts at ${s.utterance.startMs} ms, the speech at ${s.startMs}`);
      assert.ok(Math.abs(s.utterance.endMs - s.endMs) <= EDGE_TOLERANCE_MS, `${d.deviceId}: ends at ${s.utterance.endMs} ms, the speech at ${s.endMs}`);
      assert.equal(s.utterance.sttText, `<utterance ${((s.utterance.endMs - s.utterance.startMs) / 1000).toFixed(2)} s>`);
      utteranceLatency.push(s.utteranceLatencyMs);
      replyLatency.push(s.replyLatencyMs);
    }
    // One reply, the stub's clip for the text, every frame decodable, not silent, FLAG_LAST last.
    assert.equal(d.replies.length, 1, d.deviceId);
    const [r] = d.replies;
    const clip = material.replyClip(sentences[0].utterance.sttText);
    assert.equal(r.text, sentences[0].utterance.sttText);
    assert.equal(r.frames, Math.ceil(clip.length / 480), `${d.deviceId}: frames of the reply`);
    assert.equal(r.durationMs, r.frames * 20);
    assert.ok(r.complete, `${d.deviceId}: the reply's last frame carried FLAG_LAST`);
    assert.equal(r.bargeinAt, null);
    let energy = 0;
    for (const packet of r.packets) {
      const pcm = decoder.decode(packet);
      assert.equal(pcm.length, 960, 'a 20 ms frame at 24 kHz mono');
      for (let i = 0; i < pcm.length; i += 2) energy += pcm.readInt16LE(i) ** 2;
    }
    const dbfs = 10 * Math.log10(energy / (r.frames * 480) / 32768 ** 2);
    assert.ok(dbfs > -30, `${d.deviceId}: the reply is at ${dbfs.toFixed(1)} dBFS`);
    // Paced, not sent at once: the gateway sends frame k no sooner than 20k - 100 ms after
    // CONTROL reply-start, so the last one comes at least the reply's length less 120 ms after
    // it (less 200 ms for a stall of this process's event loop while reply-start arrived; the
    // first frames may come late themselves, when the pool is behind, so they are no reference).
    // Not under a sanitizer, as voice-e2e's timing: there this process stalled for 500 ms while
    // 50 devices ran ("1120 ms reply sent in 597 ms"), and the frames came in a burst after it.
    if (process.env.VOXPOOL_SANITIZED !== '1') {
      assert.ok(r.lastAt - r.startAt >= r.durationMs - 320, `${d.deviceId}: ${r.durationMs} ms reply sent in ${(r.lastAt - r.startAt).toFixed(0)} ms`);
    }
    pacing.push(r.lastAt - r.startAt - (r.durationMs - 120));
  }
  decoder.destroy();

  t.diagnostic(`utterance latency (device-measured: last speech frame sent -> UTTERANCE): ${summary(utteranceLatency)}`);
  t.diagnostic(`gateway-measured (last speech frame received -> UTTERANCE sent): p50 ${stats.latency.p50} p99 ${stats.latency.p99} max ${stats.latency.max} ms`);
  t.diagnostic(`first reply frame after speech end: ${summary(replyLatency)}`);
  t.diagnostic(`pacing: last reply frame - reply-start, minus (duration - 120 ms): ${summary(pacing)}; underruns ${devices.reduce((n, d) => n + d.replies[0].underruns, 0)}`);
  t.diagnostic(`edges: start ${Math.min(...startErr)}..${Math.max(...startErr)} ms, end ${Math.min(...endErr)}..${Math.max(...endErr)} ms; queue depth max ${stats.queueDepthMax}, drops ${stats.drops}`);
  assert.equal(stats.protocolErrors, 0);
  assert.equal(stats.utterances, 50);
  assert.equal(stats.repliesCompleted, 50);
  assert.deepEqual(stats.closes, { [CLOSE.NORMAL]: 50 });
  assert.equal(stats.latency.count, 50);
  assert.equal(lines.filter((l) => l.startsWith('warn')).length, 0, lines.filter((l) => l.startsWith('warn')).join('\n'));
  assert.equal(lines.filter((l) => / utterance \d+-\d+ ms, \d\.\d\d s \(\d+ bytes of 16 kHz PCM with pre-roll\)$/.test(l)).length, 50, 'the STT stub logged each utterance');
  // Nothing left: sessions, their native objects, sockets.
  assert.equal(gateway.sessions.size, 0);
  assert.ok(sessionsSeen.length > 40, `${sessionsSeen.length} sessions open mid-run`);
  for (const s of sessionsSeen) assert.ok(s.state === 'closed' && s.released, `session #${s.id} released`);
  assert.equal(voxpool.stats().environment.nativeBytes, nativeBefore, 'every decoder, encoder and speech processor destroyed');
  assert.deepEqual(await openSockets(), []);
});

test('misbehaving devices are closed with their own code and logged reason; good devices connected meanwhile get every utterance', { timeout: 60000 }, async (t) => {
  const { gateway, lines } = await gatewayWithLog({
    helloTimeoutMs: 500,
    // An internal failure (the STT service down for one device) closes that device only.
    stt: async (u, { deviceId }) => {
      if (deviceId === 'stt-fails') throw new Error('speech service unavailable');
      return `<utterance ${((u.endMs - u.startMs) / 1000).toFixed(2)} s>`;
    },
  });
  const scripts = material.SENTENCES.map((_, first) => material.deviceScript({ ...SCRIPT, first }));
  const good = Array.from({ length: 8 }, (_, i) => new Device({ url: gateway.url, deviceId: `good-${i}`, script: scripts[i % scripts.length] }));
  const sttFails = new Device({ url: gateway.url, deviceId: 'stt-fails', script: scripts[0] });
  const expected = {
    garbage: [CLOSE.PROTOCOL, 'unknown message type 110'],
    text: [CLOSE.UNSUPPORTED, 'text frames are not accepted'],
    oversized: [CLOSE.TOO_BIG, 'Max payload size exceeded'],  // ws's own check (maxPayload); ws sends no reason
    'oversized-audio': [CLOSE.TOO_BIG, 'AUDIO payload of 2000 bytes exceeds 1275'],
    'audio-before-hello': [CLOSE.PROTOCOL, 'AUDIO before HELLO'],
    flood: [CLOSE.POLICY, 'flood: over 150 messages at once (limit 60/s)'],
    'bad-opus': [CLOSE.INVALID_PAYLOAD, 'AUDIO 3: invalid Opus packet (corrupted stream)'],
    reserved: [CLOSE.PROTOCOL, 'reserved field is 0x1234, must be 0'],
    'length-mismatch': [CLOSE.PROTOCOL, 'payload length 10 does not match the 73 bytes after the header'],
    'bad-json': [CLOSE.INVALID_PAYLOAD, 'HELLO payload is not valid JSON'],
    'wrong-codec': [CLOSE.UNSUPPORTED, "HELLO.codec 'pcm' is not supported (only 'opus')"],
    backwards: [CLOSE.POLICY, 'sequence went backwards 51 times (last 1000 -> 949)'],
    'no-hello': [CLOSE.POLICY, 'no HELLO within 500 ms'],
  };
  const goodRuns = [...good, sttFails].map((d) => d.run());
  // While the good devices speak (their sentences start at 1 s).
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const bad = await Promise.all(Object.keys(expected).map((kind) => misbehave(gateway.url, kind)));
  await Promise.all(goodRuns);
  const stats = gateway.stats();
  await gateway.close();

  for (const { kind, closeCode, closeReason } of bad) {
    const [code, reason] = expected[kind];
    assert.equal(closeCode, code, `${kind}: ${closeCode} ${closeReason}`);
    assert.equal(closeReason, kind === 'oversized' ? '' : reason, kind);
    const logged = lines.filter((l) => l.startsWith('warn') && l.endsWith(`: closed by gateway ${code} ${reason}`));
    assert.equal(logged.length, 1, `${kind}: logged once as "closed by gateway ${code} ${reason}"\n${lines.join('\n')}`);
  }
  for (const d of good) {
    assert.equal(d.closeCode, CLOSE.NORMAL, `${d.deviceId}: ${d.closeCode} ${d.closeReason}`);
    assert.deepEqual(d.protocolErrors, []);
    const sentences = d.sentences();
    assert.equal(sentences.length, 1);
    assert.equal(d.utterances.length, sentences.length, `${d.deviceId} got its utterance`);
    assert.ok(sentences.every((s) => s.utterance !== null && Math.abs(s.utterance.endMs - s.endMs) <= EDGE_TOLERANCE_MS), JSON.stringify(sentences));
    assert.ok(d.replies.length === 1 && d.replies[0].complete, `${d.deviceId} got its reply`);
  }
  assert.equal(sttFails.closeCode, CLOSE.INTERNAL);
  assert.equal(sttFails.closeReason, 'internal error: stt: speech service unavailable');
  assert.equal(sttFails.utterances.length, 0);
  assert.equal(lines.filter((l) => /^warn #\d+ stt-fails: closed by gateway 1011 internal error: stt: speech service unavailable$/.test(l)).length, 1, lines.join('\n'));
  t.diagnostic(`gateway: ${JSON.stringify(stats.closes)}, protocol errors ${stats.protocolErrors}, drops ${stats.drops} (the flood's), late ${stats.late}`);
  assert.equal(stats.protocolErrors, Object.keys(expected).length);
  assert.deepEqual(stats.closes, { 1000: 8, 1002: 4, 1003: 2, 1007: 2, 1008: 3, 1009: 2, 1011: 1 });
  assert.equal(stats.utterances, 8);
  assert.equal(gateway.sessions.size, 0);
  assert.deepEqual(await openSockets(), []);
});

test('a full gateway refuses a connection with 1013 and logs it; the open session is unaffected', { timeout: 10000 }, async () => {
  const { gateway, lines } = await gatewayWithLog({ maxConnections: 1 });
  const first = new WebSocket(gateway.url);
  await new Promise((resolve) => first.once('open', resolve));
  first.send(protocol.encode(TYPES.HELLO, { payload: { deviceId: 'first', ...protocol.UPLINK }, sequence: 0, timestamp: 0 }));
  const answer = await new Promise((resolve) => first.once('message', (data) => resolve(protocol.decode(data))));
  assert.equal(answer.name, 'HELLO');
  assert.deepEqual(protocol.decodeJson(answer), { session: 1, codec: 'opus', sampleRate: 24000, channels: 1, frameMs: 20 });
  const second = new WebSocket(gateway.url);
  const [code, reason] = await new Promise((resolve) => second.once('close', (c, r) => resolve([c, r.toString()])));
  assert.equal(code, CLOSE.TRY_AGAIN);
  assert.equal(reason, 'server full (1 connections)');
  assert.ok(lines.includes('warn connection refused: 1013 server full (1 connections)'), lines.join('\n'));
  assert.equal(gateway.sessions.size, 1);
  assert.equal(first.readyState, WebSocket.OPEN);
  const closed = new Promise((resolve) => first.once('close', (c, r) => resolve([c, r.toString()])));
  await gateway.close();
  assert.notEqual(first.readyState, WebSocket.OPEN, 'close() resolved once the connection was closing');
  assert.deepEqual(await closed, [CLOSE.GOING_AWAY, 'gateway shutting down']);
  assert.deepEqual(gateway.stats().closes, { 1001: 1, 1013: 1 });
  assert.equal(gateway.sessions.size, 0);
  assert.deepEqual(await openSockets(), []);
});

test('barge-in: speaking during a reply stops its frames and sends CONTROL bargein; the new utterance gets its own reply', { timeout: 30000 }, async (t) => {
  // A reply long enough to still be playing when the device speaks again: two clips in a row.
  const long = Buffer.concat(material.REPLIES.slice(0, 2).map((text) => Buffer.from(material.speak(text, 24000).buffer)));
  const { gateway } = await gatewayWithLog({ tts: async () => long });
  // Two sentences 1 s apart: the first reply starts about 0.5 s after the first sentence.
  const script = material.deviceScript({ seconds: 7, leadMs: 1000, gapMs: 1000 });
  assert.equal(script.sentences.length, 2);
  const device = new Device({ url: gateway.url, deviceId: 'talker', script });
  await device.run();
  const stats = gateway.stats();
  await gateway.close();

  assert.deepEqual(device.protocolErrors, []);
  assert.equal(device.closeCode, CLOSE.NORMAL);
  const [first, second] = device.sentences();
  assert.equal(device.utterances.length, 2, JSON.stringify(device.utterances));
  assert.equal(device.replies.length, 2);
  const [interrupted, answer] = device.replies;
  const totalFrames = Math.ceil(long.length / 960);
  assert.ok(interrupted.bargeinAt !== null, 'CONTROL bargein arrived');
  assert.equal(interrupted.framesAfterBargein, 0, 'no frame of the interrupted reply after the bargein');
  assert.equal(interrupted.complete, false, 'no FLAG_LAST on the interrupted reply');
  assert.ok(interrupted.frames > 0 && interrupted.frames < totalFrames, `${interrupted.frames} of ${totalFrames} frames sent`);
  const control = device.controls.find((c) => c.event === 'bargein');
  assert.deepEqual({ ...control, at: 0 }, { event: 'bargein', reply: 1, sentMs: interrupted.frames * 20, cause: 'speech', at: 0 });
  // The barge-in follows the second sentence's onset by about minSpeechMs (200) plus the pipeline.
  const after = control.at - second.sentStartAt;
  t.diagnostic(`bargein ${after.toFixed(0)} ms after the second sentence began; ${interrupted.frames} of ${totalFrames} frames had been sent`);
  assert.ok(after > 150 && after < 1000, `bargein ${after.toFixed(0)} ms after the onset`);
  assert.ok(first.utterance && second.utterance);
  assert.ok(answer.complete && answer.frames === totalFrames, 'the second utterance got its whole reply');
  assert.ok(answer.startAt > control.at);
  assert.equal(stats.bargeIns, 1);
  assert.equal(stats.repliesCompleted, 1);
  assert.equal(stats.protocolErrors, 0);
});

test('the CLI runs a short load, prints the report and exits by itself', { timeout: 60000 }, async () => {
  const child = spawn(process.execPath, [dir, '--devices', '3', '--seconds', '6'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => { out += c; });
  child.stderr.on('data', (c) => { err += c; });
  const code = await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, err);
  assert.match(out, /^3 devices for 6 s \(in-process gateway\); 3 utterances/);
  assert.match(out, /utterance, device-measured +\d+\.\d +\d+\.\d +\d+\.\d +3\n/);
  const line = out.split('\n').find((l) => l.startsWith('gateway report '));
  const report = JSON.parse(line.slice('gateway report '.length));
  assert.equal(report.utterances, 3);
  assert.equal(report.missed, 0);
  assert.equal(report.repliesCompleted, 3);
  assert.equal(report.protocolErrors, 0);
  assert.equal(report.sessionsLeft, 0);
  assert.deepEqual(report.closes, { 1000: 3 });
  for (const key of ['device', 'gateway', 'reply']) assert.equal(report.latency[key].count, 3, key);
  for (const key of ['cpuPercent', 'eventLoopDelayP99Ms', 'poolQueueWaitP99Ms', 'utterancesPerSecond', 'queueDepthMax', 'drops']) {
    assert.equal(typeof report[key], 'number', key);
  }
});
