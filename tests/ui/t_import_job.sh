#!/bin/sh
# A big import never freezes scanning: 100 000 codes imported through the
# ':' prompt go in steps, "Importing: N / 100 000" shows while a box is
# packed with scans, and the delivery is there to accept at the end.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
awk 'BEGIN { for (i = 1; i <= 100000; i++)
	printf "010460043993125621IMPT%09d\n", i }' > "$T/big.txt"
WAIT_SECONDS=60
start
login operator 1111
key 1
wait_for "No box is open"
key n
wait_for "Box 046004390000000013"
keys F7
type_slowly "delivery import $T/big.txt"
keys Enter
wait_for "Importing: [0-9 ]* / 100 000"
# scans keep working while it runs, and the progress stays on screen
scan "$(unit 1)"
scan "$(unit 2)"
wait_for "OK: 2 in"
screen | grep -q "Importing: [0-9 ]* / 100 000" ||
	fail "the import ended before the box was packed"
scan "$(unit 3)"
wait_for "closed with 3"
wait_for "Delivery 1 imported ([^)]*big.txt): 100000 codes expected"
wait_gone "Importing:"
admin_exec "accept open 1" | grep -q '"missing":100000' ||
	fail "the imported delivery cannot be accepted"
