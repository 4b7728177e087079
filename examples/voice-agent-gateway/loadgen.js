'use strict';
// The load generator: N simulated devices with staggered starts, each saying its script for S
// seconds, against a gateway started in this process (default) or at a URL. What it reports:
// latencies as the devices saw them and as the gateway measured them, the gateway's queue depth
// and drops, utterances per second, CPU per second of wall time, the event loop's delay and the
// pool's queue wait. In-process, the devices' own work (sending, parsing replies) counts in the
// CPU and the event-loop delay too: the report says which.
const { performance, monitorEventLoopDelay } = require('node:perf_hooks');
const voxpool = require('../..');
const { startGateway } = require('./gateway');
const { Device, packetsFor } = require('./device');
const { misbehave, MISBEHAVIOURS } = require('./misbehave');
const { deviceScript, replyClip, SENTENCES, REPLIES } = require('./material');
const { Latency } = require('./stats');

/** The load's shape: per-device script and start spread. */
const LOAD_DEFAULTS = Object.freeze({
  devices: 50,
  seconds: 10,
  staggerMs: 1000,  // devices start spread over this long
  leadMs: 1000,     // background noise before the first sentence (the VAD adapts to it; see README)
  gapMs: 2500,      // after each sentence: room for the reply before the next one
});

/**
 * Runs the load and returns the report.
 * @param {object} [options]
 * @param {number} [options.devices=50]
 * @param {number} [options.seconds=10] each device's script length
 * @param {number} [options.staggerMs=1000]
 * @param {string} [options.url] a gateway to load; default: one started here (options.gateway)
 * @param {object} [options.gateway] options for the in-process gateway
 * @param {boolean} [options.misbehave=false] also run one device of each misbehaving kind
 * @param {(level: string, line: string) => void} [options.log] the gateway's log
 * @returns {Promise<object>} the report (stats.formatReport / reportLine print it)
 */
async function runLoad(options = {}) {
  const o = { ...LOAD_DEFAULTS, ...options };
  // The material first, so espeak-ng and the encoders do not run inside the measurement.
  const scripts = SENTENCES.map((_, first) => deviceScript({ seconds: o.seconds, first, leadMs: o.leadMs, gapMs: o.gapMs }));
  for (const text of REPLIES) replyClip(text);

  const gateway = o.url ? null : await startGateway({ ...o.gateway, log: o.log ?? o.gateway?.log });
  const url = o.url ?? gateway.url;
  const devices = Array.from({ length: o.devices }, (_, i) => new Device({ url, deviceId: `device-${i + 1}`, script: scripts[i % scripts.length] }));
  // Encode the scripts before the clock starts (Device.run would, on first use).
  await Promise.all(scripts.map(packetsFor));

  voxpool.resetStats();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();

  const runs = devices.map((d, i) => new Promise((resolve) => setTimeout(resolve, (i * o.staggerMs) / o.devices)).then(() => d.run()));
  const misbehaving = o.misbehave
    ? Object.keys(MISBEHAVIOURS).map((kind, i) => new Promise((resolve) => setTimeout(resolve, 500 + i * 100)).then(() => misbehave(url, kind)))
    : [];
  const bad = await Promise.all(misbehaving);
  await Promise.all(runs);

  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  loop.disable();
  const pool = voxpool.stats();
  const g = gateway === null ? null : gateway.stats();
  if (gateway !== null) await gateway.close();

  const deviceLatency = new Latency();
  const replyLatency = new Latency();
  // What the devices saw, summed over all of them.
  const n = { missed: 0, underruns: 0, deviceProtocolErrors: 0, utterances: 0, replies: 0, repliesCompleted: 0, bargeIns: 0 };
  const closes = {};
  for (const d of devices) {
    for (const s of d.sentences()) {
      if (s.utteranceLatencyMs === null) n.missed++;
      else deviceLatency.record(s.utteranceLatencyMs);
      if (s.replyLatencyMs !== null) replyLatency.record(s.replyLatencyMs);
    }
    for (const r of d.replies) {
      n.underruns += r.underruns;
      if (r.complete) n.repliesCompleted++;
      if (r.bargeinAt !== null) n.bargeIns++;
    }
    n.utterances += d.utterances.length;
    n.replies += d.replies.length;
    n.deviceProtocolErrors += d.protocolErrors.length;
    closes[d.closeCode] = (closes[d.closeCode] || 0) + 1;
  }
  const { missed, underruns, deviceProtocolErrors, utterances, replies, repliesCompleted, bargeIns } = n;
  return {
    devices: o.devices,
    seconds: o.seconds,
    target: gateway === null ? url : 'in-process gateway',
    wallSeconds: Math.round(wallMs) / 1000,
    utterances,
    utterancesPerSecond: Math.round(utterances / (wallMs / 1000) * 100) / 100,
    replies,
    repliesCompleted,
    bargeIns,
    missed,
    underruns,
    latency: {
      device: deviceLatency.summary(),
      gateway: g === null ? { count: 0, p50: NaN, p99: NaN, max: NaN } : g.latency,
      reply: replyLatency.summary(),
    },
    queueDepthMax: g === null ? null : g.queueDepthMax,
    drops: g === null ? null : g.drops,
    late: g === null ? null : g.late,
    protocolErrors: g === null ? null : g.protocolErrors,
    deviceProtocolErrors,
    closes: g === null ? closes : g.closes,
    cpuPercent: Math.round((cpu.user + cpu.system) / 1000 / wallMs * 1000) / 10,
    cpuScope: gateway === null ? 'load generator only' : 'gateway and devices, one process',
    eventLoopDelayP99Ms: Math.round(loop.percentile(99) / 1e4) / 100,
    poolQueueWaitP99Ms: pool.queueWait.p99 / 1000,
    // Pool jobs (decodes, speech frames, reply encodes) run per second and what one costs on a
    // pool thread: the figures seed 004's worker-thread gateway reports as ops/s and ms per op.
    poolJobsPerSecond: Math.round(pool.completed / (wallMs / 1000)),
    poolServiceP50Us: pool.serviceTime.p50,
    poolServiceP99Us: pool.serviceTime.p99,
    poolThreads: pool.threads,
    sessionsLeft: gateway === null ? null : gateway.sessions.size,
    misbehaving: bad,
  };
}

module.exports = { runLoad, LOAD_DEFAULTS };
