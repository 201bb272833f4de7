#!/usr/bin/env bash
# The end-to-end demonstration. Builds cfnkit and the Lambda package of its
# provider, starts a local AWS (moto_server on 127.0.0.1) and deploys the
# shipped templates with `cfnkit deploy`, as a team would: the code bucket,
# the provider stack, the hit-counter stack for two stages from one S3 code
# object (each stage's counter then called under a real Lambda Runtime API,
# @vercel/fun), the ECS example with its unique host ports on a small network,
# new code shipped to one stage, and every stack deleted, checked with the AWS
# CLI. Also builds the example module the way a module author does (installed
# headers, pkg-config).
# Usage: tools/demo.sh      (no options; --help prints this)
set -euo pipefail
case "${1:-}" in
"") ;;
-h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
*) echo "demo.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac
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
read -r -a flags <<<"$(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs cfnkit)"
cc -O2 -o "$build/echo" "$root/tests/example_module/echo.c" "${flags[@]}"
echo "   $build/echo serves: $("$build/echo" types)"

echo "== packaging the provider for Lambda (provided.al2023)"
"$root/tools/package.sh" --tool "$build/tools/cfnkit-provider" --out "$build/cfnkit-provider.zip" | sed 's/^/   /'

exec python3 "$root/tools/demo.py" --package "$build/cfnkit-provider.zip" --tool "$build/tools/cfnkit"
