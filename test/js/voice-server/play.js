'use strict';
// One call for a test or a benchmark: play a resource on N guilds through the real
// @discordjs/voice to a loopback server, and get back what the server received per guild.
const { startVoiceServer } = require('./server');
const { runVoiceClient } = require('./client');
const { timingOf } = require('./analysis');
const { watchLoop } = require('./loop-watch');

/**
 * @param {object} options
 * @param {{ guildId: string, mode?: string, resource: { name: string, options?: object },
 *   receiveUserId?: string }[]} options.guilds `mode` forces the transport encryption mode
 *   for that guild (ignored when `server` is given: its own `mode` option decides)
 * @param {import('./server').VoiceServer} [options.server] reuse a running server (left open)
 * @param {Parameters<typeof startVoiceServer>[0]} [options.serverOptions] for the server made
 *   here (its `mode` comes from `guilds`)
 * @param {(session: import('./session').VoiceSession) => void} [options.onSession] called on
 *   each Identify, e.g. to play audio back to the client
 * @param {Omit<Parameters<typeof runVoiceClient>[0], 'server' | 'guilds'>} [options.client]
 *   voicePackage, resourceModule, execPath, timeouts
 * @returns {Promise<{ client: Awaited<ReturnType<typeof runVoiceClient>>, guilds: {
 *   guildId: string, session: import('./session').VoiceSession, timing: ReturnType<typeof timingOf>,
 *   client: object }[], serverLoop: import('./loop-watch').LoopSamples,
 *   protocolErrors: { at: number, reason: string }[] }>} the sessions'
 *   records (packets, errors, heartbeats, speaking) stay readable after the server closes
 */
async function playToVoiceServer({ guilds, server: given, serverOptions = {}, onSession, client = {} }) {
  const modes = new Map(guilds.map((g) => [g.guildId, g.mode]));
  const server = given ?? await startVoiceServer({ ...serverOptions, mode: (identify) => modes.get(identify.server_id) });
  if (onSession) server.on('session', onSession);
  const watch = watchLoop();
  let serverLoop;
  try {
    const report = await runVoiceClient({
      ...client,
      server,
      guilds: guilds.map(({ mode, ...plan }) => plan),
    }).finally(() => { serverLoop = watch.stop(); });
    return {
      client: report,
      serverLoop,
      protocolErrors: [...server.protocolErrors],
      guilds: guilds.map(({ guildId }) => {
        const session = server.sessionFor(guildId);
        return {
          guildId,
          session,
          timing: timingOf(session?.packets ?? [], { sent: report.sent[session?.ssrc], clientLoop: report.loop, serverLoop }),
          client: report.guilds.find((g) => g.guildId === guildId),
        };
      }),
    };
  } finally {
    if (onSession) server.off('session', onSession);
    if (given === undefined) await server.close();
  }
}

module.exports = { playToVoiceServer };
