#include "voxpool/voice/receiver.h"

namespace voxpool::voice {

Status VoiceReceiver::Create(const VoiceReceiverOptions& options, const uint8_t* key,
                             size_t key_size, std::unique_ptr<VoiceReceiver>* out) {
  if (!opus::IsValidSampleRate(options.sample_rate) || options.channels < 1 || options.channels > 2)
    return Status(ErrorCode::kInvalidArgument, "Invalid receiver sample rate or channel count");
  if (options.window > kMaxReceiverWindow || options.max_ssrcs == 0)
    return Status(ErrorCode::kInvalidArgument, "Invalid receiver window or SSRC limit");
  std::unique_ptr<VoiceReceiver> r(new VoiceReceiver());
  Status st = crypto::VoiceCipher::Create(options.mode, key, key_size, &r->cipher_);
  if (!st.ok()) return st;
  r->options_ = options;
  r->scratch_.resize(65535);
  *out = std::move(r);
  return Status::Ok();
}

Status VoiceReceiver::Push(const uint8_t* packet, size_t size, std::vector<ReceivedFrame>* out) {
  size_t n = 0;
  Status st = cipher_->Open(packet, size, scratch_.data(), scratch_.size(), &n);
  if (!st.ok()) return st;
  rtp::Header h;
  rtp::PacketLayout layout;
  st = rtp::ParsePacket(scratch_.data(), n, &h, &layout);
  if (!st.ok()) return st;
  st = PushOpus(h.ssrc, h.sequence, h.timestamp, scratch_.data() + layout.payload_offset,
                layout.payload_bytes, out);
  if (st.ok()) ++stats_.packets;
  return st;
}

Status VoiceReceiver::PushOpus(uint32_t ssrc, uint16_t sequence, uint32_t timestamp,
                               const uint8_t* opus, size_t size, std::vector<ReceivedFrame>* out) {
  auto it = streams_.find(ssrc);
  if (it == streams_.end()) {
    if (streams_.size() >= options_.max_ssrcs)
      return Status(ErrorCode::kQueueFull, "The receiver tracks its maximum number of SSRCs");
    Stream s;
    Status st = opus::Decoder::Create(options_.sample_rate, options_.channels, &s.decoder);
    if (!st.ok()) return st;
    it = streams_.emplace(ssrc, std::move(s)).first;
    stream_count_.store(streams_.size(), std::memory_order_relaxed);
  }
  Stream& s = it->second;
  if (!s.started) {
    s.started = true;
    s.next_sequence = sequence;
    s.next_timestamp = timestamp;
  }
  const int32_t delta = rtp::SequenceDelta(s.next_sequence, sequence);
  if (delta < 0) {
    ++stats_.late;
    return Status::Ok();
  }
  if (delta > kResyncGap) {
    // The sender restarted or we missed seconds: play what is queued, then start over here.
    Release(ssrc, s, /*flush=*/true, out);
    s.next_sequence = sequence;
    s.next_timestamp = timestamp;
  }
  if (!s.queued
           .emplace(sequence, std::make_pair(timestamp, std::vector<uint8_t>(opus, opus + size)))
           .second) {
    ++stats_.duplicates;
    return Status::Ok();
  }
  Release(ssrc, s, /*flush=*/false, out);
  return Status::Ok();
}

void VoiceReceiver::Emit(uint32_t ssrc, Stream& s, const uint8_t* opus, size_t size, bool fec,
                         ReceivedFrame::Kind kind, uint32_t timestamp,
                         std::vector<ReceivedFrame>* out) {
  if (opus != nullptr && size == 0) {  // an empty payload carries nothing to decode
    opus = nullptr;
    fec = false;
    kind = ReceivedFrame::Kind::kConcealed;
  }
  ReceivedFrame f;
  f.ssrc = ssrc;
  f.sequence = s.next_sequence;
  f.timestamp = timestamp;
  f.kind = kind;
  const bool conceal = opus == nullptr || fec;
  int max = opus::kMaxFrameSamples;
  if (conceal) {
    max = s.decoder->LastFrameSize();
    if (max == 0) max = options_.sample_rate / 50;
  }
  f.pcm.resize(static_cast<size_t>(max) * options_.channels);
  int samples = s.decoder->Decode(opus, opus == nullptr ? 0 : size, f.pcm.data(), max, fec);
  if (samples < 0 && !conceal) {
    // Corrupt payload: conceal it so the timeline keeps its length.
    ++stats_.corrupt;
    f.kind = ReceivedFrame::Kind::kConcealed;
    max = s.decoder->LastFrameSize();
    if (max == 0) max = options_.sample_rate / 50;
    f.pcm.resize(static_cast<size_t>(max) * options_.channels);
    samples = s.decoder->Decode(nullptr, 0, f.pcm.data(), max, false);
  }
  if (samples < 0) samples = 0;
  f.pcm.resize(static_cast<size_t>(samples) * options_.channels);
  switch (f.kind) {
    case ReceivedFrame::Kind::kDecoded:
      ++stats_.decoded;
      break;
    case ReceivedFrame::Kind::kConcealed:
      ++stats_.concealed;
      break;
    case ReceivedFrame::Kind::kRecovered:
      ++stats_.recovered;
      break;
  }
  // RTP timestamps count 48 kHz samples whatever the output rate.
  s.next_timestamp =
      timestamp + static_cast<uint32_t>(samples) * (rtp::kClockRate / options_.sample_rate);
  ++s.next_sequence;
  out->push_back(std::move(f));
}

void VoiceReceiver::Release(uint32_t ssrc, Stream& s, bool flush, std::vector<ReceivedFrame>* out) {
  while (!s.queued.empty()) {
    auto it = s.queued.find(s.next_sequence);
    if (it != s.queued.end()) {
      const auto& [ts, opus] = it->second;
      Emit(ssrc, s, opus.data(), opus.size(), false, ReceivedFrame::Kind::kDecoded, ts, out);
      s.queued.erase(it);
      continue;
    }
    if (!flush && s.queued.size() <= options_.window) break;
    // The frame at next_sequence is lost. The packet after it may carry its FEC copy.
    // Only SILK and hybrid packets (TOC config < 16) can carry LBRR (FEC) data; a CELT-only
    // packet cannot, so the loss is concealed without asking libopus to look.
    auto after = s.queued.find(static_cast<uint16_t>(s.next_sequence + 1));
    if (after != s.queued.end() && !after->second.second.empty() &&
        (after->second.second[0] >> 3) < 16) {
      const auto& opus = after->second.second;
      Emit(ssrc, s, opus.data(), opus.size(), true, ReceivedFrame::Kind::kRecovered,
           s.next_timestamp, out);
    } else {
      Emit(ssrc, s, nullptr, 0, false, ReceivedFrame::Kind::kConcealed, s.next_timestamp, out);
    }
  }
}

void VoiceReceiver::Flush(std::vector<ReceivedFrame>* out) {
  for (auto& [ssrc, s] : streams_) Release(ssrc, s, /*flush=*/true, out);
}

void VoiceReceiver::Remove(uint32_t ssrc) {
  streams_.erase(ssrc);
  stream_count_.store(streams_.size(), std::memory_order_relaxed);
}

size_t VoiceReceiver::memory_bytes() const noexcept {
  const size_t per_stream =
      sizeof(Stream) + opus::Decoder::MemoryBytesFor(options_.channels) +
      (options_.window + 1) * (sizeof(std::pair<uint32_t, std::vector<uint8_t>>) + 64 +
                               static_cast<size_t>(opus::kMaxPacketBytes));
  return sizeof(*this) + sizeof(crypto::VoiceCipher) + scratch_.capacity() +
         stream_count_.load(std::memory_order_relaxed) * per_stream;
}

}  // namespace voxpool::voice
