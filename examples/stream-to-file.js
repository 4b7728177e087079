'use strict';
// PCM -> Opus on the pool -> length-prefixed packets in a file, then back to PCM: the pipeline a
// bot would hand to @discordjs/voice, on generated audio.
//   node examples/stream-to-file.js [out=/tmp/voxpool-example.opusraw]
const fs = require('node:fs');
const { Readable, Transform } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { createEncoderStream, createDecoderStream } = require('..');

const out = process.argv[2] || '/tmp/voxpool-example.opusraw';

function* tone(seconds) {
  for (let f = 0; f < seconds * 50; f++) {
    const buf = Buffer.alloc(3840);
    for (let i = 0; i < 960; i++) {
      const v = Math.round(8000 * Math.sin((2 * Math.PI * 330 * (f * 960 + i)) / 48000));
      buf.writeInt16LE(v, i * 4);
      buf.writeInt16LE(v, i * 4 + 2);
    }
    yield buf;
  }
}

const frame = new Transform({
  writableObjectMode: true,
  transform(packet, _e, cb) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(packet.length);
    cb(null, Buffer.concat([len, packet]));
  },
});

(async () => {
  await pipeline(Readable.from(tone(2)), createEncoderStream({ bitrate: 64000 }), frame, fs.createWriteStream(out));
  const data = fs.readFileSync(out);
  const packets = [];
  for (let o = 0; o < data.length; o += 2 + data.readUInt16BE(o)) packets.push(data.subarray(o + 2, o + 2 + data.readUInt16BE(o)));
  let bytes = 0;
  await pipeline(Readable.from(packets), createDecoderStream(), async function* (source) { for await (const pcm of source) bytes += pcm.length; });
  console.log(`${packets.length} packets, ${data.length} bytes written to ${out}; decoded ${bytes} bytes of PCM`);
})();
