// The filter domain's exports: NativeFilterChain, NativeCrossfade and filterConstants, which
// carries the core's field table (every filter field with its range, unit and default) so lib/
// validates, explains and fills defaults without typing a number.
#include "filter/filter_module.h"

#include "numbers.h"
#include "voxpool/filter/fade.h"
#include "voxpool/filter/filter_settings.h"
#include "voxpool/filter/libraries.h"
#include "voxpool/filter/time_stretch.h"

namespace voxpool::binding {
namespace {

Napi::Object Constants(Napi::Env env) {
  using namespace filter;
  Napi::Object c = NumberObject(env, {{"MIN_SAMPLE_RATE", kFilterMinSampleRate},
                                      {"MAX_SAMPLE_RATE", kFilterMaxSampleRate},
                                      {"MAX_CHANNELS", kFilterMaxChannels},
                                      {"MAX_FRAMES", kFilterMaxFrames},
                                      {"EQUALIZER_BANDS", kEqualizerBands},
                                      {"EQUALIZER_MIN_GAIN", kEqualizerMinGain},
                                      {"EQUALIZER_MAX_GAIN", kEqualizerMaxGain},
                                      {"EQUALIZER_MAX_BAND_FRACTION", kEqualizerMaxBandFraction}});
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
  SetNumbers(c, {{"MAX_FADE_MS", kFadeMaxMs},
                 {"TIMESCALE_MIN_RATIO", kTimescaleMinRatio},
                 {"TIMESCALE_MAX_RATIO", kTimescaleMaxRatio},
                 {"TIMESCALE_BURST_FRAMES", kTimescaleBurstFrames}});
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
