'use strict';
// Hostile-input sweep (issue 14): every entry point the package exports, called with wrong types,
// edge numbers, odd arrays, Proxies with throwing traps, odd buffers, swapped `this` and calls
// after destroy()/end(). Each entry point runs in its own child process
// (fixtures/hostile-sweep-child.js), so a crash names it; a child that dies or hangs is restarted
// after the call that killed it, so one crash does not hide the rest of the table.
//
// The rules that say which outcomes are acceptable are all in RULES and judge() below.
//
// Environment:
//   VOXPOOL_SWEEP_LONG=1          more values and two-at-a-time combinations
//   VOXPOOL_SWEEP_ONLY=<regex>    only the entry points whose name matches
//   VOXPOOL_SWEEP_REPORT=<file>   write every finding, and every call's outcome, as JSON
//   VOXPOOL_SWEEP_JOBS=<n>        children run at once (default: available CPUs)
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CHILD = path.join(__dirname, 'fixtures', 'hostile-sweep-child.js');
const LONG = process.env.VOXPOOL_SWEEP_LONG === '1';
const ONLY = process.env.VOXPOOL_SWEEP_ONLY ? new RegExp(process.env.VOXPOOL_SWEEP_ONLY) : null;
const JOBS = Number(process.env.VOXPOOL_SWEEP_JOBS || Math.max(2, os.availableParallelism()));
/**
 * A child past this is killed. It yields by itself after ~15 s of calls, and its own watchdog
 * kills it after 3 s blocked in one call or ~20 s awaiting one, so this is the last resort.
 */
const CHILD_TIMEOUT_MS = 40000;
/** Findings listed per failing entry point (the report file has all). */
const MAX_LINES = 40;
/** Restarts after crashes or hangs per entry point, before the rest of its table is given up. */
const MAX_RESTARTS = LONG ? 40 : 12;

// ---------------------------------------------------------------------------------------------
// The acceptance rules, in one place.

