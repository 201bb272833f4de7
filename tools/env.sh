# shellcheck shell=bash
# Sourced by the scripts: puts .venv (made by setup.sh where needed) on PATH.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -x "$root/.venv/bin/moto_server" ]; then
    export PATH="$root/.venv/bin:$PATH"
fi
