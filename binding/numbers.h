// Plain objects of named numbers written as a table: the domains' constants objects (limits and
// defaults the core defines, exported once so lib/ never types them). One row is a JS name and a
// value of any arithmetic (or enum) type, converted to a JS number once, here, instead of a
// static_cast at every call site. 64-bit values are exact up to 2^53. JS thread only.
#pragma once

#include <napi.h>

#include <initializer_list>
#include <type_traits>

namespace voxpool::binding {

// One row of a number table: the key and its value as a JS number. Never allocates.
struct NamedNumber {
  template <class T>
  NamedNumber(const char* key, T number) : name(key), value(static_cast<double>(number)) {
    // A bool is a JS boolean, not 0/1: it stays a Set of its own.
    static_assert(!std::is_same_v<T, bool>, "a bool is not a number row");
  }
  const char* name;
  double value;
};

// Sets each of `numbers` on `o`, in the order given (the order JS sees its keys in). Allocates
// the JS numbers.
inline void SetNumbers(Napi::Object o, std::initializer_list<NamedNumber> numbers) {
  for (const NamedNumber& n : numbers) o.Set(n.name, n.value);
}

// A new object holding `numbers`, in the order given (SetNumbers). Allocates the object.
inline Napi::Object NumberObject(Napi::Env env, std::initializer_list<NamedNumber> numbers) {
  Napi::Object o = Napi::Object::New(env);
  SetNumbers(o, numbers);
  return o;
}

}  // namespace voxpool::binding
