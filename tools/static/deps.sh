#!/usr/bin/env bash
# Builds the libraries of the static provider (zlib, OpenSSL, libcurl, libzip,
# cJSON) as static archives from Debian's own source packages, with only what
# cfnkit uses, into a cache under the build tree; a second run reuses it. For
# glibc, Debian's own libssl.a, libcrypto.a and libz.a (libssl-dev, zlib1g-dev)
# are taken as they are: only libcurl, libzip and cJSON are built.
# Usage: tools/static/deps.sh [--libc musl|glibc] [--cache DIR]
#   default: --libc musl --cache build-static; prints the prefix (DIR/LIBC), which
#   holds lib/, include/ and toolchain.cmake for CMake's -DCMAKE_TOOLCHAIN_FILE.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
libc=musl cache="$root/build-static"
while [ $# -gt 0 ]; do
    case "$1" in
    --libc) libc=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "deps.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$libc" in
musl) cc=musl-gcc ;;
glibc) cc=gcc ;;
*) echo "deps.sh: --libc is musl or glibc, not $libc" >&2; exit 2 ;;
esac
command -v "$cc" >/dev/null || { echo "deps.sh: $cc not found (apt-get install musl-tools)" >&2; exit 2; }
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
prefix="$cache/$libc"
sources=(zlib openssl curl libzip cjson)
# The prefix is reused while this script and the toolchain are unchanged.
stamp=$(cat "$0" "$root/tools/static/toolchain.cmake" | sha256sum | cut -c1-16)
if [ -f "$prefix/.stamp" ] && [ "$(cat "$prefix/.stamp")" = "$stamp" ]; then
    echo "$prefix"
    exit 0
fi
jobs=2
log="$cache/$libc-build.log"
: > "$log"
started=$SECONDS
step() { echo "deps.sh: [$((SECONDS - started)) s] $*" >&2; }
quiet() { "$@" >>"$log" 2>&1 || { echo "deps.sh: failed: $* (see $log)" >&2; tail -20 "$log" >&2; exit 1; }; }
# The machine is shared: builds run at a low priority.
build() { quiet nice -n 10 "$@"; }

# Debian's sources through a private apt configuration: the machine's own
# sources.list is left as it is (it may have no deb-src lines).
fetch() {
    local apt="$cache/apt" src="$cache/src"
    [ -f "$src/.done" ] && return 0
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$src"
    cat > "$apt/sources.list" <<LIST
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian bookworm-updates main
deb-src http://deb.debian.org/debian-security bookworm-security main
LIST
    aptopts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
             -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
             -o Dir::State::status=/dev/null -o APT::Sandbox::User=root)
    step "fetching Debian's source lists"
    quiet apt-get "${aptopts[@]}" update
    local p v got
    for p in "${sources[@]}"; do
        # Newest first; a mirror that lists a version without all its files
        # falls back to the next one.
        got=""
        for v in $(apt-cache "${aptopts[@]}" showsrc "$p" | sed -n 's/^Version: //p' | sort -rV | uniq); do
            if (cd "$src" && apt-get "${aptopts[@]}" source -qq "$p=$v" >>"$log" 2>&1); then
                got=$v
                break
            fi
        done
        [ -n "$got" ] || { echo "deps.sh: no version of Debian's $p could be fetched (see $log)" >&2; exit 1; }
        step "source $p $got"
        echo "$p $got" >> "$src/versions"
    done
    touch "$src/.done"
}

srcdir() { find "$cache/src" -maxdepth 1 -type d -name "$1-[0-9]*" | sort -V | tail -1; }

fetch
rm -rf "$prefix" "$cache/$libc-work"
mkdir -p "$prefix/lib" "$prefix/include" "$cache/$libc-work"
work="$cache/$libc-work"
cflags="-O2 -fPIC -ffunction-sections -fdata-sections"
if [ "$libc" = musl ]; then
    # musl-gcc sees only musl's headers; OpenSSL wants a few kernel ones.
    mkdir -p "$prefix/kernel"
    ln -s /usr/include/linux /usr/include/asm-generic "$prefix/kernel/"
    ln -s /usr/include/x86_64-linux-gnu/asm "$prefix/kernel/asm"
    cflags="$cflags -idirafter $prefix/kernel"
fi
cat > "$prefix/toolchain.cmake" <<TC
set(CFNKIT_STATIC_PREFIX "$prefix")
set(CFNKIT_STATIC_CC "$cc")
set(CFNKIT_STATIC_CFLAGS "$cflags")
include("$root/tools/static/toolchain.cmake")
TC
cmake_dep() {
    local name=$1 dir=$2
    shift 2
    quiet cmake -S "$dir" -B "$work/$name" -DCMAKE_TOOLCHAIN_FILE="$prefix/toolchain.cmake" \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
        -DBUILD_SHARED_LIBS=OFF "$@"
    build cmake --build "$work/$name" -j "$jobs"
    quiet cmake --install "$work/$name"
}

