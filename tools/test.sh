#!/usr/bin/env bash
# The whole test suite: lint (clang-format, shellcheck, pyflakes), every test
# (unit, integration against moto_server and @vercel/fun, modules, templates)
# in a -Werror build and again under AddressSanitizer +
# UndefinedBehaviorSanitizer, then the fuzz targets for a bounded time.
# Usage: tools/test.sh      (no options; --help prints this)
#   CFNKIT_FUZZ_SECONDS   seconds per fuzz target (default 15)
# To run part of it: cmake --build build && (cd build && ctest -R NAME).
set -euo pipefail
case "${1:-}" in
"") ;;
-h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
*) echo "test.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
# shellcheck source=tools/env.sh
. "$root/tools/env.sh"
cd "$root"

echo "== clang-format, shellcheck, pyflakes"
git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror
git ls-files '*.sh' .ci/run tests/bench/run | xargs shellcheck
git ls-files '*.py' | xargs pyflakes3

jobs=$(nproc)
echo "== release build (-O2 -Werror: the optimiser's warnings, as the package is built)"
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DCFNKIT_WERROR=ON -DCFNKIT_TESTS=OFF >/dev/null
cmake --build build-release -j "$jobs" >/dev/null
for variant in build build-asan; do
    sanitize=OFF
    [ "$variant" = build-asan ] && sanitize=ON
    echo "== $variant (sanitizers $sanitize)"
    cmake -S . -B "$variant" -DCFNKIT_SANITIZE="$sanitize" -DCFNKIT_WERROR=ON >/dev/null
    cmake --build "$variant" -j "$jobs" >/dev/null
    (cd "$variant" && ctest --output-on-failure -j "$jobs")
done

echo "== fuzz targets (libFuzzer, ${CFNKIT_FUZZ_SECONDS:-15} s each)"
CC=clang cmake -S . -B build-fuzz -DCFNKIT_FUZZ=ON -DCFNKIT_TESTS=OFF \
    -DCFNKIT_FUZZ_SECONDS="${CFNKIT_FUZZ_SECONDS:-15}" >/dev/null
cmake --build build-fuzz -j "$jobs" >/dev/null
(cd build-fuzz && ctest --output-on-failure -j "$jobs")
