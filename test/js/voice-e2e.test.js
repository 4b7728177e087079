'use strict';
// End to end through the real @discordjs/voice (0.19 and 0.18): joinVoiceChannel with a stub
// gateway adapter connects to the loopback voice server (test/js/voice-server/: gateway over
// TLS, IP discovery, Session Description with a random key); an AudioPlayer plays 10 s of a
// known sine encoded by voxpool's OpusEncoderStream; the server opens every packet with the
// session key (each guild forced to one of the two modes), decodes it with voxpool, and checks
// cadence, RTP continuity, the audio itself and the silence frames at the end. The server also
// plays another user back, and @discordjs/voice's receiver must yield those packets unchanged.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Encoder } = require('../../lib/opus');
const {
  playToVoiceServer, continuityOf, silenceOf, decodeOpus, fitSines, sinePcm, SINE, GCM, XCHACHA,
} = require('./voice-server');

const DURATION_MS = 10000;
const FRAMES = DURATION_MS / 20;
// @discordjs/voice pads a track with 5 silence frames but sends only 4: the player prepares the
// fifth, finds the resource no longer readable on the next cycle, goes idle, and never
// dispatches it (AudioPlayer.checkPlayable before _stepDispatch; 0.18.0 and 0.19.2 alike).
const SILENCE_FRAMES_SENT = 4;
const HEARTBEAT_MS = 1000;
const SPEAKER = { userId: '900000000000000002', ssrc: 424242 };

/** 1 s of another sine, as the Opus packets the server plays back as SPEAKER. */
function playbackPackets() {
  const signal = { sampleRate: 48000, frequencies: [300, 500], amplitude: 0.3 };
  const encoder = new Encoder({ sampleRate: 48000, channels: 2 });
  const packets = Array.from({ length: 50 }, (_, k) => encoder.encode(sinePcm(signal, k * 960, 960)));
  encoder.destroy();
  return packets;
}

const VERSIONS = [
  // 0.19 declares engines.node >= 22.12 but runs this path on Node 20 as well (DAVE is not
  // negotiated here); the matrix runs it on 22 and 24 too.
  { name: '0.19', voicePackage: '@discordjs/voice', gateway: 8 },
  { name: '0.18', voicePackage: '@discordjs/voice-0.18', gateway: 4 },
];

