'use strict';
/**
 * Helpers shared by the JS benchmarks: argument parsing, the voxpool loader (public API with a
 * fallback to the raw binding), machine description, percentiles, Markdown tables, output files
 * and the "one contender per fresh child process" runner.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..', '..');
const OUT_DIR = path.join(ROOT, 'bench', 'out');

/**
 * Parses `--flag`, `--key value` and `--key=value` into an object (numbers stay strings).
 * @param {string[]} argv
 */
function parseArgs(argv = process.argv.slice(2)) {
  const args = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      args._.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 0) args[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) args[a.slice(2)] = argv[++i];
    else args[a.slice(2)] = true;
  }
  return args;
}

/**
 * Loads voxpool through its public API (require of the package root). Anything the public API
 * does not export (yet) is taken from the native binding instead and named in `missing`, so the
 * report says exactly what was measured.
 */
function loadVoxpool() {
  const missing = [];
  let pub = {};
  let loadError = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      pub = require(ROOT);
      loadError = null;
      break;
    } catch (err) {
      loadError = err; // the lead may be rebuilding; retry briefly
      Object.keys(require.cache)
        .filter((k) => k.startsWith(path.join(ROOT, 'lib')))
        .forEach((k) => delete require.cache[k]);
      if (attempt < 2) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    }
  }
  if (loadError) missing.push(`require('voxpool') failed: ${String(loadError.message).split('\n')[0]}`);
  const binding = require(path.join(ROOT, 'lib', 'binding'));

  const api = { missing, binding, public: !loadError };
  if (typeof pub.Encoder === 'function') {
    api.createEncoder = (o) => new pub.Encoder(o);
  } else {
    missing.push('Encoder');
    api.createEncoder = (o) => new binding.NativeEncoder({ application: 2049, ...o });
  }
  if (typeof pub.Decoder === 'function') {
    api.createDecoder = (o) => new pub.Decoder(o);
  } else {
    missing.push('Decoder');
    api.createDecoder = (o) => new binding.NativeDecoder(o);
  }
  if (typeof pub.encodeMany === 'function') api.encodeMany = pub.encodeMany;
  else {
    missing.push('encodeMany');
    api.encodeMany = binding.encodeMany;
  }
  if (typeof pub.stats === 'function') api.stats = pub.stats;
  else {
    missing.push('stats');
    api.stats = binding.stats;
  }
  if (typeof pub.configure === 'function') api.configure = (threads) => pub.configure({ threads });
  else {
    missing.push('configure');
    api.configure = (threads) => binding.configure(threads, 0);
  }
  if (typeof pub.resetStats === 'function') api.resetStats = pub.resetStats;
  else {
    missing.push('resetStats');
    api.resetStats = binding.resetStats;
  }
  api.OpusEncoder = typeof pub.OpusEncoder === 'function' ? pub.OpusEncoder : null;
  if (!api.OpusEncoder) missing.push('OpusEncoder');

  const constants = [pub.opus, pub.constants, binding.opusConstants].find((c) => c && c.OPUS_VERSION);
  api.opusVersion = constants ? constants.OPUS_VERSION : 'unknown';
  if (!pub.opus || !pub.opus.OPUS_VERSION) missing.push('opus.OPUS_VERSION');
  return api;
}

/** Machine description printed at the top of every report. */
function machine() {
  const cpus = os.cpus();
  let opus = 'unknown';
  let missing = [];
  let poolThreads = null;
  try {
    const vp = loadVoxpool();
    opus = vp.opusVersion;
    missing = vp.missing;
    poolThreads = vp.stats().threads;
  } catch (err) {
    opus = `voxpool failed to load: ${err.message}`;
  }
  return {
    cpu: cpus.length ? cpus[0].model.trim() : 'unknown',
    cores: os.availableParallelism ? os.availableParallelism() : cpus.length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    libopus: opus,
    poolThreads,
    voxpoolFallbacks: missing,
    loadavg: os.loadavg().map((x) => +x.toFixed(2)),
    date: new Date().toISOString(),
  };
}

