'use strict';
// Starts the real @discordjs/voice against a loopback VoiceServer in a child process
// (test/js/fixtures/voice-client.js) that trusts the server's certificate.
const { fork } = require('node:child_process');
const path = require('node:path');

const CLIENT = path.join(__dirname, '..', 'fixtures', 'voice-client.js');
const RESOURCES = path.join(__dirname, '..', 'fixtures', 'voice-resources.js');

/**
 * @typedef {object} GuildPlan
 * @property {string} guildId
 * @property {{ name: string, options?: object }} resource an export of `resourceModule`,
 *   called in the client as (voice, options) => AudioResource
 * @property {string} [receiveUserId] subscribe to this user's audio (connection.receiver) and
 *   report the Opus packets received, base64
 * @property {{ userId: string, options?: object }} [receiveDecoded] voxpool/voice's
 *   subscribeDecoded(connection, userId, options): report its frames (kind, sequence, timestamp,
 *   bytes), their PCM (base64), stats, and each packet's arrival time
 * @property {{ options?: object }} [receiveMix] voxpool/voice's createSpeakerMix(connection,
 *   options) while the players run: report its chunks (count, sizes, PCM base64) and users
 */

/**
 * Runs one client process: every guild joins, its player plays its resource; resolves once every
 * player is idle again and the process has exited.
 * @param {object} options
 * @param {import('./server').VoiceServer} options.server
 * @param {GuildPlan[]} options.guilds
 * @param {string} [options.voicePackage='@discordjs/voice'] e.g. '@discordjs/voice-0.18'
 * @param {string} [options.resourceModule] absolute path; default test/js/fixtures/voice-resources.js
 * @param {string} [options.execPath=process.execPath] the node binary for the client
 * @param {string[]} [options.hideModules=['sodium-native']] packages the client's import() must
 *   not find: @discordjs/voice takes sodium-native 4.3 for XChaCha but gets no named exports
 *   from it (see fixtures/hide-modules-hooks.mjs); [] to see that failure
 * @param {number} [options.readyTimeoutMs=10000]
 * @param {number} [options.playTimeoutMs=30000] per player, from play() to idle
 * @param {number} [options.timeoutMs=60000] the whole process
 * @returns {Promise<{ voiceVersion: string, nodeVersion: string,
 *   loopDelayMs: { p50: number, p99: number, max: number }, loop: import('./loop-watch').LoopSamples,
 *   sent: { [ssrc: string]: [sequence: number, at: number][] },
 *   guilds: { guildId: string,
 *   states: { at: number, status: string }[], errors: string[], debug?: string[], received: string[] | null,
 *   decoded: object | null, mixed: object | null }[] }>}
 */
function runVoiceClient(options) {
  const {
    server, guilds, voicePackage = '@discordjs/voice', resourceModule = RESOURCES, execPath = process.execPath,
    readyTimeoutMs = 10000, playTimeoutMs = 30000, timeoutMs = 60000, hideModules = ['sodium-native'],
  } = options;
  const config = {
    endpoint: server.endpoint,
    voicePackage,
    resourceModule,
    hideModules,
    readyTimeoutMs,
    playTimeoutMs,
    guilds: guilds.map((g) => ({
      channelId: `${g.guildId}1`,
      userId: '900000000000000001',
      sessionId: `session-${g.guildId}`,
      token: `token-${g.guildId}`,
      ...g,
    })),
  };
  const child = fork(CLIENT, [], {
    execPath,
    env: { ...process.env, NODE_EXTRA_CA_CERTS: server.certPath },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    cwd: path.join(__dirname, '..', '..', '..'),
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  child.send(config);
  return new Promise((resolve, reject) => {
    let message = null;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`voice client still running after ${timeoutMs} ms\n${output}`));
    }, timeoutMs);
    child.on('message', (m) => { message = m; });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (message?.type === 'result' && code === 0) resolve(message.result);
      else reject(new Error(`voice client exited (${code ?? signal}): ${message?.error ?? 'no result'}\n${output}`));
    });
  });
}

module.exports = { runVoiceClient, RESOURCES };
