// Read-only views of JS binary inputs (Buffer, any TypedArray, DataView, ArrayBuffer) without
// copying. The view is valid only during the current call: async jobs copy it.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>

namespace voxpool::binding {

struct Bytes {
  const uint8_t* data = nullptr;
  size_t size = 0;
  napi_typedarray_type type = napi_uint8_array;  // element type for typed arrays
  bool is_float32() const { return type == napi_float32_array; }
};

// True and fills `out` when `value` is binary data. Never throws.
bool GetBytes(napi_env env, napi_value value, Bytes* out);

}  // namespace voxpool::binding
