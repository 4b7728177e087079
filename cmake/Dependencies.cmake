# System dependencies, all from Debian packages. A missing one stops configure with one line that
# names the package to install.
#
# VOXPOOL_STATIC_DEPS (used by scripts/prebuild.js for the prebuilt binaries) links each library's
# static archive instead, so the addon loads on machines that lack the library. The archive is
# looked up in the libdir of the library's pkg-config file: a PIC build installed in its own
# prefix (a tuned libopus built from Debian's source package) slots in through PKG_CONFIG_PATH,
# or name it directly with -DVOXPOOL_<NAME>_ARCHIVE=/path/lib<name>.a. A library without an
# archive (Debian ships no libsoxr.a) stays shared; the prebuild script bundles that shared object
# beside the addon, which finds it through its $ORIGIN run path (CMakeLists.txt).
option(VOXPOOL_STATIC_DEPS "Link libopus, libsodium, libsoxr, libogg, libSoundTouch, libebur128 and libwebrtc_audio_processing statically where an archive exists" OFF)

find_package(Threads REQUIRED)
find_package(PkgConfig QUIET)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "voxpool: pkg-config not found; install the Debian package pkg-config")
endif()

# Defines voxpool_dep_<name>: the library as found by pkg-config, static when VOXPOOL_STATIC_DEPS
# asks for it and an archive exists. VOXPOOL_<NAME>_LINKAGE ("static" or "shared") is left in the
# cache for the binding to report (voxpool.report()).
function(voxpool_require_pkg target module debian_package name)
  pkg_check_modules(${target} QUIET IMPORTED_TARGET ${module})
  if(NOT ${target}_FOUND)
    message(FATAL_ERROR "voxpool: ${module} not found; install the Debian package ${debian_package}")
  endif()
  add_library(voxpool_dep_${name} INTERFACE)
  set(_linkage shared)
  # VOXPOOL_TUNED_OPUS (cmake/TunedOpus.cmake) makes libopus alone static.
  set(_static ${VOXPOOL_STATIC_DEPS})
  if(VOXPOOL_TUNED_OPUS AND name STREQUAL "opus")
    set(_static ON)
  endif()
  if(_static)
    pkg_get_variable(_libdir ${module} libdir)
    find_library(VOXPOOL_${target}_ARCHIVE NAMES lib${name}.a HINTS ${_libdir} NO_DEFAULT_PATH)
  endif()
  if(_static AND VOXPOOL_${target}_ARCHIVE)
    # The archive plus what it needs itself (pkg-config --static: -lm for opus, -pthread for
    # sodium), minus the library's own name.
    set(_private ${${target}_STATIC_LIBRARIES})
    list(REMOVE_ITEM _private ${name})
    # pkg-config names <prefix>/include/opus; the sources include <opus/opus.h>, so the parent
    # comes first too: the archive's own headers, not the system's (another libopus version).
    set(_incs ${${target}_INCLUDE_DIRS})
    foreach(_inc IN LISTS ${target}_INCLUDE_DIRS)
      get_filename_component(_parent "${_inc}" DIRECTORY)
      list(APPEND _incs "${_parent}")
    endforeach()
    target_include_directories(voxpool_dep_${name} BEFORE INTERFACE ${_incs})
    # The definitions pkg-config asks for (webrtc-audio-processing's -DWEBRTC_POSIX).
    target_compile_options(voxpool_dep_${name} INTERFACE ${${target}_CFLAGS_OTHER})
    target_link_libraries(voxpool_dep_${name} INTERFACE ${VOXPOOL_${target}_ARCHIVE} ${_private}
                          ${${target}_STATIC_LDFLAGS_OTHER})
    set(_linkage static)
  else()
    target_link_libraries(voxpool_dep_${name} INTERFACE PkgConfig::${target})
  endif()
  set(VOXPOOL_${target}_LINKAGE ${_linkage} CACHE INTERNAL "how ${module} is linked")
  # How the library was built, for voxpool.report(): scripts/build-static-deps.sh's record beside
  # the archive ("SOURCE | host= | cflags= | configure= | check="), or the system package.
  set(_build "system ${module} ${${target}_VERSION} (pkg-config)")
  if(_linkage STREQUAL "static")
    get_filename_component(_stamp "${VOXPOOL_${target}_ARCHIVE}" DIRECTORY)
    set(_stamp "${_stamp}/../.${name}.stamp")
    set(_build "static archive ${VOXPOOL_${target}_ARCHIVE}")
    if(EXISTS "${_stamp}")
      file(STRINGS "${_stamp}" _build LIMIT_COUNT 1)
    endif()
  endif()
  set(VOXPOOL_${target}_BUILD "${_build}" CACHE INTERNAL "how ${module} was built")
  message(STATUS "voxpool: ${module} ${${target}_VERSION} (${_linkage})")
