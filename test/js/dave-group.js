'use strict';
// Two real @snazzah/davey sessions in one DAVE (MLS) group, formed locally with the test playing
// Discord's voice server as the MLS external sender (../shared/REFERENCE.md, "DAVE without
// Discord"): RFC 9420 encodings, QUIC-style variable-length integers for opaque<V> fields.
const crypto = require('node:crypto');
const { DAVESession, DAVE_PROTOCOL_VERSION, ProposalsOperationType, MediaType } = require('@snazzah/davey');

/** RFC 9000 variable-length integer (the length prefix of MLS opaque<V>). */
function varint(n) {
  if (n < 0x40) return Buffer.from([n]);
  if (n < 0x4000) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.alloc(4);
  b.writeUInt32BE((0x80000000 | n) >>> 0);
  return b;
}
const opaque = (bytes) => Buffer.concat([varint(bytes.length), bytes]);
const u8 = (n) => Buffer.from([n]);
const u16 = (n) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b; };

const MLS10 = 1;
const PUBLIC_MESSAGE = 1;
const SENDER_EXTERNAL = 2;
const CONTENT_PROPOSAL = 2;
const PROPOSAL_ADD = 1;
const CREDENTIAL_BASIC = 1;

/**
 * Forms a group of a bot (the sender) and a peer (a listener) in `channelId`, epoch 1.
 * @returns {{ bot: DAVESession, peer: DAVESession, botId: string, peerId: string, audio: number }}
 */
function formGroup({ channelId = '123456789012345678', botId = '111111111111111111', peerId = '222222222222222222' } = {}) {
  // The voice server's signing key, announced to both sessions as the external sender.
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([u8(4), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  const externalSender = Buffer.concat([opaque(point), u16(CREDENTIAL_BASIC), opaque(Buffer.from('voice-server'))]);

  const bot = new DAVESession(DAVE_PROTOCOL_VERSION, botId, channelId);
  const peer = new DAVESession(DAVE_PROTOCOL_VERSION, peerId, channelId);
  bot.setExternalSender(externalSender);
  peer.setExternalSender(externalSender);

  // The server proposes adding the peer: a PublicMessage signed by the external sender.
  const content = Buffer.concat([
    opaque(u64(channelId)), u64(0), u8(SENDER_EXTERNAL), u32(0), opaque(Buffer.alloc(0)),
    u8(CONTENT_PROPOSAL), u16(PROPOSAL_ADD), peer.getSerializedKeyPackage(),
  ]);
  const header = Buffer.concat([u16(MLS10), u16(PUBLIC_MESSAGE)]);
  const tbs = Buffer.concat([opaque(Buffer.from('MLS 1.0 FramedContentTBS')), opaque(Buffer.concat([header, content]))]);
  const signature = crypto.sign('sha256', tbs, privateKey);  // ECDSA P-256, DER
  const proposals = opaque(Buffer.concat([header, content, opaque(signature)]));

  const { commit, welcome } = bot.processProposals(ProposalsOperationType.APPEND, proposals, [peerId]);
  bot.processCommit(commit);
  peer.processWelcome(welcome);
  return { bot, peer, botId, peerId, audio: MediaType.AUDIO };
}

module.exports = { formGroup };
