#!/usr/bin/env bash
# The end-to-end demonstration: builds and installs cfnkit, builds the example
# module against the installed headers the way a user would, starts a local
# AWS (moto_server on 127.0.0.1), and runs Create, Update and Delete through
# it, first as `invoke` from the command line, then as a Lambda bootstrap
# under a real Runtime API (@vercel/fun). Responses go to presigned URLs of
# the local S3 and are read back with the AWS CLI.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
# shellcheck source=tools/env.sh
. "$root/tools/env.sh"

build="$root/build-demo"
prefix="$build/prefix"
echo "== building and installing cfnkit into $prefix"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCFNKIT_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null
cmake --install "$build" --prefix "$prefix" >/dev/null

echo "== building the example module with pkg-config, as a module author does"
libdir=$(dirname "$(find "$prefix" -name cfnkit.pc | head -n 1)")/..
export PKG_CONFIG_PATH="$libdir/pkgconfig"
export LD_LIBRARY_PATH="$libdir"
cc -O2 -o "$build/echo" "$root/tests/example_module/echo.c" $(pkg-config --cflags --libs cfnkit)
echo "   $build/echo ($(pkg-config --modversion cfnkit))"

exec python3 "$root/tools/demo.py" --module "$build/echo"
