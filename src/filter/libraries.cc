#include "voxpool/filter/libraries.h"

#include <SoundTouch.h>
#include <ebur128.h>

namespace voxpool::filter {

std::string TimeStretchLibraryVersion() { return soundtouch::SoundTouch::getVersionString(); }

std::string LoudnessLibraryVersion() {
  int major = 0, minor = 0, patch = 0;
  ebur128_get_version(&major, &minor, &patch);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

}  // namespace voxpool::filter
