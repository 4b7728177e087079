// The settings of a FilterChain, in the shape of Lavalink v4's `filters` object (same field names,
// ranges and defaults, so a bot's presets move over unchanged) plus the filters Lavalink lacks
// (highPass). One table, kFilterFields, names every numeric field with its range and unit: the
// core checks settings against it, the binding reads a JS object through it, and lib/ validates
// and documents from its export (filterConstants.FIELDS), so no range is typed twice.
#pragma once

#include <array>
#include <cstddef>

#include "voxpool/status.h"

namespace voxpool::filter {

// Lavalink's 15 equalizer bands, centre frequencies in Hz.
inline constexpr int kEqualizerBands = 15;
inline constexpr std::array<double, kEqualizerBands> kEqualizerFrequencies = {
    25, 40, 63, 100, 160, 250, 400, 630, 1000, 1600, 2500, 4000, 6300, 10000, 16000};
// Band gain (Lavalink's unit): the band's component is added with weight 4 x gain, so the response
// at the band's centre is 1 + 4 x gain (0: unchanged, 0.25: doubled, -0.25: removed, 1: x5).
inline constexpr double kEqualizerMinGain = -0.25;
inline constexpr double kEqualizerMaxGain = 1.0;
// Bands at or above this fraction of the sample rate are left out (their centre is too close to
// Nyquist for a band-pass to be meaningful): at 48 kHz all 15 run, at 16 kHz the bands up to
// 6.3 kHz.
inline constexpr double kEqualizerMaxBandFraction = 0.45;

inline constexpr int kFilterMinSampleRate = 8000;   // Hz
inline constexpr int kFilterMaxSampleRate = 48000;  // Hz
inline constexpr int kFilterMaxChannels = 2;
// Most frames one Process() call takes: 120 ms at 48 kHz, Opus's longest frame.
inline constexpr int kFilterMaxFrames = 5760;
// A call is processed in blocks of at most this many frames (20 ms at 48 kHz), so the scratch
// buffers a chain allocates at Create() stay small (every encoder with filters has one); a change
// of settings ramps over the first block after it.
inline constexpr int kFilterBlockFrames = 960;

// timescale's speed x rate (how much faster the output plays than the input) is kept inside these,
// so the audio one input frame turns into, and the backlog it can leave, stay bounded.
inline constexpr double kTimescaleMinRatio = 0.25;
inline constexpr double kTimescaleMaxRatio = 4.0;

// Every group of the filters object. Lavalink runs karaoke, tremolo, vibrato and lowPass whenever
// their object is present; the others run when a value differs from its default.
struct FilterSettings {
  double volume = 1.0;  // Lavalink's volume: 0..5, 1 = unchanged (its curve: see volume.h)
  std::array<double, kEqualizerBands> equalizer{};  // gain per band, kEqualizerMinGain..Max

  bool karaoke = false;
  double karaoke_level = 1.0;         // how much of the centre is removed, 0..1
  double karaoke_mono_level = 1.0;    // how much of the kept band returns in mono, 0..1
  double karaoke_filter_band = 220;   // Hz: centre of the band kept (the bass and kick)
  double karaoke_filter_width = 100;  // Hz: width of that band

  bool tremolo = false;
  double tremolo_frequency = 2.0;  // Hz
  double tremolo_depth = 0.5;      // (0, 1]: the gain swings between 1 - depth and 1

  bool vibrato = false;
  double vibrato_frequency = 2.0;  // Hz, (0, 14]
  double vibrato_depth = 0.5;      // (0, 1]: fraction of the 2 ms delay swing

  // Lavalink's timescale (libSoundTouch, see time_stretch.h): each a factor, 1 = unchanged.
  double timescale_speed = 1;  // tempo: duration / speed at the same pitch
  double timescale_pitch = 1;  // pitch x pitch at the same duration (1.25: +3.86 semitones)
  double timescale_rate = 1;   // both at once, like a tape played faster
  bool timescale_on() const noexcept {
    return timescale_speed != 1 || timescale_pitch != 1 || timescale_rate != 1;
  }

