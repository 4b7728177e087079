# Cross-compiling for linux-arm64 (glibc) with Debian's multiarch toolchain: the compilers from
# crossbuild-essential-arm64, the target's libraries and .pc files from the :arm64 -dev packages in
# /usr/lib/aarch64-linux-gnu (scripts/install-deps.sh --cross-arm64). Used by
# `node scripts/prebuild.js --arch arm64`, which adds the static libopus/libsodium prefix to
# PKG_CONFIG_PATH.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# Tools run on the build machine; libraries and headers come from the cross toolchain's root
# (/usr/aarch64-linux-gnu: libc, libstdc++) or, on a multiarch system, from /usr/lib/<triplet> and
# /usr/include, which "BOTH" keeps searchable (CMAKE_LIBRARY_ARCHITECTURE keeps the build
# machine's /usr/lib/x86_64-linux-gnu out).
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# pkg-config reads the target's .pc files only, never the build machine's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
