'use strict';
// Fused voice pipelines: VoiceSender packets open with @discordjs/voice's algorithm and decode;
// order survives concurrency and async (DAVE-style) transforms; a sender -> UDP loopback ->
// receiver loop with loss and reordering injected recovers the audio (SNR).
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const dgram = require('node:dgram');
const sodium = require('sodium-native');
const { VoiceSender, VoiceReceiver } = require('../../lib/voice-pipeline');
const { VoiceCipher } = require('../../lib/voice-cipher');
const { parseRtpPacket } = require('../../lib/rtp');
const binding = require('../../lib/binding');
const { frames, snr } = require('./helpers');

const GCM = 'aead_aes256_gcm_rtpsize';
const XCHACHA = 'aead_xchacha20_poly1305_rtpsize';
const modes = [XCHACHA, ...(VoiceCipher.aesAvailable ? [GCM] : [])];
const key = crypto.randomBytes(32);
const pcm20 = frames(48000, 2, 960, 100);

// @discordjs/voice 0.18 VoiceReceiver.decrypt + parsePacket, transcribed.
function discordOpen(mode, k, buffer) {
  const nonce = Buffer.alloc(mode === GCM ? 12 : 24);
  buffer.copy(nonce, 0, buffer.length - 4);
  let headerSize = 12;
  if ((buffer[0] >> 4) & 1) headerSize += 4;
  const header = buffer.subarray(0, headerSize);
  const encrypted = buffer.subarray(headerSize, buffer.length - 20);
  const authTag = buffer.subarray(buffer.length - 20, buffer.length - 4);
  if (mode === GCM) {
    const d = crypto.createDecipheriv('aes-256-gcm', k, nonce);
    d.setAAD(header);
    d.setAuthTag(authTag);
    return Buffer.concat([d.update(encrypted), d.final()]);
  }
  const out = Buffer.alloc(encrypted.length);
  sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(out, null, Buffer.concat([encrypted, authTag]), header, nonce, k);
  return out;
}

for (const mode of modes) {
  test(`${mode}: concurrent sends come out in order and open with @discordjs/voice`, async () => {
    const sender = new VoiceSender({ ssrc: 4242, mode, key, sequence: 65530, timestamp: 4294967295 - 960 * 2 });
    const packets = await Promise.all(pcm20.slice(0, 20).map((f) => sender.send(f)));
    const decoder = new binding.NativeDecoder({ sampleRate: 48000, channels: 2 });
    packets.forEach((p, i) => {
      assert.equal(p.readUInt16BE(2), (65530 + i) & 0xffff);
      assert.equal(p.readUInt32BE(4), (4294967295 - 960 * 2 + 960 * i) >>> 0);
      assert.equal(p.readUInt32BE(8), 4242);
      assert.equal(p[1], 0x78);
      assert.equal(p.readUInt32BE(p.length - 4), i + 1);
      const opus = discordOpen(mode, key, p);
      assert.equal(decoder.decode(opus).length, 3840);
    });
    sender.destroy();
  });
}

test('silence() gives five sealed f8 ff fe frames after the audio, in order', async () => {
  const sender = new VoiceSender({ ssrc: 1, mode: XCHACHA, key, sequence: 0, timestamp: 0 });
  const audio = sender.send(pcm20[0]);
  const silence = await sender.silence();
  await audio;
  assert.equal(silence.length, 5);
  silence.forEach((p, i) => {
    assert.equal(p.readUInt16BE(2), i + 1);
    assert.equal(p.readUInt32BE(4), 960 * (i + 1));
    assert.deepEqual(discordOpen(XCHACHA, key, p), Buffer.from([0xf8, 0xff, 0xfe]));
  });
});

