#!/usr/bin/env bash
# Makes the provider package for Lambda (provided.al2023): the provider program
# (cfnkit-provider, the built-in modules under cfn_main; or --tool, a module
# author's own) as `bootstrap`, with every shared library it loads and the
# dynamic loader bundled, so it never depends on the host's libraries (Amazon
# Linux 2023's glibc is older than the build machine's).
# With --static the package is one statically linked executable, `bootstrap`,
# built against tools/static/deps.sh's libraries (no loader, no library).
# Usage: tools/package.sh [--tool PATH] [--out ZIP] [--static [--libc musl|glibc]]
#   default: build an optimised cfnkit-provider in build-package/ and write
#   build-package/cfnkit-provider.zip (--static: build-static/, cfnkit-provider-static.zip)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tool="" out="" static=0 libc=musl
while [ $# -gt 0 ]; do
    case "$1" in
    --tool) tool=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --static) static=1; shift ;;
    --libc) libc=$2; shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "package.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

# zip_stage DIR ZIP: a reproducible zip of DIR (fixed dates, sorted, modes kept).
zip_stage() {
    mkdir -p "$(dirname "$2")"
    python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
stage, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for folder, _, files in sorted(os.walk(stage)):
        for name in sorted(files):
            path = os.path.join(folder, name)
            info = zipfile.ZipInfo(os.path.relpath(path, stage), date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (os.stat(path).st_mode & 0o777 | 0o100000) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as f:
                z.writestr(info, f.read())
PY
}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

if [ "$static" = 1 ]; then
    [ -n "$out" ] || out="$root/build-static/cfnkit-provider-static.zip"
    if [ -z "$tool" ]; then
        prefix=$("$root/tools/static/deps.sh" --libc "$libc")
        build="$root/build-static/$libc-cfnkit"
        # musl lacks a glibc extension or two that the framework uses.
        compat=""
        [ "$libc" = musl ] && compat="-include $root/tools/static/musl_compat.h"
        cmake -S "$root" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$prefix/toolchain.cmake" \
            -DCMAKE_BUILD_TYPE=Release -DCFNKIT_TESTS=OFF -DCFNKIT_TOOL=OFF \
            -DCMAKE_C_FLAGS="$compat" >/dev/null
        cmake --build "$build" -j 2 --target cfnkit_provider_exe >/dev/null
        tool="$build/tools/cfnkit-provider"
    fi
    [ -x "$tool" ] || { echo "package.sh: no tool at $tool" >&2; exit 2; }
    if readelf -l "$tool" | grep -q INTERP; then
        echo "package.sh: $tool is dynamically linked (--static wants a static build)" >&2
        exit 1
    fi
    cp "$tool" "$stage/bootstrap"
    strip --strip-all "$stage/bootstrap"
    chmod 755 "$stage/bootstrap"
    zip_stage "$stage" "$out"
    echo "package.sh: $out ($(du -h "$out" | cut -f1), static, no library)"
    exit 0
fi

[ -n "$out" ] || out="$root/build-package/cfnkit-provider.zip"
if [ -z "$tool" ]; then
    cmake -S "$root" -B "$root/build-package" -DCMAKE_BUILD_TYPE=Release -DCFNKIT_TESTS=OFF >/dev/null
    cmake --build "$root/build-package" -j "$(nproc)" --target cfnkit_provider_exe >/dev/null
    tool="$root/build-package/tools/cfnkit-provider"
fi
[ -x "$tool" ] || { echo "package.sh: no tool at $tool" >&2; exit 2; }

mkdir -p "$stage/bin" "$stage/lib"
cp "$tool" "$stage/bin/cfnkit"
strip --strip-unneeded "$stage/bin/cfnkit" 2>/dev/null || true

# Every library the loader resolves, and the loader itself.
loader=""
while read -r line; do
    case "$line" in
    *"=> not found"*) echo "package.sh: $line" >&2; exit 1 ;;
    *"=> /"*) lib=${line#*=> }; cp -L "${lib%% *}" "$stage/lib/" ;;
    /*ld-linux*) loader=$(echo "$line" | awk '{print $1}') ;;
    esac
done < <(ldd "$tool")
[ -n "$loader" ] || { echo "package.sh: no dynamic loader found for $tool" >&2; exit 1; }
cp -L "$loader" "$stage/lib/$(basename "$loader")"

cat > "$stage/bootstrap" <<BOOT
#!/bin/sh
# cfnkit provider bootstrap: the bundled loader runs the tool with the bundled
# libraries only.
here=\$(dirname "\$0")
if [ -z "\${SSL_CERT_FILE:-}" ]; then
    for f in /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/certs/ca-certificates.crt /etc/ssl/cert.pem; do
        if [ -r "\$f" ]; then SSL_CERT_FILE=\$f; export SSL_CERT_FILE; break; fi
    done
fi
exec "\$here/lib/$(basename "$loader")" --library-path "\$here/lib" "\$here/bin/cfnkit" "\$@"
BOOT
chmod 755 "$stage/bootstrap" "$stage/bin/cfnkit" "$stage/lib/$(basename "$loader")"

zip_stage "$stage" "$out"
echo "package.sh: $out ($(du -h "$out" | cut -f1), $(find "$stage/lib" -type f | wc -l) libraries)"
