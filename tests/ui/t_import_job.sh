#!/bin/sh
# A big import never freezes scanning: 20 000 codes imported through the
# ':' prompt go in steps, "Importing: N / 20 000" shows while a box is
# packed with scans, and the delivery is there to accept at the end.
# Deterministic on any machine: SKLAD_IMPORT_ROWS=20 makes the import take
# 1000 steps, at least 20 ms apart (ui_job.c), so it runs for 20 s or more
# however fast the disk, far longer than the three scans take.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
awk 'BEGIN { for (i = 1; i <= 20000; i++)
	printf "010460043993125621IMPT%09d\n", i }' > "$T/big.txt"
list_head BIG >> "$T/big.txt"
WAIT_SECONDS=90
UI_ENV="SKLAD_IMPORT_ROWS=20"
start
login operator 1111
key 1
wait_for "No box is open"
key n
wait_for "Box 046004390000000013"
keys F7
type_slowly "delivery import $T/big.txt"
keys Enter
wait_for "Importing: [0-9 ]* / 20 000"
# scans keep working while it runs, and the progress stays on screen
scan "$(unit 1)"
scan "$(unit 2)"
wait_for "OK: 2 in"
screen | grep -q "Importing: [0-9 ]* / 20 000" ||
	fail "the import ended before the box was packed"
scan "$(unit 3)"
wait_for "closed with 3"
screen | grep -q "Importing: [0-9 ]* / 20 000" ||
	fail "the import ended before the box was closed"
wait_for "Delivery 1 imported (IN-BIG): 20000 codes expected"
wait_gone "Importing:"
admin_exec "accept open 1" | grep -q '"missing":20000' ||
	fail "the imported delivery cannot be accepted"
