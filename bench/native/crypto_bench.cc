// Voice transport crypto per packet (items = packets): seal/open of a 160-byte Opus payload
// behind a 12-byte RTP header, both Discord modes, plus a 4 KiB secretstream push.
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include "voxpool/voice/rtp.h"
#include "voxpool/crypto/secret_stream.h"
#include "voxpool/crypto/voice_cipher.h"

namespace voxpool::crypto {
namespace {

namespace rtp = voice::rtp;

constexpr size_t kPayload = 160;

std::vector<uint8_t> Packet() {
  std::vector<uint8_t> p(rtp::kFixedHeaderBytes + kPayload, 0xAB);
  rtp::Header h;
  h.sequence = 1;
  h.timestamp = 960;
  h.ssrc = 42;
  (void)rtp::WriteHeader(h, p.data(), p.size());
  return p;
}

std::unique_ptr<VoiceCipher> Make(VoiceMode mode) {
  uint8_t key[32] = {1, 2, 3};
  std::unique_ptr<VoiceCipher> c;
  if (!VoiceCipher::Create(mode, key, sizeof(key), &c).ok()) return nullptr;
  return c;
}

void BM_Seal(benchmark::State& state) {
  auto c = Make(static_cast<VoiceMode>(state.range(0)));
  if (!c) return state.SkipWithError("mode unavailable");
  auto p = Packet();
  std::vector<uint8_t> out(p.size() + kVoiceOverheadBytes);
  for (auto _ : state) {
    size_t n;
    if (c->nonce() == UINT32_MAX) c->set_nonce(0);
    benchmark::DoNotOptimize(c->Seal(p.data(), p.size(), out.data(), out.size(), &n).ok());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(InfoOf(c->mode()).name);
}
BENCHMARK(BM_Seal)->Arg(0)->Arg(1);

void BM_Open(benchmark::State& state) {
  auto c = Make(static_cast<VoiceMode>(state.range(0)));
  if (!c) return state.SkipWithError("mode unavailable");
  auto p = Packet();
  std::vector<uint8_t> sealed(p.size() + kVoiceOverheadBytes), out(sealed.size());
  size_t n;
  if (!c->Seal(p.data(), p.size(), sealed.data(), sealed.size(), &n).ok())
    return state.SkipWithError("seal");
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        c->Open(sealed.data(), sealed.size(), out.data(), out.size(), &n).ok());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(InfoOf(c->mode()).name);
}
BENCHMARK(BM_Open)->Arg(0)->Arg(1);

void BM_RtpParse(benchmark::State& state) {
  auto p = Packet();
  rtp::Header h;
  rtp::PacketLayout l;
  for (auto _ : state) benchmark::DoNotOptimize(rtp::ParsePacket(p.data(), p.size(), &h, &l).ok());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RtpParse);

void BM_SecretStreamPush4K(benchmark::State& state) {
  uint8_t key[32] = {9};
  uint8_t header[kSecretStreamHeaderBytes];
  std::unique_ptr<SecretStreamPush> push;
  if (!SecretStreamPush::Create(key, sizeof(key), header, &push).ok())
    return state.SkipWithError("init");
  std::vector<uint8_t> m(4096, 1), c(m.size() + kSecretStreamOverheadBytes);
  for (auto _ : state) {
    size_t n;
    benchmark::DoNotOptimize(
        push->Push(m.data(), m.size(), kTagMessage, c.data(), c.size(), &n).ok());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(m.size()));
}
BENCHMARK(BM_SecretStreamPush4K);

}  // namespace
}  // namespace voxpool::crypto