const RULES = {
  /** validate.js's shape: every argument error of the library reads like this. */
  uniformMessage: /^Expected .+ for .+ but received .+ of type .+$/,
  /** VoxpoolError codes. */
  voxpoolCode: /^ERR_VOXPOOL_[A-Z0-9_]+$/,
  /**
   * lib/compat.js (the @discordjs/opus OpusEncoder facade) keeps @discordjs/opus's own texts and
   * classes so that code written against it keeps working; these, and only on OpusEncoder's
   * constructor and methods, are accepted as they are.
   */
  compatMessages: new Set([
    'Expected 1 argument',
    'Expected 2 arguments',
    'Provided input needs to be a buffer',
    'Expected rate and channels to be numbers',
    'Expected ctl and value to be numbers',
    'Expected bitrate to be a number',
    'Invalid ctl / value',
    'Invalid bitrate',
    'Could not create encoder. Check the encoder parameters',
    'Could not create decoder. Check the decoder parameters',
  ]),
  /**
   * Node's own stream errors (or the library's copies of them), accepted only where Node raises
   * them: using a stream after end() or destroy(), and a null chunk in an object-mode stream
   * (Node refuses it before the library sees it).
   */
  streamCodes: {
    ended: new Set(['ERR_STREAM_WRITE_AFTER_END', 'ERR_STREAM_ALREADY_FINISHED']),
    destroyed: new Set(['ERR_STREAM_DESTROYED']),
    nullChunk: new Set(['ERR_STREAM_NULL_VALUES']),
  },
  /**
   * Writing to a stream: an error Node's Writable#write raises before any of the library's code
   * runs (none of the package's frames on its stack, e.g. converting a detached Int16Array) is
   * Node's answer, not the library's.
   */
  nodeWriteGate: true,
  /**
   * A caller's own exception (our Proxy traps and getters throw HostileTrapError) may pass
   * through unchanged where the library has to look inside the value: an options object, an
   * array, an event emitter, or a documented option field. Anywhere else the trap fired because
   * the library inspected a value it should have refused by its type alone (typically while
   * describing it for the error message).
   */
  trapErrorsWhereRead: true,
  /** Refusing a scalar: TypeError for the wrong type, RangeError for the right type out of range. */
  checkErrorClass: true,
  /** A value inside the documented range must not be refused with a TypeError/RangeError. */
  refuseValidIsWrong: true,
  /** After destroy(), Promise-returning methods reject (as Mixer#mixAsync does) rather than throw. */
  asyncAfterDestroy: 'reject',
  /**
   * After destroy(), calls fail with ERR_VOXPOOL_DESTROYED, except these, which may return:
   * getters, destroy()/end() (idempotent), and the volume setters of VolumeTransformer and
   * OpusTranscodeStream (an AudioResource's `volume`), which keep prism-media's behaviour (@discordjs/voice users call resource.volume.setVolume() after a
   * track ended, and prism never threw there).
   */
  mayReturnAfterDestroy: (rec) => rec.member === 'getter' || /#(destroy|end)$/.test(rec.ep) ||
    /^(VolumeTransformer|OpusTranscodeStream)#(setVolume|setVolumeDecibels|setVolumeLogarithmic|set volume)$/.test(rec.ep),
  /** Messages that give away an engine or Node internals error rather than the library's own. */
  engineMessage: new RegExp([
    'Cannot read propert', 'Cannot set propert', 'private member', 'Too many properties', 'is not a function',
    'is not iterable', 'is not a constructor', 'Cannot convert', 'Invalid array length', 'Maximum call stack',
    'on a proxy that has been revoked', 'detached ArrayBuffer', 'Invalid typed array length', 'out of bounds',
    'Invalid string length', 'napi_', 'must be of type', 'must be an instance', 'is not defined',
    'Cannot mix BigInt', 'Cannot destructure', 'Object prototype may only be',
  ].map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')),
};

/** Finding categories, as the report groups them. */
const CATEGORY = {
  a: '(a) crash, signal, abort or an error that would end the process',
  b: '(b) hang: blocked event loop, never-settling Promise or stream',
  c: '(c) engine or Node internals error leaking',
  d: '(d) wrong error class, message shape or code',
  e: '(e) accepted garbage and returned a value',
  f: '(f) inconsistent behaviour after destroy()/end()',
};

/** @returns {string} one line describing an error as recorded by the child */
function showError(e) {
  if (!e) return 'nothing';
  const code = e.code !== undefined ? `[${e.code}]` : '';
  return `${e.cls}${code}: ${e.message}${e.where ? ` (at ${e.where})` : ''}`;
}

/** @returns {string} one line describing an outcome */
function showOutcome(o) {
  switch (o.kind) {
    case 'returned': return `returned ${o.value}`;
    case 'resolved': return `resolved ${o.value}`;
    case 'threw': return `threw ${showError(o.error)}`;
    case 'rejected': return `rejected ${showError(o.error)}`;
    default: return o.kind;
  }
}

/**
 * Judges one thrown/rejected/emitted error of a call.
 * @returns {[string, string] | null} [category, why] or null when acceptable
 */
function judgeError(rec, e, how) {
  if (e.trap) {
    if (RULES.trapErrorsWhereRead && rec.trapAllowed) return null;
    return ['c', `${how} the caller's own trap error "${e.message}": the library inspected a value it should refuse by type${e.where ? ` (at ${e.where})` : ''}`];
  }
  if (e.cls === 'VoxpoolError') {
    return typeof e.code === 'string' && RULES.voxpoolCode.test(e.code) ? null : ['d', `${how} a VoxpoolError with code ${e.code} (${e.codeType})`];
  }
  if (rec.compat && RULES.compatMessages.has(e.message)) return null;
  if (rec.context === 'ended' && RULES.streamCodes.ended.has(e.code)) return null;
  if (rec.context === 'destroyed' && RULES.streamCodes.destroyed.has(e.code)) return null;
  if (rec.objectMode && rec.valueLabel === 'null' && RULES.streamCodes.nullChunk.has(e.code)) return null;
  if (RULES.nodeWriteGate && rec.member === 'data' && how === 'threw' && e.foreign) return null;
  const argError = e.cls === 'TypeError' || e.cls === 'RangeError';
  if (argError && RULES.uniformMessage.test(e.message)) {
    if (rec.context === 'args' && rec.verdict === 'must' && RULES.refuseValidIsWrong) {
      return ['d', `${how} ${showError(e)} for a value the API documents as valid`];
    }
    if (RULES.checkErrorClass && rec.context === 'args' && rec.expectClass && rec.expectClass !== 'either' && e.cls !== rec.expectClass) {
      return ['d', `${how} ${e.cls} where validate.js's convention gives ${rec.expectClass}: ${e.message}`];
    }
    return null;
  }
  const nodeCode = typeof e.code === 'string' && /^ERR_/.test(e.code) && !RULES.voxpoolCode.test(e.code);
  if (RULES.engineMessage.test(e.message) || nodeCode) return ['c', `${how} ${showError(e)}`];
  return ['d', `${how} ${showError(e)}`];
}

/**
 * Judges one call record from the child.
 * @returns {Array<[string, string]>} findings as [category, why]
 */
function judge(rec) {
  const o = rec.outcome;
  const out = [];
  const add = (f) => { if (f) out.push(f); };
  switch (o.kind) {
    case 'died': add(['a', o.why]); break;
    case 'memory': add(['a', o.why]); break;
    case 'blocked': case 'stalled': add(['b', o.why]); break;
    case 'pending': add(['b', o.what || 'the Promise never settled (5 s)']); break;
    case 'harness': break;  // our own argument factory failed; reported separately
    default: break;
  }
  if (rec.context === 'destroyed' && ['returned', 'resolved', 'threw', 'rejected'].includes(o.kind)) {
    add(judgeAfterDestroy(rec));
  } else if (o.kind === 'threw' || o.kind === 'rejected') {
    add(judgeError(rec, o.error, o.kind));
  } else if ((o.kind === 'returned' || o.kind === 'resolved') && rec.verdict === 'must-not' && rec.context !== 'ended') {
    add(['e', `${o.kind} ${o.value}`]);
  }
  for (const e of o.events || []) add(judgeError(rec, e, "emitted 'error'"));
  for (const u of rec.unhandled || []) add(['a', `${u.kind}: ${showError(u.error)}`]);
  return out;
}

/** @returns {[string, string] | null} */
function judgeAfterDestroy(rec) {
  const o = rec.outcome;
  if (o.kind === 'returned' || o.kind === 'resolved') {
    return RULES.mayReturnAfterDestroy(rec) ? null : ['f', `${o.kind} ${o.value} after destroy() instead of failing with ERR_VOXPOOL_DESTROYED`];
  }
  const e = o.error;
  const destroyedCode = e.code === 'ERR_VOXPOOL_DESTROYED' || RULES.streamCodes.destroyed.has(e.code);
  if (o.kind === 'threw' && rec.async && RULES.asyncAfterDestroy === 'reject') {
    return ['f', `threw synchronously after destroy() (${showError(e)}); a Promise-returning method should reject`];
  }
  if (destroyedCode) return null;
  const other = judgeError(rec, e, o.kind);
  return other || ['f', `${o.kind} ${showError(e)} after destroy() instead of ERR_VOXPOOL_DESTROYED`];
}

// ---------------------------------------------------------------------------------------------
// Running children.

/** @returns {object} the child's list: exported entry points, table rows, skips */
function listEntryPoints() {
  const r = spawnSync(process.execPath, [CHILD, 'list'], { encoding: 'utf8', timeout: 60000, env: process.env });
  assert.equal(r.status, 0, `listing entry points failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** The useful part of a dead child's stderr: its first and last lines, without our own frames. */
function stderrGist(stderr) {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.includes('hostile-sweep-child.js') && !l.startsWith('at '));
  const gist = lines.length > 4 ? [...lines.slice(0, 2), '...', ...lines.slice(-2)] : lines;
  return gist.join(' | ');
}

/** Spawns one child for `ep` from call `first`; resolves with its exit and its JSON lines. */
function runChild(ep, first, dir) {
  const out = path.join(dir, `${ep.replace(/[^\w.#-]+/g, '_')}.${first}.jsonl`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=512', CHILD, 'run', ep, out, String(first)], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: process.env,
    });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, CHILD_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let lines = [];
      try {
        lines = fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      } catch { /* the child died before writing */ }
      resolve({ code, signal, timedOut, stderr, lines });
    });
  });
}

