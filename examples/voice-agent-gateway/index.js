'use strict';
// A voice-agent gateway on voxpool: devices stream 16 kHz Opus over WebSocket, the gateway cleans
// up their speech, finds utterances, calls STT and streams TTS replies back. See README.md.
//   node examples/voice-agent-gateway [--devices 50] [--seconds 10] [--misbehave] [--verbose]
//       a gateway on 127.0.0.1 (any port) and the load generator against it; prints the report
//   node examples/voice-agent-gateway --serve [--port 8787] [--host 127.0.0.1]
//       the gateway only, until Ctrl-C
//   node examples/voice-agent-gateway --url ws://host:port [--devices N] [--seconds S]
//       the load generator only, against a running gateway
const { startGateway } = require('./gateway');
const { runLoad, LOAD_DEFAULTS } = require('./loadgen');
const { formatReport, reportLine } = require('./stats');

const USAGE = 'usage: node examples/voice-agent-gateway [--devices N] [--seconds S] [--stagger ms] [--misbehave] [--verbose] | --serve [--port P] [--host H] | --url ws://...';

/** Flags and their values; a number where a number is expected. */
function parseArgs(argv) {
  const numbers = new Set(['--devices', '--seconds', '--stagger', '--port']);
  const strings = new Set(['--host', '--url']);
  const switches = new Set(['--serve', '--misbehave', '--verbose', '--help']);
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (switches.has(a)) {
      args[a.slice(2)] = true;
    } else if (numbers.has(a) || strings.has(a)) {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      if (numbers.has(a)) {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new Error(`${a} takes a whole number, not '${v}'`);
        args[a.slice(2)] = n;
      } else {
        args[a.slice(2)] = v;
      }
    } else {
      throw new Error(`unknown argument '${a}'`);
    }
  }
  return args;
}

// The gateway logs every close and utterance at 'info': too much for a load run unless asked.
const logger = (verbose) => (level, line) => {
  if (level === 'warn') console.warn(`[gateway] ${line}`);
  else if (verbose) console.log(`[gateway] ${line}`);
};

async function serve(args) {
  const gateway = await startGateway({ host: args.host, port: args.port ?? 8787, log: logger(true) });
  console.log(`gateway listening on ${gateway.url}`);
  const stop = async () => {
    console.log(`closing: ${JSON.stringify(gateway.stats())}`);
    await gateway.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function load(args) {
  const report = await runLoad({
    devices: args.devices ?? LOAD_DEFAULTS.devices,
    seconds: args.seconds ?? LOAD_DEFAULTS.seconds,
    staggerMs: args.stagger ?? LOAD_DEFAULTS.staggerMs,
    url: args.url,
    misbehave: args.misbehave === true,
    log: logger(args.verbose === true),
  });
  console.log(formatReport(report));
  for (const m of report.misbehaving) console.log(`  misbehaving ${m.kind}: closed ${m.closeCode} ${m.closeReason}`);
  console.log(reportLine(report));
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${err.message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  await (args.serve ? serve(args) : load(args));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
