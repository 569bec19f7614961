#!/usr/bin/env bash
# Installs everything rbcity needs on a fresh Debian/Ubuntu machine, then runs one job:
#   bash scripts/bootstrap.sh run    # the main job on the bundled data, embedded SQLite store
#   bash scripts/bootstrap.sh test   # the whole test suite on SQLite, then the store-touching
#                                    # tests (data, plan, web) again on PostgreSQL
# PostgreSQL leg: a server answering on $RBCITY_PG_HOST:$RBCITY_PG_PORT (default 127.0.0.1:5432,
# user postgres, trust auth) is used; otherwise apt's postgresql is installed and a throwaway
# cluster is started in a temp dir on a free port (stopped and removed at exit).
# RBCITY_PG_LEG=0 skips the leg. Arguments after `test` go to both legs.
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

# A PostgreSQL server for the test leg; sets PG_URL (SQLAlchemy URL without a database).
start_postgres() {
  local host="${RBCITY_PG_HOST:-127.0.0.1}" port="${RBCITY_PG_PORT:-5432}"
  if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$host" -p "$port"; then
    echo "== PostgreSQL answers on $host:$port"
    PG_URL="postgresql+psycopg://postgres@$host:$port"; return
  fi
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "== installing postgresql (no server answers on $host:$port)"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  fi
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  PG_DIR="$(mktemp -d /tmp/rbcity-pg.XXXXXX)"
  port="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  PG_AS=()
  if [ "$(id -u)" -eq 0 ]; then  # initdb refuses root: run the cluster as postgres
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$PG_DIR"; PG_AS=(runuser -u postgres --)
  fi
  echo "== starting a throwaway PostgreSQL cluster in $PG_DIR on port $port"
  "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 >"$PG_DIR/initdb.log"
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  trap '"${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1; rm -rf "$PG_DIR"' EXIT
  PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port"
}

case "$job" in
  run)  exec .venv/bin/rbcity run "$@" ;;
  test)
    rc=0
    echo "== test leg 1: SQLite"
    .venv/bin/python -m pytest "$@" || rc=$?
    if [ "${RBCITY_PG_LEG:-1}" != "0" ]; then
      start_postgres
      echo "== test leg 2: PostgreSQL ($PG_URL)"
      legs=("$@"); [ "${#legs[@]}" -eq 0 ] && legs=(tests/data tests/plan tests/outputs/web -m "not browser and not slow")  # the slow real-data engine runs are store-agnostic: SQLite leg
      start=$(date +%s)
      RBCITY_TEST_DB=postgresql RBCITY_TEST_PG="$PG_URL" .venv/bin/python -m pytest "${legs[@]}" || rc=$?
      echo "== PostgreSQL leg took $(( $(date +%s) - start )) s"
    fi
    exit $rc ;;
  *)    echo "usage: bash scripts/bootstrap.sh run|test" >&2; exit 2 ;;
esac
