'use strict';
// voxpool/voice createUtteranceReceiver against the real @discordjs/voice VoiceReceiver (0.19 and
// 0.18): two users speak espeak-ng sentences at once, as Discord sends them (Opus, sealed, every
// 20 ms, nothing while silent); each user's utterance comes out tagged with their id, as long as
// what they said, decoded at 16 kHz mono.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { setTimeout: sleep } = require('node:timers/promises');
const voxpool = require('voxpool');
const voxVoice = require('voxpool/voice');

const VERSIONS = [
  ['0.19.2', require('@discordjs/voice')],
  ['0.18.0', require('@discordjs/voice-0.18')],
];
const { KEY, sealAll, every20ms } = require('./helpers');

// espeak-ng speech as 48 kHz stereo s16le (what a Discord client encodes), and its length in ms.
// Not under the sanitizer build's LD_PRELOAD (scripts/js-sanitize.sh): espeak-ng hangs under it.
function speech(text, voice) {
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  const wav = spawnSync('espeak-ng', ['-v', voice, '--stdout', text], { env, timeout: 60000, maxBuffer: 1 << 26 });
  assert.equal(wav.status, 0, `espeak-ng: ${wav.error || wav.stderr}`);
  const raw = spawnSync('sox', ['-t', 'wav', '-', '-t', 'raw', '-r', '48000', '-c', '2', '-b', '16', '-e', 'signed', '-'],
    { env, input: wav.stdout, timeout: 60000, maxBuffer: 1 << 27 });
  assert.equal(raw.status, 0, `sox: ${raw.error || raw.stderr}`);
  return raw.stdout;
}

/** Opus packets of the speech, 20 ms each, as a client sends them. */
function packetsOf(pcm) {
  const enc = new voxpool.Encoder({ bitrate: 64000 });
  const out = [];
  for (let at = 0; at + 3840 <= pcm.length; at += 3840) out.push(enc.encode(pcm.subarray(at, at + 3840)));
  enc.destroy();
  return out;
}

const alice = speech('Turn on the kitchen lights please.', 'en-us');
const bob = speech('What is the weather like tomorrow?', 'en-us+f3');

for (const [version, voice] of VERSIONS) {
  test(`${version}: createUtteranceReceiver gives each speaker's utterance, tagged, at 16 kHz mono`, async () => {
    const receiver = new voice.VoiceReceiver({ state: { status: 'signalling' } });
    receiver.connectionData = { encryptionMode: 'aead_aes256_gcm_rtpsize', nonceBuffer: Buffer.alloc(12), secretKey: KEY };
    receiver.ssrcMap.update({ userId: 'alice', audioSSRC: 111 });
    receiver.ssrcMap.update({ userId: 'bob', audioSSRC: 222 });
    const a = sealAll(111, packetsOf(alice));
    const b = sealAll(222, packetsOf(bob));
    const got = [];
    const events = [];
    const u = voxVoice.createUtteranceReceiver(receiver, { hangoverMs: 300, speech: { gainControl: false } });
    u.on('data', (x) => got.push(x));
    u.on('speechstart', (e) => events.push(['start', e.userId]));
    u.on('speechend', (e) => events.push(['end', e.userId]));
    await every20ms(Math.max(a.length, b.length), (i) => {
      if (i < a.length) receiver.onUdpMessage(a[i]);
      if (i < b.length) receiver.onUdpMessage(b[i]);
    });
    // Nothing more is sent: after hangoverMs of it the utterances end by themselves.
    for (let waited = 0; got.length < 2 && waited < 3000; waited += 50) await sleep(50);  // eslint-disable-line no-await-in-loop
    assert.deepEqual(got.map((x) => x.userId).sort(), ['alice', 'bob'], JSON.stringify(got.map((x) => [x.userId, x.startMs, x.endMs])));
    for (const x of got) {
      const spoken = (x.userId === 'alice' ? alice : bob).length / 192;  // ms of the sentence
      const heard = x.endMs - x.startMs;
      // espeak-ng's own leading and trailing silence is part of `spoken`; the utterance is the speech.
      assert.ok(heard > spoken - 400 && heard <= spoken, `${x.userId}: ${heard} ms heard of ${spoken.toFixed(0)} ms sent`);
      assert.equal(x.pcm.length, (heard + x.preRollMs) * 32, '16 kHz mono s16le');
    }
    assert.deepEqual(events.filter((e) => e[1] === 'alice').map((e) => e[0]), ['start', 'end']);
    const ended = new Promise((resolve) => u.once('end', resolve));
    u.end();
    u.resume();
    await ended;
    assert.ok(!receiver.subscriptions.has('alice') && !receiver.subscriptions.has('bob'), 'subscriptions closed');
  });
}

test('createUtteranceReceiver refuses bad arguments before subscribing, with exact messages', () => {
  const voice = VERSIONS[0][1];
  const receiver = new voice.VoiceReceiver({ state: { status: 'signalling' } });
  assert.throws(() => voxVoice.createUtteranceReceiver({}), { name: 'TypeError', message: /^Expected a VoiceConnection or VoiceReceiver of @discordjs\/voice for connection but received/ });
  assert.throws(() => voxVoice.createUtteranceReceiver(receiver, { users: ['a', 1] }), { name: 'TypeError', message: /^Expected an array of user ids \(strings\) for options\.users/ });
  assert.throws(() => voxVoice.createUtteranceReceiver(receiver, { sampleRate: 44100 }), { name: 'RangeError', message: /for options\.sampleRate but received 44100/ });
  assert.throws(() => voxVoice.createUtteranceReceiver(receiver, { hangoverMs: 5 }), { name: 'RangeError', message: 'Expected an integer between 20 and 5000 for hangoverMs but received 5 of type number' });
  assert.throws(() => voxVoice.createUtteranceReceiver(receiver, { speech: { vad: 'always' } }), { name: 'RangeError', message: /for vad but received "always"/ });
  assert.equal(receiver.speaking.listenerCount('start'), 0, 'nothing subscribed');
  assert.equal(receiver.subscriptions.size, 0);
});