/**
 * Runs one entry point's whole table, restarting after the call that crashed or hung a child.
 * @returns {Promise<{ ep: string, records: object[], notes: string[], total: number }>}
 */
async function sweepEntryPoint(ep, dir) {
  const t0 = Date.now();
  const records = [];
  const notes = [];
  let first = 0;
  let total = null;
  for (let restarts = 0; ;) {
    const r = await runChild(ep, first, dir);
    const done = new Map();
    const started = [];
    const unhandled = [];
    let watchdog = null;
    let next = null;
    let ended = false;
    for (const line of r.lines) {
      if (line.type === 'begin') total = line.total;
      else if (line.type === 'start') started.push(line);
      else if (line.type === 'done') done.set(line.i, line);
      else if (line.type === 'unhandled') unhandled.push(line);
      else if (line.type === 'watchdog') watchdog = line;
      else if (line.type === 'yield') next = line.next;
      else if (line.type === 'end') ended = true;
      else if (line.type === 'no-exit') notes.push(`[b] the child did not exit within 5 s after its last call (${(line.resources || []).join(', ')})`);
      else if (line.type === 'harness-error') notes.push(`[harness] ${showError(line.error)}\n${line.stack}`);
    }
    for (const rec of done.values()) {
      rec.ep = ep;
      rec.unhandled = unhandled.filter((u) => u.i === rec.i);
      records.push(rec);
    }
    for (const u of unhandled.filter((x) => !done.has(x.i))) {
      notes.push(`[a] ${u.kind} after the last call: ${showError(u.error)}`);
    }
    const inflight = started.filter((s) => !done.has(s.i)).pop();
    const died = r.signal !== null || r.code !== 0 || r.timedOut;
    if (inflight && died) {
      const how = watchdog && watchdog.reason === 'memory' ? { kind: 'memory', why: `resident size passed the watchdog's limit (${Math.round(watchdog.rss / 2 ** 20)} MiB): killed` }
        : watchdog && watchdog.reason === 'blocked' ? { kind: 'blocked', why: `blocked the event loop for more than ${Math.round(watchdog.ms / 1000)} s (watchdog)` }
          : watchdog ? { kind: 'stalled', why: `no progress for ${Math.round(watchdog.ms / 1000)} s (watchdog)` }
            : r.timedOut ? { kind: 'blocked', why: `the child ran past ${CHILD_TIMEOUT_MS / 1000} s: killed` }
              : { kind: 'died', why: `the child died (${r.signal ? `signal ${r.signal}` : `exit code ${r.code}`})${r.stderr ? `; stderr: ${stderrGist(r.stderr)}` : ''}` };
      records.push({ ep, i: inflight.i, label: inflight.label, context: 'args', outcome: how, unhandled: [] });
      if (++restarts > MAX_RESTARTS) {
        notes.push(`[a] gave up after ${MAX_RESTARTS} restarts; calls ${inflight.i + 1}..${total - 1} were not run`);
        break;
      }
      first = inflight.i + 1;
      if (total !== null && first >= total) break;
      continue;
    }
    if (next !== null && !died) {
      first = next;
      continue;
    }
    if (died) {
      notes.push(`[a] the child ${ended ? 'died after its last call' : 'died outside any call'} (${r.signal ? `signal ${r.signal}` : r.timedOut ? 'timeout' : `exit code ${r.code}`}): ${stderrGist(r.stderr)}`);
    }
    break;
  }
  records.sort((x, y) => x.i - y.i);
  return { ep, records, notes, total: total || 0, ms: Date.now() - t0 };
}

