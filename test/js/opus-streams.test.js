'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Readable, Writable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const voxpool = require('../..');
const { frames, snr } = require('./helpers');

function collect(out) {
  return new Writable({ objectMode: true, write(chunk, _e, cb) { out.push(chunk); cb(); } });
}

test('encoder stream -> decoder stream round trip, any input chunking, order kept', async () => {
  const input = Buffer.concat(frames(48000, 2, 960, 50));
  const chunks = [];
  for (let i = 0; i < input.length; i += 1777) chunks.push(input.subarray(i, i + 1777));
  const packets = [];
  const enc = voxpool.createEncoderStream({ bitrate: 64000, readAhead: 4 });
  await pipeline(Readable.from(chunks), enc, collect(packets));
  assert.equal(packets.length, 50);
  const expected = (() => { const e = new voxpool.Encoder({ bitrate: 64000 }); return frames(48000, 2, 960, 50).map((f) => e.encode(f)); })();
  assert.deepEqual(packets, expected);
  const pcm = [];
  await pipeline(Readable.from(packets), voxpool.createDecoderStream(), collect(pcm));
  assert.ok(snr(input, Buffer.concat(pcm), 2, 800) > 10);
});

test('a partial last frame is padded; 10 ms frames and mono work', async () => {
  const input = Buffer.concat(frames(16000, 1, 160, 7)).subarray(0, 160 * 2 * 7 - 50);
  const packets = [];
  await pipeline(Readable.from([input]), voxpool.createEncoderStream({ sampleRate: 16000, channels: 1, frameSize: 160 }), collect(packets));
  assert.equal(packets.length, 7);
});

test('the decoder stream conceals an empty Buffer (lost packet)', async () => {
  const enc = new voxpool.Encoder();
  const packets = frames(48000, 2, 960, 5).map((f) => enc.encode(f));
  packets.splice(2, 1, Buffer.alloc(0));
  const pcm = [];
  await pipeline(Readable.from(packets), voxpool.createDecoderStream(), collect(pcm));
  assert.deepEqual(pcm.map((b) => b.length), [3840, 3840, 3840, 3840, 3840]);
});

test('a corrupt packet errors the decoder stream with a VoxpoolError', async () => {
  await assert.rejects(
    pipeline(Readable.from([Buffer.from([0xff, 0xff, 0xff])]), voxpool.createDecoderStream(), collect([])),
    { name: 'VoxpoolError', code: 'ERR_VOXPOOL_OPUS_INVALID_PACKET' },
  );
  await assert.rejects(pipeline(Readable.from([{}]), voxpool.createDecoderStream(), collect([])), { name: 'TypeError' });
});

test('with deadlineMs, frames too late to run are skipped and counted; the stream goes on', async () => {
  const voxpool = require('../..');
  // 4000 frames due now on 8 other encoders hold both workers for hundreds of ms (earliest due
  // first): the stream's first frames, due 0, 20, 40 ms after it starts, start later than that.
  // Submitted as batches: one encodeAsync call at a time took as long as the pool took to encode
  // (350 ms for the 4000 under ASan), so the load was nearly done when the stream started and
  // its frames ran on time (skippedFrames 0 in 1 run of 6 there).
  const pcm = require('./helpers').sineMix(48000, 2, 960);  // music-like: ~0.1 ms a frame
  const busy = Array.from({ length: 8 }, () => new voxpool.Encoder());
  const load = Promise.all(busy.map((e) => e.encodeBatch(Array.from({ length: 500 }, () => pcm))));
  const enc = voxpool.createEncoderStream({ deadlineMs: 1, readAhead: 50, prebuffer: 0 });
  const packets = [];
  enc.on('data', (p) => packets.push(p));
  const done = new Promise((resolve, reject) => { enc.on('end', resolve); enc.on('error', reject); });
  enc.end(Buffer.alloc(3840 * 400, 1));
  await done;
  await load;
  assert.ok(enc.skippedFrames > 0, 'some frames were too late');
  assert.equal(packets.length + enc.skippedFrames, 400);
});

