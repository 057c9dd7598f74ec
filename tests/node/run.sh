#!/usr/bin/env bash
# Runs Metorial's official generated Node SDK (@metorial/generated 2.1.0, mt_2026_01_01_magnetar)
# against a freshly started emulator: installs the pinned packages (when needed), builds the
# emulator, starts it on a free port, runs `node --test`, and always stops the emulator.
#
#   bash tests/node/run.sh            # from anywhere
#   METORIAL_EMULATOR_BIN=path/to/metorial-emulator bash tests/node/run.sh   # skip the build
#
# Needs Node 20+, npm and cargo. Exits non-zero on any failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
HERE="$(pwd)"
WORKSPACE="$(cd ../.. && pwd)"

EMULATOR_PID=""
TESTS_PID=""
WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/metorial-node-sdk.XXXXXX")"

cleanup() {
  local pid
  for pid in "$TESTS_PID" "$EMULATOR_PID"; do
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$WORK_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. The pinned packages, installed from the lockfile only when node_modules is missing or stale.
if [[ ! -f node_modules/.package-lock.json ||
      package-lock.json -nt node_modules/.package-lock.json ||
      package.json -nt node_modules/.package-lock.json ]]; then
  echo "run.sh: npm ci" >&2
  npm ci --no-audit --no-fund
fi

# 2. The emulator binary (METORIAL_EMULATOR_BIN: use an already built one instead).
if [[ -n "${METORIAL_EMULATOR_BIN:-}" ]]; then
  EMULATOR="$METORIAL_EMULATOR_BIN"
else
  echo "run.sh: building metorial-emulator" >&2
  (cd "$WORKSPACE" && cargo build -q -p metorial-emulator)
  TARGET_DIR="$(cd "$WORKSPACE" && cargo metadata --no-deps --format-version 1 |
    node -e 'let s = ""; process.stdin.on("data", d => (s += d)).on("end", () =>
      console.log(JSON.parse(s).target_directory))')"
  EMULATOR="$TARGET_DIR/debug/metorial-emulator"
fi
[[ -x "$EMULATOR" ]] || { echo "run.sh: no emulator binary at $EMULATOR" >&2; exit 1; }

# 3. The emulator on a free port, with a key of our own. Its stdout is a pipe (its first lines
#    give the address); its log goes to a file, shown if it fails to start.
API_KEY="metorial_sk_node$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
exec {EMULATOR_OUT}< <(exec "$EMULATOR" --listen 127.0.0.1:0 --api-key "$API_KEY" \
  --oauth-auto-approve 2>"$WORK_DIR/emulator.err")
EMULATOR_PID=$!

BASE_URL=""
while IFS= read -r -t 60 line <&"$EMULATOR_OUT"; do
  case "$line" in
    "listening on http://"*) BASE_URL="${line#listening on }"; break ;;
  esac
done
if [[ -z "$BASE_URL" ]]; then
  echo "run.sh: the emulator did not report its address:" >&2
  cat "$WORK_DIR/emulator.err" >&2 || true
  exit 1
fi
echo "run.sh: emulator at $BASE_URL (pid $EMULATOR_PID)" >&2

# 4. The tests (in the background, so that a signal stops them and the emulator at once).
METORIAL_EMULATOR_URL="$BASE_URL" METORIAL_API_KEY="$API_KEY" \
  node --test --test-reporter=spec "$HERE/emulator.test.mjs" "$HERE/whole-flow.test.mjs" &
TESTS_PID=$!
status=0
wait "$TESTS_PID" || status=$?
TESTS_PID=""
exit "$status"
