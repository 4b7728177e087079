'use strict';
// The mutants scripts/mutate.js applies: small, realistic bugs a developer could write, each of
// which compiles. A mutant names the tests that should catch it; `find` must occur exactly once
// in `file` (mutate.js exits 2 otherwise, so keep an entry in step when the code moves).

/**
 * @typedef {object} Mutant
 * @property {string} id kebab-case, unique
 * @property {string} file repository-relative path under src/, include/, binding/ or lib/
 * @property {string} find text that occurs exactly once in `file`
 * @property {string} replace what `find` becomes (may be empty: a deleted line)
 * @property {{native?: string, js?: string[]}} tests `native`: a `ctest -R` regular expression
 *   over GoogleTest names (`Suite.Name`, `Prefix/Suite.Name/Param`); `js`: test files
 * @property {string} why the bug, and what it breaks for a user
 */

/** @type {Mutant[]} */
module.exports = [
  // ----- pool, completion and settlement ---------------------------------------------------------
  {
    id: 'notify-batch-clock-restarts',
    file: 'src/pool/completion_queue.cc',
    find: '  if (count_ == 0) oldest_ns_ = NowNs();',
    replace: '  oldest_ns_ = NowNs();',
    tests: { native: '^CompletionQueue\\.|^NotifyBatch\\.' },
    why: 'NotifyBatch::Add restarts the staleness clock on every add, so a worker that keeps ' +
      'completing into new queues never flushes: wake-ups are held back past the 2 ms bound.',
  },
  {
    id: 'pool-capacity-off-by-one',
    file: 'src/pool/thread_pool.cc',
    find: 'if (queued_.fetch_add(1, std::memory_order_relaxed) >= limit) {',
    replace: 'if (queued_.fetch_add(1, std::memory_order_relaxed) > limit) {',
    tests: { native: '^ThreadPool\\.|^SharedPool\\.' },
    why: 'Admit() lets capacity + 1 jobs queue: configure({capacity}) is exceeded by one.',
  },
  {
    id: 'strand-capacity-off-by-one',
    file: 'src/pool/strand.cc',
    find: 'if (queue_.size() >= options_.capacity) {',
    replace: 'if (queue_.size() > options_.capacity) {',
    tests: { native: '^StrandTest\\.(FullStrand|DropOldest)|^ThreadPool\\.DropOldest' },
    why: 'A strand queues maxQueue + 1 jobs before refusing or dropping.',
  },
  {
    id: 'drop-oldest-drops-newest',
    file: 'src/pool/strand.cc',
    find: 'evicted = std::move(queue_.front());\n      queue_.pop_front();',
    replace: 'evicted = std::move(queue_.back());\n      queue_.pop_back();',
    tests: { native: '^StrandTest\\.DropOldest|^ThreadPool\\.DropOldest' },
    why: "overflow: 'drop-oldest' evicts the newest queued frame, so stale audio plays and fresh " +
      'audio is dropped.',
  },
  {
    id: 'deadline-check-inverted',
    file: 'src/pool/strand.cc',
    find: 'job->started_ns > job->deadline_ns',
    replace: 'job->started_ns < job->deadline_ns',
    tests: { native: '^StrandTest\\.Deadlines' },
    why: 'Jobs that start in time are failed with ERR_VOXPOOL_DEADLINE_EXCEEDED and late ones run.',
  },
  {
    id: 'drain-not-exhaustive',
    file: 'binding/pool/env_context.cc',
    find: 'queue_->Drain(scratch_, SIZE_MAX)',
    replace: 'queue_->Drain(scratch_, kDrainBatch)',
    tests: { js: ['test/js/pool.test.js'] },
    why: 'A bounded drain may hold job b without its strand predecessor a, so sorting by sequence ' +
      'no longer restores order: one encoder\'s promises can settle out of order under load.',
  },

  {
    id: 'ready-heap-fifo',
    file: 'src/pool/thread_pool.cc',
    find: '    return a.due_ns != b.due_ns ? a.due_ns > b.due_ns : a.order > b.order;',
    replace: '    return a.order > b.order;',
    tests: { native: '^DueOrderTest\\.', js: ['test/js/due-order.test.js'] },
    why: 'The pool serves strands first come, first served: a stream about to run dry waits behind ' +
      'frames needed much later, and @discordjs/voice finds nothing to read (issue 7, item 2).',
  },
  {
    id: 'turn-never-yields',
    file: 'src/pool/strand.cc',
    find: '      } else if (i > 0 && queue_.front()->due_ns > pool_->EarliestWaitingNs()) {',
    replace: '      } else if (false) {',
    tests: { native: '^DueOrderTest\\.' },
    why: 'A strand with a backlog runs a whole turn (8 frames) while another stream\'s frame due ' +
      'sooner waits: earliest-due-first holds only between turns.',
  },
  {
    id: 'worker-nice-ignored',
    file: 'src/pool/thread_pool.cc',
    find: '    if (errno == 0) (void)setpriority(PRIO_PROCESS, tid, std::min(inherited + nice, 19));',
    replace: '    (void)inherited;',
    tests: { native: '^ThreadPool\\.WorkersRun' },
    why: 'configure({ workerNice }) is accepted and reported but the workers keep the event loop\'s ' +
      'priority: on saturated cores the audio cycle runs late.',
  },
  // ----- Opus and its streams --------------------------------------------------------------------
  {
    id: 'vbr-constraint-sent-as-vbr',
    file: 'src/opus/encoder.cc',
    find: '      {OPUS_SET_VBR_CONSTRAINT_REQUEST,\n       o.vbr_constraint',
    replace: '      {OPUS_SET_VBR_REQUEST,\n       o.vbr_constraint',
    tests: { native: '^OpusCodec\\.|^OpusBadArguments\\.', js: ['test/js/opus.test.js'] },
    why: 'The vbrConstraint option is sent as OPUS_SET_VBR: vbrConstraint: false turns the encoder ' +
      'to CBR and the constraint itself is never changed.',
  },
  {
    id: 'fec-option-misnamed',
    file: 'binding/options.cc',
    find: 'options.inband_fec = OptionalBool(o, "fec");',
    replace: 'options.inband_fec = OptionalBool(o, "inbandFec");',
    tests: { js: ['test/js/opus.test.js'] },
    why: 'The binding reads the FEC option under another name than lib/ passes, so fec: true is ' +
      'silently ignored and lost packets are never recovered.',
  },
  {
    id: 'decoder-fec-flag-dropped',
    file: 'src/opus/decoder.cc',
    find: '\n                     max_samples, fec ? 1 : 0);',
    replace: '\n                     max_samples, 0);',
    tests: { native: '^OpusCodec\\.|^VoicePipeline\\.' },
    why: 'Decoder::Decode (s16) never passes decode_fec to libopus: a FEC decode returns the next ' +
      'frame instead of the lost one.',
  },
  {
    id: 'plc-before-first-decode-10ms',
    file: 'binding/opus/decoder_wrap.cc',
    find: 'return max != 0 ? max : decoder.sample_rate() / 50;',
    replace: 'return max != 0 ? max : decoder.sample_rate() / 100;',
    tests: { js: ['test/js/opus.test.js', 'test/js/compat.test.js'] },
    why: 'decode(null) before any packet was decoded conceals 10 ms instead of 20 ms, so a stream ' +
      'that starts with a loss drifts out of sync.',
  },
  {
    id: 'plc-ignores-frame-size',
    file: 'binding/opus/decoder_wrap.cc',
    find: 'const int max = frame_size != 0 ? frame_size : decoder.LastFrameSize();',
    replace: 'const int max = decoder.LastFrameSize();',
    tests: { js: ['test/js/opus.test.js'] },
    why: 'decodeAsync(null, { frameSize }) conceals the last frame size instead of the requested one.',
  },
  {
    id: 'compat-ignores-byte-offset',
    file: 'lib/compat.js',
    find: 'Buffer.alloc(0) : Buffer.from(view.buffer, view.byteOffset, view.byteLength);',
    replace: 'Buffer.alloc(0) : Buffer.from(view.buffer, 0, view.byteLength);',
    tests: { js: ['test/js/compat.test.js'] },
    why: 'The @discordjs/opus drop-in reads a typed-array view from the start of its ArrayBuffer, ' +
      'encoding the wrong samples for any view with a byteOffset (a pooled or sliced frame).',
  },

  {
    id: 'encoder-stream-no-backpressure',
    file: 'lib/frame-feeder.js',
    find: '      if (!this.#jobs.hasRoom) {\n' +
      '        this.#jobs.whenRoom(() => this.#submit(data, offset, size, callback));\n' +
      '        return;\n' +
      '      }\n',
    replace: '',
    tests: { js: ['test/js/opus-streams.test.js'] },
    why: 'The encoder stream (and the filter stream, through the same FrameFeeder) submits every ' +
      'frame of a chunk at once and calls back at once: the writer never waits, so a fast ' +
      'producer queues unbounded jobs past readAhead.',
  },

  {
    id: 'transcoder-applies-every-frame',
    file: 'src/opus/transcoder.cc',
    find: '  if (command.generation != applied_generation_) {',
    replace: '  if (true) {',
    tests: { native: '^OpusTranscoder\\.' },
    why: 'Every frame restarts the volume ramp from where it is: a fade never finishes (each frame ' +
      'steps 1/N of the remaining way), and a stale command overrides a newer one.',
  },
  {
    id: 'transcoder-conceals-20ms-always',
    file: 'src/opus/transcoder.cc',
    find: '    max = decoder_->LastFrameSize();\n',
    replace: '    max = 0;\n',
    tests: { native: '^OpusTranscoder\\.' },
    why: 'A lost packet in a 10 ms or 60 ms stream is concealed as 20 ms: the output drifts out of ' +
      'step with its timestamps.',
  },
  {
    id: 'transcode-stream-volume-not-a-new-generation',
    file: 'lib/transcode-stream.js',
    find: '    this.#volume = { generation: this.#volume.generation + 1, target: volume, rampMs: ramp };',
    replace: '    this.#volume = { generation: this.#volume.generation, target: volume, rampMs: ramp };',
    tests: { js: ['test/js/transcode-stream.test.js'] },
    why: 'resource.volume.setVolume() updates the getter but the audio never changes.',
  },
  // ----- crypto ----------------------------------------------------------------------------------
  {
    id: 'nonce-host-byte-order',
    file: 'src/crypto/voice_cipher.cc',
    find: '  nonce[0] = static_cast<uint8_t>(counter >> 24);\n' +
      '  nonce[1] = static_cast<uint8_t>(counter >> 16);\n' +
      '  nonce[2] = static_cast<uint8_t>(counter >> 8);\n' +
      '  nonce[3] = static_cast<uint8_t>(counter);',
    replace: '  std::memcpy(nonce, &counter, sizeof(counter));',
    tests: { native: 'VoiceCipher', js: ['test/js/voice-cipher.test.js'] },
    why: 'The nonce counter is written in host (little-endian) order, not big-endian as Discord ' +
      'reads it: our packets open here but not at Discord.',
  },
  {
    id: 'seal-ad-fixed-header-only',
    file: 'src/crypto/voice_cipher.cc',
    find: 'crypto_aead_xchacha20poly1305_ietf_encrypt(c, &clen, m, mlen, out, ad_bytes, nullptr,',
    replace: 'crypto_aead_xchacha20poly1305_ietf_encrypt(c, &clen, m, mlen, out, voice::rtp::kFixedHeaderBytes, nullptr,',
    tests: { native: 'VoiceCipher', js: ['test/js/voice-cipher.test.js'] },
    why: 'XChaCha seal authenticates only the 12-byte fixed header, not the CSRCs and extension ' +
      'header the rtpsize modes cover: packets with an extension fail to open.',
  },
  {
    id: 'secretstream-final-not-recorded',
    file: 'src/crypto/secret_stream.cc',
    find: '  if (t == kTagFinal) finished_ = true;',
    replace: '',
    tests: { native: '^SecretStream\\.', js: ['test/js/secretstream.test.js'] },
    why: 'Pull() does not record the FINAL tag: a complete stream is reported as truncated and ' +
      'messages after FINAL are accepted.',
  },

  // ----- RTP -------------------------------------------------------------------------------------
  {
    id: 'rtp-csrc-count-mask',
    file: 'src/voice/rtp.cc',
    find: 'h.csrc_count = data[0] & 0x0F;',
    replace: 'h.csrc_count = data[0] & 0x1F;',
    tests: { native: '^Rtp' },
    why: 'The CSRC count takes the X bit too: any packet with a header extension is read as having ' +
      '16+ CSRCs.',
  },
  {
    id: 'rtp-zero-padding-accepted',
    file: 'src/voice/rtp.cc',
    find: 'if (pad == 0 || pad > size - body_end)',
    replace: 'if (pad > size - body_end)',
    tests: { native: '^Rtp' },
    why: 'A padding length byte of 0 (invalid: it counts itself) is accepted as no padding.',
  },
  {
    id: 'rtp-js-extension-length-in-bytes',
    file: 'lib/rtp.js',
    find: 'bodyEnd += 4 * h.extension.words;',
    replace: 'bodyEnd += h.extension.words;',
    tests: { js: ['test/js/rtp.test.js'] },
    why: 'parseRtpPacket reads the extension length as bytes, not 32-bit words: the payload starts ' +
      'inside the extension body.',
  },
  {
    id: 'rtp-js-sequence-delta-unsigned',
    file: 'lib/rtp.js',
    find: 'return (((b - a) & 0xffff) << 16) >> 16;',
    replace: 'return (((b - a) & 0xffff) << 16) >>> 16;',
    tests: { js: ['test/js/rtp.test.js'] },
    why: 'sequenceDelta shifts without sign, so an older packet looks 65535 - n newer.',
  },

  // ----- mixers ----------------------------------------------------------------------------------
  {
    id: 'limiter-attack-whole-frame',
    file: 'src/mix/limiter.cc',
    find: 'ramp = std::min(attack_samples_, frames);',
    replace: 'ramp = frames;',
    tests: { native: '^LimiterTest\\.|^MixerTest\\.|^SpeakerMixerTest\\.' },
    why: 'The limiter spreads its gain reduction over the whole frame instead of the attack time: ' +
      'the start of a loud onset passes unattenuated and is left to the soft clipper.',
  },
  {
    id: 'mixer-db-as-power',
    file: 'lib/mixer-util.js',
    find: 'return 10 ** (db / 20);',
    replace: 'return 10 ** (db / 10);',
    tests: { js: ['test/js/mixer.test.js'] },
    why: 'dB converted as a power ratio: setGain(id, -6) gives -12 dB of amplitude.',
  },
  {
    id: 'mixer-solo-counts-removed-sources',
    file: 'src/mix/mixer.cc',
    find: 'any_solo_ = any_solo_ || (s.in_use && s.solo);',
    replace: 'any_solo_ = any_solo_ || s.solo;',
    tests: { native: '^MixerTest\\.', js: ['test/js/mixer.test.js'] },
    why: 'A soloed source that is removed keeps every other source silenced.',
  },
  {
    id: 'mixer-set-pan-left-sign',
    file: 'src/mix/mixer_controls.cc',
    find: 's.pan_l.Set(std::min(1.0f, 1.0f - pan), ramp);',
    replace: 's.pan_l.Set(std::min(1.0f, 1.0f + pan), ramp);',
    tests: { native: '^MixerTest\\.', js: ['test/js/mixer.test.js'] },
    why: 'setPan moves the left gain the wrong way: panning right leaves the left channel at unity.',
  },
  {
    id: 'mixer-master-gain-only-while-ramping',
    file: 'src/mix/mixer.cc',
    find: 'if (master_.value() != 1.0f || master_.ramping()) {',
    replace: 'if (master_.ramping()) {',
    tests: { native: '^MixerTest\\.', js: ['test/js/mixer.test.js'] },
    why: 'The master gain is applied only while it ramps: a steady or unramped setMasterGain has ' +
      'no effect.',
  },
  {
    id: 'gain-ramp-one-sample-short',
    file: 'include/voxpool/mix/gain_ramp.h',
    find: '    remaining_ = ramp_samples;',
    replace: '    remaining_ = ramp_samples - 1;',
    tests: { native: '^GainRampTest\\.|^MixerTest\\.|^SpeakerMixerTest\\.' },
    why: 'GainRamp ends one sample early with a final step twice the size: ramps are not on time.',
  },
  {
    id: 'volume-rounds-instead-of-floor',
    file: 'src/mix/volume.cc',
    find: 'double v = std::floor(static_cast<double>(x) * g);',
    replace: 'double v = std::round(static_cast<double>(x) * g);',
    tests: { native: '^MixerVolumeTest\\.', js: ['test/js/volume-transformer.test.js'] },
    why: "s16 volume rounds to nearest instead of prism-media's floor: output bytes differ from " +
      'the VolumeTransformer it replaces.',
  },
  {
    id: 'speaker-sequence-delta-widened',
    file: 'src/mix/speaker_mixer.cc',
    find: 'const int16_t delta = static_cast<int16_t>(sequence - static_cast<uint16_t>(s->max_seq));',
    replace: 'const int32_t delta = static_cast<int32_t>(sequence) - static_cast<uint16_t>(s->max_seq);',
    tests: { native: '^SpeakerMixerTest\\.', js: ['test/js/speaker-mixer.test.js'] },
    why: 'The RTP sequence delta is computed in 32 bits, so the 65535 -> 0 wrap looks like a step ' +
      'back: the extended sequence stops advancing and losses after a wrap are never counted.',
  },
  {
    id: 'speaker-anchor-ignores-jitter',
    file: 'src/mix/speaker_mixer.cc',
    find: 's.next_ts = timestamp - static_cast<uint32_t>(input_tick_ * options_.jitter_frames);',
    replace: 's.next_ts = timestamp - static_cast<uint32_t>(input_tick_);',
    tests: { native: '^SpeakerMixerTest\\.' },
    why: 'A new speaker is anchored one tick behind its first packet instead of jitterFrames ticks: ' +
      'the jitter buffer is effectively one frame deep.',
  },
  {
    id: 'resampler-reset-keeps-s16-state',
    file: 'src/mix/resampler.cc',
    find: '  if (s16_ != nullptr) soxr_clear(s16_);',
    replace: '',
    tests: { native: '^ResamplerTest\\.', js: ['test/js/resampler.test.js'] },
    why: 'Resampler::Reset() leaves the s16 resampler\'s history in place: the first output after ' +
      'a reset carries the tail of the previous stream.',
  },

  // ----- voice receive path ----------------------------------------------------------------------
  {
    id: 'receiver-window-off-by-one',
    file: 'src/voice/receiver.cc',
    find: 'if (!flush && s.queued.size() <= options_.window) break;',
    replace: 'if (!flush && s.queued.size() < options_.window) break;',
    tests: { native: '^VoicePipeline\\.' },
    why: 'The reorder window holds one packet fewer than configured: a packet reordered by the ' +
      'full window is declared lost and concealed.',
  },
  {
    id: 'receiver-timestamp-ignores-rate',
    file: 'src/voice/receiver.cc',
    find: 'timestamp + static_cast<uint32_t>(samples) * (rtp::kClockRate / options_.sample_rate);',
    replace: 'timestamp + static_cast<uint32_t>(samples);',
    tests: { native: '^VoicePipeline\\.', js: ['test/js/voice-pipeline.test.js'] },
    why: 'Concealed frames get RTP timestamps advanced in output samples, not 48 kHz clock ticks, ' +
      'so below 48 kHz they drift from the sender\'s timeline.',
  },

  // ----- settlement order and stream delivery (issue 7 crash) -----------------------------------
  {
    id: 'close-cancels-ahead-of-running-job',
    file: 'src/pool/strand.cc',
    find: 'if (!running) Cancel(ErrorCode::kDestroyed, kDestroyedMessage);',
    replace: 'Cancel(ErrorCode::kDestroyed, kDestroyedMessage);',
    tests: { native: '^StrandTest\\.Close' },
    why: 'destroy() rejects the queued jobs before the running one settles: a stream that chains ' +
      'its Promises sees an unhandled ERR_VOXPOOL_DESTROYED and the process dies.',
  },
  {
    id: 'drop-oldest-settles-ahead-of-running-job',
    file: 'src/pool/strand.cc',
    find: 'if (running_ || !dropped_.empty()) dropped_.push_back(std::move(evicted));',
    replace: 'if (!dropped_.empty()) dropped_.push_back(std::move(evicted));',
    tests: { native: '^StrandTest\\.(DropOldest|CloseAfterEvictions)' },
    why: 'A frame dropped while the one before it is still encoding settles first: per-encoder ' +
      'settlement order breaks under drop-oldest.',
  },
  {
    id: 'notify-stale-only-between-turns',
    file: 'src/pool/strand.cc',
    find: '    if (NotifyBatch* batch = NotifyBatch::Current()) batch->FlushIfStale(finished_ns);\n',
    replace: '    (void)finished_ns;\n',
    tests: { native: '^CompletionQueue\\.ABusyWorker' },
    why: 'A worker busy with one stream\'s long frames holds that stream\'s first results back for a ' +
      'whole turn (8 jobs): an AudioPlayer reading every 20 ms finds nothing and counts missed frames.',
  },
  {
    id: 'in-order-queue-delivers-after-close',
    file: 'lib/in-order-queue.js',
    find: '      if (this.#closed) continue;\n',
    replace: '',
    tests: { js: ['test/js/in-order-queue.test.js', 'test/js/stream-destroy.test.js'] },
    why: 'A destroyed stream keeps pushing packets that finish after destroy(), and a second job ' +
      'failure is reported again.',
  },
  {
    id: 'sink-refusal-out-of-turn',
    file: 'lib/sink-queue.js',
    find: '      this.#refused.push({ at: this.#submitted++, err });\n',
    replace: '      this.#refused.push({ at: this.#delivered, err });\n      this.#submitted++;\n',
    tests: { js: ['test/js/sink-queue.test.js'] },
    why: 'A frame the binding refuses fails the stream at once, ahead of the packets before it, ' +
      'which are then dropped: the listener hears the audio cut short of what was accepted.',
  },
  {
    id: 'sink-held-strongly-when-idle',
    file: 'binding/pool/sink_table.cc',
    find: 'napi_create_reference(env, fn, 0, &ref)',
    replace: 'napi_create_reference(env, fn, 1, &ref)',
    tests: { js: ['test/js/sink-queue.test.js'] },
    why: 'Every stream whose sink closes over it (all of them) is kept alive by the binding: a bot ' +
      'that plays track after track leaks each track\'s encoder and stream.',
  },
  {
    id: 'sink-exception-swallowed',
    file: 'binding/pool/sink_table.cc',
    find: '    napi_fatal_exception(env, exception);\n',
    replace: '',
    tests: { js: ['test/js/sink-queue.test.js'] },
    why: "A listener's exception during delivery vanishes instead of reaching 'uncaughtException', " +
      'as it would from any event listener: bugs in user code go unseen.',
  },
  {
    id: 'in-order-queue-room-off-by-one',
    file: 'lib/in-flight-limit.js',
    find: 'get hasRoom() { return this.inflight < this.#limit; }',
    replace: 'get hasRoom() { return this.inflight <= this.#limit; }',
    tests: { js: ['test/js/in-order-queue.test.js', 'test/js/sink-queue.test.js'] },
    why: 'Streams keep readAhead + 1 jobs in flight: the documented bound on memory and latency is off by one.',
  },

  // ----- hostile input and memory (issue 14) ------------------------------------------------------
  {
    id: 'empty-batch-never-settles',
    file: 'binding/pool/env_context.cc',
    find: '  if (members.empty()) {\n    // Nothing to wait for: a group of none would never complete (no member to count down).\n' +
      '    napi_resolve_deferred(env, js.deferred, Napi::Array::New(env, 0));\n' +
      '    js.deferred = nullptr;\n    return Napi::Value(env, promise);\n  }\n',
    replace: '',
    tests: { js: ['test/js/opus-invalid.test.js'] },
    why: 'encodeBatch([]) returns a Promise that never settles and keeps the process alive forever.',
  },
  {
    id: 'batch-bound-off-by-one',
    file: 'lib/opus.js',
    find: 'if (items.length > most) throw',
    replace: 'if (items.length >= most) throw',
    tests: { js: ['test/js/opus-invalid.test.js'] },
    why: 'A batch of exactly maxQueue frames, which the queue can hold, is refused.',
  },
  {
    id: 'destroy-keeps-memory-reported',
    file: 'binding/pooled_wrap.h',
    find: '    core_.reset();\n    memory_.Release(info.Env());\n',
    replace: '    core_.reset();\n',
    tests: { js: ['test/js/native-memory.test.js'] },
    why: 'A destroyed encoder still counts as ~30 KB of native memory: V8 collects too eagerly and ' +
      'stats() overstates what the process holds.',
  },
  {
    id: 'receiver-memory-ignores-speakers',
    file: 'src/voice/receiver.cc',
    find: '    stream_count_.store(streams_.size(), std::memory_order_relaxed);\n  }\n  Stream& s = it->second;',
    replace: '  }\n  Stream& s = it->second;',
    tests: { js: ['test/js/native-memory.test.js'] },
    why: 'A receiver reports the memory of an empty one however many speakers it decodes, so ' +
      'dropped receivers pile up before the collector notices.',
  },

  // ----- JS validation ---------------------------------------------------------------------------
  {
    id: 'validate-integer-max-exclusive',
    file: 'lib/validate.js',
    find: 'if (!Number.isInteger(value) || value < min || value > max) {',
    replace: 'if (!Number.isInteger(value) || value < min || value >= max) {',
    tests: { js: ['test/js/rtp.test.js', 'test/js/opus-invalid.test.js'] },
    why: 'Integer options refuse their documented maximum (sequence 65535, maxQueue 1e7, ...).',
  },
  {
    id: 'validate-number-accepts-nan',
    file: 'lib/validate.js',
    find: "if (typeof value !== 'number' || Number.isNaN(value)) throw",
    replace: "if (typeof value !== 'number') throw",
    tests: { js: ['test/js/volume-transformer.test.js', 'test/js/mixer.test.js'] },
    why: 'NaN passes number() (every comparison with it is false) and reaches native code as a gain.',
  },
  {
    id: 'mixer-js-prebuffer-bound',
    file: 'lib/mixer.js',
    find: "validate.integer(o.prebufferFrames, 'prebufferFrames', 0, this.#queueFrames - 1)",
    replace: "validate.integer(o.prebufferFrames, 'prebufferFrames', 0, this.#queueFrames)",
    tests: { js: ['test/js/mixer.test.js'] },
    why: 'addSource accepts prebufferFrames = queueFrames, which can never be collected: the source ' +
      'would stay silent (native code refuses it with a different message).',
  },
  {
    id: 'ogg-granule-backfill-direction',
    file: 'src/container/ogg_demuxer.cc',
    find: 'g -= out->events[i].samples;',
    replace: 'g += out->events[i].samples;',
    tests: { native: '^OggDemuxer\\.', js: ['test/js/ogg-demuxer.test.js'] },
    why: 'Packets before the last on a page get granules counted forward from the page granule: ' +
      'every timestamp but one per page is wrong.',
  },
  {
    id: 'ogg-end-trim-dropped',
    file: 'src/container/ogg_demuxer.cc',
    find: 'last.trim_end = static_cast<int>(std::min<int64_t>(forward - page_granule, last.samples));',
    replace: 'last.trim_end = 0;',
    tests: { native: '^OggDemuxer\\.', js: ['test/js/ogg-demuxer.test.js'] },
    why: 'A short final granule is not reported as end trimming: the decoded file is longer than ' +
      'the encoder input (RFC 7845 section 4.5).',
  },
  {
    id: 'ogg-hole-not-counted',
    file: 'src/container/ogg_demuxer.cc',
    find: '      ++stats_.holes;\n',
    replace: '\n',
    tests: { native: '^OggDemuxer\\.', js: ['test/js/ogg-demuxer.test.js'] },
    why: 'A lost page (CRC failure) disappears without trace in stats.holes.',
  },
  {
    id: 'ogg-muxer-no-eos',
    file: 'src/container/ogg_muxer.cc',
    find: 'Append(held_.data(), held_.size(), held_granule_, true);',
    replace: 'Append(held_.data(), held_.size(), held_granule_, false);',
    tests: { native: '^OggMuxer\\.', js: ['test/js/ogg-muxer.test.js'] },
    why: 'A finished recording has no EOS page: readers cannot tell it ended from a cut file.',
  },
  {
    id: 'ogg-muxer-no-timed-flush',
    file: 'src/container/ogg_muxer.cc',
    find: 'Drain(stats_.granule - flushed_granule_ >= options_.flush_samples, out);',
    replace: 'Drain(false, out);',
    tests: { native: '^OggMuxer\\.', js: ['test/js/ogg-muxer.test.js'] },
    why: 'Pages wait until libogg fills them (4 kB or 255 packets): a live recording lags by many ' +
      'seconds at voice bitrates.',
  },
  {
    id: 'webm-discard-padding-ignored',
    file: 'src/container/webm_frames.cc',
    find: 'if (block_group.discard_padding.is_present() && padding > 0) {',
    replace: 'if (false) {',
    tests: { native: '^WebmDemuxer\\.', js: ['test/js/webm-demuxer.test.js'] },
    why: 'The DiscardPadding of the BlockGroup that ends a file is not reported as end trimming: ' +
      'the decoded file is longer than the encoder input.',
  },
  {
    id: 'webm-other-track-followed',
    file: 'src/container/webm_frames.cc',
    find: 'if (!following_ || block.track_number != track_.number) {',
    replace: 'if (!following_) {',
    tests: { native: '^WebmDemuxer\\.', js: ['test/js/webm-demuxer.test.js'] },
    why: 'Blocks of every track are read as the Opus track: video frames or a second audio ' +
      "track's packets reach the decoder.",
  },
  {
    id: 'webm-laced-timestamps-flat',
    file: 'src/container/webm_frames.cc',
    find: 'const int64_t offset = block_samples_ * kNsPerSecond / kOpusGranuleRate;',
    replace: 'const int64_t offset = 0;',
    tests: { native: '^WebmDemuxer\\.', js: ['test/js/webm-demuxer.test.js'] },
    why: "Every frame of a laced block gets the block's timestamp: timestamps repeat and seeking " +
      'or A/V sync drifts.',
  },
  {
    id: 'webm-start-ignores-codec-delay',
    file: 'src/container/webm_frames.cc',
    find: 'const Wide end = Wide{timestamp_ns} - Wide{track_.codec_delay_ns} +',
    replace: 'const Wide end = Wide{timestamp_ns} +',
    tests: { native: '^WebmDemuxer\\.', js: ['test/js/demux-file.test.js'] },
    why: 'A start point is compared with Block timestamps that still count the pre-skip: playing ' +
      'from 1:30 starts a packet late, and the one holding the start is lost.',
  },
  {
    id: 'webm-seek-lands-anywhere',
    file: 'src/container/webm_demuxer.cc',
    find: 'if (metadata.id != webm::Id::kCluster && metadata.id != webm::Id::kCues) {',
    replace: 'if (false) {',
    tests: { native: '^WebmDemuxer\\.', js: ['test/js/demux-file.test.js'] },
    why: 'A seek to a place the Cues name wrongly is read as if a Cluster began there: a hostile ' +
      'file plays garbage or reaches libwebm states it asserts on.',
  },
  {
    id: 'ogg-seek-keeps-granule',
    file: 'src/container/ogg_demuxer.cc',
    find: '  granule_known_ = false;\n  ++stats_.seeks;',
    replace: '  ++stats_.seeks;',
    tests: { native: '^OggDemuxer\\.', js: ['test/js/demux-file.test.js'] },
    why: 'After a seek, packets before the first page that states a granule are numbered on from ' +
      'before the seek: their timestamps are wrong and the start point drops or keeps the wrong ones.',
  },
  {
    id: 'adaptive-up-without-hysteresis',
    file: 'src/opus/adaptive_complexity.cc',
    find: 'while (next > current && work(next) > budget * (1 - kAdaptiveHysteresis)) next -= kLevelStep;',
    replace: 'while (next > current && work(next) > budget) next -= kLevelStep;',
    tests: { native: '^AdaptiveComplexity\\.', js: ['test/js/adaptive.test.js'] },
    why: 'The level climbs back as soon as the model says a higher one just fits: near capacity it ' +
      'steps up and down every few windows, and each step up risks a late tick.',
  },
  {
    id: 'adaptive-down-to-the-floor',
    file: 'src/opus/adaptive_complexity.cc',
    find: '    next = fits;  // down at once, only as far as needed',
    replace: '    next = low;',
    tests: { native: '^AdaptiveComplexity\\.', js: ['test/js/adaptive.test.js'] },
    why: 'Any overload drops every stream to minComplexity: quality falls far more than the tick needs.',
  },
  {
    id: 'adaptive-ignores-late-frames',
    file: 'src/opus/adaptive_complexity.cc',
    find: 'scale_ = late ? std::max(kMinScale, scale_ * kScaleDown) : std::min(1.0, scale_ + kScaleUp);',
    replace: 'scale_ = std::min(1.0, scale_ + kScaleUp);',
    tests: { native: '^AdaptiveComplexity\\.', js: ['test/js/adaptive.test.js'] },
    why: 'Frames that finish late do not shrink the budget: load the model does not see (the JS ' +
      'thread, other jobs) keeps every tick late at full complexity.',
  },
  {
    id: 'late-limit-ignored',
    file: 'src/pool/strand.cc',
    find: '      job->deadline_ns = job->due_ns + options_.late_limit_ns;',
    replace: '      job->deadline_ns = 0;',
    tests: { native: '^StrandTest\\.', js: ['test/js/pool.test.js'] },
    why: 'deadlineMs does nothing: a stream that fell behind plays every late frame late instead of ' +
      'skipping to catch up.',
  },
  {
    id: 'stream-late-frame-is-an-error',
    file: 'lib/delivery.js',
    find: "if (err?.code !== 'ERR_VOXPOOL_DEADLINE_EXCEEDED') return false;",
    replace: 'return false;',
    tests: { js: ['test/js/opus-streams.test.js'] },
    why: 'A frame the pool skipped for its deadline destroys the stream: one late tick ends the track.',
  },
  // ----- filters (issue 11) ------------------------------------------------------------------------
  {
    id: 'eq-band-weight-halved',
    file: 'src/filter/equalizer.cc',
    find: '4.0 * s.equalizer[b]',
    replace: '2.0 * s.equalizer[b]',
    tests: { native: '^FilterChain\\.' },
    why: "Each band is added with weight 2 x gain instead of Lavalink's 4 x gain: every preset is half as strong.",
  },
  {
    id: 'filter-switch-steps',
    file: 'src/filter/filter_chain.cc',
    find: 'const float wet = in ? w : 1.0f - w;',
    replace: 'const float wet = in ? 1.0f : 0.0f;',
    tests: { native: '^FilterChain\\.', js: ['test/js/filter-chain.test.js'] },
    why: 'A filter switched on or off mid-stream steps instead of crossfading: a click at every setFilters().',
  },
  {
    id: 'timescale-flush-repeats',
    file: 'src/filter/time_stretch.cc',
    find: '  if (!unflushed_) return;',
    replace: '',
    tests: { js: ['test/js/filter-chain.test.js'] },
    why: 'Every end of stream pads the stretch with more silence: a second flush() gives audio that was never played.',
  },
  {
    id: 'timescale-granule-ignored',
    file: 'src/filter/filter_chain.cc',
    find: '    ready -= ready % granule;',
    replace: '',
    tests: { native: '^TimescaleTest\\.', js: ['test/js/filter-chain.test.js'] },
    why: 'A time-stretched encoder job hands out part of a 20 ms frame: the last packet of a job is encoded from garbage.',
  },
  {
    id: 'filter-nan-guard-off',
    file: 'src/filter/filter_chain.cc',
    find: '  if (bad == 0) return;',
    replace: '  return;',
    tests: { js: ['test/js/filter-chain.test.js'] },
    why: 'One NaN sample in float input enters every recursive filter and silences the stream for good.',
  },
  {
    id: 'lowpass-smoothing-steps',
    file: 'src/filter/smoothing_low_pass.cc',
    find: 'const float step = (target_ - coefficient_) / frames;',
    replace: 'const float step = 0.0f;\n  coefficient_ = target_;',
    tests: { js: ['test/js/filter-chain.test.js'] },
    why: 'A lowPass smoothing change jumps: the output catches up with the input within a few samples (a click).',
  },
  {
    id: 'karaoke-right-keeps-centre',
    file: 'src/filter/karaoke.cc',
    find: 'pcm[2 * i + 1] = r - l * level + band;',
    replace: 'pcm[2 * i + 1] = r + band;',
    tests: { js: ['test/js/filter-chain.test.js'] },
    why: 'Karaoke removes the voice from the left channel only: the singer stays in the right ear.',
  },
  {
    id: 'encode-job-skips-filters',
    file: 'binding/opus/encoder_wrap.cc',
    find: 'if (filters_) FilterFrame(*filters_, format_, input_.data(), frame_size_);',
    replace: '',
    tests: { js: ['test/js/filter-chain.test.js'] },
    why: "encodeAsync (and so every encoder stream and createAudioResource({ filters })) ignores the filters: the bot's presets do nothing.",
  },
  {
    id: 'filter-min-exclusive-ignored',
    file: 'src/filter/filter_settings.cc',
    find: 'const bool ok = f.min_exclusive ? v > f.min && v <= f.max : v >= f.min && v <= f.max;',
    replace: 'const bool ok = v >= f.min && v <= f.max;',
    tests: { native: '^FilterChain\\.' },
    why: 'The core accepts tremolo.depth 0 (and other excluded minimums) from a direct binding caller.',
  },
  {
    id: 'filter-loudness-silence-measured',
    file: 'src/filter/loudness.cc',
    find: 'silence_lufs_ = std::max(kAbsoluteGateLufs, target_lufs_ - max_gain_db_ + kRelativeGateLu);',
    replace: 'silence_lufs_ = kAbsoluteGateLufs;',
    tests: { native: '^Loudness\\.' },
    why: 'Loudness normalization measures pauses and the noise floor: after a long pause a voice bot\'s gain ' +
      'has crept up to maxGainDb and the next sentence is blasted.',
  },
  {
    id: 'filter-loudness-onset-not-cut',
    file: 'src/filter/loudness.cc',
    find: '  if (peak * to > ceiling) {',
    replace: '  if (false) {',
    tests: { native: '^Loudness\\.' },
    why: 'A loud onset after a quiet passage plays at the quiet passage\'s gain until the meter catches up: ' +
      'up to maxGainDb over the true-peak ceiling.',
  },
  {
    id: 'filter-loudness-ungated',
    file: 'src/filter/loudness.cc',
    find: '    if (window_[i].energy < gate) continue;\n',
    replace: '',
    tests: { native: '^Loudness\\.' },
    why: "Without BS.1770's relative gate the quiet blocks around pauses pull the measurement down: speech " +
      'is normalized louder than the target.',
  },
  {
    id: 'speech-vad-warmup-voiced',
    file: 'src/speech/speech_processor.cc',
    find: 'if (vad && chunks_done_ >= kSpeechVadWarmupMs / kSpeechChunkMs &&',
    replace: 'if (vad &&',
    tests: { native: '^SpeechProcessor\\.' },
    why: 'The VAD calls the first frames of every connection voice: each device that connects starts an utterance of noise.',
  },
  {
    id: 'speech-experimental-agc-on',
    file: 'src/speech/speech_processor.cc',
    find: '  config.Set<webrtc::ExperimentalAgc>(new webrtc::ExperimentalAgc(false));\n',
    replace: '',
    tests: { js: ['test/js/speech.test.js'] },
    why: "The module's analog AGC ignores gainControl's mode, target and compression gain: quiet speech stays quiet.",
  },
  {
    id: 'utterance-end-at-vad-hangover',
    file: 'lib/utterance-stream.js',
    find: '    while (end > cur.start && cur.frames[end - cur.first].level < floor + EDGE_MARGIN_DB) end--;\n',
    replace: '',
    tests: { js: ['test/js/speech.test.js'] },
    why: "Utterances end where the VAD's own hangover does, 60-80 ms after the speech: endMs is late and STT gets trailing noise.",
  },
  {
    id: 'mixer-stream-whole-push',
    file: 'lib/mixer-streams.js',
    find: '        const piece = data.subarray(0, input.step);\n',
    replace: '        const piece = data.subarray(0, C.MAX_PUSH_FRAMES * input.frameBytes);\n',
    tests: { js: ['test/js/mixer.test.js'] },
    why: 'A large write to a resampled input is pushed whole, never fits the FIFO and waits forever: a TTS reply at 22.05 kHz never plays.',
  },
  {
    id: 'mixer-end-source-keeps-resampler-tail',
    file: 'src/mix/mixer_end_source.cc',
    find: '  if (s->resampler) {\n    int tail = 0;\n',
    replace: '  if (false) {\n    int tail = 0;\n',
    tests: { native: '^MixerTest\\.EndSource', js: ['test/js/mixer.test.js'] },
    why: "An ended resampled source loses soxr's held tail: the last milliseconds of every TTS reply or track never play.",
  },
  {
    id: 'mixer-stream-silence-between-inputs',
    file: 'lib/mixer-streams.js',
    find: '    if (drained !== null || (waiting && !ready)) {\n',
    replace: '    if (drained !== null) for (const input of drained) input.writable.emit(\'drained\');\n    if (false) {\n',
    tests: { js: ['test/js/mixer.test.js', 'test/js/speech-output.test.js'] },
    why: "A frame of silence is mixed between inputs chained on 'drained' (a gap between replies and between tracks), and how many frames a speech output makes depends on timing.",
  },
  {
    id: 'speech-output-cut-before-fade',
    file: 'lib/speech-output.js',
    find: '    if (current !== null && current.stopping && --current.framesLeft <= 0) this.#cut(current);\n',
    replace: '    if (current !== null && current.stopping) this.#cut(current);\n',
    tests: { js: ['test/js/speech-output.test.js'] },
    why: 'Barge-in cuts the reply on the next frame instead of fading it out: a click in every interrupted reply.',
  },
  {
    id: 'speech-output-fade-never-restored',
    file: 'lib/speech-output.js',
    find: "    if (this.#mode === 'fade' && this.#current !== null && !this.#current.stopping) this.#setGain(this.#current, 1);\n",
    replace: '',
    tests: { js: ['test/js/speech-output.test.js'] },
    why: "bargeIn 'fade' leaves the reply quiet after the users stop speaking: the rest of the answer is inaudible.",
  },
];
