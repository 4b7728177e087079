# System dependencies, all from Debian packages. A missing one stops configure with one line that
# names the package to install.
find_package(Threads REQUIRED)
find_package(PkgConfig QUIET)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "voxpool: pkg-config not found; install the Debian package pkg-config")
endif()

function(voxpool_require_pkg target module debian_package)
  pkg_check_modules(${target} QUIET IMPORTED_TARGET ${module})
  if(NOT ${target}_FOUND)
    message(FATAL_ERROR "voxpool: ${module} not found; install the Debian package ${debian_package}")
  endif()
endfunction()

voxpool_require_pkg(OPUS opus libopus-dev)
voxpool_require_pkg(SODIUM libsodium libsodium-dev)
voxpool_require_pkg(SOXR soxr libsoxr-dev)

find_path(CONCURRENTQUEUE_INCLUDE_DIR concurrentqueue/concurrentqueue.h)
if(NOT CONCURRENTQUEUE_INCLUDE_DIR)
  message(FATAL_ERROR "voxpool: concurrentqueue.h not found; install the Debian package libconcurrentqueue-dev")
endif()

add_library(voxpool_deps INTERFACE)
target_link_libraries(voxpool_deps INTERFACE PkgConfig::OPUS PkgConfig::SODIUM PkgConfig::SOXR)
target_include_directories(voxpool_deps INTERFACE ${CONCURRENTQUEUE_INCLUDE_DIR})
add_library(voxpool::deps ALIAS voxpool_deps)
