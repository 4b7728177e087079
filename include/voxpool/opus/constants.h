// Limits and valid values for Opus, taken from libopus's contract (opus.h, opus_defines.h).
// The binding exports these to JS, so no number is typed twice.
#pragma once

#include <array>
#include <cstddef>

namespace voxpool::opus {

// Sample rates libopus accepts, in Hz.
inline constexpr std::array<int, 5> kSampleRates = {8000, 12000, 16000, 24000, 48000};
// Frame durations libopus accepts, in tenths of a millisecond (2.5 ms ... 120 ms).
inline constexpr std::array<int, 9> kFrameDurationsTenthMs = {25, 50, 100, 200, 400,
                                                              600, 800, 1000, 1200};
// Largest packet we ever produce, in bytes. libopus recommends 4000 for any frame size.
inline constexpr int kMaxPacketBytes = 4000;
// Largest frame, in samples per channel: 120 ms at 48 kHz.
inline constexpr int kMaxFrameSamples = 5760;
inline constexpr int kMaxChannels = 2;
// Defaults of an encoder or decoder whose options leave them out (Discord's 48 kHz stereo).
inline constexpr int kDefaultSampleRate = 48000;
inline constexpr int kDefaultChannels = 2;
// Bitrate limits libopus enforces, in bits per second.
inline constexpr int kMinBitrate = 500;
inline constexpr int kMaxBitrate = 512000;
// Encoder complexity 0..kMaxComplexity and expected packet loss 0..kMaxPacketLossPerc percent.
inline constexpr int kMaxComplexity = 10;
inline constexpr int kMaxPacketLossPerc = 100;

// libopus application modes (OPUS_APPLICATION_*).
inline constexpr int kApplicationVoip = 2048;
inline constexpr int kApplicationAudio = 2049;
inline constexpr int kApplicationRestrictedLowDelay = 2051;
// libopus signal hints (OPUS_AUTO, OPUS_SIGNAL_VOICE, OPUS_SIGNAL_MUSIC).
inline constexpr int kSignalAuto = -1000;
inline constexpr int kSignalVoice = 3001;
inline constexpr int kSignalMusic = 3002;

// True for 8000, 12000, 16000, 24000, 48000. Never allocates. Thread-safe.
constexpr bool IsValidSampleRate(int rate) noexcept {
  for (int r : kSampleRates)
    if (r == rate) return true;
  return false;
}

// True when `samples` per channel is one of the Opus frame durations at `rate`.
constexpr bool IsValidFrameSize(int rate, int samples) noexcept {
  for (int tenth_ms : kFrameDurationsTenthMs)
    if (static_cast<long>(rate) * tenth_ms == static_cast<long>(samples) * 10000) return true;
  return false;
}

}  // namespace voxpool::opus
