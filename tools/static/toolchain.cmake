# CMake toolchain of the static provider: the compiler of CFNKIT_STATIC_CC (musl-gcc
# or gcc), libraries and packages only from CFNKIT_STATIC_PREFIX (tools/static/deps.sh
# writes both into PREFIX/toolchain.cmake, which includes this file), linked -static.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${CFNKIT_STATIC_CC})
set(CMAKE_C_FLAGS_INIT "${CFNKIT_STATIC_CFLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -Wl,--gc-sections")
set(CMAKE_FIND_ROOT_PATH ${CFNKIT_STATIC_PREFIX})
set(CMAKE_PREFIX_PATH ${CFNKIT_STATIC_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_FIND_LIBRARY_SUFFIXES .a)
set(OPENSSL_USE_STATIC_LIBS TRUE)
set(ZLIB_USE_STATIC_LIBS ON)
# pkg-config (libzip) from the prefix only, with the libraries static linking needs.
set(ENV{PKG_CONFIG_LIBDIR} ${CFNKIT_STATIC_PREFIX}/lib/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
set(PKG_CONFIG_ARGN --static)
