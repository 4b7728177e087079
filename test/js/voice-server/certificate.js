'use strict';
// A throwaway self-signed certificate for the loopback voice gateway. @discordjs/voice always
// connects with `wss://`, and it gives ws no TLS options, so the client process must trust this
// certificate through NODE_EXTRA_CA_CERTS (read once at startup: hence a child process).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * Makes a P-256 certificate for 127.0.0.1 / localhost, valid one day, in a new temp dir.
 * @returns {{ dir: string, certPath: string, keyPath: string, cert: Buffer, key: Buffer, remove(): void }}
 */
function createCertificate() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voxpool-voice-server-'));
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`openssl could not make the test certificate: ${err.stderr || err.message}`);
  }
  return {
    dir,
    certPath,
    keyPath,
    cert: fs.readFileSync(certPath),
    key: fs.readFileSync(keyPath),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

module.exports = { createCertificate };
