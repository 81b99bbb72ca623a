#!/bin/sh
# Run cmocka test programs, show their output, and close with one line
# "N passed, N failed" over every test of every program. Exit 1 if any test
# or program failed.
set -u
passed=0 failed=0 broken=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "$@"; do
	"$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" != 0 ] && [ "${f:-0}" = 0 ]; then
		echo "$t: exited with status $rc without reporting a failure"
		broken=$((broken + 1))
	fi
done
failed=$((failed + broken))
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
