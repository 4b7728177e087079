'use strict';
/**
 * `npm run bench`: prints the machine, then runs each JS benchmark in its own child process and
 * prints its Markdown tables: opus-frame.js, opus-realtime.js, then crypto.js, voice-sender.js,
 * mixer.js, filters.js (Lavalink's filters against @discord-player/equalizer), demux.js (Ogg Opus, or WebM with --format webm: voxpool against prism-media), passthrough.js (an Opus track
 * demuxed against FFmpeg decode + re-encode) and discord.js (the @discordjs/voice end-to-end one) when they exist. Each writes JSON to bench/out/; the realtime one also writes bench/out/realtime.svg.
 * The whole Markdown report is saved as bench/out/report.md and a summary as bench/out/run.json.
 *
 * Options: --quick (short points, fewer stream counts: about 1–2 min for the Opus part on
 * 2 cores); --seconds S (realtime seconds per point); --only opus-frame,opus-realtime,...
 * --quick is forwarded to every script; the other options only to the Opus scripts.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const common = require('./common');

const SCRIPTS = ['opus-frame', 'opus-realtime', 'crypto', 'voice-sender', 'mixer', 'filters', 'demux', 'passthrough', 'discord'];

function runScript(name, argv) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [path.join(__dirname, `${name}.js`), ...argv], {
      cwd: common.ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      stdout += d;
      process.stdout.write(d);
    });
    child.on('close', (code, signal) => resolve({ name, code, signal, seconds: (Date.now() - started) / 1000, stdout }));
  });
}

async function main() {
  const args = common.parseArgs();
  const only = args.only ? String(args.only).split(',') : null;
  const m = common.machine();
  const header = `# voxpool benchmarks${args.quick ? ' (quick)' : ''}\n\n## Machine\n\n${common.machineMarkdown(m)}\n`;
  console.log(header);
  const report = [header];
  const runs = [];
  for (const name of SCRIPTS) {
    if (only && !only.includes(name)) continue;
    if (!fs.existsSync(path.join(__dirname, `${name}.js`))) continue;
    const argv = [];
    // The @discordjs/voice benchmark runs its short grid here (about 2 min: a fresh bot process
    // per point); `npm run bench:discord` runs the full one.
    if (args.quick || name === 'discord') argv.push('--quick');
    if (name.startsWith('opus-') || name === 'discord' || name === 'demux' || name === 'passthrough' || name === 'filters') {
      argv.push('--no-header');
      if (name === 'opus-realtime' && args.seconds) argv.push('--seconds', String(args.seconds));
    }
    console.log(`## ${name}\n`);
    const r = await runScript(name, argv);
    report.push(`## ${name}\n\n${r.stdout.trim()}\n`);
    if (r.code !== 0) {
      const msg = `**${name}.js exited with ${r.signal || r.code}**`;
      console.log(`\n${msg}\n`);
      report.push(`${msg}\n`);
    }
    console.log('');
    runs.push({ name, code: r.code, signal: r.signal, seconds: r.seconds });
  }
  common.writeOut('report.md', report.join('\n'));
  const file = common.writeOut('run.json', { machine: m, quick: !!args.quick, runs });
  console.log(`Report: ${path.join(common.OUT_DIR, 'report.md')}\nSummary: ${file}`);
  process.exitCode = runs.some((r) => r.code !== 0) ? 1 : 0;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
