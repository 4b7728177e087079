// Proves the "never allocates" claims of the hot paths by counting heap allocations: steady-state
// mix::Mixer ticks and pushes (s16 and f32, resampled and ducked sources, gain ramps),
// mix::SpeakerMixer pushes and ticks (jitter, reordering, loss, 48 kHz stereo -> 16 kHz mono,
// per-speaker frames), opus::Encoder::Encode / Decoder::Decode (and concealment),
// opus::Transcoder::Process, VoiceCipher Seal / Open, filter::FilterChain Process / SetFilters
// (loudness included), its timescale through ProcessInto, and speech::SpeechProcessor Process /
// ProcessReverse with every stage on.
//
// This is its own executable because it replaces the global allocation functions: operator new
// (every form) and, on glibc, malloc / calloc / realloc / memalign / posix_memalign /
// aligned_alloc, which forward to glibc's __libc_* entry points. C libraries (libsoxr, libopus,
// libsodium) allocate with malloc, so counting operator new alone would miss them. Sanitizers
// replace the same functions, so CMake builds this only without VOXPOOL_SANITIZE.
//
// Only allocations made on the thread inside a Counting scope are counted (nothing here starts a
// thread, and gtest's own allocations happen outside the scopes).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "voxpool/crypto/voice_cipher.h"
#include "voxpool/filter/filter_chain.h"
#include "voxpool/mix/mixer.h"
#include "voxpool/mix/speaker_mixer.h"
#include "voxpool/opus/constants.h"
#include "voxpool/opus/decoder.h"
#include "voxpool/opus/encoder.h"
#include "voxpool/opus/transcoder.h"
#include "voxpool/speech/speech_processor.h"

