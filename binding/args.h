// Typed readers for the arguments of a native method, one line each at the call site (the spirit
// of sodium-native's registrations). lib/ has already validated and explained every argument; these
// re-check what memory safety depends on, and throw the TypeError / RangeError a direct caller of
// the binding gets. Every reader is JS-thread only, never allocates beyond the message of an error
// it throws, and takes the message it throws from the caller, so messages stay where tests see them.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bytes.h"
#include "errors.h"
#include "voxpool/pcm.h"
#include "voxpool/status.h"

namespace voxpool::binding {

// Argument `i`, or null when the call passed fewer.
inline napi_value Arg(const Napi::CallbackInfo& info, size_t i) {
  return i < info.Length() ? static_cast<napi_value>(info[i]) : nullptr;
}

// Binary argument `i` (Buffer, TypedArray, DataView, ArrayBuffer), viewed without copying; the view
// is valid during this call only. TypeError(message) otherwise.
Bytes BytesArg(const Napi::CallbackInfo& info, size_t i, const char* message);
// Argument `i` as an object / a number / a boolean / a string; TypeError(message) otherwise.
Napi::Object ObjectArg(const Napi::CallbackInfo& info, size_t i, const char* message);
double NumberArg(const Napi::CallbackInfo& info, size_t i, const char* message);
bool BoolArg(const Napi::CallbackInfo& info, size_t i, const char* message);
std::string StringArg(const Napi::CallbackInfo& info, size_t i, const char* message);
// A number read as uint32 (ToUint32: wraps, truncates); TypeError(message) when not a number.
uint32_t U32Arg(const Napi::CallbackInfo& info, size_t i, const char* message);
// An integer in [lo, hi]: TypeError(type_message) when not a number, RangeError(range_message)
// when fractional or outside the range.
int64_t IntegerArg(const Napi::CallbackInfo& info, size_t i, int64_t lo, int64_t hi,
                   const char* type_message, const char* range_message);
// The constructor's options object (argument 0): TypeError("Expected an options object").
Napi::Object OptionsArg(const Napi::CallbackInfo& info);

// Throws the VoxpoolError of a failed Status; returns on ok.
inline void Check(Napi::Env env, const Status& st) {
  if (!st.ok()) Throw(env, st);
}

// `format` of an options object: "f32le" is kF32, anything else (lib/ sends "s16le") kS16.
SampleFormat FormatOf(const Napi::Object& o);

// PCM argument `value` as whole frames of `format` x `channels`; returns the frame count (at most
// `max_frames`, else RangeError). `*data` points at the samples; they are copied into `aligned`
// when the view is not aligned for the sample type (a Buffer may start at any byte).
int PcmFrames(Napi::Env env, napi_value value, SampleFormat format, int channels, int max_frames,
              std::vector<uint8_t>* aligned, const uint8_t** data);

// Argument `i` as an array; TypeError(message) otherwise.
Napi::Array ArrayArg(const Napi::CallbackInfo& info, size_t i, const char* message);

// A number read as int32 / int64 (ToInt32 wraps; Int64 saturates, NaN is 0); TypeError(message)
// when not a number.
int32_t I32Arg(const Napi::CallbackInfo& info, size_t i, const char* message);
int64_t I64Arg(const Napi::CallbackInfo& info, size_t i, const char* message);
// Argument `i` when it is a number / a boolean, else `fallback` (an optional trailing argument).
double NumberArgOr(const Napi::CallbackInfo& info, size_t i, double fallback);
bool BoolArgOr(const Napi::CallbackInfo& info, size_t i, bool fallback);

// Calls `f` with a value of the sample type of `format` (int16_t{} or float{}), so one generic
// lambda serves both formats: WithSampleType(fmt, [&](auto zero) { using T = decltype(zero); ...
// }). Both instantiations must return the same type.
template <class F>
decltype(auto) WithSampleType(SampleFormat format, F&& f) {
  if (format == SampleFormat::kS16) return f(int16_t{});
  return f(float{});
}

// PcmFrames in two steps, for a batch that checks every argument before using any: the checks
// (same errors; `*pcm` is the view, valid during this call), then the samples, copied into
// `aligned` when the view is not aligned for `format`.
int PcmFrameCount(Napi::Env env, napi_value value, SampleFormat format, int channels,
                  int max_frames, Bytes* pcm);
const uint8_t* AlignedSamples(const Bytes& pcm, SampleFormat format, std::vector<uint8_t>* aligned);

}  // namespace voxpool::binding
