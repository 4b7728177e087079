'use strict';
// DAVE end to end through voxpool's pipelines, with two real @snazzah/davey sessions: the
// VoiceSender's transform seam encrypts each Opus frame with the bot's session before transport
// encryption, and the VoiceReceiver's transform decrypts with the peer's after it.
const test = require('node:test');
const assert = require('node:assert/strict');
const voxpool = require('../..');
const { frames, snr } = require('./helpers');
const { formGroup } = require('./dave-group');

const { VoiceSender, VoiceReceiver, VoiceCipher, Decoder, parseRtpPacket, voiceCrypto } = voxpool;
const KEY = Buffer.alloc(32, 0x42);
const MODES = voiceCrypto.AES_GCM_AVAILABLE ? voiceCrypto.MODES : voiceCrypto.MODES.filter((m) => !m.includes('aes'));

test('the local MLS group is formed and both sessions are ready at epoch 1', () => {
  const { bot, peer } = formGroup();
  assert.equal(bot.ready, true);
  assert.equal(peer.ready, true);
  assert.equal(bot.epoch, 1n);
  assert.equal(peer.epoch, 1n);
});

for (const mode of MODES) {
  test(`${mode}: sendAsync with a DAVE transform → transport open → DAVE decrypt gives the exact Opus packets`, async () => {
    const { bot, peer, botId, audio } = formGroup();
    const sender = new VoiceSender({ ssrc: 4242, mode, key: KEY, sequence: 65530, timestamp: 1000 });
    const cipher = new VoiceCipher(mode, KEY);
    const input = frames(48000, 2, 960, 25);
    const opus = [];
    const packets = await Promise.all(input.map((pcm) => sender.sendAsync(pcm, {
      transform: (o) => {
        opus.push(Buffer.from(o));
        return bot.encryptOpus(o);
      },
    })));
    assert.equal(opus.length, 25);
    const decoder = new Decoder();
    const pcm = [];
    packets.forEach((packet, i) => {
      const rtp = parseRtpPacket(cipher.open(packet));
      assert.equal(rtp.sequence, (65530 + i) & 0xffff, 'in call order');
      assert.equal(rtp.ssrc, 4242);
      assert.deepEqual(rtp.payload.subarray(-2), Buffer.from([0xfa, 0xfa]), 'a DAVE frame (magic marker)');
      assert.notDeepEqual(rtp.payload, opus[i], 'end-to-end encrypted on the wire');
      const clear = peer.decrypt(botId, audio, rtp.payload);
      assert.deepEqual(clear, opus[i], `packet ${i}`);
      pcm.push(decoder.decode(clear));
    });
    assert.ok(snr(Buffer.concat(input), Buffer.concat(pcm), 2) > 10, 'the audio survives');
    for (const o of [sender, cipher, decoder]) o.destroy();
  });

  test(`${mode}: VoiceReceiver with a DAVE decrypt transform decodes what a DAVE sender sealed`, async () => {
    const { bot, peer, botId, audio } = formGroup();
    const sender = new VoiceSender({ ssrc: 99, mode, key: KEY });
    const receiver = new VoiceReceiver({ mode, key: KEY, window: 0 });
    const input = frames(48000, 2, 960, 25);
    const packets = await Promise.all(input.map((pcm) => sender.sendAsync(pcm, { transform: (o) => bot.encryptOpus(o) })));
    const seen = [];
    receiver.on('frame', (f) => seen.push(f));
    for (const p of packets) {
      // eslint-disable-next-line no-await-in-loop
      await receiver.push(p, { transform: (o, info) => {
        assert.equal(info.ssrc, 99);
        return peer.decrypt(botId, audio, o);
      } });
    }
    await receiver.flush();
    assert.equal(seen.length, 25);
    assert.ok(seen.every((f) => f.kind === 'decoded' && f.ssrc === 99));
    assert.ok(snr(Buffer.concat(input), Buffer.concat(seen.map((f) => f.pcm)), 2) > 10);
    for (const o of [sender, receiver]) o.destroy();
  });
}
