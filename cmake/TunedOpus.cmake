# VOXPOOL_TUNED_OPUS: a source build links the tuned libopus the prebuilt binaries carry (issue 15;
# docs/ARCHITECTURE.md, "Tuned libopus") instead of the system's shared one. Off by default: a
# clone builds against libopus-dev. On, configure runs scripts/build-static-deps.sh once (libopus
# alone, from Debian's source package, PIC, static; libopus's own `make check` must pass) into
# <build dir>/tuned-opus and links that archive; pkg-config finds it first.
#
#   VOXPOOL_TUNED_OPUS=1 npm run build      or   npx cmake-js compile --CDVOXPOOL_TUNED_OPUS=ON
#
# Needs what the prebuild needs: dpkg-dev, a Debian mirror in /etc/apt (or VOXPOOL_DEBIAN_MIRROR)
# and network at configure time.
set(_tuned_default OFF)
if("$ENV{VOXPOOL_TUNED_OPUS}" MATCHES "^(1|ON|on|true|yes)$")
  set(_tuned_default ON)
endif()
option(VOXPOOL_TUNED_OPUS "Build and statically link the tuned libopus (scripts/build-static-deps.sh)"
       ${_tuned_default})
if(DEFINED ENV{VOXPOOL_TUNED_OPUS})  # the environment decides on every configure (npm run build)
  set(VOXPOOL_TUNED_OPUS ${_tuned_default} CACHE BOOL "" FORCE)
endif()
# pkg-config's answer and the archive found for libopus are looked up afresh on every configure,
# so switching the option on or off in an existing build directory takes effect.
unset(__pkg_config_checked_OPUS CACHE)
unset(VOXPOOL_OPUS_ARCHIVE CACHE)

if(VOXPOOL_TUNED_OPUS)
  if(NOT EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/scripts/build-static-deps.sh)
    message(FATAL_ERROR "voxpool: VOXPOOL_TUNED_OPUS needs a clone of the repository (scripts/build-static-deps.sh)")
  endif()
  set(_prefix ${CMAKE_BINARY_DIR}/tuned-opus)
  message(STATUS "voxpool: building the tuned libopus in ${_prefix} (first time: a few minutes)")
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env VOXPOOL_OPUS_TUNED=1 VOXPOOL_STATIC_DEPS_ONLY=opus
            bash ${CMAKE_CURRENT_SOURCE_DIR}/scripts/build-static-deps.sh ${_prefix}
    RESULT_VARIABLE _rc OUTPUT_VARIABLE _pc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "voxpool: building the tuned libopus failed (scripts/build-static-deps.sh, above)")
  endif()
  set(ENV{PKG_CONFIG_PATH} "${_pc}:$ENV{PKG_CONFIG_PATH}")
  # The archive's symbols stay inside the addon (another addon may carry its own libopus).
  add_link_options(LINKER:--exclude-libs,libopus.a)
endif()
