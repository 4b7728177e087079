'use strict';
/**
 * `npm run bench:discord`: many guilds in one bot process, each an AudioPlayer on a real
 * @discordjs/voice VoiceConnection to the loopback voice server (test/js/voice-server/), with
 * the codec work done four ways, in the same run:
 *   stock               @discordjs/voice's createAudioResource(raw PCM): prism opus.Encoder
 *                       (@discordjs/opus) on the event loop
 *   stock-inlineVolume  the same with { inlineVolume: true } (prism VolumeTransformer too)
 *   voxpool             voxpool/voice's createAudioResource, same input (encoder on the pool)
 *   voxpool-inlineVolume  the same with voxpool's volume stage
 *   pre-encoded         ready Opus packets (StreamType.Opus): @discordjs/voice's own floor
 *                       (packet preparation, transport crypto, timers)
 * under four conditions: quiet or busy event loop (a 15 ms synchronous task every 50 ms on the
 * bot's main thread) × players started in the same cycle (lockstep) or spread over --spread-ms.
 *
 * Per point (a fresh process running the server, which forks a fresh client): gaps > 40 ms
 * between packets on the server's clock (and how many of them the client's own, see
 * test/js/voice-server/analysis.js timingOf), the audio cycle's lateness p99 against its 20 ms
 * schedule, tracks stopped early (the player gave up after 5 null reads; cross-checked by
 * counting audio packets on the server), null reads, the bot's main-thread CPU per packet sent
 * (busy task excluded) and packets/s per guild. The probe is in discord-resources.js.
 *
 * Then the pool-scheduling A/B: the voxpool contender with the current addon and with a build
 * from before earliest-due-first scheduling (--fifo, default /tmp/fifo/build/Release/voxpool.node,
 * loaded in the client only, through VOXPOOL_BINDING and fifo-binding.js), interleaved, busy loop,
 * lockstep, --ab-guilds.
 *
 * Usage: node bench/js/discord.js [--quick] [--guilds 10,20,40,80] [--seconds S] [--rounds R]
 *   [--contenders stock,voxpool,...] [--conditions quiet-lockstep,busy-spread,...]
 *   [--iv-conditions quiet-lockstep,busy-lockstep] [--stock-all]
 *   [--spread-ms 1000] [--ab-guilds 80] [--ab-rounds R] [--no-ab] [--fifo PATH] [--no-header]
 */
const fs = require('node:fs');
const path = require('node:path');
const common = require('./common');

const RESOURCES = path.join(__dirname, 'discord-resources.js');
const CONTENDERS = {
  stock: 'stock',
  'stock-inlineVolume': 'stockInlineVolume',
  voxpool: 'voxpool',
  'voxpool-inlineVolume': 'voxpoolInlineVolume',
  'pre-encoded': 'preEncoded',
};
const CONDITIONS = {
  'quiet-lockstep': { busy: false, spread: false },
  'quiet-spread': { busy: false, spread: true },
  'busy-lockstep': { busy: true, spread: false },
  'busy-spread': { busy: true, spread: true },
};
const BUSY = { everyMs: 50, forMs: 15 };
const LATE_LIMIT_MS = 5;  // the issue's "cycle within 5 ms late"
const COST_LIMIT_US = 15;  // voxpool within 15 µs per packet of the floor

const list = (s) => String(s).split(',').map((x) => x.trim()).filter(Boolean);

// ---- the child: one point ------------------------------------------------------------------------