function machineMarkdown(m) {
  const lines = [
    `- CPU: ${m.cpu}, ${m.cores} cores available, ${m.memoryGiB} GiB`,
    `- OS: ${m.platform}; Node ${m.node}; voxpool's opus: ${m.libopus}; voxpool pool threads: ${m.poolThreads}`,
    `- Load average at start: ${m.loadavg.join(' / ')}; ${m.date}`,
  ];
  if (m.voxpoolFallbacks.length) {
    lines.push(`- Not in voxpool's public API yet (taken from the binding): ${m.voxpoolFallbacks.join('; ')}`);
  }
  return lines.join('\n');
}

/** Percentile (0..100) of an unsorted numeric array (nearest rank). */
function percentile(values, p) {
  if (!values.length) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

function mean(values) {
  let s = 0;
  for (const v of values) s += v;
  return values.length ? s / values.length : NaN;
}

/** Formats a number with `digits` decimals, or '–' for missing values. */
function fmt(x, digits = 1) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return String(x);
  return x.toFixed(digits);
}

/** A Markdown table from a header row and body rows (all strings). */
function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function writeOut(name, data) {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, name);
  fs.writeFileSync(file, typeof data === 'string' ? data : `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

/**
 * Runs `script --child <payload>` in a fresh Node process and returns the JSON object it prints
 * on its last stdout line (stderr passes through). On failure returns `{ error }`.
 * @param {string} script
 * @param {object} payload
 * @param {{timeoutMs?: number, execArgv?: string[]}} [options]
 */
function runChild(script, payload, { timeoutMs = 120000, execArgv = [] } = {}) {
  const res = spawnSync(process.execPath, [...execArgv, script, '--child', JSON.stringify(payload)], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = (res.stdout || '').trim().split('\n');
  const last = lines[lines.length - 1];
  if (res.status === 0 && last) {
    try {
      return JSON.parse(last);
    } catch {
      /* fall through */
    }
  }
  const why = res.error ? res.error.message : `exit ${res.status}${res.signal ? ` (${res.signal})` : ''}`;
  return { error: `child failed: ${why}${last ? `; last output: ${last.slice(0, 300)}` : ''}` };
}

/**
 * runChild, retried up to three times (3 s apart) when the addon could not be loaded: the addon
 * may be being rebuilt while the benchmark runs.
 */
function runChildRetrying(script, payload, options) {
  let res;
  for (let attempt = 0; attempt < 4; attempt++) {
    res = runChild(script, payload, options);
    if (!res.error || !/native build|Cannot find module|voxpool\.node|ERR_DLOPEN/i.test(res.error)) return res;
    process.stderr.write(`  (voxpool failed to load, retrying: ${oneLine(res.error).slice(0, 120)})\n`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
  }
  return res;
}

/**
 * The child side of runChild: in a process started with `--child <payload>`, runs
 * `work(payload)`, prints its result as the last stdout line (or, if it throws,
 * `{ ...errorFields(payload), error }`) and exits. Returns false in the parent.
 */
async function runAsChild(args, work, errorFields = () => ({})) {
  if (!args.child) return false;
  const payload = JSON.parse(args.child);
  let res;
  try {
    res = await work(payload);
  } catch (err) {
    res = { ...errorFields(payload), error: String(err && err.message) };
  }
  process.stdout.write(`${JSON.stringify(res)}\n`);
  process.exit(0);
}

/** First line of a message, for table cells. */
function oneLine(s) {
  return String(s).split('\n')[0].replace(/\|/g, '/').slice(0, 200);
}

/**
 * CPU time (ns) the calling thread has run, from /proc/thread-self/schedstat (Linux only; null
 * elsewhere). Read on the main thread it is the main thread's CPU alone, which process.cpuUsage()
 * cannot give because it sums every thread of the process.
 */
function threadCpuNs() {
  try {
    return Number(fs.readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]);
  } catch {
    return null;
  }
}

module.exports = {
  runAsChild,
  ROOT,
  OUT_DIR,
  parseArgs,
  loadVoxpool,
  machine,
  machineMarkdown,
  percentile,
  mean,
  fmt,
  table,
  writeOut,
  runChild,
  runChildRetrying,
  oneLine,
  threadCpuNs,
};
