#include "voxpool/opus/decoder.h"

#include <climits>

#include <opus/opus.h>

#include "ctl_call.h"

namespace voxpool::opus {

bool Decoder::IsSetRequest(int request) noexcept {
  return request == OPUS_SET_GAIN_REQUEST || request == OPUS_SET_PHASE_INVERSION_DISABLED_REQUEST ||
         request == OPUS_RESET_STATE;
}

bool Decoder::IsGetRequest(int request) noexcept {
  switch (request) {
    case OPUS_GET_GAIN_REQUEST:
    case OPUS_GET_LAST_PACKET_DURATION_REQUEST:
    case OPUS_GET_PITCH_REQUEST:
    case OPUS_GET_BANDWIDTH_REQUEST:
    case OPUS_GET_SAMPLE_RATE_REQUEST:
    case OPUS_GET_FINAL_RANGE_REQUEST:
    case OPUS_GET_PHASE_INVERSION_DISABLED_REQUEST:
      return true;
    default:
      return false;
  }
}

Status Decoder::Create(int sample_rate, int channels, std::unique_ptr<Decoder>* out) {
  if (!IsValidSampleRate(sample_rate) || (channels != 1 && channels != 2)) {
    return Status::FromOpus(OPUS_BAD_ARG);
  }
  int error = OPUS_OK;
  ::OpusDecoder* state = opus_decoder_create(sample_rate, channels, &error);
  if (error != OPUS_OK || state == nullptr) return Status::FromOpus(error);
  out->reset(new Decoder(state, sample_rate, channels));
  return Status::Ok();
}

Decoder::~Decoder() { opus_decoder_destroy(state_); }

int Decoder::Decode(const uint8_t* packet, size_t size, int16_t* out, int max_samples,
                    bool fec) noexcept {
  if (out == nullptr || max_samples <= 0 || size > INT32_MAX) return OPUS_BAD_ARG;
  if (packet == nullptr) size = 0;
  std::lock_guard<std::mutex> lock(mutex_);
  return opus_decode(state_, size == 0 ? nullptr : packet, static_cast<opus_int32>(size), out,
                     max_samples, fec ? 1 : 0);
}

int Decoder::DecodeFloat(const uint8_t* packet, size_t size, float* out, int max_samples,
                         bool fec) noexcept {
  if (out == nullptr || max_samples <= 0 || size > INT32_MAX) return OPUS_BAD_ARG;
  if (packet == nullptr) size = 0;
  std::lock_guard<std::mutex> lock(mutex_);
  return opus_decode_float(state_, size == 0 ? nullptr : packet, static_cast<opus_int32>(size),
                           out, max_samples, fec ? 1 : 0);
}

Status Decoder::SetCtl(int request, int value) noexcept {
  return SetCtlOn(IsSetRequest(request), mutex_, opus_decoder_ctl, state_, request, value);
}

Status Decoder::GetCtl(int request, int* value) noexcept {
  return GetCtlOn(IsGetRequest(request), mutex_, opus_decoder_ctl, state_, request, value);
}

int Decoder::LastFrameSize() noexcept {
  int value = 0;
  return GetCtl(OPUS_GET_LAST_PACKET_DURATION_REQUEST, &value).ok() ? value : 0;
}

size_t Decoder::MemoryBytesFor(int channels) noexcept {
  return sizeof(Decoder) + static_cast<size_t>(opus_decoder_get_size(channels));
}

}  // namespace voxpool::opus
