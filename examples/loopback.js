'use strict';
// --offline for the voice examples: the real @discordjs/voice talks to the loopback stand-in for
// Discord's voice server in test/js/voice-server/ instead of Discord. The example's process
// starts the server, then runs itself again as a child that trusts the server's certificate
// (NODE_EXTRA_CA_CERTS is read only when a process starts) and joins through a stub gateway
// adapter, which answers a join the way Discord's main gateway would.
const { fork } = require('node:child_process');
const path = require('node:path');

const VOICE_SERVER = path.join(__dirname, '..', 'test', 'js', 'voice-server');
const CHILD_ENV = 'VOXPOOL_LOOPBACK';  // set in the child: the server's endpoint
const GUILD = Object.freeze({ guildId: '100000000000000001', channelId: '100000000000000002', userId: '900000000000000001' });

/** @returns {boolean} whether this process is the child that runs the bot */
function isLoopbackChild() {
  return process.env[CHILD_ENV] !== undefined;
}

/**
 * In the parent: starts the loopback server, runs this script again as the child (same
 * arguments), lets `onSession` drive the server side (e.g. play speakers once the child says
 * 'ready'), and resolves with the sessions once the child has exited.
 * @param {{ onSession?: (session: object, child: import('node:child_process').ChildProcess) => void,
 *   timeoutMs?: number }} [options]
 * @returns {Promise<object[]>} the server's VoiceSessions (packets received, opened and checked)
 */
async function runAgainstLoopback({ onSession, timeoutMs = 60000 } = {}) {
  const { startVoiceServer, GCM } = require(VOICE_SERVER);
  // AES-256-GCM: @discordjs/voice seals it with node:crypto, so no XChaCha library is needed.
  const server = await startVoiceServer({ mode: GCM });
  try {
    const child = fork(process.argv[1], process.argv.slice(2), {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: server.certPath, [CHILD_ENV]: server.endpoint },
      stdio: 'inherit',
    });
    if (onSession) server.on('session', (session) => onSession(session, child));
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the bot was still running after ${timeoutMs} ms`));
      }, timeoutMs);
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`the bot exited with ${code ?? signal}`));
      });
    });
    return [...server.sessions];
  } finally {
    await server.close();
  }
}

/**
 * In the child: what `guild.voiceAdapterCreator` is in discord.js, for the loopback server.
 * @param {{ guildId: string, channelId: string, userId: string }} [guild]
 */
function loopbackAdapterCreator(guild = GUILD) {
  const endpoint = process.env[CHILD_ENV];
  return (methods) => ({
    sendPayload(payload) {
      // Discord answers a voice state update that joins a channel with these two events.
      if (payload.d?.channel_id) {
        setImmediate(() => {
          methods.onVoiceStateUpdate({
            guild_id: guild.guildId, channel_id: guild.channelId, user_id: guild.userId, session_id: `session-${guild.guildId}`,
            deaf: false, mute: false, self_deaf: payload.d.self_deaf, self_mute: payload.d.self_mute,
            self_video: false, suppress: false, request_to_speak_timestamp: null,
          });
          methods.onVoiceServerUpdate({ token: `token-${guild.guildId}`, guild_id: guild.guildId, endpoint });
        });
      }
      return true;
    },
    destroy() {},
  });
}

module.exports = { isLoopbackChild, runAgainstLoopback, loopbackAdapterCreator, GUILD, VOICE_SERVER };
