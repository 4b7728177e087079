'use strict';
// A music bot on @discordjs/voice with voxpool/voice: join, play (a file, a URL or a generated
// tone) with a volume, skip, stop. See README.md.
//   DISCORD_TOKEN=... node examples/music-bot            (discord.js; commands in a text channel)
//   node examples/music-bot --offline [file ...]          (loopback voice server, scripted)
const { setTimeout: sleep } = require('node:timers/promises');
const voice = require('@discordjs/voice');
const { GuildMusic } = require('./music');
const loopback = require('../loopback');

const PREFIX = '!';

// ---- online: discord.js ----

/**
 * Logs in and answers !join, !play <file|url|tone:Hz[:s]>, !volume <0-200>, !skip, !stop, !leave
 * from members in a voice channel. discord.js is required here only (it is not a dependency of
 * voxpool: `npm install discord.js` in your bot).
 */
async function online(token) {
  const { Client, GatewayIntentBits } = require('discord.js');
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
  });
  const guilds = new Map();  // guildId -> GuildMusic
  client.on('messageCreate', async (message) => {
    if (!message.guild || message.author.bot || !message.content.startsWith(PREFIX)) return;
    const [command, ...args] = message.content.slice(PREFIX.length).trim().split(/\s+/);
    const reply = (text) => message.reply(text).catch(() => {});
    let music = guilds.get(message.guild.id);
    if (command === 'join' || (command === 'play' && !music)) {
      const channel = message.member?.voice.channel;
      if (!channel) return reply('Join a voice channel first.');
      const connection = voice.joinVoiceChannel({
        guildId: channel.guild.id,
        channelId: channel.id,
        // discord.js's gateway adapter: voice state and server updates for this guild.
        adapterCreator: channel.guild.voiceAdapterCreator,
      });
      await voice.entersState(connection, voice.VoiceConnectionStatus.Ready, 20000);
      music = new GuildMusic(connection, { log: (line) => console.log(`[${channel.guild.name}] ${line}`) });
      guilds.set(message.guild.id, music);
      connection.once(voice.VoiceConnectionStatus.Destroyed, () => guilds.delete(message.guild.id));
      if (command === 'join') return reply(`Joined ${channel.name}.`);
    }
    if (!music) return reply(`Not in a voice channel: ${PREFIX}join first.`);
    switch (command) {
      case 'play': return args.length ? (music.enqueue(args.join(' ')), reply(`Queued ${args.join(' ')}.`)) : reply(`${PREFIX}play <file|url|tone:440>`);
      case 'volume': music.setVolume(Math.min(200, Math.max(0, Number(args[0]) || 0)) / 100); return reply(`Volume ${Math.round(music.volume * 100)}%.`);
      case 'skip': music.skip(); return reply('Skipped.');
      case 'stop': music.stop(); return reply('Stopped.');
      case 'leave': music.leave(); return reply('Bye.');
      default: return reply(`${PREFIX}join, ${PREFIX}play, ${PREFIX}volume, ${PREFIX}skip, ${PREFIX}stop, ${PREFIX}leave`);
    }
  });
  client.once('ready', () => console.log(`logged in as ${client.user.tag}`));
  await client.login(token);
}

// ---- offline: the loopback voice server ----

/** Resolves when the player reaches `status` (playing `title`, if given). */
function until(player, status, title) {
  return new Promise((resolve) => {
    const check = (_, to) => {
      if (to.status === status && (title === undefined || to.resource?.metadata.title === title)) {
        player.off('stateChange', check);
        resolve();
      }
    };
    player.on('stateChange', check);
  });
}

/**
 * The child: the same commands a member would type, in order, against the loopback server.
 * Tracks, all at volume 50%: a 2 s tone, a 10 s tone skipped after 1 s, each file given, and a
 * tone stopped after 0.5 s.
 */
async function offlineSession(files) {
  const connection = voice.joinVoiceChannel({
    guildId: loopback.GUILD.guildId,
    channelId: loopback.GUILD.channelId,
    adapterCreator: loopback.loopbackAdapterCreator(),
  });
  await voice.entersState(connection, voice.VoiceConnectionStatus.Ready, 20000);
  const music = new GuildMusic(connection);
  const { player } = music;
  music.setVolume(0.5);                                    // !volume 50
  music.enqueue('tone:440:2');                              // !play tone:440:2
  music.enqueue('tone:660:10');                             // !play tone:660:10
  await until(player, voice.AudioPlayerStatus.Playing, 'tone:660:10');
  await sleep(1000);
  music.skip();                                             // !skip
  for (const file of files) {
    const playing = until(player, voice.AudioPlayerStatus.Playing, file);
    music.enqueue(file);                                    // !play <file>
    await playing;
    await until(player, voice.AudioPlayerStatus.Idle);
  }
  music.enqueue('tone:880:10');
  await until(player, voice.AudioPlayerStatus.Playing, 'tone:880:10');
  await sleep(500);
  const idle = until(player, voice.AudioPlayerStatus.Idle);
  music.stop();                                             // !stop
  await idle;
  music.leave();                                            // !leave
}

/**
 * The parent: what the server received, split into tracks at the silence frames the player sends
 * after each one, each decoded: packets, and the tone's frequency (zero crossings) and amplitude.
 */
function summarize(sessions) {
  const { decodeOpus, SILENCE_FRAME } = require(loopback.VOICE_SERVER);
  const packets = sessions.flatMap((s) => s.packets);
  const tracks = [];
  let run = [];
  for (const p of [...packets, { opus: SILENCE_FRAME }]) {
    if (!p.opus.equals(SILENCE_FRAME)) {
      run.push(p);
    } else if (run.length) {
      tracks.push(run);
      run = [];
    }
  }
  return {
    packets: packets.length,
    errors: sessions.flatMap((s) => s.errors.map((e) => e.reason)),
    tracks: tracks.map((track) => {
      const pcm = decodeOpus(track).subarray(2 * 960 * 3);  // left and right; past the codec's start
      let crossings = 0;
      let energy = 0;
      for (let i = 2; i < pcm.length; i += 2) {
        if ((pcm[i - 2] < 0) !== (pcm[i] < 0)) crossings++;
        energy += (pcm[i] / 32767) ** 2;
      }
      const seconds = pcm.length / 2 / 48000;
      return {
        packets: track.length,
        frequencyHz: Math.round(crossings / 2 / seconds),
        amplitude: Number(Math.sqrt((2 * energy) / (pcm.length / 2)).toFixed(3)),
      };
    }),
  };
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] !== '--offline') {
    const token = process.env.DISCORD_TOKEN;
    if (!token) {
      console.error('Set DISCORD_TOKEN to log in, or run with --offline [file ...] to play to the loopback voice server.');
      process.exitCode = 2;
      return;
    }
    await online(token);
    return;
  }
  if (loopback.isLoopbackChild()) {
    await offlineSession(args.slice(1));
    return;
  }
  const sessions = await loopback.runAgainstLoopback();
  console.log(`server received ${JSON.stringify(summarize(sessions))}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
