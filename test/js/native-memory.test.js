'use strict';
// Every class that owns native memory reports it to V8 when created and takes it back when
// destroyed (or collected): stats().environment.nativeBytes follows, exactly. The sizes come from
// the core (libopus's own state sizes, the mixer's buffers, soxr's measured bound).
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const voxpool = require('../..');

const KEY = Buffer.alloc(32, 5);
const MODE = 'aead_xchacha20_poly1305_rtpsize';
const FRAME = Buffer.alloc(3840);
const nativeBytes = () => voxpool.stats().environment.nativeBytes;

// [class, make, smallest plausible size in bytes]
const CLASSES = [
  ['Encoder', () => new voxpool.Encoder(), 20000],
  ['Decoder', () => new voxpool.Decoder(), 15000],
  ['Resampler', () => new voxpool.Resampler({ inputRate: 48000, outputRate: 16000 }), 200000],
  ['Mixer', () => new voxpool.Mixer(), 100000],
  ['SpeakerMixer', () => new voxpool.SpeakerMixer(), 100000],
  ['VoiceCipher', () => new voxpool.VoiceCipher(MODE, KEY), 100],
  ['VoiceSender', () => new voxpool.VoiceSender({ ssrc: 1, mode: MODE, key: KEY }), 20000],
  ['VoiceReceiver', () => new voxpool.VoiceReceiver({ mode: MODE, key: KEY }), 100],
  ['SecretStreamEncryptor', () => new voxpool.SecretStreamEncryptor(KEY), 50],
];

for (const [name, make, atLeast] of CLASSES) {
  test(`${name} reports its native memory when created and returns it on destroy()`, () => {
    const before = nativeBytes();
    const object = make();
    const size = nativeBytes() - before;
    assert.ok(size >= atLeast, `${name} reports ${size} bytes`);
    const second = make();
    assert.equal(nativeBytes() - before, 2 * size, 'two objects, twice the memory');
    object.destroy();
    assert.equal(nativeBytes() - before, size);
    object.destroy();  // idempotent: reported once
    assert.equal(nativeBytes() - before, size);
    second.destroy();
    assert.equal(nativeBytes(), before);
  });
}

test('a Resampler reports the output buffer it grows to, and destroy() frees it all', () => {
  const before = nativeBytes();
  const r = new voxpool.Resampler({ inputRate: 16000, outputRate: 48000, channels: 2, format: 'f32le' });
  const created = nativeBytes() - before;
  r.process(new Float32Array(16000 * 2));  // one second in: three seconds of room out
  assert.ok(nativeBytes() - before >= created + 48000 * 2 * 4, 'the output buffer is counted');
  r.destroy();
  assert.equal(nativeBytes(), before);
  assert.throws(() => r.process(new Float32Array(2)), { name: 'VoxpoolError', code: 'ERR_VOXPOOL_DESTROYED', message: 'The resampler has been destroyed' });
});

test("a FilterChain reports loudness's meter (libebur128, about 1 MiB) once loudness is asked for, and destroy() frees it all", () => {
  const before = nativeBytes();
  const chain = new voxpool.FilterChain({ filters: { volume: 0.5 } });
  const created = nativeBytes() - before;
  assert.ok(created > 0 && created < 200000, `a chain without loudness reports ${created} bytes`);
  chain.setFilters({ loudness: {} });
  assert.ok(nativeBytes() - before >= created + 1000000, `with loudness: ${nativeBytes() - before} bytes`);
  chain.setFilters({});  // off again: the meter stays for the next time
  assert.ok(nativeBytes() - before >= created + 1000000);
  chain.destroy();
  assert.equal(nativeBytes(), before);
  const born = new voxpool.FilterChain({ filters: { loudness: {} } });
  assert.ok(nativeBytes() - before >= 1000000, 'made at creation when the first filters have loudness');
  born.destroy();
  assert.equal(nativeBytes(), before);
});

test('a VoiceReceiver grows by a decoder per speaker', async () => {
  const sender = new voxpool.VoiceSender({ ssrc: 7, mode: MODE, key: KEY });
  const sender2 = new voxpool.VoiceSender({ ssrc: 8, mode: MODE, key: KEY });
  const receiver = new voxpool.VoiceReceiver({ mode: MODE, key: KEY });
  const before = nativeBytes();
  await receiver.push(await sender.sendAsync(FRAME));
  await receiver.push(await sender2.sendAsync(FRAME));
  await receiver.stats();  // one more submission reports the size after the two pushes
  assert.ok(nativeBytes() - before >= 2 * 15000, `grew ${nativeBytes() - before} bytes for two speakers`);
  for (const o of [sender, sender2, receiver]) o.destroy();
});

test('objects left to the collector give their memory back when collected', () => {
  // In a child with --expose-gc: collection is forced, and finalizers run from the loop.
  const script = `
    const voxpool = require(${JSON.stringify(require.resolve('../..'))});
    const nativeBytes = () => voxpool.stats().environment.nativeBytes;
    const before = nativeBytes();
    (() => { for (let i = 0; i < 10; i++) new voxpool.Encoder(); })();
    const held = nativeBytes() - before;
    (async () => {
      for (let i = 0; i < 10 && nativeBytes() > before; i++) {
        global.gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      console.log(JSON.stringify({ held, left: nativeBytes() - before }));
    })();`;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  const { held, left } = JSON.parse(r.stdout);
  assert.ok(held >= 10 * 20000, `ten encoders reported ${held} bytes`);
  assert.equal(left, 0);
});
