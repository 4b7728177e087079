#include "voxpool/opus/encoder.h"

#include <climits>

#include <opus/opus.h>

#include "ctl_call.h"

namespace voxpool::opus {

bool Encoder::IsSetRequest(int request) noexcept {
  switch (request) {
    case OPUS_SET_APPLICATION_REQUEST:
    case OPUS_SET_BITRATE_REQUEST:
    case OPUS_SET_MAX_BANDWIDTH_REQUEST:
    case OPUS_SET_VBR_REQUEST:
    case OPUS_SET_BANDWIDTH_REQUEST:
    case OPUS_SET_COMPLEXITY_REQUEST:
    case OPUS_SET_INBAND_FEC_REQUEST:
    case OPUS_SET_PACKET_LOSS_PERC_REQUEST:
    case OPUS_SET_DTX_REQUEST:
    case OPUS_SET_VBR_CONSTRAINT_REQUEST:
    case OPUS_SET_FORCE_CHANNELS_REQUEST:
    case OPUS_SET_SIGNAL_REQUEST:
    case OPUS_SET_LSB_DEPTH_REQUEST:
    case OPUS_SET_EXPERT_FRAME_DURATION_REQUEST:
    case OPUS_SET_PREDICTION_DISABLED_REQUEST:
    case OPUS_SET_PHASE_INVERSION_DISABLED_REQUEST:
    case OPUS_RESET_STATE:
      return true;
    default:
      return false;
  }
}

bool Encoder::IsGetRequest(int request) noexcept {
  switch (request) {
    case OPUS_GET_APPLICATION_REQUEST:
    case OPUS_GET_BITRATE_REQUEST:
    case OPUS_GET_MAX_BANDWIDTH_REQUEST:
    case OPUS_GET_VBR_REQUEST:
    case OPUS_GET_BANDWIDTH_REQUEST:
    case OPUS_GET_COMPLEXITY_REQUEST:
    case OPUS_GET_INBAND_FEC_REQUEST:
    case OPUS_GET_PACKET_LOSS_PERC_REQUEST:
    case OPUS_GET_DTX_REQUEST:
    case OPUS_GET_VBR_CONSTRAINT_REQUEST:
    case OPUS_GET_FORCE_CHANNELS_REQUEST:
    case OPUS_GET_SIGNAL_REQUEST:
    case OPUS_GET_LOOKAHEAD_REQUEST:
    case OPUS_GET_SAMPLE_RATE_REQUEST:
    case OPUS_GET_FINAL_RANGE_REQUEST:  // opus_uint32, same width
    case OPUS_GET_LSB_DEPTH_REQUEST:
    case OPUS_GET_EXPERT_FRAME_DURATION_REQUEST:
    case OPUS_GET_PREDICTION_DISABLED_REQUEST:
    case OPUS_GET_PHASE_INVERSION_DISABLED_REQUEST:
    case OPUS_GET_IN_DTX_REQUEST:
      return true;
    default:
      return false;
  }
}

Status Encoder::Create(const EncoderOptions& o, std::unique_ptr<Encoder>* out) {
  if (!IsValidSampleRate(o.sample_rate) || (o.channels != 1 && o.channels != 2) ||
      (o.application != kApplicationVoip && o.application != kApplicationAudio &&
       o.application != kApplicationRestrictedLowDelay)) {
    return Status::FromOpus(OPUS_BAD_ARG);
  }
  int error = OPUS_OK;
  ::OpusEncoder* state = opus_encoder_create(o.sample_rate, o.channels, o.application, &error);
  if (error != OPUS_OK || state == nullptr) return Status::FromOpus(error);
  std::unique_ptr<Encoder> encoder(new Encoder(state, o.sample_rate, o.channels));
  struct Setting {
    int request;
    std::optional<int> value;
  };
  const Setting settings[] = {
      {OPUS_SET_BITRATE_REQUEST, o.bitrate},
      {OPUS_SET_COMPLEXITY_REQUEST, o.complexity},
      {OPUS_SET_SIGNAL_REQUEST, o.signal},
      {OPUS_SET_VBR_REQUEST, o.vbr ? std::optional<int>(*o.vbr) : std::nullopt},
      {OPUS_SET_VBR_CONSTRAINT_REQUEST,
       o.vbr_constraint ? std::optional<int>(*o.vbr_constraint) : std::nullopt},
      {OPUS_SET_INBAND_FEC_REQUEST, o.inband_fec ? std::optional<int>(*o.inband_fec) : std::nullopt},
      {OPUS_SET_PACKET_LOSS_PERC_REQUEST, o.packet_loss},
      {OPUS_SET_DTX_REQUEST, o.dtx ? std::optional<int>(*o.dtx) : std::nullopt},
  };
  for (const Setting& s : settings) {
    if (!s.value) continue;
    Status st = encoder->SetCtl(s.request, *s.value);
    if (!st.ok()) return st;
  }
  *out = std::move(encoder);
  return Status::Ok();
}

Encoder::~Encoder() { opus_encoder_destroy(state_); }

void Encoder::SetComplexity(int complexity) noexcept {
  const int c = complexity < 0 ? 0 : complexity > kMaxComplexity ? kMaxComplexity : complexity;
  std::lock_guard<std::mutex> lock(mutex_);
  opus_encoder_ctl(state_, OPUS_SET_COMPLEXITY(c));
}

int Encoder::Encode(const int16_t* pcm, int frame_size, uint8_t* out, int capacity) noexcept {
  if (pcm == nullptr || out == nullptr || capacity <= 0) return OPUS_BAD_ARG;
  std::lock_guard<std::mutex> lock(mutex_);
  return opus_encode(state_, pcm, frame_size, out, capacity);
}

int Encoder::EncodeFloat(const float* pcm, int frame_size, uint8_t* out, int capacity) noexcept {
  if (pcm == nullptr || out == nullptr || capacity <= 0) return OPUS_BAD_ARG;
  std::lock_guard<std::mutex> lock(mutex_);
  return opus_encode_float(state_, pcm, frame_size, out, capacity);
}

Status Encoder::SetCtl(int request, int value) noexcept {
  return SetCtlOn(IsSetRequest(request), mutex_, opus_encoder_ctl, state_, request, value);
}

Status Encoder::GetCtl(int request, int* value) noexcept {
  return GetCtlOn(IsGetRequest(request), mutex_, opus_encoder_ctl, state_, request, value);
}

size_t Encoder::memory_bytes() const noexcept {
  return sizeof(*this) + static_cast<size_t>(opus_encoder_get_size(channels_));
}

}  // namespace voxpool::opus
