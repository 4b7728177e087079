// RTP (RFC 3550) header building and parsing, with the RFC 8285 header-extension profiles
// recognised, and the sequence/timestamp arithmetic that survives wrap-around.
//
// Two views of a packet matter for Discord's "rtpsize" transport modes:
//  - the *unencrypted header*: 12 fixed bytes + 4 x CSRC count + (X bit ? 4-byte extension
//    header : 0). It is sent in the clear and authenticated as additional data;
//  - everything after it (extension body, payload, padding) is encrypted.
// ParseHeader reads only the first view (it works on sealed packets); ParsePacket reads a whole
// cleartext packet and locates the extension body, payload and padding.
#pragma once

#include <cstddef>
#include <cstdint>

#include "voxpool/status.h"

namespace voxpool::voice::rtp {

inline constexpr size_t kFixedHeaderBytes = 12;
inline constexpr size_t kMaxCsrcs = 15;
inline constexpr size_t kExtensionHeaderBytes = 4;
// Largest extension body: its length field counts up to 0xffff 32-bit words.
inline constexpr size_t kMaxExtensionBodyBytes = 4 * 0xffff;
// Largest unencrypted header: fixed + 15 CSRCs + extension header.
inline constexpr size_t kMaxHeaderBytes = kFixedHeaderBytes + 4 * kMaxCsrcs + kExtensionHeaderBytes;
inline constexpr uint8_t kVersion = 2;
// Discord's defaults: payload type 120 (Opus), +1 sequence and +960 timestamp per 20 ms frame
// at the 48 kHz RTP clock Opus always uses.
inline constexpr uint8_t kDiscordPayloadType = 0x78;
// The largest payload type: the field is the low 7 bits of the header's second byte.
inline constexpr uint8_t kMaxPayloadType = 0x7F;
inline constexpr uint32_t kDiscordTimestampStep = 960;
inline constexpr int kClockRate = 48000;
// RFC 8285 profiles: one-byte header (0xBEDE) and two-byte header (0x100 followed by 4
// application bits, i.e. 0x1000..0x100F).
inline constexpr uint16_t kOneByteProfile = 0xBEDE;
inline constexpr uint16_t kTwoByteProfileBase = 0x1000;

enum class ExtensionProfile { kNone, kOneByte, kTwoByte, kOther };

// Which RFC 8285 profile `profile` (the 16-bit "defined by profile" field) denotes. Never
// allocates. Thread-safe.
constexpr ExtensionProfile ProfileOf(uint16_t profile) noexcept {
  if (profile == kOneByteProfile) return ExtensionProfile::kOneByte;
  if ((profile & 0xFFF0) == kTwoByteProfileBase) return ExtensionProfile::kTwoByte;
  return ExtensionProfile::kOther;
}

// The fields of an RTP header. A value type; thread-compatible.
struct Header {
  bool padding = false;  // P bit: the packet ends with padding, last byte = its length
  bool marker = false;   // M bit
  uint8_t payload_type = kDiscordPayloadType;  // 0..kMaxPayloadType
  uint16_t sequence = 0;
  uint32_t timestamp = 0;  // in RTP clock units (48 kHz for Opus)
  uint32_t ssrc = 0;
  uint8_t csrc_count = 0;  // 0..15
  uint32_t csrcs[kMaxCsrcs] = {};
  bool extension = false;  // X bit
  uint16_t extension_profile = 0;
  uint16_t extension_words = 0;  // extension body length in 32-bit words

  // Bytes sent in the clear under the rtpsize modes (see the file comment).
  size_t UnencryptedBytes() const noexcept {
    return kFixedHeaderBytes + 4u * csrc_count + (extension ? kExtensionHeaderBytes : 0);
  }
  size_t ExtensionBodyBytes() const noexcept { return extension ? 4u * extension_words : 0; }
};

// Where the parts of a cleartext packet lie, as offsets/lengths into the parsed buffer.
struct PacketLayout {
  size_t header_bytes = 0;      // the unencrypted header (fixed + CSRCs + extension header)
  size_t extension_offset = 0;  // extension body (length header.ExtensionBodyBytes())
  size_t payload_offset = 0;
  size_t payload_bytes = 0;  // excludes padding
  size_t padding_bytes = 0;
};

// Parses the unencrypted header of `data` (a cleartext or a sealed packet). Checks: size covers
// the fixed header, the CSRC list and the extension header; version is 2. Does not look past the
// extension header. kMalformedPacket otherwise. Never allocates on success. Thread-safe.
[[nodiscard]] Status ParseHeader(const uint8_t* data, size_t size, Header* out) noexcept;

// Parses a whole cleartext packet: the header as ParseHeader, then the extension body must fit,
// and with the P bit the padding count (last byte) must be >= 1 and fit after the header and
// extension. kMalformedPacket otherwise. Never allocates on success. Thread-safe.
[[nodiscard]] Status ParsePacket(const uint8_t* data, size_t size, Header* header,
                                 PacketLayout* layout) noexcept;

// Writes the unencrypted header of `header` (fixed part, CSRCs, and the 4-byte extension header
// when `extension` is set; the extension body is the caller's, it comes next) into `out`.
// Returns the bytes written, or 0 when `capacity` is too small or a field is out of range
// (payload type > 127, csrc_count > 15). Never allocates. Thread-safe.
size_t WriteHeader(const Header& header, uint8_t* out, size_t capacity) noexcept;

// Serial-number arithmetic (RFC 1982) for 16-bit sequence numbers: the signed distance from `a`
// to `b` in (-32768, 32767], so 65535 -> 0 is +1. Never allocates. Thread-safe.
constexpr int32_t SequenceDelta(uint16_t a, uint16_t b) noexcept {
  return static_cast<int16_t>(static_cast<uint16_t>(b - a));
}
// True when `b` comes after `a` (modulo wrap).
constexpr bool SequenceNewer(uint16_t a, uint16_t b) noexcept { return SequenceDelta(a, b) > 0; }
// As SequenceDelta for 32-bit timestamps.
constexpr int64_t TimestampDelta(uint32_t a, uint32_t b) noexcept {
  return static_cast<int32_t>(static_cast<uint32_t>(b - a));
}
constexpr bool TimestampNewer(uint32_t a, uint32_t b) noexcept { return TimestampDelta(a, b) > 0; }

// One element of an RFC 8285 extension body.
struct ExtensionElement {
  uint8_t id = 0;
  const uint8_t* data = nullptr;
  size_t size = 0;
};

// Splits an RFC 8285 extension body (`profile` one-byte or two-byte) into elements, skipping
// padding bytes, and stopping at the one-byte profile's reserved ID 15. Writes at most `max`
// elements and sets `count`. kMalformedPacket when an element overruns the body, kInvalidArgument
// for another profile or more than `max` elements. Never allocates on success. Thread-safe.
[[nodiscard]] Status ParseExtensionElements(uint16_t profile, const uint8_t* body, size_t size,
                                            ExtensionElement* out, size_t max,
                                            size_t* count) noexcept;

}  // namespace voxpool::voice::rtp
