#!/usr/bin/env node
'use strict';

// Mutation testing: applies each small, realistic bug from test/mutation/mutants.js to a scratch
// copy of the working tree, rebuilds what the bug touches, and runs the tests that should catch
// it. A mutant the tests fail on is "killed"; one they pass is a "survivor" (a gap in the tests);
// one that does not compile is "stillborn" and left out of the score.
//
//   node scripts/mutate.js [--only=id1,id2] [--min=90] [--workdir=DIR] [--jobs=N]
//   node scripts/mutate.js --list     prints the mutants
//   node scripts/mutate.js --check    checks that every mutant applies to the working tree (no build)
//
// The scratch copy (default: <tmpdir>/voxpool-mutate-<hash of the repo path>, or --workdir) holds
// the tracked and untracked-not-ignored files, node_modules as a symlink to the repo's, and two
// build trees kept between runs so that only what changed is recompiled:
//   build-native  the GoogleTest suite (the flags of `node scripts/native.js test`, Release)
//   build         the addon (cmake-js compile), loaded by the JS tests through VOXPOOL_BINDING
// Before the mutants run, both are built from the unmutated tree and every test subset a mutant
// names is run there once; a mutant whose tests already fail unmutated is reported as an error
// (not a kill) and skipped. Each mutant's tests then get TIMEOUT_FACTOR times their unmutated
// run time; a timeout or a crash counts as killed.
//
// Exit status: 0 when the score (killed / (killed + survived)) reaches --min percent (default
// 90), 1 below it; 2 on a usage error, a mutant whose `find` text is missing or ambiguous, an
// unmutated tree that does not build, or a mutant whose tests fail unmutated (after the report).
// Logs: <workdir>/.mutate/logs/<id>.log, and baseline.log for the unmutated build and tests.

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const MUTANTS_FILE = path.join(ROOT, 'test', 'mutation', 'mutants.js');
const OPTIONS = ['only', 'list', 'check', 'min', 'workdir', 'jobs'];
// A mutant's tests get this many times their unmutated run time, plus a fixed allowance for a
// machine that is busier than during the baseline. Past it the mutant counts as killed (a hang).
const TIMEOUT_FACTOR = 3;
const TIMEOUT_SLACK_S = 20;

/** @typedef {import('../test/mutation/mutants').Mutant} Mutant */

/**
 * Prints a message and exits with status 2 (usage error, stale mutant, broken baseline).
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error(`mutate.js: ${message}`);
  process.exit(2);
}

/**
 * Parses `--name=value` and `--flag` arguments; refuses unknown names.
 * @param {string[]} argv
 * @returns {Record<string, string|true>}
 */
function parseArgs(argv) {
  const options = {};
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!match || !OPTIONS.includes(match[1])) {
      fail(`Expected one of ${OPTIONS.map((o) => `--${o}`).join(', ')} but received ${JSON.stringify(arg)}`);
    }
    options[match[1]] = match[2] === undefined ? true : match[2];
  }
  return options;
}

/**
 * Reads a numeric option.
 * @param {string|true|undefined} value
 * @param {string} name
 * @param {number} fallback used when the option is absent
 * @param {number} min smallest accepted value
 * @returns {number}
 */
function numberOption(value, name, fallback, min) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value === true || value === '' || !Number.isFinite(n) || n < min) {
    fail(`Expected a number >= ${min} for --${name} but received ${value}`);
  }
  return n;
}

// ----- the mutant list ---------------------------------------------------------------------------

/**
 * Loads test/mutation/mutants.js and checks the shape of every entry, so a typo fails here and
 * not halfway through a run.
 * @returns {Mutant[]}
 */
function loadMutants() {
  const mutants = require(MUTANTS_FILE);
  if (!Array.isArray(mutants)) fail(`${MUTANTS_FILE} must export an array`);
  const seen = new Set();
  for (const m of mutants) {
    const name = m && typeof m.id === 'string' ? m.id : JSON.stringify(m);
    const problem = shapeProblem(m, seen);
    if (problem) fail(`mutant ${name}: ${problem}`);
    seen.add(m.id);
  }
  return mutants;
}

/**
 * @param {Mutant} m
 * @param {Set<string>} seen ids before this one
 * @returns {string|null} what is wrong with the entry, or null
 */