namespace {

thread_local bool t_counting = false;
thread_local long t_allocations = 0;

inline void Note() noexcept {
  if (t_counting) ++t_allocations;
}

// Counts allocations made by this thread while alive; a scope does not nest.
class Counting {
 public:
  Counting() noexcept {
    t_allocations = 0;
    t_counting = true;
  }
  ~Counting() { t_counting = false; }
  long Stop() noexcept {
    t_counting = false;
    return t_allocations;
  }
};

void* NewOrThrow(std::size_t size) {
  Note();
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* AlignedNewOrThrow(std::size_t size, std::align_val_t align) {
  Note();
  const std::size_t a = static_cast<std::size_t>(align);
  void* p = nullptr;
  if (posix_memalign(&p, a < sizeof(void*) ? sizeof(void*) : a, size == 0 ? 1 : size) == 0) {
    return p;
  }
  throw std::bad_alloc();
}

}  // namespace

// ---- the replaced allocation functions -------------------------------------------------------
// operator new forwards to malloc, which is counted too, so one `new` counts at least once; the
// tests only ever expect zero.

void* operator new(std::size_t size) { return NewOrThrow(size); }
void* operator new[](std::size_t size) { return NewOrThrow(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  Note();
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  Note();
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new(std::size_t size, std::align_val_t align) {
  return AlignedNewOrThrow(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return AlignedNewOrThrow(size, align);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

#if defined(__GLIBC__)
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);

void* malloc(std::size_t size) {
  Note();
  return __libc_malloc(size);
}
void* calloc(std::size_t n, std::size_t size) {
  Note();
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t size) {
  Note();
  return __libc_realloc(p, size);
}
void* memalign(std::size_t align, std::size_t size) {
  Note();
  return __libc_memalign(align, size);
}
void* aligned_alloc(std::size_t align, std::size_t size) {
  Note();
  return __libc_memalign(align, size);
}
int posix_memalign(void** out, std::size_t align, std::size_t size) {
  Note();
  void* p = __libc_memalign(align, size);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}
}  // extern "C"
constexpr bool kCountsMalloc = true;
#else
constexpr bool kCountsMalloc = false;
#endif

namespace voxpool {
namespace {

constexpr double kPi = 3.14159265358979323846;

std::vector<int16_t> Sine(int frames, int channels, double hz, int rate, int offset, double amp) {
  std::vector<int16_t> v(static_cast<size_t>(frames) * channels);
  for (int i = 0; i < frames; ++i)
    for (int c = 0; c < channels; ++c)
      v[static_cast<size_t>(i) * channels + c] =
          static_cast<int16_t>(amp * std::sin(2 * kPi * hz * (offset + i) / rate));
  return v;
}

TEST(AllocTest, TheCounterSeesNewAndMalloc) {
  Counting c;
  auto* p = new std::vector<int>(100);
  delete p;
  void* q = std::malloc(10);
  std::free(q);
  const long n = c.Stop();
  EXPECT_GE(n, kCountsMalloc ? 3 : 2);
}

// 32 stereo 20 ms s16 sources with gains and pan, an f32 16 kHz mono source (resampled, upmixed)
// as a ducker, limiter engaged, gain ramps started mid-run; pushes and ticks counted.
TEST(AllocTest, MixerPushAndTickNeverAllocate) {
  for (const bool f32_out : {false, true}) {
    SCOPED_TRACE(f32_out ? "f32 out" : "s16 out");
    mix::MixerOptions o;
    o.max_sources = 33;
    std::unique_ptr<mix::Mixer> m;
    ASSERT_TRUE(mix::Mixer::Create(o, &m).ok());
    std::vector<uint32_t> ids(32);
    for (int s = 0; s < 32; ++s) {
      mix::SourceOptions so;
      so.gain = mix::DbToLinear(-1.0f - s % 7);
      so.pan = s % 2 ? 0.4f : 0.0f;
      ASSERT_TRUE(m->AddSource(so, &ids[s]).ok());
    }
    mix::SourceOptions tts;
    tts.sample_rate = 16000;
    tts.channels = 1;
    tts.format = SampleFormat::kF32;
    uint32_t tts_id = 0;
    ASSERT_TRUE(m->AddSource(tts, &tts_id).ok());
    ASSERT_TRUE(m->SetDucker(tts_id, true).ok());
    const std::vector<int16_t> loud = Sine(960, 2, 440, 48000, 0, 30000);  // 32 of them: limited
    std::vector<float> voice(320);
    std::vector<int16_t> out16(960 * 2);
    std::vector<float> outf(960 * 2);
    auto tick = [&](int k) {
      for (int i = 0; i < 320; ++i)
        voice[i] = 0.5f * std::sin(2 * kPi * 200 * (k * 320 + i) / 16000);
      for (uint32_t id : ids) ASSERT_TRUE(m->Push(id, loud.data(), 960).ok());
      ASSERT_TRUE(m->Push(tts_id, voice.data(), 320).ok());
      if (f32_out) {
        m->Mix(outf.data());
      } else {
        m->Mix(out16.data());
      }
    };
    for (int k = 0; k < 20; ++k) tick(k);  // warm-up: resampler start-up, prebuffer
    Counting c;
    for (int k = 20; k < 120; ++k) {
      if (k == 50) {
        (void)m->SetGain(ids[3], 0.25f, 100.0f);
        (void)m->SetMasterGain(0.8f, 40.0f);
        (void)m->SetMuted(ids[4], true);
        (void)m->SetSolo(ids[5], false);
        (void)m->SetPan(ids[6], -0.5f);
        (void)m->ClearSource(ids[7]);
      }
      tick(k);
    }
    const long n = c.Stop();
    EXPECT_EQ(n, 0) << "allocations in 100 steady-state ticks with 33 pushes each";
    EXPECT_GT(m->stats().limited_ticks, 0u);
    EXPECT_TRUE(m->stats().ducking);
  }
}

// Eight speakers, 48 kHz stereo in (20 ms packets), with reordering (pairs, reversed), a lost
// packet (concealed), a late packet (dropped), a speaker removed, per-speaker frames read; with
// `arrivals`, new SSRCs also take free slots during the counted ticks. Output is 16 kHz mono
// through a resampler per speaker, or 48 kHz stereo without one. Returns the allocations counted
// in 100 ticks after 20 ticks of warm-up.
long SpeakerMixerAllocations(bool resample, bool arrivals) {
  mix::SpeakerMixerOptions o;
  o.output_rate = resample ? 16000 : 48000;
  o.output_channels = resample ? 1 : 2;
  o.frame_size = o.output_rate / 50;
  o.jitter_frames = 3;
  o.max_speakers = 16;
  std::unique_ptr<mix::SpeakerMixer> m;
  EXPECT_TRUE(mix::SpeakerMixer::Create(o, &m).ok());
  if (!m) return -1;
  std::vector<int16_t> out(static_cast<size_t>(m->frame_samples()));
  std::vector<int16_t> speaker(out.size());
  std::vector<std::vector<int16_t>> pcm;
  for (int s = 0; s < 10; ++s) pcm.push_back(Sine(960, 2, 200 + 50 * s, 48000, 0, 3000));
  bool ok = true;
  auto push = [&](uint32_t ssrc, int k) {
    ok &= m->Push(ssrc, static_cast<uint32_t>(1000 * ssrc + 960 * k), static_cast<uint16_t>(k),
                  pcm[ssrc - 1].data(), 960)
              .ok();
  };
  auto tick = [&](int k, bool counted) {
    for (uint32_t ssrc = 1; ssrc <= 8; ++ssrc) {
      if (ssrc == 8 && counted && k >= 80) continue;  // removed below, stays away
      if (ssrc == 3 && k == 60) continue;             // lost
      if (ssrc == 2) {                                // bursty: pairs, reversed
        if (k % 2 == 1) {
          push(2, k);
          push(2, k - 1);
        }
        continue;
      }
      push(ssrc, k);
    }
    if (counted && k == 80) ok &= m->RemoveSpeaker(8).ok();
    if (counted && k == 90) push(3, 60);                  // far too late: dropped, counted
    if (arrivals && counted && k >= 70) push(9, k - 70);  // a new SSRC takes a free slot
    if (arrivals && counted && k >= 95) push(10, k - 95);
    m->Mix(out.data());
    uint32_t ssrcs[mix::kSpeakerMaxSpeakers];
    const int n = m->Speakers(ssrcs, mix::kSpeakerMaxSpeakers);
    for (int i = 0; i < n; ++i) ok &= m->SpeakerFrame(ssrcs[i], speaker.data()).ok();
  };
  for (int k = 0; k < 20; ++k) tick(k, false);
  long n = 0;
  {
    Counting c;
    for (int k = 20; k < 120; ++k) tick(k, true);
    n = c.Stop();
  }
  EXPECT_TRUE(ok);
  mix::SpeakerStats st;
  EXPECT_TRUE(m->GetSpeakerStats(3, &st).ok());
  EXPECT_EQ(st.late_packets, 1u);
  EXPECT_EQ(st.concealed_ticks, 1u);
  EXPECT_TRUE(m->GetSpeakerStats(2, &st).ok());
  EXPECT_EQ(st.late_packets, 0u);
  EXPECT_EQ(st.partial_ticks, 0u);
  EXPECT_EQ(m->GetSpeakerStats(8, &st).code(), ErrorCode::kInvalidArgument);
  if (arrivals) {
    EXPECT_TRUE(m->GetSpeakerStats(9, &st).ok());
    EXPECT_GT(st.played_ticks, 0u);
  }
  return n;
}

TEST(AllocTest, SpeakerMixerPushAndTickNeverAllocate) {
  EXPECT_EQ(SpeakerMixerAllocations(/*resample=*/true, /*arrivals=*/false), 0)
      << "48 kHz stereo -> 16 kHz mono, existing speakers";
  EXPECT_EQ(SpeakerMixerAllocations(/*resample=*/false, /*arrivals=*/false), 0)
      << "48 kHz stereo -> 48 kHz stereo, existing speakers";
  EXPECT_EQ(SpeakerMixerAllocations(/*resample=*/false, /*arrivals=*/true), 0)
      << "48 kHz stereo -> 48 kHz stereo, new speakers arriving";
}

TEST(AllocTest, OpusEncodeAndDecodeNeverAllocate) {
  for (const int rate : {48000, 16000}) {
    for (const int channels : {1, 2}) {
      SCOPED_TRACE(std::to_string(rate) + " Hz x" + std::to_string(channels));
      opus::EncoderOptions eo;
      eo.sample_rate = rate;
      eo.channels = channels;
      eo.bitrate = 64000;
      eo.inband_fec = true;
      eo.packet_loss = 10;
      std::unique_ptr<opus::Encoder> enc;
      std::unique_ptr<opus::Decoder> dec;
      ASSERT_TRUE(opus::Encoder::Create(eo, &enc).ok());
      ASSERT_TRUE(opus::Decoder::Create(rate, channels, &dec).ok());
      const int frame = rate / 50;
      std::vector<uint8_t> packet(opus::kMaxPacketBytes);
      std::vector<int16_t> pcm_out(static_cast<size_t>(opus::kMaxFrameSamples) * channels);
      std::vector<float> float_out(pcm_out.size());
      std::vector<float> float_in(static_cast<size_t>(frame) * channels);
      auto round = [&](int k) {
        const std::vector<int16_t> in = Sine(frame, channels, 330, rate, k * frame, 12000);
        const int len = enc->Encode(in.data(), frame, packet.data(), opus::kMaxPacketBytes);
        ASSERT_GT(len, 0);
        ASSERT_EQ(dec->Decode(packet.data(), len, pcm_out.data(), opus::kMaxFrameSamples, false),
                  frame);
        if (k % 10 == 5) {  // a loss: concealment, then FEC from the next packet
          ASSERT_EQ(dec->Decode(nullptr, 0, pcm_out.data(), frame, false), frame);
          ASSERT_EQ(dec->Decode(packet.data(), len, pcm_out.data(), frame, true), frame);
        }
        for (size_t i = 0; i < float_in.size(); ++i) float_in[i] = in[i] / 32768.0f;
        const int flen =
            enc->EncodeFloat(float_in.data(), frame, packet.data(), opus::kMaxPacketBytes);
        ASSERT_GT(flen, 0);
        ASSERT_EQ(
            dec->DecodeFloat(packet.data(), flen, float_out.data(), opus::kMaxFrameSamples, false),
            frame);
      };
      // Sine() allocates its vector: build inputs outside the counted region.
      std::vector<std::vector<int16_t>> inputs;
      for (int k = 0; k < 60; ++k)
        inputs.push_back(Sine(frame, channels, 330, rate, k * frame, 12000));
      for (int k = 0; k < 10; ++k) round(k);
      Counting c;
      for (int k = 10; k < 60; ++k) {
        const std::vector<int16_t>& in = inputs[k];
        const int len = enc->Encode(in.data(), frame, packet.data(), opus::kMaxPacketBytes);
        ASSERT_GT(len, 0);
        ASSERT_EQ(dec->Decode(packet.data(), len, pcm_out.data(), opus::kMaxFrameSamples, false),
                  frame);
        if (k % 10 == 5) {
          ASSERT_EQ(dec->Decode(nullptr, 0, pcm_out.data(), frame, false), frame);
          ASSERT_EQ(dec->Decode(packet.data(), len, pcm_out.data(), frame, true), frame);
        }
        for (size_t i = 0; i < float_in.size(); ++i) float_in[i] = in[i] / 32768.0f;
        const int flen =
            enc->EncodeFloat(float_in.data(), frame, packet.data(), opus::kMaxPacketBytes);
        ASSERT_GT(flen, 0);
        ASSERT_EQ(
            dec->DecodeFloat(packet.data(), flen, float_out.data(), opus::kMaxFrameSamples, false),
            frame);
      }
      const long n = c.Stop();
      EXPECT_EQ(n, 0) << "allocations in 50 encode/decode rounds";
    }
  }
}

TEST(AllocTest, OpusTranscoderProcessNeverAllocates) {
  opus::EncoderOptions eo;
  eo.bitrate = 64000;
  std::unique_ptr<opus::Encoder> source;
  std::unique_ptr<opus::Encoder> output;
  ASSERT_TRUE(opus::Encoder::Create(eo, &source).ok());
  ASSERT_TRUE(opus::Encoder::Create(eo, &output).ok());
  std::unique_ptr<opus::Transcoder> transcoder;
  ASSERT_TRUE(opus::Transcoder::Create(std::move(output), 1.0, &transcoder).ok());
  std::vector<std::vector<uint8_t>> packets;
  for (int k = 0; k < 60; ++k) {
    const std::vector<int16_t> in = Sine(960, 2, 330, 48000, k * 960, 12000);
    std::vector<uint8_t> p(opus::kMaxPacketBytes);
    const int len = source->Encode(in.data(), 960, p.data(), opus::kMaxPacketBytes);
    ASSERT_GT(len, 0);
    p.resize(static_cast<size_t>(len));
    packets.push_back(std::move(p));
  }
  std::vector<uint8_t> out(opus::kMaxPacketBytes);
  opus::VolumeCommand command;
  for (int k = 0; k < 10; ++k)
    ASSERT_GT(transcoder->Process(packets[k].data(), packets[k].size(), command, out.data(),
                                  opus::kMaxPacketBytes),
              0);
  Counting c;
  for (int k = 10; k < 60; ++k) {
    if (k % 10 == 0)
      command = opus::VolumeCommand{command.generation + 1, k % 20 == 0 ? 0.5 : 1.5, 40};
    const bool lost = k % 10 == 5;  // concealment too
    ASSERT_GT(transcoder->Process(lost ? nullptr : packets[k].data(), lost ? 0 : packets[k].size(),
                                  command, out.data(), opus::kMaxPacketBytes),
              0);
  }
  EXPECT_EQ(c.Stop(), 0)
      << "allocations in 50 transcoded frames (volume changes and a loss included)";
}

TEST(AllocTest, VoiceCipherSealAndOpenNeverAllocate) {
  ASSERT_TRUE(crypto::InitSodium().ok());
  for (const crypto::VoiceMode mode :
       {crypto::VoiceMode::kXChaCha20Poly1305RtpSize, crypto::VoiceMode::kAes256GcmRtpSize}) {
    if (mode == crypto::VoiceMode::kAes256GcmRtpSize && !crypto::Aes256GcmAvailable()) continue;
    SCOPED_TRACE(static_cast<int>(mode));
    uint8_t key[crypto::kVoiceKeyBytes];
    for (size_t i = 0; i < sizeof key; ++i) key[i] = static_cast<uint8_t>(i * 7 + 1);
    std::unique_ptr<crypto::VoiceCipher> cipher;
    ASSERT_TRUE(crypto::VoiceCipher::Create(mode, key, sizeof key, &cipher).ok());
    // RTP v2, payload type 120, then 160 bytes of payload.
    std::vector<uint8_t> rtp(12 + 160);
    rtp[0] = 0x80;
    rtp[1] = 0x78;
    for (size_t i = 12; i < rtp.size(); ++i) rtp[i] = static_cast<uint8_t>(i);
    std::vector<uint8_t> sealed(rtp.size() + crypto::kVoiceOverheadBytes);
    std::vector<uint8_t> opened(sealed.size());
    auto round = [&](uint16_t seq) {
      rtp[2] = static_cast<uint8_t>(seq >> 8);
      rtp[3] = static_cast<uint8_t>(seq);
      size_t written = 0;
      ASSERT_TRUE(
          cipher->Seal(rtp.data(), rtp.size(), sealed.data(), sealed.size(), &written).ok());
      size_t plain = 0;
      ASSERT_TRUE(cipher->Open(sealed.data(), written, opened.data(), opened.size(), &plain).ok());
      ASSERT_EQ(plain, rtp.size());
      ASSERT_EQ(std::memcmp(opened.data(), rtp.data(), plain), 0);
      // In place, as the pipelines do.
      std::memcpy(opened.data(), sealed.data(), written);
      ASSERT_TRUE(cipher->Open(opened.data(), written, opened.data(), opened.size(), &plain).ok());
    };
    for (uint16_t s = 0; s < 5; ++s) round(s);
    Counting c;
    for (uint16_t s = 5; s < 105; ++s) round(s);
    const long n = c.Stop();
    EXPECT_EQ(n, 0) << "allocations in 100 seal/open rounds";
  }
}

TEST(AllocTest, FilterChainProcessAndSetFiltersNeverAllocate) {
  // Every filter on, then changes every frame (stages switching on and off, gains ramping): the
  // crossfade and conversion buffers were sized at Create(). Loudness feeds libebur128 every
  // frame and reads a block every 100 ms.
  filter::FilterSettings all;
  all.volume = 0.8;
  all.equalizer.fill(0.1);
  all.karaoke = all.tremolo = all.vibrato = all.low_pass = all.high_pass = all.compressor = true;
  all.loudness = true;  // libebur128's meter is made at Create(); Reset() restarts it in place
  all.rotation_hz = 0.5;
  all.distortion_scale = 0.9;
  all.channel_mix_left_to_right = 0.2;
  filter::FilterChainOptions options;
  options.filters = all;
  std::unique_ptr<filter::FilterChain> chain;
  ASSERT_TRUE(filter::FilterChain::Create(options, &chain).ok());
  std::vector<int16_t> s16(960 * 2);
  std::vector<float> f32(960 * 2);
  for (size_t i = 0; i < s16.size(); ++i) {
    s16[i] = static_cast<int16_t>(8000 * std::sin(0.05 * static_cast<double>(i)));
    f32[i] = static_cast<float>(s16[i]) / 32768.0f;
  }
  Counting c;
  for (int k = 0; k < 50; ++k) {
    filter::FilterSettings s = k % 2 ? all : filter::FilterSettings{};
    s.equalizer[k % filter::kEqualizerBands] = 0.5;
    ASSERT_TRUE(chain->SetFilters(s).ok());
    ASSERT_TRUE(chain->StartFade(k % 3 ? 0.5 : 1.0, 30, filter::FadeCurve::kEqualPower).ok());
    chain->Process(s16.data(), 960);
    chain->Process(f32.data(), 960);
  }
  EXPECT_EQ(c.Stop(), 0) << "allocations in 100 filtered frames with 50 filter changes";
  // Switched every frame, loudness restarts before its first 400 ms block: 2 s steady, so
  // libebur128's blocks are read (every 100 ms) and the gain moves.
  ASSERT_TRUE(chain->SetFilters(all).ok());
  const std::vector<float> source = f32;
  Counting steady;
  for (int k = 0; k < 100; ++k) {
    std::copy(source.begin(), source.end(), f32.begin());
    chain->Process(f32.data(), 960);
  }
  EXPECT_EQ(steady.Stop(), 0) << "allocations in 2 s of loudness normalization";
}

TEST(AllocTest, FilterChainTimescaleNeverAllocatesAfterCreate) {
  // The stretch (libSoundTouch) is made and warmed up at Create(); then the speed changes every
  // frame across its range, encoder-style (one 20 ms frame in, whole 20 ms frames out) and
  // all-at-once. Two things do allocate inside libSoundTouch, once each and documented
  // (docs/ARCHITECTURE.md): the end of a stream (its flush() grows a buffer) and a pitch or rate
  // change
  // (its rate transposer recomputes its anti-alias filter into new arrays), in the call after it.
  filter::FilterChainOptions options;
  options.filters.timescale_speed = 1.25;
  options.filters.timescale_pitch = 1.25;
  std::unique_ptr<filter::FilterChain> chain;
  ASSERT_TRUE(filter::FilterChain::Create(options, &chain).ok());
  const int capacity = chain->OutputCapacity(960);
  std::vector<int16_t> in(960 * 2), out(static_cast<size_t>(capacity) * 2);
  std::vector<float> fin(960 * 2), fout(static_cast<size_t>(capacity) * 2);
  const double kSettings[][3] = {{1.25, 1.25, 1}, {0.5, 1.25, 1}, {2, 1.25, 1}, {0.25, 1.25, 1},
                                 {4, 1.25, 1},    {1, 1.25, 1},   {3, 1.25, 1}, {0.3, 1.25, 1}};
  Counting c;
  for (int k = 0; k < 200; ++k) {
    filter::FilterSettings s;
    const auto& t = kSettings[k % 8];
    s.timescale_speed = t[0];
    s.timescale_pitch = t[1];
    s.timescale_rate = t[2];
    ASSERT_TRUE(chain->SetFilters(s).ok());
    for (size_t i = 0; i < in.size(); ++i) {
      in[i] = static_cast<int16_t>(8000 * std::sin(0.05 * static_cast<double>(k * 960 + i)));
      fin[i] = static_cast<float>(in[i]) / 32768.0f;
    }
    chain->ProcessInto(in.data(), 960, out.data(), capacity, 960, false);
    chain->ProcessInto(fin.data(), 960, fout.data(), capacity, 1, false);
  }
  EXPECT_EQ(c.Stop(), 0) << "allocations in 400 stretched frames with 200 speed changes";
}

TEST(AllocTest, SpeechProcessorNeverAllocatesAfterCreate) {
  // Noise suppression, adaptive gain, VAD and echo cancellation at 16 and 48 kHz: the module sizes
  // its buffers at Initialize() (in Create()); 20 ms frames of speech-like signal, far end first.
  for (int rate : {16000, 48000}) {
    speech::SpeechOptions o;
    o.sample_rate = rate;
    o.noise_suppression = speech::NoiseLevel::kHigh;
    o.echo_cancellation = speech::EchoLevel::kModerate;
    o.echo_delay_ms = 40;
    std::unique_ptr<speech::SpeechProcessor> p;
    ASSERT_TRUE(speech::SpeechProcessor::Create(o, &p).ok());
    const int n = rate / 50;
    std::vector<int16_t> near(static_cast<size_t>(n)), far(static_cast<size_t>(n));
    Counting c;
    for (int k = 0; k < 200; ++k) {
      for (int i = 0; i < n; ++i) {
        const double t = static_cast<double>(k * n + i) / rate;
        far[static_cast<size_t>(i)] = static_cast<int16_t>(6000 * std::sin(2 * M_PI * 300 * t));
        near[static_cast<size_t>(i)] =
            static_cast<int16_t>(3000 * std::sin(2 * M_PI * 300 * t - 1) * (1 + std::sin(5 * t)));
      }
      speech::SpeechResult r;
      ASSERT_TRUE(p->ProcessReverse(far.data(), n).ok());
      ASSERT_TRUE(p->Process(near.data(), n, &r).ok());
    }
    EXPECT_EQ(c.Stop(), 0) << "allocations in 200 frames at " << rate << " Hz";
  }
}

}  // namespace
}  // namespace voxpool

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