test('DAVE seam: an async transform between encode and seal keeps packet order', async () => {
  const sender = new VoiceSender({ ssrc: 7, mode: XCHACHA, key, sequence: 100, timestamp: 0 });
  const seen = [];
  // Later frames finish their transform sooner: order must still hold.
  const transform = async (opus) => {
    const n = seen.push(opus.length);
    await new Promise((r) => setTimeout(r, 20 - n * 2));
    return Buffer.concat([Buffer.from([0xda, 0x7e, n]), opus]);
  };
  const jobs = [];
  for (let i = 0; i < 8; i++) {
    // Mix transformed and plain sends: all must seal in call order.
    jobs.push(i % 3 === 2 ? sender.send(pcm20[i]) : sender.sendAsync(pcm20[i], { transform }));
  }
  const packets = await Promise.all(jobs);
  let transformed = 0;
  packets.forEach((p, i) => {
    assert.equal(p.readUInt16BE(2), 100 + i, `packet ${i}`);
    assert.equal(p.readUInt32BE(p.length - 4), i + 1);
    const opus = discordOpen(XCHACHA, key, p);
    if (i % 3 === 2) assert.notEqual(opus[0], 0xda);
    else {
      transformed++;
      assert.deepEqual([...opus.subarray(0, 3)], [0xda, 0x7e, transformed]);
    }
  });
  // A failing transform rejects its own packet only.
  const bad = sender.sendAsync(pcm20[9], { transform: () => 'nope' });
  const next = sender.send(pcm20[10]);
  await assert.rejects(bad, { name: 'TypeError', message: 'Expected a Buffer or Uint8Array for the transform result but received "nope" of type string' });
  const p = await next;
  assert.equal(p.readUInt16BE(2), 108);
});

async function loopback(mode, { lossEvery, swapEvery, count, fec }) {
  const sender = new VoiceSender({ ssrc: 31337, mode, key, sequence: 65500, timestamp: 123, bitrate: 64000, fec, packetLoss: fec ? 20 : undefined });
  const receiver = new VoiceReceiver({ mode, key, window: 3 });
  const recv = dgram.createSocket('udp4');
  const send = dgram.createSocket('udp4');
  await new Promise((r) => recv.bind(0, '127.0.0.1', r));
  const port = recv.address().port;
  const out = [];
  receiver.on('frame', (f) => out.push(f));
  const pushes = [];
  let received = 0;
  const allReceived = new Promise((resolve) => {
    recv.on('message', (msg, rinfo) => {
      assert.equal(rinfo.address, '127.0.0.1');
      pushes.push(receiver.push(msg));
      if (++received === expected) resolve();
    });
  });
  const packets = await Promise.all(pcm20.slice(0, count).map((f) => sender.send(f)));
  const wire = packets.filter((_, i) => i % lossEvery !== lossEvery - 1 || i === count - 1);
  for (let i = 1; i + 1 < wire.length; i += swapEvery) [wire[i], wire[i + 1]] = [wire[i + 1], wire[i]];
  const expected = wire.length;
  for (const p of wire) {
    await new Promise((r, j) => send.send(p, port, '127.0.0.1', (e) => (e ? j(e) : r())));
  }
  await allReceived;
  await Promise.all(pushes);
  await receiver.flush();
  const stats = await receiver.stats();
  recv.close();
  send.close();
  sender.destroy();
  receiver.destroy();
  return { out, stats, dropped: count - wire.length };
}

for (const mode of modes) {
  test(`${mode}: sender -> UDP loopback -> receiver recovers audio with loss and reordering`, async () => {
    const count = 100;
    const { out, stats, dropped } = await loopback(mode, { lossEvery: 13, swapEvery: 4, count });
    assert.equal(out.length, count);
    out.forEach((f, i) => {
      assert.equal(f.ssrc, 31337);
      assert.equal(f.sequence, (65500 + i) & 0xffff);
      assert.equal(f.timestamp, 123 + 960 * i);
      assert.equal(f.pcm.length, 3840);
    });
    assert.equal(stats.concealed + stats.recovered, dropped);
    assert.equal(stats.decoded, count - dropped);
    assert.equal(stats.late, 0);
    const input = Buffer.concat(pcm20.slice(0, count));
    const output = Buffer.concat(out.map((f) => f.pcm));
    const db = snr(input, output, 2);
    assert.ok(db > 8, `SNR ${db.toFixed(1)} dB`);
  });
}

test('with FEC on, a lost frame is recovered from the next packet', async () => {
  const { out, stats } = await loopback(XCHACHA, { lossEvery: 10, swapEvery: 1000, count: 40, fec: true });
  assert.equal(out.length, 40);
  assert.ok(stats.recovered >= 3, JSON.stringify(stats));
  assert.equal(out[9].kind, 'recovered');
});