/** Runs `fn` over `items`, `jobs` at a time. */
async function pool(items, jobs, fn) {
  const results = new Array(items.length);
  let at = 0;
  const worker = async () => {
    while (at < items.length) {
      const k = at++;
      results[k] = await fn(items[k]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return results;
}

// ---------------------------------------------------------------------------------------------

test('hostile sweep', async (t) => {
  const list = listEntryPoints();
  const rows = new Set(list.rows);

  await t.test('every exported entry point has a row in the sweep table (or a reason to skip it)', () => {
    const missing = list.exported.filter((ep) => !rows.has(ep) && !(ep in list.skipped));
    assert.deepEqual(missing, [], 'add these to buildTable() in fixtures/hostile-sweep-child.js');
    const stale = list.rows.filter((ep) => !list.exported.includes(ep) && !list.synthetic.includes(ep));
    assert.deepEqual(stale, [], 'rows for entry points the package no longer exports');
  });

  const eps = list.rows.filter((ep) => !ONLY || ONLY.test(ep));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voxpool-sweep-'));
  const started = Date.now();
  const results = await pool(eps, JOBS, (ep) => sweepEntryPoint(ep, dir));
  fs.rmSync(dir, { recursive: true, force: true });

  const findings = [];
  const kinds = {};
  let calls = 0;
  for (const r of results) {
    for (const rec of r.records) {
      calls++;
      kinds[rec.outcome.kind] = (kinds[rec.outcome.kind] || 0) + 1;
      for (const [cat, why] of judge(rec)) findings.push({ cat, ep: r.ep, arg: rec.label, why, i: rec.i });
      if (rec.outcome.kind === 'harness') findings.push({ cat: 'harness', ep: r.ep, arg: rec.label, why: `the sweep could not build this call: ${showError(rec.outcome.error)}` });
    }
    for (const note of r.notes) {
      const m = /^\[(\w+)\] /.exec(note);
      findings.push({ cat: m ? m[1] : 'a', ep: r.ep, arg: '(entry point)', why: m ? note.slice(m[0].length) : note });
    }
  }

  // Compact summary: totals, then findings per category with the entry points they hit.
  t.diagnostic(`${eps.length} entry points, ${calls} calls in ${((Date.now() - started) / 1000).toFixed(1)} s (${LONG ? 'long' : 'default'} mode, ${JOBS} at a time)`);
  t.diagnostic(`outcomes: ${Object.entries(kinds).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const slowest = [...results].sort((x, y) => y.ms - x.ms).slice(0, 5);
  t.diagnostic(`slowest: ${slowest.map((r) => `${r.ep} ${(r.ms / 1000).toFixed(1)} s`).join(', ')}`);
  for (const [cat, title] of Object.entries({ ...CATEGORY, harness: '(harness) calls the sweep could not build' })) {
    const of = findings.filter((f) => f.cat === cat);
    if (of.length === 0) continue;
    const byEp = new Map();
    for (const f of of) byEp.set(f.ep, (byEp.get(f.ep) || 0) + 1);
    t.diagnostic(`${title}: ${of.length} in ${byEp.size} entry points: ${[...byEp].map(([ep, n]) => `${ep} ${n}`).join(', ')}`);
  }
  if (process.env.VOXPOOL_SWEEP_REPORT) {
    const timings = Object.fromEntries(results.map((r) => [r.ep, r.ms]));
    // What every method does after destroy()/end(), passing or not: the contract at a glance.
    const afterState = results.flatMap((r) => r.records.filter((rec) => rec.context === 'destroyed' || rec.context === 'ended')
      .map((rec) => `${r.ep}${rec.async ? ' (async)' : ''} ${rec.label}: ${showOutcome(rec.outcome)}`));
    const outcomes = results.flatMap((r) => r.records.map((rec) => `${r.ep} | ${rec.label} | ${showOutcome(rec.outcome)}`));
    fs.writeFileSync(process.env.VOXPOOL_SWEEP_REPORT, JSON.stringify({ long: LONG, calls, kinds, findings, timings, afterState, outcomes }, null, 1));
  }

  for (const r of results) {
    await t.test(r.ep, () => {
      const mine = findings.filter((f) => f.ep === r.ep);
      const lines = mine.map((f) => `  ${f.cat === 'harness' ? '(harness)' : `(${f.cat})`} ${r.ep} with ${f.arg}: ${f.why}`);
      const shown = lines.length > MAX_LINES ? lines.slice(0, MAX_LINES).concat(`  ... ${lines.length - MAX_LINES} more (VOXPOOL_SWEEP_REPORT=<file> writes them all)`) : lines;
      assert.ok(mine.length === 0, `${r.ep}: ${mine.length} findings in ${r.total} calls\n${shown.join('\n')}`);
    });
  }
});
