'use strict';
// The gateway's default speech services: offline stand-ins with the shape of real ones, so the
// example runs without network access or keys. Replace them through the gateway's `stt` and `tts`
// options (README.md shows a real service plugged in).
const { replyClip, REPLY_RATE } = require('./material');

/**
 * Speech-to-text stand-in: logs the utterance's length and answers with it as the "text".
 * A real one sends `utterance.pcm` (16 kHz mono s16, what STT services take) and returns the
 * transcript.
 * @param {{ pcm: Buffer, startMs: number, endMs: number, preRollMs: number }} utterance
 *   startMs/endMs on the device's media clock
 * @param {{ deviceId: string, log: (level: string, line: string) => void }} context
 * @returns {Promise<string>}
 */
async function sttStub(utterance, { deviceId, log }) {
  const seconds = ((utterance.endMs - utterance.startMs) / 1000).toFixed(2);
  log('info', `${deviceId}: utterance ${utterance.startMs}-${utterance.endMs} ms, ${seconds} s (${utterance.pcm.length} bytes of 16 kHz PCM with pre-roll)`);
  return `<utterance ${seconds} s>`;
}

/**
 * Text-to-speech stand-in: a spoken reply from the test material (espeak-ng, made once per
 * process), chosen by the text.
 * @param {string} text
 * @returns {Promise<Buffer>} 24 kHz mono s16 PCM
 */
async function ttsFromMaterial(text) {
  const clip = replyClip(text);
  return Buffer.from(clip.buffer, clip.byteOffset, clip.byteLength);
}

module.exports = { sttStub, ttsFromMaterial, TTS_RATE: REPLY_RATE };
