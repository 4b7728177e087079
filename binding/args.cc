#include "args.h"

#include <cmath>

#include "options.h"

namespace voxpool::binding {
namespace {

// Argument `i` when the Napi::Value test `is` (IsNumber, IsObject, ...) holds for it, else
// TypeError(message): the check every typed reader below starts with.
Napi::Value TypedArg(const Napi::CallbackInfo& info, size_t i, bool (Napi::Value::*is)() const,
                     const char* message) {
  if (i >= info.Length() || !(info[i].*is)()) ThrowTypeError(info.Env(), message);
  return info[i];
}

Napi::Number NumberValueArg(const Napi::CallbackInfo& info, size_t i, const char* message) {
  return TypedArg(info, i, &Napi::Value::IsNumber, message).As<Napi::Number>();
}

}  // namespace

Bytes BytesArg(const Napi::CallbackInfo& info, size_t i, const char* message) {
  Bytes b;
  if (i >= info.Length() || !GetBytes(info.Env(), info[i], &b)) ThrowTypeError(info.Env(), message);
  return b;
}

Napi::Object ObjectArg(const Napi::CallbackInfo& info, size_t i, const char* message) {
  return TypedArg(info, i, &Napi::Value::IsObject, message).As<Napi::Object>();
}

double NumberArg(const Napi::CallbackInfo& info, size_t i, const char* message) {
  return NumberValueArg(info, i, message).DoubleValue();
}

bool BoolArg(const Napi::CallbackInfo& info, size_t i, const char* message) {
  return TypedArg(info, i, &Napi::Value::IsBoolean, message).As<Napi::Boolean>().Value();
}

std::string StringArg(const Napi::CallbackInfo& info, size_t i, const char* message) {
  return TypedArg(info, i, &Napi::Value::IsString, message).As<Napi::String>().Utf8Value();
}

uint32_t U32Arg(const Napi::CallbackInfo& info, size_t i, const char* message) {
  return NumberValueArg(info, i, message).Uint32Value();
}

int64_t IntegerArg(const Napi::CallbackInfo& info, size_t i, int64_t lo, int64_t hi,
                   const char* type_message, const char* range_message) {
  const double v = NumberArg(info, i, type_message);
  if (!(v >= static_cast<double>(lo) && v <= static_cast<double>(hi)) || std::trunc(v) != v)
    ThrowRangeError(info.Env(), range_message);
  return static_cast<int64_t>(v);
}

Napi::Object OptionsArg(const Napi::CallbackInfo& info) {
  return ObjectArg(info, 0, "Expected an options object");
}

SampleFormat FormatOf(const Napi::Object& o) {
  return OptionIs(o, "format", "f32le") ? SampleFormat::kF32 : SampleFormat::kS16;
}

int PcmFrames(Napi::Env env, napi_value value, SampleFormat format, int channels, int max_frames,
              std::vector<uint8_t>* aligned, const uint8_t** data) {
  Bytes pcm;
  const int frames = PcmFrameCount(env, value, format, channels, max_frames, &pcm);
  *data = AlignedSamples(pcm, format, aligned);
  return frames;
}

int32_t I32Arg(const Napi::CallbackInfo& info, size_t i, const char* message) {
  return NumberValueArg(info, i, message).Int32Value();
}

int64_t I64Arg(const Napi::CallbackInfo& info, size_t i, const char* message) {
  return NumberValueArg(info, i, message).Int64Value();
}

double NumberArgOr(const Napi::CallbackInfo& info, size_t i, double fallback) {
  return i < info.Length() && info[i].IsNumber() ? info[i].As<Napi::Number>().DoubleValue()
                                                 : fallback;
}

bool BoolArgOr(const Napi::CallbackInfo& info, size_t i, bool fallback) {
  return i < info.Length() && info[i].IsBoolean() ? info[i].As<Napi::Boolean>().Value() : fallback;
}

int PcmFrameCount(Napi::Env env, napi_value value, SampleFormat format, int channels,
                  int max_frames, Bytes* pcm) {
  if (!GetBytes(env, value, pcm)) ThrowTypeError(env, "Expected PCM as a Buffer or TypedArray");
  const size_t frame_bytes = BytesPerSample(format) * static_cast<size_t>(channels);
  if (pcm->size % frame_bytes != 0)
    ThrowRangeError(env,
                    "PCM length is not a whole number of frames for this format and channel count");
  const size_t frames = pcm->size / frame_bytes;
  if (frames > static_cast<size_t>(max_frames)) ThrowRangeError(env, "PCM chunk is too long");
  return static_cast<int>(frames);
}

Napi::Array ArrayArg(const Napi::CallbackInfo& info, size_t i, const char* message) {
  return TypedArg(info, i, &Napi::Value::IsArray, message).As<Napi::Array>();
}

const uint8_t* AlignedSamples(const Bytes& pcm, SampleFormat format, std::vector<uint8_t>* aligned) {
  if (reinterpret_cast<uintptr_t>(pcm.data) % BytesPerSample(format) == 0) return pcm.data;
  aligned->assign(pcm.data, pcm.data + pcm.size);  // a Buffer may start at any byte
  return aligned->data();
}

}  // namespace voxpool::binding
