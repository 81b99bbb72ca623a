#!/bin/sh
# Aggregation of a box: next SSCC, scans counted against the capacity, the
# box closes itself when full; SKLAD:CLOSE closes a box by barcode.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
start
login operator 1111
key 1
wait_for "No box is open"
key n
wait_for "Box 046004390000000013"
scan "$(unit 1)"
wait_for "OK: 1 in 046004390000000013"
wait_sound ok 3
scan "$(unit 2)"
wait_for "OK: 2 in"
screen | grep -q "DEMO000000002 -> 046004390000000013" || fail "last scans"
scan "$(unit 3)"
wait_for "Box 046004390000000013 closed with 3"
wait_for "No box is open"
# a scanned label opens that box
scan "$(sscc 77)"
wait_for "Box 046100000000000779 is open"
scan "$(unit 4)"
wait_for "OK: 1 in 046100000000000779"
scan "SKLAD:CLOSE"
wait_for "Box 046100000000000779 closed with 1"
admin_exec "where 046100000000000779" | grep -q '"state":"closed"' ||
	fail "the box is not closed in the database"
