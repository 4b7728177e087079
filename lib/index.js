'use strict';
/**
 * voxpool: Opus, voice crypto and mixing on a process-wide native thread pool.
 * Each feature lives in its own module; this file only gathers their exports.
 */
const { VoxpoolError } = require('./errors');

module.exports = {
  VoxpoolError,
  ...require('./pool'),
  ...require('./opus'),
  ...require('./compat'),
  ...require('./opus-streams'),
  ...require('./transcode-stream'),
  // voice crypto, RTP, secretstream and pipelines (issue 3) register here
  ...require('./voice-cipher'),
  ...require('./rtp'),
  ...require('./secretstream'),
  ...require('./voice-pipeline'),
  // mixer and resampler (issue 4) register here
  ...require('./mixer'),
  ...require('./resampler'),
  ...require('./speaker-mixer'),
  ...require('./mixer-streams'),
  ...require('./speaker-streams'),
  // containers (issue 8) register here
  ...require('./ogg-demuxer'),
  ...require('./ogg-muxer'),
  ...require('./webm-demuxer'),
  ...require('./demux-file'),
  // filters (issue 11)
  FilterChain: require('./filter-chain').FilterChain,
  filterConstants: require('./filter-chain').filterConstants,
  SpeechProcessor: require('./speech-processor').SpeechProcessor,
  speechConstants: require('./speech-processor').speechConstants,
  createUtteranceStream: require('./utterance-stream').createUtteranceStream,
  SpeechOutput: require('./speech-output').SpeechOutput,
  createSpeechOutput: require('./speech-output').createSpeechOutput,
  speechOutputConstants: require('./speech-output').speechOutputConstants,
  ...require('./filter-stream'),
  Crossfade: require('./crossfade').Crossfade,
  ...require('./report'),
  AdaptiveComplexity: require('./adaptive').AdaptiveComplexity,
};
