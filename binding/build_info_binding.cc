// How this binary was built, as facts only the build knows: the Node-API version it targets and
// whether each library was linked statically or as a shared object (cmake/Dependencies.cmake).
// The libraries' versions come from the libraries themselves (OPUS_VERSION, SODIUM_VERSION,
// RESAMPLER), so they name the code actually running.
#include "build_info_binding.h"

// CMakeLists.txt defines these; a build that does not (an older build tree) reports "unknown".
#ifndef VOXPOOL_OPUS_LINKAGE
#define VOXPOOL_OPUS_LINKAGE "unknown"
#endif
#ifndef VOXPOOL_SODIUM_LINKAGE
#define VOXPOOL_SODIUM_LINKAGE "unknown"
#endif
// How libopus was built (its flags: the prebuilt binaries carry a tuned one), from the build's
// record; empty in an older build tree.
#ifndef VOXPOOL_OPUS_BUILD
#define VOXPOOL_OPUS_BUILD ""
#endif
#ifndef VOXPOOL_SOXR_LINKAGE
#define VOXPOOL_SOXR_LINKAGE "unknown"
#endif
#ifndef VOXPOOL_OGG_LINKAGE
#define VOXPOOL_OGG_LINKAGE "unknown"
#endif
#ifndef VOXPOOL_WEBM_LINKAGE
#define VOXPOOL_WEBM_LINKAGE "unknown"
#endif
#ifndef VOXPOOL_SOUNDTOUCH_LINKAGE
#define VOXPOOL_SOUNDTOUCH_LINKAGE "unknown"
#endif
#ifndef VOXPOOL_EBUR128_LINKAGE
#define VOXPOOL_EBUR128_LINKAGE "unknown"
#endif
// libwebrtc-audio-processing has no version call: the version pkg-config found at build time.
#ifndef VOXPOOL_WEBRTC_APM_LINKAGE
#define VOXPOOL_WEBRTC_APM_LINKAGE "unknown"
#endif
#ifndef VOXPOOL_WEBRTC_APM_VERSION
#define VOXPOOL_WEBRTC_APM_VERSION ""
#endif

namespace voxpool::binding {

void InitBuildInfo(Napi::Env env, Napi::Object exports) {
  Napi::Object b = Napi::Object::New(env);
  b.Set("NAPI_VERSION", static_cast<double>(NAPI_VERSION));
  b.Set("OPUS_LINKAGE", VOXPOOL_OPUS_LINKAGE);
  b.Set("SODIUM_LINKAGE", VOXPOOL_SODIUM_LINKAGE);
  b.Set("SOXR_LINKAGE", VOXPOOL_SOXR_LINKAGE);
  b.Set("OGG_LINKAGE", VOXPOOL_OGG_LINKAGE);
  b.Set("WEBM_LINKAGE", VOXPOOL_WEBM_LINKAGE);
  b.Set("SOUNDTOUCH_LINKAGE", VOXPOOL_SOUNDTOUCH_LINKAGE);
  b.Set("EBUR128_LINKAGE", VOXPOOL_EBUR128_LINKAGE);
  b.Set("WEBRTC_APM_LINKAGE", VOXPOOL_WEBRTC_APM_LINKAGE);
  b.Set("WEBRTC_APM_VERSION", VOXPOOL_WEBRTC_APM_VERSION);
  b.Set("OPUS_BUILD", VOXPOOL_OPUS_BUILD);
  b.Set("COMPILER", __VERSION__);
  exports.Set("buildInfo", b);
}

}  // namespace voxpool::binding
