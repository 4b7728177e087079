#include "voxpool/opus/transcoder.h"

#include <opus/opus.h>

namespace voxpool::opus {

Status Transcoder::Create(std::shared_ptr<Encoder> encoder, double volume,
                          std::unique_ptr<Transcoder>* out) {
  if (!encoder) return Status(ErrorCode::kInvalidArgument, "an encoder is required");
  if (!(volume >= 0.0 && volume <= mix::kVolumeMax))
    return Status(ErrorCode::kInvalidArgument, mix::VolumeRangeMessage());
  std::unique_ptr<Decoder> decoder;
  Status st = Decoder::Create(encoder->sample_rate(), encoder->channels(), &decoder);
  if (!st.ok()) return st;
  out->reset(new Transcoder(std::move(decoder), std::move(encoder), volume));
  return Status::Ok();
}

Transcoder::Transcoder(std::unique_ptr<Decoder> decoder, std::shared_ptr<Encoder> encoder,
                       double volume)
    : decoder_(std::move(decoder)),
      encoder_(std::move(encoder)),
      volume_(encoder_->sample_rate(), encoder_->channels(), volume) {}

int Transcoder::Process(const uint8_t* packet, size_t size, const VolumeCommand& command,
                        uint8_t* out, int capacity, PcmProcessor* stage) noexcept {
  int max = kMaxFrameSamples;
  if (size == 0) {
    max = decoder_->LastFrameSize();
    if (max == 0) max = decoder_->sample_rate() / 50;  // nothing decoded yet: 20 ms
  }
  const int samples = decoder_->Decode(size == 0 ? nullptr : packet, size, pcm_, max, false);
  if (samples < 0) return samples;
  // Packets of 2.5-120 ms that the encoder cannot produce again (30 ms, 50 ms, ...) are refused
  // here, before the volume ramp advances, rather than by libopus.
  if (!IsValidFrameSize(encoder_->sample_rate(), samples)) return OPUS_BAD_ARG;
  if (command.generation != applied_generation_) {
    // The owner validated the values; an out-of-range one keeps the current volume.
    (void)volume_.Set(command.target, command.ramp_ms);
    applied_generation_ = command.generation;
  }
  if (stage != nullptr) stage->Process(pcm_, samples);
  volume_.Process(pcm_, samples);
  return encoder_->Encode(pcm_, samples, out, capacity);
}

size_t Transcoder::memory_bytes() const noexcept {
  return sizeof(*this) + decoder_->memory_bytes();
}

}  // namespace voxpool::opus