endfunction()

voxpool_require_pkg(OPUS opus libopus-dev opus)
voxpool_require_pkg(SODIUM libsodium libsodium-dev sodium)
voxpool_require_pkg(SOXR soxr libsoxr-dev soxr)
voxpool_require_pkg(OGG ogg libogg-dev ogg)
# The filters' time-stretch (timescale) and loudness measurement. Debian ships neither as an
# archive, so both stay shared and the prebuild bundles them; libSoundTouch is LGPL and is only
# ever linked dynamically (docs/PREBUILDS.md).
voxpool_require_pkg(SOUNDTOUCH soundtouch libsoundtouch-dev SoundTouch)
voxpool_require_pkg(EBUR128 libebur128 libebur128-dev ebur128)
# WebRTC's audio processing module (noise suppression, gain control, voice activity, echo
# cancellation) for the speech domain. BSD-licensed; Debian ships a PIC archive, so the prebuild
# links it statically.
voxpool_require_pkg(WEBRTC_APM webrtc-audio-processing libwebrtc-audio-processing-dev webrtc_audio_processing)

# libwebm (its webm_parser, for the WebM/Matroska demuxer): Debian ships no pkg-config file and no
# static archive for it, so it is found by its header and library and always linked shared, even
# under VOXPOOL_STATIC_DEPS (scripts/prebuild.js copies libwebm.so.1 beside the addon with the other
# shared objects the binary needs, as it does libsoxr). find_library looks
# in the target's multiarch libdir: /usr/lib/aarch64-linux-gnu when cross-compiling with
# cmake/toolchain-aarch64-linux-gnu.cmake (libwebm-dev:arm64).
find_path(VOXPOOL_WEBM_INCLUDE_DIR webm/webm_parser.h)
find_library(VOXPOOL_WEBM_LIBRARY NAMES webm)
if(NOT VOXPOOL_WEBM_INCLUDE_DIR OR NOT VOXPOOL_WEBM_LIBRARY)
  message(FATAL_ERROR "voxpool: libwebm not found; install the Debian package libwebm-dev")
endif()
add_library(voxpool_dep_webm INTERFACE)
target_include_directories(voxpool_dep_webm INTERFACE ${VOXPOOL_WEBM_INCLUDE_DIR})
target_link_libraries(voxpool_dep_webm INTERFACE ${VOXPOOL_WEBM_LIBRARY})
set(VOXPOOL_WEBM_LINKAGE shared CACHE INTERNAL "how libwebm is linked")
set(VOXPOOL_WEBM_BUILD "system libwebm (find_library)" CACHE INTERNAL "how libwebm was built")
message(STATUS "voxpool: libwebm ${VOXPOOL_WEBM_LIBRARY} (shared)")

find_path(CONCURRENTQUEUE_INCLUDE_DIR concurrentqueue/concurrentqueue.h)
if(NOT CONCURRENTQUEUE_INCLUDE_DIR)
  message(FATAL_ERROR "voxpool: concurrentqueue.h not found; install the Debian package libconcurrentqueue-dev")
endif()

add_library(voxpool_deps INTERFACE)
target_link_libraries(voxpool_deps INTERFACE voxpool_dep_opus voxpool_dep_sodium voxpool_dep_soxr voxpool_dep_ogg
                      voxpool_dep_webm voxpool_dep_SoundTouch voxpool_dep_ebur128
                      voxpool_dep_webrtc_audio_processing)
target_include_directories(voxpool_deps INTERFACE ${CONCURRENTQUEUE_INCLUDE_DIR})
add_library(voxpool::deps ALIAS voxpool_deps)