test('stream options are validated', () => {
  assert.throws(() => voxpool.createEncoderStream({ frameSize: 1000 }), { name: 'RangeError', message: 'Expected one of 120, 240, 480, 960, 1920, 2880, 3840, 4800, 5760 for frameSize but received 1000 of type number' });
  assert.throws(() => voxpool.createEncoderStream({ readAhead: 0 }), { name: 'RangeError', message: 'Expected an integer between 1 and 1024 for readAhead but received 0 of type number' });
  assert.throws(() => voxpool.createDecoderStream({ sampleRate: 1 }), { name: 'RangeError' });
});

test('a consumer reading synchronously every tick finds packets ready (read-ahead)', async () => {
  const enc = voxpool.createEncoderStream({ readAhead: 8 });
  const input = frames(48000, 2, 960, 40);
  for (const f of input) enc.write(f);
  enc.end();
  await new Promise((resolve) => setTimeout(resolve, 100));
  let got = 0;
  for (let i = 0; i < 40; i++) {
    // what @discordjs/voice's AudioPlayer does every 20 ms: a synchronous read()
    if (enc.read() !== null) got++;
    else await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(got >= 30, `read ${got} packets synchronously`);
});

for (const [label, chunking] of [['one chunk of 50 frames', 'one'], ['50 writes at once', 'many']]) {
  test(`backpressure with readAhead 2, ${label}: never more than 2 jobs in flight, and the writer waits`, async () => {
    const readAhead = 2;
    const enc = voxpool.createEncoderStream({ readAhead, complexity: 10 });
    const input = frames(48000, 2, 960, 50);
    let maxPending = 0;
    let packets = 0;
    let packetsWhenWritten = -1;
    // Sample the pool queue at every point the stream's state can change.
    const sample = () => { maxPending = Math.max(maxPending, enc.encoder.pending); };
    const timer = setInterval(sample, 0);
    enc.on('data', () => { packets++; sample(); });
    const written = new Promise((resolve) => {
      const done = () => { packetsWhenWritten = packets; resolve(); };
      if (chunking === 'one') enc.write(Buffer.concat(input), done);
      else input.forEach((f, i) => enc.write(f, i === input.length - 1 ? done : undefined));
    });
    sample();
    assert.ok(enc.encoder.pending <= readAhead, `${enc.encoder.pending} queued right after the write`);
    await written;
    enc.end();
    await new Promise((resolve) => enc.on('end', resolve));
    clearInterval(timer);
    assert.equal(packets, 50);
    // In flight (queued, running, or done and waiting to be delivered in order) is at most
    // readAhead, so at most readAhead are queued.
    assert.ok(maxPending <= readAhead, `at most ${readAhead} queued, saw ${maxPending}`);
    assert.ok(packetsWhenWritten >= 50 - readAhead, `the write completed after ${packetsWhenWritten} packets: it waited for room`);
  });
}

test('prebuffer: the first packet is delivered only once prebuffer packets are ready (or the input ends)', async () => {
  // 120 ms frames of noise take about a millisecond each, so without holding back, the first
  // results arrive a few at a time; with a prebuffer, the first delivery brings that many at once.
  const noise = Buffer.alloc(5760 * 4);
  for (let i = 0; i < noise.length; i += 2) noise.writeInt16LE(((i * 7919) % 20001) - 10000, i);
  for (const prebuffer of [3, 6]) {
    const enc = voxpool.createEncoderStream({ readAhead: 8, prebuffer, complexity: 10, frameSize: 5760 });
    let firstBurst = 0;
    const first = new Promise((resolve) => {
      enc.once('data', () => {
        firstBurst = 1;
        enc.on('data', () => { firstBurst++; });
        setImmediate(() => { enc.removeAllListeners('data'); resolve(); });
      });
    });
    for (let i = 0; i < 10; i++) enc.write(noise);
    await first;
    assert.ok(firstBurst >= prebuffer, `prebuffer ${prebuffer}: the first delivery brought ${firstBurst} packets`);
    enc.destroy();
  }
  // Fewer frames than the cushion: everything is delivered when the input ends.
  const short = voxpool.createEncoderStream({ prebuffer: 5 });
  short.end(Buffer.concat(frames(48000, 2, 960, 2)));
  const got = [];
  for await (const p of short) got.push(p);
  assert.equal(got.length, 2);
  // prebuffer is at most readAhead.
  assert.throws(() => voxpool.createDecoderStream({ readAhead: 2, prebuffer: 3 }), {
    name: 'RangeError', message: 'Expected an integer between 0 and 2 for prebuffer but received 3 of type number',
  });
});
