// libFuzzer target: voxpool::opus::Decoder::Decode / DecodeFloat, after libopus's
// tests/opus_decode_fuzzer.c. The first byte picks the sample rate, channel count and output
// format; then packets follow as [u16 BE length][flags][bytes]. Flags: bit 0 decodes with FEC,
// bit 1 replaces the packet by a loss (PLC), bits 4..7 pick the concealed frame's duration.
// Output buffers are heap vectors of exactly the promised size, so ASan sees any overrun.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include <opus/opus.h>

#include "voxpool/opus/constants.h"
#include "voxpool/opus/decoder.h"

namespace {

using namespace voxpool::opus;

void Check(bool ok) {
  if (!ok) std::abort();
}

constexpr size_t kSetupBytes = 1;
constexpr size_t kPacketHeaderBytes = 3;
constexpr int kMaxPacketsPerInput = 64;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < kSetupBytes + kPacketHeaderBytes) return 0;
  const int rate = kSampleRates[data[0] % kSampleRates.size()];
  const int channels = ((data[0] >> 3) & 1) + 1;
  const bool use_float = (data[0] & 0x10) != 0;
  std::unique_ptr<Decoder> decoder;
  Check(Decoder::Create(rate, channels, &decoder).ok());
  // 120 ms at `rate`: the longest frame libopus can return.
  const int max_frame = rate / 1000 * 120;

  size_t i = kSetupBytes;
  for (int n = 0; n < kMaxPacketsPerInput && i + kPacketHeaderBytes <= size; ++n) {
    size_t len = (static_cast<size_t>(data[i]) << 8 | data[i + 1]) % (kMaxPacketBytes + 1);
    const uint8_t flags = data[i + 2];
    i += kPacketHeaderBytes;
    if (len > size - i) len = size - i;
    // Copy so the packet sits in its own allocation: ASan catches reads past its end.
    std::vector<uint8_t> packet(data + i, data + i + len);
    i += len;

    const bool lost = (flags & 0x02) != 0 || packet.empty();
    const bool fec = (flags & 0x01) != 0 && !lost;
    int frame = max_frame;
    if (lost || fec) {
      // Concealment and FEC want the lost frame's duration: one of the Opus frame sizes, or for
      // FEC the duration the packet itself declares (as libopus's fuzzer does).
      const int tenth_ms = kFrameDurationsTenthMs[(flags >> 4) % kFrameDurationsTenthMs.size()];
      frame = rate / 1000 * tenth_ms / 10;
      if (fec) {
        const int declared =
            opus_packet_get_nb_samples(packet.data(), static_cast<opus_int32>(len), rate);
        if (declared > 0 && declared <= max_frame) frame = declared;
      }
      if (frame <= 0) frame = max_frame;
    }
    const uint8_t* p = lost ? nullptr : packet.data();
    const size_t psize = lost ? 0 : packet.size();
    int got;
    if (use_float) {
      std::vector<float> pcm(static_cast<size_t>(frame) * channels);
      got = decoder->DecodeFloat(p, psize, pcm.data(), frame, fec);
    } else {
      std::vector<int16_t> pcm(static_cast<size_t>(frame) * channels);
      got = decoder->Decode(p, psize, pcm.data(), frame, fec);
    }
    Check(got <= frame);
    if (got > 0) Check(decoder->LastFrameSize() > 0);
  }
  return 0;
}