if [ "$libc" = glibc ]; then
    step "zlib and OpenSSL: Debian's static archives"
    multiarch=/usr/lib/x86_64-linux-gnu
    for a in libz.a libssl.a libcrypto.a; do
        [ -f "$multiarch/$a" ] || { echo "deps.sh: no $multiarch/$a (apt-get install libssl-dev zlib1g-dev)" >&2; exit 1; }
        cp "$multiarch/$a" "$prefix/lib/"
    done
    cp -r /usr/include/openssl "$prefix/include/"
    cp /usr/include/x86_64-linux-gnu/openssl/*.h "$prefix/include/openssl/"
    cp /usr/include/zlib.h /usr/include/zconf.h "$prefix/include/"
else
    step "zlib ($libc)"
    cp -a "$(srcdir zlib)" "$work/zlib"
    (cd "$work/zlib" && CC=$cc CFLAGS="$cflags" quiet ./configure --static --prefix="$prefix" --libdir="$prefix/lib")
    build make -C "$work/zlib" -j "$jobs" libz.a
    quiet make -C "$work/zlib" install

    step "OpenSSL ($libc; the slow one)"
    cp -a "$(srcdir openssl)" "$work/openssl"
    # TLS 1.2/1.3 for HTTPS and libcrypto's digests for SigV4; no engines, modules,
    # legacy ciphers or apps. Its default CA file is Amazon Linux's
    # (/etc/pki/tls/cert.pem); SSL_CERT_FILE overrides it. The openssl.cnf there
    # is made for Amazon Linux's own OpenSSL, so it is never loaded.
    read -r -a ossl_cflags <<< "$cflags"
    (cd "$work/openssl" && CC=$cc quiet ./Configure linux-x86_64 "${ossl_cflags[@]}" no-shared no-tests \
        no-engine no-dso no-module no-legacy no-afalgeng no-comp no-ssl3 no-dtls no-srp \
        no-ui-console no-async no-autoload-config --prefix="$prefix" --libdir=lib --openssldir=/etc/pki/tls)
    build make -C "$work/openssl" -j "$jobs" build_libs
    quiet make -C "$work/openssl" install_dev
fi

step "libcurl ($libc)"
# HTTP/1.1 and HTTPS over OpenSSL only; CA trust from OpenSSL's defaults; no
# openssl.cnf (the host's is for the host's OpenSSL).
cmake_dep curl "$(srcdir curl)" -DBUILD_CURL_EXE=OFF -DBUILD_TESTING=OFF -DHTTP_ONLY=ON \
    -DCURL_USE_OPENSSL=ON -DCURL_ZLIB=ON -DCURL_BROTLI=OFF -DCURL_ZSTD=OFF -DUSE_NGHTTP2=OFF \
    -DUSE_NGTCP2=OFF -DUSE_QUICHE=OFF -DUSE_MSH3=OFF -DUSE_LIBIDN2=OFF -DCURL_USE_LIBPSL=OFF \
    -DCURL_USE_LIBSSH2=OFF -DCURL_USE_LIBSSH=OFF -DCURL_USE_GSSAPI=OFF -DUSE_LIBRTMP=OFF \
    -DCURL_DISABLE_LDAP=ON -DCURL_DISABLE_LDAPS=ON -DENABLE_MANUAL=OFF -DCURL_DISABLE_NTLM=ON \
    -DCURL_CA_BUNDLE=none -DCURL_CA_PATH=none -DCURL_CA_FALLBACK=ON -DENABLE_THREADED_RESOLVER=ON \
    -DCURL_DISABLE_OPENSSL_AUTO_LOAD_CONFIG=ON

step "libzip ($libc)"
cmake_dep libzip "$(srcdir libzip)" -DENABLE_COMMONCRYPTO=OFF -DENABLE_GNUTLS=OFF \
    -DENABLE_MBEDTLS=OFF -DENABLE_OPENSSL=OFF -DENABLE_WINDOWS_CRYPTO=OFF -DENABLE_BZIP2=OFF \
    -DENABLE_LZMA=OFF -DENABLE_ZSTD=OFF -DBUILD_TOOLS=OFF -DBUILD_REGRESS=OFF \
    -DBUILD_EXAMPLES=OFF -DBUILD_DOC=OFF

step "cJSON ($libc)"
cmake_dep cjson "$(srcdir cjson)" -DENABLE_CJSON_TEST=OFF -DENABLE_CJSON_UTILS=OFF \
    -DENABLE_CUSTOM_COMPILER_FLAGS=OFF -DBUILD_SHARED_AND_STATIC_LIBS=OFF

rm -rf "$work"
step "done"
echo "$stamp" > "$prefix/.stamp"
echo "$prefix"
