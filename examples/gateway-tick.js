'use strict';
// A voice gateway's 20 ms tick: many streams encoded in one call (encodeMany), plus decoding of
// the packets that came in, all on the voxpool pool. Generates its own audio; no network.
//   node examples/gateway-tick.js [streams=100] [seconds=3]
const voxpool = require('..');

const streams = Number(process.argv[2] || 100);
const seconds = Number(process.argv[3] || 3);
const sampleRate = 24000; // e.g. device audio at 24 kHz mono
const frame = sampleRate / 50;

const encoders = Array.from({ length: streams }, () => new voxpool.Encoder({ sampleRate, channels: 1, bitrate: 24000, application: 'voip' }));
const decoders = Array.from({ length: streams }, () => new voxpool.Decoder({ sampleRate: 16000, channels: 1 }));
const pcm = encoders.map((_, s) => {
  const buf = Buffer.alloc(frame * 2);
  for (let i = 0; i < frame; i++) buf.writeInt16LE(Math.round(6000 * Math.sin((2 * Math.PI * (200 + s) * i) / sampleRate)), i * 2);
  return buf;
});

let ticks = 0;
let late = 0;
const timer = setInterval(async () => {
  const due = performance.now();
  const packets = await voxpool.encodeMany(encoders, pcm);
  await voxpool.decodeMany(decoders, packets); // a 24 kHz packet decodes at any Opus rate
  if (performance.now() - due > 20) late++;
  if (++ticks === seconds * 50) {
    clearInterval(timer);
    const s = voxpool.stats();
    console.log(`${streams} streams, ${ticks} ticks, ${late} late; pool: ${s.completed} jobs, service p50 ${s.serviceTime.p50.toFixed(0)} us, queue wait p99 ${s.queueWait.p99.toFixed(0)} us`);
  }
}, 20);
