'use strict';
// The voice server's UDP side on 127.0.0.1: IP discovery, keep-alives, and RTP routed to the
// session that owns the SSRC. IP discovery (Discord's format, as @discordjs/voice builds it):
// 74 bytes = type u16 (1 request, 2 response) ‖ length u16 (70) ‖ SSRC u32 ‖ address (64 bytes,
// NUL-terminated) ‖ port u16, all big-endian.
const dgram = require('node:dgram');
const { performance } = require('node:perf_hooks');

const DISCOVERY_BYTES = 74;
const DISCOVERY_LENGTH = 70;
const KEEP_ALIVE_BYTES = 8;

/** @returns {Buffer} the response telling the client the address and port it was seen from */
function discoveryResponse(ssrc, address, port) {
  const out = Buffer.alloc(DISCOVERY_BYTES);
  out.writeUInt16BE(2, 0);
  out.writeUInt16BE(DISCOVERY_LENGTH, 2);
  out.writeUInt32BE(ssrc, 4);
  out.write(address, 8, 63, 'utf8');
  out.writeUInt16BE(port, DISCOVERY_BYTES - 2);
  return out;
}

/**
 * Answers the datagrams arriving on `socket`.
 * @param {import('node:dgram').Socket} socket
 * @param {{ findBySsrc(ssrc: number): import('./session').VoiceSession | undefined,
 *   protocolErrors: { at: number, reason: string }[] }} server
 */
function serveUdp(socket, server) {
  // Keep-alives carry no SSRC: they are matched to a session by the address discovery saw.
  const byAddress = new Map();
  socket.on('message', (msg, rinfo) => {
    const at = performance.now();
    const from = `${rinfo.address}:${rinfo.port}`;
    if (msg.length === DISCOVERY_BYTES && msg.readUInt16BE(0) === 1) {
      const ssrc = msg.readUInt32BE(4);
      const session = server.findBySsrc(ssrc);
      if (msg.readUInt16BE(2) !== DISCOVERY_LENGTH || session === undefined) {
        server.protocolErrors.push({ at, reason: `bad IP discovery from ${from} (ssrc ${ssrc})` });
        return;
      }
      byAddress.set(from, session);
      session.discovered({ address: rinfo.address, port: rinfo.port });
      socket.send(discoveryResponse(ssrc, rinfo.address, rinfo.port), rinfo.port, rinfo.address);
      return;
    }
    if (msg.length === KEEP_ALIVE_BYTES) {
      const session = byAddress.get(from);
      if (session) session.keepAlives++;
      return;
    }
    const session = msg.length >= 12 ? server.findBySsrc(msg.readUInt32BE(8)) : undefined;
    if (session === undefined) {
      server.protocolErrors.push({ at, reason: `stray datagram of ${msg.length} bytes from ${from}` });
      return;
    }
    session.receive(msg, at);
  });
}

/** @returns {Promise<import('node:dgram').Socket>} a UDP socket on 127.0.0.1, ephemeral port */
function bindUdp() {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

module.exports = { bindUdp, serveUdp };
