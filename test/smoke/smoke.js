'use strict';
// Smoke test for an installed voxpool (fresh machine, qemu-user, Bun): run with the project that
// installed it as the working directory. Encodes and decodes (sync and on the pool), seals and
// opens an RTP packet in both Discord modes (AES-GCM only where the CPU has it), mixes two sources
// including a resampled one, and prints voxpool.report() as one JSON line. Exits non-zero on the
// first failure.
const assert = require('node:assert/strict');
const path = require('node:path');
const { createRequire } = require('node:module');

const voxpool = createRequire(path.join(process.cwd(), 'noop.js'))('voxpool');

async function main() {
  const frame = Buffer.alloc(960 * 2 * 2);
  for (let i = 0; i < 960; i++) {
    const s = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 48000));
    frame.writeInt16LE(s, i * 4);
    frame.writeInt16LE(s, i * 4 + 2);
  }
  const encoder = new voxpool.Encoder({ sampleRate: 48000, channels: 2, bitrate: 64000 });
  const decoder = new voxpool.Decoder({ sampleRate: 48000, channels: 2 });
  const packet = encoder.encode(frame);
  assert.ok(packet.length > 0 && packet.length < 1276, `packet of ${packet.length} bytes`);
  assert.equal(decoder.decode(packet).length, frame.length);
  const packets = await encoder.encodeBatch([frame, frame, frame]);
  assert.equal(packets.length, 3);
  const pcm = await decoder.decodeAsync(packets[2]);
  assert.equal(pcm.length, frame.length);
  let energy = 0;
  for (let i = 0; i < pcm.length; i += 2) energy += Math.abs(pcm.readInt16LE(i));
  assert.ok(energy / (pcm.length / 2) > 1000, 'the tone survives the round trip');

  const modes = voxpool.VOICE_MODES.filter((m) => m !== 'aead_aes256_gcm_rtpsize' || voxpool.voiceCrypto.AES_GCM_AVAILABLE);
  for (const mode of modes) {
    const key = Buffer.alloc(32, 7);
    const rtp = voxpool.createRtpPacket({ sequence: 1, timestamp: 960, ssrc: 42 }, packet);
    const sealed = new voxpool.VoiceCipher(mode, key).seal(rtp);
    assert.deepEqual(new voxpool.VoiceCipher(mode, key).open(sealed), rtp, mode);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 6] ^= 1;
    assert.throws(() => new voxpool.VoiceCipher(mode, key).open(tampered), { code: 'ERR_VOXPOOL_CRYPTO_AUTH_FAILED' });
  }

  const mixer = new voxpool.Mixer({ sampleRate: 48000, channels: 2, frameSize: 960, format: 's16le' });
  const a = mixer.addSource({});
  const b = mixer.addSource({ sampleRate: 16000, channels: 1 });
  mixer.push(a, frame);
  mixer.push(b, Buffer.alloc(320 * 2, 1));
  assert.equal(mixer.mix().length, frame.length);
  mixer.push(a, frame);
  assert.equal((await mixer.mixAsync()).length, frame.length);

  // The linked-in libraries: speech clean-up (libwebrtc-audio-processing, static) and the filters
  // (libSoundTouch and libebur128, bundled).
  const speech = new voxpool.SpeechProcessor({ echoCancellation: 'low' });
  speech.processReverse(Buffer.alloc(640));
  const cleaned = await speech.processAsync(Buffer.alloc(640, 1));
  assert.equal(cleaned.pcm.length, 640);
  speech.destroy();
  const chain = new voxpool.FilterChain({ filters: { timescale: { speed: 1.25 }, loudness: {} } });
  assert.ok(Buffer.isBuffer(chain.process(frame)));
  chain.destroy();

  const report = voxpool.report();
  console.log(JSON.stringify({ ok: true, modes, report }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
