#!/usr/bin/env bash
# Conformance of the emulator to spec/metorial.yaml: schemathesis (pinned, in a virtualenv)
# fuzzes every operation of the spec against a freshly started emulator binary and checks that
# no answer is a server error and that every answer matches the spec's schemas.
#
# Self-contained: builds the binary, starts it on a free port with a known API key, runs
# schemathesis with the bearer header, stops the server. Exits non-zero on any failure.
#
# Usage: crates/metorial-emulator/conformance.sh [extra schemathesis options]
# Env:   SCHEMATHESIS_VENV (default target/ci-venv), SCHEMATHESIS_MAX_EXAMPLES (default 50),
#        SCHEMATHESIS_SEED (default 1).
set -euo pipefail
cd "$(dirname "$0")/../.."

SCHEMATHESIS_VERSION=4.32.5
VENV="${SCHEMATHESIS_VENV:-$PWD/target/ci-venv}"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-50}"
SEED="${SCHEMATHESIS_SEED:-1}"
CHECKS=not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance

step() { printf '\n==> %s\n' "$*"; }

step "install schemathesis $SCHEMATHESIS_VERSION in $VENV"
if [ ! -x "$VENV/bin/schemathesis" ] \
    || [ "$("$VENV/bin/schemathesis" --version 2>/dev/null | awk '{print $NF}')" != "$SCHEMATHESIS_VERSION" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

step "build the emulator"
cargo build --quiet -p metorial-emulator --bin metorial-emulator
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
BIN="$TARGET_DIR/debug/metorial-emulator"

WORK="$(mktemp -d)"
KEY="metorial_sk_conformance_$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -INT "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

step "start the emulator on a free port"
"$BIN" --listen 127.0.0.1:0 --api-key "$KEY" --oauth-auto-approve \
    >"$WORK/stdout" 2>"$WORK/stderr" &
SERVER_PID=$!
URL=""
for _ in $(seq 1 300); do
    URL="$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$WORK/stdout" | head -n 1)"
    [ -n "$URL" ] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        cat "$WORK/stderr" >&2
        echo "the emulator exited before listening" >&2
        exit 1
    fi
    sleep 0.1
done
if [ -z "$URL" ]; then
    echo "the emulator did not start listening" >&2
    exit 1
fi
echo "emulator at $URL"

step "schemathesis ($CHECKS)"
status=0
SCHEMATHESIS_TELEMETRY=false "$VENV/bin/schemathesis" \
    --config-file crates/metorial-emulator/conformance.toml \
    run spec/metorial.yaml \
    --url "$URL" \
    --header "Authorization: Bearer $KEY" \
    --checks "$CHECKS" \
    --max-examples "$MAX_EXAMPLES" \
    --seed "$SEED" \
    --generation-database none \
    --no-color \
    "$@" || status=$?

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "the emulator died during the run" >&2
    cat "$WORK/stderr" >&2
    exit 1
fi
if grep -q 'internal error' "$WORK/stderr"; then
    echo "the emulator logged internal errors:" >&2
    grep 'internal error' "$WORK/stderr" >&2
    status=1
fi
exit "$status"
