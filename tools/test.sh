#!/usr/bin/env bash
# The whole test suite: format check, then every test (unit, integration
# against moto_server and @vercel/fun, example module) in a -Werror build and
# again under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
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
for variant in build build-asan; do
    sanitize=OFF
    [ "$variant" = build-asan ] && sanitize=ON
    echo "== $variant (sanitizers $sanitize)"
    cmake -S . -B "$variant" -DCFNKIT_SANITIZE="$sanitize" -DCFNKIT_WERROR=ON >/dev/null
    cmake --build "$variant" -j "$jobs" >/dev/null
    (cd "$variant" && ctest --output-on-failure -j "$jobs")
done