function shapeProblem(m, seen) {
  if (typeof m !== 'object' || m === null) return 'must be an object';
  if (typeof m.id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(m.id)) return 'id must be kebab-case';
  if (seen.has(m.id)) return 'duplicate id';
  for (const key of ['file', 'find', 'why']) {
    if (typeof m[key] !== 'string' || m[key] === '') return `${key} must be a non-empty string`;
  }
  if (typeof m.replace !== 'string') return 'replace must be a string (empty deletes `find`)';
  if (m.find === m.replace) return 'replace is the same as find';
  const kind = fileKind(m.file);
  if (kind === null) return 'file must be under src/, include/, binding/ or lib/';
  const tests = m.tests;
  if (typeof tests !== 'object' || tests === null) return 'tests must be an object';
  if (tests.native !== undefined && (typeof tests.native !== 'string' || tests.native === '')) {
    return 'tests.native must be a ctest -R regular expression';
  }
  if (tests.js !== undefined) {
    if (!Array.isArray(tests.js) || tests.js.length === 0) return 'tests.js must be a non-empty array';
    for (const f of tests.js) {
      if (typeof f !== 'string' || !fs.existsSync(path.join(ROOT, f))) return `tests.js: no such file ${f}`;
    }
  }
  if (!tests.native && !tests.js) return 'tests must name native or js tests';
  // The native suite links only the core; the addon and lib/ are reached from JS alone.
  if (tests.native && kind !== 'core') return 'native tests cannot see a mutant outside src/ and include/';
  return null;
}

/**
 * Which build a file belongs to.
 * @param {string} file repository-relative path
 * @returns {'core'|'binding'|'lib'|null}
 */
function fileKind(file) {
  if (/^(src|include)\//.test(file)) return 'core';
  if (file.startsWith('binding/')) return 'binding';
  if (file.startsWith('lib/')) return 'lib';
  return null;
}

/**
 * Finds the single place a mutant applies to.
 * @param {Mutant} m
 * @param {string} root tree to look in
 * @returns {{original: string, mutated: string}|{error: string}}
 */
function locate(m, root) {
  let original;
  try {
    original = fs.readFileSync(path.join(root, m.file), 'utf8');
  } catch (err) {
    return { error: `cannot read ${m.file} (${err.code})` };
  }
  const at = original.indexOf(m.find);
  if (at < 0) return { error: `its find text no longer occurs in ${m.file}; update the mutant` };
  if (original.indexOf(m.find, at + 1) >= 0) {
    return { error: `its find text occurs more than once in ${m.file}; make it unique` };
  }
  return { original, mutated: original.slice(0, at) + m.replace + original.slice(at + m.find.length) };
}

/**
 * Exits with status 2, naming every mutant that does not apply to `root`.
 * @param {Mutant[]} mutants
 * @param {string} root
 */
function checkApplies(mutants, root) {
  const errors = mutants.map((m) => ({ m, r: locate(m, root) })).filter(({ r }) => r.error);
  for (const { m, r } of errors) console.error(`mutate.js: mutant ${m.id}: ${r.error}`);
  if (errors.length > 0) process.exit(2);
}

/**
 * Resolves --only against the list, in the list's order.
 * @param {Mutant[]} mutants
 * @param {string|true|undefined} only
 * @returns {Mutant[]}
 */
function select(mutants, only) {
  if (only === undefined) return mutants;
  if (only === true || only === '') fail('Expected a comma-separated list of ids for --only');
  const ids = only.split(',');
  const unknown = ids.filter((id) => !mutants.some((m) => m.id === id));
  if (unknown.length > 0) fail(`no mutant with id ${unknown.join(', ')} (see --list)`);
  return mutants.filter((m) => ids.includes(m.id));
}

/**
 * Prints the mutants, one block each.
 * @param {Mutant[]} mutants
 */
function list(mutants) {
  for (const m of mutants) {
    const tests = [m.tests.native && `native /${m.tests.native}/`, m.tests.js && m.tests.js.join(' ')];
    console.log(`${m.id}  (${m.file})\n  tests: ${tests.filter(Boolean).join('; ')}\n  ${m.why}\n`);
  }
}

// ----- the scratch tree --------------------------------------------------------------------------

/**
 * The scratch directory: --workdir, or one per repository path under the temp directory.
 * @param {string|true|undefined} option
 * @returns {string}
 */
function workdirFor(option) {
  if (option === true || option === '') fail('Expected a directory for --workdir');
  const hash = crypto.createHash('sha1').update(ROOT).digest('hex').slice(0, 8);
  const dir = path.resolve(option || path.join(os.tmpdir(), `voxpool-mutate-${hash}`));
  const inside = (a, b) => a === b || a.startsWith(b + path.sep);
  if (inside(dir, ROOT) || inside(ROOT, dir)) fail(`--workdir must lie outside the repository (${dir})`);
  return dir;
}

/**
 * Mirrors the working tree's tracked and untracked-not-ignored files into `workdir`. Files whose
 * bytes are unchanged are not rewritten, so their timestamps (and the objects built from them)
 * stay valid; files copied by an earlier run that are gone from the tree are removed. This also
 * undoes a mutant left behind by an interrupted run.
 * @param {string} workdir
 * @param {string} stateDir where the list of copied files is kept
 * @returns {number} files written
 */
function syncTree(workdir, stateDir) {
  const ls = spawnSync('git', ['ls-files', '-z', '-c', '-o', '--exclude-standard'], { cwd: ROOT, encoding: 'buffer' });
  if (ls.status !== 0) fail(`git ls-files failed: ${ls.stderr}`);
  // -c also lists tracked files deleted from the working tree; those are not copied.
  const files = ls.stdout.toString('utf8').split('\0').filter((f) => f !== '' && isFile(path.join(ROOT, f)));
  const manifest = path.join(stateDir, 'files.json');
  const previous = fs.existsSync(manifest) ? JSON.parse(fs.readFileSync(manifest, 'utf8')) : [];
  const current = new Set(files);
  for (const f of previous) if (!current.has(f)) fs.rmSync(path.join(workdir, f), { force: true });
  let written = 0;
  for (const f of files) {
    const from = path.join(ROOT, f);
    const to = path.join(workdir, f);
    const bytes = fs.readFileSync(from);
    if (isFile(to) && fs.readFileSync(to).equals(bytes)) continue;
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, bytes, { mode: fs.statSync(from).mode });
    written++;
  }
  fs.writeFileSync(manifest, JSON.stringify(files));
  const modules = path.join(workdir, 'node_modules');
  if (!fs.existsSync(modules)) fs.symlinkSync(path.join(ROOT, 'node_modules'), modules, 'dir');
  return written;
}