for (const version of VERSIONS) {
  test(`@discordjs/voice ${version.name} plays a voxpool OpusEncoderStream to the loopback server in both modes`, { timeout: 45000 }, async (t) => {
    const back = playbackPackets();
    const streamed = [];
    const result = await playToVoiceServer({
      guilds: [GCM, XCHACHA].map((mode, i) => ({
        guildId: `10000000000000000${i}`,
        mode,
        resource: { name: 'voxpoolEncoderStream', options: { durationMs: DURATION_MS } },
        receiveUserId: SPEAKER.userId,
      })),
      serverOptions: { heartbeatIntervalMs: HEARTBEAT_MS },
      // The client subscribed to SPEAKER before its player started, so its first packet is the cue.
      // (Settled here: a failure is asserted on once the run is over, not left unhandled.)
      onSession: (session) => session.once('audio', () => streamed.push(session.streamAs({ ...SPEAKER, packets: back }).catch((err) => err))),
      client: { voicePackage: version.voicePackage, timeoutMs: 35000 },
    });
    assert.deepEqual(await Promise.all(streamed), [back.length, back.length]);
    assert.deepEqual(result.protocolErrors, []);
    const { loopDelayMs } = result.client;
    const waited = (l) => (l.waitMs[l.waitMs.length - 1] - l.waitMs[0]).toFixed(0);
    t.diagnostic(`client: @discordjs/voice ${result.client.voiceVersion} on Node ${result.client.nodeVersion}; main threads `
      + `waited for a CPU ${waited(result.client.loop)} ms (client), ${waited(result.serverLoop)} ms (server)`);

    for (const [i, guild] of result.guilds.entries()) {
      const mode = i === 0 ? GCM : XCHACHA;
      await t.test(mode, () => {
        const { session, timing, client } = guild;
        assert.deepEqual(client.errors, [], (client.debug ?? []).join('\n'));
        assert.deepEqual(client.states.map((s) => s.status), ['buffering', 'playing', 'idle']);
        assert.deepEqual(session.errors, []);

        // Gateway: what the adapter handed over, the mode forced, heartbeats answered.
        assert.equal(session.version, version.gateway);
        assert.deepEqual(
          [session.identify.server_id, session.identify.session_id, session.identify.token],
          [guild.guildId, `session-${guild.guildId}`, `token-${guild.guildId}`],
        );
        assert.equal(session.mode, mode);
        // Select Protocol reports the address IP discovery told the client.
        assert.deepEqual(session.selected, { ...session.clientAddress, mode });
        assert.ok(session.heartbeats.length >= DURATION_MS / HEARTBEAT_MS / 2, `${session.heartbeats.length} heartbeats`);
        if (version.gateway >= 8) {
          // seq_ack follows the server's numbering (Ready 1, Session Description 2, the
          // SPEAKER's Speaking 3): never ahead of it, and caught up by the last heartbeat.
          const acks = session.heartbeats.map(({ d, lastSeq }) => {
            assert.ok(Number.isInteger(d.t) && d.seq_ack >= 1 && d.seq_ack <= lastSeq, JSON.stringify({ d, lastSeq }));
            return d.seq_ack;
          });
          assert.deepEqual(acks, [...acks].sort((a, b) => a - b));
          assert.equal(acks.at(-1), 3);
        } else {
          for (const { d } of session.heartbeats) assert.ok(Number.isInteger(d), JSON.stringify(d));
        }
        assert.ok(session.keepAlives >= 1);
        assert.deepEqual(session.speaking.map((s) => s.d), [
          { speaking: 1, delay: 0, ssrc: session.ssrc },
          { speaking: 0, delay: 0, ssrc: session.ssrc },
        ]);

        // RTP: every packet opened, in order, nonces from 1.
        const packets = session.packets;
        assert.deepEqual(continuityOf(packets), { sequenceBreaks: 0, timestampBreaks: 0, nonceBreaks: 0, firstNonce: 1 });
        assert.ok(packets.every((p) => p.ssrc === session.ssrc));
        assert.deepEqual(silenceOf(packets), { trailing: SILENCE_FRAMES_SENT, inner: 0, audio: FRAMES });

        // Cadence on the server's clock. A gap over 40 ms counts against the client unless the
        // client sent on time (delivery was late) or its event loop spent the excess waiting for
        // one of the machine's 2 cores, or oversleeping its timer (other builds and tests share
        // this VM): see timingOf.
        const cadence = `${timing.count} packets, ${timing.packetsPerSecond.toFixed(2)}/s, gap p50 ${timing.p50GapMs.toFixed(1)} ms, `
          + `p99 ${timing.p99GapMs.toFixed(1)} ms, max ${timing.maxGapMs.toFixed(1)} ms, > 40 ms: ${timing.gapsOver40Ms} `
          + `(${timing.clientGapsOver40Ms} the client's); client loop delay `
          + `p99 ${loopDelayMs.p99.toFixed(1)} ms, max ${loopDelayMs.max.toFixed(1)} ms`;
        const longGaps = timing.longGaps.map((g) => `${mode}: gap ${g.gapMs.toFixed(1)} ms before packet ${g.index} (${g.cause}): `
          + `sent ${g.sendGapMs.toFixed(1)} ms apart; client main thread ran ${g.client.cpuMs.toFixed(1)} ms, waited for a CPU `
          + `${g.client.waitMs.toFixed(1)} ms, slept ${g.client.sleptMs.toFixed(1)} ms; server ran ${g.server.cpuMs.toFixed(1)} ms, waited ${g.server.waitMs.toFixed(1)} ms`);
        t.diagnostic(`${mode}: ${cadence}`);
        for (const line of longGaps) t.diagnostic(line);
        assert.ok(Math.abs(timing.packetsPerSecond - 50) < 1, cadence);
        assert.equal(timing.clientGapsOver40Ms, 0, [cadence, ...longGaps].join('\n'));

        // Audio: the source sine on each channel, no frame lost, repeated or concealed (the first
        // frames are the codec's start-up and delay).
        const fits = fitSines(decodeOpus(packets), SINE, 5, FRAMES);
        t.diagnostic(`${mode}: SNR ${fits.map((f) => `${f.frequency} Hz ${f.snrDb.toFixed(1)} dB (worst frame ${f.worstFrameSnrDb.toFixed(1)})`).join(', ')}`);
        for (const fit of fits) {
          assert.ok(Math.abs(fit.amplitude - SINE.amplitude) < 0.05, `${fit.frequency} Hz amplitude ${fit.amplitude}`);
          assert.ok(fit.snrDb > 25, `${fit.frequency} Hz SNR ${fit.snrDb} dB`);
          assert.ok(fit.worstFrameSnrDb > 20, `${fit.frequency} Hz worst frame ${fit.worstFrameSnrDb} dB`);
        }

        // Receive: what the server sent as SPEAKER, exactly, through @discordjs/voice's receiver.
        assert.deepEqual(client.received, back.map((p) => p.toString('base64')));
      });
    }
  });
}
