#include "voxpool/container/opus_head.h"

#include <cstring>

namespace voxpool::container {
namespace {

Status Malformed(const std::string& what) {
  return Status(ErrorCode::kMalformedContainer, what);
}

uint16_t Le16(const uint8_t* p) noexcept { return static_cast<uint16_t>(p[0] | p[1] << 8); }

uint32_t Le32(const uint8_t* p) noexcept {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

void PutLe16(std::vector<uint8_t>* out, uint16_t v) {
  out->push_back(static_cast<uint8_t>(v));
  out->push_back(static_cast<uint8_t>(v >> 8));
}

void PutLe32(std::vector<uint8_t>* out, uint32_t v) {
  for (int shift = 0; shift < 32; shift += 8) out->push_back(static_cast<uint8_t>(v >> shift));
}

// Starts `out` afresh with the 8-byte magic.
void StartWith(std::vector<uint8_t>* out, const char* magic) {
  out->assign(reinterpret_cast<const uint8_t*>(magic),
              reinterpret_cast<const uint8_t*>(magic) + kOpusMagicBytes);
}

// Reads a 32-bit length and that many bytes as a string, from `*pos` in [0, size).
bool ReadString(const uint8_t* data, size_t size, size_t* pos, std::string* out) {
  if (size - *pos < 4) return false;
  const uint32_t len = Le32(data + *pos);
  *pos += 4;
  if (len > size - *pos) return false;  // checked before the string is made
  out->assign(reinterpret_cast<const char*>(data + *pos), len);
  *pos += len;
  return true;
}

}  // namespace

bool HasOpusMagic(const uint8_t* data, size_t size, const char* magic) noexcept {
  return data != nullptr && size >= kOpusMagicBytes && std::memcmp(data, magic, kOpusMagicBytes) == 0;
}

Status ParseOpusHead(const uint8_t* data, size_t size, OpusHead* out) {
  if (!HasOpusMagic(data, size, kOpusHeadMagic)) return Malformed("The OpusHead packet is missing");
  if (size < kOpusHeadMinBytes) {
    return Malformed("The OpusHead packet is " + std::to_string(size) + " bytes; it needs at least " +
                     std::to_string(kOpusHeadMinBytes));
  }
  OpusHead h;
  h.version = data[8];
  if (h.version > kOpusHeadMaxVersion) {
    return Malformed("OpusHead version " + std::to_string(h.version) + " is not one this reader knows");
  }
  h.channels = data[9];
  if (h.channels == 0) return Malformed("OpusHead says 0 channels");
  h.pre_skip = Le16(data + 10);
  h.input_sample_rate = Le32(data + 12);
  h.output_gain = static_cast<int16_t>(Le16(data + 16));
  h.mapping_family = data[18];
  if (h.mapping_family == 0) {
    if (h.channels > 2) return Malformed("OpusHead mapping family 0 allows 1 or 2 channels");
    h.stream_count = 1;
    h.coupled_count = h.channels - 1;
  } else {
    // Family != 0: stream count, coupled count and one mapping byte per channel follow.
    const size_t table_end = kOpusHeadMinBytes + 2 + static_cast<size_t>(h.channels);
    if (size < table_end) return Malformed("The OpusHead channel mapping table is cut short");
    h.stream_count = data[19];
    h.coupled_count = data[20];
    if (h.stream_count == 0 || h.coupled_count > h.stream_count) {
      return Malformed("OpusHead stream counts are inconsistent");
    }
    h.mapping.assign(data + 21, data + table_end);
    const int decoded = h.stream_count + h.coupled_count;
    for (uint8_t m : h.mapping) {
      if (m != 255 && m >= decoded) return Malformed("An OpusHead mapping entry names no stream");
    }
  }
  *out = std::move(h);
  return Status::Ok();
}

Status ParseOpusTags(const uint8_t* data, size_t size, OpusTags* out) {
  if (!HasOpusMagic(data, size, kOpusTagsMagic)) return Malformed("The OpusTags packet is missing");
  size_t pos = kOpusMagicBytes;
  OpusTags tags;
  if (!ReadString(data, size, &pos, &tags.vendor)) {
    return Malformed("The OpusTags vendor string runs past the packet");
  }
  if (size - pos < 4) return Malformed("The OpusTags comment count is missing");
  const uint32_t count = Le32(data + pos);
  pos += 4;
  // Each comment takes at least its 4-byte length: a count the packet cannot hold is refused
  // before anything is reserved for it.
  if (count > (size - pos) / 4) return Malformed("The OpusTags comment count exceeds the packet");
  tags.comments.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    std::string comment;
    if (!ReadString(data, size, &pos, &comment)) {
      return Malformed("OpusTags comment " + std::to_string(i) + " runs past the packet");
    }
    tags.comments.push_back(std::move(comment));
  }
  *out = std::move(tags);
  return Status::Ok();
}

void WriteOpusHead(const OpusHead& head, std::vector<uint8_t>* out) {
  StartWith(out, kOpusHeadMagic);
  out->push_back(static_cast<uint8_t>(head.version));
  out->push_back(static_cast<uint8_t>(head.channels));
  PutLe16(out, static_cast<uint16_t>(head.pre_skip));
  PutLe32(out, head.input_sample_rate);
  PutLe16(out, static_cast<uint16_t>(static_cast<int16_t>(head.output_gain)));
  out->push_back(static_cast<uint8_t>(head.mapping_family));
  if (head.mapping_family != 0) {
    out->push_back(static_cast<uint8_t>(head.stream_count));
    out->push_back(static_cast<uint8_t>(head.coupled_count));
    out->insert(out->end(), head.mapping.begin(), head.mapping.end());
  }
}

void WriteOpusTags(const OpusTags& tags, std::vector<uint8_t>* out) {
  StartWith(out, kOpusTagsMagic);
  PutLe32(out, static_cast<uint32_t>(tags.vendor.size()));
  out->insert(out->end(), tags.vendor.begin(), tags.vendor.end());
  PutLe32(out, static_cast<uint32_t>(tags.comments.size()));
  for (const std::string& c : tags.comments) {
    PutLe32(out, static_cast<uint32_t>(c.size()));
    out->insert(out->end(), c.begin(), c.end());
  }
}

}  // namespace voxpool::container
