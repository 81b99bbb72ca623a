#!/bin/sh
# smoke.sh: does an installed sklad binary work at all? For a package built
# for another architecture it runs under qemu-user (make deb-arm64).
#
#   smoke.sh BIN [RUNNER...]
#
# BIN is the binary (e.g. an unpacked package's usr/bin/sklad); RUNNER,
# when given, runs it (qemu-aarch64-static). Checks: --version names the
# release of VERSION and a commit; mark parse reads a unit code;
# init makes a database; exec packs a box of two units and closes it;
# db check finds that database sound. Prints each step; exits 1 at the
# first that fails. Writes only in a temporary folder it removes.
set -u
bin=$1
shift
here=$(cd "$(dirname "$0")/.." && pwd)
want=$(cat "$here/VERSION")
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "smoke: FAIL: $*" >&2; exit 1; }

v=$("$@" "$bin" --version) || fail "--version exited $?"
case $v in
"sklad $want (commit "?*")") echo "smoke: $v" ;;
*) fail "--version said '$v', not 'sklad $want (commit ...)'" ;;
esac

gs=$(printf '\035')
unit1="0104600439931256215CnK7iS${gs}93AbCd"
out=$(printf '%s\n' "$unit1" | "$@" "$bin" mark parse --json) ||
	fail "mark parse exited $?: $out"
case $out in
*'"gtin":"04600439931256"'*) echo "smoke: mark parse ok" ;;
*) fail "mark parse: $out" ;;
esac

SKLAD_PIN=4711 "$@" "$bin" init --db "$t/s.db" --inn 7700000000 \
	--gcp 4600439 --admin boss >/dev/null || fail "init exited $?"
echo "smoke: init ok"

unit2="0104600439931256215CnK7iT${gs}93AbCd"
out=$(printf '%s\n' "box open" "scan $unit1" "scan $unit2" "close" |
	SKLAD_PIN=4711 "$@" "$bin" exec --db "$t/s.db" --user boss) ||
	fail "exec exited $?: $out"
n=$(printf '%s\n' "$out" | grep -c '"ok":true')
[ "$n" = 4 ] || fail "exec: $n of 4 commands ok: $out"
echo "smoke: exec ok (box of 2 closed)"

"$@" "$bin" db check --db "$t/s.db" >/dev/null || fail "db check exited $?"
echo "smoke: db check ok"
