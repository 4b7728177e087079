// Reading the plain options objects lib/ builds. lib/ has already validated and defaulted them
// (sharp's split); the binding reads what is present and leaves the rest to the core's defaults,
// whose Create() functions re-check ranges.
#pragma once

#include <napi.h>

#include <optional>

#include "voxpool/opus/encoder.h"
#include "voxpool/pool/strand.h"

namespace voxpool::binding {

// The value at `key` when it is a number (or, for OptionalInt, a boolean as 0/1). Never throws
// for a missing or mistyped key: it is then absent.
std::optional<double> OptionalNumber(const Napi::Object& o, const char* key);
std::optional<int> OptionalInt(const Napi::Object& o, const char* key);
std::optional<bool> OptionalBool(const Napi::Object& o, const char* key);
// The same with a fallback for an absent key.
inline int IntOr(const Napi::Object& o, const char* key, int fallback) {
  return OptionalInt(o, key).value_or(fallback);
}
// NumberOr converts the number to the fallback's type (float, int64_t, size_t, ...) with a
// static_cast, so a field is read as `x.f = NumberOr(o, "f", x.f)` whatever its type.
template <class T>
T NumberOr(const Napi::Object& o, const char* key, T fallback) {
  return static_cast<T>(OptionalNumber(o, key).value_or(static_cast<double>(fallback)));
}
inline bool BoolOr(const Napi::Object& o, const char* key, bool fallback) {
  return OptionalBool(o, key).value_or(fallback);
}

// True when the value at `key` is the string `value` (the one non-default choice of a two-way
// option such as overflow: 'reject' | 'drop-oldest'). Never throws for a missing or mistyped key.
bool OptionIs(const Napi::Object& o, const char* key, const char* value);

// An optional due time, in milliseconds from now (lib/ passes it only when the caller or a stream
// gave one): sets job.due_ns, so the pool serves it by when it is needed. Absent (null or
// undefined): the strand's default. Throws a RangeError outside 0..kMaxDueSlackNs.
void ApplyDueMs(Napi::Env env, napi_value value, pool::Job& job);

// { maxQueue?, overflow?: 'reject' | 'drop-oldest' } -> pool::StrandOptions.
pool::StrandOptions ReadStrandOptions(const Napi::Object& o);

// The Opus encoder settings shared by NativeEncoder and NativeVoiceSender: { sampleRate?,
// channels?, application?, bitrate?, complexity?, signal?, vbr?, vbrConstraint?, fec?,
// packetLoss?, dtx? } (application and signal as libopus numbers).
opus::EncoderOptions ReadEncoderOptions(const Napi::Object& o);

}  // namespace voxpool::binding
