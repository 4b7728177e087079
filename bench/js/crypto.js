'use strict';
/**
 * Per-packet voice transport crypto from JS: seal and open of one Discord voice packet (12-byte
 * RTP header as additional data, 160-byte Opus payload), both modes, each contender in a fresh
 * child process. Contenders: voxpool (sealInto/openInto: no allocation; seal/open: one Buffer),
 * sodium-native, node:crypto with a new cipher per packet (what @discordjs/voice 0.18 does),
 * libsodium-wrappers (wasm) and @noble/ciphers (pure JS).
 *
 * Usage: node bench/js/crypto.js [--quick]   (prints a Markdown table, writes bench/out/crypto.json)
 */
const crypto = require('node:crypto');
const path = require('node:path');
const common = require('./common');

const PAYLOAD = 160;
const HEADER = Buffer.from('80780001000003c00000002a', 'hex');
const KEY = Buffer.alloc(32, 7);

function nonceOf(n, size) {
  const b = Buffer.alloc(size);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

/** Each factory returns { seal(): void, open(): void, note } on a fixed packet. */
const CONTENDERS = {
  'voxpool gcm sealInto': () => voxpool('aead_aes256_gcm_rtpsize', true),
  'voxpool gcm seal': () => voxpool('aead_aes256_gcm_rtpsize', false),
  'voxpool xchacha sealInto': () => voxpool('aead_xchacha20_poly1305_rtpsize', true),
  'voxpool xchacha seal': () => voxpool('aead_xchacha20_poly1305_rtpsize', false),
  'node:crypto gcm (new cipher per packet)'() {
    const payload = crypto.randomBytes(PAYLOAD);
    let n = 0;
    const sealOnce = () => {
      const nonce = nonceOf(++n, 12);
      const c = crypto.createCipheriv('aes-256-gcm', KEY, nonce);
      c.setAAD(HEADER);
      return Buffer.concat([HEADER, c.update(payload), c.final(), c.getAuthTag(), nonce.subarray(0, 4)]);
    };
    const sealed = sealOnce();
    return {
      seal: sealOnce,
      open() {
        const nonce = Buffer.alloc(12);
        sealed.copy(nonce, 0, sealed.length - 4);
        const d = crypto.createDecipheriv('aes-256-gcm', KEY, nonce);
        d.setAAD(sealed.subarray(0, 12));
        d.setAuthTag(sealed.subarray(sealed.length - 20, sealed.length - 4));
        return Buffer.concat([d.update(sealed.subarray(12, sealed.length - 20)), d.final()]);
      },
    };
  },
  'sodium-native xchacha (preallocated output)'() {
    const sodium = require('sodium-native');
    const payload = crypto.randomBytes(PAYLOAD);
    const out = Buffer.alloc(PAYLOAD + 16);
    const plain = Buffer.alloc(PAYLOAD);
    const nonce = Buffer.alloc(24);
    let n = 0;
    const sealOnce = () => {
      nonce.writeUInt32BE(++n >>> 0, 0);
      sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out, payload, HEADER, null, nonce, KEY);
    };
    sealOnce();
    const sealed = Buffer.from(out);
    const openNonce = Buffer.from(nonce);
    return {
      seal: sealOnce,
      open: () => sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(plain, null, sealed, HEADER, openNonce, KEY),
    };
  },
  async 'libsodium-wrappers xchacha (wasm)'() {
    const sodium = require('libsodium-wrappers');
    await sodium.ready;
    const payload = crypto.randomBytes(PAYLOAD);
    let n = 0;
    const sealOnce = () => sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(payload, HEADER, null, nonceOf(++n, 24), KEY);
    const sealed = sealOnce();
    const nonce = nonceOf(n, 24);
    return {
      seal: sealOnce,
      open: () => sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, sealed, HEADER, nonce, KEY),
    };
  },
  '@noble/ciphers gcm (pure JS)': () => noble('gcm'),
  '@noble/ciphers xchacha (pure JS)': () => noble('xchacha'),
};

function voxpool(mode, into) {
  const { VoiceCipher } = require(path.join(common.ROOT, 'lib', 'voice-cipher'));
  const c = new VoiceCipher(mode, KEY);
  const packet = Buffer.concat([HEADER, crypto.randomBytes(PAYLOAD)]);
  const out = Buffer.alloc(packet.length + 20);
  const back = Buffer.alloc(packet.length);
  c.sealInto(packet, out);
  const sealed = Buffer.from(out);
  const wrap = () => { if (c.nonce > 0xfffff000) c.nonce = 0; };
  return into
    ? { seal: () => { c.sealInto(packet, out); }, open: () => c.openInto(sealed, back), reset: wrap }
    : { seal: () => c.seal(packet), open: () => c.open(sealed), reset: wrap };
}

function noble(kind) {
  const { gcm } = require('@noble/ciphers/aes');
  const { xchacha20poly1305 } = require('@noble/ciphers/chacha');
  const payload = crypto.randomBytes(PAYLOAD);
  let n = 0;
  const make = (nonce) => (kind === 'gcm' ? gcm(KEY, nonce, HEADER) : xchacha20poly1305(KEY, nonce, HEADER));
  const size = kind === 'gcm' ? 12 : 24;
  const sealOnce = () => make(nonceOf(++n, size)).encrypt(payload);
  const sealed = sealOnce();
  const nonce = nonceOf(n, size);
  return { seal: sealOnce, open: () => make(nonce).decrypt(sealed) };
}

/** ns per call: best of `rounds` timed rounds of `iters` calls, after a warm-up. */
function measure(fn, iters, rounds) {
  for (let i = 0; i < Math.min(iters, 20000); i++) fn();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / iters);
  }
  return best;
}

async function child(payload) {
  const c = await CONTENDERS[payload.name]();
  // Size rounds to ~0.15 s (quick: ~0.05 s) from a calibration pass.
  const per = measure(c.seal, 2000, 1);
  const iters = Math.max(1000, Math.round((payload.quick ? 0.05e9 : 0.15e9) / per));
  if (c.reset) c.reset();
  const seal = measure(c.seal, iters, 5);
  const open = measure(c.open, iters, 5);
  return { seal, open };
}

async function main() {
  const args = common.parseArgs();
  if (await common.runAsChild(args, child)) return;
  const started = Date.now();
  const results = [];
  for (const name of Object.keys(CONTENDERS)) {
    const r = common.runChild(__filename, { name, quick: !!args.quick }, { timeoutMs: 30000 });
    results.push({ name, ...r });
  }
  const rows = results.map((r) => [r.name, r.error ? common.oneLine(r.error) : common.fmt(r.seal / 1000, 3),
    r.error ? '–' : common.fmt(r.open / 1000, 3)]);
  const md = [
    `### Voice packet crypto per packet (${PAYLOAD}-byte payload, 12-byte header as AAD), µs, best of 5`,
    '',
    common.table(['contender', 'seal µs', 'open µs'], rows),
    '',
    'Targets: voxpool GCM seal ≤ 0.4 µs, XChaCha seal ≤ 0.8 µs (sync path, sealInto).',
  ].join('\n');
  process.stdout.write(`${md}\n`);
  common.writeOut('crypto.json', { machine: common.machine(), payloadBytes: PAYLOAD, unit: 'ns', results, seconds: (Date.now() - started) / 1000 });
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
