#!/usr/bin/env bash
# Installs everything rbcity needs on a fresh Debian/Ubuntu machine, then runs one job:
#   bash scripts/bootstrap.sh run    # the main job on the bundled data, embedded SQLite store
#   bash scripts/bootstrap.sh test   # the whole test suite
# System packages: CJK fonts (charts, PDF), Chromium (browser tests), poppler (PDF→PNG checks).
# Python packages go into ./.venv (created with the machine's python3 ≥ 3.11).
set -euo pipefail
cd "$(dirname "$0")/.."
job="${1:-run}"; shift || true

SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
need=()
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v fc-list >/dev/null 2>&1 || need+=(fontconfig)
if [ "${#need[@]}" -gt 0 ]; then
  echo "== installing system packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.rbcity-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "== installing rbcity and its dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  touch "$stamp"
fi
export MPLCONFIGDIR="${MPLCONFIGDIR:-$PWD/.venv/mplconfig}"

case "$job" in
  run)  exec .venv/bin/rbcity run "$@" ;;
  test) exec .venv/bin/python -m pytest "$@" ;;
  *)    echo "usage: bash scripts/bootstrap.sh run|test" >&2; exit 2 ;;
esac