async function runPoint(p) {
  const { playToVoiceServer, silenceOf, GCM } = require('../../test/js/voice-server');
  // The server in this process has loaded the default addon already; only the client gets this.
  // The FIFO addon goes through fifo-binding.js, which adapts it to today's lib/.
  if (p.fifo) {
    process.env.VOXPOOL_BINDING = path.join(__dirname, 'fifo-binding.js');
    process.env.VOXPOOL_FIFO_ADDON = p.fifo;
  } else {
    delete process.env.VOXPOOL_BINDING;
  }
  const probeFile = path.join(p.dir, `probe-${process.pid}.json`);
  const frames = p.seconds * 50;
  const guilds = Array.from({ length: p.guilds }, (_, i) => ({
    guildId: `3${String(i).padStart(17, '0')}`,
    mode: GCM,  // what @discordjs/voice picks when node:crypto has AES-256-GCM
    resource: {
      name: CONTENDERS[p.contender],
      options: {
        pcmFile: p.pcmFile,
        packetFile: p.packetFile,
        frames,
        offset: (i * 37) % frames,  // guilds do not all encode the same samples at once
        startDelayMs: p.spreadMs ? Math.round((i * p.spreadMs) / p.guilds) : 0,
        probe: { file: probeFile, busy: p.busy ? BUSY : null },
      },
    },
  }));
  const budgetMs = p.seconds * 1000 + p.spreadMs + 30000;
  const result = await playToVoiceServer({
    guilds,
    client: { resourceModule: RESOURCES, readyTimeoutMs: 30000, playTimeoutMs: budgetMs, timeoutMs: budgetMs + 30000 + p.guilds * 500 },
  });
  const probe = JSON.parse(fs.readFileSync(probeFile, 'utf8'));
  fs.rmSync(probeFile, { force: true });
  let packets = 0; let gaps = 0; let clientGaps = 0; let short = 0; let innerSilence = 0; let errors = 0;
  const rates = [];
  for (const g of result.guilds) {
    const list = g.session?.packets ?? [];
    packets += list.length;
    gaps += g.timing.gapsOver40Ms;
    clientGaps += g.timing.clientGapsOver40Ms;
    const s = silenceOf(list);
    if (s.audio < frames) short++;
    innerSilence += s.inner;
    errors += g.client?.errors?.length ?? 0;
    // Rate while playing: the spread and the end padding are not the track's cadence.
    rates.push(g.timing.packetsPerSecond);
  }
  const waited = (l) => l.waitMs[l.waitMs.length - 1] - l.waitMs[0];
  return {
    ...pointKey(p),
    packets,
    gaps,
    clientGaps,
    tracksShort: short,
    tracksStopped: probe.tracksStopped,
    missedReads: probe.missedReads,
    innerSilence,
    errors,
    cycleLateP99Ms: probe.cycleLateMs.p99,
    cycleLateMaxMs: probe.cycleLateMs.max,
    cyclesOver5Ms: probe.cyclesOver5Ms,
    cycles: probe.cycles,
    cpuUsPerPacket: ((probe.mainCpuMs - probe.busyCpuMs) * 1000) / packets,
    busyRuns: probe.busyRuns,
    ratePerGuild: common.mean(rates),
    minRatePerGuild: Math.min(...rates),
    clientWaitedForCpuMs: waited(result.client.loop),
    loopDelayP99Ms: result.client.loopDelayMs.p99,
  };
}

function pointKey(p) {
  return { round: p.round, condition: p.condition, guilds: p.guilds, contender: p.contender, addon: p.addon };
}

// ---- the parent --------------------------------------------------------------------------------

/** Writes the source PCM and its pre-encoded packets (encoded here, outside any measured window). */
function prepareSources(dir, seconds) {
  const audio = require('./audio');
  const pcm = audio.generatePcm({ seconds, seed: 7 });
  const pcmFile = path.join(dir, 'source.pcm');
  fs.writeFileSync(pcmFile, pcm);
  const { OpusEncoder } = require('@discordjs/opus');
  const encoder = new OpusEncoder(48000, 2);
  encoder.setBitrate(64000);
  const parts = [];
  for (let at = 0; at + 3840 <= pcm.length; at += 3840) {
    const packet = encoder.encode(pcm.subarray(at, at + 3840));
    const len = Buffer.alloc(2);
    len.writeUInt16LE(packet.length);
    parts.push(len, packet);
  }
  const packetFile = path.join(dir, 'source.opus-packets');
  fs.writeFileSync(packetFile, Buffer.concat(parts));
  return { pcmFile, packetFile };
}

function median(xs) {
  const v = xs.filter((x) => Number.isFinite(x));
  return v.length ? common.percentile(v, 50) : NaN;
}

/** "a / b / c" of one field over rounds. */
function perRound(rows, field, digits) {
  return rows.map((r) => (r.error ? 'err' : common.fmt(r[field], digits))).join(' / ');
}

function pointsTable(results, condition, contenders, guildCounts) {
  const body = [];
  for (const n of guildCounts) {
    for (const c of contenders) {
      const rows = results.filter((r) => r.condition === condition && r.guilds === n && r.contender === c && !r.addon);
      if (!rows.length) continue;
      body.push([
        c, String(n),
        perRound(rows, 'gaps', 0), perRound(rows, 'clientGaps', 0),
        perRound(rows, 'cycleLateP99Ms', 1), perRound(rows, 'cycleLateMaxMs', 0),
        perRound(rows, 'tracksStopped', 0), perRound(rows, 'tracksShort', 0), perRound(rows, 'missedReads', 0),
        perRound(rows, 'cpuUsPerPacket', 1), perRound(rows, 'ratePerGuild', 2), perRound(rows, 'clientWaitedForCpuMs', 0),
      ]);
    }
  }
  return common.table(['contender', 'guilds', 'gaps > 40 ms', 'of them the client\'s', 'cycle late p99 ms',
    'cycle late max ms', 'tracks stopped', 'tracks short (server)', 'null reads', 'main-thread µs/packet', 'packets/s per guild', 'client waited for a CPU ms'], body);
}

