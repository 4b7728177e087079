#!/usr/bin/env node
'use strict';

// Builds and runs the native (C++) test suite and benchmarks, without Node-API.
//
//   node scripts/native.js test  [--sanitize=address,undefined|thread] [--filter=GLOB] [--jobs=N]
//   node scripts/native.js bench [--filter=REGEX] [--json=path] [--jobs=N]
//
// test:  configures build-native (build-native-asan / build-native-tsan with --sanitize), builds
//        voxpool_tests and runs it through CTest. --filter is passed to `ctest -R`; a glob's `*`
//        and `?` are turned into the regular expression CTest expects.
// bench: configures build-bench (Release) and runs voxpool_bench; --filter becomes
//        --benchmark_filter, --json writes Google Benchmark's JSON to that path.
// Exits with the first failing step's status.

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

/**
 * Parses `--name=value` and `--flag` arguments after the command.
 * @param {string[]} argv
 * @returns {{command: string|undefined, options: Record<string, string|true>}}
 */
function parseArgs(argv) {
  const [command, ...rest] = argv;
  const options = {};
  for (const arg of rest) {
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!match) fail(`Expected an option like --name=value but received ${JSON.stringify(arg)}`);
    options[match[1]] = match[2] === undefined ? true : match[2];
  }
  return { command, options };
}

function fail(message) {
  console.error(`native.js: ${message}`);
  process.exit(2);
}

/**
 * Runs a command with inherited stdio; exits with its status when it fails.
 * @param {string} file
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 */
function run(file, args, env = process.env) {
  console.error(`$ ${[file, ...args].join(' ')}`);
  const result = spawnSync(file, args, { cwd: ROOT, stdio: 'inherit', env });
  if (result.error) fail(`could not start ${file}: ${result.error.message}`);
  if (result.status !== 0) {
    console.error(`native.js: ${file} failed (${result.signal || `exit status ${result.status}`})`);
    process.exit(result.status || 1);
  }
}

function jobs(options) {
  const n = options.jobs === undefined ? 2 : Number(options.jobs);
  if (!Number.isInteger(n) || n < 1) fail(`Expected a positive integer for --jobs but received ${options.jobs}`);
  return String(n);
}

/** Turns a shell-style glob into the regular expression `ctest -R` takes. */
function globToRegex(glob) {
  if (!/[*?]/.test(glob)) return glob;  // already a plain substring / regex
  return glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : /[\\^$.|+()[\]{}]/.test(c) ? `\\${c}` : c))
    .join('');
}

const SANITIZERS = {
  'address,undefined': { dir: 'build-native-asan', cmake: 'address;undefined' },
  'undefined,address': { dir: 'build-native-asan', cmake: 'address;undefined' },
  address: { dir: 'build-native-asan', cmake: 'address;undefined' },
  thread: { dir: 'build-native-tsan', cmake: 'thread' },
};

function test(options) {
  let dir = 'build-native';
  const configure = ['-S', '.', '-DVOXPOOL_BUILD_TESTS=ON'];
  const env = { ...process.env };
  if (options.sanitize !== undefined) {
    const san = SANITIZERS[options.sanitize];
    if (!san) {
      fail(`Expected address,undefined or thread for --sanitize but received ${options.sanitize}`);
    }
    dir = san.dir;
    configure.push(`-DVOXPOOL_SANITIZE=${san.cmake}`, '-DCMAKE_BUILD_TYPE=Debug');
    // Real failures only: no suppressions. halt_on_error makes a report fail the test.
    env.ASAN_OPTIONS = env.ASAN_OPTIONS || 'detect_leaks=1:abort_on_error=0:strict_string_checks=1';
    env.UBSAN_OPTIONS = env.UBSAN_OPTIONS || 'print_stacktrace=1:halt_on_error=1';
    // The only suppressions are for moodycamel's fence-based internals, which TSan cannot model
    // (see test/native/tsan.supp); races in voxpool's code still fail the run.
    env.TSAN_OPTIONS =
      env.TSAN_OPTIONS ||
      `halt_on_error=1:second_deadlock_stack=1:suppressions=${path.join(ROOT, 'test/native/tsan.supp')}`;
  } else {
    configure.push('-DCMAKE_BUILD_TYPE=Release');
  }
  configure.splice(2, 0, '-B', dir);
  run('cmake', configure);
  // The default target builds every test executable (voxpool_tests, voxpool_alloc_tests).
  run('cmake', ['--build', dir, `-j${jobs(options)}`]);
  const ctest = ['--test-dir', dir, '--output-on-failure', `-j${jobs(options)}`];
  if (typeof options.filter === 'string' && options.filter !== '') {
    ctest.push('-R', globToRegex(options.filter));
  }
  run('ctest', ctest, env);
}

function bench(options) {
  const dir = 'build-bench';
  run('cmake', ['-S', '.', '-B', dir, '-DVOXPOOL_BUILD_BENCH=ON', '-DCMAKE_BUILD_TYPE=Release']);
  run('cmake', ['--build', dir, '--target', 'voxpool_bench', `-j${jobs(options)}`]);
  const args = [];
  if (typeof options.filter === 'string' && options.filter !== '') {
    args.push(`--benchmark_filter=${options.filter}`);
  }
  if (typeof options.json === 'string' && options.json !== '') {
    args.push(`--benchmark_out=${path.resolve(options.json)}`, '--benchmark_out_format=json');
  }
  run(path.join(ROOT, dir, 'voxpool_bench'), args);
}

function main() {
  const { command, options } = parseArgs(process.argv.slice(2));
  if (command === 'test') return test(options);
  if (command === 'bench') return bench(options);
  console.error(
    'usage: node scripts/native.js test [--sanitize=address,undefined|thread] [--filter=GLOB]\n' +
      '       node scripts/native.js bench [--filter=REGEX] [--json=path]',
  );
  process.exit(2);
}

main();
