#!/usr/bin/env bash
# cli_db_test.sh YAA - black-box test of `yaa db` and `yaa keys` on SQLite and on a real
# PostgreSQL (tests/lib/pg-start): upgrade, downgrade to zero, upgrade again; create, list,
# revoke a key; exit codes 0/1/2 of the contract.
set -uo pipefail
yaa=${1:?usage: cli_db_test.sh path/to/yaa}
src=${YAA_SOURCE_DIR:-$(cd "$(dirname "$0")/../../.." && pwd)}
export YAA_MIGRATIONS_DIR=$src/migrations
work=$(mktemp -d)
pgdir=
cleanup() { [ -n "$pgdir" ] && "$src/tests/lib/pg-stop" "$pgdir"; rm -rf "$work"; }
trap cleanup EXIT
fails=0
check() { # check DESCRIPTION EXPECTED_RC CMD...
  local desc=$1 want=$2; shift 2
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" != "$want" ]; then
    echo "FAIL: $desc: exit $rc, expected $want"; echo "$out" | sed 's/^/    /'; fails=$((fails + 1))
  else
    echo "ok: $desc"
  fi
  LAST=$out
}
expect_in() { # expect_in DESCRIPTION NEEDLE
  if [[ "$LAST" != *"$2"* ]]; then echo "FAIL: $1: '$2' not in output:"; echo "$LAST" | sed 's/^/    /'; fails=$((fails + 1)); fi
}

suite() { # suite NAME URL
  local name=$1
  export DATABASE_URL=$2
  echo "== $name"
  check "$name: current before any migration" 0 "$yaa" db current
  expect_in "$name: current 0" "0 (no migration applied)"
  check "$name: keys before upgrade fails with a hint" 1 "$yaa" keys list
  expect_in "$name: hint" "yaa db upgrade"
  check "$name: upgrade" 0 "$yaa" db upgrade
  expect_in "$name: applied core" "applied  0001_core"
  check "$name: upgrade again is a no-op" 0 "$yaa" db upgrade
  expect_in "$name: nothing" "nothing to apply"
  check "$name: history" 0 "$yaa" db history
  expect_in "$name: history lists audit_logs" "audit_logs"
  check "$name: keys create" 0 "$yaa" keys create --name ci --scopes read,admin --expires-days 7 --json
  local key id
  key=$(printf '%s\n' "$LAST" | sed -n 's/.*"api_key": "\(yaa_[A-Za-z0-9_-]*\)".*/\1/p')
  id=$(printf '%s\n' "$LAST" | sed -n 's/.*"key_id": "\([0-9a-f-]*\)".*/\1/p')
  if [ "${#key}" != 47 ] || [ -z "$id" ]; then echo "FAIL: $name: key '$key' id '$id'"; fails=$((fails + 1)); fi
  check "$name: keys list" 0 "$yaa" keys list
  expect_in "$name: list shows the key" "$id"
  [[ "$LAST" != *"$key"* ]] || { echo "FAIL: $name: plaintext key listed"; fails=$((fails + 1)); }
  check "$name: keys revoke" 0 "$yaa" keys revoke "$id"
  check "$name: keys list shows revoked" 0 "$yaa" keys list
  expect_in "$name: revoked" "revoked"
  check "$name: revoke unknown" 1 "$yaa" keys revoke 00000000-0000-4000-8000-000000000000
  check "$name: create without name" 2 "$yaa" keys create
  check "$name: bad scope" 2 "$yaa" keys create --name x --scopes root
  check "$name: bad expiry" 2 "$yaa" keys create --name x --expires-days 400
  check "$name: downgrade one" 0 "$yaa" db downgrade
  expect_in "$name: reverted one" "reverted"
  check "$name: downgrade to zero" 0 "$yaa" db downgrade 0
  expect_in "$name: reverted core" "reverted 0001_core"
  check "$name: current zero" 0 "$yaa" db current
  expect_in "$name: zero" "0 (no migration applied)"
  check "$name: upgrade after zero" 0 "$yaa" db upgrade
  expect_in "$name: re-applied core" "applied  0001_core"
  check "$name: keys work after re-upgrade" 0 "$yaa" keys create --name again
  check "$name: bad version" 2 "$yaa" db downgrade abc
  check "$name: unknown subcommand" 2 "$yaa" db sideways
}

cd "$work" || exit 1
suite sqlite "sqlite:///$work/data/yaa.db"
[ -f "$work/data/yaa.db" ] || { echo "FAIL: sqlite file not created"; fails=$((fails + 1)); }

if ! env_out=$("$src/tests/lib/pg-start"); then
  echo "FAIL: PostgreSQL did not start (scripts/install-deps installs it)"; exit 1
fi
eval "$env_out"
pgdir=$PGTEST_DIR
suite postgresql "$PGTEST_URL"

export DATABASE_URL="postgresql://postgres:hunter2@127.0.0.1:1/none"
check "unreachable server" 1 "$yaa" db current
expect_in "unreachable: clear message" "cannot connect to PostgreSQL"
[[ "$LAST" != *hunter2* ]] || { echo "FAIL: password in error"; fails=$((fails + 1)); }
export DATABASE_URL="mysql://x"
check "unsupported URL (config error)" 2 "$yaa" db current

echo "$fails failure(s)"
[ "$fails" = 0 ]
