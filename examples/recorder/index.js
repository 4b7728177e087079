'use strict';
// A recorder bot on @discordjs/voice with voxpool/voice: one WAV per speaker and one mix, or with
// --ogg one Ogg Opus file per speaker (their packets, not re-encoded) and an encoded mix. See
// README.md.
//   DISCORD_TOKEN=... node examples/recorder [--ogg] [dir]         (discord.js: !record, !stop)
//   node examples/recorder --offline [--ogg] [dir] [seconds]        (loopback server, two speakers)
const fs = require('node:fs');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const voice = require('@discordjs/voice');
const { Recording } = require('./recording');
const { OggRecording } = require('./ogg-recording');
const loopback = require('../loopback');

const PREFIX = '!';

/** @param {string} dir */
function newRecordingDir(dir) {
  const out = path.join(dir, new Date().toISOString().replace(/[:.]/g, '-'));
  fs.mkdirSync(out, { recursive: true });
  return out;
}

// ---- online: discord.js ----

/**
 * Logs in; !record joins the member's voice channel and records into a new folder of `dir`,
 * !stop writes the files and leaves. discord.js is required here only (it is not a dependency of
 * voxpool: `npm install discord.js` in your bot).
 */
async function online(token, dir, Recorder) {
  const { Client, GatewayIntentBits } = require('discord.js');
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
  });
  const recordings = new Map();  // guildId -> { connection, recording }
  client.on('messageCreate', async (message) => {
    if (!message.guild || message.author.bot || !message.content.startsWith(PREFIX)) return;
    const command = message.content.slice(PREFIX.length).trim().split(/\s+/)[0];
    const reply = (text) => message.reply(text).catch(() => {});
    const current = recordings.get(message.guild.id);
    if (command === 'record' && !current) {
      const channel = message.member?.voice.channel;
      if (!channel) return reply('Join a voice channel first.');
      const connection = voice.joinVoiceChannel({
        guildId: channel.guild.id,
        channelId: channel.id,
        selfDeaf: false,  // a deafened bot receives no audio
        // discord.js's gateway adapter: voice state and server updates for this guild.
        adapterCreator: channel.guild.voiceAdapterCreator,
      });
      await voice.entersState(connection, voice.VoiceConnectionStatus.Ready, 20000);
      const out = newRecordingDir(dir);
      recordings.set(message.guild.id, { connection, recording: new Recorder(connection, out) });
      return reply(`Recording ${channel.name} into ${out}.`);
    }
    if (command === 'stop' && current) {
      recordings.delete(message.guild.id);
      const summary = await current.recording.stop();
      current.connection.destroy();
      return reply(`Saved ${summary.users.length} speaker(s) and a mix of ${summary.mixed.seconds.toFixed(1)} s.`);
    }
    return reply(`${PREFIX}record, ${PREFIX}stop`);
  });
  client.once('ready', () => console.log(`logged in as ${client.user.tag}`));
  await client.login(token);
}

// ---- offline: the loopback voice server ----

/** Two users the loopback server plays: a 440 Hz and a 660 Hz tone, 2 s each, overlapping by 1.5 s. */
const SPEAKERS = Object.freeze([
  { userId: '900000000000000011', ssrc: 5011, frequency: 440, startMs: 0 },
  { userId: '900000000000000012', ssrc: 5012, frequency: 660, startMs: 500 },
]);
const SPEAKER_SECONDS = 2;

/** The child: joins, records `seconds`, prints where the files are. */
async function offlineSession(dir, seconds, Recorder) {
  const connection = voice.joinVoiceChannel({
    guildId: loopback.GUILD.guildId,
    channelId: loopback.GUILD.channelId,
    selfDeaf: false,
    adapterCreator: loopback.loopbackAdapterCreator(),
  });
  await voice.entersState(connection, voice.VoiceConnectionStatus.Ready, 20000);
  const recording = new Recorder(connection, newRecordingDir(dir));
  process.send({ type: 'ready' });  // the server starts the speakers now
  await sleep(seconds * 1000);
  const summary = await recording.stop();
  connection.destroy();
  console.log(`recorded ${JSON.stringify(summary)}`);
}

/** The parent: once the bot is recording, the server plays SPEAKERS to it (Opus, 20 ms apart). */
function playSpeakers(session, child) {
  const { Encoder } = require('../..');
  child.on('message', (m) => {
    if (m?.type !== 'ready') return;
    for (const { userId, ssrc, frequency, startMs } of SPEAKERS) {
      const encoder = new Encoder({ sampleRate: 48000, channels: 2 });
      const packets = [];
      for (let f = 0; f < SPEAKER_SECONDS * 50; f++) {
        const pcm = Buffer.alloc(3840);
        for (let i = 0; i < 960; i++) {
          const v = Math.round(0.3 * 32767 * Math.sin((2 * Math.PI * frequency * (f * 960 + i)) / 48000));
          pcm.writeInt16LE(v, i * 4);
          pcm.writeInt16LE(v, i * 4 + 2);
        }
        packets.push(encoder.encode(pcm));
      }
      encoder.destroy();
      setTimeout(() => session.streamAs({ userId, ssrc, packets }).catch((err) => console.error(err)), startMs);
    }
  });
}

async function main() {
  const Recorder = process.argv.includes('--ogg') ? OggRecording : Recording;
  const args = process.argv.slice(2).filter((a) => a !== '--ogg');
  const offline = args[0] === '--offline';
  const dir = path.resolve((offline ? args[1] : args[0]) || 'recordings');
  if (!offline) {
    const token = process.env.DISCORD_TOKEN;
    if (!token) {
      console.error('Set DISCORD_TOKEN to log in, or run with --offline [dir] [seconds] to record two speakers from the loopback voice server.');
      process.exitCode = 2;
      return;
    }
    await online(token, dir, Recorder);
    return;
  }
  const seconds = Number(args[2] || 4);
  if (loopback.isLoopbackChild()) {
    await offlineSession(dir, seconds, Recorder);
    return;
  }
  await loopback.runAgainstLoopback({ onSession: playSpeakers });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
