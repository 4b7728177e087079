// The kept libraries behind the filters, as they report themselves at run time (the code actually
// loaded, which for the prebuilt binaries is the copy bundled beside the addon).
#pragma once

#include <string>

namespace voxpool::filter {

// libSoundTouch's version string ("2.3.2"), the time-stretch behind `timescale`. Thread-safe;
// allocates the string.
std::string TimeStretchLibraryVersion();
// libebur128's version ("1.2.6"), the EBU R128 meter behind loudness normalization. Thread-safe;
// allocates the string.
std::string LoudnessLibraryVersion();

}  // namespace voxpool::filter
