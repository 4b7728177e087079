'use strict';
// Whether a late packet was the client's doing or the machine's. On a loaded machine (2 cores,
// builds running) a process's main thread can wait tens of ms for a CPU; Linux counts that wait
// per thread in /proc/<pid>/schedstat (second field, ns; the file of the process is its main
// thread's). A ticker samples it in each process (client and server), so a gap between two packets
// can be compared with the time either event loop spent runnable but not running.
const fs = require('node:fs');
const { performance, PerformanceObserver, constants } = require('node:perf_hooks');

/**
 * @returns {{ cpuMs: number, waitMs: number }} ms this process's main thread has run, and has
 *   waited for a CPU; NaN where unknown
 */
function schedStat() {
  try {
    const [cpu, wait] = fs.readFileSync('/proc/self/schedstat', 'utf8').split(' ');
    return { cpuMs: Number(cpu) / 1e6, waitMs: Number(wait) / 1e6 };
  } catch {
    return { cpuMs: NaN, waitMs: NaN };
  }
}

/**
 * @typedef {{ at: number[], cpuMs: number[], waitMs: number[], gc: [number, number, number][] }}
 *   LoopSamples at: epoch ms (comparable across processes); gc: [start epoch ms, duration ms,
 *   kind] of each garbage collection V8 reported (a main-thread pause, counted in cpuMs)
 */

/**
 * Samples every `periodMs` until stop().
 * @returns {{ stop(): LoopSamples }}
 */
function watchLoop({ periodMs = 5 } = {}) {
  const samples = { at: [], cpuMs: [], waitMs: [], gc: [] };
  const gcs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) samples.gc.push([performance.timeOrigin + e.startTime, e.duration, e.detail?.kind ?? 0]);
  });
  gcs.observe({ entryTypes: ['gc'] });
  const sample = () => {
    const { cpuMs, waitMs } = schedStat();
    samples.at.push(performance.timeOrigin + performance.now());
    samples.cpuMs.push(cpuMs);
    samples.waitMs.push(waitMs);
  };
  sample();
  const timer = setInterval(sample, periodMs);
  return {
    stop() {
      clearInterval(timer);
      gcs.disconnect();
      sample();
      return samples;
    },
  };
}

/**
 * What the sampled thread did across [from, to] (epoch ms), widened to the samples around it:
 * ms it ran and ms it waited for a CPU (NaN where unknown).
 * @param {LoopSamples} samples
 * @returns {{ cpuMs: number, waitMs: number }}
 */
function schedDuring(samples, from, to) {
  const { at } = samples;
  let i = 0;
  while (i + 1 < at.length && at[i + 1] <= from) i++;
  let j = i;
  while (j + 1 < at.length && at[j] < to) j++;
  return { cpuMs: samples.cpuMs[j] - samples.cpuMs[i], waitMs: samples.waitMs[j] - samples.waitMs[i], ...gcDuring(samples, from, to) };
}

const GC_KINDS = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * The garbage-collection pauses overlapping [from, to] (epoch ms): their total ms, and each as
 * 'kind duration' (e.g. 'major 21.4').
 * @returns {{ gcMs: number, gcs: string[] }}
 */
function gcDuring(samples, from, to) {
  let gcMs = 0;
  const gcs = [];
  for (const [start, duration, kind] of samples.gc ?? []) {
    const overlap = Math.min(to, start + duration) - Math.max(from, start);
    if (overlap <= 0) continue;
    gcMs += overlap;
    gcs.push(`${GC_KINDS[kind] ?? kind} ${duration.toFixed(1)}`);
  }
  return { gcMs, gcs };
}

module.exports = { watchLoop, schedDuring, schedStat };
