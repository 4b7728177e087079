// The two header packets every Ogg Opus and WebM Opus stream starts with (RFC 7845 section 5):
// OpusHead (identification: channels, pre-skip, input rate, output gain, channel mapping) and
// OpusTags (vendor string and user comments). Ogg carries both as packets; WebM carries OpusHead
// as the track's CodecPrivate. Parsing checks every length against the packet before it reads or
// allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "voxpool/status.h"

namespace voxpool::container {

inline constexpr char kOpusHeadMagic[] = "OpusHead";
inline constexpr char kOpusTagsMagic[] = "OpusTags";
inline constexpr size_t kOpusMagicBytes = 8;
// OpusHead without a channel mapping table (mapping family 0).
inline constexpr size_t kOpusHeadMinBytes = 19;
// Opus decodes at 48 kHz whatever the input rate was; granules and pre-skip count 48 kHz samples.
inline constexpr int kOpusGranuleRate = 48000;
// The highest OpusHead version this parser reads: RFC 7845 says a reader accepts any version whose
// major part (the high 4 bits) is 0.
inline constexpr int kOpusHeadMaxVersion = 15;
// Most channels a mapping table can describe (the field is one byte).
inline constexpr int kOpusHeadMaxChannels = 255;

// The fields of an OpusHead packet. A value type.
struct OpusHead {
  int version = 1;
  int channels = 2;               // output channels, 1..255
  int pre_skip = 0;               // 48 kHz samples to drop from the decoder's first output
  uint32_t input_sample_rate = 0; // Hz, informational (0: unspecified)
  int output_gain = 0;            // Q7.8 dB, to apply to the decoded output
  int mapping_family = 0;         // 0: mono/stereo, 1: Vorbis order, 255: undefined, ...
  int stream_count = 1;           // families other than 0: Opus streams per packet
  int coupled_count = 0;          // of those, stereo ones
  std::vector<uint8_t> mapping;   // families other than 0: one entry per channel
};

// The fields of an OpusTags packet. A value type.
struct OpusTags {
  std::string vendor;
  std::vector<std::string> comments;  // "KEY=value", in stream order
};

// True when `data` starts with the 8-byte magic `magic` (kOpusHeadMagic or kOpusTagsMagic).
// Never allocates. Thread-safe.
bool HasOpusMagic(const uint8_t* data, size_t size, const char* magic) noexcept;

// Parses an OpusHead packet. kMalformedContainer with a message naming the field when it is not
// one, or is inconsistent (channels 0, a mapping table that does not fit, a mapping entry past the
// streams). Allocates only the mapping table (at most 255 bytes). Thread-safe.
Status ParseOpusHead(const uint8_t* data, size_t size, OpusHead* out);

// Parses an OpusTags packet; every length is checked against the bytes left before a string is
// made. Allocates the strings. Thread-safe.
Status ParseOpusTags(const uint8_t* data, size_t size, OpusTags* out);

// Writes `head` as an OpusHead packet (the muxer's; family 0 needs no table). Allocates `out`.
// Thread-safe.
void WriteOpusHead(const OpusHead& head, std::vector<uint8_t>* out);

// Writes `tags` as an OpusTags packet. Allocates `out`. Thread-safe.
void WriteOpusTags(const OpusTags& tags, std::vector<uint8_t>* out);

}  // namespace voxpool::container
