#include "voxpool/voice/rtp.h"

#include <string>

namespace voxpool::voice::rtp {
namespace {

uint16_t ReadU16(const uint8_t* p) noexcept { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t ReadU32(const uint8_t* p) noexcept {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | p[3];
}
void WriteU16(uint8_t* p, uint16_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void WriteU32(uint8_t* p, uint32_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// Error messages are string literals so the failure path allocates only inside Status.
Status Malformed(const char* why) { return Status(ErrorCode::kMalformedPacket, why); }

}  // namespace

Status ParseHeader(const uint8_t* data, size_t size, Header* out) noexcept {
  if (data == nullptr || size < kFixedHeaderBytes)
    return Status(ErrorCode::kMalformedPacket, "RTP packet is shorter than the " +
                                                   std::to_string(kFixedHeaderBytes) +
                                                   "-byte fixed header");
  if ((data[0] >> 6) != kVersion) return Malformed("RTP version is not 2");
  Header h;
  h.padding = (data[0] & 0x20) != 0;
  h.extension = (data[0] & 0x10) != 0;
  h.csrc_count = data[0] & 0x0F;
  h.marker = (data[1] & 0x80) != 0;
  h.payload_type = data[1] & kMaxPayloadType;
  h.sequence = ReadU16(data + 2);
  h.timestamp = ReadU32(data + 4);
  h.ssrc = ReadU32(data + 8);
  if (size < kFixedHeaderBytes + 4u * h.csrc_count)
    return Malformed("RTP packet is shorter than its CSRC list");
  for (uint8_t i = 0; i < h.csrc_count; ++i)
    h.csrcs[i] = ReadU32(data + kFixedHeaderBytes + 4u * i);
  if (h.extension) {
    const size_t at = kFixedHeaderBytes + 4u * h.csrc_count;
    if (size < at + kExtensionHeaderBytes)
      return Malformed("RTP packet is shorter than its extension header");
    h.extension_profile = ReadU16(data + at);
    h.extension_words = ReadU16(data + at + 2);
  }
  *out = h;
  return Status::Ok();
}

Status ParsePacket(const uint8_t* data, size_t size, Header* header,
                   PacketLayout* layout) noexcept {
  Header h;
  Status st = ParseHeader(data, size, &h);
  if (!st.ok()) return st;
  PacketLayout l;
  l.header_bytes = h.UnencryptedBytes();
  l.extension_offset = l.header_bytes;
  const size_t body_end = l.header_bytes + h.ExtensionBodyBytes();
  if (size < body_end) return Malformed("RTP extension body overruns the packet");
  size_t end = size;
  if (h.padding) {
    if (size == body_end) return Malformed("RTP padding bit set but no padding length byte");
    const uint8_t pad = data[size - 1];
    if (pad == 0 || pad > size - body_end) return Malformed("RTP padding length is invalid");
    l.padding_bytes = pad;
    end = size - pad;
  }
  l.payload_offset = body_end;
  l.payload_bytes = end - body_end;
  *header = h;
  *layout = l;
  return Status::Ok();
}

size_t WriteHeader(const Header& h, uint8_t* out, size_t capacity) noexcept {
  if (h.payload_type > kMaxPayloadType || h.csrc_count > kMaxCsrcs) return 0;
  const size_t n = h.UnencryptedBytes();
  if (out == nullptr || capacity < n) return 0;
  out[0] = static_cast<uint8_t>((kVersion << 6) | (h.padding ? 0x20 : 0) |
                                (h.extension ? 0x10 : 0) | h.csrc_count);
  out[1] = static_cast<uint8_t>((h.marker ? 0x80 : 0) | h.payload_type);
  WriteU16(out + 2, h.sequence);
  WriteU32(out + 4, h.timestamp);
  WriteU32(out + 8, h.ssrc);
  for (uint8_t i = 0; i < h.csrc_count; ++i) WriteU32(out + kFixedHeaderBytes + 4u * i, h.csrcs[i]);
  if (h.extension) {
    uint8_t* ext = out + kFixedHeaderBytes + 4u * h.csrc_count;
    WriteU16(ext, h.extension_profile);
    WriteU16(ext + 2, h.extension_words);
  }
  return n;
}

Status ParseExtensionElements(uint16_t profile, const uint8_t* body, size_t size,
                              ExtensionElement* out, size_t max, size_t* count) noexcept {
  const ExtensionProfile kind = ProfileOf(profile);
  if (kind != ExtensionProfile::kOneByte && kind != ExtensionProfile::kTwoByte)
    return Status(ErrorCode::kInvalidArgument,
                  "Extension profile is neither RFC 8285 one-byte nor two-byte");
  size_t n = 0;
  size_t i = 0;
  while (i < size) {
    const uint8_t first = body[i];
    if (first == 0) {  // padding between elements (both profiles)
      ++i;
      continue;
    }
    ExtensionElement e;
    size_t header_bytes;
    if (kind == ExtensionProfile::kOneByte) {
      // ID 15 is reserved: "stop processing" (RFC 8285 section 4.2).
      if ((first >> 4) == 15) break;
      e.id = first >> 4;
      e.size = (first & 0x0F) + 1u;
      header_bytes = 1;
    } else {
      if (i + 2 > size) return Malformed("RTP two-byte extension element header overruns the body");
      e.id = first;
      e.size = body[i + 1];
      header_bytes = 2;
    }
    if (i + header_bytes + e.size > size)
      return Malformed("RTP extension element overruns the body");
    e.data = body + i + header_bytes;
    if (n == max)
      return Status(ErrorCode::kInvalidArgument, "More RTP extension elements than room");
    out[n++] = e;
    i += header_bytes + e.size;
  }
  *count = n;
  return Status::Ok();
}

}  // namespace voxpool::voice::rtp
