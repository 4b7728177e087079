'use strict';
// Every number an API takes refuses NaN and ±Infinity with the uniform message (a NaN compares
// false with every bound, so a range check alone lets it through to native code).
const test = require('node:test');
const assert = require('node:assert/strict');
const voxpool = require('../..');

const { Encoder, Decoder, Mixer, SpeakerMixer, Resampler, VolumeTransformer } = voxpool;

/** [label, parameter name as the message spells it, call taking the bad value] */
function entries() {
  const mixer = new Mixer();
  const id = mixer.addSource();
  const volume = new VolumeTransformer();
  const encoder = new Encoder();
  const decoder = new Decoder();
  return [
    ['Encoder bitrate', 'bitrate', (v) => new Encoder({ bitrate: v })],
    ['Encoder complexity', 'complexity', (v) => new Encoder({ complexity: v })],
    ['Encoder packetLoss', 'packetLoss', (v) => new Encoder({ packetLoss: v })],
    ['Encoder maxQueue', 'maxQueue', (v) => new Encoder({ maxQueue: v })],
    ['Encoder#setBitrate', 'bitrate', (v) => encoder.setBitrate(v)],
    ['Encoder#setComplexity', 'complexity', (v) => encoder.setComplexity(v)],
    ['Encoder#setPacketLoss', 'packetLoss', (v) => encoder.setPacketLoss(v)],
    ['Encoder#ctl value', 'value', (v) => encoder.ctl(4002, v)],
    ['Encoder#getCtl', 'request', (v) => encoder.getCtl(v)],
    ['Decoder#decode frameSize', 'frameSize', (v) => decoder.decode(null, { frameSize: v })],
    ['Mixer ceilingDb', 'ceilingDb', (v) => new Mixer({ ceilingDb: v })],
    ['Mixer limiterReleaseMs', 'limiterReleaseMs', (v) => new Mixer({ limiterReleaseMs: v })],
    ['Mixer#addSource gain', 'gain', (v) => mixer.addSource({ gain: v })],
    ['Mixer#addSource gainDb', 'gainDb', (v) => mixer.addSource({ gainDb: v })],
    ['Mixer#addSource pan', 'pan', (v) => mixer.addSource({ pan: v })],
    ['Mixer#setGain', 'db', (v) => mixer.setGain(id, v)],
    ['Mixer#setGain rampMs', 'rampMs', (v) => mixer.setGain(id, 0, { rampMs: v })],
    ['Mixer#setGainLinear', 'gain', (v) => mixer.setGainLinear(id, v)],
    ['Mixer#setPan', 'pan', (v) => mixer.setPan(id, v)],
    ['Mixer#setMasterGain', 'db', (v) => mixer.setMasterGain(v)],
    ['Mixer#setDucking depthDb', 'depthDb', (v) => mixer.setDucking({ depthDb: v })],
    ['Mixer#setDucking attackMs', 'attackMs', (v) => mixer.setDucking({ attackMs: v })],
    ['Mixer#setDucking releaseMs', 'releaseMs', (v) => mixer.setDucking({ releaseMs: v })],
    ['Mixer#setDucking holdMs', 'holdMs', (v) => mixer.setDucking({ holdMs: v })],
    ['Mixer#setDucking thresholdDb', 'thresholdDb', (v) => mixer.setDucking({ thresholdDb: v })],
    ['SpeakerMixer ceilingDb', 'ceilingDb', (v) => new SpeakerMixer({ ceilingDb: v })],
    ['Resampler inputRate', 'inputRate', (v) => new Resampler({ inputRate: v, outputRate: 16000 })],
    ['VolumeTransformer volume', 'volume', (v) => new VolumeTransformer({ volume: v })],
    ['VolumeTransformer rampMs', 'rampMs', (v) => new VolumeTransformer({ rampMs: v })],
    ['VolumeTransformer#setVolume', 'volume', (v) => volume.setVolume(v)],
    ['VolumeTransformer#setVolumeDecibels', 'db', (v) => volume.setVolumeDecibels(v)],
    ['VolumeTransformer#setVolumeLogarithmic', 'value', (v) => volume.setVolumeLogarithmic(v)],
    ['configure threads', 'threads', (v) => voxpool.configure({ threads: v })],
    ['configure capacity', 'capacity', (v) => voxpool.configure({ capacity: v })],
  ];
}

for (const bad of [NaN, Infinity, -Infinity]) {
  test(`${bad} is refused by every numeric parameter with the uniform message`, () => {
    for (const [label, name, call] of entries()) {
      assert.throws(() => call(bad), (err) => {
        assert.ok(err instanceof RangeError || err instanceof TypeError, `${label}: ${err}`);
        assert.match(err.message, new RegExp(`^Expected .+ for ${name} but received ${bad} of type number$`), label);
        return true;
      }, label);
    }
  });
}