  double rotation_hz = 0;  // Hz: turns of the sound around the listener per second; 0 = off

  double distortion_sin_offset = 0, distortion_sin_scale = 1;
  double distortion_cos_offset = 0, distortion_cos_scale = 1;
  double distortion_tan_offset = 0, distortion_tan_scale = 1;
  double distortion_offset = 0, distortion_scale = 1;

  double channel_mix_left_to_left = 1, channel_mix_left_to_right = 0;
  double channel_mix_right_to_left = 0, channel_mix_right_to_right = 1;

  bool low_pass = false;
  double low_pass_smoothing = 20;  // Lavalink's one-pole smoothing factor; > 1 to take effect

  bool high_pass = false;  // beyond Lavalink: a 2nd-order Butterworth high-pass
  double high_pass_cutoff_hz = 80;

  bool compressor = false;               // beyond Lavalink: see compressor.h
  double compressor_threshold_db = -18;  // dBFS where compression starts (the knee's centre)
  double compressor_ratio = 4;           // dB in per dB out above the threshold
  double compressor_attack_ms = 5;       // envelope rise time constant
  double compressor_release_ms = 100;    // envelope fall time constant
  double compressor_knee_db = 6;         // width of the soft knee
  double compressor_makeup_db = 0;       // gain added after compression

