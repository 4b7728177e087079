'use strict';
// The drop-in installed as docs/DROP-IN.md says: voxpool and the generated @discordjs/opus compat
// package (scripts/pack-compat.js) from their tarballs into a fresh bot project with
// @discordjs/voice 0.19.2 and prism-media 1.3.5 from the registry. Checks what a user checks:
// `npm install --strict-peer-deps` and `npm ls --all` succeed, generateDependencyReport() names
// the compat package, and prism-media's encoder is voxpool's OpusEncoder.
//
// Slow by nature (two npm packs and one install: about 7 s with a warm npm cache, 30 s cold).
// The addon is not compiled again: node-gyp-build, which voxpool's install script and loader both
// use, honours VOXPOOL_PREBUILD=<dir>, so the install script finds the addon this tree built and
// the installed package loads it. With the registry unreachable (and nothing cached) the test
// skips, except under CI, where it fails.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const VOICE = '0.19.2';
const PRISM = '1.3.5';

// `npm test` exports variables about this repository (npm_package_*, npm_lifecycle_*, its
// prefix) that the bot's npm must not see, and `npm run --silent` exports a log level that would
// hide the install script's output this test reads; other npm_config_* settings (registry,
// cache) stay.
const OUR_NPM_VARS = /^npm_(package_|lifecycle_|command$|config_local_prefix$|config_ignore_scripts$|config_loglevel$|config_silent$)/i;
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !OUR_NPM_VARS.test(k)));
env.VOXPOOL_PREBUILD = ROOT;

function run(cmd, args, cwd, timeout) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout });
  if (r.error) throw new Error(`${path.basename(cmd)} ${args.join(' ')} (in ${cwd}): ${r.error.message}`);
  return r;
}

// The bot's own check, run inside it: what the report says and which class prism-media encodes with.
const CHECK = `
const { generateDependencyReport } = require('@discordjs/voice');
const prism = require('prism-media');
const voxpool = require('voxpool');
const encoder = new prism.opus.Encoder({ rate: 48000, channels: 2, frameSize: 960 });
const lib = encoder.encoder;  // prism drops it when the stream ends
const packets = [];
encoder.on('data', (p) => packets.push(p));
encoder.on('end', () => console.log(JSON.stringify({
  report: generateDependencyReport(),
  type: prism.opus.Encoder.type,
  isVoxpool: lib instanceof voxpool.OpusEncoder,
  sameClass: require('@discordjs/opus').OpusEncoder === voxpool.OpusEncoder,
  voxpoolPath: require.resolve('voxpool'),
  packets: packets.map((p) => p.length),
})));
encoder.end(Buffer.alloc(960 * 2 * 2 * 3, 1));
`;

test('voxpool installs as @discordjs/opus with npm ls valid, strict peers and the voice report', { timeout: 180000 }, (t) => {
  // One quick look-up (no retries) that the npm cache can answer: can this machine install?
  const probe = run('npm', ['view', `@discordjs/voice@${VOICE}`, 'version', '--prefer-offline', '--fetch-retries=0', '--fetch-timeout=15000'], os.tmpdir(), 30000);
  if (probe.status !== 0) {
    const why = (probe.stderr.match(/npm error (code \S+|\d{3} .*)/) || ['', `status ${probe.status}`])[1];
    const message = `the npm registry is unreachable and @discordjs/voice@${VOICE} is not in the npm cache (${why})`;
    assert.ok(!process.env.CI, `${message}; under CI this test must run`);
    t.skip(`${message}; this test runs in CI`);
    return;
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'voxpool-drop-in-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const vendor = path.join(tmp, 'vendor');
  const bot = path.join(tmp, 'bot');
  fs.mkdirSync(bot);

  const pack = run(process.execPath, [path.join(ROOT, 'scripts', 'pack-compat.js'), `--out=${vendor}`, '--json'], ROOT, 60000);
  assert.equal(pack.status, 0, pack.stderr);
  const packed = JSON.parse(pack.stdout);
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const compatVersion = `${pkg.devDependencies['@discordjs/opus']}+voxpool.${pkg.version}`;
  assert.equal(packed.compat.name, '@discordjs/opus');
  assert.equal(packed.compat.version, compatVersion);

  const rel = (file) => `file:${path.relative(bot, file).split(path.sep).join('/')}`;
  fs.writeFileSync(path.join(bot, 'package.json'), JSON.stringify({
    name: 'drop-in-bot',
    version: '1.0.0',
    private: true,
    dependencies: {
      '@discordjs/opus': rel(packed.compat.tarball),
      '@discordjs/voice': VOICE,
      'prism-media': PRISM,
      voxpool: rel(packed.voxpool.tarball),
    },
    // npm 11 runs a dependency's install script only when allowScripts names it; a tarball is
    // named by its resolved location (what `npm install-scripts approve voxpool` writes).
    allowScripts: { [`file:${packed.voxpool.tarball}`]: true },
  }, null, 2));

  const install = run('npm', ['install', '--strict-peer-deps', '--prefer-offline', '--foreground-scripts', '--no-audit', '--no-fund'], bot, 150000);
  assert.equal(install.status, 0, `npm install --strict-peer-deps failed:\n${install.stderr}`);
  assert.match(install.stdout, new RegExp(`> voxpool@${pkg.version.replace(/\./g, '\\.')} install`), 'voxpool\'s install script ran');
  assert.doesNotMatch(install.stderr, /not yet covered by allowScripts/);

  const ls = run('npm', ['ls', '--all'], bot, 30000);
  assert.equal(ls.status, 0, `npm ls --all failed:\n${ls.stdout}\n${ls.stderr}`);
  assert.doesNotMatch(ls.stdout, /invalid/);
  assert.ok(ls.stdout.includes(`@discordjs/opus@${compatVersion}`), ls.stdout);

  const check = run(process.execPath, ['-e', CHECK], bot, 30000);
  assert.equal(check.status, 0, check.stderr);
  const seen = JSON.parse(check.stdout);
  assert.ok(seen.report.includes(`- @discordjs/opus: ${compatVersion}\n`), seen.report);
  assert.equal(seen.type, '@discordjs/opus');
  assert.equal(seen.isVoxpool, true, 'prism-media encodes with voxpool\'s OpusEncoder');
  assert.equal(seen.sameClass, true);
  assert.equal(fs.realpathSync(seen.voxpoolPath), path.join(fs.realpathSync(bot), 'node_modules', 'voxpool', 'lib', 'index.js'));
  assert.equal(seen.packets.length, 3);
  for (const n of seen.packets) assert.ok(n > 0 && n <= 3828, `packet of ${n} bytes`);
});
