#!/usr/bin/env bash
# Installs what cfnkit needs to build, test and demo on Debian 12: compilers
# and -dev libraries (apt), @vercel/fun (npm), and moto/boto3/AWS CLI when the
# machine does not already have them (pip, in .venv). Quick when all is there.
# Usage: tools/setup.sh     (no options; --help prints this)
set -euo pipefail
case "${1:-}" in
"") ;;
-h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
*) echo "setup.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)

apt_packages=(build-essential cmake pkg-config libcurl4-openssl-dev libssl-dev libcjson-dev
              libzip-dev libcmocka-dev clang clang-format libclang-rt-14-dev shellcheck pyflakes3
              python3 time binutils libyaml-dev libpcre2-dev)
command -v node >/dev/null || apt_packages+=(nodejs)
command -v npm >/dev/null || apt_packages+=(npm)

missing=()
for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# @vercel/fun: the Lambda Runtime API the integration tests and the demo use.
fun="$root/tests/integration/node_modules/@vercel/fun/package.json"
if [ ! -f "$fun" ] || [ "$root/tests/integration/package-lock.json" -nt "$fun" ]; then
    echo "setup: installing @vercel/fun"
    (cd "$root/tests/integration" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# moto_server, boto3, the AWS CLI, python-dotenv and cfn-lint: the local AWS, the
# independent clients and the template linter. Machine images for cfnkit have
# them; elsewhere they go
# into .venv (Debian 12 has no moto package, and its pip refuses the system).
if ! { command -v moto_server && command -v aws && command -v cfn-lint && python3 -c 'import boto3, moto, dotenv, cfnlint'; } >/dev/null 2>&1; then
    if [ ! -x "$root/.venv/bin/moto_server" ]; then
        echo "setup: installing moto, boto3, awscli and python-dotenv into .venv"
        dpkg-query -W -f='${Status}' python3-venv 2>/dev/null | grep -q "ok installed" || {
            apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null; }
        python3 -m venv "$root/.venv"
        "$root/.venv/bin/pip" install -q 'moto[server]>=5.2,<5.3' boto3 awscli python-dotenv cfn-lint
    fi
fi
