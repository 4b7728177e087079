#include "bytes.h"

namespace voxpool::binding {

bool GetBytes(napi_env env, napi_value value, Bytes* out) {
  bool is = false;
  if (napi_is_typedarray(env, value, &is) == napi_ok && is) {
    size_t length = 0;
    void* data = nullptr;
    napi_typedarray_type type;
    if (napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr) != napi_ok)
      return false;
    size_t element = 1;
    switch (type) {
      case napi_int16_array: case napi_uint16_array: element = 2; break;
      case napi_int32_array: case napi_uint32_array: case napi_float32_array: element = 4; break;
      case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: element = 8; break;
      default: element = 1; break;
    }
    out->data = static_cast<const uint8_t*>(data);
    out->size = length * element;
    out->type = type;
    return true;
  }
  if (napi_is_dataview(env, value, &is) == napi_ok && is) {
    size_t length = 0;
    void* data = nullptr;
    if (napi_get_dataview_info(env, value, &length, &data, nullptr, nullptr) != napi_ok) return false;
    out->data = static_cast<const uint8_t*>(data);
    out->size = length;
    out->type = napi_uint8_array;
    return true;
  }
  if (napi_is_arraybuffer(env, value, &is) == napi_ok && is) {
    size_t length = 0;
    void* data = nullptr;
    if (napi_get_arraybuffer_info(env, value, &data, &length) != napi_ok) return false;
    out->data = static_cast<const uint8_t*>(data);
    out->size = length;
    out->type = napi_uint8_array;
    return true;
  }
  return false;
}

}  // namespace voxpool::binding