  bool loudness = false;  // beyond Lavalink: loudness normalization, see loudness.h
  // LUFS: the loudness aimed at (EBU R128 / ITU-R BS.1770, gated, over the last 10 s of
  // programme); -14 is the streaming services' level, -23 EBU R128's broadcast level.
  double loudness_target_lufs = -14;
  // dBTP: the output's true peak (4x oversampled) stays at or below it; it wins over the target.
  double loudness_true_peak_db = -1;
  // dB: the most the gain raises a quiet stream (it lowers a loud one without limit). Blocks
  // quieter than target - maxGainDb - 10 LU count as silence: they are not measured.
  double loudness_max_gain_db = 20;
};

// One group of the filters object as JS names it, and the presence flag it sets (null for the
// groups that are plain values or arrays: volume, equalizer; and for those that run by value).
struct FilterGroup {
  const char* name;
  bool FilterSettings::*present;
};
inline constexpr FilterGroup kFilterGroups[] = {
    {"karaoke", &FilterSettings::karaoke},
    {"tremolo", &FilterSettings::tremolo},
    {"vibrato", &FilterSettings::vibrato},
    {"timescale", nullptr},
    {"rotation", nullptr},
    {"distortion", nullptr},
    {"channelMix", nullptr},
    {"lowPass", &FilterSettings::low_pass},
    {"highPass", &FilterSettings::high_pass},
    {"compressor", &FilterSettings::compressor},
    {"loudness", &FilterSettings::loudness},
};

// A numeric field: `group`.`name` in JS (group "" for the top-level volume), its member, its
// range (min excluded when min_exclusive) and unit.
struct FilterField {
  const char* group;
  const char* name;
  double FilterSettings::*member;
  double min;
  double max;
  bool min_exclusive;
  const char* unit;
};
inline constexpr FilterField kFilterFields[] = {
    {"", "volume", &FilterSettings::volume, 0, 5, false, ""},
    {"karaoke", "level", &FilterSettings::karaoke_level, 0, 1, false, ""},
    {"karaoke", "monoLevel", &FilterSettings::karaoke_mono_level, 0, 1, false, ""},
    {"karaoke", "filterBand", &FilterSettings::karaoke_filter_band, 0, 24000, false, "Hz"},
    {"karaoke", "filterWidth", &FilterSettings::karaoke_filter_width, 0, 24000, false, "Hz"},
    {"tremolo", "frequency", &FilterSettings::tremolo_frequency, 0, 1000, true, "Hz"},
    {"tremolo", "depth", &FilterSettings::tremolo_depth, 0, 1, true, ""},
    {"vibrato", "frequency", &FilterSettings::vibrato_frequency, 0, 14, true, "Hz"},
    {"vibrato", "depth", &FilterSettings::vibrato_depth, 0, 1, true, ""},
    {"timescale", "speed", &FilterSettings::timescale_speed, 0.25, 4, false, ""},
    {"timescale", "pitch", &FilterSettings::timescale_pitch, 0.25, 4, false, ""},
    {"timescale", "rate", &FilterSettings::timescale_rate, 0.25, 4, false, ""},
    {"rotation", "rotationHz", &FilterSettings::rotation_hz, -100, 100, false, "Hz"},
    {"distortion", "sinOffset", &FilterSettings::distortion_sin_offset, -100, 100, false, ""},
    {"distortion", "sinScale", &FilterSettings::distortion_sin_scale, -100, 100, false, ""},
    {"distortion", "cosOffset", &FilterSettings::distortion_cos_offset, -100, 100, false, ""},
    {"distortion", "cosScale", &FilterSettings::distortion_cos_scale, -100, 100, false, ""},
    {"distortion", "tanOffset", &FilterSettings::distortion_tan_offset, -100, 100, false, ""},
    {"distortion", "tanScale", &FilterSettings::distortion_tan_scale, -100, 100, false, ""},
    {"distortion", "offset", &FilterSettings::distortion_offset, -100, 100, false, ""},
    {"distortion", "scale", &FilterSettings::distortion_scale, -100, 100, false, ""},
    {"channelMix", "leftToLeft", &FilterSettings::channel_mix_left_to_left, 0, 1, false, ""},
    {"channelMix", "leftToRight", &FilterSettings::channel_mix_left_to_right, 0, 1, false, ""},
    {"channelMix", "rightToLeft", &FilterSettings::channel_mix_right_to_left, 0, 1, false, ""},
    {"channelMix", "rightToRight", &FilterSettings::channel_mix_right_to_right, 0, 1, false, ""},
    {"lowPass", "smoothing", &FilterSettings::low_pass_smoothing, 0, 10000, false, ""},
    {"highPass", "cutoffHz", &FilterSettings::high_pass_cutoff_hz, 10, 20000, false, "Hz"},
    {"compressor", "thresholdDb", &FilterSettings::compressor_threshold_db, -60, 0, false, "dB"},
    {"compressor", "ratio", &FilterSettings::compressor_ratio, 1, 20, false, ""},
    {"compressor", "attackMs", &FilterSettings::compressor_attack_ms, 0, 1000, false, "ms"},
    {"compressor", "releaseMs", &FilterSettings::compressor_release_ms, 1, 5000, false, "ms"},
    {"compressor", "kneeDb", &FilterSettings::compressor_knee_db, 0, 24, false, "dB"},
    {"compressor", "makeupDb", &FilterSettings::compressor_makeup_db, 0, 24, false, "dB"},
    {"loudness", "targetLufs", &FilterSettings::loudness_target_lufs, -70, -5, false, "LUFS"},
    {"loudness", "truePeakDb", &FilterSettings::loudness_true_peak_db, -20, 0, false, "dBTP"},
    {"loudness", "maxGainDb", &FilterSettings::loudness_max_gain_db, 0, 40, false, "dB"},
};

// Ok when `sample_rate` is kFilterMinSampleRate..Max and `channels` 1..kFilterMaxChannels, else the
// kInvalidArgument naming the first ("sampleRate must be from 8000 to 48000 Hz"). Thread-safe.
Status CheckRateAndChannels(int sample_rate, int channels);

// Ok when every field of `s` is inside its kFilterFields range, every equalizer gain inside
// kEqualizerMinGain..Max and timescale's speed x rate inside kTimescaleMin/MaxRatio; otherwise
// kInvalidArgument naming the first field out of range
// ("tremolo.depth must be from 0 (excluded) to 1"). Allocates only on error. Thread-safe (pure).
Status CheckFilterSettings(const FilterSettings& s);

}  // namespace voxpool::filter
