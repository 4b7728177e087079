// The filter domain's exports: NativeFilterChain, NativeCrossfade and filterConstants, which
// carries the core's field table (every filter field with its range, unit and default) so lib/
// validates, explains and fills defaults without typing a number.
#include "filter/filter_module.h"

#include "voxpool/filter/fade.h"
#include "voxpool/filter/filter_settings.h"
#include "voxpool/filter/libraries.h"
#include "voxpool/filter/time_stretch.h"

namespace voxpool::binding {
namespace {

Napi::Object Constants(Napi::Env env) {
  using namespace filter;
  Napi::Object c = Napi::Object::New(env);
  c.Set("MIN_SAMPLE_RATE", kFilterMinSampleRate);
  c.Set("MAX_SAMPLE_RATE", kFilterMaxSampleRate);
  c.Set("MAX_CHANNELS", kFilterMaxChannels);
  c.Set("MAX_FRAMES", kFilterMaxFrames);
  c.Set("EQUALIZER_BANDS", kEqualizerBands);
  c.Set("EQUALIZER_MIN_GAIN", kEqualizerMinGain);
  c.Set("EQUALIZER_MAX_GAIN", kEqualizerMaxGain);
  c.Set("EQUALIZER_MAX_BAND_FRACTION", kEqualizerMaxBandFraction);
  Napi::Array frequencies = Napi::Array::New(env, kEqualizerBands);
  for (uint32_t b = 0; b < kEqualizerBands; ++b) frequencies.Set(b, kEqualizerFrequencies[b]);
  c.Set("EQUALIZER_FREQUENCIES", frequencies);

  Napi::Array groups = Napi::Array::New(env);
  for (const FilterGroup& g : kFilterGroups) {
    Napi::Object row = Napi::Object::New(env);
    row.Set("name", g.name);
    // Present: the group runs whenever its object is given (Lavalink's karaoke, tremolo, ...).
    row.Set("runsWhenPresent", g.present != nullptr);
    groups.Set(groups.Length(), row);
  }
  c.Set("GROUPS", groups);

  const FilterSettings defaults;
  Napi::Array fields = Napi::Array::New(env);
  for (const FilterField& f : kFilterFields) {
    Napi::Object row = Napi::Object::New(env);
    row.Set("group", f.group);
    row.Set("name", f.name);
    row.Set("min", f.min);
    row.Set("max", f.max);
    row.Set("minExclusive", f.min_exclusive);
    row.Set("unit", f.unit);
    row.Set("default", defaults.*f.member);
    fields.Set(fields.Length(), row);
  }
  c.Set("FIELDS", fields);
  Napi::Array curves = Napi::Array::New(env, kFadeCurveCount);
  for (uint32_t i = 0; i < kFadeCurveCount; ++i) curves.Set(i, kFadeCurveNames[i]);
  c.Set("FADE_CURVES", curves);
  c.Set("MAX_FADE_MS", kFadeMaxMs);
  c.Set("TIMESCALE_MIN_RATIO", kTimescaleMinRatio);
  c.Set("TIMESCALE_MAX_RATIO", kTimescaleMaxRatio);
  c.Set("TIMESCALE_BURST_FRAMES", kTimescaleBurstFrames);
  c.Set("TIME_STRETCH_LIBRARY", TimeStretchLibraryVersion());
  c.Set("LOUDNESS_LIBRARY", LoudnessLibraryVersion());
  return c;
}

}  // namespace

void InitFilter(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeFilterChain", DefineNativeFilterChain(env));
  exports.Set("NativeCrossfade", DefineNativeCrossfade(env));
  exports.Set("filterConstants", Constants(env));
}

}  // namespace voxpool::binding