test('receiver transform seam (open -> JS -> decode) keeps order and rejects bad packets', async () => {
  const sender = new VoiceSender({ ssrc: 9, mode: XCHACHA, key, sequence: 0, timestamp: 0 });
  const receiver = new VoiceReceiver({ mode: XCHACHA, key, window: 0, channels: 1, sampleRate: 24000 });
  const packets = await Promise.all(pcm20.slice(0, 6).map((f) => sender.send(f)));
  const infos = [];
  const transform = async (opus, info) => {
    infos.push(info.sequence);
    await new Promise((r) => setTimeout(r, 10 - info.sequence));
    return opus;
  };
  const results = await Promise.all(packets.map((p) => receiver.push(p, { transform })));
  const flat = results.flat();
  assert.deepEqual(flat.map((f) => f.sequence), [0, 1, 2, 3, 4, 5]);
  assert.ok(flat.every((f) => f.kind === 'decoded' && f.pcm.length === 480 * 2));
  assert.deepEqual(infos, [0, 1, 2, 3, 4, 5]);
  const bad = Buffer.from(packets[0]);
  bad[bad.length - 10] ^= 1;
  await assert.rejects(receiver.push(bad), { name: 'VoxpoolError', code: 'ERR_VOXPOOL_CRYPTO_AUTH_FAILED' });
  await assert.rejects(receiver.push(bad, { transform }), { code: 'ERR_VOXPOOL_CRYPTO_AUTH_FAILED' });
  await assert.rejects(receiver.push(Buffer.alloc(5)), { code: 'ERR_VOXPOOL_MALFORMED_PACKET' });
  const frame = parseRtpPacket(new VoiceCipher(XCHACHA, key).open(packets[0]));
  assert.equal(frame.ssrc, 9);
});

test('invalid pipeline arguments', async () => {
  const cases = [
    [() => new VoiceSender({ mode: XCHACHA, key }), TypeError, 'Expected an integer between 0 and 4294967295 for ssrc but received undefined of type undefined'],
    [() => new VoiceSender({ ssrc: 1, mode: 'plain', key }), RangeError, "Expected one of 'aead_aes256_gcm_rtpsize', 'aead_xchacha20_poly1305_rtpsize' for mode but received \"plain\" of type string"],
    [() => new VoiceSender({ ssrc: 1, mode: XCHACHA, key: Buffer.alloc(8) }), RangeError, 'Expected a 32-byte Buffer or Uint8Array for key but received Buffer(8) of type Buffer'],
    [() => new VoiceSender({ ssrc: 1, mode: XCHACHA, key, sequence: 65536 }), RangeError, 'Expected an integer between 0 and 65535 for sequence but received 65536 of type number'],
    [() => new VoiceSender({ ssrc: 1, mode: XCHACHA, key, channels: 3 }), RangeError, 'Expected one of 1, 2 for channels but received 3 of type number'],
    [() => new VoiceReceiver({ mode: XCHACHA, key, window: 65 }), RangeError, 'Expected an integer between 0 and 64 for window but received 65 of type number'],
    [() => new VoiceReceiver({ mode: XCHACHA, key, sampleRate: 44100 }), RangeError, 'Expected one of 8000, 12000, 16000, 24000, 48000 for sampleRate but received 44100 of type number'],
  ];
  const sender = new VoiceSender({ ssrc: 1, mode: XCHACHA, key });
  cases.push(
    [() => sender.send(Buffer.alloc(100)), RangeError, 'Expected one whole Opus frame of 48 kHz s16 PCM (20 ms = 3840 bytes) for pcm but received Buffer(100) of type Buffer'],
    [() => sender.send(new Float32Array(1920)), TypeError, 'Expected s16 PCM as a Buffer or Int16Array for pcm but received Float32Array(1920) of type Float32Array'],
    [() => sender.sendAsync(pcm20[0], { transform: 1 }), TypeError, 'Expected a function for options.transform but received 1 of type number'],
    [() => sender.silence(0), RangeError, 'Expected an integer between 1 and 1000 for count but received 0 of type number'],
  );
  for (const [fn, type, message] of cases) {
    assert.throws(fn, (err) => err instanceof type && err.message === message, message);
  }
  sender.destroy();
  const destroyed = { name: 'VoxpoolError', code: 'ERR_VOXPOOL_DESTROYED', message: 'The voice sender has been destroyed' };
  // Promise-returning methods reject after destroy() (docs/LIMITS.md); bad arguments still throw.
  await assert.rejects(sender.send(pcm20[0]), destroyed);
  await assert.rejects(sender.sendAsync(pcm20[0], { transform: (o) => o }), destroyed);
  await assert.rejects(sender.silence(), destroyed);
  assert.throws(() => sender.silence(0), RangeError);
});
