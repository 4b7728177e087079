'use strict';
// Packets from voxpool decode with @discordjs/opus and opusscript, and theirs decode with
// voxpool, at the rates and layouts bots and gateways use.
const test = require('node:test');
const assert = require('node:assert/strict');
const { OpusEncoder: DjsOpus } = require('@discordjs/opus');
const OpusScript = require('opusscript');
const { Encoder, Decoder } = require('../..');
const { frames, snr } = require('./helpers');

const LAYOUTS = [[48000, 2], [48000, 1], [24000, 1], [16000, 1], [8000, 1]];

for (const [rate, channels] of LAYOUTS) {
  const fs = rate / 50;
  const input = frames(rate, channels, fs, 40);
  const whole = Buffer.concat(input);

  test(`voxpool -> @discordjs/opus and opusscript (${rate} Hz x${channels})`, () => {
    const enc = new Encoder({ sampleRate: rate, channels, bitrate: 48000 * channels });
    const packets = input.map((f) => enc.encode(f));
    const djs = new DjsOpus(rate, channels);
    const djsOut = Buffer.concat(packets.map((p) => djs.decode(p)));
    assert.ok(snr(whole, djsOut, channels, 800) > 10);
    const os = new OpusScript(rate, channels, OpusScript.Application.AUDIO);
    try {
      const osOut = Buffer.concat(packets.map((p) => Buffer.from(os.decode(p))));
      assert.ok(snr(whole, osOut, channels, 800) > 10);
    } finally {
      os.delete();
    }
  });

  test(`@discordjs/opus and opusscript -> voxpool (${rate} Hz x${channels})`, async () => {
    const djs = new DjsOpus(rate, channels);
    djs.setBitrate(48000 * channels);
    const dec = new Decoder({ sampleRate: rate, channels });
    const fromDjs = Buffer.concat(input.map((f) => dec.decode(djs.encode(f))));
    assert.ok(snr(whole, fromDjs, channels, 800) > 10);
    const os = new OpusScript(rate, channels, OpusScript.Application.AUDIO);
    try {
      const packets = input.map((f) => Buffer.from(os.encode(f, fs)));
      const dec2 = new Decoder({ sampleRate: rate, channels });
      const fromOs = Buffer.concat(await dec2.decodeBatch(packets));
      assert.ok(snr(whole, fromOs, channels, 800) > 10);
    } finally {
      os.delete();
    }
  });
}

test('voxpool and @discordjs/opus decode the same packets to near-identical PCM', () => {
  const enc = new Encoder({ bitrate: 64000 });
  const packets = frames(48000, 2, 960, 30).map((f) => enc.encode(f));
  const djs = new DjsOpus(48000, 2);
  const dec = new Decoder();
  const a = Buffer.concat(packets.map((p) => djs.decode(p)));
  const b = Buffer.concat(packets.map((p) => dec.decode(p)));
  // Both run the normative decoder; the bundled libopus versions differ in float rounding only,
  // so the two outputs agree far beyond what any codec error would allow (no delay: maxDelay 0).
  const agreement = snr(a, b, 2, 0);
  assert.ok(agreement > 40, `agreement ${agreement.toFixed(1)} dB`);
});
