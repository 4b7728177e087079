// Reading the plain options objects lib/ builds. lib/ has already validated and defaulted them
// (sharp's split); the binding reads what is present and leaves the rest to the core's defaults,
// whose Create() functions re-check ranges.
#pragma once

#include <napi.h>

#include <optional>
#include <type_traits>

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

// One key of an options object and the field of a core options struct it fills: ReadKeys(o,
// Key("sampleRate", &m.sample_rate), ...) names each field once where `m.sample_rate =
// IntOr(o, "sampleRate", m.sample_rate)` named it twice. Never allocates.
template <class T>
struct KeyField {
  const char* key;
  T* field;
};
template <class T>
KeyField<T> Key(const char* key, T* field) {
  return {key, field};
}

// Reads each present key into its field and leaves an absent one at the field's value (the
// core's default), by the field's type: bool with BoolOr, int with IntOr, any other number with
// NumberOr. Never throws for a missing or mistyped key; never allocates.
template <class... T>
void ReadKeys(const Napi::Object& o, KeyField<T>... keys) {
  const auto read = [&o](auto k) {
    using Field = std::remove_pointer_t<decltype(k.field)>;
    if constexpr (std::is_same_v<Field, bool>) {
      *k.field = BoolOr(o, k.key, *k.field);
    } else if constexpr (std::is_same_v<Field, int>) {
      *k.field = IntOr(o, k.key, *k.field);
    } else {
      static_assert(std::is_arithmetic_v<Field>, "a Key's field is a bool or a number");
      *k.field = NumberOr(o, k.key, *k.field);
    }
  };
  (read(keys), ...);
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
