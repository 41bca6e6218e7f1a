#!/usr/bin/env bash
# Runs every test of the project on a fresh Debian 12 machine (root, registries reachable):
# installs what the tests need (idempotent), starts PostgreSQL and Azurite, runs all test assemblies,
# and ends with the line "N passed, N failed". Exit code is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
LOG_DIR="$ROOT/test-results"
mkdir -p "$LOG_DIR"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

need_apt=()
for pkg in postgresql chromium fonts-dejavu-core libturbojpeg0; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing apt packages: ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null \
    || { echo "apt-get install failed"; echo "0 passed, 1 failed"; exit 1; }
fi

# Azurite (Azure Blob emulator) from npm, pinned in .ci/package.json, installed into .ci/node.
if [ ! -x .ci/node/node_modules/.bin/azurite-blob ]; then
  echo "== installing azurite"
  mkdir -p .ci/node && cp .ci/package.json .ci/node/package.json
  (cd .ci/node && npm install --no-audit --no-fund --loglevel=error >/dev/null) \
    || { echo "npm install azurite failed"; echo "0 passed, 1 failed"; exit 1; }
fi
export SSEG_AZURITE_BIN="$ROOT/.ci/node/node_modules/.bin/azurite-blob"

# PostgreSQL for the multi-host Hangfire tests.
PG_PORT=5432
if ! pg_lsclusters -h 2>/dev/null | grep -q online; then
  pg_ctlcluster 15 main start >/dev/null 2>&1 || true
fi
for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p $PG_PORT -q && break; sleep 1; done
su postgres -c "psql -q -p $PG_PORT -tc \"SELECT 1 FROM pg_roles WHERE rolname='sseg'\" | grep -q 1 || psql -q -p $PG_PORT -c \"CREATE ROLE sseg LOGIN PASSWORD 'sseg' CREATEDB\"" >/dev/null 2>&1
su postgres -c "psql -q -p $PG_PORT -tc \"SELECT 1 FROM pg_database WHERE datname='sseg_test'\" | grep -q 1 || psql -q -p $PG_PORT -c \"CREATE DATABASE sseg_test OWNER sseg\"" >/dev/null 2>&1
export SSEG_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=sseg;Password=sseg;Database=sseg_test"
export SSEG_CHROMIUM=/usr/bin/chromium

echo "== building"
# The pipelines project alone first: the README's first command builds only it, from a clean checkout.
if ! dotnet build pipelines/SSeg.Pipelines.csproj -c Release -v q -clp:ErrorsOnly > "$LOG_DIR/build-pipelines.log" 2>&1; then
  cat "$LOG_DIR/build-pipelines.log" | tail -60
  echo "0 passed, 1 failed"
  exit 1
fi
if ! dotnet build Pipeline.sln -c Release -v q -clp:ErrorsOnly > "$LOG_DIR/build.log" 2>&1; then
  cat "$LOG_DIR/build.log" | tail -60
  echo "0 passed, 1 failed"
  exit 1
fi

echo "== testing"
passed=0; failed=0; status=0
for proj in tests/*/SSeg.*.Tests.csproj; do
  name=$(basename "$proj" .csproj)
  out="$LOG_DIR/$name.log"
  dotnet test "$proj" -c Release --no-build --blame-hang-timeout 15m \
      --logger "console;verbosity=normal" --results-directory "$LOG_DIR/$name" > "$out" 2>&1
  rc=$?
  # VSTest's summary: "Passed!  - Failed: 0, Passed: N, ..." (minimal) or "Total tests: N / Passed: N / Failed: N".
  line=$(grep -E '^(Passed|Failed)!' "$out" | tail -1)
  if [ -n "$line" ]; then
    p=$(sed -nE 's/.*Passed: *([0-9]+).*/\1/p' <<< "$line"); f=$(sed -nE 's/.*Failed: *([0-9]+),.*/\1/p' <<< "$line")
  else
    p=$(sed -nE 's/^ +Passed: +([0-9]+) *$/\1/p' "$out" | tail -1); f=$(sed -nE 's/^ +Failed: +([0-9]+) *$/\1/p' "$out" | tail -1)
  fi
  p=${p:-0}; f=${f:-0}
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed or aborted run counts as a failure
  [ $rc -ne 0 ] && { status=1; grep -E -A6 '^\s+Failed ' "$out" | head -80; }
  echo "$name: $p passed, $f failed"
  passed=$((passed + p)); failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $status -eq 0 ]