function errorsOf(results) {
  return results.filter((r) => r.error).map((r) => `- ${r.condition} ${r.contender}${r.addon ? ` (${r.addon})` : ''} × ${r.guilds}, round ${r.round}: ${common.oneLine(r.error)}`);
}

/**
 * The issue's target per condition: the largest N where stock keeps its cycle p99 ≤ 5 ms in every
 * round (and at every smaller N), then voxpool at 2N: zero tracks stopped, zero gaps, and its
 * main-thread µs/packet within 15 of pre-encoded's (medians over rounds).
 */
function verdicts(results, conditions, guildCounts) {
  const out = [];
  const at = (cond, c, n) => results.filter((r) => r.condition === cond && r.contender === c && r.guilds === n && !r.addon);
  const med = (rows, f) => median(rows.map((r) => r[f]));
  for (const cond of conditions) {
    let nStock = null;
    for (const n of guildCounts) {
      const rows = at(cond, 'stock', n);
      if (!rows.length) continue;
      if (rows.every((r) => !r.error && r.cycleLateP99Ms <= LATE_LIMIT_MS)) nStock = n;
      else break;
    }
    if (nStock === null) {
      out.push(`- ${cond}: stock keeps its cycle within ${LATE_LIMIT_MS} ms at no N measured (smallest: ${guildCounts[0]}); no 2× point to judge.`);
      continue;
    }
    const vox = at(cond, 'voxpool', 2 * nStock);
    const floor = at(cond, 'pre-encoded', 2 * nStock);
    const stockRows = at(cond, 'stock', nStock);
    const stockFloor = at(cond, 'pre-encoded', nStock);
    const stockAdds = med(stockRows, 'cpuUsPerPacket') - med(stockFloor, 'cpuUsPerPacket');
    if (!vox.length) {
      out.push(`- ${cond}: stock keeps its cycle within ${LATE_LIMIT_MS} ms up to ${nStock} guilds (the largest measured${nStock === guildCounts[guildCounts.length - 1] ? ', so its limit is higher' : ''}); voxpool at ${2 * nStock} was not measured.`);
      continue;
    }
    const stopped = vox.map((r) => r.tracksStopped);
    const gaps = vox.map((r) => r.gaps);
    const clientGaps = vox.map((r) => r.clientGaps);
    const extra = med(vox, 'cpuUsPerPacket') - med(floor, 'cpuUsPerPacket');
    const ok = stopped.every((x) => x === 0) && gaps.every((x) => x === 0) && extra <= COST_LIMIT_US;
    out.push(`- ${cond}: stock's cycle p99 ≤ ${LATE_LIMIT_MS} ms up to **${nStock}** guilds (stock adds ${common.fmt(stockAdds)} µs/packet over the floor there). `
      + `voxpool at **${2 * nStock}**: tracks stopped ${stopped.join(' / ')}, gaps > 40 ms ${gaps.join(' / ')} (the client's own: ${clientGaps.join(' / ')}), `
      + `main-thread cost ${common.fmt(extra)} µs/packet over the floor (limit ${COST_LIMIT_US}) → **${ok ? 'met' : 'missed'}**.`);
  }
  return out;
}

function abTable(results) {
  const rows = results.filter((r) => r.addon);
  const body = ['current', 'fifo'].map((addon) => {
    const rs = rows.filter((r) => r.addon === addon);
    return [addon === 'current' ? 'earliest-due-first (build/)' : 'FIFO (before the scheduler)', String(rs[0]?.guilds ?? '–'),
      perRound(rs, 'tracksStopped', 0), perRound(rs, 'missedReads', 0), perRound(rs, 'gaps', 0), perRound(rs, 'clientGaps', 0),
      perRound(rs, 'cycleLateP99Ms', 1), perRound(rs, 'cpuUsPerPacket', 1)];
  });
  return common.table(['voxpool addon', 'guilds', 'tracks stopped', 'null reads', 'gaps > 40 ms', 'of them the client\'s',
    'cycle late p99 ms', 'main-thread µs/packet'], body);
}