/** @param {string} p @returns {boolean} whether p is a regular file (following symlinks) */
function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

// ----- running commands --------------------------------------------------------------------------

/** Process groups still running, killed on Ctrl-C / SIGTERM. */
const running = new Set();

/**
 * Runs a command in its own process group with its output appended to `log`.
 * @param {string} file
 * @param {string[]} args
 * @param {{cwd: string, log: string, env?: NodeJS.ProcessEnv, timeoutS?: number}} how
 * @returns {Promise<{ok: boolean, timedOut: boolean, why: string, seconds: number}>}
 */
function run(file, args, { cwd, log, env = process.env, timeoutS }) {
  fs.appendFileSync(log, `\n$ ${[file, ...args].join(' ')}\n`);
  const out = fs.openSync(log, 'a');
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    // detached: own process group, so a timeout kills the test runner and everything it started.
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', out, out], detached: true });
    fs.closeSync(out);
    let timedOut = false;
    const killGroup = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = timeoutS === undefined ? null : setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutS * 1000);
    running.add(killGroup);
    let finished = false;
    const finish = (why, ok) => {
      if (finished) return;  // 'error' and 'exit' may both fire
      finished = true;
      if (timer) clearTimeout(timer);
      running.delete(killGroup);
      killGroup();  // stray grandchildren of a finished runner
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      fs.appendFileSync(log, `# ${why} after ${seconds.toFixed(1)} s\n`);
      resolve({ ok, timedOut, why, seconds });
    };
    child.on('error', (err) => finish(`could not start ${file}: ${err.message}`, false));
    child.on('exit', (code, signal) => {
      if (timedOut) finish(`timed out (${timeoutS} s)`, false);
      else finish(signal ? `killed by ${signal}` : `exit status ${code}`, code === 0);
    });
  });
}

// ----- builds ------------------------------------------------------------------------------------

/**
 * The two build trees of the scratch copy. `dirty` is set when a restored C++ file was compiled
 * into a tree in its mutated form: the tree must be rebuilt before its next use, even by a
 * mutant that changes nothing it compiles (make and ninja see the restored file's new mtime).
 */
class Builds {
  /**
   * @param {string} workdir
   * @param {number} jobs
   */
  constructor(workdir, jobs) {
    this.workdir = workdir;
    this.jobs = jobs;
    this.dirty = { native: false, addon: false };
  }

