#!/bin/sh
# tests/ui/run.sh [TEST...]: run the console's tmux tests (t_*.sh, or the
# ones named), each in its own private tmux server; print one line per
# test and a closing "N passed, N failed"; exit non-zero on any failure.
# Must not: stop at the first failure, or hide a failing test's screen.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
command -v tmux >/dev/null || { echo "tests/ui: tmux is missing" >&2; exit 1; }
[ $# -gt 0 ] || set -- "$dir"/t_*.sh
pass=0 failed=0
for t in "$@"; do
	name=$(basename "$t" .sh)
	if out=$(sh "$t" 2>&1); then
		pass=$((pass + 1))
		echo "  ok     $name"
	else
		failed=$((failed + 1))
		echo "  FAIL   $name"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
done
echo "tests/ui: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
