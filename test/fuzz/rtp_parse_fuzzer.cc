// libFuzzer target: RTP header and packet parsing (rtp.h) on arbitrary bytes: CSRC lists,
// extension header and body, RFC 8285 elements, padding. Beyond "no crash", it checks what the
// parser promises: the layout stays inside the buffer and a parsed header writes back unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "voxpool/voice/rtp.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace voxpool::voice::rtp;
  Header header;
  const bool header_ok = ParseHeader(data, size, &header).ok();
  if (header_ok) {
    Check(header.csrc_count <= kMaxCsrcs);
    Check(header.UnencryptedBytes() <= size);
    Check(header.UnencryptedBytes() <= kMaxHeaderBytes);
    // Writing the parsed header back reproduces the input's unencrypted header byte for byte.
    uint8_t written[kMaxHeaderBytes];
    const size_t n = WriteHeader(header, written, sizeof(written));
    Check(n == header.UnencryptedBytes());
    Check(std::memcmp(written, data, n) == 0);
    // Too small a buffer is refused, not overrun.
    Check(WriteHeader(header, written, n - 1) == 0);
  }

  Header h;
  PacketLayout layout;
  if (!ParsePacket(data, size, &h, &layout).ok()) return 0;
  Check(header_ok);
  Check(layout.header_bytes == h.UnencryptedBytes());
  Check(layout.extension_offset == layout.header_bytes);
  Check(layout.payload_offset == layout.extension_offset + h.ExtensionBodyBytes());
  // Each part lies inside the buffer (compared without sums that could wrap around).
  Check(layout.payload_offset <= size);
  Check(layout.payload_bytes <= size - layout.payload_offset);
  Check(layout.padding_bytes == size - layout.payload_offset - layout.payload_bytes);
  if (h.padding) Check(data[size - 1] == layout.padding_bytes);
  Check(h.padding == (layout.padding_bytes > 0));

  if (h.extension) {
    const ExtensionProfile kind = ProfileOf(h.extension_profile);
    const uint8_t* body = data + layout.extension_offset;
    const size_t body_size = h.ExtensionBodyBytes();
    ExtensionElement elements[32];
    size_t count = 0;
    if (ParseExtensionElements(h.extension_profile, body, body_size, elements, 32, &count).ok()) {
      Check(kind == ExtensionProfile::kOneByte || kind == ExtensionProfile::kTwoByte);
      Check(count <= 32);
      for (size_t i = 0; i < count; ++i) {
        Check(elements[i].data >= body);
        Check(elements[i].data + elements[i].size <= body + body_size);
        // Touch every byte so ASan sees any element that points outside the body.
        volatile uint8_t sink = 0;
        for (size_t j = 0; j < elements[i].size; ++j) sink = sink ^ elements[i].data[j];
        (void)sink;
      }
    }
  }
  return 0;
}