  /**
   * Configures and builds the trees from scratch or incrementally (the unmutated baseline).
   * `build-native` is configured as `node scripts/native.js test` does for Release; the addon
   * with cmake-js, as `npm run build` does.
   * @param {{native: boolean, addon: boolean}} which
   * @param {string} log
   * @returns {Promise<boolean>} success
   */
  async baseline(which, log) {
    const steps = [];
    if (which.native) {
      steps.push(async () => {
        const configure = ['-S', '.', '-B', 'build-native', '-DVOXPOOL_BUILD_TESTS=ON', '-DCMAKE_BUILD_TYPE=Release'];
        const r = await run('cmake', configure, { cwd: this.workdir, log });
        return r.ok && this.build('native', log);
      });
    }
    if (which.addon) {
      steps.push(async () => {
        const cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [ROOT] });
        const args = [cmakeJs, 'compile', '--parallel', String(this.jobs)];
        const r = await run(process.execPath, args, { cwd: this.workdir, log });
        if (r.ok) this.dirty.addon = false;
        return r.ok;
      });
    }
    // One after the other: each already uses every core.
    for (const step of steps) if (!(await step())) return false;
    return true;
  }

  /**
   * Incremental build of one configured tree. The addon is rebuilt with `cmake --build` rather
   * than `cmake-js compile`, which answers a failed build (a stillborn mutant) with a full
   * rebuild from nothing.
   * @param {'native'|'addon'} tree
   * @param {string} log
   * @returns {Promise<boolean>} success
   */
  async build(tree, log) {
    const dir = tree === 'native' ? 'build-native' : 'build';
    const args = ['--build', dir, '--config', 'Release', '--parallel', String(this.jobs)];
    const r = await run('cmake', args, { cwd: this.workdir, log });
    if (r.ok) this.dirty[tree] = false;
    return r.ok;
  }

  /**
   * Brings the trees a mutant's tests use up to date with the scratch tree. Both run at once:
   * a mutant usually recompiles one file per tree, which uses one core each.
   * @param {{native: boolean, addon: boolean}} which
   * @param {string} log
   * @returns {Promise<boolean>} success
   */
  async update(which, log) {
    const trees = ['native', 'addon'].filter((t) => which[t]);
    const results = await Promise.all(trees.map((t) => this.build(t, log)));
    return results.every(Boolean);
  }
}

/**
 * Which build trees a mutant's tests run against.
 * @param {Mutant} m
 * @returns {{native: boolean, addon: boolean}}
 */
function treesFor(m) {
  return { native: Boolean(m.tests.native), addon: Boolean(m.tests.js) };
}

// ----- tests -------------------------------------------------------------------------------------

/**
 * Runs the native part of a test subset through CTest (tests are discovered per GoogleTest case,
 * so the regular expression matches `Suite.Name` or `Prefix/Suite.Name/Param`). A regular
 * expression that matches nothing is an error, not a pass.
 * @param {string} workdir
 * @param {string} regex
 * @param {number} jobs
 * @param {string} log
 * @param {number} [timeoutS]
 */
function runNative(workdir, regex, jobs, log, timeoutS) {
  const args = ['--test-dir', 'build-native', '-R', regex, '--no-tests=error', '--stop-on-failure',
    '--output-on-failure', `-j${jobs}`];
  return run('ctest', args, { cwd: workdir, log, timeoutS });
}

/**
 * Runs JS test files with the scratch tree's lib/ and addon.
 * @param {string} workdir
 * @param {string[]} files
 * @param {string} log
 * @param {number} [timeoutS]
 */
function runJs(workdir, files, log, timeoutS) {
  const env = { ...process.env, VOXPOOL_BINDING: path.join(workdir, 'build', 'Release', 'voxpool.node') };
  return run(process.execPath, ['--test', '--test-concurrency=1', ...files], { cwd: workdir, log, env, timeoutS });
}

/**
 * Runs every distinct native regex and JS file the mutants name, once, on the unmutated tree.
 * @param {Mutant[]} mutants
 * @param {string} workdir
 * @param {number} jobs
 * @param {string} log
 * @returns {Promise<{native: Map<string, number>, js: Map<string, number>, failed: Map<string, string>}>}
 *   seconds per regex and per file, and what failed (keyed `native /regex/` or the file)
 */
async function baselineTests(mutants, workdir, jobs, log) {
  const baseline = { native: new Map(), js: new Map(), failed: new Map() };
  for (const regex of new Set(mutants.map((m) => m.tests.native).filter(Boolean))) {
    const r = await runNative(workdir, regex, jobs, log);
    if (!r.ok) baseline.failed.set(`native /${regex}/`, r.why);
    baseline.native.set(regex, r.seconds);
  }
  for (const file of new Set(mutants.flatMap((m) => m.tests.js || []))) {
    const r = await runJs(workdir, [file], log);
    if (!r.ok) baseline.failed.set(file, r.why);
    baseline.js.set(file, r.seconds);
  }
  return baseline;
}

