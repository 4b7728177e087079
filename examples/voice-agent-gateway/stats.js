'use strict';
// Measurements: latency histograms of fixed size (perf_hooks' HDR histograms, so a long run
// costs no more memory than a short one), the gateway's counters, and the load report's two
// forms: a table for people and one `gateway report {json}` line for tests and scripts.
const { createHistogram } = require('node:perf_hooks');

/** Latencies in ms, kept as whole µs in a bounded histogram. */
class Latency {
  #h = createHistogram();

  /** @param {number} ms */
  record(ms) {
    this.#h.record(Math.max(1, Math.round(ms * 1000)));
  }

  /** Adds another Latency's samples. */
  add(other) {
    this.#h.add(other.#h);
  }

  /** @returns {{ count: number, p50: number, p99: number, max: number }} ms, 0 when empty */
  summary() {
    const h = this.#h;
    if (h.count === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
    const ms = (us) => Math.round(us) / 1000;
    return { count: h.count, p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
  }
}

/** The gateway's counters, one object shared by its sessions. */
class GatewayStats {
  connections = 0;        // accepted WebSocket connections, ever
  closes = {};            // close code -> count, whoever closed
  protocolErrors = 0;     // closes the gateway made for a device's misbehaviour (1002-1009)
  framesIn = 0;           // AUDIO messages accepted
  framesDecoded = 0;      // ... decoded and handed to the utterance stream
  drops = 0;              // AUDIO dropped from a full inbound queue (oldest first)
  late = 0;               // AUDIO dropped because its sequence went backwards
  queueDepthMax = 0;      // the deepest any session's inbound queue got
  utterances = 0;         // UTTERANCE messages sent
  sttDropped = 0;         // utterances dropped because STT calls were already pending
  replies = 0;            // replies started (first frame sent)
  repliesCompleted = 0;   // ... and sent to their FLAG_LAST frame
  bargeIns = 0;           // ... and stopped because the device spoke
  ttsFrames = 0;          // TTS_AUDIO messages sent
  latency = new Latency();  // speech end (its last frame received) -> UTTERANCE sent, ms

  /** @param {number} code */
  closed(code) {
    this.closes[code] = (this.closes[code] || 0) + 1;
  }

  /** A plain snapshot. */
  snapshot() {
    const { latency, closes, ...counters } = this;
    return { ...counters, closes: { ...closes }, latency: latency.summary() };
  }
}

const fixed = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : String(n));

/**
 * The load report as a table.
 * @param {object} r what loadgen's run() resolves with
 * @returns {string}
 */
function formatReport(r) {
  const row = (name, s) => `  ${name.padEnd(34)} ${fixed(s.p50).padStart(8)} ${fixed(s.p99).padStart(8)} ${fixed(s.max).padStart(8)} ${String(s.count).padStart(7)}`;
  return [
    `${r.devices} devices for ${r.seconds} s (${r.target}); ${r.utterances} utterances (${fixed(r.utterancesPerSecond, 2)}/s), ${r.replies} replies (${r.repliesCompleted} complete, ${r.bargeIns} barge-ins)`,
    `  ${'latency, ms'.padEnd(34)} ${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)} ${'count'.padStart(7)}`,
    row('utterance, device-measured', r.latency.device),
    row('utterance, gateway-measured', r.latency.gateway),
    row('first reply frame, device-measured', r.latency.reply),
    `  inbound queue depth max ${r.queueDepthMax} frames, drops ${r.drops}, late ${r.late}; missed sentences ${r.missed}; reply underruns ${r.underruns}`,
    `  CPU ${fixed(r.cpuPercent)} % of one core (${r.cpuScope}); event-loop delay p99 ${fixed(r.eventLoopDelayP99Ms, 2)} ms; pool queueWait p99 ${fixed(r.poolQueueWaitP99Ms, 3)} ms`,
    `  pool (${r.target === 'in-process gateway' ? 'gateway and devices' : 'load generator only'}) ${r.poolJobsPerSecond} jobs/s on ${r.poolThreads} threads, service time p50 ${r.poolServiceP50Us} µs, p99 ${r.poolServiceP99Us} µs`,
    `  closes ${JSON.stringify(r.closes)}; protocol errors ${r.protocolErrors} (gateway) ${r.deviceProtocolErrors} (devices)`,
  ].join('\n');
}

/** The report as one line: `gateway report {json}`. */
function reportLine(r) {
  return `gateway report ${JSON.stringify(r)}`;
}

module.exports = { Latency, GatewayStats, formatReport, reportLine };