async function main() {
  const args = common.parseArgs();
  if (await common.runAsChild(args, runPoint, pointKey)) return;
  const quick = !!args.quick;
  const seconds = Number(args.seconds ?? 4);
  const rounds = Number(args.rounds ?? (quick ? 1 : 2));
  const guildCounts = list(args.guilds ?? (quick ? '10,20' : '10,20,40,80')).map(Number).sort((a, b) => a - b);
  const contenders = list(args.contenders ?? (quick ? 'stock,voxpool,pre-encoded' : Object.keys(CONTENDERS).join(',')));
  const conditions = list(args.conditions ?? (quick ? 'quiet-lockstep,busy-lockstep' : Object.keys(CONDITIONS).join(',')));
  // The inlineVolume variants only where time allows (by default the lockstep conditions).
  const ivConditions = list(args['iv-conditions'] ?? 'quiet-lockstep,busy-lockstep');
  const spreadMs = Number(args['spread-ms'] ?? 1000);
  const fifo = String(args.fifo ?? '/tmp/fifo/build/Release/voxpool.node');
  const abGuilds = Number(args['ab-guilds'] ?? guildCounts[guildCounts.length - 1]);
  const abRounds = Number(args['ab-rounds'] ?? (quick ? 1 : 3));
  const ab = !args['no-ab'] && !quick && fs.existsSync(fifo);
  for (const c of contenders) if (!CONTENDERS[c]) throw new Error(`unknown contender ${c}; known: ${Object.keys(CONTENDERS).join(', ')}`);
  for (const c of conditions) if (!CONDITIONS[c]) throw new Error(`unknown condition ${c}; known: ${Object.keys(CONDITIONS).join(', ')}`);

  const dir = path.join(common.OUT_DIR, 'discord');
  fs.mkdirSync(dir, { recursive: true });
  const sources = prepareSources(dir, seconds);
  if (!args['no-header']) console.log(`# voxpool/voice against @discordjs/voice's pipeline\n\n${common.machineMarkdown(common.machine())}\n`);
  console.log(`Command: \`node bench/js/discord.js ${process.argv.slice(2).join(' ')}\`; ${seconds} s tracks, ${rounds} round(s), `
    + `spread starts over ${spreadMs} ms, busy loop ${BUSY.forMs} ms every ${BUSY.everyMs} ms.\n`);

  const plan = [];
  for (let round = 1; round <= rounds; round++) {
    for (const condition of conditions) {
      for (const guilds of guildCounts) {
        // Rotate the order each round so no contender always runs first (or right after another).
        const order = contenders.map((_, i) => contenders[(i + round - 1) % contenders.length]);
        for (const contender of order) {
          // The stock pipelines only where their double is in the grid (where the target can be
          // judged): above that they only fall further behind, and slowly, which costs minutes.
          if (contender.startsWith('stock') && !guildCounts.includes(2 * guilds) && !args['stock-all']) continue;
          if (contender.endsWith('inlineVolume') && !ivConditions.includes(condition)) continue;
          plan.push({ round, condition, guilds, contender });
        }
      }
    }
  }
  if (ab) {
    for (let round = 1; round <= abRounds; round++) {
      const addons = round % 2 ? ['current', 'fifo'] : ['fifo', 'current'];
      for (const addon of addons) plan.push({ round, condition: 'busy-lockstep', guilds: abGuilds, contender: 'voxpool', addon });
    }
  }

  const results = [];
  const started = Date.now();
  for (const [i, point] of plan.entries()) {
    const { busy, spread } = CONDITIONS[point.condition];
    const payload = {
      ...point, busy, spreadMs: spread ? spreadMs : 0, seconds, dir, ...sources,
      fifo: point.addon === 'fifo' ? fifo : undefined,
    };
    const res = common.runChildRetrying(__filename, payload, { timeoutMs: (seconds * 1000 + spreadMs) * 3 + 120000 });
    results.push({ ...pointKey(point), ...res });
    process.stderr.write(`  [${i + 1}/${plan.length} ${((Date.now() - started) / 1000).toFixed(0)} s] ${point.condition} ${point.contender}`
      + `${point.addon ? `/${point.addon}` : ''} × ${point.guilds} r${point.round}: ${res.error ? common.oneLine(res.error).slice(0, 160)
        : `gaps ${res.gaps} (${res.clientGaps}), late p99 ${common.fmt(res.cycleLateP99Ms)} ms, stopped ${res.tracksStopped}, `
          + `null reads ${res.missedReads}, ${common.fmt(res.cpuUsPerPacket)} µs/pkt`}\n`);
  }

  for (const condition of conditions) {
    console.log(`### ${condition}\n\nCells: one value per round (r1 / r2 / …).\n\n${pointsTable(results, condition, contenders, guildCounts)}\n`);
  }
  if (ab) console.log(`### Pool scheduling A/B: voxpool, busy-lockstep, ${abGuilds} guilds, ${abRounds} rounds interleaved\n\n${abTable(results)}\n`);
  console.log(`### Targets\n\n${verdicts(results, conditions.filter((c) => c.startsWith('quiet')), guildCounts).join('\n')}\n`);
  const errors = errorsOf(results);
  if (errors.length) console.log(`### Points that failed\n\n${errors.join('\n')}\n`);
  const file = common.writeOut('discord.json', { seconds, rounds, spreadMs, busy: BUSY, results });
  console.log(`Raw numbers: ${file}; ${((Date.now() - started) / 1000).toFixed(0)} s in all.`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
