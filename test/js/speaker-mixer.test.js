'use strict';
// SpeakerMixer from JS: alignment by timestamp with jitter and reordering, loss, late packets,
// per-speaker frames, 16 kHz mono output, async ticks, exact argument messages.
const test = require('node:test');
const assert = require('node:assert/strict');
const { SpeakerMixer, VoxpoolError } = require('../..');

const FRAME = 960;
function packet(value, channels = 1) {
  const b = Buffer.alloc(FRAME * channels * 2);
  for (let i = 0; i < FRAME * channels; i++) b.writeInt16LE(value, i * 2);
  return b;
}
function mono() {
  return new SpeakerMixer({ inputChannels: 1, outputChannels: 1, limiter: false, conceal: 'silence', jitterFrames: 2 });
}

test('packets play in timestamp order after the jitter delay, despite reordering', () => {
  const m = mono();
  const arrivals = [[0], [2, 1], [], [3, 5, 4], [], [], []];
  const got = [];
  for (const batch of arrivals) {
    for (const k of batch) m.push(0xabc, 5000 + k * FRAME, 100 + k, packet(10 * (k + 1)));
    got.push(m.mix().readInt16LE(0));
  }
  assert.deepEqual(got, [0, 0, 10, 20, 30, 40, 50]);
  const st = m.speakerStats(0xabc);
  assert.equal(st.packets, 6);
  assert.equal(st.latePackets, 0);
  assert.equal(st.lostPackets, 0);
});

test('loss is silent or concealed, late packets are dropped and counted', () => {
  for (const conceal of ['silence', 'repeat-fade']) {
    const m = new SpeakerMixer({ inputChannels: 1, outputChannels: 1, limiter: false, conceal, concealFrames: 2, jitterFrames: 1 });
    const got = [];
    for (let k = 0; k < 5; k++) {
      if (k !== 2) m.push(7, k * FRAME, k, packet(1000));
      const out = m.mix();
      got.push(out.readInt16LE((FRAME - 1) * 2));  // last sample of the tick
    }
    m.push(7, 2 * FRAME, 2, packet(1000));  // far too late
    const st = m.speakerStats(7);
    assert.equal(st.latePackets, 1, conceal);
    assert.equal(st.lostPackets, 0, conceal);  // it did arrive, late
    if (conceal === 'silence') {
      assert.deepEqual(got, [0, 1000, 1000, 0, 1000]);
    } else {
      assert.deepEqual(got, [0, 1000, 1000, 500, 1000]);  // half-way through a two-tick fade
      assert.equal(st.concealedTicks, 1);
    }
  }
});

test('two speakers with unrelated timestamps are aligned by arrival and mixed, with per-speaker frames', async () => {
  const m = mono();
  const ticks = [];
  for (let t = 0; t < 8; t++) {
    m.push(1, (0xfffffc00 + t * FRAME) >>> 0, (65534 + t) & 0xffff, packet(100));  // wraps both counters
    if (t >= 3) m.push(2, 777 + (t - 3) * FRAME, t - 3, packet(7));
    ticks.push(t % 2 ? await m.mixAsync({ perSpeaker: true }) : m.mix({ perSpeaker: true }));
  }
  assert.deepEqual(ticks.map((r) => r.mixed.readInt16LE(0)), [0, 0, 100, 100, 100, 107, 107, 107]);
  const last = ticks.at(-1);
  assert.deepEqual(last.speakers.map((s) => [s.ssrc, s.pcm.readInt16LE(0)]), [[1, 100], [2, 7]]);
  assert.deepEqual(m.speakers(), [1, 2]);
  m.removeSpeaker(2);
  assert.deepEqual(m.speakers(), [1]);
});