/**
 * The tests of a mutant that fail on the unmutated tree: such a mutant cannot be judged.
 * @param {Mutant} m
 * @param {Map<string, string>} failed from baselineTests
 * @returns {string[]} `subset (why)` per failing subset
 */
function brokenTests(m, failed) {
  const keys = [m.tests.native && `native /${m.tests.native}/`, ...(m.tests.js || [])];
  return keys.filter((k) => k && failed.has(k)).map((k) => `${k} (${failed.get(k)})`);
}

/**
 * Runs a mutant's tests, native first (they are quicker), stopping at the first failure.
 * @param {Mutant} m
 * @param {string} workdir
 * @param {number} jobs
 * @param {{native: Map<string, number>, js: Map<string, number>}} baseline seconds per subset
 * @param {string} log
 * @returns {Promise<{killed: boolean, how: string}>}
 */
async function runTests(m, workdir, jobs, baseline, log) {
  const limit = (s) => Math.ceil(TIMEOUT_FACTOR * s + TIMEOUT_SLACK_S);
  if (m.tests.native) {
    const r = await runNative(workdir, m.tests.native, jobs, log, limit(baseline.native.get(m.tests.native)));
    if (!r.ok) return { killed: true, how: r.timedOut ? 'native, timeout' : 'native' };
  }
  if (m.tests.js) {
    const total = m.tests.js.reduce((sum, f) => sum + baseline.js.get(f), 0);
    const r = await runJs(workdir, m.tests.js, log, limit(total));
    if (!r.ok) return { killed: true, how: r.timedOut ? 'js, timeout' : 'js' };
  }
  return { killed: false, how: '' };
}

// ----- one mutant --------------------------------------------------------------------------------

/** The mutated file, restored by the signal handler if the run is interrupted. */
let applied = null;

/**
 * Applies a mutant to the scratch tree, rebuilds, runs its tests and restores the file.
 * @param {Mutant} m
 * @param {{workdir: string, jobs: number, builds: Builds, baseline: object, logs: string}} ctx
 * @returns {Promise<{result: 'killed'|'survived'|'stillborn', how: string, seconds: number}>}
 */
