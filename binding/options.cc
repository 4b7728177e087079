#include "options.h"

#include "errors.h"

namespace voxpool::binding {

std::optional<double> OptionalNumber(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (v.IsNumber()) return v.As<Napi::Number>().DoubleValue();
  return std::nullopt;
}

std::optional<int> OptionalInt(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (v.IsNumber()) return v.As<Napi::Number>().Int32Value();
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
  return std::nullopt;
}

std::optional<bool> OptionalBool(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value();
  return std::nullopt;
}

bool OptionIs(const Napi::Object& o, const char* key, const char* value) {
  Napi::Value v = o.Get(key);
  return v.IsString() && v.As<Napi::String>().Utf8Value() == value;
}

pool::StrandOptions ReadStrandOptions(const Napi::Object& o) {
  pool::StrandOptions s;
  if (auto q = OptionalNumber(o, "maxQueue");
      q && *q >= 1 && *q <= static_cast<double>(pool::kMaxStrandCapacity))
    s.capacity = static_cast<size_t>(*q);
  if (OptionIs(o, "overflow", "drop-oldest")) s.overflow = pool::OverflowPolicy::kDropOldest;
  if (auto ms = OptionalNumber(o, "deadlineMs");
      ms && *ms > 0 && *ms * 1e6 <= static_cast<double>(pool::kMaxLateLimitNs))
    s.late_limit_ns = static_cast<int64_t>(*ms * 1e6);
  return s;
}

opus::EncoderOptions ReadEncoderOptions(const Napi::Object& o) {
  opus::EncoderOptions options;
  options.sample_rate = OptionalInt(o, "sampleRate").value_or(options.sample_rate);
  options.channels = OptionalInt(o, "channels").value_or(options.channels);
  options.application = OptionalInt(o, "application").value_or(opus::kApplicationAudio);
  options.bitrate = OptionalInt(o, "bitrate");
  options.complexity = OptionalInt(o, "complexity");
  options.signal = OptionalInt(o, "signal");
  options.vbr = OptionalBool(o, "vbr");
  options.vbr_constraint = OptionalBool(o, "vbrConstraint");
  options.inband_fec = OptionalBool(o, "fec");
  options.packet_loss = OptionalInt(o, "packetLoss");
  options.dtx = OptionalBool(o, "dtx");
  return options;
}

void ApplyDueMs(Napi::Env env, napi_value value, pool::Job& job) {
  if (value == nullptr) return;
  napi_valuetype type;
  napi_typeof(env, value, &type);
  if (type == napi_undefined || type == napi_null) return;
  double ms = -1;
  if (type == napi_number) napi_get_value_double(env, value, &ms);
  const double ns = ms * 1e6;
  if (!(ns >= 0 && ns <= static_cast<double>(pool::kMaxDueSlackNs))) ThrowRangeError(env, "dueMs is out of range");
  job.due_ns = pool::NowNs() + static_cast<int64_t>(ns);
}

}  // namespace voxpool::binding