test('48 kHz stereo speech comes out as 16 kHz mono for speech-to-text', () => {
  const m = new SpeakerMixer({ inputRate: 48000, inputChannels: 2, outputRate: 16000, outputChannels: 1 });
  assert.equal(m.frameBytes, 640);
  let nonSilent = 0;
  for (let k = 0; k < 20; k++) {
    const pcm = Buffer.alloc(FRAME * 4);
    for (let i = 0; i < FRAME; i++) {
      const v = Math.round(8000 * Math.sin(2 * Math.PI * 300 * (k * FRAME + i) / 48000));
      pcm.writeInt16LE(v, i * 4);
      pcm.writeInt16LE(v, i * 4 + 2);
    }
    m.push(99, k * FRAME, k, pcm);
    const out = m.mix();
    assert.equal(out.length, 640);
    let peak = 0;
    for (let i = 0; i < out.length; i += 2) peak = Math.max(peak, Math.abs(out.readInt16LE(i)));
    if (peak > 7000) nonSilent++;
  }
  assert.ok(nonSilent >= 12, `${nonSilent} ticks with speech`);
});

test('destroyed mixers reject async ticks', async () => {
  const m = mono();
  m.destroy();
  await assert.rejects(m.mixAsync(), (err) => err instanceof VoxpoolError && err.code === 'ERR_VOXPOOL_DESTROYED');
  assert.throws(() => m.push(1, 0, 0, packet(1)), (err) => err instanceof VoxpoolError && err.code === 'ERR_VOXPOOL_DESTROYED');
});

test('invalid arguments have exact messages', () => {
  const m = mono();
  const cases = [
    [() => new SpeakerMixer({ jitterFrames: 0 }), RangeError, 'Expected an integer between 1 and 50 for jitterFrames but received 0 of type number'],
    [() => new SpeakerMixer({ conceal: 'plc' }), RangeError, "Expected one of 'repeat-fade', 'silence' for conceal but received \"plc\" of type string"],
    [() => new SpeakerMixer({ outputRate: 44100, frameSize: 100 }), RangeError, 'Expected a frame size spanning a whole number of 48000 Hz samples for frameSize but received 100 of type number'],
    [() => new SpeakerMixer({ idleFrames: 2 }), RangeError, 'Expected an integer between 4 and 1000000 for idleFrames but received 2 of type number'],
    [() => m.push(-1, 0, 0, packet(1)), RangeError, 'Expected an integer between 0 and 4294967295 for ssrc but received -1 of type number'],
    [() => m.push(1, 2 ** 32, 0, packet(1)), RangeError, 'Expected an integer between 0 and 4294967295 for timestamp but received 4294967296 of type number'],
    [() => m.push(1, 0, 65536, packet(1)), RangeError, 'Expected an integer between 0 and 65535 for sequence but received 65536 of type number'],
    [() => m.push(1, 0, 0, Buffer.alloc(0)), RangeError, 'Expected 1 to 5760 whole frames of 2 bytes for pcm but received Buffer(0) of type Buffer'],
    [() => m.mix({ perSpeaker: 1 }), TypeError, 'Expected a boolean for perSpeaker but received 1 of type number'],
  ];
  for (const [fn, type, message] of cases) assert.throws(fn, (err) => err instanceof type && err.message === message, message);
  const full = new SpeakerMixer({ maxSpeakers: 1, inputChannels: 1 });
  full.push(1, 0, 0, packet(1));
  assert.throws(() => full.push(2, 0, 0, packet(1)), (err) => err instanceof VoxpoolError && err.code === 'ERR_VOXPOOL_QUEUE_FULL');
});

test('sequences 65534, 65535, 0, 2 count exactly one lost packet (16-bit wrap)', () => {
  const m = mono();
  for (const k of [0, 1, 2, 4]) m.push(5, (0xffffe000 + k * FRAME) >>> 0, (65534 + k) & 0xffff, packet(10));
  const st = m.speakerStats(5);
  assert.equal(st.packets, 4);
  assert.equal(st.lostPackets, 1);
  m.push(5, (0xffffe000 + 3 * FRAME) >>> 0, 1, packet(10));  // the missing one, late but in time
  assert.equal(m.speakerStats(5).lostPackets, 0);
});