async function runMutant(m, { workdir, jobs, builds, baseline, logs }) {
  const started = process.hrtime.bigint();
  const log = path.join(logs, `${m.id}.log`);
  fs.writeFileSync(log, `# mutant ${m.id}: ${m.file}\n- ${m.find}\n+ ${m.replace}\n`);
  const loc = locate(m, workdir);
  if (loc.error) fail(`mutant ${m.id}: ${loc.error}`);
  const target = path.join(workdir, m.file);
  const compiled = fileKind(m.file) !== 'lib';
  const trees = treesFor(m);
  // A C++ mutant is compiled into the trees its tests use; a lib/ mutant needs them only caught
  // up after an earlier C++ mutant.
  const rebuild = {
    native: trees.native && (compiled || builds.dirty.native),
    addon: trees.addon && (compiled || builds.dirty.addon),
  };
  let outcome;
  applied = { target, original: loc.original };
  fs.writeFileSync(target, loc.mutated);
  try {
    if (!(await builds.update(rebuild, log))) {
      outcome = { result: 'stillborn', how: 'build failed' };
    } else {
      const t = await runTests(m, workdir, jobs, baseline, log);
      outcome = { result: t.killed ? 'killed' : 'survived', how: t.how };
    }
  } finally {
    fs.writeFileSync(target, loc.original);
    applied = null;
    // The trees now hold objects built from the mutant (or half a failed build).
    if (compiled) {
      if (rebuild.native) builds.dirty.native = true;
      if (rebuild.addon) builds.dirty.addon = true;
    }
  }
  return { ...outcome, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/**
 * Kills running commands and restores a mutated file on Ctrl-C or SIGTERM.
 * @param {NodeJS.Signals} signal
 */
function interrupted(signal) {
  for (const kill of running) kill();
  if (applied) fs.writeFileSync(applied.target, applied.original);
  console.error(`\nmutate.js: interrupted by ${signal}; the scratch tree is restored`);
  process.exit(130);
}

// ----- report ------------------------------------------------------------------------------------

/**
 * Prints the result table, the survivors with their rationale, the mutants that could not be
 * judged, and the score line.
 * @param {Array<{m: Mutant, result: string, how: string, seconds: number}>} rows
 * @param {number} totalS wall time of the whole run
 * @returns {number} the score in percent (0 when no mutant was scored: nothing was measured)
 */
function report(rows, totalS) {
  const width = Math.max(2, ...rows.map((r) => r.m.id.length));
  console.log(`\n${'id'.padEnd(width)}  ${'result'.padEnd(9)}  ${'seconds'.padStart(7)}  detail`);
  for (const r of rows) {
    console.log(`${r.m.id.padEnd(width)}  ${r.result.padEnd(9)}  ${r.seconds.toFixed(1).padStart(7)}  ${r.how}`);
  }
  const survivors = rows.filter((r) => r.result === 'survived');
  if (survivors.length > 0) {
    console.log('\nsurvivors (the tests miss these bugs):');
    for (const r of survivors) console.log(`  ${r.m.id} (${r.m.file}): ${r.m.why}`);
  }
  const stillborn = rows.filter((r) => r.result === 'stillborn');
  if (stillborn.length > 0) {
    console.log(`\nstillborn (did not compile; fix the mutant): ${stillborn.map((r) => r.m.id).join(', ')}`);
  }
  const errors = rows.filter((r) => r.result === 'error');
  if (errors.length > 0) {
    console.log('\nnot judged (their tests fail on the unmutated tree):');
    for (const r of errors) console.log(`  ${r.m.id}: ${r.how}`);
  }
  const killed = rows.filter((r) => r.result === 'killed').length;
  const scored = killed + survivors.length;
  const percent = scored === 0 ? 0 : (100 * killed) / scored;
  console.log(`\nruntime: ${(totalS / 60).toFixed(1)} min`);
  console.log(`mutation score: ${killed}/${scored} killed (${percent.toFixed(1)} %)`);
  return percent;
}

// ----- main --------------------------------------------------------------------------------------

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const min = numberOption(options.min, 'min', 90, 0);
  const jobs = numberOption(options.jobs, 'jobs', os.availableParallelism(), 1);
  if (!Number.isInteger(jobs)) fail(`Expected an integer for --jobs but received ${options.jobs}`);
  const mutants = select(loadMutants(), options.only);
  if (options.list) return list(mutants);
  checkApplies(mutants, ROOT);
  if (options.check) {
    console.log(`mutate.js: all ${mutants.length} mutants apply to the working tree`);
    return;
  }

  const started = process.hrtime.bigint();
  const workdir = workdirFor(options.workdir);
  const state = path.join(workdir, '.mutate');
  const logs = path.join(state, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);

  const written = syncTree(workdir, state);
  console.log(`scratch tree: ${workdir} (${written} files updated)`);
  const log = path.join(logs, 'baseline.log');
  fs.writeFileSync(log, '');
  const builds = new Builds(workdir, jobs);
  const needed = { native: mutants.some((m) => m.tests.native), addon: mutants.some((m) => m.tests.js) };
  console.log('building the unmutated tree ...');
  if (!(await builds.baseline(needed, log))) fail(`the unmutated tree does not build; see ${log}`);
  console.log('running the mutants\' tests on the unmutated tree ...');
  const baseline = await baselineTests(mutants, workdir, jobs, log);
  for (const [subset, why] of baseline.failed) console.log(`  fails unmutated: ${subset} (${why}); see ${log}`);

  const rows = [];
  for (const [i, m] of mutants.entries()) {
    process.stdout.write(`[${i + 1}/${mutants.length}] ${m.id} ... `);
    const broken = brokenTests(m, baseline.failed);
    // Tests that fail without the mutant say nothing about it: an error, not a kill.
    const r = broken.length > 0
      ? { result: 'error', how: `fails unmutated: ${broken.join(', ')}`, seconds: 0 }
      : await runMutant(m, { workdir, jobs, builds, baseline, logs });
    console.log(`${r.result}${r.how ? ` (${r.how})` : ''} ${r.seconds.toFixed(1)} s`);
    rows.push({ m, ...r });
  }
  const percent = report(rows, Number(process.hrtime.bigint() - started) / 1e9);
  if (rows.some((r) => r.result === 'error')) process.exitCode = 2;
  else process.exitCode = percent >= min ? 0 : 1;
}

main().catch((err) => {
  if (applied) fs.writeFileSync(applied.target, applied.original);
  console.error(err);
  process.exit(2);
});
